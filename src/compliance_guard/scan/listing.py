"""Checking one listing: the text packs on its text fields, the number checks on its number
fields, the listing checks (price fields, category requirements) on the whole; every finding
carries its field and a line and column within that field's value."""
from __future__ import annotations

import functools
from dataclasses import replace

from compliance_guard.checks import CHECKS
from compliance_guard.checks.certification.numbers import NUMBER_CHECKS
from compliance_guard.checks.certification.reading import may_hold_numbers
from compliance_guard.engine import Engine
from compliance_guard.model.finding import Finding
from compliance_guard.model.listing import FIELDS, NUMBER_FIELDS, TEXT_FIELDS, Listing
from compliance_guard.text.lines import LineIndex
from compliance_guard.text.view import FieldViews


class ListingChecker:
    """Everything that runs on one listing, built once per process from an Engine."""

    def __init__(self, engine):
        self.engine = engine
        # Number fields get the number-format checks only: a requirement rule would read a
        # lone 国食健注 number as a whole advertisement.
        rules = [r for r in engine.rules
                 if r.kind == "check" and r.category == "certification" and r.check != "category-requirement"]
        numbers = {r.id: r.severity.value for r in rules}
        self.number_engine = Engine(engine.packset, select=numbers, severity=numbers) if numbers else None
        # with number checks alone, a field without a number's prefix has no finding to look for
        self._numbers_only = all(any(CHECKS[r.check] is c for c in NUMBER_CHECKS) for r in rules)
        # a function of the field's text alone, and a catalogue repeats a few licence numbers
        # (one per producer) row after row
        self._number_findings = functools.lru_cache(maxsize=1024)(self._check_number)

    def check(self, listing: Listing) -> list[Finding]:
        findings: list[Finding] = []
        for name in TEXT_FIELDS:
            text = listing.fields.get(name)
            if text:
                findings.extend(_in_field(self.engine.check(text), name))
        views = FieldViews(listing.fields)
        if self.number_engine is not None:
            for name in NUMBER_FIELDS:
                text = listing.fields.get(name)
                if text and (not self._numbers_only or may_hold_numbers(views.view(name))):
                    findings.extend(replace(f, field=name, suggestions=list(f.suggestions))
                                    for f in self._number_findings(text))
        for f in self.engine.check_listing(views):
            findings.append(self._locate(f, listing))
        return sorted(_dedupe(findings), key=_order)

    def _check_number(self, text: str) -> tuple[Finding, ...]:
        """The number rules' findings in one number field's text (copied before use)."""
        return tuple(self.number_engine.check(text))

    @staticmethod
    def _locate(f: Finding, listing: Listing) -> Finding:
        """Line/column within the field; a finding about the listing as a whole (a flag with
        no field to point at) is reported on the field ``listing`` at 1:1."""
        if not f.field or f.field not in listing.fields:
            f.field, f.start, f.end, f.text = "listing", 0, 0, ""
        LineIndex(listing.fields.get(f.field, "")).locate(f)
        return f


def _in_field(findings: list[Finding], name: str) -> list[Finding]:
    for f in findings:
        f.field = name
    return findings


def _dedupe(findings: list[Finding]) -> list[Finding]:
    seen, out = set(), []
    for f in findings:
        key = (f.rule, f.field, f.start, f.end)
        if key not in seen:
            seen.add(key)
            out.append(f)
    return out


_FIELD_ORDER = {name: i for i, name in enumerate(FIELDS)}


def _order(f: Finding):
    return (_FIELD_ORDER.get(f.field or "", len(FIELDS)), f.field or "", f.start, f.end, f.rule)
