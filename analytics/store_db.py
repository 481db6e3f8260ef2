"""Where the registry store lives and how to talk to it: URL, engine, tables.

The store is one SQLAlchemy Core schema on two engines:

* **SQLite** (a file path): the embedded default for a laptop and the demo.
* **PostgreSQL 15+ with PostGIS** (a ``postgresql://`` URL): production, with
  camera points in a ``geometry(Point, 4326)`` column under a GiST index.

SQLAlchemy writes the SQL for each engine (instead of hand-written strings per
engine); the few engine-specific statements live in the migrations
(``analytics/store_migrations``). Other modules that keep their own tables in
the store use :func:`engine_for` (or ``RegistryStore.engine``) and add an
Alembic revision there -- see ``docs/registry.md``.

>>> store_url("data/registry.sqlite").startswith("sqlite:///")
True
>>> store_url("postgresql://camreg@db.city.gov/registry")
'postgresql+psycopg://camreg@db.city.gov/registry'
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from geoalchemy2 import Geometry
from sqlalchemy.engine import URL, Connection, Engine, make_url

# Every write transaction takes this lock first, so writers queue one behind the
# other on both engines: SQLite by BEGIN IMMEDIATE, PostgreSQL by a transaction
# advisory lock with this key. Reads never wait for it.
WRITE_LOCK_KEY = 0x43414D52  # "CAMR"
BUSY_TIMEOUT_S = 60.0
URL_PREFIXES = ("postgresql://", "postgresql+psycopg://", "postgres://")

metadata = sa.MetaData()

cameras = sa.Table(
    "cameras",
    metadata,
    sa.Column("camera_id", sa.Text, primary_key=True),
    sa.Column("tier", sa.Text, nullable=False),
    sa.Column("owner_type", sa.Text, nullable=False),
    sa.Column("status", sa.Text, nullable=False),
    sa.Column("address", sa.Text),
    sa.Column("owner_name", sa.Text),
    sa.Column("contact_phone", sa.Text),
    sa.Column("contact_email", sa.Text),
    sa.Column("direction_deg", sa.Text),
    sa.Column("camera_type", sa.Text),
    sa.Column("mount", sa.Text),
    sa.Column("source", sa.Text),
    sa.Column("latitude", sa.Float, nullable=False),
    sa.Column("longitude", sa.Float, nullable=False),
    sa.Column("fov_deg", sa.Float),
    sa.Column("range_m", sa.Float),
    sa.Column("camera_count", sa.Integer, nullable=False),
    sa.Column("retention_days", sa.Integer),
    # dates: ISO text YYYY-MM-DD in SQLite (as schema 1 stored them), DATE in PG
    sa.Column("registered_at", sa.Date, nullable=False),
    sa.Column("verified_at", sa.Date),
    sa.Column("withdrawn_at", sa.Date),
    sa.Column("updated_at", sa.Text, nullable=False),
)

# PostgreSQL only: the point as PostGIS geometry, kept equal to longitude/latitude
# by a trigger (migration 0002), so GIS tools reading the table get real points.
CAMERA_GEOMETRY = sa.Column(
    "geom", Geometry("POINT", srid=4326, spatial_index=False), nullable=True
)

audit_log = sa.Table(
    "audit_log",
    metadata,
    sa.Column("event_id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("recorded_at", sa.Text, nullable=False),
    sa.Column("action", sa.Text, nullable=False),
    sa.Column("camera_id", sa.Text),
    sa.Column("changes", sa.Text),
    sa.Column("import_id", sa.Integer),
    sa.Column("source", sa.Text),
    # `user` is reserved in PostgreSQL, hence user_name; frames call it `user`
    sa.Column("user_name", sa.Text, nullable=False),
    sa.Column("reason", sa.Text, nullable=False),
    sa.Column("details", sa.Text),
)

schema_info = sa.Table(
    "schema_info",
    metadata,
    sa.Column("key", sa.Text, primary_key=True),
    sa.Column("value", sa.Text, nullable=False),
)


def is_url(target: str | os.PathLike[str]) -> bool:
    """True for a PostgreSQL URL, False for a file path."""
    return str(target).strip().lower().startswith(URL_PREFIXES)


def store_url(target: str | os.PathLike[str]) -> URL:
    """SQLAlchemy URL for a file path or a ``postgresql://`` URL.

    PostgreSQL URLs get the psycopg 3 driver; ``postgres://`` is accepted as
    an alias (Heroku-style URLs).
    """
    text = str(target).strip()
    if is_url(text):
        url = make_url(text.replace("postgres://", "postgresql://", 1))
        return url.set(drivername="postgresql+psycopg")
    return URL.create("sqlite", database=str(Path(text).expanduser().resolve()))


def describe(target: str | os.PathLike[str]) -> str:
    """The store's location for messages: the path, or the URL without password."""
    if is_url(target):
        url = store_url(target).set(drivername="postgresql")
        return url.render_as_string(hide_password=True)
    return str(Path(str(target).strip()).expanduser())


_ENGINES: dict[tuple[str, int], Engine] = {}
_ENGINES_LOCK = threading.Lock()


def engine_for(target: str | os.PathLike[str]) -> Engine:
    """A shared engine per store and process (connection pool included).

    SQLite connections wait up to ``BUSY_TIMEOUT_S`` for the write lock and
    begin write transactions with ``BEGIN IMMEDIATE`` (see :func:`write`).
    """
    url = store_url(target)
    key = (url.render_as_string(hide_password=False), os.getpid())
    with _ENGINES_LOCK:
        engine = _ENGINES.get(key)
        if engine is None:
            engine = _create_engine(url)
            _ENGINES[key] = engine
    return engine


def _create_engine(url: URL) -> Engine:
    if url.get_backend_name() == "sqlite":
        engine = sa.create_engine(
            url, connect_args={"timeout": BUSY_TIMEOUT_S, "isolation_level": None}
        )

        @sa.event.listens_for(engine, "connect")
        def _connect(dbapi_connection: Any, _record: Any) -> None:
            # pysqlite's own transaction handling off: SQLAlchemy's "begin"
            # event below issues BEGIN / BEGIN IMMEDIATE itself
            dbapi_connection.isolation_level = None
            dbapi_connection.execute("PRAGMA foreign_keys = ON")

        @sa.event.listens_for(engine, "begin")
        def _begin(conn: Connection) -> None:
            immediate = conn.get_execution_options().get("camreg_write", False)
            conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

        return engine
    return sa.create_engine(
        url,
        pool_pre_ping=True,
        pool_size=5,
        max_overflow=10,
        connect_args={"connect_timeout": 10, "application_name": "camreg"},
    )


def dispose_engines() -> None:
    """Close every pooled connection of this process (tests, shutdown)."""
    with _ENGINES_LOCK:
        for engine in _ENGINES.values():
            engine.dispose()
        _ENGINES.clear()


@contextmanager
def write(engine: Engine) -> Iterator[Connection]:
    """One write transaction that holds the store's write lock from the start.

    Commits on success, rolls back on any exception (including
    KeyboardInterrupt). Writers on either engine run one after the other, so
    ids assigned as ``MAX + 1`` inside the transaction never collide.
    """
    with engine.connect() as conn:
        conn.execution_options(camreg_write=True)
        with conn.begin():
            if conn.dialect.name == "postgresql":
                conn.execute(sa.select(sa.func.pg_advisory_xact_lock(WRITE_LOCK_KEY)))
            yield conn


@contextmanager
def read(engine: Engine) -> Iterator[Connection]:
    """One read-only transaction: a consistent snapshot of the store."""
    with engine.connect() as conn, conn.begin():
        yield conn
