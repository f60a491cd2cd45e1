"""Koppelkansen on a small hand-made Atlas whose matches are known in advance.

Six buurten of 500 x 500 m in two wijken (Noord: B1 B2 B3 on top, Zuid: B4 B5 B6 below),
each 500 m cell equal to one buurt. Every buurt is "ordinary" (matches nothing) except for
the values set below to make exactly one or two default rules fire:

    R1  warmtetransitie_energiearmoede   wijk Zuid (warmtenet 2026, low incomes, gas, WOZ)
    R2  warmtenet_en_straatwerk          B5 (riolering 2027-2028 inside the warmtenet wijk)
    R3  gemengd_eigendom_warmtetransitie B1 (koop 50, corporatie 30, particulier 20)
    R4  renovatie_sociale_begeleiding    B4 (corporatie renovatie + bijstand, laag inkomen)
    R5  groen_hitte_ouderen              B3 (groen project + 30 % 65+)
    R6  sociale_basis_kleine_actieradius cell of B6 (kinderen, 65+, far from the buurthuis)
    R7  initiatief_steunen               B4 (active initiative + needs)
    R8  behoefte_zonder_plek             B6 (needs, nothing within 300 m)
    R9  ouderen_weinig_autos_ver_weg     B2 (65+, few cars, far supermarket)
    R10 preventie_risicos_samen          B5 (bijstand, laag inkomen, sociaal minimum)
    R11 plannen_overlappen               B5 (gemeente riool x netbeheerder, same years)
    R12 bouwgolf_en_werk                 wijk Zuid (renovatie + bijstand in the wijk)
"""

from __future__ import annotations

import math
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from shapely.geometry import LineString, Point, box

from wijkgeo import ConfigError
from wijkgeo.atlas import Atlas
from wijkgeo.koppelkansen import (
    COLUMNS,
    default_rules,
    evaluate,
    load_rules,
    parse_rules,
    validate_rules_file,
    validate_rules_text,
)

X0, Y0 = 100_000.0, 450_000.0
PEIL = "2024-09-01"
CODES = [f"BU0001{w:02d}{b:02d}" for w in (1, 2) for b in (1, 2, 3)]
B = dict(zip(["B1", "B2", "B3", "B4", "B5", "B6"], CODES, strict=True))
WK_N, WK_Z = "WK000101", "WK000102"

ORDINARY = {
    "aantal_inwoners": 1000.0,
    "aantal_huishoudens": 500.0,
    "perc_huishoudens_laag_inkomen": 5.0,
    "perc_huishoudens_onder_of_rond_sociaal_minimum": 4.0,
    "gemiddeld_aardgasverbruik": 900.0,
    "gemiddelde_woningwaarde": 350.0,
    "percentage_koopwoningen": 80.0,
    "perc_huurwoningen_in_bezit_woningcorporaties": 10.0,
    "perc_huurwoningen_in_bezit_overige_verhuurders": 10.0,
    "aantal_personen_met_een_alg_bijstandsuitkering_tot": 10.0,
    "aantal_eenpersoonshuishoudens": 150.0,
    "aantal_personen_met_een_ao_uitkering_totaal": 30.0,
    "aantal_personen_met_een_ww_uitkering_totaal": 5.0,
    "aantal_personen_65_jaar_en_ouder": 150.0,
    "aantal_personen_0_tot_15_jaar": 150.0,
    "personenautos_per_huishouden": 1.2,
    "grote_supermarkt_gemiddelde_afstand_in_km": 0.5,
    "huisartsenpraktijk_gemiddelde_afstand_in_km": 0.5,
}
BUURT = {
    "B1": {"percentage_koopwoningen": 50.0, "perc_huurwoningen_in_bezit_woningcorporaties": 30.0,
           "perc_huurwoningen_in_bezit_overige_verhuurders": 20.0},
    "B2": {"aantal_personen_65_jaar_en_ouder": 280.0, "personenautos_per_huishouden": 0.8,
           "grote_supermarkt_gemiddelde_afstand_in_km": 1.2},
    "B3": {"aantal_personen_65_jaar_en_ouder": 300.0},
    "B4": {"aantal_personen_met_een_alg_bijstandsuitkering_tot": 40.0,
           "perc_huishoudens_laag_inkomen": 15.0},
    "B5": {"aantal_personen_met_een_alg_bijstandsuitkering_tot": 35.0,
           "perc_huishoudens_laag_inkomen": 13.0,
           "perc_huishoudens_onder_of_rond_sociaal_minimum": 10.0},
    "B6": {"aantal_personen_met_een_alg_bijstandsuitkering_tot": 28.0,
           "perc_huishoudens_laag_inkomen": 11.0, "aantal_personen_65_jaar_en_ouder": 240.0},
}
DENSITY = [2000.0, 2500.0, 3000.0, 3500.0, 4000.0, 4500.0]
REFERENCE = {  # gemeente and Nederland (the same, to keep the arithmetic simple)
    "aantal_inwoners": 100_000.0,
    "aantal_huishoudens": 50_000.0,
    "perc_huishoudens_laag_inkomen": 8.0,
    "perc_huishoudens_onder_of_rond_sociaal_minimum": 6.0,
    "gemiddeld_aardgasverbruik": 1000.0,
    "gemiddelde_woningwaarde": 300.0,
    "aantal_personen_met_een_alg_bijstandsuitkering_tot": 2000.0,
    "aantal_eenpersoonshuishoudens": 17_500.0,
    "aantal_personen_met_een_ao_uitkering_totaal": 3500.0,
    "aantal_personen_met_een_ww_uitkering_totaal": 800.0,
    "aantal_personen_65_jaar_en_ouder": 20_000.0,
    "aantal_personen_0_tot_15_jaar": 15_000.0,
    "personenautos_per_huishouden": 1.0,
    "grote_supermarkt_gemiddelde_afstand_in_km": 0.9,
    "huisartsenpraktijk_gemiddelde_afstand_in_km": 1.0,
    "bevolkingsdichtheid_inwoners_per_km2": 1500.0,
    "percentage_koopwoningen": 57.0,
    "perc_huurwoningen_in_bezit_woningcorporaties": 28.0,
    "perc_huurwoningen_in_bezit_overige_verhuurders": 14.0,
}


def _cell(i: int) -> tuple[float, float]:
    col, row = i % 3, i // 3
    return X0 + 500 * col, Y0 + 500 * (1 - row)  # lower-left corner; Noord on top


def _centre(name: str) -> tuple[float, float]:
    x, y = _cell(list(B).index(name))
    return x + 250, y + 250


HEALTH_BASE = {"eenzaam_65plus": 50.0, "mantelzorger_18plus": 14.0,
               "moeite_met_rondkomen_18plus": 15.0, "vrijwilligerswerk_18plus": 25.0}
HEALTH = {"B3": {"eenzaam_65plus": 60.0}, "B6": {"mantelzorger_18plus": 18.0},
          "B5": {"moeite_met_rondkomen_18plus": 22.0}, "B4": {"vrijwilligerswerk_18plus": 32.0}}


def _health() -> pd.DataFrame:
    """RIVM-style estimates per area code (as wijkgeo.sources.rivm_store keeps them): the
    base everywhere (gemeente and NL too), one buurt above it per health rule."""
    rows = [{"code": c, **HEALTH_BASE} for c in ("NL00", "GM0001", WK_N, WK_Z)]
    rows += [{"code": code, **HEALTH_BASE, **HEALTH.get(name, {})} for name, code in B.items()]
    return pd.DataFrame(rows)


def make_atlas(*, projecten: bool = True, vierkanten: bool = True, income: bool = True) -> Atlas:
    rows = []
    for i, (name, code) in enumerate(B.items()):
        row = {**ORDINARY, **BUURT.get(name, {})}
        row.update(buurtcode=code, buurtnaam=f"Buurt {name}", wijkcode=code[:8].replace("BU", "WK"),
                   gemeentecode="GM0001", gemeentenaam="Proefstad",
                   bevolkingsdichtheid_inwoners_per_km2=DENSITY[i])
        rows.append(row)
    geoms = [box(*_cell(i), _cell(i)[0] + 500, _cell(i)[1] + 500) for i in range(6)]
    buurten = gpd.GeoDataFrame(pd.DataFrame(rows), geometry=geoms, crs=28992)
    wijk_vals = {
        WK_N: {**ORDINARY},
        WK_Z: {**ORDINARY, "perc_huishoudens_laag_inkomen": 15.0,
               "perc_huishoudens_onder_of_rond_sociaal_minimum": 12.0,
               "gemiddeld_aardgasverbruik": 1200.0, "gemiddelde_woningwaarde": 200.0,
               "aantal_personen_met_een_alg_bijstandsuitkering_tot": 35.0},
    }
    wijken = gpd.GeoDataFrame(
        pd.DataFrame([{**v, "wijkcode": k, "wijknaam": "Noord" if k == WK_N else "Zuid",
                       "gemeentecode": "GM0001", "gemeentenaam": "Proefstad"}
                      for k, v in wijk_vals.items()]),
        geometry=[box(X0, Y0 + 500, X0 + 1500, Y0 + 1000), box(X0, Y0, X0 + 1500, Y0 + 500)],
        crs=28992,
    )
    gemeente = gpd.GeoDataFrame(
        pd.DataFrame([{**REFERENCE, "gemeentecode": "GM0001", "gemeentenaam": "Proefstad",
                       "aantal_eenpersoonshuishoudens": 17_500.0}]),
        geometry=[box(X0, Y0, X0 + 1500, Y0 + 1000)], crs=28992,
    )
    nederland = pd.DataFrame([{**REFERENCE, "code": "NL00", "naam": "Nederland",
                               "aantal_eenpersoonshuishoudens": 20_000.0}])
    if not income:
        col = ["perc_huishoudens_laag_inkomen"]
        buurten, wijken, gemeente = (f.drop(columns=col) for f in (buurten, wijken, gemeente))
        nederland = nederland.drop(columns=col)
    local = {
        "voorzieningen": gpd.GeoDataFrame(
            {"id": ["VZ001", "VZ002"], "naam": ["Buurthuis De Kern", "Supermarkt Noord"],
             "categorie": ["buurthuis", "supermarkt"]},
            geometry=[Point(_centre("B1")), Point(_centre("B2"))], crs=28992),
        "bewonersinitiatieven": gpd.GeoDataFrame(
            {"id": ["BI001", "BI002", "BI003"],
             "naam": ["Taalcafé Zuid", "Moestuin Noord", "Oude club"],
             "thema": ["sociaal", "groen", "sociaal"],
             "status": ["actief", "actief", "afgerond"],
             "startdatum": pd.to_datetime(["2023-01-01", "2022-01-01", "2019-01-01"]),
             "einddatum": pd.to_datetime(["2025-03-01", None, "2020-01-01"])},
            geometry=[Point(_centre("B4")), Point(_centre("B2")), Point(_centre("B6"))],
            crs=28992),
        "energietransitie": pd.DataFrame(
            {"wijkcode": [WK_N, WK_Z], "planjaar": [2030, 2026],
             "strategie": ["all-electric", "warmtenet"], "toelichting": ["", ""]}),
        "gezondheid": _health(),
    }
    if projecten:
        x4, y4 = _cell(3)
        x5, y5 = _cell(4)
        x3, y3 = _cell(2)
        x2, y2 = _cell(1)
        local["projecten"] = gpd.GeoDataFrame(
            {"id": ["PR001", "PR002", "PR003", "PR004", "PR005", "PR006"],
             "naam": ["Riool B5", "Renovatie B4", "Park B3", "Net B5", "Straat B2", "Oud werk"],
             "eigenaar": ["gemeente", "corporatie", "gemeente", "netbeheerder", "gemeente",
                          "waterschap"],
             "thema": ["riolering", "renovatie", "groen", "onderhoud", "herinrichting",
                       "riolering"],
             "status": ["gepland", "in_uitvoering", "gepland", "gepland", "idee", "afgerond"],
             "startjaar": [2027, 2025, 2025, 2028, 2026, 2020],
             "eindjaar": [2028, 2026, 2026, 2029, 2027, 2021],
             "toelichting": [""] * 6},
            geometry=[
                LineString([(x5 + 100, y5 + 250), (x5 + 400, y5 + 250)]),
                box(x4 + 100, y4 + 100, x4 + 400, y4 + 400),
                box(x3 + 150, y3 + 150, x3 + 350, y3 + 350),
                LineString([(x5 + 250, y5 + 100), (x5 + 250, y5 + 400)]),
                LineString([(x2 + 100, y2 + 250), (x2 + 400, y2 + 250)]),
                LineString([(x5 + 100, y5 + 200), (x5 + 400, y5 + 200)]),
            ],
            crs=28992,
        )
    grids = {}
    if vierkanten:
        kids = [100, 120, 140, 160, 180, 300]
        old = [100, 120, 140, 160, 180, 300]
        uitk = [10, 20, 30, 40, 50, 60]
        codes = [f"E{int(_cell(i)[0] // 100):04d}N{int(_cell(i)[1] // 100):04d}" for i in range(6)]
        grids["500m"] = gpd.GeoDataFrame(
            {"celcode": codes, "aantal_inwoners": [1000.0] * 6,
             "aantal_inwoners_0_tot_15_jaar": np.array(kids, float),
             "aantal_inwoners_65_jaar_en_ouder": np.array(old, float),
             "aantal_part_huishoudens": [500.0] * 6,
             "aantal_personen_met_uitkering_onder_aowlft": np.array(uitk, float)},
            geometry=geoms, crs=28992)
    return Atlas(gemeente=gemeente, wijken=wijken, buurten=buurten, vierkanten=grids,
                 local=local, nederland=nederland,
                 meta={"year": 2024, "gemeente": "GM0001", "peildatum": PEIL})


EXPECTED = {
    "warmtetransitie_energiearmoede": {WK_Z},
    "warmtenet_en_straatwerk": {B["B5"]},
    "gemengd_eigendom_warmtetransitie": {B["B1"]},
    "renovatie_sociale_begeleiding": {B["B4"]},
    "groen_hitte_ouderen": {B["B3"]},
    "sociale_basis_kleine_actieradius": {"E1010N4500"},
    "initiatief_steunen": {B["B4"]},
    "behoefte_zonder_plek": {B["B6"]},
    "ouderen_weinig_autos_ver_weg": {B["B2"]},
    "preventie_risicos_samen": {B["B5"]},
    "plannen_overlappen": {B["B5"]},
    "bouwgolf_en_werk": {WK_Z},
    "eenzame_ouderen_zonder_ontmoetingsplek": {B["B3"]},
    "mantelzorgers_ontlasten": {B["B6"]},
    "rondkomen_en_van_het_gas": {B["B5"]},
    "vrijwilligers_voor_continuiteit": {B["B4"]},
}


@pytest.fixture(scope="module")
def atlas() -> Atlas:
    return make_atlas()


@pytest.fixture(scope="module")
def result(atlas):
    return evaluate(atlas)


# ----------------------------------------------------------------------------- the rules
def test_default_rules_are_valid_and_grounded():
    rules = default_rules()
    assert len(rules) >= 10
    assert set(EXPECTED) == set(rules.keys())
    for rule in rules:
        assert rule.title and rule.description and rule.source and rule.partners
        assert "koppeling" in rule.source  # points at the practice doc
        assert rule.conditions


def test_no_default_rule_uses_migration_background():
    text = (Path(__file__).parents[1] / "wijkgeo/koppelkansen/rules.toml").read_text("utf-8")
    body = "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#"))
    for word in ("herkomst", "migratie", "herkmst", "achtergrond", "nederlandse"):
        assert word not in body.lower()
    for rule in default_rules():
        for c in rule.conditions:
            assert not any(w in (c.column or c.indicator or "") for w in ("herkomst", "herkmst"))


def test_rules_list_the_data_they_need():
    needs = default_rules()["warmtetransitie_energiearmoede"].needs()
    assert needs["lagen"] == ("energietransitie",)
    assert "aandeel_huishoudens_laag_inkomen" in needs["indicatoren"]


# ------------------------------------------------------------------------ known matches
def test_each_default_rule_matches_exactly_the_constructed_units(result):
    got = {k: set(g["code"]) for k, g in result.matches.groupby("regel")}
    assert result.skipped.empty
    assert got == EXPECTED


def test_result_shape_is_as_documented(result):
    m = result.matches
    assert list(m.columns) == list(COLUMNS)
    assert m.crs.to_epsg() == 28992
    assert set(m["status"]) == {"kans"}
    assert set(m["robuustheid"]) <= {"ruim", "krap"}
    assert m["score"].between(0, 1).all()
    row = m[m["regel"] == "warmtetransitie_energiearmoede"].iloc[0]
    assert row["niveau"] == "wijk" and row["naam"] == "Zuid"
    cond = row["condities"]
    assert {"soort", "omschrijving", "waarde", "drempel", "vergelijking", "voldaan", "ruim",
            "verplicht", "reden", "tekst"} <= set(cond[0])
    assert all(isinstance(c["voldaan"], bool) for c in cond)


def test_explanation_has_the_numbers_and_the_assets(result):
    m = result.matches.set_index("regel")
    text = m.at["warmtetransitie_energiearmoede", "uitleg"]
    assert text.startswith("Zuid: aardgasvrij gepland 2026 (warmtenet); ")
    assert "huishoudens met een laag inkomen 15,0% (gemeente 8,0%, NL 8,0%)" in text
    assert "gemiddeld aardgasverbruik 1.200 m³ (gemeente 1.000 m³, NL 1.000 m³)" in text
    assert (
        "Wat er in of vlakbij al is: 2 actieve bewonersinitiatieven (Taalcafé Zuid (loopt af op "
        "1 maart 2025), Moestuin Noord); 2 voorzieningen (buurthuis: Buurthuis De Kern, "
        "1 x supermarkt); 5 projecten (Riool B5 (gemeente, 2027-2028), Renovatie B4 "
        "(corporatie, 2025-2026), Park B3 (gemeente, 2025-2026) en 2 meer)." in text
    )
    # "wat er al is" is one rule (wijkgeo.facts.present): projects too count within 250 m
    assert m.at["warmtetransitie_energiearmoede", "projecten"][3:] == [
        "Net B5 (netbeheerder, 2028-2029)", "Straat B2 (gemeente, 2026-2027)"]
    assert m.at["initiatief_steunen", "uitleg"].startswith(
        "Buurt B4: 1 actief bewonersinitiatief (Taalcafé Zuid); bijstandsuitkeringen 40,0"
    )
    # an active initiative that ends within 12 months of the peildatum is flagged
    steun = m.at["initiatief_steunen", "initiatieven"]
    assert steun == ["Taalcafé Zuid (loopt af op 1 maart 2025)"]
    # assets beside the needs: the overlap in B5 names both plans and the projects
    overlap = m.at["plannen_overlappen", "uitleg"]
    assert "Riool B5 (gemeente, 2027-2028) en Net B5 (netbeheerder, 2028-2029)" in overlap
    assert "afgerond" not in overlap and "Oud werk" not in overlap
    cel = m.at["sociale_basis_kleine_actieradius", "uitleg"]
    assert "geen buurthuis of bibliotheek binnen 800 m (dichtstbijzijnde op 1.120 m)" in cel


def test_deterministic(atlas, result):
    again = evaluate(atlas)
    pd.testing.assert_frame_equal(
        pd.DataFrame(result.matches.drop(columns="geometry")),
        pd.DataFrame(again.matches.drop(columns="geometry")),
    )


# ------------------------------------------------------------------- thresholds and edges
def _rule(condition: str, *, level: str = "buurt", extra: str = "") -> str:
    return f"""
[[regel]]
sleutel = "proef"
titel = "Proef"
beschrijving = "Een proef."
niveau = "{level}"
bron = "test"
{extra}
[[regel.conditie]]
{condition}
"""


def _codes(atlas, text: str, **kw) -> set[str]:
    rs, problems = parse_rules(text)
    assert problems == []
    return set(evaluate(atlas, rs, **kw).matches["code"])


def test_exactly_at_the_threshold(atlas):
    # B2 has 28 % 65+: '>= 28' holds, '> 28' does not
    ge = _codes(atlas, _rule('soort = "drempel"\nindicator = "aandeel_65_plus"\nwaarde = 28'))
    gt = _codes(atlas, _rule(
        'soort = "drempel"\nindicator = "aandeel_65_plus"\noperator = ">"\nwaarde = 28'))
    assert B["B2"] in ge and B["B2"] not in gt
    # comparison at exactly 1.5 x NL: B6 has 28 bijstand per 1,000, NL 20 -> 1.4 x holds
    eq = _codes(atlas, _rule(
        'soort = "vergelijking"\nindicator = "bijstand_per_1000"\nmet = "nederland"\nfactor = 1.4'))
    assert B["B6"] in eq


def test_nan_and_suppressed_values_do_not_hold_and_say_why(atlas):
    small = make_atlas()
    b = small.buurten
    b.loc[b["buurtcode"] == B["B4"], "aantal_inwoners"] = 40.0  # below min_population 100
    b.loc[b["buurtcode"] == B["B5"], "perc_huishoudens_laag_inkomen"] = np.nan
    b.loc[b["buurtcode"] == B["B6"], "perc_huishoudens_laag_inkomen"] = -99997.0  # secret
    text = _rule('soort = "drempel"\nindicator = "aandeel_huishoudens_laag_inkomen"\nwaarde = 1',
                 extra="")
    rs, _ = parse_rules(text)
    res = evaluate(small, rs)
    assert set(res.matches["code"]) == {B["B1"], B["B2"], B["B3"]}
    # the reasons travel with near misses and matches alike: check through a 'minstens' rule
    text2 = _rule(
        'soort = "drempel"\nindicator = "aandeel_huishoudens_laag_inkomen"\nwaarde = 1\n'
        '[[regel.conditie]]\nsoort = "drempel"\nindicator = "inwoners"\nwaarde = 0',
        extra='combinatie = "minstens"\nminstens = 1')
    rs2, problems = parse_rules(text2)
    assert problems == []
    m = evaluate(small, rs2).matches.set_index("code")
    assert m.at[B["B4"], "condities"][0]["reden"] == "te weinig inwoners"
    assert m.at[B["B5"], "condities"][0]["reden"] == "geen gegevens"
    assert m.at[B["B6"], "condities"][0]["reden"] == "geen gegevens"
    assert m.at[B["B5"], "condities"][0]["voldaan"] is False


def test_robustness_flag_and_near_miss_with_known_answers(atlas):
    # 65+ >= 26 %: B2 (28 %) holds but not at 28.6 (= 26 + 10 %): krap; B3 (30 %): ruim;
    # B6 (24 %) misses, but would hold at 23.4 (= 26 - 10 %): a near miss
    text = _rule('soort = "drempel"\nindicator = "aandeel_65_plus"\nwaarde = 26')
    rs, _ = parse_rules(text)
    res = evaluate(atlas, rs)
    flags = dict(zip(res.matches["code"], res.matches["robuustheid"], strict=True))
    assert flags == {B["B2"]: "krap", B["B3"]: "ruim"}
    assert list(res.near_misses["code"]) == [B["B6"]]
    miss = res.near_misses.iloc[0]
    assert miss["status"] == "bijna" and miss["robuustheid"] is None
    assert "Net niet: inwoners van 65 jaar en ouder 24%" in miss["uitleg"]


def test_year_windows_move_by_at_least_a_year(atlas):
    # the riool in B5 starts 2027, the warmtenet wijk goes off gas in 2026: gap 1 year.
    # binnen_jaren = 1: holds, but not with the strict window 0 -> krap.
    text = _rule(
        'soort = "overlap"\nlaag = "energietransitie"\nfilter = { strategie = ["warmtenet"] }\n'
        'met_laag = "projecten"\nmet_filter = { thema = ["riolering"], status = ["gepland"] }\n'
        'binnen_jaren = 1')
    rs, _ = parse_rules(text)
    res = evaluate(atlas, rs)
    assert list(res.matches["code"]) == [B["B5"]]
    assert list(res.matches["robuustheid"]) == ["krap"]
    rs0, _ = parse_rules(text.replace("binnen_jaren = 1", "binnen_jaren = 0"))
    res0 = evaluate(atlas, rs0)
    assert res0.matches.empty and list(res0.near_misses["code"]) == [B["B5"]]


# ----------------------------------------------------------------------- missing data
def test_missing_layer_and_grid_skip_rules_with_dutch_reasons():
    res = evaluate(make_atlas(projecten=False, vierkanten=False))
    reasons = dict(zip(res.skipped["regel"], res.skipped["reden"], strict=True))
    for key in ("warmtenet_en_straatwerk", "renovatie_sociale_begeleiding",
                "groen_hitte_ouderen", "plannen_overlappen", "bouwgolf_en_werk"):
        assert reasons[key].startswith("de gemeente heeft geen lokale laag 'projecten'")
        assert "wijkgeo lagen" in reasons[key]  # the offline route
    assert "500 m-vierkanten" in reasons["sociale_basis_kleine_actieradius"]
    assert "wijkgeo import" in reasons["sociale_basis_kleine_actieradius"]
    assert not set(res.matches["regel"]) & set(reasons)
    assert "ouderen_weinig_autos_ver_weg" in set(res.matches["regel"])


def test_a_year_without_income_figures():
    atlas = make_atlas(income=False)
    res = evaluate(atlas)
    # optional income conditions are dropped and said so; the rule still runs on the rest
    row = res.matches[res.matches["regel"] == "warmtetransitie_energiearmoede"]
    assert list(row["code"]) == [WK_Z]
    assert row.iloc[0]["niet_meegeteld"] == ["huishoudens met een laag inkomen"]
    assert "Niet meegeteld (geen gegevens): huishoudens met een laag inkomen" in (
        row.iloc[0]["uitleg"]
    )
    # a rule that needs income without mag_ontbreken is skipped with the reason
    text = _rule('soort = "drempel"\nindicator = "aandeel_huishoudens_laag_inkomen"\nwaarde = 10')
    rs, _ = parse_rules(text)
    res2 = evaluate(atlas, rs)
    assert res2.matches.empty
    assert list(res2.skipped["reden"]) == [
        "geen gegevens voor huishoudens met een laag inkomen in deze gegevens"
    ]


# -------------------------------------------------------------------- users' own rules
USER_RULES = """
# Eigen regels van Proefstad
[[regel]]
sleutel = "ouderen_weinig_autos_ver_weg"
actief = false
titel = "uit"
beschrijving = "uitgezet"
niveau = "buurt"
bron = "eigen"
[[regel.conditie]]
soort = "drempel"
indicator = "aandeel_65_plus"
waarde = 99

[[regel]]
sleutel = "veel_65_plus"
titel = "Veel 65-plussers"
beschrijving = "Een eigen regel, in TOML, zonder Python."
niveau = "buurt"
bron = "wijkteam Proefstad"
[[regel.conditie]]
soort = "rang"
indicator = "aandeel_65_plus"
top = 1
"""


def test_user_rules_add_and_override_defaults(atlas, tmp_path):
    path = tmp_path / "koppelkansen.toml"
    path.write_text(USER_RULES, encoding="utf-8")
    assert validate_rules_file(path) == []
    res = evaluate(atlas, path)
    got = set(res.matches["regel"])
    assert "veel_65_plus" in got and "ouderen_weinig_autos_ver_weg" not in got
    assert list(res.matches.loc[res.matches["regel"] == "veel_65_plus", "code"]) == [B["B3"]]
    # beside lagen.json in the gemeente's folder, evaluate(atlas) finds it by itself
    (tmp_path / "lagen.json").write_text('{"lagen": {}}', encoding="utf-8")
    own = make_atlas()
    own.meta["lokale_lagen"] = str(tmp_path)
    assert "veel_65_plus" in set(evaluate(own).matches["regel"])


# ------------------------------------------------------------------------- validation
def _problems(body: str, tmp_path: Path) -> list[str]:
    path = tmp_path / "koppelkansen.toml"
    path.write_text(body, encoding="utf-8")
    return [str(p) for p in validate_rules_file(path)]


@pytest.mark.parametrize(
    ("condition", "expected"),
    [
        ('soort = "drempel"\nindicator = "aandeel_65plus"\nwaarde = 1',
         "onbekende indicator 'aandeel_65plus'. Bedoelde u 'aandeel_65_plus'"),
        ('soort = "drempl"\nindicator = "aandeel_65_plus"\nwaarde = 1',
         "onbekende soort conditie 'drempl'"),
        ('soort = "laag"\nlaag = "voorzieningn"', "onbekende laag 'voorzieningn'. Bedoelde u "
         "'voorzieningen'?"),
        ('soort = "laag"\nlaag = "voorzieningen"\nfilter = { catgorie = ["buurthuis"] }',
         "geen kolom 'catgorie'. Bedoelde u 'categorie'?"),
        ('soort = "laag"\nlaag = "voorzieningen"\nfilter = { categorie = ["buurthuiz"] }',
         "categorie = 'buurthuiz' komt in de laag 'voorzieningen' niet voor"),
        ('soort = "drempel"\nkolom = "percentage_koopwoning"\nwaarde = 1',
         "onbekende kolom 'percentage_koopwoning'"),
        ('soort = "drempel"\nindicator = "aandeel_65_plus"\nwaarde = "tien"',
         "waarde moet een getal zijn"),
        ('soort = "drempel"\nindicator = "aandeel_65_plus"\nwaarde = 120',
         "waarde 120 kan niet voor een percentage"),
        ('soort = "percentiel"\nindicator = "aandeel_65_plus"\npercentiel = 150',
         "percentiel 150 bestaat niet"),
        ('soort = "vergelijking"\nindicator = "aandeel_65_plus"\nmet = "nl"\nfactor = 1.2',
         "met = 'nl': kies 'gemeente' of 'nederland'"),
        ('soort = "jaar"\nlaag = "projecten"\nvan = 2030\ntot = 2025', "dat venster is leeg"),
        ('soort = "drempel"\nindicator = "aandeel_65_plus"\nwaarde = 1\nafstand = 5',
         "onbekend veld 'afstand'"),
        ('soort = "laag"\nlaag = "voorzieningen"\nminimaal = 0', "minimaal moet minstens 1"),
        ('soort = "drempel"\nkolom = "aantal_inwoners"\nwaarde = 1\nschaal = 0',
         "schaal moet groter dan 0"),
        ('soort = "drempel"\nindicator = "aandeel_65_plus"\nwaarde = 1\ngewicht = 0',
         "gewicht moet groter dan 0"),
    ],
)
def test_validation_names_file_rule_line_and_suggestions(tmp_path, condition, expected):
    problems = _problems(_rule(condition), tmp_path)
    assert any(expected in p for p in problems), problems
    assert all(p.startswith(str(tmp_path / "koppelkansen.toml")) for p in problems)
    assert any("koppelkans 'proef'" in p for p in problems)


def test_validation_gives_the_line_of_the_field(tmp_path):
    body = _rule('soort = "drempel"\nindicator = "aandeel_65_plus"\nwaarde = 120')
    line = body.splitlines().index("waarde = 120") + 1
    problems = validate_rules_text(body, "x.toml")
    assert [p.line for p in problems] == [line]


def test_validation_of_combinations_and_syntax(tmp_path):
    too_many = _rule('soort = "drempel"\nindicator = "aandeel_65_plus"\nwaarde = 1',
                     extra='combinatie = "minstens"\nminstens = 3')
    assert any("minstens = 3 kan niet met 1 condities" in p for p in _problems(too_many, tmp_path))
    broken = "[[regel]\nsleutel = 'x'"
    assert any("geen geldige TOML" in p for p in _problems(broken, tmp_path))
    assert "bestaat niet" in str(validate_rules_file(tmp_path / "nergens.toml")[0])
    with pytest.raises(ConfigError, match="onbekende indicator"):
        (tmp_path / "k.toml").write_text(_rule(
            'soort = "drempel"\nindicator = "x"\nwaarde = 1'), encoding="utf-8")
        load_rules(tmp_path / "k.toml")


def test_user_layers_and_values_from_lagen_json(tmp_path):
    (tmp_path / "lagen.json").write_text(
        '{"lagen": {"speelplekken": {"bestand": "s.csv", "type": "punten", '
        '"verplicht": ["id", "naam", "soort"], "toegestaan": {"soort": ["speeltuin"]}}}}',
        encoding="utf-8")
    ok = _rule('soort = "laag"\nlaag = "speelplekken"\nfilter = { soort = ["speeltuin"] }')
    assert _problems(ok, tmp_path) == []
    bad = _rule('soort = "laag"\nlaag = "speelplekken"\nfilter = { soort = ["speeltuinen"] }')
    assert any("Bedoelde u 'speeltuin'?" in p for p in _problems(bad, tmp_path))


def test_geometry_of_cells_and_distance_from_the_middle(atlas, result):
    # B6's cell centre lies 1,118 m from the buurthuis in B1; B5's only 707 m
    cel = result.matches[result.matches["regel"] == "sociale_basis_kleine_actieradius"].iloc[0]
    d = shapely.distance(Point(_centre("B1")), Point(_centre("B6")))
    assert math.isclose(d, 1118.03, abs_tol=0.1)
    assert cel["naam"] == "vierkant E1010N4500 (Buurt B6)"


def test_weighted_combination_and_table_layer_presence(atlas):
    # gewogen: 65+ >= 25 (weight 3) or few cars (weight 1); drempel_score 0.75 -> 65+ decides
    text = _rule(
        'soort = "drempel"\nindicator = "aandeel_65_plus"\nwaarde = 25\ngewicht = 3\n'
        '[[regel.conditie]]\nsoort = "drempel"\nindicator = "autos_per_huishouden"\n'
        'operator = "<="\nwaarde = 0.9',
        extra='combinatie = "gewogen"\ndrempel_score = 0.75')
    rs, problems = parse_rules(text)
    assert problems == []
    res = evaluate(atlas, rs)
    scores = dict(zip(res.matches["code"], res.matches["score"], strict=True))
    assert scores == {B["B2"]: 1.0, B["B3"]: 0.75}
    # a table per wijk: buurten of a wijk with an all-electric plan
    text = _rule('soort = "laag"\nlaag = "energietransitie"\n'
                 'filter = { strategie = ["all-electric"] }')
    rs, _ = parse_rules(text)
    assert set(evaluate(atlas, rs).matches["code"]) == {B["B1"], B["B2"], B["B3"]}


def test_without_nederland_figures_comparisons_are_skipped_with_a_reason():
    atlas = make_atlas()
    atlas.nederland = None
    res = evaluate(atlas)
    reasons = dict(zip(res.skipped["regel"], res.skipped["reden"], strict=True))
    assert reasons["ouderen_weinig_autos_ver_weg"] == (
        "geen cijfer voor Nederland voor inwoners van 65 jaar en ouder: de store heeft geen "
        "Nederland-cijfers (wijkgeo refresh of wijkgeo import)"
    )
    # rules comparing with the gemeente only still run
    assert "behoefte_zonder_plek" in set(res.matches["regel"])
    assert default_rules()["sociale_basis_kleine_actieradius"].needs()["vierkanten"] == ("500m",)


def test_a_health_explanation_names_year_margin_and_where_the_value_comes_from():
    """A koppelkans on a RIVM estimate says its year in the label, its margin (or that none
    is published), and, for a buurt whose boundary changed, that the value was carried from
    the earlier year's buurtindeling; a value taken by code and name says the boundary was
    not checked."""
    atlas = make_atlas()
    table = _health()
    table["gezondheid_jaar"] = 2020
    table["gezondheid_indeling"] = 2020
    table["status"] = "gelijk"
    table.loc[table["code"] == B["B3"], "status"] = "omgerekend"
    table.loc[table["code"] == B["B5"], "status"] = "niet_gecontroleerd"
    on_b6 = table["code"] == B["B6"]
    table["mantelzorger_18plus_ondergrens"] = float("nan")
    table["mantelzorger_18plus_bovengrens"] = float("nan")
    table.loc[on_b6, "mantelzorger_18plus_ondergrens"] = 15.5
    table.loc[on_b6, "mantelzorger_18plus_bovengrens"] = 20.5
    atlas.local["gezondheid"] = table
    m = evaluate(atlas).matches.set_index("regel")
    lonely = m.loc["eenzame_ouderen_zonder_ontmoetingsplek", "uitleg"]
    assert "eenzaam, 65+ (schatting 2020) 60,0%" in lonely
    assert "marge niet gepubliceerd" in lonely
    assert "omgerekend van de buurtindeling van 2020" in lonely
    poor = m.loc["rondkomen_en_van_het_gas", "uitleg"]
    assert "(schatting 2020)" in poor and "grens niet gecontroleerd" in poor
    assert "omgerekend" not in poor
    carers = m.loc["mantelzorgers_ontlasten", "uitleg"]
    assert "schatting tussen 15,5% en 20,5%" in carers and "(schatting 2020)" in carers
    assert "omgerekend" not in carers and "grens niet" not in carers
    # without a year in the table the label stays as the registry has it
    assert "(schatting)" in evaluate(make_atlas()).matches.set_index("regel").loc[
        "eenzame_ouderen_zonder_ontmoetingsplek", "uitleg"
    ]


def test_absence_is_not_tested_in_a_layer_without_that_kind_of_object():
    """A voorzieningen layer without any buurthuis or bibliotheek cannot say that none is
    within 800 m: the condition is left out where the rule allows it (and said so), the
    rules that need it are skipped with the reason; never a vacuous "geen ... binnen"."""
    atlas = make_atlas()
    voorz = atlas.local["voorzieningen"]
    meeting = voorz["categorie"].isin(["buurthuis", "bibliotheek"])
    assert meeting.any()
    atlas.local["voorzieningen"] = voorz[~meeting].reset_index(drop=True)
    result = evaluate(atlas)
    m = result.matches.set_index("regel")
    lonely = m.loc["eenzame_ouderen_zonder_ontmoetingsplek"]
    assert lonely["code"] == B["B3"]
    assert lonely["niet_meegeteld"] == ["buurthuis of bibliotheek"]
    assert "geen buurthuis of bibliotheek binnen" not in lonely["uitleg"]
    assert "Niet meegeteld (geen gegevens): buurthuis of bibliotheek" in lonely["uitleg"]
    skipped = result.skipped.set_index("regel")["reden"]
    assert skipped["sociale_basis_kleine_actieradius"] == (
        "in de laag 'voorzieningen' staat geen buurthuis of bibliotheek: of er een dichtbij "
        "is, is niet getoetst"
    )
    assert "behoefte_zonder_plek" in skipped.index
    # a rule that asks for presence is judged as before (there simply is none)
    assert "initiatief_steunen" in set(result.matches["regel"])
