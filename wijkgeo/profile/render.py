"""Turn profile content into HTML, through the maps' one escaping point.

The templates are data files in this package (``pagina.html.j2``, ``index.html.j2``, the
stylesheet ``profiel.css``). They are rendered by Jinja2 with ``autoescape=False`` and
``finalize=wijkgeo.maps.escape.esc``: Jinja calls ``finalize`` on the value of every
``{{ ... }}`` expression, so every string from data is escaped by ``escape.esc`` and by
nothing else (no second, Jinja-own escaping that could disagree with it). Values that are
already :class:`~markupsafe.Markup` (the SVG graphics built with ``escape.html``, the
package's own CSS) pass unchanged, because ``esc`` returns Markup as it is. Data is only
ever a Jinja *variable*, never part of a template, so ``{{ 7*7 }}`` in a name is shown as
text and never evaluated.
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import Any

from jinja2 import Environment, FunctionLoader, StrictUndefined

from .. import text
from ..maps.escape import Markup, esc
from .points import explanation
from .words import _t, teksten

__all__ = ["render_index", "render_page", "stylesheet"]


def _load(name: str) -> str:
    return resources.files(__package__).joinpath(name).read_text("utf-8")


@cache
def _env() -> Environment:
    return Environment(
        loader=FunctionLoader(_load),
        autoescape=False,  # escaping is escape.esc's job, via finalize
        finalize=esc,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def stylesheet() -> Markup:
    """The profile stylesheet (screen and A4 print), a trusted package file.

    Examples
    --------
    >>> "@page" in stylesheet()
    True
    """
    return Markup(_load("profiel.css"))


def render_page(page: dict[str, Any]) -> str:
    """One self-contained profile page from :meth:`ProfileData.page` content.

    Examples
    --------
    >>> import wijkgeo
    >>> from wijkgeo.profile.content import ProfileData
    >>> html = render_page(ProfileData(wijkgeo.make_demo()).page("WK999902"))  # doctest: +SKIP
    """
    name, level = page["name"], page["level"]
    niveau = text.level(level)
    heads = "_vergelijkbaar" if page.get("punten_vergelijkbaar") else ""
    many = text.level(level, plural=True)
    extra = {
        "sec_kracht": _t(
            f"secties.kracht{heads}", naam=name, gemeente=page["gemeente"], niveaus=many
        ),
        "sec_aandacht": _t(
            f"secties.aandacht{heads}", naam=name, gemeente=page["gemeente"], niveaus=many
        ),
        "sec_spreiding": _t("secties.spreiding", niveau=niveau),
        "geen_kracht": _t("punten.geen_kracht", naam=name, niveau=niveau),
        "geen_aandacht": _t("punten.geen_aandacht", naam=name, niveau=niveau),
        "punten_uitleg": explanation(
            page["gemeente"], text.level(level, plural=True), page.get("punten_vergelijkbaar")
        ),
        "positie_uitleg": _t(
            "tabel.positie_uitleg", naam=name, niveaus=text.level(level, plural=True)
        ),
        "positie_kop": _t("tabel.positie", niveaus=text.level(level, plural=True)),
        "niveau_kop": niveau.capitalize(),
        "neutraal": text.direction("neutraal"),
    }
    return (
        _env().get_template("pagina.html.j2").render(p=page, t=teksten(), css=stylesheet(), **extra)
    )


def render_index(title: str, wijken: list[dict[str, Any]]) -> str:
    """The searchable index page: every wijk with its buurten, each linking to its page.

    ``wijken``: dicts with ``name``, ``code``, ``href``, ``info``, ``search`` and
    ``buurten`` (dicts with the same keys).

    Examples
    --------
    >>> html = render_index("Profielen <x>", [])
    >>> "Profielen &lt;x&gt;" in html
    True
    """
    return (
        _env()
        .get_template("index.html.j2")
        .render(title=title, wijken=wijken, t=teksten(), css=stylesheet())
    )
