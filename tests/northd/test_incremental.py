"""Incremental northd == full recompute, after every change of random Northbound change sequences.

Hypothesis draws sequences of Northbound operations (through pyovn.api, on pyovn's
ovsdb-server) over small name pools, so operations hit the same switches, ports, groups and
routers again and again: creates, updates, deletes, moves between groups, routers attached and
detached.  After each operation northd runs incrementally, and the test checks that its desired
Southbound equals a full recompute over the same replicas and that the Southbound holds exactly
it (``NorthdRunner.check_incremental``).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pyovn import schemas
from pyovn.api import ApiError, OvnNbApi
from pyovn.testing.northd import NorthdRunner
from pyovn.testing.wire import ServerProcess

SWITCHES = ["sw0", "sw1", "sw2"]
PORTS = [f"p{i}" for i in range(6)]
ROUTERS = ["lr0", "lr1"]
PGS = ["pg0", "pg1"]
ADDRS = [
    ["50:54:00:00:00:01 10.0.0.11"],
    ["50:54:00:00:00:02 10.0.0.12 fd00::12"],
    ["unknown"],
    ["50:54:00:00:00:03"],
    [],
    ["50:54:00:00:00:04 10.0.1.4", "unknown"],
]
MATCHES = ["ip4", "tcp.dst == 22", "inport == @pg0 && ip4", "ip4.src == $as0", "icmp4"]
ACTIONS = ["allow", "allow-related", "drop", "reject", "allow-stateless"]


class World:
    """A pyovn ovsdb-server with NB and SB, an Api on the NB, and northd on both."""

    def __init__(self, d: Path) -> None:
        self.server = ServerProcess(
            d, [str(schemas.path("OVN_Northbound")), str(schemas.path("OVN_Southbound"))],
            extra=["--no-fsync"]).start()
        remote = f"unix:{self.server.sock}"
        self.api = OvnNbApi(remote, timeout=20)
        self.northd = NorthdRunner(remote, remote)

    def fresh(self) -> None:
        api = self.api
        ops = [{"op": "delete", "table": t, "where": []}
               for t, ts in api.schema.tables.items() if ts.is_root and t != "NB_Global"]
        api.idl.transact(ops)
        api.idl.sync()
        self.northd.recompute()

    def close(self) -> None:
        self.northd.close()
        self.api.close()
        self.server.stop()


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    w = World(tmp_path_factory.mktemp("northd-inc"))
    yield w
    w.close()


def _ops() -> st.SearchStrategy[tuple]:
    sw = st.sampled_from(SWITCHES)
    port = st.sampled_from(PORTS)
    lr = st.sampled_from(ROUTERS)
    pg = st.sampled_from(PGS)
    return st.one_of(
        st.tuples(st.just("ls_add"), sw),
        st.tuples(st.just("ls_del"), sw),
        st.tuples(st.just("lsp_add"), sw, port, st.sampled_from(range(len(ADDRS)))),
        st.tuples(st.just("lsp_del"), port),
        st.tuples(st.just("lsp_addr"), port, st.sampled_from(range(len(ADDRS)))),
        st.tuples(st.just("lsp_type"), port, st.sampled_from(["", "localnet", "localport"])),
        st.tuples(st.just("pg_add"), pg, st.lists(port, max_size=3)),
        st.tuples(st.just("pg_del"), pg),
        st.tuples(st.just("pg_ports"), pg, port),
        st.tuples(st.just("acl"), st.sampled_from(SWITCHES + PGS), st.sampled_from(MATCHES),
                  st.sampled_from(ACTIONS), st.sampled_from(["from-lport", "to-lport"])),
        st.tuples(st.just("acl_del"), st.sampled_from(SWITCHES + PGS)),
        st.tuples(st.just("as"), st.booleans()),
        st.tuples(st.just("lr_add"), lr),
        st.tuples(st.just("lr_del"), lr),
        st.tuples(st.just("connect"), lr, sw, st.integers(0, 3)),
        st.tuples(st.just("lb"), st.sampled_from(SWITCHES + ROUTERS)),
        # A health check whose ip_port_mappings name a port that may come or go later.
        st.tuples(st.just("lb_hc"), port),
        st.tuples(st.just("route"), lr, st.integers(0, 3)),
        st.tuples(st.just("nat"), lr),
        st.tuples(st.just("nat_route"), lr, st.booleans(), st.integers(0, 1)),
        st.tuples(st.just("lb_route"), st.booleans()),
        st.tuples(st.just("dgp"), lr, sw, st.booleans()),
        st.tuples(st.just("sw_opt"), sw),
        # options:chassis absent, empty (still a gateway router) or set; a NAT rule whose
        # external IP has trailing junk; a router port's RA MTU, with junk too.
        st.tuples(st.just("gw"), lr, st.sampled_from([None, "", "ch1"])),
        st.tuples(st.just("nat_junk"), lr, st.sampled_from(["snat", "dnat_and_snat"])),
        st.tuples(st.just("ra_mtu"), lr, sw, st.sampled_from([None, "1400", "1400abc"])),
        # force-SNAT IPs northd takes (junk after them) or refuses (two of a family, a prefix);
        # nat-addresses with junk after the MAC; booleans in capitals.
        st.tuples(st.just("force_snat"), lr, st.sampled_from(["dnat", "lb"]),
                  st.sampled_from([None, "172.16.0.88 junk", "172.16.0.88 fd00::88",
                                   "172.16.0.88 172.16.0.89", "172.16.0.0/24", "router_ip"])),
        st.tuples(st.just("nat_addrs"), lr, sw,
                  st.sampled_from([None, "router", "50:54:00:00:09:99 172.16.0.99 junk",
                                   "50:54:00:00:09:98junk", "junk"])),
        st.tuples(st.just("reside"), lr, sw, st.sampled_from([None, "TRUE", "true", "yes"])),
    )


def apply(api: OvnNbApi, op: tuple) -> None:
    kind, *a = op
    try:
        if kind == "ls_add":
            api.ls_add(a[0], may_exist=True).execute(check_error=True)
        elif kind == "ls_del":
            api.ls_del(a[0], if_exists=True).execute(check_error=True)
        elif kind == "lsp_add":
            with api.transaction(check_error=True) as txn:
                txn.add(api.ls_add(a[0], may_exist=True))
                txn.add(api.lsp_del(a[1], if_exists=True))
            api.lsp_add(a[0], a[1], addresses=ADDRS[a[2]]).execute(check_error=True)
        elif kind == "lsp_del":
            api.lsp_del(a[0], if_exists=True).execute(check_error=True)
        elif kind == "lsp_addr":
            api.lsp_set_addresses(a[0], ADDRS[a[1]]).execute(check_error=True)
        elif kind == "lsp_type":
            api.lsp_set_type(a[0], a[1]).execute(check_error=True)
            if a[1] == "localnet":
                api.lsp_set_options(a[0], network_name="phys").execute(check_error=True)
        elif kind == "pg_add":
            api.pg_del(a[0], if_exists=True).execute(check_error=True)
            idx = api.idl.index("Logical_Switch_Port", "name")
            ports = [idx.get(p).uuid for p in dict.fromkeys(a[1]) if idx.get(p) is not None]
            api.pg_add(a[0], ports=ports).execute(check_error=True)
        elif kind == "pg_del":
            api.pg_del(a[0], if_exists=True).execute(check_error=True)
        elif kind == "pg_ports":
            api.pg_add_ports(a[0], a[1]).execute(check_error=True)
        elif kind == "acl":
            target, match, action, direction = a
            if target.startswith("pg"):
                api.pg_acl_add(target, direction, 1000, match, action,
                               may_exist=True).execute(check_error=True)
            else:
                api.acl_add(target, direction, 1000, match, action,
                            may_exist=True).execute(check_error=True)
        elif kind == "acl_del":
            if a[0].startswith("pg"):
                api.pg_acl_del(a[0], if_exists=True).execute(check_error=True)
            else:
                api.acl_del(a[0]).execute(check_error=True)
        elif kind == "as":
            if a[0]:
                api.address_set_add("as0", ["10.0.0.1", "10.0.0.2"],
                                    may_exist=True).execute(check_error=True)
            else:
                api.address_set_del("as0", if_exists=True).execute(check_error=True)
        elif kind == "lr_add":
            api.lr_add(a[0], may_exist=True).execute(check_error=True)
        elif kind == "lr_del":
            api.lr_del(a[0], if_exists=True).execute(check_error=True)
        elif kind == "connect":
            lr, sw, n = a
            lrp, lsp = f"{lr}-{sw}", f"{sw}-{lr}"
            with api.transaction(check_error=True) as txn:
                txn.add(api.lr_add(lr, may_exist=True))
                txn.add(api.ls_add(sw, may_exist=True))
                txn.add(api.lrp_add(lr, lrp, f"00:00:00:00:ff:{n:02x}", [f"10.{n}.0.1/24"],
                                    may_exist=True))
                txn.add(api.lsp_add(sw, lsp, may_exist=True, type="router",
                                    addresses=["router"], options={"router-port": lrp}))
        elif kind == "lb":
            api.lb_add("lb0", "10.9.0.1:80", ["10.0.0.11:8080"], may_exist=True).execute(
                check_error=True)
            if a[0].startswith("sw"):
                api.ls_lb_add(a[0], "lb0", may_exist=True).execute(check_error=True)
            else:
                api.lr_lb_add(a[0], "lb0", may_exist=True).execute(check_error=True)
        elif kind == "lb_hc":
            api.lb_add("lb0", "10.9.0.1:80", ["10.0.0.11:8080"], may_exist=True).execute(
                check_error=True)
            lb = next(r for r in api.tables["Load_Balancer"] if r.name == "lb0")
            if not lb.health_check:
                hc = api.db_create("Load_Balancer_Health_Check", vip="10.9.0.1:80").execute(
                    check_error=True)
                api.db_add("Load_Balancer", "lb0", "health_check", hc).execute(
                    check_error=True)
            api.db_set("Load_Balancer", "lb0", (
                "ip_port_mappings", {"10.0.0.11": f"{a[0]}:10.0.0.254"})).execute(
                    check_error=True)
        elif kind == "route":
            api.lr_route_add(a[0], f"172.16.{a[1]}.0/24", f"10.{a[1]}.0.254",
                             may_exist=True).execute(check_error=True)
        elif kind == "nat":
            api.lr_nat_add(a[0], "snat", "172.16.0.100", "10.0.0.0/24",
                           may_exist=True).execute(check_error=True)
        elif kind == "nat_route":
            # A NAT rule whose external IP the other routers on the router's switches route
            # to it (when one of its ports is a distributed gateway port).
            lr, distributed, i = a
            extra = {"logical_port": "p0", "external_mac": f"50:54:00:00:09:0{i}"} \
                if distributed else {}
            with api.transaction(check_error=True) as txn:
                nat = api.lr_nat_add(lr, "dnat_and_snat", f"172.16.9.{i + 1}", f"10.1.0.{i + 5}",
                                     may_exist=True, **extra)
                txn.add(nat)
                txn.add(api.db_set("NAT", nat, ("options", {"add_route": ("true", "TRUE")[i]})))
        elif kind == "lb_route":
            api.db_set("Load_Balancer", "lb0",
                       ("options", {"add_route": "TRUE" if a[0] else "false"})).execute(
                check_error=True)
        elif kind == "dgp":
            lr, sw, on = a
            if on:
                api.lrp_set_gateway_chassis(f"{lr}-{sw}", "ch1", 10).execute(check_error=True)
            else:
                api.db_set("Logical_Router_Port", f"{lr}-{sw}",
                           ("gateway_chassis", [])).execute(check_error=True)
        elif kind == "gw":
            lr, chassis = a
            if chassis is None:
                api.db_remove("Logical_Router", lr, "options", "chassis").execute(
                    check_error=True)
            else:
                api.db_set("Logical_Router", lr,
                           ("options", {"chassis": chassis})).execute(check_error=True)
        elif kind == "nat_junk":
            lr, typ = a
            with api.transaction(check_error=True) as txn:
                nat = api.lr_nat_add(lr, typ, "172.16.0.77", "10.0.0.77", may_exist=True)
                txn.add(nat)
                txn.add(api.db_set("NAT", nat, ("external_ip", "172.16.0.77 junk")))
        elif kind == "ra_mtu":
            lr, sw, mtu = a
            lrp = f"{lr}-{sw}"
            if mtu is None:
                api.db_clear("Logical_Router_Port", lrp,
                             "ipv6_ra_configs").execute(check_error=True)
            else:
                api.db_set("Logical_Router_Port", lrp, ("ipv6_ra_configs", {
                    "address_mode": "slaac", "send_periodic": "true",
                    "mtu": mtu})).execute(check_error=True)
        elif kind == "force_snat":
            lr, which, v = a
            key = f"{which}_force_snat_ip"
            if v is None:
                api.db_remove("Logical_Router", lr, "options", key).execute(check_error=True)
            else:
                api.db_set("Logical_Router", lr, ("options", {key: v})).execute(
                    check_error=True)
        elif kind == "nat_addrs":
            lr, sw, v = a
            lsp = f"{sw}-{lr}"
            if v is None:
                api.db_remove("Logical_Switch_Port", lsp, "options", "nat-addresses").execute(
                    check_error=True)
            else:
                api.db_set("Logical_Switch_Port", lsp, ("options", {
                    "nat-addresses": v, "exclude-lb-vips-from-garp": "TRUE"})).execute(
                    check_error=True)
        elif kind == "reside":
            lr, sw, v = a
            lrp = f"{lr}-{sw}"
            if v is None:
                api.db_remove("Logical_Router_Port", lrp, "options",
                              "reside-on-redirect-chassis").execute(check_error=True)
            else:
                api.db_set("Logical_Router_Port", lrp, ("options", {
                    "reside-on-redirect-chassis": v})).execute(check_error=True)
        elif kind == "sw_opt":
            api.db_set("Logical_Switch", a[0],
                       ("other_config", {"mcast_snoop": "true"})).execute(check_error=True)
    except ApiError:
        pass  # an operation that does not apply now (a missing row): part of the game


# Every example starts from a small topology, so random operations mostly hit live rows.
BASE = [
    ("lsp_add", "sw0", "p0", 0),
    ("lsp_add", "sw0", "p1", 1),
    ("lsp_add", "sw1", "p2", 2),
    ("lsp_add", "sw1", "p3", 5),
    ("connect", "lr0", "sw0", 1),
    ("connect", "lr0", "sw1", 2),
    ("pg_add", "pg0", ["p0", "p2"]),
    ("acl", "pg0", "inport == @pg0 && ip4", "allow-related", "from-lport"),
    ("acl", "sw1", "ip4", "drop", "to-lport"),
    ("as", True),
    ("lb", "sw0"),
    ("connect", "lr1", "sw1", 3),
]


@settings(max_examples=int(os.environ.get("NORTHD_PROPERTY_EXAMPLES", "30")), deadline=None, suppress_health_check=list(HealthCheck))
@given(st.lists(_ops(), min_size=1, max_size=25))
def test_incremental_equals_full_recompute(world: World, ops: list[tuple]) -> None:
    world.fresh()
    for op in BASE + ops:
        apply(world.api, op)
        world.northd.settle()
        try:
            world.northd.check_incremental()
        except AssertionError as e:
            raise AssertionError(f"after {op}: {e}") from None


def test_plain_port_changes_are_incremental(world: World) -> None:
    """Adding and changing VIF ports never falls back to a full recompute."""
    world.fresh()
    api = world.api
    api.ls_add("sw0").execute(check_error=True)
    api.pg_add("pg0").execute(check_error=True)
    api.pg_acl_add("pg0", "to-lport", 1002, "outport == @pg0 && ip4", "allow-related").execute(
        check_error=True)
    world.northd.settle()
    before = world.northd.northd.engine.stats.recomputes
    for i in range(5):
        with api.transaction(check_error=True) as txn:
            txn.add(api.lsp_add("sw0", f"v{i}", addresses=[f"50:54:00:00:01:{i:02x} 10.1.0.{i + 2}"]))
            txn.add(api.pg_add_ports("pg0", f"v{i}"))
        assert world.northd.settle()
        world.northd.check_incremental()
    api.lsp_set_addresses("v1", ["50:54:00:00:01:99 10.1.0.99"]).execute(check_error=True)
    assert world.northd.settle()
    world.northd.check_incremental()
    api.lsp_del("v2").execute(check_error=True)
    assert world.northd.settle()
    world.northd.check_incremental()
    assert world.northd.northd.engine.stats.recomputes == before
