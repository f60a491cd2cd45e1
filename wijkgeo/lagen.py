"""A gemeente's own layers in the store: ``wijkgeo lagen MAP`` and ``--lagen MAP``.

:func:`store_local_layers` validates a folder with a ``lagen.json`` exactly as
``wijkgeo check`` does (:func:`wijkgeo.sources.local.check.check_path` with the same
checkers) against the gemeente in the store, and on success writes the layers into that
gemeente's GeoPackage (:meth:`wijkgeo.store.Store.write_atlas`, atomic: the previous layers
stay intact when anything fails). ``lagen.json`` and a ``koppelkansen.toml`` are kept beside
the GeoPackage (``<store>/GMxxxx/<jaar>/lagen/``), so the gemeente's own koppelkansen rules
come along. ``map``, ``profile``, ``koppelkansen`` and ``export`` then read the stored layers
without options; :func:`load_atlas` with ``lagen=MAP`` uses a folder for one run only.

Examples
--------
>>> from wijkgeo.lagen import store_local_layers
>>> store_local_layers("data_sources/rotterdam", store="/tmp/s")        # doctest: +SKIP
LagenResult(gemeente='GM0599', year=2024, layers={'voorzieningen': 412, ...})
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ._errors import ConfigError, DataValidationError
from .codes import normalize_code
from .store import LAGEN_DIR, Store

if TYPE_CHECKING:  # pragma: no cover
    from ._report import ValidationReport
    from .atlas import Atlas

__all__ = ["LAGEN_DIR", "LagenResult", "load_atlas", "store_local_layers", "with_local_layers"]

log = logging.getLogger(__name__)

#: Configuration files that come along with the layers.
_CONFIG_FILES = ("lagen.json", "koppelkansen.toml")


@dataclass
class LagenResult:
    """What ``wijkgeo lagen`` stored: per layer its row count."""

    gemeente: str
    year: int
    layers: dict[str, int] = field(default_factory=dict)
    rules: bool = False
    warnings: int = 0

    def message(self) -> str:
        """One Dutch line for the operator.

        Examples
        --------
        >>> LagenResult("GM0599", 2024, {"voorzieningen": 1, "projecten": 12}).message()
        'GM0599 2024: 2 lokale lagen opgeslagen (projecten 12 rijen, voorzieningen 1 rij)'
        """
        parts = [
            f"{name} {n} {'rij' if n == 1 else 'rijen'}" for name, n in sorted(self.layers.items())
        ]
        n = len(self.layers)
        text = (
            f"{self.gemeente} {self.year}: {n} lokale {'laag' if n == 1 else 'lagen'} "
            f"opgeslagen ({', '.join(parts)})"
        )
        if self.rules:
            text += "; eigen koppelkansen.toml meegenomen"
        if self.warnings:
            text += f"; {self.warnings} waarschuwing(en), zie `wijkgeo check`"
        return text


def _checkers() -> list:
    from .koppelkansen.validate import check_folder
    from .sources.local.check import check_lagen

    return [check_lagen, check_folder]


def _spec_of(folder: Path) -> Any:
    from ._report import ValidationReport
    from .sources.local.spec import load_spec

    report = ValidationReport()
    spec = load_spec(folder, report)
    if spec is None:
        report.raise_if_errors()
        raise DataValidationError(
            f"{folder}: geen lagen.json gevonden; geef een map met lagen.json."
        )
    return spec


def _target(folder: Path, gemeente: str | None, year: int | None) -> tuple[str, int]:
    spec = _spec_of(folder)
    code = gemeente or spec.gemeente
    if not code:
        raise ConfigError(
            f'{folder / "lagen.json"} noemt geen gemeente; zet "gemeente": "GM0599" in '
            "lagen.json of geef --gemeente."
        )
    when = year if year is not None else spec.year
    if when is None:
        raise ConfigError(
            f'{folder / "lagen.json"} noemt geen jaar; zet "jaar": 2024 in lagen.json of '
            "geef --jaar."
        )
    return normalize_code(code, "gemeente"), int(when)


def validate_folder(folder: str | Path, atlas: Atlas) -> ValidationReport:
    """The report ``wijkgeo check`` gives for ``folder``, checked against ``atlas``."""
    from .sources.local.check import check_path

    return check_path(folder, checkers=_checkers(), atlas=atlas)


def _read(folder: Path, atlas: Atlas) -> tuple[dict[str, Any], ValidationReport]:
    """Read the layers once while running the checkers of ``wijkgeo check`` on the folder.

    ``check_lagen`` is :func:`~wijkgeo.sources.local.check_local_layers` (the same call with
    the same report); the other checkers (``koppelkansen.toml``) add to that report. Only a
    report without errors lets the layers through, so they are exactly what a strict read
    gives.
    """
    from ._report import ValidationReport
    from .sources.local import check_local_layers
    from .sources.local.check import check_lagen

    report = ValidationReport()
    layers, _ = check_local_layers(folder, atlas=atlas, report=report)
    for checker in _checkers():
        if checker is not check_lagen:
            checker(folder, report, atlas)
    report.raise_if_errors()
    return dict(layers), report


def _file_info(folder: Path) -> dict[str, dict[str, Any]]:
    """Per layer: the file it came from and that file's sha256."""
    from ._paths import UnsafePathError, safe_input
    from ._report import ValidationReport
    from .sources.local.spec import load_spec
    from .sources.wijkbuurtkaart import file_sha256

    spec = load_spec(folder, ValidationReport())
    out: dict[str, dict[str, Any]] = {}
    for layer in spec.layers if spec is not None else []:
        path = folder / str(getattr(layer, "file", "") or "")
        info: dict[str, Any] = {"bestand": path.name}
        # only a file inside the folder (checked before; never one outside it)
        with contextlib.suppress(UnsafePathError):
            info["sha256"] = file_sha256(safe_input(folder, str(getattr(layer, "file", ""))))
        out[layer.name] = info
    return out


def with_local_layers(atlas: Atlas, folder: str | Path) -> Atlas:
    """The Atlas with the layers of ``folder`` (validated as ``wijkgeo check``) for one run.

    Nothing is stored. The folder's ``koppelkansen.toml`` is found through
    ``atlas.meta["lokale_lagen"]``.

    Raises
    ------
    DataValidationError
        When ``wijkgeo check`` would report an error; the message lists them.
    """
    src = Path(folder)
    layers, _report = _read(src, atlas)
    atlas.local = layers
    atlas.meta["lokale_lagen"] = str(src.resolve())
    return atlas


def load_atlas(
    gemeente: str, year: int, *, store: str | Path | None = None, lagen: str | Path | None = None
) -> Atlas:
    """Read a gemeente from the store; with ``lagen`` its layers come from that folder.

    Examples
    --------
    >>> from wijkgeo.lagen import load_atlas
    >>> load_atlas("GM0599", 2024, lagen="data_sources/rotterdam")     # doctest: +SKIP
    """
    atlas = Store(store).read_atlas(normalize_code(gemeente, "gemeente"), year)
    if lagen is not None:
        atlas = with_local_layers(atlas, lagen)
    return atlas


def _copy_config(src: Path, folder: Path) -> Path:
    """Copy lagen.json (and koppelkansen.toml) into a new temporary folder beside ``folder``."""
    tmp = folder / f".nieuw-{uuid.uuid4().hex}-{LAGEN_DIR}"  # not .tmp-: write_atlas clears those
    from ._parse import MAX_TEXT_BYTES
    from ._paths import read_bytes_limited, resolve_inside

    tmp.mkdir(parents=True)
    try:
        for name in _CONFIG_FILES:
            if os.path.lexists(src / name):  # inside the folder, a regular file, not too large
                data = read_bytes_limited(resolve_inside(src, name), limit=MAX_TEXT_BYTES)
                (tmp / name).write_bytes(data)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return tmp


def _swap_config(tmp: Path, folder: Path) -> None:
    target = folder / LAGEN_DIR
    old = folder / f".oud-{uuid.uuid4().hex}-{LAGEN_DIR}"
    if target.exists():
        os.replace(target, old)
    os.replace(tmp, target)
    with contextlib.suppress(OSError):
        shutil.rmtree(old)


def store_local_layers(
    folder: str | Path,
    gemeente: str | None = None,
    year: int | None = None,
    *,
    store: str | Path | Store | None = None,
    lock_timeout: float = 60,
) -> LagenResult:
    """Validate a folder of local layers and store them with its gemeente and year.

    Parameters
    ----------
    folder : str or Path
        Folder with ``lagen.json`` (and the files it names, optionally ``koppelkansen.toml``).
    gemeente, year : optional
        Default: ``"gemeente"`` and ``"jaar"`` in ``lagen.json``.
    store : str, Path or Store, optional
        The store; the gemeente and year must already be in it (``wijkgeo import`` or
        ``wijkgeo refresh``).
    lock_timeout : float
        Seconds to wait for another process holding the store.

    Returns
    -------
    LagenResult

    Raises
    ------
    DataValidationError
        When ``wijkgeo check`` finds an error (``exc.report`` holds every problem); nothing
        is written.
    NotInStoreError
        When the gemeente and year are not in the store.

    Examples
    --------
    >>> store_local_layers("data_sources/demo", store="/tmp/s").layers   # doctest: +SKIP
    {'voorzieningen': 24, ...}
    """
    src = Path(folder)
    target = store if isinstance(store, Store) else Store(store)
    code, when = _target(src, gemeente, year)
    atlas = target.read_atlas(code, when)
    layers, report = _read(src, atlas)
    files = _file_info(src)
    now = datetime.now(timezone.utc).isoformat(timespec="seconds")
    info = {
        name: {
            **files.get(name, {}),
            "rijen": len(frame) if hasattr(frame, "__len__") else None,
            "opgeslagen_op": now,
        }
        for name, frame in layers.items()
    }
    # the RIVM health tables are no layer of the gemeente's folder: they stay
    health = {k: v for k, v in atlas.local.items() if k in ("gezondheid", "gezondheid_bron")}
    atlas.local = {**health, **layers}
    atlas.meta.pop("lokale_lagen", None)  # set on reading from where the store keeps the files
    atlas.meta["lokale_lagen_info"] = {"map": str(src.resolve()), "lagen": info}
    dest = target.folder(code, when)
    with target.lock(timeout=lock_timeout):
        tmp = _copy_config(src, dest)
        try:
            extra = {**target.carried(code, when), "lokale_lagen": info}  # sources stay
            target.write_atlas(atlas, manifest_extra=extra, lock_timeout=0)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        _swap_config(tmp, dest)
    log.info("%s %s: lokale lagen opgeslagen uit %s", code, when, src)
    return LagenResult(
        code,
        when,
        {k: int(v["rijen"] or 0) for k, v in info.items()},
        rules=(src / "koppelkansen.toml").is_file(),
        warnings=len(report.warnings),
    )
