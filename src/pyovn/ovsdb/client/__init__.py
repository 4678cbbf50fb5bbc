"""pyovn's OVSDB client: connection, IDL replica, transactions.

Layout (each module's docstring says how it works):

* ``connection`` — JSON-RPC sessions over ``unix:``/``tcp:``/``ssl:`` remotes
  (:mod:`pyovn.ovsdb.stream`), reconnect with backoff,
  inactivity probes, request/response matching.
* ``leader`` — leader-only connections to clustered databases, through ``_Server``.
* ``rows`` — :class:`Row` snapshots and :class:`OldRow` (the old side of an update event).
* ``replica`` — the replicated tables: update/update2/update3 application, resets, indexes.
* ``idl`` — :class:`Idl`: schema, monitor (``monitor_cond_since`` → ``monitor_cond`` →
  ``monitor``), resync after reconnect, conditions, events, waiting.
* ``transaction`` — :class:`Transaction` builder, :class:`TxnResult`, ``run_transaction``.
* ``sync`` — :class:`SyncIdl`, a blocking facade owning a background event-loop thread.

Typical asyncio use::

    async with Idl("unix:/run/ovn/ovnnb_db.sock", "OVN_Northbound") as idl:
        by_name = idl.index("Logical_Switch", "name")
        async with idl.transaction() as txn:
            txn.insert("Logical_Switch", name="sw0")
        print(by_name.get("sw0").uuid)
"""

from pyovn.ovsdb.client.connection import (
    Connection,
    ConnectionClosed,
    Remote,
    RpcError,
    Session,
    parse_remotes,
)
from pyovn.ovsdb.client.idl import EventHandler, Idl
from pyovn.ovsdb.client.replica import Index, MemberIndex, Replica, RowEvent, TableReplica
from pyovn.ovsdb.client.rows import OldRow, Row
from pyovn.ovsdb.client.sync import SyncIdl, SyncTransaction
from pyovn.ovsdb.client.transaction import (
    Increment,
    NewRow,
    RowRef,
    Transaction,
    TransactionError,
    TransactionOwnershipError,
    TryAgain,
    TxnResult,
    TxnStatus,
    run_transaction,
)

__all__ = [
    "Connection",
    "ConnectionClosed",
    "EventHandler",
    "Idl",
    "Increment",
    "Index",
    "MemberIndex",
    "NewRow",
    "OldRow",
    "Remote",
    "Replica",
    "Row",
    "RowEvent",
    "RowRef",
    "RpcError",
    "Session",
    "SyncIdl",
    "SyncTransaction",
    "TableReplica",
    "Transaction",
    "TransactionError",
    "TransactionOwnershipError",
    "TryAgain",
    "TxnResult",
    "TxnStatus",
    "parse_remotes",
    "run_transaction",
]
