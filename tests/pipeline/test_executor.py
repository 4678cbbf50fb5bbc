"""The executor's pipeline semantics with a recording host on a small hand-made Southbound:
patch ports, multicast groups, chassisredirect ports, remote ports, localnet, the loopback rule,
registers across pipelines, conntrack continuations, built packets, read sets, depth."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from pyovn.logical.flow import Flow
from pyovn.pipeline.executor import BaseHost, Executor
from pyovn.pipeline.sbmodel import SbModel
from pyovn.pipeline.sbtypes import LogicalDatapath, PortBinding
from pyovn.pipeline.tables import ALL, LogicalTables

DPS = {"sw0": 1, "lr0": 2, "sw1": 3, "sw2": 4}
BCAST = "ff:ff:ff:ff:ff:ff"

# name: (datapath, key, type, chassis, options)
PORTS: dict[str, tuple[str, int, str, str | None, dict[str, str]]] = {
    "vm1": ("sw0", 1, "", "hv1", {}),
    "vm2": ("sw0", 2, "", "hv1", {}),
    "vm4": ("sw0", 4, "", "hv2", {}),
    "sw0-lr0": ("sw0", 3, "patch", None, {"peer": "lr0-sw0"}),
    "lr0-sw0": ("lr0", 1, "patch", None, {"peer": "sw0-lr0"}),
    "lr0-sw1": ("lr0", 2, "patch", None, {"peer": "sw1-lr0"}),
    "cr-lr0-sw1": ("lr0", 3, "chassisredirect", "hv1", {"distributed-port": "lr0-sw1"}),
    "sw1-lr0": ("sw1", 1, "patch", None, {"peer": "lr0-sw1"}),
    "vm3": ("sw1", 2, "", "hv1", {}),
    "ln2": ("sw2", 1, "localnet", None, {"network_name": "phys"}),
    "vm5": ("sw2", 2, "", "hv2", {}),
    "vm6": ("sw2", 3, "", "hv1", {}),
}

# (datapath, pipeline, table, priority, match, actions)
FLOWS = [
    ("sw0", "ingress", 0, 0, "1", "next;"),  # passed over (trivial)
    ("sw0", "ingress", 1, 100, f"eth.dst == {BCAST}", 'outport = "_MC_flood"; output;'),
    ("sw0", "ingress", 1, 60, "reg0 == 1", "flags.loopback = 1; outport = inport; output;"),
    ("sw0", "ingress", 1, 55, "eth.dst == 00:00:00:00:00:09", 'outport = "nowhere"; output;'),
    ("sw0", "ingress", 1, 55, "eth.dst == 00:00:00:00:00:08", "output;"),
    ("sw0", "ingress", 1, 50, "eth.dst == 00:00:00:00:00:02",
     'reg1 = 5; outport = "vm2"; output;'),
    ("sw0", "ingress", 1, 50, "eth.dst == 00:00:00:00:00:04", 'outport = "vm4"; output;'),
    ("sw0", "ingress", 1, 50, "eth.dst == 00:00:00:00:00:01", 'outport = "vm1"; output;'),
    ("sw0", "ingress", 1, 50, "eth.dst == 00:00:00:00:00:ff",
     'outport = "sw0-lr0"; output;'),
    ("sw0", "ingress", 1, 40, "eth.dst == 00:00:00:00:00:77", "ct_next;"),
    ("sw0", "ingress", 1, 40, "eth.dst == 00:00:00:00:00:78",
     "ct_lb(backends=10.0.0.9:80);"),
    ("sw0", "ingress", 1, 40, "eth.dst == 00:00:00:00:00:79",
     "arp { eth.dst = ff:ff:ff:ff:ff:ff; outport = \"vm2\"; output; };"),
    ("sw0", "ingress", 1, 40, "eth.dst == 00:00:00:00:00:7a", "next(1);"),  # a loop
    ("sw0", "ingress", 2, 10, "ct.new", 'outport = "vm2"; output;'),
    ("sw0", "egress", 0, 0, "1", "reg2 = 7; output;"),
    ("lr0", "ingress", 0, 10, 'inport == "lr0-sw0" && reg2 == 7',
     'outport = "cr-lr0-sw1"; output;'),
    ("lr0", "egress", 0, 0, "1", "output;"),
    ("sw1", "ingress", 0, 10, 'inport == "sw1-lr0"', 'outport = "vm3"; output;'),
    ("sw1", "egress", 0, 0, "1", "output;"),
    ("sw2", "ingress", 0, 10, 'inport == "vm6"', 'outport = "vm5"; output;'),
    ("sw2", "egress", 0, 0, "1", "output;"),
]


def model() -> SbModel:
    dp_uuid = {n: f"d000000{k}-0000-4000-8000-000000000000" for n, k in DPS.items()}
    ch_uuid = {"hv1": "c0000001-0000-4000-8000-000000000000",
               "hv2": "c0000002-0000-4000-8000-000000000000"}
    pb_uuid = {n: f"b{i:07x}-0000-4000-8000-000000000000" for i, n in enumerate(PORTS)}
    rows: dict[str, dict[str, dict[str, Any]]] = {
        "Chassis": {u: {"name": n, "hostname": n} for n, u in ch_uuid.items()},
        "Datapath_Binding": {
            dp_uuid[n]: {"tunnel_key": k, "external_ids": {
                "name": n, ("logical-router" if n.startswith("lr") else "logical-switch"): n}}
            for n, k in DPS.items()},
        "Port_Binding": {
            pb_uuid[n]: {"logical_port": n, "datapath": dp_uuid[dp], "tunnel_key": key,
                         "type": t, "options": opts,
                         "chassis": frozenset({ch_uuid[ch]}) if ch else frozenset()}
            for n, (dp, key, t, ch, opts) in PORTS.items()},
        "Multicast_Group": {"mc1": {
            "datapath": dp_uuid["sw0"], "name": "_MC_flood", "tunnel_key": 32768,
            "ports": frozenset(pb_uuid[n] for n in ("vm1", "vm2", "vm4", "sw0-lr0"))}},
        "Logical_Flow": {
            f"f{i:07x}-0000-4000-8000-000000000000": {
                "logical_datapath": frozenset({dp_uuid[dp]}), "logical_dp_group": frozenset(),
                "pipeline": p, "table_id": t, "priority": prio, "match": m, "actions": a,
                "external_ids": {}}
            for i, (dp, p, t, prio, m, a) in enumerate(FLOWS)},
    }
    return SbModel.from_rows(rows)


class Recording(BaseHost):
    """Records what the executor asks of its host."""

    def __init__(self, m: SbModel, chassis: str) -> None:
        super().__init__(m, chassis)
        self.delivered: list[tuple[str, Flow]] = []
        self.remotes: list[tuple[str, str | None, Flow]] = []
        self.entered: list[tuple[str, str, str]] = []
        self.ct: list[str] = []
        self.lb_go = True
        self.deferred: list[Callable[[Flow], None]] = []
        self.defer = False

    def deliver(self, port: PortBinding, flow: Flow) -> None:
        self.delivered.append((port.name, dict(flow)))

    def remote(self, port: PortBinding, chassis: str | None, flow: Flow) -> None:
        self.remotes.append((port.name, chassis, dict(flow)))

    def load_metadata(self, dp: LogicalDatapath, pipeline: str, port: PortBinding | None,
                      flow: Flow) -> None:
        self.entered.append((dp.name, pipeline, port.name if port else ""))

    def ct_next(self, dp: LogicalDatapath, flow: Flow) -> None:
        self.ct.append(f"ct_next@{dp.name}")
        flow["ct_state"] = 0x21  # new|trk

    def ct_lb(self, dp: LogicalDatapath, flow: Flow, action: Any) -> bool:
        self.ct.append(f"ct_lb@{dp.name}")
        return self.lb_go

    def emit(self, dp: LogicalDatapath, kind: str, flow: Flow,
             resume: Callable[[Flow], None]) -> None:
        if self.defer:
            self.deferred.append(lambda: resume(flow))  # type: ignore[misc]
        else:
            resume(flow)


def run(dst: str, inport: str = "vm1", chassis: str = "hv1", reads: set[str] | None = None,
        **extra: Any) -> tuple[Recording, Executor]:
    m = model()
    host = Recording(m, chassis)
    ex = Executor(m, LogicalTables(m), host, max_depth=50, **extra)
    mac = int(dst.replace(":", ""), 16)
    dp = m.ports[inport].datapath
    assert dp is not None
    ex.run(dp, {"inport": inport, "eth.dst": mac, "eth.type": 0x0800, "ip.proto": 6,
                **({"reg0": 1} if dst == "loop" else {})}, reads)
    return host, ex


def delivered(host: Recording) -> list[str]:
    return [p for p, _ in host.delivered]


def test_unicast_clears_registers_for_egress():
    host, _ = run("00:00:00:00:00:02")
    assert delivered(host) == ["vm2"]
    flow = host.delivered[0][1]
    assert "reg1" not in flow and flow["reg2"] == 7 and flow["outport"] == "vm2"
    assert host.entered == [("sw0", "ingress", "vm1"), ("sw0", "egress", "vm2")]


def test_multicast_members_by_key_without_the_inport():
    host, _ = run(BCAST)
    # vm1 is the inport (skipped), vm2 here, sw0-lr0 into the router, vm4 elsewhere.
    assert [r[0] for r in host.remotes] == ["vm4"]
    assert delivered(host) == ["vm2", "vm3"]
    assert ("sw0", "egress", "sw0-lr0") in host.entered
    host2, _ = run(BCAST, member_order="name")
    assert host2.entered.index(("sw0", "egress", "sw0-lr0")) < host2.entered.index(
        ("sw0", "egress", "vm2"))


def test_loopback_needs_the_flag():
    host, _ = run("00:00:00:00:00:01")
    assert delivered(host) == []
    m = model()
    host = Recording(m, "hv1")
    Executor(m, LogicalTables(m), host).run(m.datapaths[m.ports["vm1"].datapath.uuid],
                                            {"inport": "vm1", "reg0": 1})
    assert delivered(host) == ["vm1"]


def test_patch_peer_keeps_registers_and_chassisredirect_is_replaced_here():
    host, _ = run("00:00:00:00:00:ff")
    # sw0 egress sets reg2=7, the router matches on it, cr-lr0-sw1 is resident: lr0-sw1.
    assert delivered(host) == ["vm3"]
    assert ("lr0", "egress", "lr0-sw1") in host.entered
    assert ("sw1", "ingress", "sw1-lr0") in host.entered
    assert host.delivered[0][1]["inport"] == "sw1-lr0"


def test_what_is_cleared_between_pipelines_is_a_choice():
    host, _ = run("00:00:00:00:00:02", egress_cleared=frozenset({"reg0"}))
    assert host.delivered[0][1]["reg1"] == 5  # kept this time
    # The router's flow needs reg2 == 7 from sw0's egress: cleared, the packet goes nowhere.
    host, _ = run("00:00:00:00:00:ff", peer_cleared=frozenset({"reg2"}))
    assert delivered(host) == [] and ("lr0", "ingress", "lr0-sw0") in host.entered


def test_chassisredirect_elsewhere_goes_to_its_chassis():
    host, _ = run("00:00:00:00:00:ff", chassis="hv2")
    assert host.remotes and host.remotes[-1][:2] == ("cr-lr0-sw1", "hv1")
    assert host.remotes[-1][2]["outport"] == "cr-lr0-sw1"
    assert delivered(host) == []


def test_remote_port_and_localnet():
    host, _ = run("00:00:00:00:00:04")
    assert host.remotes == [("vm4", "hv2", host.remotes[0][2])] and not host.delivered
    assert "reg1" not in host.remotes[0][2]
    # In a switch with a localnet port, a port of another chassis is reached through it.
    host, _ = run("00:00:00:00:00:00", inport="vm6")
    assert delivered(host) == ["ln2"] and not host.remotes
    assert ("sw2", "egress", "ln2") in host.entered


def test_unknown_and_null_outports_drop():
    host, _ = run("00:00:00:00:00:09")
    host2, _ = run("00:00:00:00:00:08")
    assert delivered(host) == delivered(host2) == [] and not host.remotes


def test_conntrack_continues_where_the_action_says():
    host, _ = run("00:00:00:00:00:77")
    assert host.ct == ["ct_next@sw0"] and delivered(host) == ["vm2"]
    m = model()
    h = Recording(m, "hv1")
    h.lb_go = False
    Executor(m, LogicalTables(m), h).run(m.ports["vm1"].datapath,
                                         {"inport": "vm1", "eth.dst": 0x78, "eth.type": 0x800,
                                          "ip.proto": 6, "ct_state": 0x21})
    assert h.ct == ["ct_lb@sw0"] and delivered(h) == []


def test_built_packets_resume_where_they_were_made_even_later():
    m = model()
    host = Recording(m, "hv1")
    host.defer = True
    ex = Executor(m, LogicalTables(m), host)
    ex.run(m.ports["vm1"].datapath, {"inport": "vm1", "eth.dst": 0x79, "eth.type": 0x800,
                                     "ip4.dst": 1})
    assert delivered(host) == [] and len(host.deferred) == 1
    host.deferred[0]()  # type: ignore[call-arg]
    assert delivered(host) == ["vm2"]
    assert host.delivered[0][1]["eth.type"] == 0x0806  # the arp {} packet


def test_resume_at_a_table():
    m = model()
    host = Recording(m, "hv1")
    ex = Executor(m, LogicalTables(m), host)
    flow: Flow = {"inport": "vm1", "eth.dst": 2, "eth.type": 0x800, "ip.proto": 6,
                  "ct_state": 0x21}
    ex.resume_at(m.ports["vm1"].datapath, "ingress", 2, flow)  # where ct_next continues
    assert delivered(host) == ["vm2"] and ex.dp is None


def test_depth_limit_stops_loops():
    host, ex = run("00:00:00:00:00:7a")
    assert ex.too_deep == 1 and delivered(host) == []


def test_reads_of_a_run():
    reads: set[str] = set()
    run("00:00:00:00:00:02", reads=reads)
    assert {"eth.dst", "reg0", "inport", "outport", "flags"} <= reads
    reads = set()
    run("00:00:00:00:00:77", reads=reads)
    assert ALL in reads


class Tables:
    """A recorder counting what the executor reports (trivial tables are not reported)."""

    def __init__(self) -> None:
        self.tables: list[tuple[str, str, int]] = []
        self.events: list[str] = []

    def enter_pipeline(self, dp: LogicalDatapath, pipeline: str, flow: Flow) -> None:
        self.events.append(f"{pipeline}@{dp.name}")

    def enter_egress(self, dp: LogicalDatapath, flow: Flow, port: PortBinding | None, member: bool,
                     runs: bool) -> None:
        self.events.append(f"egress@{dp.name}:{port.name if port else ''}")

    def enter_multicast(self, dp: LogicalDatapath, group: Any) -> None:
        self.events.append(f"multicast@{dp.name}")

    def enter_transformation(self, flow: Flow) -> None:
        self.events.append("ct")

    def leave(self) -> None:
        self.events.append("leave")

    def lookup(self, table: Any, entry: Any, flow: Flow) -> None:
        return None

    def table(self, ex: Executor, dp: LogicalDatapath, pipeline: str, table: int, entry: Any,
              flow: Flow) -> None:
        self.tables.append((dp.name, pipeline, table))
        if entry is not None:
            entry.program(flow, ex)

    def dropped(self, reason: str, dp: LogicalDatapath, flow: Flow, outport: str) -> None:
        self.events.append(f"dropped:{reason}")

    def output(self, dp: LogicalDatapath, outport: str, port: Any, group: Any) -> None:
        self.events.append(f"output:{outport}")

    def delivered(self, dp: LogicalDatapath, outport: str, port: Any, group: Any) -> None:
        self.events.append(f"delivered:{outport}")

    def redirected(self, dp: LogicalDatapath, cr: PortBinding, dist: PortBinding) -> None:
        self.events.append(f"redirected:{cr.name}->{dist.name}")


@pytest.mark.parametrize("dst,events", [
    ("00:00:00:00:00:ff", ["ingress@sw0", "egress@sw0:sw0-lr0", "output:sw0-lr0",
                           "ingress@lr0", "redirected:cr-lr0-sw1->lr0-sw1",
                           "egress@lr0:lr0-sw1", "output:lr0-sw1", "ingress@sw1",
                           "egress@sw1:vm3", "output:vm3", "delivered:vm3"]),
    ("00:00:00:00:00:01", ["ingress@sw0", "dropped:loopback"]),
    # As ovn-trace: an unknown outport is reported, then goes nowhere (no loopback flag).
    ("00:00:00:00:00:09", ["ingress@sw0", "dropped:unknown-outport", "dropped:loopback"]),
])
def test_recorder_sees_the_routing(dst, events):
    m = model()
    rec = Tables()
    ex = Executor(m, LogicalTables(m), Recording(m, "hv1"), rec)
    ex.run(m.ports["vm1"].datapath, {"inport": "vm1", "eth.dst": int(dst.replace(":", ""),
                                                                       16)})
    assert [e for e in rec.events if e != "leave"][:len(events)] == events
    assert rec.events.count("leave") == sum(e.split(":")[0].split("@")[0] in (
        "ingress", "egress", "multicast", "ct") for e in rec.events)
    assert ("sw0", "ingress", 0) not in rec.tables  # "1 => next;" passed over
