"""The levers' changes in Chinese words, for the Chinese plan report (何以达标).

A lever with ``what: {en, zh}`` in its levers file is named by its own words, stored in
``report.json`` (``changes[i]["zh"]``). A lever without ``what`` is stored under the plain name of
its path, :func:`sim.scenario.labels.describe`: read against the scenario in reports made since
the search passes it, but in earlier reports without it (raw ids run together,
``储备点 county_warehousemeal储备量（units）``, or the bare path where no rule named it).
:func:`with_changes_zh` renames those changes at render time from the report's scenario file
(the one ``report.json`` names, when its SHA-256 is the report's): the entities' and items'
``name_zh``, ids without a Chinese name in code spans, and the relief dispatch rule's values in
the words of the intervention that sets it. English output never reads this module.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

__all__ = ["change_zh", "scenario_of", "with_changes_zh"]

log = logging.getLogger(__name__)

_KEY = re.compile(r"\[([^\]]+)\]")
_DISPATCH = "response.logistics.dispatch"


@lru_cache(maxsize=8)
def _load(path: str, sha256: str) -> Any:
    """The scenario at ``path`` (cached by its bytes' hash), or None if it does not load."""
    from sim.scenario import ScenarioError, load_scenario

    try:
        return load_scenario(path)
    except (ScenarioError, OSError) as exc:
        log.info("levers' Chinese words: scenario %s not loaded (%s)", path, exc)
        return None


def scenario_of(doc: Mapping[str, Any]) -> Any:
    """The scenario a report was made from, if its file is still there unchanged.

    Parameters
    ----------
    doc : Mapping
        A plan report's document (``scenario.file``, ``file_sha256``).

    Returns
    -------
    Scenario or None
        None if the file (relative to the working directory, as recorded) is missing, does not
        load, or is not the file the report was made from (another SHA-256).
    """
    from sim.study.store import file_hash

    file = (doc.get("scenario") or {}).get("file")
    if not file or not Path(file).is_file():
        return None
    sha = file_hash(file)
    if doc.get("file_sha256") not in (None, sha):
        log.info("levers' Chinese words: %s changed since the report was made", file)
        return None
    return _load(str(file), sha)


def _code(words: str, key: str) -> str:
    """``words`` with the raw id ``key`` (an entity without a Chinese name) in a code span."""
    return words.replace(key, f"`{key}`", 1) if key in words else words


def _path_zh(path: str, step: str, scenario: Any) -> str | None:
    """A change of ``path`` by ``step`` in Chinese, or None if no rule names it."""
    from sim.scenario.labels import input_label

    if path == _DISPATCH and step.startswith("= "):
        from sim.interventions import parse_intervention
        from sim.interventions.describe import describe as intervention_words

        rule = step[2:]
        if rule not in ("nearest", "tiered"):
            return None
        it = parse_intervention({"kind": "set_dispatch_rule", "at_h": 0, "rule": rule})
        return intervention_words(it, scenario)[1]
    try:
        words = input_label(path, scenario).zh
    except KeyError:
        return None
    key = _KEY.search(path)
    return f"{_code(words, key.group(1)) if key else words} {step}"


def change_zh(change: Mapping[str, Any], scenario: Any) -> str:
    """One change of a candidate in Chinese words.

    Parameters
    ----------
    change : Mapping
        ``path``, ``change`` (``+6``, ``= tiered``), ``en`` and ``zh``, as
        :meth:`sim.study.levers.LeverSpace.changes` stores them.
    scenario : Scenario or None
        The report's scenario, for the names of its entities and items.

    Returns
    -------
    str
        The stored ``zh`` when it is the lever's own words (``what``), or without a scenario;
        else the change renamed from the scenario.

    Examples
    --------
    >>> change_zh({"path": "x", "change": "+1", "en": "one more truck", "zh": "增加一辆卡车"}, None)
    '增加一辆卡车'
    """
    from sim.scenario.labels import describe

    path, step = str(change["path"]), str(change["change"])
    stored = str(change.get("zh") or change["en"])
    if scenario is None:
        return stored
    # The words a lever without ``what`` is stored with: its path's plain name read with the
    # scenario (reports made since it is passed), without it, or, where no rule named the path
    # when the report was made, describe's fallback (the path, underscores as spaces).
    made = {f"{describe(path, sc, lang='zh')} {step}" for sc in (scenario, None)}
    if stored not in made | {f"{path.replace('_', ' ')} {step}"}:
        return stored  # the lever's own words
    return _path_zh(path, step, scenario) or stored


def _renamed(x: Any, scenario: Any) -> Any:
    if isinstance(x, Mapping):
        out = {k: _renamed(v, scenario) for k, v in x.items()}
        if {"path", "change", "zh"} <= x.keys():
            out["zh"] = change_zh(x, scenario)
        return out
    if isinstance(x, list):
        return [_renamed(v, scenario) for v in x]
    return x


def with_changes_zh(doc: Mapping[str, Any]) -> dict[str, Any]:
    """The report's document with every change of its search (``hold``) in Chinese words.

    Parameters
    ----------
    doc : Mapping
        A plan report's document; not modified.

    Returns
    -------
    dict
        A shallow copy whose ``hold`` is a renamed copy (unchanged without a search or without
        the report's scenario file, :func:`scenario_of`).
    """
    h = doc.get("hold")
    if not h or h.get("status") != "searched":
        return dict(doc)
    scenario = scenario_of(doc)
    if scenario is None:
        return dict(doc)
    return {**doc, "hold": _renamed(h, scenario)}
