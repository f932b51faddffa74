"""Importing paper questionnaires typed into the template, through the API as an educator would."""

import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from healthedu.surveys.models import Answer, Response
from tests.factories import make_id_number, make_resident
from tests.surveys.conftest import DAY

pytestmark = pytest.mark.django_db

HEADERS = ["answered_on", "round", "id_number", "sex", "age", "is_migrant"] + [
    f"Q{n}" for n in range(1, 8)
]
CHINESE = ["调查日期", "轮次", "身份证号", "性别", "年龄", "是否流动人口"] + [
    f"第{n}题" for n in range(1, 8)
]


def workbook(rows, headers=HEADERS, title_row=None) -> SimpleUploadedFile:
    book = openpyxl.Workbook()
    sheet = book.active
    if title_row:
        sheet.append([title_row])
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return SimpleUploadedFile("问卷录入.xlsx", buffer.getvalue())


def run_import(api, user, survey, community, file, capture):
    with capture(execute=True):
        response = api(user).post(
            "/api/survey-responses/import/",
            {"file": file, "survey": survey.pk, "community": community.pk},
            format="multipart",
        )
    assert response.status_code == 202, response.content
    return api(user).get(f"/api/jobs/{response.json()['id']}/").json()


@pytest.fixture
def residents(community_a):
    born_f = DAY.replace(year=DAY.year - 70)
    born_m = DAY.replace(year=DAY.year - 20)
    f_id = make_id_number(born_f, "F", seq=11)
    m_id = make_id_number(born_m, "M", seq=13)
    make_resident(community_a, sex="F", birth_date=born_f, id_number=f_id)
    make_resident(community_a, sex="M", birth_date=born_m, id_number=m_id)
    return f_id, m_id


def good_rows(residents):
    f_id, m_id = residents
    return [
        ["2026-03-10", "基线", f_id, "", "", "", "A", "B", "C", "A", "AC", "A", "B"],
        ["2026/3/10", "baseline", m_id, "", "", "", "A", "B", "C", "B", "A", "A", "C"],
        ["2026年3月11日", "基线", "", "女", 22, "是", "A", "B", "C", "A", "", "", ""],
        ["2026-03-11", "基线", "", "男", 40, "否", "a", "b", "c", "d", "A", "A", "B"],
        ["2026-03-11", "基线", "", "男", 65, "否", "", "", "", "", "", "B", "D"],
    ]


def test_good_file_imports_and_gives_the_hand_counted_rates(
    api, educator_a, designed_survey, community_a, residents, django_capture_on_commit_callbacks
):
    job = run_import(
        api,
        educator_a,
        designed_survey,
        community_a,
        workbook(good_rows(residents)),
        django_capture_on_commit_callbacks,
    )
    assert job["status"] == "done", job
    assert job["result"]["created"] == 5
    assert job["result"]["error_count"] == 0
    rates = api(educator_a).get("/api/rates/", {"survey": designed_survey.pk}).json()
    # The same five questionnaires as test_rates' designed data: 1/4 aware, 2/4 formed.
    assert (rates["knowledge"]["numerator"], rates["knowledge"]["denominator"]) == (1, 4)
    assert (rates["behavior"]["numerator"], rates["behavior"]["denominator"]) == (2, 4)


def test_chinese_headers_under_a_title_row(
    api, educator_a, designed_survey, community_a, residents, django_capture_on_commit_callbacks
):
    file = workbook(
        good_rows(residents), headers=CHINESE, title_row="天虹路社区健康素养调查问卷录入表"
    )
    job = run_import(
        api, educator_a, designed_survey, community_a, file, django_capture_on_commit_callbacks
    )
    assert job["result"]["created"] == 5, job


def test_repeated_file_updates_and_never_duplicates(
    api, educator_a, designed_survey, community_a, residents, django_capture_on_commit_callbacks
):
    rows = good_rows(residents)
    run_import(
        api,
        educator_a,
        designed_survey,
        community_a,
        workbook(rows),
        django_capture_on_commit_callbacks,
    )
    again = run_import(
        api,
        educator_a,
        designed_survey,
        community_a,
        workbook(rows),
        django_capture_on_commit_callbacks,
    )
    assert again["result"]["created"] == 0
    assert again["result"]["unchanged"] == 5
    assert Response.objects.count() == 5
    # A corrected answer for an identified row updates that questionnaire.
    rows[1][9] = "A"
    third = run_import(
        api,
        educator_a,
        designed_survey,
        community_a,
        workbook(rows),
        django_capture_on_commit_callbacks,
    )
    assert third["result"]["updated"] == 1
    assert third["result"]["created"] == 0
    assert Response.objects.count() == 5
    assert Answer.objects.filter(response__resident__isnull=False).count() == 14


def test_bad_rows_are_reported_and_good_rows_imported(
    api, educator_a, designed_survey, community_a, residents, django_capture_on_commit_callbacks
):
    f_id, _m_id = residents
    stranger = make_id_number(DAY.replace(year=1980), "M", seq=77)
    rows = [
        ["2026-03-10", "基线", f_id, "", "", "", "A", "B", "C", "A", "AC", "A", "B"],  # good
        ["", "基线", "", "女", 30, "否", "A"],  # 3: no date
        ["2026-03-10", "期中", "", "女", 30, "否", "A"],  # 4: unknown round
        ["2026-03-10", "基线", stranger, "", "", "", "A"],  # 5: not a registered resident
        ["2026-03-10", "基线", "", "", 30, "否", "A"],  # 6: anonymous without sex
        ["2026-03-10", "基线", "", "女", "三十", "否", "A"],  # 7: age not a number
        ["2026-03-10", "基线", "", "女", 30, "否", "E"],  # 8: no option E
        ["2026-03-10", "基线", f_id, "", "", "", "A"],  # 9: same resident, date and round as row 2
        ["2099-03-10", "基线", "", "女", 30, "否", "A"],  # 10: future date
        ["2026-03-10", "基线", "11010119800101123", "", "", "", "A"],  # 11: 17 characters
    ]
    job = run_import(
        api,
        educator_a,
        designed_survey,
        community_a,
        workbook(rows),
        django_capture_on_commit_callbacks,
    )
    result = job["result"]
    assert result["created"] == 1
    got = [(e["row"], e["field"]) for e in result["errors"]]
    assert got == [
        (3, "answered_on"),
        (4, "round"),
        (5, "id_number"),
        (6, "sex"),
        (7, "age"),
        (8, "q1"),
        (9, "id_number"),
        (10, "answered_on"),
        (11, "id_number"),
    ]
    assert all(e["reason"] for e in result["errors"])
    assert result["errors"][5]["column"] == "Q1"


def test_residents_outside_reach_are_not_matched(
    api, educator_a, designed_survey, community_a, community_b, django_capture_on_commit_callbacks
):
    born = DAY.replace(year=1970)
    outsider = make_id_number(born, "F", seq=21)
    make_resident(community_b, sex="F", birth_date=born, id_number=outsider)
    rows = [["2026-03-10", "基线", outsider, "", "", "", "A"]]
    job = run_import(
        api,
        educator_a,
        designed_survey,
        community_a,
        workbook(rows),
        django_capture_on_commit_callbacks,
    )
    assert job["result"]["created"] == 0
    assert job["result"]["errors"][0]["field"] == "id_number"


def test_not_a_spreadsheet_is_refused_before_any_job(api, educator_a, designed_survey, community_a):
    file = SimpleUploadedFile("问卷.xlsx", b"not a zip")
    response = api(educator_a).post(
        "/api/survey-responses/import/",
        {"file": file, "survey": designed_survey.pk, "community": community_a.pk},
        format="multipart",
    )
    assert response.status_code == 400
    assert "file" in response.json()


def test_csv_in_gbk(
    api, educator_a, designed_survey, community_a, django_capture_on_commit_callbacks
):
    text = (
        "调查日期,轮次,身份证号,性别,年龄,是否流动人口,第1题,第2题\n2026-03-10,随访,,女,30,否,A,B\n"
    )
    file = SimpleUploadedFile("问卷.csv", text.encode("gbk"))
    job = run_import(
        api, educator_a, designed_survey, community_a, file, django_capture_on_commit_callbacks
    )
    assert job["result"]["created"] == 1, job
    assert Response.objects.get().round == "followup"


def test_rows_in_a_finalised_month_are_refused(
    api, educator_a, designed_survey, community_a, django_capture_on_commit_callbacks
):
    from reports.models import PeriodLock

    PeriodLock.objects.create(community=community_a, month=DAY.replace(day=1))
    rows = [
        ["2026-03-10", "基线", "", "女", 30, "否", "A"],
        ["2026-03-12", "基线", "", "男", 31, "否", "B"],
        ["2026-04-10", "随访", "", "女", 30, "否", "A"],
    ]
    job = run_import(
        api,
        educator_a,
        designed_survey,
        community_a,
        workbook(rows),
        django_capture_on_commit_callbacks,
    )
    assert job["result"]["created"] == 1
    assert [(e["row"], e["field"]) for e in job["result"]["errors"]] == [
        (2, "answered_on"),
        (3, "answered_on"),
    ]


def test_a_resident_answers_once_per_round_so_a_new_date_updates_that_questionnaire(
    api, educator_a, designed_survey, community_a, residents, django_capture_on_commit_callbacks
):
    f_id, _m_id = residents
    first = [["2026-03-10", "基线", f_id, "", "", "", "A", "B", "C", "A", "AC", "A", "B"]]
    run_import(
        api,
        educator_a,
        designed_survey,
        community_a,
        workbook(first),
        django_capture_on_commit_callbacks,
    )
    # The same resident and round typed again with another date and answers: that one changes.
    again = [["2026-03-12", "基线", f_id, "", "", "", "A", "B", "C", "A", "A", "A", "B"]]
    job = run_import(
        api,
        educator_a,
        designed_survey,
        community_a,
        workbook(again),
        django_capture_on_commit_callbacks,
    )
    assert (job["result"]["created"], job["result"]["updated"]) == (0, 1), job
    response = Response.objects.get()
    assert str(response.answered_on) == "2026-03-12"
    assert (response.knowledge_points, response.knowledge_aware) == (4, False)
    # Twice in one file: the second row is refused, naming the first.
    twice = [
        ["2026-03-12", "基线", f_id, "", "", "", "A", "B", "C", "A", "A", "A", "B"],
        ["2026-03-13", "基线", f_id, "", "", "", "A", "B", "C", "A", "AC", "A", "B"],
        ["2026-10-13", "随访", f_id, "", "", "", "A", "B", "C", "A", "AC", "A", "B"],
    ]
    job = run_import(
        api,
        educator_a,
        designed_survey,
        community_a,
        workbook(twice),
        django_capture_on_commit_callbacks,
    )
    assert [(e["row"], e["field"]) for e in job["result"]["errors"]] == [(3, "id_number")]
    assert "2" in job["result"]["errors"][0]["reason"]
    assert (job["result"]["created"], job["result"]["unchanged"]) == (1, 1)
    assert Response.objects.count() == 2


@pytest.fixture
def true_false_survey(community_a):
    from healthedu.surveys.services import survey_create
    from tests.surveys.conftest import item

    tf = item("knowledge", "hypertension", [1], n_options=2, text="判断")
    tf.update(type="true_false", options=["正确", "错误"])
    return survey_create(
        user=None,
        title="判断与多选",
        community=community_a,
        items=[
            tf,
            item("knowledge", "diabetes", [0, 1], multiple=True, text="多选"),
            item("knowledge", "aids", [2], text='=HYPERLINK("http://evil.example","点我")'),
        ],
    )


@pytest.mark.parametrize(
    ("cells", "points", "aware"),
    [
        (["×", "AB", "C"], 4, True),  # 错 is the key of the true/false item
        (["错", "AB", "C"], 4, True),
        (["B", "AB", "C"], 4, True),
        (["√", "AB", "C"], 3, False),  # 3/4 < 0.8
        (["对", "A", "C"], 1, False),  # part of the multi-select key earns 0
        (["×", "ABC", ""], 1, False),  # the key plus a wrong option earns 0
    ],
)
def test_true_false_marks_and_multi_select_points_on_paper(
    api,
    educator_a,
    true_false_survey,
    community_a,
    django_capture_on_commit_callbacks,
    cells,
    points,
    aware,
):
    rows = [["2026-03-10", "基线", "", "女", 30, "否", *cells]]
    headers = HEADERS[:6] + ["Q1", "Q2", "Q3"]
    job = run_import(
        api,
        educator_a,
        true_false_survey,
        community_a,
        workbook(rows, headers=headers),
        django_capture_on_commit_callbacks,
    )
    assert job["result"]["created"] == 1, job
    response = Response.objects.get()
    assert (response.knowledge_points, response.knowledge_full) == (points, 4)
    assert response.knowledge_aware is aware


def test_template_says_each_items_type_and_points_and_keeps_formulas_as_text(
    api, educator_a, true_false_survey
):
    from openpyxl.cell.cell import TYPE_STRING

    response = api(educator_a).get(f"/api/surveys/{true_false_survey.pk}/template/")
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    notes = book["填写说明"]
    rows = list(notes.iter_rows(values_only=True))
    header = rows.index(("题号", "类别", "题型", "分值", "题目", "选项"))
    items = rows[header + 1 :]
    assert [(r[0], r[2], r[3]) for r in items] == [
        ("Q1", "判断题", 1),
        ("Q2", "多选题", 2),
        ("Q3", "单选题", 1),
    ]
    assert items[2][4] == '\'=HYPERLINK("http://evil.example","点我")'
    # No cell of the workbook is a formula.
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)
    assert notes.cell(row=header + 4, column=5).data_type == TYPE_STRING
    assert any("满分 4 分" in (r[0] or "") for r in rows[:header])
