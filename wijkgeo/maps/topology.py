"""A compact topology of a polygon coverage: shared edges once, quantised, delta-encoded.

The map embeds every geometry once. :func:`encode_coverage` turns the (coverage-simplified,
WGS84) buurt polygons into

- **arcs**: the pieces of boundary between two junctions (a junction is a vertex where the
  set of neighbouring polygons changes). A shared edge between two buurten is one arc, used
  by both (the second one walks it backwards), like TopoJSON;
- **rings**: per polygon, per part, per ring, the list of arc references (``i`` forwards,
  ``~i`` = ``-i - 1`` backwards);
- **arc users**: per arc the one or two polygons that use it, so any border that lies on buurt
  edges (wijk borders, gemeente borders) is a list of arc indices and costs no coordinates.

Coordinates are quantised to an integer grid (``quantum`` metres, in degrees) and written as
one stream: per arc its point count, then the x/y steps from the previous point (the first
point continues from the end of the previous arc, so neighbouring arcs cost small numbers).
The stream is a base64 VLQ string (the encoding of JavaScript source maps: 5 bits per
character, sign in the lowest bit of the first one): a step below 16 grid units takes one
character, below 512 two. ``engine.js`` decodes it in the browser.

Examples
--------
>>> import numpy as np
>>> from shapely.geometry import box
>>> from wijkgeo.maps.topology import decode_vlq, encode_coverage, encode_vlq
>>> decode_vlq(encode_vlq([0, 1, -1, 15, 16, -600]))
[0, 1, -1, 15, 16, -600]
>>> topo = encode_coverage(np.array([box(5, 52, 5.01, 52.01), box(5.01, 52, 5.02, 52.01)]))
>>> len(topo.arcs)   # the outside of each square and the shared edge once
3
"""

from __future__ import annotations

import itertools
import logging
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np

log = logging.getLogger(__name__)

__all__ = ["Topology", "decode_coverage", "decode_vlq", "encode_coverage", "encode_vlq"]

_B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
_B64_INDEX = {c: i for i, c in enumerate(_B64)}
#: Metres per degree of latitude (close enough for choosing a grid step).
_M_PER_DEG = 111_320.0


def encode_vlq(values: Iterable[int | None]) -> str:
    """Base64 VLQ of signed integers; ``None`` is written as "minus zero" (``"B"``).

    Examples
    --------
    >>> from wijkgeo.maps.topology import encode_vlq
    >>> encode_vlq([0, 1, -1, None, 16])
    'ACDBgB'
    """
    out: list[str] = []
    append = out.append
    for value in values:
        if value is None:
            append("B")
            continue
        v = int(value)
        v = (-v << 1) | 1 if v < 0 else v << 1
        while True:
            digit = v & 31
            v >>= 5
            if v:
                append(_B64[digit | 32])
            else:
                append(_B64[digit])
                break
    return "".join(out)


def decode_vlq(text: str) -> list[int | None]:
    """Inverse of :func:`encode_vlq` (the Python twin of the decoder in ``engine.js``).

    Examples
    --------
    >>> from wijkgeo.maps.topology import decode_vlq
    >>> decode_vlq("ACDBgB")
    [0, 1, -1, None, 16]
    """
    out: list[int | None] = []
    value = shift = 0
    for ch in text:
        digit = _B64_INDEX[ch]
        value += (digit & 31) << shift
        if digit & 32:
            shift += 5
            continue
        negative, value = value & 1, value >> 1
        out.append((None if value == 0 else -value) if negative else value)
        value = shift = 0
    return out


@dataclass
class Topology:
    """The encoded coverage; see the module docstring.

    Attributes
    ----------
    origin : tuple of float
        ``(lon0, lat0)`` of grid point (0, 0).
    step : tuple of float
        ``(dlon, dlat)``: degrees per grid unit.
    arcs : list of numpy.ndarray
        Per arc its grid points, shape ``(n, 2)``.
    rings : list
        Per polygon: parts, each a list of rings, each a list of arc references.
    users : list of tuple of int
        Per arc the polygons (indices) whose rings use it.
    """

    origin: tuple[float, float]
    step: tuple[float, float]
    arcs: list[np.ndarray] = field(default_factory=list)
    rings: list[list[list[list[int]]]] = field(default_factory=list)
    users: list[tuple[int, ...]] = field(default_factory=list)

    def arc_stream(self) -> str:
        """All arcs as one VLQ string: per arc its point count, then its delta steps."""
        values: list[int] = []
        last = np.zeros(2, dtype=np.int64)
        for arc in self.arcs:
            steps = np.diff(np.vstack([last, arc]), axis=0)
            values.append(len(arc))
            values.extend(steps.ravel().tolist())
            last = arc[-1]
        return encode_vlq(values)

    def border_arcs(self, groups: Sequence[object]) -> list[int]:
        """Arcs on the border of ``groups`` (one label per polygon) or on the outside."""
        out = []
        for i, users in enumerate(self.users):
            if len(users) == 1 or len({groups[u] for u in users}) > 1:
                out.append(i)
        return out

    @property
    def n_points(self) -> int:
        """Grid points over all arcs (each shared edge counted once)."""
        return int(sum(len(a) for a in self.arcs))

    def to_json(self) -> dict:
        """The JSON-ready form ``engine.js`` reads."""
        return {
            "origin": [self.origin[0], self.origin[1]],
            "step": [self.step[0], self.step[1]],
            "arcs": self.arc_stream(),
            "rings": self.rings,
        }


def grid_step(lat: float, quantum: float) -> tuple[float, float]:
    """Degrees of longitude and latitude that make a ``quantum`` metre grid at ``lat``."""
    dlat = quantum / _M_PER_DEG
    dlon = quantum / (_M_PER_DEG * math.cos(math.radians(lat)))
    return dlon, dlat


def _rings_of(geoms: np.ndarray) -> tuple[list[np.ndarray], list[tuple[int, int]]]:
    """Open rings (coordinates without the closing point) and their (polygon, part) owner."""
    import shapely

    rings, owners = [], []
    for i, geom in enumerate(geoms):
        parts = shapely.get_parts(geom)
        for j, part in enumerate(parts):
            if part.is_empty:
                continue
            for ring in (part.exterior, *part.interiors):
                coords = np.asarray(ring.coords)[:-1, :2]
                rings.append(coords)
                owners.append((i, j))
    return rings, owners


def encode_coverage(geoms: np.ndarray, quantum: float = 1.0) -> Topology:
    """Encode WGS84 polygons (ideally a clean coverage) as a :class:`Topology`.

    Parameters
    ----------
    geoms : array of Polygon or MultiPolygon
        In EPSG:4326 (lon, lat).
    quantum : float
        Grid step in metres; about half the simplification tolerance loses nothing visible.

    Returns
    -------
    Topology

    Examples
    --------
    >>> import numpy as np
    >>> from shapely.geometry import box
    >>> from wijkgeo.maps.topology import encode_coverage
    >>> t = encode_coverage(np.array([box(5, 52, 5.01, 52.01), box(5.01, 52, 5.02, 52.01)]))
    >>> sorted(t.users)
    [(0,), (0, 1), (1,)]
    """
    import shapely

    bounds = shapely.total_bounds(geoms)
    lat_mid = (bounds[1] + bounds[3]) / 2 if np.isfinite(bounds).all() else 52.0
    dlon, dlat = grid_step(lat_mid, quantum)
    origin = (float(bounds[0]), float(bounds[1]))
    raw_rings, owners = _rings_of(geoms)
    rings: list[np.ndarray] = []
    for coords in raw_rings:
        q = np.column_stack(
            [np.rint((coords[:, 0] - origin[0]) / dlon), np.rint((coords[:, 1] - origin[1]) / dlat)]
        ).astype(np.int64)
        keep = np.r_[True, (q[1:] != q[:-1]).any(axis=1)]  # drop repeated grid points
        q = q[keep]
        if len(q) > 1 and (q[0] == q[-1]).all():
            q = q[:-1]
        rings.append(q)
    topo = Topology(origin=origin, step=(dlon, dlat))
    topo.rings = [[] for _ in range(len(geoms))]
    if not rings:
        return topo

    # every grid point gets an id; a junction is a point seen with two different neighbour pairs
    lengths = np.array([len(r) for r in rings])
    allq = np.vstack(rings)
    key = (allq[:, 0] << 32) + allq[:, 1]
    _, vid = np.unique(key, return_inverse=True)
    vid = vid.ravel()
    starts = np.r_[0, np.cumsum(lengths)[:-1]]
    ring_of = np.repeat(np.arange(len(rings)), lengths)
    pos = np.arange(len(vid)) - starts[ring_of]
    n_of = lengths[ring_of]
    prev = vid[starts[ring_of] + (pos - 1) % n_of]
    nxt = vid[starts[ring_of] + (pos + 1) % n_of]
    lo, hi = np.minimum(prev, nxt), np.maximum(prev, nxt)
    pairs = np.unique(np.column_stack([vid, lo, hi]), axis=0)
    n_pairs = np.bincount(pairs[:, 0], minlength=int(vid.max()) + 1)
    junction = (n_pairs[vid] > 1) | (prev == nxt)

    index: dict[bytes, int] = {}
    users: list[set[int]] = []

    def ref(ids: np.ndarray, points: np.ndarray, owner: int) -> int:
        fwd = ids.tobytes()
        found = index.get(fwd)
        if found is not None:
            users[found].add(owner)
            return found
        found = index.get(ids[::-1].tobytes())
        if found is not None:
            users[found].add(owner)
            return ~found
        index[fwd] = len(topo.arcs)
        topo.arcs.append(points)
        users.append({owner})
        return len(topo.arcs) - 1

    current_part: dict[tuple[int, int], list[list[int]]] = {}
    for r, (poly, part) in enumerate(owners):
        s, n = starts[r], lengths[r]
        ids, pts, jun = vid[s : s + n], allq[s : s + n], junction[s : s + n]
        cuts = np.flatnonzero(jun)
        refs: list[int] = []
        if len(cuts) == 0:  # a ring without junctions (an island, an enclave): one closed arc
            k = int(np.argmin(ids))
            ids, pts = np.roll(ids, -k), np.roll(pts, -k, axis=0)
            refs.append(ref(np.r_[ids, ids[:1]], np.vstack([pts, pts[:1]]), poly))
        else:
            k = int(cuts[0])
            ids, pts = np.roll(ids, -k), np.roll(pts, -k, axis=0)
            cuts = np.r_[cuts - k, n]
            for a, b in itertools.pairwise(cuts):
                seg = np.r_[np.arange(a, b), b % n]
                refs.append(ref(ids[seg], pts[seg], poly))
        key_part = (poly, part)
        if key_part not in current_part:
            current_part[key_part] = []
            topo.rings[poly].append(current_part[key_part])
        current_part[key_part].append(refs)
    topo.users = [tuple(sorted(u)) for u in users]
    log.debug(
        "topologie: %d ringen, %d bogen, %d punten (van %d)",
        len(rings),
        len(topo.arcs),
        topo.n_points,
        int(lengths.sum()),
    )
    return topo


def decode_coverage(data: dict) -> list:
    """Polygons back from :meth:`Topology.to_json` (what ``engine.js`` draws), for checks.

    Examples
    --------
    >>> import numpy as np
    >>> from shapely.geometry import box
    >>> from wijkgeo.maps.topology import decode_coverage, encode_coverage
    >>> squares = np.array([box(5, 52, 5.01, 52.01), box(5.01, 52, 5.02, 52.01)])
    >>> back = decode_coverage(encode_coverage(squares, quantum=0.5).to_json())
    >>> [round(g.area / s.area, 2) for g, s in zip(back, squares)]
    [1.0, 1.0]
    """
    from shapely.geometry import MultiPolygon, Polygon

    flat = decode_vlq(data["arcs"])
    (x0, y0), (dx, dy) = data["origin"], data["step"]
    arcs, i, x, y = [], 0, 0, 0
    while i < len(flat):
        n = flat[i]
        i += 1
        pts = []
        for _ in range(n):
            x += flat[i]
            y += flat[i + 1]
            i += 2
            pts.append((x0 + x * dx, y0 + y * dy))
        arcs.append(pts)

    def ring(refs: list[int]) -> list[tuple[float, float]]:
        out: list[tuple[float, float]] = []
        for r in refs:
            pts = arcs[r] if r >= 0 else arcs[~r][::-1]
            out.extend(pts if not out else pts[1:])
        return out

    polys = []
    for parts in data["rings"]:
        made = [Polygon(ring(rs[0]), [ring(h) for h in rs[1:]]) for rs in parts]
        polys.append(made[0] if len(made) == 1 else MultiPolygon(made))
    return polys
