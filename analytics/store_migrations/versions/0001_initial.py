"""Schema 1: cameras, the append-only audit log, schema_info.

The schema the SQLite store had before migrations existed. A store made then
(``schema_info.version = 1``, no ``alembic_version`` table) is stamped with this
revision when it is first opened, and upgraded from here.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

TEXT = (
    "address",
    "owner_name",
    "contact_phone",
    "contact_email",
    "direction_deg",
    "camera_type",
    "mount",
    "source",
)

# PostgreSQL: the audit log is append-only in the database, like SQLite's triggers
PG_APPEND_ONLY = """
CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_log is append-only';
END $$;
CREATE TRIGGER audit_log_no_update BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();
"""
SQLITE_APPEND_ONLY = (
    """CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END""",
    """CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END""",
)


def upgrade() -> None:
    op.create_table(
        "schema_info",
        sa.Column("key", sa.Text, primary_key=True),
        sa.Column("value", sa.Text, nullable=False),
    )
    op.create_table(
        "cameras",
        sa.Column("camera_id", sa.Text, primary_key=True),
        sa.Column("tier", sa.Text, nullable=False),
        sa.Column("owner_type", sa.Text, nullable=False),
        sa.Column("status", sa.Text, nullable=False),
        *(sa.Column(name, sa.Text) for name in TEXT),
        sa.Column("latitude", sa.Float, nullable=False),
        sa.Column("longitude", sa.Float, nullable=False),
        sa.Column("fov_deg", sa.Float),
        sa.Column("range_m", sa.Float),
        sa.Column("camera_count", sa.Integer, nullable=False),
        sa.Column("retention_days", sa.Integer),
        sa.Column("registered_at", sa.Date, nullable=False),
        sa.Column("verified_at", sa.Date),
        sa.Column("updated_at", sa.Text, nullable=False),
    )
    op.create_table(
        "audit_log",
        sa.Column("event_id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("recorded_at", sa.Text, nullable=False),
        sa.Column("action", sa.Text, nullable=False),
        sa.Column("camera_id", sa.Text),
        sa.Column("changes", sa.Text),
        sa.Column("import_id", sa.Integer),
        sa.Column("source", sa.Text),
        sa.Column("user_name", sa.Text, nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("details", sa.Text),
    )
    op.create_index("audit_log_camera", "audit_log", ["camera_id"])
    op.create_index("audit_log_action", "audit_log", ["action"])
    if op.get_bind().dialect.name == "postgresql":
        op.execute(PG_APPEND_ONLY)
    else:
        for statement in SQLITE_APPEND_ONLY:
            op.execute(statement)
    op.execute("INSERT INTO schema_info (key, value) VALUES ('version', '1')")
