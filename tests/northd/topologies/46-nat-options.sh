# NAT variants on a gateway router: stateless dnat_and_snat, allowed/exempted external IPs, external port range, force SNAT for DNAT.
ovn-nbctl lr-add gw0 -- set Logical_Router gw0 options:chassis=gw-chassis-1 options:dnat_force_snat_ip=172.46.0.2
ovn-nbctl lrp-add gw0 gw0-int 00:00:00:00:46:01 10.46.0.1/24
ovn-nbctl lrp-add gw0 gw0-ext 00:00:00:00:46:02 172.46.0.2/24
ovn-nbctl ls-add int -- lsp-add int int-gw0 -- lsp-set-type int-gw0 router -- lsp-set-addresses int-gw0 router -- lsp-set-options int-gw0 router-port=gw0-int
ovn-nbctl ls-add ext -- lsp-add ext ext-gw0 -- lsp-set-type ext-gw0 router -- lsp-set-addresses ext-gw0 router -- lsp-set-options ext-gw0 router-port=gw0-ext
ovn-nbctl lsp-add int vm1 -- lsp-set-addresses vm1 "50:54:00:00:46:11 10.46.0.11"
ovn-nbctl --stateless lr-nat-add gw0 dnat_and_snat 172.46.0.11 10.46.0.11
ovn-nbctl --id=@n create NAT type=snat external_ip=172.46.0.2 logical_ip='"10.46.0.0/24"' external_port_range='"1024-65000"' \
  -- add Logical_Router gw0 nat @n
ovn-nbctl create Address_Set name=as_partners addresses='"203.0.113.0/24"'
ovn-nbctl --id=@n create NAT type=dnat_and_snat external_ip=172.46.0.12 logical_ip=10.46.0.12 \
  -- add Logical_Router gw0 nat @n
ovn-nbctl --id=@as get Address_Set as_partners -- --id=@n create NAT type=dnat external_ip=172.46.0.13 logical_ip=10.46.0.13 \
  allowed_ext_ips=@as -- add Logical_Router gw0 nat @n
ovn-nbctl --id=@as get Address_Set as_partners -- --id=@n create NAT type=snat external_ip=172.46.0.14 logical_ip=10.46.0.128/25 \
  exempted_ext_ips=@as -- add Logical_Router gw0 nat @n
