"""Signalen: how often the wijkteam meets each problem per buurt, without exposing anyone.

``wijkgeo signalen BESTAND --gemeente GM..`` reads a case-level export of a sociaal
wijkteam (CSV or ``.xlsx``: one row per case or question, with a place and a theme) ONCE,
in memory, and keeps only counts per buurt, theme and period:

* place: a buurt code, else a postcode (PC6 or PC4, through the same postcode table the
  local layers use: ``postcode,buurtcode``), else a point (``x``/``y`` in EPSG:28992 or
  ``lon``/``lat``), assigned with :func:`wijkgeo.joins.assign_points`;
* theme: matched against the themes in ``signalen.json`` (with synonyms); anything else
  counts as ``overig``;
* period: the year of a date or year column, or ``--jaar`` for the whole file.

Every other column (case numbers, names, free text, ages) is never looked at beyond its
header and never stored. Rows that cannot be placed are counted per reason, never listed.
What is published follows :mod:`wijkgeo.signalen.privacy` (threshold, rounding to 5,
totals only from published cells). The counts go to ``<store>/<GM>/signalen.json``
(atomically); :meth:`wijkgeo.store.Store.read_atlas` adds them to ``atlas.local`` as the
table ``signalen``, which feeds the indicators ``signalen_*_per_1000``.

Examples
--------
>>> import wijkgeo
>>> from wijkgeo.signalen import count_signals
>>> atlas = wijkgeo.make_demo()
>>> result = count_signals("data_sources/demo/signalen_wijkteam.csv", atlas,
...                        postcode_table="data_sources/demo/postcodes.csv")
>>> bool((result.cells["aantal"] >= 10).all()), result.periods
(True, [2023, 2024])
"""

from __future__ import annotations

import json
import logging
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime, timezone
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from .._errors import ConfigError, DataValidationError
from .._report import ValidationReport
from ..codes import normalize_code
from .privacy import MIN_THRESHOLD, ROUND_TO, TOTAL, check_threshold, publish

if TYPE_CHECKING:  # pragma: no cover
    from ..atlas import Atlas

__all__ = [
    "MIN_THRESHOLD",
    "ROUND_TO",
    "TOTAL",
    "SignalCounts",
    "config",
    "count_signals",
    "store_signals",
    "theme_label",
]

log = logging.getLogger(__name__)

_PC6 = re.compile(r"^\d{4}[A-Z]{2}$")
_PC4 = re.compile(r"^\d{4}$")


@cache
def config() -> dict[str, Any]:
    """``signalen.json``: column names, themes, reasons (data, not code)."""
    return json.loads(Path(__file__).with_name("signalen.json").read_text("utf-8"))


def _norm(text: Any) -> str:
    """Lowercase, accents off, every run of other characters one ``_``."""
    s = unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "_", s.lower()).strip("_")


def theme_label(key: str) -> str:
    """The Dutch label of a theme key (``"schulden"`` -> ``"Schulden en geldzorgen"``).

    Examples
    --------
    >>> theme_label("totaal")
    "Alle thema's"
    """
    cfg = config()
    if key == cfg["totaal"]["key"]:
        return cfg["totaal"]["label"]
    return cfg["themas"].get(key, {}).get("label", key)


@cache
def _theme_lookup() -> dict[str, str]:
    out: dict[str, str] = {}
    for key, entry in config()["themas"].items():
        for word in [key, entry["label"], *entry.get("ook", [])]:
            out[_norm(word)] = key
    return out


@dataclass
class SignalCounts:
    """The outcome of counting one case export: only published cells and row counts.

    Attributes
    ----------
    gemeente : str
    boundary_year : int
        The year of the buurt boundaries the rows were placed in.
    threshold : int
    cells : DataFrame
        Published cells (see :func:`wijkgeo.signalen.privacy.publish`).
    periods : list of int
        The periods this run covers (its cells replace stored cells of these periods).
    rows_read, rows_counted : int
        Rows in the file; rows placed in a buurt with a theme and a period.
    excluded : dict
        Reason (Dutch) -> number of rows not counted for it.
    other_theme : int
        Rows whose theme is not one wijkgeo knows (counted as ``overig``).
    columns : dict
        Role (``thema``, ``postcode``, ...) -> the column used for it.
    """

    gemeente: str
    boundary_year: int
    threshold: int
    cells: pd.DataFrame
    periods: list[int]
    rows_read: int
    rows_counted: int
    excluded: dict[str, int] = field(default_factory=dict)
    other_theme: int = 0
    columns: dict[str, str] = field(default_factory=dict)

    def message(self) -> str:
        """What happened, in Dutch, for the command line (counts only, never a row)."""
        n_pub = int((self.cells["niveau"] == "buurt").sum())
        lines = [
            f"{self.rows_read} rijen gelezen; {self.rows_counted} geteld in een buurt van "
            f"{self.gemeente} (perioden: {', '.join(map(str, self.periods)) or 'geen'}).",
            f"Kolommen gebruikt: {', '.join(f'{k}={v}' for k, v in self.columns.items())}; "
            "alle andere kolommen zijn genegeerd.",
        ]
        for reason, n in sorted(self.excluded.items(), key=lambda kv: -kv[1]):
            lines.append(f"  niet geteld: {n} rijen: {reason}")
        if self.other_theme:
            lines.append(
                f"  {self.other_theme} rijen met een thema dat wijkgeo niet kent, geteld als "
                "'overig' (zie wijkgeo/signalen/signalen.json voor de herkende thema's)."
            )
        lines.append(
            f"{n_pub} buurtcellen gepubliceerd (aantal >= {self.threshold}, afgerond op "
            f"{ROUND_TO}); kleinere aantallen zijn weggelaten en tellen in geen enkel totaal mee."
        )
        return "\n".join(lines)


# ------------------------------------------------------------------------------ reading
def _read(path: Path, sheet: str | None) -> tuple[pd.DataFrame, str]:
    from ..sources.local.readers import read_csv, read_xlsx
    from ..sources.local.spec import LayerSpec

    report = ValidationReport()
    spec = LayerSpec(name="signalen", file=str(path), sheet=sheet)
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        raw = read_xlsx(path, spec, report)
    elif suffix in (".csv", ".txt", ".tsv"):
        raw = read_csv(path, spec, report)
    else:
        raise DataValidationError(
            f"{path}: onbekend bestandstype {suffix!r}; lever een CSV- of .xlsx-export aan."
        )
    if raw is None:
        raise DataValidationError(report.to_text(limit=5))
    return raw.frame, raw.file


def _find_columns(frame: pd.DataFrame, theme_column: str | None) -> dict[str, str]:
    names = {_norm(c): c for c in frame.columns}
    found: dict[str, str] = {}
    for role, options in config()["kolommen"].items():
        for option in options:
            if _norm(option) in names:
                found[role] = names[_norm(option)]
                break
    if theme_column is not None:
        if theme_column not in frame.columns:
            raise DataValidationError(
                f"kolom {theme_column!r} (--thema-kolom) staat niet in het bestand; het heeft "
                f"de kolommen: {', '.join(map(str, frame.columns))}."
            )
        found["thema"] = theme_column
    return found


def _place_error(file: str, frame: pd.DataFrame, what: str) -> DataValidationError:
    return DataValidationError(
        f"{file}: geen kolom voor {what}. Het bestand heeft de kolommen: "
        f"{', '.join(map(str, frame.columns))}. Noem een kolom 'postcode', 'buurtcode', "
        "'x' en 'y' (RD) of 'lon' en 'lat' voor de plaats, en 'thema' voor het onderwerp "
        "(of geef --thema-kolom)."
    )


# ------------------------------------------------------------------------------ placing
def _postcode_table(path: str | Path, atlas: Atlas) -> dict[str, str]:
    from ..sources.local.validate import Areas, read_postcode_table

    report = ValidationReport()
    table = read_postcode_table(Path(path), report, Areas.from_atlas(atlas))
    if table is None or report.errors:
        raise DataValidationError("postcodetabel is niet bruikbaar:\n" + report.to_text(limit=10))
    # PC4 -> buurt when every PC6 of it lies in one buurt
    by_pc4: dict[str, set[str]] = {}
    for pc, bu in table.items():
        if _PC6.match(pc):
            by_pc4.setdefault(pc[:4], set()).add(bu)
    out = dict(table)
    for pc4, buurten in by_pc4.items():
        out.setdefault(pc4, next(iter(buurten)) if len(buurten) == 1 else "")
    return out


def _assign(
    frame: pd.DataFrame, cols: dict[str, str], atlas: Atlas, postcodes: dict[str, str] | None
) -> tuple[np.ndarray, np.ndarray]:
    """Buurt code per row ('' when not placed) and the reason key when not placed."""
    n = len(frame)
    buurt = np.full(n, "", dtype=object)
    reason = np.full(n, "", dtype=object)
    known = set(atlas.buurten["buurtcode"].astype(str))
    done = np.zeros(n, dtype=bool)

    if "buurtcode" in cols:
        values = frame[cols["buurtcode"]].astype(str).str.strip().str.upper()
        for i, v in enumerate(values):
            if not v:
                continue
            done[i] = True
            try:
                code = normalize_code(v, "buurt")
            except DataValidationError:
                reason[i] = "bad_buurtcode"
                continue
            if code in known:
                buurt[i] = code
            else:
                reason[i] = "buurt_outside"
    if "postcode" in cols:
        values = frame[cols["postcode"]].astype(str).str.replace(r"\s+", "", regex=True).str.upper()
        for i, pc in enumerate(values):
            if done[i] or not pc:
                continue
            done[i] = True
            if not (_PC6.match(pc) or _PC4.match(pc)):
                reason[i] = "bad_postcode"
            elif postcodes is None or pc not in postcodes:
                reason[i] = "unknown_postcode"
            elif not postcodes[pc]:
                reason[i] = "ambiguous_pc4"
            else:
                buurt[i] = postcodes[pc]
    xy = ("x", "y") if "x" in cols and "y" in cols else ("lon", "lat")
    if xy[0] in cols and xy[1] in cols:
        import geopandas as gpd

        from ..joins import assign_points
        from ..sources.local.validate import parse_number

        todo = np.flatnonzero(~done)
        xs = frame[cols[xy[0]]].to_numpy()[todo]
        ys = frame[cols[xy[1]]].to_numpy()[todo]
        given = np.array(
            [bool(str(a).strip()) or bool(str(b).strip()) for a, b in zip(xs, ys, strict=True)]
        )
        todo, xs, ys = todo[given], xs[given], ys[given]
        x = np.array([parse_number(v) for v in xs], dtype=float)
        y = np.array([parse_number(v) for v in ys], dtype=float)
        ok = np.isfinite(x) & np.isfinite(y)
        done[todo] = True
        reason[todo[~ok]] = "bad_point"
        crs = 28992 if xy == ("x", "y") else 4326
        pts = gpd.GeoDataFrame(geometry=gpd.points_from_xy(x[ok], y[ok]), crs=crs)
        if len(pts):
            codes = assign_points(pts.to_crs(28992), atlas.buurten, code="buurtcode")
            idx = todo[ok]
            placed = codes.notna().to_numpy()
            buurt[idx[placed]] = codes.to_numpy()[placed]
            reason[idx[~placed]] = "point_outside"
    reason[~done] = "no_place"
    return buurt, reason


def _periods(frame: pd.DataFrame, cols: dict[str, str], year: int | None, file: str) -> np.ndarray:
    """Period (year) per row; 0 when unknown."""
    if "jaar" in cols:
        years = pd.to_numeric(frame[cols["jaar"]].astype(str).str.strip().str[:4], errors="coerce")
    elif "datum" in cols:
        text = frame[cols["datum"]].astype(str).str.strip()
        iso = pd.to_datetime(text, format="%Y-%m-%d", errors="coerce")
        nl = pd.to_datetime(text, format="%d-%m-%Y", errors="coerce")
        years = iso.fillna(nl).dt.year
    elif year is not None:
        return np.full(len(frame), int(year), dtype=np.int64)
    else:
        raise ConfigError(
            f"{file} heeft geen datum- of jaarkolom; geef met --jaar aan over welk jaar de "
            "export gaat."
        )
    return years.fillna(0).astype("int64").to_numpy()


# ------------------------------------------------------------------------------ counting
def count_signals(
    path: str | Path,
    atlas: Atlas,
    *,
    year: int | None = None,
    threshold: int = 10,
    postcode_table: str | Path | None = None,
    theme_column: str | None = None,
    sheet: str | None = None,
) -> SignalCounts:
    """Read a case export once and return only its publishable counts.

    Parameters
    ----------
    path : str or Path
        CSV or ``.xlsx``: one row per case, with a place column and a theme column.
    atlas : Atlas
        The gemeente whose buurten the rows are placed in.
    year : int, optional
        Only count this period. Without a date or year column in the file, the whole file
        is this period (then it is required).
    threshold : int, default 10
        Smallest count published (never below 5).
    postcode_table : str or Path, optional
        CSV ``postcode,buurtcode`` (as for local layers); needed for a postcode column.
    theme_column : str, optional
        The theme column when its name is not one ``signalen.json`` knows.
    sheet : str, optional
        Excel sheet (default the first).

    Returns
    -------
    SignalCounts

    Raises
    ------
    DataValidationError
        When the file is unreadable or has no place or theme column (naming its columns).
    ConfigError
        For a threshold below 5, or no period at all.
    """
    threshold = check_threshold(threshold)
    source = Path(path)
    frame, file = _read(source, sheet)
    cols = _find_columns(frame, theme_column)
    if "thema" not in cols:
        raise _place_error(file, frame, "het thema")
    has_xy = ("x" in cols and "y" in cols) or ("lon" in cols and "lat" in cols)
    if not ("buurtcode" in cols or "postcode" in cols or has_xy):
        raise _place_error(file, frame, "de plaats")
    postcodes = None
    if "postcode" in cols:
        if postcode_table is None and "buurtcode" not in cols and not has_xy:
            raise ConfigError(
                f"{file} plaatst rijen met een postcode; geef --postcodetabel met de kolommen "
                "postcode en buurtcode (zie README, 'Signalen')."
            )
        if postcode_table is not None:
            postcodes = _postcode_table(postcode_table, atlas)
    used = {k: v for k, v in cols.items() if k not in ("x", "y", "lon", "lat") or has_xy}
    reasons_text = config()["redenen"]

    buurt, reason = _assign(frame, cols, atlas, postcodes)
    themes_raw = frame[cols["thema"]].astype(str).map(_norm).to_numpy()
    lookup = _theme_lookup()
    theme = np.array([lookup.get(t, "overig") if t else "" for t in themes_raw], dtype=object)
    other = int(sum(1 for t in themes_raw if t and t not in lookup))
    period = _periods(frame, cols, year, file)
    n_read = len(frame)
    del frame, themes_raw  # nothing of the file is kept beyond this point

    reason = np.where((reason == "") & (theme == ""), "no_theme", reason)
    reason = np.where((reason == "") & (period == 0), "no_period", reason)
    if year is not None:
        reason = np.where((reason == "") & (period != int(year)), "other_period", reason)
    ok = reason == ""
    excluded: dict[str, int] = {}
    for key, n in zip(*np.unique(reason[~ok].astype(str), return_counts=True), strict=True):
        excluded[reasons_text[key]] = int(n)

    wijk_of = atlas.buurten.set_index("buurtcode")["wijkcode"].astype(str)
    rows = pd.DataFrame({"buurtcode": buurt[ok], "periode": period[ok], "thema": theme[ok]})
    counts = rows.groupby(["buurtcode", "periode", "thema"], as_index=False).size()
    counts = counts.rename(columns={"size": "n"})
    counts["wijkcode"] = counts["buurtcode"].map(wijk_of)
    cells = publish(counts, gemeente=atlas.code, threshold=threshold)
    periods = [int(year)] if year is not None else sorted({int(p) for p in rows["periode"]})
    log.info("signalen: %d van %d rijen geteld", int(ok.sum()), n_read)
    return SignalCounts(
        gemeente=atlas.code,
        boundary_year=int(atlas.year),
        threshold=threshold,
        cells=cells,
        periods=periods,
        rows_read=n_read,
        rows_counted=int(ok.sum()),
        excluded=excluded,
        other_theme=other,
        columns=used,
    )


# ------------------------------------------------------------------------------ storing
def _cells_records(cells: pd.DataFrame) -> list[dict[str, Any]]:
    return [
        {
            "niveau": r.niveau,
            "code": r.code,
            "periode": int(r.periode),
            "thema": r.thema,
            "aantal": int(r.aantal),
        }
        for r in cells.itertuples(index=False)
    ]


def merge_document(old: dict[str, Any] | None, counts: SignalCounts) -> dict[str, Any]:
    """The stored document with this run's periods replaced (other periods kept).

    Examples
    --------
    >>> empty = pd.DataFrame(columns=["niveau", "code", "periode", "thema", "aantal"])
    >>> c = SignalCounts("GM9999", 2024, 10, empty, [2024], 0, 0)
    >>> merge_document(None, c)["perioden"]["2024"]["drempel"]
    10
    """
    cfg = config()
    keep_periods = {
        p: v for p, v in ((old or {}).get("perioden") or {}).items() if int(p) not in counts.periods
    }
    kept = [c for c in (old or {}).get("cellen", []) if str(c["periode"]) in keep_periods]
    now = datetime.now(timezone.utc).isoformat(timespec="seconds")
    periods = dict(keep_periods)
    for p in counts.periods:
        periods[str(p)] = {
            "drempel": counts.threshold,
            "afronding": ROUND_TO,
            "gebiedsindeling": counts.boundary_year,
            "bijgewerkt": now,
        }
    cells = kept + _cells_records(counts.cells)
    cells.sort(key=lambda c: (int(c["periode"]), c["niveau"], c["code"], c["thema"]))
    return {
        "soort": "wijkgeo-signalen",
        "versie": 1,
        "gemeente": counts.gemeente,
        "toelichting": cfg["toelichting"],
        "themas": {k: v["label"] for k, v in cfg["themas"].items()}
        | {TOTAL: cfg["totaal"]["label"]},
        "perioden": dict(sorted(periods.items())),
        "cellen": cells,
    }


def store_signals(counts: SignalCounts, store: Any = None) -> Path:
    """Write the published counts to the store (atomically), merged by period.

    Parameters
    ----------
    counts : SignalCounts
    store : Store, str or Path, optional
        Default the standard store.

    Returns
    -------
    Path
        ``<store>/<GM>/signalen.json``.
    """
    from ..store import Store

    target = store if isinstance(store, Store) else Store(store)
    doc = merge_document(target.read_signals(counts.gemeente), counts)
    return target.write_signals(counts.gemeente, doc)
