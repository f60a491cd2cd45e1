"""Parsing user files with limits: JSON and TOML with depth and size limits, finite numbers.

Every description or rules file a user writes (``lagen.json``, ``koppelkansen.toml``) and
every side file of the store goes through these functions, so that no file can

* nest so deep that the parser overflows the stack (:data:`MAX_DEPTH`),
* be so large that reading it exhausts memory (:data:`MAX_TEXT_BYTES`),
* hold ``NaN`` or ``Infinity`` where a number is expected,
* show raw NUL bytes or mojibake in a message: the encoding is checked before any text is
  used (UTF-8 with or without BOM, UTF-16 with BOM; UTF-16 without BOM is refused by name).

Errors are :class:`ParseError` (a :class:`~wijkgeo.ConfigError`) with the file, and where
known the line, in a Dutch message; they never quote more than the offending key.

Examples
--------
>>> loads_json(b'\\xef\\xbb\\xbf{"a": [1, 2]}', "x.json")
{'a': [1, 2]}
>>> loads_json(b'{"a": NaN}', "x.json")
Traceback (most recent call last):
...
wijkgeo._parse.ParseError: x.json: getal NaN is niet toegestaan ...
>>> loads_toml("a = 1", "r.toml")
{'a': 1}
"""

from __future__ import annotations

import json
import math
from typing import Any

from ._errors import ConfigError

__all__ = [
    "MAX_DEPTH",
    "MAX_TEXT_BYTES",
    "MAX_UNZIPPED",
    "MAX_ZIP_MEMBERS",
    "MAX_ZIP_RATIO",
    "ParseError",
    "decode_user_text",
    "loads_json",
    "loads_toml",
    "nesting_depth",
    "zip_refusal",
]

#: Deepest nesting of lists/objects/tables accepted in a description file.
MAX_DEPTH = 32
#: Largest description or rules file (bytes): 16 MB; real ones are a few kB.
MAX_TEXT_BYTES = 16 * 1024 * 1024


class ParseError(ConfigError):
    """A description, rules or side file that cannot be parsed safely.

    Attributes
    ----------
    line : int or None
        The line of the problem, when known.
    reason : str
        The Dutch message without the file name.
    """

    def __init__(self, file: str, reason: str, line: int | None = None, kind: str = "syntax"):
        self.file = file
        self.line = line
        self.reason = reason
        self.kind = kind
        where = f"{file}, regel {line}" if line else file
        super().__init__(f"{where}: {reason}")


def decode_user_text(data: bytes, file: str, *, limit: int = MAX_TEXT_BYTES) -> str:
    """Decode a user's text file: UTF-8 (BOM accepted) or UTF-16 with BOM; else refuse.

    Examples
    --------
    >>> decode_user_text("é".encode("utf-16"), "x.toml")
    'é'
    >>> decode_user_text("ab".encode("utf-16-le"), "x.toml")
    Traceback (most recent call last):
    ...
    wijkgeo._parse.ParseError: x.toml: bestand lijkt UTF-16 zonder BOM ...
    """
    if len(data) > limit:
        raise ParseError(
            file,
            f"bestand is te groot ({len(data) // 1024} kB; hoogstens {limit // 1024} kB)",
            kind="size",
        )
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16").lstrip("\ufeff")
        except UnicodeDecodeError:
            raise ParseError(file, "bestand is geen geldige UTF-16", kind="encoding") from None
    if b"\x00" in data:
        hint = (
            "bestand lijkt UTF-16 zonder BOM (of is geen tekstbestand); sla het op als UTF-8"
            if _looks_utf16(data)
            else "bestand bevat NUL-tekens en is geen tekstbestand; sla het op als UTF-8"
        )
        raise ParseError(file, hint, kind="encoding")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ParseError(
            file, "bestand is geen UTF-8; sla het op als UTF-8 (Kladblok: Opslaan als, "
            "codering UTF-8)", line, kind="encoding",
        ) from None


def _looks_utf16(data: bytes) -> bool:
    sample = data[:4096]
    even, odd = sample[0::2], sample[1::2]
    return bool(sample) and (even.count(0) > len(even) // 3 or odd.count(0) > len(odd) // 3)


def nesting_depth(text: str, *, toml: bool = False) -> tuple[int, int]:
    """The deepest bracket nesting outside strings (and TOML comments), and its line.

    Linear in the text; used before parsing so a deep file is refused without recursion.

    Examples
    --------
    >>> nesting_depth('{"a": [[1]], "b": "[[["}')
    (3, 1)
    """
    depth = best = 0
    best_line = line = 1
    quote: str | None = None
    escape = False
    comment = False
    for ch in text:
        if ch == "\n":
            line += 1
            comment = False
            if quote is not None and toml:  # TOML basic strings end at the line
                quote = None
            continue
        if comment:
            continue
        if quote is not None:
            if escape:
                escape = False
            elif ch == "\\" and quote == '"':
                escape = True
            elif ch == quote:
                quote = None
            continue
        if ch == '"' or (toml and ch == "'"):
            quote = ch
        elif toml and ch == "#":
            comment = True
        elif ch in "[{":
            depth += 1
            if depth > best:
                best, best_line = depth, line
        elif ch in "]}":
            depth = max(0, depth - 1)
    return best, best_line


def _check_depth(text: str, file: str, toml: bool) -> None:
    depth, line = nesting_depth(text, toml=toml)
    if depth > MAX_DEPTH:
        raise ParseError(
            file,
            f"te diep genest ({depth} niveaus lijsten/objecten; hoogstens {MAX_DEPTH}); "
            "het bestand is mogelijk beschadigd",
            line,
            kind="depth",
        )


def _no_constant(name: str) -> Any:
    raise ValueError(name)


def loads_json(data: bytes | str, file: str) -> Any:
    """Parse JSON with a size and depth limit; ``NaN``/``Infinity`` refused.

    Raises
    ------
    ParseError
        With the line for invalid JSON.
    """
    text = decode_user_text(data, file) if isinstance(data, bytes) else data.lstrip("\ufeff")
    if len(text) > MAX_TEXT_BYTES:
        raise ParseError(file, f"bestand is te groot (hoogstens {MAX_TEXT_BYTES // 1024} kB)")
    _check_depth(text, file, toml=False)
    try:
        return json.loads(text, parse_constant=_no_constant)
    except json.JSONDecodeError as exc:
        raise ParseError(
            file,
            f"geen geldige JSON: {exc.msg} (kolom {exc.colno}); controleer komma's, "
            "aanhalingstekens en haakjes rond die regel",
            exc.lineno,
        ) from None
    except ValueError as exc:  # NaN, Infinity, -Infinity
        raise ParseError(
            file,
            f"getal {exc} is niet toegestaan in JSON; gebruik een gewoon getal of null",
            kind="number",
        ) from None
    except RecursionError:  # pragma: no cover - the depth check comes first
        raise ParseError(file, "te diep genest") from None


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"getal {text} is niet toegestaan; gebruik een eindig getal")
    return value


def loads_toml(data: bytes | str, file: str) -> dict[str, Any]:
    """Parse TOML with a size and depth limit; ``nan``/``inf`` refused; BOM accepted.

    Raises
    ------
    ParseError
        With the line for invalid TOML.
    """
    try:
        import tomllib
    except ModuleNotFoundError:  # pragma: no cover - Python 3.10
        import tomli as tomllib

    text = decode_user_text(data, file) if isinstance(data, bytes) else data.lstrip("\ufeff")
    if len(text) > MAX_TEXT_BYTES:
        raise ParseError(file, f"bestand is te groot (hoogstens {MAX_TEXT_BYTES // 1024} kB)")
    _check_depth(text, file, toml=True)
    try:
        return tomllib.loads(text, parse_float=_finite_float)
    except tomllib.TOMLDecodeError as exc:
        msg = str(exc)
        line = None
        if "(at line " in msg:
            try:
                line = int(msg.split("(at line ", 1)[1].split(",", 1)[0])
            except ValueError:
                line = None
        raise ParseError(file, f"geen geldige TOML: {msg}", line) from None
    except ValueError as exc:
        import re

        found = re.search(r"(?m)^[^#\n]*=\s*[+-]?(nan|inf)\b", text)
        line = text.count("\n", 0, found.start()) + 1 if found else None
        raise ParseError(file, str(exc), line, kind="number") from None
    except RecursionError:  # pragma: no cover - the depth check comes first
        raise ParseError(file, "te diep genest") from None


# ---------------------------------------------------------------------------- zips
#: A zip (xlsx, zipped Shapefile) may unpack to at most this many times its own size ...
MAX_ZIP_RATIO = 100
#: ... and never to more than this many bytes in all.
MAX_UNZIPPED = 2 * 1024**3
#: Most members a zip may have (a Shapefile has 3 to 8 files; a workbook a few dozen).
MAX_ZIP_MEMBERS = 1000
#: A Shapefile's geometry (``.shp``) and index (``.shx``) are coordinates and offsets that
#: compress about 2 times; beyond this ratio (plus 1 MiB) a member is padding, not data.
MAX_SHAPE_RATIO = 16
#: Features a zipped Shapefile may hold: this many, plus one per this many bytes of the zip.
#: Reading costs about 1 kB of memory per feature, so memory stays proportional to the size.
BASE_FEATURES, BYTES_PER_FEATURE = 200_000, 32


def zip_refusal(path: Any) -> str | None:
    """Why a zip must not be unpacked, in Dutch, or ``None`` when it may be read.

    Reads only the zip's directory (the member names and sizes), so the check itself costs
    no memory; what the reader then unpacks stays proportional to the file's own size:

    * at most :data:`MAX_ZIP_MEMBERS` members,
    * in all at most :data:`MAX_ZIP_RATIO` times the zip's size (plus 10 MiB) and never
      more than :data:`MAX_UNZIPPED`, and no member beyond that either,
    * a ``.shp`` or ``.shx`` at most :data:`MAX_SHAPE_RATIO` times its packed size (+1 MiB),
    * the Shapefiles' features (counted from the ``.shx`` sizes, 8 bytes each) at most
      :data:`BASE_FEATURES` plus one per :data:`BYTES_PER_FEATURE` bytes of the zip.

    A file that is no zip at all gives ``None``: the reader names it as unreadable.

    Examples
    --------
    >>> import os, zipfile, tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "a.zip"
    >>> with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
    ...     zf.writestr("a.shp", bytes(5_000_000))        # 5 MB of zeros: 5 kB packed
    ...     zf.writestr("toelichting.bin", os.urandom(1_000_000))  # keeps the total below 100x
    >>> zip_refusal(path)[:58]
    'a.shp pakt uit tot 4 MB, meer dan 16 keer zijn ingepakte g'
    """
    import zipfile
    from pathlib import Path

    path = Path(path)
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return None
    size = max(path.stat().st_size, 1)
    mb = 1024**2
    if len(infos) > MAX_ZIP_MEMBERS:
        return (
            f"het zip-bestand heeft {len(infos)} onderdelen (hoogstens {MAX_ZIP_MEMBERS}); "
            "het wordt niet gelezen"
        )
    total = sum(max(0, info.file_size) for info in infos)
    if total > MAX_UNZIPPED or total > MAX_ZIP_RATIO * size + 10 * mb:
        return (
            f"ingepakt bestand van {size // 1024} kB pakt uit tot {total // mb} MB "
            f"(hoogstens {MAX_ZIP_RATIO} keer de eigen grootte); het wordt niet gelezen"
        )
    features = 0
    for info in infos:
        suffix = info.filename.lower().rsplit(".", 1)[-1]
        if suffix in ("shp", "shx") and (
            info.file_size > MAX_SHAPE_RATIO * max(info.compress_size, 1) + mb
        ):
            return (
                f"{info.filename} pakt uit tot {info.file_size // mb} MB, meer dan "
                f"{MAX_SHAPE_RATIO} keer zijn ingepakte grootte ({info.compress_size // 1024} "
                "kB): echte coördinaten pakken zo niet in; het wordt niet gelezen"
            )
        if suffix == "shx":
            features += max(0, info.file_size - 100) // 8
    allowed = BASE_FEATURES + size // BYTES_PER_FEATURE
    if features > allowed:
        n, most = (f"{v:,}".replace(",", ".") for v in (features, allowed))
        return (
            f"de shapefile(s) hebben {n} objecten, meer dan een bestand van {size // 1024} kB "
            f"aannemelijk maakt (hoogstens {most}); het wordt niet gelezen"
        )
    return None

