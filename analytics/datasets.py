"""The data a run works on: configured real files, the registry store, or the demo.

>>> ds = load_dataset()            # nothing configured: the synthetic Little Rock
>>> ds.synthetic, ds.label
(True, 'Synthetic demo data')
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

import geopandas as gpd

from analytics import loaders, synthetic
from analytics.config import DATA_ENV, CityConfig, load_city
from analytics.schema import SYNTHETIC_LABEL, SYNTHETIC_VALUE, UNDATED_REGISTRY_NOTE


@dataclass(frozen=True)
class Dataset:
    """Cameras, incidents and boundaries, with where they came from.

    ``as_of`` is the data's "today": the demo's fixed date, or the newest
    registration or incident date in real data. ``load_fixes`` lists what the
    loaders fixed in the files (rows kept), one sentence each naming the file:
    pages show them under the data banner, the command line prints them as notes.
    """

    cameras: gpd.GeoDataFrame
    incidents: gpd.GeoDataFrame
    wards: gpd.GeoDataFrame | None
    city_limit: gpd.GeoDataFrame | None
    city: CityConfig
    label: str
    synthetic: bool
    as_of: date
    load_reports: dict[str, dict[str, Any]] = field(default_factory=dict)
    load_fixes: tuple[str, ...] = ()

    @property
    def registry_dated(self) -> bool:
        """True when the registry says when cameras were registered.

        A camera list without registration dates (common in open data) is stock
        of unknown date: no pace, no forecast, nothing "added in the last 30 days".
        """
        cams = self.cameras
        return bool(len(cams)) and bool(cams["registered_at"].notna().any())

    @property
    def now(self) -> datetime:
        """Timestamp at the end of ``as_of``, the reference for "last 30 days"."""
        return datetime.combine(self.as_of, datetime.max.time()).replace(microsecond=0)


def load_dataset(
    city: CityConfig | str | None = None,
    *,
    cameras: str | Path | None = None,
    incidents: str | Path | None = None,
    wards: str | Path | None = None,
    city_limit: str | Path | None = None,
    registry_db: str | Path | None = None,
    addresses: str | Path | None = None,
    demo_cameras: int | None = None,
    demo_incidents: int | None = None,
    seed: int | None = None,
) -> Dataset:
    """Load what is configured; fall back to the synthetic demo for the rest.

    Explicit arguments win over the city configuration and its environment
    variables (``CAMREG_CAMERAS`` ...). When neither cameras nor incidents are
    configured the whole dataset is the synthetic demo. Mixing real and synthetic
    parts is refused: a real registry measured against made-up crime would be
    presented as the city's.

    Raises
    ------
    analytics.loaders.LoadError
        A configured file cannot be used at all.
    ValueError
        Only one of cameras/incidents is real.
    """
    if not isinstance(city, CityConfig):
        city = load_city(city)
    cam_path = cameras or city.data_path("cameras")
    inc_path = incidents or city.data_path("incidents")
    db_path = registry_db or _configured_store(city)
    for key, given in (("cameras", cameras), ("incidents", incidents)):
        _check_exists(city, key, given)
    real_cams = bool(cam_path or db_path)
    if not real_cams and not inc_path:
        kwargs: dict[str, Any] = {}
        if demo_cameras is not None:
            kwargs["cameras"] = demo_cameras
        if demo_incidents is not None:
            kwargs["incidents"] = demo_incidents
        if seed is not None:
            kwargs["seed"] = seed
        demo = synthetic.generate_demo(city, **kwargs)
        return Dataset(
            demo.cameras,
            demo.incidents,
            demo.wards,
            demo.city_limit,
            city,
            SYNTHETIC_LABEL,
            True,
            demo.as_of,
        )
    if real_cams != bool(inc_path):
        missing = "incidents" if real_cams else "cameras"
        raise ValueError(
            f"real {('cameras' if real_cams else 'incidents')} are configured but no "
            f"{missing}: set CAMREG_{missing.upper()} (or [data].{missing} in the city "
            "file) so the figures are not computed against synthetic data"
        )
    return _load_real(
        city,
        cam_path,
        inc_path,
        db_path,
        wards or city.data_path("wards"),
        city_limit or city.data_path("city_limit"),
        addresses or city.data_path("addresses"),
    )


def _configured_store(city: CityConfig) -> str | Path | None:
    """The configured registry store (a path or a postgresql:// URL), or None."""
    from analytics.store import configured_store

    return configured_store(city)


def _check_exists(city: CityConfig, key: str, given: str | Path | None) -> None:
    """A configured file that does not exist, named with where it was set.

    Checked before the real/synthetic mix so ``CAMREG_CAMERAS=nope.csv`` says
    the camera file is missing rather than that incidents are not configured.
    """
    path = given or city.data_path(key)
    if not path or Path(path).exists():
        return
    if given:
        origin = "as given"
    elif os.environ.get(DATA_ENV[key], "").strip():
        origin = f"set by ${DATA_ENV[key]}"
    else:
        origin = f"set by [data].{key} in {city.source}"
    raise FileNotFoundError(f"{key} file {str(path)!r} ({origin}) does not exist")


def _load_real(
    city: CityConfig,
    cam_path: str | Path | None,
    inc_path: str | Path | None,
    db_path: str | Path | None,
    wards_path: str | Path | None,
    limit_path: str | Path | None,
    addresses_path: str | Path | None = None,
) -> Dataset:
    assert inc_path is not None  # load_dataset refuses real cameras alone
    reports: dict[str, dict[str, Any]] = {}
    fixes: list[str] = []
    if db_path and not cam_path:
        from analytics.store import RegistryStore

        store = RegistryStore(db_path)
        cams = store.cameras(include_withdrawn=True)
        reports["cameras"] = {
            "source": store.location,
            "rows_read": len(cams),
            "accepted": len(cams),
            "quarantined": 0,
            "reasons": {},
        }
        cam_label = (
            f"registry {store.url.rsplit('/', 1)[-1]} on PostgreSQL"
            if store.is_postgres
            else f"registry {Path(db_path).name}"
        )
        # the demo's registrations keep their "synthetic" source in the store
        synthetic = bool(len(cams)) and bool(
            (cams["source"].astype("str").str.lower() == SYNTHETIC_VALUE).any()
        )
    else:
        assert cam_path is not None  # no registry database: a camera file
        result = loaders.load_cameras(cam_path, city)
        cams = result.accepted
        reports["cameras"] = result.summary()
        fixes.extend(result.warnings)
        cam_label = Path(cam_path).name
        synthetic = result.synthetic
    inc = loaders.load_incidents(inc_path, city, addresses=addresses_path)
    reports["incidents"] = inc.summary()
    fixes.extend(inc.warnings)
    wards = loaders.load_boundaries(wards_path) if wards_path else None
    limit = loaders.load_boundaries(limit_path) if limit_path else None
    for frame in (wards, limit):
        if frame is not None:
            fixes.extend(frame.attrs.get("fixes", ()))
    synthetic = synthetic or inc.synthetic
    for frame in (wards, limit):
        synthetic = synthetic or bool(
            frame is not None and frame.attrs.get("synthetic")
        )
    dates = [
        d
        for d in (
            cams["registered_at"].max() if len(cams) else None,
            inc.accepted["occurred_at"].max().date() if len(inc.accepted) else None,
        )
        if d is not None and d == d
    ]
    as_of = max(dates) if dates else date.today()
    label = f"{cam_label} + {Path(inc_path).name}"
    if synthetic:
        # demo files loaded back: still made up, whatever the path says
        label = f"{SYNTHETIC_LABEL} ({label})"
    return Dataset(
        cams,
        inc.accepted,
        wards,
        limit,
        city,
        label,
        synthetic,
        as_of,
        reports,
        tuple(fixes),
    )


# --- what was not mapped, in plain words -------------------------------------------
PLAIN_REASONS = {
    "missing coordinates": "have no location in the file",
    "unparseable coordinates": "have a location that cannot be read",
    "coordinates are (0, 0)": "are placed at (0, 0), which means no location",
    "outside the city extent": "lie outside the city",
    "address not found": "have an address not found in the address-point file",
    "missing date": "have no date",
    "bad date": "have a date that cannot be read",
    "date in the future": "are dated in the future",
    "missing id": "have no incident number",
    "duplicate id": "repeat another row's id",
}
# Offences whose locations police withhold (NIBRS sex offences).
WITHHELD_OFFENSES = ("rape", "sodomy", "sexual assault with an object", "fondling")
UNDATED_NOTE = UNDATED_REGISTRY_NOTE


SINGULAR_VERBS = {
    "have": "has",
    "lie": "lies",
    "are": "is",
    "were": "was",
    "hold": "holds",
    "repeat": "repeats",
}


def _plain(reason: str, count: int = 2) -> str:
    """A quarantine reason as words after a count ("3 lie outside the city")."""
    words = PLAIN_REASONS.get(reason)
    if words is None:
        if reason.startswith("inside an unclosed quote"):
            words = "were swallowed by an unclosed quote in the file"
        elif reason.startswith("field longer than the limit"):
            words = "hold a field too long to be real"
        else:
            words = f"were set aside ({reason})"
    if count == 1:
        verb, _, rest = words.partition(" ")
        words = f"{SINGULAR_VERBS.get(verb, verb)} {rest}"
    return words


def _n(count: int, one: str, many: str) -> str:
    return f"{count:,} {one if count == 1 else many}"


def unmapped_sentences(ds: Dataset) -> list[str]:
    """What was not mapped and why, one plain sentence per kind of data.

    >>> unmapped_sentences(load_dataset())[0].startswith("All ")
    True
    """
    out = []
    inc = ds.load_reports.get("incidents")
    cams = ds.load_reports.get("cameras")
    if not inc and not cams:
        return [
            f"All {len(ds.incidents):,} incidents and {len(ds.cameras):,} camera "
            "registrations are on the map: none were left out."
        ]
    for kind, report, noun in (
        ("incidents", inc, ("incident row", "incident rows")),
        ("cameras", cams, ("registry row", "registry rows")),
    ):
        if not report:
            continue
        read = int(report.get("rows_read", 0))
        left = int(report.get("quarantined", 0))
        folded = int(report.get("folded", 0) or 0)
        if not left:
            sentence = f"All {_n(read - folded, *noun)} are on the map."
        else:
            parts = []
            by_offence = report.get("unmapped_offenses") or {}
            for reason, count in report.get("reasons", {}).items():
                part = f"{count:,} {_plain(reason, count)}"
                offences = by_offence.get(reason, {})
                withheld = {o: c for o, c in offences.items() if o in WITHHELD_OFFENSES}
                if kind == "incidents" and withheld:
                    total = sum(withheld.values())
                    mapped = _mapped_sex_offences(ds)
                    every = "all " if mapped == 0 else ""
                    if set(withheld) == {"rape"}:
                        what = _n(total, "rape", "rapes")
                    else:
                        what = _n(total, "sex offence", "sex offences (rapes too)")
                    part += (
                        f" (including {every}{what}: the police withhold their "
                        "locations)"
                    )
                parts.append(part)
            sentence = (
                f"{left:,} of {_n(read, *noun)} are not on the map: "
                + "; ".join(parts)
                + "."
            )
        if folded:
            sentence += (
                f" {folded:,} more row{'s' if folded != 1 else ''} repeat an "
                "incident (once per victim, or for another of its offences) and "
                f"{'are' if folded != 1 else 'is'} counted in it."
            )
        for note in report.get("notes") or ():
            # most rows elsewhere: where the data is, where the city is, and why
            if loaders.FOREIGN_MARK in note:
                sentence += " " + note.split(loaders.FOREIGN_MARK, 1)[1].strip()
        out.append(sentence)
    return out


def _mapped_sex_offences(ds: Dataset) -> int:
    codes = ds.incidents.get("offense_code")
    if codes is None:
        return 0
    return int(codes.astype("str").str.upper().isin(["11A", "11B", "11C", "11D"]).sum())
