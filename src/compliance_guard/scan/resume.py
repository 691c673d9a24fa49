"""What a report belongs to, and continuing it: beside a report, the fingerprint of its input
and options (``--resume`` refuses another input's report), the rows already done, and outputs
that would overwrite the input."""
from __future__ import annotations

import csv
import hashlib
import json
import os
import stat
from collections.abc import Callable

from compliance_guard.scan.records import CSV_COLUMNS, ScanError, output_format, record_from_csv
from compliance_guard.scan.source import RawRow, Source

#: Beside a report, what it belongs to (its input and options), for --resume to check.
FINGERPRINT_SUFFIX = ".cguard-scan.json"
FINGERPRINT_ROWS = 100


def resume_point(path: str, on_record: Callable[[dict], None]) -> int:
    """Rows already done in ``path``: complete records numbered 1..k in order. A torn last line
    (the scan was killed mid-write: the start of a record, without its newline) is cut off;
    anything else out of place is a ScanError, and the file is left as it is."""
    fmt = output_format(path)
    done, keep = 0, 0
    with open(path, "rb") as fh:
        offset = 0
        for number, raw in enumerate(fh, 1):
            end = offset + len(raw)
            if fmt == "csv" and number == 1:
                header = next(csv.reader([raw.decode("utf-8", "replace")]), [])
                if header != list(CSV_COLUMNS):
                    raise ScanError(f"{path}:1: not a cguard scan CSV report (header {header!r}); cannot resume")
                keep = offset = end
                continue
            if not raw.endswith(b"\n") and (fmt == "csv" or raw.startswith(b'{"id": ')):
                break  # torn last write
            try:
                text = raw.decode("utf-8")
                if fmt == "csv":
                    record = record_from_csv(next(csv.reader([text])))
                else:
                    record = json.loads(text)
                row = int(record["row"])
            except (ValueError, KeyError, TypeError, StopIteration, UnicodeDecodeError):
                raise ScanError(f"{path}:{number}: not a scan record; cannot resume") from None
            if row != done + 1:
                raise ScanError(f"{path}:{number}: record for row {row} where row {done + 1} was expected; cannot resume")
            done += 1
            keep = offset = end
            on_record(record)
    if os.path.getsize(path) != keep:
        with open(path, "r+b") as fh:
            fh.truncate(keep)
    return done


def check_outputs(input_path: str, outputs: dict[str, str | None]) -> None:
    """Refuse an output that is the input (``-o cat.csv`` for ``cat.csv`` would replace the
    catalogue with its report), through a symlink, ``./`` or a hard link too, and two outputs
    that are one file."""
    named = [(option, path) for option, path in outputs.items() if path]
    for option, path in named:
        if os.path.isfile(input_path) and _same_file(input_path, path):
            raise ScanError(f"{option} {path} is the input catalogue {input_path}: writing there would destroy it; "
                            "choose another file")
    for i, (option, path) in enumerate(named):
        for other, other_path in named[i + 1:]:
            if _same_file(path, other_path):
                raise ScanError(f"{option} {path} and {other} {other_path} are the same file; give each its own")


def _same_file(a: str, b: str) -> bool:
    """Whether two paths are one regular file (same device and inode), or, where one does not
    exist yet, name the same place. Terminals and pipes are never the same file here."""
    try:
        sa, sb = os.stat(a), os.stat(b)
    except OSError:
        return os.path.realpath(a) == os.path.realpath(b)
    return stat.S_ISREG(sa.st_mode) and (sa.st_dev, sa.st_ino) == (sb.st_dev, sb.st_ino)


def fingerprint(options, source: Source, head: list[RawRow]) -> dict:
    """What a report belongs to: its input, known by its content (a hash of the header and
    the first rows as read, and the size of a regular file) rather than by path or mtime,
    which a pipe (``<(zcat …)``), a copy or a touch change; and the options that decide the
    records. A legitimately interrupted scan resumed on the same input with the same options
    gives the same fingerprint."""
    digest = hashlib.sha256()
    mapping = source.column_map or source.preview
    digest.update(repr(mapping.headers if mapping else ()).encode("utf-8"))
    for raw in head:
        digest.update(repr((raw.row, raw.values, raw.error)).encode("utf-8"))
    from compliance_guard import __version__

    spec = options.spec
    return {
        "input": os.path.realpath(options.path),
        "size": source.size if os.path.isfile(options.path) else None,
        "head_sha256": digest.hexdigest(),
        "options": {"format": source.format, "map": dict(sorted(options.overrides.items())),
                    "packs": [os.path.realpath(p) for p in spec.packs], "select": list(spec.select),
                    "ignore": list(spec.ignore), "severity": [list(s) for s in spec.severity]},
        "version": __version__,
    }


def regular_or_new(path: str) -> bool:
    """A report that is (or will be) a regular file has a fingerprint beside it; ``-o
    /dev/stdout`` or a pipe has none (and cannot be resumed)."""
    try:
        return stat.S_ISREG(os.stat(path).st_mode)
    except FileNotFoundError:
        return True


def fingerprint_path(out: str) -> str:
    return out + FINGERPRINT_SUFFIX


def write_fingerprint(out: str, stamp: dict) -> None:
    """Beside the report, not in it: each line of a JSONL report stays one record (a header
    line would break every reader of that contract), and a CSV report keeps its columns."""
    path = fingerprint_path(out)
    with open(path + ".tmp", "w", encoding="utf-8") as fh:
        json.dump(stamp, fh, ensure_ascii=False, indent=2)
        fh.write("\n")
    os.replace(path + ".tmp", path)


def check_fingerprint(out: str, stamp: dict) -> None:
    """Refuse to resume a report of another input, or of other options, or one whose input is
    unknown (written before reports had a fingerprint, or not by cguard scan)."""
    path = fingerprint_path(out)
    try:
        with open(path, encoding="utf-8") as fh:
            saved = json.load(fh)
        if not isinstance(saved, dict):
            raise ValueError
    except FileNotFoundError:
        raise ScanError(f"cannot resume {out}: {path} is missing, so which catalogue the report belongs to is unknown "
                        "(a report of an older cguard, or not a scan report); scan again without --resume") from None
    except (OSError, ValueError):
        raise ScanError(f"cannot resume {out}: {path} is not readable; scan again without --resume") from None
    was, now = saved.get("options"), stamp["options"]
    sizes_differ = None not in (saved.get("size"), stamp["size"]) and saved.get("size") != stamp["size"]
    if sizes_differ or saved.get("head_sha256") != stamp["head_sha256"]:
        raise ScanError(f"cannot resume {out}: it is the report of another input ({saved.get('input')}, "
                        f"{_size(saved.get('size'))}), not of {stamp['input']} ({_size(stamp['size'])}): its header "
                        "or first rows differ; scan again without --resume")
    if was != now:
        changed = ", ".join(k for k in now if not isinstance(was, dict) or was.get(k) != now[k])
        raise ScanError(f"cannot resume {out}: it was made with other options ({changed}); resume with the same "
                        "options, or scan again without --resume")
    if saved.get("version") != stamp["version"]:
        raise ScanError(f"cannot resume {out}: it was made by cguard {saved.get('version')}, this is "
                        f"{stamp['version']}; scan again without --resume")


def _size(size) -> str:
    return "a pipe" if size is None else f"{size:,} bytes"
