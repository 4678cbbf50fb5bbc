"""Findings and the registry of checks.

A check is a pure function ``Nb -> Iterable[Issue]`` declared once with :func:`check`, which
records its id, severity and one-line summary in :data:`CHECKS` (the order of declaration is the
order of the report). :func:`run_checks` runs them and turns each :class:`Issue` into a
:class:`Finding` that carries the check's id and severity.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from pyovn.lint import model as m

__all__ = [
    "CHECKS",
    "Check",
    "Finding",
    "Issue",
    "ReportedRow",
    "Severity",
    "check",
    "rid",
    "run_checks",
]


class Severity(enum.Enum):
    ERROR = "error"  # cannot work as configured
    WARNING = "warning"  # almost certainly not what was meant


@dataclass(frozen=True, slots=True)
class ReportedRow:
    """A row named for a person: its table, a readable label (the name, or a summary of an
    unnamed row such as an ACL) and its uuid (empty for hand-built rows)."""

    table: str
    name: str
    uuid: str = ""

    def __str__(self) -> str:
        return f"{self.table} {self.name}"

    def to_json(self) -> dict[str, str]:
        return {"table": self.table, "name": self.name, "uuid": self.uuid}


def _label(obj: Any) -> str:
    if isinstance(obj, m.Acl):
        return f'{obj.direction} {obj.priority} "{obj.match}" {obj.action}'
    if isinstance(obj, m.QosRule):
        return f'{obj.direction} {obj.priority} "{obj.match}"'
    if isinstance(obj, m.RouterPolicy):
        return f'{obj.priority} "{obj.match}" {obj.action}'
    if isinstance(obj, m.Nat):
        return f"{obj.type} {obj.external_ip} {obj.logical_ip}"
    if isinstance(obj, m.StaticRoute):
        return f"{obj.ip_prefix} via {obj.nexthop}"
    return str(obj.name)


_TABLES: dict[type, str] = {
    m.NbSwitch: "Logical_Switch",
    m.NbSwitchPort: "Logical_Switch_Port",
    m.NbRouter: "Logical_Router",
    m.NbRouterPort: "Logical_Router_Port",
    m.Acl: "ACL",
    m.QosRule: "QoS",
    m.RouterPolicy: "Logical_Router_Policy",
    m.PortGroup: "Port_Group",
    m.AddressSet: "Address_Set",
    m.NbLoadBalancer: "Load_Balancer",
    m.Nat: "NAT",
    m.StaticRoute: "Logical_Router_Static_Route",
    m.GatewayChassis: "Gateway_Chassis",
    m.HaChassisGroup: "HA_Chassis_Group",
}


def rid(obj: Any) -> ReportedRow:
    """The :class:`ReportedRow` of a model object."""
    return ReportedRow(_TABLES[type(obj)], _label(obj), obj.uuid)


@dataclass(frozen=True, slots=True)
class Issue:
    """What a check yields: the rows involved, why it cannot work, how to fix it."""

    rows: tuple[ReportedRow, ...]
    message: str
    fix: str


@dataclass(frozen=True, slots=True)
class Finding:
    check: str
    severity: Severity
    rows: tuple[ReportedRow, ...]
    message: str
    fix: str

    def to_json(self) -> dict[str, Any]:
        return {
            "check": self.check,
            "severity": self.severity.value,
            "rows": [r.to_json() for r in self.rows],
            "message": self.message,
            "fix": self.fix,
        }


CheckFn = Callable[[m.Nb], Iterable[Issue]]


@dataclass(frozen=True, slots=True)
class Check:
    id: str
    severity: Severity
    summary: str
    fn: CheckFn


CHECKS: list[Check] = []


def check(id: str, severity: Severity, summary: str) -> Callable[[CheckFn], CheckFn]:
    """Declare a check (the decorated function is returned unchanged, for direct tests)."""

    def register(fn: CheckFn) -> CheckFn:
        if any(c.id == id for c in CHECKS):
            raise ValueError(f"check {id!r} declared twice")
        CHECKS.append(Check(id, severity, summary, fn))
        return fn

    return register


def run_checks(nb: m.Nb, only: Sequence[str] | None = None) -> list[Finding]:
    """Every finding of every check (or of the checks named in ``only``), in check order."""
    import pyovn.lint.checks  # noqa: F401  (declares the checks)

    if only is not None:
        unknown = sorted(set(only) - {c.id for c in CHECKS})
        if unknown:
            raise ValueError(f"unknown check(s): {', '.join(unknown)}")
    out: list[Finding] = []
    for c in CHECKS:
        if only is not None and c.id not in only:
            continue
        for issue in c.fn(nb):
            out.append(Finding(c.id, c.severity, issue.rows, issue.message, issue.fix))
    return out
