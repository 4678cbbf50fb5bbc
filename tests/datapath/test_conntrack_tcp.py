"""Conntrack's TCP state machine: scripted conversations (data) and generated ones."""

from __future__ import annotations

from ipaddress import ip_address

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pyovn.datapath.conntrack import CS_EST, CS_INV, CS_NEW, CS_REL, CS_RPL, CS_TRK, Conntrack
from pyovn.datapath.conntrack_tcp import SEG_INVALID, STATE_NAMES, TCP_RULES, segment
from pyovn.logical.flow import Flow

A, B = int(ip_address("10.0.0.1")), int(ip_address("10.0.0.2"))
FLAGS = {"F": 0x01, "S": 0x02, "R": 0x04, "P": 0x08, "A": 0x10, "U": 0x20}
ZONE = 7


def pkt(side: str, flags: int) -> Flow:
    """A segment of the connection A:1000 -> B:80 (``o``) or its reply (``r``)."""
    src, dst, sp, dp = (A, B, 1000, 80) if side == "o" else (B, A, 80, 1000)
    return {"eth.type": 0x800, "ip.proto": 6, "ip4.src": src, "ip4.dst": dst,
            "tcp.src": sp, "tcp.dst": dp, "tcp.flags": flags}


def flags_of(text: str) -> int:
    return sum(FLAGS[c] for c in text) if text != "-" else 0


def states(ct_state: int) -> str:
    names = [n for n, b in (("new", CS_NEW), ("est", CS_EST), ("rel", CS_REL),
                            ("rpl", CS_RPL), ("inv", CS_INV)) if ct_state & b]
    assert ct_state & CS_TRK
    return "|".join(names)


def send(ct: Conntrack, side: str, flags: int, now: float = 0.0) -> int:
    """What OVN's stateful pipeline does: track, commit a new connection."""
    f = pkt(side, flags)
    ct.lookup(ZONE, f, now)
    if f["ct_state"] & CS_NEW:
        ct.commit(ZONE, f, now)
    return int(f["ct_state"])


def tcp_state(ct: Conntrack) -> str:
    es = ct.entries(ZONE)
    assert len(es) <= 1
    return es[0].state if es else "NONE"


# Each scenario: lines "side flags ct_state state-after" (flags: S SYN, A ACK, F FIN, R RST,
# P PSH, U URG; - none).
SCENARIOS = {
    "client closes": """
        o S   new      SYN_SENT
        r SA  est|rpl  SYN_RECV
        o A   est      ESTABLISHED
        o PA  est      ESTABLISHED
        r PA  est|rpl  ESTABLISHED
        o FA  est      FIN_WAIT
        r A   est|rpl  CLOSE_WAIT
        r PA  est|rpl  CLOSE_WAIT
        o A   est      CLOSE_WAIT
        r FA  est|rpl  LAST_ACK
        o A   est      TIME_WAIT
    """,
    "server closes": """
        o S   new      SYN_SENT
        r SA  est|rpl  SYN_RECV
        o A   est      ESTABLISHED
        r FA  est|rpl  FIN_WAIT
        o A   est      CLOSE_WAIT
        o FA  est      LAST_ACK
        r A   est|rpl  TIME_WAIT
    """,
    "FIN answered by FIN": """
        o S   new      SYN_SENT
        r SA  est|rpl  SYN_RECV
        o A   est      ESTABLISHED
        o FA  est      FIN_WAIT
        r FA  est|rpl  LAST_ACK
        o A   est      TIME_WAIT
        r A   est|rpl  TIME_WAIT
    """,
    "simultaneous open": """
        o S   new      SYN_SENT
        r S   est|rpl  SYN_SENT2
        o SA  est      SYN_RECV
        r SA  est|rpl  SYN_RECV
        o A   est      ESTABLISHED
        r A   est|rpl  ESTABLISHED
    """,
    "retransmissions": """
        o S   new      SYN_SENT
        o S   new      SYN_SENT
        r SA  est|rpl  SYN_RECV
        r SA  est|rpl  SYN_RECV
        o A   est      ESTABLISHED
        r SA  est|rpl  ESTABLISHED
        o FA  est      FIN_WAIT
        o FA  est      FIN_WAIT
        r FA  est|rpl  LAST_ACK
        r FA  est|rpl  LAST_ACK
        o A   est      TIME_WAIT
        o A   est      TIME_WAIT
        r FA  est|rpl  TIME_WAIT
    """,
    "connection refused": """
        o S   new      SYN_SENT
        r RA  est|rpl  CLOSE
        o A   est      CLOSE
    """,
    "reset when established": """
        o S   new      SYN_SENT
        r SA  est|rpl  SYN_RECV
        o A   est      ESTABLISHED
        o R   est      CLOSE
        r A   est|rpl  CLOSE
    """,
    "invalid segments change nothing": """
        o SA  inv      NONE
        r R   inv      NONE
        o -   inv      NONE
        o F   inv      NONE
        o SF  inv      NONE
        o S   new      SYN_SENT
        o A   inv      SYN_SENT
        o SR  inv      SYN_SENT
        r A   inv      SYN_SENT
        o SA  inv      SYN_SENT
        r SA  est|rpl  SYN_RECV
        o A   est      ESTABLISHED
        o S   inv      ESTABLISHED
        r S   inv      ESTABLISHED
        o FR  inv      ESTABLISHED
        o PU  inv      ESTABLISHED
    """,
    "SYN after TIME_WAIT reopens": """
        o S   new      SYN_SENT
        r SA  est|rpl  SYN_RECV
        o A   est      ESTABLISHED
        o FA  est      FIN_WAIT
        r FA  est|rpl  LAST_ACK
        o A   est      TIME_WAIT
        r S   inv      TIME_WAIT
        o S   new      SYN_SENT
        r SA  est|rpl  SYN_RECV
    """,
    "SYN after RST reopens": """
        o S   new      SYN_SENT
        r RA  est|rpl  CLOSE
        o S   new      SYN_SENT
    """,
    "mid-stream pick-up": """
        o PA  new      ESTABLISHED
        o A   new      ESTABLISHED
        r A   est|rpl  ESTABLISHED
        r FA  est|rpl  FIN_WAIT
    """,
    "pick-up of a closing connection": """
        r FA  new      FIN_WAIT
        o A   est|rpl  CLOSE_WAIT
    """,
}


@pytest.mark.parametrize("name", list(SCENARIOS))
def test_scenario(name: str) -> None:
    ct = Conntrack()
    for n, line in enumerate(SCENARIOS[name].strip().splitlines()):
        side, flags, want_ct, want_state = line.split()
        got = states(send(ct, side, flags_of(flags), now=float(n)))
        assert (got, tcp_state(ct)) == (want_ct, want_state), f"line {n + 1}: {line.strip()}"


def test_strict_mode_refuses_mid_stream() -> None:
    ct = Conntrack(tcp_loose=False)
    assert states(send(ct, "o", flags_of("A"))) == "inv"
    assert states(send(ct, "o", flags_of("FA"))) == "inv"
    assert tcp_state(ct) == "NONE"
    assert states(send(ct, "o", flags_of("S"))) == "new"


def test_segment_kinds() -> None:
    # PSH/URG/ECE/CWR do not change a segment's kind; FIN needs ACK.
    assert segment(0x02 | 0x40 | 0x80) == segment(0x02)
    assert segment(0x18) == segment(0x10)
    assert segment(0x01) == SEG_INVALID
    assert segment(0x00) == SEG_INVALID
    assert segment(0x03) == SEG_INVALID
    assert segment(0x06) == SEG_INVALID


def test_rules_table_names_known_states() -> None:
    names = set(STATE_NAMES.values()) | {"REOPEN"}
    for line in TCP_RULES.strip().splitlines():
        state, _side, _seg, nxt = line.split()
        assert state in names and nxt in names


# --- generated conversations ----------------------------------------------------------------

@st.composite
def conversations(draw: st.DrawFn) -> tuple[list[tuple[str, str]], str]:
    """A valid conversation (side, flags) and the state it must end in."""
    steps: list[tuple[str, str]] = []
    if draw(st.booleans()):
        steps += [("o", "S")] * draw(st.integers(1, 3))
        steps += [("r", "SA")] * draw(st.integers(1, 2))
        steps += [("o", "A")]
    else:
        steps += [("o", "S"), ("r", "S"), ("o", "SA"), ("r", "SA"), ("o", "A"), ("r", "A")]
    for _ in range(draw(st.integers(0, 6))):
        steps.append((draw(st.sampled_from("or")), draw(st.sampled_from(["A", "PA", "UA"]))))
    if draw(st.integers(0, 5)) == 0:
        steps.append((draw(st.sampled_from("or")), draw(st.sampled_from(["R", "RA"]))))
        steps += [(draw(st.sampled_from("or")), "A") for _ in range(draw(st.integers(0, 2)))]
        return steps, "CLOSE"
    c = draw(st.sampled_from("or"))
    p = "r" if c == "o" else "o"
    style = draw(st.sampled_from(["four-way", "fin-ack", "simultaneous"]))
    if style == "four-way":
        close = [(c, "FA"), (p, "A")]
        close += [(p, "PA"), (c, "A")] * draw(st.integers(0, 2))
        close += [(p, "FA"), (c, "A")]
    elif style == "fin-ack":
        close = [(c, "FA"), (p, "FA"), (c, "A")]
    else:
        close = [(c, "FA"), (p, "FA"), (p, "A"), (c, "A")]
    # Retransmit some of the closing segments.
    out = []
    for s in close:
        out.append(s)
        if draw(st.integers(0, 3)) == 0:
            out.append(s)
    return steps + out, "TIME_WAIT"


@settings(max_examples=300, deadline=None)
@given(conversations())
def test_valid_conversations_end_in_expected_state(conv: tuple[list[tuple[str, str]], str]
                                                   ) -> None:
    steps, final = conv
    ct = Conntrack()
    replied = False
    for n, (side, flags) in enumerate(steps):
        got = send(ct, side, flags_of(flags), now=float(n))
        assert not got & CS_INV, (n, side, flags, tcp_state(ct))
        replied = replied or side == "r"
        if side == "r":
            assert states(got) == "est|rpl"
        else:
            assert states(got) == ("est" if replied else "new")
    assert tcp_state(ct) == final


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.sampled_from("or"), st.integers(0, 0x3F)), max_size=25))
def test_any_segments_keep_ct_state_invariants(steps: list[tuple[str, int]]) -> None:
    """ovs-fields(7)'s constraints hold whatever arrives; an invalid segment changes
    nothing."""
    ct = Conntrack()
    for n, (side, flags) in enumerate(steps):
        before = [(e.state, e.orig) for e in ct.entries()]
        got = send(ct, side, flags, now=float(n))
        assert got & CS_TRK
        if got & CS_INV:
            assert got == CS_TRK | CS_INV
            assert [(e.state, e.orig) for e in ct.entries()] == before
        assert not (got & CS_NEW and got & CS_EST)
        assert not (got & CS_NEW and got & CS_RPL)


@settings(max_examples=200, deadline=None)
@given(conversations(), st.lists(st.booleans(), min_size=40, max_size=40))
def test_a_second_pass_through_the_zone_changes_nothing(
        conv: tuple[list[tuple[str, str]], str], twice: list[bool]) -> None:
    """OVN often sends one packet through a zone twice (ct_next then ct_commit, ct_lb then
    ct_commit): the second pass must not move the connection on."""
    steps, final = conv
    once, double = Conntrack(), Conntrack()
    for n, (side, flags) in enumerate(steps):
        a = send(once, side, flags_of(flags), now=float(n))
        f = pkt(side, flags_of(flags))
        double.lookup(ZONE, f, float(n))
        first = f["ct_state"]
        if first & CS_NEW:
            double.commit(ZONE, f, float(n))
        if twice[n % len(twice)]:
            double.commit(ZONE, f, float(n))
        else:
            double.lookup(ZONE, f, float(n))
        assert first == a and f["ct_state"] == a
    assert tcp_state(once) == tcp_state(double) == final
