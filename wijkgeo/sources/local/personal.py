"""Personal data in local layers: drop what ``lagen.json`` marks, warn about what it doesn't.

Contact persons, phone numbers and e-mail addresses have no place in maps or exports.
Columns listed under ``persoonsgegevens`` are dropped on reading unless the caller asks to
keep them; a column that is not listed but looks like e-mail addresses or Dutch phone
numbers (by its values, or by a name such as ``telefoon`` or ``email``) gets a warning
naming the file and column.

Examples
--------
>>> import pandas as pd
>>> looks_personal(pd.Series(["06-12345678", "020 123 4567", ""]))
'telefoonnummers'
>>> looks_personal(pd.Series(["a@b.nl", "c@d.org"]))
'e-mailadressen'
>>> looks_personal(pd.Series(["Buurthuis", "Bibliotheek"])) is None
True

Free text (stories, what an initiative changed) is searched for personal data inside the
sentences: :func:`personal_in_text` names what it finds, never the data itself.

>>> personal_in_text("Mevrouw Jansen (06-12345678) woont op de Dorpsstraat 12")
['telefoonnummer', 'naam', 'adres met huisnummer']
>>> personal_in_text("Veel ouderen voelen zich alleen sinds het buurthuis dicht is")
[]
"""

from __future__ import annotations

import re

import pandas as pd

from ..._report import WARNING, ValidationReport

__all__ = ["drop_personal", "looks_personal", "personal_in_text", "warn_unmarked"]

_EMAIL = re.compile(r"^[\w.+'-]+@[\w-]+(\.[\w-]+)+$")
# Dutch numbers: 0 + 9 digits, +31/0031 + 9 digits; spaces, dashes, dots and () allowed
_PHONE = re.compile(r"^(\+31|0031|0)\d{9}$")
_NAME_HINTS = re.compile(
    r"(e-?mail|telefoon|^tel$|^tel[._ ]|mobiel|gsm|contactpersoon|contact_?naam|bsn)", re.I
)


# -- inside free text: what would make a person findable
_TEXT_EMAIL = re.compile(r"[\w.+'-]+@[\w-]+(\.[\w-]+)+")
_TEXT_PHONE = re.compile(r"(?<![\w+])(\+31|0031|0)[\s.()-]*([1-9][\s.()-]*)(\d[\s.-]*){7}\d(?!\d)")
_STREET = (
    r"straat|laan|weg|plein|kade|gracht|singel|dijk|dreef|steeg|pad|plantsoen|markt|"
    r"baan|hof|erf|wal|park|polder|veld|burg|kwartier|ring|boulevard|passage|akker"
)
_TEXT_ADDRESS = re.compile(
    rf"\b[A-Za-zÀ-ÿ'-]*({_STREET})\s+\d{{1,4}}\s?([a-zA-Z](?![a-zA-Z])|-\d+|\b)"
    r"|\b(huisnummer|huisnr\.?|nr\.|nummer)\s*\d{1,4}\b",
    re.IGNORECASE,
)
_STREET_END = re.compile(rf"({_STREET})$", re.IGNORECASE)
_TEXT_NAME = re.compile(
    r"\b(mevrouw|meneer|mevr\.|mw\.|dhr\.|de heer|familie|fam\.|buurvrouw|buurman|"
    r"bewoonster|bewoner|mijn naam is|heet|genaamd|ik ben)\s+"
    r"(van |de |der |den |van de |van der |ten |ter )?(?-i:[A-Z][a-zà-ÿ]+)",
    re.IGNORECASE,
)
_TEXT_CHECKS = (
    ("e-mailadres", _TEXT_EMAIL),
    ("telefoonnummer", _TEXT_PHONE),
    ("naam", _TEXT_NAME),
    ("adres met huisnummer", _TEXT_ADDRESS),
)


def personal_in_text(text: object) -> list[str]:
    """What kinds of personal data a free text holds (e-mail, phone, name, house number).

    A name is recognised after a title or a word that introduces one ("mevrouw Jansen",
    "buurman Piet", "mijn naam is ..."); an address as a street with a number. Returns the
    kinds found, in a fixed order, without the text itself (reports must not repeat it).
    """
    value = "" if text is None else str(text)
    if not value.strip():
        return []
    found = []
    for kind, pattern in _TEXT_CHECKS:
        for m in pattern.finditer(value):  # a name starts with a capital: not "de buurt"
            if kind == "naam" and _STREET_END.search(m.group(0)):
                continue  # "een bewoner van de Dorpsstraat": a place, not a person
            found.append(kind)
            break
    return found


def looks_personal(values: pd.Series, share: float = 0.5) -> str | None:
    """``"e-mailadressen"``/``"telefoonnummers"`` when at least ``share`` of the non-empty
    values look like that, else None."""
    text = values.astype(str).str.strip()
    text = text[text.ne("")]
    if text.empty:
        return None
    if text.str.match(_EMAIL).mean() >= share:
        return "e-mailadressen"
    digits = text.str.replace(r"[\s().-]", "", regex=True)
    if digits.str.match(_PHONE).mean() >= share:
        return "telefoonnummers"
    return None


def drop_personal(frame: pd.DataFrame, columns: list[str], keep: bool) -> pd.DataFrame:
    """``frame`` without the marked columns (unless ``keep``)."""
    present = [c for c in columns if c in frame.columns]
    if keep or not present:
        return frame
    return frame.drop(columns=present)


def warn_unmarked(
    frame: pd.DataFrame,
    marked: list[str],
    report: ValidationReport,
    file: str,
    layer: str,
) -> None:
    """Warn about columns that look personal but are not in ``persoonsgegevens``."""
    for col in frame.columns:
        if col in marked or col == "geometry":
            continue
        kind = looks_personal(frame[col])
        by_name = bool(_NAME_HINTS.search(str(col)))
        if kind is None and not by_name:
            continue
        what = kind or "persoonsgegevens (naar de kolomnaam)"
        report.add(
            file,
            None,
            col,
            f"kolom lijkt {what} te bevatten maar staat niet onder 'persoonsgegevens'",
            hint=f'zet "persoonsgegevens": ["{col}"] bij laag {layer!r} in lagen.json, dan '
            "laat wijkgeo hem weg; of haal de kolom uit het bestand.",
            severity=WARNING,
            category="personal_data",
        )
