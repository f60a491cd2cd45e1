"""The registry of local-layer kinds (``kinds.json``): one description per kind of a
gemeente's own layer, read by the readers, validation, koppelkansen, map and profile.

A kind is data: adding one is adding an entry to ``kinds.json``. This module only reads it
and applies the one generic rule every output shares, :func:`active_mask` ("is this feature
active on the reference date?").

Examples
--------
>>> from wijkgeo import kinds
>>> kinds.near_metres()
250.0
>>> kinds.present_kinds()
{'initiatieven': 'bewonersinitiatieven', 'voorzieningen': 'voorzieningen', 'projecten': 'projecten'}
"""

from __future__ import annotations

import copy
import datetime as dt
import json
from functools import cache
from importlib import resources
from typing import Any

import numpy as np
import pandas as pd

__all__ = [
    "active_mask",
    "kind",
    "kinds",
    "near_metres",
    "present_kinds",
    "reader_defaults",
    "registry",
]


@cache
def _registry() -> dict[str, Any]:
    raw = resources.files(__package__).joinpath("kinds.json").read_text(encoding="utf-8")
    return json.loads(raw)


def registry() -> dict[str, Any]:
    """A copy of the whole registry (``kinds.json``)."""
    return copy.deepcopy(_registry())


def kinds() -> dict[str, dict[str, Any]]:
    """Every kind by its layer name (``bewonersinitiatieven``, ``projecten``, ...)."""
    return copy.deepcopy(_registry()["soorten"])


def kind(name: str) -> dict[str, Any]:
    """One kind's description; an empty description for a layer the registry does not know."""
    return copy.deepcopy(_registry()["soorten"].get(name, {}))


def reader_defaults(layer_type: str, name: str | None = None) -> dict[str, Any]:
    """The lagen.json keys the local-layer reader fills in for a layer (a layer's own keys
    win, each key as a whole).

    By ``layer_type``: ``inlezen`` of the kind that declares that type (``verhalen``). By
    ``name``, for a layer named like a kind: what its entry already says about it, read from
    the one description (never written twice): the allowed values (``koppelkansen.waarden``),
    the date columns of its "active" rule and end date (``datums``), its year columns and
    their period (``jaar``, ``periode``), the code column of a table (``sleutel``) and, when
    lagen.json gives no ``type``, the kind's own (``koppelkansen.soort``; a key ``type``).
    ``{}`` when neither applies.

    Examples
    --------
    >>> from wijkgeo.kinds import reader_defaults
    >>> reader_defaults("verhalen")["verplicht"]
    ['datum', 'thema', 'tekst', 'bron']
    >>> reader_defaults("punten")
    {}
    >>> d = reader_defaults("punten", "bewonersinitiatieven")
    >>> d["toegestaan"]["status"], d["datums"]
    (['actief', 'afgerond', 'gepland'], ['startdatum', 'einddatum'])
    >>> d = reader_defaults("tabel", "energietransitie")
    >>> d["wijkcode"], d["jaar"], "periode" in d
    ('wijkcode', ['planjaar'], False)
    """
    out: dict[str, Any] = {}
    for spec in _registry()["soorten"].values():
        reading = spec.get("inlezen") or {}
        if reading.get("type") == layer_type:
            out = copy.deepcopy(reading.get("standaard", {}))
            break
    spec = _registry()["soorten"].get(name or "")
    if not spec:
        return out
    rules = spec.get("koppelkansen") or {}
    active = spec.get("actief") or {}
    named: dict[str, Any] = {}
    if rules.get("soort"):
        named["type"] = rules["soort"]
    if rules.get("waarden"):
        named["toegestaan"] = copy.deepcopy(rules["waarden"])
    dates = [active.get("startdatum"), active.get("einddatum"), rules.get("einddatum")]
    if any(dates):
        named["datums"] = list(dict.fromkeys(d for d in dates if d))
    years = [rules.get("startjaar"), rules.get("eindjaar")]
    if any(years):
        named["jaar"] = list(dict.fromkeys(y for y in years if y))
        if len(named["jaar"]) == 2:
            named["periode"] = list(named["jaar"])
    if rules.get("sleutel") in ("buurtcode", "wijkcode"):
        named[rules["sleutel"]] = rules["sleutel"]
    for key, value in named.items():
        out.setdefault(key, value)
    return out


def near_metres() -> float:
    """The one distance of "wat er al is": in an area or within this many metres of its edge."""
    return float(_registry()["aanwezig"]["nabij_meter"])


def present_kinds() -> dict[str, str]:
    """``{key in "wat er al is": layer name}`` in the order outputs list them."""
    found = {
        spec["aanwezig"]: name
        for name, spec in _registry()["soorten"].items()
        if spec.get("aanwezig")
    }
    order = [k for k in _registry()["aanwezig"].get("volgorde", ()) if k in found]
    return {k: found[k] for k in [*order, *(k for k in found if k not in order)]}


def active_mask(name: str, frame: pd.DataFrame, peildatum: dt.date | str) -> np.ndarray:
    """Which rows of a layer of kind ``name`` are active on ``peildatum`` (the one rule).

    A row is active when its start date (if the kind has one and it is filled) is on or
    before the reference date, its end date (likewise) on or after it, and its status is not
    one the kind calls ended. Columns the frame lacks do not count against a row.

    Examples
    --------
    >>> import pandas as pd
    >>> f = pd.DataFrame({"status": ["actief", "afgerond", "gepland", "actief"],
    ...                   "startdatum": ["2024-01-01", "2023-01-01", "2025-01-01", None],
    ...                   "einddatum": [None, None, None, "2024-06-01"]})
    >>> active_mask("bewonersinitiatieven", f, "2024-09-01").tolist()
    [True, False, False, False]
    >>> active_mask("bewonersinitiatieven", f, "2025-02-01").tolist()
    [True, False, True, False]
    """
    rule = _registry()["soorten"].get(name, {}).get("actief", {})
    ok = np.ones(len(frame), dtype=bool)
    if not len(frame):
        return ok
    when = pd.Timestamp(peildatum)
    start, end = rule.get("startdatum"), rule.get("einddatum")
    if start and start in frame.columns:
        s = pd.to_datetime(frame[start], errors="coerce")
        ok &= (s.isna() | (s <= when)).to_numpy(dtype=bool)
    if end and end in frame.columns:
        e = pd.to_datetime(frame[end], errors="coerce")
        ok &= (e.isna() | (e >= when)).to_numpy(dtype=bool)
    ended = {str(v).lower() for v in rule.get("niet_status", ())}
    if ended and "status" in frame.columns:
        st = frame["status"].astype("string").str.strip().str.lower()
        ok &= ~st.isin(ended).fillna(False).to_numpy(dtype=bool)
    return ok
