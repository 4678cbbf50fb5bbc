"""A logical switch's ACL, QoS and stateful stages (pyovn.northd.pipelines.ls_acl) against the
real ovn-northd 23.03.1.

Golden data in ``tests/northd/ls_acl/``, one set per topology ``NAME``:

* the topology is ``ls_acl_topologies/NAME.sh`` or ``topologies/NAME.sh`` (``SOURCES``);
* ``NAME.nb.db``: the Northbound the real northd ran on (compacted), so pyovn sees the very
  same rows and uuids (stage-hints are uuid prefixes, fair meters are named after ACL uuids);
* ``NAME.flows``: the real northd's flows of these stages, one per line
  ``DATAPATH PIPELINE PRIORITY STAGE match=(..) action=(..)[ meter=M][ lport=P] hint=8HEX|-``.

The tests serve the ``.nb.db`` with pyovn's ovsdb-server, run pyovn's whole engine (a full
recompute: the ACL flows depend on flags other owners contribute, e.g. a load balancer's VIPs)
and compare the flows of these stages.  ``python tests/northd/test_ls_acl.py --regen`` runs the
real northd (through sbdiff's cache) and rewrites the golden files; ``--diff NAME`` prints the
differences of one topology.

The flows of these stages that are not this module's — the per-VIP priority-120 Pre-stateful
flows (ls_lb.py) — are left out on both sides.

A second group of tests checks the engine's flag readers: an ACL's flows change when the
switch becomes stateful (a first ``allow-related`` ACL, a load balancer), incrementally.
"""

from __future__ import annotations

import shutil
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import golden  # tests/northd/golden.py
import pytest

from pyovn import schemas

HERE = Path(__file__).resolve().parent
GOLDEN = HERE / "ls_acl"
SOURCES = sorted((HERE / "ls_acl_topologies").glob("*.sh")) + [
    HERE / "topologies" / n for n in (
        "11-acl-basic.sh", "12-acl-logging.sh", "13-acl-port-groups-address-sets.sh",
        "14-acl-apply-after-lb.sh", "15-neutron-security-groups.sh", "16-dhcpv4.sh",
        "17-dhcpv6.sh", "18-dns.sh", "19-lb-switch.sh", "34-qos.sh", "39-kitchen-sink-switch.sh")]

STAGES = {
    "ls_in_pre_acl", "ls_out_pre_acl", "ls_in_pre_stateful", "ls_out_pre_stateful",
    "ls_in_acl_hint", "ls_out_acl_hint", "ls_in_acl", "ls_out_acl", "ls_in_acl_after_lb",
    "ls_in_qos_mark", "ls_out_qos_mark", "ls_in_qos_meter", "ls_out_qos_meter",
    "ls_in_stateful", "ls_out_stateful",
}


def _mine(stage: str, priority: int) -> bool:
    return stage in STAGES and not (stage == "ls_in_pre_stateful" and priority == 120)


def _line(dp: str, pipeline: str, priority: int, stage: str, match: str, actions: str,
          meter: str | None, lport: str | None, hint: str | None) -> str:
    line = f"{dp} {pipeline} {priority} {stage} match=({match}) action=({actions})"
    if meter:
        line += f" meter={meter}"
    if lport:
        line += f" lport={lport}"
    return f"{line} hint={hint or '-'}"


def _golden_names() -> list[str]:
    return sorted(p.name[:-len(".flows")] for p in GOLDEN.glob("*.flows"))


# --- pyovn's side --------------------------------------------------------------------------------


def pyovn_flows(nb: dict[str, object], sb: dict[str, object] | None = None) -> list[str]:
    """These stages' flows of a full recompute over the Northbound ``nb`` (name -> replica)."""
    from pyovn.northd import builders  # noqa: F401  (registers every builder)
    from pyovn.northd.engine import Engine

    engine = Engine(nb, sb or {})
    engine.recompute()
    out = set()
    for output in engine.outputs.values():
        for f in output.flows:
            if not _mine(f.stage.name, f.priority):
                continue
            dp = engine.model.datapath(f.dp)
            assert dp is not None
            out.add(_line(dp.name, f.stage.pipeline, f.priority, f.stage.name, f.match,
                          f.actions, f.meter, f.lport, f.hint))
    return sorted(out)


# --- the real northd's side (golden generation) ----------------------------------------------------


def real_flows(sb_json: str) -> list[str]:
    sb = golden.dump_tables(sb_json)
    datapaths = golden.flow_datapaths(sb)
    out = set()
    for r in sb["Logical_Flow"]:
        ids = golden.map_of(r["external_ids"])
        stage = ids.get("stage-name", "?")
        prio = int(r["priority"])  # type: ignore[call-overload]
        if not _mine(stage, prio):
            continue
        meter = golden.set_of(r["controller_meter"])
        lport = golden.map_of(r["tags"]).get("in_out_port")
        for dp in datapaths(r):
            out.add(_line(dp, str(r["pipeline"]), prio, stage, str(r["match"]),
                          str(r["actions"]), str(meter[0]) if meter else None, lport,
                          ids.get("stage-hint")))
    return sorted(out)


def regenerate() -> None:
    """Run the real northd on every source topology (through sbdiff's recordings), write goldens."""
    for sh in SOURCES:
        golden.record(sh, GOLDEN, lambda e: real_flows((e / "sb.json").read_text()))


# --- golden tests --------------------------------------------------------------------------------


def _pyovn_flows_of(remote: str, sb: dict[str, object] | None = None) -> list[str]:
    from pyovn.ovsdb.client import SyncIdl

    idl = SyncIdl(remote, "OVN_Northbound")
    try:
        idl.wait_synced(20)
        return pyovn_flows(idl.tables, sb)  # type: ignore[arg-type]
    finally:
        idl.close()


def compare(want: list[str], got: list[str]) -> list[str]:
    """The differences, ``- real`` / ``+ pyovn``.  Flows are compared without their hints; then
    each real hint must be one pyovn writes for that flow content on some datapath (the real
    northd writes identical flows of several datapaths as one row, with the hint of the owner it
    met first; pyovn may keep another owner's)."""

    def split(line: str) -> tuple[str, str]:
        flow, _, hint = line.rpartition(" hint=")
        return flow, hint

    def content(flow: str) -> str:
        return flow.split(" ", 1)[1]

    w = [split(x) for x in want]
    g = [split(x) for x in got]
    wf, gf = {f for f, _ in w}, {f for f, _ in g}
    out = [f"- {f}" for f in sorted(wf - gf)] + [f"+ {f}" for f in sorted(gf - wf)]
    hints: dict[str, set[str]] = {}
    for f, h in g:
        hints.setdefault(content(f), set()).add(h)
    for f, h in w:
        if f in gf and h not in hints[content(f)]:
            out.append(f"  hint {h} of {f}: pyovn writes {sorted(hints[content(f)])}")
    return out


@pytest.mark.parametrize("name", _golden_names())
def test_golden(name: str, nb_server: object) -> None:
    got = _pyovn_flows_of(nb_server(GOLDEN / f"{name}.nb.db"))  # type: ignore[operator]
    want = (GOLDEN / f"{name}.flows").read_text().splitlines()
    problems = compare(want, got)
    assert not problems, "\n".join(problems)


# --- chassis features ------------------------------------------------------------------------------


class _Chassis:
    def __init__(self, name: str, **other_config: str) -> None:
        self.uuid = f"00000000-0000-0000-0000-{len(name):012d}"
        self.name = name
        self.hostname = name
        self.other_config = other_config
        self.external_ids: dict[str, str] = {}
        self.encaps: list[str] = []


# What the real northd 23.03.1 wrote for a02-stateful-ports' switch with one chassis in the SB,
# per chassis other_config (observed with ovn-sbctl chassis-add and lflow-list).
OLD_CHASSIS = [
    "sw ingress 110 ls_in_pre_stateful match=(reg0[2] == 1) action=(ct_lb;) hint=-",
    "sw ingress 65532 ls_in_acl match=(!ct.est && ct.rel && !ct.new && !ct.inv && "
    "ct_label.blocked == 0) action=(reg0[17] = 1; next;) hint=-",
    "sw egress 65532 ls_out_acl match=(!ct.est && ct.rel && !ct.new && !ct.inv && "
    "ct_label.blocked == 0) action=(next;) hint=-",
    "sw ingress 100 ls_in_stateful match=(reg0[1] == 1 && reg0[13] == 0) "
    "action=(ct_commit { ct_label.blocked = 0; }; next;) hint=-",
    "sw ingress 6 ls_in_acl_hint match=(!ct.new && ct.est && !ct.rpl && ct_label.blocked == 1) "
    "action=(reg0[7] = 1; reg0[9] = 1; next;) hint=-",
]
MASKED_ONLY = [
    "sw ingress 110 ls_in_pre_stateful match=(reg0[2] == 1) action=(ct_lb_mark;) hint=-",
    "sw ingress 65532 ls_in_acl match=(!ct.est && ct.rel && !ct.new && !ct.inv && "
    "ct_mark.blocked == 0) action=(reg0[17] = 1; next;) hint=-",
]


@pytest.mark.parametrize("chassis, expected, absent", [
    ([_Chassis("ch1")], OLD_CHASSIS, MASKED_ONLY),
    ([_Chassis("ch1", **{"ct-no-masked-label": "true"})], MASKED_ONLY, OLD_CHASSIS),
    # A remote chassis does not count, nor does one that has every feature.
    ([_Chassis("ch1", **{"is-remote": "true"}),
      _Chassis("ch22", **{"ct-no-masked-label": "true", "ovn-ct-lb-related": "true"})],
     [], OLD_CHASSIS + MASKED_ONLY[1:]),
], ids=["old", "no-masked-label-only", "remote-and-new"])
def test_chassis_features(chassis: list[_Chassis], expected: list[str], absent: list[str],
                          nb_server: object) -> None:
    name = "a02-stateful-ports"
    got = set(_pyovn_flows_of(nb_server(GOLDEN / f"{name}.nb.db"),  # type: ignore[operator]
                              {"Chassis": chassis}))
    assert not [x for x in expected if x not in got]
    assert not [x for x in absent if x in got]
    if not expected:  # every feature: the flows are those of no chassis at all
        want = (GOLDEN / f"{name}.flows").read_text().splitlines()
        assert not compare(want, sorted(got))


# --- incremental: the flags an ACL reads -----------------------------------------------------------


@pytest.fixture
def world(tmp_path: Path) -> Iterator[tuple[object, object]]:
    from pyovn.api import OvnNbApi
    from pyovn.testing.northd import NorthdRunner
    from pyovn.testing.wire import ServerProcess

    server = ServerProcess(
        tmp_path, [str(schemas.path("OVN_Northbound")), str(schemas.path("OVN_Southbound"))],
        extra=["--no-fsync"]).start()
    remote = f"unix:{server.sock}"
    api = OvnNbApi(remote, timeout=20)
    runner = NorthdRunner(remote, remote)
    try:
        yield api, runner
    finally:
        runner.close()
        api.close()
        server.stop()


def _check_incremental(runner: object) -> None:
    """The incrementally kept flows equal a full recompute's (the Southbound write itself is
    checked elsewhere: test_incremental.py)."""
    from pyovn.northd.engine import Engine

    async def check() -> None:
        n = runner.northd  # type: ignore[attr-defined]
        full = Engine(n.nb.tables, n.sb.tables)
        full.recompute()
        inc_flows, _ = n.engine.snapshot()
        full_flows, _ = full.snapshot()
        missing = {k: v for k, v in full_flows.items() if inc_flows.get(k) != v}
        extra = {k: v for k, v in inc_flows.items() if full_flows.get(k) != v}
        assert not missing and not extra, (missing, extra)

    runner._run(check())  # type: ignore[attr-defined]


def _acl_flows(runner: object, stage: str) -> set[tuple[int, str, str]]:
    engine = runner.northd.engine  # type: ignore[attr-defined]
    return {(f.priority, f.match, f.actions) for o in engine.outputs.values() for f in o.flows
            if f.stage.name == stage and 1000 <= f.priority < 34000}


def test_stateful_flip_rebuilds_acls(world: tuple[object, object]) -> None:
    """A drop ACL built while its switch is stateless is rebuilt when an allow-related ACL (then
    a load balancer alone) makes the switch stateful, and again when that goes."""
    api, runner = world
    api.ls_add("sw").execute()  # type: ignore[attr-defined]
    api.lsp_add("sw", "p1").execute()  # type: ignore[attr-defined]
    api.acl_add("sw", "from-lport", 100, "ip4", "drop").execute()  # type: ignore[attr-defined]
    runner.settle()  # type: ignore[attr-defined]
    assert _acl_flows(runner, "ls_in_acl") == {(1100, "ip4", "/* drop */")}
    api.acl_add("sw", "from-lport", 200, "tcp", "allow-related").execute()  # type: ignore[attr-defined]
    runner.settle()  # type: ignore[attr-defined]
    _check_incremental(runner)
    assert (1100, "reg0[9] == 1 && (ip4)", "/* drop */") in _acl_flows(runner, "ls_in_acl")
    api.lb_add("lb", "10.0.0.100:80", "10.0.0.11:80", "tcp").execute()  # type: ignore[attr-defined]
    api.ls_lb_add("sw", "lb").execute()  # type: ignore[attr-defined]
    api.acl_del("sw", "from-lport", 200, "tcp").execute()  # type: ignore[attr-defined]
    runner.settle()  # type: ignore[attr-defined]
    _check_incremental(runner)
    assert (1100, "reg0[9] == 1 && (ip4)", "/* drop */") in _acl_flows(runner, "ls_in_acl")
    api.ls_lb_del("sw", "lb").execute()  # type: ignore[attr-defined]
    runner.settle()  # type: ignore[attr-defined]
    _check_incremental(runner)
    assert _acl_flows(runner, "ls_in_acl") == {(1100, "ip4", "/* drop */")}


def _flows(runner: object, stage: str, priority: int) -> set[tuple[str, str]]:
    engine = runner.northd.engine  # type: ignore[attr-defined]
    return {(f.match, f.actions) for o in engine.outputs.values() for f in o.flows
            if f.stage.name == stage and f.priority == priority}


def test_dhcp_dns_qos_incremental(world: tuple[object, object]) -> None:
    """The DHCP-reply flows (port owners) follow the switch's statefulness; DNS records and QoS
    rules (the switch's rows) come and go."""
    api, runner = world
    a: Any = api
    a.ls_add("sw").execute()
    a.lsp_add("sw", "p1").execute()
    a.lsp_set_addresses("p1", ["50:54:00:00:00:01 10.0.0.11"]).execute()
    dhcp = a.dhcp_options_add("10.0.0.0/24").execute()
    a.dhcp_options_set_options(dhcp.uuid, server_id="10.0.0.1", server_mac="00:00:00:00:00:01",
                               lease_time="3600").execute()
    a.lsp_set_dhcpv4_options("p1", dhcp.uuid).execute()
    runner.settle()  # type: ignore[attr-defined]
    reply = ('outport == "p1" && eth.src == 00:00:00:00:00:01 && ip4.src == 10.0.0.1 && udp && '
             "udp.src == 67 && udp.dst == 68")
    assert _flows(runner, "ls_out_acl", 34000) == {(reply, "next;")}
    a.acl_add("sw", "to-lport", 100, "tcp", "allow-related").execute()
    dns = a.db_create("DNS", records={"a.org": "10.0.0.11"}).execute()
    a.db_add("Logical_Switch", "sw", "dns_records", dns).execute()
    # QoS is not a root table: inserted and referenced in one transaction.
    res = a.idl.transact([
        {"op": "insert", "table": "QoS", "uuid-name": "q",
         "row": {"direction": "from-lport", "priority": 10, "match": "ip4",
                 "action": ["map", [["dscp", 12]]], "bandwidth": ["map", [["rate", 100]]]}},
        {"op": "mutate", "table": "Logical_Switch", "where": [["name", "==", "sw"]],
         "mutations": [["qos_rules", "insert", ["named-uuid", "q"]]]}])
    qos = res[0]["uuid"][1]
    a.idl.sync()
    runner.settle()  # type: ignore[attr-defined]
    _check_incremental(runner)
    assert _flows(runner, "ls_out_acl", 34000) == {
        (reply, "ct_commit; next;"), ("udp.src == 53", "ct_commit; next;"),
        ("eth.src == $svc_monitor_mac", "next;")}
    assert _flows(runner, "ls_in_qos_mark", 10) == {("ip4", "ip.dscp = 12; next;")}
    assert _flows(runner, "ls_in_qos_meter", 10) == {("ip4", "set_meter(100); next;")}
    a.db_set("QoS", qos, ("bandwidth", {"rate": 100, "burst": 7})).execute()
    a.acl_del("sw").execute()
    runner.settle()  # type: ignore[attr-defined]
    _check_incremental(runner)
    assert _flows(runner, "ls_out_acl", 34000) == {(reply, "next;"), ("udp.src == 53", "next;")}
    assert _flows(runner, "ls_in_qos_meter", 10) == {("ip4", "set_meter(100, 7); next;")}
    a.db_remove("Logical_Switch", "sw", "qos_rules", qos).execute()
    a.db_destroy("DNS", dns).execute()
    a.lsp_set_type("p1", "external").execute()
    runner.settle()  # type: ignore[attr-defined]
    _check_incremental(runner)
    assert not _flows(runner, "ls_out_acl", 34000)
    assert not _flows(runner, "ls_in_qos_meter", 10)


if __name__ == "__main__":
    if sys.argv[1:2] == ["--regen"]:
        regenerate()
    elif sys.argv[1:2] == ["--diff"]:
        import tempfile

        from pyovn.testing.wire import ServerProcess

        for name in sys.argv[2:]:
            with tempfile.TemporaryDirectory() as d:
                srv = ServerProcess(Path(d), [str(schemas.path("OVN_Northbound"))], create=False)
                shutil.copyfile(GOLDEN / f"{name}.nb.db", srv.dbs[0])
                srv.start()
                try:
                    got = set(_pyovn_flows_of(f"unix:{srv.sock}"))
                finally:
                    srv.stop()
            want = (GOLDEN / f"{name}.flows").read_text().splitlines()
            problems = compare(want, sorted(got))
            print("\n".join(problems))
            print(f"{name}: {len(want)} real, {len(got)} pyovn, {len(problems)} differences")
    else:
        print(__doc__)
