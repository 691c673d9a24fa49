"""The summary of a scan: counts over every record and the worst listings (bounded, so memory
stays flat), and the scan's exit status."""
from __future__ import annotations

import heapq
from collections import Counter
from dataclasses import dataclass, field

from compliance_guard.model.finding import exit_status as exit_status_of

TOP_LISTINGS = 50
ERROR_EXAMPLES = 20
_SEVERITY_WEIGHT = {"error": 100, "warning": 10, "info": 1}


@dataclass
class Summary:
    """Counts over every record, and the worst listings (bounded: memory stays flat)."""

    path: str = ""
    rows: int = 0
    ok: int = 0
    errors: int = 0
    rows_with_findings: int = 0
    findings: int = 0
    by_severity: Counter = field(default_factory=Counter)
    by_category: Counter = field(default_factory=Counter)
    by_rule: Counter = field(default_factory=Counter)
    rule_info: dict = field(default_factory=dict)
    listing_categories: Counter = field(default_factory=Counter)
    listing_categories_flagged: Counter = field(default_factory=Counter)
    error_examples: list = field(default_factory=list)
    resumed: int = 0
    blank_lines: int = 0  # skipped by the reader: not rows, but said
    _top: list = field(default_factory=list)

    def add(self, record: dict) -> None:
        self.rows += 1
        if record["status"] == "error":
            self.errors += 1
            if len(self.error_examples) < ERROR_EXAMPLES:
                self.error_examples.append({"id": record["id"], "row": record["row"], "error": record.get("error", "")})
            return
        self.ok += 1
        cat = record.get("category") or "(none)"
        self.listing_categories[cat] += 1
        findings = record.get("findings") or []
        if not findings:
            return
        self.rows_with_findings += 1
        self.listing_categories_flagged[cat] += 1
        self.findings += len(findings)
        for f in findings:
            self.by_severity[f["severity"]] += 1
            self.by_category[f["category"]] += 1
            self.by_rule[f["rule"]] += 1
            self.rule_info.setdefault(f["rule"], {"category": f["category"], "severity": f["severity"]})
        score = sum(_SEVERITY_WEIGHT.get(f["severity"], 0) for f in findings)
        self._keep((score, -record["row"], record))

    def _keep(self, item: tuple) -> None:
        if len(self._top) < TOP_LISTINGS:
            heapq.heappush(self._top, item)
        elif item[:2] > self._top[0][:2]:
            heapq.heapreplace(self._top, item)

    def merge(self, part: Summary) -> None:
        """Add the summary of the rows that come next (a chunk's): the result is the same as
        adding each of their records in order, key order of the counters included."""
        self.rows += part.rows
        self.ok += part.ok
        self.errors += part.errors
        self.rows_with_findings += part.rows_with_findings
        self.findings += part.findings
        for mine, theirs in ((self.by_severity, part.by_severity), (self.by_category, part.by_category),
                             (self.by_rule, part.by_rule), (self.listing_categories, part.listing_categories),
                             (self.listing_categories_flagged, part.listing_categories_flagged)):
            mine.update(theirs)
        for rule, info in part.rule_info.items():
            self.rule_info.setdefault(rule, info)
        self.error_examples.extend(part.error_examples[:ERROR_EXAMPLES - len(self.error_examples)])
        for item in part._top:
            self._keep(item)

    def top(self, n: int = TOP_LISTINGS) -> list[dict]:
        return [r for _, _, r in sorted(self._top, key=lambda t: t[:2], reverse=True)[:n]]

    def to_dict(self, top: int = 10) -> dict:
        return {
            "path": self.path, "rows": self.rows, "ok": self.ok, "errors": self.errors,
            "rows_with_findings": self.rows_with_findings, "findings": self.findings,
            "by_severity": dict(self.by_severity.most_common()), "by_category": dict(self.by_category.most_common()),
            "by_rule": dict(self.by_rule.most_common()),
            "listing_categories": {c: {"rows": n, "flagged": self.listing_categories_flagged[c]}
                                   for c, n in self.listing_categories.most_common()},
            "top_listings": [{"id": r["id"], "row": r["row"], "category": r.get("category", ""),
                              "findings": len(r["findings"]), "rules": sorted({f["rule"] for f in r["findings"]})}
                             for r in self.top(top)],
            "error_rows": self.error_examples,
            "resumed": self.resumed,
            "blank_lines": self.blank_lines,
        }

    def text(self, top: int = 10) -> str:
        sev = ", ".join(f"{n} {k}" for k, n in self.by_severity.most_common())
        lines = [f"{self.path}: {self.rows} rows read, {self.ok} ok, {self.errors} errors; "
                 f"{self.rows_with_findings} rows with findings ({self.findings} findings" + (f": {sev}" if sev else "") + ")"]
        if self.resumed:
            lines.append(f"  (resumed: {self.resumed} rows were already in the report)")
        if self.blank_lines:
            lines.append(f"  ({self.blank_lines} blank line{'s' if self.blank_lines > 1 else ''} skipped: not rows)")
        if self.by_category:
            lines.append("by category: " + ", ".join(f"{c} {n}" for c, n in self.by_category.most_common()))
        if self.by_rule:
            lines.append("by rule: " + ", ".join(f"{r} {n}" for r, n in self.by_rule.most_common()))
        flagged = [(c, n) for c, n in self.listing_categories_flagged.most_common(15)]
        if flagged:
            lines.append("flagged listings by listing category: "
                         + ", ".join(f"{c} {n}/{self.listing_categories[c]}" for c, n in flagged))
        worst = self.top(top)
        if worst:
            lines.append("top listings:")
            for r in worst:
                rules = ", ".join(sorted({f["rule"] for f in r["findings"]}))
                lines.append(f"  row {r['row']} id {r['id']} [{r.get('category') or '-'}]: "
                             f"{len(r['findings'])} findings ({rules})")
        for e in self.error_examples[:10]:
            lines.append(f"  error: row {e['row']} id {e['id']}: {e['error']}")
        return "\n".join(lines) + "\n"


def exit_status(summary: Summary, fail_on: str) -> int:
    """1 when a row could not be read, or a finding reaches ``fail_on``."""
    return exit_status_of(summary.by_severity, fail_on, failed=bool(summary.errors))
