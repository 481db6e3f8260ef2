"""The heavy results worked out in the background as soon as the server runs.

``dashboard.py`` calls :func:`start_warmup` when it loads: one daemon thread per
process and data configuration fills the caches every session shares
(``ui.cached``'s ``st.cache_resource`` and the disk cache behind it) with what
the default view of each page needs, for a visitor who is not signed in and for
signed-in staff (each role its own, redacted, entries): the coverage reports,
the forecast, the recommendation and the maps with their component
(``ui.mapview.prepare_map``). A visitor who asks for something the thread is
still working on waits for that one computation instead of starting it again
(the caches compute each key once); a restarted server reads it all back from
disk (:mod:`analytics.diskcache`, keyed on the data version).

Set ``CAMREG_WARMUP=off`` to switch it off (tests that time nothing else).
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import timedelta

from analytics import diskcache
from analytics.briefing import BRIEFING_AUDIENCES, DEFAULT_RECRUIT_K
from analytics.datasets import Dataset
from analytics.privacy import public_settings
from ui import cached
from ui.activity import wait_for_quiet
from ui.data import _configuration, get_dataset, shared_fingerprint
from ui.mapview import MapSource, prepare_map
from ui.page import dataset_key
from ui.sidebar import Filters, date_presets, default_filters_for, earliest_incident

WARMUP_ENV = "CAMREG_WARMUP"
# kept on disk when a warm-up of a data version has finished: its steps and
# their seconds (the bench waits for it before restarting the server)
DONE_NAME = "warmup_done"
WARMUP_NICENESS = 10  # added to the thread's niceness (0 normal, 19 lowest)
OFF = {"off", "0", "no", "false", "none"}
# The maps as the pages draw them by default (component key, height, options;
# ui.focus.focus_map: clicks on, the key ends with the focus, "city" for none);
# tests/test_warmup.py checks that a page after the warm-up builds nothing.
OVERVIEW_MAP = (
    "overview_map_city",
    430,
    {"compact": True, "heat": False, "cameras": False},
)
COVERAGE_MAP = ("coverage_map_city", 640, {"gaps": True})
GAPS_K = 25  # the Gaps and targeting page's default K
GAPS_MAP = (
    "gaps_map_city",
    560,
    {
        "choropleth": "incidents_uncovered",
        "heat": False,
        "gaps": True,
        "k": GAPS_K,
        "show_cameras": False,
    },
)
WARD_MAP = ("ward_map_city", 480)
BRIEFING_EDITION = BRIEFING_AUDIENCES[0]  # the Briefing page's first choice
CANVASS_START_MAP = (cached.CANVASS_START_KEY, cached.CANVASS_MAP_HEIGHT)

log = logging.getLogger(__name__)
_THREADS: dict[tuple, threading.Thread] = {}
_LOCK = threading.Lock()


@dataclass
class WarmupReport:
    """What a warm-up did: the steps in order and the seconds each took.

    ``landing`` is set once the landing page (the Overview) of a visitor who is
    not signed in has everything it needs, or when the warm-up stops early.
    """

    steps: list[tuple[str, float]]
    error: str | None = None
    landing: threading.Event = field(default_factory=threading.Event)


LAST: dict[tuple, WarmupReport] = {}  # by data configuration: for tests and logs


def enabled() -> bool:
    """False when ``CAMREG_WARMUP`` switches the warm-up off."""
    return os.environ.get(WARMUP_ENV, "").strip().lower() not in OFF


def start_warmup(city_name: str | None = None) -> threading.Thread | None:
    """Start the warm-up thread once per process and data configuration.

    Returns the thread (already running or finished when started before), or
    None when switched off. Cheap: every run of ``dashboard.py`` calls it.
    """
    if not enabled():
        return None
    ident = (city_name, _configuration())
    with _LOCK:
        thread = _THREADS.get(ident)
        if thread is None:
            LAST[ident] = WarmupReport([])
            thread = threading.Thread(
                target=_run, args=(city_name, ident), name="camreg-warmup", daemon=True
            )
            _THREADS[ident] = thread
            thread.start()
    return thread


def _run(city_name: str | None, ident: tuple) -> None:
    _lower_priority()
    report = LAST[ident]
    try:
        ds = get_dataset(city_name)
        warm(ds, report=report)
    except Exception as exc:  # the pages report a broken configuration
        report.error = f"{type(exc).__name__}: {exc}"
        log.warning("warm-up stopped: %s", report.error)
    finally:
        report.landing.set()  # never leave a waiting server start hanging
    if report.error is None:
        total = sum(s for _, s in report.steps)
        log.info("warm-up done in %.1f s (%d steps)", total, len(report.steps))
        fingerprint = shared_fingerprint(ds)
        if fingerprint is not None:  # the record of a finished warm-up
            diskcache.save(DONE_NAME, fingerprint, list(report.steps))


def wait_for_landing(city_name: str | None = None, timeout: float = 60.0) -> bool:
    """Wait (at most ``timeout`` seconds) until the warm-up of this data
    configuration has the landing page ready; True when it has.

    False at once when no warm-up was started (switched off).
    """
    report = LAST.get((city_name, _configuration()))
    if report is None or _THREADS.get((city_name, _configuration())) is None:
        return False
    return report.landing.wait(timeout)


def _lower_priority() -> None:
    """Run this thread at a lower priority than the server's (Linux: a thread is
    a task of its own), so visitors' pages and the browser get the processor
    first; elsewhere nothing changes."""
    try:
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), WARMUP_NICENESS)
    except (AttributeError, OSError) as exc:  # not Linux, or not allowed
        log.info("warm-up runs at normal priority: %s", exc)


def views(ds: Dataset) -> list[tuple[str, Filters]]:
    """(role, filters) of a new visitor: not signed in first, then staff."""
    base = default_filters_for(ds)
    # as ui.page.public_filters: the window ends on the newest incident
    public = replace(base, **public_settings(ds.as_of, ds.incidents))
    return [("public", public), ("staff", base)]


def warm(ds: Dataset, *, report: WarmupReport | None = None) -> WarmupReport:
    """Fill the shared caches with the default view of every heavy page.

    The Overview and the Coverage map come first (the landing page, whose
    readiness sets ``report.landing``), then Gaps and targeting and Wards;
    the public view before the staff view; the
    Incident canvass page's start map for staff, and the Briefing page's
    default document. Last,
    the Overview and Coverage map of staff for each of the sidebar's date
    shortcuts ("30 days", "90 days", ...) other than the default window.
    """
    report = report if report is not None else WarmupReport([])
    key = dataset_key(ds)

    def step(name: str, work: Callable[..., object], *args: object, **kw: object):
        wait_for_quiet()  # a visitor's page first (ui.activity)
        t0 = time.perf_counter()
        work(*args, **kw)
        report.steps.append((name, time.perf_counter() - t0))

    def draw(name: str, source: MapSource, view: tuple, clicks: bool = True):
        step(name, prepare_map, source, key=view[0], height=view[1], clicks=clicks)

    month_start, _ = cached.recent_window(ds.as_of)

    def overview_and_coverage_map(role: str, f: Filters, label: str = "") -> None:
        """What the Overview and the Coverage map page compute for this view."""
        tag = f"{role}{label}"
        step(f"{tag}: coverage", cached.coverage, ds, key, f)
        area = cached.area_filters(f, role)
        if area != f:  # per-ward figures: the whole registry below investigator
            step(f"{tag}: area coverage", cached.coverage, ds, key, area)
        before = month_start - timedelta(days=1)
        step(f"{tag}: coverage a month ago", cached.coverage_at, ds, key, f, before)
        if area != f:
            step(f"{tag}: area a month ago", cached.coverage_at, ds, key, area, before)
        step("forecast", cached.forecast, ds, key)
        step("footage history", cached.footage_history, ds, key)
        step(
            f"{tag}: requests",
            cached.requests_figures,
            ds,
            key,
            role,
            f.since,
            f.until,
        )
        for name, view in (
            ("Overview map", OVERVIEW_MAP),
            ("Coverage map", COVERAGE_MAP),
        ):
            draw(
                f"{tag}: {name}",
                cached.coverage_map(ds, key, f, role, **view[2]),
                view,
            )

    viewed = views(ds)  # public first, then staff
    for role, f in viewed:
        overview_and_coverage_map(role, f)
    # a new visitor's landing page is ready (public, or staff: the demo
    # without accounts, ui.role)
    report.landing.set()
    for role, f in viewed:
        # Gaps and targeting
        step(f"{role}: recommendation", cached.recommendation, ds, key, f, GAPS_K, None)
        step(f"{role}: gap places", cached.gap_places, ds, key, f)
        step(f"{role}: site places", cached.site_places, ds, key, f, GAPS_K, None)
        gaps = cached.coverage_map(ds, key, f, role, **GAPS_MAP[2])
        draw(f"{role}: gaps map", gaps, GAPS_MAP)
        # Wards
        if ds.wards is not None:
            start = f.since - timedelta(days=1)
            step(
                f"{role}: coverage at the window's start",
                cached.coverage_at,
                ds,
                key,
                f,
                start,
            )
            draw(f"{role}: ward map", cached.ward_map(ds, key, f, None, role), WARD_MAP)
    # the Incident canvass page's start map (staff: the public get no canvass)
    draw(
        "staff: canvass start map",
        cached.canvass_start_source(ds, key, "staff"),
        CANVASS_START_MAP,
    )
    # the Briefing page's default: the public edition of the whole city (every
    # role opens on it; the edition and the window, not the viewer, are its key)
    briefed = set()
    for role, f in viewed:
        window = (f.since, f.until, f.categories, f.range_scale)
        if window not in briefed:
            briefed.add(window)
            step(
                f"{role}: briefing",
                cached.briefing,
                ds,
                key,
                BRIEFING_EDITION,
                *window[:2],
                (),
                *window[2:],
                DEFAULT_RECRUIT_K,
                cached.briefing_scenario(ds.city),
            )
    _, staff = viewed[-1]
    # then the sidebar's date shortcuts for staff (the public view is fixed), so
    # a click on "90 days" finds its figures and maps ready
    shortcuts = date_presets(staff.until, earliest_incident(ds))
    for name, (since, until) in shortcuts.items():
        if (since, until) != (staff.since, staff.until):
            preset = replace(staff, since=since, until=until)
            overview_and_coverage_map("staff", preset, f" ({name})")
    return report
