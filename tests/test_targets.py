"""Plan clauses measured on runs: the per-resident shelter area."""

from __future__ import annotations

import pytest

import sim
from sim.scenario.loader import ScenarioError
from sim.scenario.overrides import apply_overrides


def _per_resident(zones: list[str]) -> dict[str, object]:
    return {"targets[+]": {"id": "area_per_resident", "kind": "shelter_area_per_person",
                           "min_m2": 0.05, "per": "resident", "zones": zones,
                           "source": "test"}}


def test_shelter_area_per_resident_is_area_in_service_over_residents(demo: sim.Scenario) -> None:
    sc = apply_overrides(demo, _per_resident(["county_seat", "river_town"]))
    zones = {"county_seat", "river_town"}
    residents = sum(z.population for z in sc.zones if z.name in zones)
    for seed in range(5):
        r = sim.run(sc, seed)
        out = {f.name for f in r.impact.facilities_out if f.kind == "shelter"}
        area = sum(s.usable_area_m2 or 0.0 for s in sc.shelters
                   if s.zone in zones and s.name not in out)
        t = next(t for t in r.targets if t.id == "area_per_resident")
        assert t.value == pytest.approx(area / residents)
        assert t.met == (t.value >= 0.05)


def test_per_resident_zones_must_exist(demo: sim.Scenario) -> None:
    with pytest.raises(ScenarioError, match=r"zones.*unknown zone 'atlantis'"):
        apply_overrides(demo, _per_resident(["county_seat", "atlantis"]))
