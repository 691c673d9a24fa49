"""Record every user-visible output of ``cguard`` on the corpora, and compare two recordings.

A refactoring that must not change behaviour is checked by recording before and after and
diffing the two, byte for byte:

    python benchmarks/compare_outputs.py record /tmp/golden      # on the starting commit
    python benchmarks/compare_outputs.py record /tmp/after       # on the changed tree
    python benchmarks/compare_outputs.py compare /tmp/golden /tmp/after

What is recorded (stdout, stderr and exit code of each command, and the files it writes):

- ``cguard check --format F`` for every format over ``corpora/`` (every text the suffixes
  take), over the lines of the regression sets (``corpora/regression``, one text file each), over the
  seed articles, and over the shared corpora
  (the ad copy files whole, the first lines of each review file), one run per file;
- ``cguard fix`` (the diff it would apply) over the same inputs;
- ``cguard scan`` of ``corpora/listings/catalogue*.csv`` and of a catalogue resampled from the
  shared KOBE titles and descriptions (JSONL and CSV reports, JSON summary and HTML page, -j 1);
- ``cguard score`` of ``corpora/scoring/scripts/*`` (text and JSON, video and live), ``cguard
  mix`` of the calendars and ``cguard campaign`` of the campaigns;
- ``cguard rules list``, ``cguard rules test`` and ``cguard rules show`` of every rule listed.

Commands run through the installed ``cguard`` (the console script of this interpreter's
environment), from the repository root, without a config file; the repository's path is
written ``<repo>`` (and ``../shared``'s ``<shared>``) in what is recorded, so a copy of the
tree records the same; the shared corpora are
``../shared/corpora`` (skipped with a note when absent). Inputs derived from them are written
to a fixed folder (``--work``) so that paths in the outputs are the same in every recording.
"""
from __future__ import annotations

import argparse
import csv
import difflib
import json
import os
import random
import shutil
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
FORMATS = ("json", "text", "sarif", "github", "rdjson", "junit")
REVIEW_LINES = 5000
CATALOGUE_ROWS = 3000


def cguard() -> str:
    """The console script installed beside this interpreter."""
    here = Path(sys.executable).parent / "cguard"
    return str(here) if here.exists() else "cguard"


def environment() -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "CGUARD_"))}
    env.update(CI="true", COLUMNS="120", PYTHONHASHSEED="0", LC_ALL="C.UTF-8")
    return env


# -- inputs -------------------------------------------------------------------------------------

def prepare_inputs(work: Path) -> dict[str, list[str]]:
    """Derived inputs in ``work``: one text file per labelled corpus, review samples, a resampled
    catalogue. Returns the groups of check inputs (paths relative to the repository when they
    are in it)."""
    work.mkdir(parents=True, exist_ok=True)
    labelled = []
    for tsv in sorted((REPO / "corpora" / "regression").glob("*.tsv")):
        lines = [ln.split("\t", 1)[1] for ln in tsv.read_text(encoding="utf-8").splitlines()
                 if "\t" in ln and not ln.startswith("#")]
        out = work / f"regression-{tsv.stem}.txt"
        out.write_text("\n".join(lines) + "\n", encoding="utf-8")
        labelled.append(str(out))
    groups = {"corpora": ["corpora"], "labelled": labelled, "seeds": [], "shared": []}
    seeds = SHARED / "seeds"
    if seeds.is_dir():
        groups["seeds"] = [str(p) for p in sorted(seeds.glob("*.txt"))]
    corpora = SHARED / "corpora"
    if corpora.is_dir():
        for p in sorted(corpora.glob("ad_*.txt")):
            groups["shared"].append(str(p))
        for p in sorted(corpora.glob("rev_*.txt")):
            out = work / f"{p.stem}.head.txt"
            with open(p, encoding="utf-8") as fh, open(out, "w", encoding="utf-8") as dst:
                for i, line in enumerate(fh):
                    if i >= REVIEW_LINES:
                        break
                    dst.write(line)
            groups["shared"].append(str(out))
        build_catalogue(corpora, work / "kobe-catalogue.csv")
    return groups


def build_catalogue(corpora: Path, path: Path, rows: int = CATALOGUE_ROWS, seed: int = 13) -> None:
    """Listings resampled from the KOBE titles and descriptions, with every field the listing
    checks read (prices, cost, promotion, numbers, cross-border), deterministic."""
    titles = [t for t in (corpora / "ad_kobe_titles.txt").read_text(encoding="utf-8").splitlines() if t.strip()]
    descs = [d for d in (corpora / "ad_kobe_desc.txt").read_text(encoding="utf-8").splitlines() if d.strip()]
    cats = ["休闲食品", "服饰", "美妆护肤", "家居日用", "家用电器", "数码配件", "保健食品", "粮油米面", "母婴",
            "医疗器械", "化妆品", "特殊化妆品"]
    sc = ["SC11834020305037", "SC12744040400094", "", "", "SC1183402030503", "11834020305038", "QS110001010001"]
    reg = ["", "", "国食健注G20190123", "粤G妆网备字2021012345", "国械注准20193140123", "卫妆准字(2010)第123号",
           "国妆特字G20200001"]
    rng = random.Random(seed)
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["商品ID", "商品标题", "商品描述", "类目", "售价", "划线价", "近7日最低价", "成本价", "是否促销",
                    "生产许可证编号", "备案号/注册证号", "CCC证书编号", "跨境"])
        for i in range(rows):
            price = rng.randrange(9, 999)
            w.writerow([f"K{i:06d}", rng.choice(titles), rng.choice(descs), rng.choice(cats), price,
                        price * 2 if i % 5 == 0 else "", price - 1 if i % 7 == 0 else "",
                        price + 5 if i % 11 == 0 else "", "是" if i % 13 == 0 else "", rng.choice(sc),
                        rng.choice(reg), "2019011606123456" if i % 17 == 0 else "", "是" if i % 19 == 0 else ""])


# -- running ------------------------------------------------------------------------------------

class Recorder:
    def __init__(self, out: Path, work: Path):
        self.out, self.work = out, work
        self.count = 0

    def run(self, name: str, args: list[str], files: dict[str, Path] | None = None) -> None:
        """``cguard ARGS`` from the repository root: stdout, stderr, exit code, and the files
        it wrote (``files``: label -> path, moved into the recording)."""
        for path in (files or {}).values():
            for p in (path, Path(str(path) + ".cguard-scan.json")):
                if p.exists():
                    p.unlink()
        proc = subprocess.run([cguard(), *args], cwd=REPO, env=environment(), capture_output=True,
                              stdin=subprocess.DEVNULL)
        (self.out / f"{name}.out").write_bytes(anonymous(proc.stdout))
        (self.out / f"{name}.err").write_bytes(anonymous(proc.stderr))
        (self.out / f"{name}.rc").write_text(f"{proc.returncode}\n")
        for label, path in (files or {}).items():
            for src, dst in ((path, f"{name}.{label}"), (Path(str(path) + ".cguard-scan.json"),
                                                          f"{name}.{label}.cguard-scan.json")):
                if src.exists():
                    (self.out / dst).write_bytes(anonymous(src.read_bytes()))
                    src.unlink()
        self.count += 1


def anonymous(data: bytes) -> bytes:
    """Output with the repository's path written ``<repo>`` and the shared folder's ``<shared>``:
    a copy of the tree elsewhere records the same."""
    return data.replace(str(SHARED).encode(), b"<shared>").replace(str(REPO).encode(), b"<repo>")


def slug(path: str) -> str:
    return Path(path).name.replace(".", "_") if path != "corpora" else "corpora"


def record(out: Path, work: Path, quick: bool = False) -> None:
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    groups = prepare_inputs(work)
    rec = Recorder(out, work)
    started = time.time()
    check_inputs = groups["corpora"] + groups["labelled"] + groups["seeds"] + ([] if quick else groups["shared"])
    for path in check_inputs:
        for fmt in FORMATS:
            rec.run(f"check-{fmt}-{slug(path)}", ["check", "--no-config", "--no-color", "--format", fmt, path])
        rec.run(f"fix-{slug(path)}", ["fix", "--no-config", path])
    catalogues = ["corpora/listings/catalogue.csv", "corpora/listings/catalogue_gbk.csv"]
    if (work / "kobe-catalogue.csv").exists() and not quick:
        catalogues.append(str(work / "kobe-catalogue.csv"))
    for path in catalogues:
        for suffix in ("jsonl", "csv"):
            report = work / f"report.{suffix}"
            files = {"report": report, "summary": work / "summary.json", "html": work / "report.html"}
            rec.run(f"scan-{suffix}-{slug(path)}", ["scan", path, "-j", "1", "-o", str(report), "--summary",
                                                    str(work / "summary.json"), "--html", str(work / "report.html")],
                    files)
        rec.run(f"scan-stdout-{slug(path)}", ["scan", path, "-j", "1"])
    scripts = sorted(str(p.relative_to(REPO)) for p in (REPO / "corpora" / "scoring" / "scripts").iterdir())
    for path in scripts:
        kind = "live" if Path(path).name.startswith("l") else "video"
        for fmt in ("json", "text"):
            rec.run(f"score-{fmt}-{slug(path)}", ["score", "--no-config", "--kind", kind, "--format", fmt, path])
    for path in sorted(str(p.relative_to(REPO)) for p in (REPO / "corpora" / "scoring" / "calendars").iterdir()):
        for fmt in ("json", "text"):
            rec.run(f"mix-{fmt}-{slug(path)}", ["mix", "--no-config", "--format", fmt, path])
    for path in sorted(str(p.relative_to(REPO)) for p in (REPO / "corpora" / "scoring" / "campaigns").iterdir()):
        for fmt in ("json", "text"):
            rec.run(f"campaign-{fmt}-{slug(path)}", ["campaign", "--no-config", "--format", fmt, path])
    rec.run("rules-list", ["rules", "list"])
    rec.run("rules-test", ["rules", "test"])
    ids = [line.split()[0] for line in (out / "rules-list.out").read_text(encoding="utf-8").splitlines()
           if line.startswith("  ") and line.split()]
    show_all(out, ids)
    print(f"recorded {rec.count} commands and {len(ids)} rules into {out} in {time.time() - started:.0f}s")


def show_all(out: Path, ids: list[str]) -> None:
    """``cguard rules show ID`` for every rule, in one process (the console script's click group
    through click's test runner: a process per rule would take minutes)."""
    code = (
        "import sys, json\n"
        "from importlib.metadata import entry_points\n"
        "from click.testing import CliRunner\n"
        "main = next(iter(entry_points(group='console_scripts', name='cguard'))).load()\n"
        "runner = CliRunner()\n"
        "out = {}\n"
        "for rid in json.loads(sys.argv[1]):\n"
        "    r = runner.invoke(main, ['rules', 'show', rid])\n"
        "    out[rid] = [r.exit_code, r.output]\n"
        "sys.stdout.write(json.dumps(out, ensure_ascii=False))\n"
    )
    proc = subprocess.run([sys.executable, "-c", code, json.dumps(ids)], cwd=REPO, env=environment(),
                          capture_output=True, text=True, check=True)
    for rid, (rc, text) in json.loads(proc.stdout).items():
        (out / f"rules-show-{rid}.out").write_bytes(anonymous(text.encode("utf-8")))
        (out / f"rules-show-{rid}.rc").write_text(f"{rc}\n")


# -- comparing ----------------------------------------------------------------------------------

def compare(old: Path, new: Path, context: int = 2, limit: int = 40) -> int:
    """Print every difference between two recordings; exit status 1 when there is one."""
    a = {p.name for p in old.iterdir()}
    b = {p.name for p in new.iterdir()}
    differ = 0
    for name in sorted(a - b):
        print(f"only in {old}: {name}")
        differ += 1
    for name in sorted(b - a):
        print(f"only in {new}: {name}")
        differ += 1
    for name in sorted(a & b):
        x, y = (old / name).read_bytes(), (new / name).read_bytes()
        if x == y:
            continue
        differ += 1
        print(f"--- {name} differs")
        lines = list(difflib.unified_diff(x.decode("utf-8", "replace").splitlines(),
                                          y.decode("utf-8", "replace").splitlines(), lineterm="", n=context))
        for line in lines[2:limit + 2]:
            print(line[:300])
        if len(lines) > limit + 2:
            print(f"... {len(lines) - limit - 2} more diff lines")
    print(f"{len(a & b)} outputs compared, {differ} differ" + ("" if a == b else f", {len(a ^ b)} only on one side"))
    return 1 if differ else 0


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    r = sub.add_parser("record", help="run every command and store its outputs in DIR")
    r.add_argument("dir", type=Path)
    r.add_argument("--work", type=Path, default=Path("/tmp/cguard-compare-inputs"),
                   help="where derived inputs are written (keep it the same across recordings)")
    r.add_argument("--quick", action="store_true", help="skip the shared corpora (seconds, not minutes)")
    c = sub.add_parser("compare", help="diff two recordings")
    c.add_argument("old", type=Path)
    c.add_argument("new", type=Path)
    c.add_argument("--limit", type=int, default=40, help="diff lines shown per output")
    args = parser.parse_args(argv)
    if args.command == "record":
        record(args.dir, args.work, args.quick)
        return 0
    return compare(args.old, args.new, limit=args.limit)


if __name__ == "__main__":
    sys.exit(main())
