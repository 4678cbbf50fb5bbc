"""The microflow model shared by compiled matches, actions, the datapath and trace.

A microflow (``Flow``) is a plain dict keyed by *base* field names (see ``pyovn.logical``):
integers for numeric fields (MACs and IP addresses included), logical port names for
``inport``/``outport``.  Missing keys read as 0 (or "").

A ``FieldRef`` names bits of a symbol: ``reg0[3..5]`` is ``FieldRef(reg0, 3, 3)``.  Reading and
writing go through the symbol's storage segments, so ``xxreg0`` (four 32-bit registers) and
``vlan.vid`` (bits 0..11 of ``vlan.tci``) work the same way.  Values print the way ovn-trace
prints them: MAC, dotted IPv4, compressed IPv6, decimal otherwise.
"""

from __future__ import annotations

import socket
from dataclasses import dataclass

from pyovn.logical.symbols import Segment, Symbol, SymbolKind, sub_storage

__all__ = [
    "FIELD_FORMATS",
    "FieldRef",
    "Flow",
    "format_field_value",
    "format_ip4",
    "format_ip6",
    "format_mac",
    "read_field",
    "write_field",
]

Flow = dict[str, int | str]

# Special keys a flow may carry for match functions (not packet fields).
CHASSIS_RESIDENT_KEY = "__chassis_resident__"


@dataclass(frozen=True, slots=True)
class FieldRef:
    """Bits ``ofs .. ofs+n_bits-1`` of ``symbol`` (the whole symbol when not sliced)."""

    symbol: Symbol
    ofs: int
    n_bits: int

    @classmethod
    def whole(cls, symbol: Symbol) -> FieldRef:
        return cls(symbol, 0, symbol.width)

    @property
    def name(self) -> str:
        return self.symbol.name

    @property
    def is_whole(self) -> bool:
        return self.ofs == 0 and self.n_bits == self.symbol.width

    @property
    def is_string(self) -> bool:
        return self.symbol.kind is SymbolKind.STRING

    @property
    def segments(self) -> tuple[Segment, ...]:
        """Where the bits live in the microflow, least significant first."""
        if self.is_string:
            return self.symbol.storage
        return sub_storage(self.symbol, self.ofs, self.n_bits)

    @property
    def is_single(self) -> bool:
        """True when the bits live in a single base key (not e.g. all of ``xxreg0``)."""
        return len(self.segments) == 1

    @property
    def base(self) -> str:
        """The base key holding the bits.  ValueError if they span several keys."""
        segs = self.segments
        if len(segs) != 1:
            raise ValueError(f"{self} spans several base fields: {[s.base for s in segs]}")
        return segs[0].base

    @property
    def base_ofs(self) -> int:
        """The bit offset of ``ofs`` within ``base``."""
        segs = self.segments
        if len(segs) != 1:
            raise ValueError(f"{self} spans several base fields: {[s.base for s in segs]}")
        return segs[0].ofs

    def __str__(self) -> str:
        if self.is_string or self.is_whole:
            return self.symbol.name
        if self.n_bits == 1:
            return f"{self.symbol.name}[{self.ofs}]"
        return f"{self.symbol.name}[{self.ofs}..{self.ofs + self.n_bits - 1}]"


def read_field(flow: Flow, ref: FieldRef) -> int:
    """The integer value of the referenced bits (right-aligned).  Strings: use ``flow[base]``."""
    if ref.is_string:
        raise TypeError(f"{ref.symbol.name} is a string field")
    value = 0
    shift = 0
    for base, ofs, n in ref.segments:
        v = flow.get(base, 0)
        assert isinstance(v, int), base
        value |= ((v >> ofs) & ((1 << n) - 1)) << shift
        shift += n
    return value


def write_field(flow: Flow, ref: FieldRef, value: int | str) -> None:
    """Stores ``value`` into the referenced bits, leaving the other bits of the bases alone."""
    if ref.is_string:
        if not isinstance(value, str):
            raise TypeError(f"{ref.symbol.name} is a string field")
        flow[ref.symbol.storage[0].base] = value
        return
    if not isinstance(value, int):
        raise TypeError(f"{ref.symbol.name} is an integer field")
    for base, ofs, n in ref.segments:
        m = ((1 << n) - 1) << ofs
        old = flow.get(base, 0)
        assert isinstance(old, int), base
        flow[base] = (old & ~m) | ((value << ofs) & m)
        value >>= n


def format_mac(value: int) -> str:
    h = f"{value & 0xFFFFFFFFFFFF:012x}"
    return ":".join(h[i : i + 2] for i in range(0, 12, 2))


def format_ip4(value: int) -> str:
    return socket.inet_ntop(socket.AF_INET, (value & 0xFFFFFFFF).to_bytes(4, "big"))


def format_ip6(value: int) -> str:
    return socket.inet_ntop(socket.AF_INET6, (value & ((1 << 128) - 1)).to_bytes(16, "big"))


# How ovn-trace shows whole fields; anything else prints in decimal.
FIELD_FORMATS: dict[str, str] = {
    **dict.fromkeys(("eth.src", "eth.dst", "arp.sha", "arp.tha", "nd.sll", "nd.tll"), "mac"),
    **dict.fromkeys(("ip4.src", "ip4.dst", "arp.spa", "arp.tpa"), "ip4"),
    **dict.fromkeys(("ip6.src", "ip6.dst", "nd.target"), "ip6"),
}
# Registers print as ovn-trace prints assignments to them: hex.
_HEX_BASES = frozenset(
    {*(f"reg{i}" for i in range(16)), "flags", "ct_mark", "ct_label", "ct_state"}
)


def format_field_value(ref: FieldRef | str, value: int | str) -> str:
    """``value`` of a field as ovn-trace prints it (strings JSON-quoted)."""
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    name = ref if isinstance(ref, str) else ref.symbol.name
    whole = isinstance(ref, str) or ref.is_whole
    # Field names resolve through their storage so rarp.sha prints like arp.sha.
    if not isinstance(ref, str) and whole and ref.symbol.storage:
        name = ref.symbol.storage[0].base if len(ref.symbol.storage) == 1 else name
    kind = FIELD_FORMATS.get(name) if whole else None
    if kind == "mac":
        return format_mac(value)
    if kind == "ip4":
        return format_ip4(value)
    if kind == "ip6":
        return format_ip6(value)
    if name.startswith(("xxreg", "xreg")) or name in _HEX_BASES:
        return f"{value:#x}"
    return str(value)
