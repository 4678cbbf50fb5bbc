"""16 threads share ONE Api (one connection); each commits 200 multi-command transactions.

Every transaction creates a router with its gateway port, a static route and a NAT rule, all
named after the thread and iteration. Afterwards a fresh client reads the database: every router
must have exactly its own port, route and NAT rule — a transaction that lost a command, or took
one from another thread, shows up as a missing or foreign child.
"""

from __future__ import annotations

import threading

from pyovn.ovsdb.client import SyncIdl

THREADS = 16
ITERATIONS = 200


def _names(t: int, i: int) -> dict[str, str]:
    return {
        "router": f"r-{t}-{i}",
        "port": f"lrp-{t}-{i}",
        "mac": f"00:00:00:{t:02x}:{i >> 8:02x}:{i & 255:02x}",
        "network": f"10.{t}.{i}.1/24",
        "prefix": f"10.{100 + t}.{i}.0/24",
        "nexthop": f"10.{t}.{i}.254",
        "external_ip": f"172.16.{t}.{i}",
        "logical_ip": f"10.{t}.{i}.0/24",
    }


def _worker(api, t: int, errors: list[BaseException]) -> None:
    try:
        for i in range(ITERATIONS):
            n = _names(t, i)
            with api.transaction(check_error=True) as txn:
                txn.add(api.lr_add(n["router"]))
                txn.add(api.lrp_add(n["router"], n["port"], n["mac"], [n["network"]],
                                    gateway_chassis=[f"ch-{t}"]))
                txn.add(api.lr_route_add(n["router"], n["prefix"], n["nexthop"]))
                txn.add(api.lr_nat_add(n["router"], "snat", n["external_ip"], n["logical_ip"]))
    except BaseException as e:  # reported by the main thread
        errors.append(e)


def test_threads_never_share_a_transaction(nb_any):
    api = nb_any
    errors: list[BaseException] = []
    threads = [threading.Thread(target=_worker, args=(api, t, errors)) for t in range(THREADS)]
    for th in threads:
        th.start()
    for th in threads:
        th.join(300)
    assert not errors, errors[:3]

    fresh = SyncIdl(api.remote, "OVN_Northbound")
    try:
        routers = fresh["Logical_Router"].all()
        assert len(routers) == THREADS * ITERATIONS
        ports, routes = fresh["Logical_Router_Port"], fresh["Logical_Router_Static_Route"]
        nats, gcs = fresh["NAT"], fresh["Gateway_Chassis"]
        assert len(ports) == len(routes) == len(nats) == len(gcs) == THREADS * ITERATIONS
        for r in routers:
            _, t, i = r.name.split("-")
            n = _names(int(t), int(i))
            assert len(r.ports) == len(r.static_routes) == len(r.nat) == 1, r.name
            port, route, nat = ports[r.ports[0]], routes[r.static_routes[0]], nats[r.nat[0]]
            assert (port.name, port.mac, port.networks) == (n["port"], n["mac"], [n["network"]])
            assert len(port.gateway_chassis) == 1
            assert gcs[port.gateway_chassis[0]].chassis_name == f"ch-{t}"
            assert (route.ip_prefix, route.nexthop) == (n["prefix"], n["nexthop"])
            assert (nat.type, nat.external_ip, nat.logical_ip) == (
                "snat", n["external_ip"], n["logical_ip"])
    finally:
        fresh.close()
