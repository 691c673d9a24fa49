"""Recall and precision on real third-party copy that nobody on the team wrote, labelled by hand
(corpora/labels/real-copy.jsonl: references into ../shared/corpora, which a user's clone lacks:
the test skips there). The floors are the measured values less a small margin."""
from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

from conftest import REPO, shared_path

RECALL_FLOOR = 0.70  # sure labels found (measured 0.76)
PRECISION_FLOOR = 0.85  # findings over sure labels / (those + findings over no label) (measured 0.92)
FALSE_PER_10K_CEILING = 1.0  # findings over no label per 10,000 characters (measured 0.69)


def test_real_copy_recall_and_precision():
    corpora = shared_path("corpora")
    sys.path.insert(0, str(REPO / "benchmarks"))
    try:
        import eval_real_copy
    finally:
        sys.path.pop(0)
    items = eval_real_copy.load(corpora=corpora)
    result = eval_real_copy.score(items, eval_real_copy.run(str(Path(sys.executable).with_name("cguard")), items))
    total = Counter()
    for counts in result["cats"].values():
        total.update(counts)
    report = eval_real_copy.report(result)
    assert total["sure_hit"] / total["sure"] >= RECALL_FLOOR, report
    assert total["tp"] / (total["tp"] + total["fp"]) >= PRECISION_FLOOR, report
    assert total["fp"] / result["chars"] * 1e4 <= FALSE_PER_10K_CEILING, report
