"""Where the real sources live, per year: read from ``catalog.json`` (data, not code).

Base URLs are host roots. They come, in order, from a keyword argument, the environment
(``WIJKGEO_CBS_URL`` for the CBS open-data host, ``WIJKGEO_PDOK_URL`` for the PDOK API host,
``WIJKGEO_CBS_DOWNLOAD_URL`` for the vierkantstatistieken downloads) and the catalog default.

Examples
--------
>>> from wijkgeo.sources import catalog
>>> catalog.kwb_table(2024)
'85984NED'
>>> catalog.pdok_collection_url(2024, "wijk", pdok_url="http://127.0.0.1:8000")
'http://127.0.0.1:8000/cbs/wijken-en-buurten-2024/ogc/v1/collections/wijken/items'
"""

from __future__ import annotations

import json
import re
from functools import cache
from importlib import resources
from typing import Any

from .. import settings
from .._errors import ConfigError

__all__ = [
    "camel_to_snake",
    "catalog",
    "cbs_base_url",
    "cbs_table_url",
    "kaart_zip_url",
    "kaart_zip_years",
    "kwb_table",
    "pdok_base_url",
    "pdok_collection_url",
    "pdok_root",
    "shapefile_layout",
    "vierkant_url",
    "years",
]


@cache
def catalog() -> dict[str, Any]:
    """The parsed ``catalog.json``."""
    text = resources.files("wijkgeo.sources").joinpath("catalog.json").read_text("utf-8")
    return json.loads(text)


@cache
def shapefile_layout() -> dict[str, Any]:
    """The older Wijk- en Buurtkaart layout (zipped shapefiles): ``kwb_shapefile.json``.

    File names per level, the UPPERCASE column -> canonical name map, ignored and required
    columns and the secret threshold: data, so a year with other columns is an edit there.

    Examples
    --------
    >>> shapefile_layout()["columns"]["P_65_EO_JR"]
    'percentage_personen_65_jaar_en_ouder'
    """
    text = resources.files("wijkgeo.sources").joinpath("kwb_shapefile.json").read_text("utf-8")
    return json.loads(text)


def years() -> list[int]:
    """Years for which a Kerncijfers wijken en buurten table is known."""
    return sorted(int(y) for y in catalog()["cbs"]["kwb_tables"])


def _base(section: str, explicit: str | None) -> str:
    entry = catalog()[section]
    url = explicit or settings.get(entry["setting"]) or entry["base_url"]
    if not re.match(r"^https?://", url):
        raise ConfigError(
            f"Ongeldige basis-URL {url!r} voor {section}: begin met http:// of https:// "
            f"(argument of omgevingsvariabele {settings.env_name(entry['setting'])})."
        )
    return url.rstrip("/")


def cbs_base_url(cbs_url: str | None = None) -> str:
    """CBS open-data host root (``cbs_url`` > ``$WIJKGEO_CBS_URL`` > catalog default)."""
    return _base("cbs", cbs_url)


def pdok_base_url(pdok_url: str | None = None) -> str:
    """PDOK API host root (``pdok_url`` > ``$WIJKGEO_PDOK_URL`` > catalog default)."""
    return _base("pdok", pdok_url)


def kwb_table(year: int) -> str:
    """The Kerncijfers wijken en buurten OData table id of ``year``.

    Raises
    ------
    ConfigError
        For a year without a known table; the message lists the known years.
    """
    tables = catalog()["cbs"]["kwb_tables"]
    try:
        return tables[str(int(year))]
    except (KeyError, ValueError):
        raise ConfigError(
            f"Geen Kerncijfers wijken en buurten bekend voor jaar {year!r}; beschikbaar: "
            f"{', '.join(sorted(tables))}. Voeg een nieuw jaar toe in wijkgeo/sources/catalog.json."
        ) from None


def cbs_table_url(year: int, entity: str = "", *, cbs_url: str | None = None) -> str:
    """URL of a KWB OData feed entity (``TypedDataSet``, ``DataProperties``, ...)."""
    path = catalog()["cbs"]["feed_path"].format(table=kwb_table(year))
    url = cbs_base_url(cbs_url) + path
    return f"{url}/{entity}" if entity else url


def pdok_root(year: int, *, pdok_url: str | None = None) -> str:
    """The OGC API Features landing page of the Wijk- en Buurtkaart of ``year``."""
    entry = catalog()["pdok"]
    if int(year) not in entry["years"]:
        raise ConfigError(
            f"Geen PDOK wijken-en-buurten-API bekend voor jaar {year!r}; beschikbaar: "
            f"{', '.join(map(str, entry['years']))}."
        )
    return pdok_base_url(pdok_url) + entry["ogc_path"].format(year=int(year))


def pdok_collection_url(year: int, level: str, *, pdok_url: str | None = None) -> str:
    """The ``items`` URL of the gemeenten/wijken/buurten collection of ``year``."""
    collections = catalog()["pdok"]["collections"]
    if level not in collections:
        raise ConfigError(f"Onbekend niveau {level!r}; kies uit {', '.join(collections)}.")
    return f"{pdok_root(year, pdok_url=pdok_url)}/collections/{collections[level]}/items"


def vierkant_url(year: int, res: int, *, download_url: str | None = None) -> str:
    """Download URL of the vierkantstatistieken zip of ``year`` at ``res`` metres."""
    entry = catalog()["vierkant"]
    try:
        release = entry["releases"][str(int(res))][str(int(year))]
    except KeyError:
        raise ConfigError(
            f"Geen vierkantstatistieken {res} m bekend voor jaar {year}; zie "
            "wijkgeo/sources/catalog.json (vierkant.releases)."
        ) from None
    base = _base("vierkant", download_url)
    return base + entry["path"].format(res=int(res), release=release, year=int(year))


def kaart_zip_years() -> list[int]:
    """Years whose zipped Wijk- en Buurtkaart (shapefiles) ``refresh`` downloads from CBS.

    Examples
    --------
    >>> kaart_zip_years()
    [2015, 2016, 2017, 2018]
    """
    return sorted(int(y) for y in catalog()["wijkbuurtkaart_zip"]["paths"])


def kaart_zip_url(year: int, *, web_url: str | None = None) -> str:
    """Download URL of the zipped Wijk- en Buurtkaart of ``year`` (the years before PDOK).

    Examples
    --------
    >>> kaart_zip_url(2015, web_url="http://127.0.0.1:8000")
    'http://127.0.0.1:8000/-/media/_pdf/2017/36/buurt_2015.zip'
    """
    entry = catalog()["wijkbuurtkaart_zip"]
    path = entry["paths"].get(str(int(year)))
    if path is None:
        raise ConfigError(
            f"Geen gezipte Wijk- en Buurtkaart bekend voor {year}; zie "
            "wijkgeo/sources/catalog.json (wijkbuurtkaart_zip.paths)."
        )
    return _base("wijkbuurtkaart_zip", web_url) + path


_CAMEL_1 = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
_CAMEL_2 = re.compile(r"(?<=[A-Za-z])(?=[0-9])|(?<=[0-9])(?=[A-Za-z])")


def camel_to_snake(name: str) -> str:
    """Map a PDOK WFS camelCase property to the gpkg/OGC API snake_case name.

    Explicit exceptions are data (``catalog.json`` ``pdok.wfs_camel_overrides``).

    Examples
    --------
    >>> camel_to_snake("percentagePersonen0Tot15Jaar")
    'percentage_personen_0_tot_15_jaar'
    >>> camel_to_snake("bevolkingsdichtheidInwonersPerKm2")
    'bevolkingsdichtheid_inwoners_per_km2'
    >>> camel_to_snake("aantal_inwoners")
    'aantal_inwoners'
    """
    overrides = catalog()["pdok"]["wfs_camel_overrides"]
    if name in overrides:
        return overrides[name]
    if name.islower() or "_" in name or not any(c.isupper() for c in name):
        return name
    return _CAMEL_2.sub("_", _CAMEL_1.sub("_", name)).lower()
