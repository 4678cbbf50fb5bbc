# DGP with reside-on-redirect-chassis on another port, disabled router port, a switch with only router ports, IPv6 NAT, NAT with external_mac but no logical_port.
ovn-nbctl lr-add lr0
ovn-nbctl lrp-add lr0 lr0-public 00:00:20:20:12:13 172.168.0.100/24 2001:db8::100/64 -- lrp-set-gateway-chassis lr0-public gw1 10
ovn-nbctl lrp-add lr0 lr0-sw0 00:00:00:00:ff:01 10.0.0.1/24 -- set Logical_Router_Port lr0-sw0 options:reside-on-redirect-chassis=true
ovn-nbctl lrp-add lr0 lr0-sw1 00:00:00:00:ff:02 10.1.0.1/24 -- set Logical_Router_Port lr0-sw1 enabled=false
ovn-nbctl ls-add sw0 -- lsp-add sw0 sw0-lr0 -- lsp-set-type sw0-lr0 router -- lsp-set-addresses sw0-lr0 router -- lsp-set-options sw0-lr0 router-port=lr0-sw0
ovn-nbctl lsp-add sw0 sw0-ln -- lsp-set-type sw0-ln localnet -- lsp-set-addresses sw0-ln unknown -- lsp-set-options sw0-ln network_name=phys
ovn-nbctl lsp-add sw0 sw0-p1 -- lsp-set-addresses sw0-p1 "50:54:00:00:00:03 10.0.0.3"
ovn-nbctl ls-add sw1 -- lsp-add sw1 sw1-lr0 -- lsp-set-type sw1-lr0 router -- lsp-set-addresses sw1-lr0 router -- lsp-set-options sw1-lr0 router-port=lr0-sw1
ovn-nbctl lsp-add sw1 sw1-p1 -- lsp-set-addresses sw1-p1 "50:54:00:00:01:03 10.1.0.3" -- lsp-set-enabled sw1-p1 disabled
ovn-nbctl ls-add public -- lsp-add public public-lr0 -- lsp-set-type public-lr0 router -- lsp-set-addresses public-lr0 router -- lsp-set-options public-lr0 router-port=lr0-public
ovn-nbctl lsp-add public ln-public -- lsp-set-type ln-public localnet -- lsp-set-addresses ln-public unknown -- lsp-set-options ln-public network_name=public
ovn-nbctl lr-nat-add lr0 dnat_and_snat 2001:db8::110 fd00::3
ovn-nbctl lr-nat-add lr0 dnat_and_snat 172.168.0.110 10.0.0.3 sw0-p1 30:54:00:00:00:03
ovn-nbctl -- --id=@n create NAT type=dnat_and_snat external_ip=172.168.0.111 logical_ip=10.0.0.4 external_mac='"30:54:00:00:00:04"' -- add Logical_Router lr0 nat @n
ovn-nbctl lr-nat-add lr0 dnat 172.168.0.100 10.0.0.5
ovn-nbctl lr-add lr1 -- lrp-add lr1 lr1-tr 00:00:00:00:ee:01 100.64.0.1/24 -- lr-add lr2 -- lrp-add lr2 lr2-tr 00:00:00:00:ee:02 100.64.0.2/24
ovn-nbctl ls-add transit -- lsp-add transit tr-lr1 -- lsp-set-type tr-lr1 router -- lsp-set-addresses tr-lr1 router -- lsp-set-options tr-lr1 router-port=lr1-tr
ovn-nbctl lsp-add transit tr-lr2 -- lsp-set-type tr-lr2 router -- lsp-set-addresses tr-lr2 "00:00:00:00:ee:02 100.64.0.2" -- lsp-set-options tr-lr2 router-port=lr2-tr
ovn-nbctl lb-add lbt 100.64.0.100:80 10.0.0.3:80 -- lr-lb-add lr1 lbt
