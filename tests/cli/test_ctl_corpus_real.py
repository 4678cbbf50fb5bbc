"""The ctl differential corpus and its runner (pyovn.testing.ctl_diff).

The interop test runs every corpus file with the real tools on BOTH sides (two independent real
ovsdb-servers per scenario) and expects zero differences: that proves the corpus is deterministic
after normalisation, so a difference against pyovn's tools later means something.
"""

from __future__ import annotations

import stat
import sys
import textwrap
from pathlib import Path

import pytest

from pyovn.testing import ctl_diff
from pyovn.testing.ctl_diff import (
    CommandResult,
    Normalizer,
    ScenarioRun,
    ToolSet,
    canonical_order,
    compare_runs,
    parse_corpus,
    real_tools,
    run_corpus,
    run_corpus_report,
)
from pyovn.testing.real import require_real

CORPUS_DIR = Path(__file__).parent / "ctl_corpus"
CORPUS = sorted(CORPUS_DIR.glob("*.txt"))

U1 = "0a4b0c1d-1111-4222-8333-444455556666"
U2 = "f0e1d2c3-aaaa-4bbb-8ccc-ddddeeeeffff"

_REASON = require_real("ovsdb-server", "ovsdb-tool", "ovn-nbctl", "ovn-sbctl", "ovs-vsctl")
needs_real = pytest.mark.skipif(_REASON is not None, reason=_REASON or "")


# --- the corpus itself ---------------------------------------------------------------------------


def test_corpus_parses_and_is_large_enough() -> None:
    assert CORPUS, "no corpus files"
    counts: dict[str, int] = {}
    for path in CORPUS:
        for sc in parse_corpus(path.read_text(), str(path)):
            for c in sc.commands:
                counts[c.tool] = counts.get(c.tool, 0) + 1
    assert sum(counts.values()) >= 150
    assert counts["ovn-nbctl"] > counts["ovn-sbctl"] > 0
    assert counts["ovs-vsctl"] > 0


def test_every_vsctl_line_uses_no_wait() -> None:
    # No ovs-vswitchd runs, so a waiting ovs-vsctl would hang.
    for path in CORPUS:
        for sc in parse_corpus(path.read_text(), str(path)):
            for c in sc.commands:
                if c.tool == "ovs-vsctl":
                    assert "--no-wait" in c.args, f"{path}:{c.lineno}"


# --- parsing -------------------------------------------------------------------------------------


def test_parse_corpus_format() -> None:
    text = textwrap.dedent(
        """\
        # comment
        ## scenario: first
        $ ovn-nbctl ls-add sw0
        # a comment inside
        $ ovn-nbctl acl-add sw0 from-lport 100 "ip4.src == 10.0.0.1" drop
        $ ovn-nbctl show   # unordered

        ## second
        $ ovs-vsctl --no-wait init
        """
    )
    first, second = parse_corpus(text, "t")
    assert first.name == "first" and second.name == "second"
    assert [c.args for c in first.commands] == [
        ("ls-add", "sw0"),
        ("acl-add", "sw0", "from-lport", "100", "ip4.src == 10.0.0.1", "drop"),
        ("show",),
    ]
    assert [c.unordered for c in first.commands] == [False, False, True]
    assert first.commands[2].text == "ovn-nbctl show"
    assert first.commands[1].lineno == 5
    assert second.tools == ["ovs-vsctl"]


@pytest.mark.parametrize(
    "text",
    [
        "$ ovn-nbctl ls-list\n",  # command before a scenario
        "## a\n$ ovn-frobctl x\n",  # unknown tool
        "## a\n$ ovn-nbctl 'unterminated\n",
        "## a\n$ ovn-nbctl ls-list\n## a\n$ ovn-nbctl ls-list\n",  # duplicate name
        "## a\n",  # empty scenario
        "## a\nstray text\n",
    ],
)
def test_parse_corpus_rejects(text: str) -> None:
    with pytest.raises(ValueError):
        parse_corpus(text, "t")


# --- normalisation -------------------------------------------------------------------------------


def test_uuids_labelled_in_order_of_appearance() -> None:
    n = Normalizer()
    assert n.text(f"{U2} (sw0)\n{U1} (sw1)\n{U2}\n") == "<0> (sw0)\n<1> (sw1)\n<0>\n"
    assert n.text(f"ports : [{U2}, {U1}]") == "ports : [<0>, <1>]"
    # sets of UUIDs are ordered by UUID value (random): labels inside [] are sorted
    assert n.text(f"ports : [{U1}, {U2}]") == "ports : [<0>, <1>]"
    assert n.resolve("<1>") == U1 and n.resolve("x=<0>") == f"x={U2}" and n.resolve("<7>") == "<7>"


def test_unordered_lines_do_not_assign_labels() -> None:
    n = Normalizer()
    n.text(f"{U1}\n")
    out = n.text(f"switch {U2} (b)\n    port y\n    port x\nswitch {U1} (a)\n", unordered=True)
    assert out == "switch <0> (a)\nswitch <?> (b)\n    port x\n    port y\n"
    assert U2 not in n.labels


def test_short_uuids_of_lflow_list_take_the_full_uuids_label() -> None:
    n = Normalizer()
    assert n.text(f"{U1}\n") == "<0>\n"
    out = n.text(f"  uuid=0x{U1[:8]}, table=0\n  uuid=0x{U2[:8]}, table=1\n")
    assert out == "  uuid=0x<0>, table=0\n  uuid=0x<1>, table=1\n"
    assert n.resolve("<1>") == f"0x{U2[:8]}"
    assert n.text(f"uuid=0x{U2[:8]}") == "uuid=0x<1>"
    assert Normalizer().text("uuid=0x12345678", unordered=True) == "uuid=0x<?>\n"


def test_program_names_dir_and_times() -> None:
    n = Normalizer("/tmp/ctl-diff-abc", ["pyovn nbctl", "nbctl"])
    err = (
        "2024-01-02T03:04:05Z|00001|reconnect|WARN|unix:/tmp/ctl-diff-abc/nb.sock: failed\n"
        "ovn-nbctl: sw0: switch name not found\n"
    )
    assert n.text(err) == (
        "<time>|reconnect|WARN|unix:<dir>/nb.sock: failed\n<tool>: sw0: switch name not found\n"
    )
    assert n.text("nbctl: x\n") == n.text("pyovn nbctl: x\n") == "<tool>: x\n"
    assert n.text("not-a-tool: x\n") == "not-a-tool: x\n"


def test_index_violation_rows_put_in_a_fixed_order() -> None:
    a = (
        f"First row, with UUID {U1}, was inserted by this transaction.  "
        f"Second row, with UUID {U2}, existed in the database before this transaction."
    )
    b = (
        f"First row, with UUID {U2}, existed in the database before this transaction.  "
        f"Second row, with UUID {U1}, was inserted by this transaction."
    )
    assert Normalizer().text(a) == Normalizer().text(b)


def test_canonical_order() -> None:
    assert canonical_order("b : 2\n\na : 1\n") == "a : 1\n\nb : 2\n"
    assert canonical_order('{"data":[["b"],["a"]],"headings":["name"]}') == (
        '{"data":[["a"],["b"]],"headings":["name"]}\n'
    )
    assert canonical_order("") == ""


# --- comparing -----------------------------------------------------------------------------------


def _run(scenario: ctl_diff.Scenario, results: list[CommandResult]) -> ScenarioRun:
    run = ScenarioRun(scenario, results=results)
    n = Normalizer()
    run.normalized = [
        n.result(r, unordered=c.unordered) for c, r in zip(scenario.commands, results)
    ]
    return run


def test_compare_runs_reports_each_kind_of_difference() -> None:
    (sc,) = parse_corpus("## s\n$ ovn-nbctl ls-add sw0\n$ ovn-nbctl ls-list\n", "t")
    ref = _run(sc, [CommandResult(0, "", ""), CommandResult(0, f"{U1} (sw0)\n", "")])
    same = _run(sc, [CommandResult(0, "", ""), CommandResult(0, f"{U2} (sw0)\n", "")])
    assert compare_runs(ref, same) == []
    bad = _run(
        sc,
        [CommandResult(1, "", "nbctl: oops\n"), CommandResult(0, f"{U2} (sw1)\n", "")],
    )
    diffs = compare_runs(ref, bad)
    assert [(d.lineno, d.field) for d in diffs] == [(2, "status"), (2, "stderr"), (3, "stdout")]
    assert "sw1" in diffs[2].format()
    broken = ScenarioRun(sc, setup_error="server would not start")
    (setup,) = compare_runs(ref, broken)
    assert setup.field == "setup" and "would not start" in setup.candidate


# --- against the real tools ----------------------------------------------------------------------


@pytest.mark.interop
@needs_real
@pytest.mark.timeout(600)
def test_corpus_is_deterministic_real_vs_real() -> None:
    report = run_corpus_report(CORPUS, real_tools(), real_tools())
    print(
        f"\n{report.scenarios} scenarios, {report.commands} command lines, "
        f"{report.seconds:.1f}s for both sides"
    )
    assert not any(ref.setup_error or cand.setup_error for ref, cand in report.runs)
    assert [d.format() for d in report.differences] == []
    # Every line ran (no timeouts, no exec errors) and errors really occurred somewhere.
    statuses = {r.status for ref, _ in report.runs for r in ref.results}
    assert statuses <= {0, 1, 2}
    assert 1 in statuses


@pytest.mark.interop
@needs_real
def test_a_different_candidate_is_caught(tmp_path: Path) -> None:
    corpus = tmp_path / "c.txt"
    corpus.write_text("## s\n$ ovn-nbctl ls-add sw0\n$ ovn-nbctl list Logical_Switch\n")
    candidate = ToolSet("csv", {"ovn-nbctl": ["ovn-nbctl", "--format=csv"]})
    diffs = run_corpus(corpus, real_tools(), candidate)
    assert [(d.lineno, d.field) for d in diffs] == [(3, "stdout")]


@pytest.mark.interop
@needs_real
def test_candidate_program_name_is_normalised(tmp_path: Path) -> None:
    # A wrapper named "nbctl" that prints "nbctl: ..." instead of "ovn-nbctl: ...".
    wrapper = tmp_path / "nbctl"
    wrapper.write_text(
        f"#!{sys.executable}\n"
        "import subprocess, sys\n"
        "r = subprocess.run(['ovn-nbctl', *sys.argv[1:]], capture_output=True, text=True)\n"
        "sys.stdout.write(r.stdout)\n"
        "sys.stderr.write(r.stderr.replace('ovn-nbctl:', 'nbctl:'))\n"
        "sys.exit(r.returncode)\n"
    )
    wrapper.chmod(wrapper.stat().st_mode | stat.S_IEXEC)
    corpus = tmp_path / "c.txt"
    corpus.write_text("## s\n$ ovn-nbctl ls-add sw0\n$ ovn-nbctl ls-add sw0\n$ ovn-nbctl ls-list\n")
    candidate = ToolSet("wrapped", {"ovn-nbctl": [str(wrapper)]})
    assert run_corpus(corpus, real_tools(), candidate) == []


@pytest.mark.interop
@needs_real
def test_cli_summary(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    corpus = tmp_path / "c.txt"
    corpus.write_text("## s\n$ ovn-sbctl chassis-add ch1 geneve 10.0.0.1\n$ ovn-sbctl show\n")
    assert ctl_diff.main([str(corpus), "--candidate", "ovn-sbctl", "--show", "candidate"]) == 0
    out = capsys.readouterr().out
    assert "Chassis ch1" in out
    assert "1 scenarios, 2 command lines (ovn-sbctl: 2); 0 differences" in out
