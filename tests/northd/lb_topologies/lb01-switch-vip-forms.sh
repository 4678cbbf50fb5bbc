# LB VIP forms on a switch: no protocol, no VIPs, IPv6 without port, invalid backends, duplicates, sctp, reject, events, affinity, selection_fields, options.
ovn-nbctl ls-add sw0
ovn-nbctl lsp-add sw0 vm1 -- lsp-set-addresses vm1 "50:54:00:00:00:11 172.16.0.11 fd00::11"
ovn-nbctl create Load_Balancer name=lb-noproto 'vips:"172.16.1.1:80"="172.16.0.11:80"'
ovn-nbctl create Load_Balancer name=lb-novips
ovn-nbctl lb-add lb6-noport fd00::100 fd00::11,fd00::12
ovn-nbctl create Load_Balancer name=lb-weird protocol=tcp 'vips:"172.16.1.2:80"="172.16.0.11:80, 172.16.0.12:80 ,bogus,172.16.0.13"' 'vips:"[FD00::0200]:80"="[FD00::0011]:80"' 'vips:"172.16.1.3"="172.16.0.11:80,172.16.0.12"' 'vips:"172.16.1.4:80"="fd00::11"'
ovn-nbctl lb-add lb-dup 172.16.1.1:80 172.16.0.12:80 tcp
ovn-nbctl lb-add lb-sctp4 172.16.1.5:99 172.16.0.11:99 sctp
ovn-nbctl create Load_Balancer name=lb-udp-noport protocol=udp vips:"172.16.1.6"="172.16.0.11"
ovn-nbctl --reject lb-add lb-rej 172.16.1.7:80 172.16.0.11:80 udp
ovn-nbctl --reject lb-add lb-rej2 172.16.1.8:80 "" udp
ovn-nbctl --reject lb-add lb-rej6 [fd00::108]:80 "" tcp
ovn-nbctl --reject lb-add lb-rej-noport 172.16.1.9 ""
ovn-nbctl --event lb-add lb-ev6 [fd00::109]:80 "" udp
ovn-nbctl --event lb-add lb-ev-noport 172.16.1.10 ""
ovn-nbctl lb-add lb-aff6 [fd00::110]:80 [fd00::11]:80,[fd00::12]:80 udp -- set Load_Balancer lb-aff6 options:affinity_timeout=30
ovn-nbctl lb-add lb-aff-noport 172.16.1.11 172.16.0.11,172.16.0.12 -- set Load_Balancer lb-aff-noport options:affinity_timeout=30
ovn-nbctl lb-add lb-aff0 172.16.1.12:80 172.16.0.11:80 -- set Load_Balancer lb-aff0 options:affinity_timeout=0
ovn-nbctl lb-add lb-sel-udp 172.16.1.13:53 172.16.0.11:53 udp -- set Load_Balancer lb-sel-udp selection_fields=tp_dst,eth_src,tp_src
ovn-nbctl lb-add lb-sel-sctp 172.16.1.14:53 172.16.0.11:53 sctp -- set Load_Balancer lb-sel-sctp selection_fields=tp_dst
ovn-nbctl lb-add lb-hs4 172.16.1.15:80 172.16.0.11:80 -- set Load_Balancer lb-hs4 options:hairpin_snat_ip=172.16.9.9 options:neighbor_responder=all options:foo=bar external_ids:x=y
ovn-nbctl ls-lb-add sw0 lb-noproto -- ls-lb-add sw0 lb-novips -- ls-lb-add sw0 lb6-noport -- ls-lb-add sw0 lb-weird -- ls-lb-add sw0 lb-dup
ovn-nbctl ls-lb-add sw0 lb-sctp4 -- ls-lb-add sw0 lb-udp-noport -- ls-lb-add sw0 lb-rej -- ls-lb-add sw0 lb-rej2 -- ls-lb-add sw0 lb-rej6 -- ls-lb-add sw0 lb-rej-noport
ovn-nbctl ls-lb-add sw0 lb-ev6 -- ls-lb-add sw0 lb-ev-noport -- ls-lb-add sw0 lb-aff6 -- ls-lb-add sw0 lb-aff-noport -- ls-lb-add sw0 lb-aff0 -- ls-lb-add sw0 lb-sel-udp -- ls-lb-add sw0 lb-sel-sctp -- ls-lb-add sw0 lb-hs4
ovn-nbctl set NB_Global . options:controller_event=true
