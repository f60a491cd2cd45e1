"""Buurt- en wijkprofielen: a plain-language page per buurt and wijk to print and discuss.

:func:`build` writes ``index.html`` (every wijk and buurt, searchable) and one
self-contained HTML page per area into a folder (default
``maps/profielen/<gemeente>_<jaar>/``). Each page, in Dutch: a short summary generated from
the numbers; strengths beside attention points (directional indicators clearly off the
gemeente average, with gemeente and NL values and caveats); the theme tables with a dot per
indicator showing where the area sits among the gemeente's areas; the spread within the area
(500 m cells of a buurt, buurten of a wijk); koppelkansen with explanation and robustness;
the active initiatives, voorzieningen and projects in and near it; the change since the
previous year where the boundary held; a small static map; questions for residents; sources.

Layer "uitvoer": reads indicators, koppelkansen, joins, changes and the store; writes
files. Escaping: see :mod:`wijkgeo.profile.render` (every data string passes through
:func:`wijkgeo.maps.escape.esc`). Pages load nothing from the network (a
Content-Security-Policy meta tag forbids it).

Examples
--------
>>> import wijkgeo
>>> from wijkgeo.profile import build
>>> result = build(wijkgeo.make_demo(), uitvoer="/tmp/profielen")   # doctest: +SKIP
>>> result.index                                                     # doctest: +SKIP
PosixPath('/tmp/profielen/index.html')
"""

from __future__ import annotations

import difflib
import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .. import text
from .._errors import ConfigError, NotInStoreError
from .._write import write_output
from ..indicators import format_number
from ..maps.csp import harden_page
from .content import ProfileData, _t
from .render import render_index, render_page

if TYPE_CHECKING:  # pragma: no cover
    from ..atlas import Atlas

__all__ = ["ProfileData", "ProfileResult", "build", "default_folder", "write_pdfs"]

log = logging.getLogger(__name__)


@dataclass
class ProfileResult:
    """What :func:`build` wrote: the index, the page per code, PDFs (when asked)."""

    folder: Path
    index: Path
    pages: dict[str, Path] = field(default_factory=dict)
    pdfs: dict[str, Path] = field(default_factory=dict)
    previous_year: bool = False


def default_folder(atlas: Atlas, root: str | Path = "maps") -> Path:
    """``maps/profielen/<gemeente>_<jaar>`` for this Atlas.

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> default_folder(SimpleNamespace(code="GM9999", year=2024)).as_posix()
    'maps/profielen/GM9999_2024'
    """
    return Path(root) / "profielen" / f"{atlas.code}_{atlas.year}"


def _own_file(name: str) -> bool:
    """Whether a file name is one a profile folder of wijkgeo holds (older runs)."""
    return re.fullmatch(r"(index|(?:BU|WK|GM)[0-9A-Za-z_]+)\.(html|pdf)", name) is not None


def _file_name(code: str) -> str:
    return re.sub(r"[^A-Za-z0-9_-]", "_", code) + ".html"


def _previous(atlas: Atlas, previous: Any, store: Any) -> Atlas | None:
    if previous is False:
        return None
    if previous is not None:
        return previous
    from ..store import load

    try:
        return load(atlas.code, atlas.year - 1, store)
    except NotInStoreError:
        log.info(
            "geen %s %s in de store: geen vergelijking met vorig jaar", atlas.code, atlas.year - 1
        )
        return None


def _closest(code: str, known: dict[str, str], n: int = 3) -> list[str]:
    """Known codes closest to ``code``: longest shared prefix first (a typo in the last digits
    stays in its wijk), then by name similarity."""

    def shared(k: str) -> int:
        return next(
            (i for i, (a, b) in enumerate(zip(k, code, strict=False)) if a != b),
            min(len(k), len(code)),
        )

    ranked = sorted(known, key=lambda k: (-shared(k), k))
    prefix = [k for k in ranked[:n] if shared(k) > 4]
    by_name = {v.lower(): k for k, v in known.items()}
    names = [by_name[m] for m in difflib.get_close_matches(code.lower(), list(by_name), n=n)]
    return list(dict.fromkeys(prefix + names))[:n]


def check_codes(atlas: Atlas, codes: Iterable[str]) -> list[str]:
    """Normalise buurt/wijk codes and refuse unknown ones, naming the closest known codes.

    Raises
    ------
    ConfigError
        For a code that is not a wijk or buurt of this Atlas.

    Examples
    --------
    >>> import wijkgeo
    >>> check_codes(wijkgeo.make_demo(), ["bu99990201"])        # doctest: +SKIP
    ['BU99990201']
    """
    known = {}
    for level in ("wijk", "buurt"):
        frame = atlas.wijken if level == "wijk" else atlas.buurten
        known.update(
            zip(frame[f"{level}code"].astype(str), frame[f"{level}naam"].astype(str), strict=True)
        )
    out = []
    for raw in codes:
        code = str(raw).strip().upper()
        if code not in known:
            hint = ", ".join(f"{c} ({known[c]})" for c in _closest(code, known))
            raise ConfigError(
                f"Onbekende buurt- of wijkcode {raw!r} in {atlas.name} {atlas.year}."
                + (f" Bedoelde u {hint}?" if hint else " Zie index.html voor alle codes.")
            )
        out.append(code)
    return out


def build(
    atlas: Atlas,
    codes: Iterable[str] | None = None,
    *,
    uitvoer: str | Path | None = None,
    previous: Atlas | bool | None = None,
    store: str | Path | None = None,
    koppelkansen: Any = None,
    pdf: bool = False,
) -> ProfileResult:
    """Write the profile pages and their index for one Atlas.

    Parameters
    ----------
    atlas : Atlas
        The gemeente and year.
    codes : iterable of str, optional
        Only these buurten/wijken (``BU…``/``WK…``); the index still lists every area, and
        links only to pages that exist. Default: every wijk and buurt.
    uitvoer : str or Path, optional
        Folder; default :func:`default_folder` (``maps/profielen/<code>_<jaar>/``).
    previous : Atlas, False or None
        The previous year for "veranderd sinds"; None: ``wijkgeo.load(code, jaar - 1,
        store)`` when the store has it; False: no comparison.
    store : str or Path, optional
        Store to read the previous year from.
    koppelkansen : KoppelkansResult, optional
        Precomputed :func:`wijkgeo.koppelkansen.evaluate` output; default evaluated here.
    pdf : bool
        Also print every page to PDF with headless Chromium (see :func:`write_pdfs`).

    Returns
    -------
    ProfileResult

    Raises
    ------
    ConfigError
        An unknown code (the message names the closest codes), or ``pdf=True`` without a
        PDF engine.

    Examples
    --------
    >>> import wijkgeo, tempfile
    >>> from wijkgeo.profile import build
    >>> res = build(wijkgeo.make_demo(), ["BU99990200"],
    ...             uitvoer=tempfile.mkdtemp(), previous=False)   # doctest: +SKIP
    >>> sorted(res.pages)                                          # doctest: +SKIP
    ['BU99990200']
    """
    chosen = check_codes(atlas, codes) if codes is not None else None
    prev = _previous(atlas, previous, store)
    data = ProfileData(atlas, prev, koppelkansen)
    all_codes = data.codes()
    wanted = chosen if chosen is not None else all_codes["wijk"] + all_codes["buurt"]
    folder = Path(uitvoer) if uitvoer is not None else default_folder(atlas)
    result = ProfileResult(
        folder=folder, index=folder / "index.html", previous_year=prev is not None
    )

    def write(tmp: Path) -> None:  # the folder is replaced whole: no pages of earlier data
        for code in wanted:
            page = harden_page(render_page(data.page(code)))
            (tmp / _file_name(code)).write_text(page, encoding="utf-8")
            result.pages[code] = folder / _file_name(code)
        index = harden_page(_index(data, set(result.pages), tmp))
        (tmp / "index.html").write_text(index, encoding="utf-8")

    write_output(folder, write, folder_output=True, what="profielmap", own_files=_own_file)
    if pdf:
        result.pdfs = write_pdfs(list(result.pages.values()))
    log.info("%d profielen geschreven in %s", len(result.pages), folder)
    return result


def _index(data: ProfileData, written: set[str], folder: Path) -> str:
    def info(level: str, code: str) -> str:
        small = data.too_small(level, code)
        if small:
            return small
        frame = data.frames[level]
        pop = frame.loc[frame[f"{level}code"].astype(str) == code, "aantal_inwoners"]
        n = float(pop.iloc[0]) if len(pop) else float("nan")
        return text.MISSING if n != n else f"{format_number(n, 0)} inwoners"

    def entry(level: str, code: str) -> dict[str, Any]:
        name = data.names[level][code]
        exists = code in written or (folder / _file_name(code)).exists()
        return {
            "name": name,
            "code": code,
            "href": _file_name(code) if exists else None,
            "info": info(level, code),
            "search": f"{name} {code}".lower(),
        }

    wijken = []
    for w in data.codes()["wijk"]:
        e = entry("wijk", w)
        e["buurten"] = [entry("buurt", b) for b, wk in data.wijk_of.items() if wk == w]
        wijken.append(e)
    return render_index(_t("titel.index", gemeente=data.gemeente, jaar=data.atlas.year), wijken)


def write_pdfs(pages: list[Path]) -> dict[str, Path]:
    """Print HTML pages to PDF (A4, the print stylesheet) with headless Chromium.

    Needs Playwright (``pip install playwright``) and a Chromium (``/usr/bin/chromium`` or
    Playwright's own). The PDF lies beside its HTML page.

    Raises
    ------
    ConfigError
        When no PDF engine is available (Dutch message saying what to install).

    Examples
    --------
    >>> write_pdfs([Path("maps/profielen/GM9999_2024/BU99990200.html")])   # doctest: +SKIP
    """
    from .pdf import print_pdfs

    return print_pdfs(pages)
