"""Baselines: today's findings recorded so that only new ones fail.

A finding is remembered by a fingerprint of its rule, its normalised matched text and the
normalised content of its line(s) -- never the line number -- so adding or moving lines above
it keeps it baselined, while editing its own line (or copying it elsewhere) makes it new.
Identical findings are counted: a baseline holding two of them lets two through, not three.
Paths are stored relative to the baseline file, in POSIX form.
"""
from __future__ import annotations

import functools
import hashlib
import re
from collections import Counter
from pathlib import Path

from compliance_guard import __version__
from compliance_guard.model.finding import Finding
from compliance_guard.text.lines import LineIndex
from compliance_guard.text.normalize import normalize

FORMAT = 1
_SPACE = re.compile(r"\s+")


class BaselineError(Exception):
    """A baseline file that cannot be used, as one line naming it."""


def fingerprint(f: Finding, text: str | None) -> str:
    """Stable id of a finding in a document: rule + matched text + its line content."""
    context = ""
    if text is not None and f.line:
        index = _line_index(text)
        last = min(max(f.line, f.end_line), len(index))
        context = "\n".join(index.line(n) for n in range(f.line, last + 1))
    parts = [f.rule, _norm(f.text), _norm(context), f.field or ""]
    return hashlib.sha256("\0".join(parts).encode("utf-8")).hexdigest()[:20]


@functools.lru_cache(maxsize=4)
def _line_index(text: str) -> LineIndex:
    """One index per document, not one per finding (\\r\\n, \\r and \\n all end a line)."""
    return LineIndex(text)


def _norm(s: str) -> str:
    return _SPACE.sub("", normalize(s).text)


def _key(path: str, root: Path) -> str:
    p = Path(path)
    try:
        return p.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return p.as_posix()


def write(path: str | Path, results) -> int:
    """Record every finding of ``results`` in ``path``; returns how many."""
    import json

    path = Path(path)
    root = path.resolve().parent
    counts: Counter = Counter()
    info: dict = {}
    for r in results:
        for f in r.findings:
            k = (_key(r.path, root), f.rule, fingerprint(f, r.text))
            counts[k] += 1
            info.setdefault(k, f.text)
    entries = [{"path": p, "rule": rule, "text": info[(p, rule, fp)], "fingerprint": fp, "count": n}
               for (p, rule, fp), n in sorted(counts.items())]
    doc = {"tool": "compliance-guard", "version": __version__, "format": FORMAT, "findings": entries}
    try:
        path.write_text(json.dumps(doc, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    except OSError as exc:
        raise BaselineError(f"{path}: cannot write baseline: {exc.strerror or exc}") from None
    return sum(counts.values())


class Baseline:
    def __init__(self, path: Path, counts: Counter):
        self.path = path
        self.root = path.resolve().parent
        self.counts = counts

    @classmethod
    def load(cls, path: str | Path) -> Baseline:
        import json  # only a run with a baseline reads one

        path = Path(path)
        try:
            doc = json.loads(path.read_text(encoding="utf-8"))
        except OSError as exc:
            raise BaselineError(f"{path}: cannot read baseline: {exc.strerror or exc}") from None
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            line = getattr(exc, "lineno", 0)
            raise BaselineError(f"{path}:{line}: not a baseline file (invalid JSON); write one with --write-baseline") from None
        if not isinstance(doc, dict) or doc.get("format") != FORMAT or not isinstance(doc.get("findings"), list):
            raise BaselineError(f"{path}: not a cguard baseline (format {FORMAT}); write one with --write-baseline")
        counts: Counter = Counter()
        for i, e in enumerate(doc["findings"]):
            try:
                counts[(str(e["path"]), str(e["rule"]), str(e["fingerprint"]))] += int(e.get("count", 1))
            except (KeyError, TypeError, ValueError):
                raise BaselineError(f"{path}: entry {i + 1} needs path, rule and fingerprint") from None
        return cls(path, counts)

    def filter(self, results) -> tuple[int, int]:
        """Drop baselined findings from ``results`` in place; returns (dropped, stale entries)."""
        left = Counter(self.counts)
        dropped = 0
        for r in results:
            kept = []
            for f in r.findings:
                k = (_key(r.path, self.root), f.rule, fingerprint(f, r.text))
                if left[k] > 0:
                    left[k] -= 1
                    dropped += 1
                else:
                    kept.append(f)
            r.findings = kept
        checked = {_key(r.path, self.root) for r in results}
        stale = sum(n for (p, _, _), n in left.items() if n > 0 and p in checked)
        return dropped, stale


def apply(results, config) -> str | None:
    """Drop the findings of the baseline in force (the config's, or one beside it) from
    ``results``; returns what to tell the user (how many were dropped, stale entries), if
    anything. BaselineError for a baseline that cannot be used."""
    path = config.baseline_file()
    if path is None:
        return None
    dropped, stale = Baseline.load(path).filter(results)
    if not (dropped or stale):
        return None
    return (f"{dropped} finding(s) in the baseline {path} not reported"
            + (f"; {stale} baseline entr{'y' if stale == 1 else 'ies'} no longer found"
               " (refresh with --write-baseline)" if stale else ""))
