"""The last mile: village teams hand relief items out to dispersed families (分散安置).

With ``dispersed_relief: delivered`` a dispersed family is relieved when the village teams have
handed out its share at the zone's distribution point, not when the truck arrives.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

import sim
from sim.run import Simulation
from tests.test_response_properties import check_last_mile


def _variant(demo: sim.Scenario, **logistics: Any) -> sim.Scenario:
    data = demo.model_dump(by_alias=True, exclude_none=True)
    data["response"]["logistics"].update({"dispersed_relief": "delivered", **logistics})
    return sim.Scenario.model_validate(data)


def _handed_out_by(r: Any, t: float) -> int:
    """Dispersed people relieved at distribution points by time ``t``."""
    return sum(n for when, kind, subj, n in r.events
               if kind == "relieved" and subj.endswith("/distribution") and when <= t)


def _first_return(r: Any) -> float:
    """When people first went home (after that the runs' random draws part ways)."""
    return min((when for when, kind, _s, _n in r.events if kind == "return_home"),
               default=math.inf)


def _first_ration(r: Any) -> float:
    """When the first family relieved at a distribution point draws its next daily ration."""
    return min((when + 24.0 for when, kind, subj, _n in r.events
                if kind == "relieved" and subj.endswith("/distribution")), default=math.inf)


def test_more_village_teams_relieve_dispersed_families_no_later(demo: sim.Scenario) -> None:
    """On common random numbers, four times the teams (one per 500 households instead of one
    per 2,000) never hand out less by any time, and hand out sooner on the whole."""
    few = _variant(demo, village_households=2000.0, handout_households_per_team_h=5.0)
    many = _variant(demo, village_households=500.0, handout_households_per_team_h=5.0)
    faster = 0
    for seed in range(4):
        a, b = sim.run(few, seed), sim.run(many, seed)
        check_last_mile(few, a)
        check_last_mile(many, b)
        assert a.metrics["dispersed_handed_out"] > 0
        # the hand-out draws no random numbers: until people go home or draw their second
        # day's ration (24 h after their hand-out), everything else is equal
        horizon = min(_first_return(a), _first_return(b), _first_ration(a), _first_ration(b))
        assert ([d for d in a.deliveries if d[4] < horizon]
                == [d for d in b.deliveries if d[4] < horizon])
        times = sorted({when for when, kind, *_ in a.events + b.events
                        if kind == "relieved" and when < horizon})
        for t in times:
            assert _handed_out_by(b, t) >= _handed_out_by(a, t), (seed, t)
        assert b.metrics["handout_mean_h"] <= a.metrics["handout_mean_h"] + 1e-9
        if b.metrics["handout_mean_h"] < a.metrics["handout_mean_h"] - 1e-9:
            faster += 1
        assert b.targets[0].value >= a.targets[0].value - 1e-12  # relief within 10 h
    assert faster > 0


def test_hand_out_relieves_after_the_items_arrive(demo: sim.Scenario) -> None:
    """A slow hand-out relieves dispersed families strictly after their items reach the point,
    and the relief target is no better than relief on delivery."""
    slow = _variant(demo, village_households=1000.0, handout_households_per_team_h=2.0)
    instant = _variant(demo)  # no village teams, no committees: relief on delivery
    for seed in range(3):
        r = sim.run(slow, seed)
        check_last_mile(slow, r)
        assert r.metrics["dispersed_handed_out"] == r.metrics["dispersed_relieved"] > 0
        assert r.metrics["handout_mean_h"] > 0
        q = sim.run(instant, seed)
        assert r.targets[0].value <= q.targets[0].value + 1e-12


def test_zero_village_teams_fall_back_to_relief_on_delivery(demo: sim.Scenario) -> None:
    """The stated fallback: a zone with no village team and no committee count
    (``village_households`` absent) relieves its dispersed families when their items reach the
    point, as if handed out at once; nobody is counted as handed out."""
    assert not any(t.kind == "village" for t in demo.teams)
    sc = _variant(demo)
    s = Simulation(sc, 0)
    assert s.model.distribution.teams == [0] * len(sc.zones)
    zones = [z.name for z in sc.zones]
    for seed in range(3):
        r = sim.run(sc, seed)
        check_last_mile(sc, r)
        assert r.metrics["dispersed_handed_out"] == 0
        assert r.metrics["dispersed_relieved"] > 0
        arrivals = {(zones[-2 - idx], round(delivered, 9))
                    for _t, _p, idx, _d, delivered, _kg in r.deliveries if idx <= -2}
        for when, kind, subj, _n in r.events:
            if kind == "relieved" and subj.endswith("/distribution"):
                assert (subj.split("/")[0], round(when, 9)) in arrivals


def test_committees_give_a_zone_its_hand_out_teams(demo: sim.Scenario) -> None:
    """Without village teams a zone hands out with one team per village committee,
    ceil(households / village_households); its village teams take precedence."""
    sc = _variant(demo, village_households=700.0)
    s = Simulation(sc, 0)
    expected = [math.ceil(z.households / 700.0) for z in sc.zones]
    assert s.model.distribution.teams == expected
    data = sc.model_dump(by_alias=True, exclude_none=True)
    base = data["zones"][0]["name"]
    data["teams"] = [*data.get("teams", []), {"name": "v", "kind": "village", "base": base,
                                               "headcount": 15, "count": 3}]
    s2 = Simulation(sim.Scenario.model_validate(data), 0)
    assert s2.model.distribution.teams == [3, *expected[1:]]
    assert np.all(np.array(expected) > 0)
