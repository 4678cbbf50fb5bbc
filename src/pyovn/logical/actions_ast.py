"""The parsed form of OVN logical actions: one small frozen class per action of ovn-sb(5).

Each class keeps exactly what its action means (fields as ``FieldRef``s, constants as
``Value``s with the notation they were written in) and prints itself back with ``to_string()`` in
the normalized form OVN prints (ovn-trace, ``ovn-sbctl lflow-list`` after a round trip through
``ovnacts_format``): ``next(pipeline=egress, table=11);``, ``reg0[0] = lookup_arp(...);``,
``ct_lb_mark(backends=10.0.0.2:80,[fd00::2]:80; hash_fields="ip_src");``.  Nested actions
(``arp { ... };``) hold a tuple of actions; an empty tuple prints as ``drop;``.

The parser (``actions_parse``) builds these; the compiler (``actions_exec``) turns them into a
Python callable.  No I/O here.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from typing import ClassVar

from pyovn.logical.expr_ast import Constant
from pyovn.logical.flow import FieldRef
from pyovn.logical.lexer import IntFormat, format_integer

__all__ = [
    "Action",
    "ActionList",
    "BindVport",
    "CheckPktLarger",
    "CommitEcmpNh",
    "CommitLbAff",
    "CtCommitV1",
    "CtLb",
    "CtLbBackend",
    "CtNat",
    "DecTtl",
    "Exchange",
    "FieldRef",
    "range_string",
    "FwdGroup",
    "GenOption",
    "GetFdb",
    "GetMacBind",
    "HandleSvcCheck",
    "Load",
    "Log",
    "LookupFdb",
    "LookupMacBind",
    "Move",
    "Nested",
    "Next",
    "OptionDef",
    "PushPop",
    "PutFdb",
    "PutMacBind",
    "PutOpts",
    "Result",
    "Sample",
    "Select",
    "SetMeter",
    "SetQueue",
    "Simple",
    "TriggerEvent",
    "Value",
    "ValueSet",
    "format_actions",
]


# --- operands ---------------------------------------------------------------------------------


def range_string(ref: FieldRef) -> str:
    """``name[lo..hi]`` always with the bit range, as OVN's type-check errors print a field."""
    return f"{ref.symbol.name}[{ref.ofs}..{ref.ofs + ref.n_bits - 1}]"


# Actions and matches share one constant type; ``Value`` is its name on the actions side.
Value = Constant


@dataclass(frozen=True, slots=True)
class ValueSet:
    """A constant or ``{c1, c2, ...}`` (option values of put_dhcp_opts and friends)."""

    values: tuple[Value, ...]
    in_curlies: bool = False

    def to_string(self) -> str:
        inner = ", ".join(v.to_string() for v in self.values)
        if self.in_curlies or len(self.values) != 1:
            return "{" + inner + "}"
        return inner


@dataclass(frozen=True, slots=True)
class OptionDef:
    """A DHCPv4/DHCPv6/ND-RA/controller-event option: name, code and value type."""

    name: str
    code: int
    type: str


@dataclass(frozen=True, slots=True)
class GenOption:
    option: OptionDef
    value: ValueSet

    def to_string(self) -> str:
        return f"{self.option.name} = {self.value.to_string()}"


# --- actions ----------------------------------------------------------------------------------


class Action:
    """Base of all parsed actions."""

    __slots__ = ()
    name: ClassVar[str] = ""

    def to_string(self) -> str:  # pragma: no cover - every subclass overrides
        raise NotImplementedError

    def __str__(self) -> str:
        return self.to_string()


ActionList = tuple[Action, ...]


def format_actions(actions: ActionList) -> str:
    """Normalized text of an action list; ``drop;`` when empty (as OVN prints it)."""
    if not actions:
        return "drop;"
    return " ".join(a.to_string() for a in actions)


@dataclass(frozen=True, slots=True)
class Simple(Action):
    """An action that is just its keyword: output, ct_next, ct_clear, igmp, ip.ttl-- ...

    ``text`` is what it prints (``ip.ttl--;``, ``handle_bfd_msg();``).  ``pipeline``/``table``
    are where execution continues for the actions that move on by themselves (ct_next,
    ct_commit_nat).
    """

    keyword: str
    text: str
    pipeline: str = ""
    table: int = -1

    def to_string(self) -> str:
        return self.text


@dataclass(frozen=True, slots=True)
class DecTtl(Action):
    def to_string(self) -> str:
        return "ip.ttl--;"


@dataclass(frozen=True, slots=True)
class Next(Action):
    pipeline: str
    table: int
    src_pipeline: str
    src_table: int

    def to_string(self) -> str:
        if self.pipeline != self.src_pipeline:
            return f"next(pipeline={self.pipeline}, table={self.table});"
        if self.table != self.src_table + 1:
            return f"next({self.table});"
        return "next;"


@dataclass(frozen=True, slots=True)
class Load(Action):
    """``field = constant;`` (also the OVN fields icmp4.frag_mtu / icmp6.frag_mtu)."""

    dst: FieldRef
    value: Value

    def to_string(self) -> str:
        if self.dst.symbol.ovn_field:
            return f"{self.dst.symbol.name} = {self.value.value};"
        return f"{self.dst} = {self.value.to_string()};"


@dataclass(frozen=True, slots=True)
class Move(Action):
    dst: FieldRef
    src: FieldRef

    def to_string(self) -> str:
        return f"{self.dst} = {self.src};"


@dataclass(frozen=True, slots=True)
class Exchange(Action):
    a: FieldRef
    b: FieldRef

    def to_string(self) -> str:
        return f"{self.a} <-> {self.b};"


@dataclass(frozen=True, slots=True)
class PushPop(Action):
    push: bool
    field: FieldRef

    def to_string(self) -> str:
        return f"{'push' if self.push else 'pop'}({self.field});"


@dataclass(frozen=True, slots=True)
class CtCommitV1(Action):
    """Legacy ``ct_commit(ct_mark=V[/M], ct_label=V[/M]);`` (masks 0 = not set)."""

    ct_mark: int = 0
    ct_mark_mask: int = 0
    ct_label: int = 0
    ct_label_mask: int = 0

    def to_string(self) -> str:
        parts = []
        if self.ct_mark_mask:
            p = f"ct_mark={self.ct_mark:#x}"
            if self.ct_mark_mask != 0xFFFFFFFF:
                p += f"/{self.ct_mark_mask:#x}"
            parts.append(p)
        if self.ct_label_mask:
            p = f"ct_label={self.ct_label:#x}"
            if self.ct_label_mask != (1 << 128) - 1:
                p += f"/{self.ct_label_mask:#x}"
            parts.append(p)
        if not parts:
            return "ct_commit;"
        return "ct_commit(" + ", ".join(parts) + ");"


@dataclass(frozen=True, slots=True)
class Nested(Action):
    """``kind { actions };``: ct_commit, clone, arp, nd_ns, nd_na, nd_na_router, icmp4,
    icmp4_error, icmp6, icmp6_error, tcp_reset, sctp_abort, reject."""

    kind: str
    actions: ActionList

    def to_string(self) -> str:
        if self.kind == "ct_commit" and not self.actions:
            return "ct_commit;"
        return f"{self.kind} {{ {format_actions(self.actions)} }};"


@dataclass(frozen=True, slots=True)
class CtNat(Action):
    """ct_dnat / ct_snat / ct_dnat_in_czone / ct_snat_in_czone, with optional IP and ports."""

    kind: str
    ip: int | None = None
    ipv6: bool = False
    port_lo: int = 0
    port_hi: int = 0
    has_ports: bool = False
    pipeline: str = ""
    table: int = -1

    def ip_string(self) -> str:
        if self.ip is None:
            return ""
        return format_integer(self.ip, IntFormat.IPV6 if self.ipv6 else IntFormat.IPV4)

    def to_string(self) -> str:
        s = self.kind
        if self.ip is not None:
            s += f"({self.ip_string()})"
        if self.has_ports:
            s = s.removesuffix(")")
            s += f",{self.port_lo}"
            if self.port_hi:
                s += f"-{self.port_hi}"
            s += ")"
        return s + ";"


@dataclass(frozen=True, slots=True)
class CtLbBackend:
    ip: int
    ipv6: bool
    port: int = 0

    def to_string(self) -> str:
        if not self.ipv6:
            s = format_integer(self.ip, IntFormat.IPV4)
            return f"{s}:{self.port}" if self.port else s
        s = format_integer(self.ip, IntFormat.IPV6)
        return f"[{s}]:{self.port}" if self.port else s


@dataclass(frozen=True, slots=True)
class CtLb(Action):
    mark: bool  # ct_lb_mark (NAT flag in ct_mark) or ct_lb (in ct_label)
    backends: tuple[CtLbBackend, ...] = ()
    hash_fields: str | None = None
    ct_flag: str | None = None  # "skip_snat" / "force_snat"
    pipeline: str = ""
    table: int = -1

    def to_string(self) -> str:
        s = "ct_lb_mark" if self.mark else "ct_lb"
        if self.backends:
            s += "(backends=" + ",".join(b.to_string() for b in self.backends)
            if self.hash_fields is not None:
                s += f'; hash_fields="{self.hash_fields}"'
            if self.ct_flag:
                s += f"; {self.ct_flag}"
            s += ")"
        return s + ";"


@dataclass(frozen=True, slots=True)
class Select(Action):
    dst: FieldRef
    members: tuple[tuple[int, int], ...]  # (id, weight)
    pipeline: str = ""
    table: int = -1

    def to_string(self) -> str:
        inner = ", ".join(f"{i}={w}" for i, w in self.members)
        return f"{self.dst} = select({inner});"


@dataclass(frozen=True, slots=True)
class GetMacBind(Action):
    """get_arp(P, A) / get_nd(P, A): eth.dst = the MAC bound to A on P, or zero."""

    kind: str  # "arp" / "nd"
    port: FieldRef
    ip: FieldRef

    def to_string(self) -> str:
        return f"get_{self.kind}({self.port}, {self.ip});"


@dataclass(frozen=True, slots=True)
class PutMacBind(Action):
    kind: str
    port: FieldRef
    ip: FieldRef
    mac: FieldRef

    def to_string(self) -> str:
        return f"put_{self.kind}({self.port}, {self.ip}, {self.mac});"


@dataclass(frozen=True, slots=True)
class LookupMacBind(Action):
    """R = lookup_arp(P, A, M) / lookup_nd(...) / lookup_arp_ip(P, A) / lookup_nd_ip(P, A)."""

    kind: str  # "arp" / "nd"
    dst: FieldRef
    port: FieldRef
    ip: FieldRef
    mac: FieldRef | None = None  # None for the *_ip variants

    def to_string(self) -> str:
        name = f"lookup_{self.kind}" + ("_ip" if self.mac is None else "")
        args = [str(self.port), str(self.ip)]
        if self.mac is not None:
            args.append(str(self.mac))
        return f"{self.dst} = {name}({', '.join(args)});"


@dataclass(frozen=True, slots=True)
class PutOpts(Action):
    """R = put_dhcp_opts(...) / put_dhcpv6_opts(...) / put_nd_ra_opts(...)."""

    func: str
    dst: FieldRef
    options: tuple[GenOption, ...]

    def to_string(self) -> str:
        inner = ", ".join(o.to_string() for o in self.options)
        return f"{self.dst} = {self.func}({inner});"

    def option(self, name: str) -> ValueSet | None:
        for o in self.options:
            if o.option.name == name:
                return o.value
        return None


@dataclass(frozen=True, slots=True)
class Result(Action):
    """R = f(); for the parameterless checks: dns_lookup, chk_lb_hairpin, chk_lb_hairpin_reply,
    check_in_port_sec, check_out_port_sec, chk_ecmp_nh_mac, chk_ecmp_nh, chk_lb_aff."""

    func: str
    dst: FieldRef

    def to_string(self) -> str:
        return f"{self.dst} = {self.func}();"


@dataclass(frozen=True, slots=True)
class CheckPktLarger(Action):
    dst: FieldRef
    length: int

    def to_string(self) -> str:
        return f"{self.dst} = check_pkt_larger({self.length});"


@dataclass(frozen=True, slots=True)
class SetQueue(Action):
    queue_id: int

    def to_string(self) -> str:
        return f"set_queue({self.queue_id});"


@dataclass(frozen=True, slots=True)
class SetMeter(Action):
    rate: int
    burst: int = 0

    def to_string(self) -> str:
        if self.burst:
            return f"set_meter({self.rate}, {self.burst});"
        return f"set_meter({self.rate});"


@dataclass(frozen=True, slots=True)
class Log(Action):
    verdict: str
    severity: str = "info"
    log_name: str | None = None
    meter: str | None = None

    def to_string(self) -> str:
        s = "log("
        if self.log_name is not None:
            s += f'name="{self.log_name}", '
        s += f"verdict={self.verdict}, severity={self.severity}"
        if self.meter is not None:
            s += f', meter="{self.meter}"'
        return s + ");"


@dataclass(frozen=True, slots=True)
class TriggerEvent(Action):
    event: str
    options: tuple[GenOption, ...] = ()

    def to_string(self) -> str:
        s = f'trigger_event(event = "{self.event}"'
        for o in self.options:
            s += ", " + o.to_string()
        return s + ");"

    def option(self, name: str) -> str | None:
        for o in self.options:
            if o.option.name == name and o.value.values:
                return o.value.values[0].string
        return None


@dataclass(frozen=True, slots=True)
class BindVport(Action):
    vport: str
    parent: FieldRef

    def to_string(self) -> str:
        return f'bind_vport("{self.vport}", {self.parent});'


@dataclass(frozen=True, slots=True)
class HandleSvcCheck(Action):
    port: FieldRef

    def to_string(self) -> str:
        return f"handle_svc_check({self.port});"


@dataclass(frozen=True, slots=True)
class FwdGroup(Action):
    liveness: bool
    child_ports: tuple[str, ...]
    pipeline: str = ""
    table: int = -1

    def to_string(self) -> str:
        s = "fwd_group("
        if self.liveness:
            s += 'liveness="true", '
        if self.child_ports:
            s += "childports=" + ", ".join(f'"{p}"' for p in self.child_ports)
        return s + ");"


@dataclass(frozen=True, slots=True)
class PutFdb(Action):
    port: FieldRef
    mac: FieldRef

    def to_string(self) -> str:
        return f"put_fdb({self.port}, {self.mac});"


@dataclass(frozen=True, slots=True)
class GetFdb(Action):
    dst: FieldRef
    mac: FieldRef

    def to_string(self) -> str:
        return f"{self.dst} = get_fdb({self.mac});"


@dataclass(frozen=True, slots=True)
class LookupFdb(Action):
    dst: FieldRef
    port: FieldRef
    mac: FieldRef

    def to_string(self) -> str:
        return f"{self.dst} = lookup_fdb({self.port}, {self.mac});"


_PROTO_NAMES = {6: "tcp", 17: "udp", 132: "sctp"}


@dataclass(frozen=True, slots=True)
class CommitEcmpNh(Action):
    ipv6: bool
    proto: int

    def to_string(self) -> str:
        proto = _PROTO_NAMES.get(self.proto, "tcp")
        return f"commit_ecmp_nh(ipv6 = {'true' if self.ipv6 else 'false'}, proto = {proto});"


@dataclass(frozen=True, slots=True)
class CommitLbAff(Action):
    vip: ipaddress.IPv4Address | ipaddress.IPv6Address
    vip_port: int
    backend: ipaddress.IPv4Address | ipaddress.IPv6Address
    backend_port: int
    proto: int  # 0 when no port was given
    timeout: int

    @staticmethod
    def _addr(ip: ipaddress.IPv4Address | ipaddress.IPv6Address, port: int) -> str:
        s = f"[{ip}]" if ip.version == 6 else str(ip)
        return f"{s}:{port}" if port else s

    def to_string(self) -> str:
        s = (
            f'commit_lb_aff(vip = "{self._addr(self.vip, self.vip_port)}", '
            f'backend = "{self._addr(self.backend, self.backend_port)}"'
        )
        if self.proto:
            s += f", proto = {_PROTO_NAMES.get(self.proto, 'tcp')}"
        return s + f", timeout = {self.timeout});"


@dataclass(frozen=True, slots=True)
class Sample(Action):
    probability: int
    collector_set: int = 0
    obs_domain: int = 0
    obs_point: int = 0
    use_cookie: bool = False

    def to_string(self) -> str:
        point = "$cookie" if self.use_cookie else str(self.obs_point)
        return (
            f"sample(probability={self.probability},collector_set={self.collector_set},"
            f"obs_domain={self.obs_domain},obs_point={point});"
        )
