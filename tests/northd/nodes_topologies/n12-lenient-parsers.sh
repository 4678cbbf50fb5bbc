# Values northd reads leniently: NAT external IPs with trailing junk (extract_ip_addresses stops at the bad word and keeps the IP for nat_entries, ip_parse_masked rejects the rule), a router with options:chassis="" (a gateway router: northd only checks that the option is present), ipv6_ra_configs:mtu with trailing junk (atoi for put_nd_ra_opts, smap_get_int for the periodic RA options).
ovn-nbctl lr-add gw -- set Logical_Router gw options:chassis=ch1
ovn-nbctl lrp-add gw gw-p 00:00:00:00:50:01 172.50.0.1/24
ovn-nbctl ls-add pub -- lsp-add pub pub-gw -- lsp-set-type pub-gw router -- lsp-set-addresses pub-gw router -- lsp-set-options pub-gw router-port=gw-p nat-addresses=router
ovn-nbctl lsp-add pub ln -- lsp-set-type ln localnet -- lsp-set-addresses ln unknown -- lsp-set-options ln network_name=phys
ovn-nbctl --id=@n create NAT type=dnat_and_snat external_ip='"172.50.0.20 junk"' logical_ip=10.50.0.20 -- add Logical_Router gw nat @n
ovn-nbctl --id=@n create NAT type=snat external_ip='"172.50.0.21 junk"' logical_ip=10.50.0.0/24 -- add Logical_Router gw nat @n
ovn-nbctl lr-nat-add gw dnat_and_snat 172.50.0.22 10.50.0.22
ovn-nbctl --id=@n create NAT type=dnat external_ip='"172.50.0.23x"' logical_ip=10.50.0.23 -- add Logical_Router gw nat @n
ovn-nbctl lr-add d
ovn-nbctl lrp-add d d-a 00:00:00:00:60:01 172.60.1.1/24 -- lrp-set-gateway-chassis d-a ch1 10
ovn-nbctl lsp-add pub pub-d -- lsp-set-type pub-d router -- lsp-set-addresses pub-d router -- lsp-set-options pub-d router-port=d-a nat-addresses=router
ovn-nbctl --id=@n create NAT type=dnat_and_snat external_ip='"172.60.1.10 junk"' logical_ip=10.60.0.10 -- add Logical_Router d nat @n
ovn-nbctl --id=@n create NAT type=dnat external_ip='"172.60.1.11 10.9.9.9"' logical_ip=10.60.0.11 -- add Logical_Router d nat @n
ovn-nbctl lr-add e -- set Logical_Router e options:chassis='""'
ovn-nbctl lrp-add e e-p 00:00:00:00:70:01 172.50.0.3/24
ovn-nbctl lsp-add pub pub-e -- lsp-set-type pub-e router -- lsp-set-addresses pub-e router -- lsp-set-options pub-e router-port=e-p
ovn-nbctl lrp-add e e-i 00:00:00:00:70:02 10.70.0.1/24
ovn-nbctl ls-add in-e -- lsp-add in-e in-e-r -- lsp-set-type in-e-r router -- lsp-set-addresses in-e-r router -- lsp-set-options in-e-r router-port=e-i
ovn-nbctl lr-nat-add e snat 172.50.0.3 10.70.0.0/24
ovn-nbctl lb-add lbe 172.50.0.30:80 10.70.0.5:80 -- lr-lb-add e lbe
ovn-nbctl lr-route-add e 0.0.0.0/0 172.50.0.1
ovn-nbctl lr-add r6
ovn-nbctl lrp-add r6 r6-a 00:00:00:00:80:01 fd80:a::1/64 -- set Logical_Router_Port r6-a ipv6_ra_configs:address_mode=slaac ipv6_ra_configs:send_periodic=true ipv6_ra_configs:mtu=1400abc
ovn-nbctl lrp-add r6 r6-b 00:00:00:00:80:02 fd80:b::1/64 -- set Logical_Router_Port r6-b ipv6_ra_configs:address_mode=slaac ipv6_ra_configs:send_periodic=true ipv6_ra_configs:mtu='" 1500"'
ovn-nbctl lrp-add r6 r6-c 00:00:00:00:80:03 fd80:c::1/64 -- set Logical_Router_Port r6-c ipv6_ra_configs:address_mode=dhcpv6_stateless ipv6_ra_configs:send_periodic=true ipv6_ra_configs:mtu='"1300 "'
ovn-nbctl lrp-add r6 r6-d 00:00:00:00:80:04 fd80:d::1/64 -- set Logical_Router_Port r6-d ipv6_ra_configs:address_mode=slaac ipv6_ra_configs:send_periodic=true ipv6_ra_configs:mtu=1_400 ipv6_ra_configs:max_interval=700x
ovn-nbctl ls-add s6a -- lsp-add s6a s6a-r -- lsp-set-type s6a-r router -- lsp-set-addresses s6a-r router -- lsp-set-options s6a-r router-port=r6-a
ovn-nbctl ls-add s6b -- lsp-add s6b s6b-r -- lsp-set-type s6b-r router -- lsp-set-addresses s6b-r router -- lsp-set-options s6b-r router-port=r6-b
ovn-nbctl ls-add s6c -- lsp-add s6c s6c-r -- lsp-set-type s6c-r router -- lsp-set-addresses s6c-r router -- lsp-set-options s6c-r router-port=r6-c
ovn-nbctl ls-add s6d -- lsp-add s6d s6d-r -- lsp-set-type s6d-r router -- lsp-set-addresses s6d-r router -- lsp-set-options s6d-r router-port=r6-d
