"""Accessibility (WCAG 2.0/2.1 A and AA) of every page wijkgeo writes, checked with axe-core
in headless Chromium (tests/axe.py): zero violations, on the demo and on real Rotterdam."""

from __future__ import annotations

import pytest
from axe import describe, file_page, violations

import wijkgeo
from wijkgeo.profile import build

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def demo_profiles(tmp_path_factory):
    folder = tmp_path_factory.mktemp("profielen")
    return build(wijkgeo.make_demo(), uitvoer=folder)


def _check(paths) -> None:
    with file_page(paths[0]) as page:
        for path in paths:
            page.goto(path.resolve().as_uri(), wait_until="load")
            found = violations(page)
            assert not found, f"{path.name}:\n{describe(found)}"


def test_profile_index_and_sample_pages_have_no_violations(demo_profiles):
    pages = demo_profiles.pages
    small = [c for c in pages if c.startswith("BU") and c.endswith("00")][:1]
    sample = ["WK999902", "WK999900", "BU99990201", *small]
    _check([demo_profiles.index, *(pages[c] for c in sample)])


@pytest.mark.slow
def test_every_profile_page_has_no_violations(demo_profiles):
    pages = [demo_profiles.index, *demo_profiles.pages.values()]
    assert len(pages) > 40
    _check(pages)


def test_profile_map_names_the_area(demo_profiles):
    with file_page(demo_profiles.pages["BU99990201"]) as page:
        label = page.locator("svg.map").get_attribute("aria-label")
        name = page.locator("h1").inner_text().replace("Buurtprofiel ", "")
        assert label and name in label


def test_profile_index_entries_never_split(demo_profiles):
    with file_page(demo_profiles.index, width=900) as page:
        splits = page.evaluate(
            """() => [...document.querySelectorAll('.index-list li.buurt')]
                 .filter(li => li.getClientRects().length > 1).map(li => li.textContent)"""
        )
        assert splits == []
