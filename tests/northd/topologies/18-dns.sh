# DNS records on two switches (one DNS row shared), IPv4, IPv6 and a PTR-style reverse record.
ovn-nbctl ls-add sw0 -- ls-add sw1
ovn-nbctl lsp-add sw0 sw0-vm1 -- lsp-set-addresses sw0-vm1 "50:54:00:00:70:01 10.70.0.11 fd00:70::11"
ovn-nbctl lsp-add sw1 sw1-vm1 -- lsp-set-addresses sw1-vm1 "50:54:00:00:71:01 10.71.0.11"
ovn-nbctl --id=@d create DNS records='"vm1.example.org"="10.70.0.11 fd00:70::11", "www.example.org"="10.70.0.11", "11.0.70.10.in-addr.arpa"="vm1.example.org"' \
  external_ids:owner=tenant-a -- add Logical_Switch sw0 dns_records @d -- add Logical_Switch sw1 dns_records @d
ovn-nbctl --id=@d create DNS records='"db.example.org"="10.71.0.11"' -- add Logical_Switch sw1 dns_records @d
