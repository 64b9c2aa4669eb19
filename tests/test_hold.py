"""What would make it hold (sim.study.hold): per target and for the plan, from one search."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

from sim.cli import main
from sim.report.plan_markdown import hold_md
from sim.scenario.overrides import apply_overrides
from sim.scenario.schema import Scenario
from sim.study.hold import HoldSettings, hold_analysis, levers_file_for
from tests.test_search import DEMO, LEVERS

TARGETS = ["covers_600", "covers_1000"]


@pytest.fixture(scope="module")
def two_targets() -> Scenario:
    """The demo's county depot (1,000 meals, 1,000 L, 2,000 quilts) against two stock targets.

    Covering 600 people for a day takes 1,800 meals and 1,800 L: one step of meals (+1,000,
    cost 10) and one of water (+2,000, cost 20), 30 in all. Covering 1,000 takes 3,000 of
    each: two steps of meals and one of water, 40; the plan (both together) costs as much.
    """
    def target(tid: str, people: int) -> dict[str, Any]:
        return {"id": tid, "kind": "stock_covers", "people": people, "days": 1,
                "tiers": ["county"], "source": "assumption: a target built for the test"}

    return apply_overrides(DEMO, {
        "time.start_h": -1, "time.end_h": 1, "hazard.warning_lead_h": 0.5,
        "stock_points[county_depot].items": {"meal": 1000, "water_l": 1000, "quilt": 2000},
        "targets": [target("covers_600", 600), target("covers_1000", 1000)],
    })


@pytest.fixture(scope="module")
def hold(two_targets: Scenario, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    levers = tmp_path_factory.mktemp("levers") / "levers.yaml"
    levers.write_text(LEVERS, encoding="utf-8")
    settings = HoldSettings(goal=0.5, runs=1, fresh_runs=5, checks=2, each_checks=2, budget=73,
                            prune=12)
    return hold_analysis(two_targets, DEMO, TARGETS, {"covers_600": "Stock for 600"}, settings,
                         levers=levers, workers=1)


def test_answers_per_target_and_for_the_plan_are_the_known_cheapest(hold: dict[str, Any]
                                                                    ) -> None:
    assert hold["status"] == "searched" and hold["sampler"] == "brute"
    assert hold["candidates"] == hold["space_size"] == 36
    by = {a["target"]: a for a in hold["per_target"]}
    assert by["covers_600"]["status"] == "found"
    assert by["covers_600"]["answer"]["levels"] == [1, 1, 0, 0]
    assert by["covers_600"]["answer"]["cost"] == 30
    assert by["covers_1000"]["answer"]["levels"] == [2, 1, 0, 0]
    assert by["covers_1000"]["answer"]["cost"] == 40
    plan = hold["plan"]
    assert plan["status"] == "found" and plan["answer"]["levels"] == [2, 1, 0, 0]
    for a in (plan, *by.values()):
        ans = a["answer"]
        assert ans["phase"] == "fresh" and ans["runs"] == 5 and ans["held"] == 5
        assert ans["p_holds"]["low"] >= 0.5
    # the changes in plan terms, and the front of each answer from the same evaluations
    assert [c["path"] for c in by["covers_600"]["answer"]["changes"]] == [
        "stock_points[county_depot].items.meal", "stock_points[county_depot].items.water_l"]
    assert by["covers_600"]["answer"]["changes"][0]["change"] == "+1,000"
    assert [c["cost"] for c in by["covers_600"]["front"]] == [0, 30]
    assert [c["cost"] for c in plan["front"]] == [0, 40]
    # one search: the per-target P of every candidate is recorded once, for all answers
    assert all(set(e["per_target"]) == set(TARGETS) for e in hold["evaluated"])
    assert hold["runs_used"] == 36 + 2 * 5  # the two distinct answers, checked once each


def test_the_rendered_section_gives_every_answer(hold: dict[str, Any]) -> None:
    md = "\n".join(hold_md({"hold": hold, "budget": {"goal": 0.5}, "figures": {}}))
    rows = {line.split(" | ")[0]: line for line in md.splitlines() if line.startswith("| ")}
    plan = rows["| **the plan as a whole**"]
    assert "| 40 |" in plan and "1.000 [0.566, 1.000] (5 runs)" in plan
    assert "| 30 |" in rows["| Stock for 600 (`covers_600`)"]
    assert "| 40 |" in rows["| covers_1000 (`covers_1000`)"]
    assert "stock_points[county_depot].items.water_l" in md or "water" in plan


def test_no_levers_file_is_said(two_targets: Scenario, tmp_path: Path) -> None:
    doc = hold_analysis(two_targets, tmp_path / "nowhere.yaml", TARGETS, {}, HoldSettings())
    assert doc["status"] == "no_levers" and doc["plan"] is None
    assert doc["levers_file"].endswith("levers/nowhere_levers.yaml")
    assert levers_file_for("scenarios/fuzhou_flood.yaml") == Path(
        "scenarios/levers/fuzhou_flood_levers.yaml")


def test_cli_plan_bad_input_is_one_line(capsys: pytest.CaptureFixture[str],
                                        tmp_path: Path) -> None:
    levers = "scenarios/levers/fuzhou_flood_levers.yaml"
    for args, words in ((["--levers", levers, "--targets", "nope"], "--targets: unknown target"),
                        (["--levers", str(tmp_path / "none.yaml")], "no levers file"),
                        (["--levers", levers, "--goal", "1.5"], "--goal")):
        with pytest.raises(SystemExit) as ex:
            main(["plan", str(DEMO), *args])
        assert ex.value.code == 2
        err = capsys.readouterr().err.strip().splitlines()
        assert len(err) == 1 and words in err[0]


def test_spare_fresh_checks_go_to_the_cheapest_candidates_first(tmp_path: Path) -> None:
    """A target that holds unchanged is checked before a dearer candidate of another target."""
    from sim.study.search import FRESH_KEY, search
    from tests.test_search import _space

    space = _space(tmp_path, steps=1)  # (0, 0) costs 0, (1, 0) 10, (0, 1) 1, (1, 1) 11

    def evaluate(levels: Sequence[int], first: int, n: int) -> tuple[int, dict[str, int]]:
        key = tuple(levels)
        fresh = first >= FRESH_KEY
        # relief only at (1, 0) on the search runs, by luck (half of the fresh runs);
        # deaths everywhere but at (1, 0)
        a = 1.0 if key == (1, 0) and not fresh else 0.5 if key == (1, 0) else 0.2
        b = 0.0 if key == (1, 0) else 1.0
        per = {"relief_within_10h": round(a * n), "deaths_per_million": round(b * n)}
        return min(per.values()), per

    res = search(DEMO, space, ["relief_within_10h", "deaths_per_million"], 0.9, runs=10,
                 budget=600, fresh_runs=100, checks=2, each=True, each_checks=1,
                 evaluate=evaluate)
    deaths, relief = res.each["deaths_per_million"], res.each["relief_within_10h"]
    assert deaths.answer is not None and deaths.answer.levels == (0, 0)  # it already holds
    assert relief.answer is None and relief.unchecked == 1
    assert relief.ceiling is not None and relief.ceiling.levels == (1, 1)
    assert list(res.each) == ["relief_within_10h", "deaths_per_million"]


def test_cli_plan_study_of_the_plan_is_the_search_baseline(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    """``--targets plan`` finds the simulated targets on the search's own first runs: the
    search does not run the unchanged plan again, and those runs count in its budget."""
    import importlib
    import json

    search_mod = importlib.import_module("sim.study.search")  # the package names the function

    levers = tmp_path / "levers.yaml"
    levers.write_text(LEVERS, encoding="utf-8")
    ran: list[tuple[int, int]] = []
    inner = search_mod._run_rows

    def counted(sc: Any, seed: int, first: int, n: int, info: Any, targets: Any) -> Any:
        ran.append((first, n))
        return inner(sc, seed, first, n, info, targets)

    monkeypatch.setattr(search_mod, "_run_rows", counted)
    with pytest.raises(SystemExit) as ex:
        main(["plan", str(DEMO), "--levers", str(levers), "--runs", "2", "--fresh-runs", "3",
              "--checks", "1", "--each-checks", "0", "--budget", "16", "--prune", "0",
              "--workers", "1", "--json", "--no-progress"])
    assert ex.value.code == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["status"] == "searched" and doc["targets"]
    searched = sum(n for first, n in ran if first == 0)
    assert searched == 2 * (doc["candidates"] - 1)  # every candidate but the baseline
    assert doc["runs_used"] == searched + 2 + sum(n for first, n in ran if first > 0)
    assert doc["plan"]["p_now"] is not None and doc["plan"]["runs_now"] == 2


def _hold_doc(name: str) -> dict[str, Any]:
    import json

    root = Path(__file__).resolve().parents[1]
    doc: dict[str, Any] = json.loads(
        (root / "results" / name / "report.json").read_text(encoding="utf-8"))
    return doc


def test_an_answer_at_the_top_not_pruned_is_said_to_be_an_upper_bound() -> None:
    """Shicheng's answers for two targets are every lever at its top, never pruned: the table
    says so on their rows and a note says the cost is an upper bound, in both languages; an
    answer that was pruned (Fuzhou's) gets neither."""
    doc = _hold_doc("shicheng_flash_flood")
    top = doc["hold"]["plan"]["ceiling"]["levels"]
    at_top = [a["target"] for a in doc["hold"]["per_target"]
              if (a.get("answer") or {}).get("levels") == top]
    assert at_top == ["county_stock_three_townships", "warning_reach_90"]
    en, zh = "\n".join(hold_md(doc, "en")), "\n".join(hold_md(doc, "zh"))
    rows = [line for line in en.splitlines() if "every lever at its top, not pruned" in line]
    assert [r.split("(`")[1].split("`)")[0] for r in rows] == at_top
    assert ("The answer for `county_stock_three_townships` and `warning_reach_90` is every "
            "lever at its largest level, not pruned") in en
    assert "2 cheaper candidate(s)" in en and "upper bound" in en
    assert zh.count("所有措施取最大值，未经精简（见下）") == 2 and "费用上限" in zh
    fuzhou = _hold_doc("fuzhou_flood")
    assert any(a.get("pruning") for a in fuzhou["hold"]["per_target"])
    assert "not pruned" not in "\n".join(hold_md(fuzhou, "en"))
    assert "未经精简" not in "\n".join(hold_md(fuzhou, "zh"))
