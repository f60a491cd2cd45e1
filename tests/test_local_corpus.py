"""The corpus of bad local-layer files: every file gets its error category and row.

Each case in ``tests/data/lokaal_fout/cases.json`` is one bad input file (made by
``maak_corpus.py`` there), read through a one-layer ``lagen.json`` against Demodam. The
report must name the category, the file and the row (spreadsheet row, feature number or
JSON line); ``wijkgeo check`` must exit 2 (0 for warnings only) without a traceback.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from wijkgeo import DataValidationError, make_demo
from wijkgeo.cli import main
from wijkgeo.sources.local import check_local_layers, read_local_layers

CORPUS = Path(__file__).resolve().parent / "data" / "lokaal_fout"
CASES = json.loads((CORPUS / "cases.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def demo():
    return make_demo()


def _folder(case: dict, tmp_path: Path) -> Path:
    folder = tmp_path / "lagen"
    folder.mkdir()
    if case["spec"] is None:  # the bad file is lagen.json itself
        shutil.copy(CORPUS / case["file"], folder / "lagen.json")
        shutil.copy(CORPUS / "a.csv", folder / "a.csv")
    else:
        shutil.copy(CORPUS / case["file"], folder / case["file"])
        shutil.copy(CORPUS / "pc_tabel.csv", folder / "pc_tabel.csv")
        config = {
            "gemeente": "GM9999",
            "jaar": 2024,
            "lagen": {"laag": {"bestand": case["file"], **case["spec"]}},
        }
        (folder / "lagen.json").write_text(json.dumps(config), encoding="utf-8")
    return folder


def test_corpus_is_big_enough():
    assert len(CASES) >= 30
    assert len({c["category"] for c in CASES}) >= 20
    for case in CASES:
        assert (CORPUS / case["file"]).is_file(), case["file"]


@pytest.mark.parametrize("case", CASES, ids=[c["file"] for c in CASES])
def test_bad_file_names_category_file_and_row(case, tmp_path, demo):
    folder = _folder(case, tmp_path)
    _layers, report = check_local_layers(folder, atlas=demo)
    severity = case.get("severity", "fout")
    hits = [p for p in report if p.category == case["category"] and p.severity == severity]
    assert hits, report.to_text()
    hit = [p for p in hits if p.row == case["row"]]
    assert hit, f"expected row {case['row']}:\n{report.to_text()}"
    p = hit[0]
    expected = case.get("in_file") or ("lagen.json" if case["spec"] is None else case["file"])
    assert Path(p.file.split(" [")[0]).name == expected, p.file
    if case.get("column"):
        assert p.column == case["column"], p
    if case.get("hint"):
        assert case["hint"] in p.message + p.hint, p
    text = p.to_text()
    assert (f"{p.unit} {p.row}" in text) if p.row is not None else True
    assert p.message and (p.hint or p.category in ("layer_skipped",)), p


@pytest.mark.parametrize("case", CASES, ids=[c["file"] for c in CASES])
def test_cli_check_exit_code_and_no_traceback(case, tmp_path, capsys):
    folder = _folder(case, tmp_path)
    rc = main(["-q", "check", str(folder)])
    out = capsys.readouterr()
    assert "Traceback" not in out.out + out.err
    errors = case.get("severity", "fout") == "fout"
    assert rc == (2 if errors else 0), out.out
    assert case["file"] in out.out or "lagen.json" in out.out


def test_strict_mode_raises_with_the_report_and_lenient_drops_the_rows(tmp_path, demo):
    case = next(c for c in CASES if c["file"] == "p04_buiten_gemeente.csv")
    folder = _folder(case, tmp_path)
    with pytest.raises(DataValidationError) as info:
        read_local_layers(folder, atlas=demo)
    assert "rij 4" in str(info.value) and "buiten Demodam" in str(info.value)
    assert info.value.report.errors[0].category == "outside_area"
    layers = read_local_layers(folder, atlas=demo, strict=False)
    assert list(layers["laag"]["id"]) == ["A", "B"]  # row 4 dropped, the rest kept
    assert [p.row for p in layers.report.errors] == [4]


def test_strict_message_lists_first_20_and_the_total(tmp_path, demo):
    folder = tmp_path / "veel"
    folder.mkdir()
    rows = "".join(f"P{i},H,casino,68814,545355\n" for i in range(25))
    (folder / "v.csv").write_text("id,naam,categorie,x,y\n" + rows, encoding="utf-8")
    spec = next(c for c in CASES if c["file"] == "p08_niet_toegestaan.csv")["spec"]
    (folder / "lagen.json").write_text(
        json.dumps({"lagen": {"v": {"bestand": "v.csv", **spec}}}), encoding="utf-8"
    )
    with pytest.raises(DataValidationError) as info:
        read_local_layers(folder, atlas=demo)
    msg = str(info.value)
    assert msg.startswith("25 fouten")
    assert "rij 21" in msg and "rij 22" not in msg and "nog 5 fout(en)" in msg
