"""``sim exercise``: a decision script played to the after-action report; the prompt; errors."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from tests.cli_helpers import sim_main
from tests.conftest import DEMO

MSEL = f"""
name: demo_tabletop
scenario: {DEMO}
objectives:
  - {{id: relief, capability: Logistics and Supply Chain Management}}
roles:
  - {{id: county_hq, name: County HQ}}
injects:
  - number: "1"
    at_h: -12
    synopsis: Order the evacuation
    message: {{zh: 下达转移命令, en: Order the evacuation}}
    from: control
    to: county_hq
    expected_action: {{id: order_evacuation, en: Order it}}
    objective: relief
  - number: "2"
    at_h: 2
    synopsis: Roads cut
    message: {{zh: 山区乡道路中断, en: Hill village roads cut}}
    from: control
    to: county_hq
    objective: relief
    effect: {{kind: close_roads, zone: hill_village, hours: 6}}
"""

DECISIONS = """
msel: msel.yaml
decisions:
  - at_h: -11
    by: county_hq
    action: order_evacuation
    note: ordered an hour after the inject
  - at_h: 4
    by: county_hq
    decision: {kind: add_vehicles, fleet: county_trucks, count: 3}
    fork: {futures: 3}
    source: "assumption: a test"
"""


@pytest.fixture
def files(tmp_path: Path) -> tuple[Path, Path]:
    (tmp_path / "msel.yaml").write_text(MSEL, encoding="utf-8")
    d = tmp_path / "decisions.yaml"
    d.write_text(DECISIONS, encoding="utf-8")
    return tmp_path / "msel.yaml", d


def test_decisions_out_writes_the_report_and_event_log(files: tuple[Path, Path],
                                                      tmp_path: Path) -> None:
    _, decisions = files
    out = tmp_path / "aar"
    r = sim_main("exercise", DEMO, "--decisions", decisions, "--seed", "3", "--out", out,
                 "--workers", "1")
    assert r.returncode == 0, r.stderr
    for name in ("aar.md", "aar.html", "events.csv", "exercise.json"):
        assert (out / name).stat().st_size > 0, name
    rec = json.loads((out / "exercise.json").read_text(encoding="utf-8"))
    assert rec["seed"] == 3 and rec["finished"] and len(rec["forks"]) == 1
    decided = [e for e in rec["log"] if e["kind"] == "decision"]
    assert [(e["t_h"], e["action"]) for e in decided] == [(-11, "order_evacuation"),
                                                         (4, None)]
    assert "[T+4.00 h] fork F1" in r.stdout and "P(holds)" in r.stdout
    assert "relief_within_10h" in r.stdout.split("targets at the end:")[1]
    lines = (out / "events.csv").read_text(encoding="utf-8").splitlines()
    assert len(lines) > 10


def test_bad_decision_script_is_one_located_line(files: tuple[Path, Path]) -> None:
    _, decisions = files
    decisions.write_text(DECISIONS.replace("count: 3", "count: -3"), encoding="utf-8")
    r = sim_main("exercise", DEMO, "--decisions", decisions)
    assert r.returncode == 2
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"{decisions}:10: decisions[1].decision"), \
        lines
    assert "Traceback" not in r.stderr


@pytest.mark.parametrize(("args", "message"), [
    (["--resume", "x.json", str(DEMO)], "--resume replays its own"),
    ([], "give a scenario file"),
])
def test_argument_errors(args: list[str], message: str) -> None:
    r = sim_main("exercise", *args)
    assert r.returncode == 2 and message in r.stderr and "Traceback" not in r.stderr


def test_unwritable_out_is_one_line_before_the_exercise_runs(files: tuple[Path, Path],
                                                             tmp_path: Path) -> None:
    _, decisions = files
    blocker = tmp_path / "a_file"
    blocker.write_text("", encoding="utf-8")
    r = sim_main("exercise", DEMO, "--decisions", decisions, "--out", blocker / "aar")
    assert r.returncode == 2 and "Traceback" not in r.stderr
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and f"--out {blocker / 'aar'}: not a directory" in lines[0], lines
    assert r.stdout == ""  # refused before any of the exercise was played


def test_prompt_steps_decides_saves_and_resumes(files: tuple[Path, Path], tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    msel, _ = files
    save = tmp_path / "saved.json"
    monkeypatch.setattr("sys.stdin", io.StringIO(
        "next\nact order_evacuation by=county_hq\nto 4\n"
        "decide add_vehicles fleet=county_trucks count=2 note='two more'\n"
        f"save {save}\nquit\n"))
    r = sim_main("exercise", DEMO, "--msel", msel, "--seed", "3", "--prompt")
    assert r.returncode == 0, r.stderr
    assert "inject 1 (county_hq)" in r.stdout and "saved to" in r.stdout
    monkeypatch.setattr("sys.stdin", io.StringIO("status\nquit\n"))
    r2 = sim_main("exercise", "--resume", save, "--prompt")
    assert r2.returncode == 0, r2.stderr
    assert "T+4.00 h (run -36 .. 72 h)" in r2.stdout
    bad = tmp_path / "bad.json"
    bad.write_text("{}", encoding="utf-8")
    r3 = sim_main("exercise", "--resume", bad)
    assert r3.returncode == 2 and "not a saved exercise" in r3.stderr
