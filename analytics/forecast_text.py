"""The sentences a goal forecast is reported in (pages, briefing, command line).

Kept apart from the arithmetic in :mod:`analytics.forecast` so wording can change
without touching the models; every caller shows the same sentence.

>>> projection(30_000, date(2031, 5, 1), (date(2030, 9, 1), None), 120, "linear")
'Projected to reach 30,000 cameras in May 2031 (linear model); 80% interval \
from September 2030 to beyond the 10-year horizon.'
"""

from __future__ import annotations

from datetime import date


def goal_reached(goal: int, current: int) -> str:
    return f"The goal of {goal:,} cameras is reached: {current:,} today."


def no_history(as_of: date) -> str:
    return (
        f"The registry has no cameras up to {as_of.isoformat()}: there is "
        "no history to forecast from."
    )


def too_short(months: int, launch: date, needed: int) -> str:
    return (
        f"Only {months} full month(s) of history since the launch on "
        f"{launch.isoformat()}: at least {needed} are needed for a "
        "forecast, so no goal date is given."
    )


def undated_registrations_note(count: int) -> str:
    return (
        f"{count} registration(s) have no registration date and are counted "
        "in the starting stock (they cannot be placed in time)."
    )


def undated_withdrawals_note(count: int) -> str:
    return (
        f"{count} withdrawn registration(s) have no withdrawal date and are "
        "left out of the whole history (assumed withdrawn when registered)."
    )


def projection(
    goal: int,
    projected: date | None,
    interval: tuple[date | None, date | None],
    horizon: int,
    model: str,
) -> str:
    """The outcome of a projection in one sentence, with its 80% interval."""
    years = horizon / 12
    low, high = interval
    if projected is None:
        text = (
            f"At the forecast pace ({model} model) the goal of {goal:,} cameras is not "
            f"reached within the {years:g}-year horizon."
        )
        if low:
            text += (
                f" In the most hopeful 10% of simulations it is reached by {low:%B %Y}."
            )
        return text
    text = f"Projected to reach {goal:,} cameras in {projected:%B %Y} ({model} model)"
    if low and high:
        return text + f"; 80% interval {low:%B %Y} to {high:%B %Y}."
    if low:
        return (
            text
            + f"; 80% interval from {low:%B %Y} to beyond the {years:g}-year horizon."
        )
    return text + "."
