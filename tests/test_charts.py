"""The pages' charts (``ui.charts``, Vega-Lite through Altair), read from the
spec each one sends: the data drawn, by hand, and what the legend says."""

from __future__ import annotations

from types import SimpleNamespace

import pandas as pd

from ui.charts import (
    BASELINE_COLOUR,
    FADED_COLOUR,
    GOAL_COLOUR,
    HISTORY_COLOUR,
    curve_chart,
    forecast_chart,
    monthly_chart,
    ward_bar_chart,
)


def _rows(spec: dict, field: str) -> list[dict]:
    """The rows of every dataset that has ``field``, in the spec's order."""
    return [
        row
        for rows in spec["datasets"].values()
        if rows and field in rows[0]
        for row in rows
    ]


def _layers(spec: dict) -> list[dict]:
    """Every single-mark layer of a (nested) layer chart."""
    out = []
    for layer in spec.get("layer", [spec]):
        out.extend(_layers(layer) if "layer" in layer else [layer])
    return out


def test_monthly_chart_draws_withdrawals_down_and_no_net_for_a_month_in_progress():
    history = pd.DataFrame(
        {
            "period": pd.to_datetime(["2026-08-01", "2026-09-01", "2026-10-01"]),
            "added": [10, 20, 3],
            "withdrawn": [2, 5, 0],
            "net": [8, 15, 3],
            "complete": [True, True, False],
        }
    )
    spec = monthly_chart(history).to_dict()
    bars = _rows(spec, "series")
    by_series = {}
    for row in bars:
        by_series.setdefault(row["series"], []).append(row["cameras"])
    assert by_series["Registered"] == [10, 20, 3]
    assert by_series["Withdrawn"] == [-2, -5, 0]  # drawn below zero
    assert by_series["Net (full months)"] == [8, 15]  # October is in progress
    colours = spec["layer"][0]["encoding"]["color"]["scale"]
    assert colours["domain"][0] == "Registered"
    assert colours["range"][0] == HISTORY_COLOUR


def test_ward_bars_label_their_values_and_fade_all_but_the_focused_ward():
    table = pd.DataFrame(
        {"ward_name": ["North", "South", "East"], "share": [0.375, 0.1, 0.0]}
    )
    spec = ward_bar_chart(
        table, "share", title="Coverage", percent=True, highlight="South"
    ).to_dict()
    rows = {r["ward"]: r for r in _rows(spec, "ward")}
    assert {w: r["label"] for w, r in rows.items()} == {
        "North": "37.5%",
        "South": "10.0%",
        "East": "0.0%",
    }
    assert {w: r["colour"] for w, r in rows.items()} == {
        "North": FADED_COLOUR,
        "South": HISTORY_COLOUR,
        "East": FADED_COLOUR,
    }
    # the highest at the top
    y = _layers(spec)[0]["encoding"]["y"]
    assert y["sort"] == {"field": "value", "order": "descending"}
    unit = ward_bar_chart(table, "share", title="t", percent=True, unit=" pts")
    assert _rows(unit.to_dict(), "ward")[0]["label"] == "37.5 pts"


def test_forecast_chart_names_its_lines_and_marks_the_goal_and_launch():
    result = SimpleNamespace(
        history=pd.DataFrame(
            {
                "period": pd.to_datetime(["2026-09-01", "2026-10-01"]),
                "cameras": [90, 100],
            }
        ),
        projection=pd.DataFrame(
            {
                "date": pd.to_datetime(["2026-11-30", "2026-12-31"]).date,
                "cameras": [110.0, 120.0],
                "low": [105.0, 110.0],
                "high": [115.0, 130.0],
            }
        ),
        model="linear",
        goal=30_000,
    )
    spec = forecast_chart(result, launch=pd.Timestamp("2024-08-05").date()).to_dict()
    lines = _rows(spec, "cameras")
    assert [(r["series"], r["cameras"]) for r in lines] == [
        ("Active cameras", 90),
        ("Active cameras", 100),
        ("Projection (linear)", 110.0),
        ("Projection (linear)", 120.0),
    ]
    band = _rows(spec, "low")
    assert [(r["low"], r["high"]) for r in band] == [(105.0, 115.0), (110.0, 130.0)]
    labels = _rows(spec, "text")
    assert [r["text"] for r in labels] == ["Goal 30,000", "Launch"]
    assert labels[0]["goal"] == 30_000
    assert labels[1]["date"].startswith("2024-08-05")
    rules = [x for x in _layers(spec) if x.get("mark", {}).get("type") == "rule"]
    assert rules[0]["mark"]["color"] == GOAL_COLOUR
    legend = _layers(spec)[1]["encoding"]["color"]
    assert legend["scale"]["domain"] == [
        "Active cameras",
        "Projection (linear)",
        "80% interval",
    ]


def test_curve_chart_puts_both_curves_in_percent_by_number_of_sites():
    rec = SimpleNamespace(
        curve=pd.DataFrame(
            {
                "k": [1, 2, 3],
                "greedy_share": [0.1, 0.15, 0.18],
                "baseline_share": [0.01, 0.02, 0.02],
            }
        )
    )
    spec = curve_chart(rec).to_dict()
    rows = _rows(spec, "share")
    targeted = [
        (r["k"], round(r["share"], 6))
        for r in rows
        if r["series"] == "Recommended sites"
    ]
    usual = [(r["k"], round(r["share"], 6)) for r in rows if r["series"] == "As usual"]
    assert targeted == [(1, 10.0), (2, 15.0), (3, 18.0)]
    assert usual == [(1, 1.0), (2, 2.0), (3, 2.0)]
    colour = spec["encoding"]["color"]["scale"]
    assert colour["range"][1] == BASELINE_COLOUR  # "As usual", as the metric says
