"""The profile section "Hoe ontwikkelt de buurt zich": values over the years, drawn and said.

Per indicator a small inline SVG line with the years on it: measured values (``gemeten``,
``hercodeerd``, and an ``omgerekend`` value summed from whole earlier areas: a merger, whose
reason says "opgeteld") as filled dots, estimates (``omgerekend`` through cells or area: the
boundary changed) as open dots on a dashed line, missing years as gaps. A sentence only for
a change that exceeds what rounding and the indicator's noise allow
(:func:`wijkgeo.series.carry.meaningful`), e.g. "Het aandeel huishoudens met een laag inkomen
daalde van 18% in 2017 naar 13% in 2022." Wording is data (``wijkgeo/series/carry.json``,
``teksten``).

Examples
--------
>>> import pandas as pd
>>> frame = pd.DataFrame({"niveau": "buurt", "code": "BU1", "naam": "Oost",
...     "jaar": [2017, 2022], "indicator": "aandeel_huishoudens_laag_inkomen",
...     "waarde": [18.0, 13.0], "herkomst": ["omgerekend", "gemeten"], "reden": None})
>>> rows = development(frame, "BU1")
>>> rows[0]["zin"]
'Het aandeel huishoudens met een laag inkomen daalde van 18,0% in 2017 naar 13,0% in 2022.'
>>> "<svg" in str(rows[0]["svg"]) and "stroke-dasharray" in str(rows[0]["svg"])
True
>>> section_html(frame, "BU1").startswith('<section class="ontwikkeling"><h2>Hoe ontwikkelt')
True
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from ..maps.escape import esc, html

__all__ = ["development", "section_html", "sentence", "sparkline"]

_W, _H, _PAD = 220, 54, 12
_ESTIMATE = ("omgerekend",)


def _texts() -> dict[str, Any]:
    from ..series.carry import rules

    return rules()["teksten"]


def _subject(key: str) -> str:
    from ..indicators.registry import get_indicator
    from ..series.carry import rule

    ind = get_indicator(key)
    label = ind.label[0].lower() + ind.label[1:]
    r = rule(key) or {}
    forms = _texts()["onderwerp"]
    if r.get("soort") == "verhouding" and float(r.get("schaal", 1)) == 100:
        form = forms["aandeel"]
    elif r.get("soort") == "verhouding" and float(r.get("schaal", 1)) == 1000:
        form = forms["per_1000"]
    elif r.get("soort") == "telling":
        form = forms["telling"]
    elif label.lower().startswith(tuple(_texts()["het_woorden"])):
        form = forms["anders_het"]
    else:
        form = forms["anders"]
    return form.format(label=label)


def _rounding(key: str) -> float:
    from ..series.carry import rule

    return float(((rule(key) or {}).get("betekenisvol") or {}).get("afronding", 0))


def sentence(
    key: str, year_a: int, a: float, year_b: int, b: float, denominator: Any = None
) -> str | None:
    """The sentence for a change from ``a`` to ``b``, or ``None`` when it is not meaningful.

    Examples
    --------
    >>> sentence("aandeel_65_plus", 2015, 17.0, 2024, 17.4) is None
    True
    """
    from ..indicators.registry import format_number, format_value, get_indicator
    from ..series.carry import meaningful, rule

    if not bool(meaningful(key, [a], [b], denominator)[0]):
        return None
    t = _texts()
    if (rule(key) or {}).get("soort") == "telling":  # "het aantal inwoners steeg van 1.020"

        def fmt(v: float) -> str:
            return format_number(v, get_indicator(key).decimals)
    else:

        def fmt(v: float) -> str:
            return format_value(key, v)

    text = t["zin"].format(
        onderwerp=_subject(key),
        werkwoord=t["stijgen"] if b > a else t["dalen"],
        van=fmt(a),
        jaar_van=year_a,
        naar=fmt(b),
        jaar_naar=year_b,
    )
    return text[0].upper() + text[1:]


def sparkline(
    points: Sequence[tuple[int, float, str]], years: Sequence[int], least: float = 0.0
) -> str:
    """An inline SVG line over ``years``; estimates open and dashed; gaps where missing.

    ``least`` is the smallest height the line spans (the indicator's rounding), so changes
    within rounding do not look like swings.
    """
    xs = {y: _PAD + i * (_W - 2 * _PAD) / max(1, len(years) - 1) for i, y in enumerate(years)}
    vals = [v for _y, v, _h in points if v is not None and np.isfinite(v)]
    if not vals:
        return ""
    lo, hi = min(vals), max(vals)
    if hi - lo < least:
        mid = (hi + lo) / 2
        lo, hi = mid - least / 2, mid + least / 2
    span = hi - lo or 1.0

    def y_of(v: float) -> float:
        return _H - 16 - (v - lo) / span * (_H - 26)

    parts = [
        f'<svg class="ontwikkeling" viewBox="0 0 {_W} {_H}" width="{_W}" height="{_H}" '
        'role="img" aria-hidden="true">'
    ]
    prev = None
    for year, value, herkomst in points:
        if value is None or not np.isfinite(value):
            prev = None
            continue
        x, y = xs[year], y_of(value)
        if prev is not None:
            dashed = herkomst in _ESTIMATE or prev[2] in _ESTIMATE
            dash = ' stroke-dasharray="3 2"' if dashed else ""
            parts.append(
                f'<line x1="{prev[0]:.1f}" y1="{prev[1]:.1f}" x2="{x:.1f}" y2="{y:.1f}" '
                f'stroke="#1f5f8b" stroke-width="1.5"{dash}/>'
            )
        prev = (x, y, herkomst)
    for year, value, herkomst in points:
        if value is None or not np.isfinite(value):
            continue
        fill = "#fff" if herkomst in _ESTIMATE else "#1f5f8b"
        parts.append(
            f'<circle cx="{xs[year]:.1f}" cy="{y_of(value):.1f}" r="2.8" fill="{fill}" '
            'stroke="#1f5f8b" stroke-width="1.2"/>'
        )
    for year in (years[0], years[-1]):
        anchor = "start" if year == years[0] else "end"
        parts.append(
            f'<text x="{xs[year]:.1f}" y="{_H - 2}" font-size="9" text-anchor="{anchor}" '
            f'fill="#555">{int(year)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def development(
    frame: pd.DataFrame, code: str, keys: Sequence[str] | None = None
) -> list[dict[str, Any]]:
    """Per indicator of one area: label, points, sparkline and (only if meaningful) a sentence.

    Parameters
    ----------
    frame : DataFrame
        The long table of :func:`wijkgeo.series.tijdreeks`.
    code : str
        The buurt, wijk or gemeente code.
    keys : sequence of str, optional
        Indicators in this order; default those in the frame with at least two values.
    """
    from ..indicators.registry import format_value, get_indicator
    from ..series.carry import shown_herkomst

    part = frame[frame["code"] == code]
    years = sorted(int(y) for y in frame["jaar"].unique())
    keys = list(keys) if keys is not None else list(dict.fromkeys(part["indicator"]))
    rows: list[dict[str, Any]] = []
    for key in keys:
        one = part[part["indicator"] == key].sort_values("jaar")
        have = one[one["waarde"].notna()]
        if len(have) < 2:
            continue
        # a merger's value (summed from whole earlier areas) is exact: drawn as measured
        shown = shown_herkomst(one["herkomst"], one.get("reden"))
        points = [
            (int(r.jaar), float(r.waarde) if pd.notna(r.waarde) else None, str(h))
            for r, h in zip(one.itertuples(), shown, strict=True)
        ]
        first, last = have.iloc[0], have.iloc[-1]
        text = sentence(
            key, int(first.jaar), float(first.waarde), int(last.jaar), float(last.waarde)
        )
        rows.append(
            {
                "indicator": key,
                "label": get_indicator(key).label,
                "punten": points,
                "laatste": format_value(key, last.waarde),
                "geschat": any(h in _ESTIMATE for h in shown),
                "svg": sparkline(points, years, 4 * _rounding(key)),
                "zin": text,
            }
        )
    return rows


def section_html(frame: pd.DataFrame, code: str, keys: Sequence[str] | None = None) -> str:
    """The whole section as HTML (escaped; the SVG is built from numbers only)."""
    t = _texts()
    rows = development(frame, code, keys)
    levels = frame.loc[frame["code"] == code, "niveau"]
    level = str(levels.iloc[0]) if len(levels) else "buurt"
    grenzen = frame.attrs.get("grenzen") or int(frame["jaar"].max())
    items = []
    for row in rows:
        note = f' <span class="geschat">{esc(t["geschat"])}</span>' if row["geschat"] else ""
        said = f"<p>{esc(row['zin'])}</p>" if row["zin"] else ""
        items.append(
            f'<div class="ontwikkeling-rij"><h3>{esc(row["label"])}: {esc(row["laatste"])}'
            f"{note}</h3>{row['svg']}{said}</div>"
        )
    if not items:
        items.append(f"<p>{esc(t['te_weinig'])}</p>")
    return (
        str(
            html(
                '<section class="ontwikkeling"><h2>{}</h2><p class="explain">{}</p>'
                '<div class="ontwikkeling-rijen">',
                t["titel"].format(niveau=level),
                t["inleiding"].format(jaar=grenzen),
            )
        )
        + "".join(items)
        + "</div></section>"
    )
