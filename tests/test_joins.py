"""Joins of local layers to buurt, wijk and cell: conservation (hypothesis) and real data."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from wijkgeo import make_demo
from wijkgeo.joins import (
    active_on,
    assign_points,
    cell_of,
    distance_to_nearest,
    line_length,
    merge_codes,
    points_per_area,
    points_per_cell,
    polygon_share,
)


@pytest.fixture(scope="module")
def demo():
    return make_demo()


CATS = ["huisarts", "buurthuis", "school"]


def _points(xy: list[tuple[float, float]], cats: list[int]) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"categorie": [CATS[c % 3] for c in cats]},
        geometry=gpd.points_from_xy([p[0] for p in xy], [p[1] for p in xy]),
        crs=28992,
    )


coords = st.lists(
    st.tuples(st.floats(55_000, 85_000), st.floats(535_000, 555_000)), min_size=0, max_size=60
)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(xy=coords, seed=st.integers(0, 10))
def test_points_in_equal_assigned_plus_outside(demo, xy, seed):
    pts = _points(xy, list(np.random.default_rng(seed).integers(0, 3, len(xy))))
    for areas in (demo.buurten, demo.wijken):
        per = points_per_area(pts, areas, by="categorie")
        assert int(per["aantal"].sum()) + len(per.attrs["outside"]) == len(pts)
        cats = [c for c in CATS if c in per.columns]
        assert (per[cats].sum(axis=1) == per["aantal"]).all()
        assert per.index.equals(pd.Index(areas.iloc[:, 0].astype(str), name=per.index.name))
    cells = points_per_cell(pts, demo.vierkanten["500m"])
    assert int(cells["aantal"].sum()) + len(cells.attrs["outside"]) == len(pts)
    free = points_per_cell(pts)
    assert int(free["aantal"].sum()) == len(pts)


@settings(max_examples=30, deadline=None)
@given(xy=st.lists(st.tuples(st.integers(-5, 25), st.integers(-5, 15)), min_size=1, max_size=40))
def test_points_on_shared_edges_are_counted_once(xy):
    areas = gpd.GeoDataFrame(
        {"buurtcode": ["A", "B"]},
        geometry=[shapely.box(0, 0, 10, 10), shapely.box(10, 0, 20, 10)],
        crs=28992,
    )
    pts = _points([(float(x), float(y)) for x, y in xy], [0] * len(xy))
    codes = assign_points(pts, areas)
    per = points_per_area(pts, areas, population=None)
    inside = [(0 <= x <= 20 and 0 <= y <= 10) for x, y in xy]
    assert int(codes.notna().sum()) == sum(inside) == int(per["aantal"].sum())
    assert len(per.attrs["outside"]) == len(xy) - sum(inside)


@settings(max_examples=25, deadline=None)
@given(
    x0=st.floats(-5, 15),
    w=st.floats(0.5, 20),
    y0=st.floats(-5, 8),
    h=st.floats(0.5, 12),
)
def test_polygon_share_and_line_length_conserve(x0, w, y0, h):
    areas = gpd.GeoDataFrame(
        {"buurtcode": ["A", "B"]},
        geometry=[shapely.box(0, 0, 10, 10), shapely.box(10, 0, 20, 10)],
        crs=28992,
    )
    poly = shapely.box(x0, y0, x0 + w, y0 + h)
    share = polygon_share(gpd.GeoDataFrame(geometry=[poly, poly], crs=28992), areas)
    covered = (share["aandeel"] * 100).sum()
    assert covered == pytest.approx(poly.intersection(shapely.box(0, 0, 20, 10)).area, abs=1e-6)
    assert (share["aandeel"] <= 1 + 1e-9).all()  # overlapping polygons merged first
    line = shapely.LineString([(x0, y0), (x0 + w, y0 + h)])
    lengths = line_length(gpd.GeoDataFrame(geometry=[line], crs=28992), areas)
    inside = line.intersection(shapely.box(0, 0, 20, 10)).length
    assert lengths["lengte_m"].sum() == pytest.approx(inside, abs=1e-6)
    assert len(lengths.attrs["outside"]) == (
        0 if inside > 0 or line.intersects(shapely.box(0, 0, 20, 10)) else 1
    )


def test_demo_joins(demo):
    vz = demo.local["voorzieningen"]
    per = points_per_area(vz, demo.buurten, by="categorie")
    assert per.attrs["outside"] == []
    inw = demo.buurten.set_index("buurtcode")["aantal_inwoners"]
    b = per.index[per["huisarts"] > 0][0]
    assert per.at[b, "huisarts_per_1000"] == pytest.approx(per.at[b, "huisarts"] / inw[b] * 1000)
    bi = demo.local["bewonersinitiatieven"]
    act = active_on(bi, "2024-09-01")
    assert set(bi.loc[act, "status"]) == {"actief"}
    kk = points_per_area(bi[act], demo.wijken).loc["WK999902", "aantal"]
    assert kk >= 4
    pr = demo.local["projecten"]
    lengths = line_length(pr, demo.wijken, by="thema")
    assert lengths.loc["WK999902", "lengte_m_warmtenet"] > 1000
    assert lengths.loc["WK999902", "lengte_m_riolering"] > 500
    share = polygon_share(pr, demo.buurten, by="eigenaar")
    assert share["aandeel_corporatie"].max() > 0
    merged = merge_codes(demo.wijken, demo.local["energietransitie"])
    assert merged.index.equals(pd.Index(demo.wijken["wijkcode"], name="wijkcode"))
    assert merged["planjaar"].notna().sum() == len(demo.local["energietransitie"])
    d = distance_to_nearest(demo.buurten, vz)
    assert (d["methode"] == "buurtcentroide").all()
    assert d.index.equals(pd.Index(demo.buurten["buurtcode"], name="buurtcode"))
    cells = cell_of(vz)
    assert cells.str.fullmatch(r"E\d{4}N\d{4}").all()


def test_distance_through_cells_uses_cells_where_present():
    areas = gpd.GeoDataFrame(
        {"buurtcode": ["A", "B"]},
        geometry=[shapely.box(0, 0, 1000, 1000), shapely.box(1000, 0, 2000, 1000)],
        crs=28992,
    )
    cells = gpd.GeoDataFrame(  # all of A's inhabitants in its west corner cell
        {"aantal_inwoners": [100.0, np.nan]},
        geometry=[shapely.box(0, 0, 100, 100), shapely.box(900, 900, 1000, 1000)],
        crs=28992,
    )
    vz = gpd.GeoDataFrame({"categorie": ["huisarts"]}, geometry=[shapely.Point(50, 50)], crs=28992)
    d = distance_to_nearest(areas, vz, cells=cells)
    assert d.loc["A", "methode"] == "100m-cellen" and d.loc["A", "afstand_huisarts_m"] == 0
    assert d.loc["B", "methode"] == "buurtcentroide"
    assert d.loc["B", "afstand_huisarts_m"] == pytest.approx(np.hypot(1450, 450), rel=1e-6)


@pytest.mark.realdata
@pytest.mark.slow
def test_points_on_real_rotterdam_buurten(realdata: Path):
    raw = realdata / "raw" / "nprz"
    geo = gpd.read_file(raw / "buurt_2024.geojson").to_crs(28992)
    stats = pd.read_parquet(raw / "buurt_2024_stats.parquet")
    buurten = gpd.GeoDataFrame(
        stats[["buurtcode", "gemeentecode", "aantal_inwoners"]].assign(
            aantal_inwoners=lambda f: f["aantal_inwoners"].where(f["aantal_inwoners"] >= 0)
        ),
        geometry=geo.geometry.values,
        crs=28992,
    )
    # one point inside each buurt, plus points in the North Sea and in Germany
    inner = shapely.point_on_surface(buurten.geometry.values)
    extra = [shapely.Point(40_000, 450_000), shapely.Point(260_000, 450_000)]
    pts = gpd.GeoDataFrame(
        {"categorie": ["a"] * len(inner) + ["b", "b"]}, geometry=[*inner, *extra], crs=28992
    )
    per = points_per_area(pts, buurten, by="categorie")
    assert len(per) == 625 and (per["a"] == 1).all()
    assert sorted(per.attrs["outside"]) == [625, 626]
    assert int(per["aantal"].sum()) + 2 == len(pts)
    rdam = buurten[buurten["gemeentecode"] == "GM0599"]
    grid = gpd.read_file(raw / "grid_100m_rijnmond.geojson").to_crs(28992)
    gstats = pd.read_parquet(raw / "grid_100m_rijnmond_stats.parquet")
    assert (grid["crs28992res100m"].to_numpy() == gstats["crs28992res100m"].to_numpy()).all()
    inw = gstats["aantal_inwoners"]
    grid["aantal_inwoners"] = inw.where(inw >= 0).to_numpy()
    vz = pts.iloc[: len(inner)].assign(categorie="huisarts")
    d = distance_to_nearest(rdam, vz, cells=grid)
    assert d.index.equals(pd.Index(rdam["buurtcode"], name="buurtcode"))
    assert (d["afstand_huisarts_m"] >= 0).all()
    assert d["afstand_huisarts_m"].median() < 1500
    assert (d["methode"] == "100m-cellen").mean() > 0.5  # Rijnmond cells cover Rotterdam
