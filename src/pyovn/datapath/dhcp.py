"""``put_dhcp_opts`` and ``put_dhcpv6_opts``: the DHCP server part ovn-controller plays.

Work is split as in OVN (ovn-northd(8), ls_in_dhcp_options / ls_in_dhcp_response): the action
turns the request in the packet into the reply -- the UDP payload, plus for DHCPv4 the IPv4
destination (the offered address, or 255.255.255.255 when the client set the BROADCAST flag)
-- and returns the new frame, which sets the result bit; the next stage's flow swaps the
Ethernet addresses, sets the server's IP source and the ports, and outputs.  ``None``: not a
request the action answers; the packet goes on unchanged and the bit is 0.

DHCPv4 (RFC 2131/2132), as ovn-controller 23.03 answers:
  DISCOVER -> OFFER; REQUEST -> ACK, or NAK when the requested address (option 50, else ciaddr)
  is not ``offerip``; INFORM -> ACK without yiaddr and without options 1, 51, 58, 59.  RELEASE
  and DECLINE are logged and not answered.  The reply keeps the request's BOOTP header (xid,
  flags, giaddr, chaddr...) with op = BOOTREPLY, yiaddr = offerip (0 for NAK and INFORM) and
  siaddr = ``next_server`` when given; options: 53 first, then bootfile (67: ``bootfile_name``
  for an iPXE/Etherboot client -- option 175 in the request -- else ``bootfile_name_alt`` when
  given), ``next_server`` (253, also sent as an option, as OVN does), then the others in the
  action's order, then 4 pad bytes, END and 4 pad bytes; a NAK carries only option 53.  UDP
  checksum 0.  Values by option type: ipv4 (one or more addresses), static_routes (RFC 3442
  destination descriptors + router), str, host_id (an address or a string), domains (RFC 1035
  names, compressed, RFC 3397), bool/uint8/uint16/uint32.  Options longer than 255 bytes are
  split (RFC 3396).

DHCPv6 (RFC 8415 subset): SOLICIT -> ADVERTISE; REQUEST, CONFIRM, DECLINE, INFORMATION-REQUEST
  -> REPLY (OVN 23.03 answers nothing else).  The request must carry a Client Identifier and,
  except INFORMATION-REQUEST, an IA_NA.  Reply: message type, the request's transaction id, its
  Client Identifier, then in the action's order Server Identifier (DUID-LL of ``server_id``),
  IA_NA (the request's IAID, T1 = T2 = infinity) holding ``ia_addr`` (lifetimes infinity; left
  out for INFORMATION-REQUEST), DNS servers (23), domain search list (24, RFC 1035 names -- OVN
  23.03 writes the string as one label).  ``rapid_commit=True`` answers a SOLICIT carrying
  Rapid Commit with a REPLY carrying it (RFC 8415 18.3.1; OVN 23.03 does not: default off).
"""

from __future__ import annotations

import logging
import struct
from collections.abc import Iterator

from pyovn.datapath.dns import encode_names
from pyovn.datapath.packet import L4_UDP, Packet, parse, serialize, with_udp_payload
from pyovn.logical.actions_ast import GenOption, PutOpts
from pyovn.logical.flow import Flow, format_ip4, format_mac

__all__ = ["dhcp_options", "put_dhcp_opts", "put_dhcpv6_opts"]

log = logging.getLogger(__name__)

DHCP_MAGIC = 0x63825363
DHCPDISCOVER, DHCPOFFER, DHCPREQUEST, DHCPDECLINE = 1, 2, 3, 4
DHCPACK, DHCPNAK, DHCPRELEASE, DHCPINFORM = 5, 6, 7, 8
OPT_PAD, OPT_END, OPT_MSG_TYPE, OPT_REQ_IP = 0, 255, 53, 50
OPT_NETMASK, OPT_LEASE, OPT_T1, OPT_T2 = 1, 51, 58, 59
OPT_BOOTFILE, OPT_ETHERBOOT, OPT_NEXT_SERVER, OPT_BOOTFILE_ALT = 67, 175, 253, 254
BOOTP_LEN = 236

V6_SOLICIT, V6_ADVERTISE, V6_REQUEST, V6_CONFIRM = 1, 2, 3, 4
V6_REPLY, V6_DECLINE, V6_INFO_REQ = 7, 9, 11
V6_CLIENT_ID, V6_SERVER_ID, V6_IA_NA, V6_IA_ADDR = 1, 2, 3, 5
V6_RAPID_COMMIT, V6_DNS, V6_DOMAIN_LIST = 14, 23, 24
INFINITY = 0xFFFFFFFF


# --- DHCPv4 ----------------------------------------------------------------------------------


def _prefix_len(mask: int | None) -> int:
    return 32 if mask is None else bin(mask & 0xFFFFFFFF).count("1")


def _value(o: GenOption) -> bytes:
    vals = o.value.values
    t = o.option.type
    v0 = vals[0].value
    if t in ("bool", "uint8"):
        return bytes((int(v0) & 0xFF,))
    if t == "uint16":
        return (int(v0) & 0xFFFF).to_bytes(2, "big")
    if t == "uint32":
        return (int(v0) & 0xFFFFFFFF).to_bytes(4, "big")
    if t == "ipv4":
        return b"".join((int(c.value) & 0xFFFFFFFF).to_bytes(4, "big") for c in vals)
    if t == "static_routes":  # RFC 3442: width, significant octets of the destination, router
        out = bytearray()
        for i in range(0, len(vals) - 1, 2):
            dst, router = vals[i], vals[i + 1]
            plen = _prefix_len(dst.mask)
            out.append(plen)
            out += (int(dst.value) & 0xFFFFFFFF).to_bytes(4, "big")[: (plen + 7) // 8]
            out += (int(router.value) & 0xFFFFFFFF).to_bytes(4, "big")
        return bytes(out)
    if t == "domains":
        return encode_names(str(v0).split(","))
    if isinstance(v0, str):  # str, host_id given as a name
        return v0.encode()
    return (v0 & 0xFFFFFFFF).to_bytes(4, "big")  # host_id given as an address


def _tlv(code: int, data: bytes) -> bytes:
    if not data:
        return bytes((code, 0))
    return b"".join(bytes((code, len(data[i : i + 255]))) + data[i : i + 255]
                    for i in range(0, len(data), 255))


def dhcp_options(action: PutOpts, etherboot: bool = False, inform: bool = False) -> bytes:
    """The reply options ``put_dhcp_opts`` writes after option 53 (see the module docstring)."""
    by_code = {o.option.code: o for o in action.options}
    out = bytearray()
    boot, alt = by_code.get(OPT_BOOTFILE), by_code.get(OPT_BOOTFILE_ALT)
    chosen = boot if boot is not None and (etherboot or alt is None) else alt
    if chosen is not None:
        out += _tlv(OPT_BOOTFILE, _value(chosen))
    nxt = by_code.get(OPT_NEXT_SERVER)
    if nxt is not None:
        out += _tlv(OPT_NEXT_SERVER, _value(nxt))
    skip = {0, OPT_BOOTFILE, OPT_BOOTFILE_ALT, OPT_NEXT_SERVER}
    if inform:
        skip |= {OPT_NETMASK, OPT_LEASE, OPT_T1, OPT_T2}
    for o in action.options:
        if o.option.code not in skip:
            out += _tlv(o.option.code, _value(o))
    return bytes(out)


def _options(data: bytes, start: int, end: int) -> Iterator[tuple[int, bytes]]:
    o = start
    while o < end:
        code = data[o]
        if code == OPT_END:
            return
        if code == OPT_PAD:
            o += 1
            continue
        if o + 2 > end or o + 2 + data[o + 1] > end:
            return
        n = data[o + 1]
        yield code, data[o + 2 : o + 2 + n]
        o += 2 + n


def _ipv4(o: GenOption | None) -> int:
    if o is None or not o.value.values:
        return 0
    v = o.value.values[0].value
    return v & 0xFFFFFFFF if isinstance(v, int) else 0


def put_dhcp_opts(flow: Flow, packet: Packet, action: PutOpts) -> bytes | None:
    """The DHCPv4 reply frame for the request in ``packet`` (with ``flow``'s changes applied),
    or None when the action does not answer it."""
    frame = serialize(flow, packet)
    _, p = parse(frame)
    if p.l4kind != L4_UDP or p.l3kind != 4:
        return None
    udp = p.l4
    end = min(p.end, udp + int.from_bytes(frame[udp + 4 : udp + 6], "big"))
    bootp = udp + 8
    if end < bootp + BOOTP_LEN + 4 or frame[bootp] != 1:
        return None
    if int.from_bytes(frame[bootp + BOOTP_LEN : bootp + BOOTP_LEN + 4], "big") != DHCP_MAGIC:
        return None
    by_code = {o.option.code: o for o in action.options}
    offer = _ipv4(by_code.get(0))
    ciaddr = int.from_bytes(frame[bootp + 12 : bootp + 16], "big")
    msg = None
    requested = ciaddr
    etherboot = False
    for code, data in _options(frame, bootp + BOOTP_LEN + 4, end):
        if code == OPT_MSG_TYPE and len(data) == 1:
            msg = data[0]
        elif code == OPT_REQ_IP and len(data) == 4:
            requested = int.from_bytes(data, "big")
        elif code == OPT_ETHERBOOT:
            etherboot = True
    chaddr = int.from_bytes(frame[6:12], "big")
    if msg == DHCPDISCOVER:
        reply = DHCPOFFER
    elif msg == DHCPREQUEST:
        reply = DHCPACK
        if requested != offer:
            log.warning("DHCPREQUEST requested IP %s does not match offer %s",
                        format_ip4(requested), format_ip4(offer))
            reply = DHCPNAK
    elif msg == DHCPINFORM:
        reply = DHCPACK
        log.info("DHCPINFORM from %s %s", format_mac(chaddr),
                 format_ip4(int.from_bytes(frame[p.l3 + 12 : p.l3 + 16], "big")))
    else:
        if msg == DHCPRELEASE:
            log.info("DHCPRELEASE %s %s", format_mac(chaddr), format_ip4(ciaddr))
        elif msg == DHCPDECLINE and requested == offer:
            log.info("DHCPDECLINE from %s, %s duplicated", format_mac(chaddr), format_ip4(offer))
        return None
    head = bytearray(frame[bootp : bootp + BOOTP_LEN])
    head[0] = 2  # BOOTREPLY
    if msg != DHCPINFORM:
        head[16:20] = (0 if reply == DHCPNAK else offer).to_bytes(4, "big")
        if reply == DHCPNAK:
            head[20:24] = b"\0\0\0\0"
        elif OPT_NEXT_SERVER in by_code:
            head[20:24] = _ipv4(by_code[OPT_NEXT_SERVER]).to_bytes(4, "big")
    else:
        head[16:20] = b"\0\0\0\0"
    opts = b"" if reply == DHCPNAK else dhcp_options(action, etherboot, msg == DHCPINFORM)
    payload = (
        bytes(head) + DHCP_MAGIC.to_bytes(4, "big") + bytes((OPT_MSG_TYPE, 1, reply)) + opts
        + b"\0\0\0\0" + bytes((OPT_END,)) + b"\0\0\0\0"
    )
    broadcast = frame[bootp + 10] & 0x80
    log.info("DHCP%s %s %s", {DHCPOFFER: "OFFER", DHCPACK: "ACK"}.get(reply, "NAK"),
             format_mac(int.from_bytes(frame[6:12], "big")), format_ip4(offer))
    return with_udp_payload(frame, p, payload, ip4_dst=0xFFFFFFFF if broadcast else offer)


# --- DHCPv6 ----------------------------------------------------------------------------------


def _v6_options(data: bytes, start: int, end: int) -> Iterator[tuple[int, int, bytes]]:
    o = start
    while o + 4 <= end:
        code, n = struct.unpack_from("!HH", data, o)
        if o + 4 + n > end:
            return
        yield code, o, data[o + 4 : o + 4 + n]
        o += 4 + n


def put_dhcpv6_opts(flow: Flow, packet: Packet, action: PutOpts, *,
                    rapid_commit: bool = False) -> bytes | None:
    """The DHCPv6 reply frame for the request in ``packet`` (with ``flow``'s changes applied),
    or None when the action does not answer it."""
    frame = serialize(flow, packet)
    _, p = parse(frame)
    if p.l4kind != L4_UDP or p.l3kind != 6:
        return None
    udp = p.l4
    end = min(p.end, udp + int.from_bytes(frame[udp + 4 : udp + 6], "big"))
    msg_start = udp + 8
    if end < msg_start + 4:
        return None
    msg = frame[msg_start]
    client_id = None
    iaid = None
    rapid = False
    for code, o, data in _v6_options(frame, msg_start + 4, end):
        if code == V6_CLIENT_ID and client_id is None:
            client_id = frame[o : o + 4 + len(data)]
        elif code == V6_IA_NA and len(data) >= 4 and iaid is None:
            iaid = data[:4]
        elif code == V6_RAPID_COMMIT:
            rapid = True
    if msg == V6_SOLICIT:
        reply = V6_REPLY if rapid and rapid_commit else V6_ADVERTISE
    elif msg in (V6_REQUEST, V6_CONFIRM, V6_DECLINE, V6_INFO_REQ):
        reply = V6_REPLY
    else:
        return None
    if client_id is None:
        log.warning("DHCPv6 option - Client id not present in the DHCPv6 packet")
        return None
    if iaid is None and msg != V6_INFO_REQ:
        log.warning("DHCPv6 option - IA NA not present in the DHCPv6 packet")
        return None
    out = bytearray((reply,)) + frame[msg_start + 1 : msg_start + 4] + client_id
    for opt in action.options:
        code = opt.option.code
        vals = opt.value.values
        if code == V6_SERVER_ID:
            mac = int(vals[0].value) & 0xFFFFFFFFFFFF
            out += struct.pack("!HHHH", V6_SERVER_ID, 10, 3, 1) + mac.to_bytes(6, "big")
        elif code == V6_IA_ADDR:
            if iaid is None:
                continue
            addr = (int(vals[0].value) & ((1 << 128) - 1)).to_bytes(16, "big")
            out += struct.pack("!HH", V6_IA_NA, 40) + iaid + struct.pack("!II", INFINITY,
                                                                          INFINITY)
            out += struct.pack("!HH", V6_IA_ADDR, 24) + addr + struct.pack("!II", INFINITY,
                                                                            INFINITY)
        elif code == V6_DNS:
            data = b"".join((int(c.value) & ((1 << 128) - 1)).to_bytes(16, "big") for c in vals)
            out += struct.pack("!HH", V6_DNS, len(data)) + data
        elif code == V6_DOMAIN_LIST:
            data = encode_names(str(vals[0].value).split(","), compress=False)
            out += struct.pack("!HH", V6_DOMAIN_LIST, len(data)) + data
    if reply == V6_REPLY and msg == V6_SOLICIT:
        out += struct.pack("!HH", V6_RAPID_COMMIT, 0)
    return with_udp_payload(frame, p, bytes(out))
