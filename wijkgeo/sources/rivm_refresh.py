"""The RIVM health monitor in ``wijkgeo refresh --gezondheid``: watch it, fetch it, keep it.

:func:`watch` asks CBS's third-party catalogue which edition is newest and when it changed
(``TableInfos`` only; once per run). :func:`with_health` puts that edition's rows of the
gemeente with the freshly fetched Atlas (:func:`wijkgeo.sources.rivm_store.attach`). A
failing health source never fails the gemeente: the health figures stored before are kept,
and a warning says why.

Examples
--------
>>> from wijkgeo.sources.rivm_refresh import watch
>>> watch({"rivm": None}, None) is None
True
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from .._errors import NotInStoreError, SourceError, StoreError, WijkgeoError
from . import rivm
from .rivm_store import SOURCE_TABLE, TABLE, attach

if TYPE_CHECKING:  # pragma: no cover
    from ..atlas import Atlas
    from ..store import Store

__all__ = ["keep_stored", "watch", "with_health"]

log = logging.getLogger(__name__)


def watch(seen: dict[str, Any], url: str | None) -> dict[str, Any] | None:
    """The newest served table and its ``Modified`` date, as a refresh fingerprint.

    Parameters
    ----------
    seen : dict
        The run's shared metadata answers (asked once per run, under ``"rivm"``).
    url : str, optional
        Host root of the catalogue.

    Returns
    -------
    dict or None
        ``{"table", "modified", "validators"}``; ``None`` when the catalogue can't be read
        (logged as a warning).
    """
    if "rivm" not in seen:
        try:
            seen["rivm"] = rivm.newest_table(url=url)
        except SourceError as exc:
            log.warning("RIVM-gezondheidscijfers niet bereikbaar: %s", exc)
            seen["rivm"] = None
    found = seen["rivm"]
    if not found:
        return None
    return {**found, "validators": {"table": found["table"], "modified": found["modified"]}}


def keep_stored(atlas: Atlas, store: Store) -> None:
    """Keep the stored health figures with a freshly fetched ``atlas``: the stored source
    rows are carried to its areas again (its boundaries may have changed)."""
    try:
        old = store.read_atlas(atlas.code, atlas.year)
    except (NotInStoreError, StoreError):
        return
    source = old.local.get(SOURCE_TABLE)
    if source is not None and len(source):
        attach(atlas, source, store=store)
    elif TABLE in old.local:
        atlas.local[TABLE] = old.local[TABLE]


def with_health(atlas: Atlas, store: Store, found: dict[str, Any] | None, url: str | None) -> Atlas:
    """Attach the newest health edition to ``atlas`` (in place), or keep the stored one.

    Parameters
    ----------
    atlas : Atlas
        The freshly fetched gemeente.
    store : Store
        The store (for the stored health figures and the edition year's boundaries).
    found : dict, optional
        :func:`watch`'s answer; ``None`` keeps what is stored.
    url : str, optional
        Host root of the catalogue.
    """
    if found is None:
        keep_stored(atlas, store)
        return atlas
    try:
        tidy = rivm.fetch_gezondheid(atlas.code, table=found["table"], url=url)
        attach(atlas, tidy, store=store)
    except WijkgeoError as exc:
        log.warning(
            "%s %s: gezondheidscijfers niet bijgewerkt, de opgeslagen blijven (%s)",
            atlas.code,
            atlas.year,
            exc,
        )
        keep_stored(atlas, store)
    return atlas
