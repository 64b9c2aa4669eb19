"""Design points in the scenario's own input distributions.

Samplers (SALib) draw points in the unit hypercube; :func:`to_inputs` maps each coordinate through
the inverse CDF (quantile function) of the scenario's declared distribution for that input, so a
sensitivity analysis explores each input as the scenario says it varies, not a uniform box.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from sim.scenario.distributions import (
    Beta,
    Choice,
    Fixed,
    Lognormal,
    Normal,
    Poisson,
    Triangular,
    Uniform,
    _DistBase,
)

__all__ = ["ppf", "to_inputs"]

EPS = 1e-6
"""Quantiles are kept in ``[EPS, 1 - EPS]`` so that unbounded inputs stay finite."""


def ppf(dist: _DistBase, u: np.ndarray) -> np.ndarray:
    """The quantile function of a scenario distribution, evaluated at ``u`` in [0, 1].

    Raises
    ------
    TypeError
        For an unknown distribution type.
    """
    u = np.clip(np.asarray(u, dtype=float), EPS, 1 - EPS)
    from scipy import stats

    out: Any
    if isinstance(dist, Fixed):
        out = np.full_like(u, dist.value)
    elif isinstance(dist, Uniform):
        out = dist.low + u * (dist.high - dist.low)
    elif isinstance(dist, Triangular):
        width = dist.high - dist.low
        out = stats.triang.ppf(u, (dist.mode - dist.low) / width, loc=dist.low, scale=width)
    elif isinstance(dist, Normal):
        if dist.low is None and dist.high is None:
            out = stats.norm.ppf(u, loc=dist.mean_, scale=dist.sd)
        else:
            lo, hi = dist.support()
            out = stats.truncnorm.ppf(u, (lo - dist.mean_) / dist.sd, (hi - dist.mean_) / dist.sd,
                                      loc=dist.mean_, scale=dist.sd)
    elif isinstance(dist, Lognormal):
        out = stats.lognorm.ppf(u, dist.sigma, scale=dist.median)
    elif isinstance(dist, Beta):
        out = dist.low + (dist.high - dist.low) * stats.beta.ppf(u, dist.a, dist.b)
    elif isinstance(dist, Poisson):
        out = stats.poisson.ppf(u, dist.lam)
    elif isinstance(dist, Choice):
        vals = np.asarray(dist.values, dtype=float)
        p = dist._p()
        order = np.argsort(vals, kind="stable")
        cum = np.cumsum(p[order])
        k = np.minimum(np.searchsorted(cum, u * cum[-1], side="left"), len(vals) - 1)
        out = vals[order][k]
    else:
        raise TypeError(f"no quantile function for {type(dist).__name__}")
    arr = np.asarray(out, dtype=float)
    lo, hi = dist.support()
    clipped: np.ndarray = np.clip(arr, lo if math.isfinite(lo) else -np.inf,
                                  hi if math.isfinite(hi) else np.inf)
    return clipped


def to_inputs(unit: np.ndarray, dists: dict[str, _DistBase]) -> list[dict[str, float]]:
    """Map rows of unit-hypercube points to input values by path (columns in ``dists`` order)."""
    unit = np.atleast_2d(unit)
    if unit.shape[1] != len(dists):
        raise ValueError(f"expected {len(dists)} columns, got {unit.shape[1]}")
    cols = [ppf(d, unit[:, j]) for j, d in enumerate(dists.values())]
    names = list(dists)
    return [{names[j]: float(cols[j][i]) for j in range(len(names))} for i in range(len(unit))]
