"""The Southbound rows northd writes besides logical flows (pyovn.northd.nodes, ipam, idlorder).

* Unit tests (no binaries): IPAM and tag allocation, the IDL row order behind tunnel keys,
  shared rows in the row table, BFD status — expected values are what ovn-northd 23.03.1 wrote
  for the same input (topologies 04, 05, 24, 32, 37, 23 of ``topologies/`` and the
  ``nodes_topologies/`` ones).
* Incremental (pyovn's server only): every ``nodes_topologies/`` file replayed line by line;
  after each line the incrementally kept rows of these tables equal a full recompute, and the
  Southbound holds them.
* Interop: every topology (shared and ``nodes_topologies/``) through ``sbdiff.py``, these
  tables only: no difference at all, tunnel keys included.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from pyovn.northd.idlorder import datapaths_order, idl_order
from pyovn.northd.ipam import eui64, nb_port_updates, parse_dynamic, parse_exclude_ips
from pyovn.northd.nodes.misc import bfd_nb_status
from pyovn.northd.output import RowTable, SbRow

HERE = Path(__file__).resolve().parent
NODES_TOPOLOGIES = HERE / "nodes_topologies"

# The sbdump sections of the tables these builders write.
SECTIONS = (
    "Datapath_Binding", "Port_Binding", "Gateway_Chassis", "HA_Chassis_Group", "HA_Chassis",
    "Multicast_Group", "Address_Set", "Port_Group", "Static_MAC_Binding", "IP_Multicast",
    "SB_Global", "Meter", "RBAC_Role", "RBAC_Permission", "Chassis_Template_Var", "BFD",
    "Mirror", "tunnel_keys", "NB_writeback",
)
SB_TABLES = (
    "SB_Global", "Datapath_Binding", "Port_Binding", "HA_Chassis_Group", "Multicast_Group",
    "Address_Set", "Port_Group", "Static_MAC_Binding", "IP_Multicast", "Meter", "RBAC_Role",
    "RBAC_Permission", "Chassis_Template_Var", "BFD", "Mirror",
)


# --- fake NB tables for the pure functions --------------------------------------------------


class Table(dict):
    """uuid -> row, iterable over rows (what the NB replica's tables offer)."""

    def __iter__(self) -> Iterator[Any]:  # type: ignore[override]
        return iter(list(self.values()))


def _uuid(n: int) -> str:
    return f"{n:08x}-0000-4000-8000-000000000000"


def nb_tables(mac_prefix: str, switches: list[dict[str, Any]]) -> dict[str, Table]:
    """NB tables from ``[{other_config, ports: [{name, addresses, ...}]}]``; uuids in order."""
    lsps, lss = Table(), Table()
    n = 0
    for sw in switches:
        ports = []
        for p in sw["ports"]:
            n += 1
            row = SimpleNamespace(uuid=p.get("uuid", _uuid(n)), name=p["name"], type=p.get("type", ""),
                                  options=p.get("options", {}), addresses=p.get("addresses", []),
                                  dynamic_addresses=p.get("dynamic_addresses", []),
                                  parent_name=p.get("parent_name", []),
                                  tag_request=p.get("tag_request", []), tag=p.get("tag", []))
            lsps[row.uuid] = row
            ports.append(row.uuid)
        n += 1
        ls = SimpleNamespace(uuid=sw.get("uuid", _uuid(n)), name=sw.get("name", f"ls{n}"),
                             other_config=sw.get("other_config", {}), ports=ports)
        lss[ls.uuid] = ls
    g = SimpleNamespace(uuid=_uuid(0xFFFF), options={"mac_prefix": mac_prefix})
    return {"NB_Global": Table({g.uuid: g}), "Logical_Switch": lss, "Logical_Switch_Port": lsps,
            "Logical_Router_Port": Table()}


def _names(nb: dict[str, Table], updates: dict[str, dict[str, Any]], col: str) -> dict[str, Any]:
    lsps = nb["Logical_Switch_Port"]
    return {lsps[u].name: cols[col] for u, cols in updates.items() if col in cols}


# --- unit: IPAM -----------------------------------------------------------------------------


def test_ipam_ipv4_as_real_northd() -> None:
    # topologies/04-ipam-ipv4.sh: the real northd's dynamic_addresses (ports in uuid order).
    nb = nb_tables("0a:58:a8", [
        {"other_config": {"subnet": "192.168.10.0/24",
                          "exclude_ips": "192.168.10.1..192.168.10.9 192.168.10.100"},
         "ports": [
             {"name": "p1", "addresses": ["dynamic"]},
             {"name": "p2", "addresses": ["0a:00:00:00:00:02 dynamic"]},
             {"name": "p3", "addresses": ["dynamic 192.168.10.50"]},
             {"name": "p4", "addresses": ["50:54:00:00:00:04 192.168.10.10"]},
             {"name": "p5", "addresses": ["dynamic"]},
         ]},
        {"ports": [{"name": "q1", "addresses": ["dynamic"]}]},
    ])
    got = _names(nb, nb_port_updates(nb), "dynamic_addresses")
    assert got == {
        "p1": "0a:58:a8:a8:0a:0c 192.168.10.11",
        "p2": "0a:00:00:00:00:02 192.168.10.12",
        "p3": "0a:58:a8:a8:0a:33 192.168.10.50",
        "p5": "0a:58:a8:a8:0a:0e 192.168.10.13",
    }


def test_ipam_ipv6_and_mac_only_as_real_northd() -> None:
    # topologies/05-ipam-ipv6.sh with the uuids of one run of it: the real northd walked the
    # switches maconly, v6, dual (its map of datapaths) and dual's ports in uuid order.
    nb = nb_tables("0a:00:00", [
        {"uuid": "98689e52-c30e-40c0-b3d1-ff0b158368e6", "other_config": {"ipv6_prefix": "fd00:aaaa::"},
         "ports": [{"name": "v6-p1", "addresses": ["dynamic"]},
                   {"name": "v6-p2", "addresses": ["0a:00:00:00:10:02 dynamic"]}]},
        {"uuid": "3e47580f-046b-427f-bfc5-fcd70cfa981a",
         "other_config": {"subnet": "172.16.1.0/24", "ipv6_prefix": "fd00:bbbb::"},
         "ports": [{"name": "dual-p1", "addresses": ["dynamic"],
                    "uuid": "d88d31f5-8e88-4fb2-801d-2ff7eb0e800c"},
                   {"name": "dual-p2", "addresses": ["dynamic"],
                    "uuid": "c55ec468-dfdf-4d43-8e4f-b3619afc23fa"}]},
        {"uuid": "3b14a475-e3d0-4dbf-9923-f544502c0bff", "other_config": {"mac_only": "true"},
         "ports": [{"name": "mo-p1", "addresses": ["dynamic"]}]},
    ])
    got = _names(nb, nb_port_updates(nb), "dynamic_addresses")
    assert got == {
        "mo-p1": "0a:00:00:00:00:01",
        "v6-p1": "0a:00:00:00:00:02 fd00:aaaa::800:ff:fe00:2",
        "v6-p2": "0a:00:00:00:10:02 fd00:aaaa::800:ff:fe00:1002",
        "dual-p1": "0a:00:00:10:01:04 172.16.1.3 fd00:bbbb::800:ff:fe10:104",
        "dual-p2": "0a:00:00:10:01:03 172.16.1.2 fd00:bbbb::800:ff:fe10:103",
    }


def test_datapaths_order_as_real_northd() -> None:
    # IPAM walks switches and routers together (5 mac_only switches, 6 routers; the MACs
    # :01.. went to s1, s3, s2, s5, s4 in one run of the real northd).
    rows = [SimpleNamespace(uuid=_uuid(i), name=f"s{i}") for i in (4, 1, 7)]
    routers = [SimpleNamespace(uuid=_uuid(i), name=f"r{i}") for i in (2, 6)]
    order = [r.name for r in datapaths_order(rows, routers)]
    # uuid hash & mask (5 datapaths: mask 3): 4->0, 1->1, 2->2, 6->2 (newer first), 7->3.
    assert order == ["s4", "s1", "r6", "r2", "s7"]


def test_ipam_existing_addresses_as_real_northd() -> None:
    # nodes_topologies/n07-ipam-existing.sh (one switch of it).
    nb = nb_tables("0a:11:22", [
        {"other_config": {"subnet": "10.7.0.0/24", "ipv6_prefix": "fd07::",
                          "exclude_ips": "10.7.0.2..10.7.0.5 10.7.0.9"},
         "ports": [
             {"name": "keep", "addresses": ["dynamic"],
              "dynamic_addresses": ["0a:11:22:07:00:0b 10.7.0.10 fd07::811:22ff:fe07:b"]},
             {"name": "outside", "addresses": ["dynamic"],
              "dynamic_addresses": ["0a:11:22:08:00:0b 10.8.0.10 fd07::811:22ff:fe08:b"]},
             {"name": "foreign", "addresses": ["dynamic"],
              "dynamic_addresses": ["0e:00:00:07:00:0c 10.7.0.11 fd07::c00:ff:fe07:c"]},
             {"name": "stale6", "addresses": ["dynamic"],
              "dynamic_addresses": ["0a:11:22:07:00:0d 10.7.0.12 fd99::1"]},
             {"name": "nomore", "addresses": ["50:54:00:00:07:01 10.7.0.20"],
              "dynamic_addresses": ["0a:11:22:07:00:15 10.7.0.21"]},
             {"name": "fixedmac", "addresses": ["0a:00:00:00:00:77 dynamic"],
              "dynamic_addresses": ["0a:11:22:07:00:11 10.7.0.16 fd07::811:22ff:fe07:11"]},
             {"name": "fresh1", "addresses": ["dynamic"]},
         ]},
    ])
    got = _names(nb, nb_port_updates(nb), "dynamic_addresses")
    assert got == {
        "outside": "0a:11:22:08:00:0b 10.7.0.6 fd07::811:22ff:fe08:b",
        "foreign": "0a:11:22:07:00:0c 10.7.0.11 fd07::811:22ff:fe07:c",
        "nomore": None,
        "fixedmac": "0a:00:00:00:00:77 10.7.0.16 fd07::800:ff:fe00:77",
        "fresh1": "0a:11:22:07:00:08 10.7.0.7 fd07::811:22ff:fe07:8",
    }


def test_ipam_is_stable() -> None:
    nb = nb_tables("0a:58:a8", [
        {"other_config": {"subnet": "10.0.0.0/29", "ipv6_prefix": "fd00::"},
         "ports": [{"name": f"p{i}", "addresses": ["dynamic"]} for i in range(8)]},
    ])
    ups = nb_port_updates(nb)
    for u, cols in ups.items():
        nb["Logical_Switch_Port"][u].dynamic_addresses = [cols["dynamic_addresses"]]
    # A /29 has 5 addresses to give (.2-.6): the rest get a MAC and IPv6 only.
    ips = [v.split()[1] for v in _names(nb, ups, "dynamic_addresses").values() if "." in v]
    assert ips == ["10.0.0.2", "10.0.0.3", "10.0.0.4", "10.0.0.5", "10.0.0.6"]
    assert nb_port_updates(nb) == {}


def test_tags_as_real_northd() -> None:
    # nodes_topologies/n07-ipam-existing.sh's containers.
    nb = nb_tables("0a:11:22", [{"ports": [
        {"name": "parent", "addresses": ["50:54:00:00:17:01"]},
        {"name": "kid1", "parent_name": ["parent"], "tag_request": [0], "tag": [5]},
        {"name": "kid2", "parent_name": ["parent"], "tag_request": [0]},
        {"name": "kid3", "parent_name": ["parent"], "tag_request": [0]},
        {"name": "kid4", "parent_name": ["parent"], "tag_request": [7]},
        {"name": "kid5", "parent_name": ["parent"], "tag_request": [3], "tag": [9]},
        {"name": "ln", "type": "localnet", "tag_request": [100]},
    ]}])
    assert _names(nb, nb_port_updates(nb), "tag") == {
        "kid2": 1, "kid3": 2, "kid4": 7, "kid5": 3, "ln": 100}


def test_ipam_parsing() -> None:
    assert parse_dynamic("dynamic") is not None
    assert parse_dynamic("0a:00:00:00:00:01 dynamic").mac == 0x0A0000000001  # type: ignore[union-attr]
    d = parse_dynamic("dynamic 10.0.0.5 fd00::5")
    assert d is not None and str(d.ip4) == "10.0.0.5" and str(d.ip6) == "fd00::5"
    assert parse_dynamic("0a:00:00:00:00:01 10.0.0.1") is None
    assert parse_dynamic("dynamic junk") is None
    assert parse_exclude_ips("10.0.0.1..10.0.0.3 10.0.0.9 bad 10.0.0.20") == [
        (0x0A000001, 0x0A000003), (0x0A000009, 0x0A000009)]
    import ipaddress

    assert str(eui64(0x0A0000100104, ipaddress.IPv6Address("fd00:bbbb::"))) == \
        "fd00:bbbb::800:ff:fe10:104"


# --- unit: the order behind tunnel keys -----------------------------------------------------


@pytest.mark.parametrize("names_uuids", [
    # (name, uuid) in the order the real northd gave them keys 1, 2, ... (cached topologies).
    [("sw0", "c4f448a0-0241-43db-9607-71a29a75ee14"), ("sw1", "6834e540-1e3a-4f92-876b-fe0201e0002a")],
    [("public", "256a004a-86ca-4a21-ae5f-b8ab5134e5e4"), ("sw0", "0ed347ee-ada1-4f9e-9cbd-f67f974c4f8d")],
    [("int", "91aa8453-e9cf-4d33-babd-1dceeab5097d"), ("ext", "05c1ea47-3b86-4770-91d7-759bf0bf4e44")],
    [("maconly", "3b14a475-e3d0-4dbf-9923-f544502c0bff"), ("v6", "98689e52-c30e-40c0-b3d1-ff0b158368e6"),
     ("dual", "3e47580f-046b-427f-bfc5-fcd70cfa981a")],
    [("sw1", "1cb21228-02a9-4e84-89a6-ab051afbe614"), ("sw3", "544a8489-72f9-40ab-bdd7-44a84a061aaa"),
     ("sw2", "bdeddf35-8e5a-4755-88f0-e80e240ec022")],
    [("sw3", "47044a30-a733-47d0-9b30-c7723e2fea95"), ("sw1", "bb9d210e-ad25-451f-945d-11eb828ee1bd"),
     ("sw0", "f37bc53e-3f60-4b32-8fed-a65bc1db2576"), ("sw2", "db6272b2-ba40-4560-9cfa-62817e265950")],
])
def test_idl_order_as_real_northd(names_uuids: list[tuple[str, str]]) -> None:
    rows = [SimpleNamespace(name=n, uuid=u) for n, u in names_uuids]
    assert [r.name for r in idl_order(sorted(rows, key=lambda r: r.name))] == \
        [n for n, _ in names_uuids]


# --- unit: rows several owners want -----------------------------------------------------------


def test_c_integer_parsers() -> None:
    """atoi (put_nd_ra_opts's mtu) reads the leading digits; smap_get_int (the Port_Binding's
    ipv6_ra_* options) wants the whole value, as the real northd showed (n12-lenient-parsers)."""
    from pyovn.northd.cnum import atoi, smap_get_int, str_to_int

    assert [atoi(s) for s in ("1400abc", " 1500", "1300 ", "1_400", "+7", "-3x", "x1", "")] \
        == [1400, 1500, 1300, 1, 7, -3, 0, 0]
    assert [str_to_int(s) for s in ("1400abc", " 1500", "1300 ", "1_400", "+7", "", "2147483648")] \
        == [None, 1500, None, None, 7, None, None]
    assert smap_get_int({"mtu": "1400abc"}, "mtu", 0) == 0
    assert smap_get_int({"mtu": "1400"}, "mtu", 0) == 1400
    assert smap_get_int({}, "mtu", 5) == 5


def test_c_boolean_and_address_scanners() -> None:
    """smap_get_bool is case-insensitive ("TRUE"); extract_lsp_addresses (nat-addresses) only
    needs a MAC first; extract_ip_address (force-SNAT IPs) wants at most one host address per
    family, junk after them ignored (n13-lenient-parsers-2)."""
    from pyovn.northd.addresses import scans_as_lsp_address
    from pyovn.northd.cnum import smap_get_bool
    from pyovn.northd.pipelines.lr_nat_ip import extract_ip_address

    m = {"a": "TRUE", "b": "True", "c": "yes", "d": "FALSE", "e": "", "f": "true "}
    assert [smap_get_bool(m, k) for k in "abcdefg"] == [True, True, False, False, False, False,
                                                        False]
    assert [smap_get_bool(m, k, True) for k in "abcdefg"] == [True, True, True, False, True,
                                                              True, True]
    assert scans_as_lsp_address("00:00:00:00:51:99 172.51.0.99 junk")
    assert scans_as_lsp_address("00:00:00:00:52:99junk")
    assert scans_as_lsp_address(" 0:0:0:0:0:0x1")
    assert not scans_as_lsp_address('"00:00:00:00:51:99 172.51.0.99"')
    assert not scans_as_lsp_address("00:00:00:00:51")
    assert not scans_as_lsp_address("0x:00:00:00:00:01")
    assert extract_ip_address("172.51.0.100 junk") == ("172.51.0.100", None)
    assert extract_ip_address("172.51.0.101/32 FD51::101 junk") == ("172.51.0.101", "fd51::101")
    assert extract_ip_address("172.51.0.110 172.51.0.111") is None
    assert extract_ip_address("fd51::1 fd51::2") is None
    assert extract_ip_address("172.51.0.0/24") is None
    assert extract_ip_address("router_ip") is None


def test_row_table_counts_owners() -> None:
    t = RowTable()
    a = SbRow("HA_Chassis_Group", "g", {"name": "g", "ha_chassis": frozenset()})
    b = SbRow("HA_Chassis_Group", "g", {"name": "g", "ha_chassis": frozenset()})
    t.add([a])
    t.add([b])
    t.remove([a])
    assert t.get("HA_Chassis_Group", "g") == b
    t.remove([b])
    assert t.get("HA_Chassis_Group", "g") is None
    # Two owners briefly wanting different versions: the row follows the one still wanted.
    old = SbRow("Meter", "m", {"unit": "pktps"})
    new = SbRow("Meter", "m", {"unit": "kbps"})
    t.add([old, old])
    t.remove([old])
    t.add([new])
    assert t.get("Meter", "m") == new
    t.remove([new])
    assert t.get("Meter", "m") == old


def test_bfd_status() -> None:
    assert bfd_nb_status(None, None, monitored=True) == "down"
    assert bfd_nb_status(None, None, monitored=False) == "admin_down"
    assert bfd_nb_status("down", "up", monitored=True) == "up"
    assert bfd_nb_status("admin_down", "up", monitored=True) == "admin_down"
    assert bfd_nb_status("down", "admin_down", monitored=True) == "down"


# --- incremental ------------------------------------------------------------------------------


def _nbctl() -> list[str]:
    real = shutil.which("ovn-nbctl")
    return [real] if real else [sys.executable, "-m", "pyovn", "nbctl"]


def _check_rows(runner: Any) -> None:
    """This module's tables: incremental rows == a full recompute, and the SB holds them."""
    from pyovn.northd.engine import Engine

    async def check() -> None:
        n = runner.northd
        full = Engine(n.nb.tables, n.sb.tables)
        full.recompute()
        inc_rows = {k: v for k, v in n.engine.snapshot()[1].items() if k[0] in SB_TABLES}
        full_rows = {k: v for k, v in full.snapshot()[1].items() if k[0] in SB_TABLES}
        diff = sorted((k for k in set(inc_rows) | set(full_rows)
                       if inc_rows.get(k) != full_rows.get(k)), key=repr)
        assert not diff, f"{diff[0]}: incremental {inc_rows.get(diff[0])} full {full_rows.get(diff[0])}"
        dirty = set(n.engine.rows.dirty)
        ops = [op for op in n.writer.row_ops(n.engine.rows, True)
               if op.get("table") in SB_TABLES and op.get("table") != "SB_Global"]
        n.engine.rows.dirty |= dirty
        assert not ops, f"Southbound differs from the desired rows: {ops[:2]}"

    runner._run(check())


@pytest.mark.timeout(300)
@pytest.mark.parametrize("name", sorted(p.stem for p in NODES_TOPOLOGIES.glob("*.sh")))
def test_incremental_equals_full(name: str, tmp_path: Path) -> None:
    from pyovn import schemas
    from pyovn.testing.northd import NorthdRunner
    from pyovn.testing.wire import ServerProcess

    topology = _sbdiff()[1].Topology.load(NODES_TOPOLOGIES / f"{name}.sh")
    server = ServerProcess(
        tmp_path, [str(schemas.path("OVN_Northbound")), str(schemas.path("OVN_Southbound"))],
        extra=["--no-fsync"]).start()
    remote = f"unix:{server.sock}"
    try:
        subprocess.run([*_nbctl(), f"--db={remote}", "init"], check=True, capture_output=True)
        with NorthdRunner(remote, remote) as runner:
            runner.settle()
            for _, argv in topology.commands:
                r = subprocess.run([*_nbctl(), f"--db={remote}", *argv], capture_output=True,
                                   text=True, timeout=30)
                assert r.returncode == 0, f"{argv}: {r.stderr}"
                runner.settle()
                _check_rows(runner)
    finally:
        server.stop()


# --- interop ------------------------------------------------------------------------------------


def _sbdiff() -> tuple[Any, Any]:
    """The modules ``sbdiff`` and ``sbsides``."""
    if str(HERE) not in sys.path:
        sys.path.insert(0, str(HERE))
    import sbdiff
    import sbsides

    return sbdiff, sbsides


def _interop_topologies() -> list[Path]:
    return sorted((HERE / "topologies").glob("*.sh")) + sorted(NODES_TOPOLOGIES.glob("*.sh"))


@pytest.mark.interop
@pytest.mark.timeout(120)
@pytest.mark.parametrize("path", _interop_topologies(), ids=lambda p: p.stem)
def test_rows_identical_to_real_northd(path: Path) -> None:
    from pyovn.testing.real import require_real

    reason = require_real("ovsdb-server", "ovsdb-tool", "ovn-nbctl", "ovsdb-client", "ovn-northd")
    if reason is not None:
        pytest.skip(reason)
    sbdiff, sbsides = _sbdiff()
    topo = sbsides.Topology.load(path)
    cmp = sbdiff.compare_topology(topo, sbsides.Options(only=SECTIONS))
    diffs = [s for s in cmp.sections if s.name != "Logical_Flow" and (s.missing or s.extra)]
    if diffs or cmp.errors:
        pytest.fail(f"{cmp.summary()}\n" + "\n".join(cmp.report(150)), pytrace=False)
