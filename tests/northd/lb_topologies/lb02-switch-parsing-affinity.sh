# LB parsing edge cases (whitespace, port 0, leading zeros, family mismatch), LBs without VIPs or with only invalid ones, affinity with empty/reject/selection_fields/skip_snat, event meter.
ovn-nbctl ls-add sw1 -- ls-add sw2 -- ls-add sw3 -- ls-add sw4
ovn-nbctl create Load_Balancer name=lb-novips -- ls-lb-add sw1 lb-novips
ovn-nbctl create Load_Balancer name=lb-bad protocol=tcp 'vips:"1.1.1.2:80"="10.0.0.1:80,bogus"' -- ls-lb-add sw2 lb-bad
ovn-nbctl lb-add lb-empty 10.0.0.30:80 "" tcp -- ls-lb-add sw3 lb-empty
ovn-nbctl create Load_Balancer name=lb-iso protocol=tcp 'vips:"1.1.1.1:80"="10.0.0.1:80, 10.0.0.2:80"' 'vips:"1.1.1.3:80"="10.0.0.1"' 'vips:"1.1.1.4"="10.0.0.1:80"' 'vips:"1.1.1.5:80"="10.0.0.1:80,"' 'vips:"1.1.1.6:0"="10.0.0.1:80"' 'vips:"1.1.1.7:70000"="10.0.0.1:80"' 'vips:"1.1.1.8:80"="10.0.0.1:80,10.0.0.1:80"' 'vips:"01.1.1.9:80"="10.0.0.1:80"' 'vips:"bogus:80"="10.0.0.1:80"' 'vips:"1.1.1.10:80"="10.0.0.1:0"' 'vips:"1.1.1.11:80"=" 10.0.0.1:80"' 'vips:"[fd00::1]"="[fd00::2]"' 'vips:"[fd00::3]:80"="fd00::4"' 'vips:"fd00::5:80"="fd00::6"' 'vips:"1.1.1.12:080"="10.0.0.1:080"' -- ls-lb-add sw4 lb-iso
ovn-nbctl lb-add lb-aff-empty 1.2.0.1:80 "" tcp -- set Load_Balancer lb-aff-empty options:affinity_timeout=10 -- ls-lb-add sw4 lb-aff-empty
ovn-nbctl lb-add lb-aff-sel 1.2.0.2:80 10.0.0.1:80,10.0.0.2:80 tcp -- set Load_Balancer lb-aff-sel options:affinity_timeout=10 selection_fields=ip_src -- ls-lb-add sw4 lb-aff-sel
ovn-nbctl --reject lb-add lb-aff-rej 1.2.0.3:80 "" tcp -- set Load_Balancer lb-aff-rej options:affinity_timeout=10 -- ls-lb-add sw4 lb-aff-rej
ovn-nbctl lb-add lb-aff-skip 1.2.0.4:80 10.0.0.1:80 tcp -- set Load_Balancer lb-aff-skip options:affinity_timeout=10 options:skip_snat=true -- ls-lb-add sw4 lb-aff-skip
ovn-nbctl --event lb-add lb-ev 1.2.0.5:80 "" tcp -- ls-lb-add sw4 lb-ev
ovn-nbctl meter-add event-elb drop 100 pktps
