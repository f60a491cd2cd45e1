"""The RIVM health indicators in the registry: estimates, said so everywhere, with bounds;
and the brede welvaart view that groups every indicator under a CBS theme."""

from __future__ import annotations

import pandas as pd
import pytest

from wijkgeo.indicators import compute, compute_with_reasons, list_indicators
from wijkgeo.indicators.registry import brede_welvaart, get_indicator

REQUIRED = [
    "ervaren_gezondheid_goed",
    "beperkt_gezondheid",
    "risico_angst_depressie",
    "eenzaam",
    "ernstig_eenzaam",
    "emotioneel_eenzaam",
    "mantelzorger",
    "vrijwilligerswerk",
    "moeite_met_rondkomen",
    "overgewicht",
    "regie_eigen_leven",
]


def health() -> list:
    return [
        i
        for i in list_indicators()
        if "RIVM" in i.source or any(a["op"] == "estimate" for a in i.formula)
    ]


def test_every_health_indicator_is_marked_as_a_model_estimate():
    items = health()
    assert len(items) >= 10
    for ind in items:
        assert ind.estimate, ind.key
        assert "Modelschatting" in ind.caveats and "samenstelling van de buurt" in ind.caveats
        assert "schatting" in ind.label, ind.key  # never a bare verdict, wherever a label goes
        assert ind.unit == "%" and ind.bounds and set(ind.bounds) == {"lower", "upper"}
        assert "50090NED" in ind.source and ind.year


@pytest.mark.parametrize("stem", REQUIRED)
def test_the_issue_s_indicators_exist_for_18_and_65_plus(stem):
    for age in ("18plus", "65plus"):
        ind = get_indicator(f"{stem}_{age}")
        assert ind.label.startswith(ind.label.split(",")[0]) and ind.direction


def test_brede_welvaart_groups_every_indicator_under_a_cbs_theme():
    view = brede_welvaart()
    assert list(view) == [
        "welzijn",
        "materiele_welvaart",
        "gezondheid",
        "arbeid_en_vrije_tijd",
        "wonen",
        "samenleving",
        "veiligheid",
        "milieu",
    ]
    grouped = [k for theme in view.values() for k in theme["indicators"]]
    assert sorted(grouped) == sorted(i.key for i in list_indicators())
    assert "eenzaam_65plus" in view["welzijn"]["indicators"]
    assert "mantelzorger_65plus" in view["samenleving"]["indicators"]
    assert "moeite_met_rondkomen_18plus" in view["materiele_welvaart"]["indicators"]
    assert not view["veiligheid"]["indicators"] and view["veiligheid"]["not_at_buurt"]
    assert "Vertrouwen" in view["samenleving"]["not_at_buurt"]


def test_estimates_are_read_by_the_code_of_each_level():
    table = pd.DataFrame(
        {
            "code": ["BU00010001", "WK000100", "GM0001", "NL00"],
            "eenzaam_65plus": [51.0, 48.0, 47.0, 49.5],
        }
    )
    local = {"gezondheid": table}
    buurten = pd.DataFrame(
        {
            "buurtcode": ["BU00010001", "BU00010002"],
            "wijkcode": "WK000100",
            "aantal_inwoners": [900, 800],
        }
    )
    got = compute(buurten, ["eenzaam_65plus"], level="buurt", local=local)
    assert got["eenzaam_65plus"].tolist()[0] == 51.0
    assert pd.isna(got["eenzaam_65plus"].tolist()[1])  # never the wijk's value instead
    wijken = pd.DataFrame({"wijkcode": ["WK000100"], "aantal_inwoners": [1700]})
    assert compute(wijken, ["eenzaam_65plus"], level="wijk", local=local).iloc[0, 0] == 48.0
    nl = pd.DataFrame({"code": ["NL00"], "aantal_inwoners": [17_000_000]})
    assert compute(nl, ["eenzaam_65plus"], level="nederland", local=local).iloc[0, 0] == 49.5
    res = compute_with_reasons(buurten, ["eenzaam_65plus"], level="buurt", local={})
    assert res.reasons["eenzaam_65plus"].iloc[0] == "niet beschikbaar in deze gegevens"
