"""In-process OVSDB server and client pairs for tests: no subprocess, one event loop.

``InProcessServer`` runs pyovn's ``OvsdbServer`` in the caller's event loop on a unix socket in a
temporary directory, with in-memory databases (no file, no fsync) made from schema names or
schema JSON; ``idl(db)`` opens an ``Idl`` on it. Start-up costs milliseconds, so a test (northd's,
the controller's, a user's) can have fresh databases each time::

    async with InProcessServer("OVN_Northbound", "OVN_Southbound") as srv:
        nb = await srv.idl("OVN_Northbound")
        async with nb.transaction() as txn:
            txn.insert("Logical_Switch", name="sw0")
        await nb.wait_until(lambda: nb.index("Logical_Switch", "name").get("sw0") is not None)

``FakeClock`` is a clock to pass to logic that takes time as a parameter (STYLE: time is passed
in, never read inside logic).
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Any

import orjson

from pyovn import schemas
from pyovn.ovsdb.client import Idl
from pyovn.ovsdb.database import Database
from pyovn.ovsdb.schema import DatabaseSchema
from pyovn.ovsdb.server import OvsdbServer


def _schema(spec: str | dict[str, Any]) -> DatabaseSchema:
    if isinstance(spec, dict):
        return DatabaseSchema.from_json(spec)
    if spec in schemas.FILES:
        return DatabaseSchema.from_json(orjson.loads(schemas.path(spec).read_bytes()))
    return DatabaseSchema.from_json(orjson.loads(Path(spec).read_bytes()))


class InProcessServer:
    """pyovn's OVSDB server in this event loop, serving in-memory databases."""

    def __init__(self, *schema_specs: str | dict[str, Any], txn_history: int = 100):
        self.server = OvsdbServer(fsync=False, txn_history=txn_history)
        self._specs = schema_specs
        self._dir: str | None = None
        self.remote = ""
        self._idls: list[Idl] = []

    async def start(self) -> InProcessServer:
        self._dir = tempfile.mkdtemp(prefix="pyovn-mem-")
        for spec in self._specs:
            self.server.add_database(Database(_schema(spec)))
        sock = f"{self._dir}/db.sock"
        await self.server.add_remote(f"punix:{sock}")
        self.remote = f"unix:{sock}"
        return self

    def database(self, name: str) -> Database:
        """The engine behind a served database (to inspect state directly in tests)."""
        return self.server.dbs[name].db

    async def idl(self, db: str, **kwargs: Any) -> Idl:
        """A started client replica of ``db`` (closed with the server)."""
        idl = Idl(self.remote, db, **kwargs)
        await idl.start()
        self._idls.append(idl)
        return idl

    async def close(self) -> None:
        for idl in self._idls:
            await idl.close()
        await self.server.close()
        if self._dir:
            shutil.rmtree(self._dir, ignore_errors=True)

    async def __aenter__(self) -> InProcessServer:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.close()


class FakeClock:
    """A clock that moves only when told to: ``now_ms()`` and ``advance(ms)``."""

    def __init__(self, start_ms: float = 0.0):
        self._now = start_ms

    def now_ms(self) -> float:
        return self._now

    def advance(self, ms: float) -> None:
        self._now += ms
