"""The ``pyovn`` command line: one module per tool (see :mod:`pyovn.cli.main`)."""

from __future__ import annotations

__all__ = ["plain_doc"]


def plain_doc(doc: str | None) -> str:
    """A module docstring as a ``--help`` text: reST roles and inline literals become plain
    words (``:class:`a.B``` -> ``a.B``, ````x```` -> ``x``)."""
    import re  # here: this package is imported by every pyovn command

    text = re.sub(r":[a-z]+:`~?([^`]+)`", r"\1", doc or "")
    return re.sub(r"``([^`]+)``", r"\1", text)
