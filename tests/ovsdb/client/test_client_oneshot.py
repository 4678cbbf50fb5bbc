"""pyovn.ovsdb.client.oneshot: the tools' blocking read through the one client (Idl with
retry=False): rows as canonical dicts, the real tools' connection errors, remotes tried once."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from pyovn import schemas
from pyovn.ovsdb.client.oneshot import OneShotError, fetch
from pyovn.testing.wire import ServerProcess


@pytest.fixture
def nb(tmp_path: Path):
    server = ServerProcess(tmp_path, [str(schemas.path("OVN_Northbound"))],
                           extra=["--no-fsync"]).start()
    yield server
    server.stop()


def test_fetch_rows_of_the_tables_asked_for(nb):
    c = nb.client()
    c.transact("OVN_Northbound",
               {"op": "insert", "table": "ACL", "uuid-name": "acl",
                "row": {"priority": 1, "direction": "to-lport", "match": "ip", "action": "drop"}},
               {"op": "insert", "table": "Logical_Switch",
                "row": {"name": "sw0", "other_config": ["map", [["a", "1"]]],
                        "acls": ["named-uuid", "acl"]}})
    rows = fetch(f"unix:{nb.sock}", "OVN_Northbound", tables=["Logical_Switch"])
    assert set(rows) == {"Logical_Switch"}
    (uuid, row), = rows["Logical_Switch"].items()
    assert row["_uuid"] == uuid and row["name"] == "sw0"
    assert row["other_config"] == {"a": "1"} and row["ports"] == frozenset()
    assert len(row["acls"]) == 1
    assert len(fetch(f"unix:{nb.sock}", "OVN_Northbound")["ACL"]) == 1


def test_a_missing_socket_fails_at_once_with_the_tools_text(tmp_path):
    t0 = time.monotonic()
    with pytest.raises(OneShotError) as e:
        fetch(f"unix:{tmp_path}/nothing.sock", "OVN_Northbound", timeout=20)
    assert str(e.value) == (f"unix:{tmp_path}/nothing.sock: database connection failed "
                            "(No such file or directory)")
    assert time.monotonic() - t0 < 5  # tried once, not retried until the timeout


def test_a_list_of_remotes_is_tried_in_turn_and_named_whole(nb, tmp_path):
    remotes = f"unix:{tmp_path}/nothing.sock,unix:{nb.sock}"
    assert fetch(remotes, "OVN_Northbound", tables=["NB_Global"]) == {"NB_Global": {}}
    bad = f"unix:{tmp_path}/a.sock,unix:{tmp_path}/b.sock"
    with pytest.raises(OneShotError) as e:
        fetch(bad, "OVN_Northbound")
    assert str(e.value) == f"{bad}: database connection failed (No such file or directory)"


def test_bad_remote_and_unknown_database(nb):
    with pytest.raises(OneShotError) as e:
        fetch("bogus:x", "OVN_Northbound")
    assert str(e.value) == ("bogus:x: database connection failed "
                            "(Address family not supported by protocol)")
    with pytest.raises(OneShotError) as e:
        fetch(f"unix:{nb.sock}", "OVN_Southbound")
    assert str(e.value).startswith('database "OVN_Southbound" not found')
