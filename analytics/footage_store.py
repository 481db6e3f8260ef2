"""Footage requests and case outcomes, kept beside the registry in one database.

Tables are SQLAlchemy Core so the same code runs on the embedded SQLite store
and on PostgreSQL (we add SQLAlchemy for that reason instead of writing SQL
strings per engine). Every change is also written to the registry's audit log
through :meth:`RegistryStore.log_event`, and to this module's own
``request_events`` table in the same transaction as the change itself, so the
request history can never disagree with the request.

>>> footage = FootageStore(store)                               # doctest: +SKIP
>>> ids = footage.add("2026-001234", ["CAM-000042"], user="det. smith")
>>> footage.update(ids[0], status="provided", useful="yes", user="det. smith")
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime, timezone
from typing import TYPE_CHECKING, Any

import pandas as pd
import sqlalchemy as sa

from analytics.footage import (
    CASE_COLUMNS,
    REQUEST_COLUMNS,
    REQUESTED,
    USEFUL_VALUES,
    RequestError,
    check_camera_requestable,
    check_transition,
    expire_unanswered,
    kind_for,
)

if TYPE_CHECKING:
    from analytics.store import RegistryStore

REQUEST_ACTION = "footage_request"
UPDATE_ACTION = "footage_request_update"
OUTCOME_ACTION = "case_outcome"
# who closes a request nobody answered (the audit log's "by")
EXPIRY_USER = "system (answer window)"

METADATA = sa.MetaData()
REQUESTS = sa.Table(
    "footage_requests",
    METADATA,
    sa.Column("request_id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("case_id", sa.String(64), nullable=False, index=True),
    sa.Column("camera_id", sa.String(128), nullable=False, index=True),
    sa.Column("kind", sa.String(32), nullable=False),
    sa.Column("status", sa.String(32), nullable=False),
    sa.Column("requested_at", sa.DateTime, nullable=False),
    sa.Column("status_at", sa.DateTime, nullable=False),
    sa.Column("incident_id", sa.String(128)),
    sa.Column("incident_at", sa.DateTime),
    sa.Column("useful", sa.String(16), nullable=False, default="unknown"),
    sa.Column("requested_by", sa.String(128), nullable=False),
)
EVENTS = sa.Table(
    "footage_request_events",
    METADATA,
    sa.Column("event_id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("request_id", sa.Integer, nullable=False, index=True),
    sa.Column("at", sa.DateTime, nullable=False),
    sa.Column("user", sa.String(128), nullable=False),
    sa.Column("old_status", sa.String(32)),
    sa.Column("new_status", sa.String(32), nullable=False),
    sa.Column("useful", sa.String(16)),
    sa.Column("reason", sa.Text),
)
CASES = sa.Table(
    "case_outcomes",
    METADATA,
    sa.Column("case_id", sa.String(64), primary_key=True),
    sa.Column("cleared", sa.Boolean, nullable=False, default=False),
    sa.Column("cleared_at", sa.Date),
    sa.Column("updated_by", sa.String(128), nullable=False),
    sa.Column("updated_at", sa.DateTime, nullable=False),
)


class FootageStore:
    """Requests and outcomes in the registry store's database.

    Parameters
    ----------
    store
        The registry store: cameras are looked up there (withdrawn cameras are
        refused) and every change is written to its audit log.
    cameras
        Look cameras up in this frame (``camera_id``, ``tier``, ``status``)
        instead of the store: the demo's session store holds requests for the
        synthetic cameras, which are in no store.
    """

    def __init__(
        self, store: RegistryStore, *, cameras: pd.DataFrame | None = None
    ) -> None:
        self.store = store
        self.engine = store.engine  # the registry's own database (SQLite or PostgreSQL)
        self._cameras = (
            None
            if cameras is None
            else cameras.set_index(cameras["camera_id"].astype(str))[["tier", "status"]]
        )
        METADATA.create_all(self.engine)

    def camera_record(self, camera_id: str) -> dict[str, Any] | None:
        """The camera a request would be for (the store's, or the frame's)."""
        if self._cameras is None:
            return self.store.camera_record(camera_id)
        if camera_id not in self._cameras.index:
            return None
        row = self._cameras.loc[camera_id]
        if isinstance(row, pd.DataFrame):  # a repeated id: the first row
            row = row.iloc[0]
        return {"camera_id": camera_id, "tier": row["tier"], "status": row["status"]}

    def version(self) -> tuple[int, int, int, int, str]:
        """Changes whenever a request or a case outcome changes (:func:`version`)."""
        return version(self.engine)

    # --- writing ----------------------------------------------------------------
    def add(
        self,
        case_id: str,
        camera_ids: Sequence[str],
        *,
        user: str,
        kind: str | None = None,
        incident_id: str | None = None,
        incident_at: datetime | None = None,
        at: datetime | None = None,
    ) -> list[int]:
        """Create one request per camera under ``case_id``; returns their ids.

        All or nothing: one withdrawn or unknown camera refuses the whole call,
        and so does a camera whose footage is already asked for under this case
        and not answered yet (a second click is not a second request; once the
        first has a final status the camera may be asked again).
        """
        case_id = _text(case_id, "case number")
        user = _text(user, "user")
        if not camera_ids:
            raise RequestError("give at least one camera id (--camera ID)")
        now = at or _now()
        rows = []
        for camera_id in dict.fromkeys(str(c) for c in camera_ids):
            camera = self.camera_record(camera_id)
            check_camera_requestable(camera, camera_id)
            assert camera is not None
            rows.append(
                {
                    "case_id": case_id,
                    "camera_id": camera_id,
                    "kind": kind_for(str(camera["tier"]), kind),
                    "status": REQUESTED,
                    "requested_at": now,
                    "status_at": now,
                    "incident_id": incident_id,
                    "incident_at": incident_at,
                    "useful": "unknown",
                    "requested_by": user,
                }
            )
        open_ = self._open_requests(case_id, [str(r["camera_id"]) for r in rows])
        if open_:
            listed = ", ".join(f"{c} (request {i})" for c, i in open_.items())
            raise RequestError(
                f"case {case_id!r} already has an open request for {listed}: "
                "record its answer, or wait for it, before asking again"
            )
        ids = []
        with self.engine.begin() as con:
            for row in rows:
                key = con.execute(
                    sa.insert(REQUESTS).values(**row)
                ).inserted_primary_key
                assert key is not None  # an INSERT returns its new key
                request_id = key[0]
                ids.append(int(request_id))
                con.execute(
                    sa.insert(EVENTS).values(
                        request_id=request_id,
                        at=now,
                        user=user,
                        old_status=None,
                        new_status=REQUESTED,
                        useful=None,
                        reason=None,
                    )
                )
        self.store.log_event(
            REQUEST_ACTION,
            user=user,
            reason=f"case {case_id}",
            details={
                "case": case_id,
                "requests": ids,
                "cameras": len(rows),
                "kinds": sorted({r["kind"] for r in rows}),
            },
        )
        return ids

    def _open_requests(self, case_id: str, camera_ids: list[str]) -> dict[str, int]:
        """camera id -> id of its request still ``requested`` under ``case_id``."""
        query = sa.select(REQUESTS.c.camera_id, REQUESTS.c.request_id).where(
            (REQUESTS.c.case_id == case_id)
            & (REQUESTS.c.status == REQUESTED)
            & REQUESTS.c.camera_id.in_(camera_ids)
        )
        with self.engine.connect() as con:
            return {str(c): int(i) for c, i in con.execute(query).all()}

    def update(
        self,
        request_id: int,
        *,
        user: str,
        status: str | None = None,
        useful: str | None = None,
        reason: str | None = None,
        at: datetime | None = None,
    ) -> dict[str, Any]:
        """Move a request to ``status`` and/or set whether it was ``useful``."""
        user = _text(user, "user")
        if status is None and useful is None:
            raise RequestError("give a new --status and/or --useful")
        if useful is not None and useful not in USEFUL_VALUES:
            raise RequestError(
                f"`useful` was {useful!r} but is expected to be in {USEFUL_VALUES}"
            )
        now = at or _now()
        with self.engine.begin() as con:
            row = (
                con.execute(
                    sa.select(REQUESTS).where(REQUESTS.c.request_id == int(request_id))
                )
                .mappings()
                .first()
            )
            if row is None:
                raise RequestError(f"request {request_id!r} does not exist")
            old = row["status"]
            values: dict[str, Any] = {}
            if status is not None:
                check_transition(old, status, reason=reason)
                values.update(status=status, status_at=now)
            new_status = status or old
            if useful is not None:
                if new_status != "provided" and useful != "unknown":
                    raise RequestError(
                        f"request {request_id} is {new_status!r}: only provided "
                        "footage can be marked useful or not"
                    )
                values["useful"] = useful
            elif new_status != "provided" and row["useful"] != "unknown":
                # a correction away from "provided": the footage it judged is
                # gone, so its verdict goes too (kept in the event row below)
                useful = "unknown"
                values["useful"] = useful
            con.execute(
                sa.update(REQUESTS)
                .where(REQUESTS.c.request_id == int(request_id))
                .values(**values)
            )
            con.execute(
                sa.insert(EVENTS).values(
                    request_id=int(request_id),
                    at=now,
                    user=user,
                    old_status=old,
                    new_status=new_status,
                    useful=useful,
                    reason=reason,
                )
            )
        self.store.log_event(
            UPDATE_ACTION,
            user=user,
            reason=reason or f"case {row['case_id']}",
            details={
                "request": int(request_id),
                "case": row["case_id"],
                "from": old,
                "to": new_status,
                **({"useful": useful} if useful is not None else {}),
            },
        )
        return {"request_id": int(request_id), "status": new_status, "from": old}

    def expire(
        self, now: datetime | None = None, days: int = 14, *, user: str = EXPIRY_USER
    ) -> list[int]:
        """Close requests unanswered after ``days`` days as ``no_answer``.

        Each one's status date is the moment its answer window ended (the
        request date plus ``days``), not the moment this ran, so a store that
        nobody opened for a month still dates each silence correctly. Every
        change is audited like a person's. Returns the ids closed.
        """
        now = now or _now()
        requests = self.requests()
        due = expire_unanswered(requests, now, days)
        asked = requests.set_index("request_id")["requested_at"]
        for request_id in due:
            ended = pd.Timestamp(asked[request_id]) + pd.Timedelta(days=days)
            self.update(
                int(request_id),
                status="no_answer",
                user=user,
                reason=f"no answer within {days} days",
                at=ended.to_pydatetime(),
            )
        return [int(i) for i in due]

    def set_outcome(
        self, case_id: str, *, cleared: bool, user: str, on: date | None = None
    ) -> None:
        """Record whether a case was cleared (investigators only, by the caller)."""
        case_id = _text(case_id, "case number")
        user = _text(user, "user")
        now = _now()
        values = {
            "cleared": bool(cleared),
            "cleared_at": (on or now.date()) if cleared else None,
            "updated_by": user,
            "updated_at": now,
        }
        with self.engine.begin() as con:
            exists = con.execute(
                sa.select(CASES.c.case_id).where(CASES.c.case_id == case_id)
            ).first()
            if exists:
                con.execute(
                    sa.update(CASES).where(CASES.c.case_id == case_id).values(**values)
                )
            else:
                con.execute(sa.insert(CASES).values(case_id=case_id, **values))
        self.store.log_event(
            OUTCOME_ACTION,
            user=user,
            reason=f"case {case_id}",
            details={"case": case_id, "cleared": bool(cleared)},
        )

    # --- reading ----------------------------------------------------------------
    def requests(self, case_id: str | None = None) -> pd.DataFrame:
        """Requests (canonical ``REQUEST_COLUMNS``), oldest first."""
        query = sa.select(*[REQUESTS.c[c] for c in REQUEST_COLUMNS]).order_by(
            REQUESTS.c.request_id
        )
        if case_id is not None:
            query = query.where(REQUESTS.c.case_id == str(case_id))
        with self.engine.connect() as con:
            rows = con.execute(query).all()
        frame = pd.DataFrame(rows, columns=list(REQUEST_COLUMNS))
        for column in ("requested_at", "status_at", "incident_at"):
            frame[column] = pd.to_datetime(frame[column])
        return frame

    def events(self, request_id: int) -> pd.DataFrame:
        """A request's status changes, oldest first."""
        with self.engine.connect() as con:
            rows = (
                con.execute(
                    sa.select(EVENTS)
                    .where(EVENTS.c.request_id == int(request_id))
                    .order_by(EVENTS.c.event_id)
                )
                .mappings()
                .all()
            )
        return pd.DataFrame(rows)

    def cases(self) -> pd.DataFrame:
        with self.engine.connect() as con:
            rows = con.execute(sa.select(*[CASES.c[c] for c in CASE_COLUMNS])).all()
        return pd.DataFrame(rows, columns=list(CASE_COLUMNS))

    def load(
        self, frame: pd.DataFrame, *, user: str, cases: Iterable[dict[str, Any]] = ()
    ) -> int:
        """Bulk-insert a request history (the demo's); returns rows written."""
        records = [
            {c: _plain(r[c]) for c in REQUEST_COLUMNS if c != "request_id"}
            for r in frame.to_dict("records")
        ]
        with self.engine.begin() as con:
            if records:
                con.execute(sa.insert(REQUESTS), records)
            for case in cases:
                con.execute(
                    sa.insert(CASES).values(**case, updated_by=user, updated_at=_now())
                )
        self.store.log_event(
            "footage_history_load",
            user=user,
            details={"requests": len(records)},
        )
        return len(records)


def version(engine: sa.Engine) -> tuple[int, int, int, int, str]:
    """Changes whenever a request or a case outcome changes (cache keys).

    (last request event, events, case rows, cleared cases, last case update):
    two cheap queries, so a page can tell a fresh history from the one it holds
    without reading it. A store without the footage tables yet is all zeros.
    """
    try:
        with engine.connect() as con:
            last, events = con.execute(
                sa.select(sa.func.max(EVENTS.c.event_id), sa.func.count())
            ).one()
            cases, cleared, updated = con.execute(
                sa.select(
                    sa.func.count(),
                    sa.func.sum(sa.cast(CASES.c.cleared, sa.Integer)),
                    sa.func.max(CASES.c.updated_at),
                )
            ).one()
    except sa.exc.OperationalError:  # no footage tables yet (nothing recorded)
        return (0, 0, 0, 0, "")
    except sa.exc.ProgrammingError:  # the same on PostgreSQL
        return (0, 0, 0, 0, "")
    return (
        int(last or 0),
        int(events),
        int(cases),
        int(cleared or 0),
        str(updated or ""),
    )


def _now() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None, microsecond=0)


def _text(value: Any, name: str) -> str:
    text = "" if value is None else str(value).strip()
    if not text:
        raise RequestError(f"a {name} is required")
    return text


def _plain(value: Any) -> Any:
    if value is None or (isinstance(value, float) and value != value):
        return None
    if isinstance(value, pd.Timestamp):
        return None if pd.isna(value) else value.to_pydatetime()
    if value is pd.NaT:
        return None
    return value
