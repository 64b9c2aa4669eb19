"""Every run metric is classified as operations, severity, outcome or bookkeeping."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sim.report.plan_report import metric_contrast, metric_sentence
from sim.run import run
from sim.scenario.loader import load_scenario
from sim.study.metric_kinds import KINDS, metric_kind, metric_words, split_metrics
from sim.study.tasks import RunSpec, result_row

ROOT = Path(__file__).parent.parent / "scenarios"


@pytest.mark.parametrize("name", ["demo_coastal_typhoon", "demo_earthquake", "demo_flash_flood"])
def test_every_metric_a_run_produces_has_a_kind(name: str) -> None:
    sc = load_scenario(ROOT / f"{name}.yaml")
    r = run(sc, np.random.SeedSequence(1))
    row = result_row(r, RunSpec(0, 0), 1)
    cols = [c for c in row if c.startswith("metric.")]
    assert cols
    for c in cols:
        assert metric_kind(c) in KINDS, c
        assert metric_words(c) != c.removeprefix("metric."), c
    groups = split_metrics(cols)
    assert sum(len(v) for v in groups.values()) == len(cols)
    assert "metric.ambulance_trips" in groups["severity"]
    assert "metric.truck_utilisation" in groups["operations"]


def test_severity_is_not_presented_as_a_cause() -> None:
    rng = np.random.default_rng(0)
    n = 60
    fails = np.arange(n) < 30
    table = pd.DataFrame({
        "metric.ambulance_trips": np.where(fails, 50.0, 10.0) + rng.normal(0, 1, n),
        "metric.truck_utilisation": np.where(fails, 0.9, 0.5) + rng.normal(0, 0.05, n),
        "metric.relief_p95_h": np.where(fails, 30.0, 5.0),
        "metric.population": np.full(n, 1000.0),
    })
    rows = metric_contrast(table, fails)
    kinds = {r["metric"]: r["kind"] for r in rows}
    assert kinds == {"ambulance_trips": "severity", "truck_utilisation": "operations"}
    text = metric_sentence(rows)
    head, _, tail = text.partition("How severe the failing runs were")
    assert "truck utilisation" in head and "ambulance" not in head
    assert "ambulance trips" in tail


def test_unknown_metric_raises() -> None:
    with pytest.raises(KeyError):
        metric_kind("metric.no_such_metric")
