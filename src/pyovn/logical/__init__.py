"""The OVN logical flow language of ovn-sb(5): match expressions and actions.

One implementation serves northd (which writes it), the datapath (which runs it) and trace (which
explains it). A flow's match and actions are parsed once and compiled into Python callables that
are run many times.

Modules:
  lexer     text -> tokens (positions kept for error messages)
  symbols   the symbol table: OVN fields, subfields, predicates, string fields, prerequisites
  expr      match expressions: parse, annotate prerequisites, normalise, compile
  actions   actions: parse, check against the symbol table, compile
  flow      the packet-plus-metadata model shared by compiled matches and actions

Parsing and compiling are memoised (by text, tree and generated-code shape); ``clear_caches()``
empties every memo (tests, cold-start measurements: bench/lflow_compile.py).

The flow model (contract between expr, actions, the datapath and trace): a microflow is a
``dict[str, int | str]`` keyed by *base field* name (``"eth.src"``, ``"ip4.dst"``, ``"reg0"``,
``"ct_mark"``, ``"inport"`` ...); integers hold MACs, IPv4/IPv6 addresses and every numeric field;
``inport``/``outport`` hold logical port names. A missing key reads as 0 (or "" for strings).
Subfields, registers views (xreg, xxreg), flags and predicates are defined in ``symbols`` in terms
of base fields and bit ranges, so one microflow has exactly one representation.
"""

__all__ = ["clear_caches"]


def clear_caches() -> None:
    """Empties every memo cache of the flow language (parsed prerequisites, compiled matches,
    parsed and compiled actions), e.g. before measuring cold compilation."""
    from pyovn.logical import actions_exec, actions_parse, expr, expr_compile

    expr._annotated_text.cache_clear()
    expr._annotate_cmp.cache_clear()
    expr._address_constant.cache_clear()
    expr_compile.compile_expr.cache_clear()
    expr_compile._compile_cached.cache_clear()
    expr_compile._MAKERS.clear()
    actions_exec._MAKERS.clear()
    actions_parse.parse_actions_cached.cache_clear()
    actions_exec._compile.cache_clear()
