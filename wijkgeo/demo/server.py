"""A local stand-in for CBS and PDOK serving the demo gemeente Demodam, fully offline.

:class:`DemoServer` (stdlib :mod:`http.server`, in a background thread) answers the requests
:func:`wijkgeo.fetch` and :func:`wijkgeo.refresh.refresh` make, in the real services'
envelopes, with the payloads of :func:`wijkgeo.demo.demo_sources`:

* CBS OData v3 at ``/ODataFeed/odata/<table>/<entity>``: ``{"odata.metadata", "value"}``
  for ``TableInfos`` (with ``Modified``), ``DataProperties``, ``TypedDataSet`` (padded keys)
  and the ``WijkenEnBuurten`` dimension;
* PDOK OGC API Features at ``/cbs/wijken-en-buurten-<year>/ogc/v1/collections/<c>/items``:
  GeoJSON FeatureCollections in EPSG:28992 (``Content-Crs``), filtered on ``gemeentecode``,
  paged through ``links`` rel=next (at most 5 features a page, so paging is exercised);
* CBS's zipped Wijk- en Buurtkaart of the years before PDOK (2015-2018, the paths of
  ``catalog.json`` ``wijkbuurtkaart_zip``; ``WIJKGEO_CBS_WEB_URL``), UPPERCASE shapefiles.

Every answer carries an ``ETag`` and ``Last-Modified``; ``HEAD`` is answered and a matching
``If-None-Match`` gets ``304 Not Modified``, like the real services. Point wijkgeo at it
exactly as at a proxy or mirror: ``cbs_url=``/``pdok_url=`` or
``WIJKGEO_CBS_URL``/``WIJKGEO_PDOK_URL``. Vierkantstatistieken are not served (404).

Examples
--------
>>> import wijkgeo
>>> from wijkgeo.demo.server import DemoServer
>>> with DemoServer() as server:
...     atlas = wijkgeo.fetch("GM9999", 2024, cbs_url=server.url, pdok_url=server.url,
...                           vierkanten=False)
>>> atlas.name, len(atlas.wijken)
('Demodam', 8)
"""

from __future__ import annotations

import hashlib
import json
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

from ..sources.catalog import kaart_zip_url, kaart_zip_years, kwb_table
from .demodam import demo_sources

__all__ = ["DemoServer"]

YEAR = 2024
#: Years served: 2024 as generated, 2019-2023 derived (:mod:`wijkgeo.demo.years`).
SERVED_YEARS = tuple(range(2019, YEAR + 1))
RD_URI = "http://www.opengis.net/def/crs/EPSG/0/28992"
LAST_MODIFIED = "Thu, 27 Mar 2025 00:00:00 GMT"
PAGE_LIMIT = 5
_COLLECTIONS = {"gemeenten": "gemeente", "wijken": "wijk", "buurten": "buurt"}


class DemoServer:
    """Serve Demodam as CBS and PDOK do, on ``127.0.0.1`` (a free port unless given).

    Parameters
    ----------
    seed : int, default 2024
        Seed of :func:`~wijkgeo.demo.demo_sources` (the same seed, the same gemeente).
    port : int, default 0
        0 picks a free port.
    modified : str
        The CBS table's ``Modified`` date in ``TableInfos``; change the attribute to
        simulate a new table version.

    Attributes
    ----------
    url : str
        The host root to pass as ``cbs_url=`` and ``pdok_url=``.
    requests : list of tuple
        ``(method, path, status)`` of every request, in order.

    Examples
    --------
    >>> server = DemoServer().start()
    >>> server.url.startswith("http://127.0.0.1:")
    True
    >>> server.stop()
    """

    def __init__(
        self, seed: int = 2024, *, port: int = 0, modified: str = "2025-03-27T02:00:00"
    ) -> None:
        self.modified = modified
        self.requests: list[tuple[str, str, int]] = []
        self._table = kwb_table(YEAR)
        src = demo_sources(seed)
        rows = src["kerncijfers"]
        self._odata: dict[str, list[dict[str, Any]]] = {
            "DataProperties": src["data_properties"],
            # CBS serves the padded key in the dimension column; titles live in the dimension
            "TypedDataSet": [dict(r, WijkenEnBuurten=r["Codering_3"]) for r in rows],
            "WijkenEnBuurten": [
                {"Key": r["Codering_3"], "Title": r["WijkenEnBuurten"]} for r in rows
            ],
        }
        self._features: dict[str, list[dict[str, Any]]] = src["features"]
        self._seed = seed
        # earlier years (Demodam with a split, a merge, a re-used code), built on first use
        self._years: dict[int, tuple[dict[str, list[dict[str, Any]]], dict[str, Any]]] = {}
        self._zips: dict[int, bytes] = {}
        self._httpd = ThreadingHTTPServer(("127.0.0.1", port), _handler(self))
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._httpd.server_port}"

    def start(self) -> DemoServer:
        """Start serving in a daemon thread; returns ``self``."""
        if self._thread is None:
            self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)
            self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and free the port."""
        if self._thread is not None:
            self._httpd.shutdown()
            self._thread.join()
            self._thread = None
        self._httpd.server_close()

    def __enter__(self) -> DemoServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _year(self, year: int) -> tuple[dict[str, list[dict[str, Any]]], dict[str, Any]]:
        """Features and OData entities of ``year`` (2024 as generated, earlier derived)."""
        if year == YEAR:
            return self._features, self._odata
        if year not in self._years:
            from .years import year_sources

            src = year_sources(year, self._seed)
            rows = src["kerncijfers"]
            odata = {
                "DataProperties": src["data_properties"],
                "TypedDataSet": [dict(r, WijkenEnBuurten=r["Codering_3"]) for r in rows],
                "WijkenEnBuurten": [
                    {"Key": r["Codering_3"], "Title": r["WijkenEnBuurten"]} for r in rows
                ],
            }
            self._years[year] = (src["features"], odata)
        return self._years[year]

    # ---- answers
    def answer(
        self, target: str
    ) -> tuple[int, dict[str, Any] | bytes | None, dict[str, str]]:
        """``(status, JSON payload or zip bytes, extra headers)`` for a request target."""
        url = urlsplit(target)
        query = dict(parse_qsl(url.query))
        parts = url.path.strip("/").split("/")
        base = self.url
        tables = {kwb_table(y): y for y in SERVED_YEARS}
        if url.path.startswith("/ODataFeed/odata/") and len(parts) == 4 and parts[2] in tables:
            table, year = parts[2], tables[parts[2]]
            odata_root = f"/ODataFeed/odata/{table}"
            entity = parts[-1]
            if entity == "TableInfos":
                rows = [
                    {
                        "Identifier": table,
                        "Title": f"Kerncijfers wijken en buurten {year}",
                        "Modified": self.modified,
                        "MetaDataModified": self.modified,
                    }
                ]
            elif entity in self._year(year)[1]:
                rows = self._year(year)[1][entity]
            else:
                return 404, None, {}
            meta = f"{base}{odata_root}/$metadata#Cbs.OData.WebAPI.{entity}"
            return 200, {"odata.metadata": meta, "value": rows}, {}
        zips = {urlsplit(kaart_zip_url(y, web_url=base)).path: y for y in kaart_zip_years()}
        if url.path in zips:  # the zipped kaart of a year before PDOK (wijkgeo refresh --jaren)
            year = zips[url.path]
            if year not in self._zips:
                from .years import kaart_zip

                self._zips[year] = kaart_zip(year, self._seed)
            return 200, self._zips[year], {}
        pdok = re.match(r"^/cbs/wijken-en-buurten-(\d{4})/ogc/v1/collections/", url.path)
        if (
            pdok
            and int(pdok.group(1)) in SERVED_YEARS
            and parts[-1] == "items"
            and parts[-2] in _COLLECTIONS
        ):
            features = self._year(int(pdok.group(1)))[0]
            feats = [
                f
                for f in features[_COLLECTIONS[parts[-2]]]
                if "gemeentecode" not in query
                or f["properties"]["gemeentecode"] == query["gemeentecode"]
            ]
            limit = min(int(query.get("limit", 10)), PAGE_LIMIT)
            offset = int(query.get("offset", 0))
            page = feats[offset : offset + limit]
            links = [{"rel": "self", "href": f"{base}{target}"}]
            if offset + limit < len(feats):
                nxt = urlencode(dict(query, offset=offset + limit))
                links.append({"rel": "next", "href": f"{base}{url.path}?{nxt}"})
            body = {
                "type": "FeatureCollection",
                "links": links,
                "numberMatched": len(feats),
                "numberReturned": len(page),
                "features": page,
            }
            return 200, body, {"Content-Crs": f"<{RD_URI}>"}
        return 404, None, {}


def _handler(server: DemoServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self._reply(body=True)

        def do_HEAD(self) -> None:
            self._reply(body=False)

        def _reply(self, *, body: bool) -> None:
            status, payload, headers = server.answer(self.path)
            if isinstance(payload, bytes):  # the zipped Wijk- en Buurtkaart
                data, ctype = payload, "application/zip"
            else:
                data = b"Not found" if payload is None else json.dumps(payload).encode()
                ctype = "text/plain" if payload is None else "application/json"
            if payload is not None:
                headers = {
                    **headers,
                    "ETag": '"' + hashlib.sha1(data).hexdigest()[:16] + '"',
                    "Last-Modified": LAST_MODIFIED,
                }
                if self.headers.get("If-None-Match") == headers["ETag"]:
                    status, data = 304, b""
            server.requests.append((self.command, urlsplit(self.path).path, status))
            self.send_response(status)
            if status != 304:
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(data)))
            for key, value in headers.items():
                self.send_header(key, value)
            self.end_headers()
            if body and status != 304:
                self.wfile.write(data)

        def log_message(self, *args: Any) -> None:  # requests are in server.requests
            pass

    return Handler
