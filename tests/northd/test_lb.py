"""Load balancers in pyovn's northd: parsing as ovn-northd 23.03 parses, and the LB flows and rows
of whole topologies identical to the real northd's.

* ``test_parse_*``: VIP/backend parsing rules, as data (each case was checked against the real
  northd: a VIP it rejects gets no flow at all).
* ``test_lb_identity`` (interop): each topology of ``lb_topologies/`` and the LB topologies of
  ``topologies/`` goes through ``sbdiff.py`` (real ovn-northd vs pyovn's northd with the LB and
  NAT builders only, ``lb_northd.py``, on one Northbound); the flows of the load-balancing stages, the SB ``Load_Balancer``,
  ``Service_Monitor`` and ``_rtr_lb_*`` Address_Set rows must be identical.  Stage-hints are
  compared too, with one leniency: where the real northd merged identical flows of several
  owners into one row (it keeps the first owner's hint, in its hash-map order) pyovn writes one
  row per owner, so a real hint only has to be among pyovn's.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

from pyovn.northd.lb import parse_ip_port
from pyovn.testing.real import require_real

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))

# --- parsing -------------------------------------------------------------------------------------

PARSE_CASES = [
    ("10.0.0.1", ("10.0.0.1", 0)),
    ("10.0.0.1:80", ("10.0.0.1", 80)),
    ("10.0.0.1:080", ("10.0.0.1", 80)),
    ("10.0.0.1:0", ("10.0.0.1", 0)),
    ("10.0.0.1:70000", None),
    ("01.1.1.9:80", None),
    ("bogus:80", None),
    (" 10.0.0.1:80", None),
    ("[fd00::1]", ("fd00::1", 0)),
    ("[FD00::0200]:80", ("fd00::200", 80)),
    ("fd00::5:80", ("fd00::5:80", 0)),  # a bare IPv6 address never has a port
    ("[10.0.0.1]:80", None),
    ("[fd00::1]80", None),
]


@pytest.mark.parametrize("text,expected", PARSE_CASES)
def test_parse_ip_port(text: str, expected: tuple[str, int] | None) -> None:
    from pyovn.northd.lb import format_ip

    got = parse_ip_port(text)
    assert (None if got is None else (format_ip(got[0]), got[1])) == expected


class _Row:
    """The attribute view of an NB Load_Balancer row that parse_lb reads."""

    def __init__(self, vips: dict[str, str], **kw: object) -> None:
        self.uuid = str(kw.pop("uuid", "00000000-0000-0000-0000-000000000001"))
        self.name = "lb"
        self.vips = vips
        self.protocol = kw.pop("protocol", [])
        self.options = kw.pop("options", {})
        self.selection_fields = kw.pop("selection_fields", [])
        self.ip_port_mappings = {}
        self.health_check = []


VIP_CASES = [
    # (vips key, value) -> valid?  (invalid VIPs make no flows)
    ("1.1.1.1:80", "10.0.0.1:80, 10.0.0.2:80", False),
    ("1.1.1.1:80", "10.0.0.1:80,bogus", False),
    ("1.1.1.1:80", "10.0.0.1", False),
    ("1.1.1.1", "10.0.0.1:80", False),
    ("1.1.1.1:80", "10.0.0.1:80,", True),
    ("1.1.1.1:80", "10.0.0.1:0", False),
    ("1.1.1.1:80", "fd00::11", False),
    ("[fd00::3]:80", "fd00::4", False),
    ("[fd00::1]", "[fd00::2]", True),
    ("1.1.1.1:80", "", True),
]


@pytest.mark.parametrize("key,value,valid", VIP_CASES)
def test_parse_vip_validity(key: str, value: str, valid: bool) -> None:
    from pyovn.northd.lb import parse_lb

    lb = parse_lb(_Row({key: value}))
    assert bool(lb.vips) is valid
    assert lb.has_vips


def test_parse_options() -> None:
    from pyovn.northd.lb import parse_lb

    lb = parse_lb(_Row({"1.1.1.1:53": "10.0.0.1:53"}, uuid="00000000-0000-0000-0000-0000000000aa",
                       protocol=["udp"], selection_fields=["tp_src", "eth_src", "tp_dst"],
                       options={"affinity_timeout": "30", "skip_snat": "true"}))
    assert lb.proto == "udp"
    assert lb.hash_fields == "eth_src,udp_dst,udp_src"
    assert lb.affinity_timeout == 30 and lb.skip_snat and not lb.reject
    (v,) = lb.vips
    assert v.vip_port == "1.1.1.1:53" and v.backends_text == "10.0.0.1:53"
    noproto = parse_lb(_Row({"1.1.1.2:80": "10.0.0.1:80"},
                            uuid="00000000-0000-0000-0000-0000000000ab"))
    assert noproto.proto == "tcp"


# --- identity with the real northd ----------------------------------------------------------------

LB_STAGES = {
    "ls_in_pre_lb", "ls_out_pre_lb", "ls_in_lb_aff_check", "ls_in_lb", "ls_in_lb_aff_learn",
    "ls_in_pre_hairpin", "ls_in_nat_hairpin", "ls_in_hairpin", "lr_in_defrag",
    "lr_in_lb_aff_check", "lr_in_lb_aff_learn", "lr_in_dnat",
}
_NAT_STAGES = {"lr_in_unsnat", "lr_out_undnat", "lr_out_snat"}


def _lb_line(line: str) -> bool:
    parts = line.split()
    stage, prio = parts[4], parts[3]
    if stage in LB_STAGES:
        return True
    if stage == "ls_in_pre_stateful" and prio == "120":
        return True
    if stage == "ls_in_arp_rsp" and prio == "110":  # service monitor sources
        return True
    if "$_rtr_lb_" in line or "_for_lb" in line:
        return True
    return stage in _NAT_STAGES and prio == "120" and "nd_ns" not in line  # VIP bypasses


TOPOLOGIES = sorted(p for p in (HERE / "lb_topologies").glob("*.sh")) + [
    HERE / "topologies" / n for n in ("19-lb-switch.sh", "20-lb-ipv6.sh",
                                      "21-lb-health-check.sh", "22-lb-options.sh",
                                      "23-lb-groups.sh", "31-lb-gateway-router.sh",
                                      "32-lb-dgp.sh")]

_HINT_RE = re.compile(r"^(.*) hint=<(.*)>$")


def _hints(lines: list[str]) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for line in lines:
        m = _HINT_RE.match(line)
        if m:
            out.setdefault(m.group(1), set()).add(m.group(2))
    return out


_KEY_RE = re.compile(r"_rtr_lb_(\d+)_")


def _named_sets(snap: dict[str, list[str]]) -> dict[str, list[str]]:
    """``_rtr_lb_<tunnel key>_`` with the router's name instead of its key (tunnel keys are the
    model's business and compared elsewhere)."""
    names = {}
    for line in snap.get("tunnel_keys", []):
        parts = line.split()
        if parts[0] == "Datapath_Binding":
            names[parts[2]] = parts[1]
    return {sec: sorted(_KEY_RE.sub(lambda m: f"_rtr_lb_<{names.get(m.group(1), '?')}>_", x)
                        for x in lines) for sec, lines in snap.items()}


@pytest.mark.interop
@pytest.mark.timeout(120)
@pytest.mark.parametrize("path", TOPOLOGIES, ids=lambda p: p.stem)
def test_lb_identity(path: Path) -> None:
    reason = require_real("ovsdb-server", "ovsdb-tool", "ovn-nbctl", "ovsdb-client", "ovn-northd")
    if reason is not None:
        pytest.skip(reason)
    import sbsides

    topo = sbsides.Topology.load(path)
    opts = sbsides.Options(pyovn_cmd=(sys.executable, str(HERE / "lb_northd.py"), "northd"))
    with sbsides.temp_root(topo, False) as root:
        real, nb_file = sbsides.run_real(topo, root, opts)
        mine = sbsides.run_pyovn(topo, root, nb_file, real, opts)
    assert not mine.errors, mine.errors
    a, b = _named_sets(real.snapshot()), _named_sets(mine.snapshot())
    problems: list[str] = []
    ra = sorted(x for x in a.get("Logical_Flow", []) if _lb_line(x))
    rb = sorted(x for x in b.get("Logical_Flow", []) if _lb_line(x))
    problems += [f"- {x}" for x in ra if x not in set(rb)]
    problems += [f"+ {x}" for x in rb if x not in set(ra)]
    ha = _hints([x for x in a.get("Logical_Flow.hint", []) if _lb_line(x)])
    hb = _hints([x for x in b.get("Logical_Flow.hint", []) if _lb_line(x)])
    for flow, hints in ha.items():
        mine_h = hb.get(flow, set())
        for h in hints:
            own_switch = f"Logical_Switch:{flow.split()[0]}"
            if h in mine_h or (h.startswith("Logical_Switch:") and own_switch in mine_h):
                continue
            problems.append(f"hint {h} of {flow} not written by pyovn (has {sorted(mine_h)})")
    for flow in hb:
        if flow not in ha:
            problems.append(f"hint on {flow} that the real northd does not set")
    for sec in ("Load_Balancer", "Service_Monitor"):
        if a.get(sec, []) != b.get(sec, []):
            problems.append(f"{sec}: real {a.get(sec)} pyovn {b.get(sec)}")
    sa = [x for x in a.get("Address_Set", []) if "_rtr_lb_" in x]
    sb = [x for x in b.get("Address_Set", []) if "_rtr_lb_" in x]
    if sa != sb:
        problems.append(f"Address_Set: real {sa} pyovn {sb}")
    assert not problems, "\n".join(problems[:80])
