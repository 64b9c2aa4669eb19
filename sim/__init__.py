"""sim: a discrete-event Monte Carlo simulator that tests the targets of disaster-relief plans.

The core is one pure function, :func:`run`, that simulates one disaster response from a
validated :class:`Scenario` and a seed; :class:`Simulation` is the same run advanced in steps.
``sim.study(scenario, runs, seed)`` runs a Monte Carlo study of it (:mod:`sim.study`).
"""

from sim import study
from sim.interventions import (
    AddStock,
    AddVehicles,
    Branch,
    CloseRoads,
    Intervention,
    OpenShelter,
)
from sim.results import RunResult
from sim.run import Simulation, run
from sim.scenario import Scenario, ScenarioError, load_scenario, parse_scenario
from sim.study import run_study

__version__ = "0.2.0.dev0"

__all__ = [
    "AddStock",
    "AddVehicles",
    "Branch",
    "CloseRoads",
    "Intervention",
    "OpenShelter",
    "RunResult",
    "Scenario",
    "ScenarioError",
    "Simulation",
    "__version__",
    "load_scenario",
    "parse_scenario",
    "run",
    "run_study",
    "study",
]
