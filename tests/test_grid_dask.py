"""The grid interpolation on dask-geopandas partitions (by gemeente) and a 2-worker cluster."""

from __future__ import annotations

import dask_geopandas  # in the dev extra (and wijkgeo[dask]): a missing one fails, not skips
import distributed
import numpy as np
import pytest

from wijkgeo.demo import generate_country
from wijkgeo.grid import area_interpolate, cells

pytestmark = pytest.mark.slow  # a 2-worker cluster starts in a few seconds

EXT = ["aantal_inwoners", "aantal_personen_met_een_ww_uitkering_totaal"]
INT = ["percentage_personen_65_jaar_en_ouder"]


@pytest.fixture(scope="module")
def buurten():
    c = generate_country(6, seed=11, center=(150_000, 450_000), radius=(6_000, 5_000))
    b = c.buurten[["buurtcode", "gemeentecode", *EXT, *INT, "geometry"]]
    # some secret values, so the NaN bookkeeping crosses partitions too
    b.loc[b.index[::7], EXT[1]] = np.nan
    return b.sort_values("gemeentecode").reset_index(drop=True)


@pytest.fixture(scope="module")
def client():
    cluster = distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    )
    with distributed.Client(cluster) as c:
        yield c
    cluster.close()


def _by_gemeente(frame):
    """One partition per group of gemeenten: a gemeente never spans two partitions."""
    ddf = dask_geopandas.from_geopandas(frame.set_index("gemeentecode", drop=False), npartitions=3)
    assert ddf.known_divisions
    return ddf


def test_dask_source_partitioned_by_gemeente_equals_in_memory(buurten, client):
    grid = cells(buurten, 500)
    plain = area_interpolate(buurten, grid, extensive=EXT, intensive=INT)
    ddf = _by_gemeente(buurten)
    assert ddf.npartitions == 3 and len(client.scheduler_info()["workers"]) == 2
    parted = area_interpolate(ddf, grid, extensive=EXT, intensive=INT)
    assert parted.index.equals(plain.index)
    for col in [*EXT, *INT, "oppervlakte_m2"]:
        np.testing.assert_allclose(parted[col], plain[col], rtol=1e-12, atol=1e-9)
        assert parted[col].isna().equals(plain[col].isna())
    assert parted.attrs["wijkgeo_missing"][EXT[1]]["missing_measure"] == pytest.approx(
        plain.attrs["wijkgeo_missing"][EXT[1]]["missing_measure"]
    )
    # a gemeente-border cell really gets contributions from two partitions
    assert buurten[EXT[0]].sum() == pytest.approx(parted[EXT[0]].sum())


def test_dask_target_cells_to_buurten_and_dasymetric(buurten, client):
    grid = cells(buurten, 500).assign(v=lambda g: np.arange(len(g), dtype=float))
    plain = area_interpolate(grid, buurten, extensive=["v"])
    parted = area_interpolate(grid, _by_gemeente(buurten), extensive=["v"])
    np.testing.assert_allclose(
        parted.sort_values("buurtcode")["v"].to_numpy(),
        plain.sort_values("buurtcode")["v"].to_numpy(),
        rtol=1e-12,
    )
    fine = cells(buurten, 100)
    fine = fine.assign(w=np.random.default_rng(1).integers(0, 20, len(fine)).astype(float))
    a = area_interpolate(buurten, grid, extensive=EXT, weights=(fine, "w"))
    b = area_interpolate(_by_gemeente(buurten), grid, extensive=EXT, weights=(fine, "w"))
    np.testing.assert_allclose(b[EXT[0]], a[EXT[0]], rtol=1e-12, atol=1e-9)


def test_cells_of_a_dask_frame_are_the_cells_of_the_whole(buurten, client):
    whole = cells(buurten, 100)
    parted = cells(_by_gemeente(buurten), 100)
    assert parted["celcode"].tolist() == whole["celcode"].tolist()
