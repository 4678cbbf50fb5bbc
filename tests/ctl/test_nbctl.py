"""`pyovn nbctl` without daemons: argument parsing, address parsing, OVS map order, and command
sessions run on an in-memory view whose expected outputs were taken from the real ovn-nbctl."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from pyovn.ctl.context import Context
from pyovn.ctl.nbctl import TOOL
from pyovn.ctl.nbctl_common import (
    ip_parse_masked,
    normalize_prefix,
    parse_mac,
    scan_mac,
    smap_order,
)
from pyovn.ctl.options import parse_command_line
from pyovn.ctl.registry import CtlError
from pyovn.ctl.txnview import TxnView
from pyovn.ovsdb.datastr import RefTable
from pyovn.ovsdb.schema import DatabaseSchema
from pyovn.schemas import __file__ as _schemas_init

SCHEMA = DatabaseSchema.from_json(
    json.loads((Path(_schemas_init).parent / "ovn-nb.ovsschema").read_text()))


class FakeNb:
    """A database as a dict of rows; each invocation runs on a fresh view and keeps its changes
    only if every command succeeded (as one transaction would)."""

    def __init__(self) -> None:
        self.rows: dict[str, dict[str, dict[str, Any]]] = {t: {} for t in SCHEMA.tables}

    def __call__(self, *argv: str) -> str:
        opts, cmds = parse_command_line(TOOL, list(argv))
        txn = TxnView(SCHEMA, self.rows)
        if txn.first("NB_Global") is None:
            txn.insert("NB_Global")
        state: dict[str, Any] = {"schema": SCHEMA}
        out = []
        symtab = RefTable()
        for pc in cmds:
            ctx = Context(TOOL, pc.spec, pc.argv, pc.options, txn, symtab, state, opts)
            pc.spec.run(ctx)
            out.append("".join(ctx.output))
        self.rows = {t: {u: dict(r.values) for u, r in rows.items() if not r.deleted}
                     for t, rows in txn.tables.items()}
        return "".join(out)


@pytest.mark.parametrize(("argv", "error"), [
    (["ls-add", "a", "b"], "'ls-add' command takes at most 1 arguments"),
    (["acl-add", "sw0", "from-lport", "100", "ip4"],
     "'acl-add' command requires at least 5 arguments"),
    (["lrp-add", "lr0", "p1", "00:00:00:00:00:01"],
     "'lrp-add' command requires at least 4 arguments"),
    (["lsp-frobnicate"], "unknown command 'lsp-frobnicate'; use --help for help"),
    (["--may-exist", "ls-list"], "'ls-list' command has no '--may-exist' option"),
    (["--nosuch", "ls-list"], "unrecognized option '--nosuch'"),
    (["show", "a", "b"], "'show' command takes at most 1 arguments"),
])
def test_parse_errors(argv: list[str], error: str) -> None:
    with pytest.raises(CtlError) as exc:
        parse_command_line(TOOL, argv)
    assert str(exc.value) == error


def test_wait_option_and_bfd_values() -> None:
    opts, _ = parse_command_line(TOOL, ["--wait=sb", "sync"])
    assert opts.extra["wait"] == "sb"
    # "--bfd" takes an optional value, before the first command and in a later one.
    argv = ["--bfd=1234", "lr-route-add", "r", "1.0.0.0/8", "2.2.2.2", "--",
            "--bfd", "lr-route-add", "r", "3.0.0.0/8", "2.2.2.3", "--",
            "--bfd=", "lr-route-add", "r", "4.0.0.0/8", "2.2.2.4"]
    _, cmds = parse_command_line(TOOL, argv)
    assert [c.options for c in cmds] == [{"--bfd": "1234"}, {"--bfd": None}, {"--bfd": ""}]
    with pytest.raises(CtlError, match="unknown command '1234'"):
        parse_command_line(TOOL, ["--bfd", "1234", "lr-route-add", "r", "1.0.0.0/8", "2.2.2.2"])
    with pytest.raises(CtlError, match="'lr-list' command has no '--bfd' option"):
        parse_command_line(TOOL, ["--", "--bfd=x", "lr-list"])


def test_smap_order_matches_ovs() -> None:
    # Orders printed by the real ovn-nbctl for maps built from these (sorted) keys.
    assert smap_order(["lease_time", "router", "server_id", "server_mac"]) == \
        ["server_mac", "router", "server_id", "lease_time"]
    assert smap_order(["foo", "network_name"]) == ["foo", "network_name"]


def test_address_parsing() -> None:
    assert scan_mac("00:00:00:00:00:04 dynamic") == ("00:00:00:00:00:04", 17)
    assert scan_mac("notamac") is None
    assert parse_mac("zz:00:00:00:ff:01") is None
    assert parse_mac("0:0:0:0:0:A") == "00:00:00:00:00:0a"
    assert normalize_prefix("10.0.0.1/24") == "10.0.0.0/24"
    assert normalize_prefix("10.0.2.5") == "10.0.2.5"
    assert normalize_prefix("10.7.0.0/255.255.0.0") == "10.7.0.0/16"
    assert normalize_prefix("fd00:1::5/64") == "fd00:1::/64"
    assert normalize_prefix("10.0.0.0/33") is None
    assert ip_parse_masked("10.0.0.0/33") == \
        "10.0.0.0/33: IPv4 network prefix bits not between 0 and 32, inclusive"


def test_switch_session() -> None:
    nb = FakeNb()
    nb("ls-add", "sw0")
    with pytest.raises(CtlError, match="sw0: a switch with this name already exists"):
        nb("ls-add", "sw0")
    nb("lsp-add", "sw0", "p1", "--", "lsp-add", "sw0", "c1", "p1", "7")
    with pytest.raises(CtlError, match="x: invalid tag"):
        nb("lsp-add", "sw0", "c2", "p1", "x")
    nb("lsp-set-addresses", "p1", "00:00:00:00:00:01 10.0.0.1", "unknown")
    assert nb("lsp-get-addresses", "p1") == "00:00:00:00:00:01 10.0.0.1\nunknown\n"
    with pytest.raises(CtlError, match="duplicate IPv4 address '10.0.0.1' found on logical "
                       "switch port 'p1'"):
        nb("lsp-set-addresses", "c1", "00:00:00:00:00:02 10.0.0.1")
    assert nb("lsp-get-parent", "c1") == "p1\n"
    assert nb("lsp-get-enabled", "p1") == "enabled\n"
    assert nb("lsp-get-up", "p1") == "down\n"
    nb("lsp-set-options", "p1", "foo=bar", "network_name=physnet1", "ignored")
    assert nb("lsp-get-options", "p1") == "foo=bar\nnetwork_name=physnet1\n"
    lines = nb("lsp-list", "sw0").splitlines()
    assert [line.split()[1] for line in lines] == ["(c1)", "(p1)"]
    show = nb("show", "sw0")
    assert show.startswith("switch ") and "    port c1\n        parent: p1\n" in show
    assert '        addresses: ["00:00:00:00:00:01 10.0.0.1", "unknown"]\n' in show
    nb("lsp-del", "c1")
    with pytest.raises(CtlError, match="c1: port name not found"):
        nb("lsp-del", "c1")


def test_route_list_layout() -> None:
    nb = FakeNb()
    nb("lr-add", "r9", "--", "lrp-add", "r9", "rp", "00:00:00:00:01:01", "10.9.0.1/24")
    nb("lr-route-add", "r9", "10.0.0.0/23", "1.1.1.1", "--", "--policy=src-ip", "lr-route-add",
       "r9", "10.0.0.0/24", "1.1.1.2", "--", "lr-route-add", "r9", "10.0.0.0/22", "1.1.1.3",
       "--", "--ecmp", "--bfd", "lr-route-add", "r9", "10.5.0.0/24", "10.9.0.5", "rp", "--",
       "--ecmp-symmetric-reply", "--bfd", "lr-route-add", "r9", "10.5.0.0/24", "10.9.0.6", "rp",
       "--", "lr-route-add", "r9", "10.0.0.1/24", "1.1.1.9", "--", "lr-route-add", "r9",
       "10.7.0.0/255.255.0.0", "1.1.1.1", "--", "lr-route-add", "r9", "fd00::/64", "fd00::1")
    assert nb("lr-route-list", "r9") == (
        "IPv4 Routes\n"
        "Route Table <main>:\n"
        "              10.0.0.0/24                   1.1.1.9 dst-ip\n"
        "              10.5.0.0/24                  10.9.0.5 dst-ip rp ecmp bfd\n"
        "              10.5.0.0/24                  10.9.0.6 dst-ip rp ecmp "
        "ecmp-symmetric-reply bfd\n"
        "              10.0.0.0/24                   1.1.1.2 src-ip\n"
        "              10.0.0.0/23                   1.1.1.1 dst-ip\n"
        "              10.0.0.0/22                   1.1.1.3 dst-ip\n"
        "              10.7.0.0/16                   1.1.1.1 dst-ip\n"
        "\n"
        "IPv6 Routes\n"
        "Route Table <main>:\n"
        "                fd00::/64                   fd00::1 dst-ip\n")
    with pytest.raises(CtlError, match=r"^bad IPv4 nexthop argument: 10.9.0.77/24$"):
        nb("lr-route-add", "r9", "10.8.0.0/24", "10.9.0.77/24")
    with pytest.raises(CtlError, match="^insert entry in the BFD table failed$"):
        nb("--bfd", "lr-route-add", "r9", "10.8.0.0/24", "1.1.1.1")


def test_policy_and_nat_layout() -> None:
    nb = FakeNb()
    nb("lr-add", "r9")
    nb("lr-policy-add", "r9", "10", "ip4", "reroute", "1.1.1.1", "pkt_mark=5", "foo=bar", "--",
       "lr-policy-add", "r9", "12", "ip6", "reroute", "fd00::1,fd00::0002", "--",
       "lr-policy-add", "r9", "11", "ip4", "allow", "pkt_mark=5")
    assert nb("lr-policy-list", "r9") == (
        "Routing Policies\n"
        "        12                                                ip6         reroute"
        "                   fd00::1, fd00::2\n"
        "        11                                                ip4           allow"
        "               pkt_mark=5\n"
        "        10                                                ip4         reroute"
        "                   1.1.1.1               foo=bar,pkt_mark=5\n")
    with pytest.raises(CtlError, match="not in the same addr family"):
        nb("lr-policy-add", "r9", "13", "ip6", "reroute", "1.1.1.1,fd00::1")
    nb("lr-nat-add", "r9", "snat", "172.16.0.10", "10.0.0.1/24", "--", "--portrange",
       "lr-nat-add", "r9", "dnat", "1.1.1.8", "10.0.0.8", "1000-2000")
    assert nb("lr-nat-list", "r9") == (
        "TYPE             GATEWAY_PORT          EXTERNAL_IP        EXTERNAL_PORT    LOGICAL_IP"
        "          EXTERNAL_MAC         LOGICAL_PORT\n"
        "dnat                                   1.1.1.8            1000-2000        10.0.0.8\n"
        "snat                                   172.16.0.10                         "
        "10.0.0.0/24\n")
    with pytest.raises(CtlError, match="a NAT with this external_ip and logical_ip already"):
        nb("lr-nat-add", "r9", "snat", "172.16.0.10", "10.0.0.0/24")
    with pytest.raises(CtlError, match=r"^invalid port range 2000-1000\.$"):
        nb("--portrange", "lr-nat-add", "r9", "snat", "1.1.1.10", "10.0.8.0/24", "2000-1000")


def test_acl_meter_lb_layout() -> None:
    nb = FakeNb()
    nb("ls-add", "sw0")
    nb("--log", "acl-add", "sw0", "from-lport", "100", "ip4", "drop", "--",
       "--apply-after-lb", "acl-add", "sw0", "from-lport", "400", "icmp4", "allow", "--",
       "--name=dbg", "--severity=debug", "--label=1234", "acl-add", "sw0", "to-lport", "300",
       "udp", "allow")
    assert nb("acl-list", "sw0") == (
        "from-lport   100 (ip4) drop log()\n"
        "from-lport   400 (icmp4) allow [after-lb]\n"
        "  to-lport   300 (udp) allow log(name=dbg,severity=debug) label=1234\n")
    with pytest.raises(CtlError, match="^sideways: direction must be"):
        nb("acl-add", "sw0", "sideways", "1", "ip4", "drop")
    nb("meter-add", "m2", "drop", "200", "pktps", "20", "--", "--fair", "meter-add", "m1",
       "drop", "100", "kbps")
    assert nb("meter-list") == ("m1: (fair) bands:\n  drop: 100 kbps\n"
                                "m2: bands:\n  drop: 200 pktps, 20 packet burst\n")
    nb("lb-add", "lbx", "fd00::1", "fd00::2,fd00::3", "--", "lb-add", "lbx", "[fd00::5]:80",
       "[fd00::2]:8080")
    out = nb("lb-list").splitlines()
    assert out[0] == "UUID                                    LB                  PROTO      " \
        "VIP             IPs"
    assert out[1].endswith("    lbx                 tcp        [fd00::5]:80    [fd00::2]:8080")
    assert out[2] == " " * 71 + "fd00::1         fd00::2,fd00::3"
    with pytest.raises(CtlError, match="IP address family is different from VIP"):
        nb("lb-add", "lby", "1.1.1.1:80", "[fd00::1]:80")


def test_mirror_and_fwd_group_layout() -> None:
    nb = FakeNb()
    nb("mirror-add", "m1", "gre", "5", "from-lport", "1.1.1.1")
    assert nb("mirror-list") == ("m1:\n  Type     :  gre\n  Sink     :  1.1.1.1\n"
                                 "  Filter   :  from-lport\n  Index/Key:  5\n\n")
    with pytest.raises(CtlError, match='^foo: type must be "gre" or "erspan"$'):
        nb("mirror-add", "m3", "foo", "1", "from-lport", "1.1.1.1")
    nb("ls-add", "sw0", "--", "lsp-add", "sw0", "p1", "--", "lsp-add", "sw0", "p2")
    nb("fwd-group-add", "fg1", "sw0", "10.0.0.100", "00:00:00:00:99:99", "p1", "p2")
    assert nb("fwd-group-list") == (
        "FWD_GROUP       LS            VIP             VMAC                  CHILD_PORTS\n"
        "fg1             sw0           10.0.0.100     00:00:00:00:99:99      p1 p2\n")
