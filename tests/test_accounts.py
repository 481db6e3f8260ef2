"""analytics.accounts: hashes, delay and lockout, session tokens, SSO mapping."""

from __future__ import annotations

import json
import stat
from datetime import datetime, timedelta, timezone

import pytest
from argon2 import PasswordHasher

from analytics import accounts
from analytics.accounts import (
    LOCKOUT,
    MAX_FAILURES,
    AccountError,
    AccountStore,
    Viewer,
    audience_for,
    sso_config,
    viewer_from_claims,
)

PASSWORD = "correct horse battery staple"
T0 = datetime(2026, 11, 30, 9, 0, tzinfo=timezone.utc)


def test_production_hashes_are_argon2id_with_64_mib_and_3_passes():
    hasher = accounts._HASHER
    assert (hasher.memory_cost, hasher.time_cost) == (65536, 3)
    assert hasher.type.name == "ID"


@pytest.fixture(autouse=True)
def quick_hashes(monkeypatch, request):
    """A cheap Argon2id for speed (the production cost is checked above)."""
    if request.node.name.startswith("test_production"):
        return
    monkeypatch.setattr(
        accounts, "_HASHER", PasswordHasher(time_cost=1, memory_cost=64, parallelism=1)
    )


@pytest.fixture
def store(tmp_path):
    s = AccountStore(tmp_path / "accounts.json")
    s.add("jsmith", "investigator", PASSWORD)
    return s


def test_the_file_holds_an_argon2_hash_never_the_password(store):
    text = store.path.read_text()
    assert PASSWORD not in text
    entry = json.loads(text)["accounts"]["jsmith"]
    assert entry["password_hash"].startswith("$argon2id$")
    assert entry["role"] == "investigator"
    # only the owner may read it
    assert stat.S_IMODE(store.path.stat().st_mode) == 0o600


def test_right_password_signs_in_and_names_are_case_insensitive(store):
    result = store.authenticate(" JSmith ", PASSWORD, now=T0)
    assert result.ok
    assert result.reason == "ok"
    assert result.account.name == "jsmith"
    assert store.get("jsmith").last_sign_in == "2026-11-30T09:00:00+00:00"


def test_unknown_name_and_wrong_password_get_the_same_answer(store):
    wrong = store.authenticate("jsmith", "not the password", now=T0)
    unknown = store.authenticate("nobody", "not the password", now=T0)
    assert not wrong.ok
    assert not unknown.ok
    assert wrong.message == unknown.message
    assert "not recognised" in wrong.message


def test_wrong_passwords_wait_longer_each_time_then_lock(store):
    now = T0
    waits = []
    for _ in range(MAX_FAILURES - 1):
        result = store.authenticate("jsmith", "guess", now=now)
        assert result.reason == "wrong"
        waits.append(result.retry_after_s)
        # trying again at once is refused without a check and without a count
        early = store.authenticate("jsmith", PASSWORD, now=now)
        assert early.reason == "wait"
        assert not early.ok
        now += timedelta(seconds=result.retry_after_s)
    assert waits == [1.0, 2.0, 4.0, 8.0]
    assert store.get("jsmith").failures == MAX_FAILURES - 1
    fifth = store.authenticate("jsmith", "guess", now=now)
    assert fifth.reason == "locked"
    assert fifth.retry_after_s == LOCKOUT.total_seconds() == 900
    # locked: even the right password is refused until the lock ends
    assert store.authenticate("jsmith", PASSWORD, now=now + LOCKOUT / 2).reason == (
        "locked"
    )
    later = store.authenticate("jsmith", PASSWORD, now=now + LOCKOUT)
    assert later.ok
    assert store.get("jsmith").failures == 0


def test_the_lock_is_in_the_file_so_a_new_process_sees_it(store):
    now = T0
    for _ in range(MAX_FAILURES - 1):
        result = store.authenticate("jsmith", "guess", now=now)
        now += timedelta(seconds=result.retry_after_s)
    assert now == T0 + timedelta(seconds=1 + 2 + 4 + 8)
    assert store.authenticate("jsmith", "guess", now=now).reason == "locked"
    fresh = AccountStore(store.path)  # another dashboard process
    assert fresh.get("jsmith").locked_at(now) == T0 + timedelta(seconds=15) + LOCKOUT
    assert fresh.authenticate("jsmith", PASSWORD, now=now).reason == "locked"


def test_a_second_lock_lasts_twice_as_long(store):
    now = T0
    for _ in range(2 * MAX_FAILURES):
        result = store.authenticate("jsmith", "guess", now=now)
        now += timedelta(seconds=result.retry_after_s)
    assert result.reason == "locked"
    assert result.retry_after_s == 2 * LOCKOUT.total_seconds()


def test_unknown_names_lock_too_so_a_lock_does_not_reveal_an_account(store):
    now = T0
    for _ in range(MAX_FAILURES):
        result = store.authenticate("ghost-account", "guess", now=now)
        now += timedelta(seconds=result.retry_after_s)
    assert result.reason == "locked"


def test_disabled_account_cannot_sign_in(store):
    store.set_disabled("jsmith")
    result = store.authenticate("jsmith", PASSWORD, now=T0)
    assert not result.ok
    assert result.reason == "disabled"


def test_token_round_trip_expiry_and_forgery(store):
    account = store.authenticate("jsmith", PASSWORD, now=T0).account
    token = store.issue_token(account, now=T0)
    assert store.account_for_token(token, now=T0 + timedelta(hours=7)).name == "jsmith"
    # expired after 8 hours
    assert (
        store.account_for_token(token, now=T0 + timedelta(hours=8, seconds=1)) is None
    )
    # a changed character breaks the signature
    forged = token[:-2] + ("A" if token[-2] != "A" else "B") + token[-1]
    assert store.account_for_token(forged, now=T0) is None
    # a token signed with another key is refused
    other = AccountStore(store.path.with_name("other.json"))
    other.add("jsmith", "admin", PASSWORD)
    foreign = other.issue_token(other.get("jsmith"), now=T0)
    assert store.account_for_token(foreign, now=T0) is None


def test_sign_out_new_password_and_disable_end_open_sessions(store):
    for end in (
        lambda: store.end_sessions("jsmith"),
        lambda: store.set_password("jsmith", PASSWORD + "!"),
        lambda: store.set_disabled("jsmith"),
    ):
        store.set_disabled("jsmith", False)
        token = store.issue_token(store.get("jsmith"), now=T0)
        assert store.account_for_token(token, now=T0) is not None
        end()
        assert store.account_for_token(token, now=T0) is None


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ({"role": "staff", "password_hash": ""}, "no Argon2 password hash"),
        ({"role": "staff", "password_hash": "hunter2hunter2"}, "no Argon2"),
        ({"role": "superuser", "password_hash": "$argon2id$x"}, "superuser"),
        ({"role": "staff", "password_hash": "$argon2id$x", "pw": "x"}, "unknown keys"),
    ],
)
def test_malformed_accounts_file_is_an_error_naming_the_problem(
    tmp_path, entry, message
):
    path = tmp_path / "accounts.json"
    body = {
        "format": "camreg-accounts",
        "version": 1,
        "secret_key": "k" * 40,
        "accounts": {"ann": entry},
    }
    path.write_text(json.dumps(body))
    with pytest.raises(AccountError, match=message):
        AccountStore(path).accounts()


def test_not_json_is_an_error(tmp_path):
    path = tmp_path / "accounts.json"
    path.write_text("{not json")
    with pytest.raises(AccountError, match="not valid JSON"):
        AccountStore(path).accounts()


def test_short_passwords_and_taken_names_are_refused(store):
    with pytest.raises(AccountError, match="at least 12"):
        store.add("ann", "staff", "short")
    with pytest.raises(AccountError, match="exists already"):
        store.add("JSMITH", "staff", PASSWORD)
    with pytest.raises(AccountError, match="account name"):
        store.add("bad name!", "staff", PASSWORD)
    with pytest.raises(AccountError, match="role"):
        store.add("ann", "public", PASSWORD)


def test_admin_sees_what_an_investigator_sees():
    assert audience_for("admin") == "investigator"
    assert audience_for("staff") == "staff"
    assert Viewer("ann", "admin", "account").audience == "investigator"


SSO_SECRETS = {
    "auth": {
        "redirect_uri": "http://localhost:8501/oauth2callback",
        "cookie_secret": "a long random string",
        "client_id": "dashboard",
        "client_secret": "s3cret",
        "server_metadata_url": "https://login.city.example/.well-known/openid-configuration",
    },
    "sso": {
        "emails": {"Chief@City.example": "admin"},
        "groups": {"LRPD Investigations": "investigator"},
        "domains": {"city.example": "staff"},
    },
}


def test_sso_claims_map_to_the_highest_matching_role():
    sso = sso_config(SSO_SECRETS)
    staff = viewer_from_claims({"email": "clerk@city.example"}, sso)
    assert (staff.name, staff.role, staff.how) == ("clerk@city.example", "staff", "sso")
    inv = viewer_from_claims(
        {"email": "det@city.example", "groups": ["LRPD Investigations"]}, sso
    )
    assert inv.role == "investigator"
    assert viewer_from_claims({"email": "chief@city.example"}, sso).role == "admin"
    assert viewer_from_claims({"email": "someone@gmail.example"}, sso).role == "public"
    # an e-mail the provider has not verified opens nothing
    unverified = {"email": "chief@city.example", "email_verified": False}
    assert viewer_from_claims(unverified, sso).role == "public"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda s: s["auth"].pop("cookie_secret"), "cookie_secret"),
        (lambda s: s["auth"].update(client_secret=""), "client_secret"),
        (lambda s: s.pop("sso"), r"no `\[sso\]`"),
        (lambda s: s["sso"]["groups"].update(x="superuser"), "superuser"),
        (lambda s: s.update(sso={}), "everybody"),
    ],
)
def test_broken_sso_settings_are_errors(change, message):
    secrets = json.loads(json.dumps(SSO_SECRETS))
    change(secrets)
    with pytest.raises(AccountError, match=message):
        sso_config(secrets)
