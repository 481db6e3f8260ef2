"""Safe output: escape text from data files for where it goes; defuse formulas.

Text from data files (ward and district names, offence descriptions, camera
names, addresses, file names) is data, kept verbatim and escaped only on the way
out, by the one helper for each target:

* :func:`escape_html` for HTML (the briefing, map popups and labels);
* :func:`escape_markdown` for Streamlit Markdown (``st.markdown``, ``st.info``,
  captions, metric values, tooltips);
* :func:`escape_plotly` for Plotly text (axis labels, legends, hover text),
  which Plotly renders as a subset of HTML (``<a href>``, ``<b>``, ``<br>``).

Dataframes, widget options and CSV cells show text as typed and need none of
these (CSV cells get :func:`neutralise_formula`).

>>> escape_html('<img src=x onerror=alert(1)>')
'&lt;img src=x onerror=alert(1)&gt;'
>>> print(escape_markdown("[x](http://evil.example)"))
\\[x\\]\\(http\\://evil\\.example\\)
>>> escape_plotly('<a href="http://evil.example">x</a>')
'&lt;a href="http://evil.example"&gt;x&lt;/a&gt;'
>>> neutralise_formula('=HYPERLINK("http://x")')
'\\'=HYPERLINK("http://x")'
"""

from __future__ import annotations

import html
from typing import Any

import pandas as pd

# Cells starting with these are run as formulas by Excel, LibreOffice and Sheets
# (OWASP "CSV injection"); tab and carriage return start hidden formulas too.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def escape_html(value: Any) -> str:
    """Text safe to place inside HTML element content or a quoted attribute."""
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ""
    return html.escape(str(value), quote=True)


# Characters Markdown (CommonMark, GitHub's extensions and Streamlit's own
# :colour[...] / :material/icon: directives) gives a meaning; CommonMark lets any
# ASCII punctuation be escaped with a backslash.
_MARKDOWN_SPECIAL = frozenset("\\`*_{}[]<>()#+-.!|~$:&")


def escape_markdown(value: Any) -> str:
    """Text that Streamlit's Markdown shows exactly as typed, on one line.

    Link and image syntax, emphasis, HTML, LaTeX and Streamlit directives all
    become plain characters; line breaks become spaces so a name cannot start a
    heading or a list.
    """
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ""
    text = " ".join(str(value).splitlines())
    return "".join(f"\\{c}" if c in _MARKDOWN_SPECIAL else c for c in text)


def escape_plotly(value: Any) -> str:
    """Text that a Plotly label, legend or hover shows exactly as typed.

    Plotly reads ``<a href>``, ``<b>``, ``<br>`` and ``<span style>`` in text and
    decodes HTML entities when it draws, so escaping ``&``, ``<`` and ``>``
    leaves the characters visible and inert; ``$`` is encoded too, so a name in
    dollars is not typeset as LaTeX.
    """
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ""
    return html.escape(str(value), quote=False).replace("$", "&#36;")


def neutralise_formula(value: Any) -> Any:
    """Prefix a text cell that a spreadsheet would evaluate with a single quote.

    Numbers are left alone so ``-3.5`` stays a number; only strings change.
    """
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def safe_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """Copy of ``frame`` with every text cell (and header) formula-neutralised.

    Geometry columns are dropped: exports carry coordinates as plain columns.
    """
    out = pd.DataFrame(frame).copy()
    geo_cols = [c for c in out.columns if str(out[c].dtype) == "geometry"]
    out = out.drop(columns=geo_cols)
    for col in out.columns:
        if out[col].dtype == object or pd.api.types.is_string_dtype(out[col]):
            out[col] = out[col].map(neutralise_formula)
    out.columns = [neutralise_formula(str(c)) for c in out.columns]
    return out


def to_safe_csv(frame: pd.DataFrame) -> bytes:
    """UTF-8 CSV bytes (with a byte-order mark so Excel reads accents) of ``frame``."""
    data: bytes = safe_frame(frame).to_csv(index=False).encode("utf-8-sig")
    return data
