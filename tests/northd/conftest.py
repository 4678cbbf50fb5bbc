"""Fixtures of the northd tests."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from pyovn import schemas


@pytest.fixture(scope="module")
def nb_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Callable[[Path], str]]:
    """``nb_server(db_file)``: pyovn's ovsdb-server on a copy of a recorded Northbound; its
    remote.  Every server started is stopped with the module."""
    from pyovn.testing.wire import ServerProcess

    servers: list[ServerProcess] = []

    def serve(db: Path) -> str:
        d = tmp_path_factory.mktemp("nb")
        srv = ServerProcess(d, [str(schemas.path("OVN_Northbound"))], create=False)
        shutil.copyfile(db, srv.dbs[0])
        srv.start()
        servers.append(srv)
        return f"unix:{srv.sock}"

    yield serve
    for s in servers:
        s.stop()
