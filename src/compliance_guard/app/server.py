"""``cguard serve``: a local checking page for copywriters and the JSON API behind it.

Starlette app served by uvicorn. The page (``web/``) is plain HTML/CSS/JS served from the
package, and the Content-Security-Policy forbids every origin but this one, so the page makes
no request beyond this server. API:

- ``GET /api/info``  version, script kinds, whether scoring is available, the limits.
- ``POST /api/check``  ``{"text": str, "kind": "video"|"live"|"listing"|"post"}`` ->
  ``{"tool", "version", "kind", "findings": [Finding...], "summary", "warnings"}``; findings
  as in ``cguard check --format json`` (``start``/``end`` are code-point offsets into ``text``)
  plus ``fixes``: the suggestions that are replacement wording (the rest are advice to the
  writer, e.g. 写明具体的时间、平台和数据来源, as ``cguard fix`` tells them apart), and ``fix``:
  the one ``cguard fix`` would apply (the pack's fix, or the only suggestion), else null.
- ``POST /api/score``  same request -> the script score of ``cguard score`` (video and live
  scripts; other kinds are checked, not scored).
- ``POST /api/document?name=FILE`` raw file bytes (.docx, .txt, .md, .srt) ->
  ``{"name", "kind", "text"}``: the text to check (a .docx gives one line per paragraph).

Every error is JSON ``{"error": message}`` with its HTTP status: 400 malformed request,
404/405, 413 body or text over the limit, 415 wrong content type, 422 more findings than a page
can show, 500 unexpected failure, 501 no scorer.

The page checks as the writer types, so each request's work is capped: a script is a few
thousand characters, and a text over ``MAX_CHARS`` (or with over ``MAX_FINDINGS`` findings) is
refused with a pointer to ``cguard check``. The engine's work is linear in the text, so the
character cap bounds the time of a request too (a tenth of a second for 50,000 characters of
ordinary copy, under two seconds for 50,000 characters of nothing but claims).
"""
from __future__ import annotations

import json
import logging
import re
import socket
from pathlib import Path

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from compliance_guard.engine import Engine
from compliance_guard.load.documents import DocumentError, decode, from_docx, from_text
from compliance_guard.model.finding import Finding
from compliance_guard.report.results import TOOL, summary
from compliance_guard.run.files import FileResult, check_document
from compliance_guard.text.wording import literal_suggestions, replacement

WEB = Path(__file__).with_name("web")
PAGE_KINDS = ("video", "live", "listing", "post")
MAX_BODY = 1024 * 1024  # JSON requests
MAX_DOCUMENT = 16 * 1024 * 1024  # uploaded .docx files carry images
MAX_CHARS = 50_000  # per text checked or scored: ten long scripts
MAX_FINDINGS = 1_000  # per text checked: more than anyone reads in a page
LARGE = "check large files with `cguard check FILE`"
SECURITY_HEADERS = {
    "content-security-policy": "default-src 'self'; img-src 'self' data:; object-src 'none'; "
                               "base-uri 'none'; frame-ancestors 'none'; form-action 'none'",
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
}
log = logging.getLogger(__name__)


class ApiError(Exception):
    """A request the API refuses: answered as ``{"error": message}`` with ``status``."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status
        self.message = message


def create_app(engine: Engine, scorer: ScriptScorer | None = None, max_body: int = MAX_BODY,
               max_document: int = MAX_DOCUMENT, max_chars: int = MAX_CHARS,
               max_findings: int = MAX_FINDINGS) -> Starlette:
    """The app over ``engine``; ``scorer(text, kind) -> dict`` (with ``.kinds``) answers /api/score."""

    async def index(request: Request):
        return FileResponse(WEB / "index.html", headers={"cache-control": "no-cache"})

    async def info(request: Request):
        return JSONResponse({**TOOL, "kinds": list(PAGE_KINDS), "score": scorer is not None,
                             "score_kinds": list(scorer.kinds) if scorer else [],
                             "max_body": max_body, "max_document": max_document,
                             "max_chars": max_chars, "max_findings": max_findings})

    async def check(request: Request):
        text, kind = await _script_request(request, max_body, max_chars)
        warnings: list[str] = []
        findings = await run_in_threadpool(_check_text, engine, text, warnings)
        if len(findings) > max_findings:
            raise ApiError(422, f"the text has {len(findings):,} findings, more than the {max_findings:,} "
                                f"a page shows; {LARGE}, or check a part of it here")
        return JSONResponse({**TOOL, "kind": kind, "findings": [_with_fixes(f) for f in findings],
                             "summary": _summary(findings), "warnings": warnings})

    async def score(request: Request):
        text, kind = await _script_request(request, max_body, max_chars)
        if scorer is None:
            raise ApiError(501, "script scoring is not available in this installation")
        if kind not in scorer.kinds:
            raise ApiError(400, f"scores are for {' and '.join(scorer.kinds)} scripts; "
                                f"a {kind} text is checked but not scored")
        result = await run_in_threadpool(scorer, text, kind)
        return JSONResponse({**TOOL, "kind": kind, **result})

    async def document(request: Request):
        name = request.query_params.get("name", "").strip()
        if not name:
            raise ApiError(400, "give the file name as ?name=FILE (.docx, .txt, .md or .srt)")
        suffix = Path(name).suffix.lower()
        if suffix not in (".docx", ".txt", ".md", ".markdown", ".srt"):
            raise ApiError(415, f"{name}: unsupported file type {suffix or '(none)'}; use .docx, .txt, .md or .srt")
        data = await _read_body(request, max_document)
        try:
            doc = from_docx(name, data) if suffix == ".docx" else from_text(name, decode(data, name))
        except DocumentError as exc:
            raise ApiError(400, str(exc)) from None
        return JSONResponse({"name": name, "kind": doc.kind, "text": doc.text})

    async def api_error(request: Request, exc: ApiError):
        return JSONResponse({"error": exc.message}, status_code=exc.status)

    async def http_error(request: Request, exc: HTTPException):
        return JSONResponse({"error": exc.detail}, status_code=exc.status_code, headers=exc.headers)

    async def server_error(request: Request, exc: Exception):
        log.exception("unexpected error answering %s", request.url.path)
        return JSONResponse({"error": f"internal error: {type(exc).__name__}: {exc}"}, status_code=500)

    app = Starlette(
        routes=[
            Route("/", index, methods=["GET"]),
            Route("/api/info", info, methods=["GET"]),
            Route("/api/check", check, methods=["POST"]),
            Route("/api/score", score, methods=["POST"]),
            Route("/api/document", document, methods=["POST"]),
            Mount("/static", StaticFiles(directory=WEB), name="static"),
        ],
        exception_handlers={ApiError: api_error, HTTPException: http_error, Exception: server_error},
    )
    return _SecurityHeaders(app)


class _SecurityHeaders:
    """ASGI middleware adding the headers that keep the page to its own origin."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)

        async def send_with_headers(message):
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {k.lower() for k, _ in headers}
                headers += [(k.encode(), v.encode()) for k, v in SECURITY_HEADERS.items() if k.encode() not in present]
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)


def _check_text(engine: Engine, text: str, warnings: list[str]) -> list[Finding]:
    return check_document(engine, from_text("<page>", text, kind="text"), warnings)


def _with_fixes(f: Finding) -> dict:
    return {**f.to_dict(), "fixes": literal_suggestions(f), "fix": replacement(f)}


def _summary(findings: list[Finding]) -> dict:
    s = summary([FileResult("<page>", findings)])
    del s["files"]
    return s


async def _read_body(request: Request, limit: int) -> bytes:
    """The body, refusing (413) anything over ``limit`` bytes before reading all of it."""
    length = request.headers.get("content-length")
    if length is not None:
        if not length.isdigit():
            raise ApiError(400, f"invalid Content-Length {length!r}")
        if int(length) > limit:
            raise ApiError(413, f"request body is {int(length)} bytes; the limit is {limit} bytes")
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            raise ApiError(413, f"request body is over the limit of {limit} bytes")
    return bytes(body)


async def _script_request(request: Request, limit: int, max_chars: int) -> tuple[str, str]:
    """``(text, kind)`` from a JSON body ``{"text": ..., "kind": ...}``, or a clear 4xx."""
    ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if ctype != "application/json":
        raise ApiError(415, f"send JSON with Content-Type: application/json (got {ctype or 'none'})")
    body = await _read_body(request, limit)
    try:
        data = json.loads(body.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise ApiError(400, f"request body is not UTF-8 (byte {exc.start})") from None
    except json.JSONDecodeError as exc:
        raise ApiError(400, f"malformed JSON: {exc.msg} at line {exc.lineno} column {exc.colno}") from None
    except RecursionError:
        raise ApiError(400, "malformed JSON: nested too deeply") from None
    except ValueError:  # an integer of thousands of digits
        raise ApiError(400, "malformed JSON: a number too long") from None
    if not isinstance(data, dict):
        raise ApiError(400, 'expected a JSON object like {"text": "…", "kind": "video"}, '
                            f"got {type(data).__name__}")
    unknown = sorted(set(data) - {"text", "kind"})
    if unknown:
        raise ApiError(400, f"unknown field {unknown[0]!r} (expected \"text\" and \"kind\")")
    if "text" not in data:
        raise ApiError(400, 'missing field "text" (the script to check, a string)')
    text = data["text"]
    if not isinstance(text, str):
        raise ApiError(400, f'"text" must be a string, got {_json_type(text)}')
    surrogate = _SURROGATE.search(text)
    if surrogate:
        raise ApiError(400, f'"text" holds half of a UTF-16 surrogate pair (\\u{ord(surrogate.group()):04x}) '
                            f"at character {surrogate.start() + 1}; send whole characters")
    if len(text) > max_chars:
        raise ApiError(413, f"the text is {len(text):,} characters, more than the {max_chars:,} checked "
                            f"here as you type (a script is a few thousand); {LARGE}")
    kind = data.get("kind", "video")
    if kind not in PAGE_KINDS:
        raise ApiError(400, f'"kind" must be one of {", ".join(PAGE_KINDS)}, got {json.dumps(kind, ensure_ascii=False)}')
    return text, kind


_SURROGATE = re.compile("[\ud800-\udfff]")


def _json_type(value) -> str:
    if value is None:
        return "null"
    return {bool: "a boolean", int: "a number", float: "a number", list: "an array",
            dict: "an object"}.get(type(value), type(value).__name__)


def serve(engine: Engine, host: str = "127.0.0.1", port: int = 8765, profile=None, echo=print) -> None:
    """Listen (OSError if the address cannot be bound), say where, serve until Ctrl+C; the page
    scores with ``profile`` (a loaded scoring Profile; None: the default one)."""
    from compliance_guard.text import segment

    scorer = ScriptScorer(engine, profile)
    sock = listen(host, port)
    segment.token_edges("预热", [(0, 2)])  # load jieba now, not on the first keystroke
    shown = f"[{host}]" if ":" in host else host
    echo(f"cguard serve: http://{shown}:{sock.getsockname()[1]}/  (Ctrl+C to stop)")
    if not is_loopback(host):
        echo(f"cguard serve: warning: listening on {host}: other computers on the network can use this page")
    run(create_app(engine, scorer=scorer), sock)


class ScriptScorer:
    """``cguard score``'s script scorer over the page's engine, with one loaded profile."""

    def __init__(self, engine: Engine, profile=None):
        from compliance_guard.load.profiles import load_profile
        from compliance_guard.scoring.script import SCRIPT_KINDS

        self.engine = engine
        self.kinds = tuple(SCRIPT_KINDS)
        self.profile = profile or load_profile()

    def __call__(self, text: str, kind: str) -> dict:
        from compliance_guard.scoring.script import score_document

        report = score_document(from_text("<page>", text, kind="text"), kind, self.profile, self.engine)
        if report.error is not None:
            raise ApiError(400, report.error.removeprefix("<page>: "))
        result = report.to_dict()
        result.pop("path", None)
        return result


def listen(host: str, port: int) -> socket.socket:
    """A listening socket (port 0 picks a free one); OSError when it cannot be bound."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen(128)
    except OSError:
        sock.close()
        raise
    sock.set_inheritable(True)
    return sock


def run(app, sock: socket.socket) -> None:
    """Serve ``app`` on ``sock`` until interrupted (Ctrl+C)."""
    import uvicorn

    config = uvicorn.Config(app, log_level="warning", server_header=False, access_log=False)
    try:
        uvicorn.Server(config).run(sockets=[sock])
    except KeyboardInterrupt:  # uvicorn re-raises Ctrl+C after shutting down; stopping is normal
        pass


def is_loopback(host: str) -> bool:
    return host in ("localhost", "::1") or host.startswith("127.")
