"""The start every page shares: config, dataset, banner, sign-in and filters.

>>> page = start_page("Coverage map", icon="🗺️")
>>> page.ds, page.filters, page.role, page.viewer, page.key

``page.role`` is the data audience (``analytics.privacy.ROLES``) every redaction
takes; ``page.viewer`` is the person (name and account role) the audit log
records.

A dataset that cannot be loaded (a configured file is missing or unusable) stops
the page with an error saying what to fix, never a traceback.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, replace

import streamlit as st

from analytics.accounts import Viewer
from analytics.config import ConfigError
from analytics.datasets import Dataset
from analytics.privacy import public_settings
from analytics.safe_output import escape_markdown
from ui.activity import note_run
from ui.data import get_dataset, source_banner
from ui.navigation import ensure_app_menu
from ui.role import current_viewer
from ui.sidebar import Filters, render_sidebar

APP_TITLE = "Camera registry dashboard"
DEFAULT_ICON = ":material/videocam:"
PUBLIC_VIEWER = Viewer(None, "public")


@dataclass(frozen=True)
class Page:
    """What a page needs: the data, the chosen filters and who is looking."""

    ds: Dataset
    filters: Filters
    role: str  # the viewer's data audience
    key: tuple  # small hashable identity of ``ds`` for cache keys
    viewer: Viewer = PUBLIC_VIEWER


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
            f"The city configuration could not be read: {escape_markdown(exc)}. "
            "Fix the city file in `data/cities/` (docs/data-formats.md describes it)."
        )
    except (ValueError, OSError) as exc:  # LoadError is a ValueError
        st.error(
            f"The configured data could not be loaded: {escape_markdown(exc)}. "
            "Check the data paths the dashboard was started with "
            "(docs/data-formats.md lists them), or remove them to run on the "
            "synthetic demo."
        )
    st.stop()
    raise AssertionError("unreachable")  # st.stop() raises


def start_page(
    title: str,
    *,
    icon: str = DEFAULT_ICON,
    caption: str | None = None,
    filters: Collection[str] | None = None,
) -> Page:
    """Configure the page and draw its header, data banner and shared sidebar.

    ``title`` may name ``{program}``, ``{city}`` and ``{goal}`` (filled from the
    city config). ``icon`` is a Material Symbol (``:material/name:``); an emoji
    would render as an empty box on machines without an emoji font, so it is
    replaced by ``DEFAULT_ICON``. ``filters`` names the sidebar filters that
    apply to the page (``ui.sidebar.render_sidebar``'s ``show``; None: all); the
    others are not drawn, and keep their values for the pages they apply to.
    """
    note_run()  # the warm-up waits while visitors' pages run
    ensure_app_menu()
    if not icon.startswith(":material/"):
        icon = DEFAULT_ICON
    st.set_page_config(page_title=APP_TITLE, page_icon=icon, layout="wide")
    ds = load_dataset_or_stop()
    heading = title.format(
        program=ds.city.program, city=ds.city.name, goal=f"{ds.city.goal_cameras:,}"
    )
    st.set_page_config(page_title=f"{heading} · {APP_TITLE}")
    st.title(heading)
    if caption:
        st.caption(caption)
    # sign-in first: the top of the sidebar
    viewer = current_viewer(ds.city, synthetic=ds.synthetic)
    source_banner(ds)
    chosen = render_sidebar(ds, show=filters)
    if viewer.audience == "public":
        chosen = public_filters(chosen, ds)
    # coverage from homes' true places for investigators only (fail closed)
    chosen = replace(chosen, exact_homes=viewer.audience == "investigator")
    return Page(
        ds=ds,
        filters=chosen,
        role=viewer.audience,
        key=dataset_key(ds),
        viewer=viewer,
    )


def public_filters(filters: Filters, ds: Dataset) -> Filters:
    """The one view the public gets (``analytics.privacy.public_settings``),
    and a sidebar note saying so: the sidebar's filters apply to staff only.
    """
    fixed = public_settings(ds.as_of, ds.incidents)
    st.sidebar.caption(
        f"Public view: incidents {fixed['since']:%d %b %Y} – {fixed['until']:%d %b %Y}"
        f", every offence; cameras: the whole registry on {ds.as_of:%d %b %Y}. The "
        "filters above apply to signed-in staff: views that differ by a filter "
        "could single out a home."
    )
    return replace(filters, **fixed)
