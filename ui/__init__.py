"""Streamlit-side helpers shared by the pages: cached data access and the sidebar.

Only this package and the page files import streamlit; computation stays in
``analytics``.
"""
