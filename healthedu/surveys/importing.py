"""Importing paper questionnaires typed into a spreadsheet, one row per questionnaire.

Columns (API.md): answered_on, round, id_number (blank = anonymous), sex, age, is_migrant, then
Q1, Q2, ... in the survey's item order, each cell the chosen letters as printed (A, AC; blank =
unanswered). Chinese headers are accepted too (填写日期/调查日期, 轮次, 身份证号, 性别, 年龄,
是否流动人口, 第1题). Identified rows are matched to residents in the importer's reach by the keyed
hash of the ID number (healthedu.pii) and take sex, age and migrant flag from the register.

Every bad row is reported with its row number and reason; good rows are imported in one
transaction after all rows are checked. Re-importing a file updates, never duplicates: an
identified row is the questionnaire of that resident in that survey and round (a person answers
a survey once per round), so a row for a resident who already answered in the round updates
that response (date included); two such rows in one file are refused from the second. An
anonymous row when survey, community, date, round, sex, age, migrant flag, answers and its
occurrence among identical rows match (a stored key).
"""

import hashlib
import io
import json
import re

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from healthedu.locking import PeriodLocked, ensure_period_open
from healthedu.pii import pii_hash
from healthedu.surveys import counts
from healthedu.surveys.models import Answer, Item, ItemKind, Response, Round, Survey
from healthedu.surveys.scoring import SCORE_FIELDS
from healthedu.surveys.services import build_response
from healthedu.tabular import (
    ImportReport,
    RowError,
    TableError,
    append_row,
    cell_text,
    parse_date,
    parse_yes_no,
    read_table,
    record_import,
)
from residents.idnumber import id_number_from_cell, normalise_id_number
from residents.models import Resident

BASE_ALIASES = {
    "serial": ["序号", "编号", "问卷编号"],
    "answered_on": ["填写日期", "调查日期", "日期", "填表日期"],
    "round": ["轮次", "调查轮次"],
    "id_number": ["身份证号", "身份证号码", "公民身份号码"],
    "sex": ["性别"],
    "age": ["年龄"],
    "is_migrant": ["是否流动人口", "流动人口"],
}
TEMPLATE_HEADERS = ["answered_on", "round", "id_number", "sex", "age", "is_migrant"]
ROUND_WORDS = {
    "baseline": Round.BASELINE,
    "基线": Round.BASELINE,
    "基线调查": Round.BASELINE,
    "followup": Round.FOLLOWUP,
    "follow-up": Round.FOLLOWUP,
    "随访": Round.FOLLOWUP,
    "干预后": Round.FOLLOWUP,
    "routine": Round.ROUTINE,
    "常规": Round.ROUTINE,
}
SEX_WORDS = {"男": "M", "m": "M", "male": "M", "女": "F", "f": "F", "female": "F"}
FIELD_LABELS = {
    "answered_on": "填写日期",
    "round": "轮次",
    "id_number": "身份证号",
    "sex": "性别",
    "age": "年龄",
    "is_migrant": "是否流动人口",
    "answers": "答案",
    "survey": "问卷",
}
LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
# As printed on a paper questionnaire (the template's instructions).
ITEM_TYPE_WORDS = {"true_false": "判断题", "single": "单选题", "multiple": "多选题"}


def aliases_for(items: list[Item]) -> dict[str, list[str]]:
    aliases = dict(BASE_ALIASES)
    for item in items:
        n = item.order
        aliases[f"q{n}"] = [f"Q{n}", f"第{n}题", f"题{n}", f"{n}题"]
    return aliases


def field_label(name: str) -> str:
    if re.fullmatch(r"q\d+", name):
        return name.upper()
    return FIELD_LABELS.get(name, name)


TRUE_MARKS = {"√", "✓", "对", "正确", "T", "TRUE", "是"}
FALSE_MARKS = {"×", "✗", "✕", "错", "错误", "F", "FALSE", "否"}
TRUE_OPTIONS = {"正确", "对", "是", "√"}


def parse_letters(text: str, item: Item) -> list[int]:
    """'A', 'AC', 'a,c', 'A、C' → option indexes; blank → [] (unanswered). A true/false item
    (判断题) also takes the marks people write on paper: √/对 and ×/错."""
    letters = re.sub(r"[\s,，、;；/]", "", text).upper()
    if not letters:
        return []
    if item.type == "true_false" and letters in TRUE_MARKS | FALSE_MARKS:
        yes = next((n for n, o in enumerate(item.options) if o in TRUE_OPTIONS), 0)
        return [yes if letters in TRUE_MARKS else 1 - yes]
    indexes = []
    for letter in letters:
        index = LETTERS.find(letter)
        if index < 0 or index >= len(item.options):
            raise RowError(
                f"q{item.order}",
                _("%(text)s is not a choice of Q%(n)d (options A to %(last)s).")
                % {"text": text, "n": item.order, "last": LETTERS[len(item.options) - 1]},
            )
        if index not in indexes:
            indexes.append(index)
    return sorted(indexes)


def check_upload(upload, survey: Survey) -> None:
    """The cheap checks only (type, size, zip structure, declared dimension): the rows and the
    header are read by the job, in the worker, under its limits."""
    from healthedu.tabular import check_upload as check_file

    check_file(upload)


def _parse_row(values, columns, items, *, residents_by_hash, survey, community, today, locks):
    def get(name):
        index = columns.get(name)
        if index is None or index >= len(values):
            return None
        return values[index]

    try:
        answered_on = parse_date(get("answered_on"))
    except ValueError as exc:
        raise RowError("answered_on", str(exc)) from None
    if answered_on is None:
        raise RowError("answered_on", _("The date answered is missing."))
    round_text = cell_text(get("round")).lower()
    if round_text not in ROUND_WORDS:
        raise RowError(
            "round",
            _("%(text)s is not a round (基线, 随访/干预后 or 常规).") % {"text": round_text or "—"},
        )
    data = {"answered_on": answered_on, "round": ROUND_WORDS[round_text]}

    try:
        id_info = id_number_from_cell(get("id_number"))
    except ValidationError as exc:
        raise RowError("id_number", exc.messages[0]) from None
    if id_info:
        number = id_info.number
        resident = residents_by_hash.get(pii_hash(number))
        if resident is None:
            raise RowError(
                "id_number",
                _(
                    "No resident with this ID number is registered in your communities; register the resident first, or leave the ID number blank for an anonymous questionnaire."
                ),
            )
        data["resident"] = resident
    else:
        sex_text = cell_text(get("sex")).lower()
        if sex_text not in SEX_WORDS:
            raise RowError(
                "sex", _("%(text)s is not a sex (男 or 女).") % {"text": sex_text or "—"}
            )
        age_text = cell_text(get("age"))
        if not (age_text.isdecimal() and len(age_text) <= 3):
            raise RowError("age", _("%(text)s is not an age in years.") % {"text": age_text or "—"})
        try:
            is_migrant = parse_yes_no(get("is_migrant"))
        except ValueError as exc:
            raise RowError("is_migrant", str(exc)) from None
        data.update(
            sex=SEX_WORDS[sex_text],
            age=int(age_text),
            is_migrant=is_migrant,
            community=community,
        )

    answers = []
    for item in items:
        choice = parse_letters(cell_text(get(f"q{item.order}")), item)
        if choice:
            answers.append({"item": item.pk, "choice": choice})
    data["answers"] = answers
    try:
        response, answer_rows = build_response(survey=survey, items=items, today=today, **data)
    except ValidationError as exc:
        name, messages = next(iter(exc.message_dict.items()))
        raise RowError(name, messages[0]) from None
    # One lock check per community and month of the file, not one per row.
    key = (response.community.pk, response.month)
    if key not in locks:
        try:
            ensure_period_open(*key)
            locks[key] = None
        except PeriodLocked as exc:
            locks[key] = str(exc)
    if locks[key]:
        raise RowError("answered_on", locks[key])
    return response, answer_rows


def _anonymous_key(survey, response, answer_rows, occurrence: int) -> str:
    payload = [
        survey.pk,
        response.community.pk,
        response.answered_on.isoformat(),
        response.round,
        response.sex,
        response.age,
        response.is_migrant,
        sorted((a.item_id, a.choice) for a in answer_rows),
        occurrence,
    ]
    return hashlib.sha256(json.dumps(payload).encode()).hexdigest()


def import_responses(
    *,
    fileobj,
    filename: str,
    survey: Survey,
    community,
    user=None,
    today=None,
    progress=lambda p: None,
) -> ImportReport:
    from django.utils import timezone

    today = today or timezone.localdate()
    report = ImportReport()
    items = list(survey.items.order_by("order"))
    table = read_table(fileobj, filename, aliases_for(items), required=("answered_on",))
    rows = [(n, v) for n, v in table.rows if any(cell_text(c) for c in v)]

    # Residents in reach with an ID number, looked up by the hashes the file carries.
    hashes = set()
    id_col = table.columns.get("id_number")
    if id_col is not None:
        for _n, values in rows:
            text = normalise_id_number(values[id_col] if id_col < len(values) else "")
            if len(text) == 18:
                hashes.add(pii_hash(text))
    residents = Resident.objects.select_related("community").filter(id_number_hash__in=hashes)
    residents = residents.in_reach(user)
    residents_by_hash = {r.id_number_hash: r for r in residents}

    parsed = []
    seen_identified: dict[tuple, int] = {}
    occurrences: dict[str, int] = {}
    locks: dict[tuple, str | None] = {}
    for index, (number, values) in enumerate(rows):
        report.total_rows += 1
        serial = (
            cell_text(values[table.columns["serial"]])
            if "serial" in table.columns and table.columns["serial"] < len(values)
            else ""
        )
        try:
            response, answer_rows = _parse_row(
                values,
                table.columns,
                items,
                residents_by_hash=residents_by_hash,
                locks=locks,
                survey=survey,
                community=community,
                today=today,
            )
            if response.resident is not None:
                key = (response.resident.pk, response.round)
                first = seen_identified.setdefault(key, number)
                if first != number:
                    raise RowError(
                        "id_number",
                        _(
                            "The same resident and round as row %(row)d: a person answers a survey once per round."
                        )
                        % {"row": first},
                    )
            else:
                base = _anonymous_key(survey, response, answer_rows, 0)
                occurrences[base] = occurrences.get(base, 0) + 1
                response.import_key = _anonymous_key(
                    survey, response, answer_rows, occurrences[base]
                )
        except RowError as exc:
            report.add_error(number, serial, exc.field, field_label(exc.field), exc.message)
            continue
        parsed.append((response, answer_rows, (number, serial)))
        if index % 500 == 0:
            progress(50 * index / max(1, len(rows)))
    progress(50)

    with transaction.atomic():
        _write(parsed, survey=survey, user=user, report=report)
        return record_import(
            report,
            user=user,
            model=Response._meta.label,
            object_id=f"survey:{survey.pk}",
            filename=filename,
        )


STORED_FIELDS = [
    "community",
    "answered_on",
    "answered_items",
    "correct_items",
    "sex",
    "age",
    "is_migrant",
    "month",
    *SCORE_FIELDS,
    "is_elderly",
    "is_women",
    "is_youth",
    "is_general",
]


def _write(parsed, *, survey, user, report: ImportReport) -> None:
    # Serialise imports of one survey, so that two runs of one file cannot both insert.
    Survey.objects.select_for_update().filter(pk=survey.pk).first()
    existing = Response.objects.filter(survey=survey).prefetch_related("answers")
    resident_ids = [r.resident.pk for r, _a, _n in parsed if r.resident is not None]
    keys = [r.import_key for r, _a, _n in parsed if r.import_key]
    by_resident = {
        (r.resident_id, r.round): r for r in existing.filter(resident_id__in=resident_ids)
    }
    by_key = {r.import_key: r for r in existing.filter(import_key__in=keys)} if keys else {}

    to_create, to_update = [], []
    for response, answer_rows, (number, serial) in parsed:
        if response.resident is not None:
            found = by_resident.get((response.resident.pk, response.round))
        else:
            found = by_key.get(response.import_key)
        if found is not None and (found.community_id, found.month) != (
            response.community.pk,
            response.month,
        ):
            # Moving a questionnaire out of a locked month changes that month too.
            try:
                ensure_period_open(found.community_id, found.answered_on)
            except PeriodLocked as exc:
                report.add_error(
                    number, serial, "answered_on", field_label("answered_on"), str(exc)
                )
                continue
        if found is None:
            response.created_by = user if getattr(user, "is_authenticated", False) else None
            to_create.append((response, answer_rows))
            continue
        old = {a.item_id: a.choice for a in found.answers.all()}
        new = {a.item_id: a.choice for a in answer_rows}
        same = old == new and all(
            getattr(found, f if f != "community" else "community_id")
            == (getattr(response, f) if f != "community" else response.community.pk)
            for f in STORED_FIELDS
        )
        if same:
            report.unchanged += 1
            continue
        for name in STORED_FIELDS:
            setattr(found, name, getattr(response, name))
        to_update.append((found, answer_rows))

    # The kept counts change with the rows (surveys.counts): every resident of the file and
    # every anonymous response it updates, before and after.
    touched = {r.resident_id for r, _a in [*to_create, *to_update]}
    touched |= {r.resident_id for r in by_resident.values()}
    with counts.kept(residents=touched, responses=[r.pk for r, _a in to_update]) as keeper:
        Response.objects.bulk_create([r for r, _a in to_create], batch_size=1000)
        if to_update:
            Response.objects.bulk_update(
                [r for r, _a in to_update], [*STORED_FIELDS, "updated_at"], batch_size=1000
            )
        for response, _a in to_create:
            keeper.add(response)
        for response, _a in to_update:
            keeper.changed(response)
        Answer.objects.filter(response__in=[r for r, _a in to_update]).delete()
    answers = []
    for response, answer_rows in [*to_create, *to_update]:
        for answer in answer_rows:
            answer.response = response
            answers.append(answer)
    Answer.objects.bulk_create(answers, batch_size=5000)
    report.created += len(to_create)
    report.updated += len(to_update)


def template_workbook(survey: Survey) -> bytes:
    """The empty entry sheet with the right headers, and a sheet of instructions listing each
    item's kind, type (判断/单选/多选), points, text and options. Every cell through
    healthedu.tabular's escaping rule: an item typed as "=HYPERLINK(...)" stays text."""
    import openpyxl
    from openpyxl.styles import Font

    items = list(survey.items.order_by("order"))
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "问卷录入"
    append_row(sheet, [*TEMPLATE_HEADERS, *(f"Q{i.order}" for i in items)])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.column_dimensions["A"].width = 12
    sheet.column_dimensions["C"].width = 22
    for row in range(2, 1002):  # text, so that Excel keeps all 18 digits of an ID number
        sheet[f"C{row}"].number_format = "@"
    notes = workbook.create_sheet("填写说明")
    full = {kind: sum(i.points for i in items if i.kind == kind) for kind in ItemKind.values}
    for line in [
        f"问卷：{survey.title}",
        "answered_on 填写日期：2026-03-02、2026/3/2 或 2026年3月2日",
        "round 轮次：baseline 基线 / followup 随访（干预后）/ routine 常规；同一居民每轮只填一份，"
        "再次导入同一居民同一轮次将更新原问卷",
        "id_number 身份证号：实名问卷填写，须为本社区已登记居民（请将该列设为文本格式）；匿名问卷留空",
        "sex 性别、age 年龄、is_migrant 是否流动人口（是/否）：匿名问卷必填；实名问卷以居民档案为准",
        "Q1、Q2……：填写所选选项字母，如 A 或 AC（多选）；未作答留空",
        f"计分：答对得该题分值，多选题须与答案完全一致方得分，未作答计0分；"
        f"知识题满分 {full[ItemKind.KNOWLEDGE]} 分，得分率≥{survey.knowledge_threshold:.0%} 为知晓；"
        f"行为题满分 {full[ItemKind.BEHAVIOR]} 分，得分率≥{survey.behavior_threshold:.0%} 为形成",
    ]:
        append_row(notes, [line])
    append_row(notes, [])
    append_row(notes, ["题号", "类别", "题型", "分值", "题目", "选项"])
    for item in items:
        options = "；".join(f"{LETTERS[i]}. {o}" for i, o in enumerate(item.options))
        append_row(
            notes,
            [
                f"Q{item.order}",
                item.get_kind_display(),
                ITEM_TYPE_WORDS[item.type],
                item.points,
                item.text,
                options,
            ],
        )
    notes.column_dimensions["A"].width = 12
    notes.column_dimensions["E"].width = 60
    notes.column_dimensions["F"].width = 60
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


__all__ = ["ImportReport", "TableError", "check_upload", "import_responses", "template_workbook"]
