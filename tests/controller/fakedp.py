"""An in-memory datapath for the controller's tests: implements the controller's Datapath
protocol, records every call, allocates ofports as ovs-vswitchd does and says a port is ready
when it is bound (or only when a test says so, with ``gate_ready``).  A test double, not a
datapath: no packets."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from pyovn.controller.dpif import Learnt

LOCAL = 65534


class FakeDatapathError(RuntimeError):
    pass


class FakeModel:
    """Records the Southbound events fed to it and keeps the rows they leave."""

    def __init__(self) -> None:
        self.events: list[tuple[str, str, str]] = []  # (table, event, uuid)
        self.rows: dict[str, dict[str, Any]] = {}

    def apply(self, table: str, event: str, row: Any, old: Any) -> None:
        self.events.append((table, event, row.uuid))
        t = self.rows.setdefault(table, {})
        if event == "delete":
            t.pop(row.uuid, None)
        else:
            t[row.uuid] = row

    def names(self, table: str = "Port_Binding") -> set[str]:
        return {r.logical_port for r in self.rows.get(table, {}).values()}


class FakeDatapath:
    iface_types = ("geneve", "internal", "patch", "system", "tap", "vxlan")

    def __init__(self) -> None:
        self.model = FakeModel()
        self.on_learn: Callable[[Learnt], None] | None = None
        self.on_ready: Callable[[], None] | None = None
        self.calls: list[tuple[Any, ...]] = []
        self.ports: dict[str, tuple[str, int]] = {}  # name -> (bridge, ofport)
        self.bound: dict[str, str] = {}  # iface -> logical port
        self.chassis: str | None = None
        self.mappings: dict[str, str] = {}
        self.fail: dict[str, str] = {}  # interface name -> error add_port raises
        self.gate_ready = False  # True: only ports in ``ready`` are ready
        self.ready: set[str] = set()
        self.current = True
        self.started = False
        self.closed = False

    async def start(self) -> None:
        self.started = True

    async def close(self) -> None:
        self.closed = True

    def set_chassis(self, name: str) -> None:
        self.calls.append(("set_chassis", name))
        self.chassis = name

    def add_port(self, bridge: str, name: str, iface_type: str, options: Mapping[str, str],
                 ofport_request: int | None = None) -> int:
        self.calls.append(("add_port", bridge, name, iface_type, dict(options), ofport_request))
        if name in self.fail:
            raise FakeDatapathError(self.fail[name])
        if name in self.ports:
            raise FakeDatapathError(f"{name}: already exists")
        used = {p for b, p in self.ports.values() if b == bridge}
        if iface_type == "internal" and name == bridge:
            ofport = LOCAL
        elif ofport_request is not None and ofport_request not in used:
            ofport = ofport_request
        else:
            ofport = 1
            while ofport in used:
                ofport += 1
        self.ports[name] = (bridge, ofport)
        return ofport

    def remove_port(self, name: str) -> None:
        self.calls.append(("remove_port", name))
        self.ports.pop(name)
        self.bound.pop(name, None)  # as the datapath does: a port that goes is unbound

    def port_status(self, name: str) -> Mapping[str, Any]:
        n = sorted(self.ports).index(name) + 1
        return {"mac_in_use": f"02:00:00:00:00:{n:02x}", "ifindex": 100 + n, "mtu": 1500,
                "link_state": "up", "admin_state": "up"}

    def bind(self, iface: str, logical_port: str) -> None:
        self.calls.append(("bind", iface, logical_port))
        if iface not in self.ports:
            raise FakeDatapathError(f"{iface}: no such interface")
        self.bound[iface] = logical_port

    def unbind(self, iface: str) -> None:
        self.calls.append(("unbind", iface))
        self.bound.pop(iface, None)

    def set_bridge_mappings(self, mappings: Mapping[str, str]) -> None:
        self.calls.append(("set_bridge_mappings", dict(mappings)))
        self.mappings = dict(mappings)

    def port_ready(self, logical_port: str) -> bool:
        if logical_port not in self.bound.values():
            return False
        return logical_port in self.ready if self.gate_ready else True

    def flows_current(self) -> bool:
        return self.current

    # --- what tests do ---------------------------------------------------------------------------

    def make_ready(self, logical_port: str) -> None:
        self.ready.add(logical_port)
        if self.on_ready is not None:
            self.on_ready()

    def learn(self, entry: Learnt) -> None:
        assert self.on_learn is not None
        self.on_learn(entry)
