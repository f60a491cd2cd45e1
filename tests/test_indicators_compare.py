"""Comparisons: CBS gemeente/NL rows, ranks with direction, similar buurten, change over time."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from wijkgeo import ConfigError, DataValidationError
from wijkgeo.atlas import Atlas
from wijkgeo.indicators import (
    change_since,
    comparison_table,
    compute,
    difference_from,
    rank_within,
    reference_values,
    similar_areas,
    similar_table,
    unchanged_codes,
)
from wijkgeo.sources.pdok import nan_missing


def _clean(df: pd.DataFrame) -> pd.DataFrame:
    """The source-boundary rule, as the loaders apply it: any value <= -99990 becomes NaN."""
    df = df.copy()
    nan_missing(df)
    return df


@pytest.fixture(scope="module")
def real(realdata):
    b = _clean(pd.read_parquet(realdata / "raw/nprz/buurt_2024_stats.parquet"))
    g = pd.read_parquet(realdata / "raw/nprz/gemeente_2024_stats.parquet")
    g = _clean(g[g["water"] == "NEE"])
    return b, g


@pytest.fixture(scope="module")
def barendrecht(real) -> Atlas:
    b, g = real
    buurten = b[b["gemeentecode"] == "GM0489"].reset_index(drop=True)
    gemeente = g[g["gemeentecode"] == "GM0489"].reset_index(drop=True)
    # a Nederland row: the sum of all 342 gemeenten (exact counts at gemeente level) and
    # the population-weighted share of 65-plussers
    w = g["aantal_inwoners"]
    share = (g["percentage_personen_65_jaar_en_ouder"] * w).sum() / w.sum()
    nl = pd.DataFrame(
        {"aantal_inwoners": [w.sum()], "percentage_personen_65_jaar_en_ouder": [share]}
    )
    return Atlas(
        gemeente=gemeente,
        wijken=buurten.iloc[:0],
        buurten=buurten,
        nederland=nl,
        meta={"year": 2024},
    )


@pytest.mark.realdata
def test_reference_values_are_the_cbs_rows(barendrecht, real):
    ref = reference_values(barendrecht, ["inwoners", "aandeel_65_plus", "bijstand_per_1000"])
    gem = barendrecht.gemeente.iloc[0]
    assert ref.at["gemeente", "inwoners"] == gem["aantal_inwoners"]  # exact CBS gemeente count
    assert ref.at["gemeente", "aandeel_65_plus"] == gem["percentage_personen_65_jaar_en_ouder"]
    assert ref.at["gemeente", "bijstand_per_1000"] == pytest.approx(
        gem["aantal_personen_met_een_alg_bijstandsuitkering_tot"] / gem["aantal_inwoners"] * 1000
    )
    # Nederland = 17.9 million inwoners in 342 gemeenten (2024)
    assert ref.at["nederland", "inwoners"] == pytest.approx(17.94e6, rel=0.01)
    assert np.isnan(ref.at["nederland", "bijstand_per_1000"])  # not in the NL row given
    # and not a mean of buurt means
    buurt_mean = compute(barendrecht.buurten, ["aandeel_65_plus"])["aandeel_65_plus"].mean()
    assert ref.at["gemeente", "aandeel_65_plus"] != pytest.approx(buurt_mean, abs=0.05)


@pytest.mark.realdata
def test_comparison_table_differences_and_ranks(barendrecht):
    tab = comparison_table(barendrecht, ["aandeel_65_plus", "afstand_huisarts"])
    assert tab.index.equals(barendrecht.buurten.index)
    b = barendrecht.buurten
    row = tab.loc[b.index[b["buurtcode"] == "BU04890101"][0]]
    gem65 = barendrecht.gemeente.iloc[0]["percentage_personen_65_jaar_en_ouder"]
    nl65 = barendrecht.nederland.iloc[0]["percentage_personen_65_jaar_en_ouder"]
    assert row["aandeel_65_plus"] == 20
    assert row["aandeel_65_plus_gemeente"] == gem65
    assert row["aandeel_65_plus_verschil_gemeente"] == pytest.approx(20 - gem65)
    assert row["aandeel_65_plus_verschil_nederland"] == pytest.approx(20 - nl65)
    # afstand_huisarts: lower is better, so the smallest distance has rank 1
    dist = tab["afstand_huisarts"]
    assert (tab.loc[dist == dist.min(), "afstand_huisarts_rang"] == 1).all()
    assert tab["afstand_huisarts_rang"].max() <= tab["afstand_huisarts_rang_van"].iloc[0]
    assert tab["afstand_huisarts_rang_van"].iloc[0] == dist.notna().sum()
    assert np.isnan(tab["afstand_huisarts_nederland"]).all()


@pytest.mark.realdata
def test_rank_within_each_gemeente_respects_direction(real):
    b, _ = real
    v = compute(b, ["aandeel_aardgasvrije_woningen", "afstand_supermarkt"])
    ranks = rank_within(v, groups=b["gemeentecode"])
    for _code, idx in b.groupby("gemeentecode").groups.items():
        best_free = v.loc[idx, "aandeel_aardgasvrije_woningen"].max()  # higher is better
        assert (
            ranks.loc[idx][v.loc[idx, "aandeel_aardgasvrije_woningen"] == best_free][
                "aandeel_aardgasvrije_woningen"
            ]
            == 1
        ).all()
        closest = v.loc[idx, "afstand_supermarkt"].min()  # higher is worse
        assert (
            ranks.loc[idx][v.loc[idx, "afstand_supermarkt"] == closest]["afstand_supermarkt"] == 1
        ).all()
    assert ranks["afstand_supermarkt"].isna().sum() == v["afstand_supermarkt"].isna().sum()


def test_rank_ties_and_neutral():
    v = pd.DataFrame({"aandeel_65_plus": [10.0, 30.0, 30.0, np.nan]})
    r = rank_within(v)["aandeel_65_plus"]
    assert r.tolist()[:3] == [3.0, 1.0, 1.0] and np.isnan(r[3])


def test_difference_from_reference():
    v = pd.DataFrame(
        {"aandeel_65_plus": [20.0, np.nan], "inwoners": [100.0, 50.0]}, index=["a", "b"]
    )
    d = difference_from(v, pd.Series({"aandeel_65_plus": 18.5, "inwoners": 75.0}))
    assert d.loc["a", "aandeel_65_plus"] == 1.5 and np.isnan(d.loc["b", "aandeel_65_plus"])
    assert d["inwoners"].tolist() == [25.0, -25.0]
    with pytest.raises(DataValidationError):
        difference_from(v, pd.Series(dtype=float), ["afstand_huisarts"])


def test_similar_areas_known_answer():
    v = pd.DataFrame(
        {
            "aandeel_65_plus": [10.0, 10.0, 40.0, 42.0, 11.0, np.nan],
            "aandeel_corporatiewoningen": [50.0, 50.0, 5.0, 6.0, 48.0, 20.0],
        },
        index=list("ABCDEF"),
    )
    sim = similar_areas(v, ["aandeel_65_plus", "aandeel_corporatiewoningen"], k=2)
    assert sim.index.equals(v.index)
    assert sim.loc["A", "vergelijkbaar_1"] == "B" and sim.loc["A", "afstand_1"] == 0.0
    assert sim.loc["A", "vergelijkbaar_2"] == "E"
    assert sim.loc["C", "vergelijkbaar_1"] == "D"
    assert "F" not in set(sim[["vergelijkbaar_1", "vergelijkbaar_2"]].stack())
    assert sim.loc["F"].isna().all()  # incomplete profile: no neighbours
    tab = similar_table(v, "C", ["aandeel_65_plus", "aandeel_corporatiewoningen"], k=2)
    assert tab.index.tolist() == ["C", "D", "E"]
    assert tab.loc["D", "aandeel_65_plus"] == 42.0 and tab.loc["C", "afstand"] == 0.0
    with pytest.raises(DataValidationError):
        similar_table(v, "Z", ["aandeel_65_plus"])
    with pytest.raises(ConfigError):
        similar_areas(v, [])


@pytest.mark.realdata
def test_similar_areas_on_real_buurten_is_symmetric_in_distance(real):
    b, _ = real
    keys = ["aandeel_65_plus", "aandeel_corporatiewoningen", "gemiddelde_woz_waarde"]
    v = compute(b, keys)
    sim = similar_areas(v, keys, k=5, ids=b["buurtcode"])
    complete = v.notna().all(axis=1)
    assert sim.loc[complete, "vergelijkbaar_5"].notna().all()
    assert (sim.loc[complete, "vergelijkbaar_1"] != b.loc[complete, "buurtcode"]).all()
    d = sim.loc[complete, [f"afstand_{i}" for i in range(1, 6)]].to_numpy()
    assert (np.diff(d, axis=1) >= 0).all()  # sorted nearest first
    # brute force check of one buurt
    z = (v[complete] - v[complete].mean()) / v[complete].std(ddof=0)
    i = z.index[0]
    brute = np.sqrt(((z - z.loc[i]) ** 2).sum(axis=1)).drop(i).sort_values()
    assert sim.loc[i, "afstand_1"] == pytest.approx(brute.iloc[0])
    assert sim.loc[i, "vergelijkbaar_1"] == b.loc[brute.index[0], "buurtcode"]


def test_change_since_only_where_boundary_held():
    now = pd.DataFrame(
        {
            "buurtcode": ["BU01", "BU02", "BU03"],
            "aantal_inwoners": [1000, 2000, 500],
            "percentage_personen_65_jaar_en_ouder": [22, 15, 30],
        },
        index=[10, 11, 12],
    )
    then = pd.DataFrame(
        {
            "buurtcode": ["BU02", "BU01"],
            "aantal_inwoners": [1900, 1000],
            "percentage_personen_65_jaar_en_ouder": [14, 20],
        }
    )
    ch = change_since(now, then, ["aandeel_65_plus"], unchanged={"BU01", "BU03"})
    assert ch.index.equals(now.index)
    assert (
        ch.loc[10, "aandeel_65_plus_vorig"] == 20 and ch.loc[10, "aandeel_65_plus_verandering"] == 2
    )
    assert np.isnan(ch.loc[11, "aandeel_65_plus_verandering"])  # boundary changed
    assert ch["grens_ongewijzigd"].tolist() == [True, False, False]
    assert ch["opmerking"].tolist() == [None, "grens gewijzigd", "niet in het eerdere jaar"]


def test_demo_atlas_end_to_end():
    import wijkgeo

    atlas = wijkgeo.make_demo()
    keys = ["aandeel_65_plus", "lokale_voorzieningen", "lokale_voorzieningen_per_1000"]
    gdf = atlas.indicators(keys)
    assert keys[0] not in atlas.buurten.columns and len(gdf) == len(atlas.buurten)
    ref = reference_values(atlas, keys)
    gem = atlas.gemeente.iloc[0]
    # counts first (exact at gemeente level), matching the published percentage within rounding
    share = ref.at["gemeente", "aandeel_65_plus"]
    assert share == pytest.approx(
        gem["aantal_personen_65_jaar_en_ouder"] / gem["aantal_inwoners"] * 100
    )
    assert abs(share - gem["percentage_personen_65_jaar_en_ouder"]) <= 0.5
    # every voorziening inside the gemeente is counted in exactly one buurt
    n_in_gemeente = int(atlas.local["voorzieningen"].within(atlas.gemeente.union_all()).sum())
    assert gdf["lokale_voorzieningen"].sum() == ref.at["gemeente", "lokale_voorzieningen"]
    assert ref.at["gemeente", "lokale_voorzieningen"] == n_in_gemeente
    assert ref.at["gemeente", "lokale_voorzieningen_per_1000"] == pytest.approx(
        n_in_gemeente / gem["aantal_inwoners"] * 1000
    )


@pytest.mark.realdata
@pytest.mark.parametrize("gemeente", ["GM0392", "GM0758"])
def test_reused_codes_are_flagged_as_changed(realdata, gemeente):
    """Haarlem and Breda re-used wijk codes between 2014 and 2024 for other areas."""
    import geopandas as gpd

    old = gpd.read_file(realdata / f"boundaries/{gemeente}_wijk_2014_generalised_q1e3.geojson")
    new = gpd.read_file(realdata / f"boundaries/{gemeente}_wijk_2024_simplified.geojson")
    old = old.rename(columns={"statcode": "wijkcode"}).to_crs(28992)
    new = new.to_crs(28992)
    shared = set(old["wijkcode"]) & set(new["wijkcode"])
    assert len(shared) == 9  # 9 codes exist in both years ...
    assert unchanged_codes(old, new, "wijk") == set()  # ... none kept its boundary
    assert unchanged_codes(new, new, "wijk") == set(new["wijkcode"])
    # change_since then refuses to compare any of them
    now = pd.DataFrame({"wijkcode": new["wijkcode"], "aantal_inwoners": 1000.0})
    then = pd.DataFrame({"wijkcode": old["wijkcode"], "aantal_inwoners": 900.0})
    ch = change_since(now, then, ["inwoners"], unchanged=set(), id_col="wijkcode", level="wijk")
    assert ch["inwoners_verandering"].isna().all()
    assert set(ch["opmerking"]) <= {"grens gewijzigd", "niet in het eerdere jaar"}
