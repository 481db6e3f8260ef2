"""Is this row a camera the registry already knows? Matching ids, places and owners.

A withdrawal must survive a re-import: a file that spells a withdrawn camera's id
``cam-0042`` instead of ``CAM-42``, or that gives the same home a new id, must not
bring the camera back. These pure functions decide what counts as "the same
camera"; :mod:`analytics.store` calls them on import.

>>> normalise_id(" cam-0042 ")
'CAM42'
>>> normalise_id("0007")
'7'
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

# Two registrations this close (metres) with the same owner are one place.
SAME_PLACE_M = 15.0
_SEPARATORS = re.compile(r"[\s\-_./]+")
_NUMBER = re.compile(r"\d+")
_NON_WORD = re.compile(r"[^\w]+")
_EARTH_M = 6_371_008.8


def normalise_id(value: Any) -> str:
    """Camera id compared ignoring case, separators and leading zeros.

    Upper-cased; spaces, hyphens, underscores, dots and slashes removed; every
    run of digits stripped of its leading zeros (``"cam-007"``, ``"CAM 7"`` and
    ``"CAM7"`` are the same id; ``"0"`` stays ``"0"``).
    """
    text = _SEPARATORS.sub("", str(value if value is not None else "")).upper()
    return _NUMBER.sub(lambda m: m.group(0).lstrip("0") or "0", text)


def owner_key(record: Mapping[str, Any]) -> str:
    """Who owns a registration: e-mail, else phone digits, else name ("" unknown)."""
    email = _text(record.get("contact_email")).casefold()
    if email:
        return f"e:{email}"
    phone = re.sub(r"\D", "", _text(record.get("contact_phone")))
    if len(phone) > 10 and phone.startswith("1"):
        phone = phone[1:]  # +1 country code
    if phone:
        return f"p:{phone}"
    name = " ".join(
        _NON_WORD.sub(" ", _text(record.get("owner_name"))).casefold().split()
    )
    return f"n:{name}" if name else ""


def address_key(value: Any) -> str:
    """Address compared ignoring case, punctuation and extra spaces."""
    return " ".join(_NON_WORD.sub(" ", _text(value)).casefold().split())


@dataclass(frozen=True)
class Match:
    """A known camera an incoming row was matched to, and how."""

    camera_id: str
    how: str  # "id" or "place and owner"


class CameraMatcher:
    """Finds the known camera an incoming row is, by id or by place and owner.

    Parameters
    ----------
    known
        Records (mappings with ``camera_id`` and, for place matching,
        ``latitude``, ``longitude``, ``address``, ``owner_type`` and the owner
        fields) of the cameras to match against, e.g. the withdrawn ones.

    A row matches a known camera when their normalised ids are equal, or when
    they have the same owner (:func:`owner_key`, not empty) at the same place:
    the same normalised address or points within ``SAME_PLACE_M`` metres.

    >>> m = CameraMatcher([{"camera_id": "CAM-7", "latitude": 34.7,
    ...                     "longitude": -92.3, "contact_email": "A@x.org"}])
    >>> m.find({"camera_id": "cam-007"})
    Match(camera_id='CAM-7', how='id')
    >>> m.find({"camera_id": "NEW-1", "latitude": 34.70001, "longitude": -92.3,
    ...         "contact_email": "a@x.org"})
    Match(camera_id='CAM-7', how='place and owner')
    """

    def __init__(self, known: Iterable[Mapping[str, Any]]) -> None:
        self._by_id: dict[str, str] = {}
        self._by_owner: dict[str, list[tuple[str, str, float, float]]] = {}
        for rec in known:
            cid = str(rec["camera_id"])
            self._by_id.setdefault(normalise_id(cid), cid)
            key = owner_key(rec)
            if key:
                self._by_owner.setdefault(key, []).append(
                    (cid, address_key(rec.get("address")), *_latlon(rec))
                )

    def __len__(self) -> int:
        return len(self._by_id)

    def find(self, record: Mapping[str, Any]) -> Match | None:
        """The known camera ``record`` is, or None."""
        cid = self._by_id.get(normalise_id(record.get("camera_id")))
        if cid is not None:
            return Match(cid, "id")
        key = owner_key(record)
        if not key:
            return None
        address = address_key(record.get("address"))
        lat, lon = _latlon(record)
        for known_id, known_address, klat, klon in self._by_owner.get(key, ()):
            if address and address == known_address:
                return Match(known_id, "place and owner")
            if distance_m(lat, lon, klat, klon) <= SAME_PLACE_M:
                return Match(known_id, "place and owner")
        return None


def distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in metres (inf when a coordinate is missing)."""
    if not all(math.isfinite(v) for v in (lat1, lon1, lat2, lon2)):
        return math.inf
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * _EARTH_M * math.asin(min(1.0, math.sqrt(a)))


def _latlon(record: Mapping[str, Any]) -> tuple[float, float]:
    out: list[float] = []
    for name in ("latitude", "longitude"):
        try:
            out.append(float(record.get(name)))  # type: ignore[arg-type]
        except (TypeError, ValueError):
            out.append(math.nan)
    return out[0], out[1]


def _text(value: Any) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    text = str(value).strip()
    return "" if text.lower() in ("nan", "none", "<na>") else text
