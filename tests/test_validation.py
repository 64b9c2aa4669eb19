"""The validation framework: back-test files, their comparison, the closed-form checks, the page."""

from __future__ import annotations

import json
import math
import re
from pathlib import Path

import numpy as np
import pytest

import sim
from sim.cli import main
from sim.report.validation_markdown import _n
from sim.run import run
from sim.scenario.loader import ScenarioError
from sim.study.backtest import (
    FIGURES,
    Reported,
    compare_figure,
    load_backtest,
    miss_words,
    parse_backtest,
    run_backtest,
)
from sim.study.tasks import run_seed
from sim.study.validation import (
    check_littles_law,
    check_rescue_survival,
    extraction_records,
    hazard_checks,
    make_validation,
)
from tests.conftest import ROOT

EXAMPLE = ROOT / "tests" / "data" / "shicheng_2023_example_backtest.yaml"
BACKTESTS = ROOT / "validation" / "backtests"


# -- comparing a figure --------------------------------------------------------------------------
def test_verdicts_follow_the_record_against_the_5_95_interval() -> None:
    v = np.arange(101, dtype=float)  # 5th pct 5, median 50, 95th pct 95
    def cmp(**kw: float | None) -> str:
        return compare_figure("killed", Reported(source="s", **kw), v).verdict  # type: ignore[arg-type]

    assert cmp(value=50) == "inside" and cmp(value=5) == "inside" and cmp(value=95) == "inside"
    assert cmp(value=4) == "below" and cmp(value=96) == "above"
    assert cmp(value=None) == "no record"
    # a recorded range is inside when it meets the interval
    assert cmp(value=3, low=2, high=6) == "inside" and cmp(value=3, low=2, high=4) == "below"
    # bounds only: at least 100 is above, at most 3 below, 0 to 1000 inside
    assert cmp(value=None, low=100) == "above" and cmp(value=None, high=3) == "below"
    assert cmp(value=None, low=0, high=1000) == "inside"
    c = compare_figure("killed", Reported(value=25, source="s"), v)
    assert c.median == 50 and c.low == pytest.approx(5) and c.high == pytest.approx(95)
    assert c.ratio == pytest.approx(2.0)


def test_miss_words_give_the_factor() -> None:
    v = np.full(50, 120.0)
    c = compare_figure("killed", Reported(value=10, source="s"), v)
    assert c.verdict == "below" and "12x the record" in (miss_words(c) or "")
    c = compare_figure("killed", Reported(value=1200, source="s"), v)
    assert c.verdict == "above" and "1/10 of the record" in (miss_words(c) or "")
    c = compare_figure("killed", Reported(value=0, source="s"), v)
    assert c.ratio == math.inf and "the record is 0" in (miss_words(c) or "")
    c = compare_figure("killed", Reported(value=None, low=500, source="s"), v)
    assert c.ratio is None and "below the recorded at least 500" in (miss_words(c) or "")
    assert miss_words(compare_figure("killed", Reported(value=120, source="s"), v)) is None


# -- reading files -------------------------------------------------------------------------------
def _write(tmp_path: Path, text: str, name: str = "ev") -> Path:
    p = tmp_path / f"{name}.yaml"
    p.write_text(text.replace("SCEN", str(ROOT / "scenarios" / "shicheng_flash_flood.yaml")),
                 encoding="utf-8")
    return p


GOOD = """name: ev
title: {en: "An event"}
hazard: flood
date: "2023-05-21"
scenario: SCEN
runs: 10
observed:
  - {path: hazard.rain.total_mm, value: 80, source: "a bulletin"}
reported:
  killed: {value: 1, source: "a bulletin"}
"""


@pytest.mark.parametrize("old, new, line, where, says", [
    ("reported:\n  killed:", "reported:\n  deaths:", 10, "reported.deaths", "unknown figure"),
    ('date: "2023-05-21"', "date: 2023-05-21", 4, "date", "quoted date"),
    ("value: 80,", "value: -80,", 8, "hazard.rain.total_mm", ""),
    ("hazard.rain.total_mm", "hazard.rain.no_such", 8, "hazard.rain.no_such", "unknown key"),
    ("name: ev", "name: other", 1, "name", "file stem"),
    ("hazard: flood", "hazard: earthquake", 3, "hazard", "flood scenario"),
    ('killed: {value: 1, source: "a bulletin"}', "killed: {value: 1}", 10, "reported.killed.source",
     "required"),
    ("runs: 10", "runs: ten", 6, "runs", ""),
])
def test_bad_files_get_one_located_line(tmp_path: Path, old: str, new: str, line: int,
                                        where: str, says: str) -> None:
    assert old in GOOD
    p = _write(tmp_path, GOOD.replace(old, new))
    with pytest.raises(ScenarioError) as exc:
        load_backtest(p)
    first = exc.value.problems[0]
    assert first.file == str(p) and first.line == line and first.path == where, str(exc.value)
    assert says in first.message


def test_cli_refuses_a_bad_file_with_status_2(tmp_path: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    p = _write(tmp_path, GOOD.replace("reported:\n  killed:", "reported:\n  deaths:"))
    with pytest.raises(SystemExit) as exc:
        main(["backtest", str(p), "--runs", "2", "--workers", "1"])
    assert exc.value.code == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [f"{p}:10: reported.deaths: unknown figure; expected one of "
                   f"{', '.join(FIGURES)}"]
    assert "Traceback" not in "".join(err)


def test_observed_values_replace_the_scenarios_draws() -> None:
    bt, sc = load_backtest(EXAMPLE)
    assert bt.name == EXAMPLE.stem and bt.reported["evacuated"].value == 69
    assert sc.hazard.rain.total_mm == 77.8  # type: ignore[union-attr]
    base = sim.load_scenario(ROOT / "scenarios" / "shicheng_flash_flood.yaml")
    assert base.hazard.rain.total_mm != 77.8  # type: ignore[union-attr]
    _, ovs = parse_backtest(EXAMPLE.read_text(encoding="utf-8"), str(EXAMPLE))
    assert [(o.path, o.value, o.line) for o in ovs] == [("hazard.rain.total_mm", 77.8, 10)]


def test_backtest_compares_the_runs_it_made() -> None:
    res = run_backtest(EXAMPLE, runs=6, seed=3)
    again = run_backtest(EXAMPLE, runs=6, seed=3)
    _, sc = load_backtest(EXAMPLE)
    assert [c.figure for c in res.comparisons] == ["killed", "evacuated", "sheltered"]
    for c in res.comparisons:
        v = res.values[c.figure]
        # the values are the runs' own metrics, run i seeded SeedSequence(3, spawn_key=(i,))
        assert v[2] == run(sc, run_seed(3, 2)).metrics[FIGURES[c.figure]]
        assert np.array_equal(v, again.values[c.figure])  # same seed, same runs
        assert c.median == np.median(v)
        assert (c.low, c.high) == tuple(np.percentile(v, [5, 95]))
    doc = json.loads(json.dumps(res.to_dict(), default=str))
    assert doc["comparisons"][1]["reported"] == 69 and doc["comparisons"][0]["verdict"] == \
        "no record"


def test_cli_backtest_json(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["backtest", str(EXAMPLE), "--runs", "3", "--workers", "1", "--json"])
    assert exc.value.code == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["runs"] == 3 and {c["figure"] for c in doc["comparisons"]} == {
        "killed", "evacuated", "sheltered"}
    for c in doc["comparisons"]:
        assert c["verdict"] in ("inside", "below", "above", "no record")


# -- closed-form checks --------------------------------------------------------------------------
def test_hazard_checks_pass_and_catch_a_wrong_formula(monkeypatch: pytest.MonkeyPatch) -> None:
    assert all(c.passed for c in hazard_checks())
    import sim.hazards.flood as flood

    monkeypatch.setattr(flood, "gumbel_level", lambda t, loc, scale: loc + scale * math.log(t))
    failed = [c.name for c in hazard_checks() if not c.passed]
    assert failed == ["Gumbel 100-year level", "Gumbel location"]


def test_littles_law_on_a_run() -> None:
    r = run(sim.load_scenario(ROOT / "scenarios" / "demo_flash_flood.yaml"), 5)
    c = check_littles_law(r)
    assert c.passed, c
    assert c.simulated > 0 and c.tolerance < 0.3 * c.simulated


def test_extractions_match_the_rescue_counts() -> None:
    sc = sim.load_scenario(ROOT / "scenarios" / "demo_flash_flood.yaml")
    for seed in range(4):
        r = run(sc, seed)
        rec = extraction_records(r)
        if rec is None:
            continue
        hours, alive = rec
        assert alive.sum() == r.metrics["rescued_alive"]
        assert len(alive) - alive.sum() == r.metrics["rescued_dead"]
        assert np.all(hours > 0)


def test_rescue_survival_check_catches_a_kinder_curve(monkeypatch: pytest.MonkeyPatch) -> None:
    sc = sim.load_scenario(ROOT / "scenarios" / "demo_earthquake.yaml")
    assert check_rescue_survival(sc, runs=3).passed
    import sim.response.rescue as rescue

    real = rescue.survival
    monkeypatch.setattr(rescue, "survival", lambda h, p, a: min(1.0, real(h, p, a) + 0.15))
    assert not check_rescue_survival(sc, runs=3).passed


# -- the page (reduced form) ---------------------------------------------------------------------
def _folder() -> Path:
    return BACKTESTS if BACKTESTS.is_dir() and any(BACKTESTS.glob("*.yaml")) else EXAMPLE.parent


def test_validation_page_reduced(tmp_path: Path) -> None:
    folder = _folder()
    out = make_validation(folder, tmp_path / "validation.md", runs=4, reduced=True,
                          scenarios_dir=ROOT / "scenarios")
    assert out.problems == []  # every back-test file loads
    text = out.page.read_text(encoding="utf-8")
    files = sorted(folder.glob("*.yaml"))
    assert [r.backtest.name for r in out.results] == [f.stem for f in files]
    for r in out.results:
        assert f"`{r.backtest.name}`" in text
        png = tmp_path / "validation" / f"{r.backtest.name}.png"
        assert png.is_file() and png.read_bytes()[:4] == b"\x89PNG"
        assert f"(validation/{png.name})" in text
        # every reported figure of the file is on the page with its median, interval and verdict
        assert [c.figure for c in r.comparisons] == list(r.backtest.reported)
        for c in r.comparisons:
            row = next(line for line in text.splitlines()
                       if line.startswith(f"| {c.figure} (") and c.reported.words() in line
                       and f"| {_n(c.median)} |" in line)
            assert re.search(r"\| (inside|\*\*outside: record (below|above)\*\*.*|no record) \|",
                             row), row
            if c.verdict in ("below", "above"):
                assert (miss_words(c) or "x") in text
    assert all(c.passed for c in out.checks), [c for c in out.checks if not c.passed]
    names = {c.name for c in out.checks}
    assert {"Erlang C, 3 desks", "Little's law, demo_earthquake", "Holland: V(RMW) = V_max",
            "rescue survival, demo_earthquake"} <= names
    for c in out.checks:
        assert f"| {c.name} |" in text
    # the water scenarios against China's flood statistics: every record comparison is on the
    # page with its verdict (a miss is shown, not a failed test)
    assert {c.name.split(",")[0] for c in out.statistics} >= {
        "flood deaths per million affected", "flood injured (hospital) per death"}
    for c in out.statistics:
        row = next(line for line in text.splitlines() if line.startswith(f"| {c.name} |"))
        assert row.endswith("| inside |" if c.passed else "| **outside** |"), row


def test_validation_lists_a_file_that_does_not_load(tmp_path: Path) -> None:
    folder = tmp_path / "bt"
    folder.mkdir()
    bad = _write(folder, GOOD.replace("hazard: flood", "hazard: volcano"))
    with pytest.raises(SystemExit) as exc:
        main(["validation", "--backtests", str(folder), "--out", str(tmp_path / "v.md"),
              "--reduced", "--runs", "2", "--workers", "1", "--scenarios",
              str(tmp_path / "none")])
    assert exc.value.code == 2
    text = (tmp_path / "v.md").read_text(encoding="utf-8")
    assert "do not load" in text and f"{bad}:3: hazard" in text


def test_a_tuned_input_is_named_with_the_back_tests_that_judge_it(tmp_path: Path) -> None:
    from sim.report.validation_markdown import validation_page

    tuned = GOOD.replace("notes", "x") + (
        "tuned:\n  - {path: hazard.rain.total_mm, note: \"set from this storm\"}\n")
    a = run_backtest(_write(tmp_path, tuned, "ev"), runs=2)
    b = run_backtest(_write(tmp_path, GOOD.replace("name: ev", "name: other"), "other"), runs=2)
    text = validation_page([a, b], [], {}, engine="abc", command="sim validation")
    assert ("`hazard.rain.total_mm` (set from this storm); judged on other" in text)
    assert text.count("**Tuned inputs**") == 2 and "engine commit `abc`" in text
    alone = validation_page([a], [], {}, engine=None, command="sim validation")
    assert "no other back-test here judges it" in alone
    # a back-test of another scenario that has the input judges it too; one without it does not
    from sim.study.backtest import has_input

    assert has_input(a.scenario, "hazard.rain.total_mm")
    assert has_input(a.scenario, "zones[qinjiang].population")
    assert not has_input(a.scenario, "zones[nowhere].population")
    assert not has_input(a.scenario, "hazard.max_wind_ms")
