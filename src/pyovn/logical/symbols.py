"""The symbol table of the OVN 23.03 logical flow language, as data.

A symbol is one of four kinds (ovn-sb(5) "Symbols"):
  FIELD      a packet or metadata field, stored in the microflow under a *base* key;
  SUBFIELD   a bit range of another symbol (``vlan.vid`` = ``vlan.tci[0..11]``, ``ct.est`` =
             ``ct_state[1]``, ``reg0`` = ``xxreg0[96..127]``);
  PREDICATE  a name for a Boolean expression (``ip4`` = ``eth.type == 0x800``);
  STRING     a string field (``inport``, ``outport``).

Storage (pyovn's flow model, see ``pyovn.logical``): every non-predicate symbol is stored as one
or more *segments* ``(base, ofs, n_bits)`` of microflow keys, least significant first.  The
32-bit registers ``reg0``..``reg9`` are the base keys; ``xreg0``..``xreg4`` (64 bits) and
``xxreg0``/``xxreg1`` (128 bits) are views concatenating them, ``reg0`` being the most
significant word of ``xxreg0`` (as in OVN).  ``rarp.*`` shares the ``arp.*`` keys, as OVN's
symbols share the OpenFlow fields.  Everything else has a key named like the symbol.

Level of measurement, widths, writability and "must crossproduct" are those OVN 23.03's
``ovn_init_symtab`` gives them (derived from Open vSwitch 3.1's field properties: a field that
OpenFlow can mask bitwise is ordinal, others nominal; a predicate is nominal when its expansion
tests a nominal field, Boolean otherwise).  The table is written out below as data.
"""

from __future__ import annotations

import enum
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import NamedTuple

__all__ = [
    "BASE_WIDTHS",
    "Level",
    "Segment",
    "Symbol",
    "SymbolKind",
    "SymbolTable",
    "WriteScope",
    "default_symtab",
]


class SymbolKind(enum.Enum):
    FIELD = "field"
    SUBFIELD = "subfield"
    PREDICATE = "predicate"
    STRING = "string"


class Level(enum.IntEnum):
    """Level of measurement; ordered as OVN orders them (the minimum wins in a predicate)."""

    NOMINAL = 0
    BOOLEAN = 1
    ORDINAL = 2


class WriteScope(enum.Flag):
    """Where an action may assign a symbol: nowhere, in plain actions, inside ``ct_commit``."""

    NONE = 0
    DEFAULT = enum.auto()
    CT_COMMIT = enum.auto()
    ANY = DEFAULT | CT_COMMIT


class Segment(NamedTuple):
    base: str  # microflow key
    ofs: int  # bit offset in the base value
    n_bits: int


# eq=False: symbols are unique objects of their table, compared and hashed by identity (cheap,
# and expression trees hash their symbols a lot).
@dataclass(frozen=True, slots=True, eq=False)
class Symbol:
    name: str
    kind: SymbolKind
    width: int  # bits; 0 for STRING; 1 for PREDICATE
    level: Level
    prereqs: str | None = None  # expression text implied by any use of the symbol
    parent: str | None = None  # SUBFIELD: the symbol it is a bit range of
    parent_ofs: int = 0
    must_crossproduct: bool = False
    write_scope: WriteScope = WriteScope.NONE
    predicate: str | None = None  # PREDICATE: its expansion text
    storage: tuple[Segment, ...] = field(default=())  # LSB first; empty for PREDICATE
    ovn_field: bool = False  # an OVN-only field (icmp4.frag_mtu), set by actions only

    @property
    def rw(self) -> bool:
        """Writable by actions in some scope."""
        return bool(self.write_scope)

    @property
    def is_string(self) -> bool:
        return self.kind is SymbolKind.STRING

    @property
    def is_predicate(self) -> bool:
        return self.kind is SymbolKind.PREDICATE

    @property
    def base(self) -> str:
        """The microflow key holding the symbol (its least significant segment)."""
        if not self.storage:
            raise ValueError(f"{self.name} is a predicate and has no storage")
        return self.storage[0].base

    @property
    def base_ofs(self) -> int:
        if not self.storage:
            raise ValueError(f"{self.name} is a predicate and has no storage")
        return self.storage[0].ofs


class SymbolTable(Mapping[str, Symbol]):
    """Symbols by name, plus the widths of the base microflow keys they are stored in."""

    __slots__ = ("_symbols", "base_widths", "string_bases")

    def __init__(self, symbols: Mapping[str, Symbol], base_widths: Mapping[str, int]) -> None:
        self._symbols = dict(symbols)
        self.base_widths: dict[str, int] = dict(base_widths)  # 0 for string keys
        self.string_bases = frozenset(k for k, w in self.base_widths.items() if w == 0)

    def __getitem__(self, name: str) -> Symbol:
        return self._symbols[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._symbols)

    def __len__(self) -> int:
        return len(self._symbols)

    def __hash__(self) -> int:  # tables are used as cache keys (by identity)
        return id(self)

    def __eq__(self, other: object) -> bool:
        return self is other


# --- the data ---------------------------------------------------------------------------------

# Microflow keys and widths (0 = string).
BASE_WIDTHS: dict[str, int] = {
    "inport": 0,
    "outport": 0,
    **{f"reg{i}": 32 for i in range(10)},
    "flags": 32,
    "ct_mark": 32,
    "ct_label": 128,
    "ct_state": 32,
    "eth.src": 48,
    "eth.dst": 48,
    "eth.type": 16,
    "vlan.tci": 16,
    "ip.proto": 8,
    "ip.dscp": 6,
    "ip.ecn": 2,
    "ip.ttl": 8,
    "ip.frag": 2,
    "ip4.src": 32,
    "ip4.dst": 32,
    "ip6.src": 128,
    "ip6.dst": 128,
    "ip6.label": 20,
    "icmp4.type": 8,
    "icmp4.code": 8,
    "icmp6.type": 8,
    "icmp6.code": 8,
    "arp.op": 16,
    "arp.spa": 32,
    "arp.tpa": 32,
    "arp.sha": 48,
    "arp.tha": 48,
    "nd.target": 128,
    "nd.sll": 48,
    "nd.tll": 48,
    "tcp.src": 16,
    "tcp.dst": 16,
    "tcp.flags": 12,
    "udp.src": 16,
    "udp.dst": 16,
    "sctp.src": 16,
    "sctp.dst": 16,
    "pkt.mark": 32,
    "icmp4.frag_mtu": 16,
    "icmp6.frag_mtu": 32,
}

_O, _N, _B = Level.ORDINAL, Level.NOMINAL, Level.BOOLEAN
_RW, _RO, _CT = WriteScope.DEFAULT, WriteScope.NONE, WriteScope.CT_COMMIT

# Fields: (name, base key, prereqs, level, writable, must_crossproduct).
_FIELDS: list[tuple[str, str, str | None, Level, WriteScope, bool]] = [
    ("flags", "flags", None, _O, _RW, False),
    ("ct_mark", "ct_mark", None, _O, _CT, False),
    ("ct_label", "ct_label", None, _O, _CT, False),
    ("ct_state", "ct_state", None, _O, _RO, False),
    ("eth.src", "eth.src", None, _O, _RW, False),
    ("eth.dst", "eth.dst", None, _O, _RW, False),
    ("eth.type", "eth.type", None, _N, _RO, True),
    ("vlan.tci", "vlan.tci", None, _O, _RW, False),
    ("ip.proto", "ip.proto", "ip", _N, _RO, True),
    ("ip.dscp", "ip.dscp", "ip", _N, _RW, False),
    ("ip.ecn", "ip.ecn", "ip", _N, _RW, False),
    ("ip.ttl", "ip.ttl", "ip", _N, _RW, False),
    ("ip4.src", "ip4.src", "ip4", _O, _RW, False),
    ("ip4.dst", "ip4.dst", "ip4", _O, _RW, False),
    ("icmp4.type", "icmp4.type", "icmp4", _N, _RW, False),
    ("icmp4.code", "icmp4.code", "icmp4", _N, _RW, False),
    ("ip6.src", "ip6.src", "ip6", _O, _RW, False),
    ("ip6.dst", "ip6.dst", "ip6", _O, _RW, False),
    ("ip6.label", "ip6.label", "ip6", _O, _RW, False),
    ("icmp6.type", "icmp6.type", "icmp6", _N, _RW, True),
    ("icmp6.code", "icmp6.code", "icmp6", _N, _RW, True),
    ("ip.frag", "ip.frag", "ip", _O, _RO, False),
    ("arp.op", "arp.op", "arp", _N, _RW, False),
    ("arp.spa", "arp.spa", "arp", _O, _RW, False),
    ("arp.sha", "arp.sha", "arp", _O, _RW, False),
    ("arp.tpa", "arp.tpa", "arp", _O, _RW, False),
    ("arp.tha", "arp.tha", "arp", _O, _RW, False),
    # RARP has ARP's layout: the same OpenFlow fields, hence the same keys.
    ("rarp.op", "arp.op", "rarp", _N, _RW, False),
    ("rarp.spa", "arp.spa", "rarp", _O, _RW, False),
    ("rarp.sha", "arp.sha", "rarp", _O, _RW, False),
    ("rarp.tpa", "arp.tpa", "rarp", _O, _RW, False),
    ("rarp.tha", "arp.tha", "rarp", _O, _RW, False),
    ("nd.target", "nd.target", "nd", _O, _RW, False),
    ("nd.sll", "nd.sll", "nd_ns", _O, _RW, False),
    ("nd.tll", "nd.tll", "nd_na", _O, _RW, False),
    ("tcp.src", "tcp.src", "tcp", _O, _RW, False),
    ("tcp.dst", "tcp.dst", "tcp", _O, _RW, False),
    ("tcp.flags", "tcp.flags", "tcp", _O, _RO, False),
    ("udp.src", "udp.src", "udp", _O, _RW, False),
    ("udp.dst", "udp.dst", "udp", _O, _RW, False),
    ("sctp.src", "sctp.src", "sctp", _O, _RW, False),
    ("sctp.dst", "sctp.dst", "sctp", _O, _RW, False),
    ("pkt.mark", "pkt.mark", None, _O, _RW, False),
]

# Subfields: (name, parent, low bit, high bit, prereqs).  Writability follows the parent.
_SUBFIELDS: list[tuple[str, str, int, int, str | None]] = [
    ("flags.loopback", "flags", 0, 0, None),
    ("flags.force_snat_for_dnat", "flags", 2, 2, None),
    ("flags.force_snat_for_lb", "flags", 3, 3, None),
    ("flags.skip_snat_for_lb", "flags", 9, 9, None),
    ("flags.use_snat_zone", "flags", 11, 11, None),
    ("ct_mark.blocked", "ct_mark", 0, 0, None),
    ("ct_mark.natted", "ct_mark", 1, 1, None),
    ("ct_mark.ecmp_reply_port", "ct_mark", 16, 31, None),
    ("ct_mark.skip_snat", "ct_mark", 2, 2, None),
    ("ct_mark.force_snat", "ct_mark", 3, 3, None),
    ("ct_label.blocked", "ct_label", 0, 0, None),
    ("ct_label.natted", "ct_label", 1, 1, None),
    ("ct_label.ecmp_reply_eth", "ct_label", 32, 79, None),
    ("ct_label.ecmp_reply_port", "ct_label", 80, 95, None),
    ("ct_label.label", "ct_label", 96, 127, None),
    ("ct_label.skip_snat", "ct_label", 2, 2, None),
    ("ct_label.force_snat", "ct_label", 3, 3, None),
    # ct_state bits (Open vSwitch's CS_* order); all but ct.trk require tracking.
    ("ct.new", "ct_state", 0, 0, "ct.trk"),
    ("ct.est", "ct_state", 1, 1, "ct.trk"),
    ("ct.rel", "ct_state", 2, 2, "ct.trk"),
    ("ct.rpl", "ct_state", 3, 3, "ct.trk"),
    ("ct.inv", "ct_state", 4, 4, "ct.trk"),
    ("ct.trk", "ct_state", 5, 5, None),
    ("ct.snat", "ct_state", 6, 6, "ct.trk"),
    ("ct.dnat", "ct_state", 7, 7, "ct.trk"),
    ("eth.mcast", "eth.dst", 40, 40, None),
    ("vlan.pcp", "vlan.tci", 13, 15, "vlan.present"),
    ("vlan.vid", "vlan.tci", 0, 11, "vlan.present"),
]

# Predicates: (name, expansion, level).  Order matters only for readability.
_PREDICATES: list[tuple[str, str, Level]] = [
    ("eth.bcast", "eth.dst == ff:ff:ff:ff:ff:ff", _B),
    ("eth.mcastv6", "eth.dst[32..47] == 0x3333", _B),
    ("vlan.present", "vlan.tci[12]", _B),
    ("ip4", "eth.type == 0x800", _N),
    ("ip6", "eth.type == 0x86dd", _N),
    ("ip", "ip4 || ip6", _N),
    ("ip4.src_mcast", "ip4.src[28..31] == 0xe", _B),
    ("ip4.mcast", "eth.mcast && ip4.dst[28..31] == 0xe", _B),
    ("icmp4", "ip4 && ip.proto == 1", _N),
    ("igmp", "ip4 && ip.proto == 2", _N),
    ("ip6.mcast_rsvd", "ip6.dst[116..127] == 0xff0 && ip6.dst[0..111] == 0x0", _B),
    ("ip6.mcast_all_nodes", "ip6.dst == ff01::1 || ip6.dst == ff02::1", _B),
    ("ip6.mcast_all_rtrs", "ip6.dst == ff01::2 || ip6.dst == ff02::2 || ip6.dst == ff05::2", _B),
    ("ip6.mcast_sol_node", "ip6.dst == ff02::1:ff00:0000/104", _B),
    (
        "ip6.mcast_flood",
        "eth.mcastv6 && (ip6.mcast_rsvd || ip6.mcast_all_nodes || ip6.mcast_all_rtrs"
        " || ip6.mcast_sol_node)",
        _B,
    ),
    ("ip6.mcast", "eth.mcastv6 && ip6.dst[120..127] == 0xff", _B),
    ("icmp6", "ip6 && ip.proto == 58", _N),
    ("icmp", "icmp4 || icmp6", _N),
    ("ip.is_frag", "ip.frag[0]", _B),
    ("ip.later_frag", "ip.frag[1]", _B),
    ("ip.first_frag", "ip.is_frag && !ip.later_frag", _B),
    ("arp", "eth.type == 0x806", _N),
    ("rarp", "eth.type == 0x8035", _N),
    ("nd", "icmp6.type == {135, 136} && icmp6.code == 0 && ip.ttl == 255", _N),
    ("nd_ns", "icmp6.type == 135 && icmp6.code == 0 && ip.ttl == 255", _N),
    ("nd_na", "icmp6.type == 136 && icmp6.code == 0 && ip.ttl == 255", _N),
    ("nd_rs", "icmp6.type == 133 && icmp6.code == 0 && ip.ttl == 255", _N),
    ("nd_ra", "icmp6.type == 134 && icmp6.code == 0 && ip.ttl == 255", _N),
    ("mldv1", "ip6.src == fe80::/10 && icmp6.type == {130, 131, 132}", _N),
    ("mldv2", "ip6.dst == ff02::16 && icmp6.type == 143", _N),
    ("tcp", "ip.proto == 6", _N),
    ("udp", "ip.proto == 17", _N),
    ("sctp", "ip.proto == 132", _N),
]

N_LOG_REGS = 10


def _sub_storage(storage: tuple[Segment, ...], ofs: int, n_bits: int) -> tuple[Segment, ...]:
    """The segments holding bits ``ofs .. ofs+n_bits-1`` of a value stored as ``storage``."""
    out: list[Segment] = []
    pos = 0  # bit position of the current segment within the whole value
    lo, hi = ofs, ofs + n_bits
    for seg in storage:
        s_lo, s_hi = pos, pos + seg.n_bits
        a, b = max(lo, s_lo), min(hi, s_hi)
        if a < b:
            out.append(Segment(seg.base, seg.ofs + (a - s_lo), b - a))
        pos = s_hi
    return tuple(out)


def _build() -> SymbolTable:
    syms: dict[str, Symbol] = {}

    def add(sym: Symbol) -> None:
        assert sym.name not in syms, sym.name
        syms[sym.name] = sym

    def add_subfield(name: str, parent: str, low: int, high: int, prereqs: str | None) -> None:
        p = syms[parent]
        n = high - low + 1
        add(
            Symbol(
                name,
                SymbolKind.SUBFIELD,
                n,
                p.level,
                prereqs=prereqs,
                parent=parent,
                parent_ofs=low,
                write_scope=p.write_scope,
                storage=_sub_storage(p.storage, low, n),
            )
        )

    for name in ("inport", "outport"):
        add(Symbol(name, SymbolKind.STRING, 0, _N, write_scope=_RW, storage=(Segment(name, 0, 0),)))

    # Registers, as OVN defines them: xxreg0/1 are fields, xreg0..3 and reg0..7 subfields of
    # them, xreg4 a field with reg8/reg9 its subfields.  Storage is always the 32-bit regs.
    def reg_storage(first: int, count: int) -> tuple[Segment, ...]:
        # reg<first> is the most significant word: LSB-first order is reversed.
        return tuple(Segment(f"reg{i}", 0, 32) for i in reversed(range(first, first + count)))

    for xxi in range(N_LOG_REGS // 4):
        add(
            Symbol(
                f"xxreg{xxi}",
                SymbolKind.FIELD,
                128,
                _O,
                write_scope=_RW,
                storage=reg_storage(4 * xxi, 4),
            )
        )
    for xi in range(N_LOG_REGS // 2):
        if xi // 2 < N_LOG_REGS // 4:
            low = 64 * (1 - xi % 2)
            add_subfield(f"xreg{xi}", f"xxreg{xi // 2}", low, low + 63, None)
        else:
            add(
                Symbol(
                    f"xreg{xi}",
                    SymbolKind.FIELD,
                    64,
                    _O,
                    write_scope=_RW,
                    storage=reg_storage(2 * xi, 2),
                )
            )
    for i in range(N_LOG_REGS):
        if i // 4 < N_LOG_REGS // 4:
            low = 32 * (3 - i % 4)
            add_subfield(f"reg{i}", f"xxreg{i // 4}", low, low + 31, None)
        else:
            low = 32 * (1 - i % 2)
            add_subfield(f"reg{i}", f"xreg{i // 2}", low, low + 31, None)

    def add_field(
        name: str, base: str, prereqs: str | None, level: Level, ws: WriteScope, mcp: bool
    ) -> None:
        width = BASE_WIDTHS[base]
        add(
            Symbol(
                name,
                SymbolKind.FIELD,
                width,
                level,
                prereqs=prereqs,
                must_crossproduct=mcp,
                write_scope=ws,
                storage=(Segment(base, 0, width),),
            )
        )

    # Fields first, then subfields and predicates (a subfield needs its parent to exist).
    for f in _FIELDS:
        add_field(*f)
    for name, parent, low, high, prereqs in _SUBFIELDS:
        add_subfield(name, parent, low, high, prereqs)
    for name, expansion, level in _PREDICATES:
        add(Symbol(name, SymbolKind.PREDICATE, 1, level, predicate=expansion))
    for name in ("icmp4.frag_mtu", "icmp6.frag_mtu"):
        width = BASE_WIDTHS[name]
        add(
            Symbol(
                name,
                SymbolKind.FIELD,
                width,
                _N,
                write_scope=WriteScope.ANY,
                storage=(Segment(name, 0, width),),
                ovn_field=True,
            )
        )
    return SymbolTable(syms, BASE_WIDTHS)


@cache
def default_symtab() -> SymbolTable:
    """OVN 23.03's symbol table (built once)."""
    return _build()


def sub_storage(sym: Symbol, ofs: int, n_bits: int) -> tuple[Segment, ...]:
    """The segments holding bits ``ofs .. ofs+n_bits-1`` of symbol ``sym``."""
    return _sub_storage(sym.storage, ofs, n_bits)
