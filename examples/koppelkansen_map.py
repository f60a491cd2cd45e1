"""The koppelkansen map of the demo gemeente: needs, plans and assets side by side, offline.

``wijkgeo.maps.build(atlas)`` puts, beside the buurt choropleth of every indicator, the
gemeente's own layers (voorzieningen clustered with a letter per category, bewonersinitiatieven
by status, energietransitie-wijken with planned year and strategy, projecten by theme with a
year filter), the 500 m grid (CBS's own cell numbers and the buurt values spread over the
cells, labelled as such) and the koppelkansen: highlighted buurten, wijken and cells whose
popup lists each rule with its explanation, robustness (ruim/krap) and the assets nearby.
Search a buurt or wijk, click "Check deze plek" for everything about one buurt, and paste the
PNG into a memo. On the command line: ``wijkgeo map GM9999 --jaar 2024`` and
``wijkgeo map GM9999 --jaar 2024 --png aandeel_65_plus --png-punten voorzieningen``.
"""

from pathlib import Path

import wijkgeo
from wijkgeo.koppelkansen import evaluate
from wijkgeo.maps import MapOptions, Overlays, build, png, save_map

atlas = wijkgeo.make_demo()
result = evaluate(atlas)  # or let build() do it (Overlays(koppelkansen=None), the default)
fmap = build(
    atlas,
    indicator="aandeel_huishoudens_laag_inkomen",
    options=MapOptions(offline=True),
    overlays=Overlays(koppelkansen=result),
)
path = save_map(fmap, Path("maps") / "demodam_koppelkansen.html")
print(f"Kaart: {path} ({path.stat().st_size / 1024:.0f} kB)")
print(
    f"{len(result.matches)} koppelkansen in "
    f"{result.matches[['niveau', 'code']].drop_duplicates().shape[0]} gebieden"
)
code = "BU99990201"
print("Link: Havenbuurt, projecten van 2026 tot en met 2028:")
print(
    f"  {path.resolve().as_uri()}#indicator=aandeel_65_plus&weergave=waarde"
    f"&lagen=buurten,wijken,projecten,koppelkansen&buurt={code}&jaren=2026-2028"
)

picture = png(
    atlas, "aandeel_65_plus", points="voorzieningen", path=Path("maps") / "demodam_65_plus.png"
)
print(f"PNG voor een notitie: {picture.path}")
for color, label, count in picture.legend:
    print(f"  {color}  {label} ({count} buurten)")
