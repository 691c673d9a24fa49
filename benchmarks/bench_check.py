"""``cguard check`` beside the raw automaton and the bare imports: the rows of issue 14, as ratios
measured side by side in one run.

Run by hand from the repository root (not part of the test suite); the checked code is whatever
this interpreter imports, so a snapshot of another commit is measured with its own venv's python
(``/tmp/before/.venv/bin/python benchmarks/bench_check.py``):

    python benchmarks/bench_check.py                 # every row, medians of 3
    python benchmarks/bench_check.py --repeat 5 --rows big startup
    python benchmarks/bench_check.py --packs         # also engine vs raw vs naive per pack selection

Rows (targets of issue 14 in brackets):

  big      ``cguard check --format json`` of the 10.7 MB review file
           (``../shared/corpora/rev_online_shopping_10_cats.txt``), a whole process, against a whole
           pyahocorasick process over the same keys (the engine's automaton keys) and the same text
           [<= 5x];
  lines    in-process ``Engine.check`` of 20,000 listing-sized documents (corpus lines, ~70
           characters) against pyahocorasick ``iter`` over the same keys and documents [<= 2x];
  scripts  the same lines joined into 718 script-sized documents (~2,000 characters) [<= 2x];
  startup  ``cguard check`` of a 1 KB file with one finding (最好) and of a clean 1 KB file
           against ``python -c "import click, yaml, ahocorasick_rs, regex"`` [<= 3x, <= 2x].

Processes run with byte-code written (as an installed wheel has it; PYTHONDONTWRITEBYTECODE is
dropped for them) and with XDG_CACHE_HOME in a temporary folder, warmed by one untimed run, so
that cguard's engine cache is that of a second run; ``--cold`` leaves the cache empty for each
timed run instead. Each figure is the median of ``--repeat`` runs; the load average is printed
before and after each row. Absolute figures drift on a shared machine; the ratios are what to
compare.
"""
from __future__ import annotations

import argparse
import os
import shutil
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
BIG = CORPORA / "rev_online_shopping_10_cats.txt"
FILES = ["ad_kobe_desc.txt", "ad_advertisegen_dev.txt", "ad_kobe_titles.txt", "rev_online_shopping_10_cats.txt"]
SCRIPT_CHARS = 2000
CLEAN = "今天给大家介绍一款春季新款连衣裙，面料柔软透气，版型修身显瘦。"
BARE = "import click, yaml, ahocorasick_rs, regex"
RAW_PROCESS = """\
import sys, ahocorasick
keys = open(sys.argv[1], encoding="utf-8").read().split("\\n")
auto = ahocorasick.Automaton()
for k in keys:
    auto.add_word(k, k)
auto.make_automaton()
text = open(sys.argv[2], encoding="utf-8").read()
print(sum(1 for _ in auto.iter(text)))
"""


def load_lines(limit_docs: int) -> list[str]:
    lines: list[str] = []
    for name in FILES:
        path = CORPORA / name
        if not path.exists():
            sys.exit(f"bench_check: missing {path}: run from a checkout beside ../shared/corpora")
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                lines.append(line)
            if len(lines) >= limit_docs:
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


def median_of(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def engine_keys(engine) -> list[str]:
    """The keys of the engine's one automaton (every normalised form of every term and trigger)."""
    return sorted(engine._automaton.forms)


def load() -> str:
    return f"load {os.getloadavg()[0]:.2f}"


class Processes:
    """Child processes with byte-code written and their own (warm or cold) cguard cache."""

    def __init__(self, cold: bool):
        self.tmp = Path(tempfile.mkdtemp(prefix="bench-check-"))
        self.cold = cold
        self.env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        self.env["XDG_CACHE_HOME"] = str(self.tmp / "cache")
        self.cguard = str(Path(sys.executable).with_name("cguard"))

    def time(self, cmd: list[str], repeat: int) -> float:
        subprocess.run(cmd, capture_output=True, env=self.env, check=False)  # byte-code, file cache, engine cache
        samples = []
        for _ in range(repeat):
            if self.cold:
                shutil.rmtree(self.tmp / "cache", ignore_errors=True)
            t = time.perf_counter()
            subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=self.env, check=False)
            samples.append(time.perf_counter() - t)
        return statistics.median(samples)

    def close(self):
        shutil.rmtree(self.tmp, ignore_errors=True)


def row(name: str, ours: str, base: str, ratio: float, target: str, before: str, after: str) -> None:
    print(f"| {name} | {ours} | {base} | {ratio:.1f}x | {target} | {before} -> {after} |", flush=True)


def big_row(procs: Processes, keys: list[str], repeat: int) -> None:
    if not BIG.exists():
        print(f"| big file | skipped: {BIG} not found |")
        return
    keyfile = procs.tmp / "keys.txt"
    keyfile.write_text("\n".join(keys), encoding="utf-8")
    script = procs.tmp / "raw.py"
    script.write_text(RAW_PROCESS, encoding="utf-8")
    before = load()
    ours = procs.time([procs.cguard, "check", "--no-config", "--format", "json", str(BIG)], repeat)
    raw = procs.time([sys.executable, str(script), str(keyfile), str(BIG)], repeat)
    row(f"`check --format json`, {BIG.stat().st_size / 1e6:.1f} MB of reviews, whole process", f"{ours:.2f} s",
        f"pyahocorasick process {raw:.2f} s", ours / raw, "<= 5x", before, load())


def docs_rows(engine, lines: list[str], repeat: int) -> None:
    keys = engine_keys(engine)
    auto = ahocorasick.Automaton()
    for k in keys:
        auto.add_word(k, k)
    auto.make_automaton()
    for size, docs in (("listing-sized", lines), ("script-sized", as_scripts(lines))):
        for d in docs[:50]:  # lazily compiled regexes, jieba: outside the timing
            engine.check(d)
        before = load()

        def run_engine(docs=docs):
            for d in docs:
                engine.check(d)

        def run_raw(docs=docs):
            for d in docs:
                for _ in auto.iter(d):
                    pass

        t_engine = median_of(run_engine, repeat)
        t_raw = median_of(run_raw, repeat)
        n = len(docs)
        unit, scale = ("us", 1e6) if size == "listing-sized" else ("ms", 1e3)
        row(f"in-process, {n:,} {size} docs ({sum(map(len, docs)) / n:.0f} chars)",
            f"{t_engine / n * scale:.2f} {unit}/doc", f"pyahocorasick {t_raw / n * scale:.2f} {unit}/doc",
            t_engine / t_raw, "<= 2x", before, load())


def startup_rows(procs: Processes, repeat: int) -> None:
    hit = procs.tmp / "hit.txt"
    hit.write_text((CLEAN * 40)[:995] + "这是最好的。\n", encoding="utf-8")
    clean = procs.tmp / "clean.txt"
    clean.write_text((CLEAN * 40)[:1000] + "\n", encoding="utf-8")
    before = load()
    base = procs.time([sys.executable, "-c", BARE], repeat)
    t_hit = procs.time([procs.cguard, "check", "--no-config", str(hit)], repeat)
    t_clean = procs.time([procs.cguard, "check", "--no-config", str(clean)], repeat)
    after = load()
    row("`check` of a 1 KB file with one 最好", f"{t_hit * 1000:.0f} ms", f"`{BARE}` {base * 1000:.0f} ms",
        t_hit / base, "<= 3x", before, after)
    row("`check` of a clean 1 KB file", f"{t_clean * 1000:.0f} ms", f"`{BARE}` {base * 1000:.0f} ms",
        t_clean / base, "<= 2x", before, after)


# -- per pack selection (--packs): the older engine / raw / naive comparison ------------------------

def per_pack(packs, lines: list[str], repeat: int) -> None:
    from compliance_guard.engine import Engine
    from compliance_guard.text import segment

    cut = getattr(segment, "cut", None) or segment._tokenizer().cut

    text_packs = ["absolute-claims", "induced-sharing", "off-platform-transaction", "authority-endorsement",
                  "medical-claim"]
    engines = {"absolute-claims": Engine(packs, select=["absolute-claims"]),
               "five text packs": Engine(packs, select=text_packs), "all packs": Engine(packs)}
    for size, docs in (("lines", lines), ("scripts", as_scripts(lines))):
        chars = sum(map(len, docs))
        print(f"\n{size}: {len(docs):,} documents, {chars / len(docs):.0f} characters each")
        speed = {}
        for name, engine in engines.items():
            keys = engine_keys(engine)
            rs = ahocorasick_rs.AhoCorasick(keys)
            terms = set(keys)
            for d in docs[:50]:
                engine.check(d)
            naive_docs = docs[: max(1, len(docs) // 10)]
            t_engine = median_of(lambda: [engine.check(d) for d in docs], repeat)  # noqa: B023
            t_rs = median_of(lambda: [rs.find_matches_as_indexes(d, overlapping=True) for d in docs], repeat)  # noqa: B023
            t_naive = median_of(lambda: [[t for t in cut(d) if t in terms] for d in naive_docs], 1)  # noqa: B023
            speed[name] = chars / t_engine
            print(f"  {name:<16} engine {chars / t_engine / 1e6:6.2f}  rs {chars / t_rs / 1e6:6.2f}  "
                  f"naive {sum(map(len, naive_docs)) / t_naive / 1e6:6.2f} M chars/s")
        for name in ("five text packs", "all packs"):
            print(f"  {name} cost {speed['absolute-claims'] / speed[name]:.2f}x the time of absolute claims alone")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", nargs="+", default=["big", "docs", "startup"], choices=["big", "docs", "startup"])
    ap.add_argument("--docs", type=int, default=20_000, help="listing-sized documents (corpus lines)")
    ap.add_argument("--repeat", type=int, default=3, help="timed runs per figure; the median counts")
    ap.add_argument("--cold", action="store_true", help="an empty cguard cache for every timed process")
    ap.add_argument("--packs", action="store_true", help="also engine vs rs vs naive per pack selection")
    args = ap.parse_args()

    from compliance_guard import __version__
    from compliance_guard.engine import Engine
    from compliance_guard.engine.packs import load_packs

    packs = load_packs()
    engine = Engine(packs)
    print(f"compliance_guard {__version__} from {Path(sys.modules['compliance_guard'].__file__).parents[1]}; "
          f"{os.cpu_count()} CPUs; {load()}; medians of {args.repeat}; cache {'cold' if args.cold else 'warm'}")
    print("| | cguard | raw baseline | ratio | target | load before -> after |\n|---|---|---|---|---|---|")
    procs = Processes(args.cold)
    try:
        if "big" in args.rows:
            big_row(procs, engine_keys(engine), args.repeat)
        if "docs" in args.rows:
            docs_rows(engine, load_lines(args.docs), args.repeat)
        if "startup" in args.rows:
            startup_rows(procs, max(5, args.repeat))
    finally:
        procs.close()
    if args.packs:
        per_pack(packs, load_lines(args.docs), args.repeat)


if __name__ == "__main__":
    main()
