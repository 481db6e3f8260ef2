"""Named accounts: who may sign in, with which role, and how sign-in stays safe.

People sign in as themselves. Each account has a name, one role
(``ACCOUNT_ROLES``) and a password stored only as an Argon2id hash
(``argon2-cffi``). The accounts live in a small JSON file that only this module
writes (``$CAMREG_USERS``, default ``data/accounts.json``), managed with
``python -m analytics users ...``::

    {"format": "camreg-accounts", "version": 1, "secret_key": "...",
     "accounts": {"jsmith": {"role": "investigator",
                             "password_hash": "$argon2id$v=19$m=65536,t=3,p=4$...",
                             "disabled": false, "failures": 0, ...}}}

Rules (docs/privacy-and-canvass.md, "Accounts and sign-in"):

* passwords are checked with Argon2's constant-time verification; an unknown
  name is checked against a dummy hash, so it takes as long as a known one;
* after a wrong password the next try waits ``DELAY_BASE_S * 2**(n-1)``
  seconds (1, 2, 4, 8 s); the ``MAX_FAILURES``-th wrong password in a row locks
  the account for ``LOCKOUT`` (15 minutes, doubling with each further lock);
  the counts are kept in the file, so a reload or a second browser does not
  reset them;
* a successful sign-in gives a signed token (``itsdangerous``) naming the
  account and its session epoch; the browser keeps it as a cookie for
  ``SESSION_HOURS``. Signing out, a new password or disabling the account bumps
  the epoch, which ends every session of that account.

>>> store = AccountStore("data/accounts.json")                 # doctest: +SKIP
>>> store.add("jsmith", "investigator", "correct horse battery")  # +SKIP
>>> store.authenticate("jsmith", "correct horse battery").ok      # +SKIP
True
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import logging
import os
import re
import secrets
import tempfile
from collections.abc import Callable, Iterator, Mapping
from dataclasses import asdict, dataclass, field, replace
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from itsdangerous import BadSignature, URLSafeSerializer

LOG = logging.getLogger(__name__)

# Least to most trusted. Data views know three audiences (analytics.privacy.ROLES);
# an admin sees what an investigator sees and may manage accounts.
ROLE_ORDER = ("public", "staff", "investigator", "admin")
ACCOUNT_ROLES = ("staff", "investigator", "admin")
USERS_ENV = "CAMREG_USERS"
COOKIE_SECRET_ENV = "CAMREG_COOKIE_SECRET"
DEFAULT_USERS_FILE = Path(__file__).resolve().parent.parent / "data" / "accounts.json"
FILE_FORMAT = "camreg-accounts"
FILE_VERSION = 1
MAX_FAILURES = 5
LOCKOUT = timedelta(minutes=15)
MAX_LOCKOUT = timedelta(hours=24)
DELAY_BASE_S = 1.0
MAX_DELAY_S = 30.0
SESSION_HOURS = 8
MIN_PASSWORD_LENGTH = 12
NAME_PATTERN = re.compile(r"^[a-z0-9][a-z0-9._@+-]{0,63}$")
TOKEN_SALT = "camreg-sign-in"
# Failures for names that have no account, kept in memory (bounded) so that a
# lockout message does not tell which names exist.
_UNKNOWN_LIMIT = 10_000

_HASHER = PasswordHasher()  # Argon2id, RFC 9106 low-memory profile (64 MiB, t=3)
_DUMMY_HASH = _HASHER.hash("not a password: equalises the time of unknown names")


class AccountError(ValueError):
    """An accounts file or an account request that cannot be used."""


@dataclass(frozen=True)
class Account:
    """One named account as stored (the hash, never the password)."""

    name: str
    role: str
    password_hash: str
    disabled: bool = False
    created_at: str = ""
    last_sign_in: str | None = None
    failures: int = 0
    retry_at: str | None = None
    locked_until: str | None = None
    session_epoch: int = 0

    def locked_at(self, now: datetime) -> datetime | None:
        """When the lock ends, if the account is locked at ``now``; else None."""
        until = _parse_time(self.locked_until)
        return until if until is not None and until > now else None


@dataclass(frozen=True)
class SignIn:
    """The outcome of one sign-in attempt.

    ``reason`` is ``"ok"``, ``"wrong"`` (name or password not recognised),
    ``"wait"`` (too soon after a wrong password), ``"locked"`` or ``"disabled"``;
    ``message`` says it in a sentence; ``retry_after_s`` is how long to wait.
    """

    ok: bool
    reason: str
    message: str
    account: Account | None = None
    retry_after_s: float = 0.0


@dataclass(frozen=True)
class Viewer:
    """Who is looking: a person's name (None when anonymous) and their role.

    ``how`` is ``"account"``, ``"sso"``, ``"demo"`` or ``"public"``.
    """

    name: str | None
    role: str
    how: str = "public"

    @property
    def audience(self) -> str:
        """The data audience of ``analytics.privacy`` this viewer gets."""
        return audience_for(self.role)

    @property
    def audit_name(self) -> str:
        """The name the audit log records: the person, or how they came in."""
        if self.name:
            return self.name
        return "demo visitor (no accounts)" if self.how == "demo" else "anonymous"


def audience_for(role: str) -> str:
    """The data audience of a role: ``admin`` sees what an investigator sees."""
    validate_role(role, ROLE_ORDER)
    return "investigator" if role == "admin" else role


def role_rank(role: str) -> int:
    """Position of ``role`` in ``ROLE_ORDER`` (public 0 ... admin 3)."""
    return ROLE_ORDER.index(validate_role(role, ROLE_ORDER))


def validate_role(role: str, allowed: tuple[str, ...] = ACCOUNT_ROLES) -> str:
    if role not in allowed:
        raise AccountError(f"role was {role!r} but is expected to be one of {allowed}")
    return role


def normalise_name(name: str) -> str:
    """Account names are case-insensitive: ``" JSmith "`` -> ``"jsmith"``."""
    text = str(name or "").strip().lower()
    if not NAME_PATTERN.match(text):
        raise AccountError(
            f"account name was {name!r} but is expected to be 1-64 letters, digits "
            "or . _ @ + - (starting with a letter or digit), e.g. 'jsmith' or an "
            "e-mail address"
        )
    return text


def check_password_strength(password: str, name: str = "") -> None:
    """Refuse passwords that are too short or equal to the account name."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(
            f"the password has {len(password)} characters but needs at least "
            f"{MIN_PASSWORD_LENGTH} (a passphrase of a few words is easy to type)"
        )
    if name and password.strip().lower() == name.lower():
        raise AccountError("the password must not be the account name")


def users_path() -> Path:
    """The accounts file: ``$CAMREG_USERS`` or ``data/accounts.json``."""
    env = os.environ.get(USERS_ENV, "").strip()
    return Path(env).expanduser() if env else DEFAULT_USERS_FILE


class AccountStore:
    """The accounts file: read, change (under a lock, atomically) and check.

    Every change takes an exclusive lock on ``<file>.lock``, re-reads the file,
    writes a temporary file and renames it over the old one, so two dashboard
    processes and the command line never lose each other's updates. The file is
    created with mode 0600.
    """

    def __init__(self, path: str | os.PathLike[str] | None = None) -> None:
        self.path = Path(path) if path is not None else users_path()

    def __repr__(self) -> str:
        return f"AccountStore({str(self.path)!r})"

    # --- reading ------------------------------------------------------------------
    def exists(self) -> bool:
        return self.path.exists()

    def accounts(self) -> dict[str, Account]:
        """Every account by name (``{}`` when the file does not exist).

        Raises AccountError, naming the file and the problem, for a file that
        is not valid JSON, an unknown role, an empty or non-Argon2 hash.
        """
        return {a.name: a for a in self._read()["accounts"]}

    def get(self, name: str) -> Account | None:
        return self.accounts().get(normalise_name(name))

    def require(self, name: str) -> Account:
        """The account ``name``; AccountError naming the known accounts if none."""
        accounts = self.accounts()
        key = normalise_name(name)
        if key not in accounts:
            known = ", ".join(sorted(accounts)) or "none"
            raise AccountError(f"there is no account {key!r} (accounts: {known})")
        return accounts[key]

    # --- managing -----------------------------------------------------------------
    def add(self, name: str, role: str, password: str) -> Account:
        """Create an account; AccountError if the name is taken or unusable."""
        name = normalise_name(name)
        validate_role(role)
        check_password_strength(password, name)
        with self._change() as data:
            if any(a.name == name for a in data["accounts"]):
                raise AccountError(
                    f"account {name!r} exists already: use `users passwd {name}` "
                    "to set a new password"
                )
            account = Account(
                name=name,
                role=role,
                password_hash=_HASHER.hash(password),
                created_at=_iso(_utc_now()),
            )
            data["accounts"].append(account)
        return account

    def set_password(self, name: str, password: str) -> Account:
        """New password; clears failures and lock and ends open sessions."""
        check_password_strength(password, normalise_name(name))
        new_hash = _HASHER.hash(password)
        return self._update(
            name,
            lambda a: replace(
                a,
                password_hash=new_hash,
                failures=0,
                retry_at=None,
                locked_until=None,
                session_epoch=a.session_epoch + 1,
            ),
        )

    def set_role(self, name: str, role: str) -> Account:
        validate_role(role)
        return self._update(
            name, lambda a: replace(a, role=role, session_epoch=a.session_epoch + 1)
        )

    def set_disabled(self, name: str, disabled: bool = True) -> Account:
        """Disable (or enable) an account; disabling ends its open sessions."""
        return self._update(
            name,
            lambda a: replace(
                a,
                disabled=disabled,
                session_epoch=a.session_epoch + (1 if disabled else 0),
            ),
        )

    def unlock(self, name: str) -> Account:
        return self._update(
            name, lambda a: replace(a, failures=0, retry_at=None, locked_until=None)
        )

    def end_sessions(self, name: str) -> Account:
        """Sign the account out everywhere (its cookies stop working)."""
        return self._update(
            name, lambda a: replace(a, session_epoch=a.session_epoch + 1)
        )

    # --- signing in ---------------------------------------------------------------
    def authenticate(
        self, name: str, password: str, *, now: datetime | None = None
    ) -> SignIn:
        """Check a name and password, applying delay and lockout.

        Parameters
        ----------
        name, password
            What the person typed.
        now
            The time of the attempt (UTC; default the clock), for tests.

        Returns
        -------
        SignIn
            ``ok`` only for an enabled account with the right password, outside
            a delay or lock. A refused attempt during a delay or lock is not
            checked at all, so guessing cannot go faster than the delays allow.
        """
        now = _aware(now)
        password = str(password or "")
        try:
            key = normalise_name(name)
        except AccountError:
            key = ""
        with self._change() as data:
            accounts = {a.name: a for a in data["accounts"]}
            account = accounts.get(key)
            if account is None:
                return _unknown_attempt(key, password, now)
            refused = _refusal(account.retry_at, account.locked_until, now)
            if refused is not None:
                return refused
            good: bool
            try:
                good = bool(_HASHER.verify(account.password_hash, password))
            except (VerifyMismatchError, VerificationError, InvalidHashError):
                good = False
            if not good:
                failed = _after_failure(account, now)
                _replace(data, failed)
                LOG.warning(
                    "failed sign-in for account %r (%d in a row)",
                    account.name,
                    failed.failures,
                )
                return _wrong(
                    failed.failures, failed.retry_at, failed.locked_until, now, failed
                )
            if account.disabled:
                return SignIn(
                    False,
                    "disabled",
                    "This account is disabled. Ask the administrator to enable it.",
                    account,
                )
            updated = replace(
                account,
                failures=0,
                retry_at=None,
                locked_until=None,
                last_sign_in=_iso(now),
            )
            if _HASHER.check_needs_rehash(account.password_hash):
                updated = replace(updated, password_hash=_HASHER.hash(password))
            _replace(data, updated)
            return SignIn(True, "ok", f"Signed in as {account.name}.", updated)

    # --- session tokens -------------------------------------------------------------
    def secret_key(self) -> str:
        """The key signing session tokens: ``$CAMREG_COOKIE_SECRET`` or the file's."""
        env = os.environ.get(COOKIE_SECRET_ENV, "").strip()
        if env:
            return env
        return str(self._read()["secret_key"])

    def issue_token(self, account: Account, *, now: datetime | None = None) -> str:
        """A signed token for a signed-in account, to keep in a cookie."""
        now = _aware(now)
        payload = {
            "u": account.name,
            "e": account.session_epoch,
            "t": int(now.timestamp()),
        }
        return URLSafeSerializer(self.secret_key(), salt=TOKEN_SALT).dumps(payload)

    def account_for_token(
        self,
        token: str | None,
        *,
        now: datetime | None = None,
        max_age: timedelta = timedelta(hours=SESSION_HOURS),
    ) -> Account | None:
        """The account a token signs in, or None if it is forged, expired or void.

        A token is void once its account is disabled, removed or its session
        epoch has moved on (sign-out, new password, new role).
        """
        if not token:
            return None
        now = _aware(now)
        try:
            payload = URLSafeSerializer(self.secret_key(), salt=TOKEN_SALT).loads(token)
        except BadSignature:
            return None
        if not isinstance(payload, dict):
            return None
        issued = payload.get("t")
        if not isinstance(issued, int):
            return None
        age = now - datetime.fromtimestamp(issued, tz=timezone.utc)
        if age > max_age or age < -timedelta(minutes=5):
            return None
        account = self.accounts().get(str(payload.get("u")))
        if account is None or account.disabled:
            return None
        if account.session_epoch != payload.get("e"):
            return None
        return account

    # --- file handling --------------------------------------------------------------
    def _read(self) -> dict[str, Any]:
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return {"secret_key": secrets.token_urlsafe(32), "accounts": []}
        except OSError as exc:
            raise AccountError(
                f"the accounts file {self.path} cannot be read: {exc}"
            ) from exc
        return parse_accounts(text, str(self.path))

    @contextlib.contextmanager
    def _change(self) -> Iterator[dict[str, Any]]:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        lock_path = self.path.with_name(self.path.name + ".lock")
        with open(lock_path, "a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                data = self._read()
                before = _dump(data)
                yield data
                after = _dump(data)
                if after != before or not self.path.exists():
                    _atomic_write(self.path, after)
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    def _update(self, name: str, change: Callable[[Account], Account]) -> Account:
        key = normalise_name(name)
        with self._change() as data:
            for account in data["accounts"]:
                if account.name == key:
                    updated: Account = change(account)
                    _replace(data, updated)
                    return updated
        known = ", ".join(sorted(a.name for a in data["accounts"])) or "none"
        raise AccountError(f"there is no account {key!r} (accounts: {known})")


def parse_accounts(text: str, where: str = "accounts file") -> dict[str, Any]:
    """Parse and check the accounts file; AccountError names what is wrong."""
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as exc:
        raise AccountError(f"{where} is not valid JSON: {exc}") from exc
    if not isinstance(raw, dict) or raw.get("format") != FILE_FORMAT:
        raise AccountError(
            f'{where} is not an accounts file (expected "format": "{FILE_FORMAT}")'
        )
    if raw.get("version") != FILE_VERSION:
        raise AccountError(
            f"{where} has version {raw.get('version')!r} but version {FILE_VERSION} "
            "is expected"
        )
    key = raw.get("secret_key")
    if not isinstance(key, str) or len(key) < 32:
        raise AccountError(f"{where} has no usable secret_key (32+ characters)")
    entries = raw.get("accounts")
    if not isinstance(entries, dict):
        raise AccountError(
            f"{where}: `accounts` is expected to be an object of name: account"
        )
    accounts = []
    fields = set(Account.__dataclass_fields__) - {"name"}
    for name, entry in entries.items():
        if not isinstance(entry, dict):
            raise AccountError(f"{where}: account {name!r} is not an object")
        unknown = sorted(set(entry) - fields)
        if unknown:
            raise AccountError(f"{where}: account {name!r} has unknown keys {unknown}")
        try:
            normal = normalise_name(name)
            validate_role(str(entry.get("role")))
        except AccountError as exc:
            raise AccountError(f"{where}: {exc}") from exc
        if normal != name:
            raise AccountError(
                f"{where}: account name {name!r} is expected in lower case"
            )
        password_hash = entry.get("password_hash")
        if not isinstance(password_hash, str) or not password_hash.startswith(
            "$argon2"
        ):
            raise AccountError(
                f"{where}: account {name!r} has no Argon2 password hash (an empty or "
                "plain-text password is refused); set one with "
                f"`python -m analytics users passwd {name}`"
            )
        accounts.append(Account(name=name, **entry))
    return {"secret_key": key, "accounts": accounts}


# --- single sign-on -------------------------------------------------------------------
@dataclass(frozen=True)
class SsoConfig:
    """How OIDC identities map to roles (the ``[sso]`` table of secrets.toml).

    ``emails``, ``groups`` and ``domains`` map a verified e-mail address, a
    group named in the ``groups_claim`` claim, or an e-mail domain to a role;
    the highest match wins; nobody matched gets ``default_role``.
    """

    provider: str | None = None
    default_role: str = "public"
    groups_claim: str = "groups"
    emails: dict[str, str] = field(default_factory=dict)
    groups: dict[str, str] = field(default_factory=dict)
    domains: dict[str, str] = field(default_factory=dict)


AUTH_REQUIRED = ("redirect_uri", "cookie_secret")
AUTH_PROVIDER = ("client_id", "client_secret", "server_metadata_url")


def sso_config(secrets: Mapping[str, Any]) -> SsoConfig:
    """Check ``[auth]`` (Streamlit's OIDC settings) and read ``[sso]``.

    Raises AccountError naming the missing or empty key, an unknown role or an
    ``[sso]`` table that maps nobody (every visitor would be public: almost
    certainly a mistake).
    """
    auth = secrets.get("auth")
    if not isinstance(auth, Mapping):
        raise AccountError("secrets `[auth]` is expected to be a table")
    for key in AUTH_REQUIRED:
        if not str(auth.get(key) or "").strip():
            raise AccountError(f"secrets `[auth]` has no `{key}` (or it is empty)")
    providers = {k: v for k, v in auth.items() if isinstance(v, Mapping)}
    sso = secrets.get("sso")
    if not isinstance(sso, Mapping):
        raise AccountError(
            "secrets has `[auth]` but no `[sso]` table saying which e-mails, groups "
            "or domains get which role"
        )
    provider = sso.get("provider")
    if providers:
        if provider is None and len(providers) == 1:
            provider = next(iter(providers))
        if provider not in providers:
            raise AccountError(
                f"secrets `[sso]` provider was {provider!r} but `[auth]` defines "
                f"{sorted(providers)}"
            )
        settings = providers[provider]
        where = f"[auth.{provider}]"
    else:
        settings, where, provider = auth, "[auth]", None
    for key in AUTH_PROVIDER:
        if not str(settings.get(key) or "").strip():
            raise AccountError(f"secrets `{where}` has no `{key}` (or it is empty)")
    unknown = sorted(
        set(sso)
        - {"provider", "default_role", "groups_claim", "emails", "groups", "domains"}
    )
    if unknown:
        raise AccountError(f"secrets `[sso]` has unknown keys {unknown}")
    default_role = str(sso.get("default_role", "public"))
    try:
        validate_role(default_role, ROLE_ORDER)
        tables = {}
        for name in ("emails", "groups", "domains"):
            table = sso.get(name, {})
            if not isinstance(table, Mapping):
                raise AccountError(f"secrets `[sso.{name}]` is expected to be a table")
            for role in table.values():
                validate_role(role, ROLE_ORDER)
            lower = name != "groups"
            tables[name] = {
                (str(k).strip().lower().lstrip("@") if lower else str(k)): str(v)
                for k, v in table.items()
            }
    except AccountError as exc:
        raise AccountError(f"secrets `[sso]`: {exc}") from exc
    if not any(tables.values()) and default_role == "public":
        raise AccountError(
            "secrets `[sso]` maps no e-mail, group or domain to a role: everybody "
            "would be public"
        )
    return SsoConfig(
        provider=provider,
        default_role=default_role,
        groups_claim=str(sso.get("groups_claim", "groups")),
        **tables,
    )


def viewer_from_claims(claims: Mapping[str, Any], sso: SsoConfig) -> Viewer:
    """The viewer an OIDC identity (``st.user``) maps to.

    E-mail and domain rules apply only to an e-mail the provider has not marked
    unverified (``email_verified: false``). The audit name is the e-mail, else
    ``preferred_username``, else ``sub``.
    """
    email = str(claims.get("email") or "").strip().lower()
    verified = claims.get("email_verified", True) not in (False, "false")
    roles = [sso.default_role]
    if email and verified:
        if email in sso.emails:
            roles.append(sso.emails[email])
        domain = email.rpartition("@")[2]
        if domain in sso.domains:
            roles.append(sso.domains[domain])
    groups = claims.get(sso.groups_claim) or []
    if isinstance(groups, str):
        groups = [groups]
    for group in groups:
        if str(group) in sso.groups:
            roles.append(sso.groups[str(group)])
    name = email or str(claims.get("preferred_username") or claims.get("sub") or "")
    return Viewer(name or None, max(roles, key=role_rank), "sso")


# --- helpers --------------------------------------------------------------------------
_unknown: dict[str, tuple[int, str | None, str | None]] = {}


def _unknown_attempt(key: str, password: str, now: datetime) -> SignIn:
    """A name without an account: same checks, same time, same messages."""
    failures, retry_at, locked_until = _unknown.get(key, (0, None, None))
    refused = _refusal(retry_at, locked_until, now)
    if refused is not None:
        return refused
    with contextlib.suppress(VerificationError, InvalidHashError):
        _HASHER.verify(_DUMMY_HASH, password)
    failures += 1
    retry_at, locked_until = _penalty(failures, now)
    if len(_unknown) >= _UNKNOWN_LIMIT:
        _unknown.clear()
    _unknown[key] = (failures, retry_at, locked_until)
    LOG.warning("failed sign-in for unknown account %r (%d in a row)", key, failures)
    return _wrong(failures, retry_at, locked_until, now, None)


def _penalty(failures: int, now: datetime) -> tuple[str | None, str | None]:
    """(retry_at, locked_until) after ``failures`` wrong passwords in a row."""
    if failures % MAX_FAILURES == 0:
        locks = failures // MAX_FAILURES
        length = min(LOCKOUT * 2 ** (locks - 1), MAX_LOCKOUT)
        return None, _iso(now + length)
    delay = min(DELAY_BASE_S * 2 ** ((failures % MAX_FAILURES) - 1), MAX_DELAY_S)
    return _iso(now + timedelta(seconds=delay)), None


def _after_failure(account: Account, now: datetime) -> Account:
    failures = account.failures + 1
    retry_at, locked_until = _penalty(failures, now)
    return replace(
        account, failures=failures, retry_at=retry_at, locked_until=locked_until
    )


def _refusal(
    retry_at: str | None, locked_until: str | None, now: datetime
) -> SignIn | None:
    until = _parse_time(locked_until)
    if until is not None and until > now:
        return SignIn(
            False,
            "locked",
            f"Too many wrong passwords: this account is locked until "
            f"{until:%H:%M} UTC. Try again then, or ask the administrator to "
            "unlock it.",
            retry_after_s=(until - now).total_seconds(),
        )
    retry = _parse_time(retry_at)
    if retry is not None and retry > now:
        wait = (retry - now).total_seconds()
        return SignIn(
            False,
            "wait",
            f"Wait {max(1, round(wait))} s before trying again.",
            retry_after_s=wait,
        )
    return None


def _wrong(
    failures: int,
    retry_at: str | None,
    locked_until: str | None,
    now: datetime,
    account: Account | None,
) -> SignIn:
    until = _parse_time(locked_until)
    if until is not None:
        return SignIn(
            False,
            "locked",
            f"Name or password not recognised, {MAX_FAILURES} times in a row: "
            f"sign-in is locked until {until:%H:%M} UTC.",
            account,
            (until - now).total_seconds(),
        )
    left = MAX_FAILURES - failures % MAX_FAILURES
    retry = _parse_time(retry_at)
    wait = (retry - now).total_seconds() if retry else 0.0
    return SignIn(
        False,
        "wrong",
        f"Name or password not recognised. {left} more wrong "
        f"{'try locks' if left == 1 else 'tries lock'} sign-in for "
        f"{int(LOCKOUT.total_seconds() // 60)} minutes.",
        account,
        wait,
    )


def _replace(data: dict[str, Any], account: Account) -> None:
    data["accounts"] = [
        account if a.name == account.name else a for a in data["accounts"]
    ]


def _dump(data: dict[str, Any]) -> str:
    accounts = {
        a.name: {k: v for k, v in asdict(a).items() if k != "name"}
        for a in sorted(data["accounts"], key=lambda a: a.name)
    }
    body = {
        "format": FILE_FORMAT,
        "version": FILE_VERSION,
        "secret_key": data["secret_key"],
        "accounts": accounts,
    }
    return json.dumps(body, indent=2) + "\n"


def _atomic_write(path: Path, text: str) -> None:
    fd, tmp = tempfile.mkstemp(prefix=path.name, suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o600)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def _utc_now() -> datetime:
    return datetime.now(timezone.utc)


def _aware(now: datetime | None) -> datetime:
    """``now`` as an aware UTC time (naive means UTC); the clock when None."""
    if now is None:
        return _utc_now()
    return now if now.tzinfo else now.replace(tzinfo=timezone.utc)


def _iso(value: datetime) -> str:
    return value.astimezone(timezone.utc).isoformat(timespec="seconds")


def _parse_time(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        value = datetime.fromisoformat(str(text))
    except ValueError:
        return None
    return value if value.tzinfo else value.replace(tzinfo=timezone.utc)


# --- which sign-in a deployment uses ------------------------------------------
ADD_ACCOUNT_HELP = (
    "An administrator adds accounts on the server with `python -m analytics users "
    "add NAME --role staff|investigator|admin` (see the README, 'Accounts and "
    "sign-in')."
)


@dataclass(frozen=True)
class AuthSetup:
    """How this deployment signs people in, decided from its settings.

    ``mode`` is one of:

    ``"error"``
        Settings that cannot be trusted (a malformed secrets file, the old
        shared ``[roles]`` passwords, broken ``[auth]``/``[sso]``, an accounts
        file that does not parse or holds an empty password): nobody gets in.
    ``"sso"``
        Streamlit's ``st.login`` (OIDC) with ``sso`` mapping identities to roles.
    ``"accounts"``
        Named accounts in ``accounts`` (an :class:`AccountStore`).
    ``"demo"``
        The synthetic demo without accounts: everyone views as staff.
    ``"public"``
        Real data without accounts: everyone gets the public edition.
    """

    mode: str
    message: str = ""
    sso: SsoConfig | None = None
    accounts: AccountStore | None = None


def resolve_auth(
    secrets: Mapping[str, Any],
    secrets_error: str | None,
    *,
    synthetic: bool,
    accounts: AccountStore | None = None,
) -> AuthSetup:
    """Decide the sign-in mode; anything doubtful gives less access, never more.

    Parameters
    ----------
    secrets
        The parsed secrets (``st.secrets.to_dict()``; ``{}`` when none).
    secrets_error
        Why the secrets file could not be parsed, or None.
    synthetic
        True when the dashboard runs on the synthetic demo.
    accounts
        The accounts file (default: :func:`users_path`).
    """
    if secrets_error:
        return AuthSetup("error", f"the secrets file cannot be read: {secrets_error}")
    if "roles" in secrets:
        return AuthSetup(
            "error",
            "secrets.toml still has a `[roles]` table of shared passwords. Shared "
            "passwords are no longer accepted: create a named account for each "
            "person, then delete `[roles]`. " + ADD_ACCOUNT_HELP,
        )
    if "auth" in secrets or "sso" in secrets:
        if "auth" not in secrets:
            return AuthSetup("error", "secrets has `[sso]` but no `[auth]` table")
        try:
            return AuthSetup("sso", sso=sso_config(secrets))
        except AccountError as exc:
            return AuthSetup("error", str(exc))
    store = accounts if accounts is not None else AccountStore()
    try:
        found = store.accounts()
    except AccountError as exc:
        return AuthSetup("error", str(exc))
    if found:
        return AuthSetup("accounts", accounts=store)
    if synthetic:
        return AuthSetup(
            "demo",
            "Synthetic demo with no accounts set up: everyone views as staff. To "
            "require sign-in, add accounts on the server with `python -m analytics "
            "users add NAME --role staff|investigator|admin`.",
        )
    return AuthSetup(
        "public",
        "No accounts are set up, so this dashboard shows the public edition only. "
        + ADD_ACCOUNT_HELP,
    )
