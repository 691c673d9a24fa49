"""Line and column of an offset: the one place that knows line endings."""
from __future__ import annotations

import bisect
import re

from compliance_guard.model.finding import Finding

LINE_BREAK = re.compile(r"\r\n|\r|\n")


class LineIndex:
    """Maps code-point offsets of one text to 1-based (line, column).

    ``\\r\\n``, a lone ``\\r`` and ``\\n`` each end a line, as editors and LSP count them, so
    offsets stay those of the decoded file whatever its line endings.
    """

    def __init__(self, text: str):
        self.text = text
        self._starts = [0] + [m.end() for m in LINE_BREAK.finditer(text)]

    def __len__(self) -> int:
        return len(self._starts)

    def position(self, offset: int) -> tuple[int, int]:
        i = bisect.bisect_right(self._starts, offset) - 1
        return i + 1, offset - self._starts[i] + 1

    def line_start(self, line: int) -> int:
        return self._starts[line - 1]

    def line(self, line: int) -> str:
        """The text of a 1-based line, without its line ending."""
        end = self._starts[line] if line < len(self._starts) else len(self.text)
        return self.text[self._starts[line - 1]:end].rstrip("\r\n")

    def locate(self, finding: Finding) -> Finding:
        finding.line, finding.column = self.position(finding.start)
        finding.end_line, finding.end_column = self.position(finding.end)
        return finding


def lf_text(text: str) -> str:
    """``text`` with every line ending as ``\\n`` and the same length (``\\r\\n`` becomes a space
    and ``\\n``), for the line scanners of Markdown and SRT: their spans and offsets are then
    those of ``text``."""
    if "\r" not in text:
        return text
    return text.replace("\r\n", " \n").replace("\r", "\n")
