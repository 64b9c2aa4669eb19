"""Closed-form checks: the model's mechanisms against the formulas and curves they stand for.

Each check returns a :class:`CheckResult`: what is compared, the simulated (or computed) figure,
the closed form, the tolerance with how it was derived, and the verdict. Statistical checks take
their tolerance from a confidence interval (99.9 % two-sided, so that a correct model fails one
check in a thousand); exact formulas take it from floating-point rounding or from the resolution
of the grid they are evaluated on; a check on a recorded series takes it from the recording step.

* :func:`check_erlang_c`: the shelter registration desks (:class:`sim.response.shelters.Desks`)
  fed Poisson arrivals against the M/M/c mean wait (:func:`erlang_c_wait`).
* :func:`check_littles_law`: a run's shelter occupancy series against lambda W from the people
  moved in and out of shelters (Little's law).
* :func:`hazard_checks`: Holland, Emanuel, Kaplan-DeMaria, Gumbel, Manning, SCS-CN and Omori at
  values where their closed forms are known.
* :func:`check_survival_curve` and :func:`check_rescue_survival`: the scenario's entrapment
  survival curve against the published Tangshan 1976 figures (parameters.md §8), and the people
  the rescue model frees alive against that curve at their extraction times.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

__all__ = [
    "TANGSHAN_SURVIVAL",
    "CheckResult",
    "all_checks",
    "check_erlang_c",
    "check_littles_law",
    "check_rescue_survival",
    "check_survival_curve",
    "erlang_c_wait",
    "extraction_records",
    "hazard_checks",
    "make_validation",
]

Z_999 = 3.2905267314918945
"""Two-sided 99.9 % normal quantile (scipy.stats.norm.ppf(0.9995))."""

TANGSHAN_SURVIVAL: tuple[tuple[float, float], ...] = (
    (0.5, 0.993), (24.0, 0.810), (48.0, 0.537), (72.0, 0.367), (96.0, 0.190), (120.0, 0.074))
"""Tangshan 1976 survival by rescue time, hours -> share alive (parameters.md §8)."""


@dataclass(frozen=True)
class CheckResult:
    """One closed-form check.

    Attributes
    ----------
    name : str
        Short name of the check.
    compared : str
        What is set against what.
    simulated : float
        The model's figure (simulated, or computed by the model's code).
    closed_form : float
        The figure from the formula or the published curve.
    tolerance : float
        Largest accepted ``|simulated - closed_form|``.
    basis : str
        How the tolerance was derived.
    passed : bool
    unit : str
    reference : str
        Where the closed form comes from.
    """

    name: str
    compared: str
    simulated: float
    closed_form: float
    tolerance: float
    basis: str
    passed: bool
    unit: str = ""
    reference: str = ""

    @property
    def verdict(self) -> str:
        """``pass`` or ``FAIL``."""
        return "pass" if self.passed else "FAIL"

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready mapping."""
        return {**asdict(self), "verdict": self.verdict}


def _result(name: str, compared: str, simulated: float, closed_form: float, tolerance: float,
            basis: str, unit: str = "", reference: str = "") -> CheckResult:
    ok = bool(abs(simulated - closed_form) <= tolerance)
    return CheckResult(name, compared, float(simulated), float(closed_form), float(tolerance),
                       basis, ok, unit, reference)


# -- queueing ------------------------------------------------------------------------------------
def erlang_c_wait(lam: float, mu: float, c: int) -> float:
    """Mean wait in queue of an M/M/c queue (Erlang C formula), in the unit of ``1 / lam``.

    Raises
    ------
    ValueError
        If the queue is not stable (``lam >= c mu``).
    """
    a = lam / mu
    rho = a / c
    if not rho < 1:
        raise ValueError(f"an M/M/c queue needs lam < c mu, got lam={lam}, mu={mu}, c={c}")
    top = a**c / math.factorial(c) / (1 - rho)
    p_wait = top / (sum(a**k / math.factorial(k) for k in range(c)) + top)
    return p_wait / (c * mu - lam)


def check_erlang_c(lam: float, mean_service_h: float, c: int, start_h: float = 0.0,
                   seed: int = 2026, arrivals: int = 120_000, warmup: int = 20_000,
                   batches: int = 50) -> CheckResult:
    """The registration desks' mean wait under Poisson arrivals against Erlang C.

    ``arrivals`` households arrive at rate ``lam`` per hour from ``start_h`` (runs start before
    the onset, so the clock may be negative) at ``c`` desks with exponential service of mean
    ``mean_service_h``. The first ``warmup`` waits (from an empty system) are dropped; the mean
    of the rest is compared with the M/M/c mean wait, within the 99.9 % Student-t interval of
    ``batches`` batch means (batch means of a long run are nearly independent).
    """
    from scipy import stats

    from sim.response.shelters import Desks

    rng = np.random.default_rng(seed)
    desks = Desks(c, mean_service_h, rng)
    times = start_h + np.cumsum(rng.exponential(1 / lam, size=arrivals))
    for t in times:
        desks.serve(float(t))
    waits = np.array(desks.waits[warmup:])
    waits = waits[: len(waits) // batches * batches]
    means = waits.reshape(batches, -1).mean(axis=1)
    half = float(stats.t.ppf(0.9995, batches - 1) * means.std(ddof=1) / math.sqrt(batches))
    expected = erlang_c_wait(lam, 1 / mean_service_h, c)
    return _result(
        f"Erlang C, {c} desks", f"mean wait at {c} registration desks, {lam:g} households/h, "
        f"{mean_service_h * 60:g} min mean service (rho = {lam * mean_service_h / c:.2f}), "
        f"{arrivals - warmup:,} households after a warm-up of {warmup:,}",
        float(means.mean()), expected, half,
        f"99.9 % Student-t interval of {batches} batch means (t(0.9995, {batches - 1}) x "
        "standard error)", "h", "Erlang C mean wait in queue of M/M/c")


# -- Little's law --------------------------------------------------------------------------------
def check_littles_law(result: Any) -> CheckResult:
    """Little's law on a run's shelters: the time-average occupancy against lambda W.

    ``L`` is the time average of the recorded occupancy of every shelter (the shelters' own
    counters, sampled every ``record_every_h``, left Riemann sum over the run). ``lambda`` is the
    people admitted per hour over the run and ``W`` their mean stay, both from the people ledger's
    moves into and out of the ``sheltered`` state (stays cut at the end of the run). The two
    agree up to the sampling: a move of ``n`` people between two records shifts the sampled
    area by at most ``n`` times the record step, so the tolerance is that step times the people
    moved in and out, over the run's length.
    """
    from sim.response.ledger import State

    t = np.asarray(result.times, dtype=float)
    occ = np.asarray(result.shelter_occupancy, dtype=float).sum(axis=1)
    t0, t1 = float(t[0]), float(t[-1])
    span = t1 - t0
    area_sampled = float(np.sum(occ[:-1] * np.diff(t)))
    log = np.array(result.transitions, dtype=float).reshape(-1, 5)
    inside = (log[:, 0] >= t0) & (log[:, 0] < t1)
    sheltered = float(State.sheltered)
    into = log[inside & (log[:, 3] == sheltered) & (log[:, 2] != sheltered)]
    out = log[inside & (log[:, 2] == sheltered) & (log[:, 3] != sheltered)]
    arrivals = float(into[:, 4].sum())
    # people-hours in shelters: every admission counts to the end, every departure takes back
    # the rest (the pairing of admissions and departures does not change the sum)
    people_h = float(np.sum(into[:, 4] * (t1 - into[:, 0])) - np.sum(out[:, 4] * (t1 - out[:, 0])))
    lam = arrivals / span
    w = people_h / arrivals if arrivals else 0.0
    step = float(np.max(np.diff(t))) if len(t) > 1 else 0.0
    tol = step * (arrivals + float(out[:, 4].sum())) / span
    return _result(
        f"Little's law, {result.scenario}",
        f"time-average people in shelters L (shelter counters, every {step:g} h) against "
        f"lambda W = {lam:.4g} admitted/h x {w:.4g} h mean stay (people ledger), "
        f"{t0:g} to {t1:g} h, run seed {_seed_words(result.seed)}",
        area_sampled / span, lam * w, tol,
        f"sampling bound: record step {step:g} h x {arrivals + float(out[:, 4].sum()):,.0f} "
        f"people moved in or out / {span:g} h", "people", "Little (1961): L = lambda W")


def _seed_words(seed: Any) -> str:
    if isinstance(seed, dict):
        key = seed.get("spawn_key") or []
        return f"{seed.get('entropy')}" + (f", spawn key {tuple(key)}" if key else "")
    return str(seed)


# -- hazard formulas -----------------------------------------------------------------------------
_ULP = 1e-12
"""Relative tolerance of an exact formula evaluated in double precision (many ulps)."""


def _exact(name: str, compared: str, got: float, want: float, reference: str,
           unit: str = "") -> CheckResult:
    return _result(name, compared, got, want, _ULP * max(1.0, abs(want)),
                   "floating-point rounding (1e-12 relative)", unit, reference)


def hazard_checks() -> list[CheckResult]:
    """The hazard models' published formulas at points where their values are known.

    The same points as tests/test_typhoon.py, tests/test_flood.py and tests/test_earthquake.py;
    each closed form is written out here, independently of the model's code.
    """
    from sim.hazards.earthquake import omori_integral
    from sim.hazards.flood import gumbel_level, manning_depth, scs_runoff_mm
    from sim.hazards.typhoon import emanuel_mdd, holland_wind, inland_decay

    out: list[CheckResult] = []
    vmax, rmw, b, lat = 45.0, 30.0, 1.5, 27.0
    out.append(_exact(
        "Holland: V(RMW) = V_max", f"surface wind at r = RMW = {rmw:g} km without Coriolis, "
        f"V_max {vmax:g} m/s, B {b:g}", float(holland_wind(rmw, vmax, rmw, b, lat,
                                                            coriolis=False)),
        vmax, "Holland (1980): without Coriolis the profile peaks at V_max at R_max", "m/s"))
    step = 0.01
    r = np.arange(1.0, 300.0 + step / 2, step)
    v = holland_wind(r, vmax, rmw, b, lat, coriolis=False)
    out.append(_result(
        "Holland: peak at RMW", f"radius of the largest wind on a {step:g} km grid, "
        f"RMW {rmw:g} km", float(r[int(np.argmax(v))]), rmw, step,
        f"grid step ({step:g} km)", "km", "Holland (1980)"))
    for v_half in (74.7, 112.8):
        out.append(_exact(
            f"Emanuel MDD at v_half = {v_half:g}", f"mean damage ratio at V = v_half = "
            f"{v_half:g} m/s (v_thresh 25.7)", float(emanuel_mdd(v_half, 25.7, v_half)), 0.5,
            "Emanuel (2011): v^3 / (1 + v^3) is 1/2 at v_half"))
    v0, alpha, vb, factor, th = 50.0, 0.095, 13.74, 0.9, 6.0
    out.append(_exact(
        "Kaplan-DeMaria decay", f"wind {th:g} h after landfall, V0 {v0:g} m/s",
        float(inland_decay(th, v0, alpha, vb, factor)),
        vb + (factor * v0 - vb) * math.exp(-alpha * th),
        "Kaplan & DeMaria (1995): V_b + (R V_0 - V_b) exp(-alpha t)", "m/s"))
    loc, scale = 4.0, 0.8
    out.append(_exact(
        "Gumbel 100-year level", f"stage of return period 100 y, location {loc:g} m, "
        f"scale {scale:g} m", gumbel_level(100.0, loc, scale),
        loc - scale * math.log(-math.log(0.99)), "Gumbel quantile mu - beta ln(-ln(1 - 1/T))",
        "m"))
    out.append(_exact(
        "Gumbel location", "stage of return period 1/(1 - e^-1) y is the location",
        gumbel_level(1 / (1 - math.exp(-1)), loc, scale), loc, "Gumbel quantile", "m"))
    q, width, slope, n = 100.0, 10.0, 0.01, 0.04
    out.append(_exact(
        "Manning normal depth", f"wide channel, Q {q:g} m3/s, width {width:g} m, S {slope:g}, "
        f"n {n:g}", manning_depth(q, width, slope, n), (n * q / width / math.sqrt(slope)) ** 0.6,
        "Manning: h = (n q / sqrt(S))^(3/5)", "m"))
    p, cn = 100.0, 80.0
    s = 25400.0 / cn - 254.0
    out.append(_exact(
        "SCS-CN runoff", f"direct runoff of {p:g} mm on CN {cn:g}, Ia = 0.2 S",
        float(scs_runoff_mm(np.array([p]), cn, 0.2)[0]), (p - 0.2 * s) ** 2 / (p + 0.8 * s),
        "USDA TR-55: Q = (P - Ia)^2 / (P - Ia + S), S = 25400/CN - 254", "mm"))
    tt, pp, cc = 10.0, 1.1, 0.05
    out.append(_exact(
        "Omori integral", f"aftershock rate integral over {tt:g} days, p {pp:g}, c {cc:g}",
        omori_integral(tt, pp, cc), (cc ** (1 - pp) - (tt + cc) ** (1 - pp)) / (pp - 1),
        "modified Omori (Utsu 1961): int (t + c)^-p dt"))
    return out


# -- entrapment survival -------------------------------------------------------------------------
def check_survival_curve(scenario: Any) -> list[CheckResult]:
    """The scenario's survival curve at the Tangshan 1976 hours against the published shares.

    The tolerance is half the last published digit (0.0005): the figures are given to 0.1 %.
    """
    from sim.response.rescue import survival

    rule = scenario.response.rescue
    if rule is None:
        return []
    hours = np.array(rule.survival.hours, dtype=float)
    alive = np.array(rule.survival.alive, dtype=float)
    return [_result(
        f"survival curve at {h:g} h", f"{scenario.name}: share alive after {h:g} h trapped",
        survival(h, hours, alive), a, 0.0005,
        "half the published rounding (0.1 %)", "share",
        "Tangshan 1976 (parameters.md §8)") for h, a in TANGSHAN_SURVIVAL]


def extraction_records(result: Any) -> tuple[np.ndarray, np.ndarray] | None:
    """Hours trapped at extraction, and alive (1) or dead (0), of every extraction of a run.

    Extractions are the rescue teams' ``extract`` intervals (start, end, zone); in start order
    they match the run's ``reached`` records (hours from entrapment to the start); the outcome is
    the ledger's move out of ``trapped`` at the end, in that zone. None if some extraction was
    still under way at the end of the run (its start cannot then be matched).
    """
    from sim.response.ledger import State

    acts = sorted((a[0], a[1], a[3]) for v in result.team_activity.values() for a in v
                  if a[2] == "extract")
    if len(acts) != len(result.reached):
        return None
    log = np.array(result.transitions, dtype=float).reshape(-1, 5)
    moves: dict[tuple[float, int], list[float]] = {}
    for t, z, _src, dst, n in log[log[:, 2] == float(State.trapped)]:
        moves.setdefault((float(t), int(z)), []).extend(
            [1.0 if dst == float(State.rescued) else 0.0] * int(n))
    hours = np.empty(len(acts))
    alive = np.empty(len(acts))
    for i, ((t0, t1, z), (_, wait)) in enumerate(zip(acts, result.reached, strict=True)):
        hours[i] = wait + (t1 - t0)
        alive[i] = moves[(float(t1), int(z))].pop()
    return hours, alive


def check_rescue_survival(scenario: Any, runs: int = 10, seed: int = 0,
                          end_h: float | None = 720.0) -> CheckResult:
    """People freed alive against the survival curve at their hours of entrapment.

    Each extraction after ``t`` hours trapped frees a living person with probability ``S(t)``
    (the scenario's curve, sim.response.rescue.survival); over ``runs`` runs the people freed
    alive are compared with the sum of ``S(t)`` over every extraction, within the 99.9 % normal
    interval of a sum of independent Bernoulli trials (``3.29 sqrt(sum S (1 - S))``). The runs
    are extended to ``end_h`` so that every extraction finishes; runs where one is still under
    way at the end are left out.
    """
    from sim.run import run
    from sim.scenario.overrides import apply_overrides

    sc = apply_overrides(scenario, {"time.end_h": end_h}) if end_h is not None else scenario
    rule = sc.response.rescue
    if rule is None:
        raise ValueError(f"scenario {sc.name!r} has no rescue rules")
    hours_pts = np.array(rule.survival.hours, dtype=float)
    alive_pts = np.array(rule.survival.alive, dtype=float)
    expected = var = 0.0
    freed = 0.0
    used = n = 0
    for i in range(runs):
        r = run(sc, np.random.SeedSequence(seed, spawn_key=(i,)))
        rec = extraction_records(r)
        if rec is None:
            continue
        used += 1
        p = np.interp(rec[0], hours_pts, alive_pts)  # the curve, linear between its points
        expected += float(p.sum())
        var += float(np.sum(p * (1 - p)))
        freed += float(rec[1].sum())
        n += len(p)
    return _result(
        f"rescue survival, {sc.name}",
        f"people freed alive in {n:,} extractions of {used} of {runs} runs against the sum of "
        "S(hours trapped) (Tangshan 1976 curve, parameters.md §8)",
        freed, expected, Z_999 * math.sqrt(var),
        "99.9 % normal interval of a sum of independent Bernoulli(S(t)) trials "
        "(3.29 x sqrt(sum S(1 - S)))", "people", "the scenario's survival curve")


# -- all together --------------------------------------------------------------------------------
ERLANG_CASES: tuple[tuple[float, float, int, float], ...] = (
    (50.0, 0.05, 3, 0.0), (20.0, 0.08, 2, -48.0), (12.0, 0.4, 6, -12.5))
"""(households per hour, mean service h, desks, clock start h), as in tests/test_queueing.py."""


def all_checks(scenarios_dir: str | Path = "scenarios", reduced: bool = False,
               seed: int = 0) -> list[CheckResult]:
    """Every closed-form check of the validation page.

    Little's law runs on one run of each demo scenario; rescue survival on the demo earthquake
    (``reduced``: fewer runs and arrivals, for ``make test``).
    """
    from sim.run import run
    from sim.scenario.loader import load_scenario

    d = Path(scenarios_dir)
    out: list[CheckResult] = []
    for lam, mean, c, start in ERLANG_CASES:
        out.append(check_erlang_c(lam, mean, c, start, arrivals=40_000 if reduced else 120_000,
                                  warmup=10_000 if reduced else 20_000))
    demos: Sequence[str] = ("demo_coastal_typhoon", "demo_flash_flood", "demo_earthquake")
    for name in demos:
        p = d / f"{name}.yaml"
        if p.is_file():
            out.append(check_littles_law(run(load_scenario(p), seed)))
    out.extend(hazard_checks())
    eq = d / "demo_earthquake.yaml"
    if eq.is_file():
        sc = load_scenario(eq)
        out.extend(check_survival_curve(sc))
        out.append(check_rescue_survival(sc, runs=3 if reduced else 20, seed=seed))
    return out


# -- the page ------------------------------------------------------------------------------------
REDUCED_RUNS = 12
"""Runs per back-test in the reduced form (``make test``)."""


@dataclass
class ValidationOutput:
    """What :func:`make_validation` wrote and found."""

    page: Path
    figures: list[Path]
    results: list[Any]
    """One :class:`sim.study.backtest.BacktestResult` per back-test that loaded."""
    checks: list[CheckResult]
    problems: list[Any]
    """Located problems (:class:`sim.scenario.loader.Problem`) of files that did not load."""
    statistics: list[CheckResult] = field(default_factory=list)
    """The water scenarios' casualty rates against China's flood statistics (ranges of
    records, not closed forms: a miss is a finding, not a failed check)."""


def make_validation(backtests: str | Path = "validation/backtests",
                    out: str | Path = "docs/validation.md", *, runs: int | None = None,
                    reduced: bool = False, workers: int | None = 1, seed: int = 0,
                    scenarios_dir: str | Path = "scenarios", command: str = "sim validation",
                    progress: bool | None = False) -> ValidationOutput:
    """Run every back-test and closed-form check; write the page and one figure per back-test.

    Parameters
    ----------
    backtests : path
        Folder of back-test files (``*.yaml``, in name order).
    out : path
        The page; figures go to the folder of the same name beside it (``docs/validation/``).
    runs : int, optional
        Runs per back-test (default: each file's ``runs``; ``reduced``: :data:`REDUCED_RUNS`).
    reduced : bool
        The reduced form for the tests: few runs, shorter statistical checks.
    workers : int, optional
        Local worker processes per study (1: this process; None: all cores).
    seed : int
        Root seed of every study and run.
    scenarios_dir : path
        Where the demo scenarios of the closed-form checks are.
    command : str
        The command line, written on the page.

    Files that do not load are listed on the page with their located problems (and returned),
    never dropped silently.
    """
    from sim.report.validation_markdown import backtest_figure, validation_page
    from sim.scenario.loader import ScenarioError
    from sim.study.backtest import run_backtest
    from sim.study.store import code_version

    folder = Path(backtests)
    if not folder.is_dir():
        raise ValueError(f"{folder}: no such folder of back-tests")
    files = sorted(folder.glob("*.yaml"))
    page = Path(out)
    fig_dir = page.parent / page.stem
    fig_dir.mkdir(parents=True, exist_ok=True)
    n = runs if runs is not None else (REDUCED_RUNS if reduced else None)
    results = []
    problems: list[Any] = []
    for f in files:
        try:
            results.append(run_backtest(f, n, seed, workers=workers, progress=progress))
        except ScenarioError as exc:
            problems.extend(exc.problems)
    written: list[Path] = []
    rel: dict[str, str] = {}
    for r in results:
        p = fig_dir / f"{r.backtest.name}.png"
        backtest_figure(r).savefig(p, dpi=100)
        written.append(p)
        rel[r.backtest.name] = f"{fig_dir.name}/{p.name}"
    from sim.study.flood_statistics import flood_checks

    checks = all_checks(scenarios_dir, reduced=reduced, seed=seed)
    statistics = flood_checks(scenarios_dir, reduced=reduced, seed=seed)
    text = validation_page(results, checks, rel, engine=code_version().get("git"),
                           command=command, problems=problems, reduced=reduced,
                           statistics=statistics)
    page.parent.mkdir(parents=True, exist_ok=True)
    page.write_text(text + "\n", encoding="utf-8")
    return ValidationOutput(page, written, results, checks, problems, statistics)
