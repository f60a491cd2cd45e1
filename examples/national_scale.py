"""A map with thousands of buurten: a synthetic country of 2,000 buurten on Leaflet's canvas.

Generates a fictional country (50 gemeenten, 400 wijken, 2,000 buurten, exact tilings, KWB-like
figures) with :func:`wijkgeo.demo.synthetic.generate_country`, maps one indicator with
``MapOptions(canvas=True)`` (one canvas instead of 2,000 SVG paths, folium #1176) and
prints how long each step took and how big the HTML is. The same call works for a real
region: pass the buurten of several gemeenten through ``Atlas.from_frames``.
"""

import time
from pathlib import Path

import shapely

from wijkgeo import Atlas
from wijkgeo.demo.synthetic import generate_country
from wijkgeo.indicators import format_number
from wijkgeo.maps import MapOptions, indicator_map, save_map

KEY = "aandeel_huishoudens_laag_inkomen"

t0 = time.perf_counter()
country = generate_country(50, n_wijken=400, n_buurten=2000, seed=7)
t_gen = time.perf_counter() - t0
buurten = country.buurten
vertices = int(shapely.get_num_coordinates(buurten.geometry.to_numpy()).sum())
print(
    f"Land gegenereerd in {t_gen:.1f} s: {len(country.gemeenten)} gemeenten, "
    f"{len(country.wijken)} wijken, {len(buurten)} buurten, {format_number(vertices)} punten"
)

t0 = time.perf_counter()
fmap = indicator_map(
    Atlas.from_frames(buurten, source="wijkgeo.demo.synthetic, geen echte gegevens"),
    KEY,
    options=MapOptions(canvas=True, title="Laag inkomen per buurt (fictief land)"),
)
t_map = time.perf_counter() - t0
t0 = time.perf_counter()
path = save_map(fmap, Path("maps") / "fictief_land.html")
t_save = time.perf_counter() - t0
size = path.stat().st_size
# the first map of a session also imports mapclassify/scipy (about 2 s of the build time)
print(f"Kaart gebouwd in {t_map:.1f} s, opgeslagen in {t_save:.1f} s: {path} ({size / 1e6:.1f} MB)")
print(f"Totaal {t_gen + t_map + t_save:.1f} s; canvas-renderer: één <canvas> in plaats van paden")
