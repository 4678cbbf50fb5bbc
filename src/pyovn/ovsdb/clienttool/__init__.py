"""Pieces of ``pyovn ovsdb-client`` (the command line lives in :mod:`pyovn.cli.ovsdb_client`).

``rpc``: one blocking JSON-RPC session (connect, call, wait for notifications);
``order``: the orders in which the real ovsdb-client prints tables, columns and rows;
``monitor``: monitor requests from the command line and updates turned into printable tables.
"""
