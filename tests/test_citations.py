"""Every citation in a scenario or pack resolves inside the repository.

(a) every cited reference section (``par. §14``, ``jur. §5.5 E3``) exists in docs/reference;
(b) every plan-line citation names an existing line of an existing plan in scenarios/plans;
(c) a target citing a plan line finds its clause number (hours, minutes, km, m², townships,
    the per-million bound, a share the plan states) on that line, ±2 lines.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from sim.scenario.citations import (
    PRIMARY_FIELDS,
    Citation,
    check_all,
    check_citations,
    clause_checks,
    clause_number_findings,
    find_citations,
    number_stated,
    reference_sections,
    resolve,
)
from tests.conftest import ROOT

SCENARIOS = sorted((ROOT / "scenarios").glob("*.yaml"))
PACKS = sorted((ROOT / "scenarios" / "packs").glob("*.yaml"))
FILES = SCENARIOS + PACKS
REFERENCE = ROOT / "docs" / "reference"


def _targets(path: Path) -> list[dict[str, Any]]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return [t for t in (data.get("targets") or []) if isinstance(t, dict)]


# --- parsing ----------------------------------------------------------------------------------

def test_find_citations_reads_the_forms_the_scenarios_use() -> None:
    text = ("jur. §1.3, §1.5; jurisdictions.md §4.1-4.2 and parameters.md §10; GB 21734-2008 §5.4 "
            "(par. §14); jur. §1.5 E1-E5 and 003_jincheng_plan.txt#L949-L951, L1443 and "
            "#L952–956; see also L980")
    cites = find_citations(text)
    refs = [(c.page, c.section, c.events) for c in cites if c.kind == "reference"]
    assert refs == [("jurisdictions.md", "1.3", ()), ("jurisdictions.md", "1.5", ()),
                    ("jurisdictions.md", "4.1", ()), ("jurisdictions.md", "4.2", ()),
                    ("parameters.md", "10", ()), ("parameters.md", "14", ()),
                    ("jurisdictions.md", "1.5", ("E1", "E5"))]
    plans = [(c.page, c.lines) for c in cites if c.kind == "plan"]
    assert plans == [("003_jincheng_plan.txt", (949, 951)), ("003_jincheng_plan.txt", (1443, 1443)),
                     ("003_jincheng_plan.txt", (952, 956)), ("003_jincheng_plan.txt", (980, 980))]


def test_a_bare_line_belongs_to_the_plan_named_before_it() -> None:
    cites = find_citations("002_shicheng_plan.txt#L212 (also #L128) and 004_wenzhou_plan.txt#L433 "
                           "(#L436)")
    assert [(c.page, c.lines) for c in cites] == [
        ("002_shicheng_plan.txt", (212, 212)), ("002_shicheng_plan.txt", (128, 128)),
        ("004_wenzhou_plan.txt", (433, 433)), ("004_wenzhou_plan.txt", (436, 436))]
    orphan = find_citations("see #L12")
    assert orphan[0].page == "" and resolve(orphan[0]) is not None


def test_reference_pages_keep_the_cited_numbering() -> None:
    par = reference_sections(REFERENCE / "parameters.md")
    jur = reference_sections(REFERENCE / "jurisdictions.md")
    assert {str(i) for i in range(1, 15)} <= set(par)
    assert {"1", "1.5", "2.4", "3.5", "4.2", "5.5", "6"} <= set(jur)
    assert "六个百分百" in par["14"].text
    assert "**E3." in jur["5.5"].text and "Lekima" in jur["5.5"].text
    # a top-level section contains its subsections
    assert "### 5.5" in jur["5"].text and "## 6." not in jur["5"].text


@pytest.mark.parametrize("text", [
    "par. §99", "parameters.md §0", "jur. §5.9", "jurisdictions.md §99", "jur. §1.5 E9",
    "004_wenzhou_plan.txt#L9999", "004_wenzhou_plan.txt#L470-L480", "005_nowhere_plan.txt#L1",
])
def test_a_wrong_citation_does_not_resolve(text: str) -> None:
    cites = find_citations(text)
    assert cites and all(resolve(c) for c in cites), text


@pytest.mark.parametrize(("field", "value", "text", "stated"), [
    ("hours", 10, "确保灾害发生后10小时内受灾人员基本生活", True),
    ("hours", 10, "发生后受灾人员基本生活 10 小时内得到有效救助", True),
    ("hours", 1, "确保灾害发生后10小时内", False),
    ("hours", 12, "确保灾害发生后10小时内", False),
    ("minutes", 60, "辐射50公里，确保1小时到达", True),
    ("minutes", 120, "实现市内2小时内响应", True),
    ("minutes", 30, "半小时到达", True),
    ("minutes", 5, "“5分钟”快速到场", True),
    ("minutes", 30, "航空应急救援达到全市范围内30 分钟响应", True),
    ("radius_km", 50, "辐射50公里", True),
    ("share", 0.9, "覆盖率达到90%", True),
    ("share", 0.95, "覆盖率达到90％", False),
    ("min_m2", 1.5, "人均应急避难场所面积1.5平方米", True),
    ("min_m2", 1.5, "人均应急避难场所面积11.5平方米", False),
    ("townships", 3, "县级储备至少满足3个乡镇应急保障需要", True),
    ("townships", 3, "县级储备至少满足三个乡镇应急保障需要", True),
    ("townships", 3, "县级储备至少满足十三个乡镇", False),
    ("max", 1, "年均每百万人口因自然灾害死亡率\t≤(1)", True),
    ("max", 0.9, "<0.9", True),
    ("max", 0.9, "<1.3", False),
    ("people", 50000, "可应急安置人口5万人", True),
])
def test_number_stated(field: str, value: float, text: str, stated: bool) -> None:
    assert number_stated(field, value, text) is stated


# --- (a) and (b): every citation resolves -------------------------------------------------------

@pytest.mark.parametrize("path", FILES, ids=[f.stem for f in FILES])
def test_every_cited_reference_section_exists(path: Path) -> None:
    bad = [str(f) for f in check_citations(path) if f.kind == "reference"]
    assert not bad, "\n".join(bad)


@pytest.mark.parametrize("path", FILES, ids=[f.stem for f in FILES])
def test_every_plan_line_citation_names_a_line(path: Path) -> None:
    bad = [str(f) for f in check_citations(path) if f.kind == "plan"]
    assert not bad, "\n".join(bad)


def test_the_scenarios_cite_both_kinds() -> None:
    count, findings = check_all()
    assert not findings
    kinds = {c.kind for p in FILES for c in _all_citations(p)}
    assert kinds == {"reference", "plan"}
    assert count > 500


def _all_citations(path: Path) -> list[Citation]:
    from sim.scenario.citations import source_strings

    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return [c for _, t in source_strings(data) for c in find_citations(t)]


# --- (c): the clause's number is on its plan line ------------------------------------------------

@pytest.mark.parametrize("path", SCENARIOS, ids=[f.stem for f in SCENARIOS])
def test_cited_plan_line_states_the_clause_number(path: Path) -> None:
    _, findings = clause_number_findings(path)
    assert not findings, "\n".join(str(f) for f in findings)


def test_clause_checks_cover_the_plans_targets() -> None:
    """Each plan scenario has checked clauses, and every relief-time target is checked."""
    checked = 0
    for path in SCENARIOS:
        n, _ = clause_number_findings(path)
        checked += n
        if not path.stem.startswith("demo"):
            assert n > 0, f"{path.name}: no clause number checked"
        for t in _targets(path):
            if t.get("kind") == "relief_within" and any(
                    c.kind == "plan" for c in find_citations(t.get("source") or "")):
                fields = {c.field for c in clause_checks(t)}
                assert "hours" in fields, t["id"]
    assert checked >= 25


def _moved(source: str, to: int) -> str:
    return re.sub(r"(_plan\.txt)?#?L\d+(?:\s?[-–]\s?L?\d+)?", lambda m: f"{m.group(1) or ''}#L{to}",
                  source)


@pytest.mark.parametrize("path", SCENARIOS, ids=[f.stem for f in SCENARIOS])
def test_the_clause_check_fails_on_a_wrong_line(path: Path) -> None:
    """Moving a target's plan citations to the plan's title line makes its check fail.

    A primary number (the hours of a relief target) then shows as not stated; a number whose
    source also cites a reference section, or a secondary one, is no longer found either.
    """
    for t in _targets(path):
        before = clause_checks(t)
        if not before:
            continue
        moved = dict(t, source=_moved(t["source"], 1))
        after = {c.field: c.stated for c in clause_checks(moved)}
        has_reference = any(c.kind == "reference" for c in find_citations(t["source"]))
        for chk in before:
            assert after.get(chk.field) is not True, (path.name, t["id"], chk.field)
            if chk.field in PRIMARY_FIELDS.get(t["kind"], ("hours", "minutes")) \
                    and not has_reference:
                assert after[chk.field] is False, (path.name, t["id"], chk.field)


def test_wenzhou_relief_on_a_wrong_line_is_a_finding(tmp_path: Path) -> None:
    """The Wenzhou 10-hour clause is on L433; citing L425 (the previous paragraph) fails."""
    src = ROOT / "scenarios" / "wenzhou_typhoon.yaml"
    text = src.read_text(encoding="utf-8")
    good = "004_wenzhou_plan.txt#L433 (the share of 95 % is an assumption"
    assert good in text
    wrong = tmp_path / "wenzhou_typhoon.yaml"
    wrong.write_text(text.replace(good, good.replace("#L433", "#L425")), encoding="utf-8")
    _, findings = clause_number_findings(wrong)
    assert [f.problem for f in findings] == [
        "target relief_within_10h: hours 10 is not stated on the cited line(s) (±2)"]
    # the share of 95 % is the modeller's reading, so it is not looked for on the line
    assert all("share" not in f.problem for f in findings)
