"""Per-verb cost of pyovn.api against the size of the database: every verb should cost the same
whether the Northbound holds no other routers or 10,000 of them.

Two pyovn ovsdb-servers (--no-fsync) run side by side: a small NB with only the target objects,
and a big one where the same targets sit among N routers (each with a default route, an SNAT
rule, a routing policy and a port), N switches (each with an ACL and a port), N port groups
(each with an ACL) and N HA chassis groups (each with chassis ch0). The background rows share
the keys the verbs check for (every router has 0.0.0.0/0, every switch the same ACL...), which
is the worst case for a check that is not scoped to the object the verb touches. The big
database is built with bulk transactions (raw operations, ``--chunk`` objects each).

Each verb is then run on the target router/switch/port group, in add/del pairs so the state
stays the same, the two databases interleaved sample by sample so machine load hits both
alike. For each verb: the median commit latency (``execute``: build + round trip + replica
update) on each database and their ratio, and the median client build time alone (commands run
against the replica, the transaction aborted) and its ratio — the part pyovn.api controls.

    .venv/bin/python bench/api_verbs.py [--n 10000] [--reps 200] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import signal
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pyovn import schemas
from pyovn.api import OvnNbApi
from pyovn.api.base import Command, RunContext
from pyovn.testing.wire import ServerProcess

NB = str(schemas.path("OVN_Northbound"))


def _named(name: str) -> list[str]:
    return ["named-uuid", name]


def _set(*names: str) -> list[Any]:
    return ["set", [_named(n) for n in names]]


def background_ops(i0: int, i1: int) -> list[dict[str, Any]]:
    """Raw insert operations for background objects i0..i1-1."""
    ops: list[dict[str, Any]] = []
    for i in range(i0, i1):
        a, b = (i >> 8) & 255, i & 255
        ops += [
            {"op": "insert", "table": "Logical_Router_Static_Route", "uuid-name": f"rt{i}",
             "row": {"ip_prefix": "0.0.0.0/0", "nexthop": f"172.16.{a}.{b}",
                     "policy": "dst-ip"}},
            {"op": "insert", "table": "NAT", "uuid-name": f"nat{i}",
             "row": {"type": "snat", "logical_ip": "10.0.0.0/24",
                     "external_ip": f"172.17.{a}.{b}"}},
            {"op": "insert", "table": "Logical_Router_Policy", "uuid-name": f"pol{i}",
             "row": {"priority": 100, "match": "ip4.dst == 10.0.0.0/8", "action": "allow"}},
            {"op": "insert", "table": "Logical_Router_Port", "uuid-name": f"lrp{i}",
             "row": {"name": f"lrp-r{i}", "mac": f"0a:01:00:00:{a:02x}:{b:02x}",
                     "networks": f"172.16.{a}.{b}/16"}},
            {"op": "insert", "table": "Logical_Router", "row": {
                "name": f"r{i}", "static_routes": _set(f"rt{i}"), "nat": _set(f"nat{i}"),
                "policies": _set(f"pol{i}"), "ports": _set(f"lrp{i}")}},
            {"op": "insert", "table": "ACL", "uuid-name": f"acl{i}",
             "row": {"direction": "from-lport", "priority": 1001, "match": "ip4",
                     "action": "allow-related"}},
            {"op": "insert", "table": "Logical_Switch_Port", "uuid-name": f"lsp{i}",
             "row": {"name": f"lsp-s{i}"}},
            {"op": "insert", "table": "Logical_Switch", "row": {
                "name": f"s{i}", "acls": _set(f"acl{i}"), "ports": _set(f"lsp{i}")}},
            {"op": "insert", "table": "ACL", "uuid-name": f"pgacl{i}",
             "row": {"direction": "to-lport", "priority": 1002, "match": "ip4",
                     "action": "allow-related"}},
            {"op": "insert", "table": "Port_Group", "row": {
                "name": f"pg{i}", "acls": _set(f"pgacl{i}")}},
            {"op": "insert", "table": "HA_Chassis", "uuid-name": f"hc{i}",
             "row": {"chassis_name": "ch0", "priority": 10}},
            {"op": "insert", "table": "HA_Chassis_Group", "row": {
                "name": f"hcg{i}", "ha_chassis": _set(f"hc{i}")}},
        ]
    return ops


def build(api: OvnNbApi, n: int, chunk: int) -> float:
    """The target objects, then n background objects in bulk transactions; seconds taken."""
    t0 = time.perf_counter()
    with api.transaction(check_error=True) as txn:
        txn.add(api.lr_add("rt"))
        txn.add(api.lr_route_add("rt", "10.1.0.0/16", "10.1.0.1"))
        txn.add(api.lr_nat_add("rt", "dnat_and_snat", "172.18.0.1", "10.1.0.5"))
        txn.add(api.lrp_add("rt", "lrp-rt", "0a:02:00:00:00:01", ["10.1.0.1/16"]))
        txn.add(api.ls_add("st"))
        txn.add(api.acl_add("st", "to-lport", 900, "ip6", "drop"))
        txn.add(api.lsp_add("st", "lsp-st"))
        txn.add(api.pg_add("pgt"))
        txn.add(api.ha_chassis_group_add("hcgt"))
        txn.add(api.ha_chassis_group_add_chassis("hcgt", "ch1", 5))
        txn.add(api.lb_add("lbt", "192.168.0.1:80", "10.1.0.5:8080"))
    for i0 in range(0, n, chunk):
        api.idl.transact(background_ops(i0, min(n, i0 + chunk)), timeout=600)
    api.idl.sync()
    return time.perf_counter() - t0


# (verb label, command maker) pairs; each pair is an add and the del that undoes it.
Maker = Callable[[OvnNbApi], Command]
PAIRS: list[tuple[tuple[str, Maker], tuple[str, Maker]]] = [
    (("lr_route_add", lambda a: a.lr_route_add("rt", "0.0.0.0/0", "10.1.0.254")),
     ("lr_route_del", lambda a: a.lr_route_del("rt", "0.0.0.0/0"))),
    (("lr_nat_add", lambda a: a.lr_nat_add("rt", "snat", "172.18.0.2", "10.0.0.0/24")),
     ("lr_nat_del", lambda a: a.lr_nat_del("rt", "snat", "10.0.0.0/24"))),
    (("lr_policy_add", lambda a: a.lr_policy_add("rt", 100, "ip4.dst == 10.0.0.0/8", "allow")),
     ("lr_policy_del", lambda a: a.lr_policy_del("rt", 100, "ip4.dst == 10.0.0.0/8"))),
    (("acl_add", lambda a: a.acl_add("st", "from-lport", 1001, "ip4", "allow-related")),
     ("acl_del", lambda a: a.acl_del("st", "from-lport", 1001, "ip4"))),
    (("pg_acl_add", lambda a: a.pg_acl_add("pgt", "to-lport", 1002, "ip4", "allow-related")),
     ("pg_acl_del", lambda a: a.pg_acl_del("pgt", "to-lport", 1002, "ip4"))),
    (("lsp_add", lambda a: a.lsp_add("st", "lsp-bench")),
     ("lsp_del", lambda a: a.lsp_del("lsp-bench"))),
    (("lrp_add", lambda a: a.lrp_add("rt", "lrp-bench", "0a:02:00:00:00:02", "10.2.0.1/16")),
     ("lrp_del", lambda a: a.lrp_del("lrp-bench"))),
    (("lrp_set_gateway_chassis", lambda a: a.lrp_set_gateway_chassis("lrp-rt", "ch0", 10)),
     ("lrp_del_gateway_chassis", lambda a: a.lrp_del_gateway_chassis("lrp-rt", "ch0"))),
    (("ha_chassis_group_add_chassis",
      lambda a: a.ha_chassis_group_add_chassis("hcgt", "ch0", 10)),
     ("ha_chassis_group_del_chassis", lambda a: a.ha_chassis_group_del_chassis("hcgt", "ch0"))),
    (("lb_add", lambda a: a.lb_add("lb-bench", "192.168.0.2:80", "10.1.0.6:8080")),
     ("lb_del", lambda a: a.lb_del("lb-bench"))),
    (("ls_lb_add", lambda a: a.ls_lb_add("st", "lbt")),
     ("ls_lb_del", lambda a: a.ls_lb_del("st", "lbt"))),
    (("lr_lb_add", lambda a: a.lr_lb_add("rt", "lbt")),
     ("lr_lb_del", lambda a: a.lr_lb_del("rt", "lbt"))),
    (("lr_add", lambda a: a.lr_add("r-bench")),
     ("lr_del", lambda a: a.lr_del("r-bench"))),
    (("ls_add", lambda a: a.ls_add("s-bench")),
     ("ls_del", lambda a: a.ls_del("s-bench"))),
]


def build_time(api: OvnNbApi, cmd: Command) -> float:
    """Seconds to run ``cmd`` against the replica (nothing sent)."""
    t0 = time.perf_counter()
    txn = api.idl.transaction()
    ctx = RunContext(api, txn)
    try:
        cmd.run(ctx)
        ctx.flush()
    finally:
        txn.abort()
    return time.perf_counter() - t0


def measure(apis: dict[str, OvnNbApi], reps: int,
            only: set[str] | None = None) -> dict[str, dict[str, dict[str, float]]]:
    """verb -> db label -> {"commit": median s, "build": median s}."""
    out: dict[str, dict[str, dict[str, float]]] = {}
    for (add_name, add), (del_name, dele) in PAIRS:
        if only and not only & {add_name, del_name}:
            continue
        lat: dict[tuple[str, str], list[float]] = {}
        bld: dict[tuple[str, str], list[float]] = {}
        for _ in range(reps):
            for label, api in apis.items():  # interleaved: load hits both alike
                for name, make in ((add_name, add), (del_name, dele)):
                    bld.setdefault((name, label), []).append(build_time(api, make(api)))
                    cmd = make(api)
                    t0 = time.perf_counter()
                    cmd.execute(check_error=True)
                    lat.setdefault((name, label), []).append(time.perf_counter() - t0)
        for name in (add_name, del_name):
            out[name] = {label: {"commit": statistics.median(lat[(name, label)]),
                                 "build": statistics.median(bld[(name, label)])}
                         for label in apis}
            print(f"  {name}: " + ", ".join(f"{label} {out[name][label]['commit'] * 1e3:.3f} ms"
                                            for label in apis), file=sys.stderr, flush=True)
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=10000, help="background routers etc. (10000)")
    ap.add_argument("--reps", type=int, default=200, help="samples per verb and database")
    ap.add_argument("--chunk", type=int, default=1000, help="background objects per transaction")
    ap.add_argument("--only", help="comma-separated verbs (their add/del pairs are run)")
    ap.add_argument("--json", help="also write the results here")
    args = ap.parse_args()
    # A SIGTERM unwinds like an exception, so the servers and the directory go too.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))

    sizes = {"0": 0, f"{args.n}": args.n}
    servers: list[ServerProcess] = []
    apis: dict[str, OvnNbApi] = {}
    with tempfile.TemporaryDirectory(prefix="pyovn-bench-verbs-") as d:
        try:
            for label, n in sizes.items():
                sd = Path(d) / f"nb{label}"
                sd.mkdir()
                server = ServerProcess(sd, [NB], extra=["--no-fsync"]).start()
                servers.append(server)
                api = OvnNbApi(f"unix:{server.sock}", timeout=600)
                apis[label] = api
                took = build(api, n, args.chunk)
                print(f"NB with {n} routers/switches/port groups/HA groups built in "
                      f"{took:.1f} s", file=sys.stderr, flush=True)
            results = measure(apis, args.reps, set(args.only.split(",")) if args.only else None)
        finally:
            for api in apis.values():
                api.close()
            for server in servers:
                server.stop()

    small, big = sizes
    print(f"\nmedians over {args.reps} runs; commit = execute() (build + round trip), "
          f"build = client side only")
    print(f"{'verb':30} {'commit ' + small:>10} {'commit ' + big:>12} {'ratio':>6}   "
          f"{'build ' + small:>9} {'build ' + big:>11} {'ratio':>6}")
    worst = 0.0
    for verb, r in results.items():
        c0, c1 = r[small]["commit"], r[big]["commit"]
        b0, b1 = r[small]["build"], r[big]["build"]
        worst = max(worst, c1 / c0)
        print(f"{verb:30} {c0 * 1e3:8.3f}ms {c1 * 1e3:10.3f}ms {c1 / c0:5.2f}x   "
              f"{b0 * 1e6:7.0f}us {b1 * 1e6:9.0f}us {b1 / b0:5.2f}x")
    print(f"worst commit ratio {worst:.2f}x")
    if args.json:
        Path(args.json).write_text(json.dumps({"n": args.n, "reps": args.reps,
                                               "results": results}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
