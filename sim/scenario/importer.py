"""Build a county's scenario from the spreadsheets it keeps (``sim import``).

A county keeps lists: its townships and their population, its shelters, its stock points and
their ledgers, its vehicles, its teams, perhaps its roads and hospitals. :func:`import_county`
reads them from an XLSX workbook with one sheet per kind or a directory of CSV files named after
the kinds (:data:`SHEETS`, English or Chinese names), maps each column to a field of the scenario
schema (:mod:`sim.scenario.schema`; English or Chinese headers, a unit in brackets converted:
``载重(吨)`` is ``capacity_kg`` times 1,000), and takes everything else (items, needs, hazard,
response rules, targets) from a base scenario, remapping or dropping the base's references to
names that no longer exist. Every row needs a ``source`` (its own column, or a sheet-wide
default in a ``sources`` sheet).

Every problem is one located line, ``county.xlsx: sheet zones, row 7, column population:
expected a whole number, got 'abc'``, also for those the scenario validation finds later (a
shelter in an unknown zone, more households than people): the schema path is mapped back to the
sheet, row and column it came from.

Workbooks are read with openpyxl (the ``import`` extra) in read-only mode, values only: a
formula gives the value the spreadsheet program saved with it; macros are never run.
"""

from __future__ import annotations

import copy
import math
import textwrap
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from sim.scenario.loader import (
    Problem,
    _message,
    load_scenario,
    load_yaml_data,
    read_text,
)
from sim.scenario.schema import CrossReferenceError, Scenario
from sim.scenario.sheets import (
    COLLECTIONS,
    SHEETS,
    Origin,
    SheetRows,
    SpreadsheetError,
    columns_help,
    columns_markdown,
    located,
    norm,
    read_sheet,
    read_tables,
    source_defaults,
)

__all__ = [
    "SHEETS",
    "Imported",
    "SpreadsheetError",
    "columns_help",
    "columns_markdown",
    "import_county",
    "read_tables",
]

# -- the scenario ----------------------------------------------------------------------------------
@dataclass
class Imported:
    """A county's scenario built from its spreadsheets.

    Attributes
    ----------
    scenario : Scenario
        The validated scenario.
    data : dict
        Its plain data (what :meth:`yaml_text` writes).
    sheets : list of str
        The kinds read from the spreadsheets.
    notes : list of str
        What was changed in the base to fit the county (names remapped or dropped).
    warnings : list of str
        Sheets and columns left out.
    """

    scenario: Scenario
    data: dict[str, Any]
    sheets: list[str]
    notes: list[str]
    warnings: list[str]
    source: str
    base: str

    def yaml_text(self) -> str:
        """The scenario as a YAML file, with a header saying where its parts came from."""
        from sim import __version__

        head = [f"# Written by `sim import {self.source}` (sim {__version__}).",
                f"# From the spreadsheets: {', '.join(self.sheets)} (every row with its "
                f"source). From the base scenario {self.base}: everything else (items, needs, "
                "hazard, response rules, targets); its assumptions are the county's to replace "
                "(sim import lists them).",
                ]
        if self.notes:
            head.append("# Fitted to the county:")
            head += [f"#   - {n}" for n in self.notes]
        body = yaml.dump(self.data, Dumper=_Dumper, allow_unicode=True, sort_keys=False,
                         width=100)
        return "\n".join(line for h in head for line in textwrap.wrap(
            h, 99, subsequent_indent="#     ")) + "\n" + body

    def assumption_lines(self) -> list[str]:
        """The assumptions the scenario inherits from its base (not those of the sheets)."""
        from sim.scenario.skeleton import assumption_lines

        skip = tuple(f"{'.'.join(COLLECTIONS[k])}[" for k in self.sheets)
        return assumption_lines(self.scenario, skip)


class _Dumper(yaml.SafeDumper):
    """Block style, with distributions and short mappings of plain values on one line."""

    def represent_dict(self, data: Any) -> yaml.MappingNode:  # noqa: D102
        node = super().represent_dict(data)
        flat = all(not isinstance(v, dict | list) for v in data.values())
        node.flow_style = bool(flat and ("dist" in data or len(data) <= 4)) and len(
            str(data)) <= 80
        return node

    def represent_list(self, data: Any) -> yaml.SequenceNode:  # noqa: D102
        node = super().represent_list(data)
        node.flow_style = all(not isinstance(v, dict | list) for v in data) and \
            len(str(data)) <= 80
        return node


_Dumper.add_representer(dict, _Dumper.represent_dict)
_Dumper.add_representer(list, _Dumper.represent_list)


def _centroid(zones: list[Mapping[str, Any]]) -> tuple[float, float] | None:
    w = [max(float(z.get("population", 0) or 0), 1.0) for z in zones]
    try:
        lon = sum(float(z["lon"]) * x for z, x in zip(zones, w, strict=True)) / sum(w)
        lat = sum(float(z["lat"]) * x for z, x in zip(zones, w, strict=True)) / sum(w)
    except (KeyError, TypeError, ValueError, ZeroDivisionError):
        return None
    return lon, lat


def _km(a: tuple[float, float], b: tuple[float, float]) -> float:
    lon1, lat1, lon2, lat2 = map(math.radians, (*a, *b))
    h = (math.sin((lat2 - lat1) / 2) ** 2
         + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2)
    return 2 * 6371.0 * math.asin(min(1.0, math.sqrt(h)))


def _fit_base(data: dict[str, Any], base_data: Mapping[str, Any], notes: list[str],
              kept_kinds: set[str]) -> None:
    """Remap or drop the base's references to names the county does not have (in place)."""
    base_zones = base_data.get("zones", [])
    base_points = base_data.get("stock_points", [])
    zones = {z["name"] for z in data["zones"]}

    def keep(coll: str, ok: Callable[[dict[str, Any]], bool], why: str) -> None:
        if coll not in kept_kinds or coll not in data:
            return
        before = data[coll]
        data[coll] = [e for e in before if ok(e)]
        gone = [e.get("name", "?") for e in before if not ok(e)]
        if gone:
            notes.append(f"{coll}: dropped {', '.join(gone)} of the base ({why})")

    keep("shelters", lambda e: e.get("zone") in zones, "their zone is not in the county")
    keep("stock_points", lambda e: e.get("zone") in zones, "their zone is not in the county")
    points = {p["name"]: p for p in data.get("stock_points", [])}
    keep("vehicles", lambda e: (e.get("base") in points) if e.get("kind") == "truck"
         else e.get("base") in zones, "their base is not in the county")
    keep("teams", lambda e: e.get("base") in zones, "their base is not in the county")
    teams = {t["name"] for t in data.get("teams", [])}
    keep("hospitals", lambda e: e.get("zone") in zones, "their zone is not in the county")
    for sh in data.get("shelters", []):
        if "staff_team" in sh and sh["staff_team"] not in teams and "shelters" in kept_kinds:
            notes.append(f"shelters[{sh['name']}].staff_team: {sh.pop('staff_team')} is not a "
                         "team of the county; removed (the shelter opens after its delay)")

    base_names = [z.get("name") for z in base_zones]
    travel = data.get("travel")
    if isinstance(travel, dict) and travel.get("minutes") is not None and \
            base_names != [z["name"] for z in data["zones"]]:
        travel.pop("minutes")
        notes.append("travel.minutes: the base's matrix is for its own zones; dropped (travel "
                     "times from the zones' distances times travel.circuity)")

    roads = data.get("roads")
    if isinstance(roads, dict) and "links" in kept_kinds:  # no links sheet: the base's roads
        ends = {e for lk in roads.get("links", []) for e in (lk.get("a"), lk.get("b"))}
        if not ends <= zones or not zones <= ends:
            data.pop("roads")
            notes.append("roads: the base's road network does not join the county's zones; "
                         "dropped (every pair of zones linked directly; give a links sheet)")

    supplies = data.get("supplies", [])
    kept = []
    for sup in supplies:
        to = sup.get("deliver_to")
        if to in points:
            kept.append(sup)
            continue
        tier = next((p.get("tier") for p in base_points if p.get("name") == to), None)
        same = [n for n, p in points.items() if p.get("tier") == tier]
        county = [n for n, p in points.items() if p.get("tier") == "county"]
        target = (same or county or list(points) or [None])[0]
        if target is None:
            notes.append(f"supplies[{sup.get('name')}]: dropped (the county has no stock point "
                         "to receive it)")
            continue
        sup["deliver_to"] = target
        which = "stock point of the same tier" if same else \
            "county stock point" if county else "stock point"
        notes.append(f"supplies[{sup.get('name')}].deliver_to: {to} -> {target} (the county's "
                     f"first {which})")
        kept.append(sup)
    if "supplies" in data:
        data["supplies"] = kept

    for coll, what in (("targets", "id"), ("standards", "id")):
        entries = data.get(coll, [])
        out = []
        for e in entries:
            names = e.get("zones")
            if isinstance(names, list) and names:
                left = [z for z in names if z in zones]
                if not left:
                    notes.append(f"{coll}[{e.get(what)}]: dropped (it measures zones "
                                 f"{', '.join(map(str, names))}, none of them in the county)")
                    continue
                if len(left) < len(names):
                    notes.append(f"{coll}[{e.get(what)}].zones: "
                                 f"{', '.join(z for z in names if z not in zones)} dropped")
                    e["zones"] = left
            out.append(e)
        if coll in data:
            data[coll] = out

    fleets = {v.get("kind") for v in data.get("vehicles", [])}
    kinds = {t.get("kind") for t in data.get("teams", [])}
    for tg in data.get("targets", []):
        want = tg.get("team_kinds") if tg.get("kind") == "first_on_scene_within" else None
        if (tg.get("kind") == "air_response_within" and "helicopter" not in fleets
                and "air" not in kinds) or (want and not set(want) & kinds):
            notes.append(f"targets[{tg.get('id')}]: the county has none of the resources it "
                         "measures (helicopters or air teams, or its team_kinds); kept, it will "
                         "have nothing to measure")
        tiers = tg.get("tiers") if tg.get("kind") in ("stock_covers",
                                                        "stock_covers_townships") else None
        held = {p.get("tier") for p in data.get("stock_points", [])}
        if tiers and not set(tiers) & held:
            notes.append(f"targets[{tg.get('id')}]: the county has no stock point of the tiers "
                         f"it measures ({', '.join(tiers)}); kept, it counts no stock")

    hazard = data.get("hazard", {})
    bare = [z["name"] for z in data["zones"] if "exposure" not in z]
    if isinstance(hazard, dict) and hazard.get("type") == "flood" and bare:
        notes.append(f"zones {', '.join(bare)}: no exposure block (river, stream, low streets, "
                     "slopes), so the flood does not reach them; give one in an exposure column "
                     "or in the written file")
    rain = hazard.get("rain") if isinstance(hazard, dict) else None
    if isinstance(rain, dict) and isinstance(rain.get("zone_factor"), dict):
        gone = [z for z in rain["zone_factor"] if z not in zones]
        for z in gone:
            rain["zone_factor"].pop(z)
        if gone:
            notes.append(f"hazard.rain.zone_factor: {', '.join(gone)} dropped (zones not in the "
                         "county get the areal mean)")
    old, new = _centroid(base_zones), _centroid(data["zones"])
    for key in ("landfall", "epicentre"):
        point = hazard.get(key) if isinstance(hazard, dict) else None
        if not isinstance(point, dict) or old is None or new is None:
            continue
        shift = _km(old, new)
        if shift <= 20:
            continue
        was = (point["lon"], point["lat"])
        lon = round(float(point["lon"]) + new[0] - old[0], 4)
        lat = round(float(point["lat"]) + new[1] - old[1], 4)
        if not (-180 <= lon <= 180 and -90 <= lat <= 90):
            continue  # the zones' own coordinates are wrong: their cells say so, not the base
        point["lon"], point["lat"] = lon, lat
        point["source"] = (f"assumption: the base scenario's {key} moved {shift:.0f} km with the "
                           "zones by sim import; replace with the county's own")
        notes.append(f"hazard.{key}: moved {shift:.0f} km with the zones, from {was[0]:g}, "
                     f"{was[1]:g} to {point['lon']:g}, {point['lat']:g} (the base's zones lie "
                     "elsewhere); replace it")


def import_county(spreadsheet: str | Path, base: str | Path, name: str | None = None
                  ) -> Imported:
    """Build a scenario from a county's spreadsheets and a base scenario.

    Parameters
    ----------
    spreadsheet : path
        An ``.xlsx`` workbook with one sheet per kind, or a directory of ``KIND.csv`` files
        (:data:`SHEETS`; a ``zones`` sheet is required).
    base : path
        The scenario that gives everything else (items, needs, hazard, rules, targets), and
        the entities of the kinds the spreadsheets do not have, where their references hold.
    name : str, optional
        The scenario's name (default: the spreadsheet's name).

    Returns
    -------
    Imported
        The validated scenario, its data, and what was changed to fit the base.

    Raises
    ------
    SpreadsheetError
        One located line per problem (sheet, row, column), also for problems the scenario
        validation finds.
    ScenarioError
        If the base scenario is not valid.
    """
    from sim.scenario.skeleton import name_from_path

    path = Path(spreadsheet)
    base_sc = load_scenario(base)
    base_data = load_yaml_data(read_text(base), str(base))
    tables, warnings = read_tables(path)
    problems: list[Problem] = []
    items: dict[str, str] = {}
    for key, item in base_sc.items.items():
        items[norm(key)] = key
        if item.name_zh:
            items.setdefault(norm(item.name_zh), key)
    defaults = source_defaults(tables, problems)
    sheets: dict[str, SheetRows] = {}
    for t in tables:
        if t.kind == "sources":
            continue
        if t.kind in sheets:
            problems.append(located(t.where, "", f"a second {t.kind} table; give one"))
            continue
        sheets[t.kind] = read_sheet(t, items, defaults.get(t.kind, {}), problems, warnings)
    if "zones" not in sheets and not problems:
        problems.append(Problem(str(path), None, "", "no zones sheet (乡镇): the county's "
                                "zones are required"))
    if problems:
        raise SpreadsheetError(problems)

    data = copy.deepcopy(base_data)
    data["name"] = name or name_from_path(path.stem)
    data["title"] = {"en": f"{data['name']}: imported from {path.name}"}
    data["description"] = (f"Zones and resources from {path.name}; hazard, needs, response rules "
                           f"and targets from {Path(base).name}.")
    origins: dict[tuple[str, ...], list[Origin]] = {}
    for kind, sheet in sheets.items():
        coll = COLLECTIONS[kind]
        origins[coll] = sheet.origins
        if kind == "links":
            roads = data.get("roads") if isinstance(data.get("roads"), dict) else {}
            data["roads"] = {"links": sheet.entities,
                             **({"damage": roads["damage"]} if "damage" in roads else {})}
        else:
            data[kind] = sheet.entities
    _resolve_chinese_names(data)
    for z in data["zones"]:  # the base's exposure of a zone of the same name
        old = next((b for b in base_data.get("zones", []) if b.get("name") == z["name"]), None)
        if old is not None and "exposure" in old and "exposure" not in z:
            z["exposure"] = copy.deepcopy(old["exposure"])
    notes: list[str] = []
    kept_kinds = {k for k in ("shelters", "stock_points", "vehicles", "teams", "hospitals")
                  if k not in sheets}
    if "links" not in sheets:
        kept_kinds.add("links")
    _fit_base(data, base_data, notes, kept_kinds)
    if "links" in sheets:
        on = {e for lk in data["roads"]["links"] for e in (lk.get("a"), lk.get("b"))}
        off = [z["name"] for z in data["zones"] if z["name"] not in on]
        if off:
            warnings.append(f"{sheets['links'].origins[0].where}: zones on no link (no road "
                            f"reaches them): {', '.join(off)}")
    try:
        sc = Scenario.model_validate(data)
    except ValidationError as exc:
        raise SpreadsheetError(_validation_problems(
            ((tuple(e["loc"]), _message(e)) for e in exc.errors(include_url=False)),
            data, origins, str(base))) from None
    except CrossReferenceError as exc:
        raise SpreadsheetError(_validation_problems(exc.problems, data, origins,
                                                    str(base))) from None
    return Imported(sc, data, [k for k in SHEETS if k in sheets], notes, warnings,
                    f"{path} --base {base}", str(base))


_REFERENCES = (("shelters", "zone", "zones"), ("stock_points", "zone", "zones"),
               ("teams", "base", "zones"), ("hospitals", "zone", "zones"),
               ("shelters", "staff_team", "teams"))


def _resolve_chinese_names(data: dict[str, Any]) -> None:
    """Let a reference give an entity's Chinese name (``name_zh``) instead of its name.

    County lists often say 所在乡镇 = 东山镇 where the zones sheet names the zone ``dongshan``
    with 中文名 东山镇. A reference that is no name but is exactly one entity's ``name_zh`` is
    replaced by that entity's name (in place); anything else is left for the validation.
    """
    def aliases(coll: str) -> tuple[set[str], dict[str, str]]:
        names = {e["name"] for e in data.get(coll, []) if "name" in e}
        zh: dict[str, list[str]] = {}
        for e in data.get(coll, []):
            if e.get("name_zh") and "name" in e:
                zh.setdefault(e["name_zh"], []).append(e["name"])
        return names, {k: v[0] for k, v in zh.items() if len(v) == 1}

    def fix(entity: dict[str, Any], key: str, coll: str) -> None:
        names, zh = aliases(coll)
        ref = entity.get(key)
        if isinstance(ref, str) and ref not in names and ref in zh:
            entity[key] = zh[ref]

    for coll, key, target in _REFERENCES:
        for e in data.get(coll, []):
            fix(e, key, target)
    for v in data.get("vehicles", []):
        fix(v, "base", "stock_points" if v.get("kind") == "truck" else "zones")
    roads = data.get("roads")
    for link in roads.get("links", []) if isinstance(roads, dict) else []:
        fix(link, "a", "zones")
        fix(link, "b", "zones")


def _clean(loc: tuple[Any, ...], data: Any) -> tuple[Any, ...]:
    """A pydantic location without its union branch labels (parts that are not in the data)."""
    out: list[Any] = []
    cur = data
    for part in loc:
        if isinstance(cur, Mapping) and part in cur:
            cur = cur[part]
        elif isinstance(cur, list) and isinstance(part, int) and 0 <= part < len(cur):
            cur = cur[part]
        elif isinstance(cur, Mapping) and isinstance(part, str) and part.isidentifier() and \
                not any(cur.get(k) == part for k in ("kind", "type", "dist")):
            cur = None
        else:
            continue
        out.append(part)
    return tuple(out)


def _validation_problems(errors: Iterable[tuple[tuple[Any, ...], str]], data: dict[str, Any],
                         origins: Mapping[tuple[str, ...], list[Origin]], base: str
                         ) -> list[Problem]:
    """Map schema problems back to the sheet, row and column they came from."""
    order = {o[0].where: i for i, o in enumerate(origins.values()) if o}
    out: list[tuple[tuple[int, int], Problem]] = []
    for loc, msg in errors:
        path = _clean(loc, data)
        found = None
        for coll, origin in origins.items():
            n = len(coll)
            if path[:n] == coll and len(path) > n and isinstance(path[n], int) and \
                    path[n] < len(origin):
                found = (origin[path[n]], path[n + 1:])
                break
        if found is None:
            text = ""
            for part in path:
                text += f"[{part}]" if isinstance(part, int) else \
                    (f".{part}" if text else str(part))
            out.append(((-1, 0), Problem(base, None, text, f"{msg} (in what sim import "
                                               "took from this base scenario)")))
            continue
        origin, rest = found
        where = f"row {origin.row}"
        if rest:
            fld = rest[0]
            if fld in ("items", "prepositioned") and len(rest) > 1 and rest[1] in origin.items:
                where += f", column {origin.items[rest[1]]}"
            elif fld in origin.columns:
                where += f", column {origin.columns[fld]}"
            else:
                where += f", column {fld}"
        out.append(((order.get(origin.where, 0), origin.row), located(origin.where, where, msg)))
    out.sort(key=lambda x: x[0])
    return [p for _, p in out]
