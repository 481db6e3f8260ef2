"""Real-browser sign-in: the signed cookie keeps a person signed in across reloads.

AppTest cannot set or send cookies, so this drives `streamlit run dashboard.py`
with Chromium (Playwright): sign in through the sidebar form, reload, still
signed in; sign out, reload, signed out; a forged cookie opens nothing. The
accounts file and the audit store live in a temporary directory.

A failing step leaves a screenshot in tests/artifacts/signin-*.png.
"""

from __future__ import annotations

import json

import pytest

from analytics.accounts import AccountStore
from analytics.browser import dashboard_server
from analytics.store import RegistryStore
from tests.browserkit import (
    PAGE_TIMEOUT_MS,
    artifact,
    demo_env,
    open_app,
    wait_idle,
    warm_up,
)
from ui.role import SESSION_COOKIE

pytestmark = pytest.mark.browser

PASSWORD = "a long passphrase for the browser test"
SIGNED_IN = "Signed in as"


@pytest.fixture(scope="module")
def accounts_server(tmp_path_factory, chromium):  # skips without Chromium
    tmp = tmp_path_factory.mktemp("signin")
    AccountStore(tmp / "accounts.json").add("det.lee", "investigator", PASSWORD)
    env = demo_env(
        {
            "CAMREG_USERS": str(tmp / "accounts.json"),
            "CAMREG_AUDIT_DB": str(tmp / "audit.sqlite"),
        }
    )
    with dashboard_server(env, log=artifact("streamlit-signin-server.log")) as url:
        warm_up(url, chromium)
        yield url, tmp


@pytest.fixture
def browser(accounts_server, chromium):
    """A fresh browser context (its own cookies) per test, in the file's Chromium."""
    context = chromium.new_context(viewport={"width": 1400, "height": 1000})
    yield context
    context.close()


def _sidebar(page):
    return page.locator('[data-testid="stSidebar"]')


def _signed_in(page) -> bool:
    return _sidebar(page).get_by_text(SIGNED_IN).count() > 0


def test_sign_in_survives_a_reload_and_sign_out_does_not(accounts_server, browser):
    url, tmp = accounts_server
    page = browser.new_page()
    try:
        open_app(page, f"{url}/Incident_canvass")
        sidebar = _sidebar(page)
        sidebar.get_by_role("button", name="Sign in").wait_for(timeout=PAGE_TIMEOUT_MS)
        assert not _signed_in(page)
        sidebar.get_by_label("Name", exact=True).fill("det.lee")
        sidebar.get_by_label("Password", exact=True).fill(PASSWORD)
        sidebar.get_by_role("button", name="Sign in").click()
        sidebar.get_by_text(SIGNED_IN).wait_for(timeout=PAGE_TIMEOUT_MS)
        wait_idle(page)
        # the cookie is set by the page's script: signed, expiring, strict
        _wait_for_cookie(page)
        cookie = next(c for c in browser.cookies() if c["name"] == SESSION_COOKIE)
        assert cookie["sameSite"] == "Strict"
        assert 7.9 * 3600 < cookie["expires"] - _now(page) <= 8 * 3600 + 5
        assert PASSWORD not in cookie["value"]
        page.screenshot(path=str(artifact("signin-signed-in.png")))

        page.reload()
        open_app(page, page.url)
        sidebar.get_by_text(SIGNED_IN).wait_for(timeout=PAGE_TIMEOUT_MS)
        assert sidebar.get_by_text("det.lee").count() >= 1

        sidebar.get_by_role("button", name="Sign out").click()
        sidebar.get_by_role("button", name="Sign in").wait_for(timeout=PAGE_TIMEOUT_MS)
        wait_idle(page)
        page.reload()
        open_app(page, page.url)
        sidebar.get_by_role("button", name="Sign in").wait_for(timeout=PAGE_TIMEOUT_MS)
        assert not _signed_in(page)
        assert sidebar.get_by_role("button", name="Sign in").count() == 1
    except Exception:
        page.screenshot(path=str(artifact("signin-failure.png")), full_page=True)
        raise
    log = RegistryStore(tmp / "audit.sqlite").audit_log()
    actions = list(zip(log["action"], log["user"], strict=True))
    assert ("sign_in", "det.lee") in actions
    assert ("sign_out", "det.lee") in actions
    # the canvass page recorded what it showed, under the person's name
    looks = log[log["action"] == "canvass"]
    assert "det.lee" in set(looks["user"])
    assert all(json.loads(d)["contacts_shown"] is False for d in looks["details"])


def test_a_forged_cookie_opens_nothing(accounts_server, browser):
    url, _ = accounts_server
    browser.add_cookies(
        [
            {
                "name": SESSION_COOKIE,
                "value": "eyJ1IjoiZGV0LmxlZSIsImUiOjAsInQiOjB9.forged-signature",
                "url": url,
            }
        ]
    )
    page = browser.new_page()
    try:
        open_app(page, f"{url}/Incident_canvass")
        sign_in = _sidebar(page).get_by_role("button", name="Sign in")
        sign_in.wait_for(timeout=PAGE_TIMEOUT_MS)
        assert not _signed_in(page)
        assert sign_in.count() == 1
    except Exception:
        page.screenshot(path=str(artifact("signin-forged.png")), full_page=True)
        raise


def _wait_for_cookie(page) -> None:
    page.wait_for_function(
        f"() => document.cookie.includes('{SESSION_COOKIE}=')",
        timeout=PAGE_TIMEOUT_MS,
    )


def _now(page) -> float:
    return page.evaluate("() => Date.now() / 1000")


def test_sign_in_works_at_phone_width(accounts_server, browser):
    """On a phone the sidebar starts folded: open it, sign in, stay signed in."""
    url, _ = accounts_server
    page = browser.new_page()
    page.set_viewport_size({"width": 390, "height": 844})
    try:
        open_app(page, f"{url}/")
        page.locator('[data-testid="stExpandSidebarButton"]').click()
        sidebar = _sidebar(page)
        sidebar.get_by_label("Name", exact=True).fill("det.lee")
        sidebar.get_by_label("Password", exact=True).fill(PASSWORD)
        page.screenshot(path=str(artifact("signin-phone-form.png")))
        sidebar.get_by_role("button", name="Sign in").click()
        # signed in when the rerun has set the cookie: an idle check right
        # after the click could still see the run before it
        sidebar.get_by_text(SIGNED_IN).wait_for(
            state="attached", timeout=PAGE_TIMEOUT_MS
        )
        _wait_for_cookie(page)
        wait_idle(page)
        page.screenshot(path=str(artifact("signin-phone.png")))
        page.reload()
        open_app(page, page.url)
        wait_idle(page)
        # after a reload the sidebar may come back folded or open: wait for
        # whichever shows first instead of guessing from a half-drawn page
        expand = page.locator('[data-testid="stExpandSidebarButton"]')
        signed = sidebar.get_by_text(SIGNED_IN)
        expand.or_(signed).first.wait_for(timeout=PAGE_TIMEOUT_MS)
        if expand.is_visible():
            expand.click()
        signed.wait_for(timeout=PAGE_TIMEOUT_MS)
        # the form fits the screen: no sideways scrolling
        width = page.evaluate("() => document.documentElement.scrollWidth")
        assert width <= 390
    except Exception:
        page.screenshot(path=str(artifact("signin-phone-failure.png")), full_page=True)
        raise
