# Force SNAT options on gateway routers without NAT rows (explicit IPs, router_ip without peers); a DGP router with none.
ovn-nbctl lr-add gw0 -- set Logical_Router gw0 options:chassis=ch1
ovn-nbctl lrp-add gw0 gw0-int 00:00:00:00:46:01 10.46.0.1/24
ovn-nbctl lr-add gw1 -- set Logical_Router gw1 options:chassis=ch1 options:lb_force_snat_ip=router_ip
ovn-nbctl lrp-add gw1 gw1-int 00:00:00:00:47:01 10.47.0.1/24 fd47::1/64
ovn-nbctl lrp-add gw1 gw1-ext 00:00:00:00:47:02 172.47.0.1/24 172.47.1.1/24
ovn-nbctl lr-add gw2 -- set Logical_Router gw2 options:chassis=ch1 options:lb_force_snat_ip="172.48.0.1 fd48::1" options:dnat_force_snat_ip="172.48.0.2 fd48::2"
ovn-nbctl lrp-add gw2 gw2-int 00:00:00:00:48:01 10.48.0.1/24
ovn-nbctl lr-add dgp0
ovn-nbctl lrp-add dgp0 dgp0-ext 00:00:00:00:49:01 172.49.0.1/24 -- lrp-set-gateway-chassis dgp0-ext ch1
ovn-nbctl lrp-add dgp0 dgp0-int 00:00:00:00:49:02 10.49.0.1/24
