"""Check what a gemeente publishes: profile wording, the attention-point rule, safe exports.

Runs offline on the demo gemeente (for a real gemeente: ``wijkgeo.load("GM0599", 2024)``
after ``wijkgeo import``). Prints how the profile chose its attention points for one buurt,
and shows that a name starting with ``=`` leaves the Excel export as text, not a formula.
"""

from pathlib import Path

import openpyxl

import wijkgeo
from wijkgeo.export import export_atlas
from wijkgeo.profile.content import ProfileData
from wijkgeo.profile.points import explanation

atlas = wijkgeo.make_demo()
page = ProfileData(atlas, koppelkansen=False).page("BU99990201")
print(page["title"])
for point in page["aandacht"]:
    print(f"  aandacht: {point['label']}: {point['value']} ({point['reference']}; {point['rank']})")
print(explanation(atlas.name, "buurten"))

atlas.buurten.loc[0, "buurtnaam"] = '=HYPERLINK("http://voorbeeld.invalid","klik")'
path = export_atlas(atlas, Path("demodam_veilig.xlsx"), koppelkansen=False)
cell = openpyxl.load_workbook(path)["Buurten"]["B2"]
print(f"Excel-cel B2: {cell.value!r} (type {cell.data_type!r}: tekst, geen formule)")

# how a change between two years reads aloud on a profile ("Veranderd sinds ...")
from wijkgeo import text  # noqa: E402

print("Verschil:", text.change(-4, "%"), "|", text.change(1, "%"), "|", text.change(0, "%"))
