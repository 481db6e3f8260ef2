"""Entry point: `streamlit run dashboard.py`.

Names the pages in the menu (the Overview first, as the landing page) and runs
the one the visitor chose. Each page is a file in `pages/` that also runs on its
own, which is how the AppTests drive them.

The first run in a server process starts the warm-up (``ui.warmup``): the heavy
results of every page's default view are worked out in the background, once,
and shared by every session.
"""

from __future__ import annotations

import streamlit as st

from ui.navigation import PAGES, ROOT
from ui.warmup import start_warmup

start_warmup()  # once per process and data configuration

navigation = st.navigation(
    [
        st.Page(str(ROOT / p.path), title=p.title, icon=p.icon, default=i == 0)
        for i, p in enumerate(PAGES)
    ]
)
navigation.run()
