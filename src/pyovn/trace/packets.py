"""The packets ovn-trace makes up for the packet-building actions (``arp``, ``icmp4``, ``reject``...).

ovn-trace builds them by copying the Open vSwitch flow and changing a few fields, which is not
what the datapath does (``pyovn.logical.actions.build_packet``): untouched fields keep their old
values, and fields that share one slot in an OVS flow change together.  The OVS slots matter
here, so this module reads and writes them through their OVN aliases:

* ``tp_src``: tcp.src / udp.src / sctp.src / icmp4.type / icmp6.type;
* ``tp_dst``: tcp.dst / udp.dst / sctp.dst / icmp4.code / icmp6.code;
* ``nw_src``/``nw_dst``: ip4.src / arp.spa, ip4.dst / arp.tpa; ``nw_proto``: ip.proto / arp.op;
* ``arp_sha``/``arp_tha``: arp.sha / nd.sll, arp.tha / nd.tll.

``reject`` answers from the addresses swapped ("loopback") and is skipped when the packet is
already such an answer (ICMP unreachable, TCP RST), as ovn-trace does to avoid a loop.
``make_packet`` returns the flow the nested actions see and the transformation's title, or None
when nothing is made.
"""

from __future__ import annotations

from pyovn.logical.flow import Flow

__all__ = ["get_tp_dst", "get_tp_src", "make_packet", "set_tp_dst", "set_tp_src"]

ETH_IP, ETH_IP6, ETH_ARP = 0x0800, 0x86DD, 0x0806
TCP_RST = 0x004
_TP_SRC = {6: "tcp.src", 17: "udp.src", 132: "sctp.src"}
_TP_DST = {6: "tcp.dst", 17: "udp.dst", 132: "sctp.dst"}


def _g(flow: Flow, key: str) -> int:
    v = flow.get(key, 0)
    return v if isinstance(v, int) else 0


def _slot(flow: Flow, l4: dict[int, str], icmp4: str, icmp6: str) -> str | None:
    eth = _g(flow, "eth.type")
    proto = _g(flow, "ip.proto")
    if eth not in (ETH_IP, ETH_IP6):
        return None
    if proto in l4:
        return l4[proto]
    if proto == 1 and eth == ETH_IP:
        return icmp4
    if proto == 58 and eth == ETH_IP6:
        return icmp6
    return None


def get_tp_src(flow: Flow) -> int:
    key = _slot(flow, _TP_SRC, "icmp4.type", "icmp6.type")
    return _g(flow, key) if key else 0


def get_tp_dst(flow: Flow) -> int:
    key = _slot(flow, _TP_DST, "icmp4.code", "icmp6.code")
    return _g(flow, key) if key else 0


def set_tp_src(flow: Flow, value: int) -> None:
    for k in _TP_SRC.values():
        flow[k] = value & 0xFFFF
    flow["icmp4.type"] = flow["icmp6.type"] = value & 0xFF


def set_tp_dst(flow: Flow, value: int) -> None:
    for k in _TP_DST.values():
        flow[k] = value & 0xFFFF
    flow["icmp4.code"] = flow["icmp6.code"] = value & 0xFF


def _swap_or_keep(new: Flow, old: Flow, loopback: bool, v6: bool) -> None:
    a, b = ("ip6.src", "ip6.dst") if v6 else ("ip4.src", "ip4.dst")
    if loopback:
        new["eth.src"], new["eth.dst"] = _g(old, "eth.dst"), _g(old, "eth.src")
        new[a], new[b] = _g(old, b), _g(old, a)


def _arp(flow: Flow) -> Flow:
    new = dict(flow)
    new.update({"ip.frag": 0, "ip.dscp": 0, "ip.ecn": 0, "ip.ttl": 0, "tcp.flags": 0,
                "eth.type": ETH_ARP, "arp.op": 1, "arp.sha": _g(flow, "eth.src"), "arp.tha": 0,
                "arp.spa": _g(flow, "ip4.src"), "arp.tpa": _g(flow, "ip4.dst")})
    return new


def _nd_na(flow: Flow) -> Flow:
    new = dict(flow)
    new.update({"eth.src": _g(flow, "eth.dst"), "eth.dst": _g(flow, "eth.src"),
                "ip6.dst": _g(flow, "ip6.src"), "ip6.src": _g(flow, "nd.target"),
                "nd.sll": 0, "arp.sha": 0, "nd.tll": _g(flow, "eth.dst"),
                "arp.tha": _g(flow, "eth.dst")})
    set_tp_src(new, 136)
    return new


def _solicited_node(ip6: int) -> int:
    return (0xFF02 << 112) | (1 << 32) | (0xFF << 24) | (ip6 & 0xFFFFFF)


def _nd_ns(flow: Flow) -> Flow:
    new = dict(flow)
    sn = _solicited_node(_g(flow, "ip6.dst"))
    new.update({"eth.dst": (0x3333 << 32) | (sn & 0xFFFFFFFF), "nd.sll": 0, "arp.sha": 0,
                "nd.tll": _g(flow, "eth.dst"), "arp.tha": _g(flow, "eth.dst")})
    set_tp_src(new, 135)
    return new


def _icmp(flow: Flow, v6: bool, loopback: bool) -> Flow | None:
    unreach = 1 if v6 else 3
    if loopback and get_tp_src(flow) == unreach:
        return None  # already an unreachable: no answer to it
    new = dict(flow)
    _swap_or_keep(new, flow, loopback, v6)
    new["ip.proto"] = 58 if v6 else 1
    new["ip.ttl"] = 255
    set_tp_src(new, unreach)
    set_tp_dst(new, 1)
    return new


def _l4_answer(flow: Flow, proto: int, loopback: bool) -> Flow | None:
    if loopback and _g(flow, "tcp.flags") == TCP_RST:
        return None
    tp_src, tp_dst = get_tp_src(flow), get_tp_dst(flow)
    v6 = _g(flow, "eth.type") != ETH_IP
    new = dict(flow)
    _swap_or_keep(new, flow, loopback, v6)
    # ovn-trace marks an IPv6 SCTP abort as TCP.
    new["ip.proto"] = 6 if v6 and proto == 132 else proto
    new["ip.ttl"] = 255
    set_tp_src(new, tp_src)
    set_tp_dst(new, tp_dst)
    new["tcp.flags"] = TCP_RST
    return new


def make_packet(kind: str, flow: Flow) -> tuple[Flow, str] | None:
    """(flow for the nested actions, transformation title) of ``kind { ... }``, or None."""
    if kind == "clone":
        return dict(flow), "clone"
    if kind == "arp":
        return _arp(flow), "arp"
    if kind in ("nd_na", "nd_na_router"):
        return _nd_na(flow), "nd_na"
    if kind == "nd_ns":
        return _nd_ns(flow), "nd_ns"
    loopback = kind == "reject"
    if loopback:
        proto = _g(flow, "ip.proto")
        kind = ("tcp_reset" if proto == 6 else "sctp_abort" if proto == 132
                else "icmp4" if _g(flow, "eth.type") == ETH_IP else "icmp6")
    if kind in ("icmp4", "icmp4_error", "icmp6", "icmp6_error"):
        v6 = kind.startswith("icmp6")
        new = _icmp(flow, v6, loopback)
        return (new, "icmp6" if v6 else "icmp4") if new is not None else None
    if kind in ("tcp_reset", "sctp_abort"):
        new = _l4_answer(flow, 6 if kind == "tcp_reset" else 132, loopback)
        return (new, kind) if new is not None else None
    return None
