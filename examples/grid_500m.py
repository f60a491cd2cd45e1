"""Buurt figures on the CBS 500 m grid: where within a buurt things concentrate.

1. the gemeente's cells, aligned to CBS's vierkanten (``celcode`` = lower-left corner in
   hectometres), with :func:`wijkgeo.grid.cells`;
2. buurt inhabitants (a count) and the share of 65+ (a rate) interpolated to the cells with
   :func:`wijkgeo.grid.area_interpolate`: counts split by area, totals kept, rates averaged;
3. one table for many variables: :func:`wijkgeo.grid.interpolation_weights` once, reused;
4. :func:`wijkgeo.grid.atlas_grid`: interpolated buurt figures (``*_uit_buurten``) beside
   CBS's own cell statistics (``cbs_*``), and how far they differ;
5. points (the voorzieningen) counted per cell, and the reverse: cells back to buurten;
6. the grid layer in a GeoPackage to open in QGIS.

Runs offline on the fictional gemeente Demodam; with ``wijkgeo.load("GM....", 2024)`` the same
works for a real gemeente. With its 100 m vierkanten, ``atlas_grid(atlas,
weights="aantal_woningen")`` puts inhabitants where the dwellings are (dasymetric).
"""

from pathlib import Path

import numpy as np

import wijkgeo
from wijkgeo.grid import area_interpolate, atlas_grid, cells, interpolation_weights
from wijkgeo.indicators import format_number

atlas = wijkgeo.make_demo()
buurten = atlas.buurten

# 1. The cells that cover the gemeente.
grid = cells(atlas.gemeente, size=500)
print(f"{atlas.name}: {len(grid)} cellen van 500 m, bv. {', '.join(grid['celcode'][:3])}")

# 2. Counts and rates from buurten to cells.
out = area_interpolate(
    buurten, grid, extensive=["aantal_inwoners"], intensive=["percentage_personen_65_jaar_en_ouder"]
)
total_b, total_c = buurten["aantal_inwoners"].sum(), out["aantal_inwoners"].sum()
print(
    f"Inwoners: buurten samen {format_number(total_b)}, cellen samen "
    f"{format_number(round(total_c))} (gelijk: {'ja' if np.isclose(total_b, total_c) else 'NEE'})"
)
top = out.nlargest(3, "aantal_inwoners")[["celcode", "aantal_inwoners"]].round(0)
print("Drukste cellen (geschat uit de buurten):")
print(top.to_string(index=False))
missing = out.attrs["wijkgeo_missing"]["percentage_personen_65_jaar_en_ouder"]
print(
    f"65+-aandeel: {int(out['percentage_personen_65_jaar_en_ouder'].notna().sum())} cellen met "
    f"een waarde; ontbrekend (geheim) voor {100 * missing['missing_share']:.1f}% van de oppervlakte"
)

# 3. One table, many variables (and every year with the same buurtgrenzen).
counts = [c for c in buurten.columns if c.startswith("aantal_")]
table = interpolation_weights(buurten, grid)
many = area_interpolate(buurten, grid, extensive=counts, table=table)
print(f"Met één tabel ({table.measure.nnz} buurt x cel-stukken): {len(counts)} aantallen per cel")
assert np.allclose(many["aantal_inwoners"], out["aantal_inwoners"], equal_nan=True)

# 4. Interpolated buurt figures beside CBS's own cell statistics.
g = atlas_grid(atlas, size=500, variables=["aantal_inwoners", "woningvoorraad"])
both = g.dropna(subset=["cbs_aantal_inwoners"])
diff = (both["aantal_inwoners_uit_buurten"] - both["cbs_aantal_inwoners"]).abs()
print(
    f"atlas_grid: {len(g)} cellen; kolommen aantal_inwoners_uit_buurten (geschat) en "
    f"cbs_aantal_inwoners (CBS zelf). In {len(both)} cellen met een CBS-getal is het verschil "
    f"mediaan {diff.median():.0f} inwoners: een buurtgemiddelde verbergt waar mensen wonen."
)

# 5. Points per cell, and cells back to buurten.
voorz = atlas.local["voorzieningen"]
per_cell = area_interpolate(voorz, grid)
busiest = per_cell.loc[per_cell["aantal_punten"].idxmax()]
print(
    f"Voorzieningen: {int(per_cell['aantal_punten'].sum())} punten in "
    f"{int((per_cell['aantal_punten'] > 0).sum())} cellen; meeste in {busiest['celcode']} "
    f"({int(busiest['aantal_punten'])})"
)
cbs = atlas.vierkanten["500m"]
back = area_interpolate(cbs, buurten, extensive=["aantal_inwoners"])
print(
    f"Terug van CBS-cellen naar buurten: {format_number(round(back['aantal_inwoners'].sum()))} "
    f"inwoners (minder dan de buurten: geheime cellen tellen niet mee, en cellen op de "
    "gemeentegrens liggen deels buiten de buurten)"
)

# 6. The grid layer in a GeoPackage.
path = Path("raster_500m.gpkg").resolve()
g.to_file(path, layer="raster_500m", driver="GPKG")
print(f"Geschreven: {path} (laag raster_500m; of: wijkgeo export GM9999 --jaar 2024 "
      "--format gpkg --raster 500)")
