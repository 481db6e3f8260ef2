"""Recording looks from a page: once per look, before anything is shown.

Streamlit reruns a page on every click, so the same canvass would be written
again and again; :func:`record_once` keys each look (``analytics.audit.look_key``)
and writes it the first time this session shows it. If the audit log cannot be
written the look is not shown at all (fail closed).

>>> event = record_once(key, lambda: record_canvass_look(store, result, ...))
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

import streamlit as st

from analytics.audit import open_dashboard_store
from analytics.config import CityConfig
from analytics.store import RegistryStore, StoreError

_RECORDED_KEY = "_recorded_looks"


def audit_store(city: CityConfig) -> RegistryStore:
    """The store pages record looks in (``analytics.audit.dashboard_store_path``)."""
    return open_dashboard_store(city)


def record_once(key: str, write: Callable[[], int]) -> int:
    """Write a look unless this session has already written the same one.

    Returns the event id. Stops the page with an error, before the look is
    shown, when the audit log cannot be written.
    """
    done: dict[str, int] = st.session_state.setdefault(_RECORDED_KEY, {})
    if key in done:
        return done[key]
    try:
        event = write()
    except (StoreError, sqlite3.Error, OSError, ValueError) as exc:
        st.error(
            f"This look could not be written to the audit log ({exc}), so it is "
            "not shown. Check that `CAMREG_REGISTRY_DB` (or `[data].registry_db`, "
            "or `CAMREG_AUDIT_DB`) names a store this dashboard may write."
        )
        st.stop()
        raise  # st.stop() raises; keeps type checkers happy
    done[key] = event
    return event
