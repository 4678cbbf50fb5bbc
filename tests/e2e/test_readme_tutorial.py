"""README.md's walk-throughs, run as they are written.

The ``sh`` blocks that follow a ``<!-- readme-tutorial -->`` marker in README.md are run in order
by one ``bash -euxo pipefail`` from the repository, as root, inside a network and mount namespace
of the test's own (with a private /run/netns), so the README's plain names (``vm1``, ``ext``,
``br-ex``...) meet nothing else on the machine, and whatever the commands make disappears with
the namespace. ``/tmp/ovn`` becomes the test's temporary directory. Each ping must lose nothing.
A second run uses the real ovn-nbctl and ovs-vsctl instead of pyovn's.
Skips, saying why, until pyovn's controller exists.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = [pytest.mark.e2e, pytest.mark.slow, pytest.mark.timeout(420)]

ROOT = Path(__file__).resolve().parents[2]
MARKER = "<!-- readme-tutorial -->"


def tutorial_blocks(text: str) -> list[str]:
    """The ``sh`` blocks right after each marker."""
    blocks = []
    for m in re.finditer(re.escape(MARKER) + r"\s*\n```sh\n(.*?)\n```", text, re.S):
        blocks.append(m.group(1))
    return blocks


def test_readme_has_the_walkthroughs() -> None:
    blocks = tutorial_blocks((ROOT / "README.md").read_text())
    assert len(blocks) == 2
    first, second = blocks
    assert first.startswith("tools/sandbox.sh --dir /tmp/ovn --detach")
    assert "ip netns exec vm1 ping -c 3 192.168.50.22" in first
    assert "ip netns exec ext ping -c 3 172.24.4.50" in second
    assert "pyovn sandbox stop --dir /tmp/ovn" in second


def skip(why: str) -> None:
    print(f"skipped: {why}")
    pytest.skip(why)


REAL_TOOLS = {"pyovn nbctl ": "ovn-nbctl ", "pyovn vsctl ": "ovs-vsctl ",
              "pyovn sbctl ": "ovn-sbctl "}


@pytest.mark.parametrize("tools", ["pyovn", "real"])
def test_readme_walkthroughs_run(tmp_path: Path, tools: str) -> None:
    """As written, and with the real ovn-nbctl / ovs-vsctl in place of pyovn's."""
    if os.geteuid() != 0:
        skip("needs root (the README's commands are run as root)")
    lacking = [b for b in ("ip", "ping", "unshare", "mount", "ovn-sbctl", "ovs-vsctl", "ovn-nbctl")
               if shutil.which(b) is None]
    if lacking:
        skip("missing: " + ", ".join(lacking))
    r = subprocess.run([sys.executable, "-m", "pyovn", "controller", "--help"],
                       capture_output=True, text=True, timeout=60)
    if r.returncode != 0:
        skip("pyovn controller is not available yet ('python -m pyovn controller --help' "
             f"exits {r.returncode})")
    d = tmp_path / "ovn"
    script = "\n".join(tutorial_blocks((ROOT / "README.md").read_text()))
    script = script.replace("/tmp/ovn", str(d))
    if tools == "real":
        for ours, theirs in REAL_TOOLS.items():
            script = script.replace(ours, theirs)
    (tmp_path / "readme.sh").write_text(script + "\n")
    inner = ("mount -t tmpfs -o mode=755 tmpfs /run/netns && ip link set lo up && "
             f"exec bash -euxo pipefail {tmp_path / 'readme.sh'}")
    proc = subprocess.Popen(["unshare", "--net", "--mount", "--propagation", "private", "--",
                             "bash", "-c", inner], cwd=ROOT, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True, start_new_session=True)
    try:
        out, _ = proc.communicate(timeout=360)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        out, _ = proc.communicate()
        out += "\n(timed out)"
    finally:
        # Stops the sandbox should the script have failed before its own 'sandbox stop'; its
        # processes gone, the test's namespaces and all they hold go too.
        subprocess.run([sys.executable, "-m", "pyovn", "sandbox", "stop", "--dir", str(d)],
                       capture_output=True, timeout=60)
    print(out)
    assert proc.returncode == 0, out[-4000:]
    assert len(re.findall(r"\b0% packet loss", out)) == 4, out[-4000:]
    assert not list(d.glob("*.pid")) and not list(d.glob("*.sock"))
