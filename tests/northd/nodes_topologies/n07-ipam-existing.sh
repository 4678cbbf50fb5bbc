# IPAM against existing dynamic_addresses: kept, re-assigned (outside the subnet, foreign MAC prefix, stale IPv6), cleared; tags already allocated.
ovn-nbctl set NB_Global . options:mac_prefix=0a:11:22
ovn-nbctl ls-add sw0 -- set Logical_Switch sw0 other_config:subnet=10.7.0.0/24 other_config:ipv6_prefix=fd07:: \
  other_config:exclude_ips="10.7.0.2..10.7.0.5 10.7.0.9"
ovn-nbctl lsp-add sw0 keep -- lsp-set-addresses keep dynamic \
  -- set Logical_Switch_Port keep dynamic_addresses='"0a:11:22:07:00:0b 10.7.0.10 fd07::811:22ff:fe07:b"'
ovn-nbctl lsp-add sw0 outside -- lsp-set-addresses outside dynamic \
  -- set Logical_Switch_Port outside dynamic_addresses='"0a:11:22:08:00:0b 10.8.0.10 fd07::811:22ff:fe08:b"'
ovn-nbctl lsp-add sw0 foreign -- lsp-set-addresses foreign dynamic \
  -- set Logical_Switch_Port foreign dynamic_addresses='"0e:00:00:07:00:0c 10.7.0.11 fd07::c00:ff:fe07:c"'
ovn-nbctl lsp-add sw0 stale6 -- lsp-set-addresses stale6 dynamic \
  -- set Logical_Switch_Port stale6 dynamic_addresses='"0a:11:22:07:00:0d 10.7.0.12 fd99::1"'
ovn-nbctl lsp-add sw0 nomore -- lsp-set-addresses nomore "50:54:00:00:07:01 10.7.0.20" \
  -- set Logical_Switch_Port nomore dynamic_addresses='"0a:11:22:07:00:15 10.7.0.21"'
ovn-nbctl lsp-add sw0 fixedip -- lsp-set-addresses fixedip "dynamic 10.7.0.30" \
  -- set Logical_Switch_Port fixedip dynamic_addresses='"0a:11:22:07:00:10 10.7.0.15 fd07::811:22ff:fe07:10"'
ovn-nbctl lsp-add sw0 fixedmac -- lsp-set-addresses fixedmac "0a:00:00:00:00:77 dynamic" \
  -- set Logical_Switch_Port fixedmac dynamic_addresses='"0a:11:22:07:00:11 10.7.0.16 fd07::811:22ff:fe07:11"'
ovn-nbctl lsp-add sw0 fresh1 -- lsp-set-addresses fresh1 dynamic
ovn-nbctl lsp-add sw0 fresh2 -- lsp-set-addresses fresh2 "dynamic fd07::99"
ovn-nbctl ls-add sw1
ovn-nbctl lsp-add sw1 noipam -- lsp-set-addresses noipam dynamic \
  -- set Logical_Switch_Port noipam dynamic_addresses='"0a:11:22:00:00:01"'
ovn-nbctl lsp-add sw1 parent -- lsp-set-addresses parent "50:54:00:00:17:01"
ovn-nbctl lsp-add sw1 kid1 parent 0 -- set Logical_Switch_Port kid1 tag=5
ovn-nbctl lsp-add sw1 kid2 parent 0
ovn-nbctl lsp-add sw1 kid3 parent 0
ovn-nbctl lsp-add sw1 kid4 parent 7
ovn-nbctl lsp-add sw1 kid5 parent 3 -- set Logical_Switch_Port kid5 tag=9
ovn-nbctl ls-add sw2 -- set Logical_Switch sw2 other_config:mac_only=true
ovn-nbctl lsp-add sw2 m1 -- lsp-set-addresses m1 dynamic
ovn-nbctl lsp-add sw2 m2 -- lsp-set-addresses m2 dynamic -- set Logical_Switch_Port m2 dynamic_addresses='"0a:11:22:00:00:01 10.9.9.9"'
