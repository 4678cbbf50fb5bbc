# nat_addresses and ARP steering of NAT external IPs as northd reads them: IPv6 NAT IPs left out of nat_addresses, an IP with a zero-padded octet kept as written, two gateway ports (a rule belongs to the one whose network holds its IP); mcast_querier/mcast_snoop spelled yes/TRUE/False (smap_get_bool).
ovn-nbctl lr-add gw -- set Logical_Router gw options:chassis=ch1
ovn-nbctl lrp-add gw gw-p 00:00:00:00:50:01 172.50.0.1/24 fd50::1/64
ovn-nbctl ls-add pub -- lsp-add pub pub-gw -- lsp-set-type pub-gw router -- lsp-set-addresses pub-gw router -- lsp-set-options pub-gw router-port=gw-p nat-addresses=router
ovn-nbctl lsp-add pub ln -- lsp-set-type ln localnet -- lsp-set-addresses ln unknown -- lsp-set-options ln network_name=phys
ovn-nbctl lr-nat-add gw dnat_and_snat fd50::10 fd51::10
ovn-nbctl lr-nat-add gw dnat_and_snat 172.50.0.10 10.50.0.10
ovn-nbctl --id=@n create NAT type=dnat_and_snat external_ip='"172.50.0.011"' logical_ip=10.50.0.11 -- add Logical_Router gw nat @n
ovn-nbctl lb-add lb0 172.50.0.10:80 10.50.0.10:80 -- lr-lb-add gw lb0
ovn-nbctl lr-add d
ovn-nbctl lrp-add d d-a 00:00:00:00:60:01 172.60.1.1/24 -- lrp-set-gateway-chassis d-a ch1 10
ovn-nbctl lrp-add d d-b 00:00:00:00:60:02 172.60.2.1/24 -- lrp-set-gateway-chassis d-b ch2 10
ovn-nbctl ls-add pa -- lsp-add pa pa-d -- lsp-set-type pa-d router -- lsp-set-addresses pa-d router -- lsp-set-options pa-d router-port=d-a nat-addresses=router
ovn-nbctl ls-add pb -- lsp-add pb pb-d -- lsp-set-type pb-d router -- lsp-set-addresses pb-d router -- lsp-set-options pb-d router-port=d-b nat-addresses=router
ovn-nbctl lr-nat-add d dnat_and_snat 172.60.1.10 10.60.0.10
ovn-nbctl lr-nat-add d dnat_and_snat 172.60.2.10 10.60.0.11
ovn-nbctl --id=@n create NAT type=dnat_and_snat external_ip=172.99.0.10 logical_ip=10.60.0.12 -- add Logical_Router d nat @n
ovn-nbctl ls-add m0 -- set Logical_Switch m0 other_config:mcast_snoop=true other_config:mcast_querier=yes
ovn-nbctl ls-add m1 -- set Logical_Switch m1 other_config:mcast_snoop=TRUE other_config:mcast_querier=False
