"""Why the engine's automaton is ahocorasick-rs and not pyahocorasick: both over the engine's
keys (every normalised form of every term and trigger of every pack), on the same documents,
in one process, with the matches compared.

    python benchmarks/bench_automaton.py            # listing-sized lines, script-sized docs, one big text

pyahocorasick walks a node's children one by one, and the root has a child per distinct first
character (a few thousand Han characters), so every text position pays for a scan the Rust
automaton answers from a table.
"""
from __future__ import annotations

import sys
from pathlib import Path

import ahocorasick
import ahocorasick_rs

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_check import BIG, as_scripts, load_lines, median_of  # noqa: E402


def main() -> None:
    from compliance_guard.engine import Engine
    from compliance_guard.engine.packs import load_packs

    keys = sorted(Engine(load_packs())._automaton.forms)
    py = ahocorasick.Automaton()
    for i, k in enumerate(keys):
        py.add_word(k, i)
    py.make_automaton()
    rs = ahocorasick_rs.AhoCorasick(keys)
    lines = load_lines(20_000)
    sets = [("20,000 listing-sized lines", lines), (f"{len(as_scripts(lines))} script-sized docs", as_scripts(lines))]
    if BIG.exists():
        sets.append((f"{BIG.name} ({BIG.stat().st_size / 1e6:.1f} MB)", [BIG.read_text(encoding="utf-8")]))
    print(f"{len(keys):,} keys; medians of 5")
    print("| documents | pyahocorasick | ahocorasick-rs | ratio |\n|---|---|---|---|")
    for name, docs in sets:
        same = all(sorted((e + 1 - len(keys[i]), e + 1, i) for e, i in py.iter(d))
                   == sorted((s, e, i) for i, s, e in rs.find_matches_as_indexes(d, overlapping=True)) for d in docs)
        if not same:
            sys.exit(f"the two automata disagree on {name}")
        t_py = median_of(lambda docs=docs: [list(py.iter(d)) for d in docs], 5)
        t_rs = median_of(lambda docs=docs: [rs.find_matches_as_indexes(d, overlapping=True) for d in docs], 5)
        print(f"| {name} | {t_py:.3f} s | {t_rs:.3f} s | {t_py / t_rs:.1f}x |")


if __name__ == "__main__":
    main()
