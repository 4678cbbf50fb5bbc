"""OVSDB (RFC 7047 with the Open vSwitch extensions), usable on its own.

Layout, one concern per module:
  errors      the error kinds ovsdb-server returns, one table
  types       column types and constraints
  schema      .ovsschema parsing and validation
  data        atoms and datums: canonical Python values, ordering, JSON wire form
  condition   where-clauses (select/update/delete/wait, monitor_cond)
  mutation    mutators
  txn         executes one transaction's operations, no I/O -> results + change set
  database    tables in memory, commits change sets, keeps history for monitor_cond_since
  monitor     change set -> update / update2 / update3 for each monitor
  storage     the standalone database file format of ovsdb(5)
  jsonrpc     JSON-RPC 1.0 framing
  server      asyncio listeners and sessions
  client/     connection, IDL replica, transactions
"""
