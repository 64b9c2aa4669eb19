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
from collections.abc import Iterator, Sequence
from functools import lru_cache
from typing import cast

import numpy as np

__all__ = ["Streams", "as_seed_sequence", "child_pcg64_states", "name_key"]

_M32 = 0xFFFFFFFF
_M128 = (1 << 128) - 1
# numpy's SeedSequence hash constants (numpy/random/bit_generator.pyx, after O'Neill's seed_seq)
_INIT_A, _MULT_A = 0x43B0D7E5, 0x931E8875
_INIT_B, _MULT_B = 0x8B51F9DD, 0x58F38DED
_MIX_L, _MIX_R, _XSHIFT = 0xCA01F9DD, 0x4973F715, 16
_PCG_MULT = (2549297995355413924 << 64) + 4865540595714422341
"""PCG64's 128-bit LCG multiplier."""


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


def _words(x: object) -> list[int]:
    """An entropy value as SeedSequence reads it: 32-bit words, least significant first."""
    if isinstance(x, int | np.integer):
        n = int(x)
        out = [n & _M32]
        while n > _M32:
            n >>= 32
            out.append(n & _M32)
        return out
    if isinstance(x, Sequence | np.ndarray) and not isinstance(x, str | bytes):
        return [w for v in x for w in _words(v)]
    raise TypeError(f"no fast path for entropy {x!r}")


def child_pcg64_states(root: np.random.SeedSequence,
                       keys: Sequence[int]) -> list[tuple[int, int]]:
    """``(state, inc)`` of ``PCG64(SeedSequence(root, spawn_key + (key,)))`` for every key.

    Equal to seeding each generator through numpy, but the children share the root's entropy,
    so the root is mixed once and the keys' words together as arrays: about a tenth of the
    cost. Keys below 2**32 (one word, a chance of 2**-32 for a name's hash) and roots whose
    entropy is not made of integers go through numpy.

    Parameters
    ----------
    root : numpy.random.SeedSequence
        The parent sequence.
    keys : sequence of int
        The children's last spawn-key elements.

    Returns
    -------
    list of (int, int)
        PCG64's 128-bit ``state`` and ``inc`` of each child, in the order of ``keys``.
    """
    try:
        words = _words(root.entropy)
    except TypeError:
        return [_pcg64_state(root, k) for k in keys]
    pool = root.pool_size
    words = [*words, *[0] * (pool - len(words)), *_words(root.spawn_key)]
    wide = [i for i, k in enumerate(keys) if k > _M32]
    hash_const = _INIT_A

    def hashmix(value: int) -> int:
        nonlocal hash_const
        value ^= hash_const
        hash_const = hash_const * _MULT_A & _M32
        value = value * hash_const & _M32
        return value ^ (value >> _XSHIFT)

    # SeedSequence.mix_entropy on the root's words, then on each key's two words (as arrays)
    mixer = [hashmix(w) for w in words[:pool]]
    for src in range(pool):
        for dst in range(pool):
            if src != dst:
                r = (_MIX_L * mixer[dst] - _MIX_R * hashmix(mixer[src])) & _M32
                mixer[dst] = r ^ (r >> _XSHIFT)
    for w in words[pool:]:
        for dst in range(pool):
            r = (_MIX_L * mixer[dst] - _MIX_R * hashmix(w)) & _M32
            mixer[dst] = r ^ (r >> _XSHIFT)
    u32 = np.uint32
    k64 = np.array([keys[i] for i in wide], dtype=np.uint64)
    pools: list[np.ndarray] = [np.full(len(wide), m, dtype=u32) for m in mixer]
    for kw in ((k64 & np.uint64(_M32)).astype(u32), (k64 >> np.uint64(32)).astype(u32)):
        for dst in range(pool):
            hv = kw ^ u32(hash_const)
            hash_const = hash_const * _MULT_A & _M32
            hv = hv * u32(hash_const)
            hv ^= hv >> u32(_XSHIFT)
            rv = u32(_MIX_L) * pools[dst] - u32(_MIX_R) * hv
            pools[dst] = rv ^ (rv >> u32(_XSHIFT))
    # SeedSequence.generate_state(4, np.uint64): eight 32-bit words from the pool, cycled
    hash_const = _INIT_B
    state32: list[np.ndarray] = []
    for i in range(8):
        hv = pools[i % pool] ^ u32(hash_const)
        hash_const = hash_const * _MULT_B & _M32
        hv = hv * u32(hash_const)
        state32.append((hv ^ (hv >> u32(_XSHIFT))).astype(np.uint64))
    s0, s1, q0, q1 = (
        cast(list[int], (state32[2 * j] | (state32[2 * j + 1] << np.uint64(32))).tolist())
        for j in range(4))
    # PCG64's seeding (pcg_setseq_128_srandom_r): inc = 2 seq + 1, two steps around += seed
    fast: dict[int, tuple[int, int]] = {}
    for j, i in enumerate(wide):
        inc = (((q0[j] << 64) | q1[j]) << 1 | 1) & _M128
        fast[i] = (((inc + ((s0[j] << 64) | s1[j])) * _PCG_MULT + inc) & _M128, inc)
    return [fast[i] if i in fast else _pcg64_state(root, k) for i, k in enumerate(keys)]


def _pcg64_state(root: np.random.SeedSequence, key: int) -> tuple[int, int]:
    """``(state, inc)`` of one child's PCG64, seeded by numpy."""
    ss = np.random.SeedSequence(root.entropy, spawn_key=(*root.spawn_key, key),
                                pool_size=root.pool_size)
    st = np.random.PCG64(ss).state["state"]
    return st["state"], st["inc"]


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

    def fresh_each(self, names: Sequence[str]) -> Iterator[np.random.Generator]:
        """Yield, name by name, a generator in the state :meth:`fresh` would give it.

        One generator is re-seeded for every name (see :func:`child_pcg64_states`): draw from
        it before asking for the next one, and do not keep it.
        """
        g = np.random.Generator(np.random.PCG64(0))
        bits = g.bit_generator
        for state, inc in child_pcg64_states(self.root, [name_key(n) for n in names]):
            bits.state = {"bit_generator": "PCG64", "state": {"state": state, "inc": inc},
                          "has_uint32": 0, "uinteger": 0}
            yield g
