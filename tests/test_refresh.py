"""Refresh against the replay server: no-op cost, change detection, fault injection.

The replay serves the real KWB 2024 values and Wijk- en Buurtkaart 2024 features
(``tests/replay.py``), whose log records (method, path, status) of every request and whose
``transform``/``set_modified`` change answers (a new table ``Modified``, changed properties).
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pytest
from replay import Replay, serve_cbs, serve_pdok, serve_vierkant

import wijkgeo
from wijkgeo import _http
from wijkgeo.codes import read_gemeenten_file
from wijkgeo.refresh import exit_code, refresh
from wijkgeo.status import store_status
from wijkgeo.store import GPKG_NAME, MANIFEST_NAME, Store

pytestmark = pytest.mark.realdata

YEAR = 2024
SMALL = ["GM0542", "GM0597"]  # Krimpen aan den IJssel (1 wijk, 6 buurten), Ridderkerk (12, 12)


def make_server(httpserver, realdata, monkeypatch) -> Replay:
    """The CBS + PDOK replay with the source URLs of this process pointed at it."""
    srv = serve_pdok(httpserver, realdata, replay=serve_cbs(httpserver, realdata))
    monkeypatch.setenv("WIJKGEO_CBS_URL", srv.base_url)
    monkeypatch.setenv("WIJKGEO_PDOK_URL", srv.base_url)
    monkeypatch.setenv("WIJKGEO_CBS_DOWNLOAD_URL", srv.base_url)  # grid downloads: 404 here
    return srv


@pytest.fixture
def server(httpserver, realdata, monkeypatch):
    return make_server(httpserver, realdata, monkeypatch)


@pytest.fixture(autouse=True)
def _fast_http():
    _http.configure(timeout=1, retries=1, backoff=0)
    yield
    _http.configure()


def files_sha(store: Path) -> dict[str, str]:
    return {
        str(p.relative_to(store)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(store.rglob("*"))
        if p.is_file() and p.name in (GPKG_NAME, MANIFEST_NAME)
    }


def run(store, codes=SMALL, **kw):
    kw.setdefault("nederland", False)  # the reference beside it: tests/test_similar.py
    return refresh(codes, YEAR, store=store, vierkanten=False, **kw)


# ---------------------------------------------------------------------------- happy path
def test_cold_then_noop_makes_zero_data_requests(server, tmp_path):
    results = run(tmp_path)
    assert [r.status for r in results] == ["created", "created"]
    assert results[1].message() == (
        "GM0597 2024: nieuw opgehaald (tabel 85984NED van 2025-03-27), 12 wijken, 12 buurten"
    )
    assert len(server.data_requests()) == 2 * 6  # 3 OData + 3 PDOK per gemeente
    atlas = wijkgeo.load("GM0597", YEAR, store=tmp_path)
    assert atlas.name == "Ridderkerk" and len(atlas.wijken) == 12
    assert atlas.wijken.crs.to_epsg() == 28992
    man = Store(tmp_path).manifest("GM0597", YEAR)
    assert man["sources"]["cbs"] == {
        "table": "85984NED",
        "modified": "2025-03-27T02:00:00",
        "metadata_modified": "2025-03-27T02:00:00",
        "title": "Kerncijfers wijken en buurten 2024",
        "url": f"{server.base_url}/ODataFeed/odata/85984NED",
    }
    assert man["sources"]["pdok_wijk"]["validators"]["etag"].startswith('"')
    before = files_sha(tmp_path)

    server.clear()
    again = run(tmp_path)
    assert [r.status for r in again] == ["unchanged", "unchanged"]
    assert again[0].message() == "GM0542 2024: ongewijzigd (tabel 85984NED van 2025-03-27)"
    assert server.data_requests() == []
    assert [e.method for e in server.log if e.method == "GET"] == ["GET"]  # one TableInfos per run
    assert files_sha(tmp_path) == before
    assert exit_code(again) == 0
    status = {r["gemeente"]: r for r in store_status(tmp_path)}
    assert status["GM0542"]["check_status"] == "unchanged"
    assert status["GM0542"]["checked_at"] >= status["GM0542"]["retrieved_at"]


def test_table_modified_triggers_update_and_status_shows_it(server, tmp_path):
    run(tmp_path, ["GM0542"])
    server.set_modified("2025-06-30T02:00:00")
    server.clear()
    (res,) = run(tmp_path, ["GM0542"])
    assert res.status == "unchanged"  # same content: metadata only
    assert "tabel 85984NED gewijzigd 2025-06-30" in res.message()
    assert "inhoud gelijk" in res.message()
    assert len(server.data_requests()) == 6
    (row,) = store_status(tmp_path)
    assert (row["gemeente"], row["cbs_table"], row["cbs_modified"]) == (
        "GM0542",
        "85984NED",
        "2025-06-30T02:00:00",
    )
    assert row["wijken"] == 1 and row["buurten"] == 6 and row["age_days"] < 1


def test_pdok_etag_change_updates_only_that_gemeente(server, tmp_path):
    run(tmp_path)

    def rename(payload):
        for feat in payload["features"]:
            feat["properties"]["wijknaam"] = feat["properties"]["wijknaam"] + " (nieuw)"
        return payload

    server.transform("/collections/wijken/items", rename)
    server.clear()
    results = run(tmp_path)
    # both gemeenten' wijk pages changed -> both updated, with the reason named
    assert [r.status for r in results] == ["updated", "updated"]
    assert "PDOK-grenzen gewijzigd (wijk)" in results[0].message()
    atlas = wijkgeo.load("GM0597", YEAR, store=tmp_path)
    assert atlas.wijken["wijknaam"].str.endswith(" (nieuw)").all()


def test_dry_run_requests_no_data_and_writes_nothing(server, tmp_path):
    run(tmp_path, ["GM0542"])
    before = files_sha(tmp_path)
    server.set_modified("2025-06-30T02:00:00")
    server.clear()
    results = run(tmp_path, dry_run=True)
    assert [r.status for r in results] == ["would_update", "would_update"]
    assert "proefdraai" in results[0].message()
    assert server.data_requests() == []
    assert files_sha(tmp_path) == before


# ---------------------------------------------------------------------------- faults
def _retry_500(s):
    s.fail("TypedDataSet", 500, 500)


def _retry_503(s):
    s.fail("/wijken/items", 503, 503, retry_after=0)


def _head_503(s):
    s.head_faults = True  # the metadata check itself fails
    s.fail("/buurten/items", 503, 503, retry_after=0)


def _timeout(s):
    s.delay("TypedDataSet", 1.3, times=2)


def _truncated(s):
    s.truncate("TypedDataSet")


def _html(s):
    s.html("/buurten/items")


def _missing_next(s):
    s.pdok_max_limit = 5  # 12 wijken -> 3 pages
    s.drop_next("/wijken/items")


def _missing_page(s):
    s.pdok_max_limit = 5
    s.missing_page("/buurten/items")


def _changed_columns(s):
    def drop(payload):
        for feat in payload["features"]:
            feat["properties"].pop("percentage_gehuwd", None)
            feat["properties"].pop("geboorte_totaal", None)
        return payload

    s.transform("/collections/wijken/items", drop)


FAULTS = {
    "500": (_retry_500, r"500"),
    "503": (_retry_503, r"503|foutstatus"),
    "503_metadata": (_head_503, r"Metadata \(HEAD\) niet op te vragen \(503 "),
    "timeout": (_timeout, r"Geen antwoord binnen|Verbinding"),
    "truncated": (_truncated, r"Onvolledige|afgebroken"),
    "html": (_html, r"HTML-pagina"),
    "missing_next": (_missing_next, r"mist de link naar de volgende pagina"),
    "missing_page": (_missing_page, r"404"),
    "changed_columns": (
        _changed_columns,
        r"laag wijken mist kolommen percentage_gehuwd, geboorte_totaal",
    ),
}


@pytest.mark.parametrize("fault", list(FAULTS))
def test_fault_keeps_last_good_version(server, tmp_path, fault):
    inject, pattern = FAULTS[fault]
    first = run(tmp_path, ["GM0597"])
    assert first[0].status == "created"
    before = files_sha(tmp_path)
    server.set_modified("2025-06-30T02:00:00")  # a new table version: data must be fetched
    inject(server)
    (res,) = run(tmp_path, ["GM0597"])
    assert res.status == "failed", res.message()
    assert exit_code([res]) == 1
    assert re.search(pattern, res.error), res.error
    msg = res.message()
    assert msg.startswith("GM0597 2024: MISLUKT (laatste goede versie van ")
    assert "\n" not in msg
    assert files_sha(tmp_path) == before
    assert [
        p.name for p in (tmp_path / "GM0597" / "2024").iterdir() if p.name.startswith(".")
    ] == []
    atlas = wijkgeo.load("GM0597", YEAR, store=tmp_path)
    assert len(atlas.wijken) == 12
    assert (
        Store(tmp_path)
        .manifest("GM0597", YEAR)["sources"]["cbs"]["modified"]
        .startswith("2025-03-27")
    )
    (row,) = store_status(tmp_path)  # monitoring sees the failed check
    assert row["check_status"] == "failed" and row["check_message"] == msg


def test_failure_of_one_gemeente_does_not_stop_the_others(server, tmp_path):
    server.fail("gemeentecode=GM0542", 500, 500)
    results = run(tmp_path)
    assert [r.status for r in results] == ["failed", "created"]
    assert results[0].message().startswith("GM0542 2024: MISLUKT (nog geen eerdere versie")
    assert not Store(tmp_path).has("GM0542", YEAR)
    assert Store(tmp_path).has("GM0597", YEAR)


def test_metadata_failure_is_a_failure_not_a_no_op(server, tmp_path):
    run(tmp_path, ["GM0542"])
    before = files_sha(tmp_path)
    server.html("TableInfos")
    (res,) = run(tmp_path, ["GM0542"])
    assert res.status == "failed" and "HTML" in res.error
    assert files_sha(tmp_path) == before


def test_lost_rows_refused_unless_forced(server, tmp_path):
    run(tmp_path, ["GM0542"])
    before = files_sha(tmp_path)

    def empty(payload):
        payload["features"], payload["numberMatched"], payload["numberReturned"] = [], 0, 0
        return payload

    server.transform("/collections/buurten/items", empty)
    (res,) = run(tmp_path, ["GM0542"])
    assert res.status == "failed" and "laag buurten had 6 rijen en is nu leeg" in res.error
    assert files_sha(tmp_path) == before
    (forced,) = run(tmp_path, ["GM0542"], force=True)
    assert forced.status == "updated"
    assert len(wijkgeo.load("GM0542", YEAR, store=tmp_path).buurten) == 0


def test_invalid_input_raises_before_any_request(server, tmp_path):
    with pytest.raises(wijkgeo.DataValidationError):
        run(tmp_path, ["GM0542", "XX12"])
    with pytest.raises(wijkgeo.ConfigError, match="2031"):
        refresh(["GM0542"], 2031, store=tmp_path)
    assert server.log == []


def test_read_gemeenten_file(tmp_path):
    path = tmp_path / "gemeenten.txt"
    path.write_text("# Rijnmond\nGM0542\n  597   # Ridderkerk\n\n")
    assert read_gemeenten_file(path) == ["GM0542", "GM0597"]
    path.write_text("GM0542\nGMX\n")
    with pytest.raises(wijkgeo.DataValidationError, match=r"gemeenten.txt, regel 2"):
        read_gemeenten_file(path)


def test_progress_bar_only_when_asked_or_on_a_tty(server, tmp_path, capsys):
    run(tmp_path, progress=False)
    assert "wijkgeo refresh" not in capsys.readouterr().err  # not a TTY under pytest: quiet
    run(tmp_path, progress=True)
    assert "2/2" in capsys.readouterr().err


# ---------------------------------------------------------------------------- grids
@pytest.fixture(scope="module")
def zips(tmp_path_factory):
    return tmp_path_factory.mktemp("vkz")


def test_grid_failure_is_a_source_failure_not_empty_grids(
    server, realdata, zips, tmp_path, monkeypatch
):
    serve_vierkant(server.server, realdata, zips, replay=server)
    monkeypatch.setenv("WIJKGEO_CACHE", str(tmp_path / "cache"))
    store = tmp_path / "store"
    # cold: the 100 m download fails -> nothing stored (before: stored without grids)
    server.fail("cbs_vk100_2024_v1.zip", 503, 503)
    (res,) = refresh(["GM0542"], YEAR, store=store)
    assert res.status == "failed" and "Download mislukt (503" in res.error
    assert res.message().startswith("GM0542 2024: MISLUKT (nog geen eerdere versie")
    assert not Store(store).has("GM0542", YEAR)

    (res,) = refresh(["GM0542"], YEAR, store=store)
    assert res.status == "created", res.message()
    layers = Store(store).manifest("GM0542", YEAR)["layers"]
    assert layers["vierkanten_500m"]["rows"] > 0 and layers["vierkanten_100m"]["rows"] > 0
    before = files_sha(store)

    # warm: a new 500 m release whose download breaks -> failed, last good kept
    path = next(p for p in server.files if "vk500" in p)
    server.files[path] = server.files[path] + b"\0"  # new content, new ETag
    server.fail("cbs_vk500_2024_v1.zip", 503, 503)
    server.clear()
    (res,) = refresh(["GM0542"], YEAR, store=store)
    assert res.status == "failed" and "Download mislukt (503" in res.error
    assert "laatste goede versie van" in res.message()
    assert exit_code([res]) == 1
    assert files_sha(store) == before
    assert ("HEAD", 200) in [(e.method, e.status) for e in server.log if "vk500" in e.path]


def test_refresh_keeps_the_gemeentes_own_layers(server, tmp_path):
    (res,) = run(tmp_path, ["GM0542"])
    assert "1 wijk, 6 buurten" in res.message()  # not "1 wijken"
    wijk = wijkgeo.load("GM0542", YEAR, store=tmp_path).wijken["wijkcode"].iloc[0]
    folder = tmp_path / "lagen"
    folder.mkdir()
    (folder / "energietransitie.csv").write_text(
        f"wijkcode;planjaar;strategie\n{wijk};2030;warmtenet\n", encoding="utf-8"
    )
    spec = {"gemeente": "GM0542", "jaar": YEAR, "lagen": {"energietransitie": {
        "bestand": "energietransitie.csv", "type": "tabel", "wijkcode": "wijkcode",
        "verplicht": ["wijkcode", "planjaar", "strategie"], "jaar": ["planjaar"]}}}  # fmt: skip
    (folder / "lagen.json").write_text(__import__("json").dumps(spec), encoding="utf-8")
    from wijkgeo.lagen import store_local_layers

    assert store_local_layers(folder, store=tmp_path).layers == {"energietransitie": 1}
    server.set_modified("2025-06-30T02:00:00")
    (res,) = run(tmp_path, ["GM0542"], force=True)
    assert res.ok
    atlas = wijkgeo.load("GM0542", YEAR, store=tmp_path)
    assert atlas.local["energietransitie"]["planjaar"].tolist() == [2030]
    assert atlas.meta["lokale_lagen_info"]["lagen"]["energietransitie"]["rijen"] == 1
