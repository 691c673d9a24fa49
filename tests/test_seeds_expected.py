"""``cguard check ../shared/seeds/`` against its reviewed output, ``tests/data/seeds-expected.tsv``.

The seed articles quote banned words as examples (国家级, 最高级 in a compliance section) and
recommend mechanics that WeChat bans (邀请有礼, 晒图返现): those hits are expected, and were
reviewed one by one. Ordinary prose (最近, 第一步, 首页) must stay clean. Any finding that
appears, disappears, moves or changes severity fails here, so a pack change that touches the
seeds is reviewed before the expected file is updated. Skips where ../shared/seeds is absent.
"""
from __future__ import annotations

from pathlib import Path

from conftest import builtin_engine, shared_path

from compliance_guard.run.files import check_paths

EXPECTED = Path(__file__).resolve().parent / "data" / "seeds-expected.tsv"
#: ordinary words that occur in the seeds and must give no finding
ORDINARY = ["最近", "第一步", "首单", "首日", "首页", "最优", "最先", "最后"]


def expected() -> list[tuple]:
    rows = []
    for _n, raw in enumerate(EXPECTED.read_text(encoding="utf-8").splitlines(), 1):
        if not raw.strip() or raw.startswith("#"):
            continue
        name, rule, line, column, severity, text, _review = raw.split("\t")
        rows.append((name, rule, int(line), int(column), severity, text))
    return sorted(rows)


def actual(seeds: Path):
    results = check_paths(builtin_engine(), [str(seeds)])
    assert results and all(r.error is None for r in results), [r.error for r in results if r.error]
    rows = sorted((Path(r.path).name, f.rule, f.line, f.column, f.severity.value, f.text)
                  for r in results for f in r.findings)
    return rows, results


def test_seed_findings_match_the_reviewed_output():
    seeds = shared_path("seeds")
    got, _ = actual(seeds)
    want = expected()
    appeared = [r for r in got if r not in want]
    disappeared = [r for r in want if r not in got]
    assert not appeared and not disappeared, (
        "seed findings changed; review them and update tests/data/seeds-expected.tsv\n"
        + "".join(f"  new:  {r}\n" for r in appeared) + "".join(f"  gone: {r}\n" for r in disappeared))
    assert len(got) == len(want)  # no duplicate finding hiding behind the comparison above


def test_expected_file_names_existing_seeds():
    seeds = shared_path("seeds")
    names = {p.name for p in seeds.iterdir()}
    assert {row[0] for row in expected()} <= names


def test_ordinary_words_in_the_seeds_stay_clean():
    seeds = shared_path("seeds")
    _, results = actual(seeds)
    for word in ORDINARY:
        spans = [(r, i) for r in results for i in _find_all(r.text, word)]
        assert spans, f"{word!r} no longer occurs in the seeds: pick another ordinary word"
        for r, i in spans:
            hits = [f for f in r.findings if f.start < i + len(word) and i < f.end]
            assert not hits, f"{Path(r.path).name}: {word!r} at {i} flagged: {[(f.rule, f.text) for f in hits]}"


def _find_all(text: str, word: str) -> list[int]:
    out, i = [], text.find(word)
    while i != -1:
        out.append(i)
        i = text.find(word, i + 1)
    return out
