"""The ``sim`` command.

Every error a user can cause (a bad scenario file, a bad argument, a bad intervention file) is
one line per problem on stderr and exit status 2, never a traceback.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from sim.scenario.loader import ScenarioError, load_scenario

app = typer.Typer(
    name="sim",
    help="Test the targets of disaster-relief plans by discrete-event simulation.",
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)

ScenarioFile = Annotated[
    Path, typer.Argument(help="Scenario YAML file.", dir_okay=False, show_default=False)
]


class UserError(Exception):
    """An error in the user's input: printed as one line, exit status 2."""


def _lang(value: str) -> str:
    from sim.i18n import parse_lang

    try:
        return parse_lang(value)
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from None


Language = Annotated[str, typer.Option(
    "--lang", callback=_lang,
    help="Language of tables, reports and figure labels: en (default) or zh (Chinese).")]


@app.command()
def validate(
    file: Annotated[Path | None, typer.Argument(help="Scenario YAML file.", dir_okay=False,
                                                show_default=False)] = None,
    msel: Annotated[Path | None, typer.Option("--msel", dir_okay=False, help=(
        "Check this exercise MSEL (YAML or CSV) against FILE, or its own scenario."))] = None,
) -> None:
    """Check a scenario file; print its problems as FILE:LINE: field: message."""
    from sim.report.text import format_standards
    from sim.scenario.citations import ROOT, check_citations
    from sim.standards import evaluate_standards

    if msel is not None:
        from sim.exercise import validate_msel_file

        typer.echo(validate_msel_file(msel, file))
        return
    if file is None:
        raise UserError("give a scenario file (or --msel FILE)")
    sc = load_scenario(file)
    typer.echo(f"{file}: valid scenario {sc.name!r} ({len(sc.zones)} zones, "
               f"{sum(z.population for z in sc.zones):,} people, {len(sc.targets)} targets)")
    results = evaluate_standards(sc)
    if results:
        typer.echo("\nstatic standards (checked from the scenario's data, not simulated):\n"
                   + format_standards(results))
    # Citations resolve against the project's reference pages and plans (in a checkout).
    here = (ROOT / "docs" / "reference").is_dir() and (ROOT / "scenarios" / "plans").is_dir()
    unresolved = check_citations(file) if here else []
    if unresolved:
        typer.echo(f"\n{len(unresolved)} citation(s) that do not resolve in this repository:")
        for f in unresolved:
            typer.echo(f"  {f.file}: {f.path}: {f.citation}: {f.problem}")


@app.command("run")
def run_cmd(
    file: ScenarioFile,
    seed: Annotated[int, typer.Option(min=0, help="Seed of the run (same seed, same result).")] = 0,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON document.")] = False,
    interventions: Annotated[
        Path | None,
        typer.Option("--interventions", "-i", dir_okay=False,
                     help="YAML list of interventions to apply."),
    ] = None,
    lang: Language = "en",
) -> None:
    """Simulate one run and print its verdict table (or JSON)."""
    from sim.interventions import load_interventions
    from sim.report.text import format_run
    from sim.run import run

    sc = load_scenario(file)
    its = load_interventions(interventions, sc) if interventions else []
    result = run(sc, seed, its)
    if as_json:
        typer.echo(json.dumps(result.to_dict(), ensure_ascii=False, indent=1, sort_keys=False))
    else:
        from sim.i18n import parse_lang

        typer.echo(format_run(result, parse_lang(lang)))


@app.command()
def schema() -> None:
    """Print the JSON Schema of scenario files (for editors)."""
    from sim.scenario.schema import json_schema

    typer.echo(json.dumps(json_schema(), ensure_ascii=False, indent=1))


# -- Monte Carlo studies ------------------------------------------------------------------------
Workers = Annotated[int | None, typer.Option(
    "--workers", "-w", min=1, help="Local worker processes (default: all cores; 1: this process).")]
Scheduler = Annotated[str | None, typer.Option(
    "--scheduler", help="Run on the Dask scheduler at this address (tcp://host:8786).")]
DaskLocal = Annotated[bool, typer.Option(
    "--dask-local", help="Start a Dask LocalCluster of --workers processes and run on it.")]
Seed = Annotated[int, typer.Option(min=0, max=2**63 - 1, help="Root seed of the study.")]
AsJson = Annotated[bool, typer.Option("--json", help="Print one JSON document.")]
Progress = Annotated[bool | None, typer.Option(
    "--progress/--no-progress", help="Progress bar with ETA (default: on a terminal).")]
Sets = Annotated[list[str] | None, typer.Option(
    "--set", help="Override PATH=VALUE (YAML value), e.g. vehicles[county_trucks].count=8.")]


def _study_errors(fn: Any) -> Any:
    """Turn study-level user errors into :class:`UserError` (one line, exit status 2)."""
    import functools

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from sim.study.store import StoreError
        from sim.study.tasks import StudyRunError

        try:
            return fn(*args, **kwargs)
        except (StoreError, ValueError, KeyError) as exc:
            msg = exc.args[0] if isinstance(exc, KeyError) and exc.args else exc
            raise UserError(str(msg)) from None
        except ImportError as exc:
            raise UserError(f"{exc} (install the extras: "
                            f"pip install 'reliefplan-sim[study,dask]')") from None
        except StudyRunError as exc:
            print(f"sim: run failed: {exc}", file=sys.stderr)
            raise typer.Exit(1) from None

    return wrapper


def _scenario_with_sets(file: Path, sets: list[str] | None) -> Any:
    from sim.scenario.overrides import apply_overrides, parse_set

    if not sets:
        return load_scenario(file)
    return apply_overrides(file, [parse_set(x) for x in sets])


def _dump(doc: Any) -> str:
    import math as _math

    def clean(x: Any) -> Any:
        if isinstance(x, float) and not _math.isfinite(x):
            return None
        if isinstance(x, dict):
            return {str(k): clean(v) for k, v in x.items()}
        if isinstance(x, list | tuple):
            return [clean(v) for v in x]
        return x

    return json.dumps(clean(doc), ensure_ascii=False, indent=1, default=str)


@app.command("study")
@_study_errors
def study_cmd(
    file: Annotated[Path | None, typer.Argument(
        help="Scenario YAML file (optional with --resume).", dir_okay=False,
        show_default=False)] = None,
    runs: Annotated[int | None, typer.Option(
        min=1, help="Runs (default 200; with --until-ci: the first round; with --resume: "
        "extend the study to this many).")] = None,
    seed: Seed = 0,
    workers: Workers = None,
    scheduler: Scheduler = None,
    dask_local: DaskLocal = False,
    out: Annotated[Path | None, typer.Option(
        "--out", "-o", file_okay=False, help="Study directory for Parquet parts and manifest.")]
    = None,
    resume: Annotated[Path | None, typer.Option(
        "--resume", file_okay=False, help="Continue the interrupted study in this directory.")]
    = None,
    until_ci: Annotated[float | None, typer.Option(
        "--until-ci",
        help="Add runs until every P(holds) interval half-width is at most this.")] = None,
    max_runs: Annotated[int, typer.Option(min=1, help="Cap on runs with --until-ci.")] = 20_000,
    batch_size: Annotated[int | None, typer.Option(min=1, help="Runs per task.")] = None,
    series: Annotated[bool, typer.Option(
        "--series", help="Keep time series of every run (for fan charts).")] = False,
    interventions: Annotated[Path | None, typer.Option(
        "--interventions", "-i", dir_okay=False, help="YAML list of interventions.")] = None,
    sets: Sets = None,
    as_json: AsJson = False,
    progress: Progress = None,
    lang: Language = "en",
) -> None:
    """Run a Monte Carlo study: P(each target holds) with its Wilson interval."""
    from sim.report.study import format_summary
    from sim.study.runner import resume_study, run_study

    try:
        if resume is not None:
            if out is not None:
                raise UserError("give --resume DIR or --out DIR, not both")
            if sets or interventions:
                raise UserError("--resume takes the scenario, overrides and interventions "
                                "from the study directory; drop --set/--interventions")
            st = resume_study(resume, runs=runs, workers=workers, scheduler=scheduler,
                              dask_local=dask_local, batch_size=batch_size, progress=progress,
                              scenario=file)
        else:
            if file is None:
                raise UserError("missing scenario FILE (or --resume DIR)")
            sc = _scenario_with_sets(file, sets)
            from sim.interventions import load_interventions

            its = load_interventions(interventions, sc) if interventions else []
            st = run_study(sc if sets else file, runs or 200, seed, workers=workers,
                           scheduler=scheduler, dask_local=dask_local, out=out,
                           until_ci=until_ci, max_runs=max_runs, batch_size=batch_size,
                           interventions=its, series=series, progress=progress)
    except KeyboardInterrupt:
        where = resume or out
        if where is not None:
            print(f"sim: interrupted; finished runs are kept in {where}; continue with "
                  f"sim study --resume {where}", file=sys.stderr)
        raise
    summary = st.summary()
    if as_json:
        doc = summary.to_dict()
        doc["directory"] = str(st.directory) if st.directory else None
        typer.echo(_dump(doc))
    else:
        from sim.i18n import clause_of, parse_lang

        clauses = {t.id: clause_of(t, "zh") for t in st.scenario.targets}
        typer.echo(format_summary(summary, parse_lang(lang), clauses))
        if st.directory is not None:
            typer.echo(f"\nruns stored in {st.directory} (sim figures {st.directory})")


DEMO = Path(__file__).resolve().parent / "bundled" / "demo_coastal_typhoon.yaml"
"""The bundled demo scenario (a typhoon on a small coastal county), carried by the wheel."""


@app.command("demo")
def demo_cmd(
    runs: Annotated[int, typer.Option(min=1, help="Runs of the study.")] = 200,
    seed: Seed = 7,
    workers: Workers = None,
    progress: Progress = None,
) -> None:
    """Study the bundled demo scenario: P(each target holds) with its interval (make demo)."""
    typer.echo(f"scenario: {DEMO.name} (bundled with sim; a copy to edit: sim demo-scenario)")
    study_cmd(DEMO, runs=runs, seed=seed, workers=workers, progress=progress)


@app.command("demo-scenario")
def demo_scenario_cmd(
    out: Annotated[Path, typer.Argument(dir_okay=False, help="Where to write the copy.")],
) -> None:
    """Write a copy of the bundled demo scenario, to start a scenario of one's own from."""
    if out.exists():
        raise UserError(f"{out}: exists already; give a new file name")
    out.write_text(DEMO.read_text(encoding="utf-8"), encoding="utf-8")
    typer.echo(f"wrote {out} (validate it with: sim validate {out})")


@app.command("new")
def new_cmd(
    out: Annotated[Path, typer.Argument(dir_okay=False, help="Where to write the scenario.",
                                        show_default=False)],
    hazard: Annotated[str, typer.Option(
        "--hazard", help="typhoon, flood or earthquake: the hazard block and its packs.")]
    = "typhoon",
    name: Annotated[str | None, typer.Option(
        "--name", help="The scenario's name (default: the file name without .yaml).")] = None,
) -> None:
    """Write a commented skeleton scenario that runs as written; list what to replace.

    Its county's numbers are placeholders ("assumption: placeholder, replace ..."); the
    command lists them, and the other assumptions the file inherits, for the author.
    """
    from sim.scenario.loader import parse_scenario
    from sim.scenario.skeleton import HAZARDS, assumption_lines, name_from_path, skeleton_text

    if hazard not in HAZARDS:
        raise UserError(f"--hazard: unknown hazard {hazard!r}; expected one of "
                        f"{', '.join(HAZARDS)}")
    if out.exists():
        raise UserError(f"{out}: exists already; give a new file name")
    try:
        text = skeleton_text(hazard, name or name_from_path(out.stem))
    except ValueError as exc:
        raise UserError(f"{'--name' if name else out}: {exc}") from None
    sc = parse_scenario(text, str(out))
    try:
        out.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise UserError(f"{out}: cannot write: {exc.strerror or exc}") from None
    lines = assumption_lines(sc)
    typer.echo(f"wrote {out}: a skeleton scenario ({hazard}, {len(sc.zones)} zones) that "
               f"runs as written: sim validate {out}; sim run {out}")
    typer.echo(f"\n{len(lines)} assumptions it inherits, placeholders first; replace them "
               "with the county's numbers and sources:")
    for line in lines:
        typer.echo(line)


def _import_help() -> str:
    from sim.scenario.importer import columns_help

    return (
        "Build a scenario from a county's spreadsheets: an .xlsx workbook with one sheet per "
        "kind, or a directory of KIND.csv files (UTF-8 or GB18030). The zones, shelters, stock "
        "points, vehicles, teams, and optionally road links and hospitals come from the "
        "sheets; the rest (items, needs, hazard, response rules, targets) from --base, with "
        "its names remapped or dropped where the county lacks them. Every row needs a source "
        "(its column, or a default in a 'sources' sheet with columns sheet, column, source). "
        "A header may carry a unit in brackets: 载重(吨). Item columns are named after the "
        "base's items (meal, water_l, quilt or 方便食品, 饮用水, 棉被). A cell may hold a "
        "distribution: {dist: uniform, low: 1, high: 3}. The command lists the assumptions "
        "the new file inherits from --base. More: docs/import.md.\n\n"
        "\b\nSheets and columns (English or Chinese headers):\n" + columns_help())


@app.command("import", help=_import_help())
def import_cmd(
    spreadsheet: Annotated[Path, typer.Argument(
        help="The county's .xlsx workbook or directory of CSV files.", show_default=False)],
    out: Annotated[Path, typer.Option("--out", "-o", dir_okay=False,
                                      help="The scenario file to write.", show_default=False)],
    base: Annotated[Path | None, typer.Option(
        "--base", dir_okay=False, help="Scenario giving everything the sheets do not "
        "(default: the bundled demo scenario).")] = None,
    name: Annotated[str | None, typer.Option(
        "--name", help="The scenario's name (default: the spreadsheet's name).")] = None,
    force: Annotated[bool, typer.Option("--force", help="Overwrite --out.")] = False,
) -> None:
    """Build a scenario from a county's spreadsheets (the help text is :func:`_import_help`)."""
    from sim.scenario.importer import import_county

    if out.exists() and not force:
        raise UserError(f"{out}: exists already; give a new file name (or --force)")
    result = import_county(spreadsheet, base or DEMO, name)
    for w in result.warnings:
        print(f"warning: {w}", file=sys.stderr)
    try:
        out.write_text(result.yaml_text(), encoding="utf-8")
    except OSError as exc:
        raise UserError(f"{out}: cannot write: {exc.strerror or exc}") from None
    sc = result.scenario
    typer.echo(f"wrote {out}: {len(sc.zones)} zones, {sum(z.population for z in sc.zones):,} "
               f"people, {len(sc.shelters)} shelters, {len(sc.stock_points)} stock points, "
               f"{len(sc.vehicles)} fleets, {len(sc.teams)} teams, {len(sc.targets)} targets "
               f"(sheets: {', '.join(result.sheets)})")
    if result.notes:
        typer.echo("\nthe base fitted to the county:")
        for n in result.notes:
            typer.echo(f"  {n}")
    lines = result.assumption_lines()
    typer.echo(f"\n{len(lines)} assumptions it inherits from {base or DEMO.name}; replace them "
               "with the county's numbers and sources:")
    for line in lines:
        typer.echo(line)


@app.command("compare")
@_study_errors
def compare_cmd(
    file: ScenarioFile,
    variant: Annotated[list[str] | None, typer.Option(
        "--variant", help="NAME=OVERRIDES.yaml: a variant defined by an override file.")] = None,
    sets: Annotated[list[str] | None, typer.Option(
        "--set", help="[NAME:]PATH=VALUE: an override of variant NAME (default 'variant').")]
    = None,
    runs: Annotated[int, typer.Option(min=2, help="Paired runs per variant.")] = 200,
    seed: Seed = 0,
    workers: Workers = None,
    scheduler: Scheduler = None,
    dask_local: DaskLocal = False,
    out: Annotated[Path | None, typer.Option("--out", "-o", file_okay=False,
                                             help="Directory for each variant's study.")] = None,
    as_json: AsJson = False,
    progress: Progress = None,
) -> None:
    """Compare variants on the same disasters (common random numbers): paired differences."""
    import re

    from sim.report.study import format_comparison
    from sim.scenario.overrides import Override, parse_set, read_overrides
    from sim.study.compare import compare

    specs: dict[str, list[Override]] = {}
    for v in variant or []:
        name, eq, path = v.partition("=")
        if not eq or not name or not path:
            raise UserError(f"--variant expects NAME=OVERRIDES.yaml, got {v!r}")
        specs.setdefault(name, []).extend(read_overrides(path))
    for x in sets or []:
        head, eq, _ = x.partition("=")
        name, colon, path = head.partition(":")
        if not colon:
            name, path = "variant", head
        if not eq:
            raise UserError(f"--set expects [NAME:]PATH=VALUE, got {x!r}")
        specs.setdefault(name, []).append(parse_set(f"{path}={x.partition('=')[2]}"))
    if not specs:
        raise UserError("give at least one --variant NAME=OVERRIDES.yaml or --set PATH=VALUE")
    for name in specs:
        if not re.fullmatch(r"[A-Za-z_][\w\-]*", name):
            raise UserError(f"variant name {name!r}: use letters, digits, '_' or '-'")
    comp = compare(file, specs, runs, seed, workers=workers, scheduler=scheduler,
                   dask_local=dask_local, out=out, progress=progress)
    typer.echo(_dump(comp.to_dict()) if as_json else format_comparison(comp))


@app.command("sensitivity")
@_study_errors
def sensitivity_cmd(
    file: ScenarioFile,
    method: Annotated[str, typer.Option(help="sobol or morris.")] = "sobol",
    n: Annotated[int, typer.Option(
        "--n", min=2, help="Sobol': base sample (power of 2); Morris: trajectories.")] = 64,
    seed: Seed = 0,
    target: Annotated[list[str] | None, typer.Option(help="Target(s) to analyse.")] = None,
    noise: Annotated[bool, typer.Option(
        "--noise/--no-noise", help="Count run-to-run randomness as a factor.")] = True,
    top: Annotated[int, typer.Option(min=1, help="Inputs shown per target.")] = 8,
    figure: Annotated[Path | None, typer.Option(
        dir_okay=False, help="Write a bar chart per target (TARGET is added to the name).")]
    = None,
    workers: Workers = None,
    scheduler: Scheduler = None,
    dask_local: DaskLocal = False,
    as_json: AsJson = False,
    progress: Progress = None,
) -> None:
    """Which uncertain inputs move each target's value (SALib: Sobol' or Morris)."""
    from sim.report.study import format_sensitivity
    from sim.study.sensitivity import sensitivity

    res = sensitivity(file, method=method, n=n, seed=seed, targets=target, noise=noise,
                      workers=workers, scheduler=scheduler, dask_local=dask_local,
                      progress=progress)
    if figure is not None:
        from sim.report.figures import sensitivity_bars

        for t in dict.fromkeys(res.indices["target"]):
            p = figure.with_name(f"{figure.stem}_{t}{figure.suffix or '.png'}")
            sensitivity_bars(res, t, top).savefig(p, dpi=110)
    typer.echo(_dump(res.to_dict()) if as_json else format_sensitivity(res, top))


@app.command("discover")
@_study_errors
def discover_cmd(
    file: Annotated[Path | None, typer.Argument(
        help="Scenario YAML file (or --study DIR).", dir_okay=False, show_default=False)]
    = None,
    study_dir: Annotated[Path | None, typer.Option(
        "--study", file_okay=False, help="Use the runs of this study directory.")] = None,
    target: Annotated[list[str] | None, typer.Option(help="Target(s) to explain.")] = None,
    runs: Annotated[int, typer.Option(min=10, help="Runs of the study to run.")] = 500,
    seed: Seed = 0,
    min_coverage: Annotated[float, typer.Option(
        min=0.0, max=1.0, help="Smallest share of failures the box must hold.")] = 0.5,
    figure: Annotated[Path | None, typer.Option(
        dir_okay=False, help="Write a box plot per target (TARGET is added to the name).")]
    = None,
    workers: Workers = None,
    as_json: AsJson = False,
    progress: Progress = None,
) -> None:
    """Conditions, in the scenario's inputs, under which each target fails (PRIM)."""
    from sim.report.study import format_discovery
    from sim.study.discovery import discover
    from sim.study.runner import Study, run_study

    if (file is None) == (study_dir is None):
        raise UserError("give a scenario FILE or --study DIR (one of them)")
    st = Study.open(study_dir) if study_dir is not None else run_study(
        file, runs, seed, workers=workers, progress=progress)  # type: ignore[arg-type]
    ids = target or st.target_ids
    found = [discover(st, t, min_coverage=min_coverage) for t in ids]
    if figure is not None:
        from sim.report.figures import discovery_box

        for d in found:
            if d.box is not None:
                p = figure.with_name(f"{figure.stem}_{d.target}{figure.suffix or '.png'}")
                discovery_box(d, st).savefig(p, dpi=110)
    if as_json:
        typer.echo(_dump({"runs": st.runs, "seed": st.seed,
                          "targets": [d.to_dict() for d in found]}))
    else:
        typer.echo("\n\n".join(format_discovery(d) for d in found))


@app.command("plan")
@_study_errors
def plan_cmd(
    file: ScenarioFile,
    levers: Annotated[Path | None, typer.Option(
        "--levers", dir_okay=False,
        help="Levers file (default levers/<scenario stem>_levers.yaml beside the scenario).")]
    = None,
    targets: Annotated[str, typer.Option(
        help="Targets to answer for: 'plan' (every simulated target, and all of them "
        "together), 'all' (every target) or ids, comma-separated.")] = "plan",
    goal: Annotated[float, typer.Option(help="Goal for P(holds).")] = 0.9,
    budget: Annotated[int, typer.Option(
        min=1, help="Runs in all, the fresh checks included.")] = 2000,
    runs: Annotated[int, typer.Option(min=1, help="Runs per candidate (common seeds).")] = 40,
    fresh_runs: Annotated[int, typer.Option(min=1, help="Runs of each fresh check.")] = 100,
    checks: Annotated[int, typer.Option(
        min=1, help="Most candidates checked on fresh runs per answer.")] = 2,
    each_checks: Annotated[int, typer.Option(
        min=0, help="Fresh checks reserved for the targets' own answers.")] = 3,
    prune: Annotated[int, typer.Option(
        min=0, help="Candidate evaluations reserved (out of the budget) for pruning the "
        "changes an answer does not need (0: none).")] = 16,
    out: Annotated[Path | None, typer.Option(
        "--out", "-o", file_okay=False,
        help="Search directory (resumed when it holds the same search); plan.json goes there.")]
    = None,
    seed: Seed = 0,
    workers: Workers = None,
    scheduler: Scheduler = None,
    dask_local: DaskLocal = False,
    as_json: AsJson = False,
    progress: Progress = None,
    lang: Language = "en",
) -> None:
    """What would make it hold: the cheapest combination of levers per target and for the plan."""
    from sim.study.hold import HoldSettings, hold_analysis, levers_file_for, simulated_targets
    from sim.study.plan_facts import target_label

    if not 0 < goal < 1:
        raise UserError(f"--goal must be a probability in (0, 1), got {goal}")
    sc = load_scenario(file)
    known = [t.id for t in sc.targets]
    lever_file = levers if levers is not None else levers_file_for(file)
    if not lever_file.is_file():
        raise UserError(f"{file}: no levers file {lever_file} (what may change and what it "
                        "costs); give one with --levers")
    base: list[Any] = []
    if targets == "all":
        ids = known
    elif targets == "plan":
        import numpy as np

        from sim.study.runner import run_study
        from sim.study.search import Evaluation

        # the unchanged plan on the search's own runs (seeds 0..runs-1): it says which targets
        # are simulated, and the search takes it as its baseline candidate (in the budget)
        st = run_study(sc, runs, seed, workers=workers, scheduler=scheduler,
                       dask_local=dask_local, progress=progress)
        ids = simulated_targets(st.summary())
        met = {t: st.table[f"met.{t}"].to_numpy(dtype=bool) for t in ids}
        if ids and lever_file.is_file():
            from sim.study.levers import load_levers

            n = len(load_levers(lever_file, sc).shape)
            base = [Evaluation((0,) * n, 0.0, "search", runs,
                               int(np.logical_and.reduce(list(met.values())).sum()),
                               {t: int(m.sum()) for t, m in met.items()})]
    else:
        ids = [t.strip() for t in targets.split(",") if t.strip()]
        unknown = [t for t in ids if t not in known]
        if unknown or not ids:
            raise UserError(f"{file}: --targets: unknown target(s) "
                            f"{', '.join(unknown) or '(none given)'}; known: {', '.join(known)}")
    settings = HoldSettings(goal=goal, runs=runs, fresh_runs=fresh_runs, checks=checks,
                            each_checks=each_checks, budget=budget, prune=prune)
    doc = hold_analysis(sc, file, ids, {t.id: target_label(t) for t in sc.targets}, settings,
                        seed=seed, levers=lever_file, workers=workers, scheduler=scheduler,
                        dask_local=dask_local, progress=progress, out=out, known=base)
    if out is not None:
        (out / "plan.json").write_text(_dump(doc) + "\n", encoding="utf-8")
    if as_json:
        typer.echo(_dump(doc))
        return
    if doc["status"] == "no_targets":
        typer.echo("no simulated target to answer for" if lang == "en" else "没有可回答的模拟目标")
        return
    if lang == "zh":
        from sim.report.hold_zh import answer_statement_zh

        for a in [*doc["per_target"], doc["plan"]]:
            who = a["target"] or f"整个预案（{len(ids)}个目标同时达到）"
            typer.echo(f"{who}：{answer_statement_zh(a, doc['currency'])}")
        return
    for a in [*doc["per_target"], doc["plan"]]:
        who = a["target"] or f"the plan as a whole ({len(ids)} targets together)"
        typer.echo(f"{who}: {a['statement']}")


@app.command("search")
@_study_errors
def search_cmd(
    file: ScenarioFile,
    levers: Annotated[Path, typer.Option(
        "--levers", dir_okay=False, help="Levers file: what may change and what it costs.")],
    targets: Annotated[str, typer.Option(
        help="Target ids that must hold together, comma-separated (or 'all').")],
    goal: Annotated[float, typer.Option(help="Goal for P(all chosen targets hold).")] = 0.9,
    runs: Annotated[int, typer.Option(min=1, help="Runs per candidate (common seeds).")] = 100,
    budget: Annotated[int, typer.Option(
        min=1, help="Runs in all, the fresh checks included.")] = 3000,
    out: Annotated[Path | None, typer.Option(
        "--out", "-o", file_okay=False,
        help="Search directory (resumed when it holds the same search).")] = None,
    fresh_runs: Annotated[int | None, typer.Option(
        min=1, help="Runs of each fresh check (default: twice --runs, at least 100).")] = None,
    checks: Annotated[int, typer.Option(
        min=1, help="Most candidates checked on fresh runs.")] = 3,
    sampler: Annotated[str, typer.Option(help="auto, tpe or brute.")] = "auto",
    seed: Seed = 0,
    workers: Workers = None,
    scheduler: Scheduler = None,
    dask_local: DaskLocal = False,
    as_json: AsJson = False,
    progress: Progress = None,
    lang: Language = "en",
) -> None:
    """Cheapest combination of levers that makes the targets hold (CRN search, fresh check)."""
    from sim.study.search import format_search, search

    if not 0 < goal < 1:
        raise UserError(f"--goal must be a probability in (0, 1), got {goal}")
    ids = [t.strip() for t in targets.split(",") if t.strip()]
    result = search(file, levers, ids, goal, runs=runs, budget=budget, seed=seed,
                    fresh_runs=fresh_runs, checks=checks, sampler=sampler, out=out,
                    workers=workers, scheduler=scheduler, dask_local=dask_local,
                    progress=progress)
    if out is not None:
        (out / "result.json").write_text(_dump(result.to_dict()) + "\n", encoding="utf-8")
    if as_json:
        typer.echo(_dump(result.to_dict()))
    elif lang == "zh":
        from sim.report.search_zh import format_search_zh
        from sim.study.levers import load_levers

        typer.echo(format_search_zh(result.to_dict(), load_levers(levers, file)))
    else:
        typer.echo(format_search(result))


@app.command("figures")
@_study_errors
def figures_cmd(
    directory: Annotated[Path, typer.Argument(file_okay=False, help="A study directory.",
                                              show_default=False)],
    out: Annotated[Path | None, typer.Option(
        "--out", "-o", file_okay=False, help="Where to write PNGs (default DIR/figures).")]
    = None,
) -> None:
    """Draw a stored study's figures (P(holds), relief time, fan charts, discovery boxes)."""
    from sim.report.figures import save_study_figures
    from sim.study.runner import Study

    st = Study.open(directory)
    for p in save_study_figures(st, out or directory / "figures"):
        typer.echo(str(p))


@app.command("report")
@_study_errors
def report_cmd(
    file: ScenarioFile,
    out: Annotated[Path, typer.Option(
        "--out", "-o", file_okay=False, help="Directory for report.md, report.json and figures.")],
    seed: Seed = 0,
    until_ci: Annotated[float | None, typer.Option(
        "--until-ci", help="Run until every P(holds) half-width is at most this (default 0.02).")]
    = None,
    max_runs: Annotated[int | None, typer.Option(
        "--max-runs", min=1, help="Cap on the runs of the main study (default 4000).")] = None,
    workers: Workers = None,
    quick: Annotated[bool, typer.Option(
        "--quick", help="Small runs and a tiny combination search (previews and tests).")]
    = False,
    progress: Progress = None,
    lang: Language = "en",
) -> None:
    """Write a plan report: does each target hold, why not, and what would make it hold at 90 %."""
    from sim.report.plan_report import FULL, QUICK, build_report, with_overrides

    budget = with_overrides(QUICK if quick else FULL, until_ci=until_ci, max_runs=max_runs)
    if budget.first_round > budget.max_runs:
        budget = with_overrides(budget, first_round=budget.max_runs)
    build_report(file, out, seed=seed, budget=budget, workers=workers, progress=progress,
                 lang=lang)
    typer.echo(str(out / "report.md"))


@app.command("results")
@_study_errors
def results_cmd(
    only: Annotated[list[str] | None, typer.Argument(
        help="Regenerate only these scenarios (file stems, e.g. wenzhou_typhoon).",
        show_default=False)] = None,
    out: Annotated[Path, typer.Option(
        "--out", "-o", file_okay=False, help="Results directory.")] = Path("results"),
    scenarios: Annotated[Path, typer.Option(
        "--scenarios", file_okay=False, help="Directory of the scenario files.")]
    = Path("scenarios"),
    seed: Seed = 0,
    workers: Workers = None,
    quick: Annotated[bool, typer.Option("--quick", help="Quick reports (previews).")] = False,
    readme_only: Annotated[bool, typer.Option(
        "--readme-only", help="Only rewrite README.md from the reports already there.")] = False,
    check: Annotated[bool, typer.Option(
        "--check", help="Re-run each report's fingerprint runs and say whether the results "
        "were generated by the current code (exit 1 if not, or if it cannot tell).")] = False,
    progress: Progress = None,
    lang: Annotated[str | None, typer.Option(
        "--lang", callback=lambda v: None if v is None else _lang(v),
        help="Default: every report in English (report.md) and Chinese (report.zh.md) with the "
        "indexes README.md and README.zh.md. en: English only; zh: Chinese only (report.md in "
        "Chinese, README.zh.md; README.md is left as it is).")] = None,
) -> None:
    """Regenerate the plan reports (the five plans, the demo, Wenzhou's towns) and the indexes."""
    from sim.report.comparison import make_results, write_readme
    from sim.report.plan_report import FULL, QUICK
    from sim.study.plan_analysis import RESOLUTION

    if check:
        from sim.report.fingerprint import check_results

        checks = check_results(out, scenarios, only or None)
        if not checks:
            raise UserError(f"no report.json under {out}")
        for c in checks:
            typer.echo("\n".join(c.lines()))
        if not all(c.fresh for c in checks):
            raise typer.Exit(1)
        return
    langs = ("en", "zh") if lang is None else (lang,)
    if readme_only:
        for x in langs:
            typer.echo(str(write_readme(out, lang=x)))
        return
    readme, failed = make_results(scenarios, out, seed=seed, budget=QUICK if quick else FULL,
                                  fine_budget=QUICK if quick else RESOLUTION, workers=workers,
                                  only=only or None, progress=progress, lang=langs)
    typer.echo(str(readme))
    if failed:
        print(f"sim: {len(failed)} report(s) failed: {', '.join(failed)} (see {readme})",
              file=sys.stderr)
        raise typer.Exit(1)


@app.command("backtest")
@_study_errors
def backtest_cmd(
    file: Annotated[Path, typer.Argument(help="Back-test YAML file.", dir_okay=False,
                                         show_default=False)],
    runs: Annotated[int | None, typer.Option(
        min=1, help="Runs (default: the file's runs).")] = None,
    seed: Seed = 0,
    workers: Workers = None,
    as_json: AsJson = False,
    progress: Progress = None,
) -> None:
    """Run one back-test: each reported figure beside the simulated median and 90 % interval."""
    from sim.report.validation_markdown import format_backtest
    from sim.study.backtest import run_backtest

    res = run_backtest(file, runs, seed, workers=workers, progress=progress)
    typer.echo(_dump(res.to_dict()) if as_json else format_backtest(res))


@app.command("validation")
@_study_errors
def validation_cmd(
    backtests: Annotated[Path, typer.Option(
        "--backtests", file_okay=False, help="Folder of back-test files.")]
    = Path("validation/backtests"),
    out: Annotated[Path, typer.Option(
        "--out", "-o", dir_okay=False, help="The page (figures go to the folder of its name).")]
    = Path("docs/validation.md"),
    runs: Annotated[int | None, typer.Option(
        min=1, help="Runs per back-test (default: each file's runs).")] = None,
    reduced: Annotated[bool, typer.Option(
        "--reduced", help="The reduced form (few runs; for the tests).")] = False,
    workers: Workers = None,
    seed: Seed = 0,
    scenarios: Annotated[Path, typer.Option(
        "--scenarios", file_okay=False, help="Directory of the demo scenarios of the checks.")]
    = Path("scenarios"),
    progress: Progress = None,
) -> None:
    """Write docs/validation.md: every back-test and closed-form check with its verdict."""
    from sim.study.validation import make_validation

    cmd = (f"sim validation --backtests {backtests} --out {out}"
           + (f" --runs {runs}" if runs else "") + (" --reduced" if reduced else "")
           + (f" --seed {seed}" if seed else ""))
    res = make_validation(backtests, out, runs=runs, reduced=reduced, workers=workers, seed=seed,
                          scenarios_dir=scenarios, command=cmd, progress=progress)
    typer.echo(str(res.page))
    for p in res.figures:
        typer.echo(str(p))
    failed = [c.name for c in res.checks if not c.passed]
    if failed:
        print(f"sim: closed-form check(s) failed: {', '.join(failed)}", file=sys.stderr)
    if res.problems:
        for pr in res.problems:
            print(str(pr), file=sys.stderr)
        raise typer.Exit(2)
    if failed:
        raise typer.Exit(1)


@app.command()
def params(
    file: ScenarioFile,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON document.")] = False,
) -> None:
    """List every coefficient the hazard models use, with its value and source."""
    from sim.hazards.params import coefficients
    from sim.report.text import table

    sc = load_scenario(file)
    rows = coefficients(sc)
    if as_json:
        typer.echo(json.dumps([{"coefficient": p, "value": v, "source": s} for p, v, s in rows],
                              ensure_ascii=False, indent=1))
        return
    typer.echo(f"{file}: {sc.hazard.type} hazard, {len(rows)} coefficients")
    typer.echo(table(rows, ("coefficient", "value", "source")))


@app.command()
def footprint(
    file: ScenarioFile,
    seed: Annotated[int, typer.Option(min=0, help="Seed of the hazard realisation.")] = 0,
    out: Annotated[Path | None, typer.Option("--out", "-o", dir_okay=False,
                                             help="Write the footprint figure (PNG, SVG, PDF).")]
    = None,
    lang: Language = "en",
) -> None:
    """Show one hazard realisation per zone (intensity, water, expected outcomes)."""
    from sim.hazards import compute_impact
    from sim.report.footprint import footprint_rows
    from sim.report.text import table
    from sim.scenario.sampling import sample_scenario
    from sim.streams import Streams

    sc = load_scenario(file)
    streams = Streams(seed)
    realised, _ = sample_scenario(sc, streams)
    imp = compute_impact(realised, streams)
    rows = [(r["zone"], f"{r['onset_h']:.2f}", f"{r['intensity']:.2f}", f"{r['depth_m']:.2f}",
             f"{r['displaced']:.0f}", f"{r['killed']:.1f}", f"{r['injured']:.1f}",
             f"{r['trapped']:.1f}", r["strikes"] or "-")
            for r in footprint_rows(sc, imp)]
    typer.echo(f"{imp.hazard}: intensity in {imp.intensity_unit}; components "
               f"{', '.join(imp.components)}; {len(imp.episodes)} later episodes, "
               f"{len(imp.facilities_out)} facilities out (expected counts if nobody left)")
    typer.echo(table(rows, ("zone", "onset_h", "intensity", "depth_m", "displaced", "killed",
                            "injured", "trapped", "strikes")))
    if out is not None:
        from sim.i18n import parse_lang
        from sim.report.footprint import footprint_figure

        fig = footprint_figure(sc, imp, lang=parse_lang(lang))
        fig.savefig(out, dpi=120, bbox_inches="tight")
        typer.echo(f"wrote {out}")


def _save_figure(fig: Any, out: Path) -> None:
    """Write a figure, a bad path or format being the user's error (one line, exit 2)."""
    try:
        fig.savefig(out, dpi=120, bbox_inches="tight")
    except (OSError, ValueError) as exc:
        raise UserError(f"--out {out}: cannot write the figure ({exc})") from None
    typer.echo(f"wrote {out}")


@app.command("map")
def map_cmd(
    file: ScenarioFile,
    shade: Annotated[str, typer.Option(help=(
        "Quantity shading the zones: population (the scenario's), intensity, waiting (people "
        "not relieved by the end of the run), or a state at the end of the run (killed, "
        "sheltered, displaced, injured, trapped, ...)."))] = "population",
    seed: Annotated[int | None, typer.Option(min=0, help=(
        "Run the scenario with this seed and draw the run (its hazard, road states and "
        "quantities); without it, the scenario's data alone."))] = None,
    out: Annotated[Path, typer.Option("--out", "-o", dir_okay=False,
                                      help="Figure file (PNG, SVG, PDF).")] = Path("map.png"),
    lang: Language = "en",
) -> None:
    """Draw a map of a scenario on the shipped land and coastline (Natural Earth, offline)."""
    from sim.i18n import parse_lang
    from sim.report.maps import SHADES, map_figure

    if shade not in SHADES:
        raise UserError(f"--shade {shade}: not a quantity; one of {', '.join(SHADES)}")
    sc = load_scenario(file)
    r = None
    if seed is not None:
        from sim.run import run

        r = run(sc, seed)
    elif shade != "population":
        raise UserError(f"--shade {shade} needs a run: give --seed N")
    _save_figure(map_figure(sc, shade, run=r, lang=parse_lang(lang)), out)


@app.command("gantt")
def gantt_cmd(
    file: ScenarioFile,
    seed: Annotated[int, typer.Option(min=0, help="Seed of the run drawn.")] = 0,
    out: Annotated[Path, typer.Option("--out", "-o", dir_okay=False,
                                      help="Figure file (PNG, SVG, PDF).")] = Path("gantt.png"),
    max_zones: Annotated[int, typer.Option(min=1, help="At most this many zone rows.")] = 30,
    lang: Language = "en",
) -> None:
    """Draw the Gantt chart of one run: warning, evacuation, shelters, deliveries, rescue..."""
    from sim.i18n import parse_lang
    from sim.report.gantt import gantt_figure
    from sim.run import run

    sc = load_scenario(file)
    fig = gantt_figure(sc, run(sc, seed), lang=parse_lang(lang), max_zones=max_zones)
    _save_figure(fig, out)


def _writable_dir(path: Path, option: str) -> None:
    """Make sure ``path`` is (or can be made) a directory we can write in."""
    try:
        path.mkdir(parents=True, exist_ok=True)
        probe = path / ".sim-write-check"
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as exc:
        raise UserError(f"{option} {path}: not a directory that can be written "
                        f"({exc.strerror or exc})") from None


@app.command("exercise")
def exercise_cmd(
    file: Annotated[Path | None, typer.Argument(
        help="Scenario YAML file (not with --resume).", dir_okay=False, show_default=False)]
    = None,
    msel: Annotated[Path | None, typer.Option(
        "--msel", dir_okay=False, help="The exercise's MSEL (YAML or CSV).")] = None,
    seed: Annotated[int, typer.Option(min=0, max=2**63 - 1, help="Seed of the run.")] = 0,
    decisions: Annotated[Path | None, typer.Option(
        "--decisions", dir_okay=False, help="Play this decision script to the end.")] = None,
    out: Annotated[Path | None, typer.Option(
        "--out", "-o", file_okay=False, help="Write the after-action report here.")] = None,
    resume: Annotated[Path | None, typer.Option(
        "--resume", dir_okay=False, help="Resume a saved exercise (replayed exactly).")] = None,
    serve: Annotated[bool, typer.Option(
        "--serve", help="Open the facilitator's console in the browser.")] = False,
    host: Annotated[str, typer.Option(help="Console address (loopback by default).")]
    = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="Console port.")] = 8765,
    workers: Annotated[int | None, typer.Option(
        "--workers", "-w", min=1, help="Local processes for forks (default: all cores).")]
    = None,
    prompt: Annotated[bool | None, typer.Option(
        "--prompt/--no-prompt", help="Read commands (default: on a terminal, without "
        "--decisions).")] = None,
    lang: Language = "en",
) -> None:
    """Run a tabletop exercise: step, inject, decide, fork; or play a decision script."""
    from sim.exercise.decisions import load_decisions, msel_path, play
    from sim.exercise.prompt import format_entry, format_fork, run_prompt
    from sim.exercise.session import Exercise
    from sim.study.executors import cpu_count

    workers = workers or cpu_count()
    if out is not None:  # before the exercise runs, not after minutes of it
        _writable_dir(out, "--out")
    try:
        if resume is not None:
            if file is not None or msel is not None:
                raise UserError("--resume replays its own scenario and MSEL; leave out "
                                "SCENARIO and --msel")
            ex = Exercise.resume(resume)
        else:
            if file is None:
                raise UserError("give a scenario file (or --resume FILE)")
            if decisions is not None and msel is None:
                msel = msel_path(load_decisions(decisions), decisions)
            ex = Exercise.open(file, msel, seed)
        script = load_decisions(decisions, ex.scenario, ex.msel) if decisions else None
        if serve:
            if script is not None:
                raise UserError("--serve runs the console; play --decisions without it")
            from sim.exercise.server import serve as serve_console

            typer.echo(f"console at http://{host}:{port}/ (Ctrl-C to stop)")
            from sim.i18n import parse_lang

            serve_console(ex, host, port, workers=workers, out_dir=out, lang=parse_lang(lang))
            return
        interactive = prompt if prompt is not None else (script is None and sys.stdin.isatty())
        if interactive:
            typer.echo(f"exercise on {ex.scenario.name}, seed {ex.seed}; type help")
            run_prompt(ex, sys.stdin, typer.echo, interactive=sys.stdin.isatty(),
                       workers=workers)
        else:
            def show(entries: list[Any]) -> None:
                for e in entries:
                    typer.echo(format_entry(e))
                    if e.kind == "fork":
                        typer.echo(format_fork(ex.forks[-1]))

            show(ex.log)
            if script is not None:
                play(ex, script, workers=workers, on_entry=show)
            else:
                n = len(ex.log)
                ex.finish()
                show(ex.log[n:])
    except ValueError as exc:
        raise UserError(" ".join(str(exc).split())) from None
    if out is not None:
        from sim.report.aar import write_aar

        try:
            from sim.i18n import parse_lang

            paths = write_aar(ex, out, parse_lang(lang))
        except OSError as exc:
            raise UserError(f"--out {out}: cannot write the report: "
                            f"{exc.strerror or exc}") from None
        typer.echo(f"wrote {', '.join(str(p) for p in paths[:5])}"
                   + (f" and {len(paths) - 5} figures" if len(paths) > 5 else ""))
    if ex.finished and lang == "zh":
        from sim.i18n import clause_of
        from sim.report.text import table

        typer.echo("推演结束时的目标：")
        typer.echo(table([(t.id, clause_of(t, "zh"), "不适用" if t.value is None
                           else f"{t.value:.3g}", "不适用" if t.value is None
                           else "达到" if t.met else "未达到")
                          for t in ex.finish().targets], ("目标", "预案条款", "数值", "结论")))
    elif ex.finished:
        typer.echo("targets at the end:")
        for t in ex.finish().targets:
            val = "n/a" if t.value is None else f"{t.value:.3g}"
            typer.echo(f"  {t.id:<32} {val:>9} {'met' if t.met else 'MISSED'}")


def main(argv: list[str] | None = None) -> None:
    """Entry point: run the command line, turning user errors into one-line messages."""
    try:
        code = app(args=argv, prog_name="sim", standalone_mode=False)
    except ScenarioError as exc:
        for p in exc.problems:
            print(str(p), file=sys.stderr)
        sys.exit(2)
    except UserError as exc:
        print(f"sim: error: {exc}", file=sys.stderr)
        sys.exit(2)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except (typer.Abort, KeyboardInterrupt):
        print("sim: aborted", file=sys.stderr)
        sys.exit(130)
    except Exception as exc:
        # Usage errors of the argument parser (click's, vendored or not): one line, status 2.
        fmt = getattr(exc, "format_message", None)
        status = getattr(exc, "exit_code", None)
        if fmt is None or status is None:
            raise
        if type(exc).__name__ == "NoArgsIsHelpError":
            print(fmt())
            sys.exit(0)
        ctx = getattr(exc, "ctx", None)
        cmd = ctx.command_path if ctx is not None else "sim"
        print(f"{cmd}: error: {' '.join(str(fmt()).split())}", file=sys.stderr)
        sys.exit(2 if status == 2 else status)
    sys.exit(code if isinstance(code, int) else 0)
