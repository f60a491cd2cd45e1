"""RIVM/GGD "Gezondheid per wijk en buurt": model estimates from CBS's third-party catalogue.

The RIVM publishes its health monitor per buurt through CBS's catalogue of third-party tables
(``dataderden.cbs.nl``), with CBS's own OData v3 paths and envelopes: ``TypedDataSet`` rows
keyed by ``Leeftijd`` (``20300`` = 18+, ``80200`` = 65+), ``Marges`` (``MW00000`` the
estimate, ``MOG0095``/``MBG0095`` the lower and upper 95 % bound where published),
``WijkenEnBuurten`` (codes right-padded to 10) and ``Perioden`` (``2020JJ00``). Which table
holds which years, on which year's boundaries, is data in ``catalog.json`` (``rivm``), as are
the age groups and margins; ``WIJKGEO_CBS_DERDEN_URL`` redirects the host.

The numbers are **model estimates**: per buurt the RIVM predicts a percentage from the
buurt's composition (age, sex, income, household type, ...) and the answers of the GGD
monitor in the region. A small buurt's figure therefore leans on who lives there, not on
many answers from it.

Two shapes:

* :func:`normalize_rows` gives one row per region, period and age group (``code``,
  ``level``, ``naam``, ``jaar``, ``leeftijd``, ``tabel``, ``indeling``) with per topic the
  estimate (``eenzaam``) and, where published, its bounds (``eenzaam_ondergrens``,
  ``eenzaam_bovengrens``);
* :func:`wide` one row per region for one period, with the age group as suffix
  (``eenzaam_65plus``, ``eenzaam_65plus_ondergrens``, ...): the columns the indicators read.

Examples
--------
>>> from wijkgeo.sources import rivm
>>> rivm.tables()[0]
'50150NED'
>>> rivm.table_info("50090NED")["indeling"]
2020
>>> rivm.topic_column("ErnstigZeerErnstigEenzaam_29")
'ernstig_zeer_ernstig_eenzaam'
"""

from __future__ import annotations

import logging
import math
import re
from typing import Any

import pandas as pd

from .. import _http
from .._errors import ConfigError, DataValidationError, SourceError
from ..codes import level_of, normalize_code
from . import catalog

__all__ = [
    "derden_base_url",
    "fetch_gezondheid",
    "normalize_rows",
    "table_info",
    "table_url",
    "tables",
    "topic_column",
    "wide",
]

log = logging.getLogger(__name__)

#: Columns of :func:`normalize_rows` that are no topic.
ID_COLUMNS = ("code", "level", "naam", "jaar", "leeftijd", "tabel", "indeling")
_SUFFIX = re.compile(r"_\d+$")
_DIMENSIONS = {"ID", "Leeftijd", "Marges", "WijkenEnBuurten", "Perioden"}
_LABELS = {"Gemeentenaam", "SoortRegio", "Codering"}
_MISSING = {"", ".", "x", "-", "?"}


def _entry() -> dict[str, Any]:
    return catalog.catalog()["rivm"]


def tables() -> list[str]:
    """The known table ids of the health monitor, newest edition first."""
    return list(_entry()["tables"])


def table_info(table: str) -> dict[str, Any]:
    """Periods, boundary year (``indeling``) and margins of one table (from the catalog).

    Raises
    ------
    ConfigError
        For a table id the catalog does not know.
    """
    known = _entry()["tables"]
    if table not in known:
        raise ConfigError(
            f"Onbekende RIVM-tabel {table!r}; bekend: {', '.join(known)} "
            "(wijkgeo/sources/catalog.json, rivm.tables)."
        )
    return {"table": table, **known[table]}


def derden_base_url(url: str | None = None) -> str:
    """Host root of CBS's third-party catalogue (argument > ``$WIJKGEO_CBS_DERDEN_URL`` >
    catalog default)."""
    return catalog._base("rivm", url)


def table_url(table: str, entity: str = "", *, url: str | None = None) -> str:
    """URL of an OData feed entity of a RIVM table.

    Examples
    --------
    >>> table_url("50090NED", "TypedDataSet", url="http://127.0.0.1:9")
    'http://127.0.0.1:9/ODataFeed/odata/50090NED/TypedDataSet'
    """
    base = derden_base_url(url) + _entry()["feed_path"].format(table=table)
    return f"{base}/{entity}" if entity else base


def topic_column(key: str) -> str:
    """The wijkgeo column of a topic key: the key without its ``_N`` suffix, snake_case.

    Examples
    --------
    >>> topic_column("MoeiteMetRondkomen_38")
    'moeite_met_rondkomen'
    """
    return catalog.camel_to_snake(_SUFFIX.sub("", key))


def _stem(key: str) -> str:
    return _SUFFIX.sub("", str(key))


def _number(value: Any) -> float:
    if value is None or isinstance(value, bool):
        return math.nan
    if isinstance(value, (int, float)):
        return float(value)
    text = str(value).strip()
    if text in _MISSING:
        return math.nan
    try:
        return float(text)
    except ValueError:
        return math.nan


def _year(period: Any) -> int | None:
    m = re.match(r"^\s*(\d{4})", str(period or ""))
    return int(m.group(1)) if m else None


def age_group(key: Any) -> dict[str, str] | None:
    """Label and column suffix of a ``Leeftijd`` key, or ``None`` when unknown.

    Examples
    --------
    A downloaded copy may hold the title instead of the key (``"65 jaar of ouder"``); the
    catalog's ``age_titles`` map it to the key.

    >>> age_group(" 80200")["label"], age_group("65 jaar of ouder")["suffix"]
    ('65+', '65plus')
    """
    text = str(key).strip()
    groups = _entry()["age_groups"]
    return groups.get(text) or groups.get(_entry()["age_titles"].get(text, ""))


def age_keys_by_title(dimension: list[dict[str, Any]]) -> dict[str, str]:
    """The table's own ``Leeftijd`` keys mapped to the catalog's keys, by their ``Title``.

    The catalog's 18-64 key is not verified (``geverifieerd`` in ``catalog.json``): a fetch
    names each group by the title CBS serves with it, so a key that means another group is
    never taken for 18-64. A verified key keeps its meaning whatever its title reads; an
    unverified key or an unknown one with an unknown title maps to ``""`` (skipped).

    Examples
    --------
    >>> age_keys_by_title([{"Key": "53115", "Title": "18 tot 65 jaar"},
    ...                    {"Key": "20300", "Title": "18 jaar en ouder"},
    ...                    {"Key": "53115", "Title": "12 tot 18 jaar"}][1:])
    {'20300': '20300', '53115': ''}
    """
    titles = _entry()["age_titles"]
    groups = _entry()["age_groups"]
    out = {}
    for row in dimension:
        key = str(row.get("Key") or "").strip()
        if not key:
            continue
        by_title = titles.get(str(row.get("Title") or "").strip())
        verified = bool(groups.get(key, {}).get("geverifieerd"))
        out[key] = by_title or (key if verified else "")
    return out


def guess_table(periods: set[int], margins: set[str]) -> str:
    """The table a set of rows comes from, from its periods and margins (catalog data).

    A row set with bounds and a period of 2024, or several periods and bounds, is 50150NED;
    only 2022 with bounds is 50120NED; estimates for 2012/2016/2020 only are 50090NED.

    Examples
    --------
    >>> guess_table({2020}, {"MW00000"})
    '50090NED'
    >>> guess_table({2022}, {"MW00000", "MOG0095"})
    '50120NED'
    """
    bounds = bool(margins - {"MW00000"})
    for table, info in reversed(list(_entry()["tables"].items())):  # oldest first
        fits = periods <= set(info["periods"])
        has_bounds = len(info["margins"]) > 1
        if fits and (has_bounds or not bounds):
            return table
    return tables()[0]


def normalize_rows(
    rows: list[dict[str, Any]] | pd.DataFrame,
    *,
    table: str | None = None,
    titles: dict[str, str] | None = None,
    source: str = "CBS",
) -> pd.DataFrame:
    """TypedDataSet rows (OData JSON, or a downloaded copy) as one row per region, period
    and age group, with the estimate and its bounds per topic.

    Parameters
    ----------
    rows : list of dict or DataFrame
        Rows with ``Leeftijd``, ``Marges``, ``WijkenEnBuurten``, ``Perioden`` and topic keys
        (``Eenzaam_28``); numbers as numbers or padded strings, missing as ``null``, ``""``
        or ``"."``.
    table : str, optional
        The table id; default guessed from periods and margins (:func:`guess_table`).
    titles : dict, optional
        Region names by code (the ``WijkenEnBuurten`` dimension's ``Title``).
    source : str
        Where the rows come from, for messages (a URL or file name).

    Returns
    -------
    DataFrame
        ``code, level, naam, jaar, leeftijd, tabel, indeling`` and per topic ``<topic>``,
        plus ``<topic>_ondergrens``/``<topic>_bovengrens`` where the rows carry bounds.
        Codes stripped of CBS's padding; Nederland is ``NL00`` whatever CBS calls it.

    Raises
    ------
    DataValidationError
        When a row has no valid region code (the message names the row).

    Examples
    --------
    >>> rows = [{"Leeftijd": "80200", "Marges": "MW00000", "WijkenEnBuurten": "GM0599    ",
    ...          "Perioden": "2020JJ00", "Eenzaam_28": "    56.4"}]
    >>> normalize_rows(rows, table="50090NED")[["code", "jaar", "leeftijd", "eenzaam"]]
         code  jaar leeftijd  eenzaam
    0  GM0599  2020      65+     56.4
    """
    entry = _entry()
    frame = rows if isinstance(rows, pd.DataFrame) else pd.DataFrame.from_records(rows)
    missing = [k for k in entry["required_keys"] if k not in frame.columns]
    if missing:
        raise DataValidationError(
            f"{source}: kolommen {missing} ontbreken; dit is geen RIVM-tabel Gezondheid per "
            "wijk en buurt."
        )
    topics = [c for c in frame.columns if c not in _DIMENSIONS and _stem(c) not in _LABELS]
    margin_names = entry["margins"]
    nl_keys = set(entry["nederland_keys"])
    records: dict[tuple[str, int, str], dict[str, Any]] = {}
    periods: set[int] = set()
    margins_seen: set[str] = set()
    skipped: set[str] = set()
    gm_names: dict[str, str] = {}  # a copy without the dimension still names its gemeenten
    for i, row in enumerate(frame.to_dict("records")):
        raw = str(row.get("WijkenEnBuurten") or "").strip()
        if raw.upper() in nl_keys:
            code = "NL00"
        else:
            try:
                code = normalize_code(raw)
            except DataValidationError as exc:
                ident = row.get("ID", i)
                raise DataValidationError(
                    f"{source}: rij {ident!r}: geen geldige regiocode in WijkenEnBuurten ({exc})."
                ) from None
        age = age_group(row.get("Leeftijd"))
        margin = margin_names.get(str(row.get("Marges") or "").strip())
        year = _year(row.get("Perioden"))
        if age is None or margin is None or year is None:
            skipped.add(f"{row.get('Leeftijd')}/{row.get('Marges')}/{row.get('Perioden')}")
            continue
        periods.add(year)
        if titles is None and code.startswith("GM") and row.get("Gemeentenaam_1"):
            gm_names[code] = str(row["Gemeentenaam_1"]).strip()
        margins_seen.add(str(row.get("Marges")).strip())
        rec = records.setdefault((code, year, age["label"]), {})
        for key in topics:
            col = topic_column(key)
            name = col if margin == "waarde" else f"{col}_{margin}"
            rec[name] = _number(row.get(key))
    if skipped:
        log.warning(
            "%s: %d combinaties van leeftijd/marge/periode onbekend en overgeslagen (%s)",
            source,
            len(skipped),
            ", ".join(sorted(skipped)[:3]),
        )
    table = table or guess_table(periods, margins_seen)
    indeling = int(table_info(table)["indeling"]) if table in entry["tables"] else None
    out = []
    for (code, year, label), values in records.items():
        out.append(
            {
                "code": code,
                "level": "nederland" if code == "NL00" else level_of(code),
                "naam": "Nederland" if code == "NL00" else (titles or gm_names).get(code),
                "jaar": year,
                "leeftijd": label,
                "tabel": table,
                "indeling": indeling,
                **values,
            }
        )
    result = pd.DataFrame.from_records(out)
    if result.empty:
        return pd.DataFrame(columns=list(ID_COLUMNS))
    result["naam"] = result["naam"].astype(object)
    return result


def wide(tidy: pd.DataFrame, year: int | None = None) -> pd.DataFrame:
    """One row per region for one period, age groups as column suffixes.

    Parameters
    ----------
    tidy : DataFrame
        From :func:`normalize_rows`.
    year : int, optional
        The period; default the newest in ``tidy``.

    Returns
    -------
    DataFrame
        ``code, level, naam, jaar, tabel, indeling`` and ``<topic>_<suffix>`` (``eenzaam_65plus``),
        ``<topic>_<suffix>_ondergrens`` / ``_bovengrens`` where published. Topics an age
        group does not have are left out (no all-empty columns).

    Examples
    --------
    >>> tidy = normalize_rows([{"Leeftijd": "80200", "Marges": "MW00000",
    ...     "WijkenEnBuurten": "BU05990110", "Perioden": "2020JJ00", "Eenzaam_28": 51.0}],
    ...     table="50090NED")
    >>> wide(tidy)[["code", "eenzaam_65plus"]].to_dict("records")
    [{'code': 'BU05990110', 'eenzaam_65plus': 51.0}]
    """
    if tidy.empty:
        return pd.DataFrame(columns=["code", "level", "naam", "jaar", "tabel", "indeling"])
    year = int(tidy["jaar"].max()) if year is None else int(year)
    part = tidy[tidy["jaar"] == year]
    if part.empty:
        raise DataValidationError(
            f"Geen gezondheidscijfers voor {year}; wel voor {sorted(set(tidy['jaar']))}."
        )
    suffix = {v["label"]: v["suffix"] for v in _entry()["age_groups"].values()}
    ids = ["code", "level", "naam", "jaar", "tabel", "indeling"]
    base = part.drop_duplicates("code")[ids].set_index("code")
    pieces = [base]
    topics = [c for c in part.columns if c not in ID_COLUMNS]
    for label, group in part.groupby("leeftijd", sort=False):
        vals = group.set_index("code")[topics].dropna(axis=1, how="all")
        vals.columns = [_with_suffix(c, suffix[label]) for c in vals.columns]
        pieces.append(vals[~vals.index.duplicated()])
    out = pd.concat(pieces, axis=1).reset_index()
    return out


def _with_suffix(column: str, suffix: str) -> str:
    for bound in ("_ondergrens", "_bovengrens"):
        if column.endswith(bound):
            return f"{column.removesuffix(bound)}_{suffix}{bound}"
    return f"{column}_{suffix}"


# --------------------------------------------------------------------------- fetching
def _pages(url: str, params: dict[str, Any] | None) -> list[dict[str, Any]]:
    from .cbs import _odata_pages

    return _odata_pages(url, params)


def _region_filter(code: str, field: str) -> str:
    digits = code[2:]
    parts = [f"startswith({field},'{p}{digits}')" for p in ("GM", "WK", "BU")]
    parts += [f"{field} eq '{k.ljust(10)}'" for k in _entry()["nederland_keys"]]
    return " or ".join(parts)


def modified(table: str, *, url: str | None = None) -> dict[str, Any]:
    """``TableInfos`` of a RIVM table: its ``Modified`` date (one small request).

    Raises
    ------
    SourceError
        When the table is not served (404) or TableInfos has no ``Modified``.
    """
    page = _http.get_json(table_url(table, "TableInfos", url=url), {"$format": "json"})
    rows = page.get("value") if isinstance(page, dict) else None
    if not rows or not isinstance(rows, list) or not rows[0].get("Modified"):
        raise SourceError(
            f"TableInfos van RIVM-tabel {table} bevat geen 'Modified'; controleer "
            "WIJKGEO_CBS_DERDEN_URL.",
            url=table_url(table, "TableInfos", url=url),
        )
    return {"table": table, "modified": str(rows[0]["Modified"])}


def newest_table(*, url: str | None = None) -> dict[str, Any]:
    """The newest table the catalogue serves: tried newest first, a 404 moves on.

    Returns
    -------
    dict
        ``table`` and ``modified`` (see :func:`modified`).

    Raises
    ------
    SourceError
        When none of the catalog's tables is served, or on any other failure.
    """
    last: SourceError | None = None
    for table in tables():
        try:
            return modified(table, url=url)
        except SourceError as exc:
            if exc.status != 404:
                raise
            last = exc
    raise SourceError(
        f"Geen van de RIVM-tabellen {', '.join(tables())} is te vinden in de catalogus van "
        "derden; controleer WIJKGEO_CBS_DERDEN_URL.",
        url=last.url if last else None,
        status=404,
    )


def fetch_gezondheid(
    gemeente: str, *, table: str | None = None, url: str | None = None
) -> pd.DataFrame:
    """The health monitor's rows of one gemeente (gemeente, wijken, buurten and Nederland).

    Only the gemeente's rows are asked for: ``$filter=startswith(WijkenEnBuurten,'GM0599')
    or ... or WijkenEnBuurten eq 'NL01      '``; the names come from the table's
    ``WijkenEnBuurten`` dimension (filtered the same way).

    Parameters
    ----------
    gemeente : str
        Gemeente code.
    table : str, optional
        A table id of the catalog; default the newest one the catalogue serves.
    url : str, optional
        Host root (default ``$WIJKGEO_CBS_DERDEN_URL`` or ``https://dataderden.cbs.nl``).

    Returns
    -------
    DataFrame
        :func:`normalize_rows` of every period and age group of the table.

    Raises
    ------
    SourceError
        On an HTTP failure, or when the gemeente has no row in the table.

    Examples
    --------
    >>> tidy = fetch_gezondheid("GM0599")                       # doctest: +SKIP
    >>> wide(tidy).loc[lambda d: d.code == "GM0599", "eenzaam_65plus"]   # doctest: +SKIP
    """
    code = normalize_code(gemeente, "gemeente")
    table = table or newest_table(url=url)["table"]
    table_info(table)
    dim = _entry()["dimension"]
    regions = _pages(
        table_url(table, dim, url=url),
        {"$format": "json", "$filter": _region_filter(code, "Key")},
    )
    rows = _pages(
        table_url(table, "TypedDataSet", url=url),
        {"$format": "json", "$filter": _region_filter(code, dim)},
    )
    try:  # the table's own age groups by title; an older replay may not serve them
        ages = age_keys_by_title(_pages(table_url(table, "Leeftijd", url=url), {"$format": "json"}))
    except SourceError as exc:
        if exc.status != 404:
            raise
        ages = {}
    if ages:
        for row in rows:
            key = str(row.get("Leeftijd") or "").strip()
            row["Leeftijd"] = ages.get(key, key) or f"onbekend:{key}"
    if not any(str(r.get(dim, "")).strip() == code for r in rows):
        raise SourceError(
            f"Gemeente {code} komt niet voor in RIVM-tabel {table} (gezondheid per wijk en "
            "buurt). Bestond de gemeente op de indeling van die tabel (herindeling)?",
            url=table_url(table, "TypedDataSet", url=url),
        )
    titles = {}
    for r in regions:
        key = str(r.get("Key") or "").strip()
        if key.upper() in _entry()["nederland_keys"]:
            key = "NL00"
        if key and r.get("Title"):
            titles[key] = str(r["Title"]).strip()
    tidy = normalize_rows(rows, table=table, titles=titles, source=table_url(table, url=url))
    log.info("RIVM %s %s: %d rijen, jaren %s", table, code, len(tidy), sorted(set(tidy["jaar"])))
    return tidy
