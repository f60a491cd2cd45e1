"""``wijkgeo check``: validate a folder of local layers, or a folder of such folders.

:func:`check_path` finds every folder with a ``lagen.json`` under ``path`` (the folder
itself, or its direct subfolders, like ``data_sources/``), runs each *checker* on it and
returns one :class:`~wijkgeo._report.ValidationReport`. A checker is a function
``checker(folder, report, atlas)``; :data:`DEFAULT_CHECKERS` holds the ``lagen.json``
checker. Other inputs that live beside ``lagen.json`` (``koppelkansen.toml``) add their
checker to the list the CLI passes, one line each. An unexpected exception inside a checker
becomes a problem in the report (category ``internal_error``), never a traceback.

Examples
--------
>>> report = check_path("data_sources")
>>> report.ok, any(p.endswith("projecten.geojson") for p in report.checked)
(True, True)
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..._report import WARNING, ValidationReport
from . import check_local_layers
from .spec import CONFIG_NAME, load_spec

if TYPE_CHECKING:  # pragma: no cover
    from ...atlas import Atlas

__all__ = ["DEFAULT_CHECKERS", "Checker", "check_lagen", "check_path", "find_folders"]

log = logging.getLogger(__name__)

#: ``checker(folder, report, atlas)``: adds the problems of one input in ``folder``.
Checker = Callable[[Path, ValidationReport, "Atlas | None"], None]
#: ``atlas_for(gemeente, year)``: the Atlas to check against, or None when not available.
AtlasFor = Callable[[str, "int | None"], "Atlas | None"]


def check_lagen(folder: Path, report: ValidationReport, atlas: Atlas | None) -> None:
    """Checker for ``lagen.json`` and every layer it names."""
    check_local_layers(folder, atlas=atlas, report=report)


#: The checkers ``wijkgeo check`` runs per folder (the CLI may extend the list).
DEFAULT_CHECKERS: list[Checker] = [check_lagen]


def find_folders(path: str | Path) -> list[Path]:
    """``path`` itself when it holds ``lagen.json``, else its subfolders that do (sorted)."""
    import os

    base = Path(path)
    # lexists: a lagen.json that is a link out of the folder or a FIFO is found here and
    # refused (by name) when it is read
    if os.path.lexists(base / CONFIG_NAME):
        return [base]
    if not base.is_dir():
        return []
    return sorted(
        p for p in base.iterdir() if p.is_dir() and os.path.lexists(p / CONFIG_NAME)
    )


def check_path(
    path: str | Path = "data_sources",
    *,
    checkers: Sequence[Checker] | None = None,
    atlas_for: AtlasFor | None = None,
    atlas: Atlas | None = None,
) -> ValidationReport:
    """Check every local-layer folder under ``path`` and return one report.

    Parameters
    ----------
    path : str or Path, default "data_sources"
        A folder with ``lagen.json``, or a folder of such folders.
    checkers : sequence of callables, optional
        Run on each folder; default :data:`DEFAULT_CHECKERS`.
    atlas_for : callable, optional
        ``atlas_for(gemeente, year)`` returns the Atlas of the gemeente ``lagen.json`` names
        (``"gemeente"``, ``"jaar"``), or None; without it (or without those keys) only the
        bounds of the Netherlands and the code format are checked, which the report says.
    atlas : Atlas, optional
        Check every folder against this Atlas (overrides ``atlas_for``).

    Returns
    -------
    ValidationReport
    """
    report = ValidationReport()
    base = Path(path)
    folders = find_folders(base)
    if not folders:
        what = "bestaat niet" if not base.exists() else f"bevat geen {CONFIG_NAME}"
        report.add(
            base,
            None,
            None,
            f"map {what} (ook niet in een submap)",
            hint="geef een map met lagen.json op, of een map met zulke mappen "
            "(standaard data_sources/).",
            category="missing_file",
        )
        return report
    for folder in folders:
        target = atlas
        if target is None:
            target = _atlas_of(folder, atlas_for, report)
        for checker in checkers if checkers is not None else DEFAULT_CHECKERS:
            try:
                checker(folder, report, target)
            except Exception as exc:  # a bug must not become a traceback for the user
                log.debug(
                    "checker %s op %s", getattr(checker, "__name__", checker), folder, exc_info=True
                )
                report.add(
                    folder,
                    None,
                    None,
                    f"interne fout bij het controleren ({type(exc).__name__}: {exc})",
                    hint="meld dit bij de beheerders van wijkgeo, met het bestand erbij.",
                    category="internal_error",
                )
    return report


def _atlas_of(folder: Path, atlas_for: AtlasFor | None, report: ValidationReport) -> Any:
    quiet = ValidationReport()  # lagen.json problems are reported by the checker itself
    spec = load_spec(folder, quiet)
    if spec is None or spec.gemeente is None:
        if spec is not None:
            report.add(
                spec.path,
                None,
                "gemeente",
                "lagen.json noemt geen gemeente: ligging en codes zijn alleen getoetst aan "
                "Nederland en het codeformaat",
                hint='zet "gemeente": "GM0599" en "jaar": 2024 in lagen.json.',
                severity=WARNING,
                category="no_gemeente",
            )
        return None
    found = None
    if atlas_for is not None:
        try:
            found = atlas_for(spec.gemeente, spec.year)
        except Exception as exc:
            log.debug("atlas %s %s niet te laden: %s", spec.gemeente, spec.year, exc)
    if found is None:
        year = spec.year or "JAAR"
        report.add(
            spec.path,
            None,
            "gemeente",
            f"gemeente {spec.gemeente} ({year}) staat niet in de store: ligging en codes zijn "
            "alleen getoetst aan Nederland en het codeformaat",
            hint=f"haal hem op met 'wijkgeo refresh {spec.gemeente} --jaar {year}' of "
            "'wijkgeo import WijkBuurtkaart.gpkg --gemeente ... --jaar ...'.",
            severity=WARNING,
            category="no_gemeente",
        )
    return found
