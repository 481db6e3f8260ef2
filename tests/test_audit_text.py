"""Audit entries as sentences (issue 11): each action kind, by hand."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from analytics.audit_text import action_words, describe_audit, describe_event

CANVASS = {
    "case_number": "2026-001234",
    "lat": 34.746481,
    "lon": -92.289595,
    "radius_m": 150.0,
    "nearest": 10,
    "role": "investigator",
    "cameras_listed": 12,
    "within_radius": 9,
    "camera_ids": ["CAM-000001", "CAM-000002"],
}


def words(action, details, audience="investigator", **kw):
    return describe_event(action, details, audience=audience, **kw)


def test_canvass_names_place_only_for_investigators():
    assert words("canvass", CANVASS) == (
        "Canvass of 12 cameras within 150 m of 34.74648, -92.28960, case 2026-001234"
    )
    staff = words("canvass", json.dumps(CANVASS), "staff")
    assert staff == "Canvass of 12 cameras within 150 m, case 2026-001234"
    assert "34.7" not in staff
    assert "CAM-" not in staff


def test_canvass_look_with_contacts_and_hidden_homes():
    look = {"case_number": "C-9", "cameras": 1, "contacts_shown": True}
    assert (
        words("canvass", look) == "Canvass of 1 camera, case C-9; owner contacts shown"
    )
    redacted = {"cameras_listed": 3, "private_cameras_not_shown": 2, "camera_ids": []}
    assert words("canvass", redacted, "staff") == (
        "Canvass of 3 cameras; 2 residential cameras not listed"
    )


def test_area_notification_and_notice():
    listed = {"case_number": "C-1", "area": '{"type": "Polygon"}', "owners": 4,
              "sites": 6, "camera_ids": ["X"]}  # fmt: skip
    assert words("area_notification", listed, "staff") == (
        "Area notification list of 4 owners (6 sites), case C-1"
    )
    assert words("area_notification", listed) == (
        "Area notification list of 4 owners (6 sites) in a drawn area, case C-1"
    )
    notice = {"notice_id": "N-3", "case_number": "C-1", "owners": 1,
              "radius_m": 200, "lat": 34.7, "lon": -92.3}  # fmt: skip
    assert words("area_notice", notice, "public") == (
        "Area notice N-3 to 1 owner within 200 m, case C-1"
    )
    sent = {"notice_id": "N-3", "case_number": "C-1", "sent": 5, "failed": 1,
            "queued": 0, "status": "done", "stopped_by": "relay refused"}  # fmt: skip
    assert words("area_notice_delivery", sent) == (
        "Notice N-3 delivery done: 5 messages sent, 1 failed, 0 queued, case C-1; "
        "stopped by relay refused"
    )


def test_opt_out_names_the_camera_only_for_investigators():
    out = {"opt_out_id": 2, "method": "reply_stop", "camera_id": "CAM-7", "by": []}
    assert words("notice_opt_out", out) == (
        "Owner opted out of notices camera CAM-7 (reply stop)"
    )
    by_mail = {"opt_out_id": 3, "method": "steward", "camera_id": None,
               "by": ["e-mail"]}  # fmt: skip
    assert words("notice_opt_out", by_mail, "staff") == (
        "Owner opted out of notices by e-mail (steward)"
    )
    assert "CAM-7" not in words("notice_opt_out", out, "staff")


def test_footage_requests():
    asked = {"case": "2026-001234", "requests": [17, 18], "cameras": 2,
             "kinds": ["footage"]}  # fmt: skip
    assert words("footage_request", asked) == (
        "Footage requested from 2 cameras, case 2026-001234 (requests 17, 18); footage"
    )
    moved = {"request": 17, "case": "2026-001234", "from": "requested",
             "to": "provided", "useful": "yes"}  # fmt: skip
    assert words("footage_request_update", moved) == (
        "Footage request 17: requested → provided; useful: yes, case 2026-001234"
    )
    expired = {"request": 4, "from": "requested", "to": "no_answer"}
    assert words("footage_request_update", expired) == (
        "Footage request 4: requested → no answer"
    )
    assert words("case_outcome", {"case": "C-2", "cleared": True}) == (
        "Case C-2 marked cleared"
    )
    assert words("footage_history_load", {"requests": 1}) == (
        "Footage request history loaded: 1 request"
    )


def test_sign_ins_accounts_notes_and_records():
    assert words("sign_in", {"outcome": "ok", "role": "staff"}) == (
        "Signed in as staff"
    )
    assert words("sign_in_failed", {"outcome": "failed"}) == "Sign-in failed"
    assert words("sign_in_failed", '{"outcome": "unknown_name"}', "public") == (
        "Sign-in failed (unknown name)"
    )
    assert words("sign_out", {"outcome": "signed_out"}) == "Signed out"
    assert words("account", {"account": "ann", "change": "added", "role": "staff"}) == (
        "Account ann (staff): added"
    )
    assert words("note", {"event": 12}) == "Note on event 12"
    look = {"camera_id": "CAM-5", "contacts_shown": True, "cameras": 1}
    assert words("camera_record", look) == (
        "Registry record of camera CAM-5 opened; owner contacts shown"
    )
    assert words("camera_record", {"camera_id": "CAM-5"}, "staff") == (
        "Registry record of a camera opened"
    )


def test_camera_events_and_store_events():
    assert words("withdraw", "status: active -> withdrawn; withdrawn_at: - -> "
                 "2026-03-01", camera_id="CAM-000042", reason="owner request") == (
        "Camera CAM-000042 withdrawn as of 01 Mar 2026: owner request"
    )  # fmt: skip
    plain = words("withdraw", "", "staff", camera_id="CAM-000042", reason="owner asked")
    assert plain == "Camera CAM-000042 withdrawn: owner asked"
    assert words("reactivate", "", camera_id="B", reason="") == "Camera B active again"
    assert words("update", "tier: registered -> integrated", camera_id="B") == (
        "Camera B updated: tier: registered -> integrated"
    )
    assert words("insert", "owner_name: (hidden)", "staff", camera_id="C") == (
        "Camera C registered: owner_name: (hidden)"
    )
    imported = {"rows": 3, "inserted": 1, "updated": 1, "unchanged": 1,
                "withdrawn": 0, "kept_withdrawn": []}  # fmt: skip
    assert words("import", imported) == (
        "Import of 3 rows: 1 new, 1 updated, 1 unchanged, 0 withdrawn"
    )
    assert words("migrate", {"from": "0001", "to": "0004"}) == (
        "Store schema upgraded 0001 → 0004"
    )
    assert words("stale_call_list", {"cameras": 8, "out": "calls.csv"}) == (
        "Call list of 8 cameras to verify again"
    )


def test_unknown_actions_read_as_words_and_pairs():
    assert words("bulk_export_made", {"rows": 40, "file_name": "x.gpkg",
                                      "ok": True}) == (
        "Bulk export made: rows: 40, file name: x.gpkg, ok: yes"
    )  # fmt: skip
    assert words("odd_thing", "not json") == "Odd thing: not json"
    assert words("odd_thing", None) == "Odd thing"
    # the fail-closed part: a place in an unknown event stays hidden below investigator
    hidden = words("new_look", {"lat": 34.7, "lon": -92.3, "camera_ids": ["H-1"],
                                "cameras": 2}, "staff")  # fmt: skip
    assert hidden == "New look: cameras: 2"
    assert action_words("area_notice_delivery") == "area notice delivery"


@pytest.mark.parametrize("audience", ["public", "staff", "investigator"])
def test_describe_audit_leaves_no_json_and_times_to_the_minute(audience):
    table = pd.DataFrame(
        {
            "event_id": [2, 1],
            "recorded_at": ["2026-11-30T10:41:59+00:00", "2026-11-29T08:05:01+00:00"],
            "action": ["sign_in_failed", "canvass"],
            "camera_id": [None, None],
            "what": ['{"outcome": "failed"}', json.dumps(CANVASS)],
            "reason": ["sign_in_failed: failed", "canvass for case 2026-001234"],
        }
    )
    out = describe_audit(table, audience)
    assert out["action"].tolist() == ["sign in failed", "canvass"]
    assert out["recorded_at"].tolist() == ["30 Nov 2026 10:41", "29 Nov 2026 08:05"]
    assert out["what"].iloc[0] == "Sign-in failed"
    assert not any("{" in w for w in out["what"])
    assert ("34.74648" in out["what"].iloc[1]) == (audience == "investigator")
    assert table["action"].iloc[0] == "sign_in_failed"  # the input is not changed
