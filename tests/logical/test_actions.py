"""Tests of pyovn.logical.actions: parsing (data/actions_parse.txt), execution
(data/actions_exec.txt), packet builders, and every actions string the real ovn-northd emits.
"""

from __future__ import annotations

import ipaddress
import json
import os
import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from pyovn.logical.actions import (
    Action,
    CtLb,
    CtNat,
    FwdGroup,
    ParsedActions,
    ParseParams,
    Program,
    PutOpts,
    Result,
    Select,
    Simple,
    build_packet,
    compile_actions,
    parse_actions,
    program_source,
)
from pyovn.logical.flow import Flow
from pyovn.logical.lexer import ParseError

DATA = Path(__file__).parent / "data"
PARAMS = ParseParams(pipeline="ingress", table=10, n_tables=24)


# --- data files -------------------------------------------------------------------------------


def _cases(name: str) -> Iterator[tuple[int, str, list[str]]]:
    """(line number, unindented line, its indented lines) from a data file."""
    cur: tuple[int, str, list[str]] | None = None
    for no, line in enumerate((DATA / name).read_text().splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        if line[0] in " \t":
            assert cur is not None, f"{name}:{no}: indented line without input"
            cur[2].append(line.strip())
        else:
            if cur is not None:
                yield cur
            cur = (no, line, [])
    if cur is not None:
        yield cur


PARSE_CASES = list(_cases("actions_parse.txt"))
EXEC_CASES = list(_cases("actions_exec.txt"))


@pytest.mark.parametrize(
    ("no", "text", "expect"), PARSE_CASES, ids=[f"L{c[0]}" for c in PARSE_CASES]
)
def test_parse(no: int, text: str, expect: list[str]) -> None:
    formats = text
    prereqs: str | None = None
    error: str | None = None
    for e in expect:
        if e.startswith("formats as "):
            formats = e.removeprefix("formats as ")
        elif e.startswith("prereqs "):
            prereqs = e.removeprefix("prereqs ")
        else:
            error = e
    if error is not None:
        with pytest.raises(ParseError) as info:
            parse_actions(text, PARAMS)
        assert info.value.message == error
        assert 0 <= info.value.pos <= len(text)
        return
    parsed = parse_actions(text, PARAMS)
    assert parsed.to_string() == formats
    # The normalized form is a fixed point.
    assert parse_actions(formats, PARAMS).to_string() == formats
    if prereqs is not None:
        assert " && ".join(parsed.prereqs) == prereqs
    compile_actions(parsed)  # everything that parses compiles


def test_error_position() -> None:
    text = "next; reg0 = foo;"
    with pytest.raises(ParseError) as info:
        parse_actions(text)
    assert info.value.pos == text.index("foo")
    assert "foo" in str(info.value)


def test_prereq_expr() -> None:
    p = parse_actions("tcp.dst = 80; reg0[0] = lookup_arp(inport, arp.spa, arp.sha);")
    assert p.prereqs == ("tcp", "arp")
    assert p.prereq_expr() == "tcp && arp"
    assert parse_actions("next;").prereq_expr() is None
    # Nested packet actions replace the prerequisites of what they contain by their own.
    assert parse_actions("arp { tcp.dst = 1; };").prereqs == ("ip4",)
    assert parse_actions("clone { tcp.dst = 1; };").prereqs == ("tcp",)


def test_nesting_limit() -> None:
    text = "clone { " * 40 + "next;" + " };" * 40
    with pytest.raises(ParseError, match="maximum depth"):
        parse_actions(text)


def test_last_table() -> None:
    with pytest.raises(ParseError, match='"ct_next" action not allowed in last table'):
        parse_actions("ct_next;", ParseParams(table=29))
    with pytest.raises(ParseError, match='"next" action not allowed here'):
        parse_actions("next;", ParseParams(n_tables=0))


# --- execution --------------------------------------------------------------------------------


def _value(s: str) -> int | str:
    if s.startswith('"'):
        v = json.loads(s)
        assert isinstance(v, str)
        return v
    if re.fullmatch(r"[0-9a-fA-F]{2}(:[0-9a-fA-F]{2}){5}", s):
        return int(s.replace(":", ""), 16)
    if "." in s or ":" in s:
        return int(ipaddress.ip_address(s))
    return int(s, 0)


def _flow(spec: str) -> dict[str, int | str | None]:
    out: dict[str, int | str | None] = {}
    for item in re.findall(r'[^\s=]+=(?:"[^"]*"|\S+)', spec):
        k, v = item.split("=", 1)
        out[k] = None if v == "-" else _value(v)
    return out


def _show(v: int | str) -> str:
    return v if isinstance(v, str) else f"{v:#x}"


class RecordingContext:
    """An ActionContext that records calls and answers from small fixed tables."""

    MACS = {
        ("arp", "lp1", int(ipaddress.ip_address("10.0.0.1"))): 0x000000000001,
        ("nd", "lp1", int(ipaddress.ip_address("fd00::1"))): 0x000000000002,
    }
    FDB = {0x000000000001: "lp1"}
    KEYS = {"lp1": 7}

    def __init__(self, origin: Flow) -> None:
        self.calls: list[str] = []
        self.origin = origin  # nested packets are shown as their difference from it
        self.nested = 0

    def _diff(self, flow: Flow) -> str:
        d = sorted((k, v) for k, v in flow.items() if self.origin.get(k) != v)
        return "[" + " ".join(f"{k}={_show(v)}" for k, v in d) + "]"

    def next(self, flow: Flow, pipeline: str, table: int) -> None:
        self.calls.append(f"next({pipeline},{table})")

    def output(self, flow: Flow) -> None:
        self.calls.append("output" + (self._diff(flow) if self.nested else ""))

    def drop(self, flow: Flow) -> None:
        self.calls.append("drop")

    def ct_next(self, flow: Flow, pipeline: str, table: int) -> None:
        self.calls.append(f"ct_next({pipeline},{table})")

    def ct_commit(self, flow: Flow, program: Program | None) -> None:
        if program is None:
            self.calls.append("ct_commit")
            return
        entry = dict(flow)
        program(entry, self)
        self.calls.append(
            f"ct_commit(ct_mark={entry.get('ct_mark', 0):#x},ct_label={entry.get('ct_label', 0):#x})"
        )

    def ct_nat(self, flow: Flow, action: CtNat | Simple) -> None:
        self.calls.append(f"ct_nat({action.to_string()}@{action.table})")

    def ct_lb(self, flow: Flow, action: CtLb) -> None:
        self.calls.append(f"ct_lb({action.to_string()}@{action.table})")

    def ct_clear(self, flow: Flow) -> None:
        self.calls.append("ct_clear")

    def emit(self, kind: str, flow: Flow, program: Program) -> None:
        self.calls.append(f"emit({kind})")
        self.nested += 1
        try:
            program(flow, self)
        finally:
            self.nested -= 1

    def mac_binding(self, flow: Flow, kind: str, port: str, ip: int) -> int | None:
        self.calls.append(f"mac_binding({kind},{port},{ip})")
        return self.MACS.get((kind, port, ip))

    def put_mac_binding(self, flow: Flow, kind: str, port: str, ip: int, mac: int) -> None:
        self.calls.append(f"put_mac_binding({kind},{port},{ip},{mac})")

    def fdb_get(self, flow: Flow, mac: int) -> str | None:
        self.calls.append(f"fdb_get({mac})")
        return self.FDB.get(mac)

    def put_fdb(self, flow: Flow, port: str, mac: int) -> None:
        self.calls.append(f"put_fdb({port},{mac})")

    def port_key(self, port: str) -> int:
        self.calls.append(f"port_key({port})")
        return self.KEYS[port]

    def _name(self, action: Action) -> str:
        if isinstance(action, PutOpts | Result):
            return action.func
        if isinstance(action, Simple):
            return action.keyword
        return action.to_string().split("(")[0].split(";")[0].split(" ")[-1]

    def controller(self, flow: Flow, action: Action) -> int:
        self.calls.append(f"controller({self._name(action)})")
        return 1

    def check(self, flow: Flow, action: Action) -> int:
        self.calls.append(f"check({self._name(action)})")
        return 1

    def select(self, flow: Flow, action: Select) -> int:
        self.calls.append(f"select({len(action.members)})")
        return action.members[0][0]

    def fwd_group(self, flow: Flow, action: FwdGroup) -> str | None:
        self.calls.append(f"fwd_group({','.join(action.child_ports)})")
        return action.child_ports[-1] if action.child_ports else None

    def effect(self, flow: Flow, action: Action) -> None:
        self.calls.append(f"effect({self._name(action)})")


@pytest.mark.parametrize(("no", "text", "expect"), EXEC_CASES, ids=[f"L{c[0]}" for c in EXEC_CASES])
def test_exec(no: int, text: str, expect: list[str]) -> None:
    spec = {k: "" for k in ("in", "out", "calls")}
    for e in expect:
        key, _, rest = e.partition(":")
        spec[key] = rest.strip()
    flow_in = {k: v for k, v in _flow(spec["in"]).items() if v is not None}
    program = compile_actions(parse_actions(text, PARAMS))
    flow: Flow = dict(flow_in)
    ctx = RecordingContext(dict(flow_in))
    program(flow, ctx)
    want: dict[str, Any] = dict(flow_in)
    for k, v in _flow(spec["out"]).items():
        if v is None:
            want.pop(k, None)
        else:
            want[k] = v
    assert flow == want, program_source(parse_actions(text, PARAMS))
    assert "; ".join(ctx.calls) == spec["calls"]


def test_ct_next_gets_a_copy() -> None:
    seen: list[Flow] = []

    class Ctx(RecordingContext):
        def ct_next(self, flow: Flow, pipeline: str, table: int) -> None:
            flow["ct_state"] = 0x21
            seen.append(flow)

    flow: Flow = {"reg0": 1}
    compile_actions(parse_actions("ct_next; reg0 = 2;"))(flow, Ctx({}))
    assert flow == {"reg0": 2}
    assert seen == [{"reg0": 1, "ct_state": 0x21}]


def test_emit_leaves_original_flow() -> None:
    flow: Flow = {"eth.type": 0x800, "ip4.src": 1, "ip4.dst": 2, "ip.proto": 6}
    before = dict(flow)
    compile_actions(parse_actions("icmp4 { ip4.dst <-> ip4.src; output; };"))(
        flow, RecordingContext(before)
    )
    assert flow == before


@pytest.mark.parametrize(
    ("kind", "flow", "want"),
    [
        (
            "icmp6",
            {"eth.type": 0x86DD, "ip.proto": 17, "udp.dst": 53},
            {"ip.proto": 58, "icmp6.type": 1, "icmp6.code": 1, "ip.ttl": 255},
        ),
        ("tcp_reset", {"ip.proto": 6, "tcp.flags": 0x10}, {"tcp.flags": 4, "ip.ttl": 255}),
        ("sctp_abort", {"ip.proto": 132}, {"ip.ttl": 255}),
        (
            "reject",
            {
                "eth.type": 0x86DD,
                "ip.proto": 17,
                "ip6.src": 1,
                "ip6.dst": 2,
                "eth.src": 3,
                "eth.dst": 4,
            },
            {
                "ip.proto": 58,
                "icmp6.type": 1,
                "ip6.src": 2,
                "ip6.dst": 1,
                "eth.src": 4,
                "eth.dst": 3,
            },
        ),
        ("reject", {"eth.type": 0x800, "ip.proto": 132}, {"ip.proto": 132, "ip.ttl": 255}),
    ],
)
def test_build_packet(kind: str, flow: Flow, want: dict[str, int]) -> None:
    new = build_packet(kind, flow)
    for k, v in want.items():
        assert new.get(k) == v, k
    if kind == "icmp6":
        assert "udp.dst" not in new


def test_compile_is_memoised() -> None:
    a = parse_actions("reg0 = 1; next;")
    b = parse_actions("reg0 = 1; next;")
    assert compile_actions(a) is compile_actions(b)


# --- interop: every actions string the real ovn-northd emits ----------------------------------

# Actions the topology below must make the real northd emit (a keyword missing here means the
# topology lost a feature, not that pyovn parsed less).
EXPECTED_KEYWORDS = {
    "arp",
    "bind_vport",
    "check_in_port_sec",
    "check_out_port_sec",
    "check_pkt_larger",
    "chk_ecmp_nh",
    "chk_ecmp_nh_mac",
    "chk_lb_aff",
    "chk_lb_hairpin",
    "chk_lb_hairpin_reply",
    "clone",
    "commit_ecmp_nh",
    "commit_lb_aff",
    "ct_clear",
    "ct_commit",
    "ct_commit_nat",
    "ct_dnat",
    "ct_dnat_in_czone",
    "ct_lb",
    "ct_lb_mark",
    "ct_next",
    "ct_snat",
    "ct_snat_in_czone",
    "ct_snat_to_vip",
    "dns_lookup",
    "fwd_group",
    "get_arp",
    "get_fdb",
    "get_nd",
    "handle_bfd_msg",
    "handle_dhcpv6_reply",
    "handle_svc_check",
    "icmp4",
    "icmp4_error",
    "icmp6",
    "icmp6_error",
    "igmp",
    "log",
    "lookup_arp",
    "lookup_arp_ip",
    "lookup_fdb",
    "lookup_nd",
    "lookup_nd_ip",
    "nd_na",
    "nd_na_router",
    "nd_ns",
    "next",
    "output",
    "pop",
    "push",
    "put_arp",
    "put_dhcp_opts",
    "put_dhcpv6_opts",
    "put_fdb",
    "put_nd",
    "put_nd_ra_opts",
    "reject",
    "sctp_abort",
    "select",
    "set_meter",
    "set_queue",
    "tcp_reset",
    "trigger_event",
}


def _extra_topology(nb: Any, sb: Any) -> None:
    """Features real_topology.build_topology may not cover (all names start with "a-")."""
    cmds = [
        ["set", "NB_Global", ".", "options:controller_event=true"],
        # A plain router (no gateway): northd answers TCP/SCTP to its IPs with tcp_reset etc.
        ["lr-add", "a-lr"],
        ["lrp-add", "a-lr", "a-lr-p", "00:00:00:00:aa:01", "10.99.0.1/24", "fd99::1/64"],
        ["ls-add", "a-ls"],
        ["lsp-add", "a-ls", "a-ls-lr"],
        ["lsp-set-type", "a-ls-lr", "router"],
        ["lsp-set-addresses", "a-ls-lr", "router"],
        ["lsp-set-options", "a-ls-lr", "router-port=a-lr-p"],
        ["lsp-add", "a-ls", "a-vm"],
        ["lsp-set-addresses", "a-vm", "00:00:00:00:aa:11 10.99.0.11"],
        ["lsp-set-options", "a-vm", "qdisc_queue_id=10"],
        ["lsp-add", "a-ls", "a-unk"],
        ["lsp-set-addresses", "a-unk", "unknown"],
        ["lsp-add", "a-ls", "a-ln"],
        ["lsp-set-type", "a-ln", "localnet"],
        ["lsp-set-addresses", "a-ln", "unknown"],
        ["lsp-set-options", "a-ln", "network_name=phys", "localnet_learn_fdb=true"],
        ["set", "Logical_Switch", "a-ls", "other_config:mcast_snoop=true"],
        # ACLs: reject (sctp too), logging with meters and names.
        ["meter-add", "a-m1", "drop", "10", "pktps"],
        ["acl-add", "a-ls", "to-lport", "1003", "ip4 && tcp.dst == 22", "reject"],
        ["--apply-after-lb", "acl-add", "a-ls", "from-lport", "1011", "ip4 && sctp", "reject"],
        [
            "--log",
            "--severity=alert",
            "--name=acl1",
            "--meter=a-m1",
            "acl-add",
            "a-ls",
            "to-lport",
            "1005",
            "ip4 && icmp4",
            "allow-related",
        ],
        [
            "--log",
            "--severity=warning",
            "acl-add",
            "a-ls",
            "from-lport",
            "1006",
            "ip4.src == 1.1.1.1",
            "reject",
        ],
        [
            "--label=1234",
            "acl-add",
            "a-ls",
            "from-lport",
            "1008",
            "ip4.src == 2.2.2.2",
            "allow-related",
        ],
        ["qos-add", "a-ls", "from-lport", "100", "ip4", "dscp=10", "rate=1000", "burst=2000"],
        # Load balancers: empty backends (trigger_event), selection fields, affinity.
        ["lb-add", "a-lb-empty", "10.99.0.202:80", "", "tcp"],
        ["lb-add", "a-lb-sel", "10.99.0.205:80", "10.99.0.11:80,10.99.0.12:80", "tcp"],
        ["set", "Load_Balancer", "a-lb-sel", "selection_fields=ip_src,ip_dst"],
        ["lb-add", "a-lb-aff", "10.99.0.204:80", "10.99.0.11:80,10.99.0.12:80", "tcp"],
        ["set", "Load_Balancer", "a-lb-aff", "options:affinity_timeout=60"],
        ["ls-lb-add", "a-ls", "a-lb-empty"],
        ["ls-lb-add", "a-ls", "a-lb-sel"],
        ["ls-lb-add", "a-ls", "a-lb-aff"],
        ["fwd-group-add", "a-fg", "a-ls", "10.99.0.250", "00:00:00:00:aa:fa", "a-vm", "a-unk"],
        # Gateway router with symmetric ECMP, force SNAT, BFD on a route.
        ["lr-add", "a-gw"],
        [
            "set",
            "Logical_Router",
            "a-gw",
            "options:chassis=chassis1",
            "options:lb_force_snat_ip=router_ip",
            "options:dynamic_neigh_routers=true",
            "options:always_learn_from_arp_request=false",
        ],
        ["lrp-add", "a-gw", "a-gw-p", "00:00:00:00:aa:21", "172.31.0.1/24", "2002::1/64"],
        ["lrp-add", "a-gw", "a-gw-in", "00:00:00:00:aa:22", "172.31.1.1/24", "2003::1/64"],
        ["set", "Logical_Router_Port", "a-gw-p", "options:gateway_mtu=1300"],
        ["set", "Logical_Router_Port", "a-gw-in", "options:gateway_mtu=1400"],
        ["--ecmp-symmetric-reply", "lr-route-add", "a-gw", "50.0.0.0/24", "172.31.0.2"],
        ["--ecmp-symmetric-reply", "lr-route-add", "a-gw", "50.0.0.0/24", "172.31.0.3"],
        ["--ecmp-symmetric-reply", "lr-route-add", "a-gw", "5000::/64", "2002::2"],
        ["--ecmp-symmetric-reply", "lr-route-add", "a-gw", "5000::/64", "2002::3"],
        ["--ecmp", "lr-route-add", "a-gw", "40.0.0.0/24", "172.31.0.50"],
        ["--ecmp", "lr-route-add", "a-gw", "40.0.0.0/24", "172.31.0.51"],
        ["lr-lb-add", "a-gw", "a-lb-aff"],
        ["create", "BFD", "logical_port=a-gw-p", "dst_ip=172.31.0.9"],
        ["--bfd", "lr-route-add", "a-gw", "60.0.0.0/24", "172.31.0.9"],
    ]
    for c in cmds:
        nb(*c)
    nb("--wait=sb", "sync")


def _real_flow_sets() -> list[list[dict[str, Any]]]:
    import sys

    sys.path.insert(0, str(Path(__file__).parent))
    try:
        import real_topology  # type: ignore[import-not-found]
    finally:
        sys.path.pop(0)
    missing = real_topology.missing_binaries()
    if missing:
        pytest.skip(f"real OVN not installed: missing {', '.join(missing)}")
    sets = []
    with real_topology.RealOvn() as ovn:
        real_topology.build_topology(ovn)
        _extra_topology(ovn.nbctl, ovn.sbctl)
        sets.append(real_topology.dump_sb(ovn)["flows"])
        # Chassis that support masked ct_label matching make northd use ct_lb_mark, ct_mark.*;
        # the chassis build_topology registers do not, so the first dump has ct_lb.
        for ch in json.loads(ovn.sbctl("--format=json", "--columns=name", "list", "Chassis"))[
            "data"
        ]:
            ovn.sbctl(
                "set",
                "Chassis",
                ch[0],
                "other_config:ct-no-masked-label=true",
                "other_config:ovn-ct-lb-related=true",
                "other_config:mac-binding-timestamp=true",
            )
        ovn.nbctl("--wait=sb", "sync")
        sets.append(real_topology.dump_sb(ovn)["flows"])
    return sets


@pytest.fixture(scope="module")
def real_flows() -> list[dict[str, Any]]:
    flows = [f for s in _real_flow_sets() for f in s]
    assert flows
    return flows


@pytest.mark.interop
def test_real_northd_actions(real_flows: list[dict[str, Any]]) -> None:
    keywords: set[str] = set()
    uniq = {(f["pipeline"], f["table_id"], f["actions"]) for f in real_flows}
    parsed: list[ParsedActions] = []
    t0 = time.perf_counter()
    for pipeline, table, text in uniq:
        try:
            p = parse_actions(text, ParseParams(pipeline=pipeline, table=table))
        except ParseError as e:  # pragma: no cover - the failure message names the flow
            pytest.fail(f"{text!r}: {e}")
        parsed.append(p)
    t1 = time.perf_counter()
    from pyovn.logical import actions_exec

    actions_exec._compile.cache_clear()
    for p in parsed:
        compile_actions(p)
    t2 = time.perf_counter()
    for p in parsed:
        for w in re.findall(r"([a-z_][a-z_0-9.]*)\s*(?:\(|\{|;)", p.to_string()):
            keywords.add(w)
    missing = EXPECTED_KEYWORDS - keywords
    assert not missing, f"topology no longer makes northd emit {sorted(missing)}"
    n = len(uniq)
    print(
        f"\n{len(real_flows)} real flows, {n} distinct (pipeline, table, actions): "
        f"parse {n / (t1 - t0):.0f}/s, compile {n / (t2 - t1):.0f}/s"
    )
    if os.environ.get("PYOVN_DUMP_ACTIONS"):
        Path(os.environ["PYOVN_DUMP_ACTIONS"]).write_text("\n".join(sorted(t for _, _, t in uniq)))


@pytest.mark.interop
def test_real_northd_roundtrip(real_flows: list[dict[str, Any]]) -> None:
    for f in real_flows:
        pp = ParseParams(pipeline=f["pipeline"], table=f["table_id"])
        p = parse_actions(f["actions"], pp)
        again = parse_actions(p.to_string(), pp)
        assert again == p, f["actions"]
