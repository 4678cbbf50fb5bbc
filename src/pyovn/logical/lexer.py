"""The lexer of the OVN logical flow language (ovn-sb(5), "Logical_Flow").

Text is scanned one token at a time, on demand: ``Lexer.token`` is the current token and
``Lexer.next()`` scans the following one.  Lexical errors do not raise at once; they become an
``ERROR`` token whose ``s`` is the message, and whichever parser reaches that token reports the
lexical message instead of its own (as OVN does, so the user sees the real cause).

Integer constants keep the notation they were written in (``IntFormat``) because that decides how
masks combine (``10.0.0.0/8`` is a CIDR, ``0/0x1f`` a hex mask) and how values print back.  The
scanning rules follow OVN's: an integer runs over letters, digits, ``:`` (until a ``.`` has been
seen, so ``1.2.3.4:80`` is three tokens) and ``.`` (unless doubled, so ``1..3`` is an ellipsis);
an identifier may contain letters, digits, ``_`` and ``.``; a word made of hex digits followed by
``:`` is a MAC or IPv6 address, not an identifier.

Speed: the common tokens (identifiers, small decimals, operators) are matched by one regular
expression (``_FAST``); everything else goes through the character-by-character ``_scan_slow``,
which is also the reference the fast path is tested against.  Hex constants may be up to 1024
bits wide, as in OVN; width checks against fields are the parser's.
"""

from __future__ import annotations

import enum
import json
import re
import socket
from dataclasses import dataclass

__all__ = [
    "IntFormat",
    "Lexer",
    "ParseError",
    "Token",
    "TokenType",
    "format_integer",
    "tokenize",
]


class TokenType(enum.Enum):
    END = "end of input"
    ID = "identifier"
    STRING = "string"
    INTEGER = "integer"
    MASKED_INTEGER = "masked integer"
    MACRO = "$name"
    PORT_GROUP = "@name"
    TEMPLATE = "^name"
    LPAREN = "("
    RPAREN = ")"
    LCURLY = "{"
    RCURLY = "}"
    LSQUARE = "["
    RSQUARE = "]"
    EQ = "=="
    NE = "!="
    LT = "<"
    LE = "<="
    GT = ">"
    GE = ">="
    LOG_NOT = "!"
    LOG_AND = "&&"
    LOG_OR = "||"
    ELLIPSIS = ".."
    COMMA = ","
    SEMICOLON = ";"
    EQUALS = "="
    EXCHANGE = "<->"
    DECREMENT = "--"
    COLON = ":"
    HYPHEN = "-"
    ERROR = "error"


class IntFormat(enum.Enum):
    DECIMAL = "decimal"
    HEXADECIMAL = "hexadecimal"
    IPV4 = "IPv4"
    IPV6 = "IPv6"
    ETHERNET = "Ethernet"


@dataclass(slots=True)
class Token:
    type: TokenType
    s: str = ""  # ID / STRING / MACRO / PORT_GROUP / TEMPLATE text; the message of an ERROR
    value: int = 0
    mask: int | None = None  # set for MASKED_INTEGER; value is already ANDed with it
    format: IntFormat = IntFormat.DECIMAL
    pos: int = 0  # offset of the token's first character in the input
    end: int = 0  # offset just past the token


class ParseError(ValueError):
    """A lexical, syntax or semantic error in a match or actions string.

    ``message`` is worded as OVN words it (e.g. "Syntax error at `x' expecting field name.");
    ``pos`` is the offset in ``text`` where the offending token starts.
    """

    def __init__(self, message: str, pos: int = 0, text: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.pos = pos
        self.text = text

    def __str__(self) -> str:
        if not self.text:
            return self.message
        return f"{self.message} (at offset {self.pos} in {self.text!r})"


# Width limits of OVN's lexer: decimal constants are 64-bit; hex constants may use the whole of
# OVS's mf_subvalue (128 bytes), far wider than any field.  Whether a constant fits the field it
# is compared with or assigned to is the consumer's check ("141-bit constant is not compatible
# with 128-bit field ct_label."), not the lexer's.
_MAX_DECIMAL = 1 << 64
_MAX_HEX_BITS = 1024
_INET6_ADDRSTRLEN = 46

_MAC_RE = re.compile(r"[0-9a-fA-F]{2}(?::[0-9a-fA-F]{2}){5}\Z")
_HEXDIGITS = frozenset("0123456789abcdefABCDEF")
_ID1 = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_.")
_IDN = _ID1 | frozenset("0123456789")
_SPACE = frozenset(" \t\n\r\v\f")
_INT_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")

_SIMPLE = {
    "(": TokenType.LPAREN,
    ")": TokenType.RPAREN,
    "{": TokenType.LCURLY,
    "}": TokenType.RCURLY,
    "[": TokenType.LSQUARE,
    "]": TokenType.RSQUARE,
    ",": TokenType.COMMA,
    ";": TokenType.SEMICOLON,
}


def _error(tok: Token, message: str) -> None:
    tok.type = TokenType.ERROR
    tok.s = message


def _scan_integer(text: str, p: int, tok: Token) -> int:
    """Scans one (unmasked) integer constant at ``p`` into ``tok``; returns the end offset."""
    n = len(text)
    end = p
    saw_dot = False
    while end < n:
        c = text[end]
        if c in _INT_CHARS or (c == ":" and not saw_dot):
            end += 1
        elif c == "." and not text.startswith("..", end):
            saw_dot = True
            end += 1
        else:
            break
    word = text[p:end]
    tok.type = TokenType.INTEGER
    tok.value = 0
    if not word:
        _error(tok, "Integer constant expected.")
    elif len(word) == 17 and _MAC_RE.match(word):
        tok.value = int(word.replace(":", ""), 16)
        tok.format = IntFormat.ETHERNET
    elif word.isdigit() and word.isascii():
        if word[0] == "0" and len(word) > 1:
            _error(tok, "Decimal constants must not have leading zeros.")
        else:
            v = int(word)
            if v >= _MAX_DECIMAL:
                _error(tok, "Decimal constants must be less than 2**64.")
            else:
                tok.value = v
                tok.format = IntFormat.DECIMAL
    elif word[0] == "0" and len(word) > 1 and word[1] in "xX":
        digits = word[2:]
        if not digits:
            _error(tok, f"Hex digits expected following 0{word[1]}.")
        elif not all(c in _HEXDIGITS for c in digits):
            _error(tok, "Invalid syntax in hexadecimal constant.")
        else:
            v = int(digits, 16)
            if v.bit_length() > _MAX_HEX_BITS:
                _error(tok, f"Hexadecimal constant requires more than {_MAX_HEX_BITS} bits.")
            else:
                tok.value = v
                tok.format = IntFormat.HEXADECIMAL
    elif len(word) < _INET6_ADDRSTRLEN:
        try:
            tok.value = int.from_bytes(socket.inet_pton(socket.AF_INET, word), "big")
            tok.format = IntFormat.IPV4
        except OSError:
            try:
                tok.value = int.from_bytes(socket.inet_pton(socket.AF_INET6, word), "big")
                tok.format = IntFormat.IPV6
            except OSError:
                _error(tok, "Invalid numeric constant.")
    else:
        _error(tok, "Invalid numeric constant.")
    return end


def _prefix_mask(bits: int, width: int) -> int:
    return ((1 << bits) - 1) << (width - bits)


def _scan_masked_integer(text: str, p: int, tok: Token) -> int:
    p = _scan_integer(text, p, tok)
    if tok.type is not TokenType.INTEGER or not text.startswith("/", p):
        return p
    mask = Token(TokenType.END)
    p = _scan_integer(text, p + 1, mask)
    if mask.type is TokenType.ERROR:
        _error(tok, mask.s)
        return p
    fmt, mfmt = tok.format, mask.format
    if fmt is mfmt:
        m = mask.value
    elif fmt is IntFormat.IPV4 and mfmt is IntFormat.DECIMAL and mask.value <= 32:
        m = _prefix_mask(mask.value, 32)
    elif fmt is IntFormat.IPV6 and mfmt is IntFormat.DECIMAL and mask.value <= 128:
        m = _prefix_mask(mask.value, 128)
    elif fmt is IntFormat.DECIMAL and mfmt is IntFormat.HEXADECIMAL and tok.value == 0:
        # "0/0x1234": the value takes the mask's notation.
        tok.format = IntFormat.HEXADECIMAL
        m = mask.value
    else:
        _error(tok, "Value and mask have incompatible formats.")
        return p
    tok.type = TokenType.MASKED_INTEGER
    tok.mask = m
    tok.value &= m  # invariant: no 1-bit in the value outside the mask
    return p


def _scan_string(text: str, p: int, tok: Token) -> int:
    start = p + 1
    i = start
    n = len(text)
    while True:
        if i >= n:
            _error(tok, "Input ends inside quoted string.")
            return i
        c = text[i]
        if c == '"':
            raw = text[start:i]
            try:
                # Strings have JSON's syntax (ovn-sb(5)); json does the unescaping.
                value = json.loads('"' + raw + '"') if "\\" in raw else raw
            except json.JSONDecodeError as e:
                _error(tok, f"Invalid string constant: {e.msg}.")
            else:
                tok.type = TokenType.STRING
                tok.s = value
            return i + 1
        i += 2 if c == "\\" else 1


def _scan_id(text: str, p: int, tok: Token, type_: TokenType) -> int:
    end = p + 1
    n = len(text)
    while end < n and text[end] in _IDN:
        end += 1
    tok.type = type_
    tok.s = text[p:end]
    return end


def _scan_sigil(text: str, p: int, tok: Token, type_: TokenType) -> int:
    sigil = text[p]
    p += 1
    if p >= len(text) or text[p] not in _ID1:
        _error(tok, f"`{sigil}' must be followed by a valid identifier.")
        return p
    return _scan_id(text, p, tok, type_)


# The common tokens in one regular expression (after optional space): identifiers (unless they
# are the hex digits of a MAC or IPv6 address, "ab:cd..."), decimal integers not followed by
# anything that would make them another kind of number, and operators.  Anything else (hex,
# addresses, strings, comments, errors) takes the character-by-character path below.
_FAST = re.compile(
    r"[ \t\n\r\v\f]*(?:"
    r"(?P<id>(?![0-9a-fA-F]+:)[A-Za-z_][A-Za-z0-9_.]*)"
    r"|(?P<num>0|[1-9][0-9]{0,18})(?![0-9A-Za-z:./])"
    r"|(?P<op>==|!=|&&|\|\||<->|<=|>=|--|[(){}\[\],;=!<>])"
    r")"
)
_OPS = {
    "==": TokenType.EQ,
    "!=": TokenType.NE,
    "&&": TokenType.LOG_AND,
    "||": TokenType.LOG_OR,
    "<->": TokenType.EXCHANGE,
    "<=": TokenType.LE,
    ">=": TokenType.GE,
    "--": TokenType.DECREMENT,
    "=": TokenType.EQUALS,
    "!": TokenType.LOG_NOT,
    "<": TokenType.LT,
    ">": TokenType.GT,
    **{c: t for c, t in _SIMPLE.items()},
}
_ID, _INTEGER, _DECIMAL = TokenType.ID, TokenType.INTEGER, IntFormat.DECIMAL


def _scan(text: str, p: int) -> Token:
    """Scans the token that starts at or after offset ``p`` (skipping space and comments)."""
    m = _FAST.match(text, p)
    if m is not None:
        kind = m.lastgroup
        assert kind is not None
        start, end = m.span(kind)
        if kind == "id":
            return Token(_ID, text[start:end], 0, None, _DECIMAL, start, end)
        if kind == "num":
            # At most 19 digits: always below 2**64.
            return Token(_INTEGER, "", int(text[start:end]), None, _DECIMAL, start, end)
        return Token(_OPS[text[start:end]], "", 0, None, _DECIMAL, start, end)
    return _scan_slow(text, p)


def _scan_slow(text: str, p: int) -> Token:
    """``_scan`` for every token, one character at a time (the reference for the fast path)."""
    n = len(text)
    tok = Token(TokenType.END)
    while True:
        while p < n and text[p] in _SPACE:
            p += 1
        tok.pos = p
        if p >= n:
            tok.end = p
            return tok
        c = text[p]
        if c == "/":
            nxt = text[p + 1 : p + 2]
            if nxt == "/":
                nl = text.find("\n", p)
                p = n if nl < 0 else nl
                continue
            if nxt == "*":
                q = p + 2
                while q < n and text[q] != "\n" and not text.startswith("*/", q):
                    q += 1
                if text.startswith("*/", q):
                    p = q + 2
                    continue
                _error(tok, "`/*' without matching `*/'.")
                tok.end = q
                return tok
            _error(tok, "`/' is only valid as part of `//' or `/*'.")
            p += 1
        elif c in _SIMPLE:
            tok.type = _SIMPLE[c]
            p += 1
        elif c == "=":
            if text.startswith("==", p):
                tok.type, p = TokenType.EQ, p + 2
            else:
                tok.type, p = TokenType.EQUALS, p + 1
        elif c == "!":
            if text.startswith("!=", p):
                tok.type, p = TokenType.NE, p + 2
            else:
                tok.type, p = TokenType.LOG_NOT, p + 1
        elif c == "&":
            if text.startswith("&&", p):
                tok.type, p = TokenType.LOG_AND, p + 2
            else:
                _error(tok, "`&' is only valid as part of `&&'.")
                p += 1
        elif c == "|":
            if text.startswith("||", p):
                tok.type, p = TokenType.LOG_OR, p + 2
            else:
                _error(tok, "`|' is only valid as part of `||'.")
                p += 1
        elif c == "<":
            if text.startswith("<=", p):
                tok.type, p = TokenType.LE, p + 2
            elif text.startswith("<->", p):
                tok.type, p = TokenType.EXCHANGE, p + 3
            else:
                tok.type, p = TokenType.LT, p + 1
        elif c == ">":
            if text.startswith(">=", p):
                tok.type, p = TokenType.GE, p + 2
            else:
                tok.type, p = TokenType.GT, p + 1
        elif c == ".":
            if text.startswith("..", p):
                tok.type, p = TokenType.ELLIPSIS, p + 2
            else:
                _error(tok, "`.' is only valid as part of `..' or a number.")
                p += 1
        elif c == "-":
            if text.startswith("--", p):
                tok.type, p = TokenType.DECREMENT, p + 2
            else:
                tok.type, p = TokenType.HYPHEN, p + 1
        elif c == "$":
            p = _scan_sigil(text, p, tok, TokenType.MACRO)
        elif c == "@":
            p = _scan_sigil(text, p, tok, TokenType.PORT_GROUP)
        elif c == "^":
            p = _scan_sigil(text, p, tok, TokenType.TEMPLATE)
        elif c == ":" and not text.startswith("::", p):
            tok.type, p = TokenType.COLON, p + 1
        elif c == ":" or "0" <= c <= "9":
            p = _scan_masked_integer(text, p, tok)
        elif c == '"':
            p = _scan_string(text, p, tok)
        elif c in _HEXDIGITS:
            # A MAC or IPv6 address starting with a letter is hex digits then ':';
            # an identifier never is.
            q = p
            while q < n and text[q] in _HEXDIGITS:
                q += 1
            if text.startswith(":", q):
                p = _scan_masked_integer(text, p, tok)
            else:
                p = _scan_id(text, p, tok, TokenType.ID)
        elif c in _ID1:
            p = _scan_id(text, p, tok, TokenType.ID)
        else:
            if c.isprintable() and c.isascii():
                _error(tok, f"Invalid character `{c}' in input.")
            else:
                _error(tok, f"Invalid byte 0x{ord(c):x} in input.")
            p += 1
        tok.end = p
        return tok


def format_integer(value: int, fmt: IntFormat) -> str:
    """Formats an integer in the given notation (hex as OVS does: ``0x`` plus minimal digits)."""
    if fmt is IntFormat.DECIMAL:
        return str(value)
    if fmt is IntFormat.IPV4 and value < 1 << 32:
        return socket.inet_ntop(socket.AF_INET, value.to_bytes(4, "big"))
    if fmt is IntFormat.IPV6 and value < 1 << 128:
        return socket.inet_ntop(socket.AF_INET6, value.to_bytes(16, "big"))
    if fmt is IntFormat.ETHERNET and value < 1 << 48:
        h = f"{value:012x}"
        return ":".join(h[i : i + 2] for i in range(0, 12, 2))
    return f"{value:#x}"


class Lexer:
    """A cursor over the tokens of ``text``; ``token`` is the current one (already scanned)."""

    __slots__ = ("text", "token", "_p", "_peek")

    def __init__(self, text: str) -> None:
        self.text = text
        self._p = 0
        self._peek: Token | None = None  # the token after ``token``, once lookahead() scanned it
        self.token = _scan(text, 0)
        self._p = self.token.end

    # --- moving ----------------------------------------------------------------------------
    def next(self) -> None:
        """Advances to the next token."""
        tok = self._peek
        if tok is None:
            tok = _scan(self.text, self._p)
        else:
            self._peek = None
        self.token = tok
        self._p = tok.end

    def lookahead(self) -> TokenType:
        """The type of the token after the current one, without advancing."""
        if self._peek is None:
            self._peek = _scan(self.text, self._p)
        return self._peek.type

    def match(self, type_: TokenType) -> bool:
        """Consumes the current token if it has type ``type_``."""
        if self.token.type is type_:
            self.next()
            return True
        return False

    def match_id(self, name: str) -> bool:
        """Consumes the current token if it is the identifier ``name``."""
        if self.token.type is TokenType.ID and self.token.s == name:
            self.next()
            return True
        return False

    def match_string(self, s: str) -> bool:
        if self.token.type is TokenType.STRING and self.token.s == s:
            self.next()
            return True
        return False

    def force_match(self, type_: TokenType, what: str | None = None) -> None:
        """Consumes a token of type ``type_`` or raises "Syntax error at `x' expecting what."."""
        if type_ is TokenType.END:
            self.force_end()
        elif not self.match(type_):
            raise self.syntax_error("expecting " + (what or "`" + type_.value + "'"))

    def force_end(self) -> None:
        if self.token.type is not TokenType.END:
            raise self.syntax_error("expecting end of input")

    # --- small integers (bit indexes, table numbers...) ----------------------------------------
    def is_int(self) -> bool:
        t = self.token
        return (
            t.type is TokenType.INTEGER and t.format is IntFormat.DECIMAL and t.value <= 2**31 - 1
        )

    def get_int(self) -> int | None:
        if self.is_int():
            v = self.token.value
            self.next()
            return v
        return None

    def force_int(self) -> int:
        v = self.get_int()
        if v is None:
            raise self.syntax_error("expecting small integer")
        return v

    # --- errors ---------------------------------------------------------------------------
    def current_text(self) -> str:
        """The input text of the current token, as error messages quote it."""
        return self.text[self.token.pos : self.token.end]

    def error(self, message: str) -> ParseError:
        """An error at the current token (returned, for the caller to raise).

        If the current token is a lexical error, that error is reported instead: nothing
        accepts an error token, so its message is the useful one.
        """
        if self.token.type is TokenType.ERROR:
            return ParseError(self.token.s, self.token.pos, self.text)
        return ParseError(message, self.token.pos, self.text)

    def syntax_error(self, message: str | None = None) -> ParseError:
        """ "Syntax error at `tok' <message>." (OVN's wording), returned for the caller to raise."""
        if self.token.type is TokenType.ERROR:
            return ParseError(self.token.s, self.token.pos, self.text)
        s = "Syntax error"
        if self.token.type is TokenType.END:
            s += " at end of input"
        else:
            s += f" at `{self.current_text()}'"
        if message:
            s += " " + message
        return ParseError(s + ".", self.token.pos, self.text)


def tokenize(text: str) -> list[Token]:
    """All tokens of ``text`` up to and including END (or the first ERROR)."""
    lx = Lexer(text)
    out = [lx.token]
    while lx.token.type not in (TokenType.END, TokenType.ERROR):
        lx.next()
        out.append(lx.token)
    return out
