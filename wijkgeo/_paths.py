"""Safe input paths: every file a description, a rules file or an option names.

One place decides whether wijkgeo may read a file:

* a file named *in* a description (``lagen.json``, a rules file) must lie inside the folder
  that description is in, after resolving ``..`` and symbolic links; absolute paths and
  links pointing out are refused;
* it must be a regular file: a folder, FIFO, socket or device is refused, and the check
  uses :func:`os.stat` plus an ``O_NONBLOCK`` open, so a read never blocks on a FIFO;
* it is read with a size limit.

A refusal is a :class:`UnsafePathError` (a :class:`~wijkgeo.ConfigError`) whose message
names the path and never quotes the file's contents. Callers that collect problems in a
report (``wijkgeo check``) use :attr:`UnsafePathError.reason` and :attr:`UnsafePathError.hint`.

Examples
--------
>>> import tempfile, pathlib
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> _ = (folder / "a.csv").write_text("id\\n1\\n")
>>> resolve_inside(folder, "a.csv").name
'a.csv'
>>> resolve_inside(folder, "../elders.csv")
Traceback (most recent call last):
...
wijkgeo._paths.UnsafePathError: ...
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from ._errors import ConfigError

__all__ = [
    "MAX_INPUT_BYTES",
    "UnsafePathError",
    "check_regular",
    "read_bytes_limited",
    "resolve_inside",
    "safe_input",
]

#: Largest input file wijkgeo reads whole (bytes): 512 MB. Layer files and rules are far
#: smaller; a national Wijk- en Buurtkaart is about 300 MB and is read through GDAL.
MAX_INPUT_BYTES = 512 * 1024 * 1024


class UnsafePathError(ConfigError):
    """A named file may not be read: outside its folder, not a regular file, too large.

    Attributes
    ----------
    path : str
        The path as named (never its contents).
    reason : str
        Dutch: what is wrong (``"ligt buiten de map ..."``).
    hint : str
        Dutch: what to do.
    category : str
        ``outside_folder``, ``not_regular``, ``missing_file``, ``too_large`` or ``unreadable``.
    """

    def __init__(self, path: str | Path, reason: str, hint: str, category: str):
        self.path = str(path)
        self.reason = reason
        self.hint = hint
        self.category = category
        super().__init__(f"{path}: {reason}; {hint}")


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "een map"
    if stat.S_ISFIFO(mode):
        return "een FIFO (named pipe)"
    if stat.S_ISSOCK(mode):
        return "een socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "een apparaat"
    return "geen gewoon bestand"


def resolve_inside(folder: str | Path, name: str | Path, *, what: str = "bestand") -> Path:
    """Resolve ``name`` relative to ``folder``; refuse anything that ends up outside it.

    Parameters
    ----------
    folder : str or Path
        The folder of the description that names the file.
    name : str or Path
        The name as written (relative to ``folder``).
    what : str
        Dutch word for the file in messages (``"bestand"``, ``"postcodetabel"``).

    Returns
    -------
    Path
        The resolved path (symbolic links followed), inside ``folder``.

    Raises
    ------
    UnsafePathError
        For an absolute name, or one that (through ``..`` or a link) leaves the folder.
    """
    text = str(name)
    shown = Path(folder) / text
    if "\x00" in text:
        raise UnsafePathError(
            repr(text), f"{what}snaam bevat een NUL-teken", "geef een gewone bestandsnaam op.",
            "outside_folder",
        )
    if Path(text).is_absolute() or Path(text).drive:
        raise UnsafePathError(
            shown,
            f"{what} is een absoluut pad; alleen bestanden in de map zelf worden gelezen",
            f"zet het bestand in {folder} en noem het met een naam relatief aan die map.",
            "outside_folder",
        )
    base = Path(folder).resolve()
    try:
        full = (base / text).resolve()
    except (OSError, RuntimeError) as exc:  # a symlink loop
        raise UnsafePathError(
            shown, f"{what} is niet op te lossen ({type(exc).__name__})",
            "verwijder de kringverwijzing van symbolische links.", "unreadable",
        ) from None
    if full != base and base not in full.parents:
        raise UnsafePathError(
            shown,
            f"{what} ligt buiten de map {folder} (via '..' of een symbolische link)",
            f"zet het bestand in {folder} zelf; bestanden daarbuiten worden niet gelezen.",
            "outside_folder",
        )
    return full


def check_regular(path: str | Path, *, shown: str | Path | None = None,
                  limit: int = MAX_INPUT_BYTES) -> os.stat_result:
    """Check that ``path`` is an existing regular file no larger than ``limit`` bytes.

    Raises
    ------
    UnsafePathError
        ``missing_file``, ``not_regular`` or ``too_large``.
    """
    label = shown if shown is not None else path
    try:
        st = os.stat(path)
    except FileNotFoundError:
        raise UnsafePathError(
            label, "bestand ontbreekt", "zet het in de map of pas de naam aan.", "missing_file"
        ) from None
    except OSError as exc:
        raise UnsafePathError(
            label, f"bestand kan niet worden geopend ({exc.strerror or type(exc).__name__})",
            "mist u leesrechten?", "unreadable",
        ) from None
    if not stat.S_ISREG(st.st_mode):
        raise UnsafePathError(
            label, f"is {_kind(st.st_mode)}, geen gewoon bestand",
            "geef de naam van een gewoon bestand op.", "not_regular",
        )
    if st.st_size > limit:
        raise UnsafePathError(
            label,
            f"bestand is te groot ({st.st_size // (1024 * 1024)} MB; hoogstens "
            f"{limit // (1024 * 1024)} MB)",
            "splits het bestand of lever alleen de gegevens van deze gemeente.", "too_large",
        )
    return st


def read_bytes_limited(path: str | Path, *, limit: int = MAX_INPUT_BYTES,
                       shown: str | Path | None = None) -> bytes:
    """Read a regular file whole, never blocking on a FIFO and never past ``limit`` bytes.

    The file is opened with ``O_NONBLOCK`` (and ``O_NOCTTY``) and checked with
    :func:`os.fstat` before anything is read, so a FIFO swapped in after :func:`check_regular`
    is still refused.

    Raises
    ------
    UnsafePathError
        When the file is missing, not a regular file, too large or unreadable.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "x.txt"
    >>> _ = p.write_bytes(b"abc")
    >>> read_bytes_limited(p)
    b'abc'
    """
    label = shown if shown is not None else path
    check_regular(path, shown=label, limit=limit)
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        raise UnsafePathError(
            label, f"bestand kan niet worden geopend ({exc.strerror or type(exc).__name__})",
            "mist u leesrechten, of is het geopend in een ander programma?", "unreadable",
        ) from None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise UnsafePathError(
                label, f"is {_kind(st.st_mode)}, geen gewoon bestand",
                "geef de naam van een gewoon bestand op.", "not_regular",
            )
        chunks: list[bytes] = []
        total = 0
        while True:
            chunk = os.read(fd, 1 << 20)
            if not chunk:
                break
            total += len(chunk)
            if total > limit:
                raise UnsafePathError(
                    label, f"bestand is te groot (meer dan {limit // (1024 * 1024)} MB)",
                    "splits het bestand of lever alleen de gegevens van deze gemeente.",
                    "too_large",
                )
            chunks.append(chunk)
        return b"".join(chunks)
    except OSError as exc:
        raise UnsafePathError(
            label, f"bestand is niet te lezen ({exc.strerror or type(exc).__name__})",
            "is het bestand tijdens het lezen veranderd of verwijderd?", "unreadable",
        ) from None
    finally:
        os.close(fd)


def safe_input(folder: str | Path | None, name: str | Path, *, what: str = "bestand",
               limit: int = MAX_INPUT_BYTES) -> Path:
    """Resolve and check one named input file; the path to hand to a reader (GDAL, openpyxl).

    Parameters
    ----------
    folder : str or Path or None
        The folder of the description naming the file; ``None`` for a file named on the
        command line (then only the regular-file and size checks apply).
    name : str or Path
        The name as written.

    Returns
    -------
    Path
        The resolved path.

    Raises
    ------
    UnsafePathError
    """
    if folder is None:
        path = Path(name)
        shown: Path = path
    else:
        shown = Path(folder) / str(name)
        path = resolve_inside(folder, name, what=what)
    check_regular(path, shown=shown, limit=limit)
    return path
