"""Where rules come from: the default set, a user's file, the gemeente's own file.

Examples
--------
>>> from wijkgeo.koppelkansen import default_rules
>>> len(default_rules()) >= 10
True
"""

from __future__ import annotations

import logging
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

from .._errors import ConfigError
from .model import RULES_FILE_NAME, RuleSet, parse_rules, read_rules_text
from .validate import validate_rules_text

if TYPE_CHECKING:  # pragma: no cover
    from ..atlas import Atlas

__all__ = ["RULES_FILE_NAME", "default_rules", "load_rules", "rules_file_for"]

log = logging.getLogger(__name__)

#: Atlas metadata keys that may hold the gemeente's data folder (with lagen.json).
_FOLDER_KEYS = ("lokale_lagen", "lagen_map", "data_sources")


def _raise(problems, file: str) -> None:
    lines = "\n".join(f"  - {p}" for p in problems)
    raise ConfigError(
        f"{file}: {len(problems)} probleem/problemen in de koppelkansen-regels:\n{lines}\n"
        "Herstel het bestand; `wijkgeo check` toont dezelfde lijst."
    )


@lru_cache(maxsize=1)
def _defaults() -> RuleSet:
    text = resources.files(__package__).joinpath("rules.toml").read_text(encoding="utf-8")
    file = "wijkgeo/koppelkansen/rules.toml"
    problems = validate_rules_text(text, file)
    if problems:
        _raise(problems, file)
    ruleset, _ = parse_rules(text, file)
    return ruleset


def default_rules() -> RuleSet:
    """The default koppelkansen rules (``rules.toml`` in this package).

    Examples
    --------
    >>> from wijkgeo.koppelkansen import default_rules
    >>> "warmtetransitie_energiearmoede" in default_rules().keys()
    True
    """
    return _defaults()


def load_rules(path: str | Path) -> RuleSet:
    """Read and check a rules file; raise :class:`~wijkgeo.ConfigError` listing every problem.

    Parameters
    ----------
    path : str or Path
        A ``koppelkansen.toml``.

    Returns
    -------
    RuleSet
        Its rules, to put on top of the defaults with :meth:`RuleSet.merged`.

    Examples
    --------
    >>> from wijkgeo.koppelkansen import default_rules, load_rules
    >>> rules = default_rules().merged(load_rules("koppelkansen.toml"))   # doctest: +SKIP
    """
    p = Path(path)
    text = read_rules_text(p)
    problems = validate_rules_text(text, str(p), folder=p.parent)
    if problems:
        _raise(problems, str(p))
    ruleset, _ = parse_rules(text, str(p))
    log.info("koppelkansen-regels gelezen uit %s: %d regels", p, len(ruleset))
    return ruleset


def rules_file_for(atlas: Atlas) -> Path | None:
    """The gemeente's own ``koppelkansen.toml`` beside its ``lagen.json``, if the Atlas knows it.

    Looks in the folder named by ``atlas.meta["lokale_lagen"]`` (or ``lagen_map``,
    ``data_sources``).
    """
    for key in _FOLDER_KEYS:
        folder = atlas.meta.get(key) if atlas.meta else None
        if folder:
            path = Path(str(folder)) / RULES_FILE_NAME
            if path.is_file():
                return path
    return None
