"""Check a koppelkansen rules file: names that exist, types, thresholds that can hold.

:func:`validate_rules_file` is what ``wijkgeo check`` runs on a gemeente's
``koppelkansen.toml``. Every problem names the file, the rule and the line, and for an
unknown indicator, layer, column, value or condition kind the closest existing names.

Examples
--------
>>> from wijkgeo.koppelkansen import validate_rules_text
>>> problems = validate_rules_text('''
... [[regel]]
... sleutel = "proef"
... titel = "Proef"
... beschrijving = "Een proef."
... niveau = "buurt"
... bron = "handboek"
... [[regel.conditie]]
... soort = "drempel"
... indicator = "aandeel_65plus"
... waarde = 25
... ''', "koppelkansen.toml")
>>> problems[0].line, problems[0].suggestions
(10, ('aandeel_65_plus', 'mantelzorger_65plus', 'eenzaam_65plus'))
>>> print(problems[0].message)
onbekende indicator 'aandeel_65plus'.
"""

from __future__ import annotations

import difflib
import json
import os
from collections.abc import Iterable, Mapping
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from .model import (
    RULES_FILE_NAME,
    Condition,
    Problem,
    Rule,
    RuleSet,
    _Lines,
    layer_schema,
    parse_rules,
)

__all__ = [
    "check_folder",
    "check_rules",
    "known_columns",
    "validate_rules_file",
    "validate_rules_text",
]


def _close(word: str, options: Iterable[str], n: int = 3) -> tuple[str, ...]:
    return tuple(difflib.get_close_matches(str(word), list(options), n=n, cutoff=0.6))


@lru_cache(maxsize=1)
def _kwb_columns() -> frozenset[str]:
    cols: set[str] = set()
    text = resources.files("wijkgeo.sources").joinpath("kwb_columns.json").read_text("utf-8")
    for value in json.loads(text)["columns"].values():
        cols.update([value] if isinstance(value, str) else value)
    cols.update(layer_schema()["kerncijfers"]["extra_kolommen"])
    return frozenset(cols)


def known_columns(level: str) -> frozenset[str]:
    """Statistics columns a ``kolom`` condition may name at this level.

    Examples
    --------
    >>> "perc_huurwoningen_in_bezit_overige_verhuurders" in known_columns("buurt")
    True
    >>> "aantal_eenouderhuishoudens" in known_columns("vierkant")
    True
    """
    if level == "vierkant":
        grid = layer_schema()["vierkant"]
        return frozenset(grid["bekende_kolommen"]) | frozenset(grid["kolommen"].values())
    return _kwb_columns()


def _local_layers(folder: Path | None) -> dict[str, dict[str, Any]]:
    """Layers a gemeente's ``lagen.json`` declares beside the rules file (name -> spec)."""
    if folder is None:
        return {}
    from .._errors import ConfigError
    from .._parse import MAX_TEXT_BYTES, loads_json
    from .._paths import read_bytes_limited, resolve_inside

    path = folder / "lagen.json"
    if not path.is_file():
        return {}
    try:  # problems in lagen.json itself are reported by its own checker
        path = resolve_inside(folder, "lagen.json")
        raw = loads_json(read_bytes_limited(path, limit=MAX_TEXT_BYTES), str(path))
    except ConfigError:
        return {}
    layers = raw.get("lagen") if isinstance(raw, dict) else None
    return layers if isinstance(layers, dict) else {}


class _Checker:
    def __init__(self, file: str, lines: _Lines | None, local: Mapping[str, Any]) -> None:
        from ..indicators import registry

        self.file = file
        self.lines = lines
        self.problems: list[Problem] = []
        self.registry = registry()
        schema = layer_schema()["lagen"]
        self.layers: dict[str, dict[str, Any]] = {k: dict(v) for k, v in schema.items()}
        for name, spec in local.items():
            entry = self.layers.setdefault(name, {"kolommen": [], "waarden": {}})
            cols = list(spec.get("verplicht", [])) if isinstance(spec, dict) else []
            entry["kolommen"] = list(dict.fromkeys([*entry.get("kolommen", []), *cols]))
            allowed = spec.get("toegestaan", {}) if isinstance(spec, dict) else {}
            waarden = dict(entry.get("waarden", {}))
            for col, vals in allowed.items():
                waarden[col] = list(dict.fromkeys([*waarden.get(col, []), *vals]))
            entry["waarden"] = waarden

    def line(self, cond: Condition | Rule, key: str | None = None) -> int | None:
        if self.lines is None or cond.line is None:
            return cond.line
        return self.lines.key(cond.line, key) if key else cond.line

    def add(self, rule: Rule, where: Condition | Rule, key: str | None, msg: str, sugg=()):
        line = self.line(where, key)
        self.problems.append(Problem.in_rules(self.file, rule.key, line, msg, tuple(sugg)))

    # --------------------------------------------------------------------- per condition
    def value_condition(self, rule: Rule, c: Condition) -> None:
        unit = None
        if c.indicator is not None:
            ind = self.registry.get(c.indicator)
            if ind is None:
                self.add(rule, c, "indicator", f"onbekende indicator {c.indicator!r}.",
                         _close(c.indicator, self.registry))
                return
            unit = ind.unit
        for key, col in (("kolom", c.column), ("per", c.per)):
            if col is not None and col not in known_columns(rule.level):
                where = "de 500 m-vierkanten" if rule.level == "vierkant" else "de Kerncijfers"
                self.add(rule, c, key, f"onbekende kolom {col!r} in {where}.",
                         _close(col, known_columns(rule.level)))
        if c.column and c.column.startswith(("percentage_", "perc_")) and not c.per:
            unit = "%"
        if c.kind == "drempel":
            if c.value is None:
                return
            if unit == "%" and not 0 <= c.value <= 100:
                self.add(rule, c, "waarde",
                         f"waarde {c.value:g} kan niet voor een percentage; kies 0 t/m 100.")
            elif unit == "%" and (
                (c.operator == ">" and c.value >= 100) or (c.operator == "<" and c.value <= 0)
            ):
                self.add(rule, c, "waarde",
                         f"'{c.operator} {c.value:g}' kan nooit kloppen voor een percentage.")
            elif unit is not None and unit != "%" and c.value < 0 and (
                c.operator in ("<", "<=")
            ):
                self.add(rule, c, "waarde",
                         f"'{c.operator} {c.value:g}' kan nooit kloppen: deze waarde is nooit "
                         "negatief.")
        elif c.kind == "percentiel":
            if c.percentile is not None and not 0 <= c.percentile <= 100:
                self.add(rule, c, "percentiel",
                         f"percentiel {c.percentile:g} bestaat niet; kies 0 t/m 100.")
        elif c.kind == "rang":
            if c.top is not None and c.top < 1:
                self.add(rule, c, "top", "top moet minstens 1 zijn.")
        elif c.kind == "vergelijking":
            if c.factor is not None and c.factor <= 0:
                self.add(rule, c, "factor",
                         f"factor {c.factor:g} kan niet; gebruik een getal groter dan 0 "
                         "(1,25 = een kwart boven het vergelijkingscijfer).")
            elif unit == "%" and c.factor is not None and c.factor > 10:
                self.add(rule, c, "factor",
                         f"factor {c.factor:g} x een percentage komt vrijwel nooit voor; "
                         "bedoelde u een factor als 1.25?")

    def layer_name(self, rule: Rule, c: Condition, name: str | None, key: str) -> bool:
        if name is None:
            return False
        if name not in self.layers:
            self.add(rule, c, key, f"onbekende laag {name!r}.", _close(name, self.layers))
            return False
        return True

    def filter(self, rule: Rule, c: Condition, layer: str, where, key: str) -> None:
        spec = self.layers[layer]
        cols = spec.get("kolommen", [])
        for col, values in where.items():
            if cols and col not in cols:
                self.add(rule, c, key, f"de laag {layer!r} heeft geen kolom {col!r}.",
                         _close(col, cols))
                continue
            allowed = spec.get("waarden", {}).get(col)
            if not allowed:
                continue
            low = {str(a).lower() for a in allowed}
            for v in values:
                if str(v).lower() not in low:
                    self.add(rule, c, key,
                             f"{col} = {v!r} komt in de laag {layer!r} niet voor; "
                             f"toegestaan: {', '.join(allowed)}.", _close(v, allowed))

    def layer_condition(self, rule: Rule, c: Condition) -> None:
        if c.distance < 0:
            self.add(rule, c, "afstand", f"afstand {c.distance:g} m kan niet; gebruik 0 of meer.")
        if self.layer_name(rule, c, c.layer, "laag"):
            self.filter(rule, c, c.layer, c.filter, "filter")
            spec = self.layers[c.layer]
            if spec.get("soort") == "tabel" and c.distance > 0:
                self.add(rule, c, "afstand",
                         f"de laag {c.layer!r} is een tabel per wijk zonder ligging; afstand "
                         "werkt daar niet.")
        if c.kind == "laag":
            if c.minimum < 1:
                self.add(rule, c, "minimaal", "minimaal moet minstens 1 zijn.")
            if c.origin == "midden" and c.distance <= 0:
                self.add(rule, c, "vanaf",
                         "vanaf = \"midden\" heeft een afstand groter dan 0 nodig.")
        if c.kind == "jaar":
            if c.window is None and c.year_from is None and c.year_to is None:
                self.add(rule, c, None, "geef binnen_jaren, of van en/of tot.")
            if c.window is not None and c.window < 0:
                self.add(rule, c, "binnen_jaren", "binnen_jaren moet 0 of meer zijn.")
            if c.year_from is not None and c.year_to is not None and c.year_from > c.year_to:
                self.add(rule, c, "van",
                         f"van {c.year_from} ligt na tot {c.year_to}: dat venster is leeg.")
            if c.layer in self.layers:
                spec = self.layers[c.layer]
                col = c.year_column or spec.get("startjaar")
                cols = spec.get("kolommen", [])
                if col is None:
                    self.add(rule, c, "laag",
                             f"de laag {c.layer!r} heeft geen jaarkolom; geef jaarkolom = ...")
                elif c.year_column and cols and c.year_column not in cols:
                    self.add(rule, c, "jaarkolom",
                             f"de laag {c.layer!r} heeft geen kolom {c.year_column!r}.",
                             _close(c.year_column, cols))
        if c.kind == "overlap":
            if c.window is not None and c.window < 0:
                self.add(rule, c, "binnen_jaren", "binnen_jaren moet 0 of meer zijn.")
            if self.layer_name(rule, c, c.other_layer, "met_laag"):
                self.filter(rule, c, c.other_layer, c.other_filter, "met_filter")
            if c.different_owners:
                for name in (c.layer, c.other_layer):
                    if name in self.layers and not self.layers[name].get("eigenaar"):
                        self.add(rule, c, "verschillende_eigenaren",
                                 f"de laag {name!r} heeft geen eigenaar-kolom.")

    def rule(self, rule: Rule) -> None:
        n = len(rule.conditions)
        if rule.combine == "minstens" and rule.k is not None and not 1 <= rule.k <= n:
            self.add(rule, rule, "minstens",
                     f"minstens = {rule.k} kan niet met {n} condities; kies 1 t/m {n}.")
        if rule.combine == "gewogen" and rule.min_score is not None and not (
            0 < rule.min_score <= 1
        ):
            self.add(rule, rule, "drempel_score",
                     f"drempel_score {rule.min_score:g} kan niet; kies een getal in (0, 1].")
        for c in rule.conditions:
            if c.weight <= 0:
                self.add(rule, c, "gewicht", "gewicht moet groter dan 0 zijn.")
            if c.scale <= 0:
                self.add(rule, c, "schaal", "schaal moet groter dan 0 zijn (bv. 1000).")
            if c.required and c.optional:
                self.add(rule, c, "mag_ontbreken",
                         "een conditie kan niet tegelijk verplicht zijn en mogen ontbreken.")
            if c.kind in ("drempel", "percentiel", "rang", "vergelijking"):
                self.value_condition(rule, c)
            else:
                self.layer_condition(rule, c)


def check_rules(
    ruleset: RuleSet,
    *,
    file: str = "<regels>",
    text: str | None = None,
    local_layers: Mapping[str, Any] | None = None,
) -> list[Problem]:
    """Check rules against the indicator registry, the layer schema and common sense.

    Parameters
    ----------
    ruleset : RuleSet
        Parsed rules (see :func:`~wijkgeo.koppelkansen.model.parse_rules`).
    file : str
        File name for the messages.
    text : str, optional
        The TOML text, to give the line of each field.
    local_layers : mapping, optional
        The ``lagen`` of the gemeente's ``lagen.json`` (more layers, columns and values).

    Returns
    -------
    list of Problem
    """
    checker = _Checker(file, _Lines(text) if text is not None else None, local_layers or {})
    for rule in ruleset.rules:
        checker.rule(rule)
    return checker.problems


def validate_rules_text(
    text: str, file: str = "<tekst>", *, folder: str | Path | None = None
) -> list[Problem]:
    """All problems in the text of a rules file (structure, names, types, thresholds).

    Parameters
    ----------
    text : str
        TOML text.
    file : str
        Name for the messages.
    folder : str or Path, optional
        The gemeente's data folder; its ``lagen.json`` adds layers, columns and values.

    Returns
    -------
    list of Problem
        Empty when the rules are fine.
    """
    ruleset, problems = parse_rules(text, file)
    local = _local_layers(Path(folder) if folder is not None else None)
    return problems + check_rules(ruleset, file=file, text=text, local_layers=local)


def validate_rules_file(path: str | Path) -> list[Problem]:
    """All problems in a ``koppelkansen.toml`` (what ``wijkgeo check`` reports).

    The ``lagen.json`` beside it adds the gemeente's own layers and allowed values.

    Parameters
    ----------
    path : str or Path
        The rules file.

    Returns
    -------
    list of Problem
        Empty when the file is fine; each problem names file, rule, line and what to do.

    Examples
    --------
    >>> from wijkgeo.koppelkansen import validate_rules_file
    >>> validate_rules_file("data_sources/demo/koppelkansen.toml")   # doctest: +SKIP
    []
    """
    from .._errors import ConfigError
    from .model import read_rules_text

    p = Path(path)
    try:
        text = read_rules_text(p)
    except ConfigError as exc:  # missing or unreadable: a problem to report, not a crash
        return [Problem.in_rules(str(p), None, None, str(exc).split(": ", 1)[-1])]
    return validate_rules_text(text, str(p), folder=p.parent)


def check_folder(folder: Path, report: Any, atlas: Any = None) -> None:
    """``wijkgeo check`` hook: validate ``koppelkansen.toml`` beside ``lagen.json``, if any.

    Adds each problem to ``report`` (a :class:`wijkgeo._report.ValidationReport`) with the
    line in the file and, for unknown names, the closest existing names as the hint.

    Examples
    --------
    >>> from wijkgeo._report import ValidationReport
    >>> from wijkgeo.koppelkansen.validate import check_folder
    >>> report = ValidationReport()
    >>> check_folder(Path("data_sources/demo"), report)   # doctest: +SKIP
    >>> report.ok                                          # doctest: +SKIP
    True
    """
    from .._paths import UnsafePathError, safe_input

    path = Path(folder) / RULES_FILE_NAME
    if not os.path.lexists(path):
        return
    report.checked.append(str(path))
    try:
        safe_input(folder, RULES_FILE_NAME)
    except UnsafePathError as exc:
        report.add(path, None, None, exc.reason, hint=exc.hint, category=exc.category)
        return
    for p in validate_rules_file(path):
        hint = f"Bedoelde u {' of '.join(repr(s) for s in p.suggestions)}?" if p.suggestions else ""
        rule = f"koppelkans {p.rule!r}: " if p.rule else ""
        report.add(p.file, p.line, None, f"{rule}{p.message}", hint=hint,
                   category="koppelkansen", unit="regel")
