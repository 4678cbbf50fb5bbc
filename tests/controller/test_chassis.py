"""Chassis registration and the integration bridge, as ovn-controller 23.03 writes them."""

from __future__ import annotations

from ctlenv import Env, run


def test_integration_bridge_and_chassis_rows() -> None:
    async def main() -> None:
        async with Env() as env:
            await env.start_controller()
            await env.wait(lambda: env.chassis_private() is not None, "registration")
            br = await env.wait(env.bridge, "br-int")
            assert br.fail_mode == ["secure"]
            assert br.datapath_type == "system"
            assert br.other_config["disable-in-band"] == "true"
            assert "ovn-startup-ts" in br.external_ids
            await env.wait(lambda: "hwaddr" in env.bridge().other_config, "hwaddr pinned")
            local = env.iface("br-int")
            assert local.type == "internal" and local.ofport == [65534]
            assert env.bridge().other_config["hwaddr"] == local.mac_in_use[0]
            root = env.root()
            assert root.other_config == {"vlan-limit": "0", "ovn-chassis-idx-hv1": ""}
            assert "system" in root.datapaths
            assert sorted(root.iface_types) == sorted(env.dp.iface_types)

            ch = env.chassis()
            assert ch.hostname == "host1"
            oc = ch.other_config
            assert oc["datapath-type"] == "system"
            assert oc["iface-types"] == ",".join(sorted(env.dp.iface_types))
            for k, v in {"ct-no-masked-label": "true", "is-interconn": "false",
                         "mac-binding-timestamp": "true", "ovn-bridge-mappings": "",
                         "ovn-chassis-mac-mappings": "", "ovn-cms-options": "",
                         "ovn-ct-lb-related": "true", "ovn-enable-lflow-cache": "true",
                         "ovn-limit-lflow-cache": "", "ovn-memlimit-lflow-cache-kb": "",
                         "ovn-monitor-all": "false", "ovn-trim-limit-lflow-cache": "",
                         "ovn-trim-timeout-ms": "", "ovn-trim-wmark-perc-lflow-cache": "",
                         "port-up-notif": "true"}.items():
                assert oc[k] == v, k
            [encap] = [env.sb.tables["Encap"][u] for u in ch.encaps]
            assert (encap.type, encap.ip, encap.chassis_name) == ("geneve", "192.0.2.1", "hv1")
            assert encap.options == {"csum": "true"}
            cp = env.chassis_private()
            assert cp.chassis == [ch.uuid] and cp.nb_cfg == 0
            assert env.dp.chassis == "hv1" and env.dp.started

    run(main())
