"""Buurten zoals deze: the national reference, the similarity profile and the peers.

Real data: the national Kerncijfers 2020 (84799NED, 13,808 buurten) from
``realdata/odata/kwb_84799NED_2020``, served in CBS's OData envelopes by
``tests/_replay_national.py`` for the refresh, and read straight from the parquet copies for
the peer checks.
"""

from __future__ import annotations

import io
import json
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from _replay_national import TABLE_2020, serve_national

from wijkgeo import cli
from wijkgeo._errors import ConfigError, DataValidationError, NotInStoreError
from wijkgeo.indicators import compute
from wijkgeo.indicators.similar import (
    compare_buurt,
    find_peers,
    load_profile,
    reference_buurten,
    similar_buurten,
)
from wijkgeo.refresh import refresh, refresh_nederland
from wijkgeo.sources.cbs import normalize_kerncijfers, with_hierarchy
from wijkgeo.store import Store

PROFILE_JSON = Path(__file__).resolve().parents[1] / "wijkgeo/indicators/kenmerken.json"
TARWEWIJK = "BU05991571"


@cache
def _national(realdata: Path) -> pd.DataFrame:
    base = realdata / "odata/kwb_84799NED_2020" / f"cbs.v3.{TABLE_2020}_"
    props = pd.read_parquet(f"{base}DataProperties.parquet").to_dict("records")
    typed = pd.read_parquet(f"{base}TypedDataSet.parquet")
    rows = typed.astype(object).where(typed.notna(), None).to_dict("records")
    dim = pd.read_parquet(f"{base}WijkenEnBuurten.parquet")
    titles = dict(zip(dim["Key"], dim["Title"], strict=True))
    for row in rows:  # what fetch_kerncijfers_nederland does with the dimension
        row["WijkenEnBuurten"] = titles.get(row["WijkenEnBuurten"], row["WijkenEnBuurten"])
    return with_hierarchy(normalize_kerncijfers(rows, props))


@pytest.fixture
def nl2020(realdata) -> pd.DataFrame:
    return _national(realdata)


# ---------------------------------------------------------------------------- reference
@pytest.mark.realdata
@pytest.mark.slow
def test_refresh_nederland_fetches_the_country_once_and_stores_it(httpserver, realdata, tmp_path):
    replay = serve_national(httpserver, realdata)
    store = Store(tmp_path / "store")
    result = refresh_nederland(2020, store=store, cbs_url=replay.cbs_url)
    assert result.ok and result.status == "created", result.message()
    assert result.buurten == 13808 and result.wijken == 3177
    # one paged request set for the whole country, never a per-gemeente filter
    data = [e for e in replay.log if "TypedDataSet" in e.path]
    assert len(data) == 2  # 17,341 rows in pages of 10,000
    assert all("$filter" not in e.query for e in replay.log)
    ref = store.read_reference(2020)
    assert (ref["level"] == "buurt").sum() == 13808
    assert ref.loc[ref["code"] == TARWEWIJK, "naam"].item() == "Tarwewijk"
    assert ref.loc[ref["code"] == TARWEWIJK, "gemeentecode"].item() == "GM0599"
    assert ref.attrs["sources"]["cbs"]["table"] == TABLE_2020
    # unchanged table: metadata only, no data requests, the file untouched
    before = store.reference_path(2020).read_bytes()
    replay.clear()
    again = refresh_nederland(2020, store=store, cbs_url=replay.cbs_url)
    assert again.status == "unchanged"
    assert replay.count("TypedDataSet") == 0
    assert store.reference_path(2020).read_bytes() == before


@pytest.mark.realdata
def test_a_failing_download_keeps_the_previous_reference(httpserver, realdata, tmp_path):
    replay = serve_national(httpserver, realdata)
    store = Store(tmp_path / "store")
    small = pd.DataFrame({"code": ["BU05991571"], "level": ["buurt"], "naam": ["Tarwewijk"]})
    store.write_reference(small, 2020, manifest_extra={"sources": {"cbs": {}}})
    before = store.reference_path(2020).read_bytes()
    replay.fail("DataProperties", 404)
    result = refresh_nederland(2020, store=store, cbs_url=replay.cbs_url)
    assert result.status == "failed" and "bewaard" in result.message()
    assert store.reference_path(2020).read_bytes() == before


@pytest.mark.realdata
@pytest.mark.slow
def test_every_refresh_brings_the_reference_along_once_per_table_version(
    httpserver, realdata, tmp_path
):
    replay = serve_national(httpserver, realdata)
    store = Store(tmp_path / "store")
    kw = {"store": store, "cbs_url": replay.cbs_url, "pdok_url": replay.base_url}
    # no 2020 boundaries in this replay: the gemeente fails, the reference is stored anyway
    (gm,) = refresh(["GM0599"], 2020, vierkanten=False, **kw)  # the reference is no result
    assert gm.gemeente == "GM0599" and gm.status == "failed"
    assert store.reference_years() == [2020]
    assert (store.read_reference(2020)["level"] == "buurt").sum() == 13808
    assert replay.count("TableInfos") == 1  # the gemeente's answer is reused


    def national():  # the whole country: the data set without a gemeente filter
        return [e for e in replay.log if "TypedDataSet" in e.path and "$filter" not in e.query]

    assert len(national()) == 2  # 17,341 rows in pages of 10,000
    before = store.reference_path(2020).read_bytes()
    replay.clear()
    refresh(["GM0599"], 2020, vierkanten=False, **kw)
    assert national() == [] and replay.count("TableInfos") == 1  # unchanged table
    assert store.reference_path(2020).read_bytes() == before
    replay.clear()
    refresh(["GM0599"], 2020, vierkanten=False, nederland=False, **kw)
    assert replay.count("TableInfos") == 1  # --zonder-nederland: only the gemeente's


@pytest.mark.realdata
@pytest.mark.slow
def test_a_failing_reference_never_fails_the_gemeente_and_a_quiet_rerun_is_silent(
    httpserver, realdata, monkeypatch, tmp_path, capfd, caplog
):
    import logging

    from test_refresh import make_server

    import wijkgeo

    server = make_server(httpserver, realdata, monkeypatch)  # 2024: a table without buurten
    argv = ["-q", "refresh", "GM0542", "--jaar", "2024", "--zonder-vierkanten"]
    argv += ["--store", str(tmp_path)]
    caplog.set_level(logging.INFO, logger="wijkgeo")
    assert cli.main(argv) == 0  # the gemeente is stored: exit 0, and a warning says why not
    (warning,) = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert "NL00 2024: MISLUKT" in warning and "de gemeenten zijn wel opgeslagen" in warning
    assert "wijkgeo refresh --nederland --jaar 2024" in warning
    assert len(wijkgeo.load("GM0542", 2024, store=tmp_path).buurten) == 6
    assert not Store(tmp_path).has_reference(2024)
    server.clear()
    caplog.clear()
    capfd.readouterr()
    assert cli.main(argv) == 0  # same table version: not asked again, nothing to say
    assert capfd.readouterr() == ("", "")
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert server.data_requests() == []
    assert cli.main([*argv, "--nederland"]) == 1  # asked for: its failure counts
    assert "1 van 2 gemeente(n) niet bijgewerkt (NL00)" in capfd.readouterr().err
    assert any("NL00 2024: MISLUKT" in r.getMessage() for r in caplog.records)


def test_refresh_without_gemeenten_needs_nederland():
    with pytest.raises(DataValidationError, match="--nederland"):
        refresh([], 2020)


def test_read_reference_names_the_command_and_the_stored_years(tmp_path):
    store = Store(tmp_path)
    store.write_reference(pd.DataFrame({"code": ["BU00010001"], "level": ["buurt"]}), 2021)
    with pytest.raises(NotInStoreError, match=r"refresh --nederland --jaar 2024.*2021"):
        store.read_reference(2024)


# ---------------------------------------------------------------------------- profile
def _profile_file(tmp_path: Path, **changes) -> Path:
    data = json.loads(PROFILE_JSON.read_text(encoding="utf-8"))
    data.update(changes)
    path = tmp_path / "profiel.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    "key", ["aandeel_niet_westers", "aantal_herkomst_buiten_europa", "perc_migratieachtergrond"]
)
def test_a_profile_naming_migration_background_is_refused(tmp_path, key):
    path = _profile_file(tmp_path, kenmerken=["inwoners", key])
    with pytest.raises(ConfigError, match="migratieachtergrond") as err:
        load_profile(path)
    assert str(path) in str(err.value)


def test_a_user_profile_cannot_shorten_the_refused_words(tmp_path):
    path = _profile_file(tmp_path, kenmerken=["inwoners", "westers_totaal"], weigeren=[])
    with pytest.raises(ConfigError, match="migratieachtergrond"):
        load_profile(path)


def test_unknown_keys_name_the_closest_and_outcomes_are_no_features(tmp_path):
    with pytest.raises(ConfigError, match="aandeel_65_plus"):
        load_profile(_profile_file(tmp_path, kenmerken=["aandeel_65plus"]))
    with pytest.raises(ConfigError, match="uitkomst"):
        load_profile(_profile_file(tmp_path, kenmerken=["inwoners", "bijstand_per_1000"]))
    with pytest.raises(ConfigError, match="schaal"):
        load_profile(_profile_file(tmp_path, kenmerken=[{"sleutel": "inwoners", "schaal": "x"}]))


def test_default_profile_is_structural_and_documented():
    prof = load_profile()
    groups = {f.group for f in prof.features}
    assert {"stedelijkheid", "omvang", "leeftijd", "huishoudens", "eigendom", "bouwjaar"} <= groups
    assert not set(prof.keys) & set(prof.outcomes)
    assert "bijstand_per_1000" in prof.outcomes
    assert "migratieachtergrond" in prof.doc.lower()


def test_cli_prints_the_active_profile(capsys, tmp_path):
    assert cli.main(["vergelijk", "--kenmerken", "--format", "json"]) == 0
    out = capsys.readouterr().out
    shown = json.loads(out)
    assert [f["sleutel"] for f in shown["kenmerken"]] == load_profile().keys
    copy = tmp_path / "kopie.json"  # the printed profile is a valid profile file
    copy.write_text(out, encoding="utf-8")
    assert load_profile(copy).keys == load_profile().keys
    own = _profile_file(tmp_path, kenmerken=["inwoners", "aandeel_65_plus"], naam="eigen")
    assert cli.main(["vergelijk", "--kenmerken", "--kenmerken-bestand", str(own)]) == 0
    out = capsys.readouterr().out
    assert "eigen" in out and "aandeel_65_plus" in out and "bevolkingsdichtheid" not in out
    bad = _profile_file(tmp_path, kenmerken=["herkomst_nederland"])
    assert cli.main(["vergelijk", "--kenmerken", "--kenmerken-bestand", str(bad)]) == 2
    assert "migratieachtergrond" in capsys.readouterr().err


# ---------------------------------------------------------------------------- peers
@cache
def _documented_space(realdata: Path) -> tuple[pd.DataFrame, np.ndarray]:
    """The weighted z-scores written out from the documented profile (kenmerken.json)."""
    data = json.loads(PROFILE_JSON.read_text(encoding="utf-8"))
    nl = _national(realdata)
    b = nl[nl["level"] == "buurt"].set_index("code")
    keys = [f["sleutel"] for f in data["kenmerken"]]
    vals = compute(b, ["inwoners", *keys], level="buurt")
    vals.index = b.index
    big = vals["inwoners"] >= data["min_inwoners"]
    feats = [
        f for f in data["kenmerken"] if vals.loc[big, f["sleutel"]].notna().sum() >= 0.5 * big.sum()
    ]
    x = pd.DataFrame(
        {
            f["sleutel"]: np.log10(1 + vals[f["sleutel"]].clip(lower=0))
            if f["schaal"] == "log"
            else vals[f["sleutel"]]
            for f in feats
        }
    )[big].dropna()
    z = (x - x.mean()) / x.std(ddof=0)
    return z, np.array([f["gewicht"] for f in feats])


def _brute_force(realdata: Path, code: str, k: int) -> tuple[list[str], np.ndarray]:
    """Every distance from ``code`` to every other buurt, sorted: the naive search."""
    z, w = _documented_space(realdata)
    d = np.sqrt((((z - z.loc[code]) ** 2) * w).sum(axis=1)).drop(code)
    d = d.sort_values(kind="stable")
    return list(d.index[:k]), d.to_numpy()[:k]


@pytest.mark.realdata
@pytest.mark.slow
def test_peers_equal_a_brute_force_search_under_the_documented_profile(nl2020, realdata):
    prof = load_profile()
    values = reference_buurten(nl2020, prof)
    res = find_peers(values, prof, k=10)
    rng = np.random.default_rng(22)
    sample = [TARWEWIJK, *rng.choice(res.codes, 25, replace=False)]
    for code in sample:
        expected_codes, expected_dist = _brute_force(realdata, code, 10)
        pos = res.position(code)
        got_codes = res.codes[res.peers[pos]].tolist()
        np.testing.assert_allclose(res.distances[pos], expected_dist, rtol=1e-9, atol=1e-9)
        assert got_codes[:9] == expected_codes[:9] or sorted(got_codes) == sorted(expected_codes)


@pytest.mark.realdata
@pytest.mark.slow
def test_no_peer_below_the_minimum_population_and_missing_features_said(nl2020):
    prof = load_profile()
    sim = similar_buurten(nl2020, k=10)
    values = reference_buurten(nl2020, prof)
    peers = pd.unique(sim.filter(like="vergelijkbaar_").to_numpy().ravel())
    peers = [p for p in peers if isinstance(p, str)]
    assert values.loc[peers, "inwoners"].min() >= prof.min_population
    small = values.index[values["inwoners"] < prof.min_population]
    assert sim.loc[small, "vergelijkbaar_1"].isna().all()
    assert sim.loc[small[0], "vergelijking"].startswith("minder dan 200 inwoners")
    # the 2020 edition leaves tenure and bouwjaar empty: left out, and said so
    assert {"aandeel_koopwoningen", "aandeel_nieuwbouw_10_jaar"} <= set(sim.attrs["weggelaten"])
    assert "Weggelaten" in sim.attrs["uitleg"] and "koopwoningen" in sim.attrs["uitleg"]


@pytest.mark.realdata
@pytest.mark.slow
def test_rotterdams_peers_come_from_several_gemeenten(nl2020):
    values = reference_buurten(nl2020)
    rotterdam = values.index[values["gemeentecode"] == "GM0599"]
    codes = pd.Series(rotterdam, index=[f"r{i}" for i in range(len(rotterdam))])
    sim = similar_buurten(nl2020, codes, k=10)
    assert list(sim.index) == list(codes.index)  # indexed like its input
    peers = sim.filter(regex=r"^vergelijkbaar_\d+$").stack().dropna()
    gemeenten = values.loc[peers.to_numpy(), "gemeentecode"]
    assert gemeenten.nunique() >= 5
    assert (gemeenten != "GM0599").mean() > 0.2
    tarwe = sim.loc[codes[codes == TARWEWIJK].index[0]]
    assert tarwe["bijstand_per_1000_van_vergelijkbaar"] == 11
    assert 1 <= tarwe["bijstand_per_1000_rang_vergelijkbaar"] <= 11


@pytest.mark.realdata
@pytest.mark.slow
def test_compare_buurt_and_the_cli_on_tarwewijk(nl2020, tmp_path, capsys):
    store = Store(tmp_path / "store")
    ref = nl2020.copy()
    ref.attrs["sources"] = {"cbs": {"table": TABLE_2020}}
    store.write_reference(ref, 2020, manifest_extra={"sources": {"cbs": {"table": TABLE_2020}}})
    cmp = compare_buurt(TARWEWIJK, 2020, k=5, store=store)
    assert cmp.table.index[0] == TARWEWIJK and len(cmp.table) == 6
    assert "Weggelaten in 2020" in cmp.explanation and TABLE_2020 in cmp.explanation
    # one reason said once for the features it leaves out (read aloud, round 3)
    assert cmp.explanation.count("geen waarden in deze tabel") == 1, cmp.explanation
    row = cmp.standing.loc["bijstand_per_1000"]
    assert row["tekst"].endswith("van de 5 vergelijkbare buurten")
    args = ["vergelijk", TARWEWIJK, "--jaar", "2020", "--store", str(store.path)]
    assert cli.main([*args, "-k", "5", "--format", "json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["naam"] == "Tarwewijk" and len(out["vergelijkbare_buurten"]) == 6
    assert cli.main([*args, "--format", "csv"]) == 0
    csv = capsys.readouterr().out.splitlines()
    assert csv[0].startswith("buurtcode,rol,afstand,naam") and len(csv) == 12
    assert cli.main(args) == 0
    assert "Buurten zoals Tarwewijk" in capsys.readouterr().out
    # a typo names the closest codes; a code of another year names that year
    assert cli.main(["vergelijk", "BU05991599", "--jaar", "2020", "--store", str(store.path)]) == 2
    assert "BU05991593" in capsys.readouterr().err
    # every buurt of Rotterdam at once, only peers elsewhere
    gm_args = ["vergelijk", "GM0599", "--jaar", "2020", "--store", str(store.path)]
    assert cli.main([*gm_args, "--format", "csv", "--andere-gemeenten"]) == 0
    table = pd.read_csv(io.StringIO(capsys.readouterr().out), index_col=0)
    assert TARWEWIJK in table.index and len(table) == 92
    assert not table["vergelijkbaar_1"].dropna().str.startswith("BU0599").any()
    assert table.loc[TARWEWIJK, "vergelijkbaar_1_gemeente"] == "'s-Gravenhage"
    store.write_reference(ref[ref["code"] != TARWEWIJK], 2021)
    assert cli.main(["vergelijk", TARWEWIJK, "--jaar", "2021", "--store", str(store.path)]) == 2
    assert "laatst gezien in 2020" in capsys.readouterr().err


@pytest.mark.realdata
@pytest.mark.slow
def test_a_wijk_is_compared_with_the_wijken_of_the_country(nl2020, tmp_path, capsys):
    charlois = "WK059915"
    values = reference_buurten(nl2020, level="wijk")
    assert values.index.name == "wijkcode" and len(values) == 3177
    cmp = compare_buurt(charlois, 2020, reference=nl2020, k=10)
    peers = cmp.table.index[1:]
    assert len(peers) == 10 and peers.str.startswith("WK").all()  # wijken, never buurten
    assert (values.loc[peers, "inwoners"] >= 200).all()
    assert values.loc[peers, "gemeentecode"].nunique() >= 3  # Rotterdam, Utrecht, ...
    assert cmp.table["afstand"].is_monotonic_increasing
    assert "wijken met minstens 200 inwoners" in cmp.explanation
    assert cmp.to_text().startswith("Wijken zoals Charlois (WK059915, Rotterdam), 2020")
    assert cmp.standing.loc["bijstand_per_1000", "tekst"].endswith("vergelijkbare wijken")
    # the same as every wijk at once
    sim = similar_buurten(values, [charlois], k=10)
    assert sim.loc[charlois, "vergelijkbaar_1"] == peers[0]
    store = Store(tmp_path)
    store.write_reference(nl2020, 2020)
    args = ["vergelijk", charlois, "--jaar", "2020", "--store", str(tmp_path)]
    assert cli.main([*args, "--format", "json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["wijk"] == charlois and len(out["vergelijkbare_wijken"]) == 11
    gm = ["vergelijk", "GM0599", "--jaar", "2020", "--niveau", "wijk", "--store", str(tmp_path)]
    assert cli.main([*gm, "--format", "csv"]) == 0
    table = pd.read_csv(io.StringIO(capsys.readouterr().out), index_col=0)
    assert table.index.name == "wijkcode" and charlois in table.index
    assert cli.main(["vergelijk", "WK059999", "--jaar", "2020", "--store", str(tmp_path)]) == 2
    assert "Wijk WK059999 staat niet in de landelijke referentie 2020" in capsys.readouterr().err


# ---------------------------------------------------------------------------- demo, profile
@cache
def _demo() -> tuple:
    import wijkgeo
    from wijkgeo.demo.demodam import national_reference

    atlas = wijkgeo.make_demo()
    return atlas, national_reference(atlas, n_gemeenten=12)


def test_demodam_reference_runs_offline_with_its_own_buurten_among_a_country():
    atlas, ref = _demo()
    buurten = ref[ref["level"] == "buurt"]
    assert set(atlas.buurten["buurtcode"]) <= set(buurten["code"])
    assert buurten["gemeentecode"].nunique() == 12
    cmp = compare_buurt(atlas.buurten["buurtcode"].iloc[3], 2024, reference=ref)
    assert len(cmp.table) == 11 and "fictieve gegevens" in cmp.explanation
    assert not cmp.result.dropped  # every feature has values in the demo


def test_profile_section_names_peers_and_the_comparison(tmp_path):
    from wijkgeo.profile import build

    atlas, ref = _demo()
    code = atlas.buurten["buurtcode"].iloc[0]
    res = build(atlas, [code], path=tmp_path, koppelkansen=False, peers=ref)
    html = res.pages[code].read_text(encoding="utf-8")
    assert "Buurten zoals deze" in html and "Welke vergelijking" in html
    assert "van de 10 vergelijkbare buurten" in html
    assert "Migratieachtergrond telt nooit mee" in html
    cmp = compare_buurt(code, 2024, reference=ref)
    first = cmp.table.iloc[1]
    assert str(first["naam"]) in html and str(first["gemeentenaam"]) in html


def test_a_wijk_page_compares_the_wijk_with_the_wijken_of_the_country(tmp_path):
    from wijkgeo.profile import build
    from wijkgeo.profile.peers import peer_context

    atlas, ref = _demo()
    code = atlas.wijken["wijkcode"].iloc[1]
    res = build(atlas, [code], path=tmp_path, koppelkansen=False, peers=ref)
    html = res.pages[code].read_text(encoding="utf-8")
    assert "Wijken zoals deze" in html and "Buurten zoals deze" not in html
    assert "wijken met minstens 200 inwoners doen mee" in html
    assert "van de 10 vergelijkbare wijken" in html and "vergelijkbare buurten" not in html
    wijk = peer_context(atlas, ref).wijk
    first = wijk.frame.at[code, "vergelijkbaar_1"]
    assert first.startswith("WK") and str(wijk.result.values.at[first, "naam"]) in html


def test_profile_without_reference_has_no_empty_section(tmp_path):
    from wijkgeo.profile import build

    atlas, _ = _demo()
    code = atlas.buurten["buurtcode"].iloc[0]
    res = build(atlas, [code], path=tmp_path / "p", koppelkansen=False, store=tmp_path / "leeg")
    page = res.pages[code].read_text(encoding="utf-8")
    assert "Buurten zoals deze" not in page  # no empty section; the log says how to fetch one


def test_an_earlier_reference_year_is_named_and_renamed_codes_not_compared(tmp_path):
    from wijkgeo.profile.peers import load_peer_context, peer_section

    atlas, ref = _demo()
    codes = atlas.buurten["buurtcode"].tolist()
    older = ref.copy()
    older.loc[older["code"] == codes[1], "naam"] = "Een heel andere buurt"
    store = Store(tmp_path)
    store.write_reference(older, 2023)
    ctx = load_peer_context(atlas, store)
    assert ctx.year == 2023 and ctx.atlas_year == 2024
    assert "andere naam" in ctx.frame.at[codes[1], "vergelijking"]
    sec = peer_section(ctx, codes[0], "X", [], [])
    assert "De landelijke cijfers van 2024 zijn er nog niet" in sec["note"]
    assert isinstance(ctx.frame.at[codes[0], "vergelijkbaar_1"], str)


@pytest.mark.slow
def test_import_of_a_national_kaart_stores_the_reference_a_regional_one_not(tmp_path):
    from wijkgeo.demo.synthetic import generate_country
    from wijkgeo.refresh import import_wijkbuurtkaart

    country = generate_country(3, seed=5)
    kaart = tmp_path / "WijkBuurtkaart_2024_v1.gpkg"
    for layer, frame in (
        ("gemeenten", country.gemeenten),
        ("wijken", country.wijken),
        ("buurten", country.buurten),
    ):
        frame.to_file(kaart, layer=layer, driver="GPKG")
    store = Store(tmp_path / "store")
    import_wijkbuurtkaart(kaart, "GM9998", 2024, store=store)
    ref = store.read_reference(2024)
    assert (ref["level"] == "buurt").sum() == len(country.buurten)
    assert ref.attrs["sources"]["wijkbuurtkaart"]["file"] == kaart.name
    regional = tmp_path / "regio.gpkg"
    country.gemeenten.to_file(regional, layer="gemeenten", driver="GPKG")
    for layer, frame in (("wijken", country.wijken), ("buurten", country.buurten)):
        frame[frame["gemeentecode"] == "GM9999"].to_file(regional, layer=layer, driver="GPKG")
    other = Store(tmp_path / "store2")
    import_wijkbuurtkaart(regional, "GM9999", 2024, store=other)
    assert not other.has_reference(2024)


# ---------------------------------------------------------------------------- map
def _plain(peers):
    """Only the indicators (no own layers, grid or koppelkansen), with or without peers."""
    from wijkgeo.maps import Overlays

    return Overlays(koppelkansen=False, grid=False, local=False, peers=peers)


def _map_payload(fmap) -> dict:
    import re

    html = fmap.get_root().render()
    found = re.search(r'<script type="application/json" id="wijkgeo-data">(.*?)</script>', html)
    return html, json.loads(found[1])


@pytest.mark.slow
def test_map_has_a_peer_view_with_the_peers_median():
    from wijkgeo.maps import build
    from wijkgeo.maps.topology import decode_vlq
    from wijkgeo.profile.peers import peer_context

    atlas, ref = _demo()
    ctx = peer_context(atlas, ref)
    keys = ["aandeel_huishoudens_laag_inkomen", "aandeel_65_plus", "bijstand_per_1000"]
    html, data = _map_payload(build(atlas, keys, overlays=_plain(ctx)))
    assert 'value="vergelijkbaar"' in html and "verschil met vergelijkbare buurten" in html
    assert data["peers"]["year"] == 2024 and not data["peers"]["other_year"]
    entry = next(e for e in data["indicators"] if e["key"] == "aandeel_huishoudens_laag_inkomen")
    medians = [None if v is None else (v + entry["o"]) / 10 ** entry["dec"] for v in
               decode_vlq(entry["pm"])]  # fmt: skip
    expected = ctx.frame["aandeel_huishoudens_laag_inkomen_mediaan_vergelijkbaar"]
    expected = expected.reindex(atlas.buurten["buurtcode"]).round(entry["dec"]).tolist()
    got = [np.nan if m is None else m for m in medians]
    np.testing.assert_allclose(got, expected)
    assert "verschil met vergelijkbare buurten" in entry["pdlegend"]
    neutral = next(e for e in data["indicators"] if e["key"] == "aandeel_65_plus")
    assert "pm" not in neutral and "geen uitkomst" in neutral["pwhy"]
    # a health estimate is not in the national Kerncijfers: said, not an all-grey legend
    _, health = _map_payload(build(atlas, ["eenzaam_65plus"], overlays=_plain(ctx)))
    entry = next(e for e in health["indicators"] if e["key"] == "eenzaam_65plus")
    assert "pm" not in entry and "niet in de landelijke tabel van 2024" in entry["pwhy"]
    _, plain = _map_payload(build(atlas, keys, overlays=_plain(None)))
    assert "peers" not in plain and "pm" not in plain["indicators"][0]


@pytest.mark.browser
def test_map_peer_view_in_chromium(tmp_path):
    from browser import browser_page, screenshot, wait_ready

    from wijkgeo.maps import build
    from wijkgeo.profile.peers import peer_context

    atlas, ref = _demo()
    ctx = peer_context(atlas, ref)
    code = atlas.buurten["buurtcode"].iloc[0]
    keys = ["aandeel_huishoudens_laag_inkomen", "aandeel_65_plus"]
    html = build(atlas, keys, overlays=_plain(ctx)).get_root().render()
    link = f"#indicator=aandeel_huishoudens_laag_inkomen&weergave=vergelijkbaar&buurt={code}"
    with browser_page(html, hash=link) as (page, _traffic):
        wait_ready(page)
        popup = page.locator(".wijkgeo-popup").inner_text()
        legend = page.locator("#wijkgeo-legend").inner_text()
        checked = page.eval_on_selector("input[value=vergelijkbaar]", "e => e.checked")
        screenshot(page, "vergelijkbare_buurten.png")
    assert checked and "Vergelijkbare buurten (mediaan)" in popup
    median = ctx.frame.at[code, "aandeel_huishoudens_laag_inkomen_mediaan_vergelijkbaar"]
    shown = np.round(median * 10) / 10  # the map rounds like the registry's decimals
    assert f"{shown:.1f}".replace(".", ",") in popup
    assert "verschil met vergelijkbare buurten" in legend


@pytest.mark.realdata
@pytest.mark.slow
def test_peers_in_other_gemeenten_only_equal_a_filtered_brute_force(nl2020, realdata):
    from dataclasses import replace

    prof = replace(load_profile(), elsewhere=True)
    values = reference_buurten(nl2020, prof)
    res = find_peers(values, prof, k=10)
    gm = values["gemeentecode"]
    z, w = _documented_space(realdata)
    rng = np.random.default_rng(7)
    amsterdam = [c for c in res.codes if c.startswith("BU0363")][:2]  # a gemeente of 480
    for code in [TARWEWIJK, *amsterdam, *rng.choice(res.codes, 10, replace=False)]:
        pos = res.position(code)
        got = res.codes[res.peers[pos]]
        assert (gm.loc[got] != gm.loc[code]).all()
        d = np.sqrt((((z - z.loc[code]) ** 2) * w).sum(axis=1))
        d = d[gm.reindex(d.index) != gm.loc[code]].sort_values(kind="stable")
        np.testing.assert_allclose(res.distances[pos], d.to_numpy()[:10], rtol=1e-9, atol=1e-9)
    sim = similar_buurten(values, [TARWEWIJK], profile=prof)
    assert "Alleen buurten in andere gemeenten" in sim.attrs["uitleg"]


# ---------------------------------------------------------------------------- attention points
def _aandacht(html: str) -> str:
    import re

    block = html[html.index('class="col aandacht"') :]
    block = block[: block.index("</div>")]
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", block))


def test_a_buurt_clearly_worse_than_its_peers_but_average_in_its_gemeente_gets_the_point(
    tmp_path,
):
    from dataclasses import replace

    from wijkgeo.profile import build
    from wijkgeo.profile.peers import peer_context

    atlas, ref = _demo()
    col, label = "perc_huishoudens_laag_inkomen", "Huishoudens met een laag inkomen"
    code = atlas.buurten["buurtcode"].iloc[2]
    gem = float(atlas.gemeente[col].iloc[0])
    buurten = atlas.buurten.copy()
    buurten.loc[buurten["buurtcode"] == code, col] = gem  # exactly the gemeente's figure
    atlas = replace(atlas, buurten=buurten)
    ref = ref.copy()
    ref.loc[ref["code"] == code, col] = gem
    peers = peer_context(atlas, ref).frame.loc[code]
    peer_codes = [peers[f"vergelijkbaar_{j}"] for j in range(1, 11)]
    ref.loc[ref["code"].isin(peer_codes), col] = gem / 2  # every peer clearly lower
    with_peers = build(atlas, [code], path=tmp_path / "a", koppelkansen=False, peers=ref)
    html = with_peers.pages[code].read_text(encoding="utf-8")
    points = _aandacht(html)
    assert label in points
    said = points[points.index(label) :]
    assert said.index("vergeleken met vergelijkbare buurten") < len(label) + 40
    assert "hoger dan alle 10 vergelijkbare buurten" in said  # not "10 van de 10"
    assert "gunstiger of ongunstiger dan minstens 8 van de 10" in html  # the rule, in words
    alone = build(atlas, [code], path=tmp_path / "b", koppelkansen=False, peers=False)
    assert label not in _aandacht(alone.pages[code].read_text(encoding="utf-8"))


def test_the_peer_rule_is_data_and_can_be_switched_off(monkeypatch):
    from wijkgeo.profile import points

    numbers = points.rule()
    assert numbers["vergelijkbaar"]["uiterste_deel"] == 0.2
    assert points.judge_peers(30.0, 15.0, 11, 11, "%", -1, numbers) == "aandacht"
    assert points.judge_peers(30.0, 15.0, 8, 11, "%", -1, numbers) is None  # worse than 7
    assert points.judge_peers(16.0, 15.0, 11, 11, "%", -1, numbers) is None  # 1 procentpunt
    numbers["vergelijkbaar"]["aan"] = False
    assert points.judge_peers(30.0, 15.0, 11, 11, "%", -1, numbers) is None


# ---------------------------------------------------------------------------- map, wijk mode
@pytest.mark.slow
def test_map_peer_view_in_wijk_mode_compares_wijken_with_wijken():
    from wijkgeo.maps import build
    from wijkgeo.maps.topology import decode_vlq
    from wijkgeo.profile.peers import peer_context

    atlas, ref = _demo()
    ctx = peer_context(atlas, ref)
    keys = ["aandeel_huishoudens_laag_inkomen", "aandeel_65_plus"]
    _, data = _map_payload(build(atlas, keys, overlays=_plain(ctx)))
    assert data["peers"]["wijken"]
    entry = data["indicators"][0]
    medians = [None if v is None else (v + entry["o"]) / 10 ** entry["dec"] for v in
               decode_vlq(entry["wpm"])]  # fmt: skip
    col = "aandeel_huishoudens_laag_inkomen_mediaan_vergelijkbaar"
    expected = ctx.wijk.frame[col].reindex(data["area"]["codes"]).round(entry["dec"])
    np.testing.assert_allclose([np.nan if m is None else m for m in medians], expected)
    assert ctx.wijk.result.values.index.name == "wijkcode"  # wijken among wijken
    buurtcodes = set(ref["code"][ref["level"] == "buurt"])
    assert not set(ctx.wijk.frame["vergelijkbaar_1"].dropna()) & buurtcodes
    assert "vergelijkbare wijken" in entry["wpdlegend"]
    assert "vergelijkbare wijken" in data["indicators"][1]["wpwhy"]


@pytest.mark.browser
def test_map_peer_view_in_wijk_mode_in_chromium(tmp_path):
    from browser import browser_page, screenshot, wait_ready

    from wijkgeo.maps import build
    from wijkgeo.profile.peers import peer_context

    atlas, ref = _demo()
    ctx = peer_context(atlas, ref)
    code = atlas.buurten["buurtcode"].iloc[0]
    wijk = atlas.buurten["wijkcode"].iloc[0]
    keys = ["aandeel_huishoudens_laag_inkomen", "aandeel_65_plus"]
    html = build(atlas, keys, overlays=_plain(ctx)).get_root().render()
    link = (
        "#indicator=aandeel_huishoudens_laag_inkomen&weergave=vergelijkbaar&gebied=wijk"
        f"&buurt={code}"
    )
    radio = "label:has(input[value=vergelijkbaar])"
    with browser_page(html, hash=link) as (page, _traffic):
        wait_ready(page)
        popup = page.locator(".wijkgeo-popup").inner_text()
        legend = page.locator("#wijkgeo-legend").inner_text()
        in_wijk_mode = page.locator(radio).inner_text()
        screenshot(page, "vergelijkbare_wijken.png")
        page.locator("input[name=wijkgeo-gebied][value=buurt]").check()
        in_buurt_mode = page.locator(radio).inner_text()
        page.locator("input[name=wijkgeo-gebied][value=wijk]").check()
        back = page.locator(radio).inner_text()
    # the view's own radio follows "Gebied": wijken are compared with wijken
    assert in_wijk_mode.strip() == "verschil met vergelijkbare wijken"
    assert in_buurt_mode.strip() == "verschil met vergelijkbare buurten"
    assert back.strip() == "verschil met vergelijkbare wijken"
    assert "Vergelijkbare wijken (mediaan)" in popup and "Deze wijk" in popup
    median = ctx.wijk.frame.at[wijk, "aandeel_huishoudens_laag_inkomen_mediaan_vergelijkbaar"]
    assert f"{np.round(median * 10) / 10:.1f}".replace(".", ",") in popup
    assert "verschil met vergelijkbare wijken" in legend
