"""``cguard check --diff [REV]``: the lines changed since REV, from ``git diff -U0``.

Adopting cguard on an old content repository should not mean fixing every old script first:
only findings on added or changed lines count. The working tree is compared with REV (default
HEAD), so staged and unstaged edits both count; untracked files are not in the diff. A binary
file in the diff (a .docx) has no line numbers to compare, so it is checked whole.
"""
from __future__ import annotations

import bisect
import re
import subprocess
from pathlib import Path

_HUNK = re.compile(r"^@@ -\d+(?:,\d+)? \+(\d+)(?:,(\d+))? @@")
_BINARY = re.compile(r"^Binary files (?:\S.*) and (.+) differ$")
WHOLE = None  # value for a file whose every line counts


class GitError(Exception):
    """git is missing, this is not a repository, or REV is unknown; one line."""


def _git(args: list[str], cwd: Path) -> str:
    try:
        proc = subprocess.run(["git", "-c", "core.quotepath=off", *args], cwd=cwd, capture_output=True,
                              text=True, encoding="utf-8", errors="surrogateescape")
    except FileNotFoundError:
        raise GitError("--diff needs git, which was not found on PATH") from None
    if proc.returncode != 0:
        msg = (proc.stderr.strip().splitlines() or ["git failed"])[-1]
        raise GitError(f"git {' '.join(args[:2])}: {msg}")
    return proc.stdout


def is_revision(rev: str, cwd: Path) -> bool:
    try:
        _git(["rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}"], cwd)
        return True
    except GitError:
        return False


def split_rev(rev: str, paths: tuple[str, ...], cwd: Path | None = None) -> tuple[str, tuple[str, ...]]:
    """``--diff`` takes an optional REV, so ``--diff docs/`` reads the path as REV: a value
    that is no revision but an existing path is given back as a path, with REV HEAD."""
    cwd = cwd or Path.cwd()
    if rev != "HEAD" and not is_revision(rev, cwd) and (cwd / rev).exists():
        return "HEAD", (rev, *paths)
    return rev, paths


def changed_lines(rev: str, paths=(), cwd: Path | None = None) -> dict[Path, set[int] | None]:
    """Resolved path -> changed line numbers (new side) for files changed since ``rev``;
    ``None`` for binary files (check whole)."""
    cwd = cwd or Path.cwd()
    top = Path(_git(["rev-parse", "--show-toplevel"], cwd).strip())
    if not is_revision(rev, cwd):
        raise GitError(f"--diff: unknown revision {rev!r}")
    out = _git(["diff", "-U0", "--no-color", "--no-ext-diff", "--src-prefix=a/", "--dst-prefix=b/", rev, "--",
                *[str(p) for p in paths]], cwd)
    changed: dict[Path, set[int] | None] = {}
    current: Path | None = None
    for line in out.split("\n"):
        if line.startswith("+++ "):
            name = _unquote(line[4:])
            current = None if name == "/dev/null" else (top / name[2:]).resolve()
            if current is not None:
                changed.setdefault(current, set())
        elif line.startswith("@@") and current is not None:
            m = _HUNK.match(line)
            if m:
                start, count = int(m.group(1)), int(m.group(2) if m.group(2) is not None else 1)
                lines = changed[current]
                if lines is not None:
                    lines.update(range(start, start + count))
        else:
            b = _BINARY.match(line)
            if b:
                name = _unquote(b.group(1))
                if name != "/dev/null":
                    changed[(top / name[2:]).resolve()] = WHOLE
    return {p: lines for p, lines in changed.items() if lines is None or lines}


def _unquote(name: str) -> str:
    """git's C-style quoting of unusual file names ("a\\tb.md", octal bytes)."""
    if not (len(name) >= 2 and name[0] == '"' and name[-1] == '"'):
        return name
    body, out, i = name[1:-1], bytearray(), 0
    simple = {"t": b"\t", "n": b"\n", '"': b'"', "\\": b"\\", "a": b"\a", "b": b"\b", "f": b"\f",
              "r": b"\r", "v": b"\v"}
    while i < len(body):
        c = body[i]
        if c == "\\" and i + 1 < len(body):
            nxt = body[i + 1]
            if len(body[i + 1:i + 4]) == 3 and all(ch in "01234567" for ch in body[i + 1:i + 4]):
                out.append(int(body[i + 1:i + 4], 8))
                i += 4
                continue
            out += simple.get(nxt, nxt.encode("utf-8"))
            i += 2
            continue
        out += c.encode("utf-8")
        i += 1
    return out.decode("utf-8", "replace")


def restrict(results, changed: dict[Path, set[int] | None]) -> None:
    """Keep only findings that touch a changed line (in place)."""
    for r in results:
        lines = changed.get(Path(r.path).resolve(), set())
        if lines is WHOLE:
            continue
        lines_of = _git_lines(r.text)
        r.findings = [f for f in r.findings if any(n in lines for n in lines_of(f))]


def _git_lines(text: str | None):
    """A finding's line numbers as git counts them: by ``\\n`` alone, so the lone CR line
    endings that end lines for cguard and editors do not count."""
    if text is None or "\r" not in text:
        return lambda f: range(f.line, f.end_line + 1)
    breaks = [m.start() for m in re.finditer("\n", text)]
    return lambda f: range(bisect.bisect_left(breaks, f.start) + 1, bisect.bisect_left(breaks, f.end) + 2)


def files_in(changed: dict[Path, set[int] | None], paths=(), cwd: Path | None = None) -> list[str]:
    """The changed files that exist, under ``paths`` (default: everything), relative to cwd
    where possible so reports show short paths."""
    cwd = (cwd or Path.cwd()).resolve()
    roots = [(cwd / p).resolve() for p in paths] or [cwd]
    out = []
    for p in sorted(changed):
        if p.is_file() and any(p == r or r in p.parents for r in roots):
            try:
                out.append(str(p.relative_to(cwd)))
            except ValueError:
                out.append(str(p))
    return out


def changed_files(rev: str, paths: tuple[str, ...], cwd: Path | None = None
                  ) -> tuple[dict[Path, set[int] | None], list[str]]:
    """``--diff [REV] [PATHS]``: the changed lines since REV and the changed files to check
    (a PATH given where REV goes is read as a path)."""
    rev, paths = split_rev(rev, paths, cwd)
    changed = changed_lines(rev, paths, cwd)
    return changed, files_in(changed, paths, cwd)
