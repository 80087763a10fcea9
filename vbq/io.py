"""Reading cohort and DXA spreadsheets (CSV or XLSX) with row-precise validation.

Every problem is reported with the file, the sheet, the row number as the user sees it in the
spreadsheet (the header is usually row 1, so the first patient is row 2) and the column as the user
named it. Errors block analysis; warnings let it go on. Nothing is dropped silently: a skipped row
(a repeated header, an empty line) is itself reported.

Public entry points: `load_cohort`, `load_dxa` (path or file-like object -> table and report),
`coerce_cohort`, `coerce_dxa` (a DataFrame already in memory), `cross_check` (IDs in one file and
not the other), `template`.
"""

from __future__ import annotations

import csv
import io as _stdio
import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import IO, Any

import numpy as np
import pandas as pd

from .errors import InputError
from .schema import COHORT_COLUMNS, DXA_COLUMNS, Column

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
]

Source = str | os.PathLike | IO[bytes] | IO[str] | bytes

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


# --------------------------------------------------------------------------------------------
# headers


def normalise_header(text: Any) -> str:
    """Comparison key of a header: lower case, units in brackets dropped, only letters and digits.

    >>> normalise_header("L1-4 BMD (g/cm2)")
    'l1l4bmd'
    """
    s = str(text).strip().lower()
    s = re.sub(r"\(.*?\)|\[.*?\]", "", s)
    s = s.replace("µ", "u")
    s = re.sub(r"[^a-z0-9]", "", s)
    s = re.sub(r"l1l?4", "l1l4", s)  # "L1-4", "L1-L4", "L14"
    return s.replace("tscore", "t")


def _lookup(columns: Sequence[Column]) -> dict[str, str]:
    table: dict[str, str] = {}
    for c in columns:
        for key in (c.name, *c.synonyms):
            table.setdefault(normalise_header(key), c.name)
    return table


_COHORT_LOOKUP = _lookup(COHORT_COLUMNS)
_DXA_LOOKUP = _lookup(DXA_COLUMNS)


def suggest_mapping(headers: Iterable[Any], kind: str = "cohort") -> dict[str, str | None]:
    """Map each header to a canonical column name (None when unrecognised).

    Parameters
    ----------
    headers : iterable
        Headers as written in the file.
    kind : {"cohort", "dxa"}
    """
    lookup = _kind(kind)[1]
    return {str(h): lookup.get(normalise_header(h)) for h in headers}


def _kind(kind: str) -> tuple[Sequence[Column], dict[str, str]]:
    if kind == "cohort":
        return COHORT_COLUMNS, _COHORT_LOOKUP
    if kind == "dxa":
        return DXA_COLUMNS, _DXA_LOOKUP
    raise InputError(f"kind: expected 'cohort' or 'dxa', got {kind!r}")


# --------------------------------------------------------------------------------------------
# reading raw cells


def _name_of(source: Source, name: str | None) -> str:
    if name:
        return name
    if isinstance(source, str | os.PathLike):
        return Path(source).name
    return getattr(source, "name", None) and Path(str(source.name)).name or "uploaded file"


def _read_bytes(source: Source) -> bytes:
    if isinstance(source, bytes):
        return source
    if isinstance(source, str | os.PathLike):
        path = Path(source)
        if not path.exists():
            raise InputError(f"{path}: file not found")
        return path.read_bytes()
    if hasattr(source, "getvalue"):
        data = source.getvalue()
    else:
        pos = source.tell() if hasattr(source, "tell") else None
        data = source.read()
        if pos is not None and hasattr(source, "seek"):
            source.seek(pos)
    return data.encode("utf-8") if isinstance(data, str) else data


def _is_xlsx(data: bytes, name: str) -> bool:
    return data[:4] == b"PK\x03\x04" or name.lower().endswith((".xlsx", ".xlsm"))


def list_sheets(source: Source) -> list[str]:
    """Worksheet names of an XLSX file ([] for CSV)."""
    data = _read_bytes(source)
    if not _is_xlsx(data, _name_of(source, None)):
        return []
    import openpyxl

    wb = openpyxl.load_workbook(_stdio.BytesIO(data), read_only=True, data_only=True)
    try:
        return list(wb.sheetnames)
    finally:
        wb.close()


def _cell_text(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, float | np.floating):
        v = float(v)  # numpy 2 writes np.float64(11.9) for repr(numpy scalar)
        if np.isnan(v):
            return ""
        return repr(int(v)) if v.is_integer() and abs(v) < 1e15 else repr(v)
    if isinstance(v, bool | np.bool_):
        return "yes" if v else "no"
    return str(v).strip()


def _read_rows(data: bytes, name: str, sheet: str | int | None,
               report: ValidationReport) -> list[list[Any]]:
    """All rows of the file as lists of raw cell values, row i being spreadsheet row i+1."""
    if _is_xlsx(data, name):
        import openpyxl

        try:
            wb = openpyxl.load_workbook(_stdio.BytesIO(data), read_only=False, data_only=True)
        except Exception as exc:  # openpyxl raises many types for corrupt files
            report.add(ERROR, f"cannot read the workbook: {exc}")
            return []
        try:
            names = wb.sheetnames
            if sheet is None:
                ws = wb[names[0]]
                if len(names) > 1:
                    report.add(WARNING, f"workbook has {len(names)} sheets; reading the first, "
                               f"{names[0]!r} (choose another with sheet=)")
            elif isinstance(sheet, int):
                if not 0 <= sheet < len(names):
                    report.add(ERROR, f"sheet index {sheet} out of range (sheets: {names})")
                    return []
                ws = wb[names[sheet]]
            else:
                if sheet not in names:
                    report.add(ERROR, f"no sheet named {sheet!r} (sheets: {names})")
                    return []
                ws = wb[sheet]
            report.sheet = ws.title
            for rng in ws.merged_cells.ranges:
                report.add(WARNING, f"merged cells {rng.coord}: only the top-left cell holds a "
                           "value; the others read as empty", row=rng.min_row)
            return [list(r) for r in ws.iter_rows(min_row=1, values_only=True)]
        finally:
            wb.close()
    # CSV / TSV. Excel's "Unicode text" export is UTF-16 with a byte-order mark.
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        encodings: tuple[str, ...] = ("utf-16",)
    else:
        encodings = ("utf-8-sig", "cp1252", "latin-1")  # latin-1 decodes any bytes
    text = ""
    for enc in encodings:
        try:
            text = data.decode(enc)
        except UnicodeDecodeError:
            if enc == encodings[-1]:
                report.add(ERROR, f"file is not valid {enc} text")
                return []
            continue
        if enc not in ("utf-8-sig", "utf-16"):
            report.add(WARNING, f"file is not UTF-8; read as {enc}")
        break
    if "\x00" in text:
        report.add(ERROR, "file looks binary, not CSV or XLSX")
        return []
    delim = _sniff_delimiter(text[:50000])
    # newline="": the csv module handles \r, \n and \r\n itself, quoted line breaks included
    reader = csv.reader(_stdio.StringIO(text, newline=""), delimiter=delim)
    try:
        return [row for row in reader]
    except csv.Error as exc:
        report.add(ERROR, f"cannot read the file as CSV (line {reader.line_num}): {exc}")
        return []


def _sniff_delimiter(sample: str) -> str:
    """The delimiter whose count is the same, and non-zero, on most of the first lines.

    A consistent count beats a large one, so decimal commas in a semicolon-separated file do not
    pass for the delimiter.
    """
    lines = [ln for ln in sample.splitlines() if ln.strip()][:30]
    best, best_score = ",", (-1.0, 0)
    for d in ("\t", ";", ",", "|"):
        counts = [ln.count(d) for ln in lines]
        nonzero = [c for c in counts if c]
        if not nonzero:
            continue
        mode = max(set(nonzero), key=nonzero.count)
        score = (counts.count(mode) / len(lines), mode)
        if score > best_score:
            best, best_score = d, score
    return best


# --------------------------------------------------------------------------------------------
# parsing cells by kind


_TRUE = {"1", "yes", "y", "true", "t", "x", "ja", "si", "oui", "1.0", "+"}
_FALSE = {"0", "no", "n", "false", "f", "nein", "non", "0.0", "-"}
_MISSING = {"", "na", "n/a", "nan", "none", "null", ".", "missing", "?", "nd", "#n/a"}
_ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4, "v": 5}

_CATEGORY_ALIASES: dict[str, dict[str, str]] = {
    "sex": {"f": "F", "female": "F", "w": "F", "woman": "F", "women": "F", "femme": "F",
            "m": "M", "male": "M", "man": "M", "men": "M", "homme": "M"},
    "diagnosis": {
        "stenosis": "stenosis", "lumbarspinalstenosis": "stenosis", "lss": "stenosis",
        "degenerativelumbarspinalstenosis": "stenosis", "spinalstenosis": "stenosis",
        "discherniation": "disc_herniation", "lumbardischerniation": "disc_herniation",
        "ldh": "disc_herniation", "herniation": "disc_herniation", "herniateddisc": "disc_herniation",
        "spondylolisthesis": "spondylolisthesis", "degenerativespondylolisthesis": "spondylolisthesis",
        "slip": "spondylolisthesis", "slippage": "spondylolisthesis",
        "degenerativeslippage": "spondylolisthesis", "degenerativeslip": "spondylolisthesis",
        "scoliosis": "scoliosis", "degenerativescoliosis": "scoliosis",
    },
    "modic_type": {"0": "none", "none": "none", "no": "none", "nomodic": "none",
                   "1": "1", "i": "1", "type1": "1", "mc1": "1", "2": "2", "ii": "2", "type2": "2",
                   "mc2": "2", "3": "3", "iii": "3", "type3": "3", "mc3": "3", "mixed": "mixed",
                   "mixedtype": "mixed", "12": "mixed", "23": "mixed", "13": "mixed"},
}


def _category_key(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", text.lower())


def _parse_category(col: Column, raw: pd.Series) -> tuple[pd.Series, pd.Series]:
    """(parsed values, bad mask)."""
    aliases = dict(_CATEGORY_ALIASES.get(col.name, {}))
    for cat in col.categories:
        aliases.setdefault(_category_key(cat), cat)
    if col.name.startswith("osteophyte_dir") or col.name == "modic_grade":
        aliases.update({c.lower(): c for c in col.categories})
    if col.name == "csf_level":
        aliases.update({c.lower()[1:]: c for c in col.categories if c.startswith("L")})
    known = raw.isin(col.categories)
    if (known | raw.isna()).all():  # already canonical (a table from this module): no parsing
        return raw.where(known, None).astype(object), pd.Series(False, index=raw.index)
    text = raw.map(_cell_text)
    keys = text.map(_category_key)
    missing = text.str.lower().isin(_MISSING) & ~keys.isin(aliases.keys() - {""})
    parsed = keys.map(aliases)
    bad = parsed.isna() & ~missing
    return parsed.where(~missing, None).astype(object), bad


def _parse_float(raw: pd.Series, report: ValidationReport, col: Column, label: str,
                 rows: np.ndarray) -> tuple[pd.Series, pd.Series]:
    if pd.api.types.is_numeric_dtype(raw.dtype) and not pd.api.types.is_bool_dtype(raw.dtype):
        return raw.astype(float), pd.Series(False, index=raw.index)
    text = raw.map(_cell_text)
    missing = text.str.lower().isin(_MISSING)
    values = pd.to_numeric(text.where(~missing, None), errors="coerce")
    failed = values.isna() & ~missing
    if failed.any():
        comma = text[failed].str.fullmatch(r"[+-]?\d+,\d+")
        fixed_idx = comma[comma].index
        if len(fixed_idx):
            values.loc[fixed_idx] = pd.to_numeric(text[fixed_idx].str.replace(",", "."))
            first = fixed_idx[0]
            n_fixed = len(fixed_idx)
            report.add(WARNING, "decimal comma read as a decimal point"
                       + (f" (here and in {n_fixed - 1} more cell(s) of this column)"
                          if n_fixed > 1 else ""),
                       row=int(rows[first]), column=label, value=text[first])
            failed.loc[fixed_idx] = False
    return values.astype(float), failed


def _parse_bool(raw: pd.Series) -> tuple[pd.Series, pd.Series]:
    if pd.api.types.is_bool_dtype(raw.dtype):
        return raw.astype("boolean"), pd.Series(False, index=raw.index)
    text = raw.map(_cell_text).str.lower()
    missing = text.isin(_MISSING - {"-"})
    out = pd.Series(pd.NA, index=raw.index, dtype="boolean")
    out[text.isin(_TRUE)] = True
    out[text.isin(_FALSE)] = False
    bad = out.isna() & ~missing
    return out, bad


def _coerce_table(raw: pd.DataFrame, rows: np.ndarray, kind: str, report: ValidationReport,
                  mapping: dict[str, str | None] | None) -> pd.DataFrame:
    """Map headers, parse every declared column, validate; return the canonical table."""
    columns, lookup = _kind(kind)
    declared = {c.name: c for c in columns}
    user = {str(k): v for k, v in (mapping or {}).items()}

    source_for: dict[str, str] = {}
    report.headers = [str(h) for h in raw.columns]
    for header in raw.columns:
        h = str(header)
        if h in user:
            target = user[h] or None
            if target and target not in declared:
                report.add(ERROR, f"mapping names unknown column {target!r}", column=h)
                continue
        else:
            target = lookup.get(normalise_header(h))
        if not target:
            if h.strip() and not h.startswith("Unnamed"):
                report.unmapped.append(h)
            continue
        if target in source_for:
            report.add(ERROR, f"two columns map to {target!r}: {source_for[target]!r} and {h!r}; "
                       "rename or unmap one", column=h)
            continue
        source_for[target] = h
        report.mapping[h] = target
    if report.unmapped:
        shown = ", ".join(repr(u) for u in report.unmapped[:12])
        more = f" and {len(report.unmapped) - 12} more" if len(report.unmapped) > 12 else ""
        report.add(WARNING, f"column(s) not recognised and ignored: {shown}{more} "
                   "(map them by hand if they hold a known variable)")
    missing_req = [c for c in columns if c.required and c.name not in source_for]
    for c in missing_req:
        also = f" (also read as: {', '.join(c.synonyms[:6])})" if c.synonyms else ""
        report.add(ERROR, f"missing required column {c.name!r}{also}")

    out: dict[str, pd.Series] = {}
    for name, header in source_for.items():
        col = declared[name]
        label = header if header == name else f"{header} [{name}]"
        series = raw[header].reset_index(drop=True)
        _parse_column(col, series, rows, label, report, out)

    table = pd.DataFrame(out, index=pd.RangeIndex(len(raw)))
    # keep declared order, only the columns present
    table = table[[c.name for c in columns if c.name in table.columns]]
    report.rows = tuple(int(r) for r in rows)
    return table


def _report_cells(report: ValidationReport, bad: pd.Series, raw: pd.Series, rows: np.ndarray,
                  label: str, message: str, severity: str = ERROR, limit: int = 50) -> None:
    idx = np.flatnonzero(bad.to_numpy(dtype=bool))
    for i in idx[:limit]:
        report.add(severity, message, row=int(rows[i]), column=label, value=_cell_text(raw.iloc[i]))
    if len(idx) > limit:
        report.add(severity, f"{message}: {len(idx) - limit} more cell(s) in this column",
                   column=label)


def _parse_column(col: Column, series: pd.Series, rows: np.ndarray, label: str,
                  report: ValidationReport, out: dict[str, pd.Series]) -> None:
    if col.kind == "id":
        if series.map(type).eq(str).all():  # already text: strip only
            text = series.str.strip()
        else:
            text = series.map(_cell_text)
        empty = text.str.lower().isin(_MISSING)
        _report_cells(report, empty, series, rows, label, "patient_id is empty")
        dup = text.duplicated(keep=False) & ~empty
        if dup.any():
            for pid, grp in text[dup].groupby(text[dup]):
                where = ", ".join(str(int(rows[i])) for i in grp.index[:10])
                report.add(ERROR, f"duplicated patient_id {pid!r} (rows {where})",
                           row=int(rows[grp.index[0]]), column=label, value=pid)
        out[col.name] = text.astype(object).where(~empty, None)
        return
    if col.kind == "float":
        values, bad = _parse_float(series, report, col, label, rows)
        _report_cells(report, bad, series, rows, label, "not a number")
        _check_range(col, values, series, rows, label, report)
        out[col.name] = values
        return
    if col.kind == "int":
        if col.name.startswith("ucla"):
            txt = series.map(_cell_text).str.lower().str.replace("grade", "").str.strip()
            roman = txt.map(_ROMAN)
            series = series.where(roman.isna(), roman)
        values, bad = _parse_float(series, report, col, label, rows)
        _report_cells(report, bad, series, rows, label, "not a number")
        v = values.to_numpy(dtype=float, na_value=np.nan)
        frac = ~np.isnan(v) & (v != np.round(v))
        if frac.any():
            _report_cells(report, pd.Series(frac, index=values.index), series, rows, label,
                          "grade must be a whole number")
            values = values.where(~frac)
        _check_range(col, values, series, rows, label, report)
        out[col.name] = pd.array(np.round(values.to_numpy(dtype=float, na_value=np.nan)),
                                 dtype="Int64")
        return
    if col.kind == "bool":
        values, bad = _parse_bool(series)
        _report_cells(report, bad, series, rows, label, "expected yes/no (or 1/0, true/false)")
        out[col.name] = values
        return
    if col.kind == "category":
        values, bad = _parse_category(col, series)
        _report_cells(report, bad, series, rows, label,
                      f"expected one of {', '.join(col.categories)}")
        out[col.name] = values
        return
    raise InputError(f"unknown column kind {col.kind!r}")  # pragma: no cover


def _check_range(col: Column, values: pd.Series, raw: pd.Series, rows: np.ndarray, label: str,
                 report: ValidationReport) -> None:
    if col.low is None and col.high is None:
        return
    lo = -np.inf if col.low is None else col.low
    hi = np.inf if col.high is None else col.high
    v = values.to_numpy(dtype=float, na_value=np.nan)
    with np.errstate(invalid="ignore"):
        if not ((v < lo) | (v > hi)).any():  # the common case, in numpy: no pandas overhead
            _soft_checks(col, values, raw, rows, label, report)
            return
    out = values.notna() & ~values.between(lo, hi)
    if not out.any():
        _soft_checks(col, values, raw, rows, label, report)
        return
    erroneous = out.copy()
    if col.name.startswith("bmd_"):
        mg = out & values.between(200, 2500)
        _report_cells(report, mg, raw, rows, label,
                      "BMD looks like mg/cm2; enter g/cm2 (divide by 1000)")
        out = out & ~mg
    if col.name.startswith("si") or col.name == "si_csf":
        neg = out & (values < 0)
        _report_cells(report, neg, raw, rows, label, "signal intensity cannot be negative")
        out = out & ~neg
    msg = f"outside the plausible range {col.low:g} to {col.high:g}"
    if col.unit:
        msg += f" {col.unit}"
    _report_cells(report, out, raw, rows, label, msg, ERROR if col.hard else WARNING)
    if not col.hard:
        return
    values[erroneous] = np.nan  # an erroneous value is never analysed (the error blocks anyway)
    _soft_checks(col, values, raw, rows, label, report)


def _soft_checks(col: Column, values: pd.Series, raw: pd.Series, rows: np.ndarray, label: str,
                 report: ValidationReport) -> None:
    if col.name == "age":  # only column with a soft check; others return at once
        young = values.notna() & (values < 50)
        _report_cells(report, young, raw, rows, label,
                      "younger than 50: the study's inclusion criterion was age >= 50", WARNING, 10)


# --------------------------------------------------------------------------------------------
# header detection and public loaders


def _find_header(cells: list[list[Any]], lookup: dict[str, str]) -> int | None:
    best, best_i = 0, None
    for i, row in enumerate(cells[:15]):
        hits = len({lookup[k] for k in (normalise_header(c) for c in row if _cell_text(c))
                    if k in lookup})
        if hits > best:
            best, best_i = hits, i
    return best_i if best >= 1 else None


def read_table(source: Source, kind: str, *, sheet: str | int | None = None,
               mapping: dict[str, str | None] | None = None,
               name: str | None = None) -> tuple[pd.DataFrame, ValidationReport]:
    """Read and validate a cohort or DXA file without raising on data errors.

    Same as `load_cohort` / `load_dxa` but returns whatever could be parsed together with the report
    (check ``report.ok``). The app uses it to show every problem at once.
    """
    columns, lookup = _kind(kind)
    fname = _name_of(source, name)
    report = ValidationReport(source=fname)
    data = _read_bytes(source)
    empty = pd.DataFrame(columns=[c.name for c in columns])
    if not data.strip():
        report.add(ERROR, "file is empty")
        return empty, report
    cells = _read_rows(data, fname, sheet, report)
    if report.errors:
        return empty, report
    if not any(any(_cell_text(c) for c in row) for row in cells):
        report.add(ERROR, "file has no cells with content")
        return empty, report
    hi = _find_header(cells, lookup)
    if hi is None:
        report.add(ERROR, "no header row with a recognised column name was found in the first 15 "
                   f"rows (expected e.g. {', '.join(c.name for c in columns if c.required)})")
        return empty, report
    for i in range(hi):
        if any(_cell_text(c) for c in cells[i]):
            report.add(WARNING, "row above the header ignored (title or merged header row?)",
                       row=i + 1, value=" | ".join(_cell_text(c) for c in cells[i] if _cell_text(c)))
    header = [_cell_text(c) for c in cells[hi]]
    width = len(header)
    seen: dict[str, int] = {}
    for j, h in enumerate(header):
        if not h:
            header[j] = f"Unnamed: {j + 1}"
            continue
        if h in seen:
            report.add(ERROR, f"header {h!r} appears twice (columns {seen[h] + 1} and {j + 1})",
                       row=hi + 1, column=h)
            header[j] = f"{h} ({j + 1})"
        seen[h] = j
    header_keys = [normalise_header(h) for h in header]
    body, rows = [], []
    for i in range(hi + 1, len(cells)):
        row = list(cells[i])[:width] + [None] * max(0, width - len(cells[i]))
        texts = [_cell_text(c) for c in row]
        if not any(texts):
            continue  # trailing/blank lines: spreadsheets have them; counted below
        same = sum(1 for t, k in zip(texts, header_keys, strict=True) if t and normalise_header(t) == k)
        if same >= max(2, (len([t for t in texts if t]) + 1) // 2):
            report.add(WARNING, "repeated header row skipped", row=i + 1)
            continue
        if len(cells[i]) > width and any(_cell_text(c) for c in cells[i][width:]):
            report.add(WARNING, "cells beyond the last header column ignored", row=i + 1)
        body.append(row)
        rows.append(i + 1)
    blank_inside = (len(cells) - hi - 1) - len(body) - sum(
        1 for p in report.problems if p.message == "repeated header row skipped")
    trailing = 0
    for row in reversed(cells[hi + 1:]):
        if any(_cell_text(c) for c in row):
            break
        trailing += 1
    if blank_inside - trailing > 0:
        report.add(WARNING, f"{blank_inside - trailing} empty row(s) between data rows skipped")
    if not body:
        report.add(ERROR, "file has a header but no data rows", row=hi + 1)
        return empty, report
    raw = pd.DataFrame(body, columns=header, dtype=object)
    report.header_row = hi + 1
    report.n_rows = len(raw)
    table = _coerce_table(raw, np.asarray(rows), kind, report, mapping)
    return table, report


def load_cohort(source: Source, *, sheet: str | int | None = None,
                mapping: dict[str, str | None] | None = None,
                name: str | None = None) -> tuple[pd.DataFrame, ValidationReport]:
    """Read a cohort spreadsheet (CSV or XLSX) into the canonical cohort table.

    Parameters
    ----------
    source : path, file-like object or bytes
        The file. CSV may use ``,``, ``;`` or tab; XLSX may have several sheets.
    sheet : str or int, optional, keyword-only
        Worksheet to read (XLSX); default the first.
    mapping : dict, optional, keyword-only
        File header -> canonical column name (or None to ignore it), overriding the automatic
        synonym mapping.
    name : str, optional, keyword-only
        Name to report problems under (default the file name).

    Returns
    -------
    table : DataFrame
        Canonical columns (see ``docs/data_dictionary.md``).
    report : ValidationReport
        Warnings (errors raise); ``report.rows`` holds each table row's spreadsheet row number.

    Raises
    ------
    InputError
        When the file has errors; the message lists them with file, row and column, and
        ``exc.problems`` holds them as `Problem` records.

    Examples
    --------
    >>> from vbq.io import load_cohort
    >>> table, report = load_cohort("data/demo_cohort.csv")
    >>> len(table), report.ok
    (235, True)
    """
    table, report = read_table(source, "cohort", sheet=sheet, mapping=mapping, name=name)
    report.raise_if_errors()
    return table, report


def load_dxa(source: Source, *, sheet: str | int | None = None,
             mapping: dict[str, str | None] | None = None,
             name: str | None = None) -> tuple[pd.DataFrame, ValidationReport]:
    """Read a DXA spreadsheet (CSV or XLSX) into the canonical DXA table.

    Same parameters, returns and errors as `load_cohort`. BMD must be in g/cm2 (a value that looks
    like mg/cm2 is reported); T-scores outside -7..+7 are errors.

    Examples
    --------
    >>> from vbq.io import load_dxa
    >>> table, report = load_dxa("data/demo_dxa.csv")
    >>> sorted(table.columns)[:3]
    ['bmd_femoral_neck', 'bmd_l1_l4', 'bmd_total_hip']
    """
    table, report = read_table(source, "dxa", sheet=sheet, mapping=mapping, name=name)
    report.raise_if_errors()
    return table, report


def _coerce_frame(frame: pd.DataFrame, kind: str, source: str,
                  rows: Sequence[int] | None) -> tuple[pd.DataFrame, ValidationReport]:
    if not isinstance(frame, pd.DataFrame):
        raise InputError(f"{source}: expected a pandas DataFrame, got {type(frame).__name__}")
    report = ValidationReport(source=source)
    if frame.empty:
        report.add(ERROR, "table is empty")
        columns, _ = _kind(kind)
        return pd.DataFrame(columns=[c.name for c in columns]), report
    if rows is None:
        rows = range(2, len(frame) + 2)  # as if written to a sheet with a header in row 1
    elif len(rows) != len(frame):
        raise InputError(f"rows: expected {len(frame)} row numbers (one per row of the table), "
                         f"got {len(rows)}")
    raw = frame.reset_index(drop=True)
    raw.columns = [str(c) for c in raw.columns]
    report.n_rows = len(raw)
    table = _coerce_table(raw, np.asarray(list(rows)), kind, report, None)
    return table, report


_MASKED = (pd.arrays.IntegerArray, pd.arrays.BooleanArray, pd.arrays.FloatingArray)


def _fingerprint(hasher: Any, frame: pd.DataFrame) -> None:
    """Feed every cell, column name and dtype of `frame` to a hashlib `hasher`, exactly.

    Numbers go in as their bytes (with the missing-value mask), anything else as the repr of
    its values, which tells apart 1 and "1", None and "None". Public pandas API only. About
    4 ms for the demo cohort, where `pandas.util.hash_pandas_object` took 12 ms and, after a
    cast to object, 40 ms (and hashes with collisions, where this feeds SHA-256).
    """
    hasher.update(repr((len(frame), [str(c) for c in frame.columns],
                        [str(t) for t in frame.dtypes])).encode())
    for _, col in frame.items():
        arr = col.array
        if isinstance(arr, _MASKED):  # Int64, boolean, Float64: the values and the NA mask
            # public API only: the values with NA as 0, then the mask itself
            hasher.update(arr.to_numpy(dtype=arr.dtype.numpy_dtype, na_value=0).tobytes())
            hasher.update(np.asarray(arr.isna()).tobytes())
        elif isinstance(col.dtype, np.dtype) and col.dtype.kind in "biufmM":
            hasher.update(np.ascontiguousarray(col.to_numpy()).tobytes())
        else:
            hasher.update(repr(col.tolist()).encode())


def coerce_cohort(frame: pd.DataFrame, *, source: str = "cohort",
                  rows: Sequence[int] | None = None) -> tuple[pd.DataFrame, ValidationReport]:
    """Validate a cohort DataFrame already in memory; returns (canonical table, report), never raises
    on data errors (check ``report.ok``).

    ``source`` names the table in problems; ``rows`` gives the spreadsheet row number of each row
    (default 2, 3, ... as if the table were written to a sheet with its header in row 1; pass
    ``report.rows`` of `read_table` to re-validate a table read from a file).
    """
    return _coerce_frame(frame, "cohort", source, rows)


def coerce_dxa(frame: pd.DataFrame, *, source: str = "DXA",
               rows: Sequence[int] | None = None) -> tuple[pd.DataFrame, ValidationReport]:
    """Validate a DXA DataFrame already in memory; see `coerce_cohort`."""
    return _coerce_frame(frame, "dxa", source, rows)


def cross_check(cohort: pd.DataFrame, dxa: pd.DataFrame, *, cohort_name: str = "cohort",
                dxa_name: str = "DXA", cohort_rows: Sequence[int] | None = None,
                dxa_rows: Sequence[int] | None = None) -> list[Problem]:
    """Warnings for patient IDs present in one table and not the other, with their rows.

    ``cohort_rows`` / ``dxa_rows``: spreadsheet row numbers of the tables' rows (``report.rows``
    of `read_table`); default 2, 3, ...
    """
    problems = []
    for a, b, an, bn, rows in ((cohort, dxa, cohort_name, dxa_name, cohort_rows),
                               (dxa, cohort, dxa_name, cohort_name, dxa_rows)):
        if "patient_id" not in a.columns or "patient_id" not in b.columns:
            continue
        if rows is None or len(rows) != len(a):
            rows = range(2, len(a) + 2)
        rows = list(rows)
        other = set(b["patient_id"].dropna())
        for i, pid in enumerate(a["patient_id"].tolist()):
            if pid is not None and pid not in other:
                problems.append(Problem(WARNING, an, None, int(rows[i]), "patient_id",
                                        f"no matching row in the {bn} file; this patient is "
                                        "excluded from the analysis", str(pid)))
    return problems


def template(kind: str) -> pd.DataFrame:
    """An empty table with every canonical column of `kind` ("cohort" or "dxa"), for a template."""
    columns, _ = _kind(kind)
    return pd.DataFrame(columns=[c.name for c in columns])


def table_digest(*frames: pd.DataFrame) -> str:
    """SHA-256 of the tables' full contents (values, columns, dtypes), for cache keys.

    Streamlit hashes large DataFrames by sampling rows, which can serve a stale result after an
    edit; this digest reads every cell.
    """
    import hashlib

    h = hashlib.sha256()
    for frame in frames:
        _fingerprint(h, frame)
    return h.hexdigest()


def write_templates(folder: str | os.PathLike) -> list[Path]:
    """Write empty cohort and DXA templates (CSV and one XLSX with both sheets) into `folder`."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for kind in ("cohort", "dxa"):
        path = folder / f"{kind}_template.csv"
        template(kind).to_csv(path, index=False, lineterminator="\n")
        paths.append(path)
    xlsx = folder / "vbq_template.xlsx"
    with pd.ExcelWriter(xlsx, engine="openpyxl") as writer:
        template("cohort").to_excel(writer, sheet_name="cohort", index=False)
        template("dxa").to_excel(writer, sheet_name="dxa", index=False)
    paths.append(xlsx)
    return paths
