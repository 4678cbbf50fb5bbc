"""The shared core of pyovn's ctl tools (``pyovn vsctl``, ``sbctl``, ``nbctl``).

Layout: :mod:`.options` (command line), :mod:`.registry` (command and tool declarations),
:mod:`.context` (what a command sees; name and record lookups), :mod:`.txnview` (the local view of
rows and the one transaction), :mod:`.generic` (the database commands and ``show``),
:mod:`.database` (the database over pyovn's one client, in direct and daemon mode),
:mod:`.runner` (one invocation), :mod:`.daemon` (``--detach``: commands over unixctl); tables are
printed by :mod:`pyovn.ovsdb.tableprint`.
:mod:`.remotes` declares the ``get-/set-/del-ssl`` and remote (``set-manager``,
``set-connection``) commands once for every tool. Tools: :mod:`.vsctl` (with
:mod:`.vsctl_bridge` for bridges, ports and interfaces), :mod:`.sbctl` (and
:mod:`.lflow` for its flow listings), :mod:`.nbctl` (with its ``nbctl_*`` command families).

A new tool is a :class:`~pyovn.ctl.registry.Tool` plus :class:`~pyovn.ctl.registry.CommandSyntax`
declarations, run with :func:`pyovn.ctl.runner.run_tool`.
"""
