# Virtual ports (keepalived VIP): virtual-ip and virtual-parents, plus the parents.
ovn-nbctl ls-add sw-vip
ovn-nbctl lsp-add sw-vip vm1 -- lsp-set-addresses vm1 "50:54:00:00:40:01 10.40.0.11"
ovn-nbctl lsp-add sw-vip vm2 -- lsp-set-addresses vm2 "50:54:00:00:40:02 10.40.0.12"
ovn-nbctl lsp-add sw-vip vm3 -- lsp-set-addresses vm3 "50:54:00:00:40:03 10.40.0.13 fd00:40::13"
ovn-nbctl lsp-add sw-vip vip1 -- lsp-set-type vip1 virtual -- lsp-set-addresses vip1 "50:54:00:00:40:10 10.40.0.10" \
  -- lsp-set-options vip1 virtual-ip=10.40.0.10 virtual-parents=vm1,vm2
ovn-nbctl lsp-add sw-vip vip6 -- lsp-set-type vip6 virtual \
  -- lsp-set-options vip6 virtual-ip=fd00:40::100 virtual-parents=vm3
