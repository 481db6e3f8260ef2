"""Data contracts: canonical column names and allowed values.

Every loader produces these columns; every analytic consumes them. Frames are
GeoDataFrames in WGS84 (EPSG:4326) with point geometry and ``latitude`` /
``longitude`` columns kept in step with it.
"""

from __future__ import annotations

WGS84 = "EPSG:4326"

# --- Camera registry -------------------------------------------------------------
TIERS = ("registered", "integrated")  # location only / live access via a device
OWNER_TYPES = ("residential", "business", "institutional", "public")
STATUSES = ("active", "withdrawn")

CAMERA_REQUIRED = (
    "camera_id",
    "latitude",
    "longitude",
    "tier",
    "owner_type",
    "camera_count",
    "registered_at",
    "status",
)
CAMERA_OPTIONAL = (
    "address",
    "owner_name",
    "contact_phone",
    "contact_email",
    "direction_deg",  # text as given: "90", "NE", "90-270"
    "fov_deg",
    "range_m",
    "camera_type",
    "mount",
    "verified_at",
    "retention_days",
    "withdrawn_at",  # filled from the registry's audit log where known
    "source",
)
CAMERA_COLUMNS = CAMERA_REQUIRED + CAMERA_OPTIONAL

# Fields that identify or contact an owner: never in a public or staff output.
CONTACT_COLUMNS = ("owner_name", "contact_phone", "contact_email")
# Fields that locate a private camera exactly.
LOCATION_COLUMNS = ("latitude", "longitude", "address", "geometry")

# --- Crime incidents ---------------------------------------------------------------
CATEGORIES = ("violent", "property", "other")
INCIDENT_COLUMNS = (
    "incident_id",
    "occurred_at",
    "offense_code",
    "offense",
    "category",
    "latitude",
    "longitude",
    "district",
    "rows",  # file rows folded into this one: victims (or offences) of the incident
)

# --- Boundaries --------------------------------------------------------------------
WARD_COLUMNS = ("ward_id", "ward_name")  # plus polygon geometry

SYNTHETIC_LABEL = "Synthetic demo data"
# Column the demo writes into its files (value "synthetic") so the label survives a
# round trip through files; loaders look for it.
SYNTHETIC_COLUMN = "data_origin"
SYNTHETIC_VALUE = "synthetic"

# Said on every page, in `forecast` and in the briefing when a registry has no
# registration dates (a city camera list): its cameras are stock of unknown date.
UNDATED_REGISTRY_NOTE = (
    "The registry gives no registration dates, so its cameras are a stock of unknown "
    'date: no pace, no forecast and no "added in the last 30 days" can be shown.'
)
