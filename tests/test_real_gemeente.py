"""A real gemeente end to end, offline: the national Wijk- en Buurtkaart layout and the CBS
vierkanten built from ``raw/nprz``, Rotterdam and Schiedam imported, Rotterdam's own layers
(real messy Rijnmond points as Excel WGS84, Dutch CSV in RD, GeoPackage lines and polygons) attached
with ``wijkgeo lagen``; then koppelkansen, map and profile as the README shows them."""

from __future__ import annotations

import csv
import io
import json
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from _rotterdam import REFERENCE, write_rotterdam_lagen
from _wijkbuurtkaart import build_vierkanten, build_wijkbuurtkaart

import wijkgeo
from wijkgeo.cli import main
from wijkgeo.indicators.nederland import SOURCE_TEXT, nederland_from_gemeenten, nederland_note
from wijkgeo.koppelkansen import default_rules
from wijkgeo.sources.wijkbuurtkaart import file_sha256
from wijkgeo.store import Store

pytestmark = [pytest.mark.realdata, pytest.mark.slow]


def _cli(capsys, *argv: str) -> tuple[int, str, str]:
    # without -q: the confirmation line is what these tests read (-q prints only warnings
    # and errors, so an unchanged cron run is silent; tests/test_cli_dutch.py)
    rc = main(list(argv))
    out = capsys.readouterr()
    return rc, out.out, out.err


@pytest.fixture(scope="module")
def files(realdata: Path, tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("downloads")
    return {
        "kaart": build_wijkbuurtkaart(realdata, folder / "WijkBuurtkaart_2024_v1.gpkg"),
        "vk500": build_vierkanten(realdata, folder / "cbs_vk500_2024_v1.gpkg", 500),
        "vk100": build_vierkanten(realdata, folder / "cbs_vk100_2024_v1.gpkg", 100),
    }


@pytest.fixture(scope="module")
def imported(files, tmp_path_factory) -> Path:
    """A store with Rotterdam and Schiedam imported (kaart + vierkanten), no own layers yet."""
    store = tmp_path_factory.mktemp("store-imported")
    for code in ("GM0599", "GM0606"):
        rc = main(["-q", "import", str(files["kaart"]), "--gemeente", code, "--jaar", "2024",
                   "--store", str(store)])  # fmt: skip
        assert rc == 0
    rc = main(["-q", "import", str(files["vk500"]), str(files["vk100"]), "--store", str(store)])
    assert rc == 0
    return store


@pytest.fixture(scope="module")
def lagen(realdata, imported, tmp_path_factory) -> Path:
    atlas = wijkgeo.load("GM0599", 2024, store=imported)
    return write_rotterdam_lagen(realdata, tmp_path_factory.mktemp("rotterdam") / "lagen", atlas)


@pytest.fixture(scope="module")
def store(imported, lagen, tmp_path_factory) -> Path:
    """The imported store plus Rotterdam's own layers stored with `wijkgeo lagen`."""
    target = tmp_path_factory.mktemp("store-full") / "store"
    shutil.copytree(imported, target)
    assert main(["-q", "lagen", str(lagen), "--store", str(target)]) == 0
    return target


# ------------------------------------------------------------------------------ import
def test_import_computes_nederland_from_all_gemeenten(imported, files):
    atlas = wijkgeo.load("GM0599", 2024, store=imported)
    import pyogrio

    nl = atlas.nederland.iloc[0]
    gem = pyogrio.read_dataframe(files["kaart"], layer="gemeenten", read_geometry=False)
    land = gem[gem["water"] == "NEE"]
    assert len(land) == 342
    assert nl["aantal_inwoners"] == land["aantal_inwoners"].sum() == 17_942_942
    info = atlas.meta["nederland"]
    assert info["bron"] == SOURCE_TEXT and info["gemeenten"] == 342
    # the 2024 kaart has no income figures: no NL figure, with the reason
    assert "aandeel_huishoudens_laag_inkomen" in info["ontbreekt"]
    from wijkgeo.indicators.compare import reference_values

    refs = reference_values(atlas, ["aandeel_65_plus"])
    assert refs.at["nederland", "aandeel_65_plus"] == pytest.approx(20.5, abs=0.05)
    note = nederland_note(atlas)
    assert note.startswith(SOURCE_TEXT) and "huishoudens met een laag inkomen" in note


def test_import_vierkanten_for_every_gemeente_in_the_store(imported):
    for code, n500 in (("GM0599", 555), ("GM0606", 76)):
        atlas = wijkgeo.load(code, 2024, store=imported)
        assert len(atlas.vierkanten["500m"]) == n500
        assert len(atlas.vierkanten["100m"]) > 5 * n500
        assert atlas.vierkanten["500m"]["celcode"].str.match(r"^E\d{4}N\d{4}$").all()
        # secrets (-99997 in the file) are NaN, never numbers
        num = atlas.vierkanten["100m"].select_dtypes("number")
        assert not (num <= -99990).any().any() and num.isna().any().any()
    cells = wijkgeo.load("GM0599", 2024, store=imported).grid(500, ["aantal_inwoners"])
    assert cells["aantal_inwoners_uit_buurten"].sum() == pytest.approx(670_610, rel=0.02)
    assert "cbs_aantal_inwoners" in cells.columns


def test_vierkanten_that_miss_a_gemeente_leave_it_alone(imported, files, tmp_path, capsys):
    store = tmp_path / "s"
    shutil.copytree(imported, store)
    demo = wijkgeo.make_demo()
    Store(store).write_atlas(demo)
    before = file_sha256(Store(store).gpkg_path("GM9999", 2024))
    rc, out, _ = _cli(capsys, "import", str(files["vk100"]), "--jaar", "2024",
                      "--store", str(store))  # fmt: skip
    assert rc == 0
    assert "GM9999 2024: ongewijzigd (geen vierkanten van cbs_vk100_2024_v1.gpkg raken" in out
    assert file_sha256(Store(store).gpkg_path("GM9999", 2024)) == before


def test_reimport_same_file_is_unchanged_and_byte_identical(imported, files, tmp_path, capsys):
    store = tmp_path / "s"
    shutil.copytree(imported, store)
    gpkg = Store(store).gpkg_path("GM0599", 2024)
    before = file_sha256(gpkg)
    rc, out, _ = _cli(capsys, "import", str(files["kaart"]), str(files["vk500"]),
                      "--gemeente", "GM0599", "--jaar", "2024", "--store", str(store))  # fmt: skip
    assert rc == 0
    assert out.count("ongewijzigd") == 2, out
    assert file_sha256(gpkg) == before


def test_new_figures_keep_stored_layers(store, files, tmp_path, capsys):
    copy = tmp_path / "s"
    shutil.copytree(store, copy)

    def correct(frame):  # CBS's v2: one figure corrected
        frame.loc[frame.buurtcode == "BU05991571", "aantal_inwoners"] = 12335
        return frame

    newer = _rewrite(files["kaart"], tmp_path / "WijkBuurtkaart_2024_v2.gpkg",
                     {"buurten": correct})  # fmt: skip
    rc, out, err = _cli(capsys, "import", str(newer), "--gemeente", "GM0599", "--jaar", "2024",
                        "--store", str(copy))  # fmt: skip
    assert rc == 0, err
    assert "bijgewerkt" in out and "21 wijken, 91 buurten" in out
    atlas = wijkgeo.load("GM0599", 2024, store=copy)
    assert sorted(atlas.local) == [
        "bewonersinitiatieven", "energietransitie", "projecten", "voorzieningen",
    ]  # fmt: skip
    assert len(atlas.vierkanten["500m"]) == 555
    tarwe = atlas.buurten.set_index("buurtcode").loc["BU05991571", "aantal_inwoners"]
    assert tarwe == 12335


# ------------------------------------------------------------------------------ defects
def _rewrite(src: Path, target: Path, edit: dict) -> Path:
    """A copy of the kaart with ``edit[layer](frame)`` applied to some layers."""
    import geopandas as gpd

    for layer in ("gemeenten", "wijken", "buurten"):
        frame = gpd.read_file(src, layer=layer)
        if layer in edit:
            frame = edit[layer](frame)
        frame.to_file(target, layer=layer, driver="GPKG")
    return target


def test_partly_present_gemeente_is_refused(files, tmp_path, capsys):
    broken = _rewrite(files["kaart"], tmp_path / "deel.gpkg",
                      {"buurten": lambda f: f[f.gemeentecode != "GM0606"]})  # fmt: skip
    store = tmp_path / "s"
    rc, _, err = _cli(capsys, "import", str(broken), "--gemeente", "GM0606", "--jaar", "2024",
                      "--store", str(store))  # fmt: skip
    assert rc == 2
    assert "gedeeltelijk" in err and "buurten ontbreken" in err and "12 wijken" in err
    assert not Store(store).has("GM0606", 2024)


def test_two_land_rows_for_one_gemeente_are_an_error(files, tmp_path, capsys):
    def twice(frame):
        extra = frame[(frame.gemeentecode == "GM0606") & (frame.water == "NEE")].copy()
        extra["gemeentenaam"] = "Schiedam (oud)"
        return pd.concat([frame, extra], ignore_index=True)

    target = _rewrite(files["kaart"], tmp_path / "dubbel.gpkg", {"gemeenten": twice})
    rc, _, err = _cli(capsys, "import", str(target), "--gemeente", "GM0606", "--jaar", "2024",
                      "--store", str(tmp_path / "s"))  # fmt: skip
    assert rc == 2
    assert "2 landrijen" in err and "Schiedam (oud)" in err and "(Schiedam)" in err


def test_outline_covering_far_less_than_its_buurten_is_an_error(files, tmp_path, capsys):
    def clip(frame):
        sel = frame.gemeentecode == "GM0606"
        frame.loc[sel, "geometry"] = frame.loc[sel, "geometry"].centroid.buffer(300)
        return frame

    target = _rewrite(files["kaart"], tmp_path / "afgekapt.gpkg", {"gemeenten": clip})
    rc, _, err = _cli(capsys, "import", str(target), "--gemeente", "GM0606", "--jaar", "2024",
                      "--store", str(tmp_path / "s"))  # fmt: skip
    assert rc == 2 and "omtrek" in err and "bedekt maar" in err


def test_nederland_refused_for_a_regional_file(realdata, tmp_path):
    kaart = build_wijkbuurtkaart(realdata, tmp_path / "regio.gpkg",
                                 gemeenten=["GM0599", "GM0606", "GM0489"])  # fmt: skip
    store = tmp_path / "s"
    assert main(["-q", "import", str(kaart), "--gemeente", "GM0599", "--jaar", "2024",
                 "--store", str(store)]) == 0  # fmt: skip
    atlas = wijkgeo.load("GM0599", 2024, store=store)
    assert atlas.nederland is None
    assert "3 van de 342 gemeenten" in atlas.meta["nederland"]["reden"]
    note = nederland_note(atlas)
    assert note.startswith("Nederland: geen cijfers, want het bestand bevat 3 van de 342")
    # koppelkansen say why in one sentence instead of "geen gegevens"
    res = atlas.koppelkansen()
    reasons = dict(zip(res.skipped["regel"], res.skipped["reden"], strict=True))
    assert reasons["ouderen_weinig_autos_ver_weg"] == (
        "geen cijfer voor Nederland voor inwoners van 65 jaar en ouder: het bestand bevat 3 van "
        "de 342 gemeenten van 2024 (minder dan 95%); Nederland is daarom niet berekend"
    )


def test_nederland_2020_close_to_cbs(realdata):
    """The tolerance docs/nederland.md documents: 0.1 % or half the published decimal."""
    from wijkgeo.indicators.compute import compute
    from wijkgeo.sources.cbs import normalize_kerncijfers

    folder = realdata / "odata" / "kwb_84799NED_2020"
    rows = pd.read_parquet(folder / "cbs.v3.84799NED_TypedDataSet.parquet")
    props = pd.read_parquet(folder / "cbs.v3.84799NED_DataProperties.parquet")
    kc = normalize_kerncijfers(rows.to_dict("records"), props.to_dict("records"))
    gem = kc[kc["level"] == "gemeente"].rename(columns={"code": "gemeentecode"})
    row = nederland_from_gemeenten(gem, 2020)
    assert row.reason is None and row.n_gemeenten == 355
    mine = compute(row.frame, level="nederland").iloc[0]
    cbs = compute(kc[kc["level"] == "nederland"], level="nederland").iloc[0]
    both = [k for k in mine.index if not np.isnan(mine[k]) and not np.isnan(cbs[k])]
    assert len(both) >= 18
    worst = {}
    for key in both:
        diff = abs(mine[key] - cbs[key])
        worst[key] = diff
        assert diff <= max(0.001 * abs(cbs[key]), 0.05), (key, mine[key], cbs[key])
    assert mine["inwoners"] == cbs["inwoners"] == 17_407_585
    assert max(worst.values()) == pytest.approx(0.044, abs=0.001)  # huishoudensgrootte


# ------------------------------------------------------------------------------ lagen
def test_lagen_stores_layers_with_files_sha256_and_rows(store, lagen, capsys):
    manifest = Store(store).manifest("GM0599", 2024)
    info = manifest["lokale_lagen"]
    assert info["projecten"]["bestand"] == "projecten.gpkg"
    assert info["voorzieningen"]["bestand"] == "voorzieningen.xlsx"
    assert info["projecten"]["sha256"] == file_sha256(lagen / "projecten.gpkg")
    assert info["voorzieningen"]["rijen"] == 110
    assert info["bewonersinitiatieven"]["rijen"] == 8 and info["energietransitie"]["rijen"] == 6
    assert manifest["layers"]["lokaal_projecten"]["rows"] == 8
    assert (Store(store).folder("GM0599", 2024) / "lagen" / "koppelkansen.toml").is_file()
    atlas = wijkgeo.load("GM0599", 2024, store=store)
    # the formats came through: WGS84 Excel and Dutch CSV in RD, personal columns dropped
    ini = atlas.local["bewonersinitiatieven"]
    assert ini.crs.to_epsg() == 28992 and "contactpersoon" not in ini.columns
    assert ini.total_bounds[0] > 80_000  # RD metres, not degrees
    assert atlas.local["energietransitie"]["planjaar"].tolist()[0] == 2027
    assert "TELEFOONNUMMER" not in atlas.local["voorzieningen"].columns
    assert set(atlas.local["projecten"].geom_type) >= {"LineString", "Polygon"}
    # `lagen` kept where the figures came from: the same kaart again is "ongewijzigd"
    assert manifest["sources"]["wijkbuurtkaart"]["file"] == "WijkBuurtkaart_2024_v1.gpkg"
    assert manifest["sources"]["vierkanten_500m"]["sha256"]
    rc, out, _ = _cli(capsys, "status", "--store", str(store))
    assert rc == 0
    assert "GM0599" in out and "projecten 8" in out and "voorzieningen 110" in out


def test_lagen_with_errors_exits_2_and_keeps_previous_layers(store, lagen, tmp_path, capsys):
    copy = tmp_path / "s"
    shutil.copytree(store, copy)
    gpkg = Store(copy).gpkg_path("GM0599", 2024)
    before = file_sha256(gpkg)
    bad = tmp_path / "bad"
    shutil.copytree(lagen, bad)
    text = (bad / "energietransitie.csv").read_bytes().replace(b"WK059915", b"WK059999")
    (bad / "energietransitie.csv").write_bytes(text)
    rc, _, err = _cli(capsys, "lagen", str(bad), "--store", str(copy))
    assert rc == 2 and "WK059999" in err and "energietransitie.csv" in err
    assert file_sha256(gpkg) == before


def test_lagen_for_a_gemeente_not_in_the_store_names_the_offline_route(lagen, tmp_path, capsys):
    rc, _, err = _cli(capsys, "lagen", str(lagen), "--store", str(tmp_path / "leeg"))
    assert rc == 2
    assert "GM0599 2024 staat niet in de store" in err and "wijkgeo import" in err


def test_lagen_option_uses_a_folder_for_one_run(imported, lagen, tmp_path, capsys):
    rc, out, err = _cli(capsys, "koppelkansen", "GM0599", "--jaar", "2024", "--store",
                        str(imported), "--lagen", str(lagen), "--peildatum", REFERENCE)  # fmt: skip
    assert rc == 0, err
    assert "warmtenet_en_straatwerk" in out
    assert "rotterdam_voortgezet_onderwijs_en_jongeren" in out  # the folder's own rule
    for cmd, out_arg in (("map", tmp_path / "k.html"), ("export", tmp_path / "e.gpkg"),
                         ("profile", tmp_path / "p")):  # fmt: skip
        extra = ["--format", "gpkg"] if cmd == "export" else []
        if cmd == "profile":
            extra = ["--buurt", "BU05991571"]
        rc, _, err = _cli(capsys, cmd, "GM0599", "--jaar", "2024", "--uitvoer", str(out_arg),
                          "--lagen", str(lagen), "--store", str(imported), *extra)  # fmt: skip
        assert rc == 0, (cmd, err)
    page = (tmp_path / "k.html").read_text(encoding="utf-8")
    assert "Renovatie portiekflats Tarwewijk" in page
    # self-contained as without --lagen (no Leaflet from a CDN): it opens at a bewonersavond
    # without internet
    assert "cdn.jsdelivr.net/npm/leaflet" not in page
    assert "Samen Tarwewijk" in (tmp_path / "p" / "BU05991571.html").read_text(encoding="utf-8")
    import pyogrio

    assert "koppelkansen" in [n for n, _ in pyogrio.list_layers(tmp_path / "e.gpkg")]
    assert not wijkgeo.load("GM0599", 2024, store=imported).local  # nothing stored


# ------------------------------------------------------------------------------ results
def test_koppelkansen_rotterdam_from_stored_layers(store, capsys):
    rc, out, err = _cli(capsys, "koppelkansen", "GM0599", "--jaar", "2024", "--format", "csv",
                        "--peildatum", REFERENCE, "--store", str(store))  # fmt: skip
    assert rc == 0, err
    rows = list(csv.DictReader(io.StringIO(out), delimiter=";"))
    rules = {r["regel"] for r in rows}
    defaults = set(default_rules().keys())
    assert len(rules & defaults) >= 7, sorted(rules)
    assert "rotterdam_voortgezet_onderwijs_en_jongeren" in rules  # stored koppelkansen.toml
    tarwe = {r["regel"]: r["uitleg"] for r in rows if r["naam"] == "Tarwewijk"}
    assert {"warmtenet_en_straatwerk", "renovatie_sociale_begeleiding"} <= set(tarwe)
    text = tarwe["renovatie_sociale_begeleiding"]
    assert "Renovatie portiekflats Tarwewijk (corporatie, 2026-2029)" in text
    assert "bijstandsuitkeringen 60,0 per 1.000 inwoners (gemeente 50,1" in text
    assert "NL 22,6 per 1.000 inwoners" in text
    # the grid rule runs offline (the 500 m cells are stored), but Rotterdam's voorzieningen
    # (schools, care, GGZ, hospitals) hold no buurthuis or bibliotheek: "none within 800 m"
    # is not claimed for every cell, the rule is skipped and says why
    assert not any(r["niveau"] == "vierkant" for r in rows)
    rc, out, err = _cli(capsys, "koppelkansen", "GM0599", "--jaar", "2024", "--format", "json",
                        "--peildatum", REFERENCE, "--store", str(store))  # fmt: skip
    assert rc == 0, err
    skipped = {s["regel"]: s["reden"] for s in json.loads(out)["overgeslagen"]}
    assert skipped["sociale_basis_kleine_actieradius"] == (
        "in de laag 'voorzieningen' staat geen buurthuis of bibliotheek: of er een dichtbij "
        "is, is niet getoetst"
    )


def test_map_shows_every_local_layer(store, tmp_path, capsys):
    target = tmp_path / "rotterdam.html"
    rc, _, err = _cli(capsys, "map", "GM0599", "--jaar", "2024", "--uitvoer", str(target),
                      "--store", str(store))  # fmt: skip
    assert rc == 0, err
    page = target.read_text(encoding="utf-8")
    for needle in ("Voorzieningen", "Bewonersinitiatieven", "Projecten", "Renovatie portiekflats",
                   "Samen Tarwewijk", "Koppelkansen", SOURCE_TEXT):  # fmt: skip
        assert needle in page, needle
    assert page.count("Energietransitie") >= 1
    # the gemeente's own categories get their own colour and name, not one "overig"
    assert "voortgezet onderwijs" in page and "ouderenzorg" in page
    # a missing Nederland value says why in the popup data
    assert '"nlwhy":"maar 60 van de 342 gemeenten hebben een cijfer"' in page


def test_tarwewijk_profile_has_what_is_there_and_projects(store, tmp_path, capsys):
    rc, _out, err = _cli(capsys, "profile", "GM0599", "--jaar", "2024", "--buurt", "BU05991571",
                        "--uitvoer", str(tmp_path / "p"), "--store", str(store))  # fmt: skip
    assert rc == 0, err
    page = (tmp_path / "p" / "BU05991571.html").read_text(encoding="utf-8")
    assert "Wat er al is" in page and "Samen Tarwewijk" in page
    assert "Renovatie portiekflats Tarwewijk" in page and "Riolering Tarwewijk" in page
    assert "17.942.942" in page  # Nederland's inhabitants, computed from the file
    assert SOURCE_TEXT in page
    assert "geen koppelkansen gevonden" not in page
    # the points say why Nederland is missing (the tables stay short: the sources say it once);
    # which points show depends on the documented point rule (tests/test_profile_wording.py)
    import re

    assert not re.search(r"NL geen gegevens(?! \()", page)
    from wijkgeo.profile.content import ProfileData

    data = ProfileData(wijkgeo.load("GM0599", 2024, store=store), koppelkansen=False)
    row = data.tables["buurt"].loc["BU05991571"]
    ind = next(
        i
        for i in data.keys
        if i in row.index and row.get(f"{i}_nederland") != row.get(f"{i}_nederland")
    )
    assert data._nl(ind, row.get(f"{ind}_nederland")).startswith("geen gegevens (")


def test_schiedam_has_nederland_and_grid_but_no_own_layers(store, capsys):
    rc, out, _ = _cli(capsys, "koppelkansen", "GM0606", "--jaar", "2024", "--format", "json",
                      "--store", str(store))  # fmt: skip
    assert rc == 0
    data = json.loads(out)
    assert data["gemeente"] == "GM0606" and data["kansen"]
    # comparisons with Nederland work; only rules on layers Schiedam has not given are skipped
    assert any("NL " in k["uitleg"] for k in data["kansen"])
    assert not any("nederland" in s["reden"].lower() for s in data["overgeslagen"])


@pytest.mark.browser
def test_rotterdam_pages_with_own_layers_print_to_at_most_4_pages(store, tmp_path):
    from pypdf import PdfReader

    from wijkgeo.profile import build, write_pdfs

    atlas = wijkgeo.load("GM0599", 2024, store=store)
    res = build(atlas, ["BU05991571", "WK059915"], uitvoer=tmp_path, previous=False)
    pdfs = write_pdfs(list(res.pages.values()))
    assert len(pdfs) == 2
    for name, pdf in pdfs.items():
        assert 1 <= len(PdfReader(str(pdf)).pages) <= 4, name


@pytest.mark.browser
def test_rotterdam_with_every_layer_year_and_view_has_no_axe_violations(
    realdata, store, tmp_path, capsys
):
    """The published Rotterdam map with its own layers, the grid, the koppelkansen, an
    earlier year (2015 imported beside 2024) and the peers view, every layer switched on, in
    every view, with a buurt's popup and the table open; and its profile pages with projects
    and initiatives: axe-core (WCAG 2.0/2.1 A and AA) finds nothing, and the pages print to at
    most 4 A4."""
    from _kwb2015 import build_kwb2015
    from axe import describe, file_page, violations
    from browser import browser_page

    full = tmp_path / "store"
    shutil.copytree(store, full)
    old = build_kwb2015(realdata, tmp_path / "buurt_2015.zip", gemeenten=["GM0599"])
    rc, _, err = _cli(capsys, "import", str(old), "--gemeente", "GM0599", "--jaar", "2015",
                      "--store", str(full))  # fmt: skip
    assert rc == 0, err
    # Tarwewijk and Kralingen-Oost with their own layers and the years since 2015: buurt and
    # wijk pages print to at most 4 A4, without and (below) with the peers sections
    from pypdf import PdfReader

    from wijkgeo.profile import build, write_pdfs

    codes = ["BU05991571", "WK059915", "BU05990842", "WK059908"]
    plain = build(wijkgeo.load("GM0599", 2024, store=full), codes, path=tmp_path / "p0",
                  store=full)  # fmt: skip
    pdfs = write_pdfs(list(plain.pages.values()))
    counts = {name: len(PdfReader(str(pdf)).pages) for name, pdf in pdfs.items()}
    assert len(counts) == 4 and all(1 <= n <= 4 for n in counts.values()), counts
    # the national reference of 2020 (CBS's real table, as `wijkgeo refresh --nederland` stores
    # it): the peers view "verschil met vergelijkbare buurten" is on the map too
    from test_similar import _national

    Store(full).write_reference(
        _national(realdata), 2020, manifest_extra={"sources": {"cbs": {"tabel": "84799NED"}}}
    )
    target = tmp_path / "rotterdam.html"
    rc, _, err = _cli(capsys, "-q", "map", "GM0599", "--jaar", "2024", "--uitvoer", str(target),
                      "--store", str(full))  # fmt: skip
    assert rc == 0, err
    with browser_page(target.read_text("utf-8"), width=1280, height=800) as (page, traffic):
        page.wait_for_function(
            "document.documentElement.getAttribute('data-wijkgeo') === 'klaar'", timeout=20_000
        )
        boxes = page.locator("input[data-wijkgeo-layer]")
        layers = {b.get_attribute("data-wijkgeo-layer") for b in boxes.all()}
        assert {"voorzieningen", "initiatieven", "projecten", "energietransitie",
                "koppelkansen", "vierkanten", "wijken"} <= layers  # fmt: skip
        for box in boxes.all():
            if not box.is_checked():
                box.check()
        found = violations(page)
        assert not found, "alle lagen aan:\n" + describe(found)
        views = page.locator("input[name=wijkgeo-mode]").evaluate_all(
            "rs => rs.map(r => r.value)"
        )
        assert {"waarde", "verschil", "vergelijkbaar", "verandering"} <= set(views), views
        for radio in page.locator("#wijkgeo-panel input[type=radio]").all():
            radio.check()
            found = violations(page)
            assert not found, f"{radio.get_attribute('value')}:\n{describe(found)}"
        page.locator("input[value=waarde]").check()
        page.locator("input[name=wijkgeo-gebied][value=buurt]").check()
        year = page.locator("select:has(option[value='2015'])").first
        year.select_option("2015")
        found = violations(page)
        assert not found, "jaar 2015:\n" + describe(found)
        year.select_option("2024")
        page.fill("#wijkgeo-search", "Tarwewijk")
        page.keyboard.press("Enter")
        page.wait_for_selector(".leaflet-popup-content .wijkgeo-naam")
        page.locator(".wijkgeo-tablebtn").click()
        page.wait_for_timeout(500)  # the popup's fade-in done: axe measures contrast as shown
        found = violations(page)
        assert not found, "popup en tabel open:\n" + describe(found)
        assert not traffic.page_errors

    atlas = wijkgeo.load("GM0599", 2024, store=full)
    res = build(atlas, codes, path=tmp_path / "p", store=full)
    tarwewijk = res.pages["BU05991571"].read_text("utf-8")
    assert "Buurten zoals deze" in tarwewijk
    assert "Wijken zoals deze" in res.pages["WK059915"].read_text("utf-8")
    with file_page(res.index) as page:
        for path in [res.index, *res.pages.values()]:
            page.goto(path.resolve().as_uri(), wait_until="load")
            found = violations(page)
            assert not found, f"{path.name}:\n{describe(found)}"
    pdfs = write_pdfs(list(res.pages.values()))
    counts = {name: len(PdfReader(str(pdf)).pages) for name, pdf in pdfs.items()}
    # the peers section too: Tarwewijk and Charlois, the longest pages, stay within 4 A4 (the
    # peers named, each point's standing among them with the point, who does clearly better)
    assert len(counts) == 4 and all(1 <= n <= 4 for n in counts.values()), counts
    printed = " ".join(p.extract_text() for p in PdfReader(str(pdfs["BU05991571"])).pages)
    printed = " ".join(printed.split()).lower()
    for needle in ("buurten zoals deze", "laakkwartier-oost", "hoger dan 9 van de 10",
                   "duidelijk beter", "bronnen en uitleg"):  # fmt: skip
        assert needle in printed, needle


def test_rotterdam_grid_shows_the_cell_facts_on_every_cell_of_the_gemeente(imported):
    """The grid layer draws the facts' cell level: all 1,360 cells over Rotterdam (555 of them
    in CBS's file), CBS's counts as published, the 65+ share only from 50 inhabitants on."""
    from wijkgeo.facts import cell_facts
    from wijkgeo.maps.options import Overlays
    from wijkgeo.maps.payload import map_payload
    from wijkgeo.maps.topology import decode_vlq

    atlas = wijkgeo.load("GM0599", 2024, store=imported)
    cells = cell_facts(atlas)
    data = map_payload(atlas, ["aandeel_65_plus"], overlays=Overlays(koppelkansen=False))
    grid = next(layer for layer in data.payload["layers"] if layer["type"] == "grid")
    assert grid["codes"] == cells.codes and len(cells.codes) == 1360
    by_key = {v["key"]: v for v in grid["vars"]}
    people = np.array(decode_vlq(by_key["inwoners_cbs"]["v"]), dtype=float)
    share = np.array(decode_vlq(by_key["aandeel65_cbs"]["v"]), dtype=float)
    assert np.isfinite(people).sum() == 555  # the cells in CBS's file, as published
    assert np.isfinite(share).sum() == 478  # 22 cells of < 50 inhabitants fewer than before
    assert (people[np.isfinite(share)] >= 50).all()
    small = cells.reasons["aandeel_65_plus"] == "te weinig inwoners"
    assert small.sum() == 69 and not np.isfinite(share[small.to_numpy()]).any()
