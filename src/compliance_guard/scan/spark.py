"""The listing scan as a PySpark transformation, for catalogues beyond one machine.

``scan_dataframe(df)`` maps a DataFrame of listings (one column per catalogue column) to one
record per listing with ``mapInPandas``: the engine configuration and any extra rule packs
are broadcast once, and each Python worker builds its checker once, on first use. The
records are those of ``cguard scan`` (``findings`` as a JSON string column; ``to_records``
turns rows back into the same dicts). ``cguard scan --engine spark FILE`` runs it on a file
Spark can read (CSV, JSONL, Parquet) and writes the same report and summary, or stops with
an error where Spark's reader splits the file into other rows than cguard's (a quote never
closed): rows in == records out holds on either engine. Both read the input alike otherwise:
the same refusals (no text column, duplicated headers, a bad ``--map``), blank lines and
CSV lines of delimiters only skipped rather than numbered.
"""
from __future__ import annotations

import json
import os
import sys
import tempfile
import uuid

from compliance_guard.scan.columns import ColumnMap, MappingError, RowError, build_listing
from compliance_guard.scan.local import ScanOptions, ScanResult
from compliance_guard.scan.pool import EngineOptions, Plan, check_row
from compliance_guard.scan.readers import open_source
from compliance_guard.scan.records import CSV_HEADER, ScanError, format_records, output_format
from compliance_guard.scan.resume import check_outputs
from compliance_guard.scan.source import RawRow, ReaderError, require_text
from compliance_guard.scan.summary import Summary

ROW_COLUMN = "_cguard_row"
CORRUPT_COLUMN = "_cguard_corrupt"
RECORD_SCHEMA = "id string, row long, status string, error string, category string, findings string, texts string"

_EXECUTOR: dict = {}


class SparkJobError(ReaderError):
    """The Spark job failed on the input; one line, like an unreadable file."""


def _payload(spec: EngineOptions, column_map: ColumnMap, overrides: dict) -> dict:
    """What the executors need: the plan, with extra packs as text (their paths are the driver's)."""
    packs = {}
    from compliance_guard.engine.packs import pack_files

    for i, path in enumerate(pack_files(spec.packs, builtin=False)):
        packs[f"{i:03d}_{os.path.basename(path)}"] = path.read_text(encoding="utf-8-sig")
    return {"key": uuid.uuid4().hex, "spec": spec, "packs": packs, "column_map": column_map,
            "overrides": tuple(sorted(overrides.items()))}


def _executor_state(payload: dict):
    """The checker of this Python worker, built once per broadcast."""
    key = payload["key"]
    if _EXECUTOR.get("key") != key:
        spec = payload["spec"]
        if payload["packs"]:
            folder = tempfile.mkdtemp(prefix="cguard-packs-")
            for name, text in payload["packs"].items():
                with open(os.path.join(folder, name), "w", encoding="utf-8") as fh:
                    fh.write(text)
            spec = EngineOptions((folder,), spec.select, spec.ignore, spec.severity)
        plan = Plan(spec, payload["column_map"], payload["overrides"])
        _EXECUTOR.update(key=key, plan=plan, checker=spec.build())
    return _EXECUTOR["checker"], _EXECUTOR["plan"]


def scan_dataframe(df, spec: EngineOptions | None = None, overrides: dict | None = None, row_column: str | None = None):
    """One record per row of ``df`` (schema ``RECORD_SCHEMA``).

    ``row_column`` names a column holding the 1-based row number; without one, rows are
    numbered in the DataFrame's order (``zipWithIndex``: file order for a file read by Spark).
    A column named ``CORRUPT_COLUMN`` (Spark's corrupt-record column) turns its rows into
    error records. MappingError when no column feeds a text field.
    """
    spec = spec or EngineOptions()
    overrides = overrides or {}
    columns = [c for c in df.columns if c not in (row_column, CORRUPT_COLUMN)]
    column_map = ColumnMap.resolve(columns, overrides)
    require_text("the DataFrame", column_map, "columns")
    if row_column is None:
        row_column = ROW_COLUMN
        schema = df.schema.add(ROW_COLUMN, "long", False)
        df = df.rdd.zipWithIndex().map(lambda pair: (*pair[0], pair[1] + 1)).toDF(schema)
    corrupt = CORRUPT_COLUMN in df.columns
    df = df.select(*columns, row_column, *([CORRUPT_COLUMN] if corrupt else []))
    bc = df.sparkSession.sparkContext.broadcast(_payload(spec, column_map, overrides))
    width = len(columns)

    def scan_partition(frames):
        import pandas as pd

        checker, plan = _executor_state(bc.value)
        for frame in frames:
            out = []
            for values in frame.itertuples(index=False, name=None):
                cells = [None if _missing(v) else v for v in values[:width]]
                error = values[width + 1] if corrupt and not _missing(values[width + 1]) else None
                raw = RawRow(int(values[width]), None, cells,
                             "malformed row (Spark's reader could not parse it)" if error else None)
                out.append(_flat(check_row(checker, plan, raw)))
            yield pd.DataFrame(out, columns=["id", "row", "status", "error", "category", "findings", "texts"])

    return df.mapInPandas(scan_partition, RECORD_SCHEMA)


def _missing(value) -> bool:
    """None, NaN, or pandas' NA (a null of an integer column, e.g. a JSONL key some rows lack)."""
    import pandas as pd

    return value is None or value is pd.NA or (isinstance(value, float) and value != value)


def _flat(record: dict) -> dict:
    return {"id": record["id"], "row": record["row"], "status": record["status"], "error": record.get("error"),
            "category": record.get("category", ""), "findings": json.dumps(record["findings"], ensure_ascii=False),
            "texts": json.dumps(record.get("_texts") or {}, ensure_ascii=False)}


def to_record(row, keep_texts: bool = False) -> dict:
    """A Spark result row as the record ``cguard scan`` writes."""
    d = row.asDict() if hasattr(row, "asDict") else dict(row)
    out = {"id": d["id"], "row": int(d["row"]), "status": d["status"]}
    if d["status"] == "error":
        out["error"] = d["error"]
    out["category"] = d["category"] or ""
    out["findings"] = json.loads(d["findings"]) if d["findings"] else []
    if keep_texts and d.get("texts") and d["texts"] != "{}":
        out["_texts"] = json.loads(d["texts"])
    return out


def read_dataframe(spark, options: ScanOptions):
    """The input file as a DataFrame Spark reads itself (all CSV columns as strings). The file is
    the driver's (its header is read here first), so its path is a ``file://`` one, never one
    of the cluster's default filesystem."""
    from pyspark.sql.types import StringType, StructField, StructType

    source = open_source(options.path, options.input_format, overrides=options.overrides,
                         encoding=options.encoding, delimiter=options.delimiter, sheet=options.sheet)
    source.close()
    if not os.path.isfile(options.path):
        raise ScanError(f"{options.path}: Spark reads the file itself and cannot read a pipe; scan it with the local engine")
    path = "file://" + os.path.abspath(options.path)
    if source.format == "csv":
        headers = list(source.column_map.headers)
        schema = StructType([StructField(h, StringType()) for h in headers] + [StructField(CORRUPT_COLUMN, StringType())])
        encoding = "UTF-8" if source.encoding in ("utf-8", "utf-8-sig") else source.encoding
        spark.conf.set("spark.sql.legacy.javaCharsets", "true")  # GB18030/GBK: any charset the JVM has
        df = (spark.read.schema(schema).option("header", True).option("sep", source.delimiter)
              .option("encoding", encoding).option("multiLine", True).option("escape", '"')
              .option("mode", "PERMISSIVE").option("columnNameOfCorruptRecord", CORRUPT_COLUMN).csv(path))
        return df.na.drop(how="all")  # a line of delimiters only: no row, as cguard's reader has it
    if source.format == "jsonl":
        return spark.read.json(path)
    if source.format == "parquet":
        return spark.read.parquet(path)
    raise ScanError(f"{options.path}: Spark cannot read {source.format}; scan it with the local engine")


def session():
    """The active SparkSession, or a new one: spark-submit's master, else ``CGUARD_SPARK_MASTER``,
    else local mode on every core."""
    from pyspark.sql import SparkSession

    active = SparkSession.getActiveSession()
    if active is not None:
        return active
    builder = SparkSession.builder.appName("cguard-scan")
    master = os.environ.get("CGUARD_SPARK_MASTER")
    if master is None and "PYSPARK_GATEWAY_PORT" not in os.environ:  # not under spark-submit
        master = "local[*]"
    if master:
        builder = builder.master(master)
    builder = builder.config("spark.ui.showConsoleProgress", "false")  # cguard's stderr: summary and errors only
    if (master or "").startswith("local"):  # a one-off local job: no web UI
        builder = builder.config("spark.ui.enabled", "false")
        os.environ.setdefault("PYSPARK_PYTHON", sys.executable)  # workers: this interpreter, not PATH's python3
    spark = builder.getOrCreate()
    spark.sparkContext.setLogLevel("ERROR")
    return spark


def scan_with_spark(options: ScanOptions, stdout=None) -> ScanResult:
    """``cguard scan --engine spark``: same report and summary as the local engine. The input
    is opened on the driver first, so that it is refused as the local engine refuses it before
    Spark starts or the report is touched, and read alongside Spark's reading of it."""
    if options.resume:
        raise ScanError("--resume works with the local engine only (a Spark job is restarted as a whole)")
    check_outputs(options.path, {"--out": options.out})
    source = open_source(options.path, options.input_format, overrides=options.overrides,
                         encoding=options.encoding, delimiter=options.delimiter, sheet=options.sheet)
    summary = Summary(path=options.path)
    fmt = output_format(options.out)
    stream = None
    batch: list[dict] = []
    try:
        if options.on_open is not None:
            options.on_open(source)
        spark = session()
        df = read_dataframe(spark, options)
        result_df = scan_dataframe(df, options.spec, options.overrides).orderBy("row")
        stream = open(options.out, "w", encoding="utf-8", newline="") if options.out else (stdout or sys.stdout)
        if fmt == "csv":
            stream.write(CSV_HEADER)
        for row in result_df.toLocalIterator():
            record = to_record(row, keep_texts=True)
            _same_row(record, next(source.rows, None), source.column_map, options)
            summary.add(record)
            batch.append(record)
            if len(batch) >= 500:
                stream.write(format_records(batch, fmt))
                batch = []
        stream.write(format_records(batch, fmt))
        missing = next(source.rows, None)
        if missing is not None:
            raise SparkJobError(f"{options.path}:{missing.line}: Spark's reader found {summary.rows} rows, cguard's more "
                                f"(from row {missing.row}); scan this file with the local engine")
    except (ScanError, ReaderError, MappingError, ImportError):
        raise
    except Exception as exc:  # Py4JJavaError / PythonException / AnalysisException: one line
        lines = [ln for ln in str(exc).splitlines() if ln.strip()]
        raise SparkJobError(f"{options.path}: Spark job failed: {lines[-1] if lines else type(exc).__name__}") from None
    finally:
        summary.blank_lines = source.blank_lines
        source.close()
        if options.out and stream is not None:
            stream.close()
    return ScanResult(summary, stats={"engine": "spark"})


def _same_row(record: dict, raw: RawRow | None, column_map: ColumnMap | None, options: ScanOptions) -> None:
    """Hold Spark's reading of the file to cguard's, read alongside on the driver: the same
    rows, with the same ids where both read the row. A stray quote makes Spark's multi-line
    CSV reader swallow the lines after it; that must stop the scan, not lose rows."""
    if raw is None:
        raise SparkJobError(f"{options.path}: Spark's reader found more rows than cguard's (row {record['row']} "
                            "and on); scan this file with the local engine")
    if raw.error is not None or record["status"] != "ok":
        return
    try:
        ident = build_listing(raw.row, raw.values, column_map, raw.line, options.overrides).id
    except RowError:
        return
    if ident != record["id"]:
        raise SparkJobError(f"{options.path}:{raw.line}: Spark's reader and cguard's read this file into different "
                            f"rows from row {raw.row} on (id {record['id']!r}, expected {ident!r}; malformed quoting?); "
                            "scan this file with the local engine")
