"""What an import would change in the registry store, worked out without writing.

:func:`plan_import` compares validated camera rows with the stored registrations
and returns an :class:`ImportPlan`: new cameras, updated cameras (field by field),
cameras the file withdraws, unchanged cameras, and withdrawn cameras the file
lists as active ("kept withdrawn": only the owner registering again reactivates
a camera). It is a pure function, so the Registry page can show the plan as a
preview and the store applies exactly the same rules inside its transaction.

>>> plan = plan_import({}, frame, today="2025-06-01")   # doctest: +SKIP
>>> plan.counts()                                       # doctest: +SKIP
{'rows': 3, 'inserted': 3, 'updated': 0, 'unchanged': 0, 'withdrawn': 0, ...}
"""

from __future__ import annotations

import hashlib
import importlib
import importlib.util
import json
import math
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import numpy as np
import pandas as pd

from analytics.schema import (
    CAMERA_COLUMNS,
    CAMERA_REQUIRED,
    CONTACT_COLUMNS,
    OWNER_TYPES,
    STATUSES,
    TIERS,
)

TEXT_FIELDS = (
    "camera_id",
    "tier",
    "owner_type",
    "status",
    "address",
    "owner_name",
    "contact_phone",
    "contact_email",
    "direction_deg",
    "camera_type",
    "mount",
    "source",
)
REAL_FIELDS = ("latitude", "longitude", "fov_deg", "range_m")
INTEGER_FIELDS = ("camera_count", "retention_days")
DATE_FIELDS = ("registered_at", "verified_at", "withdrawn_at")
# Fields an import writes from a file row; withdrawn_at follows the status rules.
STORED_FIELDS = tuple(c for c in CAMERA_COLUMNS if c != "withdrawn_at")
# Provenance, not registry content: re-importing the same rows from a file with
# another name is "unchanged". Status has its own rules (withdrawal).
NOT_COMPARED = ("camera_id", "source", "status")
COMPARED_FIELDS = tuple(f for f in STORED_FIELDS if f not in NOT_COMPARED)
PREVIEW_COLUMNS = ("camera_id", "outcome", "what")


class PlanError(ValueError):
    """The rows cannot be imported at all; the message names the bad values."""


@dataclass(frozen=True)
class CameraChange:
    """One camera an import writes: its action, field changes and new values."""

    camera_id: str
    action: str  # "insert", "update" or "withdraw"
    changes: dict[str, dict[str, Any]]
    record: dict[str, Any]


@dataclass(frozen=True)
class ImportPlan:
    """Everything an import would do, camera by camera; nothing written yet."""

    rows: int
    changes: tuple[CameraChange, ...]
    unchanged: tuple[str, ...]
    kept_withdrawn: tuple[str, ...]
    today: str
    fields_changed: dict[str, int] = field(default_factory=dict)

    def ids(self, action: str) -> list[str]:
        return [c.camera_id for c in self.changes if c.action == action]

    def counts(self) -> dict[str, int]:
        """Rows per outcome (``kept_withdrawn`` is part of ``unchanged``)."""
        by_action = Counter(c.action for c in self.changes)
        return {
            "rows": self.rows,
            "inserted": by_action["insert"],
            "updated": by_action["update"],
            "unchanged": len(self.unchanged),
            "withdrawn": by_action["withdraw"],
            "kept_withdrawn": len(self.kept_withdrawn),
        }

    @property
    def is_empty(self) -> bool:
        return not self.changes

    def digest(self) -> str:
        """Fingerprint of the changes: equal plans have equal digests.

        The store refuses to apply a previewed plan whose digest no longer
        matches what the import would do now (someone changed the store).
        """
        payload = json.dumps(
            [
                [c.camera_id, c.action, c.changes]
                for c in sorted(self.changes, key=lambda c: c.camera_id)
            ]
            + [sorted(self.kept_withdrawn)],
            default=_json_default,
            sort_keys=True,
        )
        return hashlib.sha256(payload.encode()).hexdigest()[:16]

    def preview(self, audience: str) -> pd.DataFrame:
        """One row per camera that changes or is kept withdrawn (``PREVIEW_COLUMNS``),
        as ``audience`` may read it.

        Owner contacts are hidden from everyone but investigators, and the
        coordinates and address of cameras whose place the audience may not see
        (``analytics.privacy.EXACT_OWNER_TYPES``) are named but not shown.
        """
        from analytics.privacy import EXACT_OWNER_TYPES, validate_audience

        validate_audience(audience)
        exact = set(EXACT_OWNER_TYPES[audience])
        contacts = () if audience == "investigator" else CONTACT_COLUMNS
        place = ("latitude", "longitude", "address")
        outcome = {"insert": "new", "update": "updated", "withdraw": "withdrawn"}
        rows = []
        for c in self.changes:
            # the old owner type too: a home that became a shop keeps its
            # old address private
            types = {c.record.get("owner_type")}
            types.add(c.changes.get("owner_type", {}).get("old"))
            private = bool((types - {None}) - exact) or types == {None}
            hide = (*contacts, *(place if private else ()))
            rows.append(
                (c.camera_id, outcome[c.action], describe_changes(c.changes, hide))
            )
        rows += [
            (
                cid,
                "kept withdrawn",
                "listed as active; consent was withdrawn, so it stays withdrawn",
            )
            for cid in self.kept_withdrawn
        ]
        return pd.DataFrame.from_records(rows, columns=list(PREVIEW_COLUMNS))


def plan_import(
    stored: Mapping[str, Mapping[str, Any]],
    cameras: pd.DataFrame,
    *,
    today: str | date,
) -> ImportPlan:
    """Work out what importing ``cameras`` into a store holding ``stored`` does.

    Parameters
    ----------
    stored
        ``camera_id`` -> stored fields (``STORED_FIELDS`` plus ``withdrawn_at``)
        of every registration in the store.
    cameras
        Canonical camera frame (``LoadResult.accepted``); extra columns and the
        geometry are ignored.
    today
        Date (``YYYY-MM-DD``) recorded as the withdrawal date of rows that are
        withdrawn in the file without a ``withdrawn_at``.

    Returns
    -------
    ImportPlan

    Raises
    ------
    PlanError
        Required columns missing, empty or duplicate ids, values outside the
        schema.
    """
    validate_frame(cameras)
    today = _iso_date(today) or ""
    columns = [c for c in STORED_FIELDS if c in cameras.columns]
    has_withdrawn_at = "withdrawn_at" in cameras.columns
    frame = pd.DataFrame(cameras)[
        columns + (["withdrawn_at"] if has_withdrawn_at else [])
    ]
    changes: list[CameraChange] = []
    unchanged: list[str] = []
    kept: list[str] = []
    # a withdrawn camera under another spelling of its id, or under a new id at
    # the same place with the same owner, stays withdrawn (analytics.identity,
    # when present)
    withdrawn_twin = _withdrawn_matcher(stored)
    fields_changed: Counter[str] = Counter()
    records = _records(frame, columns)
    withdrawn_dates = (
        _column_values(frame["withdrawn_at"], "withdrawn_at")
        if has_withdrawn_at
        else [None] * len(frame)
    )
    for record, withdrawn_on in zip(records, withdrawn_dates, strict=True):
        cid = record["camera_id"]
        old = stored.get(cid)
        withdrawn_on = withdrawn_on or today
        twin = withdrawn_twin.find(record) if old is None and withdrawn_twin else None
        if twin is not None:
            kept.append(f"{cid} (= {twin.camera_id}, same {twin.how})")
            unchanged.append(cid)
            continue
        if old is None:
            diff = {
                k: {"old": None, "new": v}
                for k, v in record.items()
                if v is not None and k != "camera_id"
            }
            if record["status"] == "withdrawn":
                diff["withdrawn_at"] = {"old": None, "new": withdrawn_on}
                record["withdrawn_at"] = withdrawn_on
            changes.append(CameraChange(cid, "insert", diff, record))
            continue
        if old["status"] == "withdrawn":
            if record["status"] == "active":
                kept.append(cid)
            unchanged.append(cid)
            continue
        diff = {
            k: {"old": _plain(old.get(k)), "new": record[k]}
            for k in COMPARED_FIELDS
            if k in record and record[k] != _plain(old.get(k))
        }
        action = "update"
        if record["status"] == "withdrawn":
            diff["status"] = {"old": "active", "new": "withdrawn"}
            diff["withdrawn_at"] = {"old": None, "new": withdrawn_on}
            record["withdrawn_at"] = withdrawn_on
            action = "withdraw"
        if not diff:
            unchanged.append(cid)
            continue
        fields_changed.update(k for k in diff if k not in ("status", "withdrawn_at"))
        changes.append(CameraChange(cid, action, diff, record))
    return ImportPlan(
        rows=len(frame),
        changes=tuple(changes),
        unchanged=tuple(unchanged),
        kept_withdrawn=tuple(kept),
        today=today,
        fields_changed=dict(sorted(fields_changed.items())),
    )


def _withdrawn_matcher(stored: Mapping[str, Mapping[str, Any]]) -> Any:
    """``analytics.identity.CameraMatcher`` of the withdrawn cameras, or None.

    The matcher (normalised ids, same owner at the same place) lives in its own
    module; without it, ids are matched exactly.
    """
    if importlib.util.find_spec("analytics.identity") is None:
        return None
    identity = importlib.import_module("analytics.identity")
    withdrawn = [
        {k: _plain(v) for k, v in rec.items()}
        for rec in stored.values()
        if rec.get("status") == "withdrawn"
    ]
    return identity.CameraMatcher(withdrawn) if withdrawn else None


def describe_changes(
    changes: str | dict[str, Any] | None, hide: Iterable[str] = ()
) -> str:
    """``{"tier": {"old": "registered", "new": "integrated"}}`` -> readable text.

    Fields in ``hide`` are named but their values are not shown.

    >>> describe_changes('{"tier": {"old": "registered", "new": "integrated"}}')
    'tier: registered -> integrated'
    >>> describe_changes({"owner_name": {"old": None, "new": "Ann"}}, ["owner_name"])
    'owner_name: (hidden)'
    """
    if changes is None or (isinstance(changes, float) and math.isnan(changes)):
        return ""
    if isinstance(changes, str):
        changes = json.loads(changes) if changes else {}
    hidden = set(hide)
    parts = []
    for name, change in changes.items():
        if name in hidden:
            parts.append(f"{name}: (hidden)")
            continue
        old, new = change.get("old"), change.get("new")
        parts.append(
            f"{name}: {'-' if old is None else old} -> {'-' if new is None else new}"
        )
    return "; ".join(parts)


# --- values ------------------------------------------------------------------------
def missing(value: Any) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    if isinstance(value, float | np.floating):
        return math.isnan(value)
    return False


def _iso_date(value: Any) -> str | None:
    """Date-like -> ``YYYY-MM-DD``, None if missing; PlanError if unreadable."""
    if missing(value):
        return None
    if isinstance(value, datetime | pd.Timestamp):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, np.datetime64):
        return None if np.isnat(value) else pd.Timestamp(value).date().isoformat()
    text = str(value).strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text[:10]).isoformat()
    except ValueError as exc:
        raise PlanError(
            f"date was {value!r} but is expected to be a date or YYYY-MM-DD"
        ) from exc


iso_date = _iso_date


def _plain(value: Any) -> Any:
    """A stored value in the form rows are compared in (dates as ISO text)."""
    if missing(value):
        return None
    if isinstance(value, date):
        return value.isoformat()
    return value


def row_record(row: Mapping[str, Any]) -> dict[str, Any]:
    """One frame row -> plain values (dates as ISO text) for its stored fields."""
    out: dict[str, Any] = {}
    for name in STORED_FIELDS:
        if name not in row:
            continue
        value = row[name]
        if missing(value):
            out[name] = None
        elif name in TEXT_FIELDS:
            out[name] = str(value)
        elif name in REAL_FIELDS:
            out[name] = float(value)
        elif name in INTEGER_FIELDS:
            out[name] = int(value)
        else:
            out[name] = _iso_date(value)
    return out


def _column_values(values: pd.Series, name: str) -> list[Any]:
    """One column as plain Python values of the field's type (None if missing)."""
    items = values.tolist()
    if name in TEXT_FIELDS:
        return [None if missing(v) else str(v) for v in items]
    if name in REAL_FIELDS:
        return [None if missing(v) else float(v) for v in items]
    if name in INTEGER_FIELDS:
        return [None if missing(v) else int(v) for v in items]
    return [_iso_date(v) for v in items]


def _records(frame: pd.DataFrame, columns: list[str]) -> list[dict[str, Any]]:
    """Rows as plain records, converted column by column (fast at 200,000 rows)."""
    lists = [_column_values(frame[name], name) for name in columns]
    rows = zip(*lists, strict=True)
    return [dict(zip(columns, values, strict=True)) for values in rows]


def _json_default(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, datetime | date | pd.Timestamp):
        return value.isoformat()
    raise TypeError(f"{value!r} is not JSON-serialisable")


def validate_frame(frame: pd.DataFrame) -> None:
    """PlanError naming the problem unless ``frame`` can be imported as a whole."""
    if not isinstance(frame, pd.DataFrame):
        raise PlanError(
            f"`cameras` was {type(frame).__name__} but is expected to be a "
            "(Geo)DataFrame with the canonical camera columns"
        )
    absent = [c for c in CAMERA_REQUIRED if c not in frame.columns]
    if absent:
        raise PlanError(
            f"camera frame lacks required columns {absent}; expected "
            f"{list(CAMERA_REQUIRED)} (validate files with analytics.loaders first)"
        )
    ids = frame["camera_id"]
    empty = ids.isna() | (ids.astype(str).str.strip() == "")
    if empty.any():
        raise PlanError(
            f"{int(empty.sum())} row(s) have no camera_id; every camera needs one"
        )
    dup = ids.astype(str)[ids.astype(str).duplicated()].unique().tolist()
    if dup:
        raise PlanError(
            f"camera_id values {dup[:5]} appear more than once in the import; "
            "each camera must appear once"
        )
    for name, allowed in (
        ("tier", TIERS),
        ("owner_type", OWNER_TYPES),
        ("status", STATUSES),
    ):
        bad = sorted(set(frame[name].dropna().astype(str)) - set(allowed))
        if bad or frame[name].isna().any():
            shown = bad[:5] if bad else [None]
            raise PlanError(
                f"`{name}` was {shown} but is expected to be in {list(allowed)}"
            )
    for name in ("latitude", "longitude"):
        values = pd.to_numeric(frame[name], errors="coerce")
        if values.isna().any() or not np.isfinite(values.to_numpy(float)).all():
            raise PlanError(f"`{name}` has missing or non-numeric values")
    count = pd.to_numeric(frame["camera_count"], errors="coerce")
    if count.isna().any() or (count < 1).any():
        raise PlanError("`camera_count` must be an integer >= 1 on every row")
    if frame["registered_at"].isna().any():
        raise PlanError("`registered_at` is missing on some rows")
