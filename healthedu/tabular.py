"""Reading the spreadsheets educators keep (.xlsx, or .csv as Excel writes it, often in GBK).

Shared by every import: find the header row under any title rows, map the headers a person
writes (Chinese or the API's field names) to fields, and yield rows with their row numbers as
the spreadsheet shows them. Bad files raise TableError with a message for the user.
"""

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import PurePath

from django.utils.translation import gettext as _

from healthedu.uploads import Limits, UploadProblem, inspect_upload, problem_message, read_rows

HEADER_SCAN_ROWS = 10


class TableError(Exception):
    """The file as a whole cannot be read; nothing is imported."""


class RowError(Exception):
    """One row cannot be imported: the field it is about and why, for the row-by-row report."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field
        self.message = message


@dataclass
class ImportReport:
    """What an import did, as every import reports it: counts and one entry per bad row."""

    total_rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[dict] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {
            "total_rows": self.total_rows,
            "imported": self.created + self.updated + self.unchanged,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "error_count": len(self.errors),
            "errors": self.errors,
        }

    def add_error(self, row: int, serial: str, field: str, column: str, reason: str) -> None:
        """One bad row: its number as the spreadsheet shows it, the serial written in it, the
        field with its column's heading, and why."""
        self.errors.append(
            {"row": row, "serial": serial, "field": field, "column": column, "reason": reason}
        )


def record_import(report: ImportReport, *, user, model: str, object_id: str, filename: str):
    """The end of every import, inside the transaction that wrote it: the audit entry (the file's
    name and the counts, never a value) and the report, its bad rows in row order."""
    from healthedu.audit.services import Action, audit_record

    audit_record(
        user=user,
        action=Action.IMPORT,
        model=model,
        object_id=object_id,
        repr_=filename[:200],
        note=(
            f"created {report.created}, updated {report.updated}, "
            f"unchanged {report.unchanged}, errors {len(report.errors)}"
        ),
    )
    report.errors.sort(key=lambda e: e["row"])
    return report


@dataclass
class Table:
    columns: dict[str, int]  # field -> column index
    header_row: int
    rows: Iterator[tuple[int, list]] = field(repr=False)
    headers: list[str] = field(default_factory=list)


def _norm_header(value) -> str:
    text = str(value or "").strip().lower()
    return re.sub(r"[\s_\-（）()*：:]", "", text)


def check_upload(upload, *, allowed=(".xlsx", ".csv")) -> str:
    """The cheap checks a request may make (type, size, zip structure, declared dimension);
    nothing is parsed here. Returns the extension."""
    try:
        return inspect_upload(upload, Limits.from_settings(), allowed=allowed)
    except UploadProblem as problem:
        raise TableError(problem_message(problem)) from None


def _rows(fileobj, ext: str, sheet: str | None = None) -> Iterator[tuple[int, list]]:
    # Read in a child process under a memory limit (healthedu/uploads.py); calamine (Rust)
    # reads a workbook about ten times faster than openpyxl; dates come back as dates, an
    # 18-digit ID typed as a number comes back as a float (and is reported as such).
    try:
        yield from read_rows(fileobj, ext, Limits.from_settings(), sheet)
    except UploadProblem as problem:
        raise TableError(problem_message(problem)) from None


def read_table(
    fileobj,
    name: str,
    aliases: dict[str, list[str]],
    *,
    required: tuple[str, ...] = (),
    sheet: str | None = None,
) -> Table:
    """Open a table, find its header row among the first rows, map columns to fields.
    A workbook's first sheet, or the one named `sheet`."""
    ext = PurePath(name).suffix.lower()
    if ext not in (".xlsx", ".csv"):
        raise TableError(
            _("Only .xlsx and .csv files can be imported, not %(ext)s.") % {"ext": ext}
        )
    rows = _rows(fileobj, ext, sheet)
    lookup = {
        _norm_header(alias): field for field, names in aliases.items() for alias in [field, *names]
    }

    scanned = []
    for number, row in rows:
        scanned.append((number, row))
        columns = {}
        for index, cell in enumerate(row):
            key = lookup.get(_norm_header(cell))
            if key and key not in columns:
                columns[key] = index
        if len(columns) >= 2 and all(r in columns for r in required):
            headers = [str(c or "").strip() for c in row]
            return Table(columns=columns, header_row=number, rows=rows, headers=headers)
        if len(scanned) >= HEADER_SCAN_ROWS:
            break
    expected = "、".join(aliases[r][0] if aliases.get(r) else r for r in required) or "—"
    raise TableError(
        _(
            "No header row was found in the first %(n)d rows. The header must name the columns, e.g. %(expected)s."
        )
        % {"n": HEADER_SCAN_ROWS, "expected": expected}
    )


def cell_text(value) -> str:
    if type(value) is str:  # most cells; checked first, as imports call this for every cell
        return value.strip()
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


_MIDNIGHT = re.compile(r"\s+00:00(:00)?$")
# 1950-03-02 (or / or .), 1950年3月2日, 19500302: one pattern, the forms tried in this order.
_DATE = re.compile(
    r"^(?:(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})|(\d{4})年(\d{1,2})月(\d{1,2})日?|(\d{4})(\d{2})(\d{2}))$"
)


def parse_date(value) -> dt.date | None:
    """A date as people type it: a real date cell, 1950/3/2, 1950-03-02, 19500302, 1950年03月02日.

    Returns None for blank; raises ValueError with a message for the user otherwise.
    """
    if type(value) is dt.date:  # a date cell, the common case
        return value
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        value = cell_text(value)
    text = str(value).strip()
    if not text:
        return None
    if "00:00" in text:
        text = _MIDNIGHT.sub("", text)
    match = _DATE.match(text)
    if match:
        year, month, day = (int(g) for g in match.groups() if g is not None)
        try:
            return dt.date(year, month, day)
        except ValueError:
            raise ValueError(_("The date %(text)s does not exist.") % {"text": text}) from None
    raise ValueError(_("%(text)s is not a date (write it as 1950-03-02).") % {"text": text})


YES = {"是", "y", "yes", "true", "1", "√", "✓"}
NO = {"否", "n", "no", "false", "0", ""}


def parse_yes_no(value) -> bool:
    text = cell_text(value).lower()
    if text in YES:
        return True
    if text in NO:
        return False
    raise ValueError(_("%(text)s is neither 是 nor 否.") % {"text": text})


# ---------------------------------------------------------------- writing workbooks

# What a spreadsheet reads as the start of a formula (CSV/formula injection, OWASP).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value):
    """The one escaping rule for every workbook the product writes: numbers stay numbers, None
    is blank, and text that a spreadsheet would read as a formula (=, +, -, @, tab or CR first)
    is prefixed with a single quote, so that it shows as text, never runs — also after a
    re-save or an export to CSV. Write cells with write_cell or append_row, which apply it."""
    if value is None:
        return ""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value) if isinstance(value, float) else int(value)
    text = str(value)
    if text.startswith(FORMULA_START):
        return "'" + text
    return text


def write_cell(sheet, row: int, column: int, value):
    """Put a value into an openpyxl cell through safe_cell, pinned to a string cell when text."""
    from openpyxl.cell.cell import TYPE_STRING

    cell = sheet.cell(row=row, column=column)
    value = safe_cell(value)
    cell.value = value
    if isinstance(value, str):
        # openpyxl treats any string starting with "=" as a formula; pin the type to string.
        cell.data_type = TYPE_STRING
    return cell


def append_row(sheet, values) -> None:
    """sheet.append() through safe_cell (escaped text never starts with "=", so openpyxl keeps
    it a string)."""
    sheet.append([safe_cell(v) for v in values])


def unescape_cell(text: str) -> str:
    """The inverse of safe_cell for text read back from a file we wrote."""
    if text.startswith("'") and text[1:].startswith(FORMULA_START):
        return text[1:]
    return text
