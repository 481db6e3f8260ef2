"""The start every page shares: config, dataset, banner, sidebar filters and role.

>>> page = start_page("Coverage map", icon="🗺️")
>>> page.ds, page.filters, page.role, page.key

A dataset that cannot be loaded (a configured file is missing or unusable) stops
the page with an error saying what to fix, never a traceback.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import streamlit as st

from analytics.config import ConfigError
from analytics.datasets import Dataset
from analytics.privacy import public_settings
from ui.data import get_dataset, source_banner
from ui.role import current_role
from ui.sidebar import Filters, render_sidebar

APP_TITLE = "Camera registry dashboard"


@dataclass(frozen=True)
class Page:
    """What a page needs: the data, the chosen filters and the viewer's role."""

    ds: Dataset
    filters: Filters
    role: str
    key: tuple  # small hashable identity of ``ds`` for cache keys


def dataset_key(ds: Dataset) -> tuple:
    """Hashable identity of a dataset: cached results are keyed on it.

    ``id`` tells apart two datasets with the same label (a reloaded registry);
    the shared dataset object lives in ``st.cache_resource`` so its id is stable.
    """
    return (ds.city.id, ds.label, ds.as_of, len(ds.cameras), len(ds.incidents), id(ds))


def load_dataset_or_stop() -> Dataset:
    """The shared dataset, or an error with what to do and a stopped page."""
    try:
        return get_dataset()
    except ConfigError as exc:
        st.error(
            f"The city configuration could not be read: {exc}. Fix the file in "
            "`data/cities/` or unset `CAMREG_CITY` to use Little Rock."
        )
    except (ValueError, OSError) as exc:  # LoadError is a ValueError
        st.error(
            f"The configured data could not be loaded: {exc}. Check the paths in "
            "`CAMREG_CAMERAS`, `CAMREG_INCIDENTS`, `CAMREG_WARDS`, "
            "`CAMREG_CITY_LIMIT` / `CAMREG_REGISTRY_DB` (or the `[data]` section "
            "of the city file), or unset them to run on the synthetic demo."
        )
    st.stop()
    raise AssertionError("unreachable")  # st.stop() raises


def start_page(title: str, *, icon: str = "📹", caption: str | None = None) -> Page:
    """Configure the page and draw its header, data banner and shared sidebar.

    ``title`` may name ``{program}`` and ``{city}`` (filled from the city config).
    """
    st.set_page_config(page_title=APP_TITLE, page_icon=icon, layout="wide")
    ds = load_dataset_or_stop()
    heading = title.format(program=ds.city.program, city=ds.city.name)
    st.set_page_config(page_title=f"{heading} · {APP_TITLE}")
    st.title(heading)
    if caption:
        st.caption(caption)
    source_banner(ds)
    filters = render_sidebar(ds)
    role = current_role()
    if role == "public":
        filters = public_filters(filters, ds)
    return Page(ds=ds, filters=filters, role=role, key=dataset_key(ds))


def public_filters(filters: Filters, ds: Dataset) -> Filters:
    """The one view the public gets (``analytics.privacy.public_settings``),
    and a sidebar note saying so: the sidebar's filters apply to staff only.
    """
    fixed = public_settings(ds.as_of)
    st.sidebar.caption(
        f"Public view: incidents {fixed['since']:%d %b %Y} – {fixed['until']:%d %b %Y}"
        f", every offence; cameras: the whole registry on {ds.as_of:%d %b %Y}. The "
        "filters above apply to signed-in staff: views that differ by a filter "
        "could single out a home."
    )
    return replace(filters, **fixed)
