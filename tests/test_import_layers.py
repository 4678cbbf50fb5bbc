"""Dependencies point one way: a lower layer never imports an upper one.

Every ``import``/``from ... import`` of ``pyovn`` in ``src/pyovn`` — function-level ones
included, since a lazy import is still a dependency — is checked against the rules below.
A rule names, for one package, the only other packages it may import. The layers, low to high:

    util (leaf: logging, hash order)       imports nothing of pyovn
    schemas (data files)                   nothing
    ovsdb (protocol, engine, server, client, table printing)   util, schemas
    logical (the logical flow language)    util
    service (daemon plumbing: --detach, pidfiles, unixctl)     ovsdb, util
    everything else                        below itself, never cli
    ctl (the ctl tools)                    imported only by cli (and the test harnesses)
    cli                                    wires the others; nobody imports it

``check`` is also run on a synthetic violation, so the test cannot pass by finding nothing.
"""

from __future__ import annotations

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src" / "pyovn"

# package -> the packages (besides itself) it may import; absent: anything but cli.
ALLOWED: dict[str, set[str]] = {
    "util": set(),
    "schemas": set(),
    "ovsdb": {"util", "schemas"},
    "logical": {"util"},
    "service": {"ovsdb", "util"},
}
# The package-level names any module may import (``from pyovn import __version__``).
TOP_LEVEL = {"__version__"}


def imports_of(path: Path) -> list[tuple[int, str]]:
    """(line, imported module) for every pyovn import in one file."""
    out = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            out += [(node.lineno, a.name) for a in node.names if a.name.startswith("pyovn")]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            if node.module != "pyovn" and not node.module.startswith("pyovn."):
                continue
            # ``from pyovn.a import b``: the module pyovn.a.b when b is one, else pyovn.a
            base = SRC.joinpath(*node.module.split(".")[1:])
            subs = [a.name for a in node.names
                    if (base / f"{a.name}.py").exists() or (base / a.name).is_dir()]
            out += [(node.lineno, f"{node.module}.{n}") for n in subs]
            if len(subs) < len(node.names):
                out.append((node.lineno, node.module))
    return out


def package_of(path: Path) -> str:
    rel = path.relative_to(SRC)
    return rel.parts[0] if len(rel.parts) > 1 else rel.stem


def check(package: str, imported: str) -> str | None:
    """Why ``package`` may not import ``imported``, or None when it may."""
    parts = imported.split(".")
    target = parts[1] if len(parts) > 1 else ""
    if target in ("", package) or target in TOP_LEVEL:
        return None
    if target == "cli" and package != "__main__":
        return "cli wires the other packages; nothing imports it"
    if target == "ctl" and package not in ("cli", "testing"):
        return "ctl is the ctl tools; the layers below read databases through ovsdb.client"
    allowed = ALLOWED.get(package)
    if allowed is not None and target not in allowed:
        return f"{package} may import only {sorted(allowed) or 'nothing of pyovn'}"
    return None


def test_the_rules_catch_a_violation():
    assert check("ovsdb", "pyovn.ctl.output") is not None
    assert check("logical", "pyovn.ovsdb.data") is not None
    assert check("util", "pyovn.ovsdb.jsonrpc") is not None
    assert check("northd", "pyovn.cli.main") is not None
    assert check("trace", "pyovn.ctl.database") is not None
    assert check("ovsdb", "pyovn.util.vlog") is None
    assert check("northd", "pyovn.ovsdb.client") is None


def test_no_layer_imports_upwards():
    violations = []
    for path in sorted(SRC.rglob("*.py")):
        package = package_of(path)
        for line, imported in imports_of(path):
            why = check(package, imported)
            if why:
                violations.append(f"{path.relative_to(SRC.parent)}:{line}: {imported} ({why})")
    assert not violations, "\n".join(violations)


def test_cli_modules_do_not_reach_into_each_other():
    """A command's module is glue for that command: another command (the sandbox loading
    databases, say) goes to the package that holds the logic, not through it."""
    # The package's own glue that several commands share (not a command): the dispatcher's
    # tables, the compatibility names, and the ctl tools' thin daemon client.
    shared = {"pyovn.cli", "pyovn.cli.compat", "pyovn.cli.main", "pyovn.cli.ctl_client"}
    violations = []
    for path in sorted((SRC / "cli").glob("*.py")):
        if path.stem == "main":  # the dispatcher imports every command's module
            continue
        me = f"pyovn.cli.{path.stem}"
        for line, imported in imports_of(path):
            if imported.startswith("pyovn.cli") and imported not in shared | {me}:
                violations.append(f"cli/{path.name}:{line}: {imported}")
    assert not violations, "\n".join(violations)
