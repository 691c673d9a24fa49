"""Precision and recall on real third-party copy, labelled by hand (corpora/labels/).

The labels are file + line + span references into ../shared/corpora (the texts themselves stay
outside the project). Each line's SHA-1 prefix is checked, so a changed corpus is reported
instead of scored wrongly. ``cguard check --format json`` runs once over all labelled lines.

Scoring (as ../shared/eval/score.py, plus the labellers' confidence):
- a label is found when a finding of its category (``a|b``: either) overlaps its span;
- recall is over the ``sure`` labels; ``all`` also counts the borderline ones;
- a finding over a borderline label, or over a label of another category, is neutral;
  any other finding is false.

Usage: python benchmarks/eval_real_copy.py [--cguard PATH] [-v]
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
LABELS = REPO / "corpora" / "labels" / "real-copy.jsonl"
CORPORA = REPO.parent / "shared" / "corpora"


def load(labels: Path = LABELS, corpora: Path = CORPORA) -> list[dict]:
    """The labelled lines with their text; ValueError when a corpus line changed."""
    items, cache = [], {}
    for raw in labels.read_text(encoding="utf-8").splitlines():
        item = json.loads(raw)
        if item["file"] not in cache:
            cache[item["file"]] = (corpora / item["file"]).read_text(encoding="utf-8").split("\n")
        text = cache[item["file"]][item["line"] - 1]
        if hashlib.sha1(text.encode()).hexdigest()[:12] != item["sha1"]:
            raise ValueError(f"{item['file']}:{item['line']}: the corpus line changed since it was labelled")
        items.append({**item, "text": text})
    return items


def run(cguard: str, items: list[dict]) -> dict[str, list[dict]]:
    with tempfile.TemporaryDirectory() as d:
        paths = {}
        for i, item in enumerate(items):
            path = os.path.join(d, f"{i:05d}.txt")
            Path(path).write_text(item["text"], encoding="utf-8")
            paths[path] = f"{item['file']}:{item['line']}"
        out = subprocess.run([cguard, "check", "--format", "json", "--fail-on", "never", *paths],
                             capture_output=True, text=True, check=False)
        doc = json.loads(out.stdout)
    return {paths[f["path"]]: f.get("findings", []) for f in doc["files"]}


def score(items: list[dict], found: dict[str, list[dict]]) -> dict:
    """Per-category counts: sure/all labels and hits, true/false findings; misses and false ones."""
    cats: dict[str, Counter] = {}
    misses, false = [], []
    chars = 0
    for item in items:
        key = f"{item['file']}:{item['line']}"
        chars += len(item["text"])
        findings = [f for f in found.get(key, []) if f["severity"] != "info"]
        for lab in item["labels"]:
            accepted = lab["category"].split("|")
            c = cats.setdefault(accepted[0], Counter())
            hit = any(f["category"] in accepted and f["start"] < lab["end"] and lab["start"] < f["end"] for f in findings)
            c["all"] += 1
            c["all_hit"] += hit
            if lab["sure"]:
                c["sure"] += 1
                c["sure_hit"] += hit
                if not hit:
                    misses.append((key, lab["category"], item["text"][lab["start"]:lab["end"]]))
        for f in findings:
            over = [lab for lab in item["labels"] if f["start"] < lab["end"] and lab["start"] < f["end"]]
            mine = [lab for lab in over if f["category"] in lab["category"].split("|")]
            c = cats.setdefault(f["category"], Counter())
            if any(lab["sure"] for lab in mine):
                c["tp"] += 1
            elif mine or over:
                c["neutral"] += 1
            else:
                c["fp"] += 1
                false.append((key, f["rule"], f["text"]))
    return {"cats": cats, "misses": misses, "false": false, "chars": chars}


def report(result: dict, verbose: bool = False) -> str:
    lines = [f"{'category':26s} {'sure':>4s} {'found':>5s} {'recall':>6s}  {'all':>4s} {'recall':>6s}  "
             f"{'tp':>3s} {'fp':>3s} {'neut':>4s} {'precision':>9s}"]
    total = Counter()
    for cat, c in sorted(result["cats"].items()):
        total.update(c)
        lines.append(_row(cat, c))
    lines.append(_row("all", total))
    lines.append(f"false findings per 10,000 characters: {total['fp'] / result['chars'] * 1e4:.2f} "
                 f"({total['fp']} in {result['chars']:,} characters)")
    if verbose:
        lines += [f"MISS  {k}  {cat}  {t}" for k, cat, t in result["misses"]]
        lines += [f"FALSE {k}  {rule}  {t}" for k, rule, t in result["false"]]
    return "\n".join(lines)


def _row(name: str, c: Counter) -> str:
    def ratio(a, b):
        return f"{a / b:.2f}" if b else "   -"

    return (f"{name:26s} {c['sure']:4d} {c['sure_hit']:5d} {ratio(c['sure_hit'], c['sure']):>6s}  {c['all']:4d} "
            f"{ratio(c['all_hit'], c['all']):>6s}  {c['tp']:3d} {c['fp']:3d} {c['neutral']:4d} "
            f"{ratio(c['tp'], c['tp'] + c['fp']):>9s}")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cguard", default=str(Path(sys.executable).with_name("cguard")))
    ap.add_argument("-v", "--verbose", action="store_true", help="list every miss and false finding")
    args = ap.parse_args(argv)
    if not CORPORA.is_dir():
        print(f"{CORPORA} not found: the labelled corpora live outside the project", file=sys.stderr)
        return 2
    items = load()
    print(report(score(items, run(args.cguard, items)), args.verbose))
    return 0


if __name__ == "__main__":
    sys.exit(main())
