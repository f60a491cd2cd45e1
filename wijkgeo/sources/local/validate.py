"""Check a layer row by row and turn it into the frame ``Atlas.local`` holds.

:func:`validate_layer` takes a :class:`~wijkgeo.sources.local.readers.RawLayer` and its
:class:`~wijkgeo.sources.local.spec.LayerSpec`, adds every problem to the report (file,
row, column, what is wrong, what to do) and returns the layer without its bad rows, or
None when the whole layer is unusable (a required column missing, an unknown CRS).

Checked: required columns and values, unique ids, allowed values, dates and years, end
before start, CBS codes (format, gemeente, existence with the closest existing codes, the
same code twice in a code-keyed table), postcodes through the postcode table, coordinates
(numbers, inside the Netherlands, inside the gemeente, with a hint when x/y look swapped or
metres were labelled as degrees or the other way round), geometries (present, of the
layer's type, valid or repaired with a count, plausible for the declared CRS).

Examples
--------
>>> from wijkgeo._report import ValidationReport
>>> parse_number("70000,5"), parse_number("1.234,5"), parse_number("1,234.5")
(70000.5, 1234.5, 1234.5)
>>> parse_number("twaalf")
nan
"""

from __future__ import annotations

import functools
import logging
import math
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ..._errors import DataValidationError
from ..._report import WARNING, ValidationReport
from ...codes import normalize_code
from ...conventions import CRS
from .readers import RawLayer
from .spec import LayerSpec, closest, closest_many

if TYPE_CHECKING:  # pragma: no cover
    from ...atlas import Atlas

__all__ = ["RD_BOUNDS", "WGS84_BOUNDS", "Areas", "parse_number", "validate_layer"]

log = logging.getLogger(__name__)

_CRS = CRS
#: Bounds (x_min, y_min, x_max, y_max) of the Netherlands in EPSG:28992 (RD New area of use).
RD_BOUNDS = (-7000.0, 289000.0, 300000.0, 629000.0)
#: The same area in lon/lat (EPSG:4326 / OGC:CRS84).
WGS84_BOUNDS = (3.2, 50.75, 7.22, 53.7)
#: Points this close outside the gemeente are kept with a warning (a huisarts just across
#: the border still serves the buurt); further away is an error.
NEAR_BORDER_M = 2000.0
_YEAR_RANGE = (1900, 2100)
_GEOM_TYPES = {
    "punten": {"Point"},
    "lijnen": {"LineString", "MultiLineString"},
    "vlakken": {"Polygon", "MultiPolygon"},
    "geometrie": {"LineString", "MultiLineString", "Polygon", "MultiPolygon"},
}
_PC6 = re.compile(r"^\d{4}[A-Z]{2}$")
_PC4 = re.compile(r"^\d{4}$")


@dataclass
class Areas:
    """What local rows are checked against: the gemeente, its outline and its codes.

    Build it with :meth:`from_atlas`; without an Atlas only the gemeente prefix of codes
    and the bounds of the Netherlands can be checked.
    """

    gemeente: str | None = None
    outline: Any = None
    buurtcodes: list[str] | None = None
    wijkcodes: list[str] | None = None
    name: str | None = None
    _prepared: Any = field(default=None, repr=False)

    @classmethod
    def from_atlas(cls, atlas: Atlas) -> Areas:
        import shapely

        outline = shapely.union_all(atlas.gemeente.geometry.values)
        return cls(
            gemeente=atlas.code,
            outline=outline,
            buurtcodes=sorted(atlas.buurten["buurtcode"].astype(str)),
            wijkcodes=sorted(atlas.wijken["wijkcode"].astype(str)),
            name=atlas.name,
        )

    @property
    def label(self) -> str:
        if self.gemeente and self.name:
            return f"{self.name} ({self.gemeente})"
        return self.gemeente or "de gemeente"


def parse_number(text: Any) -> float:
    """A number as people type it: decimal comma or point, thousands separators, spaces."""
    if text is None:
        return math.nan
    s = str(text).strip().replace("\u00a0", "").replace(" ", "")
    if not s:
        return math.nan
    if "," in s and "." in s:
        if s.rfind(",") > s.rfind("."):  # 1.234,5
            s = s.replace(".", "").replace(",", ".")
        else:  # 1,234.5
            s = s.replace(",", "")
    elif "," in s:
        s = s.replace(",", ".")
    try:
        value = float(s)
    except ValueError:
        return math.nan
    return value if math.isfinite(value) else math.nan


class _Layer:
    """Bookkeeping while one layer is checked: the report, bad rows, row labels."""

    def __init__(self, raw: RawLayer, spec: LayerSpec, report: ValidationReport):
        self.raw = raw
        self.spec = spec
        self.report = report
        self.frame = raw.frame
        self.bad = np.zeros(len(raw.frame), dtype=bool)
        self.fatal = False

    def add(
        self,
        i: int | None,
        column: str | None,
        message: str,
        hint: str = "",
        *,
        category: str,
        severity: str = "fout",
    ) -> None:
        row = None if i is None else int(self.raw.rows[i])
        self.report.add(
            self.raw.file,
            row,
            column,
            message,
            hint=hint,
            severity=severity,
            category=category,
            unit=self.raw.unit,
        )
        if severity == "fout":
            if i is None:
                self.fatal = True
            else:
                self.bad[i] = True

    def rowname(self, i: int) -> str:
        return f"{self.raw.unit} {int(self.raw.rows[i])}"


# ---------------------------------------------------------------------------- columns
def _needed(spec: LayerSpec, has_geometry: bool) -> list[str]:
    cols = list(spec.required)
    if spec.kind == "punten" and not has_geometry:
        cols += [c for c in (spec.x, spec.y) if c]
    cols += [c for c in (spec.buurtcode, spec.wijkcode, spec.postcode) if c]
    cols += spec.dates + spec.years + spec.period
    if spec.id:
        cols.append(spec.id)
    return list(dict.fromkeys(cols))


def _columns(L: _Layer, has_geometry: bool) -> None:
    present = list(L.frame.columns)
    for col in _needed(L.spec, has_geometry):
        if col in present:
            continue
        near = closest(col, present)
        L.add(
            None,
            col,
            f"verplichte kolom {col!r} ontbreekt; gevonden: {', '.join(present) or '(geen)'}",
            (
                f"heet hij hier {near!r}? Hernoem de kolom of pas lagen.json aan."
                if near
                else "voeg hem toe op de eerste regel."
            ),
            category="missing_column",
        )


def _required(L: _Layer) -> None:
    skip = set(L.spec.dates)
    for col in L.spec.required:
        if col in skip or col not in L.frame.columns:
            continue
        for i in np.flatnonzero(L.frame[col].eq("").to_numpy()):
            L.add(
                int(i),
                col,
                f"kolom {col!r} is leeg",
                "vul een waarde in.",
                category="empty_required",
            )


def _same_rows(L: _Layer) -> None:
    """Without an id, a row that repeats another exactly would be counted twice."""
    if L.frame.empty or not len(L.frame.columns):
        return
    cols = list(L.frame.columns)
    key = L.frame[cols].astype(str).agg("\x1f".join, axis=1)
    if L.raw.geometry is not None:
        key = key + pd.Series(
            [g.wkb_hex if g is not None else "" for g in L.raw.geometry], index=key.index
        )
    first: dict[str, int] = {}
    for i, k in enumerate(key):
        if k in first:
            L.add(
                i,
                None,
                f"rij is gelijk aan {L.rowname(first[k])}",
                "verwijder de dubbele rij (of geef elke rij een eigen id).",
                category="duplicate_row",
            )
        else:
            first[k] = i


def _ids(L: _Layer) -> None:
    col = L.spec.id or ("id" if "id" in L.frame.columns else None)
    if col is None or col not in L.frame.columns:
        if L.spec.code_key is None:  # a code-keyed table checks its key instead
            _same_rows(L)
        return
    values = L.frame[col]
    first: dict[str, int] = {}
    for i, v in enumerate(values):
        if v == "":
            continue
        if v in first:
            L.add(
                i,
                col,
                f"id {v!r} komt vaker voor (ook in {L.rowname(first[v])})",
                "geef elke rij een eigen id; staat de rij er dubbel in, verwijder er één.",
                category="duplicate_id",
            )
        else:
            first[v] = i


def _allowed(L: _Layer) -> None:
    for col, allowed in L.spec.allowed.items():
        if col not in L.frame.columns:
            continue
        ok = {str(v).lower(): str(v) for v in allowed}
        lowered = L.frame[col].str.lower()
        for i, v in enumerate(lowered):
            if v == "" and col not in L.spec.required:
                continue
            if v not in ok:
                near = closest(v, list(ok))
                L.add(
                    i,
                    col,
                    f"{col} {L.frame[col].iloc[i]!r} is niet toegestaan",
                    (f"bedoelt u {near!r}? " if near else "")
                    + f"kies uit {', '.join(map(str, allowed))} (of breid 'toegestaan' in "
                    "lagen.json uit).",
                    category="not_allowed",
                )
        L.frame[col] = lowered


_DMY = re.compile(r"^(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})$")


def _kind_columns(L: _Layer) -> None:
    """A layer named like a kind in ``wijkgeo/kinds.json`` (the one registry of local-layer
    kinds) should have the columns koppelkansen, map and profile read: its name column and
    the dates of its "active" rule. Missing ones are a warning: the layer still loads."""
    from ...kinds import kind

    spec = kind(L.spec.name)
    if not spec:
        return
    wanted = [
        spec.get("koppelkansen", {}).get("naamkolom"),
        spec.get("actief", {}).get("startdatum"),
        spec.get("actief", {}).get("einddatum"),
    ]
    for col in dict.fromkeys(c for c in wanted if c):
        if col not in L.frame.columns:
            L.add(
                None,
                col,
                f"de laag {L.spec.name!r} heeft geen kolom {col!r}",
                f"koppelkansen, kaart en profiel lezen die kolom bij een laag {L.spec.name!r} "
                "(wijkgeo/kinds.json); voeg hem toe of noem de laag anders.",
                category="kind_column",
                severity=WARNING,
            )


def _dates(L: _Layer) -> None:
    for col in L.spec.dates:
        if col not in L.frame.columns:
            continue
        text = L.frame[col]
        parsed = pd.to_datetime(text.str.slice(0, 10), format="%Y-%m-%d", errors="coerce")
        for i in np.flatnonzero((parsed.isna() & text.ne("")).to_numpy()):
            value = text.iloc[i]
            m = _DMY.match(value)
            hint = "schrijf datums als JJJJ-MM-DD (bijvoorbeeld 2024-03-01)."
            if m:
                hint = (
                    f"schrijf datums als JJJJ-MM-DD: {m[3]}-{int(m[2]):02d}-{int(m[1]):02d} "
                    "als dag-maand-jaar bedoeld is (bestaat die datum?)."
                )
            L.add(int(i), col, f"datum {col!r} = {value!r} is ongeldig", hint, category="bad_date")
        L.frame[col] = parsed.astype("datetime64[ns]")


def _years(L: _Layer) -> None:
    lo, hi = _YEAR_RANGE
    for col in L.spec.years:
        if col not in L.frame.columns:
            continue
        text = L.frame[col]
        values = np.array([parse_number(v) for v in text], dtype=float)
        for i, v in enumerate(values):
            if text.iloc[i] == "" and col not in L.spec.required:
                continue
            if not np.isfinite(v) or v != round(v) or not lo <= v <= hi:
                L.add(
                    i,
                    col,
                    f"jaar {col!r} = {text.iloc[i]!r} is geen jaartal tussen {lo} en {hi}",
                    "schrijf een heel jaar, bijvoorbeeld 2026.",
                    category="bad_year",
                )
        if np.isnan(values).any():
            L.frame[col] = pd.array(
                [None if np.isnan(v) else int(v) for v in values], dtype="Int64"
            )
        else:
            L.frame[col] = values.astype("int64")


def _period(L: _Layer) -> None:
    period = L.spec.period
    if not period and {"startdatum", "einddatum"} <= set(L.spec.dates):
        period = ["startdatum", "einddatum"]
    if len(period) != 2 or not set(period) <= set(L.frame.columns):
        return
    start, end = period
    s, e = L.frame[start], L.frame[end]
    if s.dtype == object or e.dtype == object:
        return  # not converted (not listed as date or year): nothing to compare
    wrong = (e < s).fillna(False).to_numpy(dtype=bool)
    for i in np.flatnonzero(wrong & ~L.bad):
        L.add(
            int(i),
            end,
            f"{end} ligt vóór {start}",
            f"controleer beide waarden ({start} {_show(s.iloc[i])}, {end} {_show(e.iloc[i])}).",
            category="end_before_start",
        )


def _show(v: Any) -> str:
    return v.date().isoformat() if isinstance(v, pd.Timestamp) else str(v)


# -------------------------------------------------------------------- free text, links
def _free_text(L: _Layer) -> None:
    """Personal data inside free text refuses the row; the report never repeats it."""
    from .personal import personal_in_text

    for col in L.spec.free_text:
        if col not in L.frame.columns:
            continue
        for i, value in enumerate(L.frame[col]):
            kinds = personal_in_text(value)
            if kinds:
                L.add(
                    i,
                    col,
                    f"tekst bevat persoonsgegevens ({', '.join(kinds)}); de rij is niet "
                    "overgenomen",
                    "schrijf de tekst zonder namen, telefoonnummers, e-mailadressen of "
                    'huisnummers ("een bewoner van de Dorpsstraat" in plaats van een naam en '
                    "adres).",
                    category="personal_data",
                )


_LINK = re.compile(r"^https?://[^\s<>\"']+$", re.IGNORECASE)


def _links(L: _Layer) -> None:
    for col in L.spec.links:
        if col not in L.frame.columns:
            continue
        for i, value in enumerate(L.frame[col]):
            if value and not _LINK.match(value):
                L.add(
                    i,
                    col,
                    f"{col} is geen link die met https:// of http:// begint",
                    "schrijf het volledige webadres, bijvoorbeeld https://www.voorbeeld.nl/...",
                    category="bad_link",
                )


def _story_places(L: _Layer, areas: Areas) -> Any:
    """Verhalen: each row a point (x/y), else a buurtcode, else a wijkcode."""
    import geopandas as gpd

    spec, frame = L.spec, L.frame
    n = len(frame)
    rx, ry = np.full(n, np.nan), np.full(n, np.nan)
    has_xy = bool(spec.x and spec.y and {spec.x, spec.y} <= set(frame.columns))
    if has_xy:
        crs = _resolve_crs(L, spec.crs or _CRS)
        if crs is None:
            return None
        sx = np.array([parse_number(v) for v in frame[spec.x]], dtype=float)
        sy = np.array([parse_number(v) for v in frame[spec.y]], dtype=float)
        filled = (frame[spec.x] != "").to_numpy() | (frame[spec.y] != "").to_numpy()
        for i in np.flatnonzero(filled & ~(np.isfinite(sx) & np.isfinite(sy))):
            L.add(
                int(i),
                spec.x,
                "coördinaten zijn geen getallen",
                "vul x en y in als getal.",
                category="bad_number",
            )
        rx, ry = _to_rd(crs, sx, sy)
        _check_places(L, rx, ry, sx, sy, crs, areas, spec.x)
    codes: dict[str, list[str]] = {}
    for level, col in (("buurt", spec.buurtcode), ("wijk", spec.wijkcode)):
        out = [""] * n
        if col and col in frame.columns:
            known = areas.buurtcodes if level == "buurt" else areas.wijkcodes
            for i, raw in enumerate(frame[col]):
                if not raw:
                    continue
                try:
                    code = normalize_code(raw, level)
                except DataValidationError as exc:
                    L.add(
                        i,
                        col,
                        f"{level}code {raw!r} is ongeldig ({exc})",
                        _code_hint(raw, known),
                        category="bad_code",
                    )
                    continue
                if (areas.gemeente and code[2:6] != areas.gemeente[2:6]) or (
                    known is not None and code not in set(known)
                ):
                    L.add(
                        i,
                        col,
                        f"{level}code {code} bestaat niet in {areas.label}",
                        _code_hint(code, known),
                        category="unknown_code",
                    )
                    continue
                out[i] = code
        codes[level] = out
    point = np.isfinite(rx) & np.isfinite(ry)
    for i in np.flatnonzero(~point & ~L.bad):
        if not (codes["buurt"][i] or codes["wijk"][i]):
            L.add(
                int(i),
                None,
                "verhaal zonder plaats",
                "vul x en y, een buurtcode of een wijkcode in.",
                category="no_place",
            )
    rest = frame.drop(columns=[c for c in (spec.x, spec.y) if c and c in frame.columns])
    rest = rest.assign(buurtcode=codes["buurt"], wijkcode=codes["wijk"])
    geom = [
        gpd.points_from_xy([x], [y])[0] if ok else None
        for x, y, ok in zip(rx, ry, point, strict=True)
    ]
    return gpd.GeoDataFrame(rest, geometry=geom, crs=_CRS)


# ------------------------------------------------------------------------------ codes
def _codes(L: _Layer, areas: Areas, postcodes: dict[str, str] | None) -> None:
    key = L.spec.code_key
    if key is None:
        return
    level, col = key
    if col not in L.frame.columns:
        return
    if level == "postcode":
        _postcodes(L, col, postcodes or {}, areas)
        return
    known = areas.buurtcodes if level == "buurt" else areas.wijkcodes
    known_set = set(known or [])
    out: list[str] = []
    for i, raw in enumerate(L.frame[col]):
        try:
            code = normalize_code(raw, level)
        except DataValidationError as exc:
            L.add(
                i,
                col,
                f"{level}code {raw!r} is ongeldig ({exc})",
                _code_hint(raw, known),
                category="bad_code",
            )
            out.append(str(raw))
            continue
        if areas.gemeente and code[2:6] != areas.gemeente[2:6]:
            L.add(
                i,
                col,
                f"{level}code {code} hoort niet bij gemeente {areas.gemeente}",
                f"gebruik {level}codes die beginnen met {code[:2]}{areas.gemeente[2:6]}.",
                category="unknown_code",
            )
        elif known is not None and code not in known_set:
            L.add(
                i,
                col,
                f"{level}code {code} bestaat niet in {areas.label}",
                _code_hint(code, known) + " Is het een code van een oudere indeling?",
                category="unknown_code",
            )
        out.append(code)
    L.frame[col] = out
    if L.spec.kind == "tabel":
        _unique_key(L, col, f"{level}code")


def _code_hint(code: Any, known: list[str] | None) -> str:
    if not known:
        return "schrijf de CBS-code als tekst, bv. WK077211 of BU07721101."
    near = closest_many(str(code).strip().upper(), known, 3)
    return (
        f"bestaande codes die erop lijken: {', '.join(near)}."
        if near
        else "zie de codes in de wijk- en buurtkaart van dit jaar."
    )


def _unique_key(L: _Layer, col: str, what: str) -> None:
    first: dict[str, int] = {}
    for i, v in enumerate(L.frame[col]):
        if L.bad[i] or v == "":
            continue
        if v in first:
            L.add(
                i,
                col,
                f"{what} {v} komt twee keer voor (ook in {L.rowname(first[v])})",
                "een tabel per code heeft één rij per code: voeg de rijen samen of "
                "verwijder de dubbele.",
                category="duplicate_code",
            )
        else:
            first[v] = i


def normalize_postcode(value: Any) -> str:
    """``"1234 ab"`` -> ``"1234AB"``; ``"1234"`` stays PC4."""
    return re.sub(r"\s+", "", str(value)).upper()


def _postcodes(L: _Layer, col: str, table: dict[str, str], areas: Areas) -> None:
    buurt: list[str] = []
    keys = list(table)
    for i, raw in enumerate(L.frame[col]):
        pc = normalize_postcode(raw)
        if not (_PC6.match(pc) or _PC4.match(pc)):
            L.add(
                i,
                col,
                f"postcode {raw!r} is ongeldig",
                "schrijf PC4 (1234) of PC6 (1234AB).",
                category="bad_code",
            )
            buurt.append("")
            continue
        if pc not in table:
            near = closest_many(pc, keys, 3)
            L.add(
                i,
                col,
                f"postcode {pc} staat niet in de postcodetabel",
                (f"postcodes die erop lijken: {', '.join(near)}; " if near else "")
                + "vul de postcodetabel aan of corrigeer de postcode.",
                category="unknown_code",
            )
            buurt.append("")
            continue
        buurt.append(table[pc])
        L.frame.iat[i, L.frame.columns.get_loc(col)] = pc
    L.frame["buurtcode"] = buurt
    _unique_key(L, col, "postcode")


def read_postcode_table(path: Any, report: ValidationReport, areas: Areas) -> dict[str, str] | None:
    """Read a postcode -> buurtcode CSV (columns ``postcode`` and ``buurtcode``)."""
    from .readers import read_csv
    from .spec import LayerSpec

    spec = LayerSpec(name="postcodetabel", file=str(path))
    raw = read_csv(path, spec, report)
    if raw is None:
        return None
    L = _Layer(raw, spec, report)
    for col in ("postcode", "buurtcode"):
        if col not in raw.frame.columns:
            near = closest(col, list(raw.frame.columns))
            L.add(
                None,
                col,
                f"kolom {col!r} ontbreekt in de postcodetabel",
                f"heet hij hier {near!r}?"
                if near
                else "de tabel heeft kolommen postcode en buurtcode.",
                category="missing_column",
            )
    if L.fatal:
        return None
    out: dict[str, str] = {}
    where: dict[str, int] = {}
    known = set(areas.buurtcodes or [])
    for i, (pc, bu) in enumerate(zip(raw.frame["postcode"], raw.frame["buurtcode"], strict=True)):
        key = normalize_postcode(pc)
        try:
            code = normalize_code(bu, "buurt")
        except DataValidationError as exc:
            L.add(i, "buurtcode", f"buurtcode {bu!r} is ongeldig ({exc})", category="bad_code")
            continue
        if known and code not in known:
            L.add(
                i,
                "buurtcode",
                f"buurtcode {code} bestaat niet in {areas.label}",
                _code_hint(code, areas.buurtcodes),
                category="unknown_code",
            )
            continue
        if key in out and out[key] != code:
            L.add(
                i,
                "postcode",
                f"postcode {key} staat ook in rij {where[key]} met een andere buurt",
                "één buurt per postcode; kies de buurt met de meeste adressen.",
                category="duplicate_code",
            )
            continue
        out[key] = code
        where[key] = int(raw.rows[i])
    return out


# ------------------------------------------------------------------------ coordinates
def _in_box(x: np.ndarray, y: np.ndarray, box: tuple[float, float, float, float]) -> np.ndarray:
    x0, y0, x1, y1 = box
    return (x >= x0) & (x <= x1) & (y >= y0) & (y <= y1)


@functools.lru_cache(maxsize=32)
def _transformer(crs: str) -> Any:
    """A cached transformer to RD (building one takes ~20 ms), None when ``crs`` is RD."""
    import pyproj

    source = pyproj.CRS.from_user_input(crs)
    if source.equals(pyproj.CRS(_CRS)):
        return None
    return pyproj.Transformer.from_crs(source, _CRS, always_xy=True)


def _to_rd(crs: Any, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    key = crs if isinstance(crs, str) else crs.to_wkt()
    tr = _transformer(key)
    if tr is None:
        return x, y
    with np.errstate(all="ignore"):
        rx, ry = tr.transform(x, y)
    return np.asarray(rx, float), np.asarray(ry, float)


def _resolve_crs(L: _Layer, declared: Any) -> Any:
    """A pyproj CRS for ``declared`` (str or CRS) or None after reporting the problem."""
    import pyproj

    try:
        crs = pyproj.CRS.from_user_input(declared)
    except pyproj.exceptions.CRSError:
        L.add(
            None,
            "crs",
            f"onbekend coördinatenstelsel {declared!r} in lagen.json",
            "gebruik een EPSG-code: EPSG:28992 (RD) of EPSG:4326 (lengte/breedte).",
            category="bad_crs",
        )
        return None
    if crs.to_epsg() is None and not crs.equals(pyproj.CRS("OGC:CRS84")):
        L.add(
            None,
            "crs",
            f"coördinatenstelsel {declared!r} heeft geen EPSG-code",
            "geef het stelsel op als EPSG:nnnn.",
            category="bad_crs",
        )
        return None
    return crs


def _why_outside(x: float, y: float, crs: Any, areas: Areas) -> str:
    """A hint for a point that lands outside: swapped axes, degrees vs metres."""
    import pyproj

    def inside(cx: float, cy: float, c: Any, gemeente: bool) -> bool:
        try:
            rx, ry = _to_rd(c, np.array([cx]), np.array([cy]))
        except pyproj.exceptions.ProjError:
            return False
        if not _in_box(rx, ry, RD_BOUNDS)[0]:
            return False
        if gemeente and areas.outline is not None:
            import shapely

            point = shapely.Point(rx[0], ry[0])
            return bool(shapely.distance(areas.outline, point) <= NEAR_BORDER_M)
        return True

    is_rd = pyproj.CRS.from_user_input(crs).equals(pyproj.CRS(_CRS))
    for near in (True, False):  # first: lands in the gemeente; then: anywhere in NL
        if inside(y, x, crs, near):
            return "x en y lijken omgewisseld; wissel de kolommen of de namen in lagen.json."
        if is_rd and inside(x, y, "EPSG:4326", near):
            return (
                'dit lijken graden (lengte/breedte), geen RD-meters: zet "crs": "EPSG:4326" '
                "in lagen.json."
            )
        if is_rd and inside(y, x, "EPSG:4326", near):
            return (
                "dit lijken graden met breedte- en lengtegraad omgewisseld: zet "
                '"crs": "EPSG:4326" en zet de lengtegraad in x.'
            )
        if not is_rd and inside(x, y, _CRS, near):
            return 'dit lijken RD-meters, geen graden: zet "crs": "EPSG:28992" in lagen.json.'
        if not is_rd and inside(y, x, _CRS, near):
            return 'dit lijken RD-meters met x en y omgewisseld: zet "crs": "EPSG:28992" en wissel.'
    if is_rd:
        return (
            "verwacht RD-meters: x tussen -7000 en 300000, y tussen 289000 en 629000 "
            '(staan x en y omgewisseld, of zijn het graden? zet dan "crs": "EPSG:4326" '
            "in lagen.json)."
        )
    return "verwacht lengtegraad 3,2-7,2 in x en breedtegraad 50,75-53,7 in y."


def _check_places(
    L: _Layer,
    rx: np.ndarray,
    ry: np.ndarray,
    sx: np.ndarray,
    sy: np.ndarray,
    crs: Any,
    areas: Areas,
    column: str | None,
) -> None:
    """Rows whose representative point lies outside NL / the gemeente."""
    import shapely

    ok = np.isfinite(sx) & np.isfinite(sy)  # a transform to inf is outside, not unknown
    in_nl = _in_box(rx, ry, RD_BOUNDS) & ok & np.isfinite(rx) & np.isfinite(ry)
    for i in np.flatnonzero(ok & ~in_nl & ~L.bad):
        L.add(
            int(i),
            column,
            f"punt ({_fmt(sx[i])}, {_fmt(sy[i])}) ligt buiten Nederland",
            _why_outside(sx[i], sy[i], crs, areas),
            category="outside_area",
        )
    if areas.outline is None:
        return
    idx = np.flatnonzero(in_nl & ~L.bad)
    if not len(idx):
        return
    dist = shapely.distance(areas.outline, shapely.points(rx[idx], ry[idx]))
    for i, d in zip(idx, dist, strict=True):
        if d <= 0:
            continue
        where = f"punt ({_fmt(sx[i])}, {_fmt(sy[i])}) ligt {d:,.0f} m buiten {areas.label}"
        where = where.replace(",", ".")
        if d <= NEAR_BORDER_M:
            L.add(
                int(i),
                column,
                where,
                "telt niet mee in buurt- en wijktellingen, wel bij "
                "afstanden; klopt de ligging, dan is er niets te doen.",
                severity=WARNING,
                category="outside_area",
            )
        else:
            hint = _why_outside(sx[i], sy[i], crs, areas)
            if not hint.startswith(("x en y", "dit lijken")):
                hint = "controleer de coördinaten; hoort het object bij een andere gemeente?"
            L.add(int(i), column, where, hint, category="outside_area")


def _fmt(v: float) -> str:
    return str(int(v)) if float(v).is_integer() else f"{v:g}"


def _xy_points(L: _Layer, areas: Areas) -> Any:
    import geopandas as gpd

    spec = L.spec
    crs = _resolve_crs(L, spec.crs or _CRS)
    if crs is None:
        return None
    xs, ys = [], []
    for col, store in ((spec.x, xs), (spec.y, ys)):
        for i, v in enumerate(L.frame[col]):
            value = parse_number(v)
            if math.isnan(value) and not L.bad[i]:
                L.add(
                    i,
                    col,
                    f"coördinaat {col!r} = {v!r} is geen getal",
                    "vul een getal in (decimale komma of punt mag).",
                    category="bad_number",
                )
            store.append(value)
    sx, sy = np.array(xs, float), np.array(ys, float)
    rx, ry = _to_rd(crs, sx, sy)
    finite = np.isfinite(sx) & np.isfinite(sy)
    outside = finite & ~(_in_box(rx, ry, RD_BOUNDS) & np.isfinite(rx) & np.isfinite(ry))
    if finite.sum() >= 3 and outside.sum() == finite.sum():
        # every point is off: one problem for the layer, not one per row
        hint = _why_outside(float(np.median(sx[finite])), float(np.median(sy[finite])), crs, areas)
        L.add(
            None,
            "crs",
            f"geen enkel punt ligt in Nederland met coördinatenstelsel "
            f"{crs.to_string()} (x={spec.x}, y={spec.y})",
            hint,
            category="crs_mismatch",
        )
        return None
    _check_places(L, rx, ry, sx, sy, crs, areas, spec.x)
    rest = L.frame.drop(columns=[spec.x, spec.y])
    return gpd.GeoDataFrame(rest, geometry=gpd.points_from_xy(rx, ry), crs=_CRS)


# --------------------------------------------------------------------------- geometry
def _fix(geom: Any, kind: str, original: str) -> Any:
    import shapely

    fixed = shapely.make_valid(geom)
    want = (
        {"Polygon", "MultiPolygon"}
        if original in ("Polygon", "MultiPolygon")
        else (
            {"LineString", "MultiLineString"}
            if original in ("LineString", "MultiLineString")
            else {"Point"}
        )
    )
    if fixed.geom_type == "GeometryCollection":
        parts = [g for g in fixed.geoms if g.geom_type in want]
        fixed = shapely.union_all(parts) if parts else shapely.Polygon()
    if fixed.is_empty or fixed.geom_type not in want or not fixed.is_valid:
        return None
    return fixed


def _geometries(L: _Layer, areas: Areas) -> Any:
    import geopandas as gpd
    import pyproj
    import shapely

    spec, raw = L.spec, L.raw
    declared = spec.crs
    if declared is None and raw.crs is None:
        L.add(
            None,
            "crs",
            "het bestand noemt geen coördinatenstelsel",
            'zet "crs": "EPSG:28992" (of het juiste stelsel) in lagen.json.',
            category="bad_crs",
        )
        return None
    crs = _resolve_crs(L, declared if declared is not None else raw.crs)
    if crs is None:
        return None
    if (
        declared is not None
        and raw.crs is not None
        and spec.format in ("gpkg", "shpzip")
        and not pyproj.CRS.from_user_input(raw.crs).equals(crs)
    ):
        L.add(
            None,
            "crs",
            f"bestand zegt {raw.crs.to_string()}, lagen.json {declared}; lagen.json telt",
            "haal 'crs' uit lagen.json als het bestand gelijk heeft.",
            severity=WARNING,
            category="crs_mismatch",
        )
    kind = spec.kind
    want = _GEOM_TYPES[kind]
    geoms = np.array(raw.geometry, dtype=object)
    repaired: list[int] = []
    for i, g in enumerate(geoms):
        if g is None or g.is_empty:
            L.add(
                i,
                "geometry",
                "geometrie ontbreekt of is leeg",
                "teken het object in of haal de rij weg.",
                category="invalid_geometry",
            )
            continue
        if kind == "punten" and g.geom_type == "MultiPoint" and len(g.geoms) == 1:
            g = geoms[i] = g.geoms[0]
        if g.geom_type not in want:
            L.add(
                i,
                "geometry",
                f"geometrie van type {g.geom_type} hoort niet in een laag van type {kind!r}",
                f"verwacht {' of '.join(sorted(want))}.",
                category="wrong_geometry_type",
            )
            continue
        if not g.is_valid:
            reason = shapely.is_valid_reason(g)
            fixed = _fix(g, kind, g.geom_type)
            if fixed is None:
                L.add(
                    i,
                    "geometry",
                    f"ongeldige geometrie ({reason}) is niet te herstellen",
                    "teken het object opnieuw (bijvoorbeeld in QGIS: Geometrie repareren).",
                    category="invalid_geometry",
                )
                continue
            geoms[i] = fixed
            repaired.append(i)
    if repaired:
        which = ", ".join(str(int(raw.rows[i])) for i in repaired[:10])
        more = " ..." if len(repaired) > 10 else ""
        L.report.add(
            raw.file,
            None,
            "geometry",
            f"{len(repaired)} ongeldige geometrie(ën) hersteld (object {which}{more})",
            hint="controleer ze in QGIS; de herstelde vorm wordt gebruikt.",
            severity=WARNING,
            category="repaired_geometry",
            unit=raw.unit,
        )
    usable = ~L.bad
    # plausibility of the CRS: representative points must land in the Netherlands
    reps = [
        g.representative_point() if (usable[i] and g is not None) else None
        for i, g in enumerate(geoms)
    ]
    sx = np.array([p.x if p is not None else np.nan for p in reps])
    sy = np.array([p.y if p is not None else np.nan for p in reps])
    rx, ry = _to_rd(crs, sx, sy)
    finite = np.isfinite(sx)
    if finite.any():
        outside = ~_in_box(rx, ry, RD_BOUNDS) & finite
        if outside.mean() > 0.5 * finite.mean() and outside.sum() == finite.sum():
            hint = _why_outside(float(np.nanmedian(sx)), float(np.nanmedian(sy)), crs, areas)
            L.add(
                None,
                "crs",
                f"de coördinaten passen niet bij coördinatenstelsel "
                f"{crs.to_string()}: geen enkel object ligt in Nederland",
                hint,
                category="crs_mismatch",
            )
            return None
    _check_places(L, rx, ry, sx, sy, crs, areas, "geometry")
    clean = [g if g is not None else shapely.GeometryCollection() for g in geoms]
    gs = gpd.GeoSeries(clean, crs=crs)
    if not crs.equals(pyproj.CRS(_CRS)):
        gs = gs.to_crs(_CRS)
    return gpd.GeoDataFrame(L.frame.copy(), geometry=gs.values, crs=_CRS)


# ------------------------------------------------------------------------------ entry
def validate_layer(
    raw: RawLayer,
    spec: LayerSpec,
    report: ValidationReport,
    areas: Areas | None = None,
    *,
    postcodes: dict[str, str] | None = None,
) -> pd.DataFrame | None:
    """Check one layer; return it without bad rows (or None when unusable).

    Parameters
    ----------
    raw : RawLayer
        As read by :func:`~wijkgeo.sources.local.readers.read_layer`.
    spec : LayerSpec
        Its description in ``lagen.json``.
    report : ValidationReport
        Receives every problem.
    areas : Areas, optional
        Gemeente, outline and codes to check against.
    postcodes : dict, optional
        Postcode -> buurtcode, for a table keyed by postcode.

    Returns
    -------
    DataFrame or GeoDataFrame or None
        Points/lines/polygons as a GeoDataFrame in EPSG:28992, tables as a DataFrame; text
        columns stay text, dates become ``datetime64``, years ``int64`` (``Int64`` when a
        non-required year is empty), codes are normalised; rows with an error are left out.
    """
    areas = areas or Areas()
    L = _Layer(raw, spec, report)
    has_geometry = raw.geometry is not None
    if spec.kind in ("lijnen", "vlakken", "geometrie") and not has_geometry:
        L.add(
            None,
            None,
            f"laag van type {spec.kind!r} maar het bestand heeft geen geometrie",
            "gebruik GeoJSON, GeoPackage of een gezipte shapefile.",
            category="wrong_geometry_type",
        )
        return None
    _columns(L, has_geometry)
    if L.fatal:
        return None
    _required(L)
    _ids(L)
    _allowed(L)
    _kind_columns(L)
    _dates(L)
    _years(L)
    _period(L)
    _free_text(L)
    _links(L)
    if spec.kind != "verhalen":
        _codes(L, areas, postcodes)
    if spec.kind == "verhalen":
        out = _story_places(L, areas)
    elif spec.kind == "punten" and not has_geometry:
        out = _xy_points(L, areas)
    elif spec.kind == "tabel":
        out = L.frame.copy()
    else:
        out = _geometries(L, areas)
    if out is None or L.fatal:
        return None
    if L.bad.any():
        log.info("%s: %d rij(en) met fouten weggelaten", raw.file, int(L.bad.sum()))
    return out[~L.bad].reset_index(drop=True)
