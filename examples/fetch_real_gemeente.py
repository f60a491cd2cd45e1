"""Fetch a gemeente from the real sources: CBS Kerncijfers wijken en buurten + PDOK boundaries.

With internet access, this is all it takes (the real services are the default)::

    import wijkgeo
    atlas = wijkgeo.fetch("GM0772", 2024)          # Eindhoven
    print(atlas)

This script must also run offline (CI has no internet), so it first starts a small local
stand-in that serves the fictional gemeente Demodam in the real services' envelopes (CBS
OData v3 ``{"odata.metadata", "value"}`` with padded keys; PDOK OGC API FeatureCollections
with ``links`` rel=next paging) and points wijkgeo at it, exactly as you would point it at a
proxy or mirror: with ``cbs_url=``/``pdok_url=`` or ``WIJKGEO_CBS_URL``/``WIJKGEO_PDOK_URL``.
"""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlencode, urlsplit

import wijkgeo
from wijkgeo.sources.catalog import kwb_table
from wijkgeo.sources.demo import demo_sources

src = demo_sources()
TABLE = kwb_table(2024)
RD = "http://www.opengis.net/def/crs/EPSG/0/28992"

# Demodam as CBS serves it: the dimension holds padded keys; titles live in the dimension table.
typed = [dict(r, WijkenEnBuurten=r["Codering_3"]) for r in src["kerncijfers"]]
dimension = [{"Key": r["Codering_3"], "Title": r["WijkenEnBuurten"]} for r in src["kerncijfers"]]
odata = {
    "DataProperties": src["data_properties"],
    "TypedDataSet": typed,
    "WijkenEnBuurten": dimension,
}
collections = {"gemeenten": "gemeente", "wijken": "wijk", "buurten": "buurt"}


class StandIn(BaseHTTPRequestHandler):
    """Answers the few requests wijkgeo.fetch makes, in the real envelopes."""

    def do_GET(self):
        url = urlsplit(self.path)
        query = dict(parse_qsl(url.query))
        parts = url.path.strip("/").split("/")
        base = f"http://{self.headers['Host']}"
        if url.path.startswith(f"/ODataFeed/odata/{TABLE}/") and parts[-1] in odata:
            body = {
                "odata.metadata": f"{base}/ODataFeed/odata/{TABLE}/$metadata#{parts[-1]}",
                "value": odata[parts[-1]],
            }
            return self._send(body, {})
        if url.path.startswith("/cbs/wijken-en-buurten-2024/") and parts[-2] in collections:
            feats = [
                f
                for f in src["features"][collections[parts[-2]]]
                if f["properties"]["gemeentecode"] == query.get("gemeentecode")
            ]
            limit, offset = min(int(query.get("limit", 10)), 5), int(query.get("offset", 0))
            links = []
            if offset + limit < len(feats):
                nxt = urlencode(dict(query, offset=offset + limit))
                links.append({"rel": "next", "href": f"{base}{url.path}?{nxt}"})
            body = {
                "type": "FeatureCollection",
                "links": links,
                "numberMatched": len(feats),
                "numberReturned": len(feats[offset : offset + limit]),
                "features": feats[offset : offset + limit],
            }
            return self._send(body, {"Content-Crs": f"<{RD}>"})
        self.send_error(404)

    def _send(self, body, headers):
        data = json.dumps(body).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for key, value in headers.items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):  # keep the example's output clean
        pass


server = ThreadingHTTPServer(("127.0.0.1", 0), StandIn)
threading.Thread(target=server.serve_forever, daemon=True).start()
mirror = f"http://127.0.0.1:{server.server_port}"

atlas = wijkgeo.fetch("GM9999", 2024, cbs_url=mirror, pdok_url=mirror, vierkanten=False)
server.shutdown()

print(atlas)
print(f"Bron: {atlas.meta['source']} (tabel {atlas.meta['cbs_table']}), CRS {atlas.wijken.crs}")
print(atlas.wijken[["wijkcode", "wijknaam", "aantal_inwoners"]].to_string(index=False))
print(
    f"Inwoners gemeente: {atlas.gemeente['aantal_inwoners'].iloc[0]:,.0f}; "
    f"Nederland: {atlas.nederland['aantal_inwoners'].iloc[0]:,.0f}"
)
