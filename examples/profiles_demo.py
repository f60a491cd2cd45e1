"""Buurt- en wijkprofielen: a page per buurt and wijk to print and take to residents.

Writes ``maps/profielen/GM9999_2024/index.html`` (every wijk and buurt, searchable) and one
self-contained page per area for the demo gemeente Demodam, then prints what one page says
in words: the summary, strengths beside attention points, and the koppelkansen.

The pages print to at most 4 A4 pages (Chromium: Ctrl+P, or ``wijkgeo profile ... --pdf``).
Runs offline; for a real gemeente with two stored years use
``wijkgeo.Store().read_series("GM0599", [2023, 2024])`` (the page then says "Veranderd sinds
2023"), or on the command line ``wijkgeo profile GM0599 --jaar 2024``.
"""

import wijkgeo
from wijkgeo.profile import ProfileData, build
from wijkgeo.series import AtlasSeries

atlas = wijkgeo.make_demo()

# The years a profile shows are a series; the demo has only 2024 (no comparison). One Atlas
# alone would be compared with the latest earlier year in the store, when there is one.
result = build(AtlasSeries.of(atlas))
print(f"{len(result.pages)} profielen in {result.folder}; begin bij {result.index.name}")

# What the page of the koppelkans wijk Duinrand says, as plain data
page = ProfileData(atlas).page("WK999902")
print()
print(page["title"], "-", page["subtitle"])
for sentence in page["summary"]:
    print(" ", sentence)
print("Kracht:")
for point in page["kracht"]:
    print(f"  + {point['label']}: {point['value']} (gemeente {point['gemeente']})")
print("Aandacht:")
for point in page["aandacht"]:
    print(f"  - {point['label']}: {point['value']} (gemeente {point['gemeente']})")
print("Koppelkansen:")
for kans in page["kansen"]["items"]:
    print(f"  * {kans['title']} [{kans['robust_key']}]")
print("Vragen voor de bewonersavond:")
for question in page["questions"][:3]:
    print("  ?", question)
