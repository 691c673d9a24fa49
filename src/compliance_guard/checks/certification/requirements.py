"""What a listing must show for its category (食品 an SC number, 保健食品 a
registration or filing number and 「本品不能代替药物」, 化妆品 with special claims a special
registration, 医疗器械 a registration or filing, cross-border goods the standards notice).

Which categories need what comes from each rule's options (``rules/certification.yaml``). A
listing is checked field by field; a free text is held to a requirement only on explicit
evidence: a ``类目：…`` line (a listing pasted as text) or a number that shows the product type
(``text_evidence``: a 保健食品 number makes the text a 保健食品 advertisement).
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import regex

from compliance_guard.checks.base import EMPHASIS, Check, fill, finding
from compliance_guard.checks.certification.grammar import NUMBER_KINDS, TRIGGER, CertNumber, compact
from compliance_guard.checks.certification.numbers import is_bare
from compliance_guard.checks.certification.reading import may_hold_numbers, numbers_in
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
_SPACE_RUNS = lazyre.compile(r"\s+")  # compiled once: regex.sub looks its pattern up on every call


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
    kinds: frozenset[str] = frozenset()  # the numbers it reads: required, conflicting, evidence
    bare_key: tuple = ()  # number_fields as a key (rules with the same ones share what they find)
    _scopes: dict = field(default_factory=dict, repr=False)  # category -> scope(category)

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
            kinds=frozenset(o["require_numbers"]) | frozenset(o["conflict_numbers"]) | frozenset(o["text_evidence"]),
            bare_key=tuple(number_fields.items()),
        )

    def truthy_flag(self, fields: Mapping[str, object], names: Iterable[str]) -> bool:
        return any(fields.get(n) is not None and compact(str(fields[n])) in self.truthy for n in names)

    def scope(self, category: str) -> tuple[bool, bool]:
        """Whether ``category`` is one of ``categories``, and one of ``exempt_categories``;
        remembered, as a catalogue repeats a few categories row after row."""
        found = self._scopes.get(category)
        if found is None:
            if len(self._scopes) >= 4096:
                self._scopes.clear()
            c = compact(category)
            found = self._scopes[category] = (any(n in c for n in self.categories),
                                              any(n in c for n in self.exempt_categories))
        return found


@dataclass
class _Where:
    field: str | None
    text: str  # the original text the span refers to
    start: int
    end: int

    @property
    def value(self) -> str:
        return self.text[self.start:self.end]


class _Texts:
    """The texts of one listing (its fields but the category) or of one free text, as all the
    requirement rules read them: which texts may hold a number, and which number fields hold
    digits only, are worked out once, when a rule first asks."""

    def __init__(self, views: dict[str, TextView], texts: Mapping[str, str] | None = None):
        self.views = views
        self.texts = texts or {}  # a listing's text fields, the category too
        self._holding: dict[str, TextView] | None = None
        self._bare: dict[tuple, frozenset[str]] = {}

    def holding(self) -> dict[str, TextView]:
        """The views that may hold a number (``reading.may_hold_numbers``), in field order."""
        if self._holding is None:
            self._holding = {k: v for k, v in self.views.items() if may_hold_numbers(v)}
        return self._holding

    def bare_kinds(self, spec: Requirement, fields: FieldViews | None) -> frozenset[str]:
        """The kinds of ``spec.number_fields`` whose field holds digits only (a listing's; kept
        here, not its FieldViews, which keeps this object: no reference cycle per listing)."""
        found = self._bare.get(spec.bare_key)
        if found is None:
            found = self._bare[spec.bare_key] = frozenset(
                kind for name, kind in spec.number_fields.items()
                if fields is not None and name in self.texts and is_bare(fields.view(name)))
        return found


class _Listing:
    """What one rule reads of the texts: their numbers of the rule's kinds (normalised offsets),
    looked for only when the rule asks (most listings are out of a rule's scope by their
    category alone); each text is parsed once for all the rules (``reading.numbers_in``)."""

    def __init__(self, texts: _Texts, spec: Requirement, fields: FieldViews | None = None):
        self.texts = texts
        self.views = texts.views
        self.spec = spec
        self.fields = fields
        self._numbers: dict[str, list[CertNumber]] | None = None
        self._present: set[str] | None = None

    @property
    def numbers(self) -> dict[str, list[CertNumber]]:
        """Numbers of the rule's kinds by text; the texts without any are left out."""
        if self._numbers is None:
            kinds = self.spec.kinds
            self._numbers = {k: numbers_in(v, kinds) for k, v in self.texts.holding().items()} if kinds else {}
        return self._numbers

    @property
    def kinds_present(self) -> set[str]:
        if self._present is None:
            self._present = ({n.kind for ns in self.numbers.values() for n in ns}
                             | self.texts.bare_kinds(self.spec, self.fields))
        return self._present

    def present(self, kinds: set[str]) -> set[str]:
        """Which of ``kinds`` the texts show (nothing is looked for when ``kinds`` is empty)."""
        return kinds & self.kinds_present if kinds else set()

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
            flat = _SPACE_RUNS.sub("", n.text)
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
    """The finding of one requirement rule for one listing (or one free text), if any; the
    texts are read only as far as the answer needs them."""
    in_category, exempt_category = spec.scope(category) if category else (False, False)
    in_scope = in_category or bool(listing.present(spec.text_evidence))
    if not (in_scope or spec.truthy_flag(flags, spec.flags)):
        return []
    if exempt_category:
        return []
    if spec.truthy_flag(flags, spec.exempt_flags):
        return []
    claims = listing.claims(spec) if spec.claim_re is not None else []
    if spec.claim_re is not None and not claims:
        return []
    numbers_ok = not spec.require_numbers or bool(listing.present(spec.require_numbers))
    text_ok = not (spec.require_text or spec.require_patterns) or listing.has_text(
        spec.require_text, spec.require_patterns)
    if numbers_ok and text_ok:
        return []
    conflict = listing.first_number(spec.conflict_numbers) if listing.present(spec.conflict_numbers) else None
    message = spec.conflict_message if conflict and spec.conflict_message else rule.message
    if claims:
        claim, where = claims[0]
    else:
        claim, where = "", where_category or listing.first_number(listing.present(spec.text_evidence)
                                                                   or listing.kinds_present)
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
    listing = _Listing(_Texts({"text": view} if text else {}), spec)
    found = _evaluate(rule, spec, listing, where.value if where else None, where, {})
    for f in found:
        f.field = None
    return found


def _texts(fields: FieldViews, category_field: str) -> _Texts:
    """The listing's texts, once per listing for all the requirement rules."""
    key = ("certification.texts", category_field)
    found = fields.memo.get(key)
    if found is None:
        texts = {k: v for k, v in fields.fields.items() if isinstance(v, str)}
        views = {k: fields.view(k) for k, v in texts.items() if v and k != category_field}
        found = fields.memo[key] = _Texts(views, texts)
    return found


def _in_listing(fields: FieldViews, rule, spec: Requirement) -> list[Finding]:
    """A requirement over a listing's fields; a finding about a missing item spans the category
    value (``category_field``). A number field (``number_fields``) holding digits only counts
    as a number of its kind."""
    texts = _texts(fields, spec.category_field)
    category = fields.category if fields.category is not None else texts.texts.get(spec.category_field)
    listing = _Listing(texts, spec, fields)
    where = _Where(spec.category_field, category, 0, len(category)) if category else None
    return _evaluate(rule, spec, listing, category, where, fields.fields)


CATEGORY_REQUIREMENT = Check(
    "category-requirement", options=OPTIONS, prepare=Requirement.build, text=_in_text, listing=_in_listing, gate=GATE,
    fills={"": _FILLS, "conflict_message": _FILLS})
