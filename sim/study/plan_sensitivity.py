"""Which inputs move the targets: a Morris screening for a plan report, with sources.

The relief target and every target below the goal are screened
(:func:`sim.study.sensitivity.sensitivity`) over the uncertain inputs most rank-correlated
with their values in the study's runs; each input carries its provenance, and the assumptions
that matter most are ranked.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from sim.scenario.provenance import provenance, source_kind
from sim.scenario.sampling import uncertain_inputs
from sim.scenario.schema import Scenario

if TYPE_CHECKING:
    from sim.study.executors import ExecutorInfo
    from sim.study.plan_analysis import Budget
    from sim.study.runner import Study, StudySummary

__all__ = ["sensitivity_section"]


def _screen_inputs(study: Study, targets: Sequence[str], limit: int) -> tuple[list[str], bool]:
    """The inputs to vary in the screening.

    All of them, or the ``limit`` most rank-correlated with the targets' values in the study's
    runs.
    """
    x = study.inputs_frame()
    x = x.loc[:, x.nunique() > 1]
    names = [p for p in uncertain_inputs(study.scenario) if p in x.columns]
    if len(names) <= limit:
        return names, False
    ranks = x[names].rank().to_numpy(dtype=float)
    rc = ranks - ranks.mean(axis=0)
    score = np.zeros(len(names))
    for t in targets:
        y = study.table[f"value.{t}"].to_numpy(dtype=float)
        ok = np.isfinite(y)
        if ok.sum() < 10 or np.ptp(y[ok]) == 0:
            continue
        ry = _ranks(y[ok])
        ry = ry - ry.mean()
        xs = rc[ok] - rc[ok].mean(axis=0)
        den = np.sqrt((xs ** 2).sum(axis=0) * (ry ** 2).sum())
        with np.errstate(invalid="ignore", divide="ignore"):
            rho = np.where(den > 0, (xs * ry[:, None]).sum(axis=0) / den, 0.0)
        score = np.maximum(score, np.abs(rho))
    order = np.argsort(-score, kind="stable")[:limit]
    return [names[i] for i in sorted(order)], True


def _ranks(y: np.ndarray) -> np.ndarray:
    import pandas as pd

    r: np.ndarray = pd.Series(y).rank().to_numpy(dtype=float)
    return r


def sensitivity_section(sc: Scenario, study: Study, summary: StudySummary, relief_id: str | None,
                        budget: Budget, seed: int, info: ExecutorInfo,
                        progress: bool | None) -> tuple[dict[str, Any], Any]:
    """Morris screening of the relief target and of every target below the goal."""
    from sim.scenario.labels import describe
    from sim.study.sensitivity import (
        NOISE,
        interval_excludes_zero,
        sensitivity,
        significant_drivers,
    )

    chosen: list[str] = []
    if relief_id is not None:
        chosen.append(relief_id)
    for t in summary.targets:
        if t.applicable and t.p_holds.estimate < budget.goal and t.id not in chosen:
            chosen.append(t.id)
    if not chosen or not uncertain_inputs(sc):
        return {"targets": [], "notes": {}, "runs": 0}, None
    inputs, screened = _screen_inputs(study, chosen, budget.morris_max_inputs)
    if not inputs:
        return {"targets": [], "notes": {}, "runs": 0}, None
    res = sensitivity(sc, method="morris", n=budget.morris_trajectories, seed=seed,
                      targets=chosen, inputs=inputs, executor=info, progress=progress)
    per_target: list[dict[str, Any]] = []
    for tid in chosen:
        df = res.ranking(tid)
        if df.empty:
            continue
        rows: list[dict[str, Any]] = []
        for r in df.to_dict("records"):
            path = str(r["input"])
            src = None if path == NOISE else provenance(sc, path)
            rows.append({"input": path,
                         "words": "run-to-run randomness (not a declared input)"
                         if path == NOISE else describe(path, sc),
                         "words_zh": "单次运行的随机性（非设定输入）"
                         if path == NOISE else describe(path, sc, "zh"),
                         "significant": interval_excludes_zero(r),
                         "mu_star": float(r["mu_star"]), "mu_star_conf": float(r["mu_star_conf"]),
                         "mu_star_norm": float(r["mu_star_norm"]), "sigma": float(r["sigma"]),
                         "source": src, "source_kind": "randomness" if path == NOISE
                         else source_kind(src)})
        per_target.append({"target": tid, "inputs": rows,
                           "drivers": [str(p) for p in significant_drivers(
                               res, tid, min_share=0.1)["input"]]})
    # The assumptions that matter most: across targets, by normalised mu*.
    best: dict[str, dict[str, Any]] = {}
    for pt in per_target:
        for r in pt["inputs"]:
            if r["source_kind"] not in ("assumption", "partly assumed", "none"):
                continue
            if r["mu_star_norm"] < 0.1 or not r["significant"]:
                continue
            cur = best.get(r["input"])
            if cur is None or r["mu_star_norm"] > cur["mu_star_norm"]:
                best[r["input"]] = {**r, "target": pt["target"]}
    ranked = sorted(best.values(), key=lambda r: -r["mu_star_norm"])
    doc = {"method": "morris", "trajectories": budget.morris_trajectories, "runs": res.runs,
           "inputs_varied": len(inputs), "inputs_declared": len(uncertain_inputs(sc)),
           "screened": screened, "targets": per_target, "notes": res.notes,
           "assumptions_that_matter": ranked[:12], "noise": NOISE}
    return doc, res
