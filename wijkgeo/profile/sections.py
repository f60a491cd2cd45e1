"""The sections of a profile page: one function per section, in one registry.

Each section is a function ``(data, page) -> dict``: it reads the facts held by
:class:`~wijkgeo.profile.content.ProfileData` (computed once, :func:`wijkgeo.facts.build_facts`)
and the page so far (the area's ``level``, ``code``, ``name``, ``small`` and the sections
computed before it), and returns the entries it adds to the page. :data:`SECTIONS` lists
them in the order they are computed; :data:`PAGE` in the order the page shows them, each
drawn by ``secties/<name>.html.j2`` beside ``pagina.html.j2``.

Adding a section is a local change: a function here, a line in :data:`SECTIONS` and in
:data:`PAGE`, a template ``secties/<name>.html.j2`` and its words in ``teksten.json`` (see
``docs/maps.md``, "Een profielsectie toevoegen").
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from .. import text
from .._version import __version__
from ..conventions import CODE_COLUMN
from ..indicators import (
    brede_welvaart,
    format_number,
    get_indicator,
    list_indicators,
    registry_meta,
)
from ..kinds import present_kinds
from ..text import is_missing
from . import points
from .graphics import area_map, position_dot
from .words import (
    _ALWAYS_NOTE,
    _by_category,
    _count,
    _date,
    _needs_only,
    _t,
    _teksten,
    additive,
    applies,
    first_sentence,
)

if TYPE_CHECKING:  # pragma: no cover
    from .content import ProfileData

__all__ = ["PAGE", "SECTIONS", "build_page"]


# ---------------------------------------------------------------------------- the sections
def kracht_aandacht(data: ProfileData, page: dict[str, Any]) -> dict[str, Any]:
    """Strengths and attention points (none for an area below the minimum population)."""
    if page["small"]:
        return {"kracht": [], "aandacht": []}
    row = data.tables[page["level"]].loc[page["code"]]
    peers = _peer_row(data, page["level"], page["code"])
    kracht, aandacht = _points(data, page["level"], row, peers)
    used = None
    if peers is not None:  # the page's "Hoe gekozen" names the peer comparison too
        ctx = data.peers.for_level(page["level"])
        k = int(ctx.result.peers.shape[1]) if ctx.result is not None else 0
        used = {"k": k, "titel": _t("vergelijkbaar.titel", **ctx.words())}
    return {"kracht": kracht, "aandacht": aandacht, "punten_vergelijkbaar": used}


def _peer_row(data: ProfileData, level: str, code: str) -> tuple[Any, pd.Series] | None:
    """The area's row of "Buurten zoals deze" (peers' medians and ranks) when it is compared,
    with its context; None otherwise."""
    ctx = getattr(data, "peers", None)
    ctx = ctx.for_level(level) if ctx is not None else None
    if ctx is None or ctx.result is None or code not in ctx.frame.index:
        return None
    reason = ctx.frame.at[code, "vergelijking"]
    if isinstance(reason, str) and reason:
        return None
    return ctx, ctx.frame.loc[code]


def vergelijkbaar(data: ProfileData, page: dict[str, Any]) -> dict[str, Any]:
    """ "Buurten zoals deze" ("Wijken zoals deze" on a wijk page): the area among its
    structurally similar buurten (wijken) of Nederland (:mod:`wijkgeo.profile.peers`); also
    adds the peer line to each strength and attention point. None when the profile is built
    without peers."""
    from .peers import peer_section

    ctx = getattr(data, "peers", None)
    ctx = ctx.for_level(page["level"]) if ctx is not None else None
    if ctx is None:
        return {"vergelijkbaar": None}
    section = peer_section(
        ctx, page["code"], page["name"], page.get("aandacht", []), page.get("kracht", [])
    )
    return {"vergelijkbaar": section}


def kansen(data: ProfileData, page: dict[str, Any]) -> dict[str, Any]:
    """The koppelkansen of the area (and of its wijk and cells), with their reasons."""
    out = _kansen(data, page["level"], page["code"])
    small = page["small"]
    if small:  # the reasons quote numbers of the wijk or cell: point there instead
        wijk_name = data.names["wijk"].get(data.wijk_of.get(page["code"], ""), "")
        for item in out["items"]:
            item["explanation"] = _t("koppelkansen.klein", reden=small, wijk=wijk_name)
    return {"kansen": out}


def present(data: ProfileData, page: dict[str, Any]) -> dict[str, Any]:
    """ "Wat er al is" (:mod:`wijkgeo.facts.present`, the rule the koppelkansen use too)."""
    return {"present": _present(data, page["level"], page["code"])}


def summary(data: ProfileData, page: dict[str, Any]) -> dict[str, Any]:
    """The summary in sentences, from the sections before it."""
    level, code = page["level"], page["code"]
    row = data.tables[level].loc[code]
    return {
        "summary": _summary(
            data,
            level,
            code,
            page["name"],
            row,
            page["small"],
            page["kracht"],
            page["aandacht"],
            page["kansen"],
            page["present"],
        )
    }


def themes_section(data: ProfileData, page: dict[str, Any]) -> dict[str, Any]:
    """The theme tables with where the area sits among the gemeente's areas."""
    if page["small"]:
        return {"themes": []}
    level, code = page["level"], page["code"]
    row = data.tables[level].loc[code]
    return {"themes": _themes(data, level, code, row, data.reasons[level].loc[code])}


def spread(data: ProfileData, page: dict[str, Any]) -> dict[str, Any]:
    """The spread within the area: its 500 m cells (a buurt) or its buurten (a wijk)."""
    if page["small"]:
        return {"spread": None}
    return {"spread": _spread(data, page["level"], page["code"], page["name"])}


def change(data: ProfileData, page: dict[str, Any]) -> dict[str, Any]:
    """The change since the previous held year, where the boundary held."""
    if page["small"]:
        return {"change": None}
    return {"change": _change(data, page["level"], page["code"], page["name"])}


def development(data: ProfileData, page: dict[str, Any]) -> dict[str, Any]:
    """ "Hoe ontwikkelt de buurt zich": every stored year on today's boundaries."""
    from markupsafe import Markup

    from ..series.carry import rules
    from .development import section_html

    frame = getattr(data, "tijdreeks", None)
    if frame is None or page["small"] or page["level"] not in ("buurt", "wijk"):
        return {"ontwikkeling": None}
    keys = [k for k in rules()["teksten"]["profiel_indicatoren"] if k in set(frame["indicator"])]
    part = frame[frame["niveau"] == page["level"]]
    return {"ontwikkeling": Markup(section_html(part, page["code"], keys))}


def area(data: ProfileData, page: dict[str, Any]) -> dict[str, Any]:
    """The small map of the area."""
    level, code = page["level"], page["code"]
    wijk = (
        page["name"]
        if level == "wijk"
        else data.names["wijk"].get(data.wijk_of[code], data.wijk_of[code])
    )
    return {
        "map": area_map(
            data.atlas,
            level,
            code,
            label=_t(f"kaart.alt_{level}", naam=page["name"], wijk=wijk, gemeente=data.gemeente),
        ),
        "map_caption": _t(f"kaart.{level}", naam=page["name"], wijk=wijk),
    }


def questions(data: ProfileData, page: dict[str, Any]) -> dict[str, Any]:
    """Questions to check the numbers with residents."""
    return {
        "questions": _questions(
            data, page["level"], page["kracht"], page["aandacht"], page["small"], page["spread"]
        )
    }


def sources(data: ProfileData, page: dict[str, Any]) -> dict[str, Any]:
    """Sources, versions, the peildatum and how the numbers are rounded."""
    return {"sources": _sources(data), "indicator_sources": _indicator_sources(data)}


def works(data: ProfileData, page: dict[str, Any]) -> dict[str, Any]:
    """ "Wat werkt hier": running and finished initiatives in or near the area, with results."""
    from ..kinds import near_metres
    from .stories import works_here

    return {
        "works": works_here(
            data.atlas,
            page["level"],
            page["code"],
            peildatum=data.peildatum,
            near_m=near_metres(),
        )
    }


def voices(data: ProfileData, page: dict[str, Any]) -> dict[str, Any]:
    """Stories beside the indicator they are about (added to the theme rows), the rest apart.

    A theme that shows registrations of the wijkteam gets their caveat as its note.
    """
    from .stories import stories_for

    stories = stories_for(data.atlas, page["level"], page["code"])
    shown: set[int] = set()
    note = _t("verhalen.signalen_let_op")
    for theme in page["themes"]:
        for r in theme["rows"]:
            r["stories"] = [s for s in stories if s["about"] == r["key"]]
            shown.update(id(s) for s in r["stories"])
            signal = r["key"].startswith("signalen_") and not r["missing"]
            if signal and note not in (theme["note"] or ""):
                theme["note"] = f"{theme['note']} {note}" if theme["note"] else note
    return {
        "stories_other": [s for s in stories if id(s) not in shown],
        "stories_count": len(stories),
    }


Section = Callable[["ProfileData", dict[str, Any]], dict[str, Any]]

#: The sections in the order they are computed (a section may read those before it).
SECTIONS: tuple[tuple[str, Section], ...] = (
    ("kracht_aandacht", kracht_aandacht),
    ("vergelijkbaar", vergelijkbaar),  # after kracht_aandacht: adds the peer line to its points
    ("kansen", kansen),
    ("present", present),
    ("summary", summary),
    ("themes", themes_section),
    ("works", works),
    ("voices", voices),
    ("spread", spread),
    ("change", change),
    ("ontwikkeling", development),
    ("map", area),
    ("questions", questions),
    ("sources", sources),
)

#: The sections in the order the page shows them (``secties/<name>.html.j2``).
PAGE = (
    "summary",
    "kracht_aandacht",
    "vergelijkbaar",
    "kansen",
    "present",
    "works",
    "voices",
    "spread",
    "themes",
    "change",
    "ontwikkeling",
    "questions",
    "sources",
)


def build_page(data: ProfileData, page: dict[str, Any]) -> dict[str, Any]:
    """Run every section on a page that holds the area's identity; returns the page."""
    for _name, section in SECTIONS:
        page.update(section(data, page))
    page["sections"] = list(PAGE)
    return page


# ---------------------------------------------------------------------------- their parts
def _points(
    data: ProfileData, level: str, row: pd.Series, peers: tuple[Any, pd.Series] | None = None
) -> tuple[list[dict], list[dict]]:
    """Strengths and attention points by the documented rule of :mod:`.points`: against the
    gemeente and, with ``peers`` (:func:`_peer_row`), against the similar areas."""
    if data.alone(level):  # one wijk: its figures are the gemeente's, nothing to compare
        return [], []
    numbers = points.rule()
    ctx, prow = peers if peers is not None else (None, None)
    words = ctx.words() if ctx is not None else {}
    found: dict[str, list[dict]] = {"kracht": [], "aandacht": []}
    shown_estimates = set(_teksten()["schattingen_in_profiel"])
    # "bij kleine buurten is het cijfer grof" only beside an area that is small
    people = row.get("inwoners")
    small_area = is_missing(people) or float(people) < float(_teksten()["klein_gebied"]["inwoners"])
    for ind in list_indicators():
        if ind.sign == 0 or additive(ind):
            continue
        if ind.estimate and ind.key not in shown_estimates:  # RIVM: the profile's selection
            continue
        value, gem = row.get(ind.key), row.get(f"{ind.key}_gemeente")
        rank, of = row.get(f"{ind.key}_rang"), row.get(f"{ind.key}_rang_van")
        side = points.judge(value, gem, rank, of, ind.unit, ind.sign, numbers)
        by_peers, peer_rel, peer_pos = None, 0.0, None
        if prow is not None and f"{ind.key}_mediaan_vergelijkbaar" in prow.index:
            med = prow[f"{ind.key}_mediaan_vergelijkbaar"]
            p_rank = prow[f"{ind.key}_rang_vergelijkbaar"]
            p_of = prow[f"{ind.key}_van_vergelijkbaar"]
            own = value
            if ctx.year != ctx.atlas_year:  # the area's own figure of the reference year
                own = ctx.result.values[ind.key].get(row.name, float("nan"))
            by_peers = points.judge_peers(own, med, p_rank, p_of, ind.unit, ind.sign, numbers)
            if by_peers is not None:
                peer_rel = (float(own) - float(med)) / abs(float(med)) * ind.sign
                peer_pos = points.position(p_rank, p_of)
        how = points.basis(side, by_peers)
        if how is None:
            continue
        side = side or by_peers
        nl = row.get(f"{ind.key}_nederland")
        # an estimate names its year (and a boundary that was not checked or was carried),
        # as the theme tables do: "Eenzaam, 65+ (schatting 2020)"
        label = _estimate_note(data, ind, str(row.name))[0] if ind.estimate else ind.label
        found[side].append(
            {
                "key": ind.key,
                "label": label,
                "value": data._fmt(ind.key, value),
                "gemeente": data._fmt(ind.key, gem),
                "nederland": data._nl(ind.key, nl),
                # Nederland always, with the reason when it is missing (issue 18)
                "reference": _t("punten.vergelijk", gemeente=data._fmt(ind.key, gem))
                + " · "
                + _t("punten.vergelijk_nl", nederland=data._nl(ind.key, nl)),
                "direction": text.direction(ind.direction),
                "rank": data._rank(ind, level, rank, of),
                "caveat": first_sentence(
                    applies(ind.caveats_for(level), missing=False, small=small_area)
                ),
                "relative": (
                    (float(value) - float(gem)) / abs(float(gem)) * ind.sign
                    if how != "vergelijkbaar"
                    else peer_rel
                ),
                "position": points.position(rank, of) if how != "vergelijkbaar" else peer_pos,
                "basis": how,
                "basis_tekst": _t(f"punten.basis.{how}", **words) if words else "",
            }
        )
    kracht, aandacht = points.order(found["kracht"]), points.order(found["aandacht"])
    seen: set[str] = set()
    for entry in kracht + aandacht:  # the same caveat once per page, where it first applies
        if entry["caveat"] in seen:
            entry["caveat"] = ""
        seen.add(entry["caveat"])
    return kracht, aandacht


def _summary(
    data: ProfileData, level, code, name, row, small, kracht, aandacht, kansen, present
) -> list[str]:
    out: list[str] = []
    if small:
        out.append(_t("samenvatting.te_klein", naam=name, reden=small))
    else:
        frame = data.frames[level]
        raw = frame[frame[CODE_COLUMN[level]].astype(str) == code].iloc[0]
        hh = raw.get("aantal_huishoudens")
        if is_missing(hh):
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
        thr = float(data.settings["relatief_verschil"])
        parts = []
        topics = [] if data.alone(level) else _teksten()["samenvatting"]["onderwerpen"]
        for item in topics:
            key = item["indicator"]
            value, gem = row.get(key), row.get(f"{key}_gemeente")
            if is_missing(value) or is_missing(gem) or float(gem) == 0:
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
                    waarde=data._fmt(key, value),
                    gemeente=data._fmt(key, gem),
                )
            )
        if parts:
            out.append(
                _t("samenvatting.vergelijk_intro", gemeente=data.gemeente)
                + _t("samenvatting.vergelijk_scheiding").join(parts)
                + _t("samenvatting.vergelijk_slot")
            )
        if data.alone(level):
            pass
        elif kracht or aandacht:
            out.append(
                _t(
                    "samenvatting.punten",
                    kracht=_some(len(kracht), "punt"),
                    aandacht=_some(len(aandacht), "punt"),
                    vraagt=text.plural(len(aandacht), "vraagt", with_number=False),
                    die=text.plural(len(aandacht), "dat_die", with_number=False),  # "1 punt dat"
                    naam=name,
                    gemeente=data.gemeente,
                )
            )
        else:
            out.append(_t("samenvatting.geen_punten", naam=name, gemeente=data.gemeente))
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
                n_init=_some(counts["initiatieven"], "initiatief"),
                n_voorz=_some(counts["voorzieningen"], "voorziening"),
                n_proj=_some(counts["projecten"], "project"),
            )
        )
    else:  # a layer the gemeente did not provide is not "0"
        parts = [f"{v.get('count', len(v['items']))} {v['label'].lower()}" for v in known.values()]
        missing = [v["label"].lower() for k, v in present.items() if k not in known]
        key = "samenvatting.aanwezig_deels" if parts else "samenvatting.aanwezig_geen"
        out.append(_t(key, naam=name, bekend=", ".join(parts), ontbreekt=", ".join(missing)))
    return out


def _estimate_note(data: ProfileData, ind: Any, code: str) -> tuple[str, str]:
    """The label with the estimate's year (``"Eenzaam, 65+ (schatting 2020)"``, and
    ``grens niet gecontroleerd`` where so) and its margin (``"tussen 14,0 en 19,0%"``, the
    95 % bounds): what goes with a model estimate's value."""
    table = data.atlas.local.get("gezondheid")
    lo = hi = year = indeling = None
    unchecked = carried = False
    if table is not None and "code" in table.columns:
        hit = table[table["code"].astype(str) == code]
        if len(hit):
            year = hit["gezondheid_jaar"].iloc[0] if "gezondheid_jaar" in hit else None
            unchecked = "status" in hit and hit["status"].iloc[0] == "niet_gecontroleerd"
            carried = "status" in hit and hit["status"].iloc[0] == "omgerekend"
            if "gezondheid_indeling" in hit:
                indeling = hit["gezondheid_indeling"].iloc[0]
            if ind.bounds:
                lo = hit[ind.bounds["lower"]].iloc[0] if ind.bounds["lower"] in hit else None
                hi = hit[ind.bounds["upper"]].iloc[0] if ind.bounds["upper"] in hit else None
    label = ind.label
    if not is_missing(year):
        label = label.replace("(schatting)", f"(schatting {int(year)})")
    if unchecked:  # the provenance where it matters, under the label
        label += " · " + _t("tabel.grens_niet_gecontroleerd")
    if carried and not is_missing(indeling):
        label += " · " + _t("tabel.omgerekend", jaar=int(indeling))
    # the margin under the label, short enough for the printed table's narrow column
    if is_missing(lo) or is_missing(hi):
        return label, _t("tabel.geen_marge")
    low = format_number(float(lo), ind.decimals)
    return label, _t("tabel.marge", van=low, tot=data._fmt(ind.key, hi))


def _themes(
    data: ProfileData, level: str, code: str, row: pd.Series, reasons: pd.Series
) -> list[dict]:
    """Per CBS brede welvaart theme its indicators, and plainly what it has no buurt
    figures for (trust, experienced safety, ...)."""
    tab = data.tables[level]
    year = data.atlas.year
    shown_estimates = set(_teksten()["schattingen_in_profiel"])
    out = []
    for theme, spec in brede_welvaart().items():
        rows = []
        absent: list[str] = []
        sources: dict[str, dict[str, None]] = {}  # source -> its years, each named once
        more = False
        for ind in (get_indicator(k) for k in spec["indicators"]):
            if ind.estimate and ind.key not in shown_estimates:
                more = more or reasons.get(ind.key) != text.reason("unavailable")
                continue
            value = row.get(ind.key)
            all_values = tab[ind.key].to_numpy(dtype="float64")
            gem = row.get(f"{ind.key}_gemeente")
            if reasons.get(ind.key) == text.reason("unavailable") and is_missing(gem):
                if not ind.estimate:  # estimates absent: the theme note says it once
                    absent.append(ind.label)  # not in these data at all: said once below
                continue
            note, label = None, ind.label
            if ind.estimate and not is_missing(value):
                label, note = _estimate_note(data, ind, code)
            if not ind.estimate:  # the RIVM table, year and areas: once, under Bronnen
                sources.setdefault(data._source(ind), {})[ind.year_in(year)] = None
            unit = text.table_unit(ind.unit)
            nl = row.get(f"{ind.key}_nederland")
            rows.append(
                {
                    "key": ind.key,
                    "label": label,
                    "unit": "" if unit.lower() in ind.label.lower() else unit,
                    "value": _cell(value, ind)
                    if not is_missing(value)
                    else (reasons.get(ind.key) or text.MISSING),
                    "note": note,
                    "missing": is_missing(value),
                    "gemeente": _cell(gem, ind),
                    "nederland": "" if is_missing(nl) else _cell(nl, ind),
                    "direction": text.direction(ind.direction),
                    "dot": position_dot(
                        all_values, value, None if additive(ind) else gem, ind.sign
                    ),
                }
            )
        if not rows:  # no empty sections: the sources section names the theme once
            lacks = spec["not_at_buurt"].rstrip(".")
            data._empty_themes.setdefault(
                f"{spec['label']} ({lacks})" if lacks else spec["label"], None
            )
            continue
        notes = []
        if spec["not_at_buurt"] and theme in _ALWAYS_NOTE:
            notes.append(spec["not_at_buurt"])
        if absent:
            notes.append(_t("bronnen.niet_beschikbaar") + ": " + ", ".join(absent) + ".")
        if more and theme == "welzijn" and level == "buurt":  # said once, where it fits
            notes.append(_t("tabel.meer_schattingen"))
        out.append(
            {
                "key": theme,
                "label": spec["label"],
                "rows": rows,
                "note": " ".join(notes) or None,
                "sources": [f"{src} ({_periods(years)})" for src, years in sources.items()],
            }
        )
    return out


def _spread(data: ProfileData, level: str, code: str, name: str) -> dict[str, Any] | None:
    """Differences within the area; None when there is nothing to show (no section)."""
    if level == "wijk":
        return _spread_wijk(data, code, name)
    cols = _teksten()["celkolommen"]
    mine = data.cells[data.cells["buurtcode"] == code]
    grid = (data.atlas.vierkanten or {}).get("500m")
    if grid is None or not len(mine):
        return None
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
        if is_missing(v):
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
    limit = int(data.settings["max_cellen"])
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


def _spread_wijk(data: ProfileData, code: str, name: str) -> dict[str, Any] | None:
    keys = [k for k in _teksten()["wijkkolommen"] if k in data.tables["buurt"].columns]
    codes = [b for b, w in data.wijk_of.items() if w == code]
    if len(codes) < 2:
        return None
    tab, reasons = data.tables["buurt"], data.reasons["buurt"]
    # a column without a figure for any of the wijk's buurten says "niet beschikbaar" in
    # every row: it is named once below the table instead (a wijk page stays within 4 A4)
    absent = [k for k in keys if all(is_missing(tab.at[b, k]) for b in codes)]
    keys = [k for k in keys if k not in absent]
    rows = []
    for b in codes:
        cells = [data.names["buurt"][b]]
        for k in keys:
            v = tab.at[b, k]
            shown = data._fmt(k, v) if not is_missing(v) else reasons.at[b, k] or text.MISSING
            cells.append(shown)
        rows.append(cells)
    return {
        "intro": _t("spreiding.buurten", naam=name),
        "headers": [text.level("buurt").capitalize()] + [get_indicator(k).label for k in keys],
        "rows": rows if keys else [],
        "ranges": [],
        "note": (
            _t("bronnen.niet_beschikbaar")
            + ": "
            + ", ".join(get_indicator(k).label for k in absent)
            + "."
            if absent
            else None
        ),
    }


def _kansen(data: ProfileData, level: str, code: str) -> dict[str, Any]:
    name = data.names[level][code]
    res = data.kk
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
            cells = set(data.cells.loc[data.cells["buurtcode"] == code, "celcode"])
            wijk = data.wijk_of[code]
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
            places = _places(group[group["code"].astype(str) != code])
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
    limit = int(data.settings["max_kansen"])
    out["more"] = [
        f"{k['title']} ({k['where']})" if k["where"] else k["title"] for k in out["items"][limit:]
    ]
    out["n"] = len(out["items"])
    out["items"] = out["items"][:limit]
    if out["more"]:
        out["more_intro"] = _t("koppelkansen.meer", n=text.plural(len(out["more"]), "koppelkans"))
    if not out["items"]:
        out["none"] = _t("koppelkansen.geen", naam=name)
    if len(res.skipped):
        out["skipped"] = _t(
            "koppelkansen.overgeslagen",
            regels=", ".join(dict.fromkeys(res.skipped["titel"].astype(str))),
        )
    return out


def _cell(value: Any, ind: Any) -> str:
    """A theme table's figure; an amount keeps "€ 223.000" on one line (narrow columns)."""
    return text.bare(value, ind.unit, ind.decimals).replace("€ ", "€\u00a0")


def _periods(years: Any) -> str:
    """The periods of one source's figures, each part once: "2024; peildatum bevolking
    1 januari 2024; WOZ-waarde peildatum 1 januari 2023" (not "2024; ...; 2024; ...")."""
    parts = [p.strip() for y in years for p in str(y).split(";") if p.strip()]
    return "; ".join(dict.fromkeys(parts))


def _some(n: int, key: str) -> str:
    """ "geen punten" for none (read aloud, "0 punten" stumbles), else "7 punten"."""
    if n == 0:
        return _t("samenvatting.geen") + " " + text.plural(0, key, with_number=False)
    return text.plural(n, key)


def _places(group: pd.DataFrame) -> list[str]:
    """Where a koppelkans applies, as a resident reads it: "in de buurten A, B en C", one
    cell by its code, several as "in 5 vierkanten van 500 m" (a list of codes says nothing)."""
    places: list[str] = []
    buurten = [str(n) for n in group.loc[group["niveau"] == "buurt", "naam"]]
    cells = [str(c) for c in group.loc[group["niveau"] == "vierkant", "code"]]
    if len(buurten) == 1:
        places.append(_t("koppelkansen.buurt_in_wijk", naam=buurten[0]))
    elif buurten:
        names = ", ".join(buurten[:-1]) + _t("koppelkansen.en") + buurten[-1]
        places.append(_t("koppelkansen.buurten_in_wijk", namen=names))
    if len(cells) == 1:
        places.append(_t("koppelkansen.cel", code=cells[0]))
    elif cells:
        places.append(_t("koppelkansen.cellen", n=len(cells)))
    for name in group.loc[~group["niveau"].isin(["buurt", "vierkant"]), "naam"]:
        places.append(text.level("wijk") + " " + str(name))
    return places


def _present(data: ProfileData, level: str, code: str) -> dict[str, Any]:
    """ "Wat er al is": the one rule of :mod:`wijkgeo.facts.present`, rendered."""
    here = data.present[level]
    near_m = here.distance
    niveau = text.level(level)
    inside_word = _t("aanwezig.binnen", niveau=niveau)
    near_word = _t("aanwezig.nabij", m=format_number(near_m, 0))
    out: dict[str, Any] = {}
    found = here.of(code)
    for key, lname in present_kinds().items():
        entry: dict[str, Any] = {"label": _t(f"aanwezig.{key}"), "items": None, "note": None}
        if key == "voorzieningen":
            entry["note"] = _t("aanwezig.ster", m=format_number(near_m, 0))
        if not here.known.get(key):
            entry["note"] = _t("aanwezig.laag_ontbreekt", laag=lname)
            out[key] = entry
            continue
        if key == "initiatieven":
            entry["note"] = _t("aanwezig.peildatum", datum=_date(data.peildatum))
        items = []
        for r in found.get(key, []):
            detail = []
            if key == "initiatieven":
                if r.get("thema"):
                    detail.append(str(r["thema"]))
                if not is_missing(r.get("einddatum")) and r.get("einddatum") is not None:
                    detail.append(_t("aanwezig.loopt_tot", datum=_date(r["einddatum"])))
            elif key == "voorzieningen":
                if r.get("categorie"):
                    detail.append(str(r["categorie"]))
            else:
                for col in ("eigenaar", "thema", "status"):
                    if r.get(col):
                        detail.append(str(r[col]).replace("_", " "))
                if not is_missing(r.get("startjaar")):
                    detail.append(
                        _t(
                            "aanwezig.jaren",
                            start=int(r["startjaar"]),
                            eind=int(r["eindjaar"]) if not is_missing(r.get("eindjaar")) else "?",
                        )
                    )
            inside = bool(r["binnen"])
            items.append(
                {
                    "name": str(r.get("naam") or ""),
                    "detail": ", ".join(detail),
                    "where": inside_word if inside else near_word,
                    "inside": inside,
                }
            )
        items.sort(key=lambda i: (not i["inside"], i["detail"], i["name"]))
        if key == "voorzieningen":
            entry["count"] = len(items)
            items = _by_category(items)
        entry["items"] = items
        out[key] = entry
    return out


def _change(data: ProfileData, level: str, code: str, name: str) -> dict[str, Any] | None:
    # the real earlier year compared with (the series' previous held year)
    year = data.previous_year if data.previous_year is not None else data.atlas.year - 1
    out: dict[str, Any] = {
        "title": _t("secties.verandering", jaar=year),
        "note": None,
        "rows": [],
        "boundary_changed": False,
        "headers": [],
    }
    if not data.changes:  # no earlier year: no section (a note would be an empty section)
        return None
    ch = data.changes[level].loc[code]
    if not bool(ch["grens_ongewijzigd"]):
        remark = ch.get("opmerking") or text.reason("boundary_changed")
        if remark == text.reason("boundary_changed"):
            out["note"] = _t("verandering.grens_gewijzigd", naam=name, jaar=year, reden=remark)
        else:
            out["note"] = _t("verandering.niet_in_vorig", naam=name, jaar=year)
        out["boundary_changed"] = True
        return out
    tab = data.tables[level]
    for key in _teksten()["verandering_indicatoren"]:
        before, diff = ch.get(f"{key}_vorig"), ch.get(f"{key}_verandering")
        now = tab.at[code, key] if key in tab.columns else float("nan")
        if is_missing(before) or is_missing(now):
            continue
        ind = get_indicator(key)
        diff_text = text.change(diff, ind.unit, ind.decimals)
        out["rows"].append([ind.label, data._fmt(key, before), data._fmt(key, now), diff_text])
    out["headers"] = ["", str(year), str(data.atlas.year), _t("verandering.kop_verschil")]
    if not out["rows"]:
        out["note"] = _t("verandering.geen_verschil")
    return out


def _questions(
    data: ProfileData,
    level: str,
    kracht: list,
    aandacht: list,
    small: str | None,
    spread: Any = None,
) -> list[str]:
    out = []
    for p in aandacht[:3]:
        out.append(
            _t(
                "vragen.aandacht",
                label=p["label"],
                waarde=p["value"],
                gemeente=data.gemeente,
                gemeentewaarde=p["gemeente"],
            )
        )
    for p in kracht[:2]:
        out.append(_t("vragen.kracht", label=p["label"], waarde=p["value"]))
    if not small and spread:
        out.append(_t("vragen.spreiding", niveau=text.level(level)))
    out.extend(_teksten()["vragen"]["algemeen"])
    return out


def _sources(data: ProfileData) -> list[str]:
    meta = data.atlas.meta
    out = []
    if meta.get("source"):
        out.append(_t("bronnen.gegevens", bron=meta["source"]))
    if meta.get("cbs_table") and not data._imported():
        out.append(_t("bronnen.tabel", tabel=meta["cbs_table"]))
    if meta.get("retrieved_at"):  # a file that was imported was read in, not fetched
        key = "bronnen.ingelezen" if data._imported() else "bronnen.opgehaald"
        out.append(_t(key, datum=_date(meta["retrieved_at"])))
    out.append(_t("bronnen.register", versie=registry_meta().get("version", "?")))
    health = {"gezondheid", "gezondheid_bron"}  # a source of its own, not a layer
    local = {k for k, v in (data.atlas.local or {}).items() if v is not None and k not in health}
    if local:
        out.append(_t("bronnen.lagen", lagen=", ".join(sorted(local))))
    table = (data.atlas.local or {}).get("gezondheid")
    if table is not None and len(table):
        out.append(
            _t(
                "bronnen.gezondheid",
                tabel=table["gezondheid_tabel"].iloc[0],
                jaar=table["gezondheid_jaar"].iloc[0],
                indeling=table["gezondheid_indeling"].iloc[0],
            )
        )
    from ..indicators.nederland import nederland_note

    note = nederland_note(data.atlas)  # why Nederland figures are missing, said once
    if note:
        out.append(note)
    if local & {"bewonersinitiatieven", "projecten"}:  # a reference date only where used
        out.append(_t("bronnen.peildatum", datum=_date(data.peildatum)))
    if getattr(data, "_empty_themes", None):
        out.append(_t("bronnen.geen_themas", themas="; ".join(data._empty_themes)))
    out.append(_t("bronnen.afronding"))
    out.append(_t("bronnen.gemaakt", versie=__version__))
    return out


def _indicator_sources(data: ProfileData) -> list[str]:
    seen: dict[str, None] = {}
    for ind in list_indicators():
        seen[f"{data._source(ind)}; {ind.year_in(data.atlas.year)}"] = None
    return list(seen)
