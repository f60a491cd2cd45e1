"""Indicators on the demo gemeente: values, fair comparisons, similar buurten and a composite.

Runs offline on the fictional gemeente Demodam. Replace ``make_demo()`` by
``wijkgeo.load("GM0772", 2024)`` to do the same for a real gemeente.
"""

import wijkgeo
from wijkgeo.indicators import (
    comparison_table,
    format_value,
    get_indicator,
    sensitivity,
    similar_table,
)

atlas = wijkgeo.make_demo()
keys = [
    "aandeel_65_plus",
    "aandeel_huishoudens_laag_inkomen",
    "afstand_huisarts",
    "lokale_voorzieningen_per_1000",
    "actieve_bewonersinitiatieven",
]

# 1. Indicator columns on a copy of the buurten (labels and units come from the registry).
buurten = atlas.indicators(keys)
first = buurten.iloc[0]
print(f"Buurt {first['buurtnaam']} ({first['buurtcode']}):")
for key in keys:
    ind = get_indicator(key)
    print(f"  {ind.label}: {format_value(key, first[key])}")

# 2. Compared with the CBS rows of the gemeente and Nederland, and ranked within the gemeente.
tab = comparison_table(atlas, ["aandeel_huishoudens_laag_inkomen"])
row = tab.iloc[0]
print(
    "  laag inkomen: buurt {} / gemeente {} / Nederland {}; rang {:.0f} van {:.0f} "
    "(1 = gunstigst)".format(
        format_value("aandeel_huishoudens_laag_inkomen", row["aandeel_huishoudens_laag_inkomen"]),
        format_value(
            "aandeel_huishoudens_laag_inkomen", row["aandeel_huishoudens_laag_inkomen_gemeente"]
        ),
        format_value(
            "aandeel_huishoudens_laag_inkomen", row["aandeel_huishoudens_laag_inkomen_nederland"]
        ),
        row["aandeel_huishoudens_laag_inkomen_rang"],
        row["aandeel_huishoudens_laag_inkomen_rang_van"],
    )
)

# 3. The three buurten most like this one on age, income and housing.
profile = ["aandeel_65_plus", "aandeel_huishoudens_laag_inkomen", "aandeel_corporatiewoningen"]
values = atlas.indicators(profile)
print("\nVergelijkbare buurten:")
table = similar_table(values, first["buurtcode"], profile, k=3, ids=values["buurtcode"])
print(table.round(1).to_string())

# 4. A composite index with explicit weights, and what the weights do to the ranking.
weights = {
    "aandeel_huishoudens_laag_inkomen": 2,
    "afstand_huisarts": 1,
    "lokale_voorzieningen_per_1000": 1,
}
report = sensitivity(buurten[list(weights)], weights)
print()
print(report.to_text(ids=buurten["buurtnaam"]))
