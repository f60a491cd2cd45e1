"""The Demodam generator: geometry, statistics, formats, determinism, national size."""

from __future__ import annotations

import json
import re
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import shapely

from wijkgeo import ConfigError, demo
from wijkgeo.demo import (
    demo_sources,
    generate_country,
    make_demo,
    write_local_layers,
)
from wijkgeo.sources.local import RD_BOUNDS

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def atlas():
    return make_demo()


@pytest.fixture(scope="module")
def src():
    return demo_sources()


def _pairs_overlap_area(geoms: np.ndarray) -> float:
    tree = shapely.STRtree(geoms)
    i, j = tree.query(geoms, predicate="intersects")
    keep = i < j
    return float(shapely.area(shapely.intersection(geoms[i[keep]], geoms[j[keep]])).sum())


# ----------------------------------------------------------------------------- codes, place
def test_codes_are_fictional_and_hierarchical(atlas):
    assert atlas.code == "GM9999"
    assert atlas.name == "Demodam"
    assert atlas.year == 2024
    assert len(atlas.wijken) == 8
    assert len(atlas.buurten) == 40
    assert atlas.wijken["wijkcode"].str.fullmatch(r"WK9999\d\d").all()
    assert atlas.buurten["buurtcode"].str.fullmatch(r"BU9999\d{4}").all()
    assert (atlas.buurten["wijkcode"] == "WK" + atlas.buurten["buurtcode"].str[2:8]).all()
    assert set(atlas.buurten["wijkcode"]) == set(atlas.wijken["wijkcode"])
    assert atlas.buurten["buurtcode"].is_unique
    assert (atlas.buurten["gemeentecode"] == "GM9999").all()


def test_demodam_lies_in_the_north_sea(atlas):
    assert atlas.gemeente.crs.to_epsg() == 28992
    x0, y0, x1, y1 = atlas.gemeente.total_bounds
    # inside the RD area of use, west of the Noord-Holland coast (x ~ 100 km there)
    assert x0 > RD_BOUNDS[0] and x1 < 80_000
    assert y0 > 535_000 and y1 < 555_000


# --------------------------------------------------------------------------------- geometry
def test_geometries_valid_single_polygons_and_irregular(atlas):
    for layer in (atlas.gemeente, atlas.wijken, atlas.buurten):
        geoms = layer.geometry.values
        assert shapely.is_valid(geoms).all()
        assert not shapely.is_empty(geoms).any()
        assert set(shapely.get_type_id(geoms)) <= {3, 6}  # Polygon / MultiPolygon
    nv = shapely.get_num_coordinates(atlas.buurten.geometry.values)
    assert nv.min() >= 30  # not squares
    # contiguous wijken: each a single polygon piece
    parts = shapely.get_num_geometries(atlas.wijken.geometry.values)
    assert (parts == 1).all()


def test_buurten_tile_wijken_and_wijken_tile_gemeente_exactly(atlas):
    b = atlas.buurten.geometry.values
    w = atlas.wijken.geometry.values
    g = atlas.gemeente.geometry.values[0]
    assert shapely.coverage_is_valid(b)
    assert shapely.coverage_is_valid(w)
    assert _pairs_overlap_area(b) == 0.0
    assert _pairs_overlap_area(w) == 0.0
    for code, wg in zip(atlas.wijken["wijkcode"], w, strict=True):
        union = shapely.coverage_union_all(b[atlas.buurten["wijkcode"].to_numpy() == code])
        assert shapely.symmetric_difference(union, wg).area < 1e-6
    assert shapely.symmetric_difference(shapely.coverage_union_all(w), g).area < 1e-6
    assert abs(shapely.area(b).sum() - g.area) < 1e-3
    # shared edges are identical: neighbours meet in lines, never in slivers
    tree = shapely.STRtree(b)
    i, j = tree.query(b, predicate="intersects")
    keep = i < j
    inter = shapely.intersection(b[i[keep]], b[j[keep]])
    dims = shapely.get_dimensions(inter)
    assert (dims <= 1).all() and (dims == 1).sum() >= len(b)


# ------------------------------------------------------------------------------ statistics
def test_parts_sum_to_totals_at_every_level(atlas):
    age = [
        f"aantal_personen_{a}"
        for a in (
            "0_tot_15_jaar",
            "15_tot_25_jaar",
            "25_tot_45_jaar",
            "45_tot_65_jaar",
            "65_jaar_en_ouder",
        )
    ]
    hh = [
        "aantal_eenpersoonshuishoudens",
        "aantal_huishoudens_zonder_kinderen",
        "aantal_huishoudens_met_kinderen",
    ]
    for layer in (atlas.gemeente, atlas.wijken, atlas.buurten):
        assert (layer["mannen"] + layer["vrouwen"] == layer["aantal_inwoners"]).all()
        assert (layer[age].sum(axis=1) == layer["aantal_inwoners"]).all()
        assert (layer[hh].sum(axis=1) == layer["aantal_huishoudens"]).all()
        kh = layer["percentage_koopwoningen"] + layer["percentage_huurwoningen"]
        assert (kh.dropna() <= 100).all() and (kh.dropna() >= 95).all()
        split = (
            layer["perc_huurwoningen_in_bezit_woningcorporaties"]
            + layer["perc_huurwoningen_in_bezit_overige_verhuurders"]
        )
        assert np.allclose(split.dropna(), layer["percentage_huurwoningen"][split.notna()])
        pct = [c for c in layer.columns if c.startswith(("percentage_", "perc_"))]
        values = layer[pct].to_numpy(float)
        assert np.nanmin(values) >= 0 and np.nanmax(values) <= 100


def test_counts_rounded_to_five_below_gemeente_and_gemeente_exact(atlas, src):
    truth = src["country"].truth
    g = atlas.gemeente.iloc[0]
    for col in (
        "aantal_inwoners",
        "mannen",
        "aantal_huishoudens",
        "aantal_personen_65_jaar_en_ouder",
    ):
        assert (atlas.buurten[col] % 5 == 0).all(), col
        assert (atlas.wijken[col] % 5 == 0).all(), col
        assert g[col] == truth[col].sum(), col  # exact: sum of unrounded buurt values
        by_wijk = truth.groupby("wijkcode")[col].sum()
        expected = np.round(by_wijk / 5) * 5
        got = atlas.wijken.set_index("wijkcode")[col]
        if col.startswith("aantal_personen"):  # parts are rounded so that they add up
            assert (abs(got - by_wijk.loc[got.index]) < 5).all(), col
        else:
            assert (got == expected.loc[got.index]).all(), col
    # like CBS: the rounded buurten do not add up exactly to the gemeente
    assert atlas.buurten["aantal_inwoners"].sum() != g["aantal_inwoners"]
    assert abs(atlas.buurten["aantal_inwoners"].sum() - g["aantal_inwoners"]) <= 2.5 * 40
    assert g["aantal_inwoners"] % 5 != 0 or g["mannen"] % 5 != 0


def test_value_ranges_are_realistic(atlas):
    b = atlas.buurten
    assert 35_000 < atlas.gemeente["aantal_inwoners"].iloc[0] < 90_000
    assert b["gemiddelde_woningwaarde"].dropna().between(120, 1100).all()
    assert b["gemiddeld_inkomen_per_inwoner"].dropna().between(15, 60).all()
    assert b["perc_huishoudens_laag_inkomen"].dropna().between(0, 40).all()
    assert b["gemiddeld_aardgasverbruik"].dropna().between(0, 2000).all()
    assert b["huisartsenpraktijk_gemiddelde_afstand_in_km"].dropna().between(0, 10).all()
    assert b["gemiddelde_huishoudsgrootte"].dropna().between(1.2, 3.5).all()
    assert (
        b["oppervlakte_totaal_in_ha"] == b["oppervlakte_land_in_ha"] + b["oppervlakte_water_in_ha"]
    ).all()
    dens = b["aantal_inwoners"] / (b["oppervlakte_land_in_ha"] / 100)
    assert dens.max() > 4000 and dens.min() < 1000  # a town centre and a fringe


def test_secret_values_become_nan_and_never_minus_99997(atlas, src):
    raw = [f["properties"] for f in src["features"]["buurt"]]
    assert sum(v == demo.SECRET for p in raw for v in p.values()) > 10
    assert any(v is None for r in src["kerncijfers"] for v in r.values())
    for layer in (atlas.gemeente, atlas.wijken, atlas.buurten, atlas.vierkanten["500m"]):
        num = layer.select_dtypes("number").to_numpy(float)
        assert not (num <= -99990).any()
    kaai = atlas.buurten.set_index("buurtnaam").loc["Bedrijventerrein De Kaai"]
    assert kaai["aantal_inwoners"] < 50
    assert np.isnan(kaai["percentage_koopwoningen"])
    assert np.isnan(kaai["perc_huishoudens_laag_inkomen"])
    assert np.isnan(kaai["gemiddelde_woningwaarde"])
    assert atlas.gemeente.drop(columns="geometry").isna().sum().sum() <= 2  # postcode only


def test_nederland_row_for_comparisons(atlas):
    nl = atlas.nederland
    assert nl is not None and len(nl) == 1
    assert nl["code"].iloc[0] == "NL00"
    assert nl["aantal_inwoners"].iloc[0] == 17_942_942
    assert 5 < nl["perc_huishoudens_laag_inkomen"].iloc[0] < 10


# -------------------------------------------------------------------------------- formats
def test_sources_come_in_the_real_formats(src):
    gem = src["features"]["gemeente"]
    assert [f["properties"]["water"] for f in gem] == ["NEE", "JA"]
    assert gem[1]["properties"]["aantal_inwoners"] == demo.SECRET
    buurt = src["features"]["buurt"][0]
    assert buurt["geometry"]["type"] == "MultiPolygon"
    assert buurt["properties"]["jrstatcode"] == "2024" + buurt["properties"]["buurtcode"]
    assert all(re.fullmatch(r"[a-z0-9_]+", k) for k in buurt["properties"])
    rows = src["kerncijfers"]
    assert rows[0]["Codering_3"] == "NL00      "
    assert all(len(r["Codering_3"]) == 10 for r in rows)
    assert rows[1]["SoortRegio_2"].strip() == "Gemeente"
    assert rows[1]["WijkenEnBuurten"] == "Demodam"
    keys = [p["Key"] for p in src["data_properties"] if p["Type"] == "Topic"]
    assert all(re.search(r"_\d+$", k) for k in keys)
    assert {"AantalInwoners_5", "HuishoudensMetEenLaagInkomen_89"} <= set(rows[1])
    grid = src["vierkanten_500m"]
    assert grid["crs28992res500m"].str.fullmatch(r"E\d{4}N\d{4}").all()
    x = grid["crs28992res500m"].str[1:5].astype(int) * 100
    assert (x.to_numpy() == grid.geometry.bounds["minx"].to_numpy()).all()
    assert (grid["aantal_inwoners"] == demo.SECRET).any() or (
        grid["aantal_mannen"] == demo.SECRET
    ).any()


def test_loaders_agree_with_generator(atlas, src):
    truth_codes = sorted(src["country"].buurten["buurtcode"])
    assert sorted(atlas.buurten["buurtcode"]) == truth_codes
    grid = atlas.vierkanten["500m"]
    assert len(grid) > 100
    assert grid.crs.to_epsg() == 28992
    total = grid["aantal_inwoners"].sum()
    assert abs(total - atlas.gemeente["aantal_inwoners"].iloc[0]) < 0.1 * total


# ----------------------------------------------------------------------------- determinism
def _dump(s: dict) -> str:
    return json.dumps(
        {
            "f": s["features"],
            "k": s["kerncijfers"],
            "l": s["local_files"],
            "v": s["vierkanten_500m"].to_json(),
        },
        sort_keys=True,
    )


def test_same_seed_same_bytes_other_seed_other_gemeente(src):
    again = demo_sources(2024)
    assert _dump(again) == _dump(src)
    other = demo_sources(2025)
    assert other["features"]["buurt"][0]["geometry"] != src["features"]["buurt"][0]["geometry"]
    assert other["local_files"] != src["local_files"]


def test_committed_data_sources_demo_equal_generator_output(tmp_path):
    written = write_local_layers(tmp_path, seed=2024)
    committed = ROOT / "data_sources" / "demo"
    assert {p.name for p in written} == {
        "bewonersinitiatieven.csv",
        "energietransitie_wijken.csv",
        "lagen.json",
        "postcodes.csv",
        "projecten.geojson",
        "signalen_wijkteam.csv",
        "verhalen.csv",
        "voorzieningen.csv",
    }
    for path in written:
        assert (committed / path.name).read_bytes() == path.read_bytes(), (
            f"{path.name} differs: regenerate with write_local_layers('data_sources/demo')"
        )


# ------------------------------------------------------------------------- local content
def test_koppelkans_coincidence_is_in_the_demo(atlas):
    et = atlas.local["energietransitie"]
    first = et.sort_values("planjaar").iloc[0]
    assert first["strategie"] == "warmtenet"
    w = atlas.wijken.set_index("wijkcode")
    assert w["perc_huishoudens_laag_inkomen"].idxmax() == first["wijkcode"]
    assert w["perc_huurwoningen_in_bezit_woningcorporaties"].idxmax() == first["wijkcode"]
    assert w["gemiddelde_woningwaarde"].idxmin() == first["wijkcode"]
    assert (
        w.at[first["wijkcode"], "gemiddeld_aardgasverbruik"]
        > w["gemiddeld_aardgasverbruik"].median()
    )
    init = atlas.local["bewonersinitiatieven"]
    inside = init[init.within(w.geometry[first["wijkcode"]])]
    assert (inside["status"] == "actief").sum() >= 3


def test_projecten_overlap_in_space_and_time(atlas):
    pr = atlas.local["projecten"]
    assert pr.crs.to_epsg() == 28992
    assert pr["id"].is_unique and (pr["eindjaar"] >= pr["startjaar"]).all()
    assert {"contactpersoon", "telefoon"}.isdisjoint(pr.columns)  # personal: dropped
    assert set(pr.geom_type) <= {"LineString", "MultiLineString", "Polygon", "MultiPolygon"}
    assert shapely.is_valid(pr.geometry.values).all()
    b = atlas.buurten.set_index("buurtcode")
    w = atlas.wijken.set_index("wijkcode")
    duinrand = w.geometry["WK999902"]
    # warmtenet x riolering of different owners in Duinrand, start years within two years
    heat = pr[pr["thema"].eq("warmtenet")].iloc[0]
    sewer = pr[pr["thema"].eq("riolering") & pr["eigenaar"].ne(heat["eigenaar"])]
    sewer = sewer[sewer.intersects(duinrand)].iloc[0]
    assert heat.geometry.intersects(duinrand)
    assert heat.geometry.intersection(sewer.geometry).length > 100
    assert abs(int(heat["startjaar"]) - int(sewer["startjaar"])) <= 2
    et = atlas.local["energietransitie"].set_index("wijkcode")
    assert et.at["WK999902", "strategie"] == "warmtenet"
    assert abs(int(et.at["WK999902", "planjaar"]) - int(heat["startjaar"])) <= 2
    # corporatie renovatie in a buurt with high social need (in the top 5 on uitkeringen)
    reno = pr[pr["eigenaar"].eq("corporatie") & pr["thema"].eq("renovatie")].iloc[0]
    uitk = (
        b["aantal_personen_met_een_alg_bijstandsuitkering_tot"]
        + b["aantal_personen_met_een_ao_uitkering_totaal"]
        + b["aantal_personen_met_een_ww_uitkering_totaal"]
    ) / b["aantal_inwoners"]
    host = b.index[b.intersects(reno.geometry.representative_point())][0]
    assert host in uitk.nlargest(5).index
    # groen in a dense buurt with many 65+ (both above the 75th percentile)
    green = pr[pr["thema"].eq("groen")].iloc[0]
    host = b.index[b.intersects(green.geometry.representative_point())][0]
    for col in ("bevolkingsdichtheid_inwoners_per_km2", "percentage_personen_65_jaar_en_ouder"):
        assert b.at[host, col] > b[col].quantile(0.75), col
    # every status occurs
    assert set(pr["status"]) == {"idee", "gepland", "in_uitvoering", "afgerond"}


def test_projecten_personal_columns_kept_on_request():
    from wijkgeo.sources.local import read_local_layers

    layers = read_local_layers(ROOT / "data_sources" / "demo", keep_personal=True)
    assert {"contactpersoon", "telefoon"} <= set(layers["projecten"].columns)


HOSTILE_NAME = "Buurthuis <img src=x onerror=alert(1)>"  # a test payload: never in the demo


def test_hostile_name_reaches_the_atlas_unchanged(atlas, tmp_path):
    import shutil

    from wijkgeo.sources.local import read_local_layers

    vz = atlas.local["voorzieningen"]
    assert vz["naam"].str.contains("'").any()  # an apostrophe (folium #853)
    assert not vz["naam"].str.contains("<|onerror", regex=True).any()  # no payload in the demo
    folder = tmp_path / "demo"
    shutil.copytree(ROOT / "data_sources" / "demo", folder)
    lines = (folder / "voorzieningen.csv").read_text(encoding="utf-8").splitlines()
    head, rest = lines[2].split(",", 1)
    lines[2] = ",".join([head, HOSTILE_NAME, rest.split(",", 1)[1]])
    (folder / "voorzieningen.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    vz = read_local_layers(folder)["voorzieningen"]
    assert vz.loc[vz["naam"] == HOSTILE_NAME, "id"].iloc[0] == "VZ002"


def test_other_sizes_and_seeds(tmp_path):
    small = make_demo(seed=7, n_wijken=4, n_buurten=18)
    assert len(small.wijken) == 4 and len(small.buurten) == 18
    assert shapely.coverage_is_valid(small.buurten.geometry.values)
    for n_wijken, n_buurten in ((1, 3), (2, 2), (14, 60)):
        c = generate_country(1, n_wijken=n_wijken, n_buurten=n_buurten, seed=5)
        assert (len(c.wijken), len(c.buurten)) == (n_wijken, n_buurten)
        assert shapely.coverage_is_valid(c.buurten.geometry.values)
        assert c.wijken["wijknaam"].iloc[0] == "Centrum" and c.wijken["wijknaam"].is_unique


def test_impossible_sizes_raise_config_error():
    with pytest.raises(ConfigError, match="n_gemeenten"):
        generate_country(0)
    with pytest.raises(ConfigError, match="n_buurten"):
        generate_country(1, n_wijken=8, n_buurten=4)


# ---------------------------------------------------------------------------- national size
def _check_country(c, n_gem: int) -> None:
    assert len(c.gemeenten) == n_gem
    assert c.gemeenten["gemeentecode"].str.fullmatch(r"GM9\d{3}").all()
    assert c.buurten["buurtcode"].is_unique and c.wijken["wijkcode"].is_unique
    b = c.buurten.geometry.values
    assert shapely.is_valid(b).all()
    assert shapely.coverage_is_valid(b)
    assert (c.buurten["gemeentecode"] == "GM" + c.buurten["buurtcode"].str[2:6]).all()
    nv = shapely.get_num_coordinates(b)
    lo, hi = np.percentile(nv, [5, 95])
    assert lo >= 50 and hi <= 200, (lo, hi)
    area = c.gemeenten.set_index("gemeentecode").area
    by_b = c.buurten.assign(a=c.buurten.area).groupby("gemeentecode")["a"].sum()
    assert np.allclose(by_b.loc[area.index], area, rtol=1e-9)
    for layer in (c.wijken, c.buurten):
        assert (layer["mannen"] + layer["vrouwen"] == layer["aantal_inwoners"]).all()


def test_country_moderate_size():
    t0 = time.perf_counter()
    c = generate_country(12, seed=3)
    elapsed = time.perf_counter() - t0
    assert len(c.wijken) == 120 and len(c.buurten) == 516
    _check_country(c, 12)
    assert elapsed < 10
    wijk_gem = c.wijken.set_index("wijkcode")["gemeentecode"]
    assert (c.buurten["wijkcode"].map(wijk_gem) == c.buurten["gemeentecode"]).all()
    assert (pd.Series(shapely.get_num_geometries(c.gemeenten.geometry.values)) == 1).all()


@pytest.mark.slow
def test_country_national_size_well_under_a_minute():
    t0 = time.perf_counter()
    c = generate_country(350, seed=2024)
    elapsed = time.perf_counter() - t0
    assert len(c.wijken) == 3500 and 14_500 <= len(c.buurten) <= 15_500
    _check_country(c, 350)
    assert elapsed < 45


def test_pdok_and_cbs_values_agree_through_the_loaders(caplog):
    caplog.set_level("WARNING")
    make_demo(seed=11)
    assert not [r for r in caplog.records if "verschillen" in r.getMessage()]


@pytest.mark.realdata
def test_value_ranges_match_real_buurten(realdata, atlas):
    real = pd.read_parquet(realdata / "raw" / "nprz" / "buurt_2024_stats.parquet")
    real = real.select_dtypes("number").where(lambda x: x > -99990)
    real = real[real["aantal_inwoners"] >= 200]
    demo_b = atlas.buurten[atlas.buurten["aantal_inwoners"] >= 200]
    for col in (
        "aantal_inwoners",
        "gemiddelde_huishoudsgrootte",
        "percentage_eenpersoonshuishoudens",
        "percentage_personen_65_jaar_en_ouder",
        "percentage_koopwoningen",
        "perc_huurwoningen_in_bezit_woningcorporaties",
        "gemiddelde_woningwaarde",
        "gemiddelde_elektriciteitslevering",
        "huisartsenpraktijk_gemiddelde_afstand_in_km",
        "bevolkingsdichtheid_inwoners_per_km2",
    ):
        lo, hi = real[col].quantile([0.05, 0.95])
        assert lo <= demo_b[col].median() <= hi, col
        assert demo_b[col].between(real[col].min(), real[col].max()).mean() > 0.9, col


@pytest.mark.parametrize("seed", [1, 3, 22, 36])
def test_koppelkans_holds_for_other_seeds(seed):
    import geopandas as gpd

    from wijkgeo.demo import local_layer_frames

    c = generate_country(1, n_wijken=8, n_buurten=40, seed=seed)
    w = c.wijken.set_index("wijkcode")
    frames = local_layer_frames(c, seed)
    first = frames["energietransitie"].sort_values("planjaar").iloc[0]
    assert first["wijkcode"] == "WK999902" and first["strategie"] == "warmtenet"
    assert w["perc_huishoudens_laag_inkomen"].idxmax() == "WK999902"
    assert w["gemiddelde_woningwaarde"].idxmin() == "WK999902"
    bi = frames["bewonersinitiatieven"]
    pts = gpd.GeoSeries(gpd.points_from_xy(bi["x"], bi["y"]), crs=28992)
    active = (pts.within(w.geometry["WK999902"]) & bi["status"].eq("actief")).sum()
    assert active >= 4
    assert not frames["voorzieningen"]["naam"].str.contains("<").any()
