"""One strict Content-Security-Policy and Subresource Integrity for every page wijkgeo writes.

:func:`harden_page` is applied to a finished page (map, profile page, profile index) just
before it is written:

* every ``<script src>`` and stylesheet ``<link>`` on the CDN gets its ``integrity`` hash
  (``integrity.json``, computed by ``scripts/update_sri.py`` from the pinned npm files) and
  ``crossorigin="anonymous"``; a CDN file without a known hash is refused;
* a ``<meta http-equiv="Content-Security-Policy">`` is put first in ``<head>`` (an existing
  one is replaced). The policy is the same for every page: nothing is allowed by default;
  scripts only by the sha256 of each inline script on the page (no ``'unsafe-inline'``, no
  ``eval``) and from the CDN; styles inline and from the CDN; images as ``data:``, from the
  CDN and from the tile servers the page itself names; no forms, no plugins, no ``<base>``.

Examples
--------
>>> page = "<html><head></head><body><script>var a = 1;</script></body></html>"
>>> out = harden_page(page)
>>> "script-src 'sha256-" in out and "'unsafe-inline'" not in out.split("style-src")[0]
True
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from functools import cache
from importlib import resources

from .._errors import ConfigError
from .assets import CDN_PREFIX

__all__ = ["harden_page", "integrity", "policy"]

_CDN_HOST = "https://cdn.jsdelivr.net"
_SCRIPT = re.compile(r"<script\b([^>]*)>(.*?)</script\s*>", re.S | re.I)
_TAG = re.compile(r"<(script|link)\b[^>]*>", re.I)
_ATTR_URL = re.compile(r"""\b(src|href)\s*=\s*(["'])(https://cdn\.jsdelivr\.net/npm/[^"']+)\2""")
_TYPE = re.compile(r"""\btype\s*=\s*(["'])([^"']*)\1""", re.I)
_META_CSP = re.compile(r"<meta\s+http-equiv=(['\"])Content-Security-Policy\1[^>]*>\s*", re.I)
_TILE_HOST = re.compile(r"(https://[a-z0-9.-]+)/[^\"'\s]*\{z\}", re.I)
_JS_TYPES = {"", "text/javascript", "application/javascript", "module"}


@cache
def _integrity_table() -> dict[str, str]:
    text = resources.files(__package__).joinpath("integrity.json").read_text("utf-8")
    return {k: v for k, v in json.loads(text).items() if not k.startswith("_")}


def integrity(url: str) -> str:
    """The ``sha384-...`` hash of a CDN file.

    Raises
    ------
    ConfigError
        When the URL has no known hash (run ``scripts/update_sri.py``).

    Examples
    --------
    >>> integrity("https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.js")[:7]
    'sha384-'
    """
    try:
        return _integrity_table()[url]
    except KeyError:
        raise ConfigError(
            f"{url}: geen integriteitshash bekend; voeg de versie toe met "
            "`python scripts/update_sri.py` (zie wijkgeo/maps/integrity.json)."
        ) from None


def _with_integrity(html: str) -> str:
    def fix(match: re.Match[str]) -> str:
        tag = match.group(0)
        found = _ATTR_URL.search(tag)
        if found is None or "integrity=" in tag:
            return tag
        extra = f' integrity="{integrity(found.group(3))}" crossorigin="anonymous"'
        end = -2 if tag.endswith("/>") else -1
        return tag[:end].rstrip() + extra + tag[end:]

    return _TAG.sub(fix, html)


def policy(html: str) -> str:
    """The Content-Security-Policy of a page: the common rules plus its own script hashes.

    Examples
    --------
    >>> policy("<p>geen scripts</p>").split("; ")[:2]
    ["default-src 'none'", "script-src 'none'"]
    """
    hashes = []
    for match in _SCRIPT.finditer(html):
        attrs, body = match.group(1), match.group(2)
        if re.search(r"\bsrc\s*=", attrs, re.I):
            continue
        kind = _TYPE.search(attrs)
        if kind is not None and kind.group(2).strip().lower() not in _JS_TYPES:
            continue  # data blocks (application/json) do not run
        digest = hashlib.sha256(body.encode("utf-8")).digest()
        hashes.append(f"'sha256-{base64.b64encode(digest).decode()}'")
    uses_cdn = CDN_PREFIX in html
    scripts = list(dict.fromkeys(hashes)) + ([_CDN_HOST] if uses_cdn else [])
    tiles = sorted({m.group(1).lower() for m in _TILE_HOST.finditer(html)})
    images = ["data:", *([_CDN_HOST] if uses_cdn else []), *tiles]
    styles = ["'unsafe-inline'", *([_CDN_HOST] if uses_cdn else [])]
    fonts = ["data:", *([_CDN_HOST] if uses_cdn else [])]
    rules = [
        "default-src 'none'",
        "script-src " + (" ".join(scripts) if scripts else "'none'"),
        "style-src " + " ".join(styles),
        "img-src " + " ".join(images),
        "font-src " + " ".join(fonts),
        "connect-src 'none'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'none'",
    ]
    return "; ".join(rules)


def harden_page(html: str) -> str:
    """``html`` with SRI on its CDN assets and the common strict CSP first in ``<head>``."""
    html = _with_integrity(html)
    html = _META_CSP.sub("", html)
    meta = f'<meta http-equiv="Content-Security-Policy" content="{policy(html)}">'
    head = re.search(r"<head\b[^>]*>", html, re.I)
    if head is None:
        return meta + html
    return html[: head.end()] + meta + html[head.end() :]
