"""Warning channels: reach as an outcome of the channels, their delays and the hazard's outages."""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Generator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import sim
from sim.hazards.impact import Impact, ZoneImpact
from sim.response.evacuation import Evacuation
from sim.response.ledger import State
from sim.scenario.clauses import EvacuatedBeforeOnset, WarningReachWithin
from sim.scenario.distributions import support_of
from sim.targets import evaluate_targets, target_bound

ROOT = Path(__file__).resolve().parents[1]
PLANS = ["wenzhou_typhoon", "jinjiang_typhoon", "fuzhou_flood", "shicheng_flash_flood",
         "jincheng_earthquake"]

CHANNELS = [
    {"name": "terminals", "name_zh": "应急广播主动发布终端", "kind": "broadcast", "coverage": 0.6,
     "delay_h": 0.0, "spread_h": 8.0, "needs_power": True},
    {"name": "sms", "name_zh": "手机短信", "kind": "cell_broadcast", "coverage": 0.5,
     "delay_h": 0.5, "spread_h": 8.0, "needs_network": True},
    {"name": "doors", "name_zh": "入户通知", "kind": "door_to_door", "coverage": 0.3,
     "delay_h": 1.0, "spread_h": 8.0},
]


def with_channels(demo: sim.Scenario, power_median: float = 1e6, lead_h: float = 6.0,
                  targets: list[dict[str, Any]] | None = None) -> sim.Scenario:
    """The demo with three channels, a fixed lead and outage fragilities of ``power_median``."""
    data = demo.model_dump(by_alias=True, exclude_none=True)
    w = data["response"]["warning"]
    w.pop("coverage", None)
    w["channels"] = CHANNELS
    w["outages"] = {"power": {"median": power_median, "beta": 0.1},
                    "network": {"median": power_median, "beta": 0.1}}
    data["hazard"]["warning_lead_h"] = lead_h
    data["targets"] = targets or [
        {"id": "any", "kind": "warning_reach_within", "share": 0.9, "hours": 48},
        {"id": "onset", "kind": "warning_reach_within", "share": 0.9, "by": "onset"},
        {"id": "terminals", "kind": "warning_reach_within", "share": 0.9, "hours": 48,
         "channel_kind": "broadcast"},
        {"id": "evac", "kind": "evacuated_before_onset", "share": 0.9},
    ]
    return sim.Scenario.model_validate(data)


def flat_impact(sc: sim.Scenario, intensity: float = 40.0, onset_h: float = 0.0) -> Impact:
    return Impact("synthetic", "m/s", tuple(
        ZoneImpact(onset_h=onset_h, intensity=intensity, home_loss=0.01, killed=1e-4)
        for _ in sc.zones))


def target(r: sim.RunResult, tid: str) -> Any:
    return next(t for t in r.targets if t.id == tid)


# -- conservation and the independence of channels ---------------------------------------------
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_channels_conserve_people_and_reach_the_union_of_their_coverages(
        demo: sim.Scenario, seed: int) -> None:
    sc = with_channels(demo, lead_h=20.0)
    r = sim.run(sc, seed, impact=flat_impact(sc))
    pop = r.population
    assert (r.people.sum(axis=(1, 2)) == pop.sum()).all()
    new = np.zeros(len(pop), dtype=np.int64)
    own = np.zeros((len(CHANNELS), len(pop)), dtype=np.int64)
    for _t, z, c, n_new, n_kind in r.warning_reach:
        assert 0 <= n_new <= n_kind  # new to every channel => new to its kind
        new[z] += n_new
        own[c, z] += n_kind
    assert (new <= pop).all() and (own <= pop).all()
    # the ledger moves only people the warning reached, each once
    heard = sum(n for _t, _z, a, b, n in r.transitions if (a, b) == (State.at_home, State.warned))
    assert 0 < heard <= new.sum()
    assert sum(r.metrics["warned_by_channel"].values()) == new.sum()
    # independent channels: P(reached by none) = prod(1 - coverage)
    expect = 1.0 - math.prod(1.0 - c["coverage"] for c in CHANNELS)
    assert new.sum() / pop.sum() == pytest.approx(expect, abs=0.01)
    for c, ch in enumerate(CHANNELS):
        assert own[c].sum() / pop.sum() == pytest.approx(ch["coverage"], abs=0.01)
    # nobody is warned before the warning has reached their tier
    issued = r.warning_issued_h
    assert issued == pytest.approx(-20.0)
    assert min(t for t, *_ in r.warning_reach) >= issued


# -- without channels: exactly the warning of before --------------------------------------------
def _warning_before_channels(self: Evacuation, zones: list[int]) -> Generator[Any, Any, None]:
    """The single-coverage warning as it was before channels existed (the reference)."""
    m = self.m
    every = len(zones) == len(m.zone_names)
    m.log("warning_reaches_people",
          "all" if every else ",".join(m.zone_names[z] for z in zones), 0)
    slices = max(1, math.ceil(self.spread_h - 1e-9))
    widths = np.ones(slices)
    widths[-1] = self.spread_h - (slices - 1) if self.spread_h > slices - 1 else 1.0
    p = widths / widths.sum()
    pops = m.ledger.population
    reach = {z: self.rng.multinomial(self.rng.binomial(int(pops[z]), self.coverage), p)
             for z in zones}
    for k in range(slices):
        if k:
            yield m.env.timeout(1.0)
        for z in zones:
            n = min(int(reach[z][k]), m.ledger.count(State.at_home, z))
            if n == 0 or self.struck[z]:
                continue
            m.ledger.move(m.env.now, z, State.at_home, State.warned, n)
            targeted = int(self.rng.binomial(n, self.target_share[z]))
            going = int(self.rng.binomial(targeted, self.compliance))
            if going:
                m.env.process(self._leave(z, going, self.mobilisation_h))


@pytest.mark.parametrize("name,seed", [("demo_coastal_typhoon", 1), ("demo_coastal_typhoon", 2),
                                       ("demo_flash_flood", 1)])
def test_without_channels_the_run_is_bit_identical(monkeypatch: pytest.MonkeyPatch, name: str,
                                                   seed: int) -> None:
    sc = sim.load_scenario(ROOT / "scenarios" / f"{name}.yaml")
    assert not sc.response.warning.channels
    now = sim.run(sc, seed)
    monkeypatch.setattr(Evacuation, "warning", _warning_before_channels)
    before = sim.run(sc, seed)
    assert now.metrics["warned"] > 0
    assert np.array_equal(now.people, before.people)
    assert now.transitions == before.transitions
    assert now.events == before.events
    # the implicit channel's records cover every move of the ledger into ``warned`` from home
    heard = sum(n for _t, _z, a, b, n in now.transitions
                if (a, b) == (State.at_home, State.warned))
    assert sum(n for *_, n, _k in now.warning_reach) >= heard > 0


# -- bounds ----------------------------------------------------------------------------------
@pytest.mark.parametrize("seed", range(4))
def test_reach_never_exceeds_its_bound(demo: sim.Scenario, seed: int) -> None:
    sc = with_channels(demo, lead_h=20.0)
    r = sim.run(sc, seed, impact=flat_impact(sc))
    for t in sc.targets:
        b = target_bound(t, sc)
        assert b is not None and b.high is not None
        v = target(r, t.id).value
        if isinstance(t, WarningReachWithin):
            assert v is not None and 0.0 <= v <= b.high
    b_any = target_bound(sc.targets[0], sc)
    b_kind = target_bound(sc.targets[2], sc)
    assert b_any is not None and b_kind is not None
    n = sum(z.population for z in sc.zones)
    assert b_any.high == pytest.approx(0.86 + 4 * math.sqrt(0.86 * 0.14 / n))
    assert b_kind.high == pytest.approx(0.6 + 4 * math.sqrt(0.6 * 0.4 / n))
    assert b_any.high - 0.86 < 0.005
    assert "terminals" in b_kind.inputs and "sms" not in b_kind.inputs


def test_evacuation_bound_is_the_largest_compliance(demo: sim.Scenario) -> None:
    t = EvacuatedBeforeOnset(id="e", kind="evacuated_before_onset", share=0.9)
    b = target_bound(t, demo)
    hi = support_of(demo.response.evacuation.compliance)[1]
    assert b is not None and b.high == pytest.approx(hi)


# -- outages -----------------------------------------------------------------------------------
def test_outages_lower_reach_on_common_random_numbers(demo: sim.Scenario) -> None:
    """Same disasters and draws; only the grid and network fragility differ. Channels still
    delivering at the strike are silenced where the zone loses power or the network."""
    sturdy = with_channels(demo, power_median=1e6, lead_h=6.0)
    fragile = with_channels(demo, power_median=1.0, lead_h=6.0)
    lower = []
    for seed in range(5):
        a = sim.run(sturdy, seed, impact=flat_impact(sturdy))
        b = sim.run(fragile, seed, impact=flat_impact(fragile))
        assert a.metrics["zones_power_out"] == 0
        assert b.metrics["zones_power_out"] == len(demo.zones)
        assert sum(a.metrics["warning_silenced"].values()) == 0
        assert b.metrics["warning_silenced"]["terminals"] > 0
        assert b.metrics["warning_silenced"]["doors"] == 0  # door-to-door needs neither
        va, vb = target(a, "any").value, target(b, "any").value
        assert vb <= va
        # before the strike both runs are the same
        assert target(a, "onset").value == target(b, "onset").value
        lower.append(va - vb)
    assert np.mean(lower) > 0.05


def test_outage_probability_follows_the_fragility(demo: sim.Scenario) -> None:
    """At the median intensity about half the zones lose power, over many seeds."""
    sc = with_channels(demo, power_median=40.0, lead_h=6.0)
    from sim.run import Simulation
    out, total = 0, 0
    for seed in range(40):
        m = Simulation(sc, seed, impact=flat_impact(sc, intensity=40.0)).model
        ch = m.evac.channels
        assert all(p == pytest.approx(0.5) for p in ch.p_power)
        out += sum(1 for t in ch.power_out_h if math.isfinite(t))
        total += len(ch.power_out_h)
        assert all(t == 0.0 for t in ch.power_out_h if math.isfinite(t))  # from the strike
    assert 0.35 < out / total < 0.65


# -- the evaluator on a hand-built case --------------------------------------------------------
def test_reach_evaluator_on_a_hand_built_case(demo: sim.Scenario) -> None:
    sc = with_channels(demo, lead_h=20.0)
    r = sim.run(sc, 0, impact=flat_impact(sc))
    zones = r.zones
    pop = np.zeros(len(zones), dtype=np.int64)
    pop[0], pop[1] = 1000, 3000
    onsets = [ZoneImpact(onset_h=-2.0 if z == 0 else 1.0, intensity=1.0, home_loss=0.0)
              for z in range(len(zones))]
    hand = dataclasses.replace(
        r, population=pop, impact=dataclasses.replace(r.impact, zones=tuple(onsets)),
        warning_issued_h=-10.0,
        warning_channels=[("terminals", "broadcast"), ("sms", "cell_broadcast")],
        warning_reach=[
            (-8.0, 0, 0, 500, 500),     # terminals: 500 of zone 0, 2 h after issue
            (-5.0, 0, 1, 100, 300),     # sms reaches 300, 100 of them new
            (-1.0, 0, 0, 200, 200),     # after zone 0's onset (-2)
            (-6.0, 1, 1, 1500, 1500),   # zone 1 by sms
            (0.5, 1, 0, 600, 1200),     # zone 1 terminals, before its onset (1.0)
        ])
    targets = [
        WarningReachWithin(id="z0_3h", kind="warning_reach_within", share=0.5, hours=3,
                           zones=[zones[0]]),
        WarningReachWithin(id="z0_onset", kind="warning_reach_within", share=0.5, by="onset",
                           zones=[zones[0]]),
        WarningReachWithin(id="z0_bc", kind="warning_reach_within", share=0.7, hours=24,
                           zones=[zones[0]], channel_kind="broadcast"),
        WarningReachWithin(id="both_onset", kind="warning_reach_within", share=0.7, by="onset",
                           zones=[zones[0], zones[1]]),
        WarningReachWithin(id="bc_onset", kind="warning_reach_within", share=0.5, by="onset",
                           zones=[zones[0], zones[1]], channel_kind="broadcast"),
    ]
    res = {t.id: t for t in evaluate_targets(list(targets), hand, sc)}
    assert res["z0_3h"].value == pytest.approx(0.5) and res["z0_3h"].met
    assert res["z0_onset"].value == pytest.approx(0.6) and res["z0_onset"].met
    assert res["z0_bc"].value == pytest.approx(0.7) and res["z0_bc"].met
    assert res["both_onset"].value == pytest.approx((600 + 2100) / 4000)
    assert res["both_onset"].unit.endswith("before onset")
    assert not res["both_onset"].met
    assert res["bc_onset"].value == pytest.approx((500 + 1200) / 4000)
    assert not res["bc_onset"].met


def test_evacuation_is_measured_over_the_warned_people_of_the_order(demo: sim.Scenario) -> None:
    sc = with_channels(demo, lead_h=20.0)
    r = sim.run(sc, 0, impact=flat_impact(sc))
    m = dict(r.metrics)
    m.update(evacuated_before_onset=450, evacuation_targeted_warned=500,
             evacuation_targeted_unwarned=300, evacuation_targeted=800.0)
    hand = dataclasses.replace(r, metrics=m)
    hand.targets = evaluate_targets(list(sc.targets), hand, sc)
    res = target(hand, "evac")
    assert res.value == pytest.approx(0.9) and res.met
    assert "300" in (res.note or "")
    # in the run itself: nobody outside the warned part of the order left before onset
    real = target(r, "evac")
    assert real.value is not None
    assert r.metrics["evacuated_before_onset"] <= r.metrics["evacuation_targeted_warned"]


# -- the five plans --------------------------------------------------------------------------
@pytest.mark.parametrize("name", PLANS)
def test_plan_scenarios_have_channels_and_a_reach_target(name: str) -> None:
    sc = sim.load_scenario(ROOT / "scenarios" / f"{name}.yaml")
    w = sc.response.warning
    assert len(w.channels) >= 3 and w.outages is not None
    assert all(c.source and c.name_zh for c in w.channels)
    reach = [t for t in sc.targets if isinstance(t, WarningReachWithin)]
    assert reach and all(t.source and t.clause for t in reach)
    r = sim.run(sc, 0)
    for t in reach:
        b = target_bound(t, sc)
        assert b is not None and b.high is not None and 0 < b.high <= 1
        v = target(r, t.id)
        assert v.value is not None and 0.0 <= v.value <= b.high + 1e-12
        assert v.kind == "warning_reach_within"
