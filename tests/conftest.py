"""Shared test fixtures.

Real data
    Tests that need the real CBS/PDOK files use the ``realdata`` fixture. It reads
    ``$WIJKGEO_REALDATA`` (``.ci/run`` sets it) and falls back to ``../shared/realdata``
    beside the repository. When the variable is set, or ``CI=true``, and the folder is
    missing, the test FAILS; only on a developer machine without the folder does it skip.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

# The local replay servers (pytest-httpserver, i.e. werkzeug) log every request at INFO. Whether
# werkzeug attaches its own stderr handler depends on which test logged first, so a test that
# asserts a quiet CLI (``-q`` prints nothing) saw the server's lines after some other tests.
# Those lines are the test server's, never wijkgeo's: keep them out of every test's output.
logging.getLogger("werkzeug").setLevel(logging.WARNING)


def _strict() -> bool:
    return bool(os.environ.get("WIJKGEO_REALDATA")) or os.environ.get("CI", "").lower() == "true"


@pytest.fixture(scope="session")
def realdata() -> Path:
    """Path of the real-data folder (``../shared/realdata``)."""
    path = Path(os.environ.get("WIJKGEO_REALDATA") or ROOT.parent / "shared" / "realdata")
    if not (path / "MANIFEST.md").is_file():
        msg = (
            f"real-data folder not found at {path}; set WIJKGEO_REALDATA to the shared "
            "realdata folder"
        )
        if _strict():
            pytest.fail(msg)
        pytest.skip(msg)
    return path


@pytest.fixture(autouse=True)
def _isolated_store(tmp_path_factory, monkeypatch):
    """Every test gets its own empty store, never the user's real one."""
    store = tmp_path_factory.mktemp("store")
    monkeypatch.setenv("WIJKGEO_STORE", str(store))
    return store


@pytest.fixture
def run_script(_isolated_store):
    """Run a Python file in a fresh interpreter with the isolated store; return the process."""
    import subprocess
    import sys

    def run(script: Path, cwd: Path, timeout: float = 300) -> subprocess.CompletedProcess:
        env = {**os.environ, "WIJKGEO_STORE": str(_isolated_store), "MPLBACKEND": "Agg"}
        return subprocess.run(
            [sys.executable, str(script)],
            cwd=cwd,
            env=env,
            capture_output=True,
            text=True,
            timeout=timeout,
        )

    return run
