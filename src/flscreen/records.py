"""Read and write the record streams the CLI filters work on: JSON lines or CSV.

``-`` means stdin/stdout. Every bad record is reported with its source and
1-based row; decoding problems name the byte offset's line rather than crash.
"""

from __future__ import annotations

import csv
import io
import json
import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

from flscreen.errors import InvalidInput, Problem
from flscreen.lists.base import decode_legacy

Record = dict[str, Any]


def _decode(data: bytes, name: str, notes: list[Problem] | None) -> str:
    """UTF-8 text (a BOM dropped). A line that is not UTF-8 is read as GB18030 or
    Windows-1252, as ``lists import`` reads it (``lists.base.decode_legacy``: a
    supplier file saved on Chinese Windows), and noted in ``notes``; without
    ``notes`` such a file is refused, naming the line."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        if notes is None:
            line = data[: exc.start].count(b"\n") + 1
            raise InvalidInput(
                [
                    Problem(
                        name,
                        f"invalid UTF-8 at byte {exc.start} (save the file as UTF-8)",
                        row=line,
                    )
                ]
            ) from None
    body = data[3:] if data.startswith(b"\xef\xbb\xbf") else data
    lines = []
    # No GB18030 or Windows-1252 character contains the byte 0x0A.
    for number, raw in enumerate(body.split(b"\n"), start=1):
        try:
            lines.append(raw.decode("utf-8"))
        except UnicodeDecodeError as exc:
            text, encoding = decode_legacy(raw)
            notes.append(
                Problem(
                    name,
                    f"invalid UTF-8 at byte {exc.start} of the line; read as {encoding} "
                    "(check the names; save the file as UTF-8)",
                    row=number,
                )
            )
            lines.append(text)
    return "\n".join(lines)


def _open_text(path: str, notes: list[Problem] | None = None) -> tuple[IO[str], str]:
    """Open ``path`` (or stdin) as UTF-8 text (see ``_decode``); BOMs are dropped."""
    if path == "-":
        data = sys.stdin.buffer.read()
        name = "<stdin>"
    else:
        p = Path(path)
        if not p.exists():
            raise InvalidInput(f"file not found: {path}", source=path)
        if p.is_dir():
            raise InvalidInput(f"expected a file, got a folder: {path}", source=path)
        data = p.read_bytes()
        name = path
    return io.StringIO(_decode(data, name, notes), newline=""), name


def guess_record_format(path: str, head: str) -> str:
    """'jsonl' or 'csv', from the extension or, for stdin, the first character."""
    suffix = Path(path).suffix.lower()
    if suffix in {".jsonl", ".ndjson", ".json"}:
        return "jsonl"
    if suffix in {".csv", ".tsv"}:
        return "csv"
    return "jsonl" if head.lstrip().startswith("{") else "csv"


def read_records(
    path: str,
    required: Iterable[str] = ("id",),
    list_fields: Iterable[str] = (),
    notes: list[Problem] | None = None,
) -> Iterator[tuple[int, Record]]:
    """Yield ``(row_number, record)``; raise InvalidInput listing every bad row.

    ``list_fields`` in CSV are split on ``|`` or ``;`` (e.g. aliases). Records are
    validated before the first one is yielded, so callers never act on half a file.
    With ``notes``, lines that are not UTF-8 are read as GB18030 or Windows-1252 and
    noted there (as ``lists import`` does); without, they are refused.
    """
    handle, name = _open_text(path, notes)
    text = handle.read()
    if not text.strip():
        raise InvalidInput(f"{name} is empty: expected JSON lines or CSV records", source=name)
    fmt = guess_record_format(path, text[:200])
    problems: list[Problem] = []
    if fmt == "jsonl":
        rows = _jsonl_rows(name, text, problems)
    else:
        rows = _csv_rows(name, text, set(list_fields), problems)
    problems.extend(_row_problems(name, rows, tuple(required)))
    if problems:
        raise InvalidInput(problems)
    yield from rows


def _jsonl_rows(name: str, text: str, problems: list[Problem]) -> list[tuple[int, Record]]:
    rows: list[tuple[int, Record]] = []
    for line_no, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            value = json.loads(line)
        except json.JSONDecodeError as exc:
            problems.append(Problem(name, f"not valid JSON ({exc.msg})", row=line_no))
            continue
        if not isinstance(value, dict):
            problems.append(Problem(name, "expected a JSON object", row=line_no))
            continue
        rows.append((line_no, value))
    return rows


def _csv_rows(
    name: str, text: str, list_fields: set[str], problems: list[Problem]
) -> list[tuple[int, Record]]:
    reader = csv.DictReader(io.StringIO(text, newline=""))
    if reader.fieldnames is None:
        raise InvalidInput(f"{name} has no CSV header", source=name)
    reader.fieldnames = [h.strip() for h in reader.fieldnames]
    rows: list[tuple[int, Record]] = []
    for record in reader:
        if None in record:
            problems.append(Problem(name, "more cells than header columns", row=reader.line_num))
            continue
        clean: Record = {}
        for key, value in record.items():
            if value is None or value == "":
                continue
            if key in list_fields:
                parts = [v.strip() for v in value.replace(";", "|").split("|")]
                clean[key] = [v for v in parts if v]
            else:
                clean[key] = value.strip()
        rows.append((reader.line_num, clean))
    return rows


def _row_problems(
    name: str, rows: list[tuple[int, Record]], required: tuple[str, ...]
) -> list[Problem]:
    """Missing required values and repeated ids, every one of them."""
    problems = []
    seen: dict[str, int] = {}
    for line_no, record in rows:
        for field in required:
            value = record.get(field)
            if value is None or (isinstance(value, str) and not value.strip()):
                problems.append(Problem(name, "missing required value", row=line_no, field=field))
        if "id" in record:
            rid = str(record["id"])
            if rid in seen:
                problems.append(
                    Problem(name, f"duplicate id {rid!r} (first on row {seen[rid]})", row=line_no)
                )
            seen.setdefault(rid, line_no)
    return problems


@contextmanager
def open_output(path: str | None) -> Iterator[IO[str]]:
    """Write to ``path`` atomically (temp file then rename), or to stdout for None/-."""
    if path is None or path == "-":
        yield sys.stdout
        sys.stdout.flush()
        return
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(target.name + ".part")
    with tmp.open("w", encoding="utf-8") as handle:
        yield handle
    tmp.replace(target)


def write_bytes(path: str | None, body: bytes) -> None:
    """Write ``body`` to ``path`` atomically (temp file then rename), or to stdout for
    None/-: a spreadsheet or PDF is never left half-written."""
    if path is None or path == "-":
        sys.stdout.buffer.write(body)
        sys.stdout.flush()
        return
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(target.name + ".part")
    try:
        tmp.write_bytes(body)
        tmp.replace(target)
    finally:
        tmp.unlink(missing_ok=True)


def write_jsonl(handle: IO[str], record: Record) -> None:
    handle.write(json.dumps(record, ensure_ascii=False, sort_keys=False) + "\n")
