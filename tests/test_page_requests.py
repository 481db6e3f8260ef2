"""AppTest of the Requests and outcomes page on the synthetic demo, per role."""

from __future__ import annotations

import pytest

from analytics.datasets import load_dataset
from analytics.footage_demo import demo_footage
from analytics.footage_view import (
    FootageHistory,
    integration_cost_per_year,
    requests_view,
)
from tests.pagetest import app, clear_data_env, metrics
from ui.sidebar import default_filters_for

PAGE = "pages/8_Requests_and_outcomes.py"


@pytest.fixture(autouse=True)
def demo_only(monkeypatch):
    clear_data_env(monkeypatch)


@pytest.fixture(scope="module")
def expected():
    ds = load_dataset()
    demo = demo_footage(ds.cameras, ds.incidents, as_of=ds.as_of)
    history = FootageHistory(demo.requests, demo.cases, demo.verified, "synthetic")
    f = default_filters_for(ds)  # the sidebar's default window
    return requests_view(
        history,
        ds.cameras,
        ds.incidents,
        role="staff",
        since=f.since,
        until=f.until,
        as_of=ds.as_of,
        min_group_size=ds.city.min_group_size,
        device_cost_usd_per_year=integration_cost_per_year(ds.cameras, ds.city.devices),
    )


@pytest.fixture(scope="module")
def run():
    return app(PAGE)


def test_page_shows_the_analytics_figures(run, expected):
    assert not run.exception
    shown = metrics(run)
    stats = expected.stats
    assert shown["Footage requests"] == f"{stats.requests:,}"
    assert shown["Requests fulfilled"] == f"{stats.fulfilled_share:.1%}"
    assert shown["Footage that helped"] == f"{stats.useful_share:.1%}"
    assert shown["Stale registrations"] == f"{expected.stale_count:,}"
    assert stats.requests > 100  # the demo has a history to show


def test_staff_see_aggregates_but_no_rows_or_camera_ids(run, expected):
    # the demo opens as staff
    assert "Requests" not in [h.value for h in run.subheader]
    texts = " ".join(str(df.value.to_csv()) for df in run.dataframe)
    assert "CAM-" not in texts
    assert "DEMO-" not in texts
    assert expected.rows is None


def test_demo_answer_rates_differ_by_tier(expected):
    by_tier = expected.by_tier.set_index("group")["share"]
    assert by_tier["integrated"] > by_tier["registered"] + 0.2


def _no_raw_numbers(frame) -> None:
    """Every cell is text: no float, no 'nan' or 'None' reaches the table."""
    for column in frame.columns:
        for value in frame[column]:
            assert isinstance(value, str), (column, value)
            assert value not in ("nan", "None", "NaT"), column


def test_group_tables_are_formatted_with_one_decimal_percent(run, expected):
    by_tier = run.dataframe[0].value
    _no_raw_numbers(by_tier)
    want = expected.by_tier.set_index("group")["share"]
    got = by_tier.set_index("Tier")["Requests fulfilled"]
    for tier, value in want.items():
        assert got[tier] == f"{value:.1%}"  # e.g. "84.3%"
    assert got.str.fullmatch(r"\d{1,3}\.\d%").all()


def test_investigator_tables_are_formatted(monkeypatch, tmp_path, expected):
    from tests.pagetest import sign_in, use_accounts

    use_accounts(monkeypatch, tmp_path, det="investigator")
    at = sign_in(app(PAGE), "det")
    assert not at.exception
    headers = [h.value for h in at.subheader]
    assert "Requests" in headers
    assert "Re-verification queue" in headers
    rows, queue = at.dataframe[2].value, at.dataframe[3].value
    _no_raw_numbers(rows)
    _no_raw_numbers(queue)
    # timestamps to the minute ("01 Nov 2026 14:05"), days as "01 Nov 2026"
    assert rows["Requested"].str.fullmatch(r"\d\d \w{3} \d{4} \d\d:\d\d").all()
    assert queue["Last verified"].str.fullmatch(r"\d\d \w{3} \d{4}|–").all()
    assert queue["Months since"].str.fullmatch(r"[\d,]+\.\d|–").all()
    assert set(queue["Footage never arrived"]) <= {"yes", "no"}
    assert len(queue) == expected.stale_count


def test_only_the_dates_are_offered_in_the_sidebar(run):
    """Requests are counted over the whole registry: offence, tier, owner, range
    and verified filters would change nothing here, so they are not drawn."""
    assert [p.key for p in run.sidebar.pills] == ["date_preset"]
    assert not run.sidebar.date_input  # until "Custom dates" is chosen
    assert not run.sidebar.slider
    assert not run.sidebar.toggle


def test_public_sees_pinned_window_groups_and_no_rows_or_forms(monkeypatch, tmp_path):
    """With accounts set up, a visitor who has not signed in is public: the
    figures and group tables of the default window (a shared link's shorter
    window is ignored: in the demo's last 14 days institutional and public
    owners answered fewer than 5 requests, which suppression would blank, and
    differencing windows would expose), and no rows, camera ids or forms."""
    from datetime import timedelta

    from streamlit.testing.v1 import AppTest

    from analytics.footage import suppress_groups
    from tests.pagetest import ROOT, TIMEOUT, use_accounts

    use_accounts(monkeypatch, tmp_path, det="investigator")
    ds = load_dataset()
    f = default_filters_for(ds)
    demo = demo_footage(ds.cameras, ds.incidents, as_of=ds.as_of)
    history = FootageHistory(demo.requests, demo.cases, demo.verified, "synthetic")
    view = requests_view(
        history, ds.cameras, ds.incidents, role="public", since=f.since,
        until=f.until, as_of=ds.as_of, min_group_size=ds.city.min_group_size,
    )  # fmt: skip
    at = AppTest.from_file(str(ROOT / PAGE), default_timeout=TIMEOUT)
    at.query_params["since"] = (f.until - timedelta(days=13)).isoformat()
    at.run()
    assert not at.exception
    assert any(f"Requests made {f.since:%d %b %Y}" in c.value for c in at.caption)
    texts = " ".join(str(df.value.to_csv()) for df in at.dataframe)
    assert "CAM-" not in texts
    assert "DEMO-" not in texts
    assert not [b for b in at.button if b.key in ("record_answer", "record_outcome")]
    assert any("show a dash" in c.value for c in at.caption)
    shown = at.dataframe[1].value.set_index("Owner type")["Requests fulfilled"]
    want = suppress_groups(
        view.stats.fulfilled_by_owner_type, ds.city.min_group_size
    ).set_index("group")["share"]
    for group, share in want.items():
        assert shown[group] == ("–" if share is None else f"{share:.1%}")
