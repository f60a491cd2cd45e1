"""Quickstart: the fictional gemeente Demodam, from nothing to a map, offline.

Copy this script and replace ``make_demo()`` by ``wijkgeo.load("GM0772", 2024)`` after a
``wijkgeo refresh GM0772 --jaar 2024`` to do the same for a real gemeente.
"""

from pathlib import Path

import wijkgeo
from wijkgeo.maps import indicator_map, save_map

atlas = wijkgeo.make_demo()  # Demodam, GM9999, 2024; EPSG:28992
print(atlas)

buurten = atlas.buurten
print(buurten[["buurtcode", "buurtnaam", "aantal_inwoners"]].head())
print("inwoners volgens de gemeente-rij:", int(atlas.gemeente["aantal_inwoners"].iloc[0]))

fmap = indicator_map(atlas, "aandeel_huishoudens_laag_inkomen")
path = save_map(fmap, Path("maps") / "quickstart.html")
print("kaart:", path)
