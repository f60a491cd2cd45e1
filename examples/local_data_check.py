"""Check local data before using it, then join it to buurten, wijken and 500 m cells.

1. ``wijkgeo check`` on the demo folder: clean.
2. A copy of the folder with the mistakes Excel exports and many hands make (x and y
   swapped, degrees in an RD column, a typo in a category, a repeated wijk row, a lagen.json
   key misspelt, a phone-number column not marked as personal): the report names file, row,
   column and what to do; lenient reading drops the bad rows and says so.
3. The joins: voorzieningen per buurt (per 1,000 inhabitants), per 500 m cell, initiatives
   active on a date per wijk, project lengths and shares per wijk/buurt, the energietransitie
   table as columns, and the population-weighted distance to the nearest huisarts.

Runs offline on Demodam. For your own gemeente: put ``"gemeente"`` and ``"jaar"`` in your
``lagen.json`` and run ``wijkgeo check mijn_map``.
"""

import json
import logging
import shutil
import tempfile
from pathlib import Path

import wijkgeo
from wijkgeo.joins import (
    active_on,
    distance_to_nearest,
    line_length,
    merge_codes,
    points_per_area,
    points_per_cell,
    polygon_share,
)
from wijkgeo.sources.local import read_local_layers
from wijkgeo.sources.local.check import check_path

DEMO = Path(__file__).resolve().parents[1] / "data_sources" / "demo"
atlas = wijkgeo.make_demo()

# 1. the demo folder is clean
report = check_path(DEMO, atlas=atlas)
print(f"1. {DEMO.name}/: {report.summary()} ({len(report.checked)} bestanden)")

# 2. a bad copy
with tempfile.TemporaryDirectory() as tmp:
    bad = Path(tmp) / "mijn_lagen"
    shutil.copytree(DEMO, bad)
    vz = (bad / "voorzieningen.csv").read_text(encoding="utf-8").splitlines()
    cells = vz[4].split(",")
    cells[3], cells[4] = cells[4], cells[3]  # row 5: x and y swapped
    vz[4] = ",".join(cells)
    cells = vz[5].split(",")
    cells[3], cells[4] = "4.1067", "52.8884"  # row 6: degrees in an RD layer
    vz[5] = ",".join(cells)
    typo = next(i for i, line in enumerate(vz) if ",huisarts," in line)
    vz[typo] = vz[typo].replace(",huisarts,", ",Huisart,")  # a typo in the category
    vz[0] += ",telefoon"
    vz[1:] = [line + ",06-12345678" for line in vz[1:]]
    (bad / "voorzieningen.csv").write_text("\n".join(vz) + "\n", encoding="utf-8")
    et = bad / "energietransitie_wijken.csv"
    lines = et.read_text(encoding="utf-8").splitlines()
    et.write_text("\n".join([*lines, lines[1]]) + "\n", encoding="utf-8")  # a repeated wijk
    config = json.loads((bad / "lagen.json").read_text(encoding="utf-8"))
    layer = config["lagen"]["bewonersinitiatieven"]
    layer["toegestan"] = layer.pop("toegestaan")  # a misspelt key
    (bad / "lagen.json").write_text(json.dumps(config, indent=1), encoding="utf-8")

    report = check_path(bad, atlas=atlas)
    print(f"\n2. kopie met fouten: {report.summary()}")
    for line in report.to_text().splitlines()[1:]:
        print("   " + line.replace(str(bad) + "/", ""))
    logging.getLogger("wijkgeo").setLevel(logging.ERROR)  # the report above says it all
    lenient = read_local_layers(bad, atlas=atlas, strict=False)
    n_in = len(vz) - 1
    print(f"   soepel ingelezen: voorzieningen {len(lenient['voorzieningen'])} van {n_in} rijen")

# 3. joins on the clean demo
local = atlas.local
vz = local["voorzieningen"]
per_buurt = points_per_area(vz, atlas.buurten, by="categorie")
print(
    f"\n3. voorzieningen per buurt: {int(per_buurt['aantal'].sum())} toegewezen, "
    f"{len(per_buurt.attrs['outside'])} buiten de buurten"
)
top = per_buurt.sort_values("huisarts_per_1000", ascending=False).head(3)
print(top[["aantal", "huisarts", "huisarts_per_1000"]].round(2).to_string())
cells = points_per_cell(vz, atlas.vierkanten["500m"])
print(
    f"   500m-cellen met een voorziening: {int((cells['aantal'] > 0).sum())} van {len(cells)}"
    f" (buiten de cellen: {len(cells.attrs['outside'])})"
)
init = local["bewonersinitiatieven"]
active = init[active_on(init, "2024-09-01")]
per_wijk = points_per_area(active, atlas.wijken, population=None)["aantal"]
names = atlas.wijken.set_index("wijkcode")["wijknaam"]
print(
    "   actieve initiatieven op 1-9-2024 per wijk: "
    + ", ".join(f"{names[c]} {n}" for c, n in per_wijk.items() if n)
)
pr = local["projecten"]
lengths = line_length(pr, atlas.wijken, by="thema")
print(
    "   leidingen in Duinrand (m): "
    + ", ".join(
        f"{c.removeprefix('lengte_m_')} {v:,.0f}"
        for c, v in lengths.loc["WK999902"].items()
        if c != "lengte_m" and v > 0
    )
)
shares = polygon_share(pr, atlas.buurten, by="eigenaar")
best = shares["aandeel"].idxmax()
print(f"   grootste projectaandeel: {best} ({shares.at[best, 'aandeel']:.0%} van de buurt)")
et = merge_codes(atlas.wijken, local["energietransitie"])
print(f"   wijken met een warmteplan: {int(et['planjaar'].notna().sum())} van {len(et)}")
dist = distance_to_nearest(atlas.buurten, vz)
far = dist["afstand_huisarts_m"].idxmax()
print(
    f"   verste buurt van een huisarts: {far}, gemiddeld {dist.at[far, 'afstand_huisarts_m']:,.0f}"
    f" m (methode: {dist.at[far, 'methode']})"
)
