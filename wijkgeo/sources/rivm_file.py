"""Downloaded copies of the RIVM health table: which table a file is, and its rows of one gemeente.

``wijkgeo import BESTAND --gemeente GM..`` accepts the TypedDataSet of the RIVM/GGD
"Gezondheid per wijk en buurt" as CBS serves it, saved as Excel, CSV or parquet (as in
``../shared/realdata/raw/rivm_50090NED``). The edition, the year and the age group come from
the rows (``Perioden``, ``Leeftijd``, ``Marges``), never from the file name. A file that is
another table (a Kerncijfers table, another third-party table) is refused with the table id
found, and so is a file without a row of the gemeente.

Examples
--------
>>> from wijkgeo.sources.rivm_file import detect_table
>>> detect_table(["ID", "WijkenEnBuurten", "Codering_3", "AantalInwoners_5",
...               "IndelingswijzigingGemeenteWijkBuurt_4"], "kwb.parquet")
('kerncijfers', '85984NED')
"""

from __future__ import annotations

import logging
import re
from pathlib import Path
from typing import Any

import pandas as pd

from .._errors import DataValidationError
from ..codes import normalize_code
from . import catalog, rivm

__all__ = ["detect_table", "is_health_file", "read_gezondheid_file"]

log = logging.getLogger(__name__)

_SUFFIXES = {".xlsx", ".xls", ".csv", ".parquet", ".txt"}
_TABLE_ID = re.compile(r"(\d{5}[A-Z]{3})")
_SUFFIX = re.compile(r"_\d+$")


def excel_engine() -> str | None:
    """``"calamine"`` when python-calamine is installed (about 4x faster on a national
    table: 1.7 s against 6.3 s for 17,341 rows), else pandas' default (openpyxl)."""
    import importlib.util

    return "calamine" if importlib.util.find_spec("python_calamine") else None


def _check_input(path: Path) -> None:
    """A regular file of limited size; a workbook whose zip directory promises no bomb.

    Checked before any reader opens it (the Excel readers parse a whole sheet even for the
    header), so memory stays proportional to the file's size.
    """
    from .._parse import zip_refusal
    from .._paths import check_regular

    check_regular(path)  # UnsafePathError (exit 2): a FIFO, folder or device, or too large
    if path.suffix.lower() == ".xlsx":
        refused = zip_refusal(path)
        if refused:
            raise DataValidationError(
                f"{path}: {refused}. Download de tabel opnieuw bij CBS (StatLine); er is "
                "niets opgeslagen."
            )


def _header(path: Path) -> list[str]:
    _check_input(path)
    suffix = path.suffix.lower()
    if suffix == ".parquet":
        import pyarrow.parquet as pq

        return list(pq.read_schema(path).names)
    if suffix in (".csv", ".txt"):
        return list(_read_csv(path, nrows=0).columns)
    if suffix in (".xlsx", ".xls"):
        return [str(c) for c in pd.read_excel(path, nrows=0, engine=excel_engine()).columns]
    return []


def _read_csv(path: Path, **kwargs: Any) -> pd.DataFrame:
    # CBS's own CSV is ';'-separated; a pandas to_csv copy uses ','
    with open(path, encoding="utf-8-sig", errors="replace") as fh:
        first = fh.readline()
    sep = ";" if first.count(";") > first.count(",") else ","
    return pd.read_csv(path, sep=sep, dtype=str, encoding="utf-8-sig", **kwargs)


def detect_table(columns: list[str], name: str = "") -> tuple[str, str | None]:
    """What kind of CBS table these columns are, and its id where it can be told.

    Parameters
    ----------
    columns : list of str
        The file's header.
    name : str
        The file name (a table id in it, like ``50090NED``, is used when present).

    Returns
    -------
    (kind, table)
        ``kind`` is ``"gezondheid"`` (a RIVM health-per-buurt table), ``"kerncijfers"``,
        ``"derden"`` (another table with CBS's dimensions) or ``"onbekend"``; ``table`` the
        id found (from the name or the catalog's key signatures), else ``None``.

    Examples
    --------
    >>> detect_table(["Leeftijd", "Marges", "WijkenEnBuurten", "Perioden", "Eenzaam_28"],
    ...              "2020_65+.xlsx")
    ('gezondheid', None)
    >>> detect_table(["Leeftijd", "Marges", "WijkenEnBuurten", "Perioden", "Roker_11"],
    ...              "50130NED.csv")
    ('derden', '50130NED')
    """
    cols = {str(c).strip() for c in columns}
    stems = {_SUFFIX.sub("", c) for c in cols}
    entry = catalog.catalog()
    m = _TABLE_ID.search(Path(name).name.upper())
    named = m.group(1) if m else None
    for table, keys in entry["cbs"].get("kwb_signatures", {}).items():
        if table.startswith("_"):
            continue
        if all(k in cols for k in keys):
            return "kerncijfers", table
    if named in entry["cbs"]["kwb_tables"].values():
        return "kerncijfers", named
    if any(s in stems for s in ("AantalInwoners", "Codering")) and "Leeftijd" not in cols:
        return "kerncijfers", named
    health = entry["rivm"]
    if all(k in cols for k in health["required_keys"]):
        if any(s in stems for s in health["health_stems"]) and (
            named is None or named in health["tables"]
        ):
            return "gezondheid", named
        return "derden", named
    return "onbekend", named


def is_health_file(path: str | Path) -> bool:
    """Whether a file looks like a downloaded table with CBS's dimensions (RIVM or other).

    ``wijkgeo import`` uses it to pick this reader; the reader itself then refuses the
    wrong table by name.
    """
    import re

    from .._errors import WijkgeoError

    p = Path(path)
    if p.suffix.lower() not in _SUFFIXES or not p.exists():
        return False
    try:
        kind, _table = detect_table(_header(p), p.name)
    except WijkgeoError:  # refused unread (a FIFO, a bomb): a CBS table name gets the reason
        return re.search(r"\d{5}NED", p.name) is not None
    except Exception:  # unreadable: let the reader report it
        return False
    return kind in ("gezondheid", "derden", "kerncijfers")


def _read(path: Path) -> pd.DataFrame:
    _check_input(path)
    suffix = path.suffix.lower()
    try:
        if suffix == ".parquet":
            return pd.read_parquet(path)
        if suffix in (".csv", ".txt"):
            return _read_csv(path)
        if suffix in (".xlsx", ".xls"):
            return pd.read_excel(
                path, dtype={"WijkenEnBuurten": str, "Codering_3": str}, engine=excel_engine()
            )
    except (OSError, ValueError, ImportError) as exc:
        raise DataValidationError(
            f"{path}: niet te lezen als {suffix[1:]}-bestand ({type(exc).__name__}: {exc})."
        ) from exc
    raise DataValidationError(
        f"{path}: onbekend bestandstype {suffix!r}; gebruik .xlsx, .csv of .parquet."
    )


def read_gezondheid_file(path: str | Path, gemeente: str) -> pd.DataFrame:
    """The rows of one gemeente (and Nederland) from a downloaded RIVM health table.

    Parameters
    ----------
    path : str or Path
        Excel, CSV or parquet copy of the TypedDataSet.
    gemeente : str
        Gemeente code.

    Returns
    -------
    DataFrame
        :func:`wijkgeo.sources.rivm.normalize_rows` of the gemeente's rows and the
        Nederland row (table, years and age groups taken from the rows).

    Raises
    ------
    DataValidationError
        A missing file; another table (the message names the table id found); no row of
        the gemeente.

    Examples
    --------
    >>> tidy = read_gezondheid_file("2020_65+.xlsx", "GM0599")    # doctest: +SKIP
    >>> sorted(set(tidy["leeftijd"]))                             # doctest: +SKIP
    ['65+']
    """
    p = Path(path)
    code = normalize_code(gemeente, "gemeente")
    if not (p.exists() or p.is_symlink()):
        raise DataValidationError(f"Bestand {p} bestaat niet.")
    kind, table = detect_table(_header(p), p.name)  # a FIFO, folder or bomb is named as such
    if kind != "gezondheid":
        what = {
            "kerncijfers": "een tabel Kerncijfers wijken en buurten",
            "derden": "een andere tabel uit de CBS-catalogus van derden",
            "onbekend": "geen tabel van CBS in het TypedDataSet-formaat",
        }[kind]
        known = ", ".join(rivm.tables())
        raise DataValidationError(
            f"{p.name} is {what} (tabel {table or 'onbekend'}), niet de RIVM-tabel Gezondheid "
            f"per wijk en buurt ({known}). Download die tabel bij CBS (dataderden) als "
            "TypedDataSet."
        )
    frame = _read(p)
    regions = frame["WijkenEnBuurten"].astype(str).str.strip()
    digits = code[2:]
    nl = set(catalog.catalog()["rivm"]["nederland_keys"])
    mine = regions.str[2:6].eq(digits) & regions.str[:2].isin(["GM", "WK", "BU"])
    if not mine.any():
        found = sorted(set(regions[regions.str.startswith("GM")]))[:3]
        raise DataValidationError(
            f"{p.name} (tabel {table or 'Gezondheid per wijk en buurt'}) bevat geen rijen van "
            f"gemeente {code} (wel bijvoorbeeld {', '.join(found) or 'geen gemeenten'}). "
            "Controleer de gemeentecode of download de tabel met deze gemeente erin."
        )
    part = frame[mine | regions.str.upper().isin(nl)]
    tidy = rivm.normalize_rows(part, table=table, source=p.name)
    log.info(
        "%s: tabel %s, jaren %s, leeftijden %s, %d rijen van %s",
        p.name,
        tidy["tabel"].iloc[0],
        sorted(set(tidy["jaar"])),
        sorted(set(tidy["leeftijd"])),
        int(mine.sum()),
        code,
    )
    return tidy
