"""A validation report: every problem of an input with file, row, column and what to do.

Readers of user-made files (``lagen.json`` layers, ``koppelkansen.toml``) collect
:class:`Problem` s in a :class:`ValidationReport` instead of stopping at the first one. The
report renders as Dutch text (``wijkgeo check``) and as JSON (``--json``); strict callers
turn it into a :class:`~wijkgeo.DataValidationError` with :meth:`ValidationReport.raise_if_errors`.

Rows count as a spreadsheet user sees them: the header is row 1, the first data row row 2.
Features of a GeoJSON/GeoPackage/Shapefile count from 1 (``unit="object"``); a line of a
JSON or TOML file uses ``unit="regel"``.

Examples
--------
>>> rep = ValidationReport()
>>> _ = rep.add("voorzieningen.csv", 5, "x", "punt ligt buiten de gemeente",
...             hint="wissel x en y", category="outside_area")
>>> _ = rep.add("lagen.json", None, None, "onbekende sleutel 'bestnad'", severity="waarschuwing",
...         category="unknown_key")
>>> rep.ok, len(rep.errors), len(rep.warnings)
(False, 1, 1)
>>> print(rep.to_text())
1 fout, 1 waarschuwing
FOUT voorzieningen.csv, rij 5, kolom 'x': punt ligt buiten de gemeente. Wat te doen: wissel x en y
WAARSCHUWING lagen.json: onbekende sleutel 'bestnad'.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from ._errors import DataValidationError

__all__ = ["ERROR", "WARNING", "Problem", "ValidationReport"]

#: Severity of a problem that makes the input unusable (strict mode raises, lenient drops).
ERROR = "fout"
#: Severity of a problem that is reported but changes nothing.
WARNING = "waarschuwing"
_SEVERITIES = (ERROR, WARNING)


@dataclass(frozen=True)
class Problem:
    """One problem in one place of one input file.

    Parameters
    ----------
    file : str
        The file as the user knows it (a path, relative where possible).
    row : int or None
        Row as a spreadsheet shows it (header = 1), feature number or line; None for the
        whole file.
    column : str or None
        Column (or configuration key) concerned; None for the whole row or file.
    message : str
        What is wrong, in Dutch.
    hint : str
        What to do about it, in Dutch ("" when obvious).
    severity : {"fout", "waarschuwing"}
        :data:`ERROR` or :data:`WARNING`.
    category : str
        A stable machine-readable label (``"outside_area"``, ``"unknown_code"``, ...).
    unit : str
        How ``row`` is counted: ``"rij"`` (spreadsheet row), ``"object"`` (feature) or
        ``"regel"`` (line of a text file).
    column_label : str
        What ``column`` is called in the message: ``"kolom"``, or ``"sleutel"`` for a key of
        a configuration file (``lagen.json``, ``koppelkansen.toml``).
    """

    file: str
    row: int | None
    column: str | None
    message: str
    hint: str = ""
    severity: str = ERROR
    category: str = ""
    unit: str = "rij"
    column_label: str = "kolom"
    rule: str | None = None
    suggestions: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.severity not in _SEVERITIES:
            raise ValueError(f"severity must be one of {_SEVERITIES}, not {self.severity!r}")

    @classmethod
    def in_rules(
        cls,
        file: str,
        rule: str | None,
        line: int | None,
        message: str,
        suggestions: tuple[str, ...] = (),
    ) -> Problem:
        """A problem in a rules file (``koppelkansen.toml``): its line, the rule and the
        closest valid names.

        Examples
        --------
        >>> str(Problem.in_rules("koppelkansen.toml", "mijn_regel", 12, "onbekende indicator 'x'."))
        "koppelkansen.toml, regel 12: koppelkans 'mijn_regel': onbekende indicator 'x'."
        """
        return cls(file, line, None, message, unit="regel", rule=rule,
                   suggestions=tuple(suggestions))

    @property
    def line(self) -> int | None:
        """The line of a text file (the same as ``row``)."""
        return self.row

    def __str__(self) -> str:
        rule = f"koppelkans {self.rule!r}: " if self.rule else ""
        text = f"{self.where}: {rule}{self.message}"
        if self.suggestions:
            text += f" Bedoelde u {' of '.join(repr(s) for s in self.suggestions)}?"
        elif self.hint:
            text += f" Wat te doen: {self.hint}"
        return text

    @property
    def where(self) -> str:
        """``file, rij 5, kolom 'x'`` (the parts that are known)."""
        parts = [self.file]
        if self.row is not None:
            parts.append(f"{self.unit} {self.row}")
        if self.column:
            parts.append(f"{self.column_label} {self.column!r}")
        return ", ".join(parts)

    def to_text(self) -> str:
        """One Dutch line: where, what, and what to do."""
        text = f"{self.where}: {self.message.rstrip('.')}."
        if self.hint:
            text += f" Wat te doen: {self.hint}"
        return text

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class ValidationReport:
    """An ordered collection of :class:`Problem` s with Dutch text and JSON output.

    Reusable for any input (local layers, ``koppelkansen.toml``): create one, ``add`` to it
    while reading, and render or raise at the end. ``checked`` lists what was looked at
    (files, layers), so a clean report can say so.
    """

    problems: list[Problem] = field(default_factory=list)
    checked: list[str] = field(default_factory=list)

    # ---------------------------------------------------------------- building
    def add(
        self,
        file: str | Path,
        row: int | None,
        column: str | None,
        message: str,
        *,
        hint: str = "",
        severity: str = ERROR,
        category: str = "",
        unit: str = "rij",
        column_label: str = "kolom",
    ) -> Problem:
        """Append a problem and return it."""
        problem = Problem(
            str(file),
            None if row is None else int(row),
            column,
            message,
            hint,
            severity,
            category,
            unit,
            column_label,
        )
        self.problems.append(problem)
        return problem

    def extend(self, other: ValidationReport | Iterable[Problem]) -> None:
        """Append the problems (and checked items) of another report."""
        if isinstance(other, ValidationReport):
            self.problems.extend(other.problems)
            self.checked.extend(other.checked)
        else:
            self.problems.extend(other)

    # ---------------------------------------------------------------- reading
    def __iter__(self) -> Iterator[Problem]:
        return iter(self.problems)

    def __len__(self) -> int:
        return len(self.problems)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == ERROR]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == WARNING]

    @property
    def ok(self) -> bool:
        """True when there are no errors (warnings allowed)."""
        return not self.errors

    def categories(self) -> Counter[str]:
        """How often each category occurs."""
        return Counter(p.category for p in self.problems)

    # ---------------------------------------------------------------- output
    def summary(self) -> str:
        """``3 fouten, 1 waarschuwing`` (or ``geen problemen``)."""
        ne, nw = len(self.errors), len(self.warnings)
        if not ne and not nw:
            return "geen problemen"
        parts = []
        if ne:
            parts.append(f"{ne} fout" + ("en" if ne != 1 else ""))
        if nw:
            parts.append(f"{nw} waarschuwing" + ("en" if nw != 1 else ""))
        return ", ".join(parts)

    def to_text(self, limit: int | None = None) -> str:
        """The report in Dutch: a summary line, then one line per problem (errors first).

        Parameters
        ----------
        limit : int, optional
            Show at most this many problems, then say how many more there are.
        """
        ordered = self._sorted(self.errors) + self._sorted(self.warnings)
        shown = ordered if limit is None else ordered[:limit]
        lines = [self.summary()]
        for p in shown:
            lines.append(f"{p.severity.upper()} {p.to_text()}")
        if len(shown) < len(ordered):
            lines.append(f"... en nog {len(ordered) - len(shown)} probleem/problemen.")
        return "\n".join(lines)

    def _sorted(self, problems: list[Problem]) -> list[Problem]:
        """Files in the order they were first reported, rows ascending within a file."""
        first: dict[str, int] = {}
        for p in self.problems:
            first.setdefault(p.file, len(first))
        return sorted(problems, key=lambda p: (first[p.file], p.row or 0))

    def to_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "errors": len(self.errors),
            "warnings": len(self.warnings),
            "checked": list(self.checked),
            "problems": [p.to_dict() for p in self.problems],
        }

    def to_json(self, **kwargs: Any) -> str:
        """The report as JSON (``ok``, counts, ``checked`` and every problem)."""
        kwargs.setdefault("ensure_ascii", False)
        kwargs.setdefault("indent", 2)
        return json.dumps(self.to_dict(), **kwargs)

    def raise_if_errors(self, limit: int = 20) -> None:
        """Raise :class:`~wijkgeo.DataValidationError` listing the first ``limit`` errors.

        The exception carries this report as ``.report``.
        """
        errors = self.errors
        if not errors:
            return
        errors = self._sorted(errors)
        lines = [p.to_text() for p in errors[:limit]]
        head = f"{len(errors)} fout" + ("en" if len(errors) != 1 else "")
        if len(errors) > limit:
            lines.append(f"... en nog {len(errors) - limit} fout(en); zie 'wijkgeo check'.")
        text = lines[0] if len(errors) == 1 else head + " in de invoer:\n" + "\n".join(lines)
        exc = DataValidationError(text)
        exc.report = self  # type: ignore[attr-defined]
        raise exc
