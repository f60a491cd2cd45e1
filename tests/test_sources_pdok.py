"""PDOK features → canonical GeoDataFrame, on real PDOK/CBS boundary files."""

from __future__ import annotations

import json
import logging
import math

import pytest
from replay import pdok_features

from wijkgeo import DataValidationError
from wijkgeo.sources.pdok import features_to_frame

pytestmark = pytest.mark.realdata


def _features(path):
    return json.loads(path.read_text())["features"]


@pytest.fixture(scope="module")
def truth(realdata):
    return json.loads((realdata / "groundtruth/ground_truth.json").read_text())["municipalities"]


def test_wfs_camelcase_is_mapped_to_snake_case(realdata, truth):
    feats = _features(
        realdata / "pdok/wfs2023_gemeenten_camelCase_GM0772_GM0392_GM0014_GM0758.geojson"
    )
    gdf = features_to_frame(feats, "gemeente", source_crs="EPSG:4326")
    assert gdf.crs.to_epsg() == 28992
    gdf = gdf.set_index("gemeentecode")
    for gm in ("GM0772", "GM0392", "GM0014", "GM0758"):
        wfs = truth[gm]["wfs2023_gemeenten"]
        assert gdf.loc[gm, "aantal_inwoners"] == wfs["aantalInwoners"]
        assert gdf.loc[gm, "aantal_huishoudens"] == wfs["aantalHuishoudens"]
        assert gdf.loc[gm, "oppervlakte_totaal_in_ha"] == wfs["oppervlakteTotaalInHa"]
    assert "percentage_personen_0_tot_15_jaar" in gdf.columns
    assert "bevolkingsdichtheid_inwoners_per_km2" in gdf.columns
    assert not any(c != c.lower() for c in gdf.columns)
    # RD New: Eindhoven lies around x=160 km, y=383 km; its area matches 8,936 ha within 5 %
    x, y = gdf.loc["GM0772", "geometry"].centroid.coords[0]
    assert 150_000 < x < 170_000 and 375_000 < y < 395_000
    assert gdf.loc["GM0772", "geometry"].area / 1e4 == pytest.approx(8936, rel=0.05)


def test_gpkg_water_rows_and_secret_values(realdata, truth):
    feats = pdok_features(realdata, "gemeente")
    assert sum(f["properties"]["water"] == "JA" for f in feats) == 81
    gdf = features_to_frame(feats, "gemeente", source_crs="OGC:CRS84")
    assert len(gdf) == 342  # one row per gemeente, water='JA' duplicates dropped
    assert not gdf.gemeentecode.duplicated().any()
    almere = gdf.set_index("gemeentecode").loc["GM0034"]
    assert almere.water == "NEE"
    assert almere.aantal_inwoners == 226500
    # no secret code survives anywhere
    num = gdf.select_dtypes("number")
    assert not (num <= -99990).any().any()
    assert gdf.set_index("gemeentecode").loc["GM0772", "aantal_inwoners"] == 246417


def test_buurt_secret_minus_99997_becomes_nan(realdata):
    feats = pdok_features(realdata, "buurt", "GM0489")
    raw = sum(
        1
        for f in feats
        for v in f["properties"].values()
        if isinstance(v, (int, float)) and v <= -99990
    )
    assert raw > 100
    gdf = features_to_frame(feats, "buurt", source_crs="OGC:CRS84")
    assert gdf.select_dtypes("number").isna().sum().sum() >= raw
    assert not (gdf.select_dtypes("number") <= -99990).any().any()
    assert (gdf.wijkcode == "WK" + gdf.buurtcode.str[2:8]).all()
    assert (gdf.gemeentecode == "GM0489").all()


def test_full_resolution_haarlem_buurten_reprojected(realdata):
    feats = _features(realdata / "pdok/ogcapi2024_GM0392_WK039201_buurten_fullres.geojson")
    gdf = features_to_frame(feats, "buurt", source_crs="OGC:CRS84")
    assert gdf.buurtcode.tolist()[:2] == ["BU03920101", "BU03920102"]
    assert gdf.buurtnaam.iloc[0] == "Stationsbuurt"
    assert (gdf.wijkcode == "WK039201").all() and (gdf.gemeentenaam == "Haarlem").all()
    union = gdf.union_all()
    assert union.geom_type == "Polygon"  # the 6 buurten tile the wijk Oude Stad
    assert 50e4 < union.area < 300e4  # Oude Stad: ~1-2 km², in m²


def test_invalid_geometries_are_repaired_and_counted(realdata, caplog):
    feats = _features(realdata / "boundaries/GM0014_buurt_2014_generalised_q1e3.geojson")
    with caplog.at_level(logging.WARNING, logger="wijkgeo.sources.pdok"):
        gdf = features_to_frame(feats, "buurt", source_crs="OGC:CRS84")
    assert len(gdf) == 69  # statcode/statnaam layers are understood
    assert gdf.is_valid.all()
    assert "10 ongeldige geometrie" in caplog.text  # MANIFEST: 10 invalid Groningen buurten


def test_alphanumeric_and_padded_codes():
    feats = [
        {
            "type": "Feature",
            "properties": {
                "wijkcode": "WK0363AA  ",
                "wijknaam": " Burgwallen ",
                "aantal_inwoners": -99995,
            },
            "geometry": {"type": "Point", "coordinates": [121000.0, 487000.0]},
        },
    ]
    gdf = features_to_frame(feats, "wijk")
    row = gdf.iloc[0]
    assert (row.wijkcode, row.gemeentecode, row.wijknaam) == ("WK0363AA", "GM0363", "Burgwallen")
    assert math.isnan(row.aantal_inwoners)


def test_bad_code_names_the_feature():
    feats = [
        {"type": "Feature", "id": "wijken.17", "properties": {"wijkcode": "XX12"}, "geometry": None}
    ]
    with pytest.raises(DataValidationError, match=r"wijken\.17"):
        features_to_frame(feats, "wijk")
