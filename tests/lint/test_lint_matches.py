"""The match helpers behind the ACL checks: references, terms, and the covering test.

``COVERS`` is data: ``broad  =>  narrow  =>  expected``, where expected says whether every packet
``narrow`` matches is matched by ``broad`` as far as the (deliberately incomplete) test can prove.
"""

from __future__ import annotations

import pytest

from pyovn.lint import matches

COVERS = """
1                                   => ip4 && tcp.dst == 22                => True
ip4                                 => ip4 && tcp.dst == 22                => True
ip                                  => tcp.dst == 22                       => True
ip                                  => ip6.src == fd00::1                  => True
ip4                                 => ip4.src == 10.0.0.1                 => True
ip4                                 => icmp4.type == 8                     => True
ip4                                 => ip6 && tcp                          => False
ip4                                 => tcp                                 => False
ip4                                 => ip                                  => False
tcp                                 => tcp.dst == 80                       => True
tcp                                 => udp.dst == 80                       => False
ip4                                 => !ip4.src == 10.0.0.1                => False
inport == "p1"                      => inport == "p1" && ip4               => True
inport=="p1"&&ip4                   => ip4 && inport == "p1"               => True
inport == "p1" && ip4               => inport == "p1"                      => False
inport == "p1" && ip4               => (inport == "p1" && ip4) && tcp      => True
ip4 || ip6                          => ip4                                 => False
ip4 || ip6                          => ip4 || ip6                          => True
0                                   => ip4                                 => False
outport == @pg1                     => outport == @pg1 && ip4              => True
ip4.src == 10.0.0.0/8               => ip4.src == 10.0.0.1                 => False
"""


def _cases() -> list[tuple[str, str, bool]]:
    out = []
    for line in COVERS.strip().splitlines():
        broad, narrow, expected = (x.strip() for x in line.split("=>"))
        out.append((broad, narrow, expected == "True"))
    return out


@pytest.mark.parametrize("broad,narrow,expected", _cases())
def test_covers(broad: str, narrow: str, expected: bool) -> None:
    assert matches.covers(broad, narrow) is expected


def test_terms_normalise_spacing_and_nesting() -> None:
    assert matches.terms('inport=="a"&&(ip4 && tcp.dst==80)') == {
        'inport == "a"', "ip4", "tcp.dst == 80"}
    assert matches.terms("ip4 || ip6") == {"ip4 || ip6"}
    assert matches.terms("") == {"1"}


def test_references_skip_strings() -> None:
    pgs, sets = matches.references('inport == @pg1 && ip4.src == $as1 && outport == "@x $y"')
    assert pgs == {"pg1"}
    assert sets == {"as1"}


def test_predicate_only() -> None:
    assert matches.is_predicate_only("ip4")
    assert matches.is_predicate_only("ip && tcp")
    assert matches.is_predicate_only("1")
    assert not matches.is_predicate_only("ip4 && inport == \"p\"")
