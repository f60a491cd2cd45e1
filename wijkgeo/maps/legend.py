"""Map furniture in Dutch: the classed legend, the title box and their CSS.

All text goes through :mod:`wijkgeo.maps.escape`; the functions here return
:class:`~markupsafe.Markup` ready for :class:`~wijkgeo.maps.escape.SafeHtml`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from .. import text
from .classes import MISSING_COLOR, Classes
from .escape import Markup, html, join

__all__ = [
    "MISSING_LABEL",
    "STYLE",
    "Row",
    "legend_html",
    "legend_rows",
    "range_labels",
    "title_html",
]

#: At most this many decimals more than the registry asks for, to tell classes apart.
EXTRA_DECIMALS = 3

#: Legend and tooltip text for a missing or secret value.
MISSING_LABEL = text.MISSING

#: Static CSS (a trusted literal; no data). Plain Markup: never passed to ``str.format``.
STYLE = Markup(
    """<style>
.wijkgeo-box { position: absolute; z-index: 1000; background: rgba(255,255,255,0.93);
  border-radius: 4px; box-shadow: 0 1px 4px rgba(0,0,0,0.35); padding: 8px 10px;
  font: 13px/1.35 system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif; color: #222;
  box-sizing: border-box; overflow-wrap: anywhere; }
.wijkgeo-title { top: 10px; left: 54px; max-width: min(420px, calc(100% - 64px)); }
.wijkgeo-title h1 { font-size: 16px; font-weight: 600; margin: 0 0 2px 0; }
.wijkgeo-title .wijkgeo-sub { font-size: 13px; color: #444; }
.wijkgeo-title .wijkgeo-src { font-size: 11px; color: #666; margin-top: 3px; }
.wijkgeo-legend { bottom: 28px; right: 10px; max-width: min(280px, calc(100% - 20px));
  max-height: calc(100% - 160px); overflow: auto; }
.wijkgeo-legend .wijkgeo-head { font-weight: 600; cursor: pointer; }
.wijkgeo-legend .wijkgeo-unit { font-size: 11px; color: #555; margin-bottom: 4px; }
.wijkgeo-legend table { border-collapse: collapse; }
.wijkgeo-legend td { padding: 1px 4px 1px 0; vertical-align: middle; }
.wijkgeo-legend td.wijkgeo-n { color: #666; text-align: right; padding-left: 8px; }
.wijkgeo-swatch { display: inline-block; width: 18px; height: 12px; border: 1px solid #777; }
.wijkgeo-legend .wijkgeo-desc { font-size: 11px; color: #555; margin-top: 4px; }
.wijkgeo-tooltip { font: 13px/1.35 system-ui, -apple-system, "Segoe UI", Roboto, Arial,
  sans-serif; }
.leaflet-tooltip.wijkgeo-tooltip { white-space: normal; width: max-content;
  max-width: calc(50vw - 30px); overflow-wrap: anywhere; }
.wijkgeo-tooltip .wijkgeo-naam { font-weight: 600; }
.wijkgeo-tooltip .wijkgeo-code { color: #666; font-size: 11px; }
@media (max-width: 480px) {
  .wijkgeo-box { font-size: 12px; padding: 6px 8px; }
  .wijkgeo-title h1 { font-size: 14px; }
  .wijkgeo-title .wijkgeo-src, .wijkgeo-legend .wijkgeo-desc { font-size: 10px; }
  .wijkgeo-legend { bottom: 24px; }
}
</style>"""
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


@dataclass(frozen=True)
class Row:
    """One legend row: colour, class text, number of buurten."""

    color: str
    text: str
    count: int


def legend_rows(classes: Classes, fmt_range: Sequence[str]) -> list[Row]:
    """Legend rows for ``classes``; ``fmt_range[i]`` is the formatted range of class ``i``.

    The grey ``geen gegevens`` row is always last, also when no buurt is missing, so every
    map reads the same way.
    """
    rows = [Row(c, t, n) for c, t, n in zip(classes.colors, fmt_range, classes.counts, strict=True)]
    rows.append(Row(MISSING_COLOR, MISSING_LABEL, classes.missing))
    return rows


def legend_html(
    label: str,
    rows: Sequence[Row],
    *,
    unit: str | None = None,
    direction: str | None = None,
    description: str | None = None,
) -> Markup:
    """The legend box (``id="wijkgeo-legend"``).

    Examples
    --------
    >>> from wijkgeo.maps.legend import Row, legend_html
    >>> rows = [Row("#ffffff", "0 – 10", 2), Row("#bdbdbd", "geen gegevens", 1)]
    >>> out = legend_html("Inwoners", rows)
    >>> "geen gegevens" in out and 'id="wijkgeo-legend"' in out
    True
    """
    phrase = text.direction(direction) if direction != "neutraal" else None
    sub = join([p for p in (unit, phrase) if p], " · ")
    body = join(
        (
            html(
                '<tr><td><span class="wijkgeo-swatch" style="background:{}"></span></td>'
                '<td>{}</td><td class="wijkgeo-n" title="aantal buurten">{}</td></tr>',
                r.color,
                r.text,
                r.count,
            )
            for r in rows
        ),
    )
    # <details open>: a tap on the heading folds the legend away (phones), no JavaScript
    return html(
        '<details id="wijkgeo-legend" class="wijkgeo-box wijkgeo-legend" open>'
        '<summary class="wijkgeo-head" title="legenda in- of uitklappen">{}</summary>{}'
        "<table>{}</table>{}</details>",
        label,
        html('<div class="wijkgeo-unit">{}</div>', sub) if sub else "",
        body,
        html('<div class="wijkgeo-desc">{}</div>', description) if description else "",
    )


def title_html(title: str, subtitle: str | None, source: str | None) -> Markup:
    """The title box (``id="wijkgeo-title"``): title, gemeente and year, source.

    Examples
    --------
    >>> from wijkgeo.maps.legend import title_html
    >>> str(title_html("Inwoners per buurt", "Demodam · 2024", "CBS"))[:43]
    '<div id="wijkgeo-title" class="wijkgeo-box '
    """
    return html(
        '<div id="wijkgeo-title" class="wijkgeo-box wijkgeo-title"><h1>{}</h1>{}{}</div>',
        title,
        html('<div class="wijkgeo-sub">{}</div>', subtitle) if subtitle else "",
        html('<div class="wijkgeo-src">Bron: {}</div>', source) if source else "",
    )
