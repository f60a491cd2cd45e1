"""The offline CBS/PDOK stand-in for Demodam: envelopes, validators, refresh through it."""

from __future__ import annotations

import pytest
import requests

import wijkgeo
from wijkgeo.demo import make_demo
from wijkgeo.demo.server import DemoServer
from wijkgeo.refresh import refresh


@pytest.fixture(scope="module")
def server():
    with DemoServer() as srv:
        yield srv


def test_fetch_through_the_stand_in(server):
    atlas = wijkgeo.fetch("GM9999", 2024, cbs_url=server.url, pdok_url=server.url, vierkanten=False)
    assert atlas.name == "Demodam"
    assert (len(atlas.wijken), len(atlas.buurten)) == (8, 40)
    assert atlas.wijken.crs.to_epsg() == 28992
    # the same values as the demo built without HTTP
    demo = make_demo()
    assert atlas.wijken["aantal_inwoners"].tolist() == demo.wijken["aantal_inwoners"].tolist()
    assert atlas.gemeente["aantal_inwoners"].item() == 52341
    # 40 buurten at most 5 a page: the client followed 8 pages of links rel=next
    assert sum(1 for m, p, s in server.requests if p.endswith("/buurten/items")) == 8


def test_validators_head_and_304(server):
    url = f"{server.url}/cbs/wijken-en-buurten-2024/ogc/v1/collections/wijken/items"
    params = {"gemeentecode": "GM9999", "limit": 5}
    got = requests.get(url, params=params, timeout=10)
    head = requests.head(url, params=params, timeout=10)
    assert got.status_code == head.status_code == 200
    assert got.json()["numberMatched"] == 8 and len(got.json()["features"]) == 5
    assert head.headers["ETag"] == got.headers["ETag"] and head.content == b""
    again = requests.get(url, params=params, headers={"If-None-Match": got.headers["ETag"]})
    assert again.status_code == 304 and again.content == b""
    assert requests.get(f"{server.url}/vierkant/500/x.zip", timeout=10).status_code == 404
    assert server.requests[-4:] == [
        ("GET", "/cbs/wijken-en-buurten-2024/ogc/v1/collections/wijken/items", 200),
        ("HEAD", "/cbs/wijken-en-buurten-2024/ogc/v1/collections/wijken/items", 200),
        ("GET", "/cbs/wijken-en-buurten-2024/ogc/v1/collections/wijken/items", 304),
        ("GET", "/vierkant/500/x.zip", 404),
    ]


def test_refresh_cold_noop_and_new_table_version(tmp_path):
    with DemoServer(modified="2025-03-27T02:00:00") as srv:
        kw = dict(store=tmp_path, cbs_url=srv.url, pdok_url=srv.url, vierkanten=False)
        assert [r.status for r in refresh(["GM9999"], 2024, **kw)] == ["created"]
        start = len(srv.requests)
        (noop,) = refresh(["GM9999"], 2024, **kw)
        assert noop.status == "unchanged"
        assert [(m, p.rsplit("/", 1)[1]) for m, p, s in srv.requests[start:]] == [
            ("GET", "TableInfos"),
            ("HEAD", "items"),
            ("HEAD", "items"),
            ("HEAD", "items"),
        ]
        srv.modified = "2025-06-30T02:00:00"
        (new,) = refresh(["GM9999"], 2024, **kw)
        assert "tabel 85984NED gewijzigd 2025-06-30" in new.message()
