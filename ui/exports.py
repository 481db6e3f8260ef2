"""Downloads worked out when the visitor clicks, not on every run of the page.

A download button given bytes makes its file on every run: the Coverage map's
hex grid as GeoJSON took 0.1 to 0.4 s of each rerun at goal scale, and the page
held back the map it had already sent while it did so. Given :func:`later`, the
button makes the file only when clicked (Streamlit's deferred download, on a
thread of its own).

>>> st.download_button("Download (CSV)", later(to_safe_csv, table), ...)
"""

from __future__ import annotations

import contextvars
from collections.abc import Callable
from typing import Any

import geopandas as gpd

from analytics.safe_output import mark_geojson


def later(convert: Callable[..., Any], *args: Any, **kwargs: Any) -> Callable[[], Any]:
    """``convert(*args, **kwargs)``, run when called, in this run's context.

    The context carries the run's settings that exports read, above all whether
    the data is synthetic (``analytics.safe_output.set_synthetic_exports``): a
    file made later on another thread is labelled as one made now would be.
    """
    context = contextvars.copy_context()

    def make() -> Any:
        return context.run(convert, *args, **kwargs)

    return make


def geojson(frame: gpd.GeoDataFrame) -> str:
    """``frame`` as GeoJSON text without feature ids, marked when synthetic."""
    return mark_geojson(frame.to_json(drop_id=True))
