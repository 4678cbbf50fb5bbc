"""pyovn's datapath beyond the basic stories, the stateful features, on the rig of :mod:`rig`
(real NB/SB/northd write the Southbound, the in-process Datapath forwards real packets between
namespaces).

Each test asserts what real packets do: ICMP errors and TCP resets (reject ACLs, related ICMP
through stateful ACLs, TTL expiring at a router), load balancers (on a switch, a gateway router,
a distributed gateway port; UDP, IPv6, bulk TCP; reject, force SNAT, hairpin), the flow cache
following ACL changes, SNAT and path MTU, and fragments through conntrack. Addressing and the
datapath's own services (IPv6, DHCP, DNS, ...) are in :mod:`test_core_services_e2e`.
"""

from __future__ import annotations

import asyncio
import time

import pytest
from e2e_topologies import router, router_link, sw0
from rig import Rig, in_rig

pytestmark = [pytest.mark.e2e, pytest.mark.interop]


# --- 1. ICMP errors and resets -------------------------------------------------------------------

# A client that tells how a TCP connect and a UDP exchange end: "refused" comes from a RST or an
# ICMP port unreachable, "timeout" from silence; with the time it took.
PROBE = r"""
import socket, sys, time
fam = socket.AF_INET6 if ":" in sys.argv[2] else socket.AF_INET
kind, ip, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
t = time.monotonic()
try:
    if kind == "tcp":
        s = socket.socket(fam, socket.SOCK_STREAM); s.settimeout(3); s.connect((ip, port))
        print("connected", end=" ")
    else:
        s = socket.socket(fam, socket.SOCK_DGRAM); s.settimeout(2); s.connect((ip, port))
        s.send(b"hello"); time.sleep(0.3); s.send(b"hello"); s.recv(100)
        print("answered", end=" ")
except ConnectionRefusedError:
    print("refused", end=" ")
except (TimeoutError, socket.timeout):
    print("timeout", end=" ")
print(round(time.monotonic() - t, 2))
"""


async def _probe(rig: Rig, ns: str, kind: str, ip: str, port: int) -> tuple[str, float]:
    _, out = await rig.run(ns, "python3", "-c", PROBE, kind, ip, str(port))
    words = out.split()
    assert len(words) == 2, out
    return words[0], float(words[1])


def test_reject_acl_resets_tcp_and_answers_udp_with_port_unreachable() -> None:
    in_rig(_reject_acl_resets_tcp_and_answers_udp_with_port_unreachable)


async def _reject_acl_resets_tcp_and_answers_udp_with_port_unreachable(rig: Rig) -> None:
    va, vb = await router(rig)
    for match in ("tcp.dst == 80", "udp.dst == 9999"):
        rig.nbctl("acl-add", "b", "to-lport", "1000", f'outport == "pb" && {match}', "reject")
    await rig.sync()
    # A listener on 80 that the reject hides, and a UDP echo on 9999.
    server = await rig.spawn(vb, "python3", "-c", (
        "import socket,threading\n"
        "t=socket.socket(socket.AF_INET6); t.setsockopt(socket.IPPROTO_IPV6, "
        "socket.IPV6_V6ONLY, 0); t.bind(('::', 80)); t.listen(5)\n"
        "u=socket.socket(socket.AF_INET6, socket.SOCK_DGRAM); u.setsockopt(socket.IPPROTO_IPV6,"
        " socket.IPV6_V6ONLY, 0); u.bind(('::', 9999))\n"
        "print('ready', flush=True)\n"
        "while True:\n"
        "    d, a = u.recvfrom(100); u.sendto(d, a)\n"))
    assert server.stdout is not None
    assert (await asyncio.wait_for(server.stdout.readline(), 10)).strip() == b"ready"
    for ip in ("10.0.2.11", "fd02::11"):
        verdict, took = await _probe(rig, va, "tcp", ip, 80)
        assert verdict == "refused" and took < 1, (ip, verdict, took)
        verdict, took = await _probe(rig, va, "udp", ip, 9999)
        assert verdict == "refused" and took < 1.5, (ip, verdict, took)
        # The same from the other switch's side: the ACL is on b's egress to pb only.
        assert await _probe(rig, vb, "tcp", "10.0.1.11" if "." in ip else "fd01::11",
                            81) == ("refused", pytest.approx(0, abs=1))
    # Without the ACL both work (the reject was the ACL's, not a closed port).
    rig.nbctl("acl-del", "b")
    await rig.sync()
    for ip in ("10.0.2.11", "fd02::11"):
        assert (await _probe(rig, va, "tcp", ip, 80))[0] == "connected"
        assert (await _probe(rig, va, "udp", ip, 9999))[0] == "answered"


def test_icmp_errors_of_the_vms_pass_stateful_acls_as_related() -> None:
    in_rig(_icmp_errors_of_the_vms_pass_stateful_acls_as_related)


async def _icmp_errors_of_the_vms_pass_stateful_acls_as_related(rig: Rig) -> None:
    """A VM's kernel answers UDP to a closed port with a port unreachable: conntrack finds it
    related to the committed UDP connection (through the packet it quotes), and the ACLs'
    "related" flows let it through although no ACL allows ICMP towards the sender."""
    vm1, vm2 = await sw0(rig)
    rig.nbctl("pg-add", "sg", "p1", "p2")
    for d, prio, match, action in (
            ("from-lport", "1002", "inport == @sg && ip", "allow-related"),
            ("to-lport", "1002", "outport == @sg && (udp || icmp4.type == 8 || "
             "icmp6.type == 128)", "allow-related"),
            ("to-lport", "1001", "outport == @sg && ip", "drop")):
        rig.nbctl("acl-add", "sg", d, prio, match, action)
    await rig.sync()
    for ip in ("192.168.0.12", "fd00::12"):
        verdict, took = await _probe(rig, vm1, "udp", ip, 9)
        assert verdict == "refused" and took < 1.5, (ip, verdict, took, rig.dp.stats)
    # An unsolicited ICMP error (quoting nothing committed) is dropped as invalid.
    assert rig.dp.conntrack.entries(), "the UDP connections were committed"


def test_ttl_expiring_at_the_router() -> None:
    in_rig(_ttl_expiring_at_the_router, tools=("traceroute",))


async def _ttl_expiring_at_the_router(rig: Rig) -> None:
    va, vb = await router(rig)
    assert await rig.ping(va, "10.0.2.11")
    rc, out = await rig.run(va, "ping", "-c", "1", "-W", "2", "-t", "1", "10.0.2.11")
    assert "From 10.0.1.1" in out and "Time to live exceeded" in out, out
    rc, out = await rig.run(va, "ping", "-6", "-c", "1", "-W", "2", "-t", "1", "fd02::11")
    assert "From fd01::1" in out and "Time exceeded: Hop limit" in out, out
    rc, out = await rig.run(va, "traceroute", "-n", "-q", "1", "-w", "2", "10.0.2.11")
    hops = [line.split()[1] for line in out.splitlines()[1:]]
    assert hops == ["10.0.1.1", "10.0.2.11"], out


# --- 2. Load balancers ---------------------------------------------------------------------------

# A server that answers each message with its own name and the client's address as it sees it.
NAMED_SERVER = r"""
import socket, sys, threading
name = sys.argv[1]
s = socket.socket(socket.AF_INET6); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
s.bind(("::", 80)); s.listen(64)
print("ready", flush=True)
def serve(c, a):
    with c:
        while True:
            d = c.recv(100)
            if not d:
                return
            c.sendall(f"{name} {a[0].removeprefix('::ffff:')}\n".encode())
while True:
    c, a = s.accept()
    threading.Thread(target=serve, args=(c, a), daemon=True).start()
"""

# A client making N connections of 3 exchanges each: one line per connection, the answers.
LB_CLIENT = r"""
import socket, sys
ip, n = sys.argv[1], int(sys.argv[2])
for i in range(n):
    try:
        s = socket.create_connection((ip, 80), timeout=3)
        f = s.makefile()
        got = []
        for _ in range(3):
            s.sendall(b"hi")
            got.append(f.readline().strip())
        print(",".join(got), flush=True)
        s.close()
    except OSError as e:
        print("error", e, flush=True)
"""


async def _lb_vms(rig: Rig, client: bool) -> dict[str, str]:
    """The load balancer scenes' VMs: backends s1 and s2 (each serving its name), an outside
    host x and, with ``client``, an inside client c; once their ports are ready."""
    specs = [("c", "50:54:00:00:00:10", "10.0.0.10/24", "10.0.0.1")] if client else []
    specs += [("s1", "50:54:00:00:00:11", "10.0.0.11/24", "10.0.0.1"),
              ("s2", "50:54:00:00:00:12", "10.0.0.12/24", "10.0.0.1"),
              ("x", "50:54:00:00:09:10", "10.0.9.10/24", "10.0.9.1")]
    vms = {name: rig.vm(name, name, mac, cidr, gw=gw) for name, mac, cidr, gw in specs}
    await rig.until(lambda: all(rig.dp.port_ready(p) for p in vms), "ports ready", 30)
    await _named_server(rig, vms["s1"], "s1")
    await _named_server(rig, vms["s2"], "s2")
    return vms


async def _named_server(rig: Rig, ns: str, name: str) -> None:
    proc = await rig.spawn(ns, "python3", "-c", NAMED_SERVER, name)
    assert proc.stdout is not None
    assert (await asyncio.wait_for(proc.stdout.readline(), 10)).strip() == b"ready"


async def _lb_connections(rig: Rig, ns: str, vip: str, n: int) -> list[list[str]]:
    _, out = await rig.run(ns, "python3", "-c", LB_CLIENT, vip, str(n), timeout=60)
    lines = [line.split(",") for line in out.strip().splitlines()]
    assert len(lines) == n and all(len(x) == 3 for x in lines), out
    return lines


# Backends s1, s2 and a client c on switch "sw" behind a gateway router "r" (on this chassis),
# another client x on switch "ext" on the router's other side; the VIP is off both subnets.
LB_TOPOLOGY: list[tuple[str, ...]] = [
    ("ls-add", "sw"), ("ls-add", "ext"), ("lr-add", "r"),
    ("set", "Logical_Router", "r", "options:chassis=hv1"),
    ("lrp-add", "r", "r-sw", "00:00:00:00:ff:01", "10.0.0.1/24"),
    ("lrp-add", "r", "r-ext", "00:00:00:00:ff:09", "10.0.9.1/24"),
    *router_link("sw", "sw-r", "r-sw"),
    *router_link("ext", "ext-r", "r-ext"),
    ("lsp-add", "sw", "c"), ("lsp-set-addresses", "c", "50:54:00:00:00:10 10.0.0.10"),
    ("lsp-add", "sw", "s1"), ("lsp-set-addresses", "s1", "50:54:00:00:00:11 10.0.0.11"),
    ("lsp-add", "sw", "s2"), ("lsp-set-addresses", "s2", "50:54:00:00:00:12 10.0.0.12"),
    ("lsp-add", "ext", "x"), ("lsp-set-addresses", "x", "50:54:00:00:09:10 10.0.9.10"),
    ("lb-add", "lb0", "172.16.0.100:80", "10.0.0.11:80,10.0.0.12:80", "tcp"),
]


# Chassis.other_config features of ovn-controller 23.03 that change northd's flows: with
# ct-no-masked-label northd writes ct_lb_mark / ct_mark.*, without it ct_lb / ct_label.*.
FEATURES = ("other_config:ct-no-masked-label=true", "other_config:ovn-ct-lb-related=true",
            "other_config:mac-binding-timestamp=true", "other_config:port-up-notif=true")


def _chassis(rig: Rig, features: bool) -> None:
    rig.sbctl("chassis-add", "hv1", "geneve", "127.0.0.1")
    if features:
        rig.sbctl("set", "Chassis", "hv1", *FEATURES)


async def _lb_topology(rig: Rig, features: bool, *extra: tuple[str, ...]) -> dict[str, str]:
    _chassis(rig, features)
    for c in (*LB_TOPOLOGY, *extra):
        rig.nbctl(*c)
    await rig.sync()
    # The gateway router's ports are claimed by this chassis (ovn-controller's claim).
    for lp in rig.sbctl("--bare", "--columns=logical_port", "find", "Port_Binding",
                        "type=l3gateway").split():
        rig.sbctl("lsp-bind", lp, "hv1")
    await rig.until(lambda: all(p.chassis == "hv1" for p in rig.dp.model.ports.values()
                                if p.type == "l3gateway"), "l3gateway ports bound")
    return await _lb_vms(rig, client=True)


@pytest.mark.parametrize(("features", "cache"), [(True, True), (False, True), (True, False)],
                         ids=["ct_lb_mark", "ct_lb", "ct_lb_mark-no-cache"])
def test_load_balancer_on_a_switch(features: bool, cache: bool) -> None:
    in_rig(lambda rig: _load_balancer_on_a_switch(rig, features, cache))


async def _load_balancer_on_a_switch(rig: Rig, features: bool, cache: bool) -> None:
    rig.dp.use_cache = cache  # the walks and the cache's replays must agree
    vms = await _lb_topology(rig, features, ("ls-lb-add", "sw", "lb0"))
    flows = rig.sbctl("lflow-list", "sw")
    assert ("ct_lb_mark(backends=" in flows) is features, flows
    assert await rig.ping(vms["c"], "10.0.0.11")
    conns = await _lb_connections(rig, vms["c"], "172.16.0.100", 16)
    for answers in conns:
        assert len(set(answers)) == 1, conns  # a connection sticks to its backend
        assert answers[0].split()[1] == "10.0.0.10", conns  # no SNAT on a switch LB
    assert {a[0].split()[0] for a in conns} == {"s1", "s2"}, conns
    # Hairpin: a backend reaches the VIP, landing on itself -- then the packets that come back
    # to it are SNATed to the VIP (OVN's hairpin flows) -- or on the other.
    conns = await _lb_connections(rig, vms["s1"], "172.16.0.100", 12)
    seen = {tuple(a[0].split()) for a in conns}
    assert seen <= {("s1", "172.16.0.100"), ("s2", "10.0.0.11")}, conns
    assert {s for s, _ in seen} == {"s1", "s2"}, conns


@pytest.mark.parametrize("features", [True, False], ids=["ct_lb_mark", "ct_lb"])
def test_load_balancer_on_a_gateway_router(features: bool) -> None:
    in_rig(lambda rig: _load_balancer_on_a_gateway_router(rig, features))


async def _load_balancer_on_a_gateway_router(rig: Rig, features: bool) -> None:
    vms = await _lb_topology(rig, features, ("lr-lb-add", "r", "lb0"))
    assert await rig.ping(vms["x"], "10.0.0.11")
    conns = await _lb_connections(rig, vms["x"], "172.16.0.100", 16)
    for answers in conns:
        assert len(set(answers)) == 1, conns
        assert answers[0].split()[1] == "10.0.9.10", conns
    assert {a[0].split()[0] for a in conns} == {"s1", "s2"}, conns


# --- 3. The flow cache under ACL changes -----------------------------------------------------------

# A pinger that sends one echo every 50 ms (one identifier: one conntrack connection) and prints
# the monotonic time of each reply, until killed.
PINGER = r"""
import os, socket, struct, sys, time, select
def csum(b):
    t = sum(struct.unpack(f"!{len(b) // 2}H", b))
    t = (t >> 16) + (t & 0xFFFF)
    return ~(t + (t >> 16)) & 0xFFFF
dst, ident = sys.argv[1], os.getpid() & 0xFFFF
s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
seq, nxt = 0, time.monotonic()
while True:
    now = time.monotonic()
    if now >= nxt:
        seq += 1
        m = struct.pack("!BBHHH", 8, 0, 0, ident, seq) + b"x" * 32
        s.sendto(m[:2] + struct.pack("!H", csum(m)) + m[4:], (dst, 0))
        nxt = now + 0.05
    r, _, _ = select.select([s], [], [], max(0.0, nxt - time.monotonic()))
    if r:
        d = s.recv(2048)
        d = d[(d[0] & 15) * 4:]
        if d[0] == 0 and struct.unpack("!H", d[4:6])[0] == ident:
            print(f"{time.monotonic():.3f} {struct.unpack('!H', d[6:8])[0]}", flush=True)
"""


class Replies:
    """The reply times of a running PINGER."""

    def __init__(self, proc: asyncio.subprocess.Process) -> None:
        self.proc = proc
        self.times: list[float] = []
        self.task = asyncio.ensure_future(self._read())

    async def _read(self) -> None:
        assert self.proc.stdout is not None
        while line := await self.proc.stdout.readline():
            self.times.append(float(line.split()[0]))

    def between(self, t0: float, t1: float) -> int:
        return sum(t0 <= t < t1 for t in self.times)


async def _acl_phase(rig: Rig, *change: tuple[str, ...]) -> tuple[float, float]:
    """Applies the NB changes; returns the monotonic times they began and our replica had them
    (from then on the datapath must follow them)."""
    t0 = time.monotonic()
    for c in change:
        rig.nbctl(*c)
    await rig.sync()
    return t0, time.monotonic()


@pytest.mark.parametrize("features", [True, False], ids=["ct_mark", "ct_label"])
def test_acl_changes_take_effect_on_a_running_ping(features: bool) -> None:
    in_rig(lambda rig: _acl_changes_take_effect_on_a_running_ping(rig, features))


async def _acl_changes_take_effect_on_a_running_ping(rig: Rig, features: bool) -> None:
    _chassis(rig, features)
    vm1, vm2 = await sw0(rig)
    allow = ("to-lport", "1002", 'outport == "p2" && icmp4')
    rig.nbctl("acl-add", "sw0", *allow, "allow-related")
    rig.nbctl("acl-add", "sw0", "to-lport", "1001", 'outport == "p2" && ip4', "drop")
    # A stateful ACL that stays: without one, a switch whose ACLs are all drops has no
    # conntrack at all (and a drop ACL simply drops).
    rig.nbctl("acl-add", "sw0", "from-lport", "1001", 'inport == "p1" && ip4', "allow-related")
    await rig.sync()
    flows = rig.sbctl("lflow-list", "sw0")
    assert ("ct_mark.blocked" in flows) is features, flows
    proc = await rig.spawn(vm1, "python3", "-c", PINGER, "192.168.0.12")
    replies = Replies(proc)
    settle = 0.3  # packets already on their way when the replica changed
    phases: list[tuple[str, tuple[float, float]]] = []
    await asyncio.sleep(1.5)
    # The established echo connection is cut when its allow ACL turns into a drop: the request
    # direction meets the drop ACL (which marks the connection blocked), and the replies of a
    # blocked connection are dropped too.
    phases.append(("drop", await _acl_phase(
        rig, ("acl-del", "sw0", *allow), ("acl-add", "sw0", *allow, "drop"))))
    await asyncio.sleep(1.5)
    zone = rig.dp.zones.get("p2")
    blocked = [(e.mark if features else e.label) & 1 for e in rig.dp.conntrack.entries(zone)
               if e.proto == 1]
    assert blocked == [1], rig.dp.conntrack.dump()
    # Allowed again: the blocked connection's request direction is re-committed unblocked.
    phases.append(("allow", await _acl_phase(
        rig, ("acl-del", "sw0", *allow), ("acl-add", "sw0", *allow, "allow-related"))))
    await asyncio.sleep(1.5)
    # The allow ACL removed without a drop in its place: the priority-1001 drop now matches.
    phases.append(("gone", await _acl_phase(rig, ("acl-del", "sw0", *allow))))
    await asyncio.sleep(1.5)
    # And back once more.
    phases.append(("allow", await _acl_phase(rig, ("acl-add", "sw0", *allow, "allow-related"))))
    await asyncio.sleep(1.5)
    proc.kill()
    await proc.wait()
    await replies.task
    # Replies from when the replica had a change (and the packets on their way then had
    # arrived) until the next change began.
    ends = [t0 for _, (t0, _t1) in phases[1:]] + [time.monotonic()]
    seen = [(what, replies.between(t1 + settle, end))
            for (what, (_t0, t1)), end in zip(phases, ends, strict=True)]
    why = (seen, rig.dp.stats)
    assert replies.between(0, phases[0][1][0]) >= 20, why
    assert seen[0] == ("drop", 0), why
    assert seen[1][1] >= 20, why
    assert seen[2] == ("gone", 0), why
    assert seen[3][1] >= 20, why
    assert rig.dp.stats["fast"] > 100 or not rig.dp.use_cache, why  # the cache was in use


# --- More: SNAT on a gateway router, path MTU, related ICMP through NAT --------------------------


def test_snat_and_path_mtu_on_a_gateway_router() -> None:
    in_rig(_snat_and_path_mtu_on_a_gateway_router)


async def _snat_and_path_mtu_on_a_gateway_router(rig: Rig) -> None:
    vms = await _lb_topology(rig, True, ("lr-nat-add", "r", "snat", "10.0.9.1", "10.0.0.0/24"),
                             ("lrp-set-options", "r-ext", "gateway_mtu=1300"))
    # x sees the connection coming from the router's address.
    listener = await rig.spawn(vms["x"], "python3", "-c", (
        "import socket; s=socket.socket(); s.bind(('0.0.0.0', 7777)); s.listen(1);"
        " s.settimeout(8); print('ready', flush=True); c,a=s.accept(); print(a[0])"))
    assert listener.stdout is not None
    assert (await asyncio.wait_for(listener.stdout.readline(), 10)).strip() == b"ready"
    await rig.run(vms["c"], "python3", "-c",
                  "import socket; socket.create_connection(('10.0.9.10', 7777), 3)")
    assert (await rig.output(listener)).strip() == "10.0.9.1"
    assert await rig.ping(vms["c"], "10.0.9.10")
    # A 1400-byte DF packet out of r-ext: "fragmentation needed" from the router, mtu 1300.
    rc, out = await rig.run(vms["c"], "ping", "-c", "1", "-W", "2", "-M", "do", "-s", "1372",
                            "10.0.9.10")
    assert "Frag needed and DF set (mtu = 1300)" in out, out
    assert await rig.ping(vms["c"], "10.0.9.10", 2, "-M", "do", "-s", "1200")
    # UDP to a closed port through the SNAT: the port unreachable comes back un-NATed.
    verdict, took = await _probe(rig, vms["c"], "udp", "10.0.9.10", 9)
    assert verdict == "refused" and took < 1.5, (verdict, took)


# --- More: load balancers for UDP, IPv6 and bulk TCP ---------------------------------------------


# A UDP server answering each datagram with its name.
UDP_SERVER = r"""
import socket, sys
fam = socket.AF_INET6 if sys.argv[2] == "6" else socket.AF_INET
s = socket.socket(fam, socket.SOCK_DGRAM)
s.bind(("::" if fam == socket.AF_INET6 else "0.0.0.0", 53))
print("ready", flush=True)
while True:
    d, a = s.recvfrom(100)
    s.sendto(sys.argv[1].encode(), a)
"""

UDP_CLIENT = r"""
import socket, sys
ip, n = sys.argv[1], int(sys.argv[2])
fam = socket.AF_INET6 if ":" in ip else socket.AF_INET
for i in range(n):
    s = socket.socket(fam, socket.SOCK_DGRAM); s.settimeout(2)
    try:
        s.sendto(b"q", (ip, 53)); print(s.recvfrom(100)[0].decode(), flush=True)
    except OSError as e:
        print("error", e, flush=True)
"""


def test_load_balancer_for_udp_and_ipv6_vips_and_bulk_tcp() -> None:
    in_rig(_load_balancer_for_udp_and_ipv6_vips_and_bulk_tcp)


async def _load_balancer_for_udp_and_ipv6_vips_and_bulk_tcp(rig: Rig) -> None:
    extra = [
        ("lrp-del", "r-sw"), ("lrp-del", "r-ext"),
        ("lrp-add", "r", "r-sw", "00:00:00:00:ff:01", "10.0.0.1/24", "fd00::1/64"),
        ("lrp-add", "r", "r-ext", "00:00:00:00:ff:09", "10.0.9.1/24", "fd09::1/64"),
        ("lsp-set-addresses", "s1", "50:54:00:00:00:11 10.0.0.11 fd00::11"),
        ("lsp-set-addresses", "s2", "50:54:00:00:00:12 10.0.0.12 fd00::12"),
        ("lsp-set-addresses", "x", "50:54:00:00:09:10 10.0.9.10 fd09::10"),
        ("lsp-set-addresses", "c", "50:54:00:00:00:10 10.0.0.10 fd00::10"),
        ("lb-add", "udp4", "172.16.0.53:53", "10.0.0.11:53,10.0.0.12:53", "udp"),
        ("lb-add", "tcp6", "[fd16::100]:80", "[fd00::11]:80,[fd00::12]:80", "tcp"),
        ("lb-add", "bulk", "172.16.0.101:5005", "10.0.0.12:5005", "tcp"),
    ]
    for lb in ("udp4", "tcp6", "bulk"):
        extra += [("ls-lb-add", "sw", lb), ("lr-lb-add", "r", lb)]
    vms = await _lb_topology(rig, True, *extra)
    for name, ip, gw in (("c", "fd00::10", "fd00::1"), ("s1", "fd00::11", "fd00::1"),
                         ("s2", "fd00::12", "fd00::1"), ("x", "fd09::10", "fd09::1")):
        await rig.run(vms[name], "ip", "-6", "addr", "add", f"{ip}/64", "dev",
                      rig.dev(vms[name]), "nodad")
        await rig.run(vms[name], "ip", "-6", "route", "add", "default", "via", gw)
    for name in ("s1", "s2"):
        proc = await rig.spawn(vms[name], "python3", "-c", UDP_SERVER, name, "4")
        assert proc.stdout is not None
        assert (await asyncio.wait_for(proc.stdout.readline(), 10)).strip() == b"ready"
    for client in ("c", "x"):  # the switch's LB, the router's LB
        _, out = await rig.run(vms[client], "python3", "-c", UDP_CLIENT, "172.16.0.53", "12")
        assert set(out.split()) == {"s1", "s2"}, (client, out)
        conns = await _lb_connections(rig, vms[client], "fd16::100", 12)
        assert {a[0].split()[0] for a in conns} == {"s1", "s2"}, (client, conns)
        assert all(len(set(a)) == 1 for a in conns), conns
    # Bulk TCP through the router's DNAT (offloaded super-frames rewritten on the way).
    assert await rig.tcp(vms["s2"], vms["x"], "172.16.0.101", 5005, nbytes=4_000_000)
    assert await rig.tcp(vms["s2"], vms["c"], "172.16.0.101", 5005, nbytes=4_000_000)


# --- More: fragments through conntrack -----------------------------------------------------------

UDP_BIG = r"""
import socket, sys
fam = socket.AF_INET6 if ":" in sys.argv[1] else socket.AF_INET
s = socket.socket(fam, socket.SOCK_DGRAM); s.settimeout(3)
if sys.argv[2] == "serve":
    s.bind(("::" if fam == socket.AF_INET6 else "0.0.0.0", 7000))
    print("ready", flush=True)
    d, a = s.recvfrom(65535)
    s.sendto(d, a)
    print(len(d), flush=True)
else:
    s.sendto(b"z" * int(sys.argv[2]), (sys.argv[1], 7000))
    print(len(s.recvfrom(65535)[0]))
"""


def test_fragmented_datagrams_through_stateful_acls() -> None:
    in_rig(_fragmented_datagrams_through_stateful_acls)


async def _fragmented_datagrams_through_stateful_acls(rig: Rig) -> None:
    vm1, vm2 = await sw0(rig)
    rig.nbctl("pg-add", "sg", "p1", "p2")
    for d, prio, match, action in (
            ("from-lport", "1002", "inport == @sg && ip", "allow-related"),
            ("to-lport", "1002", "outport == @sg && (udp.dst == 7000 || icmp4 || icmp6)",
             "allow-related"),
            ("to-lport", "1001", "outport == @sg && ip", "drop")):
        rig.nbctl("acl-add", "sg", d, prio, match, action)
    await rig.sync()
    assert await rig.ping(vm1, "192.168.0.12", 2, "-s", "4000"), rig.dp.stats
    assert await rig.ping(vm1, "fd00::12", 2, "-s", "4000"), rig.dp.stats
    for ip in ("192.168.0.12", "fd00::12"):
        server = await rig.spawn(vm2, "python3", "-c", UDP_BIG, ip, "serve")
        assert server.stdout is not None
        assert (await asyncio.wait_for(server.stdout.readline(), 10)).strip() == b"ready"
        _, out = await rig.run(vm1, "python3", "-c", UDP_BIG, ip, "6000")
        assert out.strip() == "6000", (ip, out, rig.dp.stats)
        assert (await rig.output(server)).strip() == "6000"


def test_fragmented_datagrams_across_a_router_with_snat() -> None:
    in_rig(_fragmented_datagrams_across_a_router_with_snat)


async def _fragmented_datagrams_across_a_router_with_snat(rig: Rig) -> None:
    vms = await _lb_topology(rig, True, ("lr-nat-add", "r", "snat", "10.0.9.1", "10.0.0.0/24"))
    rig.nbctl("acl-add", "ext", "to-lport", "1000", 'outport == "x" && ip4', "allow-related")
    await rig.sync()
    assert await rig.ping(vms["c"], "10.0.9.10", 2, "-s", "5000"), rig.dp.stats
    server = await rig.spawn(vms["x"], "python3", "-c", UDP_BIG, "10.0.9.10", "serve")
    assert server.stdout is not None
    assert (await asyncio.wait_for(server.stdout.readline(), 10)).strip() == b"ready"
    _, out = await rig.run(vms["c"], "python3", "-c", UDP_BIG, "10.0.9.10", "9000")
    assert out.strip() == "9000", (out, rig.dp.stats)
    assert (await rig.output(server)).strip() == "9000"
    assert rig.dp.defrag.stats["reassembled"] >= 4, rig.dp.defrag.stats


# --- More: load balancer options --------------------------------------------------------------


def test_load_balancer_reject_force_snat_and_ipv6_hairpin() -> None:
    in_rig(_load_balancer_reject_force_snat_and_ipv6_hairpin)


async def _load_balancer_reject_force_snat_and_ipv6_hairpin(rig: Rig) -> None:
    extra = [
        ("lrp-del", "r-sw"),
        ("lrp-add", "r", "r-sw", "00:00:00:00:ff:01", "10.0.0.1/24", "fd00::1/64"),
        ("lsp-set-addresses", "s1", "50:54:00:00:00:11 10.0.0.11 fd00::11"),
        ("lsp-set-addresses", "s2", "50:54:00:00:00:12 10.0.0.12 fd00::12"),
        ("lb-add", "tcp6", "[fd16::100]:80", "[fd00::11]:80,[fd00::12]:80", "tcp"),
        ("ls-lb-add", "sw", "tcp6"),
        ("--reject", "lb-add", "empty", "172.16.0.200:80", "", "tcp"),
        ("ls-lb-add", "sw", "empty"), ("lr-lb-add", "r", "empty"),
        ("lr-lb-add", "r", "lb0"),
        ("set", "Logical_Router", "r", "options:lb_force_snat_ip=router_ip"),
    ]
    vms = await _lb_topology(rig, True, *extra)
    for name, ip in (("s1", "fd00::11"), ("s2", "fd00::12")):
        await rig.run(vms[name], "ip", "-6", "addr", "add", f"{ip}/64", "dev",
                      rig.dev(vms[name]), "nodad")
        await rig.run(vms[name], "ip", "-6", "route", "add", "default", "via", "fd00::1")
    # A VIP without backends, created with --reject: refused at once, from the switch and
    # through the router.
    for client in ("c", "x"):
        verdict, took = await _probe(rig, vms[client], "tcp", "172.16.0.200", 80)
        assert verdict == "refused" and took < 1, (client, verdict, took)
    # The router's LB with lb_force_snat_ip=router_ip: the backends see the router's port.
    conns = await _lb_connections(rig, vms["x"], "172.16.0.100", 8)
    assert {a[0].split()[1] for a in conns} == {"10.0.0.1"}, conns
    assert {a[0].split()[0] for a in conns} == {"s1", "s2"}, conns
    # IPv6 hairpin on the switch: a backend reaching the VIP lands on itself (seeing the VIP)
    # or on the other.
    conns = await _lb_connections(rig, vms["s1"], "fd16::100", 12)
    seen = {tuple(a[0].split()) for a in conns}
    assert seen <= {("s1", "fd16::100"), ("s2", "fd00::11")}, conns
    assert {s for s, _ in seen} == {"s1", "s2"}, conns


# --- More: a load balancer on a distributed gateway port -----------------------------------------


def test_load_balancer_on_a_distributed_gateway_port() -> None:
    in_rig(_load_balancer_on_a_distributed_gateway_port)


async def _load_balancer_on_a_distributed_gateway_port(rig: Rig) -> None:
    """A distributed router whose port to "ext" is a gateway port on this chassis: the LB's
    flows run where cr-r-ext is resident."""
    _chassis(rig, True)
    topo = [c for c in LB_TOPOLOGY if c[:2] != ("set", "Logical_Router")]
    for c in (*topo, ("lrp-set-gateway-chassis", "r-ext", "hv1", "10"),
              ("lr-lb-add", "r", "lb0")):
        rig.nbctl(*c)
    await rig.sync()
    rig.sbctl("lsp-bind", "cr-r-ext", "hv1")
    await rig.until(lambda: getattr(rig.dp.model.ports.get("cr-r-ext"), "chassis", None)
                    == "hv1", "cr-r-ext bound")
    vms = await _lb_vms(rig, client=False)
    assert await rig.ping(vms["x"], "10.0.0.11")
    conns = await _lb_connections(rig, vms["x"], "172.16.0.100", 12)
    assert {a[0].split()[0] for a in conns} == {"s1", "s2"}, conns
    assert all(len(set(a)) == 1 for a in conns), conns
