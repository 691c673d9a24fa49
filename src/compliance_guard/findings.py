"""The one result type: every check, scorer and formatter speaks ``Finding``."""
from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field
from dataclasses import fields as _fields
from enum import Enum


class Severity(str, Enum):
    INFO = "info"
    WARNING = "warning"
    ERROR = "error"

    @property
    def rank(self) -> int:
        return _RANK[self]

    @classmethod
    def parse(cls, value: str) -> "Severity":
        try:
            return cls(str(value).lower())
        except ValueError:
            raise ValueError(f"unknown severity {value!r} (expected error, warning or info)") from None


_RANK = {Severity.INFO: 1, Severity.WARNING: 2, Severity.ERROR: 3}

#: Categories named by DESIGN.md; packs may add more.
CATEGORIES = (
    "absolute-claim",
    "authority-endorsement",
    "medical-claim",
    "induced-sharing",
    "off-platform-transaction",
    "certification",
    "pricing",
)


@dataclass
class Finding:
    """One problem at one span of the original text.

    ``start``/``end`` are code-point offsets into the original decoded text of the
    document (or of the listing ``field``); ``text == original[start:end]`` always.
    ``line``/``column`` are 1-based, columns in characters.
    """

    rule: str
    pack: str
    category: str
    severity: Severity
    message: str
    text: str
    start: int
    end: int
    line: int = 0
    column: int = 0
    end_line: int = 0
    end_column: int = 0
    suggestions: list[str] = field(default_factory=list)
    source: str = ""
    field: str | None = None
    fix: str | None = None  # the suggestion the pack marks as a safe drop-in replacement

    def to_dict(self) -> dict:
        """The JSON contract's finding (``dataclasses.asdict`` deep-copies: 6x slower per finding).
        The contract has no ``fix``: a pack's fix is for ``cguard fix``, the page and the editor."""
        d = {f.name: getattr(self, f.name) for f in _fields(self)}
        d["severity"] = self.severity.value
        d["suggestions"] = list(self.suggestions)
        del d["fix"]
        if self.field is None:
            del d["field"]
        return d

    @classmethod
    def from_dict(cls, d: dict) -> "Finding":
        d = dict(d)
        d["severity"] = Severity.parse(d["severity"])
        return cls(**d)

    def shifted(self, delta: int) -> "Finding":
        """A copy moved by ``delta`` characters (region offset -> document offset)."""
        from dataclasses import replace

        return replace(self, start=self.start + delta, end=self.end + delta)


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


def sort_key(f: Finding):
    return (f.field or "", f.start, f.end, f.rule)
