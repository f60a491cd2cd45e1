"""Text that is safe to show: no terminal control sequences, no bidirectional overrides.

A name in a source file can hold anything: ``ESC [2J`` clears a terminal, ``ESC ]0;...``
sets its title, U+202E (RIGHT-TO-LEFT OVERRIDE) shows "825" as "528" around it. What
wijkgeo prints on a terminal goes through :func:`terminal_text`; names shown on pages and
pictures go through :func:`strip_bidi` (pages additionally isolate names with ``<bdi>``).

Examples
--------
>>> terminal_text("Noord\\x1b[2J\\x1b]0;pwnd\\x07 \\u202eoost")
'Noord oost'
>>> strip_bidi("A\\u202e825")
'A825'
"""

from __future__ import annotations

import re

__all__ = ["BIDI_CONTROLS", "has_control", "strip_bidi", "terminal_text"]

#: Bidirectional embedding, override and isolate controls (and the marks).
BIDI_CONTROLS = "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
_BIDI = re.compile(f"[{BIDI_CONTROLS}]")
#: ANSI/VT escape sequences (CSI, OSC up to BEL or ST, two-character escapes).
_ESCAPE = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]"  # CSI ... final byte
    r"|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?"  # OSC ... BEL / ST
    r"|\x1b[@-Z\\-_]"  # other two-character escapes
    r"|\x9b[0-?]*[ -/]*[@-~]"  # 8-bit CSI
)
#: C0 and C1 controls except tab and newline, and DEL.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def strip_bidi(text: str) -> str:
    """Remove bidirectional control characters (U+202A-E, U+2066-9, marks)."""
    return _BIDI.sub("", text)


def terminal_text(text: object) -> str:
    """``text`` without escape sequences, control characters or bidi controls.

    Tabs and newlines stay; everything else that would steer a terminal is dropped.
    """
    out = _ESCAPE.sub("", str(text))
    out = _CONTROL.sub("", out)
    return strip_bidi(out)


def has_control(text: str) -> bool:
    """Whether ``text`` holds a NUL, another control character or a bidi control.

    Examples
    --------
    >>> has_control("Oost"), has_control("Oo\\x00st")
    (False, True)
    """
    return bool(_CONTROL.search(text) or _BIDI.search(text) or "\x1b" in text)
