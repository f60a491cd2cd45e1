"""Generated documentation stays in sync with the registry; the `indicators` CLI command."""

from __future__ import annotations

import json
from pathlib import Path

from wijkgeo import cli
from wijkgeo.indicators import list_indicators
from wijkgeo.indicators.docs import DEFAULT_PATH, describe_formula, main, render_markdown

ROOT = Path(__file__).resolve().parents[1]


def test_docs_file_is_up_to_date():
    path = ROOT / "docs" / "indicatoren.md"
    assert path == DEFAULT_PATH
    assert path.read_text(encoding="utf-8") == render_markdown(), (
        "docs/indicatoren.md is verouderd: draai `python -m wijkgeo.indicators.docs`"
    )


def test_docs_contain_every_indicator_with_label_unit_and_caveat():
    text = render_markdown()
    for ind in list_indicators():
        assert f"### {ind.label} (`{ind.key}`)" in text
        if ind.caveats:
            assert ind.caveats.replace("|", "\\|") in text
    assert "## Veiligheid" in text and "Niet beschikbaar" in text


def test_docs_main_writes_the_file(tmp_path):
    target = tmp_path / "out.md"
    assert main([str(target)]) == 0
    assert target.read_text(encoding="utf-8") == render_markdown()


def test_describe_formula_in_dutch():
    assert describe_formula(
        {
            "op": "points_in_area",
            "layer": "bewonersinitiatieven",
            "where": {"status": ["actief"]},
            "per": "aantal_inwoners",
            "scale": 1000,
        }
    ) == (
        "aantal punten van lokale laag `bewonersinitiatieven` (alleen waar `status` is 'actief') "
        "binnen het gebied, gedeeld door `aantal_inwoners` × 1.000"
    )


def test_cli_lists_the_registry_in_dutch(capsys):
    assert cli.main(["indicators"]) == 0
    out = capsys.readouterr().out
    header = out.splitlines()[0].split()
    assert header == ["sleutel", "indicator", "eenheid", "thema"]
    assert "aandeel_65_plus" in out and "Inwoners van 65 jaar en ouder" in out
    assert f"{len(list_indicators())} indicatoren" in out


def test_cli_json_interface(capsys):
    assert cli.main(["indicators", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert len(data) == len(list_indicators()) >= 30
    for item in data:
        for field in ("key", "label", "unit", "description", "direction", "source"):
            assert isinstance(item[field], str) and item[field], field
    by_key = {d["key"]: d for d in data}
    assert by_key["gemiddelde_woz_waarde"]["unit"] == "x 1.000 euro"
    assert by_key["afstand_huisarts"]["direction"] == "hoger_is_slechter"


def test_cli_theme_filter_and_bad_theme(capsys):
    assert cli.main(["indicators", "--json", "--thema", "energie"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert {d["theme"] for d in data} == {"energie"}
    assert cli.main(["indicators", "--thema", "bestaat_niet"]) == cli.EXIT_USAGE
    assert "Onbekend thema" in capsys.readouterr().err
