"""The one result type: every check, scorer and formatter speaks ``Finding``."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from dataclasses import fields as _fields
from enum import Enum


class Severity(str, Enum):
    """error > warning > info: THE one order of severities (``rank``), used by every exit
    status, formatter and summary."""

    INFO = "info"
    WARNING = "warning"
    ERROR = "error"

    @property
    def rank(self) -> int:
        return _RANK[self]

    @classmethod
    def parse(cls, value: str | Severity) -> Severity:
        if isinstance(value, Severity):
            return value
        try:
            return cls(str(value).lower())
        except ValueError:
            raise ValueError(f"unknown severity {value!r} (expected error, warning or info)") from None

    @classmethod
    def worst(cls, severities: Iterable[Severity | str]) -> Severity | None:
        found = [cls.parse(s) for s in severities]
        return max(found, key=lambda s: s.rank) if found else None

    def reaches(self, fail_on: str) -> bool:
        """Whether a finding of this severity fails a run at ``fail_on`` (never: none does)."""
        return fail_on != "never" and self.rank >= Severity.parse(fail_on).rank


_RANK = {Severity.INFO: 1, Severity.WARNING: 2, Severity.ERROR: 3}


def exit_status(severities: Iterable[Severity | str], fail_on: str, failed: bool = False) -> int:
    """THE exit status of a run: 1 when something could not be read or checked (``failed``) or
    a severity reaches ``fail_on``, else 0 (usage errors, 2, are the CLI's)."""
    if failed:
        return 1
    return 1 if any(Severity.parse(s).reaches(fail_on) for s in severities) else 0


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



def sort_key(f: Finding):
    return (f.field or "", f.start, f.end, f.rule)
