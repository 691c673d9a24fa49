"""Built engines kept between runs: a ``cguard check`` of one file would otherwise spend most of
its time parsing the packs and building the phonetic index again.

An engine is pickled into the user's cache directory (``$XDG_CACHE_HOME/compliance-guard``, else
``~/.cache/compliance-guard``) under a digest of everything it is built from: the bytes of every
pack and word-class file (built-in and the user's, with their paths, which findings name) and of
cguard's tables, cguard's modules as Python's bytecode cache tells them apart (size and mtime: a
development checkout changes without a new version number), the versions of Python and of the
libraries that shape the parsed data, and the engine's options. The packs by content, not
modification times: a pack edited within the same second is never served stale.

The cache only ever saves time. Whatever goes wrong with it (no home directory, a read-only or
full disk, a truncated, corrupt or foreign file) means the engine is built as without it: a file
carries a digest of its payload, checked before anything is unpickled. ``CGUARD_NO_CACHE=1``
turns the cache off.
"""
from __future__ import annotations

import gc
import hashlib
import importlib.util
import os
import pickle
import sys
from collections.abc import Iterable
from pathlib import Path

import regex

from compliance_guard import __version__
from compliance_guard.engine import Engine
from compliance_guard.load.shipped import builtin_rules_dir

FORMAT = b"cguard-engine-cache 1\n"
DIGEST = 32
MAX_ENTRIES = 16  # engines kept (one per pack set and options in use); the least recently used go
OFF = "CGUARD_NO_CACHE"
_PACKAGE = Path(__file__).resolve().parents[1]


def enabled() -> bool:
    return os.environ.get(OFF, "") in ("", "0")


def directory() -> Path | None:
    """The cache directory by the XDG rule (a relative ``XDG_CACHE_HOME`` is ignored), or None
    when there is no home to put it in."""
    base = os.environ.get("XDG_CACHE_HOME", "")
    if not os.path.isabs(base):
        home = os.path.expanduser("~")
        if not os.path.isabs(home):
            return None
        base = os.path.join(home, ".cache")
    return Path(base) / "compliance-guard"


def engine_key(extra_paths: Iterable[str | Path], options: tuple) -> str | None:
    """The digest an engine over the built-in packs plus ``extra_paths`` with ``options`` is
    kept under; None when the cache is off or a path cannot be read (building reports it)."""
    if not enabled():
        return None
    h = hashlib.blake2b(digest_size=20)

    def add(label: str, data: bytes = b"") -> None:
        h.update(f"{label}\0{len(data)}\0".encode("utf-8", "surrogatepass"))
        h.update(data)

    add(f"{FORMAT!r} {__version__} {sys.version} {sys.implementation.cache_tag} regex {regex.__version__}")
    try:
        for name, file in _library_files():
            add(name, file.read_bytes())
        for entry in _package_files():
            if entry.name.endswith(".py"):  # judged as Python's bytecode cache judges it: size and mtime
                add(f"{entry.path} {entry.stat().st_size} {entry.stat().st_mtime_ns}")
            else:
                add(entry.path, Path(entry.path).read_bytes())
        for file in _pack_files(extra_paths):
            add(str(file), file.read_bytes())
    except (OSError, ValueError):
        return None
    add(repr(options))
    return h.hexdigest()


def derived_key(key: str, options: tuple) -> str:
    """The key of an engine over the same packs as the one kept under ``key``, with ``options``."""
    return hashlib.blake2b(f"{key}\0{options!r}".encode("utf-8", "surrogatepass"), digest_size=20).hexdigest()


def load(key: str | None) -> Engine | None:
    """The engine kept under ``key``, or None (none kept, or the file is not a sound one)."""
    folder = directory()
    if key is None or folder is None:
        return None
    path = folder / f"engine-{key}.pickle"
    try:
        data = path.read_bytes()
    except OSError:
        return None
    head = len(FORMAT) + DIGEST
    if not data.startswith(FORMAT) or hashlib.blake2b(data[head:], digest_size=DIGEST).digest() != data[len(FORMAT):head]:
        return None
    collecting = gc.isenabled()
    gc.disable()  # every object unpickled stays: collecting while they are made finds nothing
    try:
        stored, engine = pickle.loads(data[head:])
    except Exception:  # a file of another build of cguard: unpickling may fail in any way
        return None
    finally:
        if collecting:
            gc.enable()
    if stored != key or not isinstance(engine, Engine):
        return None
    try:
        os.utime(path)  # recently used: kept when older entries are pruned
    except OSError:
        pass
    return engine


def store(key: str | None, engine: Engine) -> None:
    """Keep ``engine`` under ``key`` if the cache directory can be written; never fails."""
    folder = directory()
    if key is None or folder is None:
        return
    try:
        engine.check_unlocated(" ")  # what every text runs (gates, patterns without triggers) is kept compiled
        payload = pickle.dumps((key, engine), protocol=pickle.HIGHEST_PROTOCOL)
    except Exception:  # something unpicklable in the engine: it is just not kept
        return
    import tempfile

    digest = hashlib.blake2b(payload, digest_size=DIGEST).digest()
    tmp = None
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd, tmp = tempfile.mkstemp(prefix=".engine-", suffix=".tmp", dir=folder)
        with os.fdopen(fd, "wb") as fh:
            fh.write(FORMAT + digest + payload)
        os.replace(tmp, folder / f"engine-{key}.pickle")  # atomic: parallel runs never see half a file
        tmp = None
        _prune(folder)
    except OSError:
        pass
    finally:
        if tmp is not None:
            try:
                os.unlink(tmp)
            except OSError:
                pass


def _prune(folder: Path) -> None:
    entries = sorted(folder.glob("engine-*.pickle"), key=lambda p: p.stat().st_mtime, reverse=True)
    for old in entries[MAX_ENTRIES:]:
        old.unlink()


def _library_files() -> list[tuple[str, Path]]:
    """Files that change with the versions of the libraries whose output the engine holds:
    PyYAML (parsing the packs) and OpenCC's character table (normalised terms)."""
    out = []
    for name, data in (("yaml", None), ("opencc", ("dictionary", "TSCharacters.txt"))):
        spec = importlib.util.find_spec(name)
        if spec is None or spec.origin is None:
            raise ValueError(name)
        origin = Path(spec.origin)
        out.append((name, origin.parent.joinpath(*data) if data else origin))
    return out


def _package_files() -> list[os.DirEntry]:
    """cguard's own modules and tables."""
    found: list[os.DirEntry] = []

    def walk(folder: str) -> None:
        with os.scandir(folder) as entries:
            for entry in entries:
                if entry.is_dir():
                    if entry.name != "__pycache__":
                        walk(entry.path)
                elif entry.name.endswith((".py", ".tsv")):
                    found.append(entry)

    walk(str(_PACKAGE))
    return sorted(found, key=lambda entry: entry.path)


def _pack_files(extra_paths: Iterable[str | Path]) -> list[Path]:
    """Every file the packs are loaded from, as the loader names them (``engine.packs``): a
    directory's packs and its ``lexicons/`` word classes, a file given by itself; and every
    file of the built-in rules (the profiles that campaign examples are judged with too)."""
    shipped = builtin_rules_dir()
    files = sorted(shipped.rglob("*.yaml")) + sorted(shipped.rglob("*.yml"))
    for p in map(Path, extra_paths):
        if p.is_dir():
            for folder in (p, p / "lexicons"):
                files += sorted(folder.glob("*.yaml")) + sorted(folder.glob("*.yml"))
        elif p.is_file():
            files.append(p)
        else:
            raise ValueError(p)
    return files
