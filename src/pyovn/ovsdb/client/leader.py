"""Leader-only connections: is this server the leader of a clustered database?

How it works: on a new session, :func:`check_leader` monitors the ``_Server`` database's
``Database`` row for our database (monitor_cond, with ``where name == db``) and reads ``model``,
``connected`` and ``leader``. A clustered database that is not connected to its cluster, or whose
server is not the leader, raises :class:`~pyovn.ovsdb.client.connection.TryAnotherRemote` so the
connection moves on to the next remote. A server without ``_Server`` (very old, or minimal) is
taken as it is. The monitor stays in place: when a later ``update2`` says this server lost the
leadership or the cluster, :meth:`ServerWatch.handle` returns False and the caller drops the
session (a follower would forward our writes, but a partitioned one serves stale data).
"""

from __future__ import annotations

from typing import Any

from pyovn.ovsdb.client.connection import RpcError, Session, TryAnotherRemote

__all__ = ["SERVER_MONITOR_ID", "ServerWatch", "check_leader"]

SERVER_MONITOR_ID = "pyovn-_Server"
_COLUMNS = ["name", "model", "connected", "leader", "index"]


class ServerWatch:
    """The last known ``_Server.Database`` row of our database, updated from notifications."""

    def __init__(self, database: str, leader_only: bool):
        self.database = database
        self.leader_only = leader_only
        self.row: dict[str, Any] = {}
        self.uuid: str | None = None

    def acceptable(self) -> tuple[bool, str]:
        row = self.row
        if not row:
            return False, f"server does not host database {self.database}"
        model = row.get("model", "standalone")
        if model == "clustered":
            if not row.get("connected", False):
                return False, f"{self.database} is not connected to its cluster"
            if self.leader_only and not row.get("leader", False):
                return False, f"not the leader of {self.database}"
        elif model == "relay" and self.leader_only:
            return False, f"{self.database} is a relay"
        return True, ""

    def apply(self, updates: dict[str, Any]) -> None:
        for uuid, ru in (updates.get("Database") or {}).items():
            if "delete" in ru:
                if uuid == self.uuid:
                    self.row, self.uuid = {}, None
                continue
            data = ru.get("initial") or ru.get("insert") or ru.get("modify") or {}
            if "initial" in ru or "insert" in ru:
                self.row = {"connected": False, "leader": False, "model": "standalone"}
            self.uuid = uuid
            for k, v in data.items():
                self.row[k] = v

    def handle(self, params: Any) -> bool:
        """An update2 for the _Server monitor; returns whether the session may stay up."""
        if isinstance(params, list) and len(params) >= 2 and isinstance(params[1], dict):
            self.apply(params[1])
        return self.acceptable()[0]


async def check_leader(session: Session, watch: ServerWatch, timeout: float = 10.0) -> bool:
    """Monitor _Server for ``watch.database``; raise TryAnotherRemote if the server won't do.

    Returns False when the server has no _Server database (nothing is watched then).
    """
    try:
        await session.request(
            "monitor_cond",
            [
                "_Server",
                SERVER_MONITOR_ID,
                {"Database": [{"columns": _COLUMNS, "where": [["name", "==", watch.database]]}]},
            ],
            timeout=timeout,
            on_reply=lambda result: watch.apply(result or {}),
        )
    except RpcError as e:
        if e.kind in ("unknown database", "unknown method"):
            return False
        raise
    ok, why = watch.acceptable()
    if not ok:
        raise TryAnotherRemote(why)
    return True
