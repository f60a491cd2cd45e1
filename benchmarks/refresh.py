"""Cold refresh versus no-op refresh against the local replay server.

Starts pytest-httpserver's HTTPServer directly (no pytest), replays the real CBS/PDOK files
of ``../shared/realdata`` (``tests/replay.py``), refreshes several gemeenten into an empty
store, then refreshes again with nothing changed, and prints requests, bytes and time of
both runs and their ratios from this one run.

Usage::

    .venv/bin/python benchmarks/refresh.py [GM0542 GM0597 ...]

``WIJKGEO_REALDATA`` points at the real-data folder (default ``../shared/realdata``).
Vierkantstatistieken are left out (the replay has no grid downloads).
"""

from __future__ import annotations

import logging
import os
import re
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

import replay as replay_module  # noqa: E402
from pytest_httpserver import HTTPServer  # noqa: E402

from wijkgeo.refresh import refresh  # noqa: E402

GEMEENTEN = ["GM0542", "GM0597", "GM0556", "GM0613", "GM0622", "GM0489"]
DATA = ("TypedDataSet", "UntypedDataSet", "DataProperties", "WijkenEnBuurten", "/items")


def main(codes: list[str]) -> None:
    realdata = Path(os.environ.get("WIJKGEO_REALDATA") or ROOT.parent / "shared" / "realdata")
    if not (realdata / "MANIFEST.md").is_file():
        sys.exit(f"real-data folder not found at {realdata}; set WIJKGEO_REALDATA")
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    server = HTTPServer()
    server.start()
    log: list[tuple[str, str, int, int]] = []
    try:
        rep = replay_module.Replay(server=server, realdata=realdata)
        rep.cbs = rep.pdok = True

        def handler(request):
            response = rep.handle(request)
            size = 0 if request.method == "HEAD" else len(response.get_data())
            log.append((request.method, request.path, response.status_code, size))
            return response

        server.expect_request(re.compile(r".*")).respond_with_handler(handler)
        url = rep.base_url
        os.environ["WIJKGEO_CBS_DOWNLOAD_URL"] = url
        with tempfile.TemporaryDirectory() as store:
            runs = {}
            for name in ("cold", "no-op"):
                log.clear()
                t0 = time.perf_counter()
                results = refresh(
                    codes,
                    2024,
                    store=store,
                    cbs_url=url,
                    pdok_url=url,
                    vierkanten=False,
                    progress=False,
                )
                elapsed = time.perf_counter() - t0
                data = [r for r in log if r[0] == "GET" and any(p in r[1] for p in DATA)]
                runs[name] = {
                    "requests": len(log),
                    "data": len(data),
                    "bytes": sum(r[3] for r in log),
                    "time": elapsed,
                    "statuses": sorted({r.status for r in results}),
                }
    finally:
        server.stop()
    cold, noop = runs["cold"], runs["no-op"]
    print(f"{len(codes)} gemeenten ({', '.join(codes)}), KWB 2024, replay server on 127.0.0.1")
    for name, r in runs.items():
        print(
            f"{name:>5}: {r['requests']:3d} requests ({r['data']:2d} data), "
            f"{r['bytes'] / 1e6:6.2f} MB, {r['time']:5.2f} s  -> {', '.join(r['statuses'])}"
        )
    print(
        f"ratio cold/no-op: requests {cold['requests'] / max(noop['requests'], 1):.1f}x, "
        f"data requests {cold['data']} vs {noop['data']}, "
        f"bytes {cold['bytes'] / max(noop['bytes'], 1):.0f}x, "
        f"time {cold['time'] / max(noop['time'], 1e-9):.1f}x"
    )


if __name__ == "__main__":
    main([a.upper() for a in sys.argv[1:]] or GEMEENTEN)
