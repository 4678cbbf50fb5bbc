"""The in-process server/client pair: fresh databases per test, real protocol in between."""

import asyncio

from pyovn.testing.memory import FakeClock, InProcessServer


def test_in_process_pair_roundtrip():
    async def main():
        async with InProcessServer("OVN_Northbound", "OVN_Southbound") as srv:
            nb = await srv.idl("OVN_Northbound")
            watcher = await srv.idl("OVN_Northbound")
            async with nb.transaction() as txn:
                txn.insert("Logical_Switch", name="sw0")
            by_name = watcher.index("Logical_Switch", "name")
            await watcher.wait_until(lambda: by_name.get("sw0") is not None, timeout=5)
            rows = srv.database("OVN_Northbound").tables["Logical_Switch"].rows
            assert [r["name"] for r in rows.values()] == ["sw0"]
            assert "OVN_Southbound" in srv.server.dbs

    asyncio.run(main())


def test_fake_clock():
    c = FakeClock(10)
    c.advance(5)
    assert c.now_ms() == 15
