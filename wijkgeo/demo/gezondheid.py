"""Demodam's health figures, in the format of the RIVM table 50150NED (with 95 % bounds).

Like the real table: TypedDataSet rows with ``Leeftijd`` (``20300`` = 18+, ``80200`` = 65+),
``Marges`` (``MW00000`` estimate, ``MOG0095``/``MBG0095`` bounds), ``WijkenEnBuurten``
padded to 10, ``Perioden`` (``2022JJ00``, ``2024JJ00``) and topic keys with their ``_N``
suffix, read back by the real loader (:func:`wijkgeo.sources.rivm.normalize_rows`). Each
period is on the table's own boundaries (50150NED: those of 2024, Demodam's year), so every
buurt takes its figure as published.

The estimates follow the buurt's composition (more 65-plussers and single households: more
loneliness and informal care; more benefits: more difficulty making ends meet), as the
RIVM's model does, with seeded noise and a margin that widens for small buurten. A few
buurten are then set on purpose so that every health koppelkans rule has one match and one
near miss in Demodam (the same invariant the other rules keep).

Nothing here is a real figure.

Examples
--------
>>> from wijkgeo.demo.gezondheid import NEDERLAND
>>> NEDERLAND["Eenzaam_28"][("80200", "2024")]
49.5
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

__all__ = ["NEDERLAND", "TABLE", "health_rows"]

TABLE = "50150NED"
PERIODS = ("2022", "2024")
AGES = ("20300", "80200")
#: Topic keys of the demo table and Nederland's value per (age code, period): plausible,
#: invented numbers in the range of the real 2020/2022 national figures.
NEDERLAND: dict[str, dict[tuple[str, str], float]] = {
    "ErvarenGezondheidGoedZeerGoed_4": {
        ("20300", "2022"): 76.0,
        ("20300", "2024"): 75.5,
        ("80200", "2022"): 64.0,
        ("80200", "2024"): 63.5,
    },
    "Overgewicht_9": {
        ("20300", "2022"): 50.5,
        ("20300", "2024"): 51.0,
        ("80200", "2022"): 59.0,
        ("80200", "2024"): 59.5,
    },
    "BeperktVanwegeGezondheid_17": {
        ("20300", "2022"): 31.5,
        ("20300", "2024"): 32.0,
        ("80200", "2022"): 48.5,
        ("80200", "2024"): 49.0,
    },
    "HoogRisicoOpAngstOfDepressie_25": {
        ("20300", "2022"): 7.5,
        ("20300", "2024"): 7.8,
        ("80200", "2022"): 4.5,
        ("80200", "2024"): 4.6,
    },
    "MatigVeelRegieOverEigenLeven_27": {
        ("20300", "2022"): 89.5,
        ("20300", "2024"): 89.0,
        ("80200", "2022"): 85.0,
        ("80200", "2024"): 84.5,
    },
    "Eenzaam_28": {
        ("20300", "2022"): 48.0,
        ("20300", "2024"): 47.5,
        ("80200", "2022"): 50.0,
        ("80200", "2024"): 49.5,
    },
    "ErnstigZeerErnstigEenzaam_29": {
        ("20300", "2022"): 12.0,
        ("20300", "2024"): 11.8,
        ("80200", "2022"): 10.5,
        ("80200", "2024"): 10.4,
    },
    "EmotioneelEenzaam_30": {
        ("20300", "2022"): 30.0,
        ("20300", "2024"): 29.5,
        ("80200", "2022"): 29.0,
        ("80200", "2024"): 28.5,
    },
    "SociaalEenzaam_31": {
        ("20300", "2022"): 31.0,
        ("20300", "2024"): 30.5,
        ("80200", "2022"): 33.0,
        ("80200", "2024"): 32.5,
    },
    "Mantelzorger_32": {
        ("20300", "2022"): 14.0,
        ("20300", "2024"): 14.2,
        ("80200", "2022"): 14.5,
        ("80200", "2024"): 14.6,
    },
    "Vrijwilligerswerk_33": {
        ("20300", "2022"): 26.0,
        ("20300", "2024"): 26.5,
        ("80200", "2022"): 28.5,
        ("80200", "2024"): 29.0,
    },
    "MoeiteMetRondkomen_38": {
        ("20300", "2022"): 16.0,
        ("20300", "2024"): 17.0,
        ("80200", "2022"): 9.0,
        ("80200", "2024"): 9.5,
    },
}
#: How a topic leans on the buurt's composition: weights on standardised 65+ share, single
#: households and benefits (z-scores), in percentage points.
_LEAN = {
    "ErvarenGezondheidGoedZeerGoed_4": (-1.5, -1.0, -3.0),
    "Overgewicht_9": (1.0, -1.0, 1.5),
    "BeperktVanwegeGezondheid_17": (2.0, 1.0, 2.5),
    "HoogRisicoOpAngstOfDepressie_25": (-0.3, 0.6, 1.0),
    "MatigVeelRegieOverEigenLeven_27": (-0.5, -0.5, -1.5),
    "Eenzaam_28": (1.0, 2.0, 1.5),
    "ErnstigZeerErnstigEenzaam_29": (0.3, 1.0, 1.2),
    "EmotioneelEenzaam_30": (0.8, 1.5, 0.8),
    "SociaalEenzaam_31": (0.8, 1.0, 1.0),
    "Mantelzorger_32": (0.6, -0.5, 0.2),
    "Vrijwilligerswerk_33": (0.8, -1.0, -2.0),
    "MoeiteMetRondkomen_38": (-0.5, 1.0, 3.0),
}
_DEMO_YEAR = "2024"


def _z(values: pd.Series) -> pd.Series:
    values = pd.to_numeric(values, errors="coerce")
    sd = values.std(ddof=0)
    return ((values - values.mean()) / sd).fillna(0.0) if sd and sd > 0 else values * 0.0


def _share(frame: pd.DataFrame, column: str, per: str = "aantal_inwoners") -> pd.Series:
    num = pd.to_numeric(frame.get(column), errors="coerce")
    den = pd.to_numeric(frame.get(per), errors="coerce")
    return (num / den.where(den > 0)).astype("float64")


def _points(local: dict[str, Any], layer: str, column: str, values: list[str]) -> Any:
    frame = local.get(layer)
    if frame is None or not len(frame):
        return None
    part = frame[frame[column].isin(values)]
    return part.geometry.to_numpy() if len(part) else None


def _targets(buurten: Any, wijken_plan: pd.DataFrame, local: dict[str, Any]) -> dict[str, Any]:
    """Per health rule of ``koppelkansen/rules.toml``: a buurt for a match and one for a near
    miss, chosen where the rule's other conditions hold (computed here on the raw columns:
    the demo sits below the indicators)."""
    import shapely

    share65 = _share(buurten, "aantal_personen_65_jaar_en_ouder") * 100
    centroids = buurten.geometry.centroid.to_numpy()
    meet = _points(local, "voorzieningen", "categorie", ["buurthuis", "bibliotheek"])
    if meet is not None:
        far = np.array([shapely.distance(c, meet).min() > 800 * 1.1 for c in centroids])
    else:
        far = np.ones(len(buurten), bool)
    allv = local.get("voorzieningen")
    if allv is not None and len(allv):
        inside = np.array(
            [shapely.contains(g, allv.geometry.to_numpy()).sum() for g in buurten.geometry]
        )
    else:
        inside = np.zeros(len(buurten))
    pop = pd.to_numeric(buurten["aantal_inwoners"], errors="coerce").to_numpy()
    per1000 = np.where(pop > 0, inside / np.maximum(pop, 1) * 1000, np.nan)
    active = _points(local, "bewonersinitiatieven", "status", ["actief"])
    if active is not None:
        near_init = np.array(
            [shapely.distance(g, active).min() <= 250 * 0.9 for g in buurten.geometry]
        )
    else:
        near_init = np.zeros(len(buurten), bool)
    soon = set(wijken_plan.loc[wijken_plan["planjaar"] <= 2024 + 4, "wijkcode"])
    in_plan = buurten["wijkcode"].isin(soon).to_numpy()
    codes = buurten["buurtcode"].to_numpy()
    # the biggest buurten first (no small-number doubts), outside the koppelkans wijk (the
    # first off gas): its profile already carries the other rules and must stay 4 A4
    first = set(
        wijken_plan.loc[wijken_plan["planjaar"] == wijken_plan["planjaar"].min(), "wijkcode"]
    )
    busy = buurten["wijkcode"].isin(first).to_numpy()
    order = np.lexsort((-pop, busy))

    def pick(mask: np.ndarray) -> list[str]:
        return [codes[i] for i in order if mask[i]][:2]

    p60 = np.nanpercentile(share65, 60 * 1.0)
    p50 = np.nanpercentile(per1000, 50)
    return {
        "Eenzaam_28": pick(far & (share65.to_numpy() >= 15 * 1.1)),
        "Mantelzorger_32": pick((share65.to_numpy() >= p60 * 1.05) & (per1000 <= p50 * 0.9)),
        "MoeiteMetRondkomen_38": pick(in_plan),
        "Vrijwilligerswerk_33": pick(near_init),
    }


def health_rows(
    gemeente: Any,
    wijken: Any,
    buurten: Any,
    local: dict[str, Any],
    *,
    seed: int = 2024,
) -> tuple[list[dict[str, Any]], dict[str, str]]:
    """Demodam's rows of the demo health table and the region titles (its dimension).

    Parameters
    ----------
    gemeente, wijken, buurten : GeoDataFrame
        Demodam's areas with their Kerncijfers (EPSG:28992).
    local : dict
        Demodam's local layers (voorzieningen, bewonersinitiatieven, energietransitie).
    seed : int
        Random seed.

    Returns
    -------
    (list of dict, dict)
        TypedDataSet rows as CBS serves them, and ``{code: title}``.
    """
    rng = np.random.default_rng(seed + 21)
    gm_code = str(gemeente["gemeentecode"].iloc[0])
    gm_name = str(gemeente["gemeentenaam"].iloc[0])
    z65 = _z(_share(buurten, "aantal_personen_65_jaar_en_ouder"))
    zsingle = _z(pd.to_numeric(buurten.get("percentage_eenpersoonshuishoudens"), errors="coerce"))
    benefit = buurten.get("aantal_personen_met_uitkering_onder_aowlft")
    zben = (
        _z(_share(buurten, "aantal_personen_met_uitkering_onder_aowlft"))
        if benefit is not None
        else z65 * 0.0
    )
    pop = pd.to_numeric(buurten["aantal_inwoners"], errors="coerce").fillna(0).to_numpy()
    plan = local.get("energietransitie")
    plan = plan if plan is not None else pd.DataFrame({"wijkcode": [], "planjaar": []})
    targets = _targets(buurten, plan, local)
    codes = buurten["buurtcode"].astype(str).to_numpy()
    values: dict[tuple[str, str, str], np.ndarray] = {}  # (topic, age, period) -> per buurt
    for topic, nl in NEDERLAND.items():
        a, b, c = _LEAN[topic]
        for (age, period), base in nl.items():
            noise = rng.normal(0, 1.2, len(codes))
            lean = a * z65 + b * zsingle + c * zben
            v = base * 0.97 + lean.to_numpy() + noise
            values[(topic, age, period)] = np.clip(v, 0.5, 99.0)
    gem_ref = {k: float(np.average(v, weights=np.maximum(pop, 1))) for k, v in values.items()}
    # the rules' match and near miss: a value well past the line and one just short of it
    ref_kind = {
        "Eenzaam_28": ("80200", "nl", 1.1),
        "Mantelzorger_32": ("20300", "gem", 1.1),
        "MoeiteMetRondkomen_38": ("20300", "nl", 1.25),
        "Vrijwilligerswerk_33": ("20300", "gem", 1.1),
    }
    for topic, (age, ref, factor) in ref_kind.items():
        chosen = targets.get(topic) or []
        key = (topic, age, _DEMO_YEAR)
        base = NEDERLAND[topic][(age, _DEMO_YEAR)] if ref == "nl" else gem_ref[key]
        arr = values[key]
        for code, mult in zip(chosen, (factor * 1.2, factor * 0.96), strict=False):
            arr[codes == code] = round(base * mult, 1)
        # everyone else stays below the near-miss line, so the picture is not all matches
        others = ~np.isin(codes, chosen)
        cap = base * factor * 0.88
        spread = rng.uniform(0.5, 6.0, len(arr))  # below the line, not piled up on it
        arr[others] = np.where(arr > cap, cap - spread, arr)[others]
    gem_ref = {k: float(np.average(v, weights=np.maximum(pop, 1))) for k, v in values.items()}
    rows: list[dict[str, Any]] = []
    titles: dict[str, str] = {"NL01": "Nederland", gm_code: gm_name}
    wk_names = dict(zip(wijken["wijkcode"], wijken["wijknaam"], strict=True))
    titles.update({str(k): str(v) for k, v in wk_names.items()})
    titles.update(dict(zip(codes, buurten["buurtnaam"].astype(str), strict=True)))
    margin = np.clip(120 / np.sqrt(np.maximum(pop, 50)), 1.5, 8)  # wider for small buurten
    wijk_of = buurten["wijkcode"].astype(str).to_numpy()
    ident = 0
    for age in AGES:
        for period in PERIODS:
            regions: list[tuple[str, str, dict[str, float], float]] = [
                ("NL01", "Land", {t: NEDERLAND[t][(age, period)] for t in NEDERLAND}, 0.3),
                (gm_code, "Gemeente", {t: gem_ref[(t, age, period)] for t in NEDERLAND}, 1.0),
            ]
            for wk in wk_names:
                sel = wijk_of == wk
                w = np.maximum(pop[sel], 1)
                vals = {
                    t: float(np.average(values[(t, age, period)][sel], weights=w))
                    for t in NEDERLAND
                }
                regions.append((str(wk), "Wijk", vals, 2.0))
            for i, code in enumerate(codes):
                regions.append(
                    (
                        code,
                        "Buurt",
                        {t: values[(t, age, period)][i] for t in NEDERLAND},
                        float(margin[i]),
                    )
                )
            for code, kind, vals, half in regions:
                for marge in ("MW00000", "MOG0095", "MBG0095"):
                    ident += 1
                    shift = {"MW00000": 0.0, "MOG0095": -half, "MBG0095": half}[marge]
                    row: dict[str, Any] = {
                        "ID": ident,
                        "Leeftijd": age,
                        "Marges": marge,
                        "WijkenEnBuurten": code.ljust(10),
                        "Perioden": f"{period}JJ00",
                        "Gemeentenaam_1": gm_name.ljust(40) if code != "NL01" else "Nederland",
                        "SoortRegio_2": kind.ljust(10),
                        "Codering_3": code.ljust(20),
                    }
                    for topic, value in vals.items():
                        row[topic] = round(float(np.clip(value + shift, 0.1, 99.9)), 1)
                    rows.append(row)
    return rows, titles
