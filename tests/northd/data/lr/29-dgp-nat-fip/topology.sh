# A distributed gateway port on three chassis (priorities) with SNAT, DNAT and distributed FIPs (logical_port + external_mac).
ovn-nbctl lr-add lr0
ovn-nbctl lrp-add lr0 lr0-public 00:00:20:20:12:13 172.168.0.100/24
ovn-nbctl lrp-set-gateway-chassis lr0-public gw-chassis-1 30
ovn-nbctl lrp-set-gateway-chassis lr0-public gw-chassis-2 20
ovn-nbctl lrp-set-gateway-chassis lr0-public gw-chassis-3 10
ovn-nbctl lrp-add lr0 lr0-sw0 00:00:00:00:ff:01 10.0.0.1/24
ovn-nbctl ls-add sw0 -- lsp-add sw0 sw0-lr0 -- lsp-set-type sw0-lr0 router -- lsp-set-addresses sw0-lr0 router -- lsp-set-options sw0-lr0 router-port=lr0-sw0
ovn-nbctl lsp-add sw0 sw0-port1 -- lsp-set-addresses sw0-port1 "50:54:00:00:00:03 10.0.0.3"
ovn-nbctl lsp-add sw0 sw0-port2 -- lsp-set-addresses sw0-port2 "50:54:00:00:00:04 10.0.0.4"
ovn-nbctl lsp-add sw0 sw0-port3 -- lsp-set-addresses sw0-port3 "50:54:00:00:00:05 10.0.0.5"
ovn-nbctl ls-add public -- lsp-add public public-lr0 -- lsp-set-type public-lr0 router -- lsp-set-addresses public-lr0 router \
  -- lsp-set-options public-lr0 router-port=lr0-public nat-addresses=router
ovn-nbctl lsp-add public ln-public -- lsp-set-type ln-public localnet -- lsp-set-addresses ln-public unknown -- lsp-set-options ln-public network_name=public
ovn-nbctl lr-nat-add lr0 snat 172.168.0.100 10.0.0.0/24
ovn-nbctl lr-nat-add lr0 dnat_and_snat 172.168.0.110 10.0.0.3 sw0-port1 30:54:00:00:00:03
ovn-nbctl lr-nat-add lr0 dnat_and_snat 172.168.0.120 10.0.0.4
ovn-nbctl lr-nat-add lr0 dnat 172.168.0.130 10.0.0.5
ovn-nbctl lr-route-add lr0 0.0.0.0/0 172.168.0.1
