"""The command line speaks Dutch (argparse too), -q is silent when nothing changed, and a
missing optional part is a Dutch message with a non-zero exit."""

from __future__ import annotations

import argparse
import gettext
import sys
from pathlib import Path

import pytest

import wijkgeo
from wijkgeo import cli
from wijkgeo.store import Store

ENGLISH = ("usage:", "options:", "positional arguments", "show this help", "error:", "required")


def _subparsers() -> dict[str, argparse.ArgumentParser]:
    parser = cli.build_parser()
    (sub,) = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    return dict(sub.choices)


def test_every_help_is_dutch_with_an_example():
    assert "gebruik: wijkgeo" in cli.build_parser().format_help()
    for name, parser in _subparsers().items():
        text = parser.format_help()
        assert text.startswith("gebruik: wijkgeo " + name), name
        assert "opties:" in text and "toon deze hulp en stop" in text, name
        assert not [w for w in ENGLISH if w in text], (name, text)
        assert "Voorbeeld" in text, name  # every command shows how it is used


@pytest.mark.parametrize(
    ("argv", "dutch"),
    [
        (["refresh"], "een van de argumenten --jaar --jaren is verplicht"),
        (["export", "GM0599", "--jaar", "x"], "ongeldige waarde 'x': verwacht een geheel getal"),
        (["export", "GM0599", "--jaar", "2024", "--format", "pdf"], "ongeldige keuze: 'pdf'"),
        (["status", "--onzin"], "onbekende argumenten: --onzin"),
        (["frobnicate"], "ongeldige keuze: 'frobnicate'"),
    ],
)
def test_argparse_messages_are_dutch(argv, dutch, capsys):
    with pytest.raises(SystemExit) as exc:
        cli.main(argv)
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert dutch in err and "gebruik: wijkgeo" in err and ": fout: " in err
    assert not [w for w in ENGLISH if w in err], err
    # argparse itself is left as it was: other programs in this process keep English
    assert argparse._ is gettext.gettext
    assert "usage:" in argparse.ArgumentParser(prog="x").format_usage()


def test_quiet_repeat_prints_nothing(tmp_path, capsys):
    store = tmp_path / "store"
    Store(store).write_atlas(wijkgeo.make_demo())
    base = ["-q", "koppelkansen", "GM9999", "--jaar", "2024", "--store", str(store)]
    target = tmp_path / "kansen.csv"
    for _ in range(2):
        assert cli.main([*base, "--uitvoer", str(target)]) == 0
        assert capsys.readouterr() == ("", "")
    # a BOM first, like every other Dutch CSV wijkgeo writes (Excel reads it as UTF-8)
    assert target.read_text(encoding="utf-8").startswith("\ufeffniveau;")
    # without -q the same run says where it wrote, and the skipped rules are log lines
    assert cli.main([*base[1:], "--uitvoer", str(target)]) == 0
    assert str(target.resolve()) in capsys.readouterr().out
    # what the user asked to see still prints with -q
    assert cli.main(base) == 0
    assert capsys.readouterr().out.startswith("niveau;")
    exported = tmp_path / "e.xlsx"
    argv = ["-q", "export", "GM9999", "--jaar", "2024", "--store", str(store)]
    assert cli.main([*argv, "--uitvoer", str(exported)]) == 0
    assert capsys.readouterr() == ("", "") and exported.is_file()


@pytest.mark.realdata
@pytest.mark.slow
def test_quiet_repeated_import_prints_nothing(realdata, tmp_path, capfd):
    from _wijkbuurtkaart import build_wijkbuurtkaart

    gpkg = build_wijkbuurtkaart(realdata, tmp_path / "wbk.gpkg", gemeenten=["GM0542"])
    argv = ["-q", "import", str(gpkg), "--gemeente", "GM0542", "--jaar", "2024"]
    for _ in range(2):
        assert cli.main([*argv, "--store", str(tmp_path / "store")]) == 0
        assert capfd.readouterr() == ("", "")


@pytest.mark.realdata
@pytest.mark.slow
def test_quiet_unchanged_refresh_prints_nothing(httpserver, realdata, monkeypatch, tmp_path, capfd):
    from test_refresh import make_server

    make_server(httpserver, realdata, monkeypatch)
    argv = ["-q", "refresh", "GM0542", "--jaar", "2024", "--zonder-vierkanten"]
    assert cli.main([*argv, "--store", str(tmp_path)]) == 0
    capfd.readouterr()
    assert cli.main([*argv, "--store", str(tmp_path)]) == 0  # nothing changed
    assert capfd.readouterr() == ("", "")


def test_png_without_matplotlib_is_a_dutch_message(tmp_path, monkeypatch, capsys):
    store = tmp_path / "store"
    Store(store).write_atlas(wijkgeo.make_demo())
    for name in [m for m in sys.modules if m == "matplotlib" or m.startswith("matplotlib.")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # import matplotlib -> ImportError
    argv = ["map", "GM9999", "--jaar", "2024", "--png", "aandeel_65_plus", "--store", str(store)]
    assert cli.main([*argv, "--uitvoer", str(tmp_path / "p.png")]) == 2
    err = capsys.readouterr().err
    assert "matplotlib" in err and "wijkgeo[png]" in err and "Traceback" not in err
    assert not (tmp_path / "p.png").exists()


def test_pdf_without_browser_exits_non_zero(tmp_path, monkeypatch, capsys):
    store = tmp_path / "store"
    Store(store).write_atlas(wijkgeo.make_demo())
    monkeypatch.setitem(sys.modules, "playwright.sync_api", None)
    argv = ["profile", "GM9999", "--jaar", "2024", "--buurt", "WK999902", "--pdf"]
    out = tmp_path / "prof"
    assert cli.main([*argv, "--store", str(store), "--uitvoer", str(out)]) == 2
    err = capsys.readouterr().err
    assert "geen PDF gemaakt" in err and "Playwright" in err and "Traceback" not in err
    assert (out / "WK999902.html").is_file()  # the pages themselves stand


def test_demo_data_carry_no_test_payloads():
    package = Path(wijkgeo.__file__).parent
    hostile = ("<img", "onerror", "<script", "javascript:", "alert(")
    for path in (package / "demo").rglob("*"):
        if path.suffix in (".py", ".json", ".csv", ".geojson", ".toml"):
            body = path.read_text(encoding="utf-8")
            assert not [h for h in hostile if h in body], path
    atlas = wijkgeo.make_demo()
    for frame in [atlas.buurten, atlas.wijken, *(atlas.local or {}).values()]:
        if frame is None or "naam" not in getattr(frame, "columns", ()):
            continue
        names = " ".join(frame["naam"].astype(str))
        assert not [h for h in hostile if h in names]


def test_no_shipped_file_points_outside_the_package():
    """A pip-installed wijkgeo has no docs/ folder: data files, templates and the CLI's help
    must not send a reader to a document that does not ship."""
    import re

    package = Path(wijkgeo.__file__).parent
    outside = re.compile(r"(\.\./|\bdocs/|/work/)[\w./-]*\.md|\.\./shared")
    shipped = [
        p
        for p in package.rglob("*")
        if p.suffix in (".toml", ".json", ".j2", ".css", ".js") and "vendor" not in p.parts
    ]
    assert len(shipped) > 10
    for path in shipped:
        found = outside.findall(path.read_text(encoding="utf-8"))
        assert not found, (path.relative_to(package), found)
    for parser in _subparsers().values():
        assert not outside.findall(parser.format_help())
