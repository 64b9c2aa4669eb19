"""The exercise session: injects, decisions, status, save/resume, forks, decision scripts.

On the demo scenario with a tiny MSEL written here: an inject with an effect, an expected
action and a contingency on it.
"""

from __future__ import annotations

import io
import json
import math
from pathlib import Path

import numpy as np
import pytest

from sim.exercise.decisions import load_decisions, msel_path, parse_decisions, play
from sim.exercise.forks import (
    FutureSpec,
    fork_futures,
    future_interventions,
    run_future,
    unrelieved_at,
)
from sim.exercise.msel import load_msel, parse_msel_yaml
from sim.exercise.prompt import parse_fields, run_prompt
from sim.exercise.session import Exercise
from sim.interventions import parse_intervention
from sim.run import partial_result, run
from sim.scenario.loader import ScenarioError, load_scenario
from tests.conftest import DEMO, ROOT

MSEL = f"""
name: demo_tabletop
scenario: {DEMO}
objectives:
  - {{id: relief, capability: Logistics and Supply Chain Management}}
roles:
  - {{id: county_hq, name: County HQ}}
  - {{id: logistics, name: Logistics group}}
injects:
  - number: "1"
    at_h: -12
    synopsis: Order the evacuation
    message: {{zh: 下达转移命令, en: Order the evacuation}}
    from: control
    to: county_hq
    expected_action: {{id: order_evacuation, en: Order it}}
    objective: relief
  - number: "2"
    at_h: -6
    synopsis: Not yet moved
    message: {{zh: 尚未转移, en: Villages have not moved}}
    from: control
    to: county_hq
    objective: relief
    when_not: {{action: order_evacuation, by_h: -8}}
  - number: "3"
    at_h: 2
    synopsis: Roads cut
    message: {{zh: 山区乡道路中断, en: Hill village roads cut}}
    from: control
    to: logistics
    expected_action: {{id: send_trucks, en: Send trucks}}
    objective: relief
    effect: {{kind: close_roads, zone: hill_village, hours: 6}}
"""

SEED = 3


@pytest.fixture(scope="module")
def demo():  # type: ignore[no-untyped-def]
    return load_scenario(DEMO)


@pytest.fixture(scope="module")
def msel(demo):  # type: ignore[no-untyped-def]
    return parse_msel_yaml(MSEL, "msel.yaml", demo)


@pytest.fixture
def msel_file(tmp_path: Path) -> Path:
    p = tmp_path / "msel.yaml"
    p.write_text(MSEL, encoding="utf-8")
    return p


def _same_run(a, b) -> None:  # type: ignore[no-untyped-def]
    assert a.metrics == b.metrics
    assert a.events == b.events
    assert [t.to_dict() for t in a.targets] == [t.to_dict() for t in b.targets]


def test_injects_delivered_when_due_and_contingency_only_if_action_missing(demo, msel) -> None:
    ex = Exercise(demo, SEED, msel)
    assert ex.next_inject().number == "1"
    new = ex.to_next_inject()
    assert ex.now == -12 and [e.ref for e in new if e.kind == "inject"] == ["1"]
    ex.advance_to(0)  # nobody ordered the evacuation by -8: the contingency comes at -6
    got = [(e.t_h, e.kind, e.ref) for e in ex.log if e.kind in ("inject", "contingency")]
    assert got == [(-12, "inject", "1"), (-6, "contingency", "2")]

    ex2 = Exercise(demo, SEED, msel)
    ex2.advance_to(-10)
    entry = ex2.decide(None, by="county_hq", action="order_evacuation")
    assert entry.kind == "decision" and entry.objective == "relief"
    ex2.advance_to(0)
    assert ex2.delivered == ["1"] and ex2.status()["injects_skipped"] == ["2"]
    ex2.advance_to(2)  # the inject at 2 h is delivered on reaching it; its effect acts next
    assert ex2.delivered == ["1", "3"]
    assert ex2.sim.interventions[-1].kind == "close_roads"


def test_exercise_is_the_run_of_its_interventions(demo, msel) -> None:
    ex = Exercise(demo, SEED, msel)
    ex.advance_to(4)
    ex.decide({"kind": "add_vehicles", "fleet": "county_trucks", "count": 3}, by="logistics",
              action="send_trucks", note="more trucks")
    ex.step(2.5)
    ex.decide(parse_intervention({"kind": "add_stock", "at_h": 0, "point": "county_depot",
                                  "items": {"meal": 20000}}))
    result = ex.finish()
    assert [it.at_h for it in ex.sim.interventions] == [2.0, 4.0, 6.5]
    _same_run(result, run(demo, SEED, ex.sim.interventions))
    assert ex.finish() is result  # idempotent


def test_decision_errors_name_the_field(demo, msel) -> None:
    ex = Exercise(demo, SEED, msel)
    with pytest.raises(ValueError, match="fleet"):
        ex.decide({"kind": "add_vehicles", "fleet": "no_such_fleet", "count": 3})
    with pytest.raises(ValueError, match="count"):
        ex.decide({"kind": "add_vehicles", "fleet": "county_trucks", "count": "many"})
    with pytest.raises(ValueError, match="unknown role"):
        ex.decide(None, by="mayor")
    with pytest.raises(ValueError, match="not an expected action"):
        ex.decide(None, action="dance")
    with pytest.raises(ValueError, match="branch"):
        ex.decide({"kind": "branch", "branch": 1})
    assert ex.log == [e for e in ex.log if e.kind != "decision"]  # nothing logged


def test_status_reads_the_run_without_disturbing_it(demo, msel) -> None:
    quiet = Exercise(demo, SEED, msel)
    quiet.advance_to(8)
    busy = Exercise(demo, SEED, msel)
    for t in range(-36, 9, 4):
        busy.advance_to(t)
        st = busy.status()
        json.dumps(st)
    assert st["time_h"] == 8
    assert sum(st["people"].values()) == sum(z.population for z in demo.zones)
    assert {z["name"] for z in st["zones"]} == {z.name for z in demo.zones}
    assert sum(s["present"] for s in st["shelters"]) == st["people"]["sheltered"]
    relief = next(t for t in st["targets"] if t["kind"] == "relief_within")
    part = partial_result(busy.sim)
    needing = part.relief_n.sum()
    assert relief["value"] == pytest.approx(
        part.relief_n[part.relief_t <= 10].sum() / needing)
    assert "h left" in relief["why"] and isinstance(relief["at_risk"], bool)
    _same_run(busy.finish(), quiet.finish())


def test_relief_at_risk_when_behind_the_pace(demo) -> None:
    ex = Exercise(demo, SEED)
    ex.advance_to(12)  # after the 10 h deadline: missed if the share is below the threshold
    st = next(t for t in ex.status()["targets"] if t["kind"] == "relief_within")
    assert st["at_risk"] == (st["value"] < 0.95) and st["at_risk"]
    assert st["why"].startswith("missed")


def test_save_and_resume_replay_exactly(demo, msel, msel_file: Path, tmp_path: Path) -> None:
    ex = Exercise.open(DEMO, msel_file, SEED)
    ex.advance_to(-10)
    ex.decide(None, by="county_hq", action="order_evacuation")
    ex.advance_to(4)
    ex.decide({"kind": "add_vehicles", "fleet": "county_trucks", "count": 3}, by="logistics",
              action="send_trucks")
    ex.fork(2)
    ex.step(1.5)
    save = tmp_path / "saved.json"
    ex.save(save)
    back = Exercise.resume(save)
    assert back.now == ex.now == 5.5
    assert [e.to_dict() for e in back.log] == [e.to_dict() for e in ex.log]
    assert back.forks[0].to_dict() == ex.forks[0].to_dict()
    ex.decide({"kind": "add_stock", "point": "county_depot", "items": {"meal": 9000}})
    back.decide({"kind": "add_stock", "point": "county_depot", "items": {"meal": 9000}})
    _same_run(back.finish(), ex.finish())
    # a changed file is refused
    msel_file.write_text(MSEL + "\n# edited\n", encoding="utf-8")
    with pytest.raises(ValueError, match="changed since"):
        Exercise.resume(save)


def test_fork_future_is_the_replay_and_the_simulation_fork(demo, msel) -> None:
    ex = Exercise(demo, SEED, msel)
    ex.advance_to(4)
    ex.decide({"kind": "add_vehicles", "fleet": "county_trucks", "count": 2})
    rep = fork_futures(ex, 3)
    b = 1
    its = future_interventions(ex, b)
    assert its[-1].kind == "branch" and its[-1].branch == b and its[-1].at_h == 4
    mine = run(demo, SEED, its)
    _same_run(mine, ex.sim.fork([b])[0].finish())
    assert [rep.met[t.id][b] for t in mine.targets] == [
        None if t.value is None else t.met for t in mine.targets]
    np.testing.assert_array_equal(
        [rep.fan["q50"][0]], [np.median([unrelieved_at(run(demo, SEED, future_interventions(
            ex, k)), [4.0])[0] for k in range(3)])])
    spec = run_future(FutureSpec(str(DEMO), SEED, tuple(its), (4.0, 10.0)))
    assert spec["met"] == [rep.met[t.id][b] for t in mine.targets]
    assert spec["fan"] == unrelieved_at(mine, [4.0, 10.0]).tolist()
    assert not ex.finished and ex.now == 4  # the exercise itself is untouched


def test_fork_includes_injects_still_to_come(demo, msel) -> None:
    ex = Exercise(demo, SEED, msel)
    ex.advance_to(0)
    its = future_interventions(ex, 0)
    assert [it.kind for it in its] == ["branch", "close_roads"]


def test_alternative_that_changes_nothing_gives_zero_difference(demo, msel) -> None:
    ex = Exercise(demo, SEED, msel)
    ex.advance_to(4)
    # a meal at the county depot, which holds tens of thousands: no target can change
    alt = parse_intervention({"kind": "add_stock", "at_h": 4, "point": "county_depot",
                              "items": {"meal": 1e-6}})
    rep = fork_futures(ex, 4, alt)
    assert rep.met == rep.met_alt
    for t in rep.targets:
        if t["p"] is None:
            assert t["diff"] is None
            continue
        assert t["diff"] == 0.0 and t["p"] == t["p_alt"]
        assert t["diff_lo"] < 0 < t["diff_hi"]
        assert t["lo"] <= t["p"] <= t["hi"]
    for q in rep.quantities:
        assert q["diff"] in (0.0, None) and q["mean"] == q["mean_alt"], q
    assert rep.fan == {**rep.fan_alt}
    json.dumps(rep.to_dict())


def test_an_alternative_that_matters_shows_in_the_paired_difference(demo) -> None:
    ex = Exercise(demo, SEED)
    ex.advance_to(-20)
    # heavy rain killing one resident in a thousand in the harbour town: 42 deaths, far above
    # the limit of 0.9 per million in every future
    rain = parse_intervention({"kind": "extra_rain", "at_h": -20, "zone": "harbour_town",
                               "killed": 0.001})
    rep = fork_futures(ex, 4, rain)
    deaths = rep.target("deaths_per_million")
    assert (deaths["p"], deaths["p_alt"], deaths["diff"]) == (1.0, 0.0, -1.0)
    assert -1.0 <= deaths["diff_lo"] < deaths["diff_hi"] < 0  # 4 pairs exclude no change
    # roads of the county seat closed for 60 h: more people wait for relief in the futures
    cut = parse_intervention({"kind": "close_roads", "at_h": -20, "zone": "county_seat",
                              "hours": 60})
    fan = fork_futures(ex, 2, cut)
    assert sum(fan.fan_alt["q50"]) > sum(fan.fan["q50"])  # person-hours waiting
    assert all(a >= b for a, b in zip(fan.fan["q95"], fan.fan["q05"], strict=True))


def test_one_and_two_workers_give_identical_reports(demo, msel) -> None:
    ex = Exercise.open(DEMO, None, SEED)
    ex.advance_to(6)
    alt = {"kind": "add_vehicles", "fleet": "county_trucks", "count": 3}
    one = ex.fork(3, alt, workers=1).to_dict()
    two = ex.fork(3, alt, workers=2).to_dict()
    for d in (one, two):
        for k in ("id", "seconds", "cpu_seconds", "workers"):
            d.pop(k)
    assert one == two


def test_decision_script_plays_in_time_order(demo, msel, tmp_path: Path) -> None:
    text = """
decisions:
  - at_h: 4
    by: logistics
    action: send_trucks
    decision: {kind: add_vehicles, fleet: county_trucks, count: 2}
    fork: {futures: 2}
    source: "assumption: a test"
  - at_h: -10
    by: county_hq
    action: order_evacuation
  - at_h: 6
    fork: {futures: 2, alternative: {kind: add_stock, point: county_depot, items: {meal: 9}}}
"""
    script = parse_decisions(text, "d.yaml", demo, msel)
    ex = play(Exercise(demo, SEED, msel), script)
    assert ex.finished and ex.delivered == ["1", "3"]
    kinds = [(e.t_h, e.kind) for e in ex.log if e.kind in ("decision", "fork")]
    assert kinds == [(-10, "decision"), (4, "fork"), (4, "decision"), (6, "fork")]
    assert ex.forks[0].decision is not None and ex.forks[0].targets[0]["diff"] is not None
    assert [it.kind for it in ex.sim.interventions] == ["close_roads", "add_vehicles"]
    assert ex.log[-1].t_h == ex.end or all(e.t_h <= ex.end for e in ex.log)
    record = ex.record()
    json.dumps(record)
    assert record["targets"] and len(record["forks"]) == 2


@pytest.mark.parametrize(("entry", "field", "message"), [
    ("{at_h: 4, decision: {kind: fly, zone: x}}", "decisions[0].decision.kind", "fly"),
    ("{at_h: 4, by: mayor, action: send_trucks}", "decisions[0].by", "unknown role"),
    ("{at_h: 4, action: dance}", "decisions[0].action", "not an expected action"),
    ("{at_h: 400, action: send_trucks}", "decisions[0].at_h", "outside the run"),
    ("{at_h: 4, decision: {kind: close_roads, zone: atlantis, hours: 3}}",
     "decisions[0].decision.zone", "unknown zone"),
    ("{at_h: 4}", "decisions[0]", "needs a decision"),
    ("{at_h: 4, fork: {futures: 0}}", "decisions[0].fork.futures", "greater than"),
    ("{at_h: 4, fork: {futures: 2, alternative: {kind: add_stock, point: nowhere, items: "
     "{meal: 1}}}}", "decisions[0].fork.alternative.point", "unknown stock point"),
])
def test_decision_script_errors_are_located(demo, msel, tmp_path: Path, entry: str,
                                            field: str, message: str) -> None:
    p = tmp_path / "d.yaml"
    p.write_text(f"# a script\ndecisions:\n  - {entry}\n", encoding="utf-8")
    with pytest.raises(ScenarioError) as exc:
        load_decisions(p, demo, msel)
    first = str(exc.value.problems[0])
    assert first.startswith(f"{p}:3: {field}"), first
    assert message in first


def test_prompt_values_are_data_and_bad_commands_one_line(demo, msel) -> None:
    assert parse_fields(["count=4", "items.meal=5000", "note=__import__('os')",
                         "items.water_l=2.5"]) == {
        "count": 4, "items": {"meal": 5000, "water_l": 2.5}, "note": "__import__('os')"}
    with pytest.raises(ValueError, match="key=value"):
        parse_fields(["count"])
    ex = Exercise(demo, SEED, msel)
    out: list[str] = []
    cmds = io.StringIO("to -10\nact order_evacuation by=county_hq\nstep 14\n"
                       "decide add_vehicles fleet=county_trucks count=2 by=logistics "
                       "note='two more'\n"
                       "decide add_vehicles fleet=county_trucks count=lots\n"
                       "inject close_roads zone=harbour_town hours=3 note=landslide\n"
                       "frobnicate\nstatus\nquit\nstep 5\n")
    run_prompt(ex, cmds, out.append, interactive=False)
    assert ex.now == 4 and ex.actions_taken == {"order_evacuation": -10}
    assert [it.kind for it in ex.sim.interventions[-2:]] == ["add_vehicles", "close_roads"]
    assert ex.log[-1].kind == "inject" and ex.log[-1].ref == "X1" and ex.log[-1].data["ad_hoc"]
    errors = [line for line in out if line.startswith("error:")]
    assert len(errors) == 2 and "count" in errors[0] and "frobnicate" in errors[1]
    assert any(line.startswith("T+4.00 h") for line in out)  # the status board
    assert not math.isnan(ex.now)


def test_wenzhou_decision_script_fits_its_msel_and_scenario() -> None:
    ex_dir = ROOT / "scenarios" / "exercises"
    sc = load_scenario(ROOT / "scenarios" / "wenzhou_typhoon.yaml")
    script = load_decisions(ex_dir / "wenzhou_typhoon_decisions.yaml")
    m = msel_path(script, ex_dir / "wenzhou_typhoon_decisions.yaml")
    assert m == ex_dir / "wenzhou_typhoon_msel.yaml"
    msel = load_msel(m, sc)
    script = load_decisions(ex_dir / "wenzhou_typhoon_decisions.yaml", sc, msel)
    assert all(e.source for e in script.decisions)  # every decision says why
    forks = [e for e in script.decisions if e.fork is not None]
    assert [e.at_h for e in forks] == [6] and forks[0].fork.alternative is not None
    # the contingency on the evacuation order is answered in time
    order = next(e for e in script.decisions if e.action == "order_evacuation")
    assert order.at_h <= next(i for i in msel.injects if i.when_not).when_not.by_h
