# Multicast groups without snooping/relay: mcast_flood and mcast_flood_reports on ports of a switch without mcast_snoop, a router without mcast_relay.
ovn-nbctl ls-add sw0
ovn-nbctl lsp-add sw0 p1 -- lsp-set-addresses p1 "50:54:00:00:00:01" -- lsp-set-options p1 mcast_flood=true mcast_flood_reports=true
ovn-nbctl lsp-add sw0 p2 -- lsp-set-addresses p2 "50:54:00:00:00:02" unknown -- lsp-set-options p2 mcast_flood=true -- lsp-set-enabled p2 disabled
ovn-nbctl lr-add lr0 -- set Logical_Router lr0 options:mcast_relay=true
ovn-nbctl lrp-add lr0 lr0-sw0 00:00:00:00:ff:01 10.0.0.1/24 -- set Logical_Router_Port lr0-sw0 options:mcast_flood=true
ovn-nbctl lsp-add sw0 sw0-lr0 -- lsp-set-type sw0-lr0 router -- lsp-set-addresses sw0-lr0 router -- lsp-set-options sw0-lr0 router-port=lr0-sw0 mcast_flood=true
ovn-nbctl lr-add lr1
ovn-nbctl lrp-add lr1 lr1-sw1 00:00:00:00:ff:02 10.1.0.1/24 -- set Logical_Router_Port lr1-sw1 options:mcast_flood=true
ovn-nbctl ls-add sw1 -- set Logical_Switch sw1 other_config:mcast_snoop=true
ovn-nbctl lsp-add sw1 sw1-lr1 -- lsp-set-type sw1-lr1 router -- lsp-set-addresses sw1-lr1 router -- lsp-set-options sw1-lr1 router-port=lr1-sw1
ovn-nbctl lsp-add sw1 q1 -- lsp-set-addresses q1 "50:54:00:00:01:01" -- lsp-set-options q1 mcast_flood=true mcast_flood_reports=true -- lsp-set-enabled q1 disabled
ovn-nbctl lsp-add sw1 q2 -- lsp-set-addresses q2 "50:54:00:00:01:02" -- lsp-set-type q2 localnet -- lsp-set-options q2 network_name=x mcast_flood=true
ovn-nbctl lrp-add lr0 lr0-sw1 00:00:00:00:ff:03 10.2.0.1/24 -- set Logical_Router_Port lr0-sw1 options:mcast_flood=true -- lrp-set-enabled lr0-sw1 disabled
ovn-nbctl lsp-add sw1 sw1-lr0 -- lsp-set-type sw1-lr0 router -- lsp-set-addresses sw1-lr0 router -- lsp-set-options sw1-lr0 router-port=lr0-sw1 mcast_flood_reports=true
