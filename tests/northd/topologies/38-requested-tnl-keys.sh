# Requested tunnel keys: other_config:requested-tnl-key on switches and routers, options:requested-tnl-key on ports.
ovn-nbctl ls-add sw0 -- set Logical_Switch sw0 other_config:requested-tnl-key=100
ovn-nbctl ls-add sw1 -- set Logical_Switch sw1 other_config:requested-tnl-key=200
ovn-nbctl ls-add sw2
ovn-nbctl lr-add lr0 -- set Logical_Router lr0 options:requested-tnl-key=300
ovn-nbctl lsp-add sw0 sw0-port1 -- lsp-set-addresses sw0-port1 "50:54:00:00:00:01 192.168.0.11" -- lsp-set-options sw0-port1 requested-tnl-key=10
ovn-nbctl lsp-add sw0 sw0-port2 -- lsp-set-addresses sw0-port2 "50:54:00:00:00:02 192.168.0.12" -- lsp-set-options sw0-port2 requested-tnl-key=20
ovn-nbctl lsp-add sw0 sw0-port3 -- lsp-set-addresses sw0-port3 "50:54:00:00:00:03 192.168.0.13"
ovn-nbctl lsp-add sw1 sw1-port1 -- lsp-set-addresses sw1-port1 "50:54:00:00:01:01 192.168.1.11"
ovn-nbctl lsp-add sw2 sw2-port1 -- lsp-set-addresses sw2-port1 "50:54:00:00:02:01 192.168.2.11"
ovn-nbctl lrp-add lr0 lr0-sw0 00:00:00:00:ff:01 192.168.0.1/24 -- set Logical_Router_Port lr0-sw0 options:requested-tnl-key=7
ovn-nbctl lrp-add lr0 lr0-sw1 00:00:00:00:ff:02 192.168.1.1/24
ovn-nbctl lsp-add sw0 sw0-lr0 -- lsp-set-type sw0-lr0 router -- lsp-set-addresses sw0-lr0 router -- lsp-set-options sw0-lr0 router-port=lr0-sw0
ovn-nbctl lsp-add sw1 sw1-lr0 -- lsp-set-type sw1-lr0 router -- lsp-set-addresses sw1-lr0 router -- lsp-set-options sw1-lr0 router-port=lr0-sw1 requested-tnl-key=5
