# An IPv6 (dual-stack) router with Router Advertisements: SLAAC, DHCPv6 stateful and stateless, periodic RAs, MTU, RDNSS.
ovn-nbctl lr-add lr6
ovn-nbctl lrp-add lr6 lr6-slaac 00:00:00:00:06:01 fd00:61::1/64 10.61.0.1/24 \
  -- set Logical_Router_Port lr6-slaac ipv6_ra_configs:address_mode=slaac ipv6_ra_configs:send_periodic=true \
     ipv6_ra_configs:max_interval=60 ipv6_ra_configs:min_interval=20 ipv6_ra_configs:mtu=1400 \
     ipv6_ra_configs:rdnss=fd00:61::53 ipv6_ra_configs:dnssl=example.org
ovn-nbctl lrp-add lr6 lr6-stateful 00:00:00:00:06:02 fd00:62::1/64 \
  -- set Logical_Router_Port lr6-stateful ipv6_ra_configs:address_mode=dhcpv6_stateful \
     ipv6_ra_configs:router_preference=HIGH ipv6_prefix='"fd00:62::/64"'
ovn-nbctl lrp-add lr6 lr6-stateless 00:00:00:00:06:03 fd00:63::1/64 \
  -- set Logical_Router_Port lr6-stateless ipv6_ra_configs:address_mode=dhcpv6_stateless ipv6_ra_configs:route_info=HIGH-fd00:99::/64
ovn-nbctl ls-add sw61 -- ls-add sw62 -- ls-add sw63
ovn-nbctl lsp-add sw61 sw61-lr6 -- lsp-set-type sw61-lr6 router -- lsp-set-addresses sw61-lr6 router -- lsp-set-options sw61-lr6 router-port=lr6-slaac
ovn-nbctl lsp-add sw62 sw62-lr6 -- lsp-set-type sw62-lr6 router -- lsp-set-addresses sw62-lr6 router -- lsp-set-options sw62-lr6 router-port=lr6-stateful
ovn-nbctl lsp-add sw63 sw63-lr6 -- lsp-set-type sw63-lr6 router -- lsp-set-addresses sw63-lr6 router -- lsp-set-options sw63-lr6 router-port=lr6-stateless
ovn-nbctl lsp-add sw61 vm61 -- lsp-set-addresses vm61 "50:54:00:00:61:11 10.61.0.11 fd00:61::5054:ff:fe00:6111"
ovn-nbctl lsp-add sw62 vm62 -- lsp-set-addresses vm62 "50:54:00:00:62:11 fd00:62::11"
ovn-nbctl lsp-add sw63 vm63 -- lsp-set-addresses vm63 "50:54:00:00:63:11 fd00:63::5054:ff:fe00:6311"
ovn-nbctl lr-route-add lr6 ::/0 fd00:61::fe
