"""``cguard lsp`` under malformed input: each bad message is logged in one line and skipped, the
server answers the next good one, and shutdown + exit always end it with code 0.

Each case drives a real ``cguard lsp`` subprocess over stdio (the harness of test_lsp.py)."""
from __future__ import annotations

import json
import os
import queue

import pytest

pytest.importorskip("pygls")

from test_lsp import WAIT, Client  # noqa: E402


def frame(body: bytes | str | dict, length: int | None = None) -> bytes:
    if isinstance(body, dict):
        body = json.dumps(body, ensure_ascii=False)
    if isinstance(body, str):
        body = body.encode("utf-8")
    return b"Content-Length: %d\r\n\r\n" % (len(body) if length is None else length) + body


def notification(method: str, params) -> dict:
    return {"jsonrpc": "2.0", "method": method, "params": params}


OPEN = notification("textDocument/didOpen", {"textDocument": {
    "uri": "file:///tmp/bad.txt", "languageId": "plaintext", "version": 1, "text": "全网最低价"}})
BODY = json.dumps(OPEN, ensure_ascii=False).encode("utf-8")

# name -> (bytes sent, a fragment the one log line must hold; None: logging is optional)
MALFORMED = {
    "invalid JSON": (frame(b'{"jsonrpc": "2.0", "method": '), "not JSON"),
    "JSON array": (frame(b"[1, 2, 3]"), "not a JSON-RPC 2.0 object"),
    "JSON string": (frame(b'"hello"'), "not a JSON-RPC 2.0 object"),
    "no jsonrpc member": (frame(b'{"method": "initialized"}'), "not a JSON-RPC 2.0 object"),
    "not UTF-8": (frame(b'{"jsonrpc": "2.0", "method": "\xff\xfe"}'), "not JSON"),
    "missing Content-Length": (b"Content-Type: application/vscode-jsonrpc\r\n\r\n" + BODY, "Content-Length"),
    "non-numeric Content-Length": (b"Content-Length: twelve\r\n\r\n" + BODY, "Content-Length"),
    "Content-Length too large": (frame(BODY, len(BODY) + 40), "Content-Length"),
    "Content-Length too small": (frame(BODY, len(BODY) - 10), None),
    "absurd Content-Length": (b"Content-Length: 999999999999999\r\n\r\n" + BODY, "Content-Length"),
    "binary garbage": (bytes(range(256)) * 4 + b"\r\n\r\n", None),
    "huge header": (b"X-Padding: " + b"a" * 3_000_000 + b"\r\n", None),
    "unknown request": (frame({"jsonrpc": "2.0", "id": 900, "method": "cguard/nothing"}), None),
    "unknown notification": (frame(notification("cguard/nothing", {})), None),
    "didChange for an unopened document": (frame(notification("textDocument/didChange", {
        "textDocument": {"uri": "file:///tmp/never-opened.txt", "version": 2},
        "contentChanges": [{"text": "最好"}]})), "not open"),
    "didSave for an unopened document": (frame(notification("textDocument/didSave", {
        "textDocument": {"uri": "file:///nonexistent/never-opened.txt"}})), "not open"),
    "didOpen without text": (frame(notification("textDocument/didOpen", {"textDocument": {
        "uri": "file:///tmp/x.txt", "languageId": "plaintext", "version": 1}})), "textDocument/didOpen"),
    "didOpen with wrong types": (frame(notification("textDocument/didOpen", {"textDocument": {
        "uri": 5, "languageId": [], "version": "one", "text": None}})), "textDocument/didOpen"),
    "notification with bad params": (frame(notification("textDocument/didSave", 5)), "textDocument/didSave"),
    "cancel with bad params": (frame(notification("$/cancelRequest", {"id": {}})), "$/cancelRequest"),
    "request with bad params": (frame({"jsonrpc": "2.0", "id": 901, "method": "textDocument/codeAction",
                                       "params": {}}), "textDocument/codeAction"),
    "request with a bad id": (frame({"jsonrpc": "2.0", "id": {"x": 1}, "method": "shutdown"}), None),
    "wrong jsonrpc version": (frame({"jsonrpc": "1.0", "id": 902, "method": "initialize"}), None),
    "LF-only header lines": (b"Content-Length: %d\n\n" % len(BODY) + BODY, None),
}


@pytest.fixture
def server(tmp_path):
    c = Client(cwd=tmp_path)
    c.request("initialize", {"processId": os.getpid(), "rootUri": None, "capabilities": {}})
    c.send("initialized", {})
    yield c
    if c.proc.poll() is None:
        c.proc.kill()
        c.proc.wait()


def send_raw(client: Client, data: bytes) -> None:
    client.proc.stdin.write(data)
    client.proc.stdin.flush()


@pytest.mark.parametrize("name", list(MALFORMED))
def test_a_malformed_message_is_logged_in_one_line_and_skipped(server, name):
    data, fragment = MALFORMED[name]
    send_raw(server, data)
    text = "这款面膜是全网最低价"
    diags = server.open("file:///tmp/after.txt", text)  # the next good message is answered
    assert [d["code"] for d in diags if d["range"]["start"]["character"] == 5]
    reply = server.request("shutdown", None)
    assert "error" not in reply
    server.send("exit", None)
    server.proc.wait(timeout=WAIT)
    assert server.proc.returncode == 0
    err = server.proc.stderr.read().decode("utf-8", "replace")
    assert "Traceback" not in err and "  File " not in err, err[-3000:]
    lines = err.splitlines()
    assert len(lines) <= 2, err[-3000:]
    assert all(line.startswith("cguard lsp: ") and len(line) < 400 for line in lines), err[-3000:]
    if fragment is not None:
        assert any(fragment in line for line in lines), err[-3000:]
    popups = []
    while True:
        try:
            m = server.messages.get_nowait()
        except queue.Empty:
            break
        if m.get("method") == "window/showMessage":
            popups.append(m)
    assert not popups  # a malformed message is the client's problem, not a popup for the writer


def test_a_request_with_bad_params_or_unknown_method_gets_an_error_answer(server):
    """The client waiting for an answer gets one: invalid params, method not found."""
    send_raw(server, MALFORMED["request with bad params"][0])
    reply = server.wait(lambda m: m.get("id") == 901)
    assert reply["error"]["code"] == -32602
    send_raw(server, MALFORMED["unknown request"][0])
    reply = server.wait(lambda m: m.get("id") == 900)
    assert reply["error"]["code"] == -32601
    server.close()
    assert server.proc.returncode == 0


def test_shutdown_and_exit_work_after_a_truncated_message_at_the_end(server):
    """A body cut short followed by shutdown/exit: the reader notices the next header inside
    the body it is waiting for and does not wait for bytes that never come."""
    send_raw(server, frame(BODY, len(BODY) + 100_000))
    server.close()
    assert server.proc.returncode == 0
