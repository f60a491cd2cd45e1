"""Fetch a gemeente from the real sources: CBS Kerncijfers wijken en buurten + PDOK boundaries.

With internet access, this is all it takes (the real services are the default)::

    import wijkgeo
    atlas = wijkgeo.fetch("GM0772", 2024)          # Eindhoven
    print(atlas)
    wijkgeo.fetch("GM0772", 2024, path=True)       # and write it into the store (path = where
    wijkgeo.load("GM0772", 2024)                   # it is written; store= is where to read)

This script must also run offline (CI has no internet), so it starts wijkgeo's small local
stand-in (:class:`wijkgeo.demo.server.DemoServer`) that serves the fictional gemeente
Demodam in the real services' envelopes (CBS OData v3 ``{"odata.metadata", "value"}`` with
padded keys; PDOK OGC API FeatureCollections with ``links`` rel=next paging) and points
wijkgeo at it, exactly as you would point it at a proxy or mirror: with
``cbs_url=``/``pdok_url=`` or ``WIJKGEO_CBS_URL``/``WIJKGEO_PDOK_URL``.
"""

import tempfile

import wijkgeo
from wijkgeo.demo.server import DemoServer

store = tempfile.mkdtemp(prefix="wijkgeo-store-")
with DemoServer() as mirror:
    atlas = wijkgeo.fetch(
        "GM9999", 2024, cbs_url=mirror.url, pdok_url=mirror.url, vierkanten=False, path=store
    )
assert wijkgeo.load("GM9999", 2024, store=store).year == 2024  # written to path, read from store

print(atlas)
print(f"Bron: {atlas.meta['source']} (tabel {atlas.meta['cbs_table']}), CRS {atlas.wijken.crs}")
print(atlas.wijken[["wijkcode", "wijknaam", "aantal_inwoners"]].to_string(index=False))
print(
    f"Inwoners gemeente: {atlas.gemeente['aantal_inwoners'].iloc[0]:,.0f}; "
    f"Nederland: {atlas.nederland['aantal_inwoners'].iloc[0]:,.0f}"
)
