"""A fork of the Wenzhou tabletop exercise: N futures from T+6 h on W local processes.

The exercise is opened on ``scenarios/wenzhou_typhoon.yaml`` with its MSEL, the decisions of
``wenzhou_typhoon_decisions.yaml`` before T+6 h are taken (without their forks), and N futures
are run from T+6 h (each replays the past from the seed, then takes its own branch). Reported:
the fork's wall time, the CPU time of one future (in the worker processes) and, for the relief
target, P(holds) and the mean share relieved within 10 h. With ``--alternative`` the same
futures also run under the script's T+6 h alternative (a delivery priority for the southern
counties), and the paired differences are printed. Reported, never asserted.

Usage: ``python benchmarks/exercise.py [--futures N] [--workers W] [--seed S] [--alternative]``
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from sim.exercise.decisions import DecisionScript, load_decisions, play
from sim.exercise.forks import ForkReport
from sim.exercise.prompt import format_quantity
from sim.exercise.session import Exercise

ROOT = Path(__file__).resolve().parents[1]
SCENARIO = ROOT / "scenarios" / "wenzhou_typhoon.yaml"
MSEL = ROOT / "scenarios" / "exercises" / "wenzhou_typhoon_msel.yaml"
DECISIONS = ROOT / "scenarios" / "exercises" / "wenzhou_typhoon_decisions.yaml"
FORK_H = 6.0


def fork_at_six(futures: int, workers: int, seed: int, alternative: bool
                ) -> tuple[ForkReport, float]:
    """The fork's report and the seconds it took to reach T+6 h first."""
    t0 = time.perf_counter()
    ex = Exercise.open(SCENARIO, MSEL, seed)
    script = load_decisions(DECISIONS, ex.scenario, ex.msel)
    before = [e.model_copy(update={"fork": None}) for e in script.ordered()
              if e.at_h < FORK_H and (e.decision or e.action or e.note)]
    play(ex, DecisionScript(msel=script.msel, decisions=before), finish=False)
    ex.advance_to(FORK_H)
    alt = next((e.fork.alternative for e in script.ordered()
                if e.at_h == FORK_H and e.fork is not None), None) if alternative else None
    setup = time.perf_counter() - t0
    return ex.fork(futures, alt, workers=workers), setup


def main() -> None:
    """Print the fork's timing and what it said about the relief target."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--futures", type=int, default=100)
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--seed", type=int, default=3)
    p.add_argument("--alternative", action="store_true",
                   help="also run the futures under the script's T+6 h alternative decision")
    a = p.parse_args()
    rep, setup = fork_at_six(a.futures, a.workers, a.seed, a.alternative)
    runs = a.futures * (2 if a.alternative else 1)
    print(f"Wenzhou exercise fork at T+{FORK_H:g} h (seed {a.seed}): {runs} futures on "
          f"{a.workers} processes in {rep.seconds:.1f} s wall; {rep.cpu_seconds / runs:.2f} s "
          f"CPU a future (each replays the run from T-36 h); reaching T+6 h took {setup:.1f} s")
    t = rep.target("relief_within_10h")
    v = next(q for q in rep.quantities if q["id"] == "value:relief_within_10h")
    line = (f"  relief_within_10h: P(holds) {t['p']:.2f} [{t['lo']:.2f}, {t['hi']:.2f}], "
            f"mean share relieved within 10 h {v['mean']:.3f}")
    if rep.decision is not None:
        line += (f"; with '{rep.decision[0]}': P(holds) {t['p_alt']:.2f}, difference "
                 f"{t['diff']:+.2f} [{t['diff_lo']:+.2f}, {t['diff_hi']:+.2f}], mean share "
                 f"{v['mean_alt']:.3f}")
    print(line)
    if rep.decision is not None:
        for q in rep.quantities:
            if not q["id"].startswith("value:"):
                print(f"  {q['en']}: {format_quantity(q, True)}")

if __name__ == "__main__":
    main()
