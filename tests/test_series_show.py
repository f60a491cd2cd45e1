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
