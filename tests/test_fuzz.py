"""Random inputs through ``check``, ``scan`` and the API: never a traceback, an exit code in
{0, 1, 2}, every row in a record, and ``text == original[start:end]`` for every finding.

Texts mix the rules' own bad examples with random characters, line endings (LF, CRLF, lone CR),
Markdown and SRT wrappers, and are written in one of the encodings the readers accept, or as
random bytes. Catalogues are CSV in two shapes: well-formed rows from ``csv.writer`` (cells with
quotes, delimiters and line breaks) and raw lines with stray quotes, blank lines and missing
cells; either way the rows given equal the records written plus the blank lines skipped.
"""
from __future__ import annotations

import csv
import io
import json

import pytest
from click.testing import CliRunner
from conftest import builtin_engine
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from compliance_guard.app.cli import main
from compliance_guard.load.documents import DocumentError, decode

FUZZ = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                       HealthCheck.function_scoped_fixture])


@pytest.fixture(scope="module")
def bad_examples() -> list[str]:
    return sorted({t for r in builtin_engine().rules for t in r.examples.get("bad", [])})


_PIECES = st.one_of(
    st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=12),
    st.sampled_from(["最好", "全网最低价", "转发到3个群领红包", "加微信", "治疗失眠", "最近", "100%纯棉", "¥99 原价199",
                     "SC11834020305037", "**", "__", " ", "\t", "\u200b", "😀", "# 标题", "- ", "`code`", "<!-- x -->",
                     "cguard: disable-line", "http://a.b/最好", "\ufeff", "\x00", "\x1a"]),
)
_ENDINGS = st.sampled_from(["\n", "\r\n", "\r"])
_ENCODINGS = st.sampled_from(["utf-8", "utf-8-sig", "gb18030", "utf-16"])


def _script(draw, examples: list[str]) -> str:
    parts = draw(st.lists(st.one_of(_PIECES, st.sampled_from(examples)), max_size=12))
    ending = draw(_ENDINGS)
    text = ending.join(parts)
    wrapper = draw(st.sampled_from(["plain", "md", "srt"]))
    if wrapper == "md":
        text = f"# 脚本{ending}{ending}**{text}**{ending}"
    elif wrapper == "srt":
        text = f"1{ending}00:00:01,000 --> 00:00:03,000{ending}{text}{ending}{ending}"
    return text, {"plain": ".txt", "md": ".md", "srt": ".srt"}[wrapper]


@st.composite
def documents(draw, examples):
    text, suffix = _script(draw, examples)
    if draw(st.booleans()):
        encoding = draw(_ENCODINGS)
        try:
            data = text.encode(encoding)
        except UnicodeEncodeError:
            data = text.encode("utf-8")
    else:
        data = draw(st.binary(max_size=200)) + text.encode("utf-8")
    return data, suffix


def _no_traceback(result) -> None:
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output


@FUZZ
@given(data=st.data())
def test_check_never_fails_and_offsets_are_the_files(tmp_path_factory, bad_examples, data):
    files = data.draw(st.lists(documents(bad_examples), min_size=1, max_size=3))
    folder = tmp_path_factory.mktemp("docs")
    paths = []
    for i, (content, suffix) in enumerate(files):
        path = folder / f"doc{i}{suffix}"
        path.write_bytes(content)
        paths.append(str(path))
    result = CliRunner().invoke(main, ["check", "--no-config", "--format", "json", *paths])
    _no_traceback(result)
    assert result.exit_code in (0, 1)
    report = json.loads(result.stdout)
    assert len(report["files"]) == len(paths)
    for entry in report["files"]:
        if "error" in entry:
            continue
        raw = open(entry["path"], "rb").read()
        try:
            original = decode(raw, entry["path"])
        except DocumentError:
            pytest.fail(f"{entry['path']} gave findings but does not decode")
        for f in entry["findings"]:
            assert original[f["start"]:f["end"]] == f["text"]


_CELL = st.one_of(
    st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",), exclude_characters="\x00"), max_size=10),
    st.sampled_from(["全网最低价", "最好的面膜", "治疗失眠", "", " ", "99", "¥1,299.00", "面议", "-5", 'a"b', "x,y",
                     "两行\n文字", "食品", "SC11834020305037"]),
)


@st.composite
def catalogues(draw):
    """(CSV text, data rows given, well-formed?): well-formed through csv.writer, or raw lines."""
    header = ["id", "title", "price", "category"]
    ending = draw(st.sampled_from(["\n", "\r\n"]))
    if draw(st.booleans()):
        rows = draw(st.lists(st.lists(_CELL, min_size=4, max_size=4), max_size=8))
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator=ending)
        writer.writerow(header)
        writer.writerows(rows)
        return buf.getvalue(), len(rows), True
    lines = draw(st.lists(st.lists(_CELL.map(lambda c: c.replace("\n", " ").replace("\r", " ")), min_size=1,
                                   max_size=6).map(",".join), max_size=8))
    text = ",".join(header) + ending + ending.join(lines) + draw(st.sampled_from(["", ending, ending * 2]))
    physical = text.split(ending)[1:]
    if physical and physical[-1] == "":
        physical.pop()  # the last line's terminator
    return text, len(physical), False


@FUZZ
@given(shape=catalogues(), encoding=st.sampled_from(["utf-8", "utf-8-sig", "gb18030"]))
def test_scan_loses_no_row(tmp_path_factory, shape, encoding):
    text, given_rows, well_formed = shape
    folder = tmp_path_factory.mktemp("scan")
    path, out, summary = folder / "cat.csv", folder / "out.jsonl", folder / "summary.json"
    try:
        path.write_bytes(text.encode(encoding))
    except UnicodeEncodeError:
        path.write_bytes(text.encode("utf-8"))
    result = CliRunner().invoke(main, ["scan", str(path), "-o", str(out), "--summary", str(summary), "-j", "1", "-q"])
    _no_traceback(result)
    assert result.exit_code in (0, 1, 2)
    if result.exit_code == 2:
        return  # refused before any row (e.g. no text in the title column's header row)
    records = [json.loads(line) for line in out.read_text(encoding="utf-8").split("\n") if line]
    blank = json.loads(summary.read_text(encoding="utf-8"))["blank_lines"]
    assert [r["row"] for r in records] == list(range(1, len(records) + 1))
    if well_formed or '"' not in text:
        assert len(records) + blank == given_rows, text
    else:  # a quoted field may rightly join raw lines into one record, never split one
        assert len(records) + blank <= given_rows, text


@FUZZ
@given(body=st.one_of(
    st.binary(max_size=300),
    st.text(max_size=300).map(lambda t: t.encode("utf-8", "surrogatepass")),
    st.recursive(st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=30)),
                 lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=5), inner, max_size=4),
                 max_leaves=12).map(lambda v: json.dumps(v).encode()),
    st.builds(lambda t, k: json.dumps({"text": t, "kind": k}, ensure_ascii=False).encode("utf-8", "surrogatepass"),
              st.text(max_size=200), st.sampled_from(["video", "live", "post", "listing", "x"])),
))
def test_api_answers_json_and_points_into_the_text(api_client, body):
    r = api_client.post("/api/check", content=body, headers={"content-type": "application/json"})
    assert r.status_code in (200, 400, 413, 415, 422)
    answer = r.json()
    if r.status_code != 200:
        assert set(answer) == {"error"}
        return
    text = json.loads(body.decode("utf-8"))["text"]
    for f in answer["findings"]:
        assert text[f["start"]:f["end"]] == f["text"]


@pytest.fixture(scope="module")
def api_client():
    pytest.importorskip("starlette")
    from starlette.testclient import TestClient

    from compliance_guard.app.server import create_app

    return TestClient(create_app(builtin_engine()), raise_server_exceptions=False)
