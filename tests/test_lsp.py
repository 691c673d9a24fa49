"""``cguard lsp`` over stdio, spoken to in raw JSON-RPC: diagnostics, positions, quick fixes."""
from __future__ import annotations

import json
import os
import queue
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pytest

pytest.importorskip("pygls")

WAIT = 60  # seconds: a guard against a hung server, not a speed assertion


def cguard_command() -> list[str]:
    script = Path(sys.executable).with_name("cguard")
    if script.exists():
        return [str(script)]
    found = shutil.which("cguard")
    return [found] if found else [sys.executable, "-c", "from compliance_guard.app.cli import main; main()"]


class Client:
    """Content-Length framed JSON-RPC over the server's stdin/stdout."""

    def __init__(self, *args: str, cwd=None):
        self.proc = subprocess.Popen([*cguard_command(), "lsp", *args], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=cwd,
                                     env={**os.environ, "PYTHONUNBUFFERED": "1"})
        self.messages: queue.Queue = queue.Queue()
        self.next_id = 0
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        out = self.proc.stdout
        while True:
            headers = {}
            while True:
                line = out.readline()
                if not line:
                    return
                line = line.decode("ascii").strip()
                if not line:
                    break
                name, _, value = line.partition(":")
                headers[name.lower()] = value.strip()
            self.messages.put(json.loads(out.read(int(headers["content-length"])).decode("utf-8")))

    def send(self, method: str, params, request: bool = False):
        message = {"jsonrpc": "2.0", "method": method, "params": params}
        if request:
            self.next_id += 1
            message["id"] = self.next_id
        body = json.dumps(message, ensure_ascii=False).encode("utf-8")
        self.proc.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self.proc.stdin.flush()
        return message.get("id")

    def wait(self, predicate):
        while True:
            try:
                message = self.messages.get(timeout=WAIT)
            except queue.Empty:
                self.proc.kill()
                pytest.fail(f"no expected message from cguard lsp; stderr: {self.proc.stderr.read().decode()[-2000:]}")
            if predicate(message):
                return message

    def request(self, method: str, params):
        rid = self.send(method, params, request=True)
        return self.wait(lambda m: m.get("id") == rid)

    def diagnostics(self, uri: str, version=None):
        message = self.wait(lambda m: m.get("method") == "textDocument/publishDiagnostics"
                            and m["params"]["uri"] == uri
                            and (version is None or m["params"].get("version") == version))
        return message["params"]["diagnostics"]

    def open(self, uri: str, text: str, language: str = "plaintext", version: int = 1):
        self.send("textDocument/didOpen", {"textDocument": {
            "uri": uri, "languageId": language, "version": version, "text": text}})
        return self.diagnostics(uri, version)

    def close(self):
        self.request("shutdown", None)
        self.send("exit", None)
        try:
            self.proc.wait(timeout=WAIT)
        except subprocess.TimeoutExpired:
            self.proc.kill()


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    c = Client(cwd=tmp_path_factory.mktemp("no-config"))  # no project config above it
    init = c.request("initialize", {"processId": os.getpid(), "rootUri": None, "capabilities": {}})
    caps = init["result"]["capabilities"]
    assert caps.get("positionEncoding", "utf-16") == "utf-16"
    assert caps["codeActionProvider"]
    c.send("initialized", {})
    yield c
    c.close()
    assert c.proc.returncode == 0


def utf16(s: str) -> int:
    return len(s.encode("utf-16-le")) // 2


def by_text(diagnostics, text: str, uri_text: str):
    """The diagnostic whose range covers ``text`` (found via its range in ``uri_text``)."""
    lines = uri_text.split("\n")
    for d in diagnostics:
        r = d["range"]
        line = lines[r["start"]["line"]].encode("utf-16-le")
        if line[2 * r["start"]["character"]:2 * r["end"]["character"]].decode("utf-16-le") == text:
            return d
    raise AssertionError(f"no diagnostic over {text!r} in {diagnostics}")


def test_emoji_and_cjk_positions_are_utf16(client):
    text = "开场白\n😀😀姐妹们，这款是全网最低价！"
    diags = client.open("file:///tmp/script.txt", text)
    d = by_text(diags, "全网最低价", text)
    assert d["range"] == {"start": {"line": 1, "character": 11}, "end": {"line": 1, "character": 16}}
    assert utf16("😀😀姐妹们，这款是") == 11  # two surrogate pairs + 7 CJK characters
    assert d["source"] == "cguard" and d["severity"] == 1 and d["code"].startswith("ABS")
    assert "广告法" in d["message"]  # the source citation travels with the message


def test_change_republishes_and_save_rechecks(client):
    uri = "file:///tmp/change.txt"
    assert client.open(uri, "最近天气很好") == []
    client.send("textDocument/didChange", {"textDocument": {"uri": uri, "version": 2},
                                           "contentChanges": [{"text": "🎉这款面膜是最好的"}]})
    diags = client.diagnostics(uri, 2)
    d = by_text(diags, "最好", "🎉这款面膜是最好的")
    assert d["range"]["start"] == {"line": 0, "character": 7}
    client.send("textDocument/didSave", {"textDocument": {"uri": uri}})
    assert client.diagnostics(uri) == diags


def test_quick_fix_replaces_the_span_with_a_suggestion(client):
    uri = "file:///tmp/fix.txt"
    text = "👍这款面膜是最好的"
    d = by_text(client.open(uri, text), "最好", text)
    reply = client.request("textDocument/codeAction", {
        "textDocument": {"uri": uri}, "range": d["range"], "context": {"diagnostics": [d]}})
    actions = reply["result"]
    assert actions and all(a["kind"] == "quickfix" for a in actions)
    edits = [a["edit"]["changes"][uri][0] for a in actions]
    assert all(e["range"] == d["range"] for e in edits)
    suggestions = [e["newText"] for e in edits]
    assert suggestions == d["data"]["fixes"] and "很好" in suggestions
    fixed = text.encode("utf-16-le")
    start, end = d["range"]["start"]["character"], d["range"]["end"]["character"]
    fixed = (fixed[:2 * start] + suggestions[0].encode("utf-16-le") + fixed[2 * end:]).decode("utf-16-le")
    assert client.open("file:///tmp/fixed.txt", fixed) == []


def test_the_packs_fix_is_the_preferred_quick_fix(client):
    """全网最低价 has several wordings; the one the pack marks as its fix (超值价) is preferred."""
    uri = "file:///tmp/preferred.txt"
    text = "这款是全网最低价"
    for d in client.open(uri, text):
        reply = client.request("textDocument/codeAction", {
            "textDocument": {"uri": uri}, "range": d["range"], "context": {"diagnostics": [d]}})
        actions = reply["result"]
        assert len(actions) >= 2 and d["data"]["fix"] == "超值价"
        assert [a["edit"]["changes"][uri][0]["newText"] for a in actions if a.get("isPreferred")] == ["超值价"]


def test_advice_is_in_the_message_not_a_quick_fix(client):
    uri = "file:///tmp/advice.txt"
    text = "国家级品质"  # its suggestions tell the writer what to state, they are not wording
    d = by_text(client.open(uri, text), "国家级", text)
    assert "写明" in d["message"] and d["data"]["fixes"] == []
    reply = client.request("textDocument/codeAction", {
        "textDocument": {"uri": uri}, "range": d["range"], "context": {"diagnostics": [d]}})
    assert reply["result"] == []


def test_markdown_code_is_not_checked_and_other_languages_are_ignored(client):
    md = "# 标题\n\n```\n最好\n```\n\n正文：全网最低价"
    diags = client.open("file:///tmp/post.md", md, language="markdown")
    assert diags and {d["range"]["start"]["line"] for d in diags} == {6}  # not line 3, in the fence
    assert client.open("file:///tmp/code.py", "x = '最好'", language="python") == []


def test_close_clears_diagnostics(client):
    uri = "file:///tmp/closing.txt"
    assert client.open(uri, "全网最低价")
    client.send("textDocument/didClose", {"textDocument": {"uri": uri}})
    assert client.diagnostics(uri) == []


def test_the_project_config_applies(tmp_path):
    """The editor starts the server in the workspace: its .cguard.yaml excludes, ignores and
    per-file entries shape the diagnostics as they shape `cguard check`."""
    (tmp_path / ".cguard.yaml").write_text(
        "ignore: [pricing]\nexclude: [drafts/]\nper-file:\n  - files: notes/**\n    ignore: [absolute-claim]\n",
        encoding="utf-8")
    c = Client(cwd=tmp_path)
    c.request("initialize", {"processId": os.getpid(), "rootUri": tmp_path.as_uri(), "capabilities": {}})
    c.send("initialized", {})
    text = "这款面膜是最好的，全网最低价"
    checked = c.open((tmp_path / "scripts" / "a.txt").as_uri(), text)
    assert checked and {d["code"][:3] for d in checked} == {"ABS"}  # pricing ignored
    assert c.open((tmp_path / "drafts" / "b.txt").as_uri(), text) == []
    assert c.open((tmp_path / "notes" / "c.txt").as_uri(), text) == []
    c.close()
    assert c.proc.returncode == 0
