"""Boundaries from the PDOK Wijk- en Buurtkaart (OGC API Features), normalised.

Two functions matter:

:func:`features_to_frame`
    Turns GeoJSON features as PDOK serves them (OGC API / GeoPackage snake_case, the old WFS
    camelCase, or the 2014 ``statcode``/``statnaam`` layers) into the canonical
    GeoDataFrame in EPSG:28992: codes normalised, any value <= -99990 to NaN, ``water='JA'``
    duplicate rows dropped, invalid geometries repaired (the count is logged).
:func:`fetch_boundaries`
    Pages through ``/cbs/wijken-en-buurten-{year}/ogc/v1/collections/{collection}/items``
    (``links`` rel=next, ``limit`` <= 1000) for one gemeente, asking for EPSG:28992.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from .. import _http
from .._errors import DataValidationError, SourceError
from ..atlas import CRS
from ..codes import gemeente_of, normalize_code, wijk_of
from ..conventions import AREA_LEVELS, CODE_COLUMN, NAME_COLUMN, PARENTS, SECRET_THRESHOLD
from . import catalog

__all__ = [
    "LEVELS",
    "features_to_frame",
    "fetch_boundaries",
    "fetch_collection",
    "normalize_boundaries",
]

log = logging.getLogger(__name__)

#: Boundary levels and their code / name columns.
LEVELS: dict[str, tuple[str, str]] = {
    level: (CODE_COLUMN[level], NAME_COLUMN[level]) for level in AREA_LEVELS
}


def _parent_code(code: str, level: str) -> str:
    return gemeente_of(code) if level == "gemeente" else wijk_of(code)


def _crs84_alias(crs: str) -> str:
    text = str(crs)
    if text.endswith("/CRS84") or text.upper() in {"CRS84", "OGC:CRS84"}:
        return "OGC:CRS84"
    if text.startswith("http://www.opengis.net/def/crs/EPSG/0/"):
        return "EPSG:" + text.rsplit("/", 1)[1]
    return text


def nan_missing(frame: pd.DataFrame, columns: Iterable[str] | None = None) -> int:
    """Set every numeric value <= -99990 (CBS secret/missing codes) to NaN, in place.

    Returns the number of values replaced.
    """
    count = 0
    for col in columns if columns is not None else frame.columns:
        if col == "geometry" or not pd.api.types.is_numeric_dtype(frame[col]):
            continue
        if pd.api.types.is_bool_dtype(frame[col]):
            continue
        mask = frame[col] <= SECRET_THRESHOLD
        n = int(mask.sum())
        if n:
            frame[col] = frame[col].astype("float64").mask(mask)
            count += n
    return count


def _repair(geoms: gpd.GeoSeries, what: str) -> gpd.GeoSeries:
    values = geoms.values
    present = ~shapely.is_missing(np.asarray(values))
    invalid = present & ~shapely.is_valid(np.asarray(values))
    n = int(invalid.sum())
    if not n:
        return geoms
    fixed = shapely.make_valid(np.asarray(values)[invalid])
    # make_valid may return a GeometryCollection with stray lines: keep the polygonal part.
    out = []
    for geom in fixed:
        if geom.geom_type == "GeometryCollection":
            polys = [g for g in geom.geoms if g.geom_type in ("Polygon", "MultiPolygon")]
            geom = shapely.union_all(polys) if polys else shapely.Polygon()
        elif geom.geom_type not in ("Polygon", "MultiPolygon"):
            geom = shapely.Polygon()
        out.append(geom)
    result = geoms.copy()
    result.iloc[np.flatnonzero(invalid)] = out
    empty = int(sum(g.is_empty for g in out))
    log.warning(
        "%s: %d ongeldige geometrie(ën) hersteld met make_valid (%d werden leeg, bijv. "
        "polygonen zonder oppervlakte)",
        what,
        n,
        empty,
    )
    return result


def features_to_frame(
    features: list[dict[str, Any]], level: str, *, source_crs: str = CRS
) -> gpd.GeoDataFrame:
    """Normalise PDOK GeoJSON features of one level into the canonical GeoDataFrame.

    Parameters
    ----------
    features : list of dict
        GeoJSON ``Feature`` dicts as found in PDOK OGC API ``items`` pages (snake_case),
        WFS output (camelCase, e.g. ``aantalInwoners``) or the 2014 layers
        (``statcode``/``statnaam``).
    level : {"gemeente", "wijk", "buurt"}
        The level of the features.
    source_crs : str, default "EPSG:28992"
        CRS of the coordinates (``"OGC:CRS84"``/``"EPSG:4326"`` for PDOK's default output);
        the result is always reprojected to EPSG:28992.

    Returns
    -------
    geopandas.GeoDataFrame
        In EPSG:28992, one row per code, with ``gemeentecode``/``wijkcode``/``buurtcode``
        (as far as the level has them, parents derived from the code when absent), the name
        column of the level, every attribute in snake_case, NaN for any value <= -99990.

    Raises
    ------
    DataValidationError
        When a feature has no valid code for ``level``; the message names the feature.

    Examples
    --------
    >>> feats = [{"type": "Feature", "properties": {"wijkcode": "WK077211",
    ...           "wijknaam": "Binnenstad", "aantalInwoners": -99997},
    ...           "geometry": {"type": "Point", "coordinates": [161000, 383000]}}]
    >>> gdf = features_to_frame(feats, "wijk")
    >>> gdf[["wijkcode", "gemeentecode"]].iloc[0].tolist(), gdf.crs.to_epsg()
    (['WK077211', 'GM0772'], 28992)
    >>> bool(gdf["aantal_inwoners"].isna().all())
    True
    """
    if level not in LEVELS:
        raise DataValidationError(f"Onbekend niveau {level!r}; kies uit {', '.join(LEVELS)}.")
    code_col, name_col = LEVELS[level]
    rows: list[dict[str, Any]] = []
    geoms: list[Any] = []
    for feat in features:
        props = {catalog.camel_to_snake(k): v for k, v in (feat.get("properties") or {}).items()}
        if "statcode" in props and code_col not in props:
            props[code_col] = props.pop("statcode")
        if "statnaam" in props and name_col not in props:
            props[name_col] = props.pop("statnaam")
        rows.append(props)
        geom = feat.get("geometry")
        geoms.append(shapely.geometry.shape(geom) if geom else None)

    def label(i: int) -> str:
        return f"PDOK-feature {features[i].get('id', i)!r} (nr. {i})"

    return normalize_boundaries(
        pd.DataFrame(rows), geoms, level, source_crs=source_crs, label=label
    )


def normalize_boundaries(
    frame: pd.DataFrame,
    geoms: Any,
    level: str,
    *,
    source_crs: Any = CRS,
    label: Callable[[int], str] | None = None,
) -> gpd.GeoDataFrame:
    """The PDOK normalisation of one boundary level, for any source of rows.

    Used by :func:`features_to_frame` (PDOK GeoJSON) and by
    :func:`wijkgeo.sources.wijkbuurtkaart.read_wijkbuurtkaart` (the downloaded GeoPackage):
    codes validated and normalised (parents derived when absent), names stripped, any
    value <= -99990 to NaN, invalid geometries repaired, reprojected to EPSG:28992,
    ``water='JA'`` duplicate rows dropped.

    Parameters
    ----------
    frame : DataFrame
        Attributes in snake_case (one row per feature).
    geoms : sequence of shapely geometries
        One per row (None allowed).
    level : {"gemeente", "wijk", "buurt"}
    source_crs : str or pyproj.CRS
        CRS of ``geoms``.
    label : callable, optional
        ``label(i)`` names row ``i`` in error messages.

    Examples
    --------
    >>> import pandas as pd, shapely
    >>> gdf = normalize_boundaries(pd.DataFrame({"buurtcode": [" BU99990101"]}),
    ...                            [shapely.box(0, 0, 1, 1)], "buurt")
    >>> gdf[["buurtcode", "wijkcode", "gemeentecode"]].iloc[0].tolist()
    ['BU99990101', 'WK999901', 'GM9999']
    """
    if level not in LEVELS:
        raise DataValidationError(f"Onbekend niveau {level!r}; kies uit {', '.join(LEVELS)}.")
    code_col, name_col = LEVELS[level]
    frame = frame.reset_index(drop=True).copy()
    if label is None:

        def label(i: int) -> str:
            return f"rij {i + 1}"

    if code_col not in frame.columns:
        frame[code_col] = pd.Series([None] * len(frame), dtype=object)
    codes = []
    for i, raw in enumerate(frame[code_col]):
        try:
            codes.append(normalize_code(raw, level))
        except DataValidationError as exc:
            raise DataValidationError(f"{label(i)} op niveau {level}: {exc}") from None
    frame[code_col] = codes
    for parent in PARENTS[level]:
        pcol = LEVELS[parent][0]
        derived = [_parent_code(c, parent) for c in codes]
        if pcol in frame.columns:
            given = frame[pcol]
            frame[pcol] = [
                normalize_code(g, parent) if isinstance(g, str) and g.strip() else d
                for g, d in zip(given, derived, strict=True)
            ]
        else:
            frame[pcol] = derived
    for col in (name_col, *(LEVELS[p][1] for p in PARENTS[level] if p == "gemeente")):
        if col not in frame.columns:
            frame[col] = pd.Series([None] * len(frame), dtype=object)
        else:
            frame[col] = frame[col].map(lambda v: v.strip() if isinstance(v, str) else v)
    n_missing = nan_missing(frame)
    if n_missing:
        log.debug("%s: %d geheime/ontbrekende waarden (<= -99990) naar NaN", level, n_missing)

    src = _crs84_alias(source_crs) if isinstance(source_crs, str) else source_crs
    gdf = gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries(geoms, crs=src), crs=src)
    # Repair in the source CRS (where the data was made), then once more after reprojection,
    # which can (rarely) turn a valid ring invalid.
    gdf = gdf.set_geometry(_repair(gdf.geometry, f"PDOK {level}"))
    if gdf.crs is not None and not gdf.crs.equals(CRS):
        gdf = gdf.to_crs(CRS)
        gdf = gdf.set_geometry(_repair(gdf.geometry, f"PDOK {level} (na herprojectie)"))

    # water='JA' rows: PDOK's gemeenten layer has a second row (all stats -99997) with the
    # water part of coastal/lake gemeenten. Keep the land row; keep a JA row only when alone.
    if gdf[code_col].duplicated().any():
        before = len(gdf)
        if "water" in gdf.columns:
            is_water = gdf["water"].astype(str).str.upper().eq("JA")
            dup = gdf[code_col].duplicated(keep=False)
            gdf = gdf[~(dup & is_water)]
        gdf = gdf[~gdf[code_col].duplicated(keep="first")]
        log.info("%s: %d dubbele rijen (water='JA') verwijderd", level, before - len(gdf))
    first = [code_col, name_col] + [
        c for p in PARENTS[level] for c in LEVELS[p] if c in gdf.columns
    ]
    first = list(dict.fromkeys(first))
    rest = [c for c in gdf.columns if c not in first and c != "geometry"]
    return gdf[[*first, *rest, "geometry"]].reset_index(drop=True)


def _next_link(page: dict[str, Any]) -> str | None:
    for link in page.get("links") or []:
        if link.get("rel") == "next" and link.get("href"):
            return str(link["href"])
    return None


def items_params(gemeente: str | None = None, *, limit: int | None = None) -> dict[str, Any]:
    """Query parameters of a PDOK OGC API items request: JSON, RD coordinates, one gemeente.

    The one place that knows how PDOK is asked; :func:`fetch_collection` pages with it and a
    refresh asks the same URL with ``HEAD`` for its validators.

    Examples
    --------
    >>> items_params("772")
    {'f': 'json', 'limit': 1000, 'crs': 'http://www.opengis.net/def/crs/EPSG/0/28992', \
'gemeentecode': 'GM0772'}
    """
    entry = catalog.catalog()["pdok"]
    params: dict[str, Any] = {
        "f": "json",
        "limit": min(int(limit or entry["page_limit"]), 1000),
        "crs": entry["crs"],
    }
    if gemeente is not None:
        params[entry["filter_property"]] = normalize_code(gemeente, "gemeente")
    return params


def fetch_collection(
    year: int,
    level: str,
    *,
    gemeente: str | None = None,
    pdok_url: str | None = None,
    limit: int | None = None,
) -> tuple[list[dict[str, Any]], str]:
    """All GeoJSON features of one collection (optionally one gemeente), following rel=next.

    The request asks for EPSG:28992 (``crs=`` parameter) and ``limit`` <= 1000. A chain
    that ends before ``numberMatched`` features arrived, or a failed page, raises
    :class:`SourceError`: no partial result.

    Returns
    -------
    features : list of dict
        The GeoJSON features of all pages.
    crs : str
        The CRS of the coordinates: the ``Content-Crs`` response header when present, else
        EPSG:28992 when coordinates look projected, else ``OGC:CRS84`` (a server that
        ignored the ``crs`` parameter).

    Examples
    --------
    >>> feats, crs = fetch_collection(2024, "wijk", gemeente="GM0392")   # doctest: +SKIP
    >>> len(feats)                                                  # doctest: +SKIP
    21
    """
    entry = catalog.catalog()["pdok"]
    page_limit = min(int(limit or entry["page_limit"]), 1000)
    url = catalog.pdok_collection_url(year, level, pdok_url=pdok_url)
    params: dict[str, Any] | None = items_params(gemeente, limit=page_limit)
    features: list[dict[str, Any]] = []
    matched: int | None = None
    pages = 0
    crs_header: str | None = None
    for page, response in _http.pages(
        url,
        params,
        items="features",
        next_link=_next_link,
        not_a_page="PDOK gaf geen GeoJSON FeatureCollection terug; controleer WIJKGEO_PDOK_URL.",
        headers={"Accept": "application/geo+json"},
    ):
        crs_header = crs_header or response.headers.get("Content-Crs")
        pages += 1
        features.extend(page["features"])
        if matched is None and isinstance(page.get("numberMatched"), int):
            matched = page["numberMatched"]
        if _next_link(page) is None and matched is not None and len(features) < matched:
            raise SourceError(
                f"PDOK-pagina {pages} mist de link naar de volgende pagina: {len(features)} "
                f"van {matched} features ontvangen. Geen gedeeltelijk resultaat; probeer het "
                "opnieuw.",
                url=response.url or url,
            )
    log.info("PDOK %s %s: %d features in %d pagina('s)", level, year, len(features), pages)
    if crs_header:
        crs = crs_header.strip().strip("<>")
    else:
        crs = entry["crs"] if _looks_projected(features) else "OGC:CRS84"
    return features, crs


def fetch_boundaries(
    gemeente: str,
    year: int,
    *,
    levels: Iterable[str] = ("gemeente", "wijk", "buurt"),
    pdok_url: str | None = None,
) -> dict[str, gpd.GeoDataFrame]:
    """Gemeente, wijk and buurt boundaries of one gemeente from the PDOK OGC API.

    Parameters
    ----------
    gemeente : str
        Gemeente code (``"GM0772"``, ``"0772"``).
    year : int
        Year of the Wijk- en Buurtkaart.
    levels : iterable of str
        Subset of ``("gemeente", "wijk", "buurt")``.
    pdok_url : str, optional
        PDOK API host root; default ``$WIJKGEO_PDOK_URL`` or ``https://api.pdok.nl``.

    Returns
    -------
    dict of str to GeoDataFrame
        Keys ``"gemeente"``, ``"wijken"``, ``"buurten"``, each in EPSG:28992.

    Examples
    --------
    >>> b = fetch_boundaries("GM0392", 2024)      # doctest: +SKIP
    >>> len(b["wijken"]), b["wijken"].crs.to_epsg()   # doctest: +SKIP
    (21, 28992)
    """
    code = normalize_code(gemeente, "gemeente")
    out: dict[str, gpd.GeoDataFrame] = {}
    for level in levels:
        feats, src = fetch_collection(year, level, gemeente=code, pdok_url=pdok_url)
        gdf = features_to_frame(feats, level, source_crs=src)
        if "gemeentecode" in gdf.columns:
            gdf = gdf[gdf["gemeentecode"] == code].reset_index(drop=True)
        out[{"gemeente": "gemeente", "wijk": "wijken", "buurt": "buurten"}[level]] = gdf
    return out


def _looks_projected(features: list[dict[str, Any]]) -> bool:
    for feat in features:
        geom = feat.get("geometry")
        if not geom:
            continue
        x, _y = shapely.geometry.shape(geom).representative_point().coords[0]
        return abs(x) > 360
    return True
