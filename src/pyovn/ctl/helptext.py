"""What ``pyovn nbctl|sbctl|vsctl --help`` prints, built from the tool's declaration.

Imported only when ``--help`` is asked (see :func:`pyovn.ctl.runner.run_tool`), so none of this
costs anything on an ordinary invocation.

Where each part comes from:

* every command's synopsis (its per-command options, name and arguments) is read from the
  :class:`~pyovn.ctl.registry.CommandSyntax` the tool registered (``options`` and ``usage``), so a
  command the registry has is always printed, even one this module has not heard of (it lands
  in an "Other commands" section);
* the one-line descriptions and the grouping into sections are the data below, keyed by command
  name (``tests/ctl/test_ctl_help.py`` fails when a registered command has no description);
* how records can be named in database commands comes from the tool's ``row_ids`` and
  ``global_table``;
* the options are listed from :data:`OPTION_SECTIONS`, keeping only those the tool accepts
  (:data:`pyovn.ctl.options.COMMON_OPTIONS` plus the tool's ``global_options``).
"""

from __future__ import annotations

import textwrap

from pyovn.ctl.options import COMMON_OPTIONS
from pyovn.ctl.registry import CommandSyntax, Tool

__all__ = ["render", "described_commands", "documented_options", "UNIMPLEMENTED", "TOOL_INFO"]

WIDTH = 79
COLUMN = 30  # where descriptions start

# -- descriptions ---------------------------------------------------------------------------------
# A section is (title, ((command, description), ...)). Commands are printed in this order; a
# command a tool does not register is left out of its help.

_CONNECTION = ("Connection commands", (
    ("get-connection", "print the targets the database server is configured to listen on or "
                       "connect to"),
    ("del-connection", "remove every configured target"),
    ("set-connection", "replace the configured targets with TARGET... (e.g. ptcp:6641 or "
                       "pssl:6642:10.0.0.1)"),
))

_MANAGER = ("Manager commands", (
    ("get-manager", "print the configured OVSDB managers"),
    ("del-manager", "remove every configured manager"),
    ("set-manager", "replace the configured managers with TARGET... (e.g. ptcp:6640 or "
                    "tcp:192.0.2.1:6640)"),
))

_SSL = ("SSL commands", (
    ("get-ssl", "print the SSL settings stored in the database"),
    ("del-ssl", "remove the stored SSL settings"),
    ("set-ssl", "store the private key, certificate and CA certificate file names (and, "
                "where accepted, protocols and ciphers); --bootstrap lets the CA certificate "
                "be fetched from the peer on first contact"),
))

_DATABASE = ("Database commands", (
    ("list", "print RECORDs of TABLE, or all its records (--columns= picks the columns)"),
    ("find", "print the records of TABLE meeting every condition; a condition is "
             "COLUMN[:KEY] then one of = != < > <= >= {=} {!=} {<} {>} {<=} {>=} then a "
             "value"),
    ("get", "print the value of each COLUMN (or map entry KEY) of RECORD; --id=@NAME only "
            "names the record for later commands"),
    ("set", "assign values to columns (or map entries) of RECORD"),
    ("add", "add values to a set column, or KEY=VALUE pairs to a map column, of RECORD"),
    ("remove", "take values out of a set column, or keys or KEY=VALUE pairs out of a map "
               "column, of RECORD"),
    ("clear", "empty the given set or map columns of RECORD"),
    ("create", "insert a record into TABLE and print its UUID (--id=@NAME instead names it "
               "for later commands of the same run)"),
    ("destroy", "delete RECORDs from TABLE (--all: every record of TABLE)"),
    ("wait-until", "block until RECORD exists and meets every COLUMN[:KEY]=VALUE condition"),
    ("comment", "do nothing; the words only document the command line (the real tools add "
                "them to the transaction's log entry)"),
))

_NB_SECTIONS = (
    ("General commands", (
        ("init", "create the NB_Global row when the database has none (every invocation does "
                 "this anyway)"),
        ("show", "summarise the logical switches and routers, with their ports, or only "
                 "SWITCH or ROUTER"),
    )),
    ("Logical switch commands", (
        ("ls-add", "create a logical switch, named SWITCH if given (--may-exist: fine if it "
                   "already exists; --add-duplicate: create another one with that name)"),
        ("ls-del", "delete SWITCH together with all its ports"),
        ("ls-list", "print every logical switch as UUID (NAME)"),
    )),
    ("Logical switch port commands", (
        ("lsp-add", "add PORT to SWITCH; with PARENT and TAG, PORT is a container port carried "
                    "on VLAN TAG of port PARENT (TAG 0: let northd choose one)"),
        ("lsp-del", "remove PORT from the switch that holds it"),
        ("lsp-list", "print the ports of SWITCH as UUID (NAME)"),
        ("lsp-get-parent", "print the name of PORT's parent port, if it has one"),
        ("lsp-get-tag", "print the VLAN tag of a container PORT, if it has one"),
        ("lsp-set-addresses", "replace PORT's addresses; each ADDRESS is \"MAC [IP]...\", "
                              "dynamic, unknown or router; no ADDRESS clears them"),
        ("lsp-get-addresses", "print PORT's addresses, one a line"),
        ("lsp-set-port-security", "replace the addresses PORT may send from (same form as "
                                  "the addresses); none removes the restriction"),
        ("lsp-get-port-security", "print PORT's port-security addresses, one a line"),
        ("lsp-get-up", "print up or down: whether a chassis has bound PORT and set it up"),
        ("lsp-set-enabled", "set PORT's administrative state, STATE enabled or disabled"),
        ("lsp-get-enabled", "print PORT's administrative state, enabled or disabled"),
        ("lsp-set-type", "set PORT's type: \"\" (a VM or container), router, localnet, "
                         "localport, l2gateway, vtep, external, virtual, ..."),
        ("lsp-get-type", "print PORT's type"),
        ("lsp-set-options", "replace PORT's options (their meaning depends on its type)"),
        ("lsp-get-options", "print PORT's options, one KEY=VALUE a line"),
        ("lsp-set-dhcpv4-options", "make PORT use the DHCP_Options row with that UUID for "
                                   "DHCPv4; without a UUID, stop"),
        ("lsp-get-dhcpv4-options", "print the DHCPv4 options row PORT uses"),
        ("lsp-set-dhcpv6-options", "make PORT use the DHCP_Options row with that UUID for "
                                   "DHCPv6; without a UUID, stop"),
        ("lsp-get-dhcpv6-options", "print the DHCPv6 options row PORT uses"),
        ("lsp-get-ls", "print the logical switch PORT belongs to"),
        ("lsp-attach-mirror", "send copies of PORT's traffic to MIRROR"),
        ("lsp-detach-mirror", "stop sending copies of PORT's traffic to MIRROR"),
    )),
    ("Forwarding group commands", (
        ("fwd-group-add", "create forwarding GROUP on SWITCH: packets to VIP (answered with "
                          "VMAC) go to one of PORTS (--liveness: only ports found alive)"),
        ("fwd-group-del", "delete forwarding GROUP"),
        ("fwd-group-list", "print the forwarding groups, or only those of SWITCH"),
    )),
    ("ACL commands", (
        ("acl-add", "add an ACL to a switch or port group (--type= says which when a name is "
                    "both); DIRECTION is from-lport or to-lport, ACTION allow-related, "
                    "allow-stateless, allow, drop, reject or pass"),
        ("acl-del", "remove a switch's or port group's ACLs: all, those of DIRECTION, or the "
                    "one with PRIORITY and MATCH"),
        ("acl-list", "print the ACLs of a switch or port group"),
    )),
    ("QoS commands", (
        ("qos-add", "add a QoS rule to SWITCH marking packets that match with DSCP and/or "
                    "limiting them to RATE kbps (BURST kbits)"),
        ("qos-del", "remove SWITCH's QoS rules: all, those of DIRECTION, the one with UUID, or "
                    "the one with PRIORITY and MATCH"),
        ("qos-list", "print SWITCH's QoS rules"),
    )),
    ("Meter commands", (
        ("meter-add", "create meter NAME that applies ACTION (drop) above RATE, UNIT kbps or "
                      "pktps, with an optional BURST (--fair: a separate bucket per user)"),
        ("meter-del", "delete meter NAME, or every meter"),
        ("meter-list", "print the meters and their bands"),
    )),
    ("Port group commands", (
        ("pg-add", "create port group PG, with PORTS as members if given"),
        ("pg-set-ports", "make PORTS the members of port group PG"),
        ("pg-del", "delete port group PG"),
    )),
    ("Logical router commands", (
        ("lr-add", "create a logical router, named ROUTER if given (--may-exist, "
                   "--add-duplicate as for ls-add)"),
        ("lr-del", "delete ROUTER together with all its ports"),
        ("lr-list", "print every logical router as UUID (NAME)"),
    )),
    ("Logical router port commands", (
        ("lrp-add", "add PORT with address MAC and networks NETWORK... (IP/PREFIX) to ROUTER; "
                    "COLUMN=VALUE settings may follow, e.g. peer=PORT"),
        ("lrp-del", "remove PORT from the router that holds it"),
        ("lrp-list", "print the ports of ROUTER as UUID (NAME)"),
        ("lrp-set-enabled", "set PORT's administrative state, STATE enabled or disabled"),
        ("lrp-get-enabled", "print PORT's administrative state, enabled or disabled"),
        ("lrp-set-options", "replace PORT's options"),
        ("lrp-get-options", "print PORT's options, one KEY=VALUE a line"),
        ("lrp-set-redirect-type", "how traffic redirected to PORT's gateway chassis travels: "
                                  "TYPE overlay (tunnelled) or bridged"),
        ("lrp-get-redirect-type", "print PORT's redirect type"),
        ("lrp-set-gateway-chassis", "make CHASSIS a gateway for PORT, with PRIORITY (higher "
                                    "is preferred; default 0)"),
        ("lrp-del-gateway-chassis", "stop using CHASSIS as a gateway for PORT"),
        ("lrp-get-gateway-chassis", "print PORT's gateway chassis with their priorities, "
                                    "highest first"),
    )),
    ("Route commands", (
        ("lr-route-add", "add a static route to ROUTER: PREFIX reached via NEXTHOP (\"discard\" "
                         "drops), out of PORT if given; --ecmp allows several next hops for one "
                         "prefix, --policy=src-ip routes on the source address"),
        ("lr-route-del", "remove ROUTER's static routes: all, or those matching PREFIX, "
                         "NEXTHOP and PORT"),
        ("lr-route-list", "print ROUTER's routes, IPv4 then IPv6, by route table"),
    )),
    ("Routing policy commands", (
        ("lr-policy-add", "add a policy to ROUTER: packets that match MATCH at PRIORITY are "
                          "allowed, dropped or rerouted to NEXTHOP (several: comma-separated); "
                          "KEY=VALUE options may follow"),
        ("lr-policy-del", "remove ROUTER's policies: all, those of PRIORITY (and MATCH), or the "
                          "one with UUID"),
        ("lr-policy-list", "print ROUTER's policies, highest priority first"),
    )),
    ("NAT commands", (
        ("lr-nat-add", "add a NAT rule to ROUTER, TYPE snat, dnat or dnat_and_snat; for a "
                       "distributed dnat_and_snat give the LOGICAL_PORT and its EXTERNAL_MAC"),
        ("lr-nat-del", "remove ROUTER's NAT rules: all, those of TYPE, or the one for IP"),
        ("lr-nat-list", "print ROUTER's NAT rules"),
        ("lr-nat-update-ext-ip", "make the NAT rule with that UUID on ROUTER use the "
                                 "addresses of an address set as its external IP"),
    )),
    ("Load balancer commands", (
        ("lb-add", "create load balancer LB or add a VIP to it: connections to VIP[:PORT] are "
                   "spread over the backends IP[:PORT],...; PROTOCOL tcp (default), udp or "
                   "sctp"),
        ("lb-del", "delete load balancer LB, or only its VIP"),
        ("lb-list", "print the load balancers with their VIPs, or only LB"),
        ("lr-lb-add", "apply load balancer LB on ROUTER"),
        ("lr-lb-del", "stop applying LB (or every load balancer) on ROUTER"),
        ("lr-lb-list", "print the load balancers ROUTER applies"),
        ("ls-lb-add", "apply load balancer LB on SWITCH"),
        ("ls-lb-del", "stop applying LB (or every load balancer) on SWITCH"),
        ("ls-lb-list", "print the load balancers SWITCH applies"),
    )),
    ("DHCP options commands", (
        ("dhcp-options-create", "create a DHCP_Options row for CIDR, with KEY=VALUE "
                                "external ids if given"),
        ("dhcp-options-del", "delete the DHCP_Options row with that UUID"),
        ("dhcp-options-list", "print the UUID of every DHCP_Options row"),
        ("dhcp-options-set-options", "replace the DHCP options of that row"),
        ("dhcp-options-get-options", "print the DHCP options of that row, one KEY=VALUE a "
                                     "line"),
    )),
    ("HA chassis group commands", (
        ("ha-chassis-group-add", "create HA chassis group GROUP"),
        ("ha-chassis-group-del", "delete HA chassis group GROUP"),
        ("ha-chassis-group-list", "print the HA chassis groups with their chassis and "
                                  "priorities"),
        ("ha-chassis-group-add-chassis", "add CHASSIS to GROUP with PRIORITY (higher is "
                                         "preferred), or change its priority"),
        ("ha-chassis-group-remove-chassis", "take CHASSIS out of GROUP"),
        ("ha-chassis-group-set-chassis-prio", "change the PRIORITY of CHASSIS in GROUP"),
    )),
    ("Static MAC binding commands", (
        ("static-mac-binding-add", "make IP seen through LOGICAL_PORT resolve to MAC without "
                                   "ARP or neighbour discovery"),
        ("static-mac-binding-del", "remove the static binding of IP on LOGICAL_PORT"),
        ("static-mac-binding-list", "print every static MAC binding"),
    )),
    ("Control plane protection (CoPP) commands", (
        ("copp-add", "in CoPP policy NAME, limit PROTO packets punted to the controller with "
                     "meter METER"),
        ("copp-del", "remove PROTO from CoPP policy NAME, or the whole policy"),
        ("copp-list", "print the protocols and meters of CoPP policy NAME"),
        ("ls-copp-add", "make SWITCH use CoPP policy NAME"),
        ("lr-copp-add", "make ROUTER use CoPP policy NAME"),
    )),
    ("Mirror commands", (
        ("mirror-add", "create mirror NAME: copies of the traffic FILTER selects (from-lport "
                       "or to-lport) are tunnelled to IP over TYPE gre or erspan, with key or "
                       "ERSPAN index INDEX"),
        ("mirror-del", "delete mirror NAME, or every mirror"),
        ("mirror-list", "print the mirrors and their settings"),
    )),
    _CONNECTION,
    _SSL,
    _DATABASE,
    ("Synchronisation (with --wait=sb or --wait=hv)", (
        ("sync", "wait until everything committed so far, not just this run's changes, has "
                 "been processed"),
    )),
)

_SB_SECTIONS = (
    ("General commands", (
        ("init", "create the SB_Global row when the database has none (every invocation does "
                 "this anyway)"),
        ("show", "summarise the chassis: their encapsulations and the ports bound to them"),
    )),
    ("Chassis commands", (
        ("chassis-add", "register CHASSIS, reachable through tunnels of ENCAP-TYPE (several: "
                        "comma-separated, e.g. geneve,vxlan) at address ENCAP-IP"),
        ("chassis-del", "remove CHASSIS and its encapsulations"),
    )),
    ("Port binding commands", (
        ("lsp-bind", "bind logical port PORT to CHASSIS"),
        ("lsp-unbind", "clear the chassis binding of logical port PORT"),
    )),
    ("Logical flow commands", (
        ("lflow-list", "print the logical flows, of DATAPATH only if given, or only those "
                       "whose UUID starts with LFLOW (--uuid adds each flow's UUID)"),
        ("dump-flows", "another name for lflow-list"),
        ("count-flows", "count the logical flows, of DATAPATH only if given, per datapath, "
                        "pipeline and stage, with totals"),
    )),
    ("Multicast commands", (
        ("ip-multicast-flush", "forget the multicast groups learnt (IGMP/MLD), on SWITCH only "
                               "if given"),
    )),
    _CONNECTION,
    _SSL,
    _DATABASE,
)

_VS_SECTIONS = (
    ("General commands", (
        ("init", "create the Open_vSwitch row when the database has none"),
        ("show", "summarise the bridges with their ports, interfaces, controllers and the "
                 "managers"),
        ("emer-reset", "drop the settings that could keep the switch from forwarding: "
                       "controllers, fail modes, managers, SSL, mirrors, NetFlow/sFlow/IPFIX, "
                       "flood VLANs, other_config (bar a bridge's hwaddr)"),
    )),
    ("Bridge commands", (
        ("add-br", "create bridge BRIDGE; with PARENT and NEW-VLAN, a fake bridge on that VLAN "
                   "of bridge PARENT"),
        ("del-br", "delete BRIDGE with all its ports (and the fake bridges on it)"),
        ("list-br", "print the names of the bridges (--real or --fake: only those)"),
        ("br-exists", "exit with status 2 unless BRIDGE exists"),
        ("br-to-vlan", "print BRIDGE's VLAN (0 for a real bridge)"),
        ("br-to-parent", "print the real bridge BRIDGE lives on (itself if real)"),
        ("br-set-external-id", "set external id KEY of BRIDGE to VALUE, or remove it without "
                               "a VALUE"),
        ("br-get-external-id", "print external id KEY of BRIDGE, or all of them as "
                               "KEY=VALUE"),
    )),
    ("Port commands (a bond counts as one port)", (
        ("list-ports", "print the names of BRIDGE's ports"),
        ("add-port", "add NEW-PORT, with one interface of the same name, to BRIDGE; settings "
                     "for the new Port row may follow"),
        ("add-bond", "add PORT made of the interfaces IFACE... to BRIDGE (--lacp=active, "
                     "passive or off; --fake-iface also gives the bond an interface of its "
                     "own name)"),
        ("del-port", "remove PORT, or with --with-iface the port holding interface IFACE, "
                     "checking it is on BRIDGE if given"),
        ("port-to-br", "print the bridge that holds PORT"),
    )),
    ("Interface commands", (
        ("list-ifaces", "print the names of BRIDGE's interfaces"),
        ("iface-to-br", "print the bridge that holds interface IFACE"),
        ("add-bond-iface", "add interface IFACE to bond BOND"),
        ("del-bond-iface", "take interface IFACE out of its bond (checked to be BOND if "
                           "given)"),
    )),
    ("Conntrack zone timeout policy commands", (
        ("add-zone-tp", "give conntrack zone ZONE_ID of DATAPATH a timeout policy, e.g. "
                        "icmp_first=30 udp_single=60"),
        ("del-zone-tp", "remove the timeout policy of zone ZONE_ID of DATAPATH"),
        ("list-zone-tp", "print DATAPATH's zones with their timeout policies"),
    )),
    ("Datapath capability commands", (
        ("list-dp-cap", "print what the switch reported DATAPATH (e.g. system or netdev) "
                        "can do"),
    )),
    ("Auto Attach commands", (
        ("add-aa-mapping", "map I-SID ISID to VLAN on BRIDGE (IEEE 802.1Qcj auto attach)"),
        ("del-aa-mapping", "remove the mapping of ISID to VLAN from BRIDGE"),
        ("get-aa-mapping", "print BRIDGE's auto attach mappings"),
    )),
    ("Controller commands", (
        ("get-controller", "print BRIDGE's OpenFlow controllers"),
        ("del-controller", "remove BRIDGE's OpenFlow controllers"),
        ("set-controller", "replace BRIDGE's OpenFlow controllers with TARGET..."),
        ("get-fail-mode", "print BRIDGE's fail mode"),
        ("del-fail-mode", "unset BRIDGE's fail mode"),
        ("set-fail-mode", "set what BRIDGE does without a controller, MODE standalone or "
                          "secure"),
    )),
    _MANAGER,
    _SSL,
    _DATABASE,
)

# Per tool: (one-line title, how the default database is chosen, sections).
TOOL_INFO: dict[str, tuple[str, str, tuple]] = {
    "ovn-nbctl": ("pyovn nbctl (ovn-nbctl): read and change the OVN Northbound database",
                  "$OVN_NB_DB, else unix:$OVN_RUNDIR/ovnnb_db.sock "
                  "(OVN_RUNDIR defaults to /var/run/ovn)", _NB_SECTIONS),
    "ovn-sbctl": ("pyovn sbctl (ovn-sbctl): read and change the OVN Southbound database",
                  "$OVN_SB_DB, else unix:$OVN_RUNDIR/ovnsb_db.sock "
                  "(OVN_RUNDIR defaults to /var/run/ovn)", _SB_SECTIONS),
    "ovs-vsctl": ("pyovn vsctl (ovs-vsctl): read and change the local Open_vSwitch database",
                  "unix:$OVS_RUNDIR/db.sock (OVS_RUNDIR defaults to /var/run/openvswitch)",
                  _VS_SECTIONS),
}

# Commands the real tool has that pyovn does not (yet); printed at the end of the command list
# (less whatever has been registered since).
UNIMPLEMENTED: dict[str, tuple[str, ...]] = {
    "ovn-nbctl": ("comment", "ha-chassis-group-set-chassis-prio", "lr-nat-update-ext-ip"),
    "ovn-sbctl": ("comment", "ip-multicast-flush"),
    "ovs-vsctl": ("comment", "add-aa-mapping", "del-aa-mapping", "get-aa-mapping",
                  "add-bond-iface", "del-bond-iface", "add-zone-tp", "del-zone-tp",
                  "list-zone-tp", "list-dp-cap"),
}

# -- options ----------------------------------------------------------------------------------------
# A section is (title, entries); an entry is (((flag as printed, option name), ...), description,
# tools it is for or None for all). Only the flags of options the tool accepts are printed.

OptionEntry = tuple[tuple[tuple[str, str], ...], str, tuple[str, ...] | None]

OPTION_SECTIONS: tuple[tuple[str, tuple[OptionEntry, ...]], ...] = (
    ("Options", (
        ((("--db=DATABASE", "db"),), "the database server to use (default: see the end of "
                                     "this text); a comma-separated list is tried in order",
         None),
        ((("-t, --timeout=SECS", "timeout"),), "give up, killed by SIGALRM, after SECS "
                                               "seconds (0, the default: wait forever)", None),
        ((("--dry-run", "dry-run"),), "run the commands but commit nothing", None),
        ((("--oneline", "oneline"),), "print each command's output on one line (newlines "
                                      "written as \\n)", None),
        ((("--leader-only", "leader-only"),), "with a clustered database, only talk to the "
                                              "leader (the default)", None),
        ((("--no-leader-only", "no-leader-only"),), "with a clustered database, any member "
                                                    "will do", None),
        ((("--shuffle-remotes", "shuffle-remotes"), ("--no-shuffle-remotes",
                                                     "no-shuffle-remotes")),
         "accepted for compatibility; remotes are tried in the order given", None),
        ((("--wait=none|sb|hv", "wait"),), "after committing a change, wait until northd has "
                                           "put it in the Southbound (sb) or every chassis "
                                           "has applied it (hv); none, the default, does not "
                                           "wait", None),
        ((("--no-wait", "no-wait"),), "same as --wait=none", ("ovn-nbctl",)),
        ((("--no-wait", "no-wait"),), "do not wait, after a change, until ovs-vswitchd has "
                                      "applied it (cur_cfg)", ("ovs-vsctl",)),
        ((("--print-wait-time", "print-wait-time"),), "with --wait, print how long each "
                                                      "stage took", None),
        ((("--retry", "retry"),), "accepted for compatibility; pyovn tries to connect once",
         None),
        ((("--commands", "commands"), ("--options", "options")),
         "accepted for compatibility (the real tools list their commands or options for "
         "shell completion)", None),
    )),
    ("Output formatting options", (
        ((("-f, --format=FORMAT", "format"),), "how tables are printed: table, list, csv, "
                                               "html or json", None),
        ((("-d, --data=FORMAT", "data"),), "how cells are printed: string, bare or json",
         None),
        ((("--no-headings", "no-headings"),), "leave out the headings of tables", None),
        ((("--pretty", "pretty"),), "indent JSON output", None),
        ((("--bare", "bare"),), "short for --format=list --data=bare --no-headings", None),
    )),
    ("Daemon options", (
        ((("--detach", "detach"), ("--monitor", "monitor"), ("--pidfile[=FILE]", "pidfile"),
          ("--overwrite-pidfile", "overwrite-pidfile"), ("--no-chdir", "no-chdir"),
          ("--user=USER[:GROUP]", "user"), ("--unixctl=SOCKET", "unixctl"),
          ("--no-self-confinement", "no-self-confinement")),
         "accepted for compatibility; pyovn's ctl tools always run in the foreground", None),
    )),
    ("Logging options", (
        ((("-v, --verbose[=SPEC]", "verbose"), ("--log-file[=FILE]", "log-file"),
          ("--no-syslog", "no-syslog"), ("--syslog-method=METHOD", "syslog-method"),
          ("--syslog-target=HOST:PORT", "syslog-target")),
         "accepted for compatibility; warnings and errors always go to stderr", None),
    )),
    ("SSL options (for ssl: databases)", (
        ((("-p, --private-key=FILE", "private-key"),), "this client's private key", None),
        ((("-c, --certificate=FILE", "certificate"),), "the certificate for that key", None),
        ((("-C, --ca-cert=FILE", "ca-cert"),), "the CA certificate the server's certificate "
                                               "must be signed by", None),
        ((("--bootstrap-ca-cert=FILE", "bootstrap-ca-cert"),), "like --ca-cert, but the file "
                                                               "is fetched from the server if "
                                                               "it does not exist yet", None),
        ((("--peer-ca-cert=FILE", "peer-ca-cert"),), "an extra CA certificate to present to "
                                                     "the server", None),
        ((("--ssl-protocols=LIST", "ssl-protocols"),), "the TLS versions to allow", None),
        ((("--ssl-ciphers=LIST", "ssl-ciphers"),), "the cipher suites to allow", None),
    )),
    ("Other options", (
        ((("-h, --help", "help"),), "print this text", None),
        ((("-V, --version", "version"),), "print the version", None),
    )),
)

_OPTION_VALUES = {"--inactivity-probe": "MSECS", "--columns": "COLUMN,...", "--id": "@NAME",
                  "--gateway-port": "PORT", "--lacp": "MODE", "--bfd": "UUID",
                  "--type": "{switch|port-group}", "--route-table": "TABLE"}


# -- rendering ------------------------------------------------------------------------------------

def _option_synopsis(option: str) -> str:
    name = option.rstrip("=?")
    value = _OPTION_VALUES.get(name, name.lstrip("-").upper().replace("-", "_"))
    if option.endswith("="):
        return f"[{name}={value}]"
    if option.endswith("?"):
        return f"[{name}[={value}]]"
    return f"[{name}]"


def synopsis(cmd: CommandSyntax) -> str:
    """``[--opt]... name ARGS`` from the command's registration."""
    words = [_option_synopsis(o) for o in cmd.options]
    words.append(cmd.name)
    if cmd.usage:
        words.append(cmd.usage)
    return " ".join(words)


def _entry(left: str, text: str, indent: int = 2) -> list[str]:
    """``left`` at ``indent``, ``text`` wrapped from :data:`COLUMN` (on the next line when
    ``left`` does not fit before it)."""
    pad = " " * COLUMN
    lefts = textwrap.wrap(left, WIDTH - indent, initial_indent=" " * indent,
                          subsequent_indent=" " * (indent + 4), break_on_hyphens=False)
    body = textwrap.wrap(text, WIDTH - COLUMN, break_on_hyphens=False) if text else []
    if len(lefts) == 1 and len(lefts[0]) <= COLUMN - 2 and body:
        return [lefts[0].ljust(COLUMN) + body[0], *(pad + b for b in body[1:])]
    return [*lefts, *(pad + b for b in body)]


def described_commands(prog: str) -> dict[str, str]:
    """Every command this module describes for ``prog``: name -> description."""
    out: dict[str, str] = {}
    for _, entries in TOOL_INFO[prog][2]:
        out.update(dict(entries))
    return out


def documented_options(prog: str) -> set[str]:
    """The names of the options the help of ``prog`` describes."""
    return {name for _, entries in OPTION_SECTIONS for flags, _, progs in entries
            if progs is None or prog in progs for _, name in flags}


def _row_names(tool: Tool) -> list[str]:
    lines = ["Naming records in database commands:",
             *textwrap.wrap("Any record can be given by its UUID (or a unique prefix of it, 4 "
                            "digits or more). These tables also take names:", WIDTH - 2,
                            initial_indent="  ", subsequent_indent="  ")]
    if tool.global_table is not None:
        lines.extend(_entry(f"{tool.global_table}:", '"." (its only record)'))
    for table in sorted(tool.row_ids, key=str.lower):
        ways: list[str] = []
        via: dict[tuple[str, str], list[str]] = {}
        for rid in tool.row_ids[table]:
            column = rid.name_column + (f":{rid.key}" if rid.key else "")
            if rid.uuid_column is None:
                ways.append(f"its {column}")
            else:
                if (rid.table, rid.uuid_column) not in via:
                    ways.append("")  # placeholder, filled below in order of appearance
                via.setdefault((rid.table, rid.uuid_column), []).append(column)
        refs = iter(via.items())
        for i, way in enumerate(ways):
            if not way:
                (ref_table, ref_column), columns = next(refs)
                ways[i] = (f"the {ref_table} (by {' or '.join(columns)}) whose {ref_column} "
                           "refers to it")
        lines.extend(_entry(f"{table}:", "; ".join(ways)))
    return lines


def render(tool: Tool) -> str:
    """The whole ``--help`` text of ``tool``."""
    title, default_db, sections = TOOL_INFO.get(
        tool.prog, (f"{tool.prog} (pyovn)", "", ()))
    lines = [title, f"usage: {tool.prog} [OPTIONS] COMMAND [ARG...] [-- [OPTIONS] COMMAND "
             "[ARG...]]...", "",
             "Several commands may be given, separated by --; they run as one transaction.",
             "Options written before a command's name belong to that command.", ""]
    shown: set[str] = set()
    for heading, entries in sections:
        block = []
        for name, text in entries:
            cmd = tool.commands.get(name)
            if cmd is None or name in shown:
                continue
            shown.add(name)
            block.extend(_entry(synopsis(cmd), text))
        if block:
            lines += [f"{heading}:", *block, ""]
    rest = [c for n, c in tool.commands.items() if n not in shown]
    if rest:
        lines.append("Other commands:")
        for cmd in rest:
            lines.extend(_entry(synopsis(cmd), ""))
        lines.append("")
    missing = [n for n in UNIMPLEMENTED.get(tool.prog, ()) if n not in tool.commands]
    if missing:
        lines += _entry("Not implemented by pyovn:", ", ".join(missing), indent=0)
        lines.append("")
    if tool.row_ids or tool.global_table:
        lines += [*_row_names(tool), ""]
    accepted = set(COMMON_OPTIONS) | set(tool.global_options)
    for heading, entries in OPTION_SECTIONS:
        block = []
        for flags, text, progs in entries:
            printed = [flag for flag, name in flags if name in accepted]
            if printed and (progs is None or tool.prog in progs):
                block.extend(_entry(", ".join(printed), text))
        if block:
            lines += [f"{heading}:", *block, ""]
    if default_db:
        lines += ["Default database:", *textwrap.wrap(default_db, WIDTH - 2, initial_indent="  ",
                                                      subsequent_indent="  "), ""]
    lines += ["Database addresses: tcp:HOST:PORT, ssl:HOST:PORT, unix:FILE (and the "
              "listening", "forms ptcp:, pssl:, punix: for set-connection/set-manager)."]
    return "\n".join(lines) + "\n"
