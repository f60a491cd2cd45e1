"""Kerncijfers wijken en buurten (CBS OData v3), normalised to stable column names.

Why not simply ``cbsodata.get_data``
------------------------------------
``cbsodata`` (1.3.5) is the reference client and its output shape is what
:func:`normalize_kerncijfers` accepts (dimension keys replaced by titles, codes in the padded
``Codering_N`` topic, ``_N`` key suffixes). But for one gemeente it is not sane to use it for
the download itself:

* ``get_data`` downloads *every* metadata table on every call, including the whole
  ``WijkenEnBuurten`` dimension (all ~17,000 regions of the Netherlands);
* it has no timeout, no retry, opens a new session per page and its ``typed`` flag is
  inverted (``typed=True`` returns UntypedDataSet strings);
* failures surface as raw ``requests`` exceptions, not as a :class:`~wijkgeo.SourceError`.

So :func:`fetch_kerncijfers` does what ``get_data`` does, through the shared HTTP layer
(:mod:`wijkgeo._http`: timeouts, urllib3 retries honouring Retry-After, User-Agent), but
filtered: ``DataProperties`` once, the ``WijkenEnBuurten`` dimension and the
``TypedDataSet`` only for keys starting with the gemeente's ``GM``/``WK``/``BU`` codes plus
``NL00``, following ``odata.nextLink`` pages of 10,000 rows. It then replaces keys by titles
exactly like ``cbsodata`` does and hands the rows to :func:`normalize_kerncijfers`, so rows
from ``cbsodata.get_data(table, filters=...)`` can be normalised the same way.
"""

from __future__ import annotations

import json
import logging
import math
import re
from collections import Counter
from functools import cache
from importlib import resources
from typing import Any

import numpy as np
import pandas as pd

from .. import _http
from .._errors import DataValidationError, SourceError
from ..codes import level_of, normalize_code
from ..conventions import SECRET_THRESHOLD
from . import catalog

__all__ = [
    "NotNationalError",
    "column_map",
    "column_titles",
    "fetch_kerncijfers",
    "fetch_kerncijfers_nederland",
    "kerncijfers_metadata",
    "normalize_kerncijfers",
    "with_hierarchy",
]

log = logging.getLogger(__name__)

_SUFFIX = re.compile(r"_\d+$")
#: Missing-value markers in UntypedDataSet strings (CBS symbols) besides "".
_MISSING_STRINGS = {"", ".", "x", "-", "?"}


@cache
def _kwb_columns() -> dict[str, Any]:
    text = resources.files("wijkgeo.sources").joinpath("kwb_columns.json").read_text("utf-8")
    return json.loads(text)["columns"]


def _snake(stem: str) -> str:
    return catalog.camel_to_snake(stem[2:] if stem.startswith("k_") else stem)


def stem(key: str) -> str:
    """A KWB key without its per-year ``_N`` suffix (``AantalInwoners_5`` → ``AantalInwoners``)."""
    return _SUFFIX.sub("", key)


def column_map(data_properties: list[dict[str, Any]]) -> dict[str, str]:
    """Map every key of one KWB table to its canonical wijkgeo column name.

    Stems found in ``kwb_columns.json`` use that name (a list there means: the n-th
    occurrence of the stem in DataProperties gets the n-th name); unknown stems get a
    snake_case version of the stem, so a new year's extra topics are not lost.

    Examples
    --------
    >>> column_map([{"Type": "Topic", "Key": "AantalInwoners_5"},
    ...             {"Type": "GeoDetail", "Key": "WijkenEnBuurten"}])
    {'AantalInwoners_5': 'aantal_inwoners', 'WijkenEnBuurten': 'naam'}
    """
    known = _kwb_columns()
    seen: Counter[str] = Counter()
    out: dict[str, str] = {}
    for prop in data_properties:
        key = prop.get("Key") or ""
        if not key or prop.get("Type") in ("TopicGroup",):
            continue
        s = stem(key)
        target = known.get(s)
        if isinstance(target, list):
            idx = seen[s]
            target = target[idx] if idx < len(target) else f"{target[-1]}_{idx + 1}"
        seen[s] += 1
        out[key] = target or _snake(s)
    return out


def kerncijfers_metadata(data_properties: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Per canonical column: the CBS title, description, unit, decimals, datatype and key.

    Parameters
    ----------
    data_properties : list of dict
        The ``value`` list of the table's ``DataProperties``.

    Returns
    -------
    dict
        ``{"aantal_inwoners": {"key": "AantalInwoners_5", "title": "Aantal inwoners",
        "description": ..., "unit": "aantal", "decimals": 0, "datatype": "Long"}, ...}``
        for every Topic (not for TopicGroups or dimensions).

    Examples
    --------
    >>> meta = kerncijfers_metadata([{"Type": "Topic", "Key": "AantalInwoners_5",
    ...     "Title": "Aantal inwoners", "Description": "", "Unit": "aantal",
    ...     "Decimals": 0, "Datatype": "Long"}])
    >>> meta["aantal_inwoners"]["title"], meta["aantal_inwoners"]["unit"]
    ('Aantal inwoners', 'aantal')
    """
    names = column_map(data_properties)
    out: dict[str, dict[str, Any]] = {}
    for prop in data_properties:
        if prop.get("Type") != "Topic":
            continue
        key = prop["Key"]
        out[names[key]] = {
            "key": key,
            "title": (prop.get("Title") or "").strip(),
            "description": (prop.get("Description") or "").strip(),
            "unit": (prop.get("Unit") or "").strip(),
            "decimals": prop.get("Decimals"),
            "datatype": prop.get("Datatype"),
        }
    return out


def column_titles(data_properties: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Per canonical column the CBS title, unit and decimals: the compact form kept in
    ``atlas.meta["kolommen"]`` (and so in the store) for labelling columns that are no
    registry indicator, e.g. in exports.

    Examples
    --------
    >>> column_titles([{"Type": "Topic", "Key": "Woningvoorraad_35", "Title": "Woningvoorraad",
    ...     "Unit": "aantal", "Decimals": 0}])
    {'woningvoorraad': {'title': 'Woningvoorraad', 'unit': 'aantal', 'decimals': 0}}
    """
    return {
        col: {"title": m["title"], "unit": m["unit"], "decimals": m["decimals"]}
        for col, m in kerncijfers_metadata(data_properties).items()
    }


def _number(value: Any) -> float:
    if value is None or isinstance(value, bool):
        return math.nan
    if isinstance(value, (int, float)):
        out = float(value)
    else:
        text = str(value).strip()
        if text in _MISSING_STRINGS:
            return math.nan
        try:
            out = float(text)
        except ValueError:
            return math.nan
    return math.nan if out <= SECRET_THRESHOLD else out


def _text(value: Any) -> Any:
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def normalize_kerncijfers(
    rows: list[dict[str, Any]], data_properties: list[dict[str, Any]]
) -> pd.DataFrame:
    """Normalise KWB rows (as ``cbsodata.get_data`` returns them) to one row per region.

    Parameters
    ----------
    rows : list of dict
        TypedDataSet rows (numbers, ``null`` for missing) or UntypedDataSet rows
        (padded strings, ``""`` for missing); keys with the table's ``_N`` suffixes;
        ``WijkenEnBuurten`` holding the region title (cbsodata) or its padded key;
        ``Codering_N`` the padded code.
    data_properties : list of dict
        The table's DataProperties ``value`` list (gives keys, datatypes, column names).

    Returns
    -------
    pandas.DataFrame
        Columns ``code`` (stripped, validated), ``level`` (``"nederland"``, ``"gemeente"``,
        ``"wijk"``, ``"buurt"``), ``naam``, then the canonical columns of
        ``kwb_columns.json``. Numeric topics are floats; ``null``, ``""``, ``"."`` and any
        value <= -99990 are NaN.

    Raises
    ------
    DataValidationError
        When a row has no valid region code; the message names the row.

    Examples
    --------
    >>> props = [{"Type": "GeoDetail", "Key": "WijkenEnBuurten"},
    ...          {"Type": "Topic", "Key": "Codering_3", "Datatype": "String"},
    ...          {"Type": "Topic", "Key": "AantalInwoners_5", "Datatype": "Long"}]
    >>> rows = [{"WijkenEnBuurten": "Eindhoven", "Codering_3": "GM0772    ",
    ...          "AantalInwoners_5": 246417}]
    >>> normalize_kerncijfers(rows, props)[["code", "level", "naam", "aantal_inwoners"]]
         code     level       naam  aantal_inwoners
    0  GM0772  gemeente  Eindhoven         246417.0
    """
    names = column_map(data_properties)
    dtypes = {p["Key"]: p.get("Datatype") for p in data_properties if p.get("Key")}
    dimension = next(
        (p["Key"] for p in data_properties if p.get("Type") in ("GeoDetail", "Dimension")),
        "WijkenEnBuurten",
    )
    code_key = next((k for k, v in names.items() if v == "code"), None)
    records: list[dict[str, Any]] = []
    for i, row in enumerate(rows):
        raw_code = row.get(code_key) if code_key else None
        if not _text(raw_code):
            # No Codering topic (or empty): the dimension may still hold the key itself.
            raw_code = row.get(dimension)
        try:
            code = normalize_code(raw_code)
        except DataValidationError as exc:
            ident = row.get("ID", i)
            raise DataValidationError(
                f"Kerncijfers-rij {ident!r} ({row.get(dimension)!r}): geen geldige regiocode "
                f"in {code_key or dimension} ({exc})."
            ) from None
        rec: dict[str, Any] = {"code": code}
        for key, value in row.items():
            col = names.get(key)
            if col is None or col == "code" or key == "ID":
                continue
            if dtypes.get(key) in ("Long", "Double", "Integer", "Decimal", "Float"):
                rec[col] = _number(value)
            else:
                rec[col] = _text(value)
        title = rec.get("naam")
        if isinstance(title, str) and title.upper() == code:
            rec["naam"] = None  # the dimension held the key, not a title
        rec["level"] = level_of(code)  # the code is authoritative; SoortRegio is a label
        records.append(rec)
    frame = pd.DataFrame.from_records(records)
    if frame.empty:
        return pd.DataFrame(columns=["code", "level", "naam"])
    if "naam" not in frame.columns:
        frame["naam"] = None
    dup = frame["code"].duplicated()
    if dup.any():
        log.warning("Kerncijfers: %d dubbele regiocodes genegeerd (eerste telt)", int(dup.sum()))
        frame = frame[~dup]
    first = ["code", "level", "naam"]
    return frame[first + [c for c in frame.columns if c not in first]].reset_index(drop=True)


# --------------------------------------------------------------------------- fetching
def _odata_pages(url: str, params: dict[str, Any] | None) -> list[dict[str, Any]]:
    """All ``value`` rows of an OData v3 feed, following ``odata.nextLink``; all or nothing."""
    rows: list[dict[str, Any]] = []
    pages = 0
    for page, _response in _http.pages(
        url,
        params,
        items="value",
        next_link=lambda page: page.get("odata.nextLink"),
        not_a_page="CBS gaf geen OData-antwoord (geen 'value'-lijst); controleer WIJKGEO_CBS_URL.",
        headers={"Accept": "application/json, application/geo+json;q=0.9"},
    ):
        pages += 1
        rows.extend(page["value"])
    log.debug("OData %s: %d rijen in %d pagina('s)", url, len(rows), pages)
    return rows


def _pad(key: str) -> str:
    return key.ljust(10)


def _region_filter(gemeente: str, field: str, *, nederland: bool) -> str:
    digits = gemeente[2:]
    parts = [f"startswith({field},'{p}{digits}')" for p in ("GM", "WK", "BU")]
    if nederland:
        nl = catalog.catalog()["cbs"]["nederland_key"]
        parts.append(f"{field} eq '{_pad(nl)}'")
    return " or ".join(parts)


def fetch_kerncijfers(
    gemeente: str,
    year: int,
    *,
    cbs_url: str | None = None,
    nederland: bool = True,
    with_metadata: bool = False,
) -> pd.DataFrame | tuple[pd.DataFrame, dict[str, dict[str, Any]]]:
    """Kerncijfers wijken en buurten of one gemeente (gemeente, wijk and buurt rows).

    Only the gemeente's rows (and the Nederland row) are requested: the OData filter is
    ``startswith(WijkenEnBuurten,'GM0772') or startswith(...,'WK0772') or
    startswith(...,'BU0772') or WijkenEnBuurten eq 'NL00      '``; the national table is
    never downloaded. See the module docstring for why this does not call
    ``cbsodata.get_data``.

    Parameters
    ----------
    gemeente : str
        Gemeente code (``"GM0772"``).
    year : int
        Statistics year (2019-2025, see :func:`wijkgeo.sources.catalog.years`).
    cbs_url : str, optional
        CBS open-data host root; default ``$WIJKGEO_CBS_URL`` or ``https://opendata.cbs.nl``.
    nederland : bool, default True
        Also fetch the Nederland row (for comparisons).
    with_metadata : bool, default False
        Also return :func:`kerncijfers_metadata` of the table.

    Returns
    -------
    pandas.DataFrame or (DataFrame, dict)
        See :func:`normalize_kerncijfers`.

    Raises
    ------
    SourceError
        On any HTTP or payload failure (404 for an unknown table, 5xx after retries, ...).
    ConfigError
        For a year without a known table.

    Examples
    --------
    >>> kc = fetch_kerncijfers("GM0772", 2024)                      # doctest: +SKIP
    >>> kc.loc[kc.level == "gemeente", "aantal_inwoners"].item()    # doctest: +SKIP
    246417.0
    """
    code = normalize_code(gemeente, "gemeente")
    entry = catalog.catalog()["cbs"]
    dim = entry["dimension"]
    props = _odata_pages(
        catalog.cbs_table_url(year, "DataProperties", cbs_url=cbs_url), {"$format": "json"}
    )
    regions = _odata_pages(
        catalog.cbs_table_url(year, dim, cbs_url=cbs_url),
        {"$format": "json", "$filter": _region_filter(code, "Key", nederland=nederland)},
    )
    rows = _odata_pages(
        catalog.cbs_table_url(year, "TypedDataSet", cbs_url=cbs_url),
        {"$format": "json", "$filter": _region_filter(code, dim, nederland=nederland)},
    )
    if not any(str(r.get(dim, "")).strip() == code for r in rows):
        raise SourceError(
            f"Gemeente {code} komt niet voor in de Kerncijfers wijken en buurten {year} "
            f"(tabel {catalog.kwb_table(year)}). Bestond de gemeente in dat jaar (herindeling)?",
            url=catalog.cbs_table_url(year, "TypedDataSet", cbs_url=cbs_url),
        )
    titles = {r.get("Key"): r.get("Title") for r in regions}
    for row in rows:  # the same replacement cbsodata.get_data does
        key = row.get(dim)
        if key in titles:
            row[dim] = titles[key]
    frame = normalize_kerncijfers(rows, props)
    log.info(
        "Kerncijfers %s %s: %s",
        code,
        year,
        frame["level"].value_counts().to_dict(),
    )
    if with_metadata:
        return frame, kerncijfers_metadata(props)
    frame.attrs["kolommen"] = column_titles(props)
    return frame


def table_info(year: int, *, cbs_url: str | None = None) -> dict[str, Any]:
    """The CBS Kerncijfers table of ``year`` and its ``Modified`` date (one small request).

    Returns
    -------
    dict
        ``table`` (``"85984NED"``), ``modified`` (``"2025-03-27T02:00:00"``),
        ``metadata_modified``, ``title``, ``url``.

    Raises
    ------
    SourceError
        When TableInfos can't be read or has no ``Modified``.

    Examples
    --------
    >>> table_info(2024)["modified"]                  # doctest: +SKIP
    '2025-03-27T02:00:00'
    """
    table = catalog.kwb_table(year)
    url = catalog.cbs_table_url(year, "TableInfos", cbs_url=cbs_url)
    page = _http.get_json(url, {"$format": "json"})
    rows = page.get("value") if isinstance(page, dict) else None
    if not rows or not isinstance(rows, list) or not rows[0].get("Modified"):
        raise SourceError(
            f"TableInfos van tabel {table} bevat geen 'Modified'; is dit een CBS OData-feed? "
            "Controleer WIJKGEO_CBS_URL.",
            url=url,
        )
    info = rows[0]
    return {
        "table": table,
        "modified": str(info["Modified"]),
        "metadata_modified": info.get("MetaDataModified"),
        "title": info.get("Title"),
        "url": catalog.cbs_table_url(year, cbs_url=cbs_url),
    }


class NotNationalError(SourceError):
    """The table CBS (or a replay) served is no national table: no buurten, or buurten for
    too few gemeenten. Content, not a passing failure: asking again gives the same answer
    until the table changes."""


def fetch_kerncijfers_nederland(
    year: int, *, cbs_url: str | None = None, with_metadata: bool = False
) -> pd.DataFrame | tuple[pd.DataFrame, dict[str, dict[str, Any]]]:
    """Kerncijfers of the whole country in one paged request set: every gemeente, wijk, buurt.

    The national reference for comparing a buurt with similar buurten elsewhere. Three
    requests sets, not one per gemeente: ``DataProperties``, the ``WijkenEnBuurten``
    dimension (for the titles) and the unfiltered ``TypedDataSet`` (about 17,000 rows,
    followed over its ``odata.nextLink`` pages of 10,000). Keys differ per year
    (``AantalInwoners_5`` in 2020); :func:`column_map` turns them into the same canonical
    columns as :func:`fetch_kerncijfers`.

    Parameters
    ----------
    year : int
        Statistics year (see :func:`wijkgeo.sources.catalog.years`).
    cbs_url : str, optional
        CBS open-data host root; default ``$WIJKGEO_CBS_URL`` or ``https://opendata.cbs.nl``.
    with_metadata : bool, default False
        Also return :func:`kerncijfers_metadata` of the table.

    Returns
    -------
    pandas.DataFrame or (DataFrame, dict)
        As :func:`normalize_kerncijfers`, plus ``gemeentecode`` (and ``wijkcode`` for
        buurten) derived from the codes.

    Raises
    ------
    SourceError
        On any HTTP or payload failure, or a table without buurten.

    Examples
    --------
    >>> nl = fetch_kerncijfers_nederland(2020)                    # doctest: +SKIP
    >>> int((nl["level"] == "buurt").sum())                       # doctest: +SKIP
    13808
    """
    entry = catalog.catalog()["cbs"]
    dim = entry["dimension"]
    props = _odata_pages(
        catalog.cbs_table_url(year, "DataProperties", cbs_url=cbs_url), {"$format": "json"}
    )
    regions = _odata_pages(catalog.cbs_table_url(year, dim, cbs_url=cbs_url), {"$format": "json"})
    rows = _odata_pages(
        catalog.cbs_table_url(year, "TypedDataSet", cbs_url=cbs_url), {"$format": "json"}
    )
    titles = {r.get("Key"): r.get("Title") for r in regions}
    for row in rows:
        key = row.get(dim)
        if key in titles:
            row[dim] = titles[key]
    frame = with_hierarchy(normalize_kerncijfers(rows, props))
    if not (frame["level"] == "buurt").any():
        raise NotNationalError(
            f"De Kerncijfers wijken en buurten {year} (tabel {catalog.kwb_table(year)}) bevatten "
            "geen buurten; is dit de landelijke tabel? Controleer WIJKGEO_CBS_URL.",
            url=catalog.cbs_table_url(year, "TypedDataSet", cbs_url=cbs_url),
        )
    log.info("Kerncijfers Nederland %s: %s", year, frame["level"].value_counts().to_dict())
    frame.attrs["kolommen"] = column_titles(props)
    if with_metadata:
        return frame, kerncijfers_metadata(props)
    return frame


def with_hierarchy(frame: pd.DataFrame) -> pd.DataFrame:
    """Add ``gemeentecode`` and ``wijkcode`` derived from each region's own code.

    Examples
    --------
    >>> f = pd.DataFrame({"code": ["BU05990101", "WK059901", "GM0599", "NL00"],
    ...                   "level": ["buurt", "wijk", "gemeente", "nederland"]})
    >>> with_hierarchy(f)[["gemeentecode", "wijkcode"]].fillna("-").values.tolist()
    [['GM0599', 'WK059901'], ['GM0599', 'WK059901'], ['GM0599', '-'], ['-', '-']]
    """
    out = frame.copy()
    code = out["code"].astype(str)
    lvl = out["level"].astype(str)
    gem = ("GM" + code.str[2:6]).to_numpy(dtype=object)
    wijk = ("WK" + code.str[2:8]).to_numpy(dtype=object)
    out["gemeentecode"] = np.where(lvl != "nederland", gem, None)
    out["wijkcode"] = np.where(lvl.isin(["buurt", "wijk"]), wijk, None)
    return out
