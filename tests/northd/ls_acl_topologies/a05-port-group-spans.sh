# Port groups across switches: a group with ports on two switches, one with ACLs and no ports, one with ports and no ACLs, an ACL both on a switch and its group.
ovn-nbctl ls-add a -- ls-add b -- ls-add c
ovn-nbctl lsp-add a a1 -- lsp-set-addresses a1 "50:54:00:00:08:01 10.10.0.11"
ovn-nbctl lsp-add b b1 -- lsp-set-addresses b1 "50:54:00:00:08:02 10.10.1.11"
ovn-nbctl lsp-add c c1 -- lsp-set-addresses c1 "50:54:00:00:08:03 10.10.2.11"
ovn-nbctl pg-add pg_ab a1 b1
ovn-nbctl pg-add pg_none
ovn-nbctl pg-add pg_c c1
ovn-nbctl acl-add pg_ab to-lport 1000 'outport == @pg_ab && tcp.dst == 22' allow-related
ovn-nbctl acl-add pg_ab from-lport 1000 'inport == @pg_ab && ip' drop
ovn-nbctl acl-add pg_none to-lport 1000 'outport == @pg_none' drop
ovn-nbctl --id=@a create ACL direction=from-lport priority=1200 match='"inport == @pg_ab && udp"' action=drop -- add Port_Group pg_ab acls @a -- add Logical_Switch c acls @a
