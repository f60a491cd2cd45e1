"""Koppelkansen in Demodam: where needs, plans and what is already there coincide, and why.

1. evaluate the default rules (wijkgeo/koppelkansen/rules.toml) on the demo gemeente;
2. print per rule the best match with its Dutch explanation (the numbers behind it and the
   initiatives, voorzieningen and projects beside the needs), whether it still holds when
   every threshold moves 10 % against it ("ruim" / "krap"), and a near miss ("bijna");
3. add a rule of our own by writing TOML, not Python (a koppelkansen.toml like a gemeente
   keeps beside its lagen.json), check it as `wijkgeo check` would, and run it.

The matches are coincidences to discuss with residents ("herkent u dit?"), not verdicts.
Runs offline on Demodam; use ``wijkgeo.load("GM....", 2024)`` for a real gemeente.
"""

import tempfile
from pathlib import Path

import wijkgeo
from wijkgeo.koppelkansen import default_rules, evaluate, validate_rules_file

atlas = wijkgeo.make_demo()
result = evaluate(atlas)  # peildatum: the demo's reference date (atlas.meta["peildatum"])

print(f"{len(result.matches)} koppelkansen van {result.matches['regel'].nunique()} regels "
      f"in {atlas.name}; {len(result.near_misses)} bijna-kansen; "
      f"{len(result.skipped)} regels overgeslagen.\n")
for rule in default_rules():
    found = result.matches[result.matches["regel"] == rule.key]
    near = result.near_misses[result.near_misses["regel"] == rule.key]
    print(f"== {rule.title} ({rule.level}; {len(found)} kansen, {len(near)} bijna)")
    print(f"   partners: {', '.join(rule.partners)}")
    if len(found):
        best = found.iloc[0]
        print(f"   [{best['robuustheid']}] {best['uitleg']}")
    if len(near):
        print(f"   [bijna] {near.iloc[0]['uitleg']}")
    print()

# the conditions of one match, as the maps and profiles will show them
best = result.matches.iloc[0]
print(f"Condities van {best['naam']} / {best['regel']}:")
for c in best["condities"]:
    mark = "ja " if c["voldaan"] else "nee"
    print(f"   {mark} {c['omschrijving']}: {c['tekst']} (nodig: {c['vergelijking']})")

# ------------------------------------------------------------------ a rule of our own
OWN = """
# Eigen regel van de wijkregisseur: veel kinderen en een actief initiatief in de buurt.
[[regel]]
sleutel = "kinderen_en_initiatief"
titel = "Veel kinderen, en een initiatief dat er al is"
beschrijving = "Een buurt met naar verhouding veel kinderen en een actief bewonersinitiatief: \
kan het initiatief iets met of voor de kinderen doen, samen met school en jongerenwerk?"
partners = ["bewonersinitiatief", "basisschool", "jongerenwerk"]
niveau = "buurt"
combinatie = "alle"
bron = "wijkteam Demodam"

[[regel.conditie]]
soort = "percentiel"
indicator = "aandeel_0_tot_15_jaar"
percentiel = 75

[[regel.conditie]]
soort = "laag"
laag = "bewonersinitiatieven"
filter = { status = ["actief"] }
omschrijving = "actief bewonersinitiatief|actieve bewonersinitiatieven"
"""
with tempfile.TemporaryDirectory() as tmp:
    path = Path(tmp) / "koppelkansen.toml"
    path.write_text(OWN, encoding="utf-8")
    problems = validate_rules_file(path)
    print(f"\nEigen regelbestand gecontroleerd: {len(problems)} problemen.")
    own = evaluate(atlas, path)  # the defaults plus our rule
    mine = own.matches[own.matches["regel"] == "kinderen_en_initiatief"]
    print(f"Eigen regel: {len(mine)} kansen.")
    for text in mine["uitleg"].head(2):
        print(f"   {text}")

    # a typo gets the closest existing name as a suggestion
    path.write_text(OWN.replace("aandeel_0_tot_15_jaar", "aandeel_0_15_jaar"), encoding="utf-8")
    for problem in validate_rules_file(path):
        print(f"   controle: {problem}")
