"""The koppelkansen map without a browser: layer specs, memberships, escaping, PNG, CLI."""

from __future__ import annotations

import json
import re

import numpy as np
import pytest
from browser import HOSTILE, KANS_RULE, SCRIPT_END, TEMPLATE, synthetic_atlas, with_hostile_layers

import wijkgeo
from wijkgeo import Atlas
from wijkgeo.maps import build, map_payload, png
from wijkgeo.maps.layers import encode_points, encode_shape
from wijkgeo.maps.topology import decode_vlq

KEY = "aandeel_65_plus"


@pytest.fixture(scope="module")
def demo():
    return wijkgeo.make_demo()


def _payload(html: str) -> dict:
    block = re.search(
        r'<script type="application/json" id="wijkgeo-data">(.*?)</script>', html, re.S
    )
    return json.loads(block.group(1))


@pytest.fixture(scope="module")
def demo_payload(demo):
    # the map as data (no HTML read back); the page carries exactly this block
    return map_payload(demo, indicator=KEY).payload


def test_points_and_shapes_round_trip_at_a_metre():
    from shapely.geometry import Polygon

    lat, lng = np.array([52.123456, 52.12349]), np.array([5.654321, 5.6543])
    steps = decode_vlq(encode_points(lat, lng))
    back = np.cumsum(np.array(steps).reshape(-1, 2), axis=0) * 1e-5
    assert np.allclose(back[:, 0], lat, atol=6e-6) and np.allclose(back[:, 1], lng, atol=6e-6)
    ring = Polygon([(5, 52), (5.01, 52), (5.01, 52.01), (5, 52)], holes=[])
    enc = encode_shape(ring)
    assert list(enc) == ["p"] and len(enc["p"][0]) == 1
    assert len(decode_vlq(enc["p"][0][0])) == 6  # 3 points, the closing one dropped


def test_the_demo_map_carries_every_layer_with_its_data(demo, demo_payload):
    layers = {layer["id"]: layer for layer in demo_payload["layers"]}
    assert list(layers) == [
        "buurten",
        "wijken",
        "vierkanten",
        "voorzieningen",
        "initiatieven",
        "energietransitie",
        "projecten",
        "verhalen",
        "koppelkansen",
    ]
    assert len(layers["voorzieningen"]["names"]) == len(demo.local["voorzieningen"])
    assert len(layers["verhalen"]["names"]) == len(demo.local["verhalen"])
    assert layers["voorzieningen"]["cluster"] and not layers["initiatieven"]["cluster"]
    assert len(layers["projecten"]["items"]) == len(demo.local["projecten"])
    proj = demo.local["projecten"]
    assert layers["projecten"]["years"] == [
        int(proj["startjaar"].min()),
        int(proj["eindjaar"].max()),
    ]
    etw = layers["energietransitie"]["items"]
    assert {e["code"] for e in etw} == set(demo.local["energietransitie"]["wijkcode"])
    grid = layers["vierkanten"]
    kinds = {v["kind"] for v in grid["vars"]}
    assert kinds == {"cbs", "schatting"}
    assert {v["source"] for v in grid["vars"]} == {
        "CBS-vierkant (eigen cijfers)",
        "uit buurtcijfers verdeeld (schatting)",
    }
    units = layers["koppelkansen"]["units"]
    duinrand = next(u for u in units if u["code"] == "WK999902")
    assert duinrand["level"] == "wijk" and duinrand["arcs"]
    assert {u["level"] for u in units} == {"buurt", "wijk", "vierkant"}
    assert demo_payload["footer"] and "Kadaster" in demo_payload["footer"]
    # the old engine map stays as it was without an Atlas
    plain = map_payload(Atlas.from_frames(demo.buurten), indicator=KEY).payload
    assert [la["id"] for la in plain["layers"]] == ["buurten", "wijken"]
    assert "footer" not in plain


def test_check_panel_lists_what_is_here_by_the_one_rule(demo, demo_payload):
    """The check panel lists "wat er al is" as koppelkansen and profile do
    (wijkgeo.facts.present): active on the peildatum, in the buurt or within 250 m."""
    from wijkgeo.facts.present import what_is_here
    from wijkgeo.joins import assign_points

    here = what_is_here(demo, "buurt")
    layers = {layer["id"]: layer for layer in demo_payload["layers"]}
    codes = demo.buurten["buurtcode"].astype(str).tolist()
    where = assign_points(demo.local["voorzieningen"], demo.buurten)
    per, near = layers["voorzieningen"]["in_buurt"], layers["voorzieningen"]["near"]
    assert "250 m" in layers["voorzieningen"]["near_label"]
    for i, code in enumerate(codes):
        found = here.of(code)["voorzieningen"]
        assert per[i] == sorted(r["index"] for r in found)
        assert near[i] == sorted(r["index"] for r in found if not r["binnen"])
        assert len(per[i]) - len(near[i]) >= int((where == code).sum())
    init = demo.local["bewonersinitiatieven"]
    listed = {j for row in layers["initiatieven"]["in_buurt"] for j in row}
    assert not any(init["status"].iloc[sorted(listed)] == "afgerond")
    # every buurt unit of the koppelkansen is listed for its own buurt
    units = layers["koppelkansen"]["units"]
    kans = layers["koppelkansen"]["in_buurt"]
    for j, unit in enumerate(units):
        if unit["level"] == "buurt":
            assert j in kans[codes.index(unit["code"])]


def test_every_local_string_is_escaped_once():
    from wijkgeo.koppelkansen import evaluate, parse_rules

    atlas = with_hostile_layers(synthetic_atlas())
    result = evaluate(atlas, rules=parse_rules(KANS_RULE)[0])
    html = build(atlas, indicator=KEY, koppelkansen=result).get_root().render()
    body = html.split("<body>", 1)[1]
    assert "<img src=x" not in body and "</script><script>alert" not in body
    assert "`${alert(3)}`" not in body  # the backtick is an entity, not a template literal
    data = json.dumps(_payload(html), ensure_ascii=False)
    for raw, escaped in (
        (HOSTILE, "&lt;img src=x onerror=alert(1)&gt;"),
        (SCRIPT_END, "&lt;/script&gt;&lt;script&gt;alert(2)&lt;/script&gt;"),
        (TEMPLATE, "`$&#123;alert(3)&#125;`"),
    ):
        assert escaped in data, raw
        assert "&amp;lt;" not in data  # never twice


def test_png_has_the_classes_colours_and_legend_of_the_html_map(demo, demo_payload, tmp_path):
    import matplotlib.image as mpimg

    pic = png(demo, KEY, path=tmp_path / "kaart.png")
    entry = next(e for e in demo_payload["indicators"] if e["key"] == KEY)
    # the legend texts and colours are the rows of the HTML legend, in the same order
    html_rows = re.findall(
        r'background:(#[0-9a-f]{6})"></span></td><td>(.*?)</td><td class="wijkgeo-n"[^>]*>(\d+)',
        entry["legend"],
    )
    assert [(c, t, int(n)) for c, t, n in html_rows] == [
        (c, t.replace("&#39;", "'"), n) for c, t, n in pic.legend
    ]
    # each buurt's pixel has the colour engine.js gives it from the data block
    ints = np.array(
        [np.nan if v is None else v + entry["o"] for v in decode_vlq(entry["v"])], dtype=float
    )
    image = mpimg.imread(pic.path)
    for i, (x, y) in enumerate(pic.pixels):
        if np.isnan(ints[i]):
            expected = demo_payload["missing_color"]
        else:
            k = next(
                (j for j, b in enumerate(entry["bins"]) if ints[i] <= b), len(entry["bins"]) - 1
            )
            expected = entry["colors"][k]
        rgb = tuple(round(float(c) * 255) for c in image[int(y), int(x), :3])
        want = tuple(int(expected[j : j + 2], 16) for j in (1, 3, 5))
        assert max(abs(a - b) for a, b in zip(rgb, want, strict=True)) <= 3, (i, rgb, expected)
        assert pic.fills[i] == expected


def test_png_with_points_and_its_errors(demo, tmp_path):
    from wijkgeo._errors import ConfigError

    pic = png(demo, KEY, points="voorzieningen", path=tmp_path / "p.png")
    assert pic.path.stat().st_size > 10_000
    with pytest.raises(ConfigError, match="puntenlaag"):
        png(demo, KEY, points="projecten", path=tmp_path / "x.png")


def test_cli_map_png_writes_the_memo_picture(tmp_path, monkeypatch, capsys):
    from wijkgeo.cli import main
    from wijkgeo.store import Store

    store = tmp_path / "store"
    Store(store).write_atlas(wijkgeo.make_demo())
    monkeypatch.chdir(tmp_path)
    code = main(
        [
            "map",
            "GM9999",
            "--jaar",
            "2024",
            "--store",
            str(store),
            "--png",
            KEY,
            "--png-punten",
            "voorzieningen",
        ]
    )
    assert code == 0
    out = tmp_path / "maps" / f"GM9999_2024_{KEY}.png"
    assert out.is_file() and str(out.resolve()) in capsys.readouterr().out
    assert (
        main(
            [
                "map",
                "GM9999",
                "--jaar",
                "2024",
                "--store",
                str(store),
                "--png-punten",
                "voorzieningen",
            ]
        )
        != 0
    )


def test_cli_map_help_is_dutch_with_the_png_example(capsys):
    from wijkgeo.cli import main

    with pytest.raises(SystemExit):
        main(["map", "--help"])
    text = capsys.readouterr().out
    assert "--png INDICATOR" in text and "--png-punten" in text and "notitie" in text
