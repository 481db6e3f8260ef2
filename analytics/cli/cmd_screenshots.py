"""``screenshots``: a PNG of every dashboard page at desktop and phone width.

>>> main(["screenshots", "--out", "docs/screenshots"])  # doctest: +SKIP
"""

from __future__ import annotations

import argparse
from pathlib import Path

from analytics.cli import CommandError

# Views beyond one per page: a page focused on a ward (cross-filtering, issue 13)
EXTRA_VIEWS = {"Coverage_map-ward": "Coverage_map?ward=3"}
CANVASS_PAGE = "Incident_canvass"  # opens empty: also shown with an incident


def canvass_view() -> dict[str, str]:
    """The Incident canvass with an incident given by its link, as a person would.

    The canvass page opens on an empty form; this view gives it the registry's
    busiest non-residential point (``CameraIndex.busiest``) of the configured
    data, so the screenshot shows a call list and the area notification.
    """
    from analytics.canvass import CameraIndex
    from analytics.datasets import load_dataset

    ds = load_dataset()
    lat, lon = CameraIndex(ds.cameras, ds.city).busiest(ds.city.canvass_radius_m)
    return {f"{CANVASS_PAGE}-incident": f"{CANVASS_PAGE}?lat={lat:.6f}&lon={lon:.6f}"}


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = subparsers.add_parser(
        "screenshots",
        help="capture every page at 1440 px and 390 px in a real browser",
        description="Start `streamlit run dashboard.py` on the demo data (or use "
        "--url), open every page in headless Chromium at desktop (1440x900) and "
        "phone (390x844) width and save <page>-<width>.png, plus the Coverage "
        "map focused on ward 3 (Coverage_map-ward-<width>.png) and the Incident "
        "canvass with an incident given (Incident_canvass-incident-<width>.png).",
    )
    p.add_argument("--out", default="docs/screenshots", help="folder for the PNGs")
    p.add_argument("--url", help="a running dashboard to capture instead")
    p.add_argument(
        "--page",
        action="append",
        help="only this page (file stem without the number, e.g. Wards); repeatable",
    )
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from playwright.sync_api import Error as PlaywrightError

    from analytics.browser import dashboard_server, page_paths, screenshot_pages

    pages = page_paths()
    if args.page:
        unknown = [p for p in args.page if p not in pages]
        if unknown:
            raise CommandError(
                f"--page was {unknown[0]!r} but is expected to be in {list(pages)}"
            )
        pages = {p: pages[p] for p in args.page}
    else:
        pages = {**pages, **EXTRA_VIEWS}
    if CANVASS_PAGE in pages:
        pages.update(canvass_view())
    out = Path(args.out)
    try:
        if args.url:
            written = screenshot_pages(args.url.rstrip("/"), out, pages=pages)
        else:
            with dashboard_server() as url:
                written = screenshot_pages(url, out, pages=pages)
    except RuntimeError as exc:
        raise CommandError(str(exc)) from exc
    except PlaywrightError as exc:  # a timeout on a loaded machine: one line
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise CommandError(
            f"the browser gave up ({first}); run it again, or one page with --page"
        ) from exc
    for path in written:
        print(path)
    return 0
