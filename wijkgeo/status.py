"""What the store holds, how fresh it is and how its last refresh check went.

``wijkgeo status`` prints :func:`format_status` of :func:`store_status`; monitoring reads
the same rows as JSON (``wijkgeo status --json``).
"""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from .refresh import CREATED, FAILED, UNCHANGED, UPDATED, date_part
from .store import Store

__all__ = ["format_status", "store_status"]


def _parse_time(stamp: Any) -> datetime | None:
    if not stamp:
        return None
    try:
        value = datetime.fromisoformat(str(stamp))
    except ValueError:
        return None
    return value if value.tzinfo else value.replace(tzinfo=timezone.utc)


def store_status(
    store: str | Path | Store | None = None, *, now: datetime | None = None
) -> list[dict[str, Any]]:
    """Per gemeente and year: what is stored, how fresh, from which table version.

    Returns
    -------
    list of dict
        ``gemeente``, ``year``, ``name``, ``retrieved_at`` (when the data was downloaded;
        for a demo or library write: when it was written), ``age_days``, ``cbs_table``,
        ``cbs_modified``, ``wijken``, ``buurten``, ``layers`` (rows per layer),
        ``wijkgeo_version``, ``path``; ``checked_at``, ``check_status`` and
        ``check_message`` of the last refresh check (``None`` when never checked);
        ``error`` for an unreadable entry.

    Examples
    --------
    >>> [(s["gemeente"], s["age_days"]) for s in store_status()]     # doctest: +SKIP
    [('GM0772', 3.2)]
    """
    target = store if isinstance(store, Store) else Store(store)
    now = now or datetime.now(timezone.utc)
    rows = []
    for entry in target.entries(verify=True):
        layers = entry.get("layers") or {}
        cbs = (entry.get("sources") or {}).get("cbs") or {}
        meta = entry.get("meta") or {}
        retrieved = entry.get("retrieved_at") or entry.get("written_at")
        when = _parse_time(retrieved)
        check = None if entry.get("error") else target.last_check(entry["gemeente"], entry["year"])
        rows.append(
            {
                "gemeente": entry.get("gemeente"),
                "year": entry.get("year"),
                "name": entry.get("name"),
                "retrieved_at": retrieved,
                "age_days": round((now - when).total_seconds() / 86400, 1) if when else None,
                "cbs_table": cbs.get("table") or meta.get("cbs_table"),
                "cbs_modified": cbs.get("modified"),
                "source": meta.get("source"),
                "wijken": (layers.get("wijken") or {}).get("rows"),
                "buurten": (layers.get("buurten") or {}).get("rows"),
                "layers": {k: v.get("rows") for k, v in layers.items()},
                "local_layers": _local_layers(meta, layers),
                "gezondheid": (entry.get("sources") or {}).get("rivm")
                if "lokaal_gezondheid" in layers
                else None,
                "wijkgeo_version": entry.get("wijkgeo_version"),
                "path": entry.get("path"),
                "checked_at": (check or {}).get("checked_at"),
                "check_status": (check or {}).get("status"),
                "check_message": (check or {}).get("message"),
                **({"error": entry["error"]} if entry.get("error") else {}),
            }
        )
    return rows


#: The RIVM health tables kept with the gemeente: a source of their own, no own layer.
_HEALTH = ("lokaal_gezondheid", "lokaal_gezondheid_bron")


def _local_layers(meta: dict[str, Any], layers: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Per stored local layer (``wijkgeo lagen``): file, rows and when it was stored."""
    info = ((meta.get("lokale_lagen_info") or {}).get("lagen")) or {}
    out = {}
    for name, entry in layers.items():
        if not name.startswith("lokaal_") or name in _HEALTH:
            continue
        key = name.removeprefix("lokaal_")
        extra = info.get(key) or {}
        out[key] = {
            "rows": entry.get("rows"),
            "file": extra.get("bestand"),
            "stored_at": extra.get("opgeslagen_op"),
        }
    return out


def _local_line(local: dict[str, dict[str, Any]]) -> str:
    parts = []
    for name, item in sorted(local.items()):
        n = item.get("rows")
        text = f"{name} {n} {'rij' if n == 1 else 'rijen'}"
        if item.get("stored_at"):
            text += f" ({date_part(item['stored_at'])})"
        parts.append(text)
    return "  eigen lagen: " + ", ".join(parts)


def format_status(rows: list[dict[str, Any]]) -> str:
    """The status rows as a small Dutch text table.

    Examples
    --------
    >>> print(format_status([]))
    De store is leeg. Haal gegevens op met `wijkgeo refresh GM0772 --jaar 2024` of `wijkgeo demo`.
    """
    if not rows:
        return (
            "De store is leeg. Haal gegevens op met `wijkgeo refresh GM0772 --jaar 2024` of "
            "`wijkgeo demo`."
        )
    header = (
        "gemeente",
        "jaar",
        "naam",
        "opgehaald",
        "dagen oud",
        "tabel (gewijzigd)",
        "wijken",
        "buurten",
        "laatste controle",
    )
    words = {
        CREATED: "nieuw",
        UPDATED: "bijgewerkt",
        UNCHANGED: "ongewijzigd",
        FAILED: "MISLUKT",
        "onleesbaar": "ONLEESBAAR",
    }
    lines = []
    for r in rows:
        table = r.get("cbs_table") or "-"
        if r.get("cbs_modified"):
            table += f" ({date_part(r['cbs_modified'])})"
        lines.append(
            (
                str(r["gemeente"]),
                str(r["year"]),
                str(r.get("name") or "-"),
                str(r.get("retrieved_at") or "-")[:16].replace("T", " "),
                "-" if r.get("age_days") is None else f"{r['age_days']:.1f}",
                table if not r.get("error") else "ONLEESBAAR",
                "-" if r.get("wijken") is None else str(r["wijken"]),
                "-" if r.get("buurten") is None else str(r["buurten"]),
                "-"
                if not r.get("checked_at")
                else str(r["checked_at"])[:16].replace("T", " ")
                + " "
                + words.get(str(r.get("check_status")), str(r.get("check_status"))),
            )
        )
    widths = [max(len(h), *(len(line[i]) for line in lines)) for i, h in enumerate(header)]
    fmt = "  ".join(f"{{:<{w}}}" for w in widths)
    out = [fmt.format(*header).rstrip()]
    for r, line in zip(rows, lines, strict=True):
        out.append(fmt.format(*line).rstrip())
        if r.get("local_layers"):  # which own layers are stored, their rows and dates
            out.append(_local_line(r["local_layers"]))
        if r.get("gezondheid"):  # the RIVM health estimates stored with the gemeente
            rivm = r["gezondheid"]
            where = rivm.get("file") or date_part(rivm.get("modified"))
            out.append(f"  gezondheid: RIVM-tabel {rivm.get('table', '?')} ({where})")
    table = "\n".join(out)
    notes = [
        f"{r['gemeente']} {r['year']} ONLEESBAAR: {r['error']}" for r in rows if r.get("error")
    ] + [
        f"{r['gemeente']} {r['year']} laatste controle ONLEESBAAR: {r.get('check_message')}"
        for r in rows
        if r.get("check_status") == "onleesbaar"
    ]
    return "\n".join([table, "", *notes]) if notes else table
