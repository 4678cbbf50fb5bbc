# Load balancer groups shared by several switches and a router (Load_Balancer_Group, generic create).
ovn-nbctl lr-add lr0
ovn-nbctl lrp-add lr0 lr0-sw1 00:00:00:00:ff:01 10.1.1.1/24 -- lrp-add lr0 lr0-sw2 00:00:00:00:ff:02 10.1.2.1/24
ovn-nbctl ls-add sw1 -- lsp-add sw1 sw1-lr0 -- lsp-set-type sw1-lr0 router -- lsp-set-addresses sw1-lr0 router \
  -- lsp-set-options sw1-lr0 router-port=lr0-sw1
ovn-nbctl ls-add sw2 -- lsp-add sw2 sw2-lr0 -- lsp-set-type sw2-lr0 router -- lsp-set-addresses sw2-lr0 router \
  -- lsp-set-options sw2-lr0 router-port=lr0-sw2
ovn-nbctl ls-add sw3
ovn-nbctl lsp-add sw1 sw1-vm1 -- lsp-set-addresses sw1-vm1 "50:54:00:01:01:11 10.1.1.11"
ovn-nbctl lsp-add sw2 sw2-vm1 -- lsp-set-addresses sw2-vm1 "50:54:00:01:02:11 10.1.2.11"
ovn-nbctl lb-add lb-cluster 10.96.0.1:443 10.1.1.11:6443,10.1.2.11:6443 tcp
ovn-nbctl lb-add lb-dns 10.96.0.10:53 10.1.1.11:53,10.1.2.11:53 udp
ovn-nbctl lb-add lb-only-sw3 10.96.0.20:80 10.1.1.11:80 tcp
ovn-nbctl --id=@lb1 get Load_Balancer lb-cluster -- --id=@lb2 get Load_Balancer lb-dns \
  -- --id=@g create Load_Balancer_Group name=lbg-cluster load_balancer='[@lb1, @lb2]' \
  -- add Logical_Switch sw1 load_balancer_group @g -- add Logical_Switch sw2 load_balancer_group @g \
  -- add Logical_Switch sw3 load_balancer_group @g -- add Logical_Router lr0 load_balancer_group @g
# One LB both in the group and directly on a switch, and one only on sw3.
ovn-nbctl ls-lb-add sw1 lb-cluster -- ls-lb-add sw3 lb-only-sw3
