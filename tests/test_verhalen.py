"""Verhalen (stories) and initiative results as local layers: places, themes, personal data."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from wijkgeo._errors import DataValidationError
from wijkgeo.cli import main
from wijkgeo.sources.local import check_local_layers, read_local_layers
from wijkgeo.sources.local.personal import personal_in_text

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "data_sources" / "demo"
HEADER = "id,datum,thema,bron,tekst,gaat_over,buurtcode,wijkcode,x,y\n"


def _folder(tmp_path: Path, rows: str) -> Path:
    folder = tmp_path / "lagen"
    folder.mkdir()
    (folder / "verhalen.csv").write_text(HEADER + rows, encoding="utf-8")
    spec = {
        "gemeente": "GM9999",
        "lagen": {
            "verhalen": {
                "bestand": "verhalen.csv",
                "type": "verhalen",
                "x": "x",
                "y": "y",
                "crs": "EPSG:28992",
                "buurtcode": "buurtcode",
                "wijkcode": "wijkcode",
            }
        },
    }
    (folder / "lagen.json").write_text(json.dumps(spec), encoding="utf-8")
    return folder


def test_demo_stories_have_a_point_a_buurt_or_a_wijk():
    layers = read_local_layers(DEMO, gemeente="GM9999")
    v = layers["verhalen"]
    assert v.crs.to_epsg() == 28992
    point = v.geometry.notna()
    assert point.any() and (v["buurtcode"] != "").any() and (v["wijkcode"] != "").any()
    assert ((v["buurtcode"] != "") | (v["wijkcode"] != "") | point).all()
    assert set(v["bron"]) <= {"bewoner", "professional", "wijkschouw", "bewonersavond"}
    assert str(v["datum"].dtype).startswith("datetime64")
    bi = layers["bewonersinitiatieven"]
    done = bi[bi["status"] == "afgerond"]
    assert (done["wat_is_veranderd"] != "").all()
    assert bi["veranderverhaal"].str.startswith("https://").sum() >= 3


@pytest.mark.parametrize(
    ("text", "kind", "secret"),
    [
        ("Bel de buurvrouw op 06-12345678 als er iets is", "telefoonnummer", "12345678"),
        ("Mail naar info.buurt@voorbeeld.nl voor de sleutel", "e-mailadres", "info.buurt"),
        ("Mevrouw Jansen zit veel alleen", "naam", "Jansen"),
        ("De lekkage zit op de Kerkweg 14a", "adres met huisnummer", "Kerkweg 14"),
    ],
)
def test_story_with_personal_data_is_reported_by_check(tmp_path, capsys, text, kind, secret):
    folder = _folder(
        tmp_path,
        f'VH1,2024-05-01,welzijn,bewoner,"{text}",,BU99990201,,,\n'
        "VH2,2024-05-02,wonen,wijkschouw,Veel portieken zijn slecht verlicht,,,WK999902,,\n",
    )
    code = main(["check", str(folder), "--json"])
    out = capsys.readouterr().out
    assert code == 2
    problems = json.loads(out)["problems"]
    hits = [p for p in problems if p["category"] == "personal_data"]
    assert len(hits) == 1 and kind in hits[0]["message"] and hits[0]["row"] == 2
    # the report names what it found, never the data itself
    assert secret not in out
    # lenient reading drops the row, strict reading refuses the layer
    layers, _report = check_local_layers(folder, gemeente="GM9999")
    assert layers["verhalen"]["id"].tolist() == ["VH2"]
    with pytest.raises(DataValidationError, match="persoonsgegevens"):
        read_local_layers(folder, gemeente="GM9999")


def test_story_needs_a_place_and_a_known_theme_and_role(tmp_path):
    folder = _folder(
        tmp_path,
        "VH1,2024-05-01,welzijn,bewoner,Geen plek,,,,,\n"
        "VH2,2024-05-01,geluk,bewoner,Onbekend thema,,BU99990201,,,\n"
        "VH3,2024-05-01,wonen,wethouder,Onbekende bron,,BU99990201,,,\n"
        "VH4,2024-05-01,wonen,bewoner,Andere gemeente,,BU03630001,,,\n"
        "VH5,2024-05-01,milieu,bewoner,Op een punt,,,,70873,544340\n",
    )
    layers, report = check_local_layers(folder, gemeente="GM9999")
    cats = sorted(p.category for p in report.errors)
    assert cats == ["no_place", "not_allowed", "not_allowed", "unknown_code"]
    assert layers["verhalen"]["id"].tolist() == ["VH5"]


def test_initiative_link_must_be_a_web_address(tmp_path):
    folder = tmp_path / "d"
    shutil.copytree(DEMO, folder)
    path = folder / "bewonersinitiatieven.csv"
    lines = path.read_text("utf-8").splitlines()
    lines[1] = lines[1].rsplit(",", 1)[0] + ",javascript:alert(1)"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    _layers, report = check_local_layers(folder, gemeente="GM9999")
    assert [p.category for p in report.errors] == ["bad_link"]


def test_personal_in_text_leaves_ordinary_sentences_alone():
    for text in [
        "Bewoners van de Dorpsstraat klagen over de stoep",
        "Sinds 2021 doen er 35 deelnemers mee",
        "Een bewoner van de buurt vertelde het op de avond",
        "",
    ]:
        assert personal_in_text(text) == []


def test_check_warns_about_a_story_about_an_unknown_indicator(tmp_path, capsys):
    folder = _folder(
        tmp_path, "VH1,2024-05-01,welzijn,bewoner,Veel ouderen alleen,aandeel_65plus,,WK999902,,\n"
    )
    assert main(["check", str(folder), "--json"]) == 0  # a warning, not an error
    problems = json.loads(capsys.readouterr().out)["problems"]
    hit = next(p for p in problems if p["category"] == "unknown_indicator")
    assert "aandeel_65_plus" in hit["hint"] and hit["row"] == 2
