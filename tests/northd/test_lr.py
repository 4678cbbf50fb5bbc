"""Logical router pipeline flows (lr_in.py, lr_routes.py, lr_arp.py, lr_out.py) against the real
ovn-northd 23.03.1, as golden data.

Each ``data/lr/NAME/`` holds ``nb.json`` and ``nb_post.json`` (the Northbound the real northd
ran on, and after its write-back; ``ovsdb-client -f json dump``) and ``expected.txt`` (the real northd's flows of the router stages
these builders own, in sbdump's line format, then the same flows with their stage hints).  The
test builds pyovn's engine in-process over that very Northbound (same rows, same uuids) and
compares the same stages line for line.  Flows owned by NAT and load balancers (hinted by NAT or
Load_Balancer rows, or matching their address sets) are left out on both sides.

Refresh the data from sbdiff's cache of the real side (``tests/northd/recorded``)::

    .venv/bin/python tests/northd/test_lr.py --refresh 24 25 26 ...
    .venv/bin/python tests/northd/test_lr.py 29        # print the differences of one topology
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))

import sbdump  # noqa: E402

from pyovn.northd import builders  # noqa: E402, F401
from pyovn.northd.engine import Engine  # noqa: E402
from pyovn.northd.entities import NorthdPort  # noqa: E402

DATA = HERE / "data" / "lr"
CACHE = HERE / "recorded"

STAGES = re.compile(
    r" lr_in_(admission|lookup_neighbor|learn_neighbor|ip_input|nd_ra_options|nd_ra_response|"
    r"ip_routing_pre|ip_routing|ip_routing_ecmp|policy|policy_ecmp|arp_resolve|chk_pkt_len|"
    r"larger_pkts|gw_redirect|arp_request) |lr_out_delivery ")
# Flows of these stages that belong to NAT and load balancing (lr_nat, lr_lb).
OTHERS = re.compile(r"hint=<(NAT|Load_Balancer)[#:]|\$_rtr_lb")


# --- a Northbound replica from a dump ---------------------------------------------------------------


class _Row:
    """A dump row with the replica's attribute view (sets and optional columns as lists)."""

    def __init__(self, values: dict[str, Any], kinds: dict[str, str]) -> None:
        self._v = values
        self._k = kinds
        self.uuid = str(values["_uuid"])

    def __getattr__(self, name: str) -> Any:
        try:
            v = self._v[name]
        except KeyError:
            raise AttributeError(name) from None
        kind = self._k.get(name, "scalar")
        if kind == "opt":
            return [] if v is None else [_plain(v)]
        if kind == "set":
            return [_plain(x) for x in v]
        if kind == "map":
            return {_plain(k): _plain(x) for k, x in v.items()}
        return _plain(v)

    def get(self, name: str, default: Any = None) -> Any:
        try:
            return getattr(self, name)
        except AttributeError:
            return default

    def raw(self, name: str) -> Any:
        v = getattr(self, name)
        if isinstance(v, list):
            return frozenset(v)
        return v


def _plain(v: Any) -> Any:
    return str(v) if isinstance(v, sbdump.Ref) else v


class _Table:
    def __init__(self, rows: list[_Row]) -> None:
        self._rows = {r.uuid: r for r in rows}

    def get(self, uuid: str) -> _Row | None:
        return self._rows.get(uuid)

    def __iter__(self) -> Iterator[_Row]:
        return iter(list(self._rows.values()))

    def __len__(self) -> int:
        return len(self._rows)


def load_nb(text: str) -> tuple[dict[str, _Table], sbdump.Db]:
    db = sbdump.parse_dump(text, "OVN_Northbound")
    kinds = sbdump._column_kinds("OVN_Northbound")
    tables = {name: _Table([_Row(r, kinds.get(name, {})) for r in rows])
              for name, rows in db.items()}
    for name in kinds:
        tables.setdefault(name, _Table([]))
    return tables, db


# --- pyovn's lines ------------------------------------------------------------------------------------


def pyovn_lines(nb_pre: str, nb_post: str) -> tuple[list[str], list[str]]:
    """pyovn's flows of the router stages over a Northbound: (flow lines, hint lines).

    The engine runs on ``nb_post`` (the Northbound after the real northd's write-back: IPAM's
    dynamic addresses, BFD status), in steady state as after pyovn's own write-back; markers
    and random values are named as sbdump names them."""
    nb, db = load_nb(nb_post)
    pre = sbdump.parse_dump(nb_pre, "OVN_Northbound")
    markers = sbdump.nb_markers(pre, db)
    preset = {k for r in pre.get("NB_Global", []) for k in r.get("options", {})}
    literals = {v: f"<{k}>" for r in db.get("NB_Global", [])
                for k, v in r.get("options", {}).items()
                if k in ("svc_monitor_mac", "mac_prefix") and k not in preset and v}
    by_prefix: dict[str, str] = {}
    for u, m in markers.items():
        by_prefix.setdefault(u[:8], m)
    engine = Engine(nb, {})
    engine.recompute()
    model = engine.model
    keys: dict[tuple[str, int], str] = {}
    for p in model.ports.values():
        assert isinstance(p, NorthdPort)
        keys[(p.dp.uuid, p.key)] = p.name
    flows: list[str] = []
    hints: list[str] = []
    for content, dps in engine.flows.flows.items():
        stage, prio, match, actions, meter = content[:5]
        hint = engine.flows.hint(content)
        for dp_uuid in dps:
            dp = model.datapath(dp_uuid)
            name = dp.name if dp is not None else dp_uuid

            def key(m: re.Match[str], dp_uuid: str = dp_uuid) -> str:
                return f"{m.group(1)}<key:{keys.get((dp_uuid, int(m.group(2))), '?')}>"

            line = (f"{name} {stage.pipeline} {stage.table} {prio} {stage.name} "
                    f"match=({match}) action=({actions})")
            line = re.sub(r"(ecmp_reply_port (?:==|=) )(\d+)", key, line)
            for lit, marker in literals.items():
                line = line.replace(lit, marker)
            if meter:
                line += f" meter={meter}"
            if STAGES.search(line) is None:
                continue
            if hint:
                h = f"{line} hint=<{by_prefix.get(hint, 'unknown:' + hint)}>"
                if OTHERS.search(h):
                    continue
                hints.append(h)
            elif OTHERS.search(line):
                continue
            flows.append(line)
    return sorted(flows), sorted(hints)


# --- the real side's lines ---------------------------------------------------------------------------


def split_expected(text: str) -> tuple[list[str], list[str]]:
    flows: list[str] = []
    hints: list[str] = []
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        (hints if " hint=<" in line else flows).append(line)
    return sorted(flows), sorted(hints)


def real_expected(cache_dir: Path) -> str:
    """The expected.txt of one topology from sbdiff's cache of the real side."""
    snap = sbdump.normalise(
        sbdump.parse_dump((cache_dir / "sb.json").read_text(), "OVN_Southbound"),
        sbdump.parse_dump((cache_dir / "nb_pre.json").read_text(), "OVN_Northbound"),
        sbdump.parse_dump((cache_dir / "nb_post.json").read_text(), "OVN_Northbound"),
    )
    hints = [h for h in snap[sbdump.HINT_SECTION] if STAGES.search(h) and not OTHERS.search(h)]
    other = {h.split(" hint=<")[0] for h in snap[sbdump.HINT_SECTION] if OTHERS.search(h)}
    flows = [f for f in snap[sbdump.FLOW_SECTION]
             if STAGES.search(f) and f not in other and not OTHERS.search(f)]
    return "\n".join(["# real ovn-northd 23.03.1, router stages (see test_lr.py)", *flows,
                      *hints]) + "\n"


def refresh(names: list[str]) -> None:
    for spec in names:
        hits = sorted(CACHE.glob(f"{spec}*"), key=lambda p: p.stat().st_mtime)
        if not hits:
            raise SystemExit(f"no cache entry for {spec!r} (run sbdiff.py on it first)")
        src = hits[-1]
        name = src.name.rsplit("-", 1)[0]
        dst = DATA / name
        dst.mkdir(parents=True, exist_ok=True)
        (dst / "nb.json").write_text((src / "nb_pre.json").read_text())
        (dst / "nb_post.json").write_text((src / "nb_post.json").read_text())
        (dst / "expected.txt").write_text(real_expected(src))
        print(f"{name}: refreshed from {src.name}")


def diff(nb_pre: str, nb_post: str, expected: str) -> list[str]:
    got_f, got_h = pyovn_lines(nb_pre, nb_post)
    exp_f, exp_h = split_expected(expected)
    out = [f"-{x}" for x in sorted(set(exp_f) - set(got_f))]
    out += [f"+{x}" for x in sorted(set(got_f) - set(exp_f))]
    out += [f"-{x}" for x in sorted(set(exp_h) - set(got_h))]
    out += [f"+{x}" for x in sorted(set(got_h) - set(exp_h))]
    return out


# --- the tests ----------------------------------------------------------------------------------------


def _cases() -> list[Path]:
    return sorted(p for p in DATA.glob("*") if (p / "expected.txt").exists())


@pytest.mark.parametrize("case", _cases(), ids=lambda p: p.name)
def test_router_flows_match_real_northd(case: Path) -> None:
    d = diff((case / "nb.json").read_text(), (case / "nb_post.json").read_text(),
             (case / "expected.txt").read_text())
    assert not d, f"{case.name}: {len(d)} differing lines\n" + "\n".join(d[:40])


def main(argv: list[str]) -> int:
    if argv and argv[0] == "--refresh":
        refresh(argv[1:])
        return 0
    status = 0
    for spec in argv or [p.name for p in _cases()]:
        cases = [p for p in _cases() if p.name.startswith(spec)]
        if cases:
            case = cases[0]
            nb, post = (case / "nb.json").read_text(), (case / "nb_post.json").read_text()
            exp = (case / "expected.txt").read_text()
        else:
            hits = sorted(CACHE.glob(f"{spec}*"), key=lambda p: p.stat().st_mtime)
            if not hits:
                print(f"{spec}: no data")
                continue
            case = hits[-1]
            nb, post = (case / "nb_pre.json").read_text(), (case / "nb_post.json").read_text()
            exp = real_expected(case)
        d = diff(nb, post, exp)
        print(f"=== {case.name}: {len(d)} differences")
        for line in d:
            print(line)
        status |= bool(d)
    return status


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
