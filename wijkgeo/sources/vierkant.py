"""CBS vierkantstatistieken (500 m and 100 m grid cells): normalisation and fetch.

The cell-code maths (parse, format, squares) lives in :mod:`wijkgeo.grid.codes`.
Cell codes name the **lower-left corner** in hectometres in EPSG:28992: ``E0680N4335`` is
x 68,000-68,100 (100 m) or 68,000-68,500 (500 m), y 433,500 up. The id column is
``crs28992res100m`` / ``crs28992res500m``, truncated to ``c28992r100`` / ``c28992r500`` in
shapefiles; the full upper-case form (``CRS28992RES500M...``) is accepted too. Secret and
missing values (any value <= -99990, e.g. -99997) become NaN.

Examples
--------
>>> import pandas as pd
>>> normalize_vierkanten(pd.DataFrame({"crs28992res500m": ["E0680N4335"]})).celcode.tolist()
['E0680N4335']
"""

from __future__ import annotations

import json
import logging
import os
import zipfile
from collections.abc import Iterable
from pathlib import Path

import geopandas as gpd
import pandas as pd

from .. import _http, settings
from .._errors import DataValidationError, SourceError
from ..atlas import CRS
from ..codes import normalize_code
from ..grid.codes import cell_polygons, id_column
from . import catalog
from .pdok import nan_missing

__all__ = [
    "cached_download",
    "fetch_vierkanten",
    "normalize_vierkanten",
    "read_vierkanten_file",
    "vierkant_layer",
]

log = logging.getLogger(__name__)


def normalize_vierkanten(frame: pd.DataFrame, res: int | None = None) -> gpd.GeoDataFrame:
    """Normalise a vierkantstatistieken table to ``celcode`` + attributes + cell polygons.

    The geometry is rebuilt from the codes (EPSG:28992), whatever the input carried
    (centroids, Web Mercator, none); every value <= -99990 becomes NaN.

    Parameters
    ----------
    frame : DataFrame or GeoDataFrame
        With an id column ``crs28992res{res}m`` or ``c28992r{res}``.
    res : int, optional
        100 or 500; read from the id column name when omitted.

    Returns
    -------
    geopandas.GeoDataFrame

    Examples
    --------
    >>> import pandas as pd
    >>> g = normalize_vierkanten(pd.DataFrame({"c28992r100": ["E1514N4796"],
    ...                                         "aantal_inwoners": [-99997]}))
    >>> g.celcode.iloc[0], bool(g.aantal_inwoners.isna().iloc[0]), g.geometry.iloc[0].area
    ('E1514N4796', True, 10000.0)
    """
    col, found = id_column(frame.columns, res)
    res = res or found
    data = pd.DataFrame(frame.drop(columns=[c for c in ("geometry",) if c in frame.columns]))
    codes = data.pop(col).astype(str).str.strip().str.upper()
    codes = codes.str.extract(r"(E\d{4,5}N\d{4,5})$", expand=False).fillna(codes)
    data.insert(0, "celcode", codes.to_numpy())
    n = nan_missing(data)
    if n:
        log.debug("vierkanten %s m: %d geheime/ontbrekende waarden naar NaN", res, n)
    geoms = cell_polygons(data["celcode"], res)
    gdf = gpd.GeoDataFrame(data.reset_index(drop=True), geometry=geoms.values, crs=CRS)
    return gdf


def _cache_dir() -> Path:
    return settings.cache_path()


def _read_zip(path: Path, bbox: tuple[float, float, float, float] | None) -> pd.DataFrame:
    import pyogrio
    import pyogrio.errors

    try:
        with zipfile.ZipFile(path) as zf:
            names = zf.namelist()
    except zipfile.BadZipFile as exc:
        raise SourceError(
            f"Het gedownloade bestand {path} is geen geldig zip-bestand; verwijder het en "
            "probeer opnieuw."
        ) from exc
    inner = next((n for n in names if n.lower().endswith(".gpkg")), None) or next(
        (n for n in names if n.lower().endswith(".shp")), None
    )
    if inner is None:
        raise SourceError(
            f"Geen GeoPackage of shapefile in {path.name} (inhoud: {', '.join(names[:5])})."
        )
    try:
        return pyogrio.read_dataframe(f"/vsizip/{path}/{inner}", bbox=bbox)
    except pyogrio.errors.DataSourceError as exc:
        raise SourceError(
            f"Kan {inner} in {path} niet lezen ({exc}); verwijder het bestand en probeer opnieuw."
        ) from exc


def _validators_path(path: Path) -> Path:
    return path.with_name(path.name + ".validators.json")


def cached_download(url: str, path: str | Path, *, lock_timeout: float = 900) -> Path:
    """Keep ``path`` a current copy of ``url``, revalidated with a conditional GET.

    The ``ETag``/``Last-Modified`` of the copy are kept beside it in
    ``<name>.validators.json``. Every call asks the server whether the copy is still
    current (``If-None-Match``/``If-Modified-Since``): ``304 Not Modified`` keeps the file,
    ``200`` replaces it in one rename and records the new validators. A copy without
    recorded validators is downloaded again. When the server can't be asked, the
    :class:`SourceError` is raised: a stale copy is never used silently. A file lock
    (``<name>.lock``) lets one process at a time download a file; another waits up to
    ``lock_timeout`` seconds.

    Examples
    --------
    >>> cached_download("https://download.cbs.nl/vierkant/500/2025-cbs_vk500_2024_v1.zip",
    ...                 "/tmp/vk500.zip")                       # doctest: +SKIP
    PosixPath('/tmp/vk500.zip')
    """
    from filelock import FileLock, Timeout

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    # one download of a file at a time, so the zip and its validators always belong together
    try:
        with FileLock(str(path) + ".lock", timeout=lock_timeout):
            return _revalidate(url, path)
    except Timeout:
        raise SourceError(
            f"Een ander wijkgeo-proces downloadt {path.name} al langer dan {lock_timeout:g} s; "
            "probeer het later opnieuw.",
            url=url,
        ) from None


def _revalidate(url: str, path: Path) -> Path:
    meta = _validators_path(path)
    known: dict[str, str] = {}
    if path.exists() and meta.exists():
        try:
            known = json.loads(meta.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            known = {}
    response = _http.download(
        url, path, etag=known.get("etag"), last_modified=known.get("last_modified")
    )
    if response.status_code == 304:
        log.info("Vierkantstatistieken ongewijzigd, kopie in de cache gebruikt: %s", path)
        return path
    log.info("Vierkantstatistieken gedownload: %s -> %s", url, path)
    validators = {
        key: response.headers[header]
        for key, header in (("etag", "ETag"), ("last_modified", "Last-Modified"))
        if response.headers.get(header)
    }
    if validators:
        tmp = meta.with_name(meta.name + ".part")
        tmp.write_text(json.dumps(validators), encoding="utf-8")
        os.replace(tmp, meta)
    else:  # nothing to revalidate with: the next call downloads again
        meta.unlink(missing_ok=True)
    return path


def fetch_vierkanten(
    gemeente: str,
    year: int,
    *,
    boundary: gpd.GeoDataFrame | None = None,
    download_url: str | None = None,
    resolutions: Iterable[int] = (500, 100),
    cache_dir: str | Path | None = None,
) -> dict[str, gpd.GeoDataFrame]:
    """Vierkantstatistieken of one gemeente: the cells that intersect its boundary.

    The national zip (CBS ``download.cbs.nl/vierkant/...``) is kept in the cache
    (``$WIJKGEO_CACHE`` or the user cache folder) and revalidated with a conditional GET on
    every call (:func:`cached_download`: a ``304`` reuses it, a new version replaces it), then
    read with a bounding box, so only the gemeente's cells enter memory.

    Parameters
    ----------
    gemeente : str
        Gemeente code.
    year : int
        Statistics year of the grid.
    boundary : GeoDataFrame, optional
        The gemeente outline (EPSG:28992); fetched from PDOK when omitted.
    download_url : str, optional
        Download host root (``$WIJKGEO_CBS_DOWNLOAD_URL``, default ``https://download.cbs.nl``).
    resolutions : iterable of int
        Any of 500 and 100.
    cache_dir : str or Path, optional
        Where the zips are kept.

    Returns
    -------
    dict
        ``{"500m": GeoDataFrame, "100m": GeoDataFrame}`` with ``celcode`` and attributes.

    Examples
    --------
    >>> grids = fetch_vierkanten("GM0599", 2024)       # doctest: +SKIP
    >>> grids["500m"].crs.to_epsg()                     # doctest: +SKIP
    28992
    """
    code = normalize_code(gemeente, "gemeente")
    if boundary is None:
        from .pdok import fetch_boundaries

        boundary = fetch_boundaries(code, year, levels=["gemeente"])["gemeente"]
    outline = boundary.to_crs(CRS).union_all()
    if outline is None or outline.is_empty:
        raise DataValidationError(f"Geen gemeentegrens voor {code}: kan vierkanten niet knippen.")
    folder = Path(cache_dir) if cache_dir else _cache_dir() / "vierkant"
    out: dict[str, gpd.GeoDataFrame] = {}
    for res in resolutions:
        url = catalog.vierkant_url(year, res, download_url=download_url)
        path = cached_download(url, folder / url.rsplit("/", 1)[1])
        minx, miny, maxx, maxy = outline.bounds
        raw = _read_zip(path, (minx - res, miny - res, maxx + res, maxy + res))
        grid = normalize_vierkanten(raw, res)
        grid = grid[grid.intersects(outline)].reset_index(drop=True)
        log.info("Vierkanten %s m voor %s: %d cellen", res, code, len(grid))
        out[f"{res}m"] = grid
    return out


# ---------------------------------------------------------------------------- from a file
def vierkant_layer(path: str | Path) -> tuple[str, int] | None:
    """The layer and resolution of a vierkantstatistieken GeoPackage, or ``None``.

    A layer counts when it has a cell id column (``crs28992res500m``, ``crs28992res100m``
    or the shapefile variants).

    Examples
    --------
    >>> vierkant_layer("2025-cbs_vk500_2024_v1.gpkg")          # doctest: +SKIP
    ('vierkant_500m', 500)
    """
    import pyogrio

    try:
        layers = [str(name) for name, _g in pyogrio.list_layers(path)]
    except Exception:  # not a GDAL-readable file: the caller reports it
        return None
    for layer in layers:
        fields = [str(f) for f in pyogrio.read_info(path, layer=layer)["fields"]]
        try:
            _col, res = id_column(fields)
        except DataValidationError:
            continue
        return layer, res
    return None


def read_vierkanten_file(
    path: str | Path, outline: object, *, layer: str | None = None, res: int | None = None
) -> gpd.GeoDataFrame:
    """The cells of a downloaded vierkantstatistieken GeoPackage that touch ``outline``.

    The file is read with the outline's bounding box (plus one cell), so only the
    gemeente's cells enter memory, and normalised like a download
    (:func:`normalize_vierkanten`: ``celcode``, secrets to NaN, polygons from the codes).

    Parameters
    ----------
    path : str or Path
        ``cbs_vk500_<jaar>_v<n>.gpkg`` or ``cbs_vk100_...`` as CBS publishes it (unzipped).
    outline : shapely geometry
        The gemeente outline in EPSG:28992.
    layer, res : optional
        Layer and resolution; found from the id column when omitted.

    Raises
    ------
    DataValidationError
        When the file has no layer with a cell id column.
    """
    import pyogrio

    src = Path(path)
    if layer is None or res is None:
        found = vierkant_layer(src)
        if found is None:
            raise DataValidationError(
                f"{src}: geen vierkantstatistieken (geen kolom crs28992res500m of "
                "crs28992res100m); download de vierkantstatistieken van CBS als GeoPackage."
            )
        layer, res = found
    minx, miny, maxx, maxy = outline.bounds  # type: ignore[attr-defined]
    try:
        raw = pyogrio.read_dataframe(
            src, layer=layer, bbox=(minx - res, miny - res, maxx + res, maxy + res)
        )
    except Exception as exc:  # GDAL/sqlite on a truncated or damaged file
        raise DataValidationError(
            f"{src}: bestand is beschadigd of afgekapt ({type(exc).__name__}); download de "
            "vierkantstatistieken opnieuw bij CBS."
        ) from None
    grid = normalize_vierkanten(raw, res)
    return grid[grid.intersects(outline)].reset_index(drop=True)
