"""Reading a rule's keys from its YAML mapping, each problem one line naming ``file:line``."""
from __future__ import annotations

from typing import Any

import regex

from compliance_guard.text.lazyre import LazyPattern

REGEX_FLAGS = regex.V0 | regex.IGNORECASE


class PackError(Exception):
    """A rule-pack problem, already formatted as ``file:line: message``."""


def error(file: str, line: int, msg: str) -> PackError:
    return PackError(f"{file}:{line}: {msg}")


class RuleSource:
    """One rule's mapping in a pack file: its keys' lines and one-line errors about them."""

    def __init__(self, raw, file: str, rule_id: str, lazy: bool, classes: dict | None = None):
        self.raw, self.file, self.id, self.lazy = raw, file, rule_id, lazy
        self.classes = classes or {}  # the word classes slots rules may name

    def line(self, key: str | None = None) -> int:
        return self.raw.key_lines.get(key, self.raw.line) if key else self.raw.line

    def error(self, key: str | None, msg: str) -> PackError:
        """``file:line: rule ID: msg`` at the line of ``key`` (the rule's own line for None)."""
        return error(self.file, self.line(key), f"rule {self.id}: {msg}")

    def strings(self, key: str, value: Any = None, what: str | None = None, line: int | None = None) -> list[str]:
        value = self.raw.get(key, []) if value is None else value
        return str_list(value, self.file, self.line(key) if line is None else line, what or f"rule {self.id}: {key}")

    def regex(self, pattern: Any, key: str, what: str, line: int | None = None):
        return compile_regex(pattern, self.file, self.line(key) if line is None else line, what, self.lazy)


def str_list(value: Any, file: str, line: int, what: str) -> list[str]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, (str, int, float)) for v in value):
        raise error(file, line, f"{what} must be a list of strings")
    if any(isinstance(v, bool) for v in value):  # YAML 1.1 reads no/yes/on/off as booleans
        raise error(file, line, f"{what}: a bare yes/no/on/off/true/false is read as a boolean; quote it")
    return [str(v) for v in value]


def compile_regex(pattern: Any, file: str, line: int, what: str, lazy: bool = False):
    """A regex of a pack; ``lazy`` (the tested built-in packs) compiles it on first use."""
    if not isinstance(pattern, str) or not pattern:
        raise error(file, line, f"{what} must be a non-empty regular expression string")
    if lazy:
        return LazyPattern(pattern, REGEX_FLAGS)
    try:
        return regex.compile(pattern, REGEX_FLAGS)
    except regex.error as exc:
        raise error(file, line, f"invalid regex in {what} {pattern!r}: {exc}") from None
