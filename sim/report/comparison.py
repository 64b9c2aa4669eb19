"""The results of the seed plans side by side: ``results/README.md`` and ``make results``.

:func:`make_results` writes the plan report of each of the five plan scenarios (and of the demo
scenario, as an example) into ``results/<scenario name>/`` and then :func:`write_readme`, which
compares the jurisdictions from the reports' ``report.json`` files alone.
"""

from __future__ import annotations

import json
import math
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from sim.report.plan_markdown import (
    basis_words,
    esc,
    fmt_num,
    fmt_p,
    hold_sentence,
    interval,
    relief_summary,
)
from sim.report.plan_report import FULL, Budget, run_reports
from sim.study.hold import changes_words
from sim.study.plan_analysis import RESOLUTION
from sim.study.stats import Interval, newcombe_independent

__all__ = ["EXAMPLES", "PLAN_SCENARIOS", "RESOLUTIONS", "applies_share", "difference_text",
           "make_results", "render_readme", "resolution_rows", "write_readme"]

PLAN_SCENARIOS = ("wenzhou_typhoon", "jinjiang_typhoon", "fuzhou_flood", "shicheng_flash_flood",
                  "jincheng_earthquake")
"""The scenario files (``scenarios/<name>.yaml``) of the five seed plans, in the seeds' order."""

EXAMPLES = ("demo_coastal_typhoon",)
"""Illustrative scenarios reported as examples (not jurisdictions)."""

RESOLUTIONS: dict[str, str] = {"wenzhou_towns_typhoon": "wenzhou_typhoon"}
"""Plan scenarios at a finer resolution (file stem) and the plan scenario each refines: reported
with the :data:`~sim.study.plan_analysis.RESOLUTION` budget and compared with it target by
target in the index."""


def resolution_rows(coarse: Mapping[str, Any], fine: Mapping[str, Any]
                    ) -> list[tuple[Mapping[str, Any], Mapping[str, Any],
                                    Interval | None]]:
    """The targets of a plan report and of its finer-resolution report, paired by id.

    Each row is (coarse target, fine target, P(fine) - P(coarse) with Newcombe's interval for
    independent studies, or None unless both verdicts are simulated findings).
    """
    fine_by_id = {t["id"]: t for t in fine["study"]["targets"]}
    rows: list[tuple[Mapping[str, Any], Mapping[str, Any], Interval | None]] = []
    for c in coarse["study"]["targets"]:
        f = fine_by_id.get(c["id"])
        if f is None:
            continue
        diff = None
        if all((t.get("basis") or "simulated") == "simulated" and t["p_holds"] is not None
               for t in (c, f)):
            diff = newcombe_independent(Interval(f["p_holds"], f["ci_low"], f["ci_high"]),
                                        Interval(c["p_holds"], c["ci_low"], c["ci_high"]))
        rows.append((c, f, diff))
    return rows


def _read(directory: Path) -> dict[str, Any] | None:
    p = directory / "report.json"
    if not p.is_file():
        return None
    doc: dict[str, Any] = json.loads(p.read_text(encoding="utf-8"))
    doc["_dir"] = directory.name
    return doc


def _main_failure(doc: Mapping[str, Any]) -> str:
    f = doc.get("failure")
    if not f:
        return "no relief target"
    if not f.get("failures"):
        return "never fails"
    if f["failures"] == f["runs"]:
        return "fails in every run"
    if f.get("box") is None or not f.get("significant", True):
        return (f"fails in {f['base_rate']:.0%} of runs, over the whole range of every input "
                "(no significant PRIM box)" + (f". {f['holds_when']}" if f.get("holds_when")
                                               else ""))
    b = f["box"]
    conds = " and ".join(f.get("conditions") or [r["text"] for r in b["restrictions"]])
    return (f"{conds} (coverage {b['coverage']:.2f}, density {b['density']:.2f}, against "
            f"{f['base_rate']:.2f} overall)")


def _fix(doc: Mapping[str, Any]) -> str:
    """The cheapest combination found for basic relief and for the plan as a whole."""
    h = doc.get("hold") or {}
    if h.get("status") != "searched":
        return hold_sentence(doc)
    relief = (doc.get("relief") or {}).get("target")
    cur = h["currency"]

    def one(a: Mapping[str, Any]) -> str:
        goal = a["goal"]
        c = a.get("answer") or a.get("ceiling")
        if c is None:
            return "not checked within the budget"
        p = c["p_holds"]
        iv = f"P {interval(p)} on {c['runs']} fresh runs"
        if a["status"] == "already":
            return f"none needed ({iv})"
        words = changes_words(c, "en")
        if a["status"] == "found":
            return f"{cur} {c['cost']:,.0f}: {words} ({iv})"
        return f"none reaches {goal:.0%}; ceiling {iv} with every lever at its top"

    parts = [f"relief: {one(a)}" for a in h["per_target"] if a["target"] == relief]
    parts.append(f"whole plan: {one(h['plan'])}")
    return "; ".join(parts)



def _relief_time(doc: Mapping[str, Any]) -> str:
    r = doc.get("relief")
    if not r:
        return "n/a"
    q = r["quantiles"]

    def h(x: Any) -> str:
        return "never" if x is None else f"{float(x):.1f} h"

    return f"{h(q.get('0.5'))} / {h(q.get('0.9'))}"


def _other_readings(doc: Mapping[str, Any]) -> str:
    """The relief verdict under the plan's other readings (whole-study estimate)."""
    out = [f"`{rd['value']}` about {rd['p_study']:.3f} (paired {rd['difference']['estimate']:+.3f})"
           for rd in doc.get("readings") or [] if rd.get("target", _relief_id(doc))
           == _relief_id(doc)]
    return "<br>".join(out) or "—"


def _relief_id(doc: Mapping[str, Any]) -> str | None:
    rid: str | None = (doc.get("relief") or {}).get("target")
    return rid


def _target_rows(doc: Mapping[str, Any]) -> list[str]:
    """One table row per target of a report: clause, basis, P(holds)."""
    rows = []
    for t in doc["study"]["targets"]:
        rows.append(f"| {esc(_link(doc))} | `{t['id']}` | {esc(basis_words(t))} | "
                    f"{esc(fmt_p(t))} |")
    return rows


def _link(doc: Mapping[str, Any]) -> str:
    title = doc["scenario"]["title"]
    name = title["en"] + (f" ({title['zh']})" if title.get("zh") else "")
    return f"[{name}]({doc['_dir']}/report.md)"


def render_readme(plans: Sequence[Mapping[str, Any]], examples: Sequence[Mapping[str, Any]] = (),
                  missing: Sequence[str] = (), failed: Mapping[str, str] | None = None,
                  resolutions: Sequence[tuple[Mapping[str, Any], Mapping[str, Any]]] = ()
                  ) -> str:
    """``results/README.md`` from report documents (as written by the plan reports).

    ``missing`` names plan scenarios without a report; ``failed`` gives, per scenario, why its
    report could not be made; ``resolutions`` pairs a plan's report with the report of the same
    plan at a finer resolution (:data:`RESOLUTIONS`).
    """
    L = ["# Do the plans' targets hold? The seed plans side by side", "",
         "Generated by `make results` (`sim results`) from each report's `report.json`; each "
         "report says, for its plan, whether \"basic relief within 10 hours\" holds, with what "
         "probability, why not when it fails, and what would make it hold at 90 %.", ""]
    if plans:
        L += ["## Basic relief within 10 hours (基本生活救助)", "",
              "P(holds) with its 95 % Wilson interval over the runs of each study; time until "
              "95 % of the people needing relief are relieved, median / 90th percentile of runs; "
              "the main failure condition (PRIM box in the scenario's inputs); the cheapest fix "
              "found (the cheapest combination of the plan's levers reaching 90 % for basic "
              "relief, and for all simulated targets together, confirmed on fresh runs; or the "
              "ceiling).", "",
              "| jurisdiction | hazard | runs | P(relief within 10 h) [95 % CI] | under the "
              "other reading | time to 95 % relief (median / p90) | main failure condition | "
              "cheapest fix found |",
              "|---|---|---|---|---|---|---|---|"]
        for d in plans:
            t = relief_summary(d)
            reading = (d["scenario"].get("dispersed_relief") or "as reported")
            L.append("| " + " | ".join(esc(x) for x in (
                _link(d), d["scenario"]["hazard"], f"{d['study']['runs']:,}",
                (f"{fmt_p(t)} (`{reading}`)" if t else "no relief target"),
                _other_readings(d), _relief_time(d), _main_failure(d),
                _fix(d))) + " |")
        readings = [(d, rd) for d in plans for rd in d.get("readings") or []]
        if readings:
            L += ["", "## What the verdicts rest on: other readings of the plans", "",
                  "The same disasters (common random numbers: the first runs of each study, or "
                  "all of them where the reading needs no new run) under another reading of a "
                  "plan clause or rule; \"about\" is the whole study's estimate plus the paired "
                  "difference.", "",
                  "| jurisdiction | target | reading | P(holds) as reported → under the reading | "
                  "paired difference [95 % CI] | about, whole study |",
                  "|---|---|---|---|---|---|"]
            for d, rd in readings:
                df = rd["difference"]
                L.append(f"| {esc(_link(d))} | `{rd.get('target', '')}` | "
                         f"`{rd['path']}: {rd['value']}` (reported: "
                         f"`{rd['current']}`) | {rd['p_base']:.3f} → {rd['p_reading']:.3f} | "
                         f"{df['estimate']:+.3f} [{df['low']:+.3f}, {df['high']:+.3f}] | "
                         f"{rd['p_study']:.3f} |")
        L += ["", "## Every target and what its verdict rests on", "",
              "A verdict is a finding only when its basis is *simulated*; the others are fixed by "
              "the scenario, bounded away from the threshold by its inputs, decided by the "
              "zones' size, or have nothing to measure (each report says why).", "",
              "| jurisdiction | target | basis | P(holds) [95 % CI] |", "|---|---|---|---|"]
        for d in plans:
            L += _target_rows(d)
        std = [(d, s) for d in plans for s in d.get("standards") or []]
        if std:
            L += ["", "## Static standards (checked from the scenario's data, not simulated)", "",
                  "| jurisdiction | standard | value | threshold | met |", "|---|---|---|---|---|"]
            for d, s in std:
                L.append(f"| {esc(_link(d))} | `{s['id']}` | {fmt_num(s.get('value'))} "
                         f"{esc(s.get('unit') or '')} | {s.get('comparison', '')} "
                         f"{fmt_num(s.get('threshold'))} | "
                         f"{'undecided' if s.get('met') is None else 'yes' if s['met'] else 'no'}"
                         " |")
        L += ["", "## Scale of each scenario", "",
              "| jurisdiction | zones | residents | shelters (planned places) | stock points | "
              "trucks | teams | uncertain inputs | assumptions |",
              "|---|---|---|---|---|---|---|---|---|"]
        for d in plans:
            s = d["scenario"]
            L.append(f"| {esc(_link(d))} | {s['zones']} | {s['population']:,} | "
                     f"{s['shelters']} ({fmt_num(s['shelter_places'])}) | "
                     f"{sum(s['stock_points'].values())} | {fmt_num(s['trucks_mean'])} | "
                     f"{s['teams']} | {s['uncertain_inputs']} | {len(d.get('assumptions', []))} |")
        L.append("")
    failed = dict(failed or {})
    absent = [m for m in missing if m not in failed]
    if absent or failed:
        L += ["## Not reported", ""]
        if absent:
            L += ["No scenario file (or no report) yet for: "
                  + ", ".join(f"`scenarios/{m}.yaml`" for m in absent) + ".", ""]
        for name, why in failed.items():
            L.append(f"- `scenarios/{name}.yaml`: the report failed: {esc(why)}")
        if failed:
            L.append("")
    for coarse, fine in resolutions:
        L += _resolution_section(coarse, fine)
    if examples:
        L += ["## Example", "", "An illustrative county, not one of the seed plans:", ""]
        for d in examples:
            t = relief_summary(d)
            L.append(f"- {_link(d)}: P(relief within 10 h) = "
                     f"{fmt_p(t) if t else 'n/a'} over {d['study']['runs']:,} runs; main failure "
                     f"condition: {_main_failure(d)}; cheapest fix: {_fix(d)}.")
        L.append("")
    runs = [d for d in (*plans, *(f for _, f in resolutions), *examples)]
    if runs:
        total = sum(float((d.get("timings_s") or {}).get("total") or 0) for d in runs)
        L += ["## How these were made", "",
              f"{len(runs)} reports, {sum(d['study']['runs'] for d in runs):,} study runs in "
              f"all (plus the sensitivity and search runs), {total / 60:.0f} min of computing "
              f"on {runs[0].get('executor')}. Regenerate with `make results`.", ""]
    return "\n".join(L).rstrip() + "\n"


def difference_text(diff: Interval | None) -> str:
    """A difference of P(holds) with its interval, or a dash when there is none."""
    return ("—" if diff is None else
            f"{diff.estimate:+.3f} [{diff.low:+.3f}, {diff.high:+.3f}]")


def applies_share(t: Mapping[str, Any]) -> str:
    """The share of a study's runs in which a target applies."""
    p = t.get("p_applies")
    return "—" if p is None else f"{p:.2f}"


def _resolution_section(coarse: Mapping[str, Any], fine: Mapping[str, Any]) -> list[str]:
    """The index's section comparing a plan's report with its finer-resolution report."""
    c, f = coarse["scenario"], fine["scenario"]
    L = ["## The same plan at a finer resolution", "",
         f"{_link(fine)}: the {c['zones']} zones of {_link(coarse)} split into {f['zones']} "
         f"({_residents(c, f)}; its scenario file says what it shares with the plan's and where "
         "each town's numbers come from). Its study has "
         f"{fine['study']['runs']:,} runs against {coarse['study']['runs']:,} (a run costs "
         "several county-level ones) and no search. A target that the zones' size decides at "
         "one resolution can be measured at the other; the difference is the finer study's "
         "P(holds) minus the plan's, with Newcombe's interval for independent studies (both "
         "use the same seeds, so the hazard draws are shared and the interval is "
         "conservative). Where the share of runs in which a target applies changes much, the "
         "finer zones see demand that the coarse ones average away (a cut-off town asks for "
         "an air medevac that its county, still joined to a hospital as a whole, does not): "
         "the finer report's failure section says why. Where the finer scenario's numbers are "
         "assumptions (town positions, links), so are the differences that rest on them.", "",
         f"| target | basis ({c['zones']} zones → {f['zones']}) | applies in (share of runs) "
         f"| P(holds), {c['zones']} zones | P(holds), {f['zones']} zones "
         "| difference [95 % CI] |",
         "|---|---|---|---|---|---|"]
    for ct, ft, diff in resolution_rows(coarse, fine):
        L.append(f"| `{ct['id']}` | {esc(basis_words(ct))} → {esc(basis_words(ft))} | "
                 f"{applies_share(ct)} → {applies_share(ft)} | {esc(fmt_p(ct))} | "
                 f"{esc(fmt_p(ft))} | {difference_text(diff)} |")
    return [*L, ""]


def _residents(c: Mapping[str, Any], f: Mapping[str, Any]) -> str:
    if c["population"] == f["population"]:
        return f"the same {f['population']:,} residents"
    return f"{f['population']:,} residents against {c['population']:,}"


def write_readme(results: str | Path, plans: Sequence[str] = PLAN_SCENARIOS,
                 examples: Sequence[str] = EXAMPLES,
                 failed: Mapping[str, str] | None = None, lang: str = "en",
                 resolutions: Mapping[str, str] = RESOLUTIONS) -> Path:
    """Write ``results/README.md`` from the reports found in ``results/<name>/report.json``.

    Scenarios in ``failed`` (file stem to reason) are listed as failed, and a report of theirs
    left from an earlier run is not used. With ``lang="zh"`` the index is written in Chinese to
    ``README.zh.md`` instead (:func:`sim.report.comparison_zh.render_readme_zh`), and
    ``README.md`` is left as it is.
    """
    failed = dict(failed or {})
    root = Path(results)
    found: dict[str, dict[str, Any]] = {}
    for sub in sorted(root.glob("*/report.json")):
        d = _read(sub.parent)
        if d is None:
            continue
        found.setdefault(Path(d["scenario"]["file"]).stem, d)
        found.setdefault(d["scenario"]["name"], d)
    docs = [found[n] for n in plans if n in found and n not in failed]
    missing = [n for n in plans if n not in found or n in failed]
    ex = [found[n] for n in examples if n in found and n not in failed]
    pairs = [(found[c], found[f]) for f, c in resolutions.items()
             if f in found and c in found and f not in failed and c not in failed]
    root.mkdir(parents=True, exist_ok=True)
    if lang == "zh":
        from sim.report.comparison_zh import render_readme_zh

        out = root / "README.zh.md"
        out.write_text(render_readme_zh(docs, ex, missing, failed, pairs), encoding="utf-8")
        return out
    out = root / "README.md"
    out.write_text(render_readme(docs, ex, missing, failed, pairs), encoding="utf-8")
    return out


def make_results(scenarios: str | Path = "scenarios", results: str | Path = "results", *,
                 seed: int = 0, budget: Budget = FULL, workers: int | None = None,
                 plans: Sequence[str] = PLAN_SCENARIOS, examples: Sequence[str] = EXAMPLES,
                 resolutions: Mapping[str, str] = RESOLUTIONS,
                 fine_budget: Budget | None = RESOLUTION,
                 only: Sequence[str] | None = None, progress: bool | None = None,
                 log: Callable[[str], None] | None = None,
                 lang: str | Sequence[str] = ("en", "zh")) -> tuple[Path, dict[str, str]]:
    """Regenerate the report of every plan scenario (and example) that exists, then the README.

    By default every report is written in English (``report.md``) and Chinese
    (``report.zh.md``, figures ``*.zh.png``) from one analysis, with the indexes ``README.md``
    and ``README.zh.md``. With ``lang="zh"`` alone, the reports are in Chinese (``report.md``)
    and the index is ``README.zh.md``; with ``lang="en"``, English alone.

    Scenario files that do not exist yet are skipped with a message; a scenario whose report
    fails is listed in the README with the reason, and the others go on. With ``only`` (file
    stems), just those reports are regenerated; the README still covers every report present.
    The finer-resolution scenarios (``resolutions``) are reported with ``fine_budget`` (None:
    ``budget``), and compared with their plan in the README.

    Returns
    -------
    readme : pathlib.Path
        The README written (of the first language).
    failed : dict of str to str
        Per scenario that failed, the reason.
    """
    def say(msg: str) -> None:
        print(msg, file=sys.stderr, flush=True)

    logf = log or say
    t0 = time.perf_counter()
    known = [*plans, *examples, *resolutions]
    unknown = sorted(set(only or ()) - set(known))
    if unknown:
        raise ValueError(f"not a plan scenario, example or finer resolution: {unknown}; known: "
                         f"{known}")
    failed: dict[str, str] = {}
    for group, group_budget in (((*plans, *examples), budget),
                                (tuple(resolutions), fine_budget or budget)):
        files = [Path(scenarios) / f"{n}.yaml" for n in group if only is None or n in only]
        if files:
            failed.update(run_reports(files, results, seed=seed, budget=group_budget,
                                      workers=workers, progress=progress, log=logf,
                                      lang=lang)[1])
    langs = [lang] if isinstance(lang, str) else list(lang)
    out = write_readme(results, plans, examples, failed, langs[0], resolutions)
    for x in langs[1:]:
        write_readme(results, plans, examples, failed, x, resolutions)
    mins = (time.perf_counter() - t0) / 60
    logf(f"wrote {out} ({mins:.1f} min{'' if math.isclose(mins, 1) else 's'} in all)")
    return out, failed
