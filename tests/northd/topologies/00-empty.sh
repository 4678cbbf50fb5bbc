# An empty Northbound: not even NB_Global; northd creates it and writes only the global SB rows.
