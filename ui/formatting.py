"""Text for figures shown in tiles and tables: the helpers of
:mod:`analytics.formatting` (shared with the briefing and the command line) plus
what only Streamlit needs.

A share is undefined when nothing was counted (no incidents in the window):
showing "nan%" would look like a bug, 0% would be false.

>>> share(0.1234), share(float("nan")), count(4731)
('12.3%', '–', '4,731')
"""

from __future__ import annotations

from analytics.formatting import (  # noqa: F401 (re-exported for the pages)
    DASH,
    coord,
    count,
    day,
    format_table,
    km2,
    money,
    month,
    number,
    pace,
    pct,
    points,
    signed_count,
    timestamp,
    years,
)
from analytics.formatting import pct as share  # noqa: F401

# the one Markdown escape lives with the other output escapes
from analytics.safe_output import escape_markdown  # noqa: F401
