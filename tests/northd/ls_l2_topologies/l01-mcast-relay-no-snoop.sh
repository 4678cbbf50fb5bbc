# Multicast relay on a router whose switches do not snoop; mcast_flood/mcast_flood_reports ports; a relay-only switch.
ovn-nbctl ls-add sw1 -- ls-add sw2 -- set Logical_Switch sw2 other_config:mcast_snoop=true other_config:mcast_flood_unregistered=false
ovn-nbctl ls-add sw3 -- set Logical_Switch sw3 other_config:mcast_snoop=true other_config:mcast_querier=false other_config:mcast_idle_timeout=5 other_config:mcast_query_max_response=50 other_config:mcast_table_size=10
ovn-nbctl lsp-add sw1 sw1-p1 -- lsp-set-addresses sw1-p1 "50:54:00:00:01:11 10.1.0.11" -- lsp-set-options sw1-p1 mcast_flood=true
ovn-nbctl lsp-add sw2 sw2-p1 -- lsp-set-addresses sw2-p1 "50:54:00:00:02:11 10.2.0.11" -- lsp-set-options sw2-p1 mcast_flood_reports=true
ovn-nbctl lsp-add sw3 sw3-p1 -- lsp-set-addresses sw3-p1 "50:54:00:00:03:11 10.3.0.11" -- lsp-set-options sw3-p1 mcast_flood=true
ovn-nbctl lr-add lr0 -- set Logical_Router lr0 options:mcast_relay=true
ovn-nbctl lrp-add lr0 lr0-sw1 00:00:00:00:ff:01 10.1.0.1/24 -- lrp-add lr0 lr0-sw2 00:00:00:00:ff:02 10.2.0.1/24 -- set Logical_Router_Port lr0-sw1 options:mcast_flood=true
ovn-nbctl lsp-add sw1 sw1-lr0 -- lsp-set-type sw1-lr0 router -- lsp-set-addresses sw1-lr0 router -- lsp-set-options sw1-lr0 router-port=lr0-sw1
ovn-nbctl lsp-add sw2 sw2-lr0 -- lsp-set-type sw2-lr0 router -- lsp-set-addresses sw2-lr0 router -- lsp-set-options sw2-lr0 router-port=lr0-sw2
ovn-nbctl ls-add sw4 -- set Logical_Switch sw4 other_config:mcast_snoop=true other_config:mcast_flood_unregistered=false
ovn-nbctl lsp-add sw4 sw4-p1 -- lsp-set-addresses sw4-p1 "50:54:00:00:04:11 10.4.0.11"
ovn-nbctl lr-add lr1 -- set Logical_Router lr1 options:mcast_relay=true -- lrp-add lr1 lr1-sw4 00:00:00:00:ff:04 10.4.0.1/24
ovn-nbctl lsp-add sw4 sw4-lr1 -- lsp-set-type sw4-lr1 router -- lsp-set-addresses sw4-lr1 router -- lsp-set-options sw4-lr1 router-port=lr1-sw4
