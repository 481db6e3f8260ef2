"""The warm-up gives way to visitors: it waits for quiet, at a lower priority."""

from __future__ import annotations

import os
import threading

import pytest

from ui import activity, warmup


class FakeClock:
    def __init__(self, now: float) -> None:
        self.now = now
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def test_no_recent_page_means_no_wait():
    clock = FakeClock(100.0)
    activity.note_run(now=90.0)  # ten seconds ago
    assert activity.wait_for_quiet(clock=clock, sleep=clock.sleep) == 0.0
    assert clock.slept == []


def test_a_page_started_half_a_second_ago_makes_the_warm_up_wait_one_second():
    clock = FakeClock(100.0)
    activity.note_run(now=99.5)
    waited = activity.wait_for_quiet(quiet=1.5, clock=clock, sleep=clock.sleep)
    # 1.5 s of quiet after 99.5: until 101.0
    assert waited == pytest.approx(1.0)
    assert clock.now == pytest.approx(101.0)


def test_visitors_who_never_stop_cannot_hold_the_warm_up_for_ever():
    clock = FakeClock(0.0)

    def busy_sleep(seconds: float) -> None:
        clock.sleep(seconds)
        activity.note_run(now=clock.now)  # another page starts at once

    waited = activity.wait_for_quiet(
        quiet=1.5, max_wait=5.0, clock=clock, sleep=busy_sleep
    )
    assert waited == pytest.approx(5.0)


@pytest.mark.skipif(not hasattr(os, "setpriority"), reason="no thread priorities")
def test_the_warm_up_thread_runs_ten_steps_nicer_than_the_server():
    seen: dict[str, int] = {}

    def work() -> None:
        before = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())
        warmup._lower_priority()
        seen["before"] = before
        seen["after"] = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())

    thread = threading.Thread(target=work)
    thread.start()
    thread.join()
    assert seen["after"] == min(seen["before"] + warmup.WARMUP_NICENESS, 19)
    # the thread that started it keeps its priority
    assert os.getpriority(os.PRIO_PROCESS, threading.get_native_id()) == seen["before"]
