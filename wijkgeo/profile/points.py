"""Which figures a profile calls a strength or an attention point: one documented rule.

The rule is data (``teksten.json``, section ``punten_regel``) and the page prints it in
words (:func:`explanation`). A directional indicator counts when ALL of these hold:

1. **relative**: it differs from the gemeente's own figure by at least ``min_relatief``
   (0.10 = 10 %) of that figure;
2. **absolute**: the difference is at least ``min_absoluut`` for its unit (2 procentpunt,
   0,3 km, 2,5 per 1.000 inwoners ...), so "0,8 km against 0,6 km" is not a point however
   large the ratio;
3. **position**: the area lies in the most favourable (strength) or least favourable
   (attention) ``uiterste_deel`` (0.4 = 40 %) of the gemeente's buurten (or wijken), by the
   rank of :func:`wijkgeo.indicators.rank_within`. An area without a rank (a single wijk)
   is judged on 1 and 2 only.

**Similar areas** (``punten_regel.vergelijkbaar``): when the store holds the national
reference, a figure also counts when it stands out the same three ways against the peers of
"Buurten zoals deze" (:mod:`wijkgeo.profile.peers`): relative and absolute difference with
the peers' median, and a position in the most or least favourable ``uiterste_deel`` of the
area and its peers (:func:`judge_peers`). A buurt clearly worse than its peers but close to
the gemeente's average so gets the point, and the page says which comparison it used.

There is no cap: every figure that passes is listed, the most extreme position first (then
the largest relative difference), so a clear gap (Tarwewijk's bijstand, 60 against 50 per
1.000 inwoners) is never pushed off the list by others.

Examples
--------
>>> from wijkgeo.profile.points import judge
>>> judge(60.0, 50.15, 53, 77, "per 1.000 inwoners", -1)
'aandacht'
>>> judge(0.8, 0.6, 54, 84, "km", -1) is None        # 0,2 km: too small to matter
True
"""

from __future__ import annotations

import json
import math
from functools import cache
from importlib import resources
from typing import Any

from .. import text

__all__ = ["basis", "explanation", "judge", "judge_peers", "order", "rule"]


@cache
def _teksten() -> dict[str, Any]:
    # read here, not through .content (which imports this module): no import cycle
    return json.loads(resources.files(__package__).joinpath("teksten.json").read_text("utf-8"))


def rule() -> dict[str, Any]:
    """The rule's numbers from ``teksten.json`` (``punten_regel``).

    Examples
    --------
    >>> rule()["min_relatief"]
    0.1
    """
    return json.loads(json.dumps(_teksten()["punten_regel"]))


def _min_abs(unit: str, numbers: dict[str, Any]) -> float:
    table = numbers["min_absoluut"]
    return float(table.get(unit, table.get("_", 0)))


def _bad(x: Any) -> bool:
    try:
        return x is None or math.isnan(float(x))
    except (TypeError, ValueError):
        return True


def position(rank: Any, of: Any) -> float | None:
    """0 = the most favourable area of the gemeente, 1 = the least; None without a rank.

    Examples
    --------
    >>> position(1, 84), position(84, 84), position(1, 1)
    (0.0, 1.0, None)
    """
    if _bad(rank) or _bad(of) or float(of) < 2:
        return None
    return (float(rank) - 1) / (float(of) - 1)


def judge(
    value: Any,
    gemeente: Any,
    rank: Any,
    of: Any,
    unit: str,
    sign: int,
    numbers: dict[str, Any] | None = None,
) -> str | None:
    """``"kracht"``, ``"aandacht"`` or None for one figure, by the rule (module docstring).

    ``sign`` is +1 when higher is better, -1 when higher asks attention.

    Examples
    --------
    >>> judge(23.4, 16.0, 18, 84, "aantal", 1)
    'kracht'
    >>> judge(8.0, 6.0, 10, 80, "%", -1) is None   # worse than average, yet a good position
    True
    """
    numbers = numbers or rule()
    if sign == 0 or _bad(value) or _bad(gemeente) or float(gemeente) == 0:
        return None
    diff = (float(value) - float(gemeente)) * sign
    if abs(diff) / abs(float(gemeente)) < float(numbers["min_relatief"]):
        return None
    if abs(diff) < _min_abs(unit, numbers):
        return None
    side = "kracht" if diff > 0 else "aandacht"
    pos = position(rank, of)
    edge = float(numbers["uiterste_deel"])
    if pos is not None and (pos > edge if side == "kracht" else pos < 1 - edge):
        return None
    return side


def judge_peers(
    value: Any,
    median: Any,
    rank: Any,
    of: Any,
    unit: str,
    sign: int,
    numbers: dict[str, Any] | None = None,
) -> str | None:
    """``"kracht"``, ``"aandacht"`` or None for one figure against its similar areas.

    ``median`` is the peers' median, ``rank``/``of`` the rank among the area and its peers
    (1 = most favourable). The rule's ``vergelijkbaar`` part replaces ``min_relatief`` and
    ``uiterste_deel``; the absolute minimum per unit is the same. No rank, no judgement.

    Examples
    --------
    >>> judge_peers(62.0, 45.0, 11, 11, "per 1.000 inwoners", -1)   # worse than all 10
    'aandacht'
    >>> judge_peers(62.0, 45.0, 6, 11, "per 1.000 inwoners", -1) is None  # in the middle
    True
    """
    numbers = numbers or rule()
    peers = numbers.get("vergelijkbaar") or {}
    if not peers.get("aan", True) or position(rank, of) is None:
        return None
    merged = dict(numbers)
    merged.update({k: v for k, v in peers.items() if not k.startswith("_")})
    return judge(value, median, rank, of, unit, sign, merged)


def basis(by_gemeente: str | None, by_peers: str | None) -> str | None:
    """Which comparison made a point: ``"gemeente"``, ``"vergelijkbaar"`` or ``"beide"``.

    The gemeente's judgement wins when the two disagree (the peer line then still says
    where the area stands among its peers).

    Examples
    --------
    >>> basis("aandacht", None), basis(None, "aandacht"), basis("aandacht", "aandacht")
    ('gemeente', 'vergelijkbaar', 'beide')
    >>> basis("kracht", "aandacht")
    'gemeente'
    """
    if by_gemeente and by_peers == by_gemeente:
        return "beide"
    if by_gemeente:
        return "gemeente"
    return "vergelijkbaar" if by_peers else None


def order(entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Most extreme position first, then the largest relative difference.

    Each entry holds ``position`` (or None) and ``relative`` (signed: + is favourable).

    Examples
    --------
    >>> [e["k"] for e in order([{"k": "a", "position": 0.7, "relative": -0.9},
    ...                         {"k": "b", "position": 0.9, "relative": -0.2}])]
    ['b', 'a']
    """

    def key(e: dict[str, Any]) -> tuple[float, float]:
        pos = e.get("position")
        extreme = 0.5 if pos is None else abs(float(pos) - 0.5)
        return (-extreme, -abs(float(e.get("relative", 0))))

    return sorted(entries, key=key)


def explanation(gemeente: str, niveaus: str, peers: dict[str, Any] | None = None) -> str:
    """The rule in words for the page (``punten.uitleg`` in ``teksten.json``).

    ``peers`` (``k``, ``titel``) when the points were also judged against similar areas:
    the sentence ``punten.uitleg_vergelijkbaar`` follows.

    Examples
    --------
    >>> "10%" in explanation("Rotterdam", "buurten")
    True
    >>> "van de 10" in explanation("Rotterdam", "buurten", {"k": 10, "titel": "Buurten zoals deze"})
    True
    """
    numbers = rule()
    examples = [
        text.quantity(
            numbers["min_absoluut"][unit],
            unit,
            0 if float(numbers["min_absoluut"][unit]).is_integer() else 1,
        )
        for unit in numbers["voorbeelden"]
        if unit in numbers["min_absoluut"]
    ]
    pct = float(numbers["min_absoluut"].get("%", 0))  # "2 procentpunten", "1 procentpunt"
    word = text.plural(2 if pct > 1 else 1, "procentpunt", with_number=False)
    examples = [e.replace("%", f" {word}") for e in examples]
    out = _teksten()["punten"]["uitleg"].format(
        pct=f"{round(100 * float(numbers['min_relatief']))}%",
        voorbeelden=", ".join(examples[:-1]) + " of " + examples[-1]
        if len(examples) > 1
        else "".join(examples),
        deel=f"{round(100 * float(numbers['uiterste_deel']))}%",
        gemeente=gemeente,
        niveaus=niveaus,
    )
    near = numbers.get("vergelijkbaar") or {}
    if peers and near.get("aan", True):
        k = int(peers["k"])
        out += " " + _teksten()["punten"]["uitleg_vergelijkbaar"].format(
            k=k,
            n=math.ceil((1 - float(near["uiterste_deel"])) * k),
            pct=f"{round(100 * float(near['min_relatief']))}%",
            niveaus=niveaus,
            titel=peers.get("titel", ""),
        )
    return out
