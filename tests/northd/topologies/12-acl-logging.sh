# ACL logging: --log with names, severities, labels, a shared meter and a fair meter.
ovn-nbctl meter-add acl-meter drop 10 pktps
ovn-nbctl --fair meter-add acl-fair drop 100 pktps 20
ovn-nbctl ls-add sw0
ovn-nbctl lsp-add sw0 sw0-port1 -- lsp-set-addresses sw0-port1 "50:54:00:00:00:01 192.168.0.11"
ovn-nbctl lsp-add sw0 sw0-port2 -- lsp-set-addresses sw0-port2 "50:54:00:00:00:02 192.168.0.12"
ovn-nbctl --log --name=http-allow --severity=info acl-add sw0 to-lport 1000 'tcp.dst == 80' allow-related
ovn-nbctl --log --name=ssh-drop --severity=alert --meter=acl-meter acl-add sw0 from-lport 1000 'tcp.dst == 22' drop
ovn-nbctl --log --name=telnet-reject --severity=warning --meter=acl-fair acl-add sw0 to-lport 1001 'tcp.dst == 23' reject
ovn-nbctl --log --meter=acl-fair acl-add sw0 to-lport 999 'udp.dst == 161' drop
ovn-nbctl --label=1234 acl-add sw0 from-lport 800 'ip4.dst == 192.168.0.12' allow-related
# options:log-related logs the related/reply traffic too (generic create, as acl-add has no option for it).
ovn-nbctl --id=@a create ACL direction=from-lport priority=700 match='"ip4 && icmp4"' action=allow-related \
  log=true name=log-related severity=notice meter=acl-meter options:log-related=true \
  -- add Logical_Switch sw0 acls @a
