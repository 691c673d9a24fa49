"""The engine cache (engine.cache): a cached engine finds exactly what a freshly built one finds,
is found by the content of what it was built from (never by modification times), and anything
wrong with the cache means building as without it. Also what a one-file ``cguard check``
imports. Every test has its own cache directory (XDG_CACHE_HOME)."""
from __future__ import annotations

import hashlib
import json
import os
import pickle
import subprocess
import sys
import textwrap

import pytest
from conftest import REPO

from compliance_guard.engine import Engine, _pickles, cache
from compliance_guard.engine import packs as packs_module
from compliance_guard.engine.packs import PackError, load_packs
from compliance_guard.report import FORMATTERS, formatter
from compliance_guard.run.engines import build_engine
from compliance_guard.scoring import SCORERS, scorer

TEXTS = [
    "这是最好的面膜", "降xue压，调理三高", "加薇信领红包", "加wei信：abc123", "zui好的选择", "蕞佳口碑", "收款马发你",
    "全网最低价，原价999现价99", "国家级产品，特供中南海", "转发到朋友圈集赞送礼品", "食品生产许可证 SC12345678901234",
    "限时秒杀 今天截止 仅此一天 原价199 现价99", "T0P1 品牌 N0.1", "最近天气很好，第一次来", "100%纯棉，一级能效",
    "养胃茶，yangwei 专用", "本品可治疗糖尿病", "", "今天给大家介绍一款春季新款连衣裙，面料柔软透气。",
]
PACK = """\
pack: team
title: 团队用语
category: absolute-claim
source: 团队规范
rules:
  - id: TEAM001
    message: "「{text}」是团队禁用语"
    terms: [超神]
    examples:
      bad: ["这款超神"]
      good: ["这款很好"]
"""


@pytest.fixture(autouse=True)
def cache_home(tmp_path, monkeypatch):
    home = tmp_path / "xdg"
    monkeypatch.setenv("XDG_CACHE_HOME", str(home))
    monkeypatch.delenv("CGUARD_NO_CACHE", raising=False)
    return home / "compliance-guard"


def entries(folder) -> list:
    return sorted(folder.glob("engine-*.pickle")) if folder.exists() else []


def findings(engine: Engine, texts) -> list:
    return [engine.check(t) for t in texts]


def no_building(monkeypatch):
    """From here on, loading the packs fails: an engine can only come from the cache."""
    def boom(*args, **kwargs):
        raise AssertionError("the packs were loaded: the cache was not used")

    monkeypatch.setattr(packs_module, "load_packs", boom)


def test_a_cached_engine_finds_what_a_fresh_one_finds(cache_home, monkeypatch):
    fresh = Engine(load_packs())
    texts = TEXTS + [t for r in fresh.rules for key in ("bad", "good") for t in r.examples.get(key, [])]
    build_engine()
    assert len(entries(cache_home)) == 1  # every part of the built-in engine pickles
    no_building(monkeypatch)
    cached = build_engine()
    assert findings(cached, texts) == findings(fresh, texts)
    assert [r.id for r in cached.rules] == [r.id for r in fresh.rules]


def test_what_every_kind_prepares_pickles():
    """Else the engine cache prepares that kind again on every run (correct, but slow): give
    its prepared state __getstate__/__setstate__ as engine.kinds.check's Prepared has."""
    engine = Engine(load_packs())
    assert [name for name, state in engine._kinds.items() if not _pickles(state)] == []


def test_a_kind_whose_state_does_not_pickle_is_prepared_again(cache_home, monkeypatch):
    from compliance_guard.engine.kinds import terms

    built = []

    def build(rules):
        built.append(len(rules))
        return lambda: None  # does not pickle; the terms kind reads no state

    monkeypatch.setattr(terms, "build", build)
    fresh = build_engine()
    assert len(entries(cache_home)) == 1 and len(built) == 1
    no_building(monkeypatch)
    cached = build_engine()
    assert len(built) == 2 and callable(cached._kinds["terms"])
    assert findings(cached, TEXTS) == findings(fresh, TEXTS)


def test_the_options_are_part_of_the_key(cache_home, monkeypatch):
    options = {"select": ["absolute-claims", "medical-claim"], "ignore": ["ABS012"], "severity": {"ABS001": "info"},
               "allow_terms": ["最好听"]}
    fresh = Engine(load_packs(), **options)
    build_engine(**options)
    build_engine()
    assert len(entries(cache_home)) == 2
    no_building(monkeypatch)
    texts = TEXTS + ["最好听的歌", "这是最好的"]
    assert findings(build_engine(**options), texts) == findings(fresh, texts)
    assert findings(build_engine(), texts) == findings(Engine(load_packs()), texts)


def test_a_per_file_variant_is_kept_too(tmp_path, cache_home, monkeypatch):
    from compliance_guard.load.config import Config, PerFile
    from compliance_guard.run import engines
    from compliance_guard.run.files import check_paths

    script = tmp_path / "live" / "a.txt"
    script.parent.mkdir()
    script.write_text("这是最好的面膜", encoding="utf-8")
    config = Config(root=tmp_path, per_file=(PerFile(files=("live/**",), severity={"ABS001": "info"}),))

    def run():
        [result] = check_paths(engines.config_engine(config), [str(script)], config=config)
        return [(f.rule, f.severity.value) for f in result.findings]

    assert run() == [("ABS001", "info")]
    assert len(entries(cache_home)) == 2
    no_building(monkeypatch)
    monkeypatch.setattr(engines, "Engine", None)  # no engine is built: both come from the cache
    assert run() == [("ABS001", "info")]


def test_an_edited_user_pack_is_not_served_stale(tmp_path, cache_home):
    """Same size, same modification time, other content: a new engine."""
    team = tmp_path / "team"
    team.mkdir()
    pack = team / "team.yaml"
    pack.write_text(PACK, encoding="utf-8")
    before = [f.rule for f in build_engine([str(team)]).check("这款超神，这款封神")]
    stat = pack.stat()
    pack.write_text(PACK.replace("超神", "封神"), encoding="utf-8")
    os.utime(pack, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert pack.stat().st_size == stat.st_size and pack.stat().st_mtime_ns == stat.st_mtime_ns
    after = build_engine([str(team)]).check("这款超神，这款封神")
    assert before == ["TEAM001"]
    assert [(f.rule, f.text) for f in after] == [("TEAM001", "封神")]
    assert len(entries(cache_home)) == 2


def test_a_user_pack_whose_examples_fail_fails_after_a_cached_run(tmp_path, cache_home):
    pack = tmp_path / "team.yaml"
    pack.write_text(PACK, encoding="utf-8")
    build_engine([str(pack)])
    build_engine([str(pack)])
    pack.write_text(PACK.replace('good: ["这款很好"]', 'good: ["这款超神"]'), encoding="utf-8")
    with pytest.raises(PackError, match="TEAM001"):
        build_engine([str(pack)])
    with pytest.raises(PackError, match="not found"):
        build_engine([str(tmp_path / "gone.yaml")])


@pytest.mark.parametrize("damage", ["garbage", "truncated", "flipped", "foreign"])
def test_a_damaged_cache_file_is_ignored_and_rebuilt(cache_home, damage):
    build_engine()
    [path] = entries(cache_home)
    data = path.read_bytes()
    if damage == "garbage":
        data = b"\x80\x05not a pickle at all"
    elif damage == "truncated":
        data = data[: len(data) // 2]
    elif damage == "flipped":  # the digest no longer matches: never unpickled
        data = data[:-100] + bytes([data[-100] ^ 0xFF]) + data[-99:]
    else:  # a sound file that holds no engine
        payload = pickle.dumps((path.stem.removeprefix("engine-"), {"not": "an engine"}))
        data = cache.FORMAT + hashlib.blake2b(payload, digest_size=cache.DIGEST).digest() + payload
    path.write_bytes(data)
    key = path.stem.removeprefix("engine-")
    assert cache.load(key) is None
    engine = build_engine()
    assert [f.rule for f in engine.check("这是最好的面膜")] == ["ABS001"]
    assert isinstance(cache.load(key), Engine)  # built again and kept


def test_an_unwritable_cache_directory_is_no_error(tmp_path, monkeypatch):
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("", encoding="utf-8")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocker))  # compliance-guard/ cannot be made under a file
    assert [f.rule for f in build_engine().check("这是最好的面膜")] == ["ABS001"]


def test_a_read_only_cache_directory_is_read(cache_home, monkeypatch):
    build_engine()

    def refuse(*args, **kwargs):
        raise PermissionError("read-only file system")

    monkeypatch.setattr(cache.os, "replace", refuse)
    build_engine(select=["pricing"])  # not kept, no error
    assert len(entries(cache_home)) == 1
    assert not list(cache_home.glob(".engine-*"))  # no temporary file left behind
    no_building(monkeypatch)
    assert [f.rule for f in build_engine().check("这是最好的面膜")] == ["ABS001"]


def test_no_home_means_no_cache(monkeypatch):
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setattr(cache.os.path, "expanduser", lambda path: path)
    assert cache.directory() is None
    assert [f.rule for f in build_engine().check("这是最好的面膜")] == ["ABS001"]


def test_cguard_no_cache_turns_it_off(cache_home, monkeypatch):
    monkeypatch.setenv("CGUARD_NO_CACHE", "1")
    build_engine()
    assert entries(cache_home) == []
    monkeypatch.setenv("CGUARD_NO_CACHE", "0")
    build_engine()
    assert len(entries(cache_home)) == 1


def test_only_the_most_recently_used_entries_are_kept(cache_home, monkeypatch):
    monkeypatch.setattr(cache, "MAX_ENTRIES", 2)
    for ignore in ("ABS001", "ABS002", "ABS003"):
        build_engine(ignore=[ignore])
    assert len(entries(cache_home)) == 2


def test_the_registries_resolve():
    for name in FORMATTERS:
        assert callable(formatter(name))
    for name in SCORERS:
        assert scorer(name).command == name


IMPORTS = textwrap.dedent("""
    import json, sys
    from compliance_guard.app.cli import main
    sys.argv = ["cguard", "check", "--no-config", *sys.argv[1:]]
    try:
        main()
    except SystemExit:
        pass
    print(json.dumps(sorted(sys.modules)), file=sys.stderr)
""")


def imported(*args: str) -> set[str]:
    proc = subprocess.run([sys.executable, "-c", IMPORTS, *args], capture_output=True, text=True, encoding="utf-8",
                          cwd=REPO)
    return set(json.loads(proc.stderr.strip().splitlines()[-1]))


def test_checking_one_file_imports_what_it_runs_only(tmp_path):
    plain = tmp_path / "script.txt"
    plain.write_text("今天给大家介绍一款春季新款连衣裙，面料柔软透气。\n", encoding="utf-8")
    unwanted = ("compliance_guard.scoring.", "compliance_guard.scan", "compliance_guard.app.server", "compliance_guard.app.lsp",
                "compliance_guard.report.json_format", "compliance_guard.report.sarif", "compliance_guard.report.junit",
                "compliance_guard.report.github", "compliance_guard.report.rdjson", "compliance_guard.run.gitdiff",
                "compliance_guard.run.fix", "pathspec", "openpyxl", "docx", "jieba", "tqdm")
    for run in ("cold", "warm"):
        modules = imported(str(plain))
        assert "compliance_guard.report.text" in modules
        assert [m for m in modules if m.startswith(unwanted)] == [], run
    loading = ("yaml", "compliance_guard.engine.packs", "compliance_guard.engine.examples")
    assert [m for m in modules if m.startswith(loading)] == []  # the engine came from the cache
    json_run = imported("--format", "json", str(plain))
    assert "compliance_guard.report.json_format" in json_run and "compliance_guard.report.text" not in json_run


def test_main_called_as_the_console_script_calls_it_exits_with_the_code(tmp_path):
    """Through the group's __call__, which freezes what the run made on the way out."""
    script = tmp_path / "a.txt"
    script.write_text("这是最好的面膜\n", encoding="utf-8")
    code = "import sys; from compliance_guard.app.cli import main; sys.argv[1:] = ['check', '--no-config', sys.argv[1]]; main()"
    proc = subprocess.run([sys.executable, "-c", code, str(script)], capture_output=True, text=True, encoding="utf-8")
    assert proc.returncode == 1 and "ABS001" in proc.stdout
