"""Regenerate the corpus of bad local-layer files and ``cases.json`` (run from the repo root).

Each case is one bad input file, the ``lagen.json`` layer that reads it, the error category
and the row (spreadsheet row, feature number or JSON line) the report must name. The files
are kept in git; this script documents how they were made:

    .venv/bin/python tests/data/lokaal_fout/maak_corpus.py
"""

from __future__ import annotations

import json
from pathlib import Path

HERE = Path(__file__).resolve().parent

P = {  # points in RD, like voorzieningen
    "type": "punten",
    "x": "x",
    "y": "y",
    "crs": "EPSG:28992",
    "verplicht": ["id", "naam", "categorie", "x", "y"],
    "toegestaan": {"categorie": ["huisarts", "buurthuis", "supermarkt"]},
}
INI = {  # initiatives with dates
    "type": "punten",
    "x": "x",
    "y": "y",
    "verplicht": ["id", "naam", "status", "x", "y"],
    "datums": ["startdatum", "einddatum"],
    "toegestaan": {"status": ["actief", "afgerond", "gepland"]},
}
T = {
    "type": "tabel",
    "wijkcode": "wijkcode",
    "verplicht": ["wijkcode", "planjaar"],
    "jaar": ["planjaar"],
}
B = {"type": "tabel", "buurtcode": "buurtcode", "verplicht": ["buurtcode", "waarde"]}
PC = {
    "type": "tabel",
    "postcode": "postcode",
    "postcodetabel": "pc_tabel.csv",
    "verplicht": ["postcode", "aantal"],
}
G = {"type": "vlakken", "crs": "EPSG:28992"}
PR = {
    "type": "geometrie",
    "crs": "EPSG:28992",
    "jaar": ["startjaar", "eindjaar"],
    "periode": ["startjaar", "eindjaar"],
}

HEAD = "id,naam,categorie,x,y\n"
OK1, OK2, OK3 = "68814,545355", "70585,543300", "70591,544255"
INIT = "id,naam,status,startdatum,einddatum,x,y\n"


def poly(coords):
    return {"type": "Polygon", "coordinates": [coords]}


def fc(features, crs=True):
    head = {"type": "FeatureCollection"}
    if crs:
        head["crs"] = {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::28992"}}
    head["features"] = [{"type": "Feature", "properties": p, "geometry": g} for p, g in features]
    return json.dumps(head, indent=1) + "\n"


SQ = poly([[70000, 544000], [70200, 544000], [70200, 544200], [70000, 544200], [70000, 544000]])
BOW = poly([[70000, 544000], [70200, 544200], [70200, 544000], [70000, 544200], [70000, 544000]])
FLAT = poly([[70000, 544000], [70100, 544000], [70200, 544000], [70000, 544000]])

CASES: list[dict] = [
    # --- points (CSV)
    dict(
        file="p01_xy_omgewisseld.csv",
        spec=P,
        category="outside_area",
        row=3,
        hint="omgewisseld",
        text=HEAD + f"A,Huisarts,huisarts,{OK1}\nB,Buurthuis,buurthuis,543300,70585\n",
    ),
    dict(
        file="p02_graden_als_rd.csv",
        spec=P,
        category="outside_area",
        row=2,
        hint="EPSG:4326",
        text=HEAD + "A,Huisarts,huisarts,4.1067,52.8884\n",
    ),
    dict(
        file="p03_rd_als_graden.csv",
        spec={**P, "crs": "EPSG:4326"},
        category="outside_area",
        row=2,
        hint="EPSG:28992",
        text=HEAD + f"A,Huisarts,huisarts,{OK1}\n",
    ),
    dict(
        file="p04_buiten_gemeente.csv",
        spec=P,
        category="outside_area",
        row=4,
        text=HEAD + f"A,H,huisarts,{OK1}\nB,H,huisarts,{OK2}\nC,Amsterdam,huisarts,121000,487000\n",
    ),
    dict(
        file="p05_geen_getal.csv",
        spec=P,
        category="bad_number",
        row=3,
        text=HEAD + f"A,H,huisarts,{OK1}\nB,H,huisarts,onbekend,545000\n",
    ),
    dict(
        file="p06_leeg_verplicht.csv",
        spec=P,
        category="empty_required",
        row=2,
        column="naam",
        text=HEAD + f"A,,huisarts,{OK1}\n",
    ),
    dict(
        file="p07_dubbel_id.csv",
        spec=P,
        category="duplicate_id",
        row=4,
        text=HEAD + f"A,H,huisarts,{OK1}\nB,H,huisarts,{OK2}\nA,H,huisarts,{OK3}\n",
    ),
    dict(
        file="p08_niet_toegestaan.csv",
        spec=P,
        category="not_allowed",
        row=3,
        hint="huisarts",
        text=HEAD + f"A,H,huisarts,{OK1}\nB,H,Huisart,{OK2}\n",
    ),
    dict(
        file="p09_kolom_ontbreekt.csv",
        spec=P,
        category="missing_column",
        row=None,
        column="categorie",
        text="id,naam,soort,x,y\n" + f"A,H,huisarts,{OK1}\n",
    ),
    dict(
        file="p10_rafelige_rij.csv",
        spec=P,
        category="ragged_row",
        row=3,
        text=HEAD + f"A,H,huisarts,{OK1}\nB,H,huisarts,70585,5,543300\n",
    ),
    dict(
        file="p11_puntkomma_cp1252.csv",
        spec=P,
        category="not_allowed",
        row=5,
        encoding="cp1252",
        text="id;naam;categorie;x;y\nA;Café;huisarts;68814,0;545355\nB;Één;buurthuis;70585;543300\n"
        "C;Zoë;supermarkt;70591;544255\nD;Crèche;kinderopvang;70591;544255\n",
    ),
    dict(
        file="p12_tab_lege_regel.csv",
        spec=P,
        category="bad_number",
        row=5,
        text="id\tnaam\tcategorie\tx\ty\nA\tH\thuisarts\t68814\t545355\n\nB\tH\thuisarts\t70585\t545355\n"
        "C\tH\thuisarts\t7O591\t544255\n",
    ),
    dict(
        file="p13_dubbele_kolomnaam.csv",
        spec=P,
        category="duplicate_column",
        row=1,
        text="id,naam,categorie,naam,x,y\n" + "A,H,huisarts,H2,68814,545355\n",
    ),
    dict(file="p14_leeg.csv", spec=P, category="empty_file", row=None, text=""),
    dict(
        file="p15_latlon_omgewisseld.csv",
        spec={**P, "crs": "EPSG:4326"},
        category="outside_area",
        row=2,
        hint="omgewisseld",
        text=HEAD + "A,H,huisarts,52.8884,4.1067\n",
    ),
    dict(
        file="p16_bom_fout_rij.csv",
        spec=P,
        category="empty_required",
        row=3,
        column="id",
        encoding="utf-8-sig",
        text=HEAD + f"A,H,huisarts,{OK1}\n,H,huisarts,{OK2}\n",
    ),
    dict(
        file="p17_persoonsgegevens.csv",
        spec=P,
        category="personal_data",
        row=None,
        column="email",
        severity="waarschuwing",
        text="id,naam,categorie,x,y,email\n" + f"A,H,huisarts,{OK1},praktijk@voorbeeld.nl\n",
    ),
    dict(
        file="p18_excel_sep_regel.csv",
        spec=P,
        category="not_allowed",
        row=3,
        text="sep=;\nid;naam;categorie;x;y\nA;H;huisarts;68814;545355\nB;H;Huisart;70585;543300\n",
    ),
    dict(
        file="p19_dubbele_rij_zonder_id.csv",
        spec={**P, "verplicht": ["naam", "categorie", "x", "y"]},
        category="duplicate_row",
        row=4,
        text="naam,categorie,x,y\nH,huisarts,68814,545355\nB,buurthuis,70585,543300\n"
        "H,huisarts,68814,545355\n",
    ),
    dict(
        file="p20_gemengde_codering.csv",
        spec=P,
        category="bad_encoding",
        row=None,
        severity="waarschuwing",
        bytes=b"id,naam,categorie,x,y\nA,Caf\xc3\xa9,huisarts,68814,545355\n"
        b"B,Caf\xe9,huisarts,70585,543300\n",
    ),
    # --- initiatives (dates)
    dict(
        file="i01_datum_ongeldig.csv",
        spec=INI,
        category="bad_date",
        row=3,
        text=INIT + f"A,X,actief,2023-01-01,,{OK1}\nB,Y,actief,2023-02-31,,{OK2}\n",
    ),
    dict(
        file="i02_eind_voor_start.csv",
        spec=INI,
        category="end_before_start",
        row=2,
        text=INIT + f"A,X,actief,2024-01-01,2023-01-01,{OK1}\n",
    ),
    dict(
        file="i03_datum_dag_maand_jaar.csv",
        spec=INI,
        category="bad_date",
        row=4,
        hint="2024-03-15",
        text=INIT
        + f"A,X,actief,2023-01-01,,{OK1}\nB,Y,actief,,,{OK2}\nC,Z,actief,15-03-2024,,{OK3}\n",
    ),
    # --- tables by wijkcode / buurtcode / postcode
    dict(
        file="t01_dubbele_wijkcode.csv",
        spec=T,
        category="duplicate_code",
        row=4,
        text="wijkcode,planjaar\nWK999902,2026\nWK999900,2028\nWK999902,2026\n",
    ),
    dict(
        file="t02_onbekende_wijkcode.csv",
        spec=T,
        category="unknown_code",
        row=2,
        hint="WK999902",
        text="wijkcode,planjaar\nWK999920,2026\n",
    ),
    dict(
        file="t03_ongeldige_wijkcode.csv",
        spec=T,
        category="bad_code",
        row=3,
        text="wijkcode,planjaar\nWK999902,2026\nWK12,2028\n",
    ),
    dict(
        file="t04_andere_gemeente.csv",
        spec=T,
        category="unknown_code",
        row=2,
        hint="WK9999",
        text="wijkcode,planjaar\nWK059901,2026\n",
    ),
    dict(
        file="t05_planjaar_fout.csv",
        spec=T,
        category="bad_year",
        row=2,
        text="wijkcode,planjaar\nWK999902,binnenkort\n",
    ),
    dict(
        file="b01_onbekende_buurtcode.csv",
        spec=B,
        category="unknown_code",
        row=3,
        text="buurtcode,waarde\nBU99990200,1\nBU99990299,2\n",
    ),
    dict(
        file="b02_dubbele_buurtcode.csv",
        spec=B,
        category="duplicate_code",
        row=3,
        text="buurtcode,waarde\nBU99990200,1\nbu99990200,2\n",
    ),
    dict(
        file="pc01_onbekende_postcode.csv",
        spec=PC,
        category="unknown_code",
        row=3,
        text="postcode,aantal\n0011 AB,4\n0099ZZ,2\n",
    ),
    dict(
        file="pc02_ongeldige_postcode.csv",
        spec=PC,
        category="bad_code",
        row=2,
        text="postcode,aantal\n12345,4\n",
    ),
    # --- geometry files
    dict(
        file="g01_onherstelbaar.geojson",
        spec=G,
        category="invalid_geometry",
        row=2,
        text=fc([({"id": "A"}, BOW), ({"id": "B"}, FLAT)]),
    ),
    dict(
        file="g02_verkeerd_type.geojson",
        spec=G,
        category="wrong_geometry_type",
        row=1,
        text=fc([({"id": "A"}, {"type": "Point", "coordinates": [70000, 544000]})]),
    ),
    dict(
        file="g03_crs_klopt_niet.geojson",
        spec={**G, "crs": "EPSG:4326"},
        category="crs_mismatch",
        row=None,
        hint="EPSG:28992",
        text=fc([({"id": "A"}, SQ)], crs=False),
    ),
    dict(
        file="g04_lege_geometrie.geojson",
        spec=G,
        category="invalid_geometry",
        row=2,
        text=fc([({"id": "A"}, SQ), ({"id": "B"}, None)]),
    ),
    dict(
        file="g05_eind_voor_start.geojson",
        spec=PR,
        category="end_before_start",
        row=3,
        text=fc(
            [
                ({"id": "A", "startjaar": 2025, "eindjaar": 2026}, SQ),
                ({"id": "B", "startjaar": 2025, "eindjaar": 2025}, SQ),
                ({"id": "C", "startjaar": 2027, "eindjaar": 2026}, SQ),
            ]
        ),
    ),
    dict(
        file="g06_geen_geojson.geojson",
        spec=G,
        category="unreadable",
        row=None,
        text="dit is geen GeoJSON\n",
    ),
    dict(file="z01_kapotte_zip.zip", spec=G, category="unreadable", row=None, text="geen zip\n"),
    dict(file="x01_geen_xlsx.xlsx", spec={**P}, category="unreadable", row=None, text="id,naam\n"),
    # --- lagen.json itself (the bad file is the lagen.json)
    dict(
        file="l01_geen_json.json",
        spec=None,
        category="invalid_json",
        row=4,
        text='{\n  "lagen": {\n    "a": {"bestand": "a.csv"},\n  }\n}\n',
    ),
    dict(
        file="l02_onbekende_sleutel.json",
        spec=None,
        category="unknown_key",
        row=None,
        hint="bestand",
        column="lagen.a.bestnad",
        text='{"lagen": {"a": {"bestnad": "a.csv", "bestand": "a.csv"}}}\n',
    ),
    dict(
        file="l03_onbekend_type.json",
        spec=None,
        category="invalid_config",
        row=None,
        hint="punten",
        text='{"lagen": {"a": {"bestand": "a.csv", "type": "puntjes"}}}\n',
    ),
    dict(
        file="l04_bestand_ontbreekt.json",
        spec=None,
        in_file="bestaat_niet.csv",
        category="missing_file",
        row=None,
        text='{"lagen": {"a": {"bestand": "bestaat_niet.csv"}}}\n',
    ),
    dict(
        file="l05_verkeerd_type_waarde.json",
        spec=None,
        category="invalid_config",
        row=None,
        column="lagen.a.verplicht",
        text='{"lagen": {"a": {"bestand": "a.csv", "verplicht": "id"}}}\n',
    ),
    dict(
        file="l06_onbekende_topsleutel.json",
        spec=None,
        category="unknown_key",
        row=None,
        hint="lagen",
        text='{"lagne": {}, "lagen": {"a": {"bestand": "a.csv"}}}\n',
    ),
]


def main() -> None:
    (HERE / "pc_tabel.csv").write_text(
        "postcode,buurtcode\n0011AB,BU99990200\n0012CD,BU99990201\n", encoding="utf-8"
    )
    (HERE / "a.csv").write_text("id,naam\nA,een\n", encoding="utf-8")
    cases = []
    for case in CASES:
        raw = case.pop("bytes", None)
        data = raw if raw is not None else case.pop("text").encode(case.pop("encoding", "utf-8"))
        (HERE / case["file"]).write_bytes(data)
        cases.append(case)
    (HERE / "cases.json").write_text(
        json.dumps(cases, indent=1, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    print(f"{len(cases)} gevallen geschreven naar {HERE}")


if __name__ == "__main__":
    main()
