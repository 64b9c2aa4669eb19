"""A tiny, fast scenario for study tests, built from the demo by overrides.

It keeps the demo's hazard block untouched (whatever the hazard model's format is) and replaces
the county by one small zone, one shelter and one depot whose quilt stock is uniform on
[0, 8000]: its target ``stock_covers_county`` (6,000 people for 3 days from county stock, one
quilt each) holds exactly when the drawn quilt stock is at least 6,000, with probability 0.25.
"""

from __future__ import annotations

from typing import Any

import sim
from sim.scenario.overrides import apply_overrides
from tests.conftest import DEMO

P_STOCK = 0.25
"""P(stock_covers_county holds) in the tiny scenario: P(U(0, 8000) >= 6000)."""

TINY: dict[str, Any] = {
    "zones": [{"name": "harbour_town", "population": 600, "households": 220, "lon": 120.70,
               "lat": 27.60, "evacuation_share": {"dist": "uniform", "low": 0.1, "high": 0.4}}],
    "shelters": [{"name": "school", "zone": "harbour_town", "capacity": 150,
                  "usable_area_m2": 300, "opening_delay_h": {"dist": "uniform", "low": 1,
                                                              "high": 3}}],
    "stock_points": [{"name": "county_depot", "tier": "county", "zone": "harbour_town",
                      "items": {"meal": 54000, "water_l": 54000,
                                "quilt": {"dist": "uniform", "low": 0, "high": 8000}}}],
    "vehicles": [{"name": "county_trucks", "kind": "truck", "base": "county_depot",
                  "count": {"dist": "choice", "values": [1, 2]}, "capacity_kg": 5000}],
    "teams": [],
    "hospitals": [],
    "supplies": [],
    "roads": None,
}


def tiny_scenario() -> sim.Scenario:
    return apply_overrides(DEMO, TINY)


def write_scenario(sc: sim.Scenario, path: Any) -> Any:
    """Write a scenario as a YAML file that loads back to the same scenario."""
    import yaml

    path.write_text(yaml.safe_dump(sc.model_dump(mode="json", by_alias=True, exclude_unset=True),
                                   allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


Z95 = 1.959963984540054
"""The standard normal's 97.5 % quantile: a two-sided 95 % interval."""


def wilson_interval(k: int, n: int) -> tuple[float, float, float]:
    """k / n with its 95 % Wilson score interval, from the closed form (no library)."""
    import math

    z2 = Z95 * Z95
    centre = (k + z2 / 2) / (n + z2)
    half = Z95 / (n + z2) * math.sqrt(k * (n - k) / n + z2 / 4)
    return k / n, max(0.0, centre - half), min(1.0, centre + half)


def table_rows(text: str, ids: list[str]) -> dict[str, list[str]]:
    """The rows of a printed table whose first cell is one of ``ids``, split into cells (cells
    are separated by two or more spaces)."""
    import re

    rows: dict[str, list[str]] = {}
    for line in text.splitlines():
        cells = re.split(r"\s{2,}", line.strip())
        if cells and cells[0] in ids:
            rows[cells[0]] = cells
    return rows


def numbers(cell: str) -> list[float]:
    """The numbers written in a table cell, in order."""
    import re

    return [float(x) for x in re.findall(r"-?\d+(?:\.\d+)?(?:e[+-]?\d+)?", cell)]


def recomputed_verdicts(rows: Any, target: Any) -> tuple[Any, Any]:
    """(applies, met) of one target in each run, from the run's value and threshold."""
    import numpy as np

    value = rows[f"value.{target.id}"].to_numpy(dtype=float)
    thr = rows[f"threshold.{target.id}"].to_numpy(dtype=float)
    applies = np.isfinite(value)
    if target.kind == "deaths_per_million":  # a ceiling; every other kind here is a floor
        met = value <= thr + 1e-9
    else:
        met = value >= thr - 1e-9
    return applies, met
