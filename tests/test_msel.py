"""The exercise MSEL: YAML and CSV files, located errors, contingency injects."""

from __future__ import annotations

import csv
import io
import math
from pathlib import Path

import pytest

from sim.cli import main
from sim.exercise import (
    Msel,
    check_msel,
    due_injects,
    load_msel,
    msel_to_csv,
    parse_msel_yaml,
)
from sim.exercise.decisions import load_decisions, msel_path
from sim.exercise.msel import scenario_path
from sim.interventions import AddStock, CloseRoads
from sim.run import run
from sim.scenario import ScenarioError, load_scenario
from sim.scenario.citations import check_citations
from sim.scenario.schema import Scenario

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "scenarios" / "exercises"
YAML_FILE = EXAMPLES / "wenzhou_typhoon_msel.yaml"
CSV_FILE = EXAMPLES / "wenzhou_typhoon_msel.csv"


@pytest.fixture(scope="module")
def wenzhou() -> Scenario:
    return load_scenario(ROOT / "scenarios" / "wenzhou_typhoon.yaml")


@pytest.fixture(scope="module")
def msel() -> Msel:
    return load_msel(YAML_FILE)


def _line_of(text: str, fragment: str) -> int:
    """The 1-based line of the only line of ``text`` containing ``fragment``."""
    hits = [i + 1 for i, line in enumerate(text.splitlines()) if fragment in line]
    assert len(hits) == 1, (fragment, hits)
    return hits[0]


def _one_problem(path: Path, scenario: Scenario | None = None) -> str:
    """Load ``path`` expecting exactly one located problem; return it as printed."""
    with pytest.raises(ScenarioError) as info:
        load_msel(path, scenario)
    assert len(info.value.problems) == 1, str(info.value)
    return str(info.value.problems[0])


def _yaml_variant(tmp_path: Path, old: str, new: str) -> tuple[Path, str]:
    text = YAML_FILE.read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    out = text.replace(old, new)
    f = tmp_path / "msel.yaml"
    f.write_text(out, encoding="utf-8")
    return f, out


def _csv_rows() -> list[list[str]]:
    return list(csv.reader(io.StringIO(CSV_FILE.read_text(encoding="utf-8"))))


def _write_csv(tmp_path: Path, rows: list[list[str]]) -> Path:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(rows)
    f = tmp_path / "msel.csv"
    f.write_text(buf.getvalue(), encoding="utf-8")
    return f


def _set_cell(rows: list[list[str]], number: str, column: str, value: str) -> int:
    """Set a cell of inject ``number``'s row; return the row's line in the file."""
    header = next(i for i, r in enumerate(rows) if r and r[0] == "number")
    col = rows[header].index(column)
    i = next(i for i, r in enumerate(rows) if i > header and r and r[0] == number)
    rows[i][col] = value
    return i + 1


# -- the example files -------------------------------------------------------------------------
def test_yaml_and_csv_load_to_the_same_msel(msel: Msel) -> None:
    from_csv = load_msel(CSV_FILE)
    assert from_csv == msel
    assert [i.number for i in from_csv.injects] == [i.number for i in msel.injects]
    # the CSV is what msel_to_csv writes from the YAML, so the two cannot drift apart
    assert CSV_FILE.read_text(encoding="utf-8") == msel_to_csv(msel)


def test_example_fits_wenzhou_and_cites_resolving_plan_lines(msel: Msel, wenzhou: Scenario
                                                             ) -> None:
    assert check_msel(msel, wenzhou) == []
    assert load_msel(YAML_FILE, wenzhou) == msel
    assert load_msel(CSV_FILE, wenzhou) == msel
    assert 8 <= len(msel.injects) <= 12
    assert sum(i.effect is not None for i in msel.injects) >= 3
    assert sum(i.when_not is not None for i in msel.injects) == 1
    assert all(i.source and "004_wenzhou_plan.txt#L" in i.source for i in msel.injects)
    assert all(i.message.zh and i.message.en for i in msel.injects)
    assert check_citations(YAML_FILE, clauses=False) == []


def test_an_effect_is_an_intervention_at_the_inject_time(msel: Msel) -> None:
    stock = msel.inject("3.2")
    assert isinstance(stock.effect, AddStock)
    assert stock.effect.at_h == stock.at_h == 6
    assert stock.effect.items == {"meal": 60000, "water_l": 120000}
    road = msel.inject("2.1")
    assert isinstance(road.effect, CloseRoads) and road.effect.at_h == 2


def test_cli_validates_an_msel(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    with pytest.raises(SystemExit) as code:
        main(["validate", "--msel", str(CSV_FILE)])
    assert code.value.code == 0
    assert "valid MSEL 'wenzhou_typhoon_tabletop'" in capsys.readouterr().out
    bad, text = _yaml_variant(tmp_path, "zone: pingyang,", "zone: atlantis,")
    with pytest.raises(SystemExit) as code:
        main(["validate", str(ROOT / "scenarios" / "wenzhou_typhoon.yaml"), "--msel", str(bad)])
    err = capsys.readouterr().err
    assert code.value.code == 2
    assert err == f"{bad}:{_line_of(text, 'atlantis')}: injects[11].effect.zone: unknown zone " \
                  "'atlantis'\n"


# -- located errors, YAML ----------------------------------------------------------------------
def test_duplicate_inject_number(tmp_path: Path) -> None:
    f, text = _yaml_variant(tmp_path, 'number: "1.2"', 'number: "1.1"')
    line = [i + 1 for i, s in enumerate(text.splitlines()) if 'number: "1.1"' in s][1]
    assert _one_problem(f) == (f"{f}:{line}: injects[1].number: duplicate inject number '1.1' "
                               "(first at injects[0])")


def test_inject_number_written_as_a_yaml_number(tmp_path: Path) -> None:
    f, text = _yaml_variant(tmp_path, 'number: "1.3"', "number: 1.30")
    got = _one_problem(f)
    assert got.startswith(f"{f}:{_line_of(text, 'number: 1.30')}: injects[2].number: write the "
                          "inject number as text in quotes")


def test_unknown_role(tmp_path: Path) -> None:
    f, text = _yaml_variant(tmp_path, "to: rescue_group\n    expected_action:\n      id: "
                            "request_air", "to: navy\n    expected_action:\n      id: request_air")
    assert _one_problem(f).startswith(f"{f}:{_line_of(text, 'to: navy')}: injects[5].to: "
                                      "unknown role 'navy'; declared: ")


def test_unknown_objective(tmp_path: Path) -> None:
    f, text = _yaml_variant(tmp_path, "objective: coordination\n", "objective: morale\n")
    assert _one_problem(f).startswith(f"{f}:{_line_of(text, 'objective: morale')}: "
                                      "injects[0].objective: unknown objective 'morale'")


def test_effect_naming_an_unknown_zone(tmp_path: Path, wenzhou: Scenario) -> None:
    f, text = _yaml_variant(tmp_path, "zone: wencheng_geo,", "zone: wencheng_hills,")
    assert load_msel(f).inject("2.1").effect is not None  # fine without a scenario
    assert _one_problem(f, wenzhou) == (f"{f}:{_line_of(text, 'wencheng_hills')}: "
                                        "injects[5].effect.zone: unknown zone 'wencheng_hills'")


def test_at_h_outside_the_scenario_window(tmp_path: Path, wenzhou: Scenario) -> None:
    f, text = _yaml_variant(tmp_path, "at_h: 24\n", "at_h: 96\n")
    assert _one_problem(f, wenzhou) == (
        f"{f}:{_line_of(text, 'at_h: 96')}: injects[11].at_h: at_h=96 is outside the scenario: "
        "the run lasts from time.start_h -36 to time.end_h 72 h")


def test_effect_kind_that_is_not_an_msel_effect(tmp_path: Path) -> None:
    f, text = _yaml_variant(tmp_path, "{kind: close_roads, zone: longwan, hours: 6}",
                            "{kind: branch, branch: 1}")
    got = _one_problem(f)
    assert got.startswith(f"{f}:{_line_of(text, 'kind: branch')}: injects[6].effect.kind: ")
    assert "'add_stock'" in got and "'close_roads'" in got


def test_effect_with_its_own_time(tmp_path: Path) -> None:
    f, text = _yaml_variant(tmp_path, "{kind: close_roads, zone: longwan, hours: 6}",
                            "{kind: close_roads, zone: longwan, hours: 6, at_h: 5}")
    assert _one_problem(f) == (f"{f}:{_line_of(text, 'at_h: 5}')}: injects[6].effect.at_h: an "
                               "effect happens at its inject's at_h (3); remove this at_h")


@pytest.mark.parametrize(("when_not", "field", "message"), [
    ("{action: evacuate_everyone, by_h: -8}", "action",
     "'evacuate_everyone' is not the expected action of another inject"),
    ("{action: order_evacuation, by_h: -5}", "by_h",
     "by_h=-5 is after the inject's at_h=-6: whether it is due must be known when it is due"),
    ("{action: order_evacuation, by_h: -11}", "by_h",
     "by_h=-11 is before inject 1.3 asks for 'order_evacuation' (at_h=-10)"),
])
def test_bad_contingency(tmp_path: Path, when_not: str, field: str, message: str) -> None:
    f, text = _yaml_variant(tmp_path, "{action: order_evacuation, by_h: -8}", when_not)
    assert _one_problem(f) == (f"{f}:{_line_of(text, 'when_not:')}: injects[3].when_not.{field}: "
                               f"{message}")


def test_unknown_key_and_missing_message(tmp_path: Path) -> None:
    f, text = _yaml_variant(tmp_path, "    synopsis: Pooled logistics", "    colour: red\n"
                            "    synopsis: Pooled logistics")
    assert _one_problem(f) == (f"{f}:{_line_of(text, 'colour: red')}: injects[9].colour: unknown "
                               "key (not part of the MSEL format; check its spelling)")
    text = YAML_FILE.read_text(encoding="utf-8")
    with pytest.raises(ScenarioError, match=r"<s>:\d+: injects\[0\]\.message\.en: required"):
        parse_msel_yaml(text.replace("      en: \"Provincial observatory", "      xx: \"P", 1),
                        "<s>")


@pytest.mark.parametrize("name", ["msel.yaml", "msel.csv"])
def test_non_utf8_bytes(tmp_path: Path, name: str) -> None:
    src = YAML_FILE if name.endswith(".yaml") else CSV_FILE
    data = src.read_text(encoding="utf-8").encode("utf-8")
    at = data.index("温州".encode())
    f = tmp_path / name
    f.write_bytes(data[:at] + "温州".encode("gbk") + data[at + 6:])  # a GBK-saved sheet
    line = data.count(b"\n", 0, at) + 1
    got = _one_problem(f)
    assert got.startswith(f"{f}:{line}: not UTF-8 text: byte 0x")
    assert got.endswith("(save the file as UTF-8)")


# -- located errors, CSV -----------------------------------------------------------------------
def test_bad_csv_cell(tmp_path: Path) -> None:
    rows = _csv_rows()
    line = _set_cell(rows, "2.2", "at_h", "six")
    f = _write_csv(tmp_path, rows)
    assert _one_problem(f) == f"{f}:{line}: column at_h: expected a number, got 'six'"


@pytest.mark.parametrize(("number", "column", "value", "message"), [
    ("3.3", "effect_count", "2.5", "Input should be a valid integer, got 2.5"),
    ("1.1", "message_en", "", "required field is missing"),
    ("1.1", "to", "navy", "unknown role 'navy'; declared: "),
    ("1.2", "number", "1.1", "duplicate inject number '1.1' (first at injects[0])"),
    ("3.2", "effect_kind", "add_stocks", "Input tag 'add_stocks' found using 'kind'"),
])
def test_csv_problems_name_the_row_and_column(tmp_path: Path, number: str, column: str,
                                              value: str, message: str) -> None:
    rows = _csv_rows()
    line = _set_cell(rows, number, column, value)
    got = _one_problem(_write_csv(tmp_path, rows))
    assert got.startswith(f"{tmp_path / 'msel.csv'}:{line}: column {column}: {message}")


def test_csv_effect_zone_checked_against_the_scenario(tmp_path: Path, wenzhou: Scenario) -> None:
    rows = _csv_rows()
    line = _set_cell(rows, "4.1", "effect_zone", "atlantis")
    f = _write_csv(tmp_path, rows)
    assert _one_problem(f, wenzhou) == f"{f}:{line}: column effect_zone: unknown zone 'atlantis'"


def test_csv_layout_problems(tmp_path: Path) -> None:
    rows = _csv_rows()
    header = next(i for i, r in enumerate(rows) if r and r[0] == "number")
    bad_header = [r[:] for r in rows]
    bad_header[header].append("colour")
    f = _write_csv(tmp_path, bad_header)
    assert _one_problem(f).startswith(f"{f}:{header + 1}: column colour: unknown column")
    long_row = [r[:] for r in rows]
    long_row[header + 2].append("extra")
    f = _write_csv(tmp_path, long_row)
    assert _one_problem(f) == (f"{f}:{header + 3}: {len(rows[header]) + 1} cells but "
                               f"{len(rows[header])} columns in the header (line {header + 1})")
    f = _write_csv(tmp_path, rows[:header])
    assert _one_problem(f) == (f"{f}:{header}: no header row: the inject table starts with a "
                               "row whose first cell is 'number'")
    meta = [r[:] for r in rows]
    meta.insert(1, ["exercise_date", "2026-07-01"])
    f = _write_csv(tmp_path, meta)
    assert _one_problem(f).startswith(f"{f}:2: unknown metadata row 'exercise_date'")
    obj = [r[:] for r in rows]
    i = next(i for i, r in enumerate(obj) if r and r[0] == "objective")
    obj[i] = ["objective", "warning"]
    f = _write_csv(tmp_path, obj)
    assert _one_problem(f) == f"{f}:{i + 1}: objective capability: required field is missing"


def test_csv_from_a_spreadsheet(tmp_path: Path, msel: Msel) -> None:
    """A byte-order mark, CRLF line ends, comments, blank rows and padded cells are accepted."""
    text = CSV_FILE.read_text(encoding="utf-8")
    rows = _csv_rows()
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(["# Wenzhou tabletop, kept by the exercise controller"])
    for r in rows:
        w.writerow([f" {c} " if c and not c.startswith("#") else c for c in r] + ["", ""])
    f = tmp_path / "sheet.csv"
    f.write_bytes(b"\xef\xbb\xbf" + buf.getvalue().encode("utf-8"))
    assert load_msel(f) == msel
    assert text.count("\n") == len(rows)


# -- contingency injects -----------------------------------------------------------------------
def test_due_injects_with_and_without_the_contingency_action(msel: Msel) -> None:
    before_landfall = ["1.1", "1.2", "1.3", "1.4", "1.5"]
    assert [i.number for i in due_injects(msel, 0, {})] == before_landfall
    taken_in_time = {"order_evacuation": -9.5, "issue_warning": -11.0}
    assert [i.number for i in due_injects(msel, 0, taken_in_time)] == ["1.1", "1.2", "1.3", "1.5"]
    assert [i.number for i in due_injects(msel, 0, {"order_evacuation": -8.0})] == [
        "1.1", "1.2", "1.3", "1.5"]  # at by_h itself is in time
    assert [i.number for i in due_injects(msel, 0, {"order_evacuation": -7.0})] == \
        before_landfall  # taken, but after by_h: the contingency still fires
    assert [i.number for i in due_injects(msel, -6.5, {})] == ["1.1", "1.2", "1.3"]
    assert [i.number for i in due_injects(msel, 7, {}, after_h=0)] == [
        "2.1", "2.2", "3.1", "3.2", "3.3"]
    assert [i.number for i in due_injects(msel, 72, {})] == [i.number for i in msel.injects]
    assert due_injects(msel, -30, {}) == []


def test_due_injects_in_time_order() -> None:
    text = YAML_FILE.read_text(encoding="utf-8").replace("at_h: -24\n", "at_h: 5\n")
    m = parse_msel_yaml(text)
    due = [i.number for i in due_injects(m, 5, {"order_evacuation": -9})]
    assert due == ["1.2", "1.3", "1.5", "2.1", "2.2", "3.1", "1.1"]


def test_csv_characters_and_quotes_that_cannot_be_read(tmp_path: Path) -> None:
    text = CSV_FILE.read_text(encoding="utf-8")
    line = _line_of(text, "1.2,-12,")
    f = tmp_path / "msel.csv"
    f.write_text(text.replace("1.2,-12,City", "1.2,-12,Ci\x00ty"), encoding="utf-8")
    assert _one_problem(f) == f"{f}:{line}: control character #x0000 in cell 3 is not allowed"
    f.write_text(text + '5.1,30,"an open quote\n', encoding="utf-8")
    assert _one_problem(f) == (f"{f}:{text.count(chr(10)) + 1}: not a readable CSV row: "
                               "unexpected end of data")
    rows = _csv_rows()
    line = _set_cell(rows, "2.1", "message_zh", "")
    _set_cell(rows, "2.1", "message_en", "")
    f = _write_csv(tmp_path, rows)
    assert _one_problem(f) == (f"{f}:{line}: columns message_zh, message_en: required field is "
                               "missing")


def test_effects_of_every_kind_through_yaml_and_csv(tmp_path: Path, wenzhou: Scenario) -> None:
    """The effects added for issue 14 item 2 load from YAML and round-trip through the CSV
    (a list of zones in one cell, a level written as a roman numeral)."""
    f, _ = _yaml_variant(tmp_path, "{kind: close_roads, zone: longwan, hours: 6}",
                         "{kind: order_evacuation, zones: [longwan, dongtou], share: 0.4}")
    text = f.read_text(encoding="utf-8").replace(
        "{kind: close_roads, zone: wencheng_geo, hours: 12}",
        "{kind: cut_link, a: lucheng, b: yongjia, hours: 12}")
    f.write_text(text, encoding="utf-8")
    msel = load_msel(f, wenzhou)
    kinds = [it.effect.kind for it in msel.injects if it.effect is not None]
    assert {"order_evacuation", "cut_link"} <= set(kinds)
    csv_text = msel_to_csv(msel)
    assert ",longwan dongtou," in csv_text
    g = tmp_path / "msel.csv"
    g.write_text(csv_text, encoding="utf-8")
    assert load_msel(g, wenzhou) == msel
    rows = list(csv.reader(io.StringIO(csv_text)))
    header = next(r for r in rows if r and r[0] == "number")
    rows = [r + [""] for r in rows]
    rows[rows.index(header + [""])][-1] = "effect_level"
    line = next(i for i, r in enumerate(rows) if "order_evacuation" in r)
    rows[line][header.index("effect_kind")] = "raise_response_level"
    rows[line][header.index("effect_zones")] = ""
    rows[line][header.index("effect_share")] = ""
    rows[line][-1] = "II"
    g = _write_csv(tmp_path, rows)
    level = next(it.effect for it in load_msel(g, wenzhou).injects
                 if it.effect is not None and it.effect.kind == "raise_response_level")
    assert getattr(level, "level", None) == 2


def test_csv_list_cell_problem_names_the_column(tmp_path: Path, wenzhou: Scenario) -> None:
    rows = _csv_rows()
    line = _set_cell(rows, "4.1", "effect_kind", "order_evacuation")
    for col in ("effect_zone", "effect_name", "effect_capacity"):  # it opened a shelter
        _set_cell(rows, "4.1", col, "")
    header = next(i for i, r in enumerate(rows) if r and r[0] == "number")
    width = len(rows[header])
    rows = [r + [""] * (width - len(r)) + ["", ""] if i >= header else r
            for i, r in enumerate(rows)]
    rows[header][-2:] = ["effect_zones", "effect_share"]
    rows[line - 1][-2:] = ["longwan atlantis", "0.5"]
    f = _write_csv(tmp_path, rows)
    assert _one_problem(f, wenzhou) == f"{f}:{line}: column effect_zones: unknown zone 'atlantis'"


PLAN_OF = {"wenzhou_typhoon": "004_wenzhou_plan.txt", "fuzhou_flood": "001_fuzhou_plan.txt",
           "jinjiang_typhoon": "000_jinjiang_plan.txt",
           "jincheng_earthquake": "003_jincheng_plan.txt",
           "shicheng_flash_flood": "002_shicheng_plan.txt"}


@pytest.mark.parametrize("name", sorted(PLAN_OF))
def test_every_msel_fits_its_scenario_cites_its_plan_and_acts(name: str) -> None:
    """Each plan's MSEL (scenarios/exercises/<scenario>_msel.yaml): valid against its scenario,
    every inject cited to its own plan's lines (resolving), bilingual, one contingency, and its
    effects all act in a run of the scenario."""
    path = EXAMPLES / f"{name}_msel.yaml"
    assert {p.name for p in EXAMPLES.glob("*_msel.yaml")} == {f"{n}_msel.yaml" for n in PLAN_OF}
    msel = load_msel(path)
    scenario_file = scenario_path(msel, path)
    assert scenario_file.name == f"{name}.yaml"
    sc = load_scenario(scenario_file)
    assert check_msel(msel, sc) == []
    assert check_citations(path, clauses=False) == []
    assert all(f"{PLAN_OF[name]}#L" in (i.source or "") for i in msel.injects)
    assert all(i.message.zh and i.message.en for i in msel.injects)
    assert sum(i.when_not is not None for i in msel.injects) == 1
    effects = [i.effect for i in msel.injects if i.effect is not None]
    assert len(effects) >= 3
    r = run(sc, 1, effects)
    assert [e[2] for e in r.events if e[1] == "intervention"] == [
        e.kind for e in sorted(effects, key=lambda e: e.at_h)]


@pytest.mark.parametrize("name", sorted(PLAN_OF))
def test_every_decision_script_fits_its_msel_scenario_and_plan(name: str) -> None:
    """Each plan's decision script (scenarios/exercises/<scenario>_decisions.yaml) loads against
    its own MSEL and scenario without playing (roles, expected actions, the decisions checked
    together), names only expected actions of that MSEL, gives every entry a source (its own
    plan's resolving lines or an assumption) and asks one fork."""
    path = EXAMPLES / f"{name}_decisions.yaml"
    assert {p.name for p in EXAMPLES.glob("*_decisions.yaml")} == {
        f"{n}_decisions.yaml" for n in PLAN_OF}
    m = msel_path(load_decisions(path), path)
    assert m == EXAMPLES / f"{name}_msel.yaml"
    sc = load_scenario(ROOT / "scenarios" / f"{name}.yaml")
    msel = load_msel(m, sc)
    script = load_decisions(path, sc, msel)
    expected = {i.expected_action.id for i in msel.injects if i.expected_action}
    named = {e.action for e in script.decisions if e.action}
    assert named <= expected
    assert len(named) >= len(expected) - 2  # most injects are answered
    assert all(e.source and (f"{PLAN_OF[name]}#L" in e.source or "assumption" in e.source)
               for e in script.decisions)
    assert check_citations(path, clauses=False) == []
    assert sum(e.fork is not None for e in script.decisions) == 1


def test_two_decision_scripts_leave_an_expected_action_late_or_untaken() -> None:
    """The after-action report has something to find: Fuzhou orders the evacuation after its
    contingency's deadline, Shicheng leaves the rotation of tired teams untaken; the others
    answer every inject in time (a contingency's own action counts only if it fires)."""
    found = {}
    for name in PLAN_OF:
        path = EXAMPLES / f"{name}_decisions.yaml"
        script = load_decisions(path)
        msel = load_msel(msel_path(script, path) or path)
        taken: dict[str, float] = {}
        for e in script.ordered():
            if e.action:
                taken.setdefault(e.action, e.at_h)
        late = [w.action for i in msel.injects if (w := i.when_not) is not None
                and taken.get(w.action, math.inf) > w.by_h]
        missing = [i.expected_action.id for i in msel.injects if i.expected_action
                   and i.when_not is None and i.expected_action.id not in taken]
        if late or missing:
            found[name] = (late, missing)
    assert found == {"fuzhou_flood": (["order_evacuation"], []),
                     "shicheng_flash_flood": ([], ["rotate_teams"])}
