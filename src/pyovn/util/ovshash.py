"""Open vSwitch's string hash and the iteration order of its string hash maps.

Several real tools print the entries of an ``shash``/``smap`` in the order OVS iterates them,
not sorted (``ovsdb-tool show-log``, ``ovn-nbctl lsp-get-options``). That order follows from
three things reproduced here: ``hash_string()`` (lib/hash.c's portable murmur-style 32-bit hash),
power-of-two bucket counts that grow once the entry count exceeds twice the mask, and insertion
at the head of a bucket (also when the buckets are rebuilt).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TypeVar

__all__ = ["hash_string", "hmap_iteration", "shash_order", "sset_order"]

T = TypeVar("T")

_M32 = 0xFFFFFFFF


def _rot(x: int, k: int) -> int:
    return ((x << k) | (x >> (32 - k))) & _M32


def _mhash_add(h: int, data: int) -> int:
    if data:
        data = (data * 0xCC9E2D51) & _M32
        data = _rot(data, 15)
        data = (data * 0x1B873593) & _M32
        h ^= data
    h = _rot(h, 13)
    return (h * 5 + 0xE6546B64) & _M32


def hash_string(s: str, basis: int = 0) -> int:
    """OVS's hash_string(s, basis) (the portable, non-CRC32 build Debian ships)."""
    b = s.encode()
    n = len(b)
    h = basis
    full = n - n % 4
    for i in range(0, full, 4):
        h = _mhash_add(h, int.from_bytes(b[i:i + 4], "little"))
    if n % 4:
        h = _mhash_add(h, int.from_bytes(b[full:], "little"))
    h ^= n
    h ^= h >> 16
    h = (h * 0x85EBCA6B) & _M32
    h ^= h >> 13
    h = (h * 0xC2B2AE35) & _M32
    h ^= h >> 16
    return h


def _calc_mask(n: int) -> int:
    mask = n // 2
    for shift in (1, 2, 4, 8, 16, 32):
        mask |= mask >> shift
    return mask | ((mask & 1) << 1)


def hmap_iteration(items: Iterable[tuple[int, T]]) -> list[T]:
    """Values inserted as (hash, value) one by one into an OVS ``hmap``, in its iteration order:
    a new node goes to the head of its bucket's chain; the bucket array grows when the count
    passes twice the mask, re-inserting chain by chain; iteration walks the buckets in order."""
    mask = 0
    buckets: list[list[tuple[int, T]]] = [[]]
    for n, node in enumerate(items, 1):
        buckets[node[0] & mask].insert(0, node)
        if n // 2 > mask:
            new_mask = _calc_mask(n)
            if new_mask > mask:
                grown: list[list[tuple[int, T]]] = [[] for _ in range(new_mask + 1)]
                for chain in buckets:
                    for old in chain:
                        grown[old[0] & new_mask].insert(0, old)
                buckets, mask = grown, new_mask
    return [v for chain in buckets for _, v in chain]


def shash_order(keys: Iterable[str]) -> list[str]:
    """The order in which OVS iterates a string hash map filled with ``keys`` in this order."""
    return hmap_iteration((hash_string(k), k) for k in keys)


def sset_order(items: Iterable[str]) -> list[str]:
    """The distinct ``items``, added to an OVS ``sset`` in this order, in its iteration order
    (northd lists e.g. a router port's MACs in ``eth.src == {...}`` that way)."""
    return shash_order(dict.fromkeys(items))
