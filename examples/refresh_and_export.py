"""Keep a store current with `refresh`, then export a gemeente for Excel.

With internet access the real CBS and PDOK services are the default::

    from wijkgeo.refresh import refresh
    from wijkgeo.export import export
    refresh(["GM0772"], 2024)                 # cold: downloads; later runs: no-op if unchanged
    export("GM0772", 2024, "csv")             # GM0772_2024.csv, Dutch Excel dialect

This script runs offline: it starts wijkgeo's local stand-in for CBS and PDOK serving the
demo gemeente Demodam (GM9999) in the real services' envelopes, and points refresh at it
(as you would at a proxy or mirror: ``cbs_url=``/``pdok_url=`` or WIJKGEO_CBS_URL/
WIJKGEO_PDOK_URL). The store is a temporary folder, so your own store is not touched.
"""

import tempfile
from pathlib import Path

from wijkgeo.demo.server import DemoServer
from wijkgeo.export import export
from wijkgeo.refresh import exit_code, refresh

GEMEENTE, YEAR = "GM9999", 2024

with DemoServer() as server, tempfile.TemporaryDirectory() as store:
    # nederland=False: the stand-in serves Demodam, not the whole country, so the national
    # reference that every refresh brings along would be refused (with a warning)
    sources = dict(cbs_url=server.url, pdok_url=server.url, vierkanten=False, nederland=False)
    for run in ("eerste keer", "nogmaals"):
        before = len(server.requests)
        results = refresh([GEMEENTE], YEAR, store=store, **sources)
        asked = server.requests[before:]
        data = [r for r in asked if r[0] == "GET" and "TableInfos" not in r[1]]
        print(f"refresh ({run}): exitcode {exit_code(results)}")
        for result in results:
            print("  " + result.message())
        print(f"  {len(asked)} verzoeken aan de bron, waarvan {len(data)} met gegevens")

    path = export(GEMEENTE, YEAR, "csv", Path.cwd() / f"{GEMEENTE}_{YEAR}.csv", store=store)

print(f"\nExport: {path}")
with open(path, encoding="utf-8-sig") as fh:
    for line in fh.readlines()[:4]:
        print("  " + line.rstrip()[:120])
