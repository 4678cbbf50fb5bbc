# vtep ports, virtual ports with bad parents, dynamic MAC only, copp on DNS/DHCPv6/IGMP, disabled VIF with unknown, empty DNS records.
ovn-nbctl meter-add m1 drop 10 pktps
ovn-nbctl copp-add copp1 dns m1 -- copp-add copp1 dhcpv6-opts m1 -- copp-add copp1 igmp m1 -- copp-add copp1 svc-monitor m1
ovn-nbctl ls-add sw0 -- ls-copp-add copp1 sw0 -- set Logical_Switch sw0 other_config:mcast_snoop=true
ovn-nbctl lsp-add sw0 vm1 -- lsp-set-addresses vm1 "50:54:00:00:00:11 10.0.0.11 fd00::11"
ovn-nbctl lsp-add sw0 vm2 -- lsp-set-addresses vm2 unknown -- lsp-set-enabled vm2 disabled
ovn-nbctl lsp-add sw0 vip -- lsp-set-type vip virtual -- lsp-set-options vip virtual-ip=10.0.0.100 virtual-parents=vm1,nope,,vm3
ovn-nbctl ls-add sw1 -- lsp-add sw1 vm3 -- lsp-set-addresses vm3 "50:54:00:00:01:11 10.1.0.11"
ovn-nbctl --id=@d create DHCP_Options cidr='"fd00::/64"' options='"server_id"="00:00:00:00:00:06" "dhcpv6_stateless"="false" "domain_search"="a.org"' -- set Logical_Switch_Port vm1 dhcpv6_options=@d
ovn-nbctl --id=@dns create DNS external_ids:x=y -- add Logical_Switch sw1 dns_records @dns
ovn-nbctl --id=@dns create DNS records='"a.org"="10.0.0.11"' -- add Logical_Switch sw0 dns_records @dns
ovn-nbctl lsp-add sw0 vtep1 -- lsp-set-type vtep1 vtep -- lsp-set-options vtep1 vtep-physical-switch=br vtep-logical-switch=ls -- lsp-set-addresses vtep1 "50:54:00:00:00:99 10.0.0.99"
ovn-nbctl lsp-add sw0 c1 -- lsp-set-addresses c1 "50:54:00:00:00:21 10.0.0.21" -- set Logical_Switch_Port c1 parent_name=vm1 tag=10
ovn-nbctl lsp-add sw0 l2gw -- lsp-set-type l2gw l2gateway -- lsp-set-addresses l2gw "50:54:00:00:00:31 10.0.0.31" -- lsp-set-options l2gw l2gateway-chassis=c network_name=p
ovn-nbctl lsp-add sw0 rem -- lsp-set-type rem remote -- lsp-set-addresses rem "50:54:00:00:00:41 10.0.0.41" unknown
