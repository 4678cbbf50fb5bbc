# A distributed router connecting two switches (the tutorial's second step), IPv4 only.
ovn-nbctl ls-add sw0 -- ls-add sw1
ovn-nbctl lsp-add sw0 sw0-port1 -- lsp-set-addresses sw0-port1 "50:54:00:00:00:01 192.168.0.11"
ovn-nbctl lsp-add sw0 sw0-port2 -- lsp-set-addresses sw0-port2 "50:54:00:00:00:02 192.168.0.12"
ovn-nbctl lsp-add sw1 sw1-port1 -- lsp-set-addresses sw1-port1 "50:54:00:00:01:01 192.168.1.11"
ovn-nbctl lr-add lr0
ovn-nbctl lrp-add lr0 lr0-sw0 00:00:00:00:ff:01 192.168.0.1/24
ovn-nbctl lrp-add lr0 lr0-sw1 00:00:00:00:ff:02 192.168.1.1/24
ovn-nbctl lsp-add sw0 sw0-lr0 -- lsp-set-type sw0-lr0 router -- lsp-set-addresses sw0-lr0 router \
  -- lsp-set-options sw0-lr0 router-port=lr0-sw0
ovn-nbctl lsp-add sw1 sw1-lr0 -- lsp-set-type sw1-lr0 router -- lsp-set-addresses sw1-lr0 "00:00:00:00:ff:02" \
  -- lsp-set-options sw1-lr0 router-port=lr0-sw1
