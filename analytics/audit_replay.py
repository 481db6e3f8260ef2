"""Replay the registry's audit log and compare it with the stored cameras.

The audit log is the record of every change; the ``cameras`` table is the
current state. :func:`replay` rebuilds each camera from its audit rows alone, and
:func:`compare_replay` lists every way the two disagree -- the integrity check
behind ``python -m analytics registry check``.

``source`` (the provenance column of a registration) and ``updated_at`` are not
compared: imports do not record provenance-only changes.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from typing import Any

from analytics.import_plan import STORED_FIELDS

REPLAYED_FIELDS = tuple(
    f for f in (*STORED_FIELDS, "withdrawn_at") if f not in ("camera_id", "source")
)
CAMERA_EVENTS = ("insert", "update", "withdraw", "reactivate")
SUMMARY_KEYS = {"insert": "inserted", "update": "updated", "withdraw": "withdrawn"}


def replay(events: Iterable[Mapping[str, Any]]) -> dict[str, dict[str, Any]]:
    """camera_id -> fields as the audit log says they are now.

    ``events`` are audit rows (``event_id``, ``action``, ``camera_id``,
    ``changes`` as JSON text) in event order.
    """
    state: dict[str, dict[str, Any]] = {}
    for event in events:
        if event["action"] not in CAMERA_EVENTS:
            continue
        changes = json.loads(event["changes"] or "{}")
        camera = state.setdefault(event["camera_id"], {})
        for name, change in changes.items():
            camera[name] = change.get("new")
    return state


def compare_replay(
    events: list[Mapping[str, Any]], stored: Mapping[str, Mapping[str, Any]]
) -> list[str]:
    """Every disagreement between the audit log and the stored cameras.

    Parameters
    ----------
    events
        All audit rows, oldest first (``AUDIT_COLUMNS`` of ``analytics.store``).
    stored
        camera_id -> stored fields with dates as ISO text.

    Returns
    -------
    list of str
        One readable line per problem; empty when the log replays to the store.
    """
    problems: list[str] = []
    ids = [int(e["event_id"]) for e in events]
    if ids != list(range(1, len(ids) + 1)):
        missing = sorted(set(range(1, max(ids, default=0) + 1)) - set(ids))
        problems.append(
            f"audit event ids are not 1..{len(ids)}: missing {missing[:10]}"
        )
    replayed = replay(events)
    for cid in sorted(set(stored) - set(replayed)):
        problems.append(f"camera {cid!r} is stored but has no audit history")
    for cid in sorted(set(replayed) - set(stored)):
        problems.append(f"camera {cid!r} is in the audit log but not stored")
    for cid in sorted(set(stored) & set(replayed)):
        now, then = stored[cid], replayed[cid]
        for name in REPLAYED_FIELDS:
            if now.get(name) != then.get(name):
                problems.append(
                    f"camera {cid!r}: {name} is {now.get(name)!r} in the store but "
                    f"{then.get(name)!r} by the audit log"
                )
    per_import: dict[int, Counter[str]] = defaultdict(Counter)
    summaries: dict[int, dict[str, Any]] = {}
    for event in events:
        import_id = event.get("import_id")
        if import_id is None or import_id != import_id:  # None or NaN
            continue
        if event["action"] == "import":
            summaries[int(import_id)] = json.loads(event["details"] or "{}")
        elif event["action"] in SUMMARY_KEYS:
            per_import[int(import_id)][SUMMARY_KEYS[event["action"]]] += 1
    for import_id in sorted(set(per_import) | set(summaries)):
        summary = summaries.get(import_id)
        if summary is None:
            problems.append(f"import #{import_id} has camera events but no summary")
            continue
        for key in SUMMARY_KEYS.values():
            if int(summary.get(key, 0)) != per_import[import_id][key]:
                problems.append(
                    f"import #{import_id}: summary says {key} "
                    f"{summary.get(key, 0)} but the log has "
                    f"{per_import[import_id][key]} such events"
                )
    return problems
