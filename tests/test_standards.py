"""Static standards (sim.standards) and the plans' [SIM] items (sim.scenario.plan_items)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

import sim
from sim.scenario.loader import ScenarioError, parse_scenario
from sim.scenario.plan_items import (
    load_plan_items,
    load_plan_items_file,
    plan_item_status,
    plan_of_scenario,
)
from sim.scenario.schema import Scenario
from sim.standards import evaluate_standards, provenance_kind

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "scenarios" / "demo_coastal_typhoon.yaml"
PLANS = ROOT / "scenarios" / "plans"
PLAN_SCENARIOS = {
    "000_jinjiang": "jinjiang_typhoon.yaml",
    "001_fuzhou": "fuzhou_flood.yaml",
    "002_shicheng": "shicheng_flash_flood.yaml",
    "003_jincheng": "jincheng_earthquake.yaml",
    "004_wenzhou": "wenzhou_typhoon.yaml",
}
CLAUSE = {"zh": "标准", "en": "a standard"}


def _demo_data() -> dict[str, Any]:
    return sim.load_scenario(DEMO).model_dump(mode="json", exclude_none=True)


def _with(data: dict[str, Any], standard: dict[str, Any]) -> Scenario:
    data = dict(data)
    data["standards"] = [{"id": "s", "clause": CLAUSE, "source": "test", **standard}]
    return Scenario.model_validate(data)


def _fire_team(name: str, base: str, headcount: int, count: int,
               source: str = "assumption: test") -> dict[str, Any]:
    return {"name": name, "kind": "fire_rescue", "base": base, "headcount": headcount,
            "count": count, "source": source}


# --- fire station protection area -----------------------------------------------------------

def _fire_data(areas: dict[str, float]) -> dict[str, Any]:
    data = _demo_data()
    for z in data["zones"]:
        if z["name"] in areas:
            z["area_km2"] = areas[z["name"]]
    data["teams"] = [t for t in data["teams"] if t["kind"] != "fire_rescue"] + [
        _fire_team("a", "harbour_town", 20, 3), _fire_team("b", "salt_flats", 20, 2),
        _fire_team("c", "county_seat", 20, 5)]
    return data


def test_fire_station_area_is_zone_area_over_stations() -> None:
    data = _fire_data({"harbour_town": 30.0, "salt_flats": 12.0})
    zones = ["harbour_town", "salt_flats"]
    (r,) = evaluate_standards(_with(data, {"kind": "fire_station_area", "zones": zones,
                                           "max_km2": 9}))
    assert r.value == pytest.approx((30.0 + 12.0) / (3 + 2))  # the county seat's 5 excluded
    assert r.met is True
    # Over the bound, district land (an upper bound of the protected area) cannot decide.
    (r,) = evaluate_standards(_with(data, {"kind": "fire_station_area", "zones": zones,
                                           "max_km2": 7}))
    assert r.value == pytest.approx(8.4)
    assert r.met is None and r.value_is == "upper_bound"
    assert "Undecided" in r.note


def test_fire_station_area_without_an_area_is_not_measured() -> None:
    data = _fire_data({"harbour_town": 30.0})
    (r,) = evaluate_standards(_with(data, {"kind": "fire_station_area",
                                           "zones": ["harbour_town", "salt_flats"],
                                           "max_km2": 7}))
    assert r.value is None and r.met is None
    assert "salt_flats" in r.note


# --- team headcount -------------------------------------------------------------------------

def _township_teams(headcounts: dict[str, int], count: int = 1) -> dict[str, Any]:
    data = _demo_data()
    data["teams"] = [t for t in data["teams"] if t["kind"] != "township_semi_professional"] + [
        {"name": f"{z}_team", "kind": "township_semi_professional", "base": z, "headcount": h,
         "count": count, "source": "assumption: test"} for z, h in headcounts.items()]
    return data


def test_team_headcount_smallest_team_and_coverage() -> None:
    zones = ["harbour_town", "salt_flats", "county_seat"]
    std = {"kind": "team_headcount", "team_kind": "township_semi_professional",
           "min_headcount": 30, "zones": zones}
    (r,) = evaluate_standards(_with(_township_teams(dict.fromkeys(zones, 31)), std))
    assert (r.value, r.met) == (31.0, True)
    (r,) = evaluate_standards(_with(_township_teams({**dict.fromkeys(zones, 31),
                                                    "salt_flats": 29}), std))
    assert (r.value, r.met) == (29.0, False)
    assert "salt_flats_team" in r.note
    # A zone without a team fails even when every team is big enough.
    (r,) = evaluate_standards(_with(_township_teams({"harbour_town": 40, "salt_flats": 40}),
                                    std))
    assert r.met is False and "county_seat" in r.note


def test_team_headcount_units() -> None:
    zones = ["harbour_town", "salt_flats"]
    std = {"kind": "team_headcount", "team_kind": "township_semi_professional",
           "min_headcount": 10, "zones": zones, "units": 7,
           "sources": {"units": "a census"}}
    (r,) = evaluate_standards(_with(_township_teams(dict.fromkeys(zones, 12), count=3), std))
    assert r.met is False  # 6 teams for 7 units
    (r,) = evaluate_standards(_with(_township_teams(dict.fromkeys(zones, 12), count=4), std))
    assert r.met is True
    assert any(i.what.startswith("units") and i.source == "a census" for i in r.inputs)


def test_team_headcount_set_from_its_own_clause_is_by_construction() -> None:
    data = _township_teams({"harbour_town": 30})
    data["teams"][-1]["source"] = "999_test_plan.txt#L5 (30 or more); assumption: shifts"
    std = {"kind": "team_headcount", "team_kind": "township_semi_professional",
           "min_headcount": 30, "zones": ["harbour_town"]}
    data["standards"] = [{"id": "s", "clause": CLAUSE, "source": "999_test_plan.txt#L5", **std}]
    (r,) = evaluate_standards(Scenario.model_validate(data))
    assert r.met is True and r.by_construction is True
    data["standards"][0]["source"] = "999_test_plan.txt#L6"
    (r,) = evaluate_standards(Scenario.model_validate(data))
    assert r.met is True and r.by_construction is False


# --- firefighters per mille -----------------------------------------------------------------

def test_firefighters_per_mille() -> None:
    data = _demo_data()
    population = sum(z["population"] for z in data["zones"])
    members = sum(t["headcount"] * t.get("count", 1) for t in data["teams"]
                  if t["kind"] == "fire_rescue")
    expected = 1000.0 * members / population
    (r,) = evaluate_standards(_with(data, {"kind": "firefighters_per_mille",
                                           "min_per_mille": expected * 0.9}))
    assert r.value == pytest.approx(expected) and r.met is True
    # On-duty crews are a lower bound of the staff: below the bound is undecided, not a miss.
    (r,) = evaluate_standards(_with(data, {"kind": "firefighters_per_mille",
                                           "min_per_mille": expected * 1.1}))
    assert r.met is None and r.value_is == "lower_bound"
    (r,) = evaluate_standards(_with(data, {"kind": "firefighters_per_mille",
                                           "min_per_mille": 0.1, "zones": ["salt_flats"]}))
    assert r.value == 0.0 and r.met is None  # no fire team based there


# --- shelters to standard, shelter area, air bases ----------------------------------------

def test_shelters_to_standard_rests_on_its_one_input() -> None:
    data = _demo_data()
    std = {"kind": "shelters_to_standard", "min_share": 0.9, "share": 0.5,
           "sources": {"share": "2020 baseline"}}
    (r,) = evaluate_standards(_with(data, std))
    assert (r.value, r.met, r.n_inputs) == (0.5, False, 1)
    assert r.inputs[0].source == "2020 baseline"
    (r,) = evaluate_standards(_with(data, {**std, "share": 0.95}))
    assert r.met is True


def test_shelter_area_standard() -> None:
    data = _demo_data()
    data["shelters"] = [
        {"name": "wide", "zone": "harbour_town", "usable_area_m2": 300.0, "capacity": 100},
        {"name": "tight", "zone": "salt_flats", "usable_area_m2": 150.0, "capacity": 120},
        {"name": "no_area", "zone": "county_seat", "capacity": 50},
    ]
    (r,) = evaluate_standards(_with(data, {"kind": "shelter_area_standard",
                                           "min_m2_per_place": 1.5}))
    assert r.value == pytest.approx(150.0 / 120) and r.met is False
    assert r.by_construction is False and "1 without an area" in r.note
    # Capacities computed as area / 1.5 meet it by construction.
    data["shelters"][1]["capacity"] = 100
    data["shelters"][0]["capacity"] = 200
    (r,) = evaluate_standards(_with(data, {"kind": "shelter_area_standard",
                                           "min_m2_per_place": 1.5}))
    assert r.value == pytest.approx(1.5) and r.met is True and r.by_construction is True


def test_air_bases_counts_distinct_helicopter_bases() -> None:
    data = _demo_data()
    heli = next(v for v in data["vehicles"] if v["kind"] == "helicopter")
    data["vehicles"].append({**heli, "name": "second", "base": "river_town"})
    data["vehicles"].append({**heli, "name": "third", "base": "river_town"})
    (r,) = evaluate_standards(_with(data, {"kind": "air_bases", "min_count": 2}))
    assert (r.value, r.met) == (2.0, True)
    (r,) = evaluate_standards(_with(data, {"kind": "air_bases", "min_count": 3}))
    assert r.value == 2.0 and r.met is None


def test_provenance_kind() -> None:
    assert provenance_kind("assumption: x") == "assumed"
    assert provenance_kind("001_fuzhou_plan.txt#L456; assumption: 2 squads") == "partly_assumed"
    assert provenance_kind("jurisdictions.md §3.2") == "cited"
    assert provenance_kind(None) == "unsourced"


# --- validation ----------------------------------------------------------------------------

def _demo_with_standards(block: str) -> str:
    text = DEMO.read_text(encoding="utf-8")
    return text.replace("\ntargets:\n", "\n" + block + "\ntargets:\n", 1)


def test_standard_errors_are_located() -> None:
    block = ("standards:\n"
             "  - id: s1\n    kind: fire_station_area\n    zones: [atlantis]\n    max_km2: 7\n"
             "    clause: {zh: 标准, en: a standard}\n    source: test\n"
             "  - id: s1\n    kind: air_bases\n    min_count: 1\n    colour: red\n"
             "    clause: {zh: 标准, en: a standard}\n    source: test\n")
    text = _demo_with_standards(block)
    start = text.splitlines().index("standards:") + 1
    with pytest.raises(ScenarioError) as exc:
        parse_scenario(text, "x.yaml")
    msgs = {(p.line, p.path): p.message for p in exc.value.problems}
    assert any(path == "standards[1].colour" and line == start + 10
               for line, path in msgs), msgs
    # Unknown keys stop validation before the cross-references; fix the key, then see them.
    text = text.replace("    colour: red\n", "")
    with pytest.raises(ScenarioError) as exc:
        parse_scenario(text, "x.yaml")
    found = {p.path: (p.line, p.message) for p in exc.value.problems}
    assert "unknown zone 'atlantis'" in found["standards[0].zones[0]"][1]
    assert found["standards[0].zones[0]"][0] == start + 3
    assert "duplicate id" in found["standards[1].id"][1]


def test_clause_needs_both_languages() -> None:
    data = _demo_data()
    data["standards"] = [{"id": "s", "kind": "air_bases", "min_count": 1,
                          "clause": {"en": "only English"}, "source": "x"}]
    with pytest.raises(ValueError, match="zh"):
        Scenario.model_validate(data)


# --- the plan scenarios' standards and [SIM] items ------------------------------------------

@pytest.mark.parametrize("stem", sorted(PLAN_SCENARIOS))
def test_plan_standards_evaluate(stem: str) -> None:
    sc = sim.load_scenario(ROOT / "scenarios" / PLAN_SCENARIOS[stem])
    for r in evaluate_standards(sc):
        d = r.to_dict()
        assert d["basis"] == "static" and d["clause"]["zh"] and d["source"]
        assert d["met"] in (True, False, None)
        assert d["n_inputs"] == len(d["inputs"]) >= 1


def _plan_text(plan: str, first: int, last: int) -> str:
    lines = (PLANS / plan).read_text(encoding="utf-8").split("\n")
    assert 1 <= first <= last <= len(lines), (plan, first, last, len(lines))
    return re.sub(r"\s+", "", "".join(lines[first - 1:last]))


@pytest.mark.parametrize("stem", sorted(PLAN_SCENARIOS))
def test_items_file_names_what_exists(stem: str) -> None:
    path = PLANS / f"{stem}_items.yaml"
    items = load_plan_items_file(path)
    assert items.plan == f"{stem}_plan.txt"
    assert items.scenario == PLAN_SCENARIOS[stem]
    scenario_path = ROOT / "scenarios" / items.scenario
    sc = sim.load_scenario(scenario_path)
    assert plan_of_scenario(scenario_path, sc) == items.plan
    targets = {t.id for t in sc.targets}
    standards = {s.id for s in sc.standards}
    for it in items.items:
        if it.target is not None:
            assert it.target in targets, (it.line, it.target, sorted(targets))
        if it.standard is not None:
            assert it.standard in standards, (it.line, it.standard, sorted(standards))
        # The line exists and holds the plan's words (an ellipsis marks a cut).
        text = _plan_text(items.plan, *it.lines)
        for fragment in it.item.zh.split("…"):
            assert re.sub(r"\s+", "", fragment) in text, (it.line, fragment)
    # The status list agrees: nothing is missing, and each item has one status.
    status = plan_item_status(scenario_path, sc)
    assert len(status) == len(items.items)
    assert all(s.status != "missing" for s in status), [s.to_dict() for s in status]
    assert load_plan_items(stem) == load_plan_items(scenario_path) == list(items.items)


def test_items_status_reports_missing_ids(tmp_path: Path) -> None:
    plans = tmp_path / "plans"
    plans.mkdir()
    (plans / "004_wenzhou_items.yaml").write_text(yaml.safe_dump({
        "plan": "004_wenzhou_plan.txt", "scenario": "wenzhou_typhoon.yaml",
        "items": [
            {"line": "L433", "item": {"en": "relief", "zh": "救助"}, "target": "relief_within_10h"},
            {"line": "L1", "item": {"en": "x", "zh": "x"}, "target": "no_such_target"},
            {"line": "L2", "item": {"en": "y", "zh": "y"}, "untested": "not modelled"},
        ]}, allow_unicode=True), encoding="utf-8")
    scenario = tmp_path / "wenzhou_typhoon.yaml"
    scenario.write_text((ROOT / "scenarios" / "wenzhou_typhoon.yaml").read_text("utf-8"),
                        encoding="utf-8")
    status = plan_item_status(scenario)
    assert [s.status for s in status] == ["target", "missing", "untested"]
    assert status[1].reason is not None and "no_such_target" in status[1].reason
    assert status[2].to_dict()["reason"] == "not modelled"


def test_items_file_errors_are_located(tmp_path: Path) -> None:
    bad = tmp_path / "009_test_items.yaml"
    bad.write_text(
        "plan: 009_test_plan.txt\nscenario: x.yaml\nitems:\n"
        "  - line: L5\n    item: {en: a, zh: b}\n    target: t\n    untested: why\n"
        "  - line: five\n    item: {en: a, zh: b}\n    untested: why\n", encoding="utf-8")
    with pytest.raises(ScenarioError) as exc:
        load_plan_items_file(bad)
    found = {p.path: p.line for p in exc.value.problems}
    assert found.get("items[0]") == 4
    assert found.get("items[1].line") == 8
