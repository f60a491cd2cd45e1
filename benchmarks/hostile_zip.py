"""Peak memory of a hostile zipped Shapefile stays proportional to its size (issue 25).

Run ``python benchmarks/hostile_zip.py`` (``--objecten N`` for another size; default
2,000,000 identical squares, a zip of about 15 MB that unpacks to about 300 MB, under
the 100x ratio that was the only check before). It writes the zip and a ``lagen.json``
into a temporary folder and measures, each in its own process under ``/usr/bin/time -v``
(peak resident set size, wall clock):

* ``wijkgeo check`` of that folder (refused from the zip's directory alone), and
* ``geopandas.read_file`` of the zip, what a user would otherwise run.

Before the ceiling, ``wijkgeo check`` read the whole file: 2.0 GB peak RSS and 30 s for
the same squares in a 10 MB zip (the issue saw 5.3 GB and 137 s for an 11.5 MB one).

Measured (2 shared cores, Python 3.11, GDAL via pyogrio)::

    zip 14.5 MB, pakt uit tot 308 MB
    wijkgeo check          piek   209 MB    1.5 s   (14.4x de zip)
    geopandas.read_file    piek  1282 MB   10.6 s   (88.6x de zip)
    wijkgeo/geopandas: geheugen 0.16x, tijd 0.14x
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path


def build(folder: Path, n: int) -> Path:
    """The hostile zip: ``n`` identical squares plus random padding (total ratio < 100)."""
    import geopandas as gpd
    import numpy as np
    import shapely

    shp = folder / "shp"
    shp.mkdir()
    x, y = np.full(n, 92000.0), np.full(n, 437000.0)
    frame = gpd.GeoDataFrame(
        {"id": np.arange(n, dtype="int32")},
        geometry=shapely.box(x, y, x + 10, y + 10),
        crs=28992,
    )
    frame.to_file(shp / "a.shp", driver="ESRI Shapefile")
    target = folder / "a.zip"
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zf:
        for path in sorted(shp.iterdir()):
            zf.write(path, path.name)
    unpacked = sum(p.stat().st_size for p in shp.iterdir())
    pad = max(0, unpacked // 95 - target.stat().st_size)
    with zipfile.ZipFile(target, "a", zipfile.ZIP_STORED) as zf:
        zf.writestr("toelichting.bin", os.urandom(pad))
    for path in shp.iterdir():
        path.unlink()
    shp.rmdir()
    layers = {"gemeente": "GM0599", "lagen": {"a": {"bestand": "a.zip", "type": "vlakken"}}}
    (folder / "lagen.json").write_text(json.dumps(layers), encoding="utf-8")
    return target


def measure(argv: list[str]) -> tuple[float, float]:
    """Peak RSS (MB) and wall clock (s) of one command under ``/usr/bin/time -v``."""
    proc = subprocess.run(
        ["/usr/bin/time", "-v", *argv], capture_output=True, text=True, check=False
    )
    rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", proc.stderr)[1])
    clock = re.search(r"Elapsed \(wall clock\) time.*: (?:(\d+):)?(\d+):([\d.]+)", proc.stderr)
    hours, minutes, seconds = (float(g or 0) for g in clock.groups())
    return rss / 1024, hours * 3600 + minutes * 60 + seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--objecten", type=int, default=2_000_000)
    args = parser.parse_args()
    if not Path("/usr/bin/time").exists():
        sys.exit("/usr/bin/time ontbreekt (Debian: apt-get install time)")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        target = build(folder, args.objecten)
        with zipfile.ZipFile(target) as zf:
            unpacked = sum(i.file_size for i in zf.infolist())
        size = target.stat().st_size / 1e6
        print(f"zip {size:.1f} MB, pakt uit tot {unpacked / 1e6:.0f} MB")
        wijkgeo = [sys.executable, "-c", "import sys; from wijkgeo.cli import main; "
                   "sys.exit(main(sys.argv[1:]))", "-q", "check", str(folder)]
        plain = [sys.executable, "-c", f"import geopandas; geopandas.read_file({str(target)!r})"]
        ours, theirs = measure(wijkgeo), measure(plain)
        for label, (rss, secs) in (("wijkgeo check", ours), ("geopandas.read_file", theirs)):
            print(f"{label:<22} piek {rss:5.0f} MB {secs:6.1f} s   ({rss / size:.1f}x de zip)")
        print(
            f"wijkgeo/geopandas: geheugen {ours[0] / theirs[0]:.2f}x, "
            f"tijd {ours[1] / theirs[1]:.2f}x"
        )


if __name__ == "__main__":
    main()
