"""Reading the spreadsheets educators keep (.xlsx, or .csv as Excel writes it, often in GBK).

Shared by every import: find the header row under any title rows, map the headers a person
writes (Chinese or the API's field names) to fields, and yield rows with their row numbers as
the spreadsheet shows them. Bad files raise TableError with a message for the user.
"""

import csv
import datetime as dt
import io
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import PurePath

from django.conf import settings
from django.utils.translation import gettext as _

XLSX_MAX_UNCOMPRESSED = 200 * 1024 * 1024  # guards against zip bombs
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
    """Size, extension and (for .xlsx) a sane zip. Returns the extension."""
    name = getattr(upload, "name", "") or ""
    ext = PurePath(name).suffix.lower()
    if ext == ".xls":
        raise TableError(
            _(
                "This is an old .xls file. Please save it as .xlsx (Excel workbook) or .csv and try again."
            )
        )
    if ext not in allowed:
        raise TableError(
            _("Only .xlsx and .csv files can be imported, not %(ext)s.")
            % {"ext": ext or _("(no extension)")}
        )
    size = getattr(upload, "size", None)
    if size is not None and size > settings.UPLOAD_MAX_BYTES:
        raise TableError(
            _("The file is %(size)d MB; at most %(max)d MB can be imported.")
            % {"size": size // (1024 * 1024), "max": settings.UPLOAD_MAX_BYTES // (1024 * 1024)}
        )
    if size == 0:
        raise TableError(_("The file is empty."))
    if ext == ".xlsx":
        upload.seek(0)
        try:
            with zipfile.ZipFile(upload) as archive:
                names = set(archive.namelist())
                total = sum(info.file_size for info in archive.infolist())
        except (zipfile.BadZipFile, OSError, ValueError):
            raise TableError(
                _("This file is not an Excel workbook (.xlsx), although its name says so.")
            ) from None
        finally:
            upload.seek(0)
        if "xl/workbook.xml" not in names:
            raise TableError(
                _("This file is not an Excel workbook (.xlsx), although its name says so.")
            )
        if total > XLSX_MAX_UNCOMPRESSED:
            raise TableError(_("The workbook unpacks to more than 200 MB; it cannot be imported."))
    return ext


def _xlsx_rows(fileobj, sheet_name: str | None = None) -> Iterator[tuple[int, list]]:
    # calamine (Rust) reads a workbook about ten times faster than openpyxl; dates come back as
    # dates, an 18-digit ID typed as a number comes back as a float (and is reported as such).
    from python_calamine import CalamineError, CalamineWorkbook

    try:
        workbook = CalamineWorkbook.from_filelike(fileobj)
        if sheet_name is not None and sheet_name not in workbook.sheet_names:
            raise TableError(_("The workbook has no sheet named %(name)s.") % {"name": sheet_name})
        sheet = (
            workbook.get_sheet_by_index(0)
            if sheet_name is None
            else workbook.get_sheet_by_name(sheet_name)
        )
        first_row = (sheet.start or (0, 0))[0] + 1
        rows = sheet.iter_rows()
    except (CalamineError, ValueError, OSError, IndexError):
        raise TableError(
            _("The workbook cannot be opened; it may be damaged or password-protected.")
        ) from None
    except Exception as exc:  # calamine raises its own types for zip and XML faults
        if type(exc).__module__.startswith("python_calamine"):
            raise TableError(
                _("The workbook cannot be opened; it may be damaged or password-protected.")
            ) from None
        raise
    yield from enumerate(rows, start=first_row)


def decode_csv(raw: bytes) -> str:
    """UTF-8 (with or without BOM), else GB18030 — a superset of the GBK that Chinese Excel writes."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise TableError(_("The CSV file's text encoding is neither UTF-8 nor GBK."))


def _csv_rows(fileobj) -> Iterator[tuple[int, list]]:
    raw = fileobj.read()
    if b"\x00" in raw[:4096]:
        raise TableError(_("This file is not a CSV text file."))
    text = decode_csv(raw)
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text, newline=""), dialect)
    try:
        yield from enumerate(reader, start=1)
    except csv.Error as exc:
        raise TableError(_("The CSV file is malformed: %(error)s") % {"error": exc}) from None


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
    rows = _xlsx_rows(fileobj, sheet) if ext == ".xlsx" else _csv_rows(fileobj)
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
