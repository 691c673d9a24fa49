"""``cguard lsp``: a Language Server (pygls, stdio) so editors show findings as squiggles.

Plain text and Markdown documents (by language id, or by file suffix when the editor sends
another id) are checked on open, change and save; their findings are published as
diagnostics, and each suggestion that is replacement wording (not advice such as 写明依据,
as ``cguard fix`` tells them apart) is offered as a quick fix, preferred when it is the one
``cguard fix`` would apply (the pack's fix, or the only one). Positions are sent in the encoding
the client negotiated, UTF-16 code units unless it asked for another: CJK characters count one unit and an emoji two.

Malformed input never stops the server: ``FrameReader`` re-frames stdin so that pygls only
sees well-formed JSON-RPC messages (a frame with a missing, wrong or absurd Content-Length, a
body that is not a JSON-RPC object, garbage between frames are each logged in one line and
skipped, and the next ``Content-Length:`` header is found again); messages whose params do not
fit their method, and changes to documents that are not open, are logged and skipped too (a
request among them gets an error answer). Logging goes to stderr, one line per event.
"""
from __future__ import annotations

import json
import logging
import re
import sys
from urllib.parse import unquote, urlparse

import cattrs
from lsprotocol import types
from pygls.exceptions import JsonRpcException, JsonRpcInvalidParams, JsonRpcMethodNotFound
from pygls.lsp.server import LanguageServer
from pygls.protocol.language_server import LanguageServerProtocol, lsp_method
from pygls.workspace import TextDocument

from compliance_guard import __version__
from compliance_guard.engine import Engine
from compliance_guard.load.config import Config
from compliance_guard.load.documents import from_text
from compliance_guard.model.finding import Finding, Severity
from compliance_guard.report import advice
from compliance_guard.run.engines import EngineSet
from compliance_guard.run.files import check_document
from compliance_guard.text.lines import LineIndex
from compliance_guard.text.wording import literal_suggestions, replacement

LANGUAGES = {"plaintext": "text", "markdown": "markdown", "srt": "srt", "subtitles": "srt"}
SUFFIXES = {".txt": "text", ".md": "markdown", ".markdown": "markdown", ".srt": "srt"}
SOURCE = "cguard"
_SEVERITY = {
    Severity.ERROR: types.DiagnosticSeverity.Error,
    Severity.WARNING: types.DiagnosticSeverity.Warning,
    Severity.INFO: types.DiagnosticSeverity.Information,
}


def create_server(engine: Engine, config: Config | None = None) -> LanguageServer:
    """A server that checks documents with ``engine``; call ``.start_io()`` to run it. With the
    project ``config``, files it excludes get no diagnostics and ``per-file`` entries apply,
    so the editor shows what ``cguard check`` reports."""
    server = _Server("cguard", __version__, text_document_sync_kind=types.TextDocumentSyncKind.Full,
                     protocol_cls=_Protocol)
    engines = EngineSet(engine, config)

    def publish(uri: str) -> None:
        if not is_open(server.workspace, uri):
            log.warning("%s is not open; ignored", uri)
            return
        document = server.workspace.get_text_document(uri)
        kind = document_kind(document)
        path = document.path
        if kind and config is not None and config.excluded(path):
            kind = None
        diagnostics = diagnostics_for(engines.for_path(path)[0], document, kind) if kind else []
        server.text_document_publish_diagnostics(
            types.PublishDiagnosticsParams(uri=uri, diagnostics=diagnostics, version=document.version))

    @server.feature(types.TEXT_DOCUMENT_DID_OPEN)
    def did_open(ls: LanguageServer, params: types.DidOpenTextDocumentParams):
        publish(params.text_document.uri)

    @server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(ls: LanguageServer, params: types.DidChangeTextDocumentParams):
        publish(params.text_document.uri)

    @server.feature(types.TEXT_DOCUMENT_DID_SAVE, types.SaveOptions(include_text=False))
    def did_save(ls: LanguageServer, params: types.DidSaveTextDocumentParams):
        publish(params.text_document.uri)

    @server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(ls: LanguageServer, params: types.DidCloseTextDocumentParams):
        server.text_document_publish_diagnostics(
            types.PublishDiagnosticsParams(uri=params.text_document.uri, diagnostics=[]))

    @server.feature(types.TEXT_DOCUMENT_CODE_ACTION,
                    types.CodeActionOptions(code_action_kinds=[types.CodeActionKind.QuickFix]))
    def code_action(ls: LanguageServer, params: types.CodeActionParams):
        return code_actions(params)

    return server


def is_open(workspace, uri: str) -> bool:
    return unquote(uri) in workspace.text_documents


class _Server(LanguageServer):
    def start_io(self, stdin=None, stdout=None):
        """Serve on stdio with stdin re-framed (``FrameReader``) and one-line logs on stderr."""
        _log_in_one_line()
        super().start_io(FrameReader(stdin or sys.stdin.buffer), stdout)


class _Invalid:
    """A message whose params do not fit its method: skipped (a request gets an error answer)."""

    def __init__(self, data: dict, error: JsonRpcException):
        self.data, self.error = data, error


class _Protocol(LanguageServerProtocol):
    """pygls' protocol, skipping what it cannot take rather than raising out of its read loop."""

    def structure_message(self, data):
        try:
            return super().structure_message(data)
        except JsonRpcException as exc:
            return _Invalid(data, exc)

    def handle_message(self, message):
        if isinstance(message, _Invalid):
            data = message.data
            method = data.get("method")
            if method is not None and not self.get_message_type(method):
                error = JsonRpcMethodNotFound.of(method)
                log.warning("skipped %s: unknown method", method)
            else:
                cause = message.error.__cause__
                why = "; ".join(cattrs.transform_error(cause)[:3]) if isinstance(cause, cattrs.BaseValidationError) \
                    else str(cause or message.error)
                error = JsonRpcInvalidParams(why)
                log.warning("skipped %s: its params do not fit (%s)", method or "a message", why)
            if method is not None and "id" in data:
                self._send_response(data["id"], None, error.to_response_error())
            return
        try:
            super().handle_message(message)
        except Exception as exc:  # e.g. $/cancelRequest for an id that is an object
            log.warning("skipped %s: %s: %s", getattr(message, "method", "a message"), type(exc).__name__, exc)

    @lsp_method(types.TEXT_DOCUMENT_DID_CHANGE)
    def lsp_text_document__did_change(self, params: types.DidChangeTextDocumentParams):
        if not is_open(self.workspace, params.text_document.uri):
            log.warning("didChange for %s, which is not open; ignored", params.text_document.uri)
            return
        yield from super().lsp_text_document__did_change(params)


log = logging.getLogger(__name__)
MAX_MESSAGE = 256 * 1024 * 1024  # bytes: a Content-Length above this is an error, not a read
MAX_LINE = 64 * 1024  # header lines longer than this are garbage
_HEADER = re.compile(rb"([!#-'*+.0-9A-Z^_`a-z|~-]+):[ \t]*(.*?)[ \t]*\r?\n")
_NEXT_FRAME = re.compile(rb"content-length:[ \t]*\d+[ \t]*\r?\n", re.IGNORECASE)
_JSON = json.JSONDecoder()


class FrameReader:
    """stdin as pygls reads it (``readline``/``read``), carrying only well-formed messages.

    Each frame of the real input is checked (header lines, a numeric Content-Length within
    ``MAX_MESSAGE``, a body that is a JSON-RPC 2.0 object) and passed on re-framed, or logged in
    one line and skipped. Reading never trusts a length it has not seen bytes for: a body that
    holds the next ``Content-Length:`` header (a raw line break cannot occur inside JSON) was
    framed too long, and reading resumes at that header, so shutdown and exit always arrive.
    """

    def __init__(self, raw):
        self.raw = raw
        self.buffer = bytearray()  # read from ``raw``, not yet framed
        self.out = bytearray()  # well-formed frames for pygls
        self.skipping = False  # a problem was logged; garbage up to the next frame is part of it

    # -- what pygls calls ---------------------------------------------------------------------

    def readline(self) -> bytes:
        if not self.out and not self._frame():
            return b""
        end = self.out.index(b"\n") + 1
        line = bytes(self.out[:end])
        del self.out[:end]
        return line

    def read(self, n: int) -> bytes:
        data = bytes(self.out[:n])
        del self.out[:n]
        return data

    # -- framing --------------------------------------------------------------------------------

    def _frame(self) -> bool:
        """Append the next well-formed frame to ``out``; False at the end of the input."""
        while True:
            length = self._headers()
            if length is None:
                return False
            body = self._body(length)
            if body is None:
                return False
            if body and self._valid(body):
                self.out += b"Content-Length: %d\r\n\r\n" % len(body) + body
                self.skipping = False
                return True

    def _headers(self) -> int | None:
        """The Content-Length of the next header block with one (-1 after a problem, whose
        body is then skipped as garbage); None at the end of the input."""
        headers: dict[bytes, bytes] = {}
        while True:
            line = self._line()
            if line is None:
                return None
            if not line.strip():
                if headers:
                    break
                continue
            m = _HEADER.fullmatch(line)
            if m is None:
                start = _NEXT_FRAME.search(line)
                self._problem(f"skipped {len(line) if start is None else start.start()} bytes between messages")
                headers = {}
                if start is None:
                    continue
                m = _HEADER.fullmatch(line[start.start():])
            headers[m.group(1).lower()] = m.group(2)
        value = headers.get(b"content-length")
        if value is None:
            self._problem("skipped a message without a Content-Length header")
        elif not value.isdigit():
            self._problem(f"skipped a message with Content-Length {value[:40].decode('latin-1')!r}, not a number")
        elif int(value) > MAX_MESSAGE:
            self._problem(f"skipped a message with Content-Length {int(value)}, over the limit of {MAX_MESSAGE}")
        else:
            return int(value)
        return 0

    def _body(self, length: int) -> bytes | None:
        """``length`` bytes, or b"" when the next frame's header turns up inside them."""
        searched = 0
        while True:
            start = _NEXT_FRAME.search(self.buffer, max(0, searched - 40), length + 40)
            if start is not None and start.start() < length:
                self._problem(f"skipped a message shorter than its Content-Length {length}")
                del self.buffer[:start.start()]
                return b""
            if len(self.buffer) >= length:
                body = bytes(self.buffer[:length])
                del self.buffer[:length]
                return body
            searched = len(self.buffer)
            if not self._fill():
                return None

    def _valid(self, body: bytes) -> bool:
        """Whether ``body`` is one JSON-RPC 2.0 object; what follows a complete object (a
        Content-Length too large) goes back to be read as the next frame."""
        try:
            text = body.decode("utf-8")
            start = len(text) - len(text.lstrip())
            data, end = _JSON.raw_decode(text, start)
        except UnicodeDecodeError as exc:
            self._problem(f"skipped a message that is not JSON (not UTF-8 at byte {exc.start})")
            return False
        except (ValueError, RecursionError) as exc:
            self._problem(f"skipped a message that is not JSON ({str(exc).splitlines()[0][:120]})")
            return False
        if text[end:].strip():
            self.buffer[:0] = text[end:].encode("utf-8")
            self._problem(f"skipped a message shorter than its Content-Length {len(body)}")
            return False
        if not _is_message(data):
            self._problem(f"skipped a message that is not a JSON-RPC 2.0 object: {body[:60].decode('utf-8', 'replace')!r}")
            return False
        return True

    def _line(self) -> bytes | None:
        """The next line (at most MAX_LINE bytes: a longer one comes in pieces)."""
        while True:
            end = self.buffer.find(b"\n", 0, MAX_LINE)
            if end != -1 or len(self.buffer) >= MAX_LINE:
                end = end + 1 if end != -1 else MAX_LINE
                line = bytes(self.buffer[:end])
                del self.buffer[:end]
                return line
            if not self._fill():
                if not self.buffer:
                    return None
                line = bytes(self.buffer)
                self.buffer.clear()
                return line

    def _fill(self) -> bool:
        chunk = self.raw.read1(65536)
        self.buffer += chunk
        return bool(chunk)

    def _problem(self, message: str) -> None:
        if not self.skipping:
            log.warning(message)
        self.skipping = True


def _is_message(data) -> bool:
    """Whether ``data`` has the envelope of a JSON-RPC 2.0 request, notification or response."""
    if not isinstance(data, dict) or data.get("jsonrpc") != "2.0":
        return False
    ids = (int, str) if "method" in data else (int, str, type(None))
    return isinstance(data.get("method", ""), str) and type(data.get("id", 0)) in ids


class _OneLine(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        lines = record.getMessage().splitlines()
        message = lines[0] if lines else ""
        if record.exc_info and record.exc_info[1] is not None:
            exc = record.exc_info[1]
            message += f" ({type(exc).__name__}: {(str(exc).splitlines() or [''])[0]})"
        return f"cguard lsp: {message}"


def _log_in_one_line() -> None:
    """Warnings and errors of the server and pygls to stderr, one line each: pygls logs
    tracebacks (and a traceback before each _Invalid message, which is reported instead)."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(_OneLine())
    handler.addFilter(lambda r: not r.getMessage().startswith("Unable to deserialize message"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(logging.WARNING)


def document_kind(document: TextDocument) -> str | None:
    """``text``/``markdown``/``srt`` for documents this server checks, else None."""
    kind = LANGUAGES.get(document.language_id or "")
    if kind:
        return kind
    path = unquote(urlparse(document.uri).path).lower()
    return next((k for suffix, k in SUFFIXES.items() if path.endswith(suffix)), None)


def diagnostics_for(engine: Engine, document: TextDocument, kind: str) -> list[types.Diagnostic]:
    doc = from_text(document.uri, document.source, kind=kind)
    lines = LineIndex(doc.text)  # \r\n, \r and \n end lines, as LSP counts them
    units = document.position_codec.client_num_units
    return [diagnostic(f, lines, units) for f in check_document(engine, doc)]


def diagnostic(f: Finding, lines: LineIndex, units) -> types.Diagnostic:
    def position(line: int, column: int) -> types.Position:
        return types.Position(line=line - 1, character=units(lines.line(line)[: column - 1]))

    message = advice.appended(f.message, f.suggestions, f.source, ": ")
    return types.Diagnostic(
        range=types.Range(start=position(f.line, f.column), end=position(f.end_line, f.end_column)),
        severity=_SEVERITY[f.severity],
        code=f.rule,
        source=SOURCE,
        message=message,
        data={"text": f.text, "fixes": literal_suggestions(f), "fix": replacement(f)},
    )


def code_actions(params: types.CodeActionParams) -> list[types.CodeAction]:
    """One quick fix per replacement wording of each of our diagnostics in the requested range."""
    actions = []
    for diag in params.context.diagnostics:
        data = diag.data if isinstance(diag.data, dict) else {}
        if diag.source != SOURCE or not data.get("fixes"):
            continue
        for suggestion in data["fixes"]:
            edit = types.TextEdit(range=diag.range, new_text=suggestion)
            actions.append(types.CodeAction(
                title=f"改为「{suggestion}」（{diag.code}）",
                kind=types.CodeActionKind.QuickFix,
                diagnostics=[diag],
                is_preferred=suggestion == data.get("fix"),
                edit=types.WorkspaceEdit(changes={params.text_document.uri: [edit]}),
            ))
    return actions
