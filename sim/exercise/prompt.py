"""The exercise prompt (推演命令行): a facilitator steps an exercise from a terminal.

Commands (one a line)::

    step [H]                      advance H hours (default 1)
    to T                          advance to hour T (from onset)
    next                          advance to the next inject
    status                        the status board
    log [N]                       the last N log lines (default 20)
    decide KIND key=value ...     take a decision now (an intervention of kind KIND)
    act ACTION [by=ROLE] ...      an expected action with no model effect
    inject KIND key=value ...     a controller's ad-hoc event now (not in the MSEL)
    fork N [KIND key=value ...]   N futures from now (and under a decision not taken)
    save FILE                     save the exercise (resume with --resume FILE)
    help, quit

``key=value`` values are read as YAML data by the project's limited loader (``count=4``,
``items={meal: 5000}``, ``note="why we do it"``); nothing is ever evaluated. Dotted keys build
mappings (``items.meal=5000``). The keys ``by``, ``action``, ``note`` and ``source`` go to the
decision's log entry, the others to the intervention, which is validated against the scenario.
"""

from __future__ import annotations

import shlex
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, TextIO

from sim.scenario.loader import Problem, ScenarioError, build_yaml, compose_yaml

if TYPE_CHECKING:
    from sim.exercise.forks import ForkReport
    from sim.exercise.session import Exercise, LogEntry

__all__ = ["format_entry", "format_fork", "format_quantity", "format_status", "parse_fields",
           "run_prompt"]

_ENTRY_KEYS = ("by", "action", "note", "source")

HELP = (__doc__ or "").split("Commands (one a line)::", 1)[-1].split("``key=value``")[0].rstrip()


def _value(text: str) -> Any:
    """A command value as data, through the limited YAML loader (never evaluated)."""
    try:
        node = compose_yaml(text, "<command>")
        if node is None:
            return None
        problems: list[Problem] = []
        data, _ = build_yaml(node, "<command>", problems)
    except ScenarioError as exc:
        raise ValueError(f"cannot read value {text!r}: {exc.problems[0].message}") from None
    if problems:
        raise ValueError(f"cannot read value {text!r}: {problems[0].message}")
    return data


def parse_fields(tokens: Iterable[str]) -> dict[str, Any]:
    """``key=value`` tokens as a mapping (dotted keys nest; values read as YAML data).

    Raises
    ------
    ValueError
        A token without ``=``, an empty key, or a value that is not readable YAML.
    """
    out: dict[str, Any] = {}
    for tok in tokens:
        key, eq, raw = tok.partition("=")
        if not eq or not key or any(not k for k in key.split(".")):
            raise ValueError(f"expected key=value, got {tok!r}")
        parts = key.split(".")
        cur = out
        for k in parts[:-1]:
            nxt = cur.setdefault(k, {})
            if not isinstance(nxt, dict):
                raise ValueError(f"{key}: {k} is already a value")
            cur = nxt
        cur[parts[-1]] = _value(raw)
    return out


def format_entry(e: LogEntry) -> str:
    """One log entry on one line: time, kind, reference, role, English / Chinese text."""
    role = f" ({e.role})" if e.role else ""
    zh = f" / {e.zh}" if e.zh and e.zh != e.en else ""
    return f"[T{e.t_h:+.2f} h] {e.kind} {e.ref}{role}: {e.en}{zh}"


def format_fork(rep: ForkReport) -> str:
    """A fork's table: each target's P(holds) and, with an alternative, the paired change."""

    def pct(x: float | None) -> str:
        return "   n/a" if x is None else f"{100 * x:5.1f}%"

    lines = [f"fork {rep.id} at T{rep.t_h:+g} h: {rep.futures} futures, {rep.seconds:.1f} s"]
    if rep.decision:
        lines.append(f"  alternative: {rep.decision[0]} / {rep.decision[1]}")
    for t in rep.targets:
        row = f"  {t['id']:<32} P(holds) {pct(t['p'])} [{pct(t['lo'])}, {pct(t['hi'])}]"
        if t["diff"] is not None:
            row += (f"  with: {pct(t['p_alt'])}  change {100 * t['diff']:+.1f} points "
                    f"[{100 * t['diff_lo']:+.1f}, {100 * t['diff_hi']:+.1f}]")
        lines.append(row)
    for q in rep.quantities:
        if not q["id"].startswith("value:"):
            lines.append(f"  {q['en']:<55} {format_quantity(q, rep.decision is not None)}")
    fan = rep.fan
    if fan["times"]:
        lines.append(f"  {fan['quantity_en']}: median {fan['q50'][-1]:,.0f} at the end "
                     f"(90% of futures {fan['q05'][-1]:,.0f}-{fan['q95'][-1]:,.0f})")
    return "\n".join(lines)


def format_quantity(q: dict[str, Any], alt: bool) -> str:
    """A fork's quantity: its mean, and with an alternative the paired change."""

    def mean(m: float | None, inf: int | None) -> str:
        text = "n/a" if m is None else f"{m:,.1f}"
        return text + (f" ({inf} futures never)" if inf else "")

    out = mean(q["mean"], q["n_infinite"])
    if alt:
        out += f"  with: {mean(q['mean_alt'], q['n_infinite_alt'])}"
        if q["diff"] is not None:
            lo, hi = (f"{x:+,.1f}" if x is not None else "n/a"
                      for x in (q["diff_lo"], q["diff_hi"]))
            out += f"  change {q['diff']:+,.1f} [{lo}, {hi}]"
    return out


def format_status(st: dict[str, Any]) -> str:
    """The status board as text."""
    lines = [f"T{st['time_h']:+.2f} h (run {st['start_h']:g} .. {st['end_h']:g} h)"]
    lines.append("people: " + ", ".join(f"{k} {v:,}" for k, v in st["people"].items() if v))
    r = st.get("relief")
    if r:
        lines.append(f"relief: {r['relieved']:,} of {r['needing']:,} people needing it relieved")
    lines.append("shelters:")
    for s in st["shelters"]:
        state = "open" if s["open"] else "closed"
        lines.append(f"  {s['name']:<32} {s['present']:>7,} / {s['capacity']:>7,} {state}")
    lines.append("stock:")
    for p in st["stock"]:
        items = ", ".join(f"{k} {v:,.0f}" for k, v in p["items"].items())
        lines.append(f"  {p['point']:<32} {items}{' (out of service)' if p['out'] else ''}")
    lines.append("vehicles: " + ", ".join(f"{v['fleet']} {v['busy']}/{v['total']} busy"
                                          for v in st["vehicles"]))
    busy = sum(t["task"] != "idle" for t in st["teams"])
    lines.append(f"teams: {busy} of {len(st['teams'])} at work")
    lines.append("targets (value so far):")
    for t in st["targets"]:
        flag = "AT RISK" if t["at_risk"] else ("met" if t["met"] else "not met")
        val = "n/a" if t["value"] is None else f"{t['value']:.3g}"
        lines.append(f"  {t['id']:<32} {val:>9} {flag:<8} {t['why']}")
    if st.get("injects_pending"):
        lines.append("injects pending: " + ", ".join(st["injects_pending"]))
    return "\n".join(lines)


def _decision(tokens: list[str]) -> tuple[dict[str, Any], dict[str, Any]]:
    if not tokens:
        raise ValueError("give the decision's kind, e.g. decide add_vehicles fleet=trucks count=4")
    fields = parse_fields(tokens[1:])
    entry = {k: fields.pop(k) for k in _ENTRY_KEYS if k in fields}
    for k, v in entry.items():
        if v is not None and not isinstance(v, str):
            entry[k] = str(v)
    return {"kind": tokens[0], **fields}, entry


def run_prompt(ex: Exercise, lines: TextIO, out: Callable[[str], None], *,
               interactive: bool = True, workers: int = 1) -> None:
    """Read commands and act on the exercise until ``quit`` or the end of input.

    With ``interactive`` the commands are read with :func:`input` (a terminal: the prompt shows
    the clock), else from ``lines``. A bad command prints one ``error:`` line and the prompt
    goes on.
    """
    def show(entries: list[LogEntry]) -> None:
        for e in entries:
            out(format_entry(e))

    def read() -> str:
        if interactive:  # a terminal: input() shows the prompt and edits the line
            try:
                return input(f"T{ex.now:+.2f} h> ") + "\n"
            except EOFError:
                return ""
        return lines.readline()

    while True:
        line = read()
        if not line:
            return
        try:
            tokens = shlex.split(line, comments=True)
        except ValueError as exc:
            out(f"error: {exc}")
            continue
        if not tokens:
            continue
        cmd, args = tokens[0].lower(), tokens[1:]
        try:
            if cmd in ("quit", "exit", "q"):
                return
            if cmd in ("help", "?"):
                out(HELP)
            elif cmd == "step":
                show(ex.step(float(args[0]) if args else 1.0))
            elif cmd == "to":
                if len(args) != 1:
                    raise ValueError("to T: give one time in hours from onset")
                show(ex.advance_to(float(args[0])))
            elif cmd == "next":
                nxt = ex.next_inject()
                show(ex.to_next_inject())
                if nxt is None:
                    out("no inject left; at the end of the run")
            elif cmd == "status":
                out(format_status(ex.status()))
            elif cmd == "log":
                show(ex.log[-(int(args[0]) if args else 20):])
            elif cmd == "decide":
                decision, entry = _decision(args)
                show([ex.decide(decision, **entry)])
            elif cmd == "inject":
                event, entry = _decision(args)
                if entry.get("action") is not None:
                    raise ValueError("an inject fulfils no expected action")
                show([ex.inject(event, by=entry.get("by"), note=entry.get("note"))])
            elif cmd == "act":
                if not args:
                    raise ValueError("act ACTION [by=ROLE] [note=...]")
                fields = parse_fields(args[1:])
                extra = set(fields) - set(_ENTRY_KEYS)
                if extra:
                    raise ValueError(f"act takes by=, note=, source=; not {sorted(extra)}")
                show([ex.decide(None, action=args[0], by=fields.get("by"),
                                note=fields.get("note"), source=fields.get("source"))])
            elif cmd == "fork":
                if not args:
                    raise ValueError("fork N [KIND key=value ...]")
                n = int(args[0])
                alt = _decision(args[1:])[0] if len(args) > 1 else None
                out(format_fork(ex.fork(n, alt, workers=workers)))
            elif cmd == "save":
                if len(args) != 1:
                    raise ValueError("save FILE")
                ex.save(args[0])
                out(f"saved to {args[0]}")
            else:
                raise ValueError(f"unknown command {cmd!r}; type help")
        except (ValueError, OSError) as exc:
            out(f"error: {' '.join(str(exc).split())}")
