"""Quantities per item (a scenario has a few items) as lists of Python floats.

Stock, orders, loads and deliveries change at almost every logistics event. On three items a
numpy operation costs about a microsecond of call overhead, and a list comprehension over
``zip`` with a generator inside costs as much; the plain loops here cost a fifth of that. Each
gives exactly the numbers numpy gives for the same operation on arrays: element-wise
arithmetic is the same IEEE arithmetic, ``maximum(x, 0.0)`` keeps ``-0.0`` as numpy does, and
numpy adds fewer than 8 items in order, as :func:`total` does.
"""

from __future__ import annotations

from collections.abc import Iterable

__all__ = ["above", "minus_floor", "plus", "total", "weight"]


def total(values: Iterable[float]) -> float:
    """The sum of quantities, added in order.

    For fewer than 8 items (every scenario's item list) it is the number numpy's ``sum`` of an
    array gives. Python's ``sum`` is not used: from Python 3.12 it compensates the rounding of
    floats, so the model's numbers would depend on the version.
    """
    out = 0.0
    for v in values:
        out += v
    return out


def weight(amounts: list[float], kg: list[float]) -> float:
    """``(amounts * kg).sum()``: the mass of a load, kg."""
    out = 0.0
    for a, k in zip(amounts, kg, strict=True):
        out += a * k
    return out


def plus(a: list[float], b: list[float]) -> list[float]:
    """``a + b`` element by element."""
    out = []
    for x, y in zip(a, b, strict=True):
        out.append(x + y)
    return out


def minus_floor(a: list[float], b: list[float], k: float = 1) -> list[float]:
    """``maximum(a - b * k, 0.0)`` element by element, as numpy gives it (-0.0 kept)."""
    out = []
    for x, y in zip(a, b, strict=True):
        d = x - y * k
        out.append(d if d >= 0.0 else 0.0)
    return out


def above(values: list[float], eps: float) -> tuple[list[float], bool]:
    """``values`` with those below ``eps`` set to 0.0, and whether any is left."""
    out = []
    left = False
    for v in values:
        if v >= eps:
            out.append(v)
            left = True
        else:
            out.append(0.0)
    return out, left
