"""Numbers and lists in English prose, shared by the analyses' sentences and the reports."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

__all__ = ["fmt_num", "joined"]


def joined(conds: Sequence[str]) -> str:
    """Join phrases as ``a, b and c``."""
    return conds[0] if len(conds) == 1 else ", ".join(conds[:-1]) + " and " + conds[-1]


def fmt_num(x: Any, digits: int = 3) -> str:
    """A number for the report: thousands separated, whole numbers plain, else 3 digits."""
    if x is None:
        return "n/a"
    x = float(x)
    if math.isnan(x):
        return "n/a"
    if math.isinf(x):
        return "never"
    if abs(x) >= 1000:
        return f"{x:,.0f}"
    if float(x).is_integer():
        return f"{int(x)}"
    return f"{x:.{digits}g}"
