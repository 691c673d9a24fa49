"""The worker pool of a local scan: rows stream in chunks to processes that each build the
checker once; a bounded number of chunks is in flight and results come back in input order,
each chunk as report lines ready to write plus its summary, so the parent only reads, writes
and adds up counters."""
from __future__ import annotations

import os
import signal
import sys
import threading
import time
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from itertools import islice

from compliance_guard.scan.columns import ColumnMap, RowError, build_listing, row_id
from compliance_guard.scan.listing import ListingChecker
from compliance_guard.scan.records import format_records
from compliance_guard.scan.source import RawRow
from compliance_guard.scan.summary import Summary

CHUNK_SIZE = 500


@dataclass(frozen=True)
class EngineOptions:
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

    spec: EngineOptions
    column_map: ColumnMap | None
    overrides: tuple[tuple[str, str], ...] = ()
    output: str = "jsonl"


# -- records ----------------------------------------------------------------------------------

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


# -- workers ----------------------------------------------------------------------------------

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


def _work(chunk: list[RawRow]) -> tuple[str, Summary, dict]:
    """One chunk checked: its report lines ready to write and its summary (counters and its
    worst listings), so the parent has no record to unpickle, encode or count; and this
    process's usage so far (for benchmarks)."""
    checker, plan = _WORKER["checker"], _WORKER["plan"]
    records = [check_row(checker, plan, raw) for raw in chunk]
    part = Summary()
    for record in records:
        part.add(record)
    return format_records(records, plan.output), part, usage()


def usage() -> dict:
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
               stats: dict | None = None) -> Iterator[tuple[str, Summary]]:
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
