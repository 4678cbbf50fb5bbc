"""Port binding: claims, releases, requested-chassis, up / ovn-installed gated on the datapath,
gateway ports, localports."""

from __future__ import annotations

import asyncio

from ctlenv import Env, run

from pyovn.controller import LearntVirtualParent


def test_claim_up_and_release() -> None:
    async def main() -> None:
        async with Env() as env:
            await env.start_ready()
            dp = await env.add_datapath("sw0")
            await env.add_pb("p1", dp, mac=["00:00:00:00:00:01 10.0.0.1"])
            await env.add_pb("p3", dp)
            await env.add_iface("vm1", "p1")
            await env.wait(lambda: env.bound_to("p1") and env.up("p1"), "p1 claimed and up")
            assert env.iface("vm1").external_ids["ovn-installed"] == "true"
            assert "ovn-installed-ts" in env.iface("vm1").external_ids
            assert env.dp.bound == {"vm1": "p1"}

            # iface-id changes: p1 released (down), p3 claimed.
            await env.set_iface("vm1", external_ids={"iface-id": "p3"})
            await env.wait(lambda: env.bound_to("p3") and env.up("p3"), "p3 claimed")
            assert env.pb("p1").chassis == [] and env.pb("p1").up == [False]
            assert env.dp.bound == {"vm1": "p3"}
            assert ("unbind", "vm1") in env.dp.calls

            # The interface goes: released.
            await env.del_iface("vm1")
            await env.wait(lambda: env.pb("p3").chassis == [], "p3 released")
            assert env.pb("p3").up == [False] and env.dp.bound == {}

    run(main())


def test_requested_chassis() -> None:
    async def main() -> None:
        async with Env() as env:
            await env.start_ready()
            dp = await env.add_datapath("sw0")
            await env.add_pb("elsewhere", dp, options={"requested-chassis": "hv2"})
            await env.add_pb("byname", dp, options={"requested-chassis": "hv1"})
            await env.add_pb("byhost", dp, options={"requested-chassis": "host1"})
            for i, lp in enumerate(("elsewhere", "byname", "byhost")):
                await env.add_iface(f"vm{i}", lp)
            await env.wait(lambda: env.bound_to("byname") and env.bound_to("byhost"), "claims")
            await asyncio.sleep(0.2)
            assert env.pb("elsewhere").chassis == [] and not env.up("elsewhere")
            assert "elsewhere" not in env.dp.bound.values()

            # Another chassis is named in requested_chassis (northd's resolution): released.
            async with env.sb.transaction() as txn:
                e = txn.insert("Encap", type="geneve", ip="192.0.2.2", chassis_name="hv2")
                other = txn.insert("Chassis", name="hv2", hostname="host2", encaps=[e])
            await env.set_pb("byname", requested_chassis=[other.uuid])
            await env.wait(lambda: env.pb("byname").chassis == [], "released")
            # ... and back.
            await env.set_pb("byname", requested_chassis=[env.chassis().uuid])
            await env.wait(lambda: env.bound_to("byname"), "claimed again")

    run(main())


def test_up_and_ovn_installed_wait_for_the_datapath() -> None:
    async def main() -> None:
        async with Env() as env:
            await env.start_ready()
            env.dp.gate_ready = True
            dp = await env.add_datapath("sw0")
            await env.add_pb("p1", dp)
            await env.add_iface("vm1", "p1")
            await env.wait(lambda: env.bound_to("p1"), "claimed")
            await asyncio.sleep(0.3)
            assert not env.up("p1")
            assert "ovn-installed" not in env.iface("vm1").external_ids
            env.dp.make_ready("p1")
            await env.wait(lambda: env.up("p1"), "up once ready")
            assert env.iface("vm1").external_ids["ovn-installed"] == "true"

    run(main())


def test_gateway_ports_and_localport() -> None:
    async def main() -> None:
        async with Env() as env:
            await env.start_ready()
            lr = await env.add_datapath("gw")
            ls = await env.add_datapath("sw0")
            await env.add_pb("gw-sw0", lr, type="l3gateway",
                             options={"l3gateway-chassis": "hv1", "peer": "sw0-gw"})
            await env.add_pb("sw0-gw", ls, type="l3gateway",
                             options={"l3gateway-chassis": "hv1", "peer": "gw-sw0"})
            await env.add_pb("other-gw", lr, type="l3gateway",
                             options={"l3gateway-chassis": "hv9"})
            async with env.sb.transaction() as txn:
                hc = txn.insert("HA_Chassis", chassis=[env.chassis().uuid], priority=10,
                                external_ids={"chassis-name": "hv1"})
                g = txn.insert("HA_Chassis_Group", name="lr1-pub", ha_chassis=[hc])
            await env.add_pb("cr-lr1-pub", lr, type="chassisredirect",
                             options={"distributed-port": "lr1-pub"}, ha_chassis_group=[g.uuid])
            await env.add_pb("l2gw", ls, type="l2gateway",
                             options={"l2gateway-chassis": "hv1", "network_name": "phys"})
            await env.add_pb("meta", ls, type="localport")
            await env.add_iface("meta0", "meta")
            for lp in ("gw-sw0", "sw0-gw", "cr-lr1-pub", "l2gw"):
                await env.wait(lambda lp=lp: env.bound_to(lp) and env.up(lp), f"{lp} claimed")
            await env.wait(lambda: env.dp.bound.get("meta0") == "meta", "localport bound")
            await asyncio.sleep(0.2)
            assert env.pb("meta").chassis == [] and env.pb("other-gw").chassis == []

            # A higher-priority gateway appears: the chassisredirect port is given up.
            async with env.sb.transaction() as txn:
                e = txn.insert("Encap", type="geneve", ip="192.0.2.2", chassis_name="hv2")
                ch2 = txn.insert("Chassis", name="hv2", hostname="host2", encaps=[e])
                hc2 = txn.insert("HA_Chassis", chassis=[ch2], priority=20)
                txn.add(g, "ha_chassis", hc2)
            await env.wait(lambda: env.pb("cr-lr1-pub").chassis == [], "cr released")
            # The l3gateway moves away.
            await env.set_pb("gw-sw0", options={"l3gateway-chassis": "hv2", "peer": "sw0-gw"})
            await env.wait(lambda: env.pb("gw-sw0").chassis == [], "l3gateway released")

    run(main())


def test_virtual_port_follows_its_parent() -> None:
    async def main() -> None:
        async with Env() as env:
            await env.start_ready()
            dp = await env.add_datapath("sw0")
            await env.add_pb("p1", dp)
            await env.add_pb("p2", dp)
            await env.add_pb("vip", dp, type="virtual",
                             options={"virtual-ip": "10.0.0.10", "virtual-parents": "p1,p2"})
            await env.add_iface("vm1", "p1")
            await env.wait(lambda: env.bound_to("p1"), "p1 claimed")
            await asyncio.sleep(0.2)
            assert env.pb("vip").chassis == []
            # The datapath ran bind_vport("vip", inport) for a GARP from p1.
            env.dp.learn(LearntVirtualParent("vip", "p1"))
            await env.wait(lambda: env.bound_to("vip") and env.up("vip"), "vip claimed")
            assert env.pb("vip").virtual_parent == ["p1"]
            # ... then from p2, which is not bound here: given up.
            env.dp.learn(LearntVirtualParent("vip", "p2"))
            await env.wait(lambda: env.pb("vip").chassis == [], "vip released")
            assert env.pb("vip").virtual_parent == ["p2"]

    run(main())
