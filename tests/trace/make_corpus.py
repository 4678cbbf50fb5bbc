"""Writes tests/trace/corpus/traces.txt: the differential corpus, one trace per line.

Each line is the ovn-trace command line after the format option, shell-quoted:
``[--select-id=N] [--ct=F ...] [--lb-dst=IP:PORT] [DATAPATH] 'MICROFLOW'``, with a ``# topic``
comment line before each group.  The topology is tests/logical/real_topology.py's.  Run this
script to regenerate the file after changing the topology; the file is the test's data.

Every entry must trace deterministically, because the interop test compares each one exactly:
load balancer entries name their backend (``--lb-dst``), and when the real OVN is installed the
script runs each entry through the real ovn-trace once and pins the member of any ``select()``
it chose at random (ECMP routes) with ``--select-id``.  Without the real OVN the pins of the
current file are kept.
"""

from __future__ import annotations

import shlex
from pathlib import Path

VMS = {  # port: (mac, ipv4, ipv6)
    "vm1": ("00:00:00:00:01:11", "10.0.1.11", "fd01::11"),
    "vm2": ("00:00:00:00:01:12", "10.0.1.12", "fd01::12"),
    "vm3": ("00:00:00:00:01:13", "10.0.1.13", "fd01::13"),
    "vm4": ("00:00:00:00:02:14", "10.0.2.14", "fd02::14"),
    "vm5": ("00:00:00:00:02:15", "10.0.2.15", "fd02::15"),
}
LS1 = ("vm1", "vm2", "vm3")
LS2 = ("vm4", "vm5")
RMAC = {"ls1": "00:00:00:00:ff:01", "ls2": "00:00:00:00:ff:02"}
RIP = {"ls1": "10.0.1.1", "ls2": "10.0.2.1"}
RIP6 = {"ls1": "fd01::1", "ls2": "fd02::1"}
EXT_MAC = "00:00:00:00:aa:01"
BCAST = "ff:ff:ff:ff:ff:ff"


def sw(p: str) -> str:
    return "ls1" if p in LS1 else "ls2"


def eth(p: str, dst: str, src: str | None = None) -> str:
    return f'inport == "{p}" && eth.src == {src or VMS[p][0]} && eth.dst == {dst}'


def ip4(p: str, dst_mac: str, dst_ip: str, l4: str = "", ttl: int | None = 64,
        src_ip: str | None = None, src_mac: str | None = None) -> str:
    s = f"{eth(p, dst_mac, src_mac)} && ip4.src == {src_ip or VMS[p][1]} && ip4.dst == {dst_ip}"
    if ttl is not None:
        s += f" && ip.ttl == {ttl}"
    return s + (f" && {l4}" if l4 else "")


def ip6(p: str, dst_mac: str, dst_ip: str, l4: str = "", ttl: int | None = 64) -> str:
    s = f"{eth(p, dst_mac)} && ip6.src == {VMS[p][2]} && ip6.dst == {dst_ip}"
    if ttl is not None:
        s += f" && ip.ttl == {ttl}"
    return s + (f" && {l4}" if l4 else "")


def arp(p: str, tpa: str, src_mac: str | None = None, spa: str | None = None) -> str:
    mac = src_mac or VMS[p][0]
    return (f'inport == "{p}" && eth.src == {mac} && eth.dst == {BCAST} && arp.op == 1 && '
            f"arp.sha == {mac} && arp.spa == {spa or VMS[p][1]} && arp.tpa == {tpa}")


def corpus() -> list[tuple[str, list[list[str]]]]:
    groups: list[tuple[str, list[list[str]]]] = []

    def g(topic: str, *entries: list[str]) -> None:
        groups.append((topic, list(entries)))

    l4s = ["tcp.dst == 80", "tcp.dst == 22", "udp.dst == 53", "icmp4.type == 8"]
    e = []
    for a in LS1:
        for b in LS1:
            if a != b:
                for l4 in l4s:
                    e.append([ip4(a, VMS[b][0], VMS[b][1], l4)])
    for a, b in (("vm4", "vm5"), ("vm5", "vm4")):
        for l4 in l4s:
            e.append([ip4(a, VMS[b][0], VMS[b][1], l4)])
    g("L2 unicast IPv4 within a switch (ACLs on pg_web/pg_db apply)", *e)
    g("L2 unicast with conntrack states", *[
        [f"--ct={c}", f"--ct={c}", ip4(a, VMS[b][0], VMS[b][1], l4)]
        for c in ("new", "est", "est,rpl", "inv")
        for a, b in (("vm1", "vm2"), ("vm4", "vm5"))
        for l4 in ("tcp.dst == 80", "tcp.dst == 5432")
    ])
    g("L2 non-IP, broadcast, unknown", *[
        [eth("vm1", VMS["vm2"][0])], [eth("vm1", BCAST)], [eth("vm3", BCAST)],
        [eth("vm2", "00:00:00:00:99:99")], [eth("vm4", "00:00:00:00:99:99")],
        [eth("vm4", BCAST)], [eth("vm5", VMS["vm4"][0])], [eth("vm3", VMS["vm1"][0])],
        [eth("vm1", "01:00:5e:00:00:01")], ["ls1", eth("vm2", BCAST)],
        [ip4("vm3", "00:00:00:00:99:99", "10.0.1.99", "udp.dst == 9")],
        [ip4("vm1", BCAST, "10.0.1.255", "udp.dst == 9")],
    ])
    e = []
    for p in LS1 + LS2:
        targets = [VMS[q][1] for q in (LS1 if p in LS1 else LS2) if q != p]
        targets += [RIP[sw(p)], "10.0.1.254" if p in LS1 else "10.0.2.200",
                    "10.0.1.99" if p in LS1 else "10.0.2.31", "10.0.9.9"]
        e += [[arp(p, t)] for t in targets]
    g("ARP requests: responder for VIFs and router IPs, flooding for the rest", *e)
    g("ICMP echo to router IPs", *[
        [ip4(p, RMAC[sw(p)], ip, "icmp4.type == 8")]
        for p in ("vm1", "vm4", "vm5")
        for ip in ("10.0.1.1", "10.0.2.1", "172.16.0.1")
    ])
    e = []
    for a, b in (("vm1", "vm4"), ("vm1", "vm5"), ("vm2", "vm4"), ("vm4", "vm1"), ("vm5", "vm2"),
                 ("vm4", "vm2"), ("vm3", "vm5")):
        for l4 in ("tcp.dst == 80", "udp.dst == 53", "icmp4.type == 8", "tcp.dst == 5432"):
            e.append([ip4(a, RMAC[sw(a)], VMS[b][1], l4)])
    g("routed IPv4 between ls1 and ls2 through lr1", *e)
    g("routed with conntrack states", *[
        [f"--ct={c}", f"--ct={c}", f"--ct={c}", ip4(a, RMAC[sw(a)], VMS[b][1], "tcp.dst == 80")]
        for c in ("new", "est") for a, b in (("vm1", "vm4"), ("vm4", "vm1"), ("vm2", "vm5"))
    ])
    g("TTL expiry and TTL 0", *[
        [ip4(a, RMAC[sw(a)], VMS[b][1], "icmp4.type == 8", ttl=t)]
        for t in (1, 0, 2) for a, b in (("vm1", "vm4"), ("vm4", "vm1"))
    ] + [[ip4("vm1", RMAC["ls1"], "8.8.8.8", "udp.dst == 53", ttl=1)]])
    g("port security violations", *[
        [eth("vm1", VMS["vm2"][0], src="00:00:00:00:01:99")],
        [ip4("vm1", VMS["vm2"][0], "10.0.1.12", "tcp.dst == 80", src_ip="10.0.1.99")],
        [ip4("vm2", VMS["vm1"][0], "10.0.1.11", "tcp.dst == 80", src_ip="10.0.1.200")],
        [ip4("vm2", VMS["vm1"][0], "10.0.1.11", "tcp.dst == 80", src_ip="10.0.5.5")],
        [arp("vm1", "10.0.1.12", spa="10.0.1.77")],
        [arp("vm1", "10.0.1.12", src_mac="00:00:00:00:01:77")],
        [ip4("vm1", RMAC["ls1"], "10.0.2.14", "icmp4.type == 8", src_mac="00:00:00:00:01:12")],
        [ip4("vm3", VMS["vm1"][0], "10.0.1.11", "tcp.dst == 80", src_ip="1.2.3.4")],
        [ip4("vm4", VMS["vm5"][0], "10.0.2.15", "tcp.dst == 80", src_ip="10.0.2.99")],
        [ip4("vm1", VMS["vm2"][0], "10.0.9.9", "tcp.dst == 80")],
    ])
    g("ACL reject / tcp_reset / drop", *[
        [f"--ct={c}", ip4(a, RMAC[sw(a)], VMS[b][1], l4)]
        for c in ("new", "est")
        for a, b in (("vm1", "vm4"), ("vm2", "vm5"))
        for l4 in ("tcp.dst == 22", "udp.dst == 99", "tcp.dst == 5432", "icmp4.type == 8")
    ] + [[ip4("vm4", VMS["vm5"][0], "10.0.2.15", "tcp.dst == 22")],
         [ip4("vm4", RMAC["ls2"], "10.0.2.99", "icmp4.type == 8")]])
    g("NAT on lr1 (distributed gateway port): SNAT and dnat_and_snat outbound", *[
        [*cts, ip4(p, RMAC[sw(p)], dst, l4)]
        for cts in ([], ["--ct=new", "--ct=new", "--ct=new"], ["--ct=est,rpl", "--ct=est,rpl"])
        for p in ("vm1", "vm2", "vm4", "vm5")
        for dst, l4 in (("8.8.8.8", "udp.dst == 53"), ("172.16.0.50", "tcp.dst == 80"))
    ])
    ext = 'inport == "ln-ext" && eth.src == ' + EXT_MAC
    g("NAT inbound from the external network", *[
        [*cts, f"{ext} && eth.dst == {mac} && ip4.src == 172.16.0.50 && ip4.dst == {dst} && "
               f"ip.ttl == 64 && tcp.dst == 80"]
        for cts in ([], ["--ct=new", "--ct=new", "--ct=new"], ["--ct=est", "--ct=est"])
        for mac, dst in (("00:00:00:00:ff:03", "172.16.0.100"),
                         ("00:00:00:00:ff:03", "172.16.0.101"),
                         ("00:00:00:00:ff:03", "172.16.0.102"),
                         ("00:00:00:00:ff:03", "172.16.0.1"),
                         ("00:00:00:00:fe:01", "172.16.0.200"),
                         ("00:00:00:00:fe:01", "172.16.0.201"),
                         ("00:00:00:00:fe:01", "172.16.0.2"))
    ] + [
        [f"{ext} && eth.dst == {BCAST} && arp.op == 1 && arp.sha == {EXT_MAC} && "
         f"arp.spa == 172.16.0.50 && arp.tpa == {t}"]
        for t in ("172.16.0.1", "172.16.0.2", "172.16.0.100", "172.16.0.200", "172.16.0.99")
    ])
    g("gateway router gw1 from the join switch", *[
        [*cts, f'inport == "join-gw1" && eth.src == 00:00:00:00:00:10 && '
               f"eth.dst == 00:00:00:00:fe:02 && ip4.src == {src} && ip4.dst == {dst} && "
               f"ip.ttl == 64 && tcp.dst == 80"]
        for cts in ([], ["--ct=new", "--ct=new"])
        for src in ("100.64.0.10", "100.64.0.11", "100.64.0.99")
        for dst in ("172.16.0.50", "10.0.1.11")
    ])
    lbs = [("10.0.0.10", "tcp.dst == 80", ["10.0.1.11:8080", "10.0.2.14:8080"]),
           ("10.0.0.11", "udp.dst == 53", ["10.0.1.12:53"]),
           ("10.0.0.12", "tcp.dst == 80", ["10.0.1.11", "10.0.2.14"]),
           ("10.0.0.13", "tcp.dst == 443", ["10.0.1.11:443", "10.0.1.12:443"]),
           ("10.0.0.14", "tcp.dst == 80", [""])]
    e = []
    for p in ("vm1", "vm2", "vm4"):
        for vip, l4, backends in lbs:
            for be in backends:
                opts = [f"--lb-dst={be}"] if be else []
                e.append(["--ct=new", "--ct=new", "--ct=new", *opts,
                          ip4(p, RMAC[sw(p)], vip, l4)])
    e.append(["--ct=new", "--ct=new", "--lb-dst=100.64.0.10:80",
              f"{ext} && eth.dst == 00:00:00:00:fe:01 && ip4.src == 172.16.0.50 && "
              "ip4.dst == 172.16.0.210 && ip.ttl == 64 && tcp.dst == 8080"])
    g("load balancers on switches and routers", *e)
    g("DHCP", *[
        [f'inport == "{p}" && eth.src == {VMS[p][0]} && eth.dst == {BCAST} && '
         f"ip4.src == 0.0.0.0 && ip4.dst == 255.255.255.255 && udp.src == 68 && udp.dst == 67"]
        for p in ("vm1", "vm2", "vm3", "vm4")
    ] + [[ip4("vm1", RMAC["ls1"], "10.0.1.1", "udp.src == 68 && udp.dst == 67")]])
    g("IPv6: RS, ping, routing, ND to VIFs", *[
        [f'inport == "{p}" && eth.src == {VMS[p][0]} && eth.dst == 33:33:00:00:00:02 && '
         f"ip6.src == fe80::1 && ip6.dst == ff02::2 && nd_rs"] for p in ("vm1", "vm5")
    ] + [
        [ip6(a, RMAC[sw(a)], dst, l4)]
        for a in ("vm1", "vm5")
        for dst in ("fd01::1", "fd02::1", "fd02::15", "fd01::11", "2001:db8::5")
        for l4 in ("icmp6.type == 128", "udp.dst == 53")
    ] + [
        [f'inport == "vm1" && eth.src == {VMS["vm1"][0]} && eth.dst == 33:33:ff:00:00:12 && '
         "ip6.src == fd01::11 && ip6.dst == ff02::1:ff00:12 && nd_ns && nd.target == fd01::12 "
         f"&& nd.sll == {VMS['vm1'][0]}"]
    ])
    g("unknown datapath-less microflows and other ports", *[
        [ip4("vm3", VMS["vm1"][0], "10.0.1.11", "tcp.dst == 80")],
        [eth("vm3", "00:00:00:00:01:13")],
        ['inport == "cont1" && eth.src == 00:00:00:00:02:21 && eth.dst == 00:00:00:00:02:14 && '
         "ip4.src == 10.0.2.21 && ip4.dst == 10.0.2.14 && ip.ttl == 64 && tcp.dst == 80"],
        ['inport == "ext1" && eth.src == 00:00:00:00:02:31 && eth.dst == ff:ff:ff:ff:ff:ff && '
         "arp.op == 1 && arp.sha == 00:00:00:00:02:31 && arp.spa == 10.0.2.31 && "
         "arp.tpa == 10.0.2.1"],
        ['inport == "lp-meta" && eth.src == 00:00:00:00:01:fe && eth.dst == 00:00:00:00:01:11 '
         "&& ip4.src == 10.0.1.254 && ip4.dst == 10.0.1.11 && ip.ttl == 64 && tcp.dst == 80"],
    ])
    return groups


def _key(argv: list[str]) -> str:
    return shlex.join(a for a in argv if not a.startswith("--select-id="))


def pin_selects(entries: list[list[str]], path: Path) -> dict[str, str]:
    """entry (without --select-id) -> its --select-id option: from the real ovn-trace when
    installed, else from the current file."""
    import difftrace

    if difftrace.missing():
        pins = {}
        if path.exists():
            for argv in difftrace.corpus():
                opt = [a for a in argv if a.startswith("--select-id=")]
                if opt:
                    pins[_key(argv)] = opt[0]
        return pins
    pins = {}
    ovn = difftrace.start_real()
    try:
        for argv in entries:
            rc, real = difftrace.run_real(ovn.sb, "minimal", argv)
            pinned = difftrace.pin_select(real, argv) if rc == 0 else None
            if pinned:
                pins[_key(argv)] = pinned[0]
    finally:
        ovn.stop()
    return pins


def main() -> None:
    path = Path(__file__).parent / "corpus" / "traces.txt"
    groups = corpus()
    pins = pin_selects([argv for _, entries in groups for argv in entries], path)
    out = ["# Differential corpus for pyovn trace vs ovn-trace (generated by make_corpus.py)."]
    n = 0
    for topic, entries in groups:
        out.append(f"# {topic}")
        for argv in entries:
            pin = pins.get(_key(argv))
            out.append(shlex.join([pin, *argv] if pin else argv))
            n += 1
    path.parent.mkdir(exist_ok=True)
    path.write_text("\n".join(out) + "\n")
    print(f"{n} traces ({len(pins)} with a pinned select()) -> {path}")


if __name__ == "__main__":
    main()
