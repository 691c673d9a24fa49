"""jieba (import 0.25 s, dictionary 1.2 s) must not load for text with no candidate."""
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
    print(segment.is_loaded(), 'jieba' in sys.modules)
""")


def run(text: str) -> str:
    out = subprocess.run([sys.executable, "-c", SCRIPT.format(text=text)], capture_output=True, text=True, check=True)
    return out.stdout.strip()


def test_clean_text_never_loads_jieba():
    assert run("今天天气很好，我们去公园散步吧。" * 20) == "False False"


def test_candidate_with_token_boundary_loads_jieba():
    assert run("这是全网最好的面膜") == "True True"
