"""Local layers: reading data_sources folders by lagen.json, and every validation error."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from wijkgeo import DataValidationError
from wijkgeo.sources.local import read_local_layers

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "data_sources" / "demo"


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """A writable copy of data_sources/demo."""
    target = tmp_path / "lagen"
    shutil.copytree(DEMO, target)
    return target


def _edit(path: Path, row: int, column: str, value: str) -> None:
    """Set one cell; ``row`` counts like a spreadsheet (header = 1)."""
    lines = path.read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    cells = lines[row - 1].split(",")
    cells[header.index(column)] = value
    lines[row - 1] = ",".join(cells)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _raises(folder: Path, *parts: str, gemeente: str | None = None) -> str:
    with pytest.raises(DataValidationError) as info:
        read_local_layers(folder, gemeente=gemeente)
    msg = str(info.value)
    for part in parts:
        assert part in msg, msg
    return msg


# ----------------------------------------------------------------------------- happy path
def test_reads_the_demo_layers():
    layers = read_local_layers(DEMO, gemeente="GM9999")
    assert sorted(layers) == [
        "bewonersinitiatieven",
        "energietransitie",
        "projecten",
        "verhalen",
        "voorzieningen",
    ]
    vz = layers["voorzieningen"]
    assert vz.crs.to_epsg() == 28992
    assert list(vz.columns) == ["id", "naam", "categorie", "geometry"]
    assert vz["id"].is_unique and (vz.geom_type == "Point").all()
    assert {"huisarts", "supermarkt", "basisschool", "buurthuis"} <= set(vz["categorie"])
    x, y = vz.geometry.x, vz.geometry.y
    assert x.between(55_000, 85_000).all() and y.between(535_000, 555_000).all()
    first = vz.iloc[0]
    raw = (DEMO / "voorzieningen.csv").read_text(encoding="utf-8").splitlines()[1].split(",")
    assert (first.geometry.x, first.geometry.y) == (float(raw[3]), float(raw[4]))

    bi = layers["bewonersinitiatieven"]
    assert str(bi["startdatum"].dtype).startswith("datetime64")
    assert str(bi["einddatum"].dtype).startswith("datetime64")
    assert bi["einddatum"].isna().any()  # open-ended initiatives
    assert set(bi["status"]) == {"actief", "afgerond", "gepland"}
    assert (bi["einddatum"].dropna() >= bi.loc[bi["einddatum"].notna(), "startdatum"]).all()

    et = layers["energietransitie"]
    assert list(et.columns[:3]) == ["wijkcode", "planjaar", "strategie"]
    assert et["wijkcode"].str.fullmatch(r"WK9999\d\d").all()
    assert et["planjaar"].dtype == np.int64


def test_hostile_and_apostrophe_names_are_kept_verbatim(folder):
    # the demo itself carries no test payload (issue 24): the hostile name is planted here
    _edit(folder / "voorzieningen.csv", 3, "naam", "Buurthuis <img src=x onerror=alert(1)>")
    vz = read_local_layers(folder)["voorzieningen"]
    assert "Buurthuis <img src=x onerror=alert(1)>" in set(vz["naam"])
    assert vz["naam"].str.contains("'t Zeepaardje").any()


def test_lonlat_layers_are_projected_to_rd(folder):
    path = folder / "voorzieningen.csv"
    path.write_text(
        "id,naam,categorie,x,y\nA,Onze Lieve Vrouwetoren,buurthuis,5.38720621,52.15517440\n",
        encoding="utf-8",
    )
    config = json.loads((folder / "lagen.json").read_text(encoding="utf-8"))
    config["lagen"]["voorzieningen"]["crs"] = "EPSG:4326"
    (folder / "lagen.json").write_text(json.dumps(config), encoding="utf-8")
    pt = read_local_layers(folder)["voorzieningen"].geometry.iloc[0]
    # the RD origin (Amersfoort, Onze Lieve Vrouwetoren) is x=155000, y=463000
    assert abs(pt.x - 155_000) < 2 and abs(pt.y - 463_000) < 2


def test_excel_style_bom_and_decimal_comma_are_accepted(folder):
    path = folder / "voorzieningen.csv"
    path.write_text(
        'id,naam,categorie,x,y\nA,Huis,Huisarts,"70000,5",545000\n', encoding="utf-8-sig"
    )
    vz = read_local_layers(folder)["voorzieningen"]
    assert vz.geometry.iloc[0].x == 70000.5
    assert vz["categorie"].iloc[0] == "huisarts"


# ----------------------------------------------------------------------------------- errors
def test_missing_folder(tmp_path):
    _raises(tmp_path / "bestaat-niet", "bestaat-niet", "bestaat niet")


def test_missing_config(folder):
    (folder / "lagen.json").unlink()
    _raises(folder, "lagen.json", "ontbreekt", "kopieer")


def test_broken_config_json(folder):
    (folder / "lagen.json").write_text("{lagen: ", encoding="utf-8")
    _raises(folder, "lagen.json", "geen geldige JSON")


def test_config_unknown_type(folder):
    config = json.loads((folder / "lagen.json").read_text(encoding="utf-8"))
    config["lagen"]["voorzieningen"]["type"] = "puntjes"
    (folder / "lagen.json").write_text(json.dumps(config), encoding="utf-8")
    _raises(folder, "lagen.json", "'puntjes'", "bedoelt u 'punten'")


def test_missing_csv_file(folder):
    (folder / "voorzieningen.csv").unlink()
    _raises(folder, "voorzieningen.csv", "ontbreekt")


def test_missing_required_column(folder):
    path = folder / "voorzieningen.csv"
    text = path.read_text(encoding="utf-8").replace("categorie", "soort", 1)
    path.write_text(text, encoding="utf-8")
    _raises(folder, "voorzieningen.csv", "categorie", "ontbreekt")


def test_empty_required_value_names_the_row(folder):
    _edit(folder / "voorzieningen.csv", 4, "naam", "")
    _raises(folder, "voorzieningen.csv, rij 4", "'naam' is leeg")


def test_duplicate_id_names_the_row(folder):
    _edit(folder / "voorzieningen.csv", 6, "id", "VZ001")
    _raises(folder, "voorzieningen.csv, rij 6", "VZ001", "vaker")


def test_non_numeric_coordinate_names_the_row(folder):
    _edit(folder / "voorzieningen.csv", 3, "x", "onbekend")
    _raises(folder, "voorzieningen.csv, rij 3", "geen getal")


def test_point_outside_the_netherlands_names_the_row(folder):
    _edit(folder / "voorzieningen.csv", 5, "x", "545000")  # x and y swapped-style typo
    _raises(folder, "voorzieningen.csv, rij 5", "buiten Nederland", "omgewisseld")


def test_degrees_in_an_rd_layer_are_refused(folder):
    _edit(folder / "voorzieningen.csv", 2, "x", "4.9")
    _edit(folder / "voorzieningen.csv", 2, "y", "52.37")
    _raises(folder, "voorzieningen.csv, rij 2", "buiten Nederland", "EPSG:4326")


def test_bad_category_names_the_row(folder):
    _edit(folder / "voorzieningen.csv", 7, "categorie", "casino")
    _raises(folder, "voorzieningen.csv, rij 7", "'casino'", "kies uit")


def test_bad_date_names_the_row(folder):
    _edit(folder / "bewonersinitiatieven.csv", 3, "startdatum", "31-02-2023")
    _raises(folder, "bewonersinitiatieven.csv, rij 3", "JJJJ-MM-DD")


def test_end_before_start_names_the_row(folder):
    _edit(folder / "bewonersinitiatieven.csv", 2, "startdatum", "2024-01-01")
    _edit(folder / "bewonersinitiatieven.csv", 2, "einddatum", "2023-01-01")
    _raises(folder, "bewonersinitiatieven.csv, rij 2", "vóór startdatum")


def test_bad_status_names_the_row(folder):
    _edit(folder / "bewonersinitiatieven.csv", 4, "status", "misschien")
    _raises(folder, "bewonersinitiatieven.csv, rij 4", "'misschien'", "actief")


def test_bad_wijkcode_names_the_row(folder):
    _edit(folder / "energietransitie_wijken.csv", 3, "wijkcode", "WK12")
    _raises(folder, "energietransitie_wijken.csv, rij 3", "wijkcode 'WK12'")


def test_wijkcode_of_another_gemeente_names_the_row(folder):
    _edit(folder / "energietransitie_wijken.csv", 2, "wijkcode", "WK077211")
    _raises(folder, "energietransitie_wijken.csv, rij 2", "GM9999", gemeente="GM9999")


def test_bad_planjaar_names_the_row(folder):
    _edit(folder / "energietransitie_wijken.csv", 2, "planjaar", "binnenkort")
    _raises(folder, "energietransitie_wijken.csv, rij 2", "planjaar")
    _edit(folder / "energietransitie_wijken.csv", 2, "planjaar", "1850")
    _raises(folder, "energietransitie_wijken.csv, rij 2", "1900 en 2100")


def test_cp1252_is_detected(folder):
    (folder / "voorzieningen.csv").write_bytes(
        "id,naam,categorie,x,y\nA,Caf\xe9 \u20ac,huisarts,70000,545000\n".encode("cp1252")
    )
    assert read_local_layers(folder)["voorzieningen"]["naam"].iloc[0] == "Caf\xe9 \u20ac"


def test_a_kind_without_the_columns_it_is_read_by_is_a_warning(folder):
    """The registry of kinds (wijkgeo/kinds.json) tells validation which columns
    koppelkansen, map and profile read: a missing one warns, the layer still loads."""
    path = folder / "bewonersinitiatieven.csv"
    text = path.read_text(encoding="utf-8").replace("einddatum", "einde", 1)
    path.write_text(text, encoding="utf-8")
    spec = json.loads((folder / "lagen.json").read_text(encoding="utf-8"))
    for layer in spec["lagen"].values():
        for key in ("datums", "verplicht"):
            if isinstance(layer.get(key), list):
                layer[key] = ["einde" if c == "einddatum" else c for c in layer[key]]
        if layer.get("periode"):
            layer["periode"] = ["einde" if c == "einddatum" else c for c in layer["periode"]]
    (folder / "lagen.json").write_text(json.dumps(spec), encoding="utf-8")
    layers = read_local_layers(folder)
    warned = [p for p in layers.report.problems if p.category == "kind_column"]
    assert [p.column for p in warned] == ["einddatum"]
    assert "bewonersinitiatieven" in layers


def test_the_reader_takes_a_layer_types_defaults_from_the_kinds_registry(folder, monkeypatch):
    """What the reader fills in for a lagen.json type (the story columns) is data of its kind
    in wijkgeo/kinds.json ('inlezen'), not a list of the reader's own: change the registry
    and the reader follows."""
    from wijkgeo import kinds
    from wijkgeo.sources.local.spec import load_spec, schema

    assert "type_defaults" not in schema()
    spec = {s.name: s for s in load_spec(folder).layers}["verhalen"]
    wanted = kinds.kind("verhalen")["inlezen"]["standaard"]
    assert spec.required == wanted["verplicht"] and spec.dates == wanted["datums"]
    assert spec.allowed["bron"] == wanted["toegestaan"]["bron"]
    registry = kinds.registry()
    registry["soorten"]["verhalen"]["inlezen"]["standaard"]["toegestaan"]["bron"] = ["bewoner"]
    monkeypatch.setattr(kinds, "_registry", lambda: registry)
    _raises(folder, "verhalen", "bron")


def test_a_layer_named_like_a_kind_takes_its_types_and_values_from_the_registry(folder):
    """A layer named like a kind (wijkgeo/kinds.json) needs no type, allowed values, date or
    year columns in lagen.json: the reader takes them from the kind's one description, and
    reads the demo layers as with the keys written out; a value the kind does not know is
    refused; a layer's own keys still win."""
    from wijkgeo import kinds
    from wijkgeo.sources.local.spec import load_spec

    full = read_local_layers(DEMO, gemeente="GM9999")
    config = json.loads((folder / "lagen.json").read_text(encoding="utf-8"))
    for name in ("voorzieningen", "bewonersinitiatieven", "energietransitie", "projecten"):
        for key in ("type", "toegestaan", "datums", "jaar", "periode", "wijkcode"):
            config["lagen"][name].pop(key, None)
    (folder / "lagen.json").write_text(json.dumps(config), encoding="utf-8")
    specs = {s.name: s for s in load_spec(folder).layers}
    for name in ("voorzieningen", "bewonersinitiatieven", "energietransitie", "projecten"):
        rules = kinds.kind(name)["koppelkansen"]
        assert specs[name].kind == rules["soort"]
        assert specs[name].allowed == rules["waarden"]
    assert specs["bewonersinitiatieven"].dates == ["startdatum", "einddatum"]
    assert specs["projecten"].years == specs["projecten"].period == ["startjaar", "eindjaar"]
    assert specs["energietransitie"].wijkcode == "wijkcode"
    bare = read_local_layers(folder, gemeente="GM9999")
    for name in ("voorzieningen", "energietransitie", "projecten"):
        assert full[name].drop(columns="geometry", errors="ignore").equals(
            bare[name].drop(columns="geometry", errors="ignore")
        ), name
    starts = bare["bewonersinitiatieven"]["startdatum"]
    assert (starts == full["bewonersinitiatieven"]["startdatum"]).all()
    _edit(folder / "voorzieningen.csv", 2, "categorie", "kapsalon")
    _raises(folder, "voorzieningen", "kapsalon", "niet toegestaan")
    config["lagen"]["voorzieningen"]["toegestaan"] = {"categorie": ["kapsalon"]}
    (folder / "lagen.json").write_text(json.dumps(config), encoding="utf-8")
    msg = _raises(folder, "is niet toegestaan")  # its own list wins: the others are out now
    assert "'kapsalon' is niet toegestaan" not in msg
