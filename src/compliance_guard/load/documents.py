"""Readers: bytes -> text (UTF-8 with or without BOM, UTF-16 with BOM, GB18030/GBK) and
the parts of a document that are checked.

A document's text is the decoded file as it is, line endings included (``\\r\\n``, ``\\r`` and
``\\n`` all end a line: text.lines.LineIndex), so offsets are those of the file. It is checked
through a *mask*: characters that must not be checked (SRT indices and timings, Markdown code,
URLs, HTML tags, front matter) are replaced one-for-one by a private-use character, so offsets,
lines and columns stay those of the file and no region bookkeeping is needed downstream.
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import BinaryIO

from compliance_guard.load.srt import mask_srt
from compliance_guard.model.document import Document
from compliance_guard.text.lines import lf_text

MAX_SIZE = 20 * 1024 * 1024  # bytes per document unless --max-size / max-size: says otherwise
TEXT_SUFFIXES = (".txt", ".md", ".markdown", ".srt")
DOCUMENT_SUFFIXES = TEXT_SUFFIXES + (".docx",)

class DocumentError(Exception):
    """A file that cannot be read as text; the message names the file."""


def decode(data: bytes, name: str) -> str:
    """Decode a text file; raise DocumentError for binary or undecodable input."""
    return sniff(data, name)[0]


def sniff(data: bytes, name: str) -> tuple[str, str, bytes]:
    """``(text, codec, bom)`` with ``bom + text.encode(codec) == data`` for well-formed files
    (line endings untouched), so a fix can write the file back in its own encoding."""
    bom = b""
    if data.startswith(b"\xef\xbb\xbf"):
        bom, data = data[:3], data[3:]
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        codec = "utf-16-le" if data.startswith(b"\xff\xfe") else "utf-16-be"
        try:
            return data[2:].decode(codec), codec, data[:2]
        except UnicodeDecodeError as exc:
            raise DocumentError(f"{name}: invalid UTF-16 at byte {exc.start}") from None
    if b"\x00" in data[:8192]:
        raise DocumentError(f"{name}: binary file (NUL bytes), not checked")
    try:
        return data.decode("utf-8"), "utf-8", bom
    except UnicodeDecodeError as utf8_error:
        try:
            return data.decode("gb18030"), "gb18030", bom
        except UnicodeDecodeError:
            line = data[: utf8_error.start].count(b"\n") + 1
            raise DocumentError(
                f"{name}:{line}: cannot decode as UTF-8 or GB18030 (byte {utf8_error.start}); not checked"
            ) from None


def read_limited(stream: BinaryIO, name: str, limit: int = MAX_SIZE) -> bytes:
    """The bytes of ``stream``, reading at most ``limit + 1`` of them: a larger input (a huge
    file, /dev/zero, an endless pipe) is a DocumentError for that input, not a runaway."""
    data = stream.read(limit + 1)
    if len(data) > limit:
        raise DocumentError(f"{name}: larger than {format_size(limit)}; not checked "
                            f"(raise the limit with --max-size or max-size: in the config)")
    return data


def format_size(n: int) -> str:
    for unit, size in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if n >= size:
            return f"{n / size:.4g} {unit}"
    return f"{n} bytes"


def read_path(path: str | os.PathLike, limit: int = MAX_SIZE) -> Document:
    p = Path(path)
    try:
        with open(p, "rb") as fh:
            data = read_limited(fh, str(p), limit)
    except OSError as exc:
        raise DocumentError(f"{p}: {exc.strerror or exc}") from None
    if p.suffix.lower() == ".docx":
        return from_docx(str(p), data)
    return from_text(str(p), decode(data, str(p)))


def from_docx(path: str, data: bytes) -> Document:
    """A Word document: line = paragraph number, column = character in it (load.docx)."""
    from compliance_guard.load.docx import DocxError, docx_text

    try:
        return Document(path=path, text=docx_text(data), kind="docx")
    except DocxError as exc:
        raise DocumentError(f"{path}: {exc}; not checked") from None


def from_text(path: str, text: str, kind: str | None = None) -> Document:
    """Build a Document, choosing the reader from ``kind`` or the file suffix."""
    kind = kind or _kind_of(path)
    doc = Document(path=path, text=text, kind=kind)
    if kind == "srt":
        mask_srt(doc)
    elif kind == "markdown":
        from compliance_guard.load.markdown import unchecked_spans

        doc.masked = unchecked_spans(lf_text(text))
    return doc


def _kind_of(path: str) -> str:
    suffix = Path(path).suffix.lower()
    if suffix == ".srt":
        return "srt"
    if suffix in (".md", ".markdown"):
        return "markdown"
    return "text"


def iter_paths(paths, suffixes=DOCUMENT_SUFFIXES, want=None):
    """Files under ``paths``: files as given, directories recursed for known document suffixes
    (or, when given, the files ``want(path)`` accepts, e.g. a config's include globs)."""
    for raw in paths:
        p = Path(raw)
        if p.is_dir():
            for sub in sorted(p.rglob("*")):
                if sub.is_file() and (want(sub) if want else sub.suffix.lower() in suffixes) and not any(
                    part.startswith(".") for part in sub.relative_to(p).parts
                ) and not sub.name.startswith("~$"):  # Word's lock file beside an open document
                    yield sub
        else:
            yield p
