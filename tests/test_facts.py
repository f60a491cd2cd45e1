"""The fact model: "wat er al is" is one rule, and every output says the same."""

from __future__ import annotations

import json

import pytest

import wijkgeo
from wijkgeo.facts.present import reference_date, what_is_here
from wijkgeo.koppelkansen import evaluate
from wijkgeo.profile.content import ProfileData


@pytest.fixture(scope="module")
def demo():
    return wijkgeo.make_demo()


def _names_in(texts: list[str], names: list[str]) -> list[str]:
    """Match each koppelkansen text ("Naam (details)") to a profile name; unmatched stay."""
    left = sorted(names, key=len, reverse=True)
    out = []
    for t in texts:
        # "Naam (loopt af op ...)", "Naam – bereikt: ..." (what an initiative achieved)
        hit = next((n for n in left if t == n or t.startswith((n + " (", n + " – "))), None)
        if hit is None:
            out.append(f"?{t}")
        else:
            left.remove(hit)
            out.append(hit)
    return sorted(out)


@pytest.mark.parametrize("peildatum", [None, "2025-06-01"])
def test_koppelkansen_and_profile_agree_on_what_is_here(demo, peildatum):
    res = evaluate(demo, peildatum=peildatum)
    data = ProfileData(demo, None, res, peildatum=peildatum)
    rows = [r for f in (res.matches, res.near_misses) for r in f.itertuples(index=False)]
    checked = 0
    for r in rows:
        if r.niveau not in ("buurt", "wijk"):
            continue
        present = data.page(r.code)["present"]
        for key in ("initiatieven", "voorzieningen", "projecten"):
            items = present[key]["items"] or []
            kk = list(getattr(r, key))
            if key == "voorzieningen":  # one line per category on the page: "cat (n)"
                page = sorted((g["name"].rsplit(" (", 1)[0], int(g["name"].rsplit("(")[-1][:-1]))
                              for g in items)
                cats: dict[str, int] = {}
                for t in kk:
                    cat = t.rsplit(" (", 1)[1][:-1]
                    cats[cat] = cats.get(cat, 0) + 1
                assert page == sorted(cats.items()), (r.code, kk, page)
                continue
            names = [i["name"] for i in items]
            assert _names_in(kk, names) == sorted(names), (r.code, key, kk, names)
        checked += 1
    assert checked >= 20  # every buurt and wijk with a koppelkans or near miss


def test_the_reference_date_moves_what_is_active(demo):
    early = what_is_here(demo, "buurt", peildatum="2022-07-01")
    later = what_is_here(demo, "buurt", peildatum="2025-06-01")
    a = {(c, r["naam"]) for c in early.codes for r in early.of(c)["initiatieven"]}
    b = {(c, r["naam"]) for c in later.codes for r in later.of(c)["initiatieven"]}
    assert a != b
    init = demo.local["bewonersinitiatieven"]
    afgerond = set(init.loc[init["status"] == "afgerond", "naam"])
    assert not {n for _c, n in a | b} & afgerond
    assert reference_date(demo) == reference_date(demo, demo.meta["peildatum"])


def test_what_is_here_is_json(demo):
    here = what_is_here(demo, "wijk")
    data = json.loads(json.dumps(here.to_dict()))
    assert data["nabij_meter"] == 250
    some = next(v for v in data["per_gebied"].values() if v["projecten"])
    rec = some["projecten"][0]
    assert {"naam", "laag", "binnen", "afstand", "index"} <= set(rec)
    assert rec["binnen"] or 0 < rec["afstand"] <= 250


def test_cli_map_and_profile_take_peildatum():
    from wijkgeo.cli import build_parser

    parser = build_parser()
    for cmd in ("map", "profile", "koppelkansen"):
        args = parser.parse_args([cmd, "GM9999", "--jaar", "2024", "--peildatum", "2025-06-01"])
        assert args.peildatum == "2025-06-01"


def test_the_fact_model_per_level_is_computed_once_and_is_json(demo):
    from dataclasses import replace

    from wijkgeo.facts import build_facts
    from wijkgeo.series import AtlasSeries

    old = replace(demo, meta={**demo.meta, "year": 2022})
    b = old.buurten.copy()
    b.loc[b["buurtcode"] == "BU99990201", "aantal_inwoners"] -= 40
    old = replace(old, buurten=b)
    facts = build_facts(AtlasSeries([old, demo]), ["aandeel_65_plus", "inwoners"],
                        koppelkansen=False)
    assert facts.previous_year == 2022 and facts.directions()["aandeel_65_plus"] in (-1, 0, 1)
    assert set(facts.levels) == {"buurt", "wijk", "vierkant"}
    buurt = facts.levels["buurt"]
    assert {"aandeel_65_plus_gemeente", "aandeel_65_plus_nederland", "aandeel_65_plus_rang"} <= set(
        buurt.table.columns)
    assert buurt.change.loc["BU99990201", "inwoners_verandering"] == 40
    assert facts.levels["vierkant"].table["inwoners"].notna().any()
    # cell shares from the one buurt-cell table: a buurt's shares of its own area sum to 1
    shares = facts.cells.groupby("buurtcode")["buurt_in_cel"].sum()
    assert ((shares > 0.999) & (shares < 1.001)).mean() > 0.9
    data = json.loads(json.dumps(facts.to_dict()))
    assert data["vorig_jaar"] == 2022 and data["niveaus"]["buurt"]["aanwezig"]
