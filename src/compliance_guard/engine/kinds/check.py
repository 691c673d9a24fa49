"""``check: NAME`` with ``options:``: a structured check from ``checks.CHECKS`` (certificate
numbers, price arithmetic, what a listing's category requires…). Its options are validated
against the check's schema when the pack loads and prepared once per engine build; its text
runner gets the engine's TextView, unless its gate rules the text out."""
from __future__ import annotations

from dataclasses import dataclass, field

from compliance_guard.checks import CHECKS
from compliance_guard.engine.source import RuleSource, error
from compliance_guard.load.schema import SchemaError
from compliance_guard.model.finding import Finding
from compliance_guard.model.rule import Rule

KEYS = ("check", "options")


def parse(src: RuleSource, rule: Rule) -> None:
    """The check must exist and the options must be its: a misspelt key (``windw``) or a
    wrong type (``discount_tolerance: abc``) would otherwise be ignored."""
    rule.check = str(src.raw["check"])
    options = src.raw.get("options", {})
    if not isinstance(options, dict):
        raise src.error("options", "options must be a mapping")
    rule.options = dict(options)
    check = CHECKS.get(rule.check)
    if check is None:
        raise src.error("check", f"unknown check {rule.check!r} (known: {', '.join(sorted(CHECKS))})")
    try:
        check.settings(rule.options)
    except SchemaError as exc:
        line = options.key_lines.get(exc.key, options.line) if hasattr(options, "key_lines") else src.line("options")
        raise error(src.file, line, f"rule {rule.id}: {exc}") from None


def message_slots(rule: Rule):
    """Where the rule's messages are and what each may fill in (its check declares it)."""
    return CHECKS[rule.check].message_slots(rule.options)


def describe(rule: Rule) -> str:
    return f"check {rule.check}"


def words(rule: Rule) -> list[str]:
    return []


def keys(rule: Rule) -> list[tuple[int, list[str]]]:
    return []


@dataclass
class Prepared:
    """The check rules of an engine with their prepared options, by what they read."""

    text: dict = field(default_factory=dict)  # gate (None: ungated) -> [(rule, runner, prepared)]
    listing: list = field(default_factory=list)
    campaign: list = field(default_factory=list)

    def __getstate__(self):  # for the engine cache: runners are functions a check makes, found again by its name
        return {"text": {gate: _named(c) for gate, c in self.text.items()}, "listing": _named(self.listing),
                "campaign": _named(self.campaign)}

    def __setstate__(self, state):
        self.text = {gate: _runners(c, "text") for gate, c in state["text"].items()}
        self.listing, self.campaign = _runners(state["listing"], "listing"), _runners(state["campaign"], "campaign")


def _named(entries: list) -> list:
    return [(rule, None, prepared) for rule, _, prepared in entries]


def _runners(entries: list, reads: str) -> list:
    return [(rule, getattr(CHECKS[rule.check], reads), prepared) for rule, _, prepared in entries]


def build(rules: list[Rule]) -> Prepared:
    out = Prepared()
    for rule in rules:
        check = CHECKS[rule.check]
        prepared = check.prepare(check.settings(rule.options))
        if check.text is not None:
            out.text.setdefault(check.gate_for(prepared), []).append((rule, check.text, prepared))
        if check.listing is not None:
            out.listing.append((rule, check.listing, prepared))
        if check.campaign is not None:
            out.campaign.append((rule, check.campaign, prepared))
    return out


def candidates(state: Prepared, view, hits, errors) -> list:
    return []


def findings(state: Prepared, view, kept, errors) -> list[Finding]:
    """The text runners whose gate matches the normalised text."""
    out = []
    norm = view.norm.text
    for gate, checks in state.text.items():
        if gate is not None and gate.search(norm) is None:
            continue
        for rule, run, prepared in checks:
            for f in run(view, rule, prepared):
                out.append(_complete(f, rule))
    return out


def _complete(f: Finding, rule: Rule) -> Finding:
    f.rule = f.rule or rule.id
    f.pack = f.pack or rule.pack
    f.category = f.category or rule.category
    f.source = f.source or rule.source
    return f
