"""Entry point: `streamlit run dashboard.py`.

Names the pages in the menu (the Overview first, as the landing page) and runs
the one the visitor chose. Each page is a file in `pages/` that also runs on its
own, which is how the AppTests drive them.

This file is read twice. ``streamlit run`` (Streamlit 1.5x and later) finds
``app`` below and imports the file as a module to serve it: the server's start
(``ui.server.lifespan``) begins the warm-up (``ui.warmup``: the heavy results of
every page's default view, worked out or read back from disk in the background,
once, and shared by every session) and, after a restart, loads the landing page
before the first visitor. Every visitor's session then runs the file as its
script (``__main__``): the menu and the page. An older Streamlit runs it as the
script only, and the first session starts the warm-up.
"""

from __future__ import annotations

import streamlit as st

if __name__ == "__main__":  # a session's run
    from ui.navigation import PAGES, ROOT
    from ui.warmup import start_warmup

    start_warmup()  # once per process and data configuration (started already)
    navigation = st.navigation(
        [
            st.Page(str(ROOT / p.path), title=p.title, icon=p.icon, default=i == 0)
            for i, p in enumerate(PAGES)
        ]
    )
    navigation.run()
else:  # imported by `streamlit run` as the server's app
    from starlette.middleware import Middleware

    from ui.http_cache import ImmutableAssets
    from ui.server import lifespan

    # the map frame's files are loaded once per browser (ui.http_cache)
    app = st.App(__file__, lifespan=lifespan, middleware=[Middleware(ImmutableAssets)])
