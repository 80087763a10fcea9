"""Reading cohort, DXA and measurement spreadsheets (CSV or XLSX) with row-precise validation.

Every problem is reported with the file, the sheet, the row number as the user sees it in the
spreadsheet (the header is usually row 1, so the first patient is row 2) and the column as the user
named it. Errors block analysis; warnings let it go on. Nothing is dropped silently: a skipped row
(a repeated header, an empty line) is itself reported.

Public entry points: `load_cohort`, `load_dxa` (path or file-like object -> table and report),
`coerce_cohort`, `coerce_dxa` (a DataFrame already in memory), `cross_check` (IDs in one file and
not the other), `template`; `read_table`, `coerce_table` and `parse_column` for any kind of table
declared in `vbq.schema` (``"cohort"``, ``"dxa"``, ``"measurements"``: `vbq.measurements` reads
its CSV through them).

The reading rules come from `vbq.schema` only. Inside, one private module per step:

* ``_source``: the bytes of a path, file-like object or bytes; the file's type; its text (UTF-8,
  UTF-16 with a byte-order mark, cp1252); the size limits checked before parsing.
* ``_xlsx``: a workbook's zip directory against the limits, its cells streamed by openpyxl, merged
  cells and formulas without a saved result read from the sheet XML.
* ``_csv``: CSV text into a grid (pandas' C parser, or the csv module when it must).
* ``_headers``: header keys, the schema's lookup, finding the header row.
* ``_cells``: parsing one column by its declared kind, each problem by row and column.
* ``_rows``: the data rows under the header (title, repeated-header and empty rows reported).
* ``_table``: the rows into the canonical table; `read_table` and the public loaders.
* ``_report``: `Problem` and `ValidationReport`.
* ``_digest``: `table_digest`.
"""

from __future__ import annotations

from ..errors import InputError
from ._digest import table_digest
from ._headers import normalise_header, suggest_mapping
from ._report import ERROR as ERROR
from ._report import WARNING as WARNING
from ._report import Problem, ValidationReport
from ._source import MAX_COLUMNS as MAX_COLUMNS
from ._source import MAX_ROWS as MAX_ROWS
from ._source import MAX_XLSX_RATIO as MAX_XLSX_RATIO
from ._source import MAX_XLSX_UNCOMPRESSED as MAX_XLSX_UNCOMPRESSED
from ._source import Source as Source
from ._table import (
    coerce_cohort,
    coerce_dxa,
    coerce_table,
    cross_check,
    load_cohort,
    load_dxa,
    parse_column,
    read_table,
    template,
    write_templates,
)
from ._xlsx import list_sheets

__all__ = [
    "InputError",
    "Problem",
    "ValidationReport",
    "load_cohort",
    "load_dxa",
    "coerce_cohort",
    "coerce_dxa",
    "cross_check",
    "read_table",
    "list_sheets",
    "suggest_mapping",
    "template",
    "normalise_header",
    "table_digest",
    "write_templates",
    "coerce_table",
    "parse_column",
]
