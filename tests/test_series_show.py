"""The series where people look: the profile's development section and the map's years payload."""

from __future__ import annotations

import pandas as pd

from wijkgeo.maps.years import decode_years, years_payload
from wijkgeo.profile.development import development, section_html, sentence


def _frame():
    rows = []
    for year, v, h in ((2015, 1000.0, "omgerekend"), (2019, None, "ontbreekt"),
                       (2024, 1200.0, "gemeten")):  # fmt: skip
        rows.append(("BU1", year, "inwoners", v, h))
        rows.append(("BU1", year, "aandeel_65_plus", 17.0 if v else None, h))
    frame = pd.DataFrame(rows, columns=["code", "jaar", "indicator", "waarde", "herkomst"])
    return frame.assign(niveau="buurt", naam="Oost", reden=None)


def test_sentences_only_for_meaningful_changes():
    rows = {r["indicator"]: r for r in development(_frame(), "BU1")}
    assert rows["inwoners"]["zin"] == (
        "Het aantal inwoners steeg van 1.000 in 2015 naar 1.200 in 2024."
    )
    assert rows["aandeel_65_plus"]["zin"] is None  # 17 -> 17: nothing to say
    assert sentence("aandeel_65_plus", 2017, 18.0, 2022, 17.5) is None  # within rounding
    assert sentence("aandeel_huishoudens_laag_inkomen", 2017, 18.0, 2022, 13.0).startswith(
        "Het aandeel huishoudens met een laag inkomen daalde van 18"
    )


def test_estimates_drawn_differently_and_escaped():
    svg = development(_frame(), "BU1")[0]["svg"]
    assert 'fill="#fff"' in svg  # the 2015 estimate: an open dot
    assert 'fill="#1f5f8b"' in svg  # the 2024 measurement: a filled dot
    assert ">2015<" in svg and ">2024<" in svg
    html = section_html(_frame().assign(naam="<b>x</b>"), "BU1")
    assert "schatting" in html and "<b>x" not in html


def test_years_payload_roundtrip_geometry_once():
    frame = _frame()
    payload = years_payload(frame, ["BU1", "BU2"])
    assert payload["jaren"] == [2015, 2019, 2024]
    back = decode_years(payload, "inwoners")
    assert back[2024] == [1200.0, None] and back[2015] == [1000.0, None]
    assert back[2019] == [None, None]
    assert payload["herkomst"]["2015"][0] == "E"  # 2 = omgerekend, VLQ "E"
    assert "geometry" not in str(payload)


def _merged():
    """A buurt made of two whole buurten of 2015 (a merger): ``omgerekend`` with the reason
    "opgeteld ...", and a split buurt carried through its area."""
    rows = []
    summed = "opgeteld uit de hele gebieden die er in 2015 lagen (grens veranderd)"
    for code, why in (("BU1", summed), ("BU2", "omgerekend via de oppervlakte")):
        rows.append((code, 2015, "inwoners", 1000.0, "omgerekend", why))
        rows.append((code, 2024, "inwoners", 1200.0, "gemeten", None))
    cols = ["code", "jaar", "indicator", "waarde", "herkomst", "reden"]
    return pd.DataFrame(rows, columns=cols).assign(niveau="buurt", naam="Oost")


def test_a_merger_is_exact_drawn_as_measured_and_says_opgeteld():
    frame = _merged()
    # the provenance stays as the issue names it; only the drawing follows the reason
    assert set(frame["herkomst"]) == {"omgerekend", "gemeten"}
    merged = development(frame, "BU1")[0]
    assert 'fill="#fff"' not in merged["svg"] and "stroke-dasharray" not in merged["svg"]
    assert not merged["geschat"]
    assert [p[2] for p in merged["punten"]] == ["opgeteld", "gemeten"]
    split = development(frame, "BU2")[0]
    assert 'fill="#fff"' in split["svg"] and split["geschat"]
    assert 'class="geschat"' not in section_html(frame, "BU1")
    # the map: code 4 (opgeteld) for the merger, 2 (omgerekend) for the split
    payload = years_payload(frame, ["BU1", "BU2"])
    assert payload["herkomstcodes"][4] == "opgeteld"
    assert payload["herkomst"]["2015"] == "IE"  # VLQ of [4, 2]
    from wijkgeo.series.carry import rules

    said = rules()["teksten"]["kaart"]["herkomsten"]
    assert said["opgeteld"].startswith("opgeteld") and "schatting" in said["omgerekend"]
