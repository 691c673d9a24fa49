"""An open catalogue (Source) and its rows (RawRow), whatever the format; refusing a table
that has no text to check."""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import NamedTuple

from compliance_guard.scan.columns import ColumnMap, MappingError


class ReaderError(Exception):
    """The file as a whole cannot be read (missing, not a table); one line naming it."""


class RawRow(NamedTuple):
    row: int  # 1-based ordinal of the data row
    line: int | None  # where it starts in the file (CSV/JSONL line, sheet row)
    values: object  # list of cells (table formats) or dict (JSONL); None on error
    error: str | None = None


@dataclass
class Source:
    """An open catalogue: its header mapping and a stream of rows."""

    path: str
    format: str
    column_map: ColumnMap | None  # None for JSONL (each row maps its own keys)
    rows: Iterator[RawRow]
    total_rows: int | None = None  # known up front (Parquet, XLSX), else estimated by bytes
    size: int = 0
    encoding: str | None = None
    delimiter: str | None = None
    bytes_read: int = 0
    file: object = None  # the open input (CSV/JSONL), closed even if no row was read
    preview: ColumnMap | None = None  # JSONL: the mapping of the keys of the first rows
    blank_lines: int = 0  # blank lines (sheet rows) skipped so far: not rows, but counted
    warnings: list = field(default_factory=list)  # about the file as a whole, for stderr

    def describe(self) -> str:
        """Which column (JSONL: key of the first rows) feeds which field, for stderr."""
        m = self.column_map or self.preview
        return f"{'keys' if self.format == 'jsonl' else 'columns'}: {m.describe()}" if m else ""

    def close(self) -> None:
        close = getattr(self.rows, "close", None)
        if close:
            close()
        if self.file is not None:
            self.file.close()


def require_text(path: str, column_map: ColumnMap, what: str, more: str = "") -> None:
    """Refuse a table none of whose columns is a title, subtitle or description: it would be
    scanned as clean while nothing was read (a notes sheet, a script, unknown headers)."""
    if column_map.has_text():
        return
    headers = [h if len(h) <= 30 else h[:29] + "…" for h in column_map.headers if h.strip()]
    shown = ", ".join(headers[:15]) + (f" and {len(headers) - 15} more" if len(headers) > 15 else "")
    raise MappingError(f"{path}: no column feeds a text field (title, subtitle, description), so nothing would be "
                       f"checked; {what}: {shown or '(none)'}{more}; map one, e.g. --map title=COLUMN "
                       "(to check copy that is not a table, use cguard check)")
