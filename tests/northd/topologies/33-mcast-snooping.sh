# IGMP/MLD snooping and querier on switches, multicast relay on the router, mcast_flood / mcast_flood_reports on ports.
ovn-nbctl ls-add sw1 -- set Logical_Switch sw1 other_config:mcast_snoop=true other_config:mcast_querier=true \
  other_config:mcast_eth_src=00:00:00:00:aa:01 other_config:mcast_ip4_src=10.1.0.254 other_config:mcast_ip6_src=fe80::aa:1 \
  other_config:mcast_table_size=1024 other_config:mcast_idle_timeout=200 other_config:mcast_query_interval=100 \
  other_config:mcast_query_max_response=2 other_config:mcast_flood_unregistered=false
ovn-nbctl ls-add sw2 -- set Logical_Switch sw2 other_config:mcast_snoop=true other_config:mcast_querier=false \
  other_config:mcast_flood_unregistered=true
ovn-nbctl lsp-add sw1 sw1-p1 -- lsp-set-addresses sw1-p1 "50:54:00:00:01:11 10.1.0.11"
ovn-nbctl lsp-add sw1 sw1-p2 -- lsp-set-addresses sw1-p2 "50:54:00:00:01:12 10.1.0.12" -- lsp-set-options sw1-p2 mcast_flood=true
ovn-nbctl lsp-add sw2 sw2-p1 -- lsp-set-addresses sw2-p1 "50:54:00:00:02:11 10.2.0.11"
ovn-nbctl lsp-add sw2 sw2-ln -- lsp-set-type sw2-ln localnet -- lsp-set-addresses sw2-ln unknown \
  -- lsp-set-options sw2-ln network_name=physnet1 mcast_flood_reports=true
ovn-nbctl lr-add lr0 -- set Logical_Router lr0 options:mcast_relay=true
ovn-nbctl lrp-add lr0 lr0-sw1 00:00:00:00:ff:01 10.1.0.1/24 -- lrp-add lr0 lr0-sw2 00:00:00:00:ff:02 10.2.0.1/24 \
  -- set Logical_Router_Port lr0-sw2 options:mcast_flood=true
ovn-nbctl lsp-add sw1 sw1-lr0 -- lsp-set-type sw1-lr0 router -- lsp-set-addresses sw1-lr0 router -- lsp-set-options sw1-lr0 router-port=lr0-sw1
ovn-nbctl lsp-add sw2 sw2-lr0 -- lsp-set-type sw2-lr0 router -- lsp-set-addresses sw2-lr0 router -- lsp-set-options sw2-lr0 router-port=lr0-sw2
