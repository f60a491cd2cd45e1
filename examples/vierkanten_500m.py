"""The CBS 500 m grid (vierkantstatistieken) of the demo gemeente, and a GeoPackage for QGIS.

1. Cell codes (``E0655N5445``: lower-left corner in hectometres, EPSG:28992) become squares
   with :func:`wijkgeo.grid.codes.cell_polygons`;
2. inhabitants per cell, and the cells with the most;
3. the sum over the cells compared with the gemeente's own total, and why they differ;
4. everything written to ``vierkanten_500m.gpkg`` (cells + gemeente outline) to open in QGIS.

Runs offline on the fictional gemeente Demodam; with ``wijkgeo.load("GM....", 2024)`` the same
works for a real gemeente after ``wijkgeo refresh`` fetched its grid.
"""

from pathlib import Path

import pyogrio

import wijkgeo
from wijkgeo.grid.codes import cell_polygons, parse_cell
from wijkgeo.indicators import format_number

atlas = wijkgeo.make_demo()
cells = atlas.vierkanten["500m"]
print(f"{atlas.name}: {len(cells)} cellen van 500 m x 500 m")

# 1. From code to square: the code is the lower-left corner, the cell is 500 m wide.
code = cells["celcode"].iloc[0]
x, y = parse_cell(code)
print(f"  cel {code}: linksonder ({x}, {y}) m RD, vlak {cell_polygons([code], 500).iloc[0]}")
squares = cell_polygons(cells["celcode"], 500)
same = squares.geom_equals(cells.geometry.reset_index(drop=True)).all()
print(f"  vlakken uit de codes gelijk aan de geleverde geometrie: {'ja' if same else 'NEE'}")

# 2. Inhabitants per cell. CBS rounds to 5 and keeps small numbers secret (NaN, never 0).
inw = cells["aantal_inwoners"]
bewoond = cells[inw > 0]
print(
    f"\nInwoners per cel: {int(inw.notna().sum())} cellen met een getal, "
    f"{int(inw.isna().sum())} geheim (kleine aantallen), mediaan {inw.median():.0f}, "
    f"hoogste {inw.max():.0f}"
)
top = bewoond.nlargest(5, "aantal_inwoners")[["celcode", "aantal_inwoners", "aantal_woningen"]]
print(top.to_string(index=False))

# 3. Sum over the cells versus the gemeente total.
total = float(atlas.gemeente["aantal_inwoners"].iloc[0])
known = float(inw.sum())  # NaN (secret) cells do not count
n_secret = int(inw.isna().sum())
n_rounded = int(inw.notna().sum())
outline = atlas.gemeente.geometry.iloc[0]
on_border = int((~cells.geometry.within(outline)).sum())
diff = known - total
print(
    f"\nSom van de cellen: {format_number(known)} inwoners; gemeente (CBS kerncijfers): "
    f"{format_number(total)}; verschil {'+' if diff > 0 else ''}{format_number(diff)} "
    f"({format_number(100 * diff / total, 1)}%)"
)
print("Waarom de som niet precies klopt (en ook niet hoort te kloppen):")
print(
    f"  - afronding: elke cel is op 5 afgerond; {n_rounded} cellen x tot 2,5 = tot "
    f"{format_number(2.5 * n_rounded)} inwoners verschil, in beide richtingen;"
)
print(
    f"  - geheimhouding: {n_secret} cellen met een klein aantal staan als geheim (NaN, niet 0) "
    "in het bestand en tellen niet mee;"
)
print(
    f"  - {on_border} cellen liggen op de gemeentegrens: hun inwoners wonen deels in de "
    "buurgemeente, de cel telt ze allemaal;"
)
print(
    "  - het kerncijfer van de gemeente is niet afgerond en niet geheim. Tel daarom nooit "
    "cellen op om een gemeente- of buurttotaal te maken: neem het CBS-totaal."
)

# 4. GeoPackage for QGIS: cells and the gemeente outline, both EPSG:28992.
out = Path("vierkanten_500m.gpkg").resolve()
cells.to_file(out, layer="vierkanten_500m", driver="GPKG")
atlas.gemeente[["gemeentecode", "gemeentenaam", "geometry"]].to_file(
    out, layer="gemeentegrens", driver="GPKG"
)
layers = {n: pyogrio.read_info(out, layer=n)["features"] for n, _ in pyogrio.list_layers(out)}
print(f"\nGeschreven: {out} met lagen {layers} (open in QGIS: Kaartlagen > Laag toevoegen)")
