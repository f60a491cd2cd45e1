"""The source catalog: table ids per year, endpoints, configurable base URLs."""

from __future__ import annotations

import pytest

from wijkgeo import ConfigError
from wijkgeo.sources import catalog


def test_kwb_tables_per_year():
    assert catalog.years() == list(range(2015, 2026))
    assert [catalog.kwb_table(y) for y in catalog.years()] == [
        "83220NED",
        "83487NED",
        "83765NED",
        "84286NED",
        "84583NED",
        "84799NED",
        "85039NED",
        "85318NED",
        "85618NED",
        "85984NED",
        "86165NED",
    ]
    with pytest.raises(ConfigError, match="2015, 2016"):
        catalog.kwb_table(2014)
    # the older shapefile layout is data too
    layout = catalog.shapefile_layout()
    assert layout["columns"]["BU_CODE"] == "buurtcode"
    assert "buurt_{year}" in layout["files"]["buurt"]


def test_real_services_are_the_default(monkeypatch):
    monkeypatch.delenv("WIJKGEO_CBS_URL", raising=False)
    monkeypatch.delenv("WIJKGEO_PDOK_URL", raising=False)
    assert catalog.cbs_table_url(2024, "TypedDataSet") == (
        "https://opendata.cbs.nl/ODataFeed/odata/85984NED/TypedDataSet"
    )
    assert catalog.pdok_collection_url(2023, "buurt") == (
        "https://api.pdok.nl/cbs/wijken-en-buurten-2023/ogc/v1/collections/buurten/items"
    )
    assert catalog.vierkant_url(2024, 500) == (
        "https://download.cbs.nl/vierkant/500/2025-cbs_vk500_2024_v1.zip"
    )


def test_env_and_keyword_override(monkeypatch):
    monkeypatch.setenv("WIJKGEO_CBS_URL", "http://mirror.local:8080/")
    monkeypatch.setenv("WIJKGEO_PDOK_URL", "http://pdok.mirror")
    assert catalog.cbs_base_url() == "http://mirror.local:8080"
    assert catalog.pdok_base_url() == "http://pdok.mirror"
    assert catalog.cbs_base_url("http://kw.arg") == "http://kw.arg"  # keyword wins
    assert catalog.pdok_collection_url(2024, "gemeente").startswith(
        "http://pdok.mirror/cbs/wijken-en-buurten-2024/ogc/v1/collections/gemeenten"
    )
    monkeypatch.setenv("WIJKGEO_PDOK_URL", "pdok.mirror")
    with pytest.raises(ConfigError, match="WIJKGEO_PDOK_URL"):
        catalog.pdok_base_url()


def test_unknown_level_and_year():
    with pytest.raises(ConfigError, match="gemeente, wijk, buurt"):
        catalog.pdok_collection_url(2024, "provincie")
    with pytest.raises(ConfigError, match="2019"):
        catalog.pdok_root(2010)


def test_camel_to_snake():
    assert catalog.camel_to_snake("percGebBuitenNlMetHerkomstlndBuitenEuropa") == (
        "perc_geb_buiten_nl_met_herkomstlnd_buiten_europa"
    )
    assert catalog.camel_to_snake("stedelijkheidAdressenPerKm2") == "stedelijkheid_adressen_per_km2"
    assert catalog.camel_to_snake("aantal_inwoners") == "aantal_inwoners"
