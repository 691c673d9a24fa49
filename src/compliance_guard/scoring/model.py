"""What every scorer returns: sub-scores that explain themselves, and one total.

The total is the weighted mean of the sub-scores that apply (a sub-score that cannot be
judged, such as timing for a live script without times, is left out and the weights are
renormalised), then capped by compliance: any ``error`` finding caps the total at
``compliance.error_cap`` (lower by ``error_cap_step`` per further error) and warnings take
a few points each. Findings are the project's one ``Finding`` type.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from compliance_guard.load.lexicons import lexicon_for
from compliance_guard.load.profiles import Profile, apply_overrides, load_profile, parse_set_options
from compliance_guard.model.finding import Finding, Severity


@dataclass
class Evidence:
    """Something found (or missing) that a sub-score rests on."""

    text: str
    detail: str = ""
    start: int | None = None  # offsets in the scored text, when it is a span of it
    end: int | None = None
    line: int | None = None

    def to_dict(self) -> dict:
        return {k: v for k, v in (("text", self.text), ("detail", self.detail), ("start", self.start),
                                  ("end", self.end), ("line", self.line)) if v not in (None, "")}


@dataclass
class SubScore:
    name: str
    label: str
    score: float | None  # 0-100, None when it does not apply
    weight: float = 0.0
    evidence: list[Evidence] = field(default_factory=list)
    improvement: str = ""
    source: str = ""
    facts: dict[str, Any] = field(default_factory=dict)

    @property
    def applies(self) -> bool:
        return self.score is not None

    def to_dict(self) -> dict:
        return {
            "name": self.name, "label": self.label,
            "score": None if self.score is None else round(self.score),
            "weight": self.weight, "evidence": [e.to_dict() for e in self.evidence],
            "improvement": self.improvement, "source": self.source, "facts": self.facts,
        }


@dataclass
class ScoreReport:
    """One scored input (a script, a calendar or a campaign)."""

    path: str
    kind: str
    profile: str
    subscores: list[SubScore] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    score: int = 0
    quality: int = 0  # the weighted mean before compliance
    cap: int | None = None
    penalty: int = 0
    error: str | None = None  # the input could not be read
    problems: list[str] = field(default_factory=list)  # parts of the input skipped (file:line: why)
    notes: list[str] = field(default_factory=list)
    facts: dict[str, Any] = field(default_factory=dict)
    text: str | None = None

    def to_dict(self) -> dict:
        if self.error is not None:
            return {"path": self.path, "kind": self.kind, "error": self.error}
        return {
            "path": self.path, "kind": self.kind, "profile": self.profile, "score": self.score,
            "quality": self.quality, "cap": self.cap, "penalty": self.penalty,
            "subscores": [s.to_dict() for s in self.subscores],
            "findings": [f.to_dict() for f in self.findings],
            "facts": self.facts, "notes": self.notes, "problems": self.problems,
        }


def clamp(x: float, lo: float = 0.0, hi: float = 100.0) -> float:
    return max(lo, min(hi, x))


def finalize(report: ScoreReport, weights: dict[str, float], profile, capping: list[Finding] | None = None) -> ScoreReport:
    """Weight the sub-scores, apply the compliance cap and penalty (from ``capping``, by default
    every finding of the report), set ``report.score``."""
    total_w = 0.0
    acc = 0.0
    for s in report.subscores:
        s.weight = float(weights.get(s.name, 0))
        if s.applies and s.weight > 0:
            acc += s.weight * clamp(s.score)
            total_w += s.weight
    quality = acc / total_w if total_w else 100.0
    report.quality = round(quality)
    report.cap, report.penalty = cap_and_penalty(report.findings if capping is None else capping, profile)
    score = quality if report.cap is None else min(quality, report.cap)
    report.score = round(clamp(score - report.penalty))
    return report


def cap_and_penalty(findings: list[Finding], profile) -> tuple[int | None, int]:
    """The ceiling that error findings put on a total (None without errors) and the points
    that warnings take off."""
    errors = sum(1 for f in findings if f.severity == Severity.ERROR)
    warnings = sum(1 for f in findings if f.severity == Severity.WARNING)
    cap = max(0, round(profile["compliance.error_cap"] - profile["compliance.error_cap_step"] * (errors - 1))) if errors else None
    penalty = round(min(profile["compliance.warning_penalty_max"], profile["compliance.warning_penalty"] * warnings))
    return cap, penalty


def compliance_subscore(findings: list[Finding], profile) -> SubScore:
    """The findings as a sub-score of their own: listed, never weighted; its score is the most
    the total can reach with them (they cap and penalise the total instead)."""
    errors = [f for f in findings if f.severity == Severity.ERROR]
    warnings = [f for f in findings if f.severity == Severity.WARNING]
    evidence = [Evidence(f.text, f"{f.severity.value} {f.rule} [{f.category}] {f.message}", f.start, f.end, f.line or None)
                for f in findings]
    cap, penalty = cap_and_penalty(findings, profile)
    if errors:
        improvement = (f"{len(errors)} error finding(s) cap the total at {cap}: fix them first "
                       f"({'; '.join(_fix_hint(f) for f in errors[:3])})")
    elif warnings:
        improvement = f"{len(warnings)} warning(s) cost points: review them ({'; '.join(_fix_hint(f) for f in warnings[:3])})"
    else:
        improvement = ""
    score = clamp((100 if cap is None else cap) - penalty)  # the most the total can be: shown, never weighted
    return SubScore("compliance", "合规", score, evidence=evidence, improvement=improvement,
                    source=f"error cap: {profile.source('compliance.error_cap')}",
                    facts={"errors": len(errors), "warnings": len(warnings)})


def _fix_hint(f: Finding) -> str:
    hint = f"「{f.text}」 {f.rule}"
    if f.suggestions:
        hint += f" → {'/'.join(f.suggestions[:2])}"
    return hint


# -- scorers as declared plugins ----------------------------------------------------------------

class OptionError(ValueError):
    """A bad value of a scorer's option (``--start 25:00``): a usage error, exit 2."""


@dataclass(frozen=True)
class Option:
    """An option of a scorer's command, as data (the CLI makes the click option from it)."""

    flag: str  # --kind
    name: str  # the keyword it is passed as
    help: str
    choices: tuple[str, ...] | None = None
    default: Any = None
    metavar: str | None = None


@dataclass(frozen=True)
class Scorer:
    """A scorer: the ``cguard`` command that runs it (its help and inputs, its own options,
    which of the rule options it takes) and ``score(inputs, profile, engine, options) ->
    reports``. The commands score, mix and campaign are made from SCORERS."""

    command: str
    help: str
    inputs: str  # the argument's name: paths, calendars, campaigns
    score: Callable[..., list[ScoreReport]]
    options: tuple[Option, ...] = ()
    rule_options: tuple[str, ...] = ()  # of fail_on, select, ignore, packs: what reads the rule packs


def scoring_profile(ref: str, set_items=(), config_overrides=()) -> Profile:
    """The profile a command runs with: ``ref``, then the config's ``(key, value, origin)``
    overrides, then ``--set`` (last wins); its lexicon (which the profile names) is loaded too,
    so every profile problem surfaces before any scoring."""
    profile = load_profile(ref)
    for key, value, origin in config_overrides:
        profile = apply_overrides(profile, {key: value}, origin)
    sets = parse_set_options(set_items)
    if sets:
        profile = apply_overrides(profile, sets, "--set")
    lexicon_for(profile)
    return profile
