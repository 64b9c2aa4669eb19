"""The ``sim`` command.

Every error a user can cause (a bad scenario file, a bad argument, a bad intervention file) is
one line per problem on stderr and exit status 2, never a traceback.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

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


@app.command()
def validate(file: ScenarioFile) -> None:
    """Check a scenario file; print its problems as FILE:LINE: field: message."""
    sc = load_scenario(file)
    typer.echo(f"{file}: valid scenario {sc.name!r} ({len(sc.zones)} zones, "
               f"{sum(z.population for z in sc.zones):,} people, {len(sc.targets)} targets)")


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
        typer.echo(format_run(result))


@app.command()
def schema() -> None:
    """Print the JSON Schema of scenario files (for editors)."""
    from sim.scenario.schema import json_schema

    typer.echo(json.dumps(json_schema(), ensure_ascii=False, indent=1))


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
