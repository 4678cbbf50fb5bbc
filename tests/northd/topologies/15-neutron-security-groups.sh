# The Neutron security-group shape: per-SG port group with egress allow-related, ingress ICMP and SSH, and the neutron_pg_drop default-drop group.
ovn-nbctl ls-add neutron-5f3a4a5e-1d2b-4c3d-9e8f-0a1b2c3d4e5f -- set Logical_Switch neutron-5f3a4a5e-1d2b-4c3d-9e8f-0a1b2c3d4e5f \
  external_ids:neutron\\:network_name=private other_config:mcast_snoop=false other_config:mcast_flood_unregistered=false
ovn-nbctl lsp-add neutron-5f3a4a5e-1d2b-4c3d-9e8f-0a1b2c3d4e5f 3b0f1a6e-7c1d-4f22-a8b1-5d0c9e2f7a11 \
  -- lsp-set-addresses 3b0f1a6e-7c1d-4f22-a8b1-5d0c9e2f7a11 "fa:16:3e:6b:7c:01 10.0.0.27 fd5a:6d3b:ae15::f816:3eff:fe6b:7c01" \
  -- lsp-set-port-security 3b0f1a6e-7c1d-4f22-a8b1-5d0c9e2f7a11 "fa:16:3e:6b:7c:01 10.0.0.27 fd5a:6d3b:ae15::f816:3eff:fe6b:7c01" \
  -- set Logical_Switch_Port 3b0f1a6e-7c1d-4f22-a8b1-5d0c9e2f7a11 external_ids:neutron\\:device_owner=compute\\:nova \
     external_ids:neutron\\:security_group_ids=8f3b9a2c-0d4e-4a5f-b6c7-d8e9f0a1b2c3
ovn-nbctl lsp-add neutron-5f3a4a5e-1d2b-4c3d-9e8f-0a1b2c3d4e5f 9d2e4c1a-5b6f-4e7a-8c9d-0e1f2a3b4c5d \
  -- lsp-set-addresses 9d2e4c1a-5b6f-4e7a-8c9d-0e1f2a3b4c5d "fa:16:3e:6b:7c:02 10.0.0.33" \
  -- lsp-set-port-security 9d2e4c1a-5b6f-4e7a-8c9d-0e1f2a3b4c5d "fa:16:3e:6b:7c:02 10.0.0.33"
ovn-nbctl lsp-add neutron-5f3a4a5e-1d2b-4c3d-9e8f-0a1b2c3d4e5f 1c7a9e3b-2d4f-4a6c-8e0b-1d3f5a7c9e0b \
  -- lsp-set-type 1c7a9e3b-2d4f-4a6c-8e0b-1d3f5a7c9e0b localport \
  -- lsp-set-addresses 1c7a9e3b-2d4f-4a6c-8e0b-1d3f5a7c9e0b "fa:16:3e:6b:7c:ff 10.0.0.2"
ovn-nbctl pg-add pg_8f3b9a2c_0d4e_4a5f_b6c7_d8e9f0a1b2c3 3b0f1a6e-7c1d-4f22-a8b1-5d0c9e2f7a11 9d2e4c1a-5b6f-4e7a-8c9d-0e1f2a3b4c5d \
  -- set Port_Group pg_8f3b9a2c_0d4e_4a5f_b6c7_d8e9f0a1b2c3 external_ids:neutron\\:security_group_id=8f3b9a2c-0d4e-4a5f-b6c7-d8e9f0a1b2c3
ovn-nbctl pg-add neutron_pg_drop 3b0f1a6e-7c1d-4f22-a8b1-5d0c9e2f7a11 9d2e4c1a-5b6f-4e7a-8c9d-0e1f2a3b4c5d
ovn-nbctl acl-add neutron_pg_drop from-lport 1001 'inport == @neutron_pg_drop && ip' drop
ovn-nbctl acl-add neutron_pg_drop to-lport 1001 'outport == @neutron_pg_drop && ip' drop
ovn-nbctl acl-add pg_8f3b9a2c_0d4e_4a5f_b6c7_d8e9f0a1b2c3 from-lport 1002 'inport == @pg_8f3b9a2c_0d4e_4a5f_b6c7_d8e9f0a1b2c3 && ip4' allow-related
ovn-nbctl acl-add pg_8f3b9a2c_0d4e_4a5f_b6c7_d8e9f0a1b2c3 from-lport 1002 'inport == @pg_8f3b9a2c_0d4e_4a5f_b6c7_d8e9f0a1b2c3 && ip6' allow-related
ovn-nbctl acl-add pg_8f3b9a2c_0d4e_4a5f_b6c7_d8e9f0a1b2c3 to-lport 1002 'outport == @pg_8f3b9a2c_0d4e_4a5f_b6c7_d8e9f0a1b2c3 && ip4 && ip4.src == 0.0.0.0/0 && icmp4' allow-related
ovn-nbctl acl-add pg_8f3b9a2c_0d4e_4a5f_b6c7_d8e9f0a1b2c3 to-lport 1002 'outport == @pg_8f3b9a2c_0d4e_4a5f_b6c7_d8e9f0a1b2c3 && ip4 && ip4.src == 0.0.0.0/0 && tcp && tcp.dst == 22' allow-related
ovn-nbctl acl-add pg_8f3b9a2c_0d4e_4a5f_b6c7_d8e9f0a1b2c3 to-lport 1002 'outport == @pg_8f3b9a2c_0d4e_4a5f_b6c7_d8e9f0a1b2c3 && ip4 && ip4.src == $pg_8f3b9a2c_0d4e_4a5f_b6c7_d8e9f0a1b2c3_ip4' allow-related
