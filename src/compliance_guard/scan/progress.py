"""A scan's progress bar (only for a person watching) and Ctrl-C (stop after the chunk in hand)."""
from __future__ import annotations

import os
import signal
import sys
import threading
from contextlib import contextmanager
from pathlib import Path

from compliance_guard.scan.source import Source


@contextmanager
def ctrl_c():
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


def progress_bar(options, source: Source, done: int):
    if not options.progress:
        return None
    import tqdm

    tqdm.tqdm.monitor_interval = 0  # no monitor thread in a process that forks
    total = source.total_rows
    return tqdm.tqdm(total=total, initial=done, unit="row", file=sys.stderr, dynamic_ncols=True,
                     desc=Path(options.path).name, smoothing=0.1)


def estimate_total(bar, source: Source, rows: int) -> None:
    """Streaming CSV/JSONL has no row count: extrapolate from the bytes read so far."""
    if source.total_rows is None and source.size and source.bytes_read:
        estimate = int(rows * source.size / source.bytes_read)
        if estimate != bar.total:
            bar.total = max(estimate, rows)
            bar.refresh()


def progress_wanted(quiet: bool) -> bool:
    """A bar only for a person watching: stderr is a terminal, not quiet, not in CI."""
    return not quiet and sys.stderr.isatty() and not os.environ.get("CI")
