"""The floor under bench/northd.py's scaling target: what an ovsdb-server charges for adding one
element to a large set column, at 2,000 and 10,000 elements, on the real ovsdb-server and on
pyovn's, in the same run.

A change in bench/northd.py's port-group shape adds one port. Whatever northd computes, the
Southbound it must write (the one the real ovn-northd writes) grows four large sets by one
element: Port_Group.ports, Address_Set.addresses (the port group's address set) and the ports
of two Multicast_Groups (_MC_flood, _MC_flood_l2); the Northbound change itself grows two more
(Logical_Switch.ports, Port_Group.ports). Each such mutation costs the server time proportional
to the set's size. This benchmark measures that cost alone: one client on a unix socket sends
one-mutation transactions (``reps`` of each kind, the set growing by one each time) while a
second client monitors the tables (as northd does), and the server's CPU per transaction (from
/proc) and the median round trip are printed per kind and size, with the 10k/2k growth.

Kinds:  pg   Port_Group.ports += one name (a set of strings)
        as   Address_Set.addresses += one address
        mg   a Port_Binding inserted and Multicast_Group.ports += it (a set of references)
        pb   a Port_Binding inserted alone (no large set: the control)

    .venv/bin/python bench/set_mutation.py [--n 2000,10000] [--reps 300] [--only real,pyovn]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from pyovn import schemas
from pyovn.testing.wire import RawClient, ServerProcess, have

SB = "OVN_Southbound"
KINDS = ("pg", "as", "mg", "pb")
CHUNK = 1000


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def address(i: int, first: int = 10) -> str:
    return f"{first}.{(i >> 16) & 255}.{(i >> 8) & 255}.{i & 255}"


def checked(result: list[Any]) -> list[Any]:
    errors = [r for r in result if isinstance(r, dict) and "error" in r]
    if errors:
        raise RuntimeError(f"transaction failed: {errors[0]}")
    return result


def populate(c: RawClient, n: int) -> dict[str, str]:
    """A datapath, n Port_Bindings in one Multicast_Group, a Port_Group and an Address_Set of n."""
    res = checked(c.transact(
        SB,
        {"op": "insert", "table": "Datapath_Binding", "row": {"tunnel_key": 1}},
        {"op": "insert", "table": "Port_Group",
         "row": {"name": "pg", "ports": ["set", [f"p{i}" for i in range(n)]]}},
        {"op": "insert", "table": "Address_Set",
         "row": {"name": "as", "addresses": ["set", [address(i) for i in range(n)]]}}))
    uuids = {"dp": res[0]["uuid"][1], "pg": res[1]["uuid"][1], "as": res[2]["uuid"][1]}
    for first in range(0, n, CHUNK):
        last = min(n, first + CHUNK)
        ops: list[Any] = [{"op": "insert", "table": "Port_Binding", "uuid-name": f"pb{i}",
                           "row": {"logical_port": f"p{i}", "datapath": ["uuid", uuids["dp"]],
                                   "tunnel_key": i + 1}} for i in range(first, last)]
        refs = ["set", [["named-uuid", f"pb{i}"] for i in range(first, last)]]
        if first == 0:
            ops.append({"op": "insert", "table": "Multicast_Group", "uuid-name": "mg",
                        "row": {"name": "_MC_flood", "datapath": ["uuid", uuids["dp"]],
                                "tunnel_key": 32768, "ports": refs}})
        else:
            ops.append({"op": "mutate", "table": "Multicast_Group", "where": [],
                        "mutations": [["ports", "insert", refs]]})
        checked(c.transact(SB, *ops))
    return uuids


def change_ops(kind: str, j: int, uuids: dict[str, str]) -> list[Any]:
    def where(u: str) -> list[Any]:
        return [["_uuid", "==", ["uuid", u]]]

    pb = {"op": "insert", "table": "Port_Binding", "uuid-name": "new",
          "row": {"logical_port": f"{kind}{j}", "datapath": ["uuid", uuids["dp"]],
                  "tunnel_key": 20000 + j if kind == "mg" else 25000 + j}}
    if kind == "pg":
        return [{"op": "mutate", "table": "Port_Group", "where": where(uuids["pg"]),
                 "mutations": [["ports", "insert", ["set", [f"new{j}"]]]]}]
    if kind == "as":
        return [{"op": "mutate", "table": "Address_Set", "where": where(uuids["as"]),
                 "mutations": [["addresses", "insert", ["set", [address(j, 11)]]]]}]
    if kind == "mg":
        return [pb, {"op": "mutate", "table": "Multicast_Group", "where": [],
                     "mutations": [["ports", "insert", ["set", [["named-uuid", "new"]]]]]}]
    return [pb]


def drain(c: RawClient) -> None:
    """The monitoring client: reads (and so makes the server send) every update."""
    try:
        while True:
            msg = c.recv()
            if msg.get("method") == "echo":
                c.send({"result": msg["params"], "error": None, "id": msg["id"]})
    except (OSError, ConnectionError):
        pass


def run(real: bool, n: int, reps: int) -> dict[str, tuple[float, float]]:
    with tempfile.TemporaryDirectory(prefix="bench-setmut-") as d, \
            ServerProcess(Path(d), [str(schemas.path(SB))], real=real,
                          extra=[] if real else ["--no-fsync"]) as server:
        assert server.proc is not None
        c = server.client()
        uuids = populate(c, n)
        mon = server.client()
        mon.call("monitor_cond", [SB, None, {t: [{}] for t in
                                             ("Port_Group", "Address_Set", "Multicast_Group",
                                              "Port_Binding")}])
        mon.sock.settimeout(None)
        threading.Thread(target=drain, args=(mon,), daemon=True).start()
        out: dict[str, tuple[float, float]] = {}
        for kind in KINDS:
            lat = []
            c0 = cpu_seconds(server.proc.pid)
            for j in range(reps):
                t = time.perf_counter()
                checked(c.transact(SB, *change_ops(kind, j, uuids)))
                lat.append((time.perf_counter() - t) * 1000)
            time.sleep(0.05)  # the monitor's updates sent
            cpu_ms = (cpu_seconds(server.proc.pid) - c0) * 1000 / reps
            out[kind] = (cpu_ms, statistics.median(lat))
        c.close()
        mon.close()
        return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", default="2000,10000")
    ap.add_argument("--reps", type=int, default=300)
    ap.add_argument("--only", default="real,pyovn")
    args = ap.parse_args()
    sizes = [int(x) for x in args.n.split(",")]
    servers = [s for s in args.only.split(",") if s != "real" or have("ovsdb-server")]
    if "real" in args.only and "real" not in servers:
        print("real ovsdb-server not installed: pyovn's only", file=sys.stderr)
    results: dict[tuple[str, int], dict[str, tuple[float, float]]] = {}
    for n in sizes:
        for s in servers:
            results[s, n] = run(s == "real", n, args.reps)
    print(f"server CPU ms per transaction / median round trip ms ({args.reps} of each kind)")
    print(f"{'server':8} {'kind':4} " + " ".join(f"{'n=' + str(n):>15}" for n in sizes)
          + "   growth (cpu, rtt)")
    for s in servers:
        for kind in KINDS:
            cells = [results[s, n][kind] for n in sizes]
            line = " ".join(f"{c:7.3f}/{r:7.3f}" for c, r in cells)
            first, last = cells[0], cells[-1]
            growth = (f"{last[0] - first[0]:+.3f} ms, {last[1] - first[1]:+.3f} ms"
                      if len(cells) > 1 else "")
            print(f"{s:8} {kind:4} {line}   {growth}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
