"""H3 hex table: hand-placed points, totals equal the inputs."""

from __future__ import annotations

import h3
import numpy as np
import pytest
import shapely

from analytics.coverage import coverage_report, incident_coverage
from analytics.hexgrid import cells_for
from tests.conftest import CENTRE, offset

LAT, LON = CENTRE


def at(east_m: float = 0.0, north_m: float = 0.0, **extra) -> dict:
    lat, lon = offset(LAT, LON, east_m, north_m)
    return {"latitude": lat, "longitude": lon, **extra}


def test_cells_for_matches_h3_and_skips_missing():
    lat = np.array([LAT, np.nan, 34.70])
    lon = np.array([LON, LON, -92.40])
    got = cells_for(lat, lon, 9)
    assert got[1] == 0
    assert h3.int_to_str(int(got[0])) == h3.latlng_to_cell(LAT, LON, 9)
    assert h3.int_to_str(int(got[2])) == h3.latlng_to_cell(34.70, -92.40, 9)
    with pytest.raises(ValueError, match="resolution"):
        cells_for(lat, lon, 16)


def test_hand_made_cells(city, camera_factory, incident_factory):
    cams = camera_factory(
        [
            at(0, 0, camera_count=3),  # 50 m disk
            at(0, 0, camera_count=2, status="withdrawn"),  # not counted
            at(0, 5000, camera_count=1),  # a cell with a camera, no incident
        ]
    )
    incs = incident_factory([at(10, 0), at(0, 20), at(-5000, 0)])
    hexes = coverage_report(cams, incs, city, hex_resolution=8).hexes.set_index("h3")
    home = h3.latlng_to_cell(*offset(LAT, LON, 0, 0), 8)
    north = h3.latlng_to_cell(*offset(LAT, LON, 0, 5000), 8)
    west = h3.latlng_to_cell(*offset(LAT, LON, -5000, 0), 8)
    assert set(hexes.index) == {home, north, west}
    assert hexes.loc[home, "cameras"] == 3
    assert hexes.loc[home, "incidents"] == 2
    assert hexes.loc[home, "incidents_covered"] == 2
    assert hexes.loc[home, "coverage_share"] == 1.0
    area = h3.cell_area(home, unit="km^2")
    assert hexes.loc[home, "cameras_per_km2"] == pytest.approx(3 / area)
    assert hexes.loc[west, "incidents_uncovered"] == 1
    assert hexes.loc[west, "coverage_share"] == 0.0
    assert hexes.loc[north, "incidents"] == 0
    assert np.isnan(hexes.loc[north, "coverage_share"])
    poly = hexes.loc[home, "geometry"]
    assert poly.contains(shapely.Point(LON, LAT))
    assert hexes.crs.to_string() == "EPSG:4326"


@pytest.mark.parametrize("resolution", [8, 9])
def test_totals_equal_inputs(city, resolution):
    from analytics.synthetic import generate_demo

    demo = generate_demo(city, cameras=300, incidents=2500, seed=4)
    covered = incident_coverage(demo.cameras, demo.incidents, city)["covered"]
    hexes = coverage_report(
        demo.cameras, demo.incidents, city, hex_resolution=resolution
    ).hexes
    assert hexes.attrs["resolution"] == resolution
    active = demo.cameras["status"] == "active"
    assert hexes["cameras"].sum() == demo.cameras.loc[active, "camera_count"].sum()
    assert hexes["incidents"].sum() == len(demo.incidents)
    assert 0 < hexes["incidents_covered"].sum() == covered.sum()
    assert (
        hexes["incidents_covered"] + hexes["incidents_uncovered"] == hexes["incidents"]
    ).all()
    assert hexes["h3"].is_unique


def test_bad_resolution_is_refused(city, camera_factory, incident_factory):
    with pytest.raises(ValueError, match="resolution"):
        coverage_report(
            camera_factory([at()]), incident_factory([at()]), city, hex_resolution=16
        )


@pytest.mark.parametrize("resolution", [7, 8])
def test_lattice_short_cut_matches_h3_point_by_point(resolution):
    from analytics import hexgrid

    rng = np.random.default_rng(9)
    n = 60_000
    lat, lon = offset(
        LAT, LON, rng.uniform(-3000, 3000, n), rng.uniform(-3000, 3000, n)
    )
    # plus the hardest points: cell vertices and edge midpoints nearby
    ring = np.array(h3.cell_to_boundary(h3.latlng_to_cell(LAT, LON, resolution)))
    mid = (ring + np.roll(ring, 1, axis=0)) / 2
    lat = np.concatenate([lat, ring[:, 0], mid[:, 0]])
    lon = np.concatenate([lon, ring[:, 1], mid[:, 1]])
    assert n >= hexgrid.LATTICE_MIN_POINTS
    got = cells_for(lat, lon, resolution)
    direct = np.array(
        [
            h3.str_to_int(h3.latlng_to_cell(a, b, resolution))
            for a, b in zip(lat, lon, strict=True)
        ],
        dtype=np.uint64,
    )
    assert (got == direct).all()
