"""A small exercise on the demo county for the console's tests (API and browser)."""

from __future__ import annotations

from functools import cache

from sim import load_scenario
from sim.exercise.msel import Msel, parse_msel_yaml
from sim.exercise.session import Exercise
from sim.scenario.schema import Scenario
from tests.conftest import DEMO

# A forecast, a contingency if no one orders the evacuation, and a late inject that must stay
# hidden from the players until it is due.
MSEL = """
name: demo_console
scenario: ../demo_coastal_typhoon.yaml
objectives: [{id: warn, capability: Public Information and Warning}]
roles: [{id: county_hq, name: County HQ, name_zh: 县防指}]
injects:
  - number: "1"
    at_h: -30
    synopsis: Forecast
    message: {zh: 台风预报, en: Typhoon forecast}
    from: control
    to: county_hq
    expected_action: {id: order_evacuation, en: Order the evacuation}
    objective: warn
  - number: "2"
    at_h: -20
    synopsis: Evacuation still not ordered
    message: {zh: 仍未下达转移命令, en: No evacuation order yet}
    from: control
    to: county_hq
    objective: warn
    when_not: {action: order_evacuation, by_h: -21}
  - number: "3"
    at_h: 10
    synopsis: Secret bridge collapse
    message: {zh: 桥梁垮塌, en: The harbour bridge collapsed}
    from: control
    to: county_hq
    objective: warn
"""


@cache
def scenario_and_msel() -> tuple[Scenario, Msel]:
    """The demo scenario and the MSEL above (loaded once per process)."""
    sc = load_scenario(DEMO)
    return sc, parse_msel_yaml(MSEL, "demo_console.yaml", sc)


def demo_exercise(seed: int = 1) -> Exercise:
    """A fresh exercise on the demo county with the MSEL above."""
    sc, msel = scenario_and_msel()
    return Exercise(sc, seed, msel)
