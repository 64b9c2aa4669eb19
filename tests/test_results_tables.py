"""The tables a notebook user gets from a run agree with the run's arrays."""

from __future__ import annotations

import numpy as np

import sim
from sim.response.ledger import State


def test_frames_match_the_arrays(demo: sim.Scenario) -> None:
    r = sim.run(demo, 2)
    people = r.people_frame()
    assert len(people) == r.people.size
    per_time = people.groupby("time_h")["people"].sum().to_numpy()
    assert (per_time == r.population.sum()).all()
    sheltered = people[people.state == State.sheltered.name].groupby("time_h")["people"].sum()
    assert np.array_equal(sheltered.to_numpy(), r.shelter_occupancy.sum(axis=1))
    shelters = r.shelter_frame()
    assert list(shelters.columns) == r.shelters and len(shelters) == len(r.times)
    stock = r.stock_frame()
    assert np.isclose(stock.quantity.sum(), r.stock.sum())
    relief = r.relief_frame()
    assert relief.people.sum() == r.metrics["needing_relief"]
    events = r.events_frame()
    assert list(events.columns) == ["time_h", "event", "subject", "count"]
    assert events.time_h.is_monotonic_increasing
