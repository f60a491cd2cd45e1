"""The legend of an engine map, in Dutch, as escaped HTML (one per indicator and mode).

All text goes through :mod:`wijkgeo.maps.escape`; the functions here return
:class:`~markupsafe.Markup`, which :mod:`wijkgeo.maps.data` puts in the map's data block and
``engine.js`` shows when the indicator or the mode changes.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from .. import text
from .classes import MISSING_COLOR, Classes, missing_color
from .escape import Markup, html, join

__all__ = ["MISSING_LABEL", "Row", "legend_body", "missing_rows", "range_labels"]

#: At most this many decimals more than the registry asks for, to tell classes apart.
EXTRA_DECIMALS = 3

#: Legend and tooltip text for a missing or secret value.
MISSING_LABEL = text.MISSING


@dataclass(frozen=True)
class Row:
    """One legend row: colour, class text, number of buurten."""

    color: str
    text: str
    count: int


def missing_rows(
    reasons: Sequence[str | None], index: np.ndarray, label: str = MISSING_LABEL
) -> list[Row]:
    """One grey row per reason a value is missing ("geen gegevens (te weinig inwoners)"),
    "te weinig inwoners" in its own lighter grey (:func:`~wijkgeo.maps.classes.missing_color`).

    A grey row is always there, also when no buurt is missing, so every map reads alike.

    Examples
    --------
    >>> import numpy as np
    >>> from wijkgeo.maps.legend import missing_rows
    >>> [r.text for r in missing_rows([None, "te weinig inwoners"], np.array([-1, -1]))]
    ['geen gegevens', 'geen gegevens (te weinig inwoners)']
    """
    counts: dict[str, int] = {}
    for i in np.flatnonzero(np.asarray(index) < 0):
        reason = reasons[i] or label
        text = label if reason == label else f"{label} ({reason})"
        counts[text] = counts.get(text, 0) + 1
    if not counts:
        counts[label] = 0
    colors = {label: MISSING_COLOR}
    for i in np.flatnonzero(np.asarray(index) < 0):
        reason = reasons[i] or label
        colors[label if reason == label else f"{label} ({reason})"] = missing_color(reasons[i])
    return [Row(colors.get(k, MISSING_COLOR), k, v) for k, v in counts.items()]


def legend_body(
    label: str,
    rows: Sequence[Row],
    sub: Sequence[str],
    note: str | None,
    *,
    toggle_title: str = "legenda in- of uitklappen",
    count_title: str = "aantal buurten",
) -> Markup:
    """The inside of the ``<details id="wijkgeo-legend">`` box: heading, unit, rows, note.

    Examples
    --------
    >>> from wijkgeo.maps.legend import Row, legend_body
    >>> out = legend_body("Inwoners", [Row("#ffffff", "0 – 10", 2)], ["inwoners"], None)
    >>> out.startswith('<summary class="wijkgeo-head"') and "0 – 10" in out
    True
    """
    from ..indicators import format_number

    body = join(
        html(
            '<tr><td><span class="wijkgeo-swatch" style="background:{}"></span></td>'
            '<td>{}</td><td class="wijkgeo-n" title="{}">{}</td></tr>',
            r.color,
            r.text,
            count_title,
            format_number(r.count),
        )
        for r in rows
    )
    unit = join([s for s in sub if s], " · ")
    return html(
        '<summary class="wijkgeo-head" title="{}">{}</summary>{}<table>{}</table>{}',
        toggle_title,
        label,
        html('<div class="wijkgeo-unit">{}</div>', unit) if unit else "",
        body,
        html('<div class="wijkgeo-desc">{}</div>', note) if note else "",
    )


def range_labels(
    classes: Classes, fmt: Callable[[float, int], str], decimals: int = 0
) -> list[str]:
    """Legend text per class: the lowest and highest value that occurs in it.

    A class shows ``"vmin – vmax"`` of its own buurten (one number when they are equal), not
    the classifier's cut points: quantile cuts such as 11.67 are no buurt's value, and with
    0 decimals ``"10 – 12"`` / ``"12 – 25"`` leave the reader guessing where 12 belongs. When
    the registry's ``decimals`` would make neighbouring numbers look equal (``11`` and ``11``
    for 11.4 and 11.6), up to :data:`EXTRA_DECIMALS` more are used, for all classes alike.

    Parameters
    ----------
    classes : Classes
        From :func:`~wijkgeo.maps.classes.classify`.
    fmt : callable
        ``fmt(value, decimals) -> str`` (Dutch number format).
    decimals : int
        The registry's decimals for the indicator.

    Examples
    --------
    >>> import numpy as np
    >>> from wijkgeo.indicators import format_number
    >>> from wijkgeo.maps.classes import classify
    >>> from wijkgeo.maps.legend import range_labels
    >>> c = classify(np.array([10.0, 11.2, 11.4, 30.0]), {"scheme": "quantiles", "k": 2})
    >>> range_labels(c, format_number, 0)   # 11 and 11 would look alike
    ['10,0 – 11,2', '11,4 – 30,0']
    """
    bounds = [v for pair in zip(classes.vmin, classes.vmax, strict=True) for v in pair]
    for d in range(decimals, decimals + EXTRA_DECIMALS + 1):
        texts = [fmt(v, d) for v in bounds]
        # a class's highest value and the next class's lowest must read differently
        if all(texts[i] != texts[i + 1] for i in range(1, len(texts) - 1, 2)):
            break
    pairs = zip(texts[::2], texts[1::2], strict=True)
    return [lo if lo == hi else f"{lo} – {hi}" for lo, hi in pairs]
