"""The order in which ovn-northd's IDL yields the rows of a table right after it connected.

ovn-northd allocates datapath tunnel keys (and IPAM addresses) in the order it walks the NB
tables, and that order is the iteration order of the IDL's hash map of rows (keyed by the
uuid's first 32 bits).  The rows went into that map in the order the initial monitor reply's
JSON object yielded them, itself an OVS ``shash`` (keyed by the string hash of the uuid).  Both
maps are OVS ``hmap`` s, emulated here (:func:`hmap_iteration`): a new node goes to the head of
its bucket's chain, the bucket array grows when ``n / 2 > mask``, chains are re-inserted node by
node in bucket order, and iteration walks the buckets in index order.

:func:`datapaths_order` is the next step: northd's own map of datapaths (switches and routers,
inserted in that order), which IPAM walks.

Exact except when two rows collide in both maps, where OVN's order depends on the server's
history (a case of a few percent for small tables): uuid order stands in for it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, TypeVar

from pyovn.northd.hashorder import hash_string

__all__ = ["datapaths_order", "hmap_iteration", "idl_order", "uuid_hash"]

T = TypeVar("T")


def _calc_mask(capacity: int) -> int:
    mask = capacity // 2
    for shift in (1, 2, 4, 8, 16, 32):
        mask |= mask >> shift
    return mask | (mask & 1) << 1


def hmap_iteration(items: Iterable[tuple[int, T]]) -> list[T]:
    """Values inserted (hash, value) one by one into an OVS hmap, in its iteration order."""
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


def uuid_hash(uuid: str) -> int:
    """OVS ``uuid_hash``: the uuid's first 32 bits."""
    return int(uuid[:8], 16)


def idl_order(rows: Sequence[Any]) -> list[Any]:
    """``rows`` (anything with ``.uuid``) in the order a freshly connected OVS IDL walks them."""
    by_uuid = {r.uuid: r for r in rows}
    received = hmap_iteration((hash_string(u), u) for u in sorted(by_uuid))
    return [by_uuid[u] for u in hmap_iteration((uuid_hash(u), u) for u in received)]


def datapaths_order(switches: Sequence[Any], routers: Sequence[Any]) -> list[Any]:
    """Switches and routers as ovn-northd walks its map of datapaths (IPAM, tags): keyed by
    uuid hash, filled with the switches then the routers in IDL order."""
    rows = idl_order(switches) + idl_order(routers)
    return hmap_iteration((uuid_hash(r.uuid), r) for r in rows)
