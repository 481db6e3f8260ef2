"""Real exports, round three (issue 12 re-checked from outside): layouts the
round-two fixtures did not have.

Found by loading files written in real layouts that the tests had never seen:
dates written as numbers (ArcGIS GeoJSON epoch milliseconds, spreadsheet serial
days), a derived violent-crime export without incident numbers that repeats a
row per victim, an undated registry in ``forecast`` and the goal sentence, and
demo files loaded back into ``forecast``, ``canvass`` and ``recommend --out``.
Fixtures in tests/data/real3/; expected answers counted by hand from them.
"""

from __future__ import annotations

import json

import pandas as pd
import pytest

from analytics.cli import main
from analytics.config import load_city
from analytics.figures import goal_sentence
from analytics.forecast import forecast_goal
from analytics.loaders import LoadError, load_cameras, load_incidents
from analytics.schema import UNDATED_REGISTRY_NOTE
from analytics.synthetic import generate_demo, write_demo
from analytics.validation import parse_datetimes


@pytest.fixture
def r3(data_dir):
    return data_dir / "real3"


def run_cli(capsys, *argv) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    out = capsys.readouterr()
    return code, out.out, out.err


# --- dates written as numbers ---------------------------------------------------
def test_arcgis_geojson_epoch_milliseconds_are_utc_dates(city, r3):
    result = load_incidents(r3 / "arcgis_incidents_epoch_ms.geojson", city)
    # 3 features: two dated in UTC milliseconds, one without geometry
    assert (result.rows_read, len(result.accepted)) == (3, 2)
    assert result.reasons == {"missing coordinates": 1}
    acc = result.accepted
    when = dict(zip(acc["incident_id"], acc["occurred_at"], strict=True))
    # 11:59 UTC on 26 Mar 2019 is 06:59 in Little Rock (CDT, UTC-5);
    # 19:05 UTC on 15 Jan 2019 is 13:05 (CST, UTC-6)
    assert when["2019-035460"] == pd.Timestamp("2019-03-26 06:59:00")
    assert when["2019-035501"] == pd.Timestamp("2019-01-15 13:05:00")
    assert any("Unix time in milliseconds" in w for w in result.warnings)


def test_spreadsheet_serial_days_are_dates(city, r3):
    result = load_incidents(r3 / "lrpd_excel_serial_dates.csv", city)
    assert (result.rows_read, len(result.accepted), len(result.quarantined)) == (
        4,
        4,
        0,
    )
    acc = result.accepted
    when = dict(zip(acc["incident_id"], acc["occurred_at"], strict=True))
    # day 43550 counted from 30 Dec 1899 is 26 Mar 2019; .7909722 of a day 18:59
    assert when["2019-000101"] == pd.Timestamp("2019-03-26 18:59:00")
    assert when["2019-000102"] == pd.Timestamp("2019-03-27 01:05:00")
    assert when["2019-000104"] == pd.Timestamp("2019-03-28 00:00:00")
    # the one text date in the column still parses as text
    assert when["2019-000105"] == pd.Timestamp("2019-03-29 10:00:00")
    assert any("spreadsheet serial day numbers" in w for w in result.warnings)


def test_a_stray_number_among_text_dates_stays_a_bad_date():
    text = pd.Series(
        ["03/26/2019 06:59:00 AM", "03/27/2019 01:10:00 AM", "43550", "", "junk"]
    )
    stamps, empty, bad = parse_datetimes(text, "America/Chicago")
    # numbers are dates only when they are most of the column (1 of 4 here)
    assert bad.tolist() == [False, False, True, False, True]
    assert empty.tolist() == [False, False, False, True, False]
    assert stamps[0] == pd.Timestamp("2019-03-26 06:59:00")


def test_epoch_seconds_and_serials_told_apart_by_size():
    notes: list[str] = []
    text = pd.Series(["1553601540", "43550.5", "1553601540000"])
    stamps, _, bad = parse_datetimes(text, "UTC", notes=notes)
    assert not bad.any()
    assert stamps.tolist() == [
        pd.Timestamp("2019-03-26 11:59:00"),
        pd.Timestamp("2019-03-26 12:00:00"),
        pd.Timestamp("2019-03-26 11:59:00"),
    ]
    assert len(notes) == 3  # one sentence per kind of number


# --- one row per victim without incident numbers --------------------------------
def test_unnumbered_victim_rows_fold_on_date_offence_and_place(city, r3):
    result = load_incidents(r3 / "violent_unnumbered_victims.csv", city)
    # 8 rows: an assault with 3 victims (2 folded), a robbery with 2 (1 folded),
    # a homicide, a rape without coordinates, a later assault at the same place
    assert result.rows_read == 8
    assert (len(result.accepted), result.folded, len(result.quarantined)) == (4, 3, 1)
    acc = result.accepted.sort_values("occurred_at")
    assert acc["rows"].tolist() == [3, 2, 1, 1]
    assert acc["offense_code"].tolist() == ["13A", "120", "09A", "13A"]
    assert set(acc["category"]) == {"violent"}
    assert any("no incident number" in w and "3 rows" in w for w in result.warnings)


def test_unnumbered_victims_counted_in_coverage(capsys, r3, data_dir):
    code, out, _ = run_cli(
        capsys,
        "coverage",
        "--cameras",
        data_dir / "round2" / "camera_list_undated.csv",
        "--incidents",
        r3 / "violent_unnumbered_victims.csv",
        "--whole-record",
    )
    assert code == 0
    assert "Violent crime: 4 incidents, 7 victims" in out


# --- an undated registry in forecast and the goal sentence ----------------------
def test_forecast_on_an_undated_registry_says_so_and_nothing_else(capsys, data_dir):
    code, out, _ = run_cli(
        capsys, "forecast", "--cameras", data_dir / "round2" / "camera_list_undated.csv"
    )
    assert code == 1  # no forecast can be made
    assert UNDATED_REGISTRY_NOTE in out
    assert "None model" not in out
    assert "not growing" not in out
    assert "Launch stock" not in out  # no stock "before launch" of unknown date


def test_goal_sentence_of_an_undated_registry_is_the_note(city, data_dir):
    cams = load_cameras(data_dir / "round2" / "camera_list_undated.csv", city).accepted
    fc = forecast_goal(cams, city, as_of=pd.Timestamp("2025-01-31").date())
    assert fc.status == "undated"
    assert goal_sentence(fc) == UNDATED_REGISTRY_NOTE


# --- demo files loaded back into every command that takes a camera file ---------
@pytest.fixture
def demo_files(tmp_path):
    city = load_city()
    return write_demo(tmp_path, generate_demo(city, cameras=60, incidents=400, seed=7))


def test_forecast_and_canvass_on_demo_files_say_synthetic(capsys, demo_files):
    cams = demo_files["cameras"]
    _, out, _ = run_cli(capsys, "forecast", "--cameras", cams)
    assert out.splitlines()[0].startswith(
        "Goal progress, data: cameras.csv (synthetic)"
    )
    _, out, _ = run_cli(capsys, "forecast", "--cameras", cams, "--json")
    assert json.loads(out)["synthetic"] is True
    _, out, _ = run_cli(
        capsys, "canvass", "--cameras", cams, "--lat", "34.74", "--lon", "-92.28"
    )
    assert "data: cameras.csv (synthetic)" in out


def test_recommend_geojson_from_demo_files_carries_the_marker(
    capsys, demo_files, tmp_path
):
    out_file = tmp_path / "sites.geojson"
    code, _, _ = run_cli(
        capsys,
        "recommend",
        "--cameras",
        demo_files["cameras"],
        "--incidents",
        demo_files["incidents"],
        "--sites",
        "2",
        "--out",
        out_file,
    )
    assert code == 0
    doc = json.loads(out_file.read_text(encoding="utf-8"))
    assert doc["data_origin"] == "synthetic"
    assert len(doc["features"]) == 2
    assert {f["properties"]["data_origin"] for f in doc["features"]} == {"synthetic"}


# --- the time of day in its own column (Los Angeles open-data layout) -----------
def test_la_layout_date_occ_plus_time_occ_and_crime_descriptions(city, r3):
    result = load_incidents(r3 / "la_layout_incidents.csv", city)
    # 6 rows: the rape row's location is withheld as 0, 0 (quarantined)
    assert (result.rows_read, len(result.accepted)) == (6, 5)
    assert result.reasons == {"coordinates are (0, 0)": 1}
    acc = result.accepted.set_index("incident_id")
    # DATE OCC is a midnight date; TIME OCC is the 24-hour clock as a number
    assert acc.loc["220314567", "occurred_at"] == pd.Timestamp("2022-03-26 21:30")
    assert acc.loc["220314568", "occurred_at"] == pd.Timestamp("2022-03-26 00:05")
    assert acc.loc["220314571", "occurred_at"] == pd.Timestamp("2022-03-28 09:30")
    # Crm Cd is an LAPD code (330, 510...), never read as NIBRS; the descriptions
    # are: aggravated assault, burglary from vehicle = theft from motor vehicle,
    # vehicle stolen, trespassing (not a NIBRS group A offence), bike stolen
    assert acc["offense_code"].fillna("none").tolist() == [
        "13A",
        "23F",
        "240",
        "none",
        "23H",
    ]
    assert acc["category"].tolist() == [
        "violent",
        "property",
        "property",
        "other",
        "property",
    ]
    assert result.unknown_offenses == {"TRESPASSING": 1}
    assert any("time of day read from 'TIME OCC'" in w for w in result.warnings)


def test_a_separate_time_column_is_ignored_when_the_dates_have_times(city):
    text = (
        "CASE_NUMBER,OCCURRED_DATE,TIME,OFFENSE_CODE,LATITUDE,LONGITUDE\n"
        "22-1,03/26/2022 06:59:00 AM,2130,13A,34.676143,-92.41804\n"
        "22-2,03/26/2022,not known,120,34.7262,-92.3411\n"
    )
    result = load_incidents(text.encode(), city, name="mixed.csv")
    when = result.accepted.set_index("incident_id")["occurred_at"]
    assert when["22-1"] == pd.Timestamp("2022-03-26 06:59")  # its own time wins
    assert when["22-2"] == pd.Timestamp("2022-03-26 00:00")


def test_an_unreadable_time_keeps_the_date_and_says_so(city):
    text = (
        "CASE_NUMBER,OCCURRED_DATE,OCCURRED_TIME,OFFENSE_CODE,LATITUDE,LONGITUDE\n"
        "22-1,03/26/2022,6:59 PM,13A,34.676143,-92.41804\n"
        "22-2,03/26/2022,25:99,120,34.7262,-92.3411\n"
    )
    result = load_incidents(text.encode(), city, name="times.csv")
    assert len(result.accepted) == 2  # a bad time does not lose the incident
    when = result.accepted.set_index("incident_id")["occurred_at"]
    assert when["22-1"] == pd.Timestamp("2022-03-26 18:59")
    assert when["22-2"] == pd.Timestamp("2022-03-26 00:00")
    assert any("1 row with a time in 'OCCURRED_TIME'" in w for w in result.warnings)


# --- pages on an undated registry: nothing "added", no monthly bars, no "None" ----
@pytest.fixture
def undated_pages(monkeypatch, data_dir):
    from pagetest import clear_data_env

    from ui.data import get_dataset

    clear_data_env(monkeypatch)
    r2 = data_dir / "round2"
    monkeypatch.setenv("CAMREG_CAMERAS", str(r2 / "camera_list_undated.csv"))
    monkeypatch.setenv("CAMREG_INCIDENTS", str(r2 / "lrpd_victims.csv"))
    get_dataset.clear()
    yield
    get_dataset.clear()


def _page_text(at) -> str:
    parts = []
    for kind in ("markdown", "caption", "info", "warning", "error", "success"):
        parts += [str(e.value) for e in getattr(at, kind)]
    return " ".join(parts).replace("\\", "")


def test_overview_on_an_undated_registry_claims_no_change(undated_pages):
    from pagetest import ROOT
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "pages/0_Overview.py"), default_timeout=180)
    at.run()
    assert not at.exception
    tiles = {m.label: m.value for m in at.metric}
    # the 4 cameras of the list are stock of unknown date, not last month's news
    assert tiles["Added in the last 30 days"] == "unknown"
    assert tiles["Cameras added"] == "unknown"
    assert tiles["Cameras withdrawn"] == "unknown"
    text = _page_text(at)
    assert "neither the cameras added nor the coverage a month ago" in text
    assert "None model" not in text


def test_goal_progress_on_an_undated_registry_draws_no_monthly_bars(undated_pages):
    from pagetest import ROOT
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "pages/3_Goal_progress.py"), default_timeout=180)
    at.run()
    assert not at.exception
    text = _page_text(at)
    assert UNDATED_REGISTRY_NOTE in text
    assert "Each month's new registrations" not in text
    assert "None model" not in text
    assert "not growing" not in text


# --- forecast with only a registry configured (it needs no incidents) ----------
def test_forecast_runs_on_a_configured_registry_store_alone(
    capsys, monkeypatch, demo_files, tmp_path
):
    from pagetest import clear_data_env

    from analytics.store import RegistryStore

    clear_data_env(monkeypatch)
    db = tmp_path / "registry.sqlite"
    RegistryStore.init(db)
    RegistryStore(db).import_file(demo_files["cameras"], load_city(), user="test")
    monkeypatch.setenv("CAMREG_REGISTRY_DB", str(db))
    code, out, err = run_cli(capsys, "forecast")
    assert "no incidents" not in err  # was refused: "real cameras ... no incidents"
    # the demo's registrations keep their marker in the store
    assert out.splitlines()[0].startswith(
        "Goal progress, data: registry registry.sqlite (synthetic)"
    )
    assert code in (0, 1)


def test_forecast_runs_on_a_configured_camera_file_alone(capsys, monkeypatch, data_dir):
    from pagetest import clear_data_env

    clear_data_env(monkeypatch)
    monkeypatch.setenv(
        "CAMREG_CAMERAS", str(data_dir / "round2" / "camera_list_undated.csv")
    )
    code, out, _ = run_cli(capsys, "forecast")
    assert code == 1
    assert out.splitlines()[0].startswith(
        "Goal progress, data: camera_list_undated.csv, as of"
    )
    assert UNDATED_REGISTRY_NOTE in out


def test_briefing_on_an_undated_registry_names_the_reason_for_no_model(data_dir):
    from analytics.briefing import build_briefing
    from analytics.datasets import load_dataset

    r2 = data_dir / "round2"
    ds = load_dataset(
        load_city(),
        cameras=r2 / "camera_list_undated.csv",
        incidents=r2 / "lrpd_victims.csv",
    )
    html = build_briefing(ds, audience="staff")
    assert UNDATED_REGISTRY_NOTE.replace('"', "&#34;") in html or (
        UNDATED_REGISTRY_NOTE.replace('"', "&quot;") in html
    )
    assert "no model (no registration dates)" in html
    assert "too little history" not in html
    assert "None model" not in html


def test_not_mapped_sentence_carries_the_foreign_extent_cause(data_dir):
    from analytics.datasets import load_dataset, unmapped_sentences

    r2 = data_dir / "round2"
    ds = load_dataset(
        load_city(),
        cameras=r2 / "cameras_other_city.csv",
        incidents=r2 / "lrpd_victims.csv",
    )
    cameras = unmapped_sentences(ds)[1]
    # every row of a Chicago list: the pages, the briefing and coverage say why
    assert cameras.startswith("4 of 4 registry rows are not on the map: 4 lie ")
    assert "The data spans latitude 41.85 to 41.89" in cameras
    assert "Likely cause: the file is probably from another city" in cameras


# --- registry import of an open-data camera list ---------------------------------
def test_registry_import_quarantines_undated_rows_instead_of_refusing(
    capsys, tmp_path, r3
):
    from analytics.store import RegistryStore

    db = tmp_path / "registry.sqlite"
    RegistryStore.init(db)
    code, out, err = run_cli(
        capsys, "registry", "import", "--db", db, r3 / "socrata_camera_list.csv"
    )
    # 5 rows: LR-004 has no location, LR-005 no Go Live Date; the rest go in
    # (was: the whole file refused, "`registered_at` is missing on some rows")
    assert code == 1
    assert "registered_at` is missing" not in err
    assert "no registration date (the registry store needs one)" in out
    stored = RegistryStore(db).cameras()
    assert sorted(stored["camera_id"]) == ["LR-001", "LR-002", "LR-003"]


def test_an_undated_list_still_loads_whole_for_coverage(city, r3):
    result = load_cameras(r3 / "socrata_camera_list.csv", city)
    assert (len(result.accepted), len(result.quarantined)) == (4, 1)
    stored = load_cameras(r3 / "socrata_camera_list.csv", city, for_store=True)
    assert stored.reasons == {
        "missing coordinates": 1,
        "no registration date (the registry store needs one)": 1,
    }


def test_registry_import_of_an_incident_export_names_the_file_once(
    capsys, tmp_path, data_dir
):
    from analytics.store import RegistryStore

    db = tmp_path / "registry.sqlite"
    RegistryStore.init(db)
    export = data_dir / "round2" / "lrpd_victims.csv"
    code, _, err = run_cli(capsys, "registry", "import", "--db", db, export)
    assert code == 2
    assert err.count("lrpd_victims.csv") == 1
    assert "looks like a crime incident export" in err


# --- zipped shapefiles: names cut to 10 characters, state plane feet -------------
def test_lrpd_export_as_a_shapefile_reads_its_cut_names(city, r3):
    result = load_incidents(r3 / "lrpd_shapefile.zip", city)
    # 4 rows; the rape has no geometry (location withheld)
    assert (result.rows_read, len(result.accepted)) == (4, 3)
    assert result.reasons == {"missing coordinates": 1}
    acc = result.accepted.set_index("incident_id")
    # INCIDENT_N, INCIDENT_D, OFFENSE_CO, OFFENSE_DE, LOCATION_D were all read
    assert sorted(acc.index) == ["2018-035460", "2018-035501", "2018-035600"]
    assert acc.loc["2018-035460", "occurred_at"] == pd.Timestamp("2018-03-26 06:59")
    assert acc["offense_code"].tolist() == ["13A", "23C", "220"]
    assert acc["category"].tolist() == ["violent", "property", "property"]
    assert acc["district"].tolist() == ["61", "51", "41"]
    # EPSG:3433 feet back to degrees
    assert acc.loc["2018-035460", "latitude"] == pytest.approx(34.676143, abs=1e-6)
    assert acc.loc["2018-035460", "longitude"] == pytest.approx(-92.41804, abs=1e-6)


def test_camera_shapefile_reads_cut_names_and_refuses_the_wrong_kind(city, r3):
    result = load_cameras(r3 / "camera_shapefile.zip", city)
    acc = result.accepted.set_index("camera_id")
    assert acc["camera_count"].tolist() == [2, 1, 4]  # CAMERA_COU
    assert acc["owner_type"].tolist() == ["business", "institutional", "public"]
    assert str(acc.loc["S-1", "registered_at"]) == "2023-05-01"  # INSTALL_DA
    with pytest.raises(LoadError, match="looks like a crime incident export"):
        load_cameras(r3 / "lrpd_shapefile.zip", city)


def test_an_ambiguous_cut_name_is_left_alone():
    from analytics.columns import CAMERA_ALIASES, match_columns

    # REGISTRATI could be registration_id, _option, _type, _date or _status
    mapping = match_columns(["REGISTRATI", "INSTALL_DA"], CAMERA_ALIASES)
    assert mapping == {"registered_at": "INSTALL_DA"}


@pytest.mark.parametrize("chunk_rows", [1, 2, 3])
def test_chunked_validation_folds_unnumbered_victims_across_chunks(
    city, r3, chunk_rows
):
    from analytics.chunked import validate_file

    path = r3 / "violent_unnumbered_victims.csv"
    result = validate_file(
        "incidents", path, city, chunk_rows=chunk_rows, min_bytes=0, block_bytes=200
    )
    # the same answer as the whole file: 4 accepted, 3 folded, 1 quarantined
    assert (result.n_accepted, result.folded, len(result.quarantined)) == (4, 3, 1)


# --- ArcGIS REST JSON (a FeatureServer query with f=json) -------------------------
def test_arcgis_rest_json_in_web_mercator_with_epoch_dates(city, r3):
    result = load_incidents(r3 / "arcgis_rest_incidents.json", city)
    # 5 features: a 2-victim assault (1 folded), a shoplifting, a rape without
    # geometry and a theft whose point is x: null, y: null
    assert result.rows_read == 5
    assert (len(result.accepted), result.folded, len(result.quarantined)) == (2, 1, 2)
    assert result.reasons == {"missing coordinates": 2}
    acc = result.accepted.set_index("incident_id")
    assert acc.loc["2019-035460", "rows"] == 2
    # wkid 102100 (Web Mercator metres) back to degrees
    assert acc.loc["2019-035460", "latitude"] == pytest.approx(34.676143, abs=1e-6)
    assert acc.loc["2019-035460", "longitude"] == pytest.approx(-92.41804, abs=1e-6)
    assert acc.loc["2019-035501", "occurred_at"] == pd.Timestamp("2019-01-15 13:05")
    with pytest.raises(LoadError, match="looks like a crime incident export"):
        load_cameras(r3 / "arcgis_rest_incidents.json", city)


def test_arcgis_rest_json_polygons_are_refused_as_cameras(city):
    doc = {
        "geometryType": "esriGeometryPolygon",
        "spatialReference": {"wkid": 4326},
        "features": [
            {
                "attributes": {"WARD": 1},
                "geometry": {
                    "rings": [
                        [
                            [-92.3, 34.73],
                            [-92.3, 34.75],
                            [-92.28, 34.75],
                            [-92.3, 34.73],
                        ]
                    ]
                },
            }
        ],
    }
    with pytest.raises(LoadError, match="looks like a polygon file"):
        load_cameras(json.dumps(doc).encode(), city, name="wards.json")


# --- address spellings of older LRPD exports --------------------------------------
def test_address_variants_geocode_against_city_address_points(city, r3):
    result = load_incidents(
        r3 / "lrpd_address_variants.csv",
        city,
        addresses=r3 / "address_points.geojson",
    )
    # a trailing period, a cross street after "/", a unit letter on the house
    # number and "S." all find their point; a bare intersection (MAIN ST & 7TH
    # ST) needs both streets in the address points, and these have no 7TH ST
    placed = result.accepted.set_index("incident_id")
    assert sorted(placed.index) == [
        "2016-000301",
        "2016-000302",
        "2016-000303",
        "2016-000304",
    ]
    assert placed.loc["2016-000302", "latitude"] == pytest.approx(34.74851)
    assert placed.loc["2016-000303", "longitude"] == pytest.approx(-92.37142)
    assert result.reasons == {"intersection: streets not found": 1}
    assert result.geocoding["addresses"] == 5
    assert result.geocoding["matched"] == 4
