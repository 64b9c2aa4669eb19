"""The map and the Gantt chart of a plan report, drawn from one representative run of its study.

The representative run is the study's run whose value of the first simulated target is nearest
that target's median over the runs (run 0 when no target has a value). It is re-run alone,
``sim.run(scenario, SeedSequence(seed, spawn_key=(key,)))``, which gives the same run as in the
study (see :mod:`sim.study.runner`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from sim.i18n import Lang, say

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.figure import Figure

    from sim.scenario.schema import Scenario

__all__ = ["representative_run", "response_figures"]


def representative_run(table: pd.DataFrame) -> tuple[int, int, str]:
    """The run of a study's table nearest the median of its first target with values.

    Returns
    -------
    run : int
        The run's index in the study.
    key : int
        Its spawn key.
    target : str
        The target whose median it is nearest ("" when it is run 0 by default).
    """
    for col in table.columns:
        if not str(col).startswith("value."):
            continue
        v = table[col].to_numpy(dtype=float)
        ok = np.isfinite(v)
        if not ok.any():
            continue
        med = float(np.median(v[ok]))
        dist = np.where(ok, np.abs(v - med), np.inf)
        i = int(np.argmin(dist))
        return int(table["run"].iloc[i]), int(table["key"].iloc[i]), str(col)[len("value."):]
    return int(table["run"].iloc[0]), int(table["key"].iloc[0]), ""


def response_figures(scenario: Scenario, seed: int, table: pd.DataFrame, lang: Lang = "en"
                     ) -> tuple[dict[str, tuple[Figure, str]], dict[str, Any]]:
    """The map and the Gantt chart of a representative run of a study.

    Parameters
    ----------
    scenario : Scenario
        The scenario studied.
    seed : int
        The study's root seed.
    table : pandas.DataFrame
        The study's table (``run``, ``key`` and ``value.<target>`` columns).
    lang : {"en", "zh"}
        Language of the labels.

    Returns
    -------
    figures : dict
        ``{"map": (figure, "map.png"), "gantt": (figure, "gantt.png")}``.
    about : dict
        ``run``, ``key``, ``target`` (whose median the run is nearest) and ``shade`` (the map's
        quantity), for the report's words.
    """
    from sim.report.gantt import gantt_figure
    from sim.report.maps import map_figure, zone_values
    from sim.run import run as run_one

    i, key, target = representative_run(table)
    r = run_one(scenario, np.random.SeedSequence(int(seed), spawn_key=(key,)))
    shade = "waiting" if zone_values(scenario, "waiting", r).sum() > 0 else "population"
    which = say(lang, f"run {i} of the study", f"研究中的第 {i} 次模拟")
    figs = {
        "map": (map_figure(scenario, shade, run=r, lang=lang,
                           run_label=which), "map.png"),
        "gantt": (gantt_figure(scenario, r, lang=lang), "gantt.png"),
    }
    return figs, {"run": i, "key": key, "target": target, "shade": shade}
