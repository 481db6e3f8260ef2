"""The folium map builder: escaping, privacy by construction, binning, assets."""

from __future__ import annotations

import re
from pathlib import Path

import geopandas as gpd
import h3
import numpy as np
import pytest
import shapely

from analytics.maps import (
    CHOROPLETHS,
    HEAT_CELL_M,
    LOCAL_ASSETS,
    NO_DATA_FILL,
    build_coverage_map,
    classify,
    heat_grid,
    hexes_for_audience,
)
from analytics.privacy import redact_cameras
from analytics.schema import WGS84
from tests.conftest import CENTRE, offset

HOSTILE = "<img src=x onerror=alert(1)>"
ESCAPED = "&lt;img src=x onerror=alert(1)&gt;"


def _render(m) -> str:
    """Map HTML with JavaScript \\uXXXX escapes decoded, as the browser reads it."""
    html = m.get_root().render()
    return re.sub(r"\\u([0-9a-fA-F]{4})", lambda g: chr(int(g.group(1), 16)), html)


def _square(lat: float, lon: float, half_m: float) -> shapely.Polygon:
    south, west = offset(lat, lon, -half_m, -half_m)
    north, east = offset(lat, lon, half_m, half_m)
    return shapely.box(west, south, east, north)


@pytest.fixture
def wards():
    lat, lon = CENTRE
    return gpd.GeoDataFrame(
        {"ward_id": ["1"], "ward_name": [f"Ward {HOSTILE}"]},
        geometry=[_square(lat, lon, 2000)],
        crs=WGS84,
    )


@pytest.fixture
def hexes():
    lat, lon = CENTRE
    cells = [h3.latlng_to_cell(lat, lon, 8), h3.latlng_to_cell(lat + 0.02, lon, 8)]
    polygons = [
        shapely.Polygon([(b, a) for a, b in h3.cell_to_boundary(c)]) for c in cells
    ]
    return gpd.GeoDataFrame(
        {
            "h3": cells,
            "cameras": [4, 0],
            "incidents": [10, 0],
            "incidents_uncovered": [4, 0],
            "coverage_share": [0.6, np.nan],
        },
        geometry=polygons,
        crs=WGS84,
    )


def test_hostile_camera_text_is_escaped_in_map_html(camera_factory, city, wards):
    lat, lon = CENTRE
    cams = camera_factory(
        [
            {
                "latitude": lat,
                "longitude": lon,
                "address": HOSTILE,
                "owner_name": HOSTILE,
                "owner_type": "business",
                "camera_id": f"X{HOSTILE}",
            }
        ]
    )
    html = _render(
        build_coverage_map(cams, role="investigator", city=city, wards=wards)
    )
    assert HOSTILE not in html
    assert ESCAPED in html  # the address shows as text in the popup
    assert f"Ward {ESCAPED}" in html  # and the ward name in its label


def test_staff_map_never_holds_exact_residential_coordinates(camera_factory, city):
    lat, lon = CENTRE
    home = offset(lat, lon, 123.0, 457.0)
    shop = offset(lat, lon, -801.0, -333.0)
    cams = camera_factory(
        [
            {"latitude": home[0], "longitude": home[1], "owner_type": "residential"},
            {"latitude": shop[0], "longitude": shop[1], "owner_type": "business"},
        ]
    )
    html = _render(build_coverage_map(cams, role="staff", city=city))
    # coordinates are written with 5 decimals
    assert f"{round(shop[0], 5)}" in html
    assert f"{round(home[0], 5)}" not in html
    assert f"{round(home[1], 5)}" not in html


def test_public_map_shows_no_camera_points(camera_factory, city):
    lat, lon = CENTRE
    shop = offset(lat, lon, 350.0, 50.0)
    cams = camera_factory(
        [{"latitude": shop[0], "longitude": shop[1], "owner_type": "business"}]
    )
    html = _render(build_coverage_map(cams, role="public", city=city))
    assert f"{round(shop[0], 5)}" not in html
    assert "markerClusterGroup" not in html


def test_heat_grid_sums_points_sharing_a_cell_and_drops_missing():
    lat, lon = CENTRE
    # cell index = floor(coordinate / cell size); 10 m apart in the middle of a
    # cell stay together, 1 km away is another cell
    dlat = HEAT_CELL_M / 110_574.0
    base_lat = (np.floor(lat / dlat) + 0.5) * dlat
    near = offset(base_lat, lon, 0.0, 10.0)
    far = offset(base_lat, lon, 0.0, 1000.0)
    grid = heat_grid(
        np.array([base_lat, near[0], far[0], np.nan]),
        np.array([lon, near[1], far[1], lon]),
    )
    assert sorted(grid[:, 2].tolist()) == [1.0, 2.0]
    assert grid[:, 2].sum() == 3  # the NaN row is dropped


def test_heat_grid_of_nothing_is_empty():
    assert heat_grid(np.array([]), np.array([])).shape == (0, 3)


def test_coverage_share_classes_follow_the_fixed_bins():
    _, _, colours = CHOROPLETHS["coverage_share"]
    fill, _ = classify(np.array([0.0, 0.05, 0.1, 0.6, 1.0, np.nan]), "coverage_share")
    # bins 0-10 %, 10-25 %, 25-50 %, 50-75 %, 75-100 %; no incidents is grey
    assert fill.tolist() == [
        colours[0],
        colours[0],
        colours[1],
        colours[3],
        colours[4],
        NO_DATA_FILL,
    ]


def test_count_classes_put_zero_alone_and_the_maximum_on_top():
    _, _, colours = CHOROPLETHS["incidents_uncovered"]
    values = np.array([0, 1, 2, 3, 4, 5, 6, 7, 8, 100], dtype=float)
    fill, edges = classify(values, "incidents_uncovered")
    assert edges[:2] == (0.0, 1.0)  # the first class is exactly zero
    assert fill[0] == colours[0]
    assert fill[1] == colours[1]
    assert fill[-1] == colours[-1]
    assert list(edges) == sorted(edges)


def test_hex_layer_and_its_legend_are_drawn(city, hexes):
    html = _render(build_coverage_map(None, role="staff", city=city, hexes=hexes))
    assert "Share of incidents within camera range" in html
    assert "no incidents" in html  # tooltip text of the hex without incidents


def test_unknown_choropleth_is_refused(city):
    with pytest.raises(ValueError, match="`choropleth` was 'cameras'"):
        build_coverage_map(None, role="staff", city=city, choropleth="cameras")


def test_unknown_role_is_refused(camera_factory, city):
    cams = camera_factory([{"latitude": CENTRE[0], "longitude": CENTRE[1]}])
    with pytest.raises(ValueError, match="audience"):
        build_coverage_map(cams, role="mayor", city=city)


def test_local_assets_replace_every_cdn_link(camera_factory, incident_factory, city):
    lat, lon = CENTRE
    cams = camera_factory([{"latitude": lat, "longitude": lon}])
    incs = incident_factory([{"latitude": lat, "longitude": lon}])
    html = _render(
        build_coverage_map(
            cams,
            role="investigator",
            city=city,
            incidents=incs,
            asset_base="/app/static/vendor/",
        )
    )
    links = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert links, "the map loads Leaflet from somewhere"
    assert all(link.startswith("/app/static/vendor/") for link in links), links
    paths = {link.split("?v=")[0] for link in links}  # each with its file's digest
    assert {f"/app/static/vendor/{LOCAL_ASSETS['leaflet']}"} <= paths


def test_layers_and_legend_are_present(camera_factory, incident_factory, city, wards):
    lat, lon = CENTRE
    cams = camera_factory(
        [
            {"latitude": lat, "longitude": lon, "tier": "integrated"},
            {"latitude": lat + 0.01, "longitude": lon, "tier": "registered"},
        ]
    )
    incs = incident_factory([{"latitude": lat, "longitude": lon}])
    html = _render(
        build_coverage_map(
            cams, role="staff", city=city, incidents=incs, wards=wards, tiles=None
        )
    )
    assert "L.control.layers" in html
    assert "Cameras: integrated (live access)" in html
    assert "Cameras: registered (location only)" in html
    assert "Incidents (heat map)" in html
    assert "camreg-legend" in html
    assert "tile.openstreetmap" not in html  # tiles=None: plain background only


def test_hex_camera_counts_are_withheld_below_investigator(city, hexes):
    for role in ("public", "staff"):
        shown = hexes_for_audience(hexes, role)
        assert "cameras" not in shown
        assert "cameras_per_km2" not in shown
        assert "incidents" in shown
        html = _render(build_coverage_map(None, role=role, city=city, hexes=hexes))
        assert '"Cameras"' not in html  # no camera count in the hex tooltip
    assert "cameras" in hexes_for_audience(hexes, "investigator")
    html = _render(
        build_coverage_map(None, role="investigator", city=city, hexes=hexes)
    )
    assert '"Cameras"' in html


def test_hidden_camera_layers_are_listed_but_not_added(camera_factory, city):
    lat, lon = CENTRE
    cams = camera_factory([{"latitude": lat, "longitude": lon}])
    shown = _render(build_coverage_map(cams, role="staff", city=city))
    hidden = _render(
        build_coverage_map(cams, role="staff", city=city, show_cameras=False)
    )
    assert "Cameras: registered (location only)" in hidden  # still in the control
    assert re.search(r"fast_marker_cluster_\w+\.addTo\(", shown)
    assert not re.search(r"fast_marker_cluster_\w+\.addTo\(", hidden)
    assert "cluster.addTo(" not in hidden  # folium's own template always adds it


def test_a_redaction_for_another_role_is_refused(camera_factory, city):
    lat, lon = CENTRE
    cams = camera_factory([{"latitude": lat, "longitude": lon}])
    for_investigator = redact_cameras(cams, "investigator", city)
    with pytest.raises(ValueError, match="redacted for 'investigator'"):
        build_coverage_map(for_investigator, role="public", city=city)
    # the same redaction drawn for its own role gives the same map as raw input
    pre = _render(build_coverage_map(for_investigator, role="investigator", city=city))
    raw = _render(build_coverage_map(cams, role="investigator", city=city))
    assert re.sub(r"_[0-9a-f]{32}", "", pre) == re.sub(r"_[0-9a-f]{32}", "", raw)


def test_draw_plugin_is_served_from_vendored_files():
    # the canvass page's notification map: drawing must work without a CDN
    import folium
    from folium.plugins import Draw

    from analytics.maps import use_local_assets

    m = folium.Map(location=CENTRE)
    Draw().add_to(m)
    html = _render(use_local_assets(m, "/app/static/vendor"))
    links = set(re.findall(r'(?:src|href)="([^"]+)"', html))
    wanted = {LOCAL_ASSETS["leaflet_draw_js"], LOCAL_ASSETS["leaflet_draw_css"]}
    paths = {link.split("?v=")[0] for link in links}  # each with its file's digest
    assert {f"/app/static/vendor/{w}" for w in wanted} <= paths
    assert all(link.startswith("/app/static/vendor/") for link in links)
    static = Path(__file__).resolve().parent.parent / "static" / "vendor"
    for name in wanted:
        assert (static / name).is_file(), name


# --- legibility: one thematic layer, legend follows layers, clipping, sites -----------
def _limit_around_first_hex(hexes):
    """A city limit that cuts the first hexagon in half (west half inside)."""
    cell = hexes.geometry.iloc[0]
    minx, miny, maxx, maxy = cell.bounds
    mid = (minx + maxx) / 2
    return gpd.GeoDataFrame(
        geometry=[shapely.box(minx - 0.05, miny - 0.05, mid, maxy + 0.05)], crs=WGS84
    )


def test_hexagons_are_clipped_to_the_city_limit(hexes):
    from analytics.maps import clip_to_limit

    limit = _limit_around_first_hex(hexes)
    clipped = clip_to_limit(hexes, limit.geometry.iloc[0])
    # the first hexagon keeps its west half
    first = clipped.geometry.iloc[0]
    assert first.bounds[2] <= limit.total_bounds[2] + 1e-12
    assert first.area == pytest.approx(hexes.geometry.iloc[0].area / 2, rel=0.02)
    assert clip_to_limit(hexes, None).equals(hexes)


def test_only_the_chosen_thematic_layer_starts_on(incident_factory, city, hexes):
    lat, lon = CENTRE
    incs = incident_factory([{"latitude": lat, "longitude": lon}])
    html = _render(
        build_coverage_map(
            None, role="staff", city=city, hexes=hexes, incidents=incs, tiles=None
        )
    )
    assert re.search(r"geo_json_\w+\.addTo\(map_\w+\)", html)  # hexagons on
    assert not re.search(r"heat_map_\w+\.addTo\(", html)  # heat map listed, off
    heat = _render(
        build_coverage_map(
            None,
            role="staff",
            city=city,
            hexes=hexes,
            incidents=incs,
            tiles=None,
            thematic="heat",
        )
    )
    assert re.search(r"heat_map_\w+\.addTo\(", heat)
    # both are exclusive: switching one on switches the other off in the browser
    exclusive = re.search(r"var exclusive = \[([^\]]*)\]", heat).group(1)
    assert "heat_map_" in exclusive
    assert "geo_json_" in exclusive
    with pytest.raises(ValueError, match="thematic"):
        build_coverage_map(None, role="staff", city=city, thematic="cameras")


def test_legend_rows_are_tied_to_their_layers(camera_factory, city, hexes, wards):
    lat, lon = CENTRE
    cams = camera_factory([{"latitude": lat, "longitude": lon}])
    html = _render(
        build_coverage_map(cams, role="staff", city=city, hexes=hexes, wards=wards)
    )
    entries = re.search(r"var entries = \[(.*?)\n\s*\];", html, re.S).group(1)
    assert re.search(r"\[geo_json_\w+, \"<b>Share of incidents", entries)
    assert re.search(r"\[feature_group_\w+, \"<div>.*Ward boundary", entries)
    assert re.search(r"\[fast_marker_cluster_\w+, .*Registered", entries)


def test_sites_are_numbered_by_rank_with_escaped_places(city):
    from analytics.maps import site_rows

    lat, lon = CENTRE
    sites = gpd.GeoDataFrame(
        {
            "rank": [2, 1],
            "marginal_gain": [3.25, 10.0],
            "place": [f"near {HOSTILE}", "near Main St · Ward 3"],
        },
        geometry=[shapely.Point(lon, lat), shapely.Point(lon + 0.01, lat)],
        crs=WGS84,
    )
    rows = site_rows(sites)
    assert [r[2] for r in rows] == [2, 1]
    assert (
        rows[0][3]
        == f"<b>Site 2</b><br>near {ESCAPED}<br>Weighted incidents added: +3.2"
    )
    html = _render(build_coverage_map(None, role="public", city=city, sites=sites))
    assert "Recommended sites (numbered)" in html
    assert HOSTILE not in html


def test_offline_background_replaces_tiles_that_fail(city, wards):
    html = _render(build_coverage_map(None, role="public", city=city, wards=wards))
    assert "City map (works offline)" in html
    assert 'tiles.on("tileerror"' in html
    offline = _render(
        build_coverage_map(None, role="public", city=city, wards=wards, tiles=None)
    )
    assert re.search(r"feature_group_\w+\.addTo\(map_\w+\)", offline)


def test_ward_map_carries_ids_and_labels_with_values(city, wards):
    from analytics.maps import build_ward_map

    table = wards.assign(
        weighted_incident_coverage_share=[0.376], cameras=[12], incidents=[40]
    )
    html = _render(build_ward_map(table, city=city, selected="1"))
    assert '"ward_id": "1"' in html
    assert f"Ward {ESCAPED}<br>38%" in html
    assert '"short": "W1<br>38%"' in html  # where the full label has no room
    assert HOSTILE not in html
    with pytest.raises(ValueError, match="measure"):
        build_ward_map(table, city=city, measure="nope")


def _bounds_in(html: str) -> list[float]:
    """South, west, north, east of the view MapFrame fits the map to."""
    found = re.search(r"L\.latLngBounds\(\[\[(.*?)\], \[(.*?)\]\]\)", html)
    assert found, "the map fits a view"
    return [float(v) for v in f"{found[1]}, {found[2]}".split(",")]


def _two_wards():
    lat, lon = CENTRE
    west = _square(lat, lon - 0.03, 1000)
    east = _square(lat, lon + 0.03, 1000)
    return gpd.GeoDataFrame(
        {"ward_id": ["1", "2"], "ward_name": ["West", "East"]},
        geometry=[west, east],
        crs=WGS84,
    )


def test_the_map_is_fitted_to_the_city_limit(city):
    wards = _two_wards()
    limit = gpd.GeoDataFrame(geometry=[wards.geometry.union_all().envelope], crs=WGS84)
    html = _render(build_coverage_map(None, role="public", city=city, city_limit=limit))
    west, south, east, north = limit.total_bounds
    assert _bounds_in(html) == pytest.approx([south, west, north, east])
    assert '"zoomSnap": 0.1' in html  # fractional zoom: the fit fills the frame


def test_the_focused_ward_is_outlined_and_the_map_fitted_to_it(city):
    wards = _two_wards()
    html = _render(
        build_coverage_map(None, role="public", city=city, wards=wards, focus_ward="2")
    )
    west, south, east, north = wards.geometry.iloc[1].bounds
    assert _bounds_in(html) == pytest.approx([south, west, north, east])
    # one style carries the focus outline, and it is the East ward's
    focus = re.findall(r'case "(\w+)":\s*return \{"className": "camreg-focus"', html)
    assert focus == ["East"]
    assert "Focused ward" in html  # its legend row
    plain = _render(build_coverage_map(None, role="public", city=city, wards=wards))
    assert "camreg-focus" not in plain


def test_ward_shapes_are_sent_once_with_the_offline_tints_copied(city):
    wards = _two_wards()
    html = _render(build_coverage_map(None, role="public", city=city, wards=wards))
    west, south, _, _ = (round(v, 5) for v in wards.geometry.iloc[0].bounds)
    corner = f"[{west}, {south}]"
    assert html.count(corner) == 1  # the outline only, not a tinted copy
    assert ".toGeoJSON()" in html  # the tints are filled from the outlines


def test_ward_labels_carry_a_priority_and_a_short_form(city):
    lat, lon = CENTRE
    big = _square(lat, lon - 0.05, 2000)
    small = _square(lat, lon + 0.05, 500)
    wards = gpd.GeoDataFrame(
        {"ward_id": ["7", "9"], "ward_name": ["Big ward", "Small ward"]},
        geometry=[big, small],
        crs=WGS84,
    )
    html = _render(build_coverage_map(None, role="public", city=city, wards=wards))
    found = {s: int(p) for p, s in re.findall(r'"prio": (\d+), "short": "(\w+)"', html)}
    # the larger ward is placed first; never a bare number (a site's rank)
    assert found == {"W7": 2, "W9": 1}
    assert "camreg-label-small" in html  # the small size the placement uses


def test_label_points_sit_well_inside_their_polygon():
    from analytics.maps import label_points

    rectangle = shapely.box(0, 0, 4, 2)
    # an L: its centroid (1.36, 1.36) lies outside it
    ell = shapely.union(shapely.box(0, 0, 4, 1), shapely.box(0, 0, 1, 4))
    points = label_points(np.array([rectangle, ell]))
    assert shapely.get_coordinates(points[0]).tolist() == [[2.0, 1.0]]
    assert ell.contains(points[1])
    # the roomiest spot is the bend: a circle at (r, r) touching both outer
    # edges and the inner corner (1, 1) has sqrt(2) (1 - r) = r, r = 2 - sqrt(2)
    r = 2 - np.sqrt(2)
    assert ell.boundary.distance(points[1]) == pytest.approx(r, abs=0.01)
    assert shapely.get_coordinates(points[1])[0] == pytest.approx([r, r], abs=0.01)


def test_compact_template_drops_indentation_only():
    from analytics.maplayout import compact_template

    out = compact_template("  var a = 1;  // one\n\n      if (a) { b(); }\n").render()
    assert out == "var a = 1;  // one\nif (a) { b(); }"
