"""Synthetic gemeenten and countries: exact irregular tilings with KWB-like statistics.

Seeded and deterministic: the same seed gives identical output, a different seed a
different country. Used by :mod:`wijkgeo.demo` for the demo gemeente Demodam
(``n_gemeenten=1``) and by the benchmarks for a national-size country (350 gemeenten,
3,500 wijken, ~15,000 buurten in seconds). Codes count down from ``GM9999`` and can never
collide with real CBS codes.

How the geometry is made
    Voronoi edges of seeded points (denser towards town centres) are clipped to an
    irregular outline and noded on a 1 cm grid. Every edge is then densified and bent
    *once* (low-frequency sine modes plus a little noise, zero at both nodes and damped
    where edges meet at sharp angles), and the bent edges are polygonised. Because each
    shared edge exists only once, neighbouring buurten share identical vertices: buurten
    tile the gemeente exactly. Wijken (and gemeenten) are grown as contiguous regions over
    the buurt adjacency graph and dissolved with :func:`shapely.coverage_union_all`, so
    they tile exactly too. Everything is vectorised with shapely 2 arrays.

How the statistics are made
    Per buurt a few latent variables (urbanity from the distance to the town centre,
    deprivation with a wijk effect, age profile, new-build share, heat network) drive
    KWB-like counts and shares in the value ranges of real buurten (calibrated by hand on
    the 625 real buurten of the Rotterdam region, KWB 2024; no rows copied). Wijk and
    gemeente values are computed from the unrounded buurt values; counts below gemeente
    level are rounded to 5 with parts that still add up to their totals (so the buurten do
    not add up exactly to the gemeente, like CBS); small buurten get secret values (NaN).

Examples
--------
>>> from wijkgeo.demo.synthetic import generate_country
>>> country = generate_country(350)                          # doctest: +SKIP
>>> len(country.gemeenten), len(country.wijken), len(country.buurten)   # doctest: +SKIP
(350, 3500, 15050)
"""

from __future__ import annotations

import heapq
import json
import logging
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from .._errors import ConfigError
from ..conventions import CRS, round5

if TYPE_CHECKING:  # pragma: no cover
    import geopandas as gpd

__all__ = ["SyntheticCountry", "generate_country"]

log = logging.getLogger(__name__)

_GRID = 0.01  # noding precision of the tessellation, metres


@cache
def spec() -> dict[str, Any]:
    """The generator's data file ``spec.json`` (names, placement, formats)."""
    text = resources.files("wijkgeo.demo").joinpath("spec.json").read_text("utf-8")
    return json.loads(text)


# =============================================================================== geometry
def _outline(
    rng: np.random.Generator, center: tuple[float, float], radius: tuple[float, float], n: int = 40
):
    """An irregular, star-shaped outline polygon (smooth Fourier perturbation of an ellipse)."""
    import shapely

    ang = np.linspace(0.0, 2 * np.pi, n, endpoint=False)
    r = np.ones(n)
    for k in range(2, 7):
        r += rng.normal(0.0, 0.16 / k) * np.cos(k * ang + rng.uniform(0, 2 * np.pi))
    r = np.clip(r, 0.55, 1.5)
    xy = np.c_[center[0] + radius[0] * r * np.cos(ang), center[1] + radius[1] * r * np.sin(ang)]
    return shapely.set_precision(shapely.Polygon(np.round(xy, 2)), _GRID)


def _seeds(
    rng: np.random.Generator,
    outline,
    n: int,
    centres: np.ndarray,
    sigma: float,
    concentrated: float = 0.6,
) -> np.ndarray:
    """``n`` points inside ``outline``: a mixture of Gaussians around ``centres`` and uniform."""
    import shapely

    minx, miny, maxx, maxy = outline.bounds
    out = np.empty((0, 2))
    while len(out) < n:
        m = 4 * n
        near = rng.random(m) < concentrated
        which = rng.integers(0, len(centres), m)
        g = centres[which] + rng.normal(0.0, sigma, (m, 2))
        u = np.c_[rng.uniform(minx, maxx, m), rng.uniform(miny, maxy, m)]
        xy = np.where(near[:, None], g, u)
        xy = xy[shapely.contains_xy(outline, xy[:, 0], xy[:, 1])]
        out = np.vstack([out, xy])
    return out[:n]


def _endpoint_damping(coords: np.ndarray, starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
    """Per edge a factor in 0..1: small where the edge meets another at a sharp angle."""
    m = len(starts)
    pts = np.r_[coords[starts], coords[ends]]
    dirs = np.r_[coords[starts + 1] - coords[starts], coords[ends - 1] - coords[ends]]
    ang = np.arctan2(dirs[:, 1], dirs[:, 0])
    _, node = np.unique(np.round(pts / _GRID).astype(np.int64), axis=0, return_inverse=True)
    node = node.ravel()
    order = np.lexsort((ang, node))
    ns, an = node[order], ang[order]
    first = np.r_[True, ns[1:] != ns[:-1]]
    last = np.r_[ns[1:] != ns[:-1], True]
    group_start = np.maximum.accumulate(np.where(first, np.arange(len(ns)), 0))
    group_end = np.minimum.accumulate(np.where(last, np.arange(len(ns)), len(ns))[::-1])[::-1]
    nxt = np.where(last, group_start, np.arange(len(ns)) + 1)
    prv = np.where(first, group_end, np.arange(len(ns)) - 1)
    gap_next = np.mod(an[nxt] - an, 2 * np.pi)
    gap_prev = np.mod(an - an[prv], 2 * np.pi)
    single = first & last
    gap = np.where(single, np.pi, np.minimum(gap_next, gap_prev))
    gap_sorted = np.empty_like(gap)
    gap_sorted[order] = gap
    g = np.minimum(gap_sorted[:m], gap_sorted[m:])
    return np.clip(g / (2 * np.pi / 3), 0.0, 1.0)


def _tessellate(
    rng: np.random.Generator,
    outline,
    seeds: np.ndarray,
    *,
    verts: float = 17.0,
    amplitude: float = 0.05,
):
    """Irregular polygons tiling ``outline`` exactly, one per seed (see module docstring)."""
    import shapely

    edges = shapely.voronoi_polygons(
        shapely.multipoints(seeds), extend_to=outline.buffer(outline.length), only_edges=True
    )
    inner = shapely.intersection(edges, outline)
    lines = shapely.line_merge(shapely.unary_union([inner, outline.boundary], grid_size=_GRID))
    parts = shapely.get_parts(lines)
    length = shapely.length(parts)
    n_int = np.clip(np.round(verts * (length / np.median(length)) ** 0.35), 6, 40)
    dense = shapely.segmentize(parts, length / n_int * 1.0001)
    coords, idx = shapely.get_coordinates(dense, return_index=True)
    counts = np.bincount(idx, minlength=len(parts))
    starts = np.r_[0, np.cumsum(counts)[:-1]]
    ends = starts + counts - 1
    step = np.r_[0.0, np.hypot(*np.diff(coords, axis=0).T)]
    step[starts] = 0.0
    cum = np.cumsum(step)
    cum -= cum[starts][idx]
    t = cum / np.maximum(cum[ends][idx], 1e-9)
    chord = coords[ends] - coords[starts]
    clen = np.maximum(np.hypot(*chord.T), 1e-9)
    normal = np.c_[-chord[:, 1], chord[:, 0]] / clen[:, None]
    # three edge styles, like real boundaries: straight streets, kinked streets, curvy
    # dykes and creeks (sine modes); plus a little vertex noise everywhere
    style = rng.choice(3, size=len(parts), p=[0.3, 0.3, 0.4])
    modes = np.clip(rng.normal(0.0, 1.0, (len(parts), 3)), -2, 2) / np.array([1.0, 2.0, 3.0])
    kinks = np.clip(rng.normal(0.0, 0.9, (len(parts), 2)), -1.8, 1.8)
    noise = rng.normal(0.0, 1.0, len(coords))
    damping = _endpoint_damping(coords, starts, ends)
    seg_len = (length / n_int)[idx]
    curve = sum(modes[idx, k] * np.sin((k + 1) * np.pi * t) for k in range(3))
    a, b = kinks[idx, 0], kinks[idx, 1]
    kinked = np.where(
        t < 1 / 3, 3 * t * a, np.where(t < 2 / 3, a + (3 * t - 1) * (b - a), (3 - 3 * t) * b)
    )
    base = np.select([style[idx] == 1, style[idx] == 2], [0.8 * kinked, curve], 0.0)
    base = base * length[idx]
    wiggle = noise * seg_len * np.where(style[idx] == 2, 0.2, 0.05) * np.sin(np.pi * t)
    interior = np.ones(len(coords), bool)
    interior[starts] = interior[ends] = False
    for amp in (amplitude, amplitude / 2, amplitude / 4, 0.0):
        disp = (base * amp + wiggle * (amp > 0)) * damping[idx] * interior
        bent = np.round(coords + normal[idx] * disp[:, None], 2)
        faces = shapely.get_parts(shapely.polygonize(shapely.linestrings(bent, indices=idx)))
        if (
            len(faces) == len(seeds)
            and shapely.is_valid(faces).all()
            and shapely.coverage_is_valid(faces)
        ):
            return faces
        log.debug("betegeling met amplitude %.3f afgekeurd; opnieuw met minder buiging", amp)
    raise RuntimeError("betegeling mislukt, ook zonder buiging")  # pragma: no cover


def _adjacency(faces) -> np.ndarray:
    """Pairs (i, j), i < j, of faces that share a boundary line (not just a point)."""
    import shapely

    tree = shapely.STRtree(faces)
    i, j = tree.query(faces, predicate="intersects")
    keep = i < j
    i, j = i[keep], j[keep]
    line = shapely.relate_pattern(faces[i], faces[j], "F***1****")
    return np.c_[i[line], j[line]]


def _farthest_points(xy: np.ndarray, k: int, rng: np.random.Generator) -> np.ndarray:
    """Indices of ``k`` well-spread points (greedy farthest-point sampling)."""
    chosen = [int(rng.integers(len(xy)))]
    dist = np.hypot(*(xy - xy[chosen[0]]).T)
    for _ in range(1, k):
        nxt = int(np.argmax(dist))
        chosen.append(nxt)
        dist = np.minimum(dist, np.hypot(*(xy - xy[nxt]).T))
    return np.array(chosen)


def _grow_regions(
    n: int, pairs: np.ndarray, starts: np.ndarray, rng: np.random.Generator
) -> np.ndarray:
    """Label ``n`` nodes with contiguous regions grown from ``starts``, smallest region first."""
    neigh: list[list[int]] = [[] for _ in range(n)]
    for a, b in pairs.tolist():
        neigh[a].append(b)
        neigh[b].append(a)
    label = np.full(n, -1)
    frontier: list[list[int]] = []
    heap: list[tuple[int, float, int]] = []
    for r, s in enumerate(starts.tolist()):
        label[s] = r
        frontier.append(list(neigh[s]))
        heapq.heappush(heap, (1, float(rng.random()), r))
    remaining = n - len(starts)
    while heap and remaining:
        size, _, r = heapq.heappop(heap)
        cand = frontier[r]
        while cand:
            node = cand.pop(int(rng.integers(len(cand))))
            if label[node] < 0:
                label[node] = r
                remaining -= 1
                cand.extend(x for x in neigh[node] if label[x] < 0)
                heapq.heappush(heap, (size + 1, float(rng.random()), r))
                break
    if (label < 0).any():  # pragma: no cover - disconnected graph; attach to nearest label
        raise RuntimeError("region growing left nodes unassigned")
    return label


# ============================================================================ statistics
_COUNT_COLUMNS = [
    "aantal_inwoners",
    "mannen",
    "vrouwen",
    "aantal_personen_0_tot_15_jaar",
    "aantal_personen_15_tot_25_jaar",
    "aantal_personen_25_tot_45_jaar",
    "aantal_personen_45_tot_65_jaar",
    "aantal_personen_65_jaar_en_ouder",
    "geboorte_totaal",
    "sterfte_totaal",
    "aantal_huishoudens",
    "aantal_eenpersoonshuishoudens",
    "aantal_huishoudens_zonder_kinderen",
    "aantal_huishoudens_met_kinderen",
    "aantal_inkomensontvangers",
    "aantal_personen_met_een_alg_bijstandsuitkering_tot",
    "aantal_personen_met_een_ao_uitkering_totaal",
    "aantal_personen_met_een_ww_uitkering_totaal",
    "aantal_personen_met_een_aow_uitkering_totaal",
    "aantal_wmo_clienten",
    "aantal_bedrijfsvestigingen",
    "personenautos_totaal",
]
_AGE = [
    "aantal_personen_0_tot_15_jaar",
    "aantal_personen_15_tot_25_jaar",
    "aantal_personen_25_tot_45_jaar",
    "aantal_personen_45_tot_65_jaar",
    "aantal_personen_65_jaar_en_ouder",
]
_HH = [
    "aantal_eenpersoonshuishoudens",
    "aantal_huishoudens_zonder_kinderen",
    "aantal_huishoudens_met_kinderen",
]
# hidden helper quantities (counts of dwellings, weighted sums) used to aggregate shares/means
_W = {  # weighted mean column -> weight column
    "gemiddelde_woningwaarde": "woningvoorraad",
    "gemiddeld_aardgasverbruik": "woningvoorraad",
    "gemiddelde_elektriciteitslevering": "woningvoorraad",
    "gemiddeld_inkomen_per_inwoner": "aantal_inwoners",
    "gemiddeld_inkomen_per_inkomensontvanger": "aantal_inkomensontvangers",
    "perc_personen_40_laagste_inkomen": "aantal_inwoners",
    "perc_personen_20_hoogste_inkomen": "aantal_inwoners",
    "perc_huishoudens_laag_inkomen": "aantal_huishoudens",
    "perc_huishoudens_onder_of_rond_sociaal_minimum": "aantal_huishoudens",
    "huisartsenpraktijk_gemiddelde_afstand_in_km": "aantal_inwoners",
    "grote_supermarkt_gemiddelde_afstand_in_km": "aantal_inwoners",
    "kinderdagverblijf_gemiddelde_afstand_in_km": "aantal_inwoners",
    "basisonderwijs_gemiddelde_afstand_in_km": "aantal_inwoners",
    "omgevingsadressendichtheid": "woningvoorraad",
}
_DWELLINGS = [
    "_won_koop",
    "_won_huur",
    "_won_corp",
    "_won_eengezins",
    "_won_nieuw",
    "_won_onbewoond",
    "_won_gasvrij",
    "_won_zon",
    "_won_stadsverw",
]


def _buurt_truth(
    rng: np.random.Generator,
    area_ha: np.ndarray,
    urb: np.ndarray,
    dep: np.ndarray,
    industrial: np.ndarray,
    newbuild: np.ndarray,
    heatnet: np.ndarray,
) -> pd.DataFrame:
    """Unrounded, internally consistent buurt statistics (vectorised over buurten)."""
    n = len(area_ha)
    water_frac = np.clip(rng.beta(1.2, 18.0, n) + 0.25 * (1 - urb) * rng.random(n), 0, 0.6)
    land = area_ha * (1 - water_frac)
    log_dens = np.log(250 + 9500 * urb**1.6) + rng.normal(0, 0.3, n)
    inw = np.exp(log_dens) * land / 100.0
    inw = np.where(industrial, rng.integers(15, 40, n), np.maximum(inw, 60))
    inw = np.round(inw)
    man = rng.binomial(inw.astype(np.int64), 0.495).astype(float)
    old = np.exp(rng.normal(0, 0.35, n)) * (1.0 - 0.25 * newbuild)
    base = np.array([0.155, 0.12, 0.25, 0.265, 0.21])
    p = np.tile(base, (n, 1))
    p[:, 0] *= 1 + 0.5 * dep + 0.8 * newbuild
    p[:, 1] *= 1 + 0.4 * urb
    p[:, 2] *= 1 + 0.5 * urb + 0.5 * newbuild
    p[:, 4] *= old
    p /= p.sum(1, keepdims=True)
    ages = np.array([rng.multinomial(int(k), pp) for k, pp in zip(inw, p, strict=True)], float)
    share_kids = ages[:, 0] / np.maximum(inw, 1)
    hh_size = np.clip(1.45 + 4.0 * share_kids - 0.35 * urb + rng.normal(0, 0.08, n), 1.3, 3.4)
    hh = np.round(inw / hh_size)
    een = np.clip(
        0.12 + 0.4 * urb + 0.12 * dep - 1.3 * (share_kids - 0.155) + rng.normal(0, 0.04, n),
        0.06,
        0.85,
    )
    met = np.clip(2.0 * share_kids + rng.normal(0, 0.03, n), 0.03, 0.95 - een)
    hh_een = np.round(hh * een)
    hh_met = np.round(hh * met)
    hh_zonder = hh - hh_een - hh_met
    onbewoond = np.clip(0.025 + 0.02 * rng.random(n) + 0.03 * newbuild, 0, 0.2)
    won = np.round(hh / (1 - onbewoond))
    won = np.where(industrial, rng.integers(8, 16, n), won)
    huur = np.clip(0.12 + 0.25 * urb + 0.55 * dep + rng.normal(0, 0.08, n), 0.02, 0.97)
    unknown = rng.uniform(0, 0.02, n)
    corp = np.clip(0.45 + 0.45 * dep + rng.normal(0, 0.1, n), 0.0, 1.0)
    eengezins = np.clip(0.92 - 0.75 * urb + rng.normal(0, 0.08, n), 0.0, 1.0)
    nieuw = np.clip(np.where(newbuild > 0, 0.3 + 0.5 * newbuild, rng.beta(0.6, 12.0, n)), 0, 1)
    gasvrij = np.clip(0.02 + 0.9 * nieuw + 0.85 * heatnet + rng.beta(0.5, 20.0, n), 0, 1)
    zon = np.clip(0.1 + 0.45 * (1 - huur) * eengezins + 0.2 * nieuw + rng.normal(0, 0.05, n), 0, 1)
    woz = np.exp(
        np.log(420)
        - 0.95 * dep
        + 0.25 * eengezins
        - 0.1 * urb
        + 0.3 * nieuw
        + rng.normal(0, 0.12, n)
    )
    gas_dwelling = 650 + 650 * eengezins * (1 - 0.6 * nieuw) + 600 * (dep - 0.3)
    gas = (1 - gasvrij) * gas_dwelling * np.exp(rng.normal(0, 0.08, n))
    elek = (1750 + 1100 * eengezins + 500 * (gasvrij - 0.1)) * np.exp(rng.normal(0, 0.08, n))
    inc = 34.5 * np.exp(-0.55 * dep + 0.08 * eengezins + rng.normal(0, 0.07, n))
    laag = np.clip(1.5 + 24.0 * dep**1.7 + rng.normal(0, 0.8, n), 0.5, 40)
    minimum = np.clip(0.85 * laag + rng.normal(0, 0.5, n), 0.3, 40)
    p40 = np.clip(40 + 38 * (dep - 0.3) + rng.normal(0, 3, n), 8, 85)
    p20 = np.clip(20 - 22 * (dep - 0.3) + rng.normal(0, 2, n), 2, 60)
    work = ages[:, 1:4].sum(1)

    def km(base_km: float, spread: float) -> np.ndarray:
        return np.round((base_km + spread * (1 - urb) ** 1.5) * np.exp(rng.normal(0, 0.25, n)), 2)

    t = pd.DataFrame(
        {
            "oppervlakte_totaal_in_ha": area_ha,
            "oppervlakte_land_in_ha": land,
            "oppervlakte_water_in_ha": area_ha - land,
            "aantal_inwoners": inw,
            "mannen": man,
            "vrouwen": inw - man,
            **{c: ages[:, k] for k, c in enumerate(_AGE)},
            "geboorte_totaal": np.round(inw * (0.006 + 0.012 * share_kids)),
            "sterfte_totaal": np.round(ages[:, 4] * 0.045),
            "aantal_huishoudens": hh,
            "aantal_eenpersoonshuishoudens": hh_een,
            "aantal_huishoudens_zonder_kinderen": hh_zonder,
            "aantal_huishoudens_met_kinderen": hh_met,
            "woningvoorraad": won,
            "_won_koop": won * (1 - huur - unknown),
            "_won_huur": won * huur,
            "_won_corp": won * huur * corp,
            "_won_eengezins": won * eengezins,
            "_won_nieuw": won * nieuw,
            "_won_onbewoond": won * onbewoond,
            "_won_gasvrij": won * gasvrij,
            "_won_zon": won * zon,
            "_won_stadsverw": won * np.where(heatnet > 0, np.clip(0.6 * heatnet + 0.2, 0, 1), 0.0),
            "gemiddelde_woningwaarde": woz,
            "gemiddeld_aardgasverbruik": gas,
            "gemiddelde_elektriciteitslevering": elek,
            "aantal_inkomensontvangers": np.round(inw * (0.74 + 0.06 * rng.random(n))),
            "gemiddeld_inkomen_per_inwoner": inc,
            "gemiddeld_inkomen_per_inkomensontvanger": inc * 1.27,
            "perc_personen_40_laagste_inkomen": p40,
            "perc_personen_20_hoogste_inkomen": p20,
            "perc_huishoudens_laag_inkomen": laag,
            "perc_huishoudens_onder_of_rond_sociaal_minimum": minimum,
            "aantal_personen_met_een_alg_bijstandsuitkering_tot": rng.binomial(
                work.astype(np.int64), 0.004 + 0.09 * dep**2
            ).astype(float),
            "aantal_personen_met_een_ao_uitkering_totaal": rng.binomial(
                work.astype(np.int64), 0.035 + 0.05 * dep
            ).astype(float),
            "aantal_personen_met_een_ww_uitkering_totaal": rng.binomial(
                work.astype(np.int64), 0.012
            ).astype(float),
            "aantal_personen_met_een_aow_uitkering_totaal": np.round(ages[:, 4] * 0.97),
            "aantal_wmo_clienten": np.round(
                inw * (0.035 + 0.06 * dep + 0.1 * ages[:, 4] / np.maximum(inw, 1))
            ),
            "aantal_bedrijfsvestigingen": np.round(
                inw * (0.07 + 0.12 * urb) + 8 + np.where(industrial, 120, 0)
            ),
            "personenautos_totaal": np.round(
                hh * np.clip(1.35 - 0.7 * urb - 0.3 * dep + rng.normal(0, 0.08, n), 0.3, 2.2)
            ),
            "huisartsenpraktijk_gemiddelde_afstand_in_km": km(0.45, 2.2),
            "grote_supermarkt_gemiddelde_afstand_in_km": km(0.4, 2.0),
            "kinderdagverblijf_gemiddelde_afstand_in_km": km(0.3, 1.6),
            "basisonderwijs_gemiddelde_afstand_in_km": km(0.35, 1.5),
            "omgevingsadressendichtheid": np.round(
                (120 + 5200 * urb**1.3) * np.exp(rng.normal(0, 0.15, n))
            ),
        }
    )
    return t


#: Demodam's near-miss wijk has low incomes, the sociaal minimum and bijstand at this factor
#: times the Nederland value: just under the 1.5 x NL that koppelkansen rules ask
#: (wijkgeo/koppelkansen/rules.toml) and within the 10 % that makes a "bijna".
NEAR_MISS_FACTOR = 1.4


def _near_miss_wijk(
    truth: pd.DataFrame, wijk_of: np.ndarray, wijk_dep: np.ndarray, k_w: int
) -> None:
    """Put the second most deprived wijk just under the koppelkansen thresholds (in place).

    The koppelkans wijk (``k_w``) shows what a koppelkans looks like; this wijk shows a near
    miss beside it, so nobody reads a threshold as a verdict. Deterministic (no random
    draws: the rest of the generator's stream is untouched); values vary +-3 % per buurt.
    """
    order = [w for w in np.argsort(-wijk_dep, kind="stable") if w != k_w]
    mask = wijk_of == order[0]
    nl = spec()["nederland"]["values"]
    jitter = 1.0 + 0.03 * np.sin(2.1 * np.arange(int(mask.sum())))
    f = NEAR_MISS_FACTOR * jitter
    for col in ("perc_huishoudens_laag_inkomen", "perc_huishoudens_onder_of_rond_sociaal_minimum"):
        truth.loc[mask, col] = float(nl[col]) * f
    rate = float(nl["aantal_personen_met_een_alg_bijstandsuitkering_tot"]) / float(
        nl["aantal_inwoners"]
    )
    inw = truth.loc[mask, "aantal_inwoners"].to_numpy(float)
    truth.loc[mask, "aantal_personen_met_een_alg_bijstandsuitkering_tot"] = np.round(inw * rate * f)


def _aggregate(truth: pd.DataFrame, key: np.ndarray | pd.Series) -> pd.DataFrame:
    """Unrounded values of groups of buurten: sums of counts, weighted means of averages."""
    sums = [c for c in truth.columns if c not in _W]
    out = truth[sums].groupby(key, sort=True).sum()
    for col, wcol in _W.items():
        w = truth[wcol].to_numpy(float)
        num = pd.Series(truth[col].to_numpy(float) * w).groupby(np.asarray(key)).sum()
        den = pd.Series(w).groupby(np.asarray(key)).sum()
        out[col] = (num / den.where(den > 0)).to_numpy()
    return out


def _round5_parts(total: np.ndarray, parts: np.ndarray) -> np.ndarray:
    """Round ``parts`` (rows) to multiples of 5 that add up to ``total`` (largest remainder)."""
    units = parts / 5.0
    base = np.floor(units)
    short = np.round(total / 5.0) - base.sum(1)
    rem = units - base
    order = np.argsort(-rem, axis=1, kind="stable")
    rank = np.empty_like(order)
    np.put_along_axis(rank, order, np.arange(parts.shape[1])[None, :].repeat(len(parts), 0), 1)
    add = (rank < short[:, None]).astype(float)
    return (base + add) * 5.0


def _finalise(agg: pd.DataFrame, *, rounded: bool, secrets: bool) -> pd.DataFrame:
    """Published values from unrounded ones: shares, densities, CBS rounding and secrecy."""
    a = agg
    won = a["woningvoorraad"].to_numpy(float)

    def pct(num: np.ndarray) -> np.ndarray:
        return 100.0 * num / np.where(won > 0, won, np.nan)

    out = pd.DataFrame(index=a.index)
    inw = a["aantal_inwoners"].to_numpy(float)
    hh = a["aantal_huishoudens"].to_numpy(float)
    land_km2 = a["oppervlakte_land_in_ha"].to_numpy(float) / 100.0
    if rounded:
        inw_r = round5(inw)
        man_r = round5(a["mannen"])
        ages_r = _round5_parts(inw, a[_AGE].to_numpy(float))
        hh_r = round5(hh)
        hh_parts = _round5_parts(hh, a[_HH].to_numpy(float))
        out["aantal_inwoners"] = inw_r
        out["mannen"] = man_r
        out["vrouwen"] = inw_r - man_r
        out[_AGE] = ages_r
        out["aantal_huishoudens"] = hh_r
        out[_HH] = hh_parts
        for c in _COUNT_COLUMNS:
            if c not in out:
                out[c] = round5(a[c])
    else:
        for c in _COUNT_COLUMNS:
            out[c] = np.round(a[c].to_numpy(float))
    out["woningvoorraad"] = won
    land_ha = np.round(a["oppervlakte_land_in_ha"].to_numpy(float))
    water_ha = np.round(a["oppervlakte_water_in_ha"].to_numpy(float))
    out["oppervlakte_land_in_ha"] = land_ha
    out["oppervlakte_water_in_ha"] = water_ha
    out["oppervlakte_totaal_in_ha"] = land_ha + water_ha
    for k, c in enumerate(_AGE):
        out[c.replace("aantal_personen", "percentage_personen")] = np.round(
            100.0 * a[c].to_numpy(float) / np.maximum(inw, 1)
        )
        del k
    for c, name in zip(
        _HH,
        [
            "percentage_eenpersoonshuishoudens",
            "percentage_huishoudens_zonder_kinderen",
            "percentage_huishoudens_met_kinderen",
        ],
        strict=True,
    ):
        out[name] = np.round(100.0 * a[c].to_numpy(float) / np.maximum(hh, 1))
    out["gemiddelde_huishoudsgrootte"] = np.round(inw / np.maximum(hh, 1), 1)
    out["bevolkingsdichtheid_inwoners_per_km2"] = np.round(inw / np.maximum(land_km2, 1e-6))
    koop = np.round(pct(a["_won_koop"]))
    huur = np.minimum(np.round(pct(a["_won_huur"])), 100 - koop)
    corp = np.minimum(np.round(pct(a["_won_corp"])), huur)
    out["percentage_koopwoningen"] = koop
    out["percentage_huurwoningen"] = huur
    out["perc_huurwoningen_in_bezit_woningcorporaties"] = corp
    out["perc_huurwoningen_in_bezit_overige_verhuurders"] = huur - corp
    eg = np.round(pct(a["_won_eengezins"]))
    out["percentage_eengezinswoning"] = eg
    out["percentage_meergezinswoning"] = 100 - eg
    nieuw = np.round(pct(a["_won_nieuw"]))
    out["perc_bouwjaar_afgelopen_10_jaar"] = nieuw
    out["perc_bouwjaar_meer_dan_10_jaar_geleden"] = 100 - nieuw
    out["percentage_onbewoond"] = np.round(pct(a["_won_onbewoond"]))
    gasvrij = np.round(pct(a["_won_gasvrij"]))
    out["percentage_aardgasvrije_woningen"] = gasvrij
    out["percentage_aardgaswoningen"] = 100 - gasvrij
    out["percentage_woningen_met_zonnestroom"] = np.round(pct(a["_won_zon"]))
    stads = np.round(pct(a["_won_stadsverw"]), 1)
    out["percentage_woningen_met_stadsverwarming"] = np.where(stads > 0, stads, np.nan)
    out["gemiddelde_woningwaarde"] = np.round(a["gemiddelde_woningwaarde"].to_numpy(float))
    out["gemiddeld_aardgasverbruik"] = np.round(a["gemiddeld_aardgasverbruik"].to_numpy(float), -1)
    out["gemiddelde_elektriciteitslevering"] = np.round(
        a["gemiddelde_elektriciteitslevering"].to_numpy(float), -1
    )
    for c in [
        "gemiddeld_inkomen_per_inwoner",
        "gemiddeld_inkomen_per_inkomensontvanger",
        "perc_personen_40_laagste_inkomen",
        "perc_personen_20_hoogste_inkomen",
        "perc_huishoudens_laag_inkomen",
        "perc_huishoudens_onder_of_rond_sociaal_minimum",
        "huisartsenpraktijk_gemiddelde_afstand_in_km",
        "grote_supermarkt_gemiddelde_afstand_in_km",
        "kinderdagverblijf_gemiddelde_afstand_in_km",
        "basisonderwijs_gemiddelde_afstand_in_km",
    ]:
        out[c] = np.round(a[c].to_numpy(float), 1)
    out["wmo_clienten_per_1000_inwoners"] = np.round(
        1000.0 * a["aantal_wmo_clienten"].to_numpy(float) / np.maximum(inw, 1)
    )
    out["personenautos_per_huishouden"] = np.round(
        a["personenautos_totaal"].to_numpy(float) / np.maximum(hh, 1), 1
    )
    oad = np.round(a["omgevingsadressendichtheid"].to_numpy(float))
    out["omgevingsadressendichtheid"] = oad
    sted = np.select([oad >= 2500, oad >= 1500, oad >= 1000, oad >= 500], [1, 2, 3, 4], 5)
    out["stedelijkheid_adressen_per_km2"] = sted.astype(float)
    out["mate_van_stedelijkheid"] = sted.astype(float)
    out["dekkingspercentage"] = 1.0
    out["indelingswijziging_wijken_en_buurten"] = "1"
    if secrets:
        small = inw < 50
        few_won = won < 20
        few_inc = inw < 100
        people = [c for c in out.columns if c.startswith("percentage_personen")] + [
            "percentage_eenpersoonshuishoudens",
            "percentage_huishoudens_zonder_kinderen",
            "percentage_huishoudens_met_kinderen",
            "gemiddelde_huishoudsgrootte",
            "aantal_personen_met_een_alg_bijstandsuitkering_tot",
            "aantal_personen_met_een_ao_uitkering_totaal",
            "aantal_personen_met_een_ww_uitkering_totaal",
            "aantal_personen_met_een_aow_uitkering_totaal",
            "personenautos_per_huishouden",
            "wmo_clienten_per_1000_inwoners",
            "aantal_wmo_clienten",
        ]
        dwell = [
            "percentage_koopwoningen",
            "percentage_huurwoningen",
            "perc_huurwoningen_in_bezit_woningcorporaties",
            "perc_huurwoningen_in_bezit_overige_verhuurders",
            "percentage_eengezinswoning",
            "percentage_meergezinswoning",
            "perc_bouwjaar_afgelopen_10_jaar",
            "perc_bouwjaar_meer_dan_10_jaar_geleden",
            "percentage_onbewoond",
            "percentage_aardgasvrije_woningen",
            "percentage_aardgaswoningen",
            "percentage_woningen_met_zonnestroom",
            "gemiddelde_woningwaarde",
            "gemiddeld_aardgasverbruik",
            "gemiddelde_elektriciteitslevering",
        ]
        income = [
            "gemiddeld_inkomen_per_inwoner",
            "gemiddeld_inkomen_per_inkomensontvanger",
            "perc_personen_40_laagste_inkomen",
            "perc_personen_20_hoogste_inkomen",
            "perc_huishoudens_laag_inkomen",
            "perc_huishoudens_onder_of_rond_sociaal_minimum",
            "aantal_inkomensontvangers",
        ]
        for cols, mask in ((people, small), (dwell, few_won), (income, few_inc)):
            for c in cols:
                out.loc[mask, c] = np.nan
    return out


# ================================================================================ country
@dataclass
class SyntheticCountry:
    """Gemeenten, wijken and buurten of a synthetic country, canonical columns, EPSG:28992.

    ``truth`` holds the unrounded buurt values (and hidden helper columns starting with
    ``_``) from which all published values were derived; ``meta`` the generation settings.
    """

    gemeenten: gpd.GeoDataFrame
    wijken: gpd.GeoDataFrame
    buurten: gpd.GeoDataFrame
    truth: pd.DataFrame
    meta: dict[str, Any]


def _name_pool(rng: np.random.Generator, n: int, *, gemeente: bool = False) -> list[str]:
    parts = spec()["name_parts"]
    suffixes = parts["gemeente_suffix"] if gemeente else parts["suffix"]
    out: list[str] = []
    seen: set[str] = set()
    while len(out) < n:
        pre = "" if gemeente else parts["prefix"][rng.integers(len(parts["prefix"]))]
        stem = parts["stem"][rng.integers(len(parts["stem"]))]
        name = f"{pre}{stem}{suffixes[rng.integers(len(suffixes))]}"
        if name in seen:
            name = f"{name} {len(out) + 1}"
        seen.add(name)
        out.append(name)
    return out


def generate_country(
    n_gemeenten: int = 350,
    *,
    n_wijken: int | None = None,
    n_buurten: int | None = None,
    seed: int = 2024,
    center: tuple[float, float] | None = None,
    radius: tuple[float, float] | None = None,
    vertices_per_edge: float = 17.0,
) -> SyntheticCountry:
    """Generate a synthetic country (or one gemeente) with exact, irregular tilings.

    The defaults give a national-size country (350 gemeenten, 3,500 wijken, 15,000 buurten,
    roughly 50-200 vertices per buurt) in a few seconds; ``n_gemeenten=1`` gives one
    gemeente, which is how :func:`make_demo` makes Demodam.

    Parameters
    ----------
    n_gemeenten : int, default 350
        Number of gemeenten (1..350 per code block; codes count down from ``GM9999``).
    n_wijken, n_buurten : int, optional
        Totals; default 10 wijken and ~43 buurten per gemeente.
    seed : int, default 2024
        Random seed; the same seed gives identical output.
    center, radius : tuple of float, optional
        Centre and (x, y) radii in metres (EPSG:28992) of the outline; default the size of
        the Netherlands for many gemeenten, Demodam's placement for one.
    vertices_per_edge : float, default 17
        Typical number of segments per shared edge (controls vertices per buurt).

    Returns
    -------
    SyntheticCountry
        ``gemeenten``, ``wijken``, ``buurten`` GeoDataFrames with canonical columns
        (counts rounded to 5 below gemeente level, secret values NaN) and ``truth``.

    Raises
    ------
    ConfigError
        When the numbers cannot form a valid hierarchy (codes have two digits per level).

    Examples
    --------
    >>> from wijkgeo.demo import generate_country
    >>> c = generate_country(20, seed=1)
    >>> len(c.gemeenten), len(c.wijken) >= 20, c.buurten.crs.to_epsg()
    (20, True, 28992)
    """
    import geopandas as gpd
    import shapely

    cfg = spec()
    n_wijken = int(n_wijken if n_wijken is not None else 10 * n_gemeenten)
    n_buurten = int(n_buurten if n_buurten is not None else round(n_wijken * 4.3))
    if not 1 <= n_gemeenten <= 350:
        raise ConfigError(f"n_gemeenten={n_gemeenten}: kies 1 tot en met 350.")
    if not n_gemeenten <= n_wijken <= 99 * n_gemeenten:
        raise ConfigError(
            f"n_wijken={n_wijken} past niet bij {n_gemeenten} gemeenten: kies minstens één en "
            "hoogstens 99 wijken per gemeente."
        )
    if not n_wijken <= n_buurten <= 60 * n_wijken:
        raise ConfigError(
            f"n_buurten={n_buurten} past niet bij {n_wijken} wijken: kies minstens één en "
            "hoogstens 60 buurten per wijk."
        )
    rng = np.random.default_rng(seed)
    single = n_gemeenten == 1
    if center is None:
        center = tuple(cfg["demodam" if single else "country"]["center_rd"])
    if radius is None:
        if single:
            scale = float(np.sqrt(n_buurten / 40.0))
            radius = tuple(r * scale for r in cfg["demodam"]["radius_m"])
        else:
            radius = tuple(cfg["country"]["radius_m"])
    outline = _outline(rng, center, radius)
    n_towns = max(1, n_gemeenten)
    if single:
        towns = np.array([center], float)
        sigma = 0.3 * min(radius)
    else:
        towns = _seeds(rng, outline, n_towns, np.array([center], float), 1.0, 0.0)
        sigma = 0.25 * np.sqrt(outline.area / n_towns)
    seeds = _seeds(rng, outline, n_buurten, towns, sigma, 0.6)
    faces = _tessellate(rng, outline, seeds, verts=vertices_per_edge)
    cent = shapely.get_coordinates(shapely.centroid(faces))
    pairs = _adjacency(faces)

    wijk_of = _grow_regions(len(faces), pairs, _farthest_points(cent, n_wijken, rng), rng)
    wpairs = np.unique(np.sort(wijk_of[pairs], axis=1), axis=0)
    wpairs = wpairs[wpairs[:, 0] != wpairs[:, 1]]
    wcent = np.array([cent[wijk_of == w].mean(0) for w in range(n_wijken)])
    if single:
        gem_of_w = np.zeros(n_wijken, int)
    else:
        gem_of_w = _grow_regions(n_wijken, wpairs, _farthest_points(wcent, n_gemeenten, rng), rng)
    per_gem = np.bincount(gem_of_w, minlength=n_gemeenten)
    if per_gem.max() > 100:
        raise ConfigError("Te veel wijken in één gemeente (max 100); kies meer gemeenten.")

    # -- codes: gemeenten count down from GM9999; wijken and buurten by distance to centre
    gem_codes = [f"GM{9999 - g:04d}" for g in range(n_gemeenten)]
    gem_names = [cfg["demodam"]["name"], *_name_pool(rng, n_gemeenten - 1, gemeente=True)]
    gcent = np.array([wcent[gem_of_w == g].mean(0) for g in range(n_gemeenten)])
    town_of_g = towns[np.argmin(((gcent[:, None, :] - towns[None]) ** 2).sum(-1), 1)]
    wijk_rank = np.empty(n_wijken, int)
    for g in range(n_gemeenten):
        ws = np.flatnonzero(gem_of_w == g)
        d = np.hypot(*(wcent[ws] - town_of_g[g]).T)
        wijk_rank[ws[np.argsort(d, kind="stable")]] = np.arange(len(ws))
    wijk_codes = np.array(
        [f"WK{gem_codes[gem_of_w[w]][2:]}{wijk_rank[w]:02d}" for w in range(n_wijken)]
    )
    buurt_rank = np.empty(len(faces), int)
    for w in range(n_wijken):
        bs = np.flatnonzero(wijk_of == w)
        if len(bs) > 100:
            raise ConfigError("Te veel buurten in één wijk (max 100); kies meer wijken.")
        d = np.hypot(*(cent[bs] - wcent[w]).T)
        buurt_rank[bs[np.argsort(d, kind="stable")]] = np.arange(len(bs))
    buurt_codes = np.array(
        [f"BU{wijk_codes[wijk_of[b]][2:]}{buurt_rank[b]:02d}" for b in range(len(faces))]
    )

    # -- latent drivers of the statistics
    gem_of_b = gem_of_w[wijk_of]
    d_town = np.hypot(*(cent - town_of_g[gem_of_b]).T)
    urb = np.clip(np.exp(-d_town / (1.6 * sigma)) + rng.normal(0, 0.06, len(faces)), 0, 1)
    wijk_dep = rng.beta(2.0, 4.0, n_wijken)
    if single:
        # Demodam's koppelkans: one inner wijk (not the centre) is clearly the most deprived
        k = min(2, n_wijken - 1)  # WK..02: Duinrand in Demodam
        k_w = int(np.flatnonzero(wijk_rank == k)[0])
        wijk_dep = np.minimum(wijk_dep, 0.45)
        wijk_dep[k_w] = 0.8
    dep = np.clip(wijk_dep[wijk_of] + rng.normal(0, 0.08, len(faces)), 0, 1)
    industrial = np.zeros(len(faces), bool)
    newbuild = np.zeros(len(faces))
    heatnet = np.zeros(len(faces))
    n_ind = max(1, len(faces) // 40)
    cand = np.argsort(-d_town + rng.normal(0, sigma * 0.2, len(faces)))  # outer buurten
    industrial[cand[:n_ind]] = True
    rest = cand[n_ind:]
    if single:  # the koppelkans wijk is old housing stock: no new-build buurt there
        rest = rest[wijk_of[rest] != k_w]
    nb = rng.choice(rest, size=min(len(rest), max(1, len(faces) // 20)), replace=False)
    newbuild[nb] = rng.uniform(0.4, 1.0, len(nb))
    if single:
        pool = np.flatnonzero((wijk_of != k_w) & ~industrial)
        hn = rng.choice(pool, min(2, len(pool)), replace=False)
    else:
        hn = rng.choice(len(faces), max(1, len(faces) // 30), replace=False)
    heatnet[hn] = rng.uniform(0.3, 0.9, len(hn))
    area_ha = shapely.area(faces) / 1e4
    truth = _buurt_truth(rng, area_ha, urb, dep, industrial, newbuild, heatnet)
    truth.index = pd.Index(buurt_codes, name="buurtcode")
    if single and n_wijken > 1:
        _near_miss_wijk(truth, wijk_of, wijk_dep, k_w)
    wk_key = wijk_codes[wijk_of]
    gm_key = np.array(gem_codes)[gem_of_b]

    b_pub = _finalise(truth, rounded=True, secrets=True)
    w_pub = _finalise(_aggregate(truth, wk_key), rounded=True, secrets=True)
    g_pub = _finalise(_aggregate(truth, gm_key), rounded=False, secrets=False)

    names_b = _name_pool(rng, len(faces))
    ind_name = cfg["industrial_buurt_name"]
    wijk_names_spec = cfg["wijk_names"]
    if single:  # Demodam's own wijk names first (Centrum, Havenkwartier, Duinrand, ...)
        fixed = list(wijk_names_spec[:n_wijken])
        names_w = fixed + _name_pool(rng, n_wijken - len(fixed))
    else:
        names_w = _name_pool(rng, n_wijken)
    if single:
        # wijk names follow the code order (Centrum is WK999900)
        names_w = [names_w[wijk_rank[w]] for w in range(n_wijken)]
    for b in np.flatnonzero(industrial):
        names_b[b] = ind_name if single else f"Bedrijventerrein {names_b[b]}"
    gem_name_of = dict(zip(gem_codes, gem_names, strict=True))

    bgeo = gpd.GeoDataFrame(
        {
            "buurtcode": buurt_codes,
            "buurtnaam": names_b,
            "wijkcode": wk_key,
            "gemeentecode": gm_key,
            "gemeentenaam": [gem_name_of[g] for g in gm_key],
        },
        geometry=faces,
        crs=CRS,
    )
    bgeo = bgeo.join(b_pub, on="buurtcode")
    wgeom = [shapely.coverage_union_all(faces[wijk_of == w]) for w in range(n_wijken)]
    wgeo = gpd.GeoDataFrame(
        {
            "wijkcode": wijk_codes,
            "wijknaam": names_w,
            "gemeentecode": [gem_codes[g] for g in gem_of_w],
            "gemeentenaam": [gem_names[g] for g in gem_of_w],
        },
        geometry=wgeom,
        crs=CRS,
    )
    wgeo = wgeo.join(w_pub, on="wijkcode")
    ggeom = [
        shapely.coverage_union_all(np.asarray(wgeom, dtype=object)[gem_of_w == g])
        for g in range(n_gemeenten)
    ]
    ggeo = gpd.GeoDataFrame(
        {"gemeentecode": gem_codes, "gemeentenaam": gem_names}, geometry=ggeom, crs=CRS
    ).join(g_pub, on="gemeentecode")
    postcode = cfg["demodam"]["postcode_prefix"]
    bgeo["meest_voorkomende_postcode"] = [
        f"{postcode}{(wijk_rank[w] * 7 + 11) % 100:02d}" for w in wijk_of
    ]
    wgeo["meest_voorkomende_postcode"] = [
        f"{postcode}{(wijk_rank[w] * 7 + 11) % 100:02d}" for w in range(n_wijken)
    ]
    bgeo = bgeo.sort_values("buurtcode", kind="stable").reset_index(drop=True)
    wgeo = wgeo.sort_values("wijkcode", kind="stable").reset_index(drop=True)
    ggeo = ggeo.sort_values("gemeentecode", kind="stable").reset_index(drop=True)
    truth = truth.assign(
        wijkcode=wk_key,
        gemeentecode=gm_key,
        _urb=urb,
        _dep=dep,
        _industrial=industrial,
        _newbuild=newbuild,
        _heatnet=heatnet,
    ).sort_index()
    meta = {
        "seed": seed,
        "n_gemeenten": n_gemeenten,
        "n_wijken": n_wijken,
        "n_buurten": len(faces),
        "center": list(center),
        "radius": list(radius),
        "generator": "wijkgeo.demo",
    }
    return SyntheticCountry(ggeo, wgeo, bgeo, truth, meta)
