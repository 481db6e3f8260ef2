"""The one rule for time windows, used by every page, the briefing and every command.

A window is an inclusive range of days of **incidents**. Coverage in a window is
measured against one registry, and the words that go with the figures say which:

* ``"current"`` (the default): the **active registry on the data's date**, i.e.
  today's cameras, against the window's incidents. The window chooses the crime
  that is measured, never the cameras; a past window answers "how much of that
  year's crime would today's cameras see?".
* ``"window_end"``: the registry **as it stood on the window's last day** (later
  registrations left out, later withdrawals put back). This is the explicit
  "what changed" option: it answers "how much could the cameras of the time see?".
  A window that ends before the first registration has no cameras: the output says
  so (":func:`registry_note`") instead of showing zeros.

The default window is the same everywhere: the 12 months ending on the day of the
newest incident (:func:`default_window`), so last year's export never opens on an
empty page. docs/figures.md writes the rule down.

>>> from datetime import date
>>> w = Window(date(2025, 11, 1), date(2026, 10, 31))
>>> w.describe(date(2026, 11, 1))
'Incidents 01 Nov 2025 – 31 Oct 2026 against the active registry on 01 Nov 2026'
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

import pandas as pd

from analytics.formatting import day, month

__all__ = [
    "DEFAULT_WINDOW_MONTHS",
    "REGISTRY_RULES",
    "Window",
    "default_window",
    "registry_for",
    "registry_note",
    "registry_on",
    "window_cameras",
]

DEFAULT_WINDOW_MONTHS = 12
REGISTRY_RULES = ("current", "window_end")
REGISTRY_WORDS = {
    "current": "the active registry on {as_of}",
    "window_end": "the registry as it stood on {until}",
}


@dataclass(frozen=True)
class Window:
    """Inclusive incident days and the registry they are measured against."""

    since: date
    until: date
    registry: str = "current"

    def __post_init__(self) -> None:
        if self.registry not in REGISTRY_RULES:
            raise ValueError(
                f"`registry` was {self.registry!r} but is expected to be in "
                f"{REGISTRY_RULES}"
            )
        if self.since > self.until:
            raise ValueError(
                f"the window starts {self.since.isoformat()} after it ends "
                f"{self.until.isoformat()}"
            )

    def registry_day(self, as_of: date) -> date:
        """The day whose registry is measured: ``as_of``, or the window's end."""
        return as_of if self.registry == "current" else self.until

    def registry_words(self, as_of: date) -> str:
        """``the active registry on 01 Nov 2026`` (or as it stood on the end)."""
        return REGISTRY_WORDS[self.registry].format(
            as_of=day(as_of), until=day(self.until)
        )

    def describe(self, as_of: date) -> str:
        """Which incidents against which registry, in words, for every surface."""
        return (
            f"Incidents {day(self.since)} – {day(self.until)} against "
            f"{self.registry_words(as_of)}"
        )


def newest_incident_day(incidents: pd.DataFrame) -> date | None:
    """Day of the newest dated incident (None when none is dated)."""
    if incidents is None or not len(incidents) or "occurred_at" not in incidents:
        return None
    when = pd.to_datetime(incidents["occurred_at"], errors="coerce").max()
    return None if pd.isna(when) else when.date()


def oldest_incident_day(incidents: pd.DataFrame) -> date | None:
    """Day of the oldest dated incident (None when none is dated)."""
    if incidents is None or not len(incidents) or "occurred_at" not in incidents:
        return None
    when = pd.to_datetime(incidents["occurred_at"], errors="coerce").min()
    return None if pd.isna(when) else when.date()


def default_window(
    incidents: pd.DataFrame | None,
    as_of: date,
    *,
    months: int = DEFAULT_WINDOW_MONTHS,
) -> Window:
    """The 12 months ending on the day of the newest incident (dashboard and CLI).

    Without dated incidents the window ends on ``as_of``. It never starts before
    the oldest incident, and never ends after ``as_of``.

    >>> import pandas as pd
    >>> days = pd.to_datetime(["2024-03-02", "2025-06-30"])
    >>> inc = pd.DataFrame({"occurred_at": days})
    >>> w = default_window(inc, date(2026, 1, 1))
    >>> w.since, w.until
    (datetime.date(2024, 7, 1), datetime.date(2025, 6, 30))
    """
    newest = newest_incident_day(incidents) if incidents is not None else None
    oldest = oldest_incident_day(incidents) if incidents is not None else None
    return window_ending(min(newest, as_of) if newest else as_of, oldest, months)


def window_ending(
    until: date, earliest: date | None = None, months: int = DEFAULT_WINDOW_MONTHS
) -> Window:
    """The ``months`` months ending on ``until`` (inclusive), not starting before
    ``earliest``."""
    since = (pd.Timestamp(until) - pd.DateOffset(months=months)).date()
    since += timedelta(days=1)
    if earliest is not None and earliest <= until:
        since = max(since, earliest)
    return Window(since, until)


def registry_on(cameras: pd.DataFrame, on: date) -> pd.DataFrame:
    """The registry as it stood at the end of ``on`` (see
    :func:`analytics.coverage.filter_cameras`)."""
    from analytics.coverage import filter_cameras

    return filter_cameras(cameras, as_of=on)


def registry_for(
    cameras: pd.DataFrame,
    window: Window,
    as_of: date,
    *,
    tiers: Iterable[str] | None = None,
    owner_types: Iterable[str] | None = None,
) -> pd.DataFrame:
    """The cameras a window is measured against, by the rule above.

    ``tiers`` and ``owner_types`` narrow it (a filtered view); goal figures never
    use this (they are the program's, see :mod:`analytics.figures`).
    """
    from analytics.coverage import filter_cameras

    return filter_cameras(
        cameras,
        tiers=tiers,
        owner_types=owner_types,
        as_of=window.registry_day(as_of),
    )


def window_cameras(cameras: pd.DataFrame) -> int:
    """Active cameras (sum of ``camera_count``) in a registry frame."""
    if cameras is None or not len(cameras):
        return 0
    active = cameras["status"].astype(str).str.lower() != "withdrawn"
    counts = pd.to_numeric(cameras.loc[active, "camera_count"], errors="coerce")
    return int(counts.fillna(1).sum())


def first_registration(cameras: pd.DataFrame) -> date | None:
    """Day of the first dated registration (None when none is dated)."""
    if cameras is None or not len(cameras) or "registered_at" not in cameras:
        return None
    when = pd.to_datetime(cameras["registered_at"], errors="coerce").min()
    return None if pd.isna(when) else when.date()


def registry_note(cameras: pd.DataFrame, window: Window, as_of: date) -> str | None:
    """Why a window has no active camera, in one sentence; None when it has some.

    ``cameras`` is the whole registry (all statuses).

    >>> import pandas as pd
    >>> cams = pd.DataFrame({"registered_at": pd.to_datetime(["2024-08-05"]),
    ...     "status": ["active"], "camera_count": [2], "tier": ["registered"],
    ...     "owner_type": ["business"]})
    >>> registry_note(cams, Window(date(2017, 1, 1), date(2017, 12, 31),
    ...     "window_end"), date(2026, 11, 1))
    'No camera was registered yet on 31 Dec 2017: the registry starts in Aug 2024.'
    """
    registry = registry_for(cameras, window, as_of)
    if window_cameras(registry):
        return None
    on = window.registry_day(as_of)
    first = first_registration(cameras)
    if first is not None and first > on:
        return (
            f"No camera was registered yet on {day(on)}: the registry starts in "
            f"{month(first)}."
        )
    if cameras is None or not len(cameras):
        return "The registry is empty: no camera has been registered."
    return f"No camera was active in the registry on {day(on)}: all were withdrawn."
