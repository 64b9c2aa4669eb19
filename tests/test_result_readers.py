"""What a run reports against what its own logs say, for readers the invariants do not cover.

Each check recomputes a reported quantity from the run's move log (``RunResult.transitions``:
``(hour, zone, from_state, to_state, people)``) and the scenario, never from the engine's own
counters.
"""

from __future__ import annotations

import numpy as np
import pytest

import sim
from sim.response.ledger import State
from tests.conftest import ROOT

EARTHQUAKE = ROOT / "scenarios" / "demo_earthquake.yaml"


@pytest.mark.parametrize("name", ["demo_earthquake", "demo_coastal_typhoon", "demo_flash_flood"])
def test_final_people_is_the_replayed_move_log(name: str) -> None:
    """``final_people()``: everyone starts at home; each logged move takes people from one
    state to another; the totals at the end are the replay."""
    sc = sim.load_scenario(ROOT / "scenarios" / f"{name}.yaml")
    for seed in (1, 2):
        r = sim.run(sc, np.random.SeedSequence(seed))
        count = {s: 0 for s in State}
        count[State.at_home] = int(np.sum(r.population))
        for _t, _zone, a, b, k in r.transitions:
            count[State(a)] -= k
            count[State(b)] += k
        assert all(v >= 0 for v in count.values())
        assert r.final_people() == {s.name: v for s, v in count.items()}
        assert any(v for s, v in count.items() if s is not State.at_home), "nobody moved"


def test_without_beds_the_injured_go_home_only_from_first_aid() -> None:
    """With no hospital bed, an injured person leaves ``injured`` for home only after first aid
    (``first_aid_h`` after people entered ``injured``); the seriously injured stay injured or
    die (``untreated_sev3_mean_h``), and deaths among the injured do occur."""
    data = sim.load_scenario(EARTHQUAKE).model_dump(by_alias=True, exclude_none=True)
    for h in data["hospitals"]:
        h["beds"] = 0
    data["hazard"]["magnitude"] = 6.8
    sc = sim.Scenario.model_validate(data)
    first_aid = float(sc.response.medical.first_aid_h)  # type: ignore[union-attr, arg-type]
    died = 0
    for seed in range(3):
        r = sim.run(sc, np.random.SeedSequence(seed))
        inflow = {(round(t, 9), z) for t, z, a, b, k in r.transitions
                  if b == State.injured and a != State.injured and k > 0}
        for t, z, a, b, k in r.transitions:
            if a == State.injured and b == State.at_home and k > 0:
                assert (round(t - first_aid, 9), z) in inflow, (seed, t, z, k)
            if a == State.injured and b == State.killed:
                died += k
    assert died > 0, "no injured person died without care: the check would be empty"


def test_an_agreement_delivers_what_it_holds_and_no_more() -> None:
    """An agreement of 25,000 meals and 25,000 litres at 20,000 a day in 2 batches arrives as
    10,000 + 10,000 + 5,000 of each: the stock logged as arriving at its point adds up to what
    the agreement holds, in three batches 12 h apart."""
    data = sim.load_scenario(ROOT / "scenarios" / "demo_coastal_typhoon.yaml").model_dump(
        by_alias=True, exclude_none=True)
    deal = next(s for s in data["supplies"] if s["name"] == "supermarket_contract")
    deal["items"] = {"meal": 25000.0, "water_l": 25000.0}
    deal["lead_time_h"] = 1.0
    data["supplies"] = [deal]
    sc = sim.Scenario.model_validate(data)
    r = sim.run(sc, np.random.SeedSequence(4))
    added = [(t, v) for t, kind, where, v in r.events
             if kind == "stock_added" and where == deal["deliver_to"]]
    assert [v for _t, v in added] == [20000, 20000, 10000]
    assert [b[0] - a[0] for a, b in zip(added, added[1:], strict=False)] == [12.0, 12.0]


def test_a_target_at_its_limit_holds() -> None:
    """The plans' limits are inclusive (不超过, 以内): a death rate exactly at ``max`` holds, one
    death more per the same population does not. The limit is set from the run's own deaths."""
    from sim.targets import evaluate_targets

    sc = sim.load_scenario(ROOT / "scenarios" / "demo_earthquake.yaml")
    base = next(t for t in sc.targets if t.kind == "deaths_per_million")
    r = sim.run(sc, np.random.SeedSequence(1))
    killed = sum(k for _t, _z, _a, b, k in r.transitions if b == State.killed)
    assert killed > 0
    rate = killed / float(np.sum(r.population)) * 1e6
    at = base.model_copy(update={"id": "at", "max": rate, "per": "event"})
    below = base.model_copy(update={"id": "below", "max": (killed - 1) / float(np.sum(
        r.population)) * 1e6, "per": "event"})
    a, b = evaluate_targets([at, below], r, sc)
    assert a.value == pytest.approx(rate, rel=1e-12)
    assert a.met and not b.met
