"""A county's spreadsheets: the sheets ``sim import`` reads, their columns, and their rows.

:data:`SHEETS` names every kind of sheet (zones, shelters, stock points, vehicles, teams, road
links, hospitals; English or Chinese names) and its columns (:class:`Column`: the schema field,
Chinese headers, the units a header may carry in brackets with their factors, how a cell is read).
:func:`read_tables` reads an XLSX workbook (openpyxl, read-only, saved values only, no macros)
or a directory of CSV files (UTF-8 or GB18030); :func:`read_sheet` turns a table's rows into
scenario entities with their :class:`Origin` (sheet, row, the column of each field), so that a
problem found later can be located. Every problem is a :func:`located` line
``county.xlsx: sheet zones, row 7, column population: expected a whole number, got 'abc'``.
:mod:`sim.scenario.importer` builds the scenario from them.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import math
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sim.scenario.limits import FILE_BYTES
from sim.scenario.loader import Problem, ScenarioError, load_yaml_data

__all__ = [
    "COLLECTIONS",
    "MAX_ROWS",
    "SHEETS",
    "Column",
    "Origin",
    "SheetRows",
    "SheetSpec",
    "SpreadsheetError",
    "Table",
    "columns_help",
    "columns_markdown",
    "located",
    "norm",
    "read_sheet",
    "read_tables",
    "source_defaults",
]

MAX_ROWS = 100_000
"""Rows read from one sheet at most (a county has hundreds of shelters, not millions)."""


class SpreadsheetError(ScenarioError):
    """Problems in a county's spreadsheets, one located line each, in sheet and row order."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        Exception.__init__(self, "\n".join(str(p) for p in problems))


def located(where: str, path: str, message: str) -> Problem:
    """A located problem: ``FILE: sheet S, row R, column C: message`` (``FILE: row R, ...``)."""
    file, sep, sheet = where.partition(": sheet ")
    if sep:
        path = f"sheet {sheet}, {path}" if path else f"sheet {sheet}"
    return Problem(file, None, path, message)


# -- the columns -----------------------------------------------------------------------------------
_TIERS = {"city": "city", "市": "city", "市级": "city", "county": "county", "县": "county",
          "县级": "county", "区级": "county", "township": "township", "乡镇": "township",
          "乡镇级": "township", "镇": "township", "乡": "township", "街道": "township",
          "village": "village", "村": "village", "村级": "village", "社区": "village"}
_VEHICLES = {"truck": "truck", "货车": "truck", "卡车": "truck", "运输车": "truck",
             "bus": "bus", "客车": "bus", "大巴": "bus", "公交车": "bus", "大客车": "bus",
             "boat": "boat", "船": "boat", "船只": "boat", "冲锋舟": "boat", "橡皮艇": "boat",
             "ambulance": "ambulance", "救护车": "ambulance",
             "helicopter": "helicopter", "直升机": "helicopter"}
_TEAMS = {"fire_rescue": "fire_rescue", "消防": "fire_rescue", "消防救援": "fire_rescue",
          "消防救援站": "fire_rescue", "消防站": "fire_rescue",
          "professional": "professional", "专业": "professional", "专业队伍": "professional",
          "专业救援队": "professional",
          "township_semi_professional": "township_semi_professional",
          "乡镇半专业": "township_semi_professional", "半专业": "township_semi_professional",
          "乡镇半专业救援队": "township_semi_professional",
          "village": "village", "村级": "village", "村": "village", "村级队伍": "village",
          "volunteer": "volunteer", "志愿者": "volunteer", "志愿者队伍": "volunteer",
          "medical": "medical", "医疗": "medical", "医疗队": "medical",
          "air": "air", "航空": "air", "航空救援": "air"}
_LINKS = {"road": "road", "道路": "road", "公路": "road", "bridge": "bridge", "桥": "bridge",
          "桥梁": "bridge", "tunnel": "tunnel", "隧道": "tunnel", "ferry": "ferry",
          "渡口": "ferry", "轮渡": "ferry"}
_SKILLS = {"救援": "rescue", "搜救": "rescue", "抢险救援": "rescue", "道路抢通": "road_clearing",
           "抢通": "road_clearing", "清障": "road_clearing", "场所管理": "shelter_management",
           "安置": "shelter_management", "安置管理": "shelter_management"}

_HOURS = {"h": 1.0, "小时": 1.0, "hour": 1.0, "hours": 1.0, "min": 1 / 60, "分钟": 1 / 60,
          "分": 1 / 60}
_MINUTES = {"min": 1.0, "分钟": 1.0, "分": 1.0, "h": 60.0, "小时": 60.0}
_COUNTS = {**{u: 1.0 for u in ("人", "户", "个", "辆", "台", "艘", "架", "支", "张", "床", "队",
                               "persons", "people", "households")},
           "万人": 1e4, "万户": 1e4, "万": 1e4}


@dataclass(frozen=True)
class Column:
    """One column a sheet may have: the schema field it fills and how a cell is read.

    Attributes
    ----------
    field : str
        The schema field (``population``).
    kind : str
        How a cell is read: ``name``, ``text``, ``int``, ``number``, ``fraction``,
        ``uncertain``, ``uncertain_int``, ``bool``, ``list``, ``choice``, ``mapping``.
    zh : tuple of str
        Chinese headers (the English header is the field itself).
    units : dict
        Units accepted in brackets after the header, with their factor to the field's unit.
    choices : dict, optional
        For ``choice``: every accepted spelling and the schema value it means.
    required : bool
        The sheet must have the column.
    """

    field: str
    kind: str
    zh: tuple[str, ...] = ()
    units: Mapping[str, float] = dataclasses.field(default_factory=dict)
    choices: Mapping[str, str] | None = None
    required: bool = False


@dataclass(frozen=True)
class SheetSpec:
    """A kind of sheet: the scenario list it fills and its columns."""

    kind: str
    zh: tuple[str, ...]
    columns: tuple[Column, ...]
    items: str | None = None
    """Field that item columns fill (``items`` of stock points, ``prepositioned`` of shelters)."""
    what: str = ""


def _name(f: str = "name", *zh: str, required: bool = True) -> Column:
    return Column(f, "name", zh or ("名称",), required=required)


_SOURCE = ("来源", "数据来源", "依据", "出处")
_NAME_ZH = Column("name_zh", "text", ("中文名", "中文名称"))

SHEETS: dict[str, SheetSpec] = {s.kind: s for s in (
    SheetSpec("zones", ("乡镇", "区域", "乡镇街道", "行政区"), (
        _name("name", "名称", "乡镇名称", "区域名称"), _NAME_ZH,
        Column("population", "int", ("人口", "常住人口", "人口数"), _COUNTS, required=True),
        Column("households", "int", ("户数",), _COUNTS, required=True),
        Column("lon", "number", ("经度",), {"°": 1.0, "度": 1.0}, required=True),
        Column("lat", "number", ("纬度",), {"°": 1.0, "度": 1.0}, required=True),
        Column("evacuation_share", "fraction", ("转移比例", "需转移比例")),
        Column("intra_zone_minutes", "number", ("区内通行时间",), _MINUTES),
        Column("warning_tier", "choice", ("预警层级",), choices=_TIERS),
        Column("area_km2", "number", ("面积", "辖区面积"), {"km2": 1.0, "km²": 1.0,
                                                      "平方公里": 1.0}),
        Column("exposure", "mapping", ("暴露",)),
    ), what="townships, streets or villages with their people"),
    SheetSpec("shelters", ("避灾点", "避难场所", "安置点", "应急避难场所", "避灾安置场所"), (
        _name("name", "名称", "场所名称"), _NAME_ZH,
        Column("zone", "name", ("所在乡镇", "所属乡镇", "乡镇", "区域"), required=True),
        Column("usable_area_m2", "number", ("可用面积", "使用面积", "有效面积", "面积"),
               {"m2": 1.0, "m²": 1.0, "平方米": 1.0, "亩": 2000 / 3}),
        Column("capacity", "int", ("容量", "容纳人数", "可容纳人数", "设计容量"), _COUNTS),
        Column("opening_delay_h", "uncertain", ("开放时间", "开放用时"), _HOURS),
        Column("reserve", "bool", ("备用",)),
        Column("desks", "int", ("登记台", "登记台数"), _COUNTS),
        Column("staff_team", "name", ("负责队伍", "管理队伍")),
    ), items="prepositioned", what="shelters; item columns are stock kept on site"),
    SheetSpec("stock_points", ("储备点", "储备库", "物资储备", "仓库", "物资储备点"), (
        _name("name", "名称", "储备点名称", "仓库名称"), _NAME_ZH,
        Column("tier", "choice", ("层级", "级别"), choices=_TIERS, required=True),
        Column("zone", "name", ("所在乡镇", "所属乡镇", "乡镇", "区域"), required=True),
        Column("loading_h", "uncertain", ("装车时间",), _HOURS),
    ), items="items", what="stock points; item columns are the stock of each item"),
    SheetSpec("vehicles", ("车辆", "运输车辆", "交通工具", "运力"), (
        _name("name", "名称", "车队"),
        Column("kind", "choice", ("类型", "车型"), choices=_VEHICLES, required=True),
        Column("base", "name", ("驻地", "所在地", "基地", "所属"), required=True),
        Column("count", "uncertain_int", ("数量", "台数"), _COUNTS, required=True),
        Column("capacity_kg", "number", ("载重", "载重量"), {"kg": 1.0, "公斤": 1.0,
                                                         "千克": 1.0, "t": 1000.0,
                                                         "吨": 1000.0}),
        Column("capacity_persons", "int", ("载客", "载客人数", "座位数"), _COUNTS),
        Column("speed_kmh", "number", ("速度", "时速"), {"km/h": 1.0, "公里/小时": 1.0}),
        Column("unloading_h", "uncertain", ("装卸时间",), _HOURS),
    ), what="fleets of identical vehicles (trucks based at a stock point, others in a zone)"),
    SheetSpec("teams", ("队伍", "救援队伍", "应急队伍"), (
        _name("name", "名称", "队伍名称"), _NAME_ZH,
        Column("kind", "choice", ("类型", "队伍类型"), choices=_TEAMS, required=True),
        Column("base", "name", ("驻地", "所在乡镇", "所在地"), required=True),
        Column("headcount", "int", ("人数", "队员人数"), _COUNTS, required=True),
        Column("count", "int", ("队数",), _COUNTS),
        Column("skills", "list", ("技能", "专长")),
        Column("shift_h", "number", ("班次", "班次时长"), _HOURS),
        Column("speed_kmh", "number", ("速度", "时速"), {"km/h": 1.0, "公里/小时": 1.0}),
    ), what="response teams"),
    SheetSpec("links", ("道路", "路段", "道路连接"), (
        Column("a", "name", ("起点",), required=True),
        Column("b", "name", ("终点",), required=True),
        Column("km", "number", ("里程", "长度", "距离"), {"km": 1.0, "公里": 1.0},
               required=True),
        Column("minutes", "number", ("通行时间", "用时"), _MINUTES),
        Column("kind", "choice", ("类型",), choices=_LINKS),
    ), what="road links between zones (roads.links); without it, zones link directly"),
    SheetSpec("hospitals", ("医院", "医疗机构"), (
        _name("name", "名称", "医院名称"), _NAME_ZH,
        Column("zone", "name", ("所在乡镇", "所属乡镇", "乡镇", "区域"), required=True),
        Column("beds", "uncertain_int", ("床位", "可用床位", "床位数"), _COUNTS,
               required=True),
    ), what="hospitals and their beds free for casualties"),
)}
"""The sheets a county's workbook may hold, by kind (``zones`` is required)."""

_SOURCES_SHEET = ("sources", "来源", "数据来源")
COLLECTIONS = {"zones": ("zones",), "shelters": ("shelters",), "stock_points": ("stock_points",),
               "vehicles": ("vehicles",), "teams": ("teams",), "links": ("roads", "links"),
               "hospitals": ("hospitals",)}


def norm(text: str) -> str:
    """A header or choice as compared: NFKC (full-width to ASCII), lower case, '_' for spaces."""
    t = unicodedata.normalize("NFKC", text).strip().lower()
    return re.sub(r"[\s\-]+", "_", t)


def _split_header(text: str) -> tuple[str, str | None]:
    """``'载重(吨)'`` -> ``('载重', '吨')``; ``'population'`` -> ``('population', None)``."""
    t = unicodedata.normalize("NFKC", text).strip()
    m = re.fullmatch(r"(.*?)\s*[(\[]\s*([^()\[\]]*?)\s*[)\]]\s*", t)
    if m and m.group(1):
        return norm(m.group(1)), m.group(2).strip().lower()
    return norm(t), None


def _kind_of(label: str) -> str | None:
    key = norm(label)
    for kind, spec in SHEETS.items():
        if key in (kind, kind.rstrip("s"), *map(norm, spec.zh)):
            return kind
    return "sources" if key in map(norm, _SOURCES_SHEET) else None


# -- reading tables --------------------------------------------------------------------------------
@dataclass
class Table:
    """One sheet or CSV file: where it is, its header row and its data rows."""

    kind: str
    where: str
    """``county.xlsx: sheet zones`` or ``county/zones.csv``: the start of every problem line."""
    rows: list[tuple[int, list[Any]]]
    """(row number as the spreadsheet shows it, cells) for every row, the header included."""
    formulas: set[tuple[int, int]] = dataclasses.field(default_factory=set)
    """(row, column index) of cells holding a formula (to explain an empty value)."""


def read_tables(path: Path) -> tuple[list[Table], list[str]]:
    """Read the sheets of a workbook or the CSV files of a directory.

    Parameters
    ----------
    path : Path
        An ``.xlsx``/``.xlsm`` workbook or a directory of ``KIND.csv`` files.

    Returns
    -------
    tables, warnings
        The tables of known kinds, and one line per sheet or file left out.

    Raises
    ------
    SpreadsheetError
        If the path cannot be read or is not a workbook or directory.
    """
    name = str(path)
    if path.is_dir():
        return _read_csv_dir(path)
    if not path.exists():
        raise SpreadsheetError([Problem(name, None, "", "no such file or directory")])
    suffix = path.suffix.lower()
    if suffix == ".xls":
        raise SpreadsheetError([Problem(name, None, "", "the old .xls format is not read; "
                                        "save the workbook as .xlsx (or the sheets as CSV)")])
    if suffix == ".csv":
        raise SpreadsheetError([Problem(name, None, "", "give the directory of the CSV files "
                                        "(zones.csv, shelters.csv, ...), not one file")])
    if suffix not in (".xlsx", ".xlsm"):
        raise SpreadsheetError([Problem(name, None, "", "expected an .xlsx workbook or a "
                                        "directory of CSV files")])
    return _read_workbook(path)


def _read_workbook(path: Path) -> tuple[list[Table], list[str]]:
    name = str(path)
    try:
        import openpyxl
    except ImportError:
        raise SpreadsheetError([Problem(name, None, "", "reading .xlsx needs openpyxl: pip "
                                        "install 'reliefplan-sim[import]' (or save the sheets "
                                        "as CSV files in a directory)")]) from None
    try:
        if path.stat().st_size > 8 * FILE_BYTES.value:
            raise SpreadsheetError([Problem(name, None, "", "the workbook is too large: "
                                            f"at most {8 * FILE_BYTES.value:,.0f} bytes")])
        values = openpyxl.load_workbook(path, read_only=True, data_only=True, keep_vba=False)
        formulas = openpyxl.load_workbook(path, read_only=True, data_only=False,
                                          keep_vba=False)
    except SpreadsheetError:
        raise
    except Exception as exc:  # noqa: BLE001 - a damaged file is the user's problem, in one line
        why = " ".join(str(exc).split()) or type(exc).__name__
        raise SpreadsheetError([Problem(name, None, "", f"cannot read the workbook: {why}")]) \
            from None
    tables: list[Table] = []
    warnings: list[str] = []
    try:
        for ws in values.worksheets:
            kind = _kind_of(ws.title)
            if kind is None:
                warnings.append(f"{name}: sheet {ws.title}: not a kind sim imports; left out "
                                f"(sheets: {', '.join(SHEETS)}, sources)")
                continue
            where = f"{name}: sheet {ws.title}"
            rows = _limited(where, ws.iter_rows(values_only=True))
            marks: set[tuple[int, int]] = set()
            for r, cells in _limited(where, formulas[ws.title].iter_rows(values_only=True)):
                for c, v in enumerate(cells):
                    if isinstance(v, str) and v.startswith("="):
                        marks.add((r, c))
            tables.append(Table(kind, where, rows, marks))
    finally:
        values.close()
        formulas.close()
    return tables, warnings


def _limited(where: str, rows: Iterable[Iterable[Any]]) -> list[tuple[int, list[Any]]]:
    out = []
    for r, cells in enumerate(rows, 1):
        if r > MAX_ROWS + 1:
            raise SpreadsheetError([located(where, "", f"more than {MAX_ROWS:,} rows")])
        out.append((r, list(cells)))
    return out


def _read_csv_dir(path: Path) -> tuple[list[Table], list[str]]:
    tables: list[Table] = []
    warnings: list[str] = []
    for f in sorted(path.iterdir()):
        if f.suffix.lower() != ".csv":
            continue
        kind = _kind_of(f.stem)
        if kind is None:
            warnings.append(f"{f}: not a kind sim imports; left out (files: "
                            f"{', '.join(SHEETS)}, sources, as NAME.csv)")
            continue
        data = f.read_bytes()
        if len(data) > FILE_BYTES.value:
            raise SpreadsheetError([Problem(str(f), None, "",
                                            f"the file is too large: {FILE_BYTES.words()}")])
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            try:  # what a Chinese-language spreadsheet program saves as "CSV"
                text = data.decode("gb18030")
            except UnicodeDecodeError:
                raise SpreadsheetError([Problem(str(f), None, "", "neither UTF-8 nor GB18030 "
                                                "text; save the sheet as CSV UTF-8")]) from None
        try:
            rows = _limited(str(f), csv.reader(io.StringIO(text, newline="")))
        except csv.Error as exc:
            raise SpreadsheetError([Problem(str(f), None, "", f"not valid CSV: {exc}")]) \
                from None
        tables.append(Table(kind, str(f), [(r, [c if c.strip() else None for c in cells])
                                           for r, cells in rows]))
    if not tables:
        raise SpreadsheetError([Problem(str(path), None, "", "no CSV file of a known kind; "
                                        f"expected {', '.join(k + '.csv' for k in SHEETS)}")])
    return tables, warnings


# -- cells ---------------------------------------------------------------------------------------
class _CellError(ValueError):
    """A cell that cannot be read as its column's kind."""


_TOTALS = {"合计", "总计", "小计", "total", "totals", "sum", "subtotal"}
_NAME_RE = re.compile(r"^[^\W\d][\w\-]*$")
_TRUE = {"true", "yes", "y", "1", "是", "√", "✓", "x"}
_FALSE = {"false", "no", "n", "0", "否", "×", ""}


def _shown(v: Any) -> str:
    text = str(v)
    return repr(text if len(text) <= 40 else text[:37] + "...")


def _number(v: Any) -> float:
    if isinstance(v, bool):
        raise _CellError(f"expected a number, got {_shown(v)}")
    if isinstance(v, int | float):
        x = float(v)
    else:
        t = unicodedata.normalize("NFKC", str(v)).strip().replace(" ", "")
        if re.fullmatch(r"[-+]?\d{1,3}(,\d{3})+(\.\d+)?", t):
            t = t.replace(",", "")
        try:
            x = float(t)
        except ValueError:
            raise _CellError(f"expected a number, got {_shown(v)}") from None
    if not math.isfinite(x):
        raise _CellError(f"expected a finite number, got {_shown(v)}")
    return x


def _whole(v: Any) -> int:
    try:
        x = _number(v)
    except _CellError:
        raise _CellError(f"expected a whole number, got {_shown(v)}") from None
    if not x.is_integer():
        raise _CellError(f"expected a whole number, got {_shown(v)}")
    return int(x)


def _distribution(v: Any, where: str) -> Any:
    text = unicodedata.normalize("NFKC", str(v)).strip()
    try:
        data = load_yaml_data(text, where)
    except ScenarioError as exc:
        msg = exc.problems[0].message if exc.problems else "not valid"
        raise _CellError(f"a distribution cell must be a YAML mapping such as "
                         f"{{dist: uniform, low: 1, high: 3}}: {msg}") from None
    if not isinstance(data, dict):
        raise _CellError(f"expected a mapping, got {_shown(v)}")
    return data


def _read_cell(col: Column, v: Any, factor: float, where: str) -> Any:
    """The value of one non-empty cell for ``col`` (a unit ``factor`` already known)."""
    kind = col.kind
    if kind in ("uncertain", "uncertain_int", "mapping") and isinstance(v, str) and \
            unicodedata.normalize("NFKC", v).strip().startswith("{"):
        data = _distribution(v, where)
        if factor != 1.0 and kind != "mapping":
            raise _CellError("give a distribution in the field's own unit (no unit in the "
                             "column header)")
        return data
    if kind == "mapping":
        raise _CellError(f"expected a YAML mapping in braces, got {_shown(v)}")
    if kind in ("int", "uncertain_int"):
        if factor == 1.0:
            return _whole(v)
        y = float(f"{_number(v) * factor:.12g}")  # 1.1 x 10,000 is 11000.000000000002
        if not y.is_integer():
            raise _CellError(f"expected a whole number once converted from the header's unit, "
                             f"got {y:g}")
        return int(y)
    if kind in ("number", "uncertain"):
        y = _number(v) * factor if factor == 1.0 else float(f"{_number(v) * factor:.12g}")
        return int(y) if y.is_integer() and abs(y) < 2**53 else y
    if kind == "fraction":
        t = unicodedata.normalize("NFKC", str(v)).strip()
        if isinstance(v, str) and t.endswith("%"):
            return _number(t[:-1]) / 100
        return _number(v)
    if kind == "bool":
        if isinstance(v, bool):
            return v
        t = norm(str(v))
        if t in _TRUE:
            return True
        if t in _FALSE:
            return False
        raise _CellError(f"expected yes or no (是/否), got {_shown(v)}")
    text = unicodedata.normalize("NFC", str(v)).strip()
    if isinstance(v, float) and v.is_integer():
        text = str(int(v))
    if kind == "name":
        if not _NAME_RE.match(text) or len(text) > 80:
            raise _CellError("expected a name: letters (Chinese too), digits, '_' or '-', "
                             f"starting with a letter, no spaces, got {_shown(v)}")
        return text
    if kind == "choice":
        assert col.choices is not None
        key = norm(text)
        if key not in col.choices:
            firsts = sorted({k for k, val in col.choices.items() if k == val})
            raise _CellError(f"expected one of {', '.join(firsts)} (or their Chinese names), "
                             f"got {_shown(v)}")
        return col.choices[key]
    if kind == "list":
        parts = [p.strip() for p in re.split(r"[,，、;；]", text) if p.strip()]
        return [_SKILLS.get(p, p) for p in parts]
    return text


# -- rows into entities ----------------------------------------------------------------------------
@dataclass
class Origin:
    """Where an entity of the scenario came from: a sheet's row, and its fields' columns."""

    where: str
    row: int
    columns: dict[str, str]
    items: dict[str, str] = dataclasses.field(default_factory=dict)


@dataclass
class _Header:
    index: int
    text: str
    field: str
    column: Column | None
    factor: float = 1.0
    item: str | None = None
    source_of: str | None = None


def _find_header(table: Table, spec: SheetSpec | None, items: Mapping[str, str]
                 ) -> tuple[int, list[Any]] | None:
    """The header row: among the first 10, the one naming most known columns."""
    known = {"source", *map(norm, _SOURCE)}
    if spec is not None:
        for c in spec.columns:
            known.update((c.field, *map(norm, c.zh)))
    else:
        known.update(("sheet", "column", "表", "工作表", "列"))
    known.update(items)
    best: tuple[int, tuple[int, list[Any]]] | None = None
    for r, cells in table.rows[:10]:
        hits = sum(1 for v in cells if v is not None and _split_header(str(v))[0] in known)
        if hits and (best is None or hits > best[0]):
            best = (hits, (r, cells))
    return best[1] if best else None


def _headers(table: Table, spec: SheetSpec, cells: list[Any], row: int,
             items: Mapping[str, str], problems: list[Problem]) -> list[_Header]:
    by_name: dict[str, Column] = {}
    for c in spec.columns:
        for k in (c.field, *map(norm, c.zh)):
            by_name.setdefault(k, c)
    out: list[_Header] = []
    seen: dict[str, str] = {}
    for i, v in enumerate(cells):
        if v is None or not str(v).strip():
            continue
        text = str(v).strip()
        key, unit = _split_header(text)
        m = re.fullmatch(r"(source|来源)\s*[:：]\s*(.+)", unicodedata.normalize("NFKC", text))
        if m:
            target, _ = _split_header(m.group(2))
            col = by_name.get(target)
            if col is None:
                problems.append(located(table.where, f"row {row}, column {text}",
                                        f"names no column of this sheet ({m.group(2)!r})"))
                continue
            out.append(_Header(i, text, f"source:{col.field}", None, source_of=col.field))
            continue
        if key in ("source", *map(norm, _SOURCE)):
            out.append(_Header(i, text, "source", None))
            continue
        col = by_name.get(key)
        if col is not None:
            factor = 1.0
            if unit:
                units = {k.lower(): f for k, f in col.units.items()}
                if unit not in units:
                    accepted = ", ".join(col.units) or "none (a plain number)"
                    problems.append(located(table.where, f"row {row}, column {text}",
                                            f"unit {unit!r} not understood for {col.field}; "
                                            f"accepted: {accepted}"))
                    continue
                factor = units[unit]
            if col.field in seen:
                problems.append(located(table.where, f"row {row}, column {text}",
                                        f"a second column for {col.field} (first: "
                                        f"{seen[col.field]})"))
                continue
            seen[col.field] = text
            out.append(_Header(i, text, col.field, col, factor))
            continue
        if spec.items is not None and key in items:
            out.append(_Header(i, text, f"{spec.items}.{items[key]}", Column(
                items[key], "uncertain"), item=items[key]))
            continue
        out.append(_Header(i, text, "", None))  # left out, with a warning
    return out


@dataclass
class SheetRows:
    """The entities read from one sheet, each with its origin (same order)."""

    kind: str
    entities: list[dict[str, Any]]
    origins: list[Origin]


def source_defaults(tables: list[Table], problems: list[Problem]
                    ) -> dict[str, dict[str | None, str]]:
    """The ``sources`` sheet: kind -> {field or None: default source}.

    Parameters
    ----------
    tables : list of Table
        Every table read; only those of kind ``sources`` are used.
    problems : list of Problem
        Receives a located problem per bad row of the sources sheet.

    Returns
    -------
    dict
        For each kind, its default ``source`` (key None) and per-field ``sources``.
    """
    out: dict[str, dict[str | None, str]] = {}
    for t in tables:
        if t.kind != "sources":
            continue
        head = _find_header(t, None, {})
        if head is None:
            problems.append(located(t.where, "", "no header row with the columns sheet, "
                                    "column and source (表, 列, 来源)"))
            continue
        hrow, cells = head
        idx: dict[str, int] = {}
        for i, v in enumerate(cells):
            k = _split_header(str(v))[0] if v is not None else ""
            for name, keys in (("sheet", ("sheet", "表", "工作表")), ("column", ("column", "列")),
                               ("source", ("source", *map(norm, _SOURCE)))):
                if k in keys:
                    idx[name] = i
        if "sheet" not in idx or "source" not in idx:
            problems.append(located(t.where, f"row {hrow}",
                                    "expected the columns sheet and source (表, 来源)"))
            continue
        for r, row in t.rows:
            if r <= hrow or all(v is None for v in row):
                continue

            def cell(name: str, row: list[Any] = row, idx: dict[str, int] = idx) -> Any:
                i = idx.get(name)
                return row[i] if i is not None and i < len(row) else None

            sheet, src = cell("sheet"), cell("source")
            kind = _kind_of(str(sheet)) if sheet is not None else None
            if kind is None or kind == "sources":
                problems.append(located(t.where, f"row {r}, column sheet",
                                        f"expected one of {', '.join(SHEETS)}, got "
                                        f"{_shown(sheet)}"))
                continue
            if src is None or not str(src).strip():
                problems.append(located(t.where, f"row {r}, column source",
                                        "the default source is empty"))
                continue
            col = cell("column")
            fld: str | None = None
            if col is not None:
                key = _split_header(str(col))[0]
                match = [c.field for c in SHEETS[kind].columns if key in (c.field,
                                                                          *map(norm, c.zh))]
                if not match:
                    problems.append(located(t.where, f"row {r}, column column",
                                            f"{kind} has no column {_shown(col)}"))
                    continue
                fld = match[0]
            out.setdefault(kind, {})[fld] = str(src).strip()
    return out


def read_sheet(table: Table, items: Mapping[str, str], defaults: Mapping[str | None, str],
               problems: list[Problem], warnings: list[str]) -> SheetRows:
    """Read a table's rows into scenario entities.

    Parameters
    ----------
    table : Table
        A table of one of the :data:`SHEETS` kinds.
    items : mapping
        Normalised item names and Chinese names (column headers) -> the base's item key.
    defaults : mapping
        The sheet's default source (key None) and per-field sources (:func:`source_defaults`).
    problems, warnings : list
        Receive one located problem per bad cell, row or header, and one line per column or
        row left out.

    Returns
    -------
    SheetRows
        The entities of the rows without problems, with their origins.
    """
    spec = SHEETS[table.kind]
    sheet = SheetRows(table.kind, [], [])
    head = _find_header(table, spec, items)
    if head is None:
        cols = ", ".join(f"{c.field}/{c.zh[0]}" if c.zh else c.field
                         for c in spec.columns if c.required)
        problems.append(located(table.where, "", f"no header row: expected columns such "
                                f"as {cols}, source/来源"))
        return sheet
    hrow, cells = head
    n0 = len(problems)
    headers = _headers(table, spec, cells, hrow, items, problems)
    fields = {h.field for h in headers}
    for c in spec.columns:
        if c.required and c.field not in fields:
            names = " or ".join(repr(x) for x in (c.field, *c.zh))
            problems.append(located(table.where, f"column {c.field}",
                                    f"required column is missing (header {names})"))
    if table.kind == "shelters" and not fields & {"usable_area_m2", "capacity"}:
        problems.append(located(table.where, "column capacity",
                                "give capacity (容纳人数) or usable_area_m2 (可用面积), or both"))
    if "source" not in fields and None not in defaults:
        problems.append(located(table.where, "column source",
                                "every row needs a source: add a source (来源) column, or a "
                                "default for this sheet in a sources sheet"))
    left_out = [h.text for h in headers if not h.field]
    if left_out:
        hint = f"; item columns: {', '.join(sorted(set(items.values())))}" if spec.items else ""
        warnings.append(f"{table.where}: columns left out (not fields of {table.kind}"
                        f"{hint}): {', '.join(left_out)}")
    if len(problems) > n0:
        return sheet
    name_at = next((h.index for h in headers if h.field == "name"), None)
    for r, row in table.rows:
        if r <= hrow or all(v is None or (isinstance(v, str) and not v.strip()) for v in row):
            continue
        if name_at is not None and name_at < len(row) and row[name_at] is not None and \
                norm(str(row[name_at])).rstrip(":") in _TOTALS:
            warnings.append(f"{table.where}, row {r}: a totals row ({row[name_at]}); left out")
            continue
        entity: dict[str, Any] = {}
        origin = Origin(table.where, r, {})
        ok = True
        for h in headers:
            if not h.field:
                continue
            v = row[h.index] if h.index < len(row) else None
            if v is None or (isinstance(v, str) and not v.strip()):
                if h.column is not None and h.column.required:
                    why = "formula without a saved value (open and save the workbook in a " \
                          "spreadsheet program: sim reads saved values only)" \
                        if (r, h.index) in table.formulas else "required value is empty"
                    problems.append(located(table.where, f"row {r}, column {h.text}", why))
                    ok = False
                continue
            try:
                if h.field == "source":
                    entity["source"] = str(v).strip()
                elif h.source_of is not None:
                    entity.setdefault("sources", {})[h.source_of] = str(v).strip()
                else:
                    assert h.column is not None
                    value = _read_cell(h.column, v, h.factor, f"{table.where}, row {r}")
                    if h.item is not None and spec.items is not None:
                        entity.setdefault(spec.items, {})[h.item] = value
                        origin.items[h.item] = h.text
                    else:
                        entity[h.field] = value
                        origin.columns[h.field] = h.text
            except _CellError as exc:
                problems.append(located(table.where, f"row {r}, column {h.text}",
                                        str(exc)))
                ok = False
        if "source" not in entity:
            if None in defaults:
                entity["source"] = defaults[None]
            else:
                problems.append(located(table.where, f"row {r}, column source",
                                        "every row needs a source (a plan line, a public "
                                        "reference, or 'assumption: <reason>'), or a default "
                                        "for the sheet in a sources sheet"))
                ok = False
        for fld, src in defaults.items():
            if fld is not None and fld in entity:
                entity.setdefault("sources", {}).setdefault(fld, src)
        if ok:
            sheet.entities.append(entity)
            sheet.origins.append(origin)
    if not sheet.entities and len(problems) == n0:
        problems.append(located(table.where, "", "no data rows below the header"))
    return sheet


def columns_help() -> str:
    """The sheets and their columns in a few lines, for ``sim import --help``."""
    lines = []
    for kind, spec in SHEETS.items():
        cols = ", ".join(f"{c.field}/{c.zh[0]}" if c.zh else c.field for c in spec.columns)
        items = f", item columns ({spec.items})" if spec.items else ""
        lines.append(f"{kind} ({spec.zh[0]}): {cols}{items}, source/来源")
    return "\n".join(lines)


def columns_markdown() -> str:
    """The sheets and their columns as Markdown tables (docs/import.md and the help)."""
    lines: list[str] = []
    for kind, spec in SHEETS.items():
        lines.append(f"### `{kind}` ({' / '.join(spec.zh)})")
        lines.append("")
        lines.append(spec.what[0].upper() + spec.what[1:] + ".")
        lines.append("")
        lines.append("| column | Chinese headers | read as | units in brackets | required |")
        lines.append("|---|---|---|---|---|")
        for c in spec.columns:
            units = ", ".join(f"{u} (x {f:,.6g})" if f != 1 else u for u, f in c.units.items())
            kind_words = {"uncertain": "number or distribution", "uncertain_int":
                          "whole number or distribution", "int": "whole number",
                          "fraction": "share (0.15 or 15%)", "choice": "one of "
                          + ", ".join(sorted({v for v in (c.choices or {}).values()})),
                          "mapping": "YAML mapping", "list": "list (comma-separated)",
                          "bool": "yes/no (是/否)"}.get(c.kind, c.kind)
            lines.append(f"| `{c.field}` | {', '.join(c.zh)} | {kind_words} | {units} | "
                         f"{'yes' if c.required else ''} |")
        lines.append(f"| `source` | {', '.join(_SOURCE)} | text | | yes (or a default) |")
        lines.append("")
    return "\n".join(lines)
