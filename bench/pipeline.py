"""Pipeline executor throughput: build an SbModel, compile its logical tables, push packets.

The Southbound is bench/lflow_compile.py's topology (default 100 switches x 100 VM ports, one
distributed router, 20 port groups with ACLs, 10 address sets, a load balancer on every switch)
built once with the real ovn-northd; the rows the pipeline reads are cached in bench/out/ as
JSON, so only the first run needs the real OVN.

Measured (CPU seconds of this process, ``time.process_time``):
  model      SbModel.from_rows over every row (flows grouped, sorted, indexed)
  compile    every logical table of every datapath compiled cold (pyovn.logical's memo caches
             cleared first): flow rows/s and (per-datapath) flows/s; ``--profile N`` prints
             cProfile's top N of this pass
  packets    packets/s through Executor.run on the fast path (whole compiled programs, no
             recorder) with a host that counts deliveries (every port resident, conntrack
             answers est): VM -> VM on one switch (ingress + egress, ACLs with conntrack),
             VM -> VM across the router (switch, router, switch), an ARP request the switch
             answers, an ARP request it floods (the multicast group of every port)
  lookup     indexed table lookups/s against a linear scan of the same tables

The garbage collector's thresholds are set as pyovn's daemons set them (``--default-gc`` keeps
Python's: compiling then takes about twice as long).  ``--real-controller`` measures the
reference instead: the real ovn-controller (over the real ovs-vswitchd, userspace datapath) on
the same Southbound with one VIF of sw0 bound, so every datapath is local; its CPU time from
start until its OpenFlow flows stop changing.

Measured on the 2-CPU development machine (100 x 100: 74,964 flow rows, 105,456 flows on
101 datapaths): model 1.2-1.4 s, compile 5.0-6.5 s (16,000-20,000 flows/s cold; 4x the
3,600/s of parsing every flow), so a start of 6.3-7.9 s CPU against 5.1 s CPU (11 s wall) for
the real ovn-controller to install its 86,440 OpenFlow flows; packets/s: ~26,000 VM -> VM on a
switch, ~8,000 across the router, ~29,000 answered ARPs, ~800 flooded ARPs (99 deliveries each).

    .venv/bin/python bench/pipeline.py [--switches 100] [--ports 100] [--rebuild]
                                       [--profile N] [--packets N] [--default-gc]
                                       [--real-controller]
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import json
import os
import pstats
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
OUT = HERE / "out"
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "tests" / "logical"))


# --- the Southbound, built once with the real OVN ---------------------------------------------


def _encode(v: Any) -> Any:
    if isinstance(v, dict):
        return {"map": [[k, x] for k, x in v.items()]}
    if isinstance(v, (frozenset, set)) or type(v).__name__ == "LargeSet":
        return {"set": sorted(v)}
    return v


def _decode(v: Any) -> Any:
    if isinstance(v, dict):
        if "map" in v:
            return {k: x for k, x in v["map"]}
        return frozenset(v["set"])
    return v


def build_rows(n_switches: int, n_ports: int) -> dict[str, dict[str, dict[str, Any]]]:
    """The topology of bench/lflow_compile.py through the real northd; the SB rows it wrote."""
    import lflow_compile
    import real_topology

    from pyovn.ovsdb.client.oneshot import fetch
    from pyovn.pipeline.sbtypes import TABLES  # what the model reads

    with real_topology.RealOvn() as ovn:
        t0 = time.perf_counter()
        ovn.nbctl("init")
        ovn.sbctl("chassis-add", "chassis1", "geneve", "127.0.0.1")
        lflow_compile._transact(str(ovn.dir / "nb.sock"),
                                lflow_compile._nb_operations(n_switches, n_ports))
        ovn.nbctl("--timeout=900", "--wait=sb", "sync")
        t1 = time.perf_counter()
        rows = fetch(ovn.sb, "OVN_Southbound", tables=TABLES, timeout=120.0)
    print(f"real OVN built the Southbound in {t1 - t0:.1f}s")
    return {t: {u: dict(r) for u, r in rows.get(t, {}).items()} for t in TABLES}


def load_rows(n_switches: int, n_ports: int, rebuild: bool) -> dict[str, dict[str, Any]]:
    cache = OUT / f"pipeline-sb-{n_switches}x{n_ports}.json"
    if cache.exists() and not rebuild:
        raw = json.loads(cache.read_text())
        return {t: {u: {c: _decode(v) for c, v in r.items()} for u, r in rows.items()}
                for t, rows in raw.items()}
    import real_topology

    missing = real_topology.missing_binaries()
    if missing:
        sys.exit(f"missing: {', '.join(missing)} (needed once, to build {cache.name})")
    rows = build_rows(n_switches, n_ports)
    OUT.mkdir(exist_ok=True)
    cache.write_text(json.dumps({t: {u: {c: _encode(v) for c, v in r.items()}
                                     for u, r in rs.items()} for t, rs in rows.items()}))
    return rows


# --- the real ovn-controller's start-up on the same Southbound ---------------------------------


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def real_controller_startup(n_switches: int, n_ports: int, settle: float = 5.0,
                            verbose: bool = True) -> tuple[float, float, int]:
    """(CPU seconds, wall seconds, OpenFlow flows) the real ovn-controller needs from its start
    until br-int's flow count is final (no change and no CPU used for ``settle`` seconds), with one VIF of sw0 bound here (so every
    datapath is local: sw0 - lr0 - every switch)."""
    import lflow_compile

    from pyovn.testing.stack import Stack

    with tempfile.TemporaryDirectory(prefix="pyovn-bench-") as d:
        st = Stack(d, "all-real", system_id="chassis1", controller=False)
        try:
            lflow_compile._transact(f"{d}/nb.sock",
                                    lflow_compile._nb_operations(n_switches, n_ports))
            st.nbctl("--timeout=900", "--wait=sb", "sync")
            st.vsctl("add-br", "br-int", "--", "set", "Bridge", "br-int",
                     "datapath_type=netdev", "fail-mode=secure", "--", "add-port", "br-int",
                     "vif0", "--", "set", "Interface", "vif0", "type=internal",
                     "external_ids:iface-id=sw0-p0")
            t0 = time.monotonic()
            st.start_controller()
            pid = st.daemon_pid("ovn-controller")
            assert pid is not None
            # Done when the flow count has not changed and the controller has used no CPU for
            # ``settle`` seconds (it installs a first batch, then computes the rest for a while).
            last, cpu, wall = -1, 0.0, 0.0
            quiet_since, quiet_cpu = time.monotonic(), 0.0
            while time.monotonic() - t0 < 900:
                out = st.run("ovs-ofctl", "-O", "OpenFlow15", "dump-aggregate",
                             f"unix:{d}/br-int.mgmt", check=False, ns=st.chassis_ns)
                n = int(out.split("flow_count=")[1].split()[0]) if "flow_count=" in out else 0
                now_cpu = _cpu_seconds(pid)
                if n != last:
                    last, cpu, wall = n, now_cpu, time.monotonic() - t0
                    if verbose:
                        print(f"  {wall:6.1f}s wall {cpu:6.1f}s CPU: {n} flows")
                if n != last or now_cpu - quiet_cpu > 0.05:
                    quiet_since, quiet_cpu = time.monotonic(), now_cpu
                elif n > 1000 and time.monotonic() - quiet_since > settle:
                    return cpu, wall, n
                time.sleep(0.5)
            raise RuntimeError("ovn-controller did not settle")
        finally:
            st.close()


# --- measurements -----------------------------------------------------------------------------

_clock = time.process_time  # CPU time of this process: meaningful on a shared machine


def cold_caches() -> None:
    """Empties every memo of the flow language and of the pipeline's compilers."""
    from pyovn.logical import clear_caches
    from pyovn.pipeline import shapes, tables

    clear_caches()
    shapes.clear()
    tables.flow_code.cache_clear()
    tables._actions_code.cache_clear()
    tables._annotated_conjunct.cache_clear()
    tables._prereq_text.cache_clear()


def measure_start(rows: dict[str, Any], profile: int) -> Any:
    """Model + every table of every datapath compiled, caches cold: what a controller does
    before its ports are ready."""
    from pyovn.pipeline.sbmodel import SbModel
    from pyovn.pipeline.tables import LogicalTables

    cold_caches()
    gc.collect()
    t0 = _clock()
    model = SbModel.from_rows(rows)
    t1 = _clock()
    tables = LogicalTables(model)
    prof = cProfile.Profile() if profile else None
    if prof is not None:
        prof.enable()
    n = sum(tables.compile_datapath(dp) for dp in model.datapaths.values())
    if prof is not None:
        prof.disable()
    t2 = _clock()
    n_rows = len(rows["Logical_Flow"])
    print(f"model:   {t1 - t0:6.2f} s  SbModel.from_rows ({n_rows:,} flow rows, "
          f"{sum(len(r) for r in rows.values()):,} rows)")
    print(f"compile: {t2 - t1:6.2f} s  {n:,} flows on {len(model.datapaths)} datapaths: "
          f"{n / (t2 - t1):,.0f} flows/s, {n_rows / (t2 - t1):,.0f} flow rows/s (cold)")
    print(f"start:   {t2 - t0:6.2f} s  model + compile")
    if prof is not None:
        pstats.Stats(prof).sort_stats("tottime").print_stats(profile)
    return model, tables


def _packets(model: Any) -> dict[str, tuple[Any, dict[str, Any]]]:
    """name -> (datapath, microflow) of the measured packets (bench/lflow_compile topology)."""
    from pyovn.trace.microflow import parse_microflow

    def mac(n: int) -> str:
        return f"0a:00:{n >> 16 & 255:02x}:{n >> 8 & 255:02x}:{n & 255:02x}:01"

    src = 'inport == "sw0-p0" && eth.src == ' + mac(0) + " && "
    texts = {
        "vm-vm (switch, ACLs, conntrack)":
            src + f"eth.dst == {mac(1)} && ip4.src == 10.0.0.2 && ip4.dst == 10.0.0.3 && "
            "ip.ttl == 64 && tcp.src == 40000 && tcp.dst == 80",
        "vm-router-vm (3 datapaths)":
            src + "eth.dst == 00:00:00:ff:00:00 && ip4.src == 10.0.0.2 && "
            "ip4.dst == 10.1.0.2 && ip.ttl == 64 && tcp.src == 40000 && tcp.dst == 80",
        "ARP request (answered)":
            src + "eth.dst == ff:ff:ff:ff:ff:ff && arp.op == 1 && arp.sha == " + mac(0) +
            " && arp.spa == 10.0.0.2 && arp.tpa == 10.0.0.3",
        "ARP request for an unknown address (flooded)":
            src + "eth.dst == ff:ff:ff:ff:ff:ff && arp.op == 1 && arp.sha == " + mac(0) +
            " && arp.spa == 10.0.0.2 && arp.tpa == 10.0.0.250",
    }
    out = {}
    for name, text in texts.items():
        flow = parse_microflow(text, model.symtab, model.address_sets, model.port_groups, None)
        out[name] = (model.ports["sw0-p0"].datapath, flow)
    return out


def measure_packets(model: Any, tables: Any, n: int) -> None:
    from pyovn.pipeline.executor import BaseHost, Executor

    class Host(BaseHost):
        """Every port here; conntrack answers established; deliveries counted."""

        def __init__(self) -> None:
            super().__init__(model)
            self.out = 0

        def is_resident(self, port: str) -> bool:
            return True

        def deliver(self, port: Any, flow: Any) -> None:
            self.out += 1

        def ct_next(self, dp: Any, flow: Any) -> None:
            flow["ct_state"] = 0x22  # est|trk

        def ct_lb(self, dp: Any, flow: Any, action: Any) -> bool:
            flow["ct_state"] = 0x22
            return True

    host = Host()
    ex = Executor(model, tables, host)
    for name, (dp, flow) in _packets(model).items():
        host.out = 0
        ex.run(dp, flow)
        per = host.out
        reads: set[str] = set()
        ex.run(dp, flow, reads)
        t0 = _clock()
        for _ in range(n):
            ex.run(dp, flow)
        dt = _clock() - t0
        print(f"packets: {n / dt:8,.0f} /s  {name}: {per} deliveries each, "
              f"cache key {len(reads)} fields{' + conntrack' if '*' in reads else ''}")


def measure_lookup(model: Any, tables: Any) -> None:
    """Indexed lookups against linear scans, on the (table, packet) pairs the packets meet."""
    from pyovn.pipeline.executor import BaseHost, Executor
    from pyovn.pipeline.tables import CompiledTable

    pairs: list[tuple[Any, dict[str, Any]]] = []
    orig = CompiledTable.lookup

    def spy(self: Any, flow: Any) -> Any:
        pairs.append((self, dict(flow)))
        return orig(self, flow)

    CompiledTable.lookup = spy  # type: ignore[method-assign]
    try:
        ex = Executor(model, tables, BaseHost(model))
        ex.host.is_resident = lambda port: True  # type: ignore[method-assign]
        for dp, flow in _packets(model).values():
            ex.run(dp, flow)
    finally:
        CompiledTable.lookup = orig  # type: ignore[method-assign]
    reps = 200
    t0 = _clock()
    for _ in range(reps):
        for ct, flow in pairs:
            ct.lookup(flow)
    t1 = _clock()
    for _ in range(reps):
        for ct, flow in pairs:
            ct.lookup_linear(flow)
    t2 = _clock()
    n = reps * len(pairs)
    sizes = sorted(len(ct.entries) for ct, _ in pairs)
    print(f"lookup:  {n / (t1 - t0):10,.0f} /s indexed, {n / (t2 - t1):10,.0f} /s linear scan "
          f"({len(pairs)} lookups of the packets above; tables of {sizes[0]}..{sizes[-1]} "
          f"flows, median {sizes[len(sizes) // 2]})")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--switches", type=int, default=100)
    ap.add_argument("--ports", type=int, default=100, help="VM ports per switch")
    ap.add_argument("--rebuild", action="store_true", help="rebuild the cached SB rows")
    ap.add_argument("--build-only", action="store_true", help="only build the cached SB rows")
    ap.add_argument("--profile", type=int, default=0, metavar="N",
                    help="cProfile the cold compilation, print the top N")
    ap.add_argument("--packets", type=int, default=2000, help="runs per measured packet")
    ap.add_argument("--default-gc", action="store_true",
                    help="keep Python's default garbage collector thresholds")
    ap.add_argument("--real-controller", action="store_true",
                    help="measure the real ovn-controller's start-up on the same Southbound")
    args = ap.parse_args()
    if args.real_controller:
        cpu, wall, n = real_controller_startup(args.switches, args.ports)
        print(f"real ovn-controller: {cpu:.1f} s CPU, {wall:.1f} s wall until its {n} OpenFlow "
              "flows were installed")
        return
    rows = load_rows(args.switches, args.ports, args.rebuild)
    if args.build_only:
        print({t: len(r) for t, r in rows.items()})
        return
    # What pyovn's daemons do (cli/northd.py): the default thresholds make the collector
    # traverse the whole (large, long-lived) heap over and over while flows are compiled.
    if not args.default_gc:
        gc.set_threshold(50_000, 20, 100)
    model, tables = measure_start(rows, args.profile)
    if args.profile:
        return
    measure_packets(model, tables, args.packets)
    measure_lookup(model, tables)


if __name__ == "__main__":
    main()
