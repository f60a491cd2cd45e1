"""One buurt compared fairly: with its gemeente, with Nederland, and with similar buurten.

For one buurt of the demo gemeente:

1. a comparison table: the buurt's value, the gemeente and Nederland (their own CBS rows,
   never a mean of buurt means), the differences and the buurt's rank in the gemeente;
2. the buurten most like it (standardised profile on age, income and housing), so a
   wijkregisseur compares with buurten that face the same situation, not only with the average;
3. a composite index with explicit weights, where this buurt ends up, and a sensitivity report
   that shows how the ranking moves when the weights change.

Labels, units and number formats come from the indicator registry (``wijkgeo indicators``).
Runs offline on Demodam; use ``wijkgeo.load("GM....", 2024)`` for a real gemeente.
"""

import pandas as pd

import wijkgeo
from wijkgeo.indicators import (
    comparison_table,
    format_value,
    get_indicator,
    sensitivity,
    similar_table,
)

KEYS = [
    "aandeel_65_plus",
    "aandeel_eenpersoonshuishoudens",
    "aandeel_huishoudens_laag_inkomen",
    "aandeel_corporatiewoningen",
    "afstand_huisarts",
    "lokale_voorzieningen_per_1000",
]  # rates and averages: a count (e.g. initiatieven) minus the gemeente's count means nothing
PROFILE = ["aandeel_65_plus", "aandeel_huishoudens_laag_inkomen", "aandeel_corporatiewoningen"]
WEIGHTS = {
    "aandeel_huishoudens_laag_inkomen": 2,
    "afstand_huisarts": 1,
    "lokale_voorzieningen_per_1000": 1,
    "actieve_bewonersinitiatieven": 1,
}

atlas = wijkgeo.make_demo()
values = atlas.indicators(sorted(set(KEYS) | set(WEIGHTS)))
# the buurt with the most households on a low income (any buurtcode works)
code = values.loc[values["aandeel_huishoudens_laag_inkomen"].idxmax(), "buurtcode"]
name = values.set_index("buurtcode").at[code, "buurtnaam"]
print(f"Buurt {name} ({code}) in {atlas.name}\n")


# 1. Buurt versus gemeente and Nederland, with its rank (1 = most favourable in the gemeente).
def fmt(key: str, value: float) -> str:
    return "-" if pd.isna(value) else str(format_value(key, value))


def diff(key: str, value: float) -> str:
    return "-" if pd.isna(value) else ("+" if value > 0 else "") + fmt(key, value)


tab = comparison_table(atlas, KEYS).set_index(atlas.buurten["buurtcode"]).loc[code]
rows = []
for key in KEYS:
    rank, of = tab[f"{key}_rang"], tab[f"{key}_rang_van"]
    rows.append(
        {
            "indicator": get_indicator(key).label,
            "buurt": fmt(key, tab[key]),
            "gemeente": fmt(key, tab[f"{key}_gemeente"]),
            "t.o.v. gemeente": diff(key, tab[f"{key}_verschil_gemeente"]),
            "Nederland": fmt(key, tab[f"{key}_nederland"]),
            "t.o.v. NL": diff(key, tab[f"{key}_verschil_nederland"]),
            "rang": "-" if pd.isna(rank) else f"{rank:.0f} van {of:.0f}",
        }
    )
print(pd.DataFrame(rows).to_string(index=False))
print("(rang 1 = gunstigst in de gemeente; '-' = geen gegevens of niet van toepassing)")

# 2. The buurten most like this one on age, income and housing, with their values.
print(f"\nBuurten die het meest op {name} lijken ({', '.join(PROFILE)}):")
similar = similar_table(values, code, PROFILE, k=4, ids=values["buurtcode"])
names = values.set_index("buurtcode")["buurtnaam"]
similar.insert(0, "buurtnaam", names.reindex(similar.index).to_numpy())
print(similar.round(2).to_string())
print("(afstand 0 = gelijk profiel; de buurt zelf staat bovenaan)")

# 3. Composite index and what the weights do to the ranking.
report = sensitivity(values[list(WEIGHTS)], WEIGHTS)
ranks = report.per_area.set_axis(values["buurtcode"])
r = ranks.loc[code]
print(
    f"\nSamengestelde index (gewichten {WEIGHTS}):\n"
    f"  {name} staat op plaats {r['rang_basis']:.0f} van {ranks['rang_basis'].notna().sum()}; "
    f"onder andere gewichten tussen plaats {r['rang_min']:.0f} en {r['rang_max']:.0f}"
)
print(report.summary.round(2).to_string())
print()
print(report.to_text(ids=values["buurtnaam"]))
