"""An exercise session (推演): one seeded disaster stepped in the room, with injects and decisions.

An :class:`Exercise` is a :class:`sim.Simulation` with exercise semantics on top:

- the MSEL's injects (情景注入) are delivered when the clock reaches them, their ``effect``
  scheduled into the run as an intervention at the inject's time; a contingency inject
  (``when_not``) is delivered only if its expected action was not taken by its ``by_h``;
- the players' decisions (决策) are interventions applied at the current time, logged with the
  role that took them and the expected action they fulfil (a decision with no model effect is
  logged only);
- the status board gives people by state and zone, shelters, stock, vehicles, teams and each
  target's value so far and whether it is at risk (:mod:`sim.exercise.risk`);
- forks (推演分支) run N futures from now (:mod:`sim.exercise.forks`);
- an exercise is its scenario, seed, MSEL and decision log: :meth:`Exercise.save` writes them
  (JSON) and :meth:`Exercise.resume` replays them exactly.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from sim.exercise.msel import Inject, Msel, due_injects, load_msel
from sim.exercise.risk import target_status
from sim.interventions import DECISION_KINDS, Intervention, describe, parse_intervention
from sim.response.ledger import State
from sim.run import Simulation, partial_result
from sim.scenario.loader import load_scenario
from sim.scenario.schema import Scenario

if TYPE_CHECKING:
    from sim.exercise.forks import ForkReport
    from sim.results import RunResult

__all__ = ["SAVE_FORMAT", "Exercise", "LogEntry", "describe_intervention", "jsonable"]

SAVE_FORMAT = "sim-exercise/1"
"""The ``format`` field of a saved exercise."""

EPS = 1e-9

# Model events worth a line in the exercise log (the first of each kind and subject).
_CONSEQUENCES: dict[str, tuple[str, str]] = {
    "warning_issued": ("Warning issued", "预警发布"),
    "hazard_onset": ("Hazard reaches {s}", "灾害到达{s}"),
    "roads_closed": ("Roads of {s} closed by the hazard", "{s}道路因灾中断"),
    "facility_out": ("{s} out of service", "{s}停止运行"),
    "facility_back": ("{s} back in service", "{s}恢复运行"),
    "shelter_open": ("Shelter {s} open", "安置点{s}开放"),
    "shelter_closed": ("Shelter {s} closed", "安置点{s}关闭"),
    "shelter_reopened": ("Shelter {s} reopened", "安置点{s}重新开放"),
    "reserve_activated": ("Reserve shelter {s} activated", "备用安置点{s}启用"),
    "supply_called": ("Supplies called from {s}", "调用{s}物资"),
    "backorder": ("First back order at {s} (stock short)", "{s}首次缺货"),
    "unplaced": ("People of {s} without a shelter place", "{s}有群众未能安置"),
    "ration_short": ("Rations short at {s}", "{s}口粮不足"),
}


@dataclass
class LogEntry:
    """One line of the exercise log (推演日志)."""

    t_h: float
    """Scenario time, hours from onset."""
    kind: str
    """``inject`` | ``contingency`` | ``decision`` | ``fork`` | ``effect`` | ``note``."""
    ref: str
    """Inject number, expected-action id, fork id ("F1"), model event kind, ..."""
    en: str
    zh: str
    role: str | None = None
    """MSEL role (the inject's ``to``, the decision's ``by``)."""
    action: str | None = None
    """Expected-action id the inject carries or the decision fulfils."""
    objective: str | None = None
    """MSEL objective id."""
    data: dict[str, Any] = field(default_factory=dict)
    """JSON-able details: the intervention, the fork's table, ..."""

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready mapping."""
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> LogEntry:
        """Rebuild an entry from :meth:`to_dict`'s mapping."""
        return cls(**d)


def describe_intervention(it: Intervention, scenario: Scenario | None = None) -> tuple[str, str]:
    """An intervention in one English and one Chinese line (:func:`sim.interventions.describe`)."""
    en, zh = describe(it, scenario)
    return str(en), str(zh)


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _finite(x: float) -> float | None:
    return float(x) if math.isfinite(x) else None


class Exercise:
    """A tabletop exercise on one seeded run.

    Parameters
    ----------
    scenario : Scenario
        The validated scenario.
    seed : int
        The run's seed.
    msel : Msel, optional
        The injects (checked against the scenario).
    scenario_path, msel_path : Path, optional
        The files they came from (for save, resume and the record).

    Examples
    --------
    >>> ex = Exercise.open("scenarios/demo_coastal_typhoon.yaml", seed=1)  # doctest: +SKIP
    >>> ex.step(6); ex.status()["people"]                                  # doctest: +SKIP
    >>> ex.decide({"kind": "add_vehicles", "fleet": "trucks", "count": 4}, by="county_hq")
    ... # doctest: +SKIP
    >>> report = ex.fork(20)                                               # doctest: +SKIP
    """

    def __init__(self, scenario: Scenario, seed: int = 0, msel: Msel | None = None, *,
                 scenario_path: Path | None = None, msel_path: Path | None = None) -> None:
        if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
            raise ValueError(f"seed must be a whole number >= 0, got {seed!r}")
        self.scenario = scenario
        self.scenario_path = scenario_path
        self.msel = msel
        self.msel_path = msel_path
        self.seed = seed
        self.sim = Simulation(scenario, seed)
        self.log: list[LogEntry] = []
        self.forks: list[ForkReport] = []
        self.delivered: list[str] = []
        """Numbers of the injects delivered, in order."""
        self.actions_taken: dict[str, float] = {}
        """Expected-action ids taken, with the hour first taken."""
        self.acts: list[dict[str, Any]] = []
        """What the room did, in order (decisions, controllers' injects, forks): the replay log."""
        self._events_seen = 0
        self._consequences_seen: set[tuple[str, str]] = set()
        self._delivered_set: set[str] = set()
        self.advance_to(self.now)  # injects at the start

    # -- opening -------------------------------------------------------------------------------
    @classmethod
    def open(cls, scenario_path: str | Path, msel_path: str | Path | None = None,
             seed: int = 0) -> Exercise:
        """Open an exercise from a scenario file, an optional MSEL file and a seed.

        Raises
        ------
        ScenarioError
            Located problems in the scenario or the MSEL (checked against the scenario).
        """
        sp = Path(scenario_path)
        sc = load_scenario(sp)
        mp = Path(msel_path) if msel_path is not None else None
        msel = load_msel(mp, sc) if mp is not None else None
        return cls(sc, seed, msel, scenario_path=sp, msel_path=mp)

    # -- the clock ------------------------------------------------------------------------------
    @property
    def now(self) -> float:
        """The exercise clock, hours from onset."""
        return self.sim.now

    @property
    def start(self) -> float:
        """Start of the run, hours from onset."""
        return float(self.scenario.time.start_h)

    @property
    def end(self) -> float:
        """End of the run, hours from onset."""
        return self.sim.end

    @property
    def finished(self) -> bool:
        """Whether the run has been finished."""
        return self.sim._result is not None

    def step(self, hours: float = 1.0) -> list[LogEntry]:
        """Advance the clock by ``hours``; returns the new log entries."""
        if not hours > 0 or not math.isfinite(hours):
            raise ValueError(f"step by a positive number of hours, got {hours!r}")
        return self.advance_to(self.now + hours)

    def advance_to(self, t_h: float) -> list[LogEntry]:
        """Advance the clock to ``t_h`` (at most the end), delivering the injects due on the way.

        Injects due at ``t_h`` itself are delivered (their effects act first when the clock moves
        on); a decision taken now acts after them.

        Returns
        -------
        list of LogEntry
            The new entries: injects delivered and consequences seen in the model.
        """
        if not math.isfinite(t_h):
            raise ValueError(f"time must be a finite number of hours, got {t_h!r}")
        if t_h < self.now - EPS:
            raise ValueError(f"cannot go back to {t_h:g} h (now is {self.now:g} h)")
        if self.finished:
            if t_h > self.now + EPS:
                raise ValueError("the exercise has finished")
            return []
        t_h = min(t_h, self.end)
        new: list[LogEntry] = []
        for inj in self._due(t_h):
            if inj.at_h > self.now:
                self.sim.run_until(inj.at_h)
                new += self._consequences()
            new.append(self._deliver(inj))
        self.sim.run_until(t_h)
        new += self._consequences()
        return new

    def _due(self, t_h: float) -> list[Inject]:
        if self.msel is None:
            return []
        return [i for i in due_injects(self.msel, t_h, self.actions_taken)
                if i.number not in self._delivered_set]

    def _deliver(self, inj: Inject) -> LogEntry:
        data: dict[str, Any] = {"synopsis": inj.synopsis, "from": inj.from_,
                                "source": inj.source}
        if inj.effect is not None:
            self.sim.schedule(inj.effect)
            data["effect"] = inj.effect.model_dump(mode="json")
            data["effect_text"] = list(describe_intervention(inj.effect, self.scenario))
        if inj.when_not is not None:
            data["when_not"] = inj.when_not.model_dump(mode="json")
        if inj.expected_action is not None:
            data["expected_action"] = inj.expected_action.model_dump(mode="json")
        self.delivered.append(inj.number)
        self._delivered_set.add(inj.number)
        entry = LogEntry(self.now, "contingency" if inj.when_not is not None else "inject",
                         inj.number, inj.message.en, inj.message.zh, role=inj.to,
                         action=inj.expected_action.id if inj.expected_action else None,
                         objective=inj.objective, data=data)
        self.log.append(entry)
        return entry

    def _consequences(self) -> list[LogEntry]:
        """Log the first model event of each notable kind and subject since the last look."""
        events = self.sim.model.events
        out = []
        for t, kind, subject, n in events[self._events_seen:]:
            text = _CONSEQUENCES.get(kind)
            if text is None or (kind, subject) in self._consequences_seen:
                continue
            self._consequences_seen.add((kind, subject))
            zh_name = self._zh_name(subject)
            e = LogEntry(float(t), "effect", kind, text[0].format(s=subject),
                         text[1].format(s=zh_name), data={"subject": subject, "n": int(n)})
            self.log.append(e)
            out.append(e)
        self._events_seen = len(events)
        return out

    def _zh_name(self, name: str) -> str:
        sc = self.scenario
        for group in (sc.zones, sc.shelters, sc.stock_points):
            for x in group:
                if x.name == name:
                    return getattr(x, "name_zh", None) or name
        return name

    def next_inject(self) -> Inject | None:
        """The next inject to be delivered if the players take no further action.

        A contingency whose expected action has been taken by its ``by_h`` is not due; one whose
        action is still open counts as due.
        """
        due = self._due(self.end)
        return due[0] if due else None

    def to_next_inject(self) -> list[LogEntry]:
        """Advance to the next inject (delivering it); to the end when none is left."""
        nxt = self.next_inject()
        return self.advance_to(nxt.at_h if nxt is not None else self.end)

    # -- the room acts -------------------------------------------------------------------------
    def _intervention(self, decision: Intervention | dict[str, Any]) -> Intervention:
        if isinstance(decision, dict):
            data = dict(decision)
            if "at_h" in data and abs(float(data["at_h"]) - self.now) > EPS:
                raise ValueError(f"a decision acts now ({self.now:g} h), not at at_h="
                                 f"{data['at_h']}")
            data["at_h"] = self.now
            try:
                it = parse_intervention(data)
            except ValidationError as exc:
                err = exc.errors(include_url=False)[0]
                loc = [str(x) for x in err["loc"]]
                if loc and loc[0] == data.get("kind"):
                    loc = loc[1:]
                raise ValueError(f"{'.'.join(loc) or 'decision'}: {err['msg']}") from None
        else:
            it = decision.model_copy(update={"at_h": self.now})
        if it.kind == "branch":
            raise ValueError("a branch is not a decision: use fork()")
        return it

    def decide(self, decision: Intervention | dict[str, Any] | None, *, by: str | None = None,
               action: str | None = None, note: str | None = None,
               source: str | None = None) -> LogEntry:
        """Take a decision now: an intervention applied at the current time, logged.

        Parameters
        ----------
        decision : Intervention, dict or None
            The intervention (a mapping is validated; its ``at_h`` is now); ``None`` for an
            action with no effect on the model (logged only).
        by : str, optional
            The MSEL role that took it.
        action : str, optional
            The expected action id it fulfils (contingency injects look at these).
        note : str, optional
            Why (shown in the log line).
        source : str, optional
            Where the reasoning comes from (a plan line; kept in the entry's data).

        Raises
        ------
        ValueError
            If the decision is not a valid intervention for this scenario, the role or action is
            unknown to the MSEL, or the exercise has finished.
        """
        return self._act("decision", decision, by=by, action=action, note=note, source=source)

    def inject(self, event: Intervention | dict[str, Any], *, note: str | None = None,
               by: str | None = None) -> LogEntry:
        """A controller's ad-hoc inject now (an event not in the MSEL), applied and logged.

        Its log entry has kind ``inject`` and reference ``X1``, ``X2``, ... (``data.ad_hoc``).
        """
        return self._act("inject", event, by=by, action=None, note=note, source=None)

    def _act(self, kind: str, decision: Intervention | dict[str, Any] | None, *,
             by: str | None, action: str | None, note: str | None,
             source: str | None) -> LogEntry:
        if self.finished:
            raise ValueError("the exercise has finished")
        self._check_role_action(by, action)
        it = self._intervention(decision) if decision is not None else None
        if it is not None:
            if note is not None and it.note is None:
                it = it.model_copy(update={"note": note})
            self.sim.schedule(it)
        if action is not None and action not in self.actions_taken:
            self.actions_taken[action] = self.now
        if it is not None:
            en, zh = describe_intervention(it, self.scenario)
        else:
            en, zh = (f"Action taken: {action}" if action else "Decision noted",
                      f"采取行动：{action}" if action else "决策记录")
        if note:
            en = f"{en} ({note})"
        objective = self._objective_of(action)
        data: dict[str, Any] = {"decision": it.model_dump(mode="json") if it else None,
                                "note": note, "source": source}
        if it is not None:
            data["player_decision"] = it.kind in DECISION_KINDS
        ref = action or (it.kind if it else "note")
        if kind == "inject":  # an ad-hoc inject: numbered X1, X2, ... apart from the MSEL's
            ref = f"X{sum(a['type'] == 'inject' for a in self.acts) + 1}"
            data["ad_hoc"] = True
        entry = LogEntry(self.now, kind, ref, en, zh, role=by, action=action,
                         objective=objective, data=data)
        self.log.append(entry)
        self.acts.append({"type": kind, "t_h": self.now, "decision": data["decision"],
                          "by": by, "action": action, "note": note, "source": source})
        return entry

    def _check_role_action(self, by: str | None, action: str | None) -> None:
        if self.msel is None:
            return
        roles = {r.id for r in self.msel.roles}
        if by is not None and by not in roles:
            raise ValueError(f"by: unknown role {by!r}; the MSEL declares {sorted(roles)}")
        actions = {i.expected_action.id for i in self.msel.injects if i.expected_action}
        if action is not None and action not in actions:
            raise ValueError(f"action: {action!r} is not an expected action of the MSEL; "
                             f"expected one of {sorted(actions)}")

    def _objective_of(self, action: str | None) -> str | None:
        if self.msel is None or action is None:
            return None
        for i in self.msel.injects:
            if i.expected_action is not None and i.expected_action.id == action:
                return i.objective
        return None

    def note(self, en: str, zh: str | None = None) -> LogEntry:
        """A facilitator's note in the log (no effect; kept by save and resume)."""
        entry = LogEntry(self.now, "note", "note", en, zh or en)
        self.log.append(entry)
        self.acts.append({"type": "note", "t_h": self.now, "en": en, "zh": zh})
        return entry

    # -- forks ---------------------------------------------------------------------------------
    def fork(self, futures: int, alternative: Intervention | dict[str, Any] | None = None,
             workers: int = 1) -> ForkReport:
        """Run ``futures`` futures from now, and the same futures under an alternative decision.

        See :func:`sim.exercise.forks.fork_futures`. The report is logged and kept in
        :attr:`forks`.
        """
        from sim.exercise.forks import fork_futures

        if self.finished:
            raise ValueError("the exercise has finished")
        alt = self._intervention(alternative) if alternative is not None else None
        if alt is not None:  # check it against the scenario as scheduling would
            from sim.interventions import check_interventions

            probs = [p for p in check_interventions([*self.sim.interventions, alt],
                                                    self.scenario)
                     if p[0] == len(self.sim.interventions)]
            if probs:
                raise ValueError("; ".join(f"{f}: {m}" for _, f, m in probs))
        report = fork_futures(self, futures, alt, workers=workers,
                              fork_id=f"F{len(self.forks) + 1}")
        self._add_fork(report)
        self.acts.append({"type": "fork", "t_h": self.now, "report": report.to_dict()})
        return report

    def _add_fork(self, report: ForkReport) -> None:
        self.forks.append(report)
        en, zh = report.summary()
        self.log.append(LogEntry(self.now, "fork", report.id, en, zh,
                                 data=report.to_dict()))

    def future_interventions(self) -> list[Intervention]:
        """The interventions a future from now takes after the past ones and its branch.

        The effects of the injects still to come (contingencies whose action is still open
        included), as if the players took no further decision.
        """
        return [i.effect for i in self._due(self.end) if i.effect is not None]

    # -- results -------------------------------------------------------------------------------
    def finish(self) -> RunResult:
        """Run to the end, delivering the remaining injects, and return the result (idempotent)."""
        if not self.finished:
            self.advance_to(self.end)
            self.sim.finish()
            self._consequences()
        assert self.sim._result is not None
        return self.sim._result

    def status(self) -> dict[str, Any]:
        """The status board, JSON-able (keys as in the module's shared interface)."""
        m = self.sim.model
        sc = self.scenario
        names = [s.name for s in State]
        counts = m.ledger.counts
        zones = []
        for z, zone in enumerate(sc.zones):
            row: dict[str, Any] = {"name": zone.name, "lon": zone.lon, "lat": zone.lat,
                                   "population": zone.population,
                                   "people": {n: int(v) for n, v in zip(names, counts[z],
                                                                        strict=True)}}
            if zone.name_zh:
                row["name_zh"] = zone.name_zh
            zones.append(row)
        shelters = [{"name": s.name, "zone": m.zone_names[s.zone], "present": int(s.present),
                     "assigned": int(s.assigned), "capacity": int(s.capacity),
                     "open": bool(s.is_open and not s.closed)} for s in m.shelters.list]
        stock = [{"point": p.name, "zone": m.zone_names[p.zone], "out": bool(p.out),
                  "items": {k: round(float(q), 1) for k, q in zip(m.items, p.on_hand,
                                                                  strict=True)}}
                 for p in m.logistics.points]
        kinds = {v.name: v.kind for v in sc.vehicles}
        fleets: dict[str, dict[str, Any]] = {}
        for v in [*m.logistics.trucks, *m.evac.buses, *m.medical.ambulances, *m.air.units]:
            f = fleets.setdefault(v.fleet, {"fleet": v.fleet, "kind": kinds.get(v.fleet, ""),
                                            "total": 0, "busy": 0})
            f["total"] += 1
            f["busy"] += int(bool(v.busy))
        teams = []
        for t in m.teams:
            last = t.activity[-1] if t.activity else None
            teams.append({"fleet": t.fleet, "idx": t.idx, "kind": t.kind,
                          "zone": m.zone_names[t.location],
                          "task": "at work" if t.busy else "idle",
                          "last": ({"what": last[2], "zone": m.zone_names[last[3]],
                                    "until_h": last[1]} if last else None)})
        result = partial_result(self.sim)
        pending = [i.number for i in self._due(self.end)]
        skipped = ([i.number for i in self.msel.injects if i.number not in self._delivered_set
                    and i.number not in pending] if self.msel else [])
        return {
            "time_h": self.now, "start_h": self.start, "end_h": self.end,
            "finished": self.finished,
            "people": {n: int(v) for n, v in zip(names, m.ledger.totals(), strict=True)},
            "zones": zones, "shelters": shelters, "stock": stock,
            "vehicles": list(fleets.values()), "teams": teams,
            "targets": target_status(list(sc.targets), result, self.now),
            "relief": {"needing": int(result.relief_n.sum()),
                       "relieved": int(result.relief_n[
                           [math.isfinite(x) for x in result.relief_t]].sum())},
            "injects_delivered": list(self.delivered),
            "injects_pending": pending,
            "injects_skipped": skipped,
            "actions_taken": dict(self.actions_taken),
        }

    def record(self) -> dict[str, Any]:
        """Everything about the exercise, JSON-able: metadata, log, forks, status."""
        out: dict[str, Any] = {
            "format": SAVE_FORMAT,
            "scenario": str(self.scenario_path) if self.scenario_path else None,
            "scenario_name": self.scenario.name,
            "scenario_title": (self.scenario.title.model_dump()
                               if self.scenario.title is not None else None),
            "msel": str(self.msel_path) if self.msel_path else None,
            "msel_name": self.msel.name if self.msel else None,
            "msel_name_zh": self.msel.name_zh if self.msel else None,
            "seed": self.seed,
            "start_h": self.start, "end_h": self.end, "time_h": self.now,
            "finished": self.finished,
            "log": [e.to_dict() for e in self.log],
            "forks": [f.to_dict() for f in self.forks],
            "acts": list(self.acts),
            "status": self.status(),
        }
        if self.finished:
            r = self.finish()
            out["targets"] = [t.to_dict() for t in r.targets]
            out["metrics"] = jsonable(r.metrics)
        return out

    # -- save and resume -----------------------------------------------------------------------
    def save(self, path: str | Path) -> None:
        """Save the exercise (JSON): its files and their hashes, seed, the acts, the time reached.

        The scenario and MSEL paths are written relative to the saved file's directory.
        """
        if self.scenario_path is None:
            raise ValueError("an exercise opened from a Scenario object has no file to save")
        p = Path(path)
        base = p.resolve().parent

        def rel(f: Path) -> str:
            return os.path.relpath(f.resolve(), base)

        doc = {
            "format": SAVE_FORMAT,
            "scenario": rel(self.scenario_path),
            "scenario_sha256": _sha256(self.scenario_path),
            "msel": rel(self.msel_path) if self.msel_path else None,
            "msel_sha256": _sha256(self.msel_path) if self.msel_path else None,
            "seed": self.seed,
            "time_h": self.now,
            "finished": self.finished,
            "acts": self.acts,
        }
        p.write_text(json.dumps(jsonable(doc), ensure_ascii=False, indent=1) + "\n",
                     encoding="utf-8")

    @classmethod
    def resume(cls, path: str | Path) -> Exercise:
        """Replay a saved exercise exactly: same injects, decisions, forks' reports and time.

        Forks are not run again: their saved reports are restored.

        Raises
        ------
        ValueError
            One line: the file is not a saved exercise, or a file changed since it was saved.
        """
        from sim.exercise.forks import ForkReport

        p = Path(path)
        try:
            doc = json.loads(p.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise ValueError(f"{p}: not a saved exercise: {exc}") from None
        if not isinstance(doc, dict) or doc.get("format") != SAVE_FORMAT:
            raise ValueError(f"{p}: not a saved exercise (format {SAVE_FORMAT!r} expected)")
        base = p.resolve().parent
        try:
            sp = base / doc["scenario"]
            mp = base / doc["msel"] if doc.get("msel") else None
            for f, key in ((sp, "scenario_sha256"), (mp, "msel_sha256")):
                if f is not None and _sha256(f) != doc[key]:
                    raise ValueError(f"{p}: {f} changed since the exercise was saved "
                                     "(its SHA-256 differs); the replay would not be exact")
            ex = cls.open(sp, mp, int(doc["seed"]))
            for act in doc["acts"]:
                ex.advance_to(float(act["t_h"]))
                typ = act["type"]
                if typ in ("decision", "inject"):
                    d = act.get("decision")
                    ex._act(typ, d, by=act.get("by"), action=act.get("action"),
                            note=act.get("note"), source=act.get("source"))
                elif typ == "fork":
                    rep = ForkReport.from_dict(act["report"])
                    ex._add_fork(rep)
                    ex.acts.append(act)
                elif typ == "note":
                    ex.note(act["en"], act.get("zh"))
                else:
                    raise ValueError(f"{p}: unknown act type {typ!r}")
            if doc.get("finished"):
                ex.finish()
            else:
                ex.advance_to(float(doc["time_h"]))
        except (KeyError, TypeError) as exc:
            raise ValueError(f"{p}: not a saved exercise: missing or bad field {exc}") from None
        except OSError as exc:
            raise ValueError(f"{p}: {exc}") from None
        return ex


def jsonable(x: Any) -> Any:
    """``x`` with numpy values as Python ones and non-finite floats as None (strict JSON)."""
    if isinstance(x, dict):
        return {str(k): jsonable(v) for k, v in x.items()}
    if isinstance(x, list | tuple):
        return [jsonable(v) for v in x]
    if hasattr(x, "tolist"):
        return jsonable(x.tolist())
    if isinstance(x, float):
        return _finite(x)
    return x
