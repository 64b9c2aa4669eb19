"""One-line descriptions of interventions, in English and Chinese, for logs, console and AAR."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from sim.interventions.kinds import (
    AddStock,
    AddVehicles,
    Branch,
    CloseRoads,
    Intervention,
    OpenShelter,
)

if TYPE_CHECKING:
    from sim.scenario.schema import Scenario

__all__ = ["describe"]


class _Zh:
    """Chinese names of a scenario's zones, shelters, points, teams, hospitals and items."""

    def __init__(self, scenario: Scenario | None) -> None:
        self.names: dict[str, str] = {}
        if scenario is not None:
            for group in (scenario.zones, scenario.shelters, scenario.stock_points,
                          scenario.teams, scenario.hospitals):
                self.names.update({x.name: x.name_zh for x in group if x.name_zh})
            self.names.update({k: v.name_zh for k, v in scenario.items.items() if v.name_zh})

    def __call__(self, name: str) -> str:
        return self.names.get(name, name)


def _n(x: float) -> str:
    """A quantity as people write it: ``20,000``, ``1.5``."""
    return f"{x:,.0f}" if float(x).is_integer() else f"{x:,.4g}"


def _items(items: Mapping[str, float], zh: _Zh | None = None) -> str:
    if zh is not None:
        return "，".join(f"{zh(k)}{_n(q)}" for k, q in items.items())
    return ", ".join(f"{_n(q)} {k}" for k, q in items.items())


def _for(hours: float | None, zh: bool = False) -> str:
    """`` for 12 h`` / ``12小时`` (nothing when open-ended)."""
    if hours is None:
        return "" if zh else " until further notice"
    return f"{_n(hours)}小时" if zh else f" for {_n(hours)} h"


def _add_stock(it: AddStock, zh: _Zh) -> tuple[str, str]:
    return (f"Supplies arrive at {it.point}: {_items(it.items)}",
            f"物资运抵{zh(it.point)}：{_items(it.items, zh)}")


def _add_vehicles(it: AddVehicles, zh: _Zh) -> tuple[str, str]:
    return (f"{it.count} more vehicles join fleet {it.fleet}",
            f"{zh(it.fleet)}增加{it.count}辆")


def _open_shelter(it: OpenShelter, zh: _Zh) -> tuple[str, str]:
    size = (f"{it.capacity:,} places" if it.capacity is not None
            else f"{_n(it.usable_area_m2 or 0)} m²")
    size_zh = (f"{it.capacity:,}人" if it.capacity is not None
               else f"{_n(it.usable_area_m2 or 0)}平方米")
    return (f"Shelter {it.name} opens in {it.zone} ({size})",
            f"在{zh(it.zone)}开放避灾安置场所{zh(it.name)}（{size_zh}）")


def _close_roads(it: CloseRoads, zh: _Zh) -> tuple[str, str]:
    return (f"Roads of {it.zone} closed for {_n(it.hours)} h",
            f"{zh(it.zone)}道路中断{_n(it.hours)}小时")


def _branch(it: Branch, zh: _Zh) -> tuple[str, str]:
    return (f"Future branch {it.branch} (fork)", f"推演分支{it.branch}（分叉）")


_TEXT: dict[type, Callable[[Any, _Zh], tuple[str, str]]] = {
    AddStock: _add_stock,
    AddVehicles: _add_vehicles,
    OpenShelter: _open_shelter,
    CloseRoads: _close_roads,
    Branch: _branch,
}


def describe(it: Intervention, scenario: Scenario | None = None) -> tuple[str, str]:
    """One line in English and one in Chinese saying what an intervention does.

    Parameters
    ----------
    it : Intervention
        Any kind of intervention.
    scenario : Scenario, optional
        When given, the Chinese line uses the ``name_zh`` of the zones, shelters, stock points,
        teams, hospitals and items it names.

    Returns
    -------
    tuple of (str, str)
        ``(english, chinese)``, e.g. ``("Roads of x closed for 6 h", "x道路中断6小时")``.
        Names are the scenario's, in Chinese where it gives ``name_zh``.

    Examples
    --------
    >>> from sim.interventions import parse_intervention
    >>> describe(parse_intervention({"kind": "close_roads", "at_h": 6, "zone": "x", "hours": 12}))
    ('Roads of x closed for 12 h', 'x道路中断12小时')
    """
    return _TEXT[type(it)](it, _Zh(scenario))
