"""Dutch sentences for koppelkansen: the numbers behind a match, with what is already there.

Labels and units come from the indicator registry (:func:`wijkgeo.indicators.get_indicator`)
and numbers are formatted with :func:`wijkgeo.indicators.format_value` /
:func:`~wijkgeo.indicators.format_number`; no indicator label is typed here. The wording
describes coincidences to discuss, never verdicts: "34,0% huishoudens met een laag inkomen
(gemeente 5,7%, NL 7,4%)", not "arme buurt".

Examples
--------
>>> from wijkgeo.koppelkansen.explain import indicator_phrase
>>> indicator_phrase("aandeel_huishoudens_laag_inkomen", 34.0, gemeente=18.0, nederland=7.4)
'huishoudens met een laag inkomen 34,0% (gemeente 18,0%, NL 7,4%)'
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from typing import Any

from ..indicators import format_number, format_value, get_indicator
from ..text import is_missing

__all__ = [
    "achieved_phrase",
    "assets_sentence",
    "cell_date",
    "cell_text",
    "count_phrase",
    "dutch_date",
    "explanation",
    "feature_phrase",
    "indicator_phrase",
    "lower_first",
    "metres",
    "small_note",
]

#: Units that are counts: such a value is shown without gemeente/NL reference.
_COUNT_UNITS = {"inwoners", "huishoudens", "woningen", "voorzieningen", "initiatieven", "aantal"}
_MONTHS = (
    "januari",
    "februari",
    "maart",
    "april",
    "mei",
    "juni",
    "juli",
    "augustus",
    "september",
    "oktober",
    "november",
    "december",
)


def lower_first(text: str) -> str:
    """Lower-case the first letter unless the first word is an abbreviation (``WW-``, ``AOW``).

    Examples
    --------
    >>> lower_first("Huishoudens met een laag inkomen"), lower_first("WW-uitkeringen")
    ('huishoudens met een laag inkomen', 'WW-uitkeringen')
    """
    if len(text) >= 2 and text[0].isupper() and text[1].islower():
        return text[0].lower() + text[1:]
    return text


def dutch_date(value: date) -> str:
    """``date(2025, 4, 26)`` -> ``'26 april 2025'``.

    Examples
    --------
    >>> from datetime import date
    >>> dutch_date(date(2025, 4, 26))
    '26 april 2025'
    """
    return f"{value.day} {_MONTHS[value.month - 1]} {value.year}"


def cell_text(value: object) -> str:
    """A cell of a local layer as text: stripped, empty for None, NA and NaN.

    Examples
    --------
    >>> cell_text(float("nan")), cell_text("  Samen Tarwewijk ")
    ('', 'Samen Tarwewijk')
    """

    import pandas as pd

    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return ""
    return str(value).strip()


def cell_date(value: object) -> str:
    """A date cell of a local layer in Dutch (``'26 april 2025'``); empty when it is no date.

    Examples
    --------
    >>> cell_date("2025-04-26"), cell_date("onbekend")
    ('26 april 2025', '')
    """
    import pandas as pd

    d = pd.to_datetime(value, errors="coerce")
    return "" if pd.isna(d) else dutch_date(d.date())


def metres(value: float) -> str:
    """A distance for a sentence: ``'850 m'``, ``'1.250 m'``.

    Examples
    --------
    >>> metres(1249.6)
    '1.250 m'
    """
    return f"{format_number(round(float(value) / 10) * 10, 0)} m"


def count_phrase(n: int, singular: str, plural: str) -> str:
    """``'1 actief bewonersinitiatief'`` / ``'2 actieve bewonersinitiatieven'`` style counts.

    Examples
    --------
    >>> count_phrase(2, "bewonersinitiatief", "bewonersinitiatieven")
    '2 bewonersinitiatieven'
    """
    return f"{n} {singular if n == 1 else plural}"


def value_text(
    key: str | None, value: float, unit: str = "", decimals: int = 1, label: str = ""
) -> str:
    """A value in Dutch: through the registry for an indicator, else with ``unit``.

    When the label already names the unit ("Personenauto's per huishouden") only the number
    is written.
    """
    if key is not None:
        ind = get_indicator(key)
        if label and ind.unit != "%" and ind.unit.lower() in label.lower():
            return "geen gegevens" if is_missing(value) else format_number(value, ind.decimals)
        return format_value(key, value)
    if is_missing(value):
        return "geen gegevens"
    text = format_number(float(value), decimals)
    if unit == "%":
        return f"{text}%"
    return f"{text} {unit}".strip()


def indicator_phrase(
    key: str | None,
    value: float,
    *,
    label: str | None = None,
    unit: str = "",
    decimals: int = 1,
    gemeente: float | None = None,
    nederland: float | None = None,
    extra: str | None = None,
) -> str:
    """``'<label> <value> (gemeente <x>, NL <y>)'`` for an indicator or a plain column.

    Examples
    --------
    >>> indicator_phrase("aardgasverbruik", 1650, nederland=1140)
    'gemiddeld aardgasverbruik 1.650 m³ (NL 1.140 m³)'
    """
    name = lower_first(label if label is not None else get_indicator(key).label)
    unit = get_indicator(key).unit if key is not None else unit
    if unit.lower() in _COUNT_UNITS:  # "185 inwoners": a count has no fair reference value
        shown = value_text(key, value, unit, decimals)
        return shown if name.lower() == unit.lower() else f"{name} {shown}"
    refs = []
    if not is_missing(gemeente):
        refs.append(f"gemeente {value_text(key, gemeente, unit, decimals, name)}")
    if not is_missing(nederland):
        refs.append(f"NL {value_text(key, nederland, unit, decimals, name)}")
    if extra:
        refs.append(extra)
    tail = f" ({', '.join(refs)})" if refs else ""
    return f"{name} {value_text(key, value, unit, decimals, name)}{tail}"


def feature_phrase(template: str, record: Mapping[str, Any]) -> str:
    """One object of a local layer in a sentence, by the layer's ``zin`` template.

    ``{jaren}`` is ``startjaar`` or ``startjaar-eindjaar``; missing fields read ``?``.

    Examples
    --------
    >>> feature_phrase("{naam} ({eigenaar}, {jaren})",
    ...                {"naam": "Riool Zeestraat", "eigenaar": "waterschap",
    ...                 "startjaar": 2025, "eindjaar": 2026})
    'Riool Zeestraat (waterschap, 2025-2026)'
    """

    def text(v: Any) -> str:
        if is_missing(v):
            return "?"
        if isinstance(v, float) and v.is_integer():
            return str(int(v))
        return str(v)

    fields = {k: text(v) for k, v in record.items()}
    start, end = record.get("startjaar"), record.get("eindjaar")
    if not is_missing(start):
        same = is_missing(end) or text(end) == text(start)
        fields["jaren"] = text(start) if same else f"{text(start)}-{text(end)}"
    else:
        fields["jaren"] = "?"

    class _Default(dict):
        def __missing__(self, key: str) -> str:
            return "?"

    return template.format_map(_Default(fields))


def achieved_phrase(record: Mapping[str, Any]) -> str:
    """What an initiative has achieved, from its optional outcome columns ("" if unknown).

    Examples
    --------
    >>> achieved_phrase({"wat_is_veranderd": "Minder eenzaamheid.", "deelnemers": 40})
    'bereikt: minder eenzaamheid (40 deelnemers)'
    >>> achieved_phrase({"naam": "Taalcafé"})
    ''
    """
    changed = str(record.get("wat_is_veranderd") or "").strip().rstrip(".")
    counts = []
    for col in ("deelnemers", "vrijwilligers"):
        value = record.get(col)
        if value is not None and str(value).strip() and not is_missing(value):
            counts.append(f"{str(value).strip()} {col}")
    if not changed and not counts:
        return ""
    text = f"bereikt: {lower_first(changed)}" if changed else "bereik"
    return text + (f" ({', '.join(counts)})" if counts else "")


def _listing(items: Sequence[str], limit: int = 3) -> str:
    shown = list(items[:limit])
    more = len(items) - len(shown)
    # an initiative with its results is a sentence of its own: separate by semicolons
    text = ("; " if any(" – " in i for i in shown) else ", ").join(shown)
    return f"{text} en {more} meer" if more > 0 else text


def _by_category(facilities: Sequence[str]) -> str:
    """``['Buurthuis Oost (buurthuis)', ...]`` -> ``'buurthuis: Buurthuis Oost; 2 x huisarts'``.

    Meeting places are named (they matter for a collective offer); others are counted.
    """
    cats: dict[str, list[str]] = {}
    for item in facilities:
        name, _, cat = item.rpartition(" (")
        cats.setdefault(cat.rstrip(")") or "overig", []).append(name or item)
    parts = []
    for cat, names in sorted(cats.items(), key=lambda kv: (-len(kv[1]), kv[0])):
        if cat in ("buurthuis", "bibliotheek"):
            parts.append(f"{cat}: {_listing(names, 2)}")
        else:
            parts.append(f"{len(names)} x {cat}")
    return ", ".join(parts)


def assets_sentence(
    initiatives: Sequence[str],
    facilities: Sequence[str],
    projects: Sequence[str],
    *,
    known: bool = True,
) -> str:
    """What is already in or near the unit, to read beside the needs.

    ``known=False`` says the data hold no local layers at all (nothing can be said about
    what is there), which differs from layers that have nothing near this unit.

    Examples
    --------
    >>> print(assets_sentence(["Taalcafé Oost"], ["Buurthuis Oost (buurthuis)"], []))
    ... # doctest: +NORMALIZE_WHITESPACE
    Wat er in of vlakbij al is: 1 actief bewonersinitiatief (Taalcafé Oost);
    1 voorziening (buurthuis: Buurthuis Oost).
    """
    parts = []
    if initiatives:
        n = len(initiatives)
        word = "actief bewonersinitiatief" if n == 1 else "actieve bewonersinitiatieven"
        parts.append(f"{n} {word} ({_listing(initiatives)})")
    if facilities:
        parts.append(
            f"{count_phrase(len(facilities), 'voorziening', 'voorzieningen')} "
            f"({_by_category(facilities)})"
        )
    if projects:
        parts.append(
            f"{count_phrase(len(projects), 'project', 'projecten')} ({_listing(projects)})"
        )
    if not parts and not known:
        return (
            "Wat er in of vlakbij al is: onbekend, deze gegevens hebben geen lokale lagen "
            "(initiatieven, voorzieningen, projecten); vraag het de buurt."
        )
    if not parts:
        return (
            "Wat er in of vlakbij al is: wijkgeo kent hier geen actieve "
            "bewonersinitiatieven, voorzieningen of projecten; vraag het de buurt."
        )
    return "Wat er in of vlakbij al is: " + "; ".join(parts) + "."


def small_note(population: float, threshold: float) -> str:
    """A caveat for small units, where counts rounded to 5 make shares jump.

    Examples
    --------
    >>> small_note(110, 500)
    'Let op: klein gebied (110 inwoners), de cijfers schommelen sterk.'
    >>> small_note(2400, 500)
    ''
    """
    if is_missing(population) or population >= threshold:
        return ""
    people = format_number(population, 0)
    return f"Let op: klein gebied ({people} inwoners), de cijfers schommelen sterk."


def explanation(
    name: str,
    held: Iterable[str],
    assets: str,
    *,
    missed: Iterable[str] = (),
    dropped: Iterable[str] = (),
    note: str = "",
) -> str:
    """The explanation sentence of a match (or near miss): needs and plans, then assets.

    Examples
    --------
    >>> explanation("Duinrand", ["aardgasvrij gepland 2026 (warmtenet)"], "Wat er al is: x.")
    'Duinrand: aardgasvrij gepland 2026 (warmtenet). Wat er al is: x.'
    """
    held = list(dict.fromkeys(h for h in held if h))  # two bounds on one indicator: once
    text = f"{name}: {'; '.join(held)}." if held else f"{name}."
    missed = [m for m in missed if m]
    if missed:
        text += f" Net niet: {'; '.join(missed)}."
    dropped = [d for d in dropped if d]
    if dropped:
        text += f" Niet meegeteld (geen gegevens): {', '.join(dropped)}."
    if note:
        text += f" {note}"
    return f"{text} {assets}"
