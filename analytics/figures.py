"""The catalogue of figures: each headline figure defined once, with its name, its
meaning in one sentence, its unit and how it is written.

Pages, the briefing, the command line's text output, the README's figure table and
docs/figures.md all take names and formats from here, so the same question gets the
same answer in the same words everywhere.

Two families:

* **Program figures** (``scope="program"``): the registry as a whole on the data's
  date, never narrowed by a sidebar filter or a window: active cameras, share of
  the goal, pace, projected goal date, years at today's pace.
  :func:`program_figures` computes them from the goal forecast.
* **Window figures** (``scope="window"``): coverage of the incidents in a time
  window (:mod:`analytics.windows`) by the registry that window is measured
  against. :func:`window_figures` reads them from a coverage report.

>>> FIGURES["active_cameras"].name
'Active cameras'
>>> show("goal_share", 0.15771)
'15.8%'
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from analytics import formatting

if TYPE_CHECKING:
    from analytics.footage import RequestStats
    from analytics.forecast import ForecastResult

__all__ = [
    "FIGURES",
    "Figure",
    "goal_date_text",
    "goal_sentence",
    "label",
    "markdown_table",
    "program_figures",
    "request_figures",
    "request_texts",
    "requests_sentence",
    "show",
    "window_figures",
]


@dataclass(frozen=True)
class Figure:
    """One headline figure.

    ``key`` is its name in code and JSON; ``name`` what people read;
    ``meaning`` one sentence; ``unit`` what it counts; ``fmt`` a name in
    :data:`analytics.formatting.FORMATS`; ``scope`` ``"program"`` or
    ``"window"``; ``surfaces`` where it appears.
    """

    key: str
    name: str
    meaning: str
    unit: str
    fmt: str
    scope: str
    surfaces: tuple[str, ...]

    def show(self, value: object) -> str:
        """``value`` written in this figure's format (a dash when missing)."""
        return formatting.FORMATS[self.fmt](value)


_ALL = ("Overview", "Goal progress", "briefing", "CLI forecast", "CLI coverage")
_REQUESTS = ("Overview", "Requests and outcomes", "briefing", "CLI requests")
_COVERAGE = ("Overview", "Coverage map", "Wards", "briefing", "CLI coverage")

_FIGURES = (
    # --- program figures: the registry as a whole, never filtered --------------------
    Figure(
        "active_cameras",
        "Active cameras",
        "Cameras in every active registration on the data's date, both tiers; a shop "
        "that registered 4 cameras counts 4, a withdrawn camera counts nowhere.",
        "cameras",
        "count",
        "program",
        _ALL,
    ),
    Figure(
        "active_sites",
        "Active sites",
        "Active registrations (addresses), whatever their number of cameras.",
        "sites",
        "count",
        "program",
        ("Overview", "Goal progress", "briefing", "CLI forecast", "CLI coverage"),
    ),
    Figure(
        "integrated_cameras",
        "Integrated cameras",
        "Active cameras police can view live through an integration device (the "
        "integrated tier); the rest are seen on request.",
        "cameras",
        "count",
        "program",
        ("Overview", "briefing", "CLI forecast", "CLI coverage"),
    ),
    Figure(
        "goal",
        "Goal",
        "The number of active cameras the program aims for (the city file's goal).",
        "cameras",
        "count",
        "program",
        _ALL,
    ),
    Figure(
        "goal_share",
        "Share of the goal",
        "Active cameras divided by the goal.",
        "share",
        "pct",
        "program",
        _ALL,
    ),
    Figure(
        "cameras_to_go",
        "Cameras to go",
        "The goal minus active cameras (0 once it is reached).",
        "cameras",
        "count",
        "program",
        ("Overview", "Goal progress", "briefing", "CLI forecast"),
    ),
    Figure(
        "current_pace",
        "Current pace",
        "Cameras registered minus cameras withdrawn per month, averaged over the "
        "last 6 full months.",
        "cameras a month",
        "pace",
        "program",
        _ALL[:4],
    ),
    Figure(
        "years_at_pace",
        "Years to goal at today's pace",
        "Cameras to go divided by the current pace, in years: how long it takes if "
        "today's pace simply continues.",
        "years",
        "years",
        "program",
        _ALL[:4],
    ),
    Figure(
        "projected_goal_date",
        "Projected goal date",
        "The month the forecast model (chosen by backtest: a steady pace over the "
        "last 12 months, or a pace growing or shrinking by a fixed share) reaches "
        "the goal, or 'Not by' the end of its 10-year horizon.",
        "month",
        "month",
        "program",
        _ALL[:4],
    ),
    Figure(
        "required_pace",
        "Required pace",
        "Net cameras a month needed from the data's date to reach the goal by the "
        "chosen target date.",
        "cameras a month",
        "pace",
        "program",
        ("Goal progress", "CLI forecast"),
    ),
    # --- window figures: coverage of a window's incidents ---------------------------
    Figure(
        "incidents",
        "Incidents in the window",
        "Reported incidents in the time window and offence categories measured.",
        "incidents",
        "count",
        "window",
        _COVERAGE,
    ),
    Figure(
        "violent_incidents",
        "Violent incidents",
        "Reported incidents in the window whose offence is a crime against persons "
        "(the city file's violent category).",
        "incidents",
        "count",
        "window",
        ("Wards", "CLI coverage"),
    ),
    Figure(
        "violent_victims",
        "Victims of violent crime",
        "Victims of the violent incidents in the window: an export with one row per "
        "victim counts each victim once, an export with one row per incident counts "
        "one.",
        "victims",
        "count",
        "window",
        ("Wards", "CLI coverage"),
    ),
    Figure(
        "incident_coverage_share",
        "Incidents in camera view",
        "Of the incidents in the window, the share that happened where at least one "
        "active camera could see.",
        "share",
        "pct",
        "window",
        _COVERAGE,
    ),
    Figure(
        "live_incident_coverage_share",
        "Incidents in live view",
        "Of the incidents in the window, the share an integrated camera could see "
        "(police can watch live).",
        "share",
        "pct",
        "window",
        ("briefing", "CLI coverage"),
    ),
    Figure(
        "on_request_incident_coverage_share",
        "Incidents in view on request only",
        "Of the incidents in the window, the share seen only by cameras whose "
        "footage must be asked for; with live view it adds up to incidents in view.",
        "share",
        "pct",
        "window",
        ("briefing", "CLI coverage"),
    ),
    Figure(
        "weighted_incident_coverage_share",
        "Crime-weighted coverage",
        "Incidents in camera view with each incident weighted by its severity "
        "(the city file's weights: violent crime counts most).",
        "share",
        "pct",
        "window",
        _COVERAGE,
    ),
    Figure(
        "area_coverage_share",
        "Area in camera view",
        "The share of the city's area (its configured city limit, else its "
        "configured boundary) that at least one active camera can see.",
        "share",
        "pct",
        "window",
        ("Overview", "Wards", "briefing", "CLI coverage"),
    ),
    Figure(
        "covered_area_km2",
        "Area in view (km²)",
        "The ground at least one active camera can see, inside the city's area.",
        "km²",
        "km2",
        "window",
        ("Overview", "briefing", "CLI coverage"),
    ),
    Figure(
        "city_area_km2",
        "City area (km²)",
        "The area every area share is divided by: the configured city limit, else "
        "the configured boundary (the output says which).",
        "km²",
        "km2",
        "window",
        ("briefing", "CLI coverage"),
    ),
    Figure(
        "effective_cameras",
        "Effective cameras",
        "How many camera views the covered ground is worth if none overlapped.",
        "cameras",
        "count",
        "window",
        ("CLI coverage",),
    ),
    Figure(
        "view_cameras",
        "Cameras in this view",
        "Active cameras left after the sidebar's tier and owner filters (equal to "
        "active cameras when nothing is filtered); coverage is measured with these.",
        "cameras",
        "count",
        "window",
        ("Overview", "CLI coverage"),
    ),
    # --- footage requests: the requests made in the window (analytics.footage) ------
    Figure(
        "requests",
        "Footage requests",
        "Requests for a camera's footage made in the window, whatever their answer.",
        "requests",
        "count",
        "window",
        _REQUESTS,
    ),
    Figure(
        "fulfilled_share",
        "Requests fulfilled",
        "Of the window's requests with an answer or past the answer window (open "
        "requests are left out), the share whose footage was provided.",
        "share",
        "pct",
        "window",
        _REQUESTS,
    ),
    Figure(
        "median_hours_to_footage",
        "Median hours to footage",
        "The median time from the incident to the footage, over provided requests "
        "whose incident time is known.",
        "hours",
        "hours",
        "window",
        _REQUESTS,
    ),
    Figure(
        "violent_incidents_with_request_share",
        "Violent incidents with a request",
        "Of the violent incidents in the window, the share with at least one "
        "footage request.",
        "share",
        "pct",
        "window",
        _REQUESTS,
    ),
    Figure(
        "useful_share",
        "Footage that helped",
        "Of the provided footage whose usefulness the investigator recorded, the "
        "share marked useful.",
        "share",
        "pct",
        "window",
        _REQUESTS,
    ),
    Figure(
        "cases_helped",
        "Cases helped by footage",
        "Cases with at least one provided request marked useful in the window.",
        "cases",
        "count",
        "window",
        ("Requests and outcomes", "CLI requests"),
    ),
    Figure(
        "cost_per_case_helped_usd",
        "Cost per case helped (integration)",
        "Yearly fees of one entry device per integrated site for the window's "
        "length, over cases helped by footage from an integrated camera (a lower "
        "bound: up-front prices are left out).",
        "dollars",
        "money",
        "window",
        ("Requests and outcomes", "briefing", "CLI requests"),
    ),
    Figure(
        "stale_cameras",
        "Stale registrations",
        "Active cameras not verified for the city's stale months (default 12), "
        "whose owner did not answer the last requests, or asked repeatedly without "
        "footage arriving: the re-verification queue.",
        "cameras",
        "count",
        "program",
        ("Overview", "Requests and outcomes", "briefing", "CLI requests"),
    ),
    # --- costs ------------------------------------------------------------------------
    Figure(
        "device_cost_total",
        "Device cost",
        "Up-front prices of the integration devices bought each year plus the yearly "
        "fees of every device in service, over the years budgeted.",
        "dollars",
        "money",
        "program",
        ("Goal progress", "briefing"),
    ),
)

FIGURES: dict[str, Figure] = {f.key: f for f in _FIGURES}
# coverage report headline key -> catalogue key
HEADLINE_FIGURES = {
    "cameras": "view_cameras",
    "incidents": "incidents",
    "violent_incidents": "violent_incidents",
    "violent_victims": "violent_victims",
    "incident_coverage_share": "incident_coverage_share",
    "live_incident_coverage_share": "live_incident_coverage_share",
    "on_request_incident_coverage_share": "on_request_incident_coverage_share",
    "weighted_incident_coverage_share": "weighted_incident_coverage_share",
    "area_coverage_share": "area_coverage_share",
    "covered_area_km2": "covered_area_km2",
    "city_area_km2": "city_area_km2",
    "effective_cameras": "effective_cameras",
}


def label(key: str) -> str:
    """The name people read for figure ``key``.

    Raises KeyError naming the unknown key.
    """
    try:
        return FIGURES[key].name
    except KeyError:
        raise KeyError(
            f"figure {key!r} is not in the catalogue; expected one of {list(FIGURES)}"
        ) from None


def show(key: str, value: object) -> str:
    """``value`` of figure ``key`` in its display format."""
    if key == "projected_goal_date" and isinstance(value, str):
        return value
    return FIGURES[key].show(value)


# --- program figures ---------------------------------------------------------------
def horizon_end(fc: ForecastResult) -> date | None:
    """Last month end the forecast looks at (None without a projection)."""
    if fc.projection is None or not len(fc.projection):
        return None
    end: date = fc.projection["date"].iloc[-1]
    return end


def goal_date_text(fc: ForecastResult) -> str:
    """The projected goal date as every surface writes it.

    ``Mar 2031``; ``Not by Oct 2036`` past the horizon; ``Reached``; ``Too early``
    with too little history.
    """
    if fc.status == "goal_reached":
        return "Reached"
    if fc.status == "too_short":
        return "Too early"
    if fc.projected_goal_date is not None:
        return formatting.month(fc.projected_goal_date)
    end = horizon_end(fc)
    return f"Not by {formatting.month(end)}" if end else formatting.DASH


def years_at_pace(fc: ForecastResult) -> float | None:
    months = fc.months_to_goal_at_pace
    return None if months is None else months / 12


def program_figures(fc: ForecastResult) -> dict[str, object]:
    """Every program figure from a goal forecast (:func:`forecast_goal` of the
    whole registry): raw values keyed as in :data:`FIGURES`."""
    return {
        "active_cameras": int(fc.current_cameras),
        "active_sites": int(fc.current_sites),
        "integrated_cameras": int(fc.current_integrated),
        "goal": int(fc.goal),
        "goal_share": fc.current_cameras / fc.goal if fc.goal else float("nan"),
        "cameras_to_go": max(int(fc.goal) - int(fc.current_cameras), 0),
        "current_pace": fc.current_monthly_pace,
        "years_at_pace": years_at_pace(fc),
        "projected_goal_date": fc.projected_goal_date,
        "required_pace": fc.required_monthly_pace,
    }


def program_texts(fc: ForecastResult) -> dict[str, str]:
    """:func:`program_figures` written out (the projected date as
    :func:`goal_date_text`)."""
    values = program_figures(fc)
    out = {k: show(k, v) for k, v in values.items()}
    out["projected_goal_date"] = goal_date_text(fc)
    return out


def goal_sentence(fc: ForecastResult) -> str:
    """One sentence reconciling the projected date and "at today's pace".

    The same words on the Overview, Goal progress, the briefing and ``forecast``.
    """
    texts = program_texts(fc)
    if fc.status == "goal_reached":
        return (
            f"The goal of {texts['goal']} cameras is reached: "
            f"{texts['active_cameras']} active cameras."
        )
    if fc.status in ("too_short", "undated"):
        return fc.message  # undated: stock of unknown date, no pace to speak of
    pace = fc.current_monthly_pace
    if pace is None or pace <= 0:
        at_pace = (
            "At today's pace the registry is not growing, so it never reaches the "
            f"goal of {texts['goal']} cameras"
        )
    else:
        at_pace = (
            f"At today's pace of {texts['current_pace']} (net, last "
            f"{fc.pace_months} full months) the goal of {texts['goal']} cameras is "
            f"{texts['years_at_pace']} away"
        )
    date_text = goal_date_text(fc)
    if fc.projected_goal_date is not None:
        projection = f"reaches it in {date_text}"
    else:
        years_h = fc.horizon_months / 12
        projection = (
            f"does not reach it by {formatting.month(horizon_end(fc))}, the end of "
            f"its {years_h:g}-year horizon"
        )
    model = MODEL_WORDS.get(fc.model or "", f"{fc.model} model")
    return f"{at_pace}; the forecast, {model}, {projection}."


# how each forecast model differs from "today's pace", for goal_sentence
MODEL_WORDS = {
    "linear": "a steady pace fitted to the last 12 months (linear model)",
    "exponential": "a pace that grows or shrinks by a fixed share each month, "
    "fitted to every month since the launch (exponential model)",
}


# --- window figures ----------------------------------------------------------------
def window_figures(headline: Mapping[str, float]) -> dict[str, float]:
    """Window figures from a coverage report's headline, keyed as in
    :data:`FIGURES`."""
    return {
        fig: headline[key] for key, fig in HEADLINE_FIGURES.items() if key in headline
    }


# --- footage request figures ------------------------------------------------------
REQUEST_FIGURES = (
    "requests",
    "fulfilled_share",
    "median_hours_to_footage",
    "violent_incidents_with_request_share",
    "useful_share",
    "cases_helped",
    "cost_per_case_helped_usd",
    "stale_cameras",
)


def request_figures(stats: RequestStats) -> dict[str, object]:
    """Every request figure from :func:`analytics.footage.request_stats`, keyed
    as in :data:`FIGURES`."""
    return {key: getattr(stats, key) for key in REQUEST_FIGURES}


def request_texts(stats: RequestStats) -> dict[str, str]:
    """:func:`request_figures` written out, keyed as in :data:`FIGURES`."""
    return {k: show(k, v) for k, v in request_figures(stats).items()}


def requests_sentence(stats: RequestStats) -> str:
    """One line for the Overview and the briefing: requests, answers, staleness."""
    t = request_texts(stats)
    return (
        f"{t['requests']} footage requests in the window, {t['fulfilled_share']} "
        f"fulfilled, {t['useful_share']} of known outcomes helped; "
        f"{t['stale_cameras']} stale registrations to verify again."
    )


# --- documentation ------------------------------------------------------------------
def markdown_table(scope: str | None = None) -> str:
    """The README / docs table of figures: name, meaning, unit."""
    rows = ["| figure | in one sentence | unit |", "| --- | --- | --- |"]
    for fig in _FIGURES:
        if scope is None or fig.scope == scope:
            rows.append(f"| {fig.name} | {fig.meaning} | {fig.unit} |")
    return "\n".join(rows)


def docs_table() -> str:
    """docs/figures.md's table: name, key, definition, unit, format, where shown."""
    rows = [
        "| figure | key | definition | unit | format | where it appears |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for fig in _FIGURES:
        rows.append(
            f"| {fig.name} | `{fig.key}` | {fig.meaning} | {fig.unit} | {fig.fmt} | "
            f"{', '.join(fig.surfaces)} |"
        )
    return "\n".join(rows)
