"""What a verdict rests on: the basis of each target, from its declared bound and the runs.

The bounds are checked against numbers worked out from the scenario files' raw YAML (not the
engine's own shelter capacities), and the study-level rule (no target called simulated has the
same value in every run) on a real study.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import yaml

import sim
from sim.report.plan_markdown import _line_links, fmt_p
from sim.report.text import format_run
from sim.study.basis import verdict_basis
from sim.targets import Bound
from tests.conftest import DEMO, ROOT

SCEN = ROOT / "scenarios"


class _Clause:
    """A stand-in clause of a kind with no declared bound."""

    kind = "made_up"


def _raw(name: str) -> dict:
    return yaml.safe_load((SCEN / f"{name}.yaml").read_text(encoding="utf-8"))


def _nan(n: int) -> np.ndarray:
    return np.full(n, np.nan)


def test_basis_from_the_runs_alone() -> None:
    sc = sim.load_scenario(DEMO)
    t = _Clause()
    thr = np.full(5, 0.9)
    assert verdict_basis(t, sc, _nan(5), thr, ">=").kind == "not_applicable"
    same = verdict_basis(t, sc, np.full(5, 0.5), thr, ">=")
    assert same.kind == "by_construction" and "0.5 in every one of the 5 runs" in same.reason
    varied = np.array([0.5, 0.95, np.nan, 0.7, 1.0])
    assert verdict_basis(t, sc, varied, thr, ">=").kind == "simulated"
    # A constant value against a threshold that varies (e.g. with the displaced) is simulated.
    assert verdict_basis(t, sc, np.full(5, 3.0), np.arange(5.0), ">=").kind == "simulated"


@pytest.mark.parametrize(("bound", "cmp", "kind"), [
    (Bound(high=0.94, inputs="coverage"), ">=", "unreachable"),
    (Bound(high=0.96, inputs="coverage"), ">=", "simulated"),
    (Bound(low=1.5, inputs="area / 1.5"), ">=", "by_construction"),
    (Bound(low=2.0, inputs="x"), "<=", "unreachable"),
    (Bound(high=0.5, inputs="x"), "<=", "by_construction"),
    (Bound(fixed=True, inputs="x"), ">=", "by_construction"),
    (Bound(resolution="zones too big"), ">=", "resolution"),
])
def test_basis_from_a_declared_bound(monkeypatch: pytest.MonkeyPatch, bound: Bound, cmp: str,
                                     kind: str) -> None:
    import sim.study.basis as basis

    monkeypatch.setattr(basis, "target_bound", lambda t, s: bound)
    thr = 0.95 if cmp == ">=" else 1.0
    b = basis.verdict_basis(_Clause(), None, np.array([0.2, 0.9, 0.4]), np.full(3, thr), cmp)
    assert b.kind == kind
    if kind == "unreachable":
        assert bound.inputs in b.reason and f"{thr:.3g}" in b.reason


def test_fuzhou_shelter_area_per_resident_is_unreachable() -> None:
    raw = _raw("fuzhou_flood")
    t = next(x for x in raw["targets"] if x["id"] == "shelter_area_central_city")
    zones = set(t.get("zones") or [z["name"] for z in raw["zones"]])
    area = sum(s.get("usable_area_m2") or 0 for s in raw["shelters"] if s["zone"] in zones)
    pop = sum(z["population"] for z in raw["zones"] if z["name"] in zones)
    sc = sim.load_scenario(SCEN / "fuzhou_flood.yaml")
    clause = next(x for x in sc.targets if x.id == "shelter_area_central_city")
    vals = np.array([area / pop, 0.9 * area / pop])
    b = verdict_basis(clause, sc, vals, np.full(2, t["min_m2"]), ">=")
    assert area / pop < t["min_m2"]
    assert b.kind == "unreachable" and b.high == pytest.approx(area / pop)
    assert f"{area / pop:.3g}" in b.reason


def test_area_capacity_gives_shelter_area_by_construction() -> None:
    raw = _raw("shicheng_flash_flood")
    std = raw["response"]["shelter"]["area_per_person_m2"]
    ratios = []
    for s in raw["shelters"]:
        if s.get("usable_area_m2"):
            cap = s.get("capacity") or math.floor(s["usable_area_m2"] / std)
            ratios.append(s["usable_area_m2"] / cap)
    sc = sim.load_scenario(SCEN / "shicheng_flash_flood.yaml")
    clause = next(x for x in sc.targets if x.kind == "shelter_area_per_person")
    b = verdict_basis(clause, sc, np.array([3.0, 2.5]), np.full(2, clause.min_m2), ">=")
    assert min(ratios) >= clause.min_m2
    assert b.kind == "by_construction" and b.low == pytest.approx(min(ratios))


def test_five_minute_station_run_on_county_zones_is_a_resolution_limit() -> None:
    raw = _raw("wenzhou_typhoon")
    bases = {t["base"] for t in raw["teams"] if t["kind"] == "fire_rescue"}
    default = (raw.get("travel") or {}).get("intra_zone_minutes", 15)
    trips = [z.get("intra_zone_minutes", default) for z in raw["zones"] if z["name"] in bases]
    sc = sim.load_scenario(SCEN / "wenzhou_typhoon.yaml")
    clause = next(x for x in sc.targets if x.id == "fire_five_minutes")
    b = verdict_basis(clause, sc, np.array([0.0, 0.1]), np.full(2, 1.0), ">=")
    assert min(trips) > clause.minutes
    assert b.kind == "resolution" and f"{min(trips):g}" in b.reason


def test_a_simulated_target_varies_over_the_runs() -> None:
    study = sim.study(DEMO, runs=24, seed=5, workers=1, progress=False)
    summary = study.summary(n_resamples=200)
    for t in summary.targets:
        assert t.basis is not None
        vals = study.table[f"value.{t.id}"].to_numpy(dtype=float)
        vals = vals[np.isfinite(vals)]
        if t.basis.kind == "simulated":
            assert vals.size >= 2 and np.ptp(vals) > 0, t.id
        d = t.to_dict()
        assert d["basis"] == t.basis.kind and d["basis_reason"] == t.basis.reason
    kinds = {t.id: t.basis.kind for t in summary.targets if t.basis}
    assert kinds["shelter_area"] == "by_construction"  # capacity from area / 1.5 m2


def test_a_built_in_answer_is_said_in_words() -> None:
    row = {"p_holds": 0.0, "ci_low": 0.0, "ci_high": 0.002, "basis": "unreachable"}
    assert "0.000" not in fmt_p(row)
    assert fmt_p({**row, "p_holds": 1.0, "basis": "by_construction"}) == "holds by construction"
    assert fmt_p({**row, "basis": "simulated"}) == "0.000 [0.000, 0.002]"


def test_plan_line_column_credits_only_the_scenarios_own_plan() -> None:
    src = "004_wenzhou_plan.txt#L433 (the share is an assumption)"
    assert _line_links(src, "plans", "004_wenzhou_plan.txt") == (
        "[004_wenzhou_plan.txt#L433](plans/004_wenzhou_plan.txt#L433)")
    assert _line_links(src, "plans", "000_jinjiang_plan.txt") == (
        "another plan's clause (004_wenzhou_plan.txt#L433)")
    assert _line_links("parameters.md §8 (the golden 72 h)", "plans", None) == "parameters.md §8"


def test_sim_run_prints_a_target_with_nothing_to_measure_as_not_applicable() -> None:
    sc = sim.load_scenario(DEMO)
    for seed in range(40):
        r = sim.run(sc, np.random.SeedSequence(seed))
        if any(t.value is None for t in r.targets):
            break
    else:
        pytest.fail("no run without a value in 40 seeds")
    text = format_run(r)
    for t in r.targets:
        line = next(x for x in text.splitlines() if x.startswith(t.id + " "))
        if t.value is None:
            assert "NOT APPLICABLE" in line and "HOLDS" not in line, line
        else:
            assert ("HOLDS" in line) == t.met, line


def test_air_response_read_as_takeoff_is_never_later_than_arrival() -> None:
    from sim.targets import evaluate_targets

    sc = sim.load_scenario(DEMO)
    arrival = next(t for t in sc.targets if t.kind == "air_response_within")
    takeoff = arrival.model_copy(update={"id": "takeoff", "measure": "takeoff"})
    seen = 0
    # Air requests come from the seriously injured far from a hospital: since harm lands at its
    # own time (issue 11) about one demo run in twelve has one, so seeds are tried until three do.
    for seed in range(120):
        if seen >= 3:
            break
        r = sim.run(sc, np.random.SeedSequence(seed))
        for _km, arrive_h, leave_h in r.air_requests:
            assert leave_h <= arrive_h
            assert math.isfinite(leave_h) or not math.isfinite(arrive_h)
        a, b = evaluate_targets([arrival, takeoff], r, sc)
        if a.value is not None:
            seen += 1
            assert b.value is not None and b.value >= a.value
    assert seen >= 3
