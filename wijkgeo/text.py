"""The Dutch wording users read, from one data file (``text.json``).

Missing-value labels and their reasons, direction and kind phrases, level names and common
units live in ``wijkgeo/text.json``; the indicator registry, the maps, the exports and the
CLI take them from here, so "geen gegevens" or "hoger is gunstiger" is typed once.
Indicator-specific words (labels, units, caveats) stay in the indicator registry.

Examples
--------
>>> from wijkgeo import text
>>> text.MISSING
'geen gegevens'
>>> text.reason("population", "aantal_inwoners")
'te weinig inwoners'
>>> text.direction("hoger_is_slechter")
'hoger vraagt aandacht'
>>> text.level("wijk", plural=True)
'wijken'
"""

from __future__ import annotations

import json
import math
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = [
    "MISSING",
    "bare",
    "column_label",
    "direction",
    "kind",
    "level",
    "number",
    "plural",
    "quantity",
    "reason",
    "safe_cell",
    "safe_frame",
    "spreadsheet_csv",
    "table_unit",
    "unit",
    "words",
]


@cache
def _words() -> dict[str, Any]:
    return json.loads(resources.files("wijkgeo").joinpath("text.json").read_text("utf-8"))


def words() -> dict[str, Any]:
    """A copy of the whole wording table (for documentation and for the registry's meta).

    Examples
    --------
    >>> words()["missing"]
    'geen gegevens'
    """
    return json.loads(json.dumps(_words()))


#: The label of a missing or secret value, everywhere: legend, tooltip, export, profile.
MISSING: str = _words()["missing"]


def reason(kind: str, column: str | None = None) -> str:
    """Why a value is not shown: ``"missing"``, ``"unavailable"``, ``"boundary_changed"``, or
    ``"population"`` with the column whose count was too small.

    Examples
    --------
    >>> reason("unavailable")
    'niet beschikbaar in deze gegevens'
    >>> reason("population", "woningvoorraad")
    'te weinig woningen'
    """
    entry = _words()["reasons"][kind]
    if isinstance(entry, dict):
        return entry.get(column or "", f"te weinig {column or 'eenheden'}")
    return entry


def direction(key: str) -> str:
    """The phrase for an indicator direction (``hoger_is_beter`` ...); ``""`` when unknown.

    Examples
    --------
    >>> direction("hoger_is_beter")
    'hoger is gunstiger'
    """
    return _words()["directions"].get(str(key), "")


def kind(key: str) -> str:
    """The phrase for an indicator kind (``kracht``, ``aandachtspunt``, ``context``).

    Examples
    --------
    >>> kind("context")
    'achtergrond'
    """
    return _words()["kinds"].get(str(key), str(key))


def level(key: str, *, plural: bool = False) -> str:
    """The Dutch name of a level (``gemeente``, ``wijk``, ``buurt``, ``cel500`` ...).

    Examples
    --------
    >>> level("buurt"), level("cel500", plural=True)
    ('buurt', 'vierkanten van 500 m')
    """
    single, many = _words()["levels"][key]
    return many if plural else single


def unit(key: str) -> str:
    """A common unit (``percent``, ``metre``, ``per_1000_inwoners`` ...).

    Examples
    --------
    >>> unit("per_1000_inwoners")
    'per 1.000 inwoners'
    """
    return _words()["units"][key]


# ------------------------------------------------------------------ numbers and units
def number(value: float, decimals: int = 0) -> str:
    """A number the Dutch way: thousands separator ``.``, decimal comma, never ``-0``.

    Examples
    --------
    >>> number(1234567.891, 2)
    '1.234.567,89'
    >>> number(-0.04, 1)
    '0,0'
    """
    out = f"{float(value):,.{int(decimals)}f}"
    out = out.replace(",", "_").replace(".", ",").replace("_", ".")
    if out.startswith("-") and not any(ch in "123456789" for ch in out):
        out = out[1:]
    return out


def is_missing(value: Any) -> bool:
    """True for a value a page shows as missing: None, NaN, ``pd.NaT``; text is not missing.

    Examples
    --------
    >>> import pandas as pd
    >>> [is_missing(v) for v in (None, float("nan"), pd.NaT, pd.NA, 0, "tekst")]
    [True, True, True, True, False, False]
    """
    if value is None:
        return True
    try:
        return math.isnan(float(value))
    except (TypeError, ValueError):
        try:  # pd.NaT is unequal to itself; pd.NA answers NA, which bool() refuses
            return bool(value != value)
        except TypeError:
            return True


def quantity(value: Any, unit: str = "", decimals: int = 0) -> str:
    """A value with its unit as a careful writer puts it: amounts as amounts, units as words.

    A registry unit such as ``"x 1.000 euro"`` becomes an amount (``text.json`` "amounts"),
    ``%`` sticks to the number, a year has no thousands separator, and a unit that only
    says "aantal" is left out (the label says what is counted). Missing reads
    :data:`MISSING`.

    Examples
    --------
    >>> quantity(207, "x 1.000 euro")
    '€ 207.000'
    >>> quantity(27.4, "x 1.000 euro", 1)
    '€ 27.400'
    >>> quantity(23.4, "aantal", 1), quantity(23.456, "%"), quantity(2024, "jaar")
    ('23,4', '23%', '2024')
    >>> quantity(60.2, "per 1.000 inwoners")
    '60 per 1.000 inwoners'
    >>> quantity(float("nan"), "%")
    'geen gegevens'
    """
    if is_missing(value):
        return MISSING
    amount = _words()["amounts"].get(unit)
    if isinstance(amount, dict):
        figure = number(float(value) * float(amount["factor"]), int(amount["decimals"]))
        return f"{amount['prefix']}{figure}{amount['suffix']}"
    figure = number(float(value), decimals)
    if unit == "%":
        return f"{figure}%"
    if unit == "jaar":
        return figure.replace(".", "")
    word = _words()["unit_words"].get(unit, unit)
    return f"{figure} {word}" if word else figure


def table_unit(unit: str) -> str:
    """The unit a table names once beside the label: empty where every cell carries it
    (``%``, years, amounts in euro) or where it says nothing (``aantal``).

    Examples
    --------
    >>> table_unit("x 1.000 euro"), table_unit("km"), table_unit("aantal")
    ('', 'km', '')
    """
    if unit in ("%", "jaar") or isinstance(_words()["amounts"].get(unit), dict):
        return ""
    return _words()["unit_words"].get(unit, unit)


def bare(value: Any, unit: str = "", decimals: int = 0) -> str:
    """A table cell: :func:`quantity` without the unit that :func:`table_unit` names once.

    Examples
    --------
    >>> bare(3.25, "km", 1), bare(207, "x 1.000 euro"), bare(12.0, "%")
    ('3,2', '€ 207.000', '12%')
    """
    full = quantity(value, unit, decimals)
    shown = table_unit(unit)
    return full[: -len(shown) - 1] if shown and full.endswith(" " + shown) else full


def change(value: Any, unit: str = "", decimals: int = 0) -> str:
    """A change between two years as a resident reads it aloud: with its sign (a real minus),
    a share's change in procentpunten (singular up to 1), an amount as an amount.

    Examples
    --------
    >>> change(2, "%"), change(-4, "%"), change(1, "%"), change(0.5, "%", 1)
    ('+2 procentpunten', '−4 procentpunten', '+1 procentpunt', '+0,5 procentpunt')
    >>> change(-28.6, "per 1.000 inwoners", 1), change(12, "x 1.000 euro"), change(35, "aantal")
    ('−28,6 per 1.000 inwoners', '+€ 12.000', '+35')
    >>> change(0, "%"), change(0.0, "per 1.000 inwoners", 1)
    ('gelijk', 'gelijk')
    """
    if is_missing(value):
        return MISSING
    v = float(value)
    if round(v, decimals) == 0:
        return _words()["unchanged"]
    sign = "+" if v > 0 else "\u2212" if v < 0 else ""
    if unit == "%":
        single, many = _words()["plurals"]["procentpunt"]
        word = single if 0 < abs(v) <= 1 else many
        return f"{sign}{number(abs(v), decimals)} {word}"
    return sign + quantity(abs(v), unit, decimals)


def plural(n: int, key: str, *, with_number: bool = True) -> str:
    """``n`` with the singular or plural form of ``key`` from ``text.json`` "plurals".

    Examples
    --------
    >>> plural(1, "project")
    '1 lopend of gepland project'
    >>> plural(3, "project")
    '3 lopende of geplande projecten'
    >>> plural(0, "punt", with_number=False)
    'punten'
    """
    single, many = _words()["plurals"][key]
    word = single if int(n) == 1 else many
    return f"{number(n, 0)} {word}" if with_number else word


# ------------------------------------------------------------------ spreadsheet safety
def safe_cell(value: Any) -> Any:
    """A text cell that a spreadsheet cannot read as a formula (OWASP CSV injection).

    Text starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return gets a quote
    in front, so Excel and LibreOffice show it as text; every other value (numbers, dates,
    missing) is returned unchanged. Every CSV and Excel writer of wijkgeo passes its text
    through here (via :func:`safe_frame`).

    Examples
    --------
    >>> safe_cell("=HYPERLINK(1)")
    "'=HYPERLINK(1)"
    >>> safe_cell("-5 graden"), safe_cell("Buurthuis"), safe_cell(-5)
    ("'-5 graden", 'Buurthuis', -5)
    """
    if isinstance(value, str) and value[:1] in _words()["formula_prefix"]["characters"]:
        return _words()["formula_prefix"]["quote"] + value
    return value


def safe_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` with every text cell and column name through :func:`safe_cell`.

    Examples
    --------
    >>> import pandas as pd
    >>> safe_frame(pd.DataFrame({"naam": ["@SUM(A1)", "Plein"], "n": [1, 2]}))
           naam  n
    0  '@SUM(A1)  1
    1     Plein  2
    """
    import pandas as pd

    out = frame.copy()
    for col in out.columns:
        series = out[col]
        if pd.api.types.is_object_dtype(series) or pd.api.types.is_string_dtype(series):
            out[col] = series.map(safe_cell, na_action="ignore")
    out.columns = [safe_cell(c) if isinstance(c, str) else c for c in out.columns]
    return out


def column_label(column: str) -> str:
    """Dutch words for a source column that has no label of its own (an export header).

    Abbreviations CBS uses in its snake_case names are written out (``text.json``
    "column_words"); the result starts with a capital.

    Examples
    --------
    >>> column_label("perc_geb_in_nl_met_herkomstland_nederland")
    'Percentage geboren in Nederland met herkomstland Nederland'
    >>> column_label("aantal_personen_met_een_alg_bijstandsuitkering_tot")
    'Aantal personen met een algemene bijstandsuitkering totaal'
    >>> column_label("stedelijkheid_adressen_per_km2")
    'Stedelijkheid adressen per km²'
    """
    table = _words()["column_words"]
    parts = [p for p in str(column).split("_") if p]
    if not parts:
        return str(column)
    parts = [table["words"].get(p, p) for p in parts[:-1]] + [
        table["last_word"].get(parts[-1], table["words"].get(parts[-1], parts[-1]))
    ]
    out = " ".join(parts)
    return out[:1].upper() + out[1:]


def spreadsheet_csv(frame: pd.DataFrame, target: Any = None, **options: Any) -> str | None:
    r"""Write ``frame`` as CSV for a spreadsheet: every text cell through :func:`safe_frame`,
    and lines ending in CRLF (RFC 4180), so a carriage return inside a name is quoted and
    can never end a row. ``options`` go to :meth:`pandas.DataFrame.to_csv` (``sep``,
    ``decimal``, ``encoding``); without ``target`` the text is returned.

    Examples
    --------
    >>> import pandas as pd
    >>> spreadsheet_csv(pd.DataFrame({"naam": ["=1+1", "a\rb"]}), sep=";").split("\r\n")
    ['naam', "'=1+1", '"a\rb"', '']
    """
    options.setdefault("index", False)
    options["lineterminator"] = "\r\n"
    return safe_frame(frame).to_csv(target, **options)
