"""What a profile page says: numbers, sentences and lists per buurt and wijk, as plain data.

Everything here is computed once per Atlas (:class:`ProfileData`) and then read per area
(:meth:`ProfileData.page`). The result is a dict of plain strings, numbers and lists; it
holds no HTML except the small SVG graphics, which are built through
:func:`wijkgeo.maps.escape.html`. Turning the dict into a page is :mod:`.render`'s job.

Numbers come from the indicator registry (:func:`wijkgeo.indicators.comparison_table`,
:func:`~wijkgeo.indicators.compute` with reasons, :func:`~wijkgeo.indicators.format_value`),
koppelkansen from :func:`wijkgeo.koppelkansen.evaluate`, the year comparison from
:func:`wijkgeo.changes.unchanged_codes` and :func:`~wijkgeo.indicators.change_since`.
Sentences are templates in ``teksten.json``; shared words come from :mod:`wijkgeo.text`.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import math
import re
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from .. import text
from .._errors import WijkgeoError
from .._version import __version__
from ..conventions import CODE_COLUMN, NAME_COLUMN
from ..indicators import (
    change_since,
    comparison_table,
    compute,
    format_number,
    format_value,
    get_indicator,
    list_indicators,
    registry_meta,
    themes,
)
from .graphics import area_map, position_dot

if TYPE_CHECKING:  # pragma: no cover
    from ..atlas import Atlas

__all__ = ["ProfileData", "teksten"]

log = logging.getLogger(__name__)

#: The themes a profile shows, in this order (others follow when they have data).
THEMES = ("bevolking", "wonen", "inkomen", "energie", "voorzieningen", "sociaal")


@cache
def _teksten() -> dict[str, Any]:
    raw = resources.files(__package__).joinpath("teksten.json").read_text("utf-8")
    return json.loads(raw)


def teksten() -> dict[str, Any]:
    """A copy of the profile's sentences and settings (``teksten.json``).

    Examples
    --------
    >>> from wijkgeo.profile.content import teksten
    >>> teksten()["instellingen"]["nabij_m"]
    250
    """
    return json.loads(json.dumps(_teksten()))


def _t(path: str, **values: Any) -> str:
    """The sentence at ``a.b.c`` in teksten.json with its placeholders filled."""
    node: Any = _teksten()
    for part in path.split("."):
        node = node[part]
    return str(node).format(**values) if values else str(node)


def _missing(value: Any) -> bool:
    try:
        return value is None or math.isnan(float(value))
    except (TypeError, ValueError):
        return False


def _count(value: Any) -> str:
    return text.MISSING if _missing(value) else format_number(float(value), 0)


def additive(ind: Any) -> bool:
    """Whether an indicator is a count that adds up over areas (inwoners, woningen, points in
    the area): its gemeente value is a total, so a buurt is never compared with it.

    Examples
    --------
    >>> from wijkgeo.indicators import get_indicator
    >>> additive(get_indicator("woningen")), additive(get_indicator("aandeel_65_plus"))
    (True, False)
    """
    for alt in ind.formula:
        if alt.get("op") == "points_in_area" and not alt.get("per"):
            continue
        if alt.get("op") == "column" and (
            str(alt.get("column", "")).startswith("aantal_")
            or alt.get("column") == "woningvoorraad"
        ):
            continue
        return False
    return True


def first_sentence(caveat: str) -> str:
    """The first sentence of a caveat (the lists on page one stay short; tables keep all).

    Examples
    --------
    >>> first_sentence("Voorlopige cijfers. Meer uitleg.")
    'Voorlopige cijfers.'
    """
    parts = re.split(r"(?<=[.!?])\s+(?=[A-Z])", caveat.strip(), maxsplit=1)
    return parts[0] if parts else ""


def _by_category(items: list[dict]) -> list[dict]:
    """Voorzieningen as one line per category: "basisschool (3)" with the names."""
    groups: dict[str, list[dict]] = {}
    for item in items:
        groups.setdefault(item["detail"] or "", []).append(item)
    out = []
    for cat, members in sorted(groups.items(), key=lambda kv: (-len(kv[1]), kv[0])):
        counted: dict[str, int] = {}
        for m in members:
            label = m["name"] + ("" if m["inside"] else " *")
            counted[label] = counted.get(label, 0) + 1
        names = [f"{k} ({n}×)" if n > 1 else k for k, n in counted.items()]
        out.append(
            {
                "name": f"{cat} ({len(members)})" if cat else str(len(members)),
                "detail": ", ".join(names),
                "where": "",
                "inside": True,
            }
        )
    return out


def _needs_only(match: Any) -> str:
    """The koppelkans explanation without its "wat er al is" tail: the profile lists what is
    already there in its own section right below, so the page does not say it twice."""
    from ..koppelkansen import explain

    conds = match.get("condities")
    if not isinstance(conds, list | tuple):
        return str(match["uitleg"])
    held = [c.get("tekst") for c in conds if c.get("voldaan") and c.get("tekst")]
    if not held:
        return str(match["uitleg"])
    dropped = match.get("niet_meegeteld")
    dropped = list(dropped) if isinstance(dropped, list | tuple) else []
    return explain.explanation(str(match["naam"]), held, "", dropped=dropped).strip()


def _bare(ind: Any, formatted: str) -> str:
    """A formatted value without its unit (the table names the unit once, beside the label)."""
    suffix = f" {ind.unit}"
    return formatted[: -len(suffix)] if formatted.endswith(suffix) else formatted


def _date(value: Any) -> str:
    try:
        return pd.Timestamp(value).strftime("%d-%m-%Y")
    except (ValueError, TypeError):
        return str(value)


class ProfileData:
    """Everything the profiles of one Atlas need, computed once.

    Parameters
    ----------
    atlas : Atlas
        The gemeente and year.
    previous : Atlas or None
        The same gemeente one year earlier, for "veranderd sinds"; None: the section says
        there is no earlier year.
    koppelkansen : KoppelkansResult, None or False
        Output of :func:`wijkgeo.koppelkansen.evaluate`; None: evaluated here; False: not
        evaluated (the section then lists none).

    Examples
    --------
    >>> import wijkgeo
    >>> from wijkgeo.profile.content import ProfileData
    >>> data = ProfileData(wijkgeo.make_demo())            # doctest: +SKIP
    >>> data.page("BU99990200")["summary"][0]              # doctest: +SKIP
    'In Duinrand ... wonen 2.340 mensen in ... huishoudens.'
    """

    def __init__(self, atlas: Atlas, previous: Atlas | None = None, koppelkansen: Any = None):
        self.atlas = atlas
        self.previous = previous
        self.settings = _teksten()["instellingen"]
        self.gemeente = atlas.name
        self.keys = [i.key for i in list_indicators()]
        self.tables: dict[str, pd.DataFrame] = {}
        self.reasons: dict[str, pd.DataFrame] = {}
        self.frames = {"buurt": atlas.buurten, "wijk": atlas.wijken}
        for level, frame in self.frames.items():
            tab = comparison_table(atlas, self.keys, level=level)
            tab.index = frame[CODE_COLUMN[level]].astype(str).to_numpy()
            self.tables[level] = tab
            res = compute(frame, self.keys, level=level, local=atlas.local, with_reasons=True)
            reasons = res.reasons
            reasons.index = tab.index
            self.reasons[level] = reasons
        self.names = {
            level: dict(
                zip(
                    frame[CODE_COLUMN[level]].astype(str),
                    frame[NAME_COLUMN[level]].astype(str),
                    strict=True,
                )
            )
            for level, frame in self.frames.items()
        }
        self.wijk_of = dict(
            zip(
                atlas.buurten["buurtcode"].astype(str),
                atlas.buurten["wijkcode"].astype(str),
                strict=True,
            )
        )
        self.peildatum = self._peildatum()
        self.kk = self._koppelkansen(koppelkansen)
        self.cells = self._cells()
        self.changes = self._changes()

    # ------------------------------------------------------------------ set-up
    def _peildatum(self) -> dt.date:
        stamp = self.atlas.meta.get("peildatum")
        if stamp:
            try:
                return pd.Timestamp(stamp).date()
            except (ValueError, TypeError):
                log.warning("peildatum %r in de metadata is geen datum; vandaag gebruikt", stamp)
        return dt.date.today()

    def _koppelkansen(self, given: Any) -> Any:
        if given is False:  # asked not to evaluate: the section says none were found
            return None
        if given is not None:
            return given
        from ..koppelkansen import evaluate

        try:
            return evaluate(self.atlas, near_misses=False)
        except WijkgeoError as exc:
            log.warning("koppelkansen niet beoordeeld: %s", exc)
            return None

    def _cells(self) -> pd.DataFrame:
        """500 m cells per buurt: celcode, share of the cell in the buurt, share of the buurt."""
        import geopandas as gpd
        import shapely

        grid = (self.atlas.vierkanten or {}).get("500m")
        empty = pd.DataFrame(columns=["buurtcode", "celcode", "cel_in_buurt", "buurt_in_cel"])
        if grid is None or not len(grid) or "celcode" not in grid.columns:
            return empty
        buurten = self.atlas.buurten[["buurtcode", "geometry"]]
        grid = grid.to_crs(buurten.crs)
        pairs = gpd.sjoin(grid[["celcode", "geometry"]], buurten, predicate="intersects")
        if not len(pairs):
            return empty
        cell_geom = grid.geometry.loc[pairs.index].to_numpy()
        buurt_geom = buurten.geometry.iloc[pairs["index_right"].to_numpy()].to_numpy()
        inter = shapely.area(shapely.intersection(cell_geom, buurt_geom))
        out = pd.DataFrame(
            {
                "buurtcode": pairs["buurtcode"].astype(str).to_numpy(),
                "celcode": pairs["celcode"].astype(str).to_numpy(),
                "cel_in_buurt": inter / shapely.area(cell_geom),
                "buurt_in_cel": inter / shapely.area(buurt_geom),
            }
        )
        keep = (out["cel_in_buurt"] >= self.settings["min_celaandeel"]) | (
            out["buurt_in_cel"] >= self.settings["min_celaandeel"]
        )
        return out[keep].reset_index(drop=True)

    def _changes(self) -> dict[str, Any]:
        prev = self.previous
        if prev is None:
            return {}
        from ..changes import unchanged_codes

        keys = list(_teksten()["verandering_indicatoren"])
        out = {}
        for level, frame in self.frames.items():
            id_col = CODE_COLUMN[level]
            old = prev.buurten if level == "buurt" else prev.wijken
            same = unchanged_codes(old, frame, level)
            ch = change_since(frame, old, keys, unchanged=same, id_col=id_col, level=level)
            ch.index = frame[id_col].astype(str).to_numpy()
            out[level] = ch
        return out

    # ------------------------------------------------------------------ pages
    def codes(self) -> dict[str, list[str]]:
        """All codes per level, wijken first, in the Atlas's order."""
        return {"wijk": list(self.names["wijk"]), "buurt": list(self.names["buurt"])}

    def level_of(self, code: str) -> str:
        """``"buurt"`` or ``"wijk"`` for a known code; KeyError otherwise."""
        for level in ("buurt", "wijk"):
            if code in self.names[level]:
                return level
        raise KeyError(code)

    def too_small(self, level: str, code: str) -> str | None:
        """The reason (``"te weinig inwoners"``) when the area is below every minimum."""
        mins = [i.min_population for i in list_indicators() if i.min_population > 0]
        threshold = min(mins) if mins else 0
        frame = self.frames[level]
        row = frame[frame[CODE_COLUMN[level]].astype(str) == code]
        pop = pd.to_numeric(row.get("aantal_inwoners"), errors="coerce")
        value = float(pop.iloc[0]) if pop is not None and len(pop) else float("nan")
        if threshold and not value >= threshold:
            return text.reason("population", "aantal_inwoners")
        return None

    def page(self, code: str) -> dict[str, Any]:
        """The content of one page (buurt or wijk), as plain data for the template."""
        level = self.level_of(code)
        name = self.names[level][code]
        small = self.too_small(level, code)
        tab = self.tables[level]
        row = tab.loc[code]
        reasons = self.reasons[level].loc[code]
        kracht, aandacht = ([], []) if small else self._points(level, row)
        kansen = self._kansen(level, code)
        if small:  # the reasons quote numbers of the wijk or cell: point there instead
            wijk_name = self.names["wijk"].get(self.wijk_of.get(code, ""), "")
            for item in kansen["items"]:
                item["explanation"] = _t("koppelkansen.klein", reden=small, wijk=wijk_name)
        present = self._present(level, code)
        niveau = text.level(level)
        if level == "buurt":
            wijk = self.names["wijk"].get(self.wijk_of[code], self.wijk_of[code])
            subtitle = _t(
                "titel.ondertitel_buurt",
                code=code,
                wijk=wijk,
                gemeente=self.gemeente,
                jaar=self.atlas.year,
            )
        else:
            wijk = name
            n = sum(1 for w in self.wijk_of.values() if w == code)
            subtitle = _t(
                "titel.ondertitel_wijk",
                code=code,
                n=n,
                gemeente=self.gemeente,
                jaar=self.atlas.year,
            )
        page: dict[str, Any] = {
            "level": level,
            "niveau": niveau,
            "code": code,
            "name": name,
            "title": _t(f"titel.{level}", naam=name),
            "subtitle": subtitle,
            "gemeente": self.gemeente,
            "year": self.atlas.year,
            "small": small,
            "summary": self._summary(
                level, code, name, row, small, kracht, aandacht, kansen, present
            ),
            "kracht": kracht,
            "aandacht": aandacht,
            "themes": [] if small else self._themes(level, code, row, reasons),
            "spread": None if small else self._spread(level, code, name),
            "kansen": kansen,
            "present": present,
            "change": None if small else self._change(level, code, name),
            "map": area_map(self.atlas, level, code),
            "map_caption": _t(f"kaart.{level}", naam=name, wijk=wijk),
            "questions": self._questions(level, kracht, aandacht, small),
            "sources": self._sources(),
            "indicator_sources": self._indicator_sources(),
        }
        return page

    # ------------------------------------------------------------------ sections
    def _fmt(self, key: str, value: Any) -> str:
        return format_value(key, value)

    def _nl(self, key: str, value: Any) -> str:
        """The Nederland value, or "geen gegevens" with the reason (once, in a few words)."""
        if not _missing(value):
            return self._fmt(key, value)
        from ..indicators.nederland import nederland_reason

        why = nederland_reason(self.atlas, key, specific=True)
        return f"{text.MISSING} ({why})" if why else text.MISSING

    def _points(self, level: str, row: pd.Series) -> tuple[list[dict], list[dict]]:
        """Strengths and attention points: directional indicators clearly off the gemeente."""
        thr = float(self.settings["relatief_verschil"])
        found: list[tuple[float, str, dict]] = []
        for ind in list_indicators():
            if ind.sign == 0 or additive(ind):
                continue
            value, gem = row.get(ind.key), row.get(f"{ind.key}_gemeente")
            if _missing(value) or _missing(gem) or float(gem) == 0:
                continue
            rel = (float(value) - float(gem)) / abs(float(gem)) * ind.sign
            if abs(rel) < thr:
                continue
            rank, of = row.get(f"{ind.key}_rang"), row.get(f"{ind.key}_rang_van")
            entry = {
                "key": ind.key,
                "label": ind.label,
                "value": self._fmt(ind.key, value),
                "gemeente": self._fmt(ind.key, gem),
                "nederland": self._nl(ind.key, row.get(f"{ind.key}_nederland")),
                "direction": text.direction(ind.direction),
                "rank": ""
                if _missing(rank)
                else _t(
                    "punten.rang",
                    rang=int(rank),
                    van=int(of),
                    niveaus=text.level(level, plural=True),
                ),
                "caveat": first_sentence(ind.caveats),
                "relative": rel,
            }
            found.append((rel, "kracht" if rel > 0 else "aandacht", entry))
        n = int(self.settings["max_punten"])
        kracht = [e for r, side, e in sorted(found, key=lambda f: -f[0]) if side == "kracht"][:n]
        aandacht = [e for r, side, e in sorted(found, key=lambda f: f[0]) if side == "aandacht"][:n]
        return kracht, aandacht

    def _summary(
        self, level, code, name, row, small, kracht, aandacht, kansen, present
    ) -> list[str]:
        out: list[str] = []
        if small:
            out.append(_t("samenvatting.te_klein", naam=name, reden=small))
        else:
            frame = self.frames[level]
            raw = frame[frame[CODE_COLUMN[level]].astype(str) == code].iloc[0]
            hh = raw.get("aantal_huishoudens")
            if _missing(hh):
                out.append(
                    _t(
                        "samenvatting.inwoners_zonder_huishoudens",
                        naam=name,
                        inwoners=_count(raw.get("aantal_inwoners")),
                    )
                )
            else:
                out.append(
                    _t(
                        "samenvatting.inwoners",
                        naam=name,
                        inwoners=_count(raw.get("aantal_inwoners")),
                        huishoudens=_count(hh),
                    )
                )
            thr = float(self.settings["relatief_verschil"])
            parts = []
            for item in _teksten()["samenvatting"]["onderwerpen"]:
                key = item["indicator"]
                value, gem = row.get(key), row.get(f"{key}_gemeente")
                if _missing(value) or _missing(gem) or float(gem) == 0:
                    continue
                rel = (float(value) - float(gem)) / abs(float(gem))
                if rel >= thr:
                    word = _t("samenvatting.meer", wat=item["wat"])
                elif rel <= -thr:
                    word = _t("samenvatting.minder", wat=item["wat"])
                else:
                    continue
                parts.append(
                    _t(
                        "samenvatting.vergelijk_waarde",
                        woord=word,
                        waarde=self._fmt(key, value),
                        gemeente=self._fmt(key, gem),
                    )
                )
            if parts:
                out.append(
                    _t("samenvatting.vergelijk_intro", gemeente=self.gemeente)
                    + _t("samenvatting.vergelijk_scheiding").join(parts)
                    + _t("samenvatting.vergelijk_slot")
                )
            if kracht or aandacht:
                words = _teksten()["samenvatting"]["woorden"]
                out.append(
                    _t(
                        "samenvatting.punten",
                        kracht=f"{len(kracht)} {words['punt'][len(kracht) != 1]}",
                        aandacht=f"{len(aandacht)} {words['punt'][len(aandacht) != 1]}",
                        vraagt=words["vraagt"][len(aandacht) != 1],
                        naam=name,
                        gemeente=self.gemeente,
                    )
                )
            else:
                out.append(_t("samenvatting.geen_punten", naam=name, gemeente=self.gemeente))
        if kansen["items"]:
            titles = [k["title"].lower() for k in kansen["items"]][:3]
            if kansen["n"] > len(titles):
                titles.append(_t("samenvatting.en_meer", n=kansen["n"] - len(titles)))
            key = "samenvatting.kansen" if kansen["n"] != 1 else "samenvatting.kansen_een"
            out.append(_t(key, n=kansen["n"], titels=", ".join(titles)))
        known = {k: v for k, v in present.items() if v["items"] is not None}
        if len(known) == len(present):
            counts = {k: v.get("count", len(v["items"])) for k, v in known.items()}
            out.append(
                _t(
                    "samenvatting.aanwezig",
                    naam=name,
                    n_init=counts["initiatieven"],
                    n_voorz=counts["voorzieningen"],
                    n_proj=counts["projecten"],
                )
            )
        else:  # a layer the gemeente did not provide is not "0"
            parts = [
                f"{v.get('count', len(v['items']))} {v['label'].lower()}" for v in known.values()
            ]
            missing = [v["label"].lower() for k, v in present.items() if k not in known]
            key = "samenvatting.aanwezig_deels" if parts else "samenvatting.aanwezig_geen"
            out.append(_t(key, naam=name, bekend=", ".join(parts), ontbreekt=", ".join(missing)))
        return out

    def _themes(self, level: str, code: str, row: pd.Series, reasons: pd.Series) -> list[dict]:
        names = themes()
        order = [t for t in THEMES if t in names] + [t for t in names if t not in THEMES]
        tab = self.tables[level]
        out = []
        for theme in order:
            rows = []
            absent: list[str] = []
            sources: dict[str, None] = {}
            for ind in list_indicators(theme):
                value = row.get(ind.key)
                all_values = tab[ind.key].to_numpy(dtype="float64")
                gem = row.get(f"{ind.key}_gemeente")
                if reasons.get(ind.key) == text.reason("unavailable") and _missing(gem):
                    absent.append(ind.label)  # not in these data at all: said once below
                    continue
                sources[f"{ind.source} ({ind.year})"] = None
                rows.append(
                    {
                        "key": ind.key,
                        "label": ind.label,
                        "unit": "" if ind.unit in ("%", "jaar") else ind.unit,
                        "value": _bare(ind, self._fmt(ind.key, value))
                        if not _missing(value)
                        else (reasons.get(ind.key) or text.MISSING),
                        "missing": _missing(value),
                        "gemeente": _bare(ind, self._fmt(ind.key, gem)),
                        "nederland": _bare(
                            ind, self._fmt(ind.key, row.get(f"{ind.key}_nederland"))
                        ),
                        "direction": text.direction(ind.direction),
                        "dot": position_dot(
                            all_values, value, None if additive(ind) else gem, ind.sign
                        ),
                    }
                )
            unavailable = registry_meta().get("not_available", {}).get(theme)
            if not rows and not unavailable:
                if theme in THEMES:
                    out.append(
                        {
                            "key": theme,
                            "label": names[theme],
                            "rows": [],
                            "note": _t("tabel.niet_beschikbaar_thema"),
                            "sources": [],
                        }
                    )
                continue
            out.append(
                {
                    "key": theme,
                    "label": names[theme],
                    "rows": rows,
                    "note": unavailable
                    if not rows
                    else (
                        _t("bronnen.niet_beschikbaar") + ": " + ", ".join(absent) + "."
                        if absent
                        else None
                    ),
                    "sources": list(sources),
                }
            )
        return out

    def _spread(self, level: str, code: str, name: str) -> dict[str, Any]:
        if level == "wijk":
            return self._spread_wijk(code, name)
        cols = _teksten()["celkolommen"]
        mine = self.cells[self.cells["buurtcode"] == code]
        grid = (self.atlas.vierkanten or {}).get("500m")
        if grid is None or not len(mine):
            return {
                "intro": _t("spreiding.cellen_geen"),
                "headers": [],
                "rows": [],
                "ranges": [],
                "note": None,
            }
        attrs = grid.drop(columns="geometry").drop_duplicates("celcode").set_index("celcode")
        cells = mine.join(attrs, on="celcode")
        pop = pd.to_numeric(cells.get("aantal_inwoners"), errors="coerce")
        cells = cells[pop > 0] if pop is not None else cells.iloc[0:0]
        if len(cells) < 2:
            return {
                "intro": _t("spreiding.cellen_een", naam=name),
                "headers": [],
                "rows": [],
                "ranges": [],
                "note": None,
            }
        present = [c for c in cols if c["kolom"] in cells.columns]
        numbers: dict[str, pd.Series] = {}
        for c in present:
            v = pd.to_numeric(cells[c["kolom"]], errors="coerce").astype("float64")
            if c["soort"] in ("aandeel", "per1000"):
                base = pd.to_numeric(cells.get(c["van"]), errors="coerce").astype("float64")
                v = v / base.where(base > 0) * (100 if c["soort"] == "aandeel" else 1000)
            numbers[c["kolom"]] = v

        def fmt(c: dict, v: float) -> str:
            if _missing(v):
                return text.MISSING
            if c["soort"] == "aantal":
                return format_number(v, 0)
            if c["soort"] == "per1000":
                return f"{format_number(v, 0)} {text.unit('per_1000_inwoners')}"
            return f"{format_number(v, 0)}%"

        rows = []
        order = np.argsort(-pop.loc[cells.index].to_numpy())
        for i in order:
            idx = cells.index[i]
            rows.append(
                [
                    cells.at[idx, "celcode"],
                    f"{format_number(100 * cells.at[idx, 'cel_in_buurt'], 0)}%",
                ]
                + [fmt(c, numbers[c["kolom"]].loc[idx]) for c in present]
            )
        ranges = []
        for c in present[1:]:
            v = numbers[c["kolom"]].dropna()
            if len(v) >= 2 and fmt(c, v.min()) == fmt(c, v.max()):
                ranges.append(_t("spreiding.overal", label=c["label"], waarde=fmt(c, v.min())))
            elif len(v) >= 2:
                ranges.append(
                    _t(
                        "spreiding.bereik",
                        label=c["label"],
                        laag=fmt(c, v.min()),
                        hoog=fmt(c, v.max()),
                    )
                )
        limit = int(self.settings["max_cellen"])
        table_note = None
        if len(rows) > limit:
            table_note = _t("spreiding.max_cellen", n=limit)
            rows = rows[:limit]
        return {
            "intro": _t("spreiding.cellen", naam=name, n=len(cells)),
            "table_note": table_note,
            "headers": [_t("spreiding.celcode"), _t("spreiding.aandeel_in_buurt")]
            + [c["label"] for c in present],
            "rows": rows,
            "ranges": ranges,
            "note": _t("spreiding.geheim"),
        }

    def _spread_wijk(self, code: str, name: str) -> dict[str, Any]:
        keys = [k for k in _teksten()["wijkkolommen"] if k in self.tables["buurt"].columns]
        codes = [b for b, w in self.wijk_of.items() if w == code]
        tab, reasons = self.tables["buurt"], self.reasons["buurt"]
        rows = []
        for b in codes:
            cells = [self.names["buurt"][b]]
            for k in keys:
                v = tab.at[b, k]
                cells.append(
                    self._fmt(k, v) if not _missing(v) else (reasons.at[b, k] or text.MISSING)
                )
            rows.append(cells)
        return {
            "intro": _t("spreiding.buurten", naam=name),
            "headers": [text.level("buurt").capitalize()] + [get_indicator(k).label for k in keys],
            "rows": rows,
            "ranges": [],
            "note": None,
        }

    def _kansen(self, level: str, code: str) -> dict[str, Any]:
        name = self.names[level][code]
        res = self.kk
        out: dict[str, Any] = {
            "items": [],
            "none": None,
            "skipped": None,
            "more": [],
            "more_intro": None,
            "n": 0,
            "explain": _t("koppelkansen.uitleg"),
        }
        if res is None:
            out["none"] = _t("koppelkansen.geen", naam=name)
            return out
        m = res.matches
        if len(m):
            if level == "buurt":
                cells = set(self.cells.loc[self.cells["buurtcode"] == code, "celcode"])
                wijk = self.wijk_of[code]
                sel = (
                    ((m["niveau"] == "buurt") & (m["code"] == code))
                    | ((m["niveau"] == "wijk") & (m["code"] == wijk))
                    | ((m["niveau"] == "vierkant") & m["code"].isin(cells))
                )
            else:
                sel = m["code"].eq(code) | (m["wijkcode"].astype(str) == code)
            picked = m[sel].copy()
            # the page's own unit first, then the highest score: that match explains the rule
            picked["_own"] = picked["code"].astype(str) != code
            picked = picked.sort_values(["_own", "score"], ascending=[True, False], kind="stable")
            for _rule, group in picked.groupby("regel", sort=False):
                r = group.iloc[0]
                places = []
                for _, g in group.iterrows():
                    if str(g["code"]) == code:
                        continue
                    if g["niveau"] == "vierkant":
                        places.append(_t("koppelkansen.cel", code=g["code"]))
                    elif g["niveau"] == "buurt":
                        places.append(_t("koppelkansen.buurt_in_wijk", naam=g["naam"]))
                    else:
                        places.append(text.level("wijk") + " " + str(g["naam"]))
                rob = r.get("robuustheid")
                out["items"].append(
                    {
                        "title": str(r["titel"]),
                        "where": ", ".join(places),
                        "explanation": _needs_only(r),
                        "robustness": _teksten()["koppelkansen"]["robuust"].get(str(rob), ""),
                        "robust_key": str(rob),
                        "score": _t(
                            "koppelkansen.score",
                            score=format_number(100 * float(r["score"]), 0) + "%",
                        ),
                        "partners": _t("koppelkansen.partners", partners=r["partners"])
                        if r.get("partners")
                        else "",
                    }
                )
        limit = int(self.settings["max_kansen"])
        out["more"] = [
            f"{k['title']} ({k['where']})" if k["where"] else k["title"]
            for k in out["items"][limit:]
        ]
        out["n"] = len(out["items"])
        out["items"] = out["items"][:limit]
        if out["more"]:
            out["more_intro"] = _t("koppelkansen.meer", n=len(out["more"]))
        if not out["items"]:
            out["none"] = _t("koppelkansen.geen", naam=name)
        if len(res.skipped):
            out["skipped"] = _t(
                "koppelkansen.overgeslagen",
                regels=", ".join(dict.fromkeys(res.skipped["titel"].astype(str))),
            )
        return out

    def _present(self, level: str, code: str) -> dict[str, Any]:
        frame = self.frames[level]
        geom = frame.geometry[frame[CODE_COLUMN[level]].astype(str) == code].iloc[0]
        near_m = float(self.settings["nabij_m"])
        near = geom.buffer(near_m)
        niveau = text.level(level)
        inside_word = _t("aanwezig.binnen", niveau=niveau)
        near_word = _t("aanwezig.nabij", m=format_number(near_m, 0))
        out: dict[str, Any] = {}
        local = self.atlas.local or {}

        def where(g) -> str | None:
            if g is None or g.is_empty:
                return None
            if g.intersects(geom):
                return inside_word
            if g.intersects(near):
                return near_word
            return None

        def layer(name: str):
            frame = local.get(name)
            return (
                frame if frame is not None and hasattr(frame, "geometry") and len(frame) else None
            )

        for key, lname in (
            ("initiatieven", "bewonersinitiatieven"),
            ("voorzieningen", "voorzieningen"),
            ("projecten", "projecten"),
        ):
            lay = layer(lname)
            entry: dict[str, Any] = {"label": _t(f"aanwezig.{key}"), "items": None, "note": None}
            if key == "voorzieningen":
                entry["note"] = _t("aanwezig.ster", m=format_number(near_m, 0))
            if lay is None:
                entry["note"] = _t("aanwezig.laag_ontbreekt", laag=lname)
                out[key] = entry
                continue
            lay = lay.to_crs(frame.crs) if lay.crs is not None and lay.crs != frame.crs else lay
            if key == "initiatieven":
                from ..joins import active_on

                if "startdatum" in lay.columns and "einddatum" in lay.columns:
                    lay = lay[active_on(lay, self.peildatum).to_numpy()]
                if "status" in lay.columns:
                    lay = lay[lay["status"].astype(str) != "afgerond"]
                entry["note"] = _t("aanwezig.peildatum", datum=_date(self.peildatum))
            if key == "projecten" and "status" in lay.columns:
                lay = lay[lay["status"].astype(str) != "afgerond"]
            items = []
            for _, r in lay.iterrows():
                w = where(r.geometry)
                if w is None:
                    continue
                detail = []
                if key == "initiatieven":
                    if r.get("thema"):
                        detail.append(str(r["thema"]))
                    if not _missing(r.get("einddatum")) and r.get("einddatum") is not None:
                        detail.append(_t("aanwezig.loopt_tot", datum=_date(r["einddatum"])))
                elif key == "voorzieningen":
                    if r.get("categorie"):
                        detail.append(str(r["categorie"]))
                else:
                    for col in ("eigenaar", "thema", "status"):
                        if r.get(col):
                            detail.append(str(r[col]).replace("_", " "))
                    if not _missing(r.get("startjaar")):
                        detail.append(
                            _t(
                                "aanwezig.jaren",
                                start=int(r["startjaar"]),
                                eind=int(r["eindjaar"]) if not _missing(r.get("eindjaar")) else "?",
                            )
                        )
                items.append(
                    {
                        "name": str(r.get("naam", "")),
                        "detail": ", ".join(detail),
                        "where": w,
                        "inside": w == inside_word,
                    }
                )
            items.sort(key=lambda i: (not i["inside"], i["detail"], i["name"]))
            if key == "voorzieningen":
                entry["count"] = len(items)
                items = _by_category(items)
            entry["items"] = items
            out[key] = entry
        return out

    def _change(self, level: str, code: str, name: str) -> dict[str, Any]:
        year = self.atlas.year - 1
        out: dict[str, Any] = {
            "title": _t("secties.verandering", jaar=year),
            "note": None,
            "rows": [],
            "boundary_changed": False,
            "headers": [],
        }
        if not self.changes:
            out["note"] = _t("verandering.geen_vorig", jaar=year, gemeente=self.atlas.code)
            return out
        ch = self.changes[level].loc[code]
        if not bool(ch["grens_ongewijzigd"]):
            remark = ch.get("opmerking") or text.reason("boundary_changed")
            if remark == text.reason("boundary_changed"):
                out["note"] = _t("verandering.grens_gewijzigd", naam=name, jaar=year, reden=remark)
            else:
                out["note"] = _t("verandering.niet_in_vorig", naam=name, jaar=year)
            out["boundary_changed"] = True
            return out
        tab = self.tables[level]
        for key in _teksten()["verandering_indicatoren"]:
            before, diff = ch.get(f"{key}_vorig"), ch.get(f"{key}_verandering")
            now = tab.at[code, key] if key in tab.columns else float("nan")
            if _missing(before) or _missing(now):
                continue
            ind = get_indicator(key)
            sign = "+" if float(diff) > 0 else ""
            diff_text = sign + format_number(float(diff), ind.decimals)
            if ind.unit == "%":
                diff_text += " procentpunt"
            elif ind.unit not in ("jaar",):
                diff_text += f" {ind.unit}"
            out["rows"].append([ind.label, self._fmt(key, before), self._fmt(key, now), diff_text])
        out["headers"] = ["", str(year), str(self.atlas.year), _t("verandering.kop_verschil")]
        if not out["rows"]:
            out["note"] = _t("verandering.geen_verschil")
        return out

    def _questions(self, level: str, kracht: list, aandacht: list, small: str | None) -> list[str]:
        out = []
        for p in aandacht[:3]:
            out.append(
                _t(
                    "vragen.aandacht",
                    label=p["label"],
                    waarde=p["value"],
                    gemeente=self.gemeente,
                    gemeentewaarde=p["gemeente"],
                )
            )
        for p in kracht[:2]:
            out.append(_t("vragen.kracht", label=p["label"], waarde=p["value"]))
        if not small:
            out.append(_t("vragen.spreiding", niveau=text.level(level)))
        out.extend(_teksten()["vragen"]["algemeen"])
        return out

    def _sources(self) -> list[str]:
        meta = self.atlas.meta
        out = []
        if meta.get("source"):
            out.append(_t("bronnen.gegevens", bron=meta["source"]))
        if meta.get("cbs_table"):
            out.append(_t("bronnen.tabel", tabel=meta["cbs_table"]))
        wbk = meta.get("wijkbuurtkaart")
        if isinstance(wbk, dict) and wbk.get("file"):
            out.append(f"{wbk['file']} (sha256 {str(wbk.get('sha256', ''))[:12]}…).")
        if meta.get("retrieved_at"):
            out.append(_t("bronnen.opgehaald", datum=_date(meta["retrieved_at"])))
        out.append(_t("bronnen.register", versie=registry_meta().get("version", "?")))
        layers = sorted(k for k, v in (self.atlas.local or {}).items() if v is not None)
        if layers:
            out.append(_t("bronnen.lagen", lagen=", ".join(layers)))
        from ..indicators.nederland import nederland_note

        note = nederland_note(self.atlas)  # why Nederland figures are missing, said once
        if note:
            out.append(note)
        out.append(_t("bronnen.peildatum", datum=_date(self.peildatum)))
        out.append(_t("bronnen.afronding"))
        out.append(_t("bronnen.gemaakt", versie=__version__))
        return out

    def _indicator_sources(self) -> list[str]:
        seen: dict[str, None] = {}
        for ind in list_indicators():
            seen[f"{ind.source}; {ind.year}"] = None
        return list(seen)
