"""A composite index with user weights, and a report of how its ranking depends on them.

A composite index ranks buurten on several indicators at once, and its ranking moves with
its weights. :func:`sensitivity` makes that visible: it recomputes the ranks under
alternative weightings (each weight 50% up and down, equal weights, each indicator left out)
and reports how far each buurt moves.

The index is the weighted mean of direction-adjusted z-scores: for each indicator the
values are standardised over the areas given (mean 0, standard deviation 1) and multiplied
by +1 when higher is better and -1 when higher is worse. A higher index is more favourable;
rank 1 is the most favourable area. A ``neutraal`` indicator has no favourable end, so the
user must give its direction in the weights. Areas with a missing value for any weighted
indicator get no index (NaN): silently re-weighting them would make them incomparable.

Weights config
--------------
A mapping (Python dict, JSON or TOML file) from indicator key to a weight, or to
``{"gewicht": w, "richting": "hoger_is_beter" | "hoger_is_slechter"}`` (English
``weight``/``direction`` are accepted too). In a file the mapping may sit under a
``gewichten`` or ``weights`` table::

    [gewichten]
    aandeel_huishoudens_laag_inkomen = 2
    afstand_huisarts = 1
    aandeel_65_plus = { gewicht = 1, richting = "hoger_is_slechter" }
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .._errors import ConfigError
from .compare import standardise
from .registry import format_number, get_indicator

__all__ = ["SensitivityReport", "Weight", "composite_index", "load_weights", "sensitivity"]

log = logging.getLogger(__name__)

_SIGN = {"hoger_is_beter": 1.0, "hoger_is_slechter": -1.0}


@dataclass(frozen=True)
class Weight:
    """A weight and the direction used for one indicator in a composite index."""

    weight: float
    direction: str

    @property
    def sign(self) -> float:
        """``+1`` when higher is better, ``-1`` when higher is worse."""
        return _SIGN[self.direction]


def _read_file(path: Path) -> Mapping[str, Any]:
    if not path.is_file():
        raise ConfigError(f"Gewichtenbestand {path} bestaat niet.")
    text = path.read_text(encoding="utf-8")
    if path.suffix.lower() == ".toml":
        try:
            import tomllib
        except ImportError:  # pragma: no cover - Python 3.10
            raise ConfigError(
                f"{path}: TOML lezen vraagt Python 3.11 of nieuwer; gebruik een JSON-bestand."
            ) from None
        try:
            return tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"{path}: geen geldige TOML ({exc}).") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise ConfigError(f"{path}: geen geldige JSON (regel {exc.lineno}: {exc.msg}).") from None


def load_weights(source: Mapping[str, Any] | str | Path) -> dict[str, Weight]:
    """Read and validate composite weights from a dict or a JSON/TOML file.

    Parameters
    ----------
    source : dict, str or Path
        The weights mapping, or the path of a ``.json`` or ``.toml`` file.

    Returns
    -------
    dict[str, Weight]
        Weights by indicator key (weights of 0 are dropped).

    Raises
    ------
    ConfigError
        For an unknown indicator, a negative or non-numeric weight, a neutral indicator
        without a direction, or when no weight is positive.

    Examples
    --------
    >>> w = load_weights({"afstand_huisarts": 2, "aandeel_65_plus":
    ...                   {"gewicht": 1, "richting": "hoger_is_slechter"}})
    >>> w["afstand_huisarts"].direction, w["aandeel_65_plus"].weight
    ('hoger_is_slechter', 1.0)
    """
    where = "gewichten"
    if isinstance(source, str | Path):
        where = str(source)
        raw = _read_file(Path(source))
    else:
        raw = source
    if not isinstance(raw, Mapping):
        raise ConfigError(f"{where}: verwacht een tabel van indicator naar gewicht.")
    for table in ("gewichten", "weights"):
        if isinstance(raw.get(table), Mapping):
            raw = raw[table]
            break
    out: dict[str, Weight] = {}
    for key, spec in raw.items():
        ind = get_indicator(key)
        direction = ind.direction
        if isinstance(spec, Mapping):
            w = spec.get("gewicht", spec.get("weight"))
            direction = spec.get("richting", spec.get("direction", direction))
        else:
            w = spec
        try:
            w = float(w)
        except (TypeError, ValueError):
            raise ConfigError(f"{where}: gewicht van {key!r} is geen getal ({w!r}).") from None
        if not np.isfinite(w) or w < 0:
            raise ConfigError(f"{where}: gewicht van {key!r} moet 0 of groter zijn, niet {w}.")
        if direction not in _SIGN:
            raise ConfigError(
                f"{where}: {key!r} is neutraal (hoger is niet beter of slechter); "
                "geef een richting "
                'op, bijvoorbeeld {gewicht = 1, richting = "hoger_is_slechter"}.'
            )
        if w > 0:
            out[key] = Weight(w, direction)
    if not out:
        raise ConfigError(f"{where}: geen enkel gewicht is groter dan 0.")
    return out


def _as_weights(weights: Mapping[str, Any] | str | Path) -> dict[str, Weight]:
    if (
        isinstance(weights, Mapping)
        and weights
        and all(isinstance(v, Weight) for v in weights.values())
    ):
        return dict(weights)
    return load_weights(weights)


def composite_index(values: pd.DataFrame, weights: Mapping[str, Any] | str | Path) -> pd.Series:
    """Weighted mean of direction-adjusted z-scores; higher is more favourable.

    Parameters
    ----------
    values : DataFrame
        Indicator values per area (``compute`` output) with every weighted indicator.
    weights : dict, str or Path
        Weights as accepted by :func:`load_weights`.

    Returns
    -------
    Series
        ``samengestelde_index`` indexed like ``values``; NaN where an input is missing.

    Examples
    --------
    >>> import pandas as pd
    >>> v = pd.DataFrame({"afstand_huisarts": [0.5, 1.5]}, index=["A", "B"])
    >>> composite_index(v, {"afstand_huisarts": 1}).tolist()
    [1.0, -1.0]
    """
    w = _as_weights(weights)
    missing = [k for k in w if k not in values.columns]
    if missing:
        raise ConfigError(f"De indicatorwaarden missen {missing}; bereken ze eerst met compute().")
    keys = list(w)
    z = standardise(values, keys)
    total = sum(x.weight for x in w.values())
    score = sum(z[k] * (w[k].weight * w[k].sign) for k in keys) / total
    return pd.Series(score, index=values.index, name="samengestelde_index", dtype="float64")


def _ranks(score: pd.Series) -> pd.Series:
    # rounding keeps float noise from breaking exact ties
    return score.round(9).rank(method="min", ascending=False)


def _default_scenarios(w: dict[str, Weight], change: float) -> dict[str, dict[str, Weight]]:
    pct = f"{round(change * 100)}%"
    out: dict[str, dict[str, Weight]] = {"basis": dict(w)}
    out["gelijke gewichten"] = {k: Weight(1.0, v.direction) for k, v in w.items()}
    for key, v in w.items():
        up = dict(w)
        up[key] = Weight(v.weight * (1 + change), v.direction)
        out[f"{key} +{pct}"] = up
        if change < 1:
            down = dict(w)
            down[key] = Weight(v.weight * (1 - change), v.direction)
            out[f"{key} -{pct}"] = down
        if len(w) > 1:
            out[f"zonder {key}"] = {k: x for k, x in w.items() if k != key}
    return out


@dataclass(frozen=True)
class SensitivityReport:
    """How the ranking of a composite index moves under alternative weightings.

    Attributes
    ----------
    ranks : DataFrame
        Indexed like the input; one column of ranks (1 = most favourable) per scenario,
        the first being ``"basis"``.
    summary : DataFrame
        One row per scenario: ``rangcorrelatie`` (Spearman with the basis ranking),
        ``gemiddelde_verschuiving`` and ``max_verschuiving`` (rank places), and
        ``top_gelijk`` (share of the basis top ``top_n`` that stays in the top ``top_n``).
    per_area : DataFrame
        Indexed like the input: ``rang_basis``, ``rang_min``, ``rang_max`` and
        ``max_verschuiving`` over all scenarios.
    top_n : int
        Size of the top used in ``summary``.
    """

    ranks: pd.DataFrame
    summary: pd.DataFrame
    per_area: pd.DataFrame
    top_n: int

    def to_text(self, ids: pd.Series | Sequence[str] | None = None, n: int = 5) -> str:
        """A short Dutch explanation of what the weights do.

        Examples
        --------
        >>> import pandas as pd
        >>> v = pd.DataFrame({"afstand_huisarts": [0.5, 1.5, 1.0],
        ...                   "afstand_supermarkt": [1.0, 0.2, 0.6]})
        >>> print(sensitivity(v, {"afstand_huisarts": 1, "afstand_supermarkt": 1})
        ...       .to_text().splitlines()[0])
        Gevoeligheid van de rangorde voor de gewichten (8 varianten, 3 gebieden).
        """
        names = self.per_area.index.astype(str) if ids is None else pd.Index(np.asarray(ids))
        lines = [
            f"Gevoeligheid van de rangorde voor de gewichten ({len(self.summary)} varianten, "
            f"{len(self.per_area)} gebieden)."
        ]
        alt = self.summary.drop(index="basis", errors="ignore")
        if len(alt):
            order = alt.sort_values(
                ["max_verschuiving", "gemiddelde_verschuiving"], ascending=False, kind="stable"
            )
            worst = order.index[0]
            rho = alt.at[worst, "rangcorrelatie"]
            rho_text = (
                "niet te bepalen door gelijke rangen" if np.isnan(rho) else format_number(rho, 2)
            )
            lines.append(
                f"Grootste effect: '{worst}' verschuift een gebied tot "
                f"{alt.at[worst, 'max_verschuiving']:.0f} plaatsen (rangcorrelatie {rho_text})."
            )
            lines.append(
                f"Van de top {self.top_n} blijft gemiddeld "
                f"{format_number(100 * alt['top_gelijk'].mean(), 0)}% "
                "in de top bij andere gewichten."
            )
        moved = self.per_area["max_verschuiving"].to_numpy()
        order = np.argsort(-np.nan_to_num(moved, nan=-1), kind="stable")[:n]
        for i in order:
            if not moved[i] > 0:
                break
            row = self.per_area.iloc[i]
            lines.append(
                f"- {names[i]}: rang {row['rang_basis']:.0f} in de basis, tussen "
                f"{row['rang_min']:.0f} en {row['rang_max']:.0f} bij andere gewichten."
            )
        return "\n".join(lines)


def _spearman(a: pd.Series, b: pd.Series) -> float:
    both = a.notna() & b.notna()
    if both.sum() < 2:
        return float("nan")
    ra = a[both].rank().to_numpy()
    rb = b[both].rank().to_numpy()
    if ra.std() == 0 or rb.std() == 0:
        return float("nan")
    return float(np.corrcoef(ra, rb)[0, 1])


def sensitivity(
    values: pd.DataFrame,
    weights: Mapping[str, Any] | str | Path,
    *,
    scenarios: Mapping[str, Mapping[str, Any]] | None = None,
    change: float = 0.5,
    top_n: int | None = None,
) -> SensitivityReport:
    """Recompute the composite ranking under alternative weights and report the movement.

    Default scenarios: ``basis``; ``gelijke gewichten``; for each indicator its weight
    ``+50%`` and ``-50%`` (``change``) and the index without it (leave one out).

    Parameters
    ----------
    values : DataFrame
        Indicator values per area.
    weights : dict, str or Path
        The basis weights (see :func:`load_weights`).
    scenarios : dict, optional
        Extra named weightings, added after the defaults.
    change : float
        Relative weight change of the up/down scenarios (0.5 = 50%).
    top_n : int, optional
        Size of the top in the summary; default a fifth of the areas (at least 1, at most 10).

    Returns
    -------
    SensitivityReport

    Examples
    --------
    >>> import pandas as pd
    >>> v = pd.DataFrame({"afstand_huisarts": [0.5, 1.5], "afstand_supermarkt": [1.0, 0.2]},
    ...                  index=["A", "B"])
    >>> rep = sensitivity(v, {"afstand_huisarts": 2, "afstand_supermarkt": 1})
    >>> rep.ranks.loc["A", "basis"], rep.ranks.loc["A", "zonder afstand_huisarts"]
    (np.float64(1.0), np.float64(2.0))
    """
    base = _as_weights(weights)
    all_scen = _default_scenarios(base, change)
    for name, spec in (scenarios or {}).items():
        all_scen[name] = _as_weights(spec)
    ranks = pd.DataFrame(
        {name: _ranks(composite_index(values, w)) for name, w in all_scen.items()},
        index=values.index,
    )
    n_valid = int(ranks["basis"].notna().sum())
    if top_n is None:
        top_n = int(min(10, max(1, n_valid // 5)))
    basis = ranks["basis"]
    top_basis = set(basis.index[basis <= top_n])
    rows = {}
    for name in ranks.columns:
        shift = (ranks[name] - basis).abs()
        top = set(ranks.index[ranks[name] <= top_n])
        rows[name] = {
            "rangcorrelatie": _spearman(basis, ranks[name]),
            "gemiddelde_verschuiving": float(shift.mean()) if shift.notna().any() else np.nan,
            "max_verschuiving": float(shift.max()) if shift.notna().any() else np.nan,
            "top_gelijk": len(top & top_basis) / len(top_basis) if top_basis else np.nan,
        }
    summary = pd.DataFrame.from_dict(rows, orient="index")
    per_area = pd.DataFrame(
        {
            "rang_basis": basis,
            "rang_min": ranks.min(axis=1),
            "rang_max": ranks.max(axis=1),
            "max_verschuiving": ranks.sub(basis, axis=0).abs().max(axis=1),
        },
        index=values.index,
    )
    return SensitivityReport(ranks=ranks, summary=summary, per_area=per_area, top_n=top_n)
