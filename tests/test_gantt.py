"""The Gantt chart of one run (sim.report.gantt): a row per zone, bars from the run's records."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sim.report.gantt import LANES, gantt_bars, gantt_figure
from sim.report.plan_maps import representative_run
from sim.results import STATES
from sim.run import run
from sim.scenario.loader import load_scenario

SCENARIOS = Path(__file__).resolve().parent.parent / "scenarios"


@pytest.fixture(scope="module")
def flood() -> tuple:
    sc = load_scenario(SCENARIOS / "shicheng_flash_flood.yaml")
    return sc, run(sc, seed=1)


def test_a_row_per_zone(flood: tuple) -> None:
    sc, r = flood
    fig = gantt_figure(sc, r)
    ax = fig.axes[0]
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels == [z.name for z in sc.zones]
    assert "seed 1" in ax.get_title()
    zh = gantt_figure(sc, r, lang="zh").axes[0]
    assert [t.get_text() for t in zh.get_yticklabels()] == [z.name_zh or z.name for z in sc.zones]


def test_bars_match_the_event_log(flood: tuple) -> None:
    sc, r = flood
    bars = gantt_bars(sc, r)
    assert {b.lane for b in bars} <= set(LANES)
    ev = r.events_frame()
    evac = STATES.index("evacuating")
    for zi, z in enumerate(sc.zones):
        leave = [t for t, zone, _a, dst, _n in r.transitions if zone == zi and dst == evac]
        mine = [b for b in bars if b.zone == z.name and b.lane == "evacuation"]
        if leave:
            assert len(mine) == 1
            assert (mine[0].start_h, mine[0].end_h) == (min(leave), max(leave))
        else:
            assert not mine
        # the departures logged as events lie within the bar
        logged = ev[(ev.event == "evacuate") & (ev.subject == z.name)].time_h
        if len(logged):
            assert mine[0].start_h <= logged.min() and logged.max() <= mine[0].end_h
    opened = ev[ev.event == "shelter_open"]
    shelter_bars = sorted(b.start_h for b in bars if b.lane == "shelters")
    assert shelter_bars == sorted(opened.time_h)
    trips = sorted((b.start_h, b.end_h) for b in bars if b.lane == "deliveries")
    assert trips == sorted((d[3], d[4]) for d in r.deliveries)
    zone_of = {s.name: s.zone for s in sc.shelters}

    def dest_zone(d: int) -> str:
        return zone_of[r.shelters[d]] if d >= 0 else r.zones[-2 - d]

    for b in bars:
        if b.lane == "deliveries":
            assert any(dest_zone(d[2]) == b.zone and (d[3], d[4]) == (b.start_h, b.end_h)
                       for d in r.deliveries)
    clears = sorted((a[0], a[1]) for acts in r.team_activity.values() for a in acts
                    if a[2] == "clear")
    assert sorted((b.start_h, b.end_h) for b in bars if b.lane == "roads") == clears
    for b in bars:
        assert b.end_h >= b.start_h


def test_deliveries_to_distribution_points() -> None:
    sc = load_scenario(SCENARIOS / "jinjiang_typhoon.yaml")
    r = run(sc, seed=3)
    to_points = [d for d in r.deliveries if d[2] < 0]
    assert to_points, "this run delivers to dispersed families' distribution points"
    bars = [b for b in gantt_bars(sc, r) if b.lane == "deliveries"]
    assert len(bars) == len(r.deliveries)
    for d in to_points:
        assert (r.zones[-2 - d[2]], d[3], d[4]) in {(b.zone, b.start_h, b.end_h) for b in bars}


def test_earthquake_rescue_and_medical() -> None:
    sc = load_scenario(SCENARIOS / "demo_earthquake.yaml")
    r = run(sc, seed=2)
    bars = gantt_bars(sc, r)
    work = [(a[0], a[1]) for acts in r.team_activity.values() for a in acts
            if a[2] in ("turnout", "extract", "rest")]
    assert sorted((b.start_h, b.end_h) for b in bars if b.lane == "rescue") == sorted(work)
    med = [b for b in bars if b.lane == "medical"]
    if r.bed_occupancy.sum() > 0:
        assert med
        hz = {h.name: h.zone for h in sc.hospitals}
        for b in med:
            cols = [i for i, h in enumerate(r.hospitals) if hz[h] == b.zone]
            t = np.searchsorted(r.times, b.start_h)
            assert r.bed_occupancy[t, cols].sum() > 0


def test_representative_run_is_nearest_the_median() -> None:
    table = pd.DataFrame({"run": [0, 1, 2, 3, 4, 5], "key": [10, 11, 12, 13, 14, 15],
                          "value.relief": [9.0, 1.0, 4.0, np.nan, 5.5, 7.0]})
    assert representative_run(table) == (4, 14, "relief")
    assert representative_run(table.drop(columns="value.relief")) == (0, 10, "")


def test_plan_figures_redraw_the_studys_median_run() -> None:
    from sim.report.plan_maps import response_figures
    from sim.study import run_study

    sc = load_scenario(SCENARIOS / "shicheng_flash_flood.yaml")
    study = run_study(sc, runs=3, seed=5, workers=1, progress=False)
    figs, about = response_figures(sc, study.seed, study.table)
    assert set(figs) == {"map", "gantt"}
    assert [name for _fig, name in figs.values()] == ["map.png", "gantt.png"]
    row = study.table[study.table["run"] == about["run"]].iloc[0]
    again = run(sc, np.random.SeedSequence(5, spawn_key=(about["key"],)))
    by_id = {t.id: t.value for t in again.targets}
    assert by_id[about["target"]] == pytest.approx(row[f"value.{about['target']}"], nan_ok=True)
    assert f"run {about['run']} of the study" in figs["map"][0].axes[0].get_title()
