"""Tables of column values printed the way the OVS ctl tools print them (``list``, ``find``).

A :class:`Table` is headings plus rows of cells; a cell is ``(ColumnType, value)``, or a plain
``str`` (text printed as is, a JSON string in JSON layout) or ``None`` (an empty cell, ``null`` in
JSON) for tables that are not only column values (ovsdb-client's ``monitor``). A table may have a
caption (``dump``'s "A table") and a timestamp line (``--timestamp``). How it prints
is a :class:`TableStyle`: the layout (``--format``: list, table, csv, html, json) and the cell
text (``--data``: string = OVSDB string syntax, bare = no quoting, json = the wire form). JSON
layout always prints cells as JSON. Like OVS's table printer, every list/table/csv table after the
first one a process prints starts with a blank line, so the printer keeps a count
(:class:`TablePrinter`). ``--pretty`` JSON follows OVS's own pretty printer (closing brackets stay
on the last element's line). In HTML, as OVS's table printer does, a ``_uuid`` cell becomes an
anchor and every UUID inside another cell a link to it (both show the UUID's first 8 digits).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from pyovn.ovsdb.data import UUID_PATTERN, datum_to_json, datum_to_string
from pyovn.ovsdb.datastr import datum_to_bare
from pyovn.ovsdb.errors import json_text
from pyovn.ovsdb.types import ColumnType

__all__ = ["TableStyle", "Table", "TablePrinter", "json_pretty", "cell_text", "FORMATS", "DATA",
           "STYLE_OPTIONS"]

FORMATS = ("list", "table", "html", "csv", "json")
DATA = ("string", "bare", "json")

# The table options of the ctl tools and ovsdb-client (OVS's TABLE_LONG_OPTIONS): long name ->
# takes a value.
STYLE_OPTIONS = {"format": True, "data": True, "no-headings": False, "pretty": False,
                 "bare": False}


@dataclass
class TableStyle:
    format: str = "list"
    data: str = "string"
    headings: bool = True
    pretty: bool = False

    def apply_option(self, name: str, value: str | None) -> None:
        """Applies the table option ``name`` (one of ``STYLE_OPTIONS``, OVS's
        TABLE_OPTION_HANDLERS); an unknown format is a ValueError with the tools' text."""
        if name == "format":
            if value not in FORMATS:
                raise ValueError(f'unknown output format "{value}"')
            self.format = value
        elif name == "data":
            if value not in DATA:
                raise ValueError(f'unknown data format "{value}"')
            self.data = value
        elif name == "no-headings":
            self.headings = False
        elif name == "pretty":
            self.pretty = True
        elif name == "bare":
            self.format, self.data, self.headings = "list", "bare", False
        else:
            raise KeyError(name)


@dataclass
class Table:
    headings: list[str]
    rows: list[list[Any]] = field(default_factory=list)
    caption: str | None = None
    timestamp: str | None = None

    def add_row(self, cells: list[Any]) -> None:
        self.rows.append(cells)


def _cell(cell: Any, data: str) -> str:
    if cell is None:
        return ""
    if isinstance(cell, str):
        return cell
    return cell_text(cell[0], cell[1], data)


def _cell_json(cell: Any) -> Any:
    if cell is None or isinstance(cell, str):
        return cell
    return datum_to_json(cell[0], cell[1])


def cell_text(ctype: ColumnType, value: Any, data: str) -> str:
    if data == "bare":
        return datum_to_bare(ctype, value)
    if data == "json":
        return json_text(datum_to_json(ctype, value))
    return datum_to_string(ctype, value)


def json_pretty(value: Any, depth: int = 0) -> str:
    """OVS's JSSF_PRETTY serialisation (2 spaces per level, brackets closed inline)."""
    out: list[str] = []
    _pretty(value, depth, out)
    return "".join(out)


def _pretty(value: Any, depth: int, out: list[str]) -> None:
    if isinstance(value, list):
        out.append("[")
        for i, v in enumerate(value):
            if i:
                out.append(",")
            out.append("\n" + "  " * (depth + 1))
            _pretty(v, depth + 1, out)
        out.append("]")
    elif isinstance(value, dict):
        out.append("{")
        for i, k in enumerate(sorted(value)):
            if i:
                out.append(",")
            out.append("\n" + "  " * (depth + 1))
            out.append(json_text(k) + ": ")
            _pretty(value[k], depth + 1, out)
        out.append("}")
    else:
        out.append(json_text(value))


def _csv_escape(s: str) -> str:
    if any(c in s for c in '\n",\r'):
        return '"' + s.replace('"', '""') + '"'
    return s


def _html_escape(s: str) -> str:
    return (s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace('"', "&quot;"))


_UUID_RE = re.compile(UUID_PATTERN)


def _html_cell(heading: str, text: str) -> str:
    if heading == "_uuid":
        return f'<a name="{_html_escape(text)}">{_html_escape(text[:8])}</a>'
    out = []
    pos = 0
    for m in _UUID_RE.finditer(text):
        out.append(_html_escape(text[pos:m.start()]))
        out.append(f'<a href="#{m.group()}">{m.group()[:8]}</a>')
        pos = m.end()
    out.append(_html_escape(text[pos:]))
    return "".join(out)


class TablePrinter:
    """Prints tables for one process; remembers how many it printed (for the separators)."""

    def __init__(self, style: TableStyle) -> None:
        self.style = style
        self.count = 0

    def render(self, table: Table) -> str:
        st = self.style
        fmt = st.format
        n = self.count
        self.count += 1
        if fmt == "json":
            return self._json(table)
        if fmt == "html":
            return self._html(table)
        sep = "\n" if n else ""
        if table.timestamp is not None:
            sep += table.timestamp + "\n"
        if table.caption is not None:
            sep += table.caption + "\n"
        texts = [[_cell(c, st.data) for c in row] for row in table.rows]
        if fmt == "csv":
            lines = []
            if st.headings:
                lines.append(",".join(_csv_escape(h) for h in table.headings))
            lines.extend(",".join(_csv_escape(c) for c in row) for row in texts)
            return sep + "".join(line + "\n" for line in lines)
        if fmt == "table":
            return sep + self._table(table.headings, texts)
        # list
        chunks = []
        for i, row in enumerate(texts):
            if i:
                chunks.append("\n")
            for h, c in zip(table.headings, row):
                chunks.append(f"{h:<20}: {c}\n" if st.headings else f"{c}\n")
        return sep + "".join(chunks)

    def _table(self, headings: list[str], texts: list[list[str]]) -> str:
        widths = [len(h) if self.style.headings else 0 for h in headings]
        for row in texts:
            for i, c in enumerate(row):
                widths[i] = max(widths[i], len(c))
        last = len(headings) - 1

        def line(cells: list[str]) -> str:
            return " ".join(c if i == last else c.ljust(widths[i])
                            for i, c in enumerate(cells)) + "\n"

        out = []
        if self.style.headings:
            out.append(line(headings))
            out.append(line(["-" * w for w in widths]))
        out.extend(line(row) for row in texts)
        return "".join(out)

    def _html(self, table: Table) -> str:
        out = ["<table border=1>\n"]
        if table.caption is not None:
            out.append(f"    <caption>{_html_escape(table.caption)}</caption>\n")
        if self.style.headings:
            out.append("  <tr>\n")
            out.extend(f"    <th>{_html_escape(h)}</th>\n" for h in table.headings)
            out.append("  </tr>\n")
        for row in table.rows:
            out.append("  <tr>\n")
            for h, c in zip(table.headings, row):
                out.append(f"    <td>{_html_cell(h, _cell(c, self.style.data))}</td>\n")
            out.append("  </tr>\n")
        out.append("</table>\n")
        return "".join(out)

    def _json(self, table: Table) -> str:
        doc: dict[str, Any] = {"data": [[_cell_json(c) for c in row] for row in table.rows],
                               "headings": list(table.headings)}
        if table.caption is not None:
            doc["caption"] = table.caption
        if table.timestamp is not None:
            doc["time"] = table.timestamp
        if self.style.pretty:
            return json_pretty(doc) + "\n"
        return json_text(doc) + "\n"
