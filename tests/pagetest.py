"""Shared helpers for the AppTests of the pages: demo-only environment, expected
figures computed with the analytics directly."""

from __future__ import annotations

import re
from pathlib import Path

from streamlit.testing.v1 import AppTest

from analytics.config import CITY_ENV, DATA_ENV
from analytics.coverage import coverage_report, filter_incidents
from analytics.privacy import cameras_for_coverage
from analytics.windows import default_window, registry_for
from ui.data import DEMO_SIZE_ENV
from ui.sidebar import CUSTOM, PRESET_KEY

ROOT = Path(__file__).resolve().parent.parent
TIMEOUT = 180


def clear_data_env(monkeypatch) -> None:
    """Run on the synthetic demo whatever the developer's environment says."""
    for var in (*DATA_ENV.values(), *DEMO_SIZE_ENV.values(), CITY_ENV):
        monkeypatch.delenv(var, raising=False)


def small_demo(monkeypatch, cache_dir) -> None:
    """The synthetic demo at 400 cameras and 4,000 incidents, on the disk cache
    ``cache_dir`` (empty for a test that counts what is computed)."""
    clear_data_env(monkeypatch)
    monkeypatch.setenv("CAMREG_DEMO_CAMERAS", "400")
    monkeypatch.setenv("CAMREG_DEMO_INCIDENTS", "4000")
    monkeypatch.setenv("CAMREG_CACHE_DIR", str(cache_dir))


def app(page: str) -> AppTest:
    at = AppTest.from_file(str(ROOT / page), default_timeout=TIMEOUT)
    at.run()
    return at


def window_shown(at: AppTest) -> tuple:
    """The incident window (since, until) the page's sidebar holds."""
    return at.session_state["since"], at.session_state["until"]


def choose_window(at: AppTest, since=None, until=None) -> AppTest:
    """Pick "Custom dates" in the sidebar's period pills and set the two date
    pickers it shows (None keeps a day as it is); the page runs again."""
    if at.pills(key=PRESET_KEY).value != CUSTOM:
        at.pills(key=PRESET_KEY).set_value(CUSTOM).run()
    if since is not None:
        at.date_input(key="since").set_value(since)
    if until is not None:
        at.date_input(key="until").set_value(until)
    return at.run()


def markdown_table_rows(at: AppTest, header: str) -> list[list[str]]:
    """The rows of the page's Markdown table whose first column is headed
    ``header`` (``analytics.safe_output.markdown_table``), cells as written."""
    for block in at.markdown:
        lines = block.value.splitlines()
        if lines and lines[0].startswith(f"| {header} |"):
            return [
                [c.strip() for c in re.split(r"(?<!\\)\|", line)[1:-1]]
                for line in lines[2:]
            ]
    raise AssertionError(f"no Markdown table with a first column {header!r}")


def metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def expected_report(
    ds, *, categories=None, tiers=None, owner_types=None, audience="staff"
):
    """The coverage report the pages should show under the default filters, and
    the cameras and incidents behind it.

    ``audience``: the demo opens as staff, so homes stand at their stand-in
    points (``analytics.privacy.cameras_for_coverage``), as in ``ui.cached``.
    """
    f = default_window(ds.incidents, ds.as_of)
    cams = registry_for(ds.cameras, f, ds.as_of, tiers=tiers, owner_types=owner_types)
    cams = cameras_for_coverage(cams, audience)
    incs = filter_incidents(
        ds.incidents, since=f.since, until=f.until, categories=categories
    )
    return (
        coverage_report(cams, incs, ds.city, city_limit=ds.city_limit, wards=ds.wards),
        cams,
        incs,
    )


# --- sign-in -------------------------------------------------------------------------
PASSWORD = "correct horse battery staple"


def use_store_data(monkeypatch, registry: Path, incidents: Path) -> None:
    """Pages read the registry store at ``registry`` and the incident export
    ``incidents``; every other data variable is cleared."""
    monkeypatch.setenv("CAMREG_REGISTRY_DB", str(registry))
    monkeypatch.setenv("CAMREG_INCIDENTS", str(incidents))
    for name in ("CAMREG_CAMERAS", "CAMREG_CITY", "CAMREG_WARDS", "CAMREG_CITY_LIMIT"):
        monkeypatch.delenv(name, raising=False)


def use_accounts(monkeypatch, tmp_path, **roles: str) -> Path:
    """Accounts ``name=role`` (password ``PASSWORD``) in a file the pages read.

    With accounts set up every visitor is public until signed in. Hashes use a
    cheap Argon2id cost here for speed (the production cost is tested in
    tests/test_accounts.py).
    """
    from argon2 import PasswordHasher

    from analytics.accounts import AccountStore

    monkeypatch.setattr(
        "analytics.accounts._HASHER",
        PasswordHasher(time_cost=1, memory_cost=64, parallelism=1),
    )
    path = tmp_path / "accounts.json"
    store = AccountStore(path)
    for name, role in roles.items():
        store.add(name, role, PASSWORD)
    monkeypatch.setenv("CAMREG_USERS", str(path))
    return path


def sign_in(at: AppTest, name: str, password: str = PASSWORD) -> AppTest:
    """Fill the sidebar sign-in form and submit it."""
    at.sidebar.text_input(key="sign_in_name").input(name)
    at.sidebar.text_input(key="sign_in_password").input(password)
    next(b for b in at.sidebar.button if b.label == "Sign in").click()
    return at.run()
