"""The RIVM/GGD health monitor: fetched through a replay of CBS's third-party catalogue,
imported from the real Excel copies, and carried to today's buurten only where they held."""

from __future__ import annotations

import math
import subprocess
import sys

import geopandas as gpd
import pandas as pd
import pytest
from _rivm import excel, kwb2020, serve_rivm, typed_rows
from pytest_httpserver import HTTPServer
from replay import serve_cbs, serve_pdok
from shapely.geometry import box

import wijkgeo
from wijkgeo import _http
from wijkgeo._errors import DataValidationError
from wijkgeo.refresh import refresh
from wijkgeo.sources import rivm
from wijkgeo.sources.rivm_file import detect_table, read_gezondheid_file
from wijkgeo.sources.rivm_grenzen import carry_to_areas
from wijkgeo.sources.rivm_store import import_gezondheid
from wijkgeo.store import Store

ROTTERDAM = "GM0599"


@pytest.fixture(autouse=True)
def _fast_http():
    _http.configure(timeout=5, retries=1, backoff=0)
    yield
    _http.configure()


@pytest.fixture
def derden(realdata):
    typed_rows(realdata)  # read the Excel copies before the first request (a few seconds)
    server = HTTPServer()
    server.start()
    try:
        yield serve_rivm(server, realdata)
    finally:
        server.clear()
        server.stop()


def file_rows(realdata, name: str, code: str) -> pd.Series:
    """The row of one region in a real Excel copy."""
    frame = excel(realdata, name)
    return frame[frame["WijkenEnBuurten"].astype(str).str.strip() == code].iloc[0]


def as_float(value) -> float:
    text = str(value).strip()
    return math.nan if text in (".", "", "nan") else float(text)


def same(value, raw) -> bool:
    want = as_float(raw)
    return (math.isnan(value) and math.isnan(want)) or value == want


def rotterdam_2024(realdata):
    from test_profile import rotterdam_atlas

    return rotterdam_atlas(realdata)


def rotterdam_kwb2020(realdata) -> pd.DataFrame:
    kc = kwb2020(realdata)
    return kc[kc["code"].str[2:6] == "0599"]


# ------------------------------------------------------------------ unit: carrying rule
def _areas(codes, names, sizes):
    return gpd.GeoDataFrame(
        {"code": codes, "level": "buurt", "naam": names},
        geometry=[box(0, i * 10_000, s, i * 10_000 + 1000) for i, s in enumerate(sizes)],
        crs="EPSG:28992",
    )


def test_fallback_needs_code_and_name_and_marks_the_value():
    now = _areas(
        ["BU00010001", "BU00010002", "BU00010003"],
        ["Oost", "Nieuw-West", "Zuid"],
        [1000, 1000, 1000],
    )
    edition = pd.DataFrame(
        {
            "code": ["BU00010001", "BU00010002", "BU00010003"],
            "naam": ["Oost", "West", None],
            "eenzaam_65plus": [51.0, 44.0, 40.0],
        }
    )
    out = carry_to_areas(now, edition, year=2024, indeling=2020)
    assert out["eenzaam_65plus"].tolist()[0] == 51.0
    assert out["herkomst"][0] == "grens niet gecontroleerd: code en naam gelijk aan 2020"
    # a re-coded buurt: the code now names another area, so no value, and it says why
    assert math.isnan(out["eenzaam_65plus"][1]) and pd.isna(out["bron_code"][1])
    assert out["herkomst"][1] == "geen cijfer: code hergebruikt, heette in 2020 West"
    assert math.isnan(out["eenzaam_65plus"][2])
    assert "naam in 2020 onbekend" in out["herkomst"][2]


def test_fallback_area_check_where_that_years_kerncijfers_are_given():
    now = _areas(["BU00010001", "BU00010002"], ["Oost", "West"], [1000, 1000])  # 100 ha each
    edition = pd.DataFrame({"code": ["BU00010001", "BU00010002"], "eenzaam_65plus": [5.0, 6.0]})
    kc = pd.DataFrame(
        {
            "code": ["BU00010001", "BU00010002"],
            "naam": ["Oost", "West"],
            "oppervlakte_totaal_in_ha": [102.0, 140.0],
        }
    )
    out = carry_to_areas(now, edition, year=2024, indeling=2020, kerncijfers_then=kc)
    assert out["eenzaam_65plus"][0] == 5.0
    assert math.isnan(out["eenzaam_65plus"][1])
    assert out["herkomst"][1] == "geen cijfer: oppervlakte gewijzigd sinds 2020 (40%)"


def test_stored_boundaries_of_that_year_are_compared_not_names():
    now = _areas(["BU00010001", "BU00010002"], ["Oost", "West"], [1000, 1000])
    then = _areas(["BU00010001", "BU00010002"], ["Oost (oud)", "West"], [1010, 1500])
    edition = pd.DataFrame({"code": ["BU00010001", "BU00010002"], "eenzaam_65plus": [5.0, 6.0]})
    out = carry_to_areas(now, edition, year=2024, indeling=2020, boundaries_then=then)
    assert out["status"].tolist() == ["gelijk", "omgerekend"]
    assert out["herkomst"][0] == "grens gelijk aan 2020"
    # the redrawn buurt gets its value through the series, marked (no counts: by area)
    assert out["herkomst"][1].startswith("omgerekend: grens gewijzigd sinds 2020")
    assert "naar oppervlakte in 2020 (benadering)" in out["herkomst"][1]
    assert out["eenzaam_65plus"].tolist() == [5.0, 6.0]


def test_changed_buurten_carried_as_teller_and_noemer_through_the_crosswalk():
    """Two buurten of 2020 redrawn into two others: each new buurt's estimate is the
    estimate x 65+ inhabitants of its pieces over those inhabitants, never a plain mean; a
    new buurt on a piece without an estimate gets none and says why; bounds go the same way."""
    then = gpd.GeoDataFrame(
        {
            "code": ["BU00010001", "BU00010002", "BU00010003"],
            "level": "buurt",
            "naam": ["Noord", "Zuid", "Haven"],
            "aantal_personen_65_jaar_en_ouder": [100.0, 300.0, 50.0],
        },
        geometry=[box(0, 0, 100, 100), box(100, 0, 200, 100), box(0, 500, 100, 600)],
        crs="EPSG:28992",
    )
    now = gpd.GeoDataFrame(
        {
            "code": ["BU00010004", "BU00010005", "BU00010003"],
            "level": "buurt",
            "naam": ["West", "Oost", "Haven-Noord"],
        },
        geometry=[box(0, 0, 150, 100), box(150, 0, 200, 100), box(0, 550, 100, 600)],
        crs="EPSG:28992",
    )
    edition = pd.DataFrame(
        {
            "code": ["BU00010001", "BU00010002", "BU00010003"],
            "eenzaam_65plus": [40.0, 60.0, float("nan")],
            "eenzaam_65plus_ondergrens": [30.0, 50.0, float("nan")],
        }
    )
    out = carry_to_areas(now, edition, year=2024, indeling=2020, boundaries_then=then)
    # West: all of Noord (100 65+) and half of Zuid (150): (40*100 + 60*150) / 250
    assert out["eenzaam_65plus"][0] == pytest.approx(52.0)
    assert out["eenzaam_65plus_ondergrens"][0] == pytest.approx(42.0)
    assert out["eenzaam_65plus"][1] == pytest.approx(60.0)  # only Zuid
    assert out["status"].tolist()[:2] == ["omgerekend", "omgerekend"]
    assert out["bron_code"][0] == "BU00010001+BU00010002"
    want = "(Noord, Zuid), naar hun inwoners van de leeftijdsgroep (65+) in 2020 (benadering, ook"
    assert want in out["herkomst"][0]
    assert out["status"][2] == "geen" and math.isnan(out["eenzaam_65plus"][2])
    assert "niet om te rekenen" in out["herkomst"][2]


def test_a_recoded_buurt_takes_the_estimate_of_its_area_marked():
    """Two buurten that swapped codes since 2020: each takes the estimate published for
    its own area (under the other code), marked omgerekend; never its code's old value."""
    then = _areas(["BU00010001", "BU00010002"], ["Oost", "West"], [1000, 1000])
    now = then.copy()
    now["code"] = ["BU00010002", "BU00010001"]
    edition = pd.DataFrame({"code": ["BU00010001", "BU00010002"], "eenzaam_65plus": [5.0, 6.0]})
    out = carry_to_areas(now, edition, year=2024, indeling=2020, boundaries_then=then)
    assert out["eenzaam_65plus"].tolist() == [5.0, 6.0]
    assert out["status"].tolist() == ["omgerekend", "omgerekend"]
    assert out["herkomst"][0] == (
        "omgerekend: andere code sinds 2020; hetzelfde gebied had in 2020 code BU00010001 "
        "(Oost), met deze schatting"
    )


def test_table_told_apart_by_its_keys(realdata):
    typed = realdata / "odata" / "kwb_84799NED_2020" / "cbs.v3.84799NED_TypedDataSet.parquet"
    import pyarrow.parquet as pq

    assert detect_table(pq.read_schema(typed).names, "kerncijfers.parquet") == (
        "kerncijfers",
        "84799NED",
    )
    assert rivm.guess_table({2016, 2020}, {"MW00000"}) == "50090NED"
    assert rivm.guess_table({2024}, {"MW00000", "MOG0095", "MBG0095"}) == "50150NED"


# ------------------------------------------------------------------ real data: replay
@pytest.mark.realdata
@pytest.mark.slow
def test_refresh_stores_the_newest_edition_from_the_catalogue(
    httpserver, realdata, derden, monkeypatch, tmp_path
):
    """2016 and 2020 served by the replay in CBS's envelopes and read through refresh."""
    srv = serve_pdok(httpserver, realdata, replay=serve_cbs(httpserver, realdata))
    monkeypatch.setenv("WIJKGEO_CBS_URL", srv.base_url)
    monkeypatch.setenv("WIJKGEO_PDOK_URL", srv.base_url)
    results = refresh(
        [ROTTERDAM], 2024, store=tmp_path, vierkanten=False, gezondheid=True, derden_url=derden.url
    )
    assert results[0].ok, results[0].message()
    tried = [p for p, _q in derden.log if p.endswith("TableInfos")]
    assert tried[:3] == [f"/ODataFeed/odata/{t}/TableInfos" for t in rivm.tables()]
    atlas = wijkgeo.load(ROTTERDAM, 2024, store=tmp_path)
    source = atlas.local["gezondheid_bron"]
    assert sorted(set(source["jaar"])) == [2016, 2020]
    assert sorted(set(source["leeftijd"])) == ["18+", "65+"]
    assert sorted(set(source.loc[source["leeftijd"] == "65+", "jaar"])) == [2016, 2020]
    table = atlas.local["gezondheid"].set_index("code")
    assert set(table["gezondheid_tabel"]) == {"50090NED"}
    assert set(table["gezondheid_jaar"]) == {2020}
    # the names came from the table's own dimension: the fallback could check them
    buurten = table[table["level"] == "buurt"]
    held = buurten[buurten["status"] == "niet_gecontroleerd"]
    assert len(held) >= 80
    for code, value in held["eenzaam_65plus"].items():
        assert same(value, file_rows(realdata, "2020_65+", code)["Eenzaam_28"]), code
    nl = file_rows(realdata, "2020_18+", "NL01")
    assert table.at["NL00", "moeite_met_rondkomen_18plus"] == as_float(nl["MoeiteMetRondkomen_38"])
    assert table.at["NL00", "eenzaam_65plus"] == as_float(
        file_rows(realdata, "2020_65+", "NL01")["Eenzaam_28"]
    )


# ------------------------------------------------------------------ real data: import
@pytest.fixture(scope="module")
def rotterdam_store(realdata, tmp_path_factory):
    store = Store(tmp_path_factory.mktemp("rivm_store"))
    store.write_atlas(rotterdam_2024(realdata))
    return store


@pytest.mark.realdata
@pytest.mark.slow
def test_import_of_the_excel_copies(realdata, rotterdam_store):
    raw = realdata / "raw" / "rivm_50090NED"
    kc = rotterdam_kwb2020(realdata)
    for name in ("2016_65+", "2020_65+"):
        line = import_gezondheid(
            raw / f"{name}.xlsx", ROTTERDAM, store=rotterdam_store, kerncijfers_then=kc
        )
        assert line.startswith("GM0599 2024: gezondheid 50090NED")
    atlas = rotterdam_store.read_atlas(ROTTERDAM, 2024)
    table = atlas.local["gezondheid"].set_index("code")
    assert set(table["gezondheid_jaar"]) == {2020}  # the newest period is shown
    buurten = table[table["level"] == "buurt"]
    held = buurten[buurten["bron_code"].notna()]
    assert len(held) >= 80 and set(held["status"]) == {"niet_gecontroleerd"}
    for code, value in held["eenzaam_65plus"].items():
        assert same(value, file_rows(realdata, "2020_65+", code)["Eenzaam_28"]), code
    # buurten whose area changed since 2020 get no value, and say so
    changed = buurten[buurten["bron_code"].isna()]
    assert len(changed) >= 1
    assert all("oppervlakte gewijzigd sinds 2020" in h for h in changed["herkomst"])
    assert changed["eenzaam_65plus"].isna().all()
    assert table.at["GM0599", "eenzaam_65plus"] == 56.4
    assert sorted(set(atlas.local["gezondheid_bron"]["jaar"])) == [2016, 2020]


@pytest.mark.realdata
@pytest.mark.slow
def test_csv_and_parquet_copies_read_like_the_excel(realdata, tmp_path):
    frame = excel(realdata, "2020_65+")
    mine = ("GM0599", "WK0599", "BU0599", "NL")
    part = frame[frame["WijkenEnBuurten"].astype(str).str.startswith(mine)]
    part.to_csv(tmp_path / "gezondheid.csv", sep=";", index=False)
    part.astype(str).to_parquet(tmp_path / "50090NED_TypedDataSet.parquet")
    want = read_gezondheid_file(realdata / "raw" / "rivm_50090NED" / "2020_65+.xlsx", ROTTERDAM)
    for name in ("gezondheid.csv", "50090NED_TypedDataSet.parquet"):
        got = read_gezondheid_file(tmp_path / name, ROTTERDAM)
        pd.testing.assert_series_equal(
            got.set_index("code")["eenzaam"], want.set_index("code")["eenzaam"]
        )


@pytest.mark.realdata
def test_other_tables_and_other_gemeenten_are_refused(realdata, tmp_path):
    kwb = realdata / "odata" / "kwb_84799NED_2020" / "cbs.v3.84799NED_TypedDataSet.parquet"
    with pytest.raises(DataValidationError, match=r"Kerncijfers wijken en buurten.*84799NED"):
        read_gezondheid_file(kwb, ROTTERDAM)
    other = pd.DataFrame(
        {
            "ID": [1],
            "Leeftijd": ["20300"],
            "Marges": ["MW00000"],
            "WijkenEnBuurten": ["GM0599    "],
            "Perioden": ["2020JJ00"],
            "Roker_11": [20.0],
        }
    )
    other.to_csv(tmp_path / "50130NED.csv", index=False)
    with pytest.raises(DataValidationError, match=r"andere tabel.*50130NED"):
        read_gezondheid_file(tmp_path / "50130NED.csv", ROTTERDAM)
    small = excel(realdata, "2020_65+").head(40)  # Aa en Hunze only
    small.to_csv(tmp_path / "rivm.csv", index=False)
    with pytest.raises(DataValidationError, match="geen rijen van gemeente GM0599"):
        read_gezondheid_file(tmp_path / "rivm.csv", ROTTERDAM)


@pytest.mark.realdata
def test_cli_import_refuses_a_kerncijfers_table_by_id(realdata, tmp_path):
    kwb = realdata / "odata" / "kwb_84799NED_2020" / "cbs.v3.84799NED_TypedDataSet.parquet"
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "wijkgeo.cli",
            "import",
            str(kwb),
            "--gemeente",
            ROTTERDAM,
            "--store",
            str(tmp_path),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 2, proc.stderr
    assert "84799NED" in proc.stderr and "Traceback" not in proc.stderr


@pytest.mark.realdata
@pytest.mark.slow
def test_rotterdam_map_and_profile_say_schatting_with_year(realdata, rotterdam_store):
    """After the import test: the map payload and a profile page of a real Rotterdam buurt."""
    from wijkgeo.maps.data import estimate_entries
    from wijkgeo.profile.content import ProfileData

    atlas = rotterdam_store.read_atlas(ROTTERDAM, 2024)
    if "gezondheid" not in atlas.local:  # run alone: import first
        import_gezondheid(
            realdata / "raw" / "rivm_50090NED" / "2020_65+.xlsx",
            ROTTERDAM,
            store=rotterdam_store,
            kerncijfers_then=rotterdam_kwb2020(realdata),
        )
        atlas = rotterdam_store.read_atlas(ROTTERDAM, 2024)
    est, herkomst = estimate_entries(["eenzaam_65plus"], atlas.buurten, atlas.local)
    assert est["eenzaam_65plus"] == {"year": 2020}  # 50090NED publishes no bounds
    i = list(atlas.buurten["buurtcode"]).index("BU05990111")
    assert herkomst[i] == "grens niet gecontroleerd: code en naam gelijk aan 2020"
    page = ProfileData(atlas).page("BU05990111")
    row = next(r for t in page["themes"] for r in t["rows"] if r["key"] == "eenzaam_65plus")
    assert row["label"] == "Eenzaam, 65+ (schatting 2020) · grens niet gecontroleerd"
    assert row["value"] == "59,5%" and row["note"] == "marge niet gepubliceerd"


@pytest.mark.realdata
def test_a_refresh_without_gezondheid_keeps_the_stored_figures(httpserver, realdata, tmp_path):
    """Health figures stored before survive a refresh that does not ask for them."""
    srv = serve_pdok(httpserver, realdata, replay=serve_cbs(httpserver, realdata))
    store = Store(tmp_path)
    store.write_atlas(wijkgeo.make_demo())
    fresh = wijkgeo.make_demo()
    del fresh.local["gezondheid"], fresh.local["gezondheid_bron"]
    results = refresh(
        ["GM9999"],
        2024,
        store=store,
        vierkanten=False,
        force=True,
        fetcher=lambda *a, **k: fresh,
        cbs_url=srv.base_url,
        pdok_url=srv.base_url,
    )
    assert results[0].ok, results[0].message()
    kept = store.read_atlas("GM9999", 2024).local
    assert set(kept["gezondheid"]["gezondheid_tabel"]) == {"50150NED"}
    assert kept["gezondheid"]["eenzaam_65plus"].notna().sum() >= 40


def test_import_compares_outlines_when_that_years_boundaries_are_stored(tmp_path):
    """A 50090NED-like copy (2020, on the 2020 areas) with the 2020 areas in the store: a
    buurt whose outline held takes its value, a redrawn one gets none and says why."""
    from dataclasses import replace

    from shapely import affinity

    from wijkgeo.demo.gezondheid import health_rows

    store = Store(tmp_path / "store")
    now = wijkgeo.make_demo()
    del now.local["gezondheid"], now.local["gezondheid_bron"]
    store.write_atlas(now)
    then_buurten = now.buurten.copy()
    geoms = then_buurten.geometry.to_numpy().copy()
    geoms[0] = affinity.scale(geoms[0], 0.7, 0.7)  # redrawn since 2020
    then = replace(now, buurten=then_buurten.set_geometry(geoms), meta={**now.meta, "year": 2020})
    store.write_atlas(then)
    rows, _titles = health_rows(now.gemeente, now.wijken, now.buurten, now.local)
    copy = pd.DataFrame(rows)
    copy = copy[(copy["Marges"] == "MW00000") & (copy["Perioden"] == "2024JJ00")]
    copy["Perioden"] = "2020JJ00"
    copy.to_csv(tmp_path / "gezondheid_2020.csv", index=False)
    line = import_gezondheid(tmp_path / "gezondheid_2020.csv", "GM9999", store=store)
    assert line.startswith("GM9999 2024: gezondheid 50090NED 2020 (18+, 65+)"), line
    table = store.read_atlas("GM9999", 2024).local["gezondheid"].set_index("code")
    first = now.buurten["buurtcode"].iloc[0]
    # the redrawn buurt is carried through the series from the one 2020 buurt it overlaps
    assert table.at[first, "status"] == "omgerekend"
    assert table.at[first, "bron_code"] == first
    assert table.at[first, "herkomst"].startswith("omgerekend: grens gewijzigd sinds 2020")
    src = copy[(copy["WijkenEnBuurten"].str.strip() == first) & (copy["Leeftijd"] == "80200")]
    assert table.at[first, "eenzaam_65plus"] == pytest.approx(float(src["Eenzaam_28"].iloc[0]))
    assert "omgerekend naar de huidige grenzen" in line
    others = table[(table["level"] == "buurt") & (table.index != first)]
    assert set(others["status"]) == {"gelijk"} and others["eenzaam_65plus"].notna().all()
    assert set(others["herkomst"]) == {"grens gelijk aan 2020"}


# ------------------------------------------- real data: changed buurten through the series
@pytest.fixture(scope="module")
def rotterdam_two_years(realdata, tmp_path_factory):
    """Rotterdam 2024 and its 2020 areas (:func:`_rivm.rotterdam_2020_atlas`) in one store."""
    from _rivm import rotterdam_2020_atlas

    store = Store(tmp_path_factory.mktemp("rivm_jaren"))
    now = rotterdam_2024(realdata)
    store.write_atlas(now)
    store.write_atlas(rotterdam_2020_atlas(realdata, now))
    return store


@pytest.mark.realdata
@pytest.mark.slow
def test_rotterdam_changed_buurten_get_carried_values_held_ones_equal_the_file(
    realdata, rotterdam_two_years
):
    """With the 2020 areas stored: the 84 buurten whose outline held show the file's 2020
    value exactly; the 7 redrawn ones get a value carried through the series (teller and
    noemer by their 65+ inhabitants of 2020), marked omgerekend and naming their sources."""
    from _rivm import kerncijfers2020

    line = import_gezondheid(
        realdata / "raw" / "rivm_50090NED" / "2020_65+.xlsx", ROTTERDAM, store=rotterdam_two_years
    )
    assert "91 van 91 buurten met cijfers (7 omgerekend naar de huidige grenzen)" in line, line
    table = rotterdam_two_years.read_atlas(ROTTERDAM, 2024).local["gezondheid"]
    table = table.set_index("code")
    buurten = table[table["level"] == "buurt"]
    held = buurten[buurten["status"] == "gelijk"]
    assert len(held) == 84 and set(held["herkomst"]) == {"grens gelijk aan 2020"}
    for code, value in held["eenzaam_65plus"].items():
        assert same(value, file_rows(realdata, "2020_65+", code)["Eenzaam_28"]), code
    carried = buurten[buurten["status"] == "omgerekend"]
    assert set(carried.index) == {
        "BU05990321",  # Bospolder <-> Schiemond
        "BU05990329",
        "BU05990454",  # Schieveen + Bedrijventerrein Schieveen
        "BU05990836",  # Nieuw Crooswijk <-> Kralingse Bos
        "BU05990843",
        "BU05991575",  # Wielewaal <-> Zuiderpark
        "BU05991578",
    }
    assert carried["herkomst"].str.startswith("omgerekend: grens gewijzigd sinds 2020").all()
    wielewaal = carried.loc["BU05991575"]
    assert wielewaal["bron_code"] == "BU05991575+BU05991578"
    assert (
        "(Wielewaal, Zuiderpark), naar hun inwoners van de leeftijdsgroep (65+) in 2020"
        in (wielewaal["herkomst"])
    )
    kc = kerncijfers2020(realdata).set_index("code")["aantal_personen_65_jaar_en_ouder"]
    for code, row in carried.iterrows():
        sources = row["bron_code"].split("+")
        vals = [as_float(file_rows(realdata, "2020_65+", s)["Eenzaam_28"]) for s in sources]
        vals = [v for v, s in zip(vals, sources, strict=True) if kc[s] > 0]
        # a weighted mean of its sources, never outside them
        assert min(vals) - 1e-9 <= row["eenzaam_65plus"] <= max(vals) + 1e-9, code
    # the Bedrijventerrein had no 65+ inhabitants: Schieveen keeps Schieveen's estimate
    assert carried.at["BU05990454", "eenzaam_65plus"] == pytest.approx(
        as_float(file_rows(realdata, "2020_65+", "BU05990454")["Eenzaam_28"])
    )
    assert table.at["NL00", "eenzaam_65plus"] == as_float(
        file_rows(realdata, "2020_65+", "NL01")["Eenzaam_28"]
    )


@pytest.mark.realdata
@pytest.mark.slow
def test_cli_excel_only_import_for_rotterdam_with_the_national_reference(
    httpserver, realdata, tmp_path
):
    """The README's route for a real user: the national reference of 2020 stored once
    (``wijkgeo refresh --nederland --jaar 2020``, here from a replay of CBS), then only the
    Excel copy imported: Rotterdam's buurten get their 2020 values by code and name
    (``grens niet gecontroleerd``); the redrawn ones none, with the command that fixes it."""
    from _replay_national import serve_national

    replay = serve_national(httpserver, realdata)
    store = Store(tmp_path / "store")
    store.write_atlas(rotterdam_2024(realdata))
    env = {**__import__("os").environ, "WIJKGEO_CBS_URL": replay.cbs_url}

    def cli(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-m", "wijkgeo.cli", *args, "--store", str(store.path)],
            capture_output=True,
            text=True,
            timeout=300,
            env=env,
        )

    excel_copy = str(realdata / "raw" / "rivm_50090NED" / "2020_65+.xlsx")
    first = cli("import", excel_copy, "--gemeente", ROTTERDAM)
    assert first.returncode == 0, first.stderr
    assert "0 van 91 buurten met cijfers" in first.stdout
    assert "wijkgeo refresh --nederland --jaar 2020" in first.stdout
    ref = cli("refresh", "--nederland", "--jaar", "2020")
    assert ref.returncode == 0, ref.stderr
    second = cli("import", excel_copy, "--gemeente", ROTTERDAM)
    assert second.returncode == 0 and "Traceback" not in second.stderr, second.stderr
    assert "84 van 91 buurten met cijfers (84 met grens niet gecontroleerd)" in second.stdout
    assert f"wijkgeo refresh {ROTTERDAM} --jaar 2020" in second.stdout  # how to carry the 7
    table = store.read_atlas(ROTTERDAM, 2024).local["gezondheid"].set_index("code")
    unchecked = table[(table["level"] == "buurt") & (table["status"] == "niet_gecontroleerd")]
    for code, value in unchecked["eenzaam_65plus"].items():
        assert same(value, file_rows(realdata, "2020_65+", code)["Eenzaam_28"]), code


def test_a_redrawn_wijk_is_carried_like_a_buurt_and_nederland_stays():
    then = gpd.GeoDataFrame(
        {
            "code": ["WK000101", "WK000102", "NL00"],
            "level": ["wijk", "wijk", "nederland"],
            "naam": ["Noord", "Zuid", "Nederland"],
            "aantal_inwoners": [1000.0, 3000.0, None],
            "aantal_personen_0_tot_15_jaar": [100.0, 600.0, None],
            "aantal_personen_15_tot_25_jaar": [100.0, 200.0, None],
        },
        geometry=[box(0, 0, 100, 100), box(100, 0, 200, 100), None],
        crs="EPSG:28992",
    )
    now = gpd.GeoDataFrame(
        {"code": ["WK000103", "NL00"], "level": ["wijk", "nederland"], "naam": ["Heel", "NL"]},
        geometry=[box(0, 0, 200, 100), None],
        crs="EPSG:28992",
    )
    edition = pd.DataFrame(
        {"code": ["WK000101", "WK000102", "NL00"], "eenzaam_18plus": [40.0, 50.0, 47.0]}
    )
    out = carry_to_areas(now, edition, year=2024, indeling=2020, boundaries_then=then)
    # 18+: inwoners - 0-15 - 0.3 x 15-25 (catalog weights): 870 and 2340
    want = (40.0 * 870 + 50.0 * 2340) / (870 + 2340)
    assert out["eenzaam_18plus"][0] == pytest.approx(want)
    assert out["status"].tolist() == ["omgerekend", "zelfde_jaar"]
    assert "berekend uit de wijken van 2020 die hier lagen (Noord, Zuid)" in out["herkomst"][0]
    assert out["eenzaam_18plus"][1] == 47.0
