"""Text that came from a user, a file or a link, made safe to put inside Streamlit Markdown.

Every Streamlit element that shows a string (`st.markdown`, `st.error`, `st.header`, captions,
expander and widget labels) reads it as Markdown: a file named ``[x](https://evil.example)``
would become a live link, ``:red[...]`` a directive, ``<...>`` HTML. `text` escapes every Markdown
punctuation character with a backslash (CommonMark allows it before any ASCII punctuation, and
it is shown as the bare character), so the string appears exactly as typed. Tables
(`st.dataframe`) show cells as text already and need nothing.

Use it on every such string, and only on those: ``st.error(f"**{safe.text(name)}**: ...")``.
"""

from __future__ import annotations

import re
from typing import Any

__all__ = ["text"]

_PUNCTUATION = re.compile(r"""([!"#$%&'()*+,\-./:;<=>?@\[\\\]^_`{|}~])""")


def text(value: Any) -> str:
    """`value` as a string that Markdown shows literally: no link, emphasis, HTML, icon, colour
    or maths; line breaks kept as hard breaks, leading spaces as non-breaking spaces (so no line
    becomes a code block)."""
    lines = str(value).replace("\r\n", "\n").replace("\r", "\n").split("\n")
    out = []
    for line in lines:
        stripped = line.lstrip(" \t")
        indent = "\u00a0" * (len(line) - len(stripped))
        out.append(indent + _PUNCTUATION.sub(r"\\\1", stripped))
    return "  \n".join(out)
