"""The sources line of the koppelkansen map: sources, table versions, data dates, attribution.

Everything comes from ``atlas.meta`` (``source``, ``cbs_table``, ``retrieved_at``,
``peildatum``, ``year``; a store manifest's retrieval dates when the store put them there)
and the names of the local layers; it is escaped here, once.
"""

from __future__ import annotations

from typing import Any

from .escape import Markup, html, join

__all__ = ["footer_html"]


def _day(value: Any) -> str:
    text = str(value or "")
    return text[:10]


def footer_html(atlas: Any, basemap: str = "grijs") -> Markup:
    """The inside of the sources box (escaped HTML).

    Examples
    --------
    >>> import wijkgeo
    >>> from wijkgeo.maps.footer import footer_html
    >>> "Kadaster" in footer_html(wijkgeo.make_demo())
    True
    """
    from .data import text

    t = text()["footer"]
    meta = dict(getattr(atlas, "meta", {}) or {})
    lines = []
    stats = [str(meta.get("source") or t["cbs"])]
    table = meta.get("cbs_table") or meta.get("table")
    if table:
        stats.append(f"{t['table']} {table}")
    if meta.get("year"):
        stats.append(f"{t['year']} {meta['year']}")
    if meta.get("retrieved_at"):
        stats.append(f"{t['retrieved']} {_day(meta['retrieved_at'])}")
    lines.append(html("<div><b>{}</b>: {}</div>", t["statistics"], " · ".join(stats)))
    sources = meta.get("sources") or {}
    if isinstance(sources, dict) and sources:
        parts = []
        for name, info in sources.items():
            info = info if isinstance(info, dict) else {"retrieved_at": info}
            bits = [str(info[k]) for k in ("table", "file") if info.get(k)]
            when = info.get("modified") or info.get("retrieved_at")
            if when:
                bits.append(f"{t['modified']} {_day(when)}")
            parts.append(f"{name} ({', '.join(bits)})" if bits else str(name))
        lines.append(html("<div><b>{}</b>: {}</div>", t["store"], ", ".join(parts)))
    local = sorted((getattr(atlas, "local", None) or {}).keys())
    if local:
        when = f" · {t['peildatum']} {_day(meta['peildatum'])}" if meta.get("peildatum") else ""
        lines.append(html("<div><b>{}</b>: {}{}</div>", t["local"], ", ".join(local), when))
    from ..indicators.nederland import nederland_note

    note = nederland_note(atlas)
    if note:  # why Nederland figures are missing, once instead of per popup
        lines.append(html("<div>{}</div>", note))
    lines.append(
        html(
            "<div>{}: BRT-Achtergrondkaart {} © Kadaster (PDOK) · {}</div>",
            t["basemap"],
            basemap,
            t["attribution_cbs"],
        )
    )
    return html('<summary title="{}">{}</summary>{}', t["toggle"], t["title"], join(lines))
