# Two routers peered directly (lrp peer=), a disabled router port, IPv6 networks, a router port with no switch.
ovn-nbctl lr-add lr-a -- lr-add lr-b
ovn-nbctl lrp-add lr-a lr-a-to-b 00:00:00:00:ab:01 169.254.10.1/30 fd00:ab::1/126 peer=lr-b-to-a
ovn-nbctl lrp-add lr-b lr-b-to-a 00:00:00:00:ab:02 169.254.10.2/30 fd00:ab::2/126 peer=lr-a-to-b
ovn-nbctl lrp-add lr-a lr-a-sw 00:00:00:00:aa:01 10.1.0.1/24 fd00:a1::1/64
ovn-nbctl lrp-add lr-b lr-b-sw 00:00:00:00:bb:01 10.2.0.1/24
ovn-nbctl lrp-add lr-b lr-b-down 00:00:00:00:bb:02 10.3.0.1/24 -- lrp-set-enabled lr-b-down disabled
ovn-nbctl ls-add sw-a -- lsp-add sw-a sw-a-lr -- lsp-set-type sw-a-lr router -- lsp-set-addresses sw-a-lr router -- lsp-set-options sw-a-lr router-port=lr-a-sw
ovn-nbctl ls-add sw-b -- lsp-add sw-b sw-b-lr -- lsp-set-type sw-b-lr router -- lsp-set-addresses sw-b-lr router -- lsp-set-options sw-b-lr router-port=lr-b-sw
ovn-nbctl lsp-add sw-a vm-a -- lsp-set-addresses vm-a "50:54:00:0a:00:11 10.1.0.11 fd00:a1::11"
ovn-nbctl lsp-add sw-b vm-b -- lsp-set-addresses vm-b "50:54:00:0b:00:11 10.2.0.11"
ovn-nbctl lr-route-add lr-a 10.2.0.0/24 169.254.10.2
ovn-nbctl lr-route-add lr-b 10.1.0.0/24 169.254.10.1
ovn-nbctl lr-route-add lr-b fd00:a1::/64 fd00:ab::1
