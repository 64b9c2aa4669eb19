"""Parameter packs: cited, reusable sets of hazard coefficients, loaded by name.

A pack is a YAML file ``scenarios/packs/<name>.yaml``::

    name: hazus_eq
    title: "Hazus indoor casualty rates, collapse shares, displacement weights"
    hazard_type: earthquake
    values:                # merged into the scenario's ``hazard:`` block
      occupancy: {night: 0.99, ..., source: "..."}

A scenario names one or more packs (``hazard: {type: earthquake, pack: hazus_eq, ...}`` or
``pack: [china_eq, hazus_eq]``); the packs' ``values`` are merged in order and the scenario's own
keys override them, at any depth. Provenance follows the numbers: when a scenario overrides a
number inside a pack block without giving a ``source`` of its own, the pack's block-level source
stays attached (through ``sources``) to the numbers the pack still provides only, so the
overriding number is reported as unsourced by the scenario checks.

Packs are found in the directories of the environment variable ``SIM_PACKS`` (``os.pathsep``
separated), then in ``scenarios/packs`` of the source tree, then in ``sim/bundled/packs`` (the
copy an installed wheel carries). A pack may also be named by a path ending in ``.yaml``.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import Any

__all__ = ["available_packs", "deep_merge", "load_pack", "merge_packs", "pack_dirs"]

_DEFAULT_DIRS = (Path(__file__).resolve().parents[2] / "scenarios" / "packs",
                 Path(__file__).resolve().parents[1] / "bundled" / "packs")
"""The source tree's packs, and the wheel's copy of them (in a checkout, a link to the first)."""
_META = ("source", "sources")


def pack_dirs() -> list[Path]:
    """Directories searched for packs, in order."""
    extra = [Path(p) for p in os.environ.get("SIM_PACKS", "").split(os.pathsep) if p]
    here = next((d for d in _DEFAULT_DIRS if d.is_dir()), _DEFAULT_DIRS[0])
    return [*extra, here]


def available_packs() -> list[str]:
    """Names of the packs found in :func:`pack_dirs`."""
    names: set[str] = set()
    for d in pack_dirs():
        if d.is_dir():
            names.update(p.stem for p in d.glob("*.yaml"))
    return sorted(names)


def _find(name: str) -> Path:
    if name.endswith(".yaml"):
        p = Path(name)
        if p.is_file():
            return p
        raise ValueError(f"parameter pack file {name!r} not found")
    for d in pack_dirs():
        p = d / f"{name}.yaml"
        if p.is_file():
            return p
    raise ValueError(f"unknown parameter pack {name!r}; available: {available_packs()}")


@lru_cache(maxsize=64)
def _read(path: str, mtime: float) -> dict[str, Any]:
    from sim.scenario.loader import ScenarioError, load_yaml_data, read_text

    try:  # the loaders' limits and located errors (bad bytes, dates, nesting, alias bombs)
        data = load_yaml_data(read_text(path), path)
    except ScenarioError as exc:
        raise ValueError(f"parameter pack: {exc.problems[0]}") from None
    if not isinstance(data, dict) or not isinstance(data.get("values"), dict):
        raise ValueError(f"parameter pack {path} must be a mapping with a `values` mapping")
    return data


def load_pack(name: str) -> dict[str, Any]:
    """Read a pack by name (or path): its whole document (``name``, ``hazard_type``, ``values``).

    Raises
    ------
    ValueError
        If the pack does not exist or is not a mapping with ``values``.
    """
    p = _find(name)
    return _read(str(p), p.stat().st_mtime)


def _is_quantity(v: Any) -> bool:
    return isinstance(v, dict) and ("dist" in v or "value" in v)


def deep_merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    """Merge ``over`` into ``base`` recursively; ``over`` wins; provenance stays with numbers.

    Mappings merge key by key; anything else (numbers, lists, distributions) is replaced whole.
    When ``over`` replaces some of ``base``'s direct values but gives no ``source``, ``base``'s
    block-level ``source`` is turned into per-field ``sources`` for the values it still
    provides, so the replaced values carry no borrowed provenance.
    """
    out = dict(base)
    for k, v in over.items():
        old = out.get(k)
        if (k not in _META and isinstance(old, dict) and isinstance(v, dict)
                and not _is_quantity(old) and not _is_quantity(v)):
            out[k] = deep_merge(old, v)
        elif k != "sources":
            out[k] = v
    replaced = [k for k, v in over.items()
                if k not in _META and k in base and (not isinstance(v, dict) or _is_quantity(v))]
    if "source" in base and "source" not in over and replaced:
        del out["source"]
        kept = {k: base["source"] for k in base if k not in _META and k not in over}
        out["sources"] = {**kept, **(base.get("sources") or {})}
        for k in replaced:
            out["sources"].pop(k, None)
        if not out["sources"]:
            del out["sources"]
    if "sources" in over:
        out["sources"] = {**(out.get("sources") or {}), **over["sources"]}
    return out


def merge_packs(hazard: Any) -> Any:
    """Merge the packs named by ``hazard['pack']`` under the hazard block (a before-validator).

    Anything that is not a mapping with a ``pack`` key is returned unchanged.
    """
    if not isinstance(hazard, dict) or not hazard.get("pack"):
        return hazard
    names = hazard["pack"]
    names = [names] if isinstance(names, str) else names
    if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
        raise ValueError("`pack` must be a pack name or a list of pack names")
    merged: dict[str, Any] = {}
    for n in names:
        doc = load_pack(n)
        want = doc.get("hazard_type")
        if want is not None and hazard.get("type") is not None and want != hazard.get("type"):
            raise ValueError(f"parameter pack {n!r} is for hazard type {want!r}, "
                             f"not {hazard.get('type')!r}")
        merged = deep_merge(merged, doc["values"])
    return deep_merge(merged, hazard)
