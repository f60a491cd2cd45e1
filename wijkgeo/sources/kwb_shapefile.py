"""The older Wijk- en Buurtkaart: zipped shapefiles with UPPERCASE abbreviated columns.

Before the GeoPackage (2021 and later) CBS published the Wijk- en Buurtkaart as ESRI
shapefiles, one per level (``gem_2015.shp``, ``wijk_2015.shp``, ``buurt_2015.shp``; later
``buurt_2019_v1.shp``, ``bu_2020.shp`` ...), with abbreviated columns (``BU_CODE``,
``AANT_INW``, ``P_65_EO_JR``, ...) and ``-99999999`` for secret values. Which file names and
columns exist is DATA (``kwb_shapefile.json``, through
:func:`wijkgeo.sources.catalog.shapefile_layout`); this module only applies it. A column the
layout does not know, or a missing required one, is an error naming the file, the column
and the closest known names: add the column to the data file, not to this code.

Examples
--------
>>> from wijkgeo.sources.kwb_shapefile import is_shapefile_source
>>> is_shapefile_source("buurt_2015.zip"), is_shapefile_source("WijkBuurtkaart_2024_v1.gpkg")
(True, False)
"""

from __future__ import annotations

import difflib
import logging
import re
import zipfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from .._errors import DataValidationError
from ..codes import normalize_code
from . import catalog
from .pdok import normalize_boundaries

if TYPE_CHECKING:  # pragma: no cover
    from ..atlas import Atlas

__all__ = [
    "find_layers",
    "gemeenten_in",
    "is_shapefile_source",
    "map_columns",
    "predecessors",
    "read_kwb_shapefiles",
]

log = logging.getLogger(__name__)


def is_shapefile_source(path: str | Path) -> bool:
    """Whether ``path`` is a zip, a folder or a ``.shp`` (the older layout), not a GeoPackage."""
    p = Path(path)
    if p.suffix.lower() == ".gpkg":  # even a folder of that name: the GeoPackage check names it
        return False
    return p.suffix.lower() in (".zip", ".shp") or p.is_dir()


def _members(src: Path) -> list[str]:
    """``.shp`` paths readable by GDAL (``/vsizip/`` inside a zip)."""
    if src.is_dir():
        return [str(p) for p in sorted(src.rglob("*")) if p.suffix.lower() == ".shp"]
    if src.suffix.lower() == ".shp":
        return [str(p) for p in sorted(src.parent.glob("*")) if p.suffix.lower() == ".shp"]
    try:
        with zipfile.ZipFile(src) as zf:
            names = zf.namelist()
    except (OSError, zipfile.BadZipFile) as exc:
        raise DataValidationError(
            f"{src}: geen leesbaar zip-bestand ({exc}); download de Wijk- en Buurtkaart "
            "opnieuw bij CBS."
        ) from None
    from .._parse import zip_refusal

    refused = zip_refusal(src)  # memory stays proportional to the zip's size
    if refused:
        raise DataValidationError(
            f"{src}: {refused}. Download de Wijk- en Buurtkaart opnieuw bij CBS; er is niets "
            "opgeslagen."
        )
    return [f"/vsizip/{src}/{n}" for n in names if n.lower().endswith(".shp")]


def find_layers(path: str | Path, year: int) -> dict[str, str]:
    """The shapefile of each level in a zip, folder or beside a ``.shp`` (by the layout's names).

    Raises
    ------
    DataValidationError
        When the path is missing or a level has no shapefile; the message lists what was
        found and the names looked for.
    """
    src = Path(path)
    if not src.exists():
        raise DataValidationError(
            f"{src}: bestand bestaat niet; geef de gedownloade Wijk- en Buurtkaart "
            "(zip met shapefiles, of een GeoPackage)."
        )
    members = _members(src)
    patterns = catalog.shapefile_layout()["files"]
    found: dict[str, str] = {}
    for level, stems in patterns.items():
        for stem in stems:
            rx = re.compile(
                re.escape(stem.format(year=int(year))) + r"(_[a-z0-9]+)*\.shp$", re.IGNORECASE
            )
            hits = [m for m in members if rx.match(Path(m).name)]
            if hits:
                found[level] = sorted(hits)[-1]  # the latest version (_v3 after _v1)
                break
    missing = [lvl for lvl in patterns if lvl not in found]
    if missing:
        wanted = "; ".join(
            f"{lvl}: {', '.join(s.format(year=int(year)) + '.shp' for s in patterns[lvl])}"
            for lvl in missing
        )
        have = ", ".join(Path(m).name for m in members) or "geen shapefiles"
        raise DataValidationError(
            f"{src}: geen shapefile voor {', '.join(missing)} van {year} (gezocht: {wanted}; "
            f"gevonden: {have}). Klopt het jaar (--jaar)?"
        )
    return found


def map_columns(columns: list[str], level: str, label: str) -> dict[str, str]:
    """UPPERCASE column -> canonical name for one file; unknown or missing columns fail.

    Examples
    --------
    >>> map_columns(["BU_CODE", "GM_CODE", "AANT_INW"], "buurt", "buurt_2015.shp")
    {'BU_CODE': 'buurtcode', 'GM_CODE': 'gemeentecode', 'AANT_INW': 'aantal_inwoners'}
    >>> map_columns(["BU_CODE", "GM_CODE", "INK_INW2", "AV5_ARTSPR"], "buurt", "buurt_2019_v1.shp")
    {'BU_CODE': 'buurtcode', 'GM_CODE': 'gemeentecode', 'INK_INW2': 'gemiddeld_inkomen_per_inwoner'}
    >>> try:
    ...     map_columns(["BU_CODE", "GM_CODE", "AANT_INWW"], "buurt", "buurt_2015.shp")
    ... except DataValidationError as exc:
    ...     print(str(exc)[:80])
    buurt_2015.shp: kolom 'AANT_INWW' is onbekend in de oudere Wijk- en Buurtkaart-i
    """
    layout = catalog.shapefile_layout()
    known: dict[str, str] = layout["columns"]
    ignore = {c.upper() for c in layout["ignore"]}
    families = [re.compile(p) for p in layout.get("ignore_patterns", [])]
    out: dict[str, str] = {}
    for col in columns:
        key = str(col).strip().upper()
        if key in ignore or (key not in known and any(f.match(key) for f in families)):
            continue
        if key not in known:
            near = difflib.get_close_matches(key, list(known) + sorted(ignore), n=3, cutoff=0.6)
            hint = f" (bedoelt u {', '.join(near)}?)" if near else ""
            raise DataValidationError(
                f"{label}: kolom {col!r} is onbekend in de oudere Wijk- en Buurtkaart-indeling"
                f"{hint}. Voeg haar toe aan wijkgeo/sources/kwb_shapefile.json (columns of "
                "ignore)."
            )
        out[col] = known[key]
    upper = {str(c).strip().upper() for c in columns}
    for req in layout["required"][level]:
        if req not in upper:
            near = difflib.get_close_matches(req, sorted(upper), n=3, cutoff=0.5)
            hint = f"; lijkt op {', '.join(near)}" if near else ""
            raise DataValidationError(
                f"{label}: verplichte kolom {req!r} ontbreekt{hint}. Is dit de Wijk- en "
                "Buurtkaart van CBS?"
            )
    return out


def _read_level(member: str, level: str, code: str) -> Any:
    import pyogrio

    name = Path(member).name
    info = pyogrio.read_info(member)
    fields = [str(f) for f in info["fields"]]
    names = map_columns(fields, level, name)
    gm_field = next(f for f in fields if f.strip().upper() == "GM_CODE")
    gdf = pyogrio.read_dataframe(member, columns=list(names))
    gdf = gdf[gdf[gm_field].astype(str).str.strip().str.upper() == code]
    crs = gdf.crs if gdf.crs is not None else info.get("crs")
    if crs is None:
        raise DataValidationError(
            f"{name}: geen coördinatenstelsel (.prj ontbreekt); de Wijk- en Buurtkaart is in "
            "EPSG:28992 (RD New): zet het .prj-bestand terug."
        )
    frame = pd.DataFrame(gdf.drop(columns=gdf.geometry.name)).rename(columns=names)
    frame = frame.loc[:, ~frame.columns.duplicated()]
    threshold = float(catalog.shapefile_layout()["secret_at_most"])
    for col in frame.columns:
        if pd.api.types.is_numeric_dtype(frame[col]):
            values = frame[col].astype(float)
            frame[col] = values.where(values > threshold)
    water = catalog.shapefile_layout()["water"]
    if "water" in frame.columns:
        is_water = frame["water"].astype(str).str.strip().str.upper() == water["value"]
        frame, gdf = frame[~is_water.to_numpy()], gdf[~is_water.to_numpy()]
    geoms = np.asarray(gdf.geometry.values, dtype=object)

    def label(i: int) -> str:
        return f"{name}, object {i + 1}"

    return normalize_boundaries(frame, geoms, level, source_crs=crs, label=label)


def _gemeente_codes(member: str) -> list[str]:
    import pyogrio

    fields = [str(f) for f in pyogrio.read_info(member)["fields"]]
    gm_field = next((f for f in fields if f.strip().upper() == "GM_CODE"), None)
    if gm_field is None:
        return []
    table = pyogrio.read_dataframe(member, columns=[gm_field], read_geometry=False)
    return sorted({str(c).strip().upper() for c in table[gm_field]})


def gemeenten_in(path: str | Path, year: int) -> list[str]:
    """The gemeente codes in an older Wijk- en Buurtkaart (from its gemeente shapefile)."""
    return _gemeente_codes(find_layers(path, year)["gemeente"])


def predecessors(
    member: str, gemeente: str, year: int, store: Any = None
) -> list[tuple[str, str]]:
    """The gemeenten of an older file that lay on the current area of ``gemeente``.

    The current area comes from the newest stored year of ``gemeente`` after ``year``
    (none stored: an empty list). A gemeente of the file counts when at least 1% of its
    area lies inside (slivers of generalisation do not).

    Returns
    -------
    list of (code, name)
    """
    import pyogrio
    import shapely

    from ..store import Store

    st = store if isinstance(store, Store) else Store(store)
    later = sorted(
        (int(e["year"]) for e in st.entries() if e.get("gemeente") == gemeente),
        reverse=True,
    )
    later = [y for y in later if y > int(year)]
    if not later:
        return []
    try:
        now = pyogrio.read_dataframe(st.gpkg_path(gemeente, later[0]), layer="gemeente")
    except Exception:  # a damaged store file: no suggestion, the plain message follows
        return []
    outline = shapely.union_all(shapely.make_valid(np.asarray(now.geometry.values, object)))
    fields = [str(f) for f in pyogrio.read_info(member)["fields"]]
    names = map_columns(fields, "gemeente", Path(member).name)
    old = pyogrio.read_dataframe(member, columns=list(names)).rename(columns=names)
    old = old.to_crs(now.crs)
    geoms = shapely.make_valid(np.asarray(old.geometry.values, object))
    share = shapely.area(shapely.intersection(geoms, outline)) / np.maximum(
        shapely.area(geoms), 1e-9
    )
    hit = old[share >= 0.01]
    return sorted(
        (str(c).strip().upper(), str(n).strip())
        for c, n in zip(hit["gemeentecode"], hit.get("gemeentenaam", hit["gemeentecode"]),
                        strict=True)
    )


def read_kwb_shapefiles(
    path: str | Path, gemeente: str, year: int, *, store: Any = None
) -> Atlas:
    """Read one gemeente from an older (shapefile) Wijk- en Buurtkaart into an Atlas.

    Parameters
    ----------
    path : str or Path
        The zip as downloaded from CBS (``buurt_2015.zip`` holding ``gem_2015.shp``,
        ``wijk_2015.shp``, ``buurt_2015.shp``), the unpacked folder, or one of its ``.shp``.
    gemeente : str
        Gemeente code as it was in ``year`` (Brielle ``GM0501`` in 2015).
    year : int
        The year of the kaart (its file names carry it).
    store : str, Path or Store, optional
        Where a newer year of ``gemeente`` may be: a gemeente that did not exist yet in
        ``year`` gets the message naming the gemeenten that lay on its area then.

    Returns
    -------
    Atlas
        Gemeente, wijken and buurten in EPSG:28992 with the canonical column names,
        secrets NaN; ``meta["wijkbuurtkaart"]`` names the file, its sha256 and size.

    Raises
    ------
    DataValidationError
        A missing file or level, an unknown or missing column (with the closest known
        names), a gemeente not in the file (closest codes suggested).

    Examples
    --------
    >>> atlas = read_kwb_shapefiles("buurt_2015.zip", "GM0606", 2015)   # doctest: +SKIP
    >>> len(atlas.buurten)                                             # doctest: +SKIP
    52
    """
    from .assemble import build_atlas
    from .local.spec import closest_many
    from .wijkbuurtkaart import file_sha256

    src = Path(path)
    code = normalize_code(gemeente, "gemeente")
    layers = find_layers(src, year)
    boundaries = {
        "gemeente": _read_level(layers["gemeente"], "gemeente", code),
        "wijken": _read_level(layers["wijk"], "wijk", code),
        "buurten": _read_level(layers["buurt"], "buurt", code),
    }
    if all(len(v) == 0 for v in boundaries.values()):
        before = predecessors(layers["gemeente"], code, year, store)
        if before:
            commands = "; ".join(
                f"wijkgeo import {src.name} --gemeente {c} --jaar {year}" for c, _n in before
            )
            raise DataValidationError(
                f"{src}: gemeente {code} bestond in {year} nog niet. Op haar huidige gebied "
                f"lagen toen {', '.join(f'{c} ({n})' for c, n in before)}: importeer die, "
                f"dan neemt wijkgeo tijdreeks {code} ze mee: {commands}"
            )
        near = closest_many(code, _gemeente_codes(layers["gemeente"]), 3)
        raise DataValidationError(
            f"{src}: gemeente {code} staat niet in de Wijk- en Buurtkaart {year}"
            + (f"; bedoelt u {', '.join(near)}?" if near else "")
            + " Na een herindeling staan de oude gemeenten erin: importeer die; met een "
            "nieuwer jaar van de gemeente in de store noemt deze melding ze."
        )
    digest = file_sha256(src) if src.is_file() else ""
    size = src.stat().st_size if src.is_file() else 0
    meta = {
        "source": f"CBS Wijk- en Buurtkaart {year} (shapefiles, bestand {src.name})",
        "wijkbuurtkaart": {"file": src.name, "sha256": digest, "size": size},
    }
    return build_atlas(
        gemeente=code, year=int(year), boundaries=boundaries, kerncijfers=None, meta=meta
    )
