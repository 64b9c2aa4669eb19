"""Back-tests: the model run against a recorded disaster, figure by figure.

A back-test file (``validation/backtests/NAME.yaml``, format in ``docs/validation.md``) names a
scenario, the hazard *as observed* (track, rain, magnitude, epicentre: overrides by input path,
:mod:`sim.scenario.overrides`, each with its source) and the figures *reported* for the area the
scenario covers (killed, injured, evacuated, displaced, sheltered, trapped). :func:`run_backtest`
applies the observations to the scenario, runs a study of it (:func:`sim.study.runner.run_study`:
run ``i`` uses ``SeedSequence(seed, spawn_key=(i,))``, so the same seed gives the same table
whatever the workers) and sets every reported figure beside the simulated median and 90 %
interval (5th to 95th percentile of the runs): the record is *inside* it, *below* it (the model
is too high), *above* it (the model is too low), or there is *no record*.

Problems in a file are located like a scenario's (``FILE:LINE: field: message``,
:class:`sim.scenario.loader.ScenarioError`); an observed value the scenario format refuses is
located at its line in the back-test file.
"""

from __future__ import annotations

import math
import re
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, Literal

import numpy as np
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from sim.scenario.base import Text
from sim.scenario.loader import (
    Problem,
    ScenarioError,
    _locate,
    _message,
    compose_mapping,
    read_text,
)
from sim.scenario.overrides import Override, apply_overrides, parse_path
from sim.scenario.schema import Scenario

__all__ = [
    "FIGURES",
    "Backtest",
    "BacktestResult",
    "FigureComparison",
    "Observed",
    "Reported",
    "Tuned",
    "compare_figure",
    "has_input",
    "judged_by",
    "load_backtest",
    "miss_words",
    "parse_backtest",
    "run_backtest",
]

FIGURES: dict[str, str] = {
    "killed": "killed",
    "injured": "injured",
    "evacuated": "evacuated_before_onset",
    "displaced": "displaced_by_hazard",
    "sheltered": "shelter_peak_total",
    "trapped": "trapped_total",
}
"""Reported figure -> run metric (``RunResult.metrics``) it is compared with."""

FIGURE_ZH: dict[str, str] = {
    "killed": "死亡失踪", "injured": "受伤", "evacuated": "紧急转移",
    "displaced": "房屋损毁无家可归", "sheltered": "集中安置(峰值)", "trapped": "被困",
}
"""The Chinese name of each reported figure."""

Verdict = Literal["inside", "below", "above", "no record"]

LOW_Q, HIGH_Q = 5.0, 95.0
"""The simulated interval: the 5th to the 95th percentile of the runs (90 %)."""

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}(/\d{4}-\d{2}-\d{2})?$")
_Source = Annotated[str, Field(min_length=1, description="Where the figure comes from.")]


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Observed(_Model):
    """One input as observed, applied as an override of the scenario."""

    path: str = Field(description="Input path, e.g. hazard.max_wind_ms (sim.scenario.overrides).")
    value: Any = Field(description="The observed value (a number, list or mapping).")
    source: _Source

    @field_validator("path")
    @classmethod
    def _path(cls, v: str) -> str:
        parse_path(v)  # ValueError: malformed path
        return v

    @field_validator("value")
    @classmethod
    def _value(cls, v: Any) -> Any:
        if v is None:
            raise ValueError("an observed input needs a value; leave out an input that was "
                             "not observed (the scenario samples it)")
        return v


class Reported(_Model):
    """One figure as recorded.

    ``value`` is the best figure; ``low``/``high`` a recorded range around it, or, without a
    value, the only bounds the records give (``value: null, low: 48415``: at least 48,415).
    ``value: null`` without bounds: no figure was found (shown as such, never invented).
    """

    value: float | None = Field(ge=0, allow_inf_nan=False)
    low: float | None = Field(default=None, ge=0, allow_inf_nan=False)
    high: float | None = Field(default=None, ge=0, allow_inf_nan=False)
    scope: str | None = None
    source: _Source

    @model_validator(mode="after")
    def _range(self) -> Reported:
        lo = self.low if self.low is not None else self.value
        hi = self.high if self.high is not None else self.value
        pts = [x for x in (lo, self.value, hi) if x is not None]
        if pts != sorted(pts):
            raise ValueError(f"expected low <= value <= high, got low={self.low}, "
                             f"value={self.value}, high={self.high}")
        return self

    @property
    def range(self) -> tuple[float, float] | None:
        """The recorded range, None without any record.

        ``(value, value)`` without low/high; an open side is 0 or infinity.
        """
        if self.value is None and self.low is None and self.high is None:
            return None
        lo = self.low if self.low is not None else self.value
        hi = self.high if self.high is not None else self.value
        return (lo if lo is not None else 0.0, hi if hi is not None else math.inf)

    def words(self) -> str:
        """The record as text: ``45``, ``45 (45-48)``, ``0 to 1``, ``at least 48,415``."""
        if self.value is not None:
            if (self.low, self.high) == (None, None) or self.low == self.high == self.value:
                return _n(self.value)
            return f"{_n(self.value)} ({_n(self.low if self.low is not None else self.value)}-" \
                   f"{_n(self.high if self.high is not None else self.value)})"
        if self.low is not None and self.high is not None:
            return f"{_n(self.low)} to {_n(self.high)}"
        if self.low is not None:
            return f"at least {_n(self.low)}"
        if self.high is not None:
            return f"at most {_n(self.high)}"
        return "no record"


class Tuned(_Model):
    """An input set from this very event (so the event cannot validate it)."""

    path: str
    note: str = ""

    @field_validator("path")
    @classmethod
    def _path(cls, v: str) -> str:
        parse_path(v)
        return v


class Backtest(_Model):
    """A recorded event: the scenario, the hazard as observed, the figures as reported."""

    name: str = Field(pattern=r"^[^\W\d][\w\-]*$", max_length=80)
    title: Text
    hazard: Literal["typhoon", "flood", "earthquake"]
    date: str
    scenario: str = Field(min_length=1, description="Scenario file, relative to this file.")
    runs: int = Field(ge=1, le=100_000, strict=True)
    observed: list[Observed] = Field(default_factory=list)
    reported: dict[Literal["killed", "injured", "evacuated", "displaced", "sheltered",
                           "trapped"], Reported]
    tuned: list[Tuned] = Field(default_factory=list)
    notes: str | None = None
    file: str = Field(default="", exclude=True)
    """Where the back-test was read from (set by :func:`load_backtest`)."""

    @field_validator("date", mode="before")
    @classmethod
    def _date(cls, v: Any) -> Any:
        if not isinstance(v, str):
            raise ValueError(f'expected a quoted date like "2019-08-10", got {v!r}')
        if not _DATE.match(v):
            raise ValueError(f'expected YYYY-MM-DD (or YYYY-MM-DD/YYYY-MM-DD), got {v!r}')
        return v

    @field_validator("reported")
    @classmethod
    def _some_figure(cls, v: dict[str, Reported]) -> dict[str, Reported]:
        if not v:
            raise ValueError(f"expected at least one of {', '.join(FIGURES)}")
        return v

    @model_validator(mode="after")
    def _unique_paths(self) -> Backtest:
        seen: set[str] = set()
        for o in self.observed:
            if o.path in seen:
                raise ValueError(f"observed path {o.path!r} is given twice")
            seen.add(o.path)
        return self

    def scenario_path(self) -> Path:
        """The scenario file, resolved against the back-test file's folder."""
        p = Path(self.scenario)
        return p if p.is_absolute() else Path(self.file).parent / p


def _problems(exc: ValidationError, data: Any, root: Any, file: str) -> list[Problem]:
    out = []
    for err in exc.errors(include_url=False):
        path, line = _locate(tuple(err["loc"]), data, root)
        msg = _message(err).replace("the scenario format", "the back-test format")
        if err["type"] == "literal_error" and path.startswith("reported."):
            msg = f"unknown figure; expected one of {', '.join(FIGURES)}"
        out.append(Problem(file, line, path, msg))
    return out


def parse_backtest(text: str, file: str = "<string>") -> tuple[Backtest, list[Override]]:
    """Parse and validate back-test YAML text.

    Returns
    -------
    Backtest
        The validated back-test (``file`` set to ``file``).
    list of Override
        Its observations as overrides, each located at its line of ``file``.

    Raises
    ------
    ScenarioError
        One located problem per defect (YAML, types, unknown keys, the name and the file stem).
    """
    bt, ovs, _ = _parse(text, file)
    return bt, ovs


def _parse(text: str, file: str) -> tuple[Backtest, list[Override], Any]:
    data, root = compose_mapping(text, file, "a back-test mapping", "back-test fields")
    if "file" in data:
        raise ScenarioError([Problem(file, root.children["file"].line, "file",
                                     "unknown key (not part of the back-test format)")])
    try:
        bt = Backtest.model_validate({**data, "file": file})
    except ValidationError as exc:
        raise ScenarioError(_problems(exc, data, root, file)) from None
    if file != "<string>" and Path(file).stem != bt.name:
        raise ScenarioError([Problem(file, root.children["name"].line, "name",
                                     f"expected the file stem {Path(file).stem!r}, "
                                     f"got {bt.name!r}")])
    ovs = []
    for i, o in enumerate(bt.observed):
        node = root.children["observed"].children[i]
        line = node.children["value"].line if "value" in node.children else node.line
        ovs.append(Override(o.path, o.value, file, line))
    return bt, ovs, root


def load_backtest(path: str | Path) -> tuple[Backtest, Scenario]:
    """Read a back-test file and build its scenario with the observations applied.

    Returns
    -------
    Backtest
    Scenario
        The back-test's scenario with every ``observed`` value applied.

    Raises
    ------
    ScenarioError
        If the back-test, its scenario or an observed value is not valid (located).
    """
    file = str(path)
    bt, ovs, root = _parse(read_text(path, file), file)
    sc_path = bt.scenario_path()
    if not sc_path.is_file():
        raise ScenarioError([Problem(file, root.children["scenario"].line, "scenario",
                                     f"no scenario file {sc_path}")])
    sc = apply_overrides(sc_path, ovs)
    if sc.hazard.type != bt.hazard:
        raise ScenarioError([Problem(file, root.children["hazard"].line, "hazard",
                                     f"the scenario {sc.name!r} is a {sc.hazard.type} scenario, "
                                     f"not {bt.hazard}")])
    return bt, sc


# -- comparison ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class FigureComparison:
    """One reported figure beside the simulated distribution of its metric."""

    figure: str
    metric: str
    reported: Reported
    runs: int
    median: float
    low: float
    """5th percentile of the runs."""
    high: float
    """95th percentile of the runs."""
    verdict: Verdict
    ratio: float | None
    """Simulated median / reported value (None without a record; inf when the record is 0)."""

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready mapping."""
        rep = self.reported
        ratio = self.ratio if self.ratio is not None and math.isfinite(self.ratio) else None
        return {"figure": self.figure, "figure_zh": FIGURE_ZH[self.figure],
                "metric": self.metric, "reported": rep.value, "reported_low": rep.low,
                "reported_words": rep.words(),
                "reported_high": rep.high, "scope": rep.scope, "source": rep.source,
                "runs": self.runs, "median": self.median, "p05": self.low, "p95": self.high,
                "verdict": self.verdict, "ratio_median_to_reported": ratio,
                "miss": miss_words(self)}


def compare_figure(figure: str, reported: Reported, values: np.ndarray) -> FigureComparison:
    """Set a reported figure beside the simulated values of its metric.

    The record (its range when ``low``/``high`` are given) is *inside* when it meets the
    simulated 5th-95th percentile interval, *below* when it lies wholly under it (the model is
    too high), *above* when wholly over it (the model is too low).
    """
    v = np.asarray(values, dtype=float)
    v = v[np.isfinite(v)]
    if len(v) == 0:
        raise ValueError(f"no simulated values of {FIGURES[figure]}")
    med = float(np.median(v))
    lo, hi = (float(x) for x in np.percentile(v, [LOW_Q, HIGH_Q]))
    rng = reported.range
    verdict: Verdict
    ratio: float | None = None
    if rng is None:
        verdict = "no record"
    else:
        verdict = "below" if rng[1] < lo else "above" if rng[0] > hi else "inside"
        if reported.value is not None:
            ratio = med / reported.value if reported.value > 0 else (
                math.inf if med > 0 else 1.0)
    return FigureComparison(figure, FIGURES[figure], reported, len(v), med, lo, hi, verdict,
                            ratio)


def _n(x: float) -> str:
    return f"{x:,.0f}" if abs(x) >= 10 or float(x).is_integer() else f"{x:.2g}"


def miss_words(c: FigureComparison) -> str | None:
    """Plain words for a miss (``the model's median is 12x the record``); None when inside."""
    if c.verdict in ("inside", "no record"):
        return None
    rec = c.reported.value
    if rec is None:  # bounds only
        rng = c.reported.range
        assert rng is not None
        if c.verdict == "below":
            return (f"the model's 5th percentile ({_n(c.low)}) is above the recorded "
                    f"{c.reported.words()}; its median is {_n(c.median)}")
        return (f"the model's 95th percentile ({_n(c.high)}) is below the recorded "
                f"{c.reported.words()}; its median is {_n(c.median)}")
    if rec == 0:
        return (f"the record is 0; the model's median is {_n(c.median)} and even its 5th "
                f"percentile is {_n(c.low)}")
    if c.median == 0:
        return (f"the model's median is 0 against a record of {_n(rec)} (95th percentile "
                f"{_n(c.high)})")
    r = c.median / rec
    if r >= 1:
        return f"the model's median is {_x(r)}x the record ({_n(c.median)} against {_n(rec)})"
    return (f"the model's median is 1/{_x(1 / r)} of the record "
            f"({_n(c.median)} against {_n(rec)})")


def _x(r: float) -> str:
    return f"{r:,.0f}" if r >= 10 else f"{r:.2g}"


@dataclass
class BacktestResult:
    """A back-test's comparisons, the simulated values behind them and how they were made."""

    backtest: Backtest
    scenario: Scenario
    runs: int
    seed: int
    comparisons: list[FigureComparison]
    values: dict[str, np.ndarray] = field(default_factory=dict)
    """Per reported figure: the simulated value of every run."""
    elapsed_s: float = 0.0

    @property
    def misses(self) -> list[FigureComparison]:
        """The figures whose record lies outside the simulated interval."""
        return [c for c in self.comparisons if c.verdict in ("below", "above")]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready mapping."""
        bt = self.backtest
        return {
            "name": bt.name, "title": bt.title.model_dump(), "hazard": bt.hazard,
            "date": bt.date, "file": bt.file, "scenario": self.scenario.name,
            "scenario_file": str(bt.scenario_path()), "runs": self.runs, "seed": self.seed,
            "interval": f"{LOW_Q:g}th-{HIGH_Q:g}th percentile of the runs",
            "observed": [o.model_dump() for o in bt.observed],
            "tuned": [t.model_dump() for t in bt.tuned],
            "comparisons": [c.to_dict() for c in self.comparisons],
            "notes": bt.notes, "elapsed_s": self.elapsed_s,
        }


def run_backtest(path: str | Path, runs: int | None = None, seed: int = 0,
                 workers: int | None = 1, progress: bool | None = False) -> BacktestResult:
    """Run a back-test: its scenario with the observations, ``runs`` runs, every figure compared.

    Parameters
    ----------
    path : path
        The back-test file.
    runs : int, optional
        Runs of the study (default: the file's ``runs``).
    seed : int
        Root seed of the study (same seed, same table, whatever ``workers``).
    workers : int, optional
        Local worker processes (1: this process; None: all cores).
    progress : bool, optional
        Progress bar on stderr.

    Raises
    ------
    ScenarioError
        If the file, its scenario or an observation is not valid.
    """
    from sim.study.runner import run_study

    bt, sc = load_backtest(path)
    n = runs if runs is not None else bt.runs
    t0 = time.perf_counter()
    st = run_study(sc, n, seed, workers=workers, progress=progress)
    out = []
    values: dict[str, np.ndarray] = {}
    for fig, rep in bt.reported.items():
        col = f"metric.{FIGURES[fig]}"
        vals = st.table[col].to_numpy(dtype=float)
        values[fig] = vals
        out.append(compare_figure(fig, rep, vals))
    return BacktestResult(bt, sc, n, seed, out, values, time.perf_counter() - t0)


def has_input(scenario: Scenario, path: str) -> bool:
    """Whether the scenario (packs merged) has a value at the input path ``path``."""
    cur: Any = scenario
    for tok in parse_path(path):
        if tok.startswith("["):
            sel = tok[1:-1]
            if isinstance(cur, list | tuple):
                found = [x for x in cur
                         if sel in (getattr(x, "name", None), getattr(x, "id", None))]
                cur = found[0] if found else (cur[int(sel)] if sel.lstrip("-").isdigit()
                                              and -len(cur) <= int(sel) < len(cur) else None)
            elif isinstance(cur, dict):
                cur = cur.get(sel)
            else:
                return False
        else:
            cur = cur.get(tok) if isinstance(cur, dict) else getattr(cur, tok, None)
        if cur is None:
            return False
    return True


def judged_by(result: BacktestResult, others: Sequence[BacktestResult], path: str) -> list[str]:
    """The other back-tests that can judge an input ``result`` tuned.

    Those whose scenario has the input (the same coefficient, e.g. of a shared parameter pack)
    and that did not tune it themselves.
    """
    return [o.backtest.name for o in others
            if o is not result and o.backtest.name != result.backtest.name
            and path not in {t.path for t in o.backtest.tuned} and has_input(o.scenario, path)]
