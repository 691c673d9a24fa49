"""A campaign file as read: its values, each with where it sits in the file."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class Value:
    """One validated value and where it sits in the file."""

    value: Any
    path: str
    line: int
    span: tuple[int, int] | None


@dataclass
class Entry:
    path: str
    line: int
    values: dict[str, Value] = field(default_factory=dict)

    def get(self, key: str, default=None):
        v = self.values.get(key)
        return default if v is None else v.value

    def __contains__(self, key: str) -> bool:
        return key in self.values


@dataclass
class Campaign:
    path: str
    text: str
    top: Entry
    products: list[Entry] = field(default_factory=list)
    coupons: list[Entry] = field(default_factory=list)
    mechanics: list[Entry] = field(default_factory=list)
    metrics: Entry | None = None
    problems: list[str] = field(default_factory=list)
