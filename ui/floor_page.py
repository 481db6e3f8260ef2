"""The lightest page Streamlit can show: a title and one figure.

``python -m analytics bench --browser`` times it next to the dashboard's pages
(``floor_visit_seconds``): what a visit costs on this machine and browser before
the dashboard adds anything, so the page times can be read against it.
"""

from __future__ import annotations

import streamlit as st

st.title("Floor")
st.metric("Cameras", "3,200")
