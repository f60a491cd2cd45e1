"""Local layers of the gemeente: voorzieningen, bewonersinitiatieven, energietransitie.

Reads the demo's ``data_sources/demo`` folder (the same format a gemeente fills in for its own
data) with :func:`wijkgeo.sources.local.read_local_layers`, then:

1. counts voorzieningen per buurt and per categorie (:mod:`wijkgeo.joins`);
2. lists the active bewonersinitiatieven per wijk;
3. shows which wijken have an energietransitie plan (planjaar, strategie) and which do not.

Runs offline on the fictional gemeente Demodam. For a real gemeente, point ``FOLDER`` at your
own copy of the folder and use ``wijkgeo.load("GM....", 2024)``.
"""

from pathlib import Path

import pandas as pd

import wijkgeo
from wijkgeo.demo.demodam import REFERENCE_DATE
from wijkgeo.joins import active_on, assign_points, points_per_area
from wijkgeo.sources.local import read_local_layers

FOLDER = Path(__file__).resolve().parents[1] / "data_sources" / "demo"

atlas = wijkgeo.make_demo()
layers = read_local_layers(FOLDER, gemeente="GM9999")
wijknamen = atlas.wijken.set_index("wijkcode")["wijknaam"]
print(f"Lagen uit {FOLDER.name}/: " + ", ".join(f"{k} ({len(v)})" for k, v in layers.items()))

# 1. Voorzieningen per buurt and per categorie (wijkgeo.joins: a point on a border counts for
#    exactly one buurt, a point outside every buurt is reported, never dropped).
voorzieningen = layers["voorzieningen"]
per_buurt = points_per_area(voorzieningen, atlas.buurten, by="categorie", population=None)
if per_buurt.attrs["outside"]:
    names = list(voorzieningen.loc[per_buurt.attrs["outside"], "naam"])
    print(f"  {len(names)} voorziening(en) buiten de gemeente: {names}")
per_buurt.index = atlas.buurten["buurtnaam"].to_numpy()
per_buurt = per_buurt.rename(columns={"aantal": "totaal"})
print(f"\nVoorzieningen per buurt en categorie ({len(voorzieningen)} in totaal):")
print(per_buurt.sort_values("totaal", ascending=False).head(10).to_string())
zonder = per_buurt.index[per_buurt["totaal"] == 0]
print(f"  {len(zonder)} van {len(per_buurt)} buurten zonder voorziening: {', '.join(zonder[:8])}")
print("\nPer categorie:", voorzieningen["categorie"].value_counts().to_dict())

# 2. Active bewonersinitiatieven per wijk (status 'actief', as the registry indicator counts).
init = layers["bewonersinitiatieven"]
today = pd.Timestamp.today().normalize()
actief = init[init["status"] == "actief"].copy()
actief["wijkcode"] = assign_points(actief, atlas.wijken)
print(f"\nActieve bewonersinitiatieven: {len(actief)} van {len(init)}")
for wijkcode, group in actief.sort_values("startdatum").groupby("wijkcode"):
    print(f"  {wijknamen.get(wijkcode, wijkcode)} ({wijkcode}): {len(group)}")
    for row in group.itertuples():
        eind = "onbekend" if pd.isna(row.einddatum) else f"{row.einddatum:%d-%m-%Y}"
        # the status is what the gemeente entered; a past end date means: check the status
        check = " - einddatum verstreken, status nog juist?" if row.einddatum < today else ""
        print(f"    - {row.naam} ({row.thema}; sinds {row.startdatum:%d-%m-%Y}, tot {eind}){check}")
lopend = active_on(init, REFERENCE_DATE)
print(f"  lopend op {REFERENCE_DATE:%d-%m-%Y} volgens de datums: {int(lopend.sum())}")
zonder_init = sorted(set(atlas.wijken["wijkcode"]) - set(actief["wijkcode"].dropna()))
print(f"  wijken zonder actief initiatief: {[wijknamen[c] for c in zonder_init]}")

# 3. Energietransitie: which wijken have a plan, when, and how.
plan = layers["energietransitie"].set_index("wijkcode")
wijken = atlas.wijken[["wijkcode", "wijknaam"]].join(plan, on="wijkcode")
print("\nEnergietransitie per wijk:")
for row in wijken.sort_values("planjaar", na_position="last").itertuples():
    if pd.isna(row.planjaar):
        print(f"  {row.wijknaam:<20} geen plan")
    else:
        print(f"  {row.wijknaam:<20} {int(row.planjaar)}  {row.strategie}")
print(f"  {int(wijken['planjaar'].notna().sum())} van {len(wijken)} wijken hebben een plan")
