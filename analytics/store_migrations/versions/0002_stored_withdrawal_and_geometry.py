"""Schema 2: ``withdrawn_at`` stored with the camera; PostGIS points.

* ``cameras.withdrawn_at``: schema 1 worked it out on every read by scanning the
  audit log's JSON. It is now a column that the same transaction that writes the
  audit row keeps in step; this migration fills it, once, from the audit log.
* an index on ``cameras.status`` (the dashboard reads active cameras).
* PostgreSQL: ``cameras.geom geometry(Point, 4326)`` under a GiST index, set from
  longitude/latitude by a trigger on every insert and update, so GIS tools and
  spatial queries see the same points as the dashboard.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import json
from datetime import date

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

PG_GEOMETRY = """
ALTER TABLE cameras ADD COLUMN geom geometry(Point, 4326);
CREATE FUNCTION cameras_set_geom() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.geom := ST_SetSRID(ST_MakePoint(NEW.longitude, NEW.latitude), 4326);
    RETURN NEW;
END $$;
CREATE TRIGGER cameras_geom BEFORE INSERT OR UPDATE OF longitude, latitude
    ON cameras FOR EACH ROW EXECUTE FUNCTION cameras_set_geom();
UPDATE cameras SET geom = ST_SetSRID(ST_MakePoint(longitude, latitude), 4326);
CREATE INDEX cameras_geom_gist ON cameras USING gist (geom);
"""


def upgrade() -> None:
    bind = op.get_bind()
    op.add_column("cameras", sa.Column("withdrawn_at", sa.Date))
    op.create_index("cameras_status", "cameras", ["status"])
    op.create_index("audit_log_import", "audit_log", ["import_id"])
    # the last scan of the audit JSON: latest withdrawn_at set per camera
    withdrawn: dict[str, str] = {}
    rows = bind.execute(
        sa.text(
            "SELECT camera_id, changes FROM audit_log WHERE camera_id IS NOT NULL "
            "AND changes LIKE '%\"withdrawn_at\"%' ORDER BY event_id"
        )
    )
    for camera_id, changes in rows:
        new = json.loads(changes).get("withdrawn_at", {}).get("new")
        if new:
            withdrawn[camera_id] = new
        else:
            withdrawn.pop(camera_id, None)
    cameras = sa.table(
        "cameras",
        sa.column("camera_id", sa.Text),
        sa.column("status", sa.Text),
        sa.column("withdrawn_at", sa.Date),
    )
    for camera_id, on in withdrawn.items():
        bind.execute(
            cameras.update()
            .where(cameras.c.camera_id == camera_id, cameras.c.status == "withdrawn")
            .values(withdrawn_at=date.fromisoformat(on[:10]))
        )
    if bind.dialect.name == "postgresql":
        has_postgis = bind.execute(
            sa.text("SELECT 1 FROM pg_extension WHERE extname = 'postgis'")
        ).first()
        if not has_postgis:
            bind.execute(sa.text("CREATE EXTENSION IF NOT EXISTS postgis"))
        op.execute(PG_GEOMETRY)
    op.execute("UPDATE schema_info SET value = '2' WHERE key = 'version'")
