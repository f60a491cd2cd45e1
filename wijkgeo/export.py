"""Exports for analysts: GeoPackage, CSV and Excel with Dutch column labels.

Labels come from the indicator registry (:func:`wijkgeo.indicators.get_indicator`): an
indicator column gets its label and unit (``"Inwoners van 65 jaar en ouder (%)"``), a KWB
column that an indicator reads one-to-one gets that indicator's label, and any other column
keeps its name. No label is typed here.

Formats
-------
``gpkg``
    The layers gemeente, wijken, buurten (and vierkanten) with snake_case column names (what
    GIS tools want) plus the indicator columns, and an attribute table ``kolommen`` that
    maps each column to its Dutch label and unit. With ``grid=500`` (or 100) also the layer
    ``raster_500m`` from :func:`wijkgeo.grid.atlas_grid`: buurt variables interpolated to
    the cells (``*_uit_buurten``) beside CBS's own cell statistics (``cbs_*``).
``csv``
    One file for Dutch Excel: gemeente, wijk and buurt rows under each other with a
    ``Niveau`` column, labels in the header, **``;`` as separator and a decimal comma**,
    UTF-8 with a byte order mark (so Excel shows ë and é), empty cells for missing values,
    ``ja``/``nee`` for yes/no columns, indicators rounded to their registry decimals.
    ``csv_dialect="international"`` writes ``,`` and a decimal point instead.
``xlsx``
    Sheets Gemeente, Wijken, Buurten with labels as headers (numbers stay numbers; Excel
    shows them in the user's locale), and a sheet Toelichting with one row per column:
    key, label, unit, source, year and caveat.

A source column that holds the same numbers as an indicator column is left out (the
indicator, with its Dutch label, stays), so no column appears twice. Every text cell and
header of a CSV or Excel file goes through :func:`wijkgeo.text.safe_frame` (CSV through
:func:`wijkgeo.text.spreadsheet_csv`, with CRLF line ends): text that
starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return gets a quote in front, so
a name such as ``=HYPERLINK(...)`` never becomes a live formula (the OWASP rule).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import text
from ._errors import ConfigError, WijkgeoError
from ._write import write_output
from .codes import normalize_code

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from .atlas import Atlas
    from .facts.model import Facts
    from .series import AtlasSeries

__all__ = [
    "FORMATS",
    "column_info",
    "column_labels",
    "export",
    "export_atlas",
    "level_tables",
]

log = logging.getLogger(__name__)

FORMATS = ("gpkg", "csv", "xlsx")
_LEVELS = (
    ("gemeente", "gemeente", "Gemeente"),
    ("wijk", "wijken", "Wijken"),
    ("buurt", "buurten", "Buurten"),
)
_FIXED = {
    "niveau": ("Niveau", ""),
    "gemeentecode": ("Gemeentecode", ""),
    "gemeentenaam": ("Gemeente", ""),
    "wijkcode": ("Wijkcode", ""),
    "wijknaam": ("Wijk", ""),
    "buurtcode": ("Buurtcode", ""),
    "buurtnaam": ("Buurt", ""),
    "celcode": ("Vierkantcode", ""),
}


def _registry() -> dict[str, Any]:
    try:
        from .indicators import registry
    except ImportError:  # pragma: no cover - registry not installed
        return {}
    return registry()


def column_labels(
    columns: list[str], kolommen: dict[str, dict[str, Any]] | None = None
) -> dict[str, tuple[str, str]]:
    """Column name -> (Dutch label, unit) from the indicator registry.

    A source column that an indicator reads one-to-one gets the indicator's label when
    that indicator has no column of its own in ``columns``. Other statistics columns get
    the CBS title and unit from ``kolommen`` (``atlas.meta["kolommen"]``, taken from the
    table's DataProperties). Otherwise the column name is written out in Dutch words
    (:func:`wijkgeo.text.column_label`, no unit). Labels are made unique by adding the
    column name in brackets.

    Examples
    --------
    >>> column_labels(["aandeel_65_plus", "iets_anders"])["aandeel_65_plus"]
    ('Inwoners van 65 jaar en ouder', '%')
    >>> column_labels(["perc_iets_anders"])["perc_iets_anders"]
    ('Percentage iets anders', '')
    """
    reg = _registry()
    present = set(columns)
    by_column: dict[str, Any] = {}
    for ind in reg.values():
        if ind.key in present:  # the indicator has its own column: the source keeps its name
            continue
        for alt in ind.formula:
            if alt.get("op") == "column" and alt.get("column") and float(alt.get("scale", 1)) == 1:
                by_column.setdefault(alt["column"], ind)
    out: dict[str, tuple[str, str]] = {}
    seen: dict[str, int] = {}
    for col in columns:
        if col in _FIXED:
            label, unit = _FIXED[col]
        elif col in reg:
            label, unit = reg[col].label, reg[col].unit
        elif col in by_column:
            label, unit = by_column[col].label, by_column[col].unit
        elif col.endswith(("_ondergrens", "_bovengrens")) and col.rsplit("_", 1)[0] in reg:
            base, side = col.rsplit("_", 1)
            label, unit = f"{reg[base].label}: {side} 95%-marge", reg[base].unit
        elif col == "gezondheid_herkomst":
            label, unit = "Herkomst gezondheidscijfers (RIVM)", ""
        elif kolommen and col in kolommen and kolommen[col].get("title"):
            label, unit = kolommen[col]["title"], kolommen[col].get("unit") or ""
        else:
            label, unit = text.column_label(col), ""
        head = _header(label, unit)
        seen[head] = seen.get(head, 0) + 1
        out[col] = (label, unit)
    for col, (label, unit) in list(out.items()):
        if seen[_header(label, unit)] > 1 and label != col:
            out[col] = (f"{label} [{col}]", unit)
    return out


def column_info(
    columns: list[str], kolommen: dict[str, dict[str, Any]] | None = None, meta: Any = None
) -> list[dict[str, str]]:
    """One row per column for the Toelichting sheet: key, label, unit, source, year, caveat.

    Indicator columns (and the source columns an indicator reads one-to-one) take source,
    year and caveat from the registry; other columns name where the data came from
    (``meta["source"]``, e.g. the imported Wijk- en Buurtkaart) and its year.

    Examples
    --------
    >>> rows = column_info(["aandeel_65_plus", "perc_x"], meta={"source": "CBS", "year": 2024})
    >>> rows[0]["Label"], rows[1]["Label"], rows[1]["Bron"], rows[1]["Jaar"]
    ('Inwoners van 65 jaar en ouder', 'Percentage x', 'CBS', '2024')
    """
    reg = _registry()
    meta = dict(meta or {})
    labels = column_labels(list(dict.fromkeys(columns)), kolommen)
    by_column: dict[str, Any] = {}
    for ind in reg.values():
        for alt in ind.formula:
            if alt.get("op") == "column" and alt.get("column") and float(alt.get("scale", 1)) == 1:
                by_column.setdefault(alt["column"], ind)
    rows = []
    for col, (label, unit) in labels.items():
        ind = reg.get(col) or by_column.get(col)
        if col in _FIXED:
            source, year, caveat = "", "", ""
        elif ind is not None:
            source, year, caveat = ind.source, str(ind.year), ind.caveats
        else:
            source = str(meta.get("source") or "")
            year, caveat = str(meta.get("year") or ""), ""
        rows.append(
            {
                "Kolom": col,
                "Label": label,
                "Eenheid": unit,
                "Bron": source,
                "Jaar": year,
                "Kanttekening": caveat,
            }
        )
    return rows


def _header(label: str, unit: str) -> str:
    return f"{label} ({unit})" if unit and unit.lower() not in label.lower() else label


def level_tables(
    atlas: Atlas, *, indicators: bool = True, facts: Facts | None = None
) -> dict[str, pd.DataFrame]:
    """Gemeente, wijken and buurten as (Geo)DataFrames with indicator columns added.

    The indicator values are the facts' (:func:`wijkgeo.facts.build_facts`): the wijk and
    buurt values, and the gemeente's own row as the gemeente reference, so an export holds
    the numbers of the map and the profile.

    Parameters
    ----------
    atlas : Atlas
        The gemeente.
    indicators : bool
        Add every registry indicator that has at least one value at that level.
    facts : Facts, optional
        The facts of ``atlas`` when already built; default built here (without koppelkansen).

    Returns
    -------
    dict
        ``{"gemeente": ..., "wijken": ..., "buurten": ...}``; the Atlas is not changed.

    Examples
    --------
    >>> tables = level_tables(wijkgeo.load("GM9999", 2024))   # doctest: +SKIP
    >>> "aandeel_65_plus" in tables["buurten"].columns           # doctest: +SKIP
    True
    """
    if indicators and facts is None:
        facts = _facts(atlas, koppelkansen=False)
    out: dict[str, pd.DataFrame] = {}
    for level, attr, _title in _LEVELS:
        frame = getattr(atlas, attr).copy()
        values = _values(facts, level, frame) if indicators and len(frame) else None
        if values is not None:
            values = values.loc[:, values.notna().any()]
            values = values.drop(columns=[k for k in values.columns if _copies(k, frame)])
            same = _same_as(frame, values)
            keep = [c for c in frame.columns if c not in values.columns and c not in same]
            geom = frame.geometry.name if hasattr(frame, "geometry") else None
            body = [c for c in keep if c != geom]
            frame = _with_bounds(frame[body].join(values), level, atlas)
            if geom:
                import geopandas as gpd

                frame = gpd.GeoDataFrame(
                    frame, geometry=getattr(atlas, attr).geometry, crs=getattr(atlas, attr).crs
                )
        out[attr] = frame
    return out


def _facts(atlas: Atlas, *, koppelkansen: bool) -> Facts | None:
    """The facts of an export: wijken and buurten (no cells), koppelkansen when asked."""
    from .facts.model import build_facts

    try:
        return build_facts(
            atlas, koppelkansen=None if koppelkansen else False, levels=("buurt", "wijk")
        )
    except WijkgeoError as exc:  # e.g. a layer without the columns an indicator needs
        log.warning("indicatoren niet berekend: %s", exc)
        return None


def _values(facts: Facts | None, level: str, frame: pd.DataFrame) -> pd.DataFrame | None:
    """The facts' indicator values of one level, indexed like ``frame``."""
    if facts is None:
        return None
    if level == "gemeente":
        refs = facts.references
        if refs is None or len(refs.gemeente) != 1 or len(frame) != 1:
            return None
        values = refs.gemeente[facts.keys].copy()
    elif level in facts.levels:
        values = facts.levels[level].table[facts.keys].copy()
    else:
        return None
    if len(values) != len(frame):
        return None
    values.index = frame.index
    return values


def _with_bounds(frame: pd.DataFrame, level: str, atlas: Atlas) -> pd.DataFrame:
    """Beside each model estimate (RIVM) its 95 % bounds where published, and where the
    estimate comes from (``gezondheid_herkomst``): an analyst gets what the map shows."""
    from .indicators import estimate_bounds

    reg = _registry()
    estimates = [k for k in frame.columns if k in reg and reg[k].estimate]
    if not estimates:
        return frame
    out = frame.copy()
    for key in estimates:
        bounds = estimate_bounds(out, key, level=level, local=atlas.local)
        if bounds is not None:
            pos = out.columns.get_loc(key) + 1
            out.insert(pos, f"{key}_bovengrens", bounds[1].to_numpy())
            out.insert(pos, f"{key}_ondergrens", bounds[0].to_numpy())
    table = atlas.local.get("gezondheid")
    code = {"buurt": "buurtcode", "wijk": "wijkcode", "gemeente": "gemeentecode"}.get(level)
    if table is not None and code in out.columns and "herkomst" in table.columns:
        notes = table.drop_duplicates("code").set_index("code")["herkomst"]
        out["gezondheid_herkomst"] = out[code].astype(str).map(notes).to_numpy()
    return out


def _same_as(frame: pd.DataFrame, values: pd.DataFrame) -> set[str]:
    """Source columns that hold the same numbers as an indicator column (to its registry
    decimals, in every row where both have a value, or in every row at all): the export
    keeps the indicator, with its label, and not the copy."""
    import numpy as np
    import pandas as pd

    reg = _registry()
    out: set[str] = set()
    numeric = [
        c
        for c in frame.columns
        if c not in values.columns and pd.api.types.is_numeric_dtype(frame[c])
    ]
    for key in values.columns:
        ind = reg.get(key)
        if ind is None:
            continue
        mine = pd.to_numeric(values[key], errors="coerce").to_numpy(dtype="float64")
        if not np.isfinite(mine).any():
            continue
        tol = 0.5 * 10 ** (-int(ind.decimals)) + 1e-9
        for col in numeric:
            if col in out:
                continue
            theirs = pd.to_numeric(frame[col], errors="coerce").to_numpy(dtype="float64")
            both = np.isfinite(mine) & np.isfinite(theirs)
            reads = any(alt.get("column") == col for alt in ind.formula)
            if (
                both.sum() >= 1
                and (reads or (np.isfinite(mine) == np.isfinite(theirs)).all())
                and bool((np.abs(mine[both] - theirs[both]) <= tol).all())
            ):
                out.add(col)
    return out


def _copies(key: str, frame: pd.DataFrame) -> bool:
    """Whether indicator ``key`` is just a copy of a column the frame already has."""
    ind = _registry().get(key)
    if ind is None or len(ind.formula) != 1:
        return False
    alt = ind.formula[0]
    return (
        alt.get("op") == "column"
        and float(alt.get("scale", 1)) == 1
        and alt.get("column") in frame.columns
    )


def _plain(frame: pd.DataFrame) -> pd.DataFrame:
    """Attributes only, booleans as ja/nee, indicators rounded to their registry decimals."""
    import pandas as pd

    reg = _registry()
    cols = [c for c in frame.columns if str(frame[c].dtype) != "geometry"]
    out = pd.DataFrame(frame[cols])
    for col in cols:
        if pd.api.types.is_bool_dtype(out[col]):
            out[col] = out[col].map({True: "ja", False: "nee"})
        elif col in reg and pd.api.types.is_float_dtype(out[col]):
            out[col] = out[col].round(reg[col].decimals)
            if reg[col].decimals == 0:
                out[col] = out[col].astype("Int64")
        elif pd.api.types.is_float_dtype(out[col]) and _integral(out[col]):
            # Counts travel as float64 (NaN for secret values); show them as whole numbers,
            # not "52341,0", and keep missing cells empty.
            out[col] = out[col].astype("Int64")
    return out


def _integral(series: pd.Series) -> bool:
    values = series.dropna()
    return (
        bool(len(values)) and bool(((values % 1) == 0).all()) and bool((values.abs() < 2**53).all())
    )


def export_atlas(
    atlas: Atlas | AtlasSeries,
    path: str | Path,
    fmt: str | None = None,
    *,
    indicators: bool = True,
    csv_dialect: str = "nl",
    koppelkansen: bool = True,
    grid: int | None = None,
) -> Path:
    """Write an Atlas for analysts as GeoPackage, CSV or Excel.

    With ``koppelkansen`` the matches of the default rules (plus the gemeente's own, see
    :func:`wijkgeo.koppelkansen.evaluate`) are added: a layer ``koppelkansen`` in the
    GeoPackage, a sheet Koppelkansen in Excel, a file ``<naam>_koppelkansen.csv`` beside
    the CSV.

    Parameters
    ----------
    atlas : Atlas or AtlasSeries
        The gemeente and year (a series: its latest year).
    path : str or Path
        Output file; its suffix picks the format unless ``fmt`` is given.
    fmt : {"gpkg", "csv", "xlsx"}, optional
        Output format.
    indicators : bool
        Add the registry indicators as columns.
    csv_dialect : {"nl", "international"}
        ``"nl"``: ``;`` and decimal comma (Dutch Excel); ``"international"``: ``,`` and ``.``.
    grid : {500, 100}, optional
        Add the grid layer ``raster_<grid>m`` (GeoPackage only).

    Returns
    -------
    Path
        The written file.

    Examples
    --------
    >>> export_atlas(wijkgeo.load("GM9999", 2024), "demodam.xlsx")   # doctest: +SKIP
    PosixPath('demodam.xlsx')
    """
    import pandas as pd

    from .series import AtlasSeries

    atlas = AtlasSeries.of(atlas).latest
    path = Path(path)
    fmt = (fmt or path.suffix.lstrip(".")).lower()
    if fmt not in FORMATS:
        raise ConfigError(f"Onbekend exportformaat {fmt!r}; kies uit {', '.join(FORMATS)}.")
    if csv_dialect not in ("nl", "international"):
        raise ConfigError(f"Onbekend CSV-dialect {csv_dialect!r}; kies nl of international.")
    if grid is not None and fmt != "gpkg":
        raise ConfigError(
            f"Een rasterlaag kan alleen in een GeoPackage (gpkg), niet in {fmt}; "
            "kies --format gpkg."
        )
    # the facts once: the indicator columns and the koppelkansen of the export
    facts = _facts(atlas, koppelkansen=koppelkansen) if indicators or koppelkansen else None
    tables = level_tables(atlas, indicators=indicators, facts=facts)

    def write(tmp: Path) -> None:
        if fmt == "gpkg":
            _write_gpkg(tmp, tables, atlas, grid)
        elif fmt == "csv":
            rows = []
            for level, attr, _title in _LEVELS:
                frame = _plain(tables[attr])
                frame.insert(0, "niveau", level)
                rows.append(frame)
            table = pd.concat(rows, ignore_index=True, sort=False)
            ids = [c for c in _FIXED if c in table.columns]  # codes and names first
            table = table[ids + [c for c in table.columns if c not in ids]]
            labels = column_labels(list(table.columns), atlas.meta.get("kolommen"))
            table.columns = [_header(*labels[c]) for c in table.columns]
            sep, dec = (";", ",") if csv_dialect == "nl" else (",", ".")
            text.spreadsheet_csv(table, tmp, sep=sep, decimal=dec, encoding="utf-8-sig")
        else:
            _write_xlsx(tmp, tables, atlas.meta.get("kolommen"), _meta(atlas))
        if koppelkansen and facts is not None and facts.koppelkansen is not None:
            _write_koppelkansen(facts.koppelkansen, tmp, path, fmt, csv_dialect)

    write_output(path, write, what="export", replaces=_not_own_gpkg if fmt == "gpkg" else None)
    log.info("export geschreven: %s", path)
    return path


def not_own_gpkg(path: Path, layers: Iterable[str] = ()) -> str | None:
    """Why an existing file must not be replaced by a wijkgeo GeoPackage (or None).

    A store GeoPackage (it holds ``wijkgeo_manifest``), a file that is no GeoPackage, or one
    with layers wijkgeo does not write is refused; an earlier export is replaced whole.
    """
    import pyogrio

    try:
        names = [str(n) for n, _g in pyogrio.list_layers(path)]
    except Exception:
        return "het bestaande bestand is geen GeoPackage; kies een andere naam."
    if "wijkgeo_manifest" in names:
        return "het is een GeoPackage van de store; kies een andere naam."
    allowed = set(layers)
    foreign = [n for n in names if not (n in allowed or any(n.startswith(a) for a in allowed))]
    if foreign:
        return (
            f"de GeoPackage bevat lagen die wijkgeo niet schreef ({', '.join(foreign[:5])}); "
            "kies een andere naam of verwijder het bestand zelf."
        )
    return None


def _not_own_gpkg(path: Path) -> str | None:
    return not_own_gpkg(
        path,
        ["gemeente", "wijken", "buurten", "vierkanten_", "raster_", "kolommen", "koppelkansen",
         "overgeslagen"],
    )


def _write_gpkg(
    path: Path, tables: dict[str, pd.DataFrame], atlas: Atlas, grid: int | None = None
) -> None:
    import pandas as pd
    import pyogrio

    if path.exists():
        path.unlink()
    all_cols: list[str] = []
    layers = dict(tables)
    for res, cells in atlas.vierkanten.items():
        layers[f"vierkanten_{res}"] = cells
    if grid is not None:
        from .grid.layer import atlas_grid

        layers[f"raster_{int(grid)}m"] = atlas_grid(atlas, size=int(grid))
    for name, frame in layers.items():
        pyogrio.write_dataframe(frame, path, layer=name, driver="GPKG", promote_to_multi=False)
        all_cols.extend(c for c in frame.columns if c != "geometry")
    labels = column_labels(list(dict.fromkeys(all_cols)), atlas.meta.get("kolommen"))
    info = pd.DataFrame(
        [{"kolom": c, "label": lab, "eenheid": unit} for c, (lab, unit) in labels.items()]
    )
    pyogrio.write_dataframe(info, path, layer="kolommen", driver="GPKG")


def _meta(atlas: Atlas) -> dict[str, Any]:
    return {"source": atlas.meta.get("source", ""), "year": atlas.year}


def _write_xlsx(
    path: Path,
    tables: dict[str, pd.DataFrame],
    kolommen: dict[str, Any] | None = None,
    meta: dict[str, Any] | None = None,
) -> None:
    import pandas as pd

    explained: list[str] = []
    with pd.ExcelWriter(path, engine="openpyxl") as writer:
        for _level, attr, title in _LEVELS:
            frame = _plain(tables[attr])
            labels = column_labels(list(frame.columns), kolommen)
            explained.extend(frame.columns)
            frame.columns = [_header(*labels[c]) for c in frame.columns]
            frame = text.safe_frame(frame)
            frame.to_excel(writer, sheet_name=title, index=False)
            sheet = writer.sheets[title]
            sheet.freeze_panes = "B2"
            for i, col in enumerate(frame.columns, 1):
                sheet.column_dimensions[sheet.cell(1, i).column_letter].width = min(
                    45, max(10, len(str(col)) + 2)
                )
        info = pd.DataFrame(column_info(explained, kolommen, meta))
        text.safe_frame(info).to_excel(writer, sheet_name="Toelichting", index=False)
        sheet = writer.sheets["Toelichting"]
        for letter, width in zip("ABCDEF", (40, 45, 20, 45, 25, 60), strict=True):
            sheet.column_dimensions[letter].width = width


def export(
    gemeente: str,
    year: int,
    fmt: str,
    path: str | Path | None = None,
    *,
    store: str | Path | None = None,
    indicators: bool = True,
    csv_dialect: str = "nl",
    grid: int | None = None,
    **kwargs: Any,
) -> Path:
    """Export one stored gemeente and year (see :func:`export_atlas`).

    ``path`` is the file (or folder) to write; default ``<GMxxxx>_<year>.<fmt>`` in the
    current folder. The old name ``output=`` still works for one release (DeprecationWarning).

    Examples
    --------
    >>> from wijkgeo.export import export
    >>> export("GM9999", 2024, "csv")                  # doctest: +SKIP
    PosixPath('GM9999_2024.csv')
    """
    from .store import Store

    if "output" in kwargs:
        import warnings

        warnings.warn(
            "export(output=...) is verouderd; gebruik path=.", DeprecationWarning, stacklevel=2
        )
        path = kwargs.pop("output") if path is None else path
    if kwargs:
        raise TypeError(f"export() got an unexpected keyword argument {next(iter(kwargs))!r}")
    code = normalize_code(gemeente, "gemeente")
    fmt = fmt.lower()
    if fmt not in FORMATS:
        raise ConfigError(f"Onbekend exportformaat {fmt!r}; kies uit {', '.join(FORMATS)}.")
    atlas = Store(store).read_atlas(code, year)
    target = Path(path) if path else Path(f"{code}_{int(year)}.{fmt}")
    if target.is_dir():
        target = target / f"{code}_{int(year)}.{fmt}"
    return export_atlas(
        atlas, target, fmt, indicators=indicators, csv_dialect=csv_dialect, grid=grid
    )


# ------------------------------------------------------------------------- koppelkansen
def _write_koppelkansen(res: Any, tmp: Path, path: Path, fmt: str, csv_dialect: str) -> None:
    """Add the koppelkansen matches of the facts to an export (layer, sheet or a CSV beside
    ``path``). A broken koppelkansen.toml leaves them out with a log line
    (:func:`wijkgeo.facts.build_facts`); the export itself stands."""
    from .koppelkansen import flat_table
    for row in res.skipped.itertuples(index=False):
        log.info("koppelkans %s overgeslagen: %s", row.regel, row.reden)
    table = flat_table(res.matches, full=True)
    if fmt == "gpkg":
        import geopandas as gpd
        import pyogrio

        from .conventions import CRS

        layer = gpd.GeoDataFrame(table, geometry=res.matches.geometry.to_numpy(), crs=CRS)
        pyogrio.write_dataframe(layer, tmp, layer="koppelkansen", driver="GPKG")
    elif fmt == "csv":
        sep, dec = (";", ",") if csv_dialect == "nl" else (",", ".")
        target = path.with_name(f"{path.stem}_koppelkansen.csv")
        write_output(
            target,
            lambda t: text.spreadsheet_csv(table, t, sep=sep, decimal=dec, encoding="utf-8-sig"),
            what="export",
        )
    else:
        import pandas as pd

        with pd.ExcelWriter(tmp, engine="openpyxl", mode="a") as writer:
            sheet = table.rename(columns={c: text.column_label(c) for c in table.columns})
            text.safe_frame(sheet).to_excel(writer, sheet_name="Koppelkansen", index=False)
