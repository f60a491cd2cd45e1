""""Wat er al is": the one rule for what is already in or near an area.

Every output that says what is already there reads it from here: the koppelkansen (their
``laag`` conditions filter through the same :func:`wijkgeo.kinds.active_mask`, and their
"wat er al is" sentence lists :func:`what_is_here`), the profile's section, the map's
popups and its "Check deze plek" panel. The rule, stated once:

- a feature of every kind that has an ``aanwezig`` key in ``wijkgeo/kinds.json``
  (bewonersinitiatieven, voorzieningen, projecten);
- **active on the reference date** (:func:`wijkgeo.kinds.active_mask`: started, not ended,
  not ``afgerond``);
- **in the area or within** ``nabij_meter`` (``kinds.json``, one setting, 250 m) of its edge.

The result is plain data (:meth:`Present.to_dict` is JSON): per unit, per key, the features
with their columns, whether they lie inside and their distance to the area in metres.

Examples
--------
>>> import wijkgeo
>>> from wijkgeo.facts.present import what_is_here
>>> here = what_is_here(wijkgeo.make_demo(), "buurt")
>>> sorted(here.of("BU99990000"))
['initiatieven', 'projecten', 'voorzieningen']
"""

from __future__ import annotations

import datetime as dt
import logging
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from .. import kinds as _kinds
from .._errors import ConfigError
from ..conventions import CODE_COLUMN, CRS

if TYPE_CHECKING:  # pragma: no cover
    from ..atlas import Atlas

__all__ = ["Present", "reference_date", "what_is_here"]

log = logging.getLogger(__name__)


def reference_date(atlas: Any, peildatum: dt.date | str | None = None) -> dt.date:
    """The reference date: ``peildatum`` if given, else the Atlas's, else today.

    Raises
    ------
    ConfigError
        When the given date is not ``JJJJ-MM-DD``.

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> reference_date(SimpleNamespace(meta={"peildatum": "2024-09-01T00:00:00"}))
    datetime.date(2024, 9, 1)
    >>> reference_date(SimpleNamespace(meta={}), "2025-01-31")
    datetime.date(2025, 1, 31)
    """
    value = peildatum or (getattr(atlas, "meta", None) or {}).get("peildatum")
    if value is None:
        return dt.date.today()
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value)[:10])
    except ValueError:
        raise ConfigError(f"peildatum {value!r} is geen datum (JJJJ-MM-DD).") from None


def _jsonable(value: Any) -> Any:
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, (pd.Timestamp, dt.date)):
        return value.isoformat()[:10]
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        v = float(value)
        if math.isnan(v):
            return None
        return int(v) if v.is_integer() else v
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    return str(value).strip() if isinstance(value, str) else value


@dataclass
class Present:
    """What is already in or near each unit of one level, on one reference date.

    ``items[key][i]`` lists the features of key ``key`` (``initiatieven``, ``voorzieningen``,
    ``projecten``) around unit ``i`` (``codes[i]``), in layer order; each is a dict of the
    feature's columns plus ``laag``, ``index`` (row in ``atlas.local[laag]``), ``binnen`` (in
    the unit) and ``afstand`` (metres from the unit's edge). ``known[key]`` says whether
    the Atlas has that layer at all.
    """

    level: str
    codes: list[str]
    peildatum: dt.date
    distance: float
    known: dict[str, bool] = field(default_factory=dict)
    items: dict[str, list[list[dict[str, Any]]]] = field(default_factory=dict)

    def position(self, code: str) -> int:
        """The unit index of ``code`` (KeyError when unknown)."""
        if not hasattr(self, "_pos"):
            self._pos = {c: i for i, c in enumerate(self.codes)}
        return self._pos[code]

    def of(self, code: str) -> dict[str, list[dict[str, Any]]]:
        """``{key: features}`` around one unit."""
        i = self.position(code)
        return {key: per_unit[i] for key, per_unit in self.items.items()}

    @property
    def any_known(self) -> bool:
        """Does the Atlas hold any of the layers at all?"""
        return any(self.known.values())

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-able data: settings and, per code, the features per key."""
        return {
            "niveau": self.level,
            "peildatum": self.peildatum.isoformat(),
            "nabij_meter": self.distance,
            "bekend": dict(self.known),
            "per_gebied": {c: self.of(c) for c in self.codes},
        }


def _areas(atlas: Atlas, level: str) -> tuple[list[str], np.ndarray]:
    if level == "vierkant":
        frame = (atlas.vierkanten or {}).get("500m")
        col = "celcode"
    else:
        frame = atlas.buurten if level == "buurt" else atlas.wijken
        col = CODE_COLUMN[level]
    if frame is None or not len(frame):
        return [], np.empty(0, dtype=object)
    if frame.crs is not None and frame.crs != CRS:
        frame = frame.to_crs(CRS)
    return frame[col].astype(str).str.strip().tolist(), frame.geometry.to_numpy()


def what_is_here(
    atlas: Atlas,
    level: str,
    *,
    peildatum: dt.date | str | None = None,
    areas: tuple[Sequence[str], np.ndarray] | None = None,
) -> Present:
    """What is already in or near every unit of ``level`` (``buurt``, ``wijk``, ``vierkant``).

    Parameters
    ----------
    atlas : Atlas
        Its local layers are read (``atlas.local``); EPSG:28992 throughout.
    level : str
        ``"buurt"``, ``"wijk"`` or ``"vierkant"`` (the Atlas's 500 m cells).
    peildatum : date or str, optional
        Reference date; default :func:`reference_date` of the Atlas.
    areas : (codes, geometries), optional
        Other units than the Atlas's (the koppelkansen pass their own).

    Returns
    -------
    Present
    """
    import shapely

    when = reference_date(atlas, peildatum)
    near = _kinds.near_metres()
    codes, geoms = (list(areas[0]), np.asarray(areas[1], dtype=object)) if areas else _areas(
        atlas, level
    )
    out = Present(level, [str(c) for c in codes], when, near)
    local = getattr(atlas, "local", None) or {}
    n = len(codes)
    for key, name in _kinds.present_kinds().items():
        per_unit: list[list[dict[str, Any]]] = [[] for _ in range(n)]
        out.items[key] = per_unit
        layer = local.get(name)
        if layer is None or not hasattr(layer, "geometry") or layer.geometry.name not in layer:
            out.known[key] = False
            continue
        out.known[key] = True
        if not len(layer) or not n:
            continue
        if layer.crs is not None and layer.crs != CRS:
            layer = layer.to_crs(CRS)
        keep = _kinds.active_mask(name, layer, when)
        fg = layer.geometry.to_numpy()
        ok = keep & np.array([g is not None for g in fg]) & ~shapely.is_empty(fg)
        idx = np.flatnonzero(ok)
        if not len(idx):
            continue
        tree = shapely.STRtree(fg[idx])
        ui, fj = tree.query(geoms, predicate="dwithin", distance=near)
        fj = idx[fj]
        dist = shapely.distance(geoms[ui], fg[fj])
        order = np.lexsort((fj, ui))
        cols = [c for c in layer.columns if c != layer.geometry.name]
        records: dict[int, dict[str, Any]] = {}
        for i, j, d in zip(ui[order], fj[order], dist[order], strict=True):
            j = int(j)
            if j not in records:
                row = layer.iloc[j]
                records[j] = {c: _jsonable(row[c]) for c in cols}
            rec = dict(records[j])
            rec.update(
                laag=name, index=j, binnen=bool(d <= 1e-9), afstand=round(float(d), 1)
            )
            per_unit[int(i)].append(rec)
    return out
