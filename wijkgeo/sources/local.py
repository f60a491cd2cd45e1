"""Local layers a gemeente maintains itself: voorzieningen, initiatieven, energietransitie.

A layer folder (such as ``data_sources/demo/``) holds CSV files and a ``lagen.json`` that
describes each layer: its file, whether it holds points (``"type": "punten"``, with x/y
columns and their CRS) or a plain table (``"type": "tabel"``), its required columns, date
and year columns, allowed values and the wijkcode column. :func:`read_local_layers` reads
the folder by that description, validates every row and returns the layers for
``Atlas.local``. Bad input raises :class:`~wijkgeo.DataValidationError` naming the file, the
row as a spreadsheet shows it (the header is row 1) and what to do.

Example ``lagen.json``::

    {"lagen": {
       "voorzieningen": {"bestand": "voorzieningen.csv", "type": "punten",
                         "x": "x", "y": "y", "crs": "EPSG:28992",
                         "verplicht": ["id", "naam", "categorie", "x", "y"]},
       "energietransitie": {"bestand": "energietransitie_wijken.csv", "type": "tabel",
                            "verplicht": ["wijkcode", "planjaar", "strategie"],
                            "wijkcode": "wijkcode", "jaar": ["planjaar"]}}}
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from .._errors import DataValidationError
from ..codes import normalize_code
from ..conventions import CRS

if TYPE_CHECKING:  # pragma: no cover
    import geopandas as gpd

__all__ = ["CONFIG_NAME", "RD_BOUNDS", "WGS84_BOUNDS", "read_local_layers"]

log = logging.getLogger(__name__)

#: Name of the layer description file in a data_sources folder.
CONFIG_NAME = "lagen.json"
#: Bounds (x_min, y_min, x_max, y_max) of the Netherlands in EPSG:28992 (RD New area of use).
RD_BOUNDS = (-7000.0, 289000.0, 300000.0, 629000.0)
#: The same area in lon/lat (EPSG:4326 / OGC:CRS84).
WGS84_BOUNDS = (3.2, 50.75, 7.22, 53.7)
_LONLAT = {"EPSG:4326", "OGC:CRS84", "CRS84", "WGS84"}
_TYPES = {"punten", "geometrie", "tabel"}
_GEOMETRY_TYPES = {"LineString", "MultiLineString", "Polygon", "MultiPolygon"}


def _fail(file: Path | str, message: str, row: int | None = None) -> DataValidationError:
    where = f"{file}" if row is None else f"{file}, rij {row}"
    return DataValidationError(f"{where}: {message}")


def _load_config(folder: Path) -> dict[str, Any]:
    path = folder / CONFIG_NAME
    if not folder.is_dir():
        raise _fail(
            folder,
            "map met lokale lagen bestaat niet; geef de map met lagen.json op "
            "(bijvoorbeeld data_sources/demo).",
        )
    if not path.is_file():
        raise _fail(
            path,
            "bestand ontbreekt; kopieer data_sources/demo/lagen.json naar deze "
            "map en pas de laagbeschrijvingen aan.",
        )
    try:
        config = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise _fail(
            path, f"geen geldige JSON ({exc}); controleer komma's en aanhalingstekens."
        ) from None
    layers = config.get("lagen") if isinstance(config, dict) else None
    if not isinstance(layers, dict) or not layers:
        raise _fail(
            path,
            "sleutel 'lagen' met minstens één laag ontbreekt; zie "
            "data_sources/README.md voor het formaat.",
        )
    for name, spec in layers.items():
        if not isinstance(spec, dict) or not spec.get("bestand"):
            raise _fail(path, f"laag {name!r} heeft geen 'bestand'; geef de CSV-bestandsnaam op.")
        kind = spec.get("type", "tabel")
        if kind not in _TYPES:
            raise _fail(
                path, f"laag {name!r} heeft type {kind!r}; kies 'punten', 'geometrie' of 'tabel'."
            )
        if kind == "punten" and not (spec.get("x") and spec.get("y")):
            raise _fail(
                path,
                f"laag {name!r} is van type 'punten' maar 'x' en 'y' "
                "(kolomnamen van de coördinaten) ontbreken.",
            )
    return layers


def _read_csv(path: Path) -> pd.DataFrame:
    if not path.is_file():
        raise _fail(path, "bestand ontbreekt; zet het in de map of haal de laag uit lagen.json.")
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise _fail(
            path, "bestand is geen UTF-8; sla het op als 'CSV UTF-8 (door komma's gescheiden)'."
        ) from None
    except pd.errors.ParserError as exc:
        raise _fail(
            path,
            f"kan CSV niet lezen ({exc}); controleer scheidingstekens (komma) en aanhalingstekens.",
        ) from None
    except pd.errors.EmptyDataError:
        raise _fail(path, "bestand is leeg; de eerste regel moet de kolomnamen bevatten.") from None
    frame.columns = [str(c).strip() for c in frame.columns]
    return frame.map(lambda v: v.strip() if isinstance(v, str) else v)


def _as_text(values: pd.Series) -> pd.Series:
    """Attribute values of a GeoJSON/GeoPackage layer as the text a CSV would hold."""

    def one(v: Any) -> str:
        if v is None or (isinstance(v, float) and np.isnan(v)):
            return ""
        if isinstance(v, float) and v.is_integer():
            return str(int(v))
        return str(v).strip()

    return values.map(one).astype(object)


def _read_geo(path: Path, spec: dict[str, Any]) -> pd.DataFrame:
    """Read a GeoJSON layer: attributes as text plus a ``geometry`` column (EPSG:28992)."""
    import geopandas as gpd
    import pyogrio

    if not path.is_file():
        raise _fail(path, "bestand ontbreekt; zet het in de map of haal de laag uit lagen.json.")
    try:
        gdf = gpd.read_file(path, engine="pyogrio")
    except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError) as exc:
        raise _fail(path, f"kan het bestand niet lezen ({exc}); is het geldige GeoJSON?") from None
    crs = spec.get("crs")
    if crs:
        gdf = gdf.set_crs(crs, allow_override=True)
    elif gdf.crs is None:
        raise _fail(
            path, 'geen coördinatenstelsel; zet "crs" (bijvoorbeeld "EPSG:28992") in lagen.json.'
        )
    gdf = gdf.to_crs(_CRS)
    attrs = {str(c).strip(): _as_text(gdf[c]) for c in gdf.columns if c != gdf.geometry.name}
    frame = pd.DataFrame(attrs, index=gdf.index)
    frame["geometry"] = gdf.geometry.to_numpy()
    return frame


def _geometry(frame: pd.DataFrame, path: Path) -> gpd.GeoDataFrame:
    import geopandas as gpd
    import shapely

    geoms = frame["geometry"].to_numpy()
    missing = np.array([g is None or g.is_empty for g in geoms], dtype=bool)
    _reject_first(missing, path, lambda i: "geometrie ontbreekt of is leeg; teken het object in.")
    types = np.array([g.geom_type for g in geoms])
    _reject_first(
        ~np.isin(types, sorted(_GEOMETRY_TYPES)),
        path,
        lambda i: (
            f"geometrie van type {types[i]} hoort niet in deze laag; gebruik lijnen of vlakken."
        ),
    )
    invalid = ~shapely.is_valid(geoms)
    if invalid.any():
        geoms = geoms.copy()
        geoms[invalid] = shapely.make_valid(geoms[invalid])
        log.warning("%s: %d ongeldige geometrie(ën) hersteld", path, int(invalid.sum()))
    return gpd.GeoDataFrame(frame.drop(columns="geometry"), geometry=geoms, crs=_CRS)


def _period(frame: pd.DataFrame, path: Path, cols: list[str]) -> None:
    start, end = cols
    wrong = np.flatnonzero((frame[end] < frame[start]).to_numpy())
    if len(wrong):
        raise _fail(
            path,
            f"{end} ligt vóór {start}; controleer beide waarden.",
            int(wrong[0]) + 2,
        )


def _require(frame: pd.DataFrame, path: Path, spec: dict[str, Any]) -> None:
    required = list(spec.get("verplicht", []))
    for key in ("x", "y", "wijkcode"):
        if spec.get(key):
            required.append(spec[key])
    missing = [c for c in dict.fromkeys(required) if c not in frame.columns]
    if missing:
        raise _fail(
            path,
            f"verplichte kolom(men) {', '.join(missing)} ontbreken; gevonden: "
            f"{', '.join(frame.columns)}. Voeg ze toe op de eerste regel.",
        )
    for col in spec.get("verplicht", []):
        if col in spec.get("datums", []):
            continue  # an empty date means "unknown" / "open-ended"
        empty = np.flatnonzero(frame[col].eq("").to_numpy())
        if len(empty):
            raise _fail(path, f"kolom {col!r} is leeg; vul een waarde in.", int(empty[0]) + 2)
    if "id" in frame.columns:
        dup = frame["id"].duplicated() & frame["id"].ne("")
        if dup.any():
            i = int(np.flatnonzero(dup.to_numpy())[0])
            raise _fail(
                path,
                f"id {frame['id'].iloc[i]!r} komt vaker voor; geef elke rij een eigen id.",
                i + 2,
            )


def _reject_first(bad: np.ndarray, path: Path, message: Callable[[int], str]) -> None:
    """Raise for the first True row of ``bad`` (spreadsheet row = index + 2, after the header)."""
    rows = np.flatnonzero(bad)
    if len(rows):
        i = int(rows[0])
        raise _fail(path, message(i), i + 2)


def _numbers(frame: pd.DataFrame, col: str, path: Path, what: str) -> np.ndarray:
    text = frame[col].str.replace(",", ".", regex=False)
    values = pd.to_numeric(text, errors="coerce").to_numpy(float)
    _reject_first(
        ~np.isfinite(values),
        path,
        lambda i: (
            f"{what} {col!r} = {frame[col].iloc[i]!r} is geen getal; gebruik een "
            "punt als decimaalteken."
        ),
    )
    return values


def _points(frame: pd.DataFrame, path: Path, spec: dict[str, Any]) -> gpd.GeoDataFrame:
    import geopandas as gpd
    import pyproj

    xcol, ycol = spec["x"], spec["y"]
    crs = str(spec.get("crs", CRS)).upper()
    x = _numbers(frame, xcol, path, "coördinaat")
    y = _numbers(frame, ycol, path, "coördinaat")
    lonlat = crs in _LONLAT
    if not lonlat:
        try:
            is_rd = pyproj.CRS.from_user_input(crs).equals(pyproj.CRS(CRS))
        except pyproj.exceptions.CRSError:
            raise _fail(
                path,
                f"onbekend coördinatenstelsel {crs!r} in lagen.json; gebruik "
                "EPSG:28992 (RD) of EPSG:4326 (lengte/breedte).",
            ) from None
        if not is_rd:
            raise _fail(
                path,
                f"coördinatenstelsel {crs!r} wordt niet ondersteund; gebruik "
                "EPSG:28992 (RD) of EPSG:4326 (lengte/breedte).",
            )
    x0, y0, x1, y1 = WGS84_BOUNDS if lonlat else RD_BOUNDS
    outside = np.flatnonzero((x < x0) | (x > x1) | (y < y0) | (y > y1))
    if len(outside):
        i = int(outside[0])
        hint = (
            "verwacht lengtegraad 3,2-7,2 in x en breedtegraad 50,75-53,7 in y"
            if lonlat
            else "verwacht RD-meters: x tussen -7000 en 300000, y tussen "
            "289000 en 629000 (staan x en y omgewisseld, of zijn het graden? zet dan "
            '"crs": "EPSG:4326" in lagen.json)'
        )
        raise _fail(
            path,
            f"punt ({frame[xcol].iloc[i]}, {frame[ycol].iloc[i]}) ligt buiten Nederland; {hint}.",
            i + 2,
        )
    rest = frame.drop(columns=[xcol, ycol])
    if lonlat:
        gdf = gpd.GeoDataFrame(rest, geometry=gpd.points_from_xy(x, y), crs="EPSG:4326")
        return gdf.to_crs(CRS)
    return gpd.GeoDataFrame(rest, geometry=gpd.points_from_xy(x, y), crs=CRS)


def _dates(frame: pd.DataFrame, path: Path, cols: list[str]) -> None:
    for col in cols:
        if col not in frame.columns:
            raise _fail(path, f"datumkolom {col!r} ontbreekt; voeg hem toe (JJJJ-MM-DD).")
        text = frame[col]
        parsed = pd.to_datetime(text, format="%Y-%m-%d", errors="coerce")
        _reject_first(
            (parsed.isna() & text.ne("")).to_numpy(),
            path,
            lambda i, col=col, text=text: (
                f"datum {col!r} = {text.iloc[i]!r} is ongeldig; "
                "schrijf datums als JJJJ-MM-DD (bijvoorbeeld 2024-03-01)."
            ),
        )
        frame[col] = parsed.astype("datetime64[ns]")
    if {"startdatum", "einddatum"} <= set(cols):
        wrong = np.flatnonzero((frame["einddatum"] < frame["startdatum"]).to_numpy())
        if len(wrong):
            raise _fail(
                path, "einddatum ligt vóór startdatum; controleer beide datums.", int(wrong[0]) + 2
            )


def _years(frame: pd.DataFrame, path: Path, cols: list[str]) -> None:
    for col in cols:
        values = _numbers(frame, col, path, "jaar")
        bad = np.flatnonzero((values != np.round(values)) | (values < 2000) | (values > 2100))
        if len(bad):
            i = int(bad[0])
            raise _fail(
                path,
                f"jaar {col!r} = {frame[col].iloc[i]!r} is geen jaartal tussen 2000 en 2100.",
                i + 2,
            )
        frame[col] = values.astype("int64")


def _allowed(frame: pd.DataFrame, path: Path, allowed: dict[str, list[str]]) -> None:
    for col, values in allowed.items():
        if col not in frame.columns:
            continue
        ok = {str(v).lower() for v in values}
        frame[col] = frame[col].str.lower()
        bad = np.flatnonzero(~frame[col].isin(ok).to_numpy())
        if len(bad):
            i = int(bad[0])
            raise _fail(
                path,
                f"{col} {frame[col].iloc[i]!r} is niet toegestaan; kies uit "
                f"{', '.join(values)} (of breid 'toegestaan' in lagen.json uit).",
                i + 2,
            )


def _wijkcodes(frame: pd.DataFrame, path: Path, col: str, gemeente: str | None) -> None:
    codes = []
    for i, raw in enumerate(frame[col]):
        try:
            code = normalize_code(raw, "wijk")
        except DataValidationError as exc:  # re-raise with the file and row
            raise _fail(path, f"wijkcode {raw!r} is ongeldig ({exc}).", i + 2) from None
        if gemeente is not None and code[2:6] != gemeente[2:6]:
            raise _fail(
                path,
                f"wijkcode {code} hoort niet bij gemeente {gemeente}; gebruik "
                f"wijkcodes die beginnen met WK{gemeente[2:6]}.",
                i + 2,
            )
        codes.append(code)
    frame[col] = codes


def read_local_layers(
    folder: str | Path, *, gemeente: str | None = None, keep_personal: bool = False
) -> dict[str, gpd.GeoDataFrame | pd.DataFrame]:
    """Read and validate the local layers of a ``data_sources`` folder.

    Parameters
    ----------
    folder : str or Path
        Folder with ``lagen.json`` and the CSV files it names.
    gemeente : str, optional
        When given, every wijkcode must belong to this gemeente.
    keep_personal : bool, default False
        Keep the columns ``lagen.json`` lists under ``persoonsgegevens`` (contact names,
        phone numbers); by default they are dropped on reading.

    Returns
    -------
    dict
        Layer name (as in ``lagen.json``, e.g. ``"voorzieningen"``,
        ``"bewonersinitiatieven"``, ``"energietransitie"``) to a GeoDataFrame of points in
        EPSG:28992 (type ``punten``; the x/y columns become the geometry), a GeoDataFrame
        of lines and polygons (type ``geometrie``, a GeoJSON file) or a DataFrame
        (type ``tabel``). All other columns are kept as text, except date columns
        (``datetime64``, empty = NaT), year columns (int) and wijkcode columns (normalised).

    Raises
    ------
    DataValidationError
        When the folder, ``lagen.json`` or a CSV file is missing or malformed; the message
        names the file, the row (1-based, the header is row 1, as in a spreadsheet) and what
        to do.

    Examples
    --------
    >>> from wijkgeo.sources.local import read_local_layers
    >>> layers = read_local_layers("data_sources/demo", gemeente="GM9999")  # doctest: +SKIP
    >>> layers["voorzieningen"].crs.to_epsg()                               # doctest: +SKIP
    28992
    """
    base = Path(folder)
    gm = normalize_code(gemeente, "gemeente") if gemeente is not None else None
    out: dict[str, Any] = {}
    for name, spec in _load_config(base).items():
        path = base / spec["bestand"]
        kind = spec.get("type", "tabel")
        frame = _read_geo(path, spec) if kind == "geometrie" else _read_csv(path)
        personal = [c for c in spec.get("persoonsgegevens", []) if c in frame.columns]
        if personal and not keep_personal:
            frame = frame.drop(columns=personal)
        _require(frame, path, spec)
        if spec.get("datums"):
            _dates(frame, path, list(spec["datums"]))
        if spec.get("jaar"):
            _years(frame, path, list(spec["jaar"]))
        if spec.get("wijkcode"):
            _wijkcodes(frame, path, spec["wijkcode"], gm)
        if spec.get("periode") and spec["periode"] != ["startdatum", "einddatum"]:
            _period(frame, path, list(spec["periode"]))
        _allowed(frame, path, dict(spec.get("toegestaan", {})))
        if kind == "punten":
            out[name] = _points(frame, path, spec)
        elif kind == "geometrie":
            out[name] = _geometry(frame.reset_index(drop=True), path)
        else:
            out[name] = frame.reset_index(drop=True)
        log.debug("lokale laag %s: %d rijen uit %s", name, len(frame), path)
    return out
