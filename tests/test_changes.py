"""Did a boundary change? Real Haarlem and Breda wijk boundaries (2014 vs 2024)."""

from __future__ import annotations

import json

import pytest
from shapely import affinity

from wijkgeo.changes import boundary_changes, comparable_codes, unchanged_codes
from wijkgeo.sources.pdok import features_to_frame

pytestmark = pytest.mark.realdata


def _wijken(realdata, name):
    feats = json.loads((realdata / "boundaries" / name).read_text())["features"]
    return features_to_frame(feats, "wijk", source_crs="OGC:CRS84")


def test_same_geometry_is_unchanged_and_a_shift_is_not(realdata):
    w = _wijken(realdata, "GM0392_wijk_2024_simplified.geojson")
    assert (boundary_changes(w, w, "wijk").status == "ongewijzigd").all()
    moved = w.copy()
    i = moved.index[moved.wijkcode == "WK039205"][0]
    moved.loc[i, "geometry"] = affinity.translate(moved.geometry[i], 400, 0)
    ch = boundary_changes(w, moved.to_crs(4326), "wijk").set_index("code")
    assert ch.loc["WK039205", "status"] == "gewijzigd"
    assert 0 < ch.loc["WK039205", "iou"] < 0.9
    assert (ch.drop("WK039205").status == "ongewijzigd").all()
    assert len(comparable_codes(ch.reset_index())) == 20


def test_haarlem_2014_2024_codes_reused_with_new_meaning(realdata):
    ch = boundary_changes(
        _wijken(realdata, "GM0392_wijk_2014_generalised_q1e3.geojson"),
        _wijken(realdata, "GM0392_wijk_2024_simplified.geojson"),
        "wijk",
    ).set_index("code")
    assert len(ch) == 21
    assert (ch.status == "nieuw").sum() == 12  # WK039210..WK039221 did not exist in 2014
    assert (ch.status == "gewijzigd").sum() == 9  # the 9 old codes now mean other areas
    assert comparable_codes(ch.reset_index()) == []
    # WK039205 (2014) lies mostly where WK039208 is in 2024: same code, other place
    assert ch.loc["WK039205", "iou"] < 0.01
    assert ch.loc["WK039205", "beste_match"] == "WK039208"


def test_breda_generalised_boundaries_need_tolerance(realdata):
    old = _wijken(realdata, "GM0758_wijk_2014_generalised_q1e3.geojson")
    new = _wijken(realdata, "GM0758_wijk_2024_simplified.geojson")  # 9 of 11 (kit is partial)
    ch = boundary_changes(old, new, "wijk", min_iou=0.55).set_index("code")
    both = ch[ch.iou.notna()]
    assert len(both) == 9
    assert (both.beste_match == both.index).all()  # each code overlaps itself most
    assert (both.status == "ongewijzigd").all()
    assert set(ch.index[ch.status == "vervallen"]) == {"WK075803", "WK075808"}
    strict = boundary_changes(old, new, "wijk")  # default 0.9: generalisation differs too much
    assert (strict.status == "ongewijzigd").sum() == 0


def test_unchanged_codes_is_the_same_answer(realdata):
    old = _wijken(realdata, "GM0392_wijk_2014_generalised_q1e3.geojson")
    new = _wijken(realdata, "GM0392_wijk_2024_simplified.geojson")
    assert unchanged_codes(old, new, "wijk") == set()
    assert unchanged_codes(new, new, "wijk") == set(new["wijkcode"])
    ch = boundary_changes(old, new, "wijk")
    assert unchanged_codes(old, new, "wijk", min_iou=0.0) == set(
        ch.loc[ch.iou.notna(), "code"]
    )
