"""Published hazard scales used to label intensities (not model coefficients).

- China's tropical-cyclone grades, GB/T 19201-2006 《热带气旋等级》: the 2-min mean maximum wind
  near the centre (parameters.md §12).
- Knots to metres per second (1 kt = 1852 m / 3600 s, exact by definition of the nautical mile).
"""

from __future__ import annotations

__all__ = ["GBT19201_GRADES", "MS_PER_KT", "SOURCES", "typhoon_grade"]

MS_PER_KT = 1852.0 / 3600.0
"""Metres per second in one knot (international nautical mile, exact)."""

GBT19201_GRADES: tuple[tuple[str, str, float], ...] = (
    ("TD", "热带低压", 10.8),
    ("TS", "热带风暴", 17.2),
    ("STS", "强热带风暴", 24.5),
    ("TY", "台风", 32.7),
    ("STY", "强台风", 41.5),
    ("SuperTY", "超强台风", 51.0),
)
"""(code, Chinese name, lower bound of the 2-min mean wind in m/s), weakest first."""

SOURCES = {
    "GBT19201_GRADES": "GB/T 19201-2006 热带气旋等级 (CMA notice 气发〔2006〕154号), "
                       "parameters.md §12",
    "MS_PER_KT": "definition: 1 international nautical mile = 1852 m",
}


def typhoon_grade(wind_2min_ms: float) -> str:
    """GB/T 19201-2006 grade code of a 2-min mean wind (``"-"`` below a tropical depression)."""
    grade = "-"
    for code, _zh, low in GBT19201_GRADES:
        if wind_2min_ms >= low:
            grade = code
    return grade
