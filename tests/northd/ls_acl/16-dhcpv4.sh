# DHCPv4 options on ports (server_id, router, lease, DNS, MTU, classless routes, domain), one port without.
ovn-nbctl ls-add sw0 -- set Logical_Switch sw0 other_config:subnet=192.168.0.0/24
ovn-nbctl --id=@d create DHCP_Options cidr=192.168.0.0/24 \
  options='"server_id"="192.168.0.1" "server_mac"="c0:ff:ee:00:00:01" "lease_time"="43200" "router"="192.168.0.1" "dns_server"="{8.8.8.8, 1.1.1.1}" "mtu"="1442" "domain_name"="\"openstack.example\"" "classless_static_route"="{169.254.169.254/32,192.168.0.2, 0.0.0.0/0,192.168.0.1}"' \
  -- lsp-add sw0 sw0-port1 -- lsp-set-addresses sw0-port1 "50:54:00:00:00:01 192.168.0.11" \
  -- set Logical_Switch_Port sw0-port1 dhcpv4_options=@d \
  -- lsp-add sw0 sw0-port2 -- lsp-set-addresses sw0-port2 "50:54:00:00:00:02 192.168.0.12" \
  -- set Logical_Switch_Port sw0-port2 dhcpv4_options=@d
ovn-nbctl lsp-add sw0 sw0-port3 -- lsp-set-addresses sw0-port3 "50:54:00:00:00:03 192.168.0.13"
# A port whose address is outside the DHCP cidr gets no DHCP flows.
ovn-nbctl --id=@d create DHCP_Options cidr=10.99.0.0/24 options='"server_id"="10.99.0.1" "server_mac"="c0:ff:ee:00:00:99" "lease_time"="3600"' \
  -- lsp-add sw0 sw0-port4 -- lsp-set-addresses sw0-port4 "50:54:00:00:00:04 192.168.0.14" \
  -- set Logical_Switch_Port sw0-port4 dhcpv4_options=@d
