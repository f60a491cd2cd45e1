"""What numbers don't say: the wijkteam's signalen, residents' stories, what initiatives did.

1. ``wijkgeo signalen``: Demodam's synthetic wijkteam export (one row per aanmelding, with
   case numbers and notes that must never leave the file) becomes counts per buurt, theme
   and year; counts under 10 are left out, the rest rounded to 5, totals are sums of what
   is shown. The store holds nothing else; the example proves it by searching the stored
   bytes for every case number.
2. The counts as indicators: registrations per 1,000 inhabitants per buurt, with the caveat.
3. A koppelkansen rule on them: buurten where the team meets many money worries AND many
   households live on a low income.
4. Stories and initiative results from the demo's ``lagen.json`` (layer kinds ``verhalen``
   and the outcome columns of ``bewonersinitiatieven``), as the profile shows them; and a
   story with a phone number, refused by ``wijkgeo check``.

Runs offline on Demodam. For a real gemeente see the README, section "Signalen, verhalen
en wat werkt".
"""

import json
import logging
import shutil
import tempfile
from pathlib import Path

import pandas as pd

import wijkgeo
from wijkgeo.indicators import add_indicators, get_indicator
from wijkgeo.koppelkansen import evaluate
from wijkgeo.koppelkansen.load import load_rules
from wijkgeo.profile.stories import stories_for, works_here
from wijkgeo.signalen import count_signals, store_signals
from wijkgeo.sources.local.check import check_path
from wijkgeo.store import Store

logging.getLogger("wijkgeo").setLevel(logging.ERROR)
DEMO = Path(__file__).resolve().parents[1] / "data_sources" / "demo"
atlas = wijkgeo.make_demo()

with tempfile.TemporaryDirectory() as tmp:
    # 1. count the export into a store
    store = Store(Path(tmp) / "store")
    store.write_atlas(atlas)
    export = DEMO / "signalen_wijkteam.csv"
    counts = count_signals(export, atlas, postcode_table=DEMO / "postcodes.csv")
    path = store_signals(counts, store)
    print("1. " + counts.message().replace("\n", "\n   "))
    stored = b"".join(p.read_bytes() for p in store.path.rglob("*") if p.is_file())
    case_numbers = pd.read_csv(export, dtype=str)["dossiernummer"]
    found = sum(n.encode() in stored for n in case_numbers)
    print(f"   dossiernummers in de store: {found} van {len(case_numbers)} (moet 0 zijn)")
    doc = json.loads(path.read_text("utf-8"))
    smallest = min(c["aantal"] for c in doc["cellen"])
    print(f"   kleinste opgeslagen aantal: {smallest}; perioden: {sorted(doc['perioden'])}")

    # 2. the counts as indicators (through the store, as map and profile read them)
    loaded = store.read_atlas("GM9999", 2024)
    keys = ["signalen_schulden_per_1000", "signalen_totaal_per_1000"]
    table = add_indicators(loaded, keys).set_index("buurtcode")[["buurtnaam", *keys]]
    print(f"\n2. {get_indicator(keys[0]).label} (hoogste 3 buurten, 2024):")
    print(table.sort_values(keys[0], ascending=False).head(3).round(1).to_string())
    print(f"   Let op: {get_indicator(keys[0]).caveats}")

    # 3. a koppelkansen rule that uses them
    rule_file = Path(tmp) / "koppelkansen.toml"
    rule_file.write_text(
        """
[[regel]]
sleutel = "geldzorgen_bij_laag_inkomen"
titel = "Geldzorgen waar veel huishoudens een laag inkomen hebben"
beschrijving = "Het wijkteam ziet veel schulden in een buurt met veel lage inkomens."
niveau = "buurt"
bron = "voorbeeld"
[[regel.conditie]]
soort = "drempel"
indicator = "signalen_schulden_per_1000"
waarde = 15
[[regel.conditie]]
soort = "drempel"
indicator = "aandeel_huishoudens_laag_inkomen"
waarde = 10
""",
        encoding="utf-8",
    )
    result = evaluate(loaded, rules=load_rules(rule_file))
    hits = result.matches
    print(f"\n3. koppelkans 'geldzorgen bij laag inkomen': {len(hits)} buurten")
    for row in hits.head(2).itertuples():
        print(f"   {row.uitleg[:170]}...")

# 4. stories and what works, as on the profile of the koppelkans wijk
print("\n4. verhalen over Duinrand (WK999902):")
for story in stories_for(atlas, "wijk", "WK999902")[:3]:
    about = f" (gaat over: {story['about_label']})" if story["about_label"] else ""
    print(f"   “{story['text']}” – {story['role']}, {story['date']}{about}")
works = works_here(atlas, "wijk", "WK999902", peildatum="2024-09-01")
print("   wat werkt hier:")
for item in works["items"][:3]:
    print(f"   - {item['name']} ({item['status']}): {item['changed']}")
with tempfile.TemporaryDirectory() as tmp:
    copy = Path(tmp) / "lagen"
    shutil.copytree(DEMO, copy)
    stories = copy / "verhalen.csv"
    lines = stories.read_text("utf-8").splitlines()
    lines.append("VH099,2024-08-01,welzijn,bewoner,Bel mij op 06-12345678,,BU99990201,,,")
    stories.write_text("\n".join(lines) + "\n", encoding="utf-8")
    report = check_path(copy, atlas=atlas)
    problem = next(p for p in report.errors if p.category == "personal_data")
    print(f"   wijkgeo check: {problem.to_text().replace(str(copy) + '/', '')}")
