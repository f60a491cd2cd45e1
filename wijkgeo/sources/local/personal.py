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
"""

from __future__ import annotations

import re

import pandas as pd

from ..._report import WARNING, ValidationReport

__all__ = ["drop_personal", "looks_personal", "warn_unmarked"]

_EMAIL = re.compile(r"^[\w.+'-]+@[\w-]+(\.[\w-]+)+$")
# Dutch numbers: 0 + 9 digits, +31/0031 + 9 digits; spaces, dashes, dots and () allowed
_PHONE = re.compile(r"^(\+31|0031|0)\d{9}$")
_NAME_HINTS = re.compile(
    r"(e-?mail|telefoon|^tel$|^tel[._ ]|mobiel|gsm|contactpersoon|contact_?naam|bsn)", re.I
)


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
