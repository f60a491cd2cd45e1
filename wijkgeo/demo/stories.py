"""Demodam's stories and what its bewonersinitiatieven achieved (synthetic, offline).

:func:`stories_frame` writes the ``verhalen`` layer: observations of residents,
professionals, a wijkschouw and a bewonersavond, each with a date, a place (a point, a
buurt code or a wijk code), a brede welvaart theme and, for most, the indicator it is about.
:func:`initiative_results` adds the optional outcome columns of the initiatives layer
(goal, activities, reach, participants, volunteers, what changed, last update, a link to
the veranderverhaal). No text names a person, a phone number or an address: these are the
examples a gemeente copies.

Examples
--------
>>> from wijkgeo.demo import generate_country, local_layer_frames
>>> frames = local_layer_frames(generate_country(1, n_wijken=8, n_buurten=40, seed=2024))
>>> list(frames["verhalen"].columns)
['id', 'datum', 'thema', 'bron', 'tekst', 'gaat_over', 'buurtcode', 'wijkcode', 'x', 'y']
>>> frames["bewonersinitiatieven"]["wat_is_veranderd"].ne("").sum() > 5
np.True_
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["OUTCOME_COLUMNS", "initiative_results", "stories_frame"]

#: Optional outcome columns of the initiatives layer, in file order.
OUTCOME_COLUMNS = [
    "doel",
    "activiteiten",
    "bereik",
    "deelnemers",
    "vrijwilligers",
    "wat_is_veranderd",
    "bijgewerkt",
    "veranderverhaal",
]

# per initiative (by the first word(s) of its name): goal, activities, reach, what changed
_OUTCOMES: dict[str, tuple[str, str, str, str]] = {
    "Samen Isoleren": (
        "Woningen zuiniger maken voordat de wijk van het gas af gaat.",
        "Isolatieavonden, samen inkopen van materiaal, klusdagen met buren.",
        "eigenaar-bewoners en huurders in de wijk",
        "Tientallen woningen hebben nu vloer- of dakisolatie; bewoners kennen de "
        "energiecoaches en weten waar ze terechtkunnen.",
    ),
    "Energiecoaches": (
        "Huishoudens met hoge energiekosten helpen besparen.",
        "Huisbezoeken, tips en kleine maatregelen zoals radiatorfolie en tochtstrips.",
        "huishoudens met een laag inkomen",
        "Bewoners zijn minder bang voor de energierekening en vragen eerder om hulp.",
    ),
    "Buurtwarmte": (
        "Bewoners vroeg betrekken bij de keuze voor het warmtenet.",
        "Informatieavonden, een klankbordgroep en een excursie naar een warmtenetwijk.",
        "alle bewoners van de wijk",
        "Vragen over het warmtenet komen nu op tafel voordat de plannen vastliggen.",
    ),
    "Voedseltuin": (
        "Samen groente kweken en delen met wie het nodig heeft.",
        "Wekelijks tuinieren, oogst naar de voedselbank, kookmiddagen.",
        "buurtbewoners en de voedselbank",
        "Een braakliggend veld is een ontmoetingsplek geworden.",
    ),
    "Repair Café": (
        "Spullen repareren in plaats van weggooien, en elkaar ontmoeten.",
        "Maandelijkse reparatiemiddag in het buurthuis.",
        "bewoners van alle leeftijden",
        "Een vaste groep vrijwilligers; ouderen komen ook voor de koffie en het praatje.",
    ),
    "Taalcafé": (
        "Nederlands oefenen in een ontspannen sfeer.",
        "Wekelijkse gespreksgroepen met vrijwillige taalmaatjes.",
        "nieuwkomers en anderstaligen",
        "Deelnemers durven vaker zelf te bellen met school en huisarts.",
    ),
    "Burenhulp": (
        "Buren helpen elkaar met kleine klussen en boodschappen.",
        "Een hulpvragenlijst in de buurtapp en een vast aanspreekpunt in het buurthuis.",
        "ouderen en alleenstaanden",
        "Minder ouderen zitten alleen thuis; de wijkverpleging kent het netwerk.",
    ),
    "Groen schoolplein": (
        "Het schoolplein vergroenen en na schooltijd openstellen.",
        "Ontwerpen met kinderen, plantdagen, beheer door ouders.",
        "kinderen en ouders uit de buurt",
        "Het plein is groen en koel in de zomer; ouders beheren het samen.",
    ),
    "Zwerfafvalteam": (
        "Een schone buurt, samen bijgehouden.",
        "Opruimrondes, afvalgrijpers lenen, melden van vaste vuilplekken.",
        "de hele wijk",
        "Minder vaste vuilplekken; de gemeente past de route van de veegwagen aan.",
    ),
    "Buurtpreventie": (
        "Bewoners letten samen op de veiligheid in de straat.",
        "Avondrondes, een buurtapp, overleg met de wijkagent.",
        "bewoners van de buurt",
        "Meldingen komen sneller bij de wijkagent; bewoners voelen zich veiliger.",
    ),
    "Wijkkrant": (
        "Nieuws uit de wijk, door en voor bewoners.",
        "Een krant per kwartaal, huis aan huis bezorgd door vrijwilligers.",
        "alle huishoudens van de wijk",
        "Activiteiten in het buurthuis trekken meer nieuwe gezichten.",
    ),
    "Speeltuinvereniging": (
        "Een veilige speeltuin met activiteiten voor kinderen.",
        "Beheer van de speeltuin, zomeractiviteiten, een jaarlijks buurtfeest.",
        "gezinnen met jonge kinderen",
        "De speeltuin is weer open en wordt door ouders zelf beheerd.",
    ),
    "Klushulp": (
        "Kleine klussen voor wie het zelf niet kan.",
        "Vrijwillige klussers en een gereedschapsuitleen.",
        "ouderen en mensen met een beperking",
        "De gereedschapsuitleen draait door in het buurthuis.",
    ),
    "Geveltuinen": (
        "Meer groen in versteende straten.",
        "Tegels eruit, planten erin: plantdagen met de gemeente.",
        "bewoners van de straat",
        "Straten zijn groener; buren die elkaar niet kenden, onderhouden samen de tuinen.",
    ),
}
_REFERENCE = date(2024, 9, 1)


def initiative_results(bi: pd.DataFrame, seed: int = 2024) -> pd.DataFrame:
    """``bi`` with the outcome columns added (empty for planned initiatives).

    Finished initiatives say what they left behind; active ones what has changed so far;
    about one in three has a link to its veranderverhaal.
    """
    rng = np.random.default_rng([seed, 19])
    out = bi.copy()
    cols: dict[str, list[Any]] = {c: [] for c in OUTCOME_COLUMNS}
    for i, row in enumerate(bi.itertuples(index=False)):
        key = next((k for k in _OUTCOMES if str(row.naam).startswith(k)), None)
        if key is None or row.status == "gepland":
            for c in OUTCOME_COLUMNS:
                cols[c].append("")
            continue
        goal, activities, reach, changed = _OUTCOMES[key]
        cols["doel"].append(goal)
        cols["activiteiten"].append(activities)
        cols["bereik"].append(reach)
        cols["deelnemers"].append(int(rng.integers(12, 160)))
        cols["vrijwilligers"].append(int(rng.integers(3, 25)))
        cols["wat_is_veranderd"].append(changed)
        since = (_REFERENCE - date.fromisoformat(str(row.startdatum))).days
        cols["bijgewerkt"].append(
            (_REFERENCE - timedelta(days=int(rng.integers(0, max(1, min(since, 300)))))).isoformat()
        )
        cols["veranderverhaal"].append(
            f"https://demodam.example/veranderverhalen/{str(row.id).lower()}" if i % 3 == 0 else ""
        )
    for c in OUTCOME_COLUMNS:
        out[c] = cols[c]
    return out


# (theme, source role, text, indicator it is about or "", where: "punt"/"buurt"/"wijk")
_STORIES = [
    (
        "welzijn",
        "bewoner",
        "Sinds het buurthuis minder open is, zie ik de oudere buren bijna niet meer buiten.",
        "aandeel_65_plus",
        "punt",
    ),
    (
        "materiële welvaart",
        "professional",
        "Steeds meer gezinnen melden zich pas als de energierekening al maanden achterloopt.",
        "signalen_schulden_per_1000",
        "buurt",
    ),
    (
        "wonen",
        "wijkschouw",
        "Bij de portiekflats staan op meerdere plekken ramen met schimmel en vocht.",
        "aandeel_corporatiewoningen",
        "punt",
    ),
    (
        "samenleving",
        "bewonersavond",
        "Bewoners willen meer zeggenschap over het warmtenet en zijn bang voor de kosten.",
        "planjaar_aardgasvrij",
        "wijk",
    ),
    (
        "gezondheid",
        "bewoner",
        "De huisarts neemt geen nieuwe patiënten meer aan; we moeten naar de andere kant "
        "van de stad.",
        "afstand_huisarts",
        "buurt",
    ),
    (
        "veiligheid",
        "wijkschouw",
        "Het fietspad langs het park is 's avonds donker; veel lantaarns doen het niet.",
        "",
        "punt",
    ),
    (
        "milieu",
        "bewoner",
        "In de zomer is het op het plein niet uit te houden: geen boom, alleen tegels.",
        "",
        "punt",
    ),
    (
        "welzijn",
        "professional",
        "Veel alleenwonenden in de flats kennen hun buren niet; de vraag naar ontmoeting is groot.",
        "signalen_eenzaamheid_per_1000",
        "buurt",
    ),
    (
        "arbeid en vrije tijd",
        "bewonersavond",
        "Jongeren missen een plek om te sporten na schooltijd sinds het trapveld dicht is.",
        "aandeel_15_tot_25_jaar",
        "wijk",
    ),
    (
        "materiële welvaart",
        "bewoner",
        "Herken ik: veel buren werken wel, maar houden aan het eind van de maand niets over.",
        "aandeel_huishoudens_laag_inkomen",
        "buurt",
    ),
    (
        "samenleving",
        "professional",
        "Het taalcafé brengt mensen samen die elkaar anders nooit zouden spreken.",
        "",
        "punt",
    ),
    (
        "wonen",
        "bewoner",
        "Nieuwe bewoners blijven kort; er is weinig binding met de buurt.",
        "aandeel_huurwoningen",
        "buurt",
    ),
]


def stories_frame(
    country: Any, kk_wijk: str, points_in: Callable[..., Any], seed: int = 2024
) -> pd.DataFrame:
    """Demodam's ``verhalen``: most in the koppelkans wijk, a few elsewhere.

    ``points_in(rng, polygon, k)`` draws ``k`` points inside a buurt (the generator's own).
    """
    rng = np.random.default_rng([seed, 31])
    b = country.buurten.set_index("buurtcode")
    in_kk = b.index[b["wijkcode"] == kk_wijk].to_list()
    others = b.index[b["wijkcode"] != kk_wijk].to_list()
    rows = []
    for i, (theme, role, text, about, where) in enumerate(_STORIES):
        buurt = in_kk[i % len(in_kk)] if i % 4 != 3 else others[(7 * i) % len(others)]
        row = {
            "datum": (_REFERENCE - timedelta(days=int(rng.integers(5, 400)))).isoformat(),
            "thema": theme,
            "bron": role,
            "tekst": text,
            "gaat_over": about,
            "buurtcode": "",
            "wijkcode": "",
            "x": "",
            "y": "",
        }
        if where == "punt":
            x, y = points_in(rng, b.geometry[buurt], 1)[0]
            row["x"], row["y"] = int(x), int(y)
        elif where == "buurt":
            row["buurtcode"] = buurt
        else:
            row["wijkcode"] = str(b.at[buurt, "wijkcode"])
        rows.append(row)
    out = pd.DataFrame(rows)
    out.insert(0, "id", [f"VH{i + 1:03d}" for i in range(len(out))])
    return out
