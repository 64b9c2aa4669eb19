"""Uncertain inputs: fixed values and probability distributions.

Any numeric input of a scenario may be a plain number or one of the distributions below,
written as a mapping with a ``dist`` key::

    lead_time_h: {dist: lognormal, median: 8, sigma: 0.4, source: "001_fuzhou_plan.txt#L200"}

Each distribution is a frozen pydantic model that checks its own parameters (an impossible
distribution is a validation error, not a runtime surprise), knows its support, and draws from a
``numpy.random.Generator``. Sampling is done in :mod:`sim.scenario.sampling`; nothing here touches
global random state.
"""

from __future__ import annotations

import math
from functools import lru_cache
from typing import Annotated, Any, Literal

import numpy as np
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    Tag,
    model_validator,
)

from sim.scenario.limits import Limit

__all__ = [
    "Beta",
    "Choice",
    "Dist",
    "Fixed",
    "Lognormal",
    "Normal",
    "Poisson",
    "Triangular",
    "Uniform",
    "Uncertain",
    "UncertainCount",
    "UncertainFraction",
    "UncertainNonNeg",
    "UncertainPositive",
    "capped",
    "mean_of",
    "support_of",
]


class _DistBase(BaseModel):
    """Common configuration of every distribution model."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    source: str | None = Field(default=None, description="Provenance of the numbers.")

    def support(self) -> tuple[float, float]:
        """Return the closed interval that contains every possible draw."""
        raise NotImplementedError

    def sample(self, rng: np.random.Generator) -> float:
        """Draw one value with ``rng``."""
        raise NotImplementedError

    def mean(self) -> float:
        """Return the expected value (used for reports and deterministic previews)."""
        raise NotImplementedError


class Fixed(_DistBase):
    """A degenerate distribution: always ``value``.

    Written ``{dist: fixed, value: 3}`` or, to attach a source to a plain number,
    ``{value: 3, source: "..."}``.
    """

    dist: Literal["fixed"] = "fixed"
    value: float = Field(allow_inf_nan=False)

    def support(self) -> tuple[float, float]:  # noqa: D102
        return (self.value, self.value)

    def sample(self, rng: np.random.Generator) -> float:  # noqa: D102
        return self.value

    def mean(self) -> float:  # noqa: D102
        return self.value


class Uniform(_DistBase):
    """Uniform on ``[low, high]``."""

    dist: Literal["uniform"]
    low: float = Field(allow_inf_nan=False)
    high: float = Field(allow_inf_nan=False)

    @model_validator(mode="after")
    def _check(self) -> Uniform:
        if not self.low < self.high:
            raise ValueError(f"uniform needs low < high, got low={self.low}, high={self.high}")
        return self

    def support(self) -> tuple[float, float]:  # noqa: D102
        return (self.low, self.high)

    def sample(self, rng: np.random.Generator) -> float:  # noqa: D102
        return float(rng.uniform(self.low, self.high))

    def mean(self) -> float:  # noqa: D102
        return 0.5 * (self.low + self.high)


class Triangular(_DistBase):
    """Triangular on ``[low, high]`` with its peak at ``mode``."""

    dist: Literal["triangular"]
    low: float = Field(allow_inf_nan=False)
    mode: float = Field(allow_inf_nan=False)
    high: float = Field(allow_inf_nan=False)

    @model_validator(mode="after")
    def _check(self) -> Triangular:
        if not (self.low <= self.mode <= self.high and self.low < self.high):
            raise ValueError(
                "triangular needs low <= mode <= high and low < high, got "
                f"low={self.low}, mode={self.mode}, high={self.high}"
            )
        return self

    def support(self) -> tuple[float, float]:  # noqa: D102
        return (self.low, self.high)

    def sample(self, rng: np.random.Generator) -> float:  # noqa: D102
        return float(rng.triangular(self.low, self.mode, self.high))

    def mean(self) -> float:  # noqa: D102
        return (self.low + self.mode + self.high) / 3.0


class Normal(_DistBase):
    """Normal with ``mean`` and ``sd``, optionally truncated to ``[low, high]``.

    ``dist: truncnormal`` and ``dist: normal`` are the same model; truncation bounds are optional
    for both. Draws come from :func:`scipy.stats.truncnorm` when bounds are given.
    """

    dist: Literal["normal", "truncnormal"]
    mean_: float = Field(alias="mean", allow_inf_nan=False)
    sd: float = Field(gt=0, allow_inf_nan=False)
    low: float | None = Field(default=None, allow_inf_nan=False)
    high: float | None = Field(default=None, allow_inf_nan=False)

    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)

    @model_validator(mode="after")
    def _check(self) -> Normal:
        lo = -math.inf if self.low is None else self.low
        hi = math.inf if self.high is None else self.high
        if not lo < hi:
            raise ValueError(f"{self.dist} needs low < high, got low={self.low}, high={self.high}")
        # A truncation window far in the tail has (numerically) no mass: refuse it.
        from scipy.stats import norm

        mass = norm.cdf((hi - self.mean_) / self.sd) - norm.cdf((lo - self.mean_) / self.sd)
        if mass < 1e-9:
            raise ValueError(
                f"{self.dist} window [{self.low}, {self.high}] holds no probability mass "
                f"for mean={self.mean_}, sd={self.sd}"
            )
        return self

    def support(self) -> tuple[float, float]:  # noqa: D102
        lo = -math.inf if self.low is None else self.low
        hi = math.inf if self.high is None else self.high
        return (lo, hi)

    def _frozen(self) -> Any:
        lo, hi = self.support()
        return _truncnorm((lo - self.mean_) / self.sd, (hi - self.mean_) / self.sd,
                          self.mean_, self.sd)

    def sample(self, rng: np.random.Generator) -> float:  # noqa: D102
        if self.low is None and self.high is None:
            return float(rng.normal(self.mean_, self.sd))
        return float(self._frozen().rvs(random_state=rng))

    def mean(self) -> float:  # noqa: D102
        if self.low is None and self.high is None:
            return self.mean_
        return float(self._frozen().mean())


@lru_cache(maxsize=256)
def _truncnorm(a: float, b: float, loc: float, scale: float) -> Any:
    """A frozen scipy truncated normal (freezing costs more than a draw, so it is kept)."""
    from scipy.stats import truncnorm

    return truncnorm(a, b, loc=loc, scale=scale)


class Lognormal(_DistBase):
    """Lognormal given by its ``median`` and log-sd ``sigma``: ``ln X ~ N(ln median, sigma)``."""

    dist: Literal["lognormal"]
    median: float = Field(gt=0, allow_inf_nan=False)
    sigma: float = Field(gt=0, allow_inf_nan=False)

    def support(self) -> tuple[float, float]:  # noqa: D102
        return (0.0, math.inf)

    def sample(self, rng: np.random.Generator) -> float:  # noqa: D102
        return float(rng.lognormal(math.log(self.median), self.sigma))

    def mean(self) -> float:  # noqa: D102
        return self.median * math.exp(0.5 * self.sigma**2)


class Beta(_DistBase):
    """Beta(``a``, ``b``) scaled to ``[low, high]`` (default ``[0, 1]``)."""

    dist: Literal["beta"]
    a: float = Field(gt=0, allow_inf_nan=False)
    b: float = Field(gt=0, allow_inf_nan=False)
    low: float = Field(default=0.0, allow_inf_nan=False)
    high: float = Field(default=1.0, allow_inf_nan=False)

    @model_validator(mode="after")
    def _check(self) -> Beta:
        if not self.low < self.high:
            raise ValueError(f"beta needs low < high, got low={self.low}, high={self.high}")
        return self

    def support(self) -> tuple[float, float]:  # noqa: D102
        return (self.low, self.high)

    def sample(self, rng: np.random.Generator) -> float:  # noqa: D102
        return float(self.low + (self.high - self.low) * rng.beta(self.a, self.b))

    def mean(self) -> float:  # noqa: D102
        return self.low + (self.high - self.low) * self.a / (self.a + self.b)


class Poisson(_DistBase):
    """Poisson counts with mean ``lam``."""

    dist: Literal["poisson"]
    lam: float = Field(gt=0, allow_inf_nan=False)

    def support(self) -> tuple[float, float]:  # noqa: D102
        return (0.0, math.inf)

    def sample(self, rng: np.random.Generator) -> float:  # noqa: D102
        return float(rng.poisson(self.lam))

    def mean(self) -> float:  # noqa: D102
        return self.lam


class Choice(_DistBase):
    """One of ``values``, with optional ``weights`` (normalised; default equal)."""

    dist: Literal["choice"]
    values: list[Annotated[float, Field(allow_inf_nan=False)]] = Field(min_length=1)
    weights: list[Annotated[float, Field(ge=0, allow_inf_nan=False)]] | None = None

    @model_validator(mode="after")
    def _check(self) -> Choice:
        if self.weights is not None:
            if len(self.weights) != len(self.values):
                raise ValueError(
                    f"choice has {len(self.values)} values but {len(self.weights)} weights"
                )
            if sum(self.weights) <= 0:
                raise ValueError("choice weights must not all be zero")
        return self

    def _p(self) -> np.ndarray:
        if self.weights is None:
            return np.full(len(self.values), 1.0 / len(self.values))
        w = np.asarray(self.weights, dtype=float)
        p: np.ndarray = w / w.sum()
        return p

    def support(self) -> tuple[float, float]:  # noqa: D102
        return (min(self.values), max(self.values))

    def sample(self, rng: np.random.Generator) -> float:  # noqa: D102
        return float(self.values[int(rng.choice(len(self.values), p=self._p()))])

    def mean(self) -> float:  # noqa: D102
        return float(np.dot(self._p(), self.values))


def _dist_tag(v: Any) -> str | None:
    if isinstance(v, dict):
        if "dist" not in v and "value" in v:
            return "~fixed"  # {value: 3, source: ...}: a fixed number with its provenance
        d = v.get("dist")
    elif isinstance(v, _DistBase):
        d = v.dist  # type: ignore[attr-defined]
    else:
        return None
    if not isinstance(d, str):
        return None
    return "~normal" if d == "truncnormal" else f"~{d}"


Dist = Annotated[
    Annotated[Fixed, Tag("~fixed")]
    | Annotated[Uniform, Tag("~uniform")]
    | Annotated[Triangular, Tag("~triangular")]
    | Annotated[Normal, Tag("~normal")]
    | Annotated[Lognormal, Tag("~lognormal")]
    | Annotated[Beta, Tag("~beta")]
    | Annotated[Poisson, Tag("~poisson")]
    | Annotated[Choice, Tag("~choice")],
    Discriminator(
        _dist_tag,
        custom_error_type="unknown_distribution",
        custom_error_message=(
            "expected a number or {dist: fixed|uniform|triangular|normal|truncnormal|"
            "lognormal|beta|poisson|choice, ...}"
        ),
    ),
]
"""Any of the distributions, chosen by the ``dist`` key."""

DIST_TYPES: tuple[type[_DistBase], ...] = (
    Fixed, Uniform, Triangular, Normal, Lognormal, Beta, Poisson, Choice
)


def support_of(q: float | _DistBase) -> tuple[float, float]:
    """Return the support of a quantity (a number's support is the number itself)."""
    if isinstance(q, _DistBase):
        return q.support()
    return (float(q), float(q))


def mean_of(q: Any) -> float:
    """Return the expected value of a quantity (a number's is the number itself)."""
    if isinstance(q, _DistBase):
        return float(q.mean())
    return float(q)


def _bounded(lo: float | None, hi: float | None, *, lo_open: bool = False,
             integer: bool = False, what: str) -> AfterValidator:
    """Validator: every possible value of the quantity lies in ``[lo, hi]``."""

    def check(q: Any) -> Any:
        a, b = support_of(q)
        bad_lo = lo is not None and (a <= lo if lo_open else a < lo)
        bad_hi = hi is not None and b > hi
        if bad_lo or bad_hi:
            if isinstance(q, _DistBase):
                raise ValueError(f"expected {what}, but the distribution ranges over [{a}, {b}]")
            raise ValueError(f"expected {what}, got {q}")
        if integer and not isinstance(q, _DistBase) and float(q) != int(q):
            raise ValueError(f"expected a whole number, got {q}")
        return q

    return AfterValidator(check)


def capped(limit: Limit) -> AfterValidator:
    """Validator: no possible value of the quantity (a number or a distribution) exceeds ``limit``.

    The error names the limit and its reason (:meth:`sim.scenario.limits.Limit.words`).
    """

    def check(q: Any) -> Any:
        hi = support_of(q)[1]
        if hi > limit.value:
            if isinstance(q, _DistBase):
                got = f"the distribution reaches {hi:g}"
            elif isinstance(q, int):
                got = f"got {q:,}"
            else:
                got = f"got {q:g}"
            raise ValueError(f"{limit.words()}; {got}")
        return q

    return AfterValidator(check)


Number = Annotated[float, Field(strict=True, allow_inf_nan=False)]
"""A finite number written as a YAML number (``"12"`` or ``true`` are refused)."""


def _quantity_tag(v: Any) -> str:
    return "~dist" if isinstance(v, dict | _DistBase) else "~number"


Uncertain = Annotated[
    Annotated[Number, Tag("~number")] | Annotated[Dist, Tag("~dist")],
    Discriminator(_quantity_tag),
]
"""Any real quantity: a number, or a distribution mapping with a ``dist`` key."""

UncertainNonNeg = Annotated[Uncertain, _bounded(0.0, None, what="a value >= 0")]
"""A quantity whose every possible value is >= 0."""

UncertainPositive = Annotated[Uncertain, _bounded(0.0, None, lo_open=True, what="a value > 0")]
"""A quantity whose every possible value is > 0."""

UncertainFraction = Annotated[Uncertain, _bounded(0.0, 1.0, what="a fraction in [0, 1]")]
"""A share or probability: every possible value lies in [0, 1]."""

class IntegerDraws:
    """Marker in a field's metadata: sampled values are rounded to whole numbers."""

    def __repr__(self) -> str:
        return "IntegerDraws()"


INTEGER = IntegerDraws()

UncertainCount = Annotated[
    Uncertain, _bounded(0.0, None, integer=True, what="a whole number >= 0"), INTEGER
]
"""A count: a whole number >= 0, or a distribution over values >= 0 (draws are rounded)."""


def as_float(q: float | _DistBase) -> float:
    """Return the value of a quantity that has already been sampled.

    Raises
    ------
    TypeError
        If ``q`` is still a distribution (the scenario was not sampled).
    """
    if isinstance(q, Fixed):
        return q.value
    if isinstance(q, _DistBase):
        raise TypeError(f"quantity {q!r} has not been sampled")
    return float(q)
