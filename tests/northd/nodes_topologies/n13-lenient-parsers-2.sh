# More values northd reads leniently. Force-SNAT IPs (extract_ip_address): trailing junk ignored ("172.51.0.100 junk"), explicit host prefixes accepted; refused values (two IPs of one family, a non-host prefix) are left out: ovn-northd 23.03.1 then uses freed memory (an SB transaction refused for ever, or a double-free abort). nat-addresses with junk after the MAC (extract_lsp_addresses only needs the MAC: written as is). Booleans read by smap_get_bool, case-insensitively ("TRUE", "FALSE", "no" is true with a true default): add_route (NAT, LB), reside-on-redirect-chassis, exclude-lb-vips-from-garp, dynamic_neigh_routers, always_learn_from_arp_request, ecmp_symmetric_reply (a lone route: no ECMP group), vlan-passthru, install_ls_lb_from_router. smap_get_int: snat-ct-zone "7 " and gateway_mtu "1400 ", "1300x" are none.
ovn-nbctl set NB_Global . options:install_ls_lb_from_router=TRUE
ovn-nbctl ls-add p1 -- lsp-add p1 ln1 -- lsp-set-type ln1 localnet -- lsp-set-addresses ln1 unknown -- lsp-set-options ln1 network_name=phys
ovn-nbctl lr-add g1 -- set Logical_Router g1 options:chassis=ch1 options:lb_force_snat_ip='"172.51.0.100 junk"' options:dnat_force_snat_ip='"172.51.0.101 fd51::101 junk"'
ovn-nbctl lrp-add g1 g1-p 00:00:00:00:51:01 172.51.0.1/24 fd51::1/64
ovn-nbctl lsp-add p1 p1-g1 -- lsp-set-type p1-g1 router -- lsp-set-addresses p1-g1 router -- lsp-set-options p1-g1 router-port=g1-p 'nat-addresses=00:00:00:00:51:99 172.51.0.99 junk'
ovn-nbctl lrp-add g1 g1-i 00:00:00:00:51:02 10.51.0.1/24
ovn-nbctl ls-add i1 -- lsp-add i1 i1-g1 -- lsp-set-type i1-g1 router -- lsp-set-addresses i1-g1 router -- lsp-set-options i1-g1 router-port=g1-i
ovn-nbctl lsp-add i1 vm1 -- lsp-set-addresses vm1 "00:00:00:00:51:10 10.51.0.10"
ovn-nbctl lb-add lb1 172.51.0.50:80 10.51.0.5:80 -- lr-lb-add g1 lb1
ovn-nbctl lr-nat-add g1 dnat_and_snat 172.51.0.20 10.51.0.20
ovn-nbctl --id=@r create Logical_Router_Static_Route ip_prefix=0.0.0.0/0 nexthop=172.51.0.254 options:ecmp_symmetric_reply=TRUE -- add Logical_Router g1 static_routes @r
ovn-nbctl lr-add g2 -- set Logical_Router g2 options:chassis=ch1
ovn-nbctl lrp-add g2 g2-p 00:00:00:00:52:01 172.51.0.2/24
ovn-nbctl lsp-add p1 p1-g2 -- lsp-set-type p1-g2 router -- lsp-set-addresses p1-g2 router -- lsp-set-options p1-g2 router-port=g2-p 'nat-addresses=00:00:00:00:52:99junk'
ovn-nbctl lb-add lb2 172.51.0.60:80 10.52.0.5:80 -- lr-lb-add g2 lb2
ovn-nbctl lr-nat-add g2 dnat_and_snat 172.51.0.21 10.52.0.21
ovn-nbctl lr-add g3 -- set Logical_Router g3 options:chassis=ch1 options:lb_force_snat_ip='"172.51.0.120/32 fd51::120"' options:dnat_force_snat_ip='"fd51::121/128 172.51.0.121/32"'
ovn-nbctl lrp-add g3 g3-p 00:00:00:00:53:01 172.51.0.3/24 fd51::3/64
ovn-nbctl lsp-add p1 p1-g3 -- lsp-set-type p1-g3 router -- lsp-set-addresses p1-g3 router -- lsp-set-options p1-g3 router-port=g3-p 'nat-addresses=00:00:00:00:53:99 172.51.0.98/24x'
ovn-nbctl lb-add lb3 172.51.0.70:80 10.53.0.5:80 -- lr-lb-add g3 lb3
ovn-nbctl lr-nat-add g3 dnat_and_snat 172.51.0.22 10.53.0.22
ovn-nbctl lr-add d1 -- set Logical_Router d1 options:dynamic_neigh_routers=TRUE options:always_learn_from_arp_request=FALSE options:snat-ct-zone='"7 "'
ovn-nbctl lrp-add d1 d1-p 00:00:00:00:54:01 172.51.0.4/24 -- lrp-set-gateway-chassis d1-p ch1 10
ovn-nbctl lsp-add p1 p1-d1 -- lsp-set-type p1-d1 router -- lsp-set-addresses p1-d1 router -- lsp-set-options p1-d1 router-port=d1-p nat-addresses=router exclude-lb-vips-from-garp=TRUE
ovn-nbctl lrp-add d1 d1-i 00:00:00:00:54:02 172.54.0.1/24 -- set Logical_Router_Port d1-i options:reside-on-redirect-chassis=TRUE
ovn-nbctl ls-add p4 -- set Logical_Switch p4 other_config:vlan-passthru=TRUE -- lsp-add p4 ln4 -- lsp-set-type ln4 localnet -- lsp-set-addresses ln4 unknown -- lsp-set-options ln4 network_name=phys
ovn-nbctl lsp-add p4 p4-d1 -- lsp-set-type p4-d1 router -- lsp-set-addresses p4-d1 router -- lsp-set-options p4-d1 router-port=d1-i
ovn-nbctl lsp-add p4 vm4 -- lsp-set-addresses vm4 "00:00:00:00:54:10 172.54.0.10"
ovn-nbctl --id=@n create NAT type=dnat_and_snat external_ip=172.51.0.40 logical_ip=172.54.0.40 options:add_route=TRUE -- add Logical_Router d1 nat @n
ovn-nbctl --id=@n create NAT type=dnat external_ip=172.51.0.41 logical_ip=172.54.0.41 options:add_route=True -- add Logical_Router d1 nat @n
ovn-nbctl lb-add lb4 172.51.0.80:80 172.54.0.5:80 -- set Load_Balancer lb4 options:add_route=TRUE -- lr-lb-add d1 lb4 -- ls-lb-add p4 lb4
ovn-nbctl set Logical_Router_Port g1-p options:gateway_mtu='"1400 "' -- set Logical_Router_Port d1-p options:gateway_mtu=1300x -- set Logical_Router g2 options:always_learn_from_arp_request=no
