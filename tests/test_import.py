"""A county's own scenario: ``sim new`` skeletons and ``sim import`` from spreadsheets."""

from __future__ import annotations

from pathlib import Path

import pytest
from cli_helpers import sim_main
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.run import run
from sim.scenario import parse_scenario
from sim.scenario.provenance import assumptions
from sim.scenario.skeleton import HAZARDS, PLACEHOLDER, skeleton_text


# -- sim new -------------------------------------------------------------------------------------
@pytest.mark.parametrize("hazard", HAZARDS)
def test_skeleton_validates_and_runs_with_people_to_relieve(hazard: str) -> None:
    sc = parse_scenario(skeleton_text(hazard, "county"), "county.yaml")  # type: ignore[arg-type]
    assert sc.hazard.type == hazard
    r = run(sc, seed=1)
    assert {t.id for t in r.targets} == {"relief_within_10h", "shelter_area"}
    # The hazard reaches the made-up county: somebody needs relief and gets it.
    relief = next(t for t in r.targets if t.id == "relief_within_10h")
    assert relief.value is not None and 0 < relief.value <= 1
    texts = [a.text for a in assumptions(sc)]
    assert sum(PLACEHOLDER in t for t in texts) >= 10


def test_sim_new_writes_the_skeleton_and_lists_placeholders_first(tmp_path: Path) -> None:
    out = tmp_path / "my county.yaml"
    r = sim_main("new", out, "--hazard", "flood")
    assert r.returncode == 0, r.stderr
    sc = parse_scenario(out.read_text(encoding="utf-8"), str(out))
    assert sc.name == "my_county" and sc.hazard.type == "flood"
    listed = [ln for ln in r.stdout.splitlines() if ln.startswith("  ")]
    n_placeholder = sum(PLACEHOLDER in ln for ln in listed)
    assert n_placeholder >= 10
    assert all(PLACEHOLDER in ln for ln in listed[:n_placeholder])  # placeholders first
    assert any("hazard.water" in ln for ln in listed)  # the pack's assumptions too
    # comments explain the blocks and their units
    text = out.read_text(encoding="utf-8")
    assert "# Shelters (避灾点" in text and "usable area (m2)" in text


def test_sim_new_refuses_an_existing_file_a_bad_hazard_and_a_bad_name(tmp_path: Path) -> None:
    out = tmp_path / "x.yaml"
    out.write_text("keep me", encoding="utf-8")
    r = sim_main("new", out)
    assert r.returncode == 2 and "exists already" in r.stderr
    assert out.read_text(encoding="utf-8") == "keep me"
    r = sim_main("new", tmp_path / "y.yaml", "--hazard", "volcano")
    assert r.returncode == 2 and "typhoon, flood, earthquake" in r.stderr
    r = sim_main("new", tmp_path / "z.yaml", "--name", "a b")
    assert r.returncode == 2 and "--name" in r.stderr and "Traceback" not in r.stderr
    assert not (tmp_path / "y.yaml").exists() and not (tmp_path / "z.yaml").exists()


# -- sim import ----------------------------------------------------------------------------------
def _county() -> dict[str, list[list[object]]]:
    """A small county as its offices keep it: a title row, Chinese and English headers."""
    return {
        "乡镇": [
            ["XX县乡镇一览表"],
            ["名称", "中文名", "人口(人)", "户数(万户)", "经度", "纬度", "转移比例", "来源"],
            ["seaside", "海滨镇", 30000, 1.1, 120.69, 27.60, "20%", "census 2020"],
            ["东山镇", None, 52000, 1.9, 120.58, 27.66, 0.05, "census 2020"],
            ["hills", "山区乡", 7000, 0.25, 120.45, 27.74, 0.1, "census 2020"],
            ["合计", None, 89000, 3.25, None, None, None, None],
        ],
        "shelters": [
            ["name", "zone", "usable_area_m2", "capacity", "opening_delay_h", "棉被", "source"],
            ["seaside_school", "seaside", 3000, 1800, "{dist: uniform, low: 1, high: 3}", 100,
             "shelter list 2024"],
            ["east_gym", "东山镇", 5000, 3000, 2, None, "shelter list 2024"],
            ["hills_hall", "hills", 800, 450, 3, None, "shelter list 2024"],
        ],
        "储备点": [
            ["名称", "层级", "所在乡镇", "方便食品", "饮用水", "棉被"],
            ["county_store", "县级", "东山镇", 40000, 40000, 5000],
            ["seaside_store", "乡镇", "seaside", 5000, 5000, 1000],
        ],
        "vehicles": [
            ["name", "kind", "base", "count", "载重(吨)", "capacity_persons", "source"],
            ["trucks", "货车", "county_store", 4, 5, None, "transport bureau list"],
            ["buses", "bus", "seaside", 3, None, 45, "transport bureau list"],
        ],
        "teams": [
            ["name", "类型", "驻地", "人数", "技能", "来源", "联系电话"],
            ["fire_east", "消防救援", "东山镇", 30, "救援", "fire brigade", "12345"],
            ["seaside_team", "乡镇半专业", "海滨镇", 30, "救援、场所管理", "township list", ""],
        ],
        "sources": [["sheet", "column", "source"],
                    ["储备点", None, "county reserve ledger 2024-06"]],
    }


def _xlsx(path: Path, sheets: dict[str, list[list[object]]]) -> Path:
    import openpyxl

    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for title, rows in sheets.items():
        ws = wb.create_sheet(title)
        for r in rows:
            ws.append(r)
    wb.save(path)
    return path


def _csv(directory: Path, sheets: dict[str, list[list[object]]]) -> Path:
    import csv

    directory.mkdir()
    for title, rows in sheets.items():
        with open(directory / f"{title}.csv", "w", newline="", encoding="utf-8-sig") as f:
            csv.writer(f).writerows([["" if v is None else v for v in r] for r in rows])
    return directory


def test_a_county_workbook_imports_validates_and_runs_a_study(tmp_path: Path) -> None:
    pytest.importorskip("openpyxl")
    from sim.cli import DEMO
    from sim.scenario.importer import import_county
    from sim.study.runner import run_study

    im = import_county(_xlsx(tmp_path / "county.xlsx", _county()), DEMO)
    sc = im.scenario
    assert [z.name for z in sc.zones] == ["seaside", "东山镇", "hills"]
    assert sc.zones[0].evacuation_share == 0.2 and sc.zones[0].source == "census 2020"
    assert [z.households for z in sc.zones] == [11000, 19000, 2500]  # 户数(万户)
    assert sc.stock_points[0].tier == "county" and sc.stock_points[1].tier == "township"
    assert sc.stock_points[0].source == "county reserve ledger 2024-06"  # the sheet's default
    assert sc.stock_points[0].items["meal"] == 40000  # 方便食品 is the base's meal
    assert sc.vehicles[0].kind == "truck" and sc.vehicles[0].capacity_kg == 5000  # 5 t
    assert sc.teams[1].skills == ["rescue", "shelter_management"]
    assert sc.teams[1].base == "seaside"  # given as 海滨镇, the zone's Chinese name
    assert sc.shelters[0].prepositioned == {"quilt": 100}
    assert any("联系电话" in w for w in im.warnings)  # a column left out, said so
    assert any("row 6: a totals row (合计)" in w for w in im.warnings)  # not a zone
    # the base's supplies now arrive at the county's own depot; its hospitals are gone
    assert {s.deliver_to for s in sc.supplies} == {"county_store"}
    assert sc.hospitals == [] and sc.roads is None
    assert any(n.startswith("targets[air_one_hour]: the county has none") for n in im.notes)
    # the written file is the same scenario
    again = parse_scenario(im.yaml_text(), "county.yaml")
    assert again.model_dump() == sc.model_dump()
    study = run_study(sc, runs=10, seed=1, workers=1)
    relief = next(t for t in study.summary().targets if t.id == "relief_within_10h")
    assert relief.applicable == 10 and relief.value.mean.estimate > 0.5
    # the inherited assumptions are the base's, none of the sheets' rows
    lines = im.assumption_lines()
    assert lines and not any(ln.lstrip().startswith(("zones[", "shelters[", "teams["))
                             for ln in lines)
    assert any("hazard." in ln for ln in lines)


def test_csv_directory_gives_the_same_scenario_as_the_workbook(tmp_path: Path) -> None:
    pytest.importorskip("openpyxl")
    from sim.cli import DEMO
    from sim.scenario.importer import import_county

    a = import_county(_xlsx(tmp_path / "county.xlsx", _county()), DEMO, name="c")
    b = import_county(_csv(tmp_path / "county", _county()), DEMO, name="c")
    skip = {"title", "description"}  # they name the spreadsheet
    assert a.scenario.model_dump(exclude=skip) == b.scenario.model_dump(exclude=skip)
    assert b.scenario.zones[0].name_zh == "海滨镇"  # UTF-8 with the BOM Excel writes


def _errors(tmp_path: Path, sheets: dict[str, list[list[object]]]) -> list[str]:
    out = tmp_path / "out.yaml"
    r = sim_main("import", _xlsx(tmp_path / "county.xlsx", sheets), "--out", out)
    assert r.returncode == 2 and "Traceback" not in r.stderr and not out.exists()
    return [ln for ln in r.stderr.splitlines() if not ln.startswith("warning:")]


def test_bad_cells_are_one_located_line_each(tmp_path: Path) -> None:
    pytest.importorskip("openpyxl")
    sheets = _county()
    sheets["乡镇"][3][2] = "abc"                     # row 4: population
    sheets["乡镇"][4][7] = None                      # row 5: no source
    sheets["vehicles"][2][1] = "tank"                # row 3: kind
    sheets["teams"][1][3] = 12.5                     # row 2: headcount
    xlsx = str(tmp_path / "county.xlsx")
    assert _errors(tmp_path, sheets) == [
        f"{xlsx}: sheet 乡镇, row 4, column 人口(人): expected a whole number, got 'abc'",
        f"{xlsx}: sheet 乡镇, row 5, column source: every row needs a source (a plan line, a "
        "public reference, or 'assumption: <reason>'), or a default for the sheet in a sources "
        "sheet",
        f"{xlsx}: sheet vehicles, row 3, column kind: expected one of ambulance, boat, bus, "
        "helicopter, truck (or their Chinese names), got 'tank'",
        f"{xlsx}: sheet teams, row 2, column 人数: expected a whole number, got '12.5'",
    ]


def test_problems_the_schema_finds_point_at_their_sheet_row_and_column(tmp_path: Path) -> None:
    pytest.importorskip("openpyxl")
    sheets = _county()
    sheets["乡镇"][2][3] = 4                         # row 3: more households than people
    sheets["shelters"][3][1] = "nowhere"            # row 4: an unknown zone
    sheets["vehicles"][1][2] = "seaside"            # row 2: a truck based in a zone
    lines = _errors(tmp_path, sheets)
    assert len(lines) == 3, lines
    # in the workbook's order of sheets and rows
    assert lines[0].endswith("sheet 乡镇, row 3, column 户数(万户): more households (40000) than "
                             "people (30000)")
    assert lines[1].endswith("sheet shelters, row 4, column zone: unknown zone 'nowhere'; "
                             "expected one of ['hills', 'seaside', '东山镇']")
    assert "sheet vehicles, row 2, column base: a truck's base must be a stock point" in lines[2]
    # a field the schema refuses (checked before the cross-references)
    sheets = _county()
    sheets["储备点"][2][3] = -5
    (tmp_path / "county.xlsx").unlink()
    assert _errors(tmp_path, sheets) == [f"{tmp_path / 'county.xlsx'}: sheet 储备点, row 3, "
                                         "column 方便食品: expected a value >= 0, got -5.0"]


def test_sheet_level_problems_name_the_sheet(tmp_path: Path) -> None:
    pytest.importorskip("openpyxl")
    sheets = _county()
    sheets["vehicles"][0][4] = "载重(箱)"             # a unit nobody can convert
    del sheets["sources"]                           # the stock points lose their default
    sheets["teams"][0] = ["name", "类型", "驻地", "来源"]  # no headcount column
    for r in sheets["teams"][1:]:
        del r[3:5]
    lines = _errors(tmp_path, sheets)
    assert any("sheet 储备点, column source: every row needs a source" in ln for ln in lines)
    assert any("sheet vehicles, row 1, column 载重(箱): unit '箱' not understood for "
               "capacity_kg; accepted: kg, 公斤, 千克, t, 吨" in ln for ln in lines)
    assert any("sheet teams, column headcount: required column is missing" in ln
               for ln in lines)


def test_a_formula_without_a_saved_value_is_explained(tmp_path: Path) -> None:
    pytest.importorskip("openpyxl")
    sheets = _county()
    sheets["乡镇"][2][2] = "=20000+10000"  # openpyxl saves no value: never opened in Excel
    lines = _errors(tmp_path, sheets)
    assert lines == [f"{tmp_path / 'county.xlsx'}: sheet 乡镇, row 3, column 人口(人): formula "
                     "without a saved value (open and save the workbook in a spreadsheet "
                     "program: sim reads saved values only)"]


def test_sim_import_writes_a_runnable_file_and_fits_a_distant_county(tmp_path: Path) -> None:
    pytest.importorskip("openpyxl")
    sheets = _county()
    for row in sheets["乡镇"][2:5]:     # the same county 400 km to the south-west
        row[4] = float(row[4]) - 3.0     # type: ignore[arg-type]
        row[5] = float(row[5]) - 1.5     # type: ignore[arg-type]
    sheets["links"] = [["起点", "终点", "里程(公里)", "类型", "来源"],
                       ["seaside", "东山镇", 15, "桥梁", "county road atlas"],
                       ["东山镇", "hills", 18, None, "county road atlas"]]
    out = tmp_path / "county.yaml"
    r = sim_main("import", _xlsx(tmp_path / "county.xlsx", sheets), "--out", out)
    assert r.returncode == 0, r.stderr
    assert "hazard.landfall: moved" in r.stdout and "assumptions it inherits" in r.stdout
    sc = parse_scenario(out.read_text(encoding="utf-8"), str(out))
    assert sc.roads is not None and sc.roads.links[0].kind == "bridge"
    assert sc.roads.damage is not None  # the base's road fragility, inherited
    landfall = sc.hazard.landfall  # type: ignore[union-attr]
    assert abs(landfall.lon - (120.68 - 3.0)) < 0.2 and "moved" in (landfall.source or "")
    res = run(sc, seed=1)
    assert res.targets  # it runs, and the typhoon reaches the county
    r2 = sim_main("import", tmp_path / "county.xlsx", "--out", out)
    assert r2.returncode == 2 and "exists already" in r2.stderr


def test_docs_list_every_column() -> None:
    from sim.scenario.importer import columns_markdown

    doc = (Path(__file__).parents[1] / "docs" / "import.md").read_text(encoding="utf-8")
    assert columns_markdown() in doc


def test_a_plan_base_is_fitted_to_the_county_and_field_sources_are_read(tmp_path: Path) -> None:
    from sim.scenario.importer import import_county

    county = _csv(tmp_path / "county", {
        "zones": [["name", "population", "households", "lon", "lat", "source", "source:经度"],
                  ["gulou", 803559, 321424, 119.296, 26.082, "census 2020", "OSM"],
                  ["taijiang", 527743, 211097, 119.310, 26.053, "census 2020", "OSM"],
                  ["newtown", 10000, 4000, 119.2, 26.1, "assumption: a test zone", "OSM"]],
        "sources": [["sheet", "column", "source"], ["乡镇", "户数", "census households table"]],
    })
    base = Path(__file__).parents[1] / "scenarios" / "fuzhou_flood.yaml"
    im = import_county(county, base)
    sc = im.scenario
    gulou, newtown = sc.zones[0], sc.zones[2]
    assert gulou.sources == {"lon": "OSM", "households": "census households table"}
    assert gulou.exposure is not None and newtown.exposure is None  # kept by name
    assert any(n.startswith("zones newtown: no exposure block") for n in im.notes)
    area = next(t for t in sc.targets if t.id == "shelter_area_central_city")
    assert area.zones == ["gulou", "taijiang"]  # type: ignore[union-attr]
    assert sc.standards[0].zones == ["gulou", "taijiang"]  # type: ignore[union-attr]
    assert set(sc.hazard.rain.zone_factor) == {"gulou", "taijiang"}  # type: ignore[union-attr]
    # no sheet for these kinds: the base's own, where their zone or base is in the county
    assert {s.zone for s in sc.shelters} == {"gulou", "taijiang"}
    assert all(t.base in {"gulou", "taijiang"} for t in sc.teams)
    points = {p.name for p in sc.stock_points}
    assert points and all(s.deliver_to in points for s in sc.supplies)
    assert any(n.startswith("targets[shelter_area_central_city].zones: cangshan")
               for n in im.notes)


_CELLS = st.one_of(
    st.text(max_size=30), st.integers(-10**12, 10**12), st.floats(allow_nan=True),
    st.sampled_from(["{dist: uniform, low: 1, high: 3}", "{dist: nope}", "{", "15%", "1,000",
                     "１２０００", "是", "县级", "=1+1", "合计", "-5", "1e400", "nan", "[1, 2]"]))


@settings(max_examples=15)
@given(sheet=st.sampled_from(["乡镇", "shelters", "储备点", "vehicles", "teams"]),
       row=st.integers(0, 3), col=st.integers(0, 7), value=_CELLS)
def test_any_cell_gives_a_scenario_or_located_lines_never_a_crash(
        sheet: str, row: int, col: int, value: object) -> None:
    import tempfile

    from sim.cli import DEMO
    from sim.scenario.importer import SpreadsheetError, import_county

    sheets = _county()
    rows = sheets[sheet]
    r = min(row + (1 if sheet == "乡镇" else 0), len(rows) - 1)
    c = min(col, len(rows[r]) - 1)
    rows[r][c] = value
    with tempfile.TemporaryDirectory() as tmp:
        try:
            im = import_county(_csv(Path(tmp) / "county", sheets), DEMO)
        except SpreadsheetError as exc:
            assert exc.problems
            for p in exc.problems:
                text = str(p)
                assert "\n" not in text and text.startswith(str(Path(tmp) / "county"))
                assert "row" in text or "column" in text or ": " in text
        else:
            parse_scenario(im.yaml_text(), "county.yaml")  # what it writes reads back
