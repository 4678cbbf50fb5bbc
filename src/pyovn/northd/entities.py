"""northd's entities: the datapaths (:class:`Switch`, :class:`Router`) and ports
(:class:`SwitchPort`, :class:`RouterPort`) :class:`pyovn.northd.model.Model` derives from the
Northbound, each with its NB row, tunnel key, peer and ``flags`` (facts other owners contribute,
read through :data:`FLAG_READER` so the engine knows who depends on them); the tunnel key
allocator (:class:`KeyAllocator`, the ranges of ovn-architecture(7)); and ``json_quote``, a
name as OVN writes it in a flow."""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Any

from pyovn.northd.addresses import LportAddresses, parse_lrp_networks, parse_lsp_address
from pyovn.ovsdb.errors import json_string

__all__ = [
    "DP_KEY_MAX",
    "DP_KEY_MIN",
    "FLAG_READER",
    "PORT_KEY_MAX",
    "PORT_KEY_MIN",
    "KeyAllocator",
    "NorthdDatapath",
    "NorthdPort",
    "OwnerKey",
    "Router",
    "RouterPort",
    "Switch",
    "SwitchPort",
    "json_quote",
]

OwnerKey = tuple[str, Any]

# Tunnel key ranges (ovn-architecture(7)).
DP_KEY_MIN, DP_KEY_MAX = 1, (1 << 24) - 1
PORT_KEY_MIN, PORT_KEY_MAX = 1, (1 << 15) - 1


class _FlagReader:
    """The owner whose builders are running, set by the engine for non-datapath owners (whose
    reads of ``NorthdDatapath.has`` are recorded, so that a flip of the flag rebuilds them)."""

    __slots__ = ("owner",)

    def __init__(self) -> None:
        self.owner: OwnerKey | None = None


FLAG_READER = _FlagReader()


class KeyAllocator:
    """Tunnel keys in [lo, hi]: the next free key after the last allocated one, wrapping."""

    def __init__(self, lo: int, hi: int) -> None:
        self.lo, self.hi = lo, hi
        self.used: set[int] = set()
        self.hint = lo - 1
        self._top = lo - 1  # at least the highest key in use (lowered lazily by highest())

    def take(self, key: int) -> bool:
        if key in self.used or not self.lo <= key <= self.hi:
            return False
        self.used.add(key)
        if key > self._top:
            self._top = key
        return True

    def highest(self) -> int:
        """The highest key in use (``lo - 1`` when none), without a scan per call."""
        top, used = self._top, self.used
        while top >= self.lo and top not in used:  # past keys released since: once each
            top -= 1
        self._top = top
        return top

    def allocate(self) -> int | None:
        k = self.hint
        for _ in range(self.hi - self.lo + 1):
            k = k + 1 if k < self.hi else self.lo
            if k not in self.used:
                self.used.add(k)
                self.hint = k
                if k > self._top:
                    self._top = k
                return k
        return None

    def release(self, key: int) -> None:
        self.used.discard(key)


class NorthdDatapath:
    """A logical switch or router as northd sees it."""

    kind = ""

    def __init__(self, nb: Any) -> None:
        self.uuid: str = nb.uuid
        # The replica's table when the row comes from an IDL: the row is then looked up on
        # each use instead of kept, because a Row view held across an update makes the replica
        # copy the row's containers (a switch's 10,000 ports) before writing them.
        self._table = getattr(nb, "_table", None)
        self._nb = None if self._table is not None else nb
        self.name: str = nb.name
        self.key: int = 0
        self.ports: dict[str, NorthdPort] = {}
        self.flags: Counter[str] = Counter()
        self.flag_readers: dict[str, set[OwnerKey]] = {}  # flag -> owners that read it
        self.lb_set: frozenset[str] = frozenset()
        self.lb_inherited: frozenset[str] = frozenset()  # from routers only (see Model.dp_lbs)
        self.acl_set: set[str] = set()
        self.port_keys = KeyAllocator(PORT_KEY_MIN, PORT_KEY_MAX)

    @property
    def nb(self) -> Any:
        """The NB row now (None once deleted from the replica)."""
        if self._table is None:
            return self._nb
        return self._table.get(self.uuid)

    @nb.setter
    def nb(self, row: Any) -> None:
        if self._table is None:
            self._nb = row

    @property
    def is_switch(self) -> bool:
        return self.kind == "ls"

    def has(self, flag: str) -> bool:
        reader = FLAG_READER.owner
        if reader is not None:
            # A non-datapath owner read the flag: the engine rebuilds it when the flag flips.
            self.flag_readers.setdefault(flag, set()).add(reader)
        return self.flags[flag] > 0

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.name!r}, key={self.key})"


class Switch(NorthdDatapath):
    kind = "ls"

    def __init__(self, nb: Any) -> None:
        super().__init__(nb)
        # Ports by type ("" for VIFs), maintained by the model as ports come and go.
        self.ports_by_type: defaultdict[str, dict[str, SwitchPort]] = defaultdict(dict)

    @property
    def router_ports(self) -> list[SwitchPort]:
        return list(self.ports_by_type["router"].values())

    @property
    def localnet_ports(self) -> list[SwitchPort]:
        return list(self.ports_by_type["localnet"].values())


class Router(NorthdDatapath):
    kind = "lr"


class NorthdPort:
    """A logical switch port or router port."""

    kind = ""

    def __init__(self, nb: Any, dp: NorthdDatapath) -> None:
        self.uuid: str = nb.uuid
        self.nb = nb
        self.name: str = nb.name
        self.dp = dp
        self.key: int = 0
        self.peer: NorthdPort | None = None

    @property
    def json_name(self) -> str:
        """The name as flows quote it: ``"sw0-port1"``."""
        return json_quote(self.name)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.name!r}, key={self.key})"


class SwitchPort(NorthdPort):
    kind = "lsp"
    dp: Switch

    def __init__(self, nb: Any, dp: Switch) -> None:
        super().__init__(nb, dp)
        self.type: str = nb.type
        self.options: dict[str, str] = nb.options
        addrs: list[LportAddresses] = []
        self.has_unknown = False
        self.is_router_addr = False  # addresses "router"
        self.dynamic = False
        for a in sorted(nb.addresses):  # OVN reads sets in OVSDB order (sorted)
            if a == "unknown":
                self.has_unknown = True
            elif a == "router":
                self.is_router_addr = True
            elif a == "dynamic" or a.endswith(" dynamic"):
                self.dynamic = True
            else:
                p = parse_lsp_address(a)
                if p is not None:
                    addrs.append(p)
        for a in nb.get("dynamic_addresses", []) or []:
            p = parse_lsp_address(a)
            if p is not None:
                addrs.append(p)
        self.addresses: list[LportAddresses] = addrs
        self.ps_addresses: list[LportAddresses] = [
            p for p in (parse_lsp_address(a) for a in nb.port_security) if p is not None
        ]

    @property
    def enabled(self) -> bool:
        e = self.nb.enabled
        return not e or bool(e[0])

    @property
    def router_port_name(self) -> str | None:
        return self.options.get("router-port") if self.type == "router" else None


class RouterPort(NorthdPort):
    kind = "lrp"
    dp: Router

    def __init__(self, nb: Any, dp: Router) -> None:
        super().__init__(nb, dp)
        self.networks: LportAddresses | None = parse_lrp_networks(nb.mac, sorted(nb.networks))
        self.options: dict[str, str] = nb.options
        self.cr_key: int = 0  # the tunnel key of its "cr-<name>" port, if a gateway port

    @property
    def enabled(self) -> bool:
        e = self.nb.enabled
        return not e or bool(e[0])

    @property
    def is_dgp(self) -> bool:
        """A distributed gateway port (gateway chassis set, router not a gateway router): it
        has a chassisredirect port ``cr-<name>``."""
        nb = self.nb
        return bool(nb.ha_chassis_group or nb.gateway_chassis) and \
            "chassis" not in self.dp.nb.options  # present, even empty: a gateway router


def json_quote(s: str) -> str:
    """A string as OVN writes it in a flow: JSON-quoted, as OVS's JSON serialiser writes it."""
    return json_string(s)
