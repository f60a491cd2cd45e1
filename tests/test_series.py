"""AtlasSeries and Store.read_series: an Atlas per year and the code crosswalk."""

from __future__ import annotations

from dataclasses import replace

import pytest

import wijkgeo
from wijkgeo.series import AtlasSeries
from wijkgeo.store import Store


@pytest.fixture(scope="module")
def demo():
    return wijkgeo.make_demo()


def _year(atlas, year):
    return replace(atlas, meta={**atlas.meta, "year": year})


def test_series_holds_years_in_order_and_refuses_mixtures(demo):
    s = AtlasSeries([demo, _year(demo, 2021)])
    assert s.years == (2021, 2024) and s.latest.year == 2024 and s.code == "GM9999"
    assert s.previous().year == 2021 and s.previous(2021) is None
    assert AtlasSeries.of(s) is s and AtlasSeries.of(demo).years == (2024,)
    with pytest.raises(wijkgeo.ConfigError, match="dubbel"):
        AtlasSeries([demo, demo])
    with pytest.raises(wijkgeo.ConfigError, match="minstens"):
        AtlasSeries([])
    other = replace(demo, meta={**demo.meta, "gemeente": "GM0001", "year": 2023})
    with pytest.raises(wijkgeo.ConfigError, match="één gemeente"):
        AtlasSeries([demo, other])
    with pytest.raises(KeyError):
        s[2019]


def test_crosswalk_is_the_one_answer_to_did_the_boundary_hold(demo):
    old = _year(demo, 2023)
    b = old.buurten.copy()
    i = b.index[b["buurtcode"] == "BU99990202"][0]
    b.loc[i, "geometry"] = b.loc[i, "geometry"].buffer(-150)
    old = replace(old, buurten=b)
    s = AtlasSeries([old, demo])
    same = s.unchanged("buurt", 2023, 2024)
    assert "BU99990202" not in same and "BU99990201" in same
    assert s.crosswalk("buurt", 2023, 2024) is s.crosswalk("buurt", 2023, 2024)  # cached


def test_store_reads_a_series_and_the_latest_earlier_year(demo, tmp_path):
    store = Store(tmp_path)
    store.write_atlas(_year(demo, 2021))
    store.write_atlas(demo)
    assert store.years("GM9999") == [2021, 2024] and store.years("GM0001") == []
    s = store.read_series("GM9999", [2024, 2021])
    assert s.years == (2021, 2024)
    assert store.read_with_previous("GM9999", 2024).years == (2021, 2024)
    assert store.read_with_previous("GM9999", 2021).years == (2021,)
    with pytest.raises(wijkgeo.NotInStoreError, match="2022"):
        store.read_series("GM9999", [2022, 2024])
