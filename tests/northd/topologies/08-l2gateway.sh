# An l2gateway port bridging the switch to a physical network on one chassis, with a VLAN tag.
ovn-nbctl ls-add ls-l2gw
ovn-nbctl lsp-add ls-l2gw l2gw-port -- lsp-set-type l2gw-port l2gateway \
  -- lsp-set-addresses l2gw-port unknown \
  -- lsp-set-options l2gw-port network_name=physnet1 l2gateway-chassis=gw-chassis-1 \
  -- set Logical_Switch_Port l2gw-port tag_request=200
ovn-nbctl lsp-add ls-l2gw vm1 -- lsp-set-addresses vm1 "00:00:00:00:20:01 10.20.0.11"
ovn-nbctl lsp-add ls-l2gw vm2 -- lsp-set-addresses vm2 "00:00:00:00:20:02 10.20.0.12"
