"""Vierkantstatistieken: codes, cells, secrets, truncated names, fetch from a replayed zip."""

from __future__ import annotations

import json
import re
import zipfile

import geopandas as gpd
import numpy as np
import pytest
import shapely
from replay import pdok_features, serve_vierkant

from wijkgeo import DataValidationError, SourceError, _http
from wijkgeo.grid.codes import cell_polygons, format_cell, id_column, parse_cell, parse_cells
from wijkgeo.sources import catalog
from wijkgeo.sources.pdok import features_to_frame
from wijkgeo.sources.vierkant import cached_download, fetch_vierkanten, normalize_vierkanten


def test_parse_and_format_roundtrip():
    assert parse_cell("E0680N4335") == (68000, 433500)
    assert parse_cell(" crs28992res100mE0680N4335 ") == (68000, 433500)
    assert format_cell(68000, 433500) == "E0680N4335"
    assert format_cell(68099.9, 433599.9) == "E0680N4335"
    assert format_cell(68100, 433500) == "E0681N4335"
    x, y = parse_cells(["E0680N4335", "E1514N4796"])
    assert x.tolist() == [68000, 151400] and y.tolist() == [433500, 479600]
    with pytest.raises(DataValidationError, match="E0680N4335"):
        parse_cell("N4335E0680")


def test_cell_polygons():
    cells = cell_polygons(["E0680N4335", "E0685N4335"], 500)
    assert cells.crs.to_epsg() == 28992
    assert cells.iloc[0].bounds == (68000.0, 433500.0, 68500.0, 434000.0)
    assert cells.area.tolist() == [250000.0, 250000.0]
    assert cells.iloc[0].touches(cells.iloc[1])
    with pytest.raises(DataValidationError, match="500 m"):
        cell_polygons(["E0681N4335"], 500)


def test_id_columns():
    assert id_column(["crs28992res500m", "x"]) == ("crs28992res500m", 500)
    assert id_column(["c28992r100"]) == ("c28992r100", 100)
    assert id_column(["CRS28992RES100M"]) == ("CRS28992RES100M", 100)
    with pytest.raises(DataValidationError, match="c28992r100"):
        id_column(["code"])


@pytest.mark.realdata
def test_raw_100m_sample_secrets_and_truncated_name(realdata):
    raw = gpd.read_file(realdata / "grid/vk100_older_ermelo_raw_secrecy_sample200.geojson")
    assert int((raw.select_dtypes("number") <= -99990).sum().sum()) == 4390
    grid = normalize_vierkanten(raw)
    assert len(grid) == 200 and grid.crs.to_epsg() == 28992
    assert grid.columns[0] == "celcode" and "c28992r100" not in grid.columns
    assert not (grid.select_dtypes("number") <= -99990).any().any()
    assert grid.select_dtypes("number").isna().sum().sum() >= 4390
    assert (grid.area == 10_000).all()
    # the code-built cells contain the kit's own (reprojected) cell geometry's centre
    centres = raw.to_crs(28992).geometry.centroid
    assert grid.geometry.contains(centres.reset_index(drop=True)).all()


@pytest.mark.realdata
def test_500m_sample_codes_match_centroids(realdata):
    raw = gpd.read_file(realdata / "grid/vk500_2024_rijnmond_sample150.geojson")
    grid = normalize_vierkanten(raw, 500)
    assert grid.geometry.contains(raw.to_crs(28992).geometry).all()
    assert (np.asarray(grid.geometry.bounds.minx) % 500 == 0).all()


@pytest.fixture(scope="module")
def zips(tmp_path_factory):
    return tmp_path_factory.mktemp("vk")


@pytest.fixture(scope="module")
def outline(realdata):
    """Barendrecht's 2024 outline from the real PDOK features."""
    return features_to_frame(
        pdok_features(realdata, "gemeente", "GM0489"), "gemeente", source_crs="OGC:CRS84"
    )


def _fetch_500(outline, replay, cache_dir, gemeente="GM0489"):
    return fetch_vierkanten(
        gemeente,
        2024,
        boundary=outline,
        resolutions=(500,),
        download_url=replay.base_url,
        cache_dir=cache_dir,
    )


@pytest.mark.realdata
def test_fetch_vierkanten_barendrecht(httpserver, realdata, zips, outline, tmp_path):
    replay = serve_vierkant(httpserver, realdata, zips)
    grids = fetch_vierkanten(
        "GM0489", 2024, boundary=outline, download_url=replay.base_url, cache_dir=tmp_path
    )
    g500, g100 = grids["500m"], grids["100m"]
    assert g500.crs.to_epsg() == 28992 and (g500.area == 250_000).all()
    assert (g100.area == 10_000).all()
    assert g500.intersects(outline.geometry.iloc[0]).all()
    # Barendrecht has ~50,000 inhabitants; cells touching its edge add some neighbours
    inh = outline.aantal_inwoners.item()
    assert 0.9 * inh < g500.aantal_inwoners.sum() < 1.6 * inh
    assert 0.9 * inh < g100.aantal_inwoners.sum() < 1.3 * inh
    assert replay.count(".zip") == 2
    fetch_vierkanten(
        "GM0489", 2024, boundary=outline, download_url=replay.base_url, cache_dir=tmp_path
    )
    # cached: revalidated with a conditional GET each, answered 304 (no body sent)
    assert [e.status for e in replay.log if ".zip" in e.path] == [200, 200, 304, 304]


@pytest.mark.realdata
def test_fetch_vierkanten_failure_leaves_no_file(httpserver, realdata, zips, outline, tmp_path):
    _http.configure(retries=1, backoff=0)
    try:
        replay = serve_vierkant(httpserver, realdata, zips, resolutions=(500,))
        replay.fail(".zip", 503, 503)
        with pytest.raises(SourceError, match="503"):
            _fetch_500(outline, replay, tmp_path)
        # no partial zip, no validators; only the (empty) lock file of filelock
        assert [p.name for p in tmp_path.iterdir()] == ["2025-cbs_vk500_2024_v1.zip.lock"]
    finally:
        _http.configure()


@pytest.mark.realdata
def test_corrupt_cached_zip_is_a_source_error(httpserver, realdata, zips, outline, tmp_path):
    replay = serve_vierkant(httpserver, realdata, zips, resolutions=(500,))
    url = catalog.vierkant_url(2024, 500, download_url=replay.base_url)
    # a damaged copy whose validators still match the server: 304, then unreadable
    (tmp_path / "2025-cbs_vk500_2024_v1.zip").write_text("<html>Onderhoud</html>")
    (tmp_path / "2025-cbs_vk500_2024_v1.zip.validators.json").write_text(
        json.dumps({"etag": _http.head(url).headers["ETag"]})
    )
    with pytest.raises(SourceError, match="geen geldig zip"):
        _fetch_500(outline, replay, tmp_path)
    assert [(e.method, e.status) for e in replay.log] == [("HEAD", 200), ("GET", 304)]


def _tiny_zip(folder, inhabitants: list[float]) -> bytes:
    """A CBS-like 500 m zip with four cells around (100000, 400000) and one far away."""
    codes = ["E1000N4000", "E1005N4000", "E1000N4005", "E1005N4005", "E2000N5000"]
    gdf = gpd.GeoDataFrame(
        {"crs28992res500m": codes, "aantal_inwoners": inhabitants},
        geometry=cell_polygons(codes, 500).values,
        crs=28992,
    )
    gpkg, target = folder / "cbs_vk500_2024_v1.gpkg", folder / "tiny.zip"
    gdf.to_file(gpkg, driver="GPKG", layer="vierkant_500m")
    with zipfile.ZipFile(target, "w") as zf:
        zf.write(gpkg, gpkg.name)
    return target.read_bytes()


def test_cached_zip_is_revalidated_and_replaced_when_the_download_changes(httpserver, tmp_path):
    from replay import Replay

    replay = Replay(server=httpserver, realdata=tmp_path)
    httpserver.expect_request(re.compile(".*")).respond_with_handler(replay.handle)
    url = catalog.vierkant_url(2024, 500, download_url=replay.base_url)
    path = url.removeprefix(replay.base_url)
    build, cache = tmp_path / "build", tmp_path / "cache"
    build.mkdir()
    outline = gpd.GeoDataFrame(geometry=[shapely.box(100100, 400100, 100900, 400900)], crs=28992)

    def inhabitants() -> list[float]:
        grid = _fetch_500(outline, replay, cache, gemeente="GM0001")["500m"]
        return grid.sort_values("celcode")["aantal_inwoners"].tolist()

    replay.files[path] = _tiny_zip(build, [10, 20, 30, 40, 50])
    assert inhabitants() == [10, 30, 20, 40]  # E1000N4000, E1000N4005, E1005N4000, ...
    saved = json.loads((cache / (url.rsplit("/", 1)[1] + ".validators.json")).read_text())
    assert saved["etag"].startswith('"') and saved["last_modified"].endswith("GMT")
    assert inhabitants() == [10, 30, 20, 40]  # unchanged: 304, cached copy used
    replay.files[path] = _tiny_zip(build, [11, 21, 31, 41, 51])  # new release, new ETag
    assert inhabitants() == [11, 31, 21, 41]
    assert [e.status for e in replay.log] == [200, 304, 200]
    new = json.loads((cache / (url.rsplit("/", 1)[1] + ".validators.json")).read_text())
    assert new["etag"] != saved["etag"]
    assert sorted(p.name for p in cache.iterdir()) == [
        "2025-cbs_vk500_2024_v1.zip",
        "2025-cbs_vk500_2024_v1.zip.lock",
        "2025-cbs_vk500_2024_v1.zip.validators.json",
    ]


def test_cached_download_waits_for_another_download(tmp_path):
    from filelock import FileLock

    target = tmp_path / "vk.zip"
    with FileLock(str(target) + ".lock"), pytest.raises(SourceError, match=r"downloadt vk\.zip"):
        cached_download("http://127.0.0.1:1/vk.zip", target, lock_timeout=0.1)
    assert not target.exists()
