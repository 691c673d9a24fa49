"""Parallel streaming scans: same records on any number of workers, bounded reading, resume
after a kill or Ctrl-C equal to an uninterrupted scan, progress only on stderr."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from itertools import count
from pathlib import Path

import pytest

from compliance_guard.scan.columns import ColumnMap
from compliance_guard.scan.local import ScanOptions, scan
from compliance_guard.scan.pool import EngineOptions, Plan, run_chunks
from compliance_guard.scan.records import ScanError, read_records
from compliance_guard.scan.resume import fingerprint_path, resume_point
from compliance_guard.scan.source import RawRow

REPO = Path(__file__).resolve().parents[1]
CATALOGUE = REPO / "corpora" / "listings" / "catalogue.csv"
CGUARD = [sys.executable, "-c", "from compliance_guard.app.cli import main; main()"]
ROWS = 244  # the sample catalogue's rows: its blank line and its line of delimiters are none


def copies(n: int = 34) -> tuple[str, list[str]]:
    """The sample catalogue's header, and its body ``n`` times (ids made unique), broken rows included."""
    lines = CATALOGUE.read_text(encoding="utf-8-sig").splitlines(True)
    header, body = lines[0], lines[1:]
    return header, ["".join(line.replace("L0", f"C{copy:02d}-L0", 1) for line in body) for copy in range(n)]


@pytest.fixture(scope="module")
def big(tmp_path_factory) -> Path:
    """The sample catalogue repeated to 8,000+ rows."""
    header, parts = copies()
    path = tmp_path_factory.mktemp("big") / "big.csv"
    path.write_text(header + "".join(parts), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def uninterrupted(big, tmp_path_factory) -> list[dict]:
    out = tmp_path_factory.mktemp("full") / "full.jsonl"
    proc = subprocess.run([*CGUARD, "scan", str(big), "-o", str(out), "-j", "2", "-q"], capture_output=True, text=True)
    assert proc.returncode == 1, proc.stderr
    return list(read_records(str(out)))


@pytest.mark.parametrize("suffix", [".jsonl", ".csv"])
def test_workers_give_the_records_and_summary_of_one_process(tmp_path, suffix):
    """Workers return report lines and per-chunk summaries; merged, they are those of one
    process checking every row in one chunk."""
    one, two = tmp_path / f"one{suffix}", tmp_path / f"two{suffix}"
    whole = scan(ScanOptions(path=str(CATALOGUE), out=str(one), jobs=1, chunk_size=10_000)).summary
    parts = scan(ScanOptions(path=str(CATALOGUE), out=str(two), jobs=2, chunk_size=7)).summary
    assert one.read_bytes() == two.read_bytes()
    assert json.dumps(parts.to_dict(top=50)) == json.dumps(whole.to_dict(top=50))
    assert parts.top() == whole.top() and whole.top()[0]["_texts"]


def test_reading_is_bounded_by_the_chunks_in_flight():
    """An endless input: the pool pulls only the chunks in flight, never the whole input."""
    pulled = count()
    seen = []

    def endless():
        for n in count(1):
            seen.append(next(pulled))
            yield RawRow(n, None, [f"杯子{n}", "9"])

    plan = Plan(EngineOptions(), ColumnMap.resolve(["商品标题", "售价"]))
    gen = run_chunks(endless(), plan, jobs=2, chunk_size=10)
    got = [next(gen) for _ in range(3)]
    gen.close()
    assert [json.loads(line)["row"] for text, _ in got for line in text.splitlines()] == list(range(1, 31))
    assert len(seen) <= 10 * (2 * 2 + 1 + 3)  # in flight + the two peeked chunks + the one being cut


LAZY_SCRIPT = """
import json
from compliance_guard.scan.local import EngineOptions, Plan, run_chunks
from compliance_guard.scan.readers import RawRow
from compliance_guard.scan.columns import ColumnMap
plan = Plan(EngineOptions(), ColumnMap.resolve(["商品标题", "售价"]))
out = {}
for name, title in (("plain", "保温杯{}号"), ("claims", "这款面膜是全网最好的{}")):
    stats = {}
    rows = (RawRow(n, None, [title.format(n), "9"]) for n in range(1, 41))
    found = sum(part.rows_with_findings for _, part in run_chunks(rows, plan, jobs=2, chunk_size=5, stats=stats))
    out[name] = [found, [w["jieba"] for w in stats["workers"].values()]]
print(json.dumps(out))
"""


def test_jieba_loads_lazily_in_each_worker():
    """Workers start without the jieba dictionary and load it only for a token-boundary candidate
    (a fresh process: a parent that already loaded it would hand it to its forks)."""
    proc = subprocess.run([sys.executable, "-c", LAZY_SCRIPT], capture_output=True, text=True, check=True)
    out = json.loads(proc.stdout)
    assert out["plain"][0] == 0 and out["plain"][1] and not any(out["plain"][1])
    assert out["claims"][0] == 40 and out["claims"][1] and all(out["claims"][1])


def test_records_in_input_order(uninterrupted, big):
    assert [r["row"] for r in uninterrupted] == list(range(1, len(uninterrupted) + 1))
    assert len(uninterrupted) == ROWS * 34


def _wait_for_lines(path: Path, n: int, proc, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if path.exists() and path.read_bytes().count(b"\n") >= n:
            return
        if proc.poll() is not None:
            pytest.fail(f"the scan ended before it wrote {n} records")
        time.sleep(0.01)
    pytest.fail("the scan wrote nothing in time")


def _feed(fifo: Path, head: str, rest: str, release: threading.Event) -> threading.Thread:
    """Write ``head`` into the pipe, hold ``rest`` back until ``release``, then write it."""
    def run():
        try:
            with open(fifo, "w", encoding="utf-8") as fh:
                fh.write(head)
                fh.flush()
                release.wait(60)
                fh.write(rest)
        except BrokenPipeError:  # the scan stopped reading: killed, or stopped on Ctrl-C
            pass

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
@pytest.mark.parametrize("how", ["kill", "ctrl-c"])
def test_interrupted_scan_resumes_to_the_same_records(big, uninterrupted, tmp_path, how):
    """The catalogue comes through a pipe that holds its second half back until the signal is
    sent, so the signal lands part-way however fast or loaded the machine is; then the rest
    comes, and a scan stopped by Ctrl-C must not read on to the end."""
    header, parts = copies()
    fifo, out = tmp_path / "in.csv", tmp_path / "out.jsonl"
    os.mkfifo(fifo)
    release = threading.Event()
    feeder = _feed(fifo, header + "".join(parts[:17]), "".join(parts[17:]), release)
    proc = subprocess.Popen([*CGUARD, "scan", str(fifo), "-o", str(out), "-j", "2", "-q"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
    _wait_for_lines(out, 1, proc)
    os.killpg(proc.pid, signal.SIGKILL if how == "kill" else signal.SIGINT)
    release.set()
    _, err = proc.communicate(timeout=60)
    feeder.join(60)
    done = out.read_bytes().count(b"\n")
    assert 0 < done < len(uninterrupted), "the scan was not interrupted part-way"
    if how == "ctrl-c":
        assert proc.returncode == 130
        assert f"interrupted after {done} rows".encode() in err and b"--resume" in err
        assert out.read_bytes().endswith(b"\n")
        assert all(json.loads(line) for line in out.read_text(encoding="utf-8").splitlines())
    resumed = subprocess.run([*CGUARD, "scan", str(big), "-o", str(out), "-j", "2", "--resume", "--summary",
                              str(tmp_path / "s.json")], capture_output=True, text=True)
    assert resumed.returncode == 1, resumed.stderr
    assert list(read_records(str(out))) == uninterrupted
    summary = json.loads((tmp_path / "s.json").read_text(encoding="utf-8"))
    assert summary["rows"] == len(uninterrupted) and summary["resumed"] == done


@pytest.mark.parametrize("suffix", [".jsonl", ".csv"])
def test_resume_cuts_a_torn_last_line(tmp_path, suffix):
    full, part = tmp_path / f"full{suffix}", tmp_path / f"part{suffix}"
    scan(ScanOptions(path=str(CATALOGUE), out=str(full), jobs=1))
    data = full.read_bytes()
    cut = [i for i, b in enumerate(data) if b == 0x0A][100] + 1  # 100 whole records (+ header for CSV)
    part.write_bytes(data[:cut] + data[cut:cut + 25])  # and a torn one
    Path(fingerprint_path(str(part))).write_bytes(Path(fingerprint_path(str(full))).read_bytes())
    result = scan(ScanOptions(path=str(CATALOGUE), out=str(part), jobs=1, resume=True))
    assert part.read_bytes() == data
    assert result.summary.rows == len(list(read_records(str(full))))


def test_resume_refuses_a_foreign_file(tmp_path):
    out = tmp_path / "out.jsonl"
    out.write_text('{"row": 1}\n{"row": 5}\n', encoding="utf-8")
    with pytest.raises(ScanError, match="row 5 where row 2 was expected"):
        resume_point(str(out), lambda r: None)


def test_progress_goes_to_stderr_only(capsys):
    scan(ScanOptions(path=str(CATALOGUE), jobs=1, progress=True))
    captured = capsys.readouterr()
    lines = captured.out.splitlines()
    assert len(lines) == ROWS and all(json.loads(line)["id"] for line in lines)
    assert "row" in captured.err and str(ROWS) in captured.err


def _with_terminal_stderr(args: list[str]) -> tuple[str, str]:
    """Run ``args`` (not in CI) with stderr on an 80-column pseudo-terminal: (stdout, what the
    terminal showed)."""
    import fcntl
    import struct
    import termios

    env = {k: v for k, v in os.environ.items() if k != "CI"}
    leader, follower = os.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))  # a size, as a terminal has
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=follower, env=env)
    os.close(follower)
    shown: list[bytes] = []

    def drain():
        while True:
            try:
                data = os.read(leader, 4096)
            except OSError:  # EIO: the child closed the terminal
                return
            if not data:
                return
            shown.append(data)

    reader = threading.Thread(target=drain)
    reader.start()
    out, _ = proc.communicate(timeout=120)
    reader.join(10)
    os.close(leader)
    return out.decode("utf-8"), b"".join(shown).decode("utf-8", "replace")


@pytest.mark.skipif(not hasattr(os, "openpty"), reason="needs a pseudo-terminal")
def test_progress_bar_on_a_terminal_never_on_stdout():
    out, shown = _with_terminal_stderr([*CGUARD, "scan", str(CATALOGUE), "-j", "1"])
    assert len(out.splitlines()) == ROWS and all(json.loads(line)["id"] for line in out.splitlines())
    assert "row/s" in shown and f"{ROWS}/{ROWS}" in shown and "rows read" in shown  # the bar, then the summary
    out_quiet, shown_quiet = _with_terminal_stderr([*CGUARD, "scan", str(CATALOGUE), "-j", "1", "-q"])
    assert out_quiet == out and shown_quiet == ""


def test_no_progress_bar_in_ci(monkeypatch):
    from compliance_guard.scan.progress import progress_wanted

    monkeypatch.setenv("CI", "true")
    assert not progress_wanted(quiet=False)
    assert not progress_wanted(quiet=True)
