"""Store: GeoPackage round trip, manifest, atomic writes, lock."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import textwrap
import time
from pathlib import Path

import _pause
import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pytest
from shapely.geometry import Point, box

import wijkgeo
from wijkgeo import NotInStoreError, StoreError
from wijkgeo.atlas import Atlas
from wijkgeo.store import GPKG_NAME, MANIFEST_NAME, Store, layer_sha256

CRS = "EPSG:28992"


def make_atlas(code: str = "GM0772", year: int = 2024, inwoners: float = 1000.0) -> Atlas:
    """A tiny hand-made Atlas: 2 wijken, 3 buurten, 2 grid cells, local layers."""
    gm = code[2:]
    gemeente = gpd.GeoDataFrame(
        {"gemeentecode": [code], "gemeentenaam": ["Testrecht"], "aantal_inwoners": [inwoners]},
        geometry=[box(0, 0, 2000, 1000)],
        crs=CRS,
    )
    wijken = gpd.GeoDataFrame(
        {
            "wijkcode": [f"WK{gm}00", f"WK{gm}0A"],
            "wijknaam": ["Centrum", "Noord 's-Hertog"],
            "gemeentecode": [code, code],
            "gemeentenaam": ["Testrecht"] * 2,
            "aantal_inwoners": [600.0, inwoners - 600.0],
            "perc_laag_inkomen": [np.nan, 12.5],
            "aantal_woningen": pd.array([250, None], dtype="Int64"),
        },
        geometry=[box(0, 0, 1000, 1000), box(1000, 0, 2000, 1000).union(box(2500, 0, 2600, 100))],
        crs=CRS,
    )
    buurten = gpd.GeoDataFrame(
        {
            "buurtcode": [f"BU{gm}0000", f"BU{gm}0001", f"BU{gm}0A01"],
            "buurtnaam": ["Oud", "Nieuw", "Veld"],
            "wijkcode": [f"WK{gm}00", f"WK{gm}00", f"WK{gm}0A"],
            "gemeentecode": [code] * 3,
            "gemeentenaam": ["Testrecht"] * 3,
            "aantal_inwoners": [300.0, 300.0, np.nan],
            "water": [False, True, False],
        },
        geometry=[box(0, 0, 500, 1000), box(500, 0, 1000, 1000), box(1000, 0, 2000, 1000)],
        crs=CRS,
    )
    v500 = gpd.GeoDataFrame(
        {"celcode": ["E0000N0000", "E0005N0000"], "aantal_inwoners": [5.0, np.nan]},
        geometry=[box(0, 0, 500, 500), box(500, 0, 1000, 500)],
        crs=CRS,
    )
    voorzieningen = gpd.GeoDataFrame(
        {
            "naam": ["Buurthuis", "Bieb"],
            "soort": pd.Categorical(["buurthuis", "bibliotheek"]),
            "geopend": pd.to_datetime(["2020-05-01 09:30", "1999-01-01 00:00"]),
        },
        geometry=[Point(100, 100), Point(1500, 500)],
        crs=CRS,
    )
    energie = pd.DataFrame({"wijkcode": [f"WK{gm}00"], "fase": ["uitvoering"], "planjaar": [2026]})
    nederland = pd.DataFrame({"code": ["NL01"], "aantal_inwoners": [17_942_942.0]})
    return Atlas(
        gemeente=gemeente,
        wijken=wijken,
        buurten=buurten,
        vierkanten={"500m": v500},
        local={
            "voorzieningen": voorzieningen,
            "energietransitie": energie,
            "notities": {"bron": "handmatig", "n": 2},
        },
        nederland=nederland,
        meta={"gemeente": code, "year": year, "source": "test", "tabel": "85984NED"},
    )


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def assert_same(a: pd.DataFrame, b: pd.DataFrame) -> None:
    assert list(a.columns) == list(b.columns)
    assert dict(a.dtypes.astype(str)) == dict(b.dtypes.astype(str))
    pd.testing.assert_frame_equal(a, b, check_like=False)


def test_round_trip_preserves_columns_dtypes_nan_crs(tmp_path):
    atlas = make_atlas()
    store = Store(tmp_path)
    path = store.write_atlas(atlas)
    assert path == tmp_path / "GM0772" / "2024" / GPKG_NAME
    back = store.read_atlas("772", 2024)
    assert sorted(p.name for p in path.parent.iterdir()) == [MANIFEST_NAME, GPKG_NAME]
    for name, frame in atlas.layers().items():
        got = back.layers()[name]
        assert_same(got, frame)
        assert got.crs.to_epsg() == 28992
    assert back.wijken["wijkcode"].tolist() == ["WK077200", "WK07720A"]
    assert np.isnan(back.wijken["perc_laag_inkomen"].iloc[0])
    assert back.wijken["aantal_woningen"].dtype == "Int64"
    assert back.wijken["aantal_woningen"].isna().tolist() == [False, True]
    assert back.wijken.geometry.iloc[1].geom_type == "MultiPolygon"
    assert back.wijken.geometry.iloc[0].geom_type == "Polygon"
    assert_same(back.local["voorzieningen"], atlas.local["voorzieningen"])
    assert back.local["voorzieningen"]["geopend"].iloc[0] == pd.Timestamp("2020-05-01 09:30")
    assert_same(back.local["energietransitie"], atlas.local["energietransitie"])
    assert back.local["notities"] == {"bron": "handmatig", "n": 2}
    assert_same(back.nederland, atlas.nederland)
    assert back.meta["tabel"] == "85984NED"
    assert back.code == "GM0772" and back.year == 2024


def test_round_trip_timezones_and_empty_layers(tmp_path, recwarn):
    atlas = make_atlas()
    atlas.vierkanten["100m"] = atlas.vierkanten["500m"].iloc[:0]
    stamps = pd.to_datetime(["2024-01-01 08:00", "2024-06-01 00:00", None])
    atlas.buurten["gemeten"] = stamps.tz_localize("Europe/Amsterdam")
    atlas.buurten["leeg"] = pd.array([None, None, None], dtype="Int64")
    store = Store(tmp_path)
    store.write_atlas(atlas)
    back = store.read_atlas("GM0772", 2024)
    assert_same(back.buurten, atlas.buurten)
    assert_same(back.vierkanten["100m"], atlas.vierkanten["100m"])
    assert back.buurten["gemeten"].iloc[1].utcoffset().total_seconds() == 7200
    assert not [w for w in recwarn if "Non-conformant" in str(w.message)]  # stored as UTC


def test_load_reads_the_store(tmp_path):
    Store(tmp_path).write_atlas(make_atlas())
    atlas = wijkgeo.load("GM0772", 2024, store=tmp_path)
    assert len(atlas.buurten) == 3


def test_default_store_is_env(tmp_path, monkeypatch):
    monkeypatch.setenv("WIJKGEO_STORE", str(tmp_path / "s"))
    assert Store().path == tmp_path / "s"
    monkeypatch.delenv("WIJKGEO_STORE")
    assert Store().path.name == "wijkgeo"


def test_gpkg_opens_in_gdal(tmp_path):
    path = Store(tmp_path).write_atlas(make_atlas())
    layers = dict(pyogrio.list_layers(path))
    assert layers == {
        "wijkgeo_manifest": None,
        "gemeente": "Polygon",
        "wijken": "Unknown",  # Polygon + MultiPolygon, kept as is
        "buurten": "Polygon",
        "vierkanten_500m": "Polygon",
        "nederland": None,
        "lokaal_voorzieningen": "Point",
        "lokaal_energietransitie": None,
    }
    plain = pyogrio.read_dataframe(path, layer="buurten")
    assert plain.crs.to_epsg() == 28992
    assert plain["buurtcode"].tolist() == ["BU07720000", "BU07720001", "BU07720A01"]
    if shutil.which("ogrinfo"):
        done = subprocess.run(
            ["ogrinfo", "-ro", "-so", str(path), "wijken"],
            capture_output=True,
            text=True,
            check=True,
        )
        assert "Feature Count: 2" in done.stdout and 'ID["EPSG",28992]' in done.stdout
        assert "Warning" not in done.stderr  # also a system GDAL as old as 3.6 reads it cleanly


def test_manifest_contents(tmp_path):
    store = Store(tmp_path)
    atlas = make_atlas()
    store.write_atlas(
        atlas,
        manifest_extra={
            "sources": {"cbs": {"table": "85984NED"}},
            "retrieved_at": "2025-03-28T10:00:00+00:00",
        },
    )
    man = store.manifest("GM0772", 2024)
    on_disk = json.loads((tmp_path / "GM0772" / "2024" / MANIFEST_NAME).read_text())
    assert man == on_disk
    assert man["gemeente"] == "GM0772" and man["year"] == 2024 and man["name"] == "Testrecht"
    assert man["layers"]["buurten"]["rows"] == 3
    assert man["layers"]["buurten"]["sha256"] == layer_sha256(atlas.buurten)
    assert man["sources"]["cbs"]["table"] == "85984NED"
    assert man["retrieved_at"].startswith("2025-03-28")
    assert man["wijkgeo_version"] == wijkgeo.__version__
    assert man["file"]["sha256"] == sha(tmp_path / "GM0772" / "2024" / GPKG_NAME)
    assert store.manifest("GM0392", 2024) is None
    assert [(e["gemeente"], e["year"]) for e in store.entries()] == [("GM0772", 2024)]


def test_layer_hash_changes_with_content():
    a = make_atlas()
    b = make_atlas(inwoners=1001.0)
    assert layer_sha256(a.buurten) == layer_sha256(b.buurten)
    assert layer_sha256(a.gemeente) != layer_sha256(b.gemeente)


def test_not_in_store_message(tmp_path):
    with pytest.raises(NotInStoreError, match=r"wijkgeo refresh GM0392 --jaar 2023"):
        Store(tmp_path).read_atlas("GM0392", 2023)


def test_wrong_crs_refused_and_old_version_kept(tmp_path):
    store = Store(tmp_path)
    path = store.write_atlas(make_atlas())
    before = sha(path), sha(path.with_name(MANIFEST_NAME))
    bad = make_atlas(inwoners=5.0)
    bad.wijken = bad.wijken.to_crs(4326)
    with pytest.raises(wijkgeo.DataValidationError, match="EPSG:28992"):
        store.write_atlas(bad)
    assert (sha(path), sha(path.with_name(MANIFEST_NAME))) == before


def test_failed_layer_write_keeps_old_version_and_no_tmp(tmp_path, monkeypatch):
    store = Store(tmp_path)
    path = store.write_atlas(make_atlas())
    before = sha(path), sha(path.with_name(MANIFEST_NAME))
    real_write = pyogrio.write_dataframe

    def failing_write(df, target, layer, **kw):
        if layer == "vierkanten_500m":  # fail halfway through the layers
            raise OSError("disk full")
        return real_write(df, target, layer=layer, **kw)

    monkeypatch.setattr(pyogrio, "write_dataframe", failing_write)
    with pytest.raises(StoreError, match=r"vierkanten_500m.*disk full.*vorige versie is bewaard"):
        store.write_atlas(make_atlas(inwoners=5.0))
    monkeypatch.undo()
    assert (sha(path), sha(path.with_name(MANIFEST_NAME))) == before
    assert sorted(p.name for p in path.parent.iterdir()) == [MANIFEST_NAME, GPKG_NAME]
    assert store.read_atlas("GM0772", 2024).gemeente["aantal_inwoners"].iloc[0] == 1000.0


def test_manifest_rebuilt_after_interrupted_second_rename(tmp_path):
    store = Store(tmp_path)
    path = store.write_atlas(make_atlas())
    old_manifest = path.with_name(MANIFEST_NAME).read_bytes()
    store.write_atlas(make_atlas(inwoners=2000.0))
    path.with_name(MANIFEST_NAME).write_bytes(old_manifest)  # as if killed between renames
    man = store.manifest("GM0772", 2024)
    assert man["layers"]["gemeente"]["sha256"] == layer_sha256(make_atlas(inwoners=2000.0).gemeente)
    assert json.loads(path.with_name(MANIFEST_NAME).read_text())["version_id"] == man["version_id"]


def test_lock_times_out_with_clear_message(tmp_path):
    holder = Store(tmp_path)
    other = Store(tmp_path)
    with holder.lock():
        t0 = time.monotonic()
        with pytest.raises(StoreError, match="vergrendeld"):
            other.write_atlas(make_atlas(), lock_timeout=0.3)
        assert time.monotonic() - t0 >= 0.3
    other.write_atlas(make_atlas(), lock_timeout=0.3)  # free again
    with holder.lock(), holder.lock():  # re-entrant in one Store
        pass


def test_sigkill_before_replace_keeps_previous_version(tmp_path):
    store = Store(tmp_path)
    path = store.write_atlas(make_atlas())
    before = sha(path), sha(path.with_name(MANIFEST_NAME))
    flag = tmp_path / "paused"
    script = textwrap.dedent(
        f"""
        import sys
        sys.path.insert(0, {str(Path(__file__).parent)!r})
        from test_store import make_atlas
        from wijkgeo.store import Store
        Store({str(tmp_path)!r}).write_atlas(make_atlas(inwoners=99.0))
        """
    )
    proc = subprocess.Popen(_pause.command(flag, script, code=True))
    try:
        deadline = time.monotonic() + 30
        while not flag.exists():
            assert proc.poll() is None, "writer ended before reaching the pause"
            assert time.monotonic() < deadline
            time.sleep(0.05)
        assert any(p.name.startswith(".tmp-") for p in path.parent.iterdir())
        proc.kill()
    finally:
        proc.wait(10)
    assert proc.returncode == -9
    assert (sha(path), sha(path.with_name(MANIFEST_NAME))) == before
    assert store.read_atlas("GM0772", 2024).gemeente["aantal_inwoners"].iloc[0] == 1000.0
    # the lock died with the process and the next write cleans up the leftovers
    store.write_atlas(make_atlas(inwoners=3.0), lock_timeout=1)
    assert sorted(p.name for p in path.parent.iterdir()) == [MANIFEST_NAME, GPKG_NAME]


def test_damaged_gpkg_gives_store_error_and_status_marks_it(tmp_path):
    from wijkgeo.status import format_status, store_status

    store = Store(tmp_path)
    path = store.write_atlas(make_atlas())
    path.write_bytes(b"this is not a geopackage")
    with pytest.raises(StoreError, match=r"wijkgeo.gpkg.*wijkgeo refresh"):
        store.read_atlas("GM0772", 2024)
    (entry,) = store.entries()
    assert entry["gemeente"] == "GM0772" and "error" in entry
    (row,) = store_status(tmp_path)
    assert "ONLEESBAAR" in format_status([row])


def test_failed_rename_is_a_store_error_and_keeps_old_version(tmp_path, monkeypatch):
    store = Store(tmp_path)
    path = store.write_atlas(make_atlas())
    before = sha(path), sha(path.with_name(MANIFEST_NAME))

    def busy(src, dst):
        raise PermissionError(13, "in gebruik", str(dst))

    monkeypatch.setattr(os, "replace", busy)
    with pytest.raises(StoreError, match=r"kon niet worden vervangen.*vorige versie is bewaard"):
        store.write_atlas(make_atlas(inwoners=7.0))
    monkeypatch.undo()
    assert (sha(path), sha(path.with_name(MANIFEST_NAME))) == before
    assert sorted(p.name for p in path.parent.iterdir()) == [MANIFEST_NAME, GPKG_NAME]


def _alter(path: Path, sql: str) -> None:
    """Change values in a stored GeoPackage in place (same rows and columns), as sqlite or
    QGIS would; the rtree triggers need these spatial functions."""
    import sqlite3

    con = sqlite3.connect(path)
    for name in ("ST_IsEmpty", "ST_MinX", "ST_MaxX", "ST_MinY", "ST_MaxY"):
        con.create_function(name, 1, lambda geom: 0)
    con.execute(sql)
    con.commit()
    con.close()


def test_every_dtype_and_an_index_read_back_with_their_checksums(tmp_path):
    atlas = make_atlas()
    atlas.buurten["gemeten"] = pd.to_datetime(
        ["2024-01-01 08:00", "2024-06-01 00:00", None]
    ).tz_localize("Europe/Amsterdam")
    atlas.buurten["opmerking"] = pd.Series(["a", None, np.nan], dtype=object)
    atlas.buurten["tekst"] = pd.array(["x", None, "z"], dtype="string")
    atlas.local["energietransitie"] = atlas.local["energietransitie"].set_index("wijkcode")
    store = Store(tmp_path)
    path = store.write_atlas(atlas)
    entry = store.manifest("GM0772", 2024)["layers"]["lokaal_energietransitie"]
    assert entry["index"] == ["wijkcode"] and len(entry["index_sha256"]) == 64
    back = store.read_atlas("GM0772", 2024)  # verified: no StoreError
    assert back.local["energietransitie"].index.tolist() == ["WK077200"]
    # a changed index value is as much a change as any other cell
    _alter(path, "UPDATE lokaal_energietransitie SET wijkcode = 'WK077201'")
    with pytest.raises(StoreError, match=r"'lokaal_energietransitie'.*buiten wijkgeo gewijzigd"):
        store.read_atlas("GM0772", 2024)


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE buurten SET aantal_inwoners = 301 WHERE buurtcode = 'BU07720000'",
        "UPDATE wijken SET wijknaam = 'Zuid' WHERE wijkcode = 'WK077200'",
        "UPDATE lokaal_voorzieningen SET geom = (SELECT geom FROM lokaal_voorzieningen "
        "WHERE naam = 'Bieb') WHERE naam = 'Buurthuis'",
        "UPDATE nederland SET aantal_inwoners = 1",
    ],
    ids=["getal", "naam", "geometrie", "attribuuttabel"],
)
def test_values_altered_outside_wijkgeo_are_refused_and_status_says_so(tmp_path, sql):
    from wijkgeo.status import format_status, store_status

    store = Store(tmp_path)
    path = store.write_atlas(make_atlas())
    assert "error" not in store_status(tmp_path)[0]
    _alter(path, sql)
    with pytest.raises(StoreError, match=r"buiten wijkgeo gewijzigd.*wijkgeo refresh GM0772"):
        store.read_atlas("GM0772", 2024)
    (row,) = store_status(tmp_path)
    assert "buiten wijkgeo gewijzigd" in row["error"]
    assert "ONLEESBAAR" in format_status([row])
    # without manifest.json (rebuilt from the GeoPackage) it is refused all the same
    path.with_name(MANIFEST_NAME).unlink()
    assert "buiten wijkgeo gewijzigd" in store_status(tmp_path)[0]["error"]
    assert not path.with_name(MANIFEST_NAME).exists()  # no record made for a changed file
    with pytest.raises(StoreError, match="buiten wijkgeo gewijzigd"):
        store.read_atlas("GM0772", 2024)


def test_a_rewritten_file_with_the_same_data_is_checked_once_and_recorded(tmp_path):
    """A program that rewrites the file without changing the data (VACUUM, QGIS) is not
    damage: status reads the layers once, finds them intact and records the new file."""
    import sqlite3

    from wijkgeo.status import store_status

    store = Store(tmp_path)
    path = store.write_atlas(make_atlas())
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE notitie (a TEXT)")  # another table: not a wijkgeo layer
    con.commit()
    con.execute("VACUUM")
    con.close()
    before = json.loads(path.with_name(MANIFEST_NAME).read_text())["file"]["sha256"]
    assert before != sha(path)
    assert "error" not in store_status(tmp_path)[0]
    assert json.loads(path.with_name(MANIFEST_NAME).read_text())["file"]["sha256"] == sha(path)
    store.read_atlas("GM0772", 2024)


def test_national_reference_altered_outside_wijkgeo_is_refused(tmp_path):
    store = Store(tmp_path)
    frame = pd.DataFrame(
        {"code": ["NL01", "GM0772"], "level": ["land", "gemeente"], "aantal_inwoners": [9.0, 2.0]}
    )
    path = store.write_reference(frame, 2024)
    assert store.read_reference(2024)["aantal_inwoners"].tolist() == [9.0, 2.0]
    _alter(path, "UPDATE kerncijfers SET aantal_inwoners = 3 WHERE code = 'GM0772'")
    with pytest.raises(StoreError, match=r"buiten wijkgeo gewijzigd.*refresh --nederland"):
        store.read_reference(2024)
