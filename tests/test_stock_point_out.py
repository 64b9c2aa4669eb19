"""A stock point going out of service gives back every open order on it, whatever trucks do.

Found by the random earthquakes of tests/test_invariants.py: a point holding two open orders went
out while a truck was idle; giving back the first order dispatched the truck, which took the
second, and taking that one back then failed (KeyError).
"""

from __future__ import annotations

import numpy as np

import sim


def test_a_point_out_withdraws_all_its_orders_before_allocating_them(demo: sim.Scenario) -> None:
    s = sim.Simulation(demo, 0)
    lg = s.model.logistics
    depot, store = lg.points
    a, b = s.model.shelters.list[:2]
    assert lg.idle  # every truck idle before the run: any request dispatches one
    depot_stock, store_stock = depot.available.copy(), store.available.copy()
    withdrawn = np.zeros(len(lg.kg))
    for shelter, share in ((a, 0.001), (b, 0.002)):
        qty = np.floor(depot.available * share)
        depot.available -= qty
        lg.orders[(depot.idx, shelter.idx)] = qty
        withdrawn += qty
    lg.set_out(depot, True)
    assert depot.out and not any(k[0] == depot.idx for k in lg.orders)
    assert np.array_equal(depot.available, depot_stock)  # all of it given back, unavailable
    # What was withdrawn is allocated again: from the other point (still in its orders or
    # already on a dispatched truck) or waiting as a back order.
    back = sum((np.asarray(q) for q in lg.backorders.values()), np.zeros(len(lg.kg)))
    assert np.allclose(store_stock - store.available + back, withdrawn)
    assert (store_stock - store.available).sum() > 0  # the store gave something
    s.finish()  # and the run goes on to its end
