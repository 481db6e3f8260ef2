"""Audiences and redaction: hand-placed cameras whose cells are known."""

from __future__ import annotations

import h3
import pandas as pd
import pytest
import shapely

from analytics.privacy import (
    redact_cameras,
    redact_table,
    suppress_small_groups,
    validate_audience,
)
from analytics.safe_output import to_safe_csv
from analytics.schema import CONTACT_COLUMNS
from tests.conftest import CENTRE, make_cameras, offset

RES = 8


def _centre_of(cell: str) -> tuple[float, float]:
    return h3.cell_to_latlng(cell)


def _sites(
    cell: str,
    n: int,
    owner_type: str,
    prefix: str,
    east_m: float = 41.0,
    north_m: float = 27.0,
) -> list[dict]:
    """``n`` sites a few metres apart near (not at) the centre of ``cell``.

    Off-centre so that no hexagon vertex shares a coordinate with a camera.
    """
    lat, lon = _centre_of(cell)
    rows = []
    for i in range(n):
        la, lo = offset(lat, lon, east_m=east_m + 3.0 * i, north_m=north_m + 2.0 * i)
        rows.append(
            {
                "camera_id": f"{prefix}{i}",
                "latitude": la,
                "longitude": lo,
                "owner_type": owner_type,
                "address": f"{100 + i} Secret Lane {prefix}",
                "owner_name": f"Owner {prefix}{i}",
                "contact_phone": f"501-555-01{i:02d}",
                "contact_email": f"{prefix.lower()}{i}@example.org",
            }
        )
    return rows


@pytest.fixture
def scene(city):
    """5 residential sites in cell c0 (shown), 3 + 2 in siblings c1, c2 (merged
    into their parent), 1 far away (suppressed), 2 business sites, 1 withdrawn."""
    assert city.min_group_size == 5
    c0 = h3.latlng_to_cell(*CENTRE, RES)
    parent = h3.cell_to_parent(c0, RES - 1)
    c1, c2 = sorted(set(h3.cell_to_children(parent, RES)) - {c0})[:2]
    # a resolution-5 cell next to ours: more than MERGE_LEVELS levels away
    p5 = h3.cell_to_parent(c0, RES - 3)
    far = sorted(set(h3.grid_disk(p5, 1)) - {p5})[0]
    far_cell = h3.cell_to_center_child(far, RES)
    rows = (
        _sites(c0, 5, "residential", "A")
        + _sites(c1, 3, "residential", "B")
        + _sites(c2, 2, "residential", "C")
        + _sites(far_cell, 1, "residential", "D")
        + _sites(c0, 2, "business", "E", east_m=-90.0, north_m=-66.0)
    )
    rows[0]["tier"] = "integrated"
    rows[0]["camera_count"] = 2
    withdrawn = _sites(c1, 1, "residential", "W")[0]
    withdrawn["status"] = "withdrawn"
    cams = make_cameras([*rows, withdrawn])
    return {"cameras": cams, "c0": c0, "parent": parent, "c1": c1, "c2": c2}


def _dump(result) -> str:
    """Everything an output carries, as text."""
    return "\n".join(
        [
            to_safe_csv(result.points).decode("utf-8-sig"),
            result.points.geometry.to_wkt().str.cat(sep=" "),
            result.cells.drop(columns="geometry").to_csv(),
            result.cells.geometry.to_wkt().str.cat(sep=" "),
            result.note,
        ]
    )


def test_public_has_no_exact_private_data(scene, city):
    cams = scene["cameras"]
    result = redact_cameras(cams, "public", city)
    assert result.points.empty
    text = _dump(result)
    for row in cams.itertuples():
        assert f"{row.latitude:.4f}" not in text
        assert f"{row.longitude:.4f}" not in text
        assert row.address not in text
        assert row.owner_name not in text
        assert row.contact_phone not in text
        assert row.contact_email not in text


def test_public_counts_merges_and_suppresses(scene, city):
    result = redact_cameras(scene["cameras"], "public", city)
    cells = result.cells.set_index("h3")
    # c0: 5 residential + 2 business sites; first site has 2 cameras, integrated
    assert set(cells.index) == {scene["c0"], scene["parent"]}
    assert cells.loc[scene["c0"], "sites"] == 7
    assert cells.loc[scene["c0"], "cameras"] == 8
    assert cells.loc[scene["c0"], "integrated"] == 2
    assert not cells.loc[scene["c0"], "merged"]
    # c1 (3 sites) + c2 (2 sites) are each below 5: one merged group of 5
    assert cells.loc[scene["parent"], "sites"] == 5
    assert cells.loc[scene["parent"], "resolution"] == RES - 1
    assert cells.loc[scene["parent"], "merged"]
    assert result.merged_cameras == 5
    assert result.suppressed_cameras == 1  # the far site; withdrawn never counted
    assert "5 cameras in sparse cells were merged" in result.note
    assert "1 camera was suppressed" in result.note
    # groups do not overlap: the merged polygon leaves c0 out
    merged_poly = cells.loc[scene["parent"], "geometry"]
    c0_poly = cells.loc[scene["c0"], "geometry"]
    assert merged_poly.intersection(c0_poly).area < 1e-12
    lat, lon = _centre_of(scene["c1"])
    assert merged_poly.contains(shapely.Point(lon, lat))


def test_staff_sees_business_points_and_residential_counts(scene, city):
    cams = scene["cameras"]
    result = redact_cameras(cams, "staff", city)
    assert sorted(result.points["camera_id"]) == ["E0", "E1"]
    business = cams[cams["camera_id"] == "E0"].iloc[0]
    point = result.points.set_index("camera_id").loc["E0"]
    assert point["latitude"] == business["latitude"]
    assert point["address"] == business["address"]
    assert not set(CONTACT_COLUMNS) & set(result.points.columns)
    # residential only in cells: c0 now holds exactly the 5 residential sites
    cells = result.cells.set_index("h3")
    assert cells.loc[scene["c0"], "sites"] == 5
    text = _dump(result)
    for row in cams[cams["owner_type"] == "residential"].itertuples():
        assert f"{row.latitude:.4f}" not in text
        assert row.address not in text
    assert "Owner E0" not in text


def test_investigator_sees_everything_but_withdrawn(scene, city):
    result = redact_cameras(scene["cameras"], "investigator", city)
    assert len(result.points) == 13  # 14 rows minus the withdrawn one
    assert "W0" not in set(result.points["camera_id"])
    assert set(CONTACT_COLUMNS) <= set(result.points.columns)
    assert result.cells.empty


def test_below_minimum_everywhere_is_all_suppressed(city):
    cams = make_cameras(
        [
            {"latitude": CENTRE[0], "longitude": CENTRE[1], "owner_type": "residential"}
            for _ in range(city.min_group_size - 1)
        ]
    )
    result = redact_cameras(cams, "public", city)
    assert result.cells.empty
    assert result.suppressed_cameras == city.min_group_size - 1


def test_redact_table_by_audience():
    lat, lon = CENTRE
    frame = make_cameras(
        [
            {"latitude": lat, "longitude": lon, "owner_type": t, "address": f"{t} st"}
            for t in ("residential", "business", "public")
        ]
    )
    frame["owner_name"] = "N"
    frame["distance_m"] = [1.0, 2.0, 3.0]
    public = redact_table(frame, "public")
    staff = redact_table(frame, "staff")
    inv = redact_table(frame, "investigator")
    assert not set(CONTACT_COLUMNS) & (set(public.columns) | set(staff.columns))
    assert set(CONTACT_COLUMNS) <= set(inv.columns)
    # public: only the city-owned camera keeps its location
    assert public["latitude"].isna().tolist() == [True, True, False]
    assert public["address"].isna().tolist() == [True, True, False]
    assert public.geometry.isna().tolist() == [True, True, False]
    # staff: only the residential camera is blanked
    assert staff["latitude"].isna().tolist() == [True, False, False]
    assert staff["address"].isna().tolist() == [True, False, False]
    assert public["distance_m"].tolist() == [1.0, 2.0, 3.0]
    assert frame["latitude"].notna().all()  # input untouched


def test_redact_table_without_owner_type_hides_all_locations():
    frame = pd.DataFrame(
        {"latitude": [1.0], "longitude": [2.0], "contact_phone": ["x"]}
    )
    out = redact_table(frame, "staff")
    assert out["latitude"].isna().all()
    assert "contact_phone" not in out


@pytest.mark.parametrize("bad", ["admin", "Staff", ""])
def test_validate_audience_names_bad_value(bad):
    with pytest.raises(ValueError, match=repr(bad)):
        validate_audience(bad)
    assert validate_audience("staff") == "staff"


def test_suppress_small_groups_blanks_counts_below_the_minimum(city):
    table = pd.DataFrame(
        {
            "ward": ["1", "2", "3"],
            "sites": [4, 5, 12],
            "cameras": [9, 5, 30],
        }
    )
    out, note = suppress_small_groups(table, city)
    assert out["ward"].tolist() == ["1", "2", "3"]
    assert out["sites"].isna().tolist() == [True, False, False]
    assert out["cameras"].isna().tolist() == [True, False, False]
    assert out.loc[2, "cameras"] == 30
    assert note.startswith("1 area has fewer than 5 sites")
    assert suppress_small_groups(table[table["sites"] >= 5], city)[1] == ""
    with pytest.raises(ValueError, match="'households'"):
        suppress_small_groups(table, city, sites_column="households")
