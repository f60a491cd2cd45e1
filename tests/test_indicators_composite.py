"""Composite index and the sensitivity of its ranking, on a constructed case with known answers."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from wijkgeo import ConfigError
from wijkgeo.indicators import composite_index, load_weights, sensitivity

# A is best on huisarts distance, C is best on supermarket distance, B is in between.
V = pd.DataFrame(
    {"afstand_huisarts": [0.5, 1.0, 1.5], "afstand_supermarkt": [1.5, 1.0, 0.5]},
    index=["A", "B", "C"],
)


def test_composite_known_values():
    s = composite_index(V, {"afstand_huisarts": 2, "afstand_supermarkt": 1})
    z = np.sqrt(1.5)  # z-score of the extremes (ddof 0)
    # lower distance is better, so A scores (2*z - z)/3
    assert s.tolist() == pytest.approx([z / 3, 0.0, -z / 3])
    assert s.name == "samengestelde_index"
    assert s.index.equals(V.index)


def test_sensitivity_known_rank_movements():
    rep = sensitivity(V, {"afstand_huisarts": 2, "afstand_supermarkt": 1})
    r = rep.ranks
    assert r["basis"].tolist() == [1, 2, 3]
    # equal weights: the two indicators cancel exactly, everyone ties at rank 1
    assert r["gelijke gewichten"].tolist() == [1, 1, 1]
    # huisarts -50% makes the weights equal too (1 : 1)
    assert r["afstand_huisarts -50%"].tolist() == [1, 1, 1]
    # supermarkt +50% (2 : 1.5) still favours huisarts
    assert r["afstand_supermarkt +50%"].tolist() == [1, 2, 3]
    # huisarts +50% and supermarkt -50% keep the basis order
    assert r["afstand_huisarts +50%"].tolist() == [1, 2, 3]
    assert r["afstand_supermarkt -50%"].tolist() == [1, 2, 3]
    # leaving huisarts out reverses the ranking; leaving supermarkt out keeps it
    assert r["zonder afstand_huisarts"].tolist() == [3, 2, 1]
    assert r["zonder afstand_supermarkt"].tolist() == [1, 2, 3]
    s = rep.summary
    assert s.loc["zonder afstand_huisarts", "rangcorrelatie"] == pytest.approx(-1.0)
    assert s.loc["zonder afstand_huisarts", "max_verschuiving"] == 2
    assert s.loc["basis", "gemiddelde_verschuiving"] == 0
    assert rep.per_area.loc["C", "rang_min"] == 1 and rep.per_area.loc["C", "rang_max"] == 3
    # B ties at 1 under equal weights: one place up
    assert rep.per_area["max_verschuiving"].tolist() == [2, 1, 2]
    text = rep.to_text()
    assert "zonder afstand_huisarts" in text and "A: rang 1 in de basis" in text


def test_missing_input_gives_no_index_not_a_reweighted_one():
    v = V.copy()
    v.loc["B", "afstand_supermarkt"] = np.nan
    s = composite_index(v, {"afstand_huisarts": 1, "afstand_supermarkt": 1})
    assert np.isnan(s["B"]) and s[["A", "C"]].notna().all()


def test_weights_from_json_and_toml(tmp_path):
    (tmp_path / "w.json").write_text(
        '{"gewichten": {"afstand_huisarts": 2, "aandeel_65_plus": '
        '{"gewicht": 1, "richting": "hoger_is_slechter"}}}',
        encoding="utf-8",
    )
    (tmp_path / "w.toml").write_text(
        "[gewichten]\nafstand_huisarts = 2\n"
        'aandeel_65_plus = { gewicht = 1, richting = "hoger_is_slechter" }\n',
        encoding="utf-8",
    )
    a = load_weights(tmp_path / "w.json")
    b = load_weights(str(tmp_path / "w.toml"))
    assert a == b
    assert a["aandeel_65_plus"].sign == -1 and a["afstand_huisarts"].weight == 2.0


@pytest.mark.parametrize(
    ("weights", "match"),
    [
        ({"aandeel_65_plus": 1}, "neutraal"),
        ({"afstand_huisarts": -1}, "0 of groter"),
        ({"afstand_huisarts": "veel"}, "geen getal"),
        ({"afstand_huisarts": 0}, "groter dan 0"),
        ({"bestaat_niet": 1}, "Onbekende indicator"),
    ],
)
def test_invalid_weights(weights, match):
    with pytest.raises(ConfigError, match=match):
        load_weights(weights)


def test_invalid_files(tmp_path):
    with pytest.raises(ConfigError, match="bestaat niet"):
        load_weights(tmp_path / "nope.json")
    bad = tmp_path / "bad.toml"
    bad.write_text("gewichten = [", encoding="utf-8")
    with pytest.raises(ConfigError, match="TOML"):
        load_weights(bad)
    with pytest.raises(ConfigError, match="missen"):
        composite_index(V, {"bijstand_per_1000": 1})
