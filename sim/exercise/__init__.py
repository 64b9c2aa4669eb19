"""Tabletop exercises: the MSEL (the injects and what they expect of the players).

The exercise command, forks, console and after-action report build on this data layer.
"""

from sim.exercise.msel import (
    Effect,
    ExpectedAction,
    Inject,
    Message,
    Msel,
    Objective,
    Role,
    WhenNot,
    check_msel,
    due_injects,
    load_msel,
    msel_to_csv,
    parse_msel_csv,
    parse_msel_yaml,
    scenario_path,
    validate_msel_file,
)

__all__ = [
    "Effect",
    "ExpectedAction",
    "Inject",
    "Message",
    "Msel",
    "Objective",
    "Role",
    "WhenNot",
    "check_msel",
    "due_injects",
    "load_msel",
    "msel_to_csv",
    "parse_msel_csv",
    "parse_msel_yaml",
    "scenario_path",
    "validate_msel_file",
]
