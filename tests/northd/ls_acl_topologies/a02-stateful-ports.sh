# A stateful switch with router ports (one peered, one not), localnet ports, allow with label, reject with copp meter, and log-related with a label.
ovn-nbctl meter-add rm drop 5 pktps
ovn-nbctl meter-add lm drop 50 pktps
ovn-nbctl copp-add cp reject rm
ovn-nbctl ls-add sw -- ls-copp-add cp sw
ovn-nbctl lsp-add sw v1 -- lsp-set-addresses v1 "50:54:00:00:05:01 10.5.0.11"
ovn-nbctl lsp-add sw v2 -- lsp-set-addresses v2 "50:54:00:00:05:02 10.5.0.12"
ovn-nbctl lsp-add sw ln -- lsp-set-type ln localnet -- lsp-set-addresses ln unknown -- lsp-set-options ln network_name=phys
ovn-nbctl lr-add r -- lrp-add r r-sw 00:00:00:00:05:ff 10.5.0.1/24
ovn-nbctl lsp-add sw swr -- lsp-set-type swr router -- lsp-set-addresses swr router -- lsp-set-options swr router-port=r-sw
ovn-nbctl lsp-add sw swr2 -- lsp-set-type swr2 router -- lsp-set-addresses swr2 router -- lsp-set-options swr2 router-port=missing
ovn-nbctl --label=42 acl-add sw to-lport 1000 'tcp.dst == 80' allow
ovn-nbctl acl-add sw from-lport 1000 'tcp.dst == 8080' allow
ovn-nbctl acl-add sw to-lport 900 'tcp.dst == 23' reject
ovn-nbctl acl-add sw from-lport 900 'udp.dst == 69' reject
ovn-nbctl --log --name=fwd --severity=debug acl-add sw from-lport 800 'udp.dst == 70' reject
ovn-nbctl --log --meter=nope acl-add sw from-lport 700 'udp.dst == 71' drop
ovn-nbctl --log --severity=warning acl-add sw to-lport 700 'udp.dst == 72' allow-stateless
ovn-nbctl --log --name=wlbl --label=9 acl-add sw from-lport 600 'udp.dst == 73' allow
ovn-nbctl --id=@a create ACL direction=to-lport priority=500 match='"tcp.dst == 443"' action=allow-related \
  log=true name=lr label=1001 meter=lm options:log-related=true -- add Logical_Switch sw acls @a
ovn-nbctl --id=@a create ACL direction=from-lport priority=500 match='"tcp.dst == 444"' action=allow-related \
  log=true label=1002 options:log-related=true options:apply-after-lb=true -- add Logical_Switch sw acls @a
ovn-nbctl --id=@a create ACL direction=from-lport priority=501 match='"tcp.dst == 445"' action=allow-related \
  log=false label=1003 options:log-related=true -- add Logical_Switch sw acls @a
ovn-nbctl --id=@a create ACL direction=to-lport priority=502 match='"tcp.dst == 446"' action=allow \
  log=true label=1004 options:log-related=true -- add Logical_Switch sw acls @a
ovn-nbctl --apply-after-lb acl-add sw to-lport 300 'udp.dst == 74' drop
ovn-nbctl --apply-after-lb acl-add sw from-lport 300 'udp.dst == 75' allow-stateless
ovn-nbctl --apply-after-lb --label=5 acl-add sw from-lport 301 'udp.dst == 76' allow
ovn-nbctl acl-add sw from-lport 0 '1' drop
ovn-nbctl acl-add sw to-lport 32767 'udp.dst == 77' allow-related
