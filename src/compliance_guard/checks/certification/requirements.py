"""What a listing must show for its category (食品 an SC number, 保健食品 a
registration or filing number and 「本品不能代替药物」, 化妆品 with special claims a special
registration, 医疗器械 a registration or filing, cross-border goods the standards notice).

Which categories need what comes from each rule's options (``rules/certification.yaml``). A
listing is checked field by field; a free text is held to a requirement only on explicit
evidence: a ``类目：…`` line (a listing pasted as text) or a number that shows the product type
(``text_evidence``: a 保健食品 number makes the text a 保健食品 advertisement).
"""
from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

import regex

from compliance_guard.checks.base import EMPHASIS, Check, fill, finding
from compliance_guard.checks.certification.grammar import (
    BARE_DIGITS,
    NUMBER_KINDS,
    TRIGGER,
    CertNumber,
    compact,
    find_in_normalized,
)
from compliance_guard.load.schema import Option, choices, mapping, regexes, string, strings
from compliance_guard.model.finding import Finding
from compliance_guard.text import lazyre
from compliance_guard.text.view import FieldViews, TextView

_KINDS = Option(choices(*NUMBER_KINDS), (), "certificate kinds (sc, health_reg, cosmetic_special, …)")
OPTIONS = {
    "category_labels": Option(strings, (), "labels of a 「类目：…」 line in a listing pasted as text"),
    "category_field": Option(string, "category", "the listing field that holds the category"),
    "truthy": Option(strings, (), "values of a flag field that mean yes (default 1, true, yes, y, 是)"),
    "number_fields": Option(mapping(strings, keys=NUMBER_KINDS), {},
                            "certificate kind -> listing fields that hold such a number, possibly without prefix"),
    "categories": Option(strings, (), "categories (substrings, normalised) the requirement applies to"),
    "exempt_categories": Option(strings, (), "categories exempt from it"),
    "flags": Option(strings, (), "flag fields that put a listing in scope when truthy"),
    "exempt_flags": Option(strings, (), "flag fields that exempt a listing when truthy"),
    "claims": Option(strings, (), "claims that bring a listing in scope (only listings making one)"),
    "claim_allow": Option(regexes, (), "contexts in which a claim is not made (不含美白)"),
    "require_numbers": Option(choices(*NUMBER_KINDS), (), "any of these certificate kinds satisfies the requirement"),
    "require_text": Option(strings, (), "phrases one of which must be shown"),
    "require_patterns": Option(regexes, (), "patterns one of which must match"),
    "conflict_numbers": Option(choices(*NUMBER_KINDS), (), "numbers whose presence is named in conflict_message"),
    "conflict_message": Option(string, "", "the message when a conflicting number is shown"),
    "text_evidence": Option(choices(*NUMBER_KINDS), (), "numbers that make a free text a listing of the category"),
}
_FILLS = ("text", "category", "claim", "number")  # what _evaluate fills in
#: A free text is held to a category requirement through a number or a 「类目：…」 line.
GATE = lazyre.compile(TRIGGER.pattern + "|:")


@dataclass
class Requirement:
    """A category-requirement rule's options, folded and compiled once: what it requires of whom."""

    categories: list[str]
    exempt_categories: list[str]
    flags: tuple[str, ...]
    exempt_flags: tuple[str, ...]
    truthy: set[str]
    claim_re: regex.Pattern | None
    claim_allow: list[regex.Pattern]
    require_numbers: set[str]
    require_text: list[str]
    require_patterns: list[regex.Pattern]
    conflict_numbers: set[str]
    conflict_message: str
    text_evidence: set[str]
    category_line: regex.Pattern | None
    category_field: str
    number_fields: dict[str, str]  # field name -> number kind

    @property
    def kinds(self) -> set[str]:
        return self.require_numbers | self.conflict_numbers | self.text_evidence

    @classmethod
    def build(cls, o: Mapping) -> Requirement:
        def folded(key: str) -> list[str]:
            return [f for f in (compact(w) for w in o[key]) if f]

        claims = sorted(set(folded("claims")), key=len, reverse=True)
        line = None
        if o["category_labels"]:
            alt = "|".join(regex.escape(lab) for lab in o["category_labels"])
            # on the ORIGINAL text: normalisation joins lines between Han characters
            line = regex.compile(
                rf"(?m)^[ \t\u3000]*{EMPHASIS}(?:{alt}){EMPHASIS}[ \t\u3000]*[:：][ \t\u3000]*{EMPHASIS}"
                rf"(?P<v>[^\r\n]*?){EMPHASIS}[ \t\u3000\r]*$",
                regex.IGNORECASE)
        number_fields = {name: kind for kind, names in o["number_fields"].items() for name in names}
        return cls(
            categories=folded("categories"), exempt_categories=folded("exempt_categories"),
            flags=o["flags"], exempt_flags=o["exempt_flags"],
            truthy=set(folded("truthy")) or {"1", "true", "yes", "y", "是"},
            claim_re=regex.compile("|".join(regex.escape(c) for c in claims)) if claims else None,
            claim_allow=[regex.compile(p, regex.IGNORECASE) for p in o["claim_allow"]],
            require_numbers=set(o["require_numbers"]),
            require_text=folded("require_text"),
            require_patterns=[regex.compile(p, regex.IGNORECASE) for p in o["require_patterns"]],
            conflict_numbers=set(o["conflict_numbers"]),
            conflict_message=o["conflict_message"],
            text_evidence=set(o["text_evidence"]),
            category_line=line,
            category_field=o["category_field"],
            number_fields=number_fields,
        )

    def truthy_flag(self, fields: Mapping[str, object], names: Iterable[str]) -> bool:
        return any(fields.get(n) is not None and compact(str(fields[n])) in self.truthy for n in names)

    def category_matches(self, category: str, names: list[str]) -> bool:
        c = compact(category)
        return any(n in c for n in names)


@dataclass
class _Where:
    field: str | None
    text: str  # the original text the span refers to
    start: int
    end: int

    @property
    def value(self) -> str:
        return self.text[self.start:self.end]


class _Listing:
    """The texts one rule reads (a listing's fields, or one free text) with their numbers of
    the rule's kinds; ``numbers_of(name, view)`` gives a field's numbers (normalised offsets)."""

    def __init__(self, views: Mapping[str, TextView], kinds: Iterable[str], numbers_of: Callable,
                 bare_kinds: Iterable[str] = ()):
        self.views = {k: v for k, v in views.items() if v.original}
        kinds = set(kinds)
        self.numbers: dict[str, list[CertNumber]] = {
            k: [n for n in numbers_of(k, v) if n.kind in kinds] for k, v in self.views.items()
        } if kinds else {}
        self.kinds_present = {n.kind for ns in self.numbers.values() for n in ns} | set(bare_kinds)

    def first_number(self, kinds: Iterable[str]) -> _Where | None:
        kinds = set(kinds)
        for name, ns in self.numbers.items():
            for n in ns:
                if n.kind in kinds:
                    s, e = self.views[name].plain.span(n.start, n.end)
                    return _Where(name, self.views[name].original, s, e)
        return None

    def has_text(self, phrases: list[str], patterns: list[regex.Pattern]) -> bool:
        for view in self.views.values():
            n = view.plain
            flat = regex.sub(r"\s+", "", n.text)
            if any(p in flat for p in phrases) or any(p.search(n.text) for p in patterns):
                return True
        return False

    def claims(self, spec: Requirement) -> list[tuple[str, _Where]]:
        found = []
        for name, view in self.views.items():
            n = view.plain
            allowed = [m.span() for p in spec.claim_allow for m in p.finditer(n.text)]
            for m in spec.claim_re.finditer(n.text):
                if any(s <= m.start() and m.end() <= e for s, e in allowed):
                    continue
                s, e = n.span(m.start(), m.end())
                found.append((m.group(), _Where(name, view.original, s, e)))
        return found


def _evaluate(rule, spec: Requirement, listing: _Listing, category: str | None, where_category: _Where | None,
              flags: Mapping[str, object]) -> list[Finding]:
    """The finding of one requirement rule for one listing (or one free text), if any."""
    present = listing.kinds_present
    evidence = spec.text_evidence & present
    in_scope = (bool(category) and spec.category_matches(category, spec.categories)) or bool(evidence)
    if not (in_scope or spec.truthy_flag(flags, spec.flags)):
        return []
    if category and spec.category_matches(category, spec.exempt_categories):
        return []
    if spec.truthy_flag(flags, spec.exempt_flags):
        return []
    claims = listing.claims(spec) if spec.claim_re is not None else []
    if spec.claim_re is not None and not claims:
        return []
    numbers_ok = not spec.require_numbers or bool(spec.require_numbers & present)
    text_ok = not (spec.require_text or spec.require_patterns) or listing.has_text(
        spec.require_text, spec.require_patterns)
    if numbers_ok and text_ok:
        return []
    conflict = listing.first_number(spec.conflict_numbers) if spec.conflict_numbers & present else None
    message = spec.conflict_message if conflict and spec.conflict_message else rule.message
    if claims:
        claim, where = claims[0]
    else:
        claim, where = "", where_category or listing.first_number(evidence or present)
    where = where or _Where(None, "", 0, 0)
    msg = fill(message, text=where.value, category=category or "", claim=claim,
               number=conflict.value if conflict else "")
    return [finding(rule, where.text, where.start, where.end, msg, field_name=where.field)]


def _in_text(view: TextView, rule, spec: Requirement) -> list[Finding]:
    """A requirement in a free text: only on a ``类目：…`` line or ``text_evidence``."""
    text = view.original
    # a lone CR ends a line too (same length, so the offsets hold)
    m = spec.category_line.search(text.replace("\r", "\n")) if spec.category_line is not None else None
    where = _Where(None, text, m.start("v"), m.end("v")) if m and m["v"] else None
    if where is None and not spec.text_evidence:
        return []
    listing = _Listing({"text": view}, spec.kinds, lambda name, v: find_in_normalized(v.plain.text, spec.kinds))
    found = _evaluate(rule, spec, listing, where.value if where else None, where, {})
    for f in found:
        f.field = None
    return found


def _field_numbers(fields: FieldViews):
    """Every field's numbers, found once per listing for all the requirement rules."""
    memo = fields.memo.setdefault("certification.numbers", {})

    def numbers_of(name: str, view: TextView) -> list[CertNumber]:
        if name not in memo:
            memo[name] = find_in_normalized(view.plain.text, NUMBER_KINDS)
        return memo[name]

    return numbers_of


def _in_listing(fields: FieldViews, rule, spec: Requirement) -> list[Finding]:
    """A requirement over a listing's fields; a finding about a missing item spans the category
    value (``category_field``). A number field (``number_fields``) holding digits only counts
    as a number of its kind."""
    texts = {k: v for k, v in fields.fields.items() if isinstance(v, str)}
    category = fields.category if fields.category is not None else texts.get(spec.category_field)
    bare = [kind for name, kind in spec.number_fields.items()
            if name in texts and BARE_DIGITS.fullmatch(fields.view(name).plain.text.strip())]
    views = {k: fields.view(k) for k in texts if k != spec.category_field}
    listing = _Listing(views, spec.kinds, _field_numbers(fields), bare)
    where = _Where(spec.category_field, category, 0, len(category)) if category else None
    return _evaluate(rule, spec, listing, category, where, fields.fields)


CATEGORY_REQUIREMENT = Check(
    "category-requirement", options=OPTIONS, prepare=Requirement.build, text=_in_text, listing=_in_listing, gate=GATE,
    fills={"": _FILLS, "conflict_message": _FILLS})
