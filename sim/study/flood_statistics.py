"""Flood casualties against the published Chinese flood statistics (issue 11, item 3).

The model's water deaths (people killed by the ``flash``, ``waterlogging``, ``river`` and
``surge`` strikes, and people those strikes trapped or injured who die later) per million
people *affected* are set against the national flood bulletins' dead and missing per million
受灾人口 and against large single events (parameters.md §16); the model's injuries per water
death against the Chinese figures of people hospitalised per dead and missing. A range check,
not a tuning: a figure outside the recorded range is said to be outside.

*Affected* in the model: the residents of every zone that a water mechanism reaches with a
positive depth (``<cause>_depth_m > 0`` in the zone's measures), in every run. The bulletins'
受灾人口 counts the people of the townships reporting a loss of life, home, crops or property
(自然灾害情况统计调查制度, 应急〔2020〕19号), which is wider than the people standing in water
and narrower than whole counties; a zone here is a county or district, so the model's
denominator is of the same order as, or larger than, the bulletins' for the same event, and the
model's deaths per million affected are, if anything, biased low by the denominator.

* :func:`strike_harms`: each strike of a run with the people it killed, injured and trapped,
  its cause and its zone's water depth, read from the run's ledger and event log.
* :func:`water_casualties`: one run's water deaths, injuries and affected residents.
* :func:`dry_water_deaths`: water strikes that killed somebody in a zone with no water.
* :func:`check_flood_statistics`: the checks of the validation page
  (:class:`sim.study.validation.CheckResult`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from sim.study.validation import CheckResult

__all__ = [
    "FLOOD_EVENTS",
    "FLOOD_SCENARIOS",
    "HOSPITALISED_PER_DEATH",
    "NATIONAL_FLOOD_YEARS",
    "WATER_CAUSES",
    "FloodRecord",
    "StrikeHarm",
    "check_flood_statistics",
    "dry_water_deaths",
    "flood_checks",
    "flood_runs",
    "strike_harms",
    "water_casualties",
    "water_depth",
]

WATER_CAUSES: tuple[str, ...] = ("flash", "waterlogging", "river", "surge")
"""The strikes whose harm is water's (``landslide`` and ``wind`` are not)."""


@dataclass(frozen=True)
class FloodRecord:
    """One published flood figure: people affected and dead and missing (死亡失踪).

    Attributes
    ----------
    label : str
        Period or event, with its Chinese name where it has one.
    affected : float
        People affected (受灾人口 / 受灾人次).
    dead_missing : int
        Dead and missing.
    relocated : float or None
        People relocated (紧急转移 / 紧急转移安置), when published.
    source : str
        Bulletin or report and the address it was read at.
    """

    label: str
    affected: float
    dead_missing: int
    relocated: float | None
    source: str

    @property
    def per_million(self) -> float:
        """Dead and missing per million affected."""
        return self.dead_missing / self.affected * 1e6


NATIONAL_FLOOD_YEARS: tuple[FloodRecord, ...] = (
    FloodRecord("2011 全国洪涝灾害", 89_417_000, 519 + 121, 8_383_800,
                "2011中国水旱灾害公报 p.10 (MWR), http://mwr.gov.cn/zzsc/tjgb/zgshzhgb/2011/files/"
                "basic-html/page10.html; parameters.md §16"),
    FloodRecord("2015 全国洪涝灾害", 76_408_500, 319 + 81, 6_275_100,
                "2015中国水旱灾害公报 p.17 (MWR), http://www.mwr.gov.cn/zzsc/tjgb/zgshzhgb/2015/"
                "files/basic-html/page17.html; parameters.md §16"),
    FloodRecord("2020 洪涝灾害, to early September", 70_471_000, 271, 4_695_000,
                "国家防总 周学文, State Council briefing 2020-09-03 (reported at "
                "http://dtygdst.com/dfzt/12221.html); parameters.md §16"),
    FloodRecord("2021 洪涝灾害, January-October", 58_900_000, 590, 3_515_000,
                "应急管理部 周学文, press conference 2021-11-08 (reported at "
                "https://sputniknews.cn/amp/20211108/1034765505.html); parameters.md §16"),
    FloodRecord("2023 全国洪涝灾害", 52_789_000, 309, None,
                "应急管理部 2023年全国自然灾害基本情况, 2024-01-20 (reported at "
                "http://shenzhen.seofeiyu.cn/article/28916.html); parameters.md §16"),
)
"""National flood totals found (parameters.md §16): years or the flood season of a year."""

FLOOD_EVENTS: tuple[FloodRecord, ...] = (
    FloodRecord("Henan 7·20 2021 特大暴雨 (province)", 14_786_000, 398, 1_490_000,
                "国务院调查组, 河南郑州“7·20”特大暴雨灾害调查报告 答记者问 2022-01-21 (辽沈晚报 "
                "2022-01-22, http://epaper.lnd.com.cn/lswbepaper/pc/con/202201/22/"
                "content_141016.html); Zhengzhou 380 of the 398; parameters.md §16"),
    FloodRecord("Fujian, Typhoon Nepartak 尼伯特 2016 (to 14 July)", 654_400, 21 + 13, 506_700,
                "福建省防汛办 2016-07-14 via Xinhua (福建通报最新台风灾情 因灾死亡21人失踪13人, "
                "preliminary; address in parameters.md §16)"),
    FloodRecord("Fujian, Typhoon Meranti 莫兰蒂 2016 (to 16 Sept 21:00)", 1_795_800, 18 + 11,
                655_500, "福建省防汛办 2016-09-17 via 中国新闻网, http://yqmw666.cn/2016/09/17/"
                "ARTI1474113387529591.shtml; wind deaths included; parameters.md §16"),
    FloodRecord("Typhoon Soudelor 苏迪罗 2015 (7 provinces)", 6_070_000, 32, None,
                "国家防总 August 2015 flood report via 中国水利网, http://www.cmespta.com/"
                "newscenter/kx/201509/t20150901_379954.html; parameters.md §16"),
    FloodRecord("Typhoon Saomai 桑美 2006 (four provinces; dead only, missing not given)",
                6_656_500, 483, 1_801_600,
                "weather.com.cn special page (mirror http://viaggibudapest.com/zt/kpzt/"
                "22023.shtml), jurisdictions.md §5.5 E1; parameters.md §16"),
    FloodRecord("Southern Jiangxi floods June 2022 (to 16 June 11:00)", 733_000, 1, 162_000,
                "江西省应急管理厅 2022-06-16 via 中国新闻网, http://m.7baotech.com/cn/Instant/"
                "domestic/202206/t20220617_7223341.html; jurisdictions.md §3; parameters.md §16"),
)
"""Single events with their own affected and dead and missing (parameters.md §16)."""

HOSPITALISED_PER_DEATH: tuple[tuple[str, int, int, str], ...] = (
    ("2016, all natural disasters (floods, typhoons, hail, landslides first)", 1608, 1432 + 274,
     "民政部 2016年全国自然灾害基本情况 (人民日报 2017-01-14, http://m.yzctcx.com/gn/85325.html)"),
    ("August 2016, all disasters (drought, floods, typhoons first)", 142, 84 + 6,
     "民政部 2016年8月全国自然灾害情况 (中国新闻网 2016-09-12, "
     "http://www.vistrails.com/news/china/1362628.html)"),
    ("October 2016, all disasters (typhoons and floods first)", 4, 14,
     "民政部 2016年10月全国自然灾害情况 (中国新闻网 2016-11-10)"),
)
"""People hospitalised for a disaster (因灾住院治疗) and dead and missing (parameters.md §16).
No flood-only figure was found."""


# -- one run ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class StrikeHarm:
    """What one strike did in one run."""

    zone: int
    zone_name: str
    cause: str
    time_h: float
    depth_m: float | None
    """The zone's depth of this mechanism's water (None for mechanisms without water)."""
    p_killed: float
    """The strike's probability of death per person present."""
    killed: int
    injured: int
    """People injured (any severity)."""
    trapped: int
    hospital_share: float
    """The strike's share of severity 2-3 among its injuries (the ledger does not keep the
    severities of the people it moves; the strike's probabilities give the expected split)."""


def water_depth(zone: Any, cause: str) -> float | None:
    """The depth of ``cause``'s water in ``zone`` (a ZoneImpact), m; None if not a water cause.

    A water strike without its depth among the zone's measures has depth 0.
    """
    if cause not in WATER_CAUSES:
        return None
    return float(zone.measures.get(f"{cause}_depth_m", 0.0))


def strike_harms(result: Any) -> list[StrikeHarm]:
    """Each strike of a run with the people it killed, injured and trapped.

    The event log names each strike (``strike_<cause>``, zone, people hurt); the ledger holds
    the moves it made, from at home, warned or exposed to killed, injured or trapped, at the
    strike's time in its zone. Strikes of one zone at one time are applied one after the other,
    so their moves are matched to them in order by the number of people each hurt.

    Raises
    ------
    ValueError
        If the ledger's moves do not add up to the event log's counts.
    """
    from sim.response.ledger import State

    names = list(result.zones)
    sources = {int(State.at_home), int(State.warned), int(State.exposed)}
    hurt_to = {int(State.killed): 0, int(State.injured): 1, int(State.trapped): 2}
    moves: dict[tuple[float, int], list[tuple[int, int]]] = {}
    for t, z, src, dst, n in result.transitions:
        if src in sources and dst in hurt_to:
            moves.setdefault((float(t), int(z)), []).append((int(dst), int(n)))
    out: list[StrikeHarm] = []
    used: dict[tuple[float, int], int] = {}
    for t, kind, subject, hurt in result.events:
        if not kind.startswith("strike_"):
            continue
        cause = kind[len("strike_"):]
        z = names.index(subject)
        key = (float(t), z)
        queue = moves.get(key, [])
        i = used.get(key, 0)
        killed = trapped = 0
        inj_total = 0
        left = int(hurt)
        while left > 0:
            if i >= len(queue):
                raise ValueError(f"strike_{cause} in {subject} at {t} h hurt {hurt} but the "
                                 f"ledger moved fewer people")
            dst, n = queue[i]
            i += 1
            left -= n
            if dst == int(State.killed):
                killed += n
            elif dst == int(State.trapped):
                trapped += n
            else:
                inj_total += n
        if left < 0:
            raise ValueError(f"strike_{cause} in {subject} at {t} h: ledger moves exceed the "
                             f"{hurt} people the event log counts")
        used[key] = i
        zi = result.impact.zones[z]
        match = [s for s in zi.timeline() if s.cause == cause and math.isclose(s.time_h, t)]
        p_killed = match[0].killed if match else math.nan
        p_inj = match[0].injured if match else (0.0, 0.0, 0.0)
        share = (p_inj[1] + p_inj[2]) / sum(p_inj) if sum(p_inj) > 0 else 0.0
        out.append(StrikeHarm(z, subject, cause, float(t), water_depth(zi, cause), p_killed,
                              killed, inj_total, trapped, share))
    return out


def water_casualties(result: Any) -> dict[str, float]:
    """One run's water deaths, injuries and affected residents.

    ``killed_direct``: people the water strikes killed; ``killed``: those plus the people the
    water trapped or injured who died later (rescue or hospital), each zone's later deaths
    shared among its strikes by the people each trapped (or injured); ``injured``: injured by
    water (any severity); ``affected``: residents of the zones a water mechanism reached
    (positive depth); ``killed_all``: dead and missing of every cause in the run.
    """
    from sim.response.ledger import State

    harms = strike_harms(result)
    n_zones = len(result.zones)
    trapped_water = np.zeros(n_zones)
    trapped_all = np.zeros(n_zones)
    injured_water = np.zeros(n_zones)
    injured_all = np.zeros(n_zones)
    killed_direct = hospital = 0.0
    reached = np.zeros(n_zones, dtype=bool)
    for h in harms:
        water = h.cause in WATER_CAUSES
        trapped_all[h.zone] += h.trapped
        injured_all[h.zone] += h.injured
        if water:
            trapped_water[h.zone] += h.trapped
            injured_water[h.zone] += h.injured
            hospital += h.injured * h.hospital_share
            killed_direct += h.killed
    for z, zi in enumerate(result.impact.zones):
        reached[z] = any((water_depth(zi, c) or 0.0) > 0.0 for c in WATER_CAUSES)
    later = 0.0
    for _t, z, src, dst, n in result.transitions:
        if dst != int(State.killed):
            continue
        if src == int(State.trapped) and trapped_all[z] > 0:
            later += n * trapped_water[z] / trapped_all[z]
        elif src == int(State.injured) and injured_all[z] > 0:
            later += n * injured_water[z] / injured_all[z]
    final = np.asarray(result.people)[-1].sum(axis=0)
    return {
        "killed_direct": killed_direct,
        "killed": killed_direct + later,
        "injured": float(injured_water.sum()),
        "injured_hospital": hospital,
        "affected": float(np.asarray(result.population, dtype=float)[reached].sum()),
        "killed_all": float(final[int(State.killed)]),
    }


def dry_water_deaths(result: Any) -> list[StrikeHarm]:
    """Water strikes of a run that killed somebody, or could, in a zone with no such water.

    A water strike (``flash``, ``waterlogging``, ``river``, ``surge``) with a positive death
    probability or a death drawn must have a positive depth of its water among its zone's
    measures; the strikes that do not are returned (empty: none).
    """
    return [h for h in strike_harms(result)
            if h.cause in WATER_CAUSES and (h.killed > 0 or h.p_killed > 0)
            and not (h.depth_m or 0.0) > 0.0]


# -- over runs ----------------------------------------------------------------------------------
def flood_runs(scenario: Any, runs: int = 30, seed: int = 0) -> list[dict[str, float]]:
    """:func:`water_casualties` of ``runs`` runs (seeds as the study runner spawns them)."""
    from sim.run import run

    return [water_casualties(run(scenario, np.random.SeedSequence(seed, spawn_key=(i,))))
            for i in range(runs)]


def _range_result(name: str, compared: str, simulated: float, low: float, high: float,
                  basis: str, unit: str, reference: str) -> CheckResult:
    mid, half = (low + high) / 2, (high - low) / 2
    ok = bool(low <= simulated <= high)
    words = "inside" if ok else "outside"
    return CheckResult(name, compared, float(simulated), float(mid), float(half),
                       f"{basis}; {words} the recorded range [{low:.3g}, {high:.3g}]", ok, unit,
                       reference)


def check_flood_statistics(scenario: Any, runs: int = 30, seed: int = 0,
                           records: Sequence[dict[str, float]] | None = None
                           ) -> list[CheckResult]:
    """The model's flood casualties against the Chinese flood statistics (parameters.md §16).

    Range checks on ``runs`` runs of ``scenario`` (or on ``records`` from :func:`flood_runs`):

    1. the runs' water dead per million affected pooled (total dead over total affected, as a
       year's bulletin pools its events) against the range of the national bulletins
       (:data:`NATIONAL_FLOOD_YEARS`);
    2. the median, over the runs where the water reaches some zone, of the water dead per
       million affected against 0 to the worst single event
       found (:data:`FLOOD_EVENTS`; the lower end is 0, not the mildest event with a death,
       because storms that kill nobody are recorded too: Shicheng 2023-05-21/22,
       jurisdictions.md §3.5 E1);
    3. the 95th percentile of the same (the top of the 90 % interval) against 0 to the worst
       single event;
    4. water injuries of hospital level (severity 2 and 3) per water death, pooled over the
       runs, against the range of people hospitalised per dead and missing
       (:data:`HOSPITALISED_PER_DEATH`; all hazards: no flood-only figure was found).

    A check is ``FAIL`` (outside) when the model's figure lies outside the recorded range;
    the tolerance is half the range's width around its middle. No check is returned when the
    water reaches no zone in any run (nothing to compare); check 4 is left out when the runs
    have no water death.
    """
    recs = list(records) if records is not None else flood_runs(scenario, runs, seed)
    name = getattr(scenario, "name", str(scenario))
    affected = np.array([r["affected"] for r in recs])
    if not recs or not affected.sum() > 0:
        return []
    killed_runs = np.array([r["killed"] for r in recs])
    wet = affected > 0  # a run where the water reaches no zone has no one affected by it
    per_m = killed_runs[wet] / affected[wet] * 1e6
    pooled = float(killed_runs.sum() / affected.sum() * 1e6)
    nat = [r.per_million for r in NATIONAL_FLOOD_YEARS]
    ev = [r.per_million for r in FLOOD_EVENTS]
    q05, q50, q95 = (float(np.quantile(per_m, q)) for q in (0.05, 0.5, 0.95))
    ref = "national flood bulletins and event reports, parameters.md §16"
    spread = (f"water reaches a zone in {int(wet.sum())} of {len(recs)} runs; over those, "
              f"median {q50:.3g}, 90 % interval {q05:.3g}-{q95:.3g} per million, median "
              f"{np.median(killed_runs[wet]):,.0f} water deaths among a median "
              f"{np.median(affected[wet]):,.0f} affected")
    out = [
        _range_result(
            f"flood deaths per million affected, pooled, {name}",
            f"{name}: water dead per million residents of the zones the water reaches, pooled "
            f"over {len(recs)} runs ({spread}), against the national dead and missing per "
            f"million 受灾人口 of {len(nat)} bulletin periods",
            pooled, min(nat), max(nat), "the national bulletins' range (a year pools many "
            "events, as the runs are pooled here)", "per million", ref),
        _range_result(
            f"flood deaths per million affected, median run, {name}",
            f"{name}: median run of water dead per million affected ({spread}) "
            f"against 0 to the worst of the {len(ev)} single events found",
            q50, 0.0, max(ev), "from no death (Shicheng 2023, jurisdictions.md §3.5 E1) to the "
            "worst single event found", "per million", ref),
        _range_result(
            f"flood deaths per million affected, 95th percentile, {name}",
            f"{name}: 95th percentile of the {int(wet.sum())} runs (of {len(recs)}) where the "
            f"water reaches a zone, water dead per million affected, against 0 to the worst of "
            f"{len(ev)} single events found",
            q95, 0.0, max(ev), "from no death to the worst single event found", "per million",
            ref),
    ]
    killed = float(sum(r["killed_direct"] for r in recs))
    if killed > 0:
        hosp = float(sum(r["injured_hospital"] for r in recs)) / killed
        ratios = [h / d for _, h, d, _ in HOSPITALISED_PER_DEATH]
        out.append(_range_result(
            f"flood injured (hospital) per death, {name}",
            f"{name}: water injuries of severity 2-3 per water death, pooled over {len(recs)} "
            f"runs ({killed:,.0f} deaths; all severities "
            f"{sum(r['injured'] for r in recs) / killed:.2f} per death) against 因灾住院治疗 per "
            "dead and missing",
            hosp, min(ratios), max(ratios), "Chinese bulletins' hospitalised per dead and "
            "missing, all hazards (no flood-only figure found)", "per death", ref))
    return out


def flood_checks(scenarios_dir: str | Path = "scenarios", reduced: bool = False,
                 seed: int = 0) -> list[CheckResult]:
    """:func:`check_flood_statistics` on the flood and typhoon scenarios present.

    For the validation page (:func:`sim.study.validation.all_checks`); ``reduced`` runs 3 runs
    of each instead of 30.
    """
    from sim.scenario.loader import load_scenario

    d = Path(scenarios_dir)
    out: list[CheckResult] = []
    for stem in FLOOD_SCENARIOS:
        p = d / f"{stem}.yaml"
        if p.is_file():
            out.extend(check_flood_statistics(load_scenario(p), runs=3 if reduced else 30,
                                              seed=seed))
    return out


FLOOD_SCENARIOS: tuple[str, ...] = ("fuzhou_flood", "shicheng_flash_flood", "demo_flash_flood",
                                    "wenzhou_typhoon")
"""The water scenarios the checks run on."""
