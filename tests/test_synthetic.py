from __future__ import annotations

import datetime as dt

import geopandas.testing
import pandas as pd

from analytics.schema import CAMERA_COLUMNS, INCIDENT_COLUMNS, OWNER_TYPES, TIERS
from analytics.synthetic import generate_demo, write_demo


def test_deterministic_and_labelled(city):
    a = generate_demo(city, cameras=300, incidents=2000, seed=7)
    b = generate_demo(city, cameras=300, incidents=2000, seed=7)
    geopandas.testing.assert_geodataframe_equal(a.cameras, b.cameras)
    geopandas.testing.assert_geodataframe_equal(a.incidents, b.incidents)
    assert a.cameras.attrs["synthetic"]
    assert a.incidents.attrs["synthetic"]
    assert set(a.cameras["source"]) == {"synthetic"}
    c = generate_demo(city, cameras=300, incidents=2000, seed=8)
    assert not c.cameras["latitude"].equals(a.cameras["latitude"])


def test_contract_and_extent(city):
    demo = generate_demo(city)
    cams, incs = demo.cameras, demo.incidents
    assert tuple(cams.columns[:-1]) == CAMERA_COLUMNS
    assert tuple(incs.columns[:-1]) == INCIDENT_COLUMNS
    assert cams["camera_id"].is_unique
    assert incs["incident_id"].is_unique
    assert set(cams["tier"]) <= set(TIERS)
    assert set(cams["owner_type"]) == set(OWNER_TYPES)
    assert (cams["camera_count"] >= 1).all()
    assert city.extent.contains(cams["longitude"], cams["latitude"]).all()
    assert city.extent.contains(incs["longitude"], incs["latitude"]).all()
    limit = demo.city_limit.geometry.iloc[0]
    assert cams.within(limit).all()
    # wards tile the city limit
    assert abs(demo.wards.union_all().area - limit.area) / limit.area < 1e-9
    assert len(demo.wards) == city.ward_count


def test_program_shape(city):
    demo = generate_demo(city)
    cams = demo.cameras
    at_baseline = cams.loc[
        cams["registered_at"] < city.baseline_date, "camera_count"
    ].sum()
    assert 2_900 <= at_baseline <= 3_500  # "about 3,200" at the announcement
    assert cams["camera_count"].sum() > at_baseline  # grew since
    withdrawn = cams[cams["status"] == "withdrawn"]
    assert 0 < len(withdrawn) < 0.1 * len(cams)
    assert (withdrawn["withdrawn_at"] >= withdrawn["registered_at"]).all()
    assert cams.loc[cams["status"] == "active", "withdrawn_at"].isna().all()
    incs = demo.incidents
    per_year = len(incs) / 2
    assert 13_000 <= per_year <= 18_000
    assert incs["occurred_at"].max() < pd.Timestamp(demo.as_of) + pd.Timedelta(days=1)
    share = incs["category"].value_counts(normalize=True)
    # a Part I mix: vandalism (290) and arson count as property, nothing is "other"
    assert share["property"] > share["violent"] > share.get("other", 0.0)


def test_write_demo(tmp_path, city):
    demo = generate_demo(city, cameras=50, incidents=100)
    paths = write_demo(tmp_path, demo)
    assert pd.read_csv(paths["cameras"]).shape[0] == 50
    assert pd.read_csv(paths["incidents"]).shape[0] == 100
    assert "Synthetic" in (tmp_path / "README.txt").read_text()
    assert demo.as_of == dt.date(2026, 11, 1)
