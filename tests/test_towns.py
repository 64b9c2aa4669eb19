"""Wenzhou at town level (issue 13): the generated scenario, its data, and per-origin routes."""

from __future__ import annotations

import csv
import importlib.util
import random
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np
import pytest
import simpy

import sim
import sim.response.network as network

ROOT = Path(__file__).resolve().parents[1]
TOOL = ROOT / "scenarios" / "tools" / "wenzhou_towns.py"
TOWNS = ROOT / "scenarios" / "wenzhou_towns_typhoon.yaml"
COUNTY = ROOT / "scenarios" / "wenzhou_typhoon.yaml"
CSV = ROOT / "scenarios" / "data" / "wenzhou_towns.csv"


def _tool() -> ModuleType:
    spec = importlib.util.spec_from_file_location("wenzhou_towns_tool", TOOL)
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_committed_scenario_is_what_the_generator_writes() -> None:
    assert TOWNS.read_text(encoding="utf-8") == _tool().build(COUNTY, CSV)


def test_csv_has_the_186_towns_adding_up_to_each_county() -> None:
    rows = list(csv.DictReader(CSV.open(encoding="utf-8")))
    assert len(rows) == 186
    county = {z.name: z.population for z in sim.load_scenario(COUNTY).zones}
    sums: dict[str, int] = {}
    for r in rows:
        sums[r["county"]] = sums.get(r["county"], 0) + int(r["population"])
        assert r["source"] and r["coord_source"]
        # a figure that is not the census's says so (Longgang is one unit: the county's total)
        assert (r["source"].startswith("assumption:") or "2020 census" in r["source"]
                or r["name"] == r["county"] == "longgang")
        assert r["coord_source"].startswith(("assumption:", "the county seat"))
    assert sums == {k: v for k, v in county.items() if k in sums}
    assert len(sums) == 12
    assert len({r["name"] for r in rows}) == 186
    assert sum(r["seat"] == "1" for r in rows) == 12


def test_towns_inherit_their_county_and_facilities_sit_at_the_seat() -> None:
    county = sim.load_scenario(COUNTY)
    towns = sim.load_scenario(TOWNS)
    assert len(towns.zones) == 186 + 8  # the geohazard zones stay
    assert sum(z.population for z in towns.zones) == sum(z.population for z in county.zones)
    assert sum(z.households for z in towns.zones) == sum(z.households for z in county.zones)
    by_name = {z.name: z for z in county.zones}
    rows = list(csv.DictReader(CSV.open(encoding="utf-8")))
    town_county = {r["name"]: r["county"] for r in rows}
    seats = {r["name"] for r in rows if r["seat"] == "1"}
    for z in towns.zones:
        src = by_name[town_county.get(z.name, z.name)]
        assert z.exposure == src.exposure
        assert z.evacuation_share == src.evacuation_share
    assert {s.zone for s in towns.shelters} <= seats
    assert [s.capacity for s in towns.shelters] == [s.capacity for s in county.shelters]
    assert {h.zone for h in towns.hospitals} <= seats
    assert towns.targets == county.targets
    assert towns.hazard == county.hazard
    names = {z.name for z in towns.zones}
    assert towns.roads is not None
    assert all(lk.a in names and lk.b in names for lk in towns.roads.links)


def test_generator_refuses_towns_that_do_not_add_up(tmp_path: Path) -> None:
    tool = _tool()
    text = CSV.read_text(encoding="utf-8").splitlines()
    header, first = text[0], text[1].split(",")
    first[6] = str(int(first[6]) + 1)  # population of the first town
    bad = tmp_path / "towns.csv"
    bad.write_text("\n".join([header, ",".join(first), *text[2:]]) + "\n", encoding="utf-8")
    with pytest.raises(tool.TownsError, match="lucheng"):
        tool.build(COUNTY, bad)


def test_town_level_run() -> None:
    sc = sim.load_scenario(TOWNS)
    r = sim.run(sc, np.random.SeedSequence(0))
    assert r.metrics["population"] == 9_572_903
    assert 0 < r.metrics["evacuated_before_onset"] < r.metrics["population"]


def _pair(sc: Any, monkeypatch: pytest.MonkeyPatch) -> tuple[network.Network, ...]:
    n = len(sc.zones)
    env = simpy.Environment()
    nets = []
    for limit in (10_000, 0):  # Floyd-Warshall, then per-origin Dijkstra
        monkeypatch.setattr(network, "FLOYD_MAX_ZONES", limit)
        nets.append(network.Network(sc.zones, sc.travel, sc.roads, [None] * n,
                                    np.random.default_rng(0), env))
    assert nets[0]._mode == "floyd" and nets[1]._mode == "dijkstra"
    return tuple(nets)


@pytest.mark.parametrize("path, steps", [(COUNTY, 40), (TOWNS, 12)])
def test_per_origin_routes_match_all_pairs(path: Path, steps: int,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    """Dijkstra per origin, kept across changes that do not touch it, equals Floyd-Warshall.

    Equal to the last bits of a float sum (the same shortest paths, summed in another order);
    reachability and the count of cut-off pairs exactly.
    """
    sc = sim.load_scenario(path)
    fw, dj = _pair(sc, monkeypatch)
    n = fw.n
    rnd = random.Random(7)
    for _ in range(steps):
        for a in rnd.sample(range(n), min(n, 10)):
            for b in range(n):
                assert fw.reachable(a, b) == dj.reachable(a, b)
                x, y = fw.rank(a, b), dj.rank(a, b)
                assert x == pytest.approx(y, rel=1e-12, abs=0.0) or x == y == np.inf
                if fw.reachable(a, b):
                    assert fw.base_hours(a, b, 33.0) == pytest.approx(
                        dj.base_hours(a, b, 33.0), rel=1e-12)
        assert fw.unreachable_pairs() == dj.unreachable_pairs()
        for _ in range(rnd.randrange(1, 5)):
            i = rnd.randrange(len(fw.links))
            if fw.links[i].blocked:
                fw.clear(fw.links[i])
                dj.clear(dj.links[i])
            else:
                fw.block(fw.links[i])
                dj.block(dj.links[i])
    assert fw.unreachable_pairs() > 0  # the sequence did cut zones off
