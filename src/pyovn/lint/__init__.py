"""pyovn lint: configurations of an OVN Northbound database that cannot work.

``lint(nb)`` runs every check over a :class:`~pyovn.lint.model.Nb` and returns
:class:`~pyovn.lint.findings.Finding` objects (check id, severity, the rows involved, a one-line
explanation, a one-line fix); ``lint_remote(remote)`` reads the database first. No real OVN tool
has this; ``pyovn lint`` (:mod:`pyovn.cli.lint`) is its command line.

Layout:

* ``model``: the Northbound as small objects with references resolved (``build_nb`` from rows).
* ``matches``: port group / address set references in matches, and a conservative
  "match A covers match B" test (for shadowed ACLs).
* ``findings``: Finding, ReportedRow, Severity and the registry of checks (``CHECKS``).
* ``checks``: the checks, each a pure function over the model (no I/O).
* ``load``: the one read of the database, with pyovn's OVSDB client.
* ``report``: text and JSON output.
"""

from __future__ import annotations

from collections.abc import Sequence

from pyovn.lint import checks as _checks  # noqa: F401  (declares the checks)
from pyovn.lint.findings import CHECKS, Finding, ReportedRow, Severity, run_checks
from pyovn.lint.model import Nb, build_nb

__all__ = ["CHECKS", "Finding", "Nb", "ReportedRow", "Severity", "build_nb", "lint", "lint_remote"]


def lint(nb: Nb, only: Sequence[str] | None = None) -> list[Finding]:
    """Every finding over ``nb`` (or only the checks whose ids are in ``only``)."""
    return run_checks(nb, only)


def lint_remote(remote: str, only: Sequence[str] | None = None,
                timeout: float = 30.0) -> list[Finding]:
    """Read the Northbound at ``remote`` and lint it (raises ``load.LoadError``)."""
    from pyovn.lint.load import read_tables

    return lint(build_nb(read_tables(remote, timeout)), only)
