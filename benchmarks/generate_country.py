"""Time the synthetic-country generator at demo, regional and national size.

Run ``python benchmarks/generate_country.py`` (add ``--quick`` to skip the national size).
Prints wall-clock seconds per size, the counts and the vertices per buurt, and checks the
tiling of the result (valid coverage), so a fast but broken generator cannot look good.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import shapely

from wijkgeo.demo import generate_country, make_demo

SIZES = [
    (
        "Demodam (1 gemeente, 8 wijken, 40 buurten)",
        {"n_gemeenten": 1, "n_wijken": 8, "n_buurten": 40},
    ),
    ("regio (25 gemeenten)", {"n_gemeenten": 25}),
    ("Nederland (350 gemeenten, 3,500 wijken, ~15,000 buurten)", {"n_gemeenten": 350}),
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="skip the national size")
    parser.add_argument("--seed", type=int, default=2024)
    args = parser.parse_args()

    t0 = time.perf_counter()
    make_demo(args.seed)
    print(f"make_demo() incl. loaders, grid and local layers: {time.perf_counter() - t0:6.2f} s")
    for label, kwargs in SIZES[: 2 if args.quick else 3]:
        t0 = time.perf_counter()
        c = generate_country(seed=args.seed, **kwargs)
        elapsed = time.perf_counter() - t0
        geoms = c.buurten.geometry.values
        nv = shapely.get_num_coordinates(geoms)
        ok = bool(shapely.coverage_is_valid(geoms)) and bool(shapely.is_valid(geoms).all())
        p5, p50, p95 = np.percentile(nv, [5, 50, 95]).astype(int)
        print(
            f"{label}: {elapsed:6.2f} s | {len(c.gemeenten)} gemeenten, {len(c.wijken)} wijken, "
            f"{len(c.buurten)} buurten | vertices/buurt p5 {p5}, median {p50}, p95 {p95} | "
            f"exact tiling: {'ja' if ok else 'NEE'}"
        )


if __name__ == "__main__":
    main()
