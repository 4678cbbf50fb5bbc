"""The flow cache: read tracking, keyed lookup, precise invalidation."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from pyovn.datapath.cache import (
    UNSET,
    Effect,
    FlowCache,
    ReadTracker,
    apply_changes,
    changes_from,
)
from pyovn.logical.expr import compile_match


def test_tracker_records_reads_before_writes_only() -> None:
    t = ReadTracker({"eth.type": 0x800, "ip4.dst": 5, "reg0": 1})
    assert t.get("eth.type") == 0x800
    t["reg0"] = 7
    assert t.get("reg0") == 7  # written first: no dependency
    assert t.get("tcp.dst", 0) == 0  # absent: a dependency on its absence
    assert t.reads == {"eth.type": 0x800, "tcp.dst": UNSET}
    c = t.copy()
    c.get("ip4.dst")
    assert t.reads["ip4.dst"] == 5  # a copy's reads are the segment's


def test_compiled_match_reads_only_what_decides() -> None:
    m = compile_match('inport == "p1" && ip4 && tcp.dst == 80')
    t = ReadTracker({"inport": "p2", "eth.type": 0x800, "ip.proto": 6, "tcp.dst": 80})
    assert not m(t)
    assert "tcp.dst" not in t.reads and t.reads["inport"] == "p2"


def test_lookup_by_read_values_and_invalidation() -> None:
    cache = FlowCache()
    e = cache.insert("in:p1", {"eth.dst": 1, "inport": "p1"}, [Effect("deliver", {}, ("p2",))],
                     datapaths=[5], ports=["p2"])
    assert cache.lookup("in:p1", {"eth.dst": 1, "inport": "p1", "ip4.src": 9}) is e
    assert cache.lookup("in:p1", {"eth.dst": 2, "inport": "p1"}) is None
    assert cache.lookup("in:p9", {"eth.dst": 1, "inport": "p1"}) is None
    other = cache.insert("in:p1", {"eth.dst": 2, "inport": "p1"}, [], datapaths=[6], ports=[])
    assert cache.invalidate(datapaths=[5]) == 1
    assert cache.lookup("in:p1", {"eth.dst": 1, "inport": "p1"}) is None
    assert cache.lookup("in:p1", {"eth.dst": 2, "inport": "p1"}) is other
    assert cache.invalidate(ports=["p2"]) == 0
    cache.invalidate(datapaths=[6])
    assert len(cache) == 0 and cache.stats()["masks"] == 0


def test_absent_field_is_part_of_the_key() -> None:
    cache = FlowCache()
    cache.insert("s", {"vlan.tci": UNSET}, [], [], [])
    assert cache.lookup("s", {}) is not None
    assert cache.lookup("s", {"vlan.tci": 0x1005}) is None


flows = st.dictionaries(st.sampled_from(["a", "b", "c", "d"]), st.integers(0, 3), max_size=4)


@given(flows, flows)
def test_changes_round_trip(start: dict[str, int], end: dict[str, int]) -> None:
    assert apply_changes(start, changes_from(start, end)) == end
