# Load balancers on a router with a distributed gateway port (the LB is applied on the gateway chassis), also on the switch.
ovn-nbctl lr-add lr0
ovn-nbctl lrp-add lr0 lr0-public 00:00:20:20:12:13 172.168.0.100/24
ovn-nbctl lrp-set-gateway-chassis lr0-public gw-chassis-1 20
ovn-nbctl lrp-set-gateway-chassis lr0-public gw-chassis-2 10
ovn-nbctl lrp-add lr0 lr0-sw0 00:00:00:00:ff:01 10.0.0.1/24
ovn-nbctl ls-add sw0 -- lsp-add sw0 sw0-lr0 -- lsp-set-type sw0-lr0 router -- lsp-set-addresses sw0-lr0 router -- lsp-set-options sw0-lr0 router-port=lr0-sw0
ovn-nbctl lsp-add sw0 vm1 -- lsp-set-addresses vm1 "50:54:00:00:00:03 10.0.0.3"
ovn-nbctl lsp-add sw0 vm2 -- lsp-set-addresses vm2 "50:54:00:00:00:04 10.0.0.4"
ovn-nbctl ls-add public -- lsp-add public public-lr0 -- lsp-set-type public-lr0 router -- lsp-set-addresses public-lr0 router -- lsp-set-options public-lr0 router-port=lr0-public
ovn-nbctl lsp-add public ln-public -- lsp-set-type ln-public localnet -- lsp-set-addresses ln-public unknown -- lsp-set-options ln-public network_name=public
ovn-nbctl lb-add lb0 172.168.0.200:80 10.0.0.3:80,10.0.0.4:80 tcp
ovn-nbctl lb-add lb0 172.168.0.200:443 10.0.0.3:443,10.0.0.4:443 tcp
ovn-nbctl lb-add lb-udp 172.168.0.201:53 10.0.0.3:53 udp
ovn-nbctl lr-lb-add lr0 lb0 -- lr-lb-add lr0 lb-udp -- ls-lb-add sw0 lb0
ovn-nbctl lr-nat-add lr0 snat 172.168.0.100 10.0.0.0/24
