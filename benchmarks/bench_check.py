"""End-to-end ``cguard check`` engine speed beside its baselines, in one process, as ratios.

Run by hand from the repository root (not part of the test suite):

    python benchmarks/bench_check.py            # both document sizes, absolute claims and all packs
    python benchmarks/bench_check.py --chars 1000000 --repeat 5

Documents come from ``../shared/corpora/`` (ad copy, product descriptions, titles, shopping
reviews) in two sizes: ``lines`` (each corpus line one document, ~50 characters: a listing
title or description, what ``cguard scan`` checks per field) and ``scripts`` (lines joined into
~2,000-character documents: a video or livestream script, what ``cguard check`` reads per file).
For each size and for the absolute-claims pack alone, the five text packs (absolute claims,
induced sharing, off-platform trade, authority endorsement, medical claims) and all packs (with
the certificate and price checks), it reports characters/second of

  engine  -- normalise + automaton + regex rules + structured checks + verification + findings,
  raw     -- pyahocorasick ``iter`` over the same normalised terms on the same documents (the
             baseline the issues name; the engine itself uses ahocorasick-rs, whose raw overlapping
             search is shown beside it as ``rs``),
  naive   -- jieba-tokenise every document and look each token up in the term set,

the ratios the issues set targets for (engine >= 10x naive, raw <= 4x engine, all packs within
1.5x of absolute claims alone), peak memory of a process with all packs and jieba loaded, and the
start-up of ``cguard check`` on a clean 1 KB file against ``python -c "import click, yaml,
ahocorasick, regex"``. Absolute figures drift between runs on a shared machine; the ratios,
measured side by side in one run, are what to compare.
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import ahocorasick
import ahocorasick_rs

REPO = Path(__file__).resolve().parents[1]
CORPORA = REPO.parent / "shared" / "corpora"
FILES = ["ad_kobe_desc.txt", "ad_advertisegen_dev.txt", "ad_kobe_titles.txt", "rev_online_shopping_10_cats.txt"]
SCRIPT_CHARS = 2000


def load_lines(limit_chars: int) -> list[str]:
    lines: list[str] = []
    total = 0
    for name in FILES:
        path = CORPORA / name
        if not path.exists():
            sys.exit(f"bench_check: missing {path}: run from a checkout beside ../shared/corpora")
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                lines.append(line)
                total += len(line)
            if total >= limit_chars:
                return lines
    return lines


def as_scripts(lines: list[str]) -> list[str]:
    docs, cur, size = [], [], 0
    for line in lines:
        cur.append(line)
        size += len(line) + 1
        if size >= SCRIPT_CHARS:
            docs.append("\n".join(cur))
            cur, size = [], 0
    if cur:
        docs.append("\n".join(cur))
    return docs


def best_of(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def terms_of(engine) -> set[str]:
    terms = set()
    for rule in engine.rules:
        groups = [rule.terms] if rule.terms else rule.all_of or ([rule.triggers] if rule.triggers else [])
        for group in groups:
            for term in group:
                terms.update(rule.term_forms(term))
    return terms


def measure(engine, docs: list[str], repeat: int) -> dict:
    from compliance_guard.text.segment import _tokenizer

    chars = sum(map(len, docs))
    terms = terms_of(engine)
    auto = ahocorasick.Automaton()
    for t in terms:
        auto.add_word(t, t)
    auto.make_automaton()
    rs = ahocorasick_rs.AhoCorasick(sorted(terms))
    for d in docs[:50]:  # compile lazily built regexes and option specs outside the timing
        engine.check(d)
    tok = _tokenizer()
    naive_docs = docs[: max(1, len(docs) // 10)]  # jieba on everything is slow: a tenth suffices

    def run_engine():
        for d in docs:
            engine.check(d)

    def run_raw():
        for d in docs:
            for _ in auto.iter(d):
                pass

    def run_rs():
        for d in docs:
            rs.find_matches_as_indexes(d, overlapping=True)

    def run_naive():
        for d in naive_docs:
            [t for t in tok.cut(d) if t in terms]

    t_engine = best_of(run_engine, repeat)
    t_raw = best_of(run_raw, repeat)
    t_rs = best_of(run_rs, repeat)
    t_naive = best_of(run_naive, 1)
    findings = sum(len(engine.check(d)) for d in docs)
    return {"rules": len(engine.rules), "terms": len(terms), "docs": len(docs), "chars": chars,
            "findings": findings, "engine": chars / t_engine, "raw": chars / t_raw, "rs": chars / t_rs,
            "naive": sum(map(len, naive_docs)) / t_naive}


def peak_memory_mb() -> float:
    code = ("import resource; from compliance_guard.engine import Engine; from compliance_guard.engine.packs import load_packs;"
            "e=Engine(load_packs()); e.check('这是全网最好的产品，国家级品质，原价199现价99，SC11834020305037'*50);"
            "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return int(out.stdout.strip()) / 1024


def startup(repeat: int) -> tuple[float, float]:
    cguard = Path(sys.executable).with_name("cguard")
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False, encoding="utf-8") as fh:
        fh.write(("今天给大家介绍一款春季新款连衣裙，面料柔软透气，版型修身显瘦。" * 40)[:1000])
    try:
        def timed(cmd):
            samples = []
            for _ in range(repeat):
                t = time.perf_counter()
                subprocess.run(cmd, capture_output=True, check=False)
                samples.append(time.perf_counter() - t)
            return statistics.median(samples)

        timed([str(cguard), "check", fh.name])  # warm the file cache and byte-code
        base = timed([sys.executable, "-c", "import click, yaml, ahocorasick, regex"])
        check = timed([str(cguard), "check", fh.name])
    finally:
        os.unlink(fh.name)
    return base, check


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--chars", type=int, default=2_000_000, help="characters of corpus to check per size")
    ap.add_argument("--repeat", type=int, default=3, help="timed rounds; the best counts")
    args = ap.parse_args()

    from compliance_guard.engine import Engine
    from compliance_guard.engine.packs import load_packs

    packs = load_packs()
    text_packs = ["absolute-claims", "induced-sharing", "off-platform-transaction", "authority-endorsement",
                  "medical-claim"]
    engines = {"absolute-claims": Engine(packs, select=["absolute-claims"]),
               "five text packs": Engine(packs, select=text_packs), "all packs": Engine(packs)}
    lines = load_lines(args.chars)
    print(f"load average {os.getloadavg()[0]:.2f}; corpus {sum(map(len, lines)):,} characters")
    for size, docs in (("lines", lines), ("scripts", as_scripts(lines))):
        results = {name: measure(engine, docs, args.repeat) for name, engine in engines.items()}
        print(f"\n{size}: {len(docs):,} documents, {sum(map(len, docs)) / len(docs):.0f} characters each")
        for name, r in results.items():
            print(f"  {name:<16} rules={r['rules']:<4} terms={r['terms']:<5} findings={r['findings']} "
                  f"({r['findings'] / r['chars'] * 10000:.2f} per 10k chars)")
            print(f"    engine {r['engine'] / 1e6:6.2f}  raw {r['raw'] / 1e6:6.2f}  rs {r['rs'] / 1e6:6.2f}"
                  f"  naive {r['naive'] / 1e6:6.2f}"
                  f"  M chars/s   engine/naive {r['engine'] / r['naive']:5.1f}x (>= 10)   "
                  f"raw/engine {r['raw'] / r['engine']:4.1f}x (<= 4)")
        for name in ("five text packs", "all packs"):
            ratio = results["absolute-claims"]["engine"] / results[name]["engine"]
            print(f"  {name} cost {ratio:.2f}x the time of absolute claims alone (<= 1.5)")
    print(f"\npeak memory, all packs and jieba loaded: {peak_memory_mb():.0f} MB (< 150)")
    base, check = startup(max(5, args.repeat * 2))
    print(f"start-up: import baseline {base * 1000:.0f} ms, cguard check on a clean 1 KB file {check * 1000:.0f} ms"
          f" = {check / base:.1f}x (<= 3)")


if __name__ == "__main__":
    main()
