# Rows several owners share or aggregate: an HA group on two external ports, fair meter copies for ACLs with and without log on a port group spanning two switches, port group address sets with dynamic and router addresses, an empty switch, a disabled router.
ovn-nbctl set NB_Global . options:mac_prefix=0a:88:00
ovn-nbctl --fair meter-add mf drop 50 pktps 5
ovn-nbctl meter-add ms drop 70 kbps
ovn-nbctl ls-add a -- set Logical_Switch a other_config:subnet=10.8.1.0/24
ovn-nbctl ls-add b
ovn-nbctl ls-add empty
ovn-nbctl lsp-add a a1 -- lsp-set-addresses a1 dynamic
ovn-nbctl lsp-add a a2 -- lsp-set-addresses a2 "50:54:00:00:81:02 10.8.1.30 fd08::2" "50:54:00:00:81:22 10.8.1.22"
ovn-nbctl lsp-add b b1 -- lsp-set-addresses b1 "50:54:00:00:82:01 10.8.2.1"
ovn-nbctl lsp-add b b2 -- lsp-set-addresses b2 unknown
ovn-nbctl lr-add r -- lrp-add r r-a 00:00:00:00:88:01 10.8.1.254/24
ovn-nbctl lsp-add a a-r -- lsp-set-type a-r router -- lsp-set-addresses a-r router -- lsp-set-options a-r router-port=r-a
ovn-nbctl pg-add pg1 a1 a2 b1 b2 a-r
ovn-nbctl pg-add pg2 b1
ovn-nbctl --log --meter=mf acl-add pg1 to-lport 1000 'ip4' allow-related
ovn-nbctl --meter=mf acl-add pg1 from-lport 1000 'ip4' allow-related
ovn-nbctl --log --meter=ms acl-add pg2 to-lport 900 'udp' drop
ovn-nbctl --log --meter=mf acl-add b to-lport 800 'tcp' drop
ovn-nbctl --id=@g create HA_Chassis_Group name=shared external_ids:owner=test \
  -- lsp-add b e1 -- lsp-set-type e1 external -- lsp-set-addresses e1 "50:54:00:00:82:11 10.8.2.11" \
  -- lsp-add b e2 -- lsp-set-type e2 external -- lsp-set-addresses e2 "50:54:00:00:82:12 10.8.2.12" \
  -- set Logical_Switch_Port e1 ha_chassis_group=@g -- set Logical_Switch_Port e2 ha_chassis_group=@g
ovn-nbctl ha-chassis-group-add-chassis shared hv1 10 -- ha-chassis-group-add-chassis shared hv2 20
ovn-nbctl lr-add off -- set Logical_Router off enabled=false -- lrp-add off off-b 00:00:00:00:88:02 10.8.2.254/24
ovn-nbctl lsp-add b b-off -- lsp-set-type b-off router -- lsp-set-addresses b-off router -- lsp-set-options b-off router-port=off-b
ovn-nbctl mirror-add mir gre 5 to-lport 1.2.3.4
ovn-nbctl --id=@m create Mirror name=mir2 filter=from-lport sink=1.2.3.5 type=erspan index=6 external_ids:k=v
