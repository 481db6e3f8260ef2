"""Who is looking: the viewer's role, from a password per role in Streamlit secrets.

Configure roles in ``.streamlit/secrets.toml``::

    [roles]
    investigator = "long random passphrase"
    staff = "another passphrase"

Without a ``[roles]`` table the app runs as ``staff`` (the demo default) and says
so. With one, everybody starts as ``public`` and a sidebar password box opens the
other roles. The role is kept in ``st.session_state["role"]`` (server side; the
password itself is not kept) so it survives page switches.

>>> role = current_role()        # at the top of every page, after set_page_config
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import streamlit as st

from analytics.privacy import role_for, roles_configured

ROLE_KEY = "role"
PASSWORD_KEY = "role_password"
_CONFIGURED_KEY = "_role_configured"


def read_secrets() -> Mapping[str, Any]:
    """``st.secrets`` as a plain dict; ``{}`` when there is no secrets file."""
    try:
        return st.secrets.to_dict()
    except FileNotFoundError:  # StreamlitSecretNotFoundError subclasses it
        return {}


def current_role() -> str:
    """The viewer's role (one of ``analytics.privacy.ROLES``), shown in the sidebar.

    Shows a password box only when roles are configured. A misconfigured
    ``[roles]`` table shows an error and falls back to ``public``.
    """
    secrets = read_secrets()
    try:
        configured = roles_configured(secrets)
    except ValueError as exc:
        st.sidebar.error(f"Role configuration error: {exc}. Viewing as public.")
        st.session_state[ROLE_KEY] = "public"
        return "public"
    if not configured:
        role = role_for({}, None)
        st.session_state[ROLE_KEY] = role
        st.session_state[_CONFIGURED_KEY] = False
        st.sidebar.caption(
            f"Viewing as: **{role}** (demo default: no roles configured)"
        )
        return role

    if not st.session_state.get(_CONFIGURED_KEY):
        # roles were just configured: nothing granted earlier counts
        st.session_state[ROLE_KEY] = "public"
        st.session_state[_CONFIGURED_KEY] = True
    role = st.session_state.get(ROLE_KEY, "public")
    if role == "public":
        st.sidebar.text_input(
            "Password (staff or investigator)",
            type="password",
            key=PASSWORD_KEY,
            on_change=_sign_in,
            args=(secrets,),
            help="Public visitors see counts only; staff and investigators "
            "sign in with the password they were given.",
        )
        if st.session_state.get("_role_failed"):
            st.sidebar.warning("Password not recognised: viewing as public.")
    else:
        st.sidebar.button("Sign out", key="role_sign_out", on_click=_sign_out)
    st.sidebar.caption(f"Viewing as: **{role}**")
    return role


def _sign_in(secrets: Mapping[str, Any]) -> None:
    password = st.session_state.get(PASSWORD_KEY) or ""
    role = role_for(secrets, password)
    st.session_state[ROLE_KEY] = role
    st.session_state["_role_failed"] = bool(password) and role == "public"
    st.session_state[PASSWORD_KEY] = ""  # do not keep the password around


def _sign_out() -> None:
    st.session_state[ROLE_KEY] = "public"
    st.session_state["_role_failed"] = False
