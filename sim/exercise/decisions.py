"""Decision scripts (决策脚本): a whole exercise's decisions and forks, played without a terminal.

A rehearsal, a test or a demonstration plays the players' decisions from a file instead of the
room. YAML, read through the project's limited loader, errors located as ``FILE:LINE: field:
message``::

    msel: wenzhou_typhoon_msel.yaml          # relative to this file (optional)
    decisions:
      - at_h: -20
        by: city_hq                          # an MSEL role
        action: convene_consultation         # the expected action it fulfils (optional)
        decision: {kind: ..., ...}           # an intervention at at_h; omit for an action with
                                             # no model effect
        note: ...
        source: ...                          # why this decision (a plan line, an assumption)
        fork: {futures: 20}                  # optional: before applying it, fork N futures
                                             # with and without this decision (paired)
      - at_h: 6
        fork: {futures: 100}                 # a fork on its own
      - at_h: 8
        fork: {futures: 50, alternative: {kind: ...}}   # a fork comparing a decision not taken

:func:`play` runs the exercise: through the injects and the entries in time order (file order
at equal times), taking the forks asked for, to the end.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

from pydantic import Field, ValidationError, model_validator

from sim.exercise.forks import MAX_FUTURES
from sim.interventions import Intervention, check_interventions
from sim.scenario.base import Frozen, Name
from sim.scenario.limits import INTERVENTIONS
from sim.scenario.loader import (
    Problem,
    ScenarioError,
    _locate,
    _message,
    compose_mapping,
    read_text,
)
from sim.scenario.schema import CrossReferenceError, Loc

if TYPE_CHECKING:
    from sim.exercise.msel import Msel
    from sim.exercise.session import Exercise, LogEntry
    from sim.scenario.schema import Scenario

__all__ = ["MAX_FUTURES", "DecisionScript", "Fork", "ScriptEntry", "load_decisions",
           "msel_path", "parse_decisions", "play"]


Hours = Annotated[float, Field(allow_inf_nan=False)]


class Fork(Frozen):
    """A fork asked for at an entry's time."""

    futures: Annotated[int, Field(strict=True, ge=1, le=MAX_FUTURES)]
    alternative: Intervention | None = Field(
        default=None, description="A decision to compare (not taken); default the entry's own.")


class ScriptEntry(Frozen):
    """One decision (or fork) of the script, at ``at_h``."""

    at_h: Hours
    by: Name | None = Field(default=None, description="The MSEL role that takes it.")
    action: Name | None = Field(default=None, description="The expected action it fulfils.")
    decision: Intervention | None = None
    note: str | None = Field(default=None, max_length=4000)
    source: str | None = Field(default=None, max_length=4000)
    fork: Fork | None = None

    @model_validator(mode="before")
    @classmethod
    def _decision_at_entry_time(cls, data: Any) -> Any:
        """Give the decision (and a fork's alternative) the entry's ``at_h``."""
        if not isinstance(data, dict):
            return data
        at = data.get("at_h")
        ok = isinstance(at, int | float) and not isinstance(at, bool)
        if isinstance(data.get("decision"), dict) and "at_h" not in data["decision"]:
            data = {**data, "decision": {**data["decision"], "at_h": at if ok else 0.0}}
        fork = data.get("fork")
        if isinstance(fork, dict) and isinstance(fork.get("alternative"), dict) \
                and "at_h" not in fork["alternative"]:
            data = {**data, "fork": {**fork, "alternative": {**fork["alternative"],
                                                              "at_h": at if ok else 0.0}}}
        return data

    @model_validator(mode="after")
    def _something(self) -> ScriptEntry:
        if self.decision is None and self.action is None and self.fork is None \
                and self.note is None:
            raise ValueError("an entry needs a decision, an action, a fork or a note")
        for it, where in ((self.decision, "decision"),
                          (self.fork.alternative if self.fork else None, "fork.alternative")):
            if it is None:
                continue
            if it.kind == "branch":
                raise ValueError(f"{where}: a branch is not a decision (forks branch by "
                                 "themselves)")
            if it.at_h != self.at_h:
                raise ValueError(f"{where}: a decision acts at its entry's at_h "
                                 f"({self.at_h:g}); remove its at_h")
        if self.fork is not None and self.fork.alternative is not None \
                and self.decision is not None:
            raise ValueError("fork.alternative: the fork of an entry with a decision compares "
                             "that decision; give the alternative in an entry of its own")
        return self


class DecisionScript(Frozen):
    """A decision script: the MSEL it plays against and its entries."""

    msel: str | None = Field(default=None, description="The MSEL file, relative to the script.")
    decisions: list[ScriptEntry] = Field(min_length=1, max_length=int(INTERVENTIONS.value))

    def ordered(self) -> list[ScriptEntry]:
        """The entries in time order (file order at equal times)."""
        return sorted(self.decisions, key=lambda e: e.at_h)


def _check(script: DecisionScript, scenario: Scenario | None, msel: Msel | None
           ) -> Iterator[tuple[Loc, str]]:
    if scenario is not None:
        start, end = scenario.time.start_h, scenario.time.end_h
        taken: list[tuple[float, int, Intervention]] = []
        alternatives: list[tuple[int, Intervention]] = []
        for i, e in enumerate(script.decisions):
            if not start <= e.at_h <= end:
                yield ("decisions", i, "at_h"), (
                    f"at_h={e.at_h:g} is outside the run, which lasts from time.start_h "
                    f"{start:g} to time.end_h {end:g} h")
            if e.decision is not None:
                taken.append((e.at_h, i, e.decision))
            if e.fork is not None and e.fork.alternative is not None:
                alternatives.append((i, e.fork.alternative))
        # the decisions taken, together in time order (file order at equal times)
        taken.sort(key=lambda x: x[0])
        for j, field, msg in check_interventions([it for _, _, it in taken], scenario):
            if field != "at_h":
                yield ("decisions", taken[j][1], "decision", *field.split(".")), msg
        # an alternative is not taken: each with the decisions taken before it
        for i, alt in alternatives:
            before = [it for at, _, it in taken if at <= alt.at_h]
            for j, field, msg in check_interventions([*before, alt], scenario):
                if j == len(before) and field != "at_h":
                    yield ("decisions", i, "fork", "alternative", *field.split(".")), msg
    if msel is not None:
        roles = {r.id for r in msel.roles}
        actions = {i.expected_action.id for i in msel.injects if i.expected_action}
        for i, e in enumerate(script.decisions):
            if e.by is not None and e.by not in roles:
                yield ("decisions", i, "by"), f"unknown role {e.by!r}; the MSEL declares " \
                                              f"{sorted(roles)}"
            if e.action is not None and e.action not in actions:
                yield ("decisions", i, "action"), (
                    f"{e.action!r} is not an expected action of the MSEL; expected one of "
                    f"{sorted(actions)}")


def parse_decisions(text: str, file: str = "<string>", scenario: Scenario | None = None,
                    msel: Msel | None = None) -> DecisionScript:
    """Parse and validate a decision script written in YAML.

    Parameters
    ----------
    text : str
        The YAML document.
    file : str
        The name errors give.
    scenario : Scenario, optional
        Check times and decisions against it (as interventions are checked).
    msel : Msel, optional
        Check roles (``by``) and expected actions (``action``) against it.

    Raises
    ------
    ScenarioError
        With ``FILE:LINE: field.path: message`` problems.
    """
    data, root = compose_mapping(text, file, "a decision script mapping", "decision script fields")
    problems: list[Problem] = []

    def add(loc: Loc, msg: str) -> None:
        path, line = _locate(loc, data, root)
        problems.append(Problem(file, line, path, msg))

    try:
        script = DecisionScript.model_validate(data)
    except ValidationError as exc:
        for err in exc.errors(include_url=False):
            loc = tuple(err["loc"])
            if err["type"] == "union_tag_invalid":
                loc = (*loc, str(err.get("ctx", {}).get("discriminator", "")).strip("'"))
            add(loc, _message(err).replace("the scenario format", "the decision script format"))
        raise ScenarioError(problems) from None
    except CrossReferenceError as exc:  # pragma: no cover - no cross-check raises it yet
        for loc, msg in exc.problems:
            add(loc, msg)
        raise ScenarioError(problems) from None
    for loc, msg in _check(script, scenario, msel):
        add(loc, msg)
    if problems:
        raise ScenarioError(problems)
    return script


def load_decisions(path: str | Path, scenario: Scenario | None = None,
                   msel: Msel | None = None) -> DecisionScript:
    """Read a decision script file (see :func:`parse_decisions`)."""
    file = str(path)
    return parse_decisions(read_text(path, file), file, scenario, msel)


def msel_path(script: DecisionScript, script_file: str | Path) -> Path | None:
    """The MSEL file a script names, resolved from its directory (None if it names none)."""
    if script.msel is None:
        return None
    return Path(os.path.normpath(Path(script_file).parent / script.msel))


def play(ex: Exercise, script: DecisionScript, *, workers: int = 1,
         on_entry: Callable[[list[LogEntry]], None] | None = None, finish: bool = True
         ) -> Exercise:
    """Play a decision script on an exercise, from its current time to the end.

    For each entry in time order: advance to its time (delivering the injects due), take its
    fork (with and without its decision, or with its ``alternative``), then its decision.

    Parameters
    ----------
    ex : Exercise
        The exercise (its clock at or before the first entry).
    script : DecisionScript
        The decisions.
    workers : int
        Local processes for the forks (the reports do not depend on it).
    on_entry : callable, optional
        Called with the new log entries after each step (progress output).
    finish : bool
        Run to the end afterwards (default).

    Returns
    -------
    Exercise
        ``ex``, played.

    Raises
    ------
    ValueError
        If an entry is before the exercise's clock or a decision does not fit the run.
    """
    for e in script.ordered():
        if e.at_h < ex.now - 1e-9:
            raise ValueError(f"the entry at at_h={e.at_h:g} is before the exercise's clock "
                             f"({ex.now:g} h)")
        new = ex.advance_to(e.at_h)
        n_log = len(ex.log)
        if e.decision is None and e.action is None and e.note is not None:
            ex.note(e.note)  # why the fork is asked for
        if e.fork is not None:
            ex.fork(e.fork.futures, e.decision if e.decision is not None else e.fork.alternative,
                    workers=workers)
        if e.decision is not None or e.action is not None:
            ex.decide(e.decision, by=e.by, action=e.action, note=e.note, source=e.source)
        if on_entry is not None:
            on_entry(new + ex.log[n_log:])
    if finish:
        n_log = len(ex.log)
        ex.finish()
        if on_entry is not None:
            on_entry(ex.log[n_log:])
    return ex
