"""The app's pages: file, title, icon and what each is for, in menu order."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import streamlit as st

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class PageInfo:
    path: str  # relative to the project root, where `dashboard.py` lives
    title: str
    icon: str  # Material Symbols: bundled with Streamlit, no emoji font needed
    what: str


PAGES = (
    PageInfo(
        "pages/0_Overview.py",
        "Overview",
        ":material/dashboard:",
        "the program at a glance",
    ),
    PageInfo(
        "pages/1_Coverage_map.py",
        "Coverage map",
        ":material/map:",
        "where cameras see",
    ),
    PageInfo(
        "pages/2_Gaps_and_targeting.py",
        "Gaps and targeting",
        ":material/my_location:",
        "where to recruit",
    ),
    PageInfo(
        "pages/3_Goal_progress.py",
        "Goal progress",
        ":material/trending_up:",
        "pace, forecast, costs",
    ),
    PageInfo(
        "pages/4_Wards.py",
        "Wards",
        ":material/account_balance:",
        "ward-by-ward comparison",
    ),
    PageInfo(
        "pages/5_Incident_canvass.py",
        "Incident canvass",
        ":material/search:",
        "cameras near a crime",
    ),
    PageInfo(
        "pages/6_Briefing.py",
        "Briefing",
        ":material/description:",
        "a report to share",
    ),
    PageInfo(
        "pages/8_Requests_and_outcomes.py",
        "Requests and outcomes",
        ":material/assignment_turned_in:",
        "footage asked for and what it did",
    ),
    PageInfo(
        "pages/7_Registry.py",
        "Registry",
        ":material/database:",
        "data, uploads, withdrawals",
    ),
)


def ensure_app_menu() -> None:
    """Rerun a page opened by a deep link through ``dashboard.py``'s menu.

    Until some visitor has loaded ``dashboard.py`` (which calls
    ``st.navigation``), Streamlit treats ``pages/`` as an old-style page folder:
    a link straight to a page runs that file alone and shows a nine-entry menu
    with a stray "dashboard" entry and no icons. Switching that mode off and
    rerunning runs the same page (its id comes from the same URL path in both
    modes) under the app's own menu.
    """
    from streamlit.runtime.pages_manager import PagesManager

    if PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False
        st.rerun()
