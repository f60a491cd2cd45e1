"""wijkgeo.fetch and the lower-level fetchers against a replay of the real services."""

from __future__ import annotations

import json

import pytest
from replay import RD_URI, kwb_rows, pdok_features, serve_cbs, serve_pdok

import wijkgeo
from wijkgeo import ConfigError, SourceError, _http
from wijkgeo.sources import fetch_boundaries, fetch_kerncijfers
from wijkgeo.sources.pdok import features_to_frame

pytestmark = pytest.mark.realdata


@pytest.fixture(autouse=True)
def fast_http():
    _http.configure(timeout=2, retries=2, backoff=0)
    yield
    _http.configure()


@pytest.fixture
def replay(httpserver, realdata):
    r = serve_cbs(httpserver, realdata)
    return serve_pdok(httpserver, realdata, replay=r, max_limit=5)


@pytest.fixture(scope="module")
def truth(realdata):
    return json.loads((realdata / "groundtruth/ground_truth.json").read_text())["municipalities"]


def test_fetch_eindhoven_done_when(replay, truth, monkeypatch):
    monkeypatch.setenv("WIJKGEO_CBS_URL", replay.cbs_url)
    monkeypatch.setenv("WIJKGEO_PDOK_URL", replay.pdok_url)
    atlas = wijkgeo.fetch("GM0772", 2024, vierkanten=False)
    exp = truth["GM0772"]["kwb2024_85984NED"]
    assert atlas.name == "Eindhoven"
    assert atlas.gemeente.aantal_inwoners.item() == exp["AantalInwoners_5"] == 246417
    assert len(atlas.wijken) == exp["n_wijken"] == 20
    got = dict(zip(atlas.wijken.wijkcode, atlas.wijken.aantal_inwoners, strict=True))
    assert got == {k: v["AantalInwoners_5"] for k, v in exp["wijken"].items()}
    assert atlas.wijken.aantal_inwoners.sum() == 246415  # rounded to 5: != gemeente total
    assert atlas.gemeente.crs.to_epsg() == 28992
    assert atlas.gemeente.geometry.area.item() / 1e4 == pytest.approx(8936, rel=0.05)
    # the kit has no Eindhoven wijk geometry for 2024: stats kept, geometry empty, said so
    assert atlas.meta["zonder_geometrie"] == sorted(exp["wijken"])
    # only Eindhoven's rows were asked for, never the national table
    typed = [q for p, q in replay.requests if p.endswith("/TypedDataSet")]
    assert len(typed) == 1
    assert "startswith(WijkenEnBuurten,'WK0772')" in typed[0]["$filter"]


@pytest.mark.parametrize("gm", ["GM0392", "GM0014", "GM0758"])
def test_kerncijfers_ground_truth(replay, truth, gm):
    kc = fetch_kerncijfers(gm, 2024, cbs_url=replay.cbs_url)
    exp = truth[gm]["kwb2024_85984NED"]
    gem = kc[kc.level == "gemeente"].iloc[0]
    assert gem.aantal_inwoners == exp["AantalInwoners_5"]
    assert gem.naam == truth[gm]["name"]
    assert (kc.level == "wijk").sum() == {"GM0392": 21, "GM0014": 20, "GM0758": 11}[gm]


def test_odata_nextlink_paging(httpserver, realdata, truth):
    r = serve_cbs(httpserver, realdata, page_size=4)
    kc = fetch_kerncijfers("GM0772", 2024, cbs_url=r.cbs_url)
    assert len(kc) == 21
    assert r.count("/TypedDataSet") == 6  # 21 rows in pages of 4
    got = kc.set_index("code").aantal_inwoners
    assert (
        got["WK077211"]
        == truth["GM0772"]["kwb2024_85984NED"]["wijken"]["WK077211"]["AantalInwoners_5"]
    )


def test_haarlem_boundaries_page_in_rd(replay, realdata, truth):
    b = fetch_boundaries("GM0392", 2024, pdok_url=replay.pdok_url)
    assert len(b["wijken"]) == 21 and len(b["gemeente"]) == 1 and len(b["buurten"]) == 6
    assert replay.count("/collections/wijken/items") == 5  # 21 features, 5 per page
    for path, query in replay.requests:
        if path.endswith("/items") and "offset" not in query:
            assert query["crs"] == RD_URI and int(query["limit"]) <= 1000
            assert query["gemeentecode"] == "GM0392"
    assert all(g.crs.to_epsg() == 28992 for g in b.values())
    ref = features_to_frame(
        pdok_features(realdata, "wijk", "GM0392"), "wijk", source_crs="OGC:CRS84"
    )
    assert b["wijken"].geometry.area.sum() == pytest.approx(ref.geometry.area.sum(), rel=1e-4)
    wk = b["wijken"].set_index("wijkcode")
    for code, exp in truth["GM0392"]["gpkg2024_wijken"].items():
        assert wk.loc[code, "aantal_inwoners"] == exp["aantal_inwoners"]


def test_server_ignoring_crs_is_reprojected(httpserver, realdata):
    r = serve_pdok(httpserver, realdata, honour_crs=False)
    b = fetch_boundaries("GM0392", 2024, levels=["gemeente"], pdok_url=r.pdok_url)
    x, y = b["gemeente"].geometry.iloc[0].centroid.coords[0]
    assert 95_000 < x < 110_000 and 480_000 < y < 495_000  # Haarlem in RD metres


def test_full_haarlem_atlas(replay, truth):
    atlas = wijkgeo.fetch(
        "GM0392", 2024, cbs_url=replay.cbs_url, pdok_url=replay.pdok_url, vierkanten=False
    )
    assert atlas.gemeente.aantal_inwoners.item() == 167636
    assert "zonder_geometrie" not in atlas.meta
    assert atlas.wijken.geometry.notna().all()
    assert atlas.wijken.set_index("wijkcode").loc["WK039201", "wijknaam"] == "Oude Stad"
    # the real DataProperties titles and units travel with the Atlas (labels for exports)
    assert atlas.meta["kolommen"]["aantal_inwoners"] == {
        "title": "Aantal inwoners",
        "unit": "aantal",
        "decimals": 0,
    }
    assert atlas.meta["kolommen"]["gemiddelde_woningwaarde"]["unit"] == "x 1 000 euro"


def test_fetch_can_write_to_the_store(replay, tmp_path):
    atlas = wijkgeo.fetch(
        "GM0392",
        2024,
        cbs_url=replay.cbs_url,
        pdok_url=replay.pdok_url,
        vierkanten=False,
        path=tmp_path / "store",
    )
    again = wijkgeo.load("GM0392", 2024, store=tmp_path / "store")
    assert again.gemeente.aantal_inwoners.item() == 167636
    assert sorted(again.wijken.wijkcode) == sorted(atlas.wijken.wijkcode)
    assert len(again.wijken) == 21
    # store= (where to write, before the naming pass) still works for one release
    with pytest.warns(DeprecationWarning, match="path="):
        wijkgeo.fetch("GM0392", 2024, cbs_url=replay.cbs_url, pdok_url=replay.pdok_url,
                      vierkanten=False, store=tmp_path / "oud")
    assert wijkgeo.load("GM0392", 2024, store=tmp_path / "oud").year == 2024
    with pytest.raises(TypeError, match="stor"):
        wijkgeo.fetch("GM0392", 2024, stor=tmp_path)


# ------------------------------------------------------------------ faults
def test_unknown_year_is_404(replay):
    with pytest.raises(SourceError) as err:
        fetch_kerncijfers("GM0772", 2023, cbs_url=replay.cbs_url)
    assert err.value.status == 404 and "85618NED" in err.value.url


def test_year_outside_catalog():
    with pytest.raises(ConfigError, match="2019, 2020"):
        wijkgeo.fetch("GM0772", 2012)


def test_500_503_then_success(replay):
    replay.fail("TypedDataSet", 500, 503)
    kc = fetch_kerncijfers("GM0772", 2024, cbs_url=replay.cbs_url)
    assert len(kc) == 21
    assert replay.count("/TypedDataSet") == 3


def test_persistent_503_gives_source_error(replay):
    replay.fail("collections/wijken", 503, 503, 503)
    with pytest.raises(SourceError) as err:
        fetch_boundaries("GM0392", 2024, pdok_url=replay.pdok_url)
    assert err.value.status == 503 and "collections/wijken/items" in err.value.url
    assert "later opnieuw" in str(err.value)


def test_timeout(replay):
    _http.configure(timeout=0.3, retries=0, backoff=0)
    replay.delay("DataProperties", 0.8)
    with pytest.raises(SourceError, match="Geen antwoord binnen"):
        fetch_kerncijfers("GM0772", 2024, cbs_url=replay.cbs_url)


def test_html_error_page(replay):
    replay.html("collections/gemeenten")
    with pytest.raises(SourceError, match="HTML-pagina"):
        wijkgeo.fetch(
            "GM0392", 2024, cbs_url=replay.cbs_url, pdok_url=replay.pdok_url, vierkanten=False
        )


def test_truncated_json(replay):
    replay.truncate("TypedDataSet")
    with pytest.raises(SourceError, match="Onvolledige"):
        fetch_kerncijfers("GM0772", 2024, cbs_url=replay.cbs_url)


def test_missing_odata_page(httpserver, realdata):
    r = serve_cbs(httpserver, realdata, page_size=10).missing_page("TypedDataSet")
    with pytest.raises(SourceError) as err:
        fetch_kerncijfers("GM0772", 2024, cbs_url=r.cbs_url)
    assert err.value.status == 404 and "skip=10" in err.value.url


def test_missing_pdok_next_link(replay):
    replay.drop_next("collections/wijken")
    with pytest.raises(SourceError, match="mist de link naar de volgende pagina: 5 van 21"):
        fetch_boundaries("GM0392", 2024, pdok_url=replay.pdok_url)


def test_unknown_gemeente(replay):
    with pytest.raises(SourceError, match="GM9998 komt niet voor"):
        fetch_kerncijfers("GM9998", 2024, cbs_url=replay.cbs_url)


def test_conditional_get_on_replay(replay):
    url = replay.cbs_url + "/ODataFeed/odata/85984NED/TableInfos"
    first = _http.get(url, {"$format": "json"})
    again = _http.get(url, {"$format": "json"}, etag=first.headers["ETag"])
    assert (first.status_code, again.status_code) == (200, 304)


def test_rows_from_real_cbsodata_client_normalise_to_ground_truth(replay, truth, monkeypatch):
    """normalize_kerncijfers accepts exactly what cbsodata.get_data returns (titles, padding)."""
    import cbsodata

    from wijkgeo.sources.cbs import normalize_kerncijfers

    monkeypatch.setattr(cbsodata.options, "use_https", False)
    host = replay.cbs_url.removeprefix("http://")
    flt = " or ".join(f"startswith(WijkenEnBuurten,'{p}0772')" for p in ("GM", "WK", "BU"))
    rows = cbsodata.get_data("85984NED", filters=flt, catalog_url=host)  # typed=False: numbers
    props = cbsodata.get_meta("85984NED", "DataProperties", catalog_url=host)
    assert rows[0]["WijkenEnBuurten"] == "Eindhoven"  # cbsodata put the title in place of the key
    assert rows[0]["Codering_3"] == "GM0772    "
    kc = normalize_kerncijfers(rows, props)
    exp = truth["GM0772"]["kwb2024_85984NED"]
    wijken = kc[kc.level == "wijk"]
    assert dict(zip(wijken.code, wijken.aantal_inwoners, strict=True)) == {
        k: v["AantalInwoners_5"] for k, v in exp["wijken"].items()
    }
    # ... and that cbsodata downloaded the whole (unfiltered) WijkenEnBuurten dimension
    dims = [q for p, q in replay.requests if p.endswith("/WijkenEnBuurten")]
    assert dims and "$filter" not in dims[0]


@pytest.mark.slow
def test_fetch_barendrecht_with_vierkanten(replay, realdata, truth, tmp_path_factory, monkeypatch):
    from replay import serve_vierkant

    serve_vierkant(replay.server, realdata, tmp_path_factory.mktemp("vkz"), replay=replay)
    monkeypatch.setenv("WIJKGEO_CACHE", str(tmp_path_factory.mktemp("cache")))
    atlas = wijkgeo.fetch(
        "GM0489",
        2024,
        cbs_url=replay.cbs_url,
        pdok_url=replay.pdok_url,
        vierkant_url=replay.base_url,
    )
    assert atlas.name == "Barendrecht"
    assert set(atlas.vierkanten) == {"500m", "100m"}
    assert len(atlas.buurten) == 62 and atlas.buurten.geometry.notna().all()
    assert atlas.wijken.aantal_inwoners.notna().all()
    assert (atlas.buurten.wijkcode.isin(atlas.wijken.wijkcode)).all()
    kwb = {r["Codering_3"].strip(): r for r in kwb_rows(realdata)}
    assert atlas.gemeente.aantal_inwoners.item() == kwb["GM0489"]["AantalInwoners_5"]
    inh = atlas.gemeente.aantal_inwoners.item()
    assert 0.9 * inh < atlas.vierkanten["100m"].aantal_inwoners.sum() < 1.3 * inh


def test_grid_failure_warns_or_raises(replay, realdata, tmp_path_factory, monkeypatch, caplog):
    from replay import serve_vierkant

    serve_vierkant(
        replay.server, realdata, tmp_path_factory.mktemp("vkz"), replay=replay, resolutions=(500,)
    )
    monkeypatch.setenv("WIJKGEO_CACHE", str(tmp_path_factory.mktemp("cache")))
    kw = dict(cbs_url=replay.cbs_url, pdok_url=replay.pdok_url, vierkant_url=replay.base_url)
    replay.fail("_v1.zip", 503, 503, 503)  # 500 m: 503 after the retries; 100 m: no such file
    with caplog.at_level("WARNING", logger="wijkgeo.sources"):
        atlas = wijkgeo.fetch("GM0542", 2024, **kw)  # default: warn, the rest stands
    assert atlas.vierkanten == {} and len(atlas.wijken) == 1
    assert "Vierkantstatistieken overgeslagen" in caplog.text and "503" in caplog.text
    replay.fail("_v1.zip", 503, 503, 503)
    with pytest.raises(SourceError, match=r"Download mislukt \(503") as info:
        wijkgeo.fetch("GM0542", 2024, on_grid_error="raise", **kw)
    assert info.value.url.endswith("2025-cbs_vk500_2024_v1.zip")
    with pytest.raises(ConfigError, match="on_grid_error"):
        wijkgeo.fetch("GM0542", 2024, on_grid_error="ignore", **kw)
