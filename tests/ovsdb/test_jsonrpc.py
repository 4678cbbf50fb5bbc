"""Framing: messages split at every possible byte boundary come out whole and in order."""

import orjson
import pytest
from hypothesis import given
from hypothesis import strategies as st

from pyovn.ovsdb.jsonrpc import Framer, FramingError, encode

MSGS = [
    {"method": "echo", "params": [], "id": "echo"},
    {"method": "transact", "params": ["db", {"op": "insert", "row": {"s": "a}b{c\"d\\"}}], "id": 7},
    {"result": [{"uuid": ["uuid", "a"]}], "error": None, "id": 7},
    {"method": "update", "params": [None, {"t": {}}], "id": None},
]


def test_every_split_point():
    data = b"".join(encode(m) + b"\n" for m in MSGS)
    for cut in range(len(data) + 1):
        f = Framer()
        got = f.feed(data[:cut]) + f.feed(data[cut:])
        assert got == MSGS, cut
        assert f.pending == 0


def test_byte_at_a_time():
    data = b"  ".join(encode(m) for m in MSGS)
    f = Framer()
    got = []
    for i in range(len(data)):
        got += f.feed(data[i : i + 1])
    assert got == MSGS


json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**63), 2**63 - 1) | st.text(),
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(st.text(max_size=5), children, max_size=4),
    max_leaves=20,
)


@given(st.lists(st.dictionaries(st.text(max_size=5), json_values, max_size=4), max_size=5),
       st.integers(1, 7))
def test_roundtrip_random(msgs, chunk):
    data = b"".join(orjson.dumps(m) for m in msgs)
    f = Framer()
    got = []
    for i in range(0, len(data), chunk):
        got += f.feed(data[i : i + chunk])
    assert got == msgs


@pytest.mark.parametrize("bad", [b"[1,2]", b"42", b'"x"', b"{\"a\": nul}", b"{\"a\" 1}"])
def test_malformed(bad):
    with pytest.raises(FramingError):
        Framer().feed(bad)


def test_depth_limit():
    f = Framer(max_depth=50)
    with pytest.raises(FramingError, match="nesting"):
        f.feed(b'{"a":' + b"[" * 60)


def test_size_limit():
    f = Framer(max_size=1000)
    f.feed(b'{"a":"' + b"x" * 500)
    with pytest.raises(FramingError, match="longer"):
        f.feed(b"x" * 600)


def test_back_to_back_objects_with_braces_in_strings():
    # Pipelined requests arrive as objects with nothing between them; "}{" may also occur
    # inside strings, where it must not cut a message.
    msgs = MSGS + [{"method": "echo", "params": ["}{", "x}{y}{"], "id": 8},
                   {"method": "echo", "params": [{"a": {}}, {}], "id": 9}]
    data = b"".join(encode(m) for m in msgs)
    for cut in range(len(data) + 1):
        f = Framer()
        got = f.feed(data[:cut]) + f.feed(data[cut:])
        assert got == msgs, cut
        assert f.pending == 0
    f = Framer()
    assert f.feed(data + encode(MSGS[0])[:5]) == msgs
    assert f.feed(encode(MSGS[0])[5:]) == [MSGS[0]]
    with pytest.raises(FramingError):
        Framer().feed(encode(MSGS[0]) + b"[1]" + encode(MSGS[1]))


braces_text = st.text(alphabet="{}[]\"\\ab", max_size=8)


@given(st.lists(st.dictionaries(braces_text, braces_text | json_values, max_size=4),
                min_size=1, max_size=6))
def test_whole_read_of_back_to_back_objects(msgs):
    # One read holding several whole messages (the pipelined shortcut), strings full of
    # braces and "}{": the same messages as the scanner finds.
    data = b"".join(orjson.dumps(m) for m in msgs)
    f = Framer()
    assert f.feed(data) == msgs
    assert f.pending == 0


def _big(n: int, text: str = "x") -> dict:
    return {"method": "update3", "params": ["m", "t",
            {"T": {f"u{i}": {"insert": {"s": f"{text}{i}", "l": ["set", [1, 2]]}} for i in range(n)}}],
            "id": None}


@pytest.mark.parametrize("text", ["x", "{", "}}", "\\\"}{", "nd_na { eth.src = 1; }"])
@pytest.mark.parametrize("chunk", [1000, 65536, 300_001])
def test_big_messages_counted_per_read(text: str, chunk: int) -> None:
    """Messages past 1 MB are counted per read and parsed once; braces inside strings (balanced
    or not), a message right behind in the same read, and any chunking give the same result."""
    big = _big(30_000, text)
    small = {"method": "echo", "params": [], "id": 7}
    data = orjson.dumps(big) + orjson.dumps(small) + orjson.dumps(big)
    f = Framer()
    out = []
    for i in range(0, len(data), chunk):
        out += f.feed(data[i:i + chunk])
    assert out == [big, small, big]
    assert f.pending == 0
