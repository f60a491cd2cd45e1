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
    from scipy.spatial import cKDTree

    x = np.asarray(points, dtype="float64")
    if x.ndim == 1:
        x = x[:, None]
    n = len(x)
    k_eff = min(k, max(n - 1 if exclude_self else n, 0))
    idx = np.full((n, k), -1, dtype=np.int64)
    dist = np.full((n, k), np.nan)
    if k_eff == 0:
        return idx, dist
    if np.isnan(x).any():
        raise DataValidationError("nearest_neighbours: rijen met ontbrekende waarden.")
    tree = cKDTree(x)
    ask = k_eff + 1 if exclude_self else k_eff
    d, i = tree.query(x, k=ask)
    d = np.asarray(d).reshape(n, ask)
    i = np.asarray(i).reshape(n, ask)
    if exclude_self:
        own = i == np.arange(n)[:, None]
        # drop self where found; otherwise (ties at distance 0) drop the last column
        missing = ~own.any(axis=1)
        own[missing, -1] = True
        keep = ~own
        i = i[keep].reshape(n, k_eff)
        d = d[keep].reshape(n, k_eff)
    idx[:, :k_eff] = i
    dist[:, :k_eff] = d
    return idx, dist


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
    from scipy.spatial import cKDTree

    x = np.asarray(points, dtype="float64")
    if x.ndim == 1:
        x = x[:, None]
    g = np.asarray(groups).astype(str)
    n = len(x)
    idx = np.full((n, k), -1, dtype=np.int64)
    dist = np.full((n, k), np.nan)
    if n < 2:
        return idx, dist
    tree = cKDTree(x)
    todo = np.arange(n)
    ask = min(3 * k + 1, n)
    while len(todo):
        d, i = tree.query(x[todo], k=ask)
        d = np.asarray(d).reshape(len(todo), ask)
        i = np.asarray(i).reshape(len(todo), ask)
        other = g[i] != g[todo][:, None]
        enough = (other.sum(axis=1) >= k) | (ask >= n)
        for row in np.flatnonzero(enough):
            keep = np.flatnonzero(other[row])[:k]
            idx[todo[row], : len(keep)] = i[row, keep]
            dist[todo[row], : len(keep)] = d[row, keep]
        todo = todo[~enough]
        ask = min(ask * 4, n)
    return idx, dist


# ---------------------------------------------------------------------------- reference
def reference_buurten(reference: pd.DataFrame, profile: Profile | None = None) -> pd.DataFrame:
    """The buurten of a national reference with the profile's features and outcomes computed.

    Parameters
    ----------
    reference : DataFrame
        Rows with ``code``, ``level`` and Kerncijfers columns (every level; only buurten are
        kept), as :meth:`wijkgeo.store.Store.read_reference` returns. A frame indexed by
        buurtcode with the indicator columns already present is returned as is.
    profile : Profile, optional
        Default :func:`load_profile`.

    Returns
    -------
    DataFrame
        Indexed by buurtcode: ``naam``, ``gemeentecode``, ``gemeentenaam``, ``inwoners`` and
        one column per feature and outcome key.
    """
    profile = profile or load_profile()
    keys = list(dict.fromkeys(["inwoners", *profile.keys, *profile.outcomes]))
    if "level" in reference.columns:
        buurten = reference[reference["level"].astype(str) == "buurt"]
    else:
        buurten = reference
    if "code" in buurten.columns:
        codes = buurten["code"].astype(str).str.strip()
    elif "buurtcode" in buurten.columns:
        codes = buurten["buurtcode"].astype(str).str.strip()
    else:
        raise DataValidationError("De referentie heeft geen kolom code of buurtcode.")
    have = [k for k in keys if k in buurten.columns]
    todo = [k for k in keys if k not in buurten.columns]
    parts = [buurten[have].astype("float64")] if have else []
    if todo:
        parts.append(compute(buurten, todo, level="buurt"))
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
    out.index = pd.Index(codes.to_numpy(), name="buurtcode")
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
            f"{n} buurten met minstens {self.profile.min_population} inwoners doen mee"
        )
        gm = self.values.loc[self.codes, "gemeentecode"].nunique() if len(self.codes) else 0
        text += f", in {gm} gemeenten."
        if self.profile.elsewhere:
            text += " Alleen buurten in andere gemeenten."
        if self.dropped:
            jaar = f" in {year}" if year is not None else ""
            parts = [f"{get_indicator(k).label.lower()} ({why})" for k, why in self.dropped.items()]
            text += f" Weggelaten{jaar}: {'; '.join(parts)}."
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
    return PeerResult(values, codes, idx, dist, used, dropped, excluded, profile, spread)


# ---------------------------------------------------------------------------- standing
def _rank_among(value: float, peers: np.ndarray, sign: int) -> tuple[float, int, int]:
    """Rank (1 = most favourable) of ``value`` among itself and ``peers``; counts below/above."""
    ok = peers[np.isfinite(peers)]
    if not np.isfinite(value):
        return np.nan, 0, 0
    lower = int((ok < value).sum())
    higher = int((ok > value).sum())
    better = higher if sign >= 0 else lower
    return float(better + 1), lower, higher


def standing(result: PeerResult, code: str, keys: Iterable[str] | None = None) -> pd.DataFrame:
    """Where one buurt stands among its peers, per outcome indicator.

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
    peer_pos = result.peers[pos]
    peer_codes = result.codes[peer_pos[peer_pos >= 0]]
    rows = []
    for key in keys:
        if key not in result.values.columns:
            continue
        sign = get_indicator(key).sign
        value = float(result.values.at[code, key])
        peer_vals = result.values.loc[peer_codes, key].to_numpy(dtype="float64")
        ok = np.isfinite(peer_vals)
        med = float(np.median(peer_vals[ok])) if ok.any() else np.nan
        rank, lower, higher = _rank_among(value, peer_vals, sign)
        n_ok = int(ok.sum())
        sd = float(result.spread.get(key, np.nan))
        better: list[str] = []
        if np.isfinite(value) and sign and np.isfinite(sd) and sd > 0:
            gain = sign * (peer_vals - value)
            hit = ok & (gain >= result.profile.clearly_better * sd)
            better = [str(c) for c in peer_codes[hit]]
        # said from the side the buurt is on: "hoger dan 8 van de 10" when most peers are
        # lower, "lager dan 7 van de 10" when most are higher (never "hoger dan 0")
        if not np.isfinite(value) or n_ok == 0:
            tekst = "geen vergelijking (waarde ontbreekt)"
        elif lower == 0 and higher == 0:
            tekst = f"gelijk aan alle {n_ok} vergelijkbare buurten"
        elif lower >= higher:
            tekst = f"hoger dan {lower} van de {n_ok} vergelijkbare buurten"
        else:
            tekst = f"lager dan {higher} van de {n_ok} vergelijkbare buurten"
        rows.append(
            {
                "indicator": key,
                "waarde": value,
                "mediaan_vergelijkbaar": med,
                "verschil": value - med,
                "rang": rank,
                "van": n_ok + (1 if np.isfinite(value) else 0),
                "lager_dan": higher,
                "hoger_dan": lower,
                "duidelijk_beter": ";".join(better),
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
            f"Buurt {code} doet niet mee aan de vergelijking: "
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
    table.insert(0, "rol", ["buurt"] + ["vergelijkbaar"] * int(ok.sum()))
    table.index.name = "buurtcode"
    return table


def similar_buurten(
    reference: pd.DataFrame,
    codes: Iterable[str] | pd.Series | pd.Index | None = None,
    *,
    k: int | None = None,
    profile: Profile | None = None,
    keys: Sequence[str] | None = None,
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
        if "code" not in reference.columns and reference.index.name == "buurtcode"
        else reference_buurten(reference, profile)
    )
    res = find_peers(values, profile, k)
    k = res.peers.shape[1]
    keys = [c for c in (keys if keys is not None else profile.outcomes) if c in values.columns]
    if codes is None:
        index = pd.Index(values.index, name="buurtcode")
        wanted = values.index.to_numpy().astype(str)
    elif isinstance(codes, pd.Series):
        index = codes.index
        wanted = codes.astype(str).str.strip().to_numpy()
    else:
        wanted = np.asarray([str(c).strip() for c in codes])
        index = codes if isinstance(codes, pd.Index) else pd.Index(wanted, name="buurtcode")
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
    all_vals = values.reindex(res.codes)
    for key in keys:
        sign = get_indicator(key).sign or 1
        v_all = all_vals[key].to_numpy(dtype="float64")
        own = np.where(has, v_all[p], np.nan)
        pv = np.where(peer_idx >= 0, v_all[np.clip(peer_idx, 0, None)], np.nan)
        with np.errstate(all="ignore"):
            med = np.nanmedian(np.where(np.isfinite(pv).any(axis=1)[:, None], pv, 0.0), axis=1)
        med = np.where(np.isfinite(pv).any(axis=1) & has, med, np.nan)
        gain = sign * (pv - own[:, None])
        n_better = np.where(np.isfinite(gain), gain > 0, False).sum(axis=1)
        n_worse = np.where(np.isfinite(gain), gain < 0, False).sum(axis=1)
        n_ok = np.isfinite(pv).sum(axis=1)
        valid = has & np.isfinite(own)
        sd = float(res.spread.get(key, np.nan))
        thresh = profile.clearly_better * sd if np.isfinite(sd) and sd > 0 else np.inf
        clear = np.isfinite(gain) & (gain >= thresh)
        cols[f"{key}_mediaan_vergelijkbaar"] = med
        cols[f"{key}_rang_vergelijkbaar"] = np.where(valid, n_better + 1.0, np.nan)
        cols[f"{key}_van_vergelijkbaar"] = np.where(valid, n_ok + 1.0, np.nan)
        cols[f"{key}_aantal_beter"] = np.where(valid, n_better.astype("float64"), np.nan)
        cols[f"{key}_aantal_slechter"] = np.where(valid, n_worse.astype("float64"), np.nan)
        cols[f"{key}_duidelijk_beter"] = [
            ";".join(str(c) for c in peer_codes[i][clear[i]]) if valid[i] else None
            for i in range(len(wanted))
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

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready (``--format json``): buurt, jaar, uitleg, profiel, peers, indicatoren."""

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
            "buurt": self.code,
            "naam": clean(self.table.iloc[0]["naam"]),
            "gemeente": clean(self.table.iloc[0]["gemeentenaam"]),
            "jaar": self.year,
            "uitleg": self.explanation,
            "kenmerken_gebruikt": self.result.used,
            "kenmerken_weggelaten": self.result.dropped,
            "profiel": self.result.profile.to_dict() | {"uitleg": None},
            "vergelijkbare_buurten": peers,
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
        lines = [
            f"Buurten zoals {first['naam']} ({self.code}, {first['gemeentenaam']}), {self.year}",
            "",
            self.explanation,
            "",
            "Vergelijkbare buurten (afstand 0 = zelfde profiel):",
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
            "Waar de buurt staat (rang 1 = gunstigst van de buurt en de vergelijkbare buurten):",
        ]
        names = dict(zip(self.table.index, self.table["naam"], strict=True))
        for key, row in self.standing.iterrows():
            if not np.isfinite(row["waarde"]):
                continue
            label = get_indicator(key).label
            lines.append(
                f"- {label}: {format_value(key, row['waarde'])}; mediaan vergelijkbare buurten "
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

    if seen:
        last = max(seen)
        return DataValidationError(
            f"Buurt {code} staat niet in de landelijke referentie {year}; laatst gezien in "
            f"{last}. Vergelijk in dat jaar (`wijkgeo vergelijk {code} --jaar {last}`) of zoek "
            "de nieuwe code (buurten worden heringedeeld)."
        )
    near = closest_many(code, list(codes), 3)
    hint = f" Bedoelde u {', '.join(near)}?" if near else ""
    return DataValidationError(f"Buurt {code} staat niet in de landelijke referentie {year}.{hint}")


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
    """One buurt, its k most similar buurten of the country and where it stands among them.

    Parameters
    ----------
    code : str
        Buurtcode (``"BU05991571"``).
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
    if not code.startswith("BU"):
        raise DataValidationError(
            f"{code} is geen buurtcode; `wijkgeo vergelijk` vergelijkt buurten (BU........)."
        )
    prof = profile if isinstance(profile, Profile) else load_profile(profile)
    if elsewhere is not None:
        prof = replace(prof, elsewhere=bool(elsewhere))
    ref = reference if reference is not None else _stored(store, year)
    values = reference_buurten(ref, prof)
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
        raise DataValidationError(
            f"Buurt {code} ({values.at[code, 'naam']}) wordt niet vergeleken: "
            f"{res.excluded.get(code, 'onbekende reden')}. Kleine buurten zijn te wisselvallig "
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
) -> pd.DataFrame:
    """Every buurt of one gemeente next to its peers across the country (one row per buurt).

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
    prof = profile if isinstance(profile, Profile) else load_profile(profile)
    if elsewhere is not None:
        prof = replace(prof, elsewhere=bool(elsewhere))
    ref = reference if reference is not None else _stored(store, year)
    values = reference_buurten(ref, prof)
    mine = values.index[values["gemeentecode"].astype(str) == code]
    if not len(mine):
        from ..sources.local.spec import closest_many

        near = closest_many(code, sorted(set(values["gemeentecode"].astype(str))), 3)
        hint = f" Bedoelde u {', '.join(near)}?" if near else ""
        raise DataValidationError(
            f"Gemeente {code} heeft geen buurten in de landelijke referentie {year}.{hint}"
        )
    sim = similar_buurten(values, pd.Index(mine, name="buurtcode"), k=k, profile=prof)
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
        doc = {"jaar": int(year), "uitleg": table.attrs.get("uitleg"), "buurten": rows}
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
