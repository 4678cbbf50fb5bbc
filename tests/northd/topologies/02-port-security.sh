# Port security: MAC-only, MAC+IPv4, MAC+IPv4+IPv6 (with prefix), several entries on one port.
ovn-nbctl ls-add sw0
ovn-nbctl lsp-add sw0 vm1 -- lsp-set-addresses vm1 "50:54:00:00:00:01 10.0.0.11"
ovn-nbctl lsp-set-port-security vm1 "50:54:00:00:00:01"
ovn-nbctl lsp-add sw0 vm2 -- lsp-set-addresses vm2 "50:54:00:00:00:02 10.0.0.12 fd00:10::12"
ovn-nbctl lsp-set-port-security vm2 "50:54:00:00:00:02 10.0.0.12 fd00:10::12"
ovn-nbctl lsp-add sw0 vm3 -- lsp-set-addresses vm3 "50:54:00:00:00:03 10.0.0.13/24 fd00:10::13/64"
ovn-nbctl lsp-set-port-security vm3 "50:54:00:00:00:03 10.0.0.13/24 10.0.0.255 fd00:10::13/64" "50:54:00:00:00:33 10.0.0.33"
# A port that is administratively down, and one with security but no addresses.
ovn-nbctl lsp-add sw0 vm4 -- lsp-set-addresses vm4 "50:54:00:00:00:04 10.0.0.14" -- lsp-set-enabled vm4 disabled
ovn-nbctl lsp-add sw0 vm5 -- lsp-set-port-security vm5 "50:54:00:00:00:05 10.0.0.15"
