"""A commented skeleton scenario for a county's own plan (``sim new``).

:func:`skeleton_text` writes a scenario file that validates and runs as written: two zones (a
town and a village), a shelter in each, a county depot, trucks and buses, two teams, a hospital,
the response rules and two plan targets, for a typhoon, a flood or an earthquake. Every block
carries comments saying what its numbers mean and in which unit, the ``source`` convention and
the parameter packs of the hazard. The county's own numbers are placeholders whose source reads
``assumption: placeholder, replace ...``; rules taken from the seed plans and published
standards keep their citations. :func:`assumption_lines` lists what the author
has to replace.
"""

from __future__ import annotations

import re
from string import Template
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from sim.scenario.schema import Scenario

__all__ = ["HAZARDS", "PLACEHOLDER", "HazardName", "assumption_lines", "name_from_path",
           "skeleton_text"]

HazardName = Literal["typhoon", "flood", "earthquake"]
HAZARDS: tuple[HazardName, ...] = ("typhoon", "flood", "earthquake")

PLACEHOLDER = "assumption: placeholder, replace"
"""How every placeholder's source starts; ``sim validate`` and reports count it an assumption."""

_HEAD = """\
# $title_en: a skeleton scenario written by `sim new` ($hazard).
#
# It validates and runs as written (`sim validate FILE`, `sim run FILE`, `sim study FILE`), but
# its county is made up: every number whose source reads "assumption: placeholder, replace ..."
# stands for one of YOUR county's numbers. Replace them, then replace the source.
#
# The `source` convention: every number says where it comes from, as
#   - a seed plan line:        "004_wenzhou_plan.txt#L433" (your own plan: "county plan 2023, §4.2")
#   - a public reference:      "GB 21734-2008 §5.4", "census 2020, table 1-1"
#   - an assumption:           "assumption: <why this number is reasonable>"
# `source` covers every number of its block; `sources: {field: ...}` gives one field its own;
# a distribution may carry its own `source` too. Reports print them; `sim validate` lists the
# assumptions, and the plan report marks verdicts that rest on them.
#
# Uncertain numbers are distributions, sampled once per run:
#   {dist: uniform, low: 1, high: 3}            {dist: triangular, low: 1, mode: 2, high: 4}
#   {dist: normal, mean: 0, sd: 10, low: -30, high: 30}   {dist: lognormal, median: 8, sigma: 0.4}
#   {dist: choice, values: [4, 5, 6], weights: [0.25, 0.5, 0.25]}
# A plain number is a fixed value. `sim schema` prints the JSON Schema (for editors) with every
# field's description; scenarios/*.yaml are complete worked examples.
#
# Spreadsheets: `sim import county.xlsx --base THIS_FILE --out county.yaml` replaces the zones,
# shelters, stock points, vehicles and teams below with the county's own lists (docs/import.md).

name: $name
title: {en: "$title_en", zh: "$title_zh"}
description: >
  Skeleton written by sim new: a town and a village hit by a $hazard. Replace the placeholders
  with the county's own numbers.

# Times are hours from the hazard's onset, t = 0: $onset.
# The run starts before it (the warning must fall inside the run) and ends when the first relief
# phase is over.
time:
  start_h: $start_h
  end_h: 72
  record_every_h: 1
  source: "assumption: placeholder, replace with the period the plan covers
    ($time_why)"

# Relief items: a name, the counting unit and the shipping mass of one unit (kg; trucks load by
# mass). Stock, needs and supplies below count in these units.
items:
  meal:    {unit: meal pack, kg_per_unit: 0.5, name_zh: 方便食品,
            source: "assumption: one ready-to-eat ration pack of about 700 kcal and 0.5 kg"}
  water_l: {unit: L, kg_per_unit: 1.0, name_zh: 饮用水,
            source: "physical: 1 L of water weighs 1 kg (packaging neglected)"}
  quilt:   {unit: piece, kg_per_unit: 2.5, name_zh: 棉被,
            source: "assumption: a relief cotton quilt of about 2.5 kg"}

# What one displaced person needs: per_day (units a day) and/or once (units issued once). A
# person has basic relief (基本生活救助) when served every basic need.
needs:
  meal:    {per_day: 3,
            source: "Sphere 2,100 kcal per person per day (parameters.md §5) = 3 packs of about 700
              kcal"}
  water_l: {per_day: 3,
            source: "Sphere drinking water 2.5-3 L per person per day (parameters.md §5)"}
  quilt:   {once: 1,
            source: "Sphere profile in InaSAFE: 1 mattress per person (parameters.md §4); bedding
              counts once"}

# Zones (乡镇/街道): residents (persons), households, position (degrees), the share of residents
# the evacuation order targets (转移: dangerous and low-lying houses), and what the hazard
# models need to know of the ground (`exposure`; see sim schema and the scenarios/ examples).
zones:
  - {name: town, name_zh: 城关镇, population: 30000, households: 11000,
     lon: $town_lon, lat: $town_lat,
     evacuation_share: {dist: uniform, low: 0.05, high: 0.10},$town_exposure
     source: "assumption: placeholder, replace with the town's census population and households
       and its position"}
  - {name: village, name_zh: 山区乡, population: 6000, households: 2200,
     lon: $village_lon, lat: $village_lat,
     evacuation_share: {dist: uniform, low: 0.10, high: 0.20},$village_exposure
     source: "assumption: placeholder, replace with the township's census population and
       households and its position"}

# Travel between zones: without a `travel.minutes` matrix or `roads`, every pair of zones is
# linked directly, at the great-circle distance times `circuity`.
travel:
  circuity: 1.3
  intra_zone_minutes: 15
  source: "assumption: placeholder, replace with road distances (or give roads.links with km)"

# Shelters (避灾点 / 应急避难场所): usable area (m2) and/or stated capacity (persons); opening
# delay (hours from the evacuation warning until they admit people); registration desks.
shelters:
  - {name: town_school, zone: town, usable_area_m2: 3000, capacity: 1500,
     opening_delay_h: {dist: uniform, low: 1, high: 3}, desks: 3,
     source: "assumption: placeholder, replace with the shelter list of the plan (area, capacity,
       opening time)"}
  - {name: village_hall, zone: village, usable_area_m2: 900, capacity: 500,
     opening_delay_h: {dist: uniform, low: 1, high: 4},
     source: "assumption: placeholder, replace with the shelter list of the plan"}

# Stock points (physical stock): tier (city | county | township | village), zone, and the
# quantity of each item in its unit; loading_h: hours to load one vehicle.
stock_points:
  - {name: county_depot, name_zh: 县级救灾物资储备库, tier: county, zone: town,
     items: {meal: 20000, water_l: 20000, quilt: 3000}, loading_h: 0.75,
     source: "assumption: placeholder, replace with the depot's stock ledger"}

# Vehicles: fleets of identical vehicles. Trucks are based at a stock point and carry
# capacity_kg; buses, boats, ambulances and helicopters are based in a zone and carry
# capacity_persons. count may be uncertain (how many are free on the day).
vehicles:
  - {name: county_trucks, kind: truck, base: county_depot, count: {dist: choice, values: [2, 3, 4]},
     capacity_kg: 5000, speed_kmh: 40, unloading_h: 0.5,
     source: "assumption: placeholder, replace with the trucks the plan requisitions"}
  - {name: town_buses, kind: bus, base: town, count: 3, capacity_persons: 45, speed_kmh: 35,
     source: "assumption: placeholder, replace with the evacuation buses of the plan"}
  - {name: ambulances, kind: ambulance, base: town, count: 3, capacity_persons: 1, speed_kmh: 50,
     source: "assumption: placeholder, replace with the county's ambulances"}

# Teams: kind (fire_rescue | professional | township_semi_professional | village | volunteer |
# medical | air), base zone, headcount, how many identical teams, skills, shift length (h).
teams:
  - {name: town_team, name_zh: 乡镇半专业救援队, kind: township_semi_professional, base: town,
     headcount: 30,
     skills: [rescue, shelter_management], shift_h: 12,
     source: "002_shicheng_plan.txt#L141 (township teams of 30 or more); assumption: placeholder,
       replace with the county's team list"}
  - {name: county_fire_station, name_zh: 县消防救援大队, kind: fire_rescue, base: town,
     headcount: 25,
     skills: [rescue], shift_h: 12, speed_kmh: 50,
     source: "assumption: placeholder, replace with the fire and rescue station's strength"}

# Hospitals: beds free for casualties on the day (most beds are occupied).
hospitals:
  - {name: county_hospital, zone: town, beds: {dist: uniform, low: 30, high: 80},
     source: "assumption: placeholder, replace with the free beds of the county hospital"}

# The hazard. Its coefficients come from cited parameter packs (scenarios/packs/, listed by
# `sim params FILE`): typhoons use [typhoon_china, water_china], floods water_china,
# earthquakes [china_eq_east, hazus_eq]. The scenario gives what is particular to the event.
$hazard_block

# The plan's response rules.
response:
  warning:   # how the evacuation warning spreads: share reached, hours to reach it, the chain
    coverage: {dist: uniform, low: 0.85, high: 0.95,
               source: "assumption: placeholder, replace with the plan's warning coverage target"}
    spread_h: {dist: uniform, low: 1, high: 4,
               source: "assumption: placeholder, replace with how long the warning takes to spread"}
    chain:   # tiers the order passes down; delays in hours add up
      - {tier: township, delay_h: {dist: uniform, low: 0.5, high: 2},
         source: "assumption: placeholder, replace with the plan's county -> township delay"}
      - {tier: village, delay_h: {dist: uniform, low: 0.5, high: 2},
         source: "assumption: placeholder, replace with the plan's township -> village delay"}
  evacuation:   # compliance (probability), mobilisation (h), shares of people (0-1)
    compliance: {dist: uniform, low: 0.95, high: 1.0,
                 source: "parameters.md §14: model compliance in China as 0.95-1.0 of the targeted
                   population"}
    mobilisation_h: {dist: uniform, low: 1, high: 3,
                     source: "assumption: placeholder, replace with the time people take to leave
                       after the order"}
    dispersed_share: {dist: uniform, low: 0.45, high: 0.60,
                      source: "parameters.md §14: Lekima 2019, 55.2 % of relocated people were
                        dispersed (分散安置)"}
    transport_share: {dist: uniform, low: 0.1, high: 0.3,
                      source: "assumption: placeholder, replace with the share of evacuees who need
                        a bus"}
    return_after_h: {dist: uniform, low: 6, high: 24,
                     source: "assumption: placeholder, replace with when people go home after the
                       roads reopen"}
  shelter:   # area standard (m2 per person) and registration (minutes per household)
    area_per_person_m2: 1.5
    registration_min: 2
    source: "GB 21734-2008 §5.4: per-capita living area > 1.5 m2 (parameters.md §10)"
    sources:
      registration_min: "assumption: placeholder, replace with the time to register a household"
  logistics:   # shelters order cover_days of needs; relatives provide for dispersed people
    cover_days: 1
    dispersed_relief: hosts
    source: "assumption: placeholder, replace with the plan's ordering rule and who supplies
      people staying with relatives"
  rescue:   # search and rescue: turnout (min), extraction (team-hours per person), survival
    turnout_min: {dist: uniform, low: 1, high: 3,
                  source: "NFPA 1710 turnout of 60-80 s (parameters.md §9), longer in a disaster
                    (assumption)"}
    extraction_h: {dist: uniform, low: 0.5, high: 2,
                   source: "assumption: placeholder, replace with team-hours to free one trapped
                     person"}
    survival:
      hours: [0, 0.5, 24, 48, 72, 96, 120]
      alive: [1.0, 0.993, 0.81, 0.537, 0.367, 0.19, 0.074]
      source: "Tangshan 1976 survival by rescue time (parameters.md §8)"
  medical:   # first aid (h), hospital stays (h) by severity, survival of untreated severity 3 (h)
    first_aid_h: 2
    stay_h: {"2": 72, "3": 240}
    untreated_sev3_mean_h: {dist: uniform, low: 6, high: 24,
                            source: "assumption: Hazus severity 3 injuries are life-threatening
                              without prompt care (parameters.md §1)"}
    source: "assumption: placeholder, replace with first-aid time and hospital stays"

# Plan targets: each a clause of the plan, machine-checked on every run (sim schema lists the
# kinds: relief_within, shelter_area_per_person, evacuated_before_onset, stock_covers, ...).
targets:
  - id: relief_within_10h
    kind: relief_within
    hours: 10
    share: 0.95
    clause: {zh: "确保灾害发生后10小时内受灾人员基本生活得到有效救助",
             en: "basic needs of affected people effectively met within 10 hours of the disaster"}
    source: "004_wenzhou_plan.txt#L433 (the share of 95 % is an assumption: the plan says all
      affected people); replace with your plan's line"
  - id: shelter_area
    kind: shelter_area_per_person
    min_m2: 1.5
    clause: {zh: "人均居住面积应大于1.5平方米", en: "per-capita living area above 1.5 m2"}
    source: "GB 21734-2008 §5.4 (parameters.md §10)"
"""

_TYPHOON = """\
hazard:
  type: typhoon
  pack: [typhoon_china, water_china]
  # Forecast landfall point (degrees) and the coast's bearing (degrees from north).
  landfall: {lon: 120.60, lat: 27.55,
             source: "assumption: placeholder, replace with the forecast landfall point on the
               county's coast"}
  coast_bearing_deg: 30
  # Track error along the coast (km), heading (degrees), forward speed (km/h).
  landfall_offset_km: {dist: normal, mean: 0, sd: 60, low: -150, high: 150,
                       source: "004_wenzhou_plan.txt#L234 (24 h track forecast error below 60 km,
                         used as the sd)"}
  heading_deg: {dist: normal, mean: 300, sd: 20, low: 250, high: 350,
                source: "assumption: placeholder, replace with the heading of typhoons reaching
                  this coast"}
  translation_speed_kmh: {dist: uniform, low: 10, high: 30,
                          source: "assumption: typical forward speed of a landfalling typhoon"}
  # Maximum wind at landfall (m/s, 2-min mean as China reports it), radius of maximum wind (km).
  max_wind_ms: {dist: triangular, low: 33, mode: 42, high: 55,
                source: "GB/T 19201-2006 grades: 台风 32.7-41.4, 强台风 41.5-50.9,
                  超强台风 >= 51 m/s (parameters.md §12)"}
  wind_averaging: 2min
  rmw_km: {dist: uniform, low: 20, high: 50,
           source: "assumption: typical radius of maximum wind of a landfalling typhoon"}
  holland_b: {dist: uniform, low: 1.0, high: 2.5,
              source: "Holland 1980 B range [1.0, 2.5]; no typical value, sample it (parameters.md
                §7)"}
  # Roads close above this wind (m/s) and reopen some hours after it falls.
  road_closure_wind_ms: 24.5
  road_reopen_after_h: {dist: uniform, low: 2, high: 8,
                        source: "assumption: placeholder, replace with how long road clearing
                          takes"}
  # The evacuation order: hours before landfall.
  warning_lead_h: {dist: uniform, low: 12, high: 24,
                   source: "004_wenzhou_plan.txt#L234 (24 h ahead to counties, 12 h ahead to
                     townships)"}
  sources:
    coast_bearing_deg: "assumption: placeholder, replace with the bearing of the county's coastline"
    road_closure_wind_ms: "GB/T 19201-2006: 24.5 m/s is the lower bound of 强热带风暴
      (parameters.md §12); assumption that roads close above it"
    wind_averaging: "China Meteorological Administration reports 2-min mean winds
      (parameters.md §12)"
"""

_FLOOD = """\
hazard:
  type: flood
  pack: water_china
  # The evacuation order: hours before t = 0 (the expected flood peak).
  warning_lead_h: {dist: uniform, low: 1, high: 3,
                   source: "004_wenzhou_plan.txt#L234 (county 1-hour and 3-hour rolling rainfall
                     forecasts)"}
  # A rainstorm (mm over its duration in hours, starting at start_h on the run's clock) drives
  # the flash floods and waterlogging of the zones' exposure blocks. A river flood by gauge
  # level or return period goes in a `river` block (see scenarios/fuzhou_flood.yaml).
  rain:
    total_mm: {dist: triangular, low: 60, mode: 150, high: 300,
               source: "assumption: placeholder, replace with the design storm of the county's
                 flood plan"}
    duration_h: {dist: uniform, low: 3, high: 24,
                 source: "assumption: placeholder, replace with the storm's duration"}
    peak_fraction: {dist: uniform, low: 0.3, high: 0.5,
                    source: "Yen & Chow 1980 triangular hyetograph; peak at 0.3-0.5 of the
                      duration"}
    start_h: {dist: uniform, low: -3, high: -1,
              source: "assumption: the clock's zero is the expected flash-flood peak, 1-3 h after
                the heavy rain starts"}
"""

_EARTHQUAKE = """\
hazard:
  type: earthquake
  pack: [china_eq_east, hazus_eq]
  # Epicentre (degrees) and its uncertainty (km east and north), surface-wave magnitude Ms,
  # focal depth (km), fault strike (degrees), local hour of the mainshock (0-24).
  epicentre: {lon: 112.90, lat: 35.60,
              source: "assumption: placeholder, replace with the scenario earthquake's epicentre
                (seismic zoning, past events)"}
  epicentre_east_km: {dist: normal, mean: 0, sd: 10, low: -30, high: 30,
                      source: "assumption: placeholder, replace with the fault's extent"}
  epicentre_north_km: {dist: normal, mean: 0, sd: 10, low: -30, high: 30,
                       source: "assumption: placeholder, replace with the fault's extent"}
  magnitude: {dist: uniform, low: 5.5, high: 7.0,
              source: "assumption: placeholder, replace with the plan's scenario magnitude"}
  depth_km: {dist: uniform, low: 8, high: 20,
             source: "assumption: shallow crustal focus (reported only; the attenuation uses
               epicentral distance)"}
  strike_deg: {dist: uniform, low: 0, high: 40,
               source: "assumption: placeholder, replace with the strike of the county's faults"}
  hour_of_day: {dist: uniform, low: 0, high: 24,
                source: "assumption: an earthquake may strike at any hour"}
  intensity_epsilon: {dist: normal, mean: 0, sd: 1,
                      source: "the attenuation's residual, in standard deviations (sigma 0.5826,
                        parameters.md §12)"}
"""

_PER_HAZARD: dict[str, dict[str, str]] = {
    "typhoon": {
        "hazard_block": _TYPHOON, "start_h": "-36", "onset": "landfall",
        "time_why": "36 h before landfall covers a 24 h warning lead",
        "town_lon": "120.50", "town_lat": "27.65", "village_lon": "120.38", "village_lat": "27.72",
        "title_zh": "县台风应急预案检验",
        "town_exposure": "",
        "village_exposure": "",
    },
    "flood": {
        "hazard_block": _FLOOD, "start_h": "-12", "onset": "the expected flood peak",
        "time_why": "12 h before the peak covers the rainstorm warning",
        "town_lon": "116.30", "town_lat": "26.35", "village_lon": "116.20", "village_lat": "26.42",
        "title_zh": "县洪涝应急预案检验",
        "town_exposure": (
            "\n     exposure: {waterlogging: {curve_number: 92, drainage_mm_h: 30,"
            "\n                               ponding_ratio: 6, share: 0.05},"
            "\n                source: \"assumption: placeholder, replace with the town's"
            "\n                  waterlogging points (curve number, drain capacity in mm/h,"
            "\n                  share of residents in low streets)\"},"),
        "village_exposure": (
            "\n     exposure: {flash: {catchment_km2: 30, stream_length_km: 9, slope: 0.03,"
            "\n                        runoff_coefficient: {dist: uniform, low: 0.5, high: 0.8},"
            "\n                        channel_width_m: 20, bankfull_depth_m: 1.8,"
            "\n                        manning_n: 0.045, share: 0.1},"
            "\n                landslide: {share: 0.02},"
            "\n                source: \"assumption: placeholder, replace with the village's"
            "\n                  stream (catchment km2, length km, slope m/m, channel m) and"
            "\n                  the share of residents at flash-flood and landslide hazard"
            "\n                  points\"},"),
    },
    "earthquake": {
        "hazard_block": _EARTHQUAKE, "start_h": "0", "onset": "the mainshock",
        "time_why": "an earthquake comes without warning",
        "town_lon": "112.85", "town_lat": "35.50", "village_lon": "112.95", "village_lat": "35.60",
        "title_zh": "县地震应急预案检验",
        "town_exposure": "",
        "village_exposure": "",
    },
}

_NAME = re.compile(r"^[^\W\d][\w\-]*$")


def name_from_path(stem: str) -> str:
    """A scenario name made from a file name's stem: other characters become '_'.

    Examples
    --------
    >>> name_from_path("2024 county-plan")
    's_2024_county-plan'
    """
    name = re.sub(r"[^\w\-]", "_", stem)[:78] or "scenario"
    return name if _NAME.match(name) else f"s_{name}"


def skeleton_text(hazard: HazardName = "typhoon", name: str = "my_county") -> str:
    """Return a commented skeleton scenario for ``hazard``.

    Parameters
    ----------
    hazard : {'typhoon', 'flood', 'earthquake'}
        The hazard block and its parameter packs.
    name : str
        The scenario's ``name`` (an identifier: letters, digits, '_' or '-').

    Returns
    -------
    str
        YAML text that validates and runs as written.

    Raises
    ------
    ValueError
        If the hazard is unknown or the name is not an identifier.
    """
    if hazard not in _PER_HAZARD:
        raise ValueError(f"unknown hazard {hazard!r}; expected one of {', '.join(HAZARDS)}")
    if not _NAME.match(name) or len(name) > 80:
        raise ValueError(f"the name {name!r} is not an identifier: use letters, digits, '_' or "
                         "'-', starting with a letter or '_' (at most 80 characters)")
    values = dict(_PER_HAZARD[hazard])
    values["hazard_block"] = values["hazard_block"].rstrip("\n")
    title = f"{name.replace('_', ' ').strip() or name}: {hazard} (skeleton)"
    return Template(_HEAD).substitute(values, name=name, hazard=hazard, title_en=title)


def assumption_lines(scenario: Scenario, skip: tuple[str, ...] = ()) -> list[str]:
    """The assumptions of a scenario, one line each, placeholders first.

    Parameters
    ----------
    scenario : Scenario
        A validated scenario.
    skip : tuple of str
        Input-path prefixes to leave out (e.g. the entities a spreadsheet gave).

    Returns
    -------
    list of str
        ``"  PATH[, PATH...]: TEXT"`` per distinct assumption text (and partly assumed source),
        the placeholders first, then the others in file order.
    """
    from sim.scenario.provenance import assumptions

    lines: list[tuple[bool, str]] = []
    for a in assumptions(scenario):
        paths = [p for p in a.paths if not p.startswith(skip)] if skip else list(a.paths)
        if not paths:
            continue
        shown = ", ".join(paths[:3]) + (f" and {len(paths) - 3} more" if len(paths) > 3 else "")
        lines.append((PLACEHOLDER not in a.text, f"  {shown}: {a.text}"))
    return [text for _, text in sorted(lines, key=lambda x: x[0])]
