"""Rotterdam's own layers as a gemeente would hand them over, in other formats than the demo's.

- ``voorzieningen.xlsx``: the real, messy Rijnmond point files (``raw/rijnmond_voorzieningen``:
  secondary schools, care, GGZ, hospitals; uppercase headers, a phone column, ``[url=...]``
  fragments, a JSON blob column) exported to Excel with WGS84 ``lat``/``lon``, every original
  column kept; the gemeente only added ``id``, ``naam`` and ``categorie`` and kept the points
  inside Rotterdam;
- ``bewonersinitiatieven.csv``: Dutch Excel CSV in RD (``;``, decimal comma in x/y, cp1252);
- ``energietransitie.csv``: Dutch Excel CSV (``;``, decimal comma, cp1252) per wijk;
- ``projecten.gpkg``: lines and polygons of several owners in one GeoPackage layer (RD);
- ``koppelkansen.toml``: one extra rule of the gemeente.
"""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import pandas as pd
import shapely

FILES = {
    "scholenonderwijs_vo": ("voortgezet onderwijs", "VESTIGINGSNAAM"),
    "vvt": ("ouderenzorg", "Naam"),
    "ggz": ("ggz", "Naam"),
    "ziekenhuis": ("ziekenhuis", "Naam locatie"),
}
CATEGORIES = [
    "huisarts",
    "supermarkt",
    "basisschool",
    "kinderdagverblijf",
    "buurthuis",
    "bibliotheek",
    "sportvoorziening",
    "voortgezet onderwijs",
    "ouderenzorg",
    "ggz",
    "ziekenhuis",
]
#: Wijk -> (planjaar, strategie): the warmtetransitie plans.
PLANS = {
    "WK059915": (2027, "warmtenet"),  # Charlois (Tarwewijk)
    "WK059910": (2027, "warmtenet"),  # Feijenoord
    "WK059903": (2028, "warmtenet"),  # Delfshaven
    "WK059905": (2029, "hybride"),  # Noord
    "WK059912": (2030, "hybride"),  # IJsselmonde
    "WK059914": (2032, "all-electric"),  # Prins Alexander
}
#: Buurten with an initiative (name part -> status).
INITIATIVES = {
    "Tarwewijk": "actief",
    "Carnisse": "actief",
    "Oud Charlois": "actief",
    "Afrikaanderwijk": "actief",
    "Bloemhof": "actief",
    "Hillesluis": "actief",
    "Spangen": "gepland",
    "Middelland": "afgerond",
}

REFERENCE = "2026-06-01"  # the peildatum the tests evaluate on


def _buurt(atlas, name: str):
    rows = atlas.buurten[atlas.buurten["buurtnaam"] == name]
    assert len(rows) == 1, name
    return rows.iloc[0]


def _voorzieningen(realdata: Path, atlas) -> gpd.GeoDataFrame:
    outline = atlas.gemeente.to_crs(4326).geometry.union_all()
    parts = []
    for stem, (category, name_col) in FILES.items():
        g = gpd.read_file(Path(realdata) / "raw" / "rijnmond_voorzieningen" / f"{stem}.geojson")
        g = g[g.within(outline)].copy()
        for col in g.columns.drop("geometry"):
            if g[col].dtype == object:  # mixed types in the export: keep them as text
                g[col] = g[col].map(lambda v: None if v is None else str(v))
        g.insert(0, "categorie", category)
        names = g.pop(name_col) if name_col.lower() == "naam" else g[name_col]
        g.insert(0, "naam", names.astype(str).str.strip())
        parts.append(g)
    # a GeoPackage's column names are case-insensitive: POSTCODE (schools) and postcode
    # (care) are one column, as a gemeente's GIS export would merge them
    spelling: dict[str, str] = {}
    for part in parts:
        for col in part.columns:
            spelling.setdefault(col.lower(), col)
    parts = [p.rename(columns=lambda c: spelling[c.lower()]) for p in parts]
    out = gpd.GeoDataFrame(pd.concat(parts, ignore_index=True), crs="EPSG:4326")
    out.insert(0, "id", [f"VZ{i + 1:03d}" for i in range(len(out))])
    return out


def _initiatives(atlas) -> pd.DataFrame:
    rows = []
    for i, (name, status) in enumerate(INITIATIVES.items()):
        p = _buurt(atlas, name).geometry.representative_point()
        start = {"actief": "2025-03-01", "gepland": "2027-01-01", "afgerond": "2021-05-01"}
        end = {"actief": "2027-03-01", "gepland": "", "afgerond": "2023-12-31"}
        rows.append(
            {
                "id": f"BI{i + 1:02d}",
                "naam": f"Samen {name}",
                "thema": "sociaal" if i % 2 else "energie",
                "status": status,
                "startdatum": start[status],
                "einddatum": end[status],
                "x": f"{p.x:.2f}".replace(".", ","),
                "y": f"{p.y:.2f}".replace(".", ","),
                "contactpersoon": "J. Jansen",
            }
        )
    return pd.DataFrame(rows)


def _projects(atlas) -> gpd.GeoDataFrame:
    tarwe = _buurt(atlas, "Tarwewijk").geometry
    carnisse = _buurt(atlas, "Carnisse").geometry
    bloemhof = _buurt(atlas, "Bloemhof").geometry
    spangen = _buurt(atlas, "Spangen").geometry
    c = tarwe.representative_point()
    line = shapely.LineString([(c.x - 300, c.y), (c.x + 300, c.y)]).intersection(tarwe)
    rows = [
        ("PR01", "Riolering Tarwewijk", "gemeente", "riolering", "gepland", 2026, 2028, line),
        ("PR02", "Renovatie portiekflats Tarwewijk", "corporatie", "renovatie", "gepland",
         2026, 2029, tarwe.buffer(-60)),
        ("PR03", "Warmtenet Charlois tracé", "warmtebedrijf", "warmtenet", "gepland", 2027,
         2029, line.parallel_offset(40) if hasattr(line, "parallel_offset") else line),
        ("PR04", "Groene schoolpleinen Carnisse", "gemeente", "groen", "in_uitvoering", 2025,
         2027, carnisse.buffer(-80)),
        ("PR05", "Waterberging Bloemhof", "waterschap", "klimaatadaptatie", "gepland", 2026,
         2028, bloemhof.buffer(-50)),
        ("PR06", "Sloop-nieuwbouw Bloemhof", "corporatie", "sloop_nieuwbouw", "idee", 2027,
         2031, bloemhof.buffer(-120)),
        ("PR07", "Herinrichting Spangen", "gemeente", "herinrichting", "gepland", 2027, 2028,
         spangen.buffer(-40)),
        ("PR08", "Kabels Spangen", "netbeheerder", "onderhoud", "gepland", 2027, 2028,
         spangen.boundary),
    ]  # fmt: skip
    cols = ["id", "naam", "eigenaar", "thema", "status", "startjaar", "eindjaar", "geometry"]
    frame = pd.DataFrame(rows, columns=cols)
    frame["toelichting"] = "uit het projectenoverzicht van de gemeente"
    return gpd.GeoDataFrame(frame, geometry="geometry", crs="EPSG:28992")


LAGEN = {
    "gemeente": "GM0599",
    "jaar": 2024,
    "lagen": {
        "voorzieningen": {
            "bestand": "voorzieningen.xlsx",
            "blad": "voorzieningen",
            "type": "punten",
            "x": "lon",
            "y": "lat",
            "crs": "EPSG:4326",
            "verplicht": ["id", "naam", "categorie"],
            "toegestaan": {"categorie": CATEGORIES},
            "persoonsgegevens": ["TELEFOONNUMMER"],
        },
        "bewonersinitiatieven": {
            "bestand": "bewonersinitiatieven.csv",
            "type": "punten",
            "x": "x",
            "y": "y",
            "crs": "EPSG:28992",
            "scheidingsteken": ";",
            "codering": "cp1252",
            "verplicht": ["id", "naam", "status", "startdatum"],
            "datums": ["startdatum", "einddatum"],
            "toegestaan": {"status": ["actief", "afgerond", "gepland"]},
            "persoonsgegevens": ["contactpersoon"],
        },
        "energietransitie": {
            "bestand": "energietransitie.csv",
            "type": "tabel",
            "scheidingsteken": ";",
            "codering": "cp1252",
            "wijkcode": "wijkcode",
            "verplicht": ["wijkcode", "planjaar", "strategie"],
            "jaar": ["planjaar"],
            "toegestaan": {"strategie": ["warmtenet", "all-electric", "groen gas", "hybride"]},
        },
        "projecten": {
            "bestand": "projecten.gpkg",
            "laag": "projecten",
            "type": "geometrie",
            "verplicht": ["id", "naam", "eigenaar", "thema", "status", "startjaar", "eindjaar"],
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
                "status": ["idee", "gepland", "in_uitvoering", "afgerond"],
            },
        },
    },
}

RULES = """
[[regel]]
sleutel = "rotterdam_voortgezet_onderwijs_en_jongeren"
titel = "Jongeren en een school voor voortgezet onderwijs dichtbij"
beschrijving = "Veel jongeren en een vo-school in de buurt: samen met de school aan de slag."
bron = "Gemeente Rotterdam, eigen regel (test)"
partners = ["school", "jongerenwerk"]
niveau = "buurt"
combinatie = "alle"

[[regel.conditie]]
soort = "laag"
laag = "voorzieningen"
filter = { categorie = ["voortgezet onderwijs"] }
afstand = 500

[[regel.conditie]]
soort = "vergelijking"
indicator = "aandeel_15_tot_25_jaar"
met = "nederland"
factor = 1.1
"""


def write_rotterdam_lagen(realdata: Path, folder: Path, atlas) -> Path:
    """Write Rotterdam's layer folder (see the module docstring) and return it."""
    folder.mkdir(parents=True, exist_ok=True)
    points = _voorzieningen(realdata, atlas)
    table = pd.DataFrame(points.drop(columns="geometry"))
    table["lat"], table["lon"] = points.geometry.y.round(6), points.geometry.x.round(6)
    table.to_excel(folder / "voorzieningen.xlsx", sheet_name="voorzieningen", index=False)
    ini = _initiatives(atlas).to_csv(sep=";", index=False, lineterminator="\r\n")
    (folder / "bewonersinitiatieven.csv").write_bytes(ini.encode("cp1252"))
    lines = ["wijkcode;planjaar;strategie;toelichting;aandeel_aangesloten"]
    for i, (code, (year, strategy)) in enumerate(PLANS.items()):
        lines.append(f"{code};{year};{strategy};Wijkuitvoeringsplan fase {i + 1};{12.5 + i:.1f}")
    text = "\r\n".join(lines).replace(".", ",") + "\r\n"
    (folder / "energietransitie.csv").write_bytes(text.encode("cp1252"))
    _projects(atlas).to_file(folder / "projecten.gpkg", layer="projecten", driver="GPKG")
    (folder / "lagen.json").write_text(json.dumps(LAGEN, indent=2), encoding="utf-8")
    (folder / "koppelkansen.toml").write_text(RULES, encoding="utf-8")
    return folder
