"""Koppelkansen on real Rotterdam-region buurten (CBS Wijk- en Buurtkaart 2024).

The real data have no local layers, so only the rules that need CBS figures alone can run;
the others must be skipped with a reason. 2024 has no income figures per buurt: the optional
income conditions are dropped and said so. The Nederland row is the sum of the 342 real
gemeente rows (counts summed, shares weighted by their base), since the real-data folder
holds no NL00 row.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest

from wijkgeo.atlas import Atlas
from wijkgeo.koppelkansen import evaluate
from wijkgeo.sources.pdok import nan_missing

pytestmark = [pytest.mark.realdata, pytest.mark.slow]

NPRZ = "raw/nprz"
GEMEENTEN = ("GM0599", "GM0606", "GM0542")  # Rotterdam, Schiedam, Krimpen aan den IJssel


def _clean(df: pd.DataFrame) -> pd.DataFrame:
    df = df.copy()
    nan_missing(df)
    return df


def _nederland(gem: pd.DataFrame) -> pd.DataFrame:
    g = gem[gem["water"] == "NEE"]
    inw = g["aantal_inwoners"]
    hh = g["aantal_huishoudens"]
    row = {"code": "NL00", "naam": "Nederland", "aantal_inwoners": inw.sum(),
           "aantal_huishoudens": hh.sum()}
    for col in ("aantal_personen_met_een_alg_bijstandsuitkering_tot",
                "aantal_personen_met_een_ao_uitkering_totaal",
                "aantal_personen_met_een_ww_uitkering_totaal", "personenautos_totaal"):
        row[col] = g[col].sum()
    row["aantal_personen_65_jaar_en_ouder"] = (g["percentage_personen_65_jaar_en_ouder"] * inw
                                               / 100).sum()
    row["aantal_eenpersoonshuishoudens"] = (g["percentage_eenpersoonshuishoudens"] * hh
                                            / 100).sum()
    for col in ("grote_supermarkt_gemiddelde_afstand_in_km",
                "huisartsenpraktijk_gemiddelde_afstand_in_km"):
        ok = g[col].notna()
        row[col] = float(np.average(g.loc[ok, col], weights=inw[ok]))
    return pd.DataFrame([row])


@pytest.fixture(scope="module")
def atlases(realdata):
    base = realdata / NPRZ
    stats = _clean(pd.read_parquet(base / "buurt_2024_stats.parquet"))
    geo = gpd.read_file(base / "buurt_2024.geojson")[["buurtcode", "geometry"]].to_crs(28992)
    buurten = geo.merge(stats, on="buurtcode")
    wstats = _clean(pd.read_parquet(base / "wijk_2024_stats.parquet"))
    wgeo = gpd.read_file(base / "wijk_2024.geojson")[["wijkcode", "geometry"]].to_crs(28992)
    wijken = wgeo.merge(wstats, on="wijkcode")
    gstats = _clean(pd.read_parquet(base / "gemeente_2024_stats.parquet"))
    ggeo = gpd.read_file(base / "gemeente_2024.geojson")[["gemeentecode", "geometry"]]
    ggeo = ggeo.drop_duplicates("gemeentecode").to_crs(28992)
    gemeenten = ggeo.merge(gstats[gstats["water"] == "NEE"], on="gemeentecode")
    nl = _nederland(gstats)
    out = {}
    for code in GEMEENTEN:
        b = buurten[buurten["gemeentecode"] == code].reset_index(drop=True)
        w = wijken[wijken["wijkcode"].isin(set(b["wijkcode"]))].reset_index(drop=True)
        g = gemeenten[gemeenten["gemeentecode"] == code].reset_index(drop=True)
        out[code] = Atlas(gemeente=g, wijken=w, buurten=b, nederland=nl,
                          meta={"year": 2024, "gemeente": code, "peildatum": "2024-09-01"})
    return out


@pytest.fixture(scope="module")
def results(atlases):
    return {code: evaluate(a) for code, a in atlases.items()}


def test_only_cbs_rules_run_and_the_others_say_why(results):
    res = results["GM0599"]
    reasons = dict(zip(res.skipped["regel"], res.skipped["reden"], strict=True))
    assert reasons["warmtenet_en_straatwerk"].startswith(
        "de gemeente heeft geen lokale laag 'energietransitie'; voeg die toe met `wijkgeo lagen"
    )
    assert reasons["sociale_basis_kleine_actieradius"].startswith("geen 500 m-vierkanten")
    assert reasons["initiatief_steunen"].startswith(
        "de gemeente heeft geen lokale laag 'bewonersinitiatieven'"
    )
    ran = {"ouderen_weinig_autos_ver_weg", "preventie_risicos_samen"}
    assert ran.isdisjoint(reasons)
    assert ran <= set(res.matches["regel"]) | set(res.near_misses["regel"])


def test_year_without_income_figures_is_said(results):
    m = results["GM0599"].matches
    prev = m[m["regel"] == "preventie_risicos_samen"]
    assert len(prev)
    dropped = prev.iloc[0]["niet_meegeteld"]
    assert "huishoudens met een laag inkomen" in dropped
    assert "buurthuis of bibliotheek" in dropped  # no voorzieningen layer in the real data
    assert "Niet meegeteld (geen gegevens): huishoudens met een laag inkomen" in (
        prev.iloc[0]["uitleg"]
    )


def test_a_real_match_recomputed_by_hand(atlases, results):
    """Every 'ouderen' match: 65+ >= 1.25 x NL (from the published percentage) and 2 more."""
    atlas = atlases["GM0599"]
    nl = atlas.nederland.iloc[0]
    nl65 = 100 * nl["aantal_personen_65_jaar_en_ouder"] / nl["aantal_inwoners"]
    nlcars = nl["personenautos_totaal"] / nl["aantal_huishoudens"]
    b = atlas.buurten.set_index("buurtcode")
    m = results["GM0599"].matches
    old = m[m["regel"] == "ouderen_weinig_autos_ver_weg"]
    assert len(old) >= 1
    for row in old.itertuples():
        r = b.loc[row.code]
        assert r["percentage_personen_65_jaar_en_ouder"] >= 1.25 * nl65 - 1e-9
        met = [
            r["personenautos_per_huishouden"] <= 0.9 * nlcars + 1e-9,
            r["grote_supermarkt_gemiddelde_afstand_in_km"] >= 1.0,
            r["huisartsenpraktijk_gemiddelde_afstand_in_km"] >= 1.0,
            r["percentage_eenpersoonshuishoudens"] >= 100 * nl["aantal_eenpersoonshuishoudens"]
            / nl["aantal_huishoudens"] - 1e-9,
        ]
        assert sum(met) >= 2, row.code
        pct = f"{r['percentage_personen_65_jaar_en_ouder']:.0f}%"
        assert f"inwoners van 65 jaar en ouder {pct}" in row.uitleg
        assert row.uitleg.startswith(f"{row.naam}: ")


def test_top_koppelkansen_print_for_the_closing_note(results, capsys):
    rows = pd.concat([r.matches for r in results.values()], ignore_index=True)
    top = rows.sort_values(["score", "robuustheid", "code"], ascending=[False, False, True])
    with capsys.disabled():
        print("\nTop koppelkansen (echte buurten 2024, alleen CBS-regels):")
        for row in top.head(6).itertuples():
            print(f"- [{row.regel}, {row.robuustheid}] {row.uitleg}")
    assert len(rows) > 0
