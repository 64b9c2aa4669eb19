"""Injects and decisions (issue 14 item 2): every kind validated, described, logged, replayable,
and with its effect in the model."""

from __future__ import annotations

import pytest

from sim.interventions import (
    DECISION_KINDS,
    EVENT_KINDS,
    Intervention,
    describe,
    parse_intervention,
)
from sim.interventions.describe import _TEXT
from sim.scenario.loader import load_scenario


@pytest.fixture(scope="module")
def wenzhou():
    return load_scenario("scenarios/wenzhou_typhoon.yaml")


def test_every_kind_is_described_and_classified() -> None:
    kinds = {m.model_fields["kind"].annotation.__args__[0] for m in _TEXT}
    assert kinds <= DECISION_KINDS | EVENT_KINDS | {"branch"}
    assert not DECISION_KINDS & EVENT_KINDS


def test_describe_uses_chinese_names(wenzhou) -> None:
    it: Intervention = parse_intervention(
        {"kind": "close_roads", "at_h": 6, "zone": "longwan", "hours": 12})
    assert describe(it) == ("Roads of longwan closed for 12 h", "longwan道路中断12小时")
    en, zh = describe(it, wenzhou)
    assert en == "Roads of longwan closed for 12 h"
    assert zh == "龙湾区道路中断12小时"
