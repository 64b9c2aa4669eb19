"""Rain-triggered landslides at mapped hazard points (地质灾害隐患点).

When a rain intensity-duration pair exceeds ``I = a D^b`` (Caine 1980), hazard points fail with
a given probability; people present at a failing point are killed, buried or unhurt.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from sim.hazards.common import Outcome, f, running_mean
from sim.scenario.exposure import LandslideExposure
from sim.scenario.hazard import LandslideModel

__all__ = ["landslide_outcome", "landslide_trigger"]


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
        thr = m.threshold_a * d**m.threshold_b
        best = max(best, float(i.max()) / thr if len(i) else 0.0)
        hit = np.nonzero(i >= thr)[0]
        if hit.size:
            first = min(first, float(t[hit[0]]))
    return first, best


def landslide_outcome(t: np.ndarray, rate: np.ndarray, ex: LandslideExposure,
                      m: LandslideModel,
                      injured_per_killed: Sequence[Any] = (0.0, 0.0, 0.0)) -> Outcome | None:
    """Outcomes of rain-triggered landslides at the zone's hazard points.

    Injuries follow the deaths by ``injured_per_killed`` (severity 1-3), the flood
    vulnerability's ratio: the same rain event strikes the same villages.
    """
    when, ratio = landslide_trigger(t, rate, m)
    share = f(ex.share)
    if not math.isfinite(when) or share <= 0:
        return None
    p = f(m.failure_probability)
    kg = f(m.killed_given_failure)
    killed = share * p * kg
    inj = [min(1.0, killed * f(x)) for x in injured_per_killed]
    return Outcome(
        name="landslide", onset_h=when, home_loss=share * p, killed=killed,
        injured=(inj[0], inj[1], inj[2]),
        trapped=share * p * (1.0 - kg) * f(m.trapped_given_failure), share=share,
        displacement_days=0.0, road_block=p, road_clear_h=f(m.road_reopen_h),
        measures={"landslide_threshold_ratio": ratio, "landslide_onset_h": when},
    )
