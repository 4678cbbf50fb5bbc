"""pyovn.ctl.database in direct mode: a one-shot Idl under the ctl core, over a live server."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from pyovn import schemas
from pyovn.ctl.database import BackendError, connect
from pyovn.testing.wire import ServerProcess


@pytest.fixture
def nb(tmp_path: Path):
    server = ServerProcess(tmp_path, [str(schemas.path("OVN_Northbound"))],
                           extra=["--no-fsync"]).start()
    yield server
    server.stop()


def test_rows_of_the_tables_asked_for_then_the_next_change(nb):
    backend = connect(f"unix:{nb.sock}", "OVN_Northbound",
                      tables=["Logical_Switch", "NB_Global"])
    try:
        assert set(backend.monitor()) == {"Logical_Switch", "NB_Global"}
        assert backend.wait_update(time.monotonic() + 0.2) is False  # nothing changed
        backend.transact([{"op": "insert", "table": "Logical_Switch", "row": {"name": "sw0"}}])
        assert backend.wait_update(time.monotonic() + 5) is True
        assert [r["name"] for r in backend.rows["Logical_Switch"].values()] == ["sw0"]
    finally:
        backend.close()


def test_a_wait_ends_when_the_server_goes_away(nb):
    backend = connect(f"unix:{nb.sock}", "OVN_Northbound")
    try:
        backend.monitor()
        nb.kill()
        with pytest.raises(BackendError, match="database connection closed"):
            backend.wait_update(time.monotonic() + 10)
    finally:
        backend.close()
