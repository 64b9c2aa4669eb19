"""The after-action report (issue 14 item 6): sim.exercise.review and sim.report.aar.

One exercise on the demo scenario is played once for the module (a small MSEL, two decisions,
one fork with an alternative) and its report written; the tests read what was written.
"""

from __future__ import annotations

import base64
import csv
import html
import json
import re
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from sim.exercise.review import ActionCheck, TargetCheck, _rating, review_exercise
from sim.exercise.session import Exercise
from sim.report.aar import build_blocks, render_markdown, write_aar

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "scenarios" / "demo_coastal_typhoon.yaml"

MSEL = """
name: demo_tabletop
name_zh: 演示桌面推演
scenario: ../demo_coastal_typhoon.yaml
objectives:
  - {id: coordination, capability: Operational Coordination}
  - {id: evacuation, capability: Critical Transportation,
     description: Move people at risk before landfall, description_zh: 登陆前转移危险区域人员}
  - {id: relief, capability: Logistics and Supply Chain Management}
roles:
  - {id: county_hq, name: County HQ, name_zh: 县防指}
  - {id: logistics, name: Relief supplies group, name_zh: 物资保障组}
injects:
  - number: "1"
    at_h: -20
    synopsis: Typhoon forecast
    message: {zh: 台风预计20小时后登陆。, en: Landfall expected in 20 h.}
    from: control
    to: county_hq
    expected_action: {id: convene, en: Convene a consultation, zh: 召开会商}
    objective: coordination
  - number: "2"
    at_h: -12
    synopsis: Evacuation ordered by the province
    message: {zh: 省防指要求转移沿海人员。, en: The province orders the coast evacuated.}
    from: control
    to: county_hq
    expected_action: {id: order_evacuation, en: Order the evacuation, zh: 下达转移命令}
    objective: evacuation
  - number: "3"
    at_h: -8
    synopsis: "Contingency: the coast has not moved"
    message: {zh: 沿海村民尚未转移。, en: Coastal villagers have not moved.}
    from: control
    to: county_hq
    objective: evacuation
    when_not: {action: order_evacuation, by_h: -10}
  - number: "4"
    at_h: -6
    synopsis: "Contingency: no consultation yet"
    message: {zh: 尚未会商。, en: No consultation has been held.}
    from: control
    to: county_hq
    expected_action: {id: escalate, en: Escalate to the city, zh: 报告市防指}
    objective: coordination
    when_not: {action: convene, by_h: -10}
  - number: "5"
    at_h: 4
    synopsis: Supplies arrive at the county depot
    message: {zh: 5000份食品运抵县储备库。, en: 5000 meals reach the county depot.}
    from: control
    to: logistics
    expected_action: {id: allocate, en: Allocate the meals to shelters, zh: 向安置点分配食品}
    objective: relief
    effect: {kind: add_stock, point: county_depot, items: {meal: 5000}}
"""


@pytest.fixture(scope="module")
def played(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    tmp = tmp_path_factory.mktemp("aar")
    msel = tmp / "demo_msel.yaml"
    msel.write_text(MSEL, encoding="utf-8")
    ex = Exercise.open(DEMO, msel, seed=2)
    ex.advance_to(-19)
    ex.decide(None, by="county_hq", action="convene")
    ex.advance_to(-7)
    ex.decide({"kind": "add_vehicles", "fleet": "harbour_buses", "count": 2}, by="county_hq",
              action="order_evacuation")
    ex.advance_to(4)
    ex.fork(2, {"kind": "add_vehicles", "fleet": "county_trucks", "count": 3})
    out = tmp / "out"
    paths = write_aar(ex, out)
    return {"ex": ex, "result": ex.finish(), "out": out, "paths": paths,
            "md": (out / "aar.md").read_text(encoding="utf-8"),
            "html": (out / "aar.html").read_text(encoding="utf-8"),
            "review": json.loads((out / "review.json").read_text(encoding="utf-8"))}


def _section(md: str, title: str) -> str:
    """From the heading naming ``title`` to the next section's heading."""
    m = re.search(rf"^#+ (\d+\. )?{re.escape(title)}", md, re.M)
    assert m is not None, title
    end = md.find("\n## ", m.end())
    return md[m.start():end if end >= 0 else None]


def _row(md: str, first: str) -> str:
    rows = [ln for ln in md.splitlines() if ln.startswith(f"| {first} |")]
    assert len(rows) == 1, (first, rows)
    return rows[0]


def test_writes_the_four_files_and_figures(played: dict[str, Any]) -> None:
    names = [p.name for p in played["paths"]]
    assert names[:4] == ["aar.md", "aar.html", "events.csv", "exercise.json"]
    assert {"people.png", "shelters.png", "stock.png", "relief.png", "fork_F1.png"} <= set(names)
    assert all(p.stat().st_size > 0 for p in played["paths"])
    record = json.loads((played["out"] / "exercise.json").read_text(encoding="utf-8"))
    assert [e["ref"] for e in record["log"]] == [e.ref for e in played["ex"].log]


def test_expected_actions_taken_late_missing_not_due(played: dict[str, Any]) -> None:
    status = {a["id"]: a for a in played["review"]["actions"]}
    assert status["convene"]["status"] == "taken"
    assert status["convene"]["taken_h"] == -19 and status["convene"]["by"] == "county_hq"
    assert status["order_evacuation"]["status"] == "late"     # after the contingency's -10 h
    assert status["order_evacuation"]["taken_h"] == -7
    assert status["order_evacuation"]["deadline_h"] == -10
    assert status["order_evacuation"]["contingency"] == "3"  # it fired at -8 h
    assert status["convene"]["contingency"] is None
    assert status["escalate"]["status"] == "not_due"  # convened in time: inject 4 never fired
    assert status["allocate"]["status"] == "missing"  # inject 5 delivered, nobody allocated
    md = _section(played["md"], "Expected against actual actions")
    assert "taken / 已采取" in _row(md, "1")
    assert "late / 延迟" in _row(md, "2") and "T-7 h" in _row(md, "2")
    assert "未触发" in _row(md, "4")
    assert "missing / 未采取" in _row(md, "5")


def test_targets_met_and_missed_are_the_runs(played: dict[str, Any]) -> None:
    run = played["result"].targets
    got = [(t["id"], t["met"]) for t in played["review"]["targets"]]
    assert got == [(t.id, bool(t.met)) for t in run]
    assert any(not t.met for t in run) and any(t.met for t in run)  # both kinds shown
    for t in run:
        row = _row(_section(played["md"], "Targets met or missed"), t.id)
        assert ("met / 达到" in row) == bool(t.met)
        assert ("MISSED / 未达到" in row) == (not t.met)


def test_areas_become_the_improvement_plan(played: dict[str, Any]) -> None:
    rv = played["review"]
    areas = [(o["id"], a["ref"]) for o in rv["objectives"] for a in o["areas"]]
    plan = [(i["objective"], i["ref"]) for i in rv["improvements"]]
    assert plan == areas
    assert ("evacuation", "order_evacuation") in plan and ("relief", "allocate") in plan
    owners = {i["ref"]: i["owner"] for i in rv["improvements"]}
    assert owners["order_evacuation"] == "county_hq" and owners["allocate"] == "logistics"
    coord = next(o for o in rv["objectives"] if o["id"] == "coordination")
    assert coord["rating"] == "P" and [s["ref"] for s in coord["strengths"]] == ["convene"]
    relief = next(o for o in rv["objectives"] if o["id"] == "relief")
    linked = {t["id"] for t in rv["targets"] if "relief" in t["objectives"]}
    kinds = {t.id: t.kind for t in played["result"].targets}
    assert linked == {i for i, k in kinds.items()
                      if k in ("relief_within", "stock_covers", "stock_covers_townships",
                               "supplies_in_place_within")}
    assert relief["rating"] in ("S", "M")  # an action is missing: never P
    evac = next(o for o in rv["objectives"] if o["id"] == "evacuation")
    late = next(a for a in evac["areas"] if a["ref"] == "order_evacuation")
    assert "contingency inject 3 fired" in late["en"] and "触发第3号条件注入" in late["zh"]
    loose = [t["id"] for t in rv["targets"] if not t["objectives"]]
    assert "shelter_area" in loose  # Mass Care is not an objective of this exercise
    outside = _section(played["md"], "Targets outside the objectives")
    assert all(f"- {t}: " in outside for t in loose)


def test_fork_said_with_and_without(played: dict[str, Any]) -> None:
    f = played["review"]["forks"][0]
    assert f["id"] == "F1" and f["t_h"] == 4 and f["futures"] == 2
    assert "F1 at T+4 h: 2 futures" in played["md"]
    assert "Alternative: " in played["md"] and "备选决策" in played["md"]
    relief = next(t for t in f["targets"] if t["id"] == "relief_within_10h")
    row = _row(_section(played["md"], "What the forks said"), "relief_within_10h")
    assert f"{relief['p']:.2f}" in row and f"{relief['diff']:+.2f}" in row
    summary = _section(played["md"], "Summary")
    assert (f"Fork F1 at T+4 h (2 futures): P(relief_within_10h) {relief['p']:.2f} "
            f"[{relief['lo']:.2f}, {relief['hi']:.2f}] without") in summary
    assert f"difference {relief['diff']:+.2f}" in summary and "差值" in summary


def test_html_is_self_contained_with_its_figures(played: dict[str, Any]) -> None:
    page = played["html"]
    assert not re.search(r"<script|<link|@import|url\(", page, re.I)
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", page, re.I)
    images = re.findall(r'<img [^>]*src="data:image/png;base64,([A-Za-z0-9+/=]+)"', page)
    pngs = [p for p in played["paths"] if p.suffix == ".png"]
    assert len(images) == len(pngs) == 5
    assert {base64.b64decode(s) for s in images} == {p.read_bytes() for p in pngs}
    assert page.count("<img") == len(images)


def test_events_csv_has_one_row_per_event(played: dict[str, Any]) -> None:
    with (played["out"] / "events.csv").open(encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    events = played["result"].events
    assert rows[0] == ["time_h", "event", "subject", "count"]
    assert len(rows) - 1 == len(events) > 100
    for row, (t, ev, subject, n) in zip(rows[1:], events, strict=True):
        assert (row[1], row[2], int(row[3])) == (ev, subject, n)
        assert float(row[0]) == pytest.approx(t, abs=1e-4)


def test_both_languages(played: dict[str, Any]) -> None:
    for text, esc in ((played["md"], str), (played["html"], html.escape)):
        for en, zh in (("Exercise overview", "演练概况"), ("Improvement plan", "改进计划"),
                       ("Expected against actual actions", "预期行动与实际行动"),
                       ("Targets met or missed", "预案目标达成情况")):
            assert en in text and zh in text
        for t in played["result"].targets:
            if t.clause_zh:
                assert esc(t.clause_zh) in text
        assert "下达转移命令" in text and "Order the evacuation" in text
        assert "县防指" in text and "County HQ" in text


def _action(status: str, taken: float | None = None) -> ActionCheck:
    return ActionCheck(id=status, en="x", zh="x", inject="1", inject_at_h=0.0, objective="o",
                       role="r", asked=status != "not_due", taken_h=taken, by=None,
                       deadline_h=None, status=status)


def _target(met: bool) -> TargetCheck:
    return TargetCheck(id="t", kind="relief_within", clause_en=None, clause_zh=None, value=0.5,
                       threshold=0.95, unit="share", comparison=">=", met=met, source=None,
                       note=None)


def test_rating_rules() -> None:
    assert _rating([_action("taken", 1.0)], [_target(True)]) == "P"
    assert _rating([_action("not_due")], []) == "P"
    assert _rating([_action("taken", 1.0), _action("late", 5.0)], [_target(True)]) == "S"
    assert _rating([_action("missing")], []) == "S"
    assert _rating([_action("taken", 1.0)], [_target(False)]) == "M"
    assert _rating([_action("missing")], [_target(False), _target(True)]) == "M"
    assert _rating([_action("missing")], [_target(False)]) == "U"


def test_review_without_msel_keeps_targets_and_timeline(played: dict[str, Any]) -> None:
    ex = played["ex"]
    rv = review_exercise(played["result"], None, ex.log, ex.forks)
    assert rv.actions == [] and rv.objectives == [] and rv.improvements == []
    assert [t.id for t in rv.targets] == [t.id for t in played["result"].targets]
    assert [e["t_h"] for e in rv.timeline] == sorted(e.t_h for e in ex.log)
    assert len(rv.other_decisions) == 2  # without an MSEL no decision fulfils an action


def test_report_without_msel_numbers_its_sections(played: dict[str, Any]) -> None:
    ex = played["ex"]
    rv = review_exercise(played["result"], None, ex.log, ex.forks)
    bare: Any = SimpleNamespace(scenario=ex.scenario, scenario_path=ex.scenario_path, msel=None,
                                msel_path=None, seed=ex.seed)
    md = render_markdown(build_blocks(bare, played["result"], rv, []))
    heads = re.findall(r"^## (\d+)\. (.*)$", md, re.M)
    assert [int(n) for n, _ in heads] == list(range(1, len(heads) + 1))
    titles = " ".join(t for _, t in heads)
    assert "Improvement plan" not in titles and "Strengths" not in titles
    assert "What the forks said" in titles
    other = _section(md, "Decisions outside the MSEL's expected actions")
    assert len(re.findall(r"^\| T[+-]", other, re.M)) == 2  # both, though no MSEL expects them


def test_zone_relief_adds_up_to_the_relief_target(played: dict[str, Any]) -> None:
    zones = played["review"]["zone_relief"]
    result = played["result"]
    assert sum(z["people"] for z in zones) == int(result.relief_n.sum()) > 0
    share = sum(z["people"] * z["within"] for z in zones) / sum(z["people"] for z in zones)
    target = next(t for t in result.targets if t.id == "relief_within_10h")
    assert share == pytest.approx(target.value, abs=1e-9)
    within = [z["within"] for z in zones]
    assert within == sorted(within)  # slowest first
    assert played["review"]["relief_hours"] == 10
    table = _section(played["md"], "Where basic relief was slowest")
    assert all(f"| {z['zone']} | {z['zone_zh']} |" in table for z in zones[:10])
