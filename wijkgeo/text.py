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
from functools import cache
from importlib import resources
from typing import Any

__all__ = ["MISSING", "direction", "kind", "level", "reason", "unit", "words"]


@cache
def _words() -> dict[str, Any]:
    return json.loads(resources.files("wijkgeo").joinpath("text.json").read_text("utf-8"))


def words() -> dict[str, Any]:
    """A copy of the whole wording table (for documentation and for the registry's meta).

    Examples
    --------
    >>> sorted(words())[:3]
    ['_doc', 'directions', 'kinds']
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
