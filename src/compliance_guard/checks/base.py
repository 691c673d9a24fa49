"""What a structured check declares, and the helpers its findings share.

A pack rule ``check: NAME`` with ``options:`` names a Check from ``checks.CHECKS``. The check
declares

- ``options``: its schema (load.schema): a misspelt key or a value of the wrong type is a
  pack error naming the file, the line and the key, when the pack loads;
- ``prepare(options)``: the options (validated, defaults filled) turned into what ``run``
  needs (word lists folded, regexes compiled), once per engine build;
- a runner per input it reads: ``text(view, rule, prepared)`` over the engine's TextView of a
  text, ``listing(fields, rule, prepared)`` over a listing's FieldViews, ``campaign(review,
  rule, prepared)`` over a campaign under review; each returns Findings;
- ``gate``: a regex over the normalised text that must match for the text runner to find
  anything (or a function of the prepared options giving one): the engine searches each gate
  once per text and skips the checks whose gate fails;
- ``fills``: the placeholders it fills into each of the rule's messages, by where the message
  is written ("" the rule's ``message``, ``messages.KEY`` an entry of ``options.messages``,
  any other name an option holding a message). Pack loading rejects any other placeholder.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from compliance_guard.load.schema import Schema, validate
from compliance_guard.model.finding import Finding, Severity

Runner = Callable[[Any, Any, Any], Iterable[Finding]]
INPUTS = ("text", "listing", "campaign")
#: Markdown emphasis around a ``label：value`` line's parts (``**售价**：99``, ``**类目：保健食品**``).
EMPHASIS = r"(?:[*_]{1,3}|~~)?"


def _as_is(options: dict) -> dict:
    return options


@dataclass(frozen=True)
class Check:
    name: str
    options: Schema = field(default_factory=dict)
    prepare: Callable[[dict], Any] = _as_is
    text: Runner | None = None
    listing: Runner | None = None
    campaign: Runner | None = None
    gate: Any = None  # a regex, or a function of the prepared options returning one (or None)
    fills: Mapping[str, Iterable[str]] = field(default_factory=lambda: {"": ("text",)})

    @property
    def inputs(self) -> tuple[str, ...]:
        return tuple(name for name in INPUTS if getattr(self, name) is not None)

    def settings(self, options: Mapping | None) -> dict:
        """``options`` checked against the schema, defaults filled (SchemaError otherwise)."""
        return validate(options, self.options)

    def gate_for(self, prepared):
        return self.gate(prepared) if callable(self.gate) else self.gate

    def message_slots(self, options: Mapping | None) -> list[tuple[str, object, frozenset[str]]]:
        """``(where, template, placeholders it may use)`` for every message of a rule of this
        check with these options; the rule's own message as ``"message"`` with template None
        (the caller's). Raises ValueError for a message key the check does not use (its
        ``key`` attribute names the key)."""
        slots = {k: frozenset(v) for k, v in self.fills.items()}
        keyed = {k.partition(".")[2]: v for k, v in slots.items() if k.startswith("messages.")}
        given = (options or {}).get("messages") or {}
        if not isinstance(given, Mapping):
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


def fill(template: str, **values) -> str:
    """``template`` with each ``{name}`` replaced (numbers without trailing zeros: 99, 4.97)."""
    for key, value in values.items():
        template = template.replace("{" + key + "}", amount(value) if isinstance(value, float) else str(value))
    return template


def amount(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".")


def finding(rule, text: str, start: int, end: int, message: str, severity: Severity | None = None,
            field_name: str | None = None) -> Finding:
    """A finding of ``rule`` at ``text[start:end]`` (its ``"*"`` suggestions, its source)."""
    return Finding(
        rule=rule.id, pack=rule.pack, category=rule.category, severity=severity or rule.severity,
        message=message, text=text[start:end], start=start, end=end,
        suggestions=list(rule.suggest.get("*", [])), source=rule.source, field=field_name,
    )
