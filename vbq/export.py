"""Every file a table leaves the product in: CSV, XLSX and the study's Word document.

All CSV and XLSX exports go through this module, which makes them safe to open in a spreadsheet:
a text cell that starts (after any spaces) with ``=``, ``+``, ``-``, ``@`` (or their full-width
forms), a tab, a line break or a NUL (what Excel, LibreOffice and Google Sheets read as the start
of a formula, or what hides it) is prefixed with an apostrophe (`neutralise_formula`), in both the
"as shown" and the "data" forms, headers included. Numbers are
never touched: a negative number stays a number (an XLSX numeric cell; in a CSV its digits, which
no spreadsheet reads as a formula).

Two forms of a `vbq.present.FormattedTable`:

* ``"shown"``: the table as printed (strings, human headers), with its title above and its
  footnotes below; in XLSX the rows under a variable are indented;
* ``"data"``: the tidy table at full precision with its documented snake_case columns, nothing
  above or below it, numbers as numbers.

The Word document (`study_docx`, python-docx) holds Tables 1-5 in journal style: three-line tables
(rules above and below the header and below the last row), titles above, footnotes below.
"""

from __future__ import annotations

import csv
import datetime as _dt
import io
import math
import re
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
from docx import Document
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter

from ._safe import FORMULA_TRIGGERS, neutralise_formula, neutralise_frame, safe_csv
from .describe import in_force, subgroup_text
from .errors import InputError
from .present import FormattedTable, label, study_tables, value_label
from .settings import DXA_SITES, SETTING_LABELS, Settings

__all__ = [
    "FORMULA_TRIGGERS",
    "FORMS",
    "neutralise_formula",
    "neutralise_frame",
    "safe_csv",
    "frame_csv",
    "frame_xlsx",
    "table_csv",
    "table_xlsx",
    "tables_xlsx",
    "tables_docx",
    "study_docx",
    "XLSX_MIME",
    "DOCX_MIME",
    "SYNTHETIC_NOTE",
]

FORMS = ("shown", "data")
# what every export made from the demo cohort says of it (the HTML report's banner too), so its
# tables are never taken for a study's
SYNTHETIC_NOTE = "Synthetic demo data: simulated patients, not real people."
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

_MAX_WIDTH = 60
_SHEET_BAD = re.compile(r"[\[\]:*?/\\]")


# ---------------------------------------------------------------------------------------------
# The one neutraliser: FORMULA_TRIGGERS, neutralise_formula, neutralise_frame and safe_csv live in
# vbq._safe (no pandas-free promise, but no vbq.present either), so that vbq.measurements writes
# its CSV without importing this module and the presentation layer; they are this module's
# public names as before.


def _text_headers(frame: pd.DataFrame) -> pd.DataFrame:
    """`frame` with its column headers as text (a CSV header is text; `neutralise_frame` then
    sees every header)."""
    return frame.set_axis([str(c) for c in frame.columns], axis=1)


def _form(table: FormattedTable, form: str) -> pd.DataFrame:
    if form not in FORMS:
        raise InputError(f"form: expected one of {FORMS}, got {form!r}")
    return table.display(indent="  ") if form == "shown" else table.data


# ---------------------------------------------------------------------------------------------
# CSV


_EOL = "\r\n"
"""RFC 4180 line ends; with them the csv module also quotes a field holding a lone carriage
return, which would otherwise split the row in a spreadsheet."""


def frame_csv(frame: pd.DataFrame) -> bytes:
    """`frame` as CSV (RFC 4180: CRLF line ends, fields with a delimiter, quote or line break
    quoted; UTF-8 with a byte-order mark, so Excel reads "±" and "²"), no index, every text cell
    neutralised."""
    return neutralise_frame(_text_headers(frame)).to_csv(index=False, lineterminator=_EOL).encode("utf-8-sig")


def table_csv(table: FormattedTable, form: str = "shown") -> bytes:
    """A `FormattedTable` as CSV. ``"shown"``: the title on the first line, the table, then the
    footnotes one per line; ``"data"``: the tidy table alone, full precision."""
    if form == "data":
        return frame_csv(table.data)
    body = neutralise_frame(_text_headers(_form(table, "shown"))).to_csv(index=False, lineterminator=_EOL)
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator=_EOL)
    w.writerow([neutralise_formula(table.title)])
    text = buf.getvalue() + body
    if table.footnotes:
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator=_EOL)
        for note in table.footnotes:
            w.writerow([neutralise_formula(note)])
        text += buf.getvalue()
    return text.encode("utf-8-sig")


# ---------------------------------------------------------------------------------------------
# XLSX


def _cell_value(v: Any) -> Any:
    """A value openpyxl writes with the right type: numbers as numbers, text neutralised."""
    if v is None or v is pd.NA or v is pd.NaT:
        return None
    if isinstance(v, bool | np.bool_):
        return bool(v)
    if isinstance(v, int | np.integer):
        return int(v)
    if isinstance(v, float | np.floating):
        v = float(v)
        if math.isnan(v):
            return None
        if math.isinf(v):
            return "\u221e" if v > 0 else "\u2212\u221e"
        return v
    if isinstance(v, pd.Timestamp):
        return v.to_pydatetime()
    if isinstance(v, _dt.datetime | _dt.date):
        return v
    return neutralise_formula(str(v))


def _sheet_name(name: str, used: set[str]) -> str:
    base = _SHEET_BAD.sub("_", str(name)).strip("'")[:31] or "Sheet"
    out, k = base, 2
    while out.lower() in used:
        suffix = f" ({k})"
        out = base[:31 - len(suffix)] + suffix
        k += 1
    used.add(out.lower())
    return out


def _column_values(col: pd.Series) -> list:
    """One column as the values openpyxl writes (`_cell_value`), converted column-wise: the
    per-cell path costs about 30 s for a 10,000 x 100 table, this one a few."""
    dtype = col.dtype
    if pd.api.types.is_float_dtype(dtype) and not isinstance(dtype, pd.api.extensions.ExtensionDtype):
        arr = col.to_numpy(dtype=float)
        out = arr.tolist()
        for i in np.flatnonzero(~np.isfinite(arr)).tolist():
            out[i] = _cell_value(arr[i])
        return out
    if pd.api.types.is_integer_dtype(dtype) and not isinstance(dtype, pd.api.extensions.ExtensionDtype):
        return col.to_numpy().tolist()
    if pd.api.types.is_bool_dtype(dtype) and not isinstance(dtype, pd.api.extensions.ExtensionDtype):
        return col.to_numpy().tolist()
    return [_cell_value(v) for v in col.to_numpy(dtype=object).tolist()]


def _width(values: Sequence[Any], header: Any, sample: int = 2000) -> int:
    longest = max((len(str(v)) for v in values[:sample] if v is not None), default=0)
    return min(_MAX_WIDTH, max(8, max(longest, len(str(header))) + 2))


def _styled(ws, value: Any, **style):

    cell = WriteOnlyCell(ws, value=_cell_value(value))
    for k, v in style.items():
        setattr(cell, k, v)
    return cell


def _set_widths(ws, widths: Sequence[int]) -> None:

    for j, w in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(j)].width = w


def _data_sheet(wb, frame: pd.DataFrame, name: str) -> None:
    """A tidy table: bold header, frozen, typed cells, columns sized to their content."""

    ws = wb.create_sheet(name)
    columns = [_column_values(frame.iloc[:, j]) for j in range(frame.shape[1])]
    _set_widths(ws, [_width(v, h) for v, h in zip(columns, frame.columns, strict=True)])
    ws.freeze_panes = "A2"
    bold = Font(bold=True)
    ws.append([_styled(ws, str(h), font=bold) for h in frame.columns])
    for row in zip(*columns, strict=True):
        ws.append(row)


def _shown_sheet(wb, table: FormattedTable, name: str) -> None:
    """A table as printed: title, blank row, header over a rule, rows (indented where they sit
    under a variable), a rule under the last row, blank row, footnotes."""

    ws = wb.create_sheet(name)
    shown = table.shown
    columns = [[_cell_value(v) for v in shown.iloc[:, j].tolist()] for j in range(shown.shape[1])]
    widths = [_width(v, h) for v, h in zip(columns, shown.columns, strict=True)]
    levels = table.levels()
    if widths and any(levels):
        widths[0] = min(_MAX_WIDTH, widths[0] + 2 * max(levels))
    _set_widths(ws, widths)
    bold, rule = Font(bold=True), Border(bottom=Side(style="thin"))
    ws.append([_styled(ws, table.title, font=bold)])
    ws.append([])
    ws.append([_styled(ws, str(h), font=bold, border=rule) for h in shown.columns])
    last = len(shown) - 1
    for i, row in enumerate(zip(*columns, strict=True)):
        cells = []
        for j, v in enumerate(row):
            style: dict = {}
            if j == 0 and levels[i]:
                style["alignment"] = Alignment(indent=2 * levels[i])
            if i == last:
                style["border"] = rule
            cells.append(_styled(ws, v, **style) if style else v)
        ws.append(cells)
    if table.footnotes:
        ws.append([])
        for note in table.footnotes:
            ws.append([_cell_value(note)])


def _workbook_bytes(wb) -> bytes:
    if not wb.sheetnames:
        wb.create_sheet("empty")
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


_SHEET_TITLES = {
    "prevalence": "Prevalence",
    "prevalence_vs_paper": "Prevalence vs the paper",
    "breakdown_diagnosis": "VBQ+ by diagnosis",
    "breakdown_age_60_dxa_negative": "VBQ+ DXA-negative by age",
    "breakdown_age_band": "VBQ+ DXA-negative by age",
    "icc": "Reliability ICC",
    "kappa": "Reliability kappa",
    "exclusion_log": "Exclusion log",
    "auc_comparison": "AUCs compared",
    "predictive_values": "Predictive values",
    "bootstrap_cutoff": "Bootstrap cutoff",
    "bland_altman": "Bland-Altman",
    "risk_model": "Risk model",
    "risk_performance": "Risk model performance",
    "tripod_ai": "TRIPOD+AI checklist",
    "reclassification": "Reclassification",
    "grey_zone": "Grey zone",
    "cohort_summary": "Cohort summary",
    "problems": "Problems",
    "degeneration_by_level": "Degeneration by level",
    "published_thresholds": "Published thresholds",
    "meta_analysis": "Meta-analysis",
    "decision_curve": "Net benefit",
    "net_benefit_difference": "Net benefit difference",
    "sample_size": "Sample sizes",
}
"""Sheet titles of the tables that are not numbered in the paper (at most 24 characters, so
" data" fits within Excel's 31)."""

_TARGET_WORDS = {"osteoporosis": "osteoporosis", "osteopenia_or_worse": "osteopenia or worse"}
_TABLE_NUMBER = re.compile(r"^(Table \d+)\.")


def _sheet_title(table: FormattedTable) -> str:
    """The sheet name a reader looks for: "Table 2" for a numbered table (from its title),
    "AUCs, osteoporosis", "Prevalence", "Exclusion log" ... for the others; at most 24
    characters, so that the data sheet's " data" stays within Excel's 31."""
    numbered = _TABLE_NUMBER.match(table.title)
    if numbered:
        return numbered.group(1)
    key = table.key
    if key.startswith("auc_comparison_") and key[15:] in _TARGET_WORDS:
        return f"AUCs, {_TARGET_WORDS[key[15:]]}"
    if key.startswith("roc_by_field_strength_") and key[22:] in _TARGET_WORDS:
        return f"Field, {_TARGET_WORDS[key[22:]]}"
    if key in _SHEET_TITLES:
        return _SHEET_TITLES[key]
    words = key.replace("_", " ").strip()
    return (words[:1].upper() + words[1:])[:24] or "Table"


_SETTING_COLUMNS = {"sexes": "sex", "diagnoses": "diagnosis"}
"""Settings whose values are category codes of a column, shown by the column's value labels."""


def _setting_value(key: str, value: Any) -> Any:
    """A setting's value as a reader writes it; a number stays a number."""

    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, int | float):
        return value
    if key == "dxa_site" and value in DXA_SITES:
        return label(DXA_SITES[value])
    if isinstance(value, list | tuple):
        if not value:
            return "All" if key in _SETTING_COLUMNS else "None"
        column = _SETTING_COLUMNS.get(key)
        return ", ".join(value_label(column, v) if column else str(v) for v in value)
    if value is None:
        if key.startswith("vbq_"):
            return "Derived from the control group (Youden)"
        return "No limit" if key.startswith("age_") else "None"
    return str(value)


def _settings_rows(settings_json: str) -> list[tuple[str, Any]]:
    """(label, value) of every setting in a settings file (`vbq.Settings.to_json`), labelled as
    the app's sidebar and links name them (`vbq.settings.SETTING_LABELS`), in that order."""

    flat = Settings.from_json(settings_json).to_dict()
    rows = [(label, _setting_value(key, flat[key])) for key, (label, _) in SETTING_LABELS.items()
            if key in flat]
    rows += [(key, _setting_value(key, v)) for key, v in flat.items()
             if key not in SETTING_LABELS and key != "version"]
    return rows


def _settings_sheet(wb, settings_json: str, name: str) -> None:
    """The settings as a two-column table of labelled values, and the settings file (JSON)
    beside it, to load back into the app or the command line."""

    ws = wb.create_sheet(name)
    rows = _settings_rows(settings_json)
    _set_widths(ws, [max(len(r[0]) for r in rows) + 2, 42, 3, _MAX_WIDTH])
    bold = Font(bold=True)
    ws.append([_styled(ws, "Setting", font=bold), _styled(ws, "Value", font=bold), None,
               _styled(ws, "Settings file (JSON; load it in the app's sidebar)", font=bold)])
    for i, (name, value) in enumerate(rows):
        json_cell = (_styled(ws, settings_json, alignment=Alignment(wrap_text=True,
                                                                     vertical="top"))
                     if i == 0 else None)
        ws.append([_cell_value(name), _cell_value(value), None, json_cell])


def tables_xlsx(tables: Sequence[FormattedTable] | FormattedTable,
                forms: Sequence[str] = FORMS, *, settings_json: str | None = None) -> bytes:
    """One workbook, one sheet per table and form, named as a reader looks for them
    (`_sheet_title`: "Table 2" as shown, "Table 2 data"), and with `settings_json` a last sheet
    "Settings": every setting by its label with its value, and the JSON beside them. Cells are
    typed (numbers as numbers), columns sized to their content, every text cell neutralised."""

    if isinstance(tables, FormattedTable):
        tables = [tables]
    for f in forms:
        if f not in FORMS:
            raise InputError(f"forms: expected some of {FORMS}, got {f!r}")
    wb = Workbook(write_only=True)
    used: set[str] = set()
    for t in tables:
        title = _sheet_title(t)
        for f in forms:
            if f == "shown":
                _shown_sheet(wb, t, _sheet_name(title, used))
            else:
                _data_sheet(wb, t.data, _sheet_name(f"{title} data", used))
    if settings_json is not None:
        _settings_sheet(wb, settings_json, _sheet_name("Settings", used))
    return _workbook_bytes(wb)


def table_xlsx(table: FormattedTable, form: str = "shown") -> bytes:
    """A `FormattedTable` as a one-sheet workbook in `form` ("shown" or "data")."""
    return tables_xlsx([table], forms=(form,))


def frame_xlsx(frames: pd.DataFrame | Mapping[str, pd.DataFrame], sheet: str = "data") -> bytes:
    """DataFrames (one, or ``{sheet name: frame}``) as a workbook: typed cells, sized columns,
    text neutralised (openpyxl's write-only mode: memory stays flat on long tables; about 15 µs
    per cell, 20 s for a 10,000 x 104 table, so the app offers CSV alone above 250,000 cells)."""

    if isinstance(frames, pd.DataFrame):
        frames = {sheet: frames}
    wb = Workbook(write_only=True)
    used: set[str] = set()
    for name, frame in frames.items():
        _data_sheet(wb, frame, _sheet_name(name, used))
    return _workbook_bytes(wb)


# ---------------------------------------------------------------------------------------------
# Word


def _border(tag: str, val: str = "single", size: int = 8):

    el = OxmlElement(f"w:{tag}")
    el.set(qn("w:val"), val)
    el.set(qn("w:sz"), str(size))
    el.set(qn("w:space"), "0")
    el.set(qn("w:color"), "000000")
    return el


def _three_line(table) -> None:
    """Rules above and below the header row and below the last row; no other lines."""

    tbl_pr = table._tbl.tblPr
    borders = OxmlElement("w:tblBorders")
    for tag, val in (("top", "single"), ("left", "nil"), ("bottom", "single"),
                     ("right", "nil"), ("insideH", "nil"), ("insideV", "nil")):
        borders.append(_border(tag, val, 8 if val == "single" else 0))
    tbl_pr.append(borders)
    for cell in table.rows[0].cells:
        tc_pr = cell._tc.get_or_add_tcPr()
        tc_borders = OxmlElement("w:tcBorders")
        tc_borders.append(_border("bottom", "single", 4))
        tc_pr.append(tc_borders)
    # the header row repeats on every page
    tr_pr = table.rows[0]._tr.get_or_add_trPr()
    tr_pr.append(OxmlElement("w:tblHeader"))
    tr_pr.find(qn("w:tblHeader")).set(qn("w:val"), "true")


def _run(paragraph, text: str, *, bold: bool = False, size: float | None = None) -> None:
    """A run of `text`; font and size come from the Normal style unless `size` is given
    (setting them on every run costs most of the document's build time)."""

    run = paragraph.add_run(text)
    if bold:
        run.bold = True
    if size is not None:
        run.font.size = Pt(size)


_CM_PER_CHAR = 0.2
"""Width of one character of 10 pt Times New Roman or Arial (digits, most letters), cm."""
_CELL_PADDING_CM = 0.45


def _column_widths(shown: pd.DataFrame, width_cm: float) -> list[float]:
    """Column widths in cm filling `width_cm`: each column as wide as its longest cell (or
    header word) needs, labels capped at 45 characters; spare width shared out in proportion,
    and when the page is too narrow only the wide (text) columns give way, so that numbers and
    p-values never wrap (equal widths broke "Alcohol consumption" over two lines beside a
    half-empty p column, and "< 0.001" in two)."""
    need = []
    for j, c in enumerate(shown.columns):
        cells = [len(str(v)) for v in shown.iloc[:, j].tolist()]
        header = max((len(w) for w in str(c).split()), default=0)
        chars = min(45, max([header, *cells]))
        need.append(chars * _CM_PER_CHAR + _CELL_PADDING_CM)
    total = sum(need)
    if total <= width_cm:
        return [w + (width_cm - total) * w / total for w in need]
    narrow = sum(w for w in need if w <= 3.0)
    wide = total - narrow
    scale = max(0.3, (width_cm - narrow) / wide) if wide else width_cm / total
    return [w if w <= 3.0 else w * scale for w in need]


def _fit_columns(t, shown: pd.DataFrame, width_cm: float) -> None:
    """Column widths by content (`_column_widths`)."""

    t.autofit = False
    for column, width in zip(t.columns, _column_widths(shown, width_cm), strict=True):
        column.width = Cm(width)
        for cell in column.cells:  # Word reads the cells' widths, LibreOffice the grid's
            cell.width = Cm(width)


def _add_table(doc, table: FormattedTable, font: str, size: float,
               width_cm: float = 17.0) -> None:

    title = doc.add_paragraph()
    title.paragraph_format.keep_with_next = True
    title.paragraph_format.space_before = Pt(12)
    head, _, rest = table.title.partition(". ")
    if rest and head.startswith("Table"):
        _run(title, head + ". ", bold=True)
        _run(title, rest)
    else:
        _run(title, table.title, bold=True)
    shown = table.shown
    if len(shown.columns):
        t = doc.add_table(rows=1 + len(shown), cols=len(shown.columns))
        t.alignment = WD_TABLE_ALIGNMENT.CENTER
        levels = table.levels()
        rows = t.rows
        # numbers centred under their header; a column of sentences (Table 1's definitions)
        # reads left-aligned
        centred = [j > 0 and max((len(str(v)) for v in shown.iloc[:, j]), default=0) <= 30
                   for j in range(len(shown.columns))]
        for j, (cell, c) in enumerate(zip(rows[0].cells, shown.columns, strict=True)):
            p = cell.paragraphs[0]
            _run(p, str(c), bold=True)
            if centred[j]:
                p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        for i, values in enumerate(shown.itertuples(index=False)):
            for j, (cell, v) in enumerate(zip(rows[i + 1].cells, values, strict=True)):
                p = cell.paragraphs[0]
                p.paragraph_format.space_after = Pt(0)
                _run(p, str(v))
                if j == 0 and levels[i]:
                    p.paragraph_format.left_indent = Pt(size * levels[i])
                elif centred[j]:
                    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        _three_line(t)
        _fit_columns(t, shown, width_cm)
    for note in table.footnotes:
        p = doc.add_paragraph()
        p.paragraph_format.space_after = Pt(0)
        _run(p, note)


def tables_docx(tables: Sequence[FormattedTable], *, heading: str | None = None,
                lines: Sequence[str] = (), font: str = "Times New Roman",
                size: float = 10) -> bytes:
    """`tables` as a Word document in journal style: each title above its three-line table,
    footnotes below, in `font` at `size` pt; a table wider than six columns gets a landscape
    page. `heading` and `lines` (plain paragraphs) open the document."""

    if size <= 0:
        raise InputError(f"size: expected a positive font size, got {size!r}")

    doc = Document()
    normal = doc.styles["Normal"]
    normal.font.name = font
    normal.font.size = Pt(size)
    rfonts = normal.element.get_or_add_rPr().find(qn("w:rFonts"))
    if rfonts is not None:  # East Asian text in the same font
        rfonts.set(qn("w:eastAsia"), font)
    section = doc.sections[0]
    section.page_width, section.page_height = Cm(21.0), Cm(29.7)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Cm(2.0))
    if heading:
        _run(doc.add_paragraph(), heading, bold=True, size=size + 2)
    for line in lines:
        p = doc.add_paragraph()
        p.paragraph_format.space_after = Pt(0)
        _run(p, line)
    landscape = False
    for t in tables:
        wide = len(t.shown.columns) > 6
        if wide != landscape:
            sec = doc.add_section(WD_SECTION.NEW_PAGE)
            sec.orientation = WD_ORIENT.LANDSCAPE if wide else WD_ORIENT.PORTRAIT
            long, short = Cm(29.7), Cm(21.0)
            sec.page_width, sec.page_height = (long, short) if wide else (short, long)
            landscape = wide
        _add_table(doc, t, font, size, width_cm=25.7 if landscape else 17.0)
    props = doc.core_properties
    props.title = heading or "Tables"
    props.author = "VBQ Explorer"
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def study_docx(analysis, prepared=None, *, kappas: Mapping | None = None,
               font: str = "Times New Roman", size: float = 10, decimals: int = 1,
               rounding: str = "specific", supplementary: bool = True,
               synthetic: bool = False) -> bytes:
    """The study's tables as one Word document (`vbq.present.study_tables`): Table 1 (the
    criteria in force, when `prepared` is given), Tables 2-5 and, with ``supplementary=True``,
    the prevalence and reliability tables, in journal style (`tables_docx`).

    Parameters
    ----------
    analysis : vbq.study.StudyAnalysis
        `vbq.study.analyse(prepared)`.
    prepared : vbq.PreparedCohort, optional
        Its settings give Table 1; its counts and thresholds open the document.
    kappas : mapping, optional, keyword-only
        `vbq.study.grouping_kappa(cohort, settings.criteria)`, to add the grouping's
        reliability.
    font : str, keyword-only
        "Times New Roman" (default) or "Arial", or any installed font.
    size : float, keyword-only
        Point size of the whole document (default 10).
    decimals, rounding : keyword-only
        Of Table 4's adjusted cutoff (`vbq.study.cutoff_table`).
    supplementary : bool, default True, keyword-only
        Include the prevalence and reliability tables.
    synthetic : bool, default False, keyword-only
        The data are the synthetic demo cohort: the heading says so and `SYNTHETIC_NOTE` opens
        the document.

    Returns
    -------
    bytes
        The .docx file.

    Examples
    --------
    >>> import vbq, vbq.export
    >>> prepared = vbq.prepare_cohort(*vbq.demo.load())
    >>> data = vbq.export.study_docx(vbq.study.analyse(prepared), prepared)
    >>> data[:2]
    b'PK'
    """

    tables = study_tables(analysis, prepared, kappas=kappas, decimals=decimals,
                          rounding=rounding)
    if not supplementary:
        tables = [t for t in tables if t.key.startswith("table")]
    lines: list[str] = []
    if prepared is not None:
        c = prepared.counts
        lines = [
            f"Cohort: {c.n_cohort} patients, {c.n_excluded} excluded, {c.n_analysed} analysed "
            f"({c.n_degenerative} degenerative, {c.n_control} control)"
            + (f"; subgroup {subgroup_text(prepared.settings)}: {c.n_outside_subgroup} eligible "
               "patient(s) outside it" if c.subgroup else "") + ".",
            in_force(prepared).thresholds + ".",
        ]
    heading = "VBQ Explorer: the study's tables"
    if synthetic:
        heading += " (synthetic demo cohort)"
        lines = [SYNTHETIC_NOTE, *lines]
    return tables_docx(tables, heading=heading, lines=lines, font=font, size=size)
