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
from ui.sidebar import default_filters

PAGE = "pages/8_Requests_and_outcomes.py"


@pytest.fixture(autouse=True)
def demo_only(monkeypatch):
    clear_data_env(monkeypatch)


@pytest.fixture(scope="module")
def expected():
    ds = load_dataset()
    demo = demo_footage(ds.cameras, ds.incidents, as_of=ds.as_of)
    history = FootageHistory(demo.requests, demo.cases, demo.verified, "synthetic")
    f = default_filters(ds.as_of, ds.incidents["occurred_at"].min().date())
    return requests_view(
        history,
        ds.cameras,
        ds.incidents,
        role="staff",
        since=f.since,
        until=f.until,
        as_of=ds.as_of,
        min_group_size=ds.city.min_group_size,
        device_cost_usd_per_year=integration_cost_per_year(
            ds.cameras, ds.city.devices
        ),
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
