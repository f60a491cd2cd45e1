"""Kerncijfers normalisation on real KWB 2024 values (85984NED)."""

from __future__ import annotations

import json
import math

import pytest
from replay import kwb_rows

from wijkgeo import DataValidationError
from wijkgeo.sources.cbs import column_map, kerncijfers_metadata, normalize_kerncijfers

pytestmark = pytest.mark.realdata


@pytest.fixture(scope="module")
def props(realdata):
    return json.loads((realdata / "odata/kwb_85984NED/DataProperties.value.json").read_text())


@pytest.fixture(scope="module")
def truth(realdata):
    return json.loads((realdata / "groundtruth/ground_truth.json").read_text())["municipalities"]


def _gm_rows(rows, gm):
    return [r for r in rows if r["Codering_3"].strip()[2:6] == gm[2:]]


def test_column_map_covers_every_topic_uniquely(props):
    names = column_map(props)
    topics = [p["Key"] for p in props if p["Type"] == "Topic"]
    assert len(topics) == 128
    canon = [names[k] for k in topics]
    assert len(set(canon)) == 128  # no two keys collapse onto one column
    assert names["AantalInwoners_5"] == "aantal_inwoners"
    assert names["Codering_3"] == "code"
    assert names["Woningvoorraad_35"] == "woningvoorraad"
    # repeated stems (Nederland_17, Nederland_20) get distinct names in order
    assert names["Nederland_17"] == "aantal_herkomst_nederland"
    assert names["Nederland_20"] == "aantal_geb_in_nl_herkomst_nederland"


def test_suffix_change_between_years_maps_to_same_column(props):
    shifted = [
        dict(p, Key=p["Key"].replace("_5", "_6")) if p.get("Key") == "AantalInwoners_5" else p
        for p in props
    ]
    assert column_map(shifted)["AantalInwoners_6"] == "aantal_inwoners"


@pytest.mark.parametrize("gm", ["GM0772", "GM0392", "GM0014", "GM0758"])
def test_cbsodata_shaped_rows_give_ground_truth(realdata, props, truth, gm):
    rows = _gm_rows(kwb_rows(realdata, typed=True, titles=True), gm)
    kc = normalize_kerncijfers(rows, props)
    gem = kc[kc.level == "gemeente"].iloc[0]
    exp = truth[gm]["kwb2024_85984NED"]
    assert gem.code == gm
    assert gem.naam == truth[gm]["name"]
    assert gem.aantal_inwoners == exp["AantalInwoners_5"]
    assert gem.woningvoorraad == exp["Woningvoorraad_35"]
    assert gem.oppervlakte_land_in_ha == exp["OppervlakteLand_123"]
    wijken = kc[kc.level == "wijk"]
    assert len(wijken) == {"GM0772": 20, "GM0392": 21, "GM0014": 20, "GM0758": 11}[gm]
    if "wijken" in exp:
        got = dict(zip(wijken.code, wijken.aantal_inwoners, strict=True))
        assert got == {k: v["AantalInwoners_5"] for k, v in exp["wijken"].items()}
    assert (kc.code.str.len() == kc.code.str.strip().str.len()).all()  # stripped


def test_untyped_strings_and_missing(realdata, props, truth):
    rows = _gm_rows(kwb_rows(realdata, typed=False), "GM0772")
    assert rows[0]["AantalInwoners_5"] == "  246417"  # UntypedDataSet: left-padded string
    rows[1]["Mannen_6"] = ""
    rows[2]["Vrouwen_7"] = None
    rows[3]["Woningvoorraad_35"] = "-99997"
    kc = normalize_kerncijfers(rows, props).set_index("code")
    assert kc.loc["GM0772", "aantal_inwoners"] == 246417
    assert math.isnan(kc.loc[rows[1]["Codering_3"].strip(), "mannen"])
    assert math.isnan(kc.loc[rows[2]["Codering_3"].strip(), "vrouwen"])
    assert math.isnan(kc.loc[rows[3]["Codering_3"].strip(), "woningvoorraad"])
    # the WijkenEnBuurten key (not a title) is not taken as a name
    assert kc.loc["GM0772", "naam"] is None


def test_real_nulls_stay_nan_not_zero(realdata, props):
    kc = normalize_kerncijfers(kwb_rows(realdata), props)
    # MANIFEST: 37 nulls for Bevolkingsdichtheid_34, 3 for Woningvoorraad_35
    assert kc.bevolkingsdichtheid_inwoners_per_km2.isna().sum() == 37
    assert kc.woningvoorraad.isna().sum() == 3
    assert len(kc) == 3735
    assert set(kc.level) == {"gemeente", "wijk"}


def test_alphanumeric_codes_and_nederland(realdata, props):
    kc = normalize_kerncijfers(kwb_rows(realdata), props)
    assert "WK0363AA" in set(kc.code)
    nl = normalize_kerncijfers(
        [{"WijkenEnBuurten": "Nederland", "Codering_3": "NL00      ", "AantalInwoners_5": 1}],
        props,
    )
    assert nl.iloc[0][["code", "level", "naam"]].tolist() == ["NL00", "nederland", "Nederland"]


def test_bad_code_names_the_row(props):
    with pytest.raises(DataValidationError, match="Kerncijfers-rij 7"):
        normalize_kerncijfers([{"ID": 7, "WijkenEnBuurten": "x", "Codering_3": "XX12"}], props)


def test_metadata_from_data_properties(props):
    meta = kerncijfers_metadata(props)
    assert len(meta) == 128
    assert meta["aantal_inwoners"] == {
        "key": "AantalInwoners_5",
        "title": "Aantal inwoners",
        "description": "",
        "unit": "aantal",
        "decimals": 0,
        "datatype": "Long",
    }
    assert meta["gemiddelde_huishoudsgrootte"]["decimals"] == 1
    assert meta["bevolkingsdichtheid_inwoners_per_km2"]["unit"] == "aantal inwoners per km²"
