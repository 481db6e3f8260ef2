"""HTML that escapes by construction: the briefing's templates and SVG.

:class:`Html` is :class:`markupsafe.Markup` whose escaping also encodes ``=``
(hostile text such as ``<img onerror=...>`` then does not even look like an
attribute to mail filters and naive scanners; browsers show it unchanged).
``Html("<p>{}</p>").format(text)``, ``Html("").join(parts)`` and ``+`` escape
every argument that is not already markup, so data text cannot be forgotten.

:func:`templates` is the Jinja2 environment of ``analytics/templates``:
autoescaping on, and every ``{{ value }}`` finalised through :class:`Html`.

>>> Html("<p>{}</p>").format("<img src=x onerror=alert(1)>")
Html('<p>&lt;img src&#61;x onerror&#61;alert(1)&gt;</p>')
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import jinja2
import markupsafe

from analytics.safe_output import escape_html

TEMPLATES = Path(__file__).resolve().parent / "templates"


class Html(markupsafe.Markup):
    """Trusted markup; whatever is combined with it is escaped, ``=`` included."""

    __slots__ = ()

    @classmethod
    def escape(cls, s: Any) -> Html:
        if hasattr(s, "__html__"):
            return cls(s.__html__())
        # the same characters as escape_html (None and NaN show as nothing)
        return cls(escape_html(s).replace("=", "&#61;"))


def _finalize(value: Any) -> Any:
    """Every ``{{ expression }}``: markup stays, anything else is escaped."""
    return Html.escape(value)


@cache
def templates() -> jinja2.Environment:
    """The Jinja2 environment of ``analytics/templates`` (autoescaping)."""
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,
        finalize=_finalize,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
    )
