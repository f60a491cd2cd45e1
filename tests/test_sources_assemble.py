"""build_atlas: joining real Kerncijfers onto real PDOK boundaries."""

from __future__ import annotations

import json
import logging

import pandas as pd
import pytest
from replay import kwb_rows, pdok_features

from wijkgeo.atlas import Atlas
from wijkgeo.sources.assemble import build_atlas
from wijkgeo.sources.cbs import normalize_kerncijfers
from wijkgeo.sources.pdok import features_to_frame

pytestmark = pytest.mark.realdata


@pytest.fixture(scope="module")
def haarlem(realdata):
    props = json.loads((realdata / "odata/kwb_85984NED/DataProperties.value.json").read_text())
    rows = [r for r in kwb_rows(realdata, titles=True) if r["Codering_3"][2:6] == "0392"]
    kc = normalize_kerncijfers(rows, props)
    bounds = {
        "gemeente": features_to_frame(
            pdok_features(realdata, "gemeente", "GM0392"), "gemeente", source_crs="OGC:CRS84"
        ),
        "wijken": features_to_frame(
            pdok_features(realdata, "wijk", "GM0392"), "wijk", source_crs="OGC:CRS84"
        ),
        "buurten": features_to_frame(
            pdok_features(realdata, "buurt", "GM0392"), "buurt", source_crs="OGC:CRS84"
        ),
    }
    truth = json.loads((realdata / "groundtruth/ground_truth.json").read_text())
    return kc, bounds, truth["municipalities"]["GM0392"]


def test_haarlem_atlas_matches_ground_truth(haarlem):
    kc, bounds, truth = haarlem
    atlas = build_atlas(gemeente="392", year=2024, boundaries=bounds, kerncijfers=kc)
    assert isinstance(atlas, Atlas)
    assert atlas.code == "GM0392" and atlas.year == 2024 and atlas.name == "Haarlem"
    assert atlas.gemeente.aantal_inwoners.item() == 167636
    assert len(atlas.wijken) == 21 and len(atlas.buurten) == 6
    got = atlas.wijken.set_index("wijkcode")
    for code, exp in truth["gpkg2024_wijken"].items():
        assert got.loc[code, "wijknaam"] == exp["wijknaam"]
        assert got.loc[code, "aantal_inwoners"] == exp["aantal_inwoners"]
        assert got.loc[code, "woningvoorraad"] == exp["woningvoorraad"]
    for layer in atlas.layers().values():
        assert layer.crs.to_epsg() == 28992
    assert atlas.wijken.columns[:4].tolist() == [
        "wijkcode",
        "wijknaam",
        "gemeentecode",
        "gemeentenaam",
    ]
    assert (atlas.wijken.gemeentenaam == "Haarlem").all()
    assert atlas.buurten.columns[:5].tolist() == [
        "buurtcode",
        "buurtnaam",
        "wijkcode",
        "gemeentecode",
        "gemeentenaam",
    ]
    assert set(atlas.meta) >= {"gemeente", "year", "source", "retrieved_at"}
    assert "zonder_geometrie" not in atlas.meta
    assert atlas.nederland is None  # the kit has no Nederland row


def test_cbs_wins_and_disagreement_is_logged(haarlem, caplog):
    kc, bounds, _ = haarlem
    wijken = bounds["wijken"].copy()
    wijken.loc[wijken.wijkcode == "WK039201", "aantal_inwoners"] = 1.0
    with caplog.at_level(logging.WARNING, logger="wijkgeo.sources.assemble"):
        atlas = build_atlas(
            gemeente="GM0392", year=2024, boundaries=dict(bounds, wijken=wijken), kerncijfers=kc
        )
    assert atlas.wijken.set_index("wijkcode").loc["WK039201", "aantal_inwoners"] == 14745
    assert "aantal_inwoners (1x)" in caplog.text
    # PDOK-only columns survive the join
    assert "percentage_koopwoningen" in atlas.wijken.columns


def test_stats_without_boundary_and_nederland_row(haarlem):
    kc, bounds, _ = haarlem
    nl = pd.DataFrame(
        [{"code": "NL00", "level": "nederland", "naam": "Nederland", "aantal_inwoners": 17942942.0}]
    )
    wijken = bounds["wijken"][bounds["wijken"].wijkcode != "WK039221"]
    atlas = build_atlas(
        gemeente="GM0392",
        year=2024,
        boundaries=dict(bounds, wijken=wijken),
        kerncijfers=pd.concat([kc, nl], ignore_index=True),
        meta={"source": "test"},
    )
    assert len(atlas.wijken) == 21
    row = atlas.wijken.set_index("wijkcode").loc["WK039221"]
    assert row.geometry is None and row.aantal_inwoners > 0
    assert atlas.meta["zonder_geometrie"] == ["WK039221"]
    assert atlas.meta["source"] == "test"
    assert atlas.nederland.aantal_inwoners.item() == 17942942.0
    assert atlas.nederland.code.item() == "NL00"


def test_boundaries_only(haarlem):
    _, bounds, _ = haarlem
    atlas = build_atlas(gemeente="GM0392", year=2024, boundaries=bounds, kerncijfers=None)
    assert atlas.gemeente.aantal_inwoners.item() == 167636  # from the PDOK attributes
    assert len(atlas.wijken) == 21


def test_many_statistics_columns_join_without_fragmenting_the_frame(haarlem):
    """150 new statistics columns onto bare boundaries: pandas warned (PerformanceWarning,
    an error in this suite's config) while columns were inserted one by one."""
    import numpy as np

    kc, bounds, _truth = haarlem
    wide = pd.concat(
        [
            kc,
            pd.DataFrame(
                {f"extra_{i}": np.arange(len(kc), dtype=float) for i in range(150)}, index=kc.index
            ),
        ],
        axis=1,
    )
    bare = {k: v[[v.columns[0], "geometry"]] for k, v in bounds.items()}
    atlas = build_atlas(gemeente="GM0392", year=2024, boundaries=bare, kerncijfers=wide)
    assert {f"extra_{i}" for i in range(150)} <= set(atlas.buurten.columns)
    assert atlas.buurten.geometry.name == "geometry" and atlas.buurten.crs == "EPSG:28992"
