# A gateway router (options:chassis) behind a join switch: SNAT, DNAT, dnat_and_snat, lb_force_snat_ip.
ovn-nbctl lr-add lr-dist
ovn-nbctl lrp-add lr-dist lr-dist-inside 00:00:00:00:10:01 10.0.1.1/24
ovn-nbctl lrp-add lr-dist lr-dist-join 00:00:00:00:10:02 100.64.0.1/24
ovn-nbctl ls-add inside -- lsp-add inside inside-lr -- lsp-set-type inside-lr router -- lsp-set-addresses inside-lr router -- lsp-set-options inside-lr router-port=lr-dist-inside
ovn-nbctl lsp-add inside vm1 -- lsp-set-addresses vm1 "50:54:00:00:01:11 10.0.1.11"
ovn-nbctl lsp-add inside vm2 -- lsp-set-addresses vm2 "50:54:00:00:01:12 10.0.1.12"
ovn-nbctl lr-add gw-router -- set Logical_Router gw-router options:chassis=gw-chassis-1 options:lb_force_snat_ip=router_ip
ovn-nbctl lrp-add gw-router gw-join 00:00:00:00:20:01 100.64.0.2/24
ovn-nbctl lrp-add gw-router gw-outside 00:00:00:00:20:02 172.16.1.2/24
ovn-nbctl ls-add join -- lsp-add join join-dist -- lsp-set-type join-dist router -- lsp-set-addresses join-dist router -- lsp-set-options join-dist router-port=lr-dist-join
ovn-nbctl lsp-add join join-gw -- lsp-set-type join-gw router -- lsp-set-addresses join-gw router -- lsp-set-options join-gw router-port=gw-join
ovn-nbctl ls-add outside -- lsp-add outside outside-gw -- lsp-set-type outside-gw router -- lsp-set-addresses outside-gw router -- lsp-set-options outside-gw router-port=gw-outside
ovn-nbctl lsp-add outside outside-ln -- lsp-set-type outside-ln localnet -- lsp-set-addresses outside-ln unknown -- lsp-set-options outside-ln network_name=physnet1
ovn-nbctl lr-route-add lr-dist 0.0.0.0/0 100.64.0.2
ovn-nbctl lr-route-add gw-router 10.0.1.0/24 100.64.0.1
ovn-nbctl lr-route-add gw-router 0.0.0.0/0 172.16.1.254
ovn-nbctl lr-nat-add gw-router snat 172.16.1.2 10.0.1.0/24
ovn-nbctl lr-nat-add gw-router dnat 172.16.1.10 10.0.1.11
ovn-nbctl lr-nat-add gw-router dnat_and_snat 172.16.1.12 10.0.1.12
# ECMP with symmetric replies on the gateway router (the reply port's tunnel key goes into ct_label).
ovn-nbctl --ecmp-symmetric-reply lr-route-add gw-router 198.51.100.0/24 172.16.1.253
ovn-nbctl --ecmp-symmetric-reply lr-route-add gw-router 198.51.100.0/24 172.16.1.252
