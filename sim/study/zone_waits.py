"""Where a plan fails: the zones whose people wait longest for basic relief.

Each run of a study records, per zone, two relief-time figures over the zone's people who needed
basic relief (columns of the study's per-run table):

``zone_relief_within.<zone>``
    the share of them relieved within the relief target's hours (the target's own measure,
    restricted to the zone);
``zone_relief_p95_h.<zone>``
    the 95th percentile of their hours from onset to relief (``inf`` when more than 5 % were
    never relieved in the run).

Both are NaN in a run where nobody of the zone needed relief. :func:`zone_waits` ranks the zones
over a study's runs.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from sim.results import RunResult
    from sim.scenario.schema import Scenario
    from sim.study.runner import Study

__all__ = ["P95", "WITHIN", "relief_hours", "zone_relief_columns", "zone_waits"]

P95 = "zone_relief_p95_h."
"""Column prefix of a zone's 95th-percentile hours to relief."""
WITHIN = "zone_relief_within."
"""Column prefix of a zone's share relieved within the relief target's hours."""

_EPS = 1e-9


def relief_hours(scenario: Scenario) -> float | None:
    """The hours of the scenario's basic-relief target.

    10 h if it has such a ``relief_within`` target, else its first one; None without one.
    """
    hs = [float(t.hours) for t in scenario.targets if t.kind == "relief_within"]
    for h in hs:
        if math.isclose(h, 10.0):
            return h
    return hs[0] if hs else None


def zone_relief_columns(r: RunResult, hours: float | None) -> dict[str, float]:
    """The per-zone relief figures of one run, as row columns (see the module docstring).

    Parameters
    ----------
    r : RunResult
    hours : float or None
        The relief target's hours; without it only the 95th percentiles are given.
    """
    from sim.results import weighted_quantile

    n = np.asarray(r.relief_n, dtype=float)
    t = np.asarray(r.relief_t, dtype=float)
    zone = np.asarray(r.relief_zone, dtype=np.int64)
    out: dict[str, float] = {}
    for j, name in enumerate(r.zones):
        sel = zone == j
        w = n[sel]
        total = float(w.sum())
        if total <= 0:
            out[P95 + name] = math.nan
            if hours is not None:
                out[WITHIN + name] = math.nan
            continue
        out[P95 + name] = float(weighted_quantile(t[sel], w, 0.95))
        if hours is not None:
            out[WITHIN + name] = float(w[t[sel] <= hours + _EPS].sum()) / total
    return out


def _zone_names(scenario: Any, zone: str) -> tuple[str, str | None]:
    for z in getattr(scenario, "zones", []):
        if z.name == zone:
            return z.name, getattr(z, "name_zh", None)
    return zone, None


def zone_waits(study: Study, target: str | None = None, top: int | None = None
               ) -> list[dict[str, Any]]:
    """The zones ranked by how long their people wait for basic relief over a study's runs.

    Parameters
    ----------
    study : Study
        A study whose per-run table has the ``zone_relief_*`` columns.
    target : str, optional
        The relief target whose failing runs are examined (default: the scenario's basic-relief
        target, as :func:`relief_hours` picks it).
    top : int, optional
        Keep at most this many zones.

    Returns
    -------
    list of dict
        One per zone with people needing relief in some run, longest wait first (median over
        runs of the zone's 95th-percentile hours, then lowest median share within the hours):
        ``zone``, ``name_zh``, ``runs_with_need``, ``p95_h_median`` (None if infinite),
        ``within_median``, ``worst_in_failing`` (share of the target's failing runs in which the
        zone has the lowest share relieved within the hours, ties shared), ``failing_runs``.
        Empty when the table has no such columns.
    """
    table = study.table
    p95_cols = [c for c in table.columns if c.startswith(P95)]
    if not p95_cols:
        return []
    sc = study.scenario
    if target is None:
        ts = [t for t in sc.targets if t.kind == "relief_within"]
        hrs = relief_hours(sc)
        pick = [t for t in ts if float(t.hours) == hrs]
        target = pick[0].id if pick else None
    met_col = f"met.{target}" if target is not None else None
    fails = (~table[met_col].to_numpy(dtype=bool) if met_col and met_col in table
             else np.zeros(len(table), dtype=bool))
    zones = [c.removeprefix(P95) for c in p95_cols]
    within = np.column_stack([
        table[WITHIN + z].to_numpy(dtype=float) if WITHIN + z in table
        else np.full(len(table), np.nan) for z in zones])
    worst = np.zeros(len(zones))
    nf = int(fails.sum())
    for i in np.flatnonzero(fails):
        row = within[i]
        if np.all(np.isnan(row)):
            continue
        lo = np.nanmin(row)
        hit = np.flatnonzero(row == lo)
        worst[hit] += 1.0 / len(hit)
    out: list[dict[str, Any]] = []
    for k, z in enumerate(zones):
        p = table[P95 + z].to_numpy(dtype=float)
        has = ~np.isnan(p)
        if not has.any():
            continue
        med = float(np.median(p[has]))
        w = within[:, k]
        wmed = float(np.median(w[~np.isnan(w)])) if (~np.isnan(w)).any() else math.nan
        name, zh = _zone_names(sc, z)
        out.append({"zone": name, "name_zh": zh, "runs_with_need": int(has.sum()),
                    "p95_h_median": med if math.isfinite(med) else None,
                    "within_median": wmed if math.isfinite(wmed) else None,
                    "worst_in_failing": float(worst[k] / nf) if nf else None,
                    "failing_runs": nf, "_key": (-med, wmed if math.isfinite(wmed) else 2.0)})
    out.sort(key=lambda d: d["_key"])
    for d in out:
        d.pop("_key")
    return out[:top] if top else out
