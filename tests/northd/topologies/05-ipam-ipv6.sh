# IPAM, IPv6 and dual stack: other_config:ipv6_prefix, mac_only, fixed mac_prefix (EUI-64 addresses).
ovn-nbctl set NB_Global . options:mac_prefix=0a:00:00
ovn-nbctl ls-add v6 -- set Logical_Switch v6 other_config:ipv6_prefix=fd00:aaaa::
ovn-nbctl lsp-add v6 v6-p1 -- lsp-set-addresses v6-p1 dynamic
ovn-nbctl lsp-add v6 v6-p2 -- lsp-set-addresses v6-p2 "0a:00:00:00:10:02 dynamic"
ovn-nbctl ls-add dual -- set Logical_Switch dual other_config:subnet=172.16.1.0/24 \
  other_config:ipv6_prefix=fd00:bbbb::
ovn-nbctl lsp-add dual dual-p1 -- lsp-set-addresses dual-p1 dynamic
ovn-nbctl lsp-add dual dual-p2 -- lsp-set-addresses dual-p2 dynamic
ovn-nbctl ls-add maconly -- set Logical_Switch maconly other_config:mac_only=true
ovn-nbctl lsp-add maconly mo-p1 -- lsp-set-addresses mo-p1 dynamic
