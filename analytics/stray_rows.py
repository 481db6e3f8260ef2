"""Rows of a table that are not data: blank, the header again, a totals line.

Spreadsheets leave them behind: Excel keeps rows of empty cells (``,,,,,``) after
the data, two monthly exports pasted together repeat the header, and a report
ends with ``Total incidents: 3``. Such a row is still counted and quarantined,
but with a reason that says what it is, not "missing coordinates".

>>> frame = pd.DataFrame({"id": ["A", "", "id", "Total: 1"],
...                       "lat": ["34.7", "", "lat", ""]})
>>> for reason, mask in stray_rows(frame).items():
...     print(reason, mask.tolist())
empty row [False, True, False, False]
the header row again [False, False, True, False]
a totals line, not data [False, False, False, True]
"""

from __future__ import annotations

import re

import pandas as pd

from analytics.validation import clean_text, is_empty

BOM = "\ufeff"
R_EMPTY_ROW = "empty row"
R_HEADER_AGAIN = "the header row again"
R_TOTALS = "a totals line, not data"
# First words of a totals line in a report's last rows.
TOTAL_WORDS = re.compile(
    r"^(?:grand\s+)?(?:total|totals|sum|count|record\s+count|records|rows)\b",
    re.IGNORECASE,
)
# A totals line fills at most this many cells (the label and a number or two).
MAX_TOTAL_CELLS = 2
# A repeated header has at least this many cells equal to their column names.
MIN_HEADER_CELLS = 2


def stray_rows(frame: pd.DataFrame) -> dict[str, pd.Series]:
    """Reason -> mask of the rows that are not data, for a frame of text cells.

    Only rows whose first cell is empty, equals the first column's name or
    starts a totals line are examined cell by cell, so a million-row file costs
    one column's check.
    """
    index = frame.index
    out = {r: pd.Series(False, index=index) for r in (R_EMPTY_ROW, R_HEADER_AGAIN)}
    out[R_TOTALS] = pd.Series(False, index=index)
    columns = list(frame.columns)
    if not columns or not len(frame):
        return out
    # a pasted file's header keeps its byte-order mark
    first = clean_text(frame[columns[0]]).str.lstrip(BOM)
    candidate = (
        is_empty(first)
        | first.str.lower().isin({_plain(columns[0]), _base(columns[0])})
        | first.str.contains(TOTAL_WORDS, regex=True)
    )
    if not candidate.any():
        return out
    cells = pd.DataFrame(
        {c: clean_text(frame.loc[candidate, c]).str.lstrip(BOM) for c in columns},
        index=index[candidate],
    )
    filled = pd.DataFrame({c: ~is_empty(cells[c]) for c in columns})
    header = pd.DataFrame(
        {c: cells[c].str.lower().isin({_plain(c), _base(c)}) for c in columns},
        index=cells.index,
    )
    n_filled = filled.sum(axis=1)
    empty = n_filled == 0
    again = (
        ~empty
        & (header | ~filled).all(axis=1)
        & (header.sum(axis=1) >= MIN_HEADER_CELLS)
    )
    totals = (
        ~empty
        & ~again
        & cells[columns[0]].str.contains(TOTAL_WORDS, regex=True)
        & (n_filled <= MAX_TOTAL_CELLS)
    )
    for reason, mask in (
        (R_EMPTY_ROW, empty),
        (R_HEADER_AGAIN, again),
        (R_TOTALS, totals),
    ):
        out[reason][mask.index[mask.to_numpy()]] = True
    return out


def _plain(column: object) -> str:
    return str(column).strip().lstrip(BOM).lower()


def _base(column: object) -> str:
    """A column name without the ``.1`` the reader adds to a repeated name."""
    return re.sub(r"\.\d+$", "", _plain(column))
