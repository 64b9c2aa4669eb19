"""Named random streams of one run, spawned from one ``SeedSequence``.

A run owns a root :class:`numpy.random.SeedSequence`. Each component (``hazard``, ``behaviour``,
``travel``, ``logistics``, and one stream per uncertain scenario input) gets its own child
sequence whose spawn key is derived from the component's *name*, not from the order in which
components ask. Adding a component or an uncertain input therefore never reshuffles the draws of
the others, and two policy variants run on the same seed see the same disaster (common random
numbers).
"""

from __future__ import annotations

import hashlib
from functools import lru_cache

import numpy as np

__all__ = ["Streams", "as_seed_sequence", "name_key"]


@lru_cache(maxsize=65536)
def name_key(name: str) -> int:
    """Stable 64-bit key of a stream name (independent of Python's hash seed).

    Cached: the names are the scenario's input paths and components, the same in every run.
    """
    return int.from_bytes(hashlib.blake2b(name.encode("utf-8"), digest_size=8).digest(), "little")


def as_seed_sequence(seed: int | np.random.SeedSequence) -> np.random.SeedSequence:
    """Accept a non-negative integer seed or a ``SeedSequence``."""
    if isinstance(seed, np.random.SeedSequence):
        return seed
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0:
        raise ValueError(f"seed must be a non-negative integer or a SeedSequence, got {seed!r}")
    return np.random.SeedSequence(int(seed))


class Streams:
    """Factory of named, independent generators below one root sequence.

    Parameters
    ----------
    seed : int or numpy.random.SeedSequence
        The run's seed. A study passes the run's child of its root sequence.
    """

    def __init__(self, seed: int | np.random.SeedSequence) -> None:
        self.root = as_seed_sequence(seed)
        self._cache: dict[str, np.random.Generator] = {}

    def seed_sequence(self, name: str) -> np.random.SeedSequence:
        """Return the child sequence of the named component."""
        r = self.root
        return np.random.SeedSequence(
            entropy=r.entropy, spawn_key=(*r.spawn_key, name_key(name)), pool_size=r.pool_size
        )

    def generator(self, name: str) -> np.random.Generator:
        """Return the named component's generator (the same object on every call)."""
        g = self._cache.get(name)
        if g is None:
            g = self._cache[name] = np.random.Generator(np.random.PCG64(self.seed_sequence(name)))
        return g

    def branch(self, tag: str) -> None:
        """Move every stream made so far onto a new branch named ``tag``, in place.

        The generators keep their identity (components hold them), only their state changes:
        stream ``name`` continues from ``SeedSequence(root, spawn_key + (key(name), key(tag)))``.
        The same tag at the same moment always gives the same future; another tag, another one.
        """
        r = self.root
        for name, g in self._cache.items():
            ss = np.random.SeedSequence(
                entropy=r.entropy, spawn_key=(*r.spawn_key, name_key(name), name_key(tag)),
                pool_size=r.pool_size)
            g.bit_generator.state = np.random.PCG64(ss).state

    def fresh(self, name: str) -> np.random.Generator:
        """Return a new generator for ``name`` that is not cached (for one-off draws)."""
        return np.random.Generator(np.random.PCG64(self.seed_sequence(name)))
