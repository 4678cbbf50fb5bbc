"""A rich topology built with the real OVN (ovsdb-server, ovn-northd, ovn-nbctl, ovn-sbctl).

``RealOvn`` starts an NB and an SB ovsdb-server and ovn-northd on unix sockets in a temporary
directory and stops exactly the processes it started (by pid).  ``build_topology`` fills the NB
with switches, routers, ACLs with port groups and address sets, NAT of every kind on a gateway
router and on a distributed gateway port, load balancers (IPv4, IPv6, UDP, affinity, health
check), DHCPv4/v6 options, IPv6 RA, DNS, QoS, policies, ECMP routes, multicast and special port
types, so northd emits most of its flow builders.  ``dump_sb`` returns the Southbound tables the
flow language needs as plain JSON-able data.

Run as a script to print a summary:  python tests/logical/real_topology.py [out.json]
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

NB_SCHEMA = "/usr/share/ovn/ovn-nb.ovsschema"
SB_SCHEMA = "/usr/share/ovn/ovn-sb.ovsschema"
BINARIES = ("ovsdb-server", "ovsdb-tool", "ovn-nbctl", "ovn-sbctl", "ovn-northd")


def missing_binaries() -> list[str]:
    """The real OVN/OVS programs this module needs that are not installed."""
    missing = [b for b in BINARIES if shutil.which(b) is None]
    if not os.path.exists(NB_SCHEMA) or not os.path.exists(SB_SCHEMA):
        missing.append("OVN schemas in /usr/share/ovn")
    return missing


class RealOvn:
    """NB + SB ovsdb-servers and ovn-northd in a temporary directory (a context manager)."""

    def __init__(self) -> None:
        self.dir = Path(tempfile.mkdtemp(prefix="pyovn-real-"))
        self.nb = f"unix:{self.dir}/nb.sock"
        self.sb = f"unix:{self.dir}/sb.sock"
        self._pidfiles: list[Path] = []

    def __enter__(self) -> RealOvn:
        try:
            self.start()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _run(self, *args: str, timeout: float = 60) -> str:
        p = subprocess.run(args, capture_output=True, text=True, timeout=timeout, cwd=self.dir)
        if p.returncode:
            raise RuntimeError(f"{' '.join(args)} failed ({p.returncode}): {p.stderr.strip()}")
        return p.stdout

    def start(self) -> None:
        d = self.dir
        for db, schema in (("nb", NB_SCHEMA), ("sb", SB_SCHEMA)):
            self._run("ovsdb-tool", "create", str(d / f"{db}.db"), schema)
            pidfile = d / f"{db}.pid"
            self._pidfiles.append(pidfile)
            self._run(
                "ovsdb-server",
                f"--remote=punix:{d}/{db}.sock",
                f"--unixctl={d}/{db}.ctl",
                f"--pidfile={pidfile}",
                f"--log-file={d}/{db}.log",
                "--detach",
                str(d / f"{db}.db"),
            )
        pidfile = d / "northd.pid"
        self._pidfiles.append(pidfile)
        self._run(
            "ovn-northd",
            f"--ovnnb-db={self.nb}",
            f"--ovnsb-db={self.sb}",
            f"--unixctl={d}/northd.ctl",
            f"--pidfile={pidfile}",
            f"--log-file={d}/northd.log",
            "--detach",
        )

    def stop(self) -> None:
        # Only the processes this object started, by the pids they wrote.
        for pidfile in reversed(self._pidfiles):
            try:
                pid = int(pidfile.read_text().strip())
            except (OSError, ValueError):
                continue
            try:
                os.kill(pid, signal.SIGTERM)
            except ProcessLookupError:
                continue
            for _ in range(50):
                try:
                    os.kill(pid, 0)
                except ProcessLookupError:
                    break
                time.sleep(0.05)
        self._pidfiles.clear()
        shutil.rmtree(self.dir, ignore_errors=True)

    def nbctl(self, *args: str) -> str:
        return self._run("ovn-nbctl", f"--db={self.nb}", *args)

    def sbctl(self, *args: str) -> str:
        return self._run("ovn-sbctl", f"--db={self.sb}", *args)


def build_topology(ovn: RealOvn) -> None:
    """Fills the NB (and registers chassis in the SB) with a topology using many features."""
    sb, nb = ovn.sbctl, ovn.nbctl
    sb("chassis-add", "chassis1", "geneve", "127.0.0.1")
    sb("chassis-add", "chassis2", "geneve", "127.0.0.2")

    cmds: list[list[str]] = [
        # Switch ls1: VMs with IPv4+IPv6, port security, DHCP, a localport, a virtual port.
        ["ls-add", "ls1"],
        [
            "set",
            "Logical_Switch",
            "ls1",
            "other_config:mcast_snoop=true",
            "other_config:mcast_querier=true",
        ],
        ["lsp-add", "ls1", "vm1"],
        ["lsp-set-addresses", "vm1", "00:00:00:00:01:11 10.0.1.11 fd01::11"],
        ["lsp-set-port-security", "vm1", "00:00:00:00:01:11 10.0.1.11 fd01::11"],
        ["lsp-add", "ls1", "vm2"],
        ["lsp-set-addresses", "vm2", "00:00:00:00:01:12 10.0.1.12 fd01::12"],
        ["lsp-set-port-security", "vm2", "00:00:00:00:01:12 10.0.1.12/24"],
        ["lsp-add", "ls1", "vm3"],
        ["lsp-set-addresses", "vm3", "unknown"],
        ["lsp-add", "ls1", "lp-meta"],
        ["lsp-set-type", "lp-meta", "localport"],
        ["lsp-set-addresses", "lp-meta", "00:00:00:00:01:fe 10.0.1.254"],
        ["lsp-add", "ls1", "vip"],
        ["lsp-set-type", "vip", "virtual"],
        ["lsp-set-addresses", "vip", "00:00:00:00:01:99 10.0.1.99"],
        [
            "set",
            "Logical_Switch_Port",
            "vip",
            "options:virtual-ip=10.0.1.99",
            "options:virtual-parents=vm1,vm2",
        ],
        # Switch ls2 with a VM, an external port and a port of a container (parent/tag).
        ["ls-add", "ls2"],
        ["lsp-add", "ls2", "vm4"],
        ["lsp-set-addresses", "vm4", "00:00:00:00:02:14 10.0.2.14"],
        ["lsp-add", "ls2", "vm5"],
        ["lsp-set-addresses", "vm5", "00:00:00:00:02:15 10.0.2.15 fd02::15"],
        ["lsp-add", "ls2", "cont1", "vm5", "42"],
        ["lsp-set-addresses", "cont1", "00:00:00:00:02:21 10.0.2.21"],
        ["lsp-add", "ls2", "ext1"],
        ["lsp-set-type", "ext1", "external"],
        ["lsp-set-addresses", "ext1", "00:00:00:00:02:31 10.0.2.31"],
        [
            "set",
            "Logical_Switch",
            "ls2",
            "other_config:subnet=10.0.2.0/24",
            "other_config:ipv6_prefix=fd02::",
        ],
        ["lsp-add", "ls2", "vm6"],
        ["lsp-set-addresses", "vm6", "dynamic"],
        # External switch with a localnet port.
        ["ls-add", "ls-ext"],
        ["lsp-add", "ls-ext", "ln-ext"],
        ["lsp-set-type", "ln-ext", "localnet"],
        ["lsp-set-addresses", "ln-ext", "unknown"],
        ["lsp-set-options", "ln-ext", "network_name=phys"],
        # Distributed router lr1 with a distributed gateway port.
        ["lr-add", "lr1"],
        ["set", "Logical_Router", "lr1", "options:mcast_relay=true"],
        ["lrp-add", "lr1", "lr1-ls1", "00:00:00:00:ff:01", "10.0.1.1/24", "fd01::1/64"],
        [
            "set",
            "Logical_Router_Port",
            "lr1-ls1",
            "ipv6_ra_configs:address_mode=dhcpv6_stateful",
            "ipv6_ra_configs:send_periodic=true",
            "ipv6_ra_configs:mtu=1400",
        ],
        ["lrp-add", "lr1", "lr1-ls2", "00:00:00:00:ff:02", "10.0.2.1/24", "fd02::1/64"],
        ["set", "Logical_Router_Port", "lr1-ls2", "ipv6_ra_configs:address_mode=slaac"],
        ["lrp-add", "lr1", "lr1-ext", "00:00:00:00:ff:03", "172.16.0.1/24", "2001:db8::1/64"],
        ["lrp-set-gateway-chassis", "lr1-ext", "chassis1", "20"],
        ["set", "Logical_Router_Port", "lr1-ext", "options:gateway_mtu=1400"],
        ["lrp-set-gateway-chassis", "lr1-ext", "chassis2", "10"],
        ["lsp-add", "ls1", "ls1-lr1"],
        ["lsp-set-type", "ls1-lr1", "router"],
        ["lsp-set-addresses", "ls1-lr1", "router"],
        ["lsp-set-options", "ls1-lr1", "router-port=lr1-ls1"],
        ["lsp-add", "ls2", "ls2-lr1"],
        ["lsp-set-type", "ls2-lr1", "router"],
        ["lsp-set-addresses", "ls2-lr1", "router"],
        ["lsp-set-options", "ls2-lr1", "router-port=lr1-ls2"],
        ["lsp-add", "ls-ext", "ext-lr1"],
        ["lsp-set-type", "ext-lr1", "router"],
        ["lsp-set-addresses", "ext-lr1", "router"],
        ["lsp-set-options", "ext-lr1", "router-port=lr1-ext", "nat-addresses=router"],
        # NAT on the distributed gateway port.
        ["lr-nat-add", "lr1", "snat", "172.16.0.1", "10.0.1.0/24"],
        [
            "lr-nat-add",
            "lr1",
            "dnat_and_snat",
            "172.16.0.100",
            "10.0.1.11",
            "vm1",
            "00:00:00:00:ee:01",
        ],
        ["lr-nat-add", "lr1", "dnat_and_snat", "172.16.0.101", "10.0.2.14"],
        ["lr-nat-add", "lr1", "dnat", "172.16.0.102", "10.0.2.15"],
        ["lr-nat-add", "lr1", "snat", "2001:db8::1", "fd02::/64"],
        # Routes: static, ECMP with symmetric reply, a default route; policies.
        ["lr-route-add", "lr1", "0.0.0.0/0", "172.16.0.254"],
        ["--ecmp-symmetric-reply", "lr-route-add", "lr1", "192.168.100.0/24", "172.16.0.10"],
        ["--ecmp-symmetric-reply", "lr-route-add", "lr1", "192.168.100.0/24", "172.16.0.11"],
        ["--policy=src-ip", "lr-route-add", "lr1", "10.0.2.14/32", "172.16.0.20"],
        ["lr-route-add", "lr1", "::/0", "2001:db8::ff"],
        [
            "lr-policy-add",
            "lr1",
            "1000",
            "ip4.src == 10.0.1.0/24 && ip4.dst == 10.0.2.0/24",
            "allow",
        ],
        ["lr-policy-add", "lr1", "900", "ip4.dst == 198.51.100.0/24", "drop"],
        [
            "lr-policy-add",
            "lr1",
            "800",
            "ip4.src == 10.0.2.0/24",
            "reroute",
            "172.16.0.30,172.16.0.31",
        ],
        # Gateway router gw1 on chassis1, joined to ls-ext and to a transit switch.
        ["lr-add", "gw1"],
        [
            "set",
            "Logical_Router",
            "gw1",
            "options:chassis=chassis1",
            "options:lb_force_snat_ip=router_ip",
            "options:dynamic_neigh_routers=true",
        ],
        ["lrp-add", "gw1", "gw1-ext", "00:00:00:00:fe:01", "172.16.0.2/24"],
        ["lsp-add", "ls-ext", "ext-gw1"],
        ["lsp-set-type", "ext-gw1", "router"],
        ["lsp-set-addresses", "ext-gw1", "router"],
        ["lsp-set-options", "ext-gw1", "router-port=gw1-ext"],
        ["ls-add", "join"],
        ["lrp-add", "gw1", "gw1-join", "00:00:00:00:fe:02", "100.64.0.1/16"],
        ["lsp-add", "join", "join-gw1"],
        ["lsp-set-type", "join-gw1", "router"],
        ["lsp-set-addresses", "join-gw1", "router"],
        ["lsp-set-options", "join-gw1", "router-port=gw1-join"],
        ["lr-nat-add", "gw1", "snat", "172.16.0.2", "100.64.0.0/16"],
        ["lr-nat-add", "gw1", "dnat", "172.16.0.200", "100.64.0.10"],
        ["lr-nat-add", "gw1", "dnat_and_snat", "172.16.0.201", "100.64.0.11"],
        ["lr-route-add", "gw1", "10.0.0.0/8", "100.64.0.2"],
        # Address sets and port groups, ACLs of every action and direction.
        [
            "create",
            "Address_Set",
            "name=as_web",
            'addresses="10.0.1.11","10.0.2.0/24","192.168.7.7"',
        ],
        ["create", "Address_Set", "name=as_v6", 'addresses="fd01::11","fd02::/64"'],
        ["pg-add", "pg_web", "vm1", "vm2"],
        ["pg-add", "pg_db", "vm4", "vm5"],
        [
            "acl-add",
            "pg_web",
            "to-lport",
            "1002",
            "outport == @pg_web && ip4 && tcp.dst == {80, 443}",
            "allow-related",
        ],
        [
            "acl-add",
            "pg_web",
            "to-lport",
            "1001",
            "outport == @pg_web && ip4.src == $as_web",
            "allow",
        ],
        ["acl-add", "pg_web", "to-lport", "1000", "outport == @pg_web && ip", "drop"],
        [
            "acl-add",
            "pg_web",
            "from-lport",
            "1000",
            "inport == @pg_web && ip6.dst == $as_v6 && udp",
            "allow",
        ],
        [
            "acl-add",
            "pg_db",
            "to-lport",
            "1100",
            "outport == @pg_db && ip4.src == $pg_web_ip4 && tcp.dst == 5432",
            "allow-related",
        ],
        ["acl-add", "pg_db", "to-lport", "900", "outport == @pg_db && ip", "reject"],
        [
            "--log",
            "--severity=warning",
            "--name=deny-ssh",
            "acl-add",
            "ls2",
            "from-lport",
            "1200",
            "tcp.dst == 22",
            "drop",
        ],
        [
            "acl-add",
            "ls2",
            "from-lport",
            "1300",
            "ip4.dst == 10.0.2.99 && icmp4",
            "allow-stateless",
        ],
        [
            "--apply-after-lb",
            "acl-add",
            "ls1",
            "from-lport",
            "1001",
            "ip4.dst == 10.0.0.10",
            "allow",
        ],
        ["acl-add", "ls1", "to-lport", "500", "arp || nd", "allow"],
        # QoS.
        ["qos-add", "ls1", "from-lport", "100", "ip4 && udp", "dscp=12"],
        ["qos-add", "ls1", "from-lport", "90", "ip4.src == 10.0.1.12", "rate=10000", "burst=1000"],
        # Load balancers: IPv4 TCP on switch and router, IPv6, UDP, no-port VIP, affinity,
        # health checks, hairpin SNAT IP, a reject on no backends, a gateway-router LB.
        ["lb-add", "lb-tcp", "10.0.0.10:80", "10.0.1.11:8080,10.0.2.14:8080", "tcp"],
        ["lb-add", "lb-udp", "10.0.0.11:53", "10.0.1.12:53", "udp"],
        ["lb-add", "lb-v6", "[fd00::10]:80", "[fd01::11]:8080,[fd02::15]:8080", "tcp"],
        ["lb-add", "lb-ip", "10.0.0.12", "10.0.1.11,10.0.2.14"],
        ["lb-add", "lb-aff", "10.0.0.13:443", "10.0.1.11:443,10.0.1.12:443", "tcp"],
        ["set", "Load_Balancer", "lb-aff", "options:affinity_timeout=60"],
        ["lb-add", "lb-empty", "10.0.0.14:80", "", "tcp"],
        ["set", "Load_Balancer", "lb-empty", "options:reject=true", "options:event=true"],
        ["set", "Load_Balancer", "lb-tcp", "options:hairpin_snat_ip=169.254.0.1"],
        ["lb-add", "lb-gw", "172.16.0.210:8080", "100.64.0.10:80", "tcp"],
        ["ls-lb-add", "ls1", "lb-tcp"],
        ["ls-lb-add", "ls1", "lb-udp"],
        ["ls-lb-add", "ls1", "lb-v6"],
        ["ls-lb-add", "ls2", "lb-ip"],
        ["ls-lb-add", "ls2", "lb-aff"],
        ["ls-lb-add", "ls2", "lb-empty"],
        ["lr-lb-add", "lr1", "lb-tcp"],
        ["lr-lb-add", "lr1", "lb-v6"],
        ["lr-lb-add", "lr1", "lb-aff"],
        ["lr-lb-add", "gw1", "lb-gw"],
        ["set", "Logical_Router", "gw1", "options:lb_force_snat_ip=router_ip"],
        # DNS records on ls1.
        [
            "--",
            "--id=@dns",
            "create",
            "DNS",
            'records={"vm1.ovn.test"="10.0.1.11 fd01::11"}',
            "--",
            "add",
            "Logical_Switch",
            "ls1",
            "dns_records",
            "@dns",
        ],
        # Multicast group-ish: IGMP snooping on ls2 too; ARP proxy on ls2.
        ["set", "Logical_Switch", "ls2", "other_config:mcast_snoop=true"],
        ["lsp-set-options", "vm4", "arp_proxy=10.0.2.200"],
        # Forwarding group on ls1.
        ["fwd-group-add", "fwd1", "ls1", "10.0.1.200", "00:00:00:00:01:c8", "vm1", "vm2"],
    ]
    for c in cmds:
        nb(*c)

    # DHCPv4 and DHCPv6 options, bound to ports.
    nb("dhcp-options-create", "10.0.1.0/24")
    dhcp4 = nb("--bare", "--columns=_uuid", "find", "DHCP_Options", "cidr=10.0.1.0/24").split()[0]
    nb(
        "dhcp-options-set-options",
        dhcp4,
        "lease_time=3600",
        "router=10.0.1.1",
        "server_id=10.0.1.1",
        "server_mac=00:00:00:00:ff:01",
        "dns_server={8.8.8.8}",
        "mtu=1400",
    )
    nb("lsp-set-dhcpv4-options", "vm1", dhcp4)
    nb("lsp-set-dhcpv4-options", "vm2", dhcp4)
    nb("dhcp-options-create", "fd01::/64")
    dhcp6 = nb("--bare", "--columns=_uuid", "find", "DHCP_Options", 'cidr="fd01::/64"').split()[0]
    nb("dhcp-options-set-options", dhcp6, "server_id=00:00:00:00:ff:01", "dns_server={fd01::53}")
    nb("lsp-set-dhcpv6-options", "vm1", dhcp6)

    # Make northd catch up with everything before the SB is read.
    nb("--wait=sb", "sync")


def enable_chassis_features(ovn: RealOvn) -> None:
    """Advertises newer chassis features, so northd switches to e.g. ct_mark.blocked/ct_lb_mark."""
    for name in ("chassis1", "chassis2"):
        ovn.sbctl(
            "set",
            "Chassis",
            name,
            "other_config:ct-no-masked-label=true",
            "other_config:mac-binding-timestamp=true",
            "other_config:fdb-timestamp=true",
            "other_config:ls-dpg-column=true",
        )
    ovn.nbctl("--wait=sb", "sync")


def _atom(v: Any) -> Any:
    """ovsdb JSON (ovn-sbctl --format=json) -> plain Python: uuids as str, sets as lists."""
    if isinstance(v, list) and len(v) == 2 and isinstance(v[0], str):
        kind, data = v
        if kind in ("uuid", "named-uuid"):
            return data
        if kind == "set":
            return [_atom(x) for x in data]
        if kind == "map":
            return {_atom(k): _atom(x) for k, x in data}
    return v


def _table(ovn: RealOvn, table: str, columns: str) -> list[dict[str, Any]]:
    out = json.loads(ovn.sbctl("--format=json", f"--columns={columns}", "list", table))
    heads = out["headings"]
    return [{h: _atom(v) for h, v in zip(heads, row)} for row in out["data"]]


def _aslist(v: Any) -> list[Any]:
    return v if isinstance(v, list) else [v]


def dump_sb(ovn: RealOvn) -> dict[str, Any]:
    """The Southbound rows the flow language needs, as plain data."""
    flows = _table(
        ovn,
        "Logical_Flow",
        "_uuid,logical_datapath,logical_dp_group,pipeline,table_id,priority,match,actions,external_ids",
    )
    dps = _table(ovn, "Datapath_Binding", "_uuid,tunnel_key,external_ids")
    groups = _table(ovn, "Logical_DP_Group", "_uuid,datapaths")
    address_sets = _table(ovn, "Address_Set", "name,addresses")
    port_groups = _table(ovn, "Port_Group", "name,ports")
    key_of = {d["_uuid"]: d["tunnel_key"] for d in dps}
    group_dps = {g["_uuid"]: _aslist(g["datapaths"]) for g in groups}
    for f in flows:
        dp = f.pop("logical_datapath")
        grp = f.pop("logical_dp_group")
        uuids = _aslist(dp) if dp else group_dps.get(grp if isinstance(grp, str) else "", [])
        f["datapaths"] = sorted(key_of[u] for u in uuids if u in key_of)
    return {
        "flows": flows,
        "datapaths": [
            {"tunnel_key": d["tunnel_key"], "name": d["external_ids"].get("name", "")} for d in dps
        ],
        "address_sets": {a["name"]: _aslist(a["addresses"]) for a in address_sets},
        "port_groups": {p["name"]: _aslist(p["ports"]) for p in port_groups},
    }


def real_sb_dumps() -> list[dict[str, Any]]:
    """Builds the topology with the real OVN; returns SB dumps without and with the newer chassis
    features (northd writes different flows for each).  Takes several seconds."""
    with RealOvn() as ovn:
        build_topology(ovn)
        first = dump_sb(ovn)
        enable_chassis_features(ovn)
        return [first, dump_sb(ovn)]


if __name__ == "__main__":
    if missing_binaries():
        sys.exit(f"missing: {', '.join(missing_binaries())}")
    dumps = real_sb_dumps()
    if len(sys.argv) > 1:
        Path(sys.argv[1]).write_text(json.dumps(dumps, indent=1))
    for data in dumps:
        print(
            f"{len(data['flows'])} logical flows, {len(data['datapaths'])} datapaths, "
            f"{len(data['address_sets'])} address sets, {len(data['port_groups'])} port groups"
        )
