"""The results index compares a plan's report with the same plan at a finer resolution."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pytest

from sim.report.comparison import RESOLUTIONS, render_readme, resolution_rows, write_readme
from sim.report.comparison_zh import render_readme_zh
from sim.study.stats import Interval, newcombe_independent, wilson


def _target(tid: str, k: int, n: int, basis: str = "simulated") -> dict[str, Any]:
    w = wilson(k, n)
    words = {"simulated": ("simulated", "模拟所得"),
             "resolution": ("decided by the zones' size", "受分区粒度所限")}[basis]
    return {"id": tid, "p_holds": w.estimate, "ci_low": w.low, "ci_high": w.high, "p_applies": 1.0,
            "basis": basis, "basis_words": {"en": words[0], "zh": words[1]}}


def _doc(name: str, zones: int, runs: int, targets: list[dict[str, Any]]) -> dict[str, Any]:
    return {"_dir": name, "figures_by_lang": {"en": [], "zh": []},
            "scenario": {"name": name, "file": f"scenarios/{name}.yaml",
                         "title": {"en": name.title(), "zh": f"{name}中文"}, "zones": zones,
                         "population": 1_000_000},
            "study": {"runs": runs, "targets": targets}, "budget": {"goal": 0.9}}


SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"

COARSE = _doc("county", 20, 4000, [_target("relief", 400, 4000),
                                   _target("fire", 4000, 4000, "resolution"),
                                   _target("only_here", 10, 4000)])
FINE = _doc("towns", 194, 400, [_target("relief", 120, 400), _target("fire", 300, 400)])


def test_newcombe_independent_is_the_hybrid_score_interval() -> None:
    a, b = wilson(120, 400), wilson(400, 4000)
    d = newcombe_independent(a, b)
    assert d.estimate == pytest.approx(0.2)
    assert d.low == pytest.approx(0.2 - math.hypot(a.estimate - a.low, b.high - b.estimate))
    assert d.high == pytest.approx(0.2 + math.hypot(a.high - a.estimate, b.estimate - b.low))
    # wider than either study's own interval, narrower than their sum
    assert d.high - d.low > a.high - a.low
    assert d.high - d.low < (a.high - a.low) + (b.high - b.low)
    same = newcombe_independent(Interval(0.5, 0.4, 0.6), Interval(0.5, 0.4, 0.6))
    assert same.estimate == 0 and same.low < 0 < same.high


def test_rows_pair_targets_by_id_and_difference_only_findings() -> None:
    rows = resolution_rows(COARSE, FINE)
    assert [c["id"] for c, _, _ in rows] == ["relief", "fire"]  # only_here has no partner
    relief = rows[0][2]
    assert relief is not None and relief.estimate == pytest.approx(0.3 - 0.1)
    assert relief.low > 0  # 0.30 on 400 runs against 0.10 on 4,000: clearly apart
    assert rows[1][2] is None  # the county verdict is decided by the zones' size: no difference


def test_both_indexes_show_the_side_by_side() -> None:
    en = render_readme([], resolutions=[(COARSE, FINE)])
    zh = render_readme_zh([], resolutions=[(COARSE, FINE)])
    assert "## The same plan at a finer resolution" in en and "## 同一预案的更细分区" in zh
    for text in (en, zh):
        row = next(line for line in text.splitlines() if line.startswith("| `relief` |"))
        assert "0.100 [" in row and "0.300 [" in row and "+0.200 [" in row
        fire = next(line for line in text.splitlines() if line.startswith("| `fire` |"))
        assert " | 1.00 → 1.00 | " in row
        assert fire.rstrip().endswith("| — |")
    assert "decided by the zones' size / 受分区粒度所限 → simulated / 模拟所得" in en
    assert "受分区粒度所限 → 模拟所得" in zh
    assert "(towns/report.md)" in en and "(towns/report.zh.md)" in zh
    assert "the same 1,000,000 residents" in en and "同为1,000,000人" in zh
    other = {**FINE, "scenario": {**FINE["scenario"], "population": 999_000}}
    assert "999,000 residents against 1,000,000" in render_readme([], resolutions=[(COARSE,
                                                                                     other)])


def test_write_readme_pairs_the_reports_it_finds(tmp_path: Path) -> None:
    for doc in (COARSE, FINE):
        (tmp_path / doc["_dir"]).mkdir()
        body = {k: v for k, v in doc.items() if k != "_dir"}
        (tmp_path / doc["_dir"] / "report.json").write_text(json.dumps(body), encoding="utf-8")
    text = write_readme(tmp_path, plans=(), examples=(),
                        resolutions={"towns": "county"}).read_text(encoding="utf-8")
    assert "finer resolution" in text and "| `relief` |" in text
    failed = write_readme(tmp_path, plans=(), examples=(), resolutions={"towns": "county"},
                          failed={"towns": "boom"}).read_text(encoding="utf-8")
    assert "finer resolution" not in failed  # a failed report is not compared


def test_every_resolution_pairs_existing_scenarios() -> None:
    """Each finer scenario file and the plan it refines exist, and share their population."""
    from sim.scenario import load_scenario

    for fine, coarse in RESOLUTIONS.items():
        f, c = (load_scenario(SCENARIOS / f"{n}.yaml") for n in (fine, coarse))
        assert sum(z.population for z in f.zones) == sum(z.population for z in c.zones)
        assert len(f.zones) > len(c.zones)
