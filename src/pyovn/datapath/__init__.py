"""pyovn's datapath: ports, packet codec, flow cache, conntrack and packet generation (see
docs/DATAPATH.md for how the parts fit)."""
