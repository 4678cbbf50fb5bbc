# arp_proxy (without vlan-passthru), qdisc_queue_id on VIF and localnet, ignore_lsp_down=false, localnet_learn_fdb, port security + unknown, hostname.
ovn-nbctl set NB_Global . options:ignore_lsp_down=false
ovn-nbctl ls-add sw0
ovn-nbctl lsp-add sw0 vm1 -- lsp-set-addresses vm1 "50:54:00:00:00:11 10.0.0.11" -- lsp-set-options vm1 qdisc_queue_id=5
ovn-nbctl lsp-add sw0 vm2 -- lsp-set-addresses vm2 "50:54:00:00:00:12 10.0.0.12" unknown -- lsp-set-port-security vm2 "50:54:00:00:00:12 10.0.0.12"
ovn-nbctl lsp-add sw0 vm3 -- lsp-set-addresses vm3 "50:54:00:00:00:13 10.0.0.13" -- set Logical_Switch_Port vm3 up=true
ovn-nbctl lsp-add sw0 meta -- lsp-set-type meta localport -- lsp-set-addresses meta "50:54:00:00:00:02 10.0.0.2"
ovn-nbctl lsp-add sw0 ln0 -- lsp-set-type ln0 localnet -- lsp-set-addresses ln0 unknown -- lsp-set-options ln0 network_name=physnet1 qdisc_queue_id=7 localnet_learn_fdb=true
ovn-nbctl lsp-add sw0 ln1 -- lsp-set-type ln1 localnet -- lsp-set-options ln1 network_name=physnet2 localnet_learn_fdb=true
ovn-nbctl lr-add lr0 -- lrp-add lr0 lr0-sw0 00:00:00:00:00:01 10.0.0.1/24 fd00::1/64
ovn-nbctl lsp-add sw0 sw0-lr0 -- lsp-set-type sw0-lr0 router -- lsp-set-addresses sw0-lr0 router \
  -- lsp-set-options sw0-lr0 router-port=lr0-sw0 arp_proxy="10.0.0.200 10.0.0.201 fd00::200 bogus 10.9.0.0/24"
ovn-nbctl --id=@d create DHCP_Options cidr=10.0.0.0/24 options='"server_id"="10.0.0.1" "server_mac"="00:00:00:00:00:01" "lease_time"="3600"' \
  -- set Logical_Switch_Port vm3 dhcpv4_options=@d -- lsp-set-options vm3 hostname=vm3host
ovn-nbctl --id=@d create DHCP_Options cidr=10.0.0.0/24 options='"server_id"="10.0.0.1" "lease_time"="3600"' -- set Logical_Switch_Port vm1 dhcpv4_options=@d
