"""The CBS Wijk- en Buurtkaart from a downloaded GeoPackage, for work without network.

CBS publishes ``WijkBuurtkaart_<jaar>_v<n>.gpkg`` with layers ``gemeenten``, ``wijken`` and
``buurten`` in EPSG:28992: snake_case columns (the same names as the PDOK OGC API),
``water`` ``'JA'``/``'NEE'`` rows, ``-99997`` for secret values and every Kerncijfers
attribute on the boundaries. :func:`read_wijkbuurtkaart` reads one gemeente from it
through the same normalisation as the PDOK loader
(:func:`wijkgeo.sources.pdok.normalize_boundaries`: water rows out, secrets to NaN, codes
validated, geometries repaired) and returns an :class:`~wijkgeo.atlas.Atlas`;
``wijkgeo import`` writes that Atlas into the store like a refresh.

Examples
--------
>>> from wijkgeo.sources.wijkbuurtkaart import read_wijkbuurtkaart
>>> atlas = read_wijkbuurtkaart("WijkBuurtkaart_2024_v1.gpkg", "GM0599", 2024)  # doctest: +SKIP
>>> int(atlas.gemeente["aantal_inwoners"].iloc[0])                             # doctest: +SKIP
670610
"""

from __future__ import annotations

import hashlib
import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from .._errors import DataValidationError
from ..codes import normalize_code
from .local.spec import closest_many
from .pdok import normalize_boundaries
from .plausibility import check_boundaries

if TYPE_CHECKING:  # pragma: no cover
    from ..atlas import Atlas

__all__ = [
    "LAYERS",
    "file_sha256",
    "read_gemeenten_table",
    "read_reference",
    "read_wijkbuurtkaart",
]

log = logging.getLogger(__name__)

#: Level -> layer name in the GeoPackage.
LAYERS = {"gemeente": "gemeenten", "wijk": "wijken", "buurt": "buurten"}
_SQLITE_MAGIC = b"SQLite format 3\x00"


def file_sha256(path: str | Path) -> str:
    """Hex sha256 of a file (read in 1 MiB blocks).

    Examples
    --------
    >>> file_sha256("data_sources/demo/lagen.json")[:8].isalnum()
    True
    """
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _fail(path: Path, message: str) -> DataValidationError:
    return DataValidationError(f"{path}: {message}")


def _check_file(path: Path) -> list[str]:
    import pyogrio

    from .._paths import MAX_INPUT_BYTES, UnsafePathError, check_regular

    try:  # a regular file (no folder, FIFO or device), not absurdly large
        check_regular(path, limit=4 * MAX_INPUT_BYTES)
    except UnsafePathError as exc:
        if exc.category == "missing_file":
            raise _fail(
                path,
                "bestand bestaat niet; geef het pad naar de gedownloade "
                "WijkBuurtkaart_<jaar>_v<n>.gpkg.",
            ) from None
        raise _fail(path, f"{exc.reason}; {exc.hint}") from None
    with open(path, "rb") as fh:
        magic = fh.read(16)
    if magic != _SQLITE_MAGIC:
        hint = " (is het nog gezipt? pak het eerst uit)" if magic[:2] == b"PK" else ""
        raise _fail(
            path,
            f"geen GeoPackage{hint}; download de Wijk- en Buurtkaart als "
            "GeoPackage (.gpkg) bij CBS.",
        )
    try:
        layers = [str(name) for name, _g in pyogrio.list_layers(path)]
    except Exception as exc:  # GDAL: several error types for a damaged file
        raise _fail(
            path,
            f"GeoPackage is niet te lezen ({type(exc).__name__}: {exc}); "
            "download het bestand opnieuw.",
        ) from None
    missing = [name for name in LAYERS.values() if name not in layers]
    if missing:
        raise _fail(
            path,
            f"laag/lagen {', '.join(missing)} ontbreken (gevonden: "
            f"{', '.join(layers) or 'geen'}); is dit de Wijk- en Buurtkaart van CBS?",
        )
    return layers


def _refuse_double_codes(path: Path, layer: str, level: str, frame: Any) -> None:
    """Two land rows with one wijk- or buurtcode are an error naming both, never a choice.

    The normalisation keeps the first of two rows with one code (PDOK's ``water='JA'`` rows);
    in a file that is the user's only copy, a second land row means a damaged or edited file.
    The gemeente level has its own check (two land rows named by the import).
    """
    code_col = f"{level}code"
    if level == "gemeente" or code_col not in frame.columns:
        return
    land = frame
    if "water" in frame.columns:
        land = frame[~frame["water"].astype(str).str.strip().str.upper().eq("JA")]
    codes = land[code_col].astype(str).str.strip()
    double = codes[codes.duplicated(keep=False)]
    if double.empty:
        return
    first = double.iloc[0]
    rows = [str(i + 1) for i in np.flatnonzero(codes.to_numpy() == first)]
    raise _fail(
        path,
        f"laag {layer}: {level}code {first} staat er {len(rows)} keer in (objecten "
        f"{', '.join(rows)})"
        + (f", en nog {double.nunique() - 1} andere code(s) dubbel" if double.nunique() > 1 else "")
        + f"; elke {level} hoort één rij te hebben. Download de Wijk- en Buurtkaart opnieuw of "
        "verwijder de dubbele rij; er is niets opgeslagen.",
    )


def _read_level(path: Path, level: str, code: str) -> Any:
    import pyogrio

    layer = LAYERS[level]
    info = pyogrio.read_info(path, layer=layer)
    fields = [str(f) for f in info["fields"]]
    if "gemeentecode" not in fields:
        raise _fail(
            path,
            f"laag {layer} heeft geen kolom gemeentecode; is dit de Wijk- en "
            "Buurtkaart van CBS (2019 of later, snake_case)?",
        )
    gdf = pyogrio.read_dataframe(path, layer=layer, where=f"gemeentecode = '{code}'")
    crs = gdf.crs if gdf.crs is not None else info.get("crs")
    if crs is None:
        raise _fail(path, f"laag {layer} heeft geen coördinatenstelsel.")
    frame = gdf.drop(columns=gdf.geometry.name)
    geoms = np.asarray(gdf.geometry.values, dtype=object)

    def label(i: int) -> str:
        return f"{path.name}, laag {layer}, object {i + 1}"

    _refuse_double_codes(path, layer, level, frame)

    return normalize_boundaries(frame, geoms, level, source_crs=crs, label=label)


def read_gemeenten_table(path: str | Path) -> Any:
    """Every row of the file's ``gemeenten`` layer, without geometry (for Nederland).

    Examples
    --------
    >>> read_gemeenten_table("WijkBuurtkaart_2024_v1.gpkg").shape          # doctest: +SKIP
    (423, 182)
    """
    import pyogrio

    return pyogrio.read_dataframe(Path(path), layer=LAYERS["gemeente"], read_geometry=False)


def _gemeente_codes(path: Path) -> list[str]:
    import pyogrio

    table = pyogrio.read_dataframe(
        path, layer=LAYERS["gemeente"], columns=["gemeentecode"], read_geometry=False
    )
    return sorted({str(c).strip() for c in table["gemeentecode"]})


# ---------------------------------------------------------------------------- import checks
# Defects found importing real files; each check is separate (general plausibility checks
# of coordinates, codes and columns live elsewhere).
#: The gemeente outline must cover at least this share of the area of its buurten.
MIN_OUTLINE_COVER = 0.8


def _check_complete(src: Path, code: str, boundaries: dict[str, Any]) -> None:
    """Refuse a gemeente that is only partly in the file (no wijken or no buurten)."""
    missing = [
        what
        for key, what in (("wijken", "wijken"), ("buurten", "buurten"))
        if boundaries[key].empty
    ]
    if missing:
        have = [
            f"{len(boundaries[k])} {k}" if k != "gemeente" else "de gemeenterij"
            for k in ("gemeente", "wijken", "buurten")
            if not boundaries[k].empty
        ]
        raise _fail(
            src,
            f"gemeente {code} staat maar gedeeltelijk in dit bestand: {' en '.join(missing)} "
            f"ontbreken (wel: {', '.join(have)}). Er is niets opgeslagen; gebruik de volledige "
            "Wijk- en Buurtkaart van CBS.",
        )


def _check_land_rows(src: Path, code: str) -> None:
    """Two land rows (``water='NEE'``) for one gemeente code: an error naming both."""
    import pyogrio

    info = pyogrio.read_info(src, layer=LAYERS["gemeente"])
    fields = [str(f) for f in info["fields"]]
    if "water" not in fields:
        return
    cols = [c for c in ("gemeentecode", "gemeentenaam", "water") if c in fields]
    rows = pyogrio.read_dataframe(
        src,
        layer=LAYERS["gemeente"],
        columns=cols,
        read_geometry=False,
        where=f"gemeentecode = '{code}'",
    )
    land = rows[rows["water"].astype(str).str.upper() != "JA"]
    if len(land) > 1:
        names = [
            f"object {i + 1} ({row.get('gemeentenaam', '?')})"
            for i, (_, row) in zip(land.index, land.iterrows(), strict=False)
        ]
        raise _fail(
            src,
            f"laag {LAYERS['gemeente']} heeft {len(land)} landrijen (water='NEE') voor {code}: "
            f"{' en '.join(names)}. wijkgeo kiest er niet zelf één; herstel het bestand of "
            "download het opnieuw.",
        )


def _check_outline(src: Path, code: str, boundaries: dict[str, Any]) -> None:
    """The gemeente outline must cover (nearly) all of its buurten."""
    gem, buurten = boundaries["gemeente"], boundaries["buurten"]
    if gem.empty or buurten.empty:
        return
    import shapely

    outline = shapely.union_all(np.asarray(gem.geometry.values, dtype=object))
    parts = shapely.union_all(np.asarray(buurten.geometry.values, dtype=object))
    area = float(shapely.area(parts))
    if area <= 0:
        return
    cover = float(shapely.area(shapely.intersection(outline, parts))) / area
    if cover < MIN_OUTLINE_COVER:
        raise _fail(
            src,
            f"de omtrek van gemeente {code} in laag {LAYERS['gemeente']} bedekt maar "
            f"{cover:.0%} van de oppervlakte van haar buurten (verwacht: vrijwel alles). Is de "
            "gemeentegeometrie afgekapt of van een ander jaar? Download het bestand opnieuw.",
        )


def read_wijkbuurtkaart(path: str | Path, gemeente: str, year: int) -> Atlas:
    """Read one gemeente from a CBS Wijk- en Buurtkaart GeoPackage into an Atlas.

    Parameters
    ----------
    path : str or Path
        ``WijkBuurtkaart_<jaar>_v<n>.gpkg`` as downloaded from CBS (or a GeoPackage in the
        same layout: layers ``gemeenten``, ``wijken``, ``buurten``).
    gemeente : str
        Gemeente code (``"GM0599"``, ``"0599"``).
    year : int
        The year of the kaart; when the file has a ``jaar`` column it must agree.

    Returns
    -------
    Atlas
        Gemeente, wijken and buurten in EPSG:28992 with every attribute of the file
        (secret values NaN, ``water='JA'`` rows dropped); ``meta`` names the file, its
        sha256 and size.

    Raises
    ------
    DataValidationError
        When the file is missing or no GeoPackage, a layer is missing, the gemeente is not
        in the file (the closest codes are suggested) or the year disagrees; the message
        names the file.

    Examples
    --------
    >>> atlas = read_wijkbuurtkaart("WijkBuurtkaart_2024_v1.gpkg", "GM0599", 2024)
    ...                                                              # doctest: +SKIP
    >>> len(atlas.wijken), len(atlas.buurten)                        # doctest: +SKIP
    (21, 91)
    """
    from .assemble import build_atlas

    src = Path(path)
    code = normalize_code(gemeente, "gemeente")
    _check_file(src)
    try:
        _check_land_rows(src, code)
        boundaries = {
            "gemeente": _read_level(src, "gemeente", code),
            "wijken": _read_level(src, "wijk", code),
            "buurten": _read_level(src, "buurt", code),
        }
    except DataValidationError:
        raise
    except Exception as exc:  # GDAL/sqlite/GEOS on a truncated or damaged file
        raise _fail(
            src,
            f"bestand is beschadigd of afgekapt ({type(exc).__name__}); download de "
            "Wijk- en Buurtkaart opnieuw bij CBS.",
        ) from None
    if all(len(v) == 0 for v in boundaries.values()):
        near = closest_many(code, _gemeente_codes(src), 3)
        raise _fail(
            src,
            f"gemeente {code} staat niet in dit bestand"
            + (f"; bedoelt u {', '.join(near)}?" if near else "")
            + " Controleer de code en of het bestand het juiste jaar heeft.",
        )
    for key, frame in boundaries.items():
        if "jaar" in frame.columns and len(frame):
            years = sorted({int(v) for v in frame["jaar"].dropna()})
            if years and years != [int(year)]:
                raise _fail(
                    src,
                    f"laag {key} is van {', '.join(map(str, years))}, niet van "
                    f"{year}; geef --jaar {years[0]} of het bestand van {year}.",
                )
    if boundaries["gemeente"].empty:
        log.warning("%s: %s heeft geen rij in laag gemeenten; omtrek uit de wijken", src, code)
    _check_complete(src, code, boundaries)
    _check_outline(src, code, boundaries)
    check_boundaries(boundaries, code, src)  # refuses the whole file: nothing is stored
    stat = src.stat()
    meta = {
        "source": f"CBS Wijk- en Buurtkaart {year} (bestand {src.name})",
        "wijkbuurtkaart": {
            "file": src.name,
            "sha256": file_sha256(src),
            "size": stat.st_size,
        },
    }
    return build_atlas(
        gemeente=code,
        year=int(year),
        boundaries=boundaries,
        kerncijfers=None,
        meta=meta,
    )


def read_reference(path: str | Path, year: int) -> Any:
    """Every gemeente, wijk and buurt of a Wijk- en Buurtkaart as a national reference table.

    The attributes only (no geometry), in the shape of
    :func:`wijkgeo.sources.cbs.fetch_kerncijfers_nederland`: ``code``, ``level``, ``naam``,
    ``gemeentecode``, ``gemeentenaam``, ``wijkcode`` and the snake_case Kerncijfers columns
    (the file's names are the canonical ones); ``water='JA'`` duplicates out, any value
    <= -99990 NaN. ``wijkgeo import`` of a national kaart stores it with
    :meth:`wijkgeo.store.Store.write_reference`.

    Examples
    --------
    >>> ref = read_reference("WijkBuurtkaart_2024_v1.gpkg", 2024)      # doctest: +SKIP
    >>> ref["level"].value_counts()["buurt"]                           # doctest: +SKIP
    14574
    """
    import pandas as pd
    import pyogrio

    from ..conventions import SECRET_THRESHOLD

    src = Path(path)
    _check_file(src)
    parts = []
    for level, layer in LAYERS.items():
        frame = pyogrio.read_dataframe(src, layer=layer, read_geometry=False)
        code_col, name_col = f"{level}code", f"{level}naam"
        if code_col not in frame.columns:
            raise _fail(src, f"laag {layer} heeft geen kolom {code_col}.")
        if "water" in frame.columns:
            is_water = frame["water"].astype(str).str.upper().eq("JA")
            frame = frame[~(is_water & frame[code_col].duplicated(keep=False))]
        frame = frame.rename(columns={code_col: "code", name_col: "naam"})
        frame.insert(1, "level", level)
        parts.append(frame)
    out = pd.concat(parts, ignore_index=True)
    out["code"] = out["code"].astype(str).str.strip()
    for col in out.columns:
        if pd.api.types.is_numeric_dtype(out[col]) and col not in ("jaar",):
            values = out[col].astype("float64")
            out[col] = values.where(values > SECRET_THRESHOLD)
    if "gemeentecode" in out.columns:
        out["gemeentecode"] = out["gemeentecode"].astype(str).str.strip()
    if "wijkcode" not in out.columns:
        out["wijkcode"] = None
    out["wijkcode"] = out["wijkcode"].where(out["level"].isin(["wijk", "buurt"]), None)
    out = out.drop(columns=[c for c in ("water",) if c in out.columns])
    if "jaar" in out.columns:
        years = sorted({int(v) for v in out["jaar"].dropna()})
        if years and years != [int(year)]:
            raise _fail(src, f"de kaart is van {', '.join(map(str, years))}, niet van {year}.")
    first = ["code", "level", "naam"]
    return out[first + [c for c in out.columns if c not in first]]
