# NB_Global debug_drop_* sampling replaces NAT drops; snat-ct-zone and reside-on-redirect-chassis change nothing.
ovn-nbctl set NB_Global . options:debug_drop_domain_id=5 options:debug_drop_collector_set=7
ovn-nbctl lr-add lr0
ovn-nbctl lrp-add lr0 lr0-pub 00:00:20:20:12:13 172.168.0.100/24 -- lrp-set-gateway-chassis lr0-pub ch1 10
ovn-nbctl lrp-add lr0 lr0-sw0 00:00:00:00:ff:01 10.0.0.1/24 -- set Logical_Router_Port lr0-sw0 options:reside-on-redirect-chassis=true
ovn-nbctl set Logical_Router lr0 options:snat-ct-zone=4000
ovn-nbctl create Address_Set name=as1 addresses='"203.0.113.0/24"'
ovn-nbctl lr-nat-add lr0 snat 172.168.0.100 10.0.0.0/24
ovn-nbctl --id=@as get Address_Set as1 -- --id=@n create NAT type=dnat_and_snat external_ip=172.168.0.25 logical_ip=10.0.0.25 allowed_ext_ips=@as options:stateless=true -- add Logical_Router lr0 nat @n
ovn-nbctl --id=@as get Address_Set as1 -- --id=@n create NAT type=dnat_and_snat external_ip=172.168.0.26 logical_ip=10.0.0.26 exempted_ext_ips=@as options:stateless=true -- add Logical_Router lr0 nat @n
ovn-nbctl lr-add gw1 -- set Logical_Router gw1 options:chassis=gw-chassis-2 options:snat-ct-zone=4000
ovn-nbctl lrp-add gw1 gw1-p 00:00:00:00:50:21 172.50.0.2/24
ovn-nbctl lr-nat-add gw1 snat 172.50.0.2 10.9.0.0/24
