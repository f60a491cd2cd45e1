"""Buurt- en wijkprofielen: a page per buurt and wijk to print and take to residents.

Writes ``maps/profielen/GM9999_2024/index.html`` (every wijk and buurt, searchable) and one
self-contained page per area for the demo gemeente Demodam, then prints what one page says
in words: the summary, strengths beside attention points, and the koppelkansen.

The pages print to at most 4 A4 pages (Chromium: Ctrl+P, or ``wijkgeo profile ... --pdf``).
Runs offline; use ``wijkgeo.load("GM....", 2024)`` for a real gemeente, or on the command line
``wijkgeo profile GM0599 --jaar 2024``.
"""

import wijkgeo
from wijkgeo.profile import ProfileData, build

atlas = wijkgeo.make_demo()

# The previous year comes from the store when it is there; the demo has only 2024.
result = build(atlas, previous=False)
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
