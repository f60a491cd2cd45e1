"""The Nederland row computed from all gemeenten in a file (``wijkgeo import``).

A downloaded Wijk- en Buurtkaart has no row for Nederland. :func:`nederland_from_gemeenten`
computes one from every gemeente in the file with each indicator's own denominator, as the
data in ``nederland.json`` and ``registry.json`` say: the numerator and denominator of a
ratio indicator are counts and are summed; a column an indicator reads directly is either a
count (summed) or an average over a base column (weighted by that base). It refuses when the
file holds fewer than 95 % of that year's gemeenten, and leaves a column empty (with the
reason) when fewer than half of the gemeenten have a value for it. How far this is from
CBS's own NL row is measured in ``docs/nederland.md``.

Examples
--------
>>> import pandas as pd
>>> rows = pd.DataFrame({"gemeentecode": ["GM0001", "GM0002"], "aantal_inwoners": [100, 300],
...                      "woningvoorraad": [50, 150], "gemiddelde_woningwaarde": [200, 400]})
>>> nl = nederland_from_gemeenten(rows, None)
>>> nl.frame[["aantal_inwoners", "gemiddelde_woningwaarde"]].iloc[0].tolist()
[400.0, 350.0]
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import TYPE_CHECKING, Any

import numpy as np

from .registry import registry

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = [
    "SOURCE_TEXT",
    "NederlandRow",
    "aggregation",
    "nederland_from_gemeenten",
    "nederland_note",
    "nederland_reason",
]

log = logging.getLogger(__name__)

#: What the sources of the map and the profile say about a computed Nederland row.
SOURCE_TEXT = "Nederland: berekend uit alle gemeenten in het bestand"


@lru_cache(maxsize=1)
def _config() -> dict[str, Any]:
    text = resources.files(__package__).joinpath("nederland.json").read_text(encoding="utf-8")
    return json.loads(text)


def aggregation() -> dict[str, str]:
    """Column -> ``"som"`` or the base column it is averaged over, for every indicator column.

    The numerators and denominators of ratio indicators (``registry.json``) are counts
    (``"som"``); the columns an indicator reads directly come from ``nederland.json``.

    Examples
    --------
    >>> agg = aggregation()
    >>> agg["aantal_personen_65_jaar_en_ouder"], agg["gemiddelde_woningwaarde"]
    ('som', 'woningvoorraad')
    """
    cfg = _config()["columns"]
    out: dict[str, str] = {}
    for ind in registry().values():
        for alt in ind.formula:
            if alt.get("op") == "ratio":
                nums = alt["numerator"]
                for col in [nums] if isinstance(nums, str) else list(nums):
                    out.setdefault(col, "som")
                out.setdefault(alt["denominator"], "som")
            elif alt.get("op") == "column":
                col = alt["column"]
                if col in cfg:
                    out[col] = cfg[col]
    for col, how in cfg.items():
        out.setdefault(col, how)
    return out


@dataclass
class NederlandRow:
    """A computed Nederland row, or the reason there is none.

    ``frame`` is a one-row DataFrame (or ``None`` when refused); ``missing`` maps a column
    to the reason it has no value; ``info`` goes into the Atlas metadata.
    """

    frame: pd.DataFrame | None
    reason: str | None = None
    missing: dict[str, str] = field(default_factory=dict)
    n_gemeenten: int = 0
    expected: int | None = None

    @property
    def info(self) -> dict[str, Any]:
        """The metadata the map, profile and koppelkansen read (``atlas.meta["nederland"]``)."""
        out: dict[str, Any] = {"bron": SOURCE_TEXT, "gemeenten": self.n_gemeenten}
        if self.expected is not None:
            out["gemeenten_in_jaar"] = self.expected
        if self.reason:
            out["reden"] = self.reason
        if self.missing:
            out["ontbreekt"] = dict(self.missing)
        return out


def _numeric(frame: pd.DataFrame, col: str) -> pd.Series:
    import pandas as pd

    values = pd.to_numeric(frame[col], errors="coerce").astype("float64")
    return values.where(values > -99990)


def nederland_from_gemeenten(gemeenten: pd.DataFrame, year: int | None) -> NederlandRow:
    """Compute the Nederland row from the land rows of every gemeente in a file.

    Parameters
    ----------
    gemeenten : DataFrame
        One row per gemeente (``water='JA'`` rows are dropped here), KWB snake_case columns;
        values <= -99990 count as missing.
    year : int or None
        The year of the file; it gives the number of gemeenten that year. ``None`` skips the
        completeness check (for tests and tiny examples).

    Returns
    -------
    NederlandRow
        ``frame`` is ``None`` (with ``reason``) when the file holds fewer than 95 % of the
        year's gemeenten.
    """
    import pandas as pd

    cfg = _config()
    rows = gemeenten
    if "water" in rows.columns:
        rows = rows[rows["water"].astype(str).str.upper() != "JA"]
    n = int(rows["gemeentecode"].nunique()) if "gemeentecode" in rows.columns else len(rows)
    expected = None
    if year is not None:
        expected = cfg["gemeenten_per_jaar"].get(str(int(year)))
        if expected is None:
            return NederlandRow(
                None,
                f"het aantal gemeenten in {year} is niet bekend in wijkgeo; Nederland is niet "
                "berekend",
                n_gemeenten=n,
            )
        if n < cfg["min_gemeenten_share"] * expected:
            return NederlandRow(
                None,
                f"het bestand bevat {n} van de {expected} gemeenten van {year} (minder dan "
                f"{cfg['min_gemeenten_share']:.0%}); Nederland is daarom niet berekend",
                n_gemeenten=n,
                expected=expected,
            )
    values: dict[str, float] = {}
    missing: dict[str, str] = {}
    need = cfg["min_values_share"] * n
    for col, how in aggregation().items():
        if col not in rows.columns:
            continue
        v = _numeric(rows, col)
        if how == "som":
            ok = v.notna()
            if ok.sum() < need or n == 0:
                missing[col] = f"maar {int(ok.sum())} van de {n} gemeenten hebben een cijfer"
                continue
            values[col] = float(v[ok].sum())
        else:
            if how not in rows.columns:
                missing[col] = f"de basiskolom {how} ontbreekt in het bestand"
                continue
            w = _numeric(rows, how)
            ok = v.notna() & w.notna() & (w > 0)
            if ok.sum() < need or n == 0 or float(w[ok].sum()) <= 0:
                missing[col] = f"maar {int(ok.sum())} van de {n} gemeenten hebben een cijfer"
                continue
            values[col] = float(np.average(v[ok], weights=w[ok]))
    frame = pd.DataFrame([{"code": "NL00", "naam": "Nederland", **values}])
    reasons = _indicator_reasons(frame, missing)
    if reasons:
        log.info("Nederland: %d indicatoren zonder waarde: %s", len(reasons), ", ".join(reasons))
    return NederlandRow(frame, None, reasons, n_gemeenten=n, expected=expected)


def _indicator_reasons(frame: pd.DataFrame, missing: dict[str, str]) -> dict[str, str]:
    """Per CBS indicator without a Nederland value: why, in a few words."""
    from .compute import compute

    values = compute(frame, level="nederland")
    out: dict[str, str] = {}
    for key, ind in registry().items():
        if ind.layers or not np.isnan(values[key].iloc[0]):
            continue  # local layers have no Nederland figure by nature
        cols = [c for c in ind.columns if c in missing]
        out[key] = missing[cols[0]] if cols else "niet in het bestand"
    return out


def nederland_note(atlas: Any) -> str | None:
    """One Dutch sentence on where the Nederland figures come from and why some are missing.

    The map's sources box and the profile's sources show it, so a missing Nederland figure
    is explained once instead of "geen gegevens" without a reason. ``None`` when there is
    nothing to say (CBS's own NL row and no local layers).

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> nederland_note(SimpleNamespace(meta={}, nederland=None, local={}))[:45]
    'Nederland: geen cijfers in de store; haal ze '
    """
    meta = dict(getattr(atlas, "meta", None) or {})
    info = meta.get("nederland") if isinstance(meta.get("nederland"), dict) else None
    local = bool(getattr(atlas, "local", None))
    if info and info.get("reden"):
        return f"Nederland: geen cijfers, want {info['reden']}."
    if getattr(atlas, "nederland", None) is None:
        return (
            "Nederland: geen cijfers in de store; haal ze op met `wijkgeo refresh` of "
            "importeer de Wijk- en Buurtkaart opnieuw met `wijkgeo import`."
        )
    parts = []
    if info:
        head = f"{info.get('bron', SOURCE_TEXT)} ({info.get('gemeenten')} gemeenten)"
        missing = info.get("ontbreekt") or {}
        if missing:
            reg = registry()
            labels = [reg[k].label.lower() if k in reg else k for k in missing]
            parts.append(f"niet voor {', '.join(labels)}: die staan niet (volledig) in het bestand")
    else:
        head = "Nederland: het CBS-cijfer voor heel Nederland"
    if local:
        parts.append("niet voor indicatoren uit de eigen lagen van de gemeente")
    if not info and not parts:
        return None
    return head + ("; " + "; ".join(parts) if parts else "") + "."


def nederland_reason(atlas: Any, key: str | None, *, specific: bool = False) -> str | None:
    """Why indicator ``key`` has no Nederland figure, in a few Dutch words (or ``None``).

    With ``specific=True`` only a reason that belongs to this indicator (its column is not in
    the file, too few gemeenten have it, it comes from an own layer); when Nederland is
    missing altogether the map and profile say so once, in their sources
    (:func:`nederland_note`), not in every cell.

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> meta = {"nederland": {"ontbreekt": {"wmo_clienten_per_1000": "niet in het bestand"}}}
    >>> nederland_reason(SimpleNamespace(meta=meta, nederland=1), "wmo_clienten_per_1000")
    'niet in het bestand'
    """
    meta = dict(getattr(atlas, "meta", None) or {})
    info = meta.get("nederland") if isinstance(meta.get("nederland"), dict) else {}
    whole = info.get("reden") or getattr(atlas, "nederland", None) is None
    if whole and specific:
        return None
    if info.get("reden"):
        return str(info["reden"])
    if getattr(atlas, "nederland", None) is None:
        return "de store heeft geen Nederland-cijfers (wijkgeo refresh of wijkgeo import)"
    if key and key in (info.get("ontbreekt") or {}):
        return str(info["ontbreekt"][key])
    if key and key in registry() and registry()[key].layers:
        return "eigen laag van de gemeente"
    return None
