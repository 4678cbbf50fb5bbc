"""`pyovn nbctl` against the real ovn-nbctl: the shared corpus (tests/cli/ctl_corpus/nbctl*.txt)
plus this file's own scenarios, run through both tools on real ovsdb-servers, compared line by
line (stdout, stderr, exit status) by :mod:`pyovn.testing.ctl_diff`."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from pyovn.testing.ctl_diff import ToolSet, real_server_factory, real_tools, run_corpus_report
from pyovn.testing.real import require_real

ROOT = Path(__file__).resolve().parents[1]
SHARED = sorted((ROOT / "cli" / "ctl_corpus").glob("nbctl*.txt"))
_REASON = require_real("ovsdb-server", "ovsdb-tool", "ovn-nbctl")

# Scenarios beyond the shared corpus; every line was checked against the real tool. Lines whose
# real output depends on random UUID order (several gateway chassis on one port, clashes between
# several NATs) are left out on purpose.
EXTRA = r"""# Extra ovn-nbctl scenarios (pyovn's own, beyond the shared corpus).

## show details
$ ovn-nbctl ls-add sw0 -- set Logical_Switch sw0 external_ids:neutron\:network_name=net0
$ ovn-nbctl lsp-add sw0 p1 -- lsp-set-addresses p1 "00:00:00:00:00:01 10.0.0.1" -- set Logical_Switch_Port p1 external_ids:neutron\:port_name=np1
$ ovn-nbctl lsp-add sw0 c1 p1 5 -- set Logical_Switch_Port c1 tag=7
$ ovn-nbctl lsp-add sw0 p3 -- lsp-set-type p3 router -- lsp-set-addresses p3 "00:00:00:00:00:07 1.2.3.4"
$ ovn-nbctl lsp-add sw0 p4 -- lsp-set-options p4 router-port=foo -- lsp-set-addresses p4 router unknown
$ ovn-nbctl show sw0   # unordered
$ ovn-nbctl lr-add lr0 -- lrp-add lr0 lrp0 00:00:00:00:00:aa 10.0.0.254/24 fd00::1/64 peer=x
$ ovn-nbctl lrp-set-gateway-chassis lrp0 hv1 5 -- lrp-set-gateway-chassis lrp0 hv2 10 -- lrp-set-gateway-chassis lrp0 hv3 1
$ ovn-nbctl lrp-get-gateway-chassis lrp0
$ ovn-nbctl lrp-del-gateway-chassis lrp0 hv2 -- lrp-del-gateway-chassis lrp0 hv3
$ ovn-nbctl lr-nat-add lr0 snat 1.1.1.2 10.0.0.0/24 -- lr-nat-add lr0 dnat_and_snat 1.1.1.3 10.0.0.3 p1 00:00:00:00:00:03
$ ovn-nbctl set Logical_Router lr0 external_ids:neutron\:router_name=rr
$ ovn-nbctl show lr0   # unordered
$ ovn-nbctl lrp-get-gateway-chassis lrp0
$ ovn-nbctl ls-list -- lr-list
$ ovn-nbctl lsp-get-ls c1
$ ovn-nbctl lsp-get-tag c1

## route ordering and errors
$ ovn-nbctl lr-add r9 -- lrp-add r9 rp 00:00:00:00:01:01 10.9.0.1/24
$ ovn-nbctl lr-route-add r9 10.0.0.0/23 1.1.1.1 -- --policy=src-ip lr-route-add r9 10.0.0.0/24 1.1.1.2 -- lr-route-add r9 10.0.0.0/22 1.1.1.3
$ ovn-nbctl --ecmp --bfd lr-route-add r9 10.5.0.0/24 10.9.0.5 rp -- --ecmp-symmetric-reply --bfd lr-route-add r9 10.5.0.0/24 10.9.0.6 rp
$ ovn-nbctl lr-route-add r9 10.0.0.1/24 1.1.1.9 -- lr-route-add r9 10.7.0.0/255.255.0.0 1.1.1.1
$ ovn-nbctl lr-route-list r9
$ ovn-nbctl lr-route-add r9 10.8.0.0/24 10.9.0.77 nosuch
$ ovn-nbctl lr-route-add r9 10.8.0.0/24 10.9.0.77/24
$ ovn-nbctl lr-route-add r9 fd00::/64 1.1.1.1
$ ovn-nbctl --bfd=12345678-1234-1234-1234-123456789abc lr-route-add r9 10.8.0.0/24 1.1.1.1
$ ovn-nbctl --bfd lr-route-add r9 10.8.0.0/24 1.1.1.1
$ ovn-nbctl lr-route-del r9 10.8.0.0/24 1.1.1.8
$ ovn-nbctl lr-route-del r9 10.8.0.0/24 bad
$ ovn-nbctl --policy=src-ip lr-route-del r9 10.0.0.0/24
$ ovn-nbctl --route-table=rtb-1 lr-route-del r9
$ ovn-nbctl lr-route-list r9

## policy layout
$ ovn-nbctl lr-add r9
$ ovn-nbctl lr-policy-add r9 10 "ip4" reroute 1.1.1.1 pkt_mark=5 foo=bar -- lr-policy-add r9 11 "ip4" allow pkt_mark=5
$ ovn-nbctl lr-policy-add r9 12 ip6 reroute fd00::1,fd00::0002 -- lr-policy-add r9 12 ip4.src==1.1.1.1 drop
$ ovn-nbctl lr-policy-add r9 1 "a very long match string that is longer than fifty characters for sure" drop
$ ovn-nbctl lr-policy-list r9
$ ovn-nbctl lr-policy-add r9 13 ip6 reroute 1.1.1.1,fd00::1
$ ovn-nbctl lr-policy-add r9 14 ip4 allow nokey
$ ovn-nbctl lr-policy-del r9 bad
$ ovn-nbctl lr-policy-del r9 12345678-1234-1234-1234-123456789abc
$ ovn-nbctl --if-exists lr-policy-del r9 12345678-1234-1234-1234-123456789abc
$ ovn-nbctl lr-policy-del r9 12
$ ovn-nbctl lr-policy-list r9

## nat corner cases
$ ovn-nbctl lr-add n0 -- ls-add sw0 -- lsp-add sw0 p1
$ ovn-nbctl lr-nat-add n0 snat 1.1.1.1 10.0.0.0/24
$ ovn-nbctl lr-nat-add n0 snat 1.1.1.1 10.0.0.1/24
$ ovn-nbctl lr-nat-add n0 dnat 1.1.1.2 10.0.0.2
$ ovn-nbctl lr-nat-add n0 dnat 1.1.1.2 10.0.0.3
$ ovn-nbctl lr-nat-add n0 dnat fd00::1 10.0.0.2
$ ovn-nbctl lr-nat-add n0 dnat 1.1.1.9 fd00::2
$ ovn-nbctl lr-nat-add n0 snat fd00::1 10.0.0.0/24
$ ovn-nbctl lr-nat-add n0 dnat 1.1.1.3 10.0.0.0/24
$ ovn-nbctl lr-nat-add n0 dnat_and_snat 1.1.1.2 10.0.0.9
$ ovn-nbctl lr-nat-add n0 dnat 1.1.1.4 10.0.0.4 p1 00:00:00:00:00:01
$ ovn-nbctl lr-nat-add n0 dnat_and_snat 1.1.1.5 10.0.0.5 p1 zz
$ ovn-nbctl lr-nat-add n0 dnat_and_snat 1.1.1.6 10.0.0.6 p1 00:00:00:00:00:01 extra
$ ovn-nbctl lr-nat-add n0 dnat 1.1.1.7:80 10.0.0.7
$ ovn-nbctl --portrange lr-nat-add n0 dnat 1.1.1.8 10.0.0.8 1000-2000
$ ovn-nbctl --stateless lr-nat-add n0 dnat_and_snat 1.1.1.40 10.0.0.40
$ ovn-nbctl lr-nat-add n0 dnat_and_snat 1.1.1.40 10.0.0.41
$ ovn-nbctl lr-nat-add n0 dnat_and_snat 1.1.1.30 10.0.0.30 p1 00:00:00:00:00:30
$ ovn-nbctl lr-nat-list n0
$ ovn-nbctl lr-nat-del n0 dnat_and_snat 9.9.9.9
$ ovn-nbctl lr-nat-del n0 dnat 1.1.1.2 gw
$ ovn-nbctl lr-nat-del n0 dnat 1.1.1.2
$ ovn-nbctl lr-nat-list n0

## load balancer corner cases
$ ovn-nbctl ls-add sw0 -- lr-add n0
$ ovn-nbctl lb-add lbx 1.1.1.1 bad
$ ovn-nbctl lb-add lbx 1.1.1.1 2.2.2.2:80
$ ovn-nbctl lb-add lbx 1.1.1.1 2.2.2.2 tcp
$ ovn-nbctl lb-add lbx 1.1.1.1:80 [fd00::1]:80
$ ovn-nbctl lb-add lbx fd00::1 fd00::2,fd00::3
$ ovn-nbctl lb-add lbx [fd00::5]:80 [fd00::2]:8080
$ ovn-nbctl lb-add lbx 1.1.1.1: 2.2.2.2
$ ovn-nbctl lb-list lbx
$ ovn-nbctl lb-del nosuch
$ ovn-nbctl lb-del nosuch 1.1.1.1
$ ovn-nbctl lb-add lbx 1.1.1.9:80 2.2.2.2:80 -- ls-lb-add sw0 lbx
$ ovn-nbctl ls-lb-del sw0 nosuch
$ ovn-nbctl lr-lb-del n0 lbx
$ ovn-nbctl lr-lb-del n0 nosuch
$ ovn-nbctl lb-del lbx 1.1.1.1:80
$ ovn-nbctl ls-lb-list sw0

## copp, mirrors, forwarding groups
$ ovn-nbctl ls-add sw0 -- lsp-add sw0 p1 -- lsp-add sw0 p2
$ ovn-nbctl mirror-add m1 gre 5 from-lport 1.1.1.1 -- mirror-add m2 erspan 6 to-lport fd00::1
$ ovn-nbctl mirror-list
$ ovn-nbctl mirror-add m3 foo 1 from-lport 1.1.1.1
$ ovn-nbctl mirror-add m3 gre x from-lport 1.1.1.1
$ ovn-nbctl mirror-add m3 gre 1 sideways 1.1.1.1
$ ovn-nbctl mirror-add m3 gre 1 to-lport bad
$ ovn-nbctl mirror-add m1 gre 1 to-lport 1.1.1.1
$ ovn-nbctl mirror-del nosuch
$ ovn-nbctl lsp-attach-mirror p1 m1
$ ovn-nbctl --bare --columns=name list Mirror   # unordered
$ ovn-nbctl meter-add mt drop 10 kbps
$ ovn-nbctl copp-add c1 arp mt -- copp-add c1 bfd mt
$ ovn-nbctl copp-add c1 bogus mt
$ ovn-nbctl copp-list c1
$ ovn-nbctl copp-list nosuch
$ ovn-nbctl copp-del c1 dns
$ ovn-nbctl fwd-group-add fg1 sw0 10.0.0.100 00:00:00:00:99:99 p1 p2
$ ovn-nbctl fwd-group-list
$ ovn-nbctl fwd-group-add fg1 sw0 10.0.0.100 00:00:00:00:99:99 p1
$ ovn-nbctl fwd-group-del fg1
$ ovn-nbctl fwd-group-list

## qos and acl details
$ ovn-nbctl ls-add sw0
$ ovn-nbctl qos-add sw0 from-lport 100 ip4 foo=1
$ ovn-nbctl qos-add sw0 from-lport 100 ip4 rate=0
$ ovn-nbctl qos-add sw0 from-lport 100 ip4 burst=10
$ ovn-nbctl --label=0x10 acl-add sw0 to-lport 1 ip4 drop
$ ovn-nbctl --label=abc acl-add sw0 to-lport 2 ip4 drop
$ ovn-nbctl --meter=m1 acl-add sw0 to-lport 3 ip4 drop
$ ovn-nbctl acl-list sw0
$ ovn-nbctl meter-add __x drop 1 kbps
$ ovn-nbctl meter-add m5 drop 1 kbps -1

## version, wait option errors, sync
$ ovn-nbctl --version
$ ovn-nbctl --wait=bogus ls-list
$ ovn-nbctl sync
$ ovn-nbctl --wait=none ls-add sw0
$ ovn-nbctl ls-list
"""


def candidate() -> ToolSet:
    py = [sys.executable, "-m", "pyovn"]
    cmds = {"ovn-nbctl": [*py, "nbctl"], "ovn-sbctl": ["ovn-sbctl"], "ovs-vsctl": ["ovs-vsctl"]}
    return ToolSet("pyovn", cmds, real_server_factory, prog_names=("pyovn",))


def _check(corpus: list[Path]) -> None:
    if _REASON:
        print(f"skipping: {_REASON}")
        pytest.skip(_REASON)
    report = run_corpus_report(corpus, real_tools(), candidate())
    n = report.commands.get("ovn-nbctl", 0)
    print(f"{n} ovn-nbctl lines, {len(report.differences)} differences")
    assert n > 0
    assert not report.differences, "\n".join(d.format() for d in report.differences)


@pytest.mark.interop
@pytest.mark.timeout(1200)  # ~600 command lines, each a fresh Python process on the pyovn side
def test_nbctl_shared_corpus_matches_real() -> None:
    _check(SHARED)


@pytest.mark.interop
@pytest.mark.timeout(600)
def test_nbctl_extra_corpus_matches_real(tmp_path: Path) -> None:
    path = tmp_path / "nbctl_extra.txt"
    path.write_text(EXTRA)
    _check([path])
