"""Loading koppelkansen rules stays linear in the number of rules (issue 25).

Run ``python benchmarks/rules_parse.py``. Times checking and parsing a rules file of 1,000
and of 10,000 rules (``validate_rules_text``: TOML syntax, field names, line numbers, every
indicator checked against the register) against plain ``tomllib.loads`` of the same text,
the floor any TOML user pays, and prints the growth from 1,000 to 10,000 rules (10 is
linear). Before the fix (a linear search for the next table header per key) loading grew
quadratically: 1,000 rules 1 s, 10,000 rules 131 s.

Measured (2 shared cores, Python 3.11)::

    regels   wijkgeo s   tomllib s   wijkgeo/tomllib
      1000        0.41        0.11      3.6
     10000        4.66        0.97      4.8
    groei 1000 -> 10000: wijkgeo 11.5x, tomllib 8.6x (10x = lineair)
"""

from __future__ import annotations

import time

try:
    import tomllib
except ModuleNotFoundError:  # pragma: no cover - Python 3.10
    import tomli as tomllib

from wijkgeo.koppelkansen.validate import validate_rules_text


def rules(n: int) -> str:
    """A rules file of ``n`` valid rules with one threshold condition each."""
    block = (
        '[[regel]]\nsleutel = "r{i}"\ntitel = "Regel {i}"\nbeschrijving = "Een proef."\n'
        'niveau = "buurt"\nbron = "proef"\n[[regel.conditie]]\nsoort = "drempel"\n'
        'indicator = "aandeel_65_plus"\nwaarde = 25\n'
    )
    return "\n".join(block.format(i=i) for i in range(n))


def timed(func, text: str) -> float:
    start = time.perf_counter()
    func(text)
    return time.perf_counter() - start


def main() -> None:
    print(f"{'regels':>6}   {'wijkgeo s':>9}   {'tomllib s':>9}   wijkgeo/tomllib")
    results = {}
    for n in (1000, 10000):
        text = rules(n)
        ours = timed(lambda t: validate_rules_text(t, "bench.toml"), text)
        floor = timed(tomllib.loads, text)
        results[n] = (ours, floor)
        print(f"{n:>6}   {ours:>9.2f}   {floor:>9.2f}   {ours / floor:>6.1f}")
    (a, fa), (b, fb) = results[1000], results[10000]
    print(f"groei 1000 -> 10000: wijkgeo {b / a:.1f}x, tomllib {fb / fa:.1f}x (10x = lineair)")


if __name__ == "__main__":
    main()
