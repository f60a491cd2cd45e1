"""The one place where text becomes HTML in a wijkgeo map.

Everything a map shows that did not come from a literal in this package (buurt and wijk
names, codes, gemeente names, titles, registry labels, formatted values) passes through
:func:`esc` or :func:`html`, which use MarkupSafe: ``<``, ``>``, ``&``, ``"`` and ``'`` are
replaced by entities, so a name like ``<img src=x onerror=alert(1)>`` shows as text and an
apostrophe cannot end a JavaScript string (folium #853). Curly braces become ``&#123;`` and
``&#125;`` as well: folium and branca render the output of every element a second time as a
Jinja template, so data containing ``{{ ... }}`` would otherwise be *evaluated in Python* when
the map is saved (measured with folium 0.20: a tooltip field ``x{{ 7*7 }}y`` is saved as
``x49y``).

Pre-rendered HTML reaches the page only through :class:`SafeHtml`, which inserts it as a
Jinja *variable*. Passing data to ``folium.Element(...)`` instead would make it a Jinja
*template*: a name containing ``{{ ... }}`` would be evaluated when the map is saved.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from branca.element import MacroElement
from jinja2 import Template
from markupsafe import Markup, escape

__all__ = ["Markup", "SafeHtml", "esc", "escape_payload", "html", "join", "script_json"]


_CONTROLS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _shown(value: Any) -> Any:
    """Text as shown on a page: without bidi overrides (U+202E turns "825" into "528")
    and control characters; other values unchanged."""
    if isinstance(value, str):
        from .._clean import strip_bidi

        return strip_bidi(_CONTROLS.sub("", value))
    return value


def esc(value: Any) -> Markup:
    """Escape one value for HTML text or a quoted attribute (``None`` becomes ``""``).

    Examples
    --------
    >>> from wijkgeo.maps.escape import esc
    >>> str(esc("<img src=x onerror=alert(1)>"))
    '&lt;img src=x onerror=alert(1)&gt;'
    >>> str(esc("'s-Hertogenbosch"))
    '&#39;s-Hertogenbosch'
    >>> str(esc("{{ 7*7 }}"))
    '&#123;&#123; 7*7 &#125;&#125;'
    >>> str(esc("Buurt \u202e825"))  # bidi overrides and control characters removed
    'Buurt 825'
    """
    if isinstance(value, Markup):
        return value
    text = str(escape(_shown("" if value is None else value)))
    return Markup(text.replace("{", "&#123;").replace("}", "&#125;"))


def html(template: str, *args: Any, **kwargs: Any) -> Markup:
    """Fill a trusted HTML ``template`` (a literal in wijkgeo) with escaped values.

    Arguments that are already :class:`Markup` (output of :func:`html`/:func:`esc`) are
    inserted as they are; everything else is escaped.

    Examples
    --------
    >>> from wijkgeo.maps.escape import html
    >>> str(html("<b>{}</b>", "a & b"))
    '<b>a &amp; b</b>'
    """
    return Markup(template).format(
        *(esc(a) for a in args), **{k: esc(v) for k, v in kwargs.items()}
    )


def join(parts: Iterable[Any], sep: str = "") -> Markup:
    """Join escaped parts with a trusted separator.

    Examples
    --------
    >>> from wijkgeo.maps.escape import join, html
    >>> str(join([html("<i>{}</i>", "x"), "<y>"], "<br>"))
    '<i>x</i><br>&lt;y&gt;'
    """
    return Markup(sep).join(esc(p) for p in parts)


_JSON_IN_SCRIPT = str.maketrans(
    {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"}
)


def escape_payload(obj: Any) -> Any:
    """Every data string of a JSON-ready structure through :func:`esc`, once.

    The map's payload is built from raw strings; this is the one pass that escapes them, at
    serialisation. Pre-rendered HTML (legends, the footer: :class:`Markup` from :func:`html`)
    and trusted constants wrapped in ``Markup`` (the basemap URL templates) stay as they are.

    Examples
    --------
    >>> escape_payload({"naam": "<b>", "legenda": html("<b>{}</b>", "x"), "n": [1, "&"]})
    {'naam': '&lt;b&gt;', 'legenda': '<b>x</b>', 'n': [1, '&amp;']}
    """
    if isinstance(obj, Markup):
        return str(obj)
    if isinstance(obj, str):
        return str(esc(obj))
    if isinstance(obj, dict):
        return {k: escape_payload(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [escape_payload(v) for v in obj]
    return obj


def script_json(obj: Any) -> str:
    r"""JSON for a ``<script type="application/json">`` block: no NaN, nothing that ends it.

    ``<``, ``>`` and ``&`` become ``\u003c`` etc., so no ``</script>`` or ``<!--`` can appear
    whatever the data holds; ``NaN`` is refused (Python's ``json.dumps`` would write invalid
    JSON); data strings inside are expected to be :func:`esc`-aped already (they reach
    ``innerHTML`` in the browser).

    Examples
    --------
    >>> from wijkgeo.maps.escape import script_json
    >>> print(script_json({"naam": "</script><script>alert(2)</script>"}))
    {"naam":"\u003c/script\u003e\u003cscript\u003ealert(2)\u003c/script\u003e"}
    """
    import json

    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"), allow_nan=False).translate(
        _JSON_IN_SCRIPT
    )


class SafeHtml(MacroElement):
    """Put pre-rendered :class:`Markup` into the page body (``where="html"``) or head.

    Parameters
    ----------
    content : Markup
        Output of :func:`html`/:func:`esc`; a plain ``str`` is escaped first.
    where : {"html", "header"}
        Page section.
    """

    _template = Template(
        "{% macro header(this, kwargs) %}{% if this.where == 'header' %}"
        "{{ this.content }}{% endif %}{% endmacro %}"
        "{% macro html(this, kwargs) %}{% if this.where == 'html' %}"
        "{{ this.content }}{% endif %}{% endmacro %}"
    )

    def __init__(self, content: Any, where: str = "html"):
        super().__init__()
        if where not in ("html", "header"):
            raise ValueError(f"where must be 'html' or 'header', not {where!r}")
        self._name = "SafeHtml"
        self.content = content if isinstance(content, Markup) else esc(content)
        self.where = where
