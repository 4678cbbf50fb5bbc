"""Parsing of the actions ovn-controller or the datapath carry out for the pipeline: DHCP/ND-RA
options, logging, metering, events, virtual ports, forwarding groups, ECMP and load balancer
affinity learning, sampling.  A mixin over ``_ParserBase``; ``actions_parse`` dispatches here.
"""

from __future__ import annotations

import ipaddress
import uuid
from collections.abc import Mapping

from pyovn.logical.actions_ast import (
    Action,
    BindVport,
    CheckPktLarger,
    CommitEcmpNh,
    CommitLbAff,
    FwdGroup,
    GenOption,
    HandleSvcCheck,
    Log,
    OptionDef,
    PutOpts,
    Sample,
    SetMeter,
    SetQueue,
    Simple,
    TriggerEvent,
)
from pyovn.logical.actions_parse_base import (
    _LOG_SEVERITIES,
    _PROTOS,
    _QDISC_MAX_QUEUE_ID,
    T,
    _ParserBase,
)
from pyovn.logical.flow import FieldRef
from pyovn.logical.lexer import IntFormat

__all__: list[str] = []


class _ControllerParser(_ParserBase):
    __slots__ = ()

    def put_opts(self, dst: FieldRef, func: str) -> Action:
        self._skip_call()
        self.type_check(dst, 1, True)
        pp = self.pp
        if func == "put_dhcp_opts":
            table, what = pp.dhcp_opts, "DHCPv4"
        elif func == "put_dhcpv6_opts":
            table, what = pp.dhcpv6_opts, "DHCPv6"
        else:
            table, what = pp.nd_ra_opts, "IPv6 ND RA"
        options = self.gen_options(table, what)
        if func == "put_dhcp_opts" and not any(o.option.code == 0 for o in options):
            raise self.err("put_dhcp_opts requires offerip to be specified.")
        if func == "put_nd_ra_opts":
            self.validate_nd_ra(options)
            self.add_prereq("ip6")
        return PutOpts(func, dst, options)

    def gen_options(self, table: Mapping[str, OptionDef], what: str) -> tuple[GenOption, ...]:
        lx = self.lx
        options: list[GenOption] = []
        while not lx.match(T.RPAREN):
            options.append(self.gen_option(table, what))
            lx.match(T.COMMA)
        return tuple(options)

    def gen_option(self, table: Mapping[str, OptionDef], what: str) -> GenOption:
        lx = self.lx
        if lx.token.type is not T.ID:
            raise self.syntax()
        opt = table.get(lx.token.s)
        if opt is None:
            raise self.syntax(f"expecting {what} option name")
        lx.next()
        lx.force_match(T.EQUALS)
        value = self.constant_set()
        if opt.type != "host_id":
            is_string = value.values[0].is_string
            if opt.type in ("str", "domains"):
                if not is_string:
                    raise self.err(f"{what} option {opt.name} requires string value.")
            elif is_string:
                raise self.err(f"{what} option {opt.name} requires numeric value.")
        return GenOption(opt, value)

    def validate_nd_ra(self, options: tuple[GenOption, ...]) -> None:
        stateful = prefix_set = slla = False
        for o in options:
            vals = o.value.values
            bad = len(vals) > 1
            c = vals[0]
            name = o.option.name
            if not bad:
                if name == "addr_mode":
                    bad = c.string not in ("slaac", "dhcpv6_stateful", "dhcpv6_stateless")
                    stateful = c.string == "dhcpv6_stateful"
                elif name == "router_preference":
                    bad = c.string not in ("MEDIUM", "HIGH", "LOW")
                elif name == "slla":
                    bad = c.fmt is not IntFormat.ETHERNET
                    slla = True
                elif name == "prefix":
                    bad = c.fmt is not IntFormat.IPV6 or c.mask is None
                    prefix_set = True
                elif name == "mtu":
                    bad = c.fmt is not IntFormat.DECIMAL
                elif name == "rdnss":
                    bad = c.fmt is not IntFormat.IPV6
                elif name in ("route_info", "dnssl"):
                    bad = c.string is None
            if bad:
                raise self.err(f'Invalid value for "{name}" option')
        if not slla:
            raise self.err("slla option not present")
        if not stateful and not prefix_set:
            raise self.err(
                "prefix option needs to be set when address mode is slaac/dhcpv6_stateless."
            )

    def check_pkt_larger(self, dst: FieldRef) -> Action:
        self.type_check(dst, 1, True)
        lx = self.lx
        lx.next()
        lx.force_match(T.LPAREN)
        length = lx.force_int()
        lx.force_match(T.RPAREN)
        return CheckPktLarger(dst, length)

    def set_queue(self) -> Action:
        lx = self.lx
        lx.force_match(T.LPAREN)
        qid = lx.force_int()
        lx.force_match(T.RPAREN)
        if not 0 <= qid <= _QDISC_MAX_QUEUE_ID:
            raise self.err(
                f"Queue ID {qid} for set_queue is not in valid range 0 to {_QDISC_MAX_QUEUE_ID}."
            )
        return SetQueue(qid)

    def log(self) -> Action:
        lx = self.lx
        verdict: str | None = None
        severity, name, meter = "info", None, None
        if lx.match(T.LPAREN):
            while not lx.match(T.RPAREN):
                if lx.match_id("verdict"):
                    lx.force_match(T.EQUALS)
                    for v in ("drop", "reject", "allow"):
                        if lx.match_id(v):
                            verdict = v
                            break
                    else:
                        raise self.syntax("unknown verdict")
                elif lx.match_id("name"):
                    lx.force_match(T.EQUALS)
                    if lx.token.type is not T.STRING:
                        raise self.syntax("expecting string")
                    if len(lx.token.s.encode()) >= 64:
                        raise self.syntax("name must be shorter than 64 characters")
                    name = lx.token.s
                    lx.next()
                elif lx.match_id("severity"):
                    lx.force_match(T.EQUALS)
                    if lx.token.type is not T.ID:
                        raise self.syntax("expecting severity")
                    if lx.token.s not in _LOG_SEVERITIES:
                        raise self.syntax("unknown severity")
                    severity = lx.token.s
                    lx.next()
                elif lx.match_id("meter"):
                    lx.force_match(T.EQUALS)
                    if lx.token.type is not T.STRING:
                        raise self.syntax("expecting string")
                    meter = lx.token.s
                    lx.next()
                else:
                    raise self.syntax()
                lx.match(T.COMMA)
        if verdict is None:
            raise self.syntax("expecting verdict")
        return Log(verdict, severity, name, meter)

    def set_meter(self) -> Action:
        lx = self.lx
        lx.force_match(T.LPAREN)
        rate = burst = 0
        if lx.token.type is T.INTEGER and lx.token.format is IntFormat.DECIMAL:
            rate = lx.token.value
        lx.next()
        if lx.match(T.COMMA):
            if lx.token.type is T.INTEGER and lx.token.format is IntFormat.DECIMAL:
                burst = lx.token.value
            lx.next()
        lx.force_match(T.RPAREN)
        if not rate:
            raise self.err(f"Rate {rate} for set_meter is not in valid.")
        return SetMeter(rate, burst)

    def trigger_event(self) -> Action:
        lx = self.lx
        lx.force_match(T.LPAREN)
        if not lx.match_id("event"):
            raise self.syntax("Expecting 'event' option")
        lx.force_match(T.EQUALS)
        if lx.token.type is not T.STRING or len(lx.token.s) >= 64:
            raise self.syntax("Expecting string")
        event = lx.token.s
        table = self.pp.events.get(event)
        if table is None:
            raise self.syntax(f"Unknown event '{event}'")
        lx.next()
        lx.match(T.COMMA)
        options = self.gen_options(table, event)
        if event == "empty_lb_backends":
            self.validate_empty_lb_backends(options)
        return TriggerEvent(event, options)

    def validate_empty_lb_backends(self, options: tuple[GenOption, ...]) -> None:
        for o in options:
            vals = o.value.values
            s = vals[0].string
            if len(vals) > 1 or s is None:
                raise self.err(f'Invalid value for "{o.option.name}" option')
            if o.option.name == "vip" and _parse_ip_port(s) is None:
                raise self.err(f"Invalid load balancer VIP '{s}'")
            if o.option.name == "protocol" and s not in _PROTOS:
                raise self.err(f"Load balancer protocol '{s}' is not 'tcp', 'udp', or 'sctp'")
            if o.option.name == "load_balancer":
                try:
                    uuid.UUID(s)
                except ValueError:
                    raise self.err(f"Load balancer '{s}' is not a UUID") from None

    def bind_vport(self) -> Action:
        lx = self.lx
        lx.force_match(T.LPAREN)
        if lx.token.type is not T.STRING:
            raise self.syntax("expecting port name string")
        vport = lx.token.s
        lx.next()
        lx.force_match(T.COMMA)
        parent = self.typed_field(0)
        lx.force_match(T.RPAREN)
        return BindVport(vport, parent)

    def handle_svc_check(self) -> Action:
        self.lx.force_match(T.LPAREN)
        port = self.typed_field(0)
        self.lx.force_match(T.RPAREN)
        return HandleSvcCheck(port)

    def _bool_arg(self) -> bool:
        lx = self.lx
        if lx.match_string("true") or lx.match_id("true"):
            return True
        if lx.match_string("false") or lx.match_id("false"):
            return False
        raise self.syntax("expecting true or false")

    def fwd_group(self) -> Action:
        lx = self.lx
        liveness = False
        ports: list[str] = []
        if lx.match(T.LPAREN):
            if lx.match_id("liveness"):
                lx.force_match(T.EQUALS)
                liveness = self._bool_arg()
                lx.force_match(T.COMMA)
            if lx.match_id("childports"):
                lx.force_match(T.EQUALS)
                while not lx.match(T.RPAREN):
                    if lx.token.type is not T.STRING:
                        raise self.syntax("expecting logical switch port")
                    ports.append(lx.token.s)
                    lx.next()
                    lx.match(T.COMMA)
        return FwdGroup(liveness, tuple(ports), self.pp.pipeline, self.pp.table + 1)

    def handle_bfd_msg(self) -> Action:
        self.lx.force_match(T.LPAREN)
        self.lx.force_match(T.RPAREN)
        return Simple("handle_bfd_msg", "handle_bfd_msg();")

    def _proto_arg(self) -> int:
        for name, num in _PROTOS.items():
            if self.lx.match_id(name):
                return num
        raise self.syntax("invalid protocol")

    def _named(self, name: str) -> None:
        if not self.lx.match_id(name):
            raise self.syntax("invalid parameter")
        self.lx.force_match(T.EQUALS)

    def commit_ecmp_nh(self) -> Action:
        lx = self.lx
        lx.force_match(T.LPAREN)
        self._named("ipv6")
        ipv6 = self._bool_arg()
        lx.force_match(T.COMMA)
        self._named("proto")
        proto = self._proto_arg()
        lx.force_match(T.RPAREN)
        return CommitEcmpNh(ipv6, proto)

    def _lb_key(self) -> tuple[ipaddress.IPv4Address | ipaddress.IPv6Address, int]:
        lx = self.lx
        if lx.token.type is not T.STRING:
            raise self.syntax("invalid parameter")
        parsed = _parse_ip_port(lx.token.s)
        if parsed is None:
            raise self.syntax("invalid parameter")
        return parsed

    def commit_lb_aff(self) -> Action:
        lx = self.lx
        lx.force_match(T.LPAREN)
        self._named("vip")
        vip, vip_port = self._lb_key()
        lx.next()
        lx.force_match(T.COMMA)
        self._named("backend")
        backend, backend_port = self._lb_key()
        if backend.version != vip.version:
            raise self.syntax("invalid protocol family")
        lx.next()
        lx.force_match(T.COMMA)
        proto = 0
        if vip_port:
            self._named("proto")
            proto = self._proto_arg()
            lx.force_match(T.COMMA)
        self._named("timeout")
        timeout = self.uint16("affinity timeout")
        lx.force_match(T.RPAREN)
        return CommitLbAff(vip, vip_port, backend, backend_port, proto, timeout)

    def sample(self) -> Action:
        lx = self.lx
        probability = collector_set = obs_domain = obs_point = 0
        use_cookie = False
        if lx.match(T.LPAREN):
            while not lx.match(T.RPAREN):
                if lx.match_id("probability"):
                    lx.force_match(T.EQUALS)
                    if lx.token.type is T.INTEGER and lx.token.format is IntFormat.DECIMAL:
                        probability = self.uint16("probability")
                elif lx.match_id("obs_point"):
                    lx.force_match(T.EQUALS)
                    tok = lx.token
                    if tok.type is T.MACRO and tok.s == "cookie":
                        use_cookie = True
                    elif tok.type is T.INTEGER and tok.format is IntFormat.DECIMAL:
                        obs_point = tok.value
                    else:
                        raise self.syntax("malformed sample observation_point_id")
                    lx.next()
                elif lx.match_id("obs_domain"):
                    lx.force_match(T.EQUALS)
                    tok = lx.token
                    if tok.type is T.INTEGER and tok.format is IntFormat.DECIMAL:
                        if tok.value > 0xFF:
                            raise self.syntax("obs_domain must be 8-bit long")
                        obs_domain = tok.value
                    lx.next()
                elif lx.match_id("collector_set"):
                    lx.force_match(T.EQUALS)
                    tok = lx.token
                    if tok.type is T.INTEGER and tok.format is IntFormat.DECIMAL:
                        collector_set = tok.value
                    lx.next()
                else:
                    raise self.syntax("unknown argument")
                lx.match(T.COMMA)
        if not probability:
            raise self.err("probability must be greater than zero")
        return Sample(probability, collector_set, obs_domain, obs_point, use_cookie)


def _parse_ip_port(
    s: str,
) -> tuple[ipaddress.IPv4Address | ipaddress.IPv6Address, int] | None:
    """A load balancer key: ``ip``, ``ip:port``, ``[ip6]`` or ``[ip6]:port``."""
    host, port = s, 0
    try:
        if s.startswith("["):
            close = s.index("]")
            host, rest = s[1:close], s[close + 1 :]
            if rest:
                if not rest.startswith(":"):
                    return None
                port = int(rest[1:])
            return ipaddress.IPv6Address(host), port
        if s.count(":") == 1:
            host, p = s.split(":")
            port = int(p)
            return ipaddress.IPv4Address(host), port
        return ipaddress.ip_address(host), 0
    except ValueError:
        return None
