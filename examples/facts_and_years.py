"""The fact model and a series of years: what every output reads, computed once.

``build_facts`` takes an Atlas or an ``AtlasSeries`` (an Atlas per year plus the code
crosswalk) and gives, per buurt and wijk, the indicator values with their reasons, the
gemeente and NL references, the ranks, the change since the previous held year (only where
the boundary held), "wat er al is" on the peildatum and the 500 m cell shares; all of it as
JSON. Koppelkansen, profile and map read "wat er al is" from the same rule.

Runs offline on Demodam (a copy of 2024 stands in for 2023). For a real gemeente with two
stored years: ``wijkgeo.Store().read_series("GM0599", [2023, 2024])``.
"""

import json
from dataclasses import replace

import wijkgeo
from wijkgeo.facts import build_facts
from wijkgeo.series import AtlasSeries

now = wijkgeo.make_demo()
earlier = replace(now, meta={**now.meta, "year": 2023})
series = AtlasSeries([earlier, now])
print(series, "- laat", series.latest.year, "zien, vergelijkt met", series.previous().year)

facts = build_facts(series, ["aandeel_65_plus", "inwoners"], peildatum="2025-06-01")
buurt = facts.levels["buurt"]
code = buurt.codes[0]
row = buurt.table.loc[code]
rank = int(row["aandeel_65_plus_rang"])
print(f"{buurt.names[code]}: 65+ {row['aandeel_65_plus']:.1f}% "
      f"(gemeente {row['aandeel_65_plus_gemeente']:.1f}%, plaats {rank})")
here = buurt.present.of(code)
print("Wat er al is op", facts.peildatum, {k: [r["naam"] for r in v] for k, v in here.items()})
print("Cellen:", len(facts.cells[facts.cells["buurtcode"] == code]))
print("JSON:", len(json.dumps(facts.to_dict())) // 1024, "kB")

# the 500 m cells: references and ranks like the buurten (1 = most favourable)
cells = facts.levels["vierkant"].table.dropna(subset=["aandeel_65_plus"])
best = cells.sort_values("aandeel_65_plus_rang").iloc[0]
print(f"Vierkant {best.name}: 65+ {best['aandeel_65_plus']:.0f}% "
      f"(gemeente {best['aandeel_65_plus_gemeente']:.1f}%, plaats "
      f"{int(best['aandeel_65_plus_rang'])} van {int(best['aandeel_65_plus_rang_van'])})")

# the map's grid layer draws exactly these cells (every cell over the gemeente), with the
# facts' values and the reason a cell has none: a share of few inhabitants is "te weinig inwoners"
level = facts.levels["vierkant"]
why = level.reasons["aandeel_65_plus"].value_counts()
print(f"{len(level.codes)} vierkanten op de kaart; zonder 65+-aandeel:", why.to_dict())

# the map renders these facts: the same values, references and earlier year
from wijkgeo.maps.payload import map_payload  # noqa: E402

data = map_payload(series, ["aandeel_65_plus"])
entry = data.entries[0]
print("Kaart: gemeente", entry["gem"], "== feiten", round(row["aandeel_65_plus_gemeente"]))
