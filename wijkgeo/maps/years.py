"""The years a map carries: every indicator over the years, the geometry once.

:func:`years_payload` packs the long table of :func:`wijkgeo.series.tijdreeks` (buurt level)
for a map whose features are in ``codes`` order: per indicator and year a base64 VLQ string
of integers at the registry's decimals, the newest year as steps from its median and every
earlier year as steps from the next year's value (a buurt changes little from one year to
the next, so most steps take one character); missing is "minus zero". Provenance is one
small code per area and year (0 gemeten, 1 hercodeerd, 2 omgerekend, 3 ontbreekt, and 4 for
an ``omgerekend`` value summed from whole earlier areas: exact, its popup says "opgeteld"),
also as VLQ. The boundaries are not repeated: every year is on the newest ones; in a map the newest
year's values are not repeated either (``newest=False``): they are the map's own.

Examples
--------
>>> import pandas as pd
>>> frame = pd.DataFrame({"niveau": "buurt", "code": ["A", "A", "B", "B"],
...                       "jaar": [2023, 2024, 2023, 2024], "indicator": "inwoners",
...                       "waarde": [100.0, 105.0, None, 50.0],
...                       "herkomst": ["omgerekend", "gemeten", "ontbreekt", "gemeten"]})
>>> p = years_payload(frame, ["A", "B"])
>>> p["jaren"], p["herkomst"]["2023"]
([2023, 2024], 'EG')
>>> decode_years(p, "inwoners")
{2024: [105.0, 50.0], 2023: [100.0, None]}
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from .escape import script_json
from .topology import encode_vlq

__all__ = ["HERKOMST_CODES", "decode_years", "years_block", "years_payload", "years_script"]

#: The grey of "no meaningful change" in the change view (its own class, not "missing").
GREY = "#ebebeb"

HERKOMST_CODES = {"gemeten": 0, "hercodeerd": 1, "omgerekend": 2, "ontbreekt": 3, "opgeteld": 4}
#: Which provenance an area's year shows when its indicators differ (best first): a value
#: summed from whole earlier areas (``opgeteld``, :func:`wijkgeo.series.carry.shown_herkomst`)
#: is exact, so it ranks before one estimated through cells or area.
_BEST_FIRST = ("gemeten", "hercodeerd", "opgeteld", "omgerekend", "ontbreekt")


def _ints(values: np.ndarray, decimals: int) -> np.ndarray:
    scaled = np.round(values * 10**decimals)
    return scaled


def years_payload(
    frame: pd.DataFrame, codes: Sequence[str], level: str = "buurt", *, newest: bool = True
) -> dict:
    """Pack a series' long table for a map (see the module docstring).

    Parameters
    ----------
    frame : DataFrame
        The long table (``niveau``, ``code``, ``jaar``, ``indicator``, ``waarde``,
        ``herkomst``).
    codes : sequence of str
        The map's feature codes, in the map's order.
    level : str
        The level the map shows.
    newest : bool
        Also pack the newest year's values; a map leaves them out (``False``): its
        indicators hold them already, and the earlier years are steps from those.

    Returns
    -------
    dict
        JSON-able: ``jaren``, ``decimalen`` per indicator, ``waarden`` (indicator -> year ->
        VLQ), ``herkomst`` (year -> VLQ of codes), ``codes`` of the provenance labels.
    """
    from ..indicators.registry import registry

    reg = registry()
    part = frame[frame["niveau"] == level]
    years = sorted(int(y) for y in part["jaar"].unique())
    index = pd.Index(list(codes))
    out: dict[str, Any] = {
        "jaren": years,
        "herkomstcodes": list(HERKOMST_CODES),
        "decimalen": {},
        "waarden": {},
        "herkomst": {},
    }
    # provenance per area and year: the boundary's (the best over its indicators)
    from ..series.carry import shown_herkomst

    shown = shown_herkomst(part["herkomst"], part.get("reden"))
    rank = {name: i for i, name in enumerate(_BEST_FIRST)}
    gone = rank["ontbreekt"]
    prov = part.assign(r=pd.Series(shown, index=part.index).map(rank).fillna(gone).astype(int))
    best = prov.groupby(["jaar", "code"])["r"].min().unstack("code")
    to_code = np.array([HERKOMST_CODES[name] for name in _BEST_FIRST])
    for year in years:
        row = best.loc[year].reindex(index).fillna(gone).astype(int).to_numpy()
        out["herkomst"][str(year)] = encode_vlq(to_code[row].tolist())
    table = part.pivot_table(
        index=["indicator", "code"], columns="jaar", values="waarde", dropna=False
    )
    for key in sorted(part["indicator"].unique()):
        dec = reg[key].decimals if key in reg else 1
        out["decimalen"][key] = dec
        values = table.loc[key].reindex(index) if key in table.index.get_level_values(0) else None
        if values is None:
            continue
        strings: dict[str, str] = {}
        nxt = None
        for year in reversed(years):
            v = (
                values[year].to_numpy(float)
                if year in values.columns
                else np.full(len(index), np.nan)
            )
            ints = _ints(v, dec)
            if nxt is None:
                nxt = ints
                if not newest:
                    continue
                ok = ~np.isnan(ints)
                base = float(np.round(np.median(ints[ok]))) if ok.any() else 0.0
                steps = ints - base
                strings["o"] = str(int(base))
                strings[str(year)] = encode_vlq([None if np.isnan(x) else int(x) for x in steps])
                continue
            steps = np.where(np.isnan(nxt), ints, ints - nxt)
            strings[str(year)] = encode_vlq([None if np.isnan(s) else int(s) for s in steps])
            nxt = ints
        out["waarden"][key] = strings
    return out


def decode_years(payload: dict, key: str) -> dict[int, list[float | None]]:
    """The values of one indicator per year back from a payload (what the map's script does)."""
    from .topology import decode_vlq

    dec = payload["decimalen"][key]
    strings = payload["waarden"][key]
    out: dict[int, list[float | None]] = {}
    nxt: list[float | None] | None = None
    for year in reversed(payload["jaren"]):
        steps = decode_vlq(strings[str(year)])
        if nxt is None:
            base = int(strings["o"])
            ints = [None if s is None else s + base for s in steps]
        else:
            ints = [
                None if s is None else (s if n is None else s + n)
                for s, n in zip(steps, nxt, strict=True)
            ]
        out[year] = [None if i is None else i / 10**dec for i in ints]
        nxt = ints
    return out


def years_script(payload: dict) -> str:
    """The payload as a ``<script type="application/json">`` block (escaped once)."""
    return f'<script type="application/json" id="wijkgeo-jaren">{script_json(payload)}</script>'


def years_block(
    frame: pd.DataFrame, codes: Sequence[str], level: str = "buurt", *, newest: bool = False
) -> dict:
    """The map's ``jaren`` data: :func:`years_payload` plus what the change view needs.

    Per indicator the rule of a meaningful change (``afronding``, ``ruis``, and for a
    ``verhouding`` its ``schaal`` and the indicator holding its noemer, so the script applies
    :func:`wijkgeo.series.carry.meaningful` itself), the grey of "not meaningful" and the
    Dutch words (``wijkgeo/series/carry.json``).
    """
    from ..series.carry import rule, rules

    payload = years_payload(frame, codes, level, newest=newest)
    noemers = {"aantal_inwoners": "inwoners", "aantal_huishoudens": "huishoudens",
               "woningvoorraad": "woningen"}  # fmt: skip
    meaning = {}
    for key in payload["waarden"]:
        r = rule(key) or {}
        spec = dict(r.get("betekenisvol", {}))
        noemer = noemers.get(r.get("noemer", ""))
        if r.get("soort") == "verhouding" and noemer in payload["waarden"]:
            spec.update(schaal=float(r.get("schaal", 1)), noemer=noemer)
        meaning[key] = spec
    payload.update(
        betekenisvol=meaning,
        afronding_tellingen=rules().get("afronding_tellingen", 5),
        grijs=GREY,
        tekst={k: v for k, v in rules()["teksten"]["kaart"].items() if k != "kleuren"},
        kleuren={k: v for k, v in rules()["teksten"]["kaart"]["kleuren"].items() if k[0] != "_"},
        grenzen=frame.attrs.get("grenzen") or (max(payload["jaren"]) if payload["jaren"] else None),
    )
    return payload
