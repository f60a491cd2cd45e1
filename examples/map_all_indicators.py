"""One HTML map with every indicator of the demo gemeente, offline, ready to mail.

``wijkgeo.maps.build`` draws the buurten once (a compact topology: shared edges once) and
carries every registry indicator as a compact array: the wijkregisseur picks the indicator in
a Dutch selector grouped by theme, switches to "verschil met gemeente", clicks a buurt for
its value, the gemeente and Nederland, its rank and its caveat, and mails the link from the
address bar (the URL hash holds indicator, mode, layers and buurt).
``MapOptions(offline=True)`` puts Leaflet in the file itself: it opens from a USB stick or
an e-mail attachment; only the basemap needs a network.

The map is a ``folium.Map``: add your own layers to it before saving. On the command line
the same is ``wijkgeo map GM9999 --jaar 2024 --offline``.
"""

from pathlib import Path

import folium

import wijkgeo
from wijkgeo.maps import MapOptions, build, save_map

atlas = wijkgeo.make_demo()
fmap = build(atlas, indicator="aandeel_huishoudens_laag_inkomen", options=MapOptions(offline=True))

# an analyst's own addition: a marker at the town hall (any folium element works)
centre = atlas.gemeente.to_crs(4326).geometry.iloc[0].representative_point()
folium.CircleMarker([centre.y, centre.x], radius=6, tooltip="Stadhuis (voorbeeld)").add_to(fmap)

path = save_map(fmap, Path("maps") / "demodam_alle_indicatoren.html")
html = path.read_text("utf-8")
print(
    f"Kaart: {path} ({path.stat().st_size / 1024:.0f} kB, zonder externe scripts: "
    f"{'<script src=' not in html})"
)
print("Link naar één buurt op één indicator:")
code = atlas.buurten["buurtcode"].iloc[0]
print(
    f"  {path.resolve().as_uri()}#indicator=aandeel_65_plus&weergave=verschil"
    f"&lagen=buurten,wijken&buurt={code}"
)
