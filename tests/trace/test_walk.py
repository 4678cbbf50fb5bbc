"""Unit tests of the walk, the output formats and --explain on small hand-built Southbounds."""

from __future__ import annotations

import pytest

from pyovn.cli.trace import parse_lb_dst, run
from pyovn.trace.explain import explain
from pyovn.trace.microflow import MicroflowError, format_uflow, parse_microflow
from pyovn.trace.sbmodel import SbModel
from pyovn.trace.walk import TraceOptions, Walker, format_ct_state, parse_ct_flags

DP = "11111111-0000-0000-0000-000000000001"


def _flow(u, pipeline, table, prio, match, actions, stage, hint=""):
    ext = {"stage-name": stage, "source": "test.c:1"}
    if hint:
        ext["stage-hint"] = hint
    return (u, {"logical_datapath": DP, "logical_dp_group": frozenset(), "pipeline": pipeline,
                "table_id": table, "priority": prio, "match": match, "actions": actions,
                "external_ids": ext})


def model(extra_flows=()) -> SbModel:
    flows = [
        _flow("a0000000-1", "ingress", 0, 50, 'inport == "p1" && eth.src != 00:00:00:00:00:01',
              "drop;", "ls_in_port_sec_l2"),
        _flow("a0000000-2", "ingress", 0, 0, "1", "next;", "ls_in_port_sec_l2"),
        _flow("a0000000-3", "ingress", 1, 2001, "tcp.dst == 22", "drop;", "ls_in_acl",
              hint="deadbeef"),
        _flow("a0000000-4", "ingress", 1, 2000, "tcp.dst == 23",
              "reject { outport <-> inport; next(pipeline=egress, table=1); };", "ls_in_acl",
              hint="cafef00d"),
        _flow("a0000000-5", "ingress", 1, 1500, "tcp.dst == 80", "ct_next;", "ls_in_acl"),
        _flow("a0000000-6", "ingress", 1, 0, "1", "next;", "ls_in_acl"),
        _flow("a0000000-7", "ingress", 2, 50, "eth.dst == 00:00:00:00:00:02",
              'outport = "p2"; output;', "ls_in_l2_lkup"),
        _flow("a0000000-8", "ingress", 2, 70, "eth.mcast", 'outport = "_MC_flood"; output;',
              "ls_in_l2_lkup"),
        _flow("a0000000-9", "ingress", 2, 60, "eth.dst == 00:00:00:00:00:01",
              'outport = "p1"; output;', "ls_in_l2_lkup"),
        _flow("b0000000-1", "egress", 0, 100, "ct.new", 'eth.src = 00:00:00:00:00:99; next;',
              "ls_out_x"),
        _flow("b0000000-2", "egress", 0, 0, "1", "next;", "ls_out_x"),
        _flow("b0000000-3", "egress", 1, 0, "1", "output;", "ls_out_port_sec_l2"),
        *extra_flows,
    ]
    pb = {
        "pb-1": {"logical_port": "p1", "datapath": DP, "tunnel_key": 1, "type": "",
                 "port_security": frozenset({"00:00:00:00:00:01 10.0.0.1"})},
        "pb-2": {"logical_port": "p2", "datapath": DP, "tunnel_key": 2, "type": ""},
        "pb-3": {"logical_port": "p3", "datapath": DP, "tunnel_key": 3, "type": "localnet"},
    }
    rows = {
        "Datapath_Binding": {DP: {"tunnel_key": 7, "external_ids": {"name": "sw0",
                                                                    "logical-switch": "x"}}},
        "Port_Binding": pb,
        "Logical_Flow": dict(flows),
        "Multicast_Group": {"mc": {"datapath": DP, "name": "_MC_flood", "tunnel_key": 32768,
                                   "ports": frozenset(pb)}},
    }
    return SbModel.from_rows(rows)


UDP = ('inport == "p1" && eth.src == 00:00:00:00:00:01 && eth.dst == 00:00:00:00:00:02 && '
       "ip4.src == 10.0.0.1 && ip4.dst == 10.0.0.2 && ip.ttl == 64 && udp.dst == 53")


def trace(text: str, *opts: str) -> str:
    rc, out, err = run(["--minimal", *opts, text], model())
    assert rc == 0, err
    return out


def test_microflow_infers_prerequisites():
    m = model()
    f = parse_microflow(UDP, m.symtab, {}, {})
    assert f["eth.type"] == 0x0800 and f["ip.proto"] == 17 and f["inport"] == "p1"
    head = format_uflow(f, lambda p: m.ports[p].key)
    assert head.startswith("udp,reg14=0x1,vlan_tci=0x0000,dl_src=00:00:00:00:00:01")
    assert "nw_ttl=64" in head and "tp_dst=53" in head


def test_microflow_must_name_one_packet():
    m = model()
    with pytest.raises(MicroflowError):
        parse_microflow('inport == "p1" && tcp', m.symtab, {}, {})  # ip4 or ip6?
    with pytest.raises(MicroflowError):
        parse_microflow("ip4.src == 1.2.3.4 && ip4.src == 1.2.3.5", m.symtab, {}, {})


def test_unicast_output_minimal():
    assert trace(UDP).splitlines()[1:] == ['output("p2");']


def test_summary_nests_pipelines():
    rc, out, _ = run(["--summary", UDP], model())
    lines = out.splitlines()
    assert lines[1] == 'ingress(dp="sw0", inport="p1") {'
    assert '    egress(dp="sw0", inport="p1", outport="p2") {' in lines
    assert '        /* output to "p2", type "" */;' in lines


def test_detailed_skips_trivial_tables():
    rc, out, _ = run(["--detailed", UDP], model())
    assert " 2. ls_in_l2_lkup (test.c:1): eth.dst == 00:00:00:00:00:02, priority 50, " \
           "uuid a0000000" in out
    assert " 0. ls_in_port_sec_l2" not in out  # "1 => next;" flows are passed over silently


def test_ct_next_uses_ct_flags_in_order():
    tcp80 = UDP.replace("udp.dst == 53", "tcp.dst == 80")
    out = trace(tcp80, "--ct=new")
    assert "ct_next(ct_state=new|trk) {" in out and "eth.src = 00:00:00:00:00:99;" in out
    out = trace(tcp80)
    assert "ct_next(ct_state=est|trk /* default (use --ct to customize) */) {" in out
    assert "eth.src" not in out


def test_acl_drop_and_explain():
    ssh = UDP.replace("udp.dst == 53", "tcp.dst == 22")
    m = model()
    f = parse_microflow(ssh, m.symtab, {}, {})
    root = Walker(m).trace(m.find_datapath("sw0"), f)
    words = explain(root, m, expect="p2")
    assert "It does not reach p2." in words
    assert any("dropped by ACL deadbeef (priority 1001" in w and "sw0" in w for w in words)


def test_reject_generates_tcp_reset():
    out = trace(UDP.replace("udp.dst == 53", "tcp.dst == 23"))
    assert "tcp_reset {" in out and 'output("p1");' in out


def test_port_security_violation_explained():
    bad = UDP.replace("ip4.src == 10.0.0.1", "ip4.src == 10.9.9.9").replace(
        "00:00:00:00:00:01 && eth.dst", "00:00:00:00:00:05 && eth.dst")
    m = model()
    root = Walker(m).trace(m.find_datapath("sw0"), parse_microflow(bad, m.symtab, {}, {}))
    words = explain(root, m)
    assert any("ls_in_port_sec_l2" in w for w in words)


def test_multicast_floods_all_but_inport():
    bcast = UDP.replace("eth.dst == 00:00:00:00:00:02", "eth.dst == ff:ff:ff:ff:ff:ff")
    assert trace(bcast).splitlines()[1:] == ['output("p2");', 'output("p3");']


def test_inport_equals_outport_is_omitted():
    back = UDP.replace("eth.dst == 00:00:00:00:00:02", "eth.dst == 00:00:00:00:00:01")
    assert trace(back).splitlines()[1:] == []
    rc, out, _ = run(["--detailed", back], model())
    assert "omitting output because inport == outport" in out


def test_options_parsing():
    assert format_ct_state(parse_ct_flags("new")) == "new|trk"
    assert format_ct_state(parse_ct_flags("est,rpl")) == "est|rpl|trk"
    with pytest.raises(ValueError):
        parse_ct_flags("bogus")
    assert parse_lb_dst("10.0.0.1:80") == (0x0A000001, False, 80)
    assert parse_lb_dst("[fd00::1]:443")[1:] == (True, 443)
    rc, _, err = run(["--ovs", UDP], model())
    assert rc == 1 and "--ovs is not supported" in err


def test_unknown_inport_and_datapath():
    # As ovn-trace: printed as the trace's output, exit status 0.
    rc, out, err = run(['inport == "nope" && eth.src == 00:00:00:00:00:01'], model())
    assert (rc, out, err) == (0, 'unknown port "nope"\n', "")
    rc, out, err = run(["sw9", UDP], model())
    assert (rc, out, err) == (0, 'unknown datapath "sw9"\n', "")


def test_walker_default_options():
    w = Walker(model(), TraceOptions())
    assert w.opts.ct == []


# --- the shapes and rules of ovn-trace (tables nest; formats; packets; conntrack) ----------

def test_detailed_indents_like_ovn_trace():
    rc, out, _ = run(["--detailed", UDP.replace("udp.dst == 53", "tcp.dst == 80")], model())
    lines = out.splitlines()
    # ct_next's table has the transformation as last child: title and next table line up.
    i = lines.index(" 1. ls_in_acl (test.c:1): tcp.dst == 80, priority 1500, uuid a0000000")
    assert lines[i + 1] == "    ct_next;"
    assert lines[i + 2] == ""
    assert lines[i + 3].startswith("ct_next(ct_state=est|trk")
    assert lines[i + 5] == " 2. ls_in_l2_lkup (test.c:1): eth.dst == 00:00:00:00:00:02, " \
                           "priority 50, uuid a0000000"


def test_detailed_indents_multicast_members():
    bcast = UDP.replace("eth.dst == 00:00:00:00:00:02", "eth.dst == ff:ff:ff:ff:ff:ff")
    rc, out, _ = run(["--detailed", bcast], model())
    assert '    egress(dp="sw0", inport="p1", outport="p2")' in out.splitlines()
    # Its tables go two levels in (as ovn-trace's " 1. ..." lines under an indented title).
    assert '            /* output to "p2", type "" */' in out.splitlines()
    # The member that is the inport is not indented (it is the last one only by chance).
    assert 'egress(dp="sw0", inport="p1", outport="p1")' in out


def test_summary_hides_next_to_another_pipeline():
    rc, out, _ = run(["--summary", UDP.replace("udp.dst == 53", "tcp.dst == 23")], model())
    lines = [ln.strip() for ln in out.splitlines()]
    assert "reject { outport <-> inport; next(pipeline=egress, table=1); };" in lines
    assert "next(pipeline=egress, table=1);" not in lines
    assert 'egress(dp="sw0", outport="p1") {' in lines
    assert "output;" in lines and "next;" not in lines[lines.index("tcp_reset {"):][:2]


def test_all_prints_each_format_after_a_heading():
    rc, out, _ = run(["--all", UDP], model())
    lines = out.splitlines()
    assert lines[0].startswith("# udp,")
    heads = [ln for ln in lines if ln.startswith("# ") and ln.endswith(" trace.")]
    assert heads == ["# Detailed trace.", "# Summary trace.", "# Minimal trace."]
    assert lines[-1] == 'output("p2");'
    rc, out2, _ = run(["--minimal", "--summary", UDP], model())
    assert "# Detailed trace." not in out2 and "# Summary trace." in out2


def test_log_is_a_transformation_with_the_packet():
    from pyovn.trace.output import format_summary

    flows = [_flow("a0000000-a", "ingress", 1, 3000, "udp.dst == 54",
                   'log(name="x", verdict=allow, severity=info); next;', "ls_in_acl")]
    m = model(flows)
    f = parse_microflow(UDP.replace("53", "54"), m.symtab, {}, {})
    lines = format_summary(Walker(m).trace(m.find_datapath("sw0"), f))
    assert any(ln.strip().startswith('LOG: ACL name=x, direction=IN, verdict=allow, '
                                     'severity=info, packet="udp,reg14=0x1,') for ln in lines)


def test_reject_does_not_answer_an_answer():
    from pyovn.trace.packets import make_packet

    m = model()
    f = parse_microflow(UDP, m.symtab, {}, {})
    new, title = make_packet("reject", f)
    assert title == "icmp4" and new["icmp4.type"] == 3 and new["ip4.src"] == f["ip4.dst"]
    assert make_packet("reject", new) is None  # an ICMP unreachable is not answered
    assert make_packet("icmp4", new) is not None  # icmp4 { } itself always builds
    tcp = parse_microflow(UDP.replace("udp.dst", "tcp.dst"), m.symtab, {}, {})
    rst, title = make_packet("reject", tcp)
    assert title == "tcp_reset" and rst["tcp.flags"] == 4 and rst["tcp.dst"] == 53
    assert make_packet("reject", rst) is None


def test_ct_nat_keeps_tracked_state_and_ct_lb_adds_flags():
    flows = [_flow("a0000000-b", "ingress", 1, 3000, "udp.dst == 55", "ct_dnat(10.0.0.9);",
                   "ls_in_acl"),
             _flow("a0000000-c", "ingress", 2, 3000, "udp.dst == 55 && ct.new",
                   "ct_lb(backends=10.0.0.7:99);", "ls_in_l2_lkup")]
    # ct_dnat on an untracked packet takes the first --ct; ct_lb ORs the second in.
    out = run(["--minimal", "--ct=new", "--ct=est", UDP.replace("53", "55")], model(flows))[1]
    assert "ct_dnat(ip4.dst=10.0.0.9) {" in out
    m = model(flows)
    f = parse_microflow(UDP.replace("53", "55"), m.symtab, {}, {})
    root = Walker(m, TraceOptions(ct=[parse_ct_flags("new"), parse_ct_flags("est")])).trace(
        m.find_datapath("sw0"), f)
    texts = [n.text for n in root.walk()]
    assert "ct_lb" in texts  # no comment: both --ct flags were used
    lb = [n for n in root.walk() if n.text == "ct_lb"][0]
    state = lb.children[0].info["flow_state"]
    assert format_ct_state(state["ct_state"]) == "new|est|trk|dnat"
    assert state["ip4.dst"] == 0x0A000007 and state["udp.dst"] == 99


def test_port_security_is_exact_and_first_mac_decides():
    from pyovn.trace.portsec import in_port_sec, out_port_sec

    ps = ["00:00:00:00:00:01 10.0.0.1/24"]
    f = {"eth.src": 1, "eth.dst": 1, "eth.type": 0x0800, "ip4.src": 0x0A000001,
         "ip4.dst": 0x0A000001}
    assert in_port_sec(ps, f) is None
    assert in_port_sec(ps, {**f, "ip4.src": 0x0A000002}) is not None  # /24 does not widen
    assert out_port_sec(["00:00:00:00:00:01 fd00::1"], f) is not None  # IPv4 to an IPv6 entry
    assert out_port_sec(ps, {**f, "ip4.dst": 0xE0000001}) is None  # multicast passes
    assert in_port_sec(["00:00:00:00:00:02"], f) is not None
    assert in_port_sec([], f) is None


def test_equal_priority_flows_in_ovn_trace_hash_order():
    from pyovn.trace.sbmodel import _hmap_mask

    assert [_hmap_mask(n) for n in (1, 2, 4, 7, 8, 572)] == [0, 1, 3, 3, 7, 511]
    flows = [_flow("ffff0001-0000-0000-0000-000000000000", "ingress", 2, 80, "udp",
                   'outport = "p3"; output;', "ls_in_l2_lkup"),
             _flow("00000002-0000-0000-0000-000000000000", "ingress", 2, 80, "ip4",
                   'outport = "p2"; output;', "ls_in_l2_lkup")]
    m = model(flows)  # 14 flows: mask 7, so bucket 1 comes before bucket 2
    first = [f for f in m.find_datapath("sw0").table("ingress", 2) if f.priority == 80][0]
    assert first.uuid.startswith("ffff0001")


def test_get_fdb_miss_is_port_none():
    flows = [_flow("a0000000-d", "ingress", 2, 3000, "udp.dst == 56",
                   "outport = get_fdb(eth.dst); next;", "ls_in_l2_lkup"),
             _flow("a0000000-e", "ingress", 3, 50, 'outport == "none"',
                   'outport = "_MC_flood"; output;', "ls_in_l2_unknown")]
    out = run(["--minimal", UDP.replace("53", "56")], model(flows))[1]
    assert out.splitlines()[1:] == ['output("p2");', 'output("p3");']
