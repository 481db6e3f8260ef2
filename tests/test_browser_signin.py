"""Real-browser sign-in: the signed cookie keeps a person signed in across reloads.

AppTest cannot set or send cookies, so this drives `streamlit run dashboard.py`
with Chromium (Playwright): sign in through the sidebar form, reload, still
signed in; sign out, reload, signed out; a forged cookie opens nothing. The
accounts file and the audit store live in a temporary directory.

A failing step leaves a screenshot in tests/artifacts/signin-*.png.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from analytics.accounts import AccountStore
from analytics.config import CITY_ENV, DATA_ENV
from analytics.store import RegistryStore
from tests.test_browser import (
    ARTIFACTS,
    CHROMIUM,
    CHROMIUM_ARGS,
    PAGE_TIMEOUT_MS,
    ROOT,
    _free_port,
    _open,
    _wait_until_up,
)
from ui.data import DEMO_SIZE_ENV
from ui.role import SESSION_COOKIE

pytestmark = pytest.mark.browser

PASSWORD = "a long passphrase for the browser test"
SIGNED_IN = "Signed in as"


@pytest.fixture(scope="module")
def accounts_server(tmp_path_factory):
    if not os.path.exists(CHROMIUM):
        pytest.skip(f"{CHROMIUM} is missing: install Debian's chromium package")
    tmp = tmp_path_factory.mktemp("signin")
    AccountStore(tmp / "accounts.json").add("det.lee", "investigator", PASSWORD)
    unset = {*DATA_ENV.values(), *DEMO_SIZE_ENV.values(), CITY_ENV}
    env = {k: v for k, v in os.environ.items() if k not in unset}
    env.update(
        CAMREG_USERS=str(tmp / "accounts.json"),
        CAMREG_AUDIT_DB=str(tmp / "audit.sqlite"),
    )
    port = _free_port()
    ARTIFACTS.mkdir(exist_ok=True)
    log = open(ARTIFACTS / "streamlit-signin-server.log", "w")  # noqa: SIM115
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            "dashboard.py",
            "--server.headless",
            "true",
            "--server.port",
            str(port),
            "--browser.gatherUsageStats",
            "false",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(url, proc)
        yield url, tmp
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)
        log.close()


@pytest.fixture
def browser(accounts_server):
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = chromium.new_context(viewport={"width": 1400, "height": 1000})
        try:
            yield context
        finally:
            chromium.close()


def _sidebar(page):
    return page.locator('[data-testid="stSidebar"]')


def _signed_in(page) -> bool:
    return _sidebar(page).get_by_text(SIGNED_IN).count() > 0


def _wait_idle(page) -> None:
    page.wait_for_selector(
        '[data-testid="stApp"][data-test-script-state="notRunning"]',
        timeout=PAGE_TIMEOUT_MS,
    )


def test_sign_in_survives_a_reload_and_sign_out_does_not(accounts_server, browser):
    url, tmp = accounts_server
    page = browser.new_page()
    try:
        _open(page, f"{url}/Incident_canvass")
        assert not _signed_in(page)
        sidebar = _sidebar(page)
        sidebar.get_by_label("Name", exact=True).fill("det.lee")
        sidebar.get_by_label("Password", exact=True).fill(PASSWORD)
        sidebar.get_by_role("button", name="Sign in").click()
        sidebar.get_by_text(SIGNED_IN).wait_for(timeout=PAGE_TIMEOUT_MS)
        _wait_idle(page)
        # the cookie is set by the page's script: signed, expiring, strict
        page.wait_for_function(
            f"() => document.cookie.includes('{SESSION_COOKIE}=')",
            timeout=PAGE_TIMEOUT_MS,
        )
        cookie = next(c for c in browser.cookies() if c["name"] == SESSION_COOKIE)
        assert cookie["sameSite"] == "Strict"
        assert 7.9 * 3600 < cookie["expires"] - _now(page) <= 8 * 3600 + 5
        assert PASSWORD not in cookie["value"]
        page.screenshot(path=str(ARTIFACTS / "signin-signed-in.png"))

        page.reload()
        _open(page, page.url)
        sidebar.get_by_text(SIGNED_IN).wait_for(timeout=PAGE_TIMEOUT_MS)
        assert sidebar.get_by_text("det.lee").count() >= 1

        sidebar.get_by_role("button", name="Sign out").click()
        sidebar.get_by_role("button", name="Sign in").wait_for(timeout=PAGE_TIMEOUT_MS)
        _wait_idle(page)
        page.reload()
        _open(page, page.url)
        _wait_idle(page)
        assert not _signed_in(page)
        assert sidebar.get_by_role("button", name="Sign in").count() == 1
    except Exception:
        page.screenshot(path=str(ARTIFACTS / "signin-failure.png"), full_page=True)
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
        _open(page, f"{url}/Incident_canvass")
        _wait_idle(page)
        assert not _signed_in(page)
        assert _sidebar(page).get_by_role("button", name="Sign in").count() == 1
    except Exception:
        page.screenshot(path=str(ARTIFACTS / "signin-forged.png"), full_page=True)
        raise


def _now(page) -> float:
    return page.evaluate("() => Date.now() / 1000")


def test_sign_in_works_at_phone_width(accounts_server, browser):
    """On a phone the sidebar starts folded: open it, sign in, stay signed in."""
    url, _ = accounts_server
    page = browser.new_page()
    page.set_viewport_size({"width": 390, "height": 844})
    try:
        _open(page, f"{url}/")
        page.locator('[data-testid="stExpandSidebarButton"]').click()
        sidebar = _sidebar(page)
        sidebar.get_by_label("Name", exact=True).fill("det.lee")
        sidebar.get_by_label("Password", exact=True).fill(PASSWORD)
        page.screenshot(path=str(ARTIFACTS / "signin-phone-form.png"))
        sidebar.get_by_role("button", name="Sign in").click()
        _wait_idle(page)
        page.screenshot(path=str(ARTIFACTS / "signin-phone.png"))
        page.reload()
        _open(page, page.url)
        _wait_idle(page)
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
        page.screenshot(
            path=str(ARTIFACTS / "signin-phone-failure.png"), full_page=True
        )
        raise
