"""The app's pages: file, title, icon and what each is for, in menu order."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

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
