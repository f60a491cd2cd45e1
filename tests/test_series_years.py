"""Years on today's boundaries: crosswalk, carrying, series (real Rijnmond data, properties).

The 2015 Wijk- en Buurtkaart is rebuilt as zipped shapefiles in CBS's UPPERCASE layout from
``raw/rijnmond2015`` and the 2024 GeoPackage from ``raw/nprz``; both are imported with
``wijkgeo import``, as a user would.
"""

from __future__ import annotations

import json
from itertools import pairwise

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from _kwb2015 import build_kwb2015
from _wijkbuurtkaart import build_wijkbuurtkaart
from hypothesis import given, settings
from hypothesis import strategies as st

from wijkgeo import DataValidationError
from wijkgeo.refresh import import_wijkbuurtkaart
from wijkgeo.series import carry_values, crosswalk, tijdreeks
from wijkgeo.sources.vierkant import normalize_vierkanten
from wijkgeo.store import Store

GEMEENTEN = ["GM0606", "GM0599", "GM0501", "GM0530", "GM0614", "GM1930", "GM1992"]
PREDECESSORS = ["GM0501", "GM0530", "GM0614"]  # Brielle, Hellevoetsluis, Westvoorne


@pytest.fixture(scope="module")
def rijnmond(realdata, tmp_path_factory):
    """A store with Schiedam and Voorne aan Zee (2024) and their 2015 areas, imported."""
    folder = tmp_path_factory.mktemp("rijnmond")
    z = build_kwb2015(realdata, folder / "buurt_2015.zip", gemeenten=GEMEENTEN)
    g = build_wijkbuurtkaart(realdata, folder / "WijkBuurtkaart_2024_v1.gpkg", gemeenten=GEMEENTEN)
    store = Store(folder / "store")
    for code in ["GM0606", "GM0599", "GM1930", *PREDECESSORS]:
        import_wijkbuurtkaart(z, code, 2015, store=store)
    for code in ["GM0606", "GM0599", "GM1992"]:
        import_wijkbuurtkaart(g, code, 2024, store=store)
    return store


@pytest.fixture(scope="module")
def schiedam(rijnmond):
    return tijdreeks("GM0606", "2015-2024", store=rijnmond)


def _pivot(frame, level, key):
    part = frame[(frame.niveau == level) & (frame.indicator == key)]
    return part.pivot(index="code", columns="jaar", values="waarde"), part


@pytest.mark.realdata
@pytest.mark.slow
def test_schiedam_every_2024_buurt_gets_a_2015_value(schiedam, rijnmond):
    values, part = _pivot(schiedam, "buurt", "inwoners")
    assert len(values) == 70  # Schiedam 2024: 70 buurten (52 in 2015)
    assert values[2015].notna().all()
    assert set(part.loc[part.jaar == 2015, "herkomst"]) <= {"gemeten", "omgerekend"}
    assert schiedam.attrs["ontbrekende_jaren"] == list(range(2016, 2024))
    old = rijnmond.read_atlas("GM0606", 2015).buurten.set_index("buurtcode")
    # the carried 2015 total is the 2015 buurt total
    assert values[2015].sum() == pytest.approx(old["aantal_inwoners"].sum(), rel=1e-9)
    # a share is recomputed from carried counts: between 0 and 100 and present where counted
    shares, _ = _pivot(schiedam, "buurt", "aandeel_65_plus")
    assert shares[2015].dropna().between(0, 100).all()


@pytest.mark.realdata
@pytest.mark.slow
def test_kept_areas_carry_exactly(rijnmond):
    # Schiedam redrew nearly every buurt (median IoU 0.72 for the same codes); Rotterdam kept
    # most of its 92 (91 in 2024): those carry exactly their 2015 value
    frame = tijdreeks("GM0599", [2015, 2024], store=rijnmond, indicators=["inwoners"])
    old = rijnmond.read_atlas("GM0599", 2015).buurten.set_index("buurtcode")
    part = frame[(frame.niveau == "buurt") & (frame.jaar == 2015)]
    kept = part[part.herkomst == "gemeten"]
    assert len(kept) > 60
    assert (kept["waarde"].to_numpy() == old.loc[kept.code, "aantal_inwoners"].to_numpy()).all()
    assert part["waarde"].sum() == pytest.approx(old["aantal_inwoners"].sum(), rel=1e-9)


@pytest.mark.realdata
@pytest.mark.slow
def test_voorne_aan_zee_merger_at_every_level(rijnmond):
    frame = tijdreeks("GM1992", [2015, 2024], store=rijnmond)
    olds = [rijnmond.read_atlas(c, 2015) for c in PREDECESSORS]
    # Oudenhoorn (Nissewaard in 2015, Voorne aan Zee now): found through the store as well
    nissewaard = rijnmond.read_atlas("GM1930", 2015).buurten.set_index("buurtcode")
    oudenhoorn = nissewaard.loc[["BU19303501", "BU19303502", "BU19303503"], "aantal_inwoners"]
    buurt_total = sum(a.buurten["aantal_inwoners"].sum() for a in olds) + oudenhoorn.sum()
    for level in ("buurt", "wijk", "gemeente"):
        values, _ = _pivot(frame, level, "inwoners")
        assert values[2015].notna().all(), level
        assert values[2015].sum() == pytest.approx(buurt_total, rel=0.02), level
    values, _ = _pivot(frame, "buurt", "inwoners")
    assert values[2015].sum() == pytest.approx(buurt_total, rel=0.002)
    # the gemeente row covers the current area: the three gemeenten that lie wholly inside
    # Voorne aan Zee as they are, plus Oudenhoorn's buurten from Nissewaard (~0.5 %)
    values, part = _pivot(frame, "gemeente", "inwoners")
    gem_total = sum(a.gemeente["aantal_inwoners"].sum() for a in olds)
    assert oudenhoorn.sum() > 0.003 * gem_total
    assert values.loc["GM1992", 2015] == pytest.approx(gem_total + oudenhoorn.sum(), rel=1e-9)
    assert set(part.loc[part.jaar == 2015, "herkomst"]) == {"omgerekend"}
    # whole gemeenten and whole buurten added up: said so, not "via de oppervlakte"
    assert part.loc[part.jaar == 2015, "reden"].str.startswith("opgeteld uit de hele").all()
    # a share at gemeente level is recomputed from the carried counts of the same pieces
    shares, _ = _pivot(frame, "gemeente", "aandeel_65_plus")
    assert 15 < shares.loc["GM1992", 2015] < 40
    # the wijk level: the predecessors' wijken plus Nissewaard's wijk Oudenhoorn, which lies
    # wholly inside (wijk counts are rounded to 5, the gemeente's are not)
    wijk, _ = _pivot(frame, "wijk", "inwoners")
    wijken = sum(a.wijken["aantal_inwoners"].sum() for a in olds)
    nw = rijnmond.read_atlas("GM1930", 2015).wijken.set_index("wijkcode")
    assert wijk[2015].sum() == pytest.approx(wijken + nw.loc["WK193035", "aantal_inwoners"])
    gem = frame[(frame.niveau == "gemeente") & (frame.jaar == 2015)]
    assert set(gem.code) == {"GM1992"}
    buurt15 = frame[(frame.niveau == "buurt") & (frame.jaar == 2015)]
    # all 70 codes are new (2023); where the area held, the value is re-coded, not re-estimated
    assert (buurt15.herkomst == "hercodeerd").sum() > 0
    assert "gemeten" not in set(buurt15.herkomst)


@pytest.mark.realdata
@pytest.mark.slow
def test_missing_year_and_provenance_reasons(schiedam):
    gone = schiedam[(schiedam.jaar == 2015) & (schiedam.indicator == "gemiddelde_woz_waarde")]
    assert (gone.herkomst == "ontbreekt").all()  # no WOZ in the 2015 edition
    assert gone.reden.str.contains("2015").all()
    moved = schiedam[(schiedam.herkomst == "omgerekend")]
    assert moved.reden.str.contains("oppervlakte").all()  # no cells stored: says so


@pytest.mark.realdata
@pytest.mark.slow
def test_dasymetric_crosswalk_beats_area_against_real_cells(realdata, rijnmond):
    """The 2024 100 m cells' inhabitants, summed directly into the 2015 and the 2024 buurten,
    carried across both ways: weighting by dwellings beats plain area shares."""
    nprz = realdata / "raw" / "nprz"
    cells = normalize_vierkanten(pd.read_parquet(nprz / "grid_100m_rijnmond_stats.parquet"), 100)
    cells = cells[cells["aantal_inwoners"].notna()]
    b15 = rijnmond.read_atlas("GM0606", 2015).buurten
    b24 = rijnmond.read_atlas("GM0606", 2024).buurten

    def truth(buurten):
        src, _ix, _iy, area = _cell_areas(buurten, cells)
        return pd.Series(
            np.bincount(src, weights=area, minlength=len(buurten)), index=buurten.buurtcode
        )

    t15, t24 = truth(b15), truth(b24)
    errors = {}
    for how, weights in (("oppervlakte", None), ("woningen", (cells, "aantal_woningen"))):
        err = []
        for old, new, t_old, t_new in ((b15, b24, t15, t24), (b24, b15, t24, t15)):
            cw = crosswalk(old, new, weights=weights)
            moved = cw[cw.herkomst == "omgerekend"]
            est = (moved.aandeel * t_old.reindex(moved.van).to_numpy()).groupby(moved.naar).sum()
            err.append(np.abs(est - t_new.reindex(est.index)).to_numpy())
        errors[how] = np.concatenate(err)
    assert len(errors["woningen"]) > 20
    assert errors["woningen"].mean() < 0.7 * errors["oppervlakte"].mean()


def _cell_areas(buurten, cells):
    """Inhabitants of each cell spread over the buurten by area (the direct sum)."""
    from wijkgeo.grid._kernel import grid_areas

    src, ix, iy, area = grid_areas(np.asarray(buurten.geometry.values), 100)
    b = cells.geometry.bounds
    key = pd.Series(
        cells["aantal_inwoners"].to_numpy(),
        index=pd.MultiIndex.from_arrays(
            [np.round(b.minx / 100).astype(int), np.round(b.miny / 100).astype(int)]
        ),
    )
    inh = key.reindex(pd.MultiIndex.from_arrays([ix, iy])).fillna(0).to_numpy()
    return src, ix, iy, inh * area / 10_000


# ---------------------------------------------------------------------------- crosswalk
def _frame(codes, geoms, names=None):
    data = {"buurtcode": codes}
    if names is not None:
        data["buurtnaam"] = names
    return gpd.GeoDataFrame(data, geometry=geoms, crs=28992)


def test_crosswalk_refuses_bad_frames():
    a = _frame(["BU00010001"], [shapely.box(0, 0, 10, 10)])
    far = _frame(["BU00010001"], [shapely.box(100, 100, 110, 110)])
    with pytest.raises(DataValidationError, match="overlappen nergens"):
        crosswalk(a, far)
    with pytest.raises(DataValidationError, match="coördinatenstelsel"):
        crosswalk(a.set_crs(None, allow_override=True), a)
    with pytest.raises(DataValidationError, match="graden"):
        crosswalk(a, a.set_crs(4326, allow_override=True))


def test_reused_code_is_not_the_same_area_and_no_sliver_spills():
    # old: A | B ; new: A kept, "B" now names another area (re-used code), C takes B's place
    old = _frame(
        ["BU00010001", "BU00010002"],
        [shapely.box(0, 0, 100, 100), shapely.box(100, 0, 200, 100)],
        ["Oost", "West"],
    )
    new = _frame(
        ["BU00010001", "BU00010002", "BU00010003"],
        [shapely.box(0, 0, 101, 100), shapely.box(101, 0, 200, 40), shapely.box(101, 40, 200, 100)],
        ["Oost", "Haven", "West"],
    )
    cw = crosswalk(old, new)
    kept = cw[cw.van == "BU00010001"]
    assert kept[["naar", "aandeel", "herkomst"]].values.tolist() == [["BU00010001", 1.0, "gemeten"]]
    moved = cw[cw.van == "BU00010002"].set_index("naar")
    assert set(moved.index) == {"BU00010002", "BU00010003"}  # no sliver into the kept A
    assert moved.aandeel.sum() == pytest.approx(1.0)
    assert (moved.herkomst == "omgerekend").all()


def test_a_merger_is_a_sum_and_a_split_an_estimate():
    # old: A | B | C ; new: AB (A and B merged) | C1, C2 (C split)
    old = _frame(
        ["BU00010001", "BU00010002", "BU00010003"],
        [shapely.box(0, 0, 100, 100), shapely.box(100, 0, 200, 100), shapely.box(200, 0, 300, 100)],
        ["A", "B", "C"],
    )
    new = _frame(
        ["BU00010004", "BU00010005", "BU00010006"],
        [shapely.box(0, 0, 200, 100), shapely.box(200, 0, 250, 100), shapely.box(250, 0, 300, 100)],
        ["AB", "C1", "C2"],
    )
    cw = crosswalk(old, new)
    vals = pd.DataFrame({"inwoners": [100.0, 200.0, 400.0]}, index=old.buurtcode)
    out = carry_values(vals, vals.rename(columns={"inwoners": "aantal_inwoners"}), cw,
                       level="gemeente", year=2015)  # fmt: skip
    assert out.values.loc["BU00010004", "inwoners"] == 300.0
    assert out.reden.loc["BU00010004", "inwoners"].startswith("opgeteld uit de hele gebieden")
    assert "oppervlakte" in out.reden.loc["BU00010005", "inwoners"]


_boxes = st.lists(st.integers(1, 9), min_size=1, max_size=6)


@settings(max_examples=40, deadline=None)
@given(
    old_cuts=_boxes, new_cuts=_boxes, values=st.lists(st.integers(0, 5000), min_size=7, max_size=7)
)
def test_property_carrying_conserves_totals(old_cuts, new_cuts, values):
    def strips(cuts, prefix):
        xs = np.unique(np.r_[0, np.cumsum(cuts) / np.sum(cuts) * 1000, 1000].round(3))
        codes = [f"BU0001{prefix}{i:02d}" for i in range(len(xs) - 1)]
        return _frame(codes, [shapely.box(a, 0, b, 500) for a, b in pairwise(xs)])

    old, new = strips(old_cuts, "1"), strips(new_cuts, "2")
    cw = crosswalk(old, new)
    vals = pd.DataFrame({"inwoners": np.asarray(values[: len(old)], float)}, index=old.buurtcode)
    counts = vals.rename(columns={"inwoners": "aantal_inwoners"})
    out = carry_values(vals, counts, cw, level="gemeente")
    assert out.values["inwoners"].sum() == pytest.approx(vals["inwoners"].sum(), rel=1e-9)
    assert cw.groupby("van").aandeel.sum().to_numpy() == pytest.approx(1.0)


@settings(max_examples=25, deadline=None)
@given(cuts=_boxes, values=st.lists(st.integers(0, 5000), min_size=7, max_size=7))
def test_property_unchanged_map_carries_everything_as_measured(cuts, values):
    xs = np.unique(np.r_[0, np.cumsum(cuts) / np.sum(cuts) * 1000].round(3))
    codes = [f"BU000101{i:02d}" for i in range(len(xs) - 1)]
    frame = _frame(
        codes,
        [shapely.box(a, 0, b, 500) for a, b in pairwise(xs)],
        [f"Buurt {i}" for i in range(len(codes))],
    )
    cw = crosswalk(frame, frame)
    assert (cw.herkomst == "gemeten").all() and (cw.van == cw.naar).all()
    vals = pd.DataFrame({"inwoners": np.asarray(values[: len(codes)], float)}, index=codes)
    counts = vals.rename(columns={"inwoners": "aantal_inwoners"})
    out = carry_values(vals, counts, cw, level="gemeente")
    assert (out.herkomst["inwoners"] == "gemeten").all()
    assert (out.values["inwoners"] == vals["inwoners"]).all()


# ---------------------------------------------------------------------------- command line
@pytest.mark.realdata
@pytest.mark.slow
def test_cli_tijdreeks_long_table_and_missing_years(rijnmond, schiedam, tmp_path, capsys):
    from wijkgeo.cli import main

    out = tmp_path / "schiedam.csv"
    argv = ["tijdreeks", "GM0606", "--jaren", "2015-2024", "--store", str(rijnmond.path)]
    assert main([*argv, "--uitvoer", str(out)]) == 0
    err = capsys.readouterr().err
    assert "2016" in err and "wijkgeo refresh GM0606 --jaar 2016" in err  # CBS's zipped kaart
    assert "wijkgeo refresh GM0606 --jaar 2023" in err
    table = pd.read_csv(out, sep=";", decimal=",", encoding="utf-8-sig")
    assert list(table.columns) == [
        "niveau", "code", "naam", "jaar", "indicator", "waarde", "herkomst", "reden"
    ]  # fmt: skip
    assert set(table.niveau) == {"buurt", "wijk", "gemeente"}
    assert len(table) == len(schiedam)  # the Python series gives the same frame
    assert (table.code.to_numpy() == schiedam.code.to_numpy()).all()
    inw = table[(table.indicator == "inwoners") & (table.niveau == "buurt") & (table.jaar == 2015)]
    assert inw.waarde.sum() == pytest.approx(76765, abs=40)  # rounded to whole inhabitants
    for fmt in ("xlsx", "json"):
        path = tmp_path / f"t.{fmt}"
        assert main([*argv, "--format", fmt, "--uitvoer", str(path)]) == 0
        assert path.stat().st_size > 1000
    # the years left out travel with the table, each with the command that gets it
    body = json.loads((tmp_path / "t.json").read_text(encoding="utf-8"))
    assert body["grenzen"] == 2024 and len(body["rijen"]) == len(schiedam)
    assert [m["jaar"] for m in body["ontbrekende_jaren"]] == list(range(2016, 2024))
    assert body["ontbrekende_jaren"][0]["ophalen"] == "wijkgeo refresh GM0606 --jaar 2016"
    info = pd.read_excel(tmp_path / "t.xlsx", sheet_name="Toelichting")
    row = info[info.onderwerp == "Niet in de store: 2023"]
    assert "ophalen met: wijkgeo refresh GM0606 --jaar 2023" in row.toelichting.iloc[0]
    assert main(["tijdreeks", "GM0613", "--jaren", "2015-2024", "--store", str(rijnmond.path)]) == 2
    assert "wijkgeo refresh GM0613 --jaar 2015" in capsys.readouterr().err


@pytest.mark.realdata
@pytest.mark.slow
def test_counts_carried_through_the_stored_100m_cells(realdata, rijnmond, tmp_path):
    """With the 100 m cells in the store (refresh, or the vierkanten import) the changed
    buurten are carried by dwellings, and the provenance says so."""
    from dataclasses import replace

    nprz = realdata / "raw" / "nprz"
    cells = normalize_vierkanten(pd.read_parquet(nprz / "grid_100m_rijnmond_stats.parquet"), 100)
    store = Store(tmp_path / "store")
    store.write_atlas(rijnmond.read_atlas("GM0606", 2015))
    store.write_atlas(replace(rijnmond.read_atlas("GM0606", 2024), vierkanten={"100m": cells}))
    frame = tijdreeks("GM0606", [2015, 2024], store=store, indicators=["inwoners"])
    moved = frame[(frame.herkomst == "omgerekend")]
    by_cells = moved.reden.str.contains("100 m-vierkanten \\(aantal_woningen, 2024\\)")
    # old buurten without a dwelling in any cell (harbour, industry) go by area: said so
    assert by_cells.mean() > 0.9
    assert moved.reden[~by_cells].str.contains("oppervlakte").all()
    buurt = frame[(frame.niveau == "buurt") & (frame.jaar == 2015)]
    old = store.read_atlas("GM0606", 2015).buurten["aantal_inwoners"].sum()
    assert buurt.waarde.sum() == pytest.approx(old, rel=1e-9)  # totals kept either way
