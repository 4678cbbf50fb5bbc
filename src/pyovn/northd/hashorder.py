"""The iteration order of Open vSwitch's hash containers, for strings northd builds from them.

Some of ovn-northd's flows list the members of an ``sset`` (a hash set of strings) in the
set's iteration order, e.g. the MACs of a router port and its NAT rules in
``eth.src == {...}``.  To write the same bytes, :func:`sset_order` reproduces that order: OVS's
32-bit string hash (the portable, murmur3-style ``hash_bytes`` with basis 0, as on builds
without SSE4.2) and its ``hmap`` layout (a bucket array of ``mask + 1`` chains, new nodes at the
head of their chain, the array grown when ``n / 2 > mask`` and each chain re-inserted node by node
on growth).  Iteration walks the buckets in index order, each chain head first.
"""

from __future__ import annotations

from collections.abc import Iterable

__all__ = ["hash_bytes", "hash_string", "sset_order"]

_M32 = 0xFFFFFFFF


def _rotl(x: int, k: int) -> int:
    return ((x << k) | (x >> (32 - k))) & _M32


def _mix(h: int, word: int) -> int:
    if word:
        word = (word * 0xCC9E2D51) & _M32
        word = _rotl(word, 15)
        word = (word * 0x1B873593) & _M32
        h ^= word
    h = _rotl(h, 13)
    return (h * 5 + 0xE6546B64) & _M32


def _final(h: int) -> int:
    h ^= h >> 16
    h = (h * 0x85EBCA6B) & _M32
    h ^= h >> 13
    h = (h * 0xC2B2AE35) & _M32
    h ^= h >> 16
    return h


def hash_bytes(data: bytes, basis: int = 0) -> int:
    """OVS's ``hash_bytes``: 4-byte little-endian words, a zero-padded tail, then the length."""
    h = basis & _M32
    n = len(data)
    full = n - n % 4
    for i in range(0, full, 4):
        h = _mix(h, int.from_bytes(data[i : i + 4], "little"))
    if n % 4:
        h = _mix(h, int.from_bytes(data[full:] + bytes(4 - n % 4), "little"))
    return _final(h ^ n)


def hash_string(s: str, basis: int = 0) -> int:
    return hash_bytes(s.encode(), basis)


def _calc_mask(capacity: int) -> int:
    mask = capacity // 2
    for shift in (1, 2, 4, 8, 16, 32):
        mask |= mask >> shift
    mask |= (mask & 1) << 1  # at least four buckets once there is more than one
    return mask


def sset_order(items: Iterable[str]) -> list[str]:
    """The distinct ``items``, added to an OVS ``sset`` in this order, in its iteration order."""
    mask = 0
    buckets: list[list[tuple[int, str]]] = [[]]
    seen: set[str] = set()
    n = 0
    for s in items:
        if s in seen:
            continue
        seen.add(s)
        h = hash_string(s)
        buckets[h & mask].insert(0, (h, s))
        n += 1
        if n // 2 > mask:
            new_mask = _calc_mask(n)
            if new_mask > mask:
                grown: list[list[tuple[int, str]]] = [[] for _ in range(new_mask + 1)]
                for chain in buckets:
                    for node in chain:
                        grown[node[0] & new_mask].insert(0, node)
                buckets, mask = grown, new_mask
    return [s for chain in buckets for _, s in chain]
