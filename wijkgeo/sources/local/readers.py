"""Read one layer file into text columns, row numbers and (when present) geometries.

Formats: CSV (delimiter ``,`` ``;`` or tab and encoding UTF-8 with/without BOM, UTF-16 or
cp1252, all detected), Excel ``.xlsx`` (a named sheet), GeoJSON, GeoPackage (a named layer)
and a zipped Shapefile. Every reader returns a :class:`RawLayer` whose attribute values are
text exactly as a CSV would hold them, so one set of checks serves all formats. Problems
(missing file, sheet or layer, unreadable file) go into the report; the reader then returns
None.

Examples
--------
>>> from wijkgeo._report import ValidationReport
>>> from wijkgeo.sources.local.spec import load_spec
>>> spec = load_spec("data_sources/demo")
>>> raw = read_layer(spec.folder, spec.layers[0], ValidationReport())
>>> raw.frame.columns.tolist(), int(raw.rows[0]), raw.unit
(['id', 'naam', 'categorie', 'x', 'y'], 2, 'rij')
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import logging
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..._paths import UnsafePathError, read_bytes_limited, safe_input
from ..._report import ERROR, WARNING, ValidationReport
from .spec import LayerSpec, closest

__all__ = ["RawLayer", "clean_cell", "decode_text", "read_layer", "sniff_delimiter"]

log = logging.getLogger(__name__)


@dataclass
class RawLayer:
    """A layer as read from its file, before any check.

    Attributes
    ----------
    frame : DataFrame
        One column per attribute, values as stripped text ("" = empty).
    rows : ndarray of int
        Row number of each record as the user sees it (spreadsheet row, header = 1; or
        feature number from 1).
    unit : str
        ``"rij"`` or ``"object"`` (for :class:`~wijkgeo._report.Problem`).
    geometry : ndarray of shapely geometries, or None
    crs : pyproj.CRS or None
        The CRS the file itself declares (GeoJSON/GeoPackage/Shapefile).
    file : str
        The file as shown in messages.
    """

    frame: pd.DataFrame
    rows: np.ndarray
    unit: str
    geometry: np.ndarray | None
    crs: Any
    file: str


_MOJIBAKE = re.compile("Ã[\u00a0-\u00bf©«»]|â€")
#: Invisible characters that come along from copy-paste (zero-width, BOM, soft hyphen).
_INVISIBLE = re.compile("[\u200b\u200c\u200d\u200e\u200f\u2060\ufeff\u00ad]")


def clean_cell(value: str) -> str:
    """Strip a cell: invisible characters out, non-breaking spaces as spaces.

    Examples
    --------
    >>> clean_cell("\u00a0WK999902\u200b ")
    'WK999902'
    """
    return _INVISIBLE.sub("", str(value)).replace("\u00a0", " ").strip()


def _unopenable(report: ValidationReport, path: Path, exc: OSError) -> None:
    report.add(
        path,
        None,
        None,
        f"bestand kan niet worden geopend ({exc.strerror or type(exc).__name__})",
        hint="is het geopend in een ander programma, of mist u leesrechten?",
        category="unreadable",
    )


def _missing(report: ValidationReport, path: Path) -> None:
    report.add(
        path,
        None,
        None,
        "bestand ontbreekt",
        hint="zet het in de map of haal de laag uit lagen.json.",
        category="missing_file",
    )


def _refused(report: ValidationReport, path: Path, exc: UnsafePathError) -> None:
    """A file the path rules refuse (outside the folder, not a regular file, too large)."""
    if exc.category == "missing_file":
        _missing(report, path)
        return
    report.add(path, None, None, exc.reason, hint=exc.hint, category=exc.category)


def checked_input(
    folder: Path, name: str, report: ValidationReport, what: str = "bestand"
) -> Path | None:
    """The path of a file named in lagen.json, or None (reported) when it may not be read.

    The file must lie inside ``folder`` (after resolving links), be a regular file and not
    be too large; see :mod:`wijkgeo._paths`.
    """
    shown = Path(folder) / str(name)
    try:
        safe_input(folder, name, what=what)
    except UnsafePathError as exc:
        _refused(report, shown, exc)
        return None
    return shown


def decode_text(data: bytes, encoding: str | None = None) -> tuple[str, str]:
    """Decode CSV bytes: the given encoding, else BOM, UTF-8, then cp1252.

    Returns the text and the encoding used.

    Examples
    --------
    >>> decode_text("Café".encode("cp1252"))
    ('Café', 'cp1252')
    >>> decode_text(b"\\xef\\xbb\\xbfid")
    ('id', 'utf-8-sig')
    """
    if encoding:
        enc = encoding.lower().replace("_", "-")
        enc = "utf-8-sig" if enc in ("utf-8", "utf8") else enc
        return data.decode(enc), enc
    if data.startswith(b"\xef\xbb\xbf"):
        return data.decode("utf-8-sig"), "utf-8-sig"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16"), "utf-16"
    if b"\x00" in data[:4096]:  # UTF-16 without a BOM: NULs between the letters
        sample = data[:4096]
        if sample[1::2].count(0) > len(sample) // 4:
            return data.decode("utf-16-le"), "utf-16-le"
        if sample[0::2].count(0) > len(sample) // 4:
            return data.decode("utf-16-be"), "utf-16-be"
        raise UnicodeDecodeError("binary", data, 0, 1, "NUL-tekens: geen tekstbestand")
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), "cp1252"
    except UnicodeDecodeError:  # the five bytes cp1252 leaves undefined
        return data.decode("latin-1"), "latin-1"


def sniff_delimiter(text: str) -> str:
    """The delimiter (``,`` ``;`` tab or ``|``) that splits the header into most fields.

    Ties are broken by how consistently the next lines split into the same number of fields.

    Examples
    --------
    >>> sniff_delimiter("id;naam;x\\n1;A;70000,5\\n")
    ';'
    >>> sniff_delimiter("id,naam\\n1,A\\n")
    ','
    """
    lines = [ln for ln in text.splitlines()[:20] if ln.strip()]
    if not lines:
        return ","
    best, best_score = ",", (-1, -1)
    for delim in (",", ";", "\t", "|"):
        try:
            parsed = list(csv.reader(lines, delimiter=delim))
        except csv.Error:
            continue
        width = len(parsed[0])
        same = sum(len(r) == width for r in parsed[1:])
        score = (width, same) if width > 1 else (1, -1)
        if score > best_score:
            best, best_score = delim, score
    return best


def _unique_header(
    header: list[str], report: ValidationReport, path: Path
) -> tuple[list[str], list[int]]:
    """Clean column names; report duplicates; return names and the indices to keep."""
    names: list[str] = []
    keep: list[int] = []
    seen: dict[str, int] = {}
    for i, raw in enumerate(header):
        name = clean_cell(raw)
        if not name:
            continue  # trailing delimiter / empty Excel column: checked by the caller
        if name in seen:
            report.add(
                path,
                1,
                name,
                f"kolomnaam {name!r} komt twee keer voor (kolom {seen[name] + 1} en {i + 1})",
                hint="geef elke kolom een eigen naam; de tweede wordt genegeerd.",
                category="duplicate_column",
            )
            continue
        seen[name] = i
        names.append(name)
        keep.append(i)
    return names, keep


def _table(
    records: list[tuple[int, list[str]]],
    header: list[str],
    report: ValidationReport,
    path: Path,
    unit: str = "rij",
) -> tuple[pd.DataFrame, np.ndarray]:
    names, keep = _unique_header(header, report, path)
    width = len(header)
    cols: list[list[str]] = [[] for _ in names]
    rows: list[int] = []
    dropped_header = [i for i in range(width) if i not in keep and not str(header[i]).strip()]
    for row, cells in records:
        if not any(str(c).strip() for c in cells):
            continue  # empty row (Excel leaves them): not data
        if len(cells) > width and any(str(c).strip() for c in cells[width:]):
            report.add(
                path,
                row,
                None,
                f"rij heeft {len(cells)} velden, de kopregel {width}",
                hint="staat er een scheidingsteken of decimale komma in een waarde? Zet die "
                "tussen aanhalingstekens, of kies het juiste scheidingsteken in lagen.json.",
                category="ragged_row",
                unit=unit,
            )
            continue
        cells = list(cells) + [""] * (width - len(cells))
        for extra in dropped_header:
            if str(cells[extra]).strip():
                report.add(
                    path,
                    row,
                    None,
                    f"waarde {cells[extra]!r} staat in een kolom zonder naam (kolom {extra + 1})",
                    hint="geef die kolom een naam op de eerste regel of maak hem leeg.",
                    severity=WARNING,
                    category="unnamed_column",
                    unit=unit,
                )
        for j, i in enumerate(keep):
            cols[j].append(clean_cell(cells[i]))
        rows.append(row)
    frame = pd.DataFrame(dict(zip(names, cols, strict=True)), dtype=object)
    if not names:
        frame = pd.DataFrame(index=range(len(rows)))
    return frame, np.asarray(rows, dtype=int)


def read_csv(path: Path, spec: LayerSpec, report: ValidationReport) -> RawLayer | None:
    """CSV with detected encoding and delimiter; a record keeps its spreadsheet row number."""
    try:
        data = read_bytes_limited(path)
    except UnsafePathError as exc:
        _refused(report, path, exc)
        return None
    try:
        text, encoding = decode_text(data, spec.encoding)
    except (UnicodeDecodeError, LookupError) as exc:
        report.add(
            path,
            None,
            None,
            f"bestand is niet te lezen als {spec.encoding or 'tekst'} "
            f"({getattr(exc, 'reason', type(exc).__name__)})",
            hint="sla het op als 'CSV UTF-8' of haal 'codering' uit lagen.json.",
            category="bad_encoding",
        )
        return None
    if encoding not in ("utf-8", "utf-8-sig") and not spec.encoding:
        log.info("%s: tekencodering %s herkend", path, encoding)
    if not text.strip():
        report.add(
            path,
            None,
            None,
            "bestand is leeg",
            hint="de eerste regel moet de kolomnamen bevatten.",
            category="empty_file",
        )
        return None
    if encoding == "cp1252" and _MOJIBAKE.search(text):
        report.add(
            path,
            None,
            None,
            "bestand lijkt UTF-8 en cp1252 te mengen (tekens als 'Ã©' in plaats van 'é')",
            hint="open het in een teksteditor en sla het in één codering op (UTF-8).",
            severity=WARNING,
            category="bad_encoding",
        )
    sep_line = re.match(r"sep=(.)\r?\n", text)
    if sep_line:  # Excel's "sep=;" first line: Excel hides it, so rows count without it
        text = text[sep_line.end() :]
    delim = spec.delimiter or (sep_line.group(1) if sep_line else sniff_delimiter(text))
    try:
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delim)
        parsed = list(reader)
    except csv.Error as exc:
        report.add(
            path,
            None,
            None,
            f"kan CSV niet lezen ({exc})",
            hint='controleer aanhalingstekens: een veld dat met " begint moet er ook mee eindigen.',
            category="unreadable",
        )
        return None
    # skip leading empty lines: the header is the first non-empty record
    start = next((i for i, r in enumerate(parsed) if any(c.strip() for c in r)), None)
    if start is None:
        report.add(
            path,
            None,
            None,
            f"bestand bevat alleen scheidingstekens ({delim!r}) en geen gegevens",
            hint="de eerste regel moet de kolomnamen bevatten; is het goede bestand genoemd?",
            category="empty_file",
        )
        return None
    header = parsed[start]
    records = [(i + 1, r) for i, r in enumerate(parsed) if i > start]
    frame, rows = _table(records, header, report, path)
    if len(frame.columns) == 1 and len(frame) and spec.delimiter is None:
        report.add(
            path,
            1,
            None,
            "kopregel heeft maar één kolom",
            hint="is het scheidingsteken iets anders dan , ; of tab? Zet 'scheidingsteken' in "
            "lagen.json.",
            severity=WARNING,
            category="one_column",
        )
    return RawLayer(frame, rows, "rij", None, None, str(path))


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "ja" if value else "nee"
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0, 0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return repr(value)
    return str(value).strip()


_ZIP_HINT = (
    "pak het bestand uit en controleer de inhoud, of exporteer het opnieuw; een bestand dat "
    "zo sterk inpakt is meestal beschadigd of opzettelijk opgeblazen."
)


def _zip_bomb(path: Path) -> str | None:
    """Why a zip must not be unpacked (see :func:`wijkgeo._parse.zip_refusal`), or None."""
    from ..._parse import zip_refusal

    return zip_refusal(path)


def _cell_budget(path: Path) -> int:
    """Most non-empty cells a sheet of this file may hold: proportional to the file size."""
    return 200_000 + 4 * path.stat().st_size


def read_xlsx(path: Path, spec: LayerSpec, report: ValidationReport) -> RawLayer | None:
    """One sheet of an ``.xlsx`` (``blad``, default the first); Excel row numbers kept."""
    import zipfile

    import openpyxl

    if not path.is_file():
        _missing(report, path)
        return None
    bomb = _zip_bomb(path)
    if bomb:
        report.add(path, None, None, bomb, hint=_ZIP_HINT, category="too_large")
        return None
    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except PermissionError as exc:
        _unopenable(report, path, exc)
        return None
    except (zipfile.BadZipFile, OSError, KeyError, ValueError) as exc:
        report.add(
            path,
            None,
            None,
            f"geen leesbaar Excel-bestand (.xlsx) ({type(exc).__name__})",
            hint="open het in Excel en sla het op als 'Excel-werkmap (*.xlsx)'; .xls (oud "
            "formaat) wordt niet gelezen.",
            category="unreadable",
        )
        return None
    try:
        names = book.sheetnames
        if spec.sheet is not None and spec.sheet not in names:
            near = closest(spec.sheet, names)
            report.add(
                path,
                None,
                None,
                f"werkblad {spec.sheet!r} bestaat niet",
                hint=(f"bedoelt u {near!r}? " if near else "")
                + f"werkbladen in dit bestand: {', '.join(names)}.",
                category="missing_sheet",
            )
            return None
        sheet = book[spec.sheet] if spec.sheet is not None else book[names[0]]
        # The stored dimension may claim A1:XFD1048576; without it rows are not padded.
        sheet.reset_dimensions()
        budget = _cell_budget(path)
        values = []
        cells = 0
        for i, row in enumerate(sheet.iter_rows(values_only=True), start=1):
            last = len(row)
            while last and row[last - 1] is None:
                last -= 1
            if not last:
                continue
            texts = [_cell_text(v) for v in row[:last]]
            if not any(texts):
                continue
            cells += last
            if cells > budget:
                report.add(
                    path,
                    i,
                    None,
                    f"werkblad {sheet.title!r} heeft meer dan {budget:_} cellen, veel meer "
                    "dan een bestand van deze grootte aannemelijk maakt".replace("_", "."),
                    hint="is het bestand beschadigd, of staan er opmaak of waarden ver buiten "
                    "de tabel? Kopieer alleen de tabel naar een nieuw werkblad.",
                    category="too_large",
                )
                return None
            values.append((i, texts))
    finally:
        book.close()
    if not values:
        report.add(
            path,
            None,
            None,
            f"werkblad {sheet.title!r} is leeg",
            hint="de eerste regel moet de kolomnamen bevatten.",
            category="empty_file",
        )
        return None
    _head_row, header = values[0]
    width = max(len(r) for _i, r in values)
    header = header + [""] * (width - len(header))
    frame, rows = _table(values[1:], header, report, path)
    shown = f"{path} [{sheet.title}]"
    return RawLayer(frame, rows, "rij", None, None, shown)


def _vector_text(values: pd.Series) -> list[str]:
    out = []
    for v in values:
        if v is None or (isinstance(v, float) and np.isnan(v)) or v is pd.NaT:
            out.append("")
        else:
            v = v.to_pydatetime() if isinstance(v, pd.Timestamp) else v
            out.append(clean_cell(_cell_text(v)))
    return out


def read_vector(path: Path, spec: LayerSpec, report: ValidationReport) -> RawLayer | None:
    """GeoJSON, GeoPackage (``laag``) or a zipped Shapefile through pyogrio (GDAL)."""
    import pyogrio

    if not path.is_file():
        _missing(report, path)
        return None
    source = str(path)
    fmt = spec.format
    what = {"geo": "GeoJSON", "gpkg": "GeoPackage", "shpzip": "gezipte shapefile"}[fmt]
    if fmt == "shpzip":
        bomb = _zip_bomb(path)
        if bomb:
            report.add(path, None, None, bomb, hint=_ZIP_HINT, category="too_large")
            return None
        source = f"/vsizip/{path.resolve()}"
    try:
        layers = [str(name) for name, _g in pyogrio.list_layers(source)]
    except Exception as exc:  # GDAL raises several types for a file it can't open
        report.add(
            path,
            None,
            None,
            f"geen leesbare {what} ({type(exc).__name__}: {str(exc)[:120]})",
            hint="open het bestand in QGIS om te zien of het heel is, of exporteer het opnieuw.",
            category="unreadable",
        )
        return None
    if not layers:
        report.add(path, None, None, f"{what} bevat geen lagen", category="missing_layer")
        return None
    layer = spec.layer
    if layer is not None and layer not in layers:
        near = closest(layer, layers)
        report.add(
            path,
            None,
            None,
            f"laag {layer!r} bestaat niet in dit bestand",
            hint=(f"bedoelt u {near!r}? " if near else "")
            + f"lagen in dit bestand: {', '.join(layers)}.",
            category="missing_layer",
        )
        return None
    if layer is None and len(layers) > 1:
        report.add(
            path,
            None,
            None,
            f"bestand bevat {len(layers)} lagen ({', '.join(layers)}); de eerste wordt gelezen",
            hint='zet "laag": "..." in lagen.json om de juiste te kiezen.',
            severity=WARNING,
            category="missing_layer",
        )
    try:
        gdf = pyogrio.read_dataframe(source, layer=layer or layers[0])
    except Exception as exc:
        report.add(
            path,
            None,
            None,
            f"kan de {what} niet lezen ({type(exc).__name__}: {str(exc)[:120]})",
            hint="exporteer het bestand opnieuw uit de GIS-software.",
            category="unreadable",
        )
        return None
    geom_name = gdf.geometry.name if hasattr(gdf, "geometry") else None
    attrs = [c for c in gdf.columns if c != geom_name]
    frame = pd.DataFrame(
        {str(c).strip(): _vector_text(gdf[c]) for c in attrs}, index=range(len(gdf)), dtype=object
    )
    geoms = np.asarray(gdf.geometry.values, dtype=object) if geom_name else None
    return RawLayer(
        frame,
        np.arange(1, len(gdf) + 1),
        "object",
        geoms,
        gdf.crs if geom_name else None,
        str(path),
    )


def read_layer(folder: Path, spec: LayerSpec, report: ValidationReport) -> RawLayer | None:
    """Read the file of one layer by its format (see :attr:`LayerSpec.format`)."""
    path = Path(folder) / spec.file
    report.checked.append(str(path))
    if checked_input(Path(folder), spec.file, report) is None:
        return None
    reader = {
        "csv": read_csv,
        "xlsx": read_xlsx,
        "geo": read_vector,
        "gpkg": read_vector,
        "shpzip": read_vector,
    }[spec.format]
    raw = reader(path, spec, report)
    if raw is not None:
        check_text(raw, report)
    return raw


#: Longest text in a cell wijkgeo accepts (characters): Excel's own limit, so an export
#: never truncates a cell silently; a 1 MB "name" would stall PDF and Excel output.
MAX_CELL = 32767
_CELL_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\x1b]")
_CELL_BIDI = re.compile("[\u202a-\u202e\u2066-\u2069]")


def check_text(raw: RawLayer, report: ValidationReport) -> None:
    """Report cells longer than :data:`MAX_CELL`, with NUL/control characters (errors) or
    bidirectional overrides (warning).

    Strict reading refuses the layer; a lenient read keeps the row with the characters
    removed and the text cut at :data:`MAX_CELL`, so nothing hostile reaches a page,
    terminal or spreadsheet.
    """
    for col in list(raw.frame.columns):
        values = raw.frame[col].astype(str)
        dirty = (values.str.len() > MAX_CELL) | values.str.contains(
            _CELL_CONTROL, regex=True
        ) | values.str.contains(_CELL_BIDI, regex=True)
        if not dirty.any():
            continue
        for kind, mask in (
            ("long", values.str.len() > MAX_CELL),
            ("control", values.str.contains(_CELL_CONTROL, regex=True)),
            ("bidi", values.str.contains(_CELL_BIDI, regex=True)),
        ):
            hits = np.flatnonzero(mask.to_numpy(dtype=bool))
            for i in hits[:5]:
                row = int(raw.rows[i])
                if kind == "long":
                    message = f"tekst van {len(values.iat[i])} tekens (hoogstens {MAX_CELL})"
                    hint = "kort de tekst in; is er een hele tekst in één cel geplakt?"
                elif kind == "control":
                    message = "tekst bevat een NUL- of stuurteken"
                    hint = "verwijder onzichtbare tekens (kopieer de tekst via Kladblok)."
                else:
                    message = "tekst bevat een richtingteken (U+202A-E/U+2066-9)"
                    hint = "verwijder het: het keert de volgorde van de tekst om."
                report.add(
                    raw.file,
                    row,
                    str(col),
                    message,
                    hint=hint,
                    severity=WARNING if kind == "bidi" else ERROR,
                    category="bad_text",
                    unit=raw.unit,
                )
        cleaned = values.str.replace(_CELL_CONTROL, "", regex=True).str.replace(
            _CELL_BIDI, "", regex=True
        ).str.slice(0, MAX_CELL)
        raw.frame[col] = raw.frame[col].where(~dirty, cleaned)
