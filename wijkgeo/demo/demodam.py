"""The fictional gemeente Demodam (``GM9999``), served in the real sources' formats.

Demodam is made by :func:`wijkgeo.demo.synthetic.generate_country` (one gemeente; seeded
and deterministic: the same seed gives byte-identical output, a different seed a different
gemeente). Codes can never collide with real CBS codes (``GM9999``, ``WK9999xx``,
``BU9999xxxx``, postcodes ``00xx``), and Demodam lies in the North Sea, about 35 km west of
the Noord-Holland coast at the latitude of Den Helder (centre RD x=70,000, y=545,000):
valid EPSG:28992, obviously fictional on any basemap.

It is then serialised exactly as the real sources deliver data: PDOK OGC API GeoJSON
features (snake_case, ``-99997`` for secret values, ``water='NEE'`` plus a ``water='JA'``
gemeente row), ``cbsodata.get_data()`` rows of table 85984NED (``_N`` keys, ``Codering_3``
padded to 10 characters, names in ``WijkenEnBuurten``) with their DataProperties, a raw
CBS 500 m grid, and CSV local layers with a ``lagen.json``. :func:`make_demo` feeds these
through the same loaders as real data (:mod:`~wijkgeo.sources.pdok`,
:mod:`~wijkgeo.sources.cbs`, :mod:`~wijkgeo.sources.vierkant`,
:mod:`~wijkgeo.sources.local`, :mod:`~wijkgeo.sources.assemble`).
:func:`write_local_layers` regenerates ``data_sources/demo/``.

Examples
--------
>>> from wijkgeo.demo import make_demo
>>> atlas = make_demo()                                   # doctest: +SKIP
>>> atlas.code, len(atlas.wijken), len(atlas.buurten)     # doctest: +SKIP
('GM9999', 8, 40)
"""

from __future__ import annotations

import csv
import io
import json
import logging
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ..conventions import CRS, round5
from .synthetic import SyntheticCountry, generate_country
from .synthetic import spec as _spec

if TYPE_CHECKING:  # pragma: no cover
    import geopandas as gpd

    from ..atlas import Atlas

__all__ = [
    "DEMO_CODE",
    "DEMO_NAME",
    "DEMO_YEAR",
    "SECRET",
    "SyntheticCountry",
    "data_properties",
    "demo_sources",
    "generate_country",
    "kerncijfers_rows",
    "local_layer_files",
    "local_layer_frames",
    "make_demo",
    "national_reference",
    "pdok_features",
    "projecten_frame",
    "vierkanten_500m",
    "write_local_layers",
]

log = logging.getLogger(__name__)

DEMO_CODE = "GM9999"
DEMO_NAME = "Demodam"
DEMO_YEAR = 2024
#: How PDOK and the CBS grid files write a secret or missing value.
SECRET = -99997


# ============================================================== serialisation (real formats)
def _plain(value: Any) -> Any:
    """A JSON-ready scalar: NaN -> None, integral floats -> int."""
    if value is None:
        return None
    if isinstance(value, (np.floating, float)):
        if np.isnan(value):
            return None
        f = float(value)
        return int(f) if f.is_integer() else f
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.bool_):
        return bool(value)
    return value


def _geojson_geometry(geom) -> dict[str, Any]:
    import shapely

    if geom.geom_type == "Polygon":  # PDOK serves MultiPolygons
        geom = shapely.MultiPolygon([geom])
    return json.loads(shapely.to_geojson(geom))


def pdok_features(
    country: SyntheticCountry, *, year: int = DEMO_YEAR, sea_margin: float = 900.0
) -> dict[str, list[dict[str, Any]]]:
    """Serialise a synthetic gemeente as PDOK OGC API ``items`` features (EPSG:28992).

    snake_case properties as in the Wijk- en Buurtkaart, secret/missing values as
    ``-99997``, ``water='NEE'``, ``jrstatcode``/``jaar``, and per gemeente a second
    ``water='JA'`` row (all statistics ``-99997``) holding a strip of sea, like PDOK's
    gemeenten layer for coastal gemeenten.

    Parameters
    ----------
    country : SyntheticCountry
        Output of :func:`generate_country`.
    year : int
        Value of ``jaar``.
    sea_margin : float
        Width in metres of the ``water='JA'`` strip around each gemeente.

    Returns
    -------
    dict
        ``{"gemeente": [...], "wijk": [...], "buurt": [...]}`` lists of GeoJSON features.

    Examples
    --------
    >>> from wijkgeo.demo import generate_country, pdok_features
    >>> feats = pdok_features(generate_country(1, n_wijken=2, n_buurten=4, seed=1))
    >>> [f["properties"]["water"] for f in feats["gemeente"]]
    ['NEE', 'JA']
    """
    props = _spec()["pdok_properties"]
    layers = {
        "gemeente": (country.gemeenten, ["gemeentecode", "gemeentenaam"], "gemeentecode"),
        "wijk": (
            country.wijken,
            ["wijkcode", "wijknaam", "gemeentecode", "gemeentenaam"],
            "wijkcode",
        ),
        "buurt": (
            country.buurten,
            ["buurtcode", "buurtnaam", "wijkcode", "gemeentecode", "gemeentenaam"],
            "buurtcode",
        ),
    }
    out: dict[str, list[dict[str, Any]]] = {}
    for level, (frame, ids, code_col) in layers.items():
        feats = []
        records = frame.drop(columns="geometry").to_dict("records")
        for rec, geom in zip(records, frame.geometry, strict=True):
            p: dict[str, Any] = {k: rec[k] for k in ids}
            for col in props:
                if col == "water":
                    p[col] = "NEE"
                    continue
                v = _plain(rec.get(col))
                p[col] = SECRET if v is None else v
            if level == "gemeente":
                p["meest_voorkomende_postcode"] = SECRET
            p["jrstatcode"] = f"{year}{rec[code_col]}"
            p["jaar"] = year
            feats.append(
                {
                    "type": "Feature",
                    "id": f"{rec[code_col]}.NEE",
                    "geometry": _geojson_geometry(geom),
                    "properties": p,
                }
            )
            if level == "gemeente":
                sea = geom.buffer(sea_margin, quad_segs=4).difference(geom)
                pj = {
                    k: (v if k in ids or k in ("jrstatcode", "jaar") else SECRET)
                    for k, v in p.items()
                }
                pj["water"] = "JA"
                feats.append(
                    {
                        "type": "Feature",
                        "id": f"{rec[code_col]}.JA",
                        "geometry": _geojson_geometry(sea),
                        "properties": pj,
                    }
                )
        out[level] = feats
    return out


def data_properties() -> list[dict[str, Any]]:
    """The DataProperties ``value`` list of the demo's Kerncijfers table (85984NED keys).

    Examples
    --------
    >>> from wijkgeo.demo import data_properties
    >>> [p["Key"] for p in data_properties()[:3]]
    ['WijkenEnBuurten', 'Gemeentenaam_1', 'SoortRegio_2']
    """
    spec = _spec()["odata"]
    dim = spec["dimension"]
    props: list[dict[str, Any]] = [
        {
            "odata.type": "Cbs.OData.GeoDetail",
            "ID": 0,
            "Position": 0,
            "ParentID": None,
            "Type": dim["Type"],
            "Key": dim["Key"],
            "Title": dim["Title"],
            "Description": "",
            "MapYear": DEMO_YEAR,
        }
    ]
    for i, (key, dtype, unit, decimals, title) in enumerate(spec["topics"], start=1):
        props.append(
            {
                "odata.type": "Cbs.OData.Topic",
                "ID": i,
                "Position": i,
                "ParentID": None,
                "Type": "Topic",
                "Key": key,
                "Title": title,
                "Description": "",
                "Datatype": dtype,
                "Unit": unit,
                "Decimals": decimals,
                "Default": "Impossible",
                "PresentationType": "Relative" if unit in ("%", "per km²") else "Absolute",
            }
        )
    return props


def kerncijfers_rows(country: SyntheticCountry, *, nederland: bool = True) -> list[dict[str, Any]]:
    """Serialise a synthetic gemeente as ``cbsodata.get_data()`` rows of table 85984NED.

    Keys carry the table's ``_N`` suffixes, ``WijkenEnBuurten`` holds the region *name*
    (cbsodata replaces dimension keys by titles), ``Codering_3`` the code right-padded to 10
    characters, ``SoortRegio_2`` a padded label; missing/secret values are ``None`` (as in
    TypedDataSet). The first row is Nederland (approximate national values).

    Examples
    --------
    >>> from wijkgeo.demo import generate_country, kerncijfers_rows
    >>> rows = kerncijfers_rows(generate_country(1, n_wijken=2, n_buurten=4, seed=1))
    >>> rows[1]["Codering_3"], rows[1]["WijkenEnBuurten"], rows[1]["SoortRegio_2"]
    ('GM9999    ', 'Demodam', 'Gemeente  ')
    """
    from ..sources.cbs import column_map

    dprops = data_properties()
    names = column_map(dprops)
    topics = [p for p in dprops if p["Type"] == "Topic"]
    spec = _spec()
    regions: list[tuple[str, str, str, dict[str, Any]]] = []
    if nederland:
        nl = spec["nederland"]
        regions.append((nl["code"], nl["name"], "Land", dict(nl["values"])))
    for frame, code_col, name_col, soort in (
        (country.gemeenten, "gemeentecode", "gemeentenaam", "Gemeente"),
        (country.wijken, "wijkcode", "wijknaam", "Wijk"),
        (country.buurten, "buurtcode", "buurtnaam", "Buurt"),
    ):
        for rec in frame.drop(columns="geometry").to_dict("records"):
            regions.append((rec[code_col], rec[name_col], soort, rec))
    rows: list[dict[str, Any]] = []
    for i, (code, name, soort, rec) in enumerate(regions):
        row: dict[str, Any] = {"ID": i, "WijkenEnBuurten": name}
        for p in topics:
            key, col = p["Key"], names.get(p["Key"])
            if col == "gemeentenaam":
                value = (rec.get("gemeentenaam") or "").ljust(40) if soort != "Land" else None
            elif col == "soort_regio":
                value = soort.ljust(10)
            elif col == "code":
                value = code.ljust(10)
            elif col == "indelingswijziging_wijken_en_buurten":
                value = "1" if soort in ("Wijk", "Buurt") else None
            elif p["Datatype"] == "String":
                value = _plain(rec.get(col))
                value = None if value is None else str(value)
            else:
                value = _plain(rec.get(col))
                if value is not None:
                    value = round(float(value), int(p["Decimals"]))
                    value = int(value) if p["Datatype"] == "Long" else value
            row[key] = value
        rows.append(row)
    return rows


# ============================================================================= vierkanten
def vierkanten_500m(
    country: SyntheticCountry, *, rng: np.random.Generator | None = None
) -> gpd.GeoDataFrame:
    """CBS-style 500 m vierkantstatistieken for a synthetic gemeente (raw format).

    Cells on the CBS 500 m grid (EPSG:28992, id column ``crs28992res500m`` = ``E`` +
    4-digit x-hectometres + ``N`` + 4-digit y-hectometres of the lower-left corner) that
    overlap a buurt with inhabitants. Buurt counts are spread over cells by area, rounded
    to 5; small cells get ``-99997`` like the published files.

    Examples
    --------
    >>> from wijkgeo.demo import generate_country, vierkanten_500m
    >>> grid = vierkanten_500m(generate_country(1, n_wijken=2, n_buurten=4, seed=1))
    >>> grid["crs28992res500m"].str.match(r"^E\\d{4}N\\d{4}$").all()
    np.True_
    """
    import geopandas as gpd
    import shapely

    from ..grid.codes import format_cell

    rng = rng if rng is not None else np.random.default_rng(country.meta["seed"] + 500)
    b = country.buurten
    t = country.truth.loc[b["buurtcode"]]
    minx, miny, maxx, maxy = b.total_bounds
    xs = np.arange(np.floor(minx / 500) * 500, maxx, 500.0)
    ys = np.arange(np.floor(miny / 500) * 500, maxy, 500.0)
    gx, gy = np.meshgrid(xs, ys)
    gx, gy = gx.ravel(), gy.ravel()
    cells = shapely.box(gx, gy, gx + 500, gy + 500)
    tree = shapely.STRtree(b.geometry.values)
    ci, bi = tree.query(cells, predicate="intersects")
    share = shapely.area(shapely.intersection(cells[ci], b.geometry.values[bi])) / shapely.area(
        b.geometry.values[bi]
    )
    n = len(cells)

    def spread(values: np.ndarray) -> np.ndarray:
        return np.bincount(ci, weights=values[bi] * share, minlength=n)

    src = {
        "aantal_inwoners": t["aantal_inwoners"],
        "aantal_mannen": t["mannen"],
        "aantal_vrouwen": t["vrouwen"],
        "aantal_inwoners_0_tot_15_jaar": t["aantal_personen_0_tot_15_jaar"],
        "aantal_inwoners_15_tot_25_jaar": t["aantal_personen_15_tot_25_jaar"],
        "aantal_inwoners_25_tot_45_jaar": t["aantal_personen_25_tot_45_jaar"],
        "aantal_inwoners_45_tot_65_jaar": t["aantal_personen_45_tot_65_jaar"],
        "aantal_inwoners_65_jaar_en_ouder": t["aantal_personen_65_jaar_en_ouder"],
        "aantal_part_huishoudens": t["aantal_huishoudens"],
        "aantal_eenpersoonshuishoudens": t["aantal_eenpersoonshuishoudens"],
        "aantal_woningen": t["woningvoorraad"],
        "_koop": t["_won_koop"],
        "_huur": t["_won_huur"],
        "aantal_huurwoningen_in_bezit_woningcorporaties": t["_won_corp"],
        "aantal_personen_met_uitkering_onder_aowlft": (
            t["aantal_personen_met_een_alg_bijstandsuitkering_tot"]
            + t["aantal_personen_met_een_ao_uitkering_totaal"]
            + t["aantal_personen_met_een_ww_uitkering_totaal"]
        ),
    }
    noise = np.exp(rng.normal(0, 0.15, n))
    raw = {k: spread(np.asarray(v, float)) * noise for k, v in src.items()}
    keep = (raw["aantal_inwoners"] >= 2.5) | (raw["aantal_woningen"] >= 2.5)
    data: dict[str, Any] = {}
    for col in _spec()["vierkant_columns"]:
        if col in ("percentage_koopwoningen", "percentage_huurwoningen"):
            part = raw["_koop" if col.endswith("koopwoningen") else "_huur"]
            val = np.round(100 * part / np.maximum(raw["aantal_woningen"], 1e-9))
            val = np.where(raw["aantal_woningen"] < 10, SECRET, val)
        else:
            val = round5(raw[col])
            if col != "aantal_inwoners" and col != "aantal_woningen":
                val = np.where(raw["aantal_inwoners"] < 10, SECRET, val)
            if col == "aantal_inwoners":
                val = np.where(raw[col] < 5, SECRET, val)
        data[col] = val[keep]
    code = [format_cell(x, y) for x, y in zip(gx[keep], gy[keep], strict=True)]
    frame = pd.DataFrame({"crs28992res500m": code, **data})
    ints = [c for c in frame.columns if c.startswith("aantal_")]
    frame[ints] = frame[ints].astype("int64")
    return (
        gpd.GeoDataFrame(frame, geometry=cells[keep], crs=CRS)
        .sort_values("crs28992res500m", kind="stable")
        .reset_index(drop=True)
    )


# ============================================================================ local layers
#: Reference date of the demo's local layers (status of initiatives is relative to it).
REFERENCE_DATE = date(2024, 9, 1)

_SCHOOL_NAMES = [
    "De Zeester",
    "De Vuurtoren",
    "De Golfslag",
    "De Duinpieper",
    "De Schelp",
    "Het Kompas",
    "De Branding",
    "De Ankerplaats",
    "De Wadloper",
    "De Zeearend",
    "De Regenboog",
    "Springtij",
    "De Windroos",
    "De Horizon",
    "De Meeuw",
    "De Strandloper",
    "Het Getij",
    "De Kotter",
]
_KDV_NAMES = [
    "'t Zeepaardje",
    "Krabbetje",
    "De Kleine Zeehond",
    "Duimelot",
    "Het Zandkasteel",
    "Schelpje",
    "Kwetternest",
    "De Kleine Vuurtoren",
    "Pierewiet",
    "Wadkikkers",
    "Het Bootje",
    "Zeesterretje",
]
_INITIATIVES = [
    ("Samen Isoleren {w}", "energie"),
    ("Energiecoaches {w}", "energie"),
    ("Buurtwarmte {w}", "energie"),
    ("Voedseltuin {b}", "groen"),
    ("Repair Café {w}", "sociaal"),
    ("Taalcafé {b}", "sociaal"),
    ("Burenhulp {b}", "sociaal"),
    ("Groen schoolplein {b}", "groen"),
    ("Zwerfafvalteam {w}", "groen"),
    ("Buurtpreventie {b}", "veiligheid"),
    ("Wijkkrant {w}", "sociaal"),
    ("Speeltuinvereniging {b}", "sociaal"),
    ("Klushulp {w}", "sociaal"),
    ("Geveltuinen {b}", "groen"),
]


def _points_in(rng: np.random.Generator, poly, k: int) -> np.ndarray:
    import shapely

    minx, miny, maxx, maxy = poly.bounds
    inner = poly.buffer(-25.0)
    if inner.is_empty:
        inner = poly
    out = np.empty((0, 2))
    while len(out) < k:
        xy = np.c_[rng.uniform(minx, maxx, 8 * k), rng.uniform(miny, maxy, 8 * k)]
        out = np.vstack([out, xy[shapely.contains_xy(inner, xy[:, 0], xy[:, 1])]])
    return np.round(out[:k])


def _koppelkans_wijk(country: SyntheticCountry) -> str:
    """The wijk with the highest mean deprivation (Demodam's koppelkans wijk)."""
    t = country.truth
    return str(t.groupby("wijkcode")["_dep"].mean().idxmax())


def _near_miss_wijk(country: SyntheticCountry) -> str:
    """The wijk with the second highest mean deprivation (Demodam's near-miss wijk).

    The generator puts its incomes and bijstand just under the koppelkansen thresholds
    (:data:`wijkgeo.demo.synthetic.NEAR_MISS_FACTOR`).
    """
    dep = country.truth.groupby("wijkcode")["_dep"].mean().sort_values(ascending=False)
    return str(dep.index[1 if len(dep) > 1 else 0])


# ------------------------------------------------------------------------------ projecten
#: Fictional contact persons of the demo projects (personal columns, dropped on reading).
_CONTACTS = [
    "A. Zeewier",
    "B. van Dijk",
    "C. Strandloper",
    "D. de Meeuw",
    "E. Kwelder",
    "F. van der Slik",
    "G. Wadman",
    "H. Duinhof",
]


def _xy(point) -> tuple[float, float]:
    return float(round(point.x)), float(round(point.y))


def _snap(geom):
    """Whole metres and a valid geometry (what a GIS export of the plan holds)."""
    import shapely

    return shapely.make_valid(shapely.set_precision(geom, 1.0))


def _social_need(b: pd.DataFrame) -> pd.Series:
    inw = b["aantal_inwoners"].where(b["aantal_inwoners"] > 0)
    uitk = (
        b["aantal_personen_met_een_alg_bijstandsuitkering_tot"].fillna(0)
        + b["aantal_personen_met_een_ao_uitkering_totaal"].fillna(0)
        + b["aantal_personen_met_een_ww_uitkering_totaal"].fillna(0)
    )
    return (uitk / inw).rank(pct=True) + b["perc_huishoudens_laag_inkomen"].rank(pct=True)


def projecten_frame(
    country: SyntheticCountry, energietransitie: pd.DataFrame, seed: int = 2024
) -> gpd.GeoDataFrame:
    """Demodam's plans and works of the gemeente and its partners (layer ``projecten``).

    One row per project with ``id, naam, eigenaar, thema, status, startjaar, eindjaar,
    toelichting, contactpersoon, telefoon`` and a LineString/MultiLineString/Polygon
    geometry in EPSG:28992 (whole metres). Placed from the data, so every seed has them:

    * in the koppelkans wijk (:func:`_koppelkans_wijk`, Duinrand ``WK999902`` for the
      default seed) a warmtenet of the warmtebedrijf (from the year the wijk goes off gas)
      and a rioolvervanging of the gemeente that shares one street with it, start years
      within two years, and a herinrichting of that street after the sewer work;
    * a corporatie renovatie in the buurt with the highest social need (uitkeringen per
      inhabitant and low incomes);
    * a groen project of the gemeente in the densest buurt with many 65+, overlapped by a
      waterschap klimaatadaptatie project in the same years;
    * a netbeheerder project in an all-electric wijk before its planjaar, one project that
      is finished (``afgerond``), one ``idee`` and a few others spread over the gemeente.

    Examples
    --------
    >>> from wijkgeo.demo import generate_country, local_layer_frames
    >>> c = generate_country(1, n_wijken=8, n_buurten=40, seed=2024)
    >>> pr = local_layer_frames(c)["projecten"]
    >>> sorted(set(pr["thema"]))[:3], pr.crs.to_epsg()
    (['funderingsherstel', 'groen', 'herinrichting'], 28992)
    """
    import geopandas as gpd
    import shapely

    rng = np.random.default_rng([seed, 11])
    b = country.buurten.set_index("buurtcode")
    w = country.wijken.set_index("wijkcode")
    g = country.gemeenten.geometry.iloc[0]
    kk = _koppelkans_wijk(country)
    et = energietransitie.set_index("wijkcode")
    heat_year = int(et.at[kk, "planjaar"]) if kk in et.index else 2026
    rep = {code: _xy(geom.representative_point()) for code, geom in b.geometry.items()}
    kk_buurten = sorted(b.index[b["wijkcode"] == kk])
    rows: list[dict[str, Any]] = []

    def add(naam, eigenaar, thema, status, start, end, toelichting, geom) -> None:
        rows.append(
            {
                "naam": naam,
                "eigenaar": eigenaar,
                "thema": thema,
                "status": status,
                "startjaar": int(start),
                "eindjaar": int(end),
                "toelichting": toelichting,
                "geometry": _snap(geom),
            }
        )

    def block(code: str, width: float, height: float):
        x, y = rep[code]
        return shapely.box(
            x - width / 2, y - height / 2, x + width / 2, y + height / 2
        ).intersection(b.geometry[code])

    wname = w.at[kk, "wijknaam"]
    # -- 1. warmtenet (warmtebedrijf): trunk from the nearest existing heat buurt + branches
    centre = _xy(w.geometry[kk].representative_point())
    heat_src = [
        c for c in b.index[country.truth.loc[b.index, "_heatnet"] > 0] if c not in kk_buurten
    ]
    branches = [shapely.LineString([centre, rep[c]]) for c in kk_buurten]
    if heat_src:
        src = min(
            heat_src, key=lambda c: shapely.distance(shapely.Point(rep[c]), shapely.Point(centre))
        )
        branches.insert(0, shapely.LineString([rep[src], centre]))
    add(
        f"Warmtenet {wname}",
        "warmtebedrijf",
        "warmtenet",
        "gepland",
        heat_year,
        heat_year + 2,
        f"Aanleg warmtenet; {wname} gaat als eerste wijk van het aardgas.",
        shapely.MultiLineString(branches),
    )
    # -- 2. riolering (gemeente) along the first branch and on, start within two years
    by_y = sorted(kk_buurten, key=lambda c: rep[c][1])
    a, z = by_y[0], by_y[-1]
    sewer = shapely.LineString([rep[a], centre, rep[z]])
    add(
        f"Rioolvervanging {b.at[a, 'buurtnaam']} - {b.at[z, 'buurtnaam']}",
        "gemeente",
        "riolering",
        "gepland",
        heat_year + 1,
        heat_year + 2,
        "Vervanging van het gemengde riool (aanleg 1958) door een gescheiden stelsel.",
        sewer,
    )
    # -- 3. herinrichting (gemeente) of the same street after the sewer work
    street = shapely.LineString([centre, rep[z]]).buffer(12.0, cap_style="flat", quad_segs=2)
    add(
        f"Herinrichting hoofdstraat {wname}",
        "gemeente",
        "herinrichting",
        "idee",
        heat_year + 2,
        heat_year + 3,
        "Straat opnieuw inrichten na riool en warmtenet: meer groen, 30 km/u.",
        street,
    )
    # -- 4. renovatie (corporatie) where the social need is highest
    need = _social_need(b)
    reno = str(need.idxmax())
    add(
        f"Renovatie portiekflats {b.at[reno, 'buurtnaam']}",
        "corporatie",
        "renovatie",
        "in_uitvoering",
        2024,
        2026,
        "Isolatie en nieuwe installaties in 240 corporatiewoningen, bewoners blijven wonen.",
        block(reno, 260.0, 180.0),
    )
    # -- 5. sloop-nieuwbouw (corporatie) elsewhere in the koppelkans wijk
    other = [c for c in kk_buurten if c not in (reno, a, z)] or [kk_buurten[0]]
    sn = other[int(rng.integers(len(other)))]
    add(
        f"Sloop-nieuwbouw {b.at[sn, 'buurtnaam']}",
        "corporatie",
        "sloop_nieuwbouw",
        "idee",
        heat_year + 3,
        heat_year + 6,
        "Verkenning: 80 verouderde eengezinswoningen vervangen door 120 nieuwe.",
        block(sn, 200.0, 160.0),
    )
    # -- 6. groen (gemeente) in the densest buurt with many 65+, 7. klimaatadaptatie over it
    dens = b["bevolkingsdichtheid_inwoners_per_km2"].rank(pct=True)
    old = b["percentage_personen_65_jaar_en_ouder"].rank(pct=True)
    green = str((dens + old).idxmax())
    gx, gy = rep[green]
    park = shapely.Point(gx, gy).buffer(110.0, quad_segs=4).intersection(b.geometry[green])
    add(
        f"Buurtpark {b.at[green, 'buurtnaam']}",
        "gemeente",
        "groen",
        "gepland",
        2025,
        2026,
        "Versteend plein wordt buurtpark met schaduw en bankjes (groenplan).",
        park,
    )
    wadi = shapely.box(gx, gy - 60.0, gx + 180.0, gy + 60.0).intersection(b.geometry[green])
    add(
        f"Waterberging {b.at[green, 'buurtnaam']}",
        "waterschap",
        "klimaatadaptatie",
        "gepland",
        2026,
        2027,
        "Wadi's en waterberging tegen wateroverlast bij hevige buien.",
        wadi,
    )
    # -- 8. netbeheerder in an all-electric wijk, before its planjaar
    electric = [c for c in et.index if et.at[c, "strategie"] == "all-electric" and c != kk]
    if electric:
        wk = electric[0]
        year = int(et.at[wk, "planjaar"])
        pts = [rep[c] for c in sorted(b.index[b["wijkcode"] == wk])]
        line = shapely.LineString(pts if len(pts) > 1 else [pts[0], _xy(w.geometry[wk].centroid)])
        add(
            f"Netverzwaring {w.at[wk, 'wijknaam']}",
            "netbeheerder",
            "onderhoud",
            "gepland",
            year - 3,
            year - 1,
            "Zwaarder elektriciteitsnet en twee nieuwe transformatorhuisjes voor all-electric.",
            line,
        )
    # -- 9. funderingsherstel (gemeente) in an old low-lying buurt
    rest = [c for c in b.index if c not in kk_buurten and c not in (green, reno)]
    fund = min(rest, key=lambda c: float(b.at[c, "gemiddelde_woningwaarde"] or 1e12))
    add(
        f"Funderingsherstel {b.at[fund, 'buurtnaam']}",
        "gemeente",
        "funderingsherstel",
        "gepland",
        2027,
        2030,
        "Herstel van houten paalfunderingen; loket voor eigenaar-bewoners.",
        block(fund, 220.0, 220.0),
    )
    # -- 10. afgerond onderhoud, 11. provinciale weg (idee), 12. waterschap persleiding
    done = rest[int(rng.integers(len(rest)))]
    add(
        f"Groot onderhoud {b.at[done, 'buurtnaam']}",
        "gemeente",
        "onderhoud",
        "afgerond",
        2020,
        2022,
        "Nieuwe bestrating en verlichting.",
        block(done, 300.0, 120.0),
    )
    minx, miny, maxx, maxy = g.bounds
    ymid = float(round((miny + maxy) / 2.0))
    road = shapely.LineString([(minx - 500.0, ymid - 400.0), (maxx + 500.0, ymid + 300.0)])
    road = road.intersection(g)
    add(
        "Reconstructie provinciale weg",
        "provincie",
        "herinrichting",
        "idee",
        2030,
        2031,
        "Veiliger oversteken en een vrijliggend fietspad.",
        road,
    )
    far = sorted(rest, key=lambda c: -rep[c][0])[:3]
    add(
        "Persleiding rioolgemaal Noord",
        "waterschap",
        "riolering",
        "in_uitvoering",
        2023,
        2025,
        "Nieuwe persleiding van het rioolgemaal naar de zuivering.",
        shapely.LineString([rep[c] for c in far]),
    )
    # -- 13-15. near misses for koppelkansen: each just outside a rule's line, so the demo
    # shows a "bijna" beside every "kans" (wijkgeo/koppelkansen/rules.toml)
    nm = _near_miss_wijk(country)
    nm_buurten = sorted(b.index[b["wijkcode"] == nm])
    if nm != kk and nm_buurten:
        big = max(nm_buurten, key=lambda c: (float(b.at[c, "aantal_inwoners"] or 0), c))
        add(  # renovatie where needs are just under 1.5 x NL
            f"Renovatie galerijflats {b.at[big, 'buurtnaam']}",
            "corporatie",
            "renovatie",
            "gepland",
            2026,
            2027,
            "Isolatie en ventilatie van 120 corporatiewoningen.",
            block(big, 200.0, 140.0),
        )
    later = [c for c in et.index if et.at[c, "strategie"] == "warmtenet" and c != kk]
    if later:  # riool three years after the warmtenet: outside "within two years"
        wk = later[0]
        year = int(et.at[wk, "planjaar"])
        pts = [rep[c] for c in sorted(b.index[b["wijkcode"] == wk])]
        line = shapely.LineString(pts if len(pts) > 1 else [pts[0], _xy(w.geometry[wk].centroid)])
        add(
            f"Rioolvervanging {w.at[wk, 'wijknaam']}",
            "gemeente",
            "riolering",
            "idee",
            year + 3,
            year + 4,
            "Riool vervangen na de aanleg van het warmtenet (nog niet afgestemd).",
            line,
        )
    nlv = _spec()["nederland"]["values"]
    nl65 = 100.0 * float(nlv["aantal_personen_65_jaar_en_ouder"]) / float(nlv["aantal_inwoners"])
    share65 = b["percentage_personen_65_jaar_en_ouder"]
    cand = [
        c
        for c in b.index
        if c not in kk_buurten
        and c != green
        and dens[c] < 0.6
        and 1.1 * nl65 <= float(share65[c] if pd.notna(share65[c]) else 0) <= 1.18 * nl65
    ]
    if cand:  # groen where 65+ is just under 1.2 x NL and the buurt is not dense
        gb = max(cand, key=lambda c: (float(share65[c]), c))
        x, y = rep[gb]
        add(
            f"Bomen en geveltuinen {b.at[gb, 'buurtnaam']}",
            "gemeente",
            "groen",
            "gepland",
            2025,
            2025,
            "Twintig straatbomen en geveltuinen op verzoek van bewoners.",
            shapely.Point(x, y).buffer(60.0, quad_segs=4).intersection(b.geometry[gb]),
        )
    for i, row in enumerate(rows):
        row["contactpersoon"] = _CONTACTS[i % len(_CONTACTS)]
        row["telefoon"] = f"06-0000{1000 + 37 * i:04d}"
    frame = pd.DataFrame(rows)
    frame.insert(0, "id", [f"PR{i + 1:03d}" for i in range(len(frame))])
    cols = [
        "id",
        "naam",
        "eigenaar",
        "thema",
        "status",
        "startjaar",
        "eindjaar",
        "toelichting",
        "contactpersoon",
        "telefoon",
        "geometry",
    ]
    return gpd.GeoDataFrame(frame[cols], geometry="geometry", crs=CRS)


def local_layer_frames(country: SyntheticCountry, seed: int = 2024) -> dict[str, pd.DataFrame]:
    """The demo's local layers as plain DataFrames (what the CSV files hold).

    ``voorzieningen`` (``id, naam, categorie, x, y``), ``bewonersinitiatieven``
    (``id, naam, thema, status, startdatum, einddatum, x, y``) and ``energietransitie``
    (``wijkcode, planjaar, strategie, toelichting``); coordinates in EPSG:28992 metres.
    ``projecten`` (see :func:`projecten_frame`) is a GeoDataFrame of lines and polygons.
    The koppelkans wijk (see :func:`_koppelkans_wijk`) goes off gas first via a warmtenet
    and has several active initiatives. Names are what a resident would see; hostile names
    for escaping tests live in the tests, not here.

    Examples
    --------
    >>> from wijkgeo.demo import generate_country, local_layer_frames
    >>> frames = local_layer_frames(generate_country(1, n_wijken=8, n_buurten=40, seed=2024))
    >>> sorted(frames)
    ['bewonersinitiatieven', 'energietransitie', 'projecten', 'verhalen', 'voorzieningen']
    """
    rng = np.random.default_rng([seed, 7])
    b = country.buurten.set_index("buurtcode")
    w = country.wijken.set_index("wijkcode")
    inw = b["aantal_inwoners"].fillna(0).to_numpy(float)
    prob = inw / inw.sum()
    codes = b.index.to_numpy()
    total = float(inw.sum())
    kk = _koppelkans_wijk(country)

    rows: list[dict[str, Any]] = []

    def add(cat: str, name: str, buurt: str) -> None:
        x, y = _points_in(rng, b.geometry[buurt], 1)[0]
        rows.append({"naam": name, "categorie": cat, "x": int(x), "y": int(y)})

    # buurthuizen first (one per wijk), so their ids are stable: VZ001, VZ002, ...
    wcodes = w.index.to_list()
    for wk in wcodes:
        in_w = b.index[b["wijkcode"] == wk]
        bu = b.loc[in_w, "aantal_inwoners"].fillna(0).idxmax()
        name = f"Buurthuis {w.at[wk, 'wijknaam']}"
        add("buurthuis", name, bu)
    for wk in wcodes[: max(1, len(wcodes) // 4)]:
        in_w = b.index[b["wijkcode"] == wk]
        bu = b.loc[in_w, "aantal_inwoners"].fillna(0).idxmax()
        add("bibliotheek", f"Bibliotheek {w.at[wk, 'wijknaam']}", bu)
    per = {
        "huisarts": 4500,
        "supermarkt": 5000,
        "basisschool": 3300,
        "kinderdagverblijf": 5000,
        "sportvoorziening": 7500,
    }
    for cat, people in per.items():
        k = max(1, round(total / people))
        chosen = rng.choice(codes, size=k, p=prob)
        for i, bu in enumerate(chosen):
            bn = b.at[bu, "buurtnaam"]
            name = {
                "huisarts": f"{'Gezondheidscentrum' if i % 3 == 0 else 'Huisartsenpraktijk'} {bn}",
                "supermarkt": f"Supermarkt {bn}",
                "basisschool": f"Basisschool {_SCHOOL_NAMES[i % len(_SCHOOL_NAMES)]}",
                "kinderdagverblijf": f"Kinderdagverblijf {_KDV_NAMES[i % len(_KDV_NAMES)]}",
                "sportvoorziening": ["Sportpark", "Sporthal", "Zwembad", "Trapveld"][i % 4]
                + f" {bn}",
            }[cat]
            add(cat, name, bu)
    vz = pd.DataFrame(rows)
    vz.insert(0, "id", [f"VZ{i + 1:03d}" for i in range(len(vz))])

    # -- bewonersinitiatieven: several active ones in the koppelkans wijk
    init_rows: list[dict[str, Any]] = []
    kk_buurten = b.index[b["wijkcode"] == kk].to_numpy()
    plan = (
        [("actief", kk)] * 4
        + [("gepland", kk)]
        + [("actief", None)] * 5
        + [("afgerond", None)] * 3
        + [("gepland", None)] * 2
    )
    order = rng.permutation(len(_INITIATIVES))
    energy_first = sorted(order, key=lambda j: _INITIATIVES[j][1] != "energie")
    for n, (status, wk) in enumerate(plan):
        j = int(energy_first[n]) if wk == kk else int(order[n % len(order)])
        bu = str(rng.choice(kk_buurten) if wk is not None else rng.choice(codes, p=prob))
        x, y = _points_in(rng, b.geometry[bu], 1)[0]
        template, theme = _INITIATIVES[j]
        name = template.format(w=w.at[b.at[bu, "wijkcode"], "wijknaam"], b=b.at[bu, "buurtnaam"])
        ref = REFERENCE_DATE
        if status == "actief":
            start = ref - timedelta(days=int(rng.integers(60, 900)))
            end = "" if rng.random() < 0.6 else (ref + timedelta(days=int(rng.integers(90, 700))))
        elif status == "afgerond":
            start = ref - timedelta(days=int(rng.integers(700, 1500)))
            end = start + timedelta(days=int(rng.integers(120, 500)))
        else:
            start = ref + timedelta(days=int(rng.integers(30, 300)))
            end = ""
        init_rows.append(
            {
                "naam": name,
                "thema": theme,
                "status": status,
                "startdatum": start.isoformat(),
                "einddatum": end.isoformat() if end else "",
                "x": int(x),
                "y": int(y),
            }
        )
    # one active initiative in the koppelkans wijk ends within a year of the reference date:
    # continuity is a topic there (koppelkansen flags it: "loopt af op ...")
    pairs = zip(init_rows, plan, strict=False)
    first = next((r for r, (st, wk) in pairs if st == "actief" and wk == kk), None)
    if first is not None:
        first["einddatum"] = (REFERENCE_DATE + timedelta(days=200)).isoformat()
    bi = pd.DataFrame(init_rows)
    bi.insert(0, "id", [f"BI{i + 1:03d}" for i in range(len(bi))])

    # -- energietransitie: the koppelkans wijk goes off gas first, via a warmtenet
    heat_wijken = sorted(set(country.truth.loc[country.truth["_heatnet"] > 0, "wijkcode"]))
    et_rows = [
        {
            "wijkcode": kk,
            "planjaar": 2026,
            "strategie": "warmtenet",
            "toelichting": "Eerste aardgasvrije wijk; aansluiting op het warmtenet.",
        }
    ]
    for wk in heat_wijken:
        if wk != kk:
            et_rows.append(
                {
                    "wijkcode": wk,
                    "planjaar": 2028,
                    "strategie": "warmtenet",
                    "toelichting": "Uitbreiding van het bestaande warmtenet.",
                }
            )
    others = [x for x in wcodes if x not in {r["wijkcode"] for r in et_rows}]
    strategies = [
        ("all-electric", 2030),
        ("groen gas", 2035),
        ("hybride", 2030),
        ("all-electric", 2032),
    ]
    for wk, (strat, year) in zip(others[::2], strategies, strict=False):
        et_rows.append(
            {
                "wijkcode": wk,
                "planjaar": year,
                "strategie": strat,
                "toelichting": "Verkenning loopt.",
            }
        )
    et = pd.DataFrame(et_rows).sort_values("wijkcode", kind="stable").reset_index(drop=True)
    from .stories import initiative_results, stories_frame

    return {
        "voorzieningen": vz,
        "bewonersinitiatieven": initiative_results(bi, seed),
        "energietransitie": et,
        "projecten": projecten_frame(country, et, seed),
        "verhalen": stories_frame(country, kk, _points_in, seed),
    }


#: lagen.json: how read_local_layers finds and checks each layer (written with the CSVs).
LAYER_CONFIG: dict[str, Any] = {
    "_doc": (
        "Lokale lagen van de gemeente. Per laag: bestand (CSV, UTF-8, komma-gescheiden, "
        "eerste regel = kolomnamen; of GeoJSON), type 'punten' (met x/y-kolommen in crs), "
        "'geometrie' (lijnen en vlakken) of 'tabel', verplichte kolommen, datumkolommen "
        "(JJJJ-MM-DD, leeg = onbekend), jaarkolommen, periode (begin, eind) en toegestane "
        "waarden; persoonsgegevens worden bij het inlezen weggelaten. Zie "
        "data_sources/README.md. Kopieer deze map en vervang de rijen door die van je eigen "
        "gemeente."
    ),
    "gemeente": DEMO_CODE,
    "jaar": DEMO_YEAR,
    "lagen": {
        "voorzieningen": {
            "bestand": "voorzieningen.csv",
            "type": "punten",
            "x": "x",
            "y": "y",
            "crs": "EPSG:28992",
            "verplicht": ["id", "naam", "categorie", "x", "y"],
            "toegestaan": {
                "categorie": [
                    "huisarts",
                    "supermarkt",
                    "basisschool",
                    "kinderdagverblijf",
                    "buurthuis",
                    "bibliotheek",
                    "sportvoorziening",
                ]
            },
        },
        "bewonersinitiatieven": {
            "bestand": "bewonersinitiatieven.csv",
            "type": "punten",
            "x": "x",
            "y": "y",
            "crs": "EPSG:28992",
            "verplicht": ["id", "naam", "status", "startdatum", "einddatum", "x", "y"],
            "datums": ["startdatum", "einddatum", "bijgewerkt"],
            "toegestaan": {"status": ["actief", "afgerond", "gepland"]},
            "vrije_tekst": ["doel", "activiteiten", "bereik", "wat_is_veranderd"],
            "links": ["veranderverhaal"],
        },
        "energietransitie": {
            "bestand": "energietransitie_wijken.csv",
            "type": "tabel",
            "verplicht": ["wijkcode", "planjaar", "strategie"],
            "wijkcode": "wijkcode",
            "jaar": ["planjaar"],
            "toegestaan": {"strategie": ["warmtenet", "all-electric", "groen gas", "hybride"]},
        },
        "projecten": {
            "bestand": "projecten.geojson",
            "type": "geometrie",
            "crs": "EPSG:28992",
            "verplicht": [
                "id",
                "naam",
                "eigenaar",
                "thema",
                "status",
                "startjaar",
                "eindjaar",
            ],
            "jaar": ["startjaar", "eindjaar"],
            "periode": ["startjaar", "eindjaar"],
            "toegestaan": {
                "eigenaar": [
                    "gemeente",
                    "corporatie",
                    "waterschap",
                    "netbeheerder",
                    "warmtebedrijf",
                    "provincie",
                ],
                "thema": [
                    "riolering",
                    "herinrichting",
                    "renovatie",
                    "sloop_nieuwbouw",
                    "warmtenet",
                    "groen",
                    "klimaatadaptatie",
                    "funderingsherstel",
                    "onderhoud",
                ],
                "status": ["idee", "gepland", "in_uitvoering", "afgerond"],
            },
            "persoonsgegevens": ["contactpersoon", "telefoon"],
        },
        "verhalen": {
            "bestand": "verhalen.csv",
            "type": "verhalen",
            "x": "x",
            "y": "y",
            "crs": "EPSG:28992",
            "buurtcode": "buurtcode",
            "wijkcode": "wijkcode",
        },
    },
}


def _csv_text(frame: pd.DataFrame) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(frame.columns)
    for rec in frame.itertuples(index=False):
        writer.writerow(["" if v is None else v for v in rec])
    return buf.getvalue()


def _int_coords(value: Any) -> Any:
    if isinstance(value, list):
        return [_int_coords(v) for v in value]
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _geojson_text(frame: gpd.GeoDataFrame, name: str) -> str:
    """A GeoJSON FeatureCollection in EPSG:28992, one feature per line (diff-friendly).

    The legacy ``crs`` member makes GDAL/QGIS read the RD coordinates correctly;
    ``lagen.json`` declares the same CRS for wijkgeo.
    """
    import shapely

    head = {
        "type": "FeatureCollection",
        "name": name,
        "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::28992"}},
    }
    lines = [json.dumps(head, ensure_ascii=False)[:-1] + ', "features": [']
    records = frame.drop(columns="geometry").to_dict("records")
    feats = []
    for rec, geom in zip(records, frame.geometry, strict=True):
        gj = json.loads(shapely.to_geojson(geom))
        gj["coordinates"] = _int_coords(gj["coordinates"])
        props = {k: _plain(v) for k, v in rec.items()}
        feats.append(
            json.dumps({"type": "Feature", "properties": props, "geometry": gj}, ensure_ascii=False)
        )
    lines.append(",\n".join(feats))
    lines.append("]}")
    return "\n".join(lines) + "\n"


def local_layer_files(country: SyntheticCountry, seed: int = 2024) -> dict[str, str]:
    """File name -> text of the demo's ``data_sources/demo`` folder (layers + lagen.json)."""
    frames = local_layer_frames(country, seed)
    files = {}
    for key, frame in frames.items():
        name = LAYER_CONFIG["lagen"][key]["bestand"]
        files[name] = _geojson_text(frame, key) if name.endswith(".geojson") else _csv_text(frame)
    files["lagen.json"] = json.dumps(LAYER_CONFIG, indent=2, ensure_ascii=False) + "\n"
    # not local layers: the wijkteam's case export for `wijkgeo signalen` and its postcodes
    from .casework import CASE_FILE, POSTCODE_FILE, case_export_frame, postcode_frame

    files[POSTCODE_FILE] = _csv_text(postcode_frame(country))
    files[CASE_FILE] = _csv_text(case_export_frame(country, seed))
    return dict(sorted(files.items()))


def write_local_layers(
    folder: str | Path, seed: int = 2024, *, n_wijken: int = 8, n_buurten: int = 40
) -> list[Path]:
    """(Re)generate Demodam's local layers and their ``lagen.json`` into ``folder``.

    ``python -c "from wijkgeo.demo import write_local_layers;
    write_local_layers('data_sources/demo')"`` regenerates the files kept in git.

    Parameters
    ----------
    folder : str or Path
        Target folder (created if missing); existing files of the same names are replaced.
    seed, n_wijken, n_buurten
        As for :func:`make_demo`.

    Returns
    -------
    list of Path
        The written files.

    Examples
    --------
    >>> from wijkgeo.demo import write_local_layers
    >>> [p.name for p in write_local_layers("data_sources/demo")][-2:]   # doctest: +SKIP
    ['projecten.geojson', 'voorzieningen.csv']
    """
    country = generate_country(1, n_wijken=n_wijken, n_buurten=n_buurten, seed=seed)
    target = Path(folder)
    target.mkdir(parents=True, exist_ok=True)
    written = []
    for name, text in local_layer_files(country, seed).items():
        path = target / name
        path.write_text(text, encoding="utf-8", newline="\n")
        written.append(path)
    return written


# ================================================================================== entry
def demo_sources(seed: int = 2024, *, n_wijken: int = 8, n_buurten: int = 40) -> dict[str, Any]:
    """Demodam in the formats the real sources deliver, before any loader touched it.

    Returns
    -------
    dict
        ``country`` (:class:`SyntheticCountry`), ``features`` (PDOK features per level),
        ``kerncijfers`` (cbsodata rows), ``data_properties``, ``vierkanten_500m`` (raw CBS
        grid GeoDataFrame with ``-99997``) and ``local_files`` (file name -> text).

    Examples
    --------
    >>> from wijkgeo.demo import demo_sources
    >>> src = demo_sources()
    >>> len(src["features"]["buurt"]), src["kerncijfers"][1]["Codering_3"]
    (40, 'GM9999    ')
    """
    country = generate_country(1, n_wijken=n_wijken, n_buurten=n_buurten, seed=seed)
    return {
        "country": country,
        "features": pdok_features(country),
        "kerncijfers": kerncijfers_rows(country),
        "data_properties": data_properties(),
        "vierkanten_500m": vierkanten_500m(country),
        "local_files": local_layer_files(country, seed),
    }


def make_demo(seed: int = 2024, *, n_wijken: int = 8, n_buurten: int = 40) -> Atlas:
    """Build the fictional gemeente Demodam (``GM9999``, 2024) as an :class:`Atlas`.

    The data are generated in the real sources' formats and then loaded by the same code
    as real data: :func:`wijkgeo.sources.pdok.features_to_frame`,
    :func:`wijkgeo.sources.cbs.normalize_kerncijfers`,
    :func:`wijkgeo.sources.local.read_local_layers` and
    :func:`wijkgeo.sources.assemble.build_atlas`.

    Parameters
    ----------
    seed : int, default 2024
        Random seed; the same seed gives the same gemeente.
    n_wijken : int, default 8
        Number of wijken.
    n_buurten : int, default 40
        Number of buurten (at least ``n_wijken``); the outline grows with it.

    Returns
    -------
    Atlas
        Gemeente, wijken and buurten in EPSG:28992 with KWB attributes (secret values NaN),
        ``vierkanten["500m"]``, local layers ``voorzieningen``, ``bewonersinitiatieven``,
        ``energietransitie``, and ``nederland``.

    Examples
    --------
    >>> import wijkgeo
    >>> atlas = wijkgeo.make_demo()
    >>> atlas.code, atlas.name, len(atlas.wijken), len(atlas.buurten)
    ('GM9999', 'Demodam', 8, 40)
    """
    import tempfile

    from ..sources.assemble import build_atlas
    from ..sources.cbs import column_titles, normalize_kerncijfers
    from ..sources.local import read_local_layers
    from ..sources.pdok import features_to_frame

    src = demo_sources(seed, n_wijken=n_wijken, n_buurten=n_buurten)
    boundaries = {
        "gemeente": features_to_frame(src["features"]["gemeente"], "gemeente", source_crs=CRS),
        "wijken": features_to_frame(src["features"]["wijk"], "wijk", source_crs=CRS),
        "buurten": features_to_frame(src["features"]["buurt"], "buurt", source_crs=CRS),
    }
    kern = normalize_kerncijfers(src["kerncijfers"], src["data_properties"])
    with tempfile.TemporaryDirectory(prefix="wijkgeo-demo-") as tmp:
        for name, text in src["local_files"].items():
            (Path(tmp) / name).write_text(text, encoding="utf-8", newline="\n")
        local = read_local_layers(tmp, gemeente=DEMO_CODE)
    meta = {
        "source": "Demodam: fictieve demogemeente (wijkgeo.demo), geen echte gegevens",
        "demo": True,
        "seed": seed,
        "n_wijken": n_wijken,
        "n_buurten": n_buurten,
        "kolommen": column_titles(src["data_properties"]),
        # the local layers' reference date: initiative status and plan windows relate to it
        "peildatum": REFERENCE_DATE.isoformat(),
    }
    atlas = build_atlas(
        gemeente=DEMO_CODE,
        year=DEMO_YEAR,
        boundaries=boundaries,
        kerncijfers=kern,
        vierkanten=_vierkanten(src["vierkanten_500m"]),
        local=local,
        meta=meta,
    )
    return _with_health(atlas, seed)


def _with_health(atlas: Atlas, seed: int) -> Atlas:
    """Demodam's RIVM-style health estimates, read by the real loader and kept with it."""
    from ..sources import rivm
    from ..sources.rivm_store import attach
    from .gezondheid import TABLE, health_rows

    rows, titles = health_rows(atlas.gemeente, atlas.wijken, atlas.buurten, atlas.local, seed=seed)
    tidy = rivm.normalize_rows(rows, table=TABLE, titles=titles, source="Demodam")
    return attach(atlas, tidy)


def _vierkanten(raw: gpd.GeoDataFrame) -> dict[str, gpd.GeoDataFrame]:
    """Normalise the raw 500 m grid with the real loader (:mod:`wijkgeo.sources.vierkant`)."""
    from ..sources.vierkant import normalize_vierkanten

    return {"500m": normalize_vierkanten(raw, 500)}


def _reference_rows(frames: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Gemeente, wijk and buurt frames as rows of a national reference (no geometry)."""
    parts = []
    for level, frame in frames.items():
        table = pd.DataFrame(frame.drop(columns=[frame.geometry.name], errors="ignore"))
        table = table.rename(columns={f"{level}code": "code", f"{level}naam": "naam"})
        if level == "gemeente":
            table["gemeentecode"] = table["code"]
            table["gemeentenaam"] = table["naam"]
        table.insert(1, "level", level)
        parts.append(table)
    out = pd.concat(parts, ignore_index=True)
    if "wijkcode" not in out.columns:
        out["wijkcode"] = None
    out["wijkcode"] = out["wijkcode"].where(out["level"].isin(["wijk", "buurt"]), None)
    first = ["code", "level", "naam", "gemeentecode", "gemeentenaam", "wijkcode"]
    return out[first + [c for c in out.columns if c not in first]]


def national_reference(
    atlas: Atlas | None = None, *, seed: int = 2024, n_gemeenten: int = 40
) -> pd.DataFrame:
    """A synthetic national reference for Demodam: its own buurten among a synthetic country.

    The demo generator's country (``n_gemeenten`` gemeenten, about 43 buurten each, codes
    counting down from ``GM9999``) with Demodam in place of the country's own ``GM9999``, in
    the shape of :func:`wijkgeo.sources.cbs.fetch_kerncijfers_nederland`, so ``wijkgeo
    vergelijk``, the profile's "Buurten zoals deze" and the map's peer view run offline.

    Parameters
    ----------
    atlas : Atlas, optional
        Demodam (default :func:`make_demo` with ``seed``).
    seed : int
        Seed of the country (another seed than Demodam's own draw).
    n_gemeenten : int
        Size of the synthetic country.

    Returns
    -------
    DataFrame
        Rows per gemeente, wijk and buurt with ``code``, ``level``, ``naam``, ``gemeentecode``,
        ``gemeentenaam``, ``wijkcode`` and the canonical Kerncijfers columns.

    Examples
    --------
    >>> ref = national_reference(n_gemeenten=5)
    >>> int((ref["level"] == "gemeente").sum()), "BU99990101" in set(ref["code"])
    (5, True)
    """
    demodam = atlas if atlas is not None else make_demo(seed)
    country = generate_country(n_gemeenten, seed=seed + 1)
    own = _reference_rows(
        {"gemeente": demodam.gemeente, "wijk": demodam.wijken, "buurt": demodam.buurten}
    )
    rest = _reference_rows(
        {"gemeente": country.gemeenten, "wijk": country.wijken, "buurt": country.buurten}
    )
    rest = rest[rest["gemeentecode"] != DEMO_CODE]
    out = pd.concat([own, rest], ignore_index=True)
    out.attrs["sources"] = {
        "demo": {"table": "Demodam en een fictief land (wijkgeo.demo)", "seed": seed}
    }
    return out
