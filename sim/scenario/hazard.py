"""Hazard blocks of a scenario, chosen by ``hazard.type``: typhoon, flood or earthquake.

Only the parameters live here (inert, validated data); the physics that turns a sampled hazard into
an :class:`~sim.hazards.impact.Impact` lives in :mod:`sim.hazards`. Coefficients that do not
change from one scenario to the next (damage curves, casualty rates, attenuation coefficients)
usually come from a parameter pack (:mod:`sim.scenario.packs`, ``hazard.pack: NAME``) and can be
overridden in the scenario.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field, model_validator

from sim.scenario.base import Name, Sourced
from sim.scenario.distributions import (
    Uncertain,
    UncertainFraction,
    UncertainNonNeg,
    UncertainPositive,
    support_of,
)
from sim.scenario.packs import merge_packs

__all__ = [
    "Aftershocks",
    "Attenuation",
    "BuildingClass",
    "Curve",
    "EarthquakeHazard",
    "FlashFloodModel",
    "FloodHazard",
    "FloodVulnerability",
    "Hazard",
    "HollandWind",
    "InlandDecay",
    "LandslideModel",
    "LonLat",
    "Occupancy",
    "RainStorm",
    "RiverFlood",
    "StormSurge",
    "TyphoonDamage",
    "TyphoonHazard",
    "TyphoonRain",
    "WaterloggingModel",
]

Number = Annotated[float, Field(allow_inf_nan=False)]
PackNames = str | list[str] | None


class LonLat(Sourced):
    """A point in WGS84 degrees."""

    lon: float = Field(ge=-180, le=180, description="Longitude, degrees east.")
    lat: float = Field(ge=-90, le=90, description="Latitude, degrees north.")


class Curve(Sourced):
    """A piecewise-linear curve through points ``(x[i], y[i])``, flat beyond its ends.

    Used for depth-damage and depth-casualty relations: ``x`` strictly increasing, ``y`` in
    [0, 1] and non-decreasing (more water never does less harm).
    """

    x: list[Number] = Field(min_length=2)
    y: list[Annotated[float, Field(ge=0, le=1)]] = Field(min_length=2)

    @model_validator(mode="after")
    def _check(self) -> Curve:
        if len(self.x) != len(self.y):
            raise ValueError(
                f"a curve needs as many y as x values ({len(self.y)} vs {len(self.x)})"
            )
        if any(b <= a for a, b in zip(self.x, self.x[1:], strict=False)):
            raise ValueError("curve x values must be strictly increasing")
        if any(b < a for a, b in zip(self.y, self.y[1:], strict=False)):
            raise ValueError("curve y values must not decrease")
        return self


def _three_zeros() -> list[Any]:
    return [0.0, 0.0, 0.0]


# -- typhoon -----------------------------------------------------------------------------------
class TyphoonDamage(Sourced):
    """Wind damage function of Emanuel (2011), as used by CLIMADA.

    Mean damage ratio ``MDD = v^3 / (1 + v^3)`` with
    ``v = max(0, V - v_thresh) / (v_half - v_thresh)``, V the peak 1-min wind in m/s.
    """

    v_thresh_ms: UncertainNonNeg = Field(
        description="Wind below which no damage occurs, m/s (Emanuel 2011: 25.7)."
    )
    v_half_ms: UncertainPositive = Field(
        description="Wind at which half the value is lost, m/s (Eberenz et al. 2021, China: 112.8)."
    )
    displaced_per_damage: UncertainNonNeg = Field(
        description=(
            "Share of a zone's residents whose home is unusable, per unit of mean damage ratio "
            "(capped at 1)."
        )
    )
    recovery_days_at_total_loss: UncertainNonNeg = Field(
        default=0.0,
        description="Days out of home for a totally damaged residence (linear in damage ratio).",
    )
    injured_per_damage: list[UncertainNonNeg] = Field(
        default_factory=_three_zeros, min_length=3, max_length=3,
        description=(
            "Wind injuries of severity 1-3 (flying debris, collapse, falls) per resident per unit "
            "of mean damage ratio (capped at 1)."
        ),
    )

    @model_validator(mode="after")
    def _order(self) -> TyphoonDamage:
        if support_of(self.v_half_ms)[0] <= support_of(self.v_thresh_ms)[1]:
            raise ValueError("v_half_ms must exceed v_thresh_ms over their whole ranges")
        return self


class HollandWind(Sourced):
    """Constants of the Holland (1980) gradient-wind profile as implemented by CLIMADA."""

    air_density: Annotated[float, Field(gt=0)] = Field(description="Air density, kg/m³.")
    gradient_to_surface: Annotated[float, Field(gt=0, le=1)] = Field(
        description="Surface wind over gradient-level wind."
    )
    max_radius_km: Annotated[float, Field(gt=0)] = Field(
        description="No wind is computed beyond this distance from the centre, km."
    )
    to_1min: dict[Literal["1min", "2min", "3min", "10min"], Annotated[float, Field(gt=0)]] = Field(
        description="Factor turning a sustained wind of each averaging period into a 1-min one."
    )


class InlandDecay(Sourced):
    """Kaplan & DeMaria (1995) decay of the maximum wind after landfall.

    ``V(t) = V_b + (R V_0 - V_b) exp(-alpha t)`` for t hours after landfall, V_0 the landfall
    intensity.
    """

    alpha_per_h: Annotated[float, Field(ge=0)] = Field(description="Decay constant, 1/h.")
    background_ms: Annotated[float, Field(ge=0)] = Field(description="Background wind V_b, m/s.")
    landfall_factor: Annotated[float, Field(gt=0, le=1)] = Field(
        description="Reduction R of the wind as the storm crosses the coast."
    )


class StormSurge(Sourced):
    """Bathtub storm surge (CLIMADA TCSurgeBathtub): wind -> surge height -> inundation.

    Peak surge at the coast ``h = slope * max(V1 - threshold, 0) + intercept`` (Xu 2010, V1 the
    zone's peak 1-min wind), lowered inland by ``inland_decay_m_per_km``; the water level adds
    the astronomical tide. Behind a seawall the land floods only when the level exceeds the
    crest.
    """

    slope_m_per_ms: Annotated[float, Field(ge=0)]
    threshold_ms: Annotated[float, Field(ge=0)]
    intercept_m: Annotated[float, Field(ge=0)]
    inland_decay_m_per_km: Annotated[float, Field(ge=0)]
    applies_above_ms: Annotated[float, Field(ge=0)] = Field(
        default=0.0, description="Peak 1-min wind below which there is no surge (CLIMADA: 17.5)."
    )
    tide_m: Uncertain = Field(
        default=0.0, description="Astronomical tide at the time of the surge, m above MSL."
    )
    duration_h: UncertainNonNeg = Field(
        default=6.0, description="Hours the land behind the coast stays flooded."
    )


class TyphoonRain(Sourced):
    """R-CLIPER rain-rate profile (Tuleya et al. 2007, NHC bias-adjusted Table 2).

    With ``U = 1 + (V_kt - 35) / 33`` (V the storm's 1-min maximum wind in knots):
    ``T0 = a1 + b1 U``, ``Tm = a2 + b2 U`` (inch/day), ``rm = a3 + b3 U``, ``re = a4 + b4 U``
    (km); rain rate ``T0 + (Tm - T0) r / rm`` inside rm and ``Tm exp(-(r - rm) / re)`` beyond.
    """

    a1: float
    a2: float
    a3: float
    a4: float
    b1: float
    b2: float
    b3: float
    b4: float
    factor: UncertainNonNeg = Field(
        default=1.0, description="Multiplier of the rain rates (orographic or regional bias)."
    )


class FloodVulnerability(Sourced):
    """What water does to homes and people: depth-damage, depth-casualty, displacement."""

    depth_damage: Curve = Field(description="Depth (m) -> damage ratio of a residence.")
    depth_killed: Curve = Field(description="Depth (m) -> probability a person present dies.")
    displaced_per_damage: UncertainNonNeg = Field(
        description="Probability a resident's home is unusable per unit of damage ratio (capped)."
    )
    injured_per_killed: list[UncertainNonNeg] = Field(
        default_factory=_three_zeros, min_length=3, max_length=3,
        description="Injuries of severity 1-3 per death (same water, same people).",
    )
    trapped_depth_m: UncertainNonNeg = Field(
        description="Depth above which people present need rescue (trapped), m."
    )
    trapped_share: UncertainFraction = Field(
        description="Share of people present in water deeper than trapped_depth_m who are trapped."
    )
    recovery_days_at_total_loss: UncertainNonNeg = Field(
        description="Days out of home for a totally damaged residence (linear in damage ratio)."
    )
    road_closure_depth_m: UncertainNonNeg = Field(
        description="Water depth that closes a zone's roads, m."
    )
    facility_depth_m: UncertainNonNeg = Field(
        description="Depth at which a facility on flooded ground goes out of service, m."
    )
    cleanup_h: UncertainNonNeg = Field(
        default=0.0, description="Hours after the water recedes before roads and facilities reopen."
    )


class FlashFloodModel(Sourced):
    """Rational method and Kirpich time of concentration for small mountain catchments.

    ``Q = k C i A`` (m³/s, i in mm/h, A in km², k = 0.278), ``t_c = 0.0195 L^0.77 S^-0.385``
    minutes (L in m), depth from Manning for a wide channel ``h = (n q / sqrt(S))^(3/5)``.
    """

    rational_k: Annotated[float, Field(gt=0)]
    kirpich_coefficient: Annotated[float, Field(gt=0)]
    kirpich_length_exponent: float
    kirpich_slope_exponent: float


class WaterloggingModel(Sourced):
    """SCS curve-number runoff (USDA TR-55) for urban waterlogging."""

    initial_abstraction_ratio: Annotated[float, Field(ge=0, le=1)]


class LandslideModel(Sourced):
    """Rain-triggered landslides at mapped hazard points (地质灾害隐患点) (rain -> landslide).

    A zone's slopes can fail only once the event rain exceeds ``I = a D^b`` (mm/h, h) for some
    duration window (the regional minimum threshold; none fail below it). Above it a hazard point
    fails with the lognormal fragility ``Phi(ln(r / theta_A) / beta)`` in the largest exceedance
    ratio ``r = I / (a D^b)``, where wet antecedent rain lowers the median ratio:
    ``theta_A = theta exp(-A / A_s)``. The residents of a failing registered point are moved
    under 群测群防 monitoring and warning before the failure with probability
    ``warning_success``; deaths per failed point follow the national geohazard bulletins.
    """

    threshold_a: Annotated[float, Field(gt=0)] = Field(
        description="Scale a of the intensity-duration threshold I = a D^b (mm/h at D = 1 h)."
    )
    threshold_b: float = Field(description="Exponent b of the threshold I = a D^b.")
    windows_h: list[Annotated[float, Field(gt=0)]] = Field(
        min_length=1, description="Rain durations (h) checked against the threshold."
    )
    fragility_median_ratio: UncertainPositive = Field(
        description=(
            "Exceedance ratio I / (a D^b) at which half of the hazard points fail, with dry "
            "antecedent conditions (theta of the lognormal fragility; >= 1 keeps failures above "
            "the threshold rare)."
        )
    )
    fragility_beta: UncertainPositive = Field(
        description="Lognormal dispersion (beta) of the fragility in the exceedance ratio."
    )
    antecedent_mm: UncertainNonNeg = Field(
        default=0.0,
        description=(
            "Antecedent effective rainfall of the preceding days (mm, decayed sum before the "
            "event); wetter slopes fail at a lower exceedance."
        ),
    )
    antecedent_scale_mm: UncertainPositive = Field(
        default=100.0,
        description=(
            "Antecedent rain (mm) that divides the fragility's median ratio by e "
            "(theta_A = theta exp(-A / A_s))."
        ),
    )
    residents_per_point: UncertainPositive = Field(
        description="Residents threatened per registered hazard point (people)."
    )
    deaths_per_failure: UncertainNonNeg = Field(
        description=(
            "Dead and missing per failed hazard point (national bulletins: dead and missing per "
            "recorded geohazard event, net of the warnings given)."
        )
    )
    trapped_per_failure: UncertainNonNeg = Field(
        description="Survivors buried (trapped, waiting for rescue) per failed hazard point."
    )
    registered_share: UncertainFraction = Field(
        description=(
            "Share of hazard-point residents living at registered points under 群测群防 "
            "monitoring (monitor, warning signal and evacuation route assigned)."
        )
    )
    warning_success: UncertainFraction = Field(
        description=(
            "Probability that the county's monitoring and warning (群测群防 and the rain-based "
            "地质灾害气象风险预警) moves the residents of a failing registered point out in time."
        )
    )
    warning_lead_h: UncertainNonNeg = Field(
        description="Hours before the failure that the warned residents are moved out, h."
    )
    road_reopen_h: UncertainNonNeg = Field(
        description=(
            "Hours for a crew to clear a landslide from a road link; a slide blocks each link "
            "into the zone with the failure probability."
        )
    )


class TyphoonHazard(Sourced):
    """A landfalling typhoon with an uncertain track, intensity and timing.

    The clock of a run is counted in hours from landfall (t = 0). The storm moves on a straight
    track through the landfall point (shifted along the coast from the forecast) with the given
    heading and translation speed; its maximum wind is the landfall intensity over the sea and
    decays over land (Kaplan & DeMaria 1995). The wind field is the Holland (1980) profile.
    Each zone's strike (onset) is its gale arrival (first surface wind at or above ``gale_ms``).
    """

    type: Literal["typhoon"]
    pack: PackNames = Field(default=None, description="Parameter pack(s) merged under this block.")
    landfall: LonLat = Field(description="Forecast landfall point.")
    coast_bearing_deg: float = Field(
        ge=0, lt=360, description="Bearing of the coastline along which the landfall may shift."
    )
    landfall_offset_km: Uncertain = Field(
        description="Shift of the actual landfall along the coast from the forecast, km."
    )
    heading_deg: Uncertain = Field(
        description="Direction the storm moves towards at landfall, degrees from north."
    )
    translation_speed_kmh: UncertainPositive = Field(
        description="Forward speed of the storm, km/h."
    )
    max_wind_ms: UncertainPositive = Field(
        description="Maximum sustained wind at landfall, m/s, averaged over `wind_averaging`."
    )
    wind_averaging: Literal["1min", "2min", "3min", "10min"] = Field(
        default="2min",
        description="Averaging period of max_wind_ms (China Meteorological Administration: 2 min).",
    )
    rmw_km: UncertainPositive = Field(description="Radius of maximum wind, km.")
    holland_b: UncertainPositive = Field(description="Holland (1980) shape parameter B.")
    holland: HollandWind
    decay: InlandDecay
    gale_ms: UncertainPositive = Field(
        description=(
            "Surface wind that marks the storm's arrival in a zone, m/s, averaged like "
            "max_wind_ms (`wind_averaging`; China's grades are 2-min winds)."
        )
    )
    road_closure_wind_ms: UncertainPositive = Field(
        description=(
            "Surface wind above which a zone's roads close, m/s, averaged like max_wind_ms."
        )
    )
    road_reopen_after_h: UncertainNonNeg = Field(
        default=0.0,
        description="Hours after the wind falls below the closure wind until the roads reopen.",
    )
    warning_lead_h: UncertainNonNeg = Field(
        description="Hours before landfall at which the evacuation warning is issued."
    )
    damage: TyphoonDamage
    surge: StormSurge | None = None
    rain: TyphoonRain | None = Field(
        default=None,
        description="Rain field; with `water` it drives flash floods and waterlogging.",
    )
    water: FloodVulnerability | None = Field(
        default=None,
        description="What water does (compound: the typhoon's surge and rain flood zones).",
    )
    flash: FlashFloodModel | None = None
    waterlogging: WaterloggingModel | None = None
    landslide: LandslideModel | None = Field(
        default=None, description="Compound: the typhoon's rain triggers landslides."
    )

    @model_validator(mode="before")
    @classmethod
    def _packs(cls, v: Any) -> Any:
        return merge_packs(v)

    @model_validator(mode="after")
    def _check(self) -> TyphoonHazard:
        lo, hi = support_of(self.holland_b)
        if lo < 1.0 or hi > 2.5:
            raise ValueError(
                f"holland_b must lie in [1.0, 2.5] (Holland 1980), got the range [{lo}, {hi}]"
            )
        if self.wind_averaging not in self.holland.to_1min:
            raise ValueError(f"holland.to_1min has no factor for {self.wind_averaging!r}")
        return self


# -- flood ---------------------------------------------------------------------------------------
class RiverFlood(Sourced):
    """A river flood given by the peak level at a reference gauge, or by its return period.

    The level rises linearly from ``base_level_m`` to the peak over ``rise_h`` hours and falls
    back over ``fall_h`` hours; the peak passes the gauge at t = 0 and a zone ``lag_h`` later.
    With ``return_period_y`` the peak is the Gumbel quantile ``mu - beta ln(-ln(1 - 1/T))``.
    """

    peak_level_m: Uncertain | None = Field(default=None, description="Peak stage at the gauge, m.")
    return_period_y: UncertainPositive | None = Field(
        default=None, description="Return period of the annual-maximum stage, years."
    )
    gumbel_location_m: Uncertain | None = None
    gumbel_scale_m: UncertainPositive | None = None
    base_level_m: Uncertain = Field(description="Stage before the flood wave, m.")
    rise_h: UncertainPositive
    fall_h: UncertainPositive

    @model_validator(mode="after")
    def _one(self) -> RiverFlood:
        if (self.peak_level_m is None) == (self.return_period_y is None):
            raise ValueError("give exactly one of peak_level_m and return_period_y")
        if self.return_period_y is not None:
            if self.gumbel_location_m is None or self.gumbel_scale_m is None:
                raise ValueError("return_period_y needs gumbel_location_m and gumbel_scale_m")
            if support_of(self.return_period_y)[0] <= 1.0:
                raise ValueError("return_period_y must exceed 1 year")
        return self


class RainStorm(Sourced):
    """A rainstorm over the zones, scaled per zone.

    Zone z receives ``total_mm * zone_factor[z]`` (default factor 1) between ``start_h`` and
    ``start_h + duration_h``, evenly or with a triangular hyetograph (``peak_fraction``).
    """

    total_mm: UncertainNonNeg = Field(description="Areal-mean rainfall of the storm, mm.")
    duration_h: UncertainPositive
    start_h: Uncertain = Field(description="When the rain starts, hours on the run's clock.")
    zone_factor: dict[Name, UncertainNonNeg] = Field(
        default_factory=dict, description="Zone rainfall over the areal mean."
    )
    peak_fraction: UncertainFraction | None = Field(
        default=None,
        description=(
            "Triangular hyetograph (Yen & Chow 1980): intensity rises to 2 P / D at this fraction "
            "of the duration and falls back to 0; uniform intensity when absent."
        ),
    )


class FloodHazard(Sourced):
    """River flood, mountain flash flood and urban waterlogging.

    The clock: t = 0 is the forecast flood peak (at the river gauge) or, for rain-driven floods,
    the reference time of the rainstorm given in ``rain.start_h``.
    """

    type: Literal["flood"]
    pack: PackNames = Field(default=None, description="Parameter pack(s) merged under this block.")
    warning_lead_h: UncertainNonNeg = Field(
        description="Hours before t = 0 at which the evacuation warning is issued."
    )
    river: RiverFlood | None = None
    rain: RainStorm | None = None
    water: FloodVulnerability = Field(description="What water does to homes and people.")
    flash: FlashFloodModel | None = None
    waterlogging: WaterloggingModel | None = None
    landslide: LandslideModel | None = None

    @model_validator(mode="before")
    @classmethod
    def _packs(cls, v: Any) -> Any:
        return merge_packs(v)

    @model_validator(mode="after")
    def _driver(self) -> FloodHazard:
        if self.river is None and self.rain is None:
            raise ValueError("a flood needs a `river` or a `rain` block (or both)")
        return self


# -- earthquake -----------------------------------------------------------------------------------
class Attenuation(Sourced):
    """Elliptical intensity attenuation ``I = A + B M + C ln(R + R0)`` on two axes.

    R is the epicentral distance along the long (fault-parallel) or short axis, km. A site lies
    on the iso-intensity ellipse whose semi-axes give it; its intensity is found by bisection.
    """

    region: str
    long_a: float
    long_c: Annotated[float, Field(lt=0)]
    long_r0: Annotated[float, Field(gt=0)]
    short_a: float
    short_c: Annotated[float, Field(lt=0)]
    short_r0: Annotated[float, Field(gt=0)]
    b: Annotated[float, Field(gt=0)]
    sigma: Annotated[float, Field(ge=0)]
    max_intensity: Annotated[float, Field(gt=0, le=12)] = 12.0


class BuildingClass(Sourced):
    """A building class: macroseismic vulnerability, Hazus casualty rates and collapse share."""

    vulnerability_index: UncertainPositive = Field(
        description="Macroseismic vulnerability index V (Lagomarsino & Giovinazzi 2006)."
    )
    ductility: Annotated[float, Field(gt=0)] = Field(description="Ductility index Q.")
    casualty_rates: list[list[Annotated[float, Field(ge=0, le=100)]]] = Field(
        description=(
            "Hazus indoor casualty rates, % of occupants: 4 rows (severity 1-4) x 5 columns "
            "(slight, moderate, extensive, complete without collapse, collapse)."
        )
    )
    collapse_share: UncertainFraction = Field(
        description="Share of completely damaged buildings that collapse (Hazus)."
    )

    @model_validator(mode="after")
    def _shape(self) -> BuildingClass:
        rows = self.casualty_rates
        if len(rows) != 4 or any(len(r) != 5 for r in rows):
            raise ValueError("casualty_rates must be 4 rows (severity 1-4) of 5 damage states")
        for j in range(5):
            if sum(r[j] for r in rows) > 100:
                raise ValueError(f"casualty rates of damage state {j} add up to more than 100 %")
        return self


class Occupancy(Sourced):
    """Share of residents indoors (in buildings of their zone's mix) by time of day."""

    night: UncertainFraction
    day: UncertainFraction
    commute: UncertainFraction
    night_hours: tuple[float, float] = Field(
        default=(22.0, 6.0), description="Clock hours [from, to) counted as night."
    )
    commute_hours: list[tuple[float, float]] = Field(
        default_factory=lambda: [(7.0, 9.0), (17.0, 19.0)],
        description="Clock hours counted as commuting.",
    )


class Aftershocks(Sourced):
    """An aftershock sequence: Båth's law, Gutenberg-Richter magnitudes, Omori-Utsu times.

    The largest aftershock is expected at ``M - delta_m``; the expected number at or above
    ``m_min`` over the whole sequence is ``10^(b (M - delta_m - m_min))``; times follow
    ``(t + c)^-p`` on [0, sequence_days], of which the run sees its own window.
    """

    delta_m: UncertainNonNeg = Field(description="Mainshock minus largest aftershock (Båth).")
    b_value: UncertainPositive
    p: UncertainPositive
    c_days: UncertainPositive
    m_min: Annotated[float, Field(gt=0)] = Field(description="Smallest aftershock simulated.")
    within_3_days: UncertainFraction = Field(
        description="Share of the sequence in its first 3 days (sets sequence_days)."
    )
    rupture_a: float = Field(description="log10 rupture length = a + b M (Wells & Coppersmith).")
    rupture_b: float


class EarthquakeHazard(Sourced):
    """A mainshock (and its aftershocks) with uncertain magnitude, epicentre, depth and time.

    The clock: t = 0 is the mainshock. Intensity per zone by the elliptical attenuation,
    damage states per building class by the macroseismic method, casualties by Hazus rates.
    """

    type: Literal["earthquake"]
    pack: PackNames = Field(default=None, description="Parameter pack(s) merged under this block.")
    epicentre: LonLat
    epicentre_east_km: Uncertain = Field(default=0.0, description="Epicentre shift east, km.")
    epicentre_north_km: Uncertain = Field(default=0.0, description="Epicentre shift north, km.")
    magnitude: UncertainPositive = Field(description="Surface-wave magnitude Ms.")
    depth_km: UncertainPositive = Field(description="Focal depth, km (reported only).")
    strike_deg: Uncertain = Field(description="Azimuth of the long axis (fault strike), degrees.")
    hour_of_day: Uncertain = Field(description="Local clock hour of the mainshock, 0-24.")
    intensity_epsilon: Uncertain = Field(
        default=0.0,
        description="Between-event residual in standard deviations of the attenuation (N(0, 1)).",
    )
    warning_lead_h: UncertainNonNeg = Field(
        default=0.0, description="Earthquakes come without warning (0)."
    )
    attenuation: Attenuation
    building_classes: dict[Name, BuildingClass] = Field(min_length=1)
    default_class: Name = Field(description="Class of zones without a building mix.")
    facility_class: Name = Field(description="Class of shelters, hospitals and depots.")
    occupancy: Occupancy
    displaced_weights: dict[Literal["single_family", "multi_family"],
                            Annotated[list[UncertainFraction],
                                      Field(min_length=3, max_length=3)]] = Field(
        description="Hazus weights of moderate, extensive, complete damage for displacement."
    )
    recovery_days: dict[Literal["single_family", "multi_family"],
                        Annotated[list[UncertainNonNeg],
                                  Field(min_length=4, max_length=4)]] = Field(
        description="Hazus building recovery days: slight, moderate, extensive, complete."
    )
    trapped_share: UncertainFraction = Field(
        description="Share of the survivors in collapsed buildings who are trapped."
    )
    affected_intensity: UncertainPositive = Field(
        description="Intensity from which a zone's residents count as exposed (affected)."
    )
    multi_family_share: UncertainFraction = Field(
        description="Share of residents in multi-family buildings, for zones without exposure."
    )
    road_closure_intensity: UncertainPositive = Field(
        description="Intensity at which a zone's roads are blocked (landslides, debris)."
    )
    road_reopen_h: UncertainNonNeg = Field(description="Hours to clear blocked roads.")
    aftershocks: Aftershocks | None = None

    @model_validator(mode="before")
    @classmethod
    def _packs(cls, v: Any) -> Any:
        return merge_packs(v)

    @model_validator(mode="after")
    def _classes(self) -> EarthquakeHazard:
        for what in ("default_class", "facility_class"):
            name = getattr(self, what)
            if name not in self.building_classes:
                raise ValueError(f"{what} {name!r} is not one of {sorted(self.building_classes)}")
        lo, hi = support_of(self.hour_of_day)
        if lo < 0 or hi > 24:
            raise ValueError("hour_of_day must lie in [0, 24]")
        return self


Hazard = Annotated[TyphoonHazard | FloodHazard | EarthquakeHazard, Field(discriminator="type")]
"""The hazard block: a union discriminated by ``type``."""


def hazard_cross_check(hazard: Any, zones: list[Any]) -> list[tuple[tuple[str | int, ...], str]]:
    """Check that a hazard and the zones' exposure fit together; return (loc, message) pairs."""
    problems: list[tuple[tuple[str | int, ...], str]] = []
    names = {z.name for z in zones}
    if isinstance(hazard, FloodHazard) and hazard.rain is not None:
        for k in hazard.rain.zone_factor:
            if k not in names:
                problems.append((("hazard", "rain", "zone_factor", k),
                                 f"unknown zone {k!r}; expected one of {sorted(names)}"))
    classes = set(hazard.building_classes) if isinstance(hazard, EarthquakeHazard) else None
    for i, z in enumerate(zones):
        ex = getattr(z, "exposure", None)
        if ex is None:
            continue
        if classes is not None and ex.buildings:
            for k in ex.buildings:
                if k not in classes:
                    problems.append((("zones", i, "exposure", "buildings", k),
                                     f"unknown building class {k!r}; expected one of "
                                     f"{sorted(classes)}"))
            if all(support_of(v)[1] <= 0 for v in ex.buildings.values()):
                problems.append((("zones", i, "exposure", "buildings"),
                                 "building shares must not all be zero"))
        if ex.flash is not None and not _has(hazard, "flash"):
            problems.append((("zones", i, "exposure", "flash"),
                             "the zone has a flash-flood stream but the hazard has no `flash` "
                             "model (add it, or a pack that has it)"))
        if ex.waterlogging is not None and not _has(hazard, "waterlogging"):
            problems.append((("zones", i, "exposure", "waterlogging"),
                             "the zone has waterlogging streets but the hazard has no "
                             "`waterlogging` model"))
        if ex.river is not None and isinstance(hazard, FloodHazard) and hazard.river is None:
            problems.append((("zones", i, "exposure", "river"),
                             "the zone has a floodplain but the flood has no `river` block"))
    return problems


def _has(hazard: Any, part: str) -> bool:
    if isinstance(hazard, EarthquakeHazard):
        return True  # earthquakes ignore water exposure
    if isinstance(hazard, TyphoonHazard) and (hazard.water is None or hazard.rain is None):
        return True  # the typhoon's rain does not flood anything in this scenario
    return getattr(hazard, part, None) is not None
