"""Real RIVM/GGD health rows (``raw/rivm_50090NED``) for tests, and a replay of CBS's
third-party catalogue serving them in CBS's own OData v3 envelopes.

``serve_rivm(server, realdata)`` answers, like ``dataderden.cbs.nl``:

* ``/ODataFeed/odata/50090NED/TableInfos`` (``Modified``),
* ``/ODataFeed/odata/50090NED/WijkenEnBuurten``: the dimension, ``Key`` padded to 10 and
  ``Title``; 50090NED is on the 2020 areas, so the titles are those of the real Kerncijfers
  2020 dimension (``odata/kwb_84799NED_2020``), with CBS's ``NL01`` for Nederland as in
  the health table,
* ``/ODataFeed/odata/50090NED/Leeftijd``: the age dimension (``Key``, ``Title``),
* ``/ODataFeed/odata/50090NED/TypedDataSet``: three real Excel copies (2016 and 2020
  65+, 2020 18+) as one table, numbers as JSON numbers and ``null`` for ``.``, keys padded as
  in the files; ``$filter`` as in ``tests/replay.py``, paged at 10,000 rows with
  ``odata.nextLink``;

and 404 (with CBS's JSON error) for any other table, so a client that tries the newest
edition first (50150NED, 50120NED) moves on as it would against the real catalogue.
"""

from __future__ import annotations

import json
import math
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pandas as pd
from replay import _odata_filter

TABLE = "50090NED"
#: 2016 and 2020 for 65+, and 2020 for 18+ (its Nederland row is checked)
FILES = ("2016_65+", "2020_18+", "2020_65+")
MODIFIED = "2022-11-30T02:00:00"


@cache
def excel(realdata: Path, name: str) -> pd.DataFrame:
    """One real Excel copy as read by pandas (cached per session: each takes ~2.5 s)."""
    from wijkgeo.sources.rivm_file import excel_engine

    path = Path(realdata) / "raw" / "rivm_50090NED" / f"{name}.xlsx"
    return pd.read_excel(path, engine=excel_engine())


def _json_value(value: Any) -> Any:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, str):
        text = value.strip()
        if text in ("", "."):
            return None
        try:
            return float(text)
        except ValueError:
            return value
    if hasattr(value, "item"):
        return value.item()
    return value


@cache
def typed_rows(realdata: Path, gemeente: str | None = None) -> tuple[dict[str, Any], ...]:
    """The TypedDataSet rows of the four copies (of one gemeente and NL, or all)."""
    out: list[dict[str, Any]] = []
    keys = {
        "Leeftijd",
        "Marges",
        "WijkenEnBuurten",
        "Perioden",
        "Gemeentenaam_1",
        "SoortRegio_2",
        "Codering_3",
    }
    for name in FILES:
        frame = excel(realdata, name)
        regions = frame["WijkenEnBuurten"].astype(str)
        if gemeente:
            frame = frame[regions.str[2:6].eq(gemeente[2:]) | regions.str.startswith("NL")]
        for rec in frame.to_dict("records"):
            row = {}
            for k, v in rec.items():
                if k in keys:
                    row[k] = str(v) if k != "WijkenEnBuurten" else str(v).ljust(10)
                elif k == "ID":
                    row[k] = int(v)
                else:
                    row[k] = _json_value(v)
            out.append(row)
    return tuple(out)


@cache
def kwb2020(realdata: Path) -> pd.DataFrame:
    """Code, name and area (ha) of every area of Kerncijfers 2020 (84799NED): the 2020
    areas 50090NED is published on."""
    base = Path(realdata) / "odata" / "kwb_84799NED_2020" / "cbs.v3.84799NED_"
    dim = pd.read_parquet(f"{base}WijkenEnBuurten.parquet")
    typed = pd.read_parquet(
        f"{base}TypedDataSet.parquet", columns=["WijkenEnBuurten", "OppervlakteTotaal_110"]
    )
    out = pd.DataFrame({"code": dim["Key"].str.strip(), "naam": dim["Title"].str.strip()})
    area = typed.assign(code=typed["WijkenEnBuurten"].str.strip())
    area = area.rename(columns={"OppervlakteTotaal_110": "oppervlakte_totaal_in_ha"})
    return out.merge(area[["code", "oppervlakte_totaal_in_ha"]], on="code", how="left")


def _dimension(realdata: Path) -> list[dict[str, Any]]:
    rows = []
    for rec in kwb2020(realdata).itertuples(index=False):
        key = "NL01" if rec.code == "NL00" else rec.code
        rows.append({"Key": key.ljust(10), "Title": rec.naam})
    return rows


class RivmReplay:
    """The handler; ``log`` holds ``(path, query)`` per request."""

    def __init__(self, server: Any, realdata: Path, page_size: int = 10000):
        self.server = server
        self.realdata = Path(realdata)
        self.page_size = page_size
        self.log: list[tuple[str, dict[str, str]]] = []
        server.expect_request(__import__("re").compile(r".*")).respond_with_handler(self.handle)

    @property
    def url(self) -> str:
        return self.server.url_for("/").rstrip("/")

    def handle(self, request: Any) -> Any:
        from werkzeug.wrappers import Response

        args = dict(request.args.items())
        self.log.append((request.path, args))
        parts = request.path.strip("/").split("/")
        if len(parts) < 3 or parts[:2] != ["ODataFeed", "odata"] or parts[2] != TABLE:
            body = json.dumps({"odata.error": {"message": {"value": "Table not found"}}})
            return Response(body, status=404, content_type="application/json")
        entity = parts[3] if len(parts) > 3 else ""
        root = f"{self.url}/ODataFeed/odata/{TABLE}"
        if entity == "TableInfos":
            rows: list[dict[str, Any]] = [
                {
                    "ID": 0,
                    "Identifier": TABLE,
                    "Title": "Gezondheid per wijk en buurt; 2012/2016/2020 (indeling 2020)",
                    "Modified": MODIFIED,
                }
            ]
        elif entity == "WijkenEnBuurten":
            rows = _dimension(self.realdata)
        elif entity == "Leeftijd":  # the two groups of the real copies
            rows = [
                {"Key": "20300", "Title": "18 jaar of ouder"},
                {"Key": "80200", "Title": "65 jaar of ouder"},
            ]
        elif entity == "TypedDataSet":
            rows = list(typed_rows(self.realdata))
        else:
            return Response("Not found", status=404)
        rows = [r for r in rows if _odata_filter(args.get("$filter"), r)]
        skip = int(args.get("$skip", 0) or 0)
        rows = rows[skip:]
        out: dict[str, Any] = {
            "odata.metadata": f"{root}/$metadata#Cbs.OData.WebAPI.{entity}",
            "value": rows[: self.page_size],
        }
        if len(rows) > self.page_size:
            nxt = {k: v for k, v in args.items() if k != "$skip"}
            nxt["$skip"] = str(skip + self.page_size)
            out["odata.nextLink"] = f"{root}/{entity}?{urlencode(nxt, safe='$,()')}"
        return Response(json.dumps(out), status=200, content_type="application/json")


def serve_rivm(server: Any, realdata: Path, page_size: int = 10000) -> RivmReplay:
    """Install the replay on a pytest-httpserver ``HTTPServer``; returns it."""
    return RivmReplay(server, realdata, page_size)


# --------------------------------------------------------------- Rotterdam on 2020 areas
@cache
def kerncijfers2020(realdata: Path, gemeente: str = "GM0599") -> pd.DataFrame:
    """The real Kerncijfers 2020 (84799NED) of one gemeente, normalised as a fetch does
    (canonical columns: ``aantal_inwoners``, ``aantal_personen_65_jaar_en_ouder``, ...)."""
    from wijkgeo.sources.cbs import normalize_kerncijfers, with_hierarchy

    base = Path(realdata) / "odata" / "kwb_84799NED_2020" / "cbs.v3.84799NED_"
    props = pd.read_parquet(f"{base}DataProperties.parquet").to_dict("records")
    typed = pd.read_parquet(f"{base}TypedDataSet.parquet")
    typed = typed[typed["WijkenEnBuurten"].str[2:6] == gemeente[2:]]
    rows = typed.astype(object).where(typed.notna(), None).to_dict("records")
    titles = {r.code: r.naam for r in kwb2020(realdata).itertuples(index=False)}
    for row in rows:
        row["WijkenEnBuurten"] = titles.get(row["WijkenEnBuurten"].strip(), row["WijkenEnBuurten"])
    return with_hierarchy(normalize_kerncijfers(rows, props))


#: Rotterdam's buurten of 2020 whose area changed by 2024 (Kerncijfers 2020 vs 2024: area
#: more than 3 % apart, or gone): three pairs redrawn between each other and Schieveen
#: merged with Bedrijventerrein Schieveen.
CHANGED_2020 = (
    "BU05990321",  # Bospolder        34 ha -> 49
    "BU05990329",  # Schiemond       122 ha -> 107
    "BU05990454",  # Schieveen       430 ha -> 581
    "BU05992650",  # Bedrijventerrein Schieveen 152 ha -> (in Schieveen)
    "BU05990836",  # Nieuw Crooswijk 110 ha -> 134
    "BU05990843",  # Kralingse Bos   447 ha -> 423
    "BU05991575",  # Wielewaal        21 ha -> 89
    "BU05991578",  # Zuiderpark      317 ha -> 248
)


def rotterdam_2020_atlas(realdata: Path, now: Any) -> Any:
    """Rotterdam on its 2020 areas, rebuilt from real outlines (no 2020 outline file is in
    realdata): the 84 buurten whose code, name and area held between Kerncijfers 2020 and
    2024 on their 2024 outline, the 8 buurten of 2020 that changed (:data:`CHANGED_2020`)
    on their real 2015 outline (Wijk- en Buurtkaart 2015; area within 5 % of Kerncijfers
    2020), wijken and gemeente as in 2024; every attribute from the real Kerncijfers 2020."""
    import geopandas as gpd

    from wijkgeo.atlas import Atlas

    kc = kerncijfers2020(realdata)
    b15 = gpd.read_file(Path(realdata) / "raw" / "rijnmond2015" / "buurt_2015.geojson")
    b15 = b15[b15["BU_CODE"].isin(CHANGED_2020)].to_crs(now.buurten.crs)
    geoms = dict(zip(now.buurten["buurtcode"], now.buurten.geometry, strict=True))
    geoms.update(dict(zip(b15["BU_CODE"], b15.geometry, strict=True)))
    bu = kc[kc["level"] == "buurt"].copy()
    assert set(bu["code"]) <= set(geoms), set(bu["code"]) - set(geoms)

    def frame(level: str, key: str, outlines: dict[str, Any]) -> Any:
        name = key.replace("code", "naam")
        part = kc[kc["level"] == level].drop(columns=["level", key, name], errors="ignore")
        part = part.rename(columns={"code": key, "naam": name})
        geo = [outlines.get(c) for c in part[key]]
        return gpd.GeoDataFrame(part, geometry=geo, crs=now.buurten.crs).reset_index(drop=True)

    buurten = frame("buurt", "buurtcode", geoms)
    wijken = frame(
        "wijk", "wijkcode", dict(zip(now.wijken["wijkcode"], now.wijken.geometry, strict=True))
    )
    wijken = wijken[wijken.geometry.notna()].reset_index(drop=True)
    gemeente = frame(
        "gemeente",
        "gemeentecode",
        dict(zip(now.gemeente["gemeentecode"], now.gemeente.geometry, strict=True)),
    )
    meta = {
        "gemeente": "GM0599",
        "year": 2020,
        "source": "Kerncijfers 2020 (84799NED) op grenzen uit de kaarten van 2024 en 2015",
    }
    return Atlas(gemeente=gemeente, wijken=wijken, buurten=buurten, meta=meta)
