"""A separate process writing to a registry store, for the concurrency tests.

python tests/store_worker.py mixed TARGET WORKER OPS
    OPS operations alternating an import (two new cameras plus an update of the
    shared camera ``SHARED``) and a withdrawal of one of this worker's cameras.
    Prints one JSON line per operation.
python tests/store_worker.py big TARGET ROWS
    One import of ROWS new cameras; prints "planning" first.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from analytics.schema import CAMERA_COLUMNS, WGS84
from analytics.store import RegistryStore

CENTRE = (34.74, -92.33)


def frame(ids: list[str], *, count: int = 1) -> gpd.GeoDataFrame:
    n = len(ids)
    rng = np.random.default_rng(len(ids))
    data = pd.DataFrame(
        {
            "camera_id": ids,
            "tier": "registered",
            "owner_type": "business",
            "status": "active",
            "latitude": CENTRE[0] + rng.uniform(-0.05, 0.05, n),
            "longitude": CENTRE[1] + rng.uniform(-0.05, 0.05, n),
            "camera_count": count,
            "registered_at": pd.Timestamp("2025-01-01").date(),
        }
    )
    for col in CAMERA_COLUMNS:
        if col not in data:
            data[col] = None
    data = data[list(CAMERA_COLUMNS)]
    return gpd.GeoDataFrame(
        data,
        geometry=gpd.points_from_xy(data["longitude"], data["latitude"]),
        crs=WGS84,
    )


def mixed(target: str, worker: str, ops: int) -> None:
    store = RegistryStore(target)
    for i in range(ops):
        if i % 2 == 0:
            ids = [f"W{worker}-{i}-a", f"W{worker}-{i}-b"]
            rows = pd.concat(
                [frame(ids), frame(["SHARED"], count=1 + i)], ignore_index=True
            )
            summary = store.import_cameras(
                rows, source=f"w{worker}-{i}.csv", user=f"worker {worker}"
            )
            out = {"op": "import", "import_id": summary.import_id}
            out |= {"inserted": summary.inserted, "updated": summary.updated}
        else:
            event = store.withdraw(
                f"W{worker}-{i - 1}-a", reason="owner asked", user=f"worker {worker}"
            )
            out = {"op": "withdraw", "event_id": event}
        print(json.dumps(out), flush=True)


def big(target: str, rows: int) -> None:
    store = RegistryStore(target)
    cameras = frame([f"BIG-{i:06d}" for i in range(rows)])
    print("planning", flush=True)
    summary = store.import_cameras(cameras, source="big.csv", user="bulk")
    print(json.dumps({"inserted": summary.inserted}), flush=True)


if __name__ == "__main__":
    command, target, *rest = sys.argv[1:]
    if command == "mixed":
        mixed(target, rest[0], int(rest[1]))
    else:
        big(target, int(rest[0]))
