"""What the checks need to know about OVN match expressions, read with pyovn's lexer.

* :func:`references`: the port groups (``@name``) and address sets (``$name``) a match names.
* :func:`terms`: a match as the set of its top-level conjuncts (``a && (b && c)`` -> {a, b, c}),
  each normalised to its tokens joined by single spaces, so spacing does not matter; a match
  with a top-level ``||`` is one opaque term.
* :func:`covers`: a sound, deliberately incomplete test that every packet matching ``narrow``
  also matches ``broad``: each term of ``broad`` must be a term of ``narrow``, be ``1``, or be a
  protocol predicate (``ip``, ``ip4``, ``tcp`` ...) that one of ``narrow``'s terms requires —
  OVN adds a field's prerequisites to every comparison on it, so ``ip4.src == 10.0.0.1``
  implies ``ip4`` and ``ip``. Anything it cannot prove is "does not cover".
"""

from __future__ import annotations

import re
from functools import lru_cache

from pyovn.logical.lexer import Token, TokenType, tokenize

__all__ = ["PREDICATE_IMPLIES", "covers", "implies", "references", "terms"]

# A predicate or field-name prefix -> the protocol predicates it implies (OVN's prerequisites).
PREDICATE_IMPLIES: dict[str, frozenset[str]] = {
    "ip": frozenset({"ip"}),
    "ip4": frozenset({"ip4", "ip"}),
    "ip6": frozenset({"ip6", "ip"}),
    "tcp": frozenset({"tcp", "ip"}),
    "udp": frozenset({"udp", "ip"}),
    "sctp": frozenset({"sctp", "ip"}),
    "icmp": frozenset({"icmp", "ip"}),
    "icmp4": frozenset({"icmp4", "icmp", "ip4", "ip"}),
    "icmp6": frozenset({"icmp6", "icmp", "ip6", "ip"}),
    "arp": frozenset({"arp"}),
}

_RELATIONAL = frozenset({TokenType.EQ, TokenType.NE, TokenType.LT, TokenType.LE, TokenType.GT,
                         TokenType.GE})
_OPEN = frozenset({TokenType.LPAREN, TokenType.LCURLY, TokenType.LSQUARE})
_CLOSE = frozenset({TokenType.RPAREN, TokenType.RCURLY, TokenType.RSQUARE})


_CACHE = 1 << 18  # distinct matches remembered (a large Northbound has ~100,000 ACLs)
_QUOTED = re.compile(r'"(?:[^"\\]|\\.)*"')


@lru_cache(maxsize=_CACHE)
def _tokens(match: str) -> tuple[Token, ...]:
    toks = tokenize(match)
    return tuple(t for t in toks if t.type is not TokenType.END)


_NONE: tuple[frozenset[str], frozenset[str]] = (frozenset(), frozenset())


@lru_cache(maxsize=_CACHE)
def references(match: str) -> tuple[frozenset[str], frozenset[str]]:
    """(port group names, address set names) referenced by ``match``."""
    if "@" not in match and "$" not in match:
        return _NONE
    pgs: set[str] = set()
    sets: set[str] = set()
    for t in _tokens(match):
        if t.type is TokenType.PORT_GROUP:
            pgs.add(t.s)
        elif t.type is TokenType.MACRO:
            sets.add(t.s)
    return frozenset(pgs), frozenset(sets)


def _split(toks: tuple[Token, ...], text: str) -> list[tuple[Token, ...]] | None:
    """Top-level conjuncts of ``toks``; None when a top-level ``||`` makes it one term."""
    parts: list[tuple[Token, ...]] = []
    depth = 0
    start = 0
    for i, t in enumerate(toks):
        if t.type in _OPEN:
            depth += 1
        elif t.type in _CLOSE:
            depth -= 1
        elif depth == 0 and t.type is TokenType.LOG_OR:
            return None
        elif depth == 0 and t.type is TokenType.LOG_AND:
            parts.append(toks[start:i])
            start = i + 1
    parts.append(toks[start:])
    return parts


def _wrapped(toks: tuple[Token, ...]) -> bool:
    """``( ... )`` with the first parenthesis closed by the last token."""
    if len(toks) < 2 or toks[0].type is not TokenType.LPAREN or toks[-1].type is not \
            TokenType.RPAREN:
        return False
    depth = 0
    for i, t in enumerate(toks):
        if t.type in _OPEN:
            depth += 1
        elif t.type in _CLOSE:
            depth -= 1
            if depth == 0 and i != len(toks) - 1:
                return False
    return True


def _text(toks: tuple[Token, ...], text: str) -> str:
    return " ".join(text[t.pos:t.end] for t in toks)


def _terms_of(toks: tuple[Token, ...], text: str, out: set[str]) -> None:
    while _wrapped(toks):
        toks = toks[1:-1]
    parts = _split(toks, text)
    if parts is None or len(parts) == 1:
        if toks:
            out.add(_text(toks, text))
        return
    for p in parts:
        _terms_of(p, text, out)


def _simple_split(match: str) -> list[str] | None:
    """The conjuncts of a match with no grouping and no ``||``, split without the lexer (the
    common case, fast); None when the match needs the lexer."""
    if any(c in match for c in "({[|"):
        return None
    if '"' in match and any("&" in s for s in _QUOTED.findall(match)):
        return None
    return match.split("&&")


@lru_cache(maxsize=_CACHE)
def _term(text: str) -> str:
    """One conjunct, normalised: its tokens joined by single spaces."""
    toks = _tokens(text)
    if not toks or any(t.type is TokenType.ERROR for t in toks):
        return " ".join(text.split())
    return _text(toks, text)


@lru_cache(maxsize=_CACHE)
def terms(match: str) -> frozenset[str]:
    """The normalised top-level conjuncts of ``match`` (see the module docstring)."""
    parts = _simple_split(match)
    if parts is not None:
        out_simple = frozenset(t for p in parts if (t := _term(p.strip())))
        return out_simple if out_simple else frozenset({"1"})
    toks = _tokens(match)
    if any(t.type is TokenType.ERROR for t in toks):
        return frozenset({" ".join(match.split())})
    out: set[str] = set()
    _terms_of(toks, match, out)
    return frozenset(out) if out else frozenset({"1"})


@lru_cache(maxsize=_CACHE)
def _implied_predicates(term: str) -> frozenset[str]:
    """Protocol predicates a term requires: ``tcp.dst == 80`` -> {tcp, ip}; ``ip4`` -> {ip4, ip}.

    Only for a bare predicate or a comparison whose left side is a field; a negated or
    parenthesised term requires nothing we can tell.
    """
    toks = _tokens(term)
    if not toks or toks[0].type is not TokenType.ID:
        return frozenset()
    if len(toks) > 1 and toks[1].type not in _RELATIONAL and toks[1].type is not \
            TokenType.LSQUARE:
        return frozenset()
    name = toks[0].s
    if len(toks) == 1 and name in PREDICATE_IMPLIES:
        return PREDICATE_IMPLIES[name]
    if len(toks) == 1:
        return frozenset()
    head = name.split(".", 1)[0]
    if head in PREDICATE_IMPLIES and "." in name:
        return PREDICATE_IMPLIES[head]
    return frozenset()


def implies(narrow_term: str, broad_term: str) -> bool:
    """Every packet matching ``narrow_term`` matches ``broad_term`` (as far as we can prove)."""
    if broad_term == "1" or narrow_term == broad_term:
        return True
    return broad_term in _implied_predicates(narrow_term)


def is_predicate_only(match: str) -> bool:
    """A match made only of ``1`` and protocol predicates (``ip4``, ``ip && tcp`` ...)."""
    return all(t == "1" or t in PREDICATE_IMPLIES for t in terms(match))


def covers(broad: str, narrow: str) -> bool:
    """Every packet that ``narrow`` matches, ``broad`` matches too (sound, not complete)."""
    bt = terms(broad)
    nt = terms(narrow)
    if "0" in bt:
        return False
    return all(any(implies(n, b) for n in nt) for b in bt)
