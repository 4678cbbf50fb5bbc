"""put_dhcp_opts, put_dhcpv6_opts, dns_lookup, put_nd_ra_opts against OVN 23.03's own
expectations (tests/ovn.at "dhcpv4 : 1 HV, 2 LS, 2 LSPs/LS", "dhcpv6 : 1 HV, 2 LS, 5 LSPs",
"dns lookup : 1 HV, 2 LS, 2 LSPs/LS", "IPv6 periodic RA disabled for localnet adjacent
switch ports"/"ipv6 RA"), rebuilt from the same inputs.  After the action, the flow ovn-northd
writes next (ls_in_dhcp_response, ls_in_dns_response, lr_in_nd_ra_response) is applied with
serialize(), as the datapath would."""

from __future__ import annotations

import ipaddress

import pytest
from test_packet import verify_checksums

from pyovn.datapath.dhcp import dhcp_options, put_dhcpv6_opts
from pyovn.datapath.dns import encode_names
from pyovn.datapath.packet import checksum, parse, refresh, serialize
from pyovn.datapath.pktgen import reply_frame
from pyovn.logical.actions_ast import Action, PutOpts
from pyovn.logical.actions_parse import parse_actions


def _action(text: str) -> Action:
    return parse_actions(text).actions[0]


def _respond(frame: bytes, action: Action, after: dict[str, int],
             records: dict[str, str] | None = None) -> bytes | None:
    """Runs ``action`` on ``frame`` as the datapath host would, then ``after``'s
    assignments (the response stage) with serialize()."""
    flow, pkt = parse(frame)
    flow.update(inport="lp", reg0=0)
    new = reply_frame(flow, pkt, action, records)
    if new is None:
        return None
    pkt = refresh(flow, new)
    assert flow["inport"] == "lp"  # metadata survives
    flow.update(after)
    return serialize(flow, pkt)


# --- DHCPv4 -----------------------------------------------------------------------------------

SRV_MAC, SRV_IP = "ff1000000001", "0a000001"
V4_ACTION = ("reg0[3] = put_dhcp_opts(offerip = {offer}, lease_time = 3600, "
             "netmask = 255.255.255.0, router = 10.0.0.1, server_id = 10.0.0.1{extra});")
V4_OPTS = "330400000e100104ffffff0003040a00000136040a000001"


def _dhcp_request(src_mac: str, msg: str, broadcast: bool, ciaddr: str, request_ip: str | None,
                  eth_boot: bool, src_ip: str = "00000000", dst_ip: str = "ffffffff") -> str:
    opts = f"3501{msg}d7070102030405060700"
    if request_ip:
        opts += f"3204{request_ip}"
    if eth_boot:
        opts += "af020000"
    opts += "ff"
    bootp = (f"010106006359aa760000{'8000' if broadcast else '0000'}{ciaddr}"
             f"{'00' * 12}{src_mac}{'00' * 10}{'00' * 64}{'00' * 128}63825363")
    udp_len = 8 + len(bootp + opts) // 2
    return (f"ffffffffffff{src_mac}08004510{udp_len + 20:04x}0000000080110000{src_ip}{dst_ip}"
            f"00440043{udp_len:04x}0000" + bootp + opts)


def _dhcp_reply(src_mac: str, reply_dst: str, reply: str, flags: str, ciaddr: str, yiaddr: str,
                opts: str) -> str:
    ip_len = 280 + len(opts) // 2
    ip = bytearray.fromhex(f"45100{ip_len:03x}0000000080110000{SRV_IP}{reply_dst}")
    ip[10:12] = checksum(ip).to_bytes(2, "big")
    return (f"{src_mac}{SRV_MAC}0800{ip.hex()}004300440{ip_len - 20:03x}0000"
            f"020106006359aa760000{flags}{ciaddr}{yiaddr}0000000000000000{src_mac}"
            f"{'00' * 10}{'00' * 64}{'00' * 128}63825363" f"3501{reply}{opts}00000000ff00000000")


RESPONSE_V4 = {"eth.src": int(SRV_MAC, 16), "ip4.src": int(SRV_IP, 16), "udp.src": 67,
               "udp.dst": 68}


def _v4(src_mac: str, msg: str, *, broadcast: bool = False, ciaddr: str = "00000000",
        request_ip: str | None = None, eth_boot: bool = False, offer: str = "10.0.0.4",
        extra: str = "", use_ip: tuple[str, str] | None = None) -> str | None:
    req = _dhcp_request(src_mac, msg, broadcast, ciaddr, request_ip, eth_boot,
                        *(use_ip or ("00000000", "ffffffff")))
    flow, _ = parse(bytes.fromhex(req))
    after = dict(RESPONSE_V4, **{"eth.dst": flow["eth.src"]})
    out = _respond(bytes.fromhex(req), _action(V4_ACTION.format(offer=offer, extra=extra)),
                   after)
    if out is not None:
        verify_checksums(out)
    return out.hex() if out is not None else None


def test_dhcp_discover_offer() -> None:
    mac = "f00000000001"
    assert _v4(mac, "01") == _dhcp_reply(mac, "0a000004", "02", "0000", "00000000",
                                         "0a000004", V4_OPTS)


def test_dhcp_discover_broadcast_flag() -> None:
    mac = "f00000000001"
    assert _v4(mac, "01", broadcast=True) == _dhcp_reply(mac, "ffffffff", "02", "8000",
                                                         "00000000", "0a000004", V4_OPTS)


def test_dhcp_request_ack_and_nak() -> None:
    mac = "f00000000002"
    assert _v4(mac, "03", request_ip="0a000006", offer="10.0.0.6") == _dhcp_reply(
        mac, "0a000006", "05", "0000", "00000000", "0a000006", V4_OPTS)
    # requested address != offer: NAK, no options
    assert _v4(mac, "03", request_ip="0a000007", offer="10.0.0.6") == _dhcp_reply(
        mac, "0a000006", "06", "0000", "00000000", "00000000", "")
    # RENEWING: ciaddr is the address
    assert _v4(mac, "03", ciaddr="0a000006", offer="10.0.0.6",
               use_ip=("0a000006", "0a000001")) == _dhcp_reply(
        mac, "0a000006", "05", "0000", "0a000006", "0a000006", V4_OPTS)
    # RENEWING without ciaddr: NAK
    assert _v4(mac, "03", offer="10.0.0.6", use_ip=("0a000006", "ffffffff")) == _dhcp_reply(
        mac, "0a000006", "06", "0000", "00000000", "00000000", "")


def test_dhcp_inform_release_decline_invalid() -> None:
    mac = "f00000000002"
    # INFORM: ACK without yiaddr, netmask, lease time (and T1/T2)
    assert _v4(mac, "08", ciaddr="0a000006", offer="10.0.0.6", extra=", T1 = 4000",
               use_ip=("0a000006", "0a000001")) == _dhcp_reply(
        mac, "0a000006", "05", "0000", "0a000006", "00000000", "03040a00000136040a000001")
    assert _v4(mac, "07", ciaddr="0a000006", offer="10.0.0.6") is None  # RELEASE
    assert _v4(mac, "04", offer="10.0.0.4") is None  # DECLINE
    assert _v4(mac, "09", offer="10.0.0.4") is None  # not a DHCP message type OVN answers


def test_dhcp_option_encodings() -> None:
    mac = "f00000000002"
    # T1 (in the action before lease_time, as northd orders it)
    action = ("reg0[3] = put_dhcp_opts(offerip = 10.0.0.6, T1 = 4000, lease_time = 3600, "
              "netmask = 255.255.255.0, router = 10.0.0.1, server_id = 10.0.0.1);")
    req = bytes.fromhex(_dhcp_request(mac, "03", False, "00000000", "0a000006", False))
    out = _respond(req, _action(action), RESPONSE_V4)
    assert out is not None and "3a0400000fa0" + V4_OPTS in out.hex()
    # tftp_server as an address, then as a name; domain_search_list compressed
    assert _v4(mac, "03", request_ip="0a000006", offer="10.0.0.6",
               extra=", tftp_server = 10.10.10.10") == _dhcp_reply(
        mac, "0a000006", "05", "0000", "00000000", "0a000006", V4_OPTS + "42040a0a0a0a")
    assert _v4(mac, "03", request_ip="0a000006", offer="10.0.0.6",
               extra=', tftp_server = "test_tftp_server"') == _dhcp_reply(
        mac, "0a000006", "05", "0000", "00000000", "0a000006",
        V4_OPTS + "4210746573745f746674705f736572766572")
    assert encode_names(["test1.com", "test2.com"]).hex() == (
        "05746573743103636f6d00057465737432c006")
    opts = dhcp_options(_action(  # type: ignore[arg-type]
        "reg0[3] = put_dhcp_opts(offerip = 1.1.1.1, domain_search_list = \"test1.com,test2.com\","
        " classless_static_route = {30.0.0.0/24, 10.0.0.4, 0.0.0.0/0, 10.0.0.1,"
        " 10.229.0.128/25, 10.0.0.2}, dns_server = {8.8.8.8, 7.7.7.7}, mtu = 1442,"
        " ip_forward_enable = 1, hostname = \"vm1\");"))
    assert opts.hex() == (
        "771305746573743103636f6d00057465737432c006"
        "79" "16" "181e0000" "0a000004" "00" "0a000001" "190ae50080" "0a000002"
        "0608" "08080808" "07070707" "1a02" "05a2" "130101" "0c03" "766d31")


def test_dhcp_bootfile_for_etherboot_clients() -> None:
    mac = "f00000000001"
    extra = ', bootfile_name = "bootfile", bootfile_name_alt = "bootfile_name_alt"'
    boot = "4308626f6f7466696c65"
    assert _v4(mac, "01", eth_boot=True, extra=extra) == _dhcp_reply(
        mac, "0a000004", "02", "0000", "00000000", "0a000004", boot + V4_OPTS)
    alt = "4311" + b"bootfile_name_alt".hex()
    assert _v4(mac, "01", extra=extra) == _dhcp_reply(
        mac, "0a000004", "02", "0000", "00000000", "0a000004", alt + V4_OPTS)
    # next_server: siaddr, and the option as OVN sends it
    out = _v4(mac, "01", extra=", next_server = 10.0.0.9")
    assert out is not None
    bootp = 14 + 20 + 8
    assert out[2 * (bootp + 20) : 2 * (bootp + 24)] == "0a000009"
    assert "3501" + "02" + "fd040a000009" + V4_OPTS in out


# --- DHCPv6 -----------------------------------------------------------------------------------

SRV6_MAC, SRV6_LLA = "000000100001", "fe80000000000000020000fffe100001"


def _dhcpv6(src_mac: str, src_lla: str, msg: str, action: str, extra_opts: str = "") -> str | None:
    req_len = 0x2A if msg != "0b" else 0x1A
    req_len += len(extra_opts) // 2
    req = (f"ffffffffffff{src_mac}86dd0000000000{req_len:02x}1101{src_lla}"
           f"ff020000000000000000000000010002" f"0222022300{req_len:02x}ffff{msg}010203"
           f"0001000a00030001{src_mac}")
    if msg != "0b":
        req += "0003000c0102030400000e1000001518"
    req += extra_opts
    after = {"eth.dst": int(src_mac, 16), "eth.src": int(SRV6_MAC, 16),
             "ip6.dst": int(src_lla, 16), "ip6.src": int(SRV6_LLA, 16), "udp.src": 547,
             "udp.dst": 546}
    out = _respond(bytes.fromhex(req), _action(action), after)
    if out is None:
        return None
    verify_checksums(out)
    return out.hex()


def _v6_reply(src_mac: str, src_lla: str, reply: str, body: str) -> str:
    n = 8 + 4 + len(body) // 2
    return (f"{src_mac}{SRV6_MAC}86dd0000000000{n:02x}1101{SRV6_LLA}{src_lla}"
            f"0223022200{n:02x}XXXX{reply}010203{body}")


def _same_but_udp_checksum(got: str | None, expected: str) -> None:
    assert got is not None
    assert got[:120] == expected[:120] and got[124:] == expected[124:]


V6_STATEFUL = "reg0[3] = put_dhcpv6_opts(ia_addr = ae70::4, server_id = 00:00:00:10:00:01);"
V6_STATELESS = "reg0[3] = put_dhcpv6_opts(server_id = 00:00:00:10:00:01);"
CLIENT_ID = "0001000a00030001"
IA_NA = ("0003002801020304ffffffffffffffff00050018" "ae700000000000000000000000000004"
         "ffffffffffffffff")


def test_dhcpv6_solicit_advertise() -> None:
    mac, lla = "f00000000001", "fe80000000000000f20000fffe000001"
    body = f"{CLIENT_ID}{mac}" + IA_NA + f"0002000a00030001{SRV6_MAC}"
    _same_but_udp_checksum(_dhcpv6(mac, lla, "01", V6_STATEFUL), _v6_reply(mac, lla, "02", body))
    # REQUEST -> REPLY
    _same_but_udp_checksum(_dhcpv6(mac, lla, "03", V6_STATEFUL), _v6_reply(mac, lla, "07", body))
    # an unknown message type, and RELEASE (not answered by OVN 23.03)
    assert _dhcpv6(mac, lla, "10", V6_STATEFUL) is None
    assert _dhcpv6(mac, lla, "08", V6_STATEFUL) is None


def test_dhcpv6_stateless_and_information_request() -> None:
    mac, lla = "f00000000022", "fe80000000000000f20000fffe000022"
    body = f"{CLIENT_ID}{mac}0002000a00030001{SRV6_MAC}"
    _same_but_udp_checksum(_dhcpv6(mac, lla, "01", V6_STATELESS), _v6_reply(mac, lla, "02", body))
    _same_but_udp_checksum(_dhcpv6(mac, lla, "0b", V6_STATELESS), _v6_reply(mac, lla, "07", body))
    # an information request gets no IA_NA even when the action has an address
    _same_but_udp_checksum(_dhcpv6(mac, lla, "0b", V6_STATEFUL), _v6_reply(mac, lla, "07", body))


def test_dhcpv6_dns_domain_and_rapid_commit() -> None:
    mac, lla = "f00000000001", "fe80000000000000f20000fffe000001"
    action = ("reg0[3] = put_dhcpv6_opts(server_id = 00:00:00:10:00:01, ia_addr = ae70::4, "
              "dns_server = {ae70::1, ae70::2}, domain_search = \"ovn.org\");")
    out = _dhcpv6(mac, lla, "01", action, extra_opts="000e0000")  # SOLICIT + Rapid Commit
    assert out is not None
    udp = 2 * (14 + 40 + 8)
    assert out[udp : udp + 2] == "02"  # OVN 23.03: ADVERTISE anyway
    assert out.endswith(
        f"0002000a00030001{SRV6_MAC}" + IA_NA + "00170020" + "ae70" + "0" * 27 + "1" + "ae70"
        + "0" * 27 + "2" + "0018" + "0009" + "036f766e036f726700")
    req = bytes.fromhex(
        f"ffffffffffff{mac}86dd60000000002e1101{lla}ff020000000000000000000000010002"
        f"02220223002effff01010203{CLIENT_ID}{mac}0003000c0102030400000e1000001518000e0000")
    f, p = parse(req)
    act = _action(action)
    assert isinstance(act, PutOpts)
    rc = put_dhcpv6_opts(f, p, act, rapid_commit=True)
    assert rc is not None
    assert rc[udp // 2] == 7 and rc.endswith(bytes.fromhex("000e0000"))
    verify_checksums(rc)


def test_dhcpv6_needs_client_id_and_ia_na() -> None:
    mac, lla = "f00000000001", "fe80000000000000f20000fffe000001"
    head = f"ffffffffffff{mac}86dd600000000{{n:03x}}1101{lla}ff020000000000000000000000010002"
    for msg, opts in (("03", "0003000c0102030400000e1000001518"),  # no Client Identifier
                      ("01", f"{CLIENT_ID}{mac}")):  # no IA_NA
        n = 8 + 4 + len(opts) // 2
        req = head.format(n=n) + f"02220223{n:04x}0000{msg}010203{opts}"
        assert parse(bytes.fromhex(req))[0]["udp.dst"] == 547
        assert _respond(bytes.fromhex(req), _action(V6_STATEFUL), {}) is None


# --- DNS --------------------------------------------------------------------------------------

RECORDS = {
    "vm1.ovn.org": "10.0.0.4 aef0::4",
    "vm2.ovn.org": "10.0.0.6 20.0.0.4",
    "vm3.ovn.org": "40.0.0.4",
    "4.0.0.10.in-addr.arpa": "vm1.ovn.org",
    ipaddress.ip_address("aef0::4").reverse_pointer: "vm1.ovn.org",
}
TTL = "00000e10"
VM1 = "03766d31036f766e036f726700"


def _dns(query_name: str, qtype: str, v6: bool = False) -> str | None:
    data = f"010201200001000000000000{query_name}{qtype}0001"
    src_mac, dst_mac = "f00000000001", "f000000000f0"
    if v6:
        src, dst = "aef00000000000000000000000000004", "aef00000000000000000000000000001"
        req = (f"{dst_mac}{src_mac}86dd6000000000{8 + len(data) // 2:02x}11ff{src}{dst}"
               f"9234003500{8 + len(data) // 2:02x}0000{data}")
    else:
        src, dst = "0a000004", "0a000001"
        req = (f"{dst_mac}{src_mac}0800450000{28 + len(data) // 2:02x}0000000080110000{src}{dst}"
               f"9234003500{8 + len(data) // 2:02x}0000{data}")
    flow, _ = parse(bytes.fromhex(req))
    after = {"eth.src": flow["eth.dst"], "eth.dst": flow["eth.src"], "udp.dst": 0x9234,
             "udp.src": 53}
    if v6:
        after.update({"ip6.src": flow["ip6.dst"], "ip6.dst": flow["ip6.src"]})
    else:
        after.update({"ip4.src": flow["ip4.dst"], "ip4.dst": flow["ip4.src"]})
    out = _respond(bytes.fromhex(req), _action("reg0[4] = dns_lookup();"), after, RECORDS)
    if out is None:
        return None
    verify_checksums(out)
    return out.hex()


def _dns_reply(query_name: str, qtype: str, answers: str, count: int, v6: bool = False) -> str:
    data = f"01028120" f"0001{count:04x}00000000{query_name}{qtype}0001{answers}"
    src_mac, dst_mac = "f00000000001", "f000000000f0"
    if v6:
        src, dst = "aef00000000000000000000000000004", "aef00000000000000000000000000001"
        return (f"{src_mac}{dst_mac}86dd6000000000{8 + len(data) // 2:02x}11ff{dst}{src}"
                f"0035923400{8 + len(data) // 2:02x}XXXX{data}")
    src, dst = "0a000004", "0a000001"
    return (f"{src_mac}{dst_mac}0800450000{28 + len(data) // 2:02x}0000000080110000{dst}{src}"
            f"0035923400{8 + len(data) // 2:02x}0000{data}")


def _cmp(got: str | None, expected: str, skip: slice) -> None:
    assert got is not None
    assert got[: skip.start] == expected[: skip.start] and got[skip.stop :] == expected[
        skip.stop :]


IP_CSUM = slice(48, 52)
UDP6_CSUM = slice(2 * (14 + 40 + 6), 2 * (14 + 40 + 8))


def test_dns_a_records() -> None:
    _cmp(_dns(VM1, "0001"), _dns_reply(VM1, "0001", f"{VM1}00010001{TTL}00040a000004", 1),
         IP_CSUM)
    vm2 = "03766d32036f766e036f726700"
    _cmp(_dns(vm2, "0001"), _dns_reply(
        vm2, "0001", f"{vm2}00010001{TTL}00040a000006{vm2}00010001{TTL}000414000004", 2),
        IP_CSUM)
    upper = "03564d31034f564e034f524700"  # VM1.OVN.ORG: case-insensitive, name copied as asked
    _cmp(_dns(upper, "0001"),
         _dns_reply(upper, "0001", f"{upper}00010001{TTL}00040a000004", 1), IP_CSUM)


def test_dns_aaaa_any_ptr() -> None:
    aaaa = f"{VM1}001c0001{TTL}0010aef00000000000000000000000000004"
    _cmp(_dns(VM1, "001c", v6=True), _dns_reply(VM1, "001c", aaaa, 1, v6=True), UDP6_CSUM)
    _cmp(_dns(VM1, "00ff"), _dns_reply(VM1, "00ff", f"{VM1}00010001{TTL}00040a000004"
                                       + aaaa, 2), IP_CSUM)
    ptr4 = "01340130013002313007696e2d61646472046172706100"
    _cmp(_dns(ptr4, "000c"), _dns_reply(ptr4, "000c", f"{ptr4}000c0001{TTL}000d{VM1}", 1),
         IP_CSUM)
    ptr6 = ("0134013001300130013001300130013001300130013001300130013001300130013001300130013001"
            "300130013001300130013001300130013001660165016103697036046172706100")
    _cmp(_dns(ptr6, "000c"), _dns_reply(ptr6, "000c", f"{ptr6}000c0001{TTL}000d{VM1}", 1),
         IP_CSUM)


def test_dns_not_answered() -> None:
    assert _dns(VM1, "0002") is None  # NS: unsupported type
    assert _dns("03766d33036f766e036f726700", "001c") is None  # no AAAA for vm3
    assert _dns("03766d34036f766e036f726700", "0001") is None  # unknown name
    assert _dns(VM1, "") is None  # incomplete question


# --- IPv6 RA ----------------------------------------------------------------------------------

LRP_MAC, LRP_LLA = "fa163e000001", "fe80000000000000f8163efffe000001"
PREFIX = "fdad1234567800000000000000000000"


def _ra(src_mac: str, src_lla: str, options: str) -> str | None:
    rs = (f"333300000002{src_mac}86dd6000000000103aff{src_lla}ff020000000000000000000000000002"
          f"85000efc000000000101{src_mac}")
    after = {"eth.dst": int(src_mac, 16), "eth.src": int(LRP_MAC, 16),
             "ip6.dst": int(src_lla, 16), "ip6.src": int(LRP_LLA, 16)}
    out = _respond(bytes.fromhex(rs), _action(f"reg0[5] = put_nd_ra_opts({options});"), after)
    if out is None:
        return None
    verify_checksums(out)
    return out.hex()


def _ra_reply(src_mac: str, src_lla: str, mo: str, opts: str) -> str:
    n = 16 + len(opts) // 2
    return (f"{src_mac}{LRP_MAC}86dd6000000000{n:02x}3aff{LRP_LLA}{src_lla}8600XXXXff{mo}ffff"
            f"0000000000000000{opts}")


RA_CSUM = slice(112, 116)


def test_ra_slaac() -> None:
    mac, lla = "fa163e000002", "fe80000000000000f8163efffe000002"
    _cmp(_ra(mac, lla, 'addr_mode = "slaac", slla = fa:16:3e:00:00:01, '
                       'prefix = fdad:1234:5678::/64'),
         _ra_reply(mac, lla, "00", f"0101{LRP_MAC}030440c0ffffffffffffffff00000000{PREFIX}"),
         RA_CSUM)


def test_ra_all_options() -> None:
    mac, lla = "fa163e000003", "fe80000000000000f8163efffe000003"
    opts = ('addr_mode = "slaac", slla = fa:16:3e:00:00:01, mtu = 1500, rdnss = 1000::11, '
            'dnssl = "aa.bb.cc", route_info = "HIGH-1001::11/48,LOW-1002::11/96", '
            'prefix = fdad:1234:5678::/64, router_preference = "LOW"')
    expected = (f"0101{LRP_MAC}05010000000005dc"
                "19030000ffffffff10000000000000000000000000000011"
                "1f030000ffffffff02616102626202636300000000000000"
                "18023008ffffffff1001000000000000"
                "18036018ffffffff10020000000000000000000000000000"
                f"030440c0ffffffffffffffff00000000{PREFIX}")
    _cmp(_ra(mac, lla, opts), _ra_reply(mac, lla, "18", expected), RA_CSUM)


@pytest.mark.parametrize(("mode", "mo", "la"), [("dhcpv6_stateful", "88", "80"),
                                                ("dhcpv6_stateless", "40", "c0")])
def test_ra_dhcpv6_modes(mode: str, mo: str, la: str) -> None:
    mac, lla = "fa163e000004", "fe80000000000000f8163efffe000004"
    pref = ', router_preference = "HIGH"' if mode == "dhcpv6_stateful" else ""
    opts = (f'addr_mode = "{mode}", slla = fa:16:3e:00:00:01, mtu = 1500, '
            f'prefix = fdad:1234:5678::/64{pref}')
    _cmp(_ra(mac, lla, opts), _ra_reply(
        mac, lla, mo, f"0101{LRP_MAC}05010000000005dc030440{la}ffffffffffffffff00000000{PREFIX}"),
        RA_CSUM)


def test_ra_only_for_router_solicitations() -> None:
    ns = ("333300000002fa163e00000286dd6000000000183aff" "fe80000000000000f8163efffe000002"
          "ff020000000000000000000000000002" "87000000" "00000000" + "00" * 16)
    action = _action('reg0[5] = put_nd_ra_opts(addr_mode = "slaac", slla = 00:00:00:00:00:01,'
                     ' prefix = aef0::/64);')
    assert _respond(bytes.fromhex(ns), action, {}) is None
