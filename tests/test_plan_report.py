"""Plan reports: the verdict table agrees with an independent study, every scenario file runs a
short study, and the results README compares reports."""

from __future__ import annotations

import json
import math
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

import sim
from sim.report.comparison import PLAN_SCENARIOS, make_results, write_readme
from sim.report.plan_report import QUICK, build_report, metric_contrast, relief_target
from sim.scenario.provenance import assumptions, describe_input, provenance, source_kind
from sim.study import run_study
from tests.conftest import DEMO, ROOT
from tests.study_helpers import numbers, recomputed_verdicts, wilson_interval

FILES = sorted((ROOT / "scenarios").glob("*.yaml"))
FLOOD = ROOT / "scenarios" / "demo_flash_flood.yaml"
SEED = 3


@pytest.fixture(scope="module")
def demo_report(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    out = tmp_path_factory.mktemp("results") / "demo_coastal_typhoon"
    p = subprocess.run([sys.executable, "-m", "sim", "report", str(DEMO), "--out", str(out),
                        "--quick", "--seed", str(SEED), "--workers", "2", "--no-progress"],
                       capture_output=True, text=True, timeout=300, cwd=ROOT)
    assert p.returncode == 0, p.stderr
    return out, json.loads((out / "report.json").read_text(encoding="utf-8"))


def _verdict_rows(md: str) -> dict[str, list[str]]:
    section = md.split("## Verdict", 1)[1].split("\n## ", 1)[0]
    rows = {}
    for line in section.splitlines():
        m = re.match(r"\| `([^`]+)` \|", line)
        if m:
            rows[m.group(1)] = [c.strip() for c in line.strip().strip("|").split(" | ")]
    return rows


def _stated_threshold(t: Any) -> float | None:
    """The threshold a target states (None when the run sets it, as for townships)."""
    for attr in ("share", "min_m2", "max", "people"):
        v = getattr(t, attr, None)
        if isinstance(v, int | float):
            return float(v)
    return None


def test_report_verdict_matches_an_independent_study(
        demo_report: tuple[Path, dict[str, Any]]) -> None:
    """Every verdict of the report, recomputed from the runs' values: each run's verdict from
    its value and threshold, P(holds) and its Wilson interval from the counts, by formulas
    written here (not the study's summary)."""
    out, doc = demo_report
    md = (out / "report.md").read_text(encoding="utf-8")
    sc = sim.load_scenario(DEMO)
    rows = _verdict_rows(md)
    assert list(rows) == [t.id for t in sc.targets]  # every target, in the scenario's order
    runs = doc["study"]["runs"]
    assert doc["study"]["stop"]["reason"] in ("precision", "max_runs") and runs <= QUICK.max_runs
    table = run_study(DEMO, runs, SEED, workers=2, progress=False).table  # the same runs
    assert list(table["run"]) == list(range(runs))
    stored = {t["id"]: t for t in doc["study"]["targets"]}
    simulated = 0
    for t in sc.targets:
        row, st = rows[t.id], stored[t.id]
        value = table[f"value.{t.id}"].to_numpy(dtype=float)
        thr = table[f"threshold.{t.id}"].to_numpy(dtype=float)
        applies, met = recomputed_verdicts(table, t)  # each run's verdict, from its value
        stated = _stated_threshold(t)
        if stated is not None:
            assert (thr == stated).all(), t.id
        else:  # stock_covers_townships: at most the townships asked for
            assert (thr <= t.townships).all() and (thr > 0).all(), t.id
        assert (table[f"met.{t.id}"].to_numpy(dtype=bool)[applies] == met[applies]).all(), t.id
        k, n = int(met[applies].sum()), int(applies.sum())
        assert (st["holds"], st["applicable_runs"], st["runs"]) == (k, n, runs), t.id
        clause = t.clause
        if clause is not None and clause.zh:
            assert clause.zh in row[1]
        words = st["basis_words"]
        assert row[3] == f"{words['en']} / {words['zh']}", t.id
        if n and st["basis"] == "simulated":
            simulated += 1
            p, lo, hi = wilson_interval(k, n)
            assert st["p_holds"] == pytest.approx(p, abs=1e-12), t.id
            assert (st["ci_low"], st["ci_high"]) == pytest.approx((lo, hi), abs=1e-9), t.id
            shown = numbers(row[4])
            assert shown == pytest.approx([p, lo, hi], abs=5e-4 + 1e-12), (t.id, row[4])
            assert numbers(row[6]) == pytest.approx([100 * n / runs], abs=0.5 + 1e-9), t.id
        elif n:  # a built-in answer is said in words, never as a bare 0 or 1
            assert not re.fullmatch(r"[01]\.000 \[.*\]", row[4]), (t.id, row[4])
            assert st["basis_reason"] in md
        else:
            assert row[4].startswith("n/a")
        unit = st["unit"] or ""
        if n and unit.startswith("share"):  # the median: the smallest value with ECDF >= 1/2
            med = float(np.sort(value[applies])[math.ceil(n / 2) - 1])
            assert numbers(row[7])[0] == pytest.approx(100 * med, abs=0.05 + 1e-9), (t.id, row[7])
    assert simulated >= 3  # the check above ran on several targets
    # The demo is no seed plan: a clause it borrows is credited to the other plan, unlinked.
    assert rows["relief_within_10h"][2] == "another plan's clause (004_wenzhou_plan.txt#L433)"
    # The headline answers the question with the relief target's numbers.
    applies = np.isfinite(table["value.relief_within_10h"].to_numpy(dtype=float))
    ok = table["met.relief_within_10h"].to_numpy(dtype=bool)[applies]
    p, lo, hi = wilson_interval(int(ok.sum()), len(ok))
    head = md.split("## The scenario", 1)[0]
    said = re.search(r"P\(holds\) = ([\d.]+) \[([\d.]+), ([\d.]+)\]", head)
    assert said is not None
    assert [float(x) for x in said.groups()] == pytest.approx([p, lo, hi], abs=5e-4 + 1e-12)
    assert "**When it fails:**" in head and "**What would make it hold at 90%:**" in head


def test_report_sections_figures_and_provenance(demo_report: tuple[Path, dict[str, Any]]
                                                ) -> None:
    out, doc = demo_report
    md = (out / "report.md").read_text(encoding="utf-8")
    for heading in ("## The scenario and its hazard", "## Verdict",
                    "## Time to basic relief against the 10 h line",
                    "## Shelters and stock over time", "## When basic relief fails",
                    "## What would make it hold at 90%",
                    "## The assumptions that matter most", "## Every assumption in the scenario"):
        assert heading in md, heading
    for name in re.findall(r"!\[[^\]]*\]\(([^)]+)\)", md):
        assert (out / name).is_file() and (out / name).stat().st_size > 5000, name
    assert {"p_holds", "relief_time", "shelters", "stock"} <= set(doc["figures"])
    # Relief times: within-10-h runs agree with the relief target's verdicts.
    rel = doc["relief"]
    t = next(t for t in doc["study"]["targets"] if t["id"] == rel["target"])
    assert rel["within_hours"] + rel["runs_without_need"] == t["holds"]
    # Sensitivity rows carry each input's provenance and flag assumptions.
    sc = sim.load_scenario(DEMO)
    rows = [r for pt in doc["sensitivity"]["targets"] for r in pt["inputs"]]
    assert rows
    for r in rows:
        if r["source_kind"] != "randomness":
            assert r["source"] == provenance(sc, r["input"])
            assert r["source_kind"] == source_kind(r["source"])
    # Every assumption of the scenario is listed.
    listed = {a["text"] for a in doc["assumptions"]}
    assert listed == {a.text for a in assumptions(sc)}
    for a in assumptions(sc)[:5]:
        assert " ".join(a.text.split()) in md
    # What would make it hold: the demo has no levers file, and the report says which it sought.
    hold = doc["hold"]
    assert hold["status"] == "no_levers" and hold["plan"] is None
    assert hold["levers_file"].endswith("levers/demo_coastal_typhoon_levers.yaml")
    assert f"no levers file (`{hold['levers_file']}`" in md
    # Other readings of the plan: the demo relies on hosts relieving dispersed families, so
    # the report tries last-mile delivery on the same disasters, on the relief target.
    relief = [r for r in doc["readings"] if r["path"] == "response.logistics.dispersed_relief"
              and r["target"] == "relief_within_10h"]
    (rd,) = relief
    assert (rd["current"], rd["value"]) == ("hosts", "delivered")
    assert rd["difference"]["estimate"] == pytest.approx(rd["p_reading"] - rd["p_base"])
    assert 0.0 <= rd["p_study"] <= 1.0
    assert "**What the verdict rests on:**" in md
    # Its annual death target is also read per event, on the same runs: P(per event) is the
    # share of runs whose deaths per million, times the return period, stay under the ceiling.
    dt = next(t for t in sim.load_scenario(DEMO).targets if t.kind == "deaths_per_million")
    (ev,) = [r for r in doc["readings"] if r["target"] == dt.id]
    assert (ev["current"], ev["value"]) == ("year", "event")
    vals = run_study(DEMO, doc["study"]["runs"], SEED, workers=1, progress=False).table[
        f"value.{dt.id}"].to_numpy(dtype=float)
    assert ev["p_reading"] == pytest.approx(
        float(np.mean(vals * dt.return_period_years <= dt.max + 1e-9)))
    assert ev["p_reading"] <= ev["p_base"]  # the strict reading can only hold less often


def test_provenance_and_words() -> None:
    sc = sim.load_scenario(DEMO)
    # A distribution's own source, a per-field source, the entity's source.
    assert provenance(sc, "hazard.max_wind_ms") == sc.hazard.max_wind_ms.source  # type: ignore[union-attr]
    assert provenance(sc, "vehicles[county_trucks].count") == sc.vehicles[0].source
    assert provenance(sc, "response.evacuation.own_means_speed_kmh") == \
        sc.response.evacuation.sources["own_means_speed_kmh"]  # type: ignore[index]
    for path in sim.scenario.uncertain_inputs(sc):
        assert provenance(sc, path), path  # the demo sources every number
    with pytest.raises(KeyError):
        provenance(sc, "vehicles[nope].count")
    assert source_kind("assumption: x") == "assumption"
    assert source_kind("004_wenzhou_plan.txt#L1; assumption: y") == "partly assumed"
    assert source_kind("GB 21734-2008") == "cited" and source_kind(None) == "none"
    assert describe_input("vehicles[county_trucks].count") == "count of fleet county_trucks"
    assert describe_input("hazard.max_wind_ms") == "max wind (m/s) of the hazard"
    assert describe_input("stock_points[d].items.quilt") == "quilt stock of stock point d"
    paths = {p for a in assumptions(sc) for p in a.paths}
    assert "hazard.coast_bearing_deg" in paths and "hazard.max_wind_ms" not in paths


def test_metric_contrast_ranks_the_metric_that_differs() -> None:
    rng = np.random.default_rng(0)
    fails = rng.random(400) < 0.3
    table = pd.DataFrame({"metric.noise": rng.normal(size=400),
                          "metric.queue": np.where(fails, 5.0, 1.0) + rng.normal(size=400) * 0.1,
                          "metric.relief_p95_h": np.where(fails, 20.0, 5.0)})
    out = metric_contrast(table, fails)
    assert out[0]["metric"] == "queue" and out[0]["effect"] > 1
    assert all(r["metric"] != "relief_p95_h" for r in out)  # restates the target: left out
    assert metric_contrast(table, np.zeros(400, dtype=bool)) == []


@pytest.mark.parametrize("path", FILES, ids=[f.stem for f in FILES])
def test_every_scenario_runs_a_short_study(path: Path) -> None:
    st = run_study(path, 3, 1, workers=1, progress=False)
    sc = st.scenario
    assert st.runs == 3
    for t in sc.targets:
        v = st.table[f"value.{t.id}"].to_numpy(dtype=float)
        assert not np.isinf(v).any(), f"{t.id}: infinite value"  # finite or not applicable
    summ = st.summary(n_resamples=50)
    assert [t.id for t in summ.targets] == [t.id for t in sc.targets]
    if path.stem in PLAN_SCENARIOS:
        assert relief_target(sc) is not None, "every plan scenario has a basic-relief target"


def test_results_readme_compares_reports(demo_report: tuple[Path, dict[str, Any]],
                                         tmp_path: Path) -> None:
    demo_dir, demo_doc = demo_report
    results = demo_dir.parent
    flood = build_report(FLOOD, results / "demo_flash_flood", seed=1, budget=QUICK, workers=1,
                         progress=False, log=lambda m: None)
    out = write_readme(results, plans=("demo_coastal_typhoon", "demo_flash_flood",
                                       "not_a_scenario"), examples=())
    text = out.read_text(encoding="utf-8")
    for doc, name in ((demo_doc, "demo_coastal_typhoon"), (flood, "demo_flash_flood")):
        t = next(t for t in doc["study"]["targets"] if t["id"] == doc["relief"]["target"])
        row = next(line for line in text.splitlines() if f"({name}/report.md)" in line
                   and "Wilson" not in line and line.count("|") > 6)
        assert f"{t['p_holds']:.3f} [{t['ci_low']:.3f}, {t['ci_high']:.3f}]" in row
        assert f"{doc['study']['runs']:,}" in row
        for other in doc["study"]["targets"]:
            assert f"`{other['id']}`" in text or other["id"] == t["id"]
    assert "`scenarios/not_a_scenario.yaml`" in text
    # make_results skips scenario files that do not exist yet, with a message.
    said: list[str] = []
    readme, failed = make_results(tmp_path / "no_scenarios", tmp_path / "res",
                                  plans=("missing",), examples=(), budget=QUICK, workers=1,
                                  log=said.append)
    assert any("skipping" in m and "missing.yaml" in m for m in said) and not failed
    assert "`scenarios/missing.yaml`" in readme.read_text(encoding="utf-8")
    # An invalid scenario fails alone, with its reason in the README.
    (tmp_path / "sc").mkdir()
    (tmp_path / "sc" / "bad.yaml").write_text("name: bad\n", encoding="utf-8")
    readme, failed = make_results(tmp_path / "sc", tmp_path / "res2", plans=("bad", "missing"),
                                  examples=(), budget=QUICK, workers=1, log=said.append)
    assert list(failed) == ["bad"] and "invalid scenario" in failed["bad"]
    assert "`scenarios/bad.yaml`: the report failed: invalid scenario" in \
        readme.read_text(encoding="utf-8")
    with pytest.raises(ValueError, match="not a plan scenario"):
        make_results(tmp_path / "sc", tmp_path / "res2", plans=("bad",), examples=(),
                     only=["nope"], log=said.append)
    # A failed report is listed with its reason, and an old report of it is not used.
    again = write_readme(results, plans=("demo_coastal_typhoon", "demo_flash_flood"),
                         examples=(), failed={"demo_flash_flood": "a run failed: boom"})
    text = again.read_text(encoding="utf-8")
    assert "`scenarios/demo_flash_flood.yaml`: the report failed: a run failed: boom" in text
    assert "(demo_flash_flood/report.md)" not in text
