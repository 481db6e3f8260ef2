"""``recommend``: where the next K cameras would add the most coverage.

>>> main(["recommend", "--sites", "1000", "--json"])  # doctest: +SKIP
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from analytics.cli import (
    CommandError,
    add_data_options,
    data_paths,
    load_data,
    output_path,
)
from analytics.safe_output import mark_geojson

TOP_ROWS = 10  # sites listed in the plain-text summary
SITE_FIELDS = (
    "rank",
    "latitude",
    "longitude",
    "marginal_gain",
    "new_incidents",
    "cumulative_gain",
)


if TYPE_CHECKING:
    from analytics.datasets import Dataset
    from analytics.targeting import Recommendation


def register(
    subparsers: argparse._SubParsersAction[argparse.ArgumentParser],
) -> None:
    p = subparsers.add_parser(
        "recommend",
        help="rank K new camera sites by the weighted incidents they would cover",
        description="Choose K new camera sites that add the most severity-weighted "
        "incidents not yet covered by an active camera, and compare them with K "
        "cameras placed the way registrations have been arriving ('as usual'). "
        "Uses the synthetic demo unless data files are given or configured.",
    )
    p.add_argument(
        "--sites",
        required=True,
        metavar="K",
        help="number of new camera sites to recommend (a positive whole number)",
    )
    add_data_options(p)
    p.add_argument(
        "--range-m",
        type=float,
        default=None,
        help="range of a new camera in metres (default: the city's business camera)",
    )
    p.add_argument(
        "--seed", type=int, default=0, help="seed of the 'as usual' baseline draw"
    )
    p.add_argument("--json", action="store_true", help="print the result as JSON")
    p.add_argument("--out", help="write the ranked sites to this GeoJSON file")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from analytics.config import load_city
    from analytics.targeting import recommend_sites

    k = parse_sites(args.sites)
    if args.range_m is not None and not args.range_m > 0:
        raise CommandError(f"--range-m was {args.range_m} but must be > 0 metres")
    out = args.out and output_path(args.out, (".geojson", ".json"), "GeoJSON")
    city = load_city(args.city)
    ds = load_data(city, **data_paths(args))
    rec = recommend_sites(
        ds.cameras,
        ds.incidents,
        city,
        k,
        range_m=args.range_m,
        city_limit=ds.city_limit,
        wards=ds.wards,
        baseline_seed=args.seed,
    )
    if out:
        try:
            out.parent.mkdir(parents=True, exist_ok=True)
            # sites built from demo data carry the marker (loads back synthetic)
            text = mark_geojson(rec.to_geojson(), synthetic=ds.synthetic)
            out.write_text(text, encoding="utf-8")
        except OSError as exc:
            raise CommandError(f"cannot write --out {str(out)!r}: {exc}") from exc
    if args.json:
        print(json.dumps(as_json(rec, ds), allow_nan=False))
    else:
        print_summary(rec, ds, args.out)
    return 0


def parse_sites(text: str) -> int:
    """``--sites`` as a positive int, or a CommandError naming the bad value."""
    from analytics.targeting import MAX_SITES  # heavy imports only when run

    try:
        k = int(str(text).strip())
    except ValueError:
        k = 0
    if not 1 <= k <= MAX_SITES:
        raise CommandError(
            f"--sites was {text!r} but is expected to be a whole number from 1 to "
            f"{MAX_SITES:,}"
        )
    return k


def as_json(rec: Recommendation, ds: Dataset) -> dict[str, Any]:
    sites = rec.sites
    rows = [
        {
            "rank": int(r.rank),
            "latitude": round(float(r.latitude), 6),
            "longitude": round(float(r.longitude), 6),
            "marginal_gain": float(r.marginal_gain),
            "new_incidents": int(r.new_incidents),
            "cumulative_gain": float(r.cumulative_gain),
        }
        for r in sites[list(SITE_FIELDS)].itertuples(index=False)
    ]
    return {
        "k": rec.k,
        "sites": rows,
        "greedy_total": rec.greedy_total,
        "baseline_total": rec.baseline_total,
        "total_weight": rec.total_weight,
        "already_covered_weight": rec.already_covered_weight,
        "range_m": rec.range_m,
        "candidates": rec.n_candidates,
        "data": ds.label,
        "synthetic": bool(ds.synthetic),
    }


def print_summary(rec: Recommendation, ds: Dataset, out: Path | None) -> None:
    def share(x: float) -> str:
        return f"{x / rec.total_weight:.1%}" if rec.total_weight else "n/a"

    if ds.synthetic:
        print(f"{ds.label}: a made-up city, not the city's figures.")
    else:
        print(f"Data: {ds.label}, as of {ds.as_of}")
    print(
        f"{len(ds.incidents):,} incidents, severity-weighted total "
        f"{rec.total_weight:,.1f}; active cameras already cover "
        f"{rec.already_covered_weight:,.1f} ({share(rec.already_covered_weight)})."
    )
    print(
        f"New camera modelled as a {rec.range_m:g} m disk; "
        f"{rec.n_candidates:,} candidate sites."
    )
    print(
        f"The next {rec.k:,} cameras, well placed: +{rec.greedy_total:,.1f} weighted "
        f"incidents covered ({share(rec.greedy_total)} of all); as usual: "
        f"+{rec.baseline_total:,.1f} ({share(rec.baseline_total)})."
    )
    if len(rec.sites) < rec.k:
        print(
            f"Only {len(rec.sites):,} sites add anything: every reachable incident "
            "is then covered."
        )
    top = rec.sites.head(TOP_ROWS)
    if len(top):
        print(f"\nTop {len(top)} sites:")
        print(
            f"{'rank':>5} {'latitude':>10} {'longitude':>11} {'gain':>8} "
            f"{'incidents':>9} {'cumulative':>10}  ward"
        )
        for _, r in top.iterrows():
            ward = r.get("ward_name", "")
            ward = "" if ward is None or ward != ward else str(ward)
            print(
                f"{r['rank']:>5} {r['latitude']:>10.5f} {r['longitude']:>11.5f} "
                f"{r['marginal_gain']:>8.1f} {r['new_incidents']:>9} "
                f"{r['cumulative_gain']:>10.1f}  {ward}"
            )
    if out:
        print(f"\nWrote {len(rec.sites):,} sites to {out}")
