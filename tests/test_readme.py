"""README promises: the two commands come first, and its Python example runs as printed."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_two_commands_are_the_first_commands():
    first_block = re.search(r"```(?:sh|bash|console)?\n(.*?)```", README, re.S)
    assert first_block, "README has no code block"
    commands = [ln.split("#")[0].strip() for ln in first_block.group(1).splitlines() if ln.strip()]
    assert commands == ["make demo", "make test"]
    assert README.index("make demo") < README.index("```python")


def test_python_example_runs(tmp_path, run_script):
    code = re.search(r"```python\n(.*?)```", README, re.S).group(1)
    assert len(code.strip().splitlines()) <= 12, "the README example should stay about ten lines"
    script = tmp_path / "readme_example.py"
    script.write_text(code, encoding="utf-8")
    proc = run_script(script, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "Demodam" in proc.stdout
    assert (tmp_path / "maps" / "demodam.html").stat().st_size > 10_000
    assert (tmp_path / "demodam.gpkg").is_file()


def test_settings_table_in_readme_equals_the_settings_module():
    from wijkgeo import settings

    assert settings.markdown_table() in README, "paste settings.markdown_table() into README"


def _layout_rows() -> list[tuple[str, str]]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## Layout", 1)[1].split("\n## ", 1)[0]
    rows = []
    for line in section.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 3 and cells[1] not in ("path", "---"):
            rows.append((cells[1], cells[2]))
    return rows


def _named_paths(cell: str) -> list[str]:
    """Paths in a table cell: ``wijkgeo/x/`` sets the folder later plain names are relative
    to; a name with a slash is relative to ``wijkgeo/``."""
    out, base = [], ""
    for token in re.findall(r"`([^`]+)`", cell):
        if "<" in token or " " in token or "(" in token:
            continue
        if token.startswith("wijkgeo/"):
            base = token if token.endswith("/") else token.rsplit("/", 1)[0] + "/"
            out.append(token)
        elif "/" in token.rstrip("/") or (token.endswith("/") and base):
            out.append("wijkgeo/" + token)
        elif base:
            out.append(base + token)
        else:
            out.append(token)
    return out


def test_layout_table_matches_the_tree():
    """Every module and package of wijkgeo/ is in the README's layout table, and every
    path the table names exists."""
    rows = _layout_rows()
    assert rows, "README.md has no layout table"
    named = [p for path, _what in rows for p in _named_paths(path)]
    missing = [p for p in named if not (ROOT / p.rstrip("/")).exists()]
    assert not missing, f"the layout table names paths that do not exist: {missing}"
    table = " ".join(f"{a} {b}" for a, b in rows)
    top = sorted(
        p.name
        for p in (ROOT / "wijkgeo").iterdir()
        if p.name != "__init__.py"
        and not p.name.startswith((".", "__pycache__"))
        and (p.suffix == ".py" or (p.is_dir() and (p / "__init__.py").exists()))
    )
    absent = [n for n in top if f"`{n}" not in table and f"{n}/`" not in table
              and f"/{n}`" not in table and f"/{n}/`" not in table]
    assert not absent, f"give these a row in the README's layout table: {absent}"
