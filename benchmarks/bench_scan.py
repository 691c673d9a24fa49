"""Throughput of ``cguard scan`` with -j 1 and -j 2 on one large catalogue, in one run.

The catalogue (default 100,000 rows) is built by resampling real product titles and
descriptions from ../shared/corpora (KOBE, ad_kobe_titles.txt + ad_kobe_desc.txt) with
seeded random prices, categories and certificate numbers, written once to a temporary CSV.
Each configuration scans the whole file through the library entry point ``scan.local.scan`` in a
fresh child process (so peak memory is that run's alone) and reports rows/s, characters/s,
the speed-up over -j 1, the peak RSS of the parent and of each worker, and the parent's
CPU time per row (it reads, writes and adds up; it must not be what the workers wait for).

The raw automaton rides along (``--raw``, on by default): pyahocorasick ``iter`` over the text
fields of every row (read with the csv module), with the keys of the engine's automaton, in a
fresh process too: ``-j 1`` within 6x of it, and ``-j 2`` at least 1.7x ``-j 1``, are issue 14's
targets. One command reproduces its rows:

    python benchmarks/bench_scan.py --rows 20000 --repeat 3

A baseline rides along in every round: "2 x -j 1", two independent single-process scans of
the two halves of the catalogue at the same time, which is what two cores give this machine
right now with no pool at all (shared caches, and the neighbours' load). -j 2 against it is
the cost of the pool itself. Absolute figures drift between runs on shared machines; compare
ratios, and read the load average printed with each run: on a machine busy with other work,
-j 2 cannot get two free cores and its ratio to -j 1 says more about the neighbours than
about the scan. The checked code is whatever ``compliance_guard`` imports: benchmark a
snapshot (``git archive HEAD src rules | tar -x -C /tmp/snap; PYTHONPATH=/tmp/snap/src``) if
others edit the tree meanwhile.

    python benchmarks/bench_scan.py                  # 100,000 rows
    python benchmarks/bench_scan.py --repeat 3       # median of three interleaved rounds
    python benchmarks/bench_scan.py --rows 400000 --jobs 2 --no-baseline   # memory at 4x the rows
    python benchmarks/bench_scan.py --rows 20000 --jobs 1 2 4
"""
from __future__ import annotations

import argparse
import csv
import json
import multiprocessing
import os
import random
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
CORPORA = REPO.parent / "shared" / "corpora"
CATEGORIES = ["休闲食品", "服饰", "美妆护肤", "家居日用", "家用电器", "数码配件", "保健食品", "粮油米面", "母婴", "运动户外"]
SC = ["SC11834020305037", "SC12744040400094", "SC10737110203268", "", "", "SC1183402030503"]


def build_catalogue(path: Path, rows: int, seed: int = 7) -> int:
    """Write ``rows`` listings resampled from the KOBE corpora; returns the characters of text."""
    titles = [t for t in (CORPORA / "ad_kobe_titles.txt").read_text(encoding="utf-8").splitlines() if t.strip()]
    descs = [d for d in (CORPORA / "ad_kobe_desc.txt").read_text(encoding="utf-8").splitlines() if d.strip()]
    rng = random.Random(seed)
    chars = 0
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["商品ID", "商品标题", "商品描述", "类目", "售价", "划线价", "近7日最低价", "生产许可证编号"])
        for i in range(rows):
            title, desc = rng.choice(titles), rng.choice(descs)
            price = rng.randrange(9, 999)
            original = price * 2 if i % 5 == 0 else ""
            lowest = price - 1 if i % 5 == 0 else ""
            chars += len(title) + len(desc)
            w.writerow([f"K{i:07d}", title, desc, rng.choice(CATEGORIES), price, original, lowest, rng.choice(SC)])
    return chars


BASELINE = "2 x -j 1"


def split_halves(path: Path, rows: int) -> list[Path]:
    """The catalogue's two halves, each with the header (its records are one line each), line
    by line: this process must stay small, as a spawned child's peak RSS starts from it (Linux
    keeps ru_maxrss across exec)."""
    halves = [path.with_name("first-half.csv"), path.with_name("second-half.csv")]
    with open(path, encoding="utf-8", newline="") as src, \
            open(halves[0], "w", encoding="utf-8", newline="") as first, \
            open(halves[1], "w", encoding="utf-8", newline="") as second:
        header = next(src)
        first.write(header)
        second.write(header)
        for i, line in enumerate(src):
            (first if i < rows // 2 else second).write(line)
    return halves


def _child(path: str, jobs: int, out: str, queue) -> None:
    from compliance_guard.scan.local import ScanOptions, scan

    load = os.getloadavg()[0]
    start = time.perf_counter()
    result = scan(ScanOptions(path=path, out=out, jobs=jobs, chunk_size=500))
    elapsed = time.perf_counter() - start
    s = result.summary
    parent = result.stats["parent"]
    workers = [w for pid, w in sorted(result.stats["workers"].items()) if pid != parent["pid"]]
    queue.put({"jobs": jobs, "seconds": elapsed, "rows": s.rows, "findings": s.findings,
               "load_before": load, "load_after": os.getloadavg()[0],
               "parent_peak_mb": parent["peak_kb"] / 1024, "parent_cpu_s": parent["cpu_s"],
               "worker_peak_mb": [w["peak_kb"] / 1024 for w in workers],
               "worker_cpu_s": [w["cpu_s"] for w in workers]})


RAW = "raw pyahocorasick"


def _raw_child(path: str, queue) -> None:
    """pyahocorasick over the title and description of every row, with the engine's keys."""
    import ahocorasick

    from compliance_guard.engine import Engine
    from compliance_guard.engine.packs import load_packs

    auto = ahocorasick.Automaton()
    for key in Engine(load_packs())._automaton.forms:
        auto.add_word(key, key)
    auto.make_automaton()
    load = os.getloadavg()[0]
    start = time.perf_counter()
    rows = matches = 0
    with open(path, encoding="utf-8", newline="") as fh:
        for record in csv.DictReader(fh):
            rows += 1
            for field in ("商品标题", "商品描述"):
                for _ in auto.iter(record[field]):
                    matches += 1
    elapsed = time.perf_counter() - start
    queue.put({"jobs": RAW, "seconds": elapsed, "rows": rows, "findings": None, "load_before": load,
               "load_after": os.getloadavg()[0], "parent_peak_mb": 0, "parent_cpu_s": 0,
               "worker_peak_mb": [], "worker_cpu_s": []})


def run_raw(path: Path) -> dict:
    ctx = multiprocessing.get_context("spawn")
    queue = ctx.Queue()
    proc = ctx.Process(target=_raw_child, args=(str(path), queue))
    proc.start()
    result = queue.get()
    proc.join()
    return result


def run(paths: list[Path], jobs: int) -> dict:
    """One scan per path at the same time, each in a fresh process (a clean parent: its peak
    RSS is its own); one path is a normal run, two are the baseline."""
    ctx = multiprocessing.get_context("spawn")
    queue = ctx.Queue()
    with tempfile.TemporaryDirectory() as tmp:
        procs = [ctx.Process(target=_child, args=(str(p), jobs, os.path.join(tmp, f"out{i}.jsonl"), queue))
                 for i, p in enumerate(paths)]
        for proc in procs:
            proc.start()
        results = [queue.get() for _ in procs]
        for proc in procs:
            proc.join()
    if len(results) == 1:
        return results[0]
    return {"jobs": BASELINE, "seconds": max(r["seconds"] for r in results), "rows": sum(r["rows"] for r in results),
            "findings": sum(r["findings"] for r in results),
            "load_before": min(r["load_before"] for r in results), "load_after": max(r["load_after"] for r in results),
            "parent_peak_mb": max(r["parent_peak_mb"] for r in results),
            "parent_cpu_s": sum(r["parent_cpu_s"] for r in results), "worker_peak_mb": [], "worker_cpu_s": []}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=100_000)
    ap.add_argument("--jobs", type=int, nargs="+", default=[1, 2])
    ap.add_argument("--repeat", type=int, default=1,
                    help="rounds of all --jobs, interleaved; the median round of each counts")
    ap.add_argument("--no-baseline", action="store_true", help=f"skip the {BASELINE!r} baseline runs")
    ap.add_argument("--no-raw", action="store_true", help=f"skip the {RAW!r} runs")
    ap.add_argument("--json", help="also write the figures here")
    args = ap.parse_args(argv)
    if not (CORPORA / "ad_kobe_desc.txt").exists():
        print(f"bench_scan: {CORPORA} not found (only in the development workspace)", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "catalogue.csv"
        chars = build_catalogue(path, args.rows)
        size_mb = path.stat().st_size / 1e6
        print(f"catalogue: {args.rows:,} rows, {chars:,} characters of title+description, {size_mb:.1f} MB CSV; "
              f"{os.cpu_count()} CPUs")
        configs = [([path], j) for j in args.jobs] + ([] if args.no_baseline else [(split_halves(path, args.rows), 1)])
        runs = []
        for _ in range(args.repeat):
            runs += [run(paths, j) for paths, j in configs]
            if not args.no_raw:
                runs.append(run_raw(path))
    names = list(dict.fromkeys(r["jobs"] for r in runs))
    results = [sorted((r for r in runs if r["jobs"] == j), key=lambda r: r["seconds"])[(args.repeat - 1) // 2]
               for j in names]
    base = results[0]["seconds"]
    for r in results:
        r["rows_per_s"] = r["rows"] / r["seconds"]
        r["chars_per_s"] = chars / r["seconds"]
        r["speedup"] = base / r["seconds"]
        r["all_seconds"] = [x["seconds"] for x in runs if x["jobs"] == r["jobs"]]
        r["load_all"] = [(x["load_before"], x["load_after"]) for x in runs if x["jobs"] == r["jobs"]]
        workers = ", ".join(f"{m:.0f}" for m in r["worker_peak_mb"]) or "none: checked in the parent"
        cpu = ", ".join(f"{c:.1f}" for c in r["worker_cpu_s"])
        rounds = f" (rounds: {', '.join(f'{x:.1f}' for x in r['all_seconds'])} s)" if args.repeat > 1 else ""
        loads = ", ".join(f"{a:.2f} -> {b:.2f}" for a, b in r["load_all"])
        if r["jobs"] == RAW:
            print(f"{RAW}: {r['seconds']:.2f} s, {r['rows_per_s']:,.0f} rows/s; load average per round {loads}")
            continue
        name = r["jobs"] if r["jobs"] == BASELINE else f"-j {r['jobs']}"
        print(f"{name}: {r['seconds']:.1f} s{rounds}, {r['rows_per_s']:,.0f} rows/s, "
              f"{r['chars_per_s'] / 1e6:.3f} M chars/s, x{r['speedup']:.2f} vs -j {results[0]['jobs']}; "
              f"{r['findings']:,} findings; peak RSS parent {r['parent_peak_mb']:.0f} MB, workers [{workers}] MB; "
              f"CPU s parent {r['parent_cpu_s']:.1f} ({r['parent_cpu_s'] / r['rows'] * 1e6:.0f} us/row)"
              + (f", workers [{cpu}]" if cpu else "") + f"; load average per round {loads}")
    pool = {r["jobs"]: r for r in results}
    if RAW in pool and 1 in pool:
        print(f"-j 1 takes {pool[1]['seconds'] / pool[RAW]['seconds']:.1f}x the time of {RAW} (<= 6)")
    if 1 in pool and 2 in pool:
        print(f"-j 2 is {pool[1]['seconds'] / pool[2]['seconds']:.2f}x as fast as -j 1 (>= 1.7)")
    if BASELINE in pool and 2 in pool:
        print(f"-j 2 reaches {pool[BASELINE]['seconds'] / pool[2]['seconds']:.2f} of the {BASELINE} baseline")
    if len({r["findings"] for r in runs if r["jobs"] != RAW}) != 1:
        print("bench_scan: WARNING: the runs disagree on the number of findings (rule packs edited during the run?)",
              file=sys.stderr)
        return 1
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
