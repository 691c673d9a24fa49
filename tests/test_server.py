"""The JSON API behind ``cguard serve``: answers, limits and JSON errors."""
from __future__ import annotations

import io
import json
import re

import docx
import pytest

pytest.importorskip("starlette")
from starlette.testclient import TestClient  # noqa: E402

from compliance_guard.app.server import PAGE_KINDS, WEB, ScriptScorer, create_app  # noqa: E402


@pytest.fixture(scope="module")
def client(request):
    engine = request.getfixturevalue("fixture_engine")
    return TestClient(create_app(engine, max_body=4096, max_document=64 * 1024))


def post(client, url, payload, **kw):
    return client.post(url, content=json.dumps(payload, ensure_ascii=False).encode(),
                       headers={"content-type": "application/json"}, **kw)


def test_check_finds_and_points_into_the_text(client):
    text = "😀开场：这个最好！\n转发到群领红包"
    r = post(client, "/api/check", {"text": text, "kind": "live"})
    assert r.status_code == 200
    body = r.json()
    assert body["kind"] == "live" and body["tool"] == "compliance-guard"
    assert {f["rule"] for f in body["findings"]} == {"S001", "S003"}
    for f in body["findings"]:
        assert text[f["start"]:f["end"]] == f["text"]  # code points: the emoji counts one
    best = next(f for f in body["findings"] if f["rule"] == "S001")
    assert (best["start"], best["line"], best["column"]) == (6, 1, 7)
    assert best["suggestions"] == best["fixes"] == ["很好"]
    assert body["summary"]["findings"] == len(body["findings"])


def test_fixes_are_the_suggestions_that_are_wording_not_advice():
    from conftest import builtin_engine

    body = post(TestClient(create_app(builtin_engine())), "/api/check", {"text": "国家级品质，全网最低价"}).json()
    by_text = {f["text"]: f for f in body["findings"] if f["category"] == "absolute-claim"}
    level, lowest = by_text["国家级"], by_text["全网最低价"]
    assert level["suggestions"] and level["fixes"] == []  # 写明具体的认证… is for the writer
    assert lowest["fixes"] and set(lowest["fixes"]) < set(lowest["suggestions"])
    assert not any("写明" in s for s in lowest["fixes"])
    assert lowest["fix"] == "超值价" and level["fix"] is None  # what `cguard fix` would put in


def test_clean_text_and_default_kind(client):
    r = post(client, "/api/check", {"text": "最近天气很好"})
    assert r.status_code == 200
    assert r.json()["findings"] == [] and r.json()["kind"] == "video"


def test_info_describes_the_server(client):
    info = client.get("/api/info").json()
    assert info["kinds"] == list(PAGE_KINDS)
    assert info["max_body"] == 4096


def assert_json_error(r, status, fragment):
    assert r.status_code == status
    assert r.headers["content-type"].startswith("application/json")
    assert fragment in r.json()["error"]


def test_oversized_body_is_413_json(client):
    r = post(client, "/api/check", {"text": "最好" * 4000})
    assert_json_error(r, 413, "limit is 4096 bytes")


def test_oversized_chunked_body_without_length_is_413_json(client):
    def chunks():
        yield b'{"text": "'
        for _ in range(100):
            yield "最好".encode() * 50
        yield b'"}'

    r = client.post("/api/check", content=chunks(), headers={"content-type": "application/json"})
    assert_json_error(r, 413, "over the limit")


def test_default_limit_is_one_mebibyte(fixture_engine):
    small = TestClient(create_app(fixture_engine))
    padded = json.dumps({"text": "好" * 40_000}, ensure_ascii=False).encode() + b" " * 800_000  # 920 kB
    assert small.post("/api/check", content=padded, headers={"content-type": "application/json"}).status_code == 200
    assert_json_error(post(small, "/api/check", {"text": "好" * 400_000}), 413, "1048576")


class CountingEngine:
    """An engine that counts the texts it is asked to check."""

    def __init__(self, engine):
        self.engine, self.calls = engine, 0

    def check_unlocated(self, text, errors=None):
        self.calls += 1
        return self.engine.check_unlocated(text, errors)


def test_text_over_the_character_limit_is_413_before_any_checking():
    """0.9 MB of repeated 全网最低价 kept a CPU busy for minutes: now refused at once."""
    from conftest import builtin_engine

    engine = CountingEngine(builtin_engine())
    app = TestClient(create_app(engine, scorer=ScriptScorer(builtin_engine())))
    flood = "全网最低价" * 60_000  # 300,000 characters, 900 kB
    for route in ("/api/check", "/api/score"):
        r = post(app, route, {"text": flood})
        assert_json_error(r, 413, "300,000 characters, more than the 50,000")
        assert "cguard check" in r.json()["error"]
    assert engine.calls == 0
    info = app.get("/api/info").json()
    assert (info["max_chars"], info["max_findings"]) == (50_000, 1_000)


def test_more_findings_than_a_page_shows_is_422(fixture_engine):
    app = TestClient(create_app(fixture_engine, max_findings=3))
    assert post(app, "/api/check", {"text": "最好，" * 3}).status_code == 200
    r = post(app, "/api/check", {"text": "最好，" * 4})
    assert_json_error(r, 422, "4 findings, more than the 3 a page shows")
    assert "cguard check" in r.json()["error"]


def test_real_scripts_are_well_within_the_limits():
    from conftest import REPO, builtin_engine

    from compliance_guard.app.server import MAX_CHARS, MAX_FINDINGS

    app = TestClient(create_app(builtin_engine()))
    scripts = [REPO / "corpora" / "examples" / "video-script.txt", *sorted((REPO / "corpora" / "scoring" / "scripts").iterdir())]
    for path in scripts:
        text = path.read_text(encoding="utf-8")
        assert len(text) * 5 < MAX_CHARS, path.name
        r = post(app, "/api/check", {"text": text})
        assert r.status_code == 200 and len(r.json()["findings"]) * 20 < MAX_FINDINGS, path.name


@pytest.mark.parametrize("body, fragment", [
    (b'{"text": ', "malformed JSON"),
    (b"\xff\xfe{}", "not UTF-8"),
    (b'["text"]', "expected a JSON object"),
    (b'{"kind": "video"}', 'missing field "text"'),
    (b'{"text": 42}', '"text" must be a string, got a number'),
    (b'{"text": null}', "got null"),
    (b'{"text": "x", "kind": "tv"}', '"kind" must be one of video, live, listing, post'),
    (b'{"text": "x", "txt": "y"}', "unknown field 'txt'"),
])
def test_malformed_requests_are_400_json(client, body, fragment):
    r = client.post("/api/check", content=body, headers={"content-type": "application/json"})
    assert_json_error(r, 400, fragment)


@pytest.mark.parametrize("body, fragment", [
    (b"[" * 100_000, "nested too deeply"),
    (b'{"text": "x", "kind": ' + b"[" * 100_000, "nested too deeply"),
    (b'{"text": "x", "kind": ' + b"1" * 5000 + b"}", "a number too long"),
    (b'{"text": "\\ud800\\u5168"}', "half of a UTF-16 surrogate pair (\\ud800) at character 1"),
    (b'{"text": "ok\\udfff"}', "(\\udfff) at character 3"),
])
@pytest.mark.parametrize("route", ["/api/check", "/api/score"])
def test_hostile_json_is_400_json_without_a_traceback(fixture_engine, caplog, route, body, fragment):
    """json.loads raises RecursionError and ValueError beyond JSONDecodeError, and a lone
    surrogate cannot be encoded in the answer: all were 500s with a traceback in the log."""
    app = TestClient(create_app(fixture_engine, scorer=ScriptScorer(fixture_engine)), raise_server_exceptions=False)
    r = app.post(route, content=body, headers={"content-type": "application/json"})
    assert_json_error(r, 400, fragment)
    assert "\n" not in r.json()["error"]
    assert not [rec for rec in caplog.records if rec.levelno >= 40 or rec.exc_info]


def test_wrong_content_type_is_415_json(client):
    r = client.post("/api/check", content=b"text=x", headers={"content-type": "application/x-www-form-urlencoded"})
    assert_json_error(r, 415, "application/json")


def test_unknown_route_and_wrong_method_are_json(client):
    assert_json_error(client.get("/api/nothing"), 404, "Not Found")
    assert_json_error(client.get("/api/check"), 405, "Method Not Allowed")


def test_unexpected_failure_is_500_json(fixture_engine):
    class Broken:
        def check_unlocated(self, text, errors=None):
            raise RuntimeError("engine exploded")

    broken = TestClient(create_app(Broken()), raise_server_exceptions=False)
    assert_json_error(post(broken, "/api/check", {"text": "x"}), 500, "engine exploded")


def test_score_without_a_scorer_is_501_json(client):
    assert_json_error(post(client, "/api/score", {"text": "x"}), 501, "not available")


@pytest.fixture(scope="module")
def scored(fixture_engine):
    return TestClient(create_app(fixture_engine, scorer=ScriptScorer(fixture_engine)))


def test_score_is_the_script_scorer(scored, fixture_engine):
    text = "开场就送福利！这款面膜含5%烟酰胺，30ml一瓶。\n评论区告诉我你的肤质，点击下方链接下单。"
    r = post(scored, "/api/score", {"text": text, "kind": "video"})
    assert r.status_code == 200
    body = r.json()
    assert body["kind"] == "video" and 0 <= body["score"] <= 100
    assert {"hook", "compliance"} <= {s["name"] for s in body["subscores"]}
    from compliance_guard.load.documents import from_text
    from compliance_guard.scoring.script import score_document

    expected = score_document(from_text("<page>", text, kind="text"), "video", None, fixture_engine)
    assert body["score"] == expected.score  # the page shows what `cguard score` gives
    assert_json_error(post(scored, "/api/score", {"text": " \n", "kind": "video"}), 400, "no script to score")


def test_score_tells_which_kinds_it_scores(scored):
    info = scored.get("/api/info").json()
    assert info["score"] is True and set(info["score_kinds"]) <= set(PAGE_KINDS)
    unscored = next(k for k in PAGE_KINDS if k not in info["score_kinds"])
    assert_json_error(post(scored, "/api/score", {"text": "x", "kind": unscored}), 400, "checked but not scored")


def docx_bytes(*paragraphs):
    d = docx.Document()
    for p in paragraphs:
        d.add_paragraph(p)
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


def test_document_upload_gives_paragraph_lines(client):
    r = client.post("/api/document?name=脚本.docx", content=docx_bytes("第一段", "第二段最好"))
    assert r.status_code == 200
    assert r.json() == {"name": "脚本.docx", "kind": "docx", "text": "第一段\n第二段最好"}


def test_document_upload_decodes_gb18030_text(client):
    r = client.post("/api/document?name=a.txt", content="全网最低价".encode("gb18030"))
    assert r.json()["text"] == "全网最低价"


def test_document_upload_errors_are_json(client):
    assert_json_error(client.post("/api/document?name=a.docx", content=b"nope"), 400, "not a .docx")
    assert_json_error(client.post("/api/document?name=a.pdf", content=b"%PDF"), 415, "unsupported file type .pdf")
    assert_json_error(client.post("/api/document", content=b"x"), 400, "?name=")
    assert_json_error(client.post("/api/document?name=a.docx", content=b"0" * 70_000), 413, "limit")


def test_page_and_assets_are_local_only(client):
    page = client.get("/")
    assert page.status_code == 200 and "text/html" in page.headers["content-type"]
    assert "default-src 'self'" in page.headers["content-security-policy"]
    refs = re.findall(r'(?:src|href)="([^"]+)"', page.text)
    assert refs and all(ref.startswith("/static/") for ref in refs)
    for ref in refs:
        assert client.get(ref).status_code == 200
    for asset in WEB.iterdir():
        source = asset.read_text(encoding="utf-8")
        if asset.suffix == ".svg":  # the XML namespace is a name, not a request
            source = source.replace('xmlns="http://www.w3.org/2000/svg"', "")
        assert not re.search(r"https?://|//[a-z0-9.-]+\.[a-z]{2,}/|@import", source, re.I), asset.name
    js = (WEB / "app.js").read_text(encoding="utf-8")
    assert set(re.findall(r'fetch\((?:`|")([^`"?$]+)', js)) <= {"/api/info", "/api/document"}
    assert set(re.findall(r'postJSON\("([^"]+)"', js)) == {"/api/check", "/api/score"}


def test_busy_port_and_bad_profile_are_one_line_usage_errors():
    import socket

    from click.testing import CliRunner

    from compliance_guard.app.cli import main

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen(1)
        port = busy.getsockname()[1]
        result = CliRunner().invoke(main, ["serve", "--port", str(port)])
    assert result.exit_code == 2
    assert result.output.startswith(f"cguard: error: cannot listen on 127.0.0.1:{port}:")
    assert result.output.count("\n") == 1
    result = CliRunner().invoke(main, ["serve", "--profile", "no-such-profile"])
    assert result.exit_code == 2 and "no-such-profile" in result.output and result.output.count("\n") == 1


def test_cguard_serve_answers_with_the_project_config_then_stops_cleanly_on_ctrl_c(tmp_path):
    import signal
    import subprocess
    import sys
    import urllib.error
    import urllib.request
    from pathlib import Path

    script = Path(sys.executable).with_name("cguard")
    cmd = [str(script)] if script.exists() else [sys.executable, "-c", "from compliance_guard.app.cli import main; main()"]
    (tmp_path / ".cguard.yaml").write_text("ignore: [pricing]\nprofile: content-pyramid\n", encoding="utf-8")
    proc = subprocess.Popen([*cmd, "serve", "--port", "0"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            cwd=tmp_path)

    def ask(url, route):
        request = urllib.request.Request(url + route, data=json.dumps({"text": "全网最低价"}).encode(),
                                         headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=30) as answer:
            return json.load(answer)

    try:
        line = proc.stdout.readline()
        assert line.startswith("cguard serve: http://127.0.0.1:"), line + proc.stderr.read()
        url = line.split()[2]
        findings = ask(url, "api/check")["findings"]
        assert any(f["text"] == "全网最低价" for f in findings)
        assert not any(f["category"] == "pricing" for f in findings)  # the config's ignore
        assert ask(url, "api/score")["profile"] == "content-pyramid"
        nested = urllib.request.Request(url + "api/check", data=b"[" * 100_000,
                                        headers={"Content-Type": "application/json"})
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(nested, timeout=30)
        assert refused.value.code == 400 and "nested too deeply" in json.load(refused.value)["error"]
    finally:
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=30)
    assert proc.returncode == 0
    assert "Traceback" not in err
