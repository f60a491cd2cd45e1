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
