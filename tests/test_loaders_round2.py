"""Real exports, round two (issue 12): victims folded, descriptions coded, wrong
kinds refused, foreign extents explained, location text kept as the address,
the quarantine file reloads, demo files stay synthetic, address-only exports
geocode offline.

Fixtures in tests/data/round2/ are written in the real layouts (LRPD current and
older exports, a city camera list, a Chicago camera list, a derived
descriptions-only export, a city address-point file); expected answers are
counted by hand from those files.
"""

from __future__ import annotations

import csv
import io
import json

import pandas as pd
import pytest

from analytics.cli import main
from analytics.datasets import load_dataset, unmapped_sentences
from analytics.geocode import load_address_points, parse_address
from analytics.loaders import LoadError, load_boundaries, load_cameras, load_incidents
from analytics.synthetic import generate_demo, write_demo


@pytest.fixture
def r2(data_dir):
    return data_dir / "round2"


def run_cli(capsys, *argv) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    out = capsys.readouterr()
    return code, out.out, out.err


# --- 1. one row per victim ---
def test_victim_rows_fold_into_their_incident(city, r2):
    result = load_incidents(r2 / "lrpd_victims.csv", city)
    # 12 rows: 3 victims of one assault (2 folded), a robbery + assault (one
    # incident with 2 offences: the assault row folded into the robbery, listed
    # first), 2 homicide victims (1 folded), 2 rape victims without coordinates,
    # a shoplifting, a vandalism and its conflicting repeat at another address
    assert result.rows_read == 12
    assert (len(result.accepted), result.folded, len(result.quarantined)) == (5, 4, 3)
    assert result.rows_read == len(result.accepted) + result.folded + len(
        result.quarantined
    )
    assert result.reasons == {
        "missing coordinates": 2,
        "incident number and offence repeated at another place or time": 1,
    }
    rows = result.accepted.set_index(["incident_id", "offense_code"])["rows"]
    assert rows.to_dict() == {
        ("2019-061001", "13A"): 3,
        ("2019-061050", "120"): 1,
        ("2019-061120", "09A"): 2,
        ("2019-061230", "23C"): 1,
        ("2019-061300", "290"): 1,
    }
    # victims of violent crime: 3 + 1 + 2 on the map (the robbery and assault
    # rows of 2019-061050 are one victim each: one victim of one incident)
    violent = result.accepted[result.accepted["category"] == "violent"]
    assert (len(violent), int(violent["rows"].sum())) == (3, 6)
    assert result.summary()["folded"] == 4


def _box(ward: str, west: float, south: float, east: float, north: float) -> dict:
    ring = [[west, south], [east, south], [east, north], [west, north], [west, south]]
    return {
        "type": "Feature",
        "properties": {"WARD": ward, "NAME": f"Ward {ward}"},
        "geometry": {"type": "Polygon", "coordinates": [ring]},
    }


def test_coverage_counts_incidents_and_shows_violent_victims(tmp_path, r2, capsys):
    # ward A holds the assault with 3 victims and the robbery + assault at
    # 5100 W 65th (one incident, 1 victim); ward B the homicide with 2 victims and
    # the vandalism
    # (property); the shoplifting at Chenal lies in neither
    wards = tmp_path / "wards.geojson"
    wards.write_text(
        json.dumps(
            {
                "type": "FeatureCollection",
                "features": [
                    _box("A", -92.45, 34.66, -92.30, 34.70),
                    _box("B", -92.30, 34.70, -92.20, 34.76),
                ],
            }
        )
    )
    files = (
        "--cameras",
        r2 / "camera_list_undated.csv",
        "--incidents",
        r2 / "lrpd_victims.csv",
        "--wards",
        wards,
    )
    code, out, _ = run_cli(capsys, "coverage", *files, "--json")
    assert code == 0
    got = json.loads(out)
    # 5 incidents (not 9 rows): 3 violent holding 3 + 1 + 2 = 6 victims
    assert (got["incidents"], got["violent_incidents"], got["violent_victims"]) == (
        5,
        3,
        6,
    )
    by_ward = {
        w["ward_id"]: (w["incidents"], w["violent_incidents"], w["violent_victims"])
        for w in got["wards"]
    }
    assert by_ward == {"A": (2, 2, 4), "B": (2, 1, 2)}
    code, out, _ = run_cli(capsys, "coverage", *files)
    assert code == 0
    assert "Violent crime: 3 incidents, 6 victims" in out
    # one row per incident (the demo's layout): victims equal incidents
    code, out, _ = run_cli(capsys, "coverage", "--json")
    demo = json.loads(out)
    assert demo["violent_victims"] == demo["violent_incidents"] > 0


def test_validate_exits_0_when_repeats_are_only_folded(tmp_path, r2, capsys):
    lines = (r2 / "lrpd_victims.csv").read_text(encoding="utf-8-sig").splitlines()
    # keep the header and the three identical assault rows plus the homicide pair
    path = tmp_path / "victims.csv"
    path.write_text("\n".join([lines[0], *lines[1:4], *lines[6:8]]) + "\n")
    code, out, _ = run_cli(capsys, "validate", "incidents", path)
    assert code == 0
    assert "folded                3" in out
    assert "quarantined           0" in out
    code, out, _ = run_cli(capsys, "validate", "incidents", path, "--json")
    summary = json.loads(out)
    assert (summary["accepted"], summary["folded"], summary["quarantined"]) == (
        2,
        3,
        0,
    )


# --- 2. descriptions without codes ---
def test_descriptions_map_to_nibrs_codes_and_categories(city, r2):
    result = load_incidents(r2 / "violent_descriptions.csv", city)
    got = result.accepted[["offense", "offense_code", "category"]]
    assert got["offense_code"].fillna("-").tolist() == [
        "13A",
        "120",
        "09A",
        "220",
        "23F",
        "290",
        "13A",
        "-",
    ]
    assert got["category"].tolist() == [
        "violent",
        "violent",
        "violent",
        "property",
        "property",
        "property",  # vandalism: NIBRS crime against property
        "violent",
        "other",
    ]
    assert result.unknown_offenses == {"LOITERING": 1}


def test_unknown_descriptions_are_listed_by_validate(r2, capsys):
    code, out, _ = run_cli(
        capsys, "validate", "incidents", r2 / "violent_descriptions.csv"
    )
    assert code == 0
    assert "Offence descriptions not recognised" in out
    assert "LOITERING" in out


def test_violent_filter_finds_description_only_incidents(r2, data_dir, capsys):
    code, out, _ = run_cli(
        capsys,
        "coverage",
        "--cameras",
        r2 / "camera_list_undated.csv",
        "--incidents",
        r2 / "violent_descriptions.csv",
        "--categories",
        "violent",
        "--json",
    )
    assert code == 0
    assert json.loads(out)["incidents"] == 4


# --- 4. quarantine round trip ---
def test_quarantine_file_reloads_after_a_person_fixes_a_row(tmp_path, city, capsys):
    export = tmp_path / "registry.csv"
    export.write_text(
        "camera_id,latitude,longitude,owner_type,owner_name,registered_at\n"
        'A,34.7465,-92.2896,business,=HYPERLINK("http://x"),2024-09-01\n'
        "B,34.7470,-92.30,business,-Corner shop,2024-09-02\n"
        "C,34.7480,-192.31,business,Ann,2024-09-03\n"
        "D,34.7490,-92.32,business,Bob,2024-09-04\n"
    )
    out_csv = tmp_path / "quarantine.csv"
    code, _, _ = run_cli(capsys, "validate", "cameras", export, "--quarantine", out_csv)
    assert code == 1
    # numbers, negative ones too, are written as numbers; formula text is guarded
    raw = out_csv.read_text(encoding="utf-8-sig")
    assert "-192.31" in raw
    assert "'-192.31" not in raw
    records = list(csv.DictReader(io.StringIO(raw)))
    assert [r["camera_id"] for r in records] == ["C"]
    # a person corrects the longitude in a spreadsheet and saves the file
    fixed = tmp_path / "fixed.csv"
    with fixed.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(records[0]))
        writer.writeheader()
        writer.writerow({**records[0], "longitude": "-92.31"})
    code, out, _ = run_cli(capsys, "validate", "cameras", fixed, "--json")
    assert code == 0
    assert json.loads(out)["accepted"] == 1
    # the guard's apostrophe is taken off again on reading
    guarded = tmp_path / "guarded.csv"
    guarded.write_text(
        "camera_id,latitude,longitude,owner_type,owner_name\n"
        "A,34.7465,'-92.2896,business,'=HYPERLINK(\"http://x\")\n"
        "B,34.7470,-92.30,business,'-Corner shop\n"
    )
    result = load_cameras(guarded, city)
    assert result.accepted["longitude"].tolist() == [-92.2896, -92.30]
    assert result.accepted["owner_name"].tolist() == [
        '=HYPERLINK("http://x")',
        "-Corner shop",
    ]


# --- 5. files of the wrong kind ---
@pytest.mark.parametrize(
    ("kind", "fixture", "looks"),
    [
        ("cameras", "lrpd/lrpd_current.csv", "a crime incident export"),
        ("cameras", "round2/wards.geojson", "a polygon file"),
        ("incidents", "round2/wards.geojson", "a polygon file"),
        ("incidents", "round2/camera_list_undated.csv", "a camera list"),
    ],
)
def test_wrong_kind_exits_2_naming_what_the_file_looks_like(
    data_dir, capsys, kind, fixture, looks
):
    code, out, err = run_cli(capsys, "validate", kind, data_dir / fixture)
    assert code == 2
    assert out == ""
    assert f"this looks like {looks}" in err
    assert len(err.strip().splitlines()) == 1


def test_boundaries_refuse_a_point_table(r2):
    with pytest.raises(LoadError, match="boundaries must be polygons"):
        load_boundaries(r2 / "camera_list_undated.csv")


# --- 6. a file from elsewhere ---
def test_foreign_file_gets_one_message_with_both_extents(city, r2, capsys):
    result = load_cameras(r2 / "cameras_other_city.csv", city)
    assert result.reasons == {"outside the city extent": 4}
    assert len(result.notes) == 1
    note = result.notes[0]
    # longitudes -87.6298, -87.6233, -87.6079, -87.65 (4 significant digits)
    assert "latitude 41.85 to 41.89, longitude -87.65 to -87.61" in note
    assert "latitude 34.6 to 34.9, longitude -92.58 to -92.13" in note
    assert "another city" in note
    code, out, _ = run_cli(capsys, "validate", "cameras", r2 / "cameras_other_city.csv")
    assert code == 1
    assert out.count("lie outside the city") == 1


def test_projected_coordinates_are_named_as_the_likely_cause(city):
    content = b"camera_id,latitude,longitude\nA,345000.5,1200000.25\nB,345100,1200100\n"
    result = load_cameras(content, city, name="cams.csv")
    assert "projected coordinates" in result.notes[0]


# --- 7. location text ---
def test_location_text_is_the_address_when_it_is_not_coordinates(city, r2):
    result = load_cameras(r2 / "camera_list_undated.csv", city)
    assert len(result.quarantined) == 0
    assert result.accepted["address"].tolist()[:3] == [
        "Chester Road (White City)",
        "W Markham St & Broadway",
        "University Ave & Asher Ave (SW corner)",
    ]
    assert result.accepted["registered_at"].isna().all()


# --- 8. the demo stays synthetic through files ---
def test_demo_files_loaded_back_are_synthetic(tmp_path, city, capsys):
    demo = generate_demo(city, cameras=200, incidents=1_500, seed=3)
    paths = write_demo(tmp_path, demo)
    ds = load_dataset(
        city,
        cameras=paths["cameras"],
        incidents=paths["incidents"],
        wards=paths["wards"],
    )
    assert ds.synthetic
    assert ds.label.startswith("Synthetic demo data")
    code, out, _ = run_cli(capsys, "validate", "incidents", paths["incidents"])
    assert code == 0
    assert "Synthetic demo data" in out
    code, out, _ = run_cli(
        capsys,
        "coverage",
        "--cameras",
        paths["cameras"],
        "--incidents",
        paths["incidents"],
    )
    assert "synthetic" in out.splitlines()[0]
    code, out, _ = run_cli(
        capsys,
        "coverage",
        "--cameras",
        paths["cameras"],
        "--incidents",
        paths["incidents"],
        "--json",
    )
    assert json.loads(out)["synthetic"] is True
    # through the registry store too: the registrations keep source "synthetic"
    db = tmp_path / "registry.sqlite"
    assert run_cli(capsys, "registry", "init", "--db", db)[0] == 0  # explicit
    code, _, _ = run_cli(
        capsys, "registry", "import", paths["cameras"], "--db", db, "--user", "t"
    )
    assert code == 0
    stored = load_dataset(city, registry_db=db, incidents=paths["incidents"])
    assert stored.synthetic


# --- 9. what was not mapped ---
def test_unmapped_rows_are_counted_per_reason_in_plain_words(city, r2):
    ds = load_dataset(
        city,
        cameras=r2 / "camera_list_undated.csv",
        incidents=r2 / "lrpd_victims.csv",
    )
    incidents, cameras = unmapped_sentences(ds)
    assert incidents == (
        "3 of 12 incident rows are not on the map: 2 have no location in the file "
        "(including all 2 rapes: the police withhold their locations); 1 was set "
        "aside (incident number and offence repeated at another place or time). "
        "4 more rows repeat an incident (once per victim, or for another of its "
        "offences) and are counted in it."
    )
    assert cameras == "All 6 registry rows are on the map."


def test_coverage_command_says_what_was_not_mapped(r2, capsys):
    code, out, _ = run_cli(
        capsys,
        "coverage",
        "--cameras",
        r2 / "camera_list_undated.csv",
        "--incidents",
        r2 / "lrpd_victims.csv",
    )
    assert code == 0
    assert "Not mapped: 3 of 12 incident rows are not on the map" in out


# --- 10. address-only exports ---
def test_addresses_only_without_an_address_file_says_what_to_give(city, r2, capsys):
    with pytest.raises(LoadError, match="addresses only: give an address-point file"):
        load_incidents(r2 / "lrpd_addresses_only.csv", city)
    code, _, err = run_cli(
        capsys, "validate", "incidents", r2 / "lrpd_addresses_only.csv"
    )
    assert code == 2
    assert "addresses only" in err


@pytest.mark.parametrize("points", ["address_points.csv", "address_points.geojson"])
def test_address_only_export_geocodes_against_address_points(city, r2, points):
    result = load_incidents(r2 / "lrpd_addresses_only.csv", city, addresses=r2 / points)
    # 6 rows: 4 found (one by block), 1 unknown address, 1 rape without address
    assert result.reasons == {"address not found": 1, "missing coordinates": 1}
    assert result.geocoding == {
        "address_file": points,
        "addresses": 5,
        "matched": 4,
        "by_block": 1,
        "by_intersection": 0,
        "rate": 0.8,
    }
    got = result.accepted.set_index("incident_id")[["latitude", "longitude"]]
    assert tuple(got.loc["2017-000101"]) == (34.676143, -92.41804)
    # the 5200 block: the middle of 5201 and 5299 (5301 is the next block)
    assert tuple(got.loc["2017-000102"].round(6)) == (34.694, -92.345)
    # "1500 South Main Street Apt 4" -> 1500 S MAIN ST
    assert tuple(got.loc["2017-000103"]) == (34.733001, -92.27331)
    # "300 WEST MARKHAM ST #200" -> 300 W MARKHAM ST
    assert tuple(got.loc["2017-000104"]) == (34.74851, -92.272101)
    assert "4 of 5 addresses found" in result.notes[0]


def test_validate_takes_addresses_from_option_or_environment(r2, capsys, monkeypatch):
    code, out, _ = run_cli(
        capsys,
        "validate",
        "incidents",
        r2 / "lrpd_addresses_only.csv",
        "--addresses",
        r2 / "address_points.csv",
    )
    assert code == 1
    assert "4 of 5 addresses found in address_points.csv (80.0%)" in out
    assert "address not found" in out
    monkeypatch.setenv("CAMREG_ADDRESSES", str(r2 / "address_points.geojson"))
    code, out, _ = run_cli(
        capsys, "validate", "incidents", r2 / "lrpd_addresses_only.csv", "--json"
    )
    assert json.loads(out)["geocoding"]["rate"] == 0.8


@pytest.mark.parametrize(
    ("text", "number", "street", "block"),
    [
        ("5200 BLOCK GEYER SPRINGS RD", 5200, "GEYER SPRINGS RD", True),
        ("52XX Geyer Springs Road", 5200, "GEYER SPRINGS RD", True),
        ("1500 South Main Street, Little Rock, AR 72202", 1500, "S MAIN ST", False),
        ("300 W. Markham St. Suite 200", 300, "W MARKHAM ST", False),
        ("12 Kanis Rd #4B", 12, "KANIS RD", False),
        ("8000 N Rodney Parham Parkway", 8000, "N RODNEY PARHAM PKWY", False),
    ],
)
def test_addresses_normalise(text, number, street, block):
    parsed = parse_address(text)
    assert (parsed.number, parsed.street, parsed.block) == (number, street, block)


def test_address_file_without_points_is_refused(tmp_path):
    path = tmp_path / "points.csv"
    path.write_text("ADDRESS,OWNER\n1 MAIN ST,x\n")
    with pytest.raises(LoadError, match="latitude/longitude columns or point"):
        load_address_points(path)


def test_geocoded_incidents_feed_the_dataset(city, r2):
    ds = load_dataset(
        city,
        cameras=r2 / "camera_list_undated.csv",
        incidents=r2 / "lrpd_addresses_only.csv",
        addresses=r2 / "address_points.csv",
    )
    assert len(ds.incidents) == 4
    assert (
        "1 has an address not found in the address-point file"
        in (unmapped_sentences(ds)[0])
    )


def test_summary_is_json_serialisable(city, r2):
    result = load_incidents(r2 / "lrpd_victims.csv", city)
    assert json.loads(json.dumps(result.summary()))["folded"] == 4
    assert isinstance(result.accepted["rows"], pd.Series)


def test_synthetic_downloads_say_so_and_load_back_synthetic(city, tmp_path):
    from analytics.safe_output import mark_geojson, set_synthetic_exports, to_safe_csv

    demo = generate_demo(city, cameras=50, incidents=200, seed=5)
    cams = demo.cameras.drop(columns="source")  # only the export marker remains
    text = to_safe_csv(cams, synthetic=True).decode("utf-8-sig")
    assert text.splitlines()[1].startswith("synthetic,")
    assert load_cameras(text.encode(), city, name="download.csv").synthetic
    assert "data_origin" not in to_safe_csv(cams, synthetic=False).decode()
    wards = json.loads(mark_geojson(demo.wards.to_json(), synthetic=True))
    assert wards["data_origin"] == "synthetic"
    assert {f["properties"]["data_origin"] for f in wards["features"]} == {"synthetic"}
    path = tmp_path / "wards.geojson"
    path.write_text(json.dumps(wards))
    assert load_boundaries(path).attrs["synthetic"]
    # the page / command setting applies when no flag is given
    set_synthetic_exports(True)
    try:
        assert to_safe_csv(cams.head(1)).decode("utf-8-sig").startswith("data_origin")
    finally:
        set_synthetic_exports(False)
