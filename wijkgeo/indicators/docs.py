"""Generate ``docs/indicatoren.md`` from the registry, so the documentation never drifts.

Run ``python -m wijkgeo.indicators.docs`` (optionally with a target path) after changing
``registry.json``; a test fails when the committed file is stale.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from .registry import Indicator, format_number, list_indicators, registry_meta, themes

__all__ = ["DEFAULT_PATH", "describe_formula", "render_markdown", "write_docs"]

#: Where the generated file lives in the repository.
DEFAULT_PATH = Path(__file__).resolve().parents[2] / "docs" / "indicatoren.md"

_SCHEME_NL = {
    "quantiles": "kwantielen",
    "natural_breaks": "natuurlijke grenzen (Jenks)",
    "equal_interval": "gelijke intervallen",
    "fisher_jenks": "Fisher-Jenks",
    "std_mean": "standaardafwijkingen rond het gemiddelde",
    "user_defined": "vaste grenzen",
}


def _scale(alt: Mapping[str, Any]) -> str:
    scale = float(alt.get("scale", 1))
    if scale == 1:
        return ""
    if scale < 1:
        return f" × {format_number(scale, 3).rstrip('0').rstrip(',')}"
    return f" × {format_number(scale, 0)}"


def _where(alt: Mapping[str, Any]) -> str:
    where = alt.get("where") or {}
    parts = []
    for col, vals in where.items():
        vals = [vals] if isinstance(vals, str) else list(vals)
        parts.append(f"`{col}` is {' of '.join(repr(v) for v in vals)}")
    return f" (alleen waar {' en '.join(parts)})" if parts else ""


def describe_formula(alt: Mapping[str, Any]) -> str:
    """One formula alternative in Dutch.

    Examples
    --------
    >>> describe_formula({"op": "ratio", "numerator": "a", "denominator": "b", "scale": 100})
    '`a` / `b` × 100'
    """
    op = alt["op"]
    if op == "column":
        return f"gepubliceerde waarde `{alt['column']}`{_scale(alt)}"
    if op == "ratio":
        num = alt["numerator"]
        num = [num] if isinstance(num, str) else list(num)
        top = " + ".join(f"`{c}`" for c in num)
        if len(num) > 1:
            top = f"({top})"
        return f"{top} / `{alt['denominator']}`{_scale(alt)}"
    if op == "points_in_area":
        text = f"aantal punten van lokale laag `{alt['layer']}`{_where(alt)} binnen het gebied"
        if alt.get("per"):
            text += f", gedeeld door `{alt['per']}`{_scale(alt)}"
        return text
    if op == "nearest_point_distance":
        return (
            f"hemelsbrede afstand van het zwaartepunt van het gebied tot het dichtstbijzijnde punt "
            f"van lokale laag `{alt['layer']}`{_where(alt)} in meters{_scale(alt)}"
        )
    if op == "lookup":
        keys = [alt["key"]] if isinstance(alt["key"], str) else list(alt["key"])
        text = (
            f"`{alt['value']}` uit lokale tabel `{alt['layer']}`{_where(alt)} via "
            + " of ".join(f"`{k}`" for k in keys)
            + f" ({alt.get('how', 'first')} per code)"
        )
        if alt.get("per"):
            text += f", gedeeld door `{alt['per']}`{_scale(alt)}"
        return text
    if op == "estimate":
        return (
            f"modelschatting `{alt['value']}` uit tabel `{alt['layer']}` (RIVM), per gebied via "
            "de code, alleen waar de grens gelijk bleef"
        )
    return op  # pragma: no cover


def _formula(ind: Indicator) -> str:
    alts = [describe_formula(a) for a in ind.formula]
    if len(alts) == 1:
        return alts[0]
    return "; anders ".join(alts) + " (per gebied de eerste die een waarde geeft)"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render_markdown(indicators: Sequence[Indicator] | None = None) -> str:
    """The full ``docs/indicatoren.md`` text, generated from the registry.

    Examples
    --------
    >>> render_markdown().splitlines()[0]
    '# Indicatoren'
    """
    items = list(list_indicators() if indicators is None else indicators)
    meta = registry_meta()
    theme_names = themes()
    bw_names = meta.get("brede_welvaart", {}).get("themes", {})
    directions = meta["directions"]
    kinds = meta["kinds"]
    lines = [
        "# Indicatoren",
        "",
        "<!-- Gegenereerd uit wijkgeo/indicators/registry.json door "
        "`python -m wijkgeo.indicators.docs`. Niet met de hand bewerken. -->",
        "",
        f"wijkgeo kent {len(items)} indicatoren. Elke indicator is één keer gedefinieerd, in "
        "`wijkgeo/indicators/registry.json` (de RIVM-schattingen in "
        "`wijkgeo/indicators/gezondheid.json`); kaarten, pop-ups, exports en deze pagina lezen "
        "label, eenheid en kanttekeningen daaruit. Elke indicator hoort bij een thema van de "
        "brede welvaart van CBS (`wijkgeo/indicators/brede_welvaart.json`).",
        "",
        "## Zo lees je de indicatoren",
        "",
        f"- **Richting**: *{directions['hoger_is_beter']}*, *{directions['hoger_is_slechter']}* "
        f"of *{directions['neutraal']}*. Rangen en de "
        "samengestelde index gebruiken de richting; een neutrale indicator krijgt geen oordeel.",
        "- **Soort**: *kracht* (wat een buurt heeft: voorzieningen, initiatieven, zonnestroom), "
        "*aandachtspunt* of *achtergrond*. Kijk niet alleen naar tekorten: dat stigmatiseert.",
        "- **Kleine aantallen**: heeft een buurt of wijk minder inwoners dan het minimum van een "
        f"indicator, dan toont wijkgeo geen waarde maar de reden "
        f"*{meta['reasons']['population']['aantal_inwoners']}*. De waarde "
        "wordt nooit teruggerekend uit verschillen van afgeronde aantallen.",
        f"- **Geheim of onbekend** (CBS-code -99997 en lager) is *{meta['reasons']['missing']}*, "
        "nooit 0.",
        "- **Formules** zijn gegevens, geen code. Waar een formule meer alternatieven heeft, "
        "geldt per gebied het eerste dat een waarde geeft (bijvoorbeeld een aandeel uit de "
        "aantallen, anders het percentage dat CBS publiceert).",
        "- **Vergelijken**: met de cijfers die CBS voor de hele gemeente en voor Nederland "
        "publiceert (nooit een gemiddelde van buurtgemiddelden), met de rang binnen de gemeente, "
        "met vergelijkbare buurten en met het eigen verleden waar de grens gelijk bleef.",
        "",
        "## Overzicht",
        "",
        "| sleutel | indicator | eenheid | thema | richting | soort |",
        "|---|---|---|---|---|---|",
    ]
    for ind in items:
        lines.append(
            f"| `{ind.key}` | {_cell(ind.label)} | {_cell(ind.unit)} | "
            f"{_cell(theme_names[ind.theme])} | {directions[ind.direction]} | "
            f"{kinds[ind.kind].split(' (')[0]} |"
        )
    for theme, theme_label in theme_names.items():
        members = [i for i in items if i.theme == theme]
        absent = meta.get("not_available", {}).get(theme)
        if not members and not absent:
            continue
        if lines[-1]:
            lines.append("")
        lines += [f"## {theme_label}", ""]
        if absent:
            lines += [f"*Niet beschikbaar.* {absent}", ""]
        for ind in members:
            cls = ind.classification
            minimum = (
                f"{format_number(ind.min_population)} ({ind.population_column}); daaronder "
                "geen waarde per buurt of wijk"
                if ind.min_population
                else "geen"
            )
            lines += [
                f"### {ind.label} (`{ind.key}`)",
                "",
                ind.description,
                "",
                "| | |",
                "|---|---|",
                f"| Eenheid | {_cell(ind.unit)} |",
                f"| Richting | {directions[ind.direction]} |",
                f"| Soort | {kinds[ind.kind]} |",
                f"| Brede welvaart | {_cell(bw_names.get(ind.brede_welvaart, ''))} |",
                f"| Formule | {_cell(_formula(ind))} |",
                f"| Bron | {_cell(ind.source_in(None))} |",
                f"| Periode | {_cell(ind.year_in(None))} |",
                f"| Minimum | {_cell(minimum)} |",
                f"| Kaartindeling | {_SCHEME_NL.get(cls.scheme, cls.scheme)}, {cls.k} klassen |",
                f"| Decimalen | {ind.decimals} |",
            ]
            if ind.caveats:
                lines.append(f"| Let op | {_cell(ind.caveats)} |")
            lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def write_docs(path: str | Path | None = None) -> Path:
    """Write the generated documentation (default ``docs/indicatoren.md`` in the repository).

    Examples
    --------
    >>> write_docs("/tmp/indicatoren.md")  # doctest: +SKIP
    PosixPath('/tmp/indicatoren.md')
    """
    target = Path(path) if path is not None else DEFAULT_PATH
    from .._write import write_text_output

    write_text_output(target, render_markdown(), newline="\n")
    return target


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m wijkgeo.indicators.docs [PATH]``."""
    args = list(sys.argv[1:] if argv is None else argv)
    write_docs(args[0] if args else None)
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
