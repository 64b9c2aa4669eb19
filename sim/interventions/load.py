"""Reading interventions: one from a mapping, a list from a YAML file with located errors."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import TypeAdapter, ValidationError

from sim.interventions.check import check_interventions
from sim.interventions.kinds import Intervention
from sim.scenario.limits import INTERVENTIONS
from sim.scenario.loader import (
    Problem,
    ScenarioError,
    _locate,
    build_yaml,
    compose_yaml,
    read_text,
    validation_problems,
)

if TYPE_CHECKING:
    from sim.scenario.schema import Scenario

__all__ = ["field_path", "load_interventions", "parse_intervention"]

_LIST = TypeAdapter(list[Intervention])
_ONE: TypeAdapter[Intervention] = TypeAdapter(Intervention)


def field_path(field: str) -> tuple[str | int, ...]:
    """A checked field (``zones.1``) as a location path (``("zones", 1)``: list indexes int)."""
    return tuple(int(p) if p.isdigit() else p for p in field.split("."))


def parse_intervention(data: object) -> Intervention:
    """Validate one intervention given as a mapping (raises pydantic ``ValidationError``)."""
    return _ONE.validate_python(data)


def load_interventions(path: str | Path, scenario: Scenario) -> list[Intervention]:
    """Read a YAML list of interventions, with located one-line errors.

    Raises
    ------
    ScenarioError
        With ``FILE:LINE: [i].field: message`` problems.
    """
    file = str(path)
    node = compose_yaml(read_text(path, file), file)
    if node is None:
        return []
    problems: list[Problem] = []
    data, root = build_yaml(node, file, problems)
    if problems:
        raise ScenarioError(problems)
    if isinstance(data, list) and len(data) > INTERVENTIONS.value:
        raise ScenarioError([Problem(file, root.line, "", f"{len(data):,} interventions; "
                                     f"{INTERVENTIONS.words()}")])
    try:
        items = _LIST.validate_python(data)
    except ValidationError as exc:
        raise ScenarioError(validation_problems(exc, data, root, file)) from None
    for i, field, msg in check_interventions(items, scenario):
        p, line = _locate((i, *field_path(field)), data, root)
        problems.append(Problem(file, line, p, msg))
    if problems:
        raise ScenarioError(problems)
    return items
