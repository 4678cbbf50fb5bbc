"""Golden data recorded from the real ovn-northd, shared by the per-feature golden tests.

``record(sh, golden_dir, flows_of)`` runs ``sbdiff.py --real-only`` on a topology (the real
northd's run, kept in ``tests/northd/recorded/``), copies the Northbound it ran on into
``golden_dir/NAME.nb.db`` (compacted) and writes ``golden_dir/NAME.flows`` with
``flows_of(entry)`` — the feature's own selection of the recorded Southbound.  The tests then
serve that Northbound (the ``nb_server`` fixture in conftest.py) so pyovn sees the very same rows
and uuids.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
RECORDED = HERE / "recorded"


def record(sh: Path, golden: Path, flows_of: Callable[[Path], list[str]]) -> None:
    subprocess.run([sys.executable, str(HERE / "sbdiff.py"), "--real-only", "-q", str(sh)],
                   check=True, stdout=subprocess.DEVNULL)
    name = sh.name[:-3]
    entries = sorted(RECORDED.glob(f"{name}-*"), key=lambda p: p.stat().st_mtime)
    entry = entries[-1]
    golden.mkdir(exist_ok=True)
    db = golden / f"{name}.nb.db"
    shutil.copyfile(entry / "nb.db", db)
    subprocess.run(["ovsdb-tool", "compact", str(db)], check=True)
    for lock in golden.glob(f".{db.name}*~lock~"):
        lock.unlink()
    flows = flows_of(entry)
    (golden / f"{name}.flows").write_text("".join(f"{f}\n" for f in flows))
    print(f"{name}: {len(flows)} flows")
