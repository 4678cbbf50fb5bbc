# LB options: hairpin_snat_ip, affinity_timeout, skip_snat, reject, event, selection_fields, controller_event.
ovn-nbctl ls-add sw0
ovn-nbctl lsp-add sw0 vm1 -- lsp-set-addresses vm1 "50:54:00:00:00:11 172.16.0.11"
ovn-nbctl lsp-add sw0 vm2 -- lsp-set-addresses vm2 "50:54:00:00:00:12 172.16.0.12"
ovn-nbctl lb-add lb-hairpin 172.16.0.100:80 172.16.0.11:80,172.16.0.12:80 tcp \
  -- set Load_Balancer lb-hairpin options:hairpin_snat_ip="172.16.0.200 fd00:16::200"
ovn-nbctl lb-add lb-affinity 172.16.0.101:80 172.16.0.11:80,172.16.0.12:80 tcp \
  -- set Load_Balancer lb-affinity options:affinity_timeout=60
ovn-nbctl lb-add lb-skip 172.16.0.102:80 172.16.0.11:80 tcp -- set Load_Balancer lb-skip options:skip_snat=true
ovn-nbctl --reject lb-add lb-reject 172.16.0.103:80 "" tcp
ovn-nbctl --event lb-add lb-event 172.16.0.104:80 "" tcp
ovn-nbctl lb-add lb-sel 172.16.0.105:80 172.16.0.11:80,172.16.0.12:80 tcp \
  -- set Load_Balancer lb-sel selection_fields=ip_src,ip_dst,tp_src
ovn-nbctl ls-lb-add sw0 lb-hairpin -- ls-lb-add sw0 lb-affinity -- ls-lb-add sw0 lb-skip \
  -- ls-lb-add sw0 lb-reject -- ls-lb-add sw0 lb-event -- ls-lb-add sw0 lb-sel
ovn-nbctl set NB_Global . options:controller_event=true
