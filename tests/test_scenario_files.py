"""Every scenario file validates, runs, and gives every number a source that exists."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from pydantic import BaseModel

import sim
from sim.scenario.base import Sourced
from sim.scenario.distributions import _DistBase
from tests.conftest import ROOT

FILES = (sorted((ROOT / "scenarios").glob("*.yaml"))
         + sorted((ROOT / "validation" / "scenarios").glob("*.yaml")))
"""The plan and demo scenarios, and the scenarios that exist for a back-test."""
PLANS = ROOT / "scenarios" / "plans"
CITATION = re.compile(r"(\d{3}_\w+?_plan\.txt)#L(\d+)(?:[-–]L?(\d+))?")


def test_there_are_scenarios() -> None:
    assert any(f.name == "demo_coastal_typhoon.yaml" for f in FILES)


@pytest.mark.parametrize("path", FILES, ids=[f.stem for f in FILES])
def test_scenario_validates_and_runs(path: Path) -> None:
    sc = sim.load_scenario(path)
    r = sim.run(sc, 0)
    assert sum(r.final_people().values()) == sum(z.population for z in sc.zones)
    assert len(r.targets) == len(sc.targets)


def _is_number(v: object) -> bool:
    return isinstance(v, int | float | _DistBase) and not isinstance(v, bool)


def _numbers_without_source(model: BaseModel, path: str, inherited: str | None = None
                            ) -> list[str]:
    """Paths of numeric fields that have no provenance.

    A number is covered by its distribution's own source, its entity's per-field ``sources``
    or ``source``, or the ``source`` of the entity that contains it (a road network's source
    covers its links).
    """
    missing: list[str] = []
    if isinstance(model, Sourced) and model.source:
        inherited = model.source
    for name in type(model).model_fields:
        value = getattr(model, name)
        where = f"{path}.{name}" if path else name
        subs = (list(enumerate(value)) if isinstance(value, list)
                else list(value.items()) if isinstance(value, dict) else [("", value)])
        for key, v in subs:
            if isinstance(v, BaseModel) and not isinstance(v, _DistBase):
                sub = where if key == "" else (f"{where}[{key}]" if isinstance(key, int)
                                               else f"{where}.{key}")
                missing += _numbers_without_source(v, sub, inherited)
        numeric = _is_number(value) or (isinstance(value, dict) and bool(value)
                                        and all(_is_number(v) for v in value.values()))
        own = isinstance(value, _DistBase) and value.source
        if numeric and not (own or inherited
                            or (isinstance(model, Sourced) and model.source_of(name))):
            missing.append(where)
    return missing


def test_the_source_check_can_fail() -> None:
    from hypothesis import find

    from tests.strategies import scenarios

    sc = find(scenarios(), lambda s: True)
    assert "zones[0].population" in _numbers_without_source(sc, "")


@pytest.mark.parametrize("path", FILES, ids=[f.stem for f in FILES])
def test_every_number_has_a_source(path: Path) -> None:
    sc = sim.load_scenario(path)
    missing = _numbers_without_source(sc, "")
    assert not missing, f"numbers without a source: {missing}"


def _all_sources(model: object) -> list[str]:
    out: list[str] = []
    if isinstance(model, BaseModel):
        for name in type(model).model_fields:
            v = getattr(model, name)
            if name == "source" and isinstance(v, str):
                out.append(v)
            elif name == "sources" and isinstance(v, dict):
                out += list(v.values())
            else:
                out += _all_sources(v)
    elif isinstance(model, list | tuple):
        for v in model:
            out += _all_sources(v)
    elif isinstance(model, dict):
        for v in model.values():
            out += _all_sources(v)
    return out


@pytest.mark.parametrize("path", FILES, ids=[f.stem for f in FILES])
def test_plan_citations_exist(path: Path) -> None:
    sc = sim.load_scenario(path)
    for src in _all_sources(sc):
        for fname, a, b in CITATION.findall(src):
            plan = PLANS / fname
            assert plan.exists(), f"{src!r} cites a missing plan {fname}"
            n = len(plan.read_text(encoding="utf-8").splitlines())
            for line in (a, b):
                if line:
                    assert 1 <= int(line) <= n, f"{src!r}: {fname} has {n} lines"
    for t in sc.targets:
        assert t.source, f"target {t.id} has no source"
