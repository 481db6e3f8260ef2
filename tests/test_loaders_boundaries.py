"""Ward and city-limit polygons: id/name aliases, any CRS, clear errors."""

from __future__ import annotations

import warnings
import zipfile

import geopandas as gpd
import pytest
import shapely

from analytics.loaders import LoadError, load_boundaries

WEST = shapely.box(-92.40, 34.70, -92.30, 34.78)
EAST = shapely.box(-92.30, 34.70, -92.20, 34.78)


def _wards(columns: dict, crs="EPSG:4326") -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(columns, geometry=[WEST, EAST], crs="EPSG:4326").to_crs(crs)


def test_geojson_in_web_mercator_with_upper_case_names(tmp_path):
    path = tmp_path / "wards.geojson"
    _wards(
        {"WARD": [1, 2], "WARD_NAME": ["Ward One", "Ward Two"]}, "EPSG:3857"
    ).to_file(path, driver="GeoJSON")
    wards = load_boundaries(path)
    assert list(wards.columns) == ["ward_id", "ward_name", "geometry"]
    assert wards.crs.to_epsg() == 4326
    assert wards["ward_id"].tolist() == ["1", "2"]
    assert wards["ward_name"].tolist() == ["Ward One", "Ward Two"]
    assert wards.geometry.iloc[0].bounds == pytest.approx(WEST.bounds, abs=1e-9)
    assert wards.geometry.iloc[1].bounds == pytest.approx(EAST.bounds, abs=1e-9)


def test_geopackage_float_ids_and_name(tmp_path):
    path = tmp_path / "wards.gpkg"
    _wards({"id": [1.0, 2.0], "name": ["A", "B"]}, "EPSG:26915").to_file(path)
    wards = load_boundaries(path)
    assert wards["ward_id"].tolist() == ["1", "2"]
    assert wards["ward_name"].tolist() == ["A", "B"]
    assert wards.geometry.iloc[1].bounds == pytest.approx(EAST.bounds, abs=1e-7)


def test_city_limit_without_ids(tmp_path):
    path = tmp_path / "limit.geojson"
    gpd.GeoDataFrame(
        {"NAME": ["Little Rock"]}, geometry=[WEST.union(EAST)], crs="EPSG:4326"
    ).to_file(path, driver="GeoJSON")
    limit = load_boundaries(path)
    assert limit["ward_id"].tolist() == ["1"]
    assert limit["ward_name"].tolist() == ["Little Rock"]
    assert limit.geometry.iloc[0].area == pytest.approx(0.2 * 0.08)


def test_ward_only_column_names_wards(tmp_path):
    path = tmp_path / "wards.geojson"
    _wards({"Ward": ["3", "4"]}).to_file(path, driver="GeoJSON")
    wards = load_boundaries(path)
    assert wards["ward_id"].tolist() == ["3", "4"]
    assert wards["ward_name"].tolist() == ["Ward 3", "Ward 4"]


def test_zipped_shapefile_from_bytes(tmp_path):
    folder = tmp_path / "shp"
    folder.mkdir()
    _wards({"WARD": [5, 6]}).to_file(folder / "wards.shp")
    archive = tmp_path / "wards.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for part in folder.iterdir():
            zf.write(part, part.name)
    wards = load_boundaries(archive.read_bytes(), name="wards.zip")
    assert wards["ward_id"].tolist() == ["5", "6"]


def test_invalid_polygon_repaired_with_warning(tmp_path):
    bowtie = shapely.Polygon(
        [(-92.3, 34.7), (-92.2, 34.8), (-92.2, 34.7), (-92.3, 34.8), (-92.3, 34.7)]
    )
    path = tmp_path / "bad.geojson"
    gpd.GeoDataFrame({"ward": ["1"]}, geometry=[bowtie], crs="EPSG:4326").to_file(
        path, driver="GeoJSON"
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # fixes are returned, never warned
        wards = load_boundaries(path)
    assert wards.attrs["fixes"] == [f"{path}: 1 invalid polygons repaired"]
    assert wards.geometry.is_valid.all()
    # two triangles of 0.1 x 0.05 / 2 each
    assert wards.geometry.iloc[0].area == pytest.approx(0.005)


@pytest.mark.parametrize(
    ("content", "name", "match"),
    [
        (b"", "wards.geojson", "the file is empty"),
        (b"ward,name\n1,A\n", "wards.csv", "looks like a CSV table"),
        (
            b'{"type": "FeatureCollection", "features": [{"type": "Feature", '
            b'"properties": {}, "geometry": {"type": "Point", '
            b'"coordinates": [-92.3, 34.7]}}]}',
            "wards.geojson",
            r"expected polygons but found \['Point'\]",
        ),
        (b"PK\x03\x04garbage", "wards.zip", "not a readable boundary file"),
    ],
)
def test_unusable_boundaries(content, name, match):
    with pytest.raises(LoadError, match=match):
        load_boundaries(content, name=name)


def test_repeated_ward_ids_refused(tmp_path):
    path = tmp_path / "wards.geojson"
    _wards({"ward": ["1", "1"]}).to_file(path, driver="GeoJSON")
    with pytest.raises(LoadError, match=r"ward ids repeat \(\['1'\]\)"):
        load_boundaries(path)
