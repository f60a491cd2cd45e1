"""A corpus of hostile and broken inputs: every one ends in a clear Dutch message.

Each case prepares a folder (files from ``tests/data/vijandig/`` or made on the spot: FIFOs,
symbolic links out of the folder, deeply nested JSON, a damaged store, ...), runs one
``wijkgeo`` command in-process and checks

* the exit code;
* a Dutch message (a word the case expects), no traceback, no "interne fout";
* nothing outside the allowed folders was opened for reading or writing (an audit hook
  records every ``open``; a secret file beside the folder must never be opened and its
  contents never shown).

The cases are grouped by the classes of issue 25 (paths, outputs, parsing, store, pages and
terminals, codes, import).
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import sqlite3
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from wijkgeo.cli import main

DATA = Path(__file__).parent / "data" / "vijandig"
SECRET = "GEHEIM-7f3a9c-NIET-TONEN"

# ---------------------------------------------------------------------------- audit
_OPENED: list[tuple[str, bool]] | None = None


def _audit(event: str, args: tuple) -> None:
    if _OPENED is None or event != "open":
        return
    path, mode, flags = [*args, None, None, None][:3]
    if not isinstance(path, (str, bytes, os.PathLike)):
        return
    writing = bool(
        (isinstance(mode, str) and any(c in mode for c in "wax+"))
        or (isinstance(flags, int) and flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT))
    )
    _OPENED.append((os.fsdecode(path), writing))


sys.addaudithook(_audit)


# ---------------------------------------------------------------------------- cases
@dataclass
class Case:
    name: str
    setup: Callable[[Path], list[str]]
    exit: int | tuple[int, ...]
    words: tuple[str, ...] = ()


def _lagen(folder: Path, layers: dict | str, **top) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    text = layers if isinstance(layers, str) else json.dumps({**top, "lagen": layers})
    (folder / "lagen.json").write_text(text, encoding="utf-8")
    return folder


def _csv(folder: Path, name: str = "a.csv", text: str = "id,naam\n1,Oost\n") -> None:
    (folder / name).write_text(text, encoding="utf-8")


def _check(folder: Path) -> list[str]:
    return ["check", str(folder)]


def _layer_file(name: str, content: bytes | None = None, source: str | None = None):
    def setup(t: Path) -> list[str]:
        folder = _lagen(t / "lagen", {"a": {"bestand": name}})
        if source is not None:
            shutil.copy(DATA / source, folder / name)
        elif content is not None:
            (folder / name).write_bytes(content)
        return _check(folder)

    return setup


def _lagen_text(text: str | bytes):
    def setup(t: Path) -> list[str]:
        folder = t / "lagen"
        folder.mkdir()
        data = text if isinstance(text, bytes) else text.encode("utf-8")
        (folder / "lagen.json").write_bytes(data)
        _csv(folder)
        return _check(folder)

    return setup


def _named(bestand: str, prepare: Callable[[Path, Path], None] | None = None):
    """lagen.json naming ``bestand``; ``prepare(folder, t)`` makes the odd thing it names."""

    def setup(t: Path) -> list[str]:
        folder = _lagen(t / "lagen", {"a": {"bestand": bestand}})
        if prepare is not None:
            prepare(folder, t)
        return _check(folder)

    return setup


def _fifo(folder: Path, name: str) -> None:
    os.mkfifo(folder / name)


def _rules(text: str | bytes | None = None, source: str | None = None, fifo: bool = False):
    def setup(t: Path) -> list[str]:
        path = t / "regels.toml"
        if fifo:
            os.mkfifo(path)
        elif source is not None:
            shutil.copy(DATA / source, path)
        else:
            path.write_bytes(text if isinstance(text, bytes) else str(text).encode("utf-8"))
        return ["koppelkansen", "--regels", "--regels-bestand", str(path)]

    return setup


def _in_store(*argv: str, damage: Callable[[Path], None] | None = None):
    """A command on the small stored gemeente GM9998 (``{t}`` in argv is the case folder)."""

    def setup(t: Path) -> list[str]:
        store = t / "store"
        shutil.copytree(_STORE, store)
        if damage is not None:
            damage(store / "GM9998" / "2024")
        return [a.replace("{t}", str(t)) for a in argv] + ["--store", str(store)]

    return setup


def _status(damage: Callable[[Path], None]):
    def setup(t: Path) -> list[str]:
        store = t / "store"
        shutil.copytree(_STORE, store)
        damage(store / "GM9998" / "2024")
        return ["status", "--store", str(store)]

    return setup


def _wbk(mutate: Callable[[str, object], object] | None = None, raw: Callable | None = None):
    """``wijkgeo import`` of a small Wijk- en Buurtkaart, changed by ``mutate(layer, gdf)``."""

    def setup(t: Path) -> list[str]:
        path = t / "WijkBuurtkaart_2024_v1.gpkg"
        if raw is not None:
            raw(path)
        else:
            for layer, gdf in _WBK.items():
                frame = gdf.copy()
                if mutate is not None:
                    frame = mutate(layer, frame)
                frame.to_file(path, layer=layer, driver="GPKG")
        return ["import", str(path), "--gemeente", "GM9998", "--jaar", "2024",
                "--store", str(t / "store")]

    return setup


def _deep_json(n: int) -> str:
    return '{"lagen": ' + "[" * n + "]" * n + "}"


def _rules_text(**cond) -> str:
    lines = [
        "[[regel]]",
        'sleutel = "proef"',
        'titel = "Proef"',
        'beschrijving = "Een proef."',
        'niveau = "buurt"',
        'bron = "proef"',
        "[[regel.conditie]]",
        'soort = "drempel"',
        'indicator = "aandeel_65_plus"',
    ]
    lines += [f"{k} = {v}" for k, v in cond.items()]
    return "\n".join(lines) + "\n"


def _set(column: str, value, layer: str = "buurten"):
    def mutate(name, gdf):
        if name == layer:
            if isinstance(value, str):
                gdf[column] = gdf[column].astype(object)
            gdf.loc[gdf.index[0], column] = value
        return gdf

    return mutate


def _swap(name, gdf):
    import shapely

    gdf = gdf.copy()
    gdf.geometry = shapely.transform(gdf.geometry.values, lambda xy: xy[:, ::-1])
    return gdf


def _double_code(name, gdf):
    """The second buurt gets the first one's code: two land rows with one buurtcode."""
    if name == "buurten":
        gdf = gdf.copy()
        gdf.loc[gdf.index[1], "buurtcode"] = gdf.loc[gdf.index[0], "buurtcode"]
    return gdf


def _no_geometry(name, gdf):
    if name == "buurten":
        gdf = gdf.set_geometry(gdf.geometry.where(gdf.index != gdf.index[0], None))
    return gdf


def _postcode_outside(t: Path) -> list[str]:
    layer = {"bestand": "a.csv", "postcode": "pc", "postcodetabel": "../geheim/geheim.csv"}
    folder = _lagen(t / "lagen", {"a": layer})
    _csv(folder, "a.csv", "pc,x\n1234AB,1\n")
    return _check(folder)


def _truncated(path: Path) -> None:
    _wbk()(path.parent)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 3])


def _manifest(mutate: Callable[[dict], object]):
    def damage(folder: Path) -> None:
        path = folder / "manifest.json"
        data = json.loads(path.read_text("utf-8"))
        path.write_text(json.dumps(mutate(data)), encoding="utf-8")

    return damage


def _embedded(value: str):
    def damage(folder: Path) -> None:
        con = sqlite3.connect(folder / "wijkgeo.gpkg")
        con.execute("UPDATE wijkgeo_manifest SET value = ?", (value,))
        con.commit()
        con.close()

    return damage


def _delete_rows(folder: Path) -> None:
    con = sqlite3.connect(folder / "wijkgeo.gpkg")
    con.execute("DELETE FROM buurten WHERE fid = (SELECT MIN(fid) FROM buurten)")
    con.commit()
    con.close()


def _alter(sql: str):
    """Change values inside the stored GeoPackage (same rows and columns), as QGIS or a
    sqlite session would."""

    def damage(folder: Path) -> None:
        con = sqlite3.connect(folder / "wijkgeo.gpkg")
        for name in ("ST_IsEmpty", "ST_MinX", "ST_MaxX", "ST_MinY", "ST_MaxY"):  # rtree triggers
            con.create_function(name, 1, lambda geom: 0)
        con.execute(sql)
        con.commit()
        con.close()

    return damage


def _foreign_gpkg(t: Path) -> None:
    import geopandas as gpd
    import shapely

    gpd.GeoDataFrame({"a": [1]}, geometry=[shapely.Point(0, 0)], crs=28992).to_file(
        t / "eigen.gpkg", layer="mijn_laag", driver="GPKG"
    )


def _with(prepare: Callable[[Path], None], setup: Callable[[Path], list[str]]):
    def both(t: Path) -> list[str]:
        prepare(t)
        return setup(t)

    return both


def _mkfile(rel: str, text: str = "x"):
    def prepare(t: Path) -> None:
        (t / rel).parent.mkdir(parents=True, exist_ok=True)
        (t / rel).write_text(text, encoding="utf-8")

    return prepare


def _mkdir(rel: str):
    def prepare(t: Path) -> None:
        (t / rel).mkdir(parents=True, exist_ok=True)

    return prepare


def _profile_file(content: bytes | None, kind: str = "file"):
    """``wijkgeo vergelijk --kenmerken --kenmerken-bestand`` of an odd similarity profile."""

    def setup(t: Path) -> list[str]:
        path = t / "kenmerken.json"
        if kind == "fifo":
            os.mkfifo(path)
        else:
            path.write_bytes(content or b"")
        return ["vergelijk", "--kenmerken", "--kenmerken-bestand", str(path)]

    return setup


def _health_file(kind: str):
    """``wijkgeo import`` of a RIVM table download name that is a FIFO or a folder."""

    def setup(t: Path) -> list[str]:
        path = t / "50090NED_2020_65+.xlsx"
        if kind == "fifo":
            os.mkfifo(path)
        else:
            path.mkdir()
        return ["import", str(path), "--gemeente", "GM9998", "--store", str(t / "store")]

    return setup


def _signalen(content: bytes | None, name: str = "export.csv", kind: str = "file"):
    """``wijkgeo signalen`` of an odd case export into the small store."""

    def setup(t: Path) -> list[str]:
        store = t / "store"
        shutil.copytree(_STORE, store)
        path = t / name
        if kind == "fifo":
            os.mkfifo(path)
        elif kind == "zipbom":
            import zipfile

            with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
                zf.writestr("xl/worksheets/sheet1.xml", b"<a>" + b" " * 60_000_000 + b"</a>")
        else:
            path.write_bytes(content or b"")
        return ["signalen", str(path), "--gemeente", "GM9998", "--jaar", "2024", "--store",
                str(store)]

    return setup


def _kwb_zip_bomb(t: Path) -> list[str]:
    """``wijkgeo import`` of an older Wijk- en Buurtkaart zip whose buurt_2015.shp is padding."""
    import zipfile

    path = t / "kwb_2015.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for stem in ("gem_2015", "wijk_2015", "buurt_2015"):
            zf.writestr(f"{stem}.shp", b"\0" * (5_000_000 if stem == "buurt_2015" else 100))
            zf.writestr(f"{stem}.shx", b"\0" * 100)
            zf.writestr(f"{stem}.dbf", b"\0")
        zf.writestr("toelichting.bin", os.urandom(1_000_000))
    return ["import", str(path), "--gemeente", "GM9998", "--jaar", "2015", "--store",
            str(t / "store")]


CASES = [
    # ---- 1. paths named in lagen.json, rules and options
    Case("pad_dotdot", _named("../geheim/geheim.csv"), 2, ("buiten de map",)),
    Case("pad_absoluut", _named("/etc/passwd.csv"), 2, ("absoluut pad",)),
    Case(
        "pad_symlink_uit_map",
        _named("link.csv", lambda f, t: (f / "link.csv").symlink_to(t / "geheim" / "geheim.csv")),
        2,
        ("buiten de map",),
    ),
    Case("pad_fifo", _named("fifo.csv", lambda f, t: _fifo(f, "fifo.csv")), 2, ("FIFO",)),
    Case("pad_map", _named("map.csv", lambda f, t: (f / "map.csv").mkdir()), 2, ("een map",)),
    Case(
        "pad_symlink_lus",
        _named("lus.csv", lambda f, t: (f / "lus.csv").symlink_to(f / "lus.csv")),
        2,
        ("lus.csv",),
    ),
    Case("pad_nul_in_naam", _named("a\x00.csv"), 2, ("NUL",)),
    Case("pad_postcodetabel_buiten", lambda t: _postcode_outside(t), 2, ("buiten de map",)),
    Case(
        "pad_lagen_json_symlink",
        lambda t: (
            (t / "lagen").mkdir(),
            (t / "lagen" / "lagen.json").symlink_to(t / "geheim" / "geheim.csv"),
            _check(t / "lagen"),
        )[-1],
        2,
        ("buiten de map",),
    ),
    Case(
        "pad_lagen_json_fifo",
        lambda t: ((t / "lagen").mkdir(), _fifo(t / "lagen", "lagen.json"), _check(t / "lagen"))[
            -1
        ],
        2,
        ("FIFO",),
    ),
    Case("regels_fifo", _rules(fifo=True), 2, ("FIFO",)),
    Case(
        "regels_map",
        lambda t: ((t / "r.toml").mkdir(), ["koppelkansen", "--regels", "--regels-bestand",
                                            str(t / "r.toml")])[-1],
        2,
        ("een map",),
    ),
    Case(
        "refresh_bestand_fifo",
        lambda t: (os.mkfifo(t / "g.txt"), ["refresh", "--jaar", "2024", "--bestand",
                                             str(t / "g.txt"), "--dry-run"])[-1],
        2,
        ("FIFO",),
    ),
    Case(
        "refresh_bestand_utf16",
        lambda t: ((t / "g.txt").write_bytes("GM0599\n".encode("utf-16-le")),
                   ["refresh", "--jaar", "2024", "--bestand", str(t / "g.txt"), "--dry-run"])[-1],
        2,
        ("UTF-16",),
    ),
    Case(
        "koppelkansen_toml_symlink_uit_map",
        lambda t: (
            _lagen(t / "lagen", {"a": {"bestand": "a.csv"}}),
            (t / "lagen" / "koppelkansen.toml").symlink_to(t / "geheim" / "geheim.csv"),
            ["koppelkansen", "--regels", "--lagen", str(t / "lagen")],
        )[-1],
        2,
        ("buiten de map",),
    ),
    Case(
        "lagen_toml_symlink_uit_map",
        _with(
            lambda t: (
                _csv(_lagen(t / "lagen", {"a": {"bestand": "a.csv"}})),
                (t / "lagen" / "koppelkansen.toml").symlink_to(t / "geheim" / "geheim.csv"),
            ),
            _in_store("lagen", "{t}/lagen", "--gemeente", "GM9998", "--jaar", "2024"),
        ),
        2,
        ("buiten de map",),
    ),
    Case(
        "lagen_bestand_buiten_map",
        _with(
            lambda t: _lagen(t / "lagen", {"a": {"bestand": "../geheim/geheim.csv"}}),
            _in_store("lagen", "{t}/lagen", "--gemeente", "GM9998", "--jaar", "2024"),
        ),
        2,
        ("buiten de map",),
    ),
    # ---- 2. outputs
    Case("uitvoer_kaart_op_map", _with(_mkdir("uit"), _in_store("map", "GM9998", "--jaar",
                                                                 "2024", "--uitvoer", "{t}/uit")),
         3, ("is een map",)),
    Case("uitvoer_kaart_onder_bestand", _with(_mkfile("f"), _in_store(
        "map", "GM9998", "--jaar", "2024", "--uitvoer", "{t}/f/kaart.html")), 3,
        ("is een bestand, geen map",)),
    Case("uitvoer_png_onder_bestand", _with(_mkfile("f"), _in_store(
        "map", "GM9998", "--jaar", "2024", "--png", "aandeel_65_plus", "--uitvoer",
        "{t}/f/k.png")), 3, ("is een bestand",)),
    Case("uitvoer_export_onder_bestand", _with(_mkfile("f"), _in_store(
        "export", "GM9998", "--jaar", "2024", "--format", "csv", "--uitvoer", "{t}/f/e.csv")),
        3, ("is een bestand",)),
    Case("uitvoer_export_gpkg_over_store", _in_store(
        "export", "GM9998", "--jaar", "2024", "--format", "gpkg", "--uitvoer",
        "{t}/store/GM9998/2024/wijkgeo.gpkg"), 3, ("store",)),
    Case("uitvoer_kk_gpkg_over_store", _in_store(
        "koppelkansen", "GM9998", "--jaar", "2024", "--format", "gpkg", "--uitvoer",
        "{t}/store/GM9998/2024/wijkgeo.gpkg"), 3, ("store",)),
    Case("uitvoer_kk_gpkg_over_vreemde", _with(_foreign_gpkg, _in_store(
        "koppelkansen", "GM9998", "--jaar", "2024", "--format", "gpkg", "--uitvoer",
        "{t}/eigen.gpkg")), 3, ("mijn_laag",)),
    Case("uitvoer_kk_csv_onder_bestand", _with(_mkfile("f"), _in_store(
        "koppelkansen", "GM9998", "--jaar", "2024", "--uitvoer", "{t}/f/k.csv")), 3,
        ("is een bestand",)),
    Case("uitvoer_profiel_op_bestand", _with(_mkfile("p"), _in_store(
        "profile", "GM9998", "--jaar", "2024", "--buurt", "BU99980001", "--uitvoer", "{t}/p")),
        3, ("bestand met die naam",)),
    Case("uitvoer_profiel_vreemde_map", _with(_mkfile("p/mijn_notities.docx"), _in_store(
        "profile", "GM9998", "--jaar", "2024", "--buurt", "BU99980001", "--uitvoer", "{t}/p")),
        3, ("niet vervangen",)),
    Case("uitvoer_logbestand_onder_bestand", _with(_mkfile("f"), lambda t: [
        "refresh", "--jaar", "2024", "GM9998", "--dry-run", "--logbestand", str(t / "f" / "l"),
        "--store", str(t / "store")]), 3, ("logbestand",)),
    # a missing output folder is refused (never made: a typo in a path scatters folders)
    Case("uitvoer_kaart_map_ontbreekt", _in_store("map", "GM9998", "--jaar", "2024",
                                                  "--uitvoer", "{t}/nieuw/kaart.html"), 3,
         ("bestaat niet", "mkdir -p", "nieuw")),
    Case("uitvoer_png_map_ontbreekt", _in_store("map", "GM9998", "--jaar", "2024", "--png",
                                                "aandeel_65_plus", "--uitvoer",
                                                "{t}/nieuw/k.png"), 3, ("bestaat niet",)),
    Case("uitvoer_export_map_ontbreekt", _in_store("export", "GM9998", "--jaar", "2024",
                                                   "--format", "xlsx", "--uitvoer",
                                                   "{t}/nieuw/e.xlsx"), 3, ("bestaat niet",)),
    Case("uitvoer_kk_csv_map_ontbreekt", _in_store("koppelkansen", "GM9998", "--jaar", "2024",
                                                   "--uitvoer", "{t}/nieuw/k.csv"), 3,
         ("bestaat niet",)),
    Case("uitvoer_kk_gpkg_map_ontbreekt", _in_store("koppelkansen", "GM9998", "--jaar", "2024",
                                                    "--format", "gpkg", "--uitvoer",
                                                    "{t}/nieuw/k.gpkg"), 3, ("bestaat niet",)),
    Case("uitvoer_profiel_ouder_ontbreekt", _in_store(
        "profile", "GM9998", "--jaar", "2024", "--buurt", "BU99980001", "--uitvoer",
        "{t}/nieuw/profielen"), 3, ("bestaat niet",)),
    Case("uitvoer_profiel_map_wordt_gemaakt", _in_store(
        "profile", "GM9998", "--jaar", "2024", "--buurt", "BU99980001", "--uitvoer",
        "{t}/profielen"), 0),
    Case("uitvoer_logbestand_map_ontbreekt", lambda t: [
        "refresh", "--jaar", "2024", "GM9998", "--dry-run", "--logbestand",
        str(t / "nieuw" / "l.log"), "--store", str(t / "store")], 3, ("bestaat niet",)),
    Case("uitvoer_tijdreeks_map_ontbreekt", _in_store("tijdreeks", "GM9998", "--jaren", "2024",
                                                      "--uitvoer", "{t}/nieuw/t.csv"), 3,
         ("bestaat niet",)),
    Case("uitvoer_tijdreeks_op_map", _with(_mkdir("uit"), _in_store(
        "tijdreeks", "GM9998", "--jaren", "2024", "--uitvoer", "{t}/uit")), 3, ("is een map",)),
    Case("uitvoer_tijdreeks_onder_bestand", _with(_mkfile("f"), _in_store(
        "tijdreeks", "GM9998", "--jaren", "2024", "--format", "xlsx", "--uitvoer",
        "{t}/f/t.xlsx")), 3, ("is een bestand",)),
    # a device, FIFO or socket at the target is never replaced by a file (as root that would
    # turn /dev/null into a regular file)
    Case("uitvoer_kaart_op_fifo", _with(lambda t: os.mkfifo(t / "pijp"), _in_store(
        "map", "GM9998", "--jaar", "2024", "--uitvoer", "{t}/pijp")), 3, ("FIFO",)),
    Case("uitvoer_tijdreeks_op_fifo", _with(lambda t: os.mkfifo(t / "pijp"), _in_store(
        "tijdreeks", "GM9998", "--jaren", "2024", "--uitvoer", "{t}/pijp")), 3, ("FIFO",)),
    Case("uitvoer_lock_timeout_nan", lambda t: ["import", "x.gpkg", "--gemeente", "GM9998",
                                                "--jaar", "2024", "--lock-timeout", "nan"],
         2, ("eindig",)),
    Case("uitvoer_lock_timeout_inf", lambda t: ["refresh", "--jaar", "2024", "GM9998",
                                                "--lock-timeout", "inf"], 2, ("eindig",)),
    # ---- 1./4. the similarity profile of `wijkgeo vergelijk` and RIVM table downloads
    Case("vergelijk_kenmerken_fifo", _profile_file(None, "fifo"), 2, ("FIFO",)),
    Case("vergelijk_kenmerken_diep", _profile_file(b"[" * 100000 + b"]" * 100000), 2,
         ("te diep genest",)),
    Case("vergelijk_kenmerken_nan", _profile_file(b'{"kenmerken": [NaN]}'), 2, ("NaN",)),
    Case("vergelijk_kenmerken_binair", _profile_file(bytes(range(256))), 2,
         ("kenmerken.json",)),
    Case("import_rivm_fifo", _health_file("fifo"), 2, ("FIFO",)),
    Case("signalen_fifo", _signalen(None, kind="fifo"), 2, ("FIFO",)),
    Case("signalen_xlsx_zipbom", _signalen(None, "export.xlsx", kind="zipbom"), 2,
         ("pakt uit",)),
    Case("signalen_thema_stuurtekens", _signalen(
        b"buurtcode,thema,jaar\n" + b"BU99980001,=HYPERLINK(1)\x1b]0;pwnd\x07\x1b[2J,2024\n"
        * 30), 0),
    Case("import_rivm_map", _health_file("map"), 2, ("een map",)),
    # ---- 4. parsing with limits: lagen.json
    Case("json_diep", _lagen_text(_deep_json(5000)), 2, ("te diep genest",)),
    Case("json_lagen_lijst", _lagen_text('{"lagen": [{"bestand": "a.csv"}]}'), 2, ("lijst",)),
    Case("json_nan", lambda t: (_lagen(t / "lagen", {}), shutil.copy(
        DATA / "nan_lagen.json", t / "lagen" / "lagen.json"), _check(t / "lagen"))[-1], 2,
        ("NaN",)),
    Case("json_bom", _lagen_text(b'\xef\xbb\xbf{"lagen": {"a": {"bestand": "a.csv"}}}'), 0),
    Case("json_utf16_zonder_bom", _lagen_text('{"lagen": {}}'.encode("utf-16-le")), 2,
         ("UTF-16",)),
    Case("json_leeg", _lagen_text(""), 2, ("JSON",)),
    Case("json_null", _lagen_text("null"), 2, ("lagen",)),
    Case("json_laag_tekst", _lagen_text('{"lagen": {"a": "a.csv"}}'), 2, ("geen object",)),
    Case("json_bestand_getal", _lagen_text('{"lagen": {"a": {"bestand": 5}}}'), 2,
         ("verkeerde type",)),
    Case("json_gemeente_lijst", _lagen_text('{"gemeente": ["GM0599"], "lagen": {"a": '
                                            '{"bestand": "a.csv"}}}'), 2, ("verkeerde type",)),
    Case("json_binair", _lagen_text(bytes(range(256))), 2, ("lagen.json",)),
    Case("csv_alleen_scheidingstekens", _layer_file("a.csv", source="alleen_scheidingstekens.csv"),
         2, ("scheidingstekens",)),
    Case("csv_utf16_zonder_bom", _layer_file("a.csv", source="utf16_zonder_bom.csv"), 0),
    Case("csv_binair", _layer_file("a.csv", source="binair.csv"), 2, ("a.csv",)),
    Case("csv_leeg", _layer_file("a.csv", b""), 2, ("leeg",)),
    Case("csv_nul_in_cel", _layer_file("a.csv", b"id,naam\n1,Oo\x00st\n"), 2, ("NUL",)),
    Case("csv_te_lange_tekst", _layer_file("a.csv", b"id,naam\n1," + b"x" * 40000 + b"\n"), 2,
         ("tekens",)),
    Case("csv_stuurtekens", _layer_file("a.csv", b"id,naam\n1,A\x1b]0;pwnd\x07B\x1b[2J\n"), 2,
         ("stuurteken",)),
    Case("xlsx_kapot", _layer_file("a.xlsx", source="kapot.xlsx"), 2, ("Excel",)),
    Case("xlsx_zip_zonder_werkmap", lambda t: _zip_layer(t, "a.xlsx", {"x.txt": b"hoi"}), 2,
         ("Excel",)),
    Case("shp_zipbom", lambda t: _zip_layer(t, "a.zip", {"a.shp": b"\0" * 30_000_000,
                                                         "a.dbf": b"\0", "a.shx": b"\0"}),
         2, ("pakt uit",)),
    # the zip's directory alone refuses it: memory stays proportional to the file size
    Case("shp_zip_opgevulde_geometrie", lambda t: _zip_layer(t, "a.zip", {
        "a.shp": b"\0" * 5_000_000, "a.shx": b"\0" * 100, "a.dbf": b"\0",
        "toelichting.bin": os.urandom(1_000_000)}), 2, ("16 keer",)),
    Case("shp_zip_te_veel_objecten", lambda t: _zip_layer(t, "a.zip", {
        "a.shp": os.urandom(100), "a.shx": os.urandom(2_400_000), "a.dbf": b"\0"}), 2,
        ("objecten", "aannemelijk")),
    Case("shp_zip_te_veel_onderdelen", lambda t: _zip_layer(t, "a.zip", {
        f"x{i}.txt": b"" for i in range(1001)} | {"a.shp": b"\0", "a.shx": b"\0",
                                                  "a.dbf": b"\0"}), 2, ("onderdelen",)),
    Case("import_shp_zip_opgeblazen", _kwb_zip_bomb, 2, ("16 keer", "niets opgeslagen")),
    Case("geojson_kapot", _layer_file("a.geojson", b'{"type": "FeatureCollection", "feat'), 2,
         ("GeoJSON",)),
    # ---- 4. parsing with limits: rules TOML
    Case("toml_diep", _rules("a = " + "[" * 3000 + "]" * 3000), 2, ("te diep genest",)),
    Case("toml_nan", _rules(source="nan_drempel.toml"), 2, ("nan",)),
    Case("toml_inf", _rules(_rules_text(waarde="inf")), 2, ("inf",)),
    Case("toml_bom", _rules(source="bom.toml"), 0),
    Case("toml_regel_tabel", _rules('regel = {sleutel = "a"}\n'), 2, ("[[regel]]",)),
    Case("toml_instellingen_lijst", _rules("instellingen = [1]\n"), 2, ("instellingen",)),
    Case("toml_regels_getallen", _rules("regel = [1, 2]\n"), 2, ("regel",)),
    Case("toml_utf16_zonder_bom", _rules('a = 1\n'.encode("utf-16-le")), 2, ("UTF-16",)),
    Case("toml_binair", _rules(bytes(range(1, 256))), 2, ("regels.toml",)),
    Case("toml_types", _rules(_rules_text(waarde='"25"')), 2, ("getal",)),
    Case("toml_syntax", _rules("[[regel]\nsleutel = \n"), 2, ("TOML",)),
    # ---- 5. damaged store
    Case("store_manifest_lijst", _status(lambda f: (f / "manifest.json").write_text("[1, 2]")), 0),
    Case("store_manifest_rijen_tekst", _in_store("export", "GM9998", "--jaar", "2024",
                                                 "--format", "csv", "--uitvoer", "{t}/e.csv",
                                                 damage=_manifest(lambda m: {**m, "layers": {
                                                     **m["layers"], "buurten": {
                                                         **m["layers"]["buurten"],
                                                         "rows": "veel"}}})), 0),
    Case("store_manifest_diep", _status(lambda f: (f / "manifest.json").write_text(
        "[" * 100000 + "]" * 100000)), 0),
    Case("store_ingebed_kapot", _status(_embedded('{"gemeente": 5}')), 0, ("ONLEESBAAR",)),
    Case("store_ingebed_kapot_kaart", _in_store("map", "GM9998", "--jaar", "2024", "--uitvoer",
                                                "{t}/k.html", damage=_embedded("[]")), 3,
         ("beschadigd",)),
    Case("store_controle_vorm", _status(lambda f: (f / "laatste_controle.json").write_text(
        '{"checked_at": 5}')), 0, ("ONLEESBAAR",)),
    Case("store_rijen_gewijzigd", _in_store("export", "GM9998", "--jaar", "2024", "--format",
                                            "csv", "--uitvoer", "{t}/e.csv",
                                            damage=_delete_rows), 3, ("buiten wijkgeo",)),
    Case("store_waarde_gewijzigd", _in_store("export", "GM9998", "--jaar", "2024", "--format",
                                             "csv", "--uitvoer", "{t}/e.csv", damage=_alter(
                                                 "UPDATE buurten SET aantal_inwoners = "
                                                 "aantal_inwoners + 1 WHERE fid = 2")), 3,
         ("buiten wijkgeo gewijzigd", "'buurten'")),
    Case("store_naam_gewijzigd", _in_store("map", "GM9998", "--jaar", "2024", "--uitvoer",
                                           "{t}/k.html", damage=_alter(
                                               "UPDATE wijken SET wijknaam = 'Anders'")), 3,
         ("buiten wijkgeo gewijzigd", "'wijken'")),
    Case("store_waarde_gewijzigd_status", _status(_alter(
        "UPDATE buurten SET aantal_inwoners = 0")), 0, ("ONLEESBAAR", "buiten wijkgeo gewijzigd")),
    Case("store_gpkg_weg", _in_store("map", "GM9998", "--jaar", "2024", "--uitvoer",
                                     "{t}/k.html",
                                     damage=lambda f: (f / "wijkgeo.gpkg").unlink()), 2,
         ("staat niet in de store",)),
    Case("store_gpkg_afgekapt", _in_store("map", "GM9998", "--jaar", "2024", "--uitvoer",
                                          "{t}/k.html", damage=lambda f: (f / "wijkgeo.gpkg")
                                          .write_bytes((f / "wijkgeo.gpkg").read_bytes()[:5000])),
         3, ("wijkgeo.gpkg",)),
    # ---- 7. codes
    Case("code_arabisch_indisch", lambda t: ["export", "GM\u0669\u0669\u0669\u0668", "--jaar",
                                             "2024"], 2, ("ARABIC-INDIC",)),
    Case("code_cyrillisch", lambda t: ["export", "GM99\u0417\u0417", "--jaar", "2024"], 2,
         ("CYRILLIC",)),
    Case("code_volle_breedte", _in_store("export", "\uff27\uff2d\uff19\uff19\uff19\uff18",
                                         "--jaar", "2024", "--format", "csv", "--uitvoer",
                                         "{t}/e.csv"), 0),
    # ---- 3. plausibility on import
    Case("import_assen_verwisseld", _wbk(_swap), 2, ("verwisseld",)),
    Case("import_graden_als_meters", _wbk(lambda n, g: g.to_crs(4326).set_crs(
        28992, allow_override=True)), 2, ("graden",)),
    Case("import_rd_als_graden", _wbk(lambda n, g: g.set_crs(4326, allow_override=True)), 2,
         ("niets opgeslagen",)),
    Case("import_negatief", _wbk(_set("aantal_inwoners", -5)), 2, ("negatieve",)),
    Case("import_dubbele_buurtcode", _wbk(_double_code), 2, ("2 keer", "niets opgeslagen")),
    Case("import_getal_als_tekst", _wbk(_set("aantal_inwoners", "veel")), 2,
         ("aantal_inwoners",)),
    Case("import_zonder_geometrie", _wbk(_no_geometry), 2, ("zonder (bruikbare) geometrie",)),
    Case("import_wijk_andere_gemeente", _wbk(_set("wijkcode", "WK059901")), 2,
         ("andere gemeente",)),
    Case("import_nul_in_naam", _wbk(_set("buurtnaam", "Oost\u202eWest")), 2, ("richtingtekens",)),
    Case("import_afgekapt", _wbk(raw=_truncated), 2, ("WijkBuurtkaart_2024_v1.gpkg",)),
    Case("import_fifo", _wbk(raw=lambda p: os.mkfifo(p)), 2, ("FIFO",)),
    Case("import_map", _wbk(raw=lambda p: p.mkdir()), 2, ("een map",)),
    Case("import_geen_gpkg", _wbk(raw=lambda p: p.write_bytes(b"PK\x03\x04rommel")), 2,
         ("pak het eerst uit",)),
]


def _zip_layer(t: Path, name: str, members: dict[str, bytes]) -> list[str]:
    import zipfile

    folder = _lagen(t / "lagen", {"a": {"bestand": name, "type": "vlakken"}
                                  if name.endswith(".zip") else {"bestand": name}})
    with zipfile.ZipFile(folder / name, "w", zipfile.ZIP_DEFLATED) as zf:
        for member, data in members.items():
            zf.writestr(member, data)
    return _check(folder)


# ---------------------------------------------------------------------------- fixtures
_STORE: Path
_WBK: dict


@pytest.fixture(scope="module", autouse=True)
def _small_store(tmp_path_factory):
    """GM9998 (six buurten, hostile names) in a store, and its layers as a Wijk- en Buurtkaart."""
    global _STORE, _WBK
    from browser import synthetic_atlas

    from wijkgeo.store import Store

    atlas = synthetic_atlas()
    # wijk totals, as every real source has them (the profile index shows them)
    totals = atlas.buurten.groupby("wijkcode")["aantal_inwoners"].sum()
    atlas.wijken["aantal_inwoners"] = atlas.wijken["wijkcode"].map(totals).astype(float)
    _STORE = tmp_path_factory.mktemp("vijandig_store")
    Store(_STORE).write_atlas(atlas)
    _WBK = {
        "gemeenten": atlas.gemeente.reset_index(drop=True),
        "wijken": atlas.wijken.reset_index(drop=True),
        "buurten": atlas.buurten.reset_index(drop=True),
    }


def _alarm(signum, frame):  # pragma: no cover - only when a read blocks
    raise TimeoutError("a command blocked (FIFO?)")


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_hostile_input_gives_a_dutch_message(case, tmp_path, capsys, monkeypatch):
    global _OPENED
    work = tmp_path / "werk"
    work.mkdir()
    secret = tmp_path / "werk" / "geheim" / "geheim.csv"
    secret.parent.mkdir()
    secret.write_text(f"naam,waarde\n{SECRET},1\n", encoding="utf-8")
    monkeypatch.setenv("WIJKGEO_CACHE", str(tmp_path / "cache"))
    monkeypatch.chdir(work)
    argv = case.setup(work)
    capsys.readouterr()
    _OPENED = []
    old = signal.signal(signal.SIGALRM, _alarm)
    signal.alarm(60)
    try:
        code = main(["-q", *argv])
    except SystemExit as exc:  # argparse refuses an option value
        code = exc.code
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)
        opened, _OPENED = _OPENED, None
    out = capsys.readouterr()
    text = out.out + out.err
    expected = case.exit if isinstance(case.exit, tuple) else (case.exit,)
    assert code in expected, text
    assert "Traceback" not in text and "interne fout" not in text, text
    assert SECRET not in text
    assert not any(c in text for c in "\x00\x07\x1b\u202e"), repr(text)
    for word in case.words:
        assert word in text, text
    if code != 0:
        assert "FOUT " in text or "wijkgeo:" in text or ": fout:" in text, text
    # nothing outside the allowed folders was opened: never the secret, writes only below tmp
    assert not [p for p, _w in opened if Path(p).resolve() == secret.resolve()], opened
    root = str(tmp_path.resolve())
    allowed = (root, "/dev/", "/proc/", str(Path(os.environ.get("WIJKGEO_STORE", root))))
    outside = [p for p, w in opened if w and not str(Path(p).resolve()).startswith(allowed)]
    assert outside == [], outside


def test_the_corpus_is_large_enough():
    assert len(CASES) >= 60


def test_a_planted_symlink_never_gets_its_target_overwritten(tmp_path, monkeypatch):
    """A link at a page name inside an earlier profile folder: the folder is replaced whole."""
    monkeypatch.setenv("WIJKGEO_CACHE", str(tmp_path / "cache"))
    store = tmp_path / "store"
    shutil.copytree(_STORE, store)
    out = tmp_path / "p"
    def args(buurt: str) -> list[str]:
        return ["-q", "profile", "GM9998", "--jaar", "2024", "--buurt", buurt, "--uitvoer",
                str(out), "--store", str(store)]

    assert main(args("BU99980001")) == 0
    victim = tmp_path / "slachtoffer.txt"
    victim.write_text("blijft", encoding="utf-8")
    (out / "BU99980002.html").symlink_to(victim)
    assert main(args("BU99980002")) == 0
    assert victim.read_text(encoding="utf-8") == "blijft"
    assert not (out / "BU99980002.html").is_symlink()
    assert not (out / "BU99980001.html").exists()  # no pages of the earlier run
    index = (out / "index.html").read_text(encoding="utf-8")
    assert "BU99980001.html" not in index


def test_status_shows_no_terminal_control_sequences(tmp_path, capsys):
    from browser import synthetic_atlas

    from wijkgeo.store import Store

    atlas = synthetic_atlas()
    atlas.gemeente["gemeentenaam"] = "Stad\x1b]0;titel\x07\x1b[2J\u202eX"
    Store(tmp_path).write_atlas(atlas)
    assert main(["status", "--store", str(tmp_path)]) == 0
    text = capsys.readouterr().out
    assert "\x1b" not in text and "\x07" not in text and "\u202e" not in text
    assert "Stad" in text


def test_names_reach_the_png_as_plain_text(tmp_path):
    pytest.importorskip("matplotlib")
    from browser import synthetic_atlas

    from wijkgeo.maps import png

    atlas = synthetic_atlas()
    atlas.buurten["buurtnaam"] = "$\\frac{1}{$ a\\b $x^$"
    atlas.gemeente["gemeentenaam"] = "$\\alpha$ \\"
    pic = png(atlas, "aandeel_65_plus", path=tmp_path / "k.png")
    assert pic.path.stat().st_size > 1000


def test_an_interrupted_write_leaves_the_previous_file(tmp_path):
    from wijkgeo._errors import OutputError
    from wijkgeo._write import write_output, write_text_output

    target = write_text_output(tmp_path / "a.txt", "oud")

    def broken(tmp: Path) -> None:
        tmp.write_text("half", encoding="utf-8")
        raise OSError(28, "No space left on device")

    with pytest.raises(OutputError, match="de schijf is vol"):
        write_output(target, broken)
    assert target.read_text(encoding="utf-8") == "oud"
    assert [p.name for p in tmp_path.iterdir()] == ["a.txt"]  # no temporary files left


def test_two_writers_of_one_target_take_turns(tmp_path, monkeypatch):
    """Two processes (here threads) writing the same map: one waits, both results are whole."""
    import threading
    import time

    from wijkgeo._write import write_output

    monkeypatch.setenv("WIJKGEO_CACHE", str(tmp_path / "cache"))
    target = tmp_path / "kaart.html"
    inside: list[int] = []
    overlap: list[bool] = []

    def writer(n: int):
        def write(tmp: Path) -> None:
            inside.append(n)
            overlap.append(len(inside) > 1)
            with open(tmp, "w", encoding="utf-8") as fh:
                for _ in range(20):
                    fh.write(f"<p>{n}</p>" * 100)
                    time.sleep(0.005)
            inside.remove(n)

        return lambda: write_output(target, write, what="kaart")

    threads = [threading.Thread(target=writer(n)) for n in (1, 2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert overlap == [False, False]
    text = target.read_text(encoding="utf-8")
    assert text in ("<p>1</p>" * 2000, "<p>2</p>" * 2000)


def test_lock_files_do_not_pile_up_and_stay_exclusive(tmp_path, monkeypatch):
    """A lock file per target is removed on release (no file per map ever written stays
    in <cache>/locks), and removing it never lets two holders in: eight writers with their
    own lock objects hammer one lock file; at most one is ever inside."""
    import threading

    from wijkgeo._write import _TargetLock, write_text_output

    monkeypatch.setenv("WIJKGEO_CACHE", str(tmp_path / "cache"))
    locks = tmp_path / "cache" / "locks"
    locks.mkdir(parents=True)
    (locks / ("0" * 32 + ".lock")).write_text("")  # left by an older version: swept
    for n in range(5):
        write_text_output(tmp_path / f"kaart{n}.html", "x")
    assert list(locks.iterdir()) == []

    path = tmp_path / "een.lock"
    monkeypatch.setattr("time.sleep", lambda s: os.sched_yield())  # retry at once: more races
    inside: list[int] = []
    overlap: list[int] = []
    rounds: list[int] = []

    def hammer(n: int) -> None:
        for _ in range(80):
            lock = _TargetLock(path, timeout=60)
            lock.acquire()
            try:
                inside.append(n)
                if len(inside) > 1:
                    overlap.append(n)
                rounds.append(n)
                for _ in range(50):  # stay inside a while, so a second holder would be seen
                    os.sched_yield()
                inside.remove(n)
            finally:
                lock.release()

    threads = [threading.Thread(target=hammer, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert overlap == [] and len(rounds) == 640
    assert not path.exists()


def test_a_gpkg_output_is_replaced_whole(tmp_path, monkeypatch):
    import geopandas as gpd
    import pyogrio
    import shapely

    from wijkgeo._write import write_output

    monkeypatch.setenv("WIJKGEO_CACHE", str(tmp_path / "cache"))
    frame = gpd.GeoDataFrame({"a": [1]}, geometry=[shapely.Point(1, 1)], crs=28992)
    target = tmp_path / "k.gpkg"

    def write(layers):
        def run(tmp: Path) -> None:
            for name in layers:
                pyogrio.write_dataframe(frame, tmp, layer=name, driver="GPKG")

        return run

    write_output(target, write(["koppelkansen", "overgeslagen"]))
    write_output(target, write(["koppelkansen"]))
    assert [n for n, _g in pyogrio.list_layers(target)] == ["koppelkansen"]


def _as_unprivileged(tmp_path: Path):
    """A place and a runner for the CLI as a user whom file modes bind.

    Root writes into read-only folders anyway, so as root (CI containers) the CLI runs as
    ``nobody`` through ``setpriv`` in a world-readable temporary folder; as any other user
    it runs as that user. Returns (work folder, run(argv) -> (exit code, stderr)).
    """
    import shutil as _shutil
    import subprocess
    import sys
    import tempfile

    root = os.geteuid() == 0
    prefix: list[str] = []
    if root:
        setpriv = _shutil.which("setpriv")
        if setpriv is None:  # pragma: no cover - util-linux is on every Debian/Ubuntu
            pytest.skip("root without setpriv: read-only folders can't be tested")
        prefix = [setpriv, "--reuid=65534", "--regid=65534", "--clear-groups"]
        work = Path(tempfile.mkdtemp(prefix="wijkgeo-alleen-lezen-"))
        work.chmod(0o755)
    else:
        work = tmp_path

    def run(argv: list[str]) -> tuple[int, str]:
        env = {**os.environ, "HOME": str(work), "WIJKGEO_CACHE": str(work / "cache"),
               "MPLCONFIGDIR": str(work / "mpl")}
        code = "import sys; from wijkgeo.cli import main; sys.exit(main(sys.argv[1:]))"
        proc = subprocess.run([*prefix, sys.executable, "-c", code, *argv], env=env,
                              capture_output=True, text=True, timeout=300, cwd=work)
        return proc.returncode, proc.stderr

    return work, run, root


def test_read_only_folders_give_dutch_messages(tmp_path):
    """Runs as root too (as ``nobody``), so it can fail in CI containers."""
    work, run, root = _as_unprivileged(tmp_path)
    store = work / "store"
    shutil.copytree(_STORE, store)
    ro = work / "alleen_lezen"
    ro.mkdir()
    if root:  # nobody owns the store and the cache, like the user who made them
        for path in [work, *work.rglob("*")]:
            os.chown(path, 65534, 65534)
    ro.chmod(0o555)
    try:
        code, err = run(["map", "GM9998", "--jaar", "2024", "--store", str(store), "--uitvoer",
                         str(ro / "k.html")])
        assert code == 3 and "schrijfrechten" in err and "Traceback" not in err, err
        assert not (ro / "k.html").exists()
        store.chmod(0o555)
        code, err = run(["refresh", "--jaar", "2024", "GM9998", "--store", str(store),
                         "--dry-run", "--logbestand", str(ro / "log.txt")])
        assert code == 3 and "logbestand" in err and "Traceback" not in err, err
        # a read-only store (a copy on a share, mode a-w): a Dutch store error, exit 3
        for path in store.rglob("*"):
            path.chmod(0o555 if path.is_dir() else 0o444)
        export = work / "export.csv"
        export.write_text("buurtcode,thema,jaar\n" + "BU99980001,schulden,2024\n" * 30)
        code, err = run(["signalen", str(export), "--gemeente", "GM9998", "--jaar", "2024",
                         "--store", str(store)])
        assert code == 3 and "alleen-lezen" in err and "Traceback" not in err, err
        assert not (store / "GM9998" / "signalen.json").exists()
    finally:
        ro.chmod(0o755)
        for path in [store, *store.rglob("*")]:
            path.chmod(0o755 if path.is_dir() else 0o644)
        if root:
            shutil.rmtree(work, ignore_errors=True)


@pytest.mark.slow
@pytest.mark.realdata
def test_no_real_gemeente_is_refused_by_the_plausibility_checks(realdata, tmp_path):
    """The national 2024 kaart (every gemeente of the real files): nothing is refused."""
    import pyogrio
    from _wijkbuurtkaart import build_wijkbuurtkaart

    from wijkgeo.sources.plausibility import problems
    from wijkgeo.sources.wijkbuurtkaart import _read_level

    path = build_wijkbuurtkaart(realdata, tmp_path / "WijkBuurtkaart_2024_v1.gpkg")
    table = pyogrio.read_dataframe(path, layer="gemeenten", read_geometry=False)
    codes = sorted(set(table["gemeentecode"]))
    assert len(codes) > 300
    refused = {}
    for code in codes:
        levels = {"gemeente": "gemeente", "wijken": "wijk", "buurten": "buurt"}
        boundaries = {k: _read_level(path, level, code) for k, level in levels.items()}
        found = problems(boundaries, code)
        if found:
            refused[code] = found
    assert refused == {}


def test_vergelijk_prints_names_without_terminal_controls(monkeypatch, capsys):
    """Names in ``wijkgeo vergelijk`` come from the national reference: plain text only (and
    the answer is data, so ``-q`` keeps it)."""
    import wijkgeo.indicators.similar as similar

    class Result:
        def to_text(self) -> str:
            return "Buurten zoals Oost\x1b]0;pwnd\x07\x1b[2J\u202e825 (BU99980001)"

    monkeypatch.setattr(similar, "compare_buurt", lambda *a, **k: Result())
    assert main(["-q", "vergelijk", "BU99980001", "--jaar", "2024"]) == 0
    out = capsys.readouterr().out
    assert out.strip() == "Buurten zoals Oost825 (BU99980001)"
