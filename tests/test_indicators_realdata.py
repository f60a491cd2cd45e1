"""Indicators on real CBS/PDOK data (Rotterdam region 2024) and the published ground truth.

What these tests prove:

* every indicator computable from the Wijk- en Buurtkaart equals a hand-computed value on
  real buurten (a large city buurt, a village centre, a small rural buurt);
* ratios recomputed from counts agree with the figures CBS publishes within the rounding of
  the published counts (counts rounded to 5, areas to whole hectares);
* the gemeente figure must come from the CBS gemeente row: a population-weighted
  aggregate of buurt values stays within rounding of it, a mean of buurt means does not.
"""

from __future__ import annotations

import json
import re

import numpy as np
import pandas as pd
import pytest

from wijkgeo.indicators import compute, compute_with_reasons
from wijkgeo.sources.pdok import nan_missing

pytestmark = pytest.mark.realdata

BUURT = "raw/nprz/buurt_2024_stats.parquet"
GEMEENTE = "raw/nprz/gemeente_2024_stats.parquet"


def _clean(df: pd.DataFrame) -> pd.DataFrame:
    """The source-boundary rule, as the loaders apply it: any value <= -99990 becomes NaN."""
    df = df.copy()
    nan_missing(df)
    return df


@pytest.fixture(scope="module")
def buurten(realdata) -> pd.DataFrame:
    return _clean(pd.read_parquet(realdata / BUURT))


@pytest.fixture(scope="module")
def gemeenten(realdata) -> pd.DataFrame:
    g = pd.read_parquet(realdata / GEMEENTE)
    return _clean(g[g["water"] == "NEE"]).set_index("gemeentecode")


# hand-computed from the published attributes of each buurt (see the parquet row)
HAND = {
    # Barendrecht, Centrum: 570 inwoners, 275 huishoudens
    "BU04890101": {
        "inwoners": 570,
        "bevolkingsdichtheid": 4421,
        "stedelijkheid": 2349,  # omgevingsadressendichtheid
        "aandeel_0_tot_15_jaar": 17,
        "aandeel_15_tot_25_jaar": 11,
        "aandeel_25_tot_45_jaar": 29,
        "aandeel_45_tot_65_jaar": 23,
        "aandeel_65_plus": 20,
        "huishoudens": 275,
        "aandeel_eenpersoonshuishoudens": 44,
        "aandeel_huishoudens_met_kinderen": 32,
        "gemiddelde_huishoudensgrootte": 2.1,
        "woningen": 274,
        "gemiddelde_woz_waarde": 387,
        "aandeel_koopwoningen": 48,
        "aandeel_huurwoningen": 52,
        "aandeel_corporatiewoningen": 40,
        "aandeel_nieuwbouw_10_jaar": 39,
        "aandeel_eengezinswoningen": 43,
        "aandeel_onbewoonde_woningen": 4,
        "bijstand_per_1000": 30 / 570 * 1000,
        "ao_uitkering_per_1000": 30 / 570 * 1000,
        "ww_uitkering_per_1000": 10 / 570 * 1000,
        "aow_per_1000": 100 / 570 * 1000,
        "aardgasverbruik": 630,
        "elektriciteitsverbruik": 2820,
        "aandeel_aardgasvrije_woningen": 40,
        "aandeel_woningen_met_zonnestroom": 55,
        "aandeel_woningen_met_stadsverwarming": np.nan,  # secret in the source
        "afstand_huisarts": 0.5,
        "afstand_supermarkt": 0.2,
        "afstand_basisschool": 0.8,
        "afstand_kinderdagverblijf": 0.7,
        "afstand_bibliotheek": 0.4,
        "afstand_treinstation": 1.3,
        "huisartsen_binnen_3_km": 11.3,
        "autos_per_huishouden": 1.0,
        "bedrijfsvestigingen_per_1000": 215 / 570 * 1000,
    },
    # Rotterdam, Stadsdriehoek: 20,440 inwoners
    "BU05990110": {
        "inwoners": 20440,
        "aandeel_65_plus": 10,
        "aandeel_25_tot_45_jaar": 45,
        "aandeel_eenpersoonshuishoudens": 63,
        "gemiddelde_woz_waarde": 418,
        "aandeel_corporatiewoningen": 17,
        "bijstand_per_1000": 400 / 20440 * 1000,
        "ao_uitkering_per_1000": 340 / 20440 * 1000,
        "ww_uitkering_per_1000": 200 / 20440 * 1000,
        "aardgasverbruik": 60,
        "aandeel_aardgasvrije_woningen": 85,
        "aandeel_woningen_met_stadsverwarming": 88,
        "aandeel_woningen_met_zonnestroom": 0,
        "autos_per_huishouden": 0.4,
        "bedrijfsvestigingen_per_1000": 5955 / 20440 * 1000,
        "afstand_treinstation": 0.9,
    },
    # Goeree-Overflakkee, a rural buurt of 75 inwoners: age shown (>= 50), benefits not (< 100)
    "BU04893161": {
        "inwoners": 75,
        "aandeel_65_plus": 43,
        "aandeel_koopwoningen": 87,
        "bijstand_per_1000": np.nan,
        "aow_per_1000": np.nan,
        "bedrijfsvestigingen_per_1000": np.nan,
        "aandeel_aardgasvrije_woningen": np.nan,
        "afstand_huisarts": 2.7,
    },
}


def test_hand_computed_values_on_real_buurten(buurten):
    frame = buurten.set_index("buurtcode", drop=False)
    res = compute_with_reasons(frame.loc[list(HAND)])
    checked = set()
    for code, expected in HAND.items():
        for key, value in expected.items():
            got = res.values.at[code, key]
            if np.isnan(value):
                assert np.isnan(got), (code, key, got)
            else:
                assert got == pytest.approx(value, rel=1e-9), (code, key)
            checked.add(key)
    # every indicator the Wijk- en Buurtkaart can feed is covered by a hand-computed value
    unavailable = res.reasons.eq("niet beschikbaar in deze gegevens").all()
    from_pdok = set(unavailable.index[~unavailable])
    assert len(from_pdok) == 38
    assert from_pdok <= checked, sorted(from_pdok - checked)
    assert res.reasons.at["BU04893161", "bijstand_per_1000"] == "te weinig inwoners"
    assert res.reasons.at["BU04890101", "aandeel_woningen_met_stadsverwarming"] == "geen gegevens"


def test_small_numbers_follow_min_population_on_all_real_buurten(buurten):
    res = compute_with_reasons(buurten, ["aandeel_65_plus", "bijstand_per_1000"])
    inw = buurten["aantal_inwoners"]
    assert res.values.loc[inw < 50, "aandeel_65_plus"].isna().all()
    assert (res.reasons.loc[inw < 50, "aandeel_65_plus"] == "te weinig inwoners").all()
    assert res.values.loc[inw < 100, "bijstand_per_1000"].isna().all()
    assert res.values.loc[inw >= 100, "bijstand_per_1000"].notna().all()
    # 90 real buurten have fewer than 50 inwoners, 115 fewer than 100
    assert int((inw < 50).sum()) == 90 and int((inw < 100).sum()) == 115


def _within(ours: pd.Series, published: pd.Series, bound: pd.Series) -> pd.Series:
    both = ours.notna() & published.notna()
    return ((ours - published).abs() <= bound * 1.0001)[both]


def test_density_from_counts_matches_cbs_within_rounding(buurten):
    """aantal_inwoners / oppervlakte_land_in_ha * 100 versus the published density."""
    ours = compute(
        buurten.drop(columns="bevolkingsdichtheid_inwoners_per_km2"), ["bevolkingsdichtheid"]
    )["bevolkingsdichtheid"]
    pub = buurten["bevolkingsdichtheid_inwoners_per_km2"]
    # inwoners rounded to 5 (+-2.5), land area to whole hectares (+-0.5), density to 1
    bound = (2.5 / buurten["aantal_inwoners"] + 0.5 / buurten["oppervlakte_land_in_ha"]) * pub + 0.5
    ok = _within(ours, pub, bound)
    assert len(ok) == 567
    assert ok.mean() >= 0.98  # measured: 560 of 567
    rel = ((ours - pub).abs() / pub)[pub.notna() & ours.notna()]
    assert rel.median() < 0.01  # measured: 0.9%


def test_cars_per_household_from_counts_matches_cbs_within_rounding(buurten):
    ours = compute(buurten.drop(columns="personenautos_per_huishouden"), ["autos_per_huishouden"])[
        "autos_per_huishouden"
    ]
    pub = buurten["personenautos_per_huishouden"]
    bound = (2.5 + 2.5 * ours) / buurten["aantal_huishoudens"] + 0.05
    ok = _within(ours, pub, bound)
    assert len(ok) == 498
    assert ok.mean() >= 0.99  # measured: 497 of 498


def test_density_from_counts_matches_ground_truth(realdata):
    """Ground truth (OData 85984NED keys) renamed through kwb_columns.json, then recomputed."""
    from importlib import resources

    stems = json.loads(
        resources.files("wijkgeo.sources").joinpath("kwb_columns.json").read_text("utf-8")
    )["columns"]
    gt = json.loads((realdata / "groundtruth/ground_truth.json").read_text("utf-8"))
    rows = []
    for code, gem in gt["municipalities"].items():
        kwb = gem["kwb2024_85984NED"]
        rows.append({"code": code, **{k: v for k, v in kwb.items() if k[0].isupper()}})
        rows += [{"code": wc, **vals} for wc, vals in kwb["wijken"].items()]
    df = pd.DataFrame(rows)
    df = df.rename(columns={c: stems[re.sub(r"_\d+$", "", c)] for c in df.columns if c != "code"})
    pub = df.pop("bevolkingsdichtheid_inwoners_per_km2").astype("float64")
    ours = compute(df, ["bevolkingsdichtheid", "inwoners"], level="gemeente")
    gm = df["code"].str.startswith("GM")
    # gemeente counts are exact; wijk counts rounded to 5; areas to whole hectares
    bound = (
        np.where(gm, 0.0, 2.5 / df["aantal_inwoners"]) + 0.5 / df["oppervlakte_land_in_ha"]
    ) * pub + 0.5
    ok = _within(ours["bevolkingsdichtheid"], pub, pd.Series(bound))
    assert len(ok) == 76 and ok.all()  # 4 gemeenten + 72 wijken
    eindhoven = ours.loc[df["code"] == "GM0772"].iloc[0]
    assert eindhoven["inwoners"] == 246417
    assert eindhoven["bevolkingsdichtheid"] == pytest.approx(246417 / 8802 * 100)
    assert round(eindhoven["bevolkingsdichtheid"]) == 2800  # published: 2800 (ours 2799.6)


@pytest.mark.parametrize(
    ("key", "weight"),
    [
        ("aandeel_65_plus", "aantal_inwoners"),
        ("aandeel_0_tot_15_jaar", "aantal_inwoners"),
        ("aandeel_eenpersoonshuishoudens", "aantal_huishoudens"),
        ("aandeel_koopwoningen", "woningvoorraad"),
    ],
)
def test_gemeente_figure_is_the_cbs_row_not_a_mean_of_buurt_means(buurten, gemeenten, key, weight):
    values = compute(buurten, [key], suppress=False)[key]
    ok = values.notna() & buurten[weight].notna()
    grp = buurten.loc[ok, "gemeentecode"]
    weighted = (values * buurten[weight])[ok].groupby(grp).sum() / buurten[weight][ok].groupby(
        grp
    ).sum()
    mean_of_means = values.groupby(buurten["gemeentecode"]).mean()
    cbs = compute(gemeenten, [key], level="gemeente")[key].reindex(weighted.index)
    assert len(cbs.dropna()) == 12
    # weighting by the base stays within the rounding of integer buurt percentages ...
    assert (weighted - cbs).abs().max() < 1.0  # measured: 0.36 to 0.6
    # ... the mean of buurt means is off by far more in at least one gemeente
    assert (mean_of_means - cbs).abs().max() > 1.5  # measured: 1.8 to 6.4
