"""Interventions (injects): decisions and events scheduled into a run at a given time.

An intervention is data, validated like a scenario, so that a run is replayed exactly from its
seed and its list of interventions. At its time, an intervention acts before anything else
scheduled for that moment, whether it was listed when the run began or added while stepping.

Kinds
-----
``add_stock``
    Supplies arrive at a stock point (a donation, an agreement supplier's delivery).
``add_vehicles``
    More vehicles join an existing fleet at its base (mutual aid, requisition).
``open_shelter``
    A reserve shelter site opens in a zone.
``close_roads``
    The roads of a zone close for some hours (a collapsed bridge, a landslide).
``branch``
    From this moment the run's random streams take a new, numbered branch: a fork of the
    future (:meth:`sim.Simulation.fork`). Everything before it is unchanged.

Interventions are split into *events* (:data:`EVENT_KINDS`, which controllers inject) and
*decisions* (:data:`DECISION_KINDS`, which players take); :func:`describe` gives each one a line
in English and Chinese.

Modules: :mod:`~sim.interventions.kinds` (the models), :mod:`~sim.interventions.check` (against a
scenario), :mod:`~sim.interventions.load` (from data and YAML files),
:mod:`~sim.interventions.apply` (on a running model), :mod:`~sim.interventions.describe`.
"""

from sim.interventions.apply import apply_intervention
from sim.interventions.check import check_interventions
from sim.interventions.describe import describe
from sim.interventions.kinds import (
    DECISION_KINDS,
    EVENT_KINDS,
    AddStock,
    AddVehicles,
    Branch,
    CloseRoads,
    Intervention,
    OpenShelter,
)
from sim.interventions.load import load_interventions, parse_intervention

__all__ = [
    "DECISION_KINDS",
    "EVENT_KINDS",
    "AddStock",
    "AddVehicles",
    "Branch",
    "CloseRoads",
    "Intervention",
    "OpenShelter",
    "apply_intervention",
    "check_interventions",
    "describe",
    "load_interventions",
    "parse_intervention",
]
