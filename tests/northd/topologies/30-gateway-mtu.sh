# gateway_mtu on a distributed gateway port (check_pkt_larger, ICMP need-frag / packet-too-big), IPv4 and IPv6.
ovn-nbctl lr-add lr0
ovn-nbctl lrp-add lr0 lr0-public 00:00:20:20:12:13 172.168.0.100/24 2001:db8:168::100/64 \
  -- set Logical_Router_Port lr0-public options:gateway_mtu=1400
ovn-nbctl lrp-set-gateway-chassis lr0-public gw-chassis-1 10
ovn-nbctl lrp-add lr0 lr0-sw0 00:00:00:00:ff:01 10.0.0.1/24 fd00:10::1/64
ovn-nbctl ls-add sw0 -- lsp-add sw0 sw0-lr0 -- lsp-set-type sw0-lr0 router -- lsp-set-addresses sw0-lr0 router -- lsp-set-options sw0-lr0 router-port=lr0-sw0
ovn-nbctl lsp-add sw0 vm1 -- lsp-set-addresses vm1 "50:54:00:00:00:03 10.0.0.3 fd00:10::3"
ovn-nbctl ls-add public -- lsp-add public public-lr0 -- lsp-set-type public-lr0 router -- lsp-set-addresses public-lr0 router -- lsp-set-options public-lr0 router-port=lr0-public
ovn-nbctl lsp-add public ln-public -- lsp-set-type ln-public localnet -- lsp-set-addresses ln-public unknown -- lsp-set-options ln-public network_name=public
ovn-nbctl lr-nat-add lr0 snat 172.168.0.100 10.0.0.0/24
