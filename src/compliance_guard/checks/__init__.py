"""Structured checks: rules whose logic needs more than a term list.

A pack rule ``check: NAME`` calls the function registered here under NAME with the
ORIGINAL text and the Rule (whose ``options`` come from the YAML). Modules register on
import; ``load_all`` imports every check module once.

A check may register a ``gate``: a regex over the NORMALISED text that must match for the
check to find anything (a certificate prefix, an ASCII digit), or a function of the rule that
returns one (a gate made of the rule's own keywords). The engine searches each gate once per
text and skips the checks whose gate fails, so the two dozen check rules cost next to nothing
on text that holds no number.
"""
from __future__ import annotations

import importlib
import pkgutil
from typing import Callable, Iterable

import regex

from ..findings import Finding

CheckFn = Callable[[str, "object"], Iterable[Finding]]
REGISTRY: dict[str, CheckFn] = {}
Gate = "regex.Pattern | Callable[[object], regex.Pattern | None]"
GATES: dict[str, Gate] = {}
#: Markdown emphasis around a ``label：value`` line's parts (``**售价**：99``, ``**类目：保健食品**``).
EMPHASIS = r"(?:[*_]{1,3}|~~)?"


def register(name: str, gate: Gate | None = None):
    def deco(fn: CheckFn) -> CheckFn:
        REGISTRY[name] = fn
        if gate is not None:
            GATES[name] = gate
        return fn

    return deco


def gate_for(rule) -> regex.Pattern | None:
    """The gate of a ``check:`` rule, or None when the check runs on every text."""
    gate = GATES.get(rule.check)
    return gate(rule) if callable(gate) else gate


def load_all() -> dict[str, CheckFn]:
    for mod in pkgutil.iter_modules(__path__):
        importlib.import_module(f"{__name__}.{mod.name}")
    return REGISTRY
