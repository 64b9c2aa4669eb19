"""Adding a resource that makes a target worse: detect it on common random numbers and explain it.

More of a resource should not make a plan's target hold less often, but under the plans' own
rules it can. More places in a town's shelters keep more evacuees there under the nearest-shelter
rule (就近, e.g. 004_wenzhou_plan.txt#L433): when the county's stock runs short, the shelters
whose orders come last wait for the next delivery, and a shelter in the storm's zone waits for its
roads to reopen, while the county-seat shelters next to the depot, where resupply lands, are
served within hours. The shortfall then falls on people who are reached later.

:func:`adverse_effect` tests a paired comparison (the same runs with and without the increase)
and, when the paired Newcombe interval of the difference in P(holds) lies entirely below zero,
returns an :class:`AdverseEffect` record: the resource, the difference with its interval, and the
mechanism in words, read from the runs (which shelters gained and lost people, which zones' people
were relieved in time less often). :func:`check_increase` runs the two studies itself.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.scenario.schema import Scenario
from sim.study.stats import Interval, paired_difference, paired_mean_difference

__all__ = ["AdverseEffect", "adverse_effect", "check_increase", "mechanism_from_tables"]

PEAK = "metric.shelter_peak."
ZONE_IN_TIME = "zone_relief_within."
STOCKOUT = "metric.first_stockout_h."
MET = "met."


@dataclass(frozen=True)
class AdverseEffect:
    """A significant loss of P(target holds) when a resource is increased.

    Attributes
    ----------
    target, resource : str
        Target id and the resource's path (e.g. ``shelters[harbour_middle_school].capacity``).
    increase : str
        The increase, in words (``+2500`` or ``×2 at the town shelters``).
    p_base, p_more : float
        P(holds) without and with the increase, on the same runs.
    difference : Interval
        P(holds with) − P(holds without), paired Newcombe interval (entirely below zero).
    runs : int
    mechanism : str
        How the increase makes it worse, in words.
    shifts : dict
        ``shelters``: mean paired change of each shelter's peak occupancy (people) where its
        interval excludes zero; ``zones``: mean paired change of each zone's share relieved in
        time where its interval excludes zero; ``stockouts``: in how many of the runs that hold
        only without the increase each stock point's item ran out (with the increase).
    """

    target: str
    resource: str
    increase: str
    p_base: float
    p_more: float
    difference: Interval
    runs: int
    mechanism: str
    shifts: dict[str, dict[str, float]] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready mapping (for report.json)."""
        return {"target": self.target, "resource": self.resource, "increase": self.increase,
                "p_base": self.p_base, "p_more": self.p_more,
                "difference": self.difference.to_dict(), "runs": self.runs,
                "mechanism": self.mechanism, "shifts": self.shifts}

    def statement(self) -> str:
        """One paragraph for a report."""
        d = self.difference
        return (f"More is worse here: {self.increase} on {self.resource} lowers P({self.target} "
                f"holds) from {self.p_base:.3f} to {self.p_more:.3f} on the same {self.runs} runs "
                f"(paired difference {d.estimate:+.3f} [{d.low:+.3f}, {d.high:+.3f}]). "
                + self.mechanism)


def _significant_shifts(base: pd.DataFrame, more: pd.DataFrame, prefix: str,
                        confidence: float) -> dict[str, float]:
    out: dict[str, float] = {}
    for col in base.columns:
        if not col.startswith(prefix) or col not in more.columns:
            continue
        diff = paired_mean_difference(more[col].to_numpy(dtype=float),
                                      base[col].to_numpy(dtype=float), confidence).difference
        if np.isfinite(diff.low) and np.isfinite(diff.high) and (diff.low > 0 or diff.high < 0):
            out[col[len(prefix):]] = float(diff.estimate)
    return out


def _stockouts_in_lost_runs(base: pd.DataFrame, more: pd.DataFrame) -> tuple[int, dict[str, int]]:
    """Runs that held without the increase and fail with it, and the stock-outs in them."""
    met = [c for c in base.columns if c.startswith(MET) and c in more.columns]
    if len(met) != 1:
        return 0, {}
    lost = base[met[0]].to_numpy(dtype=bool) & ~more[met[0]].to_numpy(dtype=bool)
    out: dict[str, int] = {}
    for col in more.columns:
        if col.startswith(STOCKOUT):
            k = int(np.isfinite(more[col].to_numpy(dtype=float)[lost]).sum())
            if k:
                out[col[len(STOCKOUT):]] = k
    return int(lost.sum()), out


def mechanism_from_tables(base: pd.DataFrame, more: pd.DataFrame, resource: str,
                          confidence: float = 0.95) -> tuple[str, dict[str, dict[str, float]]]:
    """The mechanism in words, read from two studies' tables on the same runs.

    Parameters
    ----------
    base, more : DataFrame
        Study tables (one row per run, same runs in the same order) without and with the
        increase.
    resource : str
    confidence : float

    Returns
    -------
    (str, dict)
        The sentence(s), and the significant shifts (see :class:`AdverseEffect`).
    """
    shelters = _significant_shifts(base, more, PEAK, confidence)
    zones = _significant_shifts(base, more, ZONE_IN_TIME, confidence)
    n_lost, outs = _stockouts_in_lost_runs(base, more)
    shifts: dict[str, dict[str, float]] = {
        "shelters": shelters, "zones": zones,
        "stockouts": {k: float(v) for k, v in outs.items()}}
    gained = sorted((k for k, v in shelters.items() if v > 0), key=lambda k: -shelters[k])
    lost = sorted((k for k, v in shelters.items() if v < 0), key=lambda k: shelters[k])
    late = sorted((k for k, v in zones.items() if v < 0), key=lambda k: zones[k])
    words: list[str] = []
    if gained and lost:
        words.append(
            "Under the nearest-shelter rule (就近) the added places keep evacuees in "
            + ", ".join(f"{k} ({shelters[k]:+,.0f} people at peak)" for k in gained)
            + " who would otherwise have gone on to "
            + ", ".join(f"{k} ({shelters[k]:+,.0f})" for k in lost) + ".")
    elif gained:
        words.append("The added places fill: " + ", ".join(
            f"{k} ({shelters[k]:+,.0f} people at peak)" for k in gained) + ".")
    if n_lost and outs:
        words.append(f"In the {n_lost} runs that hold only without the increase, stock ran out at "
                     + ", ".join(f"{k} ({v} runs)" for k, v in
                                 sorted(outs.items(), key=lambda kv: -kv[1])) + ".")
    if late:
        words.append(
            "People from " + ", ".join(f"{k} ({zones[k]:+.3f} of its people relieved in time)"
                                       for k in late)
            + " are relieved in time less often. Where stock runs short, the shelters whose "
            "orders come last wait for the next delivery, a truck from the depot where resupply "
            "arrives, and a shelter in the hazard's zone waits for its roads to reopen; the "
            "county-seat shelters next to the depot are served within hours. That is what the "
            "plan's allocation rule does with the stock where the scenario puts it, not a defect "
            "of the model: stock at the township shelters (the plan's county-township-village "
            "network), or sending evacuees to shelters whose supplies are secured, would change "
            "the answer.")
    if not words:
        words.append(f"No shelter's occupancy or zone's relief changed significantly with "
                     f"{resource}; the loss comes from elsewhere in the response.")
    return " ".join(words), shifts


def adverse_effect(base_met: np.ndarray, more_met: np.ndarray, *, target: str, resource: str,
                   increase: str, mechanism: str | None = None,
                   base_table: pd.DataFrame | None = None,
                   more_table: pd.DataFrame | None = None,
                   confidence: float = 0.95) -> AdverseEffect | None:
    """An :class:`AdverseEffect` if adding the resource significantly lowers P(holds), else None.

    Significant: the paired Newcombe interval of P(more) − P(base) lies entirely below zero.

    Parameters
    ----------
    base_met, more_met : ndarray of bool
        Whether the target held in each run, without and with the increase (same runs, same
        order: common random numbers).
    target, resource, increase : str
    mechanism : str, optional
        The mechanism in words; default: read from the tables (:func:`mechanism_from_tables`)
        when both are given, else a generic sentence.
    base_table, more_table : DataFrame, optional
        The two studies' tables.
    confidence : float

    Returns
    -------
    AdverseEffect or None
    """
    a = np.asarray(more_met, dtype=bool)
    b = np.asarray(base_met, dtype=bool)
    if a.shape != b.shape or a.size < 2:
        raise ValueError("the runs must be paired: two arrays of the same length, at least 2")
    diff = paired_difference(a, b, confidence).difference
    if not diff.high < 0:
        return None
    shifts: dict[str, dict[str, float]] = {}
    if mechanism is None:
        if base_table is not None and more_table is not None:
            mechanism, shifts = mechanism_from_tables(base_table, more_table, resource,
                                                      confidence)
        else:
            mechanism = (f"Adding {resource} lowers P(holds) on the same runs; the runs' tables "
                         "were not given, so the mechanism is not read from them.")
    return AdverseEffect(target, resource, increase, float(b.mean()), float(a.mean()), diff,
                         int(a.size), mechanism, shifts)


def check_increase(scenario: Scenario | str | Path, target: str,
                   changes: Mapping[str, float], *, runs: int = 200, seed: int = 0,
                   workers: int | None = None, progress: bool | None = False,
                   confidence: float = 0.95, label: str | None = None) -> AdverseEffect | None:
    """Run the scenario with and without increases on the same runs; test for an adverse effect.

    Parameters
    ----------
    scenario : Scenario or path
    target : str
    changes : mapping of str to float
        Resource path → increase (e.g. ``{"shelters[xiaosong_school].capacity": 300}``).
    runs, seed, workers, progress, confidence
        As for :func:`sim.study.run_study`.
    label : str, optional
        The increase in words (default: built from ``changes``).

    Returns
    -------
    AdverseEffect or None
    """
    from sim.scenario.loader import load_scenario
    from sim.scenario.overrides import increase
    from sim.study.runner import run_study

    base = scenario if isinstance(scenario, Scenario) else load_scenario(scenario)
    more = base
    for path, d in changes.items():
        more = increase(more, path, d)
    sb = run_study(base, runs, seed, workers=workers, progress=progress)
    sm = run_study(more, runs, seed, workers=workers, progress=progress)
    col = f"met.{target}"
    resource = ", ".join(changes)
    words = label or ", ".join(f"+{d:g}" for d in changes.values())
    return adverse_effect(sb.table[col].to_numpy(dtype=bool), sm.table[col].to_numpy(dtype=bool),
                          target=target, resource=resource, increase=words,
                          base_table=sb.table, more_table=sm.table, confidence=confidence)
