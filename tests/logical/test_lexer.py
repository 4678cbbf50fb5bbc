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


# --- the regular-expression fast path against the character-by-character scanner -------------


def _all_tokens(scan: object, text: str) -> list[Token]:
    out = []
    p = 0
    while True:
        tok = scan(text, p)  # type: ignore[operator]
        out.append(tok)
        if tok.type in (TokenType.END, TokenType.ERROR) or len(out) > 10_000:
            return out
        p = tok.end


def _same_tokens(text: str) -> None:
    from pyovn.logical import lexer

    assert _all_tokens(lexer._scan, text) == _all_tokens(lexer._scan_slow, text), text


@pytest.mark.parametrize(
    "name", ["lexer.txt", "expr_parse.txt", "expr_errors.txt", "expr_annotate.txt"]
)
def test_fast_path_agrees_with_slow_path_on_data_files(name: str) -> None:
    for text, _ in cases(name):
        _same_tokens(text)


def test_fast_path_agrees_on_tricky_inputs() -> None:
    for text in [
        "ab:cd:ef:00:11:22",
        "abc.d:1",
        "fe80::1",
        "dead.beef",
        "a:",
        "0123",
        "1..3",
        "12345678901234567890",
        "1234567890123456789",
        "18446744073709551616",
        "99999999999999999999",
        "10.0.0.1/8",
        "80}",
        "0x1f",
        "1:2",
        "<-> <- <= < -- - == = != ! && || >= >",
        "x==1&&y!=2",
        "reg0[0..3]",
        ".5",
        "a.b.c.d:5",
        "  \t\n ",
        "eth.src == {00:00:00:00:00:01, 0a:00:00:00:00:02}",
        "_x9.z",
        "9a",
        "ct_lb_mark(backends=10.0.0.2:80,[fd00::2]:80);",
    ]:
        _same_tokens(text)


try:
    from hypothesis import given, settings
    from hypothesis import strategies as st
except ImportError:  # pragma: no cover
    pass
else:
    _ALPHABET = 'abcdefxyz_.0123456789:/<>=!&|-(){}[],;$@^" \t\\'

    @settings(max_examples=3000, deadline=None)
    @given(st.text(alphabet=_ALPHABET, max_size=24))
    def test_fast_path_agrees_on_random_text(text: str) -> None:
        _same_tokens(text)
