"""Variants of a scenario compared on the same disasters (common random numbers).

Every variant's run *i* uses the same seed, hence the same draw of every uncertain input the
variants share and the same named random streams: the difference between two variants' runs is
the effect of the change, not of a different disaster. Differences are reported per target with
intervals for paired data, together with how much variance the pairing removed compared with
independent runs of the two variants (``var(a - b)`` against ``var(a) + var(b)``).
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping
from concurrent.futures import Executor
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sim.scenario.loader import load_scenario
from sim.scenario.overrides import Override, apply_overrides
from sim.scenario.schema import Scenario
from sim.study.executors import ExecutorInfo, open_executor
from sim.study.runner import Study, run_study
from sim.study.stats import PairedDifference, paired_difference, paired_mean_difference

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["Comparison", "compare"]

VariantSpec = Scenario | Mapping[str, Any] | Iterable[Override]


@dataclass
class Comparison:
    """Studies of several variants on common random numbers.

    Attributes
    ----------
    baseline : str
        Name of the reference variant.
    studies : dict of str to Study
        One study per variant, same seed, same run keys.
    overrides : dict of str to dict
        The changes that define each variant (path -> value), for the record.
    """

    baseline: str
    studies: dict[str, Study]
    overrides: dict[str, dict[str, Any]]

    def pairs(self, variant: str, target: str) -> tuple[PairedDifference, PairedDifference]:
        """Paired differences (variant - baseline) of P(holds) and of the target's mean value."""
        a, b = self.studies[variant].table, self.studies[self.baseline].table
        if not (a["key"].to_numpy() == b["key"].to_numpy()).all():
            raise ValueError("the variants' runs are not paired (different run keys)")
        return (paired_difference(a[f"met.{target}"].to_numpy(), b[f"met.{target}"].to_numpy()),
                paired_mean_difference(a[f"value.{target}"].to_numpy(),
                                       b[f"value.{target}"].to_numpy()))

    def differences(self) -> pd.DataFrame:
        """One row per variant and target: P(holds) of both, the paired differences, variance.

        Columns: ``variant, target, runs, p_base, p_variant`` (with ``_low/_high``),
        ``p_diff, p_diff_low, p_diff_high`` (Newcombe), ``p_var_reduction``, ``mean_diff,
        mean_diff_low, mean_diff_high`` (paired t), ``value_var_reduction``,
        ``value_independent_runs`` (independent runs per variant needed for the precision of the
        paired mean difference).
        """
        import pandas as pd

        rows = []
        base = self.studies[self.baseline]
        for name, st in self.studies.items():
            if name == self.baseline:
                continue
            for t in base.target_ids:
                pb, pv = base.p_holds(t), st.p_holds(t)
                dp, dv = self.pairs(name, t)
                ratio = dv.variance_ratio
                rows.append({
                    "variant": name, "target": t, "runs": dp.runs,
                    "p_base": pb.estimate, "p_base_low": pb.low, "p_base_high": pb.high,
                    "p_variant": pv.estimate, "p_variant_low": pv.low, "p_variant_high": pv.high,
                    "p_diff": dp.difference.estimate, "p_diff_low": dp.difference.low,
                    "p_diff_high": dp.difference.high,
                    "p_var_reduction": dp.variance_reduction,
                    "mean_diff": dv.difference.estimate, "mean_diff_low": dv.difference.low,
                    "mean_diff_high": dv.difference.high,
                    "value_var_reduction": dv.variance_reduction,
                    "value_independent_runs": (dv.runs / ratio if ratio > 0 else math.nan),
                })
        return pd.DataFrame(rows)

    def to_dict(self) -> dict[str, Any]:
        """One JSON-ready document."""
        out: dict[str, Any] = {
            "baseline": self.baseline,
            "seed": self.studies[self.baseline].seed,
            "runs": self.studies[self.baseline].runs,
            "variants": {n: {"overrides": self.overrides.get(n, {}),
                             "summary": [
                                 {"id": t.id, "p_holds": t.p_holds.estimate,
                                  "ci_low": t.p_holds.low, "ci_high": t.p_holds.high,
                                  "runs": t.runs}
                                 for t in s.summary().targets]}
                         for n, s in self.studies.items()},
            "differences": [],
        }
        for name in self.studies:
            if name == self.baseline:
                continue
            for t in self.studies[self.baseline].target_ids:
                dp, dv = self.pairs(name, t)
                out["differences"].append({"variant": name, "target": t,
                                           "p_holds": dp.to_dict(), "value_mean": dv.to_dict()})
        doc: dict[str, Any] = json.loads(json.dumps(out, default=_jsonable))
        return doc


def _jsonable(x: Any) -> Any:
    if isinstance(x, float) and not math.isfinite(x):
        return None
    return str(x)


def compare(scenario: Scenario | str | Path, variants: Mapping[str, VariantSpec], runs: int = 200,
            seed: int = 0, *, baseline: str = "base", workers: int | None = None,
            executor: Executor | ExecutorInfo | None = None, scheduler: str | None = None,
            dask_local: bool = False, out: str | Path | None = None,
            progress: bool | None = None, series: bool = False) -> Comparison:
    """Run a scenario and its variants on common random numbers.

    Parameters
    ----------
    scenario : Scenario or path
        The baseline scenario.
    variants : mapping of str to (Scenario, mapping of path to value, or list of Override)
        Each variant, by name: a scenario, or overrides applied to the baseline (see
        :mod:`sim.scenario.overrides`).
    runs, seed : int
        Runs per variant and the common root seed.
    baseline : str
        Name under which the unchanged scenario is reported.
    workers, executor, scheduler, dask_local, progress, series
        As for :func:`sim.study.run_study`.
    out : path, optional
        A directory; each variant's study goes to ``out/NAME``.

    Returns
    -------
    Comparison

    Raises
    ------
    ScenarioError
        If an override does not apply or makes the scenario invalid (located).
    ValueError
        If a variant is named like the baseline.
    """
    base = scenario if isinstance(scenario, Scenario) else load_scenario(scenario)
    built: dict[str, Scenario] = {baseline: base}
    recorded: dict[str, dict[str, Any]] = {baseline: {}}
    for name, spec in variants.items():
        if name == baseline:
            raise ValueError(f"a variant may not be named {baseline!r} (the baseline)")
        if isinstance(spec, Scenario):
            built[name] = spec
            recorded[name] = {}
            continue
        ovs = ([Override(k, v) for k, v in spec.items()] if isinstance(spec, Mapping)
               else list(spec))
        built[name] = apply_overrides(scenario, ovs)
        recorded[name] = {o.path: o.value for o in ovs}
    studies: dict[str, Study] = {}
    with ExitStack() as stack:
        info = executor if isinstance(executor, ExecutorInfo) else stack.enter_context(
            open_executor(workers, scheduler=scheduler, dask_local=dask_local,
                          executor=executor))
        for name, sc in built.items():
            studies[name] = run_study(
                sc, runs, seed, executor=info, progress=progress, series=series,
                out=(Path(out) / name) if out is not None else None)
    comp = Comparison(baseline, studies, recorded)
    if out is not None:
        (Path(out) / "comparison.json").write_text(
            json.dumps(comp.to_dict(), indent=1, ensure_ascii=False), encoding="utf-8")
    return comp
