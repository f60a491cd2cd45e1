"""atlas_grid: interpolated buurt variables beside CBS's own cell statistics; the export layer."""

from __future__ import annotations

import numpy as np
import pyogrio
import pytest

from wijkgeo import DataValidationError
from wijkgeo.demo import make_demo
from wijkgeo.grid import atlas_grid
from wijkgeo.grid.layer import classify


@pytest.fixture(scope="module")
def atlas():
    return make_demo()


def test_interpolated_and_cbs_columns_cannot_be_confused(atlas):
    variables = ["aantal_inwoners", "percentage_personen_65_jaar_en_ouder"]
    g = atlas_grid(atlas, size=500, variables=variables)
    assert g.crs.to_epsg() == 28992 and g["celcode"].is_unique
    assert {"aantal_inwoners_uit_buurten", "percentage_personen_65_jaar_en_ouder_uit_buurten",
            "cbs_aantal_inwoners", "cbs_aantal_woningen"} <= set(g.columns)
    assert "aantal_inwoners" not in g.columns
    # every CBS cell of the atlas is in the grid, with its own value unchanged
    own = atlas.vierkanten["500m"].set_index("celcode")["aantal_inwoners"]
    mine = g.set_index("celcode")["cbs_aantal_inwoners"].reindex(own.index)
    np.testing.assert_array_equal(mine.to_numpy(), own.to_numpy())
    # the interpolated inhabitants add up to the buurten
    assert g["aantal_inwoners_uit_buurten"].sum() == pytest.approx(
        atlas.buurten["aantal_inwoners"].sum(), rel=1e-9
    )
    assert g.attrs["naming"] == {"interpolated": "_uit_buurten", "cbs": "cbs_"}


def test_variables_are_classified_from_data_and_unknown_ones_refused(atlas):
    assert classify("woningvoorraad") == "extensive"
    assert classify("gemiddelde_woningwaarde") == "intensive"
    with pytest.raises(DataValidationError, match="aantal of een gemiddelde"):
        classify("stedelijkheid")
    with pytest.raises(DataValidationError, match="ontbreken"):
        atlas_grid(atlas, variables=["bestaat_niet"])
    with pytest.raises(DataValidationError, match="100 m"):
        atlas_grid(atlas, weights="aantal_woningen")  # the demo has no 100 m cells


def test_export_writes_the_grid_layer(atlas, tmp_path):
    from wijkgeo.export import export_atlas

    path = export_atlas(atlas, tmp_path / "demo.gpkg", grid=500)
    layers = dict(pyogrio.list_layers(path))
    assert "raster_500m" in layers
    cols = pyogrio.read_info(path, layer="raster_500m")["fields"].tolist()
    assert "aantal_inwoners_uit_buurten" in cols and "cbs_aantal_inwoners" in cols
    kol = pyogrio.read_dataframe(path, layer="kolommen")
    assert "aantal_inwoners_uit_buurten" in set(kol["kolom"])
    from wijkgeo import ConfigError

    with pytest.raises(ConfigError, match="gpkg"):
        export_atlas(atlas, tmp_path / "demo.csv", grid=500)


def test_cli_export_with_raster(atlas, tmp_path, capsys):
    from wijkgeo import cli
    from wijkgeo.store import Store

    store = tmp_path / "store"
    Store(store).write_atlas(atlas)
    out = tmp_path / "demo.gpkg"
    argv = ["export", "GM9999", "--jaar", "2024", "--format", "gpkg", "--raster", "500"]
    assert cli.main([*argv, "--uitvoer", str(out), "--store", str(store)]) == 0
    assert "raster_500m" in dict(pyogrio.list_layers(out))
    bad = ["export", "GM9999", "--jaar", "2024", "--format", "csv", "--raster", "500"]
    assert cli.main([*bad, "--store", str(store)]) != 0
    assert "GeoPackage" in capsys.readouterr().err
