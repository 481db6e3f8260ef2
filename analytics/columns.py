"""Column aliases: which file column feeds which canonical column.

Headers are compared after :func:`normalise_name` (lower case, runs of
punctuation and spaces -> ``_``), so ``LATITUDE``, ``Latitude``, ``GO-LIVE DATE``,
``GO LIVE DATE``, ``Location 1``, ``Location.1``, ``camera:direction`` and
``@lat`` all find their canonical column. The first alias present wins.

>>> normalise_name("GO-LIVE DATE"), normalise_name("camera:direction")
('go_live_date', 'camera_direction')
"""

from __future__ import annotations

import re

_NON_WORD = re.compile(r"[^0-9a-z]+")

LATITUDE = ("latitude", "lat", "lat_dd", "point_y", "y_coord", "ycoord", "y")
LONGITUDE = (
    "longitude",
    "lon",
    "lng",
    "long",
    "lon_dd",
    "point_x",
    "x_coord",
    "xcoord",
    "x",
)
# Names of projected X/Y columns (state plane feet, metres) as well as degrees.
Y_NAMES = ("y", "point_y", "y_coord", "ycoord")
X_NAMES = ("x", "point_x", "x_coord", "xcoord")
# Columns that may hold "(lat, lon)" text (possibly after address lines) or WKT.
LOCATION_TEXT = (
    "location_1",
    "location",
    "geocoded_location",
    "geolocation",
    "the_geom",
    "wkt",
    "geom",
    "point",
    "coordinates",
    "lat_lon",
    "latlon",
    "geometry",
)

CAMERA_ALIASES: dict[str, tuple[str, ...]] = {
    "camera_id": (
        "camera_id",
        "cameraid",
        "cam_id",
        "camera_number",
        "camera_no",
        "registration_id",
        "id",
        "osm_id",
        "objectid",
        "fid",
    ),
    "tier": (
        "tier",
        "option",
        "registration_option",
        "program_option",
        "registration_type",
        "access",
        "access_level",
        "participation",
    ),
    "owner_type": (
        "owner_type",
        "ownertype",
        "owner_category",
        "type_of_owner",
        "property_type",
        "premise_type",
        "site_type",
        "location_type",
    ),
    "camera_count": (
        "camera_count",
        "cameras",
        "num_cameras",
        "number_of_cameras",
        "n_cameras",
        "count",
        "quantity",
        "qty",
    ),
    "registered_at": (
        "registered_at",
        "registration_date",
        "date_registered",
        "registered",
        "registered_on",
        "created_at",
        "created",
        "go_live_date",
        "golive_date",
        "go_live",
        "install_date",
        "installed",
        "start_date",
        "date",
    ),
    "status": ("status", "registration_status", "camera_status"),
    "address": (
        "address",
        "street_address",
        "site_address",
        "full_address",
        "location_address",
        "addr",
    ),
    "owner_name": (
        "owner_name",
        "owner",
        "business_name",
        "operator",
        "contact_name",
    ),
    "contact_phone": ("contact_phone", "phone", "phone_number", "telephone"),
    "contact_email": ("contact_email", "email", "e_mail", "email_address"),
    "direction_deg": (
        "direction_deg",
        "direction",
        "camera_direction",
        "view_direction",
        "bearing",
        "heading",
        "azimuth",
    ),
    "fov_deg": ("fov_deg", "fov", "field_of_view", "camera_angle", "angle"),
    "range_m": ("range_m", "range", "view_range_m", "camera_range_m"),
    "camera_type": ("camera_type", "cam_type", "surveillance_type", "type"),
    "mount": ("mount", "camera_mount", "mounting"),
    "verified_at": ("verified_at", "verified", "verification_date", "last_verified"),
    "retention_days": ("retention_days", "retention", "days_retained"),
    "withdrawn_at": (
        "withdrawn_at",
        "withdrawn_on",
        "withdrawal_date",
        "date_withdrawn",
    ),
    "source": ("source",),
}

INCIDENT_ALIASES: dict[str, tuple[str, ...]] = {
    "incident_id": (
        "incident_id",
        "incident_number",
        "incident_no",
        "incident_num",
        "case_number",
        "case_no",
        "report_number",
        "report_no",
        "dr_no",  # Los Angeles: division of records number
        "id",
        "objectid",
    ),
    "occurred_at": (
        "occurred_at",
        "incident_date",
        "occurred",
        "occurred_date",
        "date_occurred",
        "occurred_on",
        "offense_date",
        "date_occ",  # Los Angeles: DATE OCC (its time in TIME OCC)
        "date_of_occurrence",
        "incident_datetime",
        "datetime",
        "date_time",
        "report_date",
        "reported_date",
        "date",
    ),
    # time of day when the export gives it apart from the date
    "occurred_time": (
        "occurred_time",
        "time_occurred",
        "time_occ",
        "incident_time",
        "offense_time",
        "occurrence_time",
        "time_of_occurrence",
        "time",
    ),
    "offense_code": (
        "offense_code",
        "nibrs_code",
        "offense_cd",
        "ucr_code",
        "nibrs_offense_code",
        "code",
    ),
    "offense": (
        "offense",
        "offense_description",
        "offense_desc",
        "description",
        "nibrs_description",
        "crime_type",
        "offense_type",
        "crm_cd_desc",  # Los Angeles: Crm Cd Desc
    ),
    "category": ("category", "offense_category", "crime_category"),
    "district": (
        "district",
        "location_district",
        "police_district",
        "patrol_district",
        "beat",
        "zone",
    ),
    "address": (
        "incident_location",
        "location_address",
        "address",
        "block_address",
        "street_address",
    ),
}

# OpenStreetMap tags (normalised) that mark a file as an OSM export.
OSM_MARKERS = ("man_made", "surveillance", "surveillance_type", "surveillance_zone")


def normalise_name(name: object) -> str:
    """Header compared case- and punctuation-insensitively (``@id`` -> ``id``)."""
    text = str(name).replace("\ufeff", "").strip().lower()
    return _NON_WORD.sub("_", text).strip("_")


def match_columns(
    columns: list[str], aliases: dict[str, tuple[str, ...]]
) -> dict[str, str]:
    """Canonical name -> file column, first alias present wins.

    A file column feeds at most one canonical column.

    >>> match_columns(["LAT", "Lon", "Camera ID"], {"camera_id": ("camera_id",)})
    {'camera_id': 'Camera ID'}
    """
    by_norm: dict[str, str] = {}
    for col in columns:
        by_norm.setdefault(normalise_name(col), col)
    used: set[str] = set()
    out: dict[str, str] = {}
    for canonical, names in aliases.items():
        for alias in names:
            found = by_norm.get(alias)
            if found is not None and found not in used:
                out[canonical] = found
                used.add(found)
                break
    for canonical, col in _truncated_matches(by_norm, aliases, out, used).items():
        out[canonical] = col
    return out


# Shapefile attribute names are cut to 10 characters (dBASE): INCIDENT_DATE
# arrives as INCIDENT_D, OFFENSE_DESCRIPTION as OFFENSE_DE, INSTALL_DATE as
# INSTALL_DA. Such a name feeds a canonical column only when it is the start of
# that column's aliases and of no other canonical column's (REGISTRATI could be
# a registration date, id, type or status: left alone).
DBF_NAME_LENGTH = 10


def _truncated_matches(
    by_norm: dict[str, str],
    aliases: dict[str, tuple[str, ...]],
    found: dict[str, str],
    used: set[str],
) -> dict[str, str]:
    out: dict[str, str] = {}
    for norm, col in by_norm.items():
        if col in used or len(norm) != DBF_NAME_LENGTH:
            continue
        owners = {
            canonical
            for canonical, names in aliases.items()
            if any(a.startswith(norm) and a != norm for a in names)
        }
        if len(owners) == 1:
            (canonical,) = owners
            if canonical not in found and canonical not in out:
                out[canonical] = col
    return out


def find_column(columns: list[str], names: tuple[str, ...]) -> str | None:
    """First file column whose normalised name is in ``names`` (in that order)."""
    by_norm: dict[str, str] = {}
    for col in columns:
        by_norm.setdefault(normalise_name(col), col)
    for alias in names:
        if alias in by_norm:
            return by_norm[alias]
    return None


def find_columns(columns: list[str], names: tuple[str, ...]) -> list[str]:
    """All file columns whose normalised name is in ``names``, in alias order."""
    by_norm: dict[str, list[str]] = {}
    for col in columns:
        by_norm.setdefault(normalise_name(col), []).append(col)
    return [c for alias in names for c in by_norm.get(alias, [])]
