"""Every environment variable wijkgeo reads, in one place.

The table :data:`SETTINGS` is the single list: name, variable, type, default and a Dutch
description for operators (the README's table is generated from the same rows, and a test
checks that they agree). Values are read at call time, never at import, so a cron job, a
test or a ``monkeypatch.setenv`` sees the current environment. Nothing else in wijkgeo
touches ``os.environ``.

Examples
--------
>>> from wijkgeo import settings
>>> settings.get("http_retries", environ={})
4
>>> settings.get("http_timeout", environ={"WIJKGEO_HTTP_TIMEOUT": "5"})
5.0
>>> settings.get("cbs_url", environ={"WIJKGEO_CBS_URL": "http://127.0.0.1:8080"})
'http://127.0.0.1:8080'
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = [
    "SETTINGS",
    "Setting",
    "cache_path",
    "env_name",
    "get",
    "markdown_table",
    "store_path",
]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Setting:
    """One environment variable: its key, variable name, type, default and meaning."""

    key: str
    env: str
    kind: type
    default: Any
    doc: str
    #: What the README shows as default when ``default`` is ``None`` (derived elsewhere).
    derived: str = ""


#: The settings, in the order the README lists them. ``None`` as default means "derived":
#: the platform's user data or cache folder, or the host in ``sources/catalog.json`` (the
#: endpoints stay data there; a variable only redirects them).
SETTINGS: tuple[Setting, ...] = (
    Setting(
        "store", "WIJKGEO_STORE", Path, None,
        "Map van de store (één GeoPackage per gemeente en jaar). Standaard de gebruikersmap "
        "van het platform, bijvoorbeeld `~/.local/share/wijkgeo`. `--store` gaat voor.",
        "gebruikersmap",
    ),
    Setting(
        "cache", "WIJKGEO_CACHE", Path, None,
        "Map voor gedownloade landelijke bestanden (vierkantstatistieken-zip). Standaard de "
        "cachemap van het platform, bijvoorbeeld `~/.cache/wijkgeo`.",
        "cachemap",
    ),
    Setting(
        "cbs_url", "WIJKGEO_CBS_URL", str, None,
        "Basisadres van CBS open data (OData); voor een spiegel of een testserver.",
        "uit `sources/catalog.json`",
    ),
    Setting(
        "pdok_url", "WIJKGEO_PDOK_URL", str, None,
        "Basisadres van de PDOK OGC API (grenzen van gemeenten, wijken en buurten).",
        "uit `sources/catalog.json`",
    ),
    Setting(
        "cbs_download_url", "WIJKGEO_CBS_DOWNLOAD_URL", str, None,
        "Basisadres van de CBS-downloads (vierkantstatistieken 500 m en 100 m).",
        "uit `sources/catalog.json`",
    ),
    Setting(
        "cbs_web_url", "WIJKGEO_CBS_WEB_URL", str, None,
        "Basisadres van de CBS-website: de gezipte Wijk- en Buurtkaart van de jaren zonder "
        "PDOK-API (2015-2018), voor `wijkgeo refresh --jaren`.",
        "uit `sources/catalog.json`",
    ),
    Setting(
        "cbs_derden_url", "WIJKGEO_CBS_DERDEN_URL", str, None,
        "Basisadres van de CBS-catalogus van derden (dataderden: RIVM/GGD-gezondheid per "
        "wijk en buurt).",
        "uit `sources/catalog.json`",
    ),
    Setting(
        "http_timeout", "WIJKGEO_HTTP_TIMEOUT", float, 60.0,
        "Leestime-out per HTTP-verzoek in seconden (verbinden: hoogstens 10 s).",
    ),
    Setting(
        "http_retries", "WIJKGEO_HTTP_RETRIES", int, 4,
        "Aantal herhalingen bij 429/5xx, time-outs en verbroken verbindingen.",
    ),
    Setting(
        "http_backoff", "WIJKGEO_HTTP_BACKOFF", float, 0.5,
        "Wachtfactor tussen herhalingen in seconden (exponentieel; Retry-After gaat voor).",
    ),
    Setting(
        "series_min_iou", "WIJKGEO_REEKS_MIN_IOU", float, 0.9,
        "Tijdreeksen: een buurt met dezelfde code en naam telt als hetzelfde gebied als oude en "
        "nieuwe grens minstens zoveel overlappen (doorsnede gedeeld door vereniging).",
    ),
)

_BY_KEY = {s.key: s for s in SETTINGS}


def _setting(key: str) -> Setting:
    try:
        return _BY_KEY[key]
    except KeyError:
        raise KeyError(f"onbekende instelling {key!r}; bekend: {sorted(_BY_KEY)}") from None


def get(key: str, *, environ: Mapping[str, str] | None = None) -> Any:
    """The current value of a setting: the environment variable, else the default.

    Parameters
    ----------
    key : str
        A key of :data:`SETTINGS` (``"store"``, ``"http_timeout"``, ...).
    environ : mapping, optional
        The environment to read (default ``os.environ``); tests pass a dict.

    Returns
    -------
    The value converted to the setting's type, or its default (``None`` for the derived
    folders: use :func:`store_path` / :func:`cache_path`). A value that cannot be converted
    is logged as a warning and the default is used, so a typo in a cron environment does
    not stop the job.

    Examples
    --------
    >>> get("http_backoff", environ={"WIJKGEO_HTTP_BACKOFF": "veel"})
    0.5
    """
    setting = _setting(key)
    env = os.environ if environ is None else environ
    raw = env.get(setting.env)
    if raw is None or raw.strip() == "":
        return setting.default
    try:
        if setting.kind is Path:
            return Path(raw).expanduser()
        return setting.kind(raw.strip())
    except ValueError:
        log.warning(
            "%s=%r is geen geldige waarde (%s verwacht); de standaard %r wordt gebruikt",
            setting.env, raw, setting.kind.__name__, setting.default,
        )
        return setting.default


def env_name(key: str) -> str:
    """The environment variable behind a setting (for messages that tell what to set).

    Examples
    --------
    >>> env_name("pdok_url")
    'WIJKGEO_PDOK_URL'
    """
    return _setting(key).env


def _folder(key: str, platform_folder: Callable[[str], str]) -> Path:
    path = get(key)
    return path if path is not None else Path(platform_folder("wijkgeo"))


def store_path() -> Path:
    """The store folder: ``$WIJKGEO_STORE`` or the platform's user data folder.

    Examples
    --------
    >>> store_path()                        # doctest: +SKIP
    PosixPath('/home/ans/.local/share/wijkgeo')
    """
    from platformdirs import user_data_dir

    return _folder("store", user_data_dir)


def cache_path() -> Path:
    """The download cache folder: ``$WIJKGEO_CACHE`` or the platform's user cache folder.

    Examples
    --------
    >>> cache_path()                        # doctest: +SKIP
    PosixPath('/home/ans/.cache/wijkgeo')
    """
    from platformdirs import user_cache_dir

    return _folder("cache", user_cache_dir)


def markdown_table() -> str:
    """The README's table of environment variables, generated from :data:`SETTINGS`.

    Examples
    --------
    >>> print(markdown_table().splitlines()[0])
    | variabele | standaard | betekenis |
    """
    rows = ["| variabele | standaard | betekenis |", "| --- | --- | --- |"]
    for s in SETTINGS:
        default = s.derived if s.default is None else f"`{s.default}`"
        rows.append(f"| `{s.env}` | {default} | {s.doc} |")
    return "\n".join(rows)
