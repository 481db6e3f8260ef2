from __future__ import annotations

from datetime import date

import pytest

from analytics.config import ConfigError, load_city


def test_little_rock_defaults(city):
    assert city.goal_cameras == 30_000
    assert city.baseline_cameras == 3_200
    assert city.metric_crs == "EPSG:26915"
    assert [d.upfront_usd for d in city.devices] == [350, 7200]
    assert [d.yearly_usd for d in city.devices] == [150, 2300]
    # every LRPD coordinate range from the reference lies inside the extent
    assert city.extent.contains(-92.55, 34.62)
    assert city.extent.contains(-92.16, 34.88)
    assert not city.extent.contains(0.0, 0.0)


@pytest.mark.parametrize(
    ("code", "category"),
    [
        ("09A", "violent"),
        ("11A", "violent"),
        ("120", "violent"),
        ("13A", "violent"),
        ("220", "property"),
        ("23A", "property"),
        ("23H", "property"),
        ("240", "property"),
        ("290", "other"),
        ("", "other"),
        (None, "other"),
        (" 13a ", "violent"),
    ],
)
def test_nibrs_categories(city, code, category):
    assert city.category_for(code) == category


def test_range_defaults(city):
    assert city.range_for("residential") == 30
    assert city.range_for("business", "doorbell") == 10  # type beats owner
    assert city.range_for("public", "PTZ") == 120


def test_device_cost_over_years(city):
    entry, top = city.devices
    assert entry.cost(3) == 350 + 3 * 150
    assert top.cost(0) == 7200


def test_second_city_is_a_file(tmp_path, city):
    text = city.source.read_text().replace('id = "little_rock"', 'id = "otherville"')
    text = text.replace("cameras = 30000", "cameras = 5000").replace(
        'metric_crs = "EPSG:26915"', 'metric_crs = "auto"'
    )
    path = tmp_path / "otherville.toml"
    path.write_text(text)
    other = load_city(path)
    assert other.id == "otherville"
    assert other.goal_cameras == 5000
    assert other.metric_crs == "EPSG:32615"  # UTM 15N derived from the extent
    assert other.baseline_date == date(2024, 8, 5)


def test_bad_config_names_the_value(tmp_path, city):
    path = tmp_path / "bad.toml"
    path.write_text(city.source.read_text().replace("cameras = 30000", "cameras = -1"))
    with pytest.raises(ConfigError, match=r"goal.cameras.*-1"):
        load_city(path)
    with pytest.raises(ConfigError, match="not found"):
        load_city("atlantis")


def _city_file(tmp_path, city, old, new, name="edited.toml"):
    """Little Rock's file with one text replaced; fails if ``old`` is absent."""
    text = city.source.read_text()
    assert old in text, old
    path = tmp_path / name
    path.write_text(text.replace(old, new, 1))
    return path


@pytest.mark.parametrize(
    ("old", "new", "key", "expected"),
    [
        # a mistyped key no longer silently keeps the default of 5
        (
            "min_group_size = 5",
            "min_group_sise = 2",
            "privacy.min_group_sise",
            "did you mean `privacy.min_group_size`",
        ),
        # 0.5 used to become int(0.5) == 0 and turn suppression off
        (
            "min_group_size = 5",
            "min_group_size = 0.5",
            "privacy.min_group_size",
            "a whole number >= 1",
        ),
        # a string used to be split into the prefixes 0, 9 and A
        (
            'violent = ["09A", "09B", "11A", "11B", "11C", "11D", "120", "13A"]',
            'violent = "09A"',
            "offenses.categories.violent",
            'a list of code prefixes, like ["09A", "13A"]',
        ),
        (
            "[offenses.weights]\nviolent = 3.0\nproperty = 1.0\nother = 0.5",
            'weights = "violent=3"',
            "offenses.weights",
            "a [offenses.weights] table",
        ),
        (
            "upfront_usd = 7200\nyearly_usd = 2300",
            "upfront_usd = 7200",
            "integration.devices[2].yearly_usd",
            "missing setting",
        ),
        (
            "residential = 30",
            'residential = "ten"',
            "cameras.range_m_by_owner.residential",
            "a number of metres > 0",
        ),
        (
            "resolution = 8",
            "resolution = 16",
            "hex.resolution",
            "a whole number 0-15",
        ),
        (
            'metric_crs = "EPSG:26915"',
            'metric_crs = "EPSG:4326"',
            "city.metric_crs",
            "a projected CRS in metres",
        ),
        (
            'metric_crs = "EPSG:26915"',
            'metric_crs = "EPSG:999999"',
            "city.metric_crs",
            "a projected CRS in metres",
        ),
        (
            'timezone = "America/Chicago"',
            'timezone = "America/Little_Rock"',
            "city.timezone",
            "an IANA time zone",
        ),
        (
            'baseline_date = "2024-08-05"',
            'baseline_date = "August 2024"',
            "goal.baseline_date",
            "a YYYY-MM-DD date",
        ),
        (
            "radius_m = 150",
            "radius_m = 0",
            "canvass.radius_m",
            "a number of metres > 0",
        ),
        ("[wards]", "[ward]", "ward", "did you mean `wards`"),
    ],
)
def test_bad_setting_is_one_error_naming_file_key_and_form(
    tmp_path, city, old, new, key, expected
):
    path = _city_file(tmp_path, city, old, new)
    with pytest.raises(ConfigError) as info:
        load_city(path)
    message = str(info.value)
    assert message.startswith(f"{path}: ")
    assert f"`{key}" in message
    assert expected in message
    assert "\n" not in message


def test_wrong_type_message_shows_the_value(tmp_path, city):
    path = _city_file(tmp_path, city, "min_group_size = 5", "min_group_size = 0.5")
    with pytest.raises(ConfigError) as info:
        load_city(path)
    assert str(info.value) == (
        f"{path}: `privacy.min_group_size` was 0.5 but is expected to be "
        "a whole number >= 1"
    )


def test_unknown_key_lists_what_the_table_takes(tmp_path, city):
    path = _city_file(tmp_path, city, "count = 7", "count = 7\nmayor = 'x'")
    with pytest.raises(ConfigError) as info:
        load_city(path)
    assert str(info.value) == (
        f"{path}: unknown setting `wards.mayor`; [wards] takes: count"
    )


def test_optional_settings_take_their_defaults(tmp_path, city):
    text = city.source.read_text()
    for block in ("[privacy]", "[hex]", "[canvass]"):
        start = text.index(block)
        end = text.index("\n[", start + 1)
        text = text[:start] + text[end + 1 :]
    path = tmp_path / "lean.toml"
    path.write_text(text)
    lean = load_city(path)
    assert (lean.min_group_size, lean.hex_resolution) == (5, 8)
    assert (lean.canvass_radius_m, lean.canvass_nearest) == (150.0, 4)


def test_a_file_that_is_not_a_city_file_says_so(tmp_path):
    readme = tmp_path / "README.md"
    readme.write_text("# hello\n")
    with pytest.raises(ConfigError, match=r"README.md is not a city file"):
        load_city(readme)
    broken = tmp_path / "broken.toml"
    broken.write_text("[city\nname = \n")
    with pytest.raises(ConfigError, match=r"broken.toml is not a city file"):
        load_city(broken)
