"""Package-level promises: light import, explicit API, CLI error handling."""

from __future__ import annotations

import subprocess
import sys

import pytest

import wijkgeo
from wijkgeo import cli


def test_import_is_light():
    code = (
        "import sys, wijkgeo; "
        "mods = ('geopandas', 'folium', 'requests', 'cbsodata', 'pyogrio'); "
        "heavy = [m for m in mods if m in sys.modules]; "
        "print(','.join(heavy))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_public_api_resolves():
    for name in wijkgeo.__all__:
        assert getattr(wijkgeo, name) is not None, name


def test_unknown_attribute():
    with pytest.raises(AttributeError):
        wijkgeo.does_not_exist  # noqa: B018


def test_cli_without_command_is_usage_error(capsys):
    assert cli.main([]) == cli.EXIT_USAGE


def test_cli_maps_wijkgeo_errors_to_exit_codes_without_traceback(capsys, monkeypatch):
    def boom(args):
        raise wijkgeo.SourceError("CBS gaf een fout", url="http://127.0.0.1/x", status=503)

    parser = cli.build_parser()
    monkeypatch.setattr(cli, "build_parser", lambda: parser)
    sub = next(a for a in parser._actions if a.dest == "command")
    sub.choices["demo"].set_defaults(_run=boom)
    assert cli.main(["demo"]) == cli.EXIT_SOURCE
    err = capsys.readouterr().err
    assert "503" in err and "Traceback" not in err


def test_cli_not_in_store_is_a_usage_error_with_the_fix(capsys, tmp_path):
    code = cli.main(["export", "GM0772", "--jaar", "2024", "--store", str(tmp_path)])
    assert code == cli.EXIT_USAGE
    err = capsys.readouterr().err
    assert "wijkgeo refresh GM0772 --jaar 2024" in err and "Traceback" not in err


def test_environment_variables_are_read_in_one_module():
    from pathlib import Path

    package = Path(wijkgeo.__file__).parent
    readers = sorted(
        str(p.relative_to(package))
        for p in package.rglob("*.py")
        if any(w in p.read_text(encoding="utf-8") for w in ("os.environ", "getenv("))
    )
    assert readers == ["settings.py"]


def test_settings_fall_back_to_defaults_on_bad_values(caplog):
    from wijkgeo import settings

    assert settings.get("http_retries", environ={"WIJKGEO_HTTP_RETRIES": "twee"}) == 4
    assert "WIJKGEO_HTTP_RETRIES" in caplog.text
    assert settings.get("store", environ={"WIJKGEO_STORE": "~/x"}).name == "x"
    assert settings.get("cbs_url", environ={}) is None  # the catalog gives the host


def test_atlas_methods_are_facades_with_the_exact_signature():
    """Each Atlas method calls one analysis function with its exact parameters and return
    type (the layer test allows exactly these upward imports)."""
    import inspect
    import typing

    from wijkgeo.atlas import Atlas
    from wijkgeo.grid.layer import atlas_grid
    from wijkgeo.indicators import add_indicators
    from wijkgeo.koppelkansen.evaluate import evaluate

    for method, func in (
        (Atlas.indicators, add_indicators),
        (Atlas.grid, atlas_grid),
        (Atlas.koppelkansen, evaluate),
    ):
        ours = list(inspect.signature(method).parameters.values())[1:]
        theirs = list(inspect.signature(func).parameters.values())[1:]
        assert [(p.name, p.kind, p.default) for p in ours] == [
            (p.name, p.kind, p.default) for p in theirs
        ], method.__name__
        assert str(inspect.signature(method).return_annotation) == str(
            inspect.signature(func).return_annotation
        ), method.__name__
    assert typing.get_type_hints  # annotations are strings; compared as written above
    atlas = wijkgeo.make_demo()
    assert "aandeel_65_plus" in atlas.indicators(["aandeel_65_plus"]).columns
    assert len(atlas.koppelkansen().matches) > 0
    cells = atlas.grid(500, ["aantal_inwoners"])
    assert {"celcode", "aantal_inwoners_uit_buurten"} <= set(cells.columns)
