"""What a profile page says: numbers, sentences and lists per buurt and wijk, as plain data.

Everything here is computed once per Atlas (:class:`ProfileData`) and then read per area
(:meth:`ProfileData.page`). The result is a dict of plain strings, numbers and lists; it
holds no HTML except the small SVG graphics, which are built through
:func:`wijkgeo.maps.escape.html`. Turning the dict into a page is :mod:`.render`'s job.

Numbers come from the indicator registry (:func:`wijkgeo.indicators.comparison_table`,
:func:`~wijkgeo.indicators.compute` with reasons, :func:`~wijkgeo.indicators.format_value`),
koppelkansen from :func:`wijkgeo.koppelkansen.evaluate`, the year comparison from
:func:`wijkgeo.changes.unchanged_codes` and :func:`~wijkgeo.indicators.change_since`.
Sentences are templates in ``teksten.json``; shared words come from :mod:`wijkgeo.text`.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import TYPE_CHECKING, Any

import pandas as pd

from .. import text
from ..conventions import CODE_COLUMN
from ..facts.model import Facts, build_facts
from ..indicators import (
    get_indicator,
    list_indicators,
)
from ..series import AtlasSeries
from ..text import is_missing
from .sections import build_page
from .words import THEMES, _t, _teksten, additive, first_sentence, teksten

if TYPE_CHECKING:  # pragma: no cover
    from ..atlas import Atlas

__all__ = ["THEMES", "ProfileData", "additive", "first_sentence", "teksten"]

log = logging.getLogger(__name__)


class ProfileData:
    """Everything the profiles of one Atlas need: the page sections rendering its facts.

    Parameters
    ----------
    atlas : Atlas, AtlasSeries or Facts
        The gemeente and year shown (a series: its latest year, compared with the year
        before it), or facts already built (:func:`wijkgeo.facts.build_facts`).
    previous : Atlas or None
        An earlier year of the same gemeente when ``atlas`` is one Atlas (prefer a series).
    koppelkansen : KoppelkansResult, None or False
        Output of :func:`wijkgeo.koppelkansen.evaluate`; None: evaluated here; False: not
        evaluated (the section then lists none).

    Examples
    --------
    >>> import wijkgeo
    >>> from wijkgeo.profile.content import ProfileData
    >>> data = ProfileData(wijkgeo.make_demo())            # doctest: +SKIP
    >>> data.page("BU99990200")["summary"][0]              # doctest: +SKIP
    'In Duinrand ... wonen 2.340 mensen in ... huishoudens.'
    """

    def __init__(
        self,
        atlas: Atlas | AtlasSeries | Facts,
        previous: Atlas | None = None,
        koppelkansen: Any = None,
        *,
        peildatum: dt.date | str | None = None,
    ):
        self.keys = [i.key for i in list_indicators()]
        if isinstance(atlas, Facts):
            facts = atlas
        else:
            series = AtlasSeries.of(atlas)
            if previous is not None and len(series) == 1:
                series = AtlasSeries([previous, series.latest])
            facts = build_facts(
                series,
                self.keys,
                koppelkansen=koppelkansen,
                peildatum=peildatum,
                change_keys=list(_teksten()["verandering_indicatoren"]),
            )
        self.facts = facts
        self.atlas = atlas = facts.atlas
        self.previous_year = facts.previous_year
        self.settings = _teksten()["instellingen"]
        self.gemeente = atlas.name
        self.frames = {"buurt": atlas.buurten, "wijk": atlas.wijken}
        self.tables = {level: facts.levels[level].table for level in self.frames}
        self.reasons = {level: facts.levels[level].reasons for level in self.frames}
        self.present = {level: facts.levels[level].present for level in self.frames}
        self.names = {level: facts.levels[level].names for level in self.frames}
        self.wijk_of = dict(
            zip(
                atlas.buurten["buurtcode"].astype(str),
                atlas.buurten["wijkcode"].astype(str),
                strict=True,
            )
        )
        self.peildatum = facts.peildatum
        self.kk = facts.koppelkansen
        minimum = float(self.settings["min_celaandeel"])
        cells = facts.cells
        self.cells = cells[
            (cells["cel_in_buurt"] >= minimum) | (cells["buurt_in_cel"] >= minimum)
        ].reset_index(drop=True)
        self.changes = (
            {level: facts.levels[level].change for level in self.frames}
            if facts.previous_year is not None
            else {}
        )

    # ------------------------------------------------------------------ pages
    def codes(self) -> dict[str, list[str]]:
        """All codes per level, wijken first, in the Atlas's order."""
        return {"wijk": list(self.names["wijk"]), "buurt": list(self.names["buurt"])}

    def level_of(self, code: str) -> str:
        """``"buurt"`` or ``"wijk"`` for a known code; KeyError otherwise."""
        for level in ("buurt", "wijk"):
            if code in self.names[level]:
                return level
        raise KeyError(code)

    def too_small(self, level: str, code: str) -> str | None:
        """The reason (``"te weinig inwoners"``) when the area is below every minimum."""
        mins = [i.min_population for i in list_indicators() if i.min_population > 0]
        threshold = min(mins) if mins else 0
        frame = self.frames[level]
        row = frame[frame[CODE_COLUMN[level]].astype(str) == code]
        pop = pd.to_numeric(row.get("aantal_inwoners"), errors="coerce")
        value = float(pop.iloc[0]) if pop is not None and len(pop) else float("nan")
        if threshold and not value >= threshold:
            return text.reason("population", "aantal_inwoners")
        return None

    def page(self, code: str) -> dict[str, Any]:
        """The content of one page (buurt or wijk), as plain data for the template."""
        level = self.level_of(code)
        name = self.names[level][code]
        small = self.too_small(level, code)
        niveau = text.level(level)
        if level == "buurt":
            wijk = self.names["wijk"].get(self.wijk_of[code], self.wijk_of[code])
            subtitle = _t(
                "titel.ondertitel_buurt",
                code=code,
                wijk=wijk,
                gemeente=self.gemeente,
                jaar=self.atlas.year,
            )
        else:
            n = sum(1 for w in self.wijk_of.values() if w == code)
            subtitle = _t(
                "titel.ondertitel_wijk",
                code=code,
                n=text.plural(n, "buurt"),
                gemeente=self.gemeente,
                jaar=self.atlas.year,
            )
        page: dict[str, Any] = {
            "level": level,
            "niveau": niveau,
            "code": code,
            "name": name,
            "title": _t(f"titel.{level}", naam=name),
            "subtitle": subtitle,
            "gemeente": self.gemeente,
            "year": self.atlas.year,
            "small": small,
            "alone": self.alone(level),
        }
        self._empty_themes: dict[str, None] = {}  # themes without rows, named once in sources
        build_page(self, page)
        page["has_nl"] = any(r["nederland"] for th in page["themes"] for r in th["rows"])
        page["has_present"] = any(v["items"] is not None for v in page["present"].values())
        return page

    # ------------------------------------------------------------------ helpers
    def _fmt(self, key: str, value: Any) -> str:
        ind = get_indicator(key)
        # "€ 223.000" never splits over two lines (a narrow column on paper or a phone)
        return text.quantity(value, ind.unit, ind.decimals).replace("€ ", "€\u00a0")

    def _nl(self, key: str, value: Any) -> str:
        """The Nederland value, or "geen gegevens" with the reason (once, in a few words)."""
        if not is_missing(value):
            return self._fmt(key, value)
        from ..indicators.nederland import nederland_reason

        why = nederland_reason(self.atlas, key, specific=True)
        return f"{text.MISSING} ({why})" if why else text.MISSING

    def _rank(self, ind: Any, level: str, rank: Any, of: Any) -> str:
        """ "plaats 18 van 84 buurten in de gemeente; 1 = het laagste aandeel"."""
        if is_missing(rank) or is_missing(of) or int(of) < 2:
            return ""
        ones = _teksten()["punten"]["rang_een"]
        one = ones.get(ind.unit, ones["_"])[0 if ind.sign >= 0 else 1]
        return _t(
            "punten.rang",
            rang=int(rank),
            van=int(of),
            niveaus=text.level(level, plural=True),
            een=one,
        )

    def alone(self, level: str) -> bool:
        """Whether the level has a single area (one wijk): it would be compared with itself."""
        return len(self.frames[level]) < 2

    def _imported(self) -> bool:
        """Whether the statistics came from a downloaded file rather than CBS OData."""
        return isinstance(self.atlas.meta.get("wijkbuurtkaart"), dict)

    def _source(self, ind: Any) -> str:
        """Where an indicator's figures really came from: the registry names CBS OData and
        the PDOK map; after ``wijkgeo import`` it was the file the gemeente downloaded."""
        named = ind.source_in(self.atlas.year)
        kwb = "Kerncijfers wijken en buurten" in named or "Wijk- en Buurtkaart" in named
        if kwb and self._imported() and self.atlas.meta.get("source"):
            return str(self.atlas.meta["source"])
        return str(named)
