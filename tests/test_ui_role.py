"""ui.role: the sidebar role switch, driven through Streamlit's AppTest."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest


def _app():
    import streamlit as st

    from ui.role import current_role

    st.markdown(f"ROLE={current_role()}")


def _role(at: AppTest) -> str:
    return next(m.value for m in at.markdown if m.value.startswith("ROLE="))[5:]


def test_without_roles_the_demo_runs_as_staff_and_says_so():
    at = AppTest.from_function(_app, default_timeout=30).run()
    assert not at.exception
    assert _role(at) == "staff"
    assert any("demo default" in c.value for c in at.sidebar.caption)
    assert not at.sidebar.text_input  # no password box when nothing is configured


def test_passwords_open_roles_and_sign_out_returns_to_public():
    at = AppTest.from_function(_app, default_timeout=30)
    at.secrets["roles"] = {"investigator": "inv-pass", "staff": "staff-pass"}
    at.run()
    assert _role(at) == "public"
    at.sidebar.text_input(key="role_password").input("inv-pass").run()
    assert not at.exception
    assert _role(at) == "investigator"
    at.sidebar.button(key="role_sign_out").click().run()
    assert _role(at) == "public"
    at.sidebar.text_input(key="role_password").input("staff-pass").run()
    assert _role(at) == "staff"
    at.sidebar.button(key="role_sign_out").click().run()
    at.sidebar.text_input(key="role_password").input("wrong").run()
    assert _role(at) == "public"
    assert at.sidebar.warning


def test_misconfigured_roles_fall_back_to_public_with_an_error():
    at = AppTest.from_function(_app, default_timeout=30)
    at.secrets["roles"] = {"admin": "x"}
    at.run()
    assert not at.exception
    assert _role(at) == "public"
    assert "admin" in at.sidebar.error[0].value
