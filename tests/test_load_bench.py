"""The load bench's arithmetic (the run itself is `python -m analytics bench load`)."""

from __future__ import annotations

import pytest

from analytics.load_bench import page_paths, percentile, run_load, summarise


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
        ("Registry", 90.0, "TimeoutError: too slow"),
    ]
    result = summarise(views, sessions=2, seconds=10)
    assert (result["views"], result["errors"]) == (4, 1)
    assert result["median_s"] == 2.0
    assert result["error_samples"] == ["Registry: TimeoutError: too slow"]
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
