"""Buurten zoals deze: each buurt next to the structurally most similar buurten of the country.

"Is 18 % low income much?" depends on what you compare with. The gemeente mixes villas and
flats, Nederland mixes villages and cities. This module finds, for every buurt, the buurten
of the whole country that are most like it on a documented, editable profile of structural
features (stedelijkheid, omvang, leeftijd, huishoudens, eigendom, bouwjaar; never
migratieachtergrond, never the outcomes being compared), and says where the buurt stands
among them on each outcome (rank, the peers' median, which peers do clearly better).

The profile is data: ``kenmerken.json`` beside this module (read its ``_doc``), or a user's
own file (:func:`load_profile`). The national reference is one table per year with every
buurt of the country (:meth:`wijkgeo.store.Store.read_reference`).

How
---
Features are computed with the registry (:func:`wijkgeo.indicators.compute`) on the
reference's buurten; a feature with ``schaal: log`` is first ``log10(1 + x)``; every feature is
turned into z-scores over the buurten that take part (at least ``min_inwoners`` inhabitants
and a value for every feature that year) and multiplied by the square root of its weight, so
the Euclidean distance between two rows is the weighted profile distance. The k nearest
rows come from a k-d tree (:class:`scipy.spatial.cKDTree`), exact, not approximate:
``benchmarks/similar.py`` measures it against a brute-force search.

Examples
--------
>>> import pandas as pd
>>> from wijkgeo.indicators.similar import nearest_neighbours
>>> idx, dist = nearest_neighbours([[0.0], [1.0], [5.0]], 1)
>>> idx[:, 0].tolist()
[1, 0, 1]
"""

from __future__ import annotations

import difflib
import json
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .._errors import ConfigError, DataValidationError, StoreError
from .compute import compute
from .registry import get_indicator, registry

__all__ = [
    "BuurtComparison",
    "Feature",
    "PeerResult",
    "Profile",
    "compare_buurt",
    "compare_gemeente",
    "find_peers",
    "gemeente_output",
    "level_of",
    "load_profile",
    "nearest_elsewhere",
    "nearest_neighbours",
    "peer_table",
    "profile_table",
    "profile_text",
    "reference_buurten",
    "reference_source",
    "similar_buurten",
    "standing",
]

log = logging.getLogger(__name__)

PROFILE_FILE = "kenmerken.json"
_SCALES = ("z", "log")
#: A feature is left out for a year when fewer than this share of the buurten that take
#: part have a value (an edition that leaves tenure or bouwjaar empty).
MIN_COVERAGE = 0.5


# ---------------------------------------------------------------------------- profile
@dataclass(frozen=True)
class Feature:
    """One structural feature of the profile: a registry key, its scaling and weight."""

    key: str
    group: str
    scale: str
    weight: float

    def to_dict(self) -> dict[str, Any]:
        """The feature as it appears in ``kenmerken.json``."""
        return {
            "sleutel": self.key,
            "groep": self.group,
            "schaal": self.scale,
            "gewicht": self.weight,
        }


@dataclass(frozen=True)
class Profile:
    """A similarity profile (see ``kenmerken.json``).

    Examples
    --------
    >>> p = load_profile()
    >>> p.min_population, "aandeel_65_plus" in p.keys
    (200, True)
    """

    name: str
    version: int
    min_population: int
    k: int
    features: tuple[Feature, ...]
    outcomes: tuple[str, ...]
    clearly_better: float
    source: str
    elsewhere: bool = False
    doc: str = ""
    refused: tuple[str, ...] = field(default=(), repr=False)

    @property
    def keys(self) -> list[str]:
        """The feature keys, in profile order."""
        return [f.key for f in self.features]

    def to_dict(self) -> dict[str, Any]:
        """The active profile as JSON-ready data (``vergelijk --kenmerken --format json``)."""
        return {
            "naam": self.name,
            "versie": self.version,
            "bestand": self.source,
            "min_inwoners": self.min_population,
            "aantal": self.k,
            "kenmerken": [f.to_dict() for f in self.features],
            "uitkomsten": list(self.outcomes),
            "duidelijk_beter": self.clearly_better,
            "alleen_andere_gemeenten": self.elsewhere,
            "uitleg": self.doc,
        }


def _fail(source: str, msg: str) -> ConfigError:
    return ConfigError(f"Vergelijkingsprofiel {source}: {msg}")


def _closest_keys(key: str) -> str:
    close = difflib.get_close_matches(str(key), list(registry()), n=3, cutoff=0.5)
    if close:
        return f" Bedoelde u {', '.join(close)}?"
    return " Zie `wijkgeo indicators` voor de sleutels."


def _refused_word(key: str, words: Sequence[str]) -> str | None:
    cols = [key]
    if key in registry():
        cols.extend(get_indicator(key).columns)
    for col in cols:
        low = str(col).lower()
        for word in words:
            if word in low:
                return word
    return None


def _default_data() -> dict[str, Any]:
    text = resources.files(__package__).joinpath(PROFILE_FILE).read_text("utf-8")
    return json.loads(text)


def load_profile(path: str | Path | None = None) -> Profile:
    """The similarity profile: the default ``kenmerken.json`` or a user's own file.

    Parameters
    ----------
    path : str or Path, optional
        A JSON file in the layout of ``wijkgeo/indicators/kenmerken.json``; keys it leaves
        out come from the default.

    Raises
    ------
    ConfigError
        An unreadable file, an unknown feature key (the closest keys are named), a feature
        about migration background (always refused), a feature that is an outcome (an
        indicator with a direction), a bad scale or weight. The message names the file.

    Examples
    --------
    >>> load_profile().features[0].key
    'stedelijkheid'
    """
    default = _default_data()
    refused = tuple(default.get("weigeren") or ())
    source = "wijkgeo/indicators/kenmerken.json (standaard)"
    data = dict(default)
    if path is not None:
        src = Path(path)
        source = str(src)
        from .._parse import MAX_TEXT_BYTES, loads_json
        from .._paths import read_bytes_limited

        if not (src.exists() or src.is_symlink()):
            raise _fail(source, "bestand niet gevonden.")
        # a regular file of limited size (never a FIFO that blocks), JSON of limited depth,
        # finite numbers and a checked encoding: errors name the file, never its contents
        own = loads_json(read_bytes_limited(src, limit=MAX_TEXT_BYTES), source)
        if not isinstance(own, dict):
            raise _fail(source, "verwacht een JSON-object met onder meer 'kenmerken'.")
        own.pop("weigeren", None)  # the refused words always come from wijkgeo itself
        data.update(own)
    feats_raw = data.get("kenmerken")
    if not isinstance(feats_raw, list) or not feats_raw:
        raise _fail(source, "'kenmerken' moet een niet-lege lijst zijn.")
    known = registry()
    features: list[Feature] = []
    for i, item in enumerate(feats_raw, start=1):
        if isinstance(item, str):
            item = {"sleutel": item}
        if not isinstance(item, dict) or "sleutel" not in item:
            raise _fail(source, f"kenmerk {i} heeft geen 'sleutel'.")
        key = str(item["sleutel"])
        word = _refused_word(key, refused)
        if word:
            raise _fail(
                source,
                f"kenmerk {i} ({key!r}) gaat over migratieachtergrond ('{word}'); dat is nooit "
                "een kenmerk om buurten te vergelijken. Haal het uit het profiel.",
            )
        if key not in known:
            raise _fail(source, f"kenmerk {i}: onbekende sleutel {key!r}.{_closest_keys(key)}")
        ind = known[key]
        if ind.direction != "neutraal":
            raise _fail(
                source,
                f"kenmerk {i} ({key!r}) is een uitkomst ({ind.direction.replace('_', ' ')}), "
                "geen structuurkenmerk; uitkomsten worden vergeleken, niet gebruikt om "
                "vergelijkbare buurten te zoeken.",
            )
        scale = str(item.get("schaal", "z"))
        if scale not in _SCALES:
            raise _fail(source, f"kenmerk {i} ({key!r}): schaal {scale!r}; kies 'z' of 'log'.")
        try:
            weight = float(item.get("gewicht", 1.0))
        except (TypeError, ValueError):
            weight = float("nan")
        if not weight > 0:
            raise _fail(source, f"kenmerk {i} ({key!r}): gewicht moet een getal > 0 zijn.")
        if key in [f.key for f in features]:
            raise _fail(source, f"kenmerk {key!r} staat twee keer in het profiel.")
        features.append(Feature(key, str(item.get("groep") or ind.theme), scale, weight))
    feature_keys = {f.key for f in features}
    outcomes_raw = data.get("uitkomsten", "alle")
    if outcomes_raw == "alle":
        outcomes = tuple(k for k, ind in known.items() if ind.sign and k not in feature_keys)
    elif isinstance(outcomes_raw, list):
        outcomes_list = []
        for key in map(str, outcomes_raw):
            if key not in known:
                raise _fail(source, f"uitkomst: onbekende sleutel {key!r}.{_closest_keys(key)}")
            if key in feature_keys:
                raise _fail(source, f"{key!r} is kenmerk én uitkomst; kies één van beide.")
            outcomes_list.append(key)
        outcomes = tuple(outcomes_list)
    else:
        raise _fail(source, "'uitkomsten' moet \"alle\" of een lijst sleutels zijn.")
    try:
        min_pop = int(data.get("min_inwoners", 0))
        k = int(data.get("aantal", 10))
        clearly = float(data.get("duidelijk_beter", 0.5))
    except (TypeError, ValueError) as exc:
        raise _fail(
            source, f"min_inwoners, aantal en duidelijk_beter moeten getallen zijn ({exc})."
        ) from None
    if k < 1 or min_pop < 0 or clearly < 0:
        raise _fail(source, "aantal moet >= 1 zijn, min_inwoners en duidelijk_beter >= 0.")
    return Profile(
        name=str(data.get("naam") or Path(source).stem),
        version=int(data.get("versie", 1)),
        min_population=min_pop,
        k=k,
        features=tuple(features),
        outcomes=outcomes,
        clearly_better=clearly,
        elsewhere=bool(data.get("alleen_andere_gemeenten", False)),
        source=source,
        doc=str(default.get("_doc", "")),
        refused=refused,
    )


def profile_table(profile: Profile) -> pd.DataFrame:
    """The profile's features with their Dutch labels (for printing).

    Examples
    --------
    >>> profile_table(load_profile()).columns.tolist()
    ['sleutel', 'naam', 'groep', 'schaal', 'gewicht']
    """
    rows = [
        {
            "sleutel": f.key,
            "naam": get_indicator(f.key).label,
            "groep": f.group,
            "schaal": f.scale,
            "gewicht": f.weight,
        }
        for f in profile.features
    ]
    return pd.DataFrame(rows, columns=["sleutel", "naam", "groep", "schaal", "gewicht"])


def profile_text(profile: Profile) -> str:
    """The active profile in Dutch plain text (``wijkgeo vergelijk --kenmerken``).

    Examples
    --------
    >>> "Migratieachtergrond is nooit een kenmerk." in profile_text(load_profile())
    True
    """
    lines = [
        f"Vergelijkingsprofiel '{profile.name}' ({profile.source})",
        f"Buurten met minder dan {profile.min_population} inwoners doen niet mee; "
        f"standaard {profile.k} vergelijkbare buurten"
        + ("; alleen in andere gemeenten." if profile.elsewhere else "."),
        profile_table(profile).to_string(index=False),
        "",
        f"Uitkomsten die vergeleken worden: {', '.join(profile.outcomes)}",
        "Migratieachtergrond is nooit een kenmerk.",
    ]
    return "\n".join(lines)


# ---------------------------------------------------------------------------- neighbours
def nearest_neighbours(
    points: Any, k: int, *, exclude_self: bool = True
) -> tuple[np.ndarray, np.ndarray]:
    """Indices and Euclidean distances of the ``k`` nearest rows of every row (exact).

    A :class:`scipy.spatial.cKDTree` query. With ``exclude_self`` a row is never its own
    neighbour (also when another row has the very same values). Rows with NaN are not
    allowed. Result rows are sorted by distance; ``-1``/NaN fill when there are fewer rows.

    Examples
    --------
    >>> idx, dist = nearest_neighbours([[0.0, 0.0], [3.0, 4.0], [0.0, 1.0]], 2)
    >>> idx.tolist(), dist[0].tolist()
    ([[2, 1], [2, 0], [0, 1]], [1.0, 5.0])
    """
    return _nearest(points, k, None, exclude_self=exclude_self)


def nearest_elsewhere(points: Any, groups: Sequence[str], k: int) -> tuple[np.ndarray, np.ndarray]:
    """The ``k`` nearest rows of every row that lie in another group (another gemeente).

    Exact: asks the k-d tree for more neighbours (3k, then four times as many for the rows
    that still lack k) until k of another group are found or every row was asked.

    Examples
    --------
    >>> idx, _ = nearest_elsewhere([[0.0], [0.1], [1.0], [2.0]], ["A", "A", "B", "C"], 1)
    >>> idx[:, 0].tolist()
    [2, 2, 1, 2]
    """
    return _nearest(points, k, groups)


def _nearest(
    points: Any, k: int, groups: Sequence[str] | None, *, exclude_self: bool = True
) -> tuple[np.ndarray, np.ndarray]:
    """The one k-d tree search behind :func:`nearest_neighbours` (every row is its own group:
    only the row itself is left out) and :func:`nearest_elsewhere` (the row's whole group).

    Rows that lack ``k`` neighbours of another group after a query are asked again with four
    times as many, until k are found or every row was asked; so the result is exact.
    """
    from scipy.spatial import cKDTree

    x = np.asarray(points, dtype="float64")
    if x.ndim == 1:
        x = x[:, None]
    n = len(x)
    idx = np.full((n, k), -1, dtype=np.int64)
    dist = np.full((n, k), np.nan)
    if n == 0 or (n < 2 and exclude_self):
        return idx, dist
    if np.isnan(x).any():
        raise DataValidationError("nearest_neighbours: rijen met ontbrekende waarden.")
    tree = cKDTree(x)
    if groups is None and not exclude_self:
        ask = min(k, n)
        d, i = tree.query(x, k=ask)
        idx[:, :ask] = np.asarray(i).reshape(n, ask)
        dist[:, :ask] = np.asarray(d).reshape(n, ask)
        return idx, dist
    g = np.arange(n) if groups is None else np.asarray(groups).astype(str)
    todo = np.arange(n)
    ask = min(k + 1 if groups is None else 3 * k + 1, n)
    while len(todo):
        d, i = tree.query(x[todo], k=ask)
        d = np.asarray(d).reshape(len(todo), ask)
        i = np.asarray(i).reshape(len(todo), ask)
        other = g[i] != g[todo][:, None]
        enough = (other.sum(axis=1) >= k) | (ask >= n)
        rows = np.flatnonzero(enough)
        # per row the first k neighbours of another group, in distance order (vectorised)
        order = np.argsort(~other[rows], axis=1, kind="stable")[:, :k]
        hit = np.take_along_axis(other[rows], order, axis=1)
        width = order.shape[1]
        found_i = np.take_along_axis(i[rows], order, axis=1)
        found_d = np.take_along_axis(d[rows], order, axis=1)
        idx[todo[rows], :width] = np.where(hit, found_i, -1)
        dist[todo[rows], :width] = np.where(hit, found_d, np.nan)
        todo = todo[~enough]
        ask = min(ask * 4, n)
    return idx, dist


# ---------------------------------------------------------------------------- reference
#: The levels a reference compares: code prefix -> level (the index is ``<level>code``).
LEVELS = {"BU": "buurt", "WK": "wijk"}


def level_of(code: str) -> str:
    """``"buurt"`` for a buurtcode, ``"wijk"`` for a wijkcode (by the prefix).

    Examples
    --------
    >>> level_of("BU05991571"), level_of("WK059915")
    ('buurt', 'wijk')
    """
    return LEVELS.get(str(code)[:2].upper(), "buurt")


def _level_of_values(values: pd.DataFrame) -> str:
    """The level of :func:`reference_buurten` output (by its index: buurtcode or wijkcode)."""
    return "wijk" if values.index.name == "wijkcode" else "buurt"


def _words(level: str) -> tuple[str, str]:
    """Dutch singular and plural of a level (``wijkgeo/text.json``, ``levels``)."""
    from .. import text

    return text.level(level), text.level(level, plural=True)


def reference_buurten(
    reference: pd.DataFrame, profile: Profile | None = None, level: str = "buurt"
) -> pd.DataFrame:
    """The buurten (or wijken) of a national reference with the profile's features and
    outcomes computed.

    Parameters
    ----------
    reference : DataFrame
        Rows with ``code``, ``level`` and Kerncijfers columns (every level; only ``level`` is
        kept), as :meth:`wijkgeo.store.Store.read_reference` returns. A frame indexed by
        ``<level>code`` with the indicator columns already present is returned as is.
    profile : Profile, optional
        Default :func:`load_profile`.
    level : {"buurt", "wijk"}
        Which areas: wijken are compared with wijken, never with buurten.

    Returns
    -------
    DataFrame
        Indexed by ``buurtcode`` (or ``wijkcode``): ``naam``, ``gemeentecode``,
        ``gemeentenaam``, ``inwoners`` and one column per feature and outcome key.
    """
    profile = profile or load_profile()
    if level not in LEVELS.values():
        raise DataValidationError(f"Onbekend niveau {level!r}; kies buurt of wijk.")
    keys = list(dict.fromkeys(["inwoners", *profile.keys, *profile.outcomes]))
    if "level" in reference.columns:
        buurten = reference[reference["level"].astype(str) == level]
    else:
        buurten = reference
    if "code" in buurten.columns:
        codes = buurten["code"].astype(str).str.strip()
    elif f"{level}code" in buurten.columns:
        codes = buurten[f"{level}code"].astype(str).str.strip()
    else:
        raise DataValidationError(f"De referentie heeft geen kolom code of {level}code.")
    have = [k for k in keys if k in buurten.columns]
    todo = [k for k in keys if k not in buurten.columns]
    parts = [buurten[have].astype("float64")] if have else []
    if todo:
        parts.append(compute(buurten, todo, level=level))
    values = pd.concat(parts, axis=1)[keys] if parts else pd.DataFrame(index=buurten.index)
    gm = (
        buurten["gemeentecode"].astype(str)
        if "gemeentecode" in buurten.columns
        else "GM" + codes.str[2:6]
    )
    info = pd.DataFrame(
        {
            "naam": buurten["naam"] if "naam" in buurten.columns else None,
            "gemeentecode": gm,
            "gemeentenaam": (
                buurten["gemeentenaam"] if "gemeentenaam" in buurten.columns else None
            ),
        },
        index=buurten.index,
    )
    out = pd.concat([info, values], axis=1)
    out.index = pd.Index(codes.to_numpy(), name=f"{level}code")
    out = out[~out.index.duplicated()]
    out.attrs.update(reference.attrs)
    return out


@dataclass
class PeerResult:
    """The peers of every buurt that takes part, and how the comparison was made.

    Attributes
    ----------
    values : DataFrame
        :func:`reference_buurten` output (all buurten of the reference).
    codes : ndarray
        Codes of the buurten that take part (subjects and candidate peers).
    peers : ndarray
        ``(len(codes), k)`` positions into ``codes`` of each buurt's peers, nearest first.
    distances : ndarray
        The matching profile distances.
    used, dropped : list, dict
        Features used; features left out with the Dutch reason.
    excluded : dict
        Code -> Dutch reason for buurten that do not take part.
    """

    values: pd.DataFrame
    codes: np.ndarray
    peers: np.ndarray
    distances: np.ndarray
    used: list[str]
    dropped: dict[str, str]
    excluded: dict[str, str]
    profile: Profile
    spread: pd.Series
    level: str = "buurt"

    def position(self, code: str) -> int | None:
        """Position of ``code`` in :attr:`codes`, or None when it does not take part."""
        hits = np.flatnonzero(self.codes == code)
        return int(hits[0]) if len(hits) else None

    def explain(self, year: int | str | None = None) -> str:
        """One Dutch paragraph: what is compared on, what was left out, how many buurten.

        Examples
        --------
        >>> res = find_peers(pd.DataFrame({"inwoners": [500.0, 800.0, 900.0]},
        ...     index=["BU1", "BU2", "BU3"]), load_profile(), k=1)    # doctest: +SKIP
        """
        labels = {}
        for f in self.profile.features:
            labels.setdefault(f.group, []).append(get_indicator(f.key).label.lower())
        used_groups = []
        for f in self.profile.features:
            if f.key in self.used and f.group not in used_groups:
                used_groups.append(f.group)
        n = f"{len(self.codes):,}".replace(",", ".")
        text = (
            f"Vergeleken op {', '.join(used_groups)} (profiel '{self.profile.name}'); "
            f"{n} {_words(self.level)[1]} met minstens {self.profile.min_population} inwoners "
            "doen mee"
        )
        gm = self.values.loc[self.codes, "gemeentecode"].nunique() if len(self.codes) else 0
        text += f", in {gm} gemeenten."
        if self.profile.elsewhere:
            text += f" Alleen {_words(self.level)[1]} in andere gemeenten."
        if self.dropped:
            jaar = f" in {year}" if year is not None else ""
            # one reason said once: "Weggelaten in 2020 (geen waarden in deze tabel): a, b."
            by_reason: dict[str, list[str]] = {}
            for k, why in self.dropped.items():
                by_reason.setdefault(why, []).append(get_indicator(k).label.lower())
            parts = [f"({why}): {', '.join(names)}" for why, names in by_reason.items()]
            text += f" Weggelaten{jaar} {'; '.join(parts)}."
        text += " Migratieachtergrond telt nooit mee."
        return text


def find_peers(
    values: pd.DataFrame, profile: Profile | None = None, k: int | None = None
) -> PeerResult:
    """The k most similar buurten of every buurt that takes part (see the module docstring).

    Parameters
    ----------
    values : DataFrame
        :func:`reference_buurten` output (indexed by buurtcode).
    profile : Profile, optional
        Default :func:`load_profile`.
    k : int, optional
        Number of peers; default the profile's ``aantal``.

    Returns
    -------
    PeerResult

    Examples
    --------
    >>> v = pd.DataFrame({"inwoners": [500.0, 520.0, 5000.0, 5100.0]},
    ...                  index=["BU01", "BU02", "BU03", "BU04"])
    >>> p = load_profile()
    >>> rest = {f.key: 1.0 for f in p.features if f.key != "inwoners"}
    >>> res = find_peers(v.assign(**rest), p, k=1)
    >>> [str(res.codes[i[0]]) for i in res.peers]
    ['BU02', 'BU01', 'BU04', 'BU03']
    """
    profile = profile or load_profile()
    k = int(k or profile.k)
    pop = values["inwoners"].astype("float64") if "inwoners" in values.columns else None
    big = (
        (pop >= profile.min_population).to_numpy()
        if pop is not None
        else np.ones(len(values), dtype=bool)
    )
    excluded: dict[str, str] = {}
    if pop is not None:
        for code in values.index[~big]:
            excluded[str(code)] = f"minder dan {profile.min_population} inwoners"
    used: list[str] = []
    dropped: dict[str, str] = {}
    n_big = int(big.sum())
    for f in profile.features:
        if f.key not in values.columns:
            dropped[f.key] = "niet in de tabel"
            continue
        have = int(np.isfinite(values[f.key].to_numpy(dtype="float64")[big]).sum())
        if n_big == 0 or have == 0:
            dropped[f.key] = "geen waarden in deze tabel"
        elif have < MIN_COVERAGE * n_big:
            dropped[f.key] = f"alleen voor {have} van {n_big} buurten een waarde"
        else:
            used.append(f.key)
    if not used:
        raise DataValidationError(
            "Geen enkel kenmerk van het vergelijkingsprofiel heeft waarden in deze tabel; "
            f"weggelaten: {', '.join(dropped)}."
        )
    weights = {f.key: f.weight for f in profile.features}
    scales = {f.key: f.scale for f in profile.features}
    raw = values[used].to_numpy(dtype="float64").copy()
    for j, key in enumerate(used):
        if scales[key] == "log":
            col = raw[:, j]
            raw[:, j] = np.log10(1.0 + np.clip(col, 0.0, None))
    complete = big & np.isfinite(raw).all(axis=1)
    for code in values.index[big & ~complete]:
        row = values.loc[code, used]
        gaps = [get_indicator(key).label.lower() for key in used if not np.isfinite(row[key])]
        excluded[str(code)] = f"geen waarde voor {', '.join(gaps)}"
    x = raw[complete]
    mean = x.mean(axis=0) if len(x) else np.zeros(len(used))
    std = x.std(axis=0) if len(x) else np.ones(len(used))
    std = np.where(std > 0, std, 1.0)
    w = np.sqrt(np.array([weights[key] for key in used]))
    z = (x - mean) / std * w
    codes = values.index.to_numpy()[complete].astype(str)
    if profile.elsewhere:
        gm = values.loc[codes, "gemeentecode"].astype(str).to_numpy()
        idx, dist = nearest_elsewhere(z, gm, k)
    else:
        idx, dist = nearest_neighbours(z, k)
    outcome_cols = [c for c in profile.outcomes if c in values.columns]
    spread = values.loc[complete, outcome_cols].astype("float64").std(ddof=0)
    log.debug(
        "vergelijkbare buurten: %d buurten, %d kenmerken (%s weggelaten)",
        len(codes),
        len(used),
        ", ".join(dropped) or "geen",
    )
    return PeerResult(
        values, codes, idx, dist, used, dropped, excluded, profile, spread, _level_of_values(values)
    )


# ---------------------------------------------------------------------------- standing
def _stats(res: PeerResult, pos: np.ndarray, key: str) -> dict[str, np.ndarray]:
    """Where the rows at ``pos`` (positions into ``res.codes``, -1 = not compared) stand among
    their peers on ``key``: the one computation behind :func:`standing` (one area) and
    :func:`similar_buurten` (many at once).

    Returns arrays over the rows: ``own`` (value), ``median`` (peers' median), ``better`` /
    ``worse`` (peers that score better / worse; ties count as neither), ``higher`` /
    ``lower`` (peers with a higher / lower value), ``n`` (peers with a value), ``valid``
    (compared and an own value) and ``clear`` (rows x k: peers that do clearly better).
    """
    has = pos >= 0
    p = np.where(has, pos, 0)
    peer_idx = res.peers[p]  # (n, k)
    sign = get_indicator(key).sign or 1
    v_all = res.values[key].reindex(res.codes).to_numpy(dtype="float64")
    own = np.where(has, v_all[p], np.nan)
    pv = np.where(peer_idx >= 0, v_all[np.clip(peer_idx, 0, None)], np.nan)
    some = np.isfinite(pv).any(axis=1)
    with np.errstate(all="ignore"):
        med = np.nanmedian(np.where(some[:, None], pv, 0.0), axis=1)
    med = np.where(some & has, med, np.nan)
    ok = np.isfinite(pv) & np.isfinite(own)[:, None]
    higher = np.where(ok, pv > own[:, None], False).sum(axis=1)
    lower = np.where(ok, pv < own[:, None], False).sum(axis=1)
    better, worse = (higher, lower) if sign > 0 else (lower, higher)
    sd = float(res.spread.get(key, np.nan))
    thresh = res.profile.clearly_better * sd if np.isfinite(sd) and sd > 0 else np.inf
    with np.errstate(invalid="ignore"):
        clear = ok & (sign * (pv - own[:, None]) >= thresh)
    return {
        "own": own,
        "median": med,
        "better": better,
        "worse": worse,
        "higher": higher,
        "lower": lower,
        "n": np.isfinite(pv).sum(axis=1),
        "valid": has & np.isfinite(own),
        "clear": clear & has[:, None],
        "peer_idx": peer_idx,
    }


def _clear_codes(res: PeerResult, st: dict[str, np.ndarray], i: int) -> str:
    """The codes of row ``i``'s peers that do clearly better, ``;``-separated."""
    hit = st["peer_idx"][i][st["clear"][i]]
    return ";".join(str(c) for c in res.codes[hit[hit >= 0]])


def standing(result: PeerResult, code: str, keys: Iterable[str] | None = None) -> pd.DataFrame:
    """Where one buurt (or wijk) stands among its peers, per outcome indicator.

    Returns
    -------
    DataFrame
        Index: indicator keys; columns ``waarde``, ``mediaan_vergelijkbaar``,
        ``verschil`` (value minus median), ``rang`` (1 = most favourable of the buurt and its
        peers), ``van`` (how many have a value), ``lager_dan`` / ``hoger_dan`` (how many peers
        have a higher / lower value), ``duidelijk_beter`` (codes of peers that do clearly
        better, ``;``-separated) and ``tekst`` (Dutch, e.g. "hoger dan 8 van de 10
        vergelijkbare buurten").
    """
    pos = result.position(code)
    keys = list(keys) if keys is not None else list(result.profile.outcomes)
    cols = [
        "waarde", "mediaan_vergelijkbaar", "verschil", "rang", "van", "lager_dan", "hoger_dan",
        "duidelijk_beter", "tekst",
    ]  # fmt: skip
    if pos is None:
        return pd.DataFrame(index=pd.Index(keys, name="indicator"), columns=cols)
    plural = _words(result.level)[1]
    rows = []
    for key in keys:
        if key not in result.values.columns:
            continue
        st = _stats(result, np.array([pos]), key)
        value, med, n_ok = float(st["own"][0]), float(st["median"][0]), int(st["n"][0])
        lower, higher = int(st["lower"][0]), int(st["higher"][0])
        # said from the side the buurt is on: "hoger dan 8 van de 10" when most peers are
        # lower, "lager dan 7 van de 10" when most are higher (never "hoger dan 0")
        if not np.isfinite(value) or n_ok == 0:
            tekst = "geen vergelijking (waarde ontbreekt)"
        elif lower == 0 and higher == 0:
            tekst = f"gelijk aan alle {n_ok} vergelijkbare {plural}"
        elif lower >= higher:
            tekst = f"hoger dan {lower} van de {n_ok} vergelijkbare {plural}"
        else:
            tekst = f"lager dan {higher} van de {n_ok} vergelijkbare {plural}"
        valid = bool(st["valid"][0])
        rows.append(
            {
                "indicator": key,
                "waarde": value,
                "mediaan_vergelijkbaar": med,
                "verschil": value - med,
                "rang": float(st["better"][0] + 1) if valid else np.nan,
                "van": n_ok + (1 if np.isfinite(value) else 0),
                "lager_dan": higher,
                "hoger_dan": lower,
                "duidelijk_beter": _clear_codes(result, st, 0) if valid else "",
                "tekst": tekst,
            }
        )
    return pd.DataFrame(rows, columns=["indicator", *cols]).set_index("indicator")


def peer_table(result: PeerResult, code: str, keys: Iterable[str] | None = None) -> pd.DataFrame:
    """The buurt and its peers side by side: name, gemeente, distance and values.

    Returns
    -------
    DataFrame
        Index: codes (the buurt first, ``afstand`` 0); columns ``rol`` ("buurt" or
        "vergelijkbaar"), ``naam``, ``gemeentenaam``, ``gemeentecode``, ``afstand``,
        ``inwoners``, then the features used and the outcomes.
    """
    pos = result.position(code)
    if pos is None:
        raise DataValidationError(
            f"{_words(result.level)[0].capitalize()} {code} doet niet mee aan de vergelijking: "
            f"{result.excluded.get(code, 'niet in de referentie')}."
        )
    peer_pos = result.peers[pos]
    ok = peer_pos >= 0
    codes = [code, *result.codes[peer_pos[ok]].tolist()]
    keys = list(keys) if keys is not None else list(result.profile.outcomes)
    cols = list(dict.fromkeys(["naam", "gemeentenaam", "gemeentecode", "inwoners", *result.used]))
    cols += [k for k in keys if k in result.values.columns and k not in cols]
    table = result.values.loc[codes, cols].copy()
    table.insert(0, "afstand", [0.0, *result.distances[pos][ok].tolist()])
    table.insert(0, "rol", [result.level] + ["vergelijkbaar"] * int(ok.sum()))
    table.index.name = f"{result.level}code"
    return table


def similar_buurten(
    reference: pd.DataFrame,
    codes: Iterable[str] | pd.Series | pd.Index | None = None,
    *,
    k: int | None = None,
    profile: Profile | None = None,
    keys: Sequence[str] | None = None,
    level: str = "buurt",
) -> pd.DataFrame:
    """For each buurt: its k most similar buurten of the country and its standing among them.

    Parameters
    ----------
    reference : DataFrame
        The national reference (:meth:`wijkgeo.store.Store.read_reference`) or
        :func:`reference_buurten` output.
    codes : iterable of str, Series or Index, optional
        The buurten to report (e.g. ``atlas.buurten["buurtcode"]``); the result is indexed
        like it (a Series keeps its index). Default every buurt of the reference.
    k : int, optional
        Number of peers; default the profile's ``aantal`` (10).
    profile : Profile, optional
        Default :func:`load_profile`.
    keys : sequence of str, optional
        Outcomes to report; default the profile's.
    level : {"buurt", "wijk"}
        ``"wijk"``: every wijk among the wijken of the country (a reference frame only; output
        of :func:`reference_buurten` carries its level in its index).

    Returns
    -------
    DataFrame
        ``vergelijkbaar_1`` ... ``vergelijkbaar_k`` (codes), ``afstand_1`` ... ``afstand_k``,
        ``vergelijking`` (None, or the Dutch reason the buurt is not compared), and per
        outcome ``k_mediaan_vergelijkbaar``, ``k_rang_vergelijkbaar`` (1 = most favourable
        of the buurt and its peers), ``k_van_vergelijkbaar``, ``k_aantal_beter`` and
        ``k_aantal_slechter`` (peers that score better / worse; ties count as neither) and
        ``k_duidelijk_beter`` (codes, ``;``-separated).
        ``attrs`` hold ``gebruikt``, ``weggelaten`` and ``uitleg``.

    Examples
    --------
    >>> from wijkgeo.demo.synthetic import synthetic_reference       # doctest: +SKIP
    >>> sim = similar_buurten(synthetic_reference(2024), k=5)       # doctest: +SKIP
    """
    profile = profile or load_profile()
    values = (
        reference
        if "code" not in reference.columns and reference.index.name in ("buurtcode", "wijkcode")
        else reference_buurten(reference, profile, level)
    )
    res = find_peers(values, profile, k)
    k = res.peers.shape[1]
    keys = [c for c in (keys if keys is not None else profile.outcomes) if c in values.columns]
    name = values.index.name
    if codes is None:
        index = pd.Index(values.index, name=name)
        wanted = values.index.to_numpy().astype(str)
    elif isinstance(codes, pd.Series):
        index = codes.index
        wanted = codes.astype(str).str.strip().to_numpy()
    else:
        wanted = np.asarray([str(c).strip() for c in codes])
        index = codes if isinstance(codes, pd.Index) else pd.Index(wanted, name=name)
    lookup = pd.Series(np.arange(len(res.codes)), index=res.codes)
    pos = lookup.reindex(wanted).to_numpy()
    has = np.isfinite(pos)
    p = np.where(has, pos, 0).astype(np.int64)
    cols: dict[str, Any] = {}
    peer_idx = res.peers[p]  # (n, k)
    peer_codes = np.where(peer_idx >= 0, res.codes[np.clip(peer_idx, 0, None)], None)
    for j in range(k):
        cols[f"vergelijkbaar_{j + 1}"] = np.where(has, peer_codes[:, j], None)
        cols[f"afstand_{j + 1}"] = np.where(has, res.distances[p, j], np.nan)
    reasons = [
        None if h else res.excluded.get(c, "niet in de landelijke referentie")
        for c, h in zip(wanted, has, strict=True)
    ]
    cols["vergelijking"] = reasons
    rows = np.where(has, p, -1)
    for key in keys:
        st = _stats(res, rows, key)
        valid = st["valid"]
        cols[f"{key}_mediaan_vergelijkbaar"] = st["median"]
        cols[f"{key}_rang_vergelijkbaar"] = np.where(valid, st["better"] + 1.0, np.nan)
        cols[f"{key}_van_vergelijkbaar"] = np.where(valid, st["n"] + 1.0, np.nan)
        cols[f"{key}_aantal_beter"] = np.where(valid, st["better"].astype("float64"), np.nan)
        cols[f"{key}_aantal_slechter"] = np.where(valid, st["worse"].astype("float64"), np.nan)
        cols[f"{key}_duidelijk_beter"] = [
            _clear_codes(res, st, i) if valid[i] else None for i in range(len(wanted))
        ]
    out = pd.DataFrame(cols, index=index)
    out.attrs.update(
        {
            "gebruikt": res.used,
            "weggelaten": res.dropped,
            "uitleg": res.explain(values.attrs.get("year")),
        }
    )
    return out


# ---------------------------------------------------------------------------- one buurt
@dataclass
class BuurtComparison:
    """One buurt next to its peers: what ``wijkgeo vergelijk BU.. --jaar ..`` prints."""

    code: str
    year: int
    table: pd.DataFrame
    standing: pd.DataFrame
    explanation: str
    result: PeerResult

    @property
    def level(self) -> str:
        """``"buurt"`` or ``"wijk"``."""
        return self.result.level

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready (``--format json``): buurt (or wijk), jaar, uitleg, profiel, peers
        (``vergelijkbare_buurten`` or ``vergelijkbare_wijken``), indicatoren."""

        def clean(value: Any) -> Any:
            if isinstance(value, float) and not np.isfinite(value):
                return None
            if hasattr(value, "item"):
                return clean(value.item())
            return value

        peers = [
            {"buurtcode": code, **{k: clean(v) for k, v in row.items()}}
            for code, row in self.table.iterrows()
        ]
        rows = [
            {
                "indicator": key,
                "naam": get_indicator(key).label,
                **{k: clean(v) for k, v in r.items()},
            }
            for key, r in self.standing.iterrows()
        ]
        return {
            self.level: self.code,
            "naam": clean(self.table.iloc[0]["naam"]),
            "gemeente": clean(self.table.iloc[0]["gemeentenaam"]),
            "jaar": self.year,
            "uitleg": self.explanation,
            "kenmerken_gebruikt": self.result.used,
            "kenmerken_weggelaten": self.result.dropped,
            "profiel": self.result.profile.to_dict() | {"uitleg": None},
            f"vergelijkbare_{_words(self.level)[1]}": peers,
            "indicatoren": rows,
        }

    def to_csv(self) -> str:
        """The buurt and its peers as CSV (``--format csv``); text cells pass through
        :func:`wijkgeo.text.safe_frame` (no spreadsheet formulas)."""
        from ..text import safe_frame

        return safe_frame(self.table).to_csv()

    def to_text(self) -> str:
        """A Dutch plain-text report (the default output of ``wijkgeo vergelijk``)."""
        from .registry import format_value

        first = self.table.iloc[0]
        one, many = _words(self.level)
        lines = [
            f"{many.capitalize()} zoals {first['naam']} ({self.code}, {first['gemeentenaam']}), "
            f"{self.year}",
            "",
            self.explanation,
            "",
            f"Vergelijkbare {many} (afstand 0 = zelfde profiel):",
        ]
        peers = self.table.iloc[1:]
        w_name = max([len(str(n)) for n in peers["naam"]] + [4])
        w_gem = max([len(str(n)) for n in peers["gemeentenaam"]] + [8])
        lines.append(f"  #  {'code':<10}  {'naam':<{w_name}}  {'gemeente':<{w_gem}}  afstand")
        for i, (code, row) in enumerate(peers.iterrows(), start=1):
            dist = f"{row['afstand']:.2f}".replace(".", ",")
            lines.append(
                f"  {i:>2} {code:<10}  {row['naam']!s:<{w_name}}  "
                f"{row['gemeentenaam']!s:<{w_gem}}  {dist}"
            )
        lines += [
            "",
            f"Waar de {one} staat (rang 1 = gunstigst van de {one} en de vergelijkbare {many}):",
        ]
        names = dict(zip(self.table.index, self.table["naam"], strict=True))
        for key, row in self.standing.iterrows():
            if not np.isfinite(row["waarde"]):
                continue
            label = get_indicator(key).label
            lines.append(
                f"- {label}: {format_value(key, row['waarde'])}; mediaan vergelijkbare {many} "
                f"{format_value(key, row['mediaan_vergelijkbaar'])}; {row['tekst']} "
                f"(rang {int(row['rang'])} van {int(row['van'])})"
            )
            if row["duidelijk_beter"]:
                better = [f"{names.get(c, c)} ({c})" for c in row["duidelijk_beter"].split(";")]
                lines.append(f"    duidelijk beter: {', '.join(better)}")
        return "\n".join(lines)


def reference_source(reference: pd.DataFrame, year: int | str) -> str:
    """One Dutch sentence naming where a national reference comes from ("" when unknown).

    Examples
    --------
    >>> ref = pd.DataFrame(); ref.attrs["sources"] = {"cbs": {"table": "84799NED"}}
    >>> reference_source(ref, 2020)
    ' Bron: CBS Kerncijfers wijken en buurten 2020 (tabel 84799NED).'
    """
    sources = reference.attrs.get("sources") or {}
    if (sources.get("cbs") or {}).get("table"):
        table = sources["cbs"]["table"]
        return f" Bron: CBS Kerncijfers wijken en buurten {year} (tabel {table})."
    if "wijkbuurtkaart" in sources:
        return f" Bron: CBS Wijk- en Buurtkaart {year} ({sources['wijkbuurtkaart'].get('file')})."
    if "demo" in sources:
        return " Bron: fictieve gegevens (Demodam tussen een fictief land), geen echte buurten."
    return ""


def _stored(store: Any, year: int) -> pd.DataFrame:
    """The national reference of ``year`` from a :class:`wijkgeo.store.Store` (duck-typed:
    the indicators sit below the store, so they never import it)."""
    if store is None or not hasattr(store, "read_reference"):
        raise ConfigError(
            "Geef de landelijke referentie mee: store=wijkgeo.Store() of reference=... "
            "(een tabel van Store.read_reference)."
        )
    return store.read_reference(year)


def _unknown_code(code: str, year: int, codes: Sequence[str], seen: list[int]) -> Exception:
    from ..sources.local.spec import closest_many

    what = _words(level_of(code))[0].capitalize()
    if seen:
        last = max(seen)
        return DataValidationError(
            f"{what} {code} staat niet in de landelijke referentie {year}; laatst gezien in "
            f"{last}. Vergelijk in dat jaar (`wijkgeo vergelijk {code} --jaar {last}`) of zoek "
            f"de nieuwe code ({_words(level_of(code))[1]} worden heringedeeld)."
        )
    near = closest_many(code, list(codes), 3)
    hint = f" Bedoelde u {', '.join(near)}?" if near else ""
    return DataValidationError(
        f"{what} {code} staat niet in de landelijke referentie {year}.{hint}"
    )


def _prepare(
    profile: Profile | str | Path | None,
    elsewhere: bool | None,
    reference: pd.DataFrame | None,
    store: Any,
    year: int,
    level: str,
) -> tuple[Profile, pd.DataFrame, pd.DataFrame]:
    """The profile (``elsewhere`` applied), the reference and its areas of ``level``: what
    :func:`compare_buurt` and :func:`compare_gemeente` both start from."""
    prof = profile if isinstance(profile, Profile) else load_profile(profile)
    if elsewhere is not None:
        prof = replace(prof, elsewhere=bool(elsewhere))
    ref = reference if reference is not None else _stored(store, year)
    return prof, ref, reference_buurten(ref, prof, level)


def compare_buurt(
    code: str,
    year: int,
    *,
    k: int | None = None,
    profile: Profile | str | Path | None = None,
    store: Any = None,
    reference: pd.DataFrame | None = None,
    elsewhere: bool | None = None,
) -> BuurtComparison:
    """One buurt (or wijk), its k most similar buurten (wijken) of the country and where it
    stands among them.

    Parameters
    ----------
    code : str
        Buurtcode (``"BU05991571"``) or wijkcode (``"WK059915"``: compared with the wijken
        of the country).
    year : int
        Year of the national reference.
    k : int, optional
        Number of peers (default the profile's, 10).
    profile : Profile, str or Path, optional
        A profile or the path of a profile file; default :func:`load_profile`.
    store : Store, optional
        The store holding the national reference (``wijkgeo.Store()``, filled by
        ``wijkgeo refresh --nederland``); its other years name where an unknown code was
        last seen.
    reference : DataFrame, optional
        Use this reference instead of the store's.
    elsewhere : bool, optional
        Only peers in other gemeenten; default the profile's ``alleen_andere_gemeenten``.

    Raises
    ------
    DataValidationError
        When the code is no buurtcode, not in the reference (the year it was last seen or the
        closest codes are named), or the buurt does not take part (too few inhabitants).
    NotInStoreError
        When the store has no reference for ``year``.

    Examples
    --------
    >>> import wijkgeo
    >>> cmp = compare_buurt("BU05991571", 2020, store=wijkgeo.Store())  # doctest: +SKIP
    >>> print(cmp.to_text())                                        # doctest: +SKIP
    """
    from ..codes import normalize_code

    code = normalize_code(code)
    if code[:2] not in LEVELS:
        raise DataValidationError(
            f"{code} is geen buurt- of wijkcode; `wijkgeo vergelijk` vergelijkt buurten "
            "(BU........) of wijken (WK......)."
        )
    level = level_of(code)
    prof, ref, values = _prepare(profile, elsewhere, reference, store, year, level)
    if code not in values.index:
        seen = []
        for other in store.reference_years() if store is not None else []:
            if other == int(year):
                continue
            try:
                codes = store.read_reference(other)["code"].astype(str)
            except StoreError:  # a damaged other year only loses the hint
                continue
            if (codes == code).any():
                seen.append(other)
        raise _unknown_code(code, int(year), list(values.index), seen)
    res = find_peers(values, prof, k)
    if res.position(code) is None:
        one, many = _words(level)
        raise DataValidationError(
            f"{one.capitalize()} {code} ({values.at[code, 'naam']}) wordt niet vergeleken: "
            f"{res.excluded.get(code, 'onbekende reden')}. Kleine {many} zijn te wisselvallig "
            f"om te vergelijken (min_inwoners in het profiel)."
        )
    explanation = res.explain(year) + reference_source(ref, year)
    return BuurtComparison(
        code=code,
        year=int(year),
        table=peer_table(res, code),
        standing=standing(res, code),
        explanation=explanation,
        result=res,
    )


def compare_gemeente(
    gemeente: str,
    year: int,
    *,
    k: int | None = None,
    profile: Profile | str | Path | None = None,
    store: Any = None,
    reference: pd.DataFrame | None = None,
    elsewhere: bool | None = None,
    level: str = "buurt",
) -> pd.DataFrame:
    """Every buurt (``level="wijk"``: every wijk) of one gemeente next to its peers across the
    country (one row per area).

    :func:`similar_buurten` for the gemeente's buurten in the national reference, with the
    buurt's name and each peer's name and gemeente beside its code
    (``vergelijkbaar_1_naam``, ``vergelijkbaar_1_gemeente``); ``wijkgeo vergelijk GM0599
    --jaar 2020 --format csv``.

    Examples
    --------
    >>> import wijkgeo
    >>> tab = compare_gemeente("GM0599", 2020, store=wijkgeo.Store())  # doctest: +SKIP
    >>> tab.loc["BU05991571", "vergelijkbaar_1_naam"]               # doctest: +SKIP
    'Laakkwartier-Oost'
    """
    from ..codes import normalize_code

    code = normalize_code(gemeente, "gemeente")
    prof, ref, values = _prepare(profile, elsewhere, reference, store, year, level)
    mine = values.index[values["gemeentecode"].astype(str) == code]
    if not len(mine):
        from ..sources.local.spec import closest_many

        near = closest_many(code, sorted(set(values["gemeentecode"].astype(str))), 3)
        hint = f" Bedoelde u {', '.join(near)}?" if near else ""
        raise DataValidationError(
            f"Gemeente {code} heeft geen {_words(level)[1]} in de landelijke referentie "
            f"{year}.{hint}"
        )
    sim = similar_buurten(values, pd.Index(mine, name=values.index.name), k=k, profile=prof)
    k_eff = len([c for c in sim.columns if re_peer(c)])
    cols: dict[str, Any] = {"naam": values.loc[mine, "naam"].to_numpy()}
    for j in range(1, k_eff + 1):
        peer = sim[f"vergelijkbaar_{j}"]
        cols[f"vergelijkbaar_{j}"] = peer.to_numpy()
        cols[f"vergelijkbaar_{j}_naam"] = values["naam"].reindex(peer).to_numpy()
        cols[f"vergelijkbaar_{j}_gemeente"] = values["gemeentenaam"].reindex(peer).to_numpy()
        cols[f"afstand_{j}"] = sim[f"afstand_{j}"].to_numpy()
    head = pd.DataFrame(cols, index=sim.index)
    rest = sim.drop(columns=[c for c in sim.columns if c in head.columns])
    out = pd.concat([head, rest], axis=1)
    out.attrs.update(sim.attrs)
    out.attrs["uitleg"] = sim.attrs["uitleg"] + reference_source(ref, year)
    return out


def re_peer(column: str) -> bool:
    """Whether ``column`` is a peer code column (``vergelijkbaar_<n>``).

    Examples
    --------
    >>> re_peer("vergelijkbaar_3"), re_peer("vergelijkbaar_3_naam")
    (True, False)
    """
    head, _, tail = column.rpartition("_")
    return head == "vergelijkbaar" and tail.isdigit()


def gemeente_output(table: pd.DataFrame, year: int, fmt: str = "tekst") -> str:
    """:func:`compare_gemeente` as ``wijkgeo vergelijk GM.. --format tekst|csv|json`` prints it.

    Text: the explanation, then per buurt its three nearest peers (name and gemeente) or why
    it is not compared. CSV: one row per buurt (cells a spreadsheet would run as a formula
    quoted). JSON: ``jaar``, ``uitleg`` and the rows by buurtcode.
    """
    if fmt == "csv":
        from ..text import safe_frame

        return safe_frame(table).to_csv()
    if fmt == "json":
        rows = json.loads(table.to_json(orient="index", force_ascii=False))
        many = "wijken" if table.index.name == "wijkcode" else "buurten"
        doc = {"jaar": int(year), "uitleg": table.attrs.get("uitleg"), many: rows}
        return json.dumps(doc, ensure_ascii=False, indent=2) + "\n"
    lines = [str(table.attrs.get("uitleg", "")), ""]
    for code, row in table.iterrows():
        first = [
            f"{row[f'vergelijkbaar_{j}_naam']} ({row[f'vergelijkbaar_{j}_gemeente']})"
            for j in (1, 2, 3)
            if isinstance(row.get(f"vergelijkbaar_{j}"), str)
        ]
        said = ", ".join(first) if first else f"niet vergeleken: {row.get('vergelijking')}"
        lines.append(f"{code}  {row['naam']}: {said}")
    return "\n".join(lines) + "\n"
