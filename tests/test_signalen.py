"""wijkgeo signalen: counts per buurt and theme that expose no one.

The privacy tests attack the output the way a curious reader would: every number below the
threshold, every total minus its published parts, and every difference between two runs
(one buurt fewer, one period fewer). A naive publisher (true totals beside suppressed
cells) is attacked the same way, to show the attack finds what it looks for.
"""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import wijkgeo
from wijkgeo._errors import ConfigError, DataValidationError
from wijkgeo.cli import main
from wijkgeo.signalen import count_signals, merge_document, store_signals
from wijkgeo.signalen.privacy import publish, round_to
from wijkgeo.store import Store

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "data_sources" / "demo"


@pytest.fixture(scope="module")
def atlas():
    return wijkgeo.make_demo()


def _cases(atlas, seed: int = 5, n: int = 1500) -> pd.DataFrame:
    """A case export placed by buurtcode, with identifiers that must never be stored."""
    rng = np.random.default_rng(seed)
    codes = atlas.buurten["buurtcode"].to_numpy()
    # skewed: a few buurten with many cases, most with a handful (cells below 10)
    weights = np.linspace(1, 12, len(codes)) ** 3
    buurt = rng.choice(codes, size=n, p=weights / weights.sum())
    return pd.DataFrame(
        {
            "dossiernummer": [f"DOSS-{910000 + i}" for i in range(n)],
            "naam_client": [f"Jansje{i:04d} Qwertyson" for i in range(n)],
            "bsn": [f"{123450000 + 7 * i}" for i in range(n)],
            "email": [f"client{i}@voorbeeldmail.test" for i in range(n)],
            "buurtcode": buurt,
            "thema": rng.choice(["schulden", "eenzaamheid", "opvoeding", "woonproblemen"], n),
            "jaar": rng.choice([2023, 2024], n),
            "notitie": [f"geheimenotitie-{i}" for i in range(n)],
        }
    )


def _write(frame: pd.DataFrame, path: Path) -> Path:
    frame.to_csv(path, index=False)
    return path


def _all_numbers(cells: pd.DataFrame) -> dict[tuple, int]:
    return {
        (r.niveau, r.code, int(r.periode), r.thema): int(r.aantal)
        for r in cells.itertuples(index=False)
    }


# ---------------------------------------------------------------------- the publish rule
def test_rounding_and_threshold_floor():
    assert round_to(pd.Series([10, 12, 13, 22, 23])).tolist() == [10, 10, 15, 20, 25]
    with pytest.raises(ConfigError, match="te laag"):
        publish(
            pd.DataFrame(columns=["buurtcode", "wijkcode", "periode", "thema", "n"]),
            gemeente="GM1",
            threshold=4,
        )


def test_no_published_count_below_threshold(atlas, tmp_path):
    path = _write(_cases(atlas), tmp_path / "export.csv")
    for threshold in (5, 10, 15):
        cells = count_signals(path, atlas, threshold=threshold).cells
        assert len(cells) > 0
        assert (cells["aantal"] >= threshold).all()
        assert (cells["aantal"] % 5 == 0).all()


def test_totals_are_sums_of_published_cells(atlas, tmp_path):
    cells = count_signals(_write(_cases(atlas), tmp_path / "e.csv"), atlas).cells
    buurt = cells[cells["niveau"] == "buurt"]
    themes = buurt[buurt["thema"] != "totaal"]
    total = buurt[buurt["thema"] == "totaal"].set_index(["code", "periode"])["aantal"]
    summed = themes.groupby(["code", "periode"])["aantal"].sum()
    pd.testing.assert_series_equal(total.sort_index(), summed.sort_index(), check_names=False)
    wijk = cells[cells["niveau"] == "wijk"].set_index(["code", "periode", "thema"])["aantal"]
    from_buurt = buurt.groupby(["wijkcode", "periode", "thema"])["aantal"].sum()
    pd.testing.assert_series_equal(wijk.sort_index(), from_buurt.sort_index(), check_names=False)
    gem = cells[cells["niveau"] == "gemeente"].set_index(["periode", "thema"])["aantal"]
    assert gem.sort_index().equals(
        cells[cells["niveau"] == "wijk"].groupby(["periode", "thema"])["aantal"].sum()
    )


def _revealed(outputs: list[dict[tuple, int]], threshold: int) -> list[tuple]:
    """Every small count a reader can compute from these outputs by subtraction.

    Within one output: a total minus the sum of its published parts. Between two outputs:
    the difference of the same number. A result strictly between 0 and the threshold is a
    small count laid bare.
    """
    found = []
    for out in outputs:
        cells = {k: v for k, v in out.items() if not k[0].startswith("_")}
        for (level, code, period, theme), value in cells.items():
            if level == "buurt" and theme != "totaal":
                continue
            if level == "buurt":  # all themes minus the published themes
                parts = [
                    v
                    for (lv, c, p, t), v in cells.items()
                    if (lv, c, p) == ("buurt", code, period) and t != "totaal"
                ]
            elif level == "wijk":  # wijk minus its published buurten
                parts = [
                    v
                    for (lv, c, p, t), v in cells.items()
                    if (lv, p, t) == ("buurt", period, theme) and out[("_in", c)] == code
                ]
            else:  # gemeente minus its wijken
                parts = [
                    v
                    for (lv, _c, p, t), v in cells.items()
                    if (lv, p, t) == ("wijk", period, theme)
                ]
            rest = value - sum(parts)
            if 0 < rest < threshold:
                found.append(("binnen", level, code, period, theme, rest))
    for a, b in itertools.combinations(outputs, 2):
        for key in set(a) | set(b):
            if key[0].startswith("_"):
                continue
            d = abs(a.get(key, 0) - b.get(key, 0))
            if 0 < d < threshold:
                found.append(("verschil", *key, d))
    return found


def _with_membership(cells: pd.DataFrame) -> dict[tuple, int]:
    out: dict = _all_numbers(cells)
    for r in cells[cells["niveau"] == "buurt"].itertuples(index=False):
        out[("_in", r.code)] = r.wijkcode
    return out


def test_differencing_two_runs_reveals_no_small_count(atlas, tmp_path):
    cases = _cases(atlas)
    small_buurt = cases["buurtcode"].value_counts().index[-1]  # a buurt with few cases
    runs = {
        "alles": cases,
        "zonder_buurt": cases[cases["buurtcode"] != small_buurt],
        "zonder_2023": cases[cases["jaar"] != 2023],
        "zonder_een_rij": cases.iloc[1:],
    }
    outputs = []
    for name, frame in runs.items():
        cells = count_signals(_write(frame, tmp_path / f"{name}.csv"), atlas).cells
        outputs.append(_with_membership(cells))
    assert _revealed(outputs, 10) == []


def test_the_attack_finds_what_true_totals_would_give_away(atlas, tmp_path):
    """The same attack on a naive publisher (true wijk totals) does find small counts."""
    cases = _cases(atlas)

    def naive(frame):
        cells = count_signals(_write(frame, tmp_path / "n.csv"), atlas).cells
        out = _with_membership(cells[cells["niveau"] == "buurt"])
        wijk_of = atlas.buurten.set_index("buurtcode")["wijkcode"]
        true = frame.assign(wijk=frame["buurtcode"].map(wijk_of))
        for (wijk, year, theme), n in true.groupby(["wijk", "jaar", "thema"]).size().items():
            out[("wijk", wijk, int(year), theme)] = int(round_to(pd.Series([n])).iloc[0])
        return out

    assert _revealed([naive(cases)], 10), "the attack should expose true totals"


# --------------------------------------------------------------- nothing else leaves the file
def test_no_value_of_the_input_is_written_anywhere(atlas, tmp_path, capsys, monkeypatch):
    store = tmp_path / "store"
    monkeypatch.setenv("WIJKGEO_STORE", str(store))
    Store(store).write_atlas(atlas)
    cases = _cases(atlas)
    export = _write(cases, tmp_path / "export.csv")
    before = export.read_bytes()
    assert main(["signalen", str(export), "--gemeente", "GM9999", "--store", str(store)]) == 0
    out = capsys.readouterr()
    assert "nergens weggeschreven" in out.out
    assert export.read_bytes() == before
    # every byte written: the store (signalen.json and everything else) and the terminal
    written = [p.read_bytes() for p in store.rglob("*") if p.is_file()]
    written += [out.out.encode(), out.err.encode()]
    assert _leaked(cases, written) == []
    loaded = Store(store).read_atlas("GM9999", 2024)
    doc = json.loads((store / "GM9999" / "signalen.json").read_text("utf-8"))
    assert set(doc["cellen"][0]) == {"niveau", "code", "periode", "thema", "aantal"}
    # the map and profile read it through the store: it is a local table of the atlas
    assert (loaded.local["signalen"]["aantal"] >= 10).all()


def _leaked(cases: pd.DataFrame, written: list[bytes]) -> list[str]:
    blob = b"\n".join(written)
    identifiers = set()
    for col in ("dossiernummer", "naam_client", "bsn", "email", "notitie"):
        identifiers |= set(cases[col].astype(str))
    return [v for v in identifiers if v.encode() in blob]


@pytest.mark.slow
def test_no_value_of_the_input_reaches_the_map_or_the_profile(atlas, tmp_path):
    from wijkgeo.maps import write_map
    from wijkgeo.profile import build as build_profile

    store = Store(tmp_path / "store")
    store.write_atlas(atlas)
    cases = _cases(atlas)
    store_signals(count_signals(_write(cases, tmp_path / "e.csv"), atlas), store)
    loaded = store.read_atlas("GM9999", 2024)
    pages = tmp_path / "profielen"
    build_profile(loaded, ["WK999902"], path=pages)
    kaart = write_map("GM9999", 2024, store=store.path, path=tmp_path / "kaart.html")
    written = [p.read_bytes() for p in pages.rglob("*") if p.is_file()]
    written.append(Path(kaart).read_bytes())
    assert b"signalen_schulden_per_1000" in written[-1]  # the counts are on the map
    assert _leaked(cases, written) == []


def test_demo_export_by_postcode_counts_every_reason(atlas):
    result = count_signals(
        DEMO / "signalen_wijkteam.csv", atlas, postcode_table=DEMO / "postcodes.csv"
    )
    assert result.periods == [2023, 2024]
    assert result.excluded == {
        "geen thema ingevuld": 6,
        "geen postcode, buurtcode of punt ingevuld": 5,
        "postcode niet in de postcodetabel": 5,
        "ongeldige postcode": 4,
    }
    assert result.rows_counted + sum(result.excluded.values()) == result.rows_read
    text = result.message()
    assert "WT-0" not in text and "1011" not in text  # counts only, never a row


def test_file_without_place_or_theme_names_its_columns(atlas, tmp_path):
    path = _write(pd.DataFrame({"dossier": ["a"], "thema": ["schulden"]}), tmp_path / "x.csv")
    with pytest.raises(DataValidationError, match="dossier, thema"):
        count_signals(path, atlas, year=2024)
    path = _write(pd.DataFrame({"dossier": ["a"], "postcode": ["1234AB"]}), tmp_path / "y.csv")
    with pytest.raises(DataValidationError, match="geen kolom voor het thema"):
        count_signals(path, atlas, year=2024)
    assert main(["signalen", str(path), "--gemeente", "GM9999", "--jaar", "2024"]) == 2


def test_points_xlsx_and_year_filter(atlas, tmp_path):
    pts = atlas.buurten.geometry.representative_point()
    rows = []
    for i, p in enumerate(pts):
        rows += [{"x": round(p.x, 1), "y": round(p.y, 1), "thema": "Geldzorgen"}] * (i % 15)
    rows.append({"x": 1000.0, "y": 1000.0, "thema": "schulden"})
    path = tmp_path / "export.xlsx"
    pd.DataFrame(rows).to_excel(path, index=False)
    result = count_signals(path, atlas, year=2024)
    assert result.columns["x"] == "x" and result.periods == [2024]
    assert result.excluded == {"punt ligt buiten de gemeente": 1}
    cells = result.cells
    assert set(cells["thema"]) == {"schulden", "totaal"}
    assert (cells["aantal"] >= 10).all()


def test_stored_periods_merge(atlas, tmp_path):
    cases = _cases(atlas)
    store = Store(tmp_path / "s")
    store_signals(count_signals(_write(cases, tmp_path / "a.csv"), atlas, year=2023), store)
    store_signals(count_signals(_write(cases, tmp_path / "b.csv"), atlas, year=2024), store)
    doc = store.read_signals("GM9999")
    assert sorted(doc["perioden"]) == ["2023", "2024"]
    assert {c["periode"] for c in doc["cellen"]} == {2023, 2024}
    again = merge_document(doc, count_signals(tmp_path / "b.csv", atlas, year=2024))
    assert again["cellen"] == doc["cellen"]


def test_counts_feed_indicators_and_koppelkansen_rules(atlas, tmp_path):
    from wijkgeo.indicators import add_indicators
    from wijkgeo.koppelkansen import evaluate
    from wijkgeo.koppelkansen.load import load_rules

    store = Store(tmp_path / "s")
    store.write_atlas(atlas)
    cases = _cases(atlas)
    store_signals(count_signals(_write(cases, tmp_path / "a.csv"), atlas, year=2024), store)
    loaded = store.read_atlas("GM9999", 2024)
    key = "signalen_schulden_per_1000"
    b = add_indicators(loaded, [key]).set_index("buurtcode")
    w = add_indicators(loaded, [key], level="wijk").set_index("wijkcode")
    cells = json.loads(store.signals_path("GM9999").read_text("utf-8"))["cellen"]
    pub = {
        (c["niveau"], c["code"]): c["aantal"]
        for c in cells
        if c["thema"] == "schulden" and c["periode"] == 2024
    }
    inw = atlas.buurten.set_index("buurtcode")["aantal_inwoners"]
    for code, value in b[key].items():
        if ("buurt", code) in pub and inw[code] >= 100:
            assert value == pytest.approx(1000 * pub[("buurt", code)] / inw[code])
        else:
            assert np.isnan(value)  # below the threshold: no value, not zero
    winw = atlas.wijken.set_index("wijkcode")["aantal_inwoners"]
    for code, value in w[key].dropna().items():
        assert value == pytest.approx(1000 * pub[("wijk", code)] / winw[code])
    rules = tmp_path / "regels.toml"
    rules.write_text(
        '[[regel]]\nsleutel = "veel_geldzorgen"\ntitel = "Veel geldzorgen"\n'
        'beschrijving = "Test."\nniveau = "buurt"\nbron = "test"\n'
        '[[regel.conditie]]\nsoort = "drempel"\nindicator = "signalen_schulden_per_1000"\n'
        "waarde = 0.1\n",
        encoding="utf-8",
    )
    hits = evaluate(loaded, rules=load_rules(rules)).matches
    assert set(hits["code"]) == {c for (lv, c) in pub if lv == "buurt" and inw[c] >= 100}


def test_bad_and_foreign_buurt_codes_are_counted_not_listed(atlas, tmp_path):
    rows = pd.DataFrame(
        {
            "buurtcode": ["BU99990201"] * 12 + ["XX12", "BU03630001", ""],
            "thema": ["schulden"] * 15,
        }
    )
    result = count_signals(_write(rows, tmp_path / "c.csv"), atlas, year=2024)
    assert result.excluded == {
        "ongeldige buurtcode": 1,
        "buurt hoort niet bij de gemeente": 1,
        "geen postcode, buurtcode of punt ingevuld": 1,
    }
    assert "XX12" not in result.message() and "BU03630001" not in result.message()
    assert result.cells.query("niveau == 'buurt' and thema == 'schulden'")["aantal"].tolist() == [
        10
    ]
