"""The replica facilities the verbs' scoped checks stand on: ``Index.lookup_in`` (an index lookup
restricted to one parent's set of children) and ``MemberIndex`` (which rows' set column holds a
value: a port's switch), kept up to date by every kind of update."""

from __future__ import annotations

import orjson
import pytest

from pyovn import schemas
from pyovn.ovsdb.client.replica import Replica
from pyovn.ovsdb.schema import DatabaseSchema

SCHEMA = DatabaseSchema.from_json(orjson.loads(schemas.path("OVN_Northbound").read_bytes()))
S1 = "11111111-1111-1111-1111-111111111111"
S2 = "22222222-2222-2222-2222-222222222222"
P = [f"00000000-0000-0000-0000-{i:012d}" for i in range(10)]


def _replica() -> Replica:
    return Replica(SCHEMA, {"Logical_Switch": None, "Logical_Switch_Port": None,
                            "Logical_Router": None, "Logical_Router_Static_Route": None})


def _uuids(rows) -> set[str]:
    return {r.uuid for r in rows}


def _set(*uuids: str) -> list:
    return ["set", [["uuid", u] for u in uuids]]


def test_lookup_in_scopes_to_the_given_uuids_from_either_side():
    r = _replica()
    routes = {P[i]: {"insert": {"ip_prefix": "0.0.0.0/0" if i < 8 else "10.0.0.0/8",
                                "nexthop": f"10.0.0.{i}"}} for i in range(10)}
    r.apply_update2({"Logical_Router_Static_Route": routes})
    idx = r["Logical_Router_Static_Route"].index("ip_prefix")
    # Fewer members than matches: the members are checked against the index.
    assert _uuids(idx.lookup_in({P[1], P[9]}, "0.0.0.0/0")) == {P[1]}
    assert _uuids(idx.lookup_in({P[9]}, "10.0.0.0/8")) == {P[9]}
    # More members than matches: the matches are checked for membership.
    assert _uuids(idx.lookup_in(set(P), "10.0.0.0/8")) == {P[8], P[9]}
    assert idx.lookup_in(set(P[:3]), "192.168.0.0/16") == []
    assert idx.lookup_in(set(), "0.0.0.0/0") == []
    # Unknown uuids among the members are no matches.
    assert idx.lookup_in({"no-such-row"}, "0.0.0.0/0") == []
    # A modified key moves the row.
    r.apply_update2({"Logical_Router_Static_Route": {P[1]: {"modify": {"ip_prefix": "1.0.0.0/8"}}}})
    assert idx.lookup_in({P[1]}, "0.0.0.0/0") == []
    assert _uuids(idx.lookup_in({P[1]}, "1.0.0.0/8")) == {P[1]}


def test_member_index_follows_inserts_modifies_deletes_and_resets():
    r = _replica()
    r.apply_update2({"Logical_Switch": {S1: {"insert": {"name": "a", "ports": _set(P[0], P[1])}}}})
    by_port = r["Logical_Switch"].member_index("ports")
    assert r["Logical_Switch"].member_index("ports") is by_port
    assert _uuids(by_port.lookup(P[0])) == {S1} and P[1] in by_port
    r.apply_update2({"Logical_Switch": {S2: {"insert": {"name": "b", "ports": _set(P[2])}}}})
    assert _uuids(by_port.lookup(P[2])) == {S2}
    # update2 diff: P[1] leaves a, P[3] joins a.
    r.apply_update2({"Logical_Switch": {S1: {"modify": {"ports": _set(P[1], P[3])}}}})
    assert by_port.lookup(P[1]) == [] and P[1] not in by_port
    assert _uuids(by_port.lookup(P[3])) == {S1}
    # The same element in two rows.
    r.apply_update2({"Logical_Switch": {S2: {"modify": {"ports": _set(P[0])}}}})
    assert _uuids(by_port.lookup(P[0])) == {S1, S2}
    assert by_port.uuids(P[0]) and sorted(by_port.uuids(P[0])) == sorted([S1, S2])
    # Old-style update (whole new value).
    r.apply_update({"Logical_Switch": {S1: {"old": {"ports": _set(P[0], P[3])},
                                            "new": {"name": "a", "ports": _set(P[4])}}}})
    assert _uuids(by_port.lookup(P[0])) == {S2} and by_port.lookup(P[3]) == []
    assert _uuids(by_port.lookup(P[4])) == {S1}
    # Delete.
    r.apply_update2({"Logical_Switch": {S2: {"delete": None}}})
    assert by_port.lookup(P[0]) == [] and by_port.lookup(P[2]) == []
    # A reset (reconnect snapshot) replaces everything.
    r.reset({"Logical_Switch": {S2: {"initial": {"name": "b", "ports": _set(P[5])}}}})
    assert by_port.lookup(P[4]) == [] and _uuids(by_port.lookup(P[5])) == {S2}
    # Built late, it indexes what is there.
    assert _uuids(r["Logical_Switch"].member_index("acls").lookup(P[5])) == set()


def test_member_index_on_an_optional_column():
    # A set of at most one element: the server sends the new value, not a diff.
    r = _replica()
    by_copp = r["Logical_Switch"].member_index("copp")
    r.apply_update2({"Logical_Switch": {S1: {"insert": {"name": "a", "copp": ["uuid", P[0]]}}}})
    assert _uuids(by_copp.lookup(P[0])) == {S1}
    r.apply_update2({"Logical_Switch": {S1: {"modify": {"copp": ["uuid", P[1]]}}}})
    assert by_copp.lookup(P[0]) == [] and _uuids(by_copp.lookup(P[1])) == {S1}
    r.apply_update2({"Logical_Switch": {S1: {"modify": {"copp": ["uuid", P[1]]}}}})
    assert by_copp.lookup(P[1]) == []


def test_member_index_only_on_set_columns():
    r = _replica()
    with pytest.raises(ValueError):
        r["Logical_Switch"].member_index("other_config")
    with pytest.raises(ValueError):
        r["Logical_Switch"].member_index("name")
    with pytest.raises(KeyError):
        r["Logical_Switch"].member_index("no_such_column")
