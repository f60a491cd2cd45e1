"""CBS region codes: normalise and validate ``GM``/``WK``/``BU`` codes.

Codes are strings, always: CBS pads them with spaces (``'GM0772    '``), some wijk and
buurt codes contain letters (``WK0363AA``), and leading zeros matter.

Examples
--------
>>> normalize_code(" gm772 ")
'GM0772'
>>> normalize_code("WK0363AA", level="wijk")
'WK0363AA'
>>> level_of("BU07720101")
'buurt'
"""

from __future__ import annotations

import logging
import re
import unicodedata
from typing import TYPE_CHECKING

from ._errors import DataValidationError
from .conventions import LEVELS, PREFIX

log = logging.getLogger(__name__)

if TYPE_CHECKING:  # pragma: no cover
    from pathlib import Path

__all__ = [
    "LEVELS",
    "PREFIX",
    "gemeente_of",
    "level_of",
    "normalize_code",
    "read_gemeenten_file",
    "wijk_of",
]

_LEVEL_BY_PREFIX = {v: k for k, v in PREFIX.items()}
_PATTERNS = {
    "nederland": re.compile(r"^NL[0-9]{2}$"),
    "gemeente": re.compile(r"^GM[0-9]{4}$"),
    "wijk": re.compile(r"^WK[0-9]{4}[0-9A-Z]{2}$"),
    "buurt": re.compile(r"^BU[0-9]{4}[0-9A-Z]{2}[0-9A-Z]{2}$"),
}


def level_of(code: str) -> str:
    """Return the level (``'gemeente'``, ``'wijk'``, ``'buurt'``, ``'nederland'``) of a code."""
    prefix = str(code).strip().upper()[:2]
    try:
        return _LEVEL_BY_PREFIX[prefix]
    except KeyError:
        raise DataValidationError(
            f"Onbekende regiocode {code!r}: verwacht een code die begint met GM, WK of BU "
            "(bijvoorbeeld GM0772, WK077211, BU07721101)."
        ) from None


def _ascii_code(code: object) -> str:
    """The code stripped and upper-cased, full-width forms folded (NFKC); refuse other
    non-ASCII characters (Arabic-Indic digits, Cyrillic look-alikes) by name."""
    raw = str(code)
    text = unicodedata.normalize("NFKC", raw).strip().upper()
    odd = sorted({ch for ch in text if not ("0" <= ch <= "9" or "A" <= ch <= "Z")})
    strange = [ch for ch in odd if ord(ch) > 127 or not ch.isprintable()]
    if strange:
        names = ", ".join(
            f"U+{ord(ch):04X} {unicodedata.name(ch, 'onbekend teken')}" for ch in strange[:3]
        )
        raise DataValidationError(
            f"Regiocode {raw.encode('ascii', 'backslashreplace').decode()} bevat tekens die "
            f"geen gewone cijfers of letters zijn ({names}); typ de code met gewone cijfers "
            "0-9 en letters A-Z, bv. GM0772."
        )
    if text != raw.strip().upper():
        log.debug("regiocode %r genormaliseerd tot %s (NFKC)", raw, text)
    return text


def normalize_code(code: object, level: str | None = None) -> str:
    """Strip, upper-case and validate a CBS region code.

    A gemeente code may be given without zero padding or prefix (``772``, ``"GM772"``).
    Full-width characters are folded to ASCII (NFKC); other non-ASCII digits or letters are
    refused with a message naming them.

    Parameters
    ----------
    code : object
        The code as found in a source (may be padded with spaces).
    level : str, optional
        Expected level; a code of another level raises.

    Returns
    -------
    str
        The canonical code.

    Raises
    ------
    DataValidationError
        When the code is not a valid CBS code (of the expected level).
    """
    if code is None:
        raise DataValidationError("Lege regiocode: geef een code als GM0772.")
    text = _ascii_code(code)
    if text.isdigit() and (level in (None, "gemeente")) and len(text) <= 4:
        text = "GM" + text.zfill(4)
    elif text.startswith("GM") and text[2:].isdigit() and len(text) < 6:
        text = "GM" + text[2:].zfill(4)
    found = level_of(text)
    if level is not None and found != level:
        raise DataValidationError(
            f"Regiocode {code!r} is een {found}-code, maar hier is een {level}-code nodig."
        )
    if not _PATTERNS[found].match(text):
        raise DataValidationError(
            f"Ongeldige {found}code {code!r}: verwacht {PREFIX[found]} gevolgd door "
            f"{ {'nederland': 2, 'gemeente': 4, 'wijk': 6, 'buurt': 8}[found] } cijfers/letters."
        )
    return text


def gemeente_of(code: str) -> str:
    """Return the gemeente code a wijk or buurt code belongs to (``BU07721101`` → ``GM0772``)."""
    text = normalize_code(code)
    return "GM" + text[2:6]


def wijk_of(code: str) -> str:
    """Return the wijk code a buurt code belongs to (``BU07721101`` → ``WK077211``)."""
    text = normalize_code(code, "buurt")
    return "WK" + text[2:8]


def read_gemeenten_file(path: str | Path) -> list[str]:
    """Read gemeente codes from a text file: one per line, ``#`` starts a comment.

    Raises
    ------
    DataValidationError
        For an unreadable file or an invalid code; the message names file and line.

    Examples
    --------
    >>> read_gemeenten_file("gemeenten.txt")      # doctest: +SKIP
    ['GM0772', 'GM0392']
    """
    from pathlib import Path

    from ._errors import ConfigError
    from ._parse import MAX_TEXT_BYTES, decode_user_text
    from ._paths import read_bytes_limited

    path = Path(path)
    try:
        lines = decode_user_text(read_bytes_limited(path, limit=MAX_TEXT_BYTES), str(path))
    except ConfigError as exc:
        raise DataValidationError(
            f"Gemeentebestand {path} is niet leesbaar: {getattr(exc, 'reason', exc)}; geef een "
            "tekstbestand met één gemeentecode per regel."
        ) from None
    lines = lines.splitlines()
    codes: list[str] = []
    for number, line in enumerate(lines, 1):
        text = line.split("#", 1)[0].strip()
        if not text:
            continue
        try:
            codes.append(normalize_code(text, "gemeente"))
        except DataValidationError as exc:
            raise DataValidationError(f"{path}, regel {number}: {exc}") from None
    if not codes:
        raise DataValidationError(f"Gemeentebestand {path} bevat geen gemeentecodes.")
    return codes
