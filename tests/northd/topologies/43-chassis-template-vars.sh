# Chassis_Template_Var rows (per-chassis variables) and a template load balancer that uses them.
ovn-nbctl create Chassis_Template_Var chassis=hv1 variables='{vip="10.43.0.100", vport="8080", backends="10.43.0.11:80"}'
ovn-nbctl create Chassis_Template_Var chassis=hv2 variables='{vip="10.43.0.101", vport="8081", backends="10.43.0.12:80"}'
ovn-nbctl ls-add sw0
ovn-nbctl lsp-add sw0 vm1 -- lsp-set-addresses vm1 "50:54:00:00:43:11 10.43.0.11"
ovn-nbctl lsp-add sw0 vm2 -- lsp-set-addresses vm2 "50:54:00:00:43:12 10.43.0.12"
ovn-nbctl --id=@lb create Load_Balancer name=lb-tmpl protocol=tcp vips='{"^vip:^vport"="^backends"}' \
  options:template=true options:address-family=ipv4 -- add Logical_Switch sw0 load_balancer @lb
