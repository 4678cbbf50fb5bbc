# Control plane protection: meters attached to ARP, ICMP, DHCP, IGMP, BFD, reject, ... on a switch and a router.
ovn-nbctl meter-add meter-arp drop 100 pktps 10
ovn-nbctl meter-add meter-icmp drop 50 pktps
ovn-nbctl meter-add meter-dhcp drop 20 pktps
ovn-nbctl meter-add meter-misc drop 200 kbps 100
ovn-nbctl copp-add copp-ls arp meter-arp -- copp-add copp-ls dhcpv4-opts meter-dhcp -- copp-add copp-ls reject meter-misc \
  -- copp-add copp-ls igmp meter-misc -- copp-add copp-ls svc-monitor meter-misc -- copp-add copp-ls dns meter-misc
ovn-nbctl copp-add copp-lr arp-resolve meter-arp -- copp-add copp-lr icmp4-error meter-icmp -- copp-add copp-lr icmp6-error meter-icmp \
  -- copp-add copp-lr nd-ns-resolve meter-arp -- copp-add copp-lr tcp-reset meter-misc -- copp-add copp-lr event-elb meter-misc \
  -- copp-add copp-lr bfd meter-misc
ovn-nbctl ls-add sw0 -- ls-copp-add copp-ls sw0
ovn-nbctl lsp-add sw0 vm1 -- lsp-set-addresses vm1 "50:54:00:00:00:11 10.0.0.11"
ovn-nbctl --id=@d create DHCP_Options cidr=10.0.0.0/24 options='"server_id"="10.0.0.1" "server_mac"="00:00:00:00:ff:01" "lease_time"="3600" "router"="10.0.0.1"' \
  -- set Logical_Switch_Port vm1 dhcpv4_options=@d
ovn-nbctl acl-add sw0 to-lport 1000 'tcp.dst == 25' reject
ovn-nbctl lr-add lr0 -- lr-copp-add copp-lr lr0
ovn-nbctl lrp-add lr0 lr0-sw0 00:00:00:00:ff:01 10.0.0.1/24 fd00::1/64
ovn-nbctl lsp-add sw0 sw0-lr0 -- lsp-set-type sw0-lr0 router -- lsp-set-addresses sw0-lr0 router -- lsp-set-options sw0-lr0 router-port=lr0-sw0
