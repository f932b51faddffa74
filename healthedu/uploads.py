"""Uploaded spreadsheets, before anything reads them, and the one place that reads them.

A workbook is a zip of XML: a few KB can declare (or place a cell at) XFD1048576, and a reader
that builds the sheet as a grid then asks for 512 GiB and aborts the process. So:

- the request makes only cheap checks (`inspect_upload(..., full=False)`): type, size, that an
  .xlsx is a zip holding a workbook that does not unpack past the limit, and the sheet's
  declared <dimension>;
- the worker reads the rows in a child process (`read_rows`), where calamine builds the sheet
  under an address-space limit; meanwhile the worker itself streams the sheet's XML to count its
  rows and find its last column (`scan_workbook`), and refuses a sheet past the limits before it
  takes a single row (its answer wins over a child that died of the same sheet). A file that
  needs more memory kills the child, never the worker.

The child imports nothing of Django (it starts in a fraction of a second): problems travel as
codes with parameters (`UploadProblem`) and the parent words them in the user's language.
"""

import contextlib
import csv
import dataclasses
import io
import itertools
import json
import os
import pickle
import re
import signal
import struct
import subprocess
import sys
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import PurePath
from xml.etree import ElementTree

CHUNK = 1024 * 1024
HEAD_BYTES = 64 * 1024  # the <dimension> element sits before <sheetData>, in the first bytes
ROWS_PER_MESSAGE = 2000
SMALL_PART_BYTES = 1024 * 1024  # workbook.xml and its rels are read whole only below this


class UploadProblem(Exception):
    """Why an upload cannot be imported, as a code and its parameters (worded by `message`)."""

    def __init__(self, code: str, **params):
        super().__init__(code, params)
        self.code = code
        self.params = params


@dataclass(frozen=True)
class Limits:
    max_bytes: int
    max_unpacked_bytes: int
    max_rows: int
    max_columns: int
    memory_bytes: int

    @classmethod
    def from_settings(cls) -> "Limits":
        from django.conf import settings

        return cls(
            max_bytes=settings.UPLOAD_MAX_BYTES,
            max_unpacked_bytes=settings.UPLOAD_MAX_UNPACKED_BYTES,
            max_rows=settings.UPLOAD_MAX_ROWS,
            max_columns=settings.UPLOAD_MAX_COLUMNS,
            memory_bytes=settings.UPLOAD_PARSE_MEMORY_MB * 1024 * 1024,
        )


# ---------------------------------------------------------------- the cheap checks (request)


def inspect_upload(upload, limits: Limits, *, allowed=(".xlsx", ".csv")) -> str:
    """Type, size and (for .xlsx) zip structure and declared dimension. Returns the extension.

    Reads at most the zip's directory and the first 64 KB of the first sheet.
    """
    name = getattr(upload, "name", "") or ""
    ext = PurePath(name).suffix.lower()
    if ext == ".xls":
        raise UploadProblem("old_xls")
    if ext not in allowed:
        raise UploadProblem("extension", ext=ext)
    size = getattr(upload, "size", None)
    if size is not None and size > limits.max_bytes:
        raise UploadProblem("too_big", size=size, max=limits.max_bytes)
    if size == 0:
        raise UploadProblem("empty")
    upload.seek(0)
    try:
        if ext == ".xlsx":
            with _open_workbook(upload, limits) as archive:
                head = _sheet_head(archive)
                _check_dimension(head, limits)
        else:
            head = upload.read(4096)
            if b"\x00" in head:
                raise UploadProblem("csv_binary")
    finally:
        upload.seek(0)
    return ext


def _open_workbook(fileobj, limits: Limits) -> zipfile.ZipFile:
    try:
        archive = zipfile.ZipFile(fileobj)
        infos = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError):
        raise UploadProblem("not_xlsx") from None
    names = {info.filename for info in infos}
    if "xl/workbook.xml" not in names:
        archive.close()
        raise UploadProblem("not_xlsx")
    if sum(info.file_size for info in infos) > limits.max_unpacked_bytes:
        archive.close()
        raise UploadProblem("unpacks_too_big", max=limits.max_unpacked_bytes)
    return archive


def _sheet_head(archive: zipfile.ZipFile) -> bytes:
    try:
        with archive.open(_first_sheet(archive)) as part:
            return part.read(HEAD_BYTES)
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError, RuntimeError):
        # A damaged part (bad checksum, broken deflate data), or one encrypted or compressed
        # in a way zip readers do not know.
        raise UploadProblem("unreadable") from None


def _first_sheet(archive: zipfile.ZipFile, sheet_name: str | None = None) -> str:
    """The part of the workbook's first sheet (the one imports read), or of the sheet named
    `sheet_name`, by workbook.xml and its rels."""
    names = set(archive.namelist())
    try:
        workbook = _small_xml(archive, "xl/workbook.xml")
        rels = _small_xml(archive, "xl/_rels/workbook.xml.rels")
        sheets = [el for el in workbook.iter() if _local(el.tag) == "sheet"]
        if sheet_name is not None:
            sheets = [el for el in sheets if el.get("name") == sheet_name]
            if not sheets:
                raise UploadProblem("no_sheet", name=sheet_name)
        sheet = sheets[0]
        rel_id = next(v for k, v in sheet.attrib.items() if _local(k) == "id")
        target = next(
            el.get("Target")
            for el in rels.iter()
            if _local(el.tag) == "Relationship" and el.get("Id") == rel_id
        )
        path = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
        path = os.path.normpath(path).replace(os.sep, "/")
        if path in names:
            return path
    except UploadProblem as problem:
        if problem.code == "no_sheet":
            raise
    except (StopIteration, IndexError, ElementTree.ParseError, KeyError, AttributeError):
        pass
    if sheet_name is not None:
        raise UploadProblem("no_sheet", name=sheet_name)
    sheets = sorted(n for n in names if n.startswith("xl/worksheets/") and n.endswith(".xml"))
    if not sheets:
        raise UploadProblem("not_xlsx")
    return sheets[0]


def _small_xml(archive: zipfile.ZipFile, name: str) -> ElementTree.Element:
    if archive.getinfo(name).file_size > SMALL_PART_BYTES:
        raise UploadProblem("not_xlsx")
    return ElementTree.fromstring(archive.read(name))


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1].rsplit(":", 1)[-1]


_DIMENSION = re.compile(rb'<(?:[\w.-]+:)?dimension\b[^>]*?\bref\s*=\s*["\']([^"\']*)["\']')
_REF = re.compile(r"^\$?([A-Za-z]{1,3})\$?(\d{1,7})$")


def _check_dimension(head: bytes, limits: Limits) -> None:
    match = _DIMENSION.search(head)
    if not match:
        return
    corners = [_REF.match(part) for part in match.group(1).decode("ascii", "replace").split(":")]
    if not all(corners):
        return  # a malformed ref is for the reader to refuse
    rows = [int(c.group(2)) for c in corners]
    columns = [column_number(c.group(1)) for c in corners]
    _check_extent(max(rows) - min(rows) + 1, max(columns) - min(columns) + 1, limits)


def column_number(letters: str) -> int:
    number = 0
    for letter in letters.upper():
        number = number * 26 + ord(letter) - 64
    return number


def _check_extent(rows: int, columns: int, limits: Limits) -> None:
    if rows > limits.max_rows:
        raise UploadProblem("too_many_rows", rows=rows, max=limits.max_rows)
    if columns > limits.max_columns:
        raise UploadProblem("too_many_columns", columns=columns, max=limits.max_columns)


# ---------------------------------------------------------------- the full scan (child)

ROW_TAGS = (b"<row ", b"<row>", b":row ", b":row>")  # <row> and a prefixed <x:row>
CARRY_MAX = 64 * 1024


def scan_sheet(part, limits: Limits) -> None:
    """Stream a sheet's XML: its declared dimension, its rows, and the last row and column its
    cells name — what a reader that builds the sheet as a grid would allocate.

    Fast on a 100,000-row sheet (a literal-prefixed regex; only row numbers and column letters
    long enough to pass a limit are collected). The reader itself runs under the memory limit,
    for whatever a hostile file hides from this scan (cells without references, say).
    """
    digits = len(str(limits.max_rows))
    letters = len(column_letters(limits.max_columns))
    long_row = re.compile(rb' r="[A-Za-z]{0,3}(\d{%d,})"' % digits)
    long_column = re.compile(rb' r="([A-Za-z]{%d,})\d' % letters)
    head = part.read(HEAD_BYTES)
    _check_dimension(head, limits)
    carry, data, rows, last_row, last_column = b"", head, 0, 0, 0
    while data:
        data = carry + data
        cut = data.rfind(b"<")
        if cut < 0 or len(data) - cut > CARRY_MAX:
            cut = len(data)
        data, carry = data[:cut], data[cut:]
        rows += sum(data.count(tag) for tag in ROW_TAGS)
        numbers = set(long_row.findall(data))
        last_row = max(rows, last_row, *(int(n) for n in numbers))
        for name in set(long_column.findall(data)):
            last_column = max(last_column, column_number(name.decode("ascii")))
        _check_extent(last_row, last_column, limits)
        data = part.read(CHUNK)
    if rows == 0:
        raise UploadProblem("empty_sheet")


def column_letters(number: int) -> str:
    letters = ""
    while number > 0:
        number, rest = divmod(number - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _xlsx_rows(
    raw: bytes, limits: Limits, sheet_name: str | None = None
) -> Iterator[tuple[int, list]]:
    from python_calamine import CalamineWorkbook

    try:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(raw))
        sheet = (
            workbook.get_sheet_by_index(0)
            if sheet_name is None
            else workbook.get_sheet_by_name(sheet_name)
        )
        first_row = (sheet.start or (0, 0))[0] + 1
        rows = sheet.iter_rows()
    except MemoryError:
        raise
    except Exception:  # calamine raises its own types for zip and XML faults
        raise UploadProblem("unreadable") from None
    yield from enumerate(rows, start=first_row)


def scan_workbook(raw: bytes, limits: Limits, sheet_name: str | None = None) -> None:
    """The full scan of a workbook's sheet (scan_sheet), streamed: raises UploadProblem for a
    sheet past the limits or a zip that cannot be read."""
    try:
        with (
            _open_workbook(io.BytesIO(raw), limits) as archive,
            archive.open(_first_sheet(archive, sheet_name)) as part,
        ):
            scan_sheet(_Counted(part, limits), limits)
    except UploadProblem:
        raise
    except Exception:  # a damaged zip or XML (a bad CRC, a truncated part): unreadable
        raise UploadProblem("unreadable") from None


class _Counted:
    """A sheet part read in chunks, refused when it unpacks past the limit (whatever its header says)."""

    def __init__(self, part, limits: Limits):
        self.part, self.limits, self.total = part, limits, 0

    def read(self, size: int) -> bytes:
        data = self.part.read(size)
        self.total += len(data)
        if self.total > self.limits.max_unpacked_bytes:
            raise UploadProblem("unpacks_too_big", max=self.limits.max_unpacked_bytes)
        return data


def decode_csv(raw: bytes) -> str:
    """UTF-8 (with or without BOM), else GB18030 — a superset of the GBK that Chinese Excel writes."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise UploadProblem("csv_encoding")


def _csv_rows(raw: bytes, limits: Limits) -> Iterator[tuple[int, list]]:
    if b"\x00" in raw[:4096]:
        raise UploadProblem("csv_binary")
    text = decode_csv(raw)
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text, newline=""), dialect)
    try:
        for number, row in enumerate(reader, start=1):
            _check_extent(number, len(row), limits)
            yield number, row
    except csv.Error as exc:
        raise UploadProblem("csv_malformed", error=str(exc)) from None


def child_main() -> int:
    """`python -I healthedu/uploads.py EXT LIMITS [SHEET]`: the file on stdin, rows on stdout as
    messages."""
    ext, limits = sys.argv[1], Limits(**json.loads(sys.argv[2]))
    sheet_name = sys.argv[3] if len(sys.argv) > 3 else None
    import resource

    resource.setrlimit(resource.RLIMIT_AS, (limits.memory_bytes, limits.memory_bytes))
    out = sys.stdout.buffer
    try:
        raw = sys.stdin.buffer.read(limits.max_bytes + 1)
        if len(raw) > limits.max_bytes:
            raise UploadProblem("too_big", size=len(raw), max=limits.max_bytes)
        # Rows are sent as they are read, so that the import checks them while the rest are
        # read; a problem found later (a malformed CSV line, the memory limit) still ends the
        # import with nothing written, since every import writes only after the last row, or
        # inside one transaction that the problem rolls back.
        rows = _xlsx_rows(raw, limits, sheet_name) if ext == ".xlsx" else _csv_rows(raw, limits)
        while batch := list(itertools.islice(rows, ROWS_PER_MESSAGE)):
            _send(out, ("rows", batch))
        _send(out, ("end", None))
    except UploadProblem as problem:
        _send(out, ("problem", (problem.code, problem.params)))
    except MemoryError:
        _send(out, ("problem", ("memory", {})))
    except Exception:  # a damaged zip or XML (a bad CRC, a truncated part): unreadable, said so
        _send(out, ("problem", ("unreadable", {})))
    out.flush()
    return 0


def _send(out, message) -> None:
    data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    out.write(struct.pack(">Q", len(data)))
    out.write(data)


# ---------------------------------------------------------------- the parent side (worker)


class _CellUnpickler(pickle.Unpickler):
    """Only what a cell can hold: plain values and the datetime types."""

    ALLOWED = {("datetime", name) for name in ("date", "datetime", "time", "timedelta")}

    def find_class(self, module, name):
        if (module, name) in self.ALLOWED:
            return super().find_class(module, name)
        raise pickle.UnpicklingError(f"{module}.{name} is not a cell value")


def read_rows(
    fileobj, ext: str, limits: Limits, sheet_name: str | None = None
) -> Iterator[tuple[int, list]]:
    """The rows of an upload as (row number, cells) — a workbook's first sheet, or the one named
    — read in a child process under the memory limit. Raises UploadProblem for a file past the
    limits or one that cannot be read."""
    raw = fileobj.read(limits.max_bytes + 1)
    args = [sys.executable, "-I", __file__, ext, json.dumps(dataclasses.asdict(limits))]
    if sheet_name is not None:
        args.append(sheet_name)
    child = subprocess.Popen(
        # -I: the child imports no project code (nor Django), only this file and calamine.
        args,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "RUST_BACKTRACE": "0"},
    )
    try:
        with contextlib.suppress(BrokenPipeError):  # the child stopped reading: its answer says why
            child.stdin.write(raw)
        child.stdin.close()
        if ext == ".xlsx" and len(raw) <= limits.max_bytes:  # (past it, the child says so)
            # Here, while the child reads: the scan takes a third of the time of the read.
            scan_workbook(raw, limits, sheet_name)
        del raw
        while True:
            kind, payload = _receive(child.stdout)
            if kind == "rows":
                yield from payload
            elif kind == "end":
                return
            elif kind == "problem":
                code, params = payload
                raise UploadProblem(code, **params)
    except EOFError:
        # The child died: the reader asked for more memory than an import may use.
        child.wait()
        raise UploadProblem("memory") from None
    finally:
        if child.poll() is None:
            child.kill()
        child.wait()
        child.stdout.close()


def _receive(stream):
    header = stream.read(8)
    if len(header) < 8:
        raise EOFError
    (size,) = struct.unpack(">Q", header)
    data = stream.read(size)
    if len(data) < size:
        raise EOFError
    return _CellUnpickler(io.BytesIO(data)).load()


def problem_message(problem: UploadProblem) -> str:
    """The problem in the user's language."""
    from django.utils.translation import gettext as _

    p = problem.params
    mb = 1024 * 1024
    messages = {
        "old_xls": lambda: _(
            "This is an old .xls file. Please save it as .xlsx (Excel workbook) or .csv and try again."
        ),
        "extension": lambda: (
            _("Only .xlsx and .csv files can be imported, not %(ext)s.")
            % {"ext": p.get("ext") or _("(no extension)")}
        ),
        "too_big": lambda: (
            _("The file is %(size)d MB; at most %(max)d MB can be imported.")
            % {"size": p["size"] // mb, "max": p["max"] // mb}
        ),
        "empty": lambda: _("The file is empty."),
        "empty_sheet": lambda: _("The workbook's first sheet is empty."),
        "no_sheet": lambda: _("The workbook has no sheet named %(name)s.") % {"name": p["name"]},
        "not_xlsx": lambda: _(
            "This file is not an Excel workbook (.xlsx), although its name says so."
        ),
        "unpacks_too_big": lambda: (
            _("The workbook unpacks to more than %(max)d MB; it cannot be imported.")
            % {"max": p["max"] // mb}
        ),
        "too_many_rows": lambda: (
            _(
                "The sheet spans %(rows)d rows; at most %(max)d rows can be imported at once. Delete the empty rows at its end or split the file."
            )
            % p
        ),
        "too_many_columns": lambda: (
            _(
                "The sheet spans %(columns)d columns; at most %(max)d columns can be imported. Delete the columns past the table."
            )
            % p
        ),
        "unreadable": lambda: _(
            "The workbook cannot be opened; it may be damaged or password-protected."
        ),
        "memory": lambda: _(
            "The file needs more memory to read than an import may use; it may be damaged or far larger than its table."
        ),
        "csv_binary": lambda: _("This file is not a CSV text file."),
        "csv_encoding": lambda: _("The CSV file's text encoding is neither UTF-8 nor GBK."),
        "csv_malformed": lambda: (
            _("The CSV file is malformed: %(error)s") % {"error": p.get("error", "")}
        ),
    }
    return messages.get(problem.code, messages["unreadable"])()


if __name__ == "__main__":
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    sys.exit(child_main())
