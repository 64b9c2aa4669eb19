"""Hard input (issue 13): no file, inject, override or option hangs, exhausts memory or crashes.

Every case is run in this process through the command line's entry point (tests.cli_helpers),
in every command that reads the input: exit status 2, exactly one line that names the file (or
``--set``), the line where there is one and the field, no traceback, within a generous wall-clock
guard. A property test feeds arbitrary bytes and mutated YAML to the loaders: they load or raise
the project's located input error, never anything else.
"""

from __future__ import annotations

import functools
import re
import socket
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

import sim
from sim.interventions import load_interventions
from sim.scenario import limits
from sim.scenario.loader import ScenarioError, load_scenario, parse_scenario
from sim.scenario.overrides import parse_set, read_overrides
from tests.cli_helpers import Completed, sim_main
from tests.conftest import DEMO

SRC = DEMO.read_text(encoding="utf-8")
GUARD_S = 20.0
"""Wall-clock guard per command: a case that hangs or allocates without end fails it (the cases
take well under a second each, the alias bomb about 3 s; the guard is generous on purpose)."""

LINE = re.compile(r"^(?P<file>[^:]+?)(?::(?P<line>\d+))?: (?:(?P<path>[\w\[\].\-]+): )?"
                  r"(?P<msg>.+)$")

ALIAS_BOMB = (
    'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
    + "".join(f"{c}: &{c} [{', '.join([f'*{p}'] * 9)}]\n" for p, c in zip("abcdefgh", "bcdefghi",
                                                                          strict=True))
)
"""The "billion laughs": 9^9 values from 420 bytes."""

NESTED = "[" * 3000 + "]" * 3000


def one_line(p: Completed, file: str | Path, path: str | None, needle: str = "") -> str:
    """Assert a clean input error: status 2, one located line naming ``file`` and ``path``."""
    assert p.returncode == 2, (p.args, p.returncode, p.stderr[-2000:])
    assert "Traceback" not in p.stderr
    lines = p.stderr.strip().splitlines()
    assert len(lines) == 1, lines
    m = LINE.match(lines[0])
    assert m is not None, lines[0]
    assert m["file"] == str(file), lines[0]
    if path is not None:
        assert m["path"] == path, lines[0]
    assert needle in lines[0], lines[0]
    return lines[0]


def timed(*args: str | Path) -> Completed:
    t0 = time.perf_counter()
    p = sim_main(*args)
    assert time.perf_counter() - t0 < GUARD_S, (args, time.perf_counter() - t0)
    return p


def variant(tmp_path: Path, name: str, old: str, new: str) -> Path:
    assert old in SRC, name
    f = tmp_path / f"{name}.yaml"
    f.write_text(SRC.replace(old, new, 1), encoding="utf-8")
    return f


def _target() -> str:
    return sim.load_scenario(DEMO).targets[0].id


# Every command that reads a scenario file, as a function of the file.
COMMANDS: dict[str, Callable[[Path, Path], list[str | Path]]] = {
    "validate": lambda f, _t: ["validate", f],
    "run": lambda f, _t: ["run", f, "--seed", "1"],
    "study": lambda f, _t: ["study", f, "--runs", "2", "--workers", "1"],
    "compare": lambda f, _t: ["compare", f, "--runs", "2", "--workers", "1",
                              "--set", "vehicles[county_trucks].count=3"],
    "sensitivity": lambda f, _t: ["sensitivity", f, "--n", "2", "--workers", "1"],
    "discover": lambda f, _t: ["discover", f, "--runs", "10", "--workers", "1"],
    "plan": lambda f, t: ["plan", f, "--levers", t / "levers.yaml", "--targets", _target(),
                          "--runs", "10", "--workers", "1"],
    "report": lambda f, t: ["report", f, "--quick", "--out", t / "report", "--workers", "1"],
    "params": lambda f, _t: ["params", f],
    "footprint": lambda f, _t: ["footprint", f],
}

# name -> (text in the demo, replacement, field path in the message, words the message holds)
SCENARIO_CASES: dict[str, tuple[str, str, str | None, str]] = {
    "timestamp_in_name": ("name: demo_coastal_typhoon", "name: 2001-02-30", "name",
                          "not a real date"),
    "timestamp_in_number": ("population: 42000", "population: 2001-02-30",
                            "zones[0].population", "not a real date"),
    "nested_brackets": ("description: >", f"extra: {NESTED}\ndescription: >", None,
                        "at most 64 levels"),
    "recursive_alias": ("description: >", "extra: &r [1, *r]\ndescription: >", "extra[1]",
                        "inside its own anchor"),
    "end_h_1e12": ("end_h: 72", "end_h: 1e12", "time.end_h", "at most 8,760 h"),
    "start_h_far_back": ("start_h: -36", "start_h: -1.0e+9", "time.end_h", "at most 8,760 h"),
    "record_every_1e-7": ("record_every_h: 1", "record_every_h: 1e-7", "time.record_every_h",
                          "at most 20,000 records"),
    "population_1e15": ("population: 42000", "population: 1000000000000000",
                        "zones[0].population", "at most 50,000,000 people"),
    "population_total": ("population: 42000, households: 15000",
                         "population: 49000000, households: 15000", None, ""),
    "vehicles_1e8": ("count: 4, capacity_persons: 45", "count: 100000000, capacity_persons: 45",
                     "vehicles[2].count", "at most 100,000 vehicles"),
    "vehicles_unbounded_dist": ("count: 4, capacity_persons: 45",
                                "count: {dist: poisson, lam: 4}, capacity_persons: 45",
                                "vehicles[2].count", "at most 100,000 vehicles"),
    "teams_1e8": ("headcount: 25, count: 2", "headcount: 25, count: 100000000",
                  "teams[1].count", "at most 100,000 teams"),
    "desks_1e30": ("high: 3}, desks: 4,", "high: 3}, desks: 1000000000000000000000000000000,",
                   "shelters[0].desks", "at most 10,000 desks"),
    "stock_1e15": ("items: {meal: 6000, water_l: 6000, quilt: 1500}",
                   "items: {meal: 1.0e+15, water_l: 6000, quilt: 1500}",
                   "stock_points[1].items.meal", "at most 1,000,000,000,000 units"),
}


EVERY_COMMAND = ("timestamp_in_number", "nested_brackets", "vehicles_1e8", "end_h_1e12")
"""Cases tried in every command (one of each kind: a YAML scalar, YAML structure, a schema
limit, a cross-check limit); the others in validate, run and study, since every command loads
through the same function (keeping the fast suite fast)."""


def test_cases_change_the_demo() -> None:
    for name, (old, _new, _path, _needle) in SCENARIO_CASES.items():
        assert old in SRC, name


@pytest.mark.parametrize("name", sorted(SCENARIO_CASES))
def test_scenario_case_in_every_command(name: str, tmp_path: Path) -> None:
    old, new, path, needle = SCENARIO_CASES[name]
    f = variant(tmp_path, name, old, new)
    if name == "population_total":  # five zones of 49 million pass one by one, not together
        f.write_text(re.sub(r"population: \d+,", "population: 49000000,", f.read_text()))
    commands = COMMANDS if name in EVERY_COMMAND else {
        k: COMMANDS[k] for k in ("validate", "run", "study")}
    for cmd in commands.values():
        line = one_line(timed(*cmd(f, tmp_path)), f, path, needle)
        assert int(LINE.match(line)["line"] or 0) >= 1, line  # type: ignore[index]
    if name == "population_total":
        assert "at most 200,000,000 people" in line and "zones[4].population" in line, line


@pytest.mark.parametrize("name, data, needle", [
    ("latin1", "name: caf\xe9\n".encode("latin-1"), "not UTF-8 text: byte 0xe9"),
    ("nul", b"name: demo\x00\n", "character #x0000 is not allowed"),
    ("alias_bomb", ALIAS_BOMB.encode(), "at most 200,000 YAML values"),
    ("recursive_alias", b"a: &a [1, *a]\n", "inside its own anchor"),
])
def test_scenario_bytes(name: str, data: bytes, needle: str, tmp_path: Path) -> None:
    f = tmp_path / f"{name}.yaml"
    f.write_bytes(data)
    for cmd in ("validate", "run", "study"):
        one_line(timed(*COMMANDS[cmd](f, tmp_path)), f, None, needle)


def test_alias_bomb_is_small_and_huge() -> None:
    """The bomb really is one: a few hundred bytes that PyYAML's own loader would expand."""
    assert len(ALIAS_BOMB) < 500
    assert ALIAS_BOMB.count("*") == 8 * 9


def test_value_limit_while_composing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Values are counted while the file is composed (a long flat list stops at the limit, not
    after composing all of it); the limit made small here, since composing 200,000 takes
    seconds."""
    import sim.scenario.loader as loader

    monkeypatch.setattr(loader, "YAML_NODES", limits.Limit(50, "YAML values", "a test"))
    f = tmp_path / "long.yaml"
    f.write_text("name: x\nzones: [" + ", ".join(["1"] * 100) + "]\n")
    one_line(timed("validate", f), f, None, "too many values: at most 50 YAML values")


def test_deep_flow_nesting_stops_early() -> None:
    """300,000 open brackets are refused at the 65th, in milliseconds (PyYAML's look-ahead over
    open flow collections made 3,000 take 0.4 s and grew with their square)."""
    t0 = time.perf_counter()
    with pytest.raises(ScenarioError, match="nesting too deep: at most 64 levels"):
        parse_scenario("a: " + "[" * 300_000, "deep.yaml")
    assert time.perf_counter() - t0 < 2.0


def test_file_size_limit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A file over the size limit is refused before it is read whole (the limit made small)."""
    import sim.scenario.loader as loader

    monkeypatch.setattr(loader, "FILE_BYTES", limits.Limit(1000, "bytes", "a test"))
    p = one_line(timed("validate", DEMO), DEMO, None, "the file is too large: at most 1,000")
    assert "(the limit: a test)" in p


# -- interventions ----------------------------------------------------------------------------
INJECTS: dict[str, tuple[bytes, str | None, str]] = {
    "before_start": (b"- {kind: close_roads, at_h: -100, zone: county_seat, hours: 4}\n",
                     "[0].at_h", "outside the run"),
    "after_end": (b"- {kind: branch, at_h: 1, branch: 1}\n"
                  b"- {kind: close_roads, at_h: 100, zone: county_seat, hours: 4}\n",
                  "[1].at_h", "outside the run"),
    "count_1e8": (b"- {kind: add_vehicles, at_h: 1, fleet: county_trucks, count: 100000000}\n",
                  "[0].count", "at most 100,000 vehicles"),
    "count_total": (b"- {kind: add_vehicles, at_h: 1, fleet: county_trucks, count: 60000}\n"
                    b"- {kind: add_vehicles, at_h: 2, fleet: county_trucks, count: 60000}\n",
                    "[1].count", "at most 100,000 vehicles"),
    "stock_1e300": (b"- {kind: add_stock, at_h: 1, point: county_depot, items: {meal: 1.0e+300}}\n",
                    "[0].items.meal", "at most 1,000,000,000,000 units"),
    "latin1": ("- {kind: branch, at_h: 1, branch: 1, note: caf\xe9}\n".encode("latin-1"), None,
               "not UTF-8"),
    "nul": (b"- {kind: branch, at_h: 1, branch: 1}\x00\n", None, "#x0000"),
    "timestamp": (b"- {kind: branch, at_h: 1, branch: 1, note: 2001-02-30}\n", "[0].note",
                  "not a real date"),
    "nested": (NESTED.encode(), None, "at most 64 levels"),
    "alias_bomb": (b"- {kind: branch, at_h: 1, branch: 1}\n- " + ALIAS_BOMB.replace(
        "\n", "\n  ").encode(), None, "YAML values"),
}


@pytest.mark.parametrize("name", sorted(INJECTS))
def test_interventions_file(name: str, tmp_path: Path) -> None:
    data, path, needle = INJECTS[name]
    f = tmp_path / f"{name}.yaml"
    f.write_bytes(data)
    for cmd in (["run", DEMO, "-i", f], ["study", DEMO, "--runs", "2", "-w", "1", "-i", f]):
        one_line(timed(*cmd), f, path, needle)


def test_inject_at_the_window_edges_is_accepted(tmp_path: Path) -> None:
    f = tmp_path / "edges.yaml"
    f.write_text("- {kind: branch, at_h: -36, branch: 1}\n- {kind: branch, at_h: 72, branch: 2}\n")
    assert len(load_interventions(f, _demo())) == 2


# -- variant files and --set ------------------------------------------------------------------
VARIANTS: dict[str, tuple[bytes, str | None, str]] = {
    "latin1": ("vehicles[county_trucks].count: 8  # caf\xe9\n".encode("latin-1"), None,
               "not UTF-8"),
    "nul": (b"vehicles[county_trucks].count: 8\x00\n", None, "#x0000"),
    "timestamp": (b"name: 2001-02-30\n", "name", "not a real date"),
    "count_1e8": (b"vehicles[county_trucks].count: 100000000\n", "vehicles[county_trucks].count",
                  "at most 100,000 vehicles"),
    "nested": (b"description: " + NESTED.encode() + b"\n", None, "at most 64 levels"),
    "alias_bomb": (ALIAS_BOMB.encode(), None, "YAML values"),
}


@pytest.mark.parametrize("name", sorted(VARIANTS))
def test_variant_file(name: str, tmp_path: Path) -> None:
    data, path, needle = VARIANTS[name]
    f = tmp_path / f"{name}.yaml"
    f.write_bytes(data)
    one_line(timed("compare", DEMO, "--runs", "2", "-w", "1", "--variant", f"v={f}"), f, path,
             needle)


@pytest.mark.parametrize("expr, path, needle", [
    ("vehicles[county_trucks].count=100000000", "vehicles[county_trucks].count",
     "at most 100,000 vehicles"),
    ("name=2001-02-30", "name", "not a real date"),
    (f"description={NESTED}", "description", "at most 64 levels"),
    ("time.end_h=1e12", "time.end_h", "at most 8,760 h"),
    ("zones[0].population=1000000000000000", "zones[0].population", "at most 50,000,000"),
])
def test_set_option(expr: str, path: str, needle: str) -> None:
    for cmd in (["study", DEMO, "--runs", "2", "-w", "1", "--set", expr],
                ["compare", DEMO, "--runs", "2", "-w", "1", "--set", expr]):
        one_line(timed(*cmd), "--set", path, needle)


# -- the Dask scheduler -----------------------------------------------------------------------
def test_unreachable_scheduler_fails_within_seconds(monkeypatch: pytest.MonkeyPatch) -> None:
    """Connecting is given up after the timeout (1 s here for a fast suite; 5 s by default)."""
    pytest.importorskip("distributed")
    import sim.study.executors as executors

    assert executors.SCHEDULER_TIMEOUT_S <= 10
    monkeypatch.setattr(executors, "SCHEDULER_TIMEOUT_S", 1.0)

    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    t0 = time.perf_counter()
    p = timed("study", DEMO, "--runs", "2", "--scheduler", f"tcp://127.0.0.1:{port}")
    assert time.perf_counter() - t0 < 1.0 + 10
    assert p.returncode == 2 and "Traceback" not in p.stderr, p.stderr
    lines = p.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"sim: error: --scheduler tcp://127.0.0.1:"
                                                   f"{port}: cannot connect"), lines
    assert "after 1 s" in lines[0], lines  # Dask's own words: the timeout given was used


def test_malformed_scheduler_address() -> None:
    pytest.importorskip("distributed")
    p = timed("study", DEMO, "--runs", "2", "--scheduler", "nonsense://x")
    assert p.returncode == 2 and len(p.stderr.strip().splitlines()) == 1, p.stderr
    assert "unknown address scheme" in p.stderr


# -- limits are where the documentation says ----------------------------------------------------
def test_limits_hold_the_shipped_scenarios_with_room() -> None:
    """Every shipped scenario loads, far inside every limit (a limit does not refuse real
    plans)."""
    from sim.scenario.distributions import support_of

    for f in sorted((DEMO.parent).glob("*.yaml")):
        sc = load_scenario(f)
        assert sum(z.population for z in sc.zones) * 10 < limits.TOTAL_POPULATION.value
        assert sum(support_of(v.count)[1] for v in sc.vehicles) * 100 < limits.VEHICLES.value
        assert (sc.time.end_h - sc.time.start_h) * 10 < limits.HORIZON_H.value


def test_at_the_limit_is_accepted(tmp_path: Path) -> None:
    """The limits are inclusive: exactly at a limit loads."""
    f = variant(tmp_path, "at_limit", "population: 42000", "population: 50000000")
    assert load_scenario(f).zones[0].population == 50_000_000
    g = variant(tmp_path, "year", "end_h: 72", "end_h: 8724")
    assert load_scenario(g).time.end_h == 8724


# -- property: the loaders load or raise the located input error -----------------------------
NASTY = ["2001-02-30", "2001-02-03", "12:30:00", "&a ", "*a", "*b", "&b [*b]", "[", "]", "{",
         "}", ": ", "\n", "\n  ", "- ", "? ", "|", ">", "#", "'", '"', "\t", "\x00", "\xe9",
         "!!binary x", "!!python/object:os.system", "!!timestamp 2001-13-45", "!!float x",
         "!!bool maybe", "!!timestamp x",
         "!!int 0x", "<<: ", "1e999", ".inf", ".nan", "-.inf", "~", "null", "yes", "0o17",
         "1" * 5000, "0x7fffffffffffffffffffff", "%YAML 1.1\n", "---\n", "...\n", "\ufeff",
         "\u2028", "\x85", "[" * 70, "{a: " * 70]

mutation = st.tuples(st.floats(0, 1), st.integers(0, 30),
                     st.one_of(st.sampled_from(NASTY), st.text(max_size=12)))


def _mutate(text: str, edits: list[tuple[float, int, str]]) -> str:
    for where, cut, insert in edits:
        i = int(where * len(text))
        text = text[:i] + insert + text[i + cut:]
    return text


@functools.cache
def _demo() -> sim.Scenario:
    return sim.load_scenario(DEMO)


def _loads_or_located(fn: Callable[[], object]) -> None:
    try:
        fn()
    except ScenarioError as exc:
        assert exc.problems
        for pr in exc.problems:
            assert pr.file and "\n" not in str(pr), str(pr)


@pytest.mark.parametrize("tagged", ["!!timestamp 2001-13-45", "!!timestamp x", "!!bool maybe",
                                    "!!int 0x", "!!float ."])
def test_an_explicit_tag_that_cannot_be_read_is_located(tagged: str) -> None:
    """PyYAML's constructors fail on these with KeyError or AttributeError, not a YAML error
    (found by the mutation test below: a timestamp tag before the file's first comment)."""
    for text in (f"{tagged}{SRC}", SRC.replace("population: 42000", f"population: {tagged}")):
        with pytest.raises(ScenarioError) as err:
            parse_scenario(text, "tagged.yaml")
        assert all(pr.file == "tagged.yaml" and pr.line >= 1 for pr in err.value.problems)


@given(st.lists(mutation, min_size=1, max_size=4))
def test_mutated_scenario_loads_or_is_located(edits: list[tuple[float, int, str]]) -> None:
    _loads_or_located(lambda: parse_scenario(_mutate(SRC, edits), "mutated.yaml"))


@given(st.binary(max_size=300), st.sampled_from(["scenario", "interventions", "overrides"]))
def test_arbitrary_bytes_load_or_are_located(data: bytes, kind: str) -> None:
    import tempfile

    with tempfile.TemporaryDirectory() as d:
        f = Path(d) / "input.yaml"
        f.write_bytes(data)
        if kind == "scenario":
            _loads_or_located(lambda: load_scenario(f))
        elif kind == "interventions":
            _loads_or_located(lambda: load_interventions(f, _demo()))
        else:
            _loads_or_located(lambda: read_overrides(f))


SMALL_INJECTS = ("- {kind: add_stock, at_h: 2, point: county_depot, items: {meal: 10}}\n"
                 "- {kind: close_roads, at_h: 3, zone: county_seat, hours: 4}\n"
                 "- {kind: add_vehicles, at_h: 1, fleet: county_trucks, count: 2}\n")


@given(st.lists(mutation, min_size=1, max_size=3))
def test_mutated_interventions_and_sets_load_or_are_located(
        edits: list[tuple[float, int, str]]) -> None:
    import tempfile

    with tempfile.TemporaryDirectory() as d:
        f = Path(d) / "injects.yaml"
        f.write_text(_mutate(SMALL_INJECTS, edits), encoding="utf-8", errors="surrogatepass")
        _loads_or_located(lambda: load_interventions(f, _demo()))
    _loads_or_located(lambda: parse_set(_mutate("vehicles[county_trucks].count=8", edits)))


def test_a_backtest_file_with_bad_bytes_is_located(tmp_path: Path) -> None:
    """Back-test files are read like every other YAML input: a byte that is not UTF-8 is named
    with its line, and an oversized file is refused before it is parsed."""
    from sim.study.backtest import load_backtest

    bad = tmp_path / "bad.yaml"
    bad.write_bytes(b"name: bad\nhazard: flood\ntitle: {en: x, zh: \xff\xfe}\n")
    with pytest.raises(ScenarioError) as exc:
        load_backtest(bad)
    assert [(p.line, "not UTF-8" in p.message) for p in exc.value.problems] == [(3, True)]
    big = tmp_path / "big.yaml"
    big.write_bytes(b"#" * int(limits.FILE_BYTES.value + 1))
    with pytest.raises(ScenarioError, match="too large"):
        load_backtest(big)


def test_a_set_path_with_a_newline_is_one_line() -> None:
    """Regression (found by the mutation property): a newline typed in a --set path made the
    located error two lines."""
    from sim.scenario.loader import ScenarioError
    from sim.scenario.overrides import parse_set

    with pytest.raises(ScenarioError) as exc:
        parse_set("vehicles[county_\ntrucks].count=8\x1f")
    assert "\n" not in str(exc.value) and "county_\\ntrucks" in str(exc.value)
