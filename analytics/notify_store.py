"""Tables of area notices: the notices, one delivery row per recipient, opt-outs.

Defined with SQLAlchemy Core on the same database as the registry store, so a
notice, its deliveries and the cameras it was sent for live (and are backed up)
together. :func:`notify_engine` is the one place that decides which database:
today the store's SQLite file, or the store's own SQLAlchemy engine / URL when
it has one (PostgreSQL).

>>> engine = notify_engine(RegistryStore("data/registry.sqlite"))  # doctest: +SKIP
>>> opt_out(engine, email="ann@example.org", method="steward", user="steward")  # +SKIP

Delivery statuses (``DELIVERY_STATUSES``):

* ``queued`` -- to be sent; a resumed notice sends these and only these;
* ``sending`` -- handed to the relay or provider; no answer recorded yet. A row
  left ``sending`` by a crash is never resent (it may have arrived): resume marks
  it ``failed`` with that reason;
* ``sent`` -- the relay or provider accepted it;
* ``failed`` -- with the server's reason (``bounced`` is True when the address
  was refused: a re-verification task for the data steward);
* ``skipped`` -- with why (``withdrawn``, ``opted_out``, ``no_contact``).

Contacts are stored here (the registry holds them already) and read only by
``analytics.notify``; no function of this module returns an address.
"""

from __future__ import annotations

import re
from datetime import datetime, timezone
from typing import Any

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from analytics.store import RegistryStore

DELIVERY_STATUSES = ("queued", "sending", "sent", "failed", "skipped")
SKIP_REASONS = ("withdrawn", "opted_out", "no_contact")
CHANNELS = ("email", "sms")
OPT_OUT_METHODS = ("reply", "steward")
NOTICE_STATUSES = ("sending", "interrupted", "done")

metadata = sa.MetaData()

notices = sa.Table(
    "notify_notices",
    metadata,
    sa.Column("notice_id", sa.String(40), primary_key=True),
    sa.Column("created_at", sa.String(32), nullable=False),
    sa.Column("created_by", sa.Text, nullable=False),
    sa.Column("role", sa.String(20), nullable=False),
    sa.Column("case_number", sa.Text, nullable=False),
    sa.Column("template", sa.Text),
    sa.Column("subject", sa.Text, nullable=False),
    sa.Column("body", sa.Text, nullable=False),
    sa.Column("sms_body", sa.Text, nullable=False),
    sa.Column("area", sa.Text, nullable=False),  # GeoJSON (WGS84)
    sa.Column("recipients", sa.Integer, nullable=False),
    sa.Column("status", sa.String(20), nullable=False),
    sa.Column("audit_event_id", sa.Integer),
)

deliveries = sa.Table(
    "notify_deliveries",
    metadata,
    sa.Column(
        "notice_id",
        sa.String(40),
        sa.ForeignKey("notify_notices.notice_id"),
        nullable=False,
    ),
    sa.Column("seq", sa.Integer, nullable=False),
    # normalised e-mail ("e:...") or phone ("p:...") the owner is known by:
    # unique per notice, which is what makes "at most once" hold in the database
    sa.Column("contact_key", sa.Text, nullable=False),
    sa.Column("channel", sa.String(10)),
    sa.Column("address", sa.Text),  # internal: read by the sender only
    sa.Column("camera_ids", sa.Text, nullable=False),
    sa.Column("tier", sa.String(20)),
    sa.Column("owner_type", sa.String(20)),
    sa.Column("status", sa.String(10), nullable=False),
    sa.Column("reason", sa.Text),
    sa.Column("bounced", sa.Boolean, nullable=False, default=False),
    sa.Column("attempts", sa.Integer, nullable=False, default=0),
    sa.Column("provider_id", sa.Text),
    sa.Column("updated_at", sa.String(32), nullable=False),
    sa.PrimaryKeyConstraint("notice_id", "seq"),
    sa.UniqueConstraint("notice_id", "contact_key"),
)

opt_outs = sa.Table(
    "notify_opt_outs",
    metadata,
    sa.Column("opt_out_id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("contact_key", sa.Text),  # "e:ann@example.org" / "p:5015550100"
    sa.Column("camera_id", sa.Text),
    sa.Column("opted_out_at", sa.String(32), nullable=False),
    sa.Column("method", sa.String(10), nullable=False),
    sa.Column("recorded_by", sa.Text, nullable=False),
    sa.Column("reason", sa.Text),
    sa.CheckConstraint(
        "contact_key IS NOT NULL OR camera_id IS NOT NULL", name="opt_out_has_key"
    ),
)
sa.Index("notify_opt_outs_contact", opt_outs.c.contact_key)
sa.Index("notify_opt_outs_camera", opt_outs.c.camera_id)

# What investigators see of a delivery: no address, an opaque recipient number.
DELIVERY_TABLE_COLUMNS = (
    "notice_id",
    "recipient",
    "channel",
    "status",
    "reason",
    "camera_ids",
    "tier",
    "owner_type",
    "attempts",
    "updated_at",
)
REVERIFY_COLUMNS = (
    "camera_ids",
    "channel",
    "contact_field",
    "reason",
    "notice_id",
    "case_number",
    "failed_at",
)


def notify_engine(store: RegistryStore) -> Engine:
    """The SQLAlchemy engine of the registry store's database, tables created.

    Parameters
    ----------
    store
        The registry store: notices live in its database, beside the cameras.
    """
    engine = store.engine
    metadata.create_all(engine, checkfirst=True)
    return engine


def utc_now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


# --- contact keys -------------------------------------------------------------------
def email_key(value: Any) -> str | None:
    """``" Ann@Example.ORG "`` -> ``"e:ann@example.org"``; None when no address."""
    text = _text(value).casefold()
    return f"e:{text}" if "@" in text else None


def phone_key(value: Any) -> str | None:
    """Digits, a leading US ``1`` dropped: ``(501) 555-0100`` -> ``p:5015550100``."""
    digits = re.sub(r"\D", "", _text(value))
    if len(digits) == 11 and digits.startswith("1"):
        digits = digits[1:]
    return f"p:{digits}" if len(digits) >= 7 else None


def _text(value: Any) -> str:
    if value is None:
        return ""
    try:
        if pd.isna(value):
            return ""
    except (TypeError, ValueError):
        pass
    return str(value).strip()


_EMAIL = re.compile(r"[\w.!#$%&'*+/=?^`{|}~-]+@[\w-]+(?:\.[\w-]+)+")


def scrub_reason(reason: str | None, address: str | None = None) -> str | None:
    """A server's reason without the recipient's contact in it.

    Relays and providers often quote the address or number they refused
    ("550 5.1.1 <ann@example.org>: User unknown"); the reason is shown to
    investigators and the steward, the contact is not.

    >>> scrub_reason("550 <Ann@Example.org>: unknown", "ann@example.org")
    '550 <address>: unknown'
    """
    if not reason:
        return reason
    text = _EMAIL.sub("\x00", str(reason)).replace("<\x00>", "\x00")
    text = text.replace("\x00", "<address>")
    digits = re.sub(r"\D", "", str(address or ""))
    if len(digits) >= 7:
        # the number as written, as digits, and in E.164 (+1...), any spacing
        tail = digits[-10:] if len(digits) >= 10 else digits
        spaced = r"[\s().-]*".join(tail)
        text = re.sub(rf"(?:\+?1[\s.-]*)?\(?{spaced}", "<number>", text)
    return text


# --- opt-outs -----------------------------------------------------------------------
def opt_out(
    engine: Engine,
    *,
    email: str | None = None,
    phone: str | None = None,
    camera_id: str | None = None,
    method: str,
    user: str,
    reason: str = "",
    when: str | None = None,
) -> int:
    """Record that an owner asked to receive no more notices; the opt-out id.

    Give the address or phone the owner replied from (``method="reply"``), or
    the camera or contact a steward recorded (``method="steward"``). Every later
    notice skips an owner any of whose contacts or cameras has an opt-out.
    """
    if method not in OPT_OUT_METHODS:
        raise ValueError(
            f"`method` was {method!r} but is expected to be one of {OPT_OUT_METHODS}"
        )
    user = _text(user)
    if not user:
        raise ValueError("`user` was empty but an opt-out must say who recorded it")
    keys = [k for k in (email_key(email), phone_key(phone)) if k]
    if email and not email_key(email):
        raise ValueError(f"`email` was {email!r} but is not an e-mail address")
    if phone and not phone_key(phone):
        raise ValueError(f"`phone` was {phone!r} but has fewer than 7 digits")
    camera_id = _text(camera_id) or None
    if not keys and camera_id is None:
        raise ValueError("an opt-out needs an e-mail, a phone or a camera id")
    rows = [{"contact_key": k, "camera_id": camera_id} for k in keys] or [
        {"contact_key": None, "camera_id": camera_id}
    ]
    stamp = when or utc_now()
    ids: list[int] = []
    with engine.begin() as con:
        for row in rows:
            result = con.execute(
                opt_outs.insert().values(
                    **row,
                    opted_out_at=stamp,
                    method=method,
                    recorded_by=user,
                    reason=reason or None,
                )
            )
            key = result.inserted_primary_key
            assert key is not None
            ids.append(int(key[0]))
    return ids[0]


def opted_out(engine: Engine) -> tuple[set[str], set[str]]:
    """(contact keys, camera ids) with an opt-out."""
    with engine.connect() as con:
        rows = con.execute(sa.select(opt_outs.c.contact_key, opt_outs.c.camera_id))
        keys, cams = set(), set()
        for key, cam in rows:
            if key:
                keys.add(key)
            if cam:
                cams.add(cam)
    return keys, cams


def opt_out_table(engine: Engine) -> pd.DataFrame:
    """Opt-outs for the steward: when, how, by whom, which camera; no contact."""
    query = sa.select(
        opt_outs.c.opt_out_id,
        opt_outs.c.opted_out_at,
        opt_outs.c.method,
        opt_outs.c.camera_id,
        opt_outs.c.recorded_by,
        opt_outs.c.reason,
        sa.case(
            (opt_outs.c.contact_key.like("e:%"), "e-mail"),
            (opt_outs.c.contact_key.like("p:%"), "phone"),
            else_="",
        ).label("by_contact"),
    ).order_by(opt_outs.c.opt_out_id)
    with engine.connect() as con:
        return pd.DataFrame(con.execute(query).mappings().all())


def mark_bounced(engine: Engine, address: str, reason: str) -> int:
    """A later bounce report: the newest ``sent`` delivery to ``address`` failed.

    The row becomes ``failed`` and ``bounced`` (a re-verification task) with the
    report's reason. Returns how many rows changed (0 or 1).
    """
    key = email_key(address) or phone_key(address)
    if key is None:
        raise ValueError(f"`address` was {address!r} but is not an e-mail or phone")
    d, n = deliveries, notices
    with engine.begin() as con:
        row = con.execute(
            sa.select(d.c.notice_id, d.c.seq)
            .join(n, n.c.notice_id == d.c.notice_id)
            .where((d.c.contact_key == key) & (d.c.status == "sent"))
            .order_by(n.c.created_at.desc(), d.c.notice_id.desc())
            .limit(1)
        ).first()
        if row is None:
            return 0
        con.execute(
            d.update()
            .where((d.c.notice_id == row.notice_id) & (d.c.seq == row.seq))
            .values(
                status="failed",
                bounced=True,
                reason=scrub_reason(reason, address),
                updated_at=utc_now(),
            )
        )
    return 1


# --- reading deliveries (never addresses) ------------------------------------------
def delivery_table(
    engine: Engine, *, case_number: str | None = None, notice_id: str | None = None
) -> pd.DataFrame:
    """The deliveries of a case or notice, as investigators see them.

    ``DELIVERY_TABLE_COLUMNS``: ``recipient`` is the row's number within its
    notice (``recipient 0001``); no address, phone or name.
    """
    if not (case_number or notice_id):
        raise ValueError("give a `case_number` or a `notice_id`")
    d, n = deliveries, notices
    query = (
        sa.select(
            d.c.notice_id,
            d.c.seq,
            d.c.channel,
            d.c.status,
            d.c.reason,
            d.c.camera_ids,
            d.c.tier,
            d.c.owner_type,
            d.c.attempts,
            d.c.updated_at,
        )
        .join(n, n.c.notice_id == d.c.notice_id)
        .order_by(n.c.created_at, d.c.notice_id, d.c.seq)
    )
    if case_number:
        query = query.where(n.c.case_number == str(case_number).strip())
    if notice_id:
        query = query.where(d.c.notice_id == notice_id)
    with engine.connect() as con:
        frame = pd.DataFrame(con.execute(query).mappings().all())
    if frame.empty:
        return pd.DataFrame(columns=list(DELIVERY_TABLE_COLUMNS))
    frame["recipient"] = [f"recipient {s:04d}" for s in frame["seq"]]
    return frame[list(DELIVERY_TABLE_COLUMNS)]


def notice_table(engine: Engine, *, case_number: str | None = None) -> pd.DataFrame:
    """Notices (newest first) with their counts by delivery status."""
    n, d = notices, deliveries
    counts = (
        sa.select(d.c.notice_id, d.c.status, sa.func.count().label("n"))
        .group_by(d.c.notice_id, d.c.status)
        .subquery()
    )
    query = sa.select(
        n.c.notice_id,
        n.c.created_at,
        n.c.created_by,
        n.c.case_number,
        n.c.template,
        n.c.recipients,
        n.c.status,
    ).order_by(n.c.created_at.desc(), n.c.notice_id.desc())
    if case_number:
        query = query.where(n.c.case_number == str(case_number).strip())
    with engine.connect() as con:
        frame = pd.DataFrame(con.execute(query).mappings().all())
        tally = pd.DataFrame(con.execute(sa.select(counts)).mappings().all())
    columns = ["notice_id", "created_at", "created_by", "case_number", "template"]
    columns += ["recipients", "status", *DELIVERY_STATUSES]
    if frame.empty:
        return pd.DataFrame(columns=columns)
    if tally.empty:
        wide = pd.DataFrame(index=frame["notice_id"])
    else:
        wide = tally.pivot(index="notice_id", columns="status", values="n")
    for status in DELIVERY_STATUSES:
        frame[status] = frame["notice_id"].map(wide[status]) if status in wide else 0
        frame[status] = frame[status].fillna(0).astype(int)
    return frame[columns]


def reverify_tasks(engine: Engine) -> pd.DataFrame:
    """Bounced contacts as re-verification tasks for the data steward.

    One row per bounced delivery, newest first: the cameras whose contact
    bounced, which contact field, the server's reason. The address itself stays
    in the registry record the steward opens.
    """
    d, n = deliveries, notices
    query = (
        sa.select(
            d.c.camera_ids,
            d.c.channel,
            d.c.reason,
            d.c.notice_id,
            n.c.case_number,
            d.c.updated_at.label("failed_at"),
        )
        .join(n, n.c.notice_id == d.c.notice_id)
        .where(d.c.bounced.is_(True))
        .order_by(d.c.updated_at.desc(), d.c.notice_id, d.c.seq)
    )
    with engine.connect() as con:
        frame = pd.DataFrame(con.execute(query).mappings().all())
    if frame.empty:
        return pd.DataFrame(columns=list(REVERIFY_COLUMNS))
    frame["contact_field"] = frame["channel"].map(
        {"email": "contact_email", "sms": "contact_phone"}
    )
    return frame[list(REVERIFY_COLUMNS)]
