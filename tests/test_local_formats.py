"""Every format and kind of local layer read on a small fixture, against Demodam.

CSV (``,`` ``;`` tab, decimal comma, UTF-8 with/without BOM, cp1252), ``.xlsx`` (a named
sheet), GeoJSON, GeoPackage (a named layer, another CRS), zipped Shapefile; points, lines,
polygons, tables by buurtcode, wijkcode, PC4 and PC6; personal columns; repaired geometry.
"""

from __future__ import annotations

import datetime as dt
import json
import zipfile
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
import shapely

from wijkgeo import make_demo
from wijkgeo.sources.local import check_local_layers

ROOT = Path(__file__).resolve().parents[1]
PTS = [(68814, 545355), (70585, 543300), (70591, 544255)]


@pytest.fixture(scope="module")
def demo():
    return make_demo()


def _config(folder: Path, layers: dict) -> Path:
    (folder / "lagen.json").write_text(
        json.dumps({"gemeente": "GM9999", "lagen": layers}), encoding="utf-8"
    )
    return folder


POINT_SPEC = {"type": "punten", "x": "x", "y": "y", "verplicht": ["id", "naam", "x", "y"]}


def _read(folder, demo, **kw):
    layers, report = check_local_layers(folder, atlas=demo, **kw)
    assert report.ok, report.to_text()
    return layers, report


@pytest.mark.parametrize(
    ("delim", "encoding", "decimal"),
    [(",", "utf-8", "."), (";", "cp1252", ","), ("\t", "utf-8-sig", ","), (";", "utf-8", ".")],
)
def test_csv_dialects(tmp_path, demo, delim, encoding, decimal):
    lines = [delim.join(["id", "naam", "x", "y"])]
    for i, (x, y) in enumerate(PTS):
        xs = f"{x}{decimal}5" if decimal == "," else f"{x}.5"
        if delim == "," and decimal == ",":
            xs = f'"{xs}"'
        lines.append(delim.join([f"P{i}", "Crèche Zoë", xs, str(y)]))
    (tmp_path / "p.csv").write_bytes(("\r\n".join(lines) + "\r\n").encode(encoding))
    layers, _ = _read(_config(tmp_path, {"p": {"bestand": "p.csv", **POINT_SPEC}}), demo)
    p = layers["p"]
    assert p["naam"].iloc[0] == "Crèche Zoë"
    assert p.geometry.x.tolist() == [x + 0.5 for x, _y in PTS]
    assert p.crs.to_epsg() == 28992


def test_xlsx_named_sheet_with_numbers_and_dates(tmp_path, demo):
    import openpyxl

    book = openpyxl.Workbook()
    book.active.title = "Uitleg"
    book.active.append(["Dit blad is uitleg"])
    sheet = book.create_sheet("Initiatieven")
    sheet.append(["id", "naam", "status", "startdatum", "einddatum", "x", "y"])
    sheet.append(["A", "Taalcafé", "actief", dt.datetime(2023, 5, 1), None, *PTS[0]])
    sheet.append([None, None, None, None, None, None, None])  # an empty row Excel keeps
    sheet.append(["B", "Repair Café", "Gepland", "2025-01-01", None, 70585.25, PTS[1][1]])
    book.save(tmp_path / "i.xlsx")
    spec = {
        "bestand": "i.xlsx",
        "blad": "Initiatieven",
        **POINT_SPEC,
        "datums": ["startdatum", "einddatum"],
        "toegestaan": {"status": ["actief", "gepland"]},
    }
    layers, _ = _read(_config(tmp_path, {"i": spec}), demo)
    i = layers["i"]
    assert i["startdatum"].dt.date.tolist() == [dt.date(2023, 5, 1), dt.date(2025, 1, 1)]
    assert i["status"].tolist() == ["actief", "gepland"]
    assert i.geometry.x.tolist() == [PTS[0][0], 70585.25]
    # a bad value names the Excel row (the empty row 3 counts, as in Excel)
    sheet.cell(row=4, column=3, value="misschien")
    book.save(tmp_path / "i.xlsx")
    _layers, report = check_local_layers(tmp_path, atlas=demo)
    assert [(p.row, p.category) for p in report.errors] == [(4, "not_allowed")]
    assert "[Initiatieven]" in report.errors[0].file


def _frame(kind: str):
    if kind == "punten":
        geoms = [shapely.Point(x, y) for x, y in PTS]
    elif kind == "lijnen":
        geoms = [shapely.LineString([PTS[0], PTS[1]]), shapely.LineString([PTS[1], PTS[2]])]
    else:
        geoms = [shapely.Point(x, y).buffer(50) for x, y in PTS[:2]]
    return gpd.GeoDataFrame(
        {"id": [f"F{i}" for i in range(len(geoms))], "naam": ["x"] * len(geoms)},
        geometry=geoms,
        crs=28992,
    )


@pytest.mark.parametrize("kind", ["punten", "lijnen", "vlakken"])
@pytest.mark.parametrize("fmt", ["geojson", "gpkg", "shpzip"])
def test_vector_formats_and_kinds(tmp_path, demo, kind, fmt):
    frame = _frame(kind)
    other = frame.to_crs(3857)  # a CRS with an EPSG code: reprojected to RD
    if fmt == "geojson":
        name = "f.geojson"
        frame.to_crs(4326).to_file(tmp_path / name, driver="GeoJSON")
        spec = {"bestand": name, "type": kind}
    elif fmt == "gpkg":
        name = "f.gpkg"
        frame.to_file(tmp_path / name, layer="andere", driver="GPKG")
        other.to_file(tmp_path / name, layer="mijnlaag", driver="GPKG")
        spec = {"bestand": name, "type": kind, "laag": "mijnlaag"}
    else:
        name = "f.zip"
        shp = tmp_path / "shp"
        shp.mkdir()
        other.to_file(shp / "laag.shp")
        with zipfile.ZipFile(tmp_path / name, "w") as zf:
            for part in shp.iterdir():
                zf.write(part, part.name)
        spec = {"bestand": name, "type": kind}
    layers, _ = _read(_config(tmp_path, {"f": spec}), demo)
    got = layers["f"]
    assert got.crs.to_epsg() == 28992
    assert got["id"].tolist() == frame["id"].tolist()
    err = shapely.hausdorff_distance(got.geometry.values, frame.geometry.values)
    assert np.all(err < 0.5), err


def test_geopackage_layer_that_does_not_exist_names_the_existing_ones(tmp_path, demo):
    _frame("vlakken").to_file(tmp_path / "f.gpkg", layer="projecten", driver="GPKG")
    _config(tmp_path, {"f": {"bestand": "f.gpkg", "type": "vlakken", "laag": "projecte"}})
    _layers, report = check_local_layers(tmp_path, atlas=demo)
    (p,) = report.errors
    assert p.category == "missing_layer" and "'projecten'" in p.hint


def test_xlsx_sheet_that_does_not_exist(tmp_path, demo):
    import openpyxl

    book = openpyxl.Workbook()
    book.active.title = "Blad1"
    book.save(tmp_path / "t.xlsx")
    _config(tmp_path, {"t": {"bestand": "t.xlsx", "blad": "blad 1"}})
    _layers, report = check_local_layers(tmp_path, atlas=demo)
    (p,) = report.errors
    assert p.category == "missing_sheet" and "Blad1" in p.hint


def test_tables_by_buurt_wijk_pc4_and_pc6(tmp_path, demo):
    (tmp_path / "b.csv").write_text("buurtcode;score\nbu99990200;7,5\n", encoding="utf-8")
    (tmp_path / "w.csv").write_text("wijkcode,plan\nWK999902,ja\n", encoding="utf-8")
    (tmp_path / "pc6.csv").write_text("postcode,n\n0011 ab,3\n0012CD,4\n", encoding="utf-8")
    (tmp_path / "pc4.csv").write_text("postcode,n\n0011,3\n", encoding="utf-8")
    (tmp_path / "pc.csv").write_text(
        "postcode,buurtcode\n0011AB,BU99990200\n0012CD,BU99990201\n0011,BU99990200\n",
        encoding="utf-8",
    )
    _config(
        tmp_path,
        {
            "b": {"bestand": "b.csv", "buurtcode": "buurtcode"},
            "w": {"bestand": "w.csv", "wijkcode": "wijkcode"},
            "pc6": {"bestand": "pc6.csv", "postcode": "postcode", "postcodetabel": "pc.csv"},
            "pc4": {"bestand": "pc4.csv", "postcode": "postcode", "postcodetabel": "pc.csv"},
        },
    )
    layers, _ = _read(tmp_path, demo)
    assert layers["b"]["buurtcode"].tolist() == ["BU99990200"]
    assert layers["w"]["wijkcode"].tolist() == ["WK999902"]
    assert layers["pc6"][["postcode", "buurtcode"]].values.tolist() == [
        ["0011AB", "BU99990200"],
        ["0012CD", "BU99990201"],
    ]
    assert layers["pc4"]["buurtcode"].tolist() == ["BU99990200"]


def test_lonlat_points_are_projected(tmp_path, demo):
    (tmp_path / "p.csv").write_text("id,naam,lon,lat\nA,x,4.106665,52.888449\n", encoding="utf-8")
    spec = {"bestand": "p.csv", "type": "punten", "x": "lon", "y": "lat", "crs": "EPSG:4326"}
    layers, _ = _read(_config(tmp_path, {"p": spec}), demo)
    pt = layers["p"].geometry.iloc[0]
    assert abs(pt.x - 68814) < 1 and abs(pt.y - 545355) < 1


def test_personal_columns_dropped_kept_and_unmarked_warned(tmp_path, demo):
    (tmp_path / "p.csv").write_text(
        "id,naam,x,y,contact,tel,opmerking\n"
        f"A,x,{PTS[0][0]},{PTS[0][1]},J. Jansen,06-12345678,bel 020 123 4567\n"
        f"B,y,{PTS[1][0]},{PTS[1][1]},P. Pietersen,+31 20 123 4567,\n",
        encoding="utf-8",
    )
    spec = {"bestand": "p.csv", **POINT_SPEC, "persoonsgegevens": ["contact"]}
    _config(tmp_path, {"p": spec})
    layers, report = _read(tmp_path, demo)
    assert "contact" not in layers["p"].columns
    warned = [(p.column, p.file.endswith("p.csv")) for p in report.warnings]
    assert warned == [("tel", True)], report.to_text()
    assert "telefoonnummers" in report.warnings[0].message
    kept, _ = _read(tmp_path, demo, keep_personal=True)
    assert kept["p"]["contact"].tolist() == ["J. Jansen", "P. Pietersen"]


def test_repairable_geometry_is_repaired_with_a_count(tmp_path, demo):
    x, y = PTS[0]
    bow = shapely.Polygon([(x, y), (x + 100, y + 100), (x + 100, y), (x, y + 100)])
    assert not bow.is_valid
    gdf = gpd.GeoDataFrame({"id": ["A", "B"]}, geometry=[bow, bow.buffer(0).envelope], crs=28992)
    gdf.to_file(tmp_path / "v.gpkg", driver="GPKG")
    _config(tmp_path, {"v": {"bestand": "v.gpkg", "type": "vlakken"}})
    layers, report = check_local_layers(tmp_path, atlas=demo)
    assert report.ok
    (w,) = report.warnings
    assert w.category == "repaired_geometry" and w.message.startswith("1 ongeldige")
    assert layers["v"].is_valid.all() and len(layers["v"]) == 2


def test_demo_layers_load_cleanly_against_demodam(demo):
    layers, report = check_local_layers(ROOT / "data_sources" / "demo", atlas=demo)
    assert report.problems == [], report.to_text()
    assert sorted(layers) == [
        "bewonersinitiatieven",
        "energietransitie",
        "projecten",
        "verhalen",
        "voorzieningen",
    ]
    assert len(layers["projecten"]) >= 10
    assert set(layers["projecten"].geom_type) >= {"LineString", "Polygon"}


def test_points_near_the_border_are_kept_with_a_warning(tmp_path, demo):
    outline = demo.gemeente.geometry.iloc[0]
    x0, _y0, _x1, _y1 = outline.bounds
    y = outline.representative_point().y
    (tmp_path / "p.csv").write_text(f"id,naam,x,y\nA,net buiten,{x0 - 500},{y}\n", "utf-8")
    _config(tmp_path, {"p": {"bestand": "p.csv", **POINT_SPEC}})
    layers, report = check_local_layers(tmp_path, atlas=demo)
    assert report.ok and len(layers["p"]) == 1
    assert report.warnings[0].category == "outside_area"


def test_a_whole_layer_in_the_wrong_crs_is_one_problem(tmp_path, demo):
    rows = "".join(f"P{i},x,{x},{y}\n" for i, (x, y) in enumerate(PTS))
    (tmp_path / "p.csv").write_text("id,naam,x,y\n" + rows, encoding="utf-8")
    _config(tmp_path, {"p": {"bestand": "p.csv", **POINT_SPEC, "crs": "EPSG:4326"}})
    _layers, report = check_local_layers(tmp_path, atlas=demo)
    assert [(p.category, p.row) for p in report.errors] == [("crs_mismatch", None)]
    assert "EPSG:28992" in report.errors[0].hint


def test_invisible_characters_and_nbsp_from_copy_paste_are_cleaned(tmp_path, demo):
    (tmp_path / "w.csv").write_text(
        "\ufeffwijkcode\u200b,plan\n\u00a0WK999902\u200b,ja\u00a0\n", encoding="utf-8"
    )
    _config(tmp_path, {"w": {"bestand": "w.csv", "wijkcode": "wijkcode"}})
    layers, _ = _read(tmp_path, demo)
    assert layers["w"].values.tolist() == [["WK999902", "ja"]]
