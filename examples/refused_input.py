"""What wijkgeo refuses, and how it says so: paths out of the folder, broken files, outputs.

1. A ``lagen.json`` that names a file outside its folder (``../``), a symbolic link out of
   it and a folder: ``wijkgeo check`` names each path and never shows what is in the file.
2. A rules file with a ``nan`` threshold and one nested too deep: refused with the line.
3. An output into a folder that is a file, and one onto a GeoPackage of the store: an
   ``OutputError`` in Dutch; a write that fails halfway leaves the previous file; an
   output into a folder that does not exist is refused, never made.
4. A stored value changed outside wijkgeo (here with sqlite, as QGIS could): every command
   refuses the gemeente (``StoreError``) and ``wijkgeo status`` shows it as ONLEESBAAR.

Runs offline in a temporary folder. For your own gemeente: ``wijkgeo check mijn_map``.
"""

import json
import tempfile
from pathlib import Path

from wijkgeo import ConfigError, OutputError
from wijkgeo._write import write_output, write_text_output
from wijkgeo.koppelkansen import load_rules
from wijkgeo.sources.local import check_local_layers

work = Path(tempfile.mkdtemp(prefix="wijkgeo-weigert-"))
(work / "geheim.csv").write_text("wachtwoord,geheim\n", encoding="utf-8")
folder = work / "lagen"
folder.mkdir()
(folder / "link.csv").symlink_to(work / "geheim.csv")
(folder / "map.csv").mkdir()
layers = {name: {"bestand": f} for name, f in
          [("buiten", "../geheim.csv"), ("link", "link.csv"), ("map", "map.csv")]}
(folder / "lagen.json").write_text(json.dumps({"lagen": layers}), encoding="utf-8")

_, report = check_local_layers(folder)
print("1. wijkgeo check op een map met vreemde paden:")
for problem in report.errors:
    print("  ", problem.to_text().replace(str(work), "..."))
assert "wachtwoord" not in report.to_text()

print("2. regels met nan en te diep genest:")
for name, text in [("nan.toml", "[[regel]]\nsleutel = 'a'\nwaarde = nan\n"),
                   ("diep.toml", "a = " + "[" * 100 + "]" * 100 + "\n")]:
    (work / name).write_text(text, encoding="utf-8")
    try:
        load_rules(work / name)
    except ConfigError as exc:
        print("  ", str(exc).splitlines()[1].replace(str(work), "..."))

print("3. uitvoer:")
(work / "bestand").write_text("x", encoding="utf-8")
try:
    write_text_output(work / "bestand" / "kaart.html", "<p>kaart</p>")
except OutputError as exc:
    print("  ", str(exc).replace(str(work), "..."))
target = write_text_output(work / "export.csv", "vorige versie\n")


def half(tmp: Path) -> None:
    tmp.write_text("half geschr", encoding="utf-8")
    raise OSError(28, "No space left on device")


try:
    write_output(target, half, what="export")
except OutputError as exc:
    print("  ", str(exc).replace(str(work), "..."))
print("   export.csv bevat nog:", target.read_text(encoding="utf-8").strip())
try:
    write_text_output(work / "bestaat_niet" / "kaart.html", "<p>kaart</p>")
except OutputError as exc:
    print("  ", str(exc).replace(str(work), "..."))

print("4. een waarde in de store buiten wijkgeo gewijzigd:")
import sqlite3  # noqa: E402

from wijkgeo import StoreError, make_demo  # noqa: E402
from wijkgeo.status import store_status  # noqa: E402
from wijkgeo.store import Store  # noqa: E402

store = Store(work / "store")
gpkg = store.write_atlas(make_demo())
con = sqlite3.connect(gpkg)
for fn in ("ST_IsEmpty", "ST_MinX", "ST_MaxX", "ST_MinY", "ST_MaxY"):  # the GeoPackage triggers
    con.create_function(fn, 1, lambda geom: 0)
con.execute("UPDATE buurten SET aantal_inwoners = aantal_inwoners * 2")
con.commit()
con.close()
try:
    store.read_atlas("GM9999", 2024)
    raise SystemExit("a changed store was used")
except StoreError as exc:
    print("  ", str(exc).replace(str(work), "...")[:140], "...")
print("   wijkgeo status:", "ONLEESBAAR" if store_status(store)[0].get("error") else "goed")

