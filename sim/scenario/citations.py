"""Citations in scenario and pack sources, resolved against the project's own pages.

A ``source`` string cites two kinds of things this module can check:

- a section of the reference pages ``docs/reference/parameters.md`` (``par. §14``,
  ``parameters.md §10``) and ``docs/reference/jurisdictions.md`` (``jur. §5.5``,
  ``jurisdictions.md §2.4``, ``jur. §1.5 E1-E5``, ``jurisdictions.md §4.1-4.2``,
  ``jur. §1.3, §1.5``);
- a line of a seed plan in ``scenarios/plans/`` (``004_wenzhou_plan.txt#L433``, ranges
  ``#L369-L371`` / ``#L123-125`` / ``#L123–125``, and the lines that follow a named plan in the
  same string: ``#L474``, ``and L958-L962``, ``, L1443``).

:func:`check_citations` walks a scenario or pack YAML file (every string under a key named
``source`` or ``sources``) and returns one :class:`Finding` per citation that does not resolve.
:func:`clause_number_findings` checks that a target's plan line states the target's number
(``hours: 10`` against "10小时").
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

import yaml

__all__ = [
    "DEFAULT_PRIMARY",
    "PRIMARY_FIELDS",
    "ROOT",
    "Citation",
    "ClauseCheck",
    "Finding",
    "check_all",
    "check_citations",
    "clause_checks",
    "clause_number_findings",
    "find_citations",
    "number_stated",
    "plan_lines",
    "reference_sections",
    "resolve",
    "source_strings",
]

ROOT = Path(__file__).resolve().parents[2]
"""The repository root (``docs/reference`` and ``scenarios/plans`` live under it)."""

PAGES = {"par.": "parameters.md", "parameters.md": "parameters.md",
         "jur.": "jurisdictions.md", "jurisdictions.md": "jurisdictions.md"}

_SEC = r"\d+(?:\.\d+)*"
_EVENT = r"E\d+(?:\s?[-–]\s?E\d+)?"
_ONE = rf"§\s?({_SEC})(?:\s?[-–]\s?({_SEC}))?(?:\s+({_EVENT}))?"
REFERENCE = re.compile(
    rf"(?<![\w/])(par\.|jur\.|parameters\.md|jurisdictions\.md)\s?({_ONE}"
    rf"(?:(?:,\s?|\s(?:and|or)\s)§\s?{_SEC}(?:\s?[-–]\s?{_SEC})?(?:\s+{_EVENT})?)*)"
)
"""A reference citation with its continuation list (``jur. §1.3, §1.5``)."""
_ONE_RE = re.compile(_ONE)

PLAN_FILE = re.compile(r"\b(\d{3}_[a-z]+_plan\.txt)")
LINE = re.compile(r"(?:(?<=\.txt)#|(?<![\w#])#?)L(\d+)(?:\s?[-–]\s?L?(\d+))?(?!\w)")
"""A plan line or range, with or without the ``#`` (``#L433``, ``L958-L962``, ``#L123–125``)."""


@dataclass(frozen=True)
class Citation:
    """One citation found in a source string.

    Attributes
    ----------
    text : str
        The citation as written (``"jur. §1.5 E1-E5"``, ``"004_wenzhou_plan.txt#L433"``).
    kind : {"reference", "plan"}
        A section of a reference page or a line (range) of a seed plan.
    page : str
        ``parameters.md``, ``jurisdictions.md``, or the plan file (``004_wenzhou_plan.txt``);
        empty for a plan line whose plan the string never names.
    section : str | None
        The section number (``"5.5"``) of a reference citation.
    events : tuple[str, ...]
        Event labels of a disaster-history section (``("E1", "E5")`` for ``E1-E5``).
    lines : tuple[int, int] | None
        First and last cited line of a plan citation (1-based, inclusive).
    """

    text: str
    kind: Literal["reference", "plan"]
    page: str
    section: str | None = None
    events: tuple[str, ...] = ()
    lines: tuple[int, int] | None = None


@dataclass(frozen=True)
class Finding:
    """A citation that does not resolve, or a clause number its plan line does not state.

    Attributes
    ----------
    file : str
        The YAML file, relative to the repository root where possible.
    path : str
        Where the string is in the YAML data (``targets[0].source``).
    citation : str
        The citation as written.
    problem : str
        What is wrong, in words.
    kind : {"reference", "plan", "clause"}
        An unresolved reference section, an unresolved plan line, or a clause number its plan
        line does not state.
    """

    file: str
    path: str
    citation: str
    problem: str
    kind: Literal["reference", "plan", "clause"] = "reference"

    def __str__(self) -> str:
        return f"{self.file}: {self.path}: {self.citation!r}: {self.problem}"


def _sections_of(text: str) -> list[str]:
    """Expand ``4.1-4.2`` (or ``4.1`` alone) into the section numbers it names."""
    m = re.fullmatch(rf"({_SEC})\s?[-–]\s?({_SEC})", text)
    if not m:
        return [text.rstrip(".")]
    a, b = m.group(1).rstrip("."), m.group(2).rstrip(".")
    pa, pb = a.split("."), b.split(".")
    if len(pa) == len(pb) and pa[:-1] == pb[:-1] and int(pa[-1]) <= int(pb[-1]):
        stem = ".".join(pa[:-1])
        return [f"{stem}.{i}" if stem else str(i) for i in range(int(pa[-1]), int(pb[-1]) + 1)]
    return [a, b]


def _events_of(text: str | None) -> tuple[str, ...]:
    if not text:
        return ()
    return tuple(re.findall(r"E\d+", text))


def find_citations(text: str) -> list[Citation]:
    """Every reference-section and plan-line citation in a source string, in order.

    Parameters
    ----------
    text : str
        A provenance text.

    Returns
    -------
    list[Citation]
        One entry per cited section (a range ``§4.1-4.2`` gives two) and per cited plan line or
        range. A line without a plan name (``#L474``) belongs to the last plan named before it in
        the string; with no plan named before it its ``page`` is empty (it does not resolve).
    """
    found: list[tuple[int, Citation]] = []
    for m in REFERENCE.finditer(text):
        page = PAGES[m.group(1)]
        for one in _ONE_RE.finditer(m.group(2)):
            written = f"{m.group(1)} {one.group(0)}"
            sec = one.group(1) if one.group(2) is None else f"{one.group(1)}-{one.group(2)}"
            for s in _sections_of(sec):
                found.append((m.start() + one.start(), Citation(
                    written, "reference", page, section=s, events=_events_of(one.group(3)))))
    plans = [(m.start(), m.end(), m.group(1)) for m in PLAN_FILE.finditer(text)]
    for m in LINE.finditer(text):
        # a plan-named citation: the line token follows its file name directly
        named = next((p for p in plans if p[1] == m.start() and m.group(0).startswith("#")),
                     None)
        if named is None:
            before = [p for p in plans if p[1] <= m.start()]
            owner = before[-1] if before else None
        else:
            owner = named
        first = int(m.group(1))
        last = int(m.group(2)) if m.group(2) else first
        page = owner[2] if owner else ""
        written = f"{page}{m.group(0) if m.group(0).startswith('#') else '#' + m.group(0)}"
        found.append((m.start(), Citation(written, "plan", page, lines=(first, last))))
    return [c for _, c in sorted(found, key=lambda x: x[0])]


@dataclass(frozen=True)
class _Section:
    number: str
    title: str
    text: str


@lru_cache(maxsize=8)
def reference_sections(page: Path) -> dict[str, _Section]:
    """The numbered sections of a reference page.

    Parameters
    ----------
    page : Path
        A Markdown page whose sections are headings ``## N. Title`` or ``### N.M Title``.

    Returns
    -------
    dict[str, _Section]
        By section number (``"5.5"``): its title and its text up to the next heading of the same
        or a higher level (a top-level section contains its subsections).
    """
    lines = page.read_text(encoding="utf-8").splitlines()
    heads: list[tuple[int, int, str, str]] = []
    for i, line in enumerate(lines):
        m = re.match(rf"^(#{{2,4}})\s+({_SEC})\.?\s+(.*)$", line)
        if m:
            heads.append((i, len(m.group(1)), m.group(2), m.group(3)))
    out: dict[str, _Section] = {}
    for k, (i, level, number, title) in enumerate(heads):
        end = next((j for j, lv, _, _ in heads[k + 1:] if lv <= level), len(lines))
        out[number] = _Section(number, title, "\n".join(lines[i:end]))
    return out


@lru_cache(maxsize=16)
def plan_lines(plan: Path) -> tuple[str, ...]:
    """The physical lines of a seed plan (line ``n`` is item ``n - 1``)."""
    return tuple(plan.read_text(encoding="utf-8").splitlines())


def resolve(citation: Citation, root: Path = ROOT) -> str | None:
    """Why a citation does not resolve, or None if it does.

    Parameters
    ----------
    citation : Citation
        A citation from :func:`find_citations`.
    root : Path
        The repository root.

    Returns
    -------
    str | None
        The problem in words: a missing page, section, event, plan or line.
    """
    if citation.kind == "reference":
        page = root / "docs" / "reference" / citation.page
        if not page.exists():
            return f"docs/reference/{citation.page} does not exist"
        sections = reference_sections(page)
        sec = sections.get(citation.section or "")
        if sec is None:
            return f"docs/reference/{citation.page} has no section §{citation.section}"
        for ev in citation.events:
            if not re.search(rf"\*\*{ev}\.", sec.text):
                return f"§{citation.section} of {citation.page} has no event {ev}"
        return None
    if not citation.page:
        return "a plan line without a plan: name the plan file before it"
    plan = root / "scenarios" / "plans" / citation.page
    if not plan.exists():
        return f"scenarios/plans/{citation.page} does not exist"
    assert citation.lines is not None
    first, last = citation.lines
    n = len(plan_lines(plan))
    if not 1 <= first <= last <= n:
        return f"lines {first}-{last} are not all lines of {citation.page} ({n} lines)"
    return None


def source_strings(data: Any, path: str = "", under: bool = False) -> Iterator[tuple[str, str]]:
    """Every string under a key named ``source`` or ``sources`` in YAML data.

    Parameters
    ----------
    data : Any
        Parsed YAML (dicts, lists, scalars).
    path : str
        The path of ``data`` (``targets[0]``), for the findings.
    under : bool
        Whether ``data`` is already inside a ``source``/``sources`` value.

    Yields
    ------
    tuple[str, str]
        The path of the string (``targets[0].source``, ``values.water.sources.x``) and the string.
    """
    if isinstance(data, Mapping):
        for key, value in data.items():
            sub = f"{path}.{key}" if path else str(key)
            yield from source_strings(value, sub, under or key in ("source", "sources"))
    elif isinstance(data, list):
        for i, value in enumerate(data):
            yield from source_strings(value, f"{path}[{i}]", under)
    elif isinstance(data, str) and under:
        yield path, data


def _rel(path: Path, root: Path) -> str:
    try:
        return str(path.resolve().relative_to(root.resolve()))
    except ValueError:
        return str(path)


def check_citations(path: Path | str, root: Path = ROOT, clauses: bool = True
                    ) -> list[Finding]:
    """Citations in a scenario or pack file that do not resolve.

    Parameters
    ----------
    path : Path | str
        A scenario or pack YAML file.
    root : Path
        The repository root holding ``docs/reference`` and ``scenarios/plans``.
    clauses : bool
        Also report targets whose cited plan lines do not state their number
        (:func:`clause_number_findings`, kind ``clause``).

    Returns
    -------
    list[Finding]
        One per unresolved citation (kind ``reference`` or ``plan``) and, with ``clauses``, per
        clause number not found; empty when everything resolves.
    """
    path = Path(path)
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    out: list[Finding] = []
    for where, text in source_strings(data):
        for c in find_citations(text):
            problem = resolve(c, root)
            if problem:
                out.append(Finding(_rel(path, root), where, c.text, problem, c.kind))
    if clauses:
        out += clause_number_findings(path, root)[1]
    return out


def check_all(root: Path = ROOT) -> tuple[int, list[Finding]]:
    """Check the citations of every scenario and pack of a repository (not the clause numbers).

    Returns
    -------
    tuple[int, list[Finding]]
        The number of citations checked and the findings.
    """
    files = sorted((root / "scenarios").glob("*.yaml")) + sorted(
        (root / "scenarios" / "packs").glob("*.yaml"))
    count = 0
    findings: list[Finding] = []
    for f in files:
        data = yaml.safe_load(f.read_text(encoding="utf-8"))
        count += sum(len(find_citations(t)) for _, t in source_strings(data))
        findings += check_citations(f, root, clauses=False)
    return count, findings


# --- the clause's number on its plan line ------------------------------------------------------

_CN_DIGITS = {"零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7,
              "八": 8, "九": 9}
_CN_NUMBER = re.compile(
    r"[一二两三四五六七八九十]+(?=\s*(?:个|小时|分钟|天|日|公里|千米|平方米|%|％|乡|镇|人))")


def _cn_to_int(text: str) -> int:
    """一..九十九 (``三`` → 3, ``十二`` → 12, ``二十`` → 20)."""
    if "十" not in text:
        return int("".join(str(_CN_DIGITS[c]) for c in text))
    tens, _, units = text.partition("十")
    return (_CN_DIGITS[tens] if tens else 1) * 10 + (_CN_DIGITS[units] if units else 0)


def _normalise(text: str) -> str:
    """Digits in ASCII, ``％`` as ``%``, Chinese numerals before a unit as digits, 半小时 as 0.5."""
    text = text.translate(str.maketrans("０１２３４５６７８９％．", "0123456789%."))
    text = text.replace("半小时", "0.5小时").replace("半个小时", "0.5小时")
    return _CN_NUMBER.sub(lambda m: str(_cn_to_int(m.group(0))), text)


def _fmt(x: float) -> list[str]:
    """Ways a plan writes a number: ``10``, ``1.5``, ``0.9`` (and ``10.0`` as ``10``)."""
    s = f"{x:.6f}".rstrip("0").rstrip(".")
    return [s]


_UNITS: dict[str, list[tuple[float, str]]] = {
    # field: (factor to apply to the target's value, unit pattern after the number)
    "hours": [(1, r"\s*(?:个)?\s*(?:小时|h\b|hours?\b)"), (60, r"\s*分钟")],
    "minutes": [(1, r"\s*(?:分钟|min\b|minutes?\b)"), (1 / 60, r"\s*(?:个)?\s*(?:小时|h\b)")],
    "share": [(100, r"\s*%")],
    "radius_km": [(1, r"\s*(?:公里|千米|km\b)")],
    "min_m2": [(1, r"\s*(?:平方米|m2\b|m²|㎡)")],
    "townships": [(1, r"\s*(?:个)?\s*乡镇")],
    "days": [(1, r"\s*(?:天|日|d\b|days?\b)")],
    "people": [(1, r"\s*人"), (1e-4, r"\s*万人")],
    "max": [(1, r"")],
}
"""How a plan writes each kind of clause number: a factor and the unit that follows it."""

PRIMARY_FIELDS: dict[str, tuple[str, ...]] = {
    "relief_within": ("hours",),
    "trapped_reached_within": ("hours",),
    "first_on_scene_within": ("minutes",),
    "air_response_within": ("minutes",),
    "deaths_per_million": ("max",),
    "shelter_area_per_person": ("min_m2",),
    "stock_covers_townships": ("townships",),
    "stock_covers": (),
    "evacuated_before_onset": (),
    "warning_reach_within": ("share",),
}
"""The number that *is* the clause, per target kind: the plan line a target cites must state it.

Every other numeric field in :data:`_UNITS` (``share`` of a relief target, ``radius_km``,
``days``, ``people``) is secondary: the plan line is checked for it only when the line states a
number in that field's unit and the source does not mark the value as the modeller's
(:data:`_READING_MARKS`). A kind not listed here takes :data:`DEFAULT_PRIMARY` (its time,
bound, area or count).
"""

DEFAULT_PRIMARY = ("hours", "minutes", "max", "min_m2", "townships")
"""The primary fields of a target kind missing from :data:`PRIMARY_FIELDS`."""

_READING_MARKS = ("assum", "interpret", "reading", "read as")
"""Words with which a source declares a value to be the modeller's, not the plan's."""


def number_stated(field: str, value: float, text: str) -> bool:
    """Whether ``text`` states ``value`` in the unit of ``field``.

    Parameters
    ----------
    field : str
        A target field with a known unit (``hours``, ``minutes``, ``share``, ...).
    value : float
        The target's value (a share as a fraction: 0.9 is looked for as ``90%``).
    text : str
        Plan text; Chinese numerals before a unit count (``三个乡镇`` states 3 townships).

    Returns
    -------
    bool
    """
    text = _normalise(text)
    for factor, unit in _UNITS[field]:
        for s in _fmt(value * factor):
            if re.search(rf"(?<![\d.]){re.escape(s)}(?:\.0+)?(?![\d]|\.\d){unit}", text):
                return True
    return False


def _unit_stated(field: str, text: str) -> bool:
    """Whether ``text`` states any number in the unit of ``field``."""
    text = _normalise(text)
    return any(unit and re.search(rf"\d{unit}", text) for _, unit in _UNITS[field])


@dataclass(frozen=True)
class ClauseCheck:
    """One clause number checked against the plan lines its target cites.

    Attributes
    ----------
    target : str
        The target's ``id``.
    field : str
        The checked field (``hours``).
    value : float
        The target's value.
    lines : tuple[str, ...]
        The cited plan lines (``004_wenzhou_plan.txt#L433``).
    stated : bool
        Whether the cited lines (with ``slack`` lines either side) state the value.
    """

    target: str
    field: str
    value: float
    lines: tuple[str, ...]
    stated: bool


def _cited_text(cites: list[Citation], root: Path, slack: int) -> str:
    parts: list[str] = []
    for c in cites:
        plan = root / "scenarios" / "plans" / c.page
        if not plan.exists() or c.lines is None:
            continue
        lines = plan_lines(plan)
        lo = max(1, c.lines[0] - slack)
        hi = min(len(lines), c.lines[1] + slack)
        parts.append("\n".join(lines[lo - 1:hi]))
    return "\n".join(parts)


def clause_checks(target: Mapping[str, Any], root: Path = ROOT, slack: int = 2
                  ) -> list[ClauseCheck]:
    """Check a target's clause numbers against the plan lines its source cites.

    A target is checked when its ``source`` cites a plan line. Its primary number
    (:data:`PRIMARY_FIELDS`) must be stated by the cited lines, unless the source also cites a
    reference section (``par. §9``) that gives the number instead, as when a plan sets no time
    and a published standard supplies one. A secondary number is checked when the cited lines
    state a number in its unit and the source does not mark the value as the modeller's reading.

    Parameters
    ----------
    target : Mapping[str, Any]
        A target as parsed from YAML (``kind``, ``id``, ``source`` and its numbers).
    root : Path
        The repository root.
    slack : int
        Lines either side of each cited line (or range) that count as cited.

    Returns
    -------
    list[ClauseCheck]
        One per checked number (empty when the source cites no plan line).
    """
    source = target.get("source")
    if not isinstance(source, str):
        return []
    cites = find_citations(source)
    plan_cites = [c for c in cites if c.kind == "plan" and c.page]
    if not plan_cites:
        return []
    text = _cited_text(plan_cites, root, slack)
    primary = PRIMARY_FIELDS.get(str(target.get("kind")), DEFAULT_PRIMARY)
    other_basis = any(c.kind == "reference" for c in cites)
    reading = any(mark in source.lower() for mark in _READING_MARKS)
    out: list[ClauseCheck] = []
    for field in _UNITS:
        value = target.get(field)
        if isinstance(value, bool) or not isinstance(value, int | float):
            continue
        if field in primary:
            if other_basis and not number_stated(field, float(value), text):
                continue
        elif reading or not _unit_stated(field, text):
            continue
        out.append(ClauseCheck(str(target.get("id")), field, float(value),
                               tuple(c.text for c in plan_cites),
                               number_stated(field, float(value), text)))
    return out


def clause_number_findings(path: Path | str, root: Path = ROOT, slack: int = 2
                           ) -> tuple[int, list[Finding]]:
    """Targets of a scenario file whose cited plan lines do not state their number.

    Parameters
    ----------
    path : Path | str
        A scenario YAML file.
    root : Path
        The repository root.
    slack : int
        Lines either side of the cited lines that count.

    Returns
    -------
    tuple[int, list[Finding]]
        The number of clause numbers checked, and one finding per number not stated.
    """
    path = Path(path)
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    targets = (data.get("targets") or []) if isinstance(data, Mapping) else []
    checked = 0
    out: list[Finding] = []
    for i, t in enumerate(targets):
        if not isinstance(t, Mapping):
            continue
        for chk in clause_checks(t, root, slack):
            checked += 1
            if not chk.stated:
                out.append(Finding(
                    _rel(path, root), f"targets[{i}].source", ", ".join(chk.lines),
                    f"target {chk.target}: {chk.field} {chk.value:g} is not stated on the cited "
                    f"line(s) (±{slack})", "clause"))
    return checked, out
