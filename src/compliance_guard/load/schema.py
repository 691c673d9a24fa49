"""Declarative schemas: each key's type and default, checked with one-line errors.

A schema maps key names to Options. ``validate`` rejects an unknown key (naming the keys the
schema knows) and a value of the wrong type (saying what was expected), and fills in the
defaults, so that the code that uses the values never guesses. The types are small
converters: each takes the value as YAML gave it and returns it checked (and normalised, as a
tuple of strings for a list), or raises ValueError saying what it expected.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from compliance_guard.model.finding import Severity


class SchemaError(ValueError):
    """A key the schema does not know, or a value of the wrong type; ``key`` names it."""

    def __init__(self, key: str, message: str):
        super().__init__(message)
        self.key = key


@dataclass(frozen=True)
class Option:
    """One key: how its value is checked, and its value when it is not given."""

    type: Callable[[Any], Any]
    default: Any = None
    doc: str = ""


Schema = Mapping[str, Option]


def validate(values: Mapping | None, schema: Schema, what: str = "options") -> dict:
    """``values`` checked against ``schema``, with the defaults of the keys not given."""
    values = values or {}
    if not isinstance(values, Mapping):
        raise SchemaError("", f"{what} must be a mapping of names to values")
    out = {}
    for key, value in values.items():
        option = schema.get(str(key))
        if option is None:
            import difflib

            close = difflib.get_close_matches(str(key), list(schema), n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            known = ", ".join(sorted(schema)) or "none"
            raise SchemaError(str(key), f"{what}: unknown key {key!r}{hint}; this check takes: {known}")
        if value is None:  # a key written without a value: its default
            continue
        try:
            out[str(key)] = option.type(value)
        except ValueError as exc:
            raise SchemaError(str(key), f"{what}: {key}: {exc}, not {value!r}") from None
    for key, option in schema.items():
        out.setdefault(key, option.default)
    return out


# -- types ------------------------------------------------------------------------------------

def _is_number(v) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def number(v) -> float:
    """Any number (``0.5``, ``30``)."""
    if not _is_number(v):
        raise ValueError("expected a number")
    return float(v)


def whole(v) -> int:
    """A whole number >= 0."""
    if not _is_number(v) or v < 0 or int(v) != v:
        raise ValueError("expected a whole number >= 0")
    return int(v)


def boolean(v) -> bool:
    if not isinstance(v, bool):
        raise ValueError("expected true or false")
    return v


def string(v) -> str:
    if isinstance(v, bool) or not isinstance(v, (str, int, float)):
        raise ValueError("expected a string")
    return str(v)


def strings(v) -> tuple[str, ...]:
    """A string or a list of strings (numbers are read as their text); blank ones dropped."""
    if v is None:
        return ()
    if isinstance(v, (str, int, float)) and not isinstance(v, bool):
        v = [v]
    if not isinstance(v, list):
        raise ValueError("expected a list of strings")
    for item in v:
        if isinstance(item, bool):
            raise ValueError("expected a list of strings (a bare yes/no/on/off/true/false is read as a boolean; "
                             "quote it)")
        if not isinstance(item, (str, int, float)):
            raise ValueError("expected a list of strings")
    return tuple(str(item) for item in v if str(item).strip())


def choices(*allowed: str) -> Callable[[Any], tuple[str, ...]]:
    """A list of strings, each one of ``allowed``."""
    def check(v) -> tuple[str, ...]:
        items = strings(v)
        for item in items:
            if item not in allowed:
                raise ValueError(f"{item!r} is none of {', '.join(allowed)}")
        return items

    return check


def regexes(v) -> tuple[str, ...]:
    """Regular expressions (compiled where they are used, with its flags)."""
    import regex

    items = strings(v)
    for item in items:
        try:
            regex.compile(item)
        except regex.error as exc:
            raise ValueError(f"invalid regex {item!r}: {exc}") from None
    return items


def severity_or_off(v) -> Severity | None:
    """error, warning or info; off (also none, false, a bare off/no) for no finding."""
    if v is None or v is False or str(v).lower() in ("off", "none", "false"):
        return None
    try:
        return Severity.parse(str(v))
    except ValueError:
        raise ValueError("expected error, warning, info or off") from None


def mapping(values: Callable[[Any], Any], keys: Iterable[str] | None = None) -> Callable[[Any], dict]:
    """A mapping whose values pass ``values`` (and whose keys are among ``keys``, when given)."""
    known = tuple(keys) if keys is not None else None

    def check(v) -> dict:
        if v is None:
            return {}
        if not isinstance(v, Mapping):
            raise ValueError("expected a mapping")
        out = {}
        for key, value in v.items():
            if known is not None and str(key) not in known:
                raise ValueError(f"unknown key {key!r} (known: {', '.join(known)})")
            try:
                out[str(key)] = values(value)
            except ValueError as exc:
                raise ValueError(f"{key}: {exc}") from None
        return out

    return check
