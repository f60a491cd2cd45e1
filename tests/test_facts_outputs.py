"""Map payload, PNG, export and profile render the fact model: for every demo buurt and several
indicators they show the facts' numbers (values, reasons, references, ranks, the earlier
year), never their own."""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pytest

import wijkgeo
from wijkgeo import text
from wijkgeo.facts import build_facts
from wijkgeo.maps.options import Overlays
from wijkgeo.maps.payload import map_payload
from wijkgeo.maps.topology import decode_vlq
from wijkgeo.series import AtlasSeries

#: A share, a rate per 1,000, a distance (lower is better) and an amount, from the KWB columns.
KEYS = [
    "aandeel_65_plus",
    "ao_uitkering_per_1000",
    "afstand_kinderdagverblijf",
    "aandeel_woningen_met_zonnestroom",
]


@pytest.fixture(scope="module")
def series():
    demo = wijkgeo.make_demo()
    old = replace(demo, meta={**demo.meta, "year": 2022})
    b = old.buurten.copy()
    b.loc[b["buurtcode"] == "BU99990201", "aantal_inwoners"] -= 40
    moved = b["buurtcode"] == "BU99990202"  # a redrawn buurt: no earlier value on the map
    b.loc[moved, "geometry"] = b.loc[moved, "geometry"].buffer(-20)
    return AtlasSeries([replace(old, buurten=b), demo])


@pytest.fixture(scope="module")
def facts(series):
    return build_facts(series, KEYS, koppelkansen=False)


def _ints(values, dec: int) -> list[int | None]:
    return [None if v is None or math.isnan(v) else round(v * 10**dec) for v in values]


def test_keys_are_registry_indicators_with_values(facts):
    table = facts.levels["buurt"].table
    for key in KEYS:
        assert table[key].notna().sum() > 20, key


def test_map_payload_shows_the_facts_numbers(series, facts):
    data = map_payload(series, KEYS, options=None, overlays=Overlays.off())
    buurt = facts.levels["buurt"]
    assert data.payload["codes"] == buurt.codes
    assert data.payload["previous"]["year"] == facts.previous_year == 2022
    notes = data.payload["previous"]["notes"]
    assert notes == [None if n is None or n != n else n for n in buurt.change["opmerking"]]
    assert any(notes)  # the redrawn buurt
    reasons = data.payload["reasons"]
    for entry in data.entries:
        key, dec, o = entry["key"], entry["dec"], entry["o"]
        shown = [None if v is None else v + o for v in decode_vlq(entry["v"])]
        assert shown == _ints(buurt.table[key], dec), key
        # the gemeente and Nederland references
        assert entry["gem"] == _ints([buurt.table[f"{key}_gemeente"].iloc[0]], dec), key
        assert [entry["nl"]] == _ints([buurt.table[f"{key}_nederland"].iloc[0]], dec), key
        # why a value is missing: the facts' reason
        for index, rows in entry["miss"].items():
            for i in rows:
                assert reasons[int(index)] == buurt.reasons[key].iloc[i], (key, i)
        # the earlier year: the facts' change (only where the boundary held)
        before = [None if v is None else v + o for v in decode_vlq(entry["prev"])]
        assert before == _ints(buurt.change[f"{key}_vorig"], dec), key
    e = next(e for e in data.entries if e["key"] == "aandeel_65_plus")
    assert decode_vlq(e["prev"]) != decode_vlq(e["v"])  # 40 fewer inhabitants in BU99990201


def test_map_wijk_values_are_the_facts_wijk_values(series, facts):
    data = map_payload(series, KEYS, overlays=Overlays.off())
    wijk = facts.levels["wijk"]
    assert data.payload["area"]["codes"] == wijk.codes
    for entry in data.entries:
        if "wv" not in entry:
            continue
        shown = [None if v is None else v + entry["o"] for v in decode_vlq(entry["wv"])]
        assert shown == _ints(wijk.table[entry["key"]], entry["dec"]), entry["key"]


def test_png_legend_counts_the_facts_values(series, facts, tmp_path):
    pytest.importorskip("matplotlib")
    from wijkgeo.maps import png
    from wijkgeo.maps.data import value_legend

    key = "aandeel_65_plus"
    pic = png(series, key, path=tmp_path / "p.png")
    buurt = facts.levels["buurt"]
    vl = value_legend(key, buurt.table[key].to_numpy(), buurt.reasons[key].to_numpy())
    assert [(r[1], r[2]) for r in pic.legend] == [(r.text, r.count) for r in vl.rows]


def test_export_holds_the_facts_numbers(series, facts):
    from wijkgeo.export import level_tables

    atlas = series.latest
    tables = level_tables(atlas)
    compared = 0
    for level, attr in (("buurt", "buurten"), ("wijk", "wijken")):
        table = facts.levels[level].table
        frame = tables[attr]
        for key in KEYS:
            if key not in frame.columns:
                continue
            got = frame[key].to_numpy(dtype=float)
            assert np.allclose(got, table[key].to_numpy(dtype=float), equal_nan=True), (level, key)
            compared += 1
        gem = tables["gemeente"]
        for key in KEYS:
            if key in gem.columns:
                assert math.isclose(gem[key].iloc[0], table[f"{key}_gemeente"].iloc[0])
    assert compared >= 4  # a one-to-one copy of a KWB column keeps the KWB column


def test_profile_shows_the_facts_values_references_ranks_and_change(series, facts):
    from wijkgeo.indicators import get_indicator
    from wijkgeo.profile.content import ProfileData

    data = ProfileData(series, koppelkansen=False)
    table = data.facts.levels["buurt"].table
    change = data.facts.levels["buurt"].change
    by_label = {
        c.removesuffix("_vorig"): get_indicator(c.removesuffix("_vorig")).label
        for c in change.columns
        if c.endswith("_vorig")
    }
    ranked = themed = changed = 0
    for code in facts.levels["buurt"].codes:
        page = data.page(code)
        for row in [r for t in page["themes"] for r in t["rows"] if r["key"] in KEYS]:
            ind = get_indicator(row["key"])
            value = table.at[code, row["key"]]
            if not math.isnan(value):
                assert row["value"] == text.bare(value, ind.unit, ind.decimals), (code, row)
            gem = table.at[code, f"{row['key']}_gemeente"]
            assert row["gemeente"] == text.bare(gem, ind.unit, ind.decimals)
            themed += 1
        for row in page["kracht"] + page["aandacht"]:
            rank = table.at[code, f"{row['key']}_rang"]
            of = table.at[code, f"{row['key']}_rang_van"]
            assert f"plaats {int(rank)} van {int(of)}" in row["rank"], (code, row)
            ranked += 1
        section = page["change"]
        for label, before, _now, _diff in (section or {}).get("rows", []):
            key = next(k for k in by_label if by_label[k] == label)
            assert before == data._fmt(key, change.at[code, f"{key}_vorig"]), (code, key)
            changed += 1
    assert themed >= 3 * len(facts.levels["buurt"].codes) and ranked > 40 and changed > 20
    # the facts the profile renders are the same numbers as those given to every output
    for key in KEYS:
        assert np.allclose(table[key].to_numpy(dtype=float),
                           facts.levels["buurt"].table[key].to_numpy(dtype=float), equal_nan=True)


def test_cell_facts_have_references_and_ranks_with_direction(facts):
    cells = facts.levels["vierkant"].table
    buurt = facts.levels["buurt"].table
    for key in ("aandeel_65_plus", "afstand_kinderdagverblijf"):
        assert (cells[f"{key}_gemeente"] == buurt[f"{key}_gemeente"].iloc[0]).all()
        ok = cells[cells[key].notna()]
        if len(ok) < 2:
            continue
        best = ok.loc[ok[f"{key}_rang"] == 1, key].iloc[0]
        # rank 1 is the most favourable: the lowest distance, the highest share here is "neutral"
        if wijkgeo.indicators.get_indicator(key).direction == "hoger_is_slechter":
            assert best == ok[key].min()
        else:
            assert best == ok[key].max()
        assert (ok[f"{key}_rang_van"] == len(ok)).all()
        diff = ok[f"{key}_verschil_gemeente"]
        assert np.allclose(diff, ok[key] - ok[f"{key}_gemeente"])


def test_level_tables_are_the_comparison_table(series, facts):
    """One computation per level, the same columns and numbers as comparison_table."""
    import pandas as pd

    from wijkgeo.indicators import comparison_table, get_indicator, rank_within

    for level in ("buurt", "wijk"):
        table = facts.levels[level].table
        expected = comparison_table(series.latest, KEYS, level=level)
        expected.index = table.index
        ranks = [c for c in table.columns if c.endswith("_rang")]
        pd.testing.assert_frame_equal(
            table.drop(columns=ranks), expected.drop(columns=ranks), check_dtype=False
        )
        # the rank of the value as shown (registry decimals): equal figures share a place
        shown = pd.DataFrame({k: np.round(table[k] * 10 ** get_indicator(k).decimals)
                              for k in KEYS})
        pd.testing.assert_frame_equal(
            table[ranks], rank_within(shown, KEYS).add_suffix("_rang"), check_dtype=False
        )


def test_bare_frames_of_several_gemeenten_compare_each_buurt_with_its_own(series):
    """Bare frames (Atlas.from_frames): references and ranks per gemeentecode."""
    from wijkgeo.atlas import Atlas

    demo = series.latest
    b = demo.buurten.copy()
    other = b["wijkcode"].astype(str).str.endswith(("00", "01"))
    b.loc[other, "gemeentecode"] = "GM9998"
    gem = pd_concat_gemeenten(demo.gemeente)
    facts = build_facts(Atlas.from_frames(b, gemeenten=gem), KEYS, koppelkansen=False,
                        levels=("buurt",))
    table = facts.levels["buurt"].table
    key = "aandeel_65_plus"
    assert facts.references.codes == ["GM9998", "GM9999"]
    from wijkgeo.indicators import compute

    own = compute(gem, [key], level="gemeente")[key].tolist()  # [Demodam, the twin]
    assert own[0] != own[1]
    assert set(table.loc[other.to_numpy(), f"{key}_gemeente"]) == {own[1]}
    assert set(table.loc[~other.to_numpy(), f"{key}_gemeente"]) == {own[0]}
    assert table.loc[other.to_numpy(), f"{key}_rang"].max() <= other.sum()


def pd_concat_gemeenten(gemeente):
    import pandas as pd

    twin = gemeente.copy()
    twin["gemeentecode"] = "GM9998"
    twin["gemeentenaam"] = "Tweelingdam"
    for column in twin.columns:
        if "65_jaar_en_ouder" in column:
            twin[column] = twin[column] / 2
    return pd.concat([pd.DataFrame(gemeente), pd.DataFrame(twin)], ignore_index=True)


def _engine_ranks(ints: list, direction: str) -> list:
    """engine.js ``ranks(ind)`` for one group, in Python: place and count on the integers the
    payload carries (ties share the best place; 1 = most favourable by the direction)."""
    ok = sorted(v for v in ints if v is not None)
    out = []
    for v in ints:
        if v is None:
            out.append(None)
        elif direction == "hoger_is_slechter":
            out.append((sum(x < v for x in ok) + 1, len(ok)))
        else:
            out.append((sum(x > v for x in ok) + 1, len(ok)))
    return out


def test_map_popup_ranks_are_the_facts_ranks(series, facts):
    """The popup's "plaats 3 van 40" (engine.js ranks the payload's integers) is the rank of
    the facts and of the profile, for every demo buurt and every indicator of the map."""
    data = map_payload(series)
    table = build_facts(series, [e["key"] for e in data.entries], koppelkansen=False,
                        levels=("buurt",)).levels["buurt"].table
    checked = 0
    for entry in data.entries:
        if not entry["ok"]:
            continue
        ints = [None if v is None else v + entry["o"] for v in decode_vlq(entry["v"])]
        for i, got in enumerate(_engine_ranks(ints, entry["dir"])):
            key = entry["key"]
            rank, of = table[f"{key}_rang"].iloc[i], table[f"{key}_rang_van"].iloc[i]
            want = None if math.isnan(rank) else (int(rank), int(of))
            assert got == want, (entry["key"], i, got, want)
            checked += 1
    assert checked > 1000


def test_grid_payload_is_the_cell_facts(series, facts):
    """The map's grid layer shows the facts' cell level: the same cells (every cell over the
    gemeente, not only those in CBS's file), the same values, the facts' reasons, and for a
    registry indicator its rank among the cells and the gemeente's figure."""
    from wijkgeo.facts.model import cell_column, grid_cells
    from wijkgeo.grid.layer import cell_variables

    atlas = series.latest
    cells = facts.levels["vierkant"]
    assert cells.codes == grid_cells(atlas)["celcode"].astype(str).tolist()
    assert len(cells.codes) > len(atlas.vierkanten["500m"])  # cells without CBS figures too
    data = map_payload(series, KEYS, overlays=Overlays(koppelkansen=False))
    grid = next(layer for layer in data.payload["layers"] if layer["type"] == "grid")
    assert grid["codes"] == cells.codes
    spec = {v["key"]: v for v in cell_variables()}
    assert [v["key"] for v in grid["vars"]] == [v["key"] for v in cells.variables]
    ranked = 0
    for v in grid["vars"]:
        column = cell_column(spec[v["key"]])
        assert decode_vlq(v["v"]) == _ints(cells.table[column], v["dec"]), v["key"]
        why = decode_vlq(v["why"]) if "why" in v else [None] * len(cells.codes)
        for i, (x, r) in enumerate(zip(decode_vlq(v["v"]), why, strict=True)):
            want = cells.reasons[column].iloc[i]
            assert (grid["reasons"][r] if r is not None else None) == (None if x is not None
                                                                       else want), (column, i)
        if "rank" in v:
            assert decode_vlq(v["rank"]) == _ints(cells.table[f"{column}_rang"], 0)
            assert [v["ref"]] == _ints([cells.table[f"{column}_gemeente"].iloc[0]], v["dec"])
            ranked += 1
    assert ranked == 1
    # the counts are CBS's and the estimates atlas_grid's as published (the layer's rule
    # before it read the facts: secret codes missing, nothing else), and the shares are those
    # of the cell facts: the same cells in the buurt-cell shares
    raw = grid_cells(atlas).set_index("celcode")
    for key, column in (("inwoners_cbs", "cbs_aantal_inwoners"),
                        ("woningen_buurt", "woningvoorraad_uit_buurten")):
        want = raw[column].where(raw[column] > -99990).to_numpy(dtype=float)
        assert decode_vlq(next(v for v in grid["vars"] if v["key"] == key)["v"]) == _ints(want, 0)
    assert set(facts.cells["celcode"]) <= set(cells.codes)
    assert len(set(facts.cells["celcode"])) > len(atlas.vierkanten["500m"])


def test_a_cell_share_follows_the_small_number_rule_its_counts_do_not(facts):
    """A share of rounded counts of a few inhabitants is noise: the cell's 65+ share reads
    'te weinig inwoners' below the registry's minimum, its counts stay as CBS published them."""
    cells = facts.levels["vierkant"]
    minimum = wijkgeo.indicators.get_indicator("aandeel_65_plus").min_population
    small = (cells.table["inwoners_cbs"] < minimum) & cells.table["plus65_cbs"].notna()
    assert small.sum() >= 5
    assert cells.table.loc[small, "aandeel_65_plus"].isna().all()
    assert (cells.reasons.loc[small, "aandeel_65_plus"] == "te weinig inwoners").all()
    assert cells.table.loc[small, "inwoners_cbs"].notna().all()
    big = cells.table["inwoners_cbs"] >= minimum
    share = cells.table["plus65_cbs"] / cells.table["inwoners_cbs"] * 100
    assert np.allclose(cells.table.loc[big, "aandeel_65_plus"], share[big], equal_nan=True)
