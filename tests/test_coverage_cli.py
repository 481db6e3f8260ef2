"""``coverage`` and ``bench`` commands: JSON output, exit codes, files."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from analytics.cli import main
from analytics.synthetic import generate_demo, write_demo

HEADLINE = (
    "cameras",
    "sites",
    "integrated_cameras",
    "goal",
    "goal_share",
    "area_coverage_share",
    "incident_coverage_share",
    "live_incident_coverage_share",
    "effective_cameras",
)


@pytest.fixture(scope="module")
def demo_files(tmp_path_factory, city):
    demo = generate_demo(city, cameras=300, incidents=3000, seed=5)
    return demo, write_demo(tmp_path_factory.mktemp("demo"), demo)


def run_json(capsys, argv: list[str]) -> dict:
    assert main(argv) == 0
    return json.loads(capsys.readouterr().out)


def test_coverage_json_on_files(capsys, demo_files):
    demo, paths = demo_files
    argv = [
        "coverage",
        "--cameras",
        str(paths["cameras"]),
        "--incidents",
        str(paths["incidents"]),
        "--wards",
        str(paths["wards"]),
        "--city-limit",
        str(paths["city_limit"]),
        "--json",
    ]
    out = run_json(capsys, [*argv, "--whole-record"])
    for key in HEADLINE:
        assert key in out
    # the demo's files carry its marker: loaded back they are still synthetic
    assert out["synthetic"] is True
    assert "cameras.csv" in out["data_label"]
    active = demo.cameras["status"] == "active"
    assert out["cameras"] == int(demo.cameras.loc[active, "camera_count"].sum())
    assert out["sites"] == int(active.sum())
    assert out["incidents"] == 3000
    assert out["goal_share"] == pytest.approx(out["cameras"] / out["goal"])
    assert len(out["wards"]) == 7
    assert sum(w["incidents"] for w in out["wards"]) == 3000

    # the default window is the dashboard's: the 12 months ending on the newest
    # incident, counted here by hand
    default = run_json(capsys, argv)
    when = demo.incidents["occurred_at"]
    newest = when.max().normalize()
    first = newest - pd.DateOffset(months=12) + pd.Timedelta(days=1)
    assert default["until"] == f"{newest:%Y-%m-%d}"
    assert default["since"] == f"{first:%Y-%m-%d}"
    assert default["incidents"] == int((when >= first).sum()) < 3000
    assert default["cameras"] == out["cameras"]
    as_of = pd.Timestamp(default["as_of"])
    assert default["window"].endswith(f"active registry on {as_of:%d %b %Y}")

    # a window and a category narrow the incidents, not the cameras
    narrowed = run_json(
        capsys, [*argv, "--since", "2026-01-01", "--categories", "violent"]
    )
    assert narrowed["cameras"] == out["cameras"]
    when = demo.incidents["occurred_at"]
    expected = (
        (when >= "2026-01-01") & (demo.incidents["category"] == "violent")
    ).sum()
    assert narrowed["incidents"] == int(expected)

    wider = run_json(capsys, [*argv, "--range-scale", "2"])
    assert wider["incident_coverage_share"] > out["incident_coverage_share"]


def test_coverage_text_says_synthetic(capsys):
    assert main(["coverage"]) == 0
    text = capsys.readouterr().out
    assert "synthetic" in text
    assert "Incidents in camera view" in text
    assert "against the active registry on" in text


def test_window_before_the_registry_says_why_instead_of_zeros(capsys, demo_files):
    demo, paths = demo_files
    argv = ["coverage", "--cameras", str(paths["cameras"]), "--incidents"]
    argv += [str(paths["incidents"]), "--since", "2017-01-01", "--until"]
    argv += ["2017-12-31", "--registry", "window-end"]
    assert main(argv) == 0
    text = capsys.readouterr().out
    first = demo.cameras["registered_at"].min()
    assert f"the registry starts in {first:%b %Y}" in text
    assert "Active cameras: 0" not in text
    # today's registry (the default rule) counts every active camera
    out = run_json(capsys, [*argv[:-2], "--json"])
    assert out["cameras"] == int(
        demo.cameras.loc[demo.cameras["status"] == "active", "camera_count"].sum()
    )
    assert out["registry_note"] is None


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--since", "2026-13-01"], "--since"),
        (["--categories", "murder"], "--categories"),
        (["--range-scale", "0"], "--range-scale"),
        (["--since", "2026-02-01", "--until", "2026-01-01"], "after"),
        (["--incidents", "/no/such/file.csv"], ""),
    ],
)
def test_coverage_bad_input_exit_2(capsys, extra, message):
    assert main(["coverage", *extra]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error:")
    assert message in err
    assert "Traceback" not in err


def test_bench_json_small(capsys):
    out = run_json(
        capsys,
        [
            "bench",
            "--cameras",
            "200",
            "--incidents",
            "3000",
            "--repeats",
            "1",
            "--no-recommend",
            "--json",
        ],
    )
    for key in (
        "refresh_seconds",
        "refresh_cold_seconds",
        "naive_refresh_seconds",
        "recommend_seconds",
        "peak_memory_mb",
        "speedup",
        "map_seconds",
        "map_html_bytes",
    ):
        assert key in out
    assert out["refresh_seconds"] > 0
    assert out["speedup"] == pytest.approx(
        out["naive_refresh_seconds"] / out["refresh_seconds"]
    )
    assert out["recommend_seconds"] is None  # skipped
    assert out["peak_memory_mb"] > 0
    assert out["synthetic"] is True
    # both pipelines agree on the shares they compute
    for pair in out["agreement"].values():
        assert pair["ours"] == pytest.approx(pair["naive"], abs=0.01)


def test_bench_rejects_bad_sizes(capsys):
    assert main(["bench", "--cameras", "0"]) == 2
    assert "--cameras" in capsys.readouterr().err
