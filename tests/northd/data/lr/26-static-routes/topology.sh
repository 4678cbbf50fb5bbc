# Static routes: default route, ECMP (also symmetric reply), src-ip policy, route tables, discard, IPv6, output port.
ovn-nbctl lr-add lr0
ovn-nbctl lrp-add lr0 lr0-ext 00:00:00:00:aa:01 172.24.4.1/24 2001:db8:24::1/64
ovn-nbctl lrp-add lr0 lr0-int 00:00:00:00:aa:02 10.100.0.1/24 -- set Logical_Router_Port lr0-int options:route_table=rtb-int
ovn-nbctl lrp-add lr0 lr0-svc 00:00:00:00:aa:03 10.101.0.1/24
ovn-nbctl ls-add ext -- lsp-add ext ext-lr0 -- lsp-set-type ext-lr0 router -- lsp-set-addresses ext-lr0 router -- lsp-set-options ext-lr0 router-port=lr0-ext
ovn-nbctl ls-add int -- lsp-add int int-lr0 -- lsp-set-type int-lr0 router -- lsp-set-addresses int-lr0 router -- lsp-set-options int-lr0 router-port=lr0-int
ovn-nbctl ls-add svc -- lsp-add svc svc-lr0 -- lsp-set-type svc-lr0 router -- lsp-set-addresses svc-lr0 router -- lsp-set-options svc-lr0 router-port=lr0-svc
ovn-nbctl lsp-add int int-vm1 -- lsp-set-addresses int-vm1 "50:54:00:10:00:11 10.100.0.11"
ovn-nbctl lr-route-add lr0 0.0.0.0/0 172.24.4.254
ovn-nbctl lr-route-add lr0 ::/0 2001:db8:24::fe
ovn-nbctl --ecmp lr-route-add lr0 198.18.0.0/16 172.24.4.10
ovn-nbctl --ecmp lr-route-add lr0 198.18.0.0/16 172.24.4.11
ovn-nbctl --ecmp-symmetric-reply lr-route-add lr0 198.19.0.0/16 10.101.0.10
ovn-nbctl --ecmp-symmetric-reply lr-route-add lr0 198.19.0.0/16 10.101.0.11
ovn-nbctl --policy=src-ip lr-route-add lr0 10.100.0.128/25 172.24.4.20
ovn-nbctl --route-table=rtb-int lr-route-add lr0 0.0.0.0/0 10.101.0.254
ovn-nbctl --route-table=rtb-int lr-route-add lr0 192.0.2.0/24 172.24.4.30
ovn-nbctl lr-route-add lr0 203.0.113.0/24 discard
ovn-nbctl lr-route-add lr0 10.200.0.0/16 10.101.0.200 lr0-svc
