"""Plain names of uncertain inputs (sim.scenario.labels)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from sim.scenario.labels import describe, input_label, input_labels
from sim.scenario.loader import load_scenario
from sim.scenario.sampling import uncertain_inputs

SCENARIOS = sorted((Path(__file__).parent.parent / "scenarios").glob("*.yaml"))
_HAN = re.compile(r"[\u4e00-\u9fff]")


@pytest.mark.parametrize("file", SCENARIOS, ids=lambda p: p.stem)
def test_every_input_of_every_bundled_scenario_has_a_plain_name_in_both_languages(file: Path
                                                                                   ) -> None:
    sc = load_scenario(file)
    paths = list(uncertain_inputs(sc))
    assert paths, "a bundled scenario without uncertain inputs"
    labels = input_labels(sc)
    assert set(labels) == set(paths)
    for path, lab in labels.items():
        assert lab.en and lab.zh
        last = re.findall(r"[^.\[\]]+", path)[-1]
        assert "[" not in lab.en and "hazard." not in lab.en, (path, lab.en)
        assert ("_" not in last or last not in lab.en), (path, lab.en)
        assert _HAN.search(lab.zh), (path, lab.zh)
        assert "." not in lab.en.replace("e.g.", ""), (path, lab.en)


def test_named_examples() -> None:
    assert input_label("hazard.rmw_km") == ("radius of maximum wind, km", "最大风速半径（千米）")
    assert input_label("hazard.holland_b").zh == "台风风廓线形状参数（Holland B）"
    assert input_label("hazard.intensity_epsilon") == (
        "ground shaking above or below the attenuation law's median, in standard deviations",
        "烈度衰减残差（标准差）")
    assert input_label("hazard.warning_lead_h") == ("warning lead before landfall, h",
                                                   "预警提前时间（小时）")
    assert input_label("vehicles[city_trucks].count").en == "trucks of fleet city_trucks"


def test_entity_names_come_from_the_scenario() -> None:
    sc = load_scenario(Path(__file__).parent.parent / "scenarios" / "wenzhou_typhoon.yaml")
    z = sc.zones[0]
    assert z.name_zh
    lab = input_label(f"zones[{z.name}].evacuation_share", sc)
    assert z.name_zh in lab.zh and z.name in lab.en
    sp = next(s for s in sc.stock_points if s.name_zh)
    item = next(iter(sc.items))
    lab = input_label(f"stock_points[{sp.name}].items.{item}", sc)
    assert sp.name_zh in lab.zh and str(sc.items[item].name_zh) in lab.zh
    # without the scenario, the raw entity name stands in
    assert z.name in input_label(f"zones[{z.name}].evacuation_share").zh


def test_unknown_path_raises_and_describe_falls_back() -> None:
    with pytest.raises(KeyError):
        input_label("hazard.no_such_coefficient")
    with pytest.raises(KeyError):
        input_label("zones[a].no_such_field")
    assert describe("hazard.no_such_coefficient") == "hazard.no such coefficient"
    assert describe("hazard.rmw_km", lang="both") == \
        "radius of maximum wind, km (最大风速半径（千米）)"
