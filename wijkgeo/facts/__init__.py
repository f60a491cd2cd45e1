"""The fact model: what wijkgeo knows about every area, computed once, as plain data.

Outputs (map, profile, PNG, exports) render facts; they do not compute their own.

:mod:`wijkgeo.facts.model`
    :func:`build_facts`: per level the indicator values with reasons, references, ranks
    with direction, the change over the years held, "wat er al is", the cell shares and
    the koppelkansen, JSON-able.
:mod:`wijkgeo.facts.present`
    "wat er al is": the one rule for what is already in or near an area.
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "Facts",
    "LevelFacts",
    "Present",
    "build_facts",
    "cell_column",
    "cell_facts",
    "cell_shares",
    "grid_cells",
    "reference_date",
    "what_is_here",
]

_LAZY = {
    "Facts": "model",
    "LevelFacts": "model",
    "build_facts": "model",
    "cell_column": "model",
    "cell_facts": "model",
    "cell_shares": "model",
    "grid_cells": "model",
    "Present": "present",
    "reference_date": "present",
    "what_is_here": "present",
}


def __getattr__(name: str) -> Any:
    # a lazy loader re-exporting this package's own submodules only
    sub = _LAZY.get(name)
    if sub is None:
        raise AttributeError(f"module 'wijkgeo.facts' has no attribute {name!r}")
    if sub == "present":
        from . import present as module
    else:
        from . import model as module
    value = getattr(module, name)
    globals()[name] = value
    return value
