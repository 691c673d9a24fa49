"""Find rule violations: one automaton over every term, regex rules, structured checks.

Flow for one text: one TextView (normalised once, with an offset map) -> candidates from ONE
Aho-Corasick automaton over the keys of every enabled rule (plain and co-occurrence terms
alike, and the triggers of regex rules) and from the regex rules whose triggers occur ->
verification (Latin/digit word edges, jieba token edges where a rule asks for them, allow
contexts, evidence downgrades) -> findings per kind -> overlap resolution -> Findings at
ORIGINAL offsets. Structured checks (``check:`` rules) get the same TextView, unless their gate
rules them out; their options are prepared once, when the engine is built. What each kind of
rule reads and finds is its module in ``engine.kinds``.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from compliance_guard.engine.automaton import Automaton
from compliance_guard.engine.kinds import KINDS
from compliance_guard.engine.verify import AllowListed, resolve_overlaps, verified
from compliance_guard.model.finding import Finding, Severity, sort_key
from compliance_guard.model.rule import PackSet, Rule
from compliance_guard.text.lines import LineIndex
from compliance_guard.text.normalize import normalize_term
from compliance_guard.text.phonetic import PhoneticIndex, Repaired
from compliance_guard.text.view import FieldViews, TextView


class Engine:
    """Compiled matcher over a set of packs; build once, check many texts."""

    def __init__(self, packset: PackSet, select: Iterable[str] = (), ignore: Iterable[str] = (),
                 severity: dict[str, str] | None = None, allow_terms: Iterable[str] = ()):
        self.packset = packset
        # rule ids, pack names and categories in any case; one that names nothing is an error
        # (a typo would otherwise silently check everything, or nothing)
        select, ignore = {n.casefold() for n in select}, {n.casefold() for n in ignore}
        overrides = {k.casefold(): Severity.parse(v) for k, v in (severity or {}).items()}
        known = packset.names()
        for what, names, pool in (("rule, pack or category", select | ignore, known),
                                  ("rule", set(overrides), {r.id.casefold() for r in packset.rules})):
            unknown = sorted(names - pool)
            if unknown:
                raise ValueError(f"unknown {what} {unknown[0]!r} (see `cguard rules list`)")
        self.rules: list[Rule] = []
        for rule in packset.rules:
            keys = {rule.id.casefold(), rule.pack.casefold(), rule.category.casefold()}
            if select and not keys & select:
                continue
            if keys & ignore:
                continue
            if rule.id.casefold() in overrides:
                rule = replace(rule, severity=overrides[rule.id.casefold()], overridden=True)
            self.rules.append(rule)
        self.allow_terms = [t for t in (normalize_term(a) for a in allow_terms) if t]
        self.collapse = "".join(sorted({c for p in packset.packs for c in p.repeatable}))
        self._automaton = Automaton(((rule, group, terms) for rule in self.rules
                                     for group, terms in KINDS[rule.kind].keys(rule)), self.collapse)
        self._kinds = {name: kind.build([r for r in self.rules if r.kind == name]) for name, kind in KINDS.items()}
        words = [normalize_term(w) for rule in self.rules for w in KINDS[rule.kind].words(rule)]
        self._phonetic = PhoneticIndex(words, self._automaton.forms, {w for w in words if len(w) == 1})

    @property
    def listing_checks(self) -> list[tuple[Rule, object, object]]:
        """(rule, runner, prepared options) of the checks that read a whole listing."""
        return self._kinds["check"].listing

    @property
    def campaign_checks(self) -> list[tuple[Rule, object, object]]:
        """(rule, runner, prepared options) of the checks that read a campaign."""
        return self._kinds["check"].campaign

    # -- public -------------------------------------------------------------------------

    def check(self, text: str, errors: list[str] | None = None) -> list[Finding]:
        """Findings for ``text``, located (line/column) and sorted."""
        findings = self.check_unlocated(text, errors)
        index = LineIndex(text)
        for f in findings:
            index.locate(f)
        return findings

    def check_unlocated(self, text: str, errors: list[str] | None = None) -> list[Finding]:
        if not text:
            return []
        view = TextView(text, self.collapse, self._phonetic.repair)
        findings = self._findings(view, errors)
        if isinstance(view.norm, Repaired):
            view.norm.annotate(findings)
            # a spelling that reads as several terms (yangwei): where the first found nothing, the next
            unfound = [d for d in view.norm.disguises if d.others and not any(
                s < f.end and f.start < e for f in findings for s, e in [view.norm.norm.span(d.start, d.end)])]
            if unfound:
                other = view.norm.alternative(unfound)
                more = self._findings(TextView(text, self.collapse, lambda _norm: other), errors)
                other.annotate(more)
                spans = [other.norm.span(d.start, d.end) for d in unfound]
                findings += [f for f in more if any(s < f.end and f.start < e for s, e in spans)]
        return sorted(resolve_overlaps(findings), key=sort_key)

    def _findings(self, view: TextView, errors: list[str] | None) -> list[Finding]:
        hits: dict[str, list] = {name: [] for name in KINDS}
        for h in self._automaton.find(view.norm):
            hits[h.rule.kind].append(h)
        candidates = [c for name, kind in KINDS.items()
                      for c in kind.candidates(self._kinds[name], view, hits[name], errors)]
        kept: dict[str, list] = {name: [] for name in KINDS}
        for h in verified(view.norm, candidates, errors):
            kept[h.rule.kind].append(h)
        findings = [f for name, kind in KINDS.items() for f in kind.findings(self._kinds[name], view, kept[name], errors)]
        if self.allow_terms:
            covered = AllowListed(view.norm, self.allow_terms)
            findings = [f for f in findings if not covered(f)]
        return findings

    def check_campaign(self, review) -> list[Finding]:
        """Findings of the rules whose checks read a campaign (its parameters against the
        profile's ranges, its mechanics against the rules), at their place in the file."""
        return [f for rule, run, prepared in self.campaign_checks for f in run(review, rule, prepared)]

    def check_listing(self, fields: FieldViews) -> list[Finding]:
        """Findings of the rules whose checks read a whole listing (its price fields against each
        other, what its category requires); each carries ``field`` and offsets in that field."""
        return [f for rule, run, prepared in self.listing_checks for f in run(fields, rule, prepared)]

    def __getstate__(self):  # for the engine cache (engine.cache)
        return {**self.__dict__, "_kinds": {name: state for name, state in self._kinds.items() if _pickles(state)}}

    def __setstate__(self, state):
        """What a kind prepared that does not pickle is prepared again."""
        self.__dict__.update(state)
        for name, kind in KINDS.items():
            if name not in self._kinds:
                self._kinds[name] = kind.build([r for r in self.rules if r.kind == name])


def _pickles(obj) -> bool:
    import pickle

    try:
        pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)
    except Exception:  # an automaton, a function made at build time...
        return False
    return True
