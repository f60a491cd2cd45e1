"""Print profile pages to PDF with headless Chromium (optional; Playwright + Chromium).

The PDF is what Chromium's print dialog would produce from the page's print stylesheet:
A4 (``@page`` in ``profiel.css``), backgrounds kept so the map and dots print. Pages are
opened from ``file://`` with every network request aborted, so printing needs no network.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from .._errors import MissingExtraError

__all__ = ["chromium_path", "print_pdfs"]

_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]


def chromium_path() -> str | None:
    """A Chromium executable on this machine, or None (then Playwright's own is tried).

    Examples
    --------
    >>> chromium_path() is None or isinstance(chromium_path(), str)
    True
    """
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    return None


def print_pdfs(pages: list[Path]) -> dict[str, Path]:
    """Write ``<page>.pdf`` beside every HTML page; returns code (file stem) -> PDF path.

    Raises
    ------
    MissingExtraError
        Playwright or Chromium is missing (a :class:`~wijkgeo.ConfigError`).

    Examples
    --------
    >>> print_pdfs([Path("maps/profielen/GM9999_2024/WK999902.html")])   # doctest: +SKIP
    """
    try:
        from playwright.sync_api import Error as PlaywrightError
        from playwright.sync_api import sync_playwright
    except ImportError:
        raise MissingExtraError(
            "Geen PDF-programma gevonden: installeer Playwright (pip install playwright) en "
            "Chromium (apt-get install chromium), of print de HTML-pagina's vanuit de browser."
        ) from None
    out: dict[str, Path] = {}
    exe = chromium_path()
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=exe, args=_FLAGS)
            try:
                page = browser.new_page()
                page.route(
                    "**/*",
                    lambda route: (
                        route.continue_()
                        if route.request.url.startswith("file:")
                        else route.abort()
                    ),
                )
                for html in pages:
                    target = Path(html).with_suffix(".pdf")
                    page.goto(Path(html).resolve().as_uri())
                    page.pdf(
                        path=str(target),
                        format="A4",
                        print_background=True,
                        prefer_css_page_size=True,
                    )
                    out[Path(html).stem] = target
            finally:
                browser.close()
    except PlaywrightError as exc:
        raise MissingExtraError(
            f"Chromium kon de PDF niet maken ({str(exc).splitlines()[0]}); installeer Chromium "
            "(apt-get install chromium) of print de HTML-pagina's vanuit de browser."
        ) from None
    return out
