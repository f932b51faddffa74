"""Importing a resident roster (.xlsx or .csv) as educators keep it.

Every bad row is reported with its row number and reason; good rows are imported; a row is
never half-imported; importing the same file twice creates no duplicates (a resident is found
by ID number, else by name + birth date + community). The rules for one resident's fields are
residents.validation.clean_resident, the same as the API's.
"""

import datetime as dt
import io
from collections.abc import Iterator
from functools import lru_cache
from itertools import islice
from operator import itemgetter

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import BooleanField
from django.db.models.expressions import RawSQL
from django.utils import timezone
from django.utils.translation import gettext as _

from healthedu.gcpause import gc_paused
from healthedu.org.reach import Reach
from healthedu.pii import pii_decrypt, pii_hash
from healthedu.tabular import (
    ImportReport,
    RowError,
    TableError,
    cell_text,
    parse_date,
    parse_yes_no,
    read_table,
    record_import,
)
from residents.idnumber import id_number_from_cell
from residents.models import Resident, ResidentStatus
from residents.services import (
    STORED_FIELDS,
    apply_resident_fields,
    id_clash_outside_reach,
    new_residents_values,
    not_registrable_message,
)
from residents.validation import clean_resident, error_messages

ALIASES = {
    "serial": ["序号", "编号", "no"],
    "name": ["姓名", "居民姓名"],
    "sex": ["性别"],
    "birth_date": ["出生日期", "出生年月日", "生日"],
    "id_number": ["身份证号", "身份证号码", "公民身份号码", "证件号码"],
    "phone": ["联系电话", "电话", "手机", "手机号", "手机号码"],
    "address": ["住址", "地址", "家庭住址", "现住址"],
    "building": ["楼栋", "楼号", "栋"],
    "unit": ["单元"],
    "room": ["门牌号", "房号", "室号"],
    "is_migrant": ["是否流动人口", "流动人口"],
    "conditions": ["慢性病", "慢病"],
    "status": ["状态", "人员状态"],
}
TEMPLATE_HEADERS = [
    "序号",
    "姓名",
    "性别",
    "出生日期",
    "身份证号",
    "联系电话",
    "住址",
    "是否流动人口",
    "慢性病",
    "状态",
]
SEX_WORDS = {"男": "M", "m": "M", "male": "M", "女": "F", "f": "F", "female": "F"}
CONDITION_WORDS = {
    "高血压": "hypertension",
    "hypertension": "hypertension",
    "糖尿病": "diabetes",
    "diabetes": "diabetes",
}
STATUS_WORDS = {
    "": ResidentStatus.ACTIVE,
    "在册": ResidentStatus.ACTIVE,
    "正常": ResidentStatus.ACTIVE,
    "active": ResidentStatus.ACTIVE,
    "迁出": ResidentStatus.MOVED_OUT,
    "已迁出": ResidentStatus.MOVED_OUT,
    "moved_out": ResidentStatus.MOVED_OUT,
    "死亡": ResidentStatus.DECEASED,
    "已故": ResidentStatus.DECEASED,
    "deceased": ResidentStatus.DECEASED,
}
FIELD_LABELS = {
    "name": "姓名",
    "sex": "性别",
    "birth_date": "出生日期",
    "id_number": "身份证号",
    "phone": "联系电话",
    "address": "住址",
    "is_migrant": "是否流动人口",
    "conditions": "慢性病",
    "status": "状态",
}
BATCH = 2000


def field_label(name: str) -> str:
    return _(FIELD_LABELS.get(name, name))


def check_upload(upload) -> None:
    """Reject a file that is not a spreadsheet, before any job starts. Only the cheap checks
    (type, size, zip structure, declared dimension): the rows and the header are read by the
    job, in the worker, under its limits."""
    from healthedu.tabular import check_upload as check_file

    check_file(upload)


# The cells of a row that the import reads, in this order (absent columns read as None).
CELLS = (
    "serial",
    "name",
    "sex",
    "birth_date",
    "id_number",
    "phone",
    "address",
    "building",
    "unit",
    "room",
    "is_migrant",
    "conditions",
    "status",
)


def _is_blank(values) -> bool:
    return not any(v.strip() if type(v) is str else cell_text(v) for v in values)


def _rows(table) -> Iterator[tuple[int, tuple]]:
    """The table's rows that are not blank, as (row number, cells in CELLS order)."""
    indices = [table.columns.get(name, -1) for name in CELLS]
    width = max(indices) + 1
    pick = itemgetter(*indices)
    for number, values in table.rows:
        if _is_blank(values):
            continue
        if len(values) < width:  # a short CSV line
            values = values + [None] * (width - len(values))
        values.append(None)  # what a column the sheet does not have (index -1) reads as
        yield number, pick(values)


def parse_row(cells: tuple, *, has_address: bool, today: dt.date) -> dict:
    """Turn one row's cells (in CELLS order) into resident fields; raise RowError naming the field."""
    (_serial, name, sex, birth, raw_id, phone, address, building, unit, room) = cells[:10]
    (is_migrant, conditions, status) = cells[10:]

    data: dict = {"name": cell_text(name)}
    if not data["name"]:
        raise RowError("name", _("The name is missing."))

    try:
        id_info = id_number_from_cell(raw_id)
    except ValidationError as exc:
        raise RowError("id_number", error_messages(exc)[0]) from None
    if id_info:
        data["id_number"] = id_info.number

    sex_text = cell_text(sex).lower()
    if sex_text:
        if sex_text not in SEX_WORDS:
            raise RowError("sex", _("%(text)s is not a sex (男 or 女).") % {"text": sex_text})
        data["sex"] = SEX_WORDS[sex_text]
    elif id_info:
        data["sex"] = id_info.sex
    else:
        raise RowError("sex", _("The sex is missing."))

    try:
        birth = parse_date(birth)
    except ValueError as exc:
        raise RowError("birth_date", str(exc)) from None
    if birth is None:
        if id_info is None:
            raise RowError("birth_date", _("The date of birth is missing."))
        birth = id_info.birth_date
    data["birth_date"] = birth

    data["phone"] = cell_text(phone)
    if has_address:
        data["address"] = cell_text(address)
    else:
        room = cell_text(room)
        data["address"] = cell_text(building) + cell_text(unit) + room
        if room and not data["address"].endswith(("室", "号")):
            data["address"] += "室"

    try:
        data["is_migrant"] = parse_yes_no(is_migrant)
    except ValueError as exc:
        raise RowError("is_migrant", str(exc)) from None

    data["conditions"] = list(_condition_codes(cell_text(conditions)))

    status_text = cell_text(status).lower()
    if status_text not in STATUS_WORDS:
        raise RowError(
            "status", _("%(text)s is not a status (在册, 迁出, 死亡).") % {"text": status_text}
        )
    data["status"] = STATUS_WORDS[status_text]

    try:
        return clean_resident(data, today=today, id_info=id_info)
    except ValidationError as exc:
        name, messages = next(iter(exc.message_dict.items()))
        raise RowError(name, messages[0]) from None


@lru_cache(maxsize=256)  # a roster writes its conditions in a handful of ways
def _condition_codes(text: str) -> tuple[str, ...]:
    codes: list[str] = []
    for word in text.replace("，", "、").replace(",", "、").replace("/", "、").split("、"):
        code = CONDITION_WORDS.get(word.strip().lower())
        if code and code not in codes:
            codes.append(code)
    return tuple(codes)


def import_residents(
    *, fileobj, filename: str, community, user=None, progress=lambda p: None
) -> ImportReport:
    """Import a roster into one community. The writes happen in one transaction, after every row is checked."""
    with gc_paused():
        return _import(fileobj, filename, community=community, user=user, progress=progress)


def _import(fileobj, filename: str, *, community, user, progress) -> ImportReport:
    report = ImportReport()
    table = read_table(fileobj, filename, ALIASES, required=("name",))
    has_address = "address" in table.columns
    today = timezone.localdate()

    # (row number, serial, cleaned fields, ID number hash or None). Each number is hashed here,
    # once (for the lookup and, for a new resident, for storing), while the reader still sends.
    parsed: list[tuple[int, str, dict, str | None]] = []
    seen_ids: dict[str, int] = {}
    seen_keys: dict[tuple, int] = {}
    for number, cells in _rows(table):
        report.total_rows += 1
        serial = cell_text(cells[0])
        try:
            data = parse_row(cells, has_address=has_address, today=today)
            if data.get("id_number"):
                first = seen_ids.setdefault(data["id_number"], number)
                if first != number:
                    raise RowError(
                        "id_number", _("The same ID number as row %(row)d.") % {"row": first}
                    )
            else:
                first = seen_keys.setdefault((data["name"], data["birth_date"]), number)
                if first != number:
                    raise RowError(
                        "name",
                        _("The same name and date of birth as row %(row)d.") % {"row": first},
                    )
        except RowError as exc:
            _row_error(report, number, serial, exc.field, exc.message)
            continue
        id_number = data.get("id_number")
        parsed.append((number, serial, data, pii_hash(id_number) if id_number else None))
        if report.total_rows % 1000 == 0:
            progress(min(40, report.total_rows / 1000))
    progress(40)

    with transaction.atomic():
        _write(parsed, community=community, user=user, report=report, progress=progress)
        return record_import(
            report,
            user=user,
            model=Resident._meta.label,
            object_id=f"community:{community.pk}",
            filename=filename,
        )


def _row_error(report: ImportReport, number: int, serial: str, field: str, reason: str) -> None:
    report.add_error(number, serial, field, field_label(field), reason)


def _write(parsed, *, community, user, report: ImportReport, progress) -> None:
    # Serialise imports into one community, so that two runs of one file cannot both insert.
    type(community).objects.select_for_update().filter(pk=community.pk).first()

    by_hash = _residents_by_hash([h for *_row, h in parsed if h])
    by_key = {}
    # Residents holding an ID number, by name and birth month: a row without a number finds them
    # whichever day it gives, so that what the import answers never depends on the day of birth
    # held, which the caller is not shown (residents.presenting).
    holders: dict[tuple, list[Resident]] = {}
    for resident in Resident.objects.filter(community=community).order_by():
        by_key.setdefault((resident.name, resident.birth_date), resident)
        if resident.id_number_hash:
            born = resident.birth_date
            holders.setdefault((resident.name, born.year, born.month), []).append(resident)
    progress(50)

    to_update, update_fields = [], set()
    matched = set()
    # Worked out now: no query may run inside the COPY that consumes new_rows().
    # No user: the system itself, which reaches everywhere.
    reach = Reach.everything() if user is None else Reach.of(user)
    beyond_reach: list[Resident] = []

    def new_rows():
        """Match each row to a known resident. Report the rows that cannot be imported, update
        the known residents in memory, and yield the new ones: _insert stores them as they come,
        so that the database takes in rows while the next ones are matched and sealed."""
        for number, serial, data, id_hash in parsed:
            resident = by_hash.get(id_hash) if id_hash else None
            if resident is None:
                resident = _match_by_name(data, id_hash, by_key, holders)
            if resident is None:
                yield data, id_hash
            elif resident.community_id != community.pk:
                if reach.contains(resident.community_id):
                    reason = _(
                        "This ID number is registered in another community; move the resident there first."
                    )
                else:
                    reason = not_registrable_message()
                    beyond_reach.append(resident)
                _row_error(report, number, serial, "id_number", reason)
            elif resident.pk in matched:
                _row_error(
                    report,
                    number,
                    serial,
                    "name",
                    _("This row matches the same resident as an earlier row."),
                )
            else:
                matched.add(resident.pk)
                data["community"] = community
                if resident.id_number_hash and not id_hash:
                    # The birth date and sex of a resident with an ID number are the number's.
                    data.pop("birth_date", None)
                    data.pop("sex", None)
                changed = apply_resident_fields(resident, _without_unchanged_pii(resident, data))
                if changed:
                    to_update.append(resident)
                    update_fields.update(_model_fields(changed))
                else:
                    report.unchanged += 1

    report.created += _insert(new_rows(), community=community)
    # After the COPY (no other query may run while it is open): each attempt to register a number
    # held beyond the user's reach is written to the audit log for an administrator.
    for clash in beyond_reach:
        id_clash_outside_reach(user=user, clash=clash, attempt="import")
    progress(90)
    if to_update:
        Resident.objects.bulk_update(
            to_update, sorted(update_fields | {"updated_at"}), batch_size=BATCH
        )
    report.updated += len(to_update)


def _match_by_name(data: dict, id_hash, by_key: dict, holders: dict) -> Resident | None:
    """The known resident that a row matches by name and birth date (the row's number, if any,
    being new): one without an ID number by the exact date; for a row without a number, the one
    holder of an ID number of that name born in that month, whatever the day."""
    exact = by_key.get((data["name"], data["birth_date"]))
    if exact is not None and not exact.id_number_hash:
        return exact
    if id_hash:
        return None
    born = data["birth_date"]
    same_month = holders.get((data["name"], born.year, born.month), ())
    if len(same_month) == 1:
        return same_month[0]
    return exact


def _residents_by_hash(hashes: list[str]) -> dict[str, Resident]:
    if not hashes:
        return {}
    if connection.vendor == "postgresql":
        # One query, the hashes in one text parameter (hex, so a comma never occurs inside one):
        # not batches of 2,000-parameter IN lists, nor an array quoted element by element.
        # Unordered: the default order (by pinyin) makes PostgreSQL plan the 100,000-element
        # array for an ordered index scan, four times slower than the plain lookup.
        found = Resident.objects.order_by().filter(
            RawSQL(
                "id_number_hash = ANY(string_to_array(%s, ','))",
                (",".join(hashes),),
                output_field=BooleanField(),
            )
        )
        return {r.id_number_hash: r for r in found}
    by_hash = {}
    for start in range(0, len(hashes), BATCH):
        chunk = hashes[start : start + BATCH]
        by_hash.update(
            {
                r.id_number_hash: r
                for r in Resident.objects.order_by().filter(id_number_hash__in=chunk)
            }
        )
    return by_hash


def _insert(rows: Iterator[tuple[dict, str | None]], *, community) -> int:
    """Store new residents from cleaned rows (and the hashes of their ID numbers); return how
    many. bulk_create, or on PostgreSQL one binary COPY of plain tuples (no model instances),
    written as the rows come, a batch at a time. No other query may run while the COPY is open.

    The rows were checked by clean_resident; the table's constraints check them again.
    """
    if connection.vendor != "postgresql":
        created = Resident.objects.bulk_create(
            [
                Resident(community=community, **dict(zip(STORED_FIELDS, values, strict=True)))
                for values in new_residents_values(list(rows))
            ],
            batch_size=BATCH,
        )
        return len(created)
    from psycopg import sql

    now = timezone.now()
    table = sql.Identifier(Resident._meta.db_table)
    columns = sql.SQL(", ").join(
        sql.Identifier(Resident._meta.get_field(name).column)
        for name in (*STORED_FIELDS, "community_id", "created_at", "updated_at")
    )
    rows, count = iter(rows), 0
    with connection.cursor() as cursor:
        # A binary COPY needs each column's exact type: asked of the table itself.
        cursor.execute(sql.SQL("SELECT {} FROM {} LIMIT 0").format(columns, table))
        types = [column.type_code for column in cursor.description]
        statement = sql.SQL("COPY {} ({}) FROM STDIN (FORMAT BINARY)").format(table, columns)
        with cursor.copy(statement) as copy:
            copy.set_types(types)
            while batch := list(islice(rows, BATCH)):
                for values in new_residents_values(batch):
                    copy.write_row((*values, community.pk, now, now))
                count += len(batch)
    return count


def _without_unchanged_pii(resident: Resident, data: dict) -> dict:
    """Skip decrypting when the phone is unchanged: compare masked forms first (cheap)."""
    data = dict(data)
    if resident.pk and "phone" in data and resident.phone_enc:
        current = pii_decrypt(resident.phone_enc)
        if current == data["phone"]:
            data.pop("phone")
    return data


def _model_fields(changed: list[str]) -> set[str]:
    mapping = {
        "name": {"name", "name_pinyin"},
        "id_number": {"id_number_hash", "id_number_enc", "id_number_masked", "id_last4"},
        "phone": {"phone_enc", "phone_masked", "phone_last4"},
    }
    fields = set()
    for name in changed:
        fields |= mapping.get(name, {name})
    return fields


def template_workbook() -> bytes:
    import openpyxl
    from openpyxl.styles import Font

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "居民花名册"
    sheet.append(TEMPLATE_HEADERS)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for column, width in zip("ABCDEFGHIJ", [6, 10, 6, 12, 22, 16, 28, 12, 16, 8], strict=True):
        sheet.column_dimensions[column].width = width
        # Text format, so that Excel keeps all 18 digits of an ID number.
        for row in range(2, 1002):
            sheet[f"{column}{row}"].number_format = "@"
    notes = workbook.create_sheet("填写说明")
    for line in [
        "性别：男 / 女；出生日期：1950-03-02、1950/3/2、19500302 或 1950年03月02日",
        "身份证号：18位，请将该列设置为文本格式，以免丢失数字",
        "是否流动人口：是 / 否（留空视为否）；慢性病：高血压、糖尿病（可留空）",
        "状态：在册 / 迁出 / 死亡（留空视为在册）",
    ]:
        notes.append([line])
    notes.column_dimensions["A"].width = 80
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


__all__ = ["ImportReport", "TableError", "check_upload", "import_residents", "template_workbook"]
