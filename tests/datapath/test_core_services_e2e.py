"""pyovn's datapath beyond the basic stories, addressing and the services it answers itself, on
the rig of :mod:`rig` (real NB/SB/northd write the Southbound, the in-process Datapath forwards
real packets between namespaces).

Each test asserts what real packets do: a port ready once bound, IPv6 with neighbour discovery
on a switch and through a router, SLAAC from the router's advertisements, DHCPv4 and DHCPv6
leases (also of dynamic addresses), DNS answers, MAC learning on a router, port security, and a
security group by address set. ACLs, conntrack, NAT and load balancers are in
:mod:`test_core_stateful_e2e`.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from e2e_topologies import SW0, router, sw0
from rig import Rig, in_rig

pytestmark = [pytest.mark.e2e, pytest.mark.interop]


def test_port_ready_once_bound_without_a_southbound_change() -> None:
    in_rig(_port_ready_once_bound_without_a_southbound_change)


async def _port_ready_once_bound_without_a_southbound_change(rig: Rig) -> None:
    """A binding made after the datapath took in the Southbound's last change (a packet on
    another port synced it) still has its datapath's flows compiled: port_ready turns true
    with no further Southbound change (ovn-installed waits on it)."""
    for cmd in SW0:
        rig.nbctl(*cmd)
    await rig.sync()
    rig.dp.sync()  # what a packet on any port does
    rig.vm("1", "p1", "50:54:00:00:00:01", "192.168.0.11/24")
    assert rig.dp.port_ready("p1")


# --- 1. IPv6 on a switch -----------------------------------------------------------------------


def test_ipv6_ping_both_ways_and_tcp() -> None:
    in_rig(_ipv6_ping_both_ways_and_tcp)


async def _ipv6_ping_both_ways_and_tcp(rig: Rig) -> None:
    vm1, vm2 = await sw0(rig)
    assert await rig.ping(vm1, "fd00::12"), rig.dp.stats
    assert await rig.ping(vm2, "fd00::11"), rig.dp.stats
    # Link-local addresses too (the NS goes to the solicited-node multicast group).
    rc, out = await rig.run(vm1, "ip", "-6", "neigh", "show")
    assert "50:54:00:00:00:02" in out, out
    assert await rig.tcp(vm2, vm1, "fd00::12", 5003, nbytes=1_000_000, family="AF_INET6")


# --- 2. DHCP ------------------------------------------------------------------------------------

# dhclient's script: records each call's environment (the lease's options) and configures the
# address it was given, nothing else (no resolv.conf, no routes outside the namespace).
DHCLIENT_SCRIPT = r"""#!/usr/bin/python3
import ipaddress, os, subprocess
env = {k: v for k, v in os.environ.items() if k.startswith(("new_", "reason", "interface"))}
with open(os.path.join(os.path.dirname(__file__), "env." + env.get("reason", "none")), "w") as f:
    f.write("".join(f"{k}={v}\n" for k, v in sorted(env.items())))
dev = env.get("interface", "")
if env.get("reason") in ("BOUND", "RENEW", "REBIND", "REBOOT"):
    ip, mask = env["new_ip_address"], env.get("new_subnet_mask", "255.255.255.255")
    net = ipaddress.ip_network(f"0.0.0.0/{mask}")
    subprocess.run(["ip", "addr", "replace", f"{ip}/{net.prefixlen}", "dev", dev], check=True)
elif env.get("reason") in ("BOUND6", "RENEW6", "REBIND6"):
    ip6 = env.get("new_ip6_address")
    if ip6:  # DHCPv6 gives no prefix length (that is the RA's job): the test's /64
        subprocess.run(["ip", "-6", "addr", "replace", f"{ip6}/64", "dev", dev, "nodad"],
                       check=True)
"""


def _lease_env(path: Path) -> dict[str, str]:
    out: dict[str, str] = {}
    for line in path.read_text().splitlines():
        k, _, v = line.partition("=")
        out[k] = v
    return out


async def _dhclient(rig: Rig, ns: str, *extra: str, reason: str = "BOUND",
                    timeout: float = 20) -> dict[str, str]:
    """dhclient once in ``ns`` (its own lease, pid and script files in a directory of the
    rig); the environment its script saw at ``reason``."""
    d = rig.dir / f"dhclient-{ns}{''.join(extra).replace('-', '')}"
    d.mkdir()
    script = d / "script"
    script.write_text(DHCLIENT_SCRIPT)
    script.chmod(0o755)
    proc = await rig.spawn(ns, "dhclient", *extra, "-d", "-1", "-v", "-sf", str(script),
                           "-lf", str(d / "leases"), "-pf", str(d / "pid"), rig.dev(ns))
    want = d / f"env.{reason}"
    try:
        await rig.until(want.exists, f"dhclient {reason}", timeout)
    except AssertionError:
        proc.kill()
        out = await rig.output(proc)
        raise AssertionError(f"no lease: {out}\n{rig.dp.stats}") from None
    proc.kill()
    await rig.output(proc)
    return _lease_env(want)


def test_dhcpv4_lease_carries_the_options() -> None:
    in_rig(_dhcpv4_lease_carries_the_options, tools=("dhclient",))


async def _dhcpv4_lease_carries_the_options(rig: Rig) -> None:
    vm1, vm2 = await sw0(rig)
    rig.nbctl("lsp-add", "sw0", "p3")
    rig.nbctl("lsp-set-addresses", "p3", "50:54:00:00:00:03 192.168.0.13")
    uuid = rig.nbctl("create", "DHCP_Options", "cidr=192.168.0.0/24").strip()
    rig.nbctl("dhcp-options-set-options", uuid, "lease_time=3600", "router=192.168.0.1",
              "server_id=192.168.0.1", "server_mac=c0:ff:ee:00:00:01",
              "dns_server={8.8.8.8,8.8.4.4}", "domain_name=\"example.org\"", "mtu=1400")
    rig.nbctl("lsp-set-dhcpv4-options", "p3", uuid)
    await rig.sync()
    vm3 = rig.vm("3", "p3", "50:54:00:00:00:03")
    await rig.until(lambda: rig.dp.port_ready("p3"), "p3 ready")
    env = await _dhclient(rig, vm3)
    assert env["new_ip_address"] == "192.168.0.13", env
    assert env["new_subnet_mask"] == "255.255.255.0", env
    assert env["new_routers"] == "192.168.0.1", env
    assert env["new_dhcp_server_identifier"] == "192.168.0.1", env
    assert env["new_dhcp_lease_time"] == "3600", env
    assert env["new_domain_name_servers"] == "8.8.8.8 8.8.4.4", env
    assert env["new_domain_name"] == "example.org", env
    assert env["new_interface_mtu"] == "1400", env
    # The address works: the other VMs reach it.
    assert await rig.ping(vm1, "192.168.0.13")
    assert await rig.ping(vm3, "192.168.0.12")


def test_dhcpv6_lease_carries_the_options() -> None:
    in_rig(_dhcpv6_lease_carries_the_options, tools=("dhclient",))


async def _link_local_ready(rig: Rig, ns: str) -> None:
    async def ready() -> bool:
        _, out = await rig.run(ns, "ip", "-6", "addr", "show", "dev", rig.dev(ns), "scope",
                               "link")
        return "fe80::" in out and "tentative" not in out

    for _ in range(100):
        if await ready():
            return
        await asyncio.sleep(0.1)
    raise AssertionError("no link-local address")


async def _dhcpv6_lease_carries_the_options(rig: Rig) -> None:
    vm1, _vm2 = await sw0(rig)
    rig.nbctl("lsp-add", "sw0", "p3")
    rig.nbctl("lsp-set-addresses", "p3", "50:54:00:00:00:03 192.168.0.13 fd00::13")
    uuid = rig.nbctl("create", "DHCP_Options", "cidr=\"fd00::/64\"").strip()
    rig.nbctl("dhcp-options-set-options", uuid, "server_id=00:00:00:10:00:01",
              "dns_server={fd00::53}", "domain_search=\"example.org\"")
    rig.nbctl("lsp-set-dhcpv6-options", "p3", uuid)
    await rig.sync()
    vm3 = rig.vm("3", "p3", "50:54:00:00:00:03")
    await rig.until(lambda: rig.dp.port_ready("p3"), "p3 ready")
    await _link_local_ready(rig, vm3)
    env = await _dhclient(rig, vm3, "-6", reason="BOUND6")
    assert env["new_ip6_address"] == "fd00::13", env
    assert env["new_dhcp6_name_servers"] == "fd00::53", env
    assert "example.org" in env.get("new_dhcp6_domain_search", ""), env
    assert env["new_dhcp6_server_id"].endswith("0:0:0:10:0:1"), env
    assert await rig.ping(vm1, "fd00::13"), env


# --- 3. DNS -------------------------------------------------------------------------------------


def test_dns_lookup_answered_by_the_datapath() -> None:
    in_rig(_dns_lookup_answered_by_the_datapath, tools=("dig",))


async def _dns_lookup_answered_by_the_datapath(rig: Rig) -> None:
    vm1, _vm2 = await sw0(rig)
    dns = rig.nbctl("create", "DNS",
                    'records={"vm2.ovn.org"="192.168.0.12 fd00::12", '
                    '"VM3.ovn.org"="192.168.0.13", '
                    '"12.0.168.192.in-addr.arpa"="vm2.ovn.org"}').strip()
    rig.nbctl("add", "Logical_Switch", "sw0", "dns_records", dns)
    await rig.sync()
    await rig.until(lambda: bool(rig.dp.model.dns_records(rig.dp.model.find_datapath("sw0"))),
                    "the DNS row in the model")
    # The resolver need not exist: OVN answers any query to udp.dst == 53 in the switch.  The
    # VM only needs a neighbour entry to send it.
    for ip in ("192.168.0.53", "fd00::53"):
        await rig.run(vm1, "ip", "neigh", "replace", ip, "lladdr", "50:54:00:00:00:53",
                      "dev", rig.dev(vm1))
    base = ("dig", "+noedns", "+time=2", "+tries=1", "+short", "@192.168.0.53")
    _, out = await rig.run(vm1, *base, "vm2.ovn.org", "A")
    assert out.split() == ["192.168.0.12"], out
    _, out = await rig.run(vm1, *base, "vm2.ovn.org", "AAAA")
    assert out.split() == ["fd00::12"], out
    _, out = await rig.run(vm1, *base, "vm3.OVN.org", "A")
    assert out.split() == ["192.168.0.13"], out
    _, out = await rig.run(vm1, *base, "-x", "192.168.0.12")
    assert out.split() == ["vm2.ovn.org."], out
    # Over IPv6 too.
    _, out = await rig.run(vm1, "dig", "+noedns", "+time=2", "+tries=1", "+short", "@fd00::53",
                           "vm2.ovn.org", "A")
    assert out.split() == ["192.168.0.12"], out
    # A name the records lack is not answered by the datapath (the query goes on to a
    # resolver that does not exist: no answer at all).
    rc, out = await rig.run(vm1, *base, "nothere.ovn.org", "A")
    assert "timed out" in out or "no servers" in out, out


# --- 4. MAC learning on a router -----------------------------------------------------------------


def test_router_learns_neighbours_from_arp_and_nd() -> None:
    in_rig(_router_learns_neighbours_from_arp_and_nd)


async def _router_learns_neighbours_from_arp_and_nd(rig: Rig) -> None:
    from pyovn.controller.dpif import LearntMacBinding

    learnt: list[object] = []
    rig.dp.on_learn = learnt.append
    # A port with "unknown" addresses: the router knows nothing of the VM behind it and must
    # ARP / solicit for it, learning from the answer.
    va, vb = await router(rig, [("lsp-add", "b", "pu"), ("lsp-set-addresses", "pu", "unknown")])
    vu = rig.vm("u", "pu", "50:54:00:00:02:99", "10.0.2.99/24", gw="10.0.2.1",
                cidr6="fd02::99/64", gw6="fd02::1")
    await rig.until(lambda: rig.dp.port_ready("pu"), "pu ready", 30)
    dp_r = rig.dp.model.find_datapath("r")
    assert dp_r is not None
    # The VMs' own ARP / NS for their gateway are answered by the switch (ls_in_arp_rsp
    # answers for router ports): the router learns nothing from them.
    assert await rig.ping(va, "10.0.1.1")
    assert await rig.ping(va, "fd01::1")
    assert not [x for x in learnt if isinstance(x, LearntMacBinding)], learnt
    # Traffic to the unknown VM: the router's ARP request (the first packet is the price), the
    # answer learnt, then the pings pass.
    await rig.ping(va, "10.0.2.99", 2)
    await rig.ping(va, "fd02::99", 2)
    assert LearntMacBinding("r-b", "10.0.2.99", "50:54:00:00:02:99", dp_r.key) in learnt, learnt
    assert LearntMacBinding("r-b", "fd02::99", "50:54:00:00:02:99", dp_r.key) in learnt, learnt
    assert await rig.ping(va, "10.0.2.99")
    assert await rig.ping(va, "fd02::99")
    assert await rig.ping(vu, "10.0.1.11")
    # The datapath answers from what it learnt until the Southbound has it.
    assert rig.dp.learnt_macs[("r-b", 0x0A000263)] == 0x5054000002_99


# --- More: IPv6 through a router, SLAAC from the router's RA ------------------------------------


def test_ipv6_across_a_router() -> None:
    in_rig(_ipv6_across_a_router)


async def _ipv6_across_a_router(rig: Rig) -> None:
    va, vb = await router(rig)
    assert await rig.ping(va, "fd01::1"), "the router answers on its port"
    assert await rig.ping(va, "fd02::1"), "and on its other port"
    assert await rig.ping(va, "fd02::11")
    assert await rig.ping(vb, "fd01::11")
    assert await rig.tcp(vb, va, "fd02::11", 5004, nbytes=1_000_000, family="AF_INET6")
    rc, out = await rig.run(va, "ping", "-6", "-c", "1", "-W", "2", "fd02::11")
    assert "ttl=63" in out, out  # hop limit decremented once


def test_slaac_from_the_routers_advertisements() -> None:
    in_rig(_slaac_from_the_routers_advertisements)


async def _slaac_from_the_routers_advertisements(rig: Rig) -> None:
    va, vb = await router(rig, [
        ("set", "Logical_Router_Port", "r-a", "ipv6_ra_configs:address_mode=slaac",
         "ipv6_ra_configs:send_periodic=false", "ipv6_ra_configs:mtu=1400"),
        ("lsp-add", "a", "ps"),
        ("lsp-set-addresses", "ps", "50:54:00:00:01:05 10.0.1.15 fd01::5254:ff:fe00:105"),
    ])
    dev = f"v{rig.tag}s"
    vs = rig.vm("s", "ps", "50:54:00:00:01:05")
    await rig.until(lambda: rig.dp.port_ready("ps"), "ps ready", 30)
    for k, v in (("accept_ra", "2"), ("autoconf", "1"), ("accept_dad", "0")):
        await rig.run(vs, "sysctl", "-w", f"net.ipv6.conf.{dev}.{k}={v}")
    # A router solicitation now (the link came up before the sysctls).
    await rig.run(vs, "ip", "link", "set", dev, "down")
    await rig.run(vs, "ip", "link", "set", dev, "up")

    async def configured() -> str:
        _, out = await rig.run(vs, "ip", "-6", "addr", "show", "dev", dev)
        _, routes = await rig.run(vs, "ip", "-6", "route", "show")
        return out + routes

    out = ""
    for _ in range(100):
        out = await configured()
        if "fd01::5254:ff:fe00:105/64" in out and "default via fe80::" in out:
            break
        await asyncio.sleep(0.1)
    assert "fd01::5254:ff:fe00:105/64" in out and "default via fe80::" in out, out
    _, mtu = await rig.run(vs, "cat", f"/proc/sys/net/ipv6/conf/{dev}/mtu")
    assert mtu.strip() == "1400", mtu
    assert await rig.ping(vs, "fd02::11")


# --- More: port security -------------------------------------------------------------------------


def test_port_security_drops_spoofed_sources() -> None:
    in_rig(_port_security_drops_spoofed_sources)


async def _port_security_drops_spoofed_sources(rig: Rig) -> None:
    vm1, vm2 = await sw0(rig)
    rig.nbctl("lsp-set-port-security", "p1", "50:54:00:00:00:01 192.168.0.11 fd00::11")
    await rig.sync()
    assert await rig.ping(vm1, "192.168.0.12")
    assert await rig.ping(vm1, "fd00::12")
    dev = rig.dev(vm1)
    await rig.run(vm1, "ip", "addr", "add", "192.168.0.99/24", "dev", dev)
    await rig.run(vm1, "ip", "-6", "addr", "add", "fd00::99/64", "dev", dev, "nodad")
    assert not await rig.ping(vm1, "192.168.0.12", 2, "-I", "192.168.0.99")
    assert not await rig.ping(vm1, "fd00::12", 2, "-I", "fd00::99")
    # A spoofed MAC is dropped at once too.
    await rig.run(vm1, "ip", "link", "set", dev, "address", "50:54:00:00:00:77")
    await rig.run(vm1, "ip", "neigh", "flush", "dev", dev)
    assert not await rig.ping(vm1, "192.168.0.12", 2)
    await rig.run(vm1, "ip", "link", "set", dev, "address", "50:54:00:00:00:01")
    assert await rig.ping(vm1, "192.168.0.12")


# --- More: remote security groups (address sets), dynamic addresses by DHCP ----------------------


def test_security_group_by_address_set_and_dynamic_addresses_by_dhcp() -> None:
    in_rig(_security_group_by_address_set_and_dynamic_addresses_by_dhcp, tools=("dhclient",))


async def _security_group_by_address_set_and_dynamic_addresses_by_dhcp(rig: Rig) -> None:
    vm1, vm2 = await sw0(rig)
    rig.nbctl("set", "Logical_Switch", "sw0", "other_config:subnet=192.168.0.0/24",
              "other_config:exclude_ips=192.168.0.1..192.168.0.20")
    rig.nbctl("lsp-add", "sw0", "p3")
    rig.nbctl("lsp-set-addresses", "p3", "50:54:00:00:00:03 dynamic")
    uuid = rig.nbctl("create", "DHCP_Options", "cidr=192.168.0.0/24").strip()
    rig.nbctl("dhcp-options-set-options", uuid, "lease_time=3600", "router=192.168.0.1",
              "server_id=192.168.0.1", "server_mac=c0:ff:ee:00:00:01")
    rig.nbctl("lsp-set-dhcpv4-options", "p3", uuid)
    # p2 admits ICMP only from the members of the group "web" ($web_ip4: p3's address).
    rig.nbctl("pg-add", "web", "p3")
    rig.nbctl("pg-add", "db", "p2")
    for d, prio, match, action in (
            ("from-lport", "1002", "inport == @db && ip4", "allow-related"),
            ("to-lport", "1002", "outport == @db && ip4 && ip4.src == $web_ip4 && icmp4",
             "allow-related"),
            ("to-lport", "1001", "outport == @db && ip4", "drop")):
        rig.nbctl("acl-add", "db", d, prio, match, action)
    await rig.sync()
    dyn = rig.nbctl("get", "Logical_Switch_Port", "p3", "dynamic_addresses").strip().strip('"')
    mac, ip = dyn.split()
    assert mac == "50:54:00:00:00:03" and ip.startswith("192.168.0.") and ip != "192.168.0.11"
    vm3 = rig.vm("3", "p3", mac)
    await rig.until(lambda: rig.dp.port_ready("p3"), "p3 ready", 30)
    env = await _dhclient(rig, vm3)
    assert env["new_ip_address"] == ip, (env, dyn)
    assert await rig.ping(vm3, "192.168.0.12"), "a member of web reaches db"
    assert not await rig.ping(vm1, "192.168.0.12", 2), "p1 is not in web"
    # Membership changes reach the datapath: p1 joins web.
    rig.nbctl("pg-set-ports", "web", "p1", "p3")
    await rig.sync()
    assert await rig.ping(vm1, "192.168.0.12")
    rig.nbctl("pg-set-ports", "web", "p3")
    await rig.sync()
    assert not await rig.ping(vm1, "192.168.0.12", 2)
