# Labels on every action, log-related on a stateless switch, ACL names that need quoting, severities.
ovn-nbctl ls-add s1 -- lsp-add s1 p1 -- lsp-set-addresses p1 "50:54:00:00:0a:01 10.12.0.11"
ovn-nbctl --id=@a create ACL direction=to-lport priority=100 match='"tcp.dst == 80"' action=allow \
  log=true label=7 options:log-related=true -- add Logical_Switch s1 acls @a
ovn-nbctl --id=@a create ACL direction=from-lport priority=100 match='"udp"' action=allow-stateless label=8 -- add Logical_Switch s1 acls @a
ovn-nbctl --id=@a create ACL direction=from-lport priority=90 match='"icmp4"' action=drop label=9 -- add Logical_Switch s1 acls @a
ovn-nbctl --id=@a create ACL direction=to-lport priority=90 match='"icmp6"' action=reject label=10 log=true \
  'name="we \"quote\" \\ back"' severity=notice -- add Logical_Switch s1 acls @a
ovn-nbctl ls-add s2 -- lsp-add s2 p2 -- lsp-set-addresses p2 "50:54:00:00:0a:02 10.12.1.11"
ovn-nbctl --id=@a create ACL direction=from-lport priority=100 match='"udp"' action=allow-stateless label=11 log=true severity=alert -- add Logical_Switch s2 acls @a
ovn-nbctl --id=@a create ACL direction=from-lport priority=90 match='"icmp4"' action=drop label=12 -- add Logical_Switch s2 acls @a
ovn-nbctl --id=@a create ACL direction=to-lport priority=90 match='"icmp6"' action=reject label=13 -- add Logical_Switch s2 acls @a
ovn-nbctl --label=14 acl-add s2 to-lport 80 'tcp' allow-related
ovn-nbctl --id=@a create ACL direction=to-lport priority=70 match='"sctp"' action=allow-related \
  log=true label=0 options:log-related=true -- add Logical_Switch s2 acls @a
ovn-nbctl --id=@a create ACL direction=to-lport priority=71 match='"sctp"' action=allow-related \
  log=true label=15 options:log-related=yes -- add Logical_Switch s2 acls @a
ovn-nbctl --id=@a create ACL direction=from-lport priority=72 match='"sctp"' action=allow-stateless \
  log=true label=16 options:log-related=true -- add Logical_Switch s2 acls @a
ovn-nbctl --id=@a create ACL direction=from-lport priority=73 match='"sctp"' action=allow-related \
  log=true label=17 options:log-related=true options:apply-after-lb=yes -- add Logical_Switch s2 acls @a
ovn-nbctl --id=@a create ACL direction=from-lport priority=74 match='"sctp"' action=drop \
  log=true label=18 options:log-related=true -- add Logical_Switch s2 acls @a
