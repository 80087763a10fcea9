"""Text that came from a user, a file or a link, made safe to put inside Streamlit Markdown.

Every Streamlit element that shows a string (`st.markdown`, `st.error`, `st.header`, captions,
expander and widget labels) reads it as Markdown: a file named
``[x](https://evil.example)`` would become a live link, ``:red[...]`` a directive, ``<...>``
HTML. `text` writes every ASCII punctuation mark as a numeric character reference (``&#91;``),
which Markdown decodes to the bare character, so the string appears exactly as typed.
Backslash escapes would not do: GFM still turns an escaped ``https\\:\\/\\/x`` into a live link.
GFM also links bare addresses after parsing (``https://x``, ``www.x``, ``a@b.c``), whatever their
escaping: an invisible word joiner (U+2060) after the scheme's colon, after ``www`` and after
``@`` keeps them text. Grid tables (`st.dataframe`) show cells as text already.

The one helper for this (`ui.display` uses it for footnotes and messages): wrap every such
string, and only those: ``st.error(f"**{safe.text(name)}**: ...")``.

Journal tables are not `st.table`: `table_html` writes them as one HTML table, every cell
escaped with `html.escape` (so a cell is text, never markup), shown with `st.html`. The browser
renders `st.table` cell by cell through Streamlit's Markdown component: 269 cells on Groups made
a slider step there 2.9x as long in Chromium as the same tables as HTML (docs/design.md, "Where
the time goes"). Grid tables (`st.dataframe`) show cells as text already.
"""

from __future__ import annotations

import html
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pandas as pd

if TYPE_CHECKING:
    from vbq.present import FormattedTable

__all__ = ["text", "table_html", "ShownTable", "shown"]

_MARKDOWN = set("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~")
_AUTOLINK = re.compile(r"(?i)[a-z]:(?=//)|\bwww(?=\.)|@")


def _literal(line: str) -> str:
    line = _AUTOLINK.sub(lambda m: m.group(0) + "\u2060", line)
    return "".join(f"&#{ord(ch)};" if ch in _MARKDOWN else ch for ch in line)


def text(value: Any) -> str:
    """`value` as a string that Markdown shows literally: no link, emphasis, HTML, icon, colour
    or maths; line breaks kept as hard breaks, leading spaces as non-breaking spaces (so no line
    becomes a code block)."""
    lines = str(value).replace("\r\n", "\n").replace("\r", "\n").split("\n")
    out = []
    for line in lines:
        stripped = line.lstrip(" \t")
        out.append("\u00a0" * (len(line) - len(stripped)) + _literal(stripped))
    return "  \n".join(out)


# The journal tables' look, as Streamlit's own `st.table` draws it in the light theme (14 px,
# muted header, a hairline under every row), with text that wraps and, for a long listing, a
# frame that scrolls with its header kept in view and its first column (a listing's patient ID)
# on one line; footnotes as `st.caption` draws them.
TABLE_CSS = """<style>
.vbq-table-frame { overflow-x: auto; margin: 0 0 0.25rem 0; }
.vbq-table-frame.vbq-scroll { overflow-y: auto; }
table.vbq-table { width: 100%; border-collapse: separate; border-spacing: 0; font-size: 14px;
  line-height: 21px; color: rgb(47, 45, 43); margin: 0; }
table.vbq-table th, table.vbq-table td { text-align: left; vertical-align: middle;
  border: 0; border-bottom: 1px solid rgba(47, 45, 43, 0.1); background: transparent; }
table.vbq-table th { padding: 4px 6px 4px 8px; color: rgba(47, 45, 43, 0.7); font-weight: 400; }
table.vbq-table td { padding: 4px 6px; }
.vbq-scroll table.vbq-table thead th { position: sticky; top: 0; background: #fff; }
.vbq-scroll table.vbq-table td:first-child { white-space: nowrap; }
.vbq-table-notes { margin: 0.5rem 0 0 0; }
.vbq-table-notes p { margin: 0; font-size: 14px; line-height: 22.4px;
  color: rgba(47, 45, 43, 0.6); }
</style>"""


def _html_cell(value: Any) -> str:
    """`value` as the text of an HTML cell: escaped, line breaks as spaces, leading spaces kept
    (an indented row label), nothing for a missing value."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    value = str(value).replace("\r\n", " ").replace("\r", " ").replace("\n", " ")
    stripped = value.lstrip(" ")
    return "&nbsp;" * (len(value) - len(stripped)) + html.escape(stripped)


def table_html(frame: pd.DataFrame, *, height: int | None = None,
               notes: Sequence[str] = ()) -> str:
    """`frame` (its columns and rows, not its index) as one HTML table for `st.html`, every
    header and cell escaped (`_html_cell`), with the journal tables' style; with a `height`, in
    a frame of that many pixels that scrolls with its header kept in view; `notes` (a table's
    footnotes), escaped, one a line under it in the caption's type, in the same element (one
    element to mount in the browser instead of two: docs/design.md, "Where the time goes").

    Cell by cell over plain lists: `DataFrame.map` over Arrow-backed text columns took 5x as
    long (7.3 ms against 1.5 ms for Table 2)."""
    head = "".join(f'<th scope="col">{_html_cell(c)}</th>' for c in frame.columns)
    body = "".join("<tr>" + "".join(f"<td>{_html_cell(v)}</td>" for v in row) + "</tr>"
                   for row in frame.to_numpy(dtype=object).tolist())
    opening = (f'<div class="vbq-table-frame vbq-scroll" style="max-height: {int(height)}px">'
               if height else '<div class="vbq-table-frame">')
    foot = "".join(f"<p>{_html_cell(n)}</p>" for n in notes)
    return (f'{TABLE_CSS}{opening}<table class="vbq-table">'
            f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div>"
            + (f'<div class="vbq-table-notes">{foot}</div>' if foot else ""))


@dataclass(frozen=True)
class ShownTable:
    """A `vbq.present.FormattedTable` with the HTML the page shows already written
    (`table_html` of its `display()` and footnotes), so that a table read back from the cache is not
    escaped again on every rerun (a tenth of a Groups rerun with twenty users)."""

    table: FormattedTable
    html: str

    @property
    def empty(self) -> bool:
        """Whether the table has no rows (nothing to show)."""
        return self.table.shown.empty


def shown(table: FormattedTable) -> ShownTable:
    """`table` with its HTML, footnotes included, written (`ShownTable`)."""
    return ShownTable(table, table_html(table.display(), notes=table.footnotes))
