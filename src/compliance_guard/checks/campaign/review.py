"""A campaign under review: what the campaign checks read (the campaign file, the scoring
profile with its ranges and their sources) and what they leave for the scorer (each parameter
judged, within its range or not; the categories each mechanic was reported under)."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from compliance_guard.checks.base import fill
from compliance_guard.model.campaign import Campaign, Entry, Value
from compliance_guard.model.finding import Finding, Severity
from compliance_guard.text.lines import LineIndex


@dataclass
class Judgement:
    """One parameter judged: its credit (1 = within range) and, when violated, its finding."""

    group: str
    label: str
    credit: float
    evidence: tuple[str, str, int | None]  # (text, detail, line)
    order: tuple  # where it comes in its group (a reader's order through the file)
    finding: Finding | None = None
    advice: str = ""


@dataclass
class CampaignReview:
    campaign: Campaign
    profile: object  # load.profiles.Profile: the ranges and their sources
    judged: list[Judgement] = field(default_factory=list)
    reported: dict[str, set[str]] = field(default_factory=dict)  # mechanic path -> categories found

    def __post_init__(self):
        self.lines = LineIndex(self.campaign.text)

    def finding(self, rule, message: str, source: str, at: Value | None, entry: Entry | None = None,
                severity: Severity | None = None, suggestions: list[str] | None = None) -> Finding:
        """A finding of ``rule`` at the value it is about (else the line of its entry)."""
        start, end = self._span(at, entry)
        text = self.campaign.text
        f = Finding(rule=rule.id, pack=rule.pack, category=rule.category, severity=severity or rule.severity,
                    message=message, text=text[start:end], start=start, end=end, source=source,
                    suggestions=list(rule.suggest.get("*", [])) if suggestions is None else suggestions)
        if entry is not None:
            self.reported.setdefault(entry.path, set()).add(rule.category)
        return self.lines.locate(f)

    def _span(self, at: Value | None, entry: Entry | None) -> tuple[int, int]:
        if at is not None and at.span is not None:
            return at.span
        text = self.campaign.text
        line = at.line if at is not None else entry.line if entry is not None else 1
        s = self.lines.line_start(max(1, min(line, text.count("\n") + 1)))
        e = text.find("\n", s)
        return s, (len(text) if e == -1 else e)

    def param(self, rule, group: str, label: str, key: str, value: float, at: Value | None, lo, hi, what: str,
              fmt: Callable[[float], str], order: tuple, fix: str = "") -> list[Finding]:
        """Judge ``value`` against [lo, hi] (profile key ``campaign.<key>``); a violation is a
        finding of ``rule`` whose message (the rule's) names the value, the range and its source."""
        source = self.profile.source(f"campaign.{key}")
        allowed = range_text(lo, hi, fmt)
        ok = (lo is None or value >= lo - 1e-9) and (hi is None or value <= hi + 1e-9)
        where = at.path if at is not None else "campaign"
        evidence = (f"{what} = {fmt(value)}", f"allowed {allowed} ({where})", at.line if at else None)
        if ok:
            self.judged.append(Judgement(group, label, 1.0, evidence, order))
            return []
        bound = lo if lo is not None and value < lo else hi
        distance = abs(value - bound)
        reference = abs(bound) if bound else (abs(hi - lo) if lo is not None and hi is not None else 1.0)
        credit = 0.5 * max(0.0, 1 - distance / max(reference, 1e-9))
        message = fill(rule.message, where=where, what=what, value=fmt(value), allowed=allowed, source=source,
                       fix=f"; {fix}" if fix else "")
        severity = rule.severity if rule.overridden else Severity.parse(self.profile["campaign.parameter_severity"])
        f = self.finding(rule, message, source, at, severity=severity, suggestions=[])
        advice = f"{where}: {fmt(value)} → {fix or 'bring it to ' + allowed}"
        self.judged.append(Judgement(group, label, credit, evidence, order, f, advice))
        return [f]


def range_text(lo, hi, fmt) -> str:
    if lo is not None and hi is not None:
        return f"{fmt(lo)}–{fmt(hi)}"
    if lo is not None:
        return f"≥ {fmt(lo)}"
    return f"≤ {fmt(hi)}"


def pct(x: float) -> str:
    return f"{x * 100:.1f}%".replace(".0%", "%")


def yuan(x: float) -> str:
    return f"{x:.2f}".rstrip("0").rstrip(".") + "元"


def times(x: float) -> str:
    return f"{x:.2f}".rstrip("0").rstrip(".") + "×"


def name_of(e: Entry) -> str:
    return e.get("name") or e.get("sku") or e.path
