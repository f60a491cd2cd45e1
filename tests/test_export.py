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
    # the indicator has its own column: the source column gets its own words, not the label
    both = column_labels(["bevolkingsdichtheid", "bevolkingsdichtheid_inwoners_per_km2"])
    assert both["bevolkingsdichtheid"][0] == get_indicator("bevolkingsdichtheid").label
    assert both["bevolkingsdichtheid_inwoners_per_km2"][0] == "Bevolkingsdichtheid inwoners per km²"
    assert labels["wijkcode"] == ("Wijkcode", "")
    assert labels["iets_anders"] == ("Iets anders", "")  # Dutch words, never the raw key


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
    assert "Percentage laag inkomen" in table.columns  # not an indicator: its name in words
    assert table["Wijk"].iloc[2] == "Noord 's-Hertog"
    assert set(table["Water"].dropna()) == {"ja", "nee"}
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


# ----------------------------------------------------------------- hostile names (OWASP)
HOSTILE = ['=HYPERLINK("http://x","klik")', "+1+1", "-2+3", "@SUM(A1)", "\t=1", "\r=1"]
_NUMBER = __import__("re").compile(r"^-?\d[\d.,]*(E-?\d+)?$")


def _hostile_atlas():
    import wijkgeo

    atlas = wijkgeo.make_demo()
    for frame, col in ((atlas.buurten, "buurtnaam"), (atlas.wijken, "wijknaam")):
        frame[col] = [HOSTILE[i % len(HOSTILE)] + f" {i}" for i in range(len(frame))]
    return atlas


def _live(value) -> bool:
    """A text cell a spreadsheet would run as a formula."""
    return (
        isinstance(value, str)
        and value[:1] in ("=", "+", "-", "@", "\t", "\r")
        and not _NUMBER.match(value)
    )


def _csv_cells(path, sep=";"):
    import csv

    with open(path, encoding="utf-8-sig", newline="") as fh:
        return [cell for row in csv.reader(fh, delimiter=sep) for cell in row]


def test_no_export_carries_a_formula(tmp_path, capsys):
    atlas = _hostile_atlas()
    csv_path = export_atlas(atlas, tmp_path / "h.csv")
    beside = tmp_path / "h_koppelkansen.csv"
    for path in (csv_path, beside):
        cells = _csv_cells(path)
        assert any(c.startswith("'=HYPERLINK") for c in cells) or path == beside
        assert not [c for c in cells if _live(c)], path
    assert any(c.startswith("'") for c in _csv_cells(beside))  # the names did reach it
    xlsx = export_atlas(atlas, tmp_path / "h.xlsx")
    book = openpyxl.load_workbook(xlsx)
    seen = 0
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)
                assert not _live(cell.value), (sheet.title, cell.coordinate, cell.value)
                seen += isinstance(cell.value, str) and cell.value.startswith("'")
    assert seen >= 2 * len(atlas.buurten)  # Buurten sheet and the Koppelkansen sheet
    # the koppelkansen CSV on the command line
    store = tmp_path / "store"
    Store(store).write_atlas(atlas)
    argv = ["koppelkansen", "GM9999", "--jaar", "2024", "--store", str(store)]
    assert cli.main([*argv, "--uitvoer", str(tmp_path / "k.csv")]) == 0
    cells = _csv_cells(tmp_path / "k.csv")
    assert any(c.startswith("'") for c in cells)
    assert not [c for c in cells if _live(c)]
    assert cli.main(argv) == 0
    out = capsys.readouterr().out
    assert "'=HYPERLINK" in out or "'+1+1" in out or "'-2+3" in out


def _known(key) -> bool:
    from wijkgeo.indicators import registry

    return key in registry()


def test_excel_headers_are_dutch_and_toelichting_has_one_row_per_column(tmp_path):
    import wijkgeo

    path = export_atlas(wijkgeo.make_demo(), tmp_path / "d.xlsx")
    book = openpyxl.load_workbook(path)
    info = [[c.value for c in row] for row in book["Toelichting"].iter_rows()]
    assert info[0] == ["Kolom", "Label", "Eenheid", "Bron", "Jaar", "Kanttekening"]
    keys = [r[0] for r in info[1:]]
    assert len(keys) == len(set(keys))  # one row per column
    assert not [r for r in info[1:] if r[0] == r[1]]  # a label, not the key again
    registry = {r[0]: r for r in info[1:] if _known(r[0])}
    caveated = [r for k, r in registry.items() if get_indicator(k).caveats]
    assert caveated and all(r[3] and r[4] and r[5] for r in caveated)  # from the registry
    for title in ("Gemeente", "Wijken", "Buurten"):
        header = [c.value for c in book[title][1]]
        assert len(header) == len(set(header)), title
        assert not [h for h in header if "_" in str(h)], title
