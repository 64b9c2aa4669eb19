"""Scenario files: schema, loading with located errors, distributions and sampling."""

from sim.scenario.distributions import as_float
from sim.scenario.loader import Problem, ScenarioError, load_scenario, parse_scenario
from sim.scenario.sampling import sample_scenario, uncertain_inputs
from sim.scenario.schema import CrossReferenceError, Scenario, json_schema

__all__ = [
    "CrossReferenceError",
    "Problem",
    "Scenario",
    "ScenarioError",
    "as_float",
    "json_schema",
    "load_scenario",
    "parse_scenario",
    "sample_scenario",
    "uncertain_inputs",
]
