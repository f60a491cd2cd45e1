"""Replay the real CBS and PDOK files from ``../shared/realdata`` on a pytest-httpserver.

The services are replayed in their REAL envelopes, fed only with real values:

CBS OData v3 (``serve_cbs``) at ``/ODataFeed/odata/<table>/...``
    ``{"odata.metadata": ".../$metadata#Cbs.OData.WebAPI.<Entity>", "value": [...]}``;
    ``TypedDataSet`` (numbers, ``null``) and ``UntypedDataSet`` (left-padded strings, ``""``),
    paged at ``page_size`` rows (default 10,000 like the real feed) with ``odata.nextLink``;
    ``$filter`` supports ``startswith(F,'x')``, ``F eq 'x'`` and ``substringof('x',F)`` joined
    by ``or``; ``$skip``/``$top``; ``DataProperties``, ``TableInfos``, ``CategoryGroups`` and a
    ``WijkenEnBuurten`` dimension (``Key`` padded to 10, ``Title``). Region keys and
    ``Codering_3`` are right-padded to 10 characters as the service does. Rows are built
    from ``odata/kwb_85984NED/stripped_gemeente_wijk_values_2024.json`` (3,735 gemeente and
    wijk rows, 8 topics; the kit has no raw KWB TypedDataSet page, no buurt rows and no
    Nederland row), names from the Wijk- en Buurtkaart 2024 attributes; wijk titles that the
    kit does not have (Eindhoven) are ``null``. Only the 2024 table (85984NED) exists: any
    other table id answers 404 like CBS does.

PDOK OGC API Features (``serve_pdok``) at ``/cbs/wijken-en-buurten-2024/ogc/v1/...``
    ``collections/{gemeenten,wijken,buurten}/items`` as a GeoJSON FeatureCollection with
    ``links`` (self, next), ``numberReturned``, ``numberMatched``, ``timeStamp``; ``limit``
    (<= 1000, default 10, capped at ``max_limit``), ``offset`` paging, property filters
    (``gemeentecode=GM0392``),
    ``crs=http://www.opengis.net/def/crs/EPSG/0/28992`` honoured (coordinates transformed,
    ``Content-Crs`` header) unless ``honour_crs=False`` (then CRS84, like a server that
    ignores ``crs``). Geometry + snake_case attributes from ``raw/nprz`` (423 gemeente rows
    incl. 81 ``water='JA'`` rows, 969 wijken of ~70 gemeenten, 625 buurten of 12 Rotterdam-region
    gemeenten) plus the 6 full-resolution Haarlem buurten of ``pdok/``. Eindhoven has only its
    gemeente outline in 2024 (no wijk/buurt geometry in the kit).

CBS vierkantstatistieken (``serve_vierkant``)
    at ``/vierkant/{res}/{release}-cbs_vk{res}_{year}_v1.zip`` (paths from ``catalog.json``):
    a zip holding a GeoPackage (EPSG:28992, cell polygons rebuilt from the codes, id column
    ``crs28992res{res}m``) with the real Rijnmond cells of
    ``raw/nprz/grid_{100,500}m_rijnmond_stats.parquet`` (16,383 and 1,641 cells; the nprz author
    had already turned secret values into null). Pass ``vierkant_url=replay.base_url``.

Every JSON response carries an ``ETag`` and ``Last-Modified``; a request with a matching
``If-None-Match`` or ``If-Modified-Since`` gets ``304 Not Modified``.

API
---
``replay = serve_cbs(httpserver, realdata, page_size=10000)`` and
``serve_pdok(httpserver, realdata, replay=replay)`` register on the same server and return a
:class:`Replay`. ``replay.cbs_url`` / ``replay.pdok_url`` are the host roots to pass as
``cbs_url=``/``pdok_url=`` (or ``WIJKGEO_CBS_URL``/``WIJKGEO_PDOK_URL``).

Request log: ``replay.log`` is a list of :class:`Logged` ``(method, path, query, status)``,
one per request in arrival order, so a ``HEAD`` metadata check, a ``304`` revalidation and a
data download are told apart. ``replay.count("TypedDataSet")`` = number of requests whose
path contains that text; ``replay.requests`` = ``[(path, query), ...]``;
``replay.data_requests()`` = GETs that transferred data (not ``304``, not ``TableInfos``);
``replay.clear()`` empties the log.

Rewriting answers: ``replay.transform(match, fn)`` passes the JSON payload of every later
request whose path contains ``match`` through ``fn`` before it is serialised (ETag included,
so a client's validators see the change); ``replay.set_modified("2025-06-30T02:00:00")``
gives TableInfos a new ``Modified`` date (a new table version).

Faults (each applies to the next ``times`` requests whose path (+query) contains ``match``,
then the normal answer resumes):

* ``replay.fail(match, 500, 503, retry_after=None)`` answer these statuses in order;
* ``replay.delay(match, seconds, times=1)`` sleep before answering (timeouts);
* ``replay.html(match, times=1)`` a 200 ``text/html`` error page instead of JSON;
* ``replay.truncate(match, times=1)`` the JSON body cut in half;
* ``replay.drop_next(match, times=1)`` remove ``odata.nextLink`` / ``links[rel=next]``;
* ``replay.missing_page(match)`` every later page (``$skip``>0 / ``offset``>0) answers 404.

Faults hit ``GET`` requests only, unless ``replay.head_faults = True`` (then a ``HEAD``
metadata check fails as well).

Example::

    def test_retry(httpserver, realdata):
        replay = serve_cbs(httpserver, realdata)
        replay.fail("TypedDataSet", 500, 503)
        kc = fetch_kerncijfers("GM0772", 2024, cbs_url=replay.cbs_url)
        assert replay.count("TypedDataSet") == 3
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any, NamedTuple
from urllib.parse import urlencode

import numpy as np
import pandas as pd
from pyproj import Transformer
from werkzeug import Request, Response

__all__ = [
    "Logged",
    "Replay",
    "kwb_rows",
    "pdok_features",
    "serve_cbs",
    "serve_pdok",
    "serve_vierkant",
    "vierkant_zip",
]

KWB_TABLE = "85984NED"
KWB_YEAR = 2024
RD_URI = "http://www.opengis.net/def/crs/EPSG/0/28992"
CRS84_URI = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
LAST_MODIFIED = "Thu, 27 Mar 2025 00:00:00 GMT"  # TableInfos.Modified of 85984NED


def _pad(code: str) -> str:
    return code.ljust(10)


# --------------------------------------------------------------------------- real data
@cache
def _kwb_props(realdata: Path) -> list[dict[str, Any]]:
    return json.loads((realdata / "odata/kwb_85984NED/DataProperties.value.json").read_text())


@cache
def _names(realdata: Path) -> dict[str, str]:
    """Real region names 2024 from the Wijk- en Buurtkaart attributes (gemeenten, wijken)."""
    out: dict[str, str] = {}
    g = pd.read_parquet(realdata / "raw/nprz/gemeente_2024_stats.parquet")
    out.update(zip(g["gemeentecode"], g["gemeentenaam"], strict=True))
    w = pd.read_parquet(realdata / "raw/nprz/wijk_2024_stats.parquet")
    out.update(zip(w["wijkcode"], w["wijknaam"], strict=True))
    return out


@cache
def _kwb_typed(realdata: Path) -> tuple[tuple[str, dict[str, Any]], ...]:
    values = json.loads(
        (realdata / "odata/kwb_85984NED/stripped_gemeente_wijk_values_2024.json").read_text()
    )
    return tuple(values.items())


def kwb_rows(realdata: Path, *, typed: bool = True, titles: bool = False) -> list[dict[str, Any]]:
    """KWB 2024 rows in the TypedDataSet (or UntypedDataSet) shape, from real values.

    ``titles=True`` replaces the ``WijkenEnBuurten`` key by the region title, which is what
    ``cbsodata.get_data`` returns.
    """
    names = _names(realdata)
    rows = []
    for i, (code, vals) in enumerate(_kwb_typed(realdata)):
        gm = "GM" + code[2:6]
        row: dict[str, Any] = {
            "ID": i,
            "WijkenEnBuurten": names.get(code) if titles else _pad(code),
            "Gemeentenaam_1": names.get(gm),
            "SoortRegio_2": _pad("Gemeente" if code.startswith("GM") else "Wijk"),
            "Codering_3": _pad(code),
        }
        for key, value in vals.items():
            if typed:
                row[key] = value
            else:
                row[key] = "" if value is None else f"{value:>8}"
        rows.append(row)
    return rows


def _dimension(realdata: Path) -> list[dict[str, Any]]:
    names = _names(realdata)
    return [
        {
            "Key": _pad(code),
            "Title": names.get(code),
            "Description": None,
            "Municipality": names.get("GM" + code[2:6]),
            "DetailRegionCode": code,
            "CategoryGroupID": None,
        }
        for code, _ in _kwb_typed(realdata)
    ]


@cache
def _layer(realdata: Path, level: str) -> tuple[dict[str, Any], ...]:
    geo = json.loads((realdata / f"raw/nprz/{level}_2024.geojson").read_text())
    stats = pd.read_parquet(realdata / f"raw/nprz/{level}_2024_stats.parquet")
    records = json.loads(stats.to_json(orient="records"))
    feats = []
    for feat, props in zip(geo["features"], records, strict=True):
        code_col = f"{level}code"
        assert feat["properties"][code_col] == props[code_col]
        feats.append(
            {"type": "Feature", "id": feat["id"], "geometry": feat["geometry"], "properties": props}
        )
    if level == "buurt":
        extra = json.loads(
            (realdata / "pdok/ogcapi2024_GM0392_WK039201_buurten_fullres.geojson").read_text()
        )
        for feat in extra["features"]:
            feats.append(
                {
                    "type": "Feature",
                    "id": feat["properties"]["buurtcode"],
                    "geometry": feat["geometry"],
                    "properties": feat["properties"],
                }
            )
    return tuple(feats)


@cache
def _by_gemeente(realdata: Path, level: str) -> dict[str, tuple[int, ...]]:
    """Positions in :func:`_layer` of each gemeente's features (built once per level)."""
    index: dict[str, list[int]] = {}
    for i, feat in enumerate(_layer(realdata, level)):
        index.setdefault(feat["properties"].get("gemeentecode"), []).append(i)
    return {code: tuple(pos) for code, pos in index.items()}


def _copy(feat: dict[str, Any]) -> dict[str, Any]:
    return {**feat, "properties": dict(feat["properties"])}


def pdok_features(realdata: Path, level: str, gemeente: str | None = None) -> list[dict]:
    """Real 2024 features of ``level`` (CRS84) with snake_case attributes, optionally filtered.

    Each feature and its ``properties`` are fresh dicts (change them freely); the
    ``geometry`` is shared with the cached layer: replace it, don't edit it in place.
    """
    feats = _layer(realdata, level)
    if gemeente:
        return [_copy(feats[i]) for i in _by_gemeente(realdata, level).get(gemeente, ())]
    return [_copy(f) for f in feats]


_TO_RD = Transformer.from_crs("OGC:CRS84", "EPSG:28992", always_xy=True)


def _to_rd(coords: Any) -> Any:
    """CRS84 GeoJSON coordinates to RD (metres, 3 decimals); one pyproj call per ring."""
    if coords and isinstance(coords[0], (int, float)):
        x, y = _TO_RD.transform(coords[0], coords[1])
        return [round(x, 3), round(y, 3)]
    if coords and coords[0] and isinstance(coords[0][0], (int, float)):
        xy = np.asarray(coords, dtype=float)
        x, y = _TO_RD.transform(xy[:, 0], xy[:, 1])
        return np.round(np.column_stack([x, y]), 3).tolist()
    return [_to_rd(c) for c in coords]


@cache
def _rd_geometry(realdata: Path, level: str, position: int) -> dict[str, Any] | None:
    """The geometry of feature ``position`` of :func:`_layer` in RD (computed once)."""
    geom = _layer(realdata, level)[position]["geometry"]
    if not geom:
        return geom
    return {**geom, "coordinates": _to_rd(geom["coordinates"])}


# --------------------------------------------------------------------------- server
@dataclass
class _Fault:
    match: str
    kind: str
    times: int
    arg: Any = None


class Logged(NamedTuple):
    """One request as the replay saw and answered it."""

    method: str
    path: str
    query: dict[str, str]
    status: int


@dataclass
class Replay:
    """Routes, faults and a request log on one pytest-httpserver (see module docstring)."""

    server: Any
    realdata: Path
    page_size: int = 10000
    pdok_limit: int = 10
    pdok_max_limit: int = 1000
    honour_crs: bool = True
    head_faults: bool = False
    log: list[Logged] = field(default_factory=list)
    _transforms: list[tuple[str, Callable[[Any], Any]]] = field(default_factory=list)
    _faults: list[_Fault] = field(default_factory=list)
    _missing: list[str] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    cbs: bool = False
    pdok: bool = False
    files: dict[str, bytes] = field(default_factory=dict)

    @property
    def base_url(self) -> str:
        return self.server.url_for("/").rstrip("/")

    cbs_url = base_url
    pdok_url = base_url

    # ---- faults
    def _add(self, match: str, kind: str, times: int, arg: Any = None) -> Replay:
        with self._lock:
            self._faults.append(_Fault(match, kind, times, arg))
        return self

    def fail(self, match: str, *statuses: int, retry_after: float | None = None) -> Replay:
        """Answer the next requests matching ``match`` with ``statuses`` in order."""
        for status in statuses:
            self._add(match, "status", 1, (status, retry_after))
        return self

    def delay(self, match: str, seconds: float, times: int = 1) -> Replay:
        """Sleep ``seconds`` before answering the next ``times`` matching requests."""
        return self._add(match, "delay", times, seconds)

    def html(self, match: str, times: int = 1) -> Replay:
        """Answer an HTML error page (status 200, text/html)."""
        return self._add(match, "html", times)

    def truncate(self, match: str, times: int = 1) -> Replay:
        """Answer the JSON body cut in half."""
        return self._add(match, "truncate", times)

    def drop_next(self, match: str, times: int = 1) -> Replay:
        """Remove ``odata.nextLink`` / ``links[rel=next]`` from the next matching pages."""
        return self._add(match, "drop_next", times)

    def missing_page(self, match: str) -> Replay:
        """Every later page (``$skip`` > 0 or ``offset`` > 0) of ``match`` answers 404."""
        with self._lock:
            self._missing.append(match)
        return self

    def transform(self, match: str, fn: Callable[[Any], Any]) -> Replay:
        """Pass the JSON payload of later requests whose path contains ``match`` through ``fn``."""
        with self._lock:
            self._transforms.append((match, fn))
        return self

    def set_modified(self, modified: str) -> Replay:
        """Answer TableInfos with this ``Modified`` date from now on (a new table version)."""

        def _set(payload: dict[str, Any]) -> dict[str, Any]:
            payload["value"][0]["Modified"] = modified
            return payload

        return self.transform("TableInfos", _set)

    # ---- request log
    @property
    def requests(self) -> list[tuple[str, dict[str, str]]]:
        """``(path, query)`` of every request so far."""
        return [(e.path, e.query) for e in self.log]

    def count(self, match: str = "") -> int:
        """Number of requests whose path contains ``match``."""
        return sum(1 for e in self.log if match in e.path)

    def data_requests(self) -> list[Logged]:
        """GET requests that transferred data: not answered 304, not the TableInfos check."""
        return [
            e
            for e in self.log
            if e.method == "GET" and e.status != 304 and not e.path.endswith("/TableInfos")
        ]

    def clear(self) -> None:
        """Forget the request log."""
        with self._lock:
            self.log.clear()

    def _take(self, target: str) -> list[_Fault]:
        taken = []
        with self._lock:
            for fault in self._faults:
                if fault.times > 0 and fault.match in target:
                    if fault.kind == "status" and any(t.kind == "status" for t in taken):
                        continue
                    fault.times -= 1
                    taken.append(fault)
        return taken

    # ---- dispatch
    def handle(self, request: Request) -> Response:
        args = {k: v for k, v in request.args.items()}
        response = self._respond(request, request.path, args)
        with self._lock:
            self.log.append(Logged(request.method, request.path, args, response.status_code))
        return response

    def _respond(self, request: Request, path: str, args: dict[str, str]) -> Response:
        target = path + "?" + urlencode(args)
        faults = [] if request.method == "HEAD" and not self.head_faults else self._take(target)
        for fault in faults:
            if fault.kind == "delay":
                time.sleep(fault.arg)
        for fault in faults:
            if fault.kind == "status":
                status, retry_after = fault.arg
                headers = {"Retry-After": str(retry_after)} if retry_after is not None else {}
                return Response(f"fout {status}", status=status, headers=headers)
            if fault.kind == "html":
                return Response(
                    "<!DOCTYPE html><html><body><h1>Onderhoud</h1></body></html>",
                    status=200,
                    content_type="text/html; charset=utf-8",
                )
        for match in self._missing:
            if match in path and (
                int(args.get("$skip", 0) or 0) > 0 or int(args.get("offset", 0) or 0) > 0
            ):
                return Response("Not found", status=404)
        kinds = {f.kind for f in faults}
        if path in self.files:
            data = self.files[path]
            etag = '"' + hashlib.sha1(data).hexdigest()[:16] + '"'
            if request.headers.get("If-None-Match") == etag:
                return Response(status=304, headers={"ETag": etag})
            if "truncate" in kinds:
                data = data[: len(data) // 2]
            return Response(
                data,
                content_type="application/zip",
                headers={"ETag": etag, "Last-Modified": LAST_MODIFIED},
            )
        try:
            if self.cbs and path.startswith("/ODataFeed/"):
                payload, headers = self._cbs(path, args, "drop_next" in kinds), {}
            elif self.pdok and path.startswith("/cbs/"):
                payload, headers = self._pdok(path, args, "drop_next" in kinds)
            else:
                return Response("Not found", status=404)
        except _NotFound:
            return Response(
                json.dumps({"odata.error": {"message": "not found"}}),
                status=404,
                content_type="application/json",
            )
        except _BadRequest as exc:
            return Response(str(exc), status=400)
        fns = [fn for match, fn in list(self._transforms) if match in path]
        if fns:  # on a private copy: the payload may share cached rows and geometries
            payload = json.loads(json.dumps(payload))
            for fn in fns:
                payload = fn(payload)
        body = json.dumps(payload).encode()
        etag = '"' + hashlib.sha1(body).hexdigest()[:16] + '"'
        if request.headers.get("If-None-Match") == etag or (
            request.headers.get("If-Modified-Since") == LAST_MODIFIED
        ):
            return Response(status=304, headers={"ETag": etag, "Last-Modified": LAST_MODIFIED})
        if "truncate" in kinds:
            body = body[: len(body) // 2]
        ctype = "application/geo+json" if path.startswith("/cbs/") else "application/json"
        return Response(
            body,
            status=200,
            content_type=ctype,
            headers={"ETag": etag, "Last-Modified": LAST_MODIFIED, **headers},
        )

    # ---- CBS OData v3
    def _cbs(self, path: str, args: dict[str, str], drop_next: bool) -> dict[str, Any]:
        m = re.match(r"^/ODataFeed/odata/(\w+)/?(\w*)$", path)
        if not m or m.group(1) != KWB_TABLE:
            raise _NotFound
        table, entity = m.groups()
        root = f"{self.base_url}/ODataFeed/odata/{table}"
        meta = f"{root}/$metadata#Cbs.OData.WebAPI.{entity}"
        if entity == "":
            names = [
                "TableInfos",
                "UntypedDataSet",
                "TypedDataSet",
                "DataProperties",
                "CategoryGroups",
                "WijkenEnBuurten",
            ]
            return {
                "odata.metadata": f"{root}/$metadata",
                "value": [{"name": n, "url": f"{root}/{n}"} for n in names],
            }
        if entity == "DataProperties":
            rows = _kwb_props(self.realdata)
        elif entity == "TableInfos":
            rows = json.loads(
                (self.realdata / "odata/kwb_85984NED/TableInfos.value.json").read_text()
            )
        elif entity == "CategoryGroups":
            rows = []
        elif entity == "WijkenEnBuurten":
            rows = _dimension(self.realdata)
        elif entity in ("TypedDataSet", "UntypedDataSet"):
            rows = kwb_rows(self.realdata, typed=entity == "TypedDataSet")
        else:
            raise _NotFound
        rows = [r for r in rows if _odata_filter(args.get("$filter"), r)]
        skip = int(args.get("$skip", 0) or 0)
        top = int(args["$top"]) if args.get("$top") else None
        rows = rows[skip:]
        if top is not None:
            rows = rows[:top]
        out: dict[str, Any] = {"odata.metadata": meta, "value": rows[: self.page_size]}
        if len(rows) > self.page_size and not drop_next:
            nxt = {k: v for k, v in args.items() if k != "$skip"}
            nxt["$skip"] = str(skip + self.page_size)
            out["odata.nextLink"] = f"{root}/{entity}?{urlencode(nxt, safe='$,()')}"
        return out

    # ---- PDOK OGC API Features
    def _pdok(self, path: str, args: dict[str, str], drop_next: bool):
        m = re.match(r"^/cbs/wijken-en-buurten-(\d{4})/ogc/v1/collections/(\w+)/items$", path)
        levels = {"gemeenten": "gemeente", "wijken": "wijk", "buurten": "buurt"}
        if not m or int(m.group(1)) != KWB_YEAR or m.group(2) not in levels:
            raise _NotFound
        level = levels[m.group(2)]
        limit = int(args.get("limit", self.pdok_limit))
        if not 1 <= limit <= 1000:
            raise _BadRequest("limit must be between 1 and 1000")
        limit = min(limit, self.pdok_max_limit)
        offset = int(args.get("offset", 0) or 0)
        layer = _layer(self.realdata, level)
        if "gemeentecode" in args:
            matched = _by_gemeente(self.realdata, level).get(args["gemeentecode"], ())
        else:
            matched = range(len(layer))
        skip = {"f", "limit", "offset", "crs", "bbox", "bbox-crs", "gemeentecode"}
        for key, value in args.items():
            if key not in skip:
                matched = [i for i in matched if str(layer[i]["properties"].get(key)) == value]
        rd = self.honour_crs and args.get("crs") == RD_URI
        page = [
            _copy(layer[i]) | ({"geometry": _rd_geometry(self.realdata, level, i)} if rd else {})
            for i in matched[offset : offset + limit]
        ]
        base = f"{self.base_url}{path}"
        links = [
            {
                "rel": "self",
                "type": "application/geo+json",
                "title": "This document as GeoJSON",
                "href": f"{base}?{urlencode(args)}",
            }
        ]
        if offset + limit < len(matched) and not drop_next:
            nxt = dict(args, offset=str(offset + limit))
            links.append(
                {
                    "rel": "next",
                    "type": "application/geo+json",
                    "title": "Next page",
                    "href": f"{base}?{urlencode(nxt)}",
                }
            )
        payload = {
            "type": "FeatureCollection",
            "timeStamp": dt.datetime(2025, 3, 27, tzinfo=dt.timezone.utc).isoformat(),
            "links": links,
            "numberReturned": len(page),
            "numberMatched": len(matched),
            "features": page,
        }
        headers = {"Content-Crs": f"<{RD_URI if rd else CRS84_URI}>"}
        return payload, headers


class _NotFound(Exception):
    pass


class _BadRequest(Exception):
    pass


_CLAUSE = re.compile(
    r"^\s*(?:startswith\((\w+),'([^']*)'\)|(\w+) eq '([^']*)'|substringof\('([^']*)',(\w+)\))\s*$"
)


def _odata_filter(expr: str | None, row: dict[str, Any]) -> bool:
    if not expr:
        return True
    for clause in expr.split(" or "):
        m = _CLAUSE.match(clause)
        if not m:
            raise _BadRequest(f"unsupported $filter clause {clause!r}")
        sw_field, sw_val, eq_field, eq_val, sub_val, sub_field = m.groups()
        if sw_field and str(row.get(sw_field, "")).startswith(sw_val):
            return True
        if eq_field and str(row.get(eq_field, "")) == eq_val:
            return True
        if sub_field and sub_val in str(row.get(sub_field, "")):
            return True
    return False


def _install(httpserver: Any, realdata: Path, replay: Replay | None, **kwargs: Any) -> Replay:
    if replay is None:
        replay = Replay(server=httpserver, realdata=Path(realdata), **kwargs)
        httpserver.expect_request(re.compile(r".*")).respond_with_handler(replay.handle)
    else:
        for key, value in kwargs.items():
            setattr(replay, key, value)
    return replay


def serve_cbs(
    httpserver: Any, realdata: Path, *, page_size: int = 10000, replay: Replay | None = None
) -> Replay:
    """Replay the CBS OData v3 feed of KWB 2024 (85984NED); returns the :class:`Replay`."""
    replay = _install(httpserver, realdata, replay, page_size=page_size)
    replay.cbs = True
    return replay


def serve_pdok(
    httpserver: Any,
    realdata: Path,
    *,
    limit: int = 10,
    max_limit: int = 1000,
    honour_crs: bool = True,
    replay: Replay | None = None,
) -> Replay:
    """Replay the PDOK OGC API ``wijken-en-buurten-2024``.

    ``limit`` is the page size when the client sends none; ``max_limit`` caps what a client
    may ask (set it low, e.g. 5, to force paging through ``links`` rel=next).
    """
    replay = _install(
        httpserver,
        realdata,
        replay,
        pdok_limit=limit,
        pdok_max_limit=max_limit,
        honour_crs=honour_crs,
    )
    replay.pdok = True
    return replay


def vierkant_zip(realdata: Path, res: int, folder: Path) -> Path:
    """A CBS-like vierkantstatistieken zip (GeoPackage inside) from the real Rijnmond cells."""
    import zipfile

    import geopandas as gpd
    import shapely

    target = Path(folder) / f"vk{res}.zip"
    if target.exists():
        return target
    stats = pd.read_parquet(Path(realdata) / f"raw/nprz/grid_{res}m_rijnmond_stats.parquet")
    codes = stats[f"crs28992res{res}m"]
    x = codes.str[1:5].astype(int).to_numpy() * 100
    y = codes.str[6:10].astype(int).to_numpy() * 100
    gdf = gpd.GeoDataFrame(stats, geometry=shapely.box(x, y, x + res, y + res), crs="EPSG:28992")
    gpkg = Path(folder) / f"cbs_vk{res}_2024_v1.gpkg"
    gdf.to_file(gpkg, driver="GPKG", layer=f"vierkant_{res}m")
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.write(gpkg, gpkg.name)
    gpkg.unlink()
    return target


def serve_vierkant(
    httpserver: Any,
    realdata: Path,
    folder: Path,
    *,
    year: int = 2024,
    resolutions: tuple[int, ...] = (500, 100),
    replay: Replay | None = None,
) -> Replay:
    """Serve vierkantstatistieken zips at the catalog's download paths (see module docstring).

    ``folder`` keeps the built zips (use ``tmp_path_factory`` to build them once per session).
    """
    from wijkgeo.sources import catalog

    replay = _install(httpserver, realdata, replay)
    for res in resolutions:
        url = catalog.vierkant_url(year, res, download_url="http://replay")
        path = url.removeprefix("http://replay")
        replay.files[path] = vierkant_zip(realdata, res, folder).read_bytes()
    return replay
