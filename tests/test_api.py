"""The public API says what it means: small signatures, one meaning per name, old names warn."""

from __future__ import annotations

import inspect

import pytest

import wijkgeo
from wijkgeo import Atlas
from wijkgeo.maps import MapOptions, Overlays, build, map_payload
from wijkgeo.profile import build as profile_build

KEY = "aandeel_65_plus"


@pytest.fixture(scope="module")
def demo():
    return wijkgeo.make_demo()


def test_build_functions_take_at_most_six_parameters():
    for func in (build, profile_build):
        assert len(inspect.signature(func).parameters) <= 6, func.__module__


def test_old_map_keywords_warn_and_mean_the_same(demo):
    new = map_payload(Atlas.from_frames(demo.buurten, year=2024), [KEY])
    with pytest.warns(DeprecationWarning, match="from_frames"):
        html = build(demo.buurten, indicators=[KEY], year=2024).get_root().render()
    assert new.payload["codes"][0] in html
    with pytest.warns(DeprecationWarning, match="MapOptions"):
        build(demo, indicators=[KEY], basemap="pastel", overlays=False)
    with pytest.raises(TypeError, match="unexpected keyword"):
        build(demo, indicators=[KEY], kleur="rood")


def test_none_is_automatic_and_false_is_off(demo):
    auto = map_payload(demo, [KEY])
    assert {"vierkanten", "koppelkansen"} <= set(auto.layers)
    off = map_payload(demo, [KEY], overlays=Overlays(grid=False, koppelkansen=False))
    assert not {"vierkanten", "koppelkansen"} & set(off.layers)
    plain = map_payload(demo, [KEY], overlays=Overlays.off())
    assert list(plain.layers) == ["buurten", "wijken"]
    with pytest.raises(wijkgeo.ConfigError, match="achtergrondkaart"):
        MapOptions(basemap="osm")
