"""Area notices: "check your camera", delivered to the owners in an area.

The requester never sees who received a notice (as in Ring-style community
requests): contacts are read here, inside ``analytics/``, and handed only to the
senders in :mod:`analytics.notify_transport`. Pages and the command line get
counts.

>>> preview_notice(index, (34.7465, -92.2896, 300), cameras=cams, role="staff")
{'recipients': 41, 'by_tier': {...}, 'by_owner_type': {...}, 'skipped': {...}}
>>> send_notice(index, area, cameras=cams, city=city, store=store,  # doctest: +SKIP
...             senders=configured_senders(secrets), case_number="2026-004242",
...             user="det. lee", role="investigator", incident_type="burglary")

Rules (docs/privacy-and-canvass.md, "Area notices"):

* active cameras only; an owner with only withdrawn cameras in the area is
  ``skipped: withdrawn``; an owner who opted out (any of their contacts or
  cameras) is ``skipped: opted_out``; an active site without e-mail or phone is
  ``skipped: no_contact``;
* one message per owner: sites sharing an e-mail or a phone are one owner, sent
  an e-mail if any site has one, else a text message;
* every notice has an id and a delivery row per owner; a resumed notice sends
  only the rows still queued, so nobody is sent one notice twice;
* messages go out at most ``rate_per_minute`` a minute; more than
  ``max_owners_without_investigator`` owners needs an investigator; every notice
  names its case;
* the audit log records who sent what to which area and how many were reached;
* counts shown to ``staff`` are rounded to a multiple of 5 (``rounded_to``), so
  small or differenced areas do not reveal where residential cameras are.
"""

from __future__ import annotations

import secrets as _secrets
import time
from collections import Counter, defaultdict, deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any

import numpy as np
import pandas as pd
import shapely
import sqlalchemy as sa
from pyproj import Geod

from analytics.canvass import CameraIndex, area_rows
from analytics.config import CityConfig
from analytics.notify_message import (
    Message,
    NotifySettings,
    compose,
    is_stop_reply,
    notify_settings,
)
from analytics.notify_store import (
    deliveries,
    email_key,
    notices,
    notify_engine,
    opt_out,
    opted_out,
    phone_key,
    scrub_reason,
    utc_now,
)
from analytics.notify_transport import Outcome, Sender
from analytics.privacy import validate_audience
from analytics.schema import OWNER_TYPES, TIERS

NOTICE_ACTION = "area_notice"
DELIVERY_ACTION = "area_notice_delivery"
OPT_OUT_ACTION = "notice_opt_out"
NOTIFY_ROLES = ("staff", "investigator")
STAFF_ROUNDING = 5
CHANNELS = ("email", "sms")
_GEOD = Geod(ellps="WGS84")


class NoticeError(ValueError):
    """A notice cannot be sent as asked; the message says why and what to do."""


@dataclass
class _Owner:
    """One owner in the area (internal: holds the contact, never returned)."""

    contact_key: str
    camera_ids: list[str]
    tier: str | None = None
    owner_type: str | None = None
    channel: str | None = None
    address: str | None = field(default=None, repr=False)
    skip: str | None = None


@dataclass(frozen=True)
class _Selection:
    owners: list[_Owner]
    area: shapely.Geometry
    circle: tuple[float, float, float] | None


# --- who: the owners of an area -----------------------------------------------------
def _select(
    index: CameraIndex,
    area: Any,
    cameras: pd.DataFrame | None,
    opted: tuple[set[str], set[str]],
    channels: tuple[str, ...] = CHANNELS,
) -> _Selection:
    active, geometry, circle = area_rows(index, area)
    sites = [_site(row, True) for row in _records(active)]
    if cameras is not None and len(cameras):
        withdrawn = _withdrawn_inside(cameras, geometry, circle)
        sites += [_site(row, False) for row in _records(withdrawn)]
    owners = [_owner(g, opted, channels) for g in _group(sites)]
    owners.sort(key=_owner_order)
    return _Selection(owners, geometry, circle)


SITE_COLUMNS = (
    "camera_id",
    "tier",
    "owner_type",
    "owner_name",
    "contact_email",
    "contact_phone",
)


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows as dicts of the few columns an owner is built from (fast)."""
    columns = {
        c: frame[c].astype(object).to_numpy() if c in frame else [None] * len(frame)
        for c in SITE_COLUMNS
    }
    return [
        dict(zip(SITE_COLUMNS, values, strict=True))
        for values in zip(*columns.values(), strict=True)
    ]


def _owner_order(owner: _Owner) -> tuple[str, str]:
    return (owner.camera_ids[0] if owner.camera_ids else "", owner.contact_key)


def _site(row: Mapping[str, Any], active: bool) -> dict[str, Any]:
    email = email_key(row.get("contact_email"))
    phone = phone_key(row.get("contact_phone"))
    keys = [k for k in (email, phone) if k]
    if not keys:
        name = " ".join(str(row.get("owner_name") or "").casefold().split())
        keys = [f"n:{name}" if name else f"c:{row['camera_id']}"]
    return {
        "camera_id": str(row["camera_id"]),
        "active": active,
        "keys": keys,
        "email": str(row.get("contact_email")).strip() if email else None,
        "phone": str(row.get("contact_phone")).strip() if phone else None,
        "tier": row.get("tier"),
        "owner_type": row.get("owner_type"),
    }


def _withdrawn_inside(
    cameras: pd.DataFrame,
    geometry: shapely.Geometry,
    circle: tuple[float, float, float] | None,
) -> pd.DataFrame:
    status = cameras["status"].astype(str).str.strip().str.lower()
    gone = status != "active"
    if "withdrawn_at" in cameras:
        gone |= cameras["withdrawn_at"].notna()
    frame = cameras[gone.to_numpy()]
    if frame.empty:
        return frame
    lon = pd.to_numeric(frame["longitude"], errors="coerce").to_numpy(float)
    lat = pd.to_numeric(frame["latitude"], errors="coerce").to_numpy(float)
    if circle is not None:
        clat, clon, radius = circle
        _, _, dist = _GEOD.inv(
            np.full(len(frame), clon), np.full(len(frame), clat), lon, lat
        )
        inside = np.asarray(dist) <= radius
    else:
        inside = shapely.contains_xy(geometry, lon, lat)
    return frame[inside]


def _group(sites: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    """Sites sharing an e-mail or a phone (directly or through another site)."""
    parent: dict[str, str] = {}

    def find(key: str) -> str:
        while parent[key] != key:
            parent[key] = parent[parent[key]]
            key = parent[key]
        return key

    for site in sites:
        for key in site["keys"]:
            parent.setdefault(key, key)
        root = find(site["keys"][0])
        for key in site["keys"][1:]:
            other = find(key)
            if other != root:
                parent[other] = root
    groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for site in sites:
        groups[find(site["keys"][0])].append(site)
    return list(groups.values())


def _owner(
    group: list[dict[str, Any]],
    opted: tuple[set[str], set[str]],
    channels: tuple[str, ...],
) -> _Owner:
    group = sorted(group, key=lambda s: s["camera_id"])
    active = [s for s in group if s["active"]]
    keys = {k for s in group for k in s["keys"]}
    owner = _Owner(
        contact_key=min(keys), camera_ids=[s["camera_id"] for s in active or group]
    )
    if not active:
        owner.skip = "withdrawn"
        return owner
    tiers = {str(s["tier"]) for s in active}
    owner.tier = "integrated" if "integrated" in tiers else "registered"
    types = Counter(str(s["owner_type"] or "unknown") for s in active)
    rank = {t: i for i, t in enumerate(OWNER_TYPES)}
    owner.owner_type = min(types, key=lambda t: (-types[t], rank.get(t, 99)))
    opted_keys, opted_cameras = opted
    if keys & opted_keys or {s["camera_id"] for s in group} & opted_cameras:
        owner.skip = "opted_out"
        return owner
    email = next((s["email"] for s in active if s["email"]), None)
    phone = next((s["phone"] for s in active if s["phone"]), None)
    if email is None and phone is None:
        owner.skip = "no_contact"
    elif email is not None and "email" in channels:
        owner.channel, owner.address = "email", email
        owner.contact_key = str(email_key(email))
    elif phone is not None and "sms" in channels:
        owner.channel, owner.address = "sms", phone
        owner.contact_key = str(phone_key(phone))
    else:
        owner.skip = "no_channel"
    return owner


def _summary(owners: list[_Owner]) -> dict[str, Any]:
    reached = [o for o in owners if o.skip is None]
    by_tier = dict.fromkeys(TIERS, 0)
    by_type = dict.fromkeys(OWNER_TYPES, 0)
    for owner in reached:
        by_tier[str(owner.tier)] = by_tier.get(str(owner.tier), 0) + 1
        by_type[str(owner.owner_type)] = by_type.get(str(owner.owner_type), 0) + 1
    skipped = Counter(o.skip for o in owners if o.skip)
    out_skipped = {
        k: skipped.get(k, 0) for k in ("withdrawn", "opted_out", "no_contact")
    }
    if skipped.get("no_channel"):
        out_skipped["no_channel"] = skipped["no_channel"]
    return {
        "recipients": len(reached),
        "by_tier": by_tier,
        "by_owner_type": by_type,
        "skipped": out_skipped,
    }


def disclose(summary: dict[str, Any], role: str) -> dict[str, Any]:
    """The counts as ``role`` may see them: exact for investigators, else rounded.

    Staff get every count rounded to the nearest multiple of ``STAFF_ROUNDING``
    (and ``rounded_to``), so drawing a small area, or two areas a house apart,
    does not show whether a residential camera is there.
    """
    _notify_role(role)
    if role == "investigator":
        return summary

    def rnd(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: rnd(v) for k, v in value.items()}
        if isinstance(value, bool) or not isinstance(value, int):
            return value
        return int(STAFF_ROUNDING * round(value / STAFF_ROUNDING))

    out = {
        k: (rnd(v) if k not in ("notice_id", "status") else v)
        for k, v in summary.items()
    }
    out["rounded_to"] = STAFF_ROUNDING
    return out


def count_text(value: int, rounded_to: int | None) -> str:
    """A count as a person should read it: rounded counts say they are rounded.

    A count rounded to the nearest ``rounded_to`` (5) is "about N"; a rounded 0
    stands for 0, 1 or 2 owners, so it reads "fewer than 3" (a plain "0" made
    staff believe nobody would be reached). Exact counts are plain numbers.

    >>> count_text(0, 5), count_text(10, 5), count_text(2, None)
    ('fewer than 3', 'about 10', '2')
    """
    if not rounded_to:
        return f"{value:,}"
    if value == 0:
        return f"fewer than {rounded_to // 2 + 1}"
    return f"about {value:,}"


def preview_notice(
    index: CameraIndex,
    area: Any,
    *,
    cameras: pd.DataFrame | None = None,
    store: Any = None,
    role: str = "staff",
    channels: tuple[str, ...] = CHANNELS,
) -> dict[str, Any]:
    """How many owners a notice to ``area`` would reach, never who.

    Parameters
    ----------
    index
        The registry's camera index (active cameras).
    area
        As for :func:`analytics.canvass.area_notification`: ``(lat, lon,
        radius_m)``, a WGS84 polygon, or GeoJSON.
    cameras
        The full camera frame, to count owners skipped as withdrawn.
    store
        The registry store, whose database holds the opt-outs (none without).
    role
        ``staff`` (counts rounded) or ``investigator`` (exact).
    channels
        The channels that can be used (default both).

    Returns
    -------
    dict
        ``recipients``, ``by_tier``, ``by_owner_type``, ``skipped`` (withdrawn,
        opted_out, no_contact; ``no_channel`` when some owner can be reached
        only by a channel that is not configured).
    """
    _notify_role(role)
    opted = opted_out(notify_engine(store)) if store is not None else (set(), set())
    selection = _select(index, area, cameras, opted, channels)
    return disclose(_summary(selection.owners), role)


# --- sending ------------------------------------------------------------------------
class RateLimiter:
    """At most ``per_minute`` sends in any 60 seconds (sliding window)."""

    def __init__(
        self,
        per_minute: int,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if per_minute < 1:
            raise ValueError(f"`per_minute` was {per_minute!r} but must be >= 1")
        self.per_minute = per_minute
        self.clock, self.sleep = clock, sleep
        self._sent: deque[float] = deque()

    def seed(self, ages: list[float]) -> None:
        """Count sends made ``ages`` seconds ago (by earlier runs) in the window."""
        now = self.clock()
        for age in sorted((a for a in ages if 0 <= a < 60.0), reverse=True):
            self._sent.append(now - age)

    def wait(self) -> None:
        """Block until one more send keeps within the limit, then count it."""
        now = self.clock()
        while self._sent and now - self._sent[0] >= 60.0:
            self._sent.popleft()
        if len(self._sent) >= self.per_minute:
            self.sleep(60.0 - (now - self._sent[0]))
            now = self.clock()
            self._sent.popleft()
        self._sent.append(now)


def send_notice(
    index: CameraIndex,
    area: Any,
    *,
    city: CityConfig,
    store: Any,
    senders: Mapping[str, Sender],
    case_number: str,
    user: str,
    role: str,
    cameras: pd.DataFrame | None = None,
    template: str | None = None,
    message: str | None = None,
    incident_type: str | None = None,
    start: datetime | None = None,
    end: datetime | None = None,
    settings: NotifySettings | None = None,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
) -> dict[str, Any]:
    """Create a notice for the owners in ``area`` and deliver it.

    The notice and one delivery row per owner (queued, or skipped with why) are
    written in one transaction before anything is sent; the audit log records
    the notice, then each run's result. A run stops at the first lost
    connection: :func:`resume_notice` sends the rest.

    Returns
    -------
    dict
        The preview object (as ``role`` may see it) plus ``notice_id``, ``sent``,
        ``failed``, ``queued`` (still to send) and ``status`` (``done`` or
        ``interrupted``).

    Raises
    ------
    NoticeError
        No case number or user, no relay or provider configured, nobody to
        reach, or too many owners for the role.
    """
    _notify_role(role)
    user = str(user or "").strip()
    if not user:
        raise NoticeError("`user` was empty but a notice must say who sent it")
    if not str(case_number or "").strip():
        raise NoticeError("`case_number` was empty but every notice names its case")
    if not senders:
        raise NoticeError(
            "no e-mail relay or SMS provider is configured: set CAMREG_SMTP_HOST "
            "and CAMREG_SMTP_FROM (or [smtp] in Streamlit secrets), or "
            "CAMREG_SMS_URL and CAMREG_SMS_FROM (docs/privacy-and-canvass.md)"
        )
    settings = settings or notify_settings(city)
    text = compose(
        settings,
        city,
        case_number=case_number,
        template=template,
        message=message,
        incident_type=incident_type,
        start=start,
        end=end,
    )
    engine = notify_engine(store)
    selection = _select(index, area, cameras, opted_out(engine), tuple(senders))
    summary = _summary(selection.owners)
    limit = settings.max_owners_without_investigator
    if summary["recipients"] > limit and role != "investigator":
        raise NoticeError(
            f"this notice would reach more than {limit} owners; notices that "
            "large need an investigator with a case number (city setting "
            "notify.max_owners_without_investigator)"
        )
    if summary["recipients"] == 0:
        raise NoticeError("nobody in this area can be reached; nothing was sent")
    notice_id = _new_notice_id()
    area_json = shapely.to_geojson(shapely.set_precision(selection.area, 1e-6))
    now = utc_now()
    with engine.begin() as con:
        con.execute(
            notices.insert().values(
                notice_id=notice_id,
                created_at=now,
                created_by=user,
                role=role,
                case_number=str(case_number).strip(),
                template=text.template,
                subject=text.subject,
                body=text.body,
                sms_body=text.sms,
                area=area_json,
                recipients=summary["recipients"],
                status="sending",
            )
        )
        con.execute(
            deliveries.insert(),
            [
                {
                    "notice_id": notice_id,
                    "seq": seq,
                    "contact_key": owner.contact_key,
                    "channel": owner.channel,
                    "address": owner.address,
                    "camera_ids": " ".join(owner.camera_ids),
                    "tier": owner.tier,
                    "owner_type": owner.owner_type,
                    "status": "skipped" if owner.skip else "queued",
                    "reason": owner.skip,
                    "bounced": False,
                    "attempts": 0,
                    "updated_at": now,
                }
                for seq, owner in enumerate(selection.owners, start=1)
            ],
        )
    details: dict[str, Any] = {
        "notice_id": notice_id,
        "case_number": str(case_number).strip(),
        "area": area_json,
        "template": text.template,
        "subject": text.subject,
        "message": text.body,
        "role": role,
        **summary,
    }
    if selection.circle is not None:
        lat, lon, radius = selection.circle
        details.update({"lat": lat, "lon": lon, "radius_m": radius})
    event_id = store.log_event(
        NOTICE_ACTION,
        user=user,
        details=details,
        reason=f"area notice for case {str(case_number).strip()}",
    )
    with engine.begin() as con:
        con.execute(
            notices.update()
            .where(notices.c.notice_id == notice_id)
            .values(audit_event_id=event_id)
        )
    result = _deliver(
        engine, store, notice_id, senders, settings, user=user, clock=clock, sleep=sleep
    )
    return disclose({**summary, "notice_id": notice_id, **result}, role)


def resume_notice(
    notice_id: str,
    *,
    city: CityConfig,
    store: Any,
    senders: Mapping[str, Sender],
    user: str,
    role: str,
    settings: NotifySettings | None = None,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
) -> dict[str, Any]:
    """Send what an interrupted notice still has queued; never a row twice.

    Rows left ``sending`` by a crash may have reached the owner: they become
    ``failed`` ("interrupted while being handed over; not resent").
    """
    _notify_role(role)
    user = str(user or "").strip()
    if not user:
        raise NoticeError("`user` was empty but a resume must say who ran it")
    engine = notify_engine(store)
    with engine.connect() as con:
        row = con.execute(
            sa.select(notices.c.notice_id, notices.c.role).where(
                notices.c.notice_id == str(notice_id)
            )
        ).first()
    if row is None:
        raise NoticeError(f"notice {notice_id!r} is not in the registry's database")
    if row.role == "investigator" and role != "investigator":
        raise NoticeError(
            f"notice {notice_id} was sent by an investigator; only an "
            "investigator can resume it"
        )
    with engine.begin() as con:
        con.execute(
            deliveries.update()
            .where(
                (deliveries.c.notice_id == str(notice_id))
                & (deliveries.c.status == "sending")
            )
            .values(
                status="failed",
                reason="interrupted while being handed over; not resent, it may "
                "have arrived",
                updated_at=utc_now(),
            )
        )
    settings = settings or notify_settings(city)
    result = _deliver(
        engine,
        store,
        str(notice_id),
        senders,
        settings,
        user=user,
        clock=clock,
        sleep=sleep,
    )
    return disclose({"notice_id": str(notice_id), **result}, role)


def _deliver(
    engine: sa.Engine,
    store: Any,
    notice_id: str,
    senders: Mapping[str, Sender],
    settings: NotifySettings,
    *,
    user: str,
    clock: Callable[[], float],
    sleep: Callable[[float], None],
) -> dict[str, Any]:
    with engine.connect() as con:
        notice = con.execute(
            sa.select(notices).where(notices.c.notice_id == notice_id)
        ).one()
        queued = con.execute(
            sa.select(deliveries.c.seq, deliveries.c.channel, deliveries.c.address)
            .where(
                (deliveries.c.notice_id == notice_id)
                & (deliveries.c.status == "queued")
            )
            .order_by(deliveries.c.seq)
        ).all()
    limiter = RateLimiter(settings.rate_per_minute, clock=clock, sleep=sleep)
    # the relay's limit holds across runs: a resume, or another notice, that
    # starts right after a run counts that run's last minute of messages
    limiter.seed(_recent_send_ages(engine))
    opened: set[str] = set()
    stopped = ""
    try:
        for seq, channel, address in queued:
            sender = senders.get(channel)
            if sender is None:
                continue  # channel not configured in this run: stays queued
            if channel not in opened:
                opened.add(channel)
            limiter.wait()
            if not _claim(engine, notice_id, seq):
                continue  # another session is sending this notice: theirs now
            if channel == "sms":
                outcome = sender.send(address, notice.subject, notice.sms_body)
            else:
                outcome = sender.send(address, notice.subject, notice.body)
            _record(engine, notice_id, seq, outcome, address)
            if outcome.fatal:
                stopped = scrub_reason(outcome.reason, address) or ""
                break
    finally:
        for channel in opened:
            senders[channel].close()
    counts = _counts(engine, notice_id)
    status = "done" if counts["queued"] == 0 else "interrupted"
    with engine.begin() as con:
        con.execute(
            notices.update()
            .where(notices.c.notice_id == notice_id)
            .values(status=status)
        )
    result = {
        "sent": counts["sent"],
        "failed": counts["failed"],
        "queued": counts["queued"],
        "status": status,
        # not a count, so never rounded: staff's "failed 0" may be 1 or 2
        "all_sent": counts["failed"] == 0 and counts["queued"] == 0,
    }
    store.log_event(
        DELIVERY_ACTION,
        user=user,
        details={
            "notice_id": notice_id,
            "case_number": notice.case_number,
            "reached": counts["sent"],
            **result,
            **({"stopped_by": stopped} if stopped else {}),
        },
        reason=f"delivery of notice {notice_id} for case {notice.case_number}",
    )
    return result


def _recent_send_ages(engine: sa.Engine) -> list[float]:
    """Seconds since each message handed over in the last minute (any notice)."""
    now = datetime.now(timezone.utc)
    since = (now - timedelta(seconds=60)).isoformat(timespec="seconds")
    with engine.connect() as con:
        stamps = con.execute(
            sa.select(deliveries.c.updated_at).where(
                deliveries.c.status.in_(("sending", "sent", "failed"))
                & (deliveries.c.updated_at >= since)
            )
        ).scalars()
        return [(now - datetime.fromisoformat(t)).total_seconds() for t in stamps]


def _claim(engine: sa.Engine, notice_id: str, seq: int) -> bool:
    """queued -> sending, only if still queued: two runs never send one row."""
    with engine.begin() as con:
        done = con.execute(
            deliveries.update()
            .where(
                (deliveries.c.notice_id == notice_id)
                & (deliveries.c.seq == seq)
                & (deliveries.c.status == "queued")
            )
            .values(
                status="sending",
                attempts=deliveries.c.attempts + 1,
                updated_at=utc_now(),
            )
        )
    return done.rowcount == 1


def _record(
    engine: sa.Engine, notice_id: str, seq: int, outcome: Outcome, address: str
) -> None:
    status = "queued" if outcome.status == "retry" else outcome.status
    with engine.begin() as con:
        con.execute(
            deliveries.update()
            .where((deliveries.c.notice_id == notice_id) & (deliveries.c.seq == seq))
            .values(
                status=status,
                reason=scrub_reason(outcome.reason, address) or None,
                bounced=bool(outcome.bounced),
                provider_id=outcome.provider_id,
                updated_at=utc_now(),
            )
        )


def _counts(engine: sa.Engine, notice_id: str) -> dict[str, int]:
    with engine.connect() as con:
        rows = con.execute(
            sa.select(deliveries.c.status, sa.func.count())
            .where(deliveries.c.notice_id == notice_id)
            .group_by(deliveries.c.status)
        ).all()
    out = dict.fromkeys(("queued", "sending", "sent", "failed", "skipped"), 0)
    out.update({status: int(n) for status, n in rows})
    return out


def _new_notice_id() -> str:
    stamp = datetime.now(timezone.utc).strftime("%Y%m%d-%H%M%S")
    return f"N{stamp}-{_secrets.token_hex(3)}"


def _notify_role(role: str) -> str:
    validate_audience(role)
    if role not in NOTIFY_ROLES:
        raise PermissionError(
            f"`role` was {role!r} but area notices need one of {NOTIFY_ROLES}"
        )
    return role


# --- opt-out ------------------------------------------------------------------------
def record_opt_out(
    store: Any,
    *,
    user: str,
    email: str | None = None,
    phone: str | None = None,
    camera_id: str | None = None,
    method: str = "steward",
    reason: str = "",
) -> int:
    """Store an owner's opt-out (dated) and log it; every later notice skips them.

    The audit entry names the camera, or only that it was an e-mail or phone,
    never the contact itself.
    """
    engine = notify_engine(store)
    opt_id = opt_out(
        engine,
        email=email,
        phone=phone,
        camera_id=camera_id,
        method=method,
        user=user,
        reason=reason,
    )
    store.log_event(
        OPT_OUT_ACTION,
        user=user,
        details={
            "opt_out_id": opt_id,
            "method": method,
            "camera_id": camera_id,
            "by": [k for k, v in (("e-mail", email), ("phone", phone)) if v],
        },
        reason=reason or f"owner opted out of notices ({method})",
    )
    return opt_id


def opt_out_reply(
    store: Any, *, sender: str, text: str, channel: str, user: str = "reply"
) -> bool:
    """Record an opt-out when a reply's first word is STOP (or a synonym).

    ``sender`` is the address (``channel="email"``) or number (``"sms"``) the
    reply came from. Returns True when an opt-out was recorded.
    """
    if channel not in CHANNELS:
        raise ValueError(f"`channel` was {channel!r} but is expected in {CHANNELS}")
    if not is_stop_reply(text):
        return False
    record_opt_out(
        store,
        user=user,
        email=sender if channel == "email" else None,
        phone=sender if channel == "sms" else None,
        method="reply",
        reason="reply keyword",
    )
    return True


__all__ = [
    "Message",
    "NoticeError",
    "RateLimiter",
    "disclose",
    "opt_out_reply",
    "preview_notice",
    "record_opt_out",
    "resume_notice",
    "send_notice",
]
