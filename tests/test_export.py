"""Exports: Dutch Excel CSV, xlsx with labels, GeoPackage with a column table."""

from __future__ import annotations

import numpy as np
import openpyxl
import pandas as pd
import pyogrio
import pytest
from test_store import make_atlas

from wijkgeo import cli
from wijkgeo.export import column_labels, export, export_atlas
from wijkgeo.indicators import get_indicator
from wijkgeo.store import Store


def test_labels_come_from_the_registry():
    labels = column_labels(["aandeel_65_plus", "aantal_inwoners", "wijkcode", "iets_anders"])
    ind = get_indicator("aandeel_65_plus")
    assert labels["aandeel_65_plus"] == (ind.label, ind.unit)
    assert labels["aantal_inwoners"] == (get_indicator("inwoners").label, "inwoners")
    # the indicator has its own column: the source column keeps its name, no duplicate label
    both = column_labels(["bevolkingsdichtheid", "bevolkingsdichtheid_inwoners_per_km2"])
    assert both["bevolkingsdichtheid"][0] == get_indicator("bevolkingsdichtheid").label
    assert both["bevolkingsdichtheid_inwoners_per_km2"][0] == "bevolkingsdichtheid_inwoners_per_km2"
    assert labels["wijkcode"] == ("Wijkcode", "")
    assert labels["iets_anders"] == ("iets_anders", "")


def test_csv_for_dutch_excel(tmp_path):
    path = export_atlas(make_atlas(), tmp_path / "t.csv")
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # BOM: Excel reads UTF-8
    text = raw.decode("utf-8-sig")
    header = text.splitlines()[0].split(";")
    assert header[:8] == [
        "Niveau",
        "Gemeentecode",
        "Gemeente",
        "Wijkcode",
        "Wijk",
        "Buurtcode",
        "Buurt",
        "Inwoners",
    ]
    table = pd.read_csv(path, sep=";", decimal=",", encoding="utf-8-sig", dtype={"Wijkcode": str})
    assert table["Niveau"].tolist() == ["gemeente", "wijk", "wijk", "buurt", "buurt", "buurt"]
    assert table["Inwoners"].tolist()[:3] == [1000.0, 600.0, 400.0]
    assert np.isnan(table["Inwoners"].iloc[5])  # missing stays empty, not 0
    assert "perc_laag_inkomen" in table.columns  # not an indicator: its own name
    assert table["Wijk"].iloc[2] == "Noord 's-Hertog"
    assert set(table["water"].dropna()) == {"ja", "nee"}
    assert "12,5" in text and "12.5" not in text
    # counts are whole numbers in the file ("1000", not "1000,0"); a secret count stays empty
    gemeente_row = text.splitlines()[1].split(";")
    assert gemeente_row[header.index("Inwoners")] == "1000"
    assert text.splitlines()[6].split(";")[header.index("Inwoners")] == ""


def test_csv_international(tmp_path):
    path = export_atlas(make_atlas(), tmp_path / "t.csv", csv_dialect="international")
    table = pd.read_csv(path, encoding="utf-8-sig")
    assert table["Inwoners"].iloc[1] == 600.0


def test_xlsx_sheets_labels_and_numbers(tmp_path):
    path = export_atlas(make_atlas(), tmp_path / "t.xlsx")
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["Gemeente", "Wijken", "Buurten", "Toelichting", "Koppelkansen"]
    wijken = book["Wijken"]
    header = [c.value for c in wijken[1]]
    assert header[:2] == ["Wijkcode", "Wijk"]
    col = header.index("Inwoners") + 1
    assert wijken.cell(2, col).value == 600  # a number, not text
    assert wijken.cell(2, 1).value == "WK077200"
    info = {row[0].value: row[1].value for row in book["Toelichting"].iter_rows(min_row=2)}
    assert info["aantal_inwoners"] == "Inwoners"


def test_gpkg_keeps_names_and_adds_column_table(tmp_path):
    path = export_atlas(make_atlas(), tmp_path / "t.gpkg")
    layers = dict(pyogrio.list_layers(path))
    assert {"gemeente", "wijken", "buurten", "vierkanten_500m", "kolommen"} <= set(layers)
    wijken = pyogrio.read_dataframe(path, layer="wijken")
    assert wijken.crs.to_epsg() == 28992
    assert wijken["lokale_voorzieningen"].tolist() == [1.0, 1.0]
    kolommen = pyogrio.read_dataframe(path, layer="kolommen", read_geometry=False)
    assert dict(zip(kolommen["kolom"], kolommen["label"], strict=True))["wijkcode"] == "Wijkcode"


def test_export_from_store_and_cli(tmp_path, capsys):
    store = tmp_path / "store"
    Store(store).write_atlas(make_atlas())
    path = export("772", 2024, "xlsx", tmp_path, store=store)
    assert path == tmp_path / "GM0772_2024.xlsx" and path.is_file()
    out = tmp_path / "e.csv"
    argv = ["export", "GM0772", "--jaar", "2024", "--format", "csv", "--uitvoer", str(out)]
    assert cli.main([*argv, "--store", str(store)]) == 0
    assert out.read_text(encoding="utf-8-sig").startswith("Niveau;")
    assert cli.main(["export", "GM0392", "--jaar", "2024", "--store", str(store)]) == 2
    assert "wijkgeo refresh GM0392 --jaar 2024" in capsys.readouterr().err
    with pytest.raises(cli.ConfigError):
        export("GM0772", 2024, "pdf", store=store)


def test_statistics_columns_get_cbs_titles_from_the_atlas(tmp_path):
    import wijkgeo

    atlas = wijkgeo.make_demo()
    assert atlas.meta["kolommen"]["mannen"]["title"] == "Mannen"
    path = export_atlas(atlas, tmp_path / "demo.csv")
    header = path.read_text(encoding="utf-8-sig").splitlines()[0].split(";")
    assert "Mannen (aantal)" in header  # CBS title + unit, not the bare column name
    assert "mannen" not in header
    # and it survives the store
    Store(tmp_path / "store").write_atlas(atlas)
    again = wijkgeo.load("GM9999", 2024, store=tmp_path / "store")
    assert again.meta["kolommen"]["mannen"] == atlas.meta["kolommen"]["mannen"]
