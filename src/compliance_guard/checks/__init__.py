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

from compliance_guard.model.finding import Finding

CheckFn = Callable[[str, "object"], Iterable[Finding]]
REGISTRY: dict[str, CheckFn] = {}
Gate = "regex.Pattern | Callable[[object], regex.Pattern | None]"
GATES: dict[str, Gate] = {}
#: Markdown emphasis around a ``label：value`` line's parts (``**售价**：99``, ``**类目：保健食品**``).
EMPHASIS = r"(?:[*_]{1,3}|~~)?"


#: The placeholders each check fills into its messages, by where the message is written: ""
#: the rule's ``message``, ``messages.KEY`` an entry of ``options.messages`` (the rule's message
#: stands in for a missing one), any other name an option holding a message. Pack loading
#: rejects a placeholder a check does not fill ({txt}) and a message key it does not use.
PLACEHOLDERS: dict[str, dict[str, frozenset[str]]] = {}


def register(name: str, gate: Gate | None = None, placeholders: dict[str, Iterable[str]] | None = None):
    def deco(fn: CheckFn) -> CheckFn:
        REGISTRY[name] = fn
        if gate is not None:
            GATES[name] = gate
        PLACEHOLDERS[name] = {k: frozenset(v) for k, v in (placeholders or {"": ("text",)}).items()}
        return fn

    return deco


def message_slots(check: str, options) -> list[tuple[str, object, frozenset[str]]] | None:
    """``(where, template, placeholders it may use)`` for every message of a ``check:`` rule
    with these options, the rule's own message as ``""`` (template None: the caller's); None
    for an unknown check (the engine reports it). Raises ValueError for a message key the
    check does not use (its ``key`` attribute names the key)."""
    load_all()
    slots = PLACEHOLDERS.get(check)
    if slots is None:
        return None
    keyed = {k.partition(".")[2]: v for k, v in slots.items() if k.startswith("messages.")}
    given = (options or {}).get("messages") or {}
    if not isinstance(given, dict):
        raise ValueError("options.messages must map message keys to messages")
    for key in given:
        if str(key) not in keyed:
            known = ", ".join(sorted(keyed)) or "none"
            error = ValueError(f"options.messages: unknown message key {key!r} (this check uses: {known})")
            error.key = key
            raise error
    out = [(f"options.messages.{k}", given[k], keyed[str(k)]) for k in given]
    fallback = [v for k, v in keyed.items() if k not in given]
    if "" in slots:
        fallback.append(slots[""])
    own = frozenset.intersection(*fallback) if fallback else frozenset(("text",))
    out.append(("message", None, own))
    out += [(f"options.{k}", (options or {}).get(k), v) for k, v in slots.items()
            if k and not k.startswith("messages.") and k in (options or {})]
    return out


def gate_for(rule) -> regex.Pattern | None:
    """The gate of a ``check:`` rule, or None when the check runs on every text."""
    gate = GATES.get(rule.check)
    return gate(rule) if callable(gate) else gate


def load_all() -> dict[str, CheckFn]:
    for mod in pkgutil.iter_modules(__path__):
        importlib.import_module(f"{__name__}.{mod.name}")
    return REGISTRY
