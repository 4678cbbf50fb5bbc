"""NAT flows of logical routers (pyovn.northd.pipelines.lr_nat) against the real ovn-northd 23.03.1.

Golden data in ``tests/northd/lr_nat/``, one set per topology ``NN-name``:

* ``NN-name.sh``: the ``ovn-nbctl`` lines (sbdiff's topology format);
* ``NN-name.nb.db``: the Northbound the real northd ran on (compacted), so pyovn sees the very
  same rows and uuids (which rule wins when two rules make the same flow depends on them);
* ``NN-name.flows``: the real northd's NAT flows, one per line
  ``DATAPATH PIPELINE PRIORITY STAGE match=(..) action=(..) hint=8HEX|-``.

The tests serve the ``.nb.db`` with pyovn's ovsdb-server, build the model from an IDL replica,
run only lr_nat's builders, and compare the same selection of flows.  ``python
tests/northd/test_lr_nat.py --regen`` runs the real northd (through sbdiff's cache) and rewrites
the golden files.

Which flows are NAT flows: every flow of the NAT stages (unsnat, defrag, dnat, chk_dnat_local,
undnat, post_undnat, snat, post_snat, egr_loop) and the flows of admission, ip_input,
arp_resolve and gw_redirect that carry a NAT row's stage-hint, plus the stateless-NAT
gw_redirect flows (priorities 70/75, hinted by the port or not at all).  The router-wide
``ct_mark.natted`` flow is one Southbound row shared by all NAT routers, hinted by whichever
router the real northd visited first: its hint is not compared.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import golden  # tests/northd/golden.py
import pytest

from pyovn.northd.context import BuildContext
from pyovn.northd.entities import RouterPort
from pyovn.northd.model import Model
from pyovn.northd.pipelines import lr_nat
from pyovn.northd.pipelines.lr_nat_ip import (
    cidr_bits_v4,
    cidr_bits_v6,
    extract_ips,
    parse_v4_masked,
    parse_v6_masked,
)

HERE = Path(__file__).resolve().parent
GOLDEN = HERE / "lr_nat"

NAT_STAGES = re.compile(
    r"^lr_(in_(unsnat|defrag|dnat)|out_(chk_dnat_local|undnat|post_undnat|snat|post_snat|egr_loop))$")
SHARED_STAGES = {"lr_in_admission", "lr_in_ip_input", "lr_in_arp_resolve", "lr_in_gw_redirect"}
NATTED = re.compile(r"match=\(ip && ct_(mark|label)\.natted == 1\)")


def _golden_names() -> list[str]:
    return sorted(p.name[:-len(".flows")] for p in GOLDEN.glob("*.flows"))


def _is_nat_flow(stage: str, priority: int, match: str, hint_table: str | None) -> bool:
    if NAT_STAGES.match(stage):
        return True
    if stage not in SHARED_STAGES:
        return False
    if hint_table == "NAT":
        return True
    return stage == "lr_in_gw_redirect" and priority in (70, 75) and (
        "src == $" in match or match.startswith("ip && ip"))


def _line(dp: str, pipeline: str, priority: int, stage: str, match: str, actions: str,
          hint: str | None) -> str:
    line = f"{dp} {pipeline} {priority} {stage} match=({match}) action=({actions})"
    if NATTED.search(line):
        return f"{line} hint=<router>"
    return f"{line} hint={hint or '-'}"


# --- pyovn's side ----------------------------------------------------------------------------------


def _hint_tables(nb: dict[str, object]) -> dict[str, str]:
    out: dict[str, str] = {}
    for name, table in nb.items():
        for row in table:  # type: ignore[attr-defined]
            out[row.uuid[:8]] = name
    return out


def pyovn_flows(nb: dict[str, object]) -> list[str]:
    """lr_nat's flows for every router of the Northbound ``nb`` (table name -> replica)."""
    model = Model(nb, {})
    model.build()
    ctx = BuildContext(model)
    tables = _hint_tables(nb)
    out: list[str] = []
    flows = []
    for lr in model.routers.values():
        flows.extend(lr_nat.lr_nat(ctx, lr))
        for p in lr.ports.values():
            if isinstance(p, RouterPort):
                flows.extend(lr_nat.lr_nat_router_ip_snat(ctx, p))
    for f in set(flows):
        dp = model.datapath(f.dp)
        assert dp is not None
        if _is_nat_flow(f.stage.name, f.priority, f.match, tables.get(f.hint or "")):
            out.append(_line(dp.name, f.stage.pipeline, f.priority, f.stage.name, f.match,
                             f.actions, f.hint))
    return sorted(out)


# --- the real northd's side (golden generation) -----------------------------------------------------


def real_flows(sb_json: str, nb_json: str) -> list[str]:
    sb = golden.dump_tables(sb_json)
    nb = golden.dump_tables(nb_json)
    hint_tables = {golden.uuid_of(r["_uuid"])[:8]: t for t, rows in nb.items() for r in rows}
    datapaths = golden.flow_datapaths(sb)
    out = []
    for r in sb["Logical_Flow"]:
        ids = golden.map_of(r["external_ids"])
        stage = ids.get("stage-name", "?")
        hint = ids.get("stage-hint")
        prio = int(r["priority"])  # type: ignore[call-overload]
        match, actions = str(r["match"]), str(r["actions"])
        if not stage.startswith("lr_"):
            continue
        if not _is_nat_flow(stage, prio, match, hint_tables.get(hint or "")):
            continue
        pipeline = "ingress" if r["pipeline"] == "ingress" else "egress"
        for dp in datapaths(r):
            out.append(_line(dp, pipeline, prio, stage, match, actions, hint))
    return sorted(out)


def regenerate() -> None:
    """Run the real northd on every ``lr_nat/*.sh`` (through sbdiff's recordings), write goldens."""
    for sh in sorted(GOLDEN.glob("*.sh")):
        golden.record(sh, GOLDEN, lambda e: real_flows((e / "sb.json").read_text(),
                                                        (e / "nb_pre.json").read_text()))


# --- tests ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", _golden_names())
def test_golden(name: str, nb_server: object) -> None:
    from pyovn.ovsdb.client import SyncIdl

    remote = nb_server(GOLDEN / f"{name}.nb.db")  # type: ignore[operator]
    idl = SyncIdl(remote, "OVN_Northbound")
    try:
        idl.wait_synced(20)
        got = pyovn_flows(idl.tables)  # type: ignore[arg-type]
    finally:
        idl.close()
    want = (GOLDEN / f"{name}.flows").read_text().splitlines()
    missing = sorted(set(want) - set(got))
    extra = sorted(set(got) - set(want))
    assert not missing and not extra, (
        "\n".join(["missing (real northd has them):", *missing, "extra (pyovn only):", *extra]))


# --- address parsing as OVS does it ------------------------------------------------------------


@pytest.mark.parametrize("text, expect", [
    ("10.0.0.1", (0x0A000001, 0xFFFFFFFF)),
    ("10.0.0.0/24", (0x0A000000, 0xFFFFFF00)),
    ("10.0.0.5/24", (0x0A000005, 0xFFFFFF00)),
    ("10.0.0.0/255.255.0.0", (0x0A000000, 0xFFFF0000)),
    ("172.070.0.34", (0xAC460022, 0xFFFFFFFF)),  # scanf "%hhu": 070 is seventy
    (" 10.0.0.1", (0x0A000001, 0xFFFFFFFF)),  # leading blanks skipped
    ("10.0.0.1 ", None),  # trailing ones are not
    ("10.0.0.0/33", None),
    ("bogus", None),
    ("fd00::1", None),
])
def test_parse_v4_masked(text: str, expect: tuple[int, int] | None) -> None:
    assert parse_v4_masked(text) == expect


def test_parse_v6_masked() -> None:
    full = (1 << 128) - 1
    assert parse_v6_masked("fd00::1") == (0xFD00 << 112 | 1, full)
    assert parse_v6_masked("FD00::/64") == (0xFD00 << 112, full ^ ((1 << 64) - 1))
    assert parse_v6_masked("fd00::/ffff:ffff::") == (0xFD00 << 112, 0xFFFFFFFF << 96)
    assert parse_v6_masked("fd00::/129") is None
    assert parse_v6_masked("10.0.0.1") is None
    assert cidr_bits_v6(full) == 128 and cidr_bits_v6(0) == 0
    assert cidr_bits_v4(0xFFFFFF00) == 24 and cidr_bits_v4(0) == 0


def test_extract_ips() -> None:
    ips = extract_ips("172.070.0.34")
    assert ips is not None and [(a.addr, a.v6, a.plen) for a in ips] == [("172.70.0.34", False, 32)]
    ips = extract_ips("FDEE::0033/64 10.0.0.1")
    assert ips is not None and [a.addr for a in ips] == ["fdee::33", "10.0.0.1"]
    # northd stops at the first word that is not an address and keeps what it has read.
    ips = extract_ips("10.0.0.1x")
    assert ips is not None and [a.addr for a in ips] == ["10.0.0.1"]
    ips = extract_ips("172.50.0.20 junk fd00::1")
    assert ips is not None and [a.addr for a in ips] == ["172.50.0.20"]
    assert extract_ips("junk 10.0.0.1") is None
    assert extract_ips("") is None
    assert extract_ips("10.0.0.0/255.0.255.0") is None  # not a CIDR mask


if __name__ == "__main__":
    if sys.argv[1:] == ["--regen"]:
        regenerate()
    else:
        print(__doc__)
