"""Monte Carlo studies: P(each target holds), why it fails, and what would make it hold.

``sim.study(scenario, runs, seed, ...)`` runs a study (this module is callable; the function is
:func:`run_study`) and returns a :class:`Study` whose ``table`` is a pandas DataFrame with one
row per run. The rest builds on studies:

* :func:`resume_study` continues an interrupted study from its directory;
* :func:`compare` runs variants of a scenario on the same disasters (common random numbers);
* :func:`sensitivity` (SALib: Sobol or Morris) and :func:`discover` (PRIM) say why a target fails;
* :func:`plan_capacity` finds the smallest increase of a resource that makes a target hold;
* :func:`search` finds the cheapest combination of levers (:func:`load_levers`) that makes chosen
  targets hold together, checked on fresh runs, or the ceiling and what bounds it;
* :func:`hold_analysis` answers from one such search for each target and for the plan as a whole
  (the plan reports' "what would make it hold").
"""

from __future__ import annotations

import sys
import types
from typing import Any

from sim.study.capacity import CapacityPlan, plan_capacity
from sim.study.compare import Comparison, compare
from sim.study.discovery import Discovery, discover, prim
from sim.study.executors import ExecutorInfo, open_executor
from sim.study.hold import HoldSettings, hold_analysis
from sim.study.levers import LeverSpace, load_levers
from sim.study.runner import (
    StopInfo,
    Study,
    StudySummary,
    TargetSummary,
    resume_study,
    run_study,
)
from sim.study.search import SearchResult, search
from sim.study.sensitivity import SensitivityResult, sensitivity
from sim.study.stats import Interval, wilson
from sim.study.store import ResultStore, StoreError
from sim.study.tasks import StudyRunError, run_seed

__all__ = [
    "CapacityPlan",
    "Comparison",
    "Discovery",
    "ExecutorInfo",
    "HoldSettings",
    "Interval",
    "LeverSpace",
    "ResultStore",
    "SearchResult",
    "SensitivityResult",
    "StopInfo",
    "StoreError",
    "Study",
    "StudyRunError",
    "StudySummary",
    "TargetSummary",
    "compare",
    "discover",
    "hold_analysis",
    "load_levers",
    "open_executor",
    "plan_capacity",
    "prim",
    "resume_study",
    "run_seed",
    "run_study",
    "search",
    "sensitivity",
    "wilson",
]


class _CallableModule(types.ModuleType):
    """Lets ``sim.study(...)`` run a study while ``sim.study`` stays the package."""

    def __call__(self, *args: Any, **kwargs: Any) -> Study:
        return run_study(*args, **kwargs)


sys.modules[__name__].__class__ = _CallableModule
