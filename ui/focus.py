"""Cross-filtering: one ward focus shared by the sidebar, the maps and the pages.

The focus is one value in the session (``FOCUS_KEY``: a ``ward_id`` or None for
the whole city), mirrored in the URL (``?ward=3``). Three things set it: the
sidebar's "Ward" choice, a click on a ward of a page's map (``focus_map``) and
the "Whole city" button (``focus_chip``). Pages read it with ``focus_sidebar``
and narrow their figures to the ward.

>>> focus = focus_sidebar(ds)               # after start_page, in the sidebar
>>> focus_chip(ds, key="coverage")          # "Focused on Ward 3 · Whole city"
>>> focus_map(fmap, ds, key="coverage_map", height=640)
"""

from __future__ import annotations

import folium
import pandas as pd
import streamlit as st

from analytics.datasets import Dataset
from analytics.privacy import protect_ward_table, ward_privacy
from analytics.safe_output import escape_markdown
from analytics.wardfocus import clicked_point, ward_at
from ui.mapview import show_map

FOCUS_KEY = "ward_focus"  # the one truth: a ward_id, or None for the whole city
PICK_KEY = "ward_focus_pick"  # the sidebar's select, copied from FOCUS_KEY each run
URL_PARAM = "ward"
WHOLE_CITY = "Whole city"
_URL_READ = "_ward_focus_url_read"


def ward_names(ds: Dataset) -> dict[str, str]:
    """``ward_id`` -> ward name, in the order of the ward file (empty: no wards)."""
    if ds.wards is None or not len(ds.wards):
        return {}
    return dict(
        zip(
            ds.wards["ward_id"].astype(str),
            ds.wards["ward_name"].astype(str),
            strict=True,
        )
    )


def current_focus(ds: Dataset) -> str | None:
    """The focused ward's id (None: the whole city).

    Read from the URL on a session's first run; a ward that is not in the data
    (an old link, another city) is the whole city.
    """
    state = st.session_state
    if not state.get(_URL_READ):
        state[_URL_READ] = True
        if FOCUS_KEY not in state:
            state[FOCUS_KEY] = st.query_params.get(URL_PARAM)
    focus = state.get(FOCUS_KEY)
    if focus is not None and str(focus) not in ward_names(ds):
        focus = None
    state[FOCUS_KEY] = None if focus is None else str(focus)
    return state[FOCUS_KEY]


def set_focus(ward_id: str | None) -> None:
    """Focus every page on ``ward_id`` (None: the whole city).

    The sidebar's select copies it on the next run (``focus_sidebar``), so a
    page run that found a click may call it after the select was drawn, then
    rerun.
    """
    st.session_state[FOCUS_KEY] = None if ward_id is None else str(ward_id)


def _picked() -> None:
    set_focus(st.session_state.get(PICK_KEY) or None)


def focus_sidebar(ds: Dataset) -> str | None:
    """Draw the sidebar's "Ward" choice and return the focus (None: whole city).

    Pages with a ward map call it right after ``ui.page.start_page``. Without
    ward boundaries nothing is drawn and the focus is None.
    """
    names = ward_names(ds)
    focus = current_focus(ds)
    if not names:
        return None
    # "" is the whole city: a None choice would show as an empty select
    st.session_state[PICK_KEY] = focus or ""
    st.sidebar.selectbox(
        "Ward",
        ["", *names],
        format_func=lambda w: names.get(w, WHOLE_CITY),
        key=PICK_KEY,
        on_change=_picked,
        help="Focus the page on one ward; clicking a ward on the map does the "
        "same. The focus follows you to the other pages with a ward map.",
    )
    _share(focus)
    return focus


def _share(focus: str | None) -> None:
    """Mirror the focus in the URL, so a link opens the same ward."""
    if focus is None:
        if URL_PARAM in st.query_params:
            del st.query_params[URL_PARAM]
    elif st.query_params.get(URL_PARAM) != focus:
        st.query_params[URL_PARAM] = focus


def focus_chip(
    ds: Dataset,
    *,
    key: str,
    hint: bool = True,
    scope: str = "the figures below are the ward's",
) -> str | None:
    """Say what the page is focused on, with a "Whole city" button back.

    ``scope`` says what the focus narrows. Without a focus: a one-line hint
    that a ward can be clicked (unless ``hint`` is False: the page says it
    elsewhere). Returns the focus.
    """
    names = ward_names(ds)
    focus = current_focus(ds)
    if not names:
        return None
    if focus is None:
        if hint:
            st.caption(
                "Whole city. Click a ward on the map (or choose one in the sidebar) "
                "to focus the page on it."
            )
        return None
    text, button = st.columns([4, 1], vertical_alignment="center")
    text.markdown(
        f":material/filter_alt: Focused on **{escape_markdown(names[focus])}**: "
        f"{scope}."
    )
    button.button(
        WHOLE_CITY,
        icon=":material/zoom_out_map:",
        key=f"{key}_whole_city",
        on_click=set_focus,
        args=(None,),
        help="Back to the figures of the whole city.",
        type="primary",
    )
    return focus


def focus_map(fmap: folium.Map, ds: Dataset, *, key: str, height: int) -> None:
    """Show a map whose clicks focus the page on the ward clicked.

    A click anywhere inside a ward (on a hexagon, a ward or the background)
    focuses that ward and reruns the page; a click on a camera or site marker
    only opens its popup. The map's component key follows the focus, so the
    map drawn for a new focus starts without the click that chose it (the same
    ward can be clicked again after "Whole city").
    """
    focus = current_focus(ds)
    returned = show_map(
        fmap, key=f"{key}_{focus or 'city'}", height=height, clicks=True
    )
    point = clicked_point(returned)
    if point is None or ds.wards is None:
        return
    ward = ward_at(ds.wards, *point)
    if ward is not None and ward != focus:
        set_focus(ward)
        st.rerun()


def ward_figures(
    wards: pd.DataFrame, role: str, ds: Dataset, window_days: int
) -> tuple[pd.DataFrame, str]:
    """The coverage report's ward table as ``role`` may see it.

    The same small-group rules as the Wards page (``protect_ward_table`` with
    ``ward_privacy``): a focused ward's figures are the ward table's row,
    withheld where the table withholds them. Returns the table and the note
    on what was withheld.
    """
    return protect_ward_table(wards, role, ds.city, **ward_privacy(window_days))
