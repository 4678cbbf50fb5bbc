"""The vswitchd role: interfaces into the datapath, ofport/error/status, cur_cfg."""

from __future__ import annotations

import asyncio

from ctlenv import Env, run


def test_ports_ofports_and_cur_cfg() -> None:
    async def main() -> None:
        async with Env() as env:
            await env.start_controller()
            await env.wait(env.bridge, "br-int")
            await env.add_iface("vm1", "lp1")
            target = env.root().next_cfg
            await env.wait(lambda: env.root().cur_cfg == target, "cur_cfg")
            # cur_cfg is written with (or after) the interface's ofport, never before it.
            i = env.iface("vm1")
            assert i.ofport == [1] and i.error == []
            assert i.link_state == ["up"] and i.mtu == [1500] and i.mac_in_use
            assert ("add_port", "br-int", "vm1", "", {}, None) in env.dp.calls

            await env.add_iface("vm2", "lp2", ofport_request=[7])
            await env.wait(lambda: env.iface("vm2").ofport == [7], "requested ofport")
            await env.add_iface("vm3", "lp3")
            await env.wait(lambda: env.iface("vm3").ofport == [2], "lowest free ofport")

            # A changed type: the port is made again.
            await env.set_iface("vm3", type="internal")
            await env.wait(lambda: ("add_port", "br-int", "vm3", "internal", {}, None)
                           in env.dp.calls, "re-added")
            assert ("remove_port", "vm3") in env.dp.calls

            await env.del_iface("vm1")
            target = env.root().next_cfg
            await env.wait(lambda: env.root().cur_cfg == target, "cur_cfg after del")
            assert ("remove_port", "vm1") in env.dp.calls and "vm1" not in env.dp.ports

    run(main())


def test_refused_port_reports_error_and_is_retried() -> None:
    async def main() -> None:
        async with Env() as env:
            await env.start_controller()
            await env.wait(env.bridge, "br-int")
            env.dp.fail["bad"] = "could not open network device bad (No such device)"
            await env.add_iface("bad", "lpx")
            await env.wait(lambda: env.iface("bad") is not None
                           and env.iface("bad").ofport == [-1], "ofport -1")
            assert env.iface("bad").error == ["could not open network device bad (No such device)"]
            target = env.root().next_cfg
            await env.wait(lambda: env.root().cur_cfg == target, "cur_cfg despite the error")
            # The next reconfiguration tries again.
            del env.dp.fail["bad"]
            await env.add_iface("other", None)
            await env.wait(lambda: env.iface("bad").ofport[0] > 0, "retried")
            assert env.iface("bad").error == []

    run(main())


def test_other_bridges_and_no_vswitchd() -> None:
    async def main() -> None:
        async with Env() as env:
            await env.start_controller()
            await env.wait(env.bridge, "br-int")
            async with env.ovs.transaction() as txn:
                i = txn.insert("Interface", name="br-ex", type="internal")
                p = txn.insert("Port", name="br-ex", interfaces=[i])
                b = txn.insert("Bridge", name="br-ex", ports=[p])
                txn.add(env.root(), "bridges", b)
            await env.wait(lambda: env.dp.ports.get("br-ex") == ("br-ex", 65534), "br-ex")
            await env.stop_controller()

        async with Env() as env:
            await env.start_controller(vswitchd=False)
            await env.wait(env.chassis, "registration")
            await env.add_iface("vm1", "lp1")
            await asyncio.sleep(0.3)
            assert env.iface("vm1").ofport == []
            assert env.root().cur_cfg == 0
            assert not [c for c in env.dp.calls if c[0] == "add_port"]
            # Another vswitchd reports the port: it is claimed, but the datapath has no such
            # port, so it never becomes up.
            dp = await env.add_datapath("sw0")
            await env.add_pb("lp1", dp)
            await env.set_iface("vm1", ofport=[5])
            await env.wait(lambda: env.bound_to("lp1"), "claimed")
            await asyncio.sleep(0.3)
            assert not env.up("lp1") and env.dp.bound == {}
            assert ("bind", "vm1", "lp1") in env.dp.calls

    run(main())
