"""The Spark path gives the records of ``cguard scan``, in Spark local mode.

Needs pyspark (the ``spark`` extra) and a Java runtime (17); skipped cleanly without them.
One local session for the module keeps it well under a minute.
"""
from __future__ import annotations

import csv
import os
import random
import re
import shutil
import sys
from pathlib import Path

import pytest

pytest.importorskip("pyspark")
pytest.importorskip("pandas")
pytest.importorskip("pyarrow")
if not shutil.which("java"):
    pytest.skip("needs a Java runtime for Spark local mode", allow_module_level=True)

from compliance_guard.scan.local import ScanOptions, scan
from compliance_guard.scan.pool import EngineOptions
from compliance_guard.scan.records import read_records  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
LISTINGS = REPO / "corpora" / "listings"


@pytest.fixture(scope="module")
def spark():
    from pyspark.sql import SparkSession

    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)  # workers need this venv, not PATH's python3
    session = (SparkSession.builder.master("local[2]").appName("cguard-test")
               .config("spark.ui.enabled", "false").config("spark.ui.showConsoleProgress", "false")
               .config("spark.sql.shuffle.partitions", "2").getOrCreate())
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


@pytest.fixture(scope="module")
def sample(tmp_path_factory) -> Path:
    """The catalogue's well-formed listings (multi-line descriptions included) as plain CSV."""
    sys.path.insert(0, str(LISTINGS))
    try:
        import make_catalogue
    finally:
        sys.path.pop(0)
    rows = make_catalogue.listings(random.Random(20261122))
    path = tmp_path_factory.mktemp("spark") / "sample.csv"
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(make_catalogue.HEADER)
        w.writerows(rows[::2])
    return path


def local_records(path: Path, tmp_path: Path, **kw) -> list[dict]:
    out = tmp_path / "local.jsonl"
    scan(ScanOptions(path=str(path), out=str(out), jobs=1, **kw))
    return list(read_records(str(out)))


def test_engine_spark_gives_the_records_of_cguard_scan(spark, sample, tmp_path):
    from compliance_guard.scan.spark import scan_with_spark

    out = tmp_path / "spark.jsonl"
    result = scan_with_spark(ScanOptions(path=str(sample), out=str(out)))
    expected = local_records(sample, tmp_path)
    got = list(read_records(str(out)))
    assert len(got) == len(expected) > 100
    assert got == expected
    assert result.summary.findings == sum(len(r["findings"]) for r in expected) > 0


def test_engine_spark_stops_rather_than_lose_rows(spark, tmp_path):
    """The sample catalogue has quotes never closed: Spark's multi-line CSV reader swallows the
    lines after them into one row. The scan stops with a one-line error saying where."""
    from compliance_guard.scan.spark import SparkJobError, scan_with_spark

    with pytest.raises(SparkJobError, match=r"catalogue\.csv:\d+: Spark's reader and cguard's .* local engine") as err:
        scan_with_spark(ScanOptions(path=str(LISTINGS / "catalogue.csv"), out=str(tmp_path / "r.jsonl")))
    assert "\n" not in str(err.value)


def test_dataframe_transformation_with_options(spark, tmp_path):
    """A DataFrame built in Spark (English columns, a --map, a selection) and a corrupt row."""
    import json

    from compliance_guard.scan.spark import CORRUPT_COLUMN, scan_dataframe, to_record

    rows = [
        {"sku": "S1", "name": "全网最好的面膜 补水", "cat": "美妆护肤", "price": "59", "list_price": "199", "low7": "49"},
        {"sku": "S2", "name": "东北大米 5kg", "cat": "粮油米面", "price": "面议", "list_price": None, "low7": None},
        {"sku": "S3", "name": "纯棉T恤", "cat": "服饰", "price": "39", "list_price": None, "low7": None},
    ]
    jsonl = tmp_path / "in.jsonl"
    jsonl.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    mapping = {"title": "name", "category": "cat", "original_price": "list_price", "lowest_price_7d": "low7"}
    spec = EngineOptions(select=("absolute-claims", "pricing"))
    expected = local_records(jsonl, tmp_path, overrides=mapping, spec=spec)

    df = spark.createDataFrame([{**r, CORRUPT_COLUMN: None} for r in rows] + [
        {"sku": None, "name": None, "cat": None, "price": None, "list_price": None, "low7": None,
         CORRUPT_COLUMN: "S4,broken"}])
    out = scan_dataframe(df, spec, mapping).orderBy("row").collect()
    got = [to_record(r) for r in out]
    # Spark does not tell which line of the file a row came from: reasons lack "line N: ".
    for r in expected:
        if r["status"] == "error":
            r["error"] = re.sub(r"^line \d+: ", "", r["error"])
    assert got[:3] == expected
    assert got[3]["status"] == "error" and "malformed row" in got[3]["error"]
    assert {f["category"] for f in got[0]["findings"]} == {"absolute-claim", "pricing"}


def test_engine_spark_reads_and_refuses_as_the_local_engine(spark, tmp_path):
    """Blank lines and lines of delimiters are no rows on either engine (and are counted); a
    JSONL key that some rows lack is an empty cell, not Arrow's NA; a file with no text column
    is refused before Spark reads it or the report is written."""
    from compliance_guard.scan.columns import MappingError
    from compliance_guard.scan.spark import scan_with_spark

    blank = tmp_path / "blank.csv"
    blank.write_text("商品ID,商品标题,售价\nA1,全网最好的杯子,9\n\n,,\nA2,碗,3\n\n", encoding="utf-8")
    sparse = tmp_path / "sparse.jsonl"
    sparse.write_text('{"商品标题": "全网最好的杯子", "售价": 9}\n\n{"商品标题": "碗"}\n', encoding="utf-8")
    for path, blank_lines in ((blank, 3), (sparse, 1)):
        out = tmp_path / f"{path.stem}.spark.jsonl"
        result = scan_with_spark(ScanOptions(path=str(path), out=str(out)))
        assert list(read_records(str(out))) == local_records(path, tmp_path)
        assert result.summary.rows == 2 and result.summary.errors == 0 and result.summary.blank_lines == blank_lines
    notext = tmp_path / "notext.csv"
    notext.write_text("编号,金额\nA1,9\n", encoding="utf-8")
    with pytest.raises(MappingError, match="no column feeds a text field"):
        scan_with_spark(ScanOptions(path=str(notext), out=str(tmp_path / "n.jsonl")))
    assert not (tmp_path / "n.jsonl").exists()
