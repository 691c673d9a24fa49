"""A document as read: its text and what is not checked in it."""
from __future__ import annotations

from dataclasses import dataclass, field

MASK = "\ue000"  # private use: not filler, not a term character; blocks matches across it


@dataclass
class Cue:
    start_ms: int
    end_ms: int
    start: int  # offsets of the cue text in the document
    end: int


@dataclass
class Document:
    path: str
    text: str
    kind: str = "text"  # text | markdown | srt
    masked: list[tuple[int, int]] = field(default_factory=list)
    cues: list[Cue] = field(default_factory=list)

    @property
    def check_text(self) -> str:
        """The text with unchecked spans masked one-for-one (same length, same offsets)."""
        if not self.masked:
            return self.text
        chars = list(self.text)
        for s, e in self.masked:
            for i in range(s, e):
                if chars[i] not in "\r\n":
                    chars[i] = MASK
        return "".join(chars)
