"""Reading a CSV of national statuses staff saved from the national portal: one row per case,
(national code, status[, answer]), ';' or ',' or tab between fields, an optional header row.

A file is taken whole or not at all: any problem (not UTF-8, not CSV, a row without a status, a
code that is not one, a code twice) refuses the file with every problem in Vietnamese, so staff
fix it and import again without wondering which rows went in.
"""
from __future__ import annotations

import csv
import io

from console import national_texts as N
from routing.national import NationalCodeInvalid, NationalConfig, normalize_status
from routing.national_services import STATUS_LIMIT, StatusRow

MAX_BYTES = 1024 * 1024
MAX_ROWS = 2000
SHOWN_PROBLEMS = 10
HEADER_WORDS = ("trạng thái", "trang thai", "status")


class ImportRefused(ValueError):
    """The file cannot be imported; the message is Vietnamese, shown as it is."""


def _delimiter(text: str) -> str:
    first = next((line for line in text.splitlines() if line.strip()), "")
    counts = {d: first.count(d) for d in (";", ",", "\t")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def _is_header(cells: list[str], config: NationalConfig) -> bool:
    """A first row whose first cell is no code and whose second names the status column."""
    if len(cells) < 2:
        return False
    try:
        config.check_code(cells[0])
        return False
    except NationalCodeInvalid:
        label = normalize_status(cells[1])
        return any(word in label for word in HEADER_WORDS)


def _decode(content: bytes) -> str:
    if len(content) > MAX_BYTES:
        raise ImportRefused(N.IMPORT_TOO_BIG.format(limit=MAX_BYTES // 1024))
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ImportRefused(N.IMPORT_NOT_UTF8) from None
    if "\x00" in text:
        raise ImportRefused(N.IMPORT_NOT_CSV)
    return text


def _records(text: str, delimiter: str) -> list[tuple[int, list[str]]]:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        rows = [(reader.line_num, row) for row in reader]
    except csv.Error:
        raise ImportRefused(N.IMPORT_NOT_CSV) from None
    return [(line, cells) for line, cells in rows if any(c.strip() for c in cells)]


def parse_status_file(content: bytes, config: NationalConfig) -> list[StatusRow]:
    """The rows of the file. Raises ImportRefused listing every problem."""
    text = _decode(content)
    delimiter = _delimiter(text)
    records = _records(text, delimiter)
    if records and _is_header(records[0][1], config):
        records = records[1:]
    if not records:
        raise ImportRefused(N.IMPORT_EMPTY)
    if len(records) > MAX_ROWS:
        raise ImportRefused(N.IMPORT_TOO_MANY.format(limit=MAX_ROWS))
    rows: list[StatusRow] = []
    problems: list[str] = []
    seen: dict[str, int] = {}
    for line, cells in records:
        if len(cells) < 2:
            problems.append(N.ROW_COLUMNS.format(line=line))
            continue
        try:
            code = config.check_code(cells[0])
        except NationalCodeInvalid:
            problems.append(N.ROW_CODE.format(line=line, value=cells[0][:64]))
            continue
        answer = delimiter.join(cells[2:]).strip(delimiter + " ")  # an unquoted answer with the separator in it
        status = cells[1].strip()
        if not status and not answer:
            problems.append(N.ROW_EMPTY.format(line=line))
        elif len(status) > STATUS_LIMIT:
            problems.append(N.ROW_STATUS_LONG.format(line=line, limit=STATUS_LIMIT))
        elif code in seen:
            problems.append(N.ROW_REPEATED.format(line=line, value=code, first=seen[code]))
        else:
            seen[code] = line
            rows.append(StatusRow(line, code, status, answer))
    refuse(problems)
    return rows


def refuse(problems: list[str]) -> None:
    """Raise ImportRefused naming the first problems, if there are any."""
    if not problems:
        return
    shown = problems[:SHOWN_PROBLEMS]
    if len(problems) > SHOWN_PROBLEMS:
        shown.append(N.MORE_PROBLEMS.format(count=len(problems) - SHOWN_PROBLEMS))
    raise ImportRefused(N.IMPORT_REFUSED.format(problems="; ".join(shown)))
