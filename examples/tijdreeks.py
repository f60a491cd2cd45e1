"""Years on today's boundaries: Demodam 2015-2024 as one long table with provenance.

Demodam's earlier years have a split (2020), a merge (2021) and a re-used code (2022). Every
figure of 2015-2023 is put on the buurten of 2024: ``gemeten`` where the area kept its code,
name and geometry, ``hercodeerd`` where only the code changed, ``omgerekend`` where the
boundary changed (counts carried by area or by 100 m cells, shares recomputed from carried
numerators and denominators), ``ontbreekt`` with the reason.

For a real gemeente (Schiedam, GM0606) the route is::

    wijkgeo import buurt_2015.zip --gemeente GM0606 --jaar 2015     # older shapefile layout
    wijkgeo import WijkBuurtkaart_2024_v1.gpkg --gemeente GM0606 --jaar 2024
    wijkgeo tijdreeks GM0606 --jaren 2015-2024 --format xlsx

or, online, every year from CBS and PDOK (2015-2018 from CBS's zipped kaart; for Voorne aan
Zee, GM1992, the gemeenten that lay on its area before the 2023 merger come along)::

    wijkgeo refresh GM1992 --jaren 2015-2024
    wijkgeo tijdreeks GM1992 --jaren 2015-2024 --format json

A year that is not stored is left out and named with the command that gets it (on screen,
in the JSON field ``ontbrekende_jaren`` and on the xlsx sheet "Toelichting").

Runs offline in a temporary store.
"""

import json
import tempfile
from pathlib import Path

import wijkgeo
from wijkgeo.demo.years import demo_years
from wijkgeo.series import crosswalk, tijdreeks
from wijkgeo.series.carry import meaningful
from wijkgeo.series.timeseries import write_tijdreeks
from wijkgeo.store import Store

with tempfile.TemporaryDirectory() as folder:
    store = Store(folder)
    atlas = wijkgeo.make_demo()
    store.write_atlas(atlas)
    years = demo_years(atlas)  # 2015-2023, each on its own boundaries
    for earlier in years.values():
        store.write_atlas(earlier)

    cw = crosswalk(years[2015].buurten, atlas.buurten)
    print("Kruistabel 2015 -> 2024 (alleen wat niet gemeten is):")
    print(cw[cw.herkomst != "gemeten"].round(3).to_string(index=False))

    frame = tijdreeks("GM9999", "2015-2024", store=store)
    print(f"\nTijdreeks: {len(frame)} rijen; herkomst: {frame.herkomst.value_counts().to_dict()}")
    inw = frame[(frame.niveau == "buurt") & (frame.indicator == "inwoners")]
    print("Inwoners in alle buurten per jaar:", inw.groupby("jaar").waarde.sum().round().to_dict())

    key = "aandeel_huishoudens_laag_inkomen"
    laag = frame[(frame.niveau == "buurt") & (frame.indicator == key)]
    table = laag.pivot(index="code", columns="jaar", values="waarde")
    change = meaningful(key, table[2015], table[2024])
    print(f"Buurten waar laag inkomen 2015-2024 betekenisvol veranderde: {int(change.sum())}")

    # 2014 is not in the store: left out, and named with the command that gets it
    small = tijdreeks("GM9999", "2014,2015,2024", store=store, indicators=["inwoners"])
    path = write_tijdreeks(small, Path(folder) / "reeks.json")
    body = json.loads(path.read_text(encoding="utf-8"))
    print("Niet in de store:", body["ontbrekende_jaren"])
