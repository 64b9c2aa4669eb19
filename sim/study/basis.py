"""What a verdict rests on: simulated, by construction, unreachable, resolution, not applicable.

A probability that a target holds is a finding only when the runs could have gone either way.
Before any run, a target kind declares the range its value can take given the scenario's
inputs (:data:`sim.targets.BOUNDS`); after the runs, the study knows whether the value varied.
:func:`verdict_basis` combines both:

``not_applicable``
    No run had anything to measure (nobody trapped in any run, no air request).
``unreachable``
    The inputs bound the value away from the threshold (the share warned is at most the
    channels' coverage, 0.94, against 0.95): the target fails in every run by how it is
    built, whatever the disaster; the basis names the inputs and the bound.
``resolution``
    The scenario's zones are too coarse to measure it (a 5-minute station run on
    county-sized zones whose average trip is 20 minutes): labelled until a finer scenario
    exists.
``by_construction``
    The value is set by the scenario (capacity computed as area / 1.5 m2 gives 1.5 m2 per
    person at any occupancy) or was the same in every run.
``simulated``
    The value varies with what the runs draw and the threshold is within its reach.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any, Literal

import numpy as np

from sim.targets import Bound, target_bound

__all__ = ["BASIS_WORDS", "Basis", "BasisKind", "verdict_basis"]

BasisKind = Literal["simulated", "by_construction", "unreachable", "resolution",
                    "not_applicable"]

BASIS_WORDS: dict[str, tuple[str, str]] = {
    "simulated": ("simulated", "模拟所得"),
    "by_construction": ("by construction", "由设定决定"),
    "unreachable": ("unreachable by its inputs", "输入决定无法达到"),
    "resolution": ("decided by the zones' size", "受分区粒度所限"),
    "not_applicable": ("nothing to measure", "无可度量"),
}
"""Each basis in words, English and Chinese, for tables and headlines."""

EPS = 1e-9


@dataclass(frozen=True)
class Basis:
    """What one target's verdict rests on."""

    kind: BasisKind
    reason: str
    """One sentence: why this basis (the bound and its inputs, the constant value...)."""
    low: float | None = None
    """The smallest value the scenario's inputs allow, when the target kind declares it."""
    high: float | None = None
    """The largest value the scenario's inputs allow, when the target kind declares it."""

    @property
    def words(self) -> str:
        """The basis in English words."""
        return BASIS_WORDS[self.kind][0]

    @property
    def words_zh(self) -> str:
        """The basis in Chinese words."""
        return BASIS_WORDS[self.kind][1]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready mapping."""
        out = asdict(self)
        out["words"], out["words_zh"] = BASIS_WORDS[self.kind]
        return out


def _g(x: float) -> str:
    return f"{x:.3g}"


def _beyond(bound: Bound, threshold: float, comparison: str) -> bool:
    """The bound keeps every value on the failing side of the threshold."""
    if comparison == ">=":
        return bound.high is not None and bound.high < threshold - EPS
    return bound.low is not None and bound.low > threshold + EPS


def _always(bound: Bound, threshold: float, comparison: str) -> bool:
    """The bound keeps every value on the holding side of the threshold."""
    if comparison == ">=":
        return bound.low is not None and bound.low >= threshold - EPS
    return bound.high is not None and bound.high <= threshold + EPS


def verdict_basis(target: Any, scenario: Any, values: np.ndarray, thresholds: np.ndarray,
                  comparison: str) -> Basis:
    """What a target's verdict over a study's runs rests on.

    Parameters
    ----------
    target : Target
        The scenario's clause.
    scenario : Scenario
        The scenario the runs used (its inputs give the target's declared bound).
    values : numpy.ndarray
        The target's value in each run (NaN where it did not apply).
    thresholds : numpy.ndarray
        The threshold in each run (it varies for some kinds, e.g. with the number displaced).
    comparison : str
        ``>=`` (met when value >= threshold) or ``<=``.

    Returns
    -------
    Basis
    """
    applies = np.isfinite(values)
    vals = values[applies]
    thr_all = thresholds[np.isfinite(thresholds)]
    threshold = float(np.median(thr_all)) if thr_all.size else math.nan
    bound = target_bound(target, scenario)
    low = bound.low if bound else None
    high = bound.high if bound else None
    if vals.size == 0:
        return Basis("not_applicable", "no run had anything to measure for this target",
                     low, high)
    side = "at most" if comparison == ">=" else "at least"
    if bound is not None and math.isfinite(threshold) and _beyond(bound, threshold, comparison):
        edge = bound.high if comparison == ">=" else bound.low
        assert edge is not None
        why = (f"its value is {side} {_g(edge)} ({bound.inputs}) against the threshold "
               f"{_g(threshold)}")
        if bound.resolution:
            return Basis("resolution", f"{bound.resolution}; {why}", low, high)
        return Basis("unreachable", why, low, high)
    if bound is not None and bound.resolution:
        return Basis("resolution", bound.resolution, low, high)
    if bound is not None and math.isfinite(threshold) and _always(bound, threshold, comparison):
        edge = bound.low if comparison == ">=" else bound.high
        assert edge is not None
        other = "at least" if comparison == ">=" else "at most"
        return Basis("by_construction",
                     f"its value is {other} {_g(edge)} ({bound.inputs}), so it meets "
                     f"the threshold {_g(threshold)} in every run", low, high)
    if bound is not None and bound.fixed:
        return Basis("by_construction", f"its value is set by the scenario ({bound.inputs})",
                     low, high)
    thr_fixed = thr_all.size == 0 or float(np.ptp(thr_all)) == 0.0
    if vals.size >= 2 and float(np.ptp(vals)) == 0.0 and thr_fixed:
        return Basis("by_construction",
                     f"its value was {_g(float(vals[0]))} in every one of the {vals.size} runs "
                     "where it applied: nothing the runs drew moved it", low, high)
    return Basis("simulated", "its value varies with what the runs draw and the threshold is "
                 "within its reach", low, high)
