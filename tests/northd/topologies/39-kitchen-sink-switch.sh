# One switch with many features at once: port security, ACLs with logging, port group, address set, LB, DHCP, DNS, QoS, localnet, unknown, router.
ovn-nbctl meter-add log-meter drop 100 pktps
ovn-nbctl ls-add sink -- set Logical_Switch sink other_config:subnet=10.80.0.0/24 other_config:exclude_ips=10.80.0.1..10.80.0.20 \
  other_config:mcast_snoop=true
ovn-nbctl lsp-add sink s-vm1 -- lsp-set-addresses s-vm1 "50:54:00:00:80:11 10.80.0.21 fd00:80::21" \
  -- lsp-set-port-security s-vm1 "50:54:00:00:80:11 10.80.0.21 fd00:80::21"
ovn-nbctl lsp-add sink s-vm2 -- lsp-set-addresses s-vm2 dynamic
ovn-nbctl lsp-add sink s-vm3 -- lsp-set-addresses s-vm3 "50:54:00:00:80:13 10.80.0.23" unknown
ovn-nbctl lsp-add sink s-ln -- lsp-set-type s-ln localnet -- lsp-set-addresses s-ln unknown -- lsp-set-options s-ln network_name=physnet1 \
  -- set Logical_Switch_Port s-ln tag_request=80
ovn-nbctl lsp-add sink s-meta -- lsp-set-type s-meta localport -- lsp-set-addresses s-meta "50:54:00:00:80:02 10.80.0.2"
ovn-nbctl pg-add pg_sink s-vm1 s-vm2 s-vm3
ovn-nbctl create Address_Set name=as_sink_mgmt addresses='"10.250.0.0/24", "10.251.0.5"'
ovn-nbctl --log --name=sink-in --meter=log-meter acl-add pg_sink to-lport 1002 'outport == @pg_sink && ip4.src == $as_sink_mgmt' allow-related
ovn-nbctl acl-add pg_sink from-lport 1002 'inport == @pg_sink && ip4' allow-related
ovn-nbctl acl-add pg_sink to-lport 1001 'outport == @pg_sink && ip4.src == $pg_sink_ip4' allow-related
ovn-nbctl acl-add pg_sink to-lport 1000 'outport == @pg_sink && ip' drop
ovn-nbctl acl-add sink from-lport 2000 'inport == "s-vm3" && udp.dst == 67' allow-stateless
ovn-nbctl lb-add lb-sink 10.80.0.100:80 10.80.0.21:80,10.80.0.23:80 tcp -- ls-lb-add sink lb-sink
ovn-nbctl --id=@d create DHCP_Options cidr=10.80.0.0/24 options='"server_id"="10.80.0.1" "server_mac"="00:00:00:00:80:01" "lease_time"="3600" "router"="10.80.0.1"' \
  -- set Logical_Switch_Port s-vm1 dhcpv4_options=@d -- set Logical_Switch_Port s-vm2 dhcpv4_options=@d
ovn-nbctl --id=@dns create DNS records='"vm1.sink.example"="10.80.0.21 fd00:80::21"' -- add Logical_Switch sink dns_records @dns
ovn-nbctl qos-add sink from-lport 100 'inport == "s-vm1"' rate=100000 burst=10000 dscp=20
ovn-nbctl lr-add lr-sink -- lrp-add lr-sink lr-sink-p 00:00:00:00:80:01 10.80.0.1/24 fd00:80::1/64
ovn-nbctl lsp-add sink s-lr -- lsp-set-type s-lr router -- lsp-set-addresses s-lr router -- lsp-set-options s-lr router-port=lr-sink-p
