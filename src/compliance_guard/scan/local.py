"""``cguard scan``: check a whole catalogue, one record per listing, on every core.

Rows stream from the reader in chunks to a process pool (fork where available) whose
workers build the engine once and load jieba only when a candidate needs it; a bounded
number of chunks is in flight, results are written in input order as they complete and
flushed chunk by chunk, so memory stays flat and an interrupted scan leaves a valid file
that ``--resume`` continues without duplicating or skipping a row. A worker returns each
chunk as report lines ready to write plus the chunk's summary, never records or tokens, so
the parent only reads, writes and adds up counters and is never the bottleneck.
"""
from __future__ import annotations

import csv
import hashlib
import heapq
import io
import json
import os
import signal
import stat
import sys
import threading
import time
from collections import Counter, deque
from concurrent.futures import ProcessPoolExecutor
from contextlib import closing, contextmanager
from dataclasses import dataclass, field
from itertools import chain, islice
from pathlib import Path
from typing import Callable, Iterable, Iterator

from compliance_guard.model.finding import Severity
from compliance_guard.scan.readers import RawRow, ReaderError, Source, open_source
from compliance_guard.scan.columns import ColumnMap, ListingChecker, RowError, build_listing, row_id

CHUNK_SIZE = 500
TOP_LISTINGS = 50
ERROR_EXAMPLES = 20
CSV_COLUMNS = ("id", "row", "status", "error", "category", "findings", "severity", "rules", "findings_json")
#: Beside a report, what it belongs to (its input and options), for --resume to check.
FINGERPRINT_SUFFIX = ".cguard-scan.json"
FINGERPRINT_ROWS = 100
_SEVERITY_WEIGHT = {"error": 100, "warning": 10, "info": 1}


class ScanError(Exception):
    """The scan cannot start or continue (unreadable output to resume, bad options)."""


@dataclass(frozen=True)
class EngineSpec:
    """What every worker needs to build the same checker (picklable, small)."""

    packs: tuple[str, ...] = ()
    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    severity: tuple[tuple[str, str], ...] = ()

    def build(self) -> ListingChecker:
        from compliance_guard.engine import Engine
        from compliance_guard.engine.packs import load_packs

        engine = Engine(load_packs(self.packs), select=self.select, ignore=self.ignore, severity=dict(self.severity))
        return ListingChecker(engine)


@dataclass(frozen=True)
class Plan:
    """A worker's whole configuration: the checker to build, how to read a row and how to
    write its record (``jsonl`` or ``csv``)."""

    spec: EngineSpec
    column_map: ColumnMap | None
    overrides: tuple[tuple[str, str], ...] = ()
    output: str = "jsonl"


# -- records -----------------------------------------------------------------------------------

def check_row(checker: ListingChecker, plan: Plan, raw: RawRow) -> dict:
    """The record of one row. Field texts with findings ride along under ``_texts`` for the
    summary's worst listings; writers drop every key that starts with ``_``."""
    where = f"line {raw.line}: " if raw.line is not None else ""
    if raw.error is not None:
        return error_record(row_id(raw.row, raw.values, plan.column_map), raw.row, where + raw.error)
    try:
        listing = build_listing(raw.row, raw.values, plan.column_map, raw.line, dict(plan.overrides))
    except RowError as exc:
        return error_record(row_id(raw.row, raw.values, plan.column_map), raw.row, where + str(exc))
    try:
        findings = checker.check(listing)
    except Exception as exc:  # a bug in one check must not lose the row, nor the scan
        return error_record(listing.id, raw.row, f"{where}check failed: {type(exc).__name__}: {exc}")
    record = {"id": listing.id, "row": raw.row, "status": "ok", "category": listing.category,
              "findings": [f.to_dict() for f in findings]}
    if findings:
        record["_texts"] = {f.field: listing.fields.get(f.field, "") for f in findings}
    return record


def error_record(ident: str, row: int, reason: str) -> dict:
    return {"id": ident, "row": row, "status": "error", "error": reason, "category": "", "findings": []}


def public(record: dict) -> dict:
    return {k: v for k, v in record.items() if not k.startswith("_")}


# -- workers -----------------------------------------------------------------------------------

_WORKER: dict = {}


def _init_worker(plan: Plan, parent: int) -> None:
    """Pool initializer: ignore Ctrl-C (the parent handles it), exit with the parent, and
    build the checker once (a forked worker reuses the parent's, built before the fork)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    threading.Thread(target=_exit_with_parent, args=(parent,), name="cguard-parent-watch", daemon=True).start()
    if _WORKER.get("plan") != plan:
        _WORKER.update(plan=plan, checker=plan.spec.build())


def _exit_with_parent(parent: int, every: float = 0.5) -> None:
    """Exit once the parent is gone. A parent killed outright (kill -9, the OOM killer) never
    shuts the pool down, and a worker would go on checking chunks that nobody reads: its
    pipes do not close, since every worker holds both ends of them. An orphan is re-parented,
    so its parent pid changes: a check that works on every POSIX system, in a thread, so it
    also runs while the worker checks a chunk."""
    while os.getppid() == parent:
        time.sleep(every)
    os._exit(1)


def _work(chunk: list[RawRow]) -> tuple[str, "Summary", dict]:
    """One chunk checked: its report lines ready to write and its summary (counters and its
    worst listings), so the parent has no record to unpickle, encode or count; and this
    process's usage so far (for benchmarks)."""
    checker, plan = _WORKER["checker"], _WORKER["plan"]
    records = [check_row(checker, plan, raw) for raw in chunk]
    part = Summary()
    for record in records:
        part.add(record)
    return format_records(records, plan.output), part, _usage()


def _usage() -> dict:
    from compliance_guard.text import segment

    times = os.times()
    return {"pid": os.getpid(), "peak_kb": _peak_rss_kb(), "cpu_s": times.user + times.system,
            "jieba": segment.is_loaded()}


def _peak_rss_kb() -> int:
    try:
        import resource

        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        return peak // 1024 if sys.platform == "darwin" else peak
    except ImportError:  # pragma: no cover - Windows
        return 0


def default_jobs() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - macOS/Windows
        return os.cpu_count() or 1


def run_chunks(rows: Iterable[RawRow], plan: Plan, jobs: int, chunk_size: int = CHUNK_SIZE,
               stats: dict | None = None) -> Iterator[tuple[str, "Summary"]]:
    """(report lines, summary) per chunk, in input order. With ``jobs > 1`` a process pool
    checks the chunks; at most ``2 * jobs + 1`` are in flight, so the input is never held."""
    stats = stats if stats is not None else {}
    workers: dict[int, dict] = stats.setdefault("workers", {})
    chunks = iter(lambda: list(islice(rows, chunk_size)), [])
    first = list(islice(chunks, 2))
    _WORKER.update(plan=plan, checker=plan.spec.build())
    if jobs <= 1 or len(first) < 2:
        for chunk in _chain(first, chunks):
            text, part, usage = _work(chunk)
            workers[usage["pid"]] = usage
            yield text, part
        return
    import multiprocessing

    methods = multiprocessing.get_all_start_methods()
    ctx = multiprocessing.get_context("fork" if "fork" in methods else "spawn")
    executor = ProcessPoolExecutor(jobs, mp_context=ctx, initializer=_init_worker, initargs=(plan, os.getpid()))
    pending: deque = deque()
    try:
        for chunk in _chain(first, chunks):
            pending.append(executor.submit(_work, chunk))
            while pending and (len(pending) > 2 * jobs or pending[0].done()):
                text, part, usage = pending.popleft().result()
                workers[usage["pid"]] = usage
                yield text, part
        while pending:
            text, part, usage = pending.popleft().result()
            workers[usage["pid"]] = usage
            yield text, part
    finally:
        executor.shutdown(wait=True, cancel_futures=True)


def _chain(first: list, rest: Iterator) -> Iterator:
    yield from first
    yield from rest


# -- output ------------------------------------------------------------------------------------

def output_format(path: str | None) -> str:
    return "csv" if path and Path(path).suffix.lower() == ".csv" else "jsonl"


def csv_row(record: dict) -> list[str]:
    findings = record.get("findings") or []
    worst = Severity.worst(f["severity"] for f in findings)
    rules = ";".join(f"{f['rule']}@{f.get('field') or ''}" for f in findings)

    def flat(s):
        return str(s).replace("\r", " ").replace("\n", " ")

    return [flat(record["id"]), str(record["row"]), record["status"], flat(record.get("error", "")),
            flat(record.get("category", "")), str(len(findings)), worst.value if worst else "", rules,
            json.dumps(findings, ensure_ascii=False) if findings else ""]


def format_records(records: list[dict], fmt: str) -> str:
    """Report lines (JSONL or CSV, ``\n``-terminated) of ``records``; ``_`` keys are dropped."""
    if fmt == "csv":
        buf = io.StringIO()
        csv.writer(buf, lineterminator="\n").writerows(csv_row(r) for r in records)
        return buf.getvalue()
    return "".join(json.dumps(public(r), ensure_ascii=False) + "\n" for r in records)


CSV_HEADER = ",".join(CSV_COLUMNS) + "\n"


def record_from_csv(cells: list[str]) -> dict:
    rec = dict(zip(CSV_COLUMNS, cells))
    out = {"id": rec["id"], "row": int(rec["row"]), "status": rec["status"]}
    if rec["status"] == "error":
        out["error"] = rec["error"]
    out["category"] = rec["category"]
    out["findings"] = json.loads(rec["findings_json"]) if rec["findings_json"] else []
    return out


def read_records(path: str) -> Iterator[dict]:
    """The records of a scan output (JSONL or CSV), for tests, resume and reports."""
    fmt = output_format(path)
    with open(path, encoding="utf-8", newline="") as fh:
        if fmt == "csv":
            reader = csv.reader(fh)
            next(reader, None)
            for cells in reader:
                yield record_from_csv(cells)
        else:
            for line in fh:
                if line.strip():
                    yield json.loads(line)


def resume_point(path: str, on_record: Callable[[dict], None]) -> int:
    """Rows already done in ``path``: complete records numbered 1..k in order. A torn last line
    (the scan was killed mid-write: the start of a record, without its newline) is cut off;
    anything else out of place is a ScanError, and the file is left as it is."""
    fmt = output_format(path)
    done, keep = 0, 0
    with open(path, "rb") as fh:
        offset = 0
        for number, raw in enumerate(fh, 1):
            end = offset + len(raw)
            if fmt == "csv" and number == 1:
                header = next(csv.reader([raw.decode("utf-8", "replace")]), [])
                if header != list(CSV_COLUMNS):
                    raise ScanError(f"{path}:1: not a cguard scan CSV report (header {header!r}); cannot resume")
                keep = offset = end
                continue
            if not raw.endswith(b"\n") and (fmt == "csv" or raw.startswith(b'{"id": ')):
                break  # torn last write
            try:
                text = raw.decode("utf-8")
                if fmt == "csv":
                    record = record_from_csv(next(csv.reader([text])))
                else:
                    record = json.loads(text)
                row = int(record["row"])
            except (ValueError, KeyError, TypeError, StopIteration, UnicodeDecodeError):
                raise ScanError(f"{path}:{number}: not a scan record; cannot resume") from None
            if row != done + 1:
                raise ScanError(f"{path}:{number}: record for row {row} where row {done + 1} was expected; cannot resume")
            done += 1
            keep = offset = end
            on_record(record)
    if os.path.getsize(path) != keep:
        with open(path, "r+b") as fh:
            fh.truncate(keep)
    return done


# -- summary -----------------------------------------------------------------------------------

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

    def merge(self, part: "Summary") -> None:
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
                lines.append(f"  row {r['row']} id {r['id']} [{r.get('category') or '-'}]: {len(r['findings'])} findings ({rules})")
        for e in self.error_examples[:10]:
            lines.append(f"  error: row {e['row']} id {e['id']}: {e['error']}")
        return "\n".join(lines) + "\n"


# -- the scan ----------------------------------------------------------------------------------

@dataclass
class ScanOptions:
    path: str
    out: str | None = None
    input_format: str | None = None
    overrides: dict = field(default_factory=dict)
    encoding: str | None = None
    delimiter: str | None = None
    sheet: str | None = None
    spec: EngineSpec = field(default_factory=EngineSpec)
    jobs: int = 0
    chunk_size: int = CHUNK_SIZE
    resume: bool = False
    progress: bool = False
    on_open: Callable[[Source], None] | None = None  # told the mapping and warnings before any row


@dataclass
class ScanResult:
    summary: Summary
    interrupted: bool = False
    stats: dict = field(default_factory=dict)


def open_input(options: ScanOptions) -> Source:
    return open_source(options.path, options.input_format, overrides=options.overrides, encoding=options.encoding,
                       delimiter=options.delimiter, sheet=options.sheet)


def scan(options: ScanOptions, stdout=None) -> ScanResult:
    """Run a scan end to end. ReaderError / MappingError / ScanError stop it before any row;
    Ctrl-C stops it after the chunk in hand, so the report ends on a whole, flushed record
    and the summary counts exactly the records written."""
    summary = Summary(path=options.path)
    if options.resume and not options.out:
        raise ScanError("--resume needs --out (the report to continue)")
    check_outputs(options.path, {"--out": options.out})
    source = open_input(options)
    try:
        if options.on_open is not None:
            options.on_open(source)
        head = list(islice(source.rows, FINGERPRINT_ROWS))
        stamp = fingerprint(options, source, head)
        done = 0
        fresh = not (options.resume and options.out and os.path.exists(options.out) and os.path.getsize(options.out))
        if not fresh:
            check_fingerprint(options.out, stamp)
            done = resume_point(options.out, summary.add)
            summary.resumed = done
    except BaseException:
        source.close()
        raise
    rows: Iterator[RawRow] = chain(head, source.rows)
    fmt = output_format(options.out)
    if options.out:
        try:
            if fresh and _regular_or_new(options.out):
                write_fingerprint(options.out, stamp)
            stream = open(options.out, "w" if fresh else "a", encoding="utf-8", newline="")
        except OSError as exc:
            source.close()
            raise ScanError(f"cannot write {options.out}: {exc.strerror or exc}") from None
    else:
        stream = stdout or sys.stdout
    if fresh and fmt == "csv":
        stream.write(CSV_HEADER)
        stream.flush()
    if done:
        rows = islice(rows, done, None)
    plan = Plan(options.spec, source.column_map, tuple(sorted(options.overrides.items())), fmt)
    jobs = options.jobs or default_jobs()
    result = ScanResult(summary, stats={"jobs": jobs})
    bar = _progress(options, source, done)
    try:
        with _ctrl_c() as pressed, closing(run_chunks(rows, plan, jobs, options.chunk_size, result.stats)) as chunks:
            for text, part in chunks:
                stream.write(text)
                stream.flush()
                summary.merge(part)
                if bar is not None:
                    bar.update(part.rows)
                    _estimate_total(bar, source, summary.rows)
                if pressed:
                    result.interrupted = True
                    break
    except KeyboardInterrupt:  # the second Ctrl-C: at once (resume cuts a torn last line)
        result.interrupted = True
    finally:
        if bar is not None:
            bar.close()
        source.close()
        if options.out:
            stream.close()
        else:
            stream.flush()
    summary.blank_lines = source.blank_lines
    result.stats["parent"] = _usage()
    return result


# -- what a report belongs to --------------------------------------------------------------------

def check_outputs(input_path: str, outputs: dict[str, str | None]) -> None:
    """Refuse an output that is the input (``-o cat.csv`` for ``cat.csv`` would replace the
    catalogue with its report), through a symlink, ``./`` or a hard link too, and two outputs
    that are one file."""
    named = [(option, path) for option, path in outputs.items() if path]
    for option, path in named:
        if os.path.isfile(input_path) and _same_file(input_path, path):
            raise ScanError(f"{option} {path} is the input catalogue {input_path}: writing there would destroy it; "
                            "choose another file")
    for i, (option, path) in enumerate(named):
        for other, other_path in named[i + 1:]:
            if _same_file(path, other_path):
                raise ScanError(f"{option} {path} and {other} {other_path} are the same file; give each its own")


def _same_file(a: str, b: str) -> bool:
    """Whether two paths are one regular file (same device and inode), or, where one does not
    exist yet, name the same place. Terminals and pipes are never the same file here."""
    try:
        sa, sb = os.stat(a), os.stat(b)
    except OSError:
        return os.path.realpath(a) == os.path.realpath(b)
    return stat.S_ISREG(sa.st_mode) and (sa.st_dev, sa.st_ino) == (sb.st_dev, sb.st_ino)


def fingerprint(options: ScanOptions, source: Source, head: list[RawRow]) -> dict:
    """What a report belongs to: its input, known by its content (a hash of the header and
    the first rows as read, and the size of a regular file) rather than by path or mtime,
    which a pipe (``<(zcat …)``), a copy or a touch change; and the options that decide the
    records. A legitimately interrupted scan resumed on the same input with the same options
    gives the same fingerprint."""
    digest = hashlib.sha256()
    mapping = source.column_map or source.preview
    digest.update(repr(mapping.headers if mapping else ()).encode("utf-8"))
    for raw in head:
        digest.update(repr((raw.row, raw.values, raw.error)).encode("utf-8"))
    from compliance_guard import __version__

    spec = options.spec
    return {
        "input": os.path.realpath(options.path),
        "size": source.size if os.path.isfile(options.path) else None,
        "head_sha256": digest.hexdigest(),
        "options": {"format": source.format, "map": dict(sorted(options.overrides.items())),
                    "packs": [os.path.realpath(p) for p in spec.packs], "select": list(spec.select),
                    "ignore": list(spec.ignore), "severity": [list(s) for s in spec.severity]},
        "version": __version__,
    }


def _regular_or_new(path: str) -> bool:
    """A report that is (or will be) a regular file has a fingerprint beside it; ``-o
    /dev/stdout`` or a pipe has none (and cannot be resumed)."""
    try:
        return stat.S_ISREG(os.stat(path).st_mode)
    except FileNotFoundError:
        return True


def fingerprint_path(out: str) -> str:
    return out + FINGERPRINT_SUFFIX


def write_fingerprint(out: str, stamp: dict) -> None:
    """Beside the report, not in it: each line of a JSONL report stays one record (a header
    line would break every reader of that contract), and a CSV report keeps its columns."""
    path = fingerprint_path(out)
    with open(path + ".tmp", "w", encoding="utf-8") as fh:
        json.dump(stamp, fh, ensure_ascii=False, indent=2)
        fh.write("\n")
    os.replace(path + ".tmp", path)


def check_fingerprint(out: str, stamp: dict) -> None:
    """Refuse to resume a report of another input, or of other options, or one whose input is
    unknown (written before reports had a fingerprint, or not by cguard scan)."""
    path = fingerprint_path(out)
    try:
        with open(path, encoding="utf-8") as fh:
            saved = json.load(fh)
        if not isinstance(saved, dict):
            raise ValueError
    except FileNotFoundError:
        raise ScanError(f"cannot resume {out}: {path} is missing, so which catalogue the report belongs to is unknown "
                        "(a report of an older cguard, or not a scan report); scan again without --resume") from None
    except (OSError, ValueError):
        raise ScanError(f"cannot resume {out}: {path} is not readable; scan again without --resume") from None
    was, now = saved.get("options"), stamp["options"]
    sizes_differ = None not in (saved.get("size"), stamp["size"]) and saved.get("size") != stamp["size"]
    if sizes_differ or saved.get("head_sha256") != stamp["head_sha256"]:
        raise ScanError(f"cannot resume {out}: it is the report of another input ({saved.get('input')}, "
                        f"{_size(saved.get('size'))}), not of {stamp['input']} ({_size(stamp['size'])}): its header "
                        "or first rows differ; scan again without --resume")
    if was != now:
        changed = ", ".join(k for k in now if not isinstance(was, dict) or was.get(k) != now[k])
        raise ScanError(f"cannot resume {out}: it was made with other options ({changed}); resume with the same "
                        "options, or scan again without --resume")
    if saved.get("version") != stamp["version"]:
        raise ScanError(f"cannot resume {out}: it was made by cguard {saved.get('version')}, this is "
                        f"{stamp['version']}; scan again without --resume")


def _size(size) -> str:
    return "a pipe" if size is None else f"{size:,} bytes"


@contextmanager
def _ctrl_c():
    """A list that the first Ctrl-C appends to, for the scan to stop between chunks rather
    than mid-write; a second Ctrl-C raises KeyboardInterrupt as usual. Left alone outside the
    main thread (no signals there) and where SIGINT is ignored (a background job)."""
    pressed: list = []
    if threading.current_thread() is not threading.main_thread() or signal.getsignal(signal.SIGINT) in (
            signal.SIG_IGN, None):
        yield pressed
        return

    def handler(signum, frame):
        signal.signal(signal.SIGINT, signal.default_int_handler)
        pressed.append(signum)

    previous = signal.signal(signal.SIGINT, handler)
    try:
        yield pressed
    finally:
        signal.signal(signal.SIGINT, previous)


def _progress(options: ScanOptions, source: Source, done: int):
    if not options.progress:
        return None
    import tqdm

    tqdm.tqdm.monitor_interval = 0  # no monitor thread in a process that forks
    total = source.total_rows
    return tqdm.tqdm(total=total, initial=done, unit="row", file=sys.stderr, dynamic_ncols=True,
                     desc=Path(options.path).name, smoothing=0.1)


def _estimate_total(bar, source: Source, rows: int) -> None:
    """Streaming CSV/JSONL has no row count: extrapolate from the bytes read so far."""
    if source.total_rows is None and source.size and source.bytes_read:
        estimate = int(rows * source.size / source.bytes_read)
        if estimate != bar.total:
            bar.total = max(estimate, rows)
            bar.refresh()


def progress_wanted(quiet: bool) -> bool:
    """A bar only for a person watching: stderr is a terminal, not quiet, not in CI."""
    return not quiet and sys.stderr.isatty() and not os.environ.get("CI")


def exit_status(summary: Summary, fail_on: str) -> int:
    """1 when a row could not be read, or a finding reaches ``fail_on``."""
    from compliance_guard.model.finding import exit_status as exit_status_of

    return exit_status_of(summary.by_severity, fail_on, failed=bool(summary.errors))


__all__ = ["EngineSpec", "Plan", "ScanOptions", "ScanResult", "ScanError", "ReaderError", "Summary", "scan",
           "read_records", "check_row", "default_jobs", "run_chunks", "format_records"]
