"""Buurten to CBS grid cells: wijkgeo against geopandas.overlay + groupby and tobler.

Run ``.venv/bin/python benchmarks/grid_overlay.py`` (national: ~15,000 buurten of the
synthetic country, 500 m and 100 m cells) or add ``--scale 0.1`` for a quick look on the
buurten of the first 10% of the gemeenten.

Every contender starts from the same buurten GeoDataFrame and the same target cells
(``wijkgeo.grid.cells``, built once beforehand and not timed) and interpolates two counts
(``aantal_inwoners``, ``woningvoorraad``, extensive) and one rate
(``percentage_personen_65_jaar_en_ouder``, intensive):

- **wijkgeo**: ``wijkgeo.grid.area_interpolate`` (exact grid kernel: table + products);
- **overlay**: ``geopandas.overlay(buurten, cells, how="intersection")``, area shares, and
  ``groupby("celcode")`` sums / weighted means; the exactness oracle;
- **tobler**: ``tobler.area_interpolate(buurten, cells, extensive_variables=...,
  intensive_variables=...)``.

Wall-clock seconds make the ratios; the CPU seconds of each process are printed beside them,
because on a shared machine waiting for a core inflates the short runs most. Each contender
runs in its own fresh process (input read from a GeoParquet written by this
script), so "peak" is that process's maximum resident memory, input and libraries included.
At 100 m the overlay and tobler take minutes, so they run on the buurten of the first
gemeenten that together hold at least ``--fraction`` (default 10%) of the area, against the
cells that those buurten touch; their time is scaled up by that area fraction (work grows
with the number of buurt x cell pieces, i.e. with area) and printed as an estimate. wijkgeo
runs the full country at both sizes, and once more on the fraction for the comparison.

``max_abs_diff`` is the largest ``|wijkgeo - overlay| / max(|overlay|, 1)`` over all cells and
variables (500 m: full country; 100 m: the fraction). Totals: the sum of the interpolated
counts against the buurt sums. The last line is::

    speedup_500m=<x> speedup_100m=<y> vs_tobler_500m=<t> peak_gb_100m=<z> max_abs_diff=<d>

with speedups of wijkgeo against the overlay, ``vs_tobler_500m`` = tobler time / wijkgeo time
at 500 m, and ``peak_gb_100m`` wijkgeo's peak at 100 m on the full country.

Measured 2026-12-01 on the shared 2-core machine (geopandas 1.2, shapely 2.2 / GEOS 3.14,
tobler 0.13, scipy 1.17), national synthetic country (15,050 buurten; 166,400 cells at 500 m,
4,140,234 at 100 m; 100 m overlay/tobler on 1,495 buurten = 10.1% of the area). The machine
was shared with four other engineers (load average 2-5 on 2 cores), so every run is noisy;
the ratios below are from one run each::

    full run 1 (before the last kernel work; no warm-up, so wijkgeo's 500 m time included
    importing scipy.sparse; peaks then read from ru_maxrss, which includes the parent's):
        500 m: wijkgeo 1.53 s | overlay 7.06 s | tobler 5.26 s
        100 m: wijkgeo 8.12 s; part: overlay 16.98 s, tobler 15.49 s (x 1/0.101)
        speedup_500m=4.6 speedup_100m=20.8 vs_tobler_500m=3.4 peak_gb_100m=3.92
        max_abs_diff=3.8e-12
    full run 2 (same code, while the dask tests ran beside it: discard its 500 m line):
        speedup_500m=2.0 speedup_100m=13.4 vs_tobler_500m=1.2 peak_gb_100m=3.95
        max_abs_diff=3.8e-12
    after the kernel work, the two halves once each (--sizes 500, best of 3; --sizes 100):
        500 m: wijkgeo 0.77 s, peak 0.72 GB | overlay 5.54 s | tobler 5.32 s
               -> 7.2x the overlay, 6.9x tobler
        100 m: wijkgeo 6.17 s, peak 3.75 GB | overlay 84.7 s (est.) | tobler 60.8 s (est.)
               -> 13.7x the overlay, 9.8x tobler; max_abs_diff 3.8e-12, totals identical
    --scale 0.25 (3,664 buurten, 48,653 / 1,063,452 cells), before the last kernel work:
        speedup_500m=12.1 speedup_100m=17.3 vs_tobler_500m=11.2 peak_gb_100m=1.19
        max_abs_diff=3.8e-12 (vs tobler at 100 m: 16.2x)
    --scale 0.25 again with the final code (wall | CPU seconds per process):
        500 m: wijkgeo 0.08 | 0.08, overlay 1.41 | 1.27, tobler 1.77 | 1.05
        100 m: wijkgeo 1.29 | 0.78, overlay 20.8 | 15.7 (est.), tobler 18.6 | 12.9 (est.)
        speedup_500m=17.5 speedup_100m=16.1 vs_tobler_500m=22.0 peak_gb_100m=1.22
        max_abs_diff=3.8e-12 (vs the fastest: 17.5x at 500 m, 14.4x at 100 m)
    --scale 0.1 --sizes 500: 40 variables in one call cost 0.12 s against 0.14 s for 1 (noise);
        with one reused table 1 variable takes 0.008 s and 40 take 0.015 s.

    full run 3, final code, on a quiet machine (load average 0.3-0.6), the whole country:
        500 m: 166,400 cells | wijkgeo 0.26 s, peak 0.47 GB | overlay 5.03 s, tobler 4.19 s
               40 variables 0.60 s vs 1 variable 0.29 s; with one reused table 0.022 s / 0.147 s
        100 m: 4,140,234 cells | wijkgeo 3.30 s (cpu 3.30 s), peak 3.86 GB |
               overlay 70.4 s (est., 7.09 s on 10.1 %), tobler 52.9 s (est., 5.32 s on 10.1 %)
        totals identical (59,450,660 inhabitants, 31,848,115 dwellings at both sizes)
        speedup_500m=19.3 speedup_100m=21.3 vs_tobler_500m=16.1 peak_gb_100m=3.86
        max_abs_diff=3.8e-12

Honest reading: exact everywhere (3.8e-12 of a cell value, identical totals). On a quiet
machine, the national run is 16x faster than the fastest of overlay and tobler at both
sizes (tobler is the faster of the two), past the 10x aim; the earlier 7x/10x national
numbers were taken while four other jobs shared the two cores and before the last kernel
work. The 100 m comparison still rests on an estimate from 10 % of the area (see above).
At 500 m wijkgeo's 0.4-0.8 s is mostly walking 1.5 million ring edges, so noise on a shared
machine moves the ratio a lot; tobler and the overlay are single-threaded, like wijkgeo. In a
warm process a national 100 m interpolation takes 3-4 s (``cells()`` for 4.1 million cells
adds 6-8 s, once per gemeente set and year), with a peak of 3.8 GB, mostly the 4.1 million
cell polygons themselves. The overlay and tobler numbers at 100 m are estimates from 10% of
the area scaled by area; both grow at least linearly, so the estimate favours them. The
later kernel changes (single-cell edges skip the cutting, slices of 2,000 buurten, fewer
passes in is_grid, one float block for the result) are not in these national numbers.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

EXT = ["aantal_inwoners", "woningvoorraad"]
INT = ["percentage_personen_65_jaar_en_ouder"]


# ------------------------------------------------------------------------- workers
def _overlay(b, g):
    import geopandas as gpd
    import pandas as pd

    s = b[[*EXT, *INT, "geometry"]].assign(_sarea=b.area)
    ov = gpd.overlay(s, g[["celcode", "geometry"]], how="intersection", keep_geom_type=True)
    a = ov.area
    cols = {}
    for c in EXT:
        ok = ov[c].notna()
        cols[c] = (ov[c] * a / ov["_sarea"])[ok].groupby(ov["celcode"][ok]).sum()
    for c in INT:
        ok = ov[c].notna()
        num = (ov[c] * a)[ok].groupby(ov["celcode"][ok]).sum()
        cols[c] = num / a[ok].groupby(ov["celcode"][ok]).sum()
    return pd.DataFrame(cols).reindex(g["celcode"])


def _tobler(b, g):
    from tobler.area_weighted import area_interpolate

    # tobler sets NaN to 0 itself (_nan_check), in place; under pandas 3 copy-on-write that
    # in-place write fails on a read-only view, so hand it the zeros it would make anyway
    src = b[[*EXT, *INT, "geometry"]].fillna({c: 0.0 for c in [*EXT, *INT]})
    out = area_interpolate(src, g, extensive_variables=EXT, intensive_variables=INT)
    return out.assign(celcode=g["celcode"].to_numpy()).set_index("celcode")[[*EXT, *INT]]


def _wijkgeo(b, g):
    from wijkgeo.grid import area_interpolate

    out = area_interpolate(b, g, extensive=EXT, intensive=INT)
    return out.set_index("celcode")[[*EXT, *INT]]


def _peak_gb() -> float:
    """This process's peak resident memory (VmHWM; ru_maxrss would include the parent's,
    since Linux keeps it across fork and exec)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1e6  # kB -> GB
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e6


def _many(b, g):
    """1 against 40 variables: whole calls, and applying one reused table."""
    import pandas as pd

    from wijkgeo.grid import area_interpolate, interpolation_weights

    forty = {f"v{i}": b["aantal_inwoners"] * (i + 1) for i in range(40)}
    b40 = pd.concat([b, pd.DataFrame(forty, index=b.index)], axis=1)
    t = [time.perf_counter()]
    area_interpolate(b40, g, extensive=["v0"])
    t.append(time.perf_counter())
    out = area_interpolate(b40, g, extensive=list(forty))
    t.append(time.perf_counter())
    table = interpolation_weights(b40, g)
    t.append(time.perf_counter())
    area_interpolate(b40, g, extensive=["v0"], table=table)
    t.append(time.perf_counter())
    area_interpolate(b40, g, extensive=list(forty), table=table)
    t.append(time.perf_counter())
    d = np.diff(t)
    times = {"one": d[0], "forty": d[1], "table": d[2], "apply_one": d[3], "apply_forty": d[4]}
    print(json.dumps(times), file=sys.stderr)
    return out.set_index("celcode")[["v0", "v39"]]


def worker(method: str, buurten: str, cells: str, result: str, repeat: str = "1") -> None:
    import geopandas as gpd

    b = gpd.read_parquet(buurten)
    g = gpd.read_parquet(cells)
    fn = {"overlay": _overlay, "tobler": _tobler, "wijkgeo": _wijkgeo, "many": _many}[method]
    # warm up: imports and first-call setup are not what is compared
    fn(b.iloc[:2], g.iloc[: min(len(g), 50)])
    seconds = cpu = float("inf")
    for _ in range(int(repeat)):  # best of N: the machine is shared, noise only adds time
        t0, c0 = time.perf_counter(), time.process_time()
        out = fn(b, g)
        seconds = min(seconds, time.perf_counter() - t0)
        cpu = min(cpu, time.process_time() - c0)
    out.to_parquet(result)
    peak = _peak_gb()
    print(json.dumps({"seconds": seconds, "cpu": cpu, "peak_gb": peak}))


def run(method: str, buurten: Path, cells: Path, tmp: Path, repeat: int = 1) -> dict:
    result = tmp / f"{method}-{cells.stem}.parquet"
    argv = [method, str(buurten), str(cells), str(result), str(repeat)]
    proc = subprocess.run(
        [sys.executable, __file__, "--worker", *argv],
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode:
        raise SystemExit(f"{method} failed:\n{proc.stderr}")
    info = json.loads(proc.stdout.strip().splitlines()[-1])
    if method == "many":
        info.update(json.loads(proc.stderr.strip().splitlines()[-1]))
    import pandas as pd

    info["result"] = pd.read_parquet(result)
    return info


def _diff(ours, ref) -> float:
    a = ours.reindex(ref.index).to_numpy(float)
    b = ref.to_numpy(float)
    both = ~np.isnan(a) & ~np.isnan(b)
    return float(np.max(np.abs(a[both] - b[both]) / np.maximum(np.abs(b[both]), 1.0), initial=0))


# ------------------------------------------------------------------------- main
def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scale", type=float, default=1.0, help="share of the gemeenten (0-1]")
    parser.add_argument("--fraction", type=float, default=0.10, help="area share at 100 m")
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument(
        "--sizes", default="500,100", help="cell sizes to run, e.g. 500 (default 500,100)"
    )
    parser.add_argument(
        "--repeat", type=int, default=3, help="best of N runs at 500 m (100 m runs once)"
    )
    parser.add_argument("--worker", nargs=5, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(*args.worker)
        return

    from wijkgeo.demo import generate_country
    from wijkgeo.grid import cells

    country = generate_country(350, seed=args.seed)
    b = country.buurten
    codes = b["gemeentecode"].drop_duplicates().tolist()
    if args.scale < 1:
        keep = codes[: max(1, round(args.scale * len(codes)))]
        b = b[b["gemeentecode"].isin(keep)].reset_index(drop=True)
    b = b[["buurtcode", "gemeentecode", *EXT, *INT, "geometry"]]
    # the first gemeenten that together hold args.fraction of the area, for the 100 m overlay
    area = b.area.groupby(b["gemeentecode"], sort=False).sum()
    cum = area.cumsum() / area.sum()
    part_codes = cum.index[: int(np.searchsorted(cum.to_numpy(), args.fraction)) + 1]
    part = b[b["gemeentecode"].isin(part_codes)].reset_index(drop=True)
    frac = float(part.area.sum() / b.area.sum())
    print(
        f"grid_overlay: {len(b):,} buurten ({b['gemeentecode'].nunique()} gemeenten, "
        f"scale {args.scale:g}); 100 m overlay/tobler on {len(part):,} buurten = "
        f"{100 * frac:.1f}% of the area"
    )
    rows = {}
    with tempfile.TemporaryDirectory(prefix="wijkgeo-bench-") as tmpdir:
        tmp = Path(tmpdir)
        bp, pp = tmp / "buurten.parquet", tmp / "part.parquet"
        b.to_parquet(bp)
        part.to_parquet(pp)
        sizes = [int(v) for v in args.sizes.split(",")]
        for size in sizes:
            rep = args.repeat if size == 500 else 1
            t0 = time.perf_counter()
            g = cells(b, size)
            t_cells = time.perf_counter() - t0
            gp = tmp / f"cells{size}.parquet"
            g.to_parquet(gp)
            ours = run("wijkgeo", bp, gp, tmp, rep)
            total_in = b[EXT].sum()
            total_out = ours["result"][EXT].sum()
            print(
                f"{size} m: {len(g):,} cells (cells() {t_cells:.2f} s, not timed below) | "
                f"wijkgeo {ours['seconds']:.2f} s (cpu {ours['cpu']:.2f} s), peak "
                f"{ours['peak_gb']:.2f} GB | totals "
                + ", ".join(
                    f"{c} {total_out[c]:,.0f} vs {total_in[c]:,.0f}" for c in EXT
                )
            )
            if size == 500:
                many = run("many", bp, gp, tmp)
                print(
                    f"  wijkgeo, 40 variables in one call {many['forty']:.2f} s vs 1 variable "
                    f"{many['one']:.2f} s ({many['forty'] / many['one']:.2f}x); with one table "
                    f"({many['table']:.2f} s to build): 1 variable {many['apply_one']:.3f} s, "
                    f"40 variables {many['apply_forty']:.3f} s"
                )
                ov, tb, src, scale = (
                    run("overlay", bp, gp, tmp, rep),
                    run("tobler", bp, gp, tmp, rep),
                    ours,
                    1.0,
                )
            else:
                g_part = cells(part, size)
                gpp = tmp / f"part{size}.parquet"
                g_part.to_parquet(gpp)
                src = run("wijkgeo", pp, gpp, tmp)
                ov, tb = run("overlay", pp, gpp, tmp), run("tobler", pp, gpp, tmp)
                scale = 1.0 / frac
                print(
                    f"  on the {100 * frac:.1f}% part ({len(g_part):,} cells): wijkgeo "
                    f"{src['seconds']:.2f} s | overlay {ov['seconds']:.2f} s | tobler "
                    f"{tb['seconds']:.2f} s; scaled to the country by 1/{frac:.3f}"
                )
            diff = max(_diff(src["result"][c], ov["result"][c]) for c in [*EXT, *INT])
            t_ov, t_tb = ov["seconds"] * scale, tb["seconds"] * scale
            est = " (estimated)" if scale != 1 else ""
            fastest = min(t_ov, t_tb) / ours["seconds"]
            print(
                f"  overlay {t_ov:.2f} s{est} (cpu {ov['cpu'] * scale:.2f} s), peak "
                f"{ov['peak_gb']:.2f} GB | tobler {t_tb:.2f} s{est} "
                f"(cpu {tb['cpu'] * scale:.2f} s), peak {tb['peak_gb']:.2f} GB | speedup vs "
                f"overlay {t_ov / ours['seconds']:.1f}x, vs tobler "
                f"{t_tb / ours['seconds']:.1f}x, vs fastest {fastest:.1f}x | "
                f"max_abs_diff {diff:.2e}"
            )
            rows[size] = {
                "speedup": t_ov / ours["seconds"],
                "vs_tobler": t_tb / ours["seconds"],
                "peak": ours["peak_gb"],
                "diff": diff,
            }
    nan = {"speedup": float("nan"), "vs_tobler": float("nan"), "peak": float("nan"), "diff": 0}
    r5, r1 = rows.get(500, nan), rows.get(100, nan)
    print(
        f"speedup_500m={r5['speedup']:.1f} speedup_100m={r1['speedup']:.1f} "
        f"vs_tobler_500m={r5['vs_tobler']:.1f} peak_gb_100m={r1['peak']:.2f} "
        f"max_abs_diff={max(r5['diff'], r1['diff']):.1e}"
    )


if __name__ == "__main__":
    main()
