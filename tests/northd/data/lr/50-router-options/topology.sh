# Router options: always_learn_from_arp_request, dynamic_neigh_routers, mac_binding_age_threshold, snat-ct-zone, reside-on-redirect-chassis, a link-local-only port.
ovn-nbctl lr-add lr0 -- set Logical_Router lr0 options:always_learn_from_arp_request=false options:dynamic_neigh_routers=true \
  options:mac_binding_age_threshold=300
ovn-nbctl lrp-add lr0 lr0-public 00:00:20:20:50:01 172.50.0.1/24 -- lrp-set-gateway-chassis lr0-public gw-chassis-1 10
ovn-nbctl lrp-add lr0 lr0-vlan 00:00:00:00:50:02 10.50.0.1/24 -- set Logical_Router_Port lr0-vlan options:reside-on-redirect-chassis=true
ovn-nbctl lrp-add lr0 lr0-ll 00:00:00:00:50:03 fe80::200:ff:fe00:5003/64
ovn-nbctl ls-add public -- lsp-add public public-lr0 -- lsp-set-type public-lr0 router -- lsp-set-addresses public-lr0 router -- lsp-set-options public-lr0 router-port=lr0-public
ovn-nbctl lsp-add public ln-public -- lsp-set-type ln-public localnet -- lsp-set-addresses ln-public unknown -- lsp-set-options ln-public network_name=public
ovn-nbctl ls-add vlan50 -- lsp-add vlan50 vlan50-lr0 -- lsp-set-type vlan50-lr0 router -- lsp-set-addresses vlan50-lr0 router -- lsp-set-options vlan50-lr0 router-port=lr0-vlan
ovn-nbctl lsp-add vlan50 ln-vlan50 -- lsp-set-type ln-vlan50 localnet -- lsp-set-addresses ln-vlan50 unknown -- lsp-set-options ln-vlan50 network_name=physnet1 \
  -- set Logical_Switch_Port ln-vlan50 tag_request=50
ovn-nbctl lsp-add vlan50 vm1 -- lsp-set-addresses vm1 "50:54:00:00:50:11 10.50.0.11"
ovn-nbctl lr-add gw1 -- set Logical_Router gw1 options:chassis=gw-chassis-2 options:snat-ct-zone=4000
ovn-nbctl lrp-add gw1 gw1-p 00:00:00:00:50:21 172.50.0.2/24
ovn-nbctl lsp-add public public-gw1 -- lsp-set-type public-gw1 router -- lsp-set-addresses public-gw1 router -- lsp-set-options public-gw1 router-port=gw1-p
