"""Demodam's wijkteam: a synthetic case export and the postcode table to place it.

Nothing here describes a real person: case numbers, dates and postcodes are drawn from a
seeded generator. The export looks like what a sociaal wijkteam's registration system
gives: one row per aanmelding with a case number, a date, a postcode (PC6, written as
people write it), a hulpvraag in the team's own words, an age class and a free-text note.
``wijkgeo signalen`` uses only the postcode, the hulpvraag and the date; the rest is there
to prove it is never stored. A few rows cannot be placed (no postcode, a postcode outside
Demodam, no hulpvraag), as in every real export.

Examples
--------
>>> from wijkgeo.demo import generate_country
>>> from wijkgeo.demo.casework import case_export_frame, postcode_frame
>>> country = generate_country(1, n_wijken=8, n_buurten=40, seed=2024)
>>> pc = postcode_frame(country)
>>> list(pc.columns), pc["postcode"].str.len().eq(6).all()
(['postcode', 'buurtcode'], np.True_)
>>> cases = case_export_frame(country)
>>> list(cases.columns)
['dossiernummer', 'aanmelddatum', 'postcode', 'hulpvraag', 'leeftijdsklasse', 'notitie']
"""

from __future__ import annotations

import string
from datetime import date, timedelta

import numpy as np
import pandas as pd

from .synthetic import SyntheticCountry

__all__ = ["CASE_FILE", "POSTCODE_FILE", "case_export_frame", "postcode_frame"]

#: File names in ``data_sources/demo``.
CASE_FILE = "signalen_wijkteam.csv"
POSTCODE_FILE = "postcodes.csv"

#: How the team writes its hulpvraag (several words per theme, as in real exports).
_WORDS = {
    "schulden": ["Schulden", "geldzorgen", "Financiën", "schuldhulp"],
    "eenzaamheid": ["Eenzaamheid", "sociaal isolement"],
    "woonproblemen": ["Woonproblemen", "huisvesting", "Wonen"],
    "opvoeding": ["Opvoeding", "opvoedvragen", "Opgroeien"],
    "psychische_klachten": ["Psychische klachten", "GGZ"],
    "werk_en_inkomen": ["Werk en inkomen", "uitkering"],
    "gezondheid": ["Mantelzorg", "Gezondheid"],
}
_NOTES = [
    "eerste gesprek gepland",
    "doorverwezen naar schuldhulp",
    "samen met huisarts opgepakt",
    "buurman maakt zich zorgen",
    "vraag via school binnengekomen",
    "telefonisch contact gehad",
]
_AGES = ["18-26", "27-44", "45-64", "65-74", "75+"]


def postcode_frame(country: SyntheticCountry, per_buurt: int = 3) -> pd.DataFrame:
    """A postcode table (PC6 -> buurtcode) for Demodam's buurten, in local-layer format."""
    b = country.buurten.sort_values("buurtcode")
    rows = []
    for wk, group in b.groupby("wijkcode", sort=True):
        pc4 = f"{9000 + int(str(wk)[-2:]) * 10:04d}"
        for k, code in enumerate(group["buurtcode"]):
            for j in range(per_buurt):
                letters = string.ascii_uppercase[k % 26] + string.ascii_uppercase[j]
                rows.append({"postcode": pc4 + letters, "buurtcode": code})
    return pd.DataFrame(rows)


def _weights(b: pd.DataFrame) -> pd.DataFrame:
    inw = b["aantal_inwoners"].fillna(0).clip(lower=0).to_numpy(float)
    low = b["perc_huishoudens_laag_inkomen"].fillna(b["perc_huishoudens_laag_inkomen"].median())
    low = (low.rank(pct=True).to_numpy() + 0.3) ** 2
    old = b.get("percentage_personen_65_jaar_en_ouder", pd.Series(15.0, index=b.index))
    old = (old.fillna(15).rank(pct=True).to_numpy() + 0.3) ** 2
    young = b.get("percentage_personen_0_tot_15_jaar", pd.Series(15.0, index=b.index))
    young = (young.fillna(15).rank(pct=True).to_numpy() + 0.3) ** 2
    per_theme = {
        "schulden": low * 1.6,
        "eenzaamheid": old,
        "woonproblemen": low,
        "opvoeding": young * 0.9,
        "psychische_klachten": low * 0.5,
        "werk_en_inkomen": low * 0.4,
        "gezondheid": old * 0.4,
    }
    return pd.DataFrame({k: v * inw for k, v in per_theme.items()}, index=b["buurtcode"])


def case_export_frame(country: SyntheticCountry, seed: int = 2024) -> pd.DataFrame:
    """Demodam's synthetic wijkteam export for 2023 and 2024 (one row per aanmelding)."""
    rng = np.random.default_rng([seed, 23])
    b = country.buurten.sort_values("buurtcode").reset_index(drop=True)
    pcs = postcode_frame(country)
    by_buurt = pcs.groupby("buurtcode")["postcode"].apply(list).to_dict()
    w = _weights(b)
    cells = w.stack()
    # about 4.5% of the inhabitants per year register; small and rich buurten stay below 10
    per_year = round(float(b["aantal_inwoners"].fillna(0).sum()) * 0.045)
    rows = []
    for year in (2023, 2024):
        draw = rng.choice(len(cells), size=per_year, p=(cells / cells.sum()).to_numpy())
        start = date(year, 1, 1)
        for k in np.sort(draw):
            buurt, theme = cells.index[k]
            pc = str(rng.choice(by_buurt[buurt]))
            day = start + timedelta(days=int(rng.integers(0, 365)))
            rows.append(
                {
                    "aanmelddatum": day.strftime("%d-%m-%Y"),
                    "postcode": f"{pc[:4]} {pc[4:]}" if rng.random() < 0.5 else pc.lower(),
                    "hulpvraag": str(rng.choice(_WORDS[theme])),
                    "leeftijdsklasse": str(rng.choice(_AGES)),
                    "notitie": str(rng.choice(_NOTES)),
                }
            )
    # what every real export has: rows that cannot be placed or have no theme
    for i in range(14):
        rows.append(
            {
                "aanmelddatum": f"{1 + i:02d}-03-2024",
                "postcode": ["", "1011 AB", "99"][i % 3],
                "hulpvraag": "Schulden",
                "leeftijdsklasse": "27-44",
                "notitie": "adres onbekend",
            }
        )
    for i in range(6):
        rows.append(
            {
                "aanmelddatum": f"{1 + i:02d}-05-2024",
                "postcode": by_buurt[b["buurtcode"].iloc[i]][0],
                "hulpvraag": "",
                "leeftijdsklasse": "45-64",
                "notitie": "nog niet ingedeeld",
            }
        )
    order = rng.permutation(len(rows))
    out = pd.DataFrame([rows[i] for i in order])
    out.insert(0, "dossiernummer", [f"WT-{70000 + 37 * i:06d}" for i in range(len(out))])
    return out
