"""Older years through the catalog: the 2015 shapefile layout and the 2020 Kerncijfers table.

Real data: the 2015 Wijk- en Buurtkaart is rebuilt as zipped shapefiles in CBS's real
UPPERCASE layout (RD) from ``raw/rijnmond2015``; the 2024 GeoPackage from ``raw/nprz``; the
2020 Kerncijfers (84799NED, whole country) are replayed over HTTP from ``odata/``.
"""

from __future__ import annotations

import json
import re
import zipfile

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from _kwb2015 import build_kwb2015
from werkzeug import Response

from wijkgeo import DataValidationError
from wijkgeo.refresh import import_wijkbuurtkaart
from wijkgeo.sources.cbs import fetch_kerncijfers
from wijkgeo.sources.kwb_shapefile import find_layers, read_kwb_shapefiles
from wijkgeo.store import Store


@pytest.fixture(scope="module")
def kwb2015(realdata, tmp_path_factory):
    target = tmp_path_factory.mktemp("kwb2015") / "buurt_2015.zip"
    return build_kwb2015(realdata, target)


def test_import_2015_shapefiles_uppercase_layout(kwb2015, tmp_path):
    store = Store(tmp_path / "store")
    result = import_wijkbuurtkaart(kwb2015, "GM0606", 2015, store=store)
    assert result.buurten == 52
    atlas = store.read_atlas("GM0606", 2015)
    b = atlas.buurten
    assert b.crs.to_epsg() == 28992
    # canonical names, mapped by data; secrets (-99999999) are NaN
    for col in ("buurtcode", "aantal_inwoners", "percentage_personen_65_jaar_en_ouder"):
        assert col in b.columns
    raw = gpd.read_file(kwb2015.parent / "buurt_2015_shp" / "buurt_2015.shp")
    raw = raw[raw.GM_CODE == "GM0606"].set_index("BU_CODE")
    got = b.set_index("buurtcode")
    secret = raw["AUTO_HH"] <= -99990
    assert secret.any()
    assert got.loc[secret[secret].index, "personenautos_per_huishouden"].isna().all()
    assert (got["aantal_inwoners"] == raw["AANT_INW"].reindex(got.index)).all()
    assert (b["aantal_inwoners"] >= 0).all()


def test_import_predecessor_gemeenten(kwb2015, tmp_path):
    store = Store(tmp_path / "store")
    for code in ("GM0501", "GM0530", "GM0614"):  # Brielle, Hellevoetsluis, Westvoorne
        import_wijkbuurtkaart(kwb2015, code, 2015, store=store)
    assert all(store.has(c, 2015) for c in ("GM0501", "GM0530", "GM0614"))
    with pytest.raises(DataValidationError, match="GM1992 staat niet"):
        read_kwb_shapefiles(kwb2015, "GM1992", 2015, store=store)


def test_a_new_gemeente_names_its_predecessors(kwb2015, realdata, tmp_path):
    from _wijkbuurtkaart import build_wijkbuurtkaart

    store = Store(tmp_path / "store")
    gpkg = build_wijkbuurtkaart(realdata, tmp_path / "w.gpkg", gemeenten=["GM1992"])
    import_wijkbuurtkaart(gpkg, "GM1992", 2024, store=store)
    with pytest.raises(DataValidationError) as err:
        read_kwb_shapefiles(kwb2015, "GM1992", 2015, store=store)
    msg = str(err.value)
    assert "GM1992 bestond in 2015 nog niet" in msg
    for code in ("GM0501 (Brielle)", "GM0530 (Hellevoetsluis)", "GM0614 (Westvoorne)"):
        assert code in msg
    assert "wijkgeo import buurt_2015.zip --gemeente GM0501 --jaar 2015" in msg


def test_unknown_and_missing_columns_name_file_and_closest(tmp_path, kwb2015):
    folder = tmp_path / "shp"
    with zipfile.ZipFile(kwb2015) as zf:
        zf.extractall(folder)
    inner = next(folder.rglob("buurt_2015.shp"))
    frame = gpd.read_file(inner).rename(columns={"AANT_INW": "AANT_INWON"})
    frame.to_file(inner)
    with pytest.raises(DataValidationError) as err:
        read_kwb_shapefiles(inner.parent, "GM0606", 2015)
    msg = str(err.value)
    assert "buurt_2015.shp" in msg and "AANT_INWON" in msg and "AANT_INW" in msg
    frame.drop(columns=["BU_CODE"]).rename(columns={"AANT_INWON": "AANT_INW"}).to_file(inner)
    with pytest.raises(DataValidationError, match=r"buurt_2015\.shp: verplichte kolom 'BU_CODE'"):
        read_kwb_shapefiles(inner.parent, "GM0606", 2015)


def test_file_variants_found_by_the_catalog(tmp_path):
    for name in ("gem_2019_v1.shp", "wijk_2019_v1.shp", "buurt_2019_v1.shp"):
        (tmp_path / name).write_bytes(b"")
    found = find_layers(tmp_path, 2019)
    assert {k: v.rsplit("/", 1)[-1] for k, v in found.items()} == {
        "gemeente": "gem_2019_v1.shp",
        "wijk": "wijk_2019_v1.shp",
        "buurt": "buurt_2019_v1.shp",
    }
    (tmp_path / "bu_2020.shp").write_bytes(b"")
    with pytest.raises(DataValidationError, match="gemeente, wijk"):
        find_layers(tmp_path, 2020)


# ---------------------------------------------------------------------------- 2020 OData
def _serve_84799(httpserver, realdata):
    base = realdata / "odata" / "kwb_84799NED_2020" / "cbs.v3.84799NED_"
    props = pd.read_parquet(base.with_name(base.name + "DataProperties.parquet"))
    props = props.drop(columns=["odata_type"]).replace({np.nan: None})
    typed = pd.read_parquet(base.with_name(base.name + "TypedDataSet.parquet"))
    regions = pd.read_parquet(base.with_name(base.name + "WijkenEnBuurten.parquet"))
    seen = []

    def rows(frame, field, flt):
        prefixes = re.findall(r"startswith\(\w+,'(\w+)'\)", flt)
        exact = [k for k in re.findall(r"eq '([^']+)'", flt)]
        key = frame[field].astype(str)
        mask = key.str.startswith(tuple(prefixes)) if prefixes else key == ""
        mask |= key.isin(exact)
        return json.loads(frame[mask].to_json(orient="records"))

    def handler(request):
        path = request.path
        seen.append(path)
        flt = request.args.get("$filter", "")
        if path.endswith("/DataProperties"):
            value = json.loads(props.to_json(orient="records"))
        elif path.endswith("/WijkenEnBuurten"):
            value = rows(regions, "Key", flt)
        elif path.endswith("/TypedDataSet"):
            value = rows(typed, "WijkenEnBuurten", flt)
        else:
            return Response("not found", status=404)
        return Response(json.dumps({"value": value}), content_type="application/json")

    httpserver.expect_request(re.compile(r"/ODataFeed/odata/84799NED/.*")).respond_with_handler(
        handler
    )
    return seen


def test_kerncijfers_2020_through_the_catalog(httpserver, realdata):
    seen = _serve_84799(httpserver, realdata)
    kc = fetch_kerncijfers("GM0599", 2020, cbs_url=httpserver.url_for("/").rstrip("/"))
    assert all("/84799NED/" in p for p in seen)  # the 2020 key from the catalog
    levels = kc["level"].value_counts().to_dict()
    assert levels["buurt"] == 92 and levels["nederland"] == 1
    row = kc.set_index("code")
    # the 2020 keys (other suffix numbers than 2024) land on the same canonical names
    assert row.loc["GM0599", "aantal_inwoners"] > 600_000
    assert "indelingswijziging_wijken_en_buurten" in kc.columns
    assert row.loc["NL00", "aantal_inwoners"] == 17407585
    assert "aantal_personen_65_jaar_en_ouder" in kc.columns


# ---------------------------------------------------------------------------- layouts 2016-2022
# The shapefile layouts of the years before the GeoPackage, as CBS shipped them (file names
# and columns from scripts that read the real files, see wijkgeo/sources/kwb_shapefile.json):
# 2016 buurt_2016.shp; 2017 buurt_2017_V3.shp (INK_INW2, P_HUURCORP, P_WONV2000, P_STADVERW,
# AF_*); 2018 gemeente_2018_v2.shp; 2019 gemeente_2019_v1.shp; 2020 buurt_2020_v1.shp with
# -99999999 secrets; 2021 first version (H2O, JRSTATCODE, JAAR) and buurten_2021_V3.shp;
# 2022 buurten_2022_V2.shp; CBS's microdata names buurt2018.shp and bu_2020.shp.
_BASE = [
    "IND_WBI", "POSTCODE", "DEK_PERC", "OAD", "STED", "BEV_DICHTH", "AANT_INW", "AANT_MAN",
    "AANT_VROUW", "P_00_14_JR", "P_15_24_JR", "P_25_44_JR", "P_45_64_JR", "P_65_EO_JR",
    "P_ONGEHUWD", "P_GEHUWD", "P_GESCHEID", "P_VERWEDUW", "AANTAL_HH", "P_EENP_HH", "P_HH_Z_K",
    "P_HH_M_K", "GEM_HH_GR", "P_WEST_AL", "P_N_W_AL", "P_MAROKKO", "P_ANT_ARU", "P_SURINAM",
    "P_TURKIJE", "P_OVER_NW", "OPP_TOT", "OPP_LAND", "OPP_WATER",
]  # fmt: skip
_WONEN = ["WONINGEN", "WOZ", "P_KOOPWON", "P_HUURWON", "P_HUURCORP", "P_HUUROVVH", "P_WONV2000",
          "P_WONT2000"]  # fmt: skip
_V3 = [*_WONEN, "P_STADVERW", "G_GAS_TOT", "G_GAS_APP", "G_ELEK_TOT", "INK_INW2", "INK_ONTV2",
       "P_LAAGINKP", "P_HOOGINKP", "AF_ARTSPR", "AV1_ARTSPR", "AV3_ARTSPR", "AF_TREINST",
       "AF_ONDVRT", "AV10ONDVRT", "A_BEDV", "A_BED_GI", "AUTO_TOT"]  # fmt: skip
LAYOUTS = {
    "2016": (2016, ("gem_2016", "wijk_2016", "buurt_2016"), ["WATER", *_BASE, *_WONEN]),
    "2017_V3": (2017, ("gem_2017_V3", "wijk_2017_V3", "buurt_2017_V3"), ["WATER", *_BASE, *_V3]),
    "2018_v2": (2018, ("gemeente_2018_v2", "wijk_2018_v2", "buurt_2018_v2"),
                ["WATER", *_BASE, *_V3]),
    "2018_microdata": (2018, ("gem2018", "wijk2018", "buurt2018"), ["WATER", *_BASE, *_V3]),
    "2019_v1": (2019, ("gemeente_2019_v1", "wijk_2019_v1", "buurt_2019_v1"),
                ["WATER", "JRSTATCODE", *_BASE, *_V3]),
    "2020_v1": (2020, ("gemeente_2020_v1", "wijk_2020_v1", "buurt_2020_v1"),
                ["WATER", *_BASE, *_V3]),
    "2020_microdata": (2020, ("gm_2020", "wk_2020", "bu_2020"), ["WATER", *_BASE, *_V3]),
    "2021_eerste_versie": (2021, ("gemeente_2021", "wijk_2021", "buurt_2021"),
                           ["H2O", *_BASE, "JRSTATCODE", "JAAR", "Shape_Leng", "Shape_Area"]),
    "2021_V3": (2021, ("gemeenten_2021_V3", "wijken_2021_V3", "buurten_2021_V3"),
                ["WATER", *_BASE, *_V3]),
    "2022_V2": (2022, ("gemeenten_2022_V2", "wijken_2022_V2", "buurten_2022_V2"),
                ["WATER", *_BASE, *_WONEN]),
}  # fmt: skip


def _layout_zip(folder, stems, columns):
    """A tiny Wijk- en Buurtkaart zip in one year's layout: one gemeente GM0001 of two land
    buurten (one with a secret) and one water buurt, in RD."""
    import shapely

    folder.mkdir(parents=True, exist_ok=True)
    water_col = "H2O" if "H2O" in columns else "WATER"
    levels = {
        "gemeente": {"GM_CODE": ["GM0001"], "GM_NAAM": ["Proefdam"]},
        "wijk": {"WK_CODE": ["WK000101"], "WK_NAAM": ["Centrum"], "GM_CODE": ["GM0001"],
                 "GM_NAAM": ["Proefdam"]},
        "buurt": {"BU_CODE": ["BU00010101", "BU00010102", "BU00010199"],
                  "BU_NAAM": ["Oost", "West", "Haven (water)"], "WK_CODE": ["WK000101"] * 3,
                  "GM_CODE": ["GM0001"] * 3, "GM_NAAM": ["Proefdam"] * 3},
    }  # fmt: skip
    geoms = {
        "gemeente": [shapely.box(100_000, 400_000, 102_000, 401_000)],
        "wijk": [shapely.box(100_000, 400_000, 102_000, 401_000)],
        "buurt": [shapely.box(100_000, 400_000, 101_000, 401_000),
                  shapely.box(101_000, 400_000, 102_000, 401_000),
                  shapely.box(102_000, 400_000, 102_500, 401_000)],
    }  # fmt: skip
    files = []
    for (level, data), stem in zip(levels.items(), stems, strict=True):
        n = len(geoms[level])
        frame = dict(data)
        for i, col in enumerate(columns):
            if col in ("JRSTATCODE",):
                frame[col] = [f"2020{c}" for c in next(iter(data.values()))]
            elif col == "JAAR":
                frame[col] = [2021] * n
            elif col == water_col:
                frame[col] = ["NEE"] * n if level != "buurt" else ["NEE", "NEE", "JA"]
            else:
                frame[col] = [float(100 + i)] * n
        if level == "buurt":
            frame["AANT_INW"] = [1200.0, 800.0, 0.0]
            if "INK_INW2" in columns:
                frame["INK_INW2"] = [31.5, -99999999.0, -99999999.0]
        gpd.GeoDataFrame(frame, geometry=geoms[level], crs=28992).to_file(folder / f"{stem}.shp")
        files += [p for p in folder.iterdir() if p.stem == stem]
    target = folder.parent / f"{folder.name}.zip"
    with zipfile.ZipFile(target, "w") as zf:
        for p in files:
            zf.write(p, f"WijkBuurtkaart/{p.name}")
    return target


@pytest.mark.parametrize("layout", sorted(LAYOUTS))
def test_every_years_shapefile_layout_imports(layout, tmp_path):
    year, stems, columns = LAYOUTS[layout]
    zipped = _layout_zip(tmp_path / layout, stems, columns)
    store = Store(tmp_path / "store")
    result = import_wijkbuurtkaart(zipped, "GM0001", year, store=store)
    assert (result.wijken, result.buurten) == (1, 2)  # the water row is not a buurt
    b = store.read_atlas("GM0001", year).buurten.set_index("buurtcode")
    assert b.loc["BU00010101", "aantal_inwoners"] == 1200
    assert b.loc["BU00010102", "buurtnaam"] == "West"
    assert "percentage_personen_65_jaar_en_ouder" in b.columns
    if "INK_INW2" in columns:  # mapped by data, the secret is missing
        assert b.loc["BU00010101", "gemiddeld_inkomen_per_inwoner"] == pytest.approx(31.5)
        assert np.isnan(b.loc["BU00010102", "gemiddeld_inkomen_per_inwoner"])
    if "P_HUURCORP" in columns:
        assert "perc_huurwoningen_in_bezit_woningcorporaties" in b.columns
    # the proximity family is read but not kept, except what the registry uses
    assert not any(c.upper().startswith("AV1_") for c in b.columns)
    if "AV3_ARTSPR" in columns:
        assert "huisartsenpraktijk_gemiddeld_aantal_binnen_3_km" in b.columns


def test_a_later_layout_with_an_unknown_column_names_it(tmp_path):
    year, stems, columns = LAYOUTS["2019_v1"]
    zipped = _layout_zip(tmp_path / "x", stems, [*columns, "P_HUURKORP"])
    with pytest.raises(DataValidationError) as err:
        read_kwb_shapefiles(zipped, "GM0001", year)
    msg = str(err.value)
    assert "gemeente_2019_v1.shp" in msg and "P_HUURKORP" in msg and "P_HUURCORP" in msg


# ---------------------------------------------------------------------------- refresh 2015-2018
@pytest.mark.realdata
@pytest.mark.slow
def test_refresh_downloads_the_zipped_kaart_of_a_year_before_pdok(
    kwb2015, realdata, httpserver, tmp_path, monkeypatch, capsys
):
    """`refresh --jaren` of a year without a PDOK API downloads CBS's zipped Wijk- en
    Buurtkaart (a local replay of the real 2015 layout) and reads it like `import`; for
    Voorne aan Zee, which did not exist in 2015, it stores the gemeenten that lay there."""
    from _wijkbuurtkaart import build_wijkbuurtkaart

    from wijkgeo.cli import main
    from wijkgeo.series import tijdreeks
    from wijkgeo.sources.catalog import kaart_zip_url

    path = kaart_zip_url(2015, web_url="http://x").removeprefix("http://x")
    httpserver.expect_request(path).respond_with_data(
        kwb2015.read_bytes(), content_type="application/zip"
    )
    monkeypatch.setenv("WIJKGEO_CBS_WEB_URL", httpserver.url_for("/").rstrip("/"))
    monkeypatch.setenv("WIJKGEO_CACHE", str(tmp_path / "cache"))
    store = Store(tmp_path / "store")
    gpkg = build_wijkbuurtkaart(realdata, tmp_path / "w.gpkg", gemeenten=["GM1992"])
    import_wijkbuurtkaart(gpkg, "GM1992", 2024, store=store)
    argv = ["refresh", "GM0606", "GM1992", "--jaar", "2015", "--store", str(store.path), "--json"]
    assert main(argv) == 0
    out = json.loads(capsys.readouterr().out)
    by_code = {r["gemeente"]: r for r in out}
    assert by_code["GM0606"]["status"] == "created" and by_code["GM0606"]["buurten"] == 52
    # Brielle, Hellevoetsluis, Westvoorne and Nissewaard (Oudenhoorn) lay on GM1992's area
    assert {"GM0501", "GM0530", "GM0614", "GM1930"} <= set(by_code)
    assert "GM1992" not in by_code
    assert "op het gebied van GM1992" in by_code["GM0501"]["reason"]
    assert store.has("GM0606", 2015) and store.has("GM1930", 2015)
    frame = tijdreeks("GM1992", [2015, 2024], store=store, indicators=["inwoners"])
    gem = frame[(frame.niveau == "gemeente") & (frame.jaar == 2015)]
    assert gem["waarde"].iloc[0] > 69_000  # the three gemeenten plus Oudenhoorn
    # a second run finds the same file: unchanged, nothing rewritten
    assert main(argv) == 0
    again = json.loads(capsys.readouterr().out)
    assert {r["status"] for r in again} == {"unchanged"}
    # the command that gets a missing early year is refresh now
    assert "wijkgeo refresh GM0606 --jaar 2016" in tijdreeks(
        "GM0606", [2015, 2016], store=store, indicators=["inwoners"]
    ).attrs["ophalen"]


def test_refresh_of_an_early_year_fails_cleanly_and_dry_runs(httpserver, tmp_path, monkeypatch):
    from wijkgeo.refresh import exit_code, refresh_kaart

    monkeypatch.setenv("WIJKGEO_CACHE", str(tmp_path / "cache"))
    url = httpserver.url_for("/").rstrip("/")
    dry = refresh_kaart(["GM0606"], 2016, store=tmp_path / "s", web_url=url, dry_run=True)
    assert dry[0].status == "would_update" and "shape-2016-versie-30.zip" in dry[0].reason
    assert not httpserver.log  # a dry run asks nothing
    httpserver.expect_request(re.compile(r".*")).respond_with_data("weg", status=404)
    failed = refresh_kaart(["GM0606", "GM0599"], 2016, store=tmp_path / "s", web_url=url)
    assert [r.status for r in failed] == ["failed", "failed"] and exit_code(failed) == 1
    assert "404" in failed[0].error or "niet gevonden" in failed[0].error.lower()
    assert not list((tmp_path / "cache").rglob("*.zip"))  # nothing half-written


@pytest.mark.realdata
@pytest.mark.slow
@pytest.mark.parametrize("layout", ["2018_v2", "2021_eerste_versie", "2021_V3"])
def test_real_2015_figures_read_the_same_in_a_later_layout(layout, kwb2015, tmp_path):
    """The real Rijnmond 2015 file rewritten in a later year's file names and columns (H2O,
    JRSTATCODE, JAAR, the proximity family): Schiedam reads as the same canonical frame."""
    _year, stems, columns = LAYOUTS[layout]
    folder = tmp_path / "later"
    folder.mkdir()
    with zipfile.ZipFile(kwb2015) as zf:
        zf.extractall(tmp_path / "orig")
    files = []
    for level, stem in zip(("gem", "wijk", "buurt"), stems, strict=True):
        frame = gpd.read_file(next((tmp_path / "orig").rglob(f"{level}_2015.shp")))
        frame = frame[frame.GM_CODE == "GM0606"]
        if "H2O" in columns:
            frame["H2O"] = "NEE"
        for extra in ("JRSTATCODE", "JAAR", "AV1_ARTSPR", "AF_ONDVRT"):
            if extra in columns:
                frame[extra] = "2015" if extra == "JRSTATCODE" else 1.0
        frame.to_file(folder / f"{stem}.shp")
        files += [p for p in folder.iterdir() if p.stem == stem]
    zipped = tmp_path / "later.zip"
    with zipfile.ZipFile(zipped, "w") as zf:
        for p in files:
            zf.write(p, p.name)
    # read as 2015 both times (the file names carry the year in the layout's own way)
    renamed = {s: s.replace(str(_year), "2015") for s in stems}
    with zipfile.ZipFile(zipped) as zf, zipfile.ZipFile(tmp_path / "as2015.zip", "w") as out:
        for name in zf.namelist():
            stem = name.rsplit(".", 1)[0]
            out.writestr(name.replace(stem, renamed[stem]), zf.read(name))
    a = read_kwb_shapefiles(kwb2015, "GM0606", 2015).buurten.set_index("buurtcode")
    b = read_kwb_shapefiles(tmp_path / "as2015.zip", "GM0606", 2015).buurten
    b = b.set_index("buurtcode").loc[a.index]
    common = [c for c in a.columns if c in b.columns and c != a.geometry.name]
    assert len(a) == 52 and "aantal_inwoners" in common and len(common) > 40
    pd.testing.assert_frame_equal(pd.DataFrame(a[common]), pd.DataFrame(b[common]))
