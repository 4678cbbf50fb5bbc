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
  largeset    a persistent set (immutables.Map) for large set columns: O(change) mutates
  datastr     the ctl tools' string syntax for atoms and datums
  rbac        role-based access control as ovsdb-server enforces it, checked inside txn
  storage     the standalone database file format of ovsdb(5)
  raftlog     the clustered (Raft) file format, for a cluster of one server
  jsonrpc     JSON-RPC 1.0 framing
  stream      remote strings -> connections (unix, tcp, ssl), the process's SSL settings
  server      asyncio listeners and sessions; commit, file write, monitor updates, reply
  client/     connection, IDL replica, transactions
  clienttool/ pieces of ``pyovn ovsdb-client`` (blocking RPC session, output orders, monitor)
"""
