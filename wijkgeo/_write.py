"""One way to write every output: atomically, exclusively, with a Dutch error on failure.

Every file or folder wijkgeo writes for a user (a map's HTML, a PNG, a profile folder, an
export, a koppelkansen file, the store's side files) goes through :func:`write_output`
(or :func:`write_text_output`):

1. the target is checked first: its folder exists (a missing folder is refused, not
   made: a typing error in a path should not scatter folders; a regular file in the way is
   named), it is writable, and the target is not a folder (or, for a folder output, not a
   file). A folder output itself (the profile pages) is made when its parent exists. Only
   wijkgeo's own default locations (``maps/`` in the working folder, ``maps/profielen/``)
   are made, by :func:`default_target`;
2. a lock per target (in the cache folder, keyed by the resolved path) keeps two wijkgeo
   processes from writing the same target at once; the second waits, then writes;
3. the writer writes into a fresh private temporary folder *next to* the target (created
   with ``mkdtemp``, mode 0700, so nobody can plant a symbolic link at the name the writer
   uses); the result is fsynced and renamed over the target with :func:`os.replace` (the
   commit point). A symbolic link at the target name is replaced, its target never
   written. Until the commit point the previous file is untouched; on any failure the
   temporary folder is removed;
4. a folder output (the profile pages) replaces the previous folder whole, so pages of
   earlier data never mix with new ones; a folder that wijkgeo did not write (it has other
   files and no marker) is refused rather than replaced;
5. every :class:`OSError` becomes an :class:`~wijkgeo.OutputError` (exit code 3) naming
   the path in Dutch.

Examples
--------
>>> import tempfile, pathlib
>>> target = pathlib.Path(tempfile.mkdtemp()) / "kaart.html"
>>> write_text_output(target, "<p>hoi</p>").read_text()
'<p>hoi</p>'
>>> write_output(target.parent, lambda tmp: tmp.write_text("x"))  # doctest: +ELLIPSIS
Traceback (most recent call last):
...
wijkgeo._errors.OutputError: kan uitvoer ... is een map. Geef een bestandsnaam op met --uitvoer.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import logging
import os
import shutil
import stat
import tempfile
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from ._errors import OutputError

__all__ = [
    "DIR_MARKER",
    "TMP_PREFIX",
    "check_target",
    "commit",
    "default_target",
    "fsync_dir",
    "fsync_file",
    "open_log_file",
    "os_reason",
    "output_error",
    "write_output",
    "write_text_atomic",
    "write_text_output",
]

log = logging.getLogger(__name__)

#: Prefix of temporary files and folders beside a target (cleaned up on the next write).
TMP_PREFIX = ".tmp-"
#: Marker file in a folder wijkgeo wrote (a profile folder); such a folder may be replaced.
DIR_MARKER = ".wijkgeo-uitvoer"
#: wijkgeo's own default output folder (relative to the working folder): made when missing.
DEFAULT_FOLDER = "maps"
#: Seconds to wait for another wijkgeo process writing the same target.
LOCK_TIMEOUT = 120.0


# ---------------------------------------------------------------------------- errors
_REASONS = {
    errno.EACCES: "geen schrijfrechten",
    errno.EPERM: "geen toestemming",
    errno.EROFS: "het bestandssysteem is alleen-lezen",
    errno.ENOSPC: "de schijf is vol",
    errno.EDQUOT: "de schijfquotum is op",
    errno.ENOTDIR: "een deel van het pad is een bestand, geen map",
    errno.EISDIR: "het doel is een map",
    errno.ENOENT: "de map bestaat niet (meer)",
    errno.ENAMETOOLONG: "de naam is te lang",
    errno.EBUSY: "het bestand is in gebruik",
    errno.ETXTBSY: "het bestand is in gebruik",
    errno.EXDEV: "tijdelijk bestand en doel liggen op verschillende schijven",
}


def os_reason(exc: BaseException) -> str:
    """A short Dutch reason for an OS error (``"de schijf is vol"``).

    Examples
    --------
    >>> os_reason(PermissionError(13, "Permission denied"))
    'geen schrijfrechten'
    """
    code = getattr(exc, "errno", None)
    reason = _REASONS.get(code) if code is not None else None
    return reason or getattr(exc, "strerror", None) or type(exc).__name__


def output_error(path: str | Path, exc: BaseException, what: str = "uitvoer") -> OutputError:
    """An :class:`OutputError` in Dutch for an OS error while writing ``path``.

    Examples
    --------
    >>> str(output_error("kaart.html", OSError(28, "No space left on device")))[:55]
    'kan uitvoer kaart.html niet schrijven: de schijf is vol'
    """
    reason = os_reason(exc)
    return OutputError(
        f"kan {what} {path} niet schrijven: {reason}. De vorige versie (als die er was) is "
        "bewaard."
    )


# ---------------------------------------------------------------------------- fsync
def fsync_file(path: Path) -> None:
    """Flush a written file to disk."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def fsync_dir(path: Path) -> None:
    """Flush a folder's entries (a rename) to disk; a no-op where folders can't be synced."""
    if os.name != "posix":  # pragma: no cover - directories can't be fsynced on Windows
        return
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_tree(path: Path) -> None:
    if path.is_dir():
        for child in path.rglob("*"):
            if child.is_file() and not child.is_symlink():
                fsync_file(child)
        fsync_dir(path)
    elif path.is_file():
        fsync_file(path)


def commit(tmp: Path, target: Path) -> None:
    """The commit point: the finished file replaces the current one (:func:`os.replace`)."""
    os.replace(tmp, target)


def write_text_atomic(path: Path, text: str) -> None:
    """Write a small text file atomically (temp file beside it, fsync, rename).

    The temporary name is random and created exclusively (``O_EXCL``, ``O_NOFOLLOW``), so a
    link planted beside it is never followed. OS errors propagate (the store turns them into
    a :class:`~wijkgeo.StoreError`).
    """
    path = Path(path)
    tmp = path.with_name(f"{TMP_PREFIX}{uuid.uuid4().hex}-{path.name}")
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
    try:
        fd = os.open(tmp, flags, 0o644)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
    fsync_dir(path.parent)


# ---------------------------------------------------------------------------- checks
def check_target(
    target: str | Path,
    *,
    folder_output: bool = False,
    what: str = "uitvoer",
    option: str = "--uitvoer",
) -> Path:
    """Check the folder of ``target`` before anything is written; return ``target`` as Path.

    Raises
    ------
    OutputError
        When a regular file stands where a folder is needed, the folder does not exist or is
        not writable, or the target is a folder (a file for ``folder_output``).

    Examples
    --------
    >>> check_target("/bestaat/niet/kaart.html")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    wijkgeo._errors.OutputError: kan uitvoer /bestaat/niet/kaart.html niet schrijven: de map ...
    """
    target = Path(target)
    if not target.name or target.name in (".", ".."):
        raise OutputError(f"{what} {target}: geef een bestandsnaam op, geen map.")
    parent = target.parent
    # a regular file somewhere up the path: name it
    for up in [parent, *parent.parents]:
        if up.exists() or up.is_symlink():
            if not up.is_dir():
                raise OutputError(
                    f"kan {what} {target} niet schrijven: {up} is een bestand, geen map. Kies "
                    f"een andere plek met {option}."
                )
            break
    if parent == Path(DEFAULT_FOLDER) and not (parent.exists() or parent.is_symlink()):
        default_target(target, what)  # wijkgeo's own default place, relative to the cwd
    if not parent.is_dir():
        raise OutputError(
            f"kan {what} {target} niet schrijven: de map {parent} bestaat niet. Maak die map "
            f"eerst aan (bijvoorbeeld `mkdir -p {parent}`) of kies een bestaande map met "
            f"{option}."
        )
    if not os.access(parent, os.W_OK | os.X_OK):
        raise OutputError(
            f"kan {what} {target} niet schrijven: geen schrijfrechten in de map {parent}. Kies "
            f"een andere plek met {option}."
        )
    try:
        st = os.lstat(target)
    except FileNotFoundError:
        return target
    except OSError as exc:
        raise output_error(target, exc, what) from None
    if folder_output:
        if not stat.S_ISDIR(st.st_mode) and not stat.S_ISLNK(st.st_mode):
            raise OutputError(
                f"kan {what} {target} niet schrijven: er staat een bestand met die naam, geen "
                f"map. Kies een andere map met {option}."
            )
    elif stat.S_ISDIR(st.st_mode):
        raise OutputError(
            f"kan {what} {target} niet schrijven: {target} is een map. Geef een bestandsnaam "
            f"op met {option}."
        )
    elif not (stat.S_ISREG(st.st_mode) or stat.S_ISLNK(st.st_mode)):
        # a device, FIFO or socket would be replaced by a regular file (as root: /dev/full)
        raise OutputError(
            f"kan {what} {target} niet schrijven: {target} is geen gewoon bestand maar een "
            f"{_special_kind(st.st_mode)}; dat wordt niet vervangen. Geef een bestandsnaam op "
            f"met {option}."
        )
    return target


def _special_kind(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "FIFO (named pipe)"
    if stat.S_ISSOCK(mode):
        return "socket"
    return "apparaat"



def default_target(target: str | Path, what: str = "uitvoer") -> Path:
    """``target`` in one of wijkgeo's own default locations, its folder made when missing.

    For outputs whose place the user did not choose (``maps/GM0599_2024.html``,
    ``maps/profielen/GM0599_2024/``): wijkgeo made up that folder, so it makes it too. A
    path the user gives goes through :func:`check_target`, which never makes folders.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> root = pathlib.Path(tempfile.mkdtemp())
    >>> default_target(root / "maps" / "profielen" / "GM9999_2024").parent.is_dir()
    True
    """
    target = Path(target)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise output_error(target, exc, what) from None
    return target


def _own_folder(folder: Path, allowed: Callable[[str], bool] | None) -> bool:
    """Whether an existing folder may be replaced: empty, marked as ours, or only our files."""
    try:
        names = os.listdir(folder)
    except OSError:
        return False
    if not names or DIR_MARKER in names:
        return True
    return allowed is not None and all(allowed(n) for n in names)


# ---------------------------------------------------------------------------- lock
class _TargetLock:
    """An exclusive lock file that is removed on release, so none pile up (POSIX ``flock``).

    Removing a lock file is only safe in this order: the holder unlinks the file *while it
    still holds the lock*, then unlocks. A process that opened the old file meanwhile gets
    the lock on an unlinked file; it sees that the file at the path is no longer the one it
    locked (another inode, or none) and starts over, so two holders at once can't happen.
    """

    def __init__(self, path: Path, timeout: float):
        self.path = path
        self.timeout = timeout
        self._fd: int | None = None

    def acquire(self) -> None:
        import fcntl
        import time

        from filelock import Timeout

        deadline = time.monotonic() + self.timeout
        flags = os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
        while True:
            fd = os.open(self.path, flags, 0o600)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                os.close(fd)
                if self.timeout >= 0 and time.monotonic() >= deadline:
                    raise Timeout(str(self.path)) from None
                time.sleep(0.05)
                continue
            except BaseException:
                os.close(fd)
                raise
            try:
                held, now = os.fstat(fd), os.stat(self.path, follow_symlinks=False)
                same = (held.st_dev, held.st_ino) == (now.st_dev, now.st_ino)
            except FileNotFoundError:
                same = False
            if same:
                self._fd = fd
                return
            os.close(fd)  # released and removed by its holder meanwhile: try the new file

    def release(self) -> None:
        import fcntl

        fd, self._fd = self._fd, None
        if fd is None:
            return
        try:
            with contextlib.suppress(OSError):
                os.unlink(self.path)  # still locked: nobody can hold the file we remove
            fcntl.flock(fd, fcntl.LOCK_UN)
        finally:
            os.close(fd)


def _sweep_locks(folder: Path, limit: int = 64) -> None:
    """Remove lock files nobody holds (left by older wijkgeo versions, or by a killed
    process), each the safe way: taken, re-checked, unlinked while held."""
    try:
        names = [n for n in os.listdir(folder) if n.endswith(".lock")][:limit]
    except OSError:
        return
    for name in names:
        lock = _TargetLock(folder / name, timeout=0)
        try:
            lock.acquire()
        except Exception:  # held by a writer right now (or gone): leave it
            continue
        lock.release()


def _lock_for(target: Path, timeout: float) -> Any:
    """An inter-process lock per resolved target, kept in the cache folder."""
    from filelock import FileLock

    from . import settings

    key = hashlib.sha256(str(target.resolve()).encode("utf-8", "surrogatepass")).hexdigest()
    try:
        folder = settings.cache_path() / "locks"
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{key[:32]}.lock"
        if os.name == "posix":
            _sweep_locks(folder)
    except Exception:  # no cache folder: lock beside the target instead
        path = target.parent / f".{target.name}.lock"
    if os.name == "posix":
        return _TargetLock(path, timeout)
    return FileLock(str(path), timeout=timeout)  # pragma: no cover - Windows keeps its file


@contextlib.contextmanager
def _locked(target: Path, timeout: float, what: str) -> Iterator[None]:
    from filelock import Timeout

    lock = _lock_for(target, timeout)
    try:
        lock.acquire()
    except Timeout:
        raise OutputError(
            f"{what} {target} wordt al geschreven door een ander wijkgeo-proces; na "
            f"{timeout:g} s gestopt. Probeer het zo opnieuw."
        ) from None
    except OSError as exc:
        log.debug("geen schrijfslot voor %s: %s", target, exc)
        yield
        return
    try:
        yield
    finally:
        lock.release()


# ---------------------------------------------------------------------------- write
def write_output(
    target: str | Path,
    writer: Callable[[Path], Any],
    *,
    folder_output: bool = False,
    what: str = "uitvoer",
    replaces: Callable[[Path], str | None] | None = None,
    own_files: Callable[[str], bool] | None = None,
    lock_timeout: float = LOCK_TIMEOUT,
) -> Path:
    """Write one output atomically and exclusively; the previous version survives any failure.

    Parameters
    ----------
    target : str or Path
        The file (or, with ``folder_output``, the folder) to write.
    writer : callable
        ``writer(tmp_path)`` writes the whole output at ``tmp_path`` (a path that does not
        exist yet, in a private temporary folder beside the target; for a folder output an
        empty folder). It may write more files next to it only inside that folder.
    folder_output : bool
        The output is a folder, replaced whole.
    what : str
        Dutch word for the output in messages (``"kaart"``, ``"export"``).
    replaces : callable, optional
        ``replaces(existing_target)`` returns a Dutch reason when an existing target must
        not be replaced (say a GeoPackage that wijkgeo did not write), else ``None``.
    own_files : callable, optional
        For a folder output without marker: whether a file name in the existing folder is
        one wijkgeo writes (then the folder may be replaced).
    lock_timeout : float
        Seconds to wait for another process writing the same target.

    Returns
    -------
    Path
        ``target``.

    Raises
    ------
    OutputError
        For a bad target or any OS error while writing (exit code 3 on the command line).
    """
    import math

    target = check_target(target, folder_output=folder_output, what=what)
    if not math.isfinite(lock_timeout):
        lock_timeout = LOCK_TIMEOUT
    with _locked(target, lock_timeout, what):
        if replaces is not None and (target.exists() and not target.is_symlink()):
            reason = replaces(target)
            if reason:
                raise OutputError(f"{what} {target} wordt niet overschreven: {reason}")
        own = _own_folder(target, own_files) if folder_output and target.is_dir() else True
        if not own and not target.is_symlink():
            raise OutputError(
                f"{what} {target}: de map bestaat al en bevat bestanden die wijkgeo niet "
                "schreef; die map wordt niet vervangen. Kies een lege of nieuwe map met "
                "--uitvoer."
            )
        try:
            box = Path(tempfile.mkdtemp(prefix=f"{TMP_PREFIX}{target.name[:40]}-",
                                        dir=target.parent))
        except OSError as exc:
            raise output_error(target, exc, what) from None
        tmp = box / target.name
        try:
            if folder_output:
                tmp.mkdir()
            try:
                writer(tmp)
            except OSError as exc:
                raise output_error(target, exc, what) from None
            if folder_output:
                (tmp / DIR_MARKER).write_text(
                    "Deze map is geschreven door wijkgeo en wordt bij een volgende run in "
                    "zijn geheel vervangen.\n",
                    encoding="utf-8",
                )
            if not (tmp.exists() or tmp.is_symlink()):
                raise OutputError(f"{what} {target}: er is niets geschreven (interne fout).")
            try:
                _fsync_tree(tmp)
                if folder_output:
                    _swap_folder(tmp, target, box)
                else:
                    commit(tmp, target)
                fsync_dir(target.parent)
            except OSError as exc:
                raise output_error(target, exc, what) from None
        finally:
            shutil.rmtree(box, ignore_errors=True)
    log.debug("uitvoer geschreven: %s", target)
    return target


def _swap_folder(tmp: Path, target: Path, box: Path) -> None:
    """Replace folder ``target`` by ``tmp`` (the old one moved into ``box`` and dropped)."""
    if target.is_symlink() or target.is_file():
        target.unlink()
    elif target.exists():
        os.replace(target, box / "vorige")
    os.replace(tmp, target)


def write_text_output(
    target: str | Path, text: str, *, what: str = "uitvoer", encoding: str = "utf-8",
    newline: str | None = None,
) -> Path:
    """Write a text output through :func:`write_output`.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "b.txt"
    >>> write_text_output(p, "hoi").read_text()
    'hoi'
    """

    def write(tmp: Path) -> None:
        with open(tmp, "x", encoding=encoding, newline=newline) as fh:
            fh.write(text)

    return write_output(target, write, what=what)


def open_log_file(path: str | Path) -> logging.FileHandler:
    """A :class:`logging.FileHandler` appending to ``path``, with the target checks first.

    Raises
    ------
    OutputError
        For a missing or read-only folder, a folder at ``path``, or any OS error.
    """
    target = check_target(path, what="logbestand", option="--logbestand")
    try:
        return logging.FileHandler(target, encoding="utf-8")
    except OSError as exc:
        raise output_error(target, exc, "logbestand") from None
