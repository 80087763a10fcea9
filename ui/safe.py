"""Text that came from a user, a file or a link, made safe to put inside Streamlit Markdown.

Every Streamlit element that shows a string (`st.markdown`, `st.error`, `st.header`, captions,
`st.table` cells, expander and widget labels) reads it as Markdown: a file named
``[x](https://evil.example)`` would become a live link, ``:red[...]`` a directive, ``<...>``
HTML. `text` writes every ASCII punctuation mark as a numeric character reference (``&#91;``),
which Markdown decodes to the bare character, so the string appears exactly as typed.
Backslash escapes would not do: GFM still turns an escaped ``https\\:\\/\\/x`` into a live link.
GFM also links bare addresses after parsing (``https://x``, ``www.x``, ``a@b.c``), whatever their
escaping: an invisible word joiner (U+2060) after the scheme's colon, after ``www`` and after
``@`` keeps them text. Grid tables (`st.dataframe`) show cells as text already.

The one helper for this (`ui.display` uses it for tables and footnotes): wrap every such string,
and only those: ``st.error(f"**{safe.text(name)}**: ...")``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pandas as pd

if TYPE_CHECKING:
    from vbq.present import FormattedTable

__all__ = ["text", "cell", "table_cells", "ShownTable", "shown"]

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


def cell(value: Any) -> str:
    """A table cell or header for `st.table`, which renders them as Markdown (a file's
    "[x](https://evil.example)" would become a live link): `text`, with a line break as a space
    and leading spaces kept as non-breaking ones (never a code block)."""
    value = str(value).replace("\r\n", " ").replace("\r", " ").replace("\n", " ")
    stripped = value.lstrip(" ")
    return "\u00a0" * (len(value) - len(stripped)) + text(stripped)


def table_cells(frame: pd.DataFrame) -> pd.DataFrame:
    """`frame` with every cell and header made literal for `st.table` (`cell`).

    Cell by cell over plain lists: `DataFrame.map` over Arrow-backed text columns took 5x as
    long (7.3 ms against 1.5 ms for Table 2)."""
    rows = frame.to_numpy(dtype=object).tolist()
    return pd.DataFrame([[cell(v) for v in row] for row in rows],
                        columns=[cell(c) for c in frame.columns], index=frame.index,
                        dtype=object)


@dataclass(frozen=True)
class ShownTable:
    """A `vbq.present.FormattedTable` with the cells `st.table` shows already made literal
    (`table_cells` of its `display()`), so that a table read back from the cache is not
    escaped again on every rerun (a tenth of a Groups rerun with twenty users)."""

    table: FormattedTable
    cells: pd.DataFrame

    @property
    def empty(self) -> bool:
        """Whether the table has no rows (nothing to show)."""
        return self.table.shown.empty


def shown(table: FormattedTable) -> ShownTable:
    """`table` with its cells made literal for `st.table` (`ShownTable`)."""
    return ShownTable(table, table_cells(table.display()))
