# Switch and port options: vlan-passthru, broadcast-arps-to-all-routers, lsp_learn_fdb, localnet_learn_fdb, arp_proxy on a router-type port.
ovn-nbctl ls-add sw0 -- set Logical_Switch sw0 other_config:vlan-passthru=true other_config:broadcast-arps-to-all-routers=false
ovn-nbctl lsp-add sw0 vm1 -- lsp-set-addresses vm1 "50:54:00:00:47:11 10.47.0.11" -- lsp-set-options vm1 lsp_learn_fdb=true
ovn-nbctl lsp-add sw0 vm2 -- lsp-set-addresses vm2 unknown
ovn-nbctl lsp-add sw0 ln0 -- lsp-set-type ln0 localnet -- lsp-set-addresses ln0 unknown -- lsp-set-options ln0 network_name=physnet1 localnet_learn_fdb=true
ovn-nbctl lr-add lr0 -- lrp-add lr0 lr0-sw0 00:00:00:00:47:01 10.47.0.1/24
ovn-nbctl lsp-add sw0 sw0-lr0 -- lsp-set-type sw0-lr0 router -- lsp-set-addresses sw0-lr0 router \
  -- lsp-set-options sw0-lr0 router-port=lr0-sw0 arp_proxy="10.47.0.200 10.47.0.201"
