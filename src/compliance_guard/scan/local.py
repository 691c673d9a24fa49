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

import os
import sys
from collections.abc import Callable, Iterator
from contextlib import closing
from dataclasses import dataclass, field
from itertools import chain, islice

from compliance_guard.scan.pool import CHUNK_SIZE, EngineOptions, Plan, default_jobs, run_chunks, usage
from compliance_guard.scan.progress import ctrl_c, estimate_total, progress_bar
from compliance_guard.scan.readers import open_source
from compliance_guard.scan.records import CSV_HEADER, ScanError, output_format
from compliance_guard.scan.resume import (
    FINGERPRINT_ROWS,
    check_fingerprint,
    check_outputs,
    fingerprint,
    regular_or_new,
    resume_point,
    write_fingerprint,
)
from compliance_guard.scan.source import RawRow, Source
from compliance_guard.scan.summary import Summary

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
    spec: EngineOptions = field(default_factory=EngineOptions)
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
            if fresh and regular_or_new(options.out):
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
    bar = progress_bar(options, source, done)
    try:
        with ctrl_c() as pressed, closing(run_chunks(rows, plan, jobs, options.chunk_size, result.stats)) as chunks:
            for text, part in chunks:
                stream.write(text)
                stream.flush()
                summary.merge(part)
                if bar is not None:
                    bar.update(part.rows)
                    estimate_total(bar, source, summary.rows)
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
    result.stats["parent"] = usage()
    return result
