"""Safe output: escape text from data files for where it goes; defuse formulas.

Text from data files (ward and district names, offence descriptions, camera
names, addresses, file names) is data, kept verbatim and escaped only on the way
out, by the one helper for each target:

* :func:`escape_html` for HTML (the briefing, map popups and labels);
* :func:`escape_markdown` for Streamlit Markdown (``st.markdown``, ``st.info``,
  captions, metric values, tooltips), and :func:`markdown_table` for a table
  written in it;

Dataframes, widget options, charts (Vega-Lite draws text as text, and its
tooltips escape it) and CSV cells show text as typed and need none of these
(CSV cells get :func:`neutralise_formula`).

>>> escape_html('<img src=x onerror=alert(1)>')
'&lt;img src=x onerror=alert(1)&gt;'
>>> escape_markdown("[x](http://evil.example)")
'\\\\[x\\\\](http\\u2060\\\\://evil.example)'
>>> neutralise_formula('=HYPERLINK("http://x")')
'\\'=HYPERLINK("http://x")'
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Collection
from contextvars import ContextVar
from typing import Any

import pandas as pd

from analytics.schema import SYNTHETIC_COLUMN, SYNTHETIC_VALUE

# Cells starting with these are run as formulas by Excel, LibreOffice and Sheets
# (OWASP "CSV injection"); tab and carriage return start hidden formulas too.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def escape_html(value: Any) -> str:
    """Text safe to place inside HTML element content or a quoted attribute."""
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ""
    return html.escape(str(value), quote=True)


# Text that is a plain number ("-92.30", "+1", "-1e-3"): not a formula, written as is.
_PLAIN_NUMBER = re.compile(r"^[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?$")

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
# GitHub Markdown links bare addresses: "www.example.com", "http://...",
# "mailto:...". Streamlit's Markdown finds them in the text after backslash
# escapes are read ("http\\://x" is linked all the same), so an invisible WORD
# JOINER goes where the pattern needs two characters side by side. A bare e-mail
# address ("ann@city.example") is left as typed, so it can be copied: Markdown
# may link it, to that same address and nothing else.
# The joiner goes in whatever comes before: "a_http://x" is linked too ("_"
# sits inside a word and is left as typed). Streamlit also reads
# ":material/icon:" after the escapes, so an escaped colon before a letter gets
# the joiner as well.
_WORD_JOINER = "\u2060"
_WWW = re.compile(r"(?i)(www)(\\?\.)")
_SCHEME = re.compile(r"(?i)(https?|ftp|mailto|xmpp)(\\?:)")
_DIRECTIVE = re.compile(r"(\\:)(?=[A-Za-z])")


def escape_markdown(value: Any) -> str:
    """Text that Streamlit's Markdown shows exactly as typed, on one line.

    Link and image syntax, emphasis, HTML, LaTeX, autolinks and Streamlit
    directives become plain characters; a bare web address ("www.", "https:")
    and an icon directive (":material/x:") get an invisible word joiner that
    keeps them from being linked or drawn;
    line breaks become spaces so a name
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
    escaped = _WWW.sub(lambda m: m.group(1) + _WORD_JOINER + "\\.", escaped)
    escaped = _SCHEME.sub(lambda m: m.group(1) + _WORD_JOINER + m.group(2), escaped)
    escaped = _DIRECTIVE.sub(lambda m: m.group(1) + _WORD_JOINER, escaped)
    return _LINE_START.sub(
        lambda m: (
            m.group(1)
            + "".join("\\" + ch if not ch.isdigit() else ch for ch in m.group(2))
        ),
        escaped,
    )


def markdown_table(frame: pd.DataFrame, *, right: Collection[str] = ()) -> str:
    """``frame`` as a Markdown table, every header and cell escaped.

    Cells are :func:`escape_markdown` text with ``|`` escaped too, so a name
    cannot add a column; the columns named in ``right`` are right-aligned (the
    figures). The index is not written. Streamlit draws such a table with its
    Markdown, which a browser has loaded already: ``st.table`` loads a table
    and Arrow's scripts, and a new visitor's figures waited for them.

    >>> print(markdown_table(pd.DataFrame({"Ward": ["A|B"], "Cameras": ["1,204"]}),
    ...                      right=["Cameras"]))
    | Ward | Cameras |
    | :--- | ---: |
    | A\\|B | 1,204 |
    """
    unknown = set(right) - set(frame.columns)
    if unknown:
        raise ValueError(
            f"right names {sorted(unknown)}, not columns of the frame: "
            f"{list(frame.columns)}"
        )

    def cell(value: Any) -> str:
        return escape_markdown(value).replace("|", "\\|")

    def row(values: Any) -> str:
        return "| " + " | ".join(cell(v) for v in values) + " |"

    right = set(right)
    align = ["---:" if c in right else ":---" for c in frame.columns]
    lines = [row(frame.columns), "| " + " | ".join(align) + " |"]
    lines += [row(values) for values in frame.itertuples(index=False)]
    return "\n".join(lines)


def neutralise_formula(value: Any) -> Any:
    """Prefix a text cell that a spreadsheet would evaluate with a single quote.

    Numbers are left alone so ``-3.5`` stays a number, and so is text that is a
    plain number (``"-92.30"`` read from a file): only formula-like text changes.

    >>> neutralise_formula("-92.30"), neutralise_formula("-1+2")
    ('-92.30', "'-1+2")
    """
    if (
        isinstance(value, str)
        and value.startswith(FORMULA_PREFIXES)
        and not _PLAIN_NUMBER.match(value)
    ):
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


# Whether exports made in this thread (one Streamlit script run, one command) come
# from synthetic data; set once per run by ui.data.source_banner.
_SYNTHETIC_EXPORTS: ContextVar[bool] = ContextVar("synthetic_exports", default=False)


def set_synthetic_exports(flag: bool) -> None:
    """Mark every export made from now on in this thread as synthetic (or not)."""
    _SYNTHETIC_EXPORTS.set(bool(flag))


def _is_synthetic(synthetic: bool | None) -> bool:
    return _SYNTHETIC_EXPORTS.get() if synthetic is None else bool(synthetic)


def to_safe_csv(frame: pd.DataFrame, *, synthetic: bool | None = None) -> bytes:
    """UTF-8 CSV bytes (with a byte-order mark so Excel reads accents) of ``frame``.

    Synthetic data (``synthetic=True``, or by default the thread's setting from
    :func:`set_synthetic_exports`) gets a first column ``data_origin`` saying
    "synthetic", so the file says so and loads back as synthetic.
    """
    out = safe_frame(frame)
    if _is_synthetic(synthetic) and SYNTHETIC_COLUMN not in out.columns:
        out.insert(0, SYNTHETIC_COLUMN, SYNTHETIC_VALUE)
    data: bytes = out.to_csv(index=False).encode("utf-8-sig")
    return data


def mark_geojson(text: str, *, synthetic: bool | None = None) -> str:
    """GeoJSON text with ``data_origin: synthetic`` on the collection and on every
    feature's properties when the data is synthetic (unchanged otherwise)."""
    if not _is_synthetic(synthetic):
        return text
    doc = json.loads(text)
    doc[SYNTHETIC_COLUMN] = SYNTHETIC_VALUE
    for feature in doc.get("features") or []:
        if isinstance(feature, dict):
            props = feature.get("properties") or {}
            feature["properties"] = {SYNTHETIC_COLUMN: SYNTHETIC_VALUE, **props}
    return json.dumps(doc, ensure_ascii=False)
