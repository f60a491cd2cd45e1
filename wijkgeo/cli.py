"""The ``wijkgeo`` command line: a thin layer over the library.

It parses arguments, configures logging, calls the library and maps exceptions to exit
codes and Dutch messages. No analysis happens here.

Exit codes
----------
0  success (data updated or unchanged)
1  a source failed; the last good data in the store was kept
2  usage or validation error (bad code, bad file, bad option, gemeente/year not in the store)
3  the store is locked or damaged, or an output (map, profile, export, log) cannot be written
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import io
import json
import logging
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from importlib import resources
from pathlib import Path

from ._errors import (
    ConfigError,
    DataValidationError,
    MissingExtraError,
    NotInStoreError,
    OutputError,
    SourceError,
    StoreError,
    WijkgeoError,
)

log = logging.getLogger("wijkgeo")


def _plain(value: object) -> str:
    """Text for the terminal: no escape sequences or control characters from the data."""
    from ._clean import terminal_text

    return terminal_text(value)

EXIT_OK = 0
EXIT_SOURCE = 1
EXIT_USAGE = 2
EXIT_STORE = 3


# ---------------------------------------------------------------------------- Dutch argparse
@functools.cache
def _argparse_words() -> dict:
    raw = resources.files("wijkgeo").joinpath("cli_text.json").read_text("utf-8")
    return json.loads(raw)


@contextlib.contextmanager
def _dutch() -> Iterator[None]:
    """argparse's own words in Dutch while a wijkgeo parser builds, parses or prints.

    argparse looks every message up through its module's ``_``/``ngettext`` at the moment it
    needs it; they are swapped for a lookup in ``cli_text.json`` and put back afterwards, so
    other users of argparse in the same process (pytest) keep their English.
    """
    messages = _argparse_words()["messages"]
    old = (argparse._, argparse.ngettext)
    if getattr(old[0], "_wijkgeo", False):  # already inside
        yield
        return

    def gettext(msg: str) -> str:
        return messages.get(msg, msg)

    def ngettext(single: str, many: str, n: int) -> str:
        return gettext(single if n == 1 else many)

    gettext._wijkgeo = True  # type: ignore[attr-defined]
    argparse._, argparse.ngettext = gettext, ngettext  # type: ignore[attr-defined]
    try:
        yield
    finally:
        argparse._, argparse.ngettext = old  # type: ignore[attr-defined]


class DutchArgumentParser(argparse.ArgumentParser):
    """An ArgumentParser whose usage, help and error messages are Dutch (``gebruik:``,
    ``opties``, ``deze argumenten zijn verplicht: --jaar``); exit code 2 on a usage error."""

    def __init__(self, *args, **kwargs) -> None:
        with _dutch():
            super().__init__(*args, **kwargs)

    def parse_args(self, args=None, namespace=None):
        with _dutch():
            return super().parse_args(args, namespace)

    def parse_known_args(self, args=None, namespace=None):
        with _dutch():
            return super().parse_known_args(args, namespace)

    def format_usage(self) -> str:
        with _dutch():
            return super().format_usage()

    def format_help(self) -> str:
        with _dutch():
            return super().format_help()

    def error(self, message: str):
        for name, words in _argparse_words()["types"].items():
            message = message.replace(f"verwacht {name}", f"verwacht {words}")
        with _dutch():
            super().error(message)


# Each command registers (name, help, add_arguments, run). Keep one block per command.
_COMMANDS: list[tuple[str, str, Callable[[argparse.ArgumentParser], None], Callable]] = []


def command(name: str, help: str):
    """Register ``run(args) -> int`` as a subcommand; ``add`` defines its arguments."""

    def deco(add: Callable[[argparse.ArgumentParser], None]):
        def register(run: Callable[[argparse.Namespace], int]):
            _COMMANDS.append((name, help, add, run))
            return run

        return register

    return deco


def _seconds(value: str) -> float:
    """argparse type of --lock-timeout: a finite number of seconds."""
    import math

    try:
        seconds = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is geen getal (seconden)") from None
    if not math.isfinite(seconds):
        raise argparse.ArgumentTypeError(f"{value!r} is geen eindig aantal seconden; geef bv. 300")
    return seconds


def _add_store_arg(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--store", help="map van de store (standaard: $WIJKGEO_STORE of de gebruikersmap)"
    )


def _add_gemeente_jaar(p: argparse.ArgumentParser) -> None:
    """The positional gemeente code and the required ``--jaar`` of map, profile, export."""
    p.add_argument("gemeente", metavar="GEMEENTE", help="gemeentecode, bv. GM0772")
    p.add_argument("--jaar", type=int, required=True, help="statistiekjaar, bv. 2024")


def _add_peildatum(p: argparse.ArgumentParser) -> None:
    """``--peildatum`` of map and profile: one reference date for 'wat er al is'."""
    p.add_argument(
        "--peildatum",
        metavar="JJJJ-MM-DD",
        help="peildatum voor 'wat er al is' en de koppelkansen (standaard: die van de "
        "gegevens, anders vandaag), bv. --peildatum 2025-06-01",
    )


def _add_csv_dialect(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--csv-dialect",
        choices=("nl", "international"),
        default="nl",
        help="nl: ; en decimale komma (standaard); international: , en punt",
    )


# ---------------------------------------------------------------------------- demo
def _add_demo(p: argparse.ArgumentParser) -> None:
    _add_store_arg(p)
    p.add_argument("--maps", default="maps", help="map waarin de kaart komt (standaard: maps)")
    p.add_argument("--seed", type=int, default=2024, help="seed van de generator")


@command("demo", "maak de fictieve gemeente Demodam (GM9999) en schrijf maps/demodam.html")(
    _add_demo
)
def _run_demo(args: argparse.Namespace) -> int:
    from .demo.pipeline import run_demo

    path = run_demo(store=args.store, maps_dir=args.maps, seed=args.seed)
    print(Path(path).resolve())
    return EXIT_OK


# ---------------------------------------------------------------------------- refresh
# Exit codes of `refresh`: 0 all gemeenten updated or unchanged; 1 a source failed for at
# least one gemeente (its last good version was kept, one ERROR line names it); 2 usage or
# validation error (bad code, bad --bestand, unknown year); 3 store locked (after
# --lock-timeout) or damaged. See docs/refresh.md. The national reference that comes along
# with the gemeenten never changes the exit code (a WARNING says when it failed); asked for
# with --nederland, its failure is exit 1 like a gemeente's.
def _add_refresh(p: argparse.ArgumentParser) -> None:
    p.add_argument("gemeenten", nargs="*", metavar="GEMEENTE", help="gemeentecodes, bv. GM0772")
    years = p.add_mutually_exclusive_group(required=True)
    years.add_argument("--jaar", type=int, help="statistiekjaar, bv. 2024")
    years.add_argument(
        "--jaren",
        help="meer jaren, elk op de eigen grenzen, bv. --jaren 2015-2025 (2015-2018: de "
        "gezipte Wijk- en Buurtkaart van CBS; 2019 en later: PDOK en CBS open data)",
    )
    p.add_argument("--bestand", help="tekstbestand met één gemeentecode per regel (# = commentaar)")
    _add_store_arg(p)
    p.add_argument(
        "--dry-run",
        "--proefdraai",
        dest="dry_run",
        action="store_true",
        help="alleen metadata opvragen en melden wat er zou veranderen",
    )
    p.add_argument(
        "--lock-timeout",
        type=_seconds,
        default=300,
        metavar="SECONDEN",
        help="zo lang wachten op een andere refresh van dezelfde store (standaard 300)",
    )
    p.add_argument(
        "--forceer",
        action="store_true",
        help="altijd downloaden en ook verdwenen kolommen/rijen accepteren",
    )
    p.add_argument(
        "--zonder-vierkanten",
        action="store_true",
        help="geen vierkantstatistieken (sneller; de landelijke downloads zijn groot)",
    )
    national = p.add_mutually_exclusive_group()
    national.add_argument(
        "--nederland",
        action="store_true",
        default=None,
        help="ook (of alleen) de landelijke referentie van dat jaar: alle buurten en wijken van "
        "Nederland, één keer per jaar opgeslagen (voor `wijkgeo vergelijk`), bv. "
        "`wijkgeo refresh --nederland --jaar 2020`; een mislukte referentie geeft dan exitcode 1",
    )
    national.add_argument(
        "--zonder-nederland",
        dest="nederland",
        action="store_false",
        help="de landelijke referentie niet bijhouden (standaard gaat hij mee met de gemeenten)",
    )
    p.add_argument(
        "--gezondheid",
        action="store_true",
        help="ook de nieuwste RIVM-tabel Gezondheid per wijk en buurt (schattingen) opslaan",
    )
    p.add_argument("--json", action="store_true", help="resultaat per gemeente als JSON op stdout")
    p.add_argument("--logbestand", metavar="PAD", help="logregels ook aan dit bestand toevoegen")


@command("refresh", "haal CBS/PDOK-gegevens op en werk de store bij (alleen wat veranderd is)")(
    _add_refresh
)
def _run_refresh(args: argparse.Namespace) -> int:
    import json

    from .codes import read_gemeenten_file
    from .refresh import exit_code, refresh

    root = logging.getLogger()
    handler = None
    if args.logbestand:  # the file always gets the INFO lines, also with -q on stderr
        for h in root.handlers:
            if h.level == logging.NOTSET:
                h.setLevel(root.level)
        from ._write import open_log_file

        handler = open_log_file(args.logbestand)
        handler.setLevel(logging.DEBUG if args.verbose else logging.INFO)
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        root.addHandler(handler)
        root.setLevel(min(root.level, handler.level))
    logging.getLogger("pyogrio").setLevel(logging.WARNING)  # no "Created N records" lines
    try:
        codes = list(args.gemeenten)
        if args.bestand:
            codes.extend(read_gemeenten_file(args.bestand))
        from .sources.catalog import catalog, kaart_zip_years

        pdok_years = set(catalog()["pdok"]["years"])
        zip_years = set(kaart_zip_years())  # before PDOK: CBS's zipped kaart
        if args.jaren:
            from .series.timeseries import parse_years

            years = parse_years(args.jaren)
            for year in [y for y in years if y not in pdok_years | zip_years]:
                print(
                    f"wijkgeo: {year}: geen grenzen bij PDOK en geen download bekend voor dat "
                    f"jaar; importeer de Wijk- en Buurtkaart: wijkgeo import buurt_{year}.zip "
                    f"--gemeente {codes[0] if len(codes) == 1 else '<CODE>'} --jaar {year}",
                    file=sys.stderr,
                )
            years = [y for y in years if y in pdok_years | zip_years]
            if not years:
                raise ConfigError(
                    f"Geen van de jaren {args.jaren} is op te halen (PDOK: "
                    f"{min(pdok_years)}-{max(pdok_years)}; gezipte kaart: "
                    f"{min(zip_years)}-{max(zip_years)})."
                )
        else:
            years = [args.jaar]
        # the PDOK years first: a newer year in the store names the gemeenten that lay on a
        # merged gemeente's area in an earlier year
        years = sorted(years, key=lambda y: (y not in pdok_years, -y))
        results = []
        for year in years:
            if year in zip_years and year not in pdok_years and codes:
                from .refresh import refresh_kaart

                results += refresh_kaart(
                    codes,
                    year,
                    store=args.store,
                    dry_run=args.dry_run,
                    lock_timeout=args.lock_timeout,
                )
                continue
            results += refresh(
                codes,
                year,
                store=args.store,
                dry_run=args.dry_run,
                lock_timeout=args.lock_timeout,
                force=args.forceer,
                vierkanten=not args.zonder_vierkanten,
                gezondheid=args.gezondheid,
                nederland=args.nederland,
            )
    finally:
        if handler is not None:
            root.removeHandler(handler)
            handler.close()
    if args.json:
        print(json.dumps([r.to_dict() for r in results], ensure_ascii=False, indent=2))
    failed = [r for r in results if not r.ok]
    if failed:
        print(
            f"wijkgeo: {len(failed)} van {len(results)} gemeente(n) niet bijgewerkt "
            f"({', '.join(r.gemeente for r in failed)}); laatste goede versies bewaard",
            file=sys.stderr,
        )
    return exit_code(results)


# ---------------------------------------------------------------------------- status
def _add_status(p: argparse.ArgumentParser) -> None:
    _add_store_arg(p)
    p.add_argument("--json", action="store_true", help="als JSON (voor monitoring)")


@command("status", "wat staat er in de store, hoe vers, uit welke tabelversie")(_add_status)
def _run_status(args: argparse.Namespace) -> int:
    import json

    from .status import format_status, store_status

    rows = store_status(args.store)
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, indent=2))
    else:
        print(_plain(format_status(rows)))
    return EXIT_OK


# ---------------------------------------------------------------------------- export
def _add_export(p: argparse.ArgumentParser) -> None:
    _add_gemeente_jaar(p)
    p.add_argument(
        "--format",
        choices=("gpkg", "csv", "xlsx"),
        default="xlsx",
        help="gpkg, csv (Nederlandse Excel: ; en decimale komma) of xlsx (standaard)",
    )
    p.add_argument("--uitvoer", metavar="PAD", help="uitvoerbestand (standaard GMxxxx_jaar.fmt)")
    _add_csv_dialect(p)
    p.add_argument(
        "--zonder-indicatoren",
        action="store_true",
        help="alleen de opgeslagen kolommen, geen berekende indicatoren",
    )
    p.add_argument(
        "--raster",
        type=int,
        choices=(500, 100),
        metavar="METER",
        help="voeg de laag raster_<METER>m toe (alleen gpkg): buurtcijfers verdeeld over de "
        "CBS-vierkanten (*_uit_buurten) naast de eigen CBS-cijfers (cbs_*), "
        "bv. --format gpkg --raster 500",
    )
    _add_lagen_arg(p)
    _add_store_arg(p)


@command("export", "exporteer een gemeente voor analisten (GeoPackage, CSV of Excel)")(_add_export)
def _run_export(args: argparse.Namespace) -> int:
    from .export import export

    if args.lagen:  # the stored gemeente with the folder's layers, for this run only
        from .export import export_atlas

        atlas = _load(args)
        fmt = args.format
        target = Path(args.uitvoer or f"{atlas.code}_{args.jaar}.{fmt}")
        if target.is_dir():
            target = target / f"{atlas.code}_{args.jaar}.{fmt}"
        path = export_atlas(
            atlas,
            target,
            fmt,
            indicators=not args.zonder_indicatoren,
            csv_dialect=args.csv_dialect,
            grid=args.raster,
        )
        print(Path(path).resolve())
        return EXIT_OK
    path = export(
        args.gemeente,
        args.jaar,
        args.format,
        args.uitvoer,
        store=args.store,
        indicators=not args.zonder_indicatoren,
        csv_dialect=args.csv_dialect,
        grid=args.raster,
    )
    print(Path(path).resolve())
    return EXIT_OK


# ---------------------------------------------------------------------------- indicators
def _add_indicators(p: argparse.ArgumentParser) -> None:
    p.add_argument("--json", action="store_true", help="als JSON-lijst (voor scripts)")
    p.add_argument("--thema", help="alleen dit thema, bv. wonen")


@command("indicators", "toon het register van indicatoren (sleutel, naam, eenheid, thema)")(
    _add_indicators
)
def _run_indicators(args: argparse.Namespace) -> int:
    import json

    from .indicators.registry import list_indicators

    items = list_indicators(args.thema)
    if args.json:
        print(json.dumps([i.to_dict() for i in items], ensure_ascii=False, indent=2))
        return EXIT_OK
    rows = [("sleutel", "indicator", "eenheid", "thema")]
    rows += [(i.key, i.label, i.unit, i.theme_label) for i in items]
    widths = [max(len(r[c]) for r in rows) for c in range(3)]
    for n, row in enumerate(rows):
        print("  ".join([*(c.ljust(w) for c, w in zip(row, widths, strict=False)), row[3]]))
        if n == 0:
            print("  ".join([*("-" * w for w in widths), "-" * len(row[3])]))
    print(f"\n{len(items)} indicatoren. Definities en bronnen: wijkgeo indicators --json")
    return EXIT_OK


# ---------------------------------------------------------------------------- vergelijk


def _add_vergelijk(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "buurt",
        nargs="?",
        metavar="BUURT",
        help="buurtcode (BU05991571), wijkcode (WK059915) of gemeentecode (GM0599: al haar "
        "buurten, of met --niveau wijk al haar wijken)",
    )
    p.add_argument(
        "--niveau",
        choices=["buurt", "wijk"],
        default="buurt",
        help="bij een gemeentecode: buurten (standaard) of wijken vergelijken",
    )
    p.add_argument("--jaar", type=int, help="jaar van de landelijke referentie, bv. 2020")
    p.add_argument(
        "-k", "--aantal", type=int, dest="k", metavar="K", help="aantal vergelijkbare buurten"
    )
    p.add_argument(
        "--format",
        choices=["tekst", "csv", "json"],
        default="tekst",
        help="tekst (standaard), csv (de buurt en de vergelijkbare buurten) of json",
    )
    p.add_argument("--kenmerken", action="store_true", help="toon het actieve vergelijkingsprofiel")
    p.add_argument("--kenmerken-bestand", metavar="PAD", help="eigen vergelijkingsprofiel (JSON)")
    p.add_argument(
        "--andere-gemeenten",
        action="store_true",
        help="alleen vergelijkbare buurten in andere gemeenten (wie bel je elders?)",
    )
    _add_store_arg(p)


@command("vergelijk", "vergelijk een buurt of wijk met de meest vergelijkbare van Nederland")(
    _add_vergelijk
)
def _run_vergelijk(args: argparse.Namespace) -> int:
    import json

    from .indicators.similar import compare_buurt, load_profile, profile_table, profile_text
    from .store import Store

    profile = load_profile(args.kenmerken_bestand)
    if args.kenmerken:
        if args.format == "json":
            print(json.dumps(profile.to_dict(), ensure_ascii=False, indent=2))
            return EXIT_OK
        if args.format == "csv":
            sys.stdout.write(profile_table(profile).to_csv(index=False))
        else:
            print(_plain(profile_text(profile)))
        return EXIT_OK
    if not args.buurt or args.jaar is None:
        raise ConfigError(
            "Geef een buurtcode en --jaar, bv. `wijkgeo vergelijk BU05991571 --jaar 2020`, of "
            "--kenmerken om het profiel te zien."
        )
    if args.buurt.strip().upper().startswith("GM"):  # every buurt of a gemeente at once
        from .indicators.similar import compare_gemeente, gemeente_output

        table = compare_gemeente(
            args.buurt,
            args.jaar,
            k=args.k,
            profile=profile,
            store=Store(args.store),
            elsewhere=True if args.andere_gemeenten else None,
            level=args.niveau,
        )
        text = gemeente_output(table, args.jaar, args.format)
        print(_plain(text) if args.format == "tekst" else text, end="")  # names from data
        return EXIT_OK
    result = compare_buurt(
        args.buurt,
        args.jaar,
        k=args.k,
        profile=profile,
        store=Store(args.store),
        elsewhere=True if args.andere_gemeenten else None,
    )
    if args.format == "json":
        print(json.dumps(result.to_dict(), ensure_ascii=False, indent=2))
    elif args.format == "csv":
        sys.stdout.write(result.to_csv())
    else:
        print(_plain(result.to_text()))
    return EXIT_OK


# ---------------------------------------------------------------------------- koppelkansen


def _add_koppelkansen(p: argparse.ArgumentParser) -> None:
    p.add_argument("gemeente", nargs="?", metavar="GEMEENTE", help="gemeentecode, bv. GM9999")
    p.add_argument("--jaar", type=int, help="statistiekjaar, bv. 2024")
    p.add_argument(
        "--format",
        choices=("csv", "json", "gpkg"),
        default="csv",
        help="csv (standaard, naar standaarduitvoer), json (idem) of gpkg (bestand)",
    )
    p.add_argument("--uitvoer", metavar="PAD", help="naar dit bestand in plaats van de uitvoer")
    p.add_argument(
        "--regels",
        action="store_true",
        help="toon de actieve regels en de gegevens die elke regel nodig heeft",
    )
    p.add_argument("--regels-bestand", metavar="BESTAND", help="eigen regels (TOML) erbij")
    p.add_argument(
        "--lagen",
        metavar="MAP",
        help="eigen lagen (lagen.json en eventueel koppelkansen.toml) uit deze map voor deze "
        "keer, zonder ze op te slaan (opslaan: wijkgeo lagen MAP)",
    )
    p.add_argument("--bijna", action="store_true", help="ook bijna-kansen (net niet) tonen")
    p.add_argument("--peildatum", metavar="JJJJ-MM-DD", help="peildatum (standaard: vandaag)")
    _add_csv_dialect(p)
    _add_store_arg(p)


def _kk_rules(args: argparse.Namespace, atlas=None):
    from ._paths import resolve_inside
    from .koppelkansen import default_rules, load_rules, rules_file_for

    rules = default_rules()
    # the gemeente's own koppelkansen.toml: from --lagen MAP, or stored by `wijkgeo lagen`
    own = rules_file_for(atlas) if atlas is not None else None
    if own is None and args.lagen and os.path.lexists(Path(args.lagen) / "koppelkansen.toml"):
        # inside the folder (a link out of it is refused by name), a regular file
        own = resolve_inside(args.lagen, "koppelkansen.toml")
    if own is not None:
        rules = rules.merged(load_rules(own))
    if args.regels_bestand:
        rules = rules.merged(load_rules(args.regels_bestand))
    return rules


@command("koppelkansen", "vind koppelkansen: waar behoeften, plannen en wat er is samenvallen")(
    _add_koppelkansen
)
def _run_koppelkansen(args: argparse.Namespace) -> int:
    import json

    from .koppelkansen import evaluate, flat_table

    rules = _kk_rules(args)
    if args.regels:
        for rule in rules.active():
            needs = [f"{k} {', '.join(v)}" for k, v in rule.needs().items() if v]
            print(f"{rule.key}\t{rule.level}\t{rule.title}\tnodig: {'; '.join(needs)}")
        return EXIT_OK
    if not args.gemeente or args.jaar is None:
        print("wijkgeo: geef een gemeente en --jaar, of --regels", file=sys.stderr)
        return EXIT_USAGE
    atlas = _load(args)
    rules = _kk_rules(args, atlas)
    res = evaluate(atlas, rules, peildatum=args.peildatum)
    # skipped rules are logged (INFO) by evaluate itself: a steady state, so -q hides them
    found = res.matches
    if args.bijna:
        import pandas as pd

        found = pd.concat([res.matches, res.near_misses], ignore_index=True)
    if args.format == "gpkg":
        import geopandas as gpd
        import pyogrio

        from ._write import write_output
        from .export import not_own_gpkg

        target = Path(args.uitvoer or f"{atlas.code}_{atlas.year}_koppelkansen.gpkg")
        table = flat_table(found, full=True)
        layer = gpd.GeoDataFrame(table, geometry=found.geometry.to_numpy(), crs=found.crs)

        def write(tmp: Path) -> None:  # a new file each time: no stale layers
            pyogrio.write_dataframe(layer, tmp, layer="koppelkansen", driver="GPKG")
            if len(res.skipped):
                pyogrio.write_dataframe(res.skipped, tmp, layer="overgeslagen", driver="GPKG")

        write_output(
            target,
            write,
            what="koppelkansen-bestand",
            replaces=lambda p: not_own_gpkg(p, ["koppelkansen", "overgeslagen"]),
        )
        print(target.resolve())
        return EXIT_OK
    if args.format == "json":
        out = {
            "gemeente": atlas.code,
            "jaar": atlas.year,
            "kansen": flat_table(found, full=True).to_dict("records"),
            "overgeslagen": res.skipped.to_dict("records"),
        }
        for rec in out["kansen"]:
            rec["condities"] = json.loads(rec["condities"])
        text = json.dumps(out, ensure_ascii=False, indent=2) + "\n"
    else:
        sep, dec = (";", ",") if args.csv_dialect == "nl" else (",", ".")
        from .text import spreadsheet_csv

        text = spreadsheet_csv(flat_table(found), sep=sep, decimal=dec)
    if args.uitvoer:
        from ._write import write_text_output

        # the CSV carries a BOM like the other Dutch CSVs (Excel reads it as UTF-8)
        encoding = "utf-8-sig" if args.format == "csv" else "utf-8"
        write_text_output(args.uitvoer, text, what="koppelkansen-bestand", encoding=encoding)
        print(Path(args.uitvoer).resolve())
    else:
        sys.stdout.write(text)
    return EXIT_OK


# ---------------------------------------------------------------------------- check
# `wijkgeo check [PAD]`: validate local layers (lagen.json and the files it names) of one
# folder or of every subfolder; exit 2 on errors, 0 when clean (warnings allowed). Other
# inputs beside lagen.json add their checker to _checkers() (one line each).
def _checkers() -> list:
    from .koppelkansen.validate import check_folder
    from .profile.stories import check_story_topics
    from .sources.local.check import check_lagen

    return [check_lagen, check_folder, check_story_topics]


def _atlas_for(store: str | None):
    def find(gemeente: str, year: int | None):
        from .store import Store

        target = Store(store)
        years = sorted(int(e["year"]) for e in target.entries() if e.get("gemeente") == gemeente)
        if year is None and years:
            year = years[-1]
        if year is not None and year in years:
            return target.read_atlas(gemeente, year)
        if gemeente == "GM9999":  # the demo gemeente can always be made on the spot
            return _demo_atlas()
        return None

    return find


@functools.cache
def _demo_atlas():
    from .demo import make_demo

    return make_demo()


def _add_check(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "pad",
        nargs="?",
        default="data_sources",
        metavar="PAD",
        help="map met lagen.json, of een map met zulke mappen (standaard: data_sources)",
    )
    p.add_argument("--json", action="store_true", help="rapport als JSON (voor scripts)")
    p.add_argument("--max", type=int, default=200, metavar="N", help="toon hoogstens N problemen")
    _add_store_arg(p)


@command("check", "controleer lokale lagen (lagen.json en bestanden) en meld elk probleem")(
    _add_check
)
def _run_check(args: argparse.Namespace) -> int:
    from .sources.local.check import check_path

    report = check_path(args.pad, checkers=_checkers(), atlas_for=_atlas_for(args.store))
    if args.json:
        print(report.to_json())
    else:
        print(_plain(report.to_text(limit=args.max)))
        n = len({c for c in report.checked})
        print(f"{n} bestand(en) gecontroleerd in {args.pad}.")
    return EXIT_OK if report.ok else EXIT_USAGE


# ---------------------------------------------------------------------------- import
def _add_import(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "bestand",
        nargs="+",
        metavar="BESTAND",
        help="WijkBuurtkaart_<jaar>_v<n>.gpkg (of voor oudere jaren de zip met shapefiles, bv. "
        "buurt_2015.zip met gem_2015.shp, wijk_2015.shp, buurt_2015.shp) en/of "
        "vierkantstatistieken (cbs_vk500_..gpkg), of de RIVM-tabel Gezondheid per wijk en "
        "buurt (Excel, CSV of parquet)",
    )
    p.add_argument(
        "--gemeente",
        help="gemeentecode, bv. GM0599 (nodig bij de Wijk- en Buurtkaart en de RIVM-tabel; "
        "bij vierkanten: alleen deze gemeente)",
    )
    p.add_argument(
        "--jaar",
        type=int,
        help="jaar van de kaart, bv. 2024 (bij de RIVM-tabel: het opgeslagen jaar waar de "
        "cijfers bij komen; standaard het nieuwste)",
    )
    _add_store_arg(p)
    p.add_argument(
        "--lock-timeout",
        type=_seconds,
        default=300,
        metavar="SECONDEN",
        help="zo lang wachten op een ander proces dat de store gebruikt (standaard 300)",
    )


@command(
    "import",
    "lees een gedownloade Wijk- en Buurtkaart, vierkantstatistieken of RIVM-gezondheidstabel in",
)(_add_import)
def _run_import(args: argparse.Namespace) -> int:
    from .refresh import import_vierkanten, import_wijkbuurtkaart
    from .sources.rivm_file import is_health_file
    from .sources.vierkant import vierkant_layer

    files = [Path(f) for f in args.bestand]
    health = [f for f in files if is_health_file(f)]  # a CBS table download (RIVM health)
    files = [f for f in files if f not in health]
    grids = [f for f in files if f.is_file() and vierkant_layer(f) is not None]
    kaarten = [f for f in files if f not in grids]
    if health and not args.gemeente:
        raise ConfigError(
            f"{health[0]}: geef bij de RIVM-tabel --gemeente, bv. "
            f"wijkgeo import {health[0].name} --gemeente GM0599"
        )
    if kaarten and (not args.gemeente or args.jaar is None):
        raise ConfigError(
            f"{kaarten[0]}: geef bij de Wijk- en Buurtkaart --gemeente en --jaar, bv. "
            f"wijkgeo import {kaarten[0].name} --gemeente GM0599 --jaar 2024"
        )
    for kaart in kaarten:
        result = import_wijkbuurtkaart(
            kaart, args.gemeente, args.jaar, store=args.store, lock_timeout=args.lock_timeout
        )
        print(result.message())
    for grid in grids:
        for result in import_vierkanten(
            grid, args.gemeente, args.jaar, store=args.store, lock_timeout=args.lock_timeout
        ):
            print(result.message())
    for table in health:  # after the kaart: the figures go with the stored gemeente
        from .sources.rivm_store import import_gezondheid

        print(
            import_gezondheid(
                table, args.gemeente, year=args.jaar, store=args.store,
                lock_timeout=args.lock_timeout,
            )
        )
    return EXIT_OK


# ---------------------------------------------------------------------------- lagen
def _add_lagen(p: argparse.ArgumentParser) -> None:
    p.add_argument("map", metavar="MAP", help="map met lagen.json en de bestanden die het noemt")
    p.add_argument("--gemeente", help="gemeentecode (standaard: 'gemeente' in lagen.json)")
    p.add_argument("--jaar", type=int, help="statistiekjaar (standaard: 'jaar' in lagen.json)")
    _add_store_arg(p)
    p.add_argument(
        "--lock-timeout",
        type=_seconds,
        default=300,
        metavar="SECONDEN",
        help="zo lang wachten op een ander proces dat de store gebruikt (standaard 300)",
    )


@command("lagen", "controleer de eigen lagen van een gemeente en bewaar ze in de store")(_add_lagen)
def _run_lagen(args: argparse.Namespace) -> int:
    from .lagen import store_local_layers

    result = store_local_layers(
        args.map, args.gemeente, args.jaar, store=args.store, lock_timeout=args.lock_timeout
    )
    print(result.message())
    return EXIT_OK


def _add_lagen_arg(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--lagen",
        metavar="MAP",
        help="eigen lagen uit deze map (met lagen.json) voor deze keer, zonder ze op te slaan "
        "(opslaan: wijkgeo lagen MAP)",
    )


def _load(args: argparse.Namespace):
    from .lagen import load_atlas

    return load_atlas(args.gemeente, args.jaar, store=args.store, lagen=args.lagen)


# ---------------------------------------------------------------------------- profile


def _add_profile(p: argparse.ArgumentParser) -> None:
    _add_gemeente_jaar(p)
    p.add_argument(
        "--buurt",
        action="append",
        metavar="CODE",
        help="alleen deze buurt of wijk (BU... of WK...); mag vaker; standaard alle",
    )
    p.add_argument(
        "--uitvoer",
        metavar="MAP",
        help="map voor de pagina's (standaard maps/profielen/<gemeente>_<jaar>/)",
    )
    p.add_argument(
        "--pdf",
        action="store_true",
        help="maak ook een PDF per pagina (met Chromium, als dat er is)",
    )
    _add_lagen_arg(p)
    _add_peildatum(p)
    _add_store_arg(p)


@command("profile", "schrijf buurt- en wijkprofielen om te printen en met bewoners te bespreken")(
    _add_profile
)
def _run_profile(args: argparse.Namespace) -> int:
    from .profile import build, write_pdfs

    atlas = _load(args)
    result = build(
        atlas, args.buurt, path=args.uitvoer, store=args.store, peildatum=args.peildatum
    )
    print(f"{len(result.pages)} profielen: {result.index.resolve()}")
    if args.pdf:
        try:
            pdfs = write_pdfs(list(result.pages.values()))
        except ConfigError as exc:  # the HTML pages stand; the PDFs asked for do not
            print(
                f"wijkgeo: geen PDF gemaakt: {exc} De HTML-pagina's staan in "
                f"{result.folder.resolve()}.",
                file=sys.stderr,
            )
            return EXIT_USAGE
        print(f"{len(pdfs)} PDF's in {result.folder.resolve()}")
    return EXIT_OK


# ---------------------------------------------------------------------------- signalen


def _add_signalen(p: argparse.ArgumentParser) -> None:
    p.add_argument("bestand", metavar="BESTAND", help="export van het wijkteam (CSV of .xlsx)")
    p.add_argument("--gemeente", required=True, help="gemeentecode, bv. GM0599")
    p.add_argument(
        "--jaar",
        type=int,
        help="alleen dit jaar tellen (zonder datumkolom: het jaar van het hele bestand)",
    )
    p.add_argument(
        "--drempel",
        type=int,
        default=10,
        metavar="N",
        help="kleinste aantal dat getoond wordt (standaard 10, nooit lager dan 5)",
    )
    p.add_argument(
        "--postcodetabel",
        metavar="CSV",
        help="postcode -> buurtcode (kolommen postcode, buurtcode), nodig bij een postcodekolom",
    )
    p.add_argument(
        "--thema-kolom", metavar="KOLOM", help="kolom met het thema, als die anders heet"
    )
    p.add_argument("--blad", metavar="NAAM", help="werkblad in een .xlsx (standaard het eerste)")
    _add_store_arg(p)


@command(
    "signalen", "tel hulpvragen van het wijkteam per buurt en thema, zonder herleidbare personen"
)(_add_signalen)
def _run_signalen(args: argparse.Namespace) -> int:
    from .codes import normalize_code
    from .signalen import count_signals, store_signals
    from .store import Store

    gemeente = normalize_code(args.gemeente, "gemeente")
    # the boundaries: of --jaar when stored, else the latest stored year
    entries = Store(args.store).entries()
    stored = sorted(int(e["year"]) for e in entries if e.get("gemeente") == gemeente)
    boundary_year = args.jaar if args.jaar in stored else (stored[-1] if stored else None)
    atlas = _atlas_for(args.store)(gemeente, boundary_year)
    if atlas is None:
        raise NotInStoreError(
            f"{gemeente} staat niet in de store; haal de gemeente eerst op met "
            f"'wijkgeo refresh {gemeente} --jaar JAAR' of 'wijkgeo import ...'."
        )
    counts = count_signals(
        args.bestand,
        atlas,
        year=args.jaar,
        threshold=args.drempel,
        postcode_table=args.postcodetabel,
        theme_column=args.thema_kolom,
        sheet=args.blad,
    )
    path = store_signals(counts, args.store)
    print(_plain(counts.message()))
    print(
        f"{args.bestand} is één keer gelezen en nergens weggeschreven of gekopieerd; "
        f"opgeslagen zijn alleen de aantallen: {path.resolve()}"
    )
    return EXIT_OK


# ---------------------------------------------------------------------------- map
def _add_map(p: argparse.ArgumentParser) -> None:
    _add_gemeente_jaar(p)
    p.add_argument(
        "--uitvoer", metavar="BESTAND", help="HTML-bestand (standaard maps/GMxxxx_jaar.html)"
    )
    where = p.add_mutually_exclusive_group()
    where.add_argument(
        "--offline",
        action="store_true",
        help="alle scripts en stijlen in het bestand zelf (de standaard; voor USB-stick, "
        "e-mail of een website zonder externe bronnen)",
    )
    where.add_argument(
        "--cdn",
        action="store_true",
        help="kleiner bestand dat Leaflet van cdn.jsdelivr.net haalt (zegt het als er geen "
        "internet is)",
    )
    p.add_argument("--indicator", metavar="SLEUTEL", help="indicator waarmee de kaart opent")
    p.add_argument(
        "--png",
        metavar="INDICATOR",
        help="schrijf in plaats van de HTML-kaart een PNG van deze indicator per buurt "
        "(standaard maps/GMxxxx_jaar_INDICATOR.png; --uitvoer kiest een ander bestand)",
    )
    p.add_argument(
        "--png-punten",
        metavar="LAAG",
        choices=("voorzieningen", "bewonersinitiatieven"),
        help="puntenlaag bovenop de PNG: voorzieningen of bewonersinitiatieven",
    )
    _add_lagen_arg(p)
    _add_peildatum(p)
    _add_store_arg(p)


@command("map", "schrijf de kaart van een gemeente met alle indicatoren (één HTML-bestand)")(
    _add_map
)
def _run_map(args: argparse.Namespace) -> int:
    from .maps import write_map

    if args.png_punten and not args.png:
        raise ConfigError("--png-punten hoort bij --png INDICATOR; geef ook --png op")
    if args.png:
        from .maps import png

        atlas = _load(args)
        pic = png(atlas, args.png, points=args.png_punten, path=args.uitvoer)
        print(Path(pic.path).resolve())
        return EXIT_OK

    path = write_map(
        args.gemeente,
        args.jaar,
        store=args.store,
        path=args.uitvoer,
        offline=not args.cdn,  # self-contained unless the small online variant is asked
        indicator=args.indicator,
        peildatum=args.peildatum,
        # --lagen: the stored gemeente with the folder's layers, for this run only (the
        # earlier year, peers and years as without it)
        atlas=_load(args) if args.lagen else None,
    )
    print(Path(path).resolve())
    return EXIT_OK


# ---------------------------------------------------------------------------- tijdreeks


def _add_tijdreeks(p: argparse.ArgumentParser) -> None:
    p.add_argument("gemeente", metavar="GEMEENTE", help="gemeentecode zoals nu, bv. GM0606")
    p.add_argument("--jaren", required=True, help="jaren, bv. 2015-2024 of 2015,2020,2024")
    p.add_argument(
        "--format",
        choices=("csv", "xlsx", "json"),
        default="csv",
        help="csv (Nederlandse Excel: ; en decimale komma; standaard), xlsx of json",
    )
    p.add_argument(
        "--uitvoer", metavar="PAD", help="uitvoerbestand (standaard GMxxxx_tijdreeks.<format>)"
    )
    p.add_argument(
        "--indicator",
        action="append",
        metavar="SLEUTEL",
        help="alleen deze indicator (herhaalbaar); standaard alle om te rekenen indicatoren",
    )
    _add_store_arg(p)


@command("tijdreeks", "indicatoren over de jaren op de grenzen van nu, met herkomst per waarde")(
    _add_tijdreeks
)
def _run_tijdreeks(args: argparse.Namespace) -> int:
    from .codes import normalize_code
    from .series.timeseries import tijdreeks, write_tijdreeks

    code = normalize_code(args.gemeente, "gemeente")
    frame = tijdreeks(code, args.jaren, store=args.store, indicators=args.indicator)
    path = Path(args.uitvoer or f"{code}_tijdreeks.{args.format}")
    write_tijdreeks(frame, path, args.format)
    missing = frame.attrs.get("ontbrekende_jaren") or []
    if missing:
        print(
            f"wijkgeo: niet in de store en weggelaten: {', '.join(map(str, missing))}. "
            "Ophalen met:\n  " + "\n  ".join(frame.attrs.get("ophalen") or []),
            file=sys.stderr,
        )
    print(Path(path).resolve())
    return EXIT_OK


# ---------------------------------------------------------------------------- main
def build_parser() -> argparse.ArgumentParser:
    from ._version import __version__

    parser = DutchArgumentParser(
        prog="wijkgeo",
        description="Wijk- en buurtanalyse op CBS- en PDOK-gegevens.",
    )
    parser.add_argument(
        "--version",
        action="version",
        version=f"wijkgeo {__version__}",
        help=_argparse_words()["version"],
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="meer logregels")
    parser.add_argument(
        "-q",
        "--quiet",
        action="store_true",
        help="alleen waarschuwingen en fouten (cron: een run die niets verandert, zegt niets)",
    )
    sub = parser.add_subparsers(
        dest="command", metavar="COMMANDO", title=_argparse_words()["commands"]
    )
    for name, help_text, add, run in _COMMANDS:
        p = sub.add_parser(
            name,
            help=help_text,
            description=help_text,
            epilog="\n".join(_argparse_words()["voorbeelden"][name]),
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        add(p)
        p.set_defaults(_run=run)
    return parser


def _configure_logging(verbose: bool, quiet: bool) -> None:
    level = logging.DEBUG if verbose else logging.WARNING if quiet else logging.INFO
    logging.basicConfig(
        level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s", stream=sys.stderr
    )
    # Third-party libraries log their own chatter at INFO ("Created 40 records"); keep the
    # operator's log to what wijkgeo itself did unless --verbose is given.
    for noisy in ("pyogrio", "fiona", "urllib3", "matplotlib"):
        logging.getLogger(noisy).setLevel(logging.DEBUG if verbose else logging.WARNING)


#: Commands whose stdout is the answer itself (not a confirmation): -q keeps it.
_DATA_COMMANDS = {"status", "indicators", "check", "vergelijk"}


def _prints_data(args: argparse.Namespace) -> bool:
    """Whether the command's stdout is data the user asked for (kept under ``-q``)."""
    if getattr(args, "json", False) or args.command in _DATA_COMMANDS:
        return True
    if args.command == "koppelkansen":
        return bool(args.regels) or (args.format != "gpkg" and not args.uitvoer)
    return False


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``wijkgeo`` console script; returns the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "_run", None):
        parser.print_help()
        return EXIT_USAGE
    _configure_logging(args.verbose, args.quiet)
    if not args.verbose:  # library warnings (shapely, pandas) are English noise to a user
        import warnings

        warnings.simplefilter("ignore")
    # -q: warnings and errors only. A command's confirmation on stdout ("written: PAD",
    # "GM0599 2024: ongewijzigd") is not a warning, so a cron run that changes nothing
    # prints nothing; what the user asked to see (CSV/JSON on stdout, status) still prints.
    hush = args.quiet and not _prints_data(args)
    try:
        with contextlib.redirect_stdout(io.StringIO()) if hush else contextlib.nullcontext():
            return int(args._run(args) or 0)
    except SourceError as exc:
        print(f"wijkgeo: bron niet bereikbaar of ongeldig: {_plain(exc)}", file=sys.stderr)
        return EXIT_SOURCE
    except MissingExtraError as exc:  # an optional part is not installed: say how to get it
        print(f"wijkgeo: onderdeel ontbreekt: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except (DataValidationError, ConfigError) as exc:
        print(f"wijkgeo: ongeldige invoer: {_plain(exc)}", file=sys.stderr)
        return EXIT_USAGE
    except NotInStoreError as exc:  # asked for something never fetched: a usage error
        print(f"wijkgeo: niet gevonden: {_plain(exc)}", file=sys.stderr)
        return EXIT_USAGE
    except StoreError as exc:
        print(f"wijkgeo: probleem met de store: {_plain(exc)}", file=sys.stderr)
        return EXIT_STORE
    except OutputError as exc:
        print(f"wijkgeo: {_plain(exc)}", file=sys.stderr)
        return EXIT_STORE
    except WijkgeoError as exc:
        print(f"wijkgeo: {_plain(exc)}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("wijkgeo: afgebroken", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # `wijkgeo indicators | head`: the reader went away; that is not an error.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_OK
    except (FileNotFoundError, NotADirectoryError) as exc:
        # a file of the store or an input vanished while the command ran
        print(
            f"wijkgeo: probleem met de store: {_plain(exc.filename or 'een bestand')} verdween "
            "terwijl wijkgeo het las (door een ander programma verwijderd of verplaatst?). "
            "Probeer het opnieuw; bij een beschadigde store: `wijkgeo refresh` of "
            "`wijkgeo import`.",
            file=sys.stderr,
        )
        return EXIT_STORE
    except (ConnectionError, TimeoutError) as exc:
        print(f"wijkgeo: bron niet bereikbaar: {_plain(exc)}", file=sys.stderr)
        return EXIT_SOURCE
    except OSError as exc:  # the last net: any other file system error, in Dutch
        from ._write import os_reason

        where = f" bij {_plain(exc.filename)}" if exc.filename else ""
        print(
            f"wijkgeo: bestandsfout{where}: {os_reason(exc)}. Controleer de map en de rechten "
            "en probeer het opnieuw.",
            file=sys.stderr,
        )
        return EXIT_STORE


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
