"""The conventions every wijkgeo module shares, typed once.

CRS, CBS's marker for secret values, the administrative levels with their code prefixes and
column names, and CBS's rounding to multiples of 5. Layers above import these instead of
typing their own copy.

Examples
--------
>>> from wijkgeo import conventions as cv
>>> cv.CRS
'EPSG:28992'
>>> cv.is_secret(-99997), cv.is_secret(0)
(True, False)
>>> cv.CODE_COLUMN["buurt"], cv.NAME_COLUMN["wijk"], cv.PREFIX["gemeente"]
('buurtcode', 'wijknaam', 'GM')
>>> cv.round5([12, 13, 2.4]).tolist()
[10.0, 15.0, 0.0]
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "AREA_LEVELS",
    "CODE_COLUMN",
    "CRS",
    "CRS_WGS84",
    "LEVELS",
    "NAME_COLUMN",
    "PARENTS",
    "PREFIX",
    "ROUNDING",
    "SECRET_THRESHOLD",
    "is_secret",
    "round5",
]

#: Every computation happens in Amersfoort / RD New (metres).
CRS = "EPSG:28992"
#: Only the map edge converts to WGS84 longitude/latitude.
CRS_WGS84 = "EPSG:4326"

#: CBS and PDOK write secret or unknown values as -99997 (and -99995, -99994, ...): any value
#: at or below this threshold is missing, never a number.
SECRET_THRESHOLD = -99990

#: All levels wijkgeo knows, from large to small.
LEVELS = ("nederland", "gemeente", "wijk", "buurt")
#: The levels that have boundaries (PDOK layers).
AREA_LEVELS = ("gemeente", "wijk", "buurt")
#: CBS code prefix per level (``GM0772``, ``WK077211``, ``BU07721100``).
PREFIX = {"nederland": "NL", "gemeente": "GM", "wijk": "WK", "buurt": "BU"}
#: The code and name columns of each area level (PDOK snake_case).
CODE_COLUMN = {"gemeente": "gemeentecode", "wijk": "wijkcode", "buurt": "buurtcode"}
NAME_COLUMN = {"gemeente": "gemeentenaam", "wijk": "wijknaam", "buurt": "buurtnaam"}
#: The levels above each area level, nearest first.
PARENTS = {"gemeente": (), "wijk": ("gemeente",), "buurt": ("wijk", "gemeente")}

#: CBS rounds counts below gemeente level to multiples of this number.
ROUNDING = 5


def is_secret(value: Any) -> bool:
    """Whether a number is CBS's marker for a secret or unknown value.

    Examples
    --------
    >>> is_secret(-99995), is_secret(-5)
    (True, False)
    """
    try:
        return float(value) <= SECRET_THRESHOLD
    except (TypeError, ValueError):
        return False


def round5(x: Any) -> Any:
    """Round to multiples of 5, as CBS does with counts below gemeente level.

    Examples
    --------
    >>> round5([7.4, 7.6]).tolist()
    [5.0, 10.0]
    """
    import numpy as np

    return np.round(np.asarray(x, float) / ROUNDING) * ROUNDING
