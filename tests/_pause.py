"""Stop a wijkgeo writer just before its commit rename, from outside the library.

Used by the crash tests: a subprocess runs ``python tests/_pause.py FLAG SECONDS -- ARGS``,
which wraps :func:`wijkgeo.store._commit` so that the writer creates ``FLAG`` and waits
``SECONDS`` (or until ``FLAG.go`` exists) just before the rename, then runs ``wijkgeo ARGS``
(or, with ``--code``, the Python code in ARGS[0]). The test kills it there (SIGKILL)
or lets it go on.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path


def install(flag: str | Path, seconds: float) -> None:
    """Make every store commit in this process announce itself in ``flag`` and pause."""
    from wijkgeo import store

    real = store._commit

    def paused(tmp: Path, target: Path) -> None:
        Path(flag).write_text(str(os.getpid()))
        go = Path(f"{flag}.go")  # the test may release the writer early by creating it
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline and not go.exists():
            time.sleep(0.02)
        real(tmp, target)

    store._commit = paused


def command(flag: str | Path, *args: str, seconds: float = 30, code: bool = False) -> list[str]:
    """The argv that runs ``wijkgeo ARGS`` (or Python ``code``) with the pause installed."""
    mode = ["--code"] if code else []
    return [sys.executable, __file__, str(flag), str(seconds), *mode, "--", *map(str, args)]


if __name__ == "__main__":
    flag, seconds, *rest = sys.argv[1:]
    code = rest[0] == "--code"
    args = rest[rest.index("--") + 1 :]
    install(flag, float(seconds))
    if code:
        exec(compile(args[0], "<paused>", "exec"), {"__name__": "__paused__"})
        sys.exit(0)
    from wijkgeo.cli import main

    sys.exit(main(args))
