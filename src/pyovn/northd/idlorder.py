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

Where two rows share a bucket of the first map, the text's order decides: it is the server's
(its own map's, hence its history), so it is taken as it came, from the order of the rows given
(the replica's, which keeps the reply's order); only rows that did not come in that reply
(built by hand, inserted later) make the result an estimate.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pyovn.util.ovshash import hash_string, hmap_iteration

__all__ = ["datapaths_order", "enabled_router", "hmap_iteration", "idl_order", "uuid_hash"]

def uuid_hash(uuid: str) -> int:
    """OVS ``uuid_hash``: the uuid's first 32 bits."""
    return int(uuid[:8], 16)


def idl_order(rows: Sequence[Any]) -> list[Any]:
    """``rows`` (anything with ``.uuid``), given in the order the monitor reply listed them (a
    pyovn IDL replica keeps it), in the order a freshly connected OVS IDL walks them."""
    by_uuid = {r.uuid: r for r in rows}
    received = hmap_iteration((hash_string(u), u) for u in by_uuid)
    return [by_uuid[u] for u in hmap_iteration((uuid_hash(u), u) for u in received)]


def enabled_router(row: Any) -> bool:
    """A Logical_Router row that has a datapath (a disabled router has none)."""
    return bool(getattr(row, "enabled", []) != [False])


def datapaths_order(switches: Sequence[Any], routers: Sequence[Any]) -> list[Any]:
    """Switches and routers as ovn-northd walks its map of datapaths (IPAM, tags): keyed by
    uuid hash, filled with the switches then the enabled routers in IDL order.  ``routers``
    are all the rows of the table: the disabled ones, though they get no datapath, are in the
    IDL's map and shape its order."""
    rows = idl_order(switches) + [r for r in idl_order(routers) if enabled_router(r)]
    return hmap_iteration((uuid_hash(r.uuid), r) for r in rows)
