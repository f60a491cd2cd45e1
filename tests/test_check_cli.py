"""`wijkgeo check`: default folder, a folder of folders, JSON output, exit codes, --help."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from wijkgeo.cli import main

ROOT = Path(__file__).resolve().parents[1]


def test_default_is_data_sources_and_clean(monkeypatch, capsys):
    monkeypatch.chdir(ROOT)
    assert main(["-q", "check"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("geen problemen") and "data_sources" in out


def test_folder_of_folders_json_and_exit_2(tmp_path, capsys):
    shutil.copytree(ROOT / "data_sources" / "demo", tmp_path / "goed")
    bad = tmp_path / "fout"
    shutil.copytree(ROOT / "data_sources" / "demo", bad)
    (bad / "lagen.json").write_text('{"lagen": {"a": {"bestand": "a.csv",}}}', encoding="utf-8")
    assert main(["-q", "check", str(tmp_path), "--json"]) == 2
    report = json.loads(capsys.readouterr().out)
    assert report["ok"] is False and report["errors"] == 1
    (problem,) = report["problems"]
    assert problem["category"] == "invalid_json" and problem["row"] == 1
    assert problem["file"].endswith("fout/lagen.json")
    assert any(c.endswith("goed/projecten.geojson") for c in report["checked"])


@pytest.mark.parametrize("what", ["missing", "file", "empty"])
def test_nothing_to_check_is_an_error_without_traceback(tmp_path, capsys, what):
    path = tmp_path / "x"
    if what == "file":
        path.write_text("geen map", encoding="utf-8")
    elif what == "empty":
        path.mkdir()
    assert main(["-q", "check", str(path)]) == 2
    out = capsys.readouterr()
    assert "Traceback" not in out.out + out.err and str(path) in out.out


@pytest.mark.parametrize("command", ["check", "import", "lagen"])
def test_help_is_dutch_with_an_example(command, capsys):
    with pytest.raises(SystemExit):
        main([command, "--help"])
    out = capsys.readouterr().out
    assert "Voorbeeld: wijkgeo " + command in " ".join(out.split())
