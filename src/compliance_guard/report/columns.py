"""Column units. Findings count columns in characters (code points); SARIF, GitHub
annotations and LSP count UTF-16 code units (an emoji is two), reviewdog counts UTF-8 bytes
(a CJK character is three, an emoji four). Every formatter converts here and nowhere else."""
from __future__ import annotations

from compliance_guard.text.lines import LineIndex

UNITS = ("char", "utf16", "byte")


def convert(line: str, column: int, unit: str) -> int:
    """The 1-based ``column`` (in characters) of ``line`` expressed in ``unit``."""
    prefix = line[: max(0, column - 1)]
    if unit == "char":
        return column
    if unit == "utf16":
        return len(prefix.encode("utf-16-le", "surrogatepass")) // 2 + 1
    if unit == "byte":
        return len(prefix.encode("utf-8", "surrogatepass")) + 1
    raise ValueError(f"unknown column unit {unit!r} (expected one of {', '.join(UNITS)})")


class Columns:
    """Converts the (line, column) pairs of one document's findings."""

    def __init__(self, text: str | None, unit: str):
        self.lines = LineIndex(text) if text is not None and unit != "char" else None
        self.unit = unit

    def __call__(self, line: int, column: int) -> int:
        if self.lines is None or not 1 <= line <= len(self.lines):
            return column
        return convert(self.lines.line(line), column, self.unit)

    def start(self, f) -> int:
        return self(f.line, f.column)

    def end(self, f) -> int:
        return self(f.end_line, f.end_column)
