"""The one result type: every check, scorer and formatter speaks ``Finding``."""
from __future__ import annotations

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


def sort_key(f: Finding):
    return (f.field or "", f.start, f.end, f.rule)
