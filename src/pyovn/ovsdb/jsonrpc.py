"""JSON-RPC 1.0 framing for OVSDB (RFC 7047 section 4), with no I/O.

OVSDB peers send JSON objects back to back on a stream, with no delimiter. ``Framer.feed`` takes
bytes as they arrive and returns the complete messages. Finding where an object ends needs only
brace depth outside strings, so the scanner uses compiled regular expressions to jump from one
brace or quote to the next (the work happens in C), and each complete object is parsed once with
orjson. Two shortcuts skip the scanner in the common cases: a read holding exactly one object, and
pipelined objects sent back to back (cut at each ``}{``, each piece confirmed by orjson). Limits on
message size and nesting depth protect a server from a hostile peer.

Messages are plain dicts, as on the wire: requests ``{"method", "params", "id"}`` (a notification
has ``"id": null``) and responses ``{"result", "error", "id"}``. ``encode`` serialises one.
"""

from __future__ import annotations

import re
from typing import Any

import orjson

from pyovn.ovsdb.largeset import SET_TYPES

# The body of a string after its opening quote: anything but quote/backslash, or an escape.
# It stops at the closing quote, at a backslash whose escaped byte has not arrived, or at the end.
_STRING_BODY = re.compile(rb'(?:[^"\\]|\\.)*', re.DOTALL)
# Everything up to the next brace or bracket, whole strings included: one C call per structural
# byte instead of one per quote, string and brace (an update of 10,000 rows has ~1M strings).
# A string whose closing quote has not arrived stops the match at its opening quote.
_SKIP = re.compile(rb'(?:[^{}\[\]"]+|"(?:[^"\\]|\\.)*")*', re.DOTALL)
_WS = b" \t\r\n"

DEFAULT_MAX_SIZE = 256 * 1024 * 1024
DEFAULT_MAX_DEPTH = 1000
_BIG = 1 << 20  # a message still incomplete past this many bytes switches to _feed_big  # ovsdb-server's own JSON parser refuses deeper nesting


class FramingError(Exception):
    """The peer sent bytes that are not a stream of JSON objects; the connection must close."""


class Framer:
    """Splits a byte stream into JSON-RPC messages.

    Keeps the scan position across ``feed`` calls, so a large message arriving in many pieces is
    scanned once, not once per piece.
    """

    __slots__ = ("_buf", "_pos", "_start", "_stack", "_in_string", "_naive",
                 "max_size", "max_depth")

    def __init__(self, max_size: int = DEFAULT_MAX_SIZE, max_depth: int = DEFAULT_MAX_DEPTH):
        self._buf = bytearray()
        self._pos = 0  # where scanning resumes
        self._start = -1  # offset of the current message's opening brace, -1 between messages
        self._stack = bytearray()  # the closing bracket each open one expects
        self._in_string = False
        # Big-message mode (see _feed_big): not None while in it.
        self._naive: int | None = None
        self.max_size = max_size
        self.max_depth = max_depth

    def feed(self, data: bytes) -> list[Any]:
        """Add ``data``; return the messages it completes (possibly none)."""
        buf = self._buf
        if not buf and data[-1:] == b"}":
            if b"}{" not in data:
                # Fast path: most reads hold exactly one whole message. orjson rejects
                # anything else (a partial message, or two apart), and then the scanner
                # below takes over.
                try:
                    msg = orjson.loads(data)
                except orjson.JSONDecodeError:
                    pass
                else:
                    if isinstance(msg, dict):
                        return [msg]
            elif data[:1] == b"{":
                # Pipelined messages back to back, the whole read: cut at every "}{" and
                # parse each piece (see below for why a piece that parses is one message).
                # Any piece that does not ("}{" in a string, say) leaves it all to the
                # general path.
                parts = data.split(b"}{")
                last = len(parts) - 1
                parts[0] += b"}"
                for i in range(1, last):
                    parts[i] = b"{" + parts[i] + b"}"
                parts[last] = b"{" + parts[last]
                try:
                    return list(map(orjson.loads, parts))
                except orjson.JSONDecodeError:
                    pass
        if self._naive is not None:
            return self._feed_big(data)
        buf += data
        out: list[Any] = []
        if self._start < 0 and b"}{" in buf:
            # Pipelined requests: objects back to back. Cut at each "}{" and let orjson parse
            # the piece: a piece that parses is one whole object (nothing else ends in "}"),
            # so this is what the scanner would find, at C speed rather than a Python loop per
            # brace. At the first piece that does not parse ("}{" inside a string, white space
            # between objects, a message still arriving) the scanner takes over from there.
            start = 0
            while True:
                cut = buf.find(b"}{", start)
                if cut < 0:
                    break
                try:
                    msg = orjson.loads(memoryview(buf)[start : cut + 1])
                except orjson.JSONDecodeError:
                    break
                out.append(msg)
                start = cut + 1
            if start:
                if buf[-1:] == b"}":
                    try:
                        msg = orjson.loads(memoryview(buf)[start:])
                    except orjson.JSONDecodeError:
                        pass
                    else:
                        out.append(msg)     # the last object of the read, whole
                        start = len(buf)
                del buf[:start]
                self._pos = 0
        pos = self._pos
        n = len(buf)
        while pos < n:
            if self._start < 0:
                # Between messages: skip white space; the next byte must open an object.
                while pos < n and buf[pos] in _WS:
                    pos += 1
                if pos >= n:
                    break
                if buf[pos] != 0x7B:  # "{"
                    snippet = bytes(buf[pos : pos + 20])
                    raise FramingError(
                        f"syntax error: a JSON-RPC message must be an object, got {snippet!r}"
                    )
                self._start = pos
                self._stack = bytearray(b"}")
                pos += 1
                continue
            if self._in_string:
                pos = _STRING_BODY.match(buf, pos).end()  # type: ignore[union-attr]
                if pos >= n or buf[pos] != 0x22:
                    break  # the string continues in bytes not yet received
                pos += 1
                self._in_string = False
                continue
            pos = _SKIP.match(buf, pos).end()  # type: ignore[union-attr]
            if pos >= n:
                break
            c = buf[pos]
            pos += 1
            if c == 0x22:  # '"'
                self._in_string = True
            elif c == 0x7B or c == 0x5B:  # "{" "["
                self._stack.append(c + 2)  # "{"+2 = "}", "["+2 = "]"
                if len(self._stack) > self.max_depth:
                    raise FramingError(f"syntax error: nesting deeper than {self.max_depth} levels")
            else:
                if self._stack.pop() != c:
                    raise FramingError(f"syntax error: unexpected {chr(c)!r} at byte {pos - 1 - self._start}")
                if not self._stack:
                    raw = bytes(buf[self._start : pos])
                    try:
                        out.append(orjson.loads(raw))
                    except orjson.JSONDecodeError as e:
                        raise FramingError(f"syntax error: {e}") from None
                    self._start = -1
        if self._start < 0:
            # Nothing pending: drop consumed bytes (cheap when the buffer is small).
            del buf[:pos]
            self._pos = 0
        else:
            if len(buf) - self._start > self.max_size:
                raise FramingError(f"message longer than {self.max_size} bytes")
            if self._start > 0:
                del buf[: self._start]
                pos -= self._start
                self._start = 0
            self._pos = pos
            if len(buf) > _BIG and not self._in_string and pos == len(buf):
                # A big message (a monitor reply, a large update): stop scanning it byte by
                # byte and count braces per read instead (see _feed_big).
                self._naive = self._stack.count(0x7D)
        return out

    def _feed_big(self, data: bytes) -> list[Any]:
        """Big-message mode: bytes are not scanned one by one any more.  Every JSON-RPC message
        is an object, so a buffer can only hold a whole message when the read ends with "}":
        only then does orjson try the buffer (in C, at hundreds of MB/s); a message still being
        received fails as truncated and waits for more, a "content after document" error tells
        where the first of several messages ends.  Reads that end elsewhere cost nothing but
        the append."""
        buf = self._buf
        buf += data
        if len(buf) - self._start > self.max_size:
            raise FramingError(f"message longer than {self.max_size} bytes")
        if not data.rstrip(_WS).endswith(b"}"):
            return []
        raw = memoryview(buf)[self._start:]
        try:
            msg = orjson.loads(raw)
        except orjson.JSONDecodeError as e:
            if "after document" not in e.msg and "trailing" not in e.msg:
                raw.release()
                if _truncated(e):
                    return []  # the message goes on in the next reads
                raise FramingError(f"syntax error: {e}") from None
            # Another message follows in the buffer.  orjson's position counts characters:
            # turn it into a byte offset.
            whole = bytes(raw)
            raw.release()
            end = len(whole.decode("utf-8", "replace")[: e.pos].encode("utf-8"))
            first = orjson.loads(whole[:end])
            rest = whole[end:]
            self._reset()
            return [first, *self.feed(rest)] if rest.strip(_WS) else [first]
        raw.release()
        self._reset()
        return [msg]

    def _reset(self) -> None:
        self._buf = bytearray()
        self._pos = 0
        self._start = -1
        self._stack = bytearray()
        self._in_string = False
        self._naive = None

    @property
    def pending(self) -> int:
        """Bytes received but not yet part of a complete message."""
        return len(self._buf)


def _truncated(e: orjson.JSONDecodeError) -> bool:
    """Whether orjson stopped because the document ended early (rather than at bad syntax)."""
    return "EOF" in e.msg or "unexpected end" in e.msg


def _default(obj: Any) -> Any:
    if isinstance(obj, (*SET_TYPES, tuple)):
        return list(obj)
    raise TypeError(f"cannot serialise {type(obj).__name__} to JSON")


def encode(msg: Any) -> bytes:
    """Serialise one message. Reals that are whole numbers stay reals (e.g. ``2.0``)."""
    return orjson.dumps(msg, default=_default)


def request(method: str, params: Any, id: Any) -> dict[str, Any]:
    return {"method": method, "params": params, "id": id}


def notification(method: str, params: Any) -> dict[str, Any]:
    return {"method": method, "params": params, "id": None}


def response(result: Any, id: Any) -> dict[str, Any]:
    return {"result": result, "error": None, "id": id}


def error_response(error: Any, id: Any) -> dict[str, Any]:
    return {"result": None, "error": error, "id": id}


def is_request(msg: Any) -> bool:
    return isinstance(msg, dict) and "method" in msg

