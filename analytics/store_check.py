"""Integrity check of the registry store file, run before any command uses it.

A SQLite file damaged in the middle (a bad disk, a copy cut short) can still
answer some queries; a registry that silently answers from half a file is worse
than one that refuses. :func:`check_store` runs SQLite's own ``quick_check`` and
turns any finding into one clear line, the same for every command and page.

>>> check_store("no/such/file.sqlite")   # nothing to check yet: a new store
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

# SQLite files start with this header; anything else is not a database at all.
SQLITE_HEADER = b"SQLite format 3\x00"
# Another process may hold the write lock while the check runs (or be rolling
# back a hot journal): wait for it as long as the store's own connections do.
BUSY_TIMEOUT_S = 60.0


class DamagedStoreError(ValueError):
    """The registry store file is damaged; every command refuses it."""


def damaged_message(path: str | os.PathLike[str], detail: str) -> str:
    """The one line every command prints for a damaged store."""
    return (
        f"registry store {str(path)!r} is damaged ({detail}): nothing was read or "
        "changed; restore the file from a backup, or point CAMREG_REGISTRY_DB / "
        "--db at a good copy"
    )


def check_store(path: str | os.PathLike[str]) -> None:
    """Refuse a damaged registry store file with :class:`DamagedStoreError`.

    A missing or empty file passes (the store creates it); a file that is not
    SQLite at all is left to the store's own "not a registry database" error.
    """
    file = Path(path)
    if not file.is_file() or file.stat().st_size == 0:
        return
    with file.open("rb") as handle:
        if handle.read(len(SQLITE_HEADER)) != SQLITE_HEADER:
            return
    # A writer killed mid-transaction (kill -9, power cut) leaves a hot journal
    # that SQLite rolls back on the next read-write open; a read-only connection
    # cannot, and would call a store that is intact "damaged". Open read-write
    # then: the rollback restores the store as it was before that transaction.
    journal = file.with_name(file.name + "-journal")
    hot = journal.is_file() and journal.stat().st_size > 0
    mode = "rw" if hot else "ro"
    try:
        con = sqlite3.connect(
            f"{file.resolve().as_uri()}?mode={mode}", uri=True, timeout=BUSY_TIMEOUT_S
        )
    except sqlite3.Error as exc:
        raise DamagedStoreError(damaged_message(path, str(exc))) from exc
    try:
        rows = con.execute("PRAGMA quick_check").fetchall()
    except sqlite3.DatabaseError as exc:
        raise DamagedStoreError(damaged_message(path, str(exc))) from exc
    finally:
        con.close()
    if rows != [("ok",)]:
        # SQLite's report can span lines: the message stays one line
        first = " ".join(str(rows[0][0]).split()) if rows else "no answer"
        more = f" and {len(rows) - 1} more problems" if len(rows) > 1 else ""
        raise DamagedStoreError(
            damaged_message(path, f"SQLite integrity check: {first}{more}")
        )
