# Switch port columns: parent_name/tag_request (allocated tags), requested-chassis, port_security, external_ids, enabled, vtep, up, options.
ovn-nbctl set NB_Global . options:mac_prefix=0a:58:a8
ovn-nbctl ls-add sw0 -- set Logical_Switch sw0 external_ids:neutron\\:network_name=net0 other_config:interconn-ts=ts1
ovn-nbctl lsp-add sw0 vm1 -- lsp-set-addresses vm1 "50:54:00:00:00:01 10.0.0.1" -- lsp-set-port-security vm1 "50:54:00:00:00:01 10.0.0.1" \
  -- set Logical_Switch_Port vm1 external_ids:neutron\\:cidrs=10.0.0.1/24 external_ids:foo=bar options:requested-chassis=hv1 options:qos_burst=1000
ovn-nbctl lsp-add sw0 c1 vm1 0 -- lsp-set-addresses c1 "50:54:00:00:01:01 10.0.0.101"
ovn-nbctl lsp-add sw0 c2 vm1 0 -- lsp-set-addresses c2 "50:54:00:00:01:02 10.0.0.102"
ovn-nbctl lsp-add sw0 c3 vm1 42 -- lsp-set-addresses c3 "50:54:00:00:01:03 10.0.0.103"
ovn-nbctl lsp-add sw0 vm2 -- lsp-set-addresses vm2 "50:54:00:00:00:02 10.0.0.2" -- lsp-set-enabled vm2 disabled \
  -- set Logical_Switch_Port vm2 options:requested-chassis=hv1,hv2 options:activation-strategy=rarp
ovn-nbctl lsp-add sw0 vt1 -- lsp-set-type vt1 vtep -- lsp-set-addresses vt1 unknown -- lsp-set-options vt1 vtep-physical-switch=br-vtep vtep-logical-switch=ls0
ovn-nbctl lsp-add sw0 vm3 -- lsp-set-addresses vm3 "50:54:00:00:00:03 10.0.0.3" unknown -- set Logical_Switch_Port vm3 mirror_rules=[]
ovn-nbctl lr-add lr0 -- set Logical_Router lr0 external_ids:neutron\\:router_name=router0 options:requested-tnl-key=77
ovn-nbctl lrp-add lr0 lr0-sw0 00:00:00:00:ff:01 10.0.0.254/24 -- set Logical_Router_Port lr0-sw0 external_ids:x=y options:requested-tnl-key=9
ovn-nbctl lsp-add sw0 sw0-lr0 -- lsp-set-type sw0-lr0 router -- lsp-set-addresses sw0-lr0 "00:00:00:00:ff:01" -- lsp-set-options sw0-lr0 router-port=lr0-sw0 requested-tnl-key=5
ovn-nbctl ls-add sw1 -- set Logical_Switch sw1 other_config:requested-tnl-key=100 other_config:mcast_snoop=true other_config:mcast_querier=false other_config:mcast_table_size=100
ovn-nbctl lsp-add sw1 w1 -- lsp-set-addresses w1 "50:54:00:00:02:01" -- lsp-set-options w1 mcast_flood=true mcast_flood_reports=true
ovn-nbctl lsp-add sw1 w2 -- lsp-set-addresses w2 "50:54:00:00:02:02"
ovn-nbctl ls-add sw2 -- set Logical_Switch sw2 other_config:mcast_snoop=true other_config:mcast_querier=true other_config:mcast_eth_src=00:00:00:00:00:05 other_config:mcast_ip4_src=1.1.1.1 other_config:mcast_ip6_src=fe80::1 other_config:mcast_idle_timeout=100 other_config:mcast_query_interval=30 other_config:mcast_query_max_response=2
ovn-nbctl lsp-add sw2 u1 -- lsp-set-addresses u1 "50:54:00:00:03:01"
ovn-nbctl lr-add lr1 -- set Logical_Router lr1 options:mcast_relay=true
ovn-nbctl lrp-add lr1 lr1-sw2 00:00:00:00:ff:02 10.2.0.254/24 -- set Logical_Router_Port lr1-sw2 options:mcast_flood=true
ovn-nbctl lsp-add sw2 sw2-lr1 -- lsp-set-type sw2-lr1 router -- lsp-set-addresses sw2-lr1 router -- lsp-set-options sw2-lr1 router-port=lr1-sw2
ovn-nbctl lrp-add lr1 lr1-sw1 00:00:00:00:ff:03 10.1.0.254/24
ovn-nbctl lsp-add sw1 sw1-lr1 -- lsp-set-type sw1-lr1 router -- lsp-set-addresses sw1-lr1 router -- lsp-set-options sw1-lr1 router-port=lr1-sw1
