"""The ``wijkgeo`` command line: a thin layer over the library.

It parses arguments, configures logging, calls the library and maps exceptions to exit
codes and Dutch messages. No analysis happens here.

Exit codes
----------
0  success (data updated or unchanged)
1  a source failed; the last good data in the store was kept
2  usage or validation error (bad code, bad file, bad option)
3  the store is locked or damaged
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Callable, Sequence

from ._errors import ConfigError, DataValidationError, SourceError, StoreError, WijkgeoError

log = logging.getLogger("wijkgeo")

EXIT_OK = 0
EXIT_SOURCE = 1
EXIT_USAGE = 2
EXIT_STORE = 3

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


def _add_store_arg(p: argparse.ArgumentParser) -> None:
    p.add_argument("--store", help="map van de store (standaard: $WIJKGEO_STORE of de gebruikersmap)")


# ---------------------------------------------------------------------------- demo
def _add_demo(p: argparse.ArgumentParser) -> None:
    _add_store_arg(p)
    p.add_argument("--maps", default="maps", help="map waarin de kaart komt (standaard: maps)")
    p.add_argument("--seed", type=int, default=2024, help="seed van de generator")


@command("demo", "maak de fictieve gemeente Demodam (GM9999) en schrijf maps/demodam.html")(_add_demo)
def _run_demo(args: argparse.Namespace) -> int:
    from .demo_pipeline import run_demo

    path = run_demo(store=args.store, maps_dir=args.maps, seed=args.seed)
    print(path)
    return EXIT_OK


# ---------------------------------------------------------------------------- main
def build_parser() -> argparse.ArgumentParser:
    from . import __version__

    parser = argparse.ArgumentParser(
        prog="wijkgeo",
        description="Wijk- en buurtanalyse op CBS- en PDOK-gegevens.",
    )
    parser.add_argument("--version", action="version", version=f"wijkgeo {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true", help="meer logregels")
    parser.add_argument("-q", "--quiet", action="store_true", help="alleen waarschuwingen en fouten")
    sub = parser.add_subparsers(dest="command", metavar="COMMANDO")
    for name, help_text, add, run in _COMMANDS:
        p = sub.add_parser(name, help=help_text, description=help_text)
        add(p)
        p.set_defaults(_run=run)
    return parser


def _configure_logging(verbose: bool, quiet: bool) -> None:
    level = logging.DEBUG if verbose else logging.WARNING if quiet else logging.INFO
    logging.basicConfig(
        level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s", stream=sys.stderr
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``wijkgeo`` console script; returns the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "_run", None):
        parser.print_help()
        return EXIT_USAGE
    _configure_logging(args.verbose, args.quiet)
    try:
        return int(args._run(args) or 0)
    except SourceError as exc:
        print(f"wijkgeo: bron niet bereikbaar of ongeldig: {exc}", file=sys.stderr)
        return EXIT_SOURCE
    except (DataValidationError, ConfigError) as exc:
        print(f"wijkgeo: ongeldige invoer: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except StoreError as exc:
        print(f"wijkgeo: probleem met de store: {exc}", file=sys.stderr)
        return EXIT_STORE
    except WijkgeoError as exc:
        print(f"wijkgeo: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("wijkgeo: afgebroken", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
