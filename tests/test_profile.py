"""Buurt- en wijkprofielen (wijkgeo.profile, issue 15).

Pages for every buurt and wijk of the demo; summary sentences against numbers computed by
hand from the raw columns; strengths and attention points follow each indicator's direction;
a buurt below the minimum population shows "te weinig inwoners" and no numbers; the year
comparison with a changed boundary; hostile names stay text (also in Chromium); printed PDFs
have 1 to 4 pages; real Rotterdam buurten without income data.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import wijkgeo
from wijkgeo import text
from wijkgeo.indicators import format_number, format_value, get_indicator
from wijkgeo.profile import build, check_codes
from wijkgeo.profile.content import ProfileData, additive, teksten
from wijkgeo.series import AtlasSeries

ARTIFACTS = Path(__file__).resolve().parent / "_artifacts"


@pytest.fixture(scope="module")
def demo():
    return wijkgeo.make_demo()


@pytest.fixture(scope="module")
def data(demo):
    return ProfileData(demo)


@pytest.fixture(scope="module")
def pages(demo, tmp_path_factory):
    out = tmp_path_factory.mktemp("profielen")
    return build(AtlasSeries.of(demo), path=out)


def _visible_text(html: str) -> str:
    body = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", body))


# ------------------------------------------------------------------ pages


def test_a_page_for_every_buurt_and_wijk_and_an_index(demo, pages):
    codes = set(demo.buurten["buurtcode"]) | set(demo.wijken["wijkcode"])
    assert set(pages.pages) == codes
    index = pages.index.read_text("utf-8")
    for code in codes:
        assert f'href="{code}.html"' in index
        assert pages.pages[code].is_file()
    assert 'id="zoek"' in index  # the search box


def test_pages_load_nothing_from_the_network(pages):
    for path in [pages.index, *pages.pages.values()]:
        html = path.read_text("utf-8")
        assert "default-src 'none'" in html
        assert not re.search(r"""(src|href)=["']?(https?:)?//""", html), path.name
        assert "@import" not in html and "url(" not in html


def test_summary_sentences_match_numbers_computed_by_hand(demo, data):
    b = demo.buurten.set_index("buurtcode")
    code = "BU99990201"
    page = data.page(code)
    inw = format_number(b.at[code, "aantal_inwoners"], 0)
    hh = format_number(b.at[code, "aantal_huishoudens"], 0)
    assert (
        page["summary"][0]
        == f"In {b.at[code, 'buurtnaam']} wonen {inw} mensen in {hh} huishoudens."
    )
    # the "more ... than average" phrases, from the raw counts of buurt and gemeente
    g = demo.gemeente.iloc[0]
    buurt_65 = 100 * b.at[code, "aantal_personen_65_jaar_en_ouder"] / b.at[code, "aantal_inwoners"]
    gem_65 = 100 * g["aantal_personen_65_jaar_en_ouder"] / g["aantal_inwoners"]
    comparison = page["summary"][1]
    assert comparison.startswith(f"Vergeleken met heel {demo.name}: ")
    rel = (buurt_65 - gem_65) / gem_65
    if rel >= 0.1:
        assert "meer ouderen (65+) dan gemiddeld" in comparison
    elif rel <= -0.1:
        assert "minder ouderen (65+) dan gemiddeld" in comparison
    else:
        assert "ouderen" not in comparison
    kids = 100 * b.at[code, "aantal_personen_0_tot_15_jaar"] / b.at[code, "aantal_inwoners"]
    gem_kids = 100 * g["aantal_personen_0_tot_15_jaar"] / g["aantal_inwoners"]
    assert (kids - gem_kids) / gem_kids >= 0.1  # Havenbuurt: known to have more children
    expected = (
        f"meer kinderen (tot 15 jaar) dan gemiddeld ({format_value('aandeel_0_tot_15_jaar', kids)}"
        f" tegen {format_value('aandeel_0_tot_15_jaar', gem_kids)})"
    )
    assert expected in comparison


def test_summary_of_a_hand_made_frame_with_known_numbers(demo):
    """Known numbers in, known sentence out: 2.340 inwoners, twice the gemeente's 65+ share."""
    atlas = wijkgeo.make_demo()
    b = atlas.buurten
    i = b.index[b["buurtcode"] == "BU99990200"][0]
    g = atlas.gemeente.iloc[0]
    share = g["aantal_personen_65_jaar_en_ouder"] / g["aantal_inwoners"]
    b.loc[i, "buurtnaam"] = "Duinrand-Zuid"
    b.loc[i, "aantal_inwoners"] = 2340.0
    b.loc[i, "aantal_huishoudens"] = 1020.0
    b.loc[i, "aantal_personen_65_jaar_en_ouder"] = round(2 * share * 2340)
    page = ProfileData(atlas, koppelkansen=False).page("BU99990200")
    assert page["summary"][0] == "In Duinrand-Zuid wonen 2.340 mensen in 1.020 huishoudens."
    mine = format_value("aandeel_65_plus", 100 * round(2 * share * 2340) / 2340)
    gem = format_value("aandeel_65_plus", 100 * share)
    assert page["summary"][1].startswith(f"Vergeleken met heel {atlas.name}: ")
    assert f"meer ouderen (65+) dan gemiddeld ({mine} tegen {gem})" in page["summary"][1]
    # and half the share reads "minder"
    b.loc[i, "aantal_personen_65_jaar_en_ouder"] = round(0.5 * share * 2340)
    page = ProfileData(atlas, koppelkansen=False).page("BU99990200")
    assert "minder ouderen (65+) dan gemiddeld (" in page["summary"][1]


def test_strengths_and_attention_follow_direction(demo, data):
    thr = teksten()["instellingen"]["relatief_verschil"]
    n_checked = 0
    for code in list(demo.buurten["buurtcode"]) + list(demo.wijken["wijkcode"]):
        page = data.page(code)
        level = page["level"]
        row = data.tables[level].loc[code]
        for side, sign in (("kracht", 1), ("aandacht", -1)):
            for point in page[side]:
                ind = get_indicator(point["key"])
                assert ind.sign != 0, f"{ind.key} is neutraal en hoort niet bij {side}"
                assert not additive(ind), (
                    f"{ind.key} is een aantal: nooit met een totaal vergelijken"
                )
                diff = (row[ind.key] - row[f"{ind.key}_gemeente"]) * ind.sign
                assert sign * diff > 0, (code, side, ind.key)
                assert abs(diff / row[f"{ind.key}_gemeente"]) >= thr
                n_checked += 1
    assert n_checked > 50
    # a concrete case: Duinrand's buurten have far more bijstand than Demodam -> aandacht
    page = data.page("WK999902")
    keys = {p["key"] for p in page["aandacht"]}
    assert "bijstand_per_1000" in keys
    assert "bijstand_per_1000" not in {p["key"] for p in page["kracht"]}


def test_small_buurt_shows_the_reason_not_numbers(demo, data, pages):
    b = demo.buurten
    small = b.loc[b["aantal_inwoners"] < 50, "buurtcode"].tolist()
    assert small, "de demo heeft een buurt met te weinig inwoners"
    code = small[0]
    page = data.page(code)
    assert page["small"] == text.reason("population", "aantal_inwoners")
    assert page["themes"] == [] and page["kracht"] == [] and page["aandacht"] == []
    html = pages.pages[code].read_text("utf-8")
    visible = _visible_text(html)
    assert "te weinig inwoners" in visible
    n = int(b.loc[b["buurtcode"] == code, "aantal_inwoners"].iloc[0])
    assert f"wonen {n} mensen" not in visible
    assert "Cijfers per thema" not in visible
    # and in a normal buurt the numbers are there
    assert "Cijfers per thema" in _visible_text(pages.pages["BU99990201"].read_text("utf-8"))


def test_theme_tables_follow_the_brede_welvaart_themes_with_position_dots(data):
    page = data.page("BU99990201")
    keys = [t["key"] for t in page["themes"]]
    assert keys == ["welzijn", "materiele_welvaart", "gezondheid", "arbeid_en_vrije_tijd",
                    "wonen", "samenleving", "milieu"]  # CBS's brede welvaart themes
    # a theme without buurt figures is said plainly, once, with what it lacks
    assert any("Veiligheid (Ervaren veiligheid" in s for s in page["sources"])
    assert "Vertrouwen" in next(t for t in page["themes"] if t["key"] == "samenleving")["note"]
    # a model estimate carries 'schatting', its year and its bounds
    est = next(r for t in page["themes"] for r in t["rows"] if r["key"] == "eenzaam_65plus")
    assert "(schatting 2024)" in est["label"] and re.search(r"^tussen \d+,\d en \d", est["note"])
    rows = [r for t in page["themes"] for r in t["rows"]]
    with_dot = [r for r in rows if str(r["dot"]).startswith("<svg")]
    assert len(with_dot) >= 30
    for theme in page["themes"]:
        if any(not get_indicator(r["key"]).estimate for r in theme["rows"]):
            assert theme["sources"], theme["key"]  # the RIVM table is named under Bronnen
    assert any("RIVM-schattingen" in s and "50150NED" in s for s in page["sources"])


def test_an_estimate_among_the_points_names_its_year(data):
    """An attention point or strength on a RIVM estimate says "(schatting 2024)", as the
    theme tables do, never a bare "(schatting)"."""
    seen = 0
    for code in ("BU99990002", "BU99990200", "BU99990300"):
        page = data.page(code)
        for entry in page["kracht"] + page["aandacht"]:
            if get_indicator(entry["key"]).estimate:
                assert "(schatting 2024)" in entry["label"], entry["label"]
                seen += 1
        html_points = [e["label"] for e in page["kracht"] + page["aandacht"]]
        assert not any(label.endswith("(schatting)") for label in html_points)
    assert seen >= 3


def test_spread_over_500m_cells_and_buurten(demo, data):
    page = data.page("BU99990201")
    spread = page["spread"]
    grid = demo.vierkanten["500m"].set_index("celcode")
    codes = [r[0] for r in spread["rows"]]
    assert len(codes) >= 2 and set(codes) <= set(grid.index)
    # the inwoners column equals the cell's own number
    for row in spread["rows"]:
        assert row[2] == format_number(grid.at[row[0], "aantal_inwoners"], 0)
    wijk = data.page("WK999902")["spread"]
    assert [r[0] for r in wijk["rows"]] == demo.buurten.loc[
        demo.buurten["wijkcode"] == "WK999902", "buurtnaam"
    ].tolist()


def test_koppelkansen_and_what_is_there(data):
    page = data.page("WK999902")  # Demodam's koppelkans wijk
    titles = [k["title"] for k in page["kansen"]["items"]]
    assert titles, "Duinrand heeft koppelkansen"
    for k in page["kansen"]["items"]:
        assert k["explanation"] and k["robust_key"] in ("ruim", "krap")
    present = page["present"]
    names = [i["name"] for i in present["initiatieven"]["items"]]
    assert any("Duinrand" in n for n in names)
    assert present["projecten"]["items"]


def test_change_since_previous_year_and_changed_boundary(demo):
    prev = wijkgeo.make_demo()
    prev.meta["year"] = 2023
    b = prev.buurten
    i_same = b.index[b["buurtcode"] == "BU99990201"][0]
    b.loc[i_same, "aantal_inwoners"] = b.loc[i_same, "aantal_inwoners"] - 100
    i_moved = b.index[b["buurtcode"] == "BU99990202"][0]
    b.loc[i_moved, "geometry"] = b.loc[i_moved, "geometry"].buffer(-150)
    data = ProfileData(AtlasSeries([prev, demo]), koppelkansen=False)
    same = data.page("BU99990201")["change"]
    row = next(r for r in same["rows"] if r[0] == get_indicator("inwoners").label)
    assert row[3] == "+100 inwoners"
    moved = data.page("BU99990202")["change"]
    assert moved["boundary_changed"] and "grens gewijzigd" in moved["note"]
    assert moved["rows"] == []
    none = ProfileData(demo, None, koppelkansen=False).page("BU99990201")["change"]
    assert none is None  # no earlier year: no section, and never a shell command


def test_unknown_code_names_the_closest(demo):
    with pytest.raises(wijkgeo.ConfigError, match="BU99990201"):
        check_codes(demo, ["BU99990209"])
    with pytest.raises(wijkgeo.ConfigError, match="Havenbuurt"):
        check_codes(demo, ["havenbuurd"])
    assert check_codes(demo, [" bu99990201 "]) == ["BU99990201"]


def test_cli_profile_and_exit_2_for_unknown_code(tmp_path, capsys):
    from wijkgeo.cli import main
    from wijkgeo.demo.pipeline import run_demo

    run_demo(maps_dir=tmp_path / "maps")
    out = tmp_path / "p"
    assert (
        main(
            [
                "-q",
                "profile",
                "GM9999",
                "--jaar",
                "2024",
                "--buurt",
                "WK999902",
                "--uitvoer",
                str(out),
            ]
        )
        == 0
    )
    assert (out / "WK999902.html").is_file() and (out / "index.html").is_file()
    capsys.readouterr()
    assert (
        main(
            [
                "-q",
                "profile",
                "GM9999",
                "--jaar",
                "2024",
                "--buurt",
                "BU99990299",
                "--uitvoer",
                str(out),
            ]
        )
        == 2
    )
    err = capsys.readouterr().err
    assert "Bedoelde u BU99990200" in err and "Traceback" not in err


# ------------------------------------------------------------------ hostile names


def _hostile_atlas():
    atlas = wijkgeo.make_demo()
    b, w = atlas.buurten, atlas.wijken
    b.loc[b["buurtcode"] == "BU99990201", "buurtnaam"] = "<img src=x onerror=alert(1)>"
    b.loc[b["buurtcode"] == "BU99990202", "buurtnaam"] = (
        "Buurt {{ 7*7 }} </script><script>alert(2)</script>"
    )
    w.loc[w["wijkcode"] == "WK999902", "wijknaam"] = "Duin'rand\" & <b>vet</b>"
    ini = atlas.local["bewonersinitiatieven"]
    ini.loc[ini.index[0], "naam"] = "<svg onload=alert(3)>"
    return atlas


def test_hostile_names_are_escaped_once(tmp_path):
    res = build(
        AtlasSeries.of(_hostile_atlas()), ["BU99990201", "BU99990202", "WK999902"], path=tmp_path
    )
    for code in ("BU99990201", "BU99990202", "WK999902"):
        html = res.pages[code].read_text("utf-8")
        assert "<img src=x" not in html and "<script>alert" not in html
        assert "<svg onload" not in html and "<b>vet</b>" not in html
        assert "49" not in re.findall(r"Buurt (\S+)", _visible_text(html))
    html = res.pages["BU99990201"].read_text("utf-8")
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    assert "&amp;lt;" not in html  # escaped once, not twice
    index = res.index.read_text("utf-8")
    assert "<img src=x" not in index and "&#123;&#123; 7*7 &#125;&#125;" in index


# ------------------------------------------------------------------ browser and print


def _chromium():
    from tests.browser import require_browser

    return require_browser()


@pytest.mark.browser
def test_in_chromium_nothing_executes_and_pdf_has_1_to_4_pages(tmp_path):
    chromium = _chromium()
    from playwright.sync_api import sync_playwright
    from pypdf import PdfReader

    ARTIFACTS.mkdir(exist_ok=True)
    hostile = build(
        _hostile_atlas(),
        ["BU99990201", "BU99990202", "WK999902"],
        path=tmp_path / "h",
    )
    demo = build(AtlasSeries.of(wijkgeo.make_demo()), path=tmp_path / "d")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=chromium, args=["--no-sandbox", "--disable-gpu"]
        )
        page = browser.new_page(viewport={"width": 1200, "height": 900})
        dialogs, requests, errors = [], [], []
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.route(
            "**/*",
            lambda r: (
                requests.append(r.request.url),
                r.continue_() if r.request.url.startswith("file:") else r.abort(),
            ),
        )
        for path in [*hostile.pages.values(), hostile.index]:
            page.goto(path.resolve().as_uri())
            page.wait_for_timeout(50)
            assert page.evaluate("document.querySelectorAll('script').length") <= (
                1 if path.name == "index.html" else 0
            )
        assert dialogs == [] and errors == []
        # print the longest pages (every wijk, the buurten of the koppelkans wijk Duinrand)
        # and the small buurt: every page 1..4 A4 pages, a wijk too (its buurten side by
        # side, the years, health, signalen and stories); the test prints 15 to stay fast.
        chosen = [c for c in demo.pages if c.startswith("WK") or c.startswith("BU999902")]
        chosen.append("BU99990701")
        counts = {}
        for code in chosen:
            path = demo.pages[code]
            page.goto(path.resolve().as_uri())
            pdf = tmp_path / f"{code}.pdf"
            page.pdf(path=str(pdf), format="A4", print_background=True, prefer_css_page_size=True)
            counts[code] = len(PdfReader(str(pdf)).pages)
        assert all(1 <= n <= 4 for n in counts.values()), counts
        # nothing cut off horizontally in print layout: no element wider than the page
        page.emulate_media(media="print")
        page.set_viewport_size({"width": 718, "height": 1000})  # A4 minus margins, CSS px
        for code in ("WK999902", "BU99990201"):
            page.goto(demo.pages[code].resolve().as_uri())
            overflow = page.evaluate(
                "Array.from(document.querySelectorAll('td, th, p, li, h1, h2, h3, svg'))"
                ".filter(e => e.getBoundingClientRect().right"
                " > document.documentElement.clientWidth + 1)"
                ".length"
            )
            assert overflow == 0, code
        # index search filters the list
        page.emulate_media(media="screen")
        page.set_viewport_size({"width": 1200, "height": 900})
        page.goto(demo.index.resolve().as_uri())
        page.fill("#zoek", "havenb")
        visible = page.evaluate(
            "Array.from(document.querySelectorAll('li.buurt')).filter(e => !e.hidden).length"
        )
        assert visible == 1
        page.fill("#zoek", "")
        # screenshots to look at: desktop, phone, a printed page
        page.goto(demo.pages["BU99990201"].resolve().as_uri())
        page.screenshot(path=str(ARTIFACTS / "profiel_buurt_desktop.png"), full_page=True)
        page.set_viewport_size({"width": 375, "height": 800})
        page.screenshot(path=str(ARTIFACTS / "profiel_buurt_telefoon.png"), full_page=True)
        page.goto(demo.index.resolve().as_uri())
        page.screenshot(path=str(ARTIFACTS / "profiel_index_telefoon.png"), full_page=True)
        browser.close()
    assert not [u for u in requests if not u.startswith("file:")]
    try:
        import pypdfium2 as pdfium
    except ImportError:  # optional: only for the picture
        return
    doc = pdfium.PdfDocument(str(tmp_path / "WK999902.pdf"))
    for i in range(len(doc)):
        doc[i].render(scale=1.4).to_pil().save(ARTIFACTS / f"profiel_wijk_pdf_p{i + 1}.png")


@pytest.mark.browser
def test_write_pdfs_beside_the_pages(tmp_path):
    _chromium()
    from pypdf import PdfReader

    res = build(AtlasSeries.of(wijkgeo.make_demo()), ["BU99990201"], path=tmp_path, pdf=True)
    pdf = res.pdfs["BU99990201"]
    assert pdf == tmp_path / "BU99990201.pdf"
    assert 1 <= len(PdfReader(str(pdf)).pages) <= 4


@pytest.mark.browser
def test_pages_with_the_peers_section_print_to_at_most_4_pages(tmp_path):
    """With a national reference the pages carry "Buurten/Wijken zoals deze": still at most
    4 A4 (`profile --help` promises it); on paper the peers are named and each point keeps only
    who does clearly better (its standing stands with the point above)."""
    _chromium()
    from pypdf import PdfReader

    from wijkgeo.demo.demodam import national_reference

    atlas = wijkgeo.make_demo()
    ref = national_reference(atlas, n_gemeenten=10)
    codes = [str(atlas.wijken["wijkcode"].iloc[0]), str(atlas.buurten["buurtcode"].iloc[0])]
    res = build(atlas, codes, path=tmp_path, peers=ref, pdf=True)
    for code in codes:
        html = res.pages[code].read_text("utf-8")
        assert "zoals deze" in html, code
        reader = PdfReader(str(res.pdfs[code]))
        assert 1 <= len(reader.pages) <= 4, code
        printed = " ".join(" ".join(p.extract_text() for p in reader.pages).split()).lower()
        assert "zoals deze" in printed and "de vergelijkbare" in printed, code


# ------------------------------------------------------------------ real data


def rotterdam_atlas(realdata: Path):
    """Rotterdam 2024 from the real Wijk- en Buurtkaart attributes (no income columns) and
    the real CBS 500 m cells of Rijnmond."""
    import geopandas as gpd

    from wijkgeo.atlas import Atlas
    from wijkgeo.sources.vierkant import normalize_vierkanten

    nprz = realdata / "raw" / "nprz"

    def layer(name: str, key: str) -> gpd.GeoDataFrame:
        geo = gpd.read_file(nprz / f"{name}_2024.geojson")[[key, "geometry"]]
        geo = geo.dissolve(key).reset_index()  # gemeenten: a land and a water polygon
        stats = pd.read_parquet(nprz / f"{name}_2024_stats.parquet")
        if "water" in stats.columns:
            stats = stats[stats["water"] != "JA"]
        out = geo.merge(stats, on=key).to_crs("EPSG:28992")
        num = out.select_dtypes("number").columns
        out[num] = out[num].where(out[num] > -99990)
        return out

    buurten = layer("buurt", "buurtcode")
    buurten = buurten[buurten["gemeentecode"] == "GM0599"].reset_index(drop=True)
    wijken = layer("wijk", "wijkcode")
    wijken = wijken[wijken["gemeentecode"] == "GM0599"].reset_index(drop=True)
    gemeente = layer("gemeente", "gemeentecode")
    gemeente = gemeente[gemeente["gemeentecode"] == "GM0599"].reset_index(drop=True)
    cells = pd.read_parquet(nprz / "grid_500m_rijnmond_stats.parquet")
    grid = normalize_vierkanten(cells, 500)
    grid = grid[grid.intersects(gemeente.geometry.iloc[0])].reset_index(drop=True)
    meta = {
        "gemeente": "GM0599",
        "year": 2024,
        "source": "CBS Wijk- en Buurtkaart 2024 (echte gegevens, regio Rotterdam)",
    }
    return Atlas(
        gemeente=gemeente, wijken=wijken, buurten=buurten, vierkanten={"500m": grid}, meta=meta
    )


@pytest.mark.slow
@pytest.mark.realdata
def test_real_rotterdam_buurten(realdata, tmp_path):
    atlas = rotterdam_atlas(realdata)
    res = build(AtlasSeries.of(atlas), path=tmp_path)
    assert len(res.pages) == len(atlas.buurten) + len(atlas.wijken)
    data = ProfileData(atlas, koppelkansen=False)
    b = atlas.buurten
    big = b.sort_values("aantal_inwoners", ascending=False).iloc[0]
    page = data.page(big["buurtcode"])
    assert page["summary"][0].startswith(
        f"In {big['buurtnaam']} wonen {format_number(big['aantal_inwoners'], 0)} mensen"
    )
    inkomen = next(t for t in page["themes"] if t["key"] == "materiele_welvaart")
    # income is absent from the Wijk- en Buurtkaart: the section says so, no numbers
    labels = {r["key"]: r for r in inkomen["rows"]}
    assert (
        "aandeel_huishoudens_laag_inkomen" not in labels
        or labels["aandeel_huishoudens_laag_inkomen"]["missing"]
    )
    html = res.pages[big["buurtcode"]].read_text("utf-8")
    assert "Materiële welvaart" in html
    assert len(page["spread"]["rows"]) >= 2  # real 500 m cells within the buurt
    # no migration-background column in the spread (not a default indicator anywhere)
    assert not any("herkomst" in h.lower() for h in page["spread"]["headers"])
    unpopulated = b.loc[~(b["aantal_inwoners"] >= 50), "buurtcode"]
    for code in unpopulated:
        assert "te weinig inwoners" in _visible_text(res.pages[code].read_text("utf-8"))
    assert np.isfinite(data.tables["buurt"]["aandeel_65_plus"]).sum() > 50


def test_previous_year_is_read_from_the_store(tmp_path):
    from wijkgeo.store import Store

    prev = wijkgeo.make_demo()
    prev.meta["year"] = 2023
    b = prev.buurten
    b.loc[b["buurtcode"] == "BU99990201", "aantal_inwoners"] -= 50
    Store(tmp_path / "store").write_atlas(prev)
    res = build(
        wijkgeo.make_demo(),
        ["BU99990201"],
        path=tmp_path / "p",
        store=tmp_path / "store",
        koppelkansen=False,
    )
    assert res.previous_year
    html = _visible_text(res.pages["BU99990201"].read_text("utf-8"))
    assert "Veranderd sinds 2023" in html and "+50 inwoners" in html
    res = build(
        wijkgeo.make_demo(),
        ["BU99990201"],
        path=tmp_path / "q",
        store=tmp_path / "leeg",
        koppelkansen=False,
    )
    assert not res.previous_year
    page = res.pages["BU99990201"].read_text("utf-8")
    assert "Veranderd sinds" not in page and "wijkgeo refresh" not in page  # no empty section


def test_the_comparison_is_labelled_with_the_real_earlier_year(tmp_path):
    """A series compares with the year before the one shown, whatever it is (not year - 1);
    the old previous= still works for one release, with a DeprecationWarning."""
    old = wijkgeo.make_demo()
    old.meta["year"] = 2021
    b = old.buurten
    b.loc[b["buurtcode"] == "BU99990201", "aantal_inwoners"] -= 50
    series = AtlasSeries([old, wijkgeo.make_demo()])
    res = build(series, ["BU99990201"], path=tmp_path / "s", koppelkansen=False)
    assert res.compared_with == 2021
    html = _visible_text(res.pages["BU99990201"].read_text("utf-8"))
    assert "Veranderd sinds 2021" in html and "+50 inwoners" in html
    assert "sinds 2023" not in html
    with pytest.warns(DeprecationWarning, match="verouderd"):
        res = build(wijkgeo.make_demo(), ["BU99990201"], previous=old, uitvoer=tmp_path / "o",
                    koppelkansen=False)
    assert res.compared_with == 2021 and res.folder == tmp_path / "o"


def test_pdf_without_an_engine_says_so_in_dutch(monkeypatch, tmp_path):
    import sys

    from wijkgeo.profile import write_pdfs

    monkeypatch.setitem(sys.modules, "playwright.sync_api", None)  # import fails
    with pytest.raises(wijkgeo.ConfigError, match="Geen PDF-programma gevonden"):
        write_pdfs([tmp_path / "x.html"])


@pytest.mark.slow
@pytest.mark.realdata
@pytest.mark.browser
def test_real_rotterdam_pages_print_to_1_to_4_pages(realdata, tmp_path):
    chromium = _chromium()
    from playwright.sync_api import sync_playwright
    from pypdf import PdfReader

    atlas = rotterdam_atlas(realdata)
    b = atlas.buurten.sort_values("aantal_inwoners", ascending=False)
    codes = [*b["buurtcode"].head(2), b["wijkcode"].iloc[0], b["buurtcode"].iloc[-1]]
    res = build(AtlasSeries.of(atlas), codes, path=tmp_path)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=chromium, args=["--no-sandbox", "--disable-gpu"]
        )
        page = browser.new_page()
        for code in codes:
            page.goto(res.pages[code].resolve().as_uri())
            pdf = tmp_path / f"{code}.pdf"
            page.pdf(path=str(pdf), format="A4", print_background=True, prefer_css_page_size=True)
            assert 1 <= len(PdfReader(str(pdf)).pages) <= 4, code
        page.goto(res.pages[codes[0]].resolve().as_uri())
        page.screenshot(path=str(ARTIFACTS / "profiel_rotterdam_desktop.png"), full_page=True)
        browser.close()


def test_absent_local_layers_are_not_zero(demo):
    atlas = wijkgeo.make_demo()
    atlas.local.pop("bewonersinitiatieven")
    page = ProfileData(atlas, koppelkansen=False).page("BU99990201")
    last = page["summary"][-1]
    assert "0 actieve bewonersinitiatieven" not in last
    assert "actieve bewonersinitiatieven heeft wijkgeo van deze gemeente geen gegevens" in last
    assert page["present"]["initiatieven"]["items"] is None
    atlas.local.clear()
    last = ProfileData(atlas, koppelkansen=False).page("BU99990201")["summary"][-1]
    assert last.startswith("Over actieve bewonersinitiatieven, voorzieningen")
