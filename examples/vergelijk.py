"""Buurten zoals deze: compare a buurt with the structurally most similar buurten of Nederland.

1. a national reference: every buurt of the country for one year. For a real year
   ``wijkgeo refresh --nederland --jaar 2020`` fetches it once (or ``wijkgeo import`` of a
   national Wijk- en Buurtkaart stores it); here the demo generator's synthetic country with
   Demodam in it, so the script runs offline;
2. the similarity profile (``wijkgeo/indicators/kenmerken.json``): which structural features,
   how scaled, how weighted; never migration background, never the outcomes compared;
3. for one buurt: its 10 most similar buurten with gemeente and distance, and per indicator
   where the buurt stands among them (rank, the peers' median, who does clearly better);
4. the same for every buurt at once, as a frame indexed like its input;
5. a wijk among the wijken of the country (every wijk of Demodam at once, too).

For Rotterdam: ``store.read_reference(2020)`` after the refresh, and a code like BU05991571.
"""

import wijkgeo
from wijkgeo.demo.demodam import national_reference
from wijkgeo.indicators import format_value, get_indicator
from wijkgeo.indicators.similar import compare_buurt, load_profile, similar_buurten

atlas = wijkgeo.make_demo()
reference = national_reference(atlas)  # the store's read_reference(year) for real data
profile = load_profile()
print("Profiel:", ", ".join(f"{f.key} ({f.group}, x{f.weight:g})" for f in profile.features))

code = atlas.buurten["buurtcode"].iloc[0]
cmp = compare_buurt(code, 2024, reference=reference, k=10)
print(cmp.explanation)
print(cmp.table[["naam", "gemeentenaam", "afstand"]].round(2).to_string())
for key, row in cmp.standing.dropna(subset=["waarde"]).head(5).iterrows():
    print(
        f"{get_indicator(key).label}: {format_value(key, row['waarde'])}, "
        f"mediaan {format_value(key, row['mediaan_vergelijkbaar'])}; {row['tekst']}"
    )

# every buurt of Demodam at once: a frame indexed like atlas.buurten
sim = similar_buurten(reference, atlas.buurten["buurtcode"], k=10)
assert sim.index.equals(atlas.buurten.index)
rank = sim["aandeel_huishoudens_laag_inkomen_rang_vergelijkbaar"]
print(f"{int((rank >= 9).sum())} buurten van Demodam hebben meer lage inkomens dan 8 van hun 10")

# a wijk among the wijken of the country (`wijkgeo vergelijk WK059915 --jaar 2020` for Charlois)
wijk = compare_buurt(atlas.wijken["wijkcode"].iloc[0], 2024, reference=reference, k=5)
print(wijk.to_text().splitlines()[0])
per_wijk = similar_buurten(reference, atlas.wijken["wijkcode"], k=5, level="wijk")
assert per_wijk.index.equals(atlas.wijken.index)
print(f"{per_wijk['vergelijking'].isna().sum()} wijken van Demodam vergeleken met wijken elders")
