"""Write the zipped-shapefile fixtures of tests/data/real3 (run from the repo root).

A shapefile keeps attribute names to 10 characters (INCIDENT_DATE becomes
INCIDENT_D) and here stores points in Arkansas North state plane feet
(EPSG:3433), as a city GIS download does.
"""

from __future__ import annotations

import tempfile
import zipfile
from pathlib import Path

import geopandas as gpd
from shapely.geometry import Point

HERE = Path(__file__).resolve().parent


def write_zip(gdf: gpd.GeoDataFrame, stem: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        gdf.to_file(Path(tmp) / f"{stem}.shp")
        with zipfile.ZipFile(HERE / f"{stem}.zip", "w") as zf:
            for part in sorted(Path(tmp).iterdir()):
                zf.write(part, part.name)


incidents = gpd.GeoDataFrame(
    {
        "INCIDENT_DATE": [
            "03/26/2018 06:59:00 AM",
            "03/26/2018 02:05:00 PM",
            "03/27/2018 01:10:00 AM",
            "03/27/2018 03:30:00 AM",
        ],
        "INCIDENT_NUMBER": ["2018-035460", "2018-035501", "2018-035600", "2018-035610"],
        "LOCATION_DISTRICT": ["61", "51", "41", None],
        "OFFENSE_CODE": ["13A", "23C", "220", "11A"],
        "OFFENSE_DESCRIPTION": [
            "AGGRAVATED ASSAULT",
            "SHOPLIFTING",
            "BURGLARY/BREAKING & ENTERING",
            "RAPE",
        ],
        "WEAPON_TYPE": ["HANDGUN", None, None, None],
        "INCIDENT_LOCATION": [
            "6800 BASELINE RD",
            "12312 CHENAL PKWY",
            "1500 S MAIN ST",
            None,
        ],
    },
    geometry=[
        Point(-92.41804, 34.676143),
        Point(-92.401235, 34.757212),
        Point(-92.27331, 34.733001),
        None,
    ],
    crs="EPSG:4326",
).to_crs("EPSG:3433")
write_zip(incidents, "lrpd_shapefile")

cameras = gpd.GeoDataFrame(
    {
        "CAMERA_ID": ["S-1", "S-2", "S-3"],
        "OWNER_TYPE": ["Business", "School", "City"],
        "INSTALL_DATE": ["2023-05-01", "2023-06-01", None],
        "CAMERA_COUNT": [2, 1, 4],
    },
    geometry=[
        Point(-92.2733, 34.7455),
        Point(-92.2760, 34.7484),
        Point(-92.3436, 34.7254),
    ],
    crs="EPSG:4326",
).to_crs("EPSG:3433")
write_zip(cameras, "camera_shapefile")
