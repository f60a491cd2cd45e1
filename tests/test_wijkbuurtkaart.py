"""The Wijk- en Buurtkaart from a file: a GeoPackage in CBS's real layout, built from the
Rotterdam-region files (all 187 buurt attributes), read and imported into the store."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from _wijkbuurtkaart import build_wijkbuurtkaart

import wijkgeo
from wijkgeo import DataValidationError
from wijkgeo.cli import main
from wijkgeo.sources import read_wijkbuurtkaart
from wijkgeo.sources.wijkbuurtkaart import file_sha256

pytestmark = [pytest.mark.realdata, pytest.mark.slow]


@pytest.fixture(scope="module")
def gpkg(realdata: Path, tmp_path_factory) -> Path:
    target = tmp_path_factory.mktemp("wbk") / "WijkBuurtkaart_2024_v1.gpkg"
    return build_wijkbuurtkaart(realdata, target)


@pytest.fixture(scope="module")
def stats(realdata: Path) -> dict[str, pd.DataFrame]:
    raw = realdata / "raw" / "nprz"
    return {
        lv: pd.read_parquet(raw / f"{lv}_2024_stats.parquet")
        for lv in ("gemeente", "wijk", "buurt")
    }


def test_read_gives_rotterdams_cbs_totals(gpkg, stats):
    atlas = read_wijkbuurtkaart(gpkg, "GM0599", 2024)
    g = stats["gemeente"]
    cbs = g[(g["gemeentecode"] == "GM0599") & (g["water"] == "NEE")].iloc[0]
    assert atlas.code == "GM0599" and atlas.name == "Rotterdam"
    assert len(atlas.gemeente) == 1  # the water='JA' row is gone
    assert atlas.gemeente["aantal_inwoners"].iloc[0] == cbs["aantal_inwoners"] == 670610
    assert atlas.gemeente["woningvoorraad"].iloc[0] == cbs["woningvoorraad"]
    w = stats["wijk"][stats["wijk"]["gemeentecode"] == "GM0599"]
    b = stats["buurt"][stats["buurt"]["gemeentecode"] == "GM0599"]
    assert len(atlas.wijken) == len(w) and len(atlas.buurten) == len(b)
    assert atlas.buurten.shape[1] >= 187  # every attribute of the kaart
    mine = atlas.wijken.set_index("wijkcode")["aantal_inwoners"]
    theirs = w.set_index("wijkcode")["aantal_inwoners"].astype(float)
    theirs = theirs.where(theirs > -99990)
    pd.testing.assert_series_equal(
        mine.sort_index(), theirs.sort_index(), check_names=False, check_dtype=False
    )
    # secrets became NaN, never -99997
    num = atlas.buurten.select_dtypes("number")
    assert not (num <= -99990).any().any() and num.isna().any().any()
    assert atlas.buurten.crs.to_epsg() == 28992
    assert atlas.meta["wijkbuurtkaart"]["sha256"] == file_sha256(gpkg)


def test_import_cli_then_load_offline(gpkg, tmp_path, capsys):
    store = tmp_path / "store"
    rc = main(
        ["-q", "import", str(gpkg), "--gemeente", "GM0599", "--jaar", "2024", "--store", str(store)]
    )
    assert rc == 0, capsys.readouterr().err
    atlas = wijkgeo.load("GM0599", 2024, store=store)
    assert atlas.gemeente["aantal_inwoners"].iloc[0] == 670610
    from wijkgeo.store import Store

    manifest = Store(store).manifest("GM0599", 2024)
    src = manifest["sources"]["wijkbuurtkaart"]
    assert src["file"] == gpkg.name and src["sha256"] == file_sha256(gpkg)


@pytest.mark.parametrize(
    ("make", "needle"),
    [
        ("missing", "bestaat niet"),
        ("text", "geen GeoPackage"),
        ("zip", "gezipt"),
        ("layers", "ontbreken"),
        ("gemeente", "staat niet in dit bestand"),
        ("year", "niet van 2023"),
    ],
)
def test_bad_input_exits_2_with_a_dutch_message_naming_the_file(
    gpkg, tmp_path, capsys, make, needle
):
    import geopandas as gpd
    import shapely

    path, gm, year = gpkg, "GM0599", "2024"
    if make == "missing":
        path = tmp_path / "WijkBuurtkaart_2024_v9.gpkg"
    elif make == "text":
        path = tmp_path / "kaart.gpkg"
        path.write_text("geen gpkg", encoding="utf-8")
    elif make == "zip":
        import zipfile

        path = tmp_path / "kaart.gpkg"
        with zipfile.ZipFile(path, "w") as zf:
            zf.writestr("x.txt", "x")
    elif make == "layers":
        path = tmp_path / "kaart.gpkg"
        gpd.GeoDataFrame(
            {"gemeentecode": ["GM0599"]}, geometry=[shapely.box(0, 0, 1, 1)], crs=28992
        ).to_file(path, layer="gemeenten")
    elif make == "gemeente":
        gm = "GM0598"
    else:
        year = "2023"
    rc = main(
        [
            "-q",
            "import",
            str(path),
            "--gemeente",
            gm,
            "--jaar",
            year,
            "--store",
            str(tmp_path / "store"),
        ]
    )
    err = capsys.readouterr().err
    assert rc == 2 and "Traceback" not in err
    assert str(path) in err and needle in err, err
    with pytest.raises(DataValidationError):
        read_wijkbuurtkaart(path, gm, int(year))


def test_local_layers_on_imported_rotterdam(gpkg, tmp_path):
    import json

    from wijkgeo.joins import points_per_area
    from wijkgeo.sources.local import read_local_layers

    atlas = read_wijkbuurtkaart(gpkg, "GM0599", 2024)
    folder = tmp_path / "rotterdam"
    folder.mkdir()
    (folder / "plekken.csv").write_text(
        "id;naam;lon;lat\n"
        "A;Erasmusbrug;4,4826;51,9093\n"
        "B;Rotterdam Centraal;4,4690;51,9244\n"
        "C;Dam (Amsterdam);4,8930;52,3731\n"
        "D;omgewisseld;51,9093;4,4826\n",
        encoding="cp1252",
    )
    wijk = atlas.wijken["wijkcode"].iloc[3]
    typo = wijk[:-2] + wijk[-1] + wijk[-2]  # two digits swapped
    if typo == wijk or typo in set(atlas.wijken["wijkcode"]):
        typo = wijk[:-1] + "X"
    (folder / "plan.csv").write_text(f"wijkcode,planjaar\n{wijk},2030\n{typo},2031\n", "utf-8")
    (folder / "lagen.json").write_text(
        json.dumps(
            {
                "gemeente": "GM0599",
                "lagen": {
                    "plekken": {
                        "bestand": "plekken.csv",
                        "type": "punten",
                        "x": "lon",
                        "y": "lat",
                        "crs": "EPSG:4326",
                    },
                    "plan": {"bestand": "plan.csv", "wijkcode": "wijkcode", "jaar": ["planjaar"]},
                },
            }
        ),
        encoding="utf-8",
    )
    layers = read_local_layers(folder, atlas=atlas, strict=False)
    got = {(p.file.rsplit("/", 1)[-1], p.row, p.category) for p in layers.report.errors}
    assert got == {
        ("plekken.csv", 4, "outside_area"),
        ("plekken.csv", 5, "outside_area"),
        ("plan.csv", 3, "unknown_code"),
    }, layers.report.to_text()
    swapped = next(p for p in layers.report.errors if p.row == 5)
    assert "omgewisseld" in swapped.hint
    code = next(p for p in layers.report.errors if p.file.endswith("plan.csv"))
    assert wijk in code.hint  # the closest existing codes include the one meant
    assert layers["plekken"]["id"].tolist() == ["A", "B"]
    per = points_per_area(layers["plekken"], atlas.buurten)
    assert int(per["aantal"].sum()) == 2 and per.attrs["outside"] == []
