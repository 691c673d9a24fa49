"""Markdown awareness: what a reader sees is checked (headings, lists, tables, emphasis, link
text and titles, alt text), what they do not see is not (front matter, code, URLs, link
targets, HTML tags and comments, table pipes), and positions are the file's own."""
from __future__ import annotations

from pathlib import Path

import pytest

from compliance_guard.engine import Engine
from compliance_guard.engine.packs import load_packs
from compliance_guard.load.documents import from_text, read_path
from compliance_guard.load.markdown import unchecked_spans
from compliance_guard.run.files import check_document

PACK = Path(__file__).parent / "data" / "ci-pack.yaml"


@pytest.fixture(scope="module")
def engine():
    return Engine(load_packs([PACK], builtin=False))


def hits(engine, text):
    doc = from_text("x.md", text)
    out = []
    for f in check_document(engine, doc):
        assert doc.text[f.start:f.end] == f.text
        line = doc.text.split("\n")[f.line - 1]
        assert line[f.column - 1:f.column - 1 + len(f.text)] == f.text  # positions are the file's
        out.append((f.line, f.column, f.text))
    return out


def test_front_matter_is_not_checked(engine):
    text = "---\ntitle: 最好的标题\ntags: [顶级]\n---\n正文最好\n"
    assert hits(engine, text) == [(5, 3, "最好")]
    assert hits(engine, "+++\ntitle = '最好'\n+++\n顶级\n") == [(4, 1, "顶级")]
    # a thematic break later in the file is not front matter
    assert hits(engine, "正文\n---\n最好\n---\n") == [(3, 1, "最好")]


def test_headings_lists_emphasis_and_quotes_are_checked(engine):
    text = "# 最好的面膜\n\n## 顶级\n\n- 收纳神器\n1. **销量第一**\n> 全网最低价\n"
    assert hits(engine, text) == [(1, 3, "最好"), (3, 4, "顶级"), (5, 5, "神器"), (6, 6, "销量第一"), (7, 3, "全网最低价")]


def test_emphasis_inside_a_term_still_matches(engine):
    assert hits(engine, "这是**最**好\n") == [(1, 5, "最**好")]


@pytest.mark.parametrize("text", [
    "```\n最好\n```\n",
    "~~~python\n顶级 = 1\n~~~\n",
    "````md\n```\n最好\n```\n````\n",  # a longer fence is not closed by a shorter one
    "```\n最好\n",  # an unclosed fence runs to the end
    "  ```\n  最好\n  ```\n",
])
def test_fenced_code_is_not_checked(engine, text):
    assert hits(engine, text) == []


def test_fence_closes_only_with_a_bare_fence(engine):
    # ```js inside a ``` block does not close it (a closing fence has no info string)
    assert hits(engine, "```\n```js\n最好\n```\n最好\n") == [(5, 1, "最好")]


def test_inline_code_stops_at_a_blank_line(engine):
    assert hits(engine, "用 `最好` 这个词\n") == []
    # a stray backtick must not hide the rest of the document
    assert hits(engine, "价格`9.9\n\n这个最好\n\n`结束\n") == [(3, 3, "最好")]
    assert hits(engine, "``代码 ` 最好``之后顶级\n") == [(1, 14, "顶级")]


def test_indented_code_blocks_but_not_list_continuations(engine):
    assert hits(engine, "段落\n\n    最好\n    顶级\n\n    神器\n\n之后最好\n") == [(8, 3, "最好")]
    # four spaces under a list item continue the item: still prose
    assert hits(engine, "- 第一条\n\n    这个最好\n") == [(3, 7, "最好")]
    # right after a paragraph line, indentation is a lazy continuation, not code
    assert hits(engine, "段落\n    最好\n") == [(2, 5, "最好")]


def test_urls_link_targets_and_titles(engine):
    text = ('看[最好的链接](https://x.cn/最好 "顶级标题")和![神器图](img/顶级.png)\n'
            "详情见https://shop.example.com/p?id=1全网最低价\n"
            "<https://a.cn/最好> www.example.com/顶级，然后销量第一。\n")
    # URLs are ASCII: Chinese right after one is prose (so 顶级 after www.example.com/ counts);
    # a link target or an <autolink> is masked whole
    assert hits(engine, text) == [(1, 3, "最好"), (1, 27, "顶级"), (1, 36, "神器"),
                                  (2, 35, "全网最低价"), (3, 35, "顶级"), (3, 40, "销量第一")]


def test_url_with_parentheses_and_trailing_punctuation(engine):
    text = "见 https://en.wikipedia.org/wiki/X_(y). 最好\n"
    spans = unchecked_spans(text)
    masked = "".join(text[s:e] for s, e in spans)
    assert masked == "https://en.wikipedia.org/wiki/X_(y)"
    assert hits(engine, text) == [(1, 40, "最好")]


def test_reference_links(engine):
    text = '[最好][ref] 和 [顶级][]\n\n[ref]: https://x.cn/神器 "销量第一"\n'
    assert hits(engine, text) == [(1, 2, "最好"), (1, 14, "顶级"), (3, 25, "销量第一")]


def test_html_tags_comments_and_raw_elements(engine):
    text = ('<div class="最好">顶级</div>\n'
            '<img src="神器.png" alt="销量第一的面膜" title=\'最好\'>\n'
            "<!-- 最好\n顶级 -->\n"
            "<script>var a = '最好';</script>\n"
            "<style>.顶级 {}</style>后面最好\n")
    assert hits(engine, text) == [(1, 17, "顶级"), (2, 24, "销量第一"), (2, 40, "最好"), (6, 24, "最好")]


def test_tables_cells_checked_pipes_masked(engine):
    text = "| 卖点 | 说明 |\n|---|:---:|\n| 最好 | 顶级 |\n| 销量 | 第一 |\n\n销量 | 第一\n"
    # cells are checked; 销量|第一 across two cells is not one term; outside a table the pipe
    # is just filler
    assert hits(engine, text) == [(3, 3, "最好"), (3, 8, "顶级"), (6, 1, "销量 | 第一")]


def test_positions_stay_the_files_with_crlf_and_bom(engine, tmp_path):
    path = tmp_path / "a.md"
    path.write_bytes("\ufeff---\r\ntitle: 最好\r\n---\r\n# 标题\r\n`最好` 顶级\r\n".encode("utf-8"))
    doc = read_path(path)
    [f] = check_document(engine, doc)
    assert (f.line, f.column, f.end_column, f.text) == (5, 6, 8, "顶级")


def test_spans_are_sorted_and_inside_the_text():
    text = "---\na: 1\n---\n# t\n```\nx\n```\n[a](http://b) <b>c</b> `d`\n| a | b |\n|---|---|\n"
    spans = unchecked_spans(text)
    assert spans == sorted(spans)
    assert all(0 <= s <= e <= len(text) for s, e in spans)
