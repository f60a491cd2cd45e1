"""The words of a profile page: ``teksten.json`` and the small helpers every section uses.

Kept apart from :mod:`.content` (the facts a page reads) and :mod:`.sections` (one function
per section) so both can use them.
"""

from __future__ import annotations

import json
import re
from functools import cache
from importlib import resources
from typing import Any

import pandas as pd

from .. import text
from ..indicators import brede_welvaart, format_number

__all__ = ["THEMES", "teksten"]


#: The themes a profile shows, in this order: CBS's brede welvaart themes
#: (``wijkgeo/indicators/brede_welvaart.json``); every one is shown, with what it lacks.
THEMES = tuple(brede_welvaart())
#: Themes whose note (what exists per buurt and what not) is shown even when they have rows.
_ALWAYS_NOTE = ("samenleving", "veiligheid")


@cache
def _teksten() -> dict[str, Any]:
    raw = resources.files(__package__).joinpath("teksten.json").read_text("utf-8")
    return json.loads(raw)


def teksten() -> dict[str, Any]:
    """A copy of the profile's sentences and settings (``teksten.json``).

    Examples
    --------
    >>> from wijkgeo.profile.words import teksten
    >>> teksten()["instellingen"]["max_kansen"]
    5
    """
    return json.loads(json.dumps(_teksten()))


def _t(path: str, **values: Any) -> str:
    """The sentence at ``a.b.c`` in teksten.json with its placeholders filled."""
    node: Any = _teksten()
    for part in path.split("."):
        node = node[part]
    return str(node).format(**values) if values else str(node)


def applies(caveat: str, missing: bool, small: bool = True) -> str:
    """The caveat sentences that apply to a value that is (not) missing: a sentence that
    explains a missing value ("... ontbreekt dan") is left out beside a value that is there,
    and one about small buurten ("bij kleine buurten ...") beside an area that is not small.

    Examples
    --------
    >>> applies("Niet in elke jaargang; ontbreekt dan (geen gegevens).", missing=False)
    ''
    >>> applies("Voorlopige cijfers. Niet in elke jaargang; ontbreekt dan.", missing=False)
    'Voorlopige cijfers.'
    >>> note = "Afgerond op tientallen; bij kleine buurten is het cijfer grof. Stand december."
    >>> applies(note, missing=False, small=False)
    'Stand december.'
    """
    sentences = re.split(r"(?<=[.!?])\s+(?=[A-Z])", caveat.strip())
    if missing:
        return " ".join(sentences).strip()
    keep = [x for x in sentences if not re.search(r"\bontbreekt\b|\bontbreken\b", x)]
    if not small:
        keep = [x for x in keep if not re.search(r"\bkleine (buurten|gebieden)\b", x)]
    return " ".join(keep).strip()


def _count(value: Any) -> str:
    return text.MISSING if text.is_missing(value) else format_number(float(value), 0)


def additive(ind: Any) -> bool:
    """Whether an indicator is a count that adds up over areas (inwoners, woningen, points in
    the area): its gemeente value is a total, so a buurt is never compared with it.

    Examples
    --------
    >>> from wijkgeo.indicators import get_indicator
    >>> additive(get_indicator("woningen")), additive(get_indicator("aandeel_65_plus"))
    (True, False)
    """
    for alt in ind.formula:
        if alt.get("op") == "points_in_area" and not alt.get("per"):
            continue
        if alt.get("op") == "column" and (
            str(alt.get("column", "")).startswith("aantal_")
            or alt.get("column") == "woningvoorraad"
        ):
            continue
        return False
    return True


def first_sentence(caveat: str) -> str:
    """The first sentence of a caveat (the lists on page one stay short; tables keep all).

    Examples
    --------
    >>> first_sentence("Voorlopige cijfers. Meer uitleg.")
    'Voorlopige cijfers.'
    """
    parts = re.split(r"(?<=[.!?])\s+(?=[A-Z])", caveat.strip(), maxsplit=1)
    return parts[0] if parts else ""


def _by_category(items: list[dict]) -> list[dict]:
    """Voorzieningen as one line per category: "basisschool (3)" with the names."""
    groups: dict[str, list[dict]] = {}
    for item in items:
        groups.setdefault(item["detail"] or "", []).append(item)
    out = []
    for cat, members in sorted(groups.items(), key=lambda kv: (-len(kv[1]), kv[0])):
        counted: dict[str, int] = {}
        for m in members:
            label = m["name"] + ("" if m["inside"] else " *")
            counted[label] = counted.get(label, 0) + 1
        names = [f"{k} ({n}×)" if n > 1 else k for k, n in counted.items()]
        out.append(
            {
                "name": f"{cat} ({len(members)})" if cat else str(len(members)),
                "detail": ", ".join(names),
                "where": "",
                "inside": True,
            }
        )
    return out


def _needs_only(match: Any) -> str:
    """The koppelkans explanation without its "wat er al is" tail: the profile lists what is
    already there in its own section right below, so the page does not say it twice."""
    from ..koppelkansen import explain

    conds = match.get("condities")
    if not isinstance(conds, list | tuple):
        return str(match["uitleg"])
    held = [c.get("tekst") for c in conds if c.get("voldaan") and c.get("tekst")]
    if not held:
        return str(match["uitleg"])
    dropped = match.get("niet_meegeteld")
    dropped = list(dropped) if isinstance(dropped, list | tuple) else []
    return explain.explanation(str(match["naam"]), held, "", dropped=dropped).strip()


def _bare(ind: Any, formatted: str) -> str:
    """A formatted value without its unit (the table names the unit once, beside the label)."""
    suffix = f" {ind.unit}"
    return formatted[: -len(suffix)] if formatted.endswith(suffix) else formatted


def _date(value: Any) -> str:
    try:
        return pd.Timestamp(value).strftime("%d-%m-%Y")
    except (ValueError, TypeError):
        return str(value)


