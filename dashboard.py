"""Entry page: `streamlit run dashboard.py`."""

from __future__ import annotations

import streamlit as st

from ui.data import get_dataset, source_banner

st.set_page_config(
    page_title="Camera registry dashboard", page_icon="📹", layout="wide"
)

ds = get_dataset()
st.title(f"{ds.city.program}: camera registry dashboard")
source_banner(ds)
active = ds.cameras[ds.cameras["status"] == "active"]
cameras = int(active["camera_count"].sum())
col1, col2, col3 = st.columns(3)
col1.metric("Registered cameras", f"{cameras:,}")
col2.metric("Goal", f"{ds.city.goal_cameras:,}")
col3.metric("Share of goal", f"{cameras / ds.city.goal_cameras:.1%}")
st.progress(min(cameras / ds.city.goal_cameras, 1.0))
