"""The controller's unit-test environment: pyovn's in-process OVSDB server holding a local
Open_vSwitch database and a Southbound, the controller on the fake datapath, and helpers that
play ovs-vsctl and northd (rows written directly)."""

from __future__ import annotations

import asyncio
import itertools
import time
from collections.abc import Callable
from typing import Any

from fakedp import FakeDatapath

from pyovn.controller.daemon import Controller
from pyovn.ovsdb.client import Idl
from pyovn.testing.memory import InProcessServer


def run(coro: Any, timeout: float = 30.0) -> Any:
    async def guarded() -> Any:
        return await asyncio.wait_for(coro, timeout)

    return asyncio.run(guarded())


class Env:
    def __init__(self, **external_ids: str) -> None:
        self.srv = InProcessServer("Open_vSwitch", "OVN_Southbound")
        self.external_ids = {"system-id": "hv1", "ovn-encap-type": "geneve",
                             "ovn-encap-ip": "192.0.2.1", "hostname": "host1"}
        self.external_ids.update(external_ids)
        self.ctl: Controller | None = None
        self.dp: FakeDatapath | None = None
        self._task: asyncio.Task[None] | None = None
        self._keys = itertools.count(1)

    async def __aenter__(self) -> Env:
        await self.srv.start()
        self.remote = self.srv.remote
        self.ovs: Idl = await self.srv.idl("Open_vSwitch")
        self.sb: Idl = await self.srv.idl("OVN_Southbound")
        ids = dict(self.external_ids)
        ids.setdefault("ovn-remote", self.remote)
        async with self.ovs.transaction() as txn:
            txn.insert("Open_vSwitch", external_ids={k: v for k, v in ids.items() if v})
        async with self.sb.transaction() as txn:
            txn.insert("SB_Global")
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop_controller()
        await self.srv.close()

    # --- the controller ------------------------------------------------------------------------

    async def start_controller(self, dp: FakeDatapath | None = None, **kw: Any) -> Controller:
        self.dp = dp or FakeDatapath()
        self.ctl = Controller(self.remote, self.dp, **kw)
        await self.ctl.start()
        self._task = asyncio.create_task(self.ctl.run())
        return self.ctl

    async def start_ready(self, dp: FakeDatapath | None = None, **kw: Any) -> Controller:
        """start_controller, then wait until the chassis is registered and br-int exists."""
        ctl = await self.start_controller(dp, **kw)
        await self.wait(self.chassis_private, "registration")
        await self.wait(self.bridge, "br-int")
        return ctl

    async def stop_controller(self, graceful: bool = False) -> None:
        if self.ctl is None:
            return
        assert self._task is not None
        self._task.cancel()
        await self.ctl.close(graceful=graceful)
        self.ctl = None

    # --- waiting and reading -------------------------------------------------------------------

    async def wait(self, pred: Callable[[], Any], what: str = "", timeout: float = 10.0) -> Any:
        deadline = time.monotonic() + timeout
        while True:
            v = pred()
            if v:
                return v
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out waiting for {what or pred}")
            await asyncio.sleep(0.01)

    def root(self) -> Any:
        return next(iter(self.ovs.tables["Open_vSwitch"]), None)

    def bridge(self, name: str = "br-int") -> Any:
        return next((b for b in self.ovs.tables["Bridge"] if b.name == name), None)

    def iface(self, name: str) -> Any:
        return next((i for i in self.ovs.tables["Interface"] if i.name == name), None)

    def chassis(self, name: str = "hv1") -> Any:
        return next((c for c in self.sb.tables["Chassis"] if c.name == name), None)

    def chassis_private(self, name: str = "hv1") -> Any:
        return next((c for c in self.sb.tables["Chassis_Private"] if c.name == name), None)

    def pb(self, lp: str) -> Any:
        return next((p for p in self.sb.tables["Port_Binding"] if p.logical_port == lp), None)

    def bound_to(self, lp: str, chassis: str = "hv1") -> bool:
        pb, ch = self.pb(lp), self.chassis(chassis)
        return pb is not None and ch is not None and pb.chassis == [ch.uuid]

    def up(self, lp: str) -> bool:
        pb = self.pb(lp)
        return pb is not None and pb.up == [True]

    # --- ovs-vsctl's part ----------------------------------------------------------------------

    async def set_ids(self, **ids: str | None) -> None:
        root = self.root()
        async with self.ovs.transaction() as txn:
            cur = dict(root.external_ids)
            for k, v in ids.items():
                if v is None:
                    cur.pop(k, None)
                else:
                    cur[k] = v
            txn.set(root, external_ids=cur)

    async def add_iface(self, name: str, iface_id: str | None = None, *, bridge: str = "br-int",
                        type: str = "", bump: bool = True, **columns: Any) -> None:
        """``ovs-vsctl add-port BRIDGE NAME -- set Interface NAME external_ids:iface-id=..``
        (next_cfg incremented, as ovs-vsctl does without --no-wait)."""
        br = self.bridge(bridge)
        ids = {"iface-id": iface_id} if iface_id else {}
        async with self.ovs.transaction() as txn:
            i = txn.insert("Interface", name=name, type=type, external_ids=ids, **columns)
            p = txn.insert("Port", name=name, interfaces=[i])
            txn.add(br, "ports", p)
            if bump:
                txn.mutate(self.root(), "next_cfg", "+=", 1)

    async def del_iface(self, name: str, bridge: str = "br-int") -> None:
        br = self.bridge(bridge)
        port = next(p for p in self.ovs.tables["Port"] if p.name == name)
        async with self.ovs.transaction() as txn:
            txn.discard(br, "ports", port)
            txn.mutate(self.root(), "next_cfg", "+=", 1)

    async def set_iface(self, name: str, **columns: Any) -> None:
        async with self.ovs.transaction() as txn:
            txn.set(self.iface(name), **columns)

    # --- northd's part ---------------------------------------------------------------------------

    async def add_datapath(self, name: str) -> str:
        async with self.sb.transaction() as txn:
            d = txn.insert("Datapath_Binding", tunnel_key=next(self._keys),
                           external_ids={"name": name})
        assert d.uuid is not None
        return d.uuid

    async def add_pb(self, lp: str, dp: str, *, type: str = "", key: int | None = None,
                     **columns: Any) -> str:
        async with self.sb.transaction() as txn:
            r = txn.insert("Port_Binding", logical_port=lp, datapath=txn.row("Datapath_Binding", dp),
                           type=type, tunnel_key=key or next(self._keys), **columns)
        assert r.uuid is not None
        return r.uuid

    async def set_pb(self, lp: str, **columns: Any) -> None:
        async with self.sb.transaction() as txn:
            txn.set(self.pb(lp), **columns)

    async def patch(self, a: str, dp_a: str, b: str, dp_b: str) -> None:
        await self.add_pb(a, dp_a, type="patch", options={"peer": b})
        await self.add_pb(b, dp_b, type="patch", options={"peer": a})

    async def set_nb_cfg(self, n: int) -> None:
        g = next(iter(self.sb.tables["SB_Global"]))
        async with self.sb.transaction() as txn:
            txn.set(g, nb_cfg=n)
