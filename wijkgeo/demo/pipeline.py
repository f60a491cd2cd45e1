"""``wijkgeo demo``: the whole pipeline on the fictional gemeente Demodam.

generate (in the real source formats) → store → load → indicators → map. It runs offline and
writes into the same store format as a real refresh, so afterwards
``wijkgeo.load("GM9999", 2024)`` works like for any real gemeente.
"""

from __future__ import annotations

import logging
from pathlib import Path

log = logging.getLogger(__name__)

__all__ = ["DEMO_CODE", "DEMO_INDICATOR", "DEMO_YEAR", "run_demo"]

DEMO_CODE = "GM9999"
DEMO_YEAR = 2024
#: The indicator the demo map opens with (its selector holds every indicator).
DEMO_INDICATOR = "aandeel_huishoudens_laag_inkomen"


def run_demo(
    store: str | Path | None = None,
    maps_dir: str | Path = "maps",
    seed: int = 2024,
    indicator: str = DEMO_INDICATOR,
) -> Path:
    """Generate Demodam, store it, and write ``<maps_dir>/demodam.html``.

    Parameters
    ----------
    store : str or Path, optional
        Store folder (default ``$WIJKGEO_STORE`` or the user data folder).
    maps_dir : str or Path
        Folder for the map.
    seed : int
        Seed of the demo generator; the same seed gives the same gemeente.
    indicator : str
        Registry key of the indicator the map opens with (the selector has all of them).

    Returns
    -------
    Path
        The written map file.

    Examples
    --------
    >>> from wijkgeo.demo.pipeline import run_demo
    >>> run_demo(maps_dir="maps")            # doctest: +SKIP
    PosixPath('maps/demodam.html')
    """
    from ..maps import MapOptions, Overlays, build, save_map
    from ..store import Store, load
    from .demodam import make_demo, national_reference
    from .years import demo_years

    atlas = make_demo(seed=seed)
    target = Store(store)
    target.write_atlas(atlas)
    # a synthetic national reference, so "Buurten zoals deze" runs offline for Demodam
    reference = national_reference(atlas, seed=seed)
    target.write_reference(
        reference, DEMO_YEAR, manifest_extra={"sources": reference.attrs["sources"]}
    )
    # the earlier years (a split, a merge, a re-used code): `wijkgeo tijdreeks GM9999` works
    for earlier in demo_years(atlas, seed=seed).values():
        target.write_atlas(earlier)
    log.info("Demodam opgeslagen in %s", target.path)
    _demo_signals(atlas, target, seed)
    atlas = load(DEMO_CODE, DEMO_YEAR, store=target.path)
    from ..profile.peers import load_peer_context
    from ..series.timeseries import years_on_today

    peers = load_peer_context(atlas, target)
    # every indicator, opening on this one; self-contained, so it opens without internet;
    # "verschil met vergelijkbare buurten" from the synthetic national reference, and
    # the years 2015-2024 on today's buurten (year switch, "verandering sinds")
    jaren = years_on_today(target, DEMO_CODE, DEMO_YEAR, levels=("buurt",))
    fmap = build(
        atlas,
        indicator=indicator,
        options=MapOptions(offline=True),
        overlays=Overlays(peers=peers, jaren=jaren),
    )
    from .._write import default_target

    # the demo's own folder for its map is made (its parent must exist when it is not maps/)
    folder = Path(maps_dir)
    if folder == Path("maps") or folder.parent.is_dir():
        default_target(folder / "demodam.html", "kaart")
    path = save_map(fmap, folder / "demodam.html")
    log.info("kaart geschreven: %s", path)
    return Path(path)


def _demo_signals(atlas, target, seed: int) -> None:
    """Count Demodam's synthetic wijkteam export into the store, as ``wijkgeo signalen`` does."""
    import tempfile

    from ..signalen import count_signals, store_signals
    from .casework import CASE_FILE, POSTCODE_FILE, case_export_frame, postcode_frame
    from .synthetic import generate_country

    country = generate_country(1, n_wijken=8, n_buurten=40, seed=seed)
    with tempfile.TemporaryDirectory(prefix="wijkgeo-demo-") as tmp:
        cases, postcodes = Path(tmp) / CASE_FILE, Path(tmp) / POSTCODE_FILE
        case_export_frame(country, seed).to_csv(cases, index=False)
        postcode_frame(country).to_csv(postcodes, index=False)
        counts = count_signals(cases, atlas, postcode_table=postcodes)
    store_signals(counts, target)
    log.info("signalen van het demo-wijkteam opgeslagen (%d buurtcellen)", len(counts.cells))

