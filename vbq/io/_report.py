"""Problems found in an input file and the report that gathers them."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

import pandas as pd

from ..errors import InputError

ERROR = "error"
WARNING = "warning"


@dataclass(frozen=True)
class Problem:
    """One finding about an input file.

    Attributes
    ----------
    severity : {"error", "warning"}
    file : str
        File name as given (or "cohort"/"DXA" for in-memory tables).
    sheet : str or None
        Worksheet name for XLSX files.
    row : int or None
        Spreadsheet row number as the user sees it (1-based, header row included); None for
        file-level problems.
    column : str or None
        Column header as written in the file (canonical name in brackets when they differ).
    message : str
        What is wrong and, where possible, how to fix it.
    value : str or None
        The offending cell value, as text.
    """

    severity: str
    file: str
    sheet: str | None
    row: int | None
    column: str | None
    message: str
    value: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    def __str__(self) -> str:
        where = [self.file]
        if self.sheet:
            where.append(f"sheet {self.sheet}")
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column:
            where.append(f"column {self.column}")
        val = f" (value {self.value!r})" if self.value not in (None, "") else ""
        return f"{self.severity}: {', '.join(where)}: {self.message}{val}"


@dataclass
class ValidationReport:
    """All problems found in one file, plus how its headers were mapped.

    Attributes
    ----------
    source : str
    sheet : str or None
    problems : list of Problem
    mapping : dict
        File header -> canonical column name, for every recognised header.
    unmapped : list of str
        Headers not recognised (ignored unless mapped by the user).
    headers : list of str
        The file's headers, in file order.
    header_row : int
        Spreadsheet row number of the header.
    n_rows : int
        Data rows read (after skipping reported empty or repeated-header rows).
    rows : tuple of int
        The spreadsheet row number of each row of the returned table, in order (the header's row
        plus one for a table that came from memory). `cross_check` and `coerce_cohort` use it to
        name rows as the user sees them.
    """

    source: str
    sheet: str | None = None
    problems: list[Problem] = field(default_factory=list)
    mapping: dict[str, str] = field(default_factory=dict)
    unmapped: list[str] = field(default_factory=list)
    headers: list[str] = field(default_factory=list)
    header_row: int = 1
    n_rows: int = 0
    rows: tuple[int, ...] = ()

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == ERROR]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == WARNING]

    @property
    def ok(self) -> bool:
        return not self.errors

    def add(self, severity: str, message: str, *, row: int | None = None,
            column: str | None = None, value: Any = None) -> None:
        self.problems.append(
            Problem(severity, self.source, self.sheet, row, column, message,
                    None if value is None else str(value))
        )

    def to_frame(self) -> pd.DataFrame:
        """Problems as a table (columns: severity, file, sheet, row, column, message, value)."""
        cols = ["severity", "file", "sheet", "row", "column", "message", "value"]
        frame = pd.DataFrame([p.as_dict() for p in self.problems], columns=cols)
        frame["row"] = frame["row"].astype("Int64")
        return frame

    def summary(self, limit: int = 20) -> str:
        head = f"{self.source}: {len(self.errors)} error(s), {len(self.warnings)} warning(s)"
        lines = [head] + [f"  {p}" for p in self.problems[:limit]]
        if len(self.problems) > limit:
            lines.append(f"  ... and {len(self.problems) - limit} more")
        return "\n".join(lines)

    def raise_if_errors(self) -> None:
        """Raise `InputError` naming the errors, if there are any."""
        if self.errors:
            errs = self.errors
            text = "\n".join(f"  {p}" for p in errs[:25])
            more = f"\n  ... and {len(errs) - 25} more" if len(errs) > 25 else ""
            raise InputError(
                f"{self.source}: {len(errs)} error(s) block the analysis:\n{text}{more}", errs
            )
