"""``cguard fix``: replace each finding that has one safe replacement.

Safety first: an edit replaces exactly the characters of its finding and nothing else; it is
made only when the finding has a replacement (the suggestion its pack marks as the ``fix``, or
its only suggestion when that is literal wording, not advice such as 写明具体价格 or a template
with XX), the span sits on one line, no other finding overlaps it with a different remedy, and
(in Markdown) the span holds no markup. Everything else is listed for a human. Files keep their
encoding, BOM and line endings byte for byte.
"""
from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from pathlib import Path

from compliance_guard.load.documents import MAX_SIZE, DocumentError, from_text, read_limited, sniff
from compliance_guard.model.finding import Finding
from compliance_guard.text.wording import replacement

_MARKUP = set("*_~`|[]<>#\\")
_NEWLINE = re.compile(r"\r\n|\r|\n")


@dataclass
class Edit:
    start: int  # offsets into the raw decoded text (original line endings)
    end: int
    replacement: str
    findings: list[Finding]


@dataclass
class FilePlan:
    path: str
    text: str = ""  # raw decoded text
    codec: str = "utf-8"
    bom: bytes = b""
    data: bytes = b""
    edits: list[Edit] = field(default_factory=list)
    manual: list[tuple[Finding, str]] = field(default_factory=list)  # finding, why not automatic
    error: str | None = None

    def fixed_text(self) -> str:
        out, pos = [], 0
        for e in sorted(self.edits, key=lambda e: e.start):
            out.append(self.text[pos:e.start])
            out.append(e.replacement)
            pos = e.end
        out.append(self.text[pos:])
        return "".join(out)

    def diff(self) -> str:
        """A unified diff of the edits (a/ b/ prefixes for relative paths, as git writes
        them); empty when there are none."""
        if not self.edits:
            return ""
        old, new = _lines(self.text), _lines(self.fixed_text())
        name = Path(self.path).as_posix()
        before, after = (name, name) if Path(self.path).is_absolute() else (f"a/{name}", f"b/{name}")
        out = []
        for line in difflib.unified_diff(old, new, before, after):
            out.append(line if line.endswith(("\n", "\r")) else line + "\n\\ No newline at end of file\n")
        return "".join(out)

    def encoded(self) -> bytes:
        return self.bom + self.fixed_text().encode(self.codec)

    def write(self) -> None:
        if self.edits:
            Path(self.path).write_bytes(self.encoded())


def _lines(text: str) -> list[str]:
    """Lines with their own endings (\\r\\n, \\r or \\n), as difflib wants them."""
    out, pos = [], 0
    for m in _NEWLINE.finditer(text):
        out.append(text[pos:m.end()])
        pos = m.end()
    if pos < len(text):
        out.append(text[pos:])
    return out


def plan_file(path: str | Path, check, limit: int = MAX_SIZE) -> FilePlan:
    """Read ``path`` (at most ``limit`` bytes), check it with ``check(doc) -> findings`` and
    plan its edits."""
    plan = FilePlan(str(path))
    if Path(path).suffix.lower() == ".docx":
        plan.error = f"{path}: .docx files are not fixed automatically; apply the suggestions in Word"
        return plan
    try:
        with open(path, "rb") as fh:
            plan.data = read_limited(fh, str(path), limit)
        plan.text, plan.codec, plan.bom = sniff(plan.data, str(path))
    except OSError as exc:
        plan.error = f"{path}: {exc.strerror or exc}"
        return plan
    except DocumentError as exc:
        plan.error = str(exc)
        return plan
    doc = from_text(str(path), plan.text)
    findings = check(doc)
    plan.edits, plan.manual = plan_edits(plan.text, findings, markdown=doc.kind == "markdown")
    if plan.edits and plan.bom + plan.text.encode(plan.codec) != plan.data:
        plan.manual = [(f, "the file would not re-encode byte for byte; fix by hand")
                       for e in plan.edits for f in e.findings] + plan.manual
        plan.edits = []
    return plan


def plan_edits(raw: str, findings: list[Finding], markdown: bool = False) -> tuple[list[Edit], list[tuple[Finding, str]]]:
    """Edits for ``findings`` (offsets into ``raw``, the decoded file as it is) and the
    findings left for a human with the reason."""
    manual: list[tuple[Finding, str]] = []
    candidates: list[tuple[int, int, str, Finding]] = []
    spans: list[tuple[int, int, Finding]] = []
    for f in findings:
        if f.line != f.end_line or _NEWLINE.search(f.text):
            manual.append((f, "spans a line break"))
            continue
        s, e = f.start, f.end
        if raw[s:e] != f.text:
            manual.append((f, "its position does not match the file"))
            continue
        spans.append((s, e, f))
        chosen = replacement(f)
        if chosen is None and not f.suggestions:
            manual.append((f, "no suggestion"))
        elif chosen is None and len(f.suggestions) > 1:
            manual.append((f, f"{len(f.suggestions)} suggestions: {' / '.join(f.suggestions)}"))
        elif chosen is None:
            manual.append((f, f"the suggestion is advice: {f.suggestions[0]}"))
        elif markdown and _MARKUP & set(f.text):
            manual.append((f, "the span holds Markdown markup"))
        elif chosen == f.text:
            manual.append((f, "the suggestion is the text itself"))
        else:
            candidates.append((s, e, chosen, f))
    edits: list[Edit] = []
    for s, e, chosen, f in candidates:
        clash = [g for gs, ge, g in spans if g is not f and gs < e and s < ge
                 and not (gs == s and ge == e and replacement(g) == chosen)]
        if clash:
            manual.append((f, f"overlaps {', '.join(sorted({g.rule for g in clash}))} with another remedy"))
            continue
        same = next((x for x in edits if x.start == s and x.end == e), None)
        if same:
            same.findings.append(f)
        else:
            edits.append(Edit(s, e, chosen, [f]))
    manual.sort(key=lambda t: (t[0].start, t[0].rule))
    return sorted(edits, key=lambda x: x.start), manual


def plan_paths(engine, paths, config=None) -> list[FilePlan]:
    """Plans for every file under ``paths`` that the config selects, checked with the rules
    (per-file overrides and inline suppressions included) that ``cguard check`` would use."""
    from compliance_guard.run.engines import EngineSet
    from compliance_guard.run.files import check_document, select_paths

    engines = EngineSet(engine, config)
    plans = []
    for path in select_paths(paths, config):
        if str(path) == "-":
            plans.append(FilePlan("-", error="-: cguard fix needs files, not stdin"))
            continue
        file_engine, _ = engines.for_path(path)
        plans.append(plan_file(path, lambda doc, e=file_engine: check_document(e, doc),
                               config.max_size if config is not None else MAX_SIZE))
    return plans
