"""The command line: every command run, every user error a clean located line with status 2."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.cli_helpers import sim_main, sim_subprocess
from tests.conftest import DEMO
from tests.study_helpers import numbers, table_rows

SRC = DEMO.read_text(encoding="utf-8")

# name -> (text to replace in the demo file, replacement, expected path in the message)
MALFORMED: dict[str, tuple[str, str, str]] = {
    "wrong_type": ("population: 42000", "population: many", "zones[0].population"),
    "unknown_top_key": ("name: demo_coastal_typhoon", "name: demo_coastal_typhoon\nflavour: spicy",
                        "flavour"),
    "unknown_nested_key": ("households: 15000,", "households: 15000, colour: red,",
                           "zones[0].colour"),
    "shelter_unknown_zone": ("zone: harbour_town, usable_area_m2: 4200",
                             "zone: atlantis, usable_area_m2: 4200", "shelters[0].zone"),
    "negative_capacity": ("capacity: 2500", "capacity: -2500", "shelters[0].capacity"),
    "negative_population": ("population: 12500", "population: -12500", "zones[1].population"),
    "uniform_low_gt_high": ("low: 0.30, high: 0.50", "low: 0.50, high: 0.30",
                            "zones[1].evacuation_share"),
    "lognormal_bad_sigma": ("rmw_km: {dist: uniform, low: 20, high: 50",
                            "rmw_km: {dist: lognormal, median: 30, sigma: -0.5",
                            "hazard.rmw_km.sigma"),
    "unknown_distribution": ('{dist: uniform, low: 1, high: 4, source: "assumption: time to pack',
                             '{dist: gamma, shape: 2, source: "assumption: time to pack',
                             "response.evacuation.mobilisation_h"),
    "fraction_out_of_range": ("compliance: {dist: uniform, low: 0.95, high: 1.0",
                              "compliance: {dist: uniform, low: 0.95, high: 1.2",
                              "response.evacuation.compliance"),
    "broken_yaml": ("  - {name: county_seat,", "  - {name: county_seat: [", ""),
    "bad_indentation": ("time:\n  start_h: -36", "time:\n  start_h: -36\n   end_h: 72", ""),
    "target_unknown_item": ("    tiers: [county]", "    tiers: [county]\n    items: [rice]",
                            "targets[3].items[0]"),
    "duplicate_zone": ("  - {name: hill_village, name_zh: 山区乡",
                       "  - {name: river_town, name_zh: 山区乡", "zones[4].name"),
    "duplicate_key": ("  start_h: -36\n", "  start_h: -36\n  start_h: -30\n", "time.start_h"),
    "stock_unknown_item": ("items: {meal: 6000, water_l: 6000, quilt: 1500}",
                           "items: {meal: 6000, water_l: 6000, tent: 15}",
                           "stock_points[1].items.tent"),
    "truck_base_not_point": ("kind: truck, base: harbour_store", "kind: truck, base: harbour_town",
                             "vehicles[1].base"),
    "misspelt_field": ("  max_wind_ms: {dist: triangular", "  max_wind_mph: {dist: triangular",
                       "hazard.max_wind_mph"),
    "bad_tier": ("tier: township", "tier: province", "stock_points[1].tier"),
    "lead_exceeds_start": ("warning_lead_h: {dist: uniform, low: 12, high: 24",
                           "warning_lead_h: {dist: uniform, low: 12, high: 48",
                           "hazard.warning_lead_h"),
    "string_number": ("count: 4, capacity_persons: 45", 'count: "4", capacity_persons: 45',
                      "vehicles[2].count"),
    "triangular_mode_outside": ("{dist: triangular, low: 33, mode: 42, high: 55",
                                "{dist: triangular, low: 33, mode: 60, high: 55",
                                "hazard.max_wind_ms"),
    "unknown_target_kind": ("kind: shelter_area_per_person", "kind: shelter_area_per_child",
                            "targets[1].kind"),
    "choice_weights": ("values: [4, 5, 6], weights: [0.25, 0.5, 0.25]",
                       "values: [4, 5, 6], weights: [0.25, 0.75]", "vehicles[0].count"),
    "non_square_matrix": ("  circuity: 1.3\n",
                          "  circuity: 1.3\n  minutes: [[0, 10], [10, 0, 5]]\n", "travel.minutes"),
}

LINE = re.compile(r"^(?P<file>[^:]+):(?P<line>\d+): (?:(?P<path>[\w\[\].\-]+): )?(?P<msg>.+)$")


# In this process (tests.cli_helpers): the exit status and the printed lines, as a user sees them.
sim_cmd = sim_main


def test_every_variant_changes_the_demo() -> None:
    for name, (old, _new, _path) in MALFORMED.items():
        assert old in SRC, name
    assert len(MALFORMED) >= 20


@pytest.mark.parametrize("name", sorted(MALFORMED))
def test_malformed_scenario_gives_located_one_line_error(name: str, tmp_path: Path) -> None:
    old, new, path = MALFORMED[name]
    f = tmp_path / f"{name}.yaml"
    f.write_text(SRC.replace(old, new, 1), encoding="utf-8")
    for cmd in (("validate", str(f)), ("run", str(f), "--seed", "1")):
        p = sim_cmd(*cmd)
        assert p.returncode == 2, p.stderr
        assert "Traceback" not in p.stderr and p.stdout == ""
        lines = p.stderr.strip().splitlines()
        assert lines, "no message"
        first = next(m for m in map(LINE.match, lines) if m)
        assert all(LINE.match(ln) for ln in lines), lines
        assert first["file"] == str(f)
        assert int(first["line"]) >= 1
        if path:
            assert any((m := LINE.match(ln)) and m["path"] == path for ln in lines), lines
        # the line points at the offending node: some reported line is a changed line
        changed = {i + 1 for i, ln in enumerate(f.read_text().splitlines())
                   if ln not in SRC.splitlines()}
        reported = {int(m["line"]) for m in map(LINE.match, lines) if m}
        assert reported & changed, (reported, changed)


@pytest.mark.parametrize("args, needle", [
    (("validate", "no/such/file.yaml"), "cannot read the file"),
    (("run", str(DEMO), "--seed", "-3"), "--seed"),
    (("run", str(DEMO), "--seed", "x"), "--seed"),
    (("run",), "Missing argument"),
    (("frobnicate",), "No such command"),
    (("run", str(DEMO), "--bogus"), "--bogus"),
])
def test_bad_arguments_give_one_line(args: tuple[str, ...], needle: str) -> None:
    p = sim_cmd(*args)
    assert p.returncode == 2
    assert "Traceback" not in p.stderr
    assert len(p.stderr.strip().splitlines()) == 1
    assert needle in p.stderr


def test_bad_interventions_file(tmp_path: Path) -> None:
    f = tmp_path / "injects.yaml"
    f.write_text("- {kind: add_stock, at_h: 2, point: county_depot, items: {meal: 10}}\n"
                 "- {kind: close_roads, at_h: 3, zone: atlantis, hours: 4}\n")
    p = sim_cmd("run", str(DEMO), "--interventions", str(f))
    assert p.returncode == 2
    assert p.stderr.strip() == f"{f}:2: [1].zone: unknown zone 'atlantis'"
    f.write_text("- {kind: teleport, at_h: 2}\n")
    p = sim_cmd("run", str(DEMO), "-i", str(f))
    assert p.returncode == 2 and p.stderr.startswith(f"{f}:1: [0]")


def test_run_json_is_valid_and_deterministic(tmp_path: Path) -> None:
    a = sim_cmd("run", str(DEMO), "--seed", "1", "--json")
    b = sim_cmd("run", str(DEMO), "--seed", "1", "--json")
    assert a.returncode == 0, a.stderr
    assert a.stdout == b.stdout
    doc = json.loads(a.stdout)
    assert doc["scenario"] == "demo_coastal_typhoon"
    assert doc["seed"]["entropy"] == 1
    assert sum(doc["people"].values()) == doc["population"] == 169_300
    assert {"id", "value", "threshold", "met"} <= set(doc["targets"][0])
    assert doc["metrics"]["needing_relief"] >= 0
    c = sim_cmd("run", str(DEMO), "--seed", "2", "--json")
    assert json.loads(c.stdout) != doc


def test_run_with_interventions_file(tmp_path: Path) -> None:
    f = tmp_path / "injects.yaml"
    f.write_text("- {kind: open_shelter, at_h: -20, name: reserve, zone: county_seat, "
                 "capacity: 5000, note: 'open the exhibition hall'}\n")
    p = sim_cmd("run", str(DEMO), "--seed", "3", "--json", "-i", str(f))
    assert p.returncode == 0, p.stderr
    doc = json.loads(p.stdout)
    assert doc["interventions"][0]["name"] == "reserve"


def test_run_prints_verdict_table() -> None:
    """Each target's row: the run's value, the stated threshold, and the verdict that value and
    threshold give (worked out here), for the same run made in this process."""
    import sim

    p = sim_cmd("run", str(DEMO), "--seed", "1")
    assert p.returncode == 0, p.stderr
    sc = sim.load_scenario(DEMO)
    r = sim.run(sc, 1)
    rows = table_rows(p.stdout, [t.id for t in sc.targets])
    assert list(rows) == [t.id for t in sc.targets]
    verdicts = set()
    for t, res in zip(sc.targets, r.targets, strict=True):
        _, value, threshold, verdict = rows[t.id][:4]
        floor = t.kind != "deaths_per_million"  # a ceiling; every other demo target a floor
        assert threshold.startswith(">= " if floor else "<= "), (t.id, threshold)
        thr = numbers(threshold)[0]
        assert thr == pytest.approx(res.threshold, rel=5e-3), (t.id, threshold)
        if res.value is None:
            assert (value, verdict) == ("n/a", "NOT APPLICABLE"), t.id
            continue
        assert numbers(value)[0] == pytest.approx(res.value, rel=5e-3, abs=5e-4), (t.id, value)
        holds = res.value >= res.threshold - 1e-9 if floor else res.value <= res.threshold + 1e-9
        assert verdict == ("HOLDS" if holds else "FAILS"), (t.id, res.value, verdict)
        verdicts.add(verdict)
    assert verdicts == {"HOLDS", "FAILS"}  # the demo's seed-1 run has both


def test_validate_and_schema() -> None:
    p = sim_cmd("validate", str(DEMO))
    assert p.returncode == 0 and "valid scenario" in p.stdout
    s = sim_cmd("schema")
    assert s.returncode == 0
    schema = json.loads(s.stdout)
    assert schema["title"] == "sim scenario"
    assert "zones" in schema["properties"]
    assert schema["additionalProperties"] is False


@pytest.mark.parametrize("name", ["shelter_unknown_zone", "broken_yaml"])
def test_entry_point_gives_located_one_line_error(name: str, tmp_path: Path) -> None:
    """The real ``python -m sim`` process: status 2, one located line, no traceback."""
    old, new, path = MALFORMED[name]
    f = tmp_path / f"{name}.yaml"
    f.write_text(SRC.replace(old, new, 1), encoding="utf-8")
    p = sim_subprocess("run", f, "--seed", "1")
    assert p.returncode == 2 and p.stdout == "", p.stderr
    assert "Traceback" not in p.stderr
    lines = p.stderr.strip().splitlines()
    assert lines and all(LINE.match(ln) for ln in lines), lines
    assert all(m["file"] == str(f) for m in map(LINE.match, lines) if m)
    if path:
        assert any((m := LINE.match(ln)) and m["path"] == path for ln in lines), lines


@pytest.mark.parametrize("args, needle", [
    (("run", str(DEMO), "--seed", "-3"), "--seed"),
    (("frobnicate",), "No such command"),
])
def test_entry_point_bad_arguments(args: tuple[str, ...], needle: str) -> None:
    p = sim_subprocess(*args)
    assert p.returncode == 2 and "Traceback" not in p.stderr
    assert len(p.stderr.strip().splitlines()) == 1 and needle in p.stderr


def test_entry_point_run_json_matches_in_process() -> None:
    """The same run through a new process and in this one prints the same document."""
    a = sim_subprocess("run", DEMO, "--seed", "1", "--json")
    assert a.returncode == 0, a.stderr
    assert a.stdout == sim_main("run", DEMO, "--seed", "1", "--json").stdout


def test_console_script_and_help() -> None:
    p = subprocess.run([str(Path(sys.executable).parent / "sim"), "--help"], capture_output=True,
                       text=True)
    assert p.returncode == 0 and "validate" in p.stdout
