"""False-positive review of the text packs on real third-party copy (run by hand, not in tests).

Run from the repository root:

    python benchmarks/fp_review.py                         # rates + a sample of 50 per pack and group
    python benchmarks/fp_review.py --sample 50 --seed 1 --out test-artifacts/fp-sample.tsv
    python benchmarks/fp_review.py --prior a.tsv b.tsv    # carry verdicts over to the new sample
    python benchmarks/fp_review.py --score judged.tsv [older-judged.tsv ...]  # false per 10k from verdicts
    python benchmarks/fp_review.py --pooled 100 --seed 7 --out test-artifacts/fp-ad-100.tsv  # 100 over all ad copy

Reads ``../shared/corpora/`` (one document per line; see its PROVENANCE.md): ad copy and product
descriptions (``ad_*.txt``) and consumer reviews (``rev_*.txt``). Prints, per pack, findings
per 10,000 characters on each group, then writes a seeded random sample of N findings per pack
and group (all of them if fewer) with context to a TSV whose last column, ``verdict``, a
reviewer fills in with ``ok`` (a real violation in context) or ``false`` (optionally
``false: why``). ``--score`` reads such a file back and prints n, false and the estimated false
findings per 10k characters (findings per 10k times the false share of the sample); with several
files it also pools the rows of all of them that are still findings today. Samples that steered
pack fixes make the pooled share optimistic (their false rows were the ones fixed): the newest
sample, drawn after the last fix, is the unbiased estimate.

The sample holds corpus text, so its default place is ``test-artifacts/`` (git-ignored): do
not commit it.
"""
from __future__ import annotations

import argparse
import csv
import random
import sys
from collections import Counter, defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
CORPORA = REPO.parent / "shared" / "corpora"
GROUPS = {
    "ad": ["ad_kobe_desc.txt", "ad_advertisegen_dev.txt", "ad_kobe_titles.txt"],
    "reviews": ["rev_online_shopping_10_cats.txt", "rev_waimai_10k.txt", "rev_chnsenticorp_htl_all.txt"],
}
PACKS = ["absolute-claims", "induced-sharing", "off-platform-transaction", "authority-endorsement",
         "medical-claim", "pricing", "certification"]
CONTEXT = 30
COLUMNS = ["pack", "group", "rule", "severity", "file", "line", "column", "text", "context", "verdict"]


def scan(corpora: Path, packs: list[str]):
    """(chars per group, findings per (pack, group) as row dicts)."""
    from compliance_guard.engine import Engine
    from compliance_guard.engine.packs import load_packs

    engine = Engine(load_packs(), select=packs)
    chars: Counter = Counter()
    found: dict[tuple[str, str], list[dict]] = defaultdict(list)
    for group, names in GROUPS.items():
        for name in names:
            path = corpora / name
            if not path.exists():
                sys.exit(f"fp_review: missing {path} (see ../shared/corpora/PROVENANCE.md)")
            with path.open(encoding="utf-8") as fh:
                for n, line in enumerate(fh, 1):
                    doc = line.rstrip("\n")
                    chars[group] += len(doc)
                    for f in engine.check(doc):
                        left = doc[max(0, f.start - CONTEXT):f.start]
                        right = doc[f.end:f.end + CONTEXT]
                        found[(f.pack, group)].append({
                            "pack": f.pack, "group": group, "rule": f.rule, "severity": f.severity.value,
                            "file": name, "line": n, "column": f.start + 1, "text": f.text,
                            "context": f"{left}【{f.text}】{right}".replace("\t", " "), "verdict": ""})
    return chars, found


def key(row: dict) -> tuple:
    return row["file"], int(row["line"]), int(row["column"]), row["rule"]


def read_tsv(path: Path) -> list[dict]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE, escapechar="\\"))


def rates(chars: Counter, found: dict, packs: list[str]) -> dict[tuple[str, str], float]:
    out = {}
    print(f"{'pack':26} " + " ".join(f"{g + ' /10k':>14} {'n':>6}" for g in GROUPS))
    for pack in packs:
        cells = []
        for group in GROUPS:
            n = len(found.get((pack, group), []))
            out[(pack, group)] = n * 10_000 / chars[group] if chars[group] else 0.0
            cells.append(f"{out[(pack, group)]:14.3f} {n:6d}")
        print(f"{pack:26} " + " ".join(cells))
    print("chars: " + ", ".join(f"{g} {chars[g]:,}" for g in GROUPS))
    by_rule = Counter((r["pack"], r["group"], r["rule"]) for rows in found.values() for r in rows)
    print("by rule: " + ", ".join(f"{g}:{rule} {n}" for (p, g, rule), n in sorted(by_rule.items())))
    return out


def report(judged: list[dict], per10k: dict, current: set, packs: list[str], title: str) -> None:
    """n, false, false share and estimated false findings per 10k chars per pack and group, and
    per group over all packs (what a pooled sample estimates)."""
    print(f"\n{title}: n, false, false share, est. false per 10k chars")
    for group in GROUPS:
        rows = [r for r in judged if r["group"] == group and r["verdict"].partition(":")[0].strip() in ("ok", "false")]
        if rows:
            false = sum(1 for r in rows if r["verdict"].partition(":")[0].strip() == "false")
            total = sum(v for (p, g), v in per10k.items() if g == group and p in packs)
            print(f"{'all packs':26} {group:8} n={len(rows):3d} false={false:3d} share={false / len(rows):.2f} "
                  f"findings={total:.3f}/10k est={total * false / len(rows):.3f}/10k")
    for pack in packs:
        for group in GROUPS:
            rows = [r for r in judged if r["pack"] == pack and r["group"] == group]
            if not rows:
                continue
            verdicts = [r["verdict"].partition(":")[0].strip() for r in rows]
            blank = sum(1 for v in verdicts if v not in ("ok", "false"))
            false = verdicts.count("false")
            gone = sum(1 for r in rows if key(r) not in current)
            share = false / len(rows)
            print(f"{pack:26} {group:8} n={len(rows):3d} false={false:3d} share={share:.2f} "
                  f"est={per10k[(pack, group)] * share:.3f}/10k"
                  + (f" (unjudged {blank})" if blank else "")
                  + (f" (no longer found: {gone})" if gone else ""))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpora", type=Path, default=CORPORA)
    ap.add_argument("--packs", nargs="+", default=PACKS)
    ap.add_argument("--sample", type=int, default=50, help="findings per pack and group (default 50)")
    ap.add_argument("--seed", type=int, default=20240601)
    ap.add_argument("--out", type=Path, default=REPO / "test-artifacts" / "fp-sample.tsv")
    ap.add_argument("--pooled", type=int, help="instead: one uniform sample of N findings over all packs of the ad group")
    ap.add_argument("--prior", type=Path, nargs="+", default=[],
                    help="judged samples whose verdicts are copied to matching rows (later files win)")
    ap.add_argument("--score", type=Path, nargs="+",
                    help="judged samples: false findings per 10k chars for the first, then pooled over all")
    args = ap.parse_args(argv)
    if not args.corpora.is_dir():
        sys.exit(f"fp_review: {args.corpora} not found: this review needs ../shared/corpora "
                 "(real third-party text, only in the development workspace)")

    chars, found = scan(args.corpora, args.packs)
    per10k = rates(chars, found, args.packs)

    if args.score:
        current = {key(r) for rows in found.values() for r in rows}
        report(read_tsv(args.score[0]), per10k, current, args.packs, f"judged sample {args.score[0]}")
        if len(args.score) > 1:
            # Each file is a uniform sample of the findings of its day; the rows still found today
            # are a uniform sample of today's findings, so they can be pooled (deduplicated).
            pooled = {}
            for path in args.score:
                for r in read_tsv(path):
                    if key(r) in current and r["verdict"]:
                        pooled[key(r)] = r
            report(list(pooled.values()), per10k, current, args.packs,
                   f"pooled over {len(args.score)} judged samples, rows still found")
        return 0

    prior = {key(r): r["verdict"] for path in args.prior for r in read_tsv(path) if r["verdict"]}
    sample = []
    if args.pooled:
        rows = [r for (pack, group), rs in found.items() if group == "ad" for r in rs]
        picked = random.Random(f"{args.seed}:pooled").sample(rows, min(args.pooled, len(rows)))
        sample = sorted(picked, key=key)
    for pack in args.packs if not args.pooled else ():
        for group in GROUPS:
            rows = found.get((pack, group), [])
            rng = random.Random(f"{args.seed}:{pack}:{group}")  # one pack's changes leave the others' samples alone
            picked = rng.sample(rows, args.sample) if len(rows) > args.sample else list(rows)
            for r in sorted(picked, key=key):
                r["verdict"] = prior.get(key(r), "")
                sample.append(r)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with args.out.open("w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, COLUMNS, delimiter="\t", quoting=csv.QUOTE_NONE, escapechar="\\")
        w.writeheader()
        w.writerows(sample)
    carried = sum(1 for r in sample if r["verdict"])
    print(f"\nwrote {len(sample)} sampled findings to {args.out}"
          + (f" ({carried} verdicts carried over from {', '.join(map(str, args.prior))})" if args.prior else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
