# Meters (shared, fair, kbps, several bands), Static_MAC_Binding, Chassis_Template_Var, Mirror, BFD, Copp meters.
ovn-nbctl set NB_Global . options:mac_prefix=0a:58:a8 options:foo=bar
ovn-nbctl meter-add m1 drop 10 pktps
ovn-nbctl meter-add m2 drop 2000 kbps 300
ovn-nbctl --fair meter-add m-fair drop 100 pktps 20
ovn-nbctl --id=@b1 create Meter_Band action=drop rate=5 -- --id=@b2 create Meter_Band action=drop rate=50 burst_size=7 \
  -- create Meter name=m-multi unit=kbps bands='[@b1, @b2]' external_ids:a=b
ovn-nbctl ls-add sw0
ovn-nbctl lsp-add sw0 p1 -- lsp-set-addresses p1 "50:54:00:00:00:01 10.0.0.1"
ovn-nbctl --log --meter=m-fair acl-add sw0 to-lport 1000 'tcp.dst == 80' allow-related
ovn-nbctl --log --meter=m-fair acl-add sw0 to-lport 1001 'tcp.dst == 81' allow-related
ovn-nbctl --log --meter=m1 acl-add sw0 from-lport 1000 'tcp.dst == 82' drop
ovn-nbctl lr-add lr0
ovn-nbctl lrp-add lr0 lr0-sw0 00:00:00:00:ff:01 10.0.0.254/24
ovn-nbctl lsp-add sw0 sw0-lr0 -- lsp-set-type sw0-lr0 router -- lsp-set-addresses sw0-lr0 router -- lsp-set-options sw0-lr0 router-port=lr0-sw0
ovn-nbctl static-mac-binding-add lr0-sw0 10.0.0.100 00:00:00:00:00:64
ovn-nbctl create Static_MAC_Binding logical_port=lr0-sw0 ip=10.0.0.101 mac="00\:00\:00\:00\:00\:65" override_dynamic_mac=true
ovn-nbctl create Chassis_Template_Var chassis=hv1 variables:vip=10.0.0.10 variables:port=80 external_ids:e=f
ovn-nbctl create Chassis_Template_Var chassis=hv2
ovn-nbctl mirror-add mirror1 gre 42 to-lport 192.168.1.1
ovn-nbctl mirror-add mirror2 erspan 7 from-lport 192.168.1.2
ovn-nbctl lsp-attach-mirror p1 mirror1
ovn-nbctl create BFD logical_port=lr0-sw0 dst_ip=10.0.0.5 min_tx=300 detect_mult=3 external_ids:k=v options:x=y
ovn-nbctl create BFD logical_port=lr0-sw0 dst_ip=10.0.0.6
ovn-nbctl copp-add copp0 arp m1 -- lr-copp-add copp0 lr0
