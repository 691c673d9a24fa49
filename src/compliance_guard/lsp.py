"""``cguard lsp``: a Language Server (pygls, stdio) so editors show findings as squiggles.

Plain text and Markdown documents (by language id, or by file suffix when the editor sends
another id) are checked on open, change and save; their findings are published as
diagnostics, and each suggestion that is replacement wording (not advice such as 写明依据,
as ``cguard fix`` tells them apart) is offered as a quick fix, preferred when it is the only one. Positions are sent in the encoding the client negotiated, UTF-16 code units
unless it asked for another: CJK characters count one unit and an emoji two.
"""
from __future__ import annotations

from urllib.parse import unquote, urlparse

from lsprotocol import types
from pygls.lsp.server import LanguageServer
from pygls.workspace import TextDocument

from . import __version__
from .documents import from_text
from .config import Config
from .engine import Engine
from .findings import Finding, LineIndex, Severity
from .fix import literal_suggestions
from .lint import EngineSet, check_document

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
    server = LanguageServer("cguard", __version__, text_document_sync_kind=types.TextDocumentSyncKind.Full)
    engines = EngineSet(engine, config)

    def publish(uri: str) -> None:
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

    message = f.message
    if f.suggestions:
        message += f"\n建议: {' / '.join(f.suggestions)}"
    if f.source:
        message += f"\n依据: {f.source}"
    return types.Diagnostic(
        range=types.Range(start=position(f.line, f.column), end=position(f.end_line, f.end_column)),
        severity=_SEVERITY[f.severity],
        code=f.rule,
        source=SOURCE,
        message=message,
        data={"text": f.text, "fixes": literal_suggestions(f)},
    )


def code_actions(params: types.CodeActionParams) -> list[types.CodeAction]:
    """One quick fix per replacement wording of each of our diagnostics in the requested range."""
    actions = []
    for diag in params.context.diagnostics:
        data = diag.data if isinstance(diag.data, dict) else {}
        if diag.source != SOURCE or not data.get("fixes"):
            continue
        only = len(data["fixes"]) == 1
        for suggestion in data["fixes"]:
            edit = types.TextEdit(range=diag.range, new_text=suggestion)
            actions.append(types.CodeAction(
                title=f"改为「{suggestion}」（{diag.code}）",
                kind=types.CodeActionKind.QuickFix,
                diagnostics=[diag],
                is_preferred=only,
                edit=types.WorkspaceEdit(changes={params.text_document.uri: [edit]}),
            ))
    return actions
