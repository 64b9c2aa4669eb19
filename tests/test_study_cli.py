"""The study commands: JSON output, and every user error as one line with exit status 2."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import sim
from tests.cli_helpers import sim_main
from tests.conftest import DEMO
from tests.study_helpers import (
    numbers,
    recomputed_verdicts,
    table_rows,
    tiny_scenario,
    wilson_interval,
    write_scenario,
)

# In this process (tests.cli_helpers): the exit status and the printed lines, as a user sees them.
sim_cmd = sim_main


LEVERS = """\
levers:
  - path: stock_points[county_depot].items.quilt
    step: 1000
    max_steps: 8
    cost_per_step: 150000
    source: "assumption: CNY 150 a quilt"
"""


@pytest.fixture(scope="module")
def tiny_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_scenario(tiny_scenario(), tmp_path_factory.mktemp("sc") / "tiny.yaml")


def test_study_json(tiny_file: Path) -> None:
    p = sim_cmd("study", str(tiny_file), "--runs", "30", "--seed", "3", "--workers", "1",
                "--json")
    assert p.returncode == 0, p.stderr
    doc = json.loads(p.stdout)
    assert doc["runs"] == 30 and doc["seed"] == 3
    ids = [t.id for t in sim.load_scenario(tiny_file).targets]
    assert [t["id"] for t in doc["targets"]] == ids
    for t in doc["targets"]:
        assert {"id", "p_holds", "ci_low", "ci_high", "runs"} <= set(t)
        assert t["runs"] == 30
        if t["applicable_runs"]:
            assert t["ci_low"] <= t["p_holds"] <= t["ci_high"]
        else:  # the target applied in no run: no probability to give
            assert t["p_holds"] is None
    # The same study from Python gives the same numbers.
    st = sim.study.run_study(tiny_file, 30, 3, workers=1, progress=False)
    assert [t.p_holds.to_dict()["estimate"] for t in st.summary().targets] == \
        [t["p_holds"] for t in doc["targets"]]


def test_study_table_output_and_figures(tiny_file: Path, tmp_path: Path) -> None:
    out = tmp_path / "s"
    p = sim_cmd("study", str(tiny_file), "--runs", "20", "--workers", "1", "--out", str(out),
                "--series")
    assert p.returncode == 0, p.stderr
    assert "P(holds)" in p.stdout and "Wilson" in p.stdout and str(out) in p.stdout
    # Every row, against the runs stored in the directory, read here with pandas alone.
    runs = pd.concat([pd.read_parquet(f) for f in sorted(out.glob("part-*.parquet"))])
    assert sorted(runs["run"]) == list(range(20))
    sc = sim.load_scenario(tiny_file)
    rows = table_rows(p.stdout, [t.id for t in sc.targets])
    assert list(rows) == [t.id for t in sc.targets]
    for t in sc.targets:
        _, p_cell, ci_cell, _basis, held, mean_cell = rows[t.id][:6]
        applies, met = recomputed_verdicts(runs, t)
        k, n = int(met[applies].sum()), int(applies.sum())
        assert held == f"{k}/{n}" + (f" ({20 - n} n/a)" if n < 20 else ""), (t.id, held)
        if not n:
            assert "n/a" in p_cell and ci_cell == "n/a", t.id
            continue
        est, lo, hi = wilson_interval(k, n)
        assert numbers(p_cell) == pytest.approx([est], abs=5e-4 + 1e-12), (t.id, p_cell)
        assert numbers(ci_cell) == pytest.approx([lo, hi], abs=5e-4 + 1e-12), (t.id, ci_cell)
        mean = float(np.mean(runs[f"value.{t.id}"].to_numpy(dtype=float)[applies]))
        assert numbers(mean_cell)[0] == pytest.approx(mean, rel=5e-3, abs=1e-9), (t.id, mean)
    f = sim_cmd("figures", str(out))
    assert f.returncode == 0, f.stderr
    assert {"p_holds.png", "relief_time.png", "shelters.png", "stock.png"} <= {
        x.name for x in (out / "figures").iterdir()}


def test_until_ci_reports_runs_used(tiny_file: Path) -> None:
    p = sim_cmd("study", str(tiny_file), "--runs", "50", "--until-ci", "0.06", "--workers", "1",
                "--json")
    assert p.returncode == 0, p.stderr
    doc = json.loads(p.stdout)
    assert doc["stop"]["reason"] == "precision" and doc["runs"] == doc["stop"]["runs"]
    assert all(t["half_width"] is None or t["half_width"] <= 0.06 for t in doc["targets"])


def test_compare_plan_sensitivity_discover(tiny_file: Path, tmp_path: Path) -> None:
    v = tmp_path / "more_quilts.yaml"
    v.write_text("stock_points[county_depot].items.quilt: {dist: uniform, low: 4000, "
                 "high: 12000}\n")
    p = sim_cmd("compare", str(tiny_file), "--variant", f"quilts={v}", "--set",
                "trucks:vehicles[county_trucks].count=3", "--runs", "40", "--workers", "1",
                "--json")
    assert p.returncode == 0, p.stderr
    doc = json.loads(p.stdout)
    assert set(doc["variants"]) == {"base", "quilts", "trucks"}
    d = next(x for x in doc["differences"]
             if x["variant"] == "quilts" and x["target"] == "stock_covers_county")
    assert d["p_holds"]["difference"]["estimate"] > 0
    p = sim_cmd("compare", str(tiny_file), "--set", "vehicles[county_trucks].count=3",
                "--runs", "20", "--workers", "1")
    assert p.returncode == 0 and "var removed by CRN" in p.stdout, p.stderr
    levers = tiny_file.parent / "levers.yaml"
    levers.write_text(LEVERS, encoding="utf-8")
    p = sim_cmd("plan", str(tiny_file), "--levers", str(levers), "--targets",
                "stock_covers_county", "--goal", "0.5", "--runs", "20", "--fresh-runs", "40",
                "--each-checks", "0", "--budget", "300", "--workers", "1", "--json")
    assert p.returncode == 0, p.stderr
    plan = json.loads(p.stdout)
    (alone,) = plan["per_target"]
    assert plan["plan"]["status"] in ("found", "already")
    assert plan["plan"]["answer"]["p_holds"]["low"] >= 0.5
    assert alone["answer"] == plan["plan"]["answer"]  # one target: the same answer
    p = sim_cmd("sensitivity", str(tiny_file), "--method", "morris", "--n", "2", "--workers",
                "1", "--target", "stock_covers_county")
    assert p.returncode == 0 and "stock_points[county_depot].items.quilt" in p.stdout, p.stderr
    p = sim_cmd("discover", str(tiny_file), "--runs", "100", "--workers", "1", "--target",
                "stock_covers_county")
    assert p.returncode == 0 and "coverage" in p.stdout, p.stderr


BAD: list[tuple[tuple[str, ...], str]] = [
    (("study", "{tiny}", "--runs", "0"), "--runs"),
    (("study", "nope.yaml", "--runs", "5"), "cannot read"),
    (("study", "{tiny}", "--until-ci", "0.7"), "until_ci"),
    (("study", "{tiny}", "--workers", "0"), "--workers"),
    (("study", "--resume", "{tmp}/nothing"), "holds no study"),
    (("study",), "missing scenario FILE"),
    (("study", "{tiny}", "--scheduler", "tcp://127.0.0.1:1", "--dask-local"), "not both"),
    (("study", "{tiny}", "--set", "vehicles[ghost].count=2"), "no item named 'ghost'"),
    (("study", "{tiny}", "--set", "zones[0].population=-3"), "zones[0].population"),
    (("compare", "{tiny}"), "at least one --variant"),
    (("compare", "{tiny}", "--variant", "oops"), "NAME=OVERRIDES.yaml"),
    (("compare", "{tiny}", "--variant", "v={tmp}/missing.yaml"), "cannot read"),
    (("compare", "{tiny}", "--variant", "bad name={tmp}/v.yaml"), "variant name"),
    (("compare", "{tiny}", "--variant", "v={tmp}/bad_value.yaml"), "bad_value.yaml:2:"),
    (("plan", "{tiny}", "--levers", "{tmp}/levers.yaml", "--targets", "nope"),
     "unknown target"),
    (("plan", "{tiny}"), "no levers file"),
    (("plan", "{tiny}", "--levers", "{tmp}/bad_levers.yaml", "--targets", "stock_covers_county"),
     "bad_levers.yaml:3: levers[0].step"),
    (("plan", "{tiny}", "--levers", "{tmp}/levers.yaml", "--goal", "1.5"), "--goal"),
    (("sensitivity", "{tiny}", "--method", "fast"), "method"),
    (("sensitivity", "{tiny}", "--n", "10"), "power of 2"),
    (("sensitivity", "{tiny}", "--target", "nope"), "unknown target"),
    (("discover",), "one of them"),
    (("discover", "--study", "{tmp}/nothing"), "holds no study"),
    (("figures", "{tmp}/nothing"), "holds no study"),
    (("report", "nope.yaml", "--out", "{tmp}/r"), "cannot read"),
    (("report", "{tiny}", "--out", "{tmp}/r", "--until-ci", "-1"), "until_ci"),
    (("results", "nosuch", "--out", "{tmp}/r"), "not a plan scenario"),
]


@pytest.mark.parametrize(("args", "needle"), BAD, ids=[" ".join(a[:2]) + f"-{i}"
                                                         for i, (a, _) in enumerate(BAD)])
def test_user_errors_are_one_line_with_status_2(args: tuple[str, ...], needle: str,
                                               tiny_file: Path, tmp_path: Path) -> None:
    (tmp_path / "v.yaml").write_text("vehicles[county_trucks].count: 3\n")
    (tmp_path / "bad_value.yaml").write_text("# a variant\nvehicles[county_trucks].count: -1\n")
    (tmp_path / "levers.yaml").write_text(LEVERS)
    (tmp_path / "bad_levers.yaml").write_text(LEVERS.replace("step: 1000", "step: 0"))
    argv = [a.format(tiny=tiny_file, tmp=tmp_path) for a in args]
    p = sim_cmd(*argv)
    assert p.returncode == 2, (p.returncode, p.stdout, p.stderr)
    lines = p.stderr.strip().splitlines()
    assert len(lines) == 1, p.stderr
    assert needle in lines[0], lines[0]
    assert "Traceback" not in p.stderr


def test_out_directory_in_use_or_taken(tiny_file: Path, tmp_path: Path) -> None:
    out = tmp_path / "s"
    assert sim_cmd("study", str(tiny_file), "--runs", "5", "--workers", "1", "--out",
                   str(out)).returncode == 0
    p = sim_cmd("study", str(tiny_file), "--runs", "5", "--workers", "1", "--out", str(out))
    assert p.returncode == 2 and "--resume" in p.stderr and len(p.stderr.splitlines()) == 1
    from sim.study import ResultStore

    with ResultStore.open(out):
        p = sim_cmd("study", "--resume", str(out), "--runs", "8", "--workers", "1")
    assert p.returncode == 2 and "in use" in p.stderr and len(p.stderr.splitlines()) == 1


def test_demo_study_command_runs() -> None:
    """The demo's table is consistent in itself: each P(holds) and interval is the one its
    held count gives, and held and not applicable runs add up to the runs."""
    p = sim_cmd("study", str(DEMO), "--runs", "8", "--seed", "7", "--workers", "1")
    assert p.returncode == 0, p.stderr
    ids = [t.id for t in sim.load_scenario(DEMO).targets]
    rows = table_rows(p.stdout, ids)
    assert list(rows) == ids
    counted = 0
    for tid in ids:
        _, p_cell, ci_cell, _basis, held = rows[tid][:5]
        k, n, *na = (int(x) for x in numbers(held))
        assert n + (na[0] if na else 0) == 8 and 0 <= k <= n, (tid, held)
        if n:
            counted += 1
            est, lo, hi = wilson_interval(k, n)
            assert numbers(p_cell) == pytest.approx([est], abs=5e-4 + 1e-12), (tid, p_cell)
            assert numbers(ci_cell) == pytest.approx([lo, hi], abs=5e-4 + 1e-12), (tid, ci_cell)
    assert counted >= 5
