"""Demodam over the years: a split, a merge and a re-used code, carried offline."""

from __future__ import annotations

import pandas as pd
import pytest

import wijkgeo
from wijkgeo.demo.years import CHANGES, demo_years
from wijkgeo.series import crosswalk, tijdreeks
from wijkgeo.store import Store


@pytest.fixture(scope="module")
def demo_store(tmp_path_factory):
    atlas = wijkgeo.make_demo()
    store = Store(tmp_path_factory.mktemp("demo_years"))
    store.write_atlas(atlas)
    years = demo_years(atlas)
    for earlier in years.values():
        store.write_atlas(earlier)
    return store, atlas, years


def test_demo_years_have_a_split_a_merge_and_a_reused_code(demo_store):
    _store, atlas, years = demo_store
    assert sorted(years) == list(range(2015, 2024))
    cw = crosswalk(years[2015].buurten, atlas.buurten)
    moved = cw[cw.herkomst == "omgerekend"]
    # split: one old code to two new; merge: two old codes to one new
    assert (moved.groupby("van").naar.nunique() == 2).any()
    assert (moved.groupby("naar").van.nunique() == 2).any()
    # re-used code: the same code names another area, so the area is re-coded, not measured
    recoded = cw[cw.herkomst == "hercodeerd"]
    assert len(recoded) == 2 and set(recoded.van) == set(recoded.naar)
    assert CHANGES["hergebruikte_code"] == 2022
    assert len(crosswalk(years[2023].buurten, atlas.buurten).query("herkomst != 'gemeten'")) == 0


@pytest.mark.slow
def test_demo_series_every_buurt_every_year_totals_kept(demo_store):
    store, atlas, years = demo_store
    frame = tijdreeks("GM9999", "2015-2024", store=store)
    assert frame.attrs["ontbrekende_jaren"] == []
    inw = frame[(frame.niveau == "buurt") & (frame.indicator == "inwoners")]
    table = inw.pivot(index="code", columns="jaar", values="waarde")
    assert len(table) == len(atlas.buurten) and table.notna().all().all()
    for year, old in years.items():
        assert table[year].sum() == pytest.approx(old.buurten.aantal_inwoners.sum(), rel=1e-9)
    assert set(inw.herkomst) == {"gemeten", "hercodeerd", "omgerekend"}
    # a topic CBS added later is missing in the early years, with the reason
    zon = frame[(frame.indicator == "aandeel_woningen_met_zonnestroom") & (frame.jaar == 2015)]
    assert (zon.herkomst == "ontbreekt").all() and zon.reden.str.contains("2015").all()


@pytest.mark.slow
def test_refresh_jaren_stores_each_year_from_the_demo_server(tmp_path, monkeypatch, capsys):
    from wijkgeo.cli import main
    from wijkgeo.demo.server import DemoServer

    store = tmp_path / "store"
    with DemoServer() as server:
        monkeypatch.setenv("WIJKGEO_CBS_URL", server.url)
        monkeypatch.setenv("WIJKGEO_PDOK_URL", server.url)
        monkeypatch.setenv("WIJKGEO_CBS_WEB_URL", server.url)  # 2015-2018: the zipped kaart
        monkeypatch.setenv("WIJKGEO_CACHE", str(tmp_path / "cache"))
        argv = ["refresh", "GM9999", "--jaren", "2014-2024", "--zonder-vierkanten"]
        assert main([*argv, "--store", str(store)]) == 0
        zips = [p for _m, p, s in server.requests if p.endswith(".zip") and s == 200]
    assert len(zips) == 4  # 2015, 2016, 2017 and 2018, each once
    err = capsys.readouterr().err  # 2014: no PDOK API and no download known
    assert "wijkgeo import buurt_2014.zip --gemeente GM9999 --jaar 2014" in err
    st = Store(store)
    assert [y for y in range(2014, 2025) if st.has("GM9999", y)] == list(range(2015, 2025))
    made = demo_years(wijkgeo.make_demo(), [2015])[2015].buurten  # what the zip was made of
    got = st.read_atlas("GM9999", 2015).buurten
    assert sorted(got.buurtcode) == sorted(made.buurtcode)
    assert got.aantal_inwoners.sum() == made.aantal_inwoners.sum()
    full = tijdreeks("GM9999", "2015-2024", store=st, indicators=["inwoners"])
    assert full.attrs["ontbrekende_jaren"] == [] and full.jaar.nunique() == 10
    assert len(st.read_atlas("GM9999", 2020).buurten) == 41  # the merged buurt still two halves
    frame = tijdreeks("GM9999", "2019-2024", store=st, indicators=["inwoners"])
    assert set(frame[frame.jaar == 2019].herkomst) == {"gemeten", "hercodeerd", "omgerekend"}


def test_a_series_of_atlases_gives_the_same_frame_as_the_store(demo_store):
    store, atlas, years = demo_store
    keys = ["inwoners", "aandeel_65_plus"]
    from_store = tijdreeks("GM9999", [2015, 2020, 2024], store=store, indicators=keys)
    held = [years[2015], years[2020], atlas]  # as an AtlasSeries holds them
    from_atlases = tijdreeks(held, indicators=keys)
    pd.testing.assert_frame_equal(from_store, from_atlases)
    assert from_atlases.attrs["grenzen"] == 2024
