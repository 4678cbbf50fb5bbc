"""Command-line parsing (pyovn.ctl.options) and the transaction a view produces (txnview)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pyovn.ctl.options import parse_command_line
from pyovn.ctl.registry import CtlError
from pyovn.ctl.sbctl import TOOL as SBCTL
from pyovn.ctl.txnview import TxnView
from pyovn.ctl.vsctl import TOOL as VSCTL
from pyovn.ovsdb.schema import DatabaseSchema
from pyovn.schemas import __file__ as _schemas_init

SCHEMAS = Path(_schemas_init).parent


@pytest.mark.parametrize(("tool", "argv", "error"), [
    (VSCTL, [], "missing command name (use --help for help)"),
    (VSCTL, ["--no-wait", "--columns=name"], "missing command name (use --help for help)"),
    (VSCTL, ["add-br"], "'add-br' command requires at least 1 arguments"),
    (VSCTL, ["nosuch"], "unknown command 'nosuch'; use --help for help"),
    (VSCTL, ["--if-exists", "list-br"], "'list-br' command has no '--if-exists' option"),
    (VSCTL, ["--", "--if-exists", "--if-exists", "list", "Bridge"],
     "'--if-exists' option specified multiple times"),
    (VSCTL, ["--nosuch", "list-br"], "unrecognized option '--nosuch'"),
    (VSCTL, ["-t"], "option requires an argument -- 't'"),
    (SBCTL, ["-t"], "option '-t' requires an argument"),
    (SBCTL, ["--db"], "option '--db' requires an argument"),
    (SBCTL, ["show", "x"], "'show' command takes at most 0 arguments"),
    (SBCTL, ["show", "--bare"], "'show' command takes at most 0 arguments (note that options "
     'must precede command names and follow a "--" argument)'),
    (SBCTL, ["--format=bogus", "show"], 'unknown output format "bogus"'),
    (SBCTL, ["--data=bogus", "show"], 'unknown data format "bogus"'),
])
def test_parse_errors(tool, argv: list[str], error: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(CtlError) as exc:
        parse_command_line(tool, argv)
    assert str(exc.value) == error


def test_parse_commands_and_local_options() -> None:
    opts, cmds = parse_command_line(
        VSCTL, ["--no-wait", "--may-exist", "-f", "csv", "--bare", "add-br", "br0", "--", "--",
                "--if-exists", "del-br", "x", "--"])
    assert "no-wait" in opts.extra
    assert (opts.style.format, opts.style.data, opts.style.headings) == ("list", "bare", False)
    assert [c.argv for c in cmds] == [["add-br", "br0"], ["del-br", "x"]]
    assert cmds[0].options == {"--may-exist": None}
    assert cmds[1].options == {"--if-exists": None}
    opts, cmds = parse_command_line(SBCTL, ["-t5", "--", "--id=@dp", "create", "Chassis", "name=x"])
    assert opts.timeout == 5 and cmds[0].options == {"--id": "@dp"}


def _view() -> TxnView:
    schema = DatabaseSchema.from_json(json.loads((SCHEMAS / "vswitch.ovsschema").read_text()))
    ovs = {n: c.type.default() for n, c in schema.tables["Open_vSwitch"].user_columns.items()}
    u = "0a4b0c1d-1111-4222-8333-444455556666"
    ovs["_uuid"] = u
    ovs["external_ids"] = {"k": "old"}
    return TxnView(schema, {**{t: {} for t in schema.tables}, "Open_vSwitch": {u: ovs}})


def test_txn_ops_have_the_idl_shape() -> None:
    txn = _view()
    ovs = txn.first("Open_vSwitch")
    assert ovs is not None
    txn.map_set(ovs, "external_ids", "k", "new")
    txn.map_set(ovs, "external_ids", "n", "1")
    br = txn.insert("Bridge")
    txn.write(br, "name", "br0")
    txn.write(ovs, "bridges", frozenset({br.uuid}))
    port = txn.insert("Port")
    txn.delete(port)  # a new row deleted again leaves no trace
    ops = txn.ops("c")
    assert [o["op"] for o in ops] == ["insert", "update", "mutate", "comment"]
    name = ops[0]["uuid-name"]
    assert ops[0]["row"] == {"name": "br0"}
    assert ops[1]["row"] == {"bridges": ["named-uuid", name]}
    assert ops[2]["mutations"] == [["external_ids", "delete", ["set", ["k"]]],
                                   ["external_ids", "insert", ["map", [["k", "new"],
                                                                        ["n", "1"]]]]]
    txn.commit_results([{"uuid": ["uuid", "feedface-1111-4222-8333-444455556666"]}, {}, {}])
    assert txn.insert_result(br.uuid) == "feedface-1111-4222-8333-444455556666"


def test_non_root_deletes_are_left_to_garbage_collection() -> None:
    schema = DatabaseSchema.from_json(json.loads((SCHEMAS / "vswitch.ovsschema").read_text()))
    u = "0a4b0c1d-1111-4222-8333-444455556666"
    row = {n: c.type.default() for n, c in schema.tables["Bridge"].user_columns.items()}
    row["_uuid"] = u
    txn = TxnView(schema, {**{t: {} for t in schema.tables}, "Bridge": {u: row}})
    b = txn.get("Bridge", u)
    assert b is not None
    txn.delete(b)
    assert txn.ops() == [] and txn.get("Bridge", u) is None


def test_increment_only_with_other_changes() -> None:
    txn = _view()
    ovs = txn.first("Open_vSwitch")
    assert ovs is not None
    txn.increment(ovs, "next_cfg")
    assert txn.ops() == []
    txn.write(ovs, "other_config", {"a": "b"})
    ops = txn.ops()
    assert [o["op"] for o in ops] == ["update", "mutate", "select"]
    assert ops[1]["mutations"] == [["next_cfg", "+=", 1]]


def test_forced_increment_is_a_change_of_its_own() -> None:
    txn = _view()
    ovs = txn.first("Open_vSwitch")
    assert ovs is not None
    txn.increment(ovs, "next_cfg", force=True)
    ops = txn.ops("why")
    assert [o["op"] for o in ops] == ["mutate", "select", "comment"]
    txn.commit_results([{"count": 1}, {"rows": [{"next_cfg": 7}]}, {}])
    assert txn.increment_result == 7


def test_a_table_not_loaded_is_an_error_not_an_empty_table() -> None:
    """A direct-mode call loads only the tables its commands declare (CommandSyntax.tables): a
    command that reaches for another one is a bug, named as such."""
    schema = DatabaseSchema.from_json(json.loads((SCHEMAS / "vswitch.ovsschema").read_text()))
    txn = TxnView(schema, {"Open_vSwitch": {}})
    assert txn.rows("Open_vSwitch") == []
    with pytest.raises(LookupError, match="table Bridge is not loaded"):
        txn.rows("Bridge")
    with pytest.raises(LookupError, match="table Port is not loaded"):
        txn.insert("Port")


def test_a_call_loads_the_tables_its_commands_declare() -> None:
    from pyovn.ctl.nbctl import TOOL as NBCTL
    from pyovn.ctl.runner import tables_needed

    def needed(*argv: str) -> set[str] | None:
        return tables_needed(NBCTL, parse_command_line(NBCTL, list(argv))[1])

    assert needed("ls-list") == {"Logical_Switch", "NB_Global"}
    assert needed("lsp-add", "sw0", "p0", "--", "lsp-set-addresses", "p0", "unknown") == {
        "Logical_Switch", "Logical_Switch_Port", "NB_Global"}
    assert needed("ls-list", "--", "list", "ACL") is None  # a command that may touch any table
    assert needed("show") is None


def test_declared_tables_exist() -> None:
    from pyovn.ctl.nbctl import TOOL as NBCTL

    for tool in (NBCTL, SBCTL, VSCTL):
        schema = DatabaseSchema.from_json(json.loads(
            (SCHEMAS / {"OVN_Northbound": "ovn-nb.ovsschema", "OVN_Southbound": "ovn-sb.ovsschema",
                        "Open_vSwitch": "vswitch.ovsschema"}[tool.db]).read_text()))
        for command in tool.commands.values():
            assert set(command.tables or ()) <= set(schema.tables), command.name


def test_sbctl_chassis_and_binding_commands_load_their_tables() -> None:
    from pyovn.ctl.runner import tables_needed

    def needed(*argv: str) -> set[str] | None:
        return tables_needed(SBCTL, parse_command_line(SBCTL, list(argv))[1])

    assert needed("chassis-add", "hv1", "geneve", "127.0.0.1") == {"Chassis", "Encap",
                                                                   "SB_Global"}
    assert needed("lsp-bind", "p0", "hv1") == {"Port_Binding", "Chassis", "SB_Global"}
    assert needed("lflow-list") is None  # flows, datapaths, ports, groups...
