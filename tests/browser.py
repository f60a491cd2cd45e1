"""Shared helpers for the map tests: a tiny synthetic gemeente and a local-only browser.

``synthetic_atlas()``
    Six buurten in two wijken near Amersfoort (EPSG:28992) with irregular, densified shared
    edges; one buurt without data, one with a hostile HTML name, one with an apostrophe, one
    with Jinja braces, one with ``</script>`` and a JavaScript template literal; gemeente and
    Nederland rows to compare with. Built here because the map tests must not depend on the
    demo generator.
``synthetic_previous(atlas)``
    The same gemeente a year earlier: other values, and one buurt (BU99980003) redrawn.
``browser_page()``
    Debian's ``/usr/bin/chromium`` driven by Playwright. Every request is routed: the map page
    itself from memory, CDN assets (``https://cdn.jsdelivr.net/npm/<pkg>@<ver>/<file>``) from
    ``.cache/npm/node_modules`` (the installed version must equal the URL's), basemap tiles as
    a tiny PNG; anything else is aborted and recorded. With ``CI=true`` a missing Chromium or
    missing npm assets FAIL the test; on a developer machine they skip it.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import shutil
import struct
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
NODE_MODULES = ROOT / ".cache" / "npm" / "node_modules"
ARTIFACTS = ROOT / "tests" / "_artifacts"
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
]
TILE_PREFIX = "https://service.pdok.nl/brt/achtergrondkaart/"
PAGE_URL = "http://wijkgeo.test/map.html"

HOSTILE = "<img src=x onerror=alert(1)>"
APOSTROPHE = "'t Zand"
BRACES = "Buurt {{ 7*7 }}"
SCRIPT_END = "</script><script>alert(2)</script>"
TEMPLATE = "`${alert(3)}`"
GEMEENTE = "Test'stad {{ 6*7 }}"

# --------------------------------------------------------------------------- synthetic data


def _edge(p, q, n=40, amp=18.0):
    """Points from p to q (excluding q), wiggled; identical for both neighbours of the edge."""
    forward = p <= q
    a, b = (p, q) if forward else (q, p)
    pts = []
    for i in range(n):
        t = i / n
        x = a[0] + (b[0] - a[0]) * t
        y = a[1] + (b[1] - a[1]) * t
        length = math.hypot(b[0] - a[0], b[1] - a[1])
        nx, ny = -(b[1] - a[1]) / length, (b[0] - a[0]) / length
        off = amp * math.sin(3 * math.pi * t) * math.sin(math.pi * t)
        pts.append((round(x + nx * off, 3), round(y + ny * off, 3)))
    if not forward:
        pts = [b, *pts[1:][::-1]]
        pts = [(round(x, 3), round(y, 3)) for x, y in pts]
    return pts


def _cell_ring(nodes, i, j):
    corners = [nodes[(i, j)], nodes[(i + 1, j)], nodes[(i + 1, j + 1)], nodes[(i, j + 1)]]
    ring = []
    for k in range(4):
        ring.extend(_edge(corners[k], corners[(k + 1) % 4]))
    return [*ring, ring[0]]


def synthetic_atlas():
    """A 3 x 2 grid of irregular buurten (2 wijken of 3) as an :class:`wijkgeo.Atlas`."""
    import geopandas as gpd
    import numpy as np
    import pandas as pd
    from shapely import Polygon, coverage_union_all

    from wijkgeo.atlas import Atlas

    x0, y0, size = 155_000.0, 463_000.0, 400.0
    jitter = {
        (1, 1): (35.0, -25.0),
        (2, 1): (-30.0, 40.0),
        (1, 0): (20.0, 0.0),
        (2, 2): (-15.0, 0.0),
    }
    nodes = {}
    for i in range(4):
        for j in range(3):
            dx, dy = jitter.get((i, j), (0.0, 0.0))
            nodes[(i, j)] = (x0 + i * size + dx, y0 + j * size + dy)
    cells = [(i, j) for j in range(2) for i in range(3)]
    geoms = [Polygon(_cell_ring(nodes, i, j)) for i, j in cells]
    codes = ["BU99980001", "BU99980002", "BU99980003", "BU99980101", "BU99980102", "BU99980103"]
    names = ["Centrum", HOSTILE, APOSTROPHE, "Noord", BRACES, SCRIPT_END + " " + TEMPLATE]
    wijkcodes = ["WK999800"] * 3 + ["WK999801"] * 3
    inwoners = [1000, 800, 1200, 900, 700, 1500]
    plus65 = [100.0, 240.0, 180.0, np.nan, 70.0, 450.0]  # Noord: geen gegevens
    buurten = gpd.GeoDataFrame(
        {
            "buurtcode": codes,
            "buurtnaam": names,
            "wijkcode": wijkcodes,
            "gemeentecode": "GM9998",
            "gemeentenaam": GEMEENTE,
            "aantal_inwoners": inwoners,
            "aantal_personen_65_jaar_en_ouder": plus65,
            "percentage_personen_65_jaar_en_ouder": [np.nan] * 6,
        },
        geometry=geoms,
        crs="EPSG:28992",
    )
    wijk_geoms = [coverage_union_all(geoms[:3]), coverage_union_all(geoms[3:])]
    wijken = gpd.GeoDataFrame(
        {
            "wijkcode": ["WK999800", "WK999801"],
            "wijknaam": ["Binnenstad", "Wijk & <b>Noord</b>"],
            "gemeentecode": "GM9998",
            "gemeentenaam": GEMEENTE,
        },
        geometry=wijk_geoms,
        crs="EPSG:28992",
    )
    gemeente = gpd.GeoDataFrame(
        {
            "gemeentecode": ["GM9998"],
            "gemeentenaam": [GEMEENTE],
            "aantal_inwoners": [6100],
            "aantal_personen_65_jaar_en_ouder": [1040],
        },
        geometry=[coverage_union_all(geoms)],
        crs="EPSG:28992",
    )
    meta = {"gemeente": "GM9998", "year": 2024, "source": "testgegevens"}
    nederland = pd.DataFrame(
        {"aantal_inwoners": [17_942_000], "aantal_personen_65_jaar_en_ouder": [3_588_000]}
    )
    return Atlas(gemeente=gemeente, wijken=wijken, buurten=buurten, meta=meta, nederland=nederland)


def synthetic_previous(atlas):
    """The synthetic gemeente one year earlier; BU99980003 had another boundary then."""
    from dataclasses import replace

    from shapely import affinity

    buurten = atlas.buurten.copy()
    buurten["aantal_personen_65_jaar_en_ouder"] = [90.0, 200.0, 150.0, 80.0, 70.0, 420.0]
    geoms = buurten.geometry.to_numpy().copy()
    geoms[2] = affinity.scale(geoms[2], 0.6, 0.6)  # redrawn: far below the IoU threshold
    buurten = buurten.set_geometry(geoms)
    return replace(atlas, buurten=buurten, meta={**atlas.meta, "year": 2023})


def rotterdam(realdata: Path):
    """The 91 real Rotterdam buurten 2024 (generalised) with raw KWB values, and its wijken."""
    import geopandas as gpd
    import pandas as pd

    nprz = realdata / "raw" / "nprz"
    stats = pd.read_parquet(nprz / "buurt_2024_stats.parquet")
    buurten = gpd.read_file(nprz / "buurt_2024.geojson")[["buurtcode", "geometry"]]
    buurten = buurten.merge(stats, on="buurtcode")
    buurten = buurten[buurten["gemeentecode"] == "GM0599"].reset_index(drop=True)
    wijken = gpd.read_file(nprz / "wijk_2024.geojson")[["wijkcode", "geometry"]].merge(
        pd.read_parquet(nprz / "wijk_2024_stats.parquet")[["wijkcode", "wijknaam"]],
        on="wijkcode",
    )
    return buurten, wijken


# --------------------------------------------------------------------------- browser


def _strict() -> bool:
    return os.environ.get("CI", "").lower() == "true"


def require_browser() -> str:
    """Path of Chromium; fails under ``CI=true`` and skips elsewhere when prerequisites miss."""
    problems = []
    chromium = shutil.which("chromium") or (
        "/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None
    )
    if chromium is None:
        problems.append("chromium niet gevonden (apt-get install -y chromium)")
    if not (NODE_MODULES / "leaflet" / "package.json").is_file():
        problems.append(f"npm-assets ontbreken in {NODE_MODULES}")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        problems.append("playwright ontbreekt (pip install -e '.[dev]')")
    if problems:
        msg = "; ".join(problems) + " — draai scripts/install_browser_deps.sh of make test"
        if _strict():
            pytest.fail(msg)
        pytest.skip(msg)
    return str(chromium)


def tiny_png(rgb=(226, 226, 226)) -> bytes:
    """A 1x1 PNG of one colour (Leaflet stretches it over the 256 px tile)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    raw = b"\x00" + bytes(rgb)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


_TYPES = {
    ".js": "application/javascript",
    ".css": "text/css",
    ".png": "image/png",
    ".woff2": "font/woff2",
    ".woff": "font/woff",
    ".ttf": "font/ttf",
    ".svg": "image/svg+xml",
}


@dataclass
class Traffic:
    """What the page asked for."""

    assets: list[str] = field(default_factory=list)  # CDN URLs served from node_modules
    missing: list[str] = field(default_factory=list)  # CDN URLs without a matching local file
    tiles: list[str] = field(default_factory=list)
    aborted: list[str] = field(default_factory=list)  # everything else
    console_errors: list[str] = field(default_factory=list)
    console_error_urls: list[str] = field(default_factory=list)  # where each error came from
    page_errors: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)


def local_asset(url: str) -> Path | None:
    """The file in node_modules for a jsdelivr npm URL, if that exact version is installed."""
    from wijkgeo.maps.assets import parse_cdn_url

    asset = parse_cdn_url(url)
    if asset is None:
        return None
    pkg_dir = NODE_MODULES / asset.package
    try:
        installed = json.loads((pkg_dir / "package.json").read_text("utf-8"))["version"]
    except (OSError, KeyError, ValueError):
        return None
    path = (pkg_dir / asset.path).resolve()
    if installed != asset.version or not path.is_file() or pkg_dir.resolve() not in path.parents:
        return None
    return path


_SESSION: dict = {}


@contextlib.contextmanager
def _browser(chromium: str) -> Iterator:
    """One Playwright and one Chromium for nested :func:`browser_page` uses (a module-scoped
    page and a test's own page): the sync API allows a single Playwright per thread."""
    from playwright.sync_api import sync_playwright

    if not _SESSION:
        manager = sync_playwright()
        pw = manager.start()
        browser = pw.chromium.launch(executable_path=chromium, headless=True, args=CHROMIUM_FLAGS)
        _SESSION.update(manager=manager, browser=browser, users=0)
    _SESSION["users"] += 1
    try:
        yield _SESSION["browser"]
    finally:
        _SESSION["users"] -= 1
        if _SESSION["users"] == 0:
            _SESSION["browser"].close()
            _SESSION["manager"].__exit__(None, None, None)
            _SESSION.clear()


@contextlib.contextmanager
def browser_page(
    html: str, *, width: int = 1200, height: int = 800, offline: bool = False, hash: str = ""
) -> Iterator[tuple]:
    """Open ``html`` in headless Chromium with all traffic routed locally.

    ``offline=True`` refuses every request but the page itself (no CDN assets, no tiles):
    what a file opened from a USB stick without network meets. ``hash`` is appended to the
    page URL (a deep link). Yields ``(page, traffic)``.
    """
    chromium = require_browser()
    traffic = Traffic()
    png = tiny_png()

    def route(r):
        url = r.request.url
        if url.split("#")[0] == PAGE_URL:
            return r.fulfill(status=200, body=html, content_type="text/html; charset=utf-8")
        if offline:
            traffic.aborted.append(url)
            return r.abort()
        if url.startswith(TILE_PREFIX):
            traffic.tiles.append(url)
            return r.fulfill(status=200, body=png, content_type="image/png")
        if url.startswith("https://cdn.jsdelivr.net/npm/"):
            path = local_asset(url)
            if path is None:
                traffic.missing.append(url)
                return r.abort()
            traffic.assets.append(url)
            return r.fulfill(
                status=200,
                body=path.read_bytes(),
                content_type=_TYPES.get(path.suffix, "application/octet-stream"),
            )
        traffic.aborted.append(url)
        return r.abort()

    with _browser(chromium) as browser:
        context = browser.new_context(viewport={"width": width, "height": height})
        try:
            page = context.new_page()

            def on_console(m):
                if m.type == "error":
                    traffic.console_errors.append(m.text)
                    traffic.console_error_urls.append((m.location or {}).get("url", ""))

            page.on("console", on_console)
            page.on("pageerror", lambda e: traffic.page_errors.append(str(e)))

            def on_dialog(d):
                traffic.dialogs.append(f"{d.type}: {d.message}")
                d.dismiss()

            page.on("dialog", on_dialog)
            page.route("**/*", route)
            page.goto(PAGE_URL + hash, wait_until="load")
            yield page, traffic
        finally:
            context.close()


# --------------------------------------------------------------------------- local layers

#: A rule that matches the synthetic buurten with many 65+ (Hostile and the </script> buurt).
KANS_RULE = """
[[regel]]
sleutel = "veel_ouderen"
titel = "Veel ouderen"
beschrijving = "Proefregel: veel inwoners van 65 jaar en ouder."
niveau = "buurt"
bron = "test"
[[regel.conditie]]
soort = "drempel"
indicator = "aandeel_65_plus"
waarde = 20
"""


def with_hostile_layers(atlas):
    """The synthetic atlas with all four local layers, every text field hostile.

    Four voorzieningen stand within 30 m of each other in Centrum (BU99980001), so they form
    one cluster when zoomed out; the others and the initiatives, the energietransitie row
    and both projects carry names and notes with HTML, ``</script>`` and template literals.
    """
    from dataclasses import replace

    import geopandas as gpd
    import pandas as pd
    from shapely import LineString, Point, box

    x, y = 155_150.0, 463_150.0
    voorz = gpd.GeoDataFrame(
        {
            "id": ["V1", "V2", "V3", "V4", "V5"],
            "naam": [HOSTILE, SCRIPT_END + " " + TEMPLATE, BRACES, "Huisarts Centrum", APOSTROPHE],
            "categorie": ["buurthuis", "huisarts", "supermarkt", "huisarts", "bibliotheek"],
        },
        geometry=[Point(x, y), Point(x + 20, y), Point(x, y + 20), Point(x + 15, y + 15),
                  Point(155_550.0, 463_600.0)],
        crs="EPSG:28992",
    )
    init = gpd.GeoDataFrame(
        {
            "id": ["I1", "I2"],
            "naam": [HOSTILE, TEMPLATE],
            "thema": [SCRIPT_END, "groen"],
            "status": ["actief", "gepland"],
            "startdatum": ["2024-01-01", "2025-01-01"],
            "einddatum": ["2026-01-01", None],
        },
        geometry=[Point(155_600.0, 463_200.0), Point(155_300.0, 463_650.0)],
        crs="EPSG:28992",
    )
    etw = pd.DataFrame(
        {
            "wijkcode": ["WK999800"],
            "planjaar": [2027],
            "strategie": ["warmtenet"],
            "toelichting": [SCRIPT_END + " " + HOSTILE],
        }
    )
    projecten = gpd.GeoDataFrame(
        {
            "id": ["PR001", "PR002"],
            "naam": [HOSTILE, "Plein " + SCRIPT_END],
            "eigenaar": ["gemeente", "corporatie"],
            "thema": ["riolering", "groen"],
            "status": ["gepland", "idee"],
            "startjaar": [2025, 2029],
            "eindjaar": [2026, 2030],
            "toelichting": [TEMPLATE, BRACES],
        },
        geometry=[
            LineString([(155_100.0, 463_200.0), (155_700.0, 463_250.0)]),
            box(155_100.0, 463_500.0, 155_300.0, 463_700.0),
        ],
        crs="EPSG:28992",
    )
    local = {
        "voorzieningen": voorz,
        "bewonersinitiatieven": init,
        "energietransitie": etw,
        "projecten": projecten,
    }
    return replace(atlas, local=local, meta={**atlas.meta, "peildatum": "2024-09-01"})


def wait_ready(page) -> None:
    """Wait until the map engine says it has drawn everything (``data-wijkgeo="klaar"``)."""
    page.wait_for_function(
        "document.documentElement.getAttribute('data-wijkgeo') === 'klaar'", timeout=20_000
    )


def screenshot(page, name: str) -> None:
    """Save a screenshot into tests/_artifacts/ (look at it)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / name))
