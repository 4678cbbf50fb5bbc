"""The lexer against data/lexer.txt, plus the Lexer cursor API and error positions."""

from __future__ import annotations

import json

import pytest
from logical_data import cases

from pyovn.logical.expr import Constant
from pyovn.logical.lexer import IntFormat, Lexer, ParseError, Token, TokenType, tokenize


def fmt(tok: Token) -> str:
    t = tok.type
    if t is TokenType.ID:
        return tok.s
    if t is TokenType.STRING:
        return json.dumps(tok.s)
    if t in (TokenType.INTEGER, TokenType.MASKED_INTEGER):
        return str(Constant.from_token(tok))
    if t is TokenType.MACRO:
        return "$" + tok.s
    if t is TokenType.PORT_GROUP:
        return "@" + tok.s
    if t is TokenType.TEMPLATE:
        return "^" + tok.s
    if t is TokenType.ERROR:
        return f"error({json.dumps(tok.s)})"
    return t.value


@pytest.mark.parametrize(("text", "expected"), cases("lexer.txt"))
def test_lexer_data(text: str, expected: str) -> None:
    toks = [t for t in tokenize(text) if t.type is not TokenType.END]
    assert " ".join(fmt(t) for t in toks) == expected


def test_integer_values_and_formats() -> None:
    t = Lexer("10.0.0.0/8").token
    assert (t.type, t.value, t.mask, t.format) == (
        TokenType.MASKED_INTEGER,
        0x0A000000,
        0xFF000000,
        IntFormat.IPV4,
    )
    t = Lexer("fe80::/10").token
    assert t.value == 0xFE80 << 112 and t.mask == 0xFFC0 << 112 and t.format is IntFormat.IPV6
    t = Lexer("00:11:22:33:44:55").token
    assert (t.value, t.format) == (0x001122334455, IntFormat.ETHERNET)
    t = Lexer("0x00ff").token
    assert (t.value, t.format, t.mask) == (0xFF, IntFormat.HEXADECIMAL, None)


def test_positions() -> None:
    toks = tokenize("  ip4.src  ==\n 1.2.3.4")
    assert [(t.pos, t.end) for t in toks] == [(2, 9), (11, 13), (15, 22), (22, 22)]


def test_cursor_api() -> None:
    lx = Lexer("next(pipeline=egress, table=3);")
    assert lx.lookahead() is TokenType.LPAREN
    assert not lx.match_id("output")
    assert lx.match_id("next")
    assert lx.match(TokenType.LPAREN)
    assert lx.token.s == "pipeline" and lx.lookahead() is TokenType.EQUALS
    lx.next()
    lx.force_match(TokenType.EQUALS)
    assert lx.match_id("egress") and lx.match(TokenType.COMMA) and lx.match_id("table")
    lx.force_match(TokenType.EQUALS)
    assert lx.is_int() and lx.force_int() == 3
    lx.force_match(TokenType.RPAREN)
    lx.force_match(TokenType.SEMICOLON)
    lx.force_end()


def test_syntax_error_wording_and_position() -> None:
    lx = Lexer("a   b")
    lx.next()
    with pytest.raises(ParseError) as ei:
        lx.force_match(TokenType.RPAREN)
    assert ei.value.message == "Syntax error at `b' expecting `)'."
    assert ei.value.pos == 4
    assert "offset 4" in str(ei.value)
    lx.next()
    with pytest.raises(ParseError) as ei:
        lx.force_match(TokenType.SEMICOLON, "`;'")
    assert ei.value.message == "Syntax error at end of input expecting `;'."
    with pytest.raises(ParseError, match="expecting small integer"):
        Lexer("0x3").force_int()


def test_lexical_error_wins_over_syntax_error() -> None:
    lx = Lexer("a & b")
    lx.next()
    with pytest.raises(ParseError) as ei:
        lx.force_match(TokenType.SEMICOLON)
    assert ei.value.message == "`&' is only valid as part of `&&'."
    assert ei.value.pos == 2
