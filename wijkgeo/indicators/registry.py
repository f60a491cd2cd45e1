"""The indicator registry: one documented definition per indicator, read from ``registry.json``.

Everything a wijkregisseur reads about an indicator (label, description, unit, caveats) comes
from this one data file; maps, popups, exports and ``docs/indicatoren.md`` read it here.
This module only loads and validates the registry and formats values; it does not import
pandas, so the CLI can list indicators cheaply.

Registry fields
---------------
key
    Identifier and output column name (``aandeel_65_plus``).
label, description, unit
    Dutch text for maps, popups, exports and docs.
theme
    One of the registry's ``themes`` (``bevolking``, ``wonen``, ``inkomen``, ...).
direction
    ``"hoger_is_beter"``, ``"hoger_is_slechter"`` or ``"neutraal"`` (no judgement). Ranks and
    the composite index use it; a neutral indicator is never ranked "good" or "bad".
kind
    ``"kracht"`` (an asset the buurt has), ``"aandachtspunt"`` (a deficit) or ``"context"``.
formula
    A list of alternatives, tried in order per row: the first alternative that yields a value
    wins (e.g. a share recomputed from counts, else the percentage CBS publishes). Each
    alternative is a small data spec, never Python code:

    ``{"op": "column", "column": c, "scale": s}``
        A published value (times ``scale``, default 1).
    ``{"op": "ratio", "numerator": c | [c, ...], "denominator": c, "scale": s}``
        ``sum(numerator) / denominator * scale``; NaN when the denominator is 0 or missing.
    ``{"op": "points_in_area", "layer": name, "where": {col: [values]}, "per": c, "scale": s}``
        Points of a local layer inside each area (optionally filtered), optionally per
        ``per`` column times ``scale`` (e.g. per 1,000 inwoners).
    ``{"op": "nearest_point_distance", "layer": name, "where": {...}, "scale": s}``
        Straight-line distance (metres times ``scale``) from the area's centroid to the
        nearest point of a local layer.
    ``{"op": "lookup", "layer": name, "key": c, "value": c, "how": "min" | "max" | "first"}``
        A value from a local table joined on a code column (e.g. ``wijkcode``). ``key`` may
        be a list: the first column the frame has is used (``["buurtcode", "wijkcode"]``
        reads buurt rows per buurt and wijk rows per wijk). Optional ``where`` filters the
        table's rows as for ``points_in_area``; ``per`` and ``scale`` divide by a column of
        the frame (e.g. per 1,000 inwoners).
source, year
    Where the number comes from and which period it describes.
caveats
    What a reader must know before acting on it.
min_population, population_column
    Below ``min_population`` in ``population_column`` (default ``aantal_inwoners``) the
    value of a buurt or wijk is not shown (NaN, reason "te weinig inwoners").
classification
    Preferred map classification: ``{"scheme": "quantiles" | "natural_breaks" |
    "equal_interval", "k": int}`` (mapclassify).
decimals
    Decimals shown in maps, popups and exports.
reden_leeg (optional)
    Why a value is empty although its data exist (the signalen: "minder dan 10 registraties
    of geen"); default the general "geen gegevens".
"""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from types import MappingProxyType
from typing import Any

from .. import text
from .._errors import ConfigError

__all__ = [
    "DIRECTIONS",
    "KINDS",
    "OPS",
    "Classification",
    "Indicator",
    "brede_welvaart",
    "format_estimate",
    "format_number",
    "format_value",
    "get_indicator",
    "list_indicators",
    "registry",
    "registry_meta",
    "themes",
]

#: Allowed values of ``direction``.
DIRECTIONS = ("hoger_is_beter", "hoger_is_slechter", "neutraal")
#: Allowed values of ``kind``.
KINDS = ("kracht", "aandachtspunt", "context")
#: Formula operations and their required fields.
OPS = {
    "column": ("column",),
    "ratio": ("numerator", "denominator", "scale"),
    "points_in_area": ("layer",),
    "nearest_point_distance": ("layer",),
    "lookup": ("layer", "key", "value"),
    "estimate": ("layer", "value"),
}
SCHEMES = (
    "quantiles",
    "natural_breaks",
    "equal_interval",
    "fisher_jenks",
    "std_mean",
    "user_defined",
)
_REQUIRED = (
    "key",
    "label",
    "description",
    "unit",
    "theme",
    "direction",
    "kind",
    "formula",
    "source",
    "year",
    "caveats",
    "min_population",
    "classification",
    "decimals",
)
_FILE = "registry.json"
#: Further registry files read after ``registry.json`` (same layout; their themes and
#: indicators are added): the RIVM health estimates.
_MORE_FILES = ("gezondheid.json",)
#: The brede welvaart view (CBS themes) over every indicator.
_BW_FILE = "brede_welvaart.json"


@dataclass(frozen=True)
class Classification:
    """Preferred map classification of an indicator (a mapclassify scheme and class count)."""

    scheme: str
    k: int


def _fill(template: str, year: int | None) -> str:
    """Fill ``{jaar}``, ``{jaar-1}``, ``{jaar-2}`` and ``{tabel}`` for one year."""
    if year is None:
        words = {"jaar": "jaar", "jaar-1": "jaar - 1", "jaar-2": "jaar - 2", "tabel": "tabel"}
        return re.sub(r"\{(jaar(?:-[12])?|tabel)\}", lambda m: f"<{words[m.group(1)]}>", template)
    from ..sources.catalog import kwb_table

    try:
        table = kwb_table(int(year))
    except ConfigError:  # a year the catalog does not know: name no table
        table = "tabel onbekend"
    values = {"jaar": year, "jaar-1": year - 1, "jaar-2": year - 2, "tabel": table}
    return re.sub(r"\{(jaar(?:-[12])?|tabel)\}", lambda m: str(values[m.group(1)]), template)


@dataclass(frozen=True)
class Indicator:
    """One documented indicator, as defined in ``registry.json``.

    Examples
    --------
    >>> from wijkgeo.indicators import get_indicator
    >>> ind = get_indicator("aandeel_65_plus")
    >>> ind.label, ind.unit, ind.direction
    ('Inwoners van 65 jaar en ouder', '%', 'neutraal')
    """

    key: str
    label: str
    description: str
    unit: str
    theme: str
    theme_label: str
    direction: str
    kind: str
    formula: tuple[Mapping[str, Any], ...]
    source: str
    year: str
    caveats: str
    min_population: int
    population_column: str
    classification: Classification
    decimals: int
    #: Why a value is empty when the inputs exist (``reden_leeg``; default "geen gegevens").
    missing_reason: str | None = None
    #: A model estimate (RIVM): shown with the word "schatting" and its bounds where published.
    estimate: bool = False
    #: Columns of the lower and upper 95 % bound in the formula's layer (``lower``/``upper``).
    bounds: Mapping[str, str] | None = None
    #: Key of the CBS brede welvaart theme (see :func:`brede_welvaart`).
    brede_welvaart: str = ""
    #: The caveats as written in the registry, with ``{gebied}`` where the area is named
    #: (see :meth:`caveats_for`); :attr:`caveats` has "het gebied" there.
    caveat_template: str = ""

    def caveats_for(self, level: str | None = None) -> str:
        """The caveats naming the area by its level ("de buurt", "de wijk"; the registry's
        ``gebied``), so a wijk page never says "inwoners van de buurt".

        Examples
        --------
        >>> from wijkgeo.indicators import get_indicator
        >>> ind = get_indicator("afstand_huisarts")
        >>> "inwoners van de wijk tot" in ind.caveats_for("wijk")
        True
        >>> "inwoners van het gebied tot" in ind.caveats
        True
        """
        return _area(self.caveat_template or self.caveats, level)

    def __hash__(self) -> int:
        return hash(self.key)

    def source_in(self, year: int | None) -> str:
        """The source for the statistics year shown (``{jaar}``, ``{tabel}`` filled from
        ``wijkgeo/sources/catalog.json``); ``None``: the template in words.

        Examples
        --------
        >>> from wijkgeo.indicators import get_indicator
        >>> get_indicator("aandeel_65_plus").source_in(2023)
        'CBS Kerncijfers wijken en buurten 2023 (OData 85618NED) / PDOK Wijk- en Buurtkaart 2023'
        """
        return _fill(self.source, year)

    def year_in(self, year: int | None) -> str:
        """The period of the figures for the statistics year shown (see :meth:`source_in`).

        Examples
        --------
        >>> from wijkgeo.indicators import get_indicator
        >>> get_indicator("aandeel_huishoudens_laag_inkomen").year_in(2023)
        'inkomensjaar 2021 (in KWB 2023)'
        """
        return _fill(self.year, year)

    @property
    def sign(self) -> int:
        """``+1`` when higher is better, ``-1`` when higher is worse, ``0`` when neutral."""
        return {"hoger_is_beter": 1, "hoger_is_slechter": -1}.get(self.direction, 0)

    @property
    def columns(self) -> tuple[str, ...]:
        """All frame columns any alternative of the formula reads (for documentation)."""
        cols: list[str] = []
        for alt in self.formula:
            for field in ("column", "denominator", "per"):
                if alt.get(field):
                    cols.append(alt[field])
            num = alt.get("numerator")
            if num:
                cols.extend([num] if isinstance(num, str) else num)
        return tuple(dict.fromkeys(cols))

    @property
    def layers(self) -> tuple[str, ...]:
        """Local layers (``atlas.local``) the formula reads."""
        return tuple(dict.fromkeys(a["layer"] for a in self.formula if "layer" in a))

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (the registry entry, with the theme label added)."""
        return {
            "key": self.key,
            "label": self.label,
            "description": self.description,
            "unit": self.unit,
            "theme": self.theme,
            "theme_label": self.theme_label,
            "direction": self.direction,
            "kind": self.kind,
            "formula": [dict(a) for a in self.formula],
            "source": self.source,
            "year": self.year,
            "caveats": self.caveats,
            "min_population": self.min_population,
            "population_column": self.population_column,
            "classification": {"scheme": self.classification.scheme, "k": self.classification.k},
            "decimals": self.decimals,
            "estimate": self.estimate,
            "bounds": dict(self.bounds) if self.bounds else None,
            "brede_welvaart": self.brede_welvaart,
        }


def _fail(msg: str) -> ConfigError:
    return ConfigError(f"wijkgeo/indicators/{_FILE}: {msg} Herstel het registerbestand.")


def _parse(
    entry: dict[str, Any],
    pos: int,
    theme_names: Mapping[str, str],
    bw: Mapping[str, Any] | None = None,
) -> Indicator:
    if bw is None:
        bw = _read(_BW_FILE)
    missing = [f for f in _REQUIRED if f not in entry]
    key = entry.get("key", f"#{pos}")
    if missing:
        raise _fail(f"indicator {key!r} mist de velden {missing}.")
    if entry["direction"] not in DIRECTIONS:
        raise _fail(
            f"indicator {key!r} heeft direction {entry['direction']!r}; kies uit {DIRECTIONS}."
        )
    if entry["kind"] not in KINDS:
        raise _fail(f"indicator {key!r} heeft kind {entry['kind']!r}; kies uit {KINDS}.")
    if entry["theme"] not in theme_names:
        raise _fail(f"indicator {key!r} heeft onbekend thema {entry['theme']!r}.")
    formula = entry["formula"]
    if not isinstance(formula, list) or not formula:
        raise _fail(f"indicator {key!r}: formula moet een niet-lege lijst zijn.")
    for alt in formula:
        op = alt.get("op")
        if op not in OPS:
            raise _fail(
                f"indicator {key!r}: onbekende formule-operatie {op!r}; kies uit {sorted(OPS)}."
            )
        lacking = [f for f in OPS[op] if f not in alt]
        if lacking:
            raise _fail(f"indicator {key!r}: operatie {op!r} mist {lacking}.")
    cls = entry["classification"]
    if cls.get("scheme") not in SCHEMES or int(cls.get("k", 0)) < 2:
        raise _fail(f"indicator {key!r}: classification {cls!r} is ongeldig.")
    welvaart = (
        entry.get("brede_welvaart")
        or bw["by_indicator"].get(key)
        or bw["by_theme"].get(entry["theme"], "")
    )
    if welvaart not in bw["themes"]:
        raise _fail(
            f"indicator {key!r}: geen brede-welvaartthema ({welvaart!r}); vul "
            f"{_BW_FILE} aan (by_theme of by_indicator)."
        )
    bounds = entry.get("bounds")
    if bounds is not None and not {"lower", "upper"} <= set(bounds):
        raise _fail(f"indicator {key!r}: bounds moet lower en upper noemen.")
    return Indicator(
        key=key,
        label=entry["label"],
        description=entry["description"],
        unit=entry["unit"],
        theme=entry["theme"],
        theme_label=theme_names[entry["theme"]],
        direction=entry["direction"],
        kind=entry["kind"],
        formula=tuple(MappingProxyType(dict(a)) for a in formula),
        source=entry["source"],
        year=str(entry["year"]),
        caveats=_area(entry["caveats"], None),
        caveat_template=entry["caveats"],
        min_population=int(entry["min_population"]),
        population_column=entry.get("population_column", "aantal_inwoners"),
        classification=Classification(cls["scheme"], int(cls["k"])),
        decimals=int(entry["decimals"]),
        missing_reason=entry.get("reden_leeg"),
        estimate=bool(entry.get("estimate", False)),
        bounds=MappingProxyType(dict(bounds)) if bounds else None,
        brede_welvaart=welvaart,
    )


def _read(name: str) -> dict[str, Any]:
    text = resources.files(__package__).joinpath(name).read_text(encoding="utf-8")
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise ConfigError(
            f"wijkgeo/indicators/{name}: geen geldige JSON (regel {exc.lineno}: {exc.msg}). "
            "Herstel het registerbestand."
        ) from None


def _area(caveat: str, level: str | None) -> str:
    """``caveat`` with ``{gebied}`` filled for ``level`` from the registry's ``gebied``."""
    if "{gebied}" not in caveat:
        return caveat
    if not _AREA_WORDS:
        words = _read(_FILE).get("gebied", {})
        _AREA_WORDS.update({k: v for k, v in words.items() if not k.startswith("_")})
    return caveat.replace("{gebied}", _AREA_WORDS.get(level or "", _AREA_WORDS.get("", "")))


#: The registry's ``gebied`` words, read once.
_AREA_WORDS: dict[str, str] = {}


@lru_cache(maxsize=1)
def _load() -> tuple[dict[str, Any], dict[str, Indicator]]:
    raw = _read(_FILE)
    extra = [_read(name) for name in _MORE_FILES]
    bw = _read(_BW_FILE)
    theme_names = dict(raw.get("themes", {}))
    not_available = dict(raw.get("not_available", {}))
    entries = list(raw.get("indicators", []))
    for more in extra:
        theme_names.update(more.get("themes", {}))
        not_available.update(more.get("not_available", {}))
        entries.extend(more.get("indicators", []))
    out: dict[str, Indicator] = {}
    for pos, entry in enumerate(entries):
        ind = _parse(entry, pos, theme_names, bw)
        if ind.key in out:
            raise _fail(f"indicator {ind.key!r} staat er twee keer in.")
        out[ind.key] = ind
    meta = {k: v for k, v in raw.items() if k != "indicators"}
    meta["themes"] = theme_names
    meta["not_available"] = not_available
    meta["brede_welvaart"] = {k: v for k, v in bw.items() if not k.startswith("_")}
    return meta, out


def registry() -> dict[str, Indicator]:
    """All indicators by key, in registry order.

    Returns
    -------
    dict[str, Indicator]

    Examples
    --------
    >>> from wijkgeo.indicators import registry
    >>> len(registry()) >= 30
    True
    """
    return dict(_load()[1])


def list_indicators(theme: str | None = None) -> list[Indicator]:
    """All indicators in registry order, optionally of one theme.

    Parameters
    ----------
    theme : str, optional
        A theme key such as ``"wonen"``.

    Examples
    --------
    >>> from wijkgeo.indicators import list_indicators
    >>> [i.key for i in list_indicators("energie")][:2]
    ['aardgasverbruik', 'elektriciteitsverbruik']
    """
    items = list(_load()[1].values())
    if theme is not None:
        if theme not in themes():
            raise ConfigError(f"Onbekend thema {theme!r}; kies uit {sorted(themes())}.")
        items = [i for i in items if i.theme == theme]
    return items


def get_indicator(key: str) -> Indicator:
    """The indicator with this key.

    Raises
    ------
    ConfigError
        When no indicator has this key (the message suggests close keys).

    Examples
    --------
    >>> from wijkgeo.indicators import get_indicator
    >>> get_indicator("gemiddelde_woz_waarde").unit
    'x 1.000 euro'
    """
    items = _load()[1]
    try:
        return items[key]
    except KeyError:
        close = difflib.get_close_matches(str(key), list(items), n=3)
        hint = f" Bedoelde u {', '.join(close)}?" if close else " Zie `wijkgeo indicators`."
        raise ConfigError(f"Onbekende indicator {key!r}.{hint}") from None


def themes() -> dict[str, str]:
    """Theme keys and their Dutch labels."""
    return dict(_load()[0]["themes"])


def brede_welvaart() -> dict[str, dict[str, Any]]:
    """The CBS brede welvaart themes as a view on the registry, in CBS's order.

    Returns
    -------
    dict
        Per theme key: ``label``, ``indicators`` (keys, registry order) and ``not_at_buurt``
        (what the theme lacks below gemeente level, Dutch).

    Examples
    --------
    >>> from wijkgeo.indicators.registry import brede_welvaart
    >>> view = brede_welvaart()
    >>> list(view)[:3]
    ['welzijn', 'materiele_welvaart', 'gezondheid']
    >>> "eenzaam_65plus" in view["welzijn"]["indicators"]
    True
    """
    bw = _load()[0]["brede_welvaart"]
    out = {
        key: {"label": label, "indicators": [], "not_at_buurt": bw["not_at_buurt"].get(key, "")}
        for key, label in bw["themes"].items()
    }
    for ind in _load()[1].values():
        out[ind.brede_welvaart]["indicators"].append(ind.key)
    return out


def registry_meta() -> dict[str, Any]:
    """Registry-level data: themes, what is not available, and (from :mod:`wijkgeo.text`)
    the direction and kind phrases and the reasons a value is missing.

    Examples
    --------
    >>> registry_meta()["directions"]["hoger_is_beter"]
    'hoger is gunstiger'
    """
    meta = json.loads(json.dumps(_load()[0]))
    shared = text.words()
    meta.update({k: shared[k] for k in ("directions", "kinds", "reasons")})
    return meta


def format_number(value: float, decimals: int = 0) -> str:
    """Format a number the Dutch way: thousands separator ``.``, decimal comma.

    Examples
    --------
    >>> format_number(1234567.891, 2)
    '1.234.567,89'
    >>> format_number(-0.04, 1)
    '0,0'
    """
    text = f"{float(value):,.{int(decimals)}f}"
    text = text.replace(",", "_").replace(".", ",").replace("_", ".")
    if text.startswith("-") and not any(ch in "123456789" for ch in text):
        text = text[1:]  # no "-0,0"
    return text


def format_value(key: str, value: object) -> str:
    """Format a value of an indicator with its unit, in Dutch, for tooltips and popups.

    Missing values (None, NaN) read ``"geen gegevens"``.

    Parameters
    ----------
    key : str
        Indicator key.
    value : float or None
        The value.

    Examples
    --------
    >>> format_value("aandeel_65_plus", 23.456)
    '23%'
    >>> format_value("gemiddelde_woz_waarde", 1387)
    '€ 1.387.000'
    >>> format_value("afstand_huisarts", float("nan"))
    'geen gegevens'
    """
    ind = get_indicator(key)
    if text.is_missing(value):
        return text.MISSING
    # one formatter for every page: amounts as amounts, units as words (wijkgeo.text)
    return text.quantity(float(value), ind.unit, ind.decimals)  # type: ignore[arg-type]


def format_estimate(
    key: str,
    value: object,
    lower: object = None,
    upper: object = None,
    year: object = None,
) -> str:
    """A model estimate in Dutch: the value, the word "schatting", its year and its bounds.

    Never a bare number: whoever reads one buurt's figure reads that it is an estimate, and
    how wide its 95 % margin is where the RIVM publishes one.

    Parameters
    ----------
    key : str
        Indicator key (an estimate: ``Indicator.estimate``).
    value, lower, upper : float or None
        The estimate and its 95 % bounds (None or NaN: not published).
    year : int, optional
        The year of the estimate.

    Examples
    --------
    >>> format_estimate("eenzaam_65plus", 16.2, 14.0, 19.0, 2022)
    '16,2% (schatting 2022, tussen 14,0% en 19,0%)'
    >>> format_estimate("eenzaam_65plus", 56.4, year=2020)
    '56,4% (schatting 2020, marge niet gepubliceerd)'
    >>> format_estimate("eenzaam_65plus", None)
    'geen gegevens'
    """
    if text.is_missing(value):
        return text.MISSING
    shown = format_value(key, value)
    when = f"schatting {int(year)}" if not text.is_missing(year) else "schatting"  # type: ignore[arg-type]
    if text.is_missing(lower) or text.is_missing(upper):
        return f"{shown} ({when}, marge niet gepubliceerd)"
    return f"{shown} ({when}, tussen {format_value(key, lower)} en {format_value(key, upper)})"
