"""Register exports (CSV, XLSX): exactly the rows the register shows this user with its filters, streamed.

Rows are read as plain values with `.iterator(chunk_size=...)`, so 100 000 rows never sit in memory as models.
Text that a spreadsheet would run as a formula is prefixed with an apostrophe (CSV/formula injection).
"""

import csv
import datetime as dt
import tempfile
from collections.abc import Iterator

from django.db.models import QuerySet
from django.utils import timezone
from openpyxl import Workbook

from clauseten.nonconformities.models import Classification, Nonconformity, Source, State

CHUNK = 2000
# (header, column read with values_list, labels for coded values)
COLUMNS = [
    ("Reference", "reference", None),
    ("Title", "title", None),
    ("State", "state", dict(State.choices)),
    ("Classification", "classification", dict(Classification.choices)),
    ("Source", "source", dict(Source.choices)),
    ("Management system", "management_system__name", None),
    ("Requirement", "requirement", None),
    ("Area", "area", None),
    ("Detected on", "detected_on", None),
    ("Reported at", "reported_at", None),
    ("Reported by", "reported_by__username", None),
    ("Owner", "owner__username", None),
    ("Due date", "due_date", None),
    ("Contained at", "contained_at", None),
    ("Closed at", "closed_at", None),
]
HEADERS = [header for header, _, _ in COLUMNS]
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _safe_text(value: str) -> str:
    return "'" + value if value.startswith(FORMULA_START) else value


def _cell(value, labels):
    if labels is not None:
        return labels.get(value, value or "")
    if isinstance(value, dt.datetime):
        # Spreadsheets know no time zones: write the local wall-clock time the pages show.
        return timezone.localtime(value).replace(tzinfo=None, microsecond=0)
    if isinstance(value, str):
        return _safe_text(value)
    return "" if value is None else value


def export_rows(rows: QuerySet[Nonconformity]) -> Iterator[list]:
    fields = [column for _, column, _ in COLUMNS]
    labels = [labels for _, _, labels in COLUMNS]
    for values in rows.values_list(*fields).iterator(chunk_size=CHUNK):
        yield [_cell(value, label) for value, label in zip(values, labels)]


class _Echo:
    """csv.writer writes into this and gets the line back, so each line can be yielded as it is made."""

    def write(self, line: str) -> str:
        return line


def csv_lines(rows: QuerySet[Nonconformity]) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield "\ufeff" + writer.writerow(HEADERS)  # the BOM makes Excel read UTF-8
    for row in export_rows(rows):
        yield writer.writerow([value.isoformat(sep=" ") if isinstance(value, dt.datetime) else value
                               for value in row])


def xlsx_file(rows: QuerySet[Nonconformity]):
    """An XLSX workbook in a temporary file (write-only mode spools rows to disk), rewound for streaming."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Register")
    sheet.append(HEADERS)
    for row in export_rows(rows):
        sheet.append(row)
    # Closed by the FileResponse that streams it (a context manager here would close it too soon).
    target = tempfile.TemporaryFile(suffix=".xlsx")  # noqa: SIM115
    workbook.save(target)
    target.seek(0)
    return target


def filename(extension: str) -> str:
    return f"clauseten-register-{timezone.localdate().isoformat()}.{extension}"
