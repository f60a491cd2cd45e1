"""Scheduled refresh: keep the store current, cheaply and safely.

For every gemeente :func:`refresh` first asks for **metadata only**:

* the CBS table's ``TableInfos`` (one small request per table and run): its ``Modified`` date;
* a ``HEAD`` of the PDOK items pages of the gemeente (gemeenten, wijken, buurten): the
  ``ETag``/``Last-Modified`` validators, where the server gives them;
* a ``HEAD`` of the vierkantstatistieken downloads, where the catalog knows them.

Only when one of those differs from what the manifest recorded (or nothing is stored yet)
does it download the data (:func:`wijkgeo.sources.fetch`) and write it atomically
(:meth:`wijkgeo.store.Store.write_atlas`). A refresh with nothing new makes no data
requests. A source without validators cannot signal a change on its own; it is then
re-fetched together with the CBS table (or with ``force=True``).

Safety
------
* The whole run holds the store lock: two refreshes of one store never interleave.
* Any failure for a gemeente keeps its last good version byte for byte; the run goes on
  with the next gemeente and the result says ``failed``. That includes the
  vierkantstatistieken: they are fetched with ``on_grid_error="raise"``, so a broken grid
  download is a source failure, never a version stored without grids.
* Before overwriting, the new data is compared with the stored version: a layer that had
  rows and now has none, or columns that disappeared, refuse the write (a broken or changed
  source must not silently damage the store); ``force=True`` accepts it.
"""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from . import _http, settings
from ._errors import (
    ConfigError,
    DataValidationError,
    NotInStoreError,
    StoreError,
    WijkgeoError,
)
from .codes import normalize_code
from .conventions import AREA_LEVELS
from .sources.cbs import table_info
from .sources.pdok import items_params
from .store import Store, layer_sha256

__all__ = [
    "RefreshResult",
    "exit_code",
    "import_wijkbuurtkaart",
    "refresh",
    "refresh_kaart",
    "refresh_nederland",
]

log = logging.getLogger(__name__)

#: An imported Wijk- en Buurtkaart is national (and stored as the year's reference) when it
#: has buurten for at least this share of the gemeenten in its gemeenten layer.
NATIONAL_SHARE = 0.9

#: Result statuses (``RefreshResult.status``).
CREATED, UPDATED, UNCHANGED, WOULD_UPDATE, FAILED = (
    "created",
    "updated",
    "unchanged",
    "would_update",
    "failed",
)


@dataclass
class RefreshResult:
    """What a refresh did for one gemeente and year.

    Attributes
    ----------
    gemeente, year : str, int
        What was refreshed.
    status : str
        ``"created"`` (first time), ``"updated"``, ``"unchanged"``, ``"would_update"``
        (dry run) or ``"failed"`` (the last good version, if any, was kept).
    reason : str
        Dutch explanation, e.g. ``"tabel 85984NED gewijzigd 2025-03-27"``.
    changed : list of str
        The sources that changed: ``cbs``, ``pdok_wijk``, ``vierkant_500``, ...
    wijken, buurten : int or None
        Row counts of the stored version after the run.
    error : str or None
        The one-line error message when ``status == "failed"``.
    """

    gemeente: str
    year: int
    status: str
    reason: str = ""
    changed: list[str] = field(default_factory=list)
    wijken: int | None = None
    buurten: int | None = None
    error: str | None = None

    @property
    def ok(self) -> bool:
        """True unless the refresh of this gemeente failed."""
        return self.status != FAILED

    def message(self) -> str:
        """The one Dutch log line for this gemeente.

        Examples
        --------
        >>> RefreshResult("GM0772", 2024, "updated", "tabel 85984NED gewijzigd 2025-03-27",
        ...               wijken=20, buurten=116).message()
        'GM0772 2024: bijgewerkt (tabel 85984NED gewijzigd 2025-03-27), 20 wijken, 116 buurten'
        """
        word = {
            CREATED: "nieuw opgehaald",
            UPDATED: "bijgewerkt",
            UNCHANGED: "ongewijzigd",
            WOULD_UPDATE: "zou worden bijgewerkt (proefdraai)",
            FAILED: "MISLUKT",
        }[self.status]
        text = f"{self.gemeente} {self.year}: {word}"
        if self.reason:
            text += f" ({self.reason})"
        if self.status in (CREATED, UPDATED) and self.wijken is not None:
            text += f", {_count(self.wijken, 'wijk', 'wijken')}"
            text += f", {_count(self.buurten, 'buurt', 'buurten')}"
        if self.error:
            text += f": {self.error}"
        return text

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (with the Dutch ``message``)."""
        out = asdict(self)
        out["message"] = self.message()
        return out


def exit_code(results: Iterable[RefreshResult]) -> int:
    """``1`` when any gemeente failed (its last good version was kept), else ``0``.

    Examples
    --------
    >>> exit_code([RefreshResult("GM0772", 2024, "unchanged")])
    0
    """
    return 1 if any(not r.ok for r in results) else 0


# ---------------------------------------------------------------------------- metadata
@dataclass
class _Options:
    dry_run: bool
    force: bool
    cbs_url: str | None
    pdok_url: str | None
    vierkant_url: str | None
    vierkanten: bool
    fetcher: Callable[..., Any]
    seen: dict[str, Any] = field(default_factory=dict)  # metadata answers shared in one run
    gezondheid: bool = False
    derden_url: str | None = None


def _watched(
    gemeente: str, year: int, cbs: dict[str, Any], opts: _Options
) -> dict[str, dict[str, Any]]:
    """Current fingerprints of every source of one gemeente (metadata requests only)."""
    from .sources import catalog

    out: dict[str, dict[str, Any]] = {"cbs": dict(cbs)}
    for level in AREA_LEVELS:
        url = catalog.pdok_collection_url(year, level, pdok_url=opts.pdok_url)
        out[f"pdok_{level}"] = {
            "url": url,
            "validators": _http.head_validators(url, items_params(gemeente)),
        }
    resolutions = catalog.catalog().get("vierkant", {}).get("resolutions", [])
    for res in resolutions if opts.vierkanten else []:
        try:
            url = catalog.vierkant_url(year, res, download_url=opts.vierkant_url)
        except ConfigError:
            continue
        # one national download for every gemeente: ask once per run
        if url not in opts.seen:
            opts.seen[url] = _http.head_validators(url)
        out[f"vierkant_{res}"] = {"url": url, "validators": opts.seen[url]}
    if opts.gezondheid:
        from .sources.rivm_refresh import watch

        found = watch(opts.seen, opts.derden_url)
        if found:
            out["rivm"] = found
    return out


def _changes(stored: dict[str, Any] | None, current: dict[str, dict[str, Any]]) -> list[str]:
    """Names of the sources whose fingerprint differs from the stored one."""
    if stored is None:
        return list(current)
    before = stored.get("sources") or {}
    changed = []
    cbs_then = before.get("cbs") or {}
    if (cbs_then.get("table"), cbs_then.get("modified")) != (
        current["cbs"]["table"],
        current["cbs"]["modified"],
    ):
        changed.append("cbs")
    for name, now in current.items():
        if name == "cbs":
            continue
        then = (before.get(name) or {}).get("validators")
        if now.get("validators") and then != now["validators"]:
            changed.append(name)
    return changed


def date_part(stamp: str | None) -> str:
    """The date part of an ISO time stamp (``"?"`` when unknown)."""
    return str(stamp or "?")[:10]


def _reason(changed: list[str], cbs: dict[str, Any], stored: dict[str, Any] | None) -> str:
    table, day = cbs["table"], date_part(cbs["modified"])
    if stored is None:
        return f"tabel {table} van {day}"
    if not changed:
        return f"tabel {table} van {day}"
    parts = []
    if "cbs" in changed:
        then = (stored.get("sources") or {}).get("cbs") or {}
        if then.get("table") and then.get("table") != table:
            parts.append(f"tabel {then['table']} vervangen door {table} van {day}")
        else:
            parts.append(f"tabel {table} gewijzigd {day}")
    pdok = [c.removeprefix("pdok_") for c in changed if c.startswith("pdok_")]
    if pdok:
        parts.append("PDOK-grenzen gewijzigd (" + ", ".join(pdok) + ")")
    if "rivm" in changed:
        parts.append("RIVM-gezondheidstabel gewijzigd")
    grids = [c.removeprefix("vierkant_") + " m" for c in changed if c.startswith("vierkant_")]
    if grids:
        parts.append("vierkantstatistieken gewijzigd (" + ", ".join(grids) + ")")
    if changed == ["force"]:
        parts.append(f"geforceerd, tabel {table} van {day}")
    return "; ".join(parts)


# ---------------------------------------------------------------------------- guards
def _stored_layers(atlas: Any) -> dict[str, Any]:
    """The layers of ``atlas`` under the names the store's manifest uses."""
    layers = dict(atlas.layers())
    if atlas.nederland is not None:
        layers["nederland"] = atlas.nederland
    return layers


def _check_against_stored(atlas: Any, stored: dict[str, Any]) -> None:
    """Refuse data that lost rows or columns compared with the stored version."""
    problems = []
    new_layers = _stored_layers(atlas)
    for name, entry in (stored.get("layers") or {}).items():
        if name.startswith("lokaal_"):
            continue
        frame = new_layers.get(name)
        if entry.get("rows", 0) > 0 and (frame is None or len(frame) == 0):
            problems.append(f"laag {name} had {entry['rows']} rijen en is nu leeg")
            continue
        if frame is None:
            continue
        old_cols = [c["name"] for c in entry.get("columns", [])]
        lost = [c for c in old_cols if c not in frame.columns]
        if lost:
            shown = ", ".join(lost[:5]) + (f" en {len(lost) - 5} meer" if len(lost) > 5 else "")
            problems.append(f"laag {name} mist kolommen {shown}")
    if problems:
        raise DataValidationError(
            "De bron levert andere gegevens dan de opgeslagen versie: "
            + "; ".join(problems)
            + ". Niet overschreven; controleer de bron of forceer met --forceer."
        )


def _same_content(atlas: Any, stored: dict[str, Any]) -> bool:
    layers = _stored_layers(atlas)
    old = {k: v for k, v in (stored.get("layers") or {}).items() if not k.startswith("lokaal_")}
    if set(old) != set(layers):
        return False
    return all(layer_sha256(layers[k]) == v.get("sha256") for k, v in old.items())


def _one_line(exc: BaseException) -> str:
    return re.sub(r"\s+", " ", str(exc)).strip()


# ---------------------------------------------------------------------------- refresh
def refresh(
    gemeenten: str | Sequence[str],
    year: int,
    *,
    store: str | Path | Store | None = None,
    dry_run: bool = False,
    cbs_url: str | None = None,
    pdok_url: str | None = None,
    vierkant_url: str | None = None,
    vierkanten: bool = True,
    force: bool = False,
    lock_timeout: float = 300,
    progress: bool | None = None,
    fetcher: Callable[..., Any] | None = None,
    nederland: bool = False,
    gezondheid: bool = False,
    derden_url: str | None = None,
) -> list[RefreshResult]:
    """Bring the store up to date for some gemeenten and one year.

    Parameters
    ----------
    gemeenten : str or sequence of str
        Gemeente codes (``"GM0772"``, ``"0772"``, ``772``).
    year : int
        Statistics year (see :func:`wijkgeo.sources.catalog.years`).
    store : str, Path or Store, optional
        Store folder; default ``$WIJKGEO_STORE`` or the user data folder.
    dry_run : bool
        Only ask for metadata and report what would be downloaded; write nothing.
    cbs_url, pdok_url, vierkant_url : str, optional
        Host roots of the sources (default ``$WIJKGEO_CBS_URL``, ``$WIJKGEO_PDOK_URL``,
        ``$WIJKGEO_CBS_DOWNLOAD_URL`` or the real services).
    vierkanten : bool
        Also watch and fetch the vierkantstatistieken (500 m and 100 m); ``False`` skips
        them (faster; the national grid downloads are large).
    force : bool
        Download even when nothing changed, and accept lost rows or columns.
    lock_timeout : float
        Seconds to wait for another refresh of the same store; then :class:`StoreError`.
    progress : bool, optional
        Show a tqdm progress bar; default only when stderr is a terminal.
    fetcher : callable, optional
        ``fetcher(gemeente, year, cbs_url=, pdok_url=, vierkanten=, vierkant_url=,
        on_grid_error="raise") -> Atlas``; default :func:`wijkgeo.sources.fetch`. A failing
        vierkant download fails the gemeente (last good version kept), it never stores
        empty grids.
    nederland : bool
        Also bring the national reference of ``year`` up to date (every buurt and wijk of
        the country, one paged request set, stored once per year; see
        :func:`refresh_nederland`). Its result comes last, as gemeente ``NL00``.
    gezondheid : bool
        Also store the newest edition of the RIVM health monitor with the gemeente
        (:mod:`wijkgeo.sources.rivm_refresh`); a failing health source is a warning, the
        last stored health figures stay.
    derden_url : str, optional
        Host root of CBS's third-party catalogue (``$WIJKGEO_CBS_DERDEN_URL``).

    Returns
    -------
    list of RefreshResult
        One per gemeente, in the given order. Failed gemeenten kept their last good
        version; see :func:`exit_code`.

    Raises
    ------
    ConfigError
        For an unknown year.
    DataValidationError
        For an invalid gemeente code (before anything is requested).
    StoreError
        When the store stays locked longer than ``lock_timeout`` or can't be written.

    Examples
    --------
    >>> from wijkgeo.refresh import refresh
    >>> [r.message() for r in refresh(["GM0772", "GM0392"], 2024)]    # doctest: +SKIP
    ['GM0772 2024: ongewijzigd (tabel 85984NED van 2025-03-27)',
     'GM0392 2024: bijgewerkt (tabel 85984NED gewijzigd 2025-03-27), 21 wijken, 52 buurten']
    """
    from .sources import catalog

    codes = [gemeenten] if isinstance(gemeenten, str) else list(gemeenten)
    codes = list(dict.fromkeys(normalize_code(c, "gemeente") for c in codes))
    if not codes and not nederland:
        raise DataValidationError(
            "Geen gemeenten opgegeven: noem codes als GM0772, --bestand of --nederland."
        )
    year = int(year)
    catalog.kwb_table(year)  # ConfigError for an unknown year, before any request
    target = store if isinstance(store, Store) else Store(store)
    if fetcher is None:
        from .sources import fetch as fetcher

    opts = _Options(
        dry_run,
        force,
        cbs_url,
        pdok_url,
        vierkant_url,
        vierkanten,
        fetcher,
        gezondheid=gezondheid,
        derden_url=derden_url,
    )

    def run() -> list[RefreshResult]:
        results: list[RefreshResult] = []
        for code in _progress(codes, progress):
            result = _refresh_one(target, code, year, opts)
            if not dry_run:
                target.record_check(
                    code, year, {"status": result.status, "message": result.message()}
                )
            (log.error if not result.ok else log.info)("%s", result.message())
            results.append(result)
        if nederland:
            result = _refresh_reference(target, year, dry_run=dry_run, force=force, cbs_url=cbs_url)
            (log.error if not result.ok else log.info)("%s", result.message())
            results.append(result)
        return results

    if dry_run:
        return run()
    with target.lock(timeout=lock_timeout):
        return run()


def _progress(codes: list[str], progress: bool | None) -> Iterable[str]:
    show = sys.stderr.isatty() if progress is None else progress
    if not show or len(codes) < 2:
        yield from codes
        return
    from tqdm import tqdm
    from tqdm.contrib.logging import logging_redirect_tqdm

    with logging_redirect_tqdm():
        yield from tqdm(codes, desc="wijkgeo refresh", unit="gemeente", file=sys.stderr)


def _refresh_one(
    target: Store,
    code: str,
    year: int,
    opts: _Options,
) -> RefreshResult:
    stored: dict[str, Any] | None = None
    try:
        stored = target.manifest(code, year)
    except StoreError as exc:  # damaged: treat as absent and write a fresh copy
        log.warning(
            "%s %s: opgeslagen versie onleesbaar, wordt opnieuw opgehaald (%s)",
            code,
            year,
            _one_line(exc),
        )
    try:
        key = f"cbs:{year}"
        if key not in opts.seen:
            opts.seen[key] = table_info(year, cbs_url=opts.cbs_url)
        cbs = opts.seen[key]
        current = _watched(code, year, cbs, opts)
        changed = _changes(stored, current)
        if opts.force and not changed:
            changed = ["force"]
        reason = _reason(changed, cbs, stored)
        if not changed:
            return _result(target, code, year, UNCHANGED, reason, stored)
        if opts.dry_run:
            return RefreshResult(code, year, WOULD_UPDATE, reason, changed)
        atlas = opts.fetcher(
            code,
            year,
            cbs_url=opts.cbs_url,
            pdok_url=opts.pdok_url,
            vierkanten=opts.vierkanten,
            vierkant_url=opts.vierkant_url,
            on_grid_error="raise",  # a grid failure is a source failure, not empty grids
        )
        from .sources.rivm_refresh import keep_stored, with_health

        if opts.gezondheid:
            with_health(atlas, target, current.get("rivm"), opts.derden_url)
        elif stored is not None:  # health figures stored before stay with the gemeente
            keep_stored(atlas, target)
        if stored is not None and not opts.force:
            _check_against_stored(atlas, stored)
        if stored is not None:
            target.keep_local(atlas)  # the gemeente's own layers (`wijkgeo lagen`) stay
        same = stored is not None and _same_content(atlas, stored)
        extra = {
            "sources": current,
            "retrieved_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        }
        target.write_atlas(atlas, manifest_extra=extra, lock_timeout=0)
        if same:
            reason += "; inhoud gelijk, alleen metadata bijgewerkt"
            return _result(target, code, year, UNCHANGED, reason, target.manifest(code, year))
        status = CREATED if stored is None else UPDATED
        return _result(target, code, year, status, reason, target.manifest(code, year))
    except StoreError:
        raise
    except Exception as exc:  # any other failure: keep the last good version, go on
        if not isinstance(exc, WijkgeoError):  # a bug, not a source problem: keep the trace
            log.exception("%s %s: onverwachte fout", code, year)
            exc = WijkgeoError(f"onverwachte fout ({type(exc).__name__}: {exc})")
        if stored:
            when = date_part(stored.get("retrieved_at") or stored.get("written_at"))
            kept = f"laatste goede versie van {when} bewaard"
        else:
            kept = "nog geen eerdere versie in de store"
        return RefreshResult(code, year, FAILED, kept, error=_one_line(exc))


def _result(
    target: Store, code: str, year: int, status: str, reason: str, manifest: dict[str, Any] | None
) -> RefreshResult:
    layers = (manifest or {}).get("layers") or {}
    return RefreshResult(
        code,
        year,
        status,
        reason,
        wijken=(layers.get("wijken") or {}).get("rows"),
        buurten=(layers.get("buurten") or {}).get("rows"),
    )


# ---------------------------------------------------------------------------- import
def _read_kaart(path: str | Path, gemeente: str, year: int, store: Any = None) -> Any:
    """The Wijk- en Buurtkaart of any year: the GeoPackage, or the older zipped shapefiles
    (``store``: where a newer year may name a gemeente's predecessors)."""
    from .sources.kwb_shapefile import is_shapefile_source, read_kwb_shapefiles
    from .sources.wijkbuurtkaart import read_wijkbuurtkaart

    if is_shapefile_source(path):
        return read_kwb_shapefiles(path, gemeente, year, store=store)
    return read_wijkbuurtkaart(path, gemeente, year)


def _count(n: Any, one: str, many: str) -> str:
    """``1 wijk``, ``2 wijken``.

    Examples
    --------
    >>> _count(1, "wijk", "wijken"), _count(3, "buurt", "buurten")
    ('1 wijk', '3 buurten')
    """
    return f"{n} {one if n == 1 else many}"


def _carried(stored: dict[str, Any] | None) -> dict[str, Any]:
    from .store import _BUILT_KEYS

    return {k: v for k, v in (stored or {}).items() if k not in _BUILT_KEYS}


def _nederland(path: str | Path, atlas: Any) -> None:
    """Compute Nederland from all gemeenten in the file onto ``atlas`` (with the reason)."""
    from .indicators.nederland import nederland_from_gemeenten
    from .sources.wijkbuurtkaart import read_gemeenten_table

    row = nederland_from_gemeenten(read_gemeenten_table(path), atlas.year)
    atlas.nederland = row.frame
    atlas.meta["nederland"] = row.info
    if row.frame is None:
        log.warning("%s %s: geen Nederland-cijfers: %s", atlas.code, atlas.year, row.reason)


def import_wijkbuurtkaart(
    path: str | Path,
    gemeente: str,
    year: int,
    *,
    store: str | Path | Store | None = None,
    lock_timeout: float = 300,
) -> RefreshResult:
    """Write one gemeente from a downloaded Wijk- en Buurtkaart GeoPackage into the store.

    Like a refresh: the Atlas is written atomically (the previous version stays intact on
    any failure) and the manifest's ``sources`` name the file and its sha256, so
    ``wijkgeo.load(gemeente, year)`` then works offline.

    Parameters
    ----------
    path : str or Path
        ``WijkBuurtkaart_<jaar>_v<n>.gpkg``.
    gemeente : str
        Gemeente code.
    year : int
        Year of the kaart.
    store : str, Path or Store, optional
        Target store; default ``$WIJKGEO_STORE`` or the user data folder.
    lock_timeout : float
        Seconds to wait for another process holding the store.

    Returns
    -------
    RefreshResult
        Status ``created`` or ``updated``, with the number of wijken and buurten.

    Raises
    ------
    DataValidationError
        A missing file, no GeoPackage, missing layers, a gemeente not in the file.
    StoreError
        The store is locked or cannot be written.

    Examples
    --------
    >>> r = import_wijkbuurtkaart("WijkBuurtkaart_2024_v1.gpkg", "GM0599", 2024)
    ...                                                         # doctest: +SKIP
    >>> r.status, r.wijken                                      # doctest: +SKIP
    ('created', 21)
    """
    from .sources.kwb_shapefile import is_shapefile_source
    from .sources.wijkbuurtkaart import file_sha256

    target = store if isinstance(store, Store) else Store(store)
    code = normalize_code(gemeente, "gemeente")
    stored = None
    try:
        stored = target.manifest(code, int(year))
    except StoreError:
        stored = None
    before = ((stored or {}).get("sources") or {}).get("wijkbuurtkaart") or {}
    if before.get("sha256") and Path(path).is_file() and file_sha256(path) == before["sha256"]:
        reason = f"{Path(path).name} is al geïmporteerd (zelfde sha256)"
        return _result(target, code, int(year), UNCHANGED, reason, stored)
    atlas = _read_kaart(path, code, year, target)  # the GeoPackage, or the older shapefiles
    info = atlas.meta["wijkbuurtkaart"]
    shapefiles = is_shapefile_source(path)
    if not shapefiles:  # Nederland from all gemeenten of the GeoPackage
        _nederland(path, atlas)
    if stored is not None:  # new figures; the gemeente's own layers and the grid stay
        kept = target.keep_local(atlas)
        if kept:
            log.info("%s %s: behouden: %s", code, year, ", ".join(kept))
    sources = dict((stored or {}).get("sources") or {})
    sources["wijkbuurtkaart"] = dict(info)
    extra = {
        **_carried(stored),
        "sources": sources,
        "retrieved_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
    }
    target.write_atlas(atlas, manifest_extra=extra, lock_timeout=lock_timeout)
    if not shapefiles:  # a national GeoPackage is also the year's reference for peers
        _import_reference(target, path, int(year), extra, lock_timeout)
    status = CREATED if stored is None else UPDATED
    reason = f"geïmporteerd uit {info['file']} (sha256 {info['sha256'][:12]}...)"
    return _result(target, code, int(year), status, reason, target.manifest(code, int(year)))


# ---------------------------------------------------------------------------- years before PDOK
def refresh_kaart(
    gemeenten: str | Sequence[str],
    year: int,
    *,
    store: str | Path | Store | None = None,
    web_url: str | None = None,
    dry_run: bool = False,
    lock_timeout: float = 300,
) -> list[RefreshResult]:
    """Store gemeenten of a year without a PDOK API (2015-2018) from CBS's zipped kaart.

    Downloads the national Wijk- en Buurtkaart zip of ``year`` (shapefiles with the
    Kerncijfers; URL per year in ``catalog.json`` under ``wijkbuurtkaart_zip``, host root
    ``$WIJKGEO_CBS_WEB_URL``) into the cache, revalidated with a conditional GET, and reads
    it exactly as :func:`import_wijkbuurtkaart` does. A gemeente that did not exist yet in
    ``year`` (Voorne aan Zee in 2015) gets the gemeenten that lay on its current area then
    (found through a newer year of it in the store), so :func:`wijkgeo.series.tijdreeks`
    covers its current area.

    Returns
    -------
    list of RefreshResult
        One per gemeente stored (predecessors named in ``reason``); a failure is a
        ``failed`` result, the other gemeenten go on.

    Examples
    --------
    >>> refresh_kaart(["GM0606"], 2015)                          # doctest: +SKIP
    [RefreshResult(gemeente='GM0606', year=2015, status='created', ...)]
    """
    from .sources import catalog
    from .sources.kwb_shapefile import find_layers, gemeenten_in, predecessors
    from .sources.vierkant import cached_download

    codes = [gemeenten] if isinstance(gemeenten, str) else list(gemeenten)
    codes = list(dict.fromkeys(normalize_code(c, "gemeente") for c in codes))
    year = int(year)
    url = catalog.kaart_zip_url(year, web_url=web_url)
    if dry_run:
        why = f"zou de Wijk- en Buurtkaart {year} downloaden: {url}"
        return [RefreshResult(code, year, WOULD_UPDATE, why) for code in codes]
    target = store if isinstance(store, Store) else Store(store)
    path = settings.cache_path() / "wijkbuurtkaart" / f"{year}-{url.rsplit('/', 1)[-1]}"
    try:
        cached_download(url, path)
        present = set(gemeenten_in(path, year))
    except WijkgeoError as exc:
        return [
            RefreshResult(code, year, FAILED, "niets opgeslagen", error=_one_line(exc))
            for code in codes
        ]
    results: list[RefreshResult] = []
    for code in codes:
        todo = [(code, "")]
        if code not in present:
            before = predecessors(find_layers(path, year)["gemeente"], code, year, target)
            if before:
                log.info(
                    "%s bestond in %s nog niet; opgeslagen worden: %s",
                    code,
                    year,
                    ", ".join(f"{c} ({n})" for c, n in before),
                )
                todo = [(c, f"; lag in {year} op het gebied van {code}") for c, _n in before]
        for one, note in todo:
            try:
                result = import_wijkbuurtkaart(path, one, year, store=target,
                                               lock_timeout=lock_timeout)  # fmt: skip
                result.reason += note
            except WijkgeoError as exc:
                result = RefreshResult(one, year, FAILED, "niets opgeslagen", error=_one_line(exc))
            (log.error if not result.ok else log.info)("%s", result.message())
            results.append(result)
    return results


# ---------------------------------------------------------------------------- national reference
def refresh_nederland(
    year: int,
    *,
    store: str | Path | Store | None = None,
    dry_run: bool = False,
    force: bool = False,
    cbs_url: str | None = None,
    lock_timeout: float = 300,
) -> RefreshResult:
    """Bring the national reference of one year up to date (every buurt and wijk of NL).

    Asks the table's ``TableInfos`` first (one small request); only when its ``Modified`` date
    differs from the stored reference (or none is stored, or ``force``) does it fetch the whole
    country in one paged request set (:func:`wijkgeo.sources.cbs.fetch_kerncijfers_nederland`)
    and store it atomically (:meth:`wijkgeo.store.Store.write_reference`). A failure keeps the
    previous reference.

    Returns
    -------
    RefreshResult
        With ``gemeente="NL00"`` and the number of wijken and buurten.

    Examples
    --------
    >>> refresh_nederland(2020).message()                         # doctest: +SKIP
    'NL00 2020: nieuw opgehaald (landelijke referentie, tabel 84799NED van 2021-03-26), ...'
    """
    from .sources import catalog

    year = int(year)
    catalog.kwb_table(year)  # ConfigError for an unknown year, before any request
    target = store if isinstance(store, Store) else Store(store)
    if dry_run:
        result = _refresh_reference(target, year, dry_run=True, force=force, cbs_url=cbs_url)
    else:
        with target.lock(timeout=lock_timeout):
            result = _refresh_reference(target, year, dry_run=False, force=force, cbs_url=cbs_url)
    (log.error if not result.ok else log.info)("%s", result.message())
    return result


def _refresh_reference(
    target: Store, year: int, *, dry_run: bool, force: bool, cbs_url: str | None
) -> RefreshResult:
    from .sources.cbs import fetch_kerncijfers_nederland

    code = "NL00"
    try:
        stored = target.reference_manifest(year)
    except StoreError as exc:
        log.warning("landelijke referentie %s onleesbaar, wordt opnieuw opgehaald (%s)", year, exc)
        stored = None
    try:
        cbs = table_info(year, cbs_url=cbs_url)
        before = ((stored or {}).get("sources") or {}).get("cbs") or {}
        when = date_part(cbs.get("modified"))
        if stored is not None and before.get("modified") == cbs["modified"] and not force:
            rows = stored.get("rows") or {}
            return RefreshResult(
                code,
                year,
                UNCHANGED,
                f"landelijke referentie, tabel {cbs['table']} van {when}",
                wijken=rows.get("wijk"),
                buurten=rows.get("buurt"),
            )
        reason = f"landelijke referentie, tabel {cbs['table']} van {when}"
        if dry_run:
            return RefreshResult(code, year, WOULD_UPDATE, reason, ["cbs"])
        frame = fetch_kerncijfers_nederland(year, cbs_url=cbs_url)
        extra = {
            "sources": {"cbs": cbs},
            "retrieved_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        }
        target.write_reference(frame, year, manifest_extra=extra, lock_timeout=0)
        counts = frame["level"].value_counts()
        return RefreshResult(
            code,
            year,
            CREATED if stored is None else UPDATED,
            reason,
            ["cbs"],
            wijken=int(counts.get("wijk", 0)),
            buurten=int(counts.get("buurt", 0)),
        )
    except StoreError:
        raise
    except Exception as exc:
        if not isinstance(exc, WijkgeoError):
            log.exception("landelijke referentie %s: onverwachte fout", year)
            exc = WijkgeoError(f"onverwachte fout ({type(exc).__name__}: {exc})")
        kept = "vorige referentie bewaard" if stored else "nog geen landelijke referentie"
        return RefreshResult(code, year, FAILED, kept, error=_one_line(exc))


def _import_reference(
    target: Store, path: str | Path, year: int, extra: dict[str, Any], lock_timeout: float
) -> None:
    """Store a national Wijk- en Buurtkaart as the year's reference (every buurt of NL).

    National means: buurten for (nearly) every gemeente of its gemeenten layer; a regional
    extract is not stored (its peers would all be neighbours). A stored reference with more
    buurten is never replaced by a smaller file.
    """
    from .sources.wijkbuurtkaart import read_reference

    ref = read_reference(path, year)
    buurten = ref[ref["level"] == "buurt"]
    n_gem = buurten["gemeentecode"].nunique() if "gemeentecode" in buurten.columns else 0
    n_all = int((ref["level"] == "gemeente").sum())
    if n_gem < 2 or n_gem < NATIONAL_SHARE * n_all:
        log.info(
            "%s: buurten van %d van de %d gemeenten; geen landelijke kaart, dus geen "
            "landelijke referentie %s opgeslagen (haal die met wijkgeo refresh --nederland)",
            Path(path).name,
            n_gem,
            n_all,
            year,
        )
        return
    try:
        stored = target.reference_manifest(year)
    except StoreError:
        stored = None
    have = ((stored or {}).get("rows") or {}).get("buurt", 0)
    if have > len(buurten):
        log.info(
            "landelijke referentie %s: de opgeslagen versie heeft meer buurten (%d) dan %s (%d); "
            "niet vervangen",
            year,
            have,
            Path(path).name,
            len(buurten),
        )
        return
    own = {  # only the file: the gemeente's other sources (CBS, grids) are not its source
        "sources": {"wijkbuurtkaart": (extra.get("sources") or {}).get("wijkbuurtkaart")},
        "retrieved_at": extra.get("retrieved_at"),
    }
    target.write_reference(ref, year, manifest_extra=own, lock_timeout=lock_timeout)
    log.info(
        "landelijke referentie %s opgeslagen uit %s: %d buurten in %d gemeenten",
        year,
        Path(path).name,
        len(buurten),
        n_gem,
    )


def import_vierkanten(
    path: str | Path,
    gemeente: str | None = None,
    year: int | None = None,
    *,
    store: str | Path | Store | None = None,
    lock_timeout: float = 300,
) -> list[RefreshResult]:
    """Store the cells of a vierkantstatistieken GeoPackage with gemeenten in the store.

    Every gemeente (and year) already in the store gets the cells that touch its outline;
    ``gemeente`` and ``year`` limit that. The other layers, the local layers and the
    manifest's sources stay; the file and its sha256 are added to the sources.

    Parameters
    ----------
    path : str or Path
        CBS's ``cbs_vk500_<jaar>_v<n>.gpkg`` or ``cbs_vk100_...`` (unzipped).
    gemeente, year : optional
        Only this gemeente and/or year.
    store : str, Path or Store, optional
    lock_timeout : float

    Returns
    -------
    list of RefreshResult
        One per gemeente and year; ``unchanged`` when the same file was imported before.

    Raises
    ------
    DataValidationError
        When the file holds no vierkantstatistieken, or no gemeente in the store matches.

    Examples
    --------
    >>> import_vierkanten("cbs_vk500_2024_v1.gpkg", "GM0599", 2024)     # doctest: +SKIP
    [RefreshResult(gemeente='GM0599', year=2024, status='updated', ...)]
    """
    from .sources.vierkant import read_vierkanten_file, vierkant_layer
    from .sources.wijkbuurtkaart import file_sha256

    src = Path(path)
    found = vierkant_layer(src) if src.is_file() else None
    if found is None:
        raise DataValidationError(
            f"{src}: geen vierkantstatistieken (geen laag met kolom crs28992res500m of "
            "crs28992res100m); download de vierkantstatistieken van CBS als GeoPackage."
        )
    layer, res = found
    target = store if isinstance(store, Store) else Store(store)
    code = normalize_code(gemeente, "gemeente") if gemeente else None
    todo = [
        (e["gemeente"], int(e["year"]))
        for e in target.entries()
        if not e.get("error")
        and (code is None or e["gemeente"] == code)
        and (year is None or int(e["year"]) == int(year))
    ]
    if not todo:
        which = f"{code or 'geen enkele gemeente'}" + (f" {year}" if year else "")
        raise NotInStoreError(
            f"{which} staat niet in de store {target.path}; importeer eerst de Wijk- en "
            "Buurtkaart (`wijkgeo import WijkBuurtkaart_<jaar>_v<n>.gpkg --gemeente GM.. "
            "--jaar ..`) of gebruik `wijkgeo refresh`."
        )
    digest = file_sha256(src)
    key = f"vierkanten_{res}m"
    results = []
    for gm, yr in todo:
        stored = target.manifest(gm, yr)
        before = ((stored or {}).get("sources") or {}).get(key) or {}
        if before.get("sha256") == digest:
            reason = f"{src.name} is al geïmporteerd (zelfde sha256)"
            results.append(_result(target, gm, yr, UNCHANGED, reason, stored))
            continue
        atlas = target.read_atlas(gm, yr)
        outline = atlas.gemeente.geometry.union_all()
        grid = read_vierkanten_file(src, outline, layer=layer, res=res)
        if grid.empty:  # the file does not reach this gemeente: keep what is stored
            reason = f"geen vierkanten van {src.name} raken deze gemeente"
            results.append(_result(target, gm, yr, UNCHANGED, reason, stored))
            continue
        atlas.vierkanten = {**atlas.vierkanten, f"{res}m": grid}
        sources = dict((stored or {}).get("sources") or {})
        sources[key] = {"file": src.name, "sha256": digest, "size": src.stat().st_size}
        extra = {**_carried(stored), "sources": sources}
        target.write_atlas(atlas, manifest_extra=extra, lock_timeout=lock_timeout)
        reason = f"vierkanten {res} m: {len(grid)} cellen uit {src.name}"
        log.info("%s %s: %s", gm, yr, reason)
        results.append(_result(target, gm, yr, UPDATED, reason, target.manifest(gm, yr)))
    return results
