"""OVN logical actions (ovn-sb(5) "actions"): parse, check, print, compile, run.

The work is split by concern; this module is the public face:
  actions_ast    one frozen class per action; ``to_string()`` prints OVN's normalized form
  actions_opts   option tables (DHCPv4/v6, IPv6 RA, controller events) as data
  actions_parse  text -> actions + implied prerequisites, errors in OVN's words with offsets
                 (operand helpers in actions_parse_base, controller-side actions in
                 actions_parse_ctl)
  actions_exec   actions -> ``program(flow, ctx)`` (generated Python, compiled once) and the
                 ``ActionContext`` protocol the datapath and trace implement

Typical use::

    parsed = parse_actions("reg0[0] = 1; next;", ParseParams(pipeline="ingress", table=3))
    program = compile_actions(parsed)
    program(flow, ctx)
    parsed.to_string()   # "reg0[0] = 1; next;"
    parsed.prereqs       # match expressions the flow's match must be ANDed with
"""

from __future__ import annotations

from pyovn.logical.actions_ast import (
    Action,
    ActionList,
    BindVport,
    CheckPktLarger,
    CommitEcmpNh,
    CommitLbAff,
    CtCommitV1,
    CtLb,
    CtLbBackend,
    CtNat,
    DecTtl,
    Exchange,
    FwdGroup,
    GenOption,
    GetFdb,
    GetMacBind,
    HandleSvcCheck,
    Load,
    Log,
    LookupFdb,
    LookupMacBind,
    Move,
    Nested,
    Next,
    OptionDef,
    PushPop,
    PutFdb,
    PutMacBind,
    PutOpts,
    Result,
    Sample,
    Select,
    SetMeter,
    SetQueue,
    Simple,
    TriggerEvent,
    Value,
    ValueSet,
    format_actions,
)
from pyovn.logical.actions_exec import (
    ActionContext,
    Program,
    actions_maker,
    build_packet,
    compile_actions,
    program_source,
)
from pyovn.logical.actions_opts import (
    CONTROLLER_EVENTS,
    DHCPV4_OPTIONS,
    DHCPV6_OPTIONS,
    ND_RA_OPTIONS,
    option_table,
)
from pyovn.logical.actions_parse import (
    ParsedActions,
    ParseParams,
    parse_actions,
    parse_actions_cached,
)

__all__ = [
    "CONTROLLER_EVENTS",
    "DHCPV4_OPTIONS",
    "DHCPV6_OPTIONS",
    "ND_RA_OPTIONS",
    "Action",
    "ActionContext",
    "ActionList",
    "BindVport",
    "CheckPktLarger",
    "CommitEcmpNh",
    "CommitLbAff",
    "CtCommitV1",
    "CtLb",
    "CtLbBackend",
    "CtNat",
    "DecTtl",
    "Exchange",
    "FwdGroup",
    "GenOption",
    "GetFdb",
    "GetMacBind",
    "HandleSvcCheck",
    "Load",
    "Log",
    "LookupFdb",
    "LookupMacBind",
    "Move",
    "Nested",
    "Next",
    "OptionDef",
    "ParseParams",
    "ParsedActions",
    "Program",
    "PushPop",
    "PutFdb",
    "PutMacBind",
    "PutOpts",
    "Result",
    "Sample",
    "Select",
    "SetMeter",
    "SetQueue",
    "Simple",
    "TriggerEvent",
    "Value",
    "ValueSet",
    "actions_maker",
    "build_packet",
    "compile_actions",
    "format_actions",
    "option_table",
    "parse_actions",
    "parse_actions_cached",
    "program_source",
]
