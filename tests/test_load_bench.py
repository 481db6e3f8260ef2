"""The load bench's arithmetic (the run itself is `python -m analytics bench load`)."""

from __future__ import annotations

import pytest

from analytics.load_bench import (
    page_paths,
    percentile,
    run_load,
    server_errors,
    summarise,
)


def test_percentile_is_nearest_rank():
    values = [float(v) for v in range(1, 21)]  # 1..20
    assert percentile(values, 0.95) == 19.0
    assert percentile(values, 0.5) == 10.0
    assert percentile([3.0], 0.95) == 3.0


def test_summary_counts_failed_views_apart():
    views = [
        ("", 1.0, None),
        ("", 3.0, None),
        ("Registry", 2.0, None),
        ("Registry", 90.0, "timeout: the bench waited 180 s for the end of it"),
    ]
    result = summarise(views, sessions=2, seconds=10)
    assert (result["views"], result["errors"]) == (4, 1)
    assert result["median_s"] == 2.0
    assert result["error_samples"] == [
        "Registry: timeout: the bench waited 180 s for the end of it"
    ]
    assert result["errors_by_kind"] == {"timeout": 1}
    assert result["per_page"]["Overview"] == {"views": 2, "median_s": 2.0, "p95_s": 3.0}
    assert result["per_page"]["Registry"]["views"] == 1


def test_every_page_is_visited():
    paths = page_paths()
    assert paths[0] == ""
    assert "Registry" in paths


@pytest.mark.parametrize(("sessions", "seconds"), [(0, 10), (51, 10), (1, 0)])
def test_load_is_bounded(sessions, seconds):
    with pytest.raises(ValueError, match="must be 1"):
        run_load(sessions=sessions, seconds=seconds)


def test_failures_are_counted_by_their_reason():
    views = [
        ("", 5.0, "timeout: the bench waited 180 s for the page heading"),
        ("Wards", 1.0, "exception: OperationalError: database is locked"),
        ("Wards", 1.0, "exception: OperationalError: database is locked"),
        ("Gaps", 0.1, "connection: net::ERR_CONNECTION_REFUSED"),
        ("Gaps", 0.1, "Something odd"),  # no known kind: the browser's
    ]
    result = summarise(views, sessions=1, seconds=10)
    assert result["errors_by_kind"] == {
        "timeout": 1,
        "exception": 2,
        "connection": 1,
        "browser": 1,
    }
    assert result["median_s"] is None  # no view succeeded
    # the same failure is sampled once
    assert (
        result["error_samples"].count(
            "Wards: exception: OperationalError: database is locked"
        )
        == 1
    )


def test_server_log_errors_are_counted_and_sampled():
    log = "\n".join(
        [
            "  You can now view your Streamlit app in your browser.",
            "Traceback (most recent call last):",
            "sqlalchemy.exc.TimeoutError: QueuePool limit of size 5 overflow 10 "
            "reached",
            "Traceback (most recent call last):",
            "Please replace `use_container_width` with `width`.",
        ]
    )
    found = server_errors(log)
    assert found["lines"] == 3
    assert found["samples"] == [
        "Traceback (most recent call last):",
        "sqlalchemy.exc.TimeoutError: QueuePool limit of size 5 overflow 10 reached",
    ]
