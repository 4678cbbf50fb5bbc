# BFD: NB BFD rows and static routes with --bfd on a gateway router (SB BFD rows, the bfd flows).
ovn-nbctl lr-add lr0 -- set Logical_Router lr0 options:chassis=gw-chassis-1
ovn-nbctl lrp-add lr0 lr0-ext 00:00:00:00:45:01 172.45.0.1/24
ovn-nbctl lrp-add lr0 lr0-int 00:00:00:00:45:02 10.45.0.1/24
ovn-nbctl ls-add ext -- lsp-add ext ext-lr0 -- lsp-set-type ext-lr0 router -- lsp-set-addresses ext-lr0 router -- lsp-set-options ext-lr0 router-port=lr0-ext
ovn-nbctl ls-add int -- lsp-add int int-lr0 -- lsp-set-type int-lr0 router -- lsp-set-addresses int-lr0 router -- lsp-set-options int-lr0 router-port=lr0-int
ovn-nbctl create BFD logical_port=lr0-ext dst_ip=172.45.0.254 min_tx=500 min_rx=500 detect_mult=4
ovn-nbctl --bfd lr-route-add lr0 0.0.0.0/0 172.45.0.253 lr0-ext
ovn-nbctl --ecmp --bfd lr-route-add lr0 192.0.2.0/24 172.45.0.10 lr0-ext
ovn-nbctl --ecmp --bfd lr-route-add lr0 192.0.2.0/24 172.45.0.11 lr0-ext
