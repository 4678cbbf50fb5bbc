"""The Southbound side: nb_cfg reporting, restart without a claim storm, graceful exit,
conditional monitoring of the local datapaths, learnt MAC_Binding / FDB rows, configuration
changes."""

from __future__ import annotations

import asyncio

from ctlenv import Env, run

from pyovn.controller import LearntFdb, LearntMacBinding


def test_nb_cfg_reported_once_flows_are_current() -> None:
    async def main() -> None:
        async with Env() as env:
            await env.start_ready()
            await env.set_nb_cfg(5)
            await env.wait(lambda: env.chassis_private().nb_cfg == 5, "nb_cfg 5")
            assert env.chassis_private().nb_cfg_timestamp > 0
            await env.wait(lambda: env.bridge().external_ids.get("ovn-nb-cfg") == "5",
                           "ovn-nb-cfg on br-int")
            assert "ovn-nb-cfg-ts" in env.bridge().external_ids

            env.dp.current = False
            await env.set_nb_cfg(6)
            await asyncio.sleep(0.3)
            assert env.chassis_private().nb_cfg == 5
            env.dp.current = True
            env.dp.on_ready()
            await env.wait(lambda: env.chassis_private().nb_cfg == 6, "nb_cfg 6")

            # debug/delay-nb-cfg-report
            env.ctl.nb_cfg_delay_s = 0.5
            await env.set_nb_cfg(7)
            await asyncio.sleep(0.2)
            assert env.chassis_private().nb_cfg == 6
            await env.wait(lambda: env.chassis_private().nb_cfg == 7, "nb_cfg 7 after delay")

    run(main())


def test_restart_keeps_chassis_and_bindings() -> None:
    async def main() -> None:
        async with Env() as env:
            await env.start_ready()
            dp = await env.add_datapath("sw0")
            await env.add_pb("p1", dp)
            await env.add_iface("vm1", "p1")
            await env.wait(lambda: env.bound_to("p1") and env.up("p1"), "p1 up")
            ch_uuid = env.chassis().uuid
            await env.stop_controller()  # SIGTERM / exit --restart: nothing removed
            assert env.chassis() is not None and env.bound_to("p1")

            changes: list[tuple[str, object]] = []

            def record(event: str, row: object, old: object) -> None:
                if old is not None and ({"chassis", "up"} & old.changed):  # type: ignore[attr-defined]
                    changes.append((row.logical_port, sorted(old.changed)))  # type: ignore[attr-defined]

            env.sb.watch(record, "Port_Binding")
            await env.start_ready()
            await env.wait(lambda: env.dp.bound.get("vm1") == "p1", "bound again")
            await env.ctl.sb.sync()
            await asyncio.sleep(0.3)
            assert env.chassis().uuid == ch_uuid
            assert env.bound_to("p1") and env.up("p1")
            assert changes == [], changes  # no release + reclaim
            assert len(env.sb.tables["Chassis"]) == 1 and len(env.sb.tables["Encap"]) == 1

    run(main())


def test_graceful_exit_removes_the_chassis() -> None:
    async def main() -> None:
        async with Env() as env:
            await env.start_ready()
            dp = await env.add_datapath("sw0")
            await env.add_pb("p1", dp)
            await env.add_iface("vm1", "p1")
            await env.wait(lambda: env.bound_to("p1"), "claimed")
            await env.stop_controller(graceful=True)
            await env.wait(lambda: env.chassis() is None and env.chassis_private() is None,
                           "chassis removed")
            assert len(env.sb.tables["Encap"]) == 0
            assert env.pb("p1").chassis == []  # a weak reference
            assert env.dp.closed

    run(main())


def _lflows(env: Env) -> set[str]:
    return {f.external_ids.get("dp", "") for f in env.ctl.sb.tables["Logical_Flow"]}


def test_conditional_monitoring_follows_bindings() -> None:
    async def main() -> None:
        async with Env() as env:
            await env.start_ready()
            a = await env.add_datapath("A")
            r = await env.add_datapath("R")
            b = await env.add_datapath("B")
            c = await env.add_datapath("C")
            await env.patch("a-r", a, "r-a", r)
            await env.patch("r-b", r, "b-r", b)
            await env.add_pb("pa", a)
            await env.add_pb("pc", c)
            await env.add_pb("pc2", c)
            async with env.sb.transaction() as txn:
                for name, dpu in (("A", a), ("R", r), ("B", b), ("C", c)):
                    txn.insert("Logical_Flow", logical_datapath=[dpu], pipeline="ingress",
                               table_id=0, priority=0, match="1", actions="next;",
                               external_ids={"dp": name})
                    txn.insert("MAC_Binding", logical_port=f"x-{name}", ip="10.0.0.1",
                               mac="00:00:00:00:00:01", datapath=dpu)
            await asyncio.sleep(0.3)
            assert _lflows(env) == set()
            assert "pc" not in env.dp.model.names()

            await env.add_iface("vm1", "pa")
            await env.wait(lambda: _lflows(env) == {"A", "R", "B"}, "A's component")
            assert {m.logical_port for m in env.ctl.sb.tables["MAC_Binding"]} == \
                {"x-A", "x-R", "x-B"}
            model = env.dp.model
            assert {"pa", "a-r", "r-a", "r-b", "b-r"} <= model.names()
            assert "pc2" not in model.names()
            assert {r.external_ids.get("dp") for r in model.rows["Logical_Flow"].values()} == \
                {"A", "R", "B"}

            await env.add_iface("vm2", "pc")
            await env.wait(lambda: _lflows(env) == {"A", "R", "B", "C"}, "C too")
            await env.wait(lambda: "pc2" in env.dp.model.names(), "C's ports")

            await env.del_iface("vm1")
            await env.wait(lambda: _lflows(env) == {"C"}, "only C")
            assert {r.external_ids.get("dp") for r in model.rows["Logical_Flow"].values()} == \
                {"C"}
            assert "pa" not in model.names()

    run(main())


def test_monitor_all() -> None:
    async def main() -> None:
        async with Env(**{"ovn-monitor-all": "true"}) as env:
            await env.start_ready()
            c = await env.add_datapath("C")
            await env.add_pb("pc", c)
            async with env.sb.transaction() as txn:
                txn.insert("Logical_Flow", logical_datapath=[c], pipeline="ingress",
                           table_id=0, priority=0, match="1", actions="next;",
                           external_ids={"dp": "C"})
            await env.wait(lambda: _lflows(env) == {"C"}, "every flow")
            assert "pc" in env.dp.model.names()
            assert env.chassis().other_config["ovn-monitor-all"] == "true"

    run(main())


def test_learnt_mac_bindings_and_fdb() -> None:
    async def main() -> None:
        async with Env(**{"ovn-monitor-all": "true"}) as env:
            await env.start_ready()
            dp = await env.add_datapath("lr0")
            key = env.sb.tables["Datapath_Binding"][dp].tunnel_key
            mbs = env.sb.tables["MAC_Binding"]
            fdb = env.sb.tables["FDB"]
            env.dp.learn(LearntMacBinding("lrp0", "10.0.0.5", "00:00:00:00:00:05", key))
            env.dp.learn(LearntMacBinding("lrp0", "10.0.0.5", "00:00:00:00:00:06", key))
            env.dp.learn(LearntFdb("00:00:00:00:00:AA", key, 3))
            await env.wait(lambda: len(mbs) == 1 and len(fdb) == 1, "rows")
            [m] = list(mbs)
            assert (m.logical_port, m.ip, m.mac, m.datapath) == \
                ("lrp0", "10.0.0.5", "00:00:00:00:00:06", dp)
            assert m.timestamp > 0
            [f] = list(fdb)
            assert (f.mac, f.dp_key, f.port_key) == ("00:00:00:00:00:aa", key, 3)

            env.dp.learn(LearntMacBinding("lrp0", "10.0.0.5", "00:00:00:00:00:07", key))
            env.dp.learn(LearntFdb("00:00:00:00:00:aa", key, 4))
            env.dp.learn(LearntMacBinding("lrp0", "10.0.0.6", "00:00:00:00:00:08", key))
            await env.wait(lambda: len(mbs) == 2 and list(fdb)[0].port_key == 4, "updates")
            assert {(m.ip, m.mac) for m in mbs} == {("10.0.0.5", "00:00:00:00:00:07"),
                                                     ("10.0.0.6", "00:00:00:00:00:08")}
            # The same again: nothing written.
            before = env.ctl.runs
            env.dp.learn(LearntFdb("00:00:00:00:00:aa", key, 4))
            await env.wait(lambda: env.ctl.runs > before, "a pass")
            await asyncio.sleep(0.1)
            assert len(fdb) == 1 and len(mbs) == 2

    run(main())


def test_configuration_changes() -> None:
    async def main() -> None:
        async with Env() as env:
            await env.start_ready()
            encap_uuid = env.chassis().encaps[0]
            await env.set_ids(**{"ovn-encap-ip": "192.0.2.9", "ovn-encap-csum": "false",
                                 "ovn-bridge-mappings": "phys:br-ex,other:br-o",
                                 "ovn-cms-options": "enable-chassis-as-gw",
                                 "ovn-transport-zones": "tz1,tz2",
                                 "ovn-encap-ip-hv2": "198.51.100.1"})

            def encap() -> tuple[str, dict[str, str]] | None:
                ch = env.chassis()
                e = env.sb.tables["Encap"].get(ch.encaps[0]) if ch.encaps else None
                return (e.ip, e.options) if e is not None else None

            await env.wait(lambda: encap() == ("192.0.2.9", {"csum": "false"}), "new encap")
            assert env.chassis().encaps[0] != encap_uuid
            ch = await env.wait(lambda: env.chassis() if env.chassis().other_config[
                "ovn-bridge-mappings"] == "phys:br-ex,other:br-o" else None, "mappings")
            assert ch.other_config["ovn-cms-options"] == "enable-chassis-as-gw"
            assert sorted(ch.transport_zones) == ["tz1", "tz2"]
            assert env.dp.mappings == {"phys": "br-ex", "other": "br-o"}

            # A key for this chassis wins over the plain one.
            await env.set_ids(**{"ovn-encap-csum-hv1": "true"})
            await env.wait(lambda: encap() == ("192.0.2.9", {"csum": "true"}), "csum override")
            assert len(env.sb.tables["Encap"]) == 1

    run(main())


def test_waits_for_the_open_vswitch_row_and_system_id() -> None:
    async def main() -> None:
        async with Env(**{"system-id": ""}) as env:
            root = env.root()
            async with env.ovs.transaction() as txn:
                txn.delete(root)
            await env.start_controller()
            await asyncio.sleep(0.3)
            assert env.bridge() is None and env.chassis() is None
            ids = {"hostname": "host1", "ovn-encap-type": "geneve",
                   "ovn-encap-ip": "192.0.2.1", "ovn-remote": env.remote}
            async with env.ovs.transaction() as txn:
                txn.insert("Open_vSwitch", external_ids=ids)
            await env.wait(env.bridge, "br-int without a system-id")
            await asyncio.sleep(0.2)
            assert env.chassis() is None
            await env.set_ids(**{"system-id": "hv1"})
            await env.wait(env.chassis_private, "registration")

    run(main())
