"""Interventions (injects): decisions and events scheduled into a run at a given time.

An intervention is data, validated like a scenario, so that a run is replayed exactly from its
seed and its list of interventions. At its time, an intervention acts before anything else
scheduled for that moment, whether it was listed when the run began or added while stepping.

Kinds
-----
Events (:data:`EVENT_KINDS`, injected by controllers):

``add_stock``
    Supplies arrive at a stock point (a donation, an agreement supplier's delivery).
``add_vehicles``
    More vehicles join an existing fleet at its base (mutual aid, requisition).
``close_roads``
    The roads of a zone close for some hours (departures wait out the closure).
``cut_link`` / ``reopen_link``
    A road link between two zones is cut (a bridge down), optionally for ``hours``; or
    reopened (a landslide cleared). Routes change; a zone without a path is cut off.
``close_shelter``
    A shelter closes (flooded): nobody new is admitted, its people are re-placed.
``hospital_out``
    A hospital loses power or service and admits nobody new.
``stock_point_lost``
    A stock point is out of service, optionally losing a share of its stock.
``aftershock`` / ``extra_rain``
    A new strike of harm on a zone (shares or counts of killed, injured, trapped, homes lost).
``supplier_delayed``
    A supply's next delivery comes later.
``team_unavailable``
    Idle teams of a fleet are unavailable for some hours.

Decisions (:data:`DECISION_KINDS`, taken by players):

``open_shelter``
    A reserve shelter site opens in a zone.
``dispatch_team``
    Teams of a fleet go to a zone to rescue or clear roads (or wait there).
``release_agreement``
    An agreement (or mutual-aid) supply is called now.
``request_mutual_aid``
    Vehicles and/or stock from outside arrive after a lead time.
``order_evacuation`` / ``extend_evacuation``
    The evacuation of zones is ordered at a share of residents, or widened.
``raise_response_level``
    The response level rises (I-IV); from III agreement supplies, from II mutual aid too, are
    called (an assumption: the scenarios give levels no rules).
``set_dispatch_rule`` / ``set_delivery_priority``
    Stock points by nearness or by tier; shelters or zones served first.

Neither: ``branch``
    From this moment the run's random streams take a new, numbered branch: a fork of the
    future (:meth:`sim.Simulation.fork`). Everything before it is unchanged.

Each kind's class documents exactly what it does in the model.

:func:`describe` gives each intervention a line in English and Chinese.

Modules: :mod:`~sim.interventions.kinds` (the models), :mod:`~sim.interventions.check` (against a
scenario), :mod:`~sim.interventions.load` (from data and YAML files),
:mod:`~sim.interventions.apply` (on a running model), :mod:`~sim.interventions.describe`.
"""

from sim.interventions import kinds as _kinds
from sim.interventions.apply import apply_intervention, response_level
from sim.interventions.check import check_interventions
from sim.interventions.describe import describe
from sim.interventions.kinds import *  # noqa: F403  (the names of kinds.__all__)
from sim.interventions.load import load_interventions, parse_intervention

__all__ = [*_kinds.__all__, "apply_intervention", "check_interventions", "describe",
           "load_interventions", "parse_intervention", "response_level"]
