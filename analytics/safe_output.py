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
\\[x\\](http\\://evil.example)
>>> escape_plotly('<a href="http://evil.example">x</a>')
'&lt;a href="http://evil.example"&gt;x&lt;/a&gt;'
>>> neutralise_formula('=HYPERLINK("http://x")')
'\\'=HYPERLINK("http://x")'
"""

from __future__ import annotations

import html
import re
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


# Characters that make Markdown wherever they stand: links and images ([ ]),
# HTML and autolinks (< >), code, emphasis and strikethrough (` * ~), LaTeX ($),
# Streamlit's :material/icon: and emoji directives and http: autolinks (:),
# entities (&) and the escape character itself. CommonMark lets any ASCII
# punctuation be escaped with a backslash.
_MARKDOWN_ALWAYS = frozenset("\\`*[]<>~$:&")
# "_" makes emphasis unless it sits inside a word (snake_case file names stay)
_INTRAWORD = re.compile(r"(?<=[0-9A-Za-z])_(?=[0-9A-Za-z])")
# a list item, heading or quote can only start a line: the start of the text
_LINE_START = re.compile(r"^(\s*)([-+#>]|\d+[.)])")
# GitHub autolinks "www.example.com" without a scheme
_WWW = re.compile(r"(?i)\b(www)\.")


def escape_markdown(value: Any) -> str:
    """Text that Streamlit's Markdown shows exactly as typed, on one line.

    Link and image syntax, emphasis, HTML, LaTeX, autolinks and Streamlit
    directives become plain characters; line breaks become spaces so a name
    cannot start a heading or a list. Characters that are harmless where they
    stand are left alone, so "Ward 2 (synthetic)" and "lrpd_current.csv" read
    as typed in the Markdown source too.
    """
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ""
    text = " ".join(str(value).splitlines())
    out = []
    for i, c in enumerate(text):
        if c in _MARKDOWN_ALWAYS or (c == "_" and not _INTRAWORD.match(text, i)):
            out.append("\\" + c)
        else:
            out.append(c)
    escaped = "".join(out)
    escaped = _WWW.sub(lambda m: m.group(1) + "\\.", escaped)
    return _LINE_START.sub(
        lambda m: (
            m.group(1)
            + "".join("\\" + ch if not ch.isdigit() else ch for ch in m.group(2))
        ),
        escaped,
    )


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
