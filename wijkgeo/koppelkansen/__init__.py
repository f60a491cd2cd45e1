"""Koppelkansen: rules as data that find where needs, plans and assets coincide, and say why.

A koppelkans is a place where several plans, needs or assets coincide so that acting
together is cheaper or better than acting apart (the street is opened for the heat network
anyway: renew the sewer in the same dig). Rules are TOML data (``rules.toml``, richly
commented in Dutch; a gemeente adds its own ``koppelkansen.toml``); :func:`evaluate` returns
the matches with a Dutch explanation that puts the numbers and what is already there
(initiatives, voorzieningen, projects) side by side, the robustness of each match, near
misses and the rules it had to skip, with the reason.

Modules: :mod:`~wijkgeo.koppelkansen.model` (rule dataclasses, TOML reading),
:mod:`~wijkgeo.koppelkansen.evaluate`, :mod:`~wijkgeo.koppelkansen.explain` (Dutch
sentences), :mod:`~wijkgeo.koppelkansen.validate` (checks for ``wijkgeo check``),
:mod:`~wijkgeo.koppelkansen.load` (default and user rules).

Examples
--------
>>> from wijkgeo.koppelkansen import default_rules
>>> rules = default_rules()
>>> rules["warmtenet_en_straatwerk"].title
'Warmtenet en rioolvervanging of herinrichting in één keer'
"""

from __future__ import annotations

from .evaluate import COLUMNS, SUMMARY_COLUMNS, KoppelkansResult, evaluate, flat_table
from .load import RULES_FILE_NAME, default_rules, load_rules, rules_file_for
from .model import Condition, Problem, Rule, RuleSet, parse_rules
from .validate import check_rules, validate_rules_file, validate_rules_text

__all__ = [
    "COLUMNS",
    "RULES_FILE_NAME",
    "SUMMARY_COLUMNS",
    "Condition",
    "KoppelkansResult",
    "Problem",
    "Rule",
    "RuleSet",
    "check_rules",
    "default_rules",
    "evaluate",
    "flat_table",
    "load_rules",
    "parse_rules",
    "rules_file_for",
    "validate_rules_file",
    "validate_rules_text",
]
