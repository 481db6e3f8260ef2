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
        ("290", "property"),  # NIBRS: vandalism is a crime against property
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
