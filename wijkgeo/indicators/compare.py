"""Fair comparisons per area: with the gemeente and Nederland, within the gemeente, with similar
areas, and with the area's own past.

Comparing a buurt only with the city average misleads. These functions put a buurt next to
(1) the figures CBS publishes for the whole gemeente and for Nederland (the CBS rows, never a
mean of buurt means), (2) its rank within its gemeente, respecting the indicator's direction,
(3) the buurten most like it on a standardised profile, and (4) its own earlier value where
its boundary did not change. All functions take indicator values as produced by
:func:`wijkgeo.indicators.compute` and return DataFrames indexed like their input.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from .. import text
from .._errors import ConfigError, DataValidationError
from .compute import compute
from .registry import get_indicator
from .similar import nearest_neighbours

if TYPE_CHECKING:  # pragma: no cover
    from ..atlas import Atlas

__all__ = [
    "change_since",
    "comparison_table",
    "difference_from",
    "rank_within",
    "reference_values",
    "similar_areas",
    "similar_table",
    "standardise",
]

log = logging.getLogger(__name__)

_ID_BY_LEVEL = {"buurt": "buurtcode", "wijk": "wijkcode"}


def _keys(values: pd.DataFrame, keys: Iterable[str] | None) -> list[str]:
    if keys is None:
        from .registry import registry

        known = registry()
        return [c for c in values.columns if c in known]
    keys = list(keys)
    for key in keys:
        get_indicator(key)  # raises ConfigError for unknown keys
        if key not in values.columns:
            raise DataValidationError(
                f"Kolom {key!r} ontbreekt in de indicatorwaarden; bereken hem eerst met compute()."
            )
    return keys


def _has_nederland_row(tables: dict[str, Any]) -> bool:
    return any(
        "code" in t.columns and (t["code"].astype(str) == "NL00").any()
        for t in tables.values()
        if isinstance(t, pd.DataFrame)
    )


def reference_values(atlas: Atlas, keys: Iterable[str] | None = None) -> pd.DataFrame:
    """Indicator values of the gemeente and of Nederland, from their own CBS rows.

    The gemeente value is computed on ``atlas.gemeente`` (the figures CBS publishes for the
    whole gemeente), the Nederland value on ``atlas.nederland``; never as a mean of buurt
    values, which would weigh a buurt of 50 inwoners like one of 5,000.

    Parameters
    ----------
    atlas : Atlas
        The gemeente; ``atlas.nederland`` may be None (the row is then all NaN).
    keys : iterable of str, optional
        Indicator keys; default all.

    Returns
    -------
    DataFrame
        Index ``["gemeente", "nederland"]``, one column per indicator.

    Examples
    --------
    >>> import wijkgeo
    >>> from wijkgeo.indicators.compare import reference_values
    >>> ref = reference_values(wijkgeo.make_demo(), ["aandeel_65_plus"])  # doctest: +SKIP
    """
    keys = None if keys is None else list(keys)
    gem = compute(atlas.gemeente, keys, level="gemeente", local=atlas.local)
    if len(gem) != 1:
        raise DataValidationError(
            f"atlas.gemeente heeft {len(gem)} rijen; verwacht precies één (de hele gemeente)."
        )
    rows = [gem.iloc[0].rename("gemeente")]
    # tables kept per area code (RIVM estimates hold a row NL00); no point layers
    tables = {k: v for k, v in atlas.local.items() if not hasattr(v, "geometry")}
    nl_frame = atlas.nederland
    if (nl_frame is None or not len(nl_frame)) and _has_nederland_row(tables):
        nl_frame = pd.DataFrame({"code": ["NL00"]})  # only the estimates have a value then
    if nl_frame is not None and len(nl_frame):
        nl = compute(nl_frame, keys, level="nederland", local=tables)
        rows.append(nl.iloc[0].rename("nederland"))
    else:
        rows.append(pd.Series(np.nan, index=gem.columns, name="nederland"))
    return pd.DataFrame(rows)


def difference_from(
    values: pd.DataFrame, reference: pd.Series, keys: Iterable[str] | None = None
) -> pd.DataFrame:
    """Difference of each area's value from a reference value (area minus reference).

    Parameters
    ----------
    values : DataFrame
        Indicator values per area (``compute`` output).
    reference : Series
        One value per indicator, e.g. ``reference_values(atlas).loc["gemeente"]``.
    keys : iterable of str, optional
        Indicators; default all indicator columns of ``values``.

    Returns
    -------
    DataFrame
        Indexed like ``values``; positive means the area is higher than the reference.

    Examples
    --------
    >>> import pandas as pd
    >>> v = pd.DataFrame({"aandeel_65_plus": [20.0, 31.0]})
    >>> difference_from(v, pd.Series({"aandeel_65_plus": 18.0}))["aandeel_65_plus"].tolist()
    [2.0, 13.0]
    """
    keys = _keys(values, keys)
    ref = pd.to_numeric(reference.reindex(keys), errors="coerce")
    return values[keys].astype("float64").sub(ref, axis=1)


def rank_within(
    values: pd.DataFrame,
    keys: Iterable[str] | None = None,
    *,
    groups: pd.Series | None = None,
) -> pd.DataFrame:
    """Rank of each area within its group (e.g. its gemeente); 1 is the most favourable.

    For ``hoger_is_beter`` the highest value gets rank 1, for ``hoger_is_slechter`` the
    lowest. A ``neutraal`` indicator has no favourable end: rank 1 is then simply the highest
    value. Ties share the best rank (``min``); missing values get no rank (NaN).

    Parameters
    ----------
    values : DataFrame
        Indicator values per area.
    keys : iterable of str, optional
        Indicators; default all indicator columns.
    groups : Series, optional
        Group label per area (e.g. ``buurten["gemeentecode"]``); default one group.

    Returns
    -------
    DataFrame
        Indexed like ``values``; one float column of ranks per indicator.

    Examples
    --------
    >>> import pandas as pd
    >>> v = pd.DataFrame({"afstand_huisarts": [0.4, 1.2, 0.8]})
    >>> rank_within(v)["afstand_huisarts"].tolist()
    [1.0, 3.0, 2.0]
    """
    keys = _keys(values, keys)
    out = {}
    for key in keys:
        ascending = get_indicator(key).direction == "hoger_is_slechter"
        col = values[key].astype("float64")
        if groups is None:
            out[key] = col.rank(method="min", ascending=ascending)
        else:
            g = pd.Series(np.asarray(groups), index=values.index)
            out[key] = col.groupby(g).rank(method="min", ascending=ascending)
    return pd.DataFrame(out, index=values.index)


def comparison_table(
    atlas: Atlas, keys: Iterable[str] | None = None, *, level: str = "buurt"
) -> pd.DataFrame:
    """Per area and indicator: value, gemeente, Nederland, the differences and the rank.

    Columns per indicator ``k``: ``k``, ``k_gemeente``, ``k_verschil_gemeente``,
    ``k_nederland``, ``k_verschil_nederland``, ``k_rang`` (1 = most favourable, see
    :func:`rank_within`) and ``k_rang_van`` (how many areas have a value).

    Parameters
    ----------
    atlas : Atlas
        The gemeente.
    keys : iterable of str, optional
        Indicator keys; default all.
    level : {"buurt", "wijk"}
        Compare buurten or wijken.

    Returns
    -------
    DataFrame
        Indexed like ``atlas.buurten`` (or ``atlas.wijken``).

    Examples
    --------
    >>> import wijkgeo
    >>> from wijkgeo.indicators.compare import comparison_table
    >>> tab = comparison_table(wijkgeo.make_demo(), ["aandeel_65_plus"])  # doctest: +SKIP
    """
    if level not in _ID_BY_LEVEL:
        raise ConfigError(f"Vergelijken kan per buurt of wijk, niet per {level!r}.")
    frame = atlas.buurten if level == "buurt" else atlas.wijken
    values = compute(frame, keys, level=level, local=atlas.local)
    keys = list(values.columns)
    ref = reference_values(atlas, keys)
    d_gem = difference_from(values, ref.loc["gemeente"], keys)
    d_nl = difference_from(values, ref.loc["nederland"], keys)
    groups = frame["gemeentecode"] if "gemeentecode" in frame.columns else None
    ranks = rank_within(values, keys, groups=groups)
    cols: dict[str, pd.Series] = {}
    for key in keys:
        counted = values[key].notna()
        n = counted.groupby(np.asarray(groups)).transform("sum") if groups is not None else None
        cols[key] = values[key]
        cols[f"{key}_gemeente"] = pd.Series(ref.at["gemeente", key], index=values.index)
        cols[f"{key}_verschil_gemeente"] = d_gem[key]
        cols[f"{key}_nederland"] = pd.Series(ref.at["nederland", key], index=values.index)
        cols[f"{key}_verschil_nederland"] = d_nl[key]
        cols[f"{key}_rang"] = ranks[key]
        cols[f"{key}_rang_van"] = (
            n.astype("float64")
            if n is not None
            else pd.Series(float(counted.sum()), index=values.index)
        )
    return pd.DataFrame(cols, index=values.index)


def standardise(values: pd.DataFrame, keys: Sequence[str] | None = None) -> pd.DataFrame:
    """Z-scores per indicator over the rows given (mean 0, standard deviation 1, ddof 0).

    A column without spread becomes 0 everywhere (it cannot tell areas apart).

    Examples
    --------
    >>> import pandas as pd
    >>> standardise(pd.DataFrame({"inwoners": [1.0, 3.0]}))["inwoners"].tolist()
    [-1.0, 1.0]
    """
    keys = _keys(values, keys)
    x = values[keys].astype("float64")
    mean = x.mean()
    std = x.std(ddof=0)
    z = (x - mean) / std.where(std > 0)
    for key in keys:
        if not std[key] > 0:
            z[key] = x[key].where(x[key].isna(), 0.0)
    return z


def _ids(values: pd.DataFrame, ids: pd.Series | Sequence[str] | None) -> np.ndarray:
    if ids is None:
        return values.index.astype(str).to_numpy()
    arr = np.asarray(ids).astype(str)
    if len(arr) != len(values):
        raise DataValidationError("ids moet even lang zijn als de indicatorwaarden.")
    return arr


def similar_areas(
    values: pd.DataFrame,
    keys: Sequence[str],
    k: int = 5,
    *,
    ids: pd.Series | Sequence[str] | None = None,
) -> pd.DataFrame:
    """The k most similar areas of each area on a standardised profile of chosen indicators.

    For buurten across the whole country on the documented profile, use
    :func:`wijkgeo.indicators.similar.similar_buurten`; this is the ad-hoc variant on the
    rows and indicators you give. Each indicator is turned into z-scores over all rows
    given; similarity is the Euclidean distance between profiles (0 = identical). Areas
    with a missing value in the profile are left out, both as subject and as candidate
    (their columns are empty).

    Parameters
    ----------
    values : DataFrame
        Indicator values per area (e.g. all buurten of a gemeente or a region).
    keys : sequence of str
        The profile, e.g. ``["aandeel_65_plus", "aandeel_corporatiewoningen"]``.
    k : int
        How many similar areas.
    ids : Series or sequence of str, optional
        Area codes to report; default the index of ``values``.

    Returns
    -------
    DataFrame
        Indexed like ``values``: ``vergelijkbaar_1`` … ``vergelijkbaar_k`` (codes) and
        ``afstand_1`` … ``afstand_k`` (profile distances).

    Examples
    --------
    >>> import pandas as pd
    >>> v = pd.DataFrame({"aandeel_65_plus": [10.0, 11.0, 30.0]}, index=["A", "B", "C"])
    >>> similar_areas(v, ["aandeel_65_plus"], k=1)["vergelijkbaar_1"].tolist()
    ['B', 'A', 'B']
    """
    keys = _keys(values, keys)
    if not keys:
        raise ConfigError("Kies minstens één indicator voor het profiel.")
    names = _ids(values, ids)
    complete = values[keys].notna().all(axis=1).to_numpy()
    z = standardise(values.loc[complete], keys).to_numpy()
    idx, dist = nearest_neighbours(z, k)  # the one neighbour search (k-d tree, exact)
    sub_names = names[complete]
    out = pd.DataFrame(index=values.index)
    for j in range(k):
        codes = np.full(len(values), None, dtype=object)
        dists = np.full(len(values), np.nan)
        col = idx[:, j]  # -1 where there are fewer than k other areas
        codes[complete] = np.where(col >= 0, sub_names[np.clip(col, 0, None)], None)
        dists[complete] = dist[:, j]
        out[f"vergelijkbaar_{j + 1}"] = pd.Series(codes, index=values.index, dtype=object)
        out[f"afstand_{j + 1}"] = dists
    return out


def similar_table(
    values: pd.DataFrame,
    target: str,
    keys: Sequence[str],
    k: int = 5,
    *,
    ids: pd.Series | Sequence[str] | None = None,
) -> pd.DataFrame:
    """One area and its k most similar areas, with their indicator values side by side.

    Parameters
    ----------
    values : DataFrame
        Indicator values per area.
    target : str
        Code of the area (an entry of ``ids`` or of the index).
    keys, k, ids
        As in :func:`similar_areas`.

    Returns
    -------
    DataFrame
        Index: the codes (target first); columns ``afstand`` and the indicator values.

    Examples
    --------
    >>> import pandas as pd
    >>> v = pd.DataFrame({"aandeel_65_plus": [10.0, 11.0, 30.0]}, index=["A", "B", "C"])
    >>> similar_table(v, "A", ["aandeel_65_plus"], k=1).index.tolist()
    ['A', 'B']
    """
    names = _ids(values, ids)
    hits = np.flatnonzero(names == str(target))
    if not len(hits):
        raise DataValidationError(f"Gebied {target!r} staat niet in de indicatorwaarden.")
    sim = similar_areas(values, keys, k, ids=names)
    row = sim.iloc[hits[0]]
    codes = [str(target)] + [row[f"vergelijkbaar_{j + 1}"] for j in range(k)]
    dists = [0.0] + [row[f"afstand_{j + 1}"] for j in range(k)]
    codes_ok = [(c, d) for c, d in zip(codes, dists, strict=True) if c is not None]
    by_code = pd.DataFrame(values[list(keys)].to_numpy(), index=names, columns=list(keys))
    by_code = by_code[~by_code.index.duplicated()]
    table = by_code.loc[[c for c, _ in codes_ok]].copy()
    table.insert(0, "afstand", [d for _, d in codes_ok])
    return table


def change_since(
    current: pd.DataFrame,
    earlier: pd.DataFrame,
    keys: Sequence[str],
    *,
    unchanged: Iterable[str],
    id_col: str = "buurtcode",
    level: str = "buurt",
) -> pd.DataFrame:
    """Change of each area's indicators since an earlier year, only where the boundary held.

    Codes are re-used across years with another meaning (a redrawn buurt keeps its code), so
    the caller says which codes kept their boundary (``unchanged``, from
    :func:`wijkgeo.changes.unchanged_codes`, the one answer to "did this boundary change?").
    Other areas get no change value and are flagged.

    Parameters
    ----------
    current, earlier : DataFrame
        Frames of the two years with ``id_col`` and either the indicator columns or the KWB
        columns to compute them from.
    keys : sequence of str
        Indicators.
    unchanged : iterable of str
        Codes whose boundary did not change between the two years.
    id_col : str
        Code column (``buurtcode``).
    level : str
        Level of the rows (for computing indicators that are not present yet).

    Returns
    -------
    DataFrame
        Indexed like ``current``: ``k_vorig``, ``k_verandering`` per indicator,
        ``grens_ongewijzigd`` (bool) and ``opmerking`` (Dutch; None when comparable).

    Examples
    --------
    >>> import pandas as pd
    >>> now = pd.DataFrame({"buurtcode": ["BU1", "BU2"], "aandeel_65_plus": [22.0, 15.0]})
    >>> then = pd.DataFrame({"buurtcode": ["BU1", "BU2"], "aandeel_65_plus": [20.0, 14.0]})
    >>> ch = change_since(now, then, ["aandeel_65_plus"], unchanged={"BU1"})
    >>> ch["aandeel_65_plus_verandering"].tolist()
    [2.0, nan]
    """
    keys = list(keys)
    for frame, name in ((current, "huidige"), (earlier, "eerdere")):
        if id_col not in frame.columns:
            raise DataValidationError(f"Het {name} jaar mist de kolom {id_col!r}.")

    def values_of(frame: pd.DataFrame) -> pd.DataFrame:
        missing = [k for k in keys if k not in frame.columns]
        vals = frame[[k for k in keys if k in frame.columns]].astype("float64")
        if missing:
            vals = vals.join(compute(frame, missing, level=level))
        return vals[keys]

    now = values_of(current)
    codes_now = current[id_col].astype(str).str.strip().to_numpy()
    codes_then = earlier[id_col].astype(str).str.strip()
    then = values_of(earlier)
    then.index = codes_then.to_numpy()
    then = then[~then.index.duplicated()]
    keep = {str(c).strip() for c in unchanged}
    ok = np.array([c in keep for c in codes_now])
    present = np.isin(codes_now, then.index.to_numpy())
    prev = then.reindex(codes_now)
    prev.index = current.index
    out: dict[str, object] = {}
    for key in keys:
        p = prev[key].where(ok)
        out[f"{key}_vorig"] = p
        out[f"{key}_verandering"] = now[key] - p
    changed = text.reason("boundary_changed")
    note = np.where(~present, "niet in het eerdere jaar", np.where(~ok, changed, None))
    out["grens_ongewijzigd"] = pd.Series(ok & present, index=current.index)
    out["opmerking"] = pd.Series(note, index=current.index, dtype=object)
    return pd.DataFrame(out, index=current.index)
