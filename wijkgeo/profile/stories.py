"""What numbers don't say, on the profile: stories beside their indicator, what works here.

Two page sections, computed from the local layers as plain data for the template (which
escapes every value):

:func:`stories_for`
    the ``verhalen`` about a buurt or wijk: a story placed by a point in the area, by the
    area's code, or (on a buurt page) by the code of its wijk. Those about an indicator
    shown on the page go next to that indicator ("Wat bewoners hierover zeggen"); the rest
    in their own section.
:func:`works_here`
    "Wat werkt hier": the bewonersinitiatieven in or near the area that are running or have
    finished, with their goal, reach and what changed (finished ones: what they left);
    planned ones are named only.

Examples
--------
>>> import wijkgeo
>>> from wijkgeo.profile.stories import stories_for, works_here
>>> atlas = wijkgeo.make_demo()
>>> items = stories_for(atlas, "wijk", "WK999902")
>>> all(i["text"] for i in items), {i["role"] for i in items} <= {
...     "bewoner", "professional", "wijkschouw", "bewonersavond"}
(True, True)
>>> works = works_here(atlas, "wijk", "WK999902", peildatum="2024-09-01")
>>> [i["status"] for i in works["items"]][:2]
['actief', 'actief']
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

import pandas as pd

if TYPE_CHECKING:  # pragma: no cover
    from ..atlas import Atlas

__all__ = ["check_story_topics", "stories_for", "works_here"]


def _text(value: Any) -> str:
    from ..koppelkansen.explain import cell_text

    return cell_text(value)


def _date(value: Any) -> str:
    from ..koppelkansen.explain import cell_date

    return cell_date(value)


def _buurten_of(atlas: Atlas, level: str, code: str) -> set[int]:
    codes = atlas.buurten["buurtcode"].astype(str).to_numpy()
    wijken = atlas.buurten["wijkcode"].astype(str).to_numpy()
    if level == "buurt":
        return {i for i, c in enumerate(codes) if c == code}
    return {i for i, w in enumerate(wijken) if w == code}


def stories_for(atlas: Atlas, level: str, code: str) -> list[dict[str, Any]]:
    """The stories about one buurt or wijk, newest first.

    Each item: ``text``, ``theme``, ``role``, ``date`` (Dutch), ``about`` (indicator key or
    ""), ``about_label`` and ``scope`` ("" when the story is about this area itself, else a
    phrase such as "over de hele wijk").
    """
    from .._errors import ConfigError
    from ..indicators import get_indicator
    from ..maps.layers.stories import story_places

    stories = (atlas.local or {}).get("verhalen")
    if stories is None or not len(stories):
        return []
    _points, members = story_places(stories, atlas.buurten)
    mine = _buurten_of(atlas, level, code)
    out = []
    for j, rec in enumerate(stories.itertuples(index=False)):
        if not mine & set(members[j]):
            continue
        row = rec._asdict()
        wide = level == "buurt" and len(members[j]) > 1  # a wijk-wide story on a buurt page
        about = _text(row.get("gaat_over"))
        try:
            label = get_indicator(about).label if about else ""
        except ConfigError:
            label = about
        out.append(
            {
                "text": _text(row.get("tekst")),
                "theme": _text(row.get("thema")),
                "role": _text(row.get("bron")),
                "date": _date(row.get("datum")),
                "sort": str(pd.to_datetime(row.get("datum"), errors="coerce")),
                "about": about,
                "about_label": label,
                "scope": "over de hele wijk" if wide else "",
            }
        )
    out.sort(key=lambda s: s["sort"], reverse=True)
    for s in out:
        s.pop("sort")
    return out


def works_here(
    atlas: Atlas,
    level: str,
    code: str,
    *,
    peildatum: dt.date | str,
    near_m: float = 250.0,
) -> dict[str, Any]:
    """Initiatives in or within ``near_m`` of the area: results of running and finished ones.

    Returns ``{"items": [...], "bare": [names], "planned": [names], "known": bool}``: the
    initiatives with recorded results in ``items``, the others named in ``bare``; each item
    has ``name``,
    ``status`` (actief/afgerond), ``period``, ``where`` ("in de buurt"/"vlakbij"), and the
    outcome fields that are filled: ``goal``, ``activities``, ``reach``, ``participants``,
    ``volunteers``, ``changed``, ``updated``, ``link``.
    """
    from ..conventions import CODE_COLUMN

    layer = (atlas.local or {}).get("bewonersinitiatieven")
    if layer is None or not hasattr(layer, "geometry"):
        return {"items": [], "bare": [], "planned": [], "known": False}
    frame = atlas.buurten if level == "buurt" else atlas.wijken
    geom = frame.geometry[frame[CODE_COLUMN[level]].astype(str) == code].iloc[0]
    if layer.crs is not None and frame.crs is not None and layer.crs != frame.crs:
        layer = layer.to_crs(frame.crs)
    near = geom.buffer(near_m)
    when = pd.Timestamp(peildatum)
    items, planned = [], []
    for _, r in layer.iterrows():
        g = r.geometry
        if g is None or g.is_empty or not g.intersects(near):
            continue
        where = f"in de {level}" if g.intersects(geom) else f"vlakbij (binnen {near_m:.0f} m)"
        status = _text(r.get("status")).lower()
        start = pd.to_datetime(r.get("startdatum"), errors="coerce")
        end = pd.to_datetime(r.get("einddatum"), errors="coerce")
        if status == "gepland" or (pd.notna(start) and start > when):
            planned.append(_text(r.get("naam")))
            continue
        finished = status == "afgerond" or (pd.notna(end) and end < when)
        period = " – ".join(x for x in (_date(start), _date(end)) if x)
        link = _text(r.get("veranderverhaal"))
        items.append(
            {
                "name": _text(r.get("naam")),
                "status": "afgerond" if finished else "actief",
                "period": period,
                "where": where,
                "goal": _text(r.get("doel")),
                "activities": _text(r.get("activiteiten")),
                "reach": _text(r.get("bereik")),
                "participants": _text(r.get("deelnemers")),
                "volunteers": _text(r.get("vrijwilligers")),
                "changed": _text(r.get("wat_is_veranderd")),
                "updated": _date(r.get("bijgewerkt")),
                # only a web address becomes a link (check refuses others; this is the belt)
                "link": link if link.lower().startswith(("https://", "http://")) else "",
            }
        )
    items.sort(key=lambda i: (i["status"] != "actief", not i["where"].startswith("in "), i["name"]))
    fields = ("goal", "activities", "reach", "participants", "volunteers", "changed", "link")
    bare = [i for i in items if not any(i[f] for f in fields)]  # nothing recorded: named only
    return {
        "items": [i for i in items if i not in bare],
        "bare": [f"{i['name']} ({i['status']})" for i in bare],
        "planned": sorted(planned),
        "known": True,
    }


def check_story_topics(folder: Any, report: Any, atlas: Any = None) -> None:
    """``wijkgeo check``: every ``gaat_over`` of a ``verhalen`` layer names a known indicator.

    A checker for :func:`wijkgeo.sources.local.check.check_path` (warnings: a story with
    an unknown key still shows, but not beside a number).
    """
    from pathlib import Path

    from .._report import WARNING, ValidationReport
    from ..indicators import registry
    from ..sources.local.readers import read_layer
    from ..sources.local.spec import closest, load_spec

    spec = load_spec(folder, ValidationReport())  # lagen.json problems: check_lagen says them
    if spec is None:
        return
    keys = list(registry())
    for layer in spec.layers:
        if layer.kind != "verhalen":
            continue
        raw = read_layer(Path(folder), layer, ValidationReport())
        if raw is None or "gaat_over" not in raw.frame.columns:
            continue
        for i, value in enumerate(raw.frame["gaat_over"]):
            key = str(value).strip()
            if key and key not in keys:
                near = closest(key, keys)
                report.add(
                    raw.file,
                    int(raw.rows[i]),
                    "gaat_over",
                    f"indicator {key!r} bestaat niet; het verhaal staat daardoor niet naast "
                    "een cijfer",
                    hint=(f"bedoelt u {near!r}? " if near else "")
                    + "de sleutels staan in 'wijkgeo indicators'.",
                    severity=WARNING,
                    category="unknown_indicator",
                    unit=raw.unit,
                )

