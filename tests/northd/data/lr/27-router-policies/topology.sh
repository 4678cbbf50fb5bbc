# Router policies: allow, drop, reroute (one and several nexthops), pkt_mark, IPv6.
ovn-nbctl lr-add lr0
ovn-nbctl lrp-add lr0 lr0-a 00:00:00:00:bb:01 10.10.1.1/24 fd00:a::1/64
ovn-nbctl lrp-add lr0 lr0-b 00:00:00:00:bb:02 10.10.2.1/24 fd00:b::1/64
ovn-nbctl ls-add a -- lsp-add a a-lr0 -- lsp-set-type a-lr0 router -- lsp-set-addresses a-lr0 router -- lsp-set-options a-lr0 router-port=lr0-a
ovn-nbctl ls-add b -- lsp-add b b-lr0 -- lsp-set-type b-lr0 router -- lsp-set-addresses b-lr0 router -- lsp-set-options b-lr0 router-port=lr0-b
ovn-nbctl lsp-add a a-vm -- lsp-set-addresses a-vm "50:54:00:0a:00:11 10.10.1.11 fd00:a::11"
ovn-nbctl lsp-add b fw1 -- lsp-set-addresses fw1 "50:54:00:0b:00:21 10.10.2.21"
ovn-nbctl lsp-add b fw2 -- lsp-set-addresses fw2 "50:54:00:0b:00:22 10.10.2.22"
ovn-nbctl lr-policy-add lr0 2000 'ip4.src == 10.10.1.0/24 && ip4.dst == 10.10.2.0/24' allow
ovn-nbctl lr-policy-add lr0 1500 'ip4.src == 10.10.1.13' drop
ovn-nbctl lr-policy-add lr0 1000 'ip4.src == 10.10.1.0/24 && tcp.dst == 80' reroute 10.10.2.21
ovn-nbctl lr-policy-add lr0 900 'ip4.src == 10.10.1.0/24 && udp' reroute 10.10.2.21,10.10.2.22
ovn-nbctl lr-policy-add lr0 800 'ip4.src == 10.10.1.12' allow pkt_mark=100
ovn-nbctl lr-policy-add lr0 700 'ip6.src == fd00:a::/64 && ip6.dst == fd00:b::/64' drop
