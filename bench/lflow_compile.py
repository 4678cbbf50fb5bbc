"""Logical flow compilation throughput: every flow of a 10,000-port topology built by the real
ovn-northd, parsed and compiled with pyovn.logical.

Topology (default 100 switches x 100 ports): every switch joins one distributed router; every
VM port has a MAC+IPv4+IPv6 address and port security; 20 port groups cut across all switches
(each with ACLs: allow-related web ports, an address-set source match, a stateless ICMP allow, a
drop), 10 address sets of 100 addresses, and one TCP load balancer on every switch.  The NB is
filled with a handful of raw OVSDB transactions on the real NB ovsdb-server's unix socket (what
``ovsdb-client transact`` does, but without its 128 KiB argument limit), the real ovn-northd
computes the SB, and the SB rows the flow language needs are cached as JSON in bench/out/, so
only the first run pays for the real OVN.

Measured (memo caches of pyovn.logical cleared before each pass):
  parse     match (parse_expr: parse + annotate + simplify) and actions (parse_actions) of
            every flow, no memoisation
  compile   the parsed trees to Python callables (compile_expr, compile_actions), memoised as
            in production (so repeated trees compile once)
  both      what a controller does: compile_match + parse_actions_cached + compile_actions,
            caches cold at the start; plus the same per distinct text
  memory    tracemalloc peak and retained size of all compiled flows held in a list
  eval      evaluations/s of compiled matches on one typical TCP microflow
Times are CPU seconds of this process (time.process_time), so a busy machine skews them less.

A flow whose match names a port group (``@pg``) resolves it per datapath (the SB names port
groups ``<datapath key>_<name>``), so it is compiled once per datapath it applies to, as
ovn-controller does; the other flows once.

    .venv/bin/python bench/lflow_compile.py [--switches 100] [--ports 100] [--rebuild]
                                            [--profile N]
"""

from __future__ import annotations

import argparse
import cProfile
import functools
import gc
import json
import os
import pstats
import socket
import sys
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
OUT = HERE / "out"
sys.path.insert(0, str(HERE.parent / "tests" / "logical"))

import real_topology  # noqa: E402  (tests/logical: RealOvn, dump_sb)

from pyovn.logical import clear_caches  # noqa: E402
from pyovn.logical.actions import (  # noqa: E402
    ParseParams,
    compile_actions,
    parse_actions,
    parse_actions_cached,
)
from pyovn.logical.expr import compile_expr, compile_match, parse_expr  # noqa: E402
from pyovn.logical.symbols import default_symtab  # noqa: E402

N_PORT_GROUPS = 20
N_ADDRESS_SETS = 10


# --- building the topology with the real OVN --------------------------------------------------


def _transact(sock: str, ops: list[dict[str, Any]]) -> list[Any]:
    """One OVSDB transaction on the NB server (RFC 7047 ``transact``), result checked."""
    msg = json.dumps({"method": "transact", "params": ["OVN_Northbound", *ops], "id": 1})
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
        s.connect(sock)
        s.sendall(msg.encode())
        buf = b""
        dec = json.JSONDecoder()
        while True:
            chunk = s.recv(1 << 20)
            if not chunk:
                raise RuntimeError("NB server closed the connection")
            buf += chunk
            try:
                reply, _ = dec.raw_decode(buf.decode())
            except ValueError:
                continue
            if reply.get("method") == "echo":
                buf = b""
                continue
            break
    if reply.get("error"):
        raise RuntimeError(f"transact: {reply['error']}")
    results = reply["result"]
    for r in results:
        if isinstance(r, dict) and "error" in r:
            raise RuntimeError(f"transact: {r}")
    return results


def _mac(n: int) -> str:
    return ":".join(f"{b:02x}" for b in (0x0A, 0, n >> 16 & 0xFF, n >> 8 & 0xFF, n & 0xFF, 1))


def _nb_operations(n_switches: int, n_ports: int) -> list[dict[str, Any]]:
    """The whole topology as one list of OVSDB operations (named uuids link the rows)."""
    ops: list[dict[str, Any]] = []
    router_ports = []
    pg_ports: list[list[Any]] = [[] for _ in range(N_PORT_GROUPS)]
    lb = {
        "op": "insert",
        "table": "Load_Balancer",
        "uuid-name": "lb0",
        "row": {
            "name": "lb-web",
            "protocol": "tcp",
            "vips": ["map", [["10.255.0.10:80", "10.0.0.11:8080,10.1.0.11:8080"]]],
        },
    }
    ops.append(lb)
    for s in range(n_switches):
        lsps = []
        for p in range(n_ports):
            n = s * n_ports + p
            name = f"sw{s}-p{p}"
            ip4 = f"10.{s}.{p // 250}.{p % 250 + 2}"
            ip6 = f"fd00:{s:x}::{p + 2:x}"
            addr = f"{_mac(n)} {ip4} {ip6}"
            uid = f"lsp{n}"
            ops.append(
                {
                    "op": "insert",
                    "table": "Logical_Switch_Port",
                    "uuid-name": uid,
                    "row": {"name": name, "addresses": addr, "port_security": addr},
                }
            )
            lsps.append(["named-uuid", uid])
            pg_ports[n % N_PORT_GROUPS].append(["named-uuid", uid])
        # The switch's port to the router.
        rp = f"rp{s}"
        ops.append(
            {
                "op": "insert",
                "table": "Logical_Switch_Port",
                "uuid-name": f"{rp}_lsp",
                "row": {
                    "name": f"sw{s}-lr0",
                    "type": "router",
                    "addresses": "router",
                    "options": ["map", [["router-port", f"lr0-sw{s}"]]],
                },
            }
        )
        lsps.append(["named-uuid", f"{rp}_lsp"])
        ops.append(
            {
                "op": "insert",
                "table": "Logical_Router_Port",
                "uuid-name": rp,
                "row": {
                    "name": f"lr0-sw{s}",
                    "mac": f"00:00:00:ff:{s >> 8:02x}:{s & 0xFF:02x}",
                    "networks": ["set", [f"10.{s}.0.1/16", f"fd00:{s:x}::1/64"]],
                },
            }
        )
        router_ports.append(["named-uuid", rp])
        ops.append(
            {
                "op": "insert",
                "table": "Logical_Switch",
                "row": {
                    "name": f"sw{s}",
                    "ports": ["set", lsps],
                    "load_balancer": ["set", [["named-uuid", "lb0"]]],
                },
            }
        )
    ops.append(
        {
            "op": "insert",
            "table": "Logical_Router",
            "row": {"name": "lr0", "ports": ["set", router_ports]},
        }
    )
    for a in range(N_ADDRESS_SETS):
        addrs = [f"192.168.{a}.{i + 1}" for i in range(100)]
        ops.append(
            {
                "op": "insert",
                "table": "Address_Set",
                "row": {"name": f"as{a}", "addresses": ["set", addrs]},
            }
        )
    for g in range(N_PORT_GROUPS):
        pg = f"pg{g}"
        acls = [
            (
                "to-lport",
                1002,
                f"outport == @{pg} && ip4 && tcp.dst == {{80, 443}}",
                "allow-related",
            ),
            (
                "to-lport",
                1001,
                f"outport == @{pg} && ip4.src == ${'as'}{g % N_ADDRESS_SETS}",
                "allow",
            ),
            ("to-lport", 1000, f"outport == @{pg} && ip", "drop"),
            ("from-lport", 1001, f"inport == @{pg} && icmp4", "allow-stateless"),
            ("from-lport", 1000, f"inport == @{pg} && ip4 && udp.dst == 53", "allow-related"),
        ]
        names = []
        for i, (direction, prio, match, action) in enumerate(acls):
            uid = f"acl_{g}_{i}"
            ops.append(
                {
                    "op": "insert",
                    "table": "ACL",
                    "uuid-name": uid,
                    "row": {
                        "direction": direction,
                        "priority": prio,
                        "match": match,
                        "action": action,
                    },
                }
            )
            names.append(["named-uuid", uid])
        ops.append(
            {
                "op": "insert",
                "table": "Port_Group",
                "row": {
                    "name": pg,
                    "ports": ["set", pg_ports[g]],
                    "acls": ["set", names],
                },
            }
        )
    return ops


def build_sb(n_switches: int, n_ports: int) -> dict[str, Any]:
    """Builds the topology with the real OVN and returns ``real_topology.dump_sb`` of it."""
    with real_topology.RealOvn() as ovn:
        t0 = time.perf_counter()
        ovn.nbctl("init")
        ovn.sbctl("chassis-add", "chassis1", "geneve", "127.0.0.1")
        _transact(str(ovn.dir / "nb.sock"), _nb_operations(n_switches, n_ports))
        t1 = time.perf_counter()
        ovn.nbctl("--timeout=600", "--wait=sb", "sync")
        t2 = time.perf_counter()
        data = real_topology.dump_sb(ovn)
        t3 = time.perf_counter()
    print(
        f"real OVN: NB filled in {t1 - t0:.1f}s, northd done in {t2 - t1:.1f}s, "
        f"SB read in {t3 - t2:.1f}s"
    )
    return data


def load_sb(n_switches: int, n_ports: int, rebuild: bool) -> dict[str, Any]:
    cache = OUT / f"lflows-{n_switches}x{n_ports}.json"
    if cache.exists() and not rebuild:
        data: dict[str, Any] = json.loads(cache.read_text())
        return data
    missing = real_topology.missing_binaries()
    if missing:
        sys.exit(f"missing: {', '.join(missing)} (needed once, to build {cache.name})")
    data = build_sb(n_switches, n_ports)
    OUT.mkdir(exist_ok=True)
    cache.write_text(json.dumps(data))
    return data


# --- the work units ---------------------------------------------------------------------------


class Unit:
    """One flow as a controller compiles it: match, actions, where it sits, which datapath."""

    __slots__ = ("match", "actions", "params", "dp_id")

    def __init__(self, match: str, actions: str, params: ParseParams, dp_id: int | None) -> None:
        self.match, self.actions, self.params, self.dp_id = match, actions, params, dp_id


def work_units(data: dict[str, Any]) -> list[Unit]:
    symtab = default_symtab()
    params: dict[tuple[str, int], ParseParams] = {}
    units = []
    for f in data["flows"]:
        pipeline = "ingress" if f["pipeline"] == "ingress" else "egress"
        key = (pipeline, f["table_id"])
        pp = params.get(key)
        if pp is None:
            pp = params[key] = ParseParams(symtab=symtab, pipeline=pipeline, table=f["table_id"])
        dps = f["datapaths"] or [None]
        for dp in dps if "@" in f["match"] else dps[:1]:
            units.append(Unit(f["match"], f["actions"], pp, dp))
    return units


# --- measurements -----------------------------------------------------------------------------


# CPU time of this process: the figures stay meaningful on a machine shared with other work.
_clock = time.process_time


def _timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    gc.collect()
    t0 = _clock()
    r = fn()
    return _clock() - t0, r


def compile_all(units: list[Unit], data: dict[str, Any]) -> list[tuple[Any, Any]]:
    """What a controller does for every flow: compiled match and compiled actions."""
    symtab = default_symtab()
    addr_sets, port_groups = data["address_sets"], data["port_groups"]
    return [
        (
            compile_match(u.match, symtab, addr_sets, port_groups, u.dp_id),
            compile_actions(parse_actions_cached(u.actions, u.params)),
        )
        for u in units
    ]


def parse_all(units: list[Unit], data: dict[str, Any]) -> list[tuple[Any, Any]]:
    symtab = default_symtab()
    addr_sets, port_groups = data["address_sets"], data["port_groups"]
    return [
        (
            parse_expr(u.match, symtab, addr_sets, port_groups, u.dp_id),
            parse_actions(u.actions, u.params),
        )
        for u in units
    ]


def compile_parsed(parsed: list[tuple[Any, Any]]) -> list[tuple[Any, Any]]:
    return [(compile_expr(e), compile_actions(a)) for e, a in parsed]


def typical_microflow(data: dict[str, Any]) -> dict[str, int | str]:
    """A TCP SYN from the first VM port to the second, as the ls_in pipeline sees it."""
    return {
        "inport": "sw0-p0",
        "outport": "sw0-p1",
        "eth.src": int("0a0000000001", 16),
        "eth.dst": int("0a0000000101", 16),
        "eth.type": 0x0800,
        "ip4.src": int.from_bytes(bytes([10, 0, 0, 2]), "big"),
        "ip4.dst": int.from_bytes(bytes([10, 0, 0, 3]), "big"),
        "ip.proto": 6,
        "ip.ttl": 64,
        "tcp.src": 40000,
        "tcp.dst": 80,
        "tcp.flags": 0x002,
        "ct_state": 0x21,
    }


def measure(data: dict[str, Any], profile: int, sample: int = 1) -> None:
    units = work_units(data)[::sample]
    n = len(units)
    print(
        f"{len(data['flows'])} SB logical flows, {len(data['datapaths'])} datapaths, "
        f"{len(data['address_sets'])} address sets, {len(data['port_groups'])} SB port groups"
    )
    d_match = len({(u.match, u.dp_id if "@" in u.match else None) for u in units})
    d_act = len({(u.actions, u.params) for u in units})
    d_mtext = len({u.match for u in units})
    d_atext = len({u.actions for u in units})
    print(
        f"{n} flow compilations (per datapath for @port-group matches); distinct: "
        f"{d_mtext} match texts ({d_match} with their port-group datapath), "
        f"{d_atext} actions texts ({d_act} with their stage)"
    )

    if profile:
        clear_caches()
        prof = cProfile.Profile()
        prof.enable()
        compile_all(units, data)
        prof.disable()
        pstats.Stats(prof).sort_stats("tottime").print_stats(profile)
        pstats.Stats(prof).sort_stats("cumtime").print_stats(profile)
        return

    clear_caches()
    t_parse, parsed = _timed(lambda: parse_all(units, data))
    clear_caches()
    t_comp, _ = _timed(functools.partial(compile_parsed, parsed))
    del parsed
    clear_caches()
    t_both, compiled = _timed(lambda: compile_all(units, data))
    distinct = d_match + d_act
    print(f"parse (every flow, no memo):        {n / t_parse:10,.0f} flows/s  ({t_parse:.2f}s)")
    print(f"compile (parsed trees, memo cold):  {n / t_comp:10,.0f} flows/s  ({t_comp:.2f}s)")
    print(f"parse+compile (memo cold):          {n / t_both:10,.0f} flows/s  ({t_both:.2f}s)")
    print(f"  per distinct text (match or actions, {distinct}): {distinct / t_both:,.0f} texts/s")
    t_warm, _ = _timed(lambda: compile_all(units, data))
    print(f"parse+compile (memo warm):          {n / t_warm:10,.0f} flows/s  ({t_warm:.2f}s)")

    # Memory of holding every compiled flow (memo caches included: they hold the same objects).
    del compiled
    clear_caches()
    gc.collect()
    tracemalloc.start()
    base = tracemalloc.get_traced_memory()[0]
    held = compile_all(units, data)
    current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(
        f"memory: {(current - base) / 2**20:.1f} MiB held for {len(held)} compiled flows "
        f"({(current - base) / len(held):,.0f} B/flow), peak {(peak - base) / 2**20:.1f} MiB"
    )

    # Evaluation: every distinct compiled match against one typical microflow.
    flow = typical_microflow(data)
    matches = list({id(m): m for m, _ in held}.values())
    reps = max(1, 2_000_000 // len(matches))
    t0 = _clock()
    hits = 0
    for _ in range(reps):
        for m in matches:
            if m(flow):
                hits += 1
    t_eval = _clock() - t0
    evals = reps * len(matches)
    print(
        f"eval: {evals / t_eval:,.0f} evaluations/s over {len(matches)} distinct compiled "
        f"matches on a TCP microflow ({hits // reps} match it)"
    )
    acl = compile_match(
        "outport == @pg1 && ip4 && tcp.dst == {80, 443}",
        default_symtab(),
        data["address_sets"],
        data["port_groups"],
        1,
    )
    k = 1_000_000
    t0 = _clock()
    for _ in range(k):
        acl(flow)
    t_acl = _clock() - t0
    print(f"eval: {k / t_acl:,.0f} evaluations/s of a port-group ACL match (one match)")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--switches", type=int, default=100)
    ap.add_argument("--ports", type=int, default=100, help="VM ports per switch")
    ap.add_argument("--rebuild", action="store_true", help="rebuild the cached SB dump")
    ap.add_argument(
        "--sample",
        type=int,
        default=1,
        metavar="K",
        help="use every K-th flow only (quicker runs while profiling)",
    )
    ap.add_argument(
        "--profile",
        type=int,
        default=0,
        metavar="N",
        help="cProfile the cold parse+compile pass, print the top N",
    )
    args = ap.parse_args()
    data = load_sb(args.switches, args.ports, args.rebuild)
    measure(data, args.profile, args.sample)


if __name__ == "__main__":
    os.environ.setdefault("PYTHONHASHSEED", "0")
    main()
