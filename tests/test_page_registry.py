"""The Registry page, driven through its widgets with AppTest.

The store is a temporary file named by CAMREG_REGISTRY_DB (set before the page
runs); incidents come from a small LRPD sample so the dataset is "real" and read
from the store. Uploads go through ``at.file_uploader`` (AppTest supports it
since Streamlit 1.53).
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from conftest import CENTRE, make_cameras
from streamlit.testing.v1 import AppTest

from analytics.safe_output import escape_markdown
from analytics.store import RegistryStore
from tests.pagetest import sign_in, use_accounts
from ui.data import get_dataset

PAGE = str(Path(__file__).resolve().parent.parent / "pages" / "7_Registry.py")


STEWARD = "j.smith"


@pytest.fixture
def store(store_target, tmp_path, monkeypatch, data_dir) -> RegistryStore:
    """A seeded store named by CAMREG_REGISTRY_DB: SQLite, then PostgreSQL."""
    path = store_target
    monkeypatch.setenv("CAMREG_REGISTRY_DB", str(path))
    monkeypatch.setenv("CAMREG_INCIDENTS", str(data_dir / "lrpd" / "lrpd_current.csv"))
    for name in ("CAMREG_CAMERAS", "CAMREG_CITY", "CAMREG_WARDS", "CAMREG_CITY_LIMIT"):
        monkeypatch.delenv(name, raising=False)
    # real data: only a signed-in person may manage the store
    use_accounts(monkeypatch, tmp_path, **{STEWARD: "staff"})
    lat, lon = CENTRE
    store = RegistryStore.init(path)
    store.import_cameras(
        make_cameras(
            [
                {"camera_id": "A", "latitude": lat, "longitude": lon},
                {
                    "camera_id": "B",
                    "latitude": lat + 0.001,
                    "longitude": lon,
                    "owner_type": "residential",
                    "address": "12 Home Rd",
                    "owner_name": "Ann Owner",
                    "camera_count": 3,
                },
            ]
        ),
        source="seed.csv",
        user="seeder",
    )
    # the dataset cache is process-wide: start from and leave a clean one
    get_dataset.clear()
    yield store
    get_dataset.clear()


def run_page() -> AppTest:
    """The page, signed in as STEWARD (the audit log's first event after the seed)."""
    at = sign_in(AppTest.from_file(PAGE, default_timeout=120).run(), STEWARD)
    assert not at.exception
    return at


def metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def audit_frame(at: AppTest):
    """The audit table: the page's last dataframe."""
    return at.dataframe[-1].value


def frame_with(at: AppTest, column: str):
    """The first dataframe on the page that has ``column``."""
    return next(d.value for d in at.dataframe if column in d.value.columns)


def browse_frame(at: AppTest):
    """The store table of the first tab: the page's first dataframe."""
    return at.dataframe[0].value


def fill_withdrawal(at: AppTest, camera_id: str, *, confirm: bool = True) -> None:
    at.text_input(key="registry_withdraw_id").input(camera_id)
    at.text_input(key="registry_withdraw_reason").input("owner asked by phone")
    at.date_input(key="registry_withdraw_date").set_value(date(2025, 3, 1))
    if confirm:
        at.checkbox(key="registry_withdraw_confirm").check()
    at.run()
    at.button(key="registry_withdraw").click().run()
    assert not at.exception


def test_page_shows_the_store_in_use_and_its_counts(store):
    at = run_page()
    assert metrics(at) == {
        "Active cameras": "4",  # 1 + 3 cameras at two sites
        "Active sites": "2",
        "Withdrawn (kept for the record)": "0",
    }
    captions = " ".join(c.value for c in at.caption)
    assert f"Registry store in use: `{store.location}`" in captions
    if store.is_postgres:
        assert "Data: registry t_" in captions
        assert "on PostgreSQL + lrpd_current.csv" in captions
    else:
        label = escape_markdown("registry registry.sqlite + lrpd_current.csv")
        assert f"Data: {label}" in captions  # file names are shown as typed
    assert "not this store" not in captions
    audit = audit_frame(at)
    assert audit["action"].tolist() == ["sign in", "import", "insert", "insert"]
    assert audit["user"].iloc[0] == STEWARD
    # sentences, not JSON or snake_case (issue 11), times to the minute
    cells = audit[["action", "what", "recorded_at"]].astype(str).to_numpy().ravel()
    assert not any("{" in c for c in cells)
    assert not any("_" in a for a in audit["action"])
    assert audit["what"].iloc[0] == "Signed in as staff"
    assert audit["what"].iloc[1] == (
        "Import of 2 rows: 2 new, 0 updated, 0 unchanged, 0 withdrawn"
    )
    assert audit["what"].iloc[2].startswith("Camera ")
    assert all(len(t.split()) == 4 and t.count(":") == 1 for t in audit["recorded_at"])
    # staff never see a residential address or an owner's name
    text = " ".join(audit["what"].astype(str))
    assert "12 Home Rd" not in text
    assert "Ann Owner" not in text
    assert "owner_name: (hidden)" in text


def test_withdraw_through_the_widgets_shows_in_the_audit_log(store):
    at = run_page()
    fill_withdrawal(at, "A")
    assert [s.value for s in at.success] == [
        "Camera `A` withdrawn as of 01 Mar 2025 (audit event #6). It is kept for "
        "the record and left out of analytics and canvass lists."
    ]
    assert metrics(at)["Active sites"] == "1"
    assert metrics(at)["Active cameras"] == "3"
    assert metrics(at)["Withdrawn (kept for the record)"] == "1"
    top = audit_frame(at).iloc[0]
    assert (top["action"], top["camera_id"], top["user"]) == (
        "withdraw",
        "A",
        STEWARD,
    )
    assert top["reason"] == "owner asked by phone"
    assert top["what"] == "Camera A withdrawn as of 01 Mar 2025: owner asked by phone"
    a = store.cameras().set_index("camera_id").loc["A"]
    assert (a["status"], a["withdrawn_at"]) == ("withdrawn", date(2025, 3, 1))
    # the form is reset for the next withdrawal
    assert at.checkbox(key="registry_withdraw_confirm").value is False
    # filter the audit log to one camera
    at.text_input(key="registry_audit_camera").input("A").run()
    assert audit_frame(at)["action"].tolist() == ["withdraw", "insert"]
    at.multiselect(key="registry_audit_actions").set_value(["withdraw"]).run()
    assert audit_frame(at)["action"].tolist() == ["withdraw"]


def test_withdraw_without_confirmation_changes_nothing(store):
    at = run_page()
    fill_withdrawal(at, "A", confirm=False)
    assert [e.value for e in at.error] == [
        "Nothing was changed: please give the confirmation tick."
    ]
    assert store.counts() == {"active": 2, "withdrawn": 0}


def test_withdraw_unknown_camera_says_so(store):
    at = run_page()
    fill_withdrawal(at, "ZZZ")
    assert "No camera `ZZZ` in the store." in [w.value for w in at.warning]
    assert [e.value for e in at.error] == [
        "Nothing was changed: camera 'ZZZ' is not in the registry."
    ]
    assert len(store.audit_log()) == 4  # seed (3) and the sign-in


def test_reactivate_after_withdrawal(store):
    store.withdraw("B", reason="moved", user="u", at="2025-02-01")
    at = run_page()
    assert metrics(at)["Withdrawn (kept for the record)"] == "1"
    at.text_input(key="registry_reactivate_id").input("B")
    at.text_input(key="registry_reactivate_reason").input("owner re-registered")
    at.checkbox(key="registry_reactivate_confirm").check()
    at.run()
    at.button(key="registry_reactivate").click().run()
    assert not at.exception
    assert metrics(at)["Active sites"] == "2"
    assert audit_frame(at).iloc[0]["action"] == "reactivate"
    assert audit_frame(at).iloc[0]["what"] == (
        "Camera B active again: owner re-registered"
    )


def test_upload_shows_the_plan_then_imports_on_confirmation(store, data_dir):
    export = (data_dir / "registry_export.csv").read_bytes()
    at = run_page()
    at.file_uploader(key="registry_upload").set_value(
        ("registry_export.csv", export, "text/csv")
    )
    at.run()
    assert not at.exception
    got = metrics(at)
    assert (got["Rows read"], got["Accepted"], got["Quarantined"]) == ("4", "3", "1")
    # the preview: three new cameras, nothing else, before anything is written
    assert (got["New"], got["Updated"], got["Unchanged"]) == ("3", "0", "0")
    assert (got["Withdrawn by the file"], got["Kept withdrawn"]) == ("0", "0")
    preview = frame_with(at, "outcome")
    assert preview["camera_id"].tolist() == ["R-1", "R-2", "R-3"]
    assert set(preview["outcome"]) == {"new"}
    assert at.button(key="registry_import").label == (
        "Apply: 3 change(s) in one transaction"
    )
    # signed in (the audit log names the account), but without the review
    # tick nothing is imported
    at.button(key="registry_import").click().run()
    assert any("I have reviewed these changes" in e.value for e in at.error)
    assert store.counts()["active"] == 2

    at.checkbox(key="registry_import_confirm").check()
    at.button(key="registry_import").click().run()
    assert not at.exception
    assert [s.value for s in at.success] == [
        "Import #2 of `registry_export.csv`: 3 inserted, 0 updated, 0 unchanged, "
        "0 withdrawn."
    ]
    assert metrics(at)["Active sites"] == "5"
    assert audit_frame(at).iloc[0]["source"] == "registry_export.csv"
    # the shared dataset was reloaded from the store: its date moved to the
    # newest registration in the export (12 Mar 2025)
    at.run()
    captions = " ".join(c.value for c in at.caption)
    assert "as of 12 Mar 2025" in captions
    # the same file again: the preview says there is nothing to do
    assert metrics(at)["Unchanged"] == "3"
    assert at.button(key="registry_import").disabled


def test_confirmed_plan_is_refused_if_the_store_changed_meanwhile(store, data_dir):
    export = (data_dir / "registry_export.csv").read_bytes()
    at = run_page()
    at.file_uploader(key="registry_upload").set_value(
        ("registry_export.csv", export, "text/csv")
    )
    at.run()
    at.checkbox(key="registry_import_confirm").check()
    at.run()
    assert metrics(at)["New"] == "3"
    # another steward imports one of the rows between preview and confirmation
    from analytics.config import load_city
    from analytics.loaders import load_cameras

    rows = load_cameras(data_dir / "registry_export.csv", load_city()).accepted
    store.import_cameras(rows.iloc[[0]], source="other.csv", user="other")
    # the page reruns on the click and previews again: the plan it applies is
    # the one shown, so it imports the two rows still new
    at.button(key="registry_import").click().run()
    assert not at.exception
    assert [s.value for s in at.success] == [
        "Import #3 of `registry_export.csv`: 2 inserted, 0 updated, 1 unchanged, "
        "0 withdrawn."
    ]


def test_overview_and_registry_show_the_same_camera_count(store):
    # withdrawn on the data's "as of" day (the newest registration here)
    store.withdraw("A", reason="owner", user="u", at="2025-01-01")
    registry = run_page()
    overview = AppTest.from_file(
        str(Path(PAGE).parent / "0_Overview.py"), default_timeout=180
    ).run()
    assert not overview.exception
    shown = metrics(overview)["Active cameras"]
    assert shown == metrics(registry)["Active cameras"] == "3"
    assert store.totals()["cameras"] == 3


def test_browse_is_searchable_paged_and_redacted(store):
    at = run_page()
    table = browse_frame(at)
    assert table["camera_id"].tolist() == ["A", "B"]
    # staff: no owner names, no home address or coordinates
    assert "owner_name" not in table.columns
    home = table.set_index("camera_id").loc["B"]
    assert home["address"] is None
    assert pd.isna(home["latitude"])
    # searching a home address finds nothing: the search cannot reveal it
    at.text_input(key="registry_browse_search").input("home rd").run()
    assert browse_frame(at).empty
    assert any(c.value.startswith("0 registration(s) match") for c in at.caption)
    at.text_input(key="registry_browse_search").input("b").run()
    assert browse_frame(at)["camera_id"].tolist() == ["B"]
    at.text_input(key="registry_browse_search").input("").run()
    at.selectbox(key="registry_browse_owner").set_value("residential").run()
    assert browse_frame(at)["camera_id"].tolist() == ["B"]


def test_unusable_upload_is_an_error_not_a_traceback(store):
    at = run_page()
    at.file_uploader(key="registry_upload").set_value(
        ("cameras.csv", bytes(range(256)) * 8, "text/csv")
    )
    at.run()
    assert not at.exception
    assert len(at.error) == 1
    assert at.error[0].value.startswith("`cameras.csv` cannot be used:")
    assert "Export the registry again" in at.error[0].value
    assert store.counts()["active"] == 2


def test_store_still_managed_when_dataset_cannot_load(store, monkeypatch):
    # a store configured before the incidents: the dataset refuses to mix
    monkeypatch.delenv("CAMREG_INCIDENTS")
    at = run_page()
    assert any("dataset could not be loaded" in w.value for w in at.warning), at.warning
    fill_withdrawal(at, "B")
    assert store.counts() == {"active": 1, "withdrawn": 1}


def test_public_viewers_are_kept_out(store, monkeypatch, tmp_path):
    use_accounts(monkeypatch, tmp_path, clerk="staff")  # visitors are public
    at = AppTest.from_file(PAGE, default_timeout=120)
    at.run()
    assert not at.exception
    assert any("Sign in as staff or investigator" in w.value for w in at.warning)
    assert len(at.dataframe) == 0
    assert len(at.metric) == 0


def test_opening_a_record_is_recorded_and_only_the_steward_sees_contacts(
    store, monkeypatch, tmp_path
):
    use_accounts(monkeypatch, tmp_path, boss="admin")
    for name, sees_owner in ((STEWARD, False), ("boss", True)):
        at = sign_in(AppTest.from_file(PAGE, default_timeout=120).run(), name)
        at.text_input(key="registry_withdraw_id").input("B").run()
        assert not at.exception
        record = next(d.value for d in at.dataframe if "camera_id" in d.value)
        assert ("Ann Owner" in set(record.get("owner_name", []))) is sees_owner
        look = store.audit_log(action="camera_record").iloc[0]
        assert look["user"] == name
        details = json.loads(look["details"])
        assert (details["camera_id"], details["contacts_shown"]) == ("B", sees_owner)


def test_real_data_without_accounts_is_public_and_says_how_to_add_them(
    store, monkeypatch, tmp_path
):
    monkeypatch.setenv("CAMREG_USERS", str(tmp_path / "none.json"))
    at = AppTest.from_file(PAGE, default_timeout=120).run()
    assert not at.exception
    info = " ".join(i.value for i in at.sidebar.info)
    assert "public edition only" in info
    assert "python -m analytics users add" in info
    assert not at.sidebar.text_input  # no sign-in form without accounts
    assert any("Sign in as staff or investigator" in w.value for w in at.warning)
    assert len(at.dataframe) == 0
