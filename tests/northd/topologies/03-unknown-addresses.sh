# Ports with "unknown" addresses (the _MC_unknown group and the l2_unknown stage), alone and next to a MAC.
ovn-nbctl ls-add sw0
ovn-nbctl lsp-add sw0 sw0-port1 -- lsp-set-addresses sw0-port1 "50:54:00:00:00:01 192.168.0.11"
ovn-nbctl lsp-add sw0 sw0-port2 -- lsp-set-addresses sw0-port2 unknown
ovn-nbctl lsp-add sw0 sw0-port3 -- lsp-set-addresses sw0-port3 "50:54:00:00:00:03 192.168.0.13" unknown
# A port with no addresses at all, and one with only a MAC.
ovn-nbctl lsp-add sw0 sw0-port4
ovn-nbctl lsp-add sw0 sw0-port5 -- lsp-set-addresses sw0-port5 "50:54:00:00:00:05"
