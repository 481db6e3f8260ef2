"""Who is looking: people sign in as themselves, and the page gets their role.

The deployment's settings decide how (``analytics.accounts.resolve_auth``):

* named accounts (``python -m analytics users add ...``): a sign-in form in the
  sidebar; a signed, expiring cookie keeps the sign-in across reloads;
* single sign-on: ``[auth]`` and ``[sso]`` in ``.streamlit/secrets.toml`` use
  Streamlit's ``st.login`` (OIDC) and map e-mails, groups or domains to roles;
* no accounts: the synthetic demo views as staff, real data as public, and the
  sidebar says how to add accounts;
* anything broken (malformed secrets, the old shared ``[roles]`` passwords, an
  accounts file with an empty password): an error page for everyone.

Sign-ins, refused attempts and sign-outs go to the audit log.

>>> viewer = current_viewer(city, synthetic=ds.synthetic)   # in ui.page
>>> viewer.name, viewer.role, viewer.audience
('jsmith', 'admin', 'investigator')
"""

from __future__ import annotations

import json
import logging
import sqlite3
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import streamlit as st

from analytics.accounts import (
    SESSION_HOURS,
    Account,
    AccountStore,
    AuthSetup,
    SsoConfig,
    Viewer,
    resolve_auth,
    viewer_from_claims,
)
from analytics.audit import open_dashboard_store, record_sign_in
from analytics.config import CityConfig
from analytics.safe_output import escape_markdown
from analytics.store import StoreError

LOG = logging.getLogger(__name__)
SESSION_COOKIE = "camreg_session"
ROLE_KEY = "role"  # the viewer's data audience, for code that reads session state
VIEWER_KEY = "viewer"
_ACCOUNT_KEY = "_signed_in_account"
_EPOCH_KEY = "_signed_in_epoch"
_SET_COOKIE_KEY = "_cookie_to_set"
_CLEAR_COOKIE_KEY = "_cookie_to_clear"
_WROTE_COOKIE_KEY = "_cookie_written"
_FAILED_KEY = "_sign_in_message"
_SSO_RECORDED_KEY = "_sso_sign_in_recorded"


def read_secrets() -> tuple[Mapping[str, Any], str | None]:
    """(secrets, error): ``st.secrets`` as a dict, and why it could not be read.

    No secrets file at all is ``({}, None)``. A file that exists but does not
    parse is ``({}, "...")``: the caller must not treat it as "no settings".
    """
    try:
        return st.secrets.to_dict(), None
    except FileNotFoundError as exc:  # StreamlitSecretNotFoundError subclasses it
        if _secrets_file_exists():
            return {}, str(exc)
        return {}, None
    except Exception as exc:  # any other failure means a broken file
        return {}, f"{type(exc).__name__}: {exc}"


def _secrets_file_exists() -> bool:
    from streamlit import config

    paths = config.get_option("secrets.files") or []
    return any(Path(p).exists() for p in paths)


def current_viewer(city: CityConfig, *, synthetic: bool) -> Viewer:
    """The signed-in person (or the anonymous default), drawn in the sidebar.

    Stops the page with an error when the sign-in settings are broken.
    """
    secrets, error = read_secrets()
    setup = resolve_auth(secrets, error, synthetic=synthetic)
    if setup.mode == "error":
        st.error(
            "Sign-in is not configured correctly, so the dashboard is closed to "
            f"everyone until it is fixed: {setup.message}"
        )
        st.stop()
    if setup.mode == "demo":
        viewer = Viewer(None, "staff", "demo")
        st.sidebar.caption(f"Viewing as: **staff** (demo). {setup.message}")
    elif setup.mode == "public":
        viewer = Viewer(None, "public", "public")
        st.sidebar.info(setup.message)
        st.sidebar.caption("Viewing as: **public**")
    elif setup.mode == "sso":
        viewer = _sso_viewer(setup.sso, city)
    else:
        viewer = _account_viewer(setup, city)
    st.session_state[VIEWER_KEY] = viewer
    st.session_state[ROLE_KEY] = viewer.audience
    return viewer


def current_role(city: CityConfig | None = None, *, synthetic: bool = False) -> str:
    """The viewer's data audience (``analytics.privacy.ROLES``).

    Without arguments: the configured city, treated as real data (so with no
    accounts the viewer is public: the safe default).
    """
    if city is None:
        from analytics.config import load_city

        city = load_city()
    return current_viewer(city, synthetic=synthetic).audience


# --- single sign-on -----------------------------------------------------------------
def _sso_viewer(sso: SsoConfig, city: CityConfig) -> Viewer:
    if st.user.is_logged_in:
        viewer = viewer_from_claims(st.user.to_dict(), sso)
        if st.session_state.get(_SSO_RECORDED_KEY) != viewer.name:
            _audit(city, viewer.audit_name, "ok", role=viewer.role, how="sso")
            st.session_state[_SSO_RECORDED_KEY] = viewer.name
        st.sidebar.caption(
            f"Signed in as **{escape_markdown(viewer.name)}** ({viewer.role})"
        )
        if st.sidebar.button("Sign out", key="sso_sign_out"):
            st.logout()
        return viewer
    if st.sidebar.button("Sign in with your city account", key="sso_sign_in"):
        if sso.provider:
            st.login(sso.provider)
        else:
            st.login()
    st.sidebar.caption("Viewing as: **public**")
    return Viewer(None, "public", "public")


# --- named accounts -----------------------------------------------------------------
def _account_viewer(setup: AuthSetup, city: CityConfig) -> Viewer:
    store = setup.accounts
    _cookie_scripts()
    account = _session_account(store)
    if account is not None:
        st.sidebar.caption(f"Signed in as **{account.name}** ({account.role})")
        st.sidebar.button(
            "Sign out", key="sign_out", on_click=_sign_out, args=(store, city)
        )
        return Viewer(account.name, account.role, "account")
    with st.sidebar.form("sign_in", clear_on_submit=True, enter_to_submit=True):
        st.markdown("**Sign in** (staff and investigators)")
        name = st.text_input("Name", key="sign_in_name", autocomplete="username")
        password = st.text_input(
            "Password",
            type="password",
            key="sign_in_password",
            autocomplete="current-password",
        )
        submitted = st.form_submit_button("Sign in")
    if submitted:
        _sign_in(store, city, name, password)
    message = st.session_state.get(_FAILED_KEY)
    if message:
        st.sidebar.warning(message)
    st.sidebar.caption("Viewing as: **public** until you sign in")
    return Viewer(None, "public", "public")


def _session_account(store: AccountStore) -> Account | None:
    """The account of this session, or of a valid sign-in cookie, checked now.

    An account disabled, deleted or signed out elsewhere since the sign-in ends
    the session on its next run.
    """
    name = st.session_state.get(_ACCOUNT_KEY)
    if name:
        account = store.accounts().get(name)
        epoch = st.session_state.get(_EPOCH_KEY)
        if (
            account is not None
            and not account.disabled
            and account.session_epoch == epoch
        ):
            return account
        _forget_session()
        return None
    token = st.context.cookies.get(SESSION_COOKIE)
    account = store.account_for_token(token)
    if account is None:
        if token:  # expired, forged or ended: drop it from the browser
            st.session_state[_CLEAR_COOKIE_KEY] = True
        return None
    st.session_state[_ACCOUNT_KEY] = account.name
    st.session_state[_EPOCH_KEY] = account.session_epoch
    return account


def _sign_in(store: AccountStore, city: CityConfig, name: str, password: str) -> None:
    result = store.authenticate(name, password)
    known = result.account
    _audit(
        city,
        known.name if known else name,
        result.reason,
        role=known.role if result.ok else "",
    )
    if not result.ok:
        st.session_state[_FAILED_KEY] = result.message
        return
    account = result.account
    st.session_state[_FAILED_KEY] = ""
    st.session_state[_ACCOUNT_KEY] = account.name
    st.session_state[_EPOCH_KEY] = account.session_epoch
    st.session_state[_SET_COOKIE_KEY] = store.issue_token(account)
    st.session_state[_WROTE_COOKIE_KEY] = True
    st.session_state.pop(_CLEAR_COOKIE_KEY, None)
    st.rerun()


def _sign_out(store: AccountStore, city: CityConfig) -> None:
    name = st.session_state.get(_ACCOUNT_KEY)
    if name:
        # ends this account's sessions everywhere: a copied cookie dies too
        account = store.end_sessions(name)
        _audit(city, name, "signed_out", role=account.role)
    _forget_session()


def _forget_session() -> None:
    for key in (_ACCOUNT_KEY, _EPOCH_KEY, _SET_COOKIE_KEY):
        st.session_state.pop(key, None)
    st.session_state[_CLEAR_COOKIE_KEY] = True


def _cookie_scripts() -> None:
    """Set or clear the sign-in cookie in the browser while a change is pending.

    Streamlit reads cookies (``st.context.cookies``) when a session starts but
    cannot set them, so a tiny script does: ``Max-Age`` = ``SESSION_HOURS``,
    ``SameSite=Strict``, ``Secure`` on HTTPS. The token is signed and names a
    session epoch, so a stolen or stale cookie is refused by the server.
    """
    token = st.session_state.get(_SET_COOKIE_KEY)
    current = st.context.cookies.get(SESSION_COOKIE)
    if token and token != current:
        cookie = f"{SESSION_COOKIE}={token}; Max-Age={SESSION_HOURS * 3600}"
        _cookie_script(cookie)
    elif st.session_state.get(_CLEAR_COOKIE_KEY) and (
        current or st.session_state.get(_WROTE_COOKIE_KEY)
    ):
        _cookie_script(f"{SESSION_COOKIE}=; Max-Age=0")


def _cookie_script(cookie: str) -> None:
    body = (
        "<script>(function () {"
        f"var c = {json.dumps(cookie + '; Path=/; SameSite=Strict')};"
        "if (window.location.protocol === 'https:') { c += '; Secure'; }"
        "document.cookie = c;"
        "})();</script>"
    )
    with st.sidebar:
        st.html(body, unsafe_allow_javascript=True)


def _audit(
    city: CityConfig, name: str, outcome: str, *, role: str = "", how: str = "account"
) -> None:
    """Write a sign-in event; a broken store is logged, not shown to the visitor."""
    try:
        store = open_dashboard_store(city)
        record_sign_in(store, name, outcome, role=role, how=how)
    except (StoreError, sqlite3.Error, OSError, ValueError) as exc:
        LOG.warning("sign-in event for %r not written to the audit log: %s", name, exc)
