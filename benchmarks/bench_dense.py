"""Dense text against ordinary copy: one document of a repeated claim beside one of ad copy.

Run by hand from the repository root (not part of the test suite):

    python benchmarks/bench_dense.py                  # 1 MB documents (and a quarter of that)
    python benchmarks/bench_dense.py --chars 200000

The ordinary document is lines of ``../shared/corpora/ad_kobe_desc.txt`` (product copy, a few
hundred findings per MB); the dense ones repeat one claim with no other text (全网最低价: a
finding every 5 characters; 点赞送红包 and 躺赚招代理: co-occurrence rules, the second within a
sentence that never ends). For each it prints the seconds of ``Engine.check`` on the whole
document, the findings, the time per finding, and two ratios measured in this run:

  scaling -- the full size against a quarter of it: 4.0 is linear (the pairwise overlap and
             co-occurrence comparisons made it 12-16x on dense text),
  x copy  -- against ordinary copy of the same size: what dense text costs beyond the findings
             it has to report.

Absolute figures drift between runs on a shared machine; compare the ratios.
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
COPY = REPO.parent / "shared" / "corpora" / "ad_kobe_desc.txt"
DENSE = ["全网最低价", "点赞送红包", "躺赚招代理"]


def ordinary(chars: int) -> str:
    if not COPY.exists():
        sys.exit(f"bench_dense: missing {COPY}: run from a checkout beside ../shared/corpora")
    lines = [line for line in COPY.read_text(encoding="utf-8").splitlines() if line.strip()]
    out, total = [], 0
    while total < chars:
        for line in lines:
            out.append(line)
            total += len(line) + 1
            if total >= chars:
                break
    return "\n".join(out)[:chars]


def timed(engine, text: str) -> tuple[float, int]:
    t = time.perf_counter()
    findings = engine.check(text)
    return time.perf_counter() - t, len(findings)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--chars", type=int, default=1_000_000, help="characters per document")
    args = ap.parse_args()

    from compliance_guard.engine import Engine
    from compliance_guard.engine.packs import load_packs

    engine = Engine(load_packs())
    docs = {"ordinary copy": ordinary} | {u: (lambda n, u=u: (u * (n // len(u) + 1))[:n]) for u in DENSE}
    for make in docs.values():
        engine.check(make(20_000))  # lazy regexes compiled, jieba loaded: outside the timing
    results = {}
    for name, make in docs.items():
        small, small_n = timed(engine, make(args.chars // 4))
        full, n = timed(engine, make(args.chars))
        results[name] = (full, n, full / small)
    copy_time = results["ordinary copy"][0]
    print(f"{args.chars:,} characters per document")
    print(f"{'seconds':>9}{'findings':>10}{'us/finding':>12}{'scaling':>9}{'x copy':>8}  document")
    for name, (full, n, scaling) in results.items():
        per = f"{full / n * 1e6:.0f}" if n else "-"
        print(f"{full:>9.2f}{n:>10,}{per:>12}{scaling:>9.1f}{full / copy_time:>8.1f}  {name}")


if __name__ == "__main__":
    main()
