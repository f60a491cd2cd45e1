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
import warnings
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .. import text
from .._errors import ConfigError, NotInStoreError
from .._write import write_output
from ..facts.model import build_facts
from ..indicators import format_number, list_indicators
from ..maps.csp import harden_page
from ..series import AtlasSeries
from .content import ProfileData, _t, teksten
from .peers import PeerContext, load_peer_context, peer_context
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
    compared_with: int | None = None


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


def _series(atlas: Atlas | AtlasSeries, previous: Any, store: Any) -> AtlasSeries:
    """The years a profile shows: a series as given; one Atlas with the latest earlier year
    the store holds (``previous=None``, automatic), none (``False``) or the one given
    (deprecated ``previous=``)."""
    if isinstance(atlas, AtlasSeries):
        return atlas
    if previous is False:
        return AtlasSeries([atlas])
    if previous is not None:
        return AtlasSeries([previous, atlas])
    from ..store import Store

    target = Store(store)
    earlier = [y for y in target.years(atlas.code) if y < atlas.year]
    if not earlier:
        log.info("geen eerder jaar van %s in de store: geen vergelijking", atlas.code)
        return AtlasSeries([atlas])
    try:
        return AtlasSeries([target.read_atlas(atlas.code, earlier[-1]), atlas])
    except NotInStoreError:  # pragma: no cover - removed meanwhile
        return AtlasSeries([atlas])


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
    atlas: Atlas | AtlasSeries,
    codes: Iterable[str] | None = None,
    *,
    path: str | Path | None = None,
    store: str | Path | None = None,
    peildatum: Any = None,
    **kwargs: Any,
) -> ProfileResult:
    """Write the profile pages and their index for one Atlas.

    Parameters
    ----------
    atlas : Atlas or AtlasSeries
        The gemeente and year shown; a series (:meth:`wijkgeo.Store.read_series`) shows its
        latest year and compares with the year before it, labelled with that real year. One
        Atlas: the latest earlier year ``store`` holds is compared with (automatic).
    codes : iterable of str, optional
        Only these buurten/wijken (``BU…``/``WK…``); the index still lists every area, and
        links only to pages that exist. Default: every wijk and buurt.
    path : str or Path, optional
        Folder; default :func:`default_folder` (``maps/profielen/<code>_<jaar>/``).
    store : str or Path, optional
        Store to read the earlier year from (for one Atlas).
    peildatum : date or str, optional
        Reference date of "wat er al is" and the koppelkansen (default the Atlas's, else
        today).
    **kwargs
        ``koppelkansen`` (a precomputed ``KoppelkansResult``; ``False``: none), ``pdf``
        (also print every page to PDF, see :func:`write_pdfs`), ``peers`` ("Buurten zoals
        deze": a :class:`~wijkgeo.profile.peers.PeerContext` or a national reference frame;
        default the store's reference of the year, or the latest earlier one, said on the
        page; ``False``: no such section). Deprecated: ``uitvoer``
        (use ``path``), ``previous`` (pass an :class:`~wijkgeo.series.AtlasSeries`;
        ``previous=False`` still means no comparison).

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
    ...             path=tempfile.mkdtemp())                      # doctest: +SKIP
    >>> sorted(res.pages)                                          # doctest: +SKIP
    ['BU99990200']
    """
    options = _options(kwargs)
    path = options.pop("uitvoer", None) if path is None else path
    series = _series(atlas, options.pop("previous", None), store)
    atlas = series.latest
    chosen = check_codes(atlas, codes) if codes is not None else None
    facts = build_facts(
        series,
        [i.key for i in list_indicators()],
        koppelkansen=options.get("koppelkansen"),
        peildatum=peildatum,
        change_keys=list(teksten()["verandering_indicatoren"]),
    )
    data = ProfileData(facts)
    data.peers = _peers(atlas, options.get("peers"), store)  # the section "vergelijkbaar"
    from ..series.timeseries import years_on_today

    # every stored year on today's boundaries: "Hoe ontwikkelt de buurt zich"
    data.tijdreeks = years_on_today(store, atlas.code, atlas.year)
    all_codes = data.codes()
    wanted = chosen if chosen is not None else all_codes["wijk"] + all_codes["buurt"]
    if path is not None:  # the folder itself is made (replaced whole); its parent must exist
        folder = Path(path)
    else:  # wijkgeo's own default place (maps/profielen/): made when missing
        from .._write import default_target

        folder = default_target(default_folder(atlas), "profielmap")
    result = ProfileResult(
        folder=folder,
        index=folder / "index.html",
        previous_year=facts.previous_year is not None,
        compared_with=facts.previous_year,
    )

    def write(tmp: Path) -> None:  # the folder is replaced whole: no pages of earlier data
        for code in wanted:
            page = harden_page(render_page(data.page(code)))
            (tmp / _file_name(code)).write_text(page, encoding="utf-8")
            result.pages[code] = folder / _file_name(code)
        index = harden_page(_index(data, set(result.pages), tmp))
        (tmp / "index.html").write_text(index, encoding="utf-8")

    write_output(folder, write, folder_output=True, what="profielmap", own_files=_own_file)
    if options.get("pdf"):
        result.pdfs = write_pdfs(list(result.pages.values()))
    log.info("%d profielen geschreven in %s", len(result.pages), folder)
    return result


def _peers(atlas: Atlas, peers: Any, store: Any) -> PeerContext | None:
    import pandas as pd

    if peers is False:
        return None
    if isinstance(peers, PeerContext):
        return peers
    if isinstance(peers, pd.DataFrame):
        return peer_context(atlas, peers)
    return load_peer_context(atlas, store)


_OPTIONS = ("koppelkansen", "pdf", "peers")
_DEPRECATED = {"uitvoer": "path", "previous": "een AtlasSeries (Store.read_series)"}


def _options(kwargs: dict[str, Any]) -> dict[str, Any]:
    """The keyword options of :func:`build`; old names warn (DeprecationWarning)."""
    out = {}
    for key, value in kwargs.items():
        if key in _DEPRECATED:
            warnings.warn(
                f"profile.build({key}=...) is verouderd; gebruik {_DEPRECATED[key]}.",
                DeprecationWarning,
                stacklevel=3,
            )
        elif key not in _OPTIONS:
            raise TypeError(f"build() got an unexpected keyword argument {key!r}")
        out[key] = value
    return out


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
