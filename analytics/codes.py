"""Coded values: the words cities use for tier, owner type and status.

Keys are compared after :func:`analytics.validation.normalise_code` (lower case,
punctuation -> spaces), so ``"Option #1"``, ``"option-1"`` and ``"OPTION 1"`` all
match ``"option 1"``.
"""

from __future__ import annotations

import re

TIER_ALIASES: dict[str, str] = {
    **dict.fromkeys(
        (
            "registered",
            "register",
            "registration",
            "registry",
            "option 1",
            "option1",
            "opt 1",
            "1",
            "location only",
            "location",
            "registration only",
            "register only",
            "basic",
            "on request",
            "footage on request",
            "request",
            "passive",
        ),
        "registered",
    ),
    **dict.fromkeys(
        (
            "integrated",
            "integrate",
            "integration",
            "option 2",
            "option2",
            "opt 2",
            "2",
            "live",
            "live access",
            "live feed",
            "live view",
            "fusus",
            "fusus device",
            "fususone",
            "fusus core",
            "connected",
            "real time",
            "realtime",
            "rtcc",
        ),
        "integrated",
    ),
}

OWNER_ALIASES: dict[str, str] = {
    **dict.fromkeys(
        (
            "residential",
            "residence",
            "resident",
            "home",
            "house",
            "homeowner",
            "household",
            "private residence",
            "private home",
            "individual",
            "personal",
            "apartment",
            "apartments",
        ),
        "residential",
    ),
    **dict.fromkeys(
        (
            "business",
            "businesses",
            "commercial",
            "company",
            "store",
            "shop",
            "retail",
            "restaurant",
            "bank",
            "office",
            "private business",
            "industrial",
            "corporate",
            "hotel",
        ),
        "business",
    ),
    **dict.fromkeys(
        (
            "institutional",
            "institution",
            "school",
            "church",
            "hospital",
            "university",
            "college",
            "nonprofit",
            "non profit",
            "place of worship",
            "religious",
            "clinic",
        ),
        "institutional",
    ),
    **dict.fromkeys(
        (
            "public",
            "city",
            "government",
            "gov",
            "municipal",
            "county",
            "state",
            "federal",
            "police",
            "lrpd",
            "city owned",
            "government owned",
            "public agency",
        ),
        "public",
    ),
}

STATUS_ALIASES: dict[str, str] = {
    **dict.fromkeys(
        ("active", "yes", "y", "true", "1", "current", "enabled", "registered"),
        "active",
    ),
    **dict.fromkeys(
        (
            "withdrawn",
            "withdrew",
            "inactive",
            "removed",
            "deleted",
            "opted out",
            "opt out",
            "cancelled",
            "canceled",
            "disabled",
            "no",
            "n",
            "false",
            "0",
        ),
        "withdrawn",
    ),
}

# OpenStreetMap `operator` text that says who owns a camera (checked in order).
OSM_OPERATOR_PUBLIC = re.compile(
    r"\b(?:city|county|police|sheriff|state|department of transportation|dot|ardot|"
    r"government|municipal|public works|metro|transit)\b",
    re.IGNORECASE,
)
OSM_OPERATOR_INSTITUTIONAL = re.compile(
    r"\b(?:school|university|college|academy|church|hospital|clinic|medical|library|"
    r"museum|ministry|ministries|temple|mosque|synagogue)\b",
    re.IGNORECASE,
)
# `surveillance:zone` values that mean a public-space camera.
OSM_PUBLIC_ZONES = ("town", "traffic", "street", "public")
# `surveillance:type` values that are cameras (others, e.g. guard, are not).
OSM_CAMERA_TYPES = ("camera", "alpr")
