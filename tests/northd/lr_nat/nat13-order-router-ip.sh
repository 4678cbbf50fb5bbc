# router_ip with peers (first IPv4 / IPv6 address), router_ip on a DGP router, SNAT and dnat_and_snat sharing external IPs (which rule's hint wins).
ovn-nbctl lr-add gw1 -- set Logical_Router gw1 options:chassis=ch1 options:lb_force_snat_ip=router_ip
ovn-nbctl lrp-add gw1 gw1-p 00:00:00:00:50:21 172.50.0.2/24 172.50.1.2/24 fd50::2/64 fd51::2/64
ovn-nbctl lrp-add gw1 gw1-q 00:00:00:00:50:22 fd52::2/64
ovn-nbctl lrp-add gw1 gw1-r 00:00:00:00:50:23 172.53.0.2/24
ovn-nbctl ls-add s1 -- lsp-add s1 s1-gw1 -- lsp-set-type s1-gw1 router -- lsp-set-addresses s1-gw1 router -- lsp-set-options s1-gw1 router-port=gw1-p
ovn-nbctl lsp-add s1 s1-gw1q -- lsp-set-type s1-gw1q router -- lsp-set-addresses s1-gw1q router -- lsp-set-options s1-gw1q router-port=gw1-q
ovn-nbctl lr-add lr2 -- set Logical_Router lr2 options:lb_force_snat_ip=router_ip
ovn-nbctl lrp-add lr2 lr2-p 00:00:00:00:50:31 172.60.0.2/24 -- lrp-set-gateway-chassis lr2-p ch1 10
ovn-nbctl lsp-add s1 s1-lr2 -- lsp-set-type s1-lr2 router -- lsp-set-addresses s1-lr2 router -- lsp-set-options s1-lr2 router-port=lr2-p
ovn-nbctl lr-nat-add lr2 snat 172.60.0.2 10.60.0.0/24
ovn-nbctl lr-add gw3 -- set Logical_Router gw3 options:chassis=ch1
ovn-nbctl lrp-add gw3 gw3-p 00:00:00:00:50:41 172.70.0.2/24
ovn-nbctl lr-nat-add gw3 snat 172.70.0.11 10.70.1.0/24
ovn-nbctl lr-nat-add gw3 dnat_and_snat 172.70.0.11 10.70.1.11
ovn-nbctl lr-nat-add gw3 snat 172.70.0.12 10.70.2.0/24
ovn-nbctl lr-nat-add gw3 dnat_and_snat 172.70.0.12 10.70.2.12
ovn-nbctl lr-nat-add gw3 snat 172.70.0.13 10.70.3.0/24
ovn-nbctl lr-nat-add gw3 dnat_and_snat 172.70.0.13 10.70.3.13
ovn-nbctl lr-nat-add gw3 snat 172.70.0.14 10.70.4.0/24
ovn-nbctl lr-nat-add gw3 dnat_and_snat 172.70.0.14 10.70.4.14
ovn-nbctl lr-nat-add gw3 snat 172.70.0.15 10.70.5.0/24
ovn-nbctl lr-nat-add gw3 dnat_and_snat 172.70.0.15 10.70.5.15
ovn-nbctl lr-nat-add gw3 snat 172.70.0.16 10.70.6.0/24
ovn-nbctl lr-nat-add gw3 dnat 172.70.0.16 10.70.6.16
ovn-nbctl lr-nat-add gw3 snat 172.70.0.17 10.70.7.0/24
ovn-nbctl lr-nat-add gw3 dnat 172.70.0.17 10.70.7.17
