"""Footage requests: status machine, freshness and figures on hand-made histories."""

from __future__ import annotations

from datetime import date, datetime

import pandas as pd
import pytest
from conftest import CENTRE, make_cameras, make_incidents

from analytics import figures
from analytics.footage import (
    RequestError,
    check_camera_requestable,
    check_transition,
    empty_requests,
    expire_unanswered,
    kind_for,
    last_verified,
    request_stats,
    stale_queue,
    suppress_groups,
    verified_cameras,
)
from analytics.footage_store import FootageStore
from analytics.store import RegistryStore

LAT, LON = CENTRE


def _requests(rows: list[dict]) -> pd.DataFrame:
    base = {
        "kind": "ask_owner",
        "incident_id": None,
        "incident_at": None,
        "useful": "unknown",
        "requested_by": "det",
    }
    frame = pd.DataFrame([{**base, **r} for r in rows])
    frame.insert(0, "request_id", range(1, len(frame) + 1))
    for column in ("requested_at", "status_at", "incident_at"):
        frame[column] = pd.to_datetime(frame[column], format="ISO8601")
    return frame


def _cameras() -> pd.DataFrame:
    return make_cameras(
        [
            {
                "camera_id": "R1",
                "latitude": LAT,
                "longitude": LON,
                "owner_type": "residential",
                "registered_at": date(2024, 1, 10),
            },
            {
                "camera_id": "B1",
                "latitude": LAT + 0.001,
                "longitude": LON,
                "owner_type": "business",
                "registered_at": date(2026, 3, 1),
            },
            {
                "camera_id": "I1",
                "latitude": LAT,
                "longitude": LON + 0.001,
                "tier": "integrated",
                "owner_type": "business",
                "registered_at": date(2025, 6, 1),
            },
        ]
    )


# --- status machine -------------------------------------------------------------------
@pytest.mark.parametrize("final", ["provided", "declined", "no_footage", "no_answer"])
def test_requested_may_end_in_every_final_status(final):
    check_transition("requested", final)


def test_a_final_status_is_not_left_without_a_reason():
    with pytest.raises(RequestError, match="already 'provided' \\(final\\)"):
        check_transition("provided", "declined")
    check_transition("no_answer", "provided", reason="owner called back late")


def test_unknown_status_and_same_status_are_refused():
    with pytest.raises(RequestError, match="'lost'"):
        check_transition("requested", "lost")
    with pytest.raises(RequestError, match="already 'requested'"):
        check_transition("requested", "requested")


def test_kind_follows_the_tier():
    assert kind_for("registered") == "ask_owner"
    assert kind_for("integrated") == "viewed_live"
    with pytest.raises(RequestError, match="registered camera takes"):
        kind_for("registered", "clip_saved")


def test_withdrawn_or_unknown_cameras_cannot_be_requested():
    with pytest.raises(RequestError, match="withdrawn"):
        check_camera_requestable({"status": "withdrawn"}, "X")
    with pytest.raises(RequestError, match="not in the registry"):
        check_camera_requestable(None, "X")


def test_requests_expire_to_no_answer_after_the_window():
    frame = _requests(
        [
            # asked 15 days before 'now' -> due with a 14-day window
            {"case_id": "C", "camera_id": "R1", "status": "requested",
             "requested_at": "2026-11-01 10:00", "status_at": "2026-11-01 10:00"},
            # asked 13 days before -> not yet
            {"case_id": "C", "camera_id": "B1", "status": "requested",
             "requested_at": "2026-11-03 10:00", "status_at": "2026-11-03 10:00"},
            # answered long ago: never expires
            {"case_id": "C", "camera_id": "I1", "status": "provided",
             "requested_at": "2026-10-01 10:00", "status_at": "2026-10-01 12:00"},
        ]
    )  # fmt: skip
    due = expire_unanswered(frame, datetime(2026, 11, 16, 10, 0), days=14)
    assert due.tolist() == [1]


# --- freshness ------------------------------------------------------------------
def test_last_verified_takes_the_latest_answer_but_not_silence():
    cameras = _cameras()
    frame = _requests(
        [
            {"case_id": "C", "camera_id": "R1", "status": "declined",
             "requested_at": "2026-02-01", "status_at": "2026-02-03 09:00"},
            {"case_id": "C", "camera_id": "R1", "status": "no_answer",
             "requested_at": "2026-06-01", "status_at": "2026-06-15"},
        ]
    )  # fmt: skip
    verified = last_verified(cameras, frame)
    assert verified["R1"] == pd.Timestamp("2026-02-03")  # declining is an answer
    assert verified["B1"] == pd.Timestamp("2026-03-01")  # registration


def test_stale_queue_lists_old_silent_and_empty_cameras_with_reasons():
    cameras = _cameras()
    frame = _requests(
        [
            # B1 asked twice, no answer both times (registered 8 months ago)
            {"case_id": "C1", "camera_id": "B1", "status": "no_answer",
             "requested_at": "2026-05-01", "status_at": "2026-05-15"},
            {"case_id": "C2", "camera_id": "B1", "status": "no_answer",
             "requested_at": "2026-07-01", "status_at": "2026-07-15"},
            # I1 answered "no footage kept" twice
            {"case_id": "C1", "camera_id": "I1", "status": "no_footage",
             "requested_at": "2026-05-01", "status_at": "2026-05-01 01:00"},
            {"case_id": "C2", "camera_id": "I1", "status": "no_footage",
             "requested_at": "2026-07-01", "status_at": "2026-07-01 01:00"},
        ]
    )  # fmt: skip
    queue = stale_queue(cameras, frame, date(2026, 11, 1), months=12)
    reasons = dict(zip(queue["camera_id"], queue["reasons"], strict=True))
    # R1: registered 2024-01-10, never heard from: 33.7 months
    assert reasons["R1"] == "not verified for 12+ months"
    assert reasons["B1"] == (
        "no answer to the last 2 requests; asked repeatedly, footage never arrived"
    )
    # I1 answered (2026-07-01) so it is fresh, but never had footage
    assert reasons["I1"] == "asked repeatedly, footage never arrived"
    assert queue["camera_id"].tolist() == ["R1", "B1", "I1"]  # oldest first
    row = queue.set_index("camera_id").loc["R1"]
    assert row["months_since_verified"] == pytest.approx(
        round((date(2026, 11, 1) - date(2024, 1, 10)).days / 30.4375, 1)
    )


def test_withdrawn_cameras_are_never_in_the_queue():
    cameras = _cameras()
    cameras.loc[cameras["camera_id"] == "R1", "status"] = "withdrawn"
    queue = stale_queue(cameras, empty_requests(), date(2026, 11, 1))
    assert "R1" not in set(queue["camera_id"])


def test_verified_cameras_keeps_those_heard_from_within_the_months():
    cameras = _cameras()
    frame = _requests(
        [
            # R1 registered Jan 2024 and silent since: an unanswered request does
            # not verify it; I1 registered Jun 2025, its owner declined in Feb 2026
            {"case_id": "C", "camera_id": "R1", "status": "no_answer",
             "requested_at": "2026-06-01", "status_at": "2026-06-15"},
            {"case_id": "C", "camera_id": "I1", "status": "declined",
             "requested_at": "2026-02-01", "status_at": "2026-02-03 09:00"},
        ]
    )  # fmt: skip
    as_of = date(2026, 11, 1)
    # ages: R1 33.7 months, B1 (registered Mar 2026) 8.0, I1 (answer) 8.9
    kept = verified_cameras(cameras, frame, as_of, months=12)
    assert sorted(kept["camera_id"]) == ["B1", "I1"]
    kept = verified_cameras(cameras, frame, as_of, months=8)  # B1 is 8.0: not < 8
    assert kept["camera_id"].tolist() == []
    kept = verified_cameras(cameras, frame, as_of, months=9)
    assert sorted(kept["camera_id"]) == ["B1", "I1"]
    # without the answer I1 dates from its registration, 17 months back
    kept = verified_cameras(cameras, frame.iloc[:1], as_of, months=12)
    assert kept["camera_id"].tolist() == ["B1"]
    # the same rule as the queue: verified + stale by age = every active camera
    queue = stale_queue(cameras, frame, as_of, months=12, unanswered_k=5)
    assert set(queue["camera_id"]) == {"R1"}
    with pytest.raises(RequestError, match="`months` was 0"):
        verified_cameras(cameras, frame, as_of, months=0)


# --- figures ------------------------------------------------------------------
def _history() -> tuple[pd.DataFrame, pd.DataFrame]:
    incidents = make_incidents(
        [
            {"incident_id": "V1", "category": "violent",
             "occurred_at": "2026-03-01 22:00", "latitude": LAT, "longitude": LON},
            {"incident_id": "V2", "category": "violent",
             "occurred_at": "2026-03-10 01:00", "latitude": LAT, "longitude": LON},
            {"incident_id": "V3", "category": "violent",
             "occurred_at": "2026-04-02 13:00", "latitude": LAT, "longitude": LON},
            {"incident_id": "V4", "category": "violent",
             "occurred_at": "2026-04-20 13:00", "latitude": LAT, "longitude": LON},
            {"incident_id": "P1", "category": "property",
             "occurred_at": "2026-03-05 13:00", "latitude": LAT, "longitude": LON},
        ]
    )  # fmt: skip
    requests = _requests(
        [
            # case A (V1): residential provides after 10 h (useful), business
            # declines, integrated provides after 2 h (useful)
            {"case_id": "A", "camera_id": "R1", "status": "provided",
             "requested_at": "2026-03-02 06:00", "status_at": "2026-03-02 08:00",
             "incident_id": "V1", "incident_at": "2026-03-01 22:00", "useful": "yes"},
            {"case_id": "A", "camera_id": "B1", "status": "declined",
             "requested_at": "2026-03-02 06:00", "status_at": "2026-03-03 06:00",
             "incident_id": "V1", "incident_at": "2026-03-01 22:00"},
            {"case_id": "A", "camera_id": "I1", "kind": "clip_saved",
             "status": "provided", "requested_at": "2026-03-01 23:00",
             "status_at": "2026-03-02 00:00", "incident_id": "V1",
             "incident_at": "2026-03-01 22:00", "useful": "yes"},
            # case B (V3): business provides after 30 h, not useful
            {"case_id": "B", "camera_id": "B1", "status": "provided",
             "requested_at": "2026-04-02 20:00", "status_at": "2026-04-03 19:00",
             "incident_id": "V3", "incident_at": "2026-04-02 13:00", "useful": "no"},
            # case C (V3 too): still open
            {"case_id": "C", "camera_id": "R1", "status": "requested",
             "requested_at": "2026-04-05 09:00", "status_at": "2026-04-05 09:00",
             "incident_id": "V3", "incident_at": "2026-04-02 13:00"},
        ]
    )  # fmt: skip
    return incidents, requests


def test_request_figures_on_a_hand_made_history():
    incidents, requests = _history()
    cases = pd.DataFrame(
        {"case_id": ["A", "B"], "cleared": [True, False], "cleared_at": [None, None]}
    )
    stats = request_stats(
        requests,
        _cameras(),
        incidents=incidents,
        cases=cases,
        since=date(2026, 3, 1),
        until=date(2026, 4, 30),
        device_cost_usd_per_year=3650.0,
        stale_cameras=4,
    )
    assert stats.requests == 5
    # decided: 4 (one open); provided: 3 -> 3/4
    assert stats.fulfilled_share == pytest.approx(0.75)
    # incident -> footage hours: 10, 2, 30 -> median 10
    assert stats.median_hours_to_footage == pytest.approx(10.0)
    # violent incidents in window: V1..V4; with a request: V1, V3 -> 2/4
    assert stats.violent_incidents == 4
    assert stats.violent_incidents_with_request_share == pytest.approx(0.5)
    # useful among provided with a known answer: yes, yes, no -> 2/3
    assert stats.useful_share == pytest.approx(2 / 3)
    assert (stats.cases, stats.cases_helped, stats.cases_cleared) == (3, 1, 1)
    # 61 days of a $3,650/yr device budget = $609.58..., one case helped live
    assert stats.cost_per_case_helped_usd == pytest.approx(3650 * 61 / 365.25)
    by_tier = stats.fulfilled_by_tier.set_index("group")
    assert by_tier.loc["integrated", "share"] == 1.0
    assert by_tier.loc["registered", "share"] == pytest.approx(2 / 3)
    by_owner = stats.fulfilled_by_owner_type.set_index("group")
    assert by_owner.loc["residential", "decided"] == 1
    assert stats.per_month["requests"].tolist() == [3, 2]
    assert stats.to_dict()["stale_cameras"] == 4


def test_the_window_selects_requests_by_request_date():
    incidents, requests = _history()
    stats = request_stats(
        requests, _cameras(), incidents=incidents, since=date(2026, 4, 1),
        until=date(2026, 4, 30),
    )  # fmt: skip
    assert stats.requests == 2
    assert stats.fulfilled_share == 1.0  # one decided, provided
    assert stats.median_hours_to_footage == pytest.approx(30.0)


def test_public_group_table_hides_small_groups():
    _, requests = _history()
    stats = request_stats(requests, _cameras())
    public = suppress_groups(stats.fulfilled_by_owner_type, 3).set_index("group")
    # business: R? no -- B1 (2 decided) + I1 (1) = 3 decided -> kept
    assert public.loc["business", "decided"] == 3
    assert public.loc["residential", "share"] is None


# --- store ------------------------------------------------------------------
@pytest.fixture
def footage(tmp_path) -> FootageStore:
    store = RegistryStore.init(tmp_path / "reg.sqlite")
    store.import_cameras(_cameras(), source="seed.csv", user="seeder")
    store.withdraw("R1", reason="owner request", user="steward")
    return FootageStore(store)


def test_store_refuses_withdrawn_cameras_whole_call(footage):
    with pytest.raises(RequestError, match="withdrawn"):
        footage.add("C-1", ["B1", "R1"], user="det. smith")
    assert footage.requests().empty  # all or nothing


def test_store_keeps_every_change_in_the_audit_log(footage):
    (rid,) = footage.add("C-1", ["I1"], user="det. smith", kind="clip_saved")
    footage.update(rid, status="provided", useful="yes", user="det. smith")
    with pytest.raises(RequestError, match="final"):
        footage.update(rid, status="declined", user="det. smith")
    footage.update(rid, status="declined", reason="wrong camera", user="sgt. jones")
    frame = footage.requests()
    assert frame.loc[0, "status"] == "declined"
    events = footage.events(rid)
    assert events["new_status"].tolist() == ["requested", "provided", "declined"]
    assert events["reason"].iloc[-1] == "wrong camera"
    log = footage.store.audit_log(["footage_request", "footage_request_update"])
    assert len(log) == 3
    assert set(log["user"]) == {"det. smith", "sgt. jones"}


def test_only_provided_footage_is_marked_useful(footage):
    (rid,) = footage.add("C-1", ["B1"], user="det")
    with pytest.raises(RequestError, match="only provided footage"):
        footage.update(rid, useful="yes", user="det")


def test_expire_marks_no_answer_in_the_store(footage):
    (rid,) = footage.add("C-1", ["B1"], user="det", at=datetime(2026, 1, 1, 9))
    assert footage.expire(datetime(2026, 1, 20, 9), days=14) == [rid]
    assert footage.requests().loc[0, "status"] == "no_answer"


# --- what each role sees -------------------------------------------------------
@pytest.mark.parametrize(
    ("role", "rows"), [("public", False), ("staff", False), ("investigator", True)]
)
def test_rows_only_reach_investigators(role, rows):
    from analytics.footage_view import FootageHistory, requests_view

    incidents, requests = _history()
    history = FootageHistory(requests, pd.DataFrame(), None, "test")
    view = requests_view(
        history,
        _cameras(),
        incidents,
        role=role,
        since=date(2026, 3, 1),
        until=date(2026, 4, 30),
        as_of=date(2026, 11, 1),
        min_group_size=3,
    )
    assert (view.rows is not None) is rows
    assert (view.stale is not None) is rows
    if rows:
        assert view.rows["camera_id"].tolist()[0] == "R1"  # newest first
    owners = view.by_owner_type.set_index("group")
    if role == "public":
        assert owners.loc["residential", "share"] is None  # 1 decided < 3
    else:
        assert owners.loc["residential", "share"] == 1.0


def test_request_figures_are_written_by_the_catalogue():
    incidents, requests = _history()
    stats = request_stats(
        requests, _cameras(), incidents=incidents, since=date(2026, 3, 1),
        until=date(2026, 4, 30), device_cost_usd_per_year=3650.0, stale_cameras=4,
    )  # fmt: skip
    texts = figures.request_texts(stats)
    # hand-computed above: 5 requests, 3/4, median 10 h, 2/4, 2/3, 1 case helped,
    # $3,650 * 61 / 365.25 = $609.58 -> "$610", 4 stale
    assert texts == {
        "requests": "5",
        "fulfilled_share": "75.0%",
        "median_hours_to_footage": "10.0 h",
        "violent_incidents_with_request_share": "50.0%",
        "useful_share": "66.7%",
        "cases_helped": "1",
        "cost_per_case_helped_usd": "$610",
        "stale_cameras": "4",
    }
    assert figures.label("fulfilled_share") == "Requests fulfilled"
    assert figures.requests_sentence(stats) == (
        "5 footage requests in the window, 75.0% fulfilled, 66.7% of known "
        "outcomes helped; 4 stale registrations to verify again."
    )
    empty = request_stats(requests.iloc[0:0], _cameras())
    assert figures.request_texts(empty)["fulfilled_share"] == "–"


def test_correcting_provided_footage_drops_its_usefulness(footage):
    # provided + useful "yes", then corrected to declined: a declined request
    # has no footage to have helped, so useful goes back to "unknown" and the
    # event row records that it was reset
    (rid,) = footage.add("C-1", ["B1"], user="det")
    footage.update(rid, status="provided", useful="yes", user="det")
    footage.update(rid, status="declined", reason="wrong camera", user="det")
    row = footage.requests().iloc[0]
    assert (row["status"], row["useful"]) == ("declined", "unknown")
    events = footage.events(rid)
    assert events["useful"].tolist()[1:] == ["yes", "unknown"]
    assert pd.isna(events["useful"].iloc[0])  # the request itself sets none


def test_kind_error_names_the_tier_with_its_article():
    with pytest.raises(RequestError, match="but an integrated camera takes"):
        kind_for("integrated", "ask_owner")
    with pytest.raises(RequestError, match="but a registered camera takes"):
        kind_for("registered", "clip_saved")


def test_a_camera_is_not_asked_twice_while_its_request_is_open(footage):
    # B1 asked under C-1 (request 1, open): asking B1 and I1 again under C-1 is
    # refused whole; under another case, or once request 1 has its answer, B1
    # may be asked again
    (first,) = footage.add("C-1", ["B1"], user="det")
    with pytest.raises(RequestError, match=r"open request for B1 \(request 1\)"):
        footage.add("C-1", ["I1", "B1"], user="det")
    assert len(footage.requests()) == 1
    assert footage.add("C-2", ["B1"], user="det") == [2]
    footage.update(first, status="declined", user="det")
    assert footage.add("C-1", ["B1"], user="det") == [3]


def test_store_round_trip_on_sqlite_and_postgresql(store_target):
    # the same calls on both engines: a request, a refused repeat, an answer,
    # an expiry dated at the window's end, an outcome; version() moves with each
    from analytics.footage_store import EXPIRY_USER, version

    store = RegistryStore.init(store_target)
    store.import_cameras(_cameras(), source="seed.csv", user="seeder")
    footage = FootageStore(store)
    v0 = version(store.engine)
    assert v0 == (0, 0, 0, 0, "")
    (a,) = footage.add("C-1", ["B1"], user="det", at=datetime(2026, 1, 1, 9))
    (b,) = footage.add("C-1", ["I1"], user="det", at=datetime(2026, 1, 2, 9))
    with pytest.raises(RequestError, match="open request"):
        footage.add("C-1", ["B1"], user="det")
    v1 = footage.version()
    assert v1[:2] == (2, 2)  # two request events
    footage.update(a, status="provided", useful="yes", user="det")
    assert footage.expire(datetime(2026, 1, 20, 9), days=14) == [b]
    rows = footage.requests().set_index("request_id")
    assert rows.loc[b, "status_at"] == pd.Timestamp(2026, 1, 16, 9)
    footage.set_outcome("C-1", cleared=True, user="det", on=date(2026, 2, 1))
    v2 = footage.version()
    assert v2[:4] == (4, 4, 1, 1)  # 4 events, 1 case, 1 cleared
    log = store.audit_log(["footage_request_update"])
    assert EXPIRY_USER in set(log["user"])
