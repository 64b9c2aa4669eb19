"""Scenario discovery: the conditions, in the scenario's own inputs, under which a target fails.

A PRIM box states where in the inputs' ranges failures are concentrated: an association across
the runs, not a cause (an input whose range concentrates failures may only go with one that
moves the target). Which inputs move a target is the question of :mod:`sim.study.sensitivity`.

PRIM, the Patient Rule Induction Method (Friedman & Fisher 1999, "Bump hunting in
high-dimensional data", Statistics and Computing 9, 123-143), as used for scenario discovery by
Bryant & Lempert (2010, Technological Forecasting & Social Change 77, 34-49) and the EMA
Workbench. It looks for a box (a range for a few inputs) where failures are concentrated:

* **peeling**: repeatedly cut off the ``alpha`` share of runs at one end of one input (a whole
  level of a discrete input at least), choosing the cut with the largest gain in the share of
  failures inside per share of runs removed (the EMA Workbench's default "lenient1" objective,
  which keeps discrete inputs from being cut in one greedy bite), until the box holds
  ``min_mass`` of runs;
* **choice**: on this peeling trajectory, among the boxes that still hold ``min_coverage`` of all
  failures, the widest whose density is within one binomial standard error of the densest (the
  "one-standard-error rule" of CART: late peels mostly fit noise);
* **pasting**: widen the chosen box again where that raises its density;
* **pruning**: drop a bound (the lower or upper end of an input's range) when a one-sided binomial
  test (the EMA Workbench's quasi-p-value) cannot tell the box's density from that of the box
  without it (the most significant bound is always kept, with its quasi-p-value reported).

The result is stated with its **coverage** (the share of all failures inside the box) and
**density** (the share of runs inside the box that fail).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    import pandas as pd

    from sim.study.runner import Study

__all__ = ["Box", "Discovery", "Restriction", "discover", "label_box", "prim"]


def _fmt(x: float, integer: bool) -> str:
    if integer:
        return f"{int(round(x))}"
    return f"{x:.4g}"


@dataclass(frozen=True)
class Restriction:
    """One input's range inside a box (``None``: not restricted on that side)."""

    input: str
    low: float | None
    high: float | None
    data_min: float
    data_max: float
    integer: bool = False
    quasi_p: float = math.nan
    """One-sided binomial p-value of the box's density against the box without this
    restriction (small: the restriction matters)."""
    words: str = ""
    """The input's plain name and unit in English (:mod:`sim.scenario.labels`); empty until
    :func:`label_box`."""
    words_zh: str = ""
    """The same in Chinese."""

    def text(self) -> str:
        """The restriction in words, e.g. ``hazard.max_wind_ms >= 46.2``."""
        lo = None if self.low is None else _fmt(self.low, self.integer)
        hi = None if self.high is None else _fmt(self.high, self.integer)
        if lo is not None and hi is not None:
            return f"{lo} <= {self.input} <= {hi}"
        if lo is not None:
            return f"{self.input} >= {lo}"
        return f"{self.input} <= {hi}"

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready mapping."""
        return {"input": self.input, "low": self.low, "high": self.high,
                "data_min": self.data_min, "data_max": self.data_max,
                "quasi_p": None if math.isnan(self.quasi_p) else self.quasi_p,
                "text": self.text(), "words": self.words, "words_zh": self.words_zh}


@dataclass(frozen=True)
class Box:
    """A PRIM box and how well it captures the cases of interest."""

    restrictions: list[Restriction]
    coverage: float
    density: float
    mass: float
    runs_in_box: int
    cases_in_box: int

    def contains(self, x: pd.DataFrame) -> np.ndarray:
        """Which rows of ``x`` (inputs by column) lie inside the box."""
        inside = np.ones(len(x), dtype=bool)
        for r in self.restrictions:
            v = x[r.input].to_numpy(dtype=float)
            if r.low is not None:
                inside &= v >= r.low
            if r.high is not None:
                inside &= v <= r.high
        return inside

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready mapping."""
        return {"restrictions": [r.to_dict() for r in self.restrictions],
                "coverage": self.coverage, "density": self.density, "mass": self.mass,
                "runs_in_box": self.runs_in_box, "cases_in_box": self.cases_in_box}


@dataclass
class Discovery:
    """Failure conditions of one target."""

    target: str
    runs: int
    cases: int
    base_rate: float
    box: Box | None
    trajectory: pd.DataFrame | None
    statement: str
    parameters: dict[str, float] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready mapping."""
        return {"target": self.target, "runs": self.runs, "failures": self.cases,
                "base_rate": self.base_rate, "statement": self.statement,
                "box": self.box.to_dict() if self.box else None, "parameters": self.parameters}


def label_box(box: Box | None, scenario: Any = None) -> Box | None:
    """The same box with each restriction's input named in plain English and Chinese."""
    from sim.scenario.labels import describe

    if box is None:
        return None
    rs = [replace(r, words=describe(r.input, scenario), words_zh=describe(r.input, scenario, "zh"))
          for r in box.restrictions]
    return replace(box, restrictions=rs)


# -- PRIM ----------------------------------------------------------------------------------------
def _stats(inside: np.ndarray, y: np.ndarray, total_cases: int) -> tuple[float, float, float]:
    n_in = int(inside.sum())
    k_in = int(y[inside].sum())
    coverage = k_in / total_cases if total_cases else math.nan
    density = k_in / n_in if n_in else 0.0
    return coverage, density, n_in / len(y)


def _mask(x: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    mask: np.ndarray = np.all((x >= lo) & (x <= hi), axis=1)
    return mask


def _peel_candidates(x: np.ndarray, inside: np.ndarray, lo: np.ndarray, hi: np.ndarray,
                     alpha: float) -> list[tuple[np.ndarray, np.ndarray]]:
    out = []
    m = int(inside.sum())
    k = max(1, int(math.floor(alpha * m)))
    for j in range(x.shape[1]):
        v = np.sort(x[inside, j])
        if len(v) < 2 or v[0] == v[-1]:
            continue
        t = v[k] if k < len(v) else v[-1]
        if t == v[0]:
            t = v[v > v[0]][0]
        nlo = lo.copy()
        nlo[j] = t
        out.append((nlo, hi))
        t = v[len(v) - 1 - k] if k < len(v) else v[0]
        if t == v[-1]:
            t = v[v < v[-1]][-1]
        nhi = hi.copy()
        nhi[j] = t
        out.append((lo, nhi))
    return out


def _paste(x: np.ndarray, y: np.ndarray, lo: np.ndarray, hi: np.ndarray, alpha: float,
           total: int) -> tuple[np.ndarray, np.ndarray]:
    while True:
        inside = _mask(x, lo, hi)
        _, dens, _ = _stats(inside, y, total)
        k = max(1, int(math.floor(alpha * inside.sum())))
        best: tuple[float, np.ndarray, np.ndarray] | None = None
        for j in range(x.shape[1]):
            others = np.ones(len(x), dtype=bool)
            for i in range(x.shape[1]):
                if i != j:
                    others &= (x[:, i] >= lo[i]) & (x[:, i] <= hi[i])
            below = np.sort(x[others & (x[:, j] < lo[j]), j])
            if len(below):
                nlo = lo.copy()
                nlo[j] = below[max(0, len(below) - k)]
                cand = _mask(x, nlo, hi)
                d = _stats(cand, y, total)[1]
                if d > dens + 1e-12 and (best is None or d > best[0]):
                    best = (d, nlo, hi)
            above = np.sort(x[others & (x[:, j] > hi[j]), j])
            if len(above):
                nhi = hi.copy()
                nhi[j] = above[min(len(above) - 1, k - 1)]
                cand = _mask(x, lo, nhi)
                d = _stats(cand, y, total)[1]
                if d > dens + 1e-12 and (best is None or d > best[0]):
                    best = (d, lo, nhi)
        if best is None:
            return lo, hi
        _, lo, hi = best


def _quasi_p(x: np.ndarray, y: np.ndarray, lo: np.ndarray, hi: np.ndarray, j: int,
             side: int) -> float:
    """One-sided binomial p of the box's density against the box without bound ``(j, side)``."""
    from scipy.stats import binomtest

    inside = _mask(x, lo, hi)
    lo2, hi2 = lo.copy(), hi.copy()
    if side == 0:
        lo2[j] = -np.inf
    else:
        hi2[j] = np.inf
    wider = _mask(x, lo2, hi2)
    p0 = float(y[wider].mean()) if wider.any() else 0.0
    n, k = int(inside.sum()), int(y[inside].sum())
    if n == 0 or p0 >= 1.0:
        return 1.0
    return float(binomtest(k, n, p0, alternative="greater").pvalue)


def prim(x: pd.DataFrame, y: np.ndarray, *, alpha: float = 0.05, min_mass: float = 0.05,
         min_coverage: float = 0.5, paste: bool = True, max_p: float = 0.05
         ) -> tuple[Box | None, pd.DataFrame]:
    """Find the box of inputs where ``y`` is concentrated (see the module docstring).

    Parameters
    ----------
    x : pandas.DataFrame
        Inputs, one column per input (numeric).
    y : array of bool
        The cases of interest (e.g. runs where the target fails).
    alpha : float
        Share of the box's runs removed per peel.
    min_mass : float
        Peeling stops before the box holds less than this share of runs.
    min_coverage : float
        The chosen box holds at least this share of all cases (when the trajectory allows).
    paste : bool
        Widen the chosen box where that raises its density.
    max_p : float
        Keep only restrictions whose quasi-p-value is at most this.

    Returns
    -------
    box : Box or None
        None when there is no case, or no restriction survives.
    trajectory : pandas.DataFrame
        The peeling trajectory: ``step, coverage, density, mass, restricted``.
    """
    import pandas as pd

    names = list(x.columns)
    xv = x.to_numpy(dtype=float)
    yv = np.asarray(y, dtype=bool)
    total = int(yv.sum())
    d = xv.shape[1]
    lo, hi = np.full(d, -np.inf), np.full(d, np.inf)
    traj: list[tuple[np.ndarray, np.ndarray, float, float, float]] = []
    inside = np.ones(len(xv), dtype=bool)
    cov, dens, mass = _stats(inside, yv, total)
    traj.append((lo, hi, cov, dens, mass))
    while total and dens < 1.0:
        best: tuple[float, float, np.ndarray, np.ndarray] | None = None
        for clo, chi in _peel_candidates(xv, inside, lo, hi, alpha):
            cin = _mask(xv, clo, chi)
            c, dd, mm = _stats(cin, yv, total)
            if mm < min_mass or not cin.any() or mm >= mass:
                continue
            gain = (dd - dens) / (mass - mm)
            if best is None or (gain, mm) > (best[0], best[1]):
                best = (gain, mm, clo, chi)
        if best is None:
            break
        lo, hi = best[2], best[3]
        inside = _mask(xv, lo, hi)
        cov, dens, mass = _stats(inside, yv, total)
        traj.append((lo, hi, cov, dens, mass))
    tdf = pd.DataFrame({
        "step": range(len(traj)), "coverage": [t[2] for t in traj],
        "density": [t[3] for t in traj], "mass": [t[4] for t in traj],
        "restricted": [int(np.sum(np.isfinite(t[0]) | np.isfinite(t[1]))) for t in traj],
    })
    if not total:
        return None, tdf
    ok = [i for i, t in enumerate(traj) if t[2] >= min_coverage] or [0]
    best_i = max(ok, key=lambda i: (traj[i][3], traj[i][2]))
    d_best = traj[best_i][3]
    n_best = max(1.0, traj[best_i][4] * len(yv))
    se = math.sqrt(d_best * (1 - d_best) / n_best)
    pick = min(i for i in ok if traj[i][3] >= d_best - se)
    lo, hi = traj[pick][0].copy(), traj[pick][1].copy()
    if paste:
        lo, hi = _paste(xv, yv, lo, hi, alpha, total)
    # Prune bounds that do not matter, the least significant first.
    while True:
        bounds = [(j, side) for j in range(d) for side in (0, 1)
                  if np.isfinite(lo[j] if side == 0 else hi[j])]
        if not bounds:
            return None, tdf
        ps = {b: _quasi_p(xv, yv, lo, hi, *b) for b in bounds}
        worst = max(bounds, key=lambda b: ps[b])
        if ps[worst] <= max_p or len(bounds) == 1:
            break
        if worst[1] == 0:
            lo[worst[0]] = -np.inf
        else:
            hi[worst[0]] = np.inf
    restricted = sorted({j for j, _ in bounds})
    inside = _mask(xv, lo, hi)
    cov, dens, mass = _stats(inside, yv, total)
    rs = []
    for j in restricted:
        col = xv[:, j]
        integer = bool(np.all(col == np.round(col)))
        rs.append(Restriction(
            names[j], float(lo[j]) if np.isfinite(lo[j]) else None,
            float(hi[j]) if np.isfinite(hi[j]) else None,
            float(col.min()), float(col.max()), integer,
            max(p for (jj, _), p in ps.items() if jj == j)))
    rs.sort(key=lambda r: r.quasi_p)
    return Box(rs, cov, dens, mass, int(inside.sum()), int(yv[inside].sum())), tdf


def discover(study: Study, target: str, *, alpha: float = 0.05, min_mass: float = 0.05,
             min_coverage: float = 0.5, max_p: float = 0.05) -> Discovery:
    """State the conditions under which ``target`` fails, from a study's runs.

    The inputs are the study's drawn uncertain inputs (their scenario paths); inputs that never
    varied in the study (pinned) are left out.

    Parameters
    ----------
    study : Study
    target : str
    alpha, min_mass, min_coverage, max_p
        PRIM's parameters (see :func:`prim`).

    Returns
    -------
    Discovery
    """
    if target not in study.target_ids:
        raise KeyError(f"no target {target!r}; known: {study.target_ids}")
    x = study.inputs_frame()
    x = x.loc[:, x.nunique() > 1]
    fails = ~study.table[f"met.{target}"].to_numpy(dtype=bool)
    n, k = len(fails), int(fails.sum())
    params = {"alpha": alpha, "min_mass": min_mass, "min_coverage": min_coverage,
              "max_p": max_p}
    if k == 0 or k == n or x.shape[1] == 0:
        what = ("never fails" if k == 0 else "fails in every run" if k == n
                else "fails, but no input varied")
        return Discovery(target, n, k, k / n if n else math.nan, None, None,
                         f"{target} {what} ({k} failures in {n} runs): nothing to explain",
                         params)
    box, traj = prim(x, fails, alpha=alpha, min_mass=min_mass, min_coverage=min_coverage,
                     max_p=max_p)
    box = label_box(box, study.scenario)
    if box is None:
        st = (f"{target} fails in {k / n:.0%} of {n} runs, with no significant concentration "
              "in any range of the uncertain inputs")
    else:
        conds = " and ".join(r.text() for r in box.restrictions)
        st = (f"conditions under which {target} fails (an association across the runs, not a "
              f"cause): it fails in {box.density:.0%} of runs (against {k / n:.0%} overall) when "
              f"{conds}; these runs are {box.mass:.0%} of all runs and hold {box.coverage:.0%} "
              f"of the failures (coverage {box.coverage:.2f}, density {box.density:.2f})")
    return Discovery(target, n, k, k / n, box, traj, st, params)
