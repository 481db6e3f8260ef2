"""When a visitor last ran a page: the warm-up gives way to visitors.

Every page run notes its start (:func:`note_run`, from ``ui.page.start_page``);
the background warm-up (``ui.warmup``) waits between its steps until no page
has started for ``QUIET_SECONDS``, so a visitor's page does not share the
processor with work done ahead for pages nobody has opened yet.
"""

from __future__ import annotations

import time
from collections.abc import Callable

# A visit needs the server for seconds after its page starts: the script (about
# 1 s), then the browser fetches the map's component and scripts while it
# draws. The warm-up holds Python's interpreter lock while it works, so it waits
# until no page has started for this long.
QUIET_SECONDS = 4.0
MAX_WAIT_SECONDS = 20.0  # busy servers still get their warm-up done
_last_run = float("-inf")


def note_run(now: float | None = None) -> None:
    """Record that a page's script started now (``time.monotonic``)."""
    global _last_run
    _last_run = time.monotonic() if now is None else now


def wait_for_quiet(
    *,
    quiet: float = QUIET_SECONDS,
    max_wait: float = MAX_WAIT_SECONDS,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
) -> float:
    """Wait until no page has started for ``quiet`` seconds, at most ``max_wait``.

    Returns the seconds waited.
    """
    start = clock()
    while True:
        now = clock()
        idle = now - _last_run
        if idle >= quiet or now - start >= max_wait:
            return now - start
        sleep(min(quiet - idle, max_wait - (now - start)))
