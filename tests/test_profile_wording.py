"""A profile reads as a careful civil servant writes it: amounts, units as words, ranks with
their direction, caveats that apply, no commands, true sources, no empty sections, Dutch
plurals, and strengths/attention points by the documented rule (wijkgeo/profile/points.py)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import wijkgeo
from wijkgeo import text
from wijkgeo.profile import build
from wijkgeo.profile.content import ProfileData
from wijkgeo.profile.points import explanation, judge
from wijkgeo.profile.words import applies

DEVELOPER = ("wijkgeo refresh", "`", "store", "docs/", "NaT", "laag bewonersinitiatieven", "sha256")


def _visible(html: str) -> str:
    body = html.split("<body", 1)[1]
    body = re.sub(r"<(style|script)\b.*?</\1>", " ", body, flags=re.S)
    body = re.sub(r"<[^>]+>", " ", body)
    return re.sub(r"\s+", " ", body)


def test_amounts_units_and_plurals():
    assert text.quantity(207, "x 1.000 euro") == "€ 207.000"
    assert text.quantity(23.4, "aantal", 1) == "23,4"
    assert text.plural(1, "project") == "1 lopend of gepland project"
    assert text.plural(2, "initiatief") == "2 actieve bewonersinitiatieven"
    assert text.table_unit("x 1.000 euro") == ""


def test_a_caveat_about_missing_values_only_beside_a_missing_value():
    caveat = "Voorlopige cijfers. Niet in elke jaargang van de Kerncijfers; ontbreekt dan."
    assert applies(caveat, missing=False) == "Voorlopige cijfers."
    assert "ontbreekt" in applies(caveat, missing=True)


def test_the_rule_weighs_relative_absolute_and_position():
    # Tarwewijk: bijstand 60 against 50 per 1.000, rank 53 of 77: a clear attention point
    assert judge(60.02, 50.15, 53, 77, "per 1.000 inwoners", -1) == "aandacht"
    # Kralingen-Oost: basisschool 0,8 km against 0,6 km is 33 % but only 0,2 km
    assert judge(0.8, 0.6, 54, 84, "km", -1) is None
    # big relative and absolute difference, but most buurten are worse: not an attention point
    assert judge(8.0, 6.0, 10, 80, "%", -1) is None
    # a single wijk has no rank: relative and absolute alone decide
    assert judge(30.0, 20.0, float("nan"), 1, "%", 1) == "kracht"
    words = explanation("Demodam", "buurten")
    assert "10%" in words and "0,3 km" in words and "2,5 per 1.000 inwoners" in words
    assert "minstens 2 procentpunten," in words  # read aloud: plural, never "2 procentpunt"


def test_a_caveat_names_the_area_by_its_level():
    from wijkgeo.indicators import get_indicator, registry

    ind = get_indicator("afstand_huisarts")
    assert "alle inwoners van de wijk tot" in ind.caveats_for("wijk")
    assert "alle inwoners van de buurt tot" in ind.caveats_for("buurt")
    # maps and exports show buurten and wijken alike: the neutral word
    assert "alle inwoners van het gebied tot" in ind.caveats
    assert ind.caveats == ind.caveats_for(None)
    for item in registry().values():  # every placeholder is filled, at every level
        for level in (None, "buurt", "wijk", "gemeente"):
            assert "{" not in item.caveats_for(level), (item.key, level)


def test_demo_pages_read_plainly(tmp_path):
    res = build(wijkgeo.make_demo(), path=tmp_path / "p", koppelkansen=False)
    for code, path in res.pages.items():
        page = _visible(path.read_text("utf-8"))
        assert not [w for w in DEVELOPER if w in page], (code, [w for w in DEVELOPER if w in page])
        assert "x 1.000 euro" not in page and " aantal " not in page.replace("Aantal", "")
        assert not re.search(r"\b1 (lopende|actieve|voorzieningen|punten)\b", page), code
        for rank in re.findall(r"plaats \d+ van \d+ [^;·]*[;·]?[^·]{0,30}", page):
            assert "1 = " in rank, (code, rank)
        assert "Niet in elke jaargang" not in page or "geen gegevens" in page
        if code.startswith("WK"):  # a wijk page names the wijk, never "de buurt" (round 3)
            assert "inwoners van de buurt" not in page and "een buurt sterk" not in page, code
    css = (Path(wijkgeo.__file__).parent / "profile" / "profiel.css").read_text("utf-8")
    assert re.search(r"\.index-list li \{[^}]*break-inside: avoid", css)


def test_a_gemeente_with_one_wijk_is_not_compared_with_itself(tmp_path):
    atlas = wijkgeo.make_demo()
    first = atlas.wijken["wijkcode"].iloc[0]
    atlas.wijken = atlas.wijken[atlas.wijken["wijkcode"] == first].reset_index(drop=True)
    atlas.buurten = atlas.buurten[atlas.buurten["wijkcode"] == first].reset_index(drop=True)
    page = ProfileData(atlas, koppelkansen=False).page(first)
    assert page["alone"] and page["kracht"] == [] and page["aandacht"] == []
    assert not [s for s in page["summary"] if "Vergeleken met" in s or "gunstiger" in s]


@pytest.mark.realdata
@pytest.mark.slow
def test_tarwewijk_and_kralingen_oost_on_real_rotterdam(realdata, tmp_path):
    from _wijkbuurtkaart import build_wijkbuurtkaart

    from wijkgeo.refresh import import_wijkbuurtkaart

    gpkg = build_wijkbuurtkaart(realdata, tmp_path / "wbk.gpkg", gemeenten=["GM0599"])
    import_wijkbuurtkaart(gpkg, "GM0599", 2024, store=tmp_path / "store")
    atlas = wijkgeo.load("GM0599", 2024, store=tmp_path / "store")
    data = ProfileData(atlas, koppelkansen=False)
    tarwe = data.page("BU05991571")
    assert "bijstand_per_1000" in [p["key"] for p in tarwe["aandacht"]]  # never capped away
    kralingen = data.page("BU05990842")
    assert "afstand_basisschool" not in [p["key"] for p in kralingen["aandacht"]]
    res = build(atlas, ["BU05991571", "BU05990842"], path=tmp_path / "p", koppelkansen=False)
    for path in res.pages.values():
        page = _visible(path.read_text("utf-8"))
        assert "€ 207.000" in page or "Kralingen" in page
        assert "OData" not in page  # the figures came from the imported file
        assert "wbk.gpkg" in page
        assert "Hoe gekozen" in page
        assert not [w for w in DEVELOPER if w in page]
        # read aloud: an imported file was read in, each period of a source once, no "0 punten"
        assert "Ingelezen op" in page and "Opgehaald op" not in page
        assert not re.search(r"\((2024); [^)]*; \1;", page), "a period named twice"
        assert not re.search(r"\b0 (punten|actieve|lopende)\b", page)
    # Kralingen-Oost (8.685 inwoners) is no small buurt: no rounding caveat for small buurten
    caveats = [p["caveat"] for p in kralingen["kracht"] + kralingen["aandacht"]]
    assert caveats and not [c for c in caveats if "kleine buurten" in c], caveats


def test_where_a_koppelkans_applies_reads_as_places():
    import pandas as pd

    from wijkgeo.profile.sections import _places

    group = pd.DataFrame(
        {
            "niveau": ["buurt", "buurt", "buurt", "vierkant", "vierkant", "wijk"],
            "naam": ["Oud Charlois", "Pendrecht", "Carnisse", None, None, "Charlois"],
            "code": ["BU1", "BU2", "BU3", "E0915N4345", "E0920N4315", "WK1"],
        }
    )
    assert _places(group) == [
        "in de buurten Oud Charlois, Pendrecht en Carnisse",
        "in 2 vierkanten van 500 m",
        "wijk Charlois",
    ]
    assert _places(group.iloc[[0, 3]]) == ["in buurt Oud Charlois", "in vierkant E0915N4345"]


def test_change_reads_with_sign_unit_and_plural():
    assert text.change(2, "%") == "+2 procentpunten"
    assert text.change(-1, "%") == "\u22121 procentpunt"
    assert text.change(0, "%") == "gelijk"
    assert text.change(12, "x 1.000 euro") == "+€ 12.000"


def test_wijk_table_names_a_column_without_figures_once():
    from wijkgeo.profile.sections import _spread_wijk

    atlas = wijkgeo.make_demo()
    data = ProfileData(atlas, koppelkansen=False)
    wijk = "WK999902"
    mine = [b for b, w in data.wijk_of.items() if w == wijk]
    key = "aandeel_corporatiewoningen"
    data.tables["buurt"].loc[mine, key] = float("nan")
    spread = _spread_wijk(data, wijk, "Duinrand")
    assert "Corporatiewoningen" not in spread["headers"], spread["headers"]
    assert spread["note"] == "Niet in deze gegevens: Corporatiewoningen."
    assert all(len(r) == len(spread["headers"]) for r in spread["rows"])


def test_one_attention_point_is_het_punt_dat():
    from wijkgeo.profile.words import _t

    def sentence(n: int) -> str:
        return _t(
            "samenvatting.punten",
            kracht="geen punten",
            aandacht=text.plural(n, "punt"),
            die=text.plural(n, "dat_die", with_number=False),
            vraagt=text.plural(n, "vraagt", with_number=False),
            naam="X",
            gemeente="Y",
        )

    assert sentence(1).endswith("en 1 punt dat aandacht vraagt.")
    assert sentence(6).endswith("en 6 punten die aandacht vragen.")
