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
