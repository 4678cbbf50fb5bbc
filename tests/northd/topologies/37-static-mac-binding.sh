# Static MAC bindings on router ports (static-mac-binding-add), one with override_dynamic_mac.
ovn-nbctl lr-add lr0
ovn-nbctl lrp-add lr0 lr0-ext 00:00:00:00:ee:01 172.20.0.1/24 2001:db8:20::1/64
ovn-nbctl lrp-add lr0 lr0-int 00:00:00:00:ee:02 10.20.0.1/24
ovn-nbctl ls-add ext -- lsp-add ext ext-lr0 -- lsp-set-type ext-lr0 router -- lsp-set-addresses ext-lr0 router -- lsp-set-options ext-lr0 router-port=lr0-ext
ovn-nbctl ls-add int -- lsp-add int int-lr0 -- lsp-set-type int-lr0 router -- lsp-set-addresses int-lr0 router -- lsp-set-options int-lr0 router-port=lr0-int
ovn-nbctl static-mac-binding-add lr0-ext 172.20.0.254 0a:0b:0c:0d:0e:01
ovn-nbctl static-mac-binding-add lr0-ext 2001:db8:20::fe 0a:0b:0c:0d:0e:02
ovn-nbctl static-mac-binding-add lr0-int 10.20.0.50 0a:0b:0c:0d:0e:03
ovn-nbctl create Static_MAC_Binding logical_port=lr0-int ip=10.20.0.51 mac='"0a:0b:0c:0d:0e:04"' override_dynamic_mac=true
