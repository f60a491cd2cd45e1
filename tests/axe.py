"""axe-core in headless Chromium: the accessibility check of every page wijkgeo writes.

axe-core comes from npm, pinned in package.json/package-lock.json like the map assets, and
installed into ``.cache/npm/node_modules`` by ``scripts/install_browser_deps.sh``. It is
evaluated in the page (not added as a ``<script>``, so the page's own Content Security
Policy stays as it is) and run with the WCAG 2.0 and 2.1 A and AA rules: what the Dutch
accessibility law asks of public-sector websites.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

import pytest
from browser import NODE_MODULES, _browser, _strict, require_browser

AXE = NODE_MODULES / "axe-core" / "axe.min.js"
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def _axe_source() -> str:
    if not AXE.is_file():
        msg = f"axe-core ontbreekt in {NODE_MODULES}; draai scripts/install_browser_deps.sh"
        pytest.fail(msg) if _strict() else pytest.skip(msg)
    return AXE.read_text("utf-8")


def violations(page) -> list[dict]:
    """axe-core's violations for the WCAG 2.0/2.1 A and AA tags on the open page, each as
    ``{"id", "impact", "help", "targets"}`` (the CSS selectors of the failing nodes)."""
    page.evaluate(_axe_source())
    found = page.evaluate(
        """async (tags) => {
            const r = await axe.run(document, {runOnly: {type: 'tag', values: tags},
                                               resultTypes: ['violations']});
            return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                targets: v.nodes.slice(0, 5).map(n => n.target.join(' '))}));
        }""",
        TAGS,
    )
    return list(found)


def describe(found: list[dict]) -> str:
    """One line per violation, for an assertion message."""
    return "\n".join(f"{v['id']} ({v['impact']}): {v['help']} -> {v['targets']}" for v in found)


@contextlib.contextmanager
def file_page(path: Path, *, width: int = 1200, height: int = 900) -> Iterator:
    """Open a written HTML file (``file://``) in headless Chromium; nothing else loads.
    ``page.goto(other.as_uri())`` then opens the next file in the same tab (fast)."""
    chromium = require_browser()
    with _browser(chromium) as browser:
        context = browser.new_context(viewport={"width": width, "height": height})
        try:
            page = context.new_page()
            page.route(
                "**/*",
                lambda r: r.continue_() if r.request.url.startswith("file:") else r.abort(),
            )
            page.goto(Path(path).resolve().as_uri(), wait_until="load")
            yield page
        finally:
            context.close()
