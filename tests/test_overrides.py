"""Scenario overrides: paths by name, YAML values as data, located errors."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import sim
from sim.scenario.loader import ScenarioError
from sim.scenario.overrides import (
    Override,
    apply_overrides,
    increase,
    parse_path,
    parse_set,
    read_overrides,
    shifted,
    value_at,
)
from tests.conftest import DEMO


def test_parse_path() -> None:
    assert parse_path("vehicles[county_trucks].count") == ["vehicles", "[county_trucks]", "count"]
    assert parse_path("stock_points[0].items.quilt") == ["stock_points", "[0]", "items", "quilt"]
    for bad in ["", " x", "a..b", "[0]", "a[b]c", "vehicles[x", ".a", "a.[b]"]:
        with pytest.raises(ValueError):
            parse_path(bad)


def test_apply_by_name_index_and_append(demo: sim.Scenario) -> None:
    sc = apply_overrides(DEMO, {
        "vehicles[county_trucks].count": 8,
        "stock_points[1].items.meal": 7000,
        "shelters[+]": {"name": "expo_hall", "zone": "county_seat", "capacity": 4000},
    })
    assert sc.vehicles[0].count == 8
    assert sc.stock_points[1].items["meal"] == 7000
    assert sc.shelters[-1].name == "expo_hall" and len(sc.shelters) == len(demo.shelters) + 1
    # Everything else is unchanged, and the same from a Scenario object as from the file.
    same = apply_overrides(demo, {"vehicles[county_trucks].count": 8,
                                  "stock_points[1].items.meal": 7000,
                                  "shelters[+]": {"name": "expo_hall", "zone": "county_seat",
                                                  "capacity": 4000}})
    assert same == sc
    assert sc.zones == demo.zones and sc.targets == demo.targets
    assert apply_overrides(DEMO, {}) == demo


def test_values_are_data_not_code(tmp_path: Path) -> None:
    f = tmp_path / "v.yaml"
    f.write_text("zones[0].name: !!python/object/apply:os.system ['touch hacked']\n")
    (ov,) = read_overrides(f)
    assert ov.value == ["touch hacked"] and ov.line == 1  # a tag never runs code
    with pytest.raises(ScenarioError, match=r"v.yaml:1: zones\[0\]\.name: "):
        apply_overrides(DEMO, [ov])
    assert not (Path.cwd() / "hacked").exists()
    ov = parse_set("hazard.max_wind_ms={dist: uniform, low: 40, high: 55}")
    assert ov.value == {"dist": "uniform", "low": 40, "high": 55}
    assert parse_set("zones[0].name=__import__('os')").value == "__import__('os')"


def test_errors_are_located_in_the_override_file(tmp_path: Path) -> None:
    f = tmp_path / "variant.yaml"
    f.write_text("# more trucks\nvehicles[county_trucks].count: 8\n"
                 "stock_points[county_depot].items.quilt: -5\n"
                 "vehicles[ghost].count: 3\n")
    with pytest.raises(ScenarioError) as e:
        apply_overrides(DEMO, read_overrides(f))
    lines = str(e.value).splitlines()
    assert len(lines) == 1
    assert lines[0].startswith(f"{f}:4: vehicles[ghost].count: vehicles has no item named "
                               "'ghost'; known: county_trucks, harbour_truck")
    f.write_text("vehicles[county_trucks].count: 8\nstock_points[county_depot].items.quilt: -5\n")
    with pytest.raises(ScenarioError) as e:
        apply_overrides(DEMO, read_overrides(f))
    assert str(e.value) == (f"{f}:2: stock_points[county_depot].items.quilt: "
                            "expected a value >= 0, got -5.0")


def test_consequences_elsewhere_are_located_in_the_scenario_file(demo: sim.Scenario) -> None:
    keep = [z.model_dump(mode="json", exclude_unset=True) for z in demo.zones
            if z.name != "hill_village"]
    with pytest.raises(ScenarioError) as e:
        apply_overrides(DEMO, [Override("zones", keep, "v.yaml", 1)])
    msg = str(e.value)
    assert re.search(rf"^{re.escape(str(DEMO))}:\d+: shelters\[\d\]\.zone: .*hill_village", msg,
                     re.M), msg


def test_set_errors() -> None:
    with pytest.raises(ScenarioError, match="expected PATH=VALUE"):
        parse_set("no equals sign")
    with pytest.raises(ScenarioError, match="invalid YAML value"):
        parse_set("a.b={unclosed")
    with pytest.raises(ScenarioError, match=r"^--set: zones\[0\]\.population: .*integer"):
        apply_overrides(DEMO, [parse_set("zones[0].population=many")])
    with pytest.raises(ScenarioError, match="out of range"):
        apply_overrides(DEMO, [parse_set("zones[99].population=1")])
    # a check of the whole hazard block that the override broke is put on the override
    with pytest.raises(ScenarioError, match=r"^--set: hazard\.holland_b: holland_b must lie"):
        apply_overrides(DEMO, [parse_set("hazard.holland_b={dist: uniform, low: 0.8, high: 2}")])


def test_increase_and_shift(demo: sim.Scenario) -> None:
    sc = increase(DEMO, "vehicles[county_trucks].count", 2)
    assert sc.vehicles[0].count.values == [6, 7, 8]  # type: ignore[union-attr]
    sc = increase(DEMO, "stock_points[county_depot].items.meal", 1000)
    assert sc.stock_points[0].items["meal"] == demo.stock_points[0].items["meal"] + 1000
    assert shifted({"dist": "normal", "mean": 0, "sd": 1, "low": -2}, 3) == \
        {"dist": "normal", "mean": 3, "sd": 1, "low": 1}
    assert shifted({"dist": "triangular", "low": 1, "mode": 2, "high": 4}, 0.5)["mode"] == 2.5
    with pytest.raises(ScenarioError, match="cannot increase a lognormal"):
        shifted({"dist": "lognormal", "median": 8, "sigma": 0.4}, 1)
    with pytest.raises(ScenarioError, match="expected a count or a quantity"):
        increase(DEMO, "zones[0].name", 1)
    with pytest.raises(ScenarioError, match="no item named"):
        value_at(DEMO, "vehicles[nope].count")


def test_a_pack_coefficient_can_be_overridden(demo: sim.Scenario) -> None:
    # The demo takes `holland` whole from the typhoon_china pack; one coefficient is changed and
    # the pack's others are kept.
    sc = apply_overrides(DEMO, [parse_set("hazard.holland.gradient_to_surface=0.8")])
    holland, base = sc.hazard.holland, demo.hazard.holland  # type: ignore[union-attr]
    assert holland.gradient_to_surface == 0.8 and base.gradient_to_surface == 0.9
    assert holland.air_density == base.air_density and holland.to_1min == base.to_1min
    # The windfield follows (the same storm, a different profile).
    a, b = sim.run(demo, 3).impact, sim.run(sc, 3).impact
    assert [z.intensity for z in a.zones] != [z.intensity for z in b.zones]
    # A misspelt block is refused, located at the override.
    with pytest.raises(ScenarioError, match=r"^--set: hazard\.holand: unknown key"):
        apply_overrides(DEMO, [parse_set("hazard.holand.gradient_to_surface=0.8")])
