"""A plan report: does each target of a plan hold, why not, and what would make it hold.

:func:`build_report` has the analyses run (:func:`sim.study.plan_analysis.analyse_plan`: the
study, failure discovery, sensitivity, "what would make it hold" for every simulated target and
the plan as a whole, the other readings), draws the figures, and writes ``report.json`` (every
number of the report) and ``report.md``. The Markdown is rendered from the JSON document alone
(:func:`render_markdown`): no number of the report is typed in.
"""

from __future__ import annotations

import json
import os
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from sim.i18n import Lang, name_of, parse_lang
from sim.i18n import say as in_lang
from sim.report.fingerprint import fingerprint
from sim.report.plan_markdown import render_markdown
from sim.report.plan_markdown_zh import render_markdown_zh
from sim.scenario.loader import ScenarioError, load_scenario
from sim.study.failure_words import metric_contrast, metric_sentence
from sim.study.plan_analysis import (
    FULL,
    QUICK,
    Budget,
    PlanAnalysis,
    analyse_plan,
    plain,
    with_overrides,
)
from sim.study.plan_facts import relief_target, relief_times, shelter_places

__all__ = [
    "FULL",
    "QUICK",
    "Budget",
    "build_report",
    "metric_contrast",
    "metric_sentence",
    "relief_target",
    "render_markdown",
    "run_reports",
    "with_overrides",
]


def _stderr(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def build_report(scenario: str | Path, out: str | Path, *, seed: int = 0,
                 budget: Budget = FULL, workers: int | None = None,
                 progress: bool | None = None, levers: str | Path | None = None,
                 log: Callable[[str], None] | None = None,
                 lang: str | Sequence[str] = "en") -> dict[str, Any]:
    """Study a scenario file and write its plan report into ``out``.

    Parameters
    ----------
    scenario : path
        The scenario file.
    out : path
        Directory for ``report.md``, ``report.json`` and the figures (created if missing).
    seed : int
        Root seed of every study of the report (all on common random numbers).
    budget : Budget
        Run counts (:data:`FULL` or :data:`QUICK`, or a variant of them).
    workers : int, optional
        Local worker processes (default all cores).
    progress : bool, optional
        Progress bars on stderr (default: when stderr is a terminal).
    levers : path, optional
        The levers file (default ``levers/<stem>_levers.yaml`` beside the scenario).
    log : callable, optional
        Receives one line per stage (default: print to stderr).
    lang : {"en", "zh"} or sequence of them
        Language of ``report.md`` and of the figures' labels (:mod:`sim.i18n`). With several,
        the analysis is done once and rendered in each: the first language's report is
        ``report.md`` with figures ``<name>.png``, another's ``report.<lang>.md`` with figures
        ``<name>.<lang>.png``; ``report.json`` (one document) lists every language's figures
        under ``figures_by_lang``.

    Returns
    -------
    dict
        The report's JSON document (also written to ``out/report.json``).

    Raises
    ------
    ScenarioError
        If the scenario file is invalid.
    """
    langs = [parse_lang(x) for x in ([lang] if isinstance(lang, str) else lang)]
    if not langs or len(set(langs)) < len(langs):
        raise ValueError(f"languages: give one or more of en, zh, each once, got {lang!r}")
    say = log or _stderr
    t_all = time.perf_counter()
    outdir = Path(out)
    outdir.mkdir(parents=True, exist_ok=True)
    a = analyse_plan(scenario, seed=seed, budget=budget, workers=workers, progress=progress,
                     levers=levers, log=say)
    doc = a.doc
    timings = doc["timings_s"]
    # The first runs' numbers, re-run by ``sim results --check`` (sim.report.fingerprint).
    doc["fingerprint"] = fingerprint(a.study)
    plans = Path(scenario).resolve().parent / "plans"
    doc["plans_link"] = (os.path.relpath(plans, outdir.resolve()).replace(os.sep, "/")
                         if plans.is_dir() else None)
    t0 = time.perf_counter()
    for old in outdir.glob("*.png"):
        old.unlink()
    by_lang = {x: _write_figures(outdir, a, budget.goal, x, "" if i == 0 else f".{x}")
               for i, x in enumerate(langs)}
    doc["figures"] = by_lang[langs[0]]
    doc["figures_by_lang"] = by_lang
    timings["figures"] = time.perf_counter() - t0
    timings["total"] = time.perf_counter() - t_all
    doc = dict(plain(doc))
    (outdir / "report.json").write_text(json.dumps(doc, ensure_ascii=False, indent=1) + "\n",
                                        encoding="utf-8")
    for i, x in enumerate(langs):
        d = dict(doc, figures=by_lang[x])
        md = render_markdown(d) if x == "en" else render_markdown_zh(d)
        name = "report.md" if i == 0 else f"report.{x}.md"
        (outdir / name).write_text(md, encoding="utf-8")
        say(f"  wrote {outdir / name} ({timings['total']:.0f} s)")
    return doc


def _write_figures(outdir: Path, a: PlanAnalysis, goal: float, lang: Lang = "en",
                   suffix: str = "") -> dict[str, str]:
    """Draw the report's figures in ``lang`` into ``outdir`` as ``<name><suffix>.png``."""
    from sim.report import figures as F
    from sim.report import plan_figures as P

    study, series, summary, relief = a.study, a.series, a.summary, a.relief
    disc, sres = a.discovery, a.sensitivity
    relief_doc, sens, hold = a.doc["relief"], a.doc["sensitivity"], a.doc["hold"]
    out: dict[str, str] = {}
    dpi = 90

    def save(fig: Any, key: str, name: str) -> None:
        name = name.removesuffix(".png") + suffix + ".png"
        fig.savefig(outdir / name, dpi=dpi)
        out[key] = name

    save(F.p_holds(summary, lang=lang), "p_holds", "p_holds.png")
    if relief is not None and relief_doc is not None:
        x = relief_times(study, series, relief)
        save(P.relief_distribution(x, relief.hours, relief.share, goal, series.series,
                                   in_lang(lang, f"{relief.id}: time until {relief.share:.0%} of "
                                       "the people needing relief are relieved",
                                       f"{relief.id}：{relief.share:.0%}需救助人员获得基本生活"
                                       "救助所需时间"), lang=lang), "relief_time",
             "relief_time.png")
    sser = series.series
    if sser is not None and any(c.startswith("shelter.") for c in sser.columns):
        sc = study.scenario
        save(P.shelter_totals(sser, shelter_places(sc),
                              [s.name for s in sc.shelters if s.reserve],
                              title=in_lang(lang, f"{sc.name}: people in shelters, "
                                              f"{series.runs} runs",
                                        f"{sc.name}：集中安置人数，{series.runs}次模拟"),
                              lang=lang, names={s.name: name_of(s, lang) for s in sc.shelters}),
             "shelters", "shelters.png")
    if sser is not None and any(c.startswith("stock.") for c in sser.columns):
        save(F.fan_chart(series, "stock", lang=lang), "stock", "stock.png")
    if disc is not None and disc.box is not None:
        save(F.discovery_box(disc, study, lang=lang), "failure", f"failure_{disc.target}.png")
    if sres is not None:
        for pt in sens.get("targets", []):
            save(F.sensitivity_bars(sres, pt["target"], lang=lang, scenario=study.scenario),
                 f"sensitivity_{pt['target']}", f"sensitivity_{pt['target']}.png")
    if hold.get("status") == "searched":
        save(P.hold_front(hold, in_lang(lang, f"{study.scenario.name}: cost against P(holds), "
                                              f"{hold['candidates']} combinations of levers",
                                        f"{study.scenario.name}：成本与达标概率，"
                                        f"{hold['candidates']}种调整组合"), lang=lang),
             "hold", "hold_front.png")
    from sim.report.plan_maps import response_figures

    figs, a.doc["response_run"] = response_figures(study.scenario, study.seed, study.table,
                                                   lang=lang)
    for key, (fig, name) in figs.items():
        save(fig, key, name)
    return out



def run_reports(files: Sequence[str | Path], out_root: str | Path, *, seed: int = 0,
                budget: Budget = FULL, workers: int | None = None,
                progress: bool | None = None,
                log: Callable[[str], None] | None = None,
                lang: str | Sequence[str] = "en") -> tuple[list[Path], dict[str, str]]:
    """Write the report of each scenario file into ``out_root/<scenario name>/``.

    Files that do not exist are skipped with a message. A scenario that is invalid or whose
    runs fail is reported as failed and the others go on. ``lang`` is the language (or
    languages) of the reports (:func:`build_report`).

    Returns
    -------
    written : list of pathlib.Path
        The report directories written.
    failed : dict of str to str
        Per scenario file stem that failed, the one-line reason.
    """
    from sim.study.tasks import StudyRunError

    say = log or _stderr
    done: list[Path] = []
    failed: dict[str, str] = {}
    for f in files:
        p = Path(f)
        if not p.is_file():
            say(f"skipping {p}: no such file yet")
            continue
        d = Path(out_root) / p.stem
        try:
            d = Path(out_root) / load_scenario(p).name
            build_report(p, d, seed=seed, budget=budget, workers=workers, progress=progress,
                         log=say, lang=lang)
        except ScenarioError as exc:
            failed[p.stem] = "invalid scenario: " + "; ".join(str(x) for x in exc.problems)
        except StudyRunError as exc:
            failed[p.stem] = f"a run failed: {exc}"
        else:
            done.append(d)
            continue
        if d.is_dir() and not any(d.iterdir()):
            d.rmdir()  # made for a report that did not come
        say(f"{p}: report failed ({failed[p.stem]}); going on with the others")
    return done, failed
