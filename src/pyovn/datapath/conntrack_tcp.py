"""TCP connection states and conntrack timeouts for ``pyovn.datapath.conntrack``.

A TCP connection is one of the states below; each segment is classified by its flags
(``segment``) and the next state is looked up in ``TCP_RULES``, a table written as data: the
state, which side sent the segment, the segment kind, the next state.  A segment the table does
not list for that state is invalid (``ct.inv``): it does not change the connection.

Sides: before the close starts a segment comes from ``orig`` (the side that opened) or
``reply``; in FIN_WAIT, CLOSE_WAIT and LAST_ACK it comes from the ``closer`` (the side whose
FIN came first) or its ``peer`` -- the connection records which side closed first.  Sequence
numbers and windows are not checked (as with ``ovs-appctl dpctl/ct-disable-tcp-seq-chk`` or
Linux's ``nf_conntrack_tcp_be_liberal``): the microflow carries no sequence numbers.

The close follows RFC 793 as a connection tracker sees it: a FIN from one side (FIN_WAIT), the
peer acknowledges it (CLOSE_WAIT), the peer's FIN (LAST_ACK), the closer acknowledges that
(TIME_WAIT); a simultaneous close goes FIN_WAIT -> LAST_ACK -> TIME_WAIT.  A RST closes from any
state (CLOSE).  A SYN from the original side in TIME_WAIT or CLOSE reopens: the old entry is
forgotten and the SYN starts a new connection.

Timeouts are the userspace datapath's defaults, under the key names of ovs-vswitchd.conf.db(5)'s
CT_Timeout_Policy table (seconds); ``other_*`` are for protocols conntrack tracks without a
state machine (SCTP, GRE...).
"""

from __future__ import annotations

__all__ = [
    "CLOSE",
    "CLOSE_WAIT",
    "DEFAULT_TIMEOUTS",
    "ESTABLISHED",
    "FIN_WAIT",
    "INVALID",
    "LAST_ACK",
    "REOPEN",
    "SEG_ACK",
    "SEG_FIN",
    "SEG_INVALID",
    "SEG_RST",
    "SEG_SYN",
    "SEG_SYNACK",
    "STATE_NAMES",
    "SYN_RECV",
    "SYN_SENT",
    "SYN_SENT2",
    "TCP_NEXT",
    "TCP_RULES",
    "TCP_SEGMENT",
    "TIME_WAIT",
    "segment",
    "tcp_index",
    "tcp_timeout_key",
]

# --- states ---------------------------------------------------------------------------------

SYN_SENT, SYN_SENT2, SYN_RECV, ESTABLISHED = 1, 2, 3, 4
FIN_WAIT, CLOSE_WAIT, LAST_ACK = 5, 6, 7  # sides are closer/peer in these
TIME_WAIT, CLOSE = 8, 9
STATE_NAMES = {
    SYN_SENT: "SYN_SENT", SYN_SENT2: "SYN_SENT2", SYN_RECV: "SYN_RECV",
    ESTABLISHED: "ESTABLISHED", FIN_WAIT: "FIN_WAIT", CLOSE_WAIT: "CLOSE_WAIT",
    LAST_ACK: "LAST_ACK", TIME_WAIT: "TIME_WAIT", CLOSE: "CLOSE",
}
_BY_NAME = {v: k for k, v in STATE_NAMES.items()}
# Results of a step that are not states.
INVALID, REOPEN = -1, -2

# --- segments -------------------------------------------------------------------------------

SEG_SYN, SEG_SYNACK, SEG_FIN, SEG_ACK, SEG_RST, SEG_INVALID = range(6)
_SEG_NAMES = {"SYN": SEG_SYN, "SYNACK": SEG_SYNACK, "FIN": SEG_FIN, "ACK": SEG_ACK,
              "RST": SEG_RST}
_FIN, _SYN, _RST, _ACK = 0x01, 0x02, 0x04, 0x10


def segment(flags: int) -> int:
    """The kind of a segment with TCP ``flags`` (``tcp.flags``, 12 bits).

    PSH, URG, ECE, CWR and NS do not change the kind.  Of FIN/SYN/RST/ACK the valid
    combinations are SYN, SYN+ACK, RST (with or without ACK), FIN+ACK and ACK; anything else --
    no flags, a FIN without ACK, SYN with FIN or RST, FIN with RST -- is invalid."""
    f = flags & (_FIN | _SYN | _RST | _ACK)
    if f == _SYN:
        return SEG_SYN
    if f == _SYN | _ACK:
        return SEG_SYNACK
    if f in (_RST, _RST | _ACK):
        return SEG_RST
    if f == _FIN | _ACK:
        return SEG_FIN
    if f == _ACK:
        return SEG_ACK
    return SEG_INVALID


TCP_SEGMENT: tuple[int, ...] = tuple(segment(f) for f in range(1 << 12))

# --- transitions ----------------------------------------------------------------------------

# state       side    segment   next
TCP_RULES = """
SYN_SENT      orig    SYN       SYN_SENT
SYN_SENT      reply   SYNACK    SYN_RECV
SYN_SENT      reply   SYN       SYN_SENT2
SYN_SENT      any     RST       CLOSE
SYN_SENT2     any     SYN       SYN_SENT2
SYN_SENT2     any     SYNACK    SYN_RECV
SYN_SENT2     any     RST       CLOSE
SYN_RECV      orig    SYN       SYN_RECV
SYN_RECV      any     SYNACK    SYN_RECV
SYN_RECV      orig    ACK       ESTABLISHED
SYN_RECV      reply   ACK       SYN_RECV
SYN_RECV      any     FIN       FIN_WAIT
SYN_RECV      any     RST       CLOSE
ESTABLISHED   any     ACK       ESTABLISHED
ESTABLISHED   reply   SYNACK    ESTABLISHED
ESTABLISHED   any     FIN       FIN_WAIT
ESTABLISHED   any     RST       CLOSE
FIN_WAIT      any     ACK       FIN_WAIT
FIN_WAIT      closer  FIN       FIN_WAIT
FIN_WAIT      peer    ACK       CLOSE_WAIT
FIN_WAIT      peer    FIN       LAST_ACK
FIN_WAIT      any     RST       CLOSE
CLOSE_WAIT    any     ACK       CLOSE_WAIT
CLOSE_WAIT    closer  FIN       CLOSE_WAIT
CLOSE_WAIT    peer    FIN       LAST_ACK
CLOSE_WAIT    any     RST       CLOSE
LAST_ACK      peer    ACK       LAST_ACK
LAST_ACK      any     FIN       LAST_ACK
LAST_ACK      closer  ACK       TIME_WAIT
LAST_ACK      any     RST       CLOSE
TIME_WAIT     orig    SYN       REOPEN
TIME_WAIT     any     ACK       TIME_WAIT
TIME_WAIT     any     FIN       TIME_WAIT
TIME_WAIT     any     RST       CLOSE
CLOSE         orig    SYN       REOPEN
CLOSE         any     ACK       CLOSE
CLOSE         any     FIN       CLOSE
CLOSE         any     RST       CLOSE
"""
# Rows are read in order; a more specific side listed after "any" overrides it.


def tcp_index(state: int, side: int, seg: int) -> int:
    """Index into ``TCP_NEXT``; ``side`` 0 = orig/closer, 1 = reply/peer."""
    return (state << 4) | (side << 3) | seg


def _build() -> list[int]:
    table = [INVALID] * (16 << 4)
    sides = {"orig": (0,), "closer": (0,), "reply": (1,), "peer": (1,), "any": (0, 1)}
    for line in TCP_RULES.strip().splitlines():
        state, side, seg, nxt = line.split()
        target = REOPEN if nxt == "REOPEN" else _BY_NAME[nxt]
        for s in sides[side]:
            table[tcp_index(_BY_NAME[state], s, _SEG_NAMES[seg])] = target
    return table


TCP_NEXT: list[int] = _build()

# --- timeouts -------------------------------------------------------------------------------

DEFAULT_TIMEOUTS: dict[str, float] = {
    "tcp_syn_sent": 30,
    "tcp_syn_sent2": 30,
    "tcp_syn_recv": 30,
    "tcp_established": 24 * 3600,
    "tcp_fin_wait": 15 * 60,  # one side closed (the userspace datapath's "closing" timer)
    "tcp_close_wait": 15 * 60,
    "tcp_last_ack": 45,  # both sides closed
    "tcp_time_wait": 45,
    "tcp_close": 30,
    "tcp_unack": 30,  # established by a mid-stream pick-up, no reply seen yet
    "udp_first": 60,
    "udp_single": 60,
    "udp_multiple": 30,
    "icmp_first": 60,
    "icmp_reply": 30,
    "other_first": 60,
    "other_multiple": 60,
    "other_bidir": 30,
}

_TCP_TIMEOUT_KEYS = {
    SYN_SENT: "tcp_syn_sent", SYN_SENT2: "tcp_syn_sent2", SYN_RECV: "tcp_syn_recv",
    ESTABLISHED: "tcp_established", FIN_WAIT: "tcp_fin_wait", CLOSE_WAIT: "tcp_close_wait",
    LAST_ACK: "tcp_last_ack", TIME_WAIT: "tcp_time_wait", CLOSE: "tcp_close",
}


def tcp_timeout_key(state: int, seen_reply: bool) -> str:
    if state == ESTABLISHED and not seen_reply:
        return "tcp_unack"
    return _TCP_TIMEOUT_KEYS[state]
