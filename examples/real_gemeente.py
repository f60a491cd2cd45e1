"""A real gemeente end to end, offline: Rotterdam with its own layers, Nederland and the grid.

The route a wijkregisseur takes with downloaded files (README, "Een echte gemeente van begin
tot eind")::

    wijkgeo import WijkBuurtkaart_2024_v1.gpkg --gemeente GM0599 --jaar 2024
    wijkgeo import cbs_vk500_2024_v1.gpkg cbs_vk100_2024_v1.gpkg --jaar 2024
    wijkgeo lagen rotterdam_lagen
    wijkgeo koppelkansen GM0599 --jaar 2024 --format csv
    wijkgeo map GM0599 --jaar 2024
    wijkgeo profile GM0599 --jaar 2024 --buurt BU05991571

This script runs those commands. CBS's downloads are not reachable here, so it first makes
stand-ins in the same layout from the real Rotterdam-region files in ``$WIJKGEO_REALDATA``
(``raw/nprz``: every gemeente of 2024 with its figures, the real wijken and buurten of the
region, the CBS 500 m and 100 m cells) and writes a small layer folder of Rotterdam's own
(the real secondary-school points of ``raw/rijnmond_voorzieningen`` as voorzieningen, a
Dutch CSV of warmtetransitie plans, projects as GeoJSON). Without ``$WIJKGEO_REALDATA`` it
says so and stops.
"""

import json
import os
import sys
from pathlib import Path

import geopandas as gpd
import pandas as pd

from wijkgeo.cli import main

realdata = os.environ.get("WIJKGEO_REALDATA")
if not realdata or not (Path(realdata) / "raw" / "nprz").is_dir():
    print("Zet WIJKGEO_REALDATA op de map met de echte gegevens; dit voorbeeld slaat nu over.")
    sys.exit(0)
raw = Path(realdata) / "raw" / "nprz"
work = Path("echte_gemeente")
work.mkdir(exist_ok=True)

# -- stand-ins for CBS's downloads (same layers, columns, -99997 for secrets) ---------------
kaart = work / "WijkBuurtkaart_2024_v1.gpkg"
for level, layer in (("gemeente", "gemeenten"), ("wijk", "wijken"), ("buurt", "buurten")):
    geo = gpd.read_file(raw / f"{level}_2024.geojson")
    stats = pd.read_parquet(raw / f"{level}_2024_stats.parquet")
    frame = gpd.GeoDataFrame(stats.assign(jaar=2024), geometry=geo.geometry.to_numpy(), crs=4326)
    frame.to_crs(28992).to_file(kaart, layer=layer, driver="GPKG")
grids = []
for res in (500, 100):
    from wijkgeo.grid.codes import cell_polygons

    stats = pd.read_parquet(raw / f"grid_{res}m_rijnmond_stats.parquet")
    col = f"crs28992res{res}m"
    stats[stats.columns.drop(col)] = stats[stats.columns.drop(col)].astype(float).fillna(-99997)
    cells = gpd.GeoDataFrame(stats, geometry=cell_polygons(stats[col], res).to_numpy(), crs=28992)
    grids.append(work / f"cbs_vk{res}_2024_v1.gpkg")
    cells.to_file(grids[-1], layer=f"vierkant_{res}m", driver="GPKG")

store = ["--store", str(work / "store")]
assert main(["-q", "import", str(kaart), "--gemeente", "GM0599", "--jaar", "2024", *store]) == 0
assert main(["-q", "import", *map(str, grids), "--jaar", "2024", *store]) == 0

# -- Rotterdam's own layers ------------------------------------------------------------------
import wijkgeo  # noqa: E402

atlas = wijkgeo.load("GM0599", 2024, store=work / "store")
lagen = work / "rotterdam_lagen"
lagen.mkdir(exist_ok=True)
schools = gpd.read_file(Path(realdata) / "raw/rijnmond_voorzieningen/scholenonderwijs_vo.geojson")
schools = schools[schools.within(atlas.gemeente.to_crs(4326).geometry.union_all())]
schools = schools.assign(
    id=[f"VO{i:03d}" for i in range(len(schools))],
    naam=schools["VESTIGINGSNAAM"],
    categorie="voortgezet onderwijs",
)
for col in schools.columns.drop("geometry"):
    schools[col] = schools[col].astype(str)
schools.to_file(lagen / "voorzieningen.geojson", driver="GeoJSON")
(lagen / "energietransitie.csv").write_text(
    "wijkcode;planjaar;strategie;toelichting\n"
    "WK059915;2027;warmtenet;Charlois: aansluiten op het warmtenet\n"
    "WK059903;2028;warmtenet;Delfshaven: eerste buurten\n",
    encoding="utf-8",
)
buurten = atlas.buurten.set_index("buurtnaam").geometry
projects = gpd.GeoDataFrame(
    {
        "id": ["P1", "P2"],
        "naam": ["Riolering Tarwewijk", "Renovatie portiekflats Tarwewijk"],
        "eigenaar": ["gemeente", "corporatie"],
        "thema": ["riolering", "renovatie"],
        "status": ["gepland", "gepland"],
        "startjaar": [2026, 2026],
        "eindjaar": [2028, 2029],
    },
    geometry=[buurten["Tarwewijk"].buffer(-50).boundary, buurten["Tarwewijk"].buffer(-60)],
    crs=28992,
)
projects.to_file(lagen / "projecten.geojson", driver="GeoJSON")
spec = {
    "gemeente": "GM0599",
    "jaar": 2024,
    "lagen": {
        "voorzieningen": {"bestand": "voorzieningen.geojson", "type": "punten",
                          "verplicht": ["id", "naam", "categorie"],
                          "persoonsgegevens": ["TELEFOONNUMMER"]},
        # named like a kind: type, code column, year columns and allowed values come from
        # wijkgeo/kinds.json (what koppelkansen, map and profile read)
        "energietransitie": {"bestand": "energietransitie.csv",
                             "verplicht": ["wijkcode", "planjaar", "strategie"]},
        "projecten": {"bestand": "projecten.geojson",
                      "verplicht": ["id", "naam", "eigenaar", "thema", "status"]},
    },
}  # fmt: skip
(lagen / "lagen.json").write_text(json.dumps(spec, indent=2), encoding="utf-8")

# -- the route -------------------------------------------------------------------------------
assert main(["-q", "lagen", str(lagen), *store]) == 0
out = str(work / "koppelkansen.csv")
assert main(["-q", "koppelkansen", "GM0599", "--jaar", "2024", "--uitvoer", out, *store]) == 0
kansen = pd.read_csv(out, sep=";", decimal=",")
print(f"{len(kansen)} koppelkansen in Rotterdam, {kansen['regel'].nunique()} regels:")
print(kansen.groupby("regel").size().to_string())
tarwe = kansen[kansen["naam"] == "Tarwewijk"]
print(tarwe.iloc[0]["uitleg"][:300] if len(tarwe) else "Tarwewijk: geen koppelkansen")
assert main(["-q", "map", "GM0599", "--jaar", "2024", "--uitvoer",
             str(work / "GM0599_2024.html"), *store]) == 0  # fmt: skip
assert main(["-q", "profile", "GM0599", "--jaar", "2024", "--buurt", "BU05991571",
             "--uitvoer", str(work / "profielen"), *store]) == 0  # fmt: skip
print(wijkgeo.load("GM0599", 2024, store=work / "store"))
print(atlas.meta["nederland"]["bron"])
