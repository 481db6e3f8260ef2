"""``briefing``: write the council briefing as one self-contained HTML file.

>>> main(["briefing", "--out", "b.html", "--since", "2026-01-01"])  # doctest: +SKIP

Only the ``public`` and ``staff`` editions can be exported: the briefing never
needs owner contacts. Bad ward ids, dates or scenario values exit with code 2
and one line naming the value and what was expected.
"""

from __future__ import annotations

import argparse
from datetime import date, datetime

from analytics.cli import (
    CommandError,
    add_data_options,
    data_paths,
    load_data,
    output_path,
)

AUDIENCE_CHOICES = ("public", "staff")  # analytics.briefing.BRIEFING_AUDIENCES


def register(
    subparsers: argparse._SubParsersAction[argparse.ArgumentParser],
) -> None:
    p = subparsers.add_parser(
        "briefing",
        help="export the council briefing (self-contained HTML, opens offline)",
        description="Write the council briefing: headline figures, progress toward "
        "the goal with its forecast, coverage by ward, the biggest gaps, "
        "recommended recruitment areas, device costs and the methods, as one HTML "
        "file with embedded maps that opens offline and prints cleanly. The public "
        "edition shows aggregates only. Uses the synthetic demo unless data files "
        "are given or configured.",
    )
    p.add_argument("--out", required=True, metavar="FILE.html", help="output file")
    p.add_argument(
        "--audience",
        default="public",
        metavar="{public,staff}",
        help="edition: public (aggregates only, default) or staff (adds exact "
        "business, institutional and city camera points; never contacts)",
    )
    p.add_argument("--since", metavar="YYYY-MM-DD", help="first day of incidents")
    p.add_argument("--until", metavar="YYYY-MM-DD", help="last day of incidents")
    p.add_argument(
        "--wards",
        nargs="+",
        metavar="ID",
        help="ward ids to report on (default: the whole city)",
    )
    add_data_options(p, wards="--ward-boundaries")
    p.add_argument(
        "--recruit",
        default="50",
        metavar="K",
        help="new camera sites to recommend, shown grouped by map cell (default 50)",
    )
    p.add_argument(
        "--devices",
        default="100",
        metavar="N",
        help="integration devices in the cost scenario (default 100)",
    )
    p.add_argument(
        "--years",
        default="3",
        metavar="Y",
        help="years the devices are kept in the cost scenario (default 3)",
    )
    p.add_argument(
        "--mix",
        nargs="+",
        metavar="SHARE",
        help="share of each device tier, in the order of the city file "
        "(e.g. 0.8 0.2; default: all entry devices)",
    )
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from analytics.briefing import CostScenario, build_briefing, ward_choices
    from analytics.config import load_city

    out = output_path(args.out, (".html", ".htm"), "an HTML page")
    audience = parse_audience(args.audience)
    since = parse_date(args.since, "--since")
    until = parse_date(args.until, "--until")
    if since and until and since > until:
        raise CommandError(
            f"--since {since.isoformat()} is after --until {until.isoformat()}: "
            "expected since <= until"
        )
    k = parse_whole(args.recruit, "--recruit", minimum=1)
    devices = parse_whole(args.devices, "--devices", minimum=0)
    years = parse_number(args.years, "--years")
    city = load_city(args.city)
    mix = parse_mix(args.mix, [d.name for d in city.devices])
    ds = load_data(city, **data_paths(args))
    wards = check_wards(args.wards, ward_choices(ds))
    if since and since > ds.as_of:
        raise CommandError(
            f"--since {since.isoformat()} is after the data's date "
            f"{ds.as_of.isoformat()}: expected a day on or before it"
        )
    try:
        html = build_briefing(
            ds,
            audience=audience,
            since=since,
            until=until,
            wards=wards,
            scenario=CostScenario(integrations=devices, years=years, tier_mix=mix),
            recruit_k=k,
            generated_at=datetime.now().replace(microsecond=0),
        )
    except ValueError as exc:  # inputs the checks above cannot see (device names)
        raise CommandError(str(exc)) from exc
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(html, encoding="utf-8")
    except OSError as exc:
        raise CommandError(f"cannot write --out {str(out)!r}: {exc}") from exc
    label = f" ({ds.label})" if ds.synthetic else ""
    print(
        f"Wrote the {audience} briefing{label} to {out} "
        f"({len(html.encode('utf-8')) / 1024:,.0f} KB; opens offline)."
    )
    return 0


def parse_audience(text: str) -> str:
    if text not in AUDIENCE_CHOICES:
        raise CommandError(
            f"--audience was {text!r} but is expected to be one of "
            f"{', '.join(AUDIENCE_CHOICES)} (investigator data never goes in a "
            "briefing)"
        )
    return text


def parse_date(text: str | None, option: str) -> date | None:
    """``YYYY-MM-DD`` text as a date, None for None, or a one-line CommandError."""
    if text is None:
        return None
    try:
        return date.fromisoformat(str(text).strip())
    except ValueError:
        raise CommandError(
            f"{option} was {text!r} but is expected to be a date YYYY-MM-DD "
            "(e.g. 2026-01-31)"
        ) from None


def parse_whole(text: str, option: str, *, minimum: int) -> int:
    try:
        value = int(str(text).strip())
    except ValueError:
        value = minimum - 1
    if value < minimum:
        raise CommandError(
            f"{option} was {text!r} but is expected to be a whole number >= {minimum}"
        )
    return value


def parse_number(text: str, option: str) -> float:
    try:
        value = float(str(text).strip())
    except ValueError:
        value = -1.0
    if not value >= 0:
        raise CommandError(f"{option} was {text!r} but is expected to be a number >= 0")
    return value


def parse_mix(
    shares: list[str] | None, names: list[str]
) -> tuple[tuple[str, float], ...]:
    """``--mix`` shares, one per device tier of the city, as (name, share) pairs."""
    if not shares:
        return ()
    if len(shares) != len(names):
        raise CommandError(
            f"--mix was {' '.join(shares)!r} but is expected to give {len(names)} "
            f"shares, one per device tier: {names}"
        )
    values = [parse_number(s, "--mix") for s in shares]
    if abs(sum(values) - 1.0) > 1e-6:
        raise CommandError(
            f"--mix shares {values} sum to {sum(values):g} but are expected to sum to 1"
        )
    return tuple(zip(names, values, strict=True))


def check_wards(wards: list[str] | None, choices: dict[str, str]) -> list[str] | None:
    """The ward ids asked for, or a CommandError naming a bad one and the valid ids."""
    if not wards:
        return None
    if not choices:
        raise CommandError(
            f"--wards {' '.join(wards)!r} given but no ward boundaries are configured: "
            "pass --ward-boundaries FILE or set CAMREG_WARDS"
        )
    for ward in wards:
        if ward not in choices:
            raise CommandError(
                f"--wards: {ward!r} is not a ward id; valid ids are "
                f"{', '.join(choices)}"
            )
    return wards
