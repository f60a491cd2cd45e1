"""compute(): formulas as data, fallbacks, secrets, small numbers and local layers."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import Point, box

from wijkgeo import ConfigError, DataValidationError
from wijkgeo.atlas import Atlas
from wijkgeo.indicators import add_indicators, compute, compute_with_reasons, indicator_series

CRS = "EPSG:28992"


def _buurten() -> gpd.GeoDataFrame:
    """Three 1 km squares side by side; the third is tiny in population."""
    return gpd.GeoDataFrame(
        {
            "buurtcode": ["BU00010001", "BU00010002", "BU00010003"],
            "wijkcode": ["WK000100", "WK000100", "WK000101"],
            "gemeentecode": ["GM0001"] * 3,
            "aantal_inwoners": [2000, 800, 30],
            "aantal_personen_65_jaar_en_ouder": [500, np.nan, 10],
            "percentage_personen_65_jaar_en_ouder": [24, 31, -99997],
            "aantal_personen_met_een_alg_bijstandsuitkering_tot": [40, 20, 0],
            "aantal_huishoudens": [900, 0, 15],
            "personenautos_totaal": [810, 300, 10],
        },
        geometry=[box(0, 0, 1000, 1000), box(1000, 0, 2000, 1000), box(2000, 0, 3000, 1000)],
        crs=CRS,
    )


def _local() -> dict:
    voorz = gpd.GeoDataFrame(
        {"id": [1, 2, 3, 4], "naam": list("abcd"), "categorie": ["buurthuis"] * 4},
        # two in buurt 1, one exactly on the border of buurt 1 and 2, one outside everything
        geometry=[Point(100, 100), Point(900, 900), Point(1000, 500), Point(5000, 500)],
        crs=CRS,
    )
    init = gpd.GeoDataFrame(
        {
            "status": ["actief", "Actief ", "afgerond", "gepland"],
            "startdatum": pd.to_datetime(["2023-01-01"] * 4),
            "einddatum": pd.to_datetime([None] * 4),
        },
        geometry=[Point(1500, 500), Point(1600, 500), Point(1700, 500), Point(500, 500)],
        crs=CRS,
    )
    et = pd.DataFrame(
        {
            "wijkcode": ["WK000100", "WK000100 ", "WK000999"],
            "planjaar": [2035, 2030, 2040],
            "strategie": ["warmtenet", "all-electric", "?"],
        }
    )
    return {"voorzieningen": voorz, "bewonersinitiatieven": init, "energietransitie": et}


def test_values_are_indexed_like_the_input_and_never_mutate_it():
    df = _buurten().set_index("buurtcode", drop=False)
    before = df.copy()
    out = compute(df, ["aandeel_65_plus", "bijstand_per_1000"])
    assert out.index.equals(df.index)
    assert list(out.columns) == ["aandeel_65_plus", "bijstand_per_1000"]
    pd.testing.assert_frame_equal(df, before)


def test_counts_first_then_published_percentage_row_by_row():
    out = compute(_buurten(), ["aandeel_65_plus"], suppress=False)["aandeel_65_plus"]
    assert out[0] == pytest.approx(25.0)  # 500 / 2000, not the published 24
    assert out[1] == pytest.approx(31.0)  # count missing -> published percentage
    assert out[2] == pytest.approx(100 * 10 / 30)  # secret percentage, count present


def test_secret_values_are_missing_never_numbers():
    df = _buurten().drop(columns="aantal_personen_65_jaar_en_ouder")
    res = compute_with_reasons(df, ["aandeel_65_plus"], suppress=False)
    assert np.isnan(res.values["aandeel_65_plus"][2])
    assert res.reasons["aandeel_65_plus"][2] == "geen gegevens"


def test_small_numbers_are_blanked_with_a_reason():
    res = compute_with_reasons(
        _buurten(), ["aandeel_65_plus", "bijstand_per_1000", "inwoners"]
    )
    v, r = res.values, res.reasons
    # min_population 50 for the age share, 100 for bijstand; 30 inwoners is below both
    assert (
        np.isnan(v.at[2, "aandeel_65_plus"]) and r.at[2, "aandeel_65_plus"] == "te weinig inwoners"
    )
    assert (
        np.isnan(v.at[2, "bijstand_per_1000"])
        and r.at[2, "bijstand_per_1000"] == "te weinig inwoners"
    )
    assert v.at[0, "bijstand_per_1000"] == pytest.approx(20.0)  # 40 / 2000 * 1000
    assert r.at[0, "bijstand_per_1000"] is None
    assert v.at[2, "inwoners"] == 30  # a count is not blanked (min_population 0)
    # gemeente rows are never blanked
    g = compute(_buurten(), ["aandeel_65_plus"], level="gemeente")
    assert g.at[2, "aandeel_65_plus"] == pytest.approx(100 * 10 / 30)


def test_zero_denominator_is_missing_not_infinite():
    out = compute(_buurten(), ["autos_per_huishouden"], suppress=False)["autos_per_huishouden"]
    assert out[0] == pytest.approx(0.9)
    assert np.isnan(out[1])


def test_unavailable_inputs_have_their_own_reason():
    res = compute_with_reasons(_buurten(), ["inkomen_per_inwoner", "lokale_voorzieningen"])
    assert res.values.isna().all().all()
    assert set(res.reasons.stack()) == {"niet beschikbaar in deze gegevens"}


def test_local_points_counted_once_per_point_with_sjoin():
    out = compute(
        _buurten(),
        [
            "lokale_voorzieningen",
            "lokale_voorzieningen_per_1000",
            "actieve_bewonersinitiatieven",
            "bewonersinitiatieven_per_1000",
        ],
        local=_local(),
        suppress=False,
    )
    # the border point goes to exactly one buurt (the first); the far point to none
    assert out["lokale_voorzieningen"].tolist() == [3.0, 0.0, 0.0]
    assert out["lokale_voorzieningen_per_1000"].tolist() == pytest.approx([1.5, 0.0, 0.0])
    # status filter is case- and whitespace-tolerant; afgerond/gepland do not count
    assert out["actieve_bewonersinitiatieven"].tolist() == [0.0, 2.0, 0.0]
    assert out["bewonersinitiatieven_per_1000"].tolist() == pytest.approx([0.0, 2.5, 0.0])


def test_distance_from_centroid_to_nearest_local_voorziening():
    out = indicator_series(_buurten(), "afstand_lokale_voorziening", local=_local())
    # centroids (500,500), (1500,500), (2500,500): the border point (1000,500) is nearest
    # to all three (0.5 km; (100,100) is 0.57 km from the first centroid)
    assert out.tolist() == pytest.approx([0.5, 0.5, 1.5])
    # not meaningful for a whole gemeente
    g = compute(_buurten(), ["afstand_lokale_voorziening"], level="gemeente", local=_local())
    assert g["afstand_lokale_voorziening"].isna().all()


def test_lookup_energietransitie_by_wijkcode_takes_earliest_planjaar():
    out = indicator_series(_buurten(), "planjaar_aardgasvrij", local=_local())
    assert out.tolist()[:2] == [2030.0, 2030.0]
    assert np.isnan(out[2])


def test_local_layers_in_other_crs_are_converted_and_unprojected_areas_refused():
    local = _local()
    local["voorzieningen"] = local["voorzieningen"].to_crs("EPSG:4326")
    out = indicator_series(_buurten(), "lokale_voorzieningen", local=local)
    assert out.tolist() == [3.0, 0.0, 0.0]
    with pytest.raises(DataValidationError, match="EPSG:28992"):
        compute(_buurten().to_crs("EPSG:4326"), ["lokale_voorzieningen"], local=_local())


def test_unknown_key_and_level():
    with pytest.raises(ConfigError, match="Onbekende indicator"):
        compute(_buurten(), ["bestaat_niet"])
    with pytest.raises(ConfigError, match="niveau"):
        compute(_buurten(), ["inwoners"], level="provincie")


def test_all_indicators_on_a_frame_give_float_columns():
    out = compute(_buurten(), local=_local())
    assert len(out.columns) >= 30
    assert all(dt == np.float64 for dt in out.dtypes)


def test_add_indicators_returns_a_copy_with_columns():
    b = _buurten()
    gem = gpd.GeoDataFrame(
        {"gemeentecode": ["GM0001"], "gemeentenaam": ["Test"]},
        geometry=[box(0, 0, 3000, 1000)],
        crs=CRS,
    )
    atlas = Atlas(gemeente=gem, wijken=b.iloc[:0], buurten=b, local=_local(), meta={"year": 2024})
    out = add_indicators(atlas, ["aandeel_65_plus", "lokale_voorzieningen"])
    assert "aandeel_65_plus" not in atlas.buurten.columns
    assert isinstance(out, gpd.GeoDataFrame) and out.crs == b.crs
    assert out["lokale_voorzieningen"].tolist() == [3.0, 0.0, 0.0]
    assert out["aandeel_65_plus"].tolist()[:2] == pytest.approx([25.0, 31.0])


def test_odata_only_indicators_hand_computed():
    """Income, work and care figures exist only in the CBS OData table (canonical names)."""
    df = pd.DataFrame(
        {
            "aantal_inwoners": [1250, 1250],
            "gemiddeld_inkomen_per_inwoner": [31.4, np.nan],
            "gemiddeld_inkomen_per_inkomensontvanger": [38.9, 40.0],
            "perc_huishoudens_laag_inkomen": [7.2, 11.0],
            "perc_huishoudens_onder_of_rond_sociaal_minimum": [6.1, 9.0],
            "nettoarbeidsparticipatie": [68.5, 70.0],
            "wmo_clienten_per_1000_inwoners": [np.nan, 55.0],
            "aantal_wmo_clienten": [75, 70],
            "perc_jongeren_met_jeugdzorg": [9.5, 12.0],
        }
    )
    keys = [
        "inkomen_per_inwoner",
        "inkomen_per_ontvanger",
        "aandeel_huishoudens_laag_inkomen",
        "aandeel_huishoudens_sociaal_minimum",
        "arbeidsparticipatie",
        "wmo_clienten_per_1000",
        "aandeel_jongeren_met_jeugdzorg",
    ]
    out = compute(df, keys)
    assert out.iloc[0].tolist() == pytest.approx([31.4, 38.9, 7.2, 6.1, 68.5, 60.0, 9.5])
    # published rate first; the ratio 75 / 1250 * 1000 only where it is missing
    assert out.at[1, "wmo_clienten_per_1000"] == 55.0
    assert np.isnan(out.at[1, "inkomen_per_inwoner"])


def test_compute_has_one_return_type_and_the_old_flag_warns():
    df = _buurten()
    assert isinstance(compute(df, ["aandeel_65_plus"]), pd.DataFrame)
    with pytest.warns(DeprecationWarning, match="compute_with_reasons"):
        old = compute(df, ["aandeel_65_plus"], with_reasons=True)
    new = compute_with_reasons(df, ["aandeel_65_plus"])
    assert old.reasons.equals(new.reasons)
