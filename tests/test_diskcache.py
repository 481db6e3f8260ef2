"""The disk cache of heavy results: right keys, equal frames, never a crash."""

from __future__ import annotations

import os
import pickle
from datetime import date

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import Point, Polygon

from analytics import diskcache


def _frame() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {
            "camera_id": ["a", "b", "c"],
            "registered_at": pd.to_datetime(["2026-01-02", None, "2026-03-04"]),
            "geometry": [Point(0, 0), Point(1, 2), None],
        },
        crs="EPSG:4326",
    ).set_index(pd.Index([10, 20, 30]))


class Counter:
    """A compute function that counts its calls."""

    def __init__(self, value: object) -> None:
        self.value = value
        self.calls = 0

    def __call__(self) -> object:
        self.calls += 1
        return self.value


def test_fingerprint_changes_when_an_input_file_changes(tmp_path):
    path = tmp_path / "cameras.csv"
    path.write_text("id\n1\n")
    first = diskcache.files_fingerprint([path, None], "little_rock")
    assert diskcache.files_fingerprint([path, None], "little_rock") == first
    path.write_text("id\n1\n2\n")  # new size
    second = diskcache.files_fingerprint([path, None], "little_rock")
    assert second != first
    stamp = os.stat(path)
    os.utime(path, ns=(stamp.st_atime_ns, stamp.st_mtime_ns + 1_000_000_000))
    assert diskcache.files_fingerprint([path, None], "little_rock") != second
    assert diskcache.files_fingerprint([path, None], "other_city") != second


def test_fingerprint_folds_in_a_sqlite_log_and_a_missing_file(tmp_path):
    db = tmp_path / "registry.sqlite"
    db.write_bytes(b"x")
    before = diskcache.file_stamp(db)
    (tmp_path / "registry.sqlite-wal").write_bytes(b"yy")
    assert diskcache.file_stamp(db) != before
    missing = diskcache.file_stamp(tmp_path / "absent.csv")
    assert missing is not None
    assert missing[1] == -1
    assert diskcache.file_stamp(None) is None


def test_fingerprint_depends_on_filters_and_dates():
    assert diskcache.fingerprint(("x",), date(2026, 1, 1)) != diskcache.fingerprint(
        ("x",), date(2026, 1, 2)
    )


def test_a_hit_returns_equal_frames_without_recomputing(tmp_path):
    frame = _frame()
    compute = Counter({"cameras": frame, "n": 3})
    first = diskcache.load_or_compute("dataset", "k1", compute, tmp_path)
    again = diskcache.load_or_compute("dataset", "k1", compute, tmp_path)
    assert compute.calls == 1
    assert again is not first  # read back from the file
    got = again["cameras"]
    assert type(got) is gpd.GeoDataFrame
    pd.testing.assert_frame_equal(pd.DataFrame(got), pd.DataFrame(frame))
    assert got.crs == frame.crs
    assert got.geometry.name == "geometry"
    assert list(got.columns) == ["camera_id", "registered_at", "geometry"]
    assert got.geometry.iloc[1] == Point(1, 2)
    assert got.geometry.iloc[2] is None
    assert again["n"] == 3


def test_a_renamed_geometry_column_and_polygons_survive(tmp_path):
    square = Polygon([(0, 0), (1, 0), (1, 1), (0, 1)])
    frame = gpd.GeoDataFrame(
        {"ward": ["1"], "shape": [square]}, geometry="shape", crs="EPSG:26915"
    )
    frame.attrs["source"] = "wards.geojson"
    diskcache.load_or_compute("wards", "k", lambda: frame, tmp_path)
    got = diskcache.load_or_compute("wards", "k", lambda: None, tmp_path)
    assert got.geometry.name == "shape"
    assert got.crs == frame.crs
    assert got.geometry.iloc[0].equals(square)
    assert got.attrs == {"source": "wards.geojson"}


def test_another_key_is_a_miss(tmp_path):
    compute = Counter(1)
    diskcache.load_or_compute("coverage", "a", compute, tmp_path)
    diskcache.load_or_compute("coverage", "b", compute, tmp_path)
    assert compute.calls == 2


@pytest.mark.parametrize(
    "content", [b"", b"not a pickle at all", pickle.dumps([1, 2, 3])[:-3]]
)
def test_a_corrupt_cache_file_is_recomputed_never_a_crash(tmp_path, content):
    (tmp_path / "coverage-k.pkl").write_bytes(content)
    compute = Counter({"share": 0.25})
    assert diskcache.load_or_compute("coverage", "k", compute, tmp_path) == {
        "share": 0.25
    }
    assert compute.calls == 1
    # and the broken file was replaced by a good one
    assert diskcache.load_or_compute("coverage", "k", compute, tmp_path) == {
        "share": 0.25
    }
    assert compute.calls == 1


def test_an_unwritable_folder_still_returns_the_result(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("in the way")
    compute = Counter(7)
    assert diskcache.load_or_compute("x", "k", compute, blocker / "cache") == 7
    assert diskcache.load_or_compute("x", "k", compute, blocker / "cache") == 7
    assert compute.calls == 2


def test_switched_off_by_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv(diskcache.CACHE_ENV, "off")
    assert diskcache.cache_dir() is None
    compute = Counter(1)
    diskcache.load_or_compute("x", "k", compute)
    diskcache.load_or_compute("x", "k", compute)
    assert compute.calls == 2
    monkeypatch.setenv(diskcache.CACHE_ENV, str(tmp_path))
    assert diskcache.cache_dir() == tmp_path


def test_old_files_are_pruned(tmp_path, monkeypatch):
    monkeypatch.setattr(diskcache, "KEEP_PER_NAME", 2)
    for n in range(4):
        diskcache.load_or_compute("coverage", f"k{n}", lambda n=n: n, tmp_path)
        path = tmp_path / f"coverage-k{n}.pkl"
        if path.exists():
            os.utime(path, ns=(n * 10**9, n * 10**9 + 10**15))
    assert sorted(p.name for p in tmp_path.glob("coverage-*.pkl")) == [
        "coverage-k2.pkl",
        "coverage-k3.pkl",
    ]


@pytest.mark.parametrize(("name", "key"), [("../x", "k"), ("x", "a/b"), ("", "k")])
def test_names_that_are_not_plain_file_names_are_refused(tmp_path, name, key):
    with pytest.raises(ValueError, match="expected to be letters"):
        diskcache.load_or_compute(name, key, lambda: 1, tmp_path)


def test_a_frame_of_points_comes_back_with_the_same_coordinates(tmp_path):
    frame = gpd.GeoDataFrame(
        {"n": [1, 2]}, geometry=[Point(-92.3, 34.7), Point(-92.25, 34.75)], crs=4326
    )
    diskcache.load_or_compute("cams", "k", lambda: frame, tmp_path)
    got = diskcache.load_or_compute("cams", "k", lambda: None, tmp_path)
    assert [(p.x, p.y) for p in got.geometry] == [(-92.3, 34.7), (-92.25, 34.75)]
    assert got.crs == frame.crs
    assert list(got["n"]) == [1, 2]
