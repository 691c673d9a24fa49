"""Word (.docx) documents as text: one line per paragraph, so a finding's ``line`` is the
paragraph number and its ``column`` the character within that paragraph (both 1-based).

Paragraphs are numbered in document order, body and tables alike: a table is read row by
row, cell by cell (a merged cell once), each cell paragraph taking the next number; nested
tables are read where they stand. Line breaks and tabs inside a paragraph become spaces so
the numbering holds (spaces between Chinese characters are filler to the engine, so a term
split across a soft break is still found). Headers, footers, comments and text boxes are
not read.
"""
from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator

MAX_PART_BYTES = 256 * 1024 * 1024  # uncompressed word/document.xml; guards against zip bombs


class DocxError(ValueError):
    """A file that is not a readable .docx; the message says why, without the file name."""


def docx_paragraphs(data: bytes) -> list[str]:
    """Every paragraph's text, in document order, from the bytes of a .docx file."""
    import docx
    from docx.opc.exceptions import PackageNotFoundError

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            info = z.getinfo("word/document.xml")
            if info.file_size > MAX_PART_BYTES:
                raise DocxError(f"document body is {info.file_size // 2**20} MiB uncompressed; too large")
    except zipfile.BadZipFile:
        raise DocxError("not a .docx file (not a zip archive)") from None
    except KeyError:
        raise DocxError("not a .docx file (no word/document.xml)") from None
    try:
        document = docx.Document(io.BytesIO(data))
    except (PackageNotFoundError, KeyError, ValueError, zipfile.BadZipFile) as exc:
        raise DocxError(f"not a readable .docx file ({exc})") from None
    except Exception as exc:  # lxml XMLSyntaxError and kin: a damaged document part
        raise DocxError(f"damaged .docx file ({type(exc).__name__}: {exc})") from None
    return [_flat(p.text) for p in _paragraphs(document)]


def docx_text(data: bytes) -> str:
    return "\n".join(docx_paragraphs(data))


def _paragraphs(container) -> Iterator:
    from docx.table import Table

    for block in container.iter_inner_content():
        if isinstance(block, Table):
            seen: dict[int, object] = {}  # holds the elements so their ids stay unique
            for row in block.rows:
                for cell in row.cells:
                    if id(cell._tc) in seen:  # merged cells repeat across the grid
                        continue
                    seen[id(cell._tc)] = cell._tc
                    yield from _paragraphs(cell)
        else:
            yield block


def _flat(text: str) -> str:
    return text.replace("\r", " ").replace("\n", " ").replace("\t", " ")
