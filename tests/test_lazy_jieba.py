"""The segmenter (rjieba or jieba, and jieba's 1.2 s dictionary) must not load for text with
no candidate; with rjieba installed, jieba itself is never imported for a token edge."""
import subprocess
import sys
import textwrap

SCRIPT = textwrap.dedent("""
    import sys
    from compliance_guard.engine import Engine
    from compliance_guard.engine.packs import load_packs
    from compliance_guard.text import segment
    engine = Engine(load_packs())
    engine.check({text!r})
    print(segment.is_loaded(), 'jieba' in sys.modules, 'rjieba' in sys.modules)
""")


def run(text: str) -> str:
    out = subprocess.run([sys.executable, "-c", SCRIPT.format(text=text)], capture_output=True, text=True, check=True)
    return out.stdout.strip()


def test_clean_text_never_loads_a_segmenter():
    assert run("今天天气很好，我们去公园散步吧。" * 20) == "False False False"


def test_candidate_with_token_boundary_loads_rjieba_not_jieba():
    assert run("这是全网最好的面膜") == "True False True"


def test_homophone_guards_do_not_load_jieba():
    assert run("这款面霜效果蕞好，加薇信领取") == "True False True"
