"""The indicator registry: complete, valid, Dutch, and formatted the Dutch way."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from wijkgeo import ConfigError
from wijkgeo.indicators import (
    DIRECTIONS,
    format_number,
    format_value,
    get_indicator,
    list_indicators,
    registry,
    themes,
)

ROOT = Path(__file__).resolve().parents[1]


def test_registry_has_at_least_30_indicators_over_the_required_themes():
    reg = registry()
    assert len(reg) >= 30
    by_theme = {t: [i for i in reg.values() if i.theme == t] for t in themes()}
    for theme in ("bevolking", "wonen", "inkomen", "energie", "voorzieningen", "sociaal"):
        assert len(by_theme[theme]) >= 2, theme
    # assets, not only deficits
    assert sum(i.kind == "kracht" for i in reg.values()) >= 6


def test_every_indicator_is_fully_documented():
    for ind in list_indicators():
        assert ind.label and ind.description and ind.unit and ind.source and ind.year, ind.key
        assert ind.direction in DIRECTIONS
        assert ind.classification.k >= 2
        assert ind.description.endswith("."), ind.key
        assert ind.key.isidentifier() and ind.key == ind.key.lower()


def _canonical_names(realdata) -> set[str]:
    """Our canonical KWB names plus the PDOK Wijk- en Buurtkaart 2024 property names."""
    kwb = json.loads((ROOT / "wijkgeo/sources/kwb_columns.json").read_text(encoding="utf-8"))
    names: set[str] = set()
    for value in kwb["columns"].values():
        names.update([value] if isinstance(value, str) else value)
    pdok = realdata / "pdok" / "gpkg2024_buurten_property_names.txt"
    names.update(pdok.read_text(encoding="utf-8").split())
    return names


@pytest.mark.realdata
def test_formula_columns_are_canonical_names(realdata):
    """Formula inputs are PDOK snake_case names or our canonical KWB names, nothing invented."""
    canonical = _canonical_names(realdata)
    for ind in list_indicators():
        for col in ind.columns:
            assert col in canonical, (ind.key, col)


@pytest.mark.realdata
def test_indicator_keys_do_not_shadow_source_columns(realdata):
    assert not _canonical_names(realdata) & set(registry())


def test_get_indicator_unknown_key_suggests():
    with pytest.raises(ConfigError, match="aandeel_65_plus"):
        get_indicator("aandeel_65plus")


def test_indicator_is_frozen_and_formula_read_only():
    ind = get_indicator("aandeel_65_plus")
    with pytest.raises(AttributeError):
        ind.label = "x"  # type: ignore[misc]
    with pytest.raises(TypeError):
        ind.formula[0]["op"] = "x"  # type: ignore[index]
    # counts first, the published percentage as fallback
    assert [a["op"] for a in ind.formula] == ["ratio", "column"]
    assert ind.formula[1]["column"] == "percentage_personen_65_jaar_en_ouder"


@pytest.mark.parametrize(
    ("key", "value", "expected"),
    [
        ("aandeel_65_plus", 23.456, "23%"),
        ("gemiddelde_woz_waarde", 1387, "€ 1.387.000"),  # an amount, not "x 1.000 euro"
        ("afstand_huisarts", 0.84, "0,8 km"),
        ("bijstand_per_1000", 1234.56, "1.234,6 per 1.000 inwoners"),
        ("aardgasverbruik", 1130, "1.130 m³"),
        ("planjaar_aardgasvrij", 2030.0, "2030"),
        ("inwoners", float("nan"), "geen gegevens"),
        ("inwoners", None, "geen gegevens"),
    ],
)
def test_format_value_dutch(key, value, expected):
    assert format_value(key, value) == expected


def test_format_number():
    assert format_number(-1234.5, 1) == "-1.234,5"
    assert format_number(-0.01, 1) == "0,0"
    assert format_number(math.pi, 3) == "3,142"


@pytest.mark.parametrize(
    ("change", "match"),
    [
        ({"direction": "omhoog"}, "direction"),
        ({"formula": [{"op": "eval", "expr": "__import__('os')"}]}, "formule-operatie"),
        ({"formula": [{"op": "ratio", "numerator": "a"}]}, "mist"),
        ({"classification": {"scheme": "quantiles", "k": 1}}, "classification"),
        ({"theme": "sport"}, "thema"),
    ],
)
def test_malformed_registry_entries_are_refused(change, match):
    from wijkgeo.indicators.registry import _parse

    entry = get_indicator("aandeel_65_plus").to_dict()
    entry.update(change)
    with pytest.raises(ConfigError, match=match) as err:
        _parse(entry, 0, themes())
    assert "aandeel_65_plus" in str(err.value) and "registry.json" in str(err.value)
