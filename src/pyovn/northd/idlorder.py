"""The order in which ovn-northd's IDL yields the rows of a table right after it connected.

ovn-northd allocates datapath tunnel keys (and IPAM addresses) in the order it walks the NB
tables, and that order is the iteration order of the IDL's hash map of rows (keyed by the
uuid's first 32 bits).  The rows went into that map in the order the initial monitor reply's
JSON object yielded them, itself an OVS ``shash`` (keyed by the string hash of the uuid).  Both
maps are OVS ``hmap`` s (:func:`pyovn.util.ovshash.hmap_iteration`): a new node goes to the head of
its bucket's chain, the bucket array grows when ``n / 2 > mask``, chains are re-inserted node by
node in bucket order, and iteration walks the buckets in index order.

:func:`datapaths_order` is the next step: northd's own map of datapaths (switches and routers,
inserted in that order), which IPAM walks.

Exact except when two rows collide in both maps, where OVN's order depends on the server's
history (a case of a few percent for small tables): uuid order stands in for it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pyovn.util.ovshash import hash_string, hmap_iteration

__all__ = ["datapaths_order", "hmap_iteration", "idl_order", "uuid_hash"]

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
