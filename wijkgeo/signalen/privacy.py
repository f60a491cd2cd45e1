"""Publish case counts so that no small number can be read from them, alone or together.

The rule (from the issue, and why):

* a buurt cell (buurt x theme x period) is published only when its true count is at least
  the threshold (default 10, never below 5); it is then rounded to a multiple of 5;
* a cell below the threshold is simply absent: it cannot be told apart from zero;
* every total (the buurt's "alle thema's", a wijk, the gemeente) is the SUM OF THE
  PUBLISHED CELLS below it, never the true total. A true total beside suppressed cells
  gives the suppressed ones away by subtraction (wijk minus its published buurten), and two
  runs (with and without one buurt or one period) give it away by difference.

Each published number is therefore a function of its own cell (or of published cells
only), so any sum or difference of published numbers, within one output or across runs on
overlapping data, is again a sum or difference of published cells: each 0 or >= threshold.

Examples
--------
>>> import pandas as pd
>>> counts = pd.DataFrame({"buurtcode": ["BU1", "BU2", "BU3"], "wijkcode": ["WK1"] * 3,
...                        "periode": [2024] * 3, "thema": ["schulden"] * 3, "n": [12, 4, 23]})
>>> cells = publish(counts, gemeente="GM1", threshold=10)
>>> cells[["niveau", "code", "thema", "aantal"]].values.tolist()  # doctest: +NORMALIZE_WHITESPACE
[['buurt', 'BU1', 'schulden', 10], ['buurt', 'BU1', 'totaal', 10],
 ['buurt', 'BU3', 'schulden', 25], ['buurt', 'BU3', 'totaal', 25],
 ['wijk', 'WK1', 'schulden', 35], ['wijk', 'WK1', 'totaal', 35],
 ['gemeente', 'GM1', 'schulden', 35], ['gemeente', 'GM1', 'totaal', 35]]
"""

from __future__ import annotations

import pandas as pd

from .._errors import ConfigError

__all__ = ["MIN_THRESHOLD", "ROUND_TO", "TOTAL", "check_threshold", "publish", "round_to"]

#: No threshold below this is accepted.
MIN_THRESHOLD = 5
#: Published counts are multiples of this.
ROUND_TO = 5
#: Theme key of the "alle thema's" total.
TOTAL = "totaal"
_COLUMNS = ["niveau", "code", "wijkcode", "periode", "thema", "aantal"]


def check_threshold(threshold: int) -> int:
    """``threshold`` as int, or a ConfigError when it is below :data:`MIN_THRESHOLD`.

    Examples
    --------
    >>> check_threshold(10)
    10
    """
    value = int(threshold)
    if value < MIN_THRESHOLD:
        raise ConfigError(
            f"drempel {value} is te laag: kleine aantallen maken personen herkenbaar; "
            f"kies {MIN_THRESHOLD} of hoger (standaard 10)."
        )
    return value


def round_to(n: pd.Series, base: int = ROUND_TO) -> pd.Series:
    """Round counts to the nearest multiple of ``base`` (halves up).

    Examples
    --------
    >>> round_to(pd.Series([10, 12, 13, 17, 18])).tolist()
    [10, 10, 15, 15, 20]
    """
    return ((n.astype("int64") + base // 2) // base) * base


def publish(counts: pd.DataFrame, *, gemeente: str, threshold: int = 10) -> pd.DataFrame:
    """The publishable cells of true counts per buurt, theme and period.

    Parameters
    ----------
    counts : DataFrame
        Columns ``buurtcode``, ``wijkcode``, ``periode``, ``thema``, ``n`` (the true count;
        one row per buurt, period and theme).
    gemeente : str
        Code of the gemeente row.
    threshold : int, default 10
        Smallest count that is published (at least :data:`MIN_THRESHOLD`).

    Returns
    -------
    DataFrame
        Columns ``niveau`` (buurt, wijk, gemeente), ``code``, ``wijkcode`` (buurt rows),
        ``periode``, ``thema`` (theme keys plus :data:`TOTAL`), ``aantal``: only published
        cells, every value >= ``threshold`` and a multiple of 5.
    """
    threshold = check_threshold(threshold)
    c = counts.loc[counts["n"] >= threshold, ["buurtcode", "wijkcode", "periode", "thema", "n"]]
    buurt = c.assign(aantal=round_to(c["n"])).drop(columns="n")
    # the buurt total over themes: only the published cells
    tot = buurt.groupby(["buurtcode", "wijkcode", "periode"], as_index=False)["aantal"].sum()
    buurt = pd.concat([buurt, tot.assign(thema=TOTAL)], ignore_index=True)
    wijk = buurt.groupby(["wijkcode", "periode", "thema"], as_index=False)["aantal"].sum()
    gem = wijk.groupby(["periode", "thema"], as_index=False)["aantal"].sum()
    out = pd.concat(
        [
            buurt.rename(columns={"buurtcode": "code"}).assign(niveau="buurt"),
            wijk.assign(niveau="wijk", code=wijk["wijkcode"], wijkcode=pd.NA),
            gem.assign(niveau="gemeente", code=gemeente, wijkcode=pd.NA),
        ],
        ignore_index=True,
    )[_COLUMNS]
    order = {"buurt": 0, "wijk": 1, "gemeente": 2}
    out["_l"] = out["niveau"].map(order)
    out["_t"] = out["thema"].eq(TOTAL)
    out = out.sort_values(["_l", "code", "periode", "_t", "thema"], kind="stable")
    out = out.drop(columns=["_l", "_t"]).reset_index(drop=True)
    out["aantal"] = out["aantal"].astype("int64")
    out["periode"] = out["periode"].astype("int64")
    return out
