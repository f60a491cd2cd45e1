"""The 500 m grid: cells, the exact kernel and areal interpolation against the overlay."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from wijkgeo import DataValidationError
from wijkgeo.grid import area_interpolate, cells, interpolation_weights
from wijkgeo.grid._kernel import grid_areas, grid_lengths, is_grid

CRS = "EPSG:28992"


def _overlay(source, target, extensive=(), intensive=()):
    """The oracle: geopandas.overlay + groupby, indexed like target."""
    s = source.assign(_sid=np.arange(len(source)), _sarea=source.area)
    t = target[["geometry"]].assign(_tid=np.arange(len(target)))
    ov = gpd.overlay(s, t, how="intersection", keep_geom_type=True)
    ov["_a"] = ov.area
    out = {}
    for col in extensive:
        ok = ov[col].notna()
        v = (ov[col] * ov["_a"] / ov["_sarea"])[ok].groupby(ov["_tid"][ok]).sum()
        out[col] = v.reindex(range(len(target)))
    for col in intensive:
        ok = ov[col].notna()
        num = (ov[col] * ov["_a"])[ok].groupby(ov["_tid"][ok]).sum()
        den = ov["_a"][ok].groupby(ov["_tid"][ok]).sum()
        out[col] = (num / den).reindex(range(len(target)))
    return pd.DataFrame(out)


def _close(ours, ref, cell_area):
    """Equal to 1e-9 of the cell value (and of a count per cell), NaN where the oracle has none."""
    a, b = np.asarray(ours, float), np.asarray(ref, float)
    both = ~np.isnan(a) & ~np.isnan(b)
    # a cell the overlay sees only as a zero-area sliver is missing there, ~0 here
    only = np.isnan(b) & ~np.isnan(a)
    assert np.all(np.abs(a[only]) <= 1e-6), a[only]
    assert np.isnan(a[np.isnan(b) & np.isnan(a)]).all()
    scale = np.maximum(np.abs(b[both]), 1.0)
    assert np.max(np.abs(a[both] - b[both]) / scale, initial=0) < 1e-9


# ------------------------------------------------------------------------------- cells
def test_cells_of_a_bbox_and_a_polygon_follow_cbs_codes():
    g = cells((97600, 452000, 98400, 452400), size=500)
    assert g["celcode"].tolist() == ["E0975N4520", "E0980N4520"]
    assert g.crs.to_epsg() == 28992 and (g.area == 250_000).all()
    poly = gpd.GeoDataFrame(geometry=[shapely.box(97600, 452000, 98000, 452400)], crs=CRS)
    # the cell right of x=98000 only touches the polygon along an edge: not included
    assert cells(poly, 500)["celcode"].tolist() == ["E0975N4520"]
    hundred = cells(poly, 100)
    assert len(hundred) == 4 * 4 and hundred["celcode"].iloc[0] == "E0976N4520"
    with pytest.raises(DataValidationError, match="100 en 500"):
        cells(poly, 250)
    with pytest.raises(DataValidationError, match="graden"):
        cells(poly.to_crs(4326), 500)


def test_cells_join_cbs_vierkanten_by_celcode():
    from wijkgeo.demo import make_demo

    atlas = make_demo()
    grid = cells(atlas.gemeente, 500)
    cbs = atlas.vierkanten["500m"]
    assert set(cbs["celcode"]) <= set(grid["celcode"])
    joined = grid.merge(cbs.drop(columns="geometry"), on="celcode")
    assert len(joined) == len(cbs)


def test_is_grid_recognises_only_aligned_squares():
    assert is_grid(cells((0, 0, 1000, 1000), 100).geometry.values) == 100
    assert is_grid([shapely.box(10, 0, 510, 500)]) is None
    assert is_grid([shapely.box(0, 0, 500, 500).buffer(0.01)]) is None


# ------------------------------------------------------------------------------- kernel
def test_kernel_holes_multipolygons_and_cells_on_the_border():
    ring = shapely.box(0, 0, 1000, 1000).difference(shapely.box(100, 100, 350, 420))
    multi = shapely.MultiPolygon([shapely.box(1200, 0, 1250, 40), shapely.box(1300, 0, 1500, 500)])
    edge = shapely.box(0, 1000, 500, 1500)  # exactly on grid lines
    geoms = np.array([ring, multi, edge], dtype=object)
    src, ix, iy, a = grid_areas(geoms, 100)
    boxes = shapely.box(ix * 100, iy * 100, ix * 100 + 100, iy * 100 + 100)
    ref = shapely.area(shapely.intersection(boxes, geoms[src]))
    np.testing.assert_allclose(a, ref, atol=1e-9)
    np.testing.assert_allclose(np.bincount(src, weights=a), shapely.area(geoms), rtol=1e-12)
    # clockwise exterior rings (as shapefiles write them) give the same areas
    flipped = np.array([shapely.reverse(g) for g in geoms], dtype=object)
    np.testing.assert_allclose(grid_areas(flipped, 100)[3], a, atol=1e-9)


def test_lengths_add_up_and_split_at_grid_lines():
    line = shapely.LineString([(50, 50), (250, 170), (250, 400)])
    _, ix, iy, length = grid_lengths([line], 100)
    assert length.sum() == pytest.approx(line.length, rel=1e-12)
    boxes = shapely.box(ix * 100, iy * 100, ix * 100 + 100, iy * 100 + 100)
    # the vertical part on x=250 is inside cells of column 2 only
    ref = shapely.length(shapely.intersection(boxes, line))
    np.testing.assert_allclose(length, ref, atol=1e-9)


# -------------------------------------------------------------------- exact vs overlay
def _voronoi_coverage(seed: int, n: int, extent: float, with_holes: bool):
    rng = np.random.default_rng(seed)
    pts = shapely.MultiPoint(rng.uniform(0, extent, (n, 2)) + np.array([100_000, 400_000]))
    frame = shapely.box(100_000, 400_000, 100_000 + extent, 400_000 + extent)
    cellsv = shapely.get_parts(shapely.voronoi_polygons(pts, extend_to=frame))
    cellsv = shapely.intersection(cellsv, frame)
    if with_holes:
        # punch a hole in the first polygon and give it to a new one; make one a multipolygon
        c0 = cellsv[0]
        hole = shapely.buffer(shapely.centroid(c0), 0.2 * np.sqrt(c0.area) + 1, quad_segs=3)
        hole = shapely.intersection(hole, c0)
        cellsv = np.r_[shapely.difference(cellsv[:1], hole), cellsv[1:], [hole]]
        # a true multipolygon: two polygons that do not touch become one buurt
        far = np.flatnonzero(~shapely.intersects(cellsv[1], cellsv))
        if len(far):
            j = int(far[0])
            # either part may itself be a multipolygon (a voronoi cell cut by the hole)
            multi = shapely.MultiPolygon(list(shapely.get_parts([cellsv[1], cellsv[j]])))
            cellsv = np.r_[[multi], np.delete(cellsv, [1, j])]
    return cellsv


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.integers(0, 10_000),
    n=st.integers(2, 40),
    extent=st.sampled_from([180.0, 730.0, 1630.0, 2400.0]),
    size=st.sampled_from([100, 500]),
    holes=st.booleans(),
    nan_share=st.sampled_from([0.0, 0.3]),
)
def test_interpolation_equals_overlay_groupby(seed, n, extent, size, holes, nan_share):
    geoms = _voronoi_coverage(seed, n, extent, holes)
    rng = np.random.default_rng(seed + 1)
    m = len(geoms)
    inw = rng.integers(0, 5000, m).astype(float)
    pct = rng.uniform(0, 100, m)
    inw[rng.random(m) < nan_share] = np.nan
    source = gpd.GeoDataFrame({"inw": inw, "pct": pct}, geometry=geoms, crs=CRS)
    # the target's border cells stick out of the area (the area is not grid-aligned)
    target = cells(source, size)
    ours = area_interpolate(source, target, extensive=["inw"], intensive=["pct"])
    assert ours.attrs["wijkgeo_method"] == "grid"
    ref = _overlay(source, target, ["inw"], ["pct"])
    _close(ours["inw"], ref["inw"], size * size)
    _close(ours["pct"], ref["pct"], size * size)
    # totals are kept (the cells cover every buurt)
    assert np.nansum(ours["inw"]) == pytest.approx(np.nansum(inw), rel=1e-12, abs=1e-9)
    # the reverse, cells to buurten, is the transposed table and matches the overlay too
    target = target.assign(v=np.arange(len(target), dtype=float))
    back = area_interpolate(target, source, extensive=["v"])
    _close(back["v"], _overlay(target, source, ["v"])["v"], size * size)


def test_general_targets_use_the_overlay_path_and_agree():
    geoms = _voronoi_coverage(3, 25, 2000.0, True)
    source = gpd.GeoDataFrame({"inw": np.arange(len(geoms), dtype=float)}, geometry=geoms, crs=CRS)
    plan = gpd.GeoDataFrame(
        geometry=[shapely.Point(100_700, 400_800).buffer(600), shapely.box(101_000, 400_000,
                  101_900, 400_500)], crs=CRS)
    ours = area_interpolate(source, plan, extensive=["inw"])
    assert ours.attrs["wijkgeo_method"] == "overlay"
    _close(ours["inw"], _overlay(source, plan, ["inw"])["inw"], 1.0)


def test_many_variables_reuse_one_table():
    geoms = _voronoi_coverage(5, 30, 2400.0, False)
    data = {f"v{i}": np.arange(len(geoms), dtype=float) * (i + 1) for i in range(40)}
    source = gpd.GeoDataFrame(data, geometry=geoms, crs=CRS)
    target = cells(source, 100)
    table = interpolation_weights(source, target)
    one = area_interpolate(source, target, extensive=["v0"], table=table)
    many = area_interpolate(source, target, extensive=list(data), table=table)
    np.testing.assert_allclose(many["v39"], 40 * one["v0"])
    with pytest.raises(DataValidationError, match="interpolation_weights"):
        area_interpolate(source.iloc[:3], target, extensive=["v0"], table=table)


# ------------------------------------------------------------------ missing and errors
def test_missing_values_stay_missing_and_are_reported():
    source = gpd.GeoDataFrame(
        {"inw": [np.nan, 200.0], "pct": [np.nan, np.nan]},
        geometry=[shapely.box(0, 0, 500, 500), shapely.box(500, 0, 1000, 250)],
        crs=CRS,
    )
    target = cells((0, 0, 1500, 500), 500)
    out = area_interpolate(source, target, extensive=["inw"], intensive=["pct"])
    assert np.isnan(out["inw"].iloc[0])  # its only contributor is NaN: NaN, not 0
    assert out["inw"].iloc[1] == pytest.approx(200.0)
    assert np.isnan(out["inw"].iloc[2])  # no buurt at all: NaN, with oppervlakte 0
    assert out["oppervlakte_m2"].tolist() == [250_000.0, 125_000.0, 0.0]
    assert out["aandeel_oppervlakte"].tolist() == [1.0, 0.5, 0.0]
    assert out["pct"].isna().all()
    rep = out.attrs["wijkgeo_missing"]
    assert rep["inw"]["missing_measure"] == pytest.approx(250_000.0)
    assert rep["inw"]["missing_share"] == pytest.approx(250_000 / 375_000)
    assert rep["pct"]["missing_share"] == pytest.approx(1.0)


def test_inputs_without_crs_or_in_degrees_are_refused():
    source = gpd.GeoDataFrame({"inw": [1.0]}, geometry=[shapely.box(0, 0, 500, 500)], crs=CRS)
    target = cells(source, 500)
    with pytest.raises(DataValidationError, match="geen coördinatenstelsel"):
        area_interpolate(source.set_crs(None, allow_override=True), target, extensive=["inw"])
    with pytest.raises(DataValidationError, match="graden"):
        area_interpolate(source, target.to_crs(4326), extensive=["inw"])
    with pytest.raises(DataValidationError, match="ontbreken"):
        area_interpolate(source, target, extensive=["nope"])
    with pytest.raises(DataValidationError, match="zowel"):
        area_interpolate(source, target, extensive=["inw"], intensive=["inw"])


# ---------------------------------------------------------------- points, lines, weights
def test_points_are_counted_and_lines_measured_per_cell():
    target = cells((0, 0, 1000, 500), 500)
    pts = gpd.GeoDataFrame(
        {"n": [1.0, 2.0, 4.0]},
        geometry=[shapely.Point(10, 10), shapely.Point(499, 1), shapely.Point(500, 10)],
        crs=CRS,
    )
    out = area_interpolate(pts, target, extensive=["n"])
    assert out["aantal_punten"].tolist() == [2.0, 1.0]
    assert out["n"].tolist() == [3.0, 4.0]
    # a general target counts the point on the shared edge once, too
    plan = gpd.GeoDataFrame(
        geometry=[shapely.box(0, 0, 500, 600), shapely.box(500, 0, 1000, 600)], crs=CRS
    )
    counted = area_interpolate(pts, plan)
    assert counted.attrs["wijkgeo_method"] == "overlay"
    assert counted["aantal_punten"].sum() == 3
    # plain GeoSeries work too, when only the measure is asked for
    assert area_interpolate(pts.geometry, target.geometry)["aantal_punten"].tolist() == [2, 1]
    line = gpd.GeoDataFrame(
        {"fiets": [1.0]}, geometry=[shapely.LineString([(100, 100), (900, 100)])], crs=CRS
    )
    lens = area_interpolate(line, target, extensive=["fiets"])
    assert lens["lengte_m"].tolist() == [400.0, 400.0]
    assert lens["fiets"].tolist() == [0.5, 0.5]


def test_dasymetric_weights_move_people_to_the_dwellings():
    buurt = gpd.GeoDataFrame(
        {"inw": [1000.0], "pct": [20.0]}, geometry=[shapely.box(0, 0, 1000, 500)], crs=CRS
    )
    target = cells(buurt, 500)
    fine = cells((0, 0, 1000, 500), 100)
    # all dwellings in the left 500 m cell, one cell with a secret (NaN) weight
    woningen = np.where(fine.geometry.bounds.minx < 500, 10.0, 0.0)
    woningen[-1] = np.nan
    fine = fine.assign(aantal_woningen=woningen)
    out = area_interpolate(buurt, target, extensive=["inw"], intensive=["pct"],
                           weights=(fine, "aantal_woningen"))
    assert out.attrs["wijkgeo_method"] == "dasymetric"
    assert out["inw"].tolist() == pytest.approx([1000.0, 0.0])
    # a cell without any weight keeps the area-weighted rate
    assert out["pct"].tolist() == pytest.approx([20.0, 20.0])
    with pytest.raises(DataValidationError, match="passen"):
        area_interpolate(buurt, cells(buurt, 100), extensive=["inw"],
                         weights=(target.assign(w=1.0), "w"))


@settings(max_examples=10, deadline=None)
@given(seed=st.integers(0, 10_000), n=st.integers(2, 25), holes=st.booleans())
def test_dasymetric_equals_an_overlay_with_the_fine_cells(seed, n, holes):
    geoms = _voronoi_coverage(seed, n, 1630.0, holes)
    rng = np.random.default_rng(seed)
    source = gpd.GeoDataFrame({"inw": rng.integers(0, 900, len(geoms)).astype(float)},
                              geometry=geoms, crs=CRS)
    target = cells(source, 500)
    fine = cells(source, 100)
    fine = fine.assign(w=rng.integers(0, 4, len(fine)).astype(float))
    ours = area_interpolate(source, target, extensive=["inw"], weights=(fine, "w"))
    # oracle: pieces buurt x fine cell, weight w * area / cell area, shared out per buurt
    s = source.assign(_sid=np.arange(len(source)))
    ov = gpd.overlay(s, fine, how="intersection", keep_geom_type=True)
    ov["d"] = ov["w"] * ov.area / 10_000
    tot = ov.groupby("_sid")["d"].transform("sum")
    area_share = ov.area / source.area.to_numpy()[ov["_sid"]]
    ov["v"] = np.where(tot > 0, ov["inw"] * ov["d"] / tot.where(tot > 0, 1), ov["inw"] * area_share)
    x, y = ov["celcode"].str[1:5].astype(int) // 5 * 5, ov["celcode"].str[6:10].astype(int) // 5 * 5
    parent = "E" + x.astype(str).str.zfill(4) + "N" + y.astype(str).str.zfill(4)
    ref = ov["v"].groupby(parent).sum().reindex(target["celcode"])
    a, b = ours["inw"].to_numpy(), ref.to_numpy()
    both = ~np.isnan(b)
    assert np.max(np.abs(a[both] - b[both]) / np.maximum(np.abs(b[both]), 1), initial=0) < 1e-9


def test_grid_codes_do_not_load_the_interpolation():
    """sources/vierkant.py imports grid.codes: that must not pull the high grid layer in."""
    import subprocess
    import sys

    code = (
        "import sys, wijkgeo.sources.vierkant, wijkgeo.grid; "
        "print(sorted(m for m in sys.modules if m.startswith('wijkgeo.grid')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    import ast

    loaded = set(ast.literal_eval(out.stdout))
    assert "wijkgeo.grid.codes" in loaded
    assert not loaded & {
        "wijkgeo.grid.interpolate",
        "wijkgeo.grid.areal",
        "wijkgeo.grid.layer",
        "wijkgeo.grid._dask",
    }


def test_a_table_is_reused_for_another_year_with_the_same_boundaries():
    geoms = _voronoi_coverage(9, 12, 1200.0, False)
    y2023 = gpd.GeoDataFrame({"inw": np.arange(12.0)}, geometry=geoms, crs=CRS)
    y2024 = y2023.assign(inw=y2023["inw"] * 2)
    target = cells(y2023, 100)
    table = interpolation_weights(y2023, target)
    a = area_interpolate(y2024, target, extensive=["inw"], table=table)
    b = area_interpolate(y2024, target, extensive=["inw"])
    np.testing.assert_array_equal(a["inw"], b["inw"])
    with pytest.raises(DataValidationError, match="volgorde"):
        area_interpolate(y2024.iloc[::-1], target, extensive=["inw"], table=table)


def test_kernel_in_slices_gives_the_same_table(monkeypatch):
    import wijkgeo.grid._kernel as kernel

    geoms = _voronoi_coverage(4, 40, 2400.0, True)
    whole = grid_areas(geoms, 100)
    monkeypatch.setattr(kernel, "_CHUNK", 7)
    sliced = grid_areas(geoms, 100)
    for a, b in zip(whole[:3], sliced[:3], strict=True):
        np.testing.assert_array_equal(a, b)
    np.testing.assert_allclose(whole[3], sliced[3], rtol=1e-13)  # order of additions only


def test_invalid_buurten_are_repaired_like_the_overlay_would_see_them(caplog):
    bowtie = shapely.Polygon([(0, 0), (500, 500), (500, 0), (0, 500), (0, 0)])
    spur = shapely.Polygon([(500, 0), (1000, 0), (1000, 500), (500, 500), (500, 0), (400, 0)])
    source = gpd.GeoDataFrame({"inw": [100.0, 50.0]}, geometry=[bowtie, spur], crs=CRS)
    assert not source.is_valid.any()
    out = area_interpolate(source, cells((0, 0, 1000, 500), 500), extensive=["inw"])
    assert "ongeldige vlakken gerepareerd" in caplog.text
    assert out["inw"].tolist() == pytest.approx([100.0, 50.0])
    assert out["oppervlakte_m2"].tolist() == pytest.approx([125_000.0, 250_000.0])


def test_dasymetric_the_reverse_way_cells_to_buurten():
    cell = cells((0, 0, 500, 500), 500).assign(inw=[100.0])
    fine = cells((0, 0, 500, 500), 100)
    # dwellings only in the left 200 m; the buurten split the cell at x = 100
    fine = fine.assign(w=np.where(fine.geometry.bounds.minx < 200, 1.0, 0.0))
    buurten = gpd.GeoDataFrame(
        geometry=[shapely.box(0, 0, 100, 500), shapely.box(100, 0, 500, 500)], crs=CRS
    )
    out = area_interpolate(cell, buurten, extensive=["inw"], weights=(fine, "w"))
    assert out["inw"].tolist() == pytest.approx([50.0, 50.0])
    plain = area_interpolate(cell, buurten, extensive=["inw"])
    assert plain["inw"].tolist() == pytest.approx([20.0, 80.0])
