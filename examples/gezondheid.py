"""Health, loneliness, informal care and volunteering per buurt: RIVM model estimates.

The RIVM/GGD "Gezondheid per wijk en buurt" estimates (CBS third-party catalogue, tables
50090NED, 50120NED, 50150NED) beside the CBS figures, as a wijkregisseur should read them:
with the word "schatting", the year, and the 95 % margin where the RIVM publishes one.

1. one buurt's loneliness among 65-plussers, with its bounds and where the value comes from;
2. the brede welvaart themes of CBS over all indicators, and what has no buurt figures;
3. the koppelkansen that use the estimates, with their explanation;
4. the import route: a downloaded copy of the table (here Demodam's, as CSV) read into the
   store with ``wijkgeo import BESTAND --gemeente GM....``.

Runs offline on Demodam, whose figures are generated in the format of 50150NED. For a real
gemeente: ``wijkgeo refresh GM0599 --jaar 2024 --gezondheid`` or ``wijkgeo import
50090NED_2020_65+.xlsx --gemeente GM0599`` (see the README).
"""

import tempfile
from pathlib import Path

import pandas as pd

import wijkgeo
from wijkgeo.demo.gezondheid import health_rows
from wijkgeo.indicators import (
    brede_welvaart,
    estimate_bounds,
    format_estimate,
    get_indicator,
)
from wijkgeo.sources.rivm_store import import_gezondheid
from wijkgeo.store import Store

atlas = wijkgeo.make_demo()
table = atlas.local["gezondheid"]
print(
    f"{atlas.name}: RIVM-tabel {table['gezondheid_tabel'].iloc[0]}, "
    f"jaar {table['gezondheid_jaar'].iloc[0]}, op de grenzen van "
    f"{table['gezondheid_indeling'].iloc[0]}\n"
)

# 1. One buurt: the estimate, its margin and its provenance.
key = "eenzaam_65plus"
ind = get_indicator(key)
values = atlas.indicators([key])
lower, upper = estimate_bounds(atlas.buurten, key, local=atlas.local)
i = int(values[key].idxmax())
code = values.at[i, "buurtcode"]
year = int(table["gezondheid_jaar"].iloc[0])
print(f"{ind.label} in {values.at[i, 'buurtnaam']} ({code}):")
print("  " + format_estimate(key, values.at[i, key], lower.iloc[i], upper.iloc[i], year))
print("  herkomst: " + table.set_index("code").at[code, "herkomst"])
print("  let op: " + ind.caveats.split(":")[0] + ".\n")

# 2. The brede welvaart themes: how many indicators each has, and what is missing per buurt.
print("Brede welvaart (CBS-thema's):")
for theme in brede_welvaart().values():
    n = len(theme["indicators"])
    print(f"  {theme['label']:22s} {n:2d} indicatoren")
    if n == 0:
        print(f"    geen buurtcijfers: {theme['not_at_buurt']}")
print()

# 3. Koppelkansen on the estimates: the explanation says "schatting" and gives the margin.
result = atlas.koppelkansen()
health_rules = [
    "eenzame_ouderen_zonder_ontmoetingsplek",
    "mantelzorgers_ontlasten",
    "rondkomen_en_van_het_gas",
    "vrijwilligers_voor_continuiteit",
]
for rule in health_rules:
    hits = result.matches[result.matches["regel"] == rule]
    if len(hits):
        print(f"{hits['titel'].iloc[0]}:\n  {hits['uitleg'].iloc[0][:260]}...\n")

# 4. The import route, as with a real download: a copy of the table (CSV) into the store.
rows, _titles = health_rows(atlas.gemeente, atlas.wijken, atlas.buurten, atlas.local)
with tempfile.TemporaryDirectory() as tmp:
    store = Store(Path(tmp) / "store")
    plain = wijkgeo.make_demo()
    del plain.local["gezondheid"], plain.local["gezondheid_bron"]
    store.write_atlas(plain)
    copy = Path(tmp) / "50150NED_TypedDataSet.csv"
    pd.DataFrame(rows).to_csv(copy, sep=";", index=False)
    print(import_gezondheid(copy, "GM9999", store=store))

# 5. A table on another year's areas (50090NED: the areas of 2020), with Demodam's 2020
#    areas stored: buurten that held take the published value, a merged buurt and two
#    buurten that swapped codes get theirs through the series (omgerekend, marked).
from wijkgeo.demo.years import demo_years  # noqa: E402

then = demo_years(wijkgeo.make_demo(), [2020])[2020]
rows, _titles = health_rows(then.gemeente, then.wijken, then.buurten, atlas.local)
old = pd.DataFrame(rows)
old = old[(old["Marges"] == "MW00000") & (old["Perioden"] == "2024JJ00")]
old["Perioden"] = "2020JJ00"  # 50090NED publishes estimates only, on the 2020 areas
with tempfile.TemporaryDirectory() as tmp:
    store = Store(Path(tmp) / "store")
    plain = wijkgeo.make_demo()
    del plain.local["gezondheid"], plain.local["gezondheid_bron"]
    store.write_atlas(plain)
    store.write_atlas(then)
    copy = Path(tmp) / "50090NED_2020.csv"
    old.to_csv(copy, sep=";", index=False)
    print(import_gezondheid(copy, "GM9999", store=store))
    table = store.read_atlas("GM9999", 2024).local["gezondheid"]
    carried = table[(table["level"] == "buurt") & (table["status"] == "omgerekend")]
    for row in carried.head(3).itertuples():
        print(f"  {row.code}: {row.eenzaam_65plus:.1f}% - {row.herkomst}")
