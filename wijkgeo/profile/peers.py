"""The profile section "Buurten zoals deze": a buurt among its structurally similar buurten.

Uses the national reference in the store (:meth:`wijkgeo.store.Store.read_reference`) and the
similarity profile (:mod:`wijkgeo.indicators.similar`): the peers by name and gemeente, for
each attention point where the buurt stands among them ("hoger dan 8 van de 10 vergelijkbare
buurten") and which peers do clearly better, and a sentence saying which comparison is used.
When the store has no reference for the Atlas's year, the latest earlier year is used and the
page says so; a buurt whose code has another name in that year is not compared. The same
:class:`PeerContext` feeds the map's "verschil met vergelijkbare buurten" view.

Examples
--------
>>> import wijkgeo
>>> from wijkgeo.demo.demodam import national_reference
>>> atlas = wijkgeo.make_demo()
>>> ctx = peer_context(atlas, national_reference(atlas, n_gemeenten=10))
>>> ctx.year, len(ctx.frame) == len(atlas.buurten)
(2024, True)
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from .. import text
from .._errors import DataValidationError, NotInStoreError, StoreError
from ..indicators import format_value, get_indicator
from ..indicators.similar import (
    PeerResult,
    find_peers,
    load_profile,
    reference_buurten,
    reference_source,
    similar_buurten,
)
from .words import _t, teksten

if TYPE_CHECKING:  # pragma: no cover
    from ..atlas import Atlas

__all__ = ["PeerContext", "load_peer_context", "peer_context", "peer_section"]

log = logging.getLogger(__name__)

#: At most this many peers named per indicator, and extra attention points per page.
MAX_NAMES = 4
MAX_EXTRA = 3
#: At most this many attention points in the section (the worst against the peers first);
#: every point above carries its own peer line anyway.
MAX_POINTS = 6


@dataclass
class PeerContext:
    """Everything the profile and the map need about the peers of one Atlas's buurten.

    Attributes
    ----------
    year : int
        Year of the national reference used.
    atlas_year : int
        Year of the Atlas.
    frame : DataFrame
        :func:`wijkgeo.indicators.similar.similar_buurten` output, indexed by the Atlas's
        buurtcodes (``vergelijking`` says why a buurt is not compared).
    result : PeerResult or None
        The peer search (names, values of every buurt of the reference).
    explanation : str
        Dutch: what the comparison uses (features, left-out features, source).
    missing : str or None
        Dutch reason when there is no comparison at all (no reference in the store).
    level : str
        ``"buurt"`` (the Atlas's buurten among the buurten of the country) or ``"wijk"``.
    wijk : PeerContext or None
        On a buurt context: the same for the Atlas's wijken among the wijken of the country
        (the wijk pages' "Wijken zoals deze", the map's wijk mode).
    """

    year: int
    atlas_year: int
    frame: pd.DataFrame
    result: PeerResult | None
    explanation: str
    missing: str | None = None
    level: str = "buurt"
    wijk: PeerContext | None = None

    def for_level(self, level: str) -> PeerContext | None:
        """The context of ``level``: this one for its own level, :attr:`wijk` for wijken."""
        return self if level == self.level else (self.wijk if level == "wijk" else None)

    def words(self) -> dict[str, str]:
        """The level in the page's sentences: ``niveau``, ``niveaus``, ``Niveau``, ``Niveaus``."""
        one, many = text.level(self.level), text.level(self.level, plural=True)
        return {
            "niveau": one,
            "niveaus": many,
            "Niveau": one.capitalize(),
            "Niveaus": many.capitalize(),
        }

    def medians(self, keys: list[str]) -> pd.DataFrame:
        """Per buurt (index of :attr:`frame`) the peers' median of each indicator."""
        cols = {k: self.frame.get(f"{k}_mediaan_vergelijkbaar") for k in keys}
        return pd.DataFrame(
            {k: (v if v is not None else np.nan) for k, v in cols.items()}, index=self.frame.index
        )


def _norm(name: Any) -> str:
    return " ".join(str(name).lower().replace("-", " ").split())


def peer_context(
    atlas: Atlas,
    reference: pd.DataFrame | None,
    *,
    reference_year: int | None = None,
    profile: Any = None,
    level: str = "buurt",
) -> PeerContext:
    """The peers of every buurt of ``atlas`` in a national reference (and, in
    :attr:`PeerContext.wijk`, of every wijk among the wijken of the country).

    Parameters
    ----------
    atlas : Atlas
        The gemeente.
    reference : DataFrame or None
        The national reference (``Store.read_reference``); None gives a context that only
        says how to fetch one.
    reference_year : int, optional
        Year of ``reference``; default ``atlas.year``.
    profile : Profile, optional
        Default :func:`wijkgeo.indicators.similar.load_profile`.
    level : {"buurt", "wijk"}
        ``"wijk"``: only the wijken (no :attr:`PeerContext.wijk`).
    """
    year = int(reference_year or atlas.year)
    areas = atlas.buurten if level == "buurt" else atlas.wijken
    codes = areas[f"{level}code"].astype(str)
    words = {"niveau": text.level(level), "niveaus": text.level(level, plural=True)}
    if reference is None:
        missing = _t("vergelijkbaar.geen_referentie", jaar=atlas.year, **words)
        frame = pd.DataFrame({"vergelijking": missing}, index=codes.to_numpy())
        return PeerContext(year, int(atlas.year), frame, None, "", missing, level)
    prof = profile or load_profile()
    values = reference_buurten(reference, prof, level)
    result = find_peers(values, prof)
    frame = similar_buurten(values, pd.Index(codes.to_numpy(), name=f"{level}code"), profile=prof)
    if year != int(atlas.year):
        # another year: a code may mean another area; compare only where the name agrees
        names = dict(zip(codes, areas[f"{level}naam"].astype(str), strict=True))
        for code in frame.index:
            if code in values.index and _norm(values.at[code, "naam"]) != _norm(names[code]):
                frame.loc[code, [c for c in frame.columns if c != "vergelijking"]] = np.nan
                frame.loc[code, "vergelijking"] = _t(
                    "vergelijkbaar.andere_naam",
                    ref_jaar=year,
                    code=code,
                    ref_naam=values.at[code, "naam"],
                    naam=names[code],
                )
    explanation = result.explain(year) + reference_source(reference, year)
    ctx = PeerContext(year, int(atlas.year), frame, result, explanation, level=level)
    if level == "buurt" and _has_wijken(atlas, reference):
        try:
            ctx.wijk = peer_context(
                atlas, reference, reference_year=year, profile=prof, level="wijk"
            )
        except DataValidationError as exc:  # no wijk features: the buurten still compare
            log.warning("wijken niet vergeleken met vergelijkbare wijken: %s", exc)
    return ctx


def _has_wijken(atlas: Atlas, reference: pd.DataFrame) -> bool:
    wijken = atlas.wijken
    return (
        wijken is not None
        and len(wijken)
        and "wijkcode" in wijken.columns
        and "wijknaam" in wijken.columns
        and "level" in reference.columns
        and bool((reference["level"].astype(str) == "wijk").any())
    )


def load_peer_context(atlas: Atlas, store: Any = None) -> PeerContext:
    """:func:`peer_context` with the store's reference of the Atlas's year, or else the latest
    earlier year (the page says so); a context without peers when there is none."""
    from ..store import Store

    target = store if isinstance(store, Store) else Store(store)
    years = [y for y in target.reference_years() if y <= int(atlas.year)]
    for year in sorted(years, reverse=True):
        try:
            reference = target.read_reference(year)
        except (NotInStoreError, StoreError) as exc:
            log.warning("landelijke referentie %s niet leesbaar: %s", year, exc)
            continue
        return peer_context(atlas, reference, reference_year=year)
    ctx = peer_context(atlas, None)
    log.info("%s", ctx.missing)  # the pages and the map then have no peer section or view
    return ctx


def _names(ctx: PeerContext, codes: list[str]) -> list[str]:
    """'Naam (gemeente)' of the first :data:`MAX_NAMES` codes, then 'en N andere'."""
    values = ctx.result.values if ctx.result is not None else pd.DataFrame()
    out = []
    for c in codes[:MAX_NAMES]:
        if c in values.index:
            out.append(f"{values.at[c, 'naam']} ({values.at[c, 'gemeentenaam']})")
        else:
            out.append(c)
    if len(codes) > MAX_NAMES:  # "A, B, C, D en 5 andere": no comma before "en"
        out[-1] += " " + _t("vergelijkbaar.andere", n=len(codes) - MAX_NAMES)
    return out


def _peer_point(ctx: PeerContext, code: str, key: str) -> str | None:
    """The attention-point rule against the peers (:func:`wijkgeo.profile.points.judge_peers`)
    for one figure of the reference year."""
    from . import points

    row = ctx.frame.loc[code]
    ind = get_indicator(key)
    own = ctx.result.values[key].get(code, np.nan) if ctx.result is not None else np.nan
    return points.judge_peers(
        own,
        row.get(f"{key}_mediaan_vergelijkbaar"),
        row.get(f"{key}_rang_vergelijkbaar"),
        row.get(f"{key}_van_vergelijkbaar"),
        ind.unit,
        ind.sign,
    )


def _line(
    ctx: PeerContext, code: str, key: str, *, favourable: bool = False
) -> dict[str, Any] | None:
    row = ctx.frame.loc[code]
    rank = row.get(f"{key}_rang_vergelijkbaar")
    if rank is None or not np.isfinite(rank):
        return None
    n = int(row[f"{key}_van_vergelijkbaar"]) - 1
    better = int(row[f"{key}_aantal_beter"])
    ind = get_indicator(key)
    # "hoger dan 8 van de 10": how many peers the buurt is worse (or, for a strength,
    # better) than, said in values
    worse_word = "hoger" if ind.sign < 0 else "lager"
    if favourable:
        word = "lager" if worse_word == "hoger" else "hoger"
        count = int(row[f"{key}_aantal_slechter"])
    else:
        word, count = worse_word, better
    form = "regel_alle" if count == n > 1 else "regel_tekst"  # "hoger dan alle 10 ..."
    tekst = _t(f"vergelijkbaar.{form}", woord=word, n=count, van=n, **ctx.words())
    if ctx.year != ctx.atlas_year:  # the buurt's own value of the reference year, said so
        own = ctx.result.values.at[code, key] if ctx.result is not None else np.nan
        tekst = _t(
            "vergelijkbaar.in_jaar", jaar=ctx.year, waarde=format_value(key, own), tekst=tekst
        )
    clear = row.get(f"{key}_duidelijk_beter") or ""
    return {
        "key": key,
        "label": ind.label,
        "tekst": tekst,
        "worse_share": better / n if n else 0.0,
        "mediaan": format_value(key, row[f"{key}_mediaan_vergelijkbaar"]),
        "beter": _names(ctx, [c for c in str(clear).split(";") if c]),
    }


def peer_section(
    ctx: PeerContext | None,
    code: str,
    name: str,
    aandacht: list[dict[str, Any]],
    kracht: list[dict[str, Any]],
) -> dict[str, Any] | None:
    """The content of "Buurten zoals deze" for one buurt (plain data for the template).

    Also adds ``peers`` (e.g. "hoger dan 8 van de 10 vergelijkbare buurten (mediaan 5%)") to
    each strength and attention point, so they are judged against peers as well as the
    gemeente. Returns None without a context (the section is then left out).
    """
    if ctx is None or ctx.missing:  # no reference at all: no empty section (logged once)
        return None
    words = ctx.words()
    title = _t("vergelijkbaar.titel", **words)
    reason = ctx.frame.at[code, "vergelijking"] if code in ctx.frame.index else None
    if isinstance(reason, str) and reason:
        return {
            "title": title,
            "missing": _t("vergelijkbaar.niet_vergeleken", naam=name, reden=reason, **words),
            "explain": ctx.explanation,
        }
    row = ctx.frame.loc[code]
    peer_cols = [c for c in ctx.frame.columns if c.startswith("vergelijkbaar_")]
    peer_codes = [str(row[c]) for c in peer_cols if isinstance(row[c], str)]
    values = ctx.result.values
    peers = [
        {
            "code": c,
            "naam": str(values.at[c, "naam"]),
            "gemeente": str(values.at[c, "gemeentenaam"]),
            "afstand": f"{row[f'afstand_{i + 1}']:.2f}".replace(".", ","),
        }
        for i, c in enumerate(peer_codes)
    ]
    for entry, favourable in [*((e, False) for e in aandacht), *((e, True) for e in kracht)]:
        line = _line(ctx, code, entry["key"], favourable=favourable)
        if line:
            entry["peers"] = _t(
                "vergelijkbaar.peer_regel", tekst=line["tekst"], mediaan=line["mediaan"]
            )
            entry["peers_kop"] = _t("vergelijkbaar.peer_kop", **words)
    shown = {e["key"] for e in aandacht}
    points = [p for p in (_line(ctx, code, e["key"]) for e in aandacht) if p]
    points = sorted(points, key=lambda e: -e["worse_share"])[:MAX_POINTS]
    extra = []  # attention points against the peers only (a strength against the gemeente)
    for key in ctx.result.profile.outcomes:
        if key in shown or f"{key}_rang_vergelijkbaar" not in ctx.frame.columns:
            continue
        line = _line(ctx, code, key)
        if line and _peer_point(ctx, code, key) == "aandacht":
            extra.append(line)
    extra = sorted(extra, key=lambda e: -e["worse_share"])[:MAX_EXTRA]
    note = None
    if ctx.year != ctx.atlas_year:
        note = _t("vergelijkbaar.jaar_anders", jaar=ctx.atlas_year, ref_jaar=ctx.year, naam=name)
    return {
        "title": title,
        "missing": None,
        "intro": _t("vergelijkbaar.intro", k=len(peers), naam=name, **words),
        "explain": ctx.explanation,
        "note": note,
        "welke": _t("vergelijkbaar.welke", naam=name, **words),
        "kop_buurten": _t("vergelijkbaar.kop_buurten", **words),
        "kop_punten": _t("vergelijkbaar.kop_punten", naam=name, **words),
        "kolommen": [c.format(**words) for c in _t_list("vergelijkbaar.kolommen")],
        "afstand_uitleg": _t("vergelijkbaar.afstand_uitleg"),
        "peers": peers,
        "points": points,
        "extra": extra,
        "ook_aandacht": _t("vergelijkbaar.ook_aandacht", **words),
        "beter": _t("vergelijkbaar.beter"),
        "geen_beter": _t("vergelijkbaar.geen_beter", **words),
    }


def _t_list(path: str) -> list[str]:
    node: Any = teksten()
    for part in path.split("."):
        node = node[part]
    return list(node)
