"""The MICROFLOW argument of ovn-trace: an OVN match expression that pins down one packet.

``parse_microflow`` parses the expression with the logical flow language's parser, which also
ANDs in every field's prerequisites (``tcp.dst == 80`` brings ``ip.proto == 6`` and an
``eth.type`` alternative) and simplifies them against the equalities given.  What remains must be
a conjunction of equality tests on base fields: each one sets bits of the microflow.  Anything
else (an ``||`` left over, ``!=``, ``<``) does not name a single packet and is an error, in
ovn-trace's words.  Fields nobody mentions stay 0, exactly as ovn-trace leaves them (no TTL
default: ``nw_ttl=0``).

``format_uflow`` prints the microflow the way ovn-trace's first line does, which is Open
vSwitch's flow syntax: protocol name first (``tcp``, ``icmp6``, ``arp``...), the logical ports
as ``reg14``/``reg15`` tunnel keys, then L2, L3 and L4 fields in OVS's order.
"""

from __future__ import annotations

from collections.abc import Callable

from pyovn.logical.expr import And, Bool, Expr, ParseError, Test, parse_expr
from pyovn.logical.flow import Flow, format_ip4, format_ip6, format_mac
from pyovn.logical.symbols import SymbolTable

__all__ = ["MicroflowError", "format_uflow", "parse_microflow"]

ETH_IP, ETH_IP6, ETH_ARP, ETH_RARP = 0x0800, 0x86DD, 0x0806, 0x8035


class MicroflowError(ValueError):
    """The microflow is not valid or does not describe a single packet."""


def parse_microflow(
    text: str,
    symtab: SymbolTable,
    address_sets: dict[str, list[str]],
    port_groups: dict[str, list[str]],
    dp_key: int | None = None,
) -> Flow:
    """The microflow ``text`` describes, as a Flow."""
    try:
        e = parse_expr(text, symtab, address_sets, port_groups, dp_key)
    except ParseError as err:
        raise MicroflowError(err.message) from None  # ovn-trace names no offset
    flow: Flow = {}
    for t in _terms(e):
        if not isinstance(t, Test) or t.relop != "==":
            raise MicroflowError(
                "Constraints are ambiguous: " + (str(t) if not isinstance(t, Test) else
                                                   f"{t.base} {t.relop} ...")
            )
        if isinstance(t.value, str):
            flow[t.base] = t.value
            continue
        old = flow.get(t.base, 0)
        assert isinstance(old, int)
        flow[t.base] = (old & ~t.mask) | (t.value & t.mask)
    return flow


def _terms(e: Expr) -> list[Expr]:
    if isinstance(e, Bool):
        if not e.value:
            raise MicroflowError("Constraints are contradictory.")
        return []
    if isinstance(e, And):
        out: list[Expr] = []
        for x in e.items:
            out.extend(_terms(x))
        return out
    return [e]


# --- the OVS flow syntax of ovn-trace's first line ---------------------------------------------

_TCP_FLAGS = (
    (0x001, "fin"), (0x002, "syn"), (0x004, "rst"), (0x008, "psh"), (0x010, "ack"),
    (0x020, "urg"), (0x040, "ece"), (0x080, "cwr"), (0x100, "ns"),
)
_FRAG = {0: "no", 1: "first", 3: "later", 2: "no"}


def _tcp_flags(v: int) -> str:
    if not v:
        return "0"
    names = [n for bit, n in _TCP_FLAGS if v & bit]
    return "+".join(names) if names else f"{v:#x}"


def format_uflow(flow: Flow, port_key: Callable[[str], int]) -> str:
    """``flow`` in Open vSwitch's flow syntax, as ovn-trace prints it after ``# ``."""
    g: Callable[[str], int] = lambda k: int(flow.get(k, 0) or 0)  # noqa: E731
    eth_type = g("eth.type")
    proto = g("ip.proto")
    parts: list[str] = []
    # Conntrack fields come first in OVS's syntax (ovn-trace shows them in LOG lines).
    if g("ct_state"):
        from pyovn.trace.walk import format_ct_state

        parts.append(f"ct_state={format_ct_state(g('ct_state'))}")
    if g("ct_mark"):
        parts.append(f"ct_mark={g('ct_mark'):#x}")
    if g("ct_label"):
        parts.append(f"ct_label={g('ct_label'):#x}")
    name = ""
    if eth_type == ETH_IP:
        name = {1: "icmp", 6: "tcp", 17: "udp", 132: "sctp"}.get(proto, "ip")
    elif eth_type == ETH_IP6:
        name = {58: "icmp6", 6: "tcp6", 17: "udp6", 132: "sctp6"}.get(proto, "ipv6")
    elif eth_type == ETH_ARP:
        name = "arp"
    elif eth_type == ETH_RARP:
        name = "rarp"
    if name:
        parts.append(name)
    regs: dict[int, int] = {i: g(f"reg{i}") for i in range(10)}
    regs[10] = g("flags")
    for key, reg in (("inport", 14), ("outport", 15)):
        v = flow.get(key, "")
        if isinstance(v, str) and v:
            regs[reg] = port_key(v)
    for i in sorted(regs):
        if regs[i]:
            parts.append(f"reg{i}={regs[i]:#x}")
    if g("pkt.mark"):
        parts.append(f"pkt_mark={g('pkt.mark'):#x}")
    parts.append(f"vlan_tci={g('vlan.tci'):#06x}")
    parts.append(f"dl_src={format_mac(g('eth.src'))}")
    parts.append(f"dl_dst={format_mac(g('eth.dst'))}")
    if not name:
        parts.append(f"dl_type={eth_type:#06x}")
        return ",".join(parts)
    if eth_type in (ETH_IP, ETH_IP6):
        if eth_type == ETH_IP:
            parts.append(f"nw_src={format_ip4(g('ip4.src'))}")
            parts.append(f"nw_dst={format_ip4(g('ip4.dst'))}")
        else:
            parts.append(f"ipv6_src={format_ip6(g('ip6.src'))}")
            parts.append(f"ipv6_dst={format_ip6(g('ip6.dst'))}")
            parts.append(f"ipv6_label={g('ip6.label'):#07x}")
        if name in ("ip", "ipv6"):
            parts.append(f"nw_proto={proto}")
        parts.append(f"nw_tos={g('ip.dscp') << 2}")
        parts.append(f"nw_ecn={g('ip.ecn')}")
        parts.append(f"nw_ttl={g('ip.ttl')}")
        parts.append(f"nw_frag={_FRAG[g('ip.frag') & 3]}")
        frag_later = (g("ip.frag") & 3) == 3
        if frag_later:
            return ",".join(parts)
        if proto in (6, 17, 132):
            l4 = {6: "tcp", 17: "udp", 132: "sctp"}[proto]
            parts.append(f"tp_src={g(l4 + '.src')}")
            parts.append(f"tp_dst={g(l4 + '.dst')}")
            if proto == 6:
                parts.append(f"tcp_flags={_tcp_flags(g('tcp.flags'))}")
        elif proto == 1 and eth_type == ETH_IP:
            parts.append(f"icmp_type={g('icmp4.type')}")
            parts.append(f"icmp_code={g('icmp4.code')}")
        elif proto == 58 and eth_type == ETH_IP6:
            t = g("icmp6.type")
            parts.append(f"icmp_type={t}")
            parts.append(f"icmp_code={g('icmp6.code')}")
            if t in (135, 136) and g("icmp6.code") == 0:
                parts.append(f"nd_target={format_ip6(g('nd.target'))}")
                parts.append(f"nd_sll={format_mac(g('nd.sll'))}")
                parts.append(f"nd_tll={format_mac(g('nd.tll'))}")
    else:  # ARP / RARP
        parts.append(f"arp_spa={format_ip4(g('arp.spa'))}")
        parts.append(f"arp_tpa={format_ip4(g('arp.tpa'))}")
        parts.append(f"arp_op={g('arp.op')}")
        parts.append(f"arp_sha={format_mac(g('arp.sha'))}")
        parts.append(f"arp_tha={format_mac(g('arp.tha'))}")
    return ",".join(parts)
