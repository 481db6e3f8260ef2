"""Page timings of the bench: same demo-size variables as the app, clean output."""

from __future__ import annotations

from analytics.bench_browser import DEMO_SIZE_ENV
from analytics.browser import MAP_PAGES, page_paths
from analytics.cli import cmd_bench
from ui.data import DEMO_SIZE_ENV as APP_DEMO_SIZE_ENV


def test_bench_sizes_the_demo_through_the_variables_the_app_reads():
    assert DEMO_SIZE_ENV == APP_DEMO_SIZE_ENV


def test_every_page_is_known_and_map_pages_exist():
    paths = page_paths()
    assert paths["Overview"] == ""  # the landing page
    assert paths["Coverage_map"] == "Coverage_map"
    assert set(MAP_PAGES) - {"Overview"} <= set(paths.values())


def test_page_times_print_as_a_table(capsys):
    result = {
        "registrations": 30_000,
        "incidents": 1_000_000,
        "server_start_seconds": 1.25,
        "first_visit_seconds": {"figures": 2.5, "map": 3.75, "done": 4.0},
        "later_visit_seconds": {"figures": 0.5, "map": 0.75, "done": 0.8},
        "page_switch_seconds": {"done": 0.9},
        "rerun_seconds": {"done": 0.6},
    }
    cmd_bench.print_page_times(result)
    out = capsys.readouterr().out
    assert "30,000 registrations" in out
    assert "  first_visit_seconds            2.50     3.75     4.00" in out
    assert "  rerun_seconds                                    0.60" in out
    assert "cold_first" not in out  # not measured (restart=False): not printed


def test_a_cold_first_visit_is_printed_beside_the_restart():
    import io
    from contextlib import redirect_stdout

    result = {
        "registrations": 300,
        "incidents": 3_000,
        "server_start_seconds": 1.0,
        "cold_first_visit_seconds": {"figures": 9.5, "map": 12.0, "done": 12.5},
        "first_visit_seconds": {"figures": 1.5, "map": 2.0, "done": 2.25},
        "later_visit_seconds": {"figures": 0.5, "map": 0.75, "done": 0.8},
        "page_switch_seconds": {"done": 0.9},
        "rerun_seconds": {"done": 0.6},
    }
    buffer = io.StringIO()
    with redirect_stdout(buffer):
        cmd_bench.print_page_times(result)
    lines = buffer.getvalue().splitlines()
    assert lines[2] == "  cold_first_visit_seconds       9.50    12.00    12.50"
    assert lines[3] == "  first_visit_seconds            1.50     2.00     2.25"


def test_the_floor_and_a_returning_visit_print_after_the_targets(capsys):
    """The bare Streamlit page's time is printed last, to read the others by."""
    result = {
        "registrations": 300,
        "incidents": 3_000,
        "server_start_seconds": 1.0,
        "first_visit_seconds": {"figures": 1.5, "map": 2.0, "done": 2.25},
        "rerun_seconds": {"done": 0.6},
        "returning_visit_seconds": {"figures": 0.75, "map": 1.25, "done": 1.5},
        "floor_visit_seconds": {"figures": 1.75, "done": 2.0},
    }
    cmd_bench.print_page_times(result)
    lines = capsys.readouterr().out.splitlines()
    assert lines[-2] == "  returning_visit_seconds        0.75     1.25     1.50"
    assert lines[-1] == "  floor_visit_seconds            1.75              2.00"


def test_the_bench_waits_for_the_warmup_by_its_record_on_disk():
    from analytics.bench_browser import WARMUP_DONE
    from ui.warmup import DONE_NAME

    assert WARMUP_DONE == DONE_NAME  # the bench reads what the warm-up writes


def test_page_switches_through_the_menu_print_by_page_after_the_table(capsys):
    result = {
        "registrations": 300,
        "incidents": 3_000,
        "server_start_seconds": 1.0,
        "rerun_seconds": {"done": 0.6},
        "page_switches": {"Coverage map": 1.4, "Goal progress": 0.875},
    }
    cmd_bench.print_page_times(result)
    lines = capsys.readouterr().out.splitlines()
    assert lines[-3] == "  page switches through the menu (done, seconds):"
    assert lines[-2] == "    Coverage map                   1.40"
    assert lines[-1] == "    Goal progress                  0.88"


def test_later_timings_are_medians_of_several_visitors_and_say_so(capsys):
    """Single visits moved by half a second: the later timings are each
    field's median over the new visitors, and the table says over how many."""
    from analytics.bench_browser import median_times

    switches = [
        {"figures": 0.30, "map": 3.01, "done": 3.01},
        {"figures": 0.25, "map": 1.84, "done": 1.84},
        {"figures": None, "map": 1.95, "done": 1.95},  # no figure drawn
    ]
    # figures: median of 0.25 and 0.30; map: middle of 1.84, 1.95, 3.01
    assert median_times(switches) == {"figures": 0.275, "map": 1.95, "done": 1.95}
    assert median_times([{"done": 1.0}]) == {"done": 1.0}
    cmd_bench.print_page_times(
        {
            "registrations": 300,
            "incidents": 3_000,
            "server_start_seconds": 1.0,
            "later_visitors": 3,
            "page_switch_seconds": median_times(switches),
        }
    )
    out = capsys.readouterr().out
    assert "the median of 3 new visitors" in out
    assert "  page_switch_seconds            0.28     1.95     1.95" in out
