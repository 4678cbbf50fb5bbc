# arp_proxy variants on router-type ports: IPv4 list, IPv6 and CIDRs mixed in, a bad token first, a peerless router port.
ovn-nbctl ls-add sw0 -- ls-add sw1 -- ls-add sw2 -- ls-add sw3
ovn-nbctl lr-add lr0 -- lrp-add lr0 lr0-sw0 00:00:00:00:00:01 10.0.0.1/24 fd00::1/64 -- lrp-add lr0 lr0-sw1 00:00:00:00:01:01 10.1.0.1/24 -- lrp-add lr0 lr0-sw2 00:00:00:00:02:01 10.2.0.1/24
ovn-nbctl lsp-add sw0 vm0 -- lsp-set-addresses vm0 "50:54:00:00:00:11 10.0.0.11"
ovn-nbctl lsp-add sw0 sw0-lr0 -- lsp-set-type sw0-lr0 router -- lsp-set-addresses sw0-lr0 router -- lsp-set-options sw0-lr0 router-port=lr0-sw0 arp_proxy="10.0.0.200 fd00::200 10.9.0.0/24 10.0.0.202"
ovn-nbctl lsp-add sw1 sw1-lr0 -- lsp-set-type sw1-lr0 router -- lsp-set-addresses sw1-lr0 router -- lsp-set-options sw1-lr0 router-port=lr0-sw1 arp_proxy="bogus 10.1.0.200"
ovn-nbctl lsp-add sw2 sw2-lr0 -- lsp-set-type sw2-lr0 router -- lsp-set-addresses sw2-lr0 "00:00:00:00:02:01" -- lsp-set-options sw2-lr0 router-port=lr0-sw2 arp_proxy=10.2.0.200
ovn-nbctl lsp-add sw3 sw3-lr0 -- lsp-set-type sw3-lr0 router -- lsp-set-addresses sw3-lr0 router -- lsp-set-options sw3-lr0 router-port=nonexistent arp_proxy=10.3.0.200
ovn-nbctl lsp-add sw3 vm3 -- lsp-set-addresses vm3 "50:54:00:00:03:11 10.3.0.11" -- lsp-set-port-security vm3 "50:54:00:00:03:11"
