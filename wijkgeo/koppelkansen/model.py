"""Koppelkansen rules as data: the dataclasses and the TOML reader.

A rules file (the default ``rules.toml`` in this package, or a gemeente's own
``koppelkansen.toml`` beside its ``lagen.json``) is TOML with Dutch keys, because the people
who write it are wijkregisseurs and analysts::

    [[regel]]
    sleutel = "ouderen_ver_van_voorzieningen"
    titel = "Ouderen met weinig auto's ver van voorzieningen"
    beschrijving = "..."
    partners = ["gemeente (Wmo)", "welzijnswerk", "buurtbus/buurttaxi"]
    niveau = "buurt"                 # buurt | wijk | vierkant (500 m)
    combinatie = "minstens"          # alle | minstens (met minstens = k) | gewogen
    minstens = 3
    bron = "Praktijk: buurttaxi en eenzaamheid (koppelkansen.md, koppeling 10)"

    [[regel.conditie]]
    soort = "vergelijking"           # drempel | percentiel | rang | vergelijking
    indicator = "aandeel_65_plus"    #   | laag | jaar | overlap
    met = "nederland"
    factor = 1.25
    verplicht = true

Condition kinds (``soort``) and their fields are documented in ``rules.toml`` and in
``docs/koppelkansen.md``. Parsing checks structure and types; :mod:`.validate` adds the
checks against the indicator registry and the layer schema (``layers.toml``). Python 3.11
reads TOML with :mod:`tomllib`; on 3.10 the ``tomli`` backport is used.
"""

from __future__ import annotations

import bisect
import re
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from .._report import Problem as _Problem

if sys.version_info >= (3, 11):  # pragma: no cover - depends on the interpreter
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

__all__ = [
    "COMBINATIONS",
    "CONDITION_FIELDS",
    "KINDS",
    "LEVELS",
    "OPERATORS",
    "RULES_FILE_NAME",
    "Condition",
    "Problem",
    "Rule",
    "RuleSet",
    "layer_schema",
    "parse_rules",
]

#: Name of a gemeente's own rules file, beside its ``lagen.json``.
RULES_FILE_NAME = "koppelkansen.toml"
#: Unit levels a rule can work on (``vierkant`` = CBS 500 m cells).
LEVELS = ("buurt", "wijk", "vierkant")
#: How the conditions of a rule combine.
COMBINATIONS = ("alle", "minstens", "gewogen")
#: Comparison operators for indicator conditions.
OPERATORS = (">=", ">", "<=", "<")
#: Condition kinds.
KINDS = ("drempel", "percentiel", "rang", "vergelijking", "laag", "jaar", "overlap")

_COMMON = ("soort", "gewicht", "verplicht", "mag_ontbreken", "omschrijving")
_VALUE = ("indicator", "kolom", "per", "schaal")
#: Fields each condition kind accepts (besides the common ones).
CONDITION_FIELDS: dict[str, tuple[str, ...]] = {
    "drempel": (*_VALUE, "operator", "waarde"),
    "percentiel": (*_VALUE, "operator", "percentiel"),
    "rang": (*_VALUE, "top", "richting"),
    "vergelijking": (*_VALUE, "operator", "met", "factor"),
    "laag": ("laag", "filter", "afstand", "aanwezig", "minimaal", "vanaf"),
    "jaar": ("laag", "filter", "jaarkolom", "binnen_jaren", "van", "tot", "afstand"),
    "overlap": (
        "laag",
        "filter",
        "met_laag",
        "met_filter",
        "binnen_jaren",
        "afstand",
        "verschillende_eigenaren",
    ),
}
_REQUIRED: dict[str, tuple[str, ...]] = {
    "drempel": ("waarde",),
    "percentiel": ("percentiel",),
    "rang": ("top",),
    "vergelijking": ("met", "factor"),
    "laag": ("laag",),
    "jaar": ("laag",),
    "overlap": ("laag", "met_laag"),
}
_RULE_FIELDS = (
    "sleutel",
    "titel",
    "beschrijving",
    "partners",
    "niveau",
    "combinatie",
    "minstens",
    "drempel_score",
    "bron",
    "actief",
    "conditie",
)
_RULE_REQUIRED = ("sleutel", "titel", "beschrijving", "niveau", "bron", "conditie")
_TOP_FIELDS = ("versie", "vervang_standaard", "instellingen", "regel")
_SETTINGS = {"einde_binnen_maanden": 12, "klein_gebied_inwoners": 500}
_KEY_RE = re.compile(r"^[a-z][a-z0-9_]*$")


#: One problem in a rules file: the one problem type of wijkgeo (:class:`wijkgeo._report.Problem`,
#: made with ``Problem.in_rules(file, rule, line, message, suggestions)``).
Problem = _Problem


@dataclass(frozen=True)
class Condition:
    """One condition of a rule; ``kind`` says which fields matter (see :data:`CONDITION_FIELDS`).

    Field names are English; the TOML keys are the Dutch names in brackets.
    """

    kind: str  # soort
    indicator: str | None = None
    column: str | None = None  # kolom
    per: str | None = None
    scale: float = 1.0  # schaal
    operator: str = ">="
    value: float | None = None  # waarde
    percentile: float | None = None  # percentiel
    top: int | None = None
    direction: str = "hoogste"  # richting
    reference: str | None = None  # met: gemeente | nederland
    factor: float | None = None
    layer: str | None = None  # laag
    filter: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    distance: float = 0.0  # afstand (m)
    present: bool = True  # aanwezig
    minimum: int = 1  # minimaal
    origin: str = "gebied"  # vanaf: gebied | midden
    year_column: str | None = None  # jaarkolom
    window: int | None = None  # binnen_jaren
    year_from: int | None = None  # van
    year_to: int | None = None  # tot
    other_layer: str | None = None  # met_laag
    other_filter: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # met_filter
    different_owners: bool = False  # verschillende_eigenaren
    weight: float = 1.0  # gewicht
    required: bool = False  # verplicht
    optional: bool = False  # mag_ontbreken
    description: str | None = None  # omschrijving
    line: int | None = None

    @property
    def layers(self) -> tuple[str, ...]:
        """Local layers this condition reads."""
        return tuple(x for x in (self.layer, self.other_layer) if x)


@dataclass(frozen=True)
class Rule:
    """One koppelkans rule: where several needs, plans and assets coincide.

    Examples
    --------
    >>> from wijkgeo.koppelkansen import default_rules
    >>> rule = default_rules()["ouderen_weinig_autos_ver_weg"]
    >>> rule.level, rule.combine
    ('buurt', 'minstens')
    """

    key: str
    title: str
    description: str
    level: str
    conditions: tuple[Condition, ...]
    source: str
    partners: tuple[str, ...] = ()
    combine: str = "alle"
    k: int | None = None
    min_score: float | None = None
    active: bool = True
    file: str = ""
    line: int | None = None

    def needs(self) -> dict[str, tuple[str, ...]]:
        """The data this rule reads: indicators, columns and local layers (and the level).

        Examples
        --------
        >>> from wijkgeo.koppelkansen import default_rules
        >>> default_rules()["warmtenet_en_straatwerk"].needs()["lagen"]
        ('energietransitie', 'projecten')
        """
        inds = tuple(dict.fromkeys(c.indicator for c in self.conditions if c.indicator))
        cols = tuple(
            dict.fromkeys(
                x for c in self.conditions for x in (c.column, c.per) if x
            )
        )
        layers = tuple(dict.fromkeys(x for c in self.conditions for x in c.layers))
        out = {"indicatoren": inds, "kolommen": cols, "lagen": layers}
        if self.level == "vierkant":
            out["vierkanten"] = ("500m",)
        return out


@dataclass(frozen=True)
class RuleSet:
    """Rules in file order plus the settings that go with them."""

    rules: tuple[Rule, ...]
    settings: Mapping[str, Any] = field(default_factory=lambda: dict(_SETTINGS))
    replace_defaults: bool = False

    def __getitem__(self, key: str) -> Rule:
        for rule in self.rules:
            if rule.key == key:
                return rule
        raise KeyError(key)

    def __iter__(self):
        return iter(self.rules)

    def __len__(self) -> int:
        return len(self.rules)

    def keys(self) -> list[str]:
        """Rule keys in order."""
        return [r.key for r in self.rules]

    def active(self) -> list[Rule]:
        """The rules that are switched on (``actief = true``, the default)."""
        return [r for r in self.rules if r.active]

    def merged(self, other: RuleSet) -> RuleSet:
        """These rules with ``other`` on top: same key replaces, new keys are appended.

        When ``other`` says ``vervang_standaard = true`` only its own rules remain.
        """
        if other.replace_defaults:
            return RuleSet(other.rules, {**self.settings, **other.settings}, True)
        by_key = {r.key: r for r in self.rules}
        order = [r.key for r in self.rules]
        for rule in other.rules:
            if rule.key not in by_key:
                order.append(rule.key)
            by_key[rule.key] = rule
        return RuleSet(
            tuple(by_key[k] for k in order), {**self.settings, **other.settings}, False
        )


@lru_cache(maxsize=1)
def _layer_schema() -> dict[str, Any]:
    from ..kinds import kinds

    text = resources.files(__package__).joinpath("layers.toml").read_text(encoding="utf-8")
    schema = tomllib.loads(text)
    # what the rules know about each kind of local layer lives in the one registry of kinds
    schema["lagen"] = {
        name: spec["koppelkansen"] for name, spec in kinds().items() if "koppelkansen" in spec
    }
    return schema


def layer_schema() -> dict[str, Any]:
    """The layer schema: what rules know about local layers (``lagen``, from the registry of
    kinds ``wijkgeo/kinds.json``) and cells (``layers.toml``).

    Examples
    --------
    >>> from wijkgeo.koppelkansen.model import layer_schema
    >>> layer_schema()["lagen"]["projecten"]["eigenaar"]
    'eigenaar'
    """
    import copy

    return copy.deepcopy(_layer_schema())


# ---------------------------------------------------------------------------- line numbers
_RULE_HDR = re.compile(r"^\s*\[\[\s*regel\s*\]\]")
_COND_HDR = re.compile(r"^\s*\[\[\s*regel\s*\.\s*conditie\s*\]\]")
_ANY_HDR = re.compile(r"^\s*\[")


class _Lines:
    """Finds the line of the n-th rule, its conditions and their keys in the TOML text."""

    def __init__(self, text: str) -> None:
        self.lines = text.splitlines()
        self.rules: list[tuple[int, list[int]]] = []  # (header line, [condition header lines])
        self.headers: list[int] = []
        for no, line in enumerate(self.lines, start=1):
            if _ANY_HDR.match(line):
                self.headers.append(no)
            if _RULE_HDR.match(line):
                self.rules.append((no, []))
            elif _COND_HDR.match(line) and self.rules:
                self.rules[-1][1].append(no)

    def rule(self, i: int) -> int | None:
        return self.rules[i][0] if i < len(self.rules) else None

    def condition(self, i: int, j: int) -> int | None:
        if i < len(self.rules) and j < len(self.rules[i][1]):
            return self.rules[i][1][j]
        return self.rule(i)

    def key(self, start: int | None, key: str) -> int | None:
        """Line of ``key = ...`` in the table that starts at line ``start``."""
        if start is None:
            return None
        # the next header by bisection: loading stays linear in the number of rules
        at = bisect.bisect_right(self.headers, start)
        end = self.headers[at] if at < len(self.headers) else len(self.lines) + 1
        pat = re.compile(rf"^\s*{re.escape(key)}\s*=")
        for no in range(start + 1, end):
            if pat.match(self.lines[no - 1]):
                return no
        return start


# ---------------------------------------------------------------------------------- parsing
def _default(value: Any, default: Any) -> Any:
    """``value`` unless it is None (0 is a value: ``minimaal = 0`` must reach the checks)."""
    return default if value is None else value


def _strings(value: Any) -> tuple[str, ...] | None:
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return tuple(value)
    return None


class _Reader:
    def __init__(self, text: str, file: str) -> None:
        self.file = file
        self.lines = _Lines(text)
        self.problems: list[Problem] = []

    def problem(self, rule: str | None, line: int | None, msg: str, sugg=()) -> None:
        self.problems.append(Problem.in_rules(self.file, rule, line, msg, tuple(sugg)))

    def unknown(self, keys, allowed, rule, line_of, what: str) -> None:
        import difflib

        for key in keys:
            if key not in allowed:
                self.problem(
                    rule,
                    line_of(key),
                    f"onbekend veld {key!r} in {what}.",
                    difflib.get_close_matches(key, list(allowed), n=2, cutoff=0.6),
                )

    def number(self, raw, key, rule, line, *, integer=False):
        value = raw.get(key)
        if value is None:
            return None
        ok = isinstance(value, int) if integer else isinstance(value, (int, float))
        if isinstance(value, bool) or not ok:
            kind = "een geheel getal" if integer else "een getal"
            self.problem(rule, line, f"{key} moet {kind} zijn, niet {value!r}.")
            return None
        return int(value) if integer else float(value)

    def boolean(self, raw, key, default, rule, line) -> bool:
        value = raw.get(key, default)
        if not isinstance(value, bool):
            self.problem(rule, line, f"{key} moet true of false zijn, niet {value!r}.")
            return default
        return value

    def string(self, raw, key, rule, line, default=None):
        value = raw.get(key, default)
        if value is not None and not isinstance(value, str):
            self.problem(rule, line, f"{key} moet tekst zijn (tussen aanhalingstekens).")
            return default
        return value

    def filter(self, raw, key, rule, line) -> dict[str, tuple[str, ...]]:
        value = raw.get(key, {})
        if not isinstance(value, dict):
            self.problem(
                rule, line, f"{key} moet een tabel zijn, bv. {key} = {{ status = [\"actief\"] }}."
            )
            return {}
        out = {}
        for col, allowed in value.items():
            vals = _strings(allowed)
            if vals is None:
                self.problem(
                    rule, line, f"{key}.{col} moet tekst of een lijst met teksten zijn."
                )
                continue
            out[str(col)] = vals
        return out

    def condition(self, raw: Any, rule: str, i: int, j: int) -> Condition | None:
        start = self.lines.condition(i, j)

        def line_of(key: str) -> int | None:
            return self.lines.key(start, key)

        if not isinstance(raw, dict):
            self.problem(rule, start, "een conditie moet een tabel [[regel.conditie]] zijn.")
            return None
        kind = raw.get("soort")
        if kind not in CONDITION_FIELDS:
            import difflib

            self.problem(
                rule,
                line_of("soort"),
                f"onbekende soort conditie {kind!r}; kies uit {', '.join(KINDS)}.",
                difflib.get_close_matches(str(kind), list(KINDS), n=2, cutoff=0.5),
            )
            return None
        allowed = (*_COMMON, *CONDITION_FIELDS[kind])
        self.unknown(raw, allowed, rule, line_of, f"een conditie van soort {kind!r}")
        for key in _REQUIRED[kind]:
            if key not in raw:
                self.problem(rule, start, f"een conditie van soort {kind!r} mist {key!r}.")
        if kind in ("drempel", "percentiel", "rang", "vergelijking") and (
            ("indicator" in raw) == ("kolom" in raw)
        ):
            self.problem(
                rule, start, "geef precies één van 'indicator' (uit het register) of 'kolom'."
            )
        op = self.string(raw, "operator", rule, line_of("operator"), ">=")
        if op not in OPERATORS:
            self.problem(
                rule, line_of("operator"), f"operator {op!r} bestaat niet; kies uit {OPERATORS}."
            )
            op = ">="
        ref = self.string(raw, "met", rule, line_of("met"))
        if kind == "vergelijking" and ref is not None and ref not in ("gemeente", "nederland"):
            self.problem(rule, line_of("met"), f"met = {ref!r}: kies 'gemeente' of 'nederland'.")
        direction = self.string(raw, "richting", rule, line_of("richting"), "hoogste")
        if direction not in ("hoogste", "laagste"):
            self.problem(rule, line_of("richting"), "richting moet 'hoogste' of 'laagste' zijn.")
        origin = self.string(raw, "vanaf", rule, line_of("vanaf"), "gebied")
        if origin not in ("gebied", "midden"):
            self.problem(rule, line_of("vanaf"), "vanaf moet 'gebied' of 'midden' zijn.")
        cond = Condition(
            kind=kind,
            indicator=self.string(raw, "indicator", rule, line_of("indicator")),
            column=self.string(raw, "kolom", rule, line_of("kolom")),
            per=self.string(raw, "per", rule, line_of("per")),
            scale=_default(self.number(raw, "schaal", rule, line_of("schaal")), 1.0),
            operator=op,
            value=self.number(raw, "waarde", rule, line_of("waarde")),
            percentile=self.number(raw, "percentiel", rule, line_of("percentiel")),
            top=self.number(raw, "top", rule, line_of("top"), integer=True),
            direction=direction if direction in ("hoogste", "laagste") else "hoogste",
            reference=ref,
            factor=self.number(raw, "factor", rule, line_of("factor")),
            layer=self.string(raw, "laag", rule, line_of("laag")),
            filter=self.filter(raw, "filter", rule, line_of("filter")),
            distance=_default(self.number(raw, "afstand", rule, line_of("afstand")), 0.0),
            present=self.boolean(raw, "aanwezig", True, rule, line_of("aanwezig")),
            minimum=_default(
                self.number(raw, "minimaal", rule, line_of("minimaal"), integer=True), 1
            ),
            origin=origin if origin in ("gebied", "midden") else "gebied",
            year_column=self.string(raw, "jaarkolom", rule, line_of("jaarkolom")),
            window=self.number(raw, "binnen_jaren", rule, line_of("binnen_jaren"), integer=True),
            year_from=self.number(raw, "van", rule, line_of("van"), integer=True),
            year_to=self.number(raw, "tot", rule, line_of("tot"), integer=True),
            other_layer=self.string(raw, "met_laag", rule, line_of("met_laag")),
            other_filter=self.filter(raw, "met_filter", rule, line_of("met_filter")),
            different_owners=self.boolean(
                raw, "verschillende_eigenaren", False, rule, line_of("verschillende_eigenaren")
            ),
            weight=_default(self.number(raw, "gewicht", rule, line_of("gewicht")), 1.0),
            required=self.boolean(raw, "verplicht", False, rule, line_of("verplicht")),
            optional=self.boolean(raw, "mag_ontbreken", False, rule, line_of("mag_ontbreken")),
            description=self.string(raw, "omschrijving", rule, line_of("omschrijving")),
            line=start,
        )
        return cond

    def rule(self, raw: Any, i: int) -> Rule | None:
        start = self.lines.rule(i)

        def line_of(key: str) -> int | None:
            return self.lines.key(start, key)

        if not isinstance(raw, dict):
            self.problem(None, start, "elke regel moet een tabel [[regel]] zijn.")
            return None
        key = raw.get("sleutel")
        name = key if isinstance(key, str) else f"#{i + 1}"
        self.unknown(raw, _RULE_FIELDS, name, line_of, "een regel")
        for req in _RULE_REQUIRED:
            if req not in raw:
                self.problem(name, start, f"de regel mist het veld {req!r}.")
        if isinstance(key, str) and not _KEY_RE.match(key):
            self.problem(
                name,
                line_of("sleutel"),
                "sleutel mag alleen kleine letters, cijfers en _ bevatten en begint met "
                "een letter.",
            )
        level = self.string(raw, "niveau", name, line_of("niveau"))
        if level is not None and level not in LEVELS:
            import difflib

            self.problem(
                name,
                line_of("niveau"),
                f"niveau {level!r} bestaat niet; kies uit {', '.join(LEVELS)}.",
                difflib.get_close_matches(level, list(LEVELS), n=1, cutoff=0.5),
            )
        combine = self.string(raw, "combinatie", name, line_of("combinatie"), "alle")
        if combine not in COMBINATIONS:
            self.problem(
                name,
                line_of("combinatie"),
                f"combinatie {combine!r} bestaat niet; kies uit {', '.join(COMBINATIONS)}.",
            )
        partners = raw.get("partners", [])
        if _strings(partners) is None:
            self.problem(name, line_of("partners"), "partners moet een lijst met teksten zijn.")
            partners = []
        conds_raw = raw.get("conditie", [])
        if not isinstance(conds_raw, list):
            self.problem(name, line_of("conditie"), "gebruik [[regel.conditie]] per conditie.")
            conds_raw = []
        conds = [self.condition(c, name, i, j) for j, c in enumerate(conds_raw)]
        if not conds_raw and "conditie" in raw:
            self.problem(name, start, "een regel heeft minstens één conditie nodig.")
        for text_key in ("titel", "beschrijving", "bron"):
            if text_key in raw and not isinstance(raw[text_key], str):
                self.problem(name, line_of(text_key), f"{text_key} moet tekst zijn.")
        if any(c is None for c in conds) or not isinstance(key, str):
            return None
        k = self.number(raw, "minstens", name, line_of("minstens"), integer=True)
        min_score = self.number(raw, "drempel_score", name, line_of("drempel_score"))
        if combine == "minstens" and k is None:
            self.problem(name, line_of("combinatie"), "combinatie 'minstens' vraagt minstens = k.")
        if combine == "gewogen" and min_score is None:
            self.problem(
                name,
                line_of("combinatie"),
                "combinatie 'gewogen' vraagt drempel_score (tussen 0 en 1).",
            )
        return Rule(
            key=key,
            title=str(raw.get("titel", key)),
            description=str(raw.get("beschrijving", "")),
            level=level if level in LEVELS else "buurt",
            conditions=tuple(c for c in conds if c is not None),
            source=str(raw.get("bron", "")),
            partners=tuple(partners),
            combine=combine if combine in COMBINATIONS else "alle",
            k=k,
            min_score=min_score,
            active=self.boolean(raw, "actief", True, name, line_of("actief")),
            file=self.file,
            line=start,
        )


def parse_rules(text: str, file: str = "<tekst>") -> tuple[RuleSet, list[Problem]]:
    """Read a rules file's text into a :class:`RuleSet`, with the structural problems found.

    Checks TOML syntax, field names (with suggestions), required fields and types. It does
    not check indicators, layers or thresholds against what exists; :mod:`.validate` does.

    Parameters
    ----------
    text : str
        TOML text.
    file : str
        Name used in problem messages.

    Returns
    -------
    (RuleSet, list of Problem)
        Rules with a problem of their own are left out of the RuleSet.

    Examples
    --------
    >>> rs, problems = parse_rules('''
    ... [[regel]]
    ... sleutel = "proef"
    ... titel = "Proef"
    ... beschrijving = "Een proef."
    ... niveau = "buurt"
    ... bron = "handboek"
    ... [[regel.conditie]]
    ... soort = "drempel"
    ... indicator = "aandeel_65_plus"
    ... waarde = 25
    ... ''')
    >>> rs.keys(), problems
    (['proef'], [])
    """
    from .._parse import ParseError, loads_toml

    reader = _Reader(text, file)
    try:
        raw = loads_toml(text, file)
    except ParseError as exc:
        hint = (
            "; controleer aanhalingstekens, = en [[regel]]-koppen."
            if "TOML" in exc.reason
            else "."
        )
        reader.problem(None, exc.line, exc.reason + hint)
        return RuleSet(()), reader.problems
    reader.unknown(raw, _TOP_FIELDS, None, lambda _k: None, "het bestand")
    settings = dict(_SETTINGS)
    user_settings = raw.get("instellingen", {})
    if not isinstance(user_settings, dict):
        reader.problem(None, None, "[instellingen] moet een tabel zijn.")
        user_settings = {}
    for key, value in user_settings.items():
        if key == "nabij_meter":
            reader.problem(
                None,
                None,
                "instelling nabij_meter geldt niet meer per regelbestand: 'wat er al is' "
                "gebruikt overal één afstand (nabij_meter in wijkgeo/kinds.json); haal de "
                "regel weg.",
            )
        elif key not in _SETTINGS:
            reader.problem(None, None, f"onbekende instelling {key!r}; kies uit {list(_SETTINGS)}.")
        elif isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
            reader.problem(None, None, f"instelling {key} moet een getal >= 0 zijn.")
        else:
            settings[key] = value
    replace = raw.get("vervang_standaard", False)
    if not isinstance(replace, bool):
        reader.problem(None, None, "vervang_standaard moet true of false zijn.")
        replace = False
    rules_raw = raw.get("regel", [])
    if not isinstance(rules_raw, list):
        reader.problem(None, None, "gebruik [[regel]] (dubbele haken) per regel.")
        rules_raw = []
    rules: list[Rule] = []
    seen: set[str] = set()
    for i, item in enumerate(rules_raw):
        rule = reader.rule(item, i)
        if rule is None:
            continue
        if rule.key in seen:
            reader.problem(rule.key, rule.line, "deze sleutel staat al eerder in het bestand.")
            continue
        seen.add(rule.key)
        rules.append(rule)
    return RuleSet(tuple(rules), settings, replace), reader.problems


def read_rules_text(path: str | Path) -> str:
    """The text of a rules file, with a Dutch error when it cannot be read."""
    from .._errors import ConfigError
    from .._parse import MAX_TEXT_BYTES, decode_user_text
    from .._paths import UnsafePathError, read_bytes_limited

    p = Path(path)
    try:
        data = read_bytes_limited(p, limit=MAX_TEXT_BYTES)
    except UnsafePathError as exc:
        if exc.category == "missing_file":
            raise ConfigError(
                f"{p}: regelbestand bestaat niet; geef het pad van een koppelkansen.toml op."
            ) from None
        raise ConfigError(f"{p}: regelbestand niet leesbaar: {exc.reason}; {exc.hint}") from None
    return decode_user_text(data, str(p))
