"""The ``lagen.json`` model: which layers a folder holds and how to check them.

:func:`load_spec` reads ``lagen.json`` into :class:`FolderSpec` (one :class:`LayerSpec` per
layer) and reports every problem in it: invalid JSON (with the line), unknown keys (with
the closest valid key), wrong value types, unknown layer types or formats. The keys and
their meaning live in ``lagen_schema.json`` beside this module (data, not code).

Examples
--------
>>> spec = load_spec("data_sources/demo")
>>> [layer.name for layer in spec.layers]
['voorzieningen', 'bewonersinitiatieven', 'energietransitie', 'projecten', 'verhalen']
>>> spec.layers[3].kind, spec.layers[3].personal
('geometrie', ['contactpersoon', 'telefoon'])
>>> closest("bestnad", ["bestand", "blad", "type"])
'bestand'
"""

from __future__ import annotations

import difflib
import json
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from ..._report import WARNING, ValidationReport

__all__ = [
    "CONFIG_NAME",
    "FolderSpec",
    "LayerSpec",
    "closest",
    "load_spec",
    "schema",
]

#: Name of the layer description file in a data_sources folder.
CONFIG_NAME = "lagen.json"


@cache
def schema() -> dict[str, Any]:
    """The ``lagen.json`` schema (keys, types, meaning) from ``lagen_schema.json``."""
    return json.loads((Path(__file__).with_name("lagen_schema.json")).read_text("utf-8"))


def closest(word: str, options: list[str] | set[str], n: int = 1) -> str | None:
    """The option most like ``word`` (case-insensitive), or None when nothing is close.

    Examples
    --------
    >>> closest("Huisarts ", ["huisarts", "supermarkt"])
    'huisarts'
    """
    opts = list(options)
    lowered = {o.lower(): o for o in opts}
    found = difflib.get_close_matches(str(word).lower(), list(lowered), n=n, cutoff=0.6)
    return lowered[found[0]] if found else None


def _osa(a: str, b: str) -> int:
    """Edit distance where swapping two neighbours counts as one edit (typing errors)."""
    d = [[0] * (len(b) + 1) for _ in range(len(a) + 1)]
    for i in range(len(a) + 1):
        d[i][0] = i
    for j in range(len(b) + 1):
        d[0][j] = j
    for i in range(1, len(a) + 1):
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            d[i][j] = min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                d[i][j] = min(d[i][j], d[i - 2][j - 2] + 1)
    return d[len(a)][len(b)]


def closest_many(word: str, options: list[str], n: int = 3) -> list[str]:
    """Up to ``n`` options nearest to ``word`` by typing errors (swaps count once).

    Examples
    --------
    >>> closest_many("WK999920", ["WK999907", "WK999902", "WK999900"], 2)
    ['WK999902', 'WK999900']
    """
    w = str(word).upper()
    limit = max(2, len(w) // 3)
    letters = sorted(w)
    scored = sorted(
        (
            _osa(w, str(o).upper()),
            sorted(str(o).upper()) != letters,  # same characters, swapped: the likelier typo
            -difflib.SequenceMatcher(None, w, str(o).upper()).ratio(),
            o,
        )
        for o in options
    )
    return [o for dist, _perm, _r, o in scored if dist <= limit][:n]


@dataclass
class LayerSpec:
    """One layer of ``lagen.json``, with defaults filled in."""

    name: str
    file: str
    kind: str = "tabel"
    sheet: str | None = None
    layer: str | None = None
    x: str | None = None
    y: str | None = None
    crs: str | None = None
    id: str | None = None
    required: list[str] = field(default_factory=list)
    dates: list[str] = field(default_factory=list)
    years: list[str] = field(default_factory=list)
    period: list[str] = field(default_factory=list)
    allowed: dict[str, list[str]] = field(default_factory=dict)
    personal: list[str] = field(default_factory=list)
    buurtcode: str | None = None
    wijkcode: str | None = None
    postcode: str | None = None
    postcode_table: str | None = None
    delimiter: str | None = None
    encoding: str | None = None
    free_text: list[str] = field(default_factory=list)
    links: list[str] = field(default_factory=list)

    @property
    def format(self) -> str:
        """``csv``, ``xlsx``, ``geo`` (GeoJSON), ``gpkg`` or ``shpzip`` (from the extension)."""
        suffix = Path(self.file).suffix.lower()
        return schema()["formats"].get(suffix, "")

    @property
    def has_geometry(self) -> bool:
        return self.kind in ("lijnen", "vlakken", "geometrie") or (
            self.kind == "punten" and not (self.x and self.y)
        )

    @property
    def code_key(self) -> tuple[str, str] | None:
        """(level, column) of the code that keys a table, if any."""
        if self.buurtcode:
            return ("buurt", self.buurtcode)
        if self.wijkcode:
            return ("wijk", self.wijkcode)
        if self.postcode:
            return ("postcode", self.postcode)
        return None


@dataclass
class FolderSpec:
    """The whole ``lagen.json`` of one folder."""

    folder: Path
    layers: list[LayerSpec]
    gemeente: str | None = None
    year: int | None = None

    @property
    def path(self) -> Path:
        return self.folder / CONFIG_NAME


_KEY_FIELD = {
    "bestand": "file",
    "type": "kind",
    "blad": "sheet",
    "laag": "layer",
    "x": "x",
    "y": "y",
    "crs": "crs",
    "id": "id",
    "verplicht": "required",
    "datums": "dates",
    "jaar": "years",
    "periode": "period",
    "toegestaan": "allowed",
    "persoonsgegevens": "personal",
    "buurtcode": "buurtcode",
    "wijkcode": "wijkcode",
    "postcode": "postcode",
    "postcodetabel": "postcode_table",
    "scheidingsteken": "delimiter",
    "codering": "encoding",
    "vrije_tekst": "free_text",
    "links": "links",
}
_JSON_TYPES = {"string": str, "array": list, "object": dict, "integer": int}
_DELIMITERS = {",": ",", ";": ";", "tab": "\t", "\t": "\t", "|": "|"}


def _add(rep: ValidationReport, *args: Any, **kwargs: Any) -> None:
    """A problem in lagen.json itself: its 'column' is a key."""
    if args and str(args[0]).endswith(CONFIG_NAME):
        kwargs.setdefault("column_label", "sleutel")
    rep.add(*args, **kwargs)


def _unknown_key(
    report: ValidationReport, where: str, key: str, valid: dict[str, Any], file: str
) -> None:
    near = closest(key, list(valid))
    hint = (
        f"bedoelt u {near!r}? ({valid[near][1]})"
        if near
        else f"geldige sleutels: {', '.join(valid)}"
    )
    report.add(
        file,
        None,
        where + key,
        f"onbekende sleutel {key!r}",
        hint=hint + "; sleutels die met '_' beginnen zijn commentaar.",
        category="unknown_key",
        column_label="sleutel",
    )


def _type_ok(value: Any, kind: str) -> bool:
    if kind == "integer":
        return isinstance(value, int) and not isinstance(value, bool)
    if kind == "array":
        return isinstance(value, list) and all(isinstance(v, str) for v in value)
    return isinstance(value, _JSON_TYPES[kind])


def load_spec(folder: str | Path, report: ValidationReport | None = None) -> FolderSpec | None:
    """Read and check ``lagen.json`` of ``folder``; problems go into ``report``.

    Returns None when the folder or file is missing or not valid JSON (the report says
    why); otherwise a :class:`FolderSpec` holding the layers that are usable. A layer with
    an error in its description is left out (and reported).

    Examples
    --------
    >>> rep = ValidationReport()
    >>> load_spec("bestaat-niet", rep) is None, rep.problems[0].category
    (True, 'missing_file')
    """
    rep = report if report is not None else ValidationReport()
    base = Path(folder)
    path = base / CONFIG_NAME
    shown = str(path)
    if not base.is_dir():
        _add(
            rep,
            base,
            None,
            None,
            "map met lokale lagen bestaat niet",
            hint="geef de map met lagen.json op (bijvoorbeeld data_sources/demo).",
            category="missing_file",
        )
        return None
    if not path.exists():
        _add(
            rep,
            path,
            None,
            None,
            "bestand ontbreekt",
            hint="kopieer data_sources/demo/lagen.json naar deze map en pas de "
            "laagbeschrijvingen aan.",
            category="missing_file",
        )
        return None
    rep.checked.append(shown)
    from ..._parse import MAX_TEXT_BYTES, ParseError, loads_json
    from ..._paths import UnsafePathError, read_bytes_limited, resolve_inside

    try:
        data = read_bytes_limited(resolve_inside(base, CONFIG_NAME), limit=MAX_TEXT_BYTES)
    except UnsafePathError as exc:
        _add(rep, path, None, None, exc.reason, hint=exc.hint, category=exc.category)
        return None
    try:
        config = loads_json(data, shown)
    except ParseError as exc:
        _add(
            rep,
            path,
            exc.line,
            None,
            exc.reason,
            hint={
                "syntax": 'controleer komma\'s, aanhalingstekens ("...") en haakjes rond die '
                "regel; een komma na het laatste element mag niet in JSON.",
                "encoding": "sla lagen.json op als UTF-8 (Kladblok: Opslaan als, codering UTF-8).",
                "depth": "lagen.json beschrijft lagen in hooguit een paar niveaus; zie "
                "data_sources/README.md.",
                "number": "schrijf een gewoon getal.",
            }.get(exc.kind, ""),
            category="invalid_json",
            unit="regel",
        )
        return None
    sch = schema()
    if isinstance(config, dict) and isinstance(config.get("lagen"), list):
        _add(
            rep,
            path,
            None,
            "lagen",
            "'lagen' is een lijst, maar moet een object zijn met per laag een naam",
            hint='schrijf "lagen": {"voorzieningen": {"bestand": ...}}; zie '
            "data_sources/README.md.",
            category="invalid_config",
        )
        return None
    if not isinstance(config, dict) or not isinstance(config.get("lagen"), dict):
        _add(
            rep,
            path,
            None,
            "lagen",
            "sleutel 'lagen' met minstens één laag ontbreekt",
            hint="zie data_sources/README.md voor het formaat.",
            category="invalid_config",
        )
        return None
    for key in config:
        if key.startswith("_"):
            continue
        if key not in sch["top"]:
            _unknown_key(rep, "", key, sch["top"], shown)
        elif not _type_ok(config[key], sch["top"][key][0]):
            _add(
                rep,
                path,
                None,
                key,
                f"waarde van {key!r} heeft het verkeerde type",
                hint=f"verwacht {sch['top'][key][0]}: {sch['top'][key][1]}.",
                category="invalid_config",
            )
    gemeente = config.get("gemeente") if isinstance(config.get("gemeente"), str) else None
    if gemeente is not None:
        from ..._errors import DataValidationError
        from ...codes import normalize_code

        try:
            gemeente = normalize_code(gemeente, "gemeente")
        except DataValidationError as exc:
            _add(rep, path, None, "gemeente", str(exc), category="invalid_config")
            gemeente = None
    year = config.get("jaar") if isinstance(config.get("jaar"), int) else None
    layers: list[LayerSpec] = []
    if not [k for k in config["lagen"] if not str(k).startswith("_")]:
        _add(
            rep,
            path,
            None,
            "lagen",
            "'lagen' bevat geen enkele laag",
            hint="beschrijf minstens één laag; zie data_sources/README.md.",
            category="invalid_config",
        )
    for name, raw in config["lagen"].items():
        if str(name).startswith("_"):
            continue
        spec = _layer_spec(str(name), raw, rep, path)
        if spec is not None:
            layers.append(spec)
    return FolderSpec(base, layers, gemeente, year)


def _layer_spec(name: str, raw: Any, rep: ValidationReport, path: Path) -> LayerSpec | None:
    sch = schema()
    keys = sch["layer"]
    where = f"lagen.{name}."

    def bad(column: str, message: str, hint: str, category: str = "invalid_config") -> None:
        _add(
            rep,
            path,
            None,
            where + column if column else where[:-1],
            message,
            hint=hint,
            category=category,
        )

    if not isinstance(raw, dict):
        bad("", f"laag {name!r} is geen object", 'schrijf de laag als {"bestand": ...}.')
        return None
    ok = True
    values: dict[str, Any] = {}
    for key, value in raw.items():
        if key.startswith("_") or key == "omschrijving":
            continue
        if key not in keys:  # reported; the rest of the layer is still checked
            _unknown_key(rep, where, key, keys, str(path))
            continue
        kind = keys[key][0]
        if not _type_ok(value, kind):
            bad(
                key,
                f"waarde van {key!r} heeft het verkeerde type",
                f"verwacht {kind}: {keys[key][1]}.",
            )
            ok = False
            continue
        values[_KEY_FIELD[key]] = value
    if not values.get("file"):
        bad(
            "bestand",
            f"laag {name!r} heeft geen 'bestand'",
            'geef de bestandsnaam op, bijvoorbeeld "voorzieningen.csv".',
        )
        return None
    from ...kinds import reader_defaults

    # a layer named like a kind takes the kind's type when lagen.json gives none
    values.setdefault("kind", reader_defaults("", name).get("type", "tabel"))
    if values["kind"] not in sch["types"]:
        near = closest(values["kind"], sch["types"])
        bad(
            "type",
            f"laag {name!r} heeft type {values['kind']!r}",
            f"kies {', '.join(repr(t) for t in sch['types'])}"
            + (f" (bedoelt u {near!r}?)" if near else "")
            + ".",
        )
        return None
    # the defaults of a layer type (wijkgeo/kinds.json, "inlezen") and of a layer named
    # like a kind (its types and allowed values, the kind's one description) live with it
    keyed = any(values.get(k) for k in ("buurtcode", "wijkcode", "postcode"))
    own = set(values)
    for key, value in reader_defaults(values["kind"], name).items():
        if key == "type" or (key in ("buurtcode", "wijkcode") and keyed):
            continue  # a layer keyed by its own code column keeps it
        if key == "periode" and "years" in own:
            continue  # its own year columns: the kind's period may name others
        if key in ("buurtcode", "wijkcode") and values["kind"] != "tabel":
            continue
        values.setdefault(_KEY_FIELD[key], value)
    spec = LayerSpec(name=name, **values)
    if not spec.format:
        bad(
            "bestand",
            f"bestandstype van {spec.file!r} wordt niet gelezen",
            "gebruik " + ", ".join(sch["formats"]) + ".",
            "unknown_format",
        )
        return None
    if spec.kind == "punten" and bool(spec.x) != bool(spec.y):
        bad(
            "x" if not spec.x else "y",
            "alleen één van 'x' en 'y' is opgegeven",
            "geef beide kolomnamen van de coördinaten op.",
        )
        ok = False
    if spec.kind == "punten" and not spec.x and spec.format in ("csv", "xlsx"):
        bad(
            "x",
            f"laag {name!r} is van type 'punten' maar 'x' en 'y' (kolomnamen van de "
            "coördinaten) ontbreken",
            'voeg "x": "...", "y": "..." toe.',
        )
        ok = False
    if spec.kind in ("lijnen", "vlakken", "geometrie") and spec.format in ("csv", "xlsx"):
        bad(
            "type",
            f"laag {name!r} van type {spec.kind!r} vraagt een bestand met geometrie",
            "gebruik GeoJSON, GeoPackage of een gezipte shapefile, of type 'punten'/'tabel'.",
        )
        ok = False
    if spec.period and len(spec.period) != 2:
        bad(
            "periode",
            "'periode' moet precies twee kolommen noemen",
            'schrijf ["startjaar", "eindjaar"].',
        )
        ok = False
    typed = set(spec.dates) | set(spec.years)
    if len(spec.period) == 2 and not set(spec.period) <= typed:
        _add(
            rep,
            path,
            None,
            where + "periode",
            "de kolommen van 'periode' staan niet onder 'datums' of 'jaar'",
            hint="zet ze ook onder 'datums' (JJJJ-MM-DD) of 'jaar', anders wordt eind vóór "
            "begin niet gecontroleerd.",
            severity=WARNING,
            category="invalid_config",
        )
    if spec.delimiter is not None:
        if spec.delimiter not in _DELIMITERS:
            bad(
                "scheidingsteken",
                f"scheidingsteken {spec.delimiter!r} onbekend",
                "kies ',', ';' of 'tab'.",
            )
            ok = False
        else:
            spec.delimiter = _DELIMITERS[spec.delimiter]
    if spec.encoding is not None and spec.encoding.lower().replace("-", "") not in (
        "utf8",
        "utf8sig",
        "cp1252",
        "windows1252",
        "latin1",
        "iso88591",
    ):
        bad("codering", f"codering {spec.encoding!r} onbekend", "kies utf-8 of cp1252.")
        ok = False
    for col, allowed in spec.allowed.items():
        if not isinstance(allowed, list) or not allowed:
            bad(
                "toegestaan",
                f"toegestane waarden van {col!r} zijn geen lijst",
                'schrijf bijvoorbeeld {"status": ["actief", "afgerond"]}.',
            )
            ok = False
    if spec.postcode and not spec.postcode_table:
        bad(
            "postcodetabel",
            "een tabel per postcode heeft een 'postcodetabel' nodig",
            "geef een CSV met kolommen postcode en buurtcode (bijvoorbeeld van CBS "
            "'Buurt, wijk en gemeente voor postcode huisnummer').",
        )
        ok = False
    n_keys = sum(bool(k) for k in (spec.buurtcode, spec.wijkcode, spec.postcode))
    if spec.kind == "tabel" and n_keys > 1:
        _add(
            rep,
            path,
            None,
            where[:-1],
            "tabel heeft meer dan één sleutel (buurtcode, wijkcode, postcode); de eerste telt",
            severity=WARNING,
            category="invalid_config",
        )
    return spec if ok else None
