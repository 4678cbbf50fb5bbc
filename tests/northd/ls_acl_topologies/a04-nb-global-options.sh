# NB_Global options that change the ACL stages: default_acl_drop, use_ct_inv_match=false, debug drop sampling.
ovn-nbctl set NB_Global . options:default_acl_drop=true options:use_ct_inv_match=false options:debug_drop_collector_set=7 options:debug_drop_domain_id=3
ovn-nbctl ls-add sw -- lsp-add sw v1 -- lsp-set-addresses v1 "50:54:00:00:07:01 10.9.0.11"
ovn-nbctl acl-add sw to-lport 1000 'tcp.dst == 80' allow-related
ovn-nbctl acl-add sw from-lport 1000 'tcp.dst == 22' drop
ovn-nbctl acl-add sw from-lport 900 'tcp.dst == 23' reject
ovn-nbctl --id=@a create ACL direction=to-lport priority=500 match='"tcp.dst == 443"' action=allow-related \
  log=true label=1001 options:log-related=true -- add Logical_Switch sw acls @a
ovn-nbctl ls-add sw2 -- lsp-add sw2 v2 -- lsp-set-addresses v2 "50:54:00:00:07:02 10.9.1.11"
ovn-nbctl acl-add sw2 from-lport 1000 'tcp.dst == 22' drop
ovn-nbctl ls-add sw3 -- lsp-add sw3 v3 -- lsp-set-addresses v3 "50:54:00:00:07:03 10.9.2.11"
ovn-nbctl lb-add lb3 10.9.2.100:80 10.9.2.11:80 tcp -- ls-lb-add sw3 lb3
ovn-nbctl ls-add sw4 -- lsp-add sw4 v4 -- lsp-set-addresses v4 "50:54:00:00:07:04 10.9.3.11"
ovn-nbctl --id=@dns create DNS records='"a.org"="10.8.0.11"' -- add Logical_Switch sw4 dns_records @dns
