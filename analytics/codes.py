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

# --- NIBRS offences ------------------------------------------------------------------
# FBI NIBRS offence codes: code -> (name, crime against). "Crime against" is the
# NIBRS grouping: persons, property or society (shared/REFERENCE.md).
NIBRS_OFFENSES: dict[str, tuple[str, str]] = {
    "09A": ("murder and nonnegligent manslaughter", "persons"),
    "09B": ("negligent manslaughter", "persons"),
    "09C": ("justifiable homicide", "persons"),
    "100": ("kidnapping/abduction", "persons"),
    "11A": ("rape", "persons"),
    "11B": ("sodomy", "persons"),
    "11C": ("sexual assault with an object", "persons"),
    "11D": ("fondling", "persons"),
    "13A": ("aggravated assault", "persons"),
    "13B": ("simple assault", "persons"),
    "13C": ("intimidation", "persons"),
    "36A": ("incest", "persons"),
    "36B": ("statutory rape", "persons"),
    "64A": ("human trafficking, commercial sex acts", "persons"),
    "64B": ("human trafficking, involuntary servitude", "persons"),
    "120": ("robbery", "property"),
    "200": ("arson", "property"),
    "210": ("extortion/blackmail", "property"),
    "220": ("burglary/breaking and entering", "property"),
    "23A": ("pocket-picking", "property"),
    "23B": ("purse-snatching", "property"),
    "23C": ("shoplifting", "property"),
    "23D": ("theft from building", "property"),
    "23E": ("theft from coin-operated machine", "property"),
    "23F": ("theft from motor vehicle", "property"),
    "23G": ("theft of motor vehicle parts", "property"),
    "23H": ("all other larceny", "property"),
    "240": ("motor vehicle theft", "property"),
    "250": ("counterfeiting/forgery", "property"),
    "26A": ("false pretenses/swindle/confidence game", "property"),
    "26B": ("credit card/automated teller machine fraud", "property"),
    "26C": ("impersonation", "property"),
    "26D": ("welfare fraud", "property"),
    "26E": ("wire fraud", "property"),
    "26F": ("identity theft", "property"),
    "26G": ("hacking/computer invasion", "property"),
    "26H": ("money laundering", "property"),
    "270": ("embezzlement", "property"),
    "280": ("stolen property offenses", "property"),
    "290": ("destruction/damage/vandalism of property", "property"),
    "510": ("bribery", "property"),
    "35A": ("drug/narcotic violations", "society"),
    "35B": ("drug equipment violations", "society"),
    "39A": ("betting/wagering", "society"),
    "39B": ("operating/promoting/assisting gambling", "society"),
    "39C": ("gambling equipment violations", "society"),
    "39D": ("sports tampering", "society"),
    "370": ("pornography/obscene material", "society"),
    "40A": ("prostitution", "society"),
    "40B": ("assisting or promoting prostitution", "society"),
    "40C": ("purchasing prostitution", "society"),
    "520": ("weapon law violations", "society"),
    "720": ("animal cruelty", "society"),
}

# Offence descriptions (as exports without codes spell them) -> NIBRS code. Checked
# in order on the description lower-cased with punctuation turned into spaces and
# "&" into "and"; the first pattern found anywhere in the text wins, so the more
# specific wording comes first ("theft from motor vehicle" before "motor vehicle
# theft" before "theft").
OFFENSE_PATTERNS: tuple[tuple[str, str], ...] = (
    (r"\bnegligent manslaughter\b", "09B"),  # \b: not inside "nonnegligent"
    (
        r"\b(?:murder|homicide|nonnegligent manslaughter|non negligent manslaughter)\b",
        "09A",
    ),
    (r"\bjustifiable homicide\b", "09C"),
    (r"\bmanslaughter\b", "09A"),
    (r"\bstatutory rape\b", "36B"),
    (r"\brape\b", "11A"),
    (r"\bsodomy\b", "11B"),
    (r"\bsexual assault with an object\b", "11C"),
    (r"\bfondling\b|\bforcible fondling\b", "11D"),
    (r"\bincest\b", "36A"),
    (r"\bhuman trafficking\b.*\bservitude\b", "64B"),
    (r"\bhuman trafficking\b", "64A"),
    (r"\b(?:kidnapping|kidnap|abduction)\b", "100"),
    (r"\brobbery\b", "120"),
    (r"\b(?:aggravated|agg|aggr)\s+(?:assault|aslt|battery)\b", "13A"),
    (r"\bsimple (?:assault|aslt)\b|\bbattery\b", "13B"),
    (
        r"\b(?:intimidation|terroristic threatening|harassment)\b|"
        r"\bcriminal threats?\b",
        "13C",
    ),
    (r"\bassault\b", "13B"),
    (r"\barson\b", "200"),
    (r"\b(?:extortion|blackmail)\b", "210"),
    # "BURGLARY FROM VEHICLE" (Los Angeles) is a theft from a motor vehicle in NIBRS
    (r"\bburglary from (?:a )?(?:motor )?(?:vehicle|auto|car)\b", "23F"),
    (r"\b(?:burglary|breaking and entering|b and e|breaking entering)\b", "220"),
    (r"\bpocket\s*picking\b|\bpickpocket", "23A"),
    (r"\bpurse\s*snatching\b", "23B"),
    (r"\bshoplifting\b", "23C"),
    (r"\btheft from (?:a )?building\b", "23D"),
    (r"\bcoin operated\b", "23E"),
    (
        r"\b(?:theft|larceny|breaking) from (?:a )?(?:motor )?(?:vehicle|auto|car)\b|"
        r"\bvehicle (?:break in|burglary)\b|\bbmv\b",
        "23F",
    ),
    (r"\b(?:theft of )?(?:motor )?vehicle parts\b|\bparts accessories\b", "23G"),
    (
        r"\b(?:motor vehicle|auto|vehicle|car) theft\b|\bstolen (?:motor )?vehicle\b|"
        r"\btheft of (?:a )?(?:motor )?vehicle\b|\bvehicle stolen\b|\bmvt\b",
        "240",
    ),
    (r"\b(?:counterfeiting|forgery)\b", "250"),
    (r"\bidentity theft\b|\btheft of identity\b", "26F"),
    (r"\bwire fraud\b", "26E"),
    (r"\bwelfare fraud\b", "26D"),
    (r"\bimpersonation\b", "26C"),
    (r"\b(?:credit card|atm)\b.*\bfraud\b", "26B"),
    (r"\bhacking\b|\bcomputer invasion\b", "26G"),
    (r"\bmoney laundering\b", "26H"),
    (r"\b(?:fraud|false pretenses|swindle|confidence game)\b", "26A"),
    (r"\bembezzlement\b", "270"),
    (r"\bstolen property\b", "280"),
    (
        r"\b(?:vandalism|destruction|damage to property|criminal mischief|"
        r"criminal damage|graffiti)\b",
        "290",
    ),
    (r"\bbribery\b", "510"),
    (r"\b(?:larceny|theft)\b|\b(?:bike|bicycle) stolen\b", "23H"),
    (r"\bdrug equipment\b|\bparaphernalia\b", "35B"),
    (
        r"\b(?:drug|drugs|narcotic|narcotics|controlled substance|marijuana|cocaine)\b",
        "35A",
    ),
    (r"\b(?:gambling|betting|wagering)\b", "39B"),
    (r"\b(?:pornography|obscene)\b", "370"),
    (r"\bpurchasing prostitution\b", "40C"),
    (r"\b(?:promoting|assisting) prostitution\b|\bpandering\b", "40B"),
    (r"\bprostitution\b", "40A"),
    (
        r"\bweapon(?:s)? law\b|\bweapon(?:s)? violation|\bcarrying (?:a )?weapon\b|"
        r"\bunlawful (?:possession|carrying) of (?:a )?(?:firearm|weapon)\b",
        "520",
    ),
    (r"\banimal cruelty\b|\bcruelty to animals\b", "720"),
)


def normalise_offense(text: str) -> str:
    """Offence description as matched: lower case, ``&`` -> ``and``, punctuation
    -> spaces (``"BURGLARY/B & E"`` -> ``"burglary b and e"``)."""
    lowered = str(text).lower().replace("&", " and ")
    return re.sub(r"[^0-9a-z]+", " ", lowered).strip()


_OFFENSE_RES = tuple((re.compile(p), code) for p, code in OFFENSE_PATTERNS)


def code_for_description(text: str | None) -> str | None:
    """NIBRS code of an offence description, or None when it is not recognised.

    >>> code_for_description("MURDER & NONNEGLIGENT MANSLAUGHTER")
    '09A'
    >>> code_for_description("Burglary/B & E"), code_for_description("VANDALISM")
    ('220', '290')
    """
    if text is None:
        return None
    norm = normalise_offense(text)
    if not norm:
        return None
    for pattern, code in _OFFENSE_RES:
        if pattern.search(norm):
            return code
    return None


def crime_against(code: str | None) -> str | None:
    """NIBRS grouping of a code: ``persons``, ``property``, ``society`` or None."""
    if code is None:
        return None
    entry = NIBRS_OFFENSES.get(str(code).strip().upper())
    return entry[1] if entry else None
