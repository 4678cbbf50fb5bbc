"""The chassis configuration, read from the local Open_vSwitch row's external_ids.

:func:`read_config` is pure: it takes the ``external_ids`` map (and what the caller knows of
the host) and returns a :class:`ChassisConfig`.  As in ovn-controller(8), most keys can be set
for one chassis by suffixing its name (``ovn-encap-ip-hv1``), which wins over the plain key.
:func:`chassis_other_config` is the ``Chassis.other_config`` ovn-controller 23.03 writes for
that configuration: every key present, empty values for unset options.
"""

from __future__ import annotations

import socket
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field

__all__ = ["DEFAULT_BRIDGE", "ChassisConfig", "chassis_other_config", "parse_mappings",
           "read_config"]

DEFAULT_BRIDGE = "br-int"

# Options copied as they are into Chassis.other_config ("" when unset).
_VERBATIM = ("ovn-limit-lflow-cache", "ovn-memlimit-lflow-cache-kb",
             "ovn-trim-limit-lflow-cache", "ovn-trim-timeout-ms",
             "ovn-trim-wmark-perc-lflow-cache")


def _bool(value: str | None, default: bool) -> bool:
    if value is None:
        return default
    return value.strip().lower() == "true"


def parse_mappings(text: str) -> dict[str, str]:
    """``physnet1:br-eth0,physnet2:br-eth1`` -> {physnet: bridge} (bad pieces ignored)."""
    out: dict[str, str] = {}
    for piece in text.split(","):
        key, sep, value = piece.strip().partition(":")
        if sep and key and value:
            out[key] = value
    return out


def _csv(text: str) -> tuple[str, ...]:
    return tuple(p.strip() for p in text.split(",") if p.strip())


@dataclass(frozen=True)
class ChassisConfig:
    """What the controller reads from ``Open_vSwitch:external_ids`` (one chassis' view)."""

    system_id: str | None
    hostname: str
    ovn_remote: str | None = None
    remote_probe_interval_ms: int | None = None
    bridge: str = DEFAULT_BRIDGE
    bridge_datapath_type: str | None = None
    encap_types: tuple[str, ...] = ()
    encap_ips: tuple[str, ...] = ()
    encap_csum: bool = True
    encap_dst_port: str | None = None
    bridge_mappings_text: str = ""
    bridge_mappings: dict[str, str] = field(default_factory=dict)
    monitor_all: bool = False
    cms_options: str = ""
    chassis_mac_mappings: str = ""
    transport_zones: tuple[str, ...] = ()
    is_interconn: bool = False
    enable_lflow_cache: bool = True
    match_northd_version: bool = False
    lflow_cache: dict[str, str] = field(default_factory=dict)


def read_config(external_ids: Mapping[str, str], *, chassis_name: str | None = None,
                hostname: str | None = None) -> ChassisConfig:
    """The configuration in ``external_ids``; ``chassis_name`` overrides ``system-id`` (as
    ovn-controller's ``-n``), ``hostname`` the host's name when ``external_ids:hostname`` is
    not set."""
    name = chassis_name or external_ids.get("system-id") or None

    def get(key: str) -> str | None:
        if name is not None:
            v = external_ids.get(f"{key}-{name}")
            if v is not None:
                return v
        return external_ids.get(key)

    probe = get("ovn-remote-probe-interval")
    probe_ms: int | None = None
    if probe is not None:
        try:
            probe_ms = int(probe)
        except ValueError:
            probe_ms = None
        if probe_ms is not None and 0 < probe_ms < 1000:
            probe_ms = 1000  # ovn-controller(8): forced to at least 1000 ms
    mappings = get("ovn-bridge-mappings") or ""
    return ChassisConfig(
        system_id=name,
        hostname=get("hostname") or hostname or socket.gethostname(),
        ovn_remote=get("ovn-remote") or None,
        remote_probe_interval_ms=probe_ms,
        bridge=get("ovn-bridge") or DEFAULT_BRIDGE,
        bridge_datapath_type=get("ovn-bridge-datapath-type") or None,
        encap_types=_csv(get("ovn-encap-type") or ""),
        encap_ips=_csv(get("ovn-encap-ip") or ""),
        encap_csum=_bool(get("ovn-encap-csum"), True),
        encap_dst_port=get("ovn-encap-dst-port") or None,
        bridge_mappings_text=mappings,
        bridge_mappings=parse_mappings(mappings),
        monitor_all=_bool(get("ovn-monitor-all"), False),
        cms_options=get("ovn-cms-options") or "",
        chassis_mac_mappings=get("ovn-chassis-mac-mappings") or "",
        transport_zones=_csv(get("ovn-transport-zones") or ""),
        is_interconn=_bool(get("ovn-is-interconn"), False),
        enable_lflow_cache=_bool(get("ovn-enable-lflow-cache"), True),
        match_northd_version=_bool(get("ovn-match-northd-version"), False),
        lflow_cache={k: get(k) or "" for k in _VERBATIM},
    )


def _tf(b: bool) -> str:
    return "true" if b else "false"


def chassis_other_config(cfg: ChassisConfig, *, iface_types: Collection[str],
                         datapath_type: str) -> dict[str, str]:
    """``Chassis.other_config`` as ovn-controller 23.03 writes it for ``cfg``."""
    oc = {
        "ct-no-masked-label": "true",
        "datapath-type": datapath_type,
        "iface-types": ",".join(sorted(iface_types)),
        "is-interconn": _tf(cfg.is_interconn),
        "mac-binding-timestamp": "true",
        "ovn-bridge-mappings": cfg.bridge_mappings_text,
        "ovn-chassis-mac-mappings": cfg.chassis_mac_mappings,
        "ovn-cms-options": cfg.cms_options,
        "ovn-ct-lb-related": "true",
        "ovn-enable-lflow-cache": _tf(cfg.enable_lflow_cache),
        "ovn-monitor-all": _tf(cfg.monitor_all),
        "port-up-notif": "true",
    }
    oc.update(cfg.lflow_cache)
    return oc
