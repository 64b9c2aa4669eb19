"""Rain-triggered landslides at mapped hazard points (地质灾害隐患点).

The chain, per zone (sources in ``docs/reference/parameters.md`` §15):

1. **Threshold.** Slopes can fail only once the event rain's mean intensity over some duration
   window reaches ``I = a D^b`` (mm/h, D in h). The failure time is the first such crossing: no
   slope fails before it, none fails if it is never reached.
2. **Fragility.** A hazard point then fails with probability
   ``P_f = Phi(ln(r / theta_A) / beta)``, lognormal in the largest exceedance ratio
   ``r = max_D I_D / (a D^b)``; wet antecedent rain ``A`` (mm) lowers the median ratio,
   ``theta_A = theta exp(-A / A_s)``. ``P_f`` grows with ``r`` and with ``A``.
3. **Warning and moving.** A share ``registered_share`` of hazard-point residents live at
   registered points under the county's 群测群防 monitoring; at a point about to fail the monitors
   see the signs and move its residents out in time with probability ``warning_success``,
   ``warning_lead_h`` hours before the failure (``Outcome.moved = share x P_f x registered_share
   x warning_success`` per resident of the zone, at ``Outcome.moved_at_h``). Preventive moves of
   every hazard point are left to the scenario's evacuation order, which targets them.
4. **Deaths per failed point.** A failed point kills ``deaths_per_failure`` (dead and missing
   per recorded geohazard event in the national bulletins, which already count the warnings
   given) and buries ``trapped_per_failure`` survivors. The zone has ``share x population /
   residents_per_point`` hazard points, so expected deaths are ``points x P_f x
   deaths_per_failure``; the per-person probabilities below are calibrated to give exactly
   that among the residents who were not moved.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from sim.hazards.common import Outcome, f, running_mean
from sim.scenario.exposure import LandslideExposure
from sim.scenario.hazard import LandslideModel

__all__ = ["failure_probability", "landslide_outcome", "landslide_trigger", "threshold_mm_h"]


def threshold_mm_h(duration_h: float, a: float, b: float) -> float:
    """Threshold mean intensity ``a D^b`` (mm/h) for a rain duration ``D`` (h)."""
    return float(a * duration_h**b)


def failure_probability(ratio: float, median_ratio: float, beta: float,
                        antecedent_mm: float = 0.0, antecedent_scale_mm: float = 100.0) -> float:
    """Probability that a hazard point fails, given the rain's exceedance of the threshold.

    Parameters
    ----------
    ratio : float
        Largest ratio of the rain's mean intensity to the threshold ``a D^b`` over the windows.
    median_ratio : float
        Ratio at which half of the points fail with dry antecedent conditions (theta).
    beta : float
        Lognormal dispersion.
    antecedent_mm, antecedent_scale_mm : float
        Antecedent effective rainfall A and its scale A_s: ``theta_A = theta exp(-A / A_s)``.

    Returns
    -------
    float
        ``Phi(ln(ratio / theta_A) / beta)`` for ``ratio >= 1``; 0 below the threshold.
    """
    if not ratio >= 1.0:
        return 0.0
    theta = median_ratio * math.exp(-antecedent_mm / antecedent_scale_mm)
    z = math.log(ratio / theta) / beta
    return 0.5 * math.erfc(-z / math.sqrt(2.0))


def landslide_trigger(t: np.ndarray, rate: np.ndarray, m: LandslideModel) -> tuple[float, float]:
    """When rain first exceeds the intensity-duration threshold, and by how much.

    Returns ``(time_h, ratio)``: the first time any window's mean intensity reaches
    ``a D^b`` and the largest ratio of intensity to threshold over all windows (``inf`` time and
    ratio < 1 if never reached).
    """
    first = math.inf
    best = 0.0
    for d in m.windows_h:
        i = running_mean(rate, d)
        thr = threshold_mm_h(d, m.threshold_a, m.threshold_b)
        best = max(best, float(i.max()) / thr if len(i) else 0.0)
        hit = np.nonzero(i >= thr)[0]
        if hit.size:
            first = min(first, float(t[hit[0]]))
    return first, best


def landslide_outcome(t: np.ndarray, rate: np.ndarray, ex: LandslideExposure,
                      m: LandslideModel,
                      injured_per_killed: Sequence[Any] = (0.0, 0.0, 0.0)) -> Outcome | None:
    """Outcomes of rain-triggered landslides at the zone's hazard points.

    ``killed``, ``trapped`` and ``injured`` are per resident still in the zone when the slope
    fails (the residents ``moved`` out before are spared); ``moved`` is per resident of the zone,
    at ``moved_at_h`` (the failure time less the warning lead). Injuries follow the deaths by
    ``injured_per_killed`` (severity 1-3), the flood vulnerability's ratio: the same rain event
    strikes the same villages. None when the threshold is never reached or nobody lives at a
    hazard point.
    """
    when, ratio = landslide_trigger(t, rate, m)
    share = f(ex.share)
    if not math.isfinite(when) or share <= 0:
        return None
    p = failure_probability(ratio, f(m.fragility_median_ratio), f(m.fragility_beta),
                            f(m.antecedent_mm), f(m.antecedent_scale_mm))
    per_point = f(m.residents_per_point)
    # the monitors move the residents of the registered points that show signs of failing (the
    # bulletins' 成功预报: failures forecast in time, 21-36 people each); preventive moves of
    # every hazard point are the evacuation order's (it targets the danger points)
    moved = share * p * f(m.registered_share) * f(m.warning_success)
    stay = 1.0 - moved  # residents of the zone not moved out
    # expected deaths per resident of the zone = points per resident x P_f x deaths per point
    dead = share / per_point * p * f(m.deaths_per_failure)
    buried = share / per_point * p * f(m.trapped_per_failure)
    killed = min(1.0, dead / stay)
    trapped = min(1.0 - killed, buried / stay)
    inj = [min(1.0, killed * f(x)) for x in injured_per_killed]
    lead = f(m.warning_lead_h)
    points = share / per_point
    return Outcome(
        name="landslide", onset_h=when, home_loss=share * p, killed=killed,
        injured=(inj[0], inj[1], inj[2]), trapped=trapped, share=share,
        displacement_days=0.0, road_block=p, road_clear_h=f(m.road_reopen_h),
        moved=moved, moved_at_h=when - lead if moved > 0 else math.nan,
        measures={"landslide_threshold_ratio": ratio, "landslide_onset_h": when,
                  "landslide_failure_probability": p,
                  "landslide_points_per_resident": points,
                  "landslide_moved_share": moved},
    )
